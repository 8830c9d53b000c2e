"""The consistency rules that are equations, as data: R1-R4 between the cells of one report, and
the shapes R5 (the tables against figures the prose states) and R6 (this year against last)
are built in. Each Equation says which cells add up on each side and the words that name them:
rules.py checks them, and the back office's script checks the very same equations, exported as
data, while staff type. Words are message ids with their values, said in any language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portal.reports.layout import (
    HEADINGS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_ROWS,
    TABLE_NAMES,
    Row,
    group_keys,
    row_columns,
)
from portal.reports.model import Report, allowed
from portal.text import N_

Translate = Callable[[str], str]
# The rules whose one side is a single total: a form shows the sum of the other side beside it.
SUM_LABELS = {
    "R2": N_("（一）至（六）之和"),
    "R3": N_("各列之和"),
    "R4": N_("各项之和"),
}


def untranslated(text: str) -> str:
    """The message id itself: what `portal check` and the public pages show (Chinese)."""
    return text


@dataclass(frozen=True)
class Words:
    """Text to show: a message id and the values it is formatted with (text or Words)."""

    msgid: str
    args: tuple[tuple[str, Words | str], ...] = ()

    def values(self, translate: Translate = untranslated) -> dict[str, str]:
        """The values, each said in the language of translate."""
        return {
            name: value.say(translate) if isinstance(value, Words) else value
            for name, value in self.args
        }

    def say(self, translate: Translate = untranslated, **filled: str) -> str:
        """The text in the language of translate, with the values filled in."""
        values = {**self.values(translate), **filled}
        text = translate(self.msgid)
        return text.format(**values) if values else text


def words(msgid: str, **args: Words | str) -> Words:
    """Words of msgid formatted with args."""
    return Words(msgid, tuple(args.items()))


@dataclass(frozen=True)
class Term:
    """One addend of an equation: the sum of some cells, or a number given (a figure of last
    year's report, a figure the prose states)."""

    label: Words
    cells: tuple[str, ...] = ()
    constant: int | None = None


@dataclass(frozen=True)
class Equation:
    """A rule that holds when the terms on the left add up to those on the right.

    message is said with ``{left}`` and ``{right}`` (each side as ``labels = numbers = sum``)
    and ``{left_sum}`` and ``{right_sum}`` filled in; row, column and line are what the
    Problem of a broken equation names (line: the cell whose line in the data file is given).
    """

    rule: str
    left: tuple[Term, ...]
    right: tuple[Term, ...]
    message: Words
    table: int
    row: str | None
    column: str | None
    line: str
    severity: str = "error"

    @property
    def cells(self) -> tuple[str, ...]:
        """Every cell the equation reads, in the order it names them."""
        terms = (*self.left, *self.right)
        return tuple(dict.fromkeys(cell for term in terms for cell in term.cells))

    @property
    def total(self) -> str | None:
        """The cell holding the total the equation adds its parts up to (R2-R4), else None."""
        if self.rule not in SUM_LABELS:
            return None
        return (self.left if len(self.left) == 1 else self.right)[0].cells[0]

    def parts_sum(self, report: Report) -> int | None:
        """The sum of the parts of a total (see total), None while a cell is not what R7
        allows."""
        numbers = self.numbers(report)
        if numbers is None:
            return None
        return sum(numbers[1] if len(self.left) == 1 else numbers[0])

    def numbers(self, report: Report) -> tuple[list[int], list[int]] | None:
        """Each side's numbers, term by term; None when a cell is not what R7 allows (R7
        names that cell, and the equation cannot be judged)."""
        values = {}
        for key in self.cells:
            table, row, column = key.split(".")
            value = report.value(int(table.removeprefix("table")), row, column)
            if not allowed(value):
                return None
            values[key] = value
        return tuple(
            [
                term.constant if term.constant is not None else sum(values[c] for c in term.cells)
                for term in side
            ]
            for side in (self.left, self.right)
        )

    def broken(self, report: Report, translate: Translate = untranslated) -> str | None:
        """The message when the report breaks the equation, else None."""
        found = self.numbers(report)
        if found is None or sum(found[0]) == sum(found[1]):
            return None
        left, right = found
        return self.message.say(
            translate,
            left=side(self.left, left, translate),
            right=side(self.right, right, translate),
            left_sum=str(sum(left)),
            right_sum=str(sum(right)),
        )


def side(terms: Sequence[Term], numbers: Sequence[int], translate: Translate) -> str:
    """One side of an equation in words: ``一+二 = 26+0 = 26`` (one term: ``总计 = 26``)."""
    labels = "+".join(term.label.say(translate) for term in terms)
    text = f"{labels} = {'+'.join(str(number) for number in numbers)}"
    return f"{text} = {sum(numbers)}" if len(terms) > 1 else text


def row_words(table: int, row: Row) -> Words:
    """A row's label, with its group heading in front where the label alone is not enough."""
    if row.group and table == 4:
        return words(
            N_("{group}（{row}）"), group=Words(HEADINGS[row.group].label), row=Words(row.label)
        )
    return Words(row.label)


def cell_words(table: int, row: Row, column_label: str) -> Words:
    """Where a cell is: ``表三“一、…”行“自然人”列``."""
    return words(
        N_("{table}“{row}”行“{column}”列"),
        table=Words(TABLE_NAMES[table]),
        row=row_words(table, row),
        column=Words(column_label),
    )


# --- R1-R4: within one report --------------------------------------------------------------------

TOTAL = N_("总计")
GRAND_TOTAL = N_("（七）总计")
_BROKEN = N_("{where}：{left}，但{right}")
_RESULT_PARTS = (
    (N_("（一）"), ("granted",)),
    (N_("（二）"), ("partly_granted",)),
    (N_("（三）"), group_keys("withheld")),
    (N_("（四）"), group_keys("unavailable")),
    (N_("（五）"), group_keys("unprocessed")),
    (N_("（六）"), group_keys("other")),
)


def _cell(table: int, row: str, column: str) -> str:
    return f"table{table}.{row}.{column}"


def _table3_columns() -> list[Equation]:
    """R1 and R2, column by column of table 3."""
    found = []
    for column in TABLE3_COLUMNS:
        where = words(
            N_("{table}“{column}”列"), table=Words(TABLE_NAMES[3]), column=Words(column.label)
        )

        def term(label: str, *rows: str, key: str = column.key) -> Term:
            return Term(Words(label), tuple(_cell(3, row, key) for row in rows))

        total = _cell(3, "total", column.key)
        found.append(
            Equation(
                "R1",
                (term(N_("一"), "new"), term(N_("二"), "carried_over")),
                (term(GRAND_TOTAL, "total"), term(N_("四"), "carried_forward")),
                words(_BROKEN, where=where),
                3,
                None,
                column.label,
                total,
            )
        )
        found.append(
            Equation(
                "R2",
                (term(GRAND_TOTAL, "total"),),
                tuple(term(label, *rows) for label, rows in _RESULT_PARTS),
                words(_BROKEN, where=where),
                3,
                GRAND_TOTAL,
                column.label,
                total,
            )
        )
    return found


def _row_totals(table: int) -> list[Equation]:
    """R3 (table 3: the six applicant columns add up to 总计) and R4 (table 4: the four
    outcomes add up to 总计), row by row."""
    found = []
    rows = TABLE3_ROWS if table == 3 else TABLE4_ROWS
    for row in rows:
        parts = tuple(
            Term(Words(column.label), (_cell(table, row.key, column.key),))
            for column in row_columns(table, row.key)
            if column.key != "total"
        )
        total = (Term(Words(TOTAL), (_cell(table, row.key, "total"),)),)
        if table == 3:
            rule, left, right = "R3", total, parts
            where = words(
                N_("{table}“{row}”行"), table=Words(TABLE_NAMES[3]), row=row_words(3, row)
            )
        else:
            rule, left, right = "R4", parts, total
            where = words(N_("{table}“{row}”"), table=Words(TABLE_NAMES[4]), row=row_words(4, row))
        found.append(
            Equation(
                rule,
                left,
                right,
                words(_BROKEN, where=where),
                table,
                row.label,
                TOTAL,
                _cell(table, row.key, "total"),
            )
        )
    return found


EQUATIONS: tuple[Equation, ...] = (*_table3_columns(), *_row_totals(3), *_row_totals(4))
"""R1-R4: every equation one report's tables must keep, in the order problems are listed."""


# --- R6: across years ----------------------------------------------------------------------------

CARRIED_OVER = TABLE3_ROWS[1]
CARRIED_FORWARD = TABLE3_ROWS[-1]


def carry_over_equations(previous: Report) -> list[Equation]:
    """R6: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, column by column
    (a column whose figure last year is not what R7 allows is not compared)."""
    found = []
    for column in TABLE3_COLUMNS:
        forward = previous.value(3, CARRIED_FORWARD.key, column.key)
        if not allowed(forward):
            continue
        last_year = words(
            N_("{year}年报告“{row}”行“{column}”列"),
            year=str(previous.year),
            row=Words(CARRIED_FORWARD.label),
            column=Words(column.label),
        )
        found.append(
            Equation(
                "R6",
                (
                    Term(
                        cell_words(3, CARRIED_OVER, column.label),
                        (_cell(3, CARRIED_OVER.key, column.key),),
                    ),
                ),
                (Term(last_year, constant=forward),),
                Words(N_("{left}，但{right}")),
                3,
                CARRIED_OVER.label,
                column.label,
                _cell(3, CARRIED_OVER.key, column.key),
                "warning",
            )
        )
    return found
