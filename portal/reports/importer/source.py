"""Stage one of an import: the source -> its lines.

Published reports reach us in several shapes: text scraped from a page, where every table cell
became a line of its own ("flattened", as in the seed), the HTML page itself with the tables as
<table> elements, a Markdown conversion with pipe tables, and the Word or PDF file the report
was written in (read through ``portal.extraction``). All become one list of lines: tables are
flattened row by row, the way a scraper does, but each merged cell once and an empty cell kept
as an explicit blank. The text helpers every later stage reads lines with live here too: cell
values, and text folded for comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from portal.extraction import Extract, ExtractionError, Table, extract, sniff
from portal.reports.model import Value

Kind = Literal["text", "html", "markdown", "docx", "pdf"]
KINDS: tuple[Kind, ...] = ("text", "html", "markdown", "docx", "pdf")

Line = tuple[int | None, str]
"""A line of the source: its number in a text source (None in HTML) and its text."""

BLANK_CELL = "\x00blank"  # an empty table cell: a position that holds nothing
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


class SourceError(ValueError):
    """A source that cannot be read at all; the message says why, in words staff can act on."""


def guess_kind(source: str | bytes) -> Kind:
    """The source's shape: a Word or PDF file by its bytes, else HTML, Markdown or plain text."""
    if isinstance(source, bytes):
        sniffed = sniff(source)
        if sniffed in ("docx", "pdf"):
            return sniffed
        source = decode(source)
    head = source[:5000]
    if re.search(r"<(?:!doctype|html|body|table|p|div)\b", head, re.IGNORECASE):
        return "html"
    if _MARKDOWN_TABLE.search(source) or re.search(r"^#{1,6} \S", head, re.MULTILINE):
        return "markdown"
    return "text"


_MARKDOWN_TABLE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE)


def decode(raw: bytes) -> str:
    """A text file's text: UTF-8 (with or without a BOM), else GB 18030, which older government
    sites still publish in."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise SourceError(
            "文件既不是 UTF-8 或 GB 18030 编码的文本，也不是 DOCX 或 PDF 文件，无法读取"
        ) from None


def read_source(source: str | bytes, kind: Kind | None = None) -> list[Line]:
    """The source's lines, read as ``kind`` (guessed when None); SourceError when unreadable."""
    kind = kind or guess_kind(source)
    if kind in ("docx", "pdf"):
        if isinstance(source, str):
            raise SourceError(f"{kind.upper()} 文件须按原文件读取，不能先转成文本")
        try:
            document = extract(source, kind)
            if kind == "docx":
                # Measured and readable: Word's automatic numbering is written into its text.
                from portal.reports.importer.word import with_numbering

                numbered = with_numbering(source)
                if numbered is not source:
                    document = extract(numbered, kind)
        except ExtractionError as error:
            raise SourceError(f"无法读取这个 {kind.upper()} 文件：{error}") from None
        if not document.text.strip():
            raise SourceError(
                f"这个 {kind.upper()} 文件里没有文字"
                + ("（没有文字层，可能是扫描的图片）" if kind == "pdf" else "")
                + "，无法导入；请用报告的 Word 原件或网页版导入"
            )
        return document_lines(document)
    text = decode(source) if isinstance(source, bytes) else source
    if kind == "html":
        return _html_lines(text)
    if kind == "markdown":
        from portal.reports.importer.markdown import markdown_lines

        return markdown_lines(text)
    return _text_lines(text)


def document_lines(document: Extract) -> list[Line]:
    """A Word or PDF document's lines: a paragraph's lines each, tables flattened row by row."""
    lines: list[Line] = []
    for block in document.blocks:
        if isinstance(block, Table):
            lines += [(None, text) for text in flatten_grid(block.cells, block.grid)]
        else:
            lines += [(None, part.strip()) for part in block.text.split("\n") if part.strip()]
    return lines


def _text_lines(source_text: str) -> list[Line]:
    """The text's lines. Where cells are on lines of their own with no blank line between
    them, a blank line is an empty cell; where blank lines separate every line, they are
    only spacing and left out."""
    numbered = list(enumerate(source_text.splitlines(), 1))
    filled = [i for i, (_, line) in enumerate(numbered) if line.strip()]
    spaced = sum(1 for i in filled if i + 1 < len(numbered) and not numbered[i + 1][1].strip())
    if filled and spaced * 2 >= len(filled):
        return [(number, line.strip()) for number, line in numbered if line.strip()]
    first, last = (filled[0], filled[-1]) if filled else (0, -1)
    return [(number, line.strip() or BLANK_CELL) for number, line in numbered[first : last + 1]]


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
                lines.extend(flatten_grid(*_html_grid(child)))
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


def _html_grid(table: Tag) -> tuple[list[str], list[list[int]]]:
    """An HTML table as a grid of its cells (rowspan and colspan included)."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    texts: list[str] = []
    grid: dict[tuple[int, int], int] = {}
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = len(texts)
            grid[(r, c)] = len(texts)
            texts.append(collapse(cell.get_text("")))
            c += colspan
    width = max((c for _, c in grid), default=-1) + 1
    return texts, [[grid.get((r, c), -1) for c in range(width)] for r in range(len(rows))]


def flatten_grid(cells: Sequence[str], grid: Sequence[Sequence[int]]) -> list[str]:
    """A table's cells row by row, as a scraper flattens it, but each cell once (at its
    top-left slot) and an empty cell kept as BLANK_CELL. A number merged down over several
    rows is MERGED_CELL in each later row: which row holds it cannot be known."""
    seen: set[int] = set()
    out = []
    for r, row in enumerate(grid):
        for c, index in enumerate(row):
            if index < 0:
                continue
            text = collapse(cells[index])
            if index in seen:
                above = r > 0 and c < len(grid[r - 1]) and grid[r - 1][c] == index
                first_column = c == 0 or row[c - 1] != index
                if above and first_column and cell_value(text) is not None:
                    out.append(MERGED_CELL)
                continue
            seen.add(index)
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
