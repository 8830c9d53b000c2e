"""A published annual report (scraped text or an HTML page) -> a content file and its table data.

An import runs in four stages, each a function a test can call on its own:

1. ``read_source`` (source.py): the text or HTML page -> its lines, HTML tables flattened row by
   row the way a scraper does, an empty cell kept as an explicit blank;
2. ``find_outline`` (outline.py): page furniture dropped (furniture.py), the report's own
   metadata table taken out for the front matter (metadata.py), the title and the six section
   headings, which say where the prose and the three table regions stand; ``find_labels``
   (labels.py): in each table region, every label recognised against the statutory layout
   (look-alike characters read and said, ocr.py), with the values that follow it;
3. ``place_numbers`` (placer.py): the values placed in their cells, or listed with the reason
   they cannot be placed without guessing;
4. ``build_body`` (document.py): the prose as Markdown with a marker where each table goes.

A Word file's automatic numbering (一、 （一） 1. drawn by Word, not in the text) is written
into its paragraphs before it is read (word.py), so its headings and labels read as printed.

A value is never guessed. Cells whose values cannot be told for certain (digits run together
that split several ways, a row with a number too few or too many) are left empty (null, the
data format's "missing, for staff") and each is listed in ``ImportResult.left_empty`` with its
line and why: the other cells are still imported, and the report waits for review until staff
fill them. What makes the tables unreadable as a whole (no tables, a header that is not the
statutory one, the 2019 trial format) is listed in ``ImportResult.unplaced`` and no report is
produced. This package is the
importer's door; it is not loaded with ``portal.reports`` because only ``portal import-report``
needs it (and its HTML parser). Pure domain code: no Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from portal.reports.datafile import report_to_yaml
from portal.reports.importer.document import (
    build_body,
    content_file,
    in_review,
    render_markdown,
)
from portal.reports.importer.furniture import LABELLED as FURNITURE_LABELS
from portal.reports.importer.furniture import PAGE_END, ends_page, is_furniture
from portal.reports.importer.furniture import WORDS as FURNITURE_WORDS
from portal.reports.importer.labels import Entry, find_labels
from portal.reports.importer.metadata import FIELDS as METADATA_FIELDS
from portal.reports.importer.metadata import Metadata
from portal.reports.importer.ocr import CONFUSABLE, is_suspect_number
from portal.reports.importer.outline import Outline, OutlineError, find_outline
from portal.reports.importer.placer import Gap, Placer
from portal.reports.importer.placing import place_numbers
from portal.reports.importer.source import (
    KINDS,
    Kind,
    Line,
    SourceError,
    guess_kind,
    read_source,
)
from portal.reports.importer.stated import stated_figures
from portal.reports.importer.word import format_number, with_numbering
from portal.reports.model import Report
from portal.reports.rules import Problem, validate_report
from portal.text import atomic_write

__all__ = [
    "CONFUSABLE",
    "FURNITURE_LABELS",
    "FURNITURE_WORDS",
    "KINDS",
    "METADATA_FIELDS",
    "PAGE_END",
    "Entry",
    "Gap",
    "ImportResult",
    "Line",
    "Metadata",
    "Outline",
    "OutlineError",
    "Placer",
    "SourceError",
    "WriteRefused",
    "build_body",
    "ends_page",
    "find_labels",
    "find_outline",
    "format_number",
    "guess_kind",
    "import_report",
    "is_furniture",
    "is_suspect_number",
    "place_numbers",
    "read_source",
    "render_markdown",
    "with_numbering",
    "write_import",
]


@dataclass
class ImportResult:
    """What an import produced: the report (None when its tables could not be read as a whole,
    some cells left empty when only they are uncertain) and its text."""

    report: Report | None
    title: str
    body: str
    unplaced: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    slug: str | None = None
    # Cells whose values were worked out from digits written together: staff check them.
    inferred: list[str] = field(default_factory=list)
    # True when the source's structure (its file, title or sections) was not recognised, so
    # no cell was even looked for.
    structural: bool = False
    # Labels written with look-alike characters (申清 for 申请), read as the label: staff check.
    read_as: list[str] = field(default_factory=list)
    # What the report's own metadata table gave, under the content model's keys.
    metadata: dict[str, object] = field(default_factory=dict)
    # Cells left empty (null) because their values cannot be told for certain: staff fill them.
    gaps: list[Gap] = field(default_factory=list)
    # Values that belong to no cell, written nowhere: staff check the source.
    unused: list[str] = field(default_factory=list)

    @property
    def left_empty(self) -> list[str]:
        """Each gap: why, and the cells left empty for staff, one line each."""
        return [gap.describe() for gap in self.gaps]

    @property
    def empty_cells(self) -> list[str]:
        """The keys of the cells left empty (``table2.normative.issued``), in order."""
        return [key for gap in self.gaps for key in gap.cells()] if self.report else []

    @property
    def refusal(self) -> str:
        """Why nothing was imported, in one line for the command's last word."""
        if self.structural:
            return "the report's structure was not recognised (see the reason above)"
        count = len(self.unplaced)
        return f"{count} problem{'s' if count != 1 else ''} with the tables (listed above)"

    @property
    def markdown(self) -> str:
        """The content file: front matter (no invented metadata) and the body with table markers;
        with cells left empty, a draft waiting for review (``review: []``)."""
        return render_markdown(
            self.title, self.body, self.slug, self.metadata, in_review=bool(self.gaps)
        )


def import_report(
    source: str | bytes, kind: Kind | None = None, slug: str | None = None
) -> ImportResult:
    """Read a published report: its tables and content file, or what could not be placed."""
    try:
        lines = read_source(source, kind)
    except SourceError as error:
        return ImportResult(None, "", "", unplaced=[str(error)], slug=slug, structural=True)
    try:
        outline = find_outline(lines)
    except OutlineError as error:
        return ImportResult(
            None, error.title, "", unplaced=[error.message], slug=slug, structural=True
        )
    entries = {number: find_labels(number, region) for number, region in outline.tables.items()}
    placed = place_numbers(entries, stated_figures(outline.prose()))
    body = build_body(outline, placed.footnotes)
    report = None
    problems: list[Problem] = []
    if not placed.unplaced and not any(placed.tables.values()):
        placed.unplaced.append("表二、表三、表四中没有一个数值能确定位置，无法导入")
    if not placed.unplaced:
        tables = placed.tables
        for gap in placed.gaps:
            tables[gap.table].setdefault(gap.row, {}).update(dict.fromkeys(gap.columns))
        report = Report(outline.organisation, outline.year, tables[2], tables[3], tables[4])
        # A cell left empty is named with its reason; R7's 缺少数值 would only say it again.
        problems = [
            problem
            for problem in validate_report(report, body)
            if not (problem.rule == "R7" and _is_empty(report, problem))
        ]
    return ImportResult(
        report,
        outline.title,
        body,
        unplaced=placed.unplaced,
        problems=problems,
        notes=placed.notes + outline.notes,
        slug=slug,
        inferred=placed.inferred,
        read_as=_read_as(entries),
        metadata=dict(outline.metadata.fields),
        gaps=placed.gaps,
        unused=placed.unused,
    )


def _is_empty(report: Report, problem: Problem) -> bool:
    """Whether an R7 problem is about a cell with no value."""
    values = dict((cell.key, value) for cell, value in report.cells())
    return all(values.get(key, 0) is None for key in problem.cells)


def _read_as(entries: dict[int, list[Entry]]) -> list[str]:
    """What was read as what, for each label written with look-alike characters."""
    names = {2: "表二", 3: "表三", 4: "表四"}
    return [
        f"{names[number]}{f'（原文第 {entry.line} 行）' if entry.line else ''}：“{entry.text}”中"
        f"{entry.read_as}（字形相近，请核对原件）"
        for number, table in entries.items()
        for entry in table
        if entry.read_as
    ]


class WriteRefused(ValueError):
    """An import that must not be written where it was asked to go, and why."""


def write_import(result: ImportResult, content_dir: Path, slug: str) -> list[Path]:
    """Write ``<slug>.md`` and ``<slug>.report.yml``; keep the front matter of an existing file.

    A report with cells left empty is written as a draft waiting for review (``review: []``),
    which no stage approves until they are filled; it never replaces a report outside the review
    workflow (a published one): WriteRefused, nothing written."""
    if result.report is None:
        raise WriteRefused("导入未完成（有数值无法放置），不写入文件")
    document = content_dir / f"{slug}.md"
    data = content_dir / f"{slug}.report.yml"
    existing = document.read_text("utf-8") if document.exists() else None
    if result.gaps and existing is not None and not in_review(existing):
        raise WriteRefused(
            f"{document} is not in the review workflow (it may be published): an import with "
            "cells left empty does not replace it; import into a new --slug, or fill in the "
            "cells by hand"
        )
    content_dir.mkdir(parents=True, exist_ok=True)
    markdown = content_file(
        result.title, result.body, slug, existing, result.metadata, in_review=bool(result.gaps)
    )
    # Each file is written beside its target and renamed over it, so a failure halfway never
    # leaves a published report truncated.
    atomic_write(data, report_to_yaml(result.report))
    atomic_write(document, markdown)
    return [document, data]
