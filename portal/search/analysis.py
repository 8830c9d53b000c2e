"""Text analysis: the same for documents and queries, with rjieba. No Whoosh.

Text is folded (full-width ASCII to half-width, Latin lower-cased, both without changing its
length) and segmented with rjieba in search mode. Each word of jieba's ordinary segmentation is
split into *atoms*: its shortest dictionary sub-words, left to right, with single characters
filling the gaps (年度报告 becomes 年度 + 报告; 特派员 becomes 特派 + 员). Atoms take consecutive
positions, so positions count words, not characters. The whole word and its other search-mode
sub-words are indexed too, at the position of the atom they start in. The same text therefore
gives the same atom sequence whether jieba kept it as one word or split it; atoms cover every
character of a Chinese word, one or two characters each, which is what phrases are matched on
(phrases.py). Sub-words are found the way search mode finds them (dictionary 2- and 3-grams of
longer words), and codes such as 2024-00012 are also indexed by their parts. Punctuation, emoji
and a short list of function words (的, 了, 和…; a, the, of…) are not indexed, and positions skip
over them.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

import rjieba

# Full-width ASCII and the ideographic space map one-to-one onto ASCII, so offsets survive.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_FOLDABLE = re.compile("[\uff05\uff0d-\uff19\uff21-\uff3a\uff3f\uff41-\uff5a]")
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MAX_TERM_CHARS = 64
_NON_ALNUM = re.compile(r"[^\w]+|_+")

_STOP_TEXT = """
的 地 得 了 着 过 和 与 及 或 而 且 并 在 是 为 以 于 之 其 对 把 被 由 从 向 将 就 也 都
又 还 这 那 此 该 各 等 啊 吧 吗 呢 么 如何 怎么 怎样 什么 哪些 哪里 是否
a an and are as at be by for from in is it of on or that the this to was were with
"""
# Very common function words: indexing them costs space and time and they rarely decide a match.
STOP_WORDS = frozenset(_STOP_TEXT.split())


def fold(text: str) -> str:
    """Fold width and case without changing the length, so offsets stay valid."""
    # Translating costs a dict lookup per character; most text has no full-width letters,
    # digits or code punctuation, and full-width ，。 need no folding.
    if _FOLDABLE.search(text):
        text = text.translate(_WIDTH)
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters (İ) lower-case to two; keep those as they are.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered


def clean(text: str) -> str:
    """Replace control characters, lone surrogates and non-characters by spaces."""
    return _UNSAFE.sub(" ", text)


_is_content = re.compile(r"[^\W_]").search
is_cjk = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+").fullmatch


@dataclass(frozen=True, slots=True)
class Word:
    """One word of jieba's segmentation with its atoms and other search-mode sub-words."""

    text: str
    atoms: tuple[str, ...]
    # Other search-mode sub-words, each with the index of the atom it starts in.
    subs: tuple[tuple[str, int], ...] = ()


@functools.lru_cache(maxsize=1 << 17)
def word(text: str) -> Word | None:
    """Split one word of jieba's ordinary segmentation into atoms and sub-words (cached)."""
    if text in STOP_WORDS or not _is_content(text) or len(text) > _MAX_TERM_CHARS:
        return None
    if len(text) <= 2:
        return Word(text, (text,))
    if is_cjk(text):
        # Search mode's rule: every dictionary 2-gram, and 3-gram for words over three.
        n = len(text)
        pairs = [rjieba.has_word(text[k : k + 2]) for k in range(n - 1)]
        grams = [(text[k : k + 2], k) for k in range(n - 1) if pairs[k]]
        if n > 3:
            triples = [(text[k : k + 3], k) for k in range(n - 2)]
            grams += [(gram, k) for gram, k in triples if rjieba.has_word(gram)]
        atoms, starts, i = [], [], 0
        while i < n:
            step = 2 if i < n - 1 and pairs[i] else 1
            atoms.append(text[i : i + step])
            starts.append(i)
            i += step
        subs = tuple(
            (gram, bisect.bisect_right(starts, k) - 1)
            for gram, k in grams
            if not (gram in atoms and starts[atoms.index(gram)] == k)
        )
        return Word(text, tuple(atoms), subs)
    if text.isalnum():
        return Word(text, (text,))
    # Codes like 2024-00012 or e-mail: their parts are searchable too.
    parts = dict.fromkeys(p for p in _NON_ALNUM.split(text) if p and p != text)
    return Word(text, (text,), tuple((p, 0) for p in parts))


def words(text: str) -> list[Word]:
    """Segment text into words with their atoms and sub-words, like jieba's search mode."""
    return [w for w in map(word, rjieba.cut(fold(clean(text)))) if w is not None]


def _terms(text: str, flag: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    pos = 0
    for w in words(text):
        atoms = w.atoms
        if len(atoms) == 1 and not w.subs:
            out.append((atoms[0], pos))
            pos += 1
            continue
        seen = set()
        for k, atom in enumerate(atoms):
            seen.add((atom, k))
            out.append((atom, pos + k))
        # A Chinese word's whole and sub-words are flagged where they are stored: a phrase is
        # matched on atoms only. A code's parts are not: they are its only pieces.
        other = flag if is_cjk(w.text) else 0
        if len(atoms) > 1:
            out.append((w.text, pos | other))
        for sub, k in w.subs:
            if (sub, k) not in seen:
                seen.add((sub, k))
                out.append((sub, (pos + k) | other))
        pos += len(atoms)
    return out


def analyse(text: str) -> list[tuple[str, int]]:
    """Return the (term, position) pairs indexed for ``text``; positions count atoms."""
    return _terms(text, 0)


# Stored with the position of a Chinese word's whole or sub-word: it counts for ranking, and
# never stands for the atom at that position in a phrase. Below the field's bits
# (fields.FIELD_SHIFT), so a field's flagged positions sort after its plain ones.
NOT_ATOM = 1 << 28


def index_terms(text: str) -> list[tuple[str, int]]:
    """The (term, position) pairs stored for ``text``: analyse()'s, with NOT_ATOM set on the
    positions of Chinese words' wholes and sub-words."""
    return _terms(text, NOT_ATOM)


_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]", "(": "[", ")": "]"})


def normalize_ref(value: str) -> str:
    """Normalise a 文号 or 索引号 for exact lookup: width, case, spaces and bracket style."""
    value = unicodedata.normalize("NFKC", clean(value)).translate(_BRACKETS)
    return "".join(value.split()).lower()
