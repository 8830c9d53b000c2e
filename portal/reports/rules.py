"""The consistency rules R1-R7 of a report's tables, and the Problem each broken rule gives.

R1-R4 and R7 look at one report, R5 compares the tables with the figures the prose states, R6
compares consecutive years of one organisation. Messages visitors read are marked with ``N_``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from portal.reports.layout import (
    HEADINGS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE_NAMES,
    group_keys,
    row_columns,
    row_name,
    table_rows,
)
from portal.reports.model import Report, format_value
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
    "R7": N_("每个数值都是非负整数（收费金额可带小数）"),
}
"""What each rule says, for pages and docs."""


def _count(report: Report, table: int, row: str, column: str) -> int | None:
    """A cell's value when it is a valid count, else None (rule R7 reports it)."""
    value = report.value(table, row, column)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _plus(numbers: Sequence[int]) -> str:
    return "+".join(str(number) for number in numbers)


def validate_report(report: Report, prose: str | None = None) -> list[Problem]:
    """Check one report against R1-R5 and R7 (R5 only when the prose is given)."""
    problems = _check_table3_columns(report)
    problems += _check_row_totals(report, 3)
    problems += _check_row_totals(report, 4)
    if prose:
        problems += check_prose(report, prose)
    problems += _check_values(report)
    return problems


_RESULT_PARTS = (
    ("（一）", ("granted",)),
    ("（二）", ("partly_granted",)),
    ("（三）", group_keys("withheld")),
    ("（四）", group_keys("unavailable")),
    ("（五）", group_keys("unprocessed")),
    ("（六）", group_keys("other")),
)


def _column_counts(report: Report, column: str, rows: Sequence[str]) -> list[int | None]:
    return [_count(report, 3, row, column) for row in rows]


def _check_table3_columns(report: Report) -> list[Problem]:
    """R1 and R2, column by column."""
    problems = []
    for column in TABLE3_COLUMNS:
        line = report.line(3, "total", column.key)
        new, carried, total, forward = _column_counts(
            report, column.key, ("new", "carried_over", "total", "carried_forward")
        )
        if None not in (new, carried, total, forward) and new + carried != total + forward:
            message = N_(
                "表三“{column}”列：一+二 = {new}+{carried} = {left}，"
                "但（七）总计+四 = {total}+{forward} = {right}"
            ).format(
                column=column.label,
                new=new,
                carried=carried,
                left=new + carried,
                total=total,
                forward=forward,
                right=total + forward,
            )
            problems.append(Problem("error", "R1", 3, None, column.label, message, line))
        parts = [_column_counts(report, column.key, rows) for _, rows in _RESULT_PARTS]
        if total is None or any(None in part for part in parts):
            continue
        sums = [sum(part) for part in parts]
        if sum(sums) != total:
            message = N_(
                "表三“{column}”列：（七）总计 = {total}，"
                "但（一）+（二）+（三）+（四）+（五）+（六） = {parts} = {sum}"
            ).format(column=column.label, total=total, parts=_plus(sums), sum=sum(sums))
            row = N_("（七）总计")
            problems.append(Problem("error", "R2", 3, row, column.label, message, line))
    return problems


# R3 and R4 are one rule: in each row, the columns before 总计 add up to it.
_ROW_TOTALS = {
    3: ("R3", N_("表三“{row}”行：总计 = {total}，但{columns} = {parts} = {sum}")),
    4: ("R4", N_("表四“{row}”：{columns} = {parts} = {sum}，但总计 = {total}")),
}


def _check_row_totals(report: Report, table: int) -> list[Problem]:
    """R3 (table 3: the six applicant columns) and R4 (table 4: the four outcomes)."""
    rule, template = _ROW_TOTALS[table]
    problems = []
    for row in table_rows(table):
        parts = [column for column in row_columns(table, row.key) if column.key != "total"]
        numbers = [_count(report, table, row.key, column.key) for column in parts]
        total = _count(report, table, row.key, "total")
        if total is None or None in numbers or sum(numbers) == total:
            continue
        message = template.format(
            row=row_name(table, row),
            total=total,
            columns="+".join(column.label for column in parts),
            parts=_plus(numbers),
            sum=sum(numbers),
        )
        line = report.line(table, row.key, "total")
        problems.append(Problem("error", rule, table, row.label, N_("总计"), message, line))
    return problems


def _check_values(report: Report) -> list[Problem]:
    """R7: every cell is a non-negative integer, the amount a non-negative number."""
    problems = []
    for cell, value in report.cells():
        if cell.decimal:
            good = (
                isinstance(value, (int, Decimal))
                and not isinstance(value, bool)
                and Decimal(value).is_finite()
                and value >= 0
            )
            expected = N_("应为非负数（单位：万元，可带小数）")
        else:
            good = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            expected = N_("应为非负整数")
        if good:
            continue
        where = N_("{table}“{row}”行“{column}”列").format(
            table=TABLE_NAMES[cell.table],
            row=row_name(cell.table, cell.row),
            column=cell.column.label,
        )
        if value is None:
            message = N_("{where}：缺少数值").format(where=where)
        else:
            message = N_("{where}：{expected}，实为“{value}”").format(
                where=where, expected=expected, value=format_value(value)
            )
        line = report.line(cell.table, cell.row.key, cell.column.key)
        problems.append(
            Problem("error", "R7", cell.table, cell.row.label, cell.column.label, message, line)
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


def _statements(report: Report, prose: str) -> Iterator[tuple[str, str, int, tuple[str, ...]]]:
    """(quoted text, what it states, table, rows whose totals it states) for each clear figure."""
    text = unicodedata.normalize("NFKC", prose)
    for sentence in _SENTENCE_END.split(text):
        years = {int(year) for year in _YEAR.findall(sentence)}
        if years - {report.year}:
            continue
        for clause in _CLAUSE_END.split(sentence):
            if not _OTHER_PERIOD.search(clause):
                yield from _clause_statements(clause)


def _clause_statements(clause: str) -> Iterator[tuple[str, str, int, tuple[str, ...]]]:
    """The figures one clause states, in the form of ``_statements``."""
    if match := _NONE_RECEIVED.search(clause):
        yield match.group(0), N_("新收申请为 0"), 0, ("new",)
    elif match := _RECEIVED.search(clause):
        number = int(match.group(1))
        yield match.group(0), N_("新收申请为 {n}").format(n=number), number, ("new",)
    if "申请" in clause:
        if match := _GRANTED.search(clause):
            number = int(match.group(1))
            yield match.group(0), N_("予以公开 {n}").format(n=number), number, ("granted",)
        if match := _PARTLY.search(clause):
            number = int(match.group(1))
            stated = N_("部分公开 {n}").format(n=number)
            yield match.group(0), stated, number, ("partly_granted",)
    if match := _NO_REVIEW.search(clause):
        yield match.group(0), N_("行政复议为 0"), 0, ("review",)
    if match := _NO_SUIT.search(clause):
        yield match.group(0), N_("行政诉讼为 0"), 0, ("suit_direct", "suit_after_review")


def check_prose(report: Report, prose: str) -> list[Problem]:
    """R5: figures the prose states plainly (e.g. 未收到…申请) agree with the tables."""
    problems = []
    for quoted, stated, number, rows in _statements(report, prose):
        table = 3 if any(row.key == rows[0] for row in TABLE3_ROWS) else 4
        counts = [_count(report, table, row, "total") for row in rows]
        if None in counts or sum(counts) == number:
            continue
        row = next(r for r in table_rows(table) if r.key == rows[0])
        label = HEADINGS[row.group].label if len(rows) > 1 else row_name(table, row)
        message = N_("正文“{quoted}”表明{stated}，但{table}“{row}”行“总计”列为 {actual}").format(
            quoted=quoted, stated=stated, table=TABLE_NAMES[table], row=label, actual=sum(counts)
        )
        line = report.line(table, rows[0], "total")
        problems.append(Problem("warning", "R5", table, label, N_("总计"), message, line))
    return problems


# --- R6: across years ---------------------------------------------------------------------------


def check_carry_over(previous: Report, current: Report) -> list[Problem]:
    """R6: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, column by column."""
    problems = []
    for column in TABLE3_COLUMNS:
        carried = _count(current, 3, "carried_over", column.key)
        forward = _count(previous, 3, "carried_forward", column.key)
        if carried is None or forward is None or carried == forward:
            continue
        message = N_(
            "表三“二、上年结转政府信息公开申请数量”行“{column}”列 = {carried}，"
            "但{year}年报告“四、结转下年度继续办理”行“{column}”列 = {forward}"
        ).format(column=column.label, carried=carried, year=previous.year, forward=forward)
        line = current.line(3, "carried_over", column.key)
        row = N_("二、上年结转政府信息公开申请数量")
        problems.append(Problem("warning", "R6", 3, row, column.label, message, line))
    return problems


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
