"""Reports as CSV and JSON: one report or the whole dataset, written and read back.

Every CSV goes through portal.csv_cells, so that text from a content file never runs as a
formula in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from portal import csv_cells
from portal.reports.layout import CELLS_BY_KEY, Cell, row_columns, row_name, table_rows
from portal.reports.model import Report, ReportError, Table, Value, parse_value

CSV_COLUMNS = (
    "organisation",
    "year",
    "sample",
    "table",
    "row",
    "column",
    "row_label",
    "column_label",
    "value",
)
"""The columns of every CSV download: one line per cell (a report has 200)."""

JSON_FORMAT = "portal.annual-report/1"


def report_to_csv(report: Report) -> str:
    """One report's tables as CSV text, starting with a BOM so that spreadsheets read UTF-8."""
    return dataset_csv([report])


def dataset_csv(reports: Sequence[Report]) -> str:
    """Every report's tables in one CSV text (BOM first), one line per cell."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    # Organisation names and text values come from content files: csv_cells keeps them from
    # running as formulas, and writes counts and amounts as numbers.
    writer = csv_cells.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        for cell, value in report.cells():
            writer.writerow(
                (
                    report.organisation,
                    report.year,
                    "true" if report.sample else "false",
                    cell.table,
                    cell.row.key,
                    cell.column.key,
                    row_name(cell.table, cell.row),
                    cell.column.label,
                    value,
                )
            )
    return buffer.getvalue()


def report_from_csv(text: str) -> Report:
    """Read back one report from ``report_to_csv`` text."""
    reports = dataset_from_csv(text)
    if len(reports) != 1:
        raise ReportError(None, None, f"CSV 中应有 1 份报告，实有 {len(reports)} 份")
    return reports[0]


def dataset_from_csv(text: str) -> list[Report]:
    """Read back the reports of a ``dataset_csv`` text, in the order they appear."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = [name for name in CSV_COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise ReportError(None, 1, f"CSV 缺少列：{'、'.join(missing)}")
    found: dict[tuple[str, int], tuple[bool, dict[int, Table]]] = {}
    for written in reader:
        line = reader.line_num
        record = {
            name: csv_cells.restore_cell(text or "")
            for name, text in written.items()
            if name is not None
        }
        try:
            year = int(record["year"])
            cell = CELLS_BY_KEY[f"table{record['table']}.{record['row']}.{record['column']}"]
        except (KeyError, ValueError):
            raise ReportError(None, line, "无法识别的行（year、table、row、column 不对）") from None
        sample = record["sample"].strip().lower() == "true"
        key = (record["organisation"], year)
        _, tables = found.setdefault(key, (sample, {2: {}, 3: {}, 4: {}}))
        tables[cell.table].setdefault(cell.row.key, {})[cell.column.key] = parse_value(
            record["value"], cell.decimal
        )
    return [
        _complete(Report(organisation, year, tables[2], tables[3], tables[4], sample=sample))
        for (organisation, year), (sample, tables) in found.items()
    ]


def _complete(report: Report) -> Report:
    """Give every row its dict, so that a missing cell reads as None like in a data file."""
    for number in (2, 3, 4):
        for row in table_rows(number):
            report.table(number).setdefault(row.key, {})
    return report


def report_to_json(report: Report) -> dict:
    """One report as a JSON-ready dict: the same keys as the data file."""
    data: dict = {
        "format": JSON_FORMAT,
        "organisation": report.organisation,
        "year": report.year,
        "sample": report.sample,
    }
    for number in (2, 3, 4):
        data[f"table{number}"] = {
            row.key: {
                column.key: _json_value(report.value(number, row.key, column.key))
                for column in row_columns(number, row.key)
            }
            for row in table_rows(number)
        }
    return data


def _json_value(value: Value) -> int | float | str | None:
    if isinstance(value, Decimal):
        # Amounts have a few decimals at most, which a JSON number (a double) keeps exactly
        # enough for Decimal(str(number)) to give the same amount back.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def report_from_json(data: Mapping) -> Report:
    """Read back one report from ``report_to_json`` data."""
    if not isinstance(data, Mapping):
        raise ReportError(None, None, "JSON 应是一个对象")
    try:
        organisation = str(data["organisation"])
        year = int(data["year"])
        sample = bool(data.get("sample", False))
        tables = {number: data[f"table{number}"] for number in (2, 3, 4)}
    except (KeyError, TypeError, ValueError) as error:
        raise ReportError(None, None, f"JSON 缺少或写错了字段：{error}") from None
    read: dict[int, Table] = {}
    for number, table in tables.items():
        read[number] = {}
        for row_key, columns in dict(table).items():
            for column_key, value in dict(columns).items():
                key = f"table{number}.{row_key}.{column_key}"
                if key not in CELLS_BY_KEY:
                    raise ReportError(None, None, f"JSON 中有未知的单元格“{key}”")
                cell = CELLS_BY_KEY[key]
                read[number].setdefault(row_key, {})[column_key] = _from_json_value(value, cell)
    return _complete(Report(organisation, year, read[2], read[3], read[4], sample=sample))


def _from_json_value(value: object, cell: Cell) -> Value:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if cell.decimal:
            return number
        return int(number) if isinstance(value, int) else number
    return str(value)


def dataset_json(reports: Sequence[Report]) -> dict:
    """Every report in one JSON-ready dict, with the labels of each row and column."""
    labels = {
        f"table{number}": {
            "rows": {row.key: row_name(number, row) for row in table_rows(number)},
            "columns": {
                column.key: column.label
                for row in table_rows(number)
                for column in row_columns(number, row.key)
            },
        }
        for number in (2, 3, 4)
    }
    return {
        "format": JSON_FORMAT,
        "labels": labels,
        "reports": [report_to_json(report) for report in reports],
    }


def dataset_from_json(data: Mapping) -> list[Report]:
    """Read back the reports of ``dataset_json`` data."""
    try:
        reports = list(data["reports"])
    except (KeyError, TypeError):
        raise ReportError(None, None, "JSON 缺少“reports”") from None
    return [report_from_json(report) for report in reports]
