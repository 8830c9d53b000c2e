"""The catalogue of a content folder, kept in step with its files.

A CatalogueStore is built once per process and, in a background thread, re-reads only the
content files that changed, so editors see their change within a second or two without a
restart, and no visitor's request ever waits for a file to be parsed.
"""

import contextlib
import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from portal.catalogue.content import content_files, parse_file, shown_path
from portal.catalogue.document import Document, Problem
from portal.catalogue.last_good import LastGood, file_stamp
from portal.catalogue.listing import Catalogue, build_catalogue
from portal.catalogue.organisations import Organisation, implicit, read_organisations

log = logging.getLogger(__name__)


def load_catalogue(
    content_dir: Path, last_good: Path | None = None, site: Organisation | None = None
) -> Catalogue:
    """Read every content file afresh (what `portal check` and `portal index` do); with the
    folder of last good versions, a broken published file is replaced by its last good one
    (read only: these commands never write snapshots). site is as for CatalogueStore, from
    the settings when not given."""
    snapshots = LastGood(last_good, content_dir, writable=False) if last_good else None
    return CatalogueStore(
        content_dir, last_good=snapshots, log_problems=False, site=site or site_organisation()
    ).refresh()


def site_organisation(config=None) -> Organisation:
    """The body that content naming none belongs to, as the settings (or config) describe it:
    DEFAULT_ORGANISATION's id, and, for a site without organisation files, SITE_NAME."""
    from portal import settings

    def value(name: str):
        return config[name] if config is not None else settings.value(name)

    # No 索引号 code: a single-body site keeps whatever codes its documents already carry.
    return implicit(value("DEFAULT_ORGANISATION"), value("SITE_NAME"), value("SITE_NAME_EN"), "")


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

    def __init__(
        self,
        content_dir: Path,
        interval: float = 1.0,
        last_good: LastGood | None = None,
        log_problems: bool = True,
        site: Organisation | None = None,
    ):
        """site: the body of content that names none (its id), and the whole site when the
        content folder has no organisation files."""
        self.content_dir = Path(content_dir)
        self.site = site or implicit("site", "site", "site", "")
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
            thread = threading.Thread(
                target=self._refresh_in_background, name="catalogue-refresh", daemon=True
            )
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
                    document, problems = parse_file(path, self.content_dir, self.site.id)
                except OSError as error:  # removed or unreadable since it was listed
                    document = None
                    problems = [
                        Problem(
                            shown_path(path, self.content_dir),
                            1,
                            f"cannot be read: {error.strerror}",
                        )
                    ]
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
        organisations, organisation_problems = read_organisations(
            self.content_dir,
            self.site.id,
            self.site,
            self._catalogue.organisations if self._catalogue is not None else None,
        )
        for problem in organisation_problems if self.log_problems else ():
            log.warning("%s", problem)
        catalogue = build_catalogue(parsed, self.content_dir, version, organisations)
        catalogue.problems[:0] = organisation_problems
        return catalogue

    def _last_good_of(
        self, path: Path, problems: list[Problem]
    ) -> tuple[Document | None, list[Problem]]:
        """The last good version of a broken file, with a note saying it is being served."""
        found = self.last_good.recall(path, self.site.id)
        if found is None:
            return None, problems
        document, saved = found
        if not document.covered_files_unchanged():
            # Its files are served from the snapshot, which links the published ones: once one
            # is not the file its approvals cover, the last good version is withdrawn too.
            self.last_good.drop(path)
            return None, [
                *problems,
                Problem(
                    shown_path(path, self.content_dir),
                    1,
                    "the last good version is withdrawn: a "
                    "file published with it changed after approval",
                ),
            ]
        line = min((p.line for p in problems if p.severity == "error"), default=1)
        when = f" (saved {saved})" if saved else ""
        note = Problem(
            shown_path(path, self.content_dir),
            line,
            f"the site serves the last good version of this document{when} until "
            "this file is fixed",
            "warning",
        )
        return document, [*problems, note]


def _reset_after_fork() -> None:
    for store in list(_STORES):
        store._forked()


os.register_at_fork(after_in_child=_reset_after_fork)
