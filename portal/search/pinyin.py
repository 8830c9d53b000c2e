"""Pinyin spellings of Chinese words, for finding them by pinyin and by sound. No Whoosh.

A word is indexed under every way a visitor may spell it in pinyin without tones: in full
(``kejitepaiyuan``) and by the first letters of its syllables (``kjtpy``). A polyphonic character
counts with every reading pypinyin knows for it (行: xing, hang, heng), so a word is found
whichever reading a visitor types, and none has to be guessed from context: up to
MAX_SPELLINGS spellings a word, the characters' usual readings first.

pypinyin's dictionary of phrases (40 MB in each worker) is not loaded: only its dictionary of
characters (14 MB), shared rather than copied, by its documented switches below.

Typed text is read back into the same keys: a run of letters is split into pinyin syllables
(syllables()), or taken as initials when it cannot be, and Chinese text is spelled by the
readings of its characters (spellings()), which is how a character of the same sound picked by
an input method (科技特派圆) finds the word that was meant (科技特派员).
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import unicodedata

# pypinyin's documented memory switches, read when it is first imported.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from portal.search.analysis import is_cjk

# Readings of a character taken into account, the most usual first: the rarer ones (于 as xu)
# are seldom typed and would multiply the keys of every word holding it.
MAX_READINGS = 2
# Spellings kept per word (full and initials each), at most: a word of four polyphonic
# characters would otherwise have 16.
MAX_SPELLINGS = 4
# The longest text spelled as one key: longer titles are indexed by their words.
MAX_KEY_CHARS = 8
LETTERS = re.compile("[a-z]+")


@functools.lru_cache(maxsize=1 << 15)
def readings(char: str) -> tuple[str, ...]:
    """The toneless readings of one character, the usual one first (ü as v), at most
    MAX_READINGS; () if none."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda _: [""])
    return tuple(dict.fromkeys(r for r in found[0] if r and LETTERS.fullmatch(r)))[:MAX_READINGS]


def _ranked(options: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Combinations of one reading per character, those using more usual readings first."""
    combos = itertools.product(*(range(len(o)) for o in options))
    # Few words have more than a handful: sorting them all by how far from usual costs little.
    chosen = sorted(itertools.islice(combos, 4096), key=sum)[:MAX_SPELLINGS]
    return [tuple(o[i] for o, i in zip(options, combo, strict=True)) for combo in chosen]


@functools.lru_cache(maxsize=1 << 16)
def spellings(text: str) -> tuple[str, ...]:
    """Every key of a Chinese text: its full pinyin and its initials, for each combination
    of its characters' readings; () when a character has no reading or it is too long."""
    if not text or len(text) > MAX_KEY_CHARS or not is_cjk(text):
        return ()
    options = [readings(c) for c in text]
    if not all(options):
        return ()
    keys: dict[str, None] = {}
    for combo in _ranked(options):
        keys["".join(combo)] = None
        keys["".join(s[0] for s in combo)] = None
    return tuple(keys)


@functools.cache
def _syllables() -> frozenset[str]:
    """Every toneless syllable of pypinyin's dictionary of characters."""
    found = set()
    for value in pinyin_dict.values():
        for reading in value.split(","):
            plain = unicodedata.normalize("NFKD", reading)
            plain = "".join(c for c in plain if not unicodedata.combining(c))
            plain = plain.replace("ü", "v").lower()
            if LETTERS.fullmatch(plain):
                found.add(plain)
    return frozenset(found)


def syllables(letters: str) -> list[list[str]]:
    """The ways ``letters`` splits into pinyin syllables, fewest syllables first (at most 8)."""
    known = _syllables()
    longest = max(map(len, known))
    n = len(letters)

    @functools.cache
    def splits(i: int) -> tuple[tuple[str, ...], ...]:
        if i == n:
            return ((),)
        out = []
        for j in range(min(n, i + longest), i, -1):
            if letters[i:j] in known:
                out.extend((letters[i:j], *rest) for rest in splits(j))
                if len(out) >= 8:
                    break
        return tuple(out)

    return sorted((list(s) for s in splits(0)), key=len)[:8]


def key_spans(letters: str) -> list[list[str]]:
    """The ways typed letters may split into keys of indexed words: first the letters whole,
    then their syllables grouped into runs (full pinyin), else one letter per syllable
    (initials). Each split is a list of keys; fewer keys first."""
    if not LETTERS.fullmatch(letters) or len(letters) < 2:
        return []
    found = syllables(letters)
    units = found[0] if found else list(letters)
    out: list[list[str]] = [[letters]]
    n = len(units)
    # Two or three keys: a word is at most MAX_KEY_CHARS syllables.
    for i in range(1, n):
        first, rest = "".join(units[:i]), "".join(units[i:])
        if i <= MAX_KEY_CHARS and n - i <= MAX_KEY_CHARS:
            out.append([first, rest])
    # Three keys only for short spellings: a long one would try dozens of splits.
    for i, j in itertools.combinations(range(1, n) if n <= MAX_KEY_CHARS else (), 2):
        if max(i, j - i, n - j) <= MAX_KEY_CHARS:
            out.append(["".join(units[:i]), "".join(units[i:j]), "".join(units[j:])])
    return out


# Title and keyword words are indexed alone and in runs of up to this many, so a run typed as
# one spelling (kjtpy: 科技 + 特派员) is one key.
RUN_WORDS = 2
SEPARATOR = ":"


def word_runs(texts: list[str], analysed, shortest: int = 1) -> list[str]:
    """The Chinese words of ``texts`` (``analysed``: text to its words, in order) and their
    runs of up to RUN_WORDS consecutive Chinese words, each at most MAX_KEY_CHARS characters;
    a word shorter than ``shortest`` characters is in none."""
    runs: dict[str, None] = {}
    for text in texts:
        found = analysed(text)
        for i in range(len(found)):
            joined = ""
            for w in found[i : i + RUN_WORDS]:
                if not is_cjk(w) or len(w) < shortest:
                    break
                joined += w
                if len(joined) > MAX_KEY_CHARS:
                    break
                if len(joined) >= 2:
                    runs[joined] = None
        whole = text.strip()
        if 2 <= len(whole) <= MAX_KEY_CHARS and is_cjk(whole):
            runs[whole] = None
    return list(runs)


def index_terms(runs: list[str]) -> list[str]:
    """The terms of the pinyin field: ``key:word`` for every key of every run."""
    return [f"{key}{SEPARATOR}{run}" for run in runs for key in spellings(run)]
