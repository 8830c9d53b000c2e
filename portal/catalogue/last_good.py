"""The last good version of each published document, kept on disk.

When a published document's file breaks (it no longer parses or validates), the site keeps
serving the version it last published, in every worker, after a restart and in `portal index`,
until the file is fixed or withdrawn. Withdrawn is not broken: a deleted file, or one that
parses as a draft (sent back to review, approvals voided), drops its snapshot at once.

A snapshot is what the page needs, copied when the document is published: the content file,
its report data file and the attachments, videos, captions and transcripts it declares. Copies,
not hard links: a file overwritten in place would change its "snapshot" with it, and linking
would change the inode change time by which the catalogue notices a swapped file. It is read
back with the same parser and served only if it still parses as a published document. For a
document in the review workflow it is served only while the broken file is byte for byte the
file that was snapshotted (what broke is beside it, e.g. a data file): any edit of a reviewed
file voids its approvals, so such a file is withdrawn, never restored from an older copy.

Layout: ``<folder>/<key>/current`` is a symlink to ``<folder>/<key>/v-<time>/``, which holds
the files and ``snapshot.json``; ``key`` is a hash of the content file's path within the
content folder. A new version is written beside the old one and the link replaced atomically;
writers hold an flock on ``<folder>/.lock``.
"""

import contextlib
import datetime
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from portal.catalogue.content import parse_file
from portal.catalogue.document import Document

log = logging.getLogger(__name__)

_META = "snapshot.json"
_CURRENT = "current"
_REVIEW_KEY = re.compile(r"^review\s*:", re.MULTILINE)


def snapshot_folder(setting: str, content_dir: Path) -> Path:
    """The folder of snapshots: the LAST_GOOD_DIR setting, or data/last-good beside content."""
    return Path(setting) if setting else Path(content_dir).resolve().parent / "data" / "last-good"


class LastGood:
    """Snapshots of the published documents of one content folder.

    ``writable=False`` only reads them (`portal check` and `portal index` never write).
    """

    def __init__(self, folder: Path, content_dir: Path, writable: bool = True):
        self.folder = Path(folder)
        self.content_dir = Path(content_dir)
        self.writable = writable
        # Per key: the signature last snapshotted, and the snapshot last read back.
        self._saved: dict[str, tuple] = {}
        self._read: dict[str, tuple[str, Document | None]] = {}
        self._memory: dict[str, Document] = {}
        self._warned = False
        self._lock = threading.Lock()

    def _key(self, path: Path) -> str:
        relative = path.relative_to(self.content_dir).as_posix()
        return hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:24]

    def save(self, path: Path, document: Document, stamp: tuple[int, ...]) -> None:
        """Keep ``document``, published, as the last good version of ``path``, whose file_stamp
        was ``stamp`` when it was read."""
        key = self._key(path)
        self._memory[key] = document
        if not self.writable:
            return
        sources = _sources(path, document)
        signature = _signature(sources)
        if signature is None or (path.name, *stamp) not in signature:
            return  # changed since it was parsed: the next refresh reads it again
        if self._saved.get(key) == signature:
            return
        try:
            with self._writing():
                current = self.folder / key / _CURRENT
                if _read_meta(current).get("signature") == _jsonable(signature):
                    self._saved[key] = signature
                    return
                self._write(key, path, sources, signature)
                self._saved[key] = signature
        except OSError as error:
            self._warn(error)

    def _write(self, key: str, path: Path, sources: dict[str, Path], signature: tuple) -> None:
        home = self.folder / key
        home.mkdir(parents=True, exist_ok=True)
        stamp = time.time_ns()
        temporary = home / f"tmp-{stamp}-{os.getpid()}"
        temporary.mkdir()
        try:
            for name, source in sources.items():
                shutil.copy2(source, temporary / name)
            if _signature(sources) != signature:
                # The file changed while it was copied: the next refresh parses it again.
                raise _Changed
            meta = {
                "source": path.relative_to(self.content_dir).as_posix(),
                "file": path.name,
                "signature": _jsonable(signature),
                "saved": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            }
            (temporary / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            version = home / f"v-{stamp}"
            os.rename(temporary, version)
            _point(home, version.name)
        except _Changed:
            shutil.rmtree(temporary, ignore_errors=True)
            return
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _tidy(home)

    def drop(self, path: Path) -> None:
        """Forget the last good version of ``path``: the file was deleted or withdrawn."""
        key = self._key(path)
        self._memory.pop(key, None)
        self._saved.pop(key, None)
        self._read.pop(key, None)
        if not self.writable or not (self.folder / key).exists():
            return
        try:
            with self._writing():
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / key / _CURRENT).unlink()
                shutil.rmtree(self.folder / key, ignore_errors=True)
        except OSError as error:
            self._warn(error)

    def prune(self, existing: Iterable[Path]) -> None:
        """Drop the snapshots of content files that no longer exist."""
        if not self.writable or not self.folder.is_dir():
            return
        wanted = {self._key(path) for path in existing}
        try:
            with self._writing():
                for home in self.folder.iterdir():
                    if not home.is_dir() or home.name in wanted:
                        continue
                    source = _read_meta(home / _CURRENT).get("source")
                    # Another worker may have snapshotted a file created since our scan.
                    if not (source and (self.content_dir / source).is_file()):
                        shutil.rmtree(home, ignore_errors=True)
        except OSError as error:
            self._warn(error)

    def recall(self, path: Path, default_organisation: str = "") -> tuple[Document, str] | None:
        """The last good version of the broken file ``path`` and when it was saved, or None
        (a version naming no organisation belongs to default_organisation, as when read)."""
        key = self._key(path)
        current = self.folder / key / _CURRENT
        try:
            version = os.readlink(current)
        except OSError:
            version = ""
        if version:
            cached = self._read.get(key)
            if cached is None or cached[0] != version:
                cached = (version, self._parse(current, default_organisation))
                self._read[key] = cached
            document = cached[1]
            meta = _read_meta(current)
            saved = meta.get("saved", "")
            snapshot_text = _read_bytes(current / meta.get("file", path.name))
        else:
            # Nothing on disk (the folder is not writable): what this process last published.
            document, saved, snapshot_text = self._memory.get(key), "", None
        if document is None:
            return None
        reviewed = document.approvals is not None or _REVIEW_KEY.search(_read_text(path))
        # In the review workflow only a file unchanged since it was approved and published may
        # stand on its snapshot; anything else was withdrawn.
        if reviewed and (snapshot_text is None or _read_bytes(path) != snapshot_text):
            return None
        return document, saved

    def _parse(self, current: Path, default_organisation: str) -> Document | None:
        meta = _read_meta(current)
        file = current / meta.get("file", "")
        if not meta or not file.is_file():
            return None
        try:
            document, _problems = parse_file(
                file.resolve(), current.resolve(), default_organisation
            )
        except OSError:
            return None
        if document is None or document.waiting_for is not None:
            log.warning(
                "the last good version of %s no longer passes the check", meta.get("source")
            )
            return None
        return document

    @contextlib.contextmanager
    def _writing(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            descriptor = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                os.close(descriptor)

    def _warn(self, error: OSError) -> None:
        if not self._warned:
            self._warned = True
            log.error(
                "cannot keep last good versions in %s (%s); a broken document is "
                "kept only while this process runs",
                self.folder,
                error,
            )


class _Changed(Exception):
    """A source file changed while its snapshot was written."""


def _sources(path: Path, document: Document) -> dict[str, Path]:
    """Every file the document's page needs, by name."""
    return {path.name: path, **{file.name: file for file in document.published_files}}


def _signature(sources: dict[str, Path]) -> tuple | None:
    """(name, *file_stamp) of every source; None if one is missing."""
    try:
        return tuple((name, *file_stamp(source)) for name, source in sorted(sources.items()))
    except OSError:
        return None


def file_stamp(path: Path) -> tuple[int, ...]:
    """What changes whenever a file's bytes do (OSError when it cannot be read). A file swapped
    for another can be given the old size and modification time, but not the old inode change
    time (or, replaced, inode)."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


def _jsonable(signature: tuple) -> list:
    return [list(entry) for entry in signature]


def _read_meta(current: Path) -> dict:
    try:
        meta = json.loads((current / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _read_text(path: Path) -> str:
    return (_read_bytes(path) or b"").decode("utf-8", "replace")


def _point(home: Path, version: str) -> None:
    """Make ``home/current`` name ``version``, atomically."""
    link = home / f".{_CURRENT}-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(version, link)
    os.replace(link, home / _CURRENT)


def _tidy(home: Path) -> None:
    """Remove versions but the current one and the one before it (a reader may be in it)."""
    versions = sorted((p for p in home.glob("v-*")), key=lambda p: int(p.name[2:]))
    current = os.readlink(home / _CURRENT)
    for old in versions[:-2]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
