"""Full-text search over published documents, in Chinese and English.

This is the only module that imports Whoosh. The rest of the portal sees a small interface
that another engine could implement later:

* :func:`build_index` writes a complete new index beside the live one and switches to it;
* :func:`update_index` adds, replaces or removes a few documents;
* :func:`index_stamp` tells when the live index was last written;
* :class:`Searcher` answers queries with hits, highlights and facet counts.

Analysis. Text is folded (full-width ASCII to half-width, Latin lower-cased, both without
changing its length) and segmented with rjieba in search mode, the same way for documents and
queries. Each word of jieba's ordinary segmentation is split into *atoms*: its shortest
dictionary sub-words, left to right, with single characters filling the gaps (年度报告 becomes
年度 + 报告; 特派员 becomes 特派 + 员). Atoms take consecutive positions, so positions count
words, not characters. The whole word and its other search-mode sub-words are indexed too, at
the position of the atom they start in. The same text therefore gives the same atom sequence
whether jieba kept it as one word or split it, and a phrase is matched as the sequence of its
atoms: "年度报告" finds 年度报告 written as one word and 年度 + 报告 written as two. Sub-words
are found the way search mode finds them (dictionary 2- and 3-grams of longer words), and codes
such as 2024-00012 are also indexed by their parts. Punctuation, emoji and a short list of
function words (的, 了, 和…; a, the, of…) are not indexed, and positions skip over them.

Queries. User text never reaches Whoosh's query parser, so there is no wildcard, regex, fuzzy
or field syntax to abuse: the query is built from analysed terms only. It is split into plain
text and "quoted phrases" (straight or Chinese quotes; an unbalanced quote just ends the text).
Every atom of the plain text is required (AND) in any of the text fields (title, keywords,
文号/索引号/department, body); a phrase requires its atoms at consecutive positions within one
field. If the AND of two or more parts finds nothing, the search is relaxed to documents
matching any part and ``Results.relaxed`` says so, because visitors often type whole sentences.
A query that is exactly a document's 文号 or 索引号 (ignoring spaces, width and bracket style)
puts that document first when sorting by relevance. Ranking is BM25F (Whoosh's formula and
defaults) with field boosts title 3, keywords 2, 文号/索引号/department 1.5, body 1; a word of
several atoms also scores where it occurs whole.

Facets. Counts are taken over the whole matched set. The counts of one facet ignore that
facet's own filter but respect every other filter, so a visitor can widen a selection within a
facet ("disjunctive" facets). The category facet counts a document under every node of its
category path. Values are sorted by count, then by value.

Index life cycle. ``index_root`` holds generation folders (``gen-*``) and a ``current``
symlink to the live one. A build or an update writes a new generation (an update starts from
hard links to the live generation's files, which Whoosh never rewrites), verifies it, fsyncs it,
and replaces the symlink atomically. A failed or killed build leaves the live index untouched;
the next build deletes its leftovers. The previous generation is kept for searchers that have
not reopened yet; older ones are deleted. An ``fcntl.flock`` on ``index_root/build.lock``
keeps builds and updates from running at once. Requests only ever read.

Speed. Whoosh stores the index (its file format, segments, term tables, stored fields), but
its per-posting Python paths are slow, so this module plugs into it at three places: a codec
that writes uncompressed posting blocks as packed arrays (read back without unpickling each
posting), with each position stored as the key ``docnum << 32 | position`` so phrases are
matched by set operations on the keys as stored; a segment writer that keeps postings in
packed arrays instead of pickling each one to a sort run (several times faster builds); and a
search path that reads whole posting lists into numpy arrays (:mod:`portal.postings`), holds
sets of documents as boolean masks over docnums, sums BM25 over the matched postings in one
vectorised step, and counts facets with one bincount over (document, value) pairs, so that
exact totals and facet counts over a quarter of 100,000 documents stay within a page request.
Blocks are pickled with the current protocol (Whoosh's protocol 2 re-encodes bytes on load).
A :class:`Searcher` keeps one open generation with its facet, date and field-length tables
and reopens only when the ``current`` symlink changes. Highlighting searches the
stored text for the query's analysed terms instead of re-analysing documents. These parts use
Whoosh internals, which is why ``whoosh-reloaded`` is pinned below 2.8.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import fcntl
import functools
import gc
import html
import io
import itertools
import json
import math
import operator
import os
import pickle
import re
import shutil
import struct
import sys
import threading
import time
import traceback
import unicodedata
import warnings
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rjieba
from markupsafe import Markup
from whoosh import columns, formats
from whoosh import fields as wfields
from whoosh import index as windex
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.matching.wrappers import FilterMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from portal.search import postings

__all__ = [
    "FACETS",
    "MAX_QUERY_LENGTH",
    "Hit",
    "IndexLocked",
    "IndexUnavailable",
    "QueryTooLong",
    "Results",
    "SearchDocument",
    "SearchError",
    "Searcher",
    "analyse",
    "build_index",
    "index_stamp",
    "update_index",
]

MAX_QUERY_LENGTH = 200
FACETS = ("category", "department", "year", "five_openness")
SORTS = ("relevance", "date")
MAX_PER_PAGE = 100
SNIPPET_CHARS = 120

# Bump when the schema, the analysis or the block layout changes: older indexes are then
# reported unavailable (and rebuilt) instead of silently answering with different tokens.
# 6: blocks of 1,024 postings pickled with the current protocol.
FORMAT_VERSION = 6
_META = "portal-index.json"
_LOCK = "build.lock"
_CURRENT = "current"
_GEN_PREFIX = "gen-"
_TMP_PREFIX = "tmp-"
# Below this many documents a build stays in one process: forking writers costs more than it
# saves.
_PARALLEL_MIN_DOCS = 1000

_TEXT_FIELDS = {"title": 3.0, "keywords": 2.0, "refs": 1.5, "body": 1.0}
_FACET_FIELDS = {
    "category": "category_path",
    "department": "department",
    "year": "year",
    "five_openness": "five_openness",
}


# --- Public data types -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchDocument:
    """One published document, as plain text."""

    slug: str
    title: str
    body: str
    keywords: tuple[str, ...] = ()
    doc_no: str = ""
    index_no: str = ""
    department: str = ""
    category: str = ""
    category_path: tuple[str, ...] = ()
    five_openness: str = ""
    date: datetime.date | None = None
    sample: bool = False


@dataclass
class Hit:
    """One search result; ``title_html`` and ``snippet_html`` are escaped HTML with <mark>."""

    slug: str
    title_html: str
    snippet_html: str
    date: datetime.date | None
    department: str
    category: str
    score: float


@dataclass
class Results:
    """One page of results with the total and facet counts over the whole matched set."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    sort: str = "relevance"
    # True when no document matched every part of the query and the results match some parts.
    relaxed: bool = False

    @property
    def pages(self) -> int:
        """Number of pages needed for ``total`` results."""
        return max(1, -(-self.total // self.per_page))


class SearchError(Exception):
    """Base class of the errors this module raises on purpose."""


class QueryTooLong(SearchError):
    """The query is longer than MAX_QUERY_LENGTH characters."""

    def __init__(self, length: int):
        super().__init__(f"搜索词太长（{length} 个字符），请不要超过 {MAX_QUERY_LENGTH} 个字符。")
        self.length = length


class IndexUnavailable(SearchError):
    """The search index is missing, unreadable or from an incompatible version."""


class IndexLocked(SearchError):
    """Another build or update of the same index is running."""


# --- Analysis ----------------------------------------------------------------------------------

# Full-width ASCII and the ideographic space map one-to-one onto ASCII, so offsets survive.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_FOLDABLE = re.compile("[\uff05\uff0d-\uff19\uff21-\uff3a\uff3f\uff41-\uff5a]")
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MAX_TERM_CHARS = 64
_NON_ALNUM = re.compile(r"[^\w]+|_+")

_STOP_TEXT = """
的 地 得 了 着 过 和 与 及 或 而 且 并 在 是 为 以 于 之 其 对 把 被 由 从 向 将 就 也 都
又 还 这 那 此 该 各 等 啊 吧 吗 呢 么 如何 怎么 怎样 什么 哪些 哪里 是否
a an and are as at be by for from in is it of on or that the this to was were with
"""
# Very common function words: indexing them costs space and time and they rarely decide a match.
STOP_WORDS = frozenset(_STOP_TEXT.split())


def fold(text: str) -> str:
    """Fold width and case without changing the length, so offsets stay valid."""
    # Translating costs a dict lookup per character; most text has no full-width letters,
    # digits or code punctuation, and full-width ，。 need no folding.
    if _FOLDABLE.search(text):
        text = text.translate(_WIDTH)
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters (İ) lower-case to two; keep those as they are.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered


def _clean(text: str) -> str:
    return _UNSAFE.sub(" ", text)


_is_content = re.compile(r"[^\W_]").search
_is_cjk = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+").fullmatch


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    atoms: tuple[str, ...]
    # Other search-mode sub-words, each with the index of the atom it starts in.
    subs: tuple[tuple[str, int], ...] = ()


@functools.lru_cache(maxsize=1 << 17)
def _word(word: str) -> _Word | None:
    """Split one word of jieba's ordinary segmentation into atoms and sub-words (cached)."""
    if word in STOP_WORDS or not _is_content(word) or len(word) > _MAX_TERM_CHARS:
        return None
    if len(word) <= 2:
        return _Word(word, (word,))
    if _is_cjk(word):
        # Search mode's rule: every dictionary 2-gram, and 3-gram for words over three.
        n = len(word)
        pairs = [rjieba.has_word(word[k : k + 2]) for k in range(n - 1)]
        grams = [(word[k : k + 2], k) for k in range(n - 1) if pairs[k]]
        if n > 3:
            triples = [(word[k : k + 3], k) for k in range(n - 2)]
            grams += [(gram, k) for gram, k in triples if rjieba.has_word(gram)]
        atoms, starts, i = [], [], 0
        while i < n:
            step = 2 if i < n - 1 and pairs[i] else 1
            atoms.append(word[i : i + step])
            starts.append(i)
            i += step
        subs = tuple(
            (gram, bisect.bisect_right(starts, k) - 1)
            for gram, k in grams
            if not (gram in atoms and starts[atoms.index(gram)] == k)
        )
        return _Word(word, tuple(atoms), subs)
    if word.isalnum():
        return _Word(word, (word,))
    # Codes like 2024-00012 or e-mail: their parts are searchable too.
    parts = dict.fromkeys(p for p in _NON_ALNUM.split(word) if p and p != word)
    return _Word(word, (word,), tuple((p, 0) for p in parts))


def _words(text: str) -> list[_Word]:
    """Segment text into words with their atoms and sub-words, like jieba's search mode."""
    return [w for w in map(_word, rjieba.cut(fold(_clean(text)))) if w is not None]


def analyse(text: str) -> list[tuple[str, int]]:
    """Return the (term, position) pairs indexed for ``text``; positions count atoms."""
    out: list[tuple[str, int]] = []
    pos = 0
    for word in _words(text):
        atoms = word.atoms
        if len(atoms) == 1 and not word.subs:
            out.append((atoms[0], pos))
            pos += 1
            continue
        seen = set()
        for k, atom in enumerate(atoms):
            seen.add((atom, k))
            out.append((atom, pos + k))
        if len(atoms) > 1:
            out.append((word.text, pos))
        for sub, k in word.subs:
            if (sub, k) not in seen:
                seen.add((sub, k))
                out.append((sub, pos + k))
        pos += len(atoms)
    return out


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer for :func:`analyse`: jieba search mode, positions counted by word."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        """Yield one reused Token per indexed term (Whoosh's tokenizer protocol)."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = analyse(value) if tokenize else [(fold(value), 0)]
        for text, pos in terms:
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                # Character offsets are not kept: highlighting searches the stored text.
                t.startchar = t.endchar = start_char
            yield t


class _Positions(formats.Positions):
    """Positions packed as machine integers instead of one pickle per posting.

    Each position is stored as the 8-byte key ``docnum << 32 | position`` (the segment writer
    fills in the docnum): a phrase search intersects these keys as read, without building a
    key per occurrence. Reading them back is several times faster than pickles, and the
    postings are built straight from :func:`analyse` without a Token object per word.
    """

    def word_values(self, value, analyzer, **kwargs):
        """Yield (term, frequency, weight, encoded positions) for each term of ``value``."""
        if not (isinstance(analyzer, ChineseTokenizer) and isinstance(value, str)):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        for term, pos in analyse(value):
            if term in positions:
                positions[term].append(pos)
            else:
                positions[term] = [pos]
        boost = self.field_boost
        for term, found in positions.items():
            yield term, len(found), len(found) * boost, self.encode(found)

    def encode(self, poslist):
        """The sorted positions as position keys of document 0 (the pool sets the number)."""
        return array("Q", sorted(poslist)).tobytes()

    def decode_positions(self, valuestring):
        """The positions of :meth:`encode`'s keys."""
        return [key & _LOW for key in array("Q", valuestring)]

    def decode_frequency(self, valuestring):
        """Number of positions."""
        return len(valuestring) // _KEY_SIZE

    def decode_weight(self, valuestring):
        """Frequency times the field boost."""
        return self.decode_frequency(valuestring) * self.field_boost


class _PostingsWriter(W3PostingsWriter):
    """Writes blocks as packed arrays, which load without unpickling each posting."""

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        return array("I", self._ids).tobytes()

    def _mini_weights(self):
        if all(w == 1.0 for w in self._weights):
            return None
        return array("f", self._weights).tobytes()

    def _mini_values(self):
        if isinstance(self._values, _Packed):
            return self._values.lengths.tobytes(), self._values.data
        if self._format.fixed_value_size() is not None or not self._values:
            return super()._mini_values()
        return (array("I", map(len, self._values)).tobytes(), b"".join(self._values))

    def _write_block(self, last=False):
        # Whoosh's, but pickling with the current protocol: protocol 2 stores bytes as text
        # that is re-encoded on load, which took more than half of a phrase search.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            comp,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = pickle.dumps(info, pickle.HIGHEST_PROTOCOL)
        size = len(infobytes) + len(databytes)
        self._postfile.write_int(-size if last else size)  # negative marks the last block
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self):
        # Whoosh's own inlining calls a method that W3TermInfo does not have (set_inline).
        if not self.written() and 0 < len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def write_bulk(self, ids, weights, vlens, vdata, doc_lengths) -> None:
        """Write one term's whole posting list from packed arrays, a block at a time."""
        limit, total, offset = self._blocklimit, len(ids), 0
        if total < self._inlinelimit:
            # Rare terms live in the term table itself: no block to pickle and compress.
            ends = list(itertools.accumulate(vlens))
            self._ids = ids.tolist()
            self._weights = weights
            self._values = [bytes(vdata[e - n : e]) for e, n in zip(ends, vlens, strict=True)]
            self._maxweight = max(weights)
            lengths = [doc_lengths[d] for d in self._ids] if doc_lengths is not None else [1]
            self._minlength, self._maxlength = min(lengths), max(lengths)
            return
        packed = self._format.fixed_value_size() is None
        for start in range(0, total, limit):
            end = min(total, start + limit)
            self._ids = ids[start:end]
            self._weights = weights[start:end]
            self._maxweight = max(self._weights)
            if doc_lengths is not None:
                block_lengths = [doc_lengths[d] for d in self._ids]
                self._minlength, self._maxlength = min(block_lengths), max(block_lengths)
            else:
                self._minlength = self._maxlength = 1
            lengths = vlens[start:end]
            size = sum(lengths)
            data = bytes(vdata[offset : offset + size])
            offset += size
            if packed:
                self._values = _Packed(lengths, data)
            else:
                # Fixed-size values (frequencies of keyword fields): Whoosh concatenates them.
                self._values = [data] if data else []
            self._write_block(last=end == total)


@dataclass(slots=True)
class _Packed:
    """A block's posting values as one byte string and each value's length."""

    lengths: array
    data: bytes


class _LeafMatcher(W3LeafMatcher):
    """Reads the blocks :class:`_PostingsWriter` writes."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = array("I", self._data[0])

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if weights is None:
            self._weights = array("f", [1.0]) * self._blocklength
        else:
            self._weights = array("f", weights)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        values = self._data[2]
        if not (isinstance(values, tuple) and len(values) == 2):
            return super()._read_values()
        lengths, joined = values
        ends = list(itertools.accumulate(array("I", lengths)))
        self._values = tuple(
            joined[e - n : e] for e, n in zip(ends, array("I", lengths), strict=True)
        )


class _Codec(W3Codec):
    """Whoosh's codec with packed posting blocks; its segments remember it when pickled."""

    def __init__(self):
        # Big blocks: searches read whole posting lists, so each block's unpickling and
        # bookkeeping is pure overhead. Blocks are not compressed: inflating positions cost
        # more than reading the larger files.
        super().__init__(blocklimit=1024, compression=0, inlinelimit=4)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _FieldWriter(W3FieldWriter):
    def add_term(self, btext: bytes, postings: _TermPostings, doc_lengths) -> None:
        """Write one term's postings in one call instead of one call per posting."""
        self.start_term(btext)
        ids, weights, vlens, vdata = postings
        self._postwriter.write_bulk(ids, weights, vlens, vdata, doc_lengths)
        self.finish_term()


# docnums, weights, value lengths and values of one term, in docnum order.
_TermPostings = tuple[array, array, array, bytes | bytearray]
# A text term's postings while indexing: docnum << 20 | frequency, and all positions.
_TextPostings = tuple[array, array]
_FREQ_BITS = 20
# Stored positions: 8-byte keys docnum << 32 | position.
_KEY_SIZE = 8
_HIGH = (1 << 32).__mul__
_LOW = (1 << 32) - 1


def _repeat_each(values: Iterable[int], counts: Iterable[int]) -> Iterator[int]:
    return itertools.chain.from_iterable(map(itertools.repeat, values, counts))

_Postings = _TermPostings | _TextPostings


class _TermPool:
    """Keeps a segment's postings in packed arrays per term instead of Whoosh's sorting pool.

    Whoosh pickles every posting to a run file and merges the runs; this keeps them in memory
    (about 12 bytes a posting of text), which is several times faster.
    """

    def __init__(self):
        self.terms: dict[str, dict[bytes, _Postings]] = {}
        self.fieldnames: set[str] = set()
        self.unordered = False

    def _field(self, fieldname: str) -> dict[bytes, _Postings]:
        terms = self.terms.get(fieldname)
        if terms is None:
            terms = self.terms[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add_text(self, fieldname: str, docnum: int, text: str) -> int:
        """Analyse ``text`` straight into the pool; return its length in tokens."""
        terms = self._field(fieldname)
        analysed = analyse(text)
        positions: dict[str, list[int]] = {}
        for term, pos in analysed:
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        key = docnum << _FREQ_BITS
        for term, found in positions.items():
            btext = term.encode("utf-8")
            postings = terms.get(btext)
            if postings is None:
                postings = terms[btext] = (array("Q"), array("I"))
            elif postings[0][-1] >= key:
                self.unordered = True
            postings[0].append(key | len(found))
            if len(found) > 1:
                # analyse() gives a word before its sub-words, so a term's positions can
                # fall (一九九九年: 九九 at 1, then 0); phrase search bisects them.
                found.sort()
            postings[1].extend(found)
        return len(analysed)

    def add_field(self, fieldname: str, docnum: int, items, scorable: bool) -> int:
        """Add one field's (term bytes, frequency, weight, value) items; return its length."""
        length = 0
        for btext, freq, weight, vbytes in items:
            length += freq
            self.add((fieldname, btext, docnum, weight, vbytes))
        return length if scorable else 0

    def add(self, item) -> None:
        """Whoosh's pool interface; also used when segments are merged."""
        fieldname, btext, docnum, weight, vbytes = item
        terms = self._field(fieldname)
        postings = terms.get(btext)
        if (isinstance(postings, tuple) and len(postings) == 2) or (
            postings is None and vbytes and len(vbytes) % 4 == 0 and _is_text(fieldname)
        ):
            if postings is None:
                postings = terms[btext] = (array("Q"), array("I"))
            elif postings[0][-1] >= docnum << _FREQ_BITS:
                self.unordered = True
            # The keys carry the old segment's docnum: keep their positions only.
            positions = array("I", map(_LOW.__and__, array("Q", vbytes)))
            postings[0].append(docnum << _FREQ_BITS | len(positions))
            postings[1].extend(sorted(positions))
            return
        if postings is None:
            postings = terms[btext] = (array("I"), array("f"), array("I"), bytearray())
        elif postings[0][-1] >= docnum:
            self.unordered = True
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(len(vbytes or b""))
        postings[3].extend(vbytes or b"")

    def sorted_terms(self, fieldname: str) -> Iterator[tuple[bytes, _TermPostings]]:
        terms = self.terms.get(fieldname, {})
        for btext in sorted(terms):
            postings = terms[btext]
            if len(postings) == 2:
                keys, positions = postings
                mask = (1 << _FREQ_BITS) - 1
                freqs = [k & mask for k in keys]
                ids = array("I", [k >> _FREQ_BITS for k in keys])
                # Positions are stored as keys docnum << 32 | position, so a search can match
                # phrases with set operations on the stored keys as they are.
                owners = _repeat_each(map(_HIGH, ids), freqs)
                postings = (
                    ids,
                    array("f", freqs),
                    array("I", [f * _KEY_SIZE for f in freqs]),
                    array("Q", map(operator.add, owners, positions)).tobytes(),
                )
            yield btext, (_by_docnum(postings) if self.unordered else postings)

    def iter_postings(self):
        """Whoosh's pool interface: every posting as a tuple, in order."""
        for fieldname in sorted(self.terms):
            for btext, (ids, weights, vlens, vdata) in self.sorted_terms(fieldname):
                ends = itertools.accumulate(vlens)
                for d, w, n, e in zip(ids, weights, vlens, ends, strict=True):
                    yield fieldname, btext, d, w, bytes(vdata[e - n : e])

    def cleanup(self) -> None:
        self.terms.clear()

    def save(self) -> None:
        pass


def _is_text(fieldname: str) -> bool:
    return fieldname in _TEXT_FIELDS


def _by_docnum(postings: _TermPostings) -> _TermPostings:
    ids, weights, vlens, vdata = postings
    ends = list(itertools.accumulate(vlens))
    order = sorted(range(len(ids)), key=ids.__getitem__)
    data = bytearray()
    for i in order:
        data += vdata[ends[i] - vlens[i] : ends[i]]
    return (
        array("I", (ids[i] for i in order)),
        array("f", (weights[i] for i in order)),
        array("I", (vlens[i] for i in order)),
        data,
    )


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer with :class:`_TermPool` and bulk posting writes."""

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", _Codec())
        super().__init__(ix, **kwargs)
        self.pool = _TermPool()

    def add_document(self, **fields):
        """Whoosh's add_document for this module's schema, adding postings in bulk."""
        self._check_state()
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        perdoc, docnum = self.perdocwriter, self.docnum
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = self.schema[name]
                length = 0
                if isinstance(field, _TextField) and isinstance(value, str):
                    length = self.pool.add_text(name, docnum, value)
                elif field.indexed:
                    length = self.pool.add_field(name, docnum, field.index(value), field.scorable)
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            fieldwriter = self.fieldwriter
            for fieldname in sorted(self.pool.terms):
                fieldobj = self.schema[fieldname]
                lengths = None
                if fieldobj.scorable:
                    lengths = [pdr.doc_field_length(d, fieldname) or 0 for d in range(self.docnum)]
                fieldwriter.start_field(fieldname, fieldobj)
                for btext, postings in self.pool.sorted_terms(fieldname):
                    fieldwriter.add_term(btext, postings, lengths)
                fieldwriter.finish_field()
            fieldwriter.close()
        finally:
            pdr.close()
        self.pool.cleanup()


class _SubWriterTask(SubWriterTask):
    """A build process: like Whoosh's, but writing with :class:`_SegmentWriter`."""

    def run(self):
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = _SegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        segment = writer._finalize_segment()
        self.resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)


class _MpWriter(MpWriter):
    """Whoosh's multi-process writer, one segment per process, with fast segment writers."""

    def __init__(self, ix, procs: int, **kwargs):
        super().__init__(ix, procs=procs, multisegment=True, codec=_Codec(), **kwargs)
        self.pool = _TermPool()

    def _new_task(self):
        task = _SubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task


class _TextField(wfields.TEXT):
    """TEXT analysed by :func:`analyse`, with packed positions."""

    def __init__(self, stored: bool = False):
        super().__init__(analyzer=ChineseTokenizer(), stored=stored)
        self.format = _Positions(field_boost=1.0)

    def index(self, value, **kwargs):
        """Yield (term bytes, frequency, weight, positions) without Whoosh's generic wrapping."""
        for term, freq, weight, vbytes in self.format.word_values(value, self.analyzer):
            yield term.encode("utf-8"), freq, weight, vbytes


_DATE_COLUMN = columns.NumericColumn("i", default=0)


def _schema() -> wfields.Schema:
    return wfields.Schema(
        slug=wfields.ID(stored=True, unique=True),
        title=_TextField(stored=True),
        body=_TextField(stored=True),
        keywords=_TextField(),
        # 文号, 索引号 and department as searchable text.
        refs=_TextField(),
        doc_no=wfields.ID,
        index_no=wfields.ID,
        department=wfields.ID(stored=True),
        category=wfields.STORED,
        category_path=wfields.KEYWORD(lowercase=False, scorable=False),
        year=wfields.ID,
        five_openness=wfields.ID,
        date=wfields.STORED,
        # Sorting by date reads this column whole when a generation is opened.
        date_ordinal=wfields.COLUMN(_DATE_COLUMN),
        sample=wfields.STORED,
    )


_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]", "(": "[", ")": "]"})


def normalize_ref(value: str) -> str:
    """Normalise a 文号 or 索引号 for exact lookup: width, case, spaces and bracket style."""
    value = unicodedata.normalize("NFKC", _clean(value)).translate(_BRACKETS)
    return "".join(value.split()).lower()


def _doc_fields(doc: SearchDocument) -> dict[str, object]:
    if not doc.slug or not doc.slug.isascii():
        raise ValueError(f"document slug must be non-empty ASCII: {doc.slug!r}")
    path = tuple(doc.category_path) or ((doc.category,) if doc.category else ())
    refs = "\n".join(x for x in (doc.doc_no, doc.index_no, doc.department) if x)
    values: dict[str, object] = {
        "slug": doc.slug,
        "title": _clean(doc.title),
        "body": _clean(doc.body),
        "keywords": _clean("\n".join(doc.keywords)),
        "refs": _clean(refs),
        "doc_no": normalize_ref(doc.doc_no),
        "index_no": normalize_ref(doc.index_no),
        "department": doc.department,
        "category": doc.category,
        "category_path": " ".join(path),
        "year": str(doc.date.year) if doc.date else "",
        "five_openness": doc.five_openness,
        "date": doc.date.isoformat() if doc.date else "",
        "date_ordinal": doc.date.toordinal() if doc.date else "",
        "sample": bool(doc.sample),
    }
    return {k: v for k, v in values.items() if v != ""}


# --- Index life cycle --------------------------------------------------------------------------


def _live_generation(root: Path) -> Path | None:
    try:
        name = os.readlink(root / _CURRENT)
    except OSError:
        return None
    gen = root / name
    return gen if gen.is_dir() else None


def _read_meta(gen: Path) -> dict:
    with open(gen / _META, encoding="utf-8") as f:
        meta = json.load(f)
    if not isinstance(meta, dict):
        raise ValueError("index metadata is not an object")
    return meta


def index_stamp(index_root: Path) -> float | None:
    """Return when the live index was built or last updated (epoch seconds), None if none."""
    gen = _live_generation(Path(index_root))
    if gen is None:
        return None
    try:
        return float(_read_meta(gen)["written"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextlib.contextmanager
def _write_lock(root: Path) -> Iterator[None]:
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


def _new_dir(root: Path) -> Path:
    # Only called under the write lock: leftovers of killed runs can be removed safely.
    for stale in root.glob(_TMP_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    path = root / f"{_TMP_PREFIX}{time.time_ns()}-{os.getpid()}"
    path.mkdir()
    return path


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


def _publish(root: Path, tmp: Path, documents: int) -> None:
    """Verify a finished generation, make it live atomically and drop old generations."""
    meta = {"format": FORMAT_VERSION, "written": time.time(), "documents": documents}
    with open(tmp / _META, "w", encoding="utf-8") as f:
        json.dump(meta, f)
    _fsync_tree(tmp)
    previous = _live_generation(root)
    gen = root / f"{_GEN_PREFIX}{time.time_ns()}"
    os.rename(tmp, gen)
    link = root / f".{_CURRENT}-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(gen.name, link)
    os.replace(link, root / _CURRENT)
    _fsync_dir(root)
    keep = {gen.name, previous.name if previous else None}
    for old in root.glob(_GEN_PREFIX + "*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


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
    # MpWriter.cancel() only flags its sub-processes in the parent; they would wait forever for
    # more work, so stop them for real.
    for task in getattr(writer, "tasks", ()):
        if hasattr(task, "terminate"):
            task.terminate()
            task.join(5)
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
    with _write_lock(root):
        tmp = _new_dir(root)
        try:
            count = _write_all(tmp, iter(documents), procs)
            _verify(tmp, count)
            _publish(root, tmp, count)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _write_all(path: Path, documents: Iterator[SearchDocument], procs: int | None) -> int:
    ix = windex.create_in(str(path), _schema())
    if procs is None:
        head = list(itertools.islice(documents, _PARALLEL_MIN_DOCS))
        many = len(head) == _PARALLEL_MIN_DOCS
        procs = min(2, os.cpu_count() or 1) if many else 1
        documents = itertools.chain(head, documents)
    # With several processes each keeps its own segment instead of merging them at the end:
    # half the build time, and searching a few segments costs little.
    writer = _MpWriter(ix, procs=procs, batchsize=200) if procs > 1 else _SegmentWriter(ix)
    slugs: set[str] = set()
    try:
        for doc in documents:
            if doc.slug in slugs:
                raise ValueError(f"duplicate document slug {doc.slug!r}")
            slugs.add(doc.slug)
            writer.add_document(**_doc_fields(doc))
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
    with _write_lock(root):
        live = _live_generation(root)
        if live is None:
            raise IndexUnavailable(f"there is no search index in {root} to update; build one")
        _check_meta(live)
        tmp = _new_dir(root)
        try:
            for entry in os.scandir(live):
                if entry.name == _META or entry.name.endswith("LOCK"):
                    continue
                try:
                    os.link(entry.path, tmp / entry.name)
                except OSError:
                    shutil.copy2(entry.path, tmp / entry.name)
            ix = _open_plain(tmp)
            try:
                with ix.searcher() as s:
                    before = s.doc_count()
                    present = {
                        slug
                        for slug in itertools.chain((d.slug for d in changed), removed)
                        if s.document_number(slug=slug) is not None
                    }
                writer = _SegmentWriter(ix)
                try:
                    for doc in changed:
                        writer.update_document(**_doc_fields(doc))
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
            _publish(root, tmp, expected)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _check_meta(gen: Path) -> dict:
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


# --- Queries -----------------------------------------------------------------------------------


@dataclass
class _Part:
    """One required part of a query: a word (its atoms) or a quoted phrase."""

    atoms: list[str]
    phrase: bool
    whole: str = ""  # a multi-atom word, scored higher where it occurs whole


_QUOTES = re.compile(r'["“”„‟«»「」『』]')


def parse_query(text: str) -> tuple[list[_Part], list[tuple[str, ...]]]:
    """Split user text into required parts and the terms to highlight; never raises."""
    chunks = _QUOTES.split(text)
    # An unbalanced quote leaves an odd count of quotes: its text is read as plain words.
    if len(chunks) % 2 == 0:
        chunks[-2:] = [chunks[-2] + " " + chunks[-1]]
    parts: list[_Part] = []
    marks: dict[tuple[str, ...], None] = {}
    for i, chunk in enumerate(chunks):
        words = _words(chunk)
        if i % 2 and words:
            atoms = [a for w in words for a in w.atoms]
            parts.append(_Part(atoms, phrase=True))
            marks[tuple(atoms)] = None
        else:
            for w in words:
                # The word's characters light up wherever they occur, split by jieba or not;
                # its atoms light up alone too, except single characters (half the text).
                marks[(w.text,)] = None
                marks.update(dict.fromkeys((a,) for a in w.atoms if len(a) > 1 or not _is_cjk(a)))
                whole = w.text if len(w.atoms) > 1 else ""
                parts.append(_Part(list(dict.fromkeys(w.atoms)), phrase=False, whole=whole))
    unique: dict[tuple, _Part] = {}
    for p in parts:
        unique.setdefault((tuple(p.atoms), p.phrase), p)
    return list(unique.values()), list(marks)


# --- Highlighting ------------------------------------------------------------------------------


def _mark_pattern(marks: Iterable[tuple[str, ...]]) -> re.Pattern | None:
    """Compile the query's words and phrases (atom sequences) into one pattern on folded text."""
    alts = []
    for seq in sorted(set(marks), key=lambda m: len("".join(m)), reverse=True):
        # Indexing skips spaces, punctuation and stop words between atoms, so may this.
        alt = r"(?:[\W_]|的|和|与|及){0,3}".join(re.escape(a) for a in seq)
        # Latin words only match whole words: "in" must not light up "information".
        if seq[0][0].isascii() and seq[0][0].isalnum():
            alt = r"(?<![a-z0-9])" + alt
        if seq[-1][-1].isascii() and seq[-1][-1].isalnum():
            alt += r"(?![a-z0-9])"
        alts.append(alt)
    return re.compile("|".join(alts)) if alts else None


def _spans(folded: str, pattern: re.Pattern | None, limit: int = 500) -> list[list[int]]:
    if pattern is None:
        return []
    spans: list[list[int]] = []
    for m in itertools.islice(pattern.finditer(folded), limit):
        if spans and m.start() <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], m.end())
        else:
            spans.append([m.start(), m.end()])
    return spans


_SPACES = re.compile(r"\s+")


def _render(text: str, spans: list[list[int]], start: int, end: int) -> str:
    out, i = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(html.escape(text[i:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        i = e
    out.append(html.escape(text[i:end]))
    return _SPACES.sub(" ", "".join(out))


def highlight(text: str, pattern: re.Pattern | None) -> Markup:
    """Escape ``text`` and wrap the query's terms in <mark>."""
    return Markup(_render(text, _spans(fold(text), pattern), 0, len(text)).strip())


def snippet(text: str, pattern: re.Pattern | None, width: int = SNIPPET_CHARS) -> Markup:
    """Escape the passage of ``text`` with the most distinct query terms, terms in <mark>."""
    folded = fold(text)
    spans = _spans(folded, pattern)
    start = 0
    if spans:
        # Slide a window of ``width`` characters over the matches (two pointers) and keep the
        # start with the most distinct terms, then the most matches.
        best, counts, j = (-1, -1), {}, 0
        words = [folded[s:e] for s, e in spans]
        for i, (s, _e) in enumerate(spans):
            while j < len(spans) and (j <= i or spans[j][1] <= s + width):
                counts[words[j]] = counts.get(words[j], 0) + 1
                j += 1
            score = (len(counts), j - i)
            if score > best:
                best, start = score, s
            counts[words[i]] -= 1
            if not counts[words[i]]:
                del counts[words[i]]
        # A little context before the first match, but keep the window inside the text.
        start = max(0, min(start - width // 6, len(text) - width))
    end = min(len(text), start + width)
    body = _render(text, spans, start, end).strip()
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Markup(prefix + body + suffix)


# --- Searching ---------------------------------------------------------------------------------

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


def _leaf_matcher(reader, fieldname: str, text: str):
    try:
        m = reader.postings(fieldname, text)
    except TermNotFound:
        return None
    # Deleted documents are dropped later by intersecting with the live set.
    return m.child if isinstance(m, FilterMatcher) else m


def _blocks(reader, fieldname: str, text: str) -> list[postings.Block]:
    """Every posting block of a term in one segment, deleted documents included."""
    try:
        terminfo = reader.term_info(fieldname, text)
    except TermNotFound:
        return []
    postfile = getattr(getattr(reader, "_terms", None), "_postfile", None)
    if (
        isinstance(getattr(reader, "_codec", None), _Codec)
        and postfile is not None
        and not terminfo.is_inlined()
    ):
        # The whole posting list in one read, split into blocks in memory: a matcher would
        # make several small reads per block.
        offset, length = terminfo.extent()
        if isinstance(length, tuple):
            length = length[0]  # W3TermInfo.from_bytes forgets to unpack it
        raw = postfile.get(offset, length)
        if raw[: len(WHOOSH3_HEADER_MAGIC)] == WHOOSH3_HEADER_MAGIC:
            return _split_blocks(raw)
    m = _leaf_matcher(reader, fieldname, text)
    if m is None:
        return []
    # Inlined rare terms (and any other matcher): repack into the same shape.
    ids, weights, values = array("I"), array("f"), []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        values.append(m.value() or b"")
        m.next()
    packed = (array("I", map(len, values)).tobytes(), b"".join(values))
    return [(ids.tobytes(), weights.tobytes(), packed)] if ids else []


def _split_blocks(raw: bytes) -> list[postings.Block]:
    """Decode the blocks :class:`_PostingsWriter` wrote for one term."""
    blocks = []
    stream = io.BytesIO(raw)
    pos = len(WHOOSH3_HEADER_MAGIC)
    while pos < len(raw):
        # Each block: its byte size (negated for the last), a pickled info tuple, the data.
        size = abs(_INT.unpack_from(raw, pos)[0])
        pos += _INT_SIZE
        stream.seek(pos)
        info = pickle.load(stream)
        data = raw[stream.tell() : pos + size]
        pos += size
        if info[3]:  # compression level
            data = zlib.decompress(data)
        blocks.append(pickle.loads(data))
    return blocks


def _posting_ids(reader, fieldname: str, text: str) -> np.ndarray:
    """All segment-relative docnums of a term, deleted ones included."""
    return postings.block_ids(_blocks(reader, fieldname, text))


_INT = struct.Struct("!i")
_SHIFT = np.uint64(32)  # a position key's docnum bits start here
_LENGTHS = [byte_to_length(b) or 0 for b in range(256)]


def _numeric_column(reader, name: str, column: columns.NumericColumn, typecode: str) -> array:
    """A numeric column of one segment, one value per document (0 where missing)."""
    count = reader.doc_count_all()
    values = array(typecode)
    perdoc = getattr(reader, "_perdoc", None)  # an empty index has no per-document reader
    if perdoc is not None and perdoc.has_column(name):
        creader = perdoc.column_reader(name, column)
        try:
            # Reading the column's bytes whole beats a call per document by far.
            size = creader._count * values.itemsize
            values.frombytes(creader._dbfile.get(creader._basepos, size))
            if sys.byteorder == "little" and values.itemsize > 1:
                values.byteswap()  # columns are big-endian
        except AttributeError:
            values = array(typecode, (creader[d] for d in range(count)))
    del values[count:]
    values.extend(array(typecode, [0]) * (count - len(values)))
    return values


def _length_codes(reader, fieldname: str) -> array:
    """Every document's length of ``fieldname`` in one segment, as Whoosh's byte codes."""
    return _numeric_column(reader, _lenfield(fieldname), LENGTHS_COLUMN, "B")


# BM25F parameters (Whoosh's defaults).
_B, _K1 = 0.75, 1.2


class _Query:
    """Posting blocks read for one query, shared by matching, phrases and ranking.

    Sets of documents are boolean masks over the snapshot's global docnums.
    """

    def __init__(self, snap: _Snapshot):
        self.snap = snap
        self._blocks: dict[tuple[str, str], list[tuple[int, list[postings.Block]]]] = {}
        self._ids: dict[tuple[str, str], list[tuple[int, np.ndarray]]] = {}

    def blocks(self, term: str, fieldname: str) -> list[tuple[int, list[postings.Block]]]:
        """(segment offset, blocks) for every segment holding the term in the field."""
        key = (term, fieldname)
        if key not in self._blocks:
            found = []
            for reader, offset in self.snap.leaves:
                blocks = _blocks(reader, fieldname, term)
                if blocks:
                    found.append((offset, blocks))
            self._blocks[key] = found
        return self._blocks[key]

    def ids(self, term: str, fieldname: str) -> list[tuple[int, np.ndarray]]:
        """(segment offset, segment-relative docnums) for every segment holding the term."""
        key = (term, fieldname)
        if key not in self._ids:
            self._ids[key] = [
                (offset, postings.block_ids(blocks))
                for offset, blocks in self.blocks(term, fieldname)
            ]
        return self._ids[key]

    def term_docs(self, term: str) -> np.ndarray:
        """The documents holding ``term`` in any text field."""
        out = self.snap.empty()
        for fieldname in _TEXT_FIELDS:
            for offset, ids in self.ids(term, fieldname):
                out[offset:][ids] = True
        return out

    def part_docs(self, part: _Part) -> np.ndarray:
        """The documents holding every atom of ``part`` (adjacent, if it is a phrase)."""
        docs = None
        for atom in sorted(set(part.atoms), key=self.snap.doc_frequency):
            found = self.term_docs(atom)
            docs = found if docs is None else docs & found
            if not docs.any():
                return docs
        if docs is None:
            return self.snap.empty()
        if part.phrase and len(part.atoms) > 1:
            # Positions are only read where every atom occurs at all.
            docs = self.phrase_docs(part.atoms, docs)
        return docs

    def phrase_docs(self, atoms: Sequence[str], candidates: np.ndarray) -> np.ndarray:
        """The candidates that hold ``atoms`` at consecutive positions in one field."""
        found = self.snap.empty()
        # Phrase starts (key - place in the phrase) of the rarest atom, kept where each other
        # atom's stored keys (ascending) hold start + its place. Keys are unsigned: a start
        # before position 0 wraps around and can never be found, as it must not.
        (k0, first), *rest = sorted(enumerate(atoms), key=lambda ka: self.snap.doc_frequency(ka[1]))
        for fieldname in _TEXT_FIELDS:
            for offset, blocks in self.blocks(first, fieldname):
                keys = postings.block_keys(blocks)
                keys = keys[candidates[offset:][(keys >> _SHIFT).astype(np.intp)]]
                starts = keys - np.uint64(k0)
                for k, atom in rest:
                    more = next((b for o, b in self.blocks(atom, fieldname) if o == offset), [])
                    held = postings.holds(postings.block_keys(more), starts + np.uint64(k))
                    starts = starts[held]
                    if not len(starts):
                        break
                found[offset:][(starts >> _SHIFT).astype(np.intp)] = True
        return found

    def rank(self, parts: list[_Part], matched: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The ``n`` best of ``matched`` by BM25F over the parts' atoms and whole words."""
        terms: dict[str, float] = {}
        for part in parts:
            for term in (*part.atoms, part.whole):
                if term:
                    terms[term] = terms.get(term, 0.0) + 1.0
        total = max(1, self.snap.live_count)
        scores = np.zeros(len(matched), dtype=np.float64)
        for term, weight in terms.items():
            for fieldname, boost in _TEXT_FIELDS.items():
                found = self.ids(term, fieldname)
                # Deleted documents count in the document frequency, as in Whoosh.
                df = sum(len(ids) for _, ids in found)
                if not df:
                    continue
                factor = (math.log(total / (df + 1)) + 1) * boost * weight * (_K1 + 1)
                norm = self.snap.norms[fieldname]
                for (offset, ids), (_, blocks) in zip(
                    found, self.blocks(term, fieldname), strict=True
                ):
                    docs = ids.astype(np.intp) + offset
                    hit = matched[docs]
                    docs = docs[hit]
                    tfs = postings.block_weights(blocks)[hit].astype(np.float64)
                    # A term's postings hold each document once, so += adds to each once.
                    scores[docs] += factor * (tfs / (tfs + norm[docs]))
        docs = np.flatnonzero(matched)
        top, values = postings.best(docs, scores[docs], n)
        return list(zip(top.tolist(), values.tolist(), strict=True))


@dataclass(frozen=True)
class _Facet:
    """One facet's values and every (document, value index) pair of the live documents."""

    values: list[str]
    owners: np.ndarray
    indexes: np.ndarray


class _Snapshot:
    """One open generation: a Whoosh searcher plus facet, date and length tables."""

    def __init__(self, gen: Path):
        _check_meta(gen)
        self.gen = gen
        # Plain reads, not mmap: the OS caches the files either way, and mapped pages would
        # count in the worker's RSS.
        self.ix = FileStorage(str(gen), supports_mmap=False, readonly=True).open_index()
        try:
            self.searcher = self.ix.searcher()
            self.leaves = self.searcher.reader().leaf_readers()
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
            self.facets = {facet: self._facet(name) for facet, name in _FACET_FIELDS.items()}
            date_key = array("i")
            for reader, _ in self.leaves:
                date_key += _numeric_column(reader, "date_ordinal", _DATE_COLUMN, "i")
            # One int per docnum orders newest first, then by docnum; undated documents last.
            days = np.frombuffer(date_key, dtype=np.int32).astype(np.int64)
            self.date_rank = (-days << 24) | np.arange(self.size, dtype=np.int64)
            self.norms: dict[str, np.ndarray] = {}
            for fieldname in _TEXT_FIELDS:
                # BM25's length normalisation, precomputed for every document: lengths are
                # stored as one of 256 byte codes, so it is looked up per code.
                average = self.searcher.avg_field_length(fieldname) or 1.0
                table = np.array([_K1 * ((1 - _B) + _B * n / average) for n in _LENGTHS])
                codes = [_length_codes(reader, fieldname) for reader, _ in self.leaves]
                joined = b"".join(c.tobytes() for c in codes)
                self.norms[fieldname] = table[np.frombuffer(joined, dtype=np.uint8)]
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
                ids = _posting_ids(reader, fieldname, text).astype(np.intp) + offset
                found.setdefault(text, []).append(ids)
        values = sorted(found)
        owners = [np.concatenate(found[v]) for v in values]
        indexes = [np.full(len(o), i, dtype=np.intp) for i, o in enumerate(owners)]
        owners_all = np.concatenate(owners) if owners else np.zeros(0, dtype=np.intp)
        indexes_all = np.concatenate(indexes) if indexes else np.zeros(0, dtype=np.intp)
        keep = self.live[owners_all]
        return _Facet(values, owners_all[keep], indexes_all[keep])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.searcher.close()
        with contextlib.suppress(Exception):
            self.ix.close()

    def empty(self) -> np.ndarray:
        """A mask of no documents."""
        return np.zeros(self.size, dtype=bool)

    def allowed(self, facet: str, chosen: Iterable[str]) -> np.ndarray:
        """The live documents having any of the ``chosen`` values of ``facet``."""
        table = self.facets[facet]
        chosen = set(map(str, chosen))
        wanted = [i for i, v in enumerate(table.values) if v in chosen]
        return postings.mask_of(self.size, table.owners[np.isin(table.indexes, wanted)])

    def doc_frequency(self, term: str) -> int:
        """Postings of ``term`` in all text fields, deleted documents included."""
        return sum(self.searcher.doc_frequency(f, term) for f in _TEXT_FIELDS)

    def exact_docs(self, text: str) -> np.ndarray:
        """The live documents whose 文号 or 索引号 is the whole query."""
        out = self.empty()
        ref = normalize_ref(_QUOTES.sub("", text))
        if ref:
            for fieldname in ("doc_no", "index_no"):
                for reader, offset in self.leaves:
                    out[offset:][_posting_ids(reader, fieldname, ref)] = True
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
                self._slugs = [(reader, offset, [b.decode("utf-8") for b in reader.lexicon("slug")])
                               for reader, offset in self.leaves]
            live = self.live.copy()
            for reader, offset, slugs in self._slugs:
                for slug in slugs:
                    if slug not in published:  # withdrawn since the index was written: few
                        live[offset + _posting_ids(reader, "slug", slug).astype(np.intp)] = False
            self._kept = (published, _View(self, live))
        return self._kept[1]


class _View:
    """The documents of a snapshot that a search may find, with what is cached about them."""

    def __init__(self, snap: _Snapshot, live: np.ndarray):
        self.snap = snap
        self.live = live
        self._by_date: np.ndarray | None = None
        self._all_facets: dict[str, list[tuple[str, int]]] | None = None

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
            if snap is not None and os.readlink(self.index_root / _CURRENT) == snap.gen.name:
                return snap
        gen = _live_generation(self.index_root)
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
    ) -> Results:
        """Search ``query`` within ``filters``; see the module docstring for the rules.

        ``filters`` keys are category, department, year and five_openness; values within a key
        are alternatives, keys all apply. A blank query lists the filtered documents by date.
        ``published``, when given, holds the slugs that may be found: a document the index
        still holds but the site no longer publishes is left out of hits, totals and facet
        counts alike. Pass the same set object while it is unchanged; its mask is cached.
        """
        query = query or ""
        if len(query.strip()) > MAX_QUERY_LENGTH:
            raise QueryTooLong(len(query.strip()))
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
        unknown = set(filters or {}) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown search filters: {sorted(unknown)}")
        page = max(1, int(page))
        per_page = min(MAX_PER_PAGE, max(1, int(per_page)))
        # A lone string is one value, not a sequence of characters.
        active = {
            k: [v] if isinstance(v, str) else list(v) for k, v in (filters or {}).items() if v
        }
        with self._lock:
            snap = self._current()
            try:
                view = snap.view(published)
                return self._search(snap, view, query, active, sort, page, per_page)
            except SearchError:
                raise
            except _BROKEN as exc:
                raise _unavailable("the search index cannot be read", exc) from None

    def _search(self, snap, view, query, active, sort, page, per_page) -> Results:
        parts, marks = parse_query(query)
        results = Results(query, 0, page, per_page, [], {f: [] for f in FACETS}, sort)
        if query.strip() and not parts:
            return results  # only punctuation, emoji or stop words: nothing to look for

        per_key = {k: snap.allowed(k, vals) for k, vals in active.items()}
        exact = snap.exact_docs(query) & view.live if parts else snap.empty()
        context = _Query(snap)
        text_docs = view.live
        if parts:
            sets = [context.part_docs(p) for p in parts]
            every = np.logical_and.reduce(sets) & view.live
            if not every.any() and len(parts) > 1:
                every = np.logical_or.reduce(sets) & view.live
                results.relaxed = bool(every.any())
            text_docs = every | exact

        def restrict(docs: np.ndarray, skip: str | None = None) -> np.ndarray:
            for k, allowed in per_key.items():
                if k != skip:
                    docs = docs & allowed
            return docs

        matched = restrict(text_docs)
        results.total = int(np.count_nonzero(matched))
        if not parts and not per_key:
            results.facets = {f: list(counts) for f, counts in view.all_facets().items()}
        else:
            for facet in FACETS:
                base = restrict(text_docs, skip=facet) if facet in per_key else matched
                results.facets[facet] = snap.facet_counts(base, facet)

        first, want = (page - 1) * per_page, page * per_page
        if first >= results.total:
            return results
        scores: dict[int, float] = {}
        if not parts or sort == "date":
            order = view.by_date(matched, want)
        else:
            top = view.by_date(exact & matched, int(np.count_nonzero(exact)))
            scores = dict(context.rank(parts, matched, want + len(top)))
            order = top + [d for d in scores if not exact[d]]
        pattern = _mark_pattern(marks)
        for docnum in order[first:want]:
            stored = snap.searcher.stored_fields(docnum)
            day = stored.get("date")
            results.hits.append(
                Hit(
                    slug=stored["slug"],
                    title_html=highlight(stored.get("title", ""), pattern),
                    snippet_html=snippet(stored.get("body", ""), pattern),
                    date=datetime.date.fromisoformat(day) if day else None,
                    department=stored.get("department", ""),
                    category=stored.get("category", ""),
                    score=scores.get(docnum, 0.0),
                )
            )
        return results
