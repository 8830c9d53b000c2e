"""Reading what a visitor typed into the parts a search requires. No Whoosh.

User text never reaches an engine's query parser, so there is no wildcard, regex, fuzzy or field
syntax to abuse: the query is built from analysed terms only. It is split into plain text and
"quoted phrases" (straight or Chinese quotes; an unbalanced quote just ends the text). Every
atom of the plain text is required (AND) in any of the text fields; a phrase requires its
characters standing together within one field (phrases.py).

A question's own words (QUESTION_WORDS: 有, 要, 请问…) are not required when the query has
other words: 科技局有哪些股室 asks for 科技局 and 股室, and a page need not say 有.

Synonyms (synonyms.py) are applied here: a word of a group, typed where the query's atoms
start and end, becomes a part that any word of its group satisfies (its alternatives), each
as a phrase: the group's words are terms, whose characters stand together; what was typed
is read as typed words are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.search.analysis import Word, fold, is_cjk, words
from portal.search.synonyms import NONE, Synonyms


@dataclass
class Part:
    """One required part of a query: a word (its atoms) or a quoted phrase."""

    atoms: list[str]
    phrase: bool
    whole: str = ""  # a multi-atom word, scored higher where it occurs whole
    # A phrase's Chinese characters one by one and its other words whole (phrases.py).
    elements: tuple[str, ...] = ()
    # Other ways of saying it (synonyms, the words a pinyin spelling stands for): a document
    # holding every part of one of them holds this part.
    alternatives: tuple[Alternative, ...] = ()
    typed: str = ""  # the words as the visitor typed them, when alternatives are offered


@dataclass(frozen=True)
class Alternative:
    """Another way of saying a part: its text, where it comes from, and its required parts."""

    text: str
    kind: str  # "synonym", "english" (the glossary) or "pinyin"
    parts: tuple[Part, ...] = field(default=(), compare=False)


# Words that make a question of a query, not its subject (the analyser already leaves out
# 吗, 呢, 如何, 怎么, 哪些 and the like, for documents too).
_QUESTION_TEXT = """
有 要 能 会 可以 可 需要 需 请问 请 我 我们 你们 想 想要 应该 应当 该 怎么办 什么时候
how what when where which who why can could do does did should must i me my we our you
your please
"""
QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())
QUOTES = re.compile(r'["“”„‟«»「」『』]')
_SPACES = re.compile(r"\s+")


def parse_query(
    text: str, synonyms: Synonyms = NONE, questions: bool = False
) -> tuple[list[Part], list[tuple[str, ...]]]:
    """Split user text into required parts and the terms to highlight; never raises. With
    ``questions``, the question's own words are not required when there are others."""
    chunks = QUOTES.split(text)
    # An unbalanced quote leaves an odd count of quotes: its text is read as plain words.
    if len(chunks) % 2 == 0:
        chunks[-2:] = [chunks[-2] + " " + chunks[-1]]
    parts: list[Part] = []
    marks: dict[tuple[str, ...], None] = {}
    for i, chunk in enumerate(chunks):
        found = words(chunk)
        if i % 2 and found:
            part = _phrase(found)
            parts.append(part)
            marks[tuple(part.atoms)] = None
        else:
            for piece in _synonym_pieces(chunk, found, synonyms):
                if isinstance(piece, Word):
                    parts.append(_plain(piece, marks))
                    continue
                typed, atoms, others = piece
                alternatives = []
                for other in others:
                    alternative = phrase_part(other)
                    if alternative is not None:
                        marks[tuple(alternative.atoms)] = None
                        kind = synonyms.kind_of(typed)
                        alternatives.append(Alternative(other, kind, (alternative,)))
                whole = typed if len(atoms) > 1 else ""
                marks[(typed,)] = None
                parts.append(
                    Part(atoms, False, whole, alternatives=tuple(alternatives), typed=typed)
                )
    if questions:
        asked = [p for p in parts if not p.phrase and "".join(p.atoms) in QUESTION_WORDS]
        if len(asked) < len(parts):
            parts = [p for p in parts if p not in asked]
    unique: dict[tuple, Part] = {}
    for p in parts:
        unique.setdefault((tuple(p.atoms), p.phrase), p)
    return list(unique.values()), list(marks)


def word_parts(text: str) -> tuple[Part, ...]:
    """The parts of text as if typed without quotes (no synonyms)."""
    return tuple(_plain(w, {}) for w in words(text))


def phrase_part(text: str) -> Part | None:
    """The part of text as if typed in quotes; None if it holds no word."""
    found = words(text)
    return _phrase(found) if found else None


def _phrase(found: list[Word]) -> Part:
    atoms = [a for w in found for a in w.atoms]
    elements = tuple(e for w in found for e in (w.text if is_cjk(w.text) else (w.text,)))
    return Part(atoms, phrase=True, elements=elements)


def _plain(w: Word, marks: dict[tuple[str, ...], None]) -> Part:
    """The part of one plain word, its highlights added to ``marks``."""
    # The word's characters light up wherever they occur, split by jieba or not; its atoms
    # light up alone too, except single characters (half the text).
    marks[(w.text,)] = None
    marks.update(dict.fromkeys((a,) for a in w.atoms if len(a) > 1 or not is_cjk(a)))
    whole = w.text if len(w.atoms) > 1 else ""
    return Part(list(dict.fromkeys(w.atoms)), phrase=False, whole=whole)


def _synonym_pieces(chunk: str, found: list[Word], synonyms: Synonyms):
    """The chunk's words, with every synonym that starts and ends where its atoms do taken out
    as (typed text, its atoms, the other words of its group); longest first, left to right."""
    if not synonyms.others:
        return found
    # Spaces single, as the files' phrases are (synonyms.py): "annual  report" is a phrase too.
    text = _SPACES.sub(" ", fold(chunk))
    # Where each atom stands in the folded chunk: jieba keeps the text's order.
    spans: list[tuple[int, int, int, str]] = []  # start, end, word index, atom
    at = 0
    for index, w in enumerate(found):
        start = text.find(w.text, at)
        if start < 0:
            return found  # cleaning changed the text: no synonyms rather than wrong ones
        at = start + len(w.text)
        offset = start
        for atom in w.atoms if is_cjk(w.text) else (w.text,):
            spans.append((offset, offset + len(atom), index, atom))
            offset += len(atom)
    ends = {end: k for k, (_, end, _, _) in enumerate(spans)}
    pieces: list = []
    pending: list[tuple[int, str]] = []  # atoms of one word outside any synonym

    def flush() -> None:
        if pending:
            word = found[pending[0][0]]
            whole = word.atoms if is_cjk(word.text) else (word.text,)
            atoms = tuple(a for _, a in pending)
            pieces.append(word if atoms == tuple(whole) else Word("".join(atoms), atoms))
            pending.clear()

    k = 0
    while k < len(spans):
        start, _, index, atom = spans[k]
        match = next((m for m in synonyms.starting_at(text, start) if start + len(m) in ends), None)
        if match is None:
            if pending and pending[0][0] != index:
                flush()
            pending.append((index, atom))
            k += 1
            continue
        flush()
        last = ends[start + len(match)]
        atoms = list(dict.fromkeys(a for _, _, _, a in spans[k : last + 1]))
        pieces.append((match, atoms, synonyms.others[match]))
        k = last + 1
    flush()
    return pieces
