"""The published documents and the ways to find them: by slug, category, department, year and
五公开, with counts, ordering and pagination.

A CatalogueStore is built once per process and, in a background thread, re-reads only the
content files whose mtime changed, so editors see their change within a second or two without a
restart, and no visitor's request ever waits for a file to be parsed.
"""

import contextlib
import hashlib
import logging
import math
import os
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, request

from portal import categories, reports
from portal.content import Document, Problem, content_files, parse_file
from portal.last_good import LastGood, file_stamp, snapshot_folder

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
        # One object per catalogue version: search caches its mask of live documents on it.
        self.slugs = frozenset(self.by_slug)
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
    """Assemble a catalogue from parsed files, reporting clashes between files.

    Each entry is (content file, document or None, problems); a document may come from a
    last good snapshot elsewhere, so messages name the content file, never document.path.
    Published documents claim their address and 索引号 before drafts do: a draft reusing a
    published document's file name is reported and never takes the published page down.
    """
    entries = [(path, document, file_problems) for path, document, file_problems in parsed]
    problems: list[Problem] = [p for _path, _document, found in entries for p in found]
    candidates = sorted(((path, d) for path, d, _found in entries if d is not None),
                        key=lambda entry: entry[1].waiting_for is not None)
    files = {id(document): path for path, document in candidates}
    published: dict[str, Document] = {}
    drafts: list[Document] = []
    addresses: dict[str, Document] = {}
    index_numbers: dict[str, Document] = {}
    for path, document in candidates:
        shown = _shown(path, root)
        if document.slug in addresses:
            other = _shown(files[id(addresses[document.slug])], root)
            problems.append(Problem(shown, 1, f"the file name '{document.slug}' is already used "
                                              f"by {other}: the address must be unique"))
            continue
        if document.index_no and document.index_no in index_numbers:
            other = _shown(files[id(index_numbers[document.index_no])], root)
            problems.append(Problem(shown, 1, f"index_no {document.index_no} is already used by "
                                              f"{other}: 索引号 must be unique"))
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
            problems.append(Problem(_shown(files[id(document)], root), 1,
                                    f"interprets: no published document '{document.interprets}'"))
    series_problems: dict[str, list[reports.Problem]] = {}
    with_reports = {id(d.report): d for d in published.values() if d.report is not None}
    for report, problem in reports.validate_series([d.report for d in with_reports.values()]):
        document = with_reports[id(report)]
        series_problems.setdefault(document.slug, []).append(problem)
        data_file = files[id(document)].parent / document.report_path.name
        problems.append(Problem(_shown(data_file, root), problem.line or 1,
                                f"{problem.rule} {problem.message}", problem.severity))
    return Catalogue(newest_first(published.values()), problems, version, series_problems,
                     drafts)


def _shown(path: Path, root: Path) -> Path:
    """path as messages show it: relative to the content folder when it is inside it."""
    return path.relative_to(root) if path.is_relative_to(root) else path


def load_catalogue(content_dir: Path, last_good: Path | None = None) -> Catalogue:
    """Read every content file afresh (what `portal check` and `portal index` do); with the
    folder of last good versions, a broken published file is replaced by its last good one
    (read only: these commands never write snapshots)."""
    snapshots = LastGood(last_good, content_dir, writable=False) if last_good else None
    return CatalogueStore(content_dir, last_good=snapshots, log_problems=False).refresh()


def _version(content_dir: Path) -> str:
    """A short fingerprint of every file under content_dir: names, sizes, modification times."""
    digest = hashlib.sha256()
    for path in sorted(content_dir.rglob("*")) if content_dir.is_dir() else ():
        with contextlib.suppress(OSError):
            if path.is_file():
                digest.update(f"{path}\0{_stamp(path)}\n".encode())
    return digest.hexdigest()[:16]


def _stamp(path: Path) -> tuple[int, ...] | None:
    """The file's file_stamp, None when it cannot be read."""
    try:
        return file_stamp(path)
    except OSError:
        return None


def _signature(document: Document | None, path: Path) -> tuple:
    """What a parsed file depends on: the file itself and every file published with it (a
    missing one makes the file broken; the approvals of a document in review cover their
    bytes)."""
    paths = [path, *(document.published_files if document else ())]
    return tuple((p, _stamp(p)) for p in paths)


# Stores of this process, so a forked worker can reset their locks and threads (see _forked).
_STORES: "weakref.WeakSet[CatalogueStore]" = weakref.WeakSet()


class CatalogueStore:
    """The process's catalogue, kept in step with the content files off the request path.

    Requests only ever read the current catalogue. Once it is older than the interval, a
    background thread re-reads the files that changed (parsing outside any lock a request
    takes) and swaps the new catalogue in; requests keep the previous one meanwhile, so a
    hostile or huge file never stalls a visitor. A published document whose file breaks keeps
    its last good version (see portal.last_good), so a typo never makes it vanish.
    """

    def __init__(self, content_dir: Path, interval: float = 1.0,
                 last_good: LastGood | None = None, log_problems: bool = True):
        self.content_dir = Path(content_dir)
        self.interval = interval
        self.last_good = last_good
        self.log_problems = log_problems
        self._files: dict[Path, tuple[tuple, Document | None, list[Problem]]] = {}
        self._catalogue: Catalogue | None = None
        self._checked = 0.0
        self._listeners: list[Callable[[Catalogue], None]] = []
        self._forked()
        _STORES.add(self)

    def _forked(self) -> None:
        # Also the state of a freshly forked worker: a lock held, or a thread running, in the
        # parent at fork time does not exist in the child.
        self._refreshing = threading.Lock()
        self._thread: threading.Thread | None = None

    def subscribe(self, listener: Callable[[Catalogue], None]) -> None:
        """Call listener (in the refreshing thread) with every catalogue that replaces one."""
        self._listeners.append(listener)

    def current(self) -> Catalogue:
        """The latest catalogue; starts a background refresh once it is older than interval.

        Only the very first catalogue, and every one with an interval of 0 (tests), is read
        in the calling thread.
        """
        catalogue = self._catalogue
        if catalogue is None or self.interval <= 0:
            return self.refresh()
        if time.monotonic() - self._checked > self.interval and self._thread is None:
            self._checked = time.monotonic()
            thread = threading.Thread(target=self._refresh_in_background,
                                      name="catalogue-refresh", daemon=True)
            self._thread = thread
            thread.start()
        return catalogue

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except Exception:  # the previous catalogue keeps serving; the next interval retries
            log.exception("re-reading the content files failed")
        finally:
            self._thread = None

    def refresh(self) -> Catalogue:
        """Bring the catalogue in step with the files now and return it (waits for a refresh
        already running)."""
        with self._refreshing:
            previous = self._catalogue
            version = _version(self.content_dir)
            if previous is not None and version == previous.version:
                self._checked = time.monotonic()
                return previous
            catalogue = self._read(version, first=previous is None)
            self._catalogue = catalogue
            self._checked = time.monotonic()
            if previous is not None:
                for listener in self._listeners:
                    listener(catalogue)
            return catalogue

    def _read(self, version: str, first: bool) -> Catalogue:
        files = content_files(self.content_dir) if self.content_dir.is_dir() else []
        parsed = []
        for path in files:
            cached = self._files.get(path)
            if cached and cached[0] == _signature(cached[1], path):
                document, problems = cached[1], cached[2]
            else:
                stamp = _stamp(path)
                try:
                    document, problems = parse_file(path, self.content_dir)
                except OSError as error:  # removed or unreadable since it was listed
                    document = None
                    problems = [Problem(_shown(path, self.content_dir), 1,
                                        f"cannot be read: {error.strerror}")]
                for problem in problems if self.log_problems else ():
                    log.warning("%s", problem)
                if stamp is not None and stamp == _stamp(path):
                    self._files[path] = (_signature(document, path), document, problems)
                    if self.last_good and document is not None:
                        if document.waiting_for is None:
                            self.last_good.save(path, document, stamp)
                        else:
                            self.last_good.drop(path)  # withdrawn: back in review
                else:
                    self._files.pop(path, None)  # changed while read: read it again next time
            if document is None and self.last_good:
                document, problems = self._last_good_of(path, problems)
            parsed.append((path, document, problems))
        for gone in set(self._files) - set(files):
            self._files.pop(gone, None)
            if self.last_good:
                self.last_good.drop(gone)
        if first and self.last_good:
            self.last_good.prune(files)
        return build_catalogue(parsed, self.content_dir, version)

    def _last_good_of(self, path: Path, problems: list[Problem]
                      ) -> tuple[Document | None, list[Problem]]:
        """The last good version of a broken file, with a note saying it is being served."""
        found = self.last_good.recall(path)
        if found is None:
            return None, problems
        document, saved = found
        if not document.covered_files_unchanged():
            # Its files are served from the snapshot, which links the published ones: once one
            # is not the file its approvals cover, the last good version is withdrawn too.
            self.last_good.drop(path)
            return None, [*problems, Problem(
                _shown(path, self.content_dir), 1, "the last good version is withdrawn: a "
                "file published with it changed after approval")]
        line = min((p.line for p in problems if p.severity == "error"), default=1)
        when = f" (saved {saved})" if saved else ""
        note = Problem(_shown(path, self.content_dir), line,
                       f"the site serves the last good version of this document{when} until "
                       "this file is fixed", "warning")
        return document, [*problems, note]


def _reset_after_fork() -> None:
    for store in list(_STORES):
        store._forked()


os.register_at_fork(after_in_child=_reset_after_fork)


def init_app(app: Flask) -> None:
    """Give the app its catalogue store (`portal serve` reads the first catalogue before it
    starts the workers; elsewhere the first request does)."""
    content_dir = Path(app.config["CONTENT_DIR"])
    snapshots = LastGood(snapshot_folder(app.config["LAST_GOOD_DIR"], content_dir), content_dir)
    app.extensions["portal.catalogue"] = CatalogueStore(content_dir, last_good=snapshots)
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
