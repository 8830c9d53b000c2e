"""Keeping the search index in step with the catalogue: what to index for each document, when
the index is stale, and building or updating it. Requests never call this: the `portal index`
command and the start of `portal serve` do, and in a running site an IndexKeeper brings the
index in step with each new catalogue from a background thread.

The manifest beside the index records the content folder it was built from and a fingerprint
of every indexed document. An flock on ``indexing.lock`` covers reading it, writing the index
and writing it back, so two processes can never leave a manifest that disagrees with the index.

The only module of the search package that knows the catalogue. No Flask: a site starts its
IndexKeeper in portal/wiring/search.py.
"""

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import threading
import time
import weakref
from pathlib import Path

from babel.messages.pofile import read_po

from portal.catalogue import Catalogue, Document, Organisations, load_catalogue
from portal.extraction import TEXT_FOLDER, TextStore
from portal.search.build import build_index, update_index
from portal.search.searcher import Searcher
from portal.search.types import IndexLocked, IndexUnavailable, SearchDocument
from portal.text import atomic_write

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LOCK = "indexing.lock"
# The English of the portal's messages, read from its source (the compiled file may not be
# there yet when an index is built): the categories' English names.
ENGLISH = Path(__file__).resolve().parent.parent / "translations/en/LC_MESSAGES/messages.po"


@functools.cache
def _english() -> dict[str, str]:
    """Each message of the portal with its English, as the English pages show it."""
    try:
        with ENGLISH.open("rb") as source:
            catalogue = read_po(source)
    except OSError:
        log.warning("no English messages in %s: English words find no category", ENGLISH)
        return {}
    return {m.id: m.string for m in catalogue if isinstance(m.id, str) and m.string}


def english_of(document: Document, organisations: Organisations | None = None) -> str:
    """What a document is and who publishes it in English: its category path's English names
    and its organisation's."""
    names = [_english().get(node.name, "") for node in document.category.path()]
    body = organisations.get(document.organisation) if organisations is not None else None
    if body is not None:
        names.append(body.name_en)
    return " ".join(n for n in names if n)


def search_document(
    document: Document, texts: TextStore | None = None, organisations: Organisations | None = None
) -> SearchDocument:
    """The plain-text form of a document that the search engine indexes; with ``texts``, the
    text of its attachments too (extracted now, in a child process, if it never was); with
    ``organisations``, its body's English name among its English words."""
    attachments = []
    for attachment in document.attachments if texts is not None else ():
        kept = texts.ensure(attachment.path)
        if kept is not None and kept.has_text:
            attachments.append((attachment.title, kept.text))
    return SearchDocument(
        attachments=tuple(attachments),
        slug=document.slug,
        title=document.title,
        body=document.text,
        keywords=document.keywords,
        doc_no=document.doc_no,
        index_no=document.index_no,
        department=document.department,
        organisation=document.organisation,
        category=document.category.slug,
        category_path=tuple(node.slug for node in document.category.path()),
        five_openness=document.five_openness_slug,
        date=document.date,
        sample=document.sample,
        validity=document.validity.slug if document.validity else "",
        english=english_of(document, organisations),
    )


def _search_documents(catalogue: Catalogue, texts: TextStore) -> dict[str, SearchDocument]:
    """Every document of the catalogue as indexed, by slug."""
    return {d.slug: search_document(d, texts, catalogue.organisations) for d in catalogue.documents}


def attachment_texts(index_dir: Path) -> TextStore:
    """The texts of attachments, kept beside the index they are indexed in."""
    return TextStore(Path(index_dir) / TEXT_FOLDER)


def fingerprint(document: SearchDocument) -> str:
    """A hash of everything indexed about a document, to tell whether it changed."""
    return hashlib.sha256(repr(document).encode()).hexdigest()[:20]


def _read_manifest(index_dir: Path) -> tuple[str | None, dict[str, str]]:
    """(the content folder the index was built from, {slug: fingerprint})."""
    try:
        data = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, {}
    if not isinstance(data, dict):
        return None, {}
    if isinstance(data.get("documents"), dict):
        return data.get("content"), data["documents"]
    return None, data  # written before the content folder was recorded


def _write_manifest(index_dir: Path, content: str, documents: dict[str, str]) -> None:
    # Written after the index itself, through a temporary file: a crash leaves either the old
    # manifest (the next run simply re-indexes those documents) or the new one, never half.
    atomic_write(
        index_dir / MANIFEST,
        json.dumps(
            {"content": content, "documents": documents}, ensure_ascii=False, sort_keys=True
        ),
    )


def _source(content_dir: Path) -> str:
    return str(Path(content_dir).resolve())


@contextlib.contextmanager
def _indexing(index_dir: Path, wait: bool):
    """Hold the indexing lock; without wait, IndexLocked if another process holds it."""
    descriptor = os.open(index_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexLocked(
                f"the search index in {index_dir} is being updated by another process"
            ) from None
        yield
    finally:
        os.close(descriptor)


def _usable(index_dir: Path) -> bool:
    """Whether the live index opens and answers (not missing, broken or of an older format)."""
    try:
        searcher = Searcher(index_dir)
    except IndexUnavailable:
        return False
    try:
        searcher.search("", per_page=1)
        return True
    except IndexUnavailable:
        return False
    finally:
        searcher.close()


def _differences(
    documents: dict[str, SearchDocument], wanted: dict[str, str], indexed: dict[str, str]
) -> tuple[list[SearchDocument], list[str]]:
    """The documents to add or replace and the slugs to remove."""
    changed = [documents[slug] for slug, print_ in wanted.items() if indexed.get(slug) != print_]
    removed = [slug for slug in indexed if slug not in wanted]
    return changed, removed


def index_catalogue(
    catalogue: Catalogue, index_dir: Path, full: bool = False, content_dir: Path | None = None
) -> str:
    """Bring the index in step with the catalogue read from content_dir; return what was done,
    for people to read.

    Only the documents that changed are re-indexed unless the index is missing or full is set.
    Waits while a running site is updating the index.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    texts = attachment_texts(index_dir)
    documents = _search_documents(catalogue, texts)
    wanted = {slug: fingerprint(doc) for slug, doc in documents.items()}
    source = _source(content_dir) if content_dir is not None else ""
    with _indexing(index_dir, wait=True):
        _built_from, indexed = _read_manifest(index_dir)
        if full or not indexed or not _usable(index_dir):
            build_index(index_dir, documents.values())
            _write_manifest(index_dir, source, wanted)
            return f"built the search index of {len(documents)} documents"
        changed, removed = _differences(documents, wanted, indexed)
        if changed or removed:
            update_index(index_dir, changed, removed)
        _write_manifest(index_dir, source, wanted)
    return f"updated {len(changed)} and removed {len(removed)} of {len(documents)} documents"


def index_content(
    content_dir: Path, index_dir: Path, full: bool = False, last_good: Path | None = None
) -> str:
    """Read the content folder (with the last good versions of broken published files, when
    their folder is given) and bring the index in step with it."""
    return index_catalogue(
        load_catalogue(content_dir, last_good), index_dir, full=full, content_dir=content_dir
    )


def keep_in_step(catalogue: Catalogue, index_dir: Path, content_dir: Path) -> str:
    """Update the index built from content_dir to match catalogue; never build one.

    An index built from another content folder, or by a version that did not record it, is
    left alone (`portal index` or `portal serve` claims it). IndexLocked when another process
    is writing the index.
    """
    source = _source(content_dir)
    if _read_manifest(index_dir)[0] != source:
        return "left the search index alone: it was not built from this content folder"
    texts = attachment_texts(index_dir)
    documents = _search_documents(catalogue, texts)
    wanted = {slug: fingerprint(doc) for slug, doc in documents.items()}
    with _indexing(index_dir, wait=False):
        built_from, indexed = _read_manifest(index_dir)
        if built_from != source:
            return "left the search index alone: it was not built from this content folder"
        changed, removed = _differences(documents, wanted, indexed)
        if not (changed or removed):
            return "the search index is in step"
        update_index(index_dir, changed, removed)
        _write_manifest(index_dir, source, wanted)
    return f"updated {len(changed)} and removed {len(removed)} of {len(documents)} documents"


# Keepers of this process, so a forked worker can reset their threads (see after_fork).
_KEEPERS: "weakref.WeakSet[IndexKeeper]" = weakref.WeakSet()


class IndexKeeper:
    """Brings the search index in step with each new catalogue of a running site, from a
    background thread, within seconds of the change.

    Every worker has one; the indexing lock lets one process write at a time, and a worker
    that finds it held tries again a moment later, when it usually finds the index in step.
    Until then search leaves out what the catalogue no longer publishes (views.search).
    """

    def __init__(self, index_dir: Path, content_dir: Path, retry: float = 1.0):
        self.index_dir = Path(index_dir)
        self.content_dir = Path(content_dir)
        self.retry = retry
        self.after_fork()
        _KEEPERS.add(self)

    def after_fork(self) -> None:
        """Start from no thread and nothing wanted: a new keeper's state, and a forked worker's
        (the parent's thread does not exist there)."""
        self._lock = threading.Lock()
        self._wanted: Catalogue | None = None
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def catalogue_changed(self, catalogue: Catalogue) -> None:
        """Bring the index in step with catalogue, soon, off the calling thread."""
        with self._lock:
            self._wanted = catalogue
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="index-keeper", daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the index is in step with the last catalogue given (or given up on)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                catalogue, self._wanted = self._wanted, None
                if catalogue is None:
                    self._thread = None
                    self._idle.set()
                    return
            try:
                if self.index_dir.is_dir():
                    log.info("%s", keep_in_step(catalogue, self.index_dir, self.content_dir))
            except IndexLocked:
                with self._lock:
                    self._wanted = self._wanted or catalogue
                time.sleep(self.retry)
            except Exception:  # search keeps leaving withdrawn documents out; the next change
                log.exception("bringing the search index in step with the content failed")


def _reset_after_fork() -> None:
    for keeper in list(_KEEPERS):
        keeper.after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)
