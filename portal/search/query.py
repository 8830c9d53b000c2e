"""Reading what a visitor typed into the parts a search requires. No Whoosh.

User text never reaches an engine's query parser, so there is no wildcard, regex, fuzzy or field
syntax to abuse: the query is built from analysed terms only. It is split into plain text and
"quoted phrases" (straight or Chinese quotes; an unbalanced quote just ends the text). Every
atom of the plain text is required (AND) in any of the text fields; a phrase requires its
characters standing together within one field (phrases.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.search.analysis import is_cjk, words


@dataclass
class Part:
    """One required part of a query: a word (its atoms) or a quoted phrase."""

    atoms: list[str]
    phrase: bool
    whole: str = ""  # a multi-atom word, scored higher where it occurs whole
    # A phrase's Chinese characters one by one and its other words whole (phrases.py).
    elements: tuple[str, ...] = ()


QUOTES = re.compile(r'["“”„‟«»「」『』]')


def parse_query(text: str) -> tuple[list[Part], list[tuple[str, ...]]]:
    """Split user text into required parts and the terms to highlight; never raises."""
    chunks = QUOTES.split(text)
    # An unbalanced quote leaves an odd count of quotes: its text is read as plain words.
    if len(chunks) % 2 == 0:
        chunks[-2:] = [chunks[-2] + " " + chunks[-1]]
    parts: list[Part] = []
    marks: dict[tuple[str, ...], None] = {}
    for i, chunk in enumerate(chunks):
        found = words(chunk)
        if i % 2 and found:
            atoms = [a for w in found for a in w.atoms]
            elements = tuple(e for w in found for e in (w.text if is_cjk(w.text) else (w.text,)))
            parts.append(Part(atoms, phrase=True, elements=elements))
            marks[tuple(atoms)] = None
        else:
            for w in found:
                # The word's characters light up wherever they occur, split by jieba or not;
                # its atoms light up alone too, except single characters (half the text).
                marks[(w.text,)] = None
                marks.update(dict.fromkeys((a,) for a in w.atoms if len(a) > 1 or not is_cjk(a)))
                whole = w.text if len(w.atoms) > 1 else ""
                parts.append(Part(list(dict.fromkeys(w.atoms)), phrase=False, whole=whole))
    unique: dict[tuple, Part] = {}
    for p in parts:
        unique.setdefault((tuple(p.atoms), p.phrase), p)
    return list(unique.values()), list(marks)
