"""Writing an index generation: a full build or an update of a few documents.

Whoosh's public API only (schema, index, storage, writers' add/update/delete/commit); the
writers themselves come from the quarantine (whoosh_codec.py), the folders and the switch from
generations.py.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import columns
from whoosh import fields as wfields
from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage

from portal.search import generations
from portal.search.fields import doc_fields
from portal.search.types import IndexUnavailable, SearchDocument, SearchError
from portal.search.whoosh_codec import PoolMpWriter, PoolSegmentWriter, PositionsField, TextField

# Below this many documents a build stays in one process: forking writers costs more than it
# saves.
_PARALLEL_MIN_DOCS = 1000


def schema() -> wfields.Schema:
    """The index's fields (their values come from fields.doc_fields)."""
    return wfields.Schema(
        slug=wfields.ID(stored=True, unique=True),
        # Every text field is stored: highlighting reads title and body, and a phrase whose end
        # may be glued to a neighbouring word is looked for in the text (phrases.py).
        title=TextField(stored=True),
        body=TextField(stored=True),
        keywords=TextField(stored=True),
        refs=TextField(stored=True),
        english=TextField(stored=True),
        # Where the document's own text ends in body (attachments' text follows), and the
        # (title, offset) of each attachment in that text.
        body_chars=wfields.STORED,
        file_names=wfields.STORED,
        positions=PositionsField(),
        tails=wfields.ID,
        doc_no=wfields.ID,
        index_no=wfields.ID,
        reference=wfields.STORED,
        # fields.PINYIN's key:word terms, and each keyword whole (one a line).
        pinyin=wfields.KEYWORD(lowercase=False, scorable=False),
        # fields.EDITS's variant:word terms.
        edits=wfields.KEYWORD(lowercase=False, scorable=False),
        keyword=wfields.IDLIST(expression=re.compile("[^\n]+")),
        department=wfields.ID(stored=True),
        organisation=wfields.ID(stored=True),
        category=wfields.STORED,
        category_path=wfields.KEYWORD(lowercase=False, scorable=False),
        year=wfields.ID,
        five_openness=wfields.ID,
        validity=wfields.ID,
        date=wfields.STORED,
        # Sorting by date reads this column whole when a generation is opened.
        date_ordinal=wfields.COLUMN(columns.NumericColumn("i", default=0)),
        sample=wfields.STORED,
    )


def _open_plain(path: Path):
    # Without mmap: Whoosh wraps each mapped file of a compound segment in a BytesIO, which
    # copies it whole, and took seconds per open at 100,000 documents.
    return FileStorage(str(path), supports_mmap=False).open_index()


def _verify(path: Path, expected: int, slugs: Iterable[str] = (), gone: Iterable[str] = ()):
    ix = _open_plain(path)
    with ix.searcher() as s:
        if s.doc_count() != expected:
            raise SearchError(f"new index holds {s.doc_count()} documents, expected {expected}")
        for slug in slugs:
            if len(list(s.document_numbers(slug=slug))) != 1:
                raise SearchError(f"new index does not hold {slug!r} exactly once")
        for slug in gone:
            if s.document_number(slug=slug) is not None:
                raise SearchError(f"new index still holds removed {slug!r}")
        # Touch every segment's stored fields and a term: proves they are readable.
        for reader, _ in s.reader().leaf_readers():
            if reader.doc_count_all():
                reader.stored_fields(0)
                reader.stored_fields(reader.doc_count_all() - 1)
            list(itertools.islice(reader.lexicon("slug"), 1))
    ix.close()


def _stop_writer(writer) -> None:
    if isinstance(writer, PoolMpWriter):
        writer.stop_tasks()
    with contextlib.suppress(Exception):
        writer.cancel()


def build_index(
    index_root: Path, documents: Iterable[SearchDocument], *, procs: int | None = None
) -> None:
    """Write a complete new index from ``documents``, verify it and make it live atomically.

    ``procs`` is the number of writer processes; by default two when there are many documents
    and the machine has two cores. Raises IndexLocked if another build or update is running.
    """
    root = Path(index_root)
    with generations.write_lock(root):
        tmp = generations.new_dir(root)
        try:
            count = _write_all(tmp, iter(documents), procs)
            _verify(tmp, count)
            generations.publish(root, tmp, count)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _write_all(path: Path, documents: Iterator[SearchDocument], procs: int | None) -> int:
    ix = windex.create_in(str(path), schema())
    if procs is None:
        head = list(itertools.islice(documents, _PARALLEL_MIN_DOCS))
        many = len(head) == _PARALLEL_MIN_DOCS
        procs = min(2, os.cpu_count() or 1) if many else 1
        documents = itertools.chain(head, documents)
    # With several processes each keeps its own segment instead of merging them at the end:
    # half the build time, and searching a few segments costs little.
    writer = PoolMpWriter(ix, procs=procs, batchsize=200) if procs > 1 else PoolSegmentWriter(ix)
    slugs: set[str] = set()
    try:
        for doc in documents:
            if doc.slug in slugs:
                raise ValueError(f"duplicate document slug {doc.slug!r}")
            slugs.add(doc.slug)
            writer.add_document(**doc_fields(doc))
        writer.commit()
    except BaseException:
        _stop_writer(writer)
        raise
    finally:
        ix.close()
    return len(slugs)


def update_index(
    index_root: Path, changed: Iterable[SearchDocument], removed: Iterable[str] = ()
) -> None:
    """Add or replace ``changed`` documents and delete the ``removed`` slugs.

    Works on a copy of the live generation made of hard links (Whoosh never rewrites a file),
    so a crash leaves the live index as it was. Raises IndexUnavailable if there is no index
    to update and IndexLocked if a build or update is running.
    """
    root = Path(index_root)
    changed = list(changed)
    removed = [slug for slug in removed if slug not in {d.slug for d in changed}]
    with generations.write_lock(root):
        live = generations.live_generation(root)
        if live is None:
            raise IndexUnavailable(f"there is no search index in {root} to update; build one")
        generations.check_meta(live)
        tmp = generations.new_dir(root)
        try:
            generations.link_copy(live, tmp)
            ix = _open_plain(tmp)
            try:
                with ix.searcher() as s:
                    before = s.doc_count()
                    present = {
                        slug
                        for slug in itertools.chain((d.slug for d in changed), removed)
                        if s.document_number(slug=slug) is not None
                    }
                writer = PoolSegmentWriter(ix)
                try:
                    for doc in changed:
                        writer.update_document(**doc_fields(doc))
                    for slug in removed:
                        writer.delete_by_term("slug", slug)
                    writer.commit()
                except BaseException:
                    writer.cancel()
                    raise
            finally:
                ix.close()
            slugs = {d.slug for d in changed}
            expected = before + len(slugs - present) - len(present & set(removed))
            _verify(tmp, expected, slugs, removed)
            generations.publish(root, tmp, expected)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
