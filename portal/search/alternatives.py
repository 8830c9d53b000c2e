"""Letters read as pinyin: the indexed words a typed spelling stands for. No Whoosh.

A plain word of letters that no document holds (``kejitepaiyuan``, ``kjtpy``) is looked up among
the pinyin keys of the titles' and keywords' words (fields.PINYIN): first whole, then split
into two or three keys at syllable boundaries (or letters, for initials), each key a word or a
run of words. Each way of reading it becomes an alternative of the part, which the search
then matches like any other typed words (not as phrases: a word of a title is found however
it is cut, and a phrase per reading would cost three phrase searches), so no ranking of its own
is needed; the most frequent readings are kept.

Pinyin is often typed a syllable or a word at a time (``ke ji te pai yuan``, ``kj tpy``): words of
letters typed apart, each of them pinyin syllables or initials (no vowel) that no document holds,
are joined into one spelling when together they spell indexed words (joined()).
"""

from __future__ import annotations

import itertools
import re
from typing import Protocol

from portal.search import pinyin
from portal.search.query import Alternative, Part, word_parts

# Words considered per key and readings kept per part, at most; a reading is kept only while
# its titles and keywords are at least 1/RARER_KEPT as many as the likeliest one's (kjtpy is
# 科技特派员 on a site that has it, not a word one title holds by chance).
WORDS_PER_KEY = 3
MAX_READINGS = 3
RARER_KEPT = 10


class Vocabulary(Protocol):
    """What reading letters and correcting words need of an index: its own words."""

    def spelt(self, key: str) -> list[tuple[str, int]]:
        """The words indexed under a pinyin key, each with the documents holding it, most
        first."""

    def edited(self, variant: str) -> list[tuple[str, int]]:
        """The words of titles and keywords indexed under a variant (slips.py), each with the
        documents holding it, most first."""

    def latin_words(self) -> list[str]:
        """The words of Latin letters the index holds."""

    def doc_frequency(self, term: str) -> int:
        """Documents holding ``term`` in any text field."""


_TOKEN = re.compile(r"[a-z0-9]+")
_VOWELS = frozenset("aeiouv")


def _joinable(word: str, vocabulary: Vocabulary) -> bool:
    """Whether a word typed apart may be a piece of one pinyin spelling."""
    if not pinyin.LETTERS.fullmatch(word) or vocabulary.doc_frequency(word):
        return False
    return not _VOWELS.intersection(word) or bool(pinyin.syllables(word))


def joined(text: str, vocabulary: Vocabulary) -> tuple[str, dict[str, str]]:
    """``text`` (folded) with each run of two or more words of letters typed apart that spell
    indexed words together joined into one word; and each joined word with the run as typed
    (its spaces single)."""
    runs: list[list[re.Match]] = [[]]
    for m in _TOKEN.finditer(text):
        current = runs[-1]
        if not _joinable(m.group(), vocabulary):
            runs.append([])
        elif current and not text[current[-1].end() : m.start()].isspace():
            runs.append([m])
        else:
            current.append(m)
    out, typed, at = [], {}, 0
    for run in runs:
        letters = "".join(m.group() for m in run)
        if len(run) < 2 or not readings(letters, vocabulary):
            continue
        out += [text[at : run[0].start()], letters]
        at = run[-1].end()
        typed[letters] = " ".join(m.group() for m in run)
    return "".join([*out, text[at:]]), typed


def letters_of(part: Part) -> str:
    """The letters of a part that is one plain word of Latin letters, else ""."""
    if part.phrase or len(part.atoms) != 1:
        return ""
    word = part.atoms[0]
    return word if pinyin.LETTERS.fullmatch(word) and len(word) >= 2 else ""


def readings(letters: str, vocabulary: Vocabulary) -> tuple[Alternative, ...]:
    """The words ``letters`` spell in pinyin, as alternatives; () if none is indexed."""
    for keys in pinyin.key_spans(letters):
        found = []
        for key in keys:
            words = vocabulary.spelt(key)[:WORDS_PER_KEY]
            if not words:
                break
            found.append(words)
        else:
            combos = sorted(
                itertools.product(*found), key=lambda ws: (-min(n for _, n in ws), len(ws))
            )
            out = []
            best = min(n for _, n in combos[0])
            for combo in combos[:MAX_READINGS]:
                if min(n for _, n in combo) * RARER_KEPT < best:
                    break
                text = "".join(w for w, _ in combo)
                parts = tuple(p for w, _ in combo for p in word_parts(w))
                out.append(Alternative(text, "pinyin", parts))
            return tuple(out)
    return ()
