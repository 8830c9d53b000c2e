"""Matching and ranking one query over posting lists read whole. No Whoosh.

Sets of documents are boolean masks over a snapshot's global docnums. A plain word requires
every one of its atoms in any text field; a phrase requires its atoms at consecutive positions
within one field, matched by set operations on the position keys as stored. Ranking is BM25F
(Whoosh's formula and defaults) with the field boosts of fields.TEXT_FIELDS, summed over the
matched postings in one vectorised step; a word of several atoms also scores where it occurs
whole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from portal.search import postings
from portal.search.fields import TEXT_FIELDS
from portal.search.query import Part

# BM25F parameters (Whoosh's defaults).
B, K1 = 0.75, 1.2
_SHIFT = np.uint64(postings.KEY_SHIFT)

# (segment offset, blocks) for every segment holding a term in a field.
SegmentBlocks = list[tuple[int, list[postings.Block]]]


class Snapshot(Protocol):
    """What matching needs of an open index generation."""

    live_count: int
    norms: dict[str, np.ndarray]

    def empty(self) -> np.ndarray: ...

    def doc_frequency(self, term: str) -> int: ...

    def term_blocks(self, term: str, fieldname: str) -> SegmentBlocks: ...


class QueryPostings:
    """Posting blocks read for one query, shared by matching, phrases and ranking."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        self._blocks: dict[tuple[str, str], SegmentBlocks] = {}
        self._ids: dict[tuple[str, str], list[tuple[int, np.ndarray]]] = {}

    def blocks(self, term: str, fieldname: str) -> SegmentBlocks:
        """(segment offset, blocks) for every segment holding the term in the field."""
        key = (term, fieldname)
        if key not in self._blocks:
            self._blocks[key] = self.snap.term_blocks(term, fieldname)
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
        for fieldname in TEXT_FIELDS:
            for offset, ids in self.ids(term, fieldname):
                out[offset:][ids] = True
        return out

    def part_docs(self, part: Part) -> np.ndarray:
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
        for fieldname in TEXT_FIELDS:
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

    def rank(self, parts: list[Part], matched: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The ``n`` best of ``matched`` by BM25F over the parts' atoms and whole words."""
        terms: dict[str, float] = {}
        for part in parts:
            for term in (*part.atoms, part.whole):
                if term:
                    terms[term] = terms.get(term, 0.0) + 1.0
        total = max(1, self.snap.live_count)
        scores = np.zeros(len(matched), dtype=np.float64)
        for term, weight in terms.items():
            for fieldname, boost in TEXT_FIELDS.items():
                found = self.ids(term, fieldname)
                # Deleted documents count in the document frequency, as in Whoosh.
                df = sum(len(ids) for _, ids in found)
                if not df:
                    continue
                factor = (math.log(total / (df + 1)) + 1) * boost * weight * (K1 + 1)
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
