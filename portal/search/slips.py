"""Slips of one character in Chinese: a character dropped, added, swapped or replaced. No Whoosh.

The words a correction may propose are the Chinese words of titles and keywords, runs of two
of them and keywords whole (pinyin.word_runs), leaving out words of one character. Each is
indexed in the field fields.EDITS under itself and, when it has three characters or more,
under each spelling of it with one character left out, as SymSpell does: 科技特派员 under
科技特派员, 技特派员, 科特派员, 科技派员, 科技特员 and 科技特派. A stretch of a query is then
looked up under itself (a word it lacks a character of: 中小企 finds 中小企业) and under each
spelling of it with one character left out (a character added: 特派派员; two swapped: 派特员 and
特派员 both leave 特员 without their 派; one replaced). A word found is kept only when one edit
turns the stretch into it (optimal string alignment: swapping two neighbours is one edit), so a
lookup never needs the whole vocabulary in memory: it costs a few prefix reads of the term
index, however large.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rapidfuzz.distance import OSA

from portal.search import pinyin

SEPARATOR = ":"
# Words of one character take no part in the words corrections propose: a run of 局 + 政府 (of
# 科学技术局政府信息公开指南) is no word anybody means.
SHORTEST_WORD = 2
# Words shorter than this are indexed under themselves only: one edit from a word of two
# characters is any word sharing a character with it.
MIN_EDITED_CHARS = 3
# The longest stretch looked up: a word of MAX_KEY_CHARS with a character added.
MAX_STRETCH = pinyin.MAX_KEY_CHARS + 1


def variants(word: str) -> list[str]:
    """The spellings ``word`` is indexed under: itself and, if long enough, each spelling with
    one character left out."""
    out = {word: None}
    if len(word) >= MIN_EDITED_CHARS:
        out.update(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))
    return list(out)


def index_terms(runs: list[str]) -> list[str]:
    """The terms of the edits field: ``variant:word`` for every variant of every run."""
    terms = dict.fromkeys(f"{v}{SEPARATOR}{run}" for run in runs for v in variants(run))
    return list(terms)


def lookups(stretch: str) -> list[str]:
    """The variants to look a typed stretch up under: itself and, if long enough, each spelling
    with one character left out."""
    return variants(stretch)


def one_edit(
    stretch: str, indexed: Callable[[str], list[tuple[str, int]]]
) -> Iterator[tuple[str, int]]:
    """(word, documents) for each indexed word one edit from ``stretch``; nothing when the
    stretch is itself an indexed word. ``indexed`` gives the words indexed under a variant."""
    found: dict[str, int] = {}
    for variant in lookups(stretch):
        for word, documents in indexed(variant):
            if word == stretch:
                return
            found.setdefault(word, documents)
    for word, documents in found.items():
        if OSA.distance(stretch, word, score_cutoff=1) == 1:
            yield word, documents
