"""Suggestions while a visitor types: keywords that start with the text, titles that hold it,
and 文号 that hold it in part. No Whoosh: the snapshot (searcher.py) reads the index.

Every suggestion names something a published document holds, so a suggestion never leads to an
empty page and never shows a withdrawn document's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.search import answering, refs
from portal.search.analysis import clean, fold
from portal.search.types import ALL_FEATURES

# Suggestions given, at most, and how many of them may be keywords.
MAX_SUGGESTIONS = 8
MAX_KEYWORDS = 4
# Typed text longer than this is a search, not a word to complete.
MAX_TYPED = 40


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: the text to search for and what it is (keyword, title or reference)."""

    text: str
    kind: str


def suggest(snap, view, typed: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Up to ``limit`` suggestions for the typed text, keywords first."""
    text = " ".join(fold(clean(typed)).split())
    if not text or len(text) > MAX_TYPED:
        return []
    found: dict[str, str] = {}
    for keyword in snap.keywords_from(text, view.live)[: min(MAX_KEYWORDS, limit)]:
        found.setdefault(keyword, "keyword")
    if refs.ref_like(text):
        for hit in _results(snap, view, text, "refs", limit).hits:
            if hit.reference:
                found.setdefault(hit.reference, "reference")
    # The text as a phrase finds titles holding it even where it ends inside a word (科技特 in
    # 科技特派员); as words, pinyin (kjtpy). Titles holding only some of the words are not
    # suggestions.
    titles = _results(snap, view, f'"{text}"', "title", limit)
    if not titles.hits:
        titles = _results(snap, view, text, "title", limit)
    for hit in titles.hits if not titles.relaxed else ():
        found.setdefault(hit.title_html.striptags(), "title")
    return [Suggestion(t, kind) for t, kind in list(found.items())[:limit]]


def _results(snap, view, text: str, scope: str, limit: int):
    request = answering.Request(text, (), "relevance", 1, limit, scope, None, None, ALL_FEATURES)
    cached = view.results.get(request)
    if cached is None:
        cached = answering.answer(snap, view, request)
        view.results.put(request, cached)
    return cached
