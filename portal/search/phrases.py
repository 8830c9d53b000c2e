"""Quoted phrases, found wherever their characters stand together in a field. No Whoosh.

Every character of Chinese text belongs to exactly one atom of one or two characters
(analysis.py), and atoms stand at consecutive positions, skipping spaces, punctuation and stop
words. So a phrase stands in a field where atoms at consecutive positions spell its characters,
however jieba cut the text there: each character alone or paired with its neighbour. Latin
words and numbers are matched whole, one atom each. The wholes and sub-words of Chinese words
are stored with flagged positions (analysis.NOT_ATOM) and never stand for an atom here, and a
position carries its field (fields.POSITIONS), so a spelling never runs from one field into the
next.

Most documents are found where the phrase's own atoms stand in a row, as the query spells it
(matching.py). spell() finds the rest: it follows every other way to spell the phrase left to
right over the stored position keys of the documents not found yet, one set operation per step
(a dynamic programme over the phrase's characters: no spelling is tried twice).

Only the two ends need more. The first character may be the second of an atom that starts
before the phrase (市政|府 for 政府信息公开), the last the first of one that ends after it
(一网通|办是 for 一网通办). Inside one word the first case shows in the index: the first two
characters are stored as the word's sub-word at the atom before. Otherwise the documents where
atoms spell the phrase but for such an end are checked: by searching their stored text with
pattern() while they are few (TEXT_CHECKS), else by looking up every two-character atom that
starts with the last character (by prefix among the terms) or ends with the first (by prefix
among the same atoms written backwards, fields.TAILS). A phrase of one Chinese character, and
one of two whose characters each belong to a neighbouring word (中国 in 其中国产), are found
only where atoms spell them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from portal.search import postings
from portal.search.analysis import NOT_ATOM, STOP_WORDS, is_cjk

_ONE = np.uint64(1)
_FLAG = np.uint64(NOT_ATOM)
_SHIFT = np.uint64(postings.KEY_SHIFT)

# What positions skip between two atoms: spaces, punctuation and stop words.
_LATIN_STOPS = sorted((w for w in STOP_WORDS if w.isascii()), key=len, reverse=True)
_CHINESE_STOPS = sorted((w for w in STOP_WORDS if not w.isascii()), key=len, reverse=True)
_SKIPPED = (
    r"(?:[\W_]|"
    + "|".join(map(re.escape, _CHINESE_STOPS))
    + r"|(?<![a-z0-9])(?:"
    + "|".join(map(re.escape, _LATIN_STOPS))
    + r")(?![a-z0-9]))*"
)


class Segment(Protocol):
    """The positions of one index segment, as a phrase reads them (fields.POSITIONS)."""

    def keys(self, term: str) -> np.ndarray:
        """The term's position keys, ascending (none if it is not there)."""

    def starting_with(self, char: str) -> Sequence[str]:
        """The segment's two-character terms that start with ``char``."""

    def ending_with(self, char: str) -> Sequence[str]:
        """The segment's two-character atoms that end with ``char`` (more will do)."""


# While this many documents or fewer of a segment are to be checked, reading their text costs
# less than looking up the atoms that start or end with a character (a few dozen lookups).
TEXT_CHECKS = 100

_Pairs = tuple[np.ndarray, np.ndarray]
_NOTHING: _Pairs = (np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64))


def spell(elements: Sequence[str], segment: Segment, found: np.ndarray) -> np.ndarray:
    """Mark in ``found`` (a mask over one segment's docnums, holding those found already) the
    documents where atoms spell the phrase's ``elements`` (its Chinese characters one by one,
    its other words whole) within one field; return the documents whose text is still to be
    searched for it, where atoms spell it but for an end that may be glued to a neighbour."""
    n = len(elements)
    chinese = [bool(is_cjk(e)) for e in elements]

    def atoms(i: int) -> list[tuple[str, int]]:
        # The atoms that can spell elements[i:], each with how many elements it spells.
        if chinese[i] and i + 1 < n and chinese[i + 1]:
            return [(elements[i], 1), (elements[i] + elements[i + 1], 2)]
        return [(elements[i], 1)]

    def run(first: int) -> list[_Pairs]:
        """after[i]: (key where the next atom must stand, key of the first atom) for each way
        atoms spell elements[first:i] in a document not found yet."""
        after: list[list[_Pairs]] = [[] for _ in range(n + 1)]
        for term, size in atoms(first):
            keys = _atoms_only(segment.keys(term))
            keys = keys[~found[_docs(keys)]]
            after[first + size].append((keys + _ONE, keys))
        for i in range(first + 1, n):
            if after[i]:
                here, origin = _joined(after[i])
                for term, size in atoms(i):
                    hit = postings.holds(segment.keys(term), here)
                    after[i + size].append((here[hit] + _ONE, origin[hit]))
        return [_joined(pairs) for pairs in after]

    def fresh(pairs: _Pairs) -> _Pairs:
        keep = ~found[_docs(pairs[0])]
        return pairs[0][keep], pairs[1][keep]

    spelt = run(0)
    found[_docs(spelt[n][0])] = True
    if n == 1:
        return _NO_DOCS
    # Spellings but for the last character (it may start the next atom), the first (it may
    # end the atom before) or both.
    last = fresh(spelt[n - 1]) if chinese[-1] else _NOTHING
    first, both = _NOTHING, _NOTHING
    if chinese[0]:
        rest = run(1)
        first = fresh(rest[n])
        if chinese[1] and len(first[1]):
            # Inside one word, the first two characters are stored as its sub-word, flagged at
            # the position of the atom before (市政|府: 政府 at 市政's).
            held = postings.holds(
                segment.keys(elements[0] + elements[1]), (first[1] - _ONE) | _FLAG
            )
            found[_docs(first[1][held])] = True
            first = fresh(first)
        if n > 2 and chinese[-1]:
            both = fresh(rest[n - 1])
    maybe = np.zeros(len(found), dtype=bool)
    maybe[_docs(np.concatenate([last[0], first[0], both[0]]))] = True
    if np.count_nonzero(maybe) <= TEXT_CHECKS:
        return np.flatnonzero(maybe)
    _glue(elements, segment, found, last, first, both)
    return _NO_DOCS


def _glue(
    elements: Sequence[str],
    segment: Segment,
    found: np.ndarray,
    last: _Pairs,
    first: _Pairs,
    both: _Pairs,
) -> None:
    """Mark the documents where an atom starting with the last character stands at a key of
    ``last``, one ending with the first just before a start of ``first``, or both for
    ``both``."""
    starts = first[1]
    if len(last[0]) or len(both[0]):
        held_last = np.zeros(len(last[0]), dtype=bool)
        held_both = np.zeros(len(both[0]), dtype=bool)
        for term in segment.starting_with(elements[-1]):
            keys = segment.keys(term)
            held_last |= postings.holds(keys, last[0])
            held_both |= postings.holds(keys, both[0])
        found[_docs(last[0][held_last])] = True
        starts = np.concatenate([starts, both[1][held_both]])
    if len(starts):
        held = np.zeros(len(starts), dtype=bool)
        for term in segment.ending_with(elements[0]):
            held |= postings.holds(segment.keys(term), starts - _ONE)
        found[_docs(starts[held])] = True


@functools.lru_cache(maxsize=256)
def pattern(elements: tuple[str, ...]) -> re.Pattern:
    """The phrase on folded text, with what positions skip allowed between its elements."""
    parts = []
    for element in elements:
        part = re.escape(element)
        # Latin words and numbers only match whole: "data" is not in "database".
        if element[0].isascii() and element[0].isalnum():
            part = r"(?<![a-z0-9])" + part
        if element[-1].isascii() and element[-1].isalnum():
            part += r"(?![a-z0-9])"
        parts.append(part)
    return re.compile(_SKIPPED.join(parts))


def _atoms_only(keys: np.ndarray) -> np.ndarray:
    return keys[(keys & _FLAG) == 0]


def _joined(pairs: list[_Pairs]) -> _Pairs:
    if len(pairs) == 1:
        return pairs[0]
    if not pairs:
        return _NOTHING
    return np.concatenate([a for a, _ in pairs]), np.concatenate([b for _, b in pairs])


def _docs(keys: np.ndarray) -> np.ndarray:
    # A key just after an atom still carries its document: positions never reach 2**32 - 1.
    return (keys >> _SHIFT).astype(np.intp)


_NO_DOCS = np.zeros(0, dtype=np.intp)
