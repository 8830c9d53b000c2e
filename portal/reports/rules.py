"""The consistency rules R1-R7 of a report's tables, and the Problem each broken rule gives.

R1-R4 and R7 look at one report, R5 compares the tables with the figures the prose states, R6
compares consecutive years of one organisation. Messages visitors read are marked with ``N_``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from portal.reports.equations import (
    EQUATIONS,
    TOTAL,
    Equation,
    Term,
    Translate,
    Words,
    carry_over_equations,
    cell_words,
    row_words,
    untranslated,
    words,
)
from portal.reports.layout import HEADINGS, TABLE3_ROWS, TABLE_NAMES, Cell, table_rows
from portal.reports.model import MAX_VALUE, Report, Value, allowed, format_value
from portal.text import N_

# --- R1-R4 and R7: one report's tables -----------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A broken consistency rule: an error fails the check, a warning is shown but passes."""

    severity: Literal["error", "warning"]
    rule: str
    table: int | None
    row: str | None
    column: str | None
    message: str
    line: int | None = None
    # The keys of the cells the rule reads (``table3.new.person``), for a form to point at.
    cells: tuple[str, ...] = field(default=(), compare=False)

    def format(self, path: Path | str | None = None) -> str:
        """The problem as ``path:line: R1 message``, the form ``portal check`` prints."""
        where = str(path) if path is not None else "<report>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        kind = "" if self.severity == "error" else "（提示）"
        return f"{where}: {self.rule}{kind} {self.message}"


RULES = {
    "R1": N_("表三每一列：第一项加第二项之和，等于第三项（七）总计加第四项之和"),
    "R2": N_("表三每一列：（七）总计等于（一）至（六）各项之和"),
    "R3": N_("表三每一行：总计等于自然人与法人或其他组织各列之和"),
    "R4": N_("表四每一组：结果维持、结果纠正、其他结果、尚未审结之和等于总计"),
    "R5": N_("正文中提到的数字与表中数值一致"),
    "R6": N_("本年“上年结转”等于上一年报告的“结转下年度继续办理”"),
    "R7": N_("每个数值都是不超过 999999999 的非负整数（收费金额可带小数）"),
}
"""What each rule says, for pages and docs."""


def validate_report(
    report: Report, prose: str | None = None, translate: Translate = untranslated
) -> list[Problem]:
    """Check one report against R1-R5 and R7 (R5 only when the prose is given); messages in the
    language of translate (Chinese, as `portal check` prints them, by default)."""
    problems = check_equations(report, EQUATIONS, translate)
    if prose:
        problems += check_prose(report, prose, translate)
    problems += check_values(report, translate)
    return problems


def check_equations(
    report: Report, equations: Sequence[Equation], translate: Translate = untranslated
) -> list[Problem]:
    """The Problem of every equation the report breaks, in the order given."""
    problems = []
    for equation in equations:
        message = equation.broken(report, translate)
        if message is None:
            continue
        table, row, column = equation.line.split(".")
        problems.append(
            Problem(
                equation.severity,
                equation.rule,
                equation.table,
                equation.row,
                equation.column,
                message,
                report.line(int(table.removeprefix("table")), row, column),
                equation.cells,
            )
        )
    return problems


# What R7 says a cell should be; a value is quoted up to SHOWN_LENGTH characters.
TOO_LARGE = N_("应为不超过 {max} 的数")
EXPECTED_AMOUNT = N_("应为非负数（单位：万元，可带小数）")
EXPECTED_COUNT = N_("应为非负整数")
SHOWN_LENGTH = 30


def value_problem(cell: Cell, value: Value, translate: Translate = untranslated) -> str | None:
    """R7 for one cell: what is wrong with its value, None when it is what R7 allows."""
    if allowed(value, cell.decimal):
        return None
    where = cell_words(cell.table, cell.row, cell.column.label)
    if value is None:
        return words(N_("{where}：缺少数值"), where=where).say(translate)
    return words(
        N_("{where}：{expected}，实为“{value}”"),
        where=where,
        expected=_expected(value, cell.decimal),
        value=shown_value(value),
    ).say(translate)


def _expected(value: Value, decimal: bool) -> Words:
    number = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    if number and (decimal or isinstance(value, int)) and value > MAX_VALUE:
        return words(TOO_LARGE, max=str(MAX_VALUE))
    return Words(EXPECTED_AMOUNT if decimal else EXPECTED_COUNT)


def shown_value(value: Value) -> str:
    """A value as a message quotes it: written as text, cut short after SHOWN_LENGTH characters."""
    text = format_value(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH] + "…"


def check_values(report: Report, translate: Translate = untranslated) -> list[Problem]:
    """R7: every cell is a whole number from 0 to MAX_VALUE, the amount any number in that
    range."""
    problems = []
    for cell, value in report.cells():
        message = value_problem(cell, value, translate)
        if message is None:
            continue
        line = report.line(cell.table, cell.row.key, cell.column.key)
        problems.append(
            Problem(
                "error",
                "R7",
                cell.table,
                cell.row.label,
                cell.column.label,
                message,
                line,
                (cell.key,),
            )
        )
    return problems


# --- R5: numbers quoted in the prose ----------------------------------------------------------

_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE_END = re.compile(r"[，,]")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
# Clauses about other periods or cumulative figures do not state this year's cells.
_OTHER_PERIOD = re.compile(r"上年|上一年|去年|同比|累计|结转|以来")
_APPLICATION = r"(?:政府信息公开|信息公开|公开政府信息|依申请公开)[^，,。；;]{0,6}申请"
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|接到|受理)[^，,。；;\d]{0,12}?" + _APPLICATION)
_RECEIVED = re.compile(
    r"(?:收到|接到)[^，,。；;\d]{0,12}?"
    + _APPLICATION
    + r"(?:共|总计|合计)?(\d+)\s*(?:件|个|条|份)"
)
_GRANTED = re.compile(r"(?<!部分)予以公开(\d+)\s*(?:件|个|条|份)")
_PARTLY = re.compile(r"部分公开(\d+)\s*(?:件|个|条|份)")
_NO_PROCEEDINGS = r"(?:未|没有)(?:发生|出现|收到|涉及|产生)[^，,。；;\d]{0,12}?"
_NO_REVIEW = re.compile(_NO_PROCEEDINGS + "行政复议")
_NO_SUIT = re.compile(_NO_PROCEEDINGS + "(?:行政复议[、和及或与]?)?行政诉讼")


def _statements(year: int, prose: str) -> Iterator[tuple[str, Words, int, tuple[str, ...]]]:
    """(quoted text, what it states, number, rows whose totals it states) for each clear figure
    of the report covering year."""
    text = unicodedata.normalize("NFKC", prose)
    for sentence in _SENTENCE_END.split(text):
        years = {int(found) for found in _YEAR.findall(sentence)}
        if years - {year}:
            continue
        for clause in _CLAUSE_END.split(sentence):
            if not _OTHER_PERIOD.search(clause):
                yield from _clause_statements(clause)


def _clause_statements(clause: str) -> Iterator[tuple[str, Words, int, tuple[str, ...]]]:
    """The figures one clause states, in the form of ``_statements``."""
    if match := _NONE_RECEIVED.search(clause):
        yield match.group(0), Words(N_("新收申请为 0")), 0, ("new",)
    elif match := _RECEIVED.search(clause):
        number = int(match.group(1))
        yield match.group(0), words(N_("新收申请为 {n}"), n=str(number)), number, ("new",)
    if "申请" in clause:
        if match := _GRANTED.search(clause):
            number = int(match.group(1))
            yield match.group(0), words(N_("予以公开 {n}"), n=str(number)), number, ("granted",)
        if match := _PARTLY.search(clause):
            number = int(match.group(1))
            stated = words(N_("部分公开 {n}"), n=str(number))
            yield match.group(0), stated, number, ("partly_granted",)
    if match := _NO_REVIEW.search(clause):
        yield match.group(0), Words(N_("行政复议为 0")), 0, ("review",)
    if match := _NO_SUIT.search(clause):
        yield match.group(0), Words(N_("行政诉讼为 0")), 0, ("suit_direct", "suit_after_review")


def prose_equations(year: int, prose: str) -> list[Equation]:
    """R5 as equations: each figure the prose states plainly (e.g. 未收到…申请) against the
    总计 of the rows it speaks of."""
    found = []
    for quoted, stated, number, rows in _statements(year, prose):
        table = 3 if any(row.key == rows[0] for row in TABLE3_ROWS) else 4
        row = next(r for r in table_rows(table) if r.key == rows[0])
        label = Words(HEADINGS[row.group].label) if len(rows) > 1 else row_words(table, row)
        cells = tuple(f"table{table}.{key}.total" for key in rows)
        message = words(
            N_("正文“{quoted}”表明{stated}，但{table}“{row}”行“总计”列为 {left_sum}"),
            quoted=quoted,
            stated=stated,
            table=Words(TABLE_NAMES[table]),
            row=label,
        )
        found.append(
            Equation(
                "R5",
                (Term(label, cells),),
                (Term(Words(N_("正文")), constant=number),),
                message,
                table,
                label.say(),
                TOTAL,
                cells[0],
                "warning",
            )
        )
    return found


def check_prose(report: Report, prose: str, translate: Translate = untranslated) -> list[Problem]:
    """R5: figures the prose states plainly (e.g. 未收到…申请) agree with the tables."""
    return check_equations(report, prose_equations(report.year, prose), translate)


# --- R6: across years ---------------------------------------------------------------------------


def check_carry_over(
    previous: Report, current: Report, translate: Translate = untranslated
) -> list[Problem]:
    """R6: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, column by column."""
    return check_equations(current, carry_over_equations(previous), translate)


def validate_series(reports: Sequence[Report]) -> list[tuple[Report, Problem]]:
    """R6 for every pair of consecutive years of the same organisation."""
    by_organisation: dict[str, dict[int, Report]] = defaultdict(dict)
    for report in reports:
        by_organisation[report.organisation][report.year] = report
    found = []
    for by_year in by_organisation.values():
        for year, current in sorted(by_year.items()):
            previous = by_year.get(year - 1)
            if previous is not None:
                found += [(current, problem) for problem in check_carry_over(previous, current)]
    return found
