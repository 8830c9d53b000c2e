"""Stage three of an import, table by table: each table's labels walked in order, its header
read (the column order, or a header that is not the statutory one refused), and each row's
values handed to the ``Placer``."""

from __future__ import annotations

import re

from portal.reports.importer.labels import Entry, Token
from portal.reports.importer.placer import (
    RULE,
    Placer,
    at_line,
    listed,
    row_sum,
    split_refusal,
)
from portal.reports.importer.runs import splits
from portal.reports.importer.source import BLANK, comparable
from portal.reports.importer.stated import Stated
from portal.reports.layout import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_SECTIONS,
    TABLE4_COLUMNS,
    TABLE_NAMES,
    Column,
    table_rows,
)


def _table4_readings(values: list[Token], order) -> list[list[int]] | None:
    """The ways to read table 4's fifteen numbers written together, each group's results
    adding up to its 总计."""
    sums = [row_sum(columns) for _, columns in order]

    def groups_hold(numbers: list[int]) -> bool:
        return all(rule(numbers[i * 5 : i * 5 + 5]) for i, rule in enumerate(sums))

    runs = [(t.text, t.run) for t in values]
    if not any(run for _, run in runs) or any(
        not run and not isinstance(t.value, int) for t, (_, run) in zip(values, runs, strict=True)
    ):
        return None
    return splits(runs, 15, groups_hold)


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


def _table4_apart(entries: list[Entry]) -> tuple[list, list[Entry]] | None:
    """Table 4 written as three tables, each group with its own five results and their five
    numbers (a converter's or a page's layout): ((group, columns, values) for each group, the
    entries after them), or None when the table is not written so."""
    by_key = {column.key: column for column in TABLE4_COLUMNS}
    groups: list[tuple[str, list[str], list[Token]]] = []
    rest: list[Entry] = []
    for index, entry in enumerate(entries):
        label = entry.label
        complete = len(groups) == 3 and all(len(values) == 5 for _, _, values in groups)
        if label is None:
            if complete:
                rest = entries[index:]  # a note below the table
                break
            if entry.text and not _ANNOTATION.match(comparable(entry.text)):
                return None
        elif label.role == "group":
            if groups and len(groups[-1][2]) != 5:
                return None
            groups.append((label.key, [], []))
        elif label.role == "column":
            if not groups or groups[-1][2]:
                return None
            groups[-1][1].append(label.key)
        elif entry.values and not groups:
            return None
        if groups:
            groups[-1][2].extend(t for t in entry.values if t.value is not BLANK or groups[-1][2])
        elif any(t.value is not BLANK for t in entry.values):
            return None
    statutory = ("review", "suit_direct", "suit_after_review")
    if sorted(key for key, _, _ in groups) != sorted(statutory):
        return None
    # A group without a header of its own is under the one before (a header repeated by a
    # converter is dropped as its own artefact).
    for index in range(1, len(groups)):
        if not groups[index][1]:
            groups[index] = (groups[index][0], groups[index - 1][1], groups[index][2])
    if any(sorted(columns) != sorted(by_key) or len(values) != 5 for _, columns, values in groups):
        return None
    placed = [(key, tuple(by_key[c] for c in columns), values) for key, columns, values in groups]
    return placed, rest


def _place_table4(entries: list[Entry], placer: Placer) -> None:
    """Table 4: its header (three groups of five results), then its 15 numbers in one run; or
    three tables, one a group."""
    if (apart := _table4_apart(entries)) is not None:
        rows = {row.key: row for row in table_rows(4)}
        for key, columns, values in apart[0]:
            placer.place(4, rows[key], columns, values, values[0].line)
        for entry in apart[1]:
            placer.text(4, entry, complete=True)
        return
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
                shown = " ".join(t.text or "空" for t in values if t.value is not BLANK)
                _leave_table4(
                    placer,
                    f"表四{at_line(values[0].line)}：数值（{shown}）与表头交错，无法确定位置",
                )
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
    if odd := placer.suspect(f"表四{at_line(values[0].line if values else None)}", values):
        _leave_table4(placer, odd)
        return
    while len(values) > 15 and values[-1].value is BLANK:
        values.pop()
    if len(values) != 15 and (readings := _table4_readings(values, order)) is not None:
        shown = "".join(t.text for t in values)
        if len(readings) != 1:
            _leave_table4(
                placer, f"表四{at_line(values[0].line)}：{split_refusal(shown, readings, 4)}"
            )
            return
        values = [Token(str(v), values[0].line, v) for v in readings[0]]
        placer.inferred.append(f"表四：连在一起的数字“{shown}”按{RULE[4]}拆为 {listed(values)}")
    if len(values) != 15:
        if values:
            shown = " ".join(t.text or "空" for t in values)
            found = f"{at_line(values[0].line)}：找到 {len(values)} 个数值（{shown}）"
        else:
            # Numbers there were, but all after text that is no header: listed with that text.
            found = "：没有找到数值"
        _leave_table4(placer, f"表四{found}，应有 15 个，无法确定位置")
        return
    rows = {row.key: row for row in table_rows(4)}
    for index, (group, columns) in enumerate(order):
        run = values[index * 5 : index * 5 + 5]
        placer.place(4, rows[group], columns, run, run[0].line)


def _leave_table4(placer: Placer, why: str) -> None:
    """Table 4's fifteen cells left empty for staff: where its numbers go cannot be told."""
    for row in table_rows(4):
        placer.leave(4, row.key, why)


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


def place_numbers(entries: dict[int, list[Entry]], stated: Stated | None = None) -> Placer:
    """Place the values of each table's entries (from find_labels) in their cells; ``stated``:
    figures of table 2 the prose gives (stated.py), which may settle digits run together."""
    placer = Placer(stated)
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
