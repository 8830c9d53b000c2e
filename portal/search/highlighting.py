"""Titles and snippets with the query's terms in <mark>. No Whoosh.

Highlighting searches the stored text for the query's analysed terms instead of re-analysing
documents: one pattern on the folded text, so offsets are the original text's.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable

from markupsafe import Markup

from portal.search.analysis import fold

SNIPPET_CHARS = 120


def mark_pattern(marks: Iterable[tuple[str, ...]]) -> re.Pattern | None:
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


def attachment_snippet(
    text: str, names: Iterable[tuple[str, int]], pattern: re.Pattern | None
) -> tuple[str, Markup] | None:
    """(the attachment's title, its snippet) for the first attachment whose text holds a
    query term, None when none does. ``names`` are each attachment's title and start in
    ``text`` (fields.attachment_text)."""
    if pattern is None:
        return None
    names = list(names)
    for index, (title, start) in enumerate(names):
        end = names[index + 1][1] - 1 if index + 1 < len(names) else len(text)
        part = text[start:end]
        if pattern.search(fold(part)):
            return title, snippet(part, pattern)
    return None
