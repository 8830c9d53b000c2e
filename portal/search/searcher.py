"""Answering queries from the live index generation: hits, highlights and facet counts.

Whoosh's public API only (storage, index, searcher, leaf readers, stored fields, lexicons);
whole posting lists and columns come from whoosh_read.py. A :class:`Searcher` keeps one open
generation with its facet, date and field-length tables and reopens only when the ``current``
symlink changes.

Facets. Counts are taken over the whole matched set. The counts of one facet ignore that
facet's own filter but respect every other filter, so a visitor can widen a selection within a
facet ("disjunctive" facets). The category facet counts a document under every node of its
category path. Values are sorted by count, then by value.

Relaxing and exact references. If the AND of two or more parts finds nothing, the search is
relaxed to documents matching any part and ``Results.relaxed`` says so, because visitors often
type whole sentences. A query that is exactly a document's 文号 or 索引号 (ignoring spaces, width
and bracket style) puts that document first when sorting by relevance.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import itertools
import os
import pickle
import struct
import threading
import traceback
import warnings
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage

from portal.search import answering, generations, pinyin, postings, slips, suggestions
from portal.search.analysis import fold, normalize_ref
from portal.search.fields import EDITS, FACET_FIELDS, KEYWORD, PINYIN, POSITIONS, TEXT_FIELDS
from portal.search.generations import CURRENT
from portal.search.matching import K1, B
from portal.search.query import QUOTES
from portal.search.types import (
    ALL_FEATURES,
    FACETS,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    SCOPES,
    SORTS,
    Features,
    IndexUnavailable,
    QueryTooLong,
    Results,
    SearchError,
)
from portal.search.whoosh_read import (
    LENGTH_OF_CODE,
    length_codes,
    numeric_column,
    posting_ids,
    term_blocks,
)

# Terms remembered as missing from a field of a segment, at most.
_ABSENT_KEPT = 100_000
# Pinyin keys and edit variants remembered with their words per generation, at most.
_UNDER_KEPT = 20_000
# Results kept per generation and set of published documents: a repeated search costs a
# lookup (the latest used are kept).
RESULTS_KEPT = 512
# Errors that mean the index files are damaged rather than that this code is wrong.
_BROKEN = (OSError, EOFError, zlib.error, struct.error, pickle.UnpicklingError, windex.IndexError)


def _unavailable(message: str, exc: BaseException) -> IndexUnavailable:
    # Whoosh leaves the file of a damaged index open in the failing frames; clearing them
    # closes it now instead of warning about it whenever the traceback is collected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        traceback.clear_frames(exc.__traceback__)
        exc.__traceback__ = None
        gc.collect()
    return IndexUnavailable(f"{message}: {exc!r}")


@dataclass(frozen=True)
class _Facet:
    """One facet's values and every (document, value index) pair of the live documents."""

    values: list[str]
    owners: np.ndarray
    indexes: np.ndarray


class _Snapshot:
    """One open generation: a Whoosh searcher plus facet, date and length tables."""

    def __init__(self, gen: Path):
        generations.check_meta(gen)
        self.gen = gen
        # Plain reads, not mmap: the OS caches the files either way, and mapped pages would
        # count in the worker's RSS.
        self.ix = FileStorage(str(gen), supports_mmap=False, readonly=True).open_index()
        try:
            self.searcher = self.ix.searcher()
            self.leaves = self.searcher.reader().leaf_readers()
            self.readers = {offset: reader for reader, offset in self.leaves}
            self.offsets = list(self.readers)
            self.size = sum(reader.doc_count_all() for reader, _ in self.leaves)
            live = np.zeros(self.size, dtype=bool)
            for reader, offset in self.leaves:
                if reader.has_deletions():
                    ids = np.fromiter(reader.all_doc_ids(), dtype=np.intp)
                    live[offset + ids] = True
                else:
                    # Whoosh's all_doc_ids() asks about every document one at a time.
                    live[offset : offset + reader.doc_count_all()] = True
            self.live = live
            self.live_count = int(np.count_nonzero(live))
            self.facets = {facet: self._facet(name) for facet, name in FACET_FIELDS.items()}
            date_key = array("i")
            for reader, _ in self.leaves:
                date_key += numeric_column(reader, "date_ordinal", "i")
            # One int per docnum orders newest first, then by docnum; undated documents last.
            days = np.frombuffer(date_key, dtype=np.int32).astype(np.int64)
            self.days = days  # date ordinals, 0 where undated
            self.date_rank = (-days << 24) | np.arange(self.size, dtype=np.int64)
            self.norms: dict[str, np.ndarray] = {}
            for fieldname in TEXT_FIELDS:
                # BM25's length normalisation, precomputed for every document: lengths are
                # stored as one of 256 byte codes, so it is looked up per code.
                average = self.searcher.avg_field_length(fieldname) or 1.0
                table = np.array([K1 * ((1 - B) + B * n / average) for n in LENGTH_OF_CODE])
                codes = [length_codes(reader, fieldname) for reader, _ in self.leaves]
                joined = b"".join(c.tobytes() for c in codes)
                self.norms[fieldname] = table[np.frombuffer(joined, dtype=np.uint8)]
            self._absent: set[tuple[str, str, int]] = set()
            self._under: dict[tuple[str, str], list[tuple[str, int]]] = {}
            self._latin: list[str] | None = None
            self._plain: _View | None = None
            self._kept: tuple[AbstractSet[str], _View] | None = None
            self._slugs: list[tuple[object, int, list[str]]] | None = None
        except BaseException:
            self.close()
            raise

    def _facet(self, fieldname: str) -> _Facet:
        found: dict[str, list[np.ndarray]] = {}
        for reader, offset in self.leaves:
            for btext in reader.lexicon(fieldname):
                text = btext.decode("utf-8")
                ids = posting_ids(reader, fieldname, text).astype(np.intp) + offset
                found.setdefault(text, []).append(ids)
        values = sorted(found)
        owners = [np.concatenate(found[v]) for v in values]
        indexes = [np.full(len(o), i, dtype=np.intp) for i, o in enumerate(owners)]
        owners_all = np.concatenate(owners) if owners else np.zeros(0, dtype=np.intp)
        indexes_all = np.concatenate(indexes) if indexes else np.zeros(0, dtype=np.intp)
        keep = self.live[owners_all]
        return _Facet(values, owners_all[keep], indexes_all[keep])

    def close(self) -> None:
        """Release the generation's files."""
        with contextlib.suppress(Exception):
            self.searcher.close()
        with contextlib.suppress(Exception):
            self.ix.close()

    def empty(self) -> np.ndarray:
        """A mask of no documents."""
        return np.zeros(self.size, dtype=bool)

    def segment_blocks(self, term: str, fieldname: str, offset: int) -> list[postings.Block]:
        """The term's posting blocks in one field of the segment at ``offset``."""
        key = (term, fieldname, offset)
        if key in self._absent:
            return []
        blocks = term_blocks(self.readers[offset], fieldname, term)
        if not blocks:
            # A phrase looks up terms that most segments lack (an update's small segment
            # holds few): a lookup costs 25 µs, remembering it for this generation a set entry.
            if len(self._absent) >= _ABSENT_KEPT:
                self._absent.clear()
            self._absent.add(key)
        return blocks

    def terms_with_prefix(self, fieldname: str, offset: int, prefix: str) -> list[str]:
        """The terms of ``fieldname`` starting with ``prefix`` in the segment at ``offset``."""
        return [t.decode("utf-8") for t in self.readers[offset].expand_prefix(fieldname, prefix)]

    def texts(self, docnum: int) -> list[str]:
        """A document's stored text fields."""
        stored = self.searcher.stored_fields(docnum)
        return [stored.get(fieldname, "") for fieldname in TEXT_FIELDS]

    def stored(self, docnum: int) -> dict:
        """A document's stored fields."""
        return self.searcher.stored_fields(docnum)

    def references(self, docnum: int) -> list[str]:
        """A document's 文号 and 索引号, as written (its refs text but its department)."""
        stored = self.searcher.stored_fields(docnum)
        department = stored.get("department", "")
        return [line for line in stored.get("refs", "").split("\n") if line != department]

    def allowed(self, facet: str, chosen: Iterable[str]) -> np.ndarray:
        """The live documents having any of the ``chosen`` values of ``facet``."""
        table = self.facets[facet]
        chosen = set(map(str, chosen))
        wanted = [i for i, v in enumerate(table.values) if v in chosen]
        return postings.mask_of(self.size, table.owners[np.isin(table.indexes, wanted)])

    def doc_frequency(self, term: str) -> int:
        """Documents holding ``term`` in any text field, deleted ones included."""
        return self.searcher.doc_frequency(POSITIONS, term)

    def spelt(self, key: str) -> list[tuple[str, int]]:
        """The words of titles and keywords spelt ``key`` in pinyin, with the documents holding
        each (deleted ones included), most first."""
        return self._words_under(PINYIN, key + pinyin.SEPARATOR)

    def edited(self, variant: str) -> list[tuple[str, int]]:
        """The words of titles and keywords indexed under ``variant`` (themselves, or with one
        character left out: slips.py), with the documents holding each, most first."""
        return self._words_under(EDITS, variant + slips.SEPARATOR)

    def _words_under(self, fieldname: str, prefix: str) -> list[tuple[str, int]]:
        key = (fieldname, prefix)
        found = self._under.get(key)
        if found is None:
            counts: dict[str, int] = {}
            for reader, _ in self.leaves:
                for btext, info in reader.iter_prefix(fieldname, prefix):
                    word = btext.decode("utf-8")[len(prefix) :]
                    counts[word] = counts.get(word, 0) + info.doc_frequency()
            found = sorted(counts.items(), key=lambda wn: (-wn[1], wn[0]))
            if len(self._under) >= _UNDER_KEPT:
                self._under.clear()
            self._under[key] = found
        return found

    def latin_words(self) -> list[str]:
        """The words of Latin letters in the text fields, read once per generation."""
        if self._latin is None:
            words: set[str] = set()
            for reader, _ in self.leaves:
                for btext, _info in reader.iter_field(POSITIONS, "a"):
                    if btext[:1] > b"z":
                        break
                    if btext.isalpha() and btext.isascii():
                        words.add(btext.decode("ascii"))
            self._latin = sorted(words)
        return self._latin

    def holds_keyword(self, keyword: str, live: np.ndarray) -> bool:
        """Whether a document of ``live`` has ``keyword`` (folded) as a keyword."""
        for reader, offset in self.leaves:
            ids = posting_ids(reader, KEYWORD, keyword).astype(np.intp)
            if len(ids) and live[offset + ids].any():
                return True
        return False

    def keywords_from(self, prefix: str, live: np.ndarray) -> list[str]:
        """The keywords starting with ``prefix`` that documents of ``live`` hold, the most
        held first."""
        counts: dict[str, int] = {}
        for reader, offset in self.leaves:
            for btext, _info in itertools.islice(reader.iter_prefix(KEYWORD, prefix), 200):
                ids = posting_ids(reader, KEYWORD, btext.decode("utf-8")).astype(np.intp)
                held = int(np.count_nonzero(live[offset + ids]))
                if held:
                    keyword = btext.decode("utf-8")
                    counts[keyword] = counts.get(keyword, 0) + held
        return sorted(counts, key=lambda k: (-counts[k], len(k), k))

    def date_window(self, first: datetime.date | None, last: datetime.date | None) -> np.ndarray:
        """The documents dated from ``first`` to ``last`` (either may be open)."""
        inside = self.days > 0
        if first is not None:
            inside &= self.days >= first.toordinal()
        if last is not None:
            inside &= self.days <= last.toordinal()
        return inside

    def exact_docs(self, text: str) -> np.ndarray:
        """The live documents whose 文号 or 索引号 is the whole query."""
        out = self.empty()
        ref = normalize_ref(QUOTES.sub("", text))
        if ref:
            for fieldname in ("doc_no", "index_no"):
                for reader, offset in self.leaves:
                    out[offset:][posting_ids(reader, fieldname, ref)] = True
        return out & self.live

    def facet_counts(self, base: np.ndarray, facet: str) -> list[tuple[str, int]]:
        """(value, documents of ``base`` having it), most frequent first."""
        table = self.facets[facet]
        tally = postings.tally(table.owners, table.indexes, base, len(table.values))
        pairs = zip(table.values, tally.tolist(), strict=True)
        counts = [(value, n) for value, n in pairs if n]
        counts.sort(key=lambda vc: (-vc[1], vc[0]))
        return counts

    def view(self, published: AbstractSet[str] | None) -> _View:
        """The documents a search may find: the live ones whose slug is in ``published``
        (every live one when it is None). One mask per published set, cached on its identity,
        so a caller passing the same set object per catalogue version pays for it once."""
        if published is None:
            if self._plain is None:
                self._plain = _View(self, self.live)
            return self._plain
        if self._kept is None or self._kept[0] is not published:
            if self._slugs is None:
                # Only the terms, read once: reading every slug's postings took 30 times longer.
                self._slugs = [
                    (reader, offset, [b.decode("utf-8") for b in reader.lexicon("slug")])
                    for reader, offset in self.leaves
                ]
            live = self.live.copy()
            for reader, offset, slugs in self._slugs:
                for slug in slugs:
                    if slug not in published:  # withdrawn since the index was written: few
                        live[offset + posting_ids(reader, "slug", slug).astype(np.intp)] = False
            self._kept = (published, _View(self, live))
        return self._kept[1]


class _View:
    """The documents of a snapshot that a search may find, with what is cached about them."""

    def __init__(self, snap: _Snapshot, live: np.ndarray):
        self.snap = snap
        self.live = live
        self._by_date: np.ndarray | None = None
        self._all_facets: dict[str, list[tuple[str, int]]] | None = None
        self.results = _Kept(RESULTS_KEPT)

    def by_date(self, docs: np.ndarray, n: int) -> list[int]:
        """The ``n`` newest of ``docs``, newest first (undated ones last)."""
        if n <= 0:
            return []
        rank = self.snap.date_rank
        if docs is self.live:
            if self._by_date is None:
                live = np.flatnonzero(self.live)
                self._by_date = live[np.argsort(rank[live], kind="stable")]
            return self._by_date[:n].tolist()
        found = np.flatnonzero(docs)
        return postings.smallest(found, rank[found], n).tolist()

    def all_facets(self) -> dict[str, list[tuple[str, int]]]:
        """Facet counts over every document of the view, computed once."""
        if self._all_facets is None:
            self._all_facets = {f: self.snap.facet_counts(self.live, f) for f in FACETS}
        return self._all_facets


class _Kept:
    """The latest used results of a view, at most ``size``."""

    def __init__(self, size: int):
        self.size = size
        self._kept: OrderedDict[answering.Request, Results] = OrderedDict()

    def get(self, request: answering.Request) -> Results | None:
        """The results kept for ``request``, None if none."""
        found = self._kept.get(request)
        if found is not None:
            self._kept.move_to_end(request)
        return found

    def put(self, request: answering.Request, results: Results) -> None:
        """Keep ``results``, dropping the least recently used beyond ``size``."""
        self._kept[request] = results
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)


class Searcher:
    """Answers queries against the live index; one per process, safe to share across threads.

    The index is opened on first use and reopened when a build or update has switched the live
    generation, so a long-lived Searcher always answers from one complete index.
    """

    def __init__(self, index_root: Path):
        self.index_root = Path(index_root)
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the open index files."""
        with self._lock:
            if self._snapshot is not None:
                self._snapshot.close()
                self._snapshot = None

    def _current(self) -> _Snapshot:
        snap = self._snapshot
        # One readlink per search notices a switch at once and costs microseconds.
        with contextlib.suppress(OSError):
            if snap is not None and os.readlink(self.index_root / CURRENT) == snap.gen.name:
                return snap
        gen = generations.live_generation(self.index_root)
        if gen is None:
            if snap is not None:
                # The link is gone but the open generation is complete: keep serving it.
                return snap
            raise IndexUnavailable(f"there is no search index in {self.index_root}; build it")
        if snap is not None and snap.gen == gen:
            return snap
        try:
            fresh = _Snapshot(gen)
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise _unavailable(f"the search index in {gen} cannot be read", exc) from None
        if snap is not None:
            snap.close()
        self._snapshot = fresh
        return fresh

    def doc_count(self) -> int:
        """Number of documents in the live index."""
        with self._lock:
            return self._current().live_count

    def search(
        self,
        query: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        published: AbstractSet[str] | None = None,
        *,
        scope: str = "all",
        dates: tuple[datetime.date | None, datetime.date | None] = (None, None),
        features: Features = ALL_FEATURES,
    ) -> Results:
        """Search ``query`` within ``filters``; see answering.py for the rules.

        ``filters`` keys are the FACETS (organisation, category, department, year, five_openness
        and validity); values within a key are alternatives, keys all apply. A blank query
        lists the filtered documents by date. ``published``, when given, holds the slugs that
        may be found: a document the index still holds but the site no longer publishes is
        left out of hits, totals and facet counts alike. Pass the same set object while it is
        unchanged; its mask is cached, and so are its results: a repeated search is answered
        from memory until the index or the set changes. ``scope`` is one of SCOPES, ``dates``
        the first and last day a document may be dated (either None), ``features`` the
        forgiving steps taken. The Results returned may be shared: do not change them.
        """
        query = query or ""
        if len(query.strip()) > MAX_QUERY_LENGTH:
            raise QueryTooLong(len(query.strip()))
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
        unknown = set(filters or {}) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown search filters: {sorted(unknown)}")
        page = max(1, int(page))
        per_page = min(MAX_PER_PAGE, max(1, int(per_page)))
        # A lone string is one value, not a sequence of characters.
        active = {
            k: [v] if isinstance(v, str) else list(v) for k, v in (filters or {}).items() if v
        }
        request = answering.request_of(query, active, sort, page, per_page, scope, dates, features)
        with self._lock:
            snap = self._current()
            try:
                view = snap.view(published)
                found = view.results.get(request)
                if found is None:
                    found = answering.answer(snap, view, request)
                    view.results.put(request, found)
                return found
            except SearchError:
                raise
            except _BROKEN as exc:
                raise _unavailable("the search index cannot be read", exc) from None

    def suggest(
        self,
        typed: str,
        published: AbstractSet[str] | None = None,
        limit: int = suggestions.MAX_SUGGESTIONS,
    ) -> list[suggestions.Suggestion]:
        """Suggestions for text being typed (suggestions.py), from the documents a search may
        find (``published`` as in search())."""
        with self._lock:
            snap = self._current()
            try:
                return suggestions.suggest(snap, snap.view(published), typed, limit)
            except _BROKEN as exc:
                raise _unavailable("the search index cannot be read", exc) from None

    def held_keywords(
        self, keywords: Iterable[str], published: AbstractSet[str] | None = None
    ) -> set[str]:
        """Those of ``keywords`` that a document a search may find holds as a keyword (folded
        as indexed); none when the index cannot be read."""
        with self._lock:
            try:
                snap = self._current()
                live = snap.view(published).live
                return {k for k in keywords if snap.holds_keyword(fold(k.strip()), live)}
            except (SearchError, *_BROKEN):
                return set()
