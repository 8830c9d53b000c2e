"""A report's tables as staff type them into a form: the 200 cells read from the fields a
browser sends (hostile text, parsed here once, the way the data file's values are), the rules
checked in the order the cells stand on the page, and the same rules exported as data for the
script that checks them while staff type (it reads R1-R7 from here, never its own copy)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from portal.reports.equations import (
    EQUATIONS,
    Equation,
    Term,
    Translate,
    carry_over_equations,
    cell_words,
    untranslated,
    words,
)
from portal.reports.layout import CELLS, CELLS_BY_KEY
from portal.reports.model import (
    DECIMAL_PATTERN,
    INTEGER_PATTERN,
    LONGEST_NUMBER,
    MAX_VALUE,
    SPACE,
    Report,
    Table,
    Value,
    format_value,
    parse_value,
)
from portal.reports.rules import (
    EXPECTED_AMOUNT,
    EXPECTED_COUNT,
    SHOWN_LENGTH,
    TOO_LARGE,
    Problem,
    check_equations,
    check_values,
    prose_equations,
)
from portal.text import N_

# What a form shows again of a cell's text; anything longer is not a number anyway.
MAX_TYPED = 100
# How many unknown field names a message lists.
NAMED_UNKNOWN = 5
# Blank cells listed one by one; more are one message (a new form starts with 200).
MISSING_LISTED = 3
MISSING_MANY = N_("还有 {count} 个单元格没有填写，第一个是{where}。没有数的单元格请填 0。")
_POSITION = {cell.key: position for position, cell in enumerate(CELLS)}


@dataclass(frozen=True)
class Entry:
    """What a form sent: each cell's text as typed (cut to MAX_TYPED) and its value, the
    names that are no cell of the tables nor one of the form's own, and cells sent twice."""

    texts: dict[str, str]
    values: dict[str, Value]
    unknown: tuple[str, ...] = ()
    repeated: tuple[str, ...] = ()

    def report(self, organisation: str, year: int, sample: bool = False) -> Report:
        """The report the entry makes (a cell not sent is missing, which R7 names)."""
        tables: dict[int, Table] = {2: {}, 3: {}, 4: {}}
        for cell in CELLS:
            tables[cell.table].setdefault(cell.row.key, {})[cell.column.key] = self.values.get(
                cell.key
            )
        return Report(organisation, year, tables[2], tables[3], tables[4], sample=sample)


def read_entry(fields: Iterable[tuple[str, str]], own: Collection[str] = ()) -> Entry:
    """Read a form's (name, text) pairs: cells by their key (``table3.new.person``), the
    names in own (the CSRF token, the form's stamp and buttons) ignored."""
    texts: dict[str, str] = {}
    unknown: dict[str, None] = {}
    repeated: dict[str, None] = {}
    for name, text in fields:
        if name in own:
            continue
        if name not in CELLS_BY_KEY:
            unknown[name[:MAX_TYPED]] = None
        elif name in texts:
            repeated[name] = None
        else:
            texts[name] = str(text)[:MAX_TYPED]
    values = {key: parse_value(text, CELLS_BY_KEY[key].decimal) for key, text in texts.items()}
    return Entry(texts, values, tuple(unknown), tuple(repeated))


def report_texts(report: Report) -> dict[str, str]:
    """Each cell of a report as a form shows it."""
    return {cell.key: format_value(value) for cell, value in report.cells()}


def entry_equations(year: int, prose: str = "", previous: Report | None = None) -> list[Equation]:
    """Every equation a report's tables are checked against in the form: R1-R4, R5 against the
    document's prose, R6 against last year's report of the same body."""
    found = list(EQUATIONS)
    if prose:
        found += prose_equations(year, prose)
    if previous is not None:
        found += carry_over_equations(previous)
    return found


def first_position(problem: Problem) -> int:
    """Where on the page the first cell a problem names stands (its place among CELLS)."""
    return min((_POSITION[key] for key in problem.cells if key in _POSITION), default=len(CELLS))


def check_entry(
    report: Report, equations: Sequence[Equation], translate: Translate = untranslated
) -> list[Problem]:
    """Every problem of the report's tables (the equations given, then R7), in page order;
    more than MISSING_LISTED blank cells are one problem, which names the first of them."""
    problems = check_equations(report, equations, translate) + check_values(report, translate)
    missing = [cell for cell, value in report.cells() if value is None]
    if len(missing) > MISSING_LISTED:
        blank = {cell.key for cell in missing}
        problems = [p for p in problems if not (p.rule == "R7" and set(p.cells) <= blank)]
        first = missing[0]
        message = words(
            MISSING_MANY,
            count=str(len(missing)),
            where=cell_words(first.table, first.row, first.column.label),
        ).say(translate)
        problems.append(
            Problem(
                "error",
                "R7",
                first.table,
                first.row.label,
                first.column.label,
                message,
                None,
                tuple(cell.key for cell in missing),
            )
        )
    return sorted(problems, key=first_position)


def total_sums(report: Report, equations: Sequence[Equation]) -> dict[str, list[tuple[str, str]]]:
    """For each cell that holds a total (R2-R4), (rule, the sum of its parts as text) for each
    rule adding up to it; the sum is '' while a part is not what R7 allows."""
    found: dict[str, list[tuple[str, str]]] = {}
    for equation in equations:
        if equation.total is not None:
            total = equation.parts_sum(report)
            shown = "" if total is None else str(total)
            found.setdefault(equation.total, []).append((equation.rule, shown))
    return found


def unknown_message(entry: Entry) -> tuple[str, dict[str, str]]:
    """A message (msgid and values) naming the fields no cell answers to, '' when none."""
    if entry.repeated:
        names = "、".join(entry.repeated[:NAMED_UNKNOWN])
        return N_("表单中有单元格重复提交：{names}。请刷新页面后重新填写。"), {"names": names}
    if entry.unknown:
        names = "、".join(entry.unknown[:NAMED_UNKNOWN])
        more = len(entry.unknown) - NAMED_UNKNOWN
        message = N_("表单中有表格里没有的栏目：{names}{more}。请刷新页面后重新填写。")
        return message, {"names": names, "more": f" …+{more}" if more > 0 else ""}
    return "", {}


def script_rules(equations: Sequence[Equation], translate: Translate = untranslated) -> dict:
    """The rules as data for the script that checks them as staff type (JSON-ready): the
    syntax and bounds of a value (R7), each cell's words, and every equation with its words."""
    return {
        "integer": f"^{INTEGER_PATTERN}$",
        "decimal": f"^{DECIMAL_PATTERN}$",
        "space": SPACE,
        "longest": LONGEST_NUMBER,
        "max": MAX_VALUE,
        "shown": SHOWN_LENGTH,
        "messages": {
            "missing": translate(N_("{where}：缺少数值")),
            "wrong": translate(N_("{where}：{expected}，实为“{value}”")),
            "count": translate(EXPECTED_COUNT),
            "amount": translate(EXPECTED_AMOUNT),
            "too_large": translate(TOO_LARGE).format(max=MAX_VALUE),
            "missing_many": translate(MISSING_MANY),
        },
        "missing_listed": MISSING_LISTED,
        # Cells in page order (a JSON object's keys may come sorted).
        "order": [cell.key for cell in CELLS],
        "cells": {
            cell.key: {
                "decimal": cell.decimal,
                "where": cell_words(cell.table, cell.row, cell.column.label).say(translate),
            }
            for cell in CELLS
        },
        "equations": [
            {
                "rule": equation.rule,
                "severity": equation.severity,
                "cells": list(equation.cells),
                "left": [_term(term, translate) for term in equation.left],
                "right": [_term(term, translate) for term in equation.right],
                "message": translate(equation.message.msgid),
                "values": equation.message.values(translate),
                "total": equation.total,
            }
            for equation in equations
        ],
    }


def _term(term: Term, translate: Translate) -> dict:
    return {
        "label": term.label.say(translate),
        "cells": list(term.cells),
        "constant": term.constant,
    }
