"""Did you mean: a correction of a query drawn from the index's own words. No Whoosh.

Two kinds of slip are corrected. Chinese typed with a pinyin input method picks a character of
the same sound (科技特派圆 for 科技特派员): every stretch of two to eight characters of the query
that is not itself an indexed word is spelled in pinyin and looked up among the titles' and
keywords' words (fields.PINYIN); a word of the same sound and length replaces it. A word of
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

from portal.search import pinyin
from portal.search.alternatives import Vocabulary
from portal.search.analysis import fold

_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"(?<![a-z0-9])[a-z]{3,}(?![a-z0-9])")
# Candidates counted, at most: each costs a search without ranking.
MAX_TRIED = 6
# Spellings of a stretch looked up, at most (its characters' usual readings first).
SPELLINGS_PER_STRETCH = 2


def candidates(query: str, vocabulary: Vocabulary) -> list[str]:
    """Corrected queries, the likeliest first; [] when no word of the query is mistyped."""
    text = fold(query)
    found: dict[str, tuple] = {}
    for run in _CHINESE.finditer(text):
        for replacement, start, end, weight in _same_sound(run.group(), vocabulary):
            at = run.start()
            fixed = text[: at + start] + replacement + text[at + end :]
            found.setdefault(fixed, (-(end - start), -weight))
    latin = vocabulary.latin_words() if _LATIN.search(text) else []
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


def correct(query: str, vocabulary: Vocabulary, count: Callable[[str], int]) -> str:
    """The candidate that finds the most documents, if it finds more than ``query``; else ""."""
    best, most = "", count(query)
    for candidate in candidates(query, vocabulary)[:MAX_TRIED]:
        found = count(candidate)
        if found > most:
            best, most = candidate, found
    return best
