"""Did you mean: a correction of a query drawn from the index's own words. No Whoosh.

Three kinds of slip are corrected. Chinese typed with a pinyin input method picks a character
of the same sound (科技特派圆 for 科技特派员): every stretch of two to eight characters of the
query that is not itself an indexed word is spelled in pinyin and looked up among the titles'
and keywords' words (fields.PINYIN); a word of the same sound and length replaces it. Chinese
typed in haste drops, adds, swaps or replaces a character (科技派特员, 科技型中小企评价): every
stretch that starts and ends where the query's words do and is not itself an indexed word is
replaced by the titles' and keywords' words one edit from it (slips.py, fields.EDITS). A word of
Latin letters the index does not hold is replaced by the closest one it does (Levenshtein
distance, rapidfuzz; one edit for words of up to five letters, two for longer).

Each candidate is tried: the one whose query finds the most documents wins, and is offered only
when it finds more than the query as typed (the caller counts). The visitor's query is never
replaced: the correction is a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from portal.search import pinyin, slips
from portal.search.alternatives import Vocabulary
from portal.search.analysis import fold, words

_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"(?<![a-z0-9])[a-z]{3,}(?![a-z0-9])")
# Candidates counted, at most: each costs a search without ranking.
MAX_TRIED = 6
# Spellings of a stretch looked up, at most (its characters' usual readings first).
SPELLINGS_PER_STRETCH = 2
# Reads of the term index per tier of candidates, at most: a pasted paragraph has thousands of
# stretches, and a correction must cost about what a search does. Longer stretches go first.
MAX_LOOKUPS = 200


# Tiers of candidates: a slip of sound or spelling is corrected before a slip of one
# character is looked for, so 科技创新圈 is offered 科技创新券 rather than the 科技创新 left
# without its last character, which finds more.
BY_SOUND_OR_SPELLING, BY_ONE_EDIT = 0, 1


def candidates(query: str, vocabulary: Vocabulary, tier: int = BY_SOUND_OR_SPELLING) -> list[str]:
    """Corrected queries of a tier, the likeliest first (longest stretch replaced, then most
    documents); [] when no word of the query is mistyped."""
    text = fold(query)
    found: dict[str, tuple] = {}
    vocabulary = _Budgeted(vocabulary, MAX_LOOKUPS)
    for run in _CHINESE.finditer(text):
        at = run.start()
        replaced = _same_sound if tier == BY_SOUND_OR_SPELLING else _one_edit
        for replacement, start, end, weight in replaced(run.group(), vocabulary):
            fixed = text[: at + start] + replacement + text[at + end :]
            found.setdefault(fixed, (-(end - start), -weight))
    latin = vocabulary.latin_words() if tier == BY_SOUND_OR_SPELLING and _LATIN.search(text) else []
    for m in _LATIN.finditer(text) if latin else ():
        word = m.group()
        if vocabulary.doc_frequency(word):
            continue
        limit = 1 if len(word) <= 5 else 2
        best = process.extractOne(word, latin, scorer=Levenshtein.distance, score_cutoff=limit)
        if best is not None:
            fixed = text[: m.start()] + best[0] + text[m.end() :]
            found.setdefault(fixed, (-len(word), -vocabulary.doc_frequency(best[0])))
    return sorted(found, key=found.__getitem__)


class _Budgeted:
    """A vocabulary that answers at most ``lookups`` reads of the term index, then nothing."""

    def __init__(self, vocabulary: Vocabulary, lookups: int):
        self.vocabulary, self.left = vocabulary, lookups

    def _spend(self) -> bool:
        self.left -= 1
        return self.left >= 0

    def spelt(self, key: str) -> list[tuple[str, int]]:
        return self.vocabulary.spelt(key) if self._spend() else []

    def edited(self, variant: str) -> list[tuple[str, int]]:
        return self.vocabulary.edited(variant) if self._spend() else []

    def doc_frequency(self, term: str) -> int:
        # Spent: every term is taken as held, so no more stretches are tried.
        return self.vocabulary.doc_frequency(term) if self._spend() else 1

    def latin_words(self) -> list[str]:
        return self.vocabulary.latin_words()


def _same_sound(run: str, vocabulary: Vocabulary):
    """(word, start, end, documents) for each indexed word that sounds like a stretch of
    ``run`` but is written otherwise, where the stretch as written is no indexed word."""
    for size in range(min(len(run), pinyin.MAX_KEY_CHARS), 1, -1):
        for start in range(len(run) - size + 1):
            stretch = run[start : start + size]
            keys = [k for k in pinyin.spellings(stretch) if len(k) > size]  # full ones
            words: dict[str, int] = {}
            for key in keys[:SPELLINGS_PER_STRETCH]:
                words.update(vocabulary.spelt(key))
            if stretch in words:
                continue
            for word, documents in words.items():
                if len(word) == size:
                    yield word, start, start + size, documents


def _one_edit(run: str, vocabulary: Vocabulary):
    """(word, start, end, documents) for each indexed word one edit from a stretch of ``run``
    that starts and ends where its words do (slips.py)."""
    edges = _edges(run)
    for size in range(min(len(run), slips.MAX_STRETCH), 1, -1):
        for start in range(len(run) - size + 1):
            end = start + size
            # A stretch that documents hold as a word is no slip (镇政府 in 镇政府职责).
            if start in edges and end in edges and not vocabulary.doc_frequency(run[start:end]):
                for word, documents in slips.one_edit(run[start:end], vocabulary.edited):
                    if _plausible(run, start, end, word):
                        yield word, start, end, documents


def _plausible(run: str, start: int, end: int, word: str) -> bool:
    """Whether ``word`` in place of run[start:end] mends a slip rather than a word's ends. A
    character "dropped" at an end that the query holds just beside it was not dropped (科技特派
    in 科技特派员管路办法); a character "added" at an end is a word of its own (镇 of 镇政府职责)
    unless it repeats its neighbour (特派员员)."""
    stretch = run[start:end]
    if len(word) > len(stretch):
        return not (
            (word.startswith(stretch) and word[-1] == run[end : end + 1])
            or (word.endswith(stretch) and start and word[0] == run[start - 1])
        )
    if len(word) < len(stretch):
        inside = range(1, len(stretch) - 1)
        return (
            any(stretch[:i] + stretch[i + 1 :] == word for i in inside)
            or stretch[0] == stretch[1]
            or stretch[-1] == stretch[-2]
        )
    return True


def _edges(run: str) -> set[int]:
    """Where the words of a run of Chinese characters start and end (their atoms'), as
    analysed; every place between two characters if the analysis cannot be followed."""
    edges, at = {0, len(run)}, 0
    for word in words(run):
        for atom in word.atoms:
            start = run.find(atom, at)
            if start < 0:
                return set(range(len(run) + 1))
            at = start + len(atom)
            edges.update((start, at))
    return edges


def correct(query: str, vocabulary: Vocabulary, count: Callable[[str], int]) -> str:
    """The candidate of the first tier that has one finding more documents than ``query``: of
    its first MAX_TRIED, the one finding the most; else "". A tier is looked for only when the
    one before has none."""
    typed = count(query)
    for tier in (BY_SOUND_OR_SPELLING, BY_ONE_EDIT):
        best, most = "", typed
        for candidate in candidates(query, vocabulary, tier)[:MAX_TRIED]:
            found = count(candidate)
            if found > most:
                best, most = candidate, found
        if best:
            return best
    return ""
