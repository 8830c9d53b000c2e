"""Stage one for a Markdown conversion of a report: `#` headings and pipe tables -> lines.

Converters write every table with a header row, which a report's tables do not have: some
write an empty one, some number the columns, and a page whose rows were separate tables becomes
one table per row, each under a header row of its own (an empty one, the row itself, the
header of the table before repeated, or one the converter made up: 类别 | 数据1 … | 总计, or
项目 | 本年新收件数 | 上年结转件数 … over rows it does not name). A header row is read as a row
of the table unless it is one of those: empty, column numbers or placeholders, a made-up header
(a generic first cell such as 项目 or 类别 and no number), or the header row of the table just
before again. An empty cell is an empty cell (BLANK_CELL), as in an HTML table.
"""

from __future__ import annotations

import re

from portal.reports.importer.source import BLANK_CELL, Line, collapse

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_COLUMN_NUMBER = re.compile(
    r"^(?:列|第|数据|数值|值|栏|column|col|data|value)?\s*(\d{1,2})\s*(?:列|栏)?$", re.IGNORECASE
)
# The first cell of a header a converter made up: the name it gives the label column.
_GENERIC_FIRST = re.compile(r"^[(（]?(?:类别|项目|数据项目|指标|名称|内容|分类|类型)[)）]?$")
_TOTAL = re.compile(r"^(?:总计|合计)$")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_TAG = re.compile(r"<br\s*/?>|</?(?:strong|b|em|i|span|p|div|u)\b[^>]*>", re.IGNORECASE)


def _is_row(line: str) -> bool:
    return "|" in line.replace(r"\|", "")


def _cells(line: str) -> list[str]:
    """The cells of a pipe-table row, their Markdown undone."""
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith(r"\|") else text
    return [collapse(_plain(cell)) for cell in re.split(r"(?<!\\)\|", text)]


def _plain(text: str) -> str:
    """Markdown text as the words it shows: no emphasis marks, tags or escapes."""
    text = _TAG.sub("", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return _ESCAPED.sub(r"\1", text).strip()


def _is_artefact(header: list[str], previous: list[str] | None) -> bool:
    """A header row a converter added: empty, the columns numbered 1, 2, 3 ... (or 数据1 …),
    made up (a generic first cell and no number), or the header row of the table before again
    (a row of numbers only is data, even when repeated)."""
    filled = [cell for cell in header if cell]
    made_up = filled and _GENERIC_FIRST.match(filled[0])
    if made_up and not any(re.search(r"\d", c) and not _COLUMN_NUMBER.match(c) for c in filled):
        return True  # 类别 | 数据1 … | 总计, 项目 | 本年新收件数 …: made up by the converter
    numbered = [cell for cell in filled if not _TOTAL.match(cell)]
    numbers = [m.group(1) for cell in numbered if (m := _COLUMN_NUMBER.match(cell))]
    if not filled or (numbered and numbers == [str(n) for n in range(1, len(numbered) + 1)]):
        return True
    return (
        previous is not None
        and header == previous
        and any(not re.fullmatch(r"[\d.,\s-]*", cell) for cell in filled)
    )


def markdown_lines(source_text: str) -> list[Line]:
    """The Markdown's lines: headings and paragraphs as text, each table row's cells one by one."""
    source = source_text.splitlines()
    lines: list[Line] = []
    previous: list[str] | None = None
    index = 0
    while index < len(source):
        number, line = index + 1, source[index]
        is_header = (
            _is_row(line) and index + 1 < len(source) and _SEPARATOR.match(source[index + 1])
        )
        if is_header:
            header = _cells(line)
            rows = [] if _is_artefact(header, previous) else [(number, header)]
            previous = header
            index += 2
            while index < len(source) and _is_row(source[index]):
                if not _SEPARATOR.match(source[index]):
                    rows.append((index + 1, _cells(source[index])))
                index += 1
            for row_number, cells in rows:
                lines += [(row_number, cell or BLANK_CELL) for cell in cells]
            continue
        index += 1
        if _SEPARATOR.match(line):
            continue
        if _is_row(line):
            lines += [(number, cell or BLANK_CELL) for cell in _cells(line)]
            continue
        text = re.sub(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+)", "", line)
        text = _plain(re.sub(r"\s+#+\s*$", "", text))
        if text:
            lines.append((number, text))
    return lines
