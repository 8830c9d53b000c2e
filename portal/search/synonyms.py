"""Synonyms and the English glossary: other words for what a visitor typed, kept as data.

synonyms.txt holds groups of words that mean the same to a visitor (年报 年度报告), applied both
ways, and one-way lines (修路 => 公路养护 公路建设) for an everyday word whose official terms
should be found without the terms bringing in the everyday word. english.txt maps English words
and phrases to the Chinese words the documents use (annual report = 年度报告 年报), one way.
Applied when a query is read (query.py), never when documents are indexed, so editing a file
changes searches when the site restarts, without rebuilding the index. No Whoosh.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from portal.search.analysis import clean, fold

SHIPPED = Path(__file__).with_name("synonyms.txt")
GLOSSARY = Path(__file__).with_name("english.txt")
ONE_WAY = "=>"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Synonyms:
    """Each word (folded) with the other words it stands for, in the order the files give,
    and the kind of each ("synonym", or "english" for the glossary's)."""

    others: dict[str, tuple[str, ...]]
    kind: str = "synonym"
    # Words whose kind is not ``kind`` (a table combined of several).
    kinds: dict[str, str] = field(default_factory=dict)

    def starting_at(self, text: str, start: int) -> list[str]:
        """The words that ``text`` holds at ``start``, longest first."""
        return [
            w for w in self._by_first.get(text[start : start + 1], ()) if text.startswith(w, start)
        ]

    def kind_of(self, word: str) -> str:
        """Where the words ``word`` stands for come from: "synonym" or "english"."""
        return self.kinds.get(word, self.kind)

    @functools.cached_property
    def _by_first(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for w in sorted(self.others, key=len, reverse=True):
            found.setdefault(w[0], []).append(w)
        return found


NONE = Synonyms({})


def _word(text: str) -> str:
    """A word or phrase of a file as a query is matched: folded, spaces single."""
    return _SPACES.sub(" ", fold(clean(text))).strip()


def _add(others: dict[str, list[str]], word: str, more: list[str]) -> None:
    known = others.setdefault(word, [])
    known.extend(o for o in more if o != word and o not in known)


def _lines(text: str):
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield line


def parse(text: str) -> Synonyms:
    """Read synonyms.txt: a group a line (words separated by spaces), or ``words => words``
    (the words on the left stand for those on the right, not back); # starts a comment line."""
    others: dict[str, list[str]] = {}
    for line in _lines(text):
        if ONE_WAY in line:
            left, _, right = line.partition(ONE_WAY)
            terms = list(dict.fromkeys(_word(w) for w in right.split()))
            for w in dict.fromkeys(_word(w) for w in left.split()):
                _add(others, w, terms)
            continue
        group = list(dict.fromkeys(_word(w) for w in line.split()))
        if len(group) < 2:
            continue
        for w in group:
            _add(others, w, group)
    return Synonyms({w: tuple(o) for w, o in others.items() if o})


def parse_glossary(text: str) -> Synonyms:
    """Read english.txt: ``english words = 中文 中文`` a line; the English side (one word or a
    phrase, matched where the query's words start and end) stands for the Chinese words."""
    others: dict[str, list[str]] = {}
    for line in _lines(text):
        english, sep, chinese = line.partition("=")
        english = _word(english)
        if not (sep and english):
            continue
        terms = list(dict.fromkeys(_word(w) for w in chinese.split()))
        _add(others, english, terms)
        if not english.endswith("s"):
            _add(others, english + "s", terms)
    return Synonyms({w: tuple(o) for w, o in others.items() if o}, kind="english")


def combined(*tables: Synonyms) -> Synonyms:
    """One table of several: a word in more than one keeps the first's words and kind."""
    others: dict[str, tuple[str, ...]] = {}
    kinds: dict[str, str] = {}
    for table in tables:
        for word, more in table.others.items():
            if word not in others:
                others[word] = more
                kinds[word] = table.kind_of(word)
    return Synonyms(others, kinds=kinds)


@functools.cache
def shipped() -> Synonyms:
    """The synonyms shipped with the portal (synonyms.txt beside this module)."""
    return parse(SHIPPED.read_text(encoding="utf-8"))


@functools.cache
def glossary() -> Synonyms:
    """The English glossary shipped with the portal (english.txt beside this module)."""
    return parse_glossary(GLOSSARY.read_text(encoding="utf-8"))


@functools.cache
def chosen(use_synonyms: bool, use_glossary: bool) -> Synonyms:
    """The table a search applies, by the steps it takes."""
    tables = [t for t, on in ((shipped, use_synonyms), (glossary, use_glossary)) if on]
    return combined(*(t() for t in tables)) if tables else NONE
