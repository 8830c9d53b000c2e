"""A document that publishes the website's yearly form (政府网站工作年度报表): the front matter's
``website_report:`` names its data file beside it, read and checked by portal.website_report,
every problem reported with the data file's path and line (`portal check`)."""

from dataclasses import replace
from pathlib import Path

import yaml

from portal import website_report
from portal.catalogue import categories
from portal.catalogue.document import Document, Problem
from portal.catalogue.frontmatter import Parse, text_value

# The column the form is published in: beside the annual reports, where real portals list it
# (docs/website-report.md).
COLUMN = "annual-reports"


def data_file_name(parse: Parse, node: yaml.Node, category: categories.Category | None) -> str:
    """The name of the data file a document's ``website_report:`` gives ('' when empty), with
    a problem when the document is not in the form's column."""
    name = text_value(parse, "website_report", node)
    if name and category is not None and category.slug != COLUMN:
        parse.problem(
            node,
            "website_report: the website's yearly form is published in 政府信息公开年报; "
            f"write category: {categories.BY_SLUG[COLUMN].name}",
        )
    return name


def attach_form(parse: Parse, document: Document, shown: Path) -> Document:
    """Read the document's form from its data file (shown: the file as messages name it); an
    error in it keeps the document unpublished, a warning does not."""
    form, found = website_report.load_form(document.website_report_path)
    for problem in found:
        parse.problems.append(
            Problem(
                shown,
                problem.line,
                problem.message,
                problem.severity,
                blocks_publication=problem.severity == "error",
            )
        )
    if form is None:
        return document
    if form.sample != document.sample:
        parse.problems.append(
            Problem(
                shown,
                1,
                "sample: the data file and the document must agree on whether this is "
                "sample content",
            )
        )
    return replace(document, website_report=form)
