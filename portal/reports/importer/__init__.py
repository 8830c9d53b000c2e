"""A published annual report (scraped text or an HTML page) -> a content file and its table data.

Published reports reach us in two shapes: text scraped from a page, where every table cell
became a line of its own ("flattened", as in the seed), and the HTML page itself with the tables
as <table> elements. Both become one list of lines (HTML tables are flattened row by row, the way
a scraper does, but an empty cell is kept as an explicit blank), which is then cut into the
prose sections and the three table regions.

In a table region every label is recognised against the statutory layout (tolerating wrapped
labels, full- and half-width punctuation, quotes, and the variants seen in real reports) and
the numbers after it are placed in its cells. A number that cannot be placed without guessing
is listed in ``ImportResult.unplaced`` and no report is produced: an import either gives all
200 cells or says which it could not fill. Pure domain code: no Flask here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from portal.reports import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_SECTIONS,
    TABLE4_COLUMNS,
    TABLE_NAMES,
    Column,
    Problem,
    Report,
    Row,
    Table,
    Value,
    report_to_yaml,
    row_name,
    table_rows,
    validate_report,
    yaml_text,
)
from portal.text import atomic_write

CATEGORY = "政府信息公开年报"
FRONT_MATTER_KEYS = (
    "index_no",
    "doc_no",
    "date",
    "department",
    "time_limit",
    "category",
    "five_openness",
    "mode",
    "keywords",
    "attachments",
)


@dataclass
class ImportResult:
    """What an import produced: the report (None when a cell could not be placed) and its text."""

    report: Report | None
    title: str
    body: str
    unplaced: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    slug: str | None = None

    @property
    def markdown(self) -> str:
        """The content file: front matter (no invented metadata) and the body with table markers."""
        return render_markdown(self.title, self.body, self.slug)


def render_markdown(title: str, body: str, slug: str | None) -> str:
    """A content file for an imported report; every field the source does not give stays empty."""
    lines = ["---", f"title: {yaml_text(title)}"]
    for key in FRONT_MATTER_KEYS:
        lines.append(f"{key}: {CATEGORY}" if key == "category" else f"{key}:")
    lines.append(f"report: {slug or '<slug>'}.report.yml")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


# --- Reading the source into lines -------------------------------------------------------------

_BLANK = "\x00blank"  # an empty table cell of an HTML table: a position that holds nothing
_MERGED = "\x00merged"  # a number cell merged down over several rows: its value is ambiguous
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "ul", "tr", "td", "th", "caption", "tbody", "thead",
}


def guess_kind(source_text: str) -> Literal["text", "html"]:
    """'html' when the source looks like an HTML page or fragment, else 'text'."""
    if re.search(r"<(?:!doctype|html|body|table|p|div)\b", source_text[:5000], re.IGNORECASE):
        return "html"
    return "text"


def _text_lines(source_text: str) -> list[tuple[int | None, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(source_text.splitlines(), 1)
        if line.strip()
    ]


def _html_lines(source_text: str) -> list[tuple[int | None, str]]:
    """The page's text, one block per line, with each data table flattened row by row."""
    soup = BeautifulSoup(source_text, "html5lib")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _collapse("".join(buffer))
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


def _collapse(text: str) -> str:
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
            text = _collapse(cell.get_text(""))
            if continued and _number(text) is not None:
                out.append(_MERGED)
            elif id(cell) not in seen:
                seen.add(id(cell))
                out.append(text or _BLANK)
    return out


def _span(cell: Tag, attribute: str) -> int:
    try:
        return min(max(int(str(cell.get(attribute, "1")).strip() or 1), 1), 200)
    except ValueError:
        return 1


# --- Numbers and labels ------------------------------------------------------------------------

_BLANK_MARKS = {"-", "--", "—", "——", "–", "/", "\\", "无", "空"}


class _Blank:
    """An explicitly empty cell: it holds a position, and counts as 0 there."""


BLANK = _Blank()


def _number(text: str) -> Value | _Blank | None:
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


def _normal(text: str) -> str:
    """Text for comparison: half-width forms, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_NUMBERING = re.compile(
    r"^(?:(?P<cn>[一二三四五六七八九十]+)[、.,]"
    r"|\((?P<pcn>[一二三四五六七八九十]+)\)"
    r"|(?P<ar>\d{1,2})(?:[.、,]|(?=[^\d.,]))"
    r"|\((?P<par>\d{1,2})\))"
)


def _numbering_and_core(text: str) -> tuple[str | None, str]:
    """('cn' | 'pcn' | 'ar' | None, the label without numbering, punctuation or spaces)."""
    text = _normal(text)
    kind = None
    if match := _NUMBERING.match(text):
        kind = next(k for k, v in match.groupdict().items() if v is not None)
        kind = "ar" if kind == "par" else kind
        text = text[match.end() :]
    return kind, re.sub(r"[\W_]", "", text)


@dataclass(frozen=True)
class _Label:
    """A label of a table region that the importer recognises."""

    role: str  # row, heading, column, group, block, ignore
    key: str
    cores: tuple[str, ...]
    numbering: str | None = None  # the numbering the label carries in the statutory format
    numbered: bool = False  # True: only matches with that numbering (e.g. 3.其他 vs 其他)
    prefix: bool = False  # True: matches any text starting with a core (long notes)


def _label(role: str, key: str, label: str, *variants: str, numbered: bool = False) -> _Label:
    numbering, core = _numbering_and_core(label)
    cores = (core, *(_numbering_and_core(v)[1] for v in variants))
    return _Label(role, key, cores, numbering, numbered)


def _match(text: str, labels: tuple[_Label, ...], joined: bool = False) -> _Label | None:
    """The label ``text`` is, if any; ``joined`` text (several lines) never matches by prefix."""
    numbering, core = _numbering_and_core(text)
    for label in labels:
        if label.prefix and not joined and core.startswith(label.cores):
            return label
        if core not in label.cores:
            continue
        if numbering is None and not label.numbered:
            return label
        if numbering is not None and numbering == label.numbering:
            return label
    return None


_TABLE2_LABELS = (
    *(_label("block", block.key, block.label) for block in TABLE2_BLOCKS),
    _label("ignore", "content", "信息内容"),
    _label("column", "issued", "本年制发件数", "本年制发数量"),
    _label("column", "repealed", "本年废止件数", "本年废止数量"),
    _label("column", "in_force", "现行有效件数", "现行有效数量"),
    _label("column", "decisions", "本年处理决定数量", "本年处理决定数"),
    _label("column", "amount", "本年收费金额（单位：万元）", "本年收费金额", "本年收费金额万元"),
    _label("row", "rules", "规章"),
    _label("row", "normative", "行政规范性文件", "规范性文件"),
    _label("row", "licensing", "行政许可"),
    _label("row", "penalty", "行政处罚"),
    _label("row", "coercion", "行政强制"),
    _label("row", "fees", "行政事业性收费"),
)

_TABLE3_VARIANTS = {
    "new": ("本年度新收政府信息公开申请数量", "本年新收政府信息公开申请"),
    "carried_over": ("上年度结转政府信息公开申请数量", "上年结转政府信息公开申请"),
    "results": ("本年办理结果",),
    "partly_granted": ("部分公开",),
    "withheld_security": ("危及三安全一稳定",),
    "carried_forward": ("结转下年度继续办理的申请",),
}
# Labels that are also column headers (其他, 总计) only match with their numbering.
_NUMBERED = {"other_misc", "total"}
_TABLE3_LABELS = (
    *(
        _label(
            "heading" if row.heading else "row",
            row.key,
            row.label,
            *_TABLE3_VARIANTS.get(row.key, ()),
            numbered=row.key in _NUMBERED,
        )
        for section in TABLE3_SECTIONS
        for row in section
    ),
    *(_label("column", column.key, column.label) for column in TABLE3_COLUMNS),
    _label("group", "organisation", "法人或其他组织"),
    _label("ignore", "applicants", "申请人情况"),
    _Label("ignore", "note", ("本列数据的勾稽关系",), prefix=True),
)

_TABLE4_LABELS = (
    _label("group", "review", "行政复议"),
    _label("ignore", "litigation", "行政诉讼"),
    _label("group", "suit_direct", "未经复议直接起诉"),
    _label("group", "suit_after_review", "复议后起诉"),
    *(_label("column", column.key, column.label) for column in TABLE4_COLUMNS),
)

_FOOTNOTE = re.compile(r"^[(（]?(?:注|备注|说明|\*)")


@dataclass(frozen=True)
class _Token:
    text: str
    line: int | None
    value: Value | _Blank | None = None  # None for a label
    merged: bool = False

    @property
    def is_label(self) -> bool:
        return self.value is None and not self.merged


@dataclass
class _Entry:
    """A label of a table region (or None) and the value tokens that follow it."""

    label: _Label | None
    text: str
    line: int | None
    values: list[_Token] = field(default_factory=list)


def _tokens(lines: list[tuple[int | None, str]]) -> list[_Token]:
    """Split lines into labels and values; a line 'label 1 2 3' gives a label and three values."""
    tokens = []
    for number, text in lines:
        if text == _BLANK:
            tokens.append(_Token("", number, BLANK))
            continue
        if text == _MERGED:
            tokens.append(_Token("", number, None, merged=True))
            continue
        parts = text.split()
        values = [_number(part) for part in parts]
        split = len(parts)
        while split > 0 and values[split - 1] is not None:
            split -= 1
        if split:
            tokens.append(_Token(" ".join(parts[:split]), number))
        tokens += [
            _Token(part, number, value)
            for part, value in zip(parts[split:], values[split:], strict=True)
        ]
    return tokens


def _entries(tokens: list[_Token], labels: tuple[_Label, ...]) -> list[_Entry]:
    """Group tokens under the labels before them; a label may be wrapped over up to 4 lines."""
    entries: list[_Entry] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not token.is_label:
            if not entries:
                entries.append(_Entry(None, "", token.line))
            entries[-1].values.append(token)
            index += 1
            continue
        run = 1
        while run < 4 and index + run < len(tokens) and tokens[index + run].is_label:
            run += 1
        found = None
        for size in range(run, 0, -1):
            text = "".join(t.text for t in tokens[index : index + size])
            if label := _match(text, labels, joined=size > 1):
                found = (label, text, size)
                break
        label, text, size = found or (None, token.text, 1)
        entries.append(_Entry(label, text, token.line))
        index += size
    return entries


# --- Placing numbers ---------------------------------------------------------------------------


def _at(line: int | None) -> str:
    """Where in the source text a message points, when the source has lines."""
    return f"（原文第 {line} 行）" if line else ""


class _Placer:
    """Fills the cells of one report and records what could not be placed, and why."""

    def __init__(self) -> None:
        self.tables: dict[int, Table] = {2: {}, 3: {}, 4: {}}
        self.unplaced: list[str] = []
        self.notes: list[str] = []
        self.footnotes: dict[int, list[str]] = {2: [], 3: [], 4: []}
        self.seen: set[tuple[int, str]] = set()

    def place(
        self,
        table: int,
        row: Row,
        columns: tuple[Column, ...],
        tokens: list[_Token],
        line: int | None = None,
    ) -> None:
        """Put a row's values into its cells, or say why they cannot be placed."""
        name = f"{TABLE_NAMES[table]}“{row_name(table, row)}”行{_at(line)}"
        if (table, row.key) in self.seen:
            shown = " ".join(t.text or "空" for t in tokens)
            self.unplaced.append(f"{name}出现了两次，第二次的数值（{shown}）未使用")
            return
        self.seen.add((table, row.key))
        # Empty cells that an HTML layout adds after the last column are not values.
        while len(tokens) > len(columns) and tokens[-1].value is BLANK:
            tokens = tokens[:-1]
        cells = self.tables[table].setdefault(row.key, {})
        if not tokens:
            # A row with no values at all: every cell blank, which unambiguously means 0.
            for column in columns:
                cells[column.key] = Decimal(0) if column.key == "amount" else 0
            self.notes.append(f"{name}没有数值，按全部为 0 处理")
            return
        if len(tokens) != len(columns):
            del self.tables[table][row.key]
            shown = " ".join(t.text or "空" for t in tokens)
            wanted = "、".join(column.label for column in columns)
            self.unplaced.append(
                f"{name}：找到 {len(tokens)} 个数值（{shown}），应有 {len(columns)} 个"
                f"（{wanted}），无法确定各属哪一列"
            )
            return
        for column, token in zip(columns, tokens, strict=True):
            if token.merged:
                self.unplaced.append(
                    f"{name}“{column.label}”列：单元格与上一行合并，无法确定数值"
                )
                continue
            value = 0 if token.value is BLANK else token.value
            if column.key == "amount" and isinstance(value, int):
                value = Decimal(value)
            cells[column.key] = value

    def stray(self, table: int, entry: _Entry, why: str) -> None:
        """Values that belong to no cell."""
        shown = " ".join(t.text or "空" for t in entry.values if t.value is not BLANK)
        if shown:
            line = entry.line or entry.values[0].line
            self.unplaced.append(f"{TABLE_NAMES[table]}{_at(line)}：{why}（{shown}）")

    def text(self, table: int, entry: _Entry, complete: bool) -> None:
        """Text in a table region that is no label: a footnote, kept below the table."""
        if entry.values:
            self.stray(table, entry, f"无法识别的“{entry.text}”后面的数值")
        if not entry.text:
            return
        self.footnotes[table].append(entry.text)
        if not complete and not _FOOTNOTE.match(_normal(entry.text)):
            self.notes.append(f"{TABLE_NAMES[table]}中无法识别的文字“{entry.text}”已作为表注保留")

    def missing(self) -> None:
        """List the rows that never appeared (a row that did is placed or already listed)."""
        for number in (2, 3, 4):
            for row in table_rows(number):
                if (number, row.key) not in self.seen:
                    name = f"{TABLE_NAMES[number]}“{row_name(number, row)}”行"
                    self.unplaced.append(f"{name}：未找到")


def _parse_table2(tokens: list[_Token], placer: _Placer) -> None:
    rows = {row.key: (block, row) for block in TABLE2_BLOCKS for row in block.rows}
    header: list[str] = []
    for entry in _entries(tokens, _TABLE2_LABELS):
        label = entry.label
        if label is None:
            placer.text(2, entry, complete=len(placer.tables[2]) == len(rows))
        elif label.role == "block":
            header = []
            placer.stray(2, entry, f"“{entry.text}”后面多出的数值")
        elif label.role in ("column", "ignore"):
            if label.role == "column":
                header.append(label.key)
            placer.stray(2, entry, f"表头“{entry.text}”后面多出的数值")
        else:
            block, row = rows[label.key]
            statutory = [column.key for column in block.columns]
            if header and sorted(header) == sorted(statutory):
                columns = tuple(next(c for c in block.columns if c.key == k) for k in header)
            elif not header or not set(header) & set(statutory):
                columns = block.columns
            else:
                shown = "、".join(header)
                placer.unplaced.append(
                    f"表二“{row.label}”行：列标题（{shown}）与{block.label}不符，无法放置数值"
                )
                continue
            placer.place(2, row, columns, entry.values, entry.line)


def _parse_table3(tokens: list[_Token], placer: _Placer) -> None:
    rows = {row.key: row for section in TABLE3_SECTIONS for row in section}
    header: list[str] = []
    columns: tuple[Column, ...] | None = None
    for entry in _entries(tokens, _TABLE3_LABELS):
        label = entry.label
        in_rows = columns is not None
        if label is not None and label.role in ("row", "heading") and not in_rows:
            columns = _table3_columns(header, placer)
            if columns is None:
                return
        if label is None:
            complete = len(placer.tables[3]) == len([r for r in rows.values() if not r.heading])
            if in_rows:
                placer.text(3, entry, complete)
            else:
                placer.stray(3, entry, "表头中多出的数值")
        elif label.role in ("column", "group", "ignore"):
            if not in_rows and label.role == "column":
                header.append(label.key)
            placer.stray(3, entry, f"表头“{entry.text}”后面多出的数值")
        elif label.role == "heading":
            placer.stray(3, entry, f"分组标题“{entry.text}”不应有数值")
        else:
            placer.place(3, rows[label.key], columns, entry.values, entry.line)


def _table3_columns(header: list[str], placer: _Placer) -> tuple[Column, ...] | None:
    """The column order of table 3 from its flattened header.

    Flattened row by row, the header reads 自然人, 法人或其他组织, 总计 and then the five
    organisation columns: 自然人 is the first column and 总计 the last, the others in the order
    they appear.
    """
    by_key = {column.key: column for column in TABLE3_COLUMNS}
    if not header:
        placer.notes.append("表三没有列标题，按法定格式的列顺序放置数值")
        return TABLE3_COLUMNS
    if sorted(header) != sorted(by_key):
        found = "、".join(by_key[key].label for key in header)
        placer.unplaced.append(f"表三的列标题不完整或有重复（{found}），无法确定各列位置")
        return None
    middle = [key for key in header if by_key[key].group]
    return (by_key["person"], *(by_key[key] for key in middle), by_key["total"])


def _parse_table4(tokens: list[_Token], placer: _Placer) -> None:
    """Table 4: its header (three groups of five results), then its 15 numbers in one run."""
    groups: list[str] = []
    results: list[str] = []
    values: list[_Token] = []
    for entry in _entries(tokens, _TABLE4_LABELS):
        label = entry.label
        if label is None:
            # Text after the numbers is a footnote (注：…含上年度结转数量).
            placer.text(4, entry, complete=bool(values))
            continue
        if values:
            if any(token.value is not BLANK for token in values):
                placer.stray(4, _Entry(None, "", None, values), "数值与表头交错，无法确定位置")
                return
            values = []  # empty header cells of an HTML table, not numbers
        if label.role == "group":
            groups.append(label.key)
        elif label.role == "column":
            results.append(label.key)
        values += entry.values
    order = _table4_order(groups, results, placer)
    if order is None:
        return
    while len(values) > 15 and values[-1].value is BLANK:
        values.pop()
    if len(values) != 15:
        shown = " ".join(t.text or "空" for t in values)
        placer.unplaced.append(
            f"表四{_at(values[0].line)}：找到 {len(values)} 个数值（{shown}），应有 15 个，"
            "无法确定位置"
        )
        for group, _ in order:
            placer.seen.add((4, group))
        return
    rows = {row.key: row for row in table_rows(4)}
    for index, (group, columns) in enumerate(order):
        run = values[index * 5 : index * 5 + 5]
        placer.place(4, rows[group], columns, run, run[0].line)


def _table4_order(
    groups: list[str], results: list[str], placer: _Placer
) -> list[tuple[str, tuple[Column, ...]]] | None:
    """The (row, columns) each run of five numbers belongs to, from the flattened header.

    In the statutory sheet 行政复议 is the leftmost group; the two kinds of 诉讼 follow in the
    order their headers appear, each with its five results in their order.
    """
    by_key = {column.key: column for column in TABLE4_COLUMNS}
    statutory = ["review", "suit_direct", "suit_after_review"]
    if not groups and not results:
        placer.notes.append("表四没有表头，按法定格式的顺序放置数值")
        return [(group, TABLE4_COLUMNS) for group in statutory]
    runs = [results[start : start + 5] for start in (0, 5, 10)]
    if (
        sorted(groups) != sorted(statutory)
        or len(results) != 15
        or any(sorted(run) != sorted(by_key) for run in runs)
    ):
        placer.unplaced.append("表四的表头无法识别（应有行政复议、未经复议直接起诉、复议后起诉各五列）")
        return None
    order = ["review", *(group for group in groups if group != "review")]
    return [
        (group, tuple(by_key[key] for key in run)) for group, run in zip(order, runs, strict=True)
    ]


# --- The document around the tables ------------------------------------------------------------

_TITLE = re.compile(
    r"^(?P<organisation>.+?)(?P<year>(?:19|20)\d{2})年度?政府信息公开(?:工作)?(?:年度)?(?:工作)?报告$"
)
_STATISTICS_YEAR = re.compile(r"统计数据.{0,4}?((?:19|20)\d{2})年1月1日")
_SECTIONS = (
    ("一", re.compile(r"^一[、.,]")),
    ("二", re.compile(r"^二[、.,].*主动公开")),
    ("三", re.compile(r"^三[、.,].*(?:收到|处理).*申请")),
    ("四", re.compile(r"^四[、.,].*(?:复议|诉讼)")),
    ("五", re.compile(r"^五[、.,].*(?:问题|改进|整改)")),
    ("六", re.compile(r"^六[、.,].*(?:其他|事项)")),
)
_METADATA_LABELS = ("索引号", "文号", "生成日期", "责任部门", "公开时限", "所属分类", "五公开",
                    "公开方式", "关键词", "发布机构", "成文日期", "发布日期")
_CHROME = re.compile(r"^(?:本站已启用无障碍|保护视力色|字体颜色|【?字体[:：]?[大中小])")
_PAGE_END = re.compile(r"^(?:附件下载|扫一扫|分享到|【?打印(?:本页)?】?|【?关闭(?:窗口)?】?)")
_SUBHEADING = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")


def _is_chrome(text: str) -> bool:
    """Page furniture of the portal the report was scraped from, not part of the report."""
    normal = _normal(text)
    if _CHROME.match(normal):
        return True
    return sum(label in normal for label in _METADATA_LABELS) >= 2 and len(normal) < 60


def _is_heading(text: str) -> bool:
    normal = _normal(text)
    return len(normal) <= 30 and not normal.endswith(("。", ".", "；", ";"))


def _escape(text: str) -> str:
    """Prose as Markdown that renders to exactly the same text."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    text = re.sub(r"^(#|[-+=]|\d+(?=[.)]))", r"\\\1", text)
    return text


def _paragraphs(lines: list[str]) -> list[str]:
    parts = []
    for line in lines:
        if _SUBHEADING.match(_normal(line)) and _is_heading(line):
            parts.append(f"### {_escape(line)}")
        else:
            parts.append(_escape(line))
    return parts


def import_report(
    source_text: str, kind: Literal["text", "html"] | None = None, slug: str | None = None
) -> ImportResult:
    """Read a published report: its tables and content file, or what could not be placed."""
    kind = kind or guess_kind(source_text)
    lines = _html_lines(source_text) if kind == "html" else _text_lines(source_text)
    title_at = next(
        (i for i, (_, text) in enumerate(lines) if _TITLE.match(_normal(text))), None
    )
    if title_at is None:
        message = "找不到报告标题（如“某某局2024年政府信息公开工作年度报告”）"
        return ImportResult(None, "", "", unplaced=[message], slug=slug)
    title = _collapse(lines[title_at][1])
    match = _TITLE.match(_normal(title))
    organisation, year = match["organisation"], int(match["year"])
    notes: list[str] = []

    # Find the six section headings in order; the tables lie between 二 and 五.
    found: dict[str, int] = {}
    start = title_at + 1
    for name, pattern in _SECTIONS:
        at = next(
            (
                i
                for i in range(start, len(lines))
                if pattern.match(_normal(lines[i][1])) and _is_heading(lines[i][1])
            ),
            None,
        )
        if at is not None:
            found[name] = at
            start = at + 1
    missing = [f"“{name}、”" for name in ("二", "三", "四") if name not in found]
    if missing:
        message = f"找不到第{'、'.join(missing)}部分的标题，无法确定表格的位置"
        return ImportResult(None, title, "", unplaced=[message], slug=slug)
    end = next(
        (i for i in range(found["四"], len(lines)) if _PAGE_END.match(_normal(lines[i][1]))),
        len(lines),
    )
    after_tables = found.get("五", found.get("六", end))

    placer = _Placer()
    regions = {
        2: lines[found["二"] + 1 : found["三"]],
        3: lines[found["三"] + 1 : found["四"]],
        4: lines[found["四"] + 1 : after_tables],
    }
    parsers = {2: _parse_table2, 3: _parse_table3, 4: _parse_table4}
    for number, parse in parsers.items():
        tokens = _tokens(regions[number])
        if any(not token.is_label for token in tokens):
            parse(tokens, placer)
        else:
            # A table without a single number was most likely published as an image: reading
            # it as all blank would publish 0s that nobody wrote.
            placer.unplaced.append(f"{TABLE_NAMES[number]}中没有任何数值（表格可能是图片），无法导入")
            placer.seen.update((number, row.key) for row in table_rows(number))
    placer.missing()

    def prose(first: int, last: int) -> list[str]:
        return [text for _, text in lines[first:last] if not _is_chrome(text)]

    first_section = found.get("一", found["二"])
    parts = _paragraphs(prose(title_at + 1, first_section))
    if "一" in found:
        parts.append(f"## {_escape(lines[found['一']][1])}")
        parts += _paragraphs(prose(found["一"] + 1, found["二"]))
    for number, name in ((2, "二"), (3, "三"), (4, "四")):
        parts.append(f"## {_escape(lines[found[name]][1])}")
        parts.append(f"[[table:{number}]]")
        parts += [_escape(note) for note in placer.footnotes[number]]
    for name, following in (("五", "六"), ("六", None)):
        if name in found:
            last = found.get(following, end) if following else end
            parts.append(f"## {_escape(lines[found[name]][1])}")
            parts += _paragraphs(prose(found[name] + 1, last))
    body = "\n\n".join(parts) + "\n"

    statistics = _STATISTICS_YEAR.search(_normal(" ".join(text for _, text in lines)))
    if statistics and int(statistics.group(1)) != year:
        notes.append(f"标题中的年份 {year} 与统计期 {statistics.group(1)} 年不同，按标题处理")

    report = None
    problems: list[Problem] = []
    if not placer.unplaced:
        tables = placer.tables
        report = Report(organisation, year, tables[2], tables[3], tables[4])
        problems = validate_report(report, body)
    return ImportResult(
        report,
        title,
        body,
        unplaced=placer.unplaced,
        problems=problems,
        notes=placer.notes + notes,
        slug=slug,
    )


def write_import(result: ImportResult, content_dir: Path, slug: str) -> list[Path]:
    """Write ``<slug>.md`` and ``<slug>.report.yml``; keep the front matter of an existing file.

    Staff fill in the metadata (索引号, 日期 ...) by hand; importing a corrected text again
    replaces the body and the tables but not what they wrote in the front matter.
    """
    if result.report is None:
        raise ValueError("导入未完成（有数值无法放置），不写入文件")
    content_dir.mkdir(parents=True, exist_ok=True)
    document = content_dir / f"{slug}.md"
    data = content_dir / f"{slug}.report.yml"
    markdown = render_markdown(result.title, result.body, slug)
    if document.exists():
        old = document.read_text("utf-8").removeprefix("\ufeff").split("\n")
        if old and old[0].rstrip() == "---":
            close = next((n for n in range(1, len(old)) if old[n].rstrip() == "---"), None)
            if close is not None:
                markdown = "\n".join(old[: close + 1]) + "\n" + result.body
    # Each file is written beside its target and renamed over it, so a failure halfway never
    # leaves a published report truncated.
    atomic_write(data, report_to_yaml(result.report))
    atomic_write(document, markdown)
    return [document, data]



