"""Matching and ranking one query over posting lists read whole. No Whoosh.

Sets of documents are boolean masks over a snapshot's global docnums. A plain word requires
every one of its atoms in any text field; a phrase requires its characters standing together
within one field (phrases.py), found by set operations on the position keys as stored and,
where an end may be glued to a neighbouring word, in the stored text. Ranking is BM25F
(Whoosh's formula and defaults) with the field boosts of fields.TEXT_FIELDS, summed over the
matched postings in one vectorised step; a word of several atoms also scores where it occurs
whole. A part with alternatives (synonyms, pinyin) is held by a document holding it or every
part of one of them, and their words score too. A scope keeps only the positions of some
fields: every step then sees those fields alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from portal.search import phrases, postings
from portal.search.analysis import NOT_ATOM, fold
from portal.search.fields import FIELD_SHIFT, POSITION_FIELDS, POSITIONS, TAILS, TEXT_FIELDS
from portal.search.query import Alternative, Part

# BM25F parameters (Whoosh's defaults).
B, K1 = 0.75, 1.2
_NO_KEYS = np.zeros(0, dtype=np.uint64)
_SHIFT = np.uint64(postings.KEY_SHIFT)
_NOT_ATOM = np.uint64(NOT_ATOM)
_FIELD_SHIFT = np.uint64(FIELD_SHIFT)
_FIELD_MASK = np.uint64((1 << (postings.KEY_SHIFT - FIELD_SHIFT)) - 1)


class Snapshot(Protocol):
    """What matching needs of an open index generation."""

    live_count: int
    norms: dict[str, np.ndarray]
    offsets: list[int]  # the first docnum of each segment

    def empty(self) -> np.ndarray: ...

    def doc_frequency(self, term: str) -> int: ...

    def segment_blocks(self, term: str, fieldname: str, offset: int) -> list[postings.Block]: ...

    def texts(self, docnum: int) -> list[str]: ...

    def terms_with_prefix(self, fieldname: str, offset: int, prefix: str) -> list[str]: ...


class QueryPostings:
    """Posting lists read for one query, shared by matching, phrases and ranking.

    Every term has one list of position keys in each segment (fields.POSITIONS): its
    documents, fields and frequencies are read off the keys.
    """

    def __init__(self, snap: Snapshot, within: np.ndarray, fields: Sequence[str] | None = None):
        self.snap = snap
        self.within = within  # the documents the search may find
        # The text fields words are looked for in (None: all), as indexes of POSITION_FIELDS.
        self.fields = None if fields is None else sorted(POSITION_FIELDS.index(f) for f in fields)
        self._keys: dict[tuple[str, int], np.ndarray] = {}
        self._runs: dict[str, list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]] = {}
        self._alternatives: dict[Alternative, np.ndarray] = {}

    def segment_keys(self, term: str, offset: int) -> np.ndarray:
        """The term's position keys in the segment at ``offset``."""
        key = (term, offset)
        if key not in self._keys:
            blocks = self.snap.segment_blocks(term, POSITIONS, offset)
            keys = postings.block_keys(blocks) if blocks else _NO_KEYS
            if self.fields is not None and len(keys):
                field = (keys >> _FIELD_SHIFT) & _FIELD_MASK
                keys = keys[np.isin(field, self.fields)]
            self._keys[key] = keys
        return self._keys[key]

    def runs(self, term: str) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """(segment offset, docnums, fields, occurrences) of each document and field holding
        the term, deleted documents included."""
        if term not in self._runs:
            found = ((o, self.segment_keys(term, o)) for o in self.snap.offsets)
            self._runs[term] = [
                (offset, *postings.field_runs(keys, FIELD_SHIFT))
                for offset, keys in found
                if len(keys)
            ]
        return self._runs[term]

    def term_docs(self, term: str) -> np.ndarray:
        """The documents holding ``term`` in any text field."""
        out = self.snap.empty()
        for offset, docs, _, _ in self.runs(term):
            out[offset:][docs] = True
        return out

    def part_docs(self, part: Part) -> np.ndarray:
        """The documents holding every atom of ``part``, or its phrase, or one of its
        alternatives."""
        docs = self._own_docs(part)
        for alternative in part.alternatives:
            docs = docs | self.alternative_docs(alternative)
        return docs

    def alternative_docs(self, alternative: Alternative) -> np.ndarray:
        """The documents holding every part of an alternative."""
        found = self._alternatives.get(alternative)
        if found is None:
            found = self._alternatives[alternative] = self._every(alternative.parts)
        return found

    def _every(self, parts: Sequence[Part]) -> np.ndarray:
        docs = None
        for part in parts:
            found = self._own_docs(part)
            docs = found if docs is None else docs & found
            if not docs.any():
                break
        return self.snap.empty() if docs is None else docs

    def _own_docs(self, part: Part) -> np.ndarray:
        docs = None
        for atom in sorted(set(part.atoms), key=self.snap.doc_frequency):
            found = self.term_docs(atom)
            docs = found if docs is None else docs & found
            if not docs.any():
                break
        if docs is None:
            docs = self.snap.empty()
        if len(part.elements) > 1:
            return self.phrase_docs(part, docs)
        return docs

    def phrase_docs(self, part: Part, holding: np.ndarray) -> np.ndarray:
        """The documents where the phrase's characters stand together in one field: first
        where its atoms stand at consecutive positions, as the query spells it (most of them,
        among the documents ``holding`` every atom), then where atoms spell it otherwise."""
        found = self.spelt_as_queried(part.atoms, holding) if len(part.atoms) > 1 else holding
        check = self.snap.empty()
        ends = [*self.snap.offsets[1:], len(found)]
        for offset, end in zip(self.snap.offsets, ends, strict=True):
            segment = _Segment(self, offset)
            check[offset:end][phrases.spell(part.elements, segment, found[offset:end])] = True
        check &= self.within & ~found
        if check.any():
            pattern = phrases.pattern(part.elements)
            chosen = None if self.fields is None else [POSITION_FIELDS[f] for f in self.fields]
            for docnum in np.flatnonzero(check).tolist():
                texts = zip(TEXT_FIELDS, self.snap.texts(docnum), strict=True)
                found[docnum] = any(
                    pattern.search(fold(t)) for f, t in texts if chosen is None or f in chosen
                )
        return found

    def spelt_as_queried(self, atoms: Sequence[str], holding: np.ndarray) -> np.ndarray:
        """The documents of ``holding`` with ``atoms`` at consecutive positions in one field."""
        found = self.snap.empty()
        # Phrase starts (key - place in the phrase) of the rarest atom, kept where each other
        # atom's stored keys (ascending) hold start + its place. Keys are unsigned: a start
        # before position 0 wraps around and can never be found, as it must not.
        (k0, first), *rest = sorted(enumerate(atoms), key=lambda ka: self.snap.doc_frequency(ka[1]))
        for offset in self.snap.offsets:
            keys = self.segment_keys(first, offset)
            keys = keys[holding[offset:][(keys >> _SHIFT).astype(np.intp)]]
            starts = keys[(keys & _NOT_ATOM) == 0] - np.uint64(k0)
            for k, atom in rest:
                more = self.segment_keys(atom, offset)
                starts = starts[postings.holds(more, starts + np.uint64(k))]
                if not len(starts):
                    break
            found[offset:][(starts >> _SHIFT).astype(np.intp)] = True
        return found

    def rank(self, parts: list[Part], matched: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The ``n`` best of ``matched`` by BM25F over the parts' atoms and whole words. A part
        with alternatives scores, in each document, the best score of the ways of saying it
        that the document holds, so a synonym found often never outweighs the rest of the
        query, and a document holding a synonym whole beats one holding the typed word's
        atoms apart."""
        terms: dict[str, float] = {}
        for part in parts:
            if not part.alternatives:
                for term in _terms(part):
                    terms[term] = terms.get(term, 0.0) + 1.0
        scores = np.zeros(len(matched), dtype=np.float64)
        for term, weight in terms.items():
            self._score(scores, term, weight, matched)
        for part in parts:
            if part.alternatives:
                best = np.zeros(len(matched), dtype=np.float64)
                ways = [(_terms(part), self._own_docs(part))]
                ways += [
                    (_alternative_terms(a), self.alternative_docs(a)) for a in part.alternatives
                ]
                for way, holding in ways:
                    way_scores = np.zeros(len(matched), dtype=np.float64)
                    for term in way:
                        self._score(way_scores, term, 1.0, matched & holding)
                    np.maximum(best, way_scores, out=best)
                scores += best
        docs = np.flatnonzero(matched)
        top, values = postings.best(docs, scores[docs], n)
        return list(zip(top.tolist(), values.tolist(), strict=True))

    def _score(self, scores: np.ndarray, term: str, weight: float, matched: np.ndarray) -> None:
        """Add the term's BM25F score in each of ``matched`` to ``scores``."""
        total = max(1, self.snap.live_count)
        runs = self.runs(term)
        # Documents holding the term per field, deleted ones included (as in Whoosh).
        df = sum(
            (np.bincount(f, minlength=len(POSITION_FIELDS)) for _, _, f, _ in runs),
            np.zeros(len(POSITION_FIELDS), dtype=np.intp),
        )
        hits = []
        for offset, docs, fields, tfs in runs:
            docs = docs.astype(np.intp) + offset
            hit = matched[docs]
            hits.append((docs[hit], fields[hit], tfs[hit].astype(np.float64)))
        for fieldname, boost in TEXT_FIELDS.items():
            field = POSITION_FIELDS.index(fieldname)
            if not df[field]:
                continue
            factor = (math.log(total / (df[field] + 1)) + 1) * boost * weight * (K1 + 1)
            norm = self.snap.norms[fieldname]
            for docs, fields, tfs in hits:
                chosen = fields == field
                docs, tf = docs[chosen], tfs[chosen]
                # Each document appears once per field, so += adds to each once.
                scores[docs] += factor * (tf / (tf + norm[docs]))


def _terms(part: Part) -> list[str]:
    return [t for t in dict.fromkeys((*part.atoms, part.whole)) if t]


def _alternative_terms(alternative: Alternative) -> list[str]:
    return [t for p in alternative.parts for t in _terms(p)]


class _Segment:
    """The positions of one segment, as phrases.spell reads them."""

    def __init__(self, query: QueryPostings, offset: int):
        self.query, self.offset = query, offset

    def keys(self, term: str) -> np.ndarray:
        """The term's position keys in this segment."""
        return self.query.segment_keys(term, self.offset)

    def starting_with(self, char: str) -> list[str]:
        """The segment's two-character terms starting with ``char``."""
        terms = self.query.snap.terms_with_prefix(POSITIONS, self.offset, char)
        return [t for t in terms if len(t) == 2]

    def ending_with(self, char: str) -> list[str]:
        """The segment's two-character atoms ending with ``char``."""
        return [t[::-1] for t in self.query.snap.terms_with_prefix(TAILS, self.offset, char)]
