"""Synonyms: groups of words that mean the same to a visitor, kept as data (synonyms.txt).

Applied when a query is read (query.py), never when documents are indexed, so editing the file
changes searches at once, without rebuilding the index. No Whoosh.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from portal.search.analysis import clean, fold

SHIPPED = Path(__file__).with_name("synonyms.txt")


@dataclass(frozen=True)
class Synonyms:
    """Each word (folded) with the other words of its group, in the order the file gives."""

    others: dict[str, tuple[str, ...]]

    def starting_at(self, text: str, start: int) -> list[str]:
        """The words that ``text`` holds at ``start``, longest first."""
        return [
            w for w in self._by_first.get(text[start : start + 1], ()) if text.startswith(w, start)
        ]

    @functools.cached_property
    def _by_first(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for w in sorted(self.others, key=len, reverse=True):
            found.setdefault(w[0], []).append(w)
        return found


NONE = Synonyms({})


def parse(text: str) -> Synonyms:
    """Read groups, one a line (words separated by spaces, # starts a comment line)."""
    others: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        group = list(dict.fromkeys(fold(clean(w)) for w in line.split()))
        if len(group) < 2:
            continue
        for w in group:
            known = others.setdefault(w, [])
            known.extend(o for o in group if o != w and o not in known)
    return Synonyms({w: tuple(o) for w, o in others.items()})


@functools.cache
def shipped() -> Synonyms:
    """The synonyms shipped with the portal (synonyms.txt beside this module)."""
    return parse(SHIPPED.read_text(encoding="utf-8"))
