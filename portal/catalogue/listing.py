"""The published documents and the ways to find them: by slug, organisation, category,
department, year and 五公开, with counts and ordering; built from parsed files, with the clashes
between files (and between a file and the organisations) reported."""

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from portal import reports
from portal.catalogue import categories
from portal.catalogue.columns import Column, columns_by_kind, group_columns
from portal.catalogue.content import shown_path
from portal.catalogue.document import Document, Problem
from portal.catalogue.filter_index import FilterIndex
from portal.catalogue.organisations import Organisation, Organisations


def newest_first(documents: Iterable[Document]) -> list[Document]:
    """Documents by date, newest first; undated ones last, each group by title."""
    dated = sorted((d for d in documents if d.date), key=lambda d: (d.date, d.slug), reverse=True)
    undated = sorted((d for d in documents if not d.date), key=lambda d: d.title)
    return dated + undated


@dataclass(frozen=True)
class Filters:
    """A combination of browse filters; empty fields do not filter."""

    category: categories.Category | None = None
    department: str = ""
    year: int | None = None
    five: str = ""
    organisation: str = ""
    validity: str = ""

    def matches(self, document: Document, ignore: str = "") -> bool:
        """Whether the document passes every filter except the one named in ignore."""
        return (
            (
                ignore == "organisation"
                or not self.organisation
                or document.organisation == self.organisation
            )
            and (
                ignore == "category"
                or self.category is None
                or self.category in document.category.path()
            )
            and (
                ignore == "department"
                or not self.department
                or document.department == self.department
            )
            and (ignore == "year" or self.year is None or document.year == self.year)
            and (ignore == "five" or not self.five or document.five_openness_slug == self.five)
            and (
                ignore == "validity"
                or not self.validity
                or (document.validity is not None and document.validity.slug == self.validity)
            )
        )

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    def chosen(self) -> dict[str, object]:
        """The filters in use and their values, as a FilterIndex holds them."""
        values = {
            "organisation": self.organisation,
            "category": self.category.slug if self.category is not None else None,
            "department": self.department,
            "year": self.year,
            "five": self.five,
            "validity": self.validity,
        }
        return {key: value for key, value in values.items() if value}


@dataclass
class Catalogue:
    """Every published document, newest first, and the problems found while reading them."""

    documents: list[Document]
    problems: list[Problem] = field(default_factory=list)
    version: str = ""
    series_problems: dict[str, list[reports.Problem]] = field(default_factory=dict)
    drafts: list[Document] = field(default_factory=list)
    organisations: Organisations = field(
        default_factory=lambda: Organisations((Organisation("site", "site"),), "site")
    )

    def __post_init__(self):
        self.by_slug = {document.slug: document for document in self.documents}
        # One object per catalogue version: search caches its mask of live documents on it.
        self.slugs = frozenset(self.by_slug)
        # A catalogue is never changed once built: what each filter value selects is worked out
        # now, in the thread that reads the content, never per request.
        self.filter_index = FilterIndex(self.documents)
        # Each document's place among those of its own category, for its page's links.
        self._same_category: dict[str, list[Document]] = {}
        self._place: dict[str, int] = {}
        for document in self.documents:
            same = self._same_category.setdefault(document.category.slug, [])
            self._place[document.slug] = len(same)
            same.append(document)
        self.annual_reports = [d for d in self.documents if d.report is not None]
        # The website's yearly forms by the year they cover (one each: build_catalogue).
        self.website_reports = {
            d.website_report.year: d for d in self.documents if d.website_report is not None
        }
        self.interpretations: dict[str, list[Document]] = {}
        # The documents each document amended, repealed or replaced, for its page's links back.
        self.replaced: dict[str, list[Document]] = {}
        for document in self.documents:
            if document.interprets:
                self.interpretations.setdefault(document.interprets, []).append(document)
            if document.validity and document.validity.replaced_by:
                self.replaced.setdefault(document.validity.replaced_by, []).append(document)

    def report_problems(self, document: Document) -> list[reports.Problem]:
        """Every consistency problem of a report's tables, within the report and across years."""
        return list(document.report_problems) + self.series_problems.get(document.slug, [])

    def get(self, slug: str) -> Document | None:
        """The document with this slug, or None."""
        return self.by_slug.get(slug)

    def select(self, filters: Filters) -> list[Document]:
        """The documents that pass the filters, newest first (unfiltered: the catalogue's own
        list, to read and never to change)."""
        chosen = filters.chosen()
        if not chosen:
            return self.documents
        return [self.documents[position] for position in self.filter_index.select(chosen)]

    def counts(self, filters: Filters) -> dict[str, Counter]:
        """For each filter, how many documents each of its values would give with the others."""
        return self.filter_index.counts(filters.chosen())

    def organisation_of(self, document: Document) -> Organisation:
        """The body that publishes the document."""
        return self.organisations.by_id[document.organisation]

    def of_organisation(self, organisation_id: str) -> list[Document]:
        """The documents one body publishes, newest first."""
        column = self.columns.get(organisation_id)
        return list(column.documents) if column else []

    @cached_property
    def columns(self) -> dict[str, Column]:
        """Every body's disclosure column by id, in listing order (one pass over the documents,
        made once per catalogue version: /organisations/ lists them all)."""
        return group_columns(self.organisations, self.documents)

    def column(self, organisation_id: str) -> Column | None:
        """One body's disclosure column, or None for an unknown id."""
        return self.columns.get(organisation_id)

    def columns_by_kind(self) -> list[tuple[str, list[Column]]]:
        """Every body's column, grouped by kind in the order of KINDS."""
        return columns_by_kind(self.columns)

    def departments(self) -> list[str]:
        """Every department that has published something, in code-point order."""
        return sorted(self.filter_index.values("department"))

    def years(self) -> list[int]:
        """Every year with a dated document, newest first."""
        return sorted(self.filter_index.values("year"), reverse=True)

    def neighbours(self, document: Document) -> tuple[Document | None, Document | None]:
        """The newer and the older document of the same category."""
        same = self._same_category.get(document.category.slug, [])
        index = self._place.get(document.slug, len(same))
        if index == len(same) or same[index] is not document:
            raise ValueError(f"{document.slug} is not a document of this catalogue")
        newer = same[index - 1] if index > 0 else None
        older = same[index + 1] if index + 1 < len(same) else None
        return newer, older


def build_catalogue(
    parsed: Iterable[tuple[Path, Document | None, list[Problem]]],
    root: Path,
    version: str = "",
    organisations: Organisations | None = None,
) -> Catalogue:
    """Assemble a catalogue from parsed files, reporting clashes between files.

    Each entry is (content file, document or None, problems); a document may come from a
    last good snapshot elsewhere, so messages name the content file, never document.path.
    Published documents claim their address and 索引号 before drafts do: a draft reusing a
    published document's file name is reported and never takes the published page down. A
    document whose organisation is not one of organisations (default: the site alone, for
    callers that read no organisation files) is reported and not published.
    """
    if organisations is None:
        organisations = Organisations((Organisation("site", "site"),), "site")
    entries = [(path, document, file_problems) for path, document, file_problems in parsed]
    problems: list[Problem] = [p for _path, _document, found in entries for p in found]
    candidates = sorted(
        ((path, d) for path, d, _found in entries if d is not None),
        key=lambda entry: entry[1].waiting_for is not None,
    )
    files = {id(document): path for path, document in candidates}
    published: dict[str, Document] = {}
    drafts: list[Document] = []
    addresses: dict[str, Document] = {}
    index_numbers: dict[str, Document] = {}
    form_years: dict[int, Document] = {}
    for path, document in candidates:
        shown = shown_path(path, root)
        key, problem = _organisation_problem(document, organisations)
        if problem:
            problems.append(Problem(shown, document.line_of(key), problem))
            continue
        if document.slug in addresses:
            other = shown_path(files[id(addresses[document.slug])], root)
            problems.append(
                Problem(
                    shown,
                    1,
                    f"the file name '{document.slug}' is already used "
                    f"by {other}: the address must be unique",
                )
            )
            continue
        if document.index_no and document.index_no in index_numbers:
            other = shown_path(files[id(index_numbers[document.index_no])], root)
            problems.append(
                Problem(
                    shown,
                    document.line_of("index_no"),
                    f"index_no {document.index_no} is already used by "
                    f"{other}: 索引号 must be unique",
                )
            )
            continue
        form_year = document.website_report.year if document.website_report else None
        if form_year in form_years:
            other = shown_path(files[id(form_years[form_year])], root)
            problems.append(
                Problem(
                    shown,
                    document.line_of("website_report"),
                    f"the website's yearly form covering {form_year} is already {other}: "
                    "there is one form a year",
                )
            )
            continue
        addresses[document.slug] = document
        if document.index_no:
            index_numbers[document.index_no] = document
        if form_year is not None:
            form_years[form_year] = document
        if document.waiting_for is not None:
            drafts.append(document)  # never on the site until every stage has approved it
        else:
            published[document.slug] = document
    for document in published.values():
        if document.interprets and document.interprets not in published:
            problems.append(
                Problem(
                    shown_path(files[id(document)], root),
                    1,
                    f"interprets: no published document '{document.interprets}'",
                )
            )
        replaced_by = document.validity.replaced_by if document.validity else ""
        if replaced_by and replaced_by not in published:
            problems.append(
                Problem(
                    shown_path(files[id(document)], root),
                    document.line_of("replaced_by"),
                    f"replaced_by: no published document '{replaced_by}'",
                )
            )
    series_problems: dict[str, list[reports.Problem]] = {}
    with_reports = {id(d.report): d for d in published.values() if d.report is not None}
    for report, problem in reports.validate_series([d.report for d in with_reports.values()]):
        document = with_reports[id(report)]
        series_problems.setdefault(document.slug, []).append(problem)
        data_file = files[id(document)].parent / document.report_path.name
        problems.append(
            Problem(
                shown_path(data_file, root),
                problem.line or 1,
                f"{problem.rule} {problem.message}",
                problem.severity,
            )
        )
    return Catalogue(
        newest_first(published.values()),
        problems,
        version,
        series_problems,
        drafts,
        organisations,
    )


def _organisation_problem(document: Document, organisations: Organisations) -> tuple[str, str]:
    """(the key at fault, why) the document cannot belong to its organisation; ("", "") when
    it can."""
    if not document.organisation:
        return "organisation", (
            "organisation: missing; write the id of the body that publishes this document "
            "(the name of its file under content/organisations/)"
        )
    organisation = organisations.get(document.organisation)
    if organisation is None:
        hint = difflib.get_close_matches(document.organisation, list(organisations.by_id), n=1)
        return "organisation", f"organisation: no organisation '{document.organisation}'" + (
            f"; did you mean '{hint[0]}'?" if hint else ""
        )
    if (
        document.index_no
        and organisation.code
        and not document.index_no.startswith(f"{organisation.code}/")
    ):
        return "index_no", (
            f"index_no {document.index_no} does not start with {organisation.code}/, the "
            f"code of {organisation.name}: a 索引号 begins with its body's code"
        )
    if (
        document.report is not None
        and organisation.path is not None  # a body from a file, not the site's implicit one
        and document.report.organisation != organisation.name
    ):
        return "report", (
            f"the report's tables name '{document.report.organisation}' but the document "
            f"belongs to {organisation.name} ({organisation.id}): they must agree"
        )
    return "", ""
