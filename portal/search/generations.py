"""Index generations: written beside the live one, verified, then switched to atomically.

``index_root`` holds generation folders (``gen-*``) and a ``current`` symlink to the live one.
A build or an update writes a new generation (an update starts from hard links to the live
generation's files, which the engine never rewrites), verifies it, fsyncs it, and replaces the
symlink atomically. A failed or killed build leaves the live index untouched; the next build
deletes its leftovers. The previous generation is kept for searchers that have not reopened
yet; older ones are deleted. An ``fcntl.flock`` on ``index_root/build.lock`` keeps builds and
updates from running at once. Requests only ever read. No Whoosh: these are files and folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from portal.search.types import IndexLocked, IndexUnavailable

# Bump when the schema, the analysis or the block layout changes: older indexes are then
# reported unavailable (and rebuilt) instead of silently answering with different tokens.
# 6: blocks of 1,024 postings pickled with the current protocol.
# 7: the codec, fields and tokenizer pickled from portal.search.whoosh_codec.
# 8: Chinese wholes and sub-words flagged (not atoms); keywords and refs stored; tails.
# 9: each document's organisation (发布机构), a facet and a stored field.
# 10: each document's validity (时效: in-force, amended, repealed, expired), a facet.
# 11: the text of attachments after the body (body_chars, file_names).
# 12: the pinyin of titles' and keywords' words, keywords whole, the 文号 as written.
# 13: the same words under each spelling with one character left out (edits); each document's
#     kind and body in English (english), a fifth text field: a position's field takes three
#     bits (fields.FIELD_SHIFT 29, analysis.NOT_ATOM 1 << 28).
FORMAT_VERSION = 13
META = "portal-index.json"
CURRENT = "current"
_LOCK = "build.lock"
_GEN_PREFIX = "gen-"
_TMP_PREFIX = "tmp-"


def live_generation(root: Path) -> Path | None:
    """The folder of the live generation, None if there is none."""
    try:
        name = os.readlink(root / CURRENT)
    except OSError:
        return None
    gen = root / name
    return gen if gen.is_dir() else None


def _read_meta(gen: Path) -> dict:
    with open(gen / META, encoding="utf-8") as f:
        meta = json.load(f)
    if not isinstance(meta, dict):
        raise ValueError("index metadata is not an object")
    return meta


def check_meta(gen: Path) -> dict:
    """A generation's metadata; IndexUnavailable if unreadable or of another format."""
    try:
        meta = _read_meta(gen)
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(f"search index metadata in {gen} is unreadable: {exc}") from exc
    if meta.get("format") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"search index in {gen} has format {meta.get('format')!r}, "
            f"this version needs {FORMAT_VERSION}; rebuild it"
        )
    return meta


def index_stamp(index_root: Path) -> float | None:
    """Return when the live index was built or last updated (epoch seconds), None if none."""
    gen = live_generation(Path(index_root))
    if gen is None:
        return None
    try:
        return float(_read_meta(gen)["written"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """Hold the build lock of ``root``; IndexLocked if a build or update holds it."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLocked(
                f"another build or update of the search index in {root} is running; "
                "wait for it to finish and try again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def new_dir(root: Path) -> Path:
    """A fresh folder for a generation being written; leftovers of killed runs go first."""
    # Only called under the write lock: leftovers of killed runs can be removed safely.
    for stale in root.glob(_TMP_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    path = root / f"{_TMP_PREFIX}{time.time_ns()}-{os.getpid()}"
    path.mkdir()
    return path


def link_copy(live: Path, tmp: Path) -> None:
    """Fill ``tmp`` with hard links to the live generation's files (copies where links fail)."""
    for entry in os.scandir(live):
        if entry.name == META or entry.name.endswith("LOCK"):
            continue
        try:
            os.link(entry.path, tmp / entry.name)
        except OSError:
            shutil.copy2(entry.path, tmp / entry.name)


def _fsync_tree(path: Path) -> None:
    for entry in os.scandir(path):
        if entry.is_file(follow_symlinks=False):
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(root: Path, tmp: Path, documents: int) -> None:
    """Make a finished, verified generation live atomically and drop old generations."""
    meta = {"format": FORMAT_VERSION, "written": time.time(), "documents": documents}
    with open(tmp / META, "w", encoding="utf-8") as f:
        json.dump(meta, f)
    _switch(root, tmp)


def copy_live(source_root: Path, target_root: Path) -> dict:
    """Copy the live generation of source_root into target_root and make it live there
    atomically (the other nodes' index folders, or a shared volume they read): the copy is
    written beside their live generation, verified and fsynced before the switch, so a node
    never opens a half-copied index. Returns the copied generation's metadata."""
    source_root, target_root = Path(source_root), Path(target_root)
    live = live_generation(source_root)
    if live is None:
        raise IndexUnavailable(f"there is no search index in {source_root} to publish")
    if target_root.resolve() == source_root.resolve():
        raise IndexUnavailable("the index would be published onto itself")
    meta = check_meta(live)
    with write_lock(target_root):
        tmp = new_dir(target_root)
        try:
            for entry in os.scandir(live):
                if entry.is_file(follow_symlinks=False) and not entry.name.endswith("LOCK"):
                    shutil.copy2(entry.path, tmp / entry.name)
            copied = check_meta(tmp)
        except (OSError, IndexUnavailable):  # the writer dropped this generation meanwhile
            copied = None
        if copied != meta or live_generation(source_root) != live:
            shutil.rmtree(tmp, ignore_errors=True)
            raise IndexLocked(
                f"the index in {source_root} changed while it was copied; publish it again"
            )
        _switch(target_root, tmp)
    return meta


def _switch(root: Path, tmp: Path) -> None:
    """Make a written generation folder the live one and drop all but it and the previous."""
    _fsync_tree(tmp)
    previous = live_generation(root)
    gen = root / f"{_GEN_PREFIX}{time.time_ns()}"
    os.rename(tmp, gen)
    link = root / f".{CURRENT}-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(gen.name, link)
    os.replace(link, root / CURRENT)
    _fsync_dir(root)
    keep = {gen.name, previous.name if previous else None}
    for old in root.glob(_GEN_PREFIX + "*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
