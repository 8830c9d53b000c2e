"""One report: its 200 values, the error a file that cannot be read raises, and cell values
written as text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from portal.reports.layout import (
    CELLS,
    CELLS_BY_KEY,
    CONTENT_LABEL,
    TABLE2_BLOCKS,
    TABLE3_APPLICANTS_LABEL,
    TABLE3_COLUMN_GROUPS,
    TABLE3_COLUMNS,
    TABLE3_NOTE,
    TABLE3_SECTIONS,
    TABLE4_COLUMNS,
    TABLE4_SECTIONS,
    TABLE_CAPTIONS,
    Cell,
)

Value = int | Decimal | str | None
"""A cell: an int (a count) or a Decimal (the 收费金额); in data that breaks rule R7 the text
as written (str), or None where the value is missing."""

Table = dict[str, dict[str, Value]]


class ReportError(Exception):
    """A report data file (or CSV / JSON) that cannot be read at all; line may be None."""

    def __init__(self, path: Path | str | None, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<report>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class Report:
    """The statutory tables of one annual report: organisation, statistical year, 200 cells."""

    organisation: str
    year: int
    table2: Table
    table3: Table
    table4: Table
    sample: bool = False
    path: Path | None = field(default=None, compare=False)
    # Line of each cell ("table3.new.person"), row ("table3.new") and table ("table3") in the
    # data file, for messages that point at the line to fix.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    # The layout, reachable from templates through the report they are given.
    table_captions: ClassVar = TABLE_CAPTIONS
    content_label: ClassVar = CONTENT_LABEL
    table2_blocks: ClassVar = TABLE2_BLOCKS
    table3_applicants_label: ClassVar = TABLE3_APPLICANTS_LABEL
    table3_note: ClassVar = TABLE3_NOTE
    table3_column_groups: ClassVar = TABLE3_COLUMN_GROUPS
    table3_columns: ClassVar = TABLE3_COLUMNS
    table3_sections: ClassVar = TABLE3_SECTIONS
    table4_columns: ClassVar = TABLE4_COLUMNS
    table4_sections: ClassVar = TABLE4_SECTIONS

    @property
    def slug(self) -> str | None:
        """The document address the data file belongs to (``x.report.yml`` -> ``x``)."""
        if self.path is None:
            return None
        return self.path.name.removesuffix(".yml").removesuffix(".report")

    def table(self, number: int) -> Table:
        """Table 2, 3 or 4 as ``{row key: {column key: value}}``."""
        return {2: self.table2, 3: self.table3, 4: self.table4}[number]

    def value(self, table: int, row: str, column: str) -> Value:
        """The value of one cell (None when missing)."""
        return self.table(table).get(row, {}).get(column)

    def display(self, table: int, row: str, column: str) -> str:
        """The value of one cell as text for a page or a CSV file."""
        return format_value(self.value(table, row, column))

    def cells(self) -> Iterator[tuple[Cell, Value]]:
        """Every cell with its value, in statutory order."""
        for cell in CELLS:
            yield cell, self.value(cell.table, cell.row.key, cell.column.key)

    def line(self, table: int, row: str | None = None, column: str | None = None) -> int | None:
        """The line in the data file of a cell, else of its row, else of its table."""
        keys = [f"table{table}.{row}.{column}", f"table{table}.{row}", f"table{table}"]
        return next((self.lines[key] for key in keys if key in self.lines), None)


def format_value(value: Value) -> str:
    """A value as text: integers as digits, amounts without exponent, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def make_report(
    organisation: str,
    year: int,
    values: Mapping[str, Value] | None = None,
    *,
    default: int = 0,
    sample: bool = False,
) -> Report:
    """A report whose cells are ``default`` except those named by key in ``values``."""
    tables: dict[int, Table] = {2: {}, 3: {}, 4: {}}
    for cell in CELLS:
        value: Value = Decimal(default) if cell.decimal else default
        tables[cell.table].setdefault(cell.row.key, {})[cell.column.key] = value
    for key, value in (values or {}).items():
        cell = CELLS_BY_KEY[key]
        tables[cell.table][cell.row.key][cell.column.key] = value
    return Report(organisation, year, tables[2], tables[3], tables[4], sample=sample)


# What a cell may hold: rule R7 allows counts (and the amount) from 0 to MAX_VALUE. The bound
# keeps every number a person could mean and refuses what no statutory table holds (10^30); it
# also keeps every sum the browser's check adds up exact in a JavaScript number.
MAX_VALUE = 999_999_999
# Text longer than this is never read as a number (Python refuses to convert more than 4,300
# digits, and no cell needs more than a dozen characters): R7 names it as the text it is.
LONGEST_NUMBER = 64
# The one syntax of a number in a cell, after Unicode NFKC (full-width digits and signs are
# their ASCII selves): the patterns the data file, the form and the browser's check share.
INTEGER_PATTERN = r"[+-]?[0-9]+"
DECIMAL_PATTERN = r"[+-]?[0-9]+(?:\.[0-9]+)?"
# The white space around a number that is not part of it (after NFKC, which makes the
# ideographic space U+3000 a plain one).
SPACE = " \t\n\r\f\v"
_INT_TEXT = re.compile(INTEGER_PATTERN)
_DECIMAL_TEXT = re.compile(DECIMAL_PATTERN)


def parse_value(text: str, decimal: bool = False) -> Value:
    """Read a cell written as text: digits -> int, an amount -> Decimal, else the text itself."""
    text = unicodedata.normalize("NFKC", text).strip(SPACE)
    if not text:
        return None
    if len(text) > LONGEST_NUMBER:
        return text
    if not decimal and _INT_TEXT.fullmatch(text):
        return int(text)
    if _DECIMAL_TEXT.fullmatch(text):
        # A decimal in a count cell stays a Decimal so that rule R7 can name it.
        return Decimal(text)
    return text


def allowed(value: Value, decimal: bool = False) -> bool:
    """Whether a cell's value is what rule R7 allows: a whole number from 0 to MAX_VALUE, or for
    the amount (decimal) any number in that range."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return False
    if not decimal and not isinstance(value, int):
        return False
    return Decimal(value).is_finite() and 0 <= value <= MAX_VALUE
