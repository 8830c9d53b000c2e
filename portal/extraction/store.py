"""The text of attachments, extracted once per content hash and kept on disk.

``TextStore.ensure`` extracts a file it has not seen (in a child process, bounded) and keeps the
result under the SHA-256 of its bytes, so a file published twice, renamed or moved is read once.
``TextStore.get`` only reads what is kept: it is what a web page may call, never extracting.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from portal.extraction.model import Extract, Limits
from portal.extraction.worker import extract_bounded, from_json
from portal.filetypes import EXTRACTED_TYPES

FORMAT = 1  # of the kept files: a kept result of another format is extracted again
# The folder of kept texts beside the search index (its parent is SEARCH_INDEX_DIR).
TEXT_FOLDER = "attachment-text"
KINDS = EXTRACTED_TYPES
# Attachments get tighter bounds than a report staff import by hand.
ATTACHMENT_LIMITS = Limits(max_pages=200, max_chars=1_000_000, max_seconds=20.0)


# Results this process extracted, by content hash: another store (another index folder) of the
# same process keeps them without extracting again.
_MEMO: OrderedDict[tuple[str, Limits], dict] = OrderedDict()
_MEMO_LOCK = threading.Lock()


@dataclass(frozen=True)
class StoredText:
    """What extraction made of one file: its text, or why there is none."""

    kind: str
    document: Extract | None  # None when the file could not be read
    error: str = ""

    @property
    def text(self) -> str:
        """The plain text ('' when there is none)."""
        return self.document.text if self.document is not None else ""

    @property
    def has_text(self) -> bool:
        """Whether the file gave any text (a scanned PDF gives none)."""
        return bool(self.text.strip())


def kind_of(name: str) -> str | None:
    """The kind of extraction a file name calls for, None for a file without text to read."""
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix if suffix in KINDS else None


class TextStore:
    """Extracted texts kept in ``folder``, one JSON file per content hash."""

    def __init__(self, folder: Path, limits: Limits = ATTACHMENT_LIMITS) -> None:
        self.folder = Path(folder)
        self.limits = limits
        self._lock = threading.Lock()
        self._digests: OrderedDict[tuple, str] = OrderedDict()

    def digest(self, path: Path) -> str | None:
        """The SHA-256 of the file's bytes (None when it cannot be read), remembered by its
        stamp so an unchanged file is hashed once per process."""
        try:
            stat = path.stat()
        except OSError:
            return None
        stamp = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        with self._lock:
            if stamp in self._digests:
                self._digests.move_to_end(stamp)
                return self._digests[stamp]
        hasher = hashlib.sha256()
        try:
            with path.open("rb") as file:
                while chunk := file.read(1 << 20):
                    hasher.update(chunk)
        except OSError:
            return None
        with self._lock:
            self._digests[stamp] = hasher.hexdigest()
            while len(self._digests) > 4096:
                self._digests.popitem(last=False)
        return hasher.hexdigest()

    def _file(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.json"

    def get(self, path: Path) -> StoredText | None:
        """The kept text of the file, None when it was never extracted. Never extracts."""
        kind = kind_of(path.name)
        digest = self.digest(path) if kind else None
        if digest is None:
            return None
        try:
            data = json.loads(self._file(digest).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        if data.get("error"):
            return StoredText(kind, None, str(data["error"]))
        try:
            return StoredText(kind, from_json(data))
        except (KeyError, TypeError, ValueError):
            return None

    def ensure(self, path: Path) -> StoredText | None:
        """The text of the file, extracted now if it never was; None for a file of no kind
        that has text, or that cannot be read at all."""
        kind = kind_of(path.name)
        if kind is None:
            return None
        if (kept := self.get(path)) is not None:
            return kept
        digest = self.digest(path)
        if digest is None:
            return None
        with _MEMO_LOCK:
            data = _MEMO.get((digest, self.limits))
        if data is None:
            data = {"format": FORMAT, "kind": kind, **extract_bounded(path, kind, self.limits)}
            with _MEMO_LOCK:
                _MEMO[(digest, self.limits)] = data
                while len(_MEMO) > 64:
                    _MEMO.popitem(last=False)
        target = self._file(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Workers may extract the same file at once: each writes its own temporary file and
        # renames it into place, so a reader sees one whole result or none.
        temporary = target.with_name(f".{digest}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        os.replace(temporary, target)
        return self.get(path)
