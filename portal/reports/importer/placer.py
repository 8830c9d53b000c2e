"""Stage three of an import: the numbers after each label, placed in the report's cells.

A number that cannot be placed without guessing is listed in ``Placer.unplaced``, with the
reason, and no report is produced: an import either gives all 200 cells or says which it could
not fill.
"""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal

from portal.reports.importer.labels import Entry, Token
from portal.reports.importer.runs import splits
from portal.reports.importer.source import BLANK, comparable
from portal.reports.layout import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_SECTIONS,
    TABLE4_COLUMNS,
    TABLE_NAMES,
    Column,
    Row,
    row_name,
    table_rows,
)
from portal.reports.model import Table

_FOOTNOTE = re.compile(r"^[(（]?(?:注|备注|说明|\*)")


def _unpadded(tokens: list[Token], width: int) -> tuple[list[Token], bool]:
    """A row's values without the empty cells a layout adds around them (after the last column
    in HTML, or after a label merged over several columns in a Markdown conversion), and True
    when empty cells on both sides leave the position of the values uncertain."""
    surplus = len(tokens) - width
    if surplus <= 0:
        return tokens, False
    trailing = all(t.value is BLANK for t in tokens[width:])
    leading = all(t.value is BLANK for t in tokens[:surplus])
    if trailing and leading:
        ambiguous = [t.value for t in tokens[:width]] != [t.value for t in tokens[surplus:]]
        return tokens[:width], ambiguous
    if trailing:
        return tokens[:width], False
    if leading:
        return tokens[surplus:], False
    return tokens, False


_RULE = {
    2: "每格一位数字（只有这一种拆法）",
    3: "本行勾稽关系（六类申请人之和等于总计）",
    4: "本组勾稽关系（维持、纠正、其他、尚未审结之和等于总计）",
}


def _list(tokens: list[Token]) -> str:
    return "、".join(t.text for t in tokens)


def _row_sum(columns: tuple[Column, ...]):
    """The statutory sum of a row with a 总计 column: every other cell adds up to it."""
    keys = [column.key for column in columns]
    if "total" not in keys:
        return None
    at = keys.index("total")
    return lambda values: sum(values) - values[at] == values[at]


def _readings(tokens: list[Token], columns: tuple[Column, ...]) -> list[list[int]] | None:
    """The ways to read a row whose digits ran together, or None for a row without such runs."""
    runs = [(t.text, t.run) for t in tokens]
    lone = tokens[0] if len(tokens) == 1 else None
    if lone is not None and isinstance(lone.value, int) and len(lone.text) > 1:
        runs = [(lone.text, True)]  # a row's cells all written as one number
    if not any(run for _, run in runs):
        return None
    if any(
        not run and not isinstance(t.value, int) for t, (_, run) in zip(tokens, runs, strict=True)
    ):
        return None
    return splits(runs, len(columns), _row_sum(columns))


def _table4_readings(values: list[Token], order) -> list[list[int]] | None:
    """The ways to read table 4's fifteen numbers written together, each group's results
    adding up to its 总计."""
    sums = [_row_sum(columns) for _, columns in order]

    def groups_hold(numbers: list[int]) -> bool:
        return all(rule(numbers[i * 5 : i * 5 + 5]) for i, rule in enumerate(sums))

    runs = [(t.text, t.run) for t in values]
    if not any(run for _, run in runs) or any(
        not run and not isinstance(t.value, int) for t, (_, run) in zip(values, runs, strict=True)
    ):
        return None
    return splits(runs, 15, groups_hold)


def _split_refusal(shown: str, readings: list[list[int]], table: int) -> str:
    if table == 2:
        return (
            f"数字连在一起（“{shown}”），可有多种拆法，表二没有可供核对的合计，无法确定各格数值，"
            "请按原表逐格填写或导入 HTML、DOCX 版本"
        )
    if not readings:
        return f"数字连在一起（“{shown}”），没有一种拆法满足{_RULE[table]}，无法确定各格数值"
    return f"数字连在一起（“{shown}”），有多种拆法都满足{_RULE[table]}，无法确定各格数值"


_R2_ROWS = tuple(
    row.key
    for section in TABLE3_SECTIONS
    for row in section
    if row.level >= 1 and not row.heading and row.key != "total"
)


def _table3_sums_hold(table: Table) -> bool:
    """R1 and R2 in every column of a complete table 3 (False while a row is missing)."""
    try:
        return all(
            table["new"][c.key] + table["carried_over"][c.key]
            == table["total"][c.key] + table["carried_forward"][c.key]
            and table["total"][c.key] == sum(table[key][c.key] for key in _R2_ROWS)
            for c in TABLE3_COLUMNS
        )
    except (KeyError, TypeError):
        return False


def _at(line: int | None) -> str:
    """Where in the source text a message points, when the source has lines."""
    return f"（原文第 {line} 行）" if line else ""


class Placer:
    """The cells of one report as they are filled (tables), what could not be placed and why
    (unplaced), notes for staff, and the text kept below each table (footnotes)."""

    def __init__(self) -> None:
        self.tables: dict[int, Table] = {2: {}, 3: {}, 4: {}}
        self.unplaced: list[str] = []
        self.notes: list[str] = []
        self.footnotes: dict[int, list[str]] = {2: [], 3: [], 4: []}
        self.seen: set[tuple[int, str]] = set()
        # Cells whose value was worked out from digits written together, said to staff.
        self.inferred: list[str] = []
        # Rows of table 3 whose digits can be cut several ways, each fitting the row's sum.
        self.ambiguous: dict[str, tuple[tuple[Column, ...], list[list[int]], str, str]] = {}

    def place(
        self,
        table: int,
        row: Row,
        columns: tuple[Column, ...],
        tokens: list[Token],
        line: int | None = None,
    ) -> None:
        """Put a row's values into its cells, or say why they cannot be placed."""
        name = f"{TABLE_NAMES[table]}“{row_name(table, row)}”行{_at(line)}"
        if (table, row.key) in self.seen:
            shown = " ".join(t.text or "空" for t in tokens)
            self.unplaced.append(f"{name}出现了两次，第二次的数值（{shown}）未使用")
            return
        self.seen.add((table, row.key))
        if self.suspect(name, tokens):
            return
        found = tokens
        tokens, padded = _unpadded(tokens, len(columns))
        if padded:
            shown = " ".join(t.text or "空" for t in found)
            self.unplaced.append(
                f"{name}：找到 {len(found)} 个数值（{shown}），应有 {len(columns)} 个，"
                "前后都有空单元格，无法确定哪些是空列"
            )
            return
        cells = self.tables[table].setdefault(row.key, {})
        if not tokens:
            # A row with no values at all: every cell blank, which unambiguously means 0.
            for column in columns:
                cells[column.key] = Decimal(0) if column.key == "amount" else 0
            self.notes.append(f"{name}没有数值，按全部为 0 处理")
            return
        if len(tokens) != len(columns) and (readings := _readings(tokens, columns)) is not None:
            shown = "".join(t.text for t in tokens)
            if len(readings) == 1:
                tokens = [Token(str(v), line, v) for v in readings[0]]
                self.inferred.append(
                    f"{name}：连在一起的数字“{shown}”按{_RULE[table]}拆为 {_list(tokens)}"
                )
            else:
                del self.tables[table][row.key]
                if len(readings) > 1 and table == 3:
                    self.ambiguous[row.key] = (columns, readings, name, shown)
                    return
                self.unplaced.append(f"{name}：{_split_refusal(shown, readings, table)}")
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
                self.unplaced.append(f"{name}“{column.label}”列：单元格与上一行合并，无法确定数值")
                continue
            value = 0 if token.value is BLANK else token.value
            if column.key == "amount" and isinstance(value, int):
                value = Decimal(value)
            cells[column.key] = value

    def suspect(self, name: str, tokens: list[Token]) -> bool:
        """Refuse numbers written with a letter in them (1O, l2): which digit was meant is a
        guess. True when there was one."""
        odd = [token.text for token in tokens if token.suspect]
        if odd:
            shown = "、".join(f"“{text}”" for text in odd)
            self.unplaced.append(
                f"{name}：{shown}像数字但含有字母或符号（O、l 等，可能是识别错误），"
                "不猜测其数值，请按原件改正后再导入"
            )
        return bool(odd)

    def resolve_table3(self) -> None:
        """Rows of table 3 whose run-together digits fit their row's sum more than one way:
        the one combination of readings for which every column satisfies R1 and R2, or, with
        none or several, each such row refused."""
        if not self.ambiguous:
            return
        keys = list(self.ambiguous)
        options = [self.ambiguous[key][1] for key in keys]
        fits: list[tuple[list[int], ...]] = []
        if math.prod(len(option) for option in options) <= 100_000:
            for combination in itertools.product(*options):
                table = dict(self.tables[3])
                for key, values in zip(keys, combination, strict=True):
                    columns = self.ambiguous[key][0]
                    table[key] = {c.key: v for c, v in zip(columns, values, strict=True)}
                if _table3_sums_hold(table):
                    fits.append(combination)
                    if len(fits) > 1:
                        break
        for index, key in enumerate(keys):
            columns, readings, name, shown = self.ambiguous[key]
            if len(fits) == 1:
                values = fits[0][index]
                self.tables[3][key] = {c.key: v for c, v in zip(columns, values, strict=True)}
                self.inferred.append(
                    f"{name}：连在一起的数字“{shown}”按本行及各列的勾稽关系（R1、R2）拆为 "
                    + "、".join(map(str, values))
                )
            else:
                self.unplaced.append(
                    f"{name}：连在一起的数字“{shown}”有 {len(readings)} 种拆法都满足本行的勾稽"
                    "关系，与其他行合起来也无法确定，请核对原表"
                )
        self.ambiguous = {}

    def stray(self, table: int, entry: Entry, why: str) -> None:
        """Values that belong to no cell."""
        shown = " ".join(t.text or "空" for t in entry.values if t.value is not BLANK)
        if shown:
            line = entry.line or entry.values[0].line
            self.unplaced.append(f"{TABLE_NAMES[table]}{_at(line)}：{why}（{shown}）")

    def text(self, table: int, entry: Entry, complete: bool) -> None:
        """Text in a table region that is no label: a footnote, kept below the table."""
        if entry.values:
            self.stray(table, entry, f"无法识别的“{entry.text}”后面的数值")
        if not entry.text:
            return
        self.footnotes[table].append(entry.text)
        if not complete and not _FOOTNOTE.match(comparable(entry.text)):
            self.notes.append(f"{TABLE_NAMES[table]}中无法识别的文字“{entry.text}”已作为表注保留")

    def missing(self) -> None:
        """List the rows that never appeared (a row that did is placed or already listed)."""
        for number in (2, 3, 4):
            for row in table_rows(number):
                if (number, row.key) not in self.seen:
                    name = f"{TABLE_NAMES[number]}“{row_name(number, row)}”行"
                    self.unplaced.append(f"{name}：未找到")


def _place_table2(entries: list[Entry], placer: Placer) -> None:
    rows = {row.key: (block, row) for block in TABLE2_BLOCKS for row in block.rows}
    header: list[str] = []
    unknown: list[str] = []  # header text of the current block that is no statutory header
    in_header = after_row = False
    refused: set[str] = set()
    for entry in entries:
        label = entry.label
        if label is None:
            if in_header and entry.text and not _ANNOTATION.match(comparable(entry.text)):
                unknown.append(entry.text)
                placer.stray(2, entry, f"表头“{entry.text}”后面多出的数值")
            else:
                placer.text(2, entry, complete=len(placer.tables[2]) == len(rows))
        elif label.role == "block":
            header, unknown, in_header, after_row = [], [], True, False
            placer.stray(2, entry, f"“{entry.text}”后面多出的数值")
        elif label.role in ("column", "ignore"):
            if label.role == "column":
                if after_row:  # a header written again over the next row
                    header, after_row = [], False
                header.append(label.key)
            placer.stray(2, entry, f"表头“{entry.text}”后面多出的数值")
        else:
            block, row = rows[label.key]
            in_header, after_row = False, True
            if unknown or block.key in refused:
                if block.key not in refused:
                    refused.add(block.key)
                    placer.unplaced.append(_unknown_header(2, block.label, unknown, block.columns))
                placer.seen.update((2, r.key) for r in block.rows)
                continue
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


# Text a table's header may carry that is no column: its unit, a note, its number.
_ANNOTATION = re.compile(r"^[(（]?(?:(?:计量)?单位[:：]|注|备注|说明|\*|表[一二三四1-4])")


def _unknown_header(table: int, where: str, unknown: list[str], columns) -> str:
    """A header that is present but not the statutory one: the import refuses, naming it."""
    found = "、".join(f"“{text}”" for text in dict.fromkeys(unknown))
    wanted = "、".join(column.label for column in columns)
    return (
        f"{TABLE_NAMES[table]}{where}的表头中有无法识别的列标题{found}（法定格式的列为：{wanted}），"
        "无法确定各列位置；如这是其他格式的报告，请手工录入"
    )


def _place_table3(entries: list[Entry], placer: Placer) -> None:
    rows = {row.key: row for section in TABLE3_SECTIONS for row in section}
    header: list[str] = []
    unknown: list[str] = []
    columns: tuple[Column, ...] | None = None
    for entry in entries:
        label = entry.label
        in_rows = columns is not None
        if label is not None and label.role in ("row", "heading") and not in_rows:
            columns = _table3_columns(header, unknown, placer)
            if columns is None:
                placer.seen.update((3, row.key) for row in table_rows(3))
                return
        if label is None:
            complete = len(placer.tables[3]) == len([r for r in rows.values() if not r.heading])
            if in_rows:
                placer.text(3, entry, complete)
            else:
                if entry.text and not _ANNOTATION.match(comparable(entry.text)):
                    unknown.append(entry.text)
                placer.stray(3, entry, "表头中多出的数值")
        elif label.role in ("column", "group", "ignore"):
            if not in_rows and label.role == "column":
                header.append(label.key)
            placer.stray(3, entry, f"表头“{entry.text}”后面多出的数值")
        elif label.role == "heading":
            placer.stray(3, entry, f"分组标题“{entry.text}”不应有数值")
        else:
            placer.place(3, rows[label.key], columns, entry.values, entry.line)
    placer.resolve_table3()


def _table3_columns(
    header: list[str], unknown: list[str], placer: Placer
) -> tuple[Column, ...] | None:
    """The column order of table 3 from its flattened header.

    Flattened row by row, the header reads 自然人, 法人或其他组织, 总计 and then the five
    organisation columns: 自然人 is the first column and 总计 the last, the others in the order
    they appear.
    """
    by_key = {column.key: column for column in TABLE3_COLUMNS}
    if unknown:
        placer.unplaced.append(_unknown_header(3, "", unknown, TABLE3_COLUMNS))
        return None
    if not header:
        placer.notes.append("表三没有列标题，按法定格式的列顺序放置数值")
        return TABLE3_COLUMNS
    if sorted(header) != sorted(by_key):
        found = "、".join(by_key[key].label for key in header)
        placer.unplaced.append(f"表三的列标题不完整或有重复（{found}），无法确定各列位置")
        return None
    middle = [key for key in header if by_key[key].group]
    return (by_key["person"], *(by_key[key] for key in middle), by_key["total"])


def _place_table4(entries: list[Entry], placer: Placer) -> None:
    """Table 4: its header (three groups of five results), then its 15 numbers in one run."""
    groups: list[str] = []
    results: list[str] = []
    values: list[Token] = []
    unknown: list[str] = []
    for entry in entries:
        label = entry.label
        if label is None:
            header_text = not values and entry.text
            if header_text and not _ANNOTATION.match(comparable(entry.text)):
                unknown.append(entry.text)
                values += entry.values
                continue
            # Text after the numbers is a footnote (注：…含上年度结转数量).
            placer.text(4, entry, complete=bool(values))
            continue
        if values:
            if any(token.value is not BLANK for token in values):
                placer.stray(4, Entry(None, "", None, values), "数值与表头交错，无法确定位置")
                return
            values = []  # empty header cells of an HTML table, not numbers
        if label.role == "group":
            groups.append(label.key)
        elif label.role == "column":
            results.append(label.key)
        values += entry.values
    if unknown:
        placer.unplaced.append(_unknown_header(4, "", unknown, TABLE4_COLUMNS))
        placer.seen.update((4, row.key) for row in table_rows(4))
        return
    order = _table4_order(groups, results, placer)
    if order is None:
        return
    if placer.suspect(f"表四{_at(values[0].line if values else None)}", values):
        placer.seen.update((4, group) for group, _ in order)
        return
    while len(values) > 15 and values[-1].value is BLANK:
        values.pop()
    if len(values) != 15 and (readings := _table4_readings(values, order)) is not None:
        shown = "".join(t.text for t in values)
        if len(readings) != 1:
            placer.unplaced.append(
                f"表四{_at(values[0].line)}：{_split_refusal(shown, readings, 4)}"
            )
            placer.seen.update((4, group) for group, _ in order)
            return
        values = [Token(str(v), values[0].line, v) for v in readings[0]]
        placer.inferred.append(f"表四：连在一起的数字“{shown}”按{_RULE[4]}拆为 {_list(values)}")
    if len(values) != 15:
        if values:
            shown = " ".join(t.text or "空" for t in values)
            found = f"{_at(values[0].line)}：找到 {len(values)} 个数值（{shown}）"
        else:
            # Numbers there were, but all after text that is no header: listed with that text.
            found = "：没有找到数值"
        placer.unplaced.append(f"表四{found}，应有 15 个，无法确定位置")
        for group, _ in order:
            placer.seen.add((4, group))
        return
    rows = {row.key: row for row in table_rows(4)}
    for index, (group, columns) in enumerate(order):
        run = values[index * 5 : index * 5 + 5]
        placer.place(4, rows[group], columns, run, run[0].line)


def _table4_order(
    groups: list[str], results: list[str], placer: Placer
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
        placer.unplaced.append(
            "表四的表头无法识别（应有行政复议、未经复议直接起诉、复议后起诉各五列）"
        )
        return None
    order = ["review", *(group for group in groups if group != "review")]
    return [
        (group, tuple(by_key[key] for key in run)) for group, run in zip(order, runs, strict=True)
    ]


_TABLES = {2: _place_table2, 3: _place_table3, 4: _place_table4}


def place_numbers(entries: dict[int, list[Entry]]) -> Placer:
    """Place the values of each table's entries (from find_labels) in their cells."""
    placer = Placer()
    for number, place in _TABLES.items():
        if any(entry.values for entry in entries[number]):
            place(entries[number], placer)
        else:
            # A table without a single number was most likely published as an image: reading
            # it as all blank would publish 0s that nobody wrote.
            placer.unplaced.append(
                f"{TABLE_NAMES[number]}中没有任何数值（表格可能是图片），无法导入"
            )
            placer.seen.update((number, row.key) for row in table_rows(number))
    placer.missing()
    return placer
