"""A PDF's text layer as paragraphs and tables (pdfplumber): tables recovered from the lines
drawn around their cells, merged cells kept as merged, a table broken over pages joined again,
paragraphs wrapped over lines joined, and page furniture (page numbers such as `— 5 —`) dropped.

A PDF without a text layer (a scanned image) gives no text, which ``Extract.text`` shows as ''.
"""

from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass

from portal.extraction.model import (
    Budget,
    Extract,
    ExtractionError,
    Limits,
    Paragraph,
    Table,
    join_wrapped,
    tidy,
)

# A page number standing alone: `— 5 —`, `- 5 -`, `第 5 页`, `第5页 共9页`, `5/9`, `5`.
_PAGE_NUMBER = re.compile(
    r"^[—–\-－~·\s]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:[/，,]?\s*共\s*\d{1,4}\s*页|/\s*\d{1,4})?"
    r"[—–\-－~·\s]*$"
)
_DECORATED = re.compile(r"^[—–\-－~]\s*\d{1,4}\s*[—–\-－~]$")
# Numbering that starts a row or paragraph of its own: 一、 （一） 1. 1、
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])"
)
_MARGIN = 0.1  # the top and bottom tenth of a page: where headers and footers stand


@dataclass
class _PageTable:
    """A table as found on one page, before tables broken over pages are joined."""

    texts: list[str]
    grid: list[list[int]]
    xs: list[float]
    page: int
    top: float
    last_page: int = 0


def _edges(values: list[float]) -> list[float]:
    """Sorted positions, those within 2 points of each other taken as one."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > 2:
            out.append(value)
    return out


def _slot(edges: list[float], value: float) -> int:
    return max(bisect.bisect_right(edges, value + 2) - 1, 0)


def _cell_text(chars: list[dict]) -> str:
    """The text of a cell's characters: lines top to bottom, each left to right."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(char["top"] - lines[-1][0]["top"]) < char["size"] * 0.5:
            lines[-1].append(char)
        else:
            lines.append([char])
    texts = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text = ""
        for before, char in zip([None, *line], line, strict=False):
            if before is not None and char["x0"] - before["x1"] > char["size"] * 0.3:
                text += " "
            text += char["text"]
        texts.append(text)
    return join_wrapped(texts)


def _table(found, chars: list[dict], page: int, budget: Budget) -> _PageTable:
    """A table pdfplumber found, as a grid of its cells with their text."""
    boxes = found.cells
    xs = _edges([x for box in boxes for x in (box[0], box[2])])
    ys = _edges([y for box in boxes for y in (box[1], box[3])])
    grid = [[-1] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for index, (x0, top, x1, bottom) in enumerate(boxes):
        for row in range(_slot(ys, top), max(_slot(ys, bottom), _slot(ys, top) + 1)):
            for column in range(_slot(xs, x0), max(_slot(xs, x1), _slot(xs, x0) + 1)):
                if row < len(grid) and column < len(grid[row]):
                    grid[row][column] = index
    owned: list[list[dict]] = [[] for _ in boxes]
    for char in chars:
        if not _inside(char, [found.bbox]):
            continue
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        row, column = _slot(ys, y), _slot(xs, x)
        if row < len(grid) and column < len(grid[row]) and grid[row][column] >= 0:
            owned[grid[row][column]].append(char)
    texts = [budget.take(_cell_text(chars_of)) for chars_of in owned]
    # A slot no cell covers (an irregular drawing) becomes an empty cell of its own.
    for row in grid:
        for column, index in enumerate(row):
            if index < 0:
                row[column] = len(texts)
                texts.append("")
    return _PageTable(texts, grid, xs, page, found.bbox[1], page)


def _inside(char: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _lines(page, outside: list[dict]) -> list[dict]:
    """The page's lines of text outside its tables, page furniture left out."""
    height = float(page.height)
    lines = []
    for line in page.filter(
        lambda obj: obj.get("object_type") != "char" or obj in outside
    ).extract_text_lines(x_tolerance=1.5):
        text = tidy(line["text"])
        in_margin = line["bottom"] < height * _MARGIN or line["top"] > height * (1 - _MARGIN)
        if not text or _DECORATED.match(text) or (in_margin and _PAGE_NUMBER.match(text)):
            continue
        lines.append({**line, "text": text})
    return lines


@dataclass
class _Text:
    """A paragraph as found on one page: does it start at the left edge, end at the right?"""

    text: str
    page: int
    flush: bool
    full: bool


def _runs_on(last: dict, line: dict, left: float, right: float) -> tuple[bool, bool]:
    """(``last`` reaches the right edge, ``line`` starts at the left edge without numbering)."""
    size = max((char["size"] for char in line["chars"]), default=10)
    full = last["x1"] >= right - 3 * size
    flush = line["x0"] <= left + size * 0.5 and not _NUMBERING.match(line["text"])
    return full, flush


def _paragraphs(
    lines: list[dict], left: float, right: float, page: int
) -> list[tuple[float, _Text]]:
    """Lines wrapped from one paragraph joined: a line reaching the right edge runs on into
    the next unless that one is indented or starts with numbering."""
    out: list[tuple[float, list[str], dict, bool]] = []
    for line in lines:
        if out:
            last = out[-1][2]
            full, flush = _runs_on(last, line, left, right)
            size = max((char["size"] for char in line["chars"]), default=10)
            if full and flush and line["top"] - last["bottom"] < size * 1.2:
                out[-1][1].append(line["text"])
                out[-1] = (out[-1][0], out[-1][1], line, out[-1][3])
                continue
        flush = _runs_on(line, line, left, right)[1]
        out.append((line["top"], [line["text"]], line, flush))
    return [
        (top, _Text(join_wrapped(parts), page, flush, _runs_on(last, last, left, right)[0]))
        for top, parts, last, flush in out
    ]


def _page_blocks(page, number: int, budget: Budget) -> list[tuple[float, object]]:
    found = page.find_tables()
    boxes = [table.bbox for table in found]
    chars = page.chars
    in_tables = [char for char in chars if _inside(char, boxes)]
    outside = [char for char in chars if not _inside(char, boxes)]
    tables = [_table(table, in_tables, number, budget) for table in found]
    lines = _lines(page, outside)
    left = min([line["x0"] for line in lines] + [box[0] for box in boxes], default=0)
    # A page of short lines reaches no edge: the right edge is at least the left margin's mirror.
    right = max(
        [line["x1"] for line in lines] + [box[2] for box in boxes] + [float(page.width) - left]
    )
    blocks: list[tuple[float, object]] = [(table.top, table) for table in tables]
    blocks += [
        (top, text)
        for top, text in _paragraphs(lines, left, right, number)
        if budget.take(text.text)
    ]
    blocks.sort(key=lambda block: block[0])
    return blocks


def _continues(before: _PageTable, after: _PageTable) -> bool:
    """``after``, first on its page, carries on ``before``, last on the page before: the same
    outer edges (a column line one part lacks, where its rows merge cells, is no matter)."""
    return (
        after.page == before.last_page + 1
        and abs(after.xs[0] - before.xs[0]) <= 2
        and abs(after.xs[-1] - before.xs[-1]) <= 2
    )


def _widen(table: _PageTable, xs: list[float]) -> None:
    """Give ``table`` the column lines ``xs`` (a superset of its own): a slot split in two is
    covered by the same cell twice."""
    spans = [
        [i for i in range(len(xs) - 1) if left - 2 <= xs[i] and xs[i + 1] <= right + 2]
        for left, right in zip(table.xs, table.xs[1:], strict=False)
    ]
    table.grid = [[row[c] for c, span in enumerate(spans) for _ in span] for row in table.grid]
    table.xs = xs


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,]+", text))


def _join(before: _PageTable, after: _PageTable) -> None:
    """Append ``after``'s rows to ``before``. A row the page break cut in two (its first row
    holds no number and no numbering, only the rest of the text above it) is made whole again,
    and a cell merged down over the break stays one cell."""
    xs = _edges(before.xs + after.xs)
    _widen(before, xs)
    _widen(after, xs)
    offset = len(before.texts)
    texts = before.texts + after.texts
    rows = [[index + offset for index in row] for row in after.grid]
    last, first = before.grid[-1], rows[0]
    split = all(
        not texts[cell]
        or (
            not _is_number(texts[cell])
            and not _NUMBERING.match(texts[cell])
            and texts[last[column]]
            and not _is_number(texts[last[column]])
        )
        for column, cell in enumerate(first)
    )
    same: dict[int, int] = {}
    for column, cell in enumerate(first):
        above = last[column]
        merged_down = not texts[cell] and len(before.grid) > 1 and before.grid[-2][column] == above
        if (split or merged_down) and cell not in same and above not in same.values():
            same[cell] = above
            texts[above] += texts[cell]
    rows = [[same.get(index, index) for index in row] for row in rows]
    if split:
        rows = rows[1:]
    before.texts = texts
    before.grid += rows
    before.last_page = after.page


def _add(blocks: list[object], page_blocks: list[tuple[float, object]]) -> None:
    """A page's blocks after those of the pages before: a table or paragraph the page break
    cut is joined to its first part."""
    for _, block in page_blocks:
        last = blocks[-1] if blocks else None
        tables = isinstance(block, _PageTable) and isinstance(last, _PageTable)
        if tables and _continues(last, block):
            _join(last, block)
            continue
        texts = isinstance(block, _Text) and isinstance(last, _Text)
        if texts and last.page == block.page - 1 and last.full and block.flush:
            last.text = join_wrapped([last.text, block.text])
            last.page, last.full = block.page, block.full
            continue
        blocks.append(block)


def _pages(pdf, limit: int):
    """The first ``limit`` pages, made one at a time (pdfplumber's ``pdf.pages`` makes every
    page first: seconds for a PDF of 10,000 pages)."""
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    top = 0.0
    for number, found in enumerate(PDFPage.create_pages(pdf.doc), 1):
        if number > limit:
            return
        page = Page(pdf, found, page_number=number, initial_doctop=top)
        top += float(page.height)
        yield number, page


def _page_count(pdf) -> int | None:
    from pdfminer.pdftypes import resolve1

    try:
        return int(resolve1(resolve1(pdf.doc.catalog["Pages"]).get("Count")))
    except Exception:  # a damaged page tree: the pages are counted as they are read
        return None


def read_pdf(data: bytes, limits: Limits) -> Extract:
    """The PDF's text layer, page by page, up to ``limits.max_pages``."""
    import pdfplumber

    budget = Budget(limits)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as error:  # pdfminer raises many kinds on a damaged file
        raise ExtractionError(f"the PDF cannot be read ({type(error).__name__})") from None
    count = _page_count(pdf)
    extract = Extract(pages=count)
    blocks: list[object] = []
    read = 0
    # Not pdf.close(): it makes every page object first, which is what _pages avoids; the
    # document is only memory, freed with it.
    try:
        for number, page in _pages(pdf, limits.max_pages):
            read = number
            if why := budget.spent():
                extract.truncated = f"{why} (page {number} of {count})"
                break
            try:
                page_blocks = _page_blocks(page, number, budget)
            except Exception as error:  # one broken page: the others are still read
                extract.truncated = f"page {number} cannot be read ({type(error).__name__})"
                continue
            finally:
                page.close()
            _add(blocks, page_blocks)
    except Exception as error:  # a damaged page tree: what was read is kept
        extract.truncated = f"the pages after page {read} cannot be read ({type(error).__name__})"
    if extract.pages is None:
        extract.pages = read
    if (extract.pages or 0) > limits.max_pages and not extract.truncated:
        extract.truncated = f"only the first {limits.max_pages} of {extract.pages} pages read"
    for block in blocks:
        if isinstance(block, _PageTable):
            extract.blocks.append(
                Table(tuple(block.texts), tuple(map(tuple, block.grid)), page=block.page)
            )
        else:
            extract.blocks.append(Paragraph(block.text, page=block.page))
    return extract
