"""Stage one of an import: the source (scraped text or an HTML page) -> its lines.

Published reports reach us in two shapes: text scraped from a page, where every table cell
became a line of its own ("flattened", as in the seed), and the HTML page itself with the tables
as <table> elements. Both become one list of lines: HTML tables are flattened row by row, the way
a scraper does, but an empty cell is kept as an explicit blank. The text helpers every later
stage reads lines with live here too: cell values, and text folded for comparison.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Literal

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from portal.reports.model import Value

Line = tuple[int | None, str]
"""A line of the source: its number in a text source (None in HTML) and its text."""

BLANK_CELL = "\x00blank"  # an empty table cell of an HTML table: a position that holds nothing
MERGED_CELL = "\x00merged"  # a number cell merged down over several rows: its value is ambiguous
_BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "ul",
    "tr",
    "td",
    "th",
    "caption",
    "tbody",
    "thead",
}


def guess_kind(source_text: str) -> Literal["text", "html"]:
    """'html' when the source looks like an HTML page or fragment, else 'text'."""
    if re.search(r"<(?:!doctype|html|body|table|p|div)\b", source_text[:5000], re.IGNORECASE):
        return "html"
    return "text"


def read_source(source_text: str, kind: Literal["text", "html"] | None = None) -> list[Line]:
    """The source's lines, read as ``kind`` (guessed when None), blank lines left out."""
    kind = kind or guess_kind(source_text)
    return _html_lines(source_text) if kind == "html" else _text_lines(source_text)


def _text_lines(source_text: str) -> list[Line]:
    return [
        (number, line.strip())
        for number, line in enumerate(source_text.splitlines(), 1)
        if line.strip()
    ]


def _html_lines(source_text: str) -> list[Line]:
    """The page's text, one block per line, with each data table flattened row by row."""
    soup = BeautifulSoup(source_text, "html5lib")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = collapse("".join(buffer))
        buffer.clear()
        if text:
            lines.append(text)

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "table" and child.find("table") is None:
                flush()
                lines.extend(_flatten_table(child))
                continue
            if child.name == "br":
                flush()
                continue
            # A table holding tables is page layout, not data: read it as blocks.
            block = child.name in _BLOCK_TAGS or child.name == "table"
            if block:
                flush()
            walk(child)
            if block:
                flush()

    walk(soup.body or soup)
    flush()
    return [(None, line) for line in lines]


def collapse(text: str) -> str:
    """Text with every run of white space (no-break spaces too) made one space, ends trimmed."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _flatten_table(table: Tag) -> list[str]:
    """The cells of a table row by row, each cell once (at its top-left), blanks kept."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    grid: dict[tuple[int, int], tuple[Tag, bool]] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    # Mark the first column of each later row a cell reaches down into.
                    grid[(r + dr, c + dc)] = (cell, dr > 0 and dc == 0)
            grid[(r, c)] = (cell, False)
            c += colspan
    width = max((c for _, c in grid), default=-1) + 1
    seen: set[int] = set()
    out = []
    for r in range(len(rows)):
        for c in range(width):
            if (r, c) not in grid:
                continue
            cell, continued = grid[(r, c)]
            text = collapse(cell.get_text(""))
            if continued and cell_value(text) is not None:
                out.append(MERGED_CELL)
            elif id(cell) not in seen:
                seen.add(id(cell))
                out.append(text or BLANK_CELL)
    return out


def _span(cell: Tag, attribute: str) -> int:
    try:
        return min(max(int(str(cell.get(attribute, "1")).strip() or 1), 1), 200)
    except ValueError:
        return 1


# --- Cell values and text for comparison --------------------------------------------------------

_BLANK_MARKS = {"-", "--", "—", "——", "–", "/", "\\", "无", "空"}


class Blank:
    """An explicitly empty cell: it holds a position, and counts as 0 there."""


BLANK = Blank()


def cell_value(text: str) -> Value | Blank | None:
    """A cell value read from text; None when the text is not a number."""
    text = unicodedata.normalize("NFKC", text).strip()
    if text in _BLANK_MARKS:
        return BLANK
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.\d+", text):
        return Decimal(text)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return int(text.replace(",", ""))
    return None


def comparable(text: str) -> str:
    """Text for comparison: half-width forms, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
