"""The published documents and the ways to find them: by slug, category, department, year and
五公开, with counts, ordering and pagination.

A CatalogueStore is built once per process and re-reads only the content files whose mtime
changed, so editors see their change on the next request without a restart.
"""

import hashlib
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, request

from portal import categories, reports
from portal.content import Document, Problem, content_files, parse_file

log = logging.getLogger(__name__)

FILTER_KEYS = ("category", "department", "year", "five")


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

    def matches(self, document: Document, ignore: str = "") -> bool:
        """Whether the document passes every filter except the one named in ignore."""
        return (
            (ignore == "category" or self.category is None
             or self.category in document.category.path())
            and (ignore == "department" or not self.department
                 or document.department == self.department)
            and (ignore == "year" or self.year is None or document.year == self.year)
            and (ignore == "five" or not self.five or document.five_openness_slug == self.five)
        )

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()


@dataclass
class Page:
    """One page of a longer list."""

    items: Sequence
    number: int
    per_page: int
    total: int

    @property
    def count(self) -> int:
        """How many pages there are (at least one, even for an empty list)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None where a run of pages is left out."""
        shown = {1, self.count, *range(self.number - around, self.number + around + 1)}
        result: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.count):
            if result and number - (result[-1] or 0) > 1:
                result.append(None)
            result.append(number)
        return result


def paginate(items: Sequence, number: int, per_page: int) -> Page:
    """The given page of items; number must be within 1..page count (checked by the caller)."""
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], number, per_page, len(items))


@dataclass
class Catalogue:
    """Every published document, newest first, and the problems found while reading them."""

    documents: list[Document]
    problems: list[Problem] = field(default_factory=list)
    version: str = ""
    series_problems: dict[str, list[reports.Problem]] = field(default_factory=dict)
    drafts: list[Document] = field(default_factory=list)

    def __post_init__(self):
        self.by_slug = {document.slug: document for document in self.documents}
        self.annual_reports = [d for d in self.documents if d.report is not None]
        self.interpretations: dict[str, list[Document]] = {}
        for document in self.documents:
            if document.interprets:
                self.interpretations.setdefault(document.interprets, []).append(document)

    def report_problems(self, document: Document) -> list[reports.Problem]:
        """Every consistency problem of a report's tables, within the report and across years."""
        return list(document.report_problems) + self.series_problems.get(document.slug, [])

    def get(self, slug: str) -> Document | None:
        """The document with this slug, or None."""
        return self.by_slug.get(slug)

    def select(self, filters: Filters) -> list[Document]:
        """The documents that pass the filters, newest first."""
        return [document for document in self.documents if filters.matches(document)]

    def counts(self, filters: Filters) -> dict[str, Counter]:
        """For each filter, how many documents each of its values would give with the others."""
        result = {key: Counter() for key in FILTER_KEYS}
        for document in self.documents:
            if filters.matches(document, ignore="category"):
                result["category"].update(node.slug for node in document.category.path())
            if filters.matches(document, ignore="department") and document.department:
                result["department"][document.department] += 1
            if filters.matches(document, ignore="year") and document.year:
                result["year"][document.year] += 1
            if filters.matches(document, ignore="five") and document.five_openness_slug:
                result["five"][document.five_openness_slug] += 1
        return result

    def departments(self) -> list[str]:
        """Every department that has published something, in code-point order."""
        return sorted({d.department for d in self.documents if d.department})

    def years(self) -> list[int]:
        """Every year with a dated document, newest first."""
        return sorted({d.year for d in self.documents if d.year}, reverse=True)

    def neighbours(self, document: Document) -> tuple[Document | None, Document | None]:
        """The newer and the older document of the same category."""
        same = [d for d in self.documents if d.category is document.category]
        index = same.index(document)
        newer = same[index - 1] if index > 0 else None
        older = same[index + 1] if index + 1 < len(same) else None
        return newer, older


def build_catalogue(parsed: Iterable[tuple[Path, Document | None, list[Problem]]],
                    root: Path, version: str = "") -> Catalogue:
    """Assemble a catalogue from parsed files, reporting clashes between files."""
    problems: list[Problem] = []
    published: dict[str, Document] = {}
    drafts: list[Document] = []
    addresses: dict[str, Document] = {}
    index_numbers: dict[str, Document] = {}
    for _path, document, file_problems in parsed:
        problems.extend(file_problems)
        if document is None:
            continue
        shown = document.path.relative_to(root)
        if document.slug in addresses:
            other = addresses[document.slug]
            problems.append(Problem(shown, 1, f"the file name '{document.slug}' is already used "
                                              f"by {other.path.relative_to(root)}: the address "
                                              "must be unique"))
            continue
        if document.index_no and document.index_no in index_numbers:
            other = index_numbers[document.index_no]
            problems.append(Problem(shown, 1, f"index_no {document.index_no} is already used by "
                                              f"{other.path.relative_to(root)}: 索引号 must be "
                                              "unique"))
            continue
        addresses[document.slug] = document
        if document.index_no:
            index_numbers[document.index_no] = document
        if document.waiting_for is not None:
            drafts.append(document)  # never on the site until every stage has approved it
        else:
            published[document.slug] = document
    for document in published.values():
        if document.interprets and document.interprets not in published:
            problems.append(Problem(document.path.relative_to(root), 1,
                                    f"interprets: no published document '{document.interprets}'"))
    series_problems: dict[str, list[reports.Problem]] = {}
    with_reports = {id(d.report): d for d in published.values() if d.report is not None}
    for report, problem in reports.validate_series([d.report for d in with_reports.values()]):
        document = with_reports[id(report)]
        series_problems.setdefault(document.slug, []).append(problem)
        problems.append(Problem(document.report_path.relative_to(root), problem.line or 1,
                                f"{problem.rule} {problem.message}", problem.severity))
    return Catalogue(newest_first(published.values()), problems, version, series_problems,
                     drafts)


def load_catalogue(content_dir: Path) -> Catalogue:
    """Read every content file afresh (what `portal check` does)."""
    files = content_files(content_dir)
    parsed = [(path, *parse_file(path, content_dir)) for path in files]
    return build_catalogue(parsed, content_dir, _version(content_dir))


def _stamp(path: Path) -> tuple[int, ...]:
    """What changes whenever a file's bytes do. A file swapped for another can be given the old
    size and modification time, but not the old inode change time (or, replaced, inode)."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def _version(content_dir: Path) -> str:
    """A short fingerprint of every file under content_dir: names, sizes, modification times."""
    digest = hashlib.sha256()
    for path in sorted(content_dir.rglob("*")) if content_dir.is_dir() else ():
        if path.is_file():
            digest.update(f"{path}\0{_stamp(path)}\n".encode())
    return digest.hexdigest()[:16]


def _signature(document: Document | None, path: Path) -> tuple:
    """What a parsed file depends on: the file itself and every file published with it (the
    approvals of a document in review cover their bytes)."""
    paths = [path, *(document.published_files if document else ())]
    return tuple((p, _stamp(p)) for p in paths if p.exists())


class CatalogueStore:
    """The process's catalogue, refreshed from disk at most once per interval.

    A file that was published and then breaks keeps its last good version on the site (the
    problem is logged), so a typo never makes a published document vanish.
    """

    def __init__(self, content_dir: Path, interval: float = 1.0):
        self.content_dir = content_dir
        self.interval = interval
        self._lock = threading.Lock()
        self._files: dict[Path, tuple[tuple, Document | None, list[Problem]]] = {}
        self._last_good: dict[Path, Document] = {}
        self._catalogue: Catalogue | None = None
        self._checked = 0.0

    def current(self) -> Catalogue:
        """The catalogue as the content files are now (within the refresh interval)."""
        if self._catalogue is None or time.monotonic() - self._checked > self.interval:
            with self._lock:
                if self._catalogue is None or time.monotonic() - self._checked > self.interval:
                    self._refresh()
        return self._catalogue

    def _refresh(self) -> None:
        files = content_files(self.content_dir) if self.content_dir.is_dir() else []
        version = _version(self.content_dir)
        self._checked = time.monotonic()
        if self._catalogue is not None and version == self._catalogue.version:
            return
        parsed = []
        for path in files:
            cached = self._files.get(path)
            if cached and cached[0] == _signature(cached[1], path):
                document, problems = cached[1], cached[2]
            else:
                document, problems = parse_file(path, self.content_dir)
                self._files[path] = (_signature(document, path), document, problems)
                for problem in problems:
                    log.warning("%s", problem)
            if document is not None:
                self._last_good[path] = document
            else:
                document = self._last_good.get(path)
                # The last good version is kept from memory, but its files are served from
                # disk: once one of them is not the file its approvals cover, it is withdrawn.
                if document is not None and not document.covered_files_unchanged():
                    log.warning("%s: withdrawn: a file published with it changed after "
                                "approval", path.relative_to(self.content_dir))
                    del self._last_good[path]
                    document = None
            parsed.append((path, document, problems))
        for gone in set(self._files) - set(files):
            self._files.pop(gone, None)
            self._last_good.pop(gone, None)
        self._catalogue = build_catalogue(parsed, self.content_dir, version)


def init_app(app: Flask) -> None:
    """Give the app its catalogue store."""
    app.extensions["portal.catalogue"] = CatalogueStore(Path(app.config["CONTENT_DIR"]))
    app.jinja_env.globals["main_sections"] = categories.TREE
    app.jinja_env.globals["current_section"] = current_section
    app.jinja_env.globals["mode_labels"] = categories.MODE_LABELS


def current_section() -> str:
    """Slug of the main section (top-level category) whose page this is, or ''."""
    if request.endpoint == "catalogue.browse":
        slug = (request.view_args or {}).get("slug")
        if any(root.slug == slug for root in categories.TREE):
            return slug
    return ""


def current() -> Catalogue:
    """The catalogue of the running app."""
    return current_app.extensions["portal.catalogue"].current()
