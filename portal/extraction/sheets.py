"""Spreadsheets (XLSX, openpyxl in read-only mode), CSV and plain text as blocks: each sheet a
table under its name as a heading, each CSV a table, plain text its paragraphs."""

from __future__ import annotations

import csv
import io

from portal.extraction.model import Budget, Extract, ExtractionError, Limits, Paragraph, Table
from portal.extraction.word import check_archive


def decode(data: bytes) -> str:
    """Text as UTF-8 (with or without a BOM), else GB 18030, as Chinese offices save it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractionError("the text is neither UTF-8 nor GB 18030")


def _grid(rows: list[list[str]]) -> Table:
    width = max((len(row) for row in rows), default=0)
    cells: list[str] = []
    grid = []
    for row in rows:
        slots = []
        for column in range(width):
            slots.append(len(cells))
            cells.append(row[column] if column < len(row) else "")
        grid.append(tuple(slots))
    return Table(tuple(cells), tuple(grid))


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Rows without their empty tail cells, empty rows at the end dropped."""
    rows = [list(row) for row in rows]
    for row in rows:
        while row and not row[-1].strip():
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_csv(data: bytes, limits: Limits) -> Extract:
    """A CSV file as one table (at most ``limits.max_cells`` cells)."""
    budget = Budget(limits)
    rows: list[list[str]] = []
    cells = 0
    extract = Extract()
    try:
        for row in csv.reader(io.StringIO(decode(data))):
            cells += len(row)
            if cells > limits.max_cells or (why := budget.spent()):
                extract.truncated = (
                    why if cells <= limits.max_cells else "rows past the limit left out"
                )
                break
            rows.append([budget.take(cell.strip()) for cell in row])
    except csv.Error as error:
        raise ExtractionError(f"the CSV file cannot be read ({error})") from None
    if rows := _trimmed(rows):
        extract.blocks.append(_grid(rows))
    return extract


def read_text(data: bytes, limits: Limits) -> Extract:
    """Plain text: a paragraph per run of lines between blank lines."""
    text = decode(data)[: limits.max_chars]
    extract = Extract(
        truncated="text past the limit left out" if len(data) > limits.max_chars else ""
    )
    for part in text.replace("\r\n", "\n").split("\n\n"):
        if part.strip():
            extract.blocks.append(Paragraph(part.strip()))
    return extract


def read_xlsx(data: bytes, limits: Limits) -> Extract:
    """Every sheet: its name as a heading, its used cells as a table."""
    from openpyxl import load_workbook

    check_archive(data, limits, "xl/workbook.xml")
    budget = Budget(limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ExtractionError(f"the spreadsheet cannot be read ({type(error).__name__})") from None
    extract = Extract()
    cells = 0
    try:
        for sheet in workbook.worksheets:
            rows: list[list[str]] = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > limits.max_cells or (why := budget.spent()):
                    extract.truncated = why or "cells past the limit left out"
                    break
                rows.append([budget.take("" if v is None else str(v).strip()) for v in row])
            if rows := _trimmed(rows):
                extract.blocks.append(Paragraph(sheet.title, level=2))
                extract.blocks.append(_grid(rows))
            if extract.truncated:
                break
    finally:
        workbook.close()
    return extract
