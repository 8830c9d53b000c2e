"""Stage three of an import: the numbers after each label, placed in the report's cells.

``Placer`` holds the cells as they are filled and places one row at a time (placing.py walks
each table's labels and calls it). Cells whose values cannot be told without guessing (digits run
together that split several ways, a row with a number too few) are left empty for staff
(``Placer.gaps``: each cell named, with its line and why); a table whose structure is not
recognised (a header that is not the statutory one, no numbers at all) is listed in
``Placer.unplaced`` and no report is produced. A value is never guessed.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from portal.reports.importer.labels import Entry, Token
from portal.reports.importer.runs import splits
from portal.reports.importer.source import BLANK, comparable
from portal.reports.importer.stated import Stated
from portal.reports.layout import (
    TABLE3_COLUMNS,
    TABLE3_SECTIONS,
    TABLE_NAMES,
    Column,
    Row,
    row_columns,
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


RULE = {
    2: "每格一位数字（只有这一种拆法）",
    3: "本行勾稽关系（六类申请人之和等于总计）",
    4: "本组勾稽关系（维持、纠正、其他、尚未审结之和等于总计）",
}


def listed(tokens: list[Token]) -> str:
    """The tokens as a message names them: their text, joined by 、."""
    return "、".join(t.text for t in tokens)


def row_sum(columns: tuple[Column, ...]):
    """The statutory sum of a row with a 总计 column: every other cell adds up to it."""
    keys = [column.key for column in columns]
    if "total" not in keys:
        return None
    at = keys.index("total")
    return lambda values: sum(values) - values[at] == values[at]


def _readings(
    tokens: list[Token], columns: tuple[Column, ...], rule=None
) -> list[list[int]] | None:
    """The ways to read a row whose digits ran together (each satisfying ``rule``, else the
    row's sum), or None for a row without such runs."""
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
    return splits(runs, len(columns), rule or row_sum(columns))


def split_refusal(shown: str, readings: list[list[int]], table: int) -> str:
    """Why a run of digits was not split: table 2 has no sums to check it against; in the
    other tables no split, or more than one, satisfies their sums."""
    if table == 2:
        return (
            f"数字连在一起（“{shown}”），可有多种拆法，表二没有可供核对的合计，无法确定各格数值，"
            "请按原表逐格填写或导入 HTML、DOCX 版本"
        )
    if not readings:
        return f"数字连在一起（“{shown}”），没有一种拆法满足{RULE[table]}，无法确定各格数值"
    return f"数字连在一起（“{shown}”），有多种拆法都满足{RULE[table]}，无法确定各格数值"


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


def at_line(line: int | None) -> str:
    """Where in the source text a message points, when the source has lines."""
    return f"（原文第 {line} 行）" if line else ""


@dataclass(frozen=True)
class Gap:
    """Cells of one row left empty for staff (null in the data file), and why."""

    table: int
    row: str
    columns: tuple[str, ...]
    message: str

    def cells(self) -> list[str]:
        """The keys of the cells left empty (``table2.normative.issued``)."""
        return [f"table{self.table}.{self.row}.{column}" for column in self.columns]

    def describe(self) -> str:
        """Why, and which cells were left empty, in one line for staff."""
        row = next(r for r in table_rows(self.table) if r.key == self.row)
        labels = {column.key: column.label for column in row_columns(self.table, self.row)}
        return (
            f"{self.message}——已留空待填：{TABLE_NAMES[self.table]}“{row_name(self.table, row)}”"
            f"行的{'、'.join(labels[key] for key in self.columns)}"
        )


class Placer:
    """The cells of one report as they are filled (tables), the cells left empty and why
    (gaps), what makes the tables unreadable as a whole (unplaced), notes for staff, values that
    belong to no cell (unused) and the text kept below each table (footnotes)."""

    def __init__(self, stated: Stated | None = None) -> None:
        self.tables: dict[int, Table] = {2: {}, 3: {}, 4: {}}
        # Figures of table 2 the prose states, which may settle how its digits are cut.
        self.stated = stated or {}
        self.unplaced: list[str] = []
        self.gaps: list[Gap] = []
        self.unused: list[str] = []
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
        name = f"{TABLE_NAMES[table]}“{row_name(table, row)}”行{at_line(line)}"
        if (table, row.key) in self.seen:
            shown = " ".join(t.text or "空" for t in tokens)
            self.leave(
                table, row.key, f"{name}出现了两次（第二次的数值为 {shown}），无法确定哪次为准"
            )
            return
        self.seen.add((table, row.key))
        if odd := self.suspect(name, tokens):
            self.leave(table, row.key, odd)
            return
        found = tokens
        tokens, padded = _unpadded(tokens, len(columns))
        if padded:
            shown = " ".join(t.text or "空" for t in found)
            self.leave(
                table,
                row.key,
                f"{name}：找到 {len(found)} 个数值（{shown}），应有 {len(columns)} 个，"
                "前后都有空单元格，无法确定哪些是空列",
            )
            return
        cells = self.tables[table].setdefault(row.key, {})
        if not tokens:
            # A row with no values at all: every cell blank, which unambiguously means 0.
            for column in columns:
                cells[column.key] = Decimal(0) if column.key == "amount" else 0
            self.notes.append(f"{name}没有数值，按全部为 0 处理")
            return
        readings = _readings(tokens, columns) if len(tokens) != len(columns) else None
        rule, prose = RULE[table], ""
        if readings is not None and len(readings) != 1 and (said := self._said(row, columns)):
            narrowed = _readings(tokens, columns, said[0])
            if narrowed is not None and len(narrowed) == 1:
                readings, rule = narrowed, f"正文所述（{said[1]}）"
            else:
                prose = f"；正文所述（{said[1]}）也不能确定"
        if readings is not None:
            shown = "".join(t.text for t in tokens)
            if len(readings) == 1:
                tokens = [Token(str(v), line, v) for v in readings[0]]
                self.inferred.append(
                    f"{name}：连在一起的数字“{shown}”按{rule}拆为 {listed(tokens)}"
                )
            else:
                del self.tables[table][row.key]
                if len(readings) > 1 and table == 3:
                    self.ambiguous[row.key] = (columns, readings, name, shown)
                    return
                self.leave(
                    table, row.key, f"{name}：{split_refusal(shown, readings, table)}{prose}"
                )
                return
        if len(tokens) != len(columns):
            del self.tables[table][row.key]
            shown = " ".join(t.text or "空" for t in tokens)
            wanted = "、".join(column.label for column in columns)
            self.leave(
                table,
                row.key,
                f"{name}：找到 {len(tokens)} 个数值（{shown}），应有 {len(columns)} 个"
                f"（{wanted}），无法确定各属哪一列",
            )
            return
        for column, token in zip(columns, tokens, strict=True):
            value = 0 if token.value is BLANK else token.value
            if column.key == "amount" and isinstance(value, int):
                value = Decimal(value)
            cells[column.key] = value
        for column, token in zip(columns, tokens, strict=True):
            if token.merged:
                self.leave(
                    table,
                    row.key,
                    f"{name}“{column.label}”列：单元格与上一行合并，无法确定数值",
                    (column.key,),
                )

    def _said(self, row: Row, columns: tuple[Column, ...]):
        """(a check that a reading agrees with every figure the prose states for this row, the
        prose's words), or None when the prose states none."""
        wanted = {
            at: {number for number, _ in self.stated[(row.key, column.key)]}
            for at, column in enumerate(columns)
            if (row.key, column.key) in self.stated
        }
        if not wanted:
            return None
        words = "、".join(
            f"“{quoted}”"
            for column in columns
            for _, quoted in self.stated.get((row.key, column.key), ())
        )
        return (lambda values: all(values[at] in allowed for at, allowed in wanted.items())), words

    @staticmethod
    def suspect(name: str, tokens: list[Token]) -> str | None:
        """Why numbers written with a letter in them (1O, l2) are not read (which digit was
        meant is a guess), or None when there is none."""
        odd = [token.text for token in tokens if token.suspect]
        if not odd:
            return None
        shown = "、".join(f"“{text}”" for text in odd)
        return (
            f"{name}：{shown}像数字但含有字母或符号（O、l 等，可能是识别错误），"
            "不猜测其数值，请按原件改正后再导入"
        )

    def leave(
        self, table: int, row: str, message: str, columns: tuple[str, ...] | None = None
    ) -> None:
        """Leave cells of a row (all of them by default) empty for staff, saying why; a value
        placed in them before is taken out."""
        self.seen.add((table, row))
        keys = columns or tuple(column.key for column in row_columns(table, row))
        placed = self.tables[table].get(row, {})
        for key in keys:
            placed.pop(key, None)
        if not placed:
            self.tables[table].pop(row, None)
        self.gaps.append(Gap(table, row, keys, message))

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
                self.leave(
                    3,
                    key,
                    f"{name}：连在一起的数字“{shown}”有 {len(readings)} 种拆法都满足本行的勾稽"
                    "关系，与其他行合起来也无法确定，请核对原表",
                )
        self.ambiguous = {}

    def stray(self, table: int, entry: Entry, why: str) -> None:
        """Values that belong to no cell: listed, never written anywhere."""
        shown = " ".join(t.text or "空" for t in entry.values if t.value is not BLANK)
        if shown:
            line = entry.line or entry.values[0].line
            self.unused.append(f"{TABLE_NAMES[table]}{at_line(line)}：{why}（{shown}）")

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
        """Leave empty the rows that never appeared (a row that did is placed or left already)."""
        for number in (2, 3, 4):
            for row in table_rows(number):
                if (number, row.key) not in self.seen:
                    name = f"{TABLE_NAMES[number]}“{row_name(number, row)}”行"
                    self.leave(number, row.key, f"{name}：原文中未找到这一行")
