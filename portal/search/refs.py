"""文号 and 索引号 typed in part, as people copy them from paper. No Whoosh.

A reference matches a query when the query's pieces stand in it in order: runs of digits whole
(12 is not the 12 of 112 or 2012), other text anywhere, brackets, spaces and the words people
add around numbers (年, 第, 文) ignored. So ``2024 12号``, ``〔2024〕12号`` and ``2024年12号文``
all find 示科发〔2024〕12号, and ``示科发2023 33号`` finds 示科发〔2023〕33号. References are
compared as normalize_ref() stores them (width, case, spaces and bracket style folded).

A query looks like a reference (ref_like) when it holds a number followed by 号 or set in
brackets, or a 索引号's year-serial: only then do its matches come first in a search of every
field. The 文号 scope matches any query this way.

The searcher finds the documents holding the query's words (plain(): the pieces as words) in
the refs field, then keeps those whose references hold the pieces in order (holds()).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from portal.search.analysis import normalize_ref

_REF_LIKE = re.compile(r"\d\s*号|[〔\[【(（]\s*\d{4}\s*[〕\]】)）]|\d{4}-\d+")
# Words people put around the numbers of a reference that the reference does not hold.
_FILLER = re.compile(r"(?<=\d)年|第(?=\d)|(?<=号)文件?|(?<=号)$")
_PIECES = re.compile(r"[0-9]+|[^\d\W_]+")
_NUMBER = re.compile("[0-9]+")
# Pieces of a query read as a reference, at most: a longer one is not a reference.
MAX_PIECES = 8


def ref_like(query: str) -> bool:
    """Whether a query looks like a 文号 or 索引号, whole or in part."""
    return bool(_REF_LIKE.search(query))


def _pieces(query: str) -> list[str]:
    # Each spaced word alone: normalize_ref() drops spaces, and 2024 12 is two numbers.
    spaced = " ".join(normalize_ref(word) for word in query.split())
    return _PIECES.findall(_FILLER.sub(" ", spaced.replace("[", " ").replace("]", " ")))


def piece_count(query: str) -> int:
    """How many pieces the query has, read as a reference."""
    return len(_pieces(query))


def plain(query: str) -> str:
    """The query's pieces as plain words (brackets and filler words dropped); "" if it has no
    piece, or more than a reference has."""
    pieces = _pieces(query)
    return " ".join(pieces) if len(pieces) <= MAX_PIECES else ""


@functools.lru_cache(maxsize=1024)
def pattern(query: str) -> re.Pattern | None:
    """The query's pieces in order, as a pattern over one normalised reference; None when the
    query has no piece (or too many)."""
    pieces = _pieces(query)
    if not pieces or len(pieces) > MAX_PIECES:
        return None
    parts = []
    for piece in pieces:
        if _NUMBER.fullmatch(piece):
            parts.append(r"(?<![0-9])" + piece + r"(?![0-9])")
        else:
            parts.append(re.escape(piece))
    return re.compile(".*?".join(parts))


def holds(query: str, references: Iterable[str]) -> bool:
    """Whether one of the references (as written) holds the query's pieces in order."""
    found = pattern(query)
    return found is not None and any(found.search(normalize_ref(r)) for r in references if r)
