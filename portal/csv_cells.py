"""CSV that spreadsheets read as data, never as formulas (CSV or formula injection).

Every CSV the project writes goes through `writer`, so no text from an applicant or a content
file can start a cell with a formula. Following OWASP's CSV-injection guidance, a text cell
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in front, which
spreadsheets show as text. Going further than the guidance, leading whitespace (which some
spreadsheets trim on import), NUL (OWASP ASVS 1.2.10) and the full-width `＝＋－＠` a Chinese
input method types are looked through too.

Numbers are decided by type, not by what text looks like: an int or a Decimal is written as
the number it is (a negative count stays `-3`, a number a spreadsheet can add up), text is
always text. `restore_cell` undoes the quoting exactly, so a CSV read back gives the values
that were written.
"""

import csv
import unicodedata
from decimal import Decimal
from typing import Any, TextIO

FORMULA_STARTS = frozenset("=+-@")
# Cells starting with these are treated as formulas or trimmed to one by some spreadsheet.
CONTROL_STARTS = ("\t", "\r", "\0")
TEXT_MARK = "'"


def _would_run(text: str) -> bool:
    """True when a spreadsheet could read `text` (not starting with a quote) as a formula."""
    if text.startswith(CONTROL_STARTS):
        return True
    first = text.lstrip().lstrip("\0")[:1]
    return unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS


def _quoted(text: str) -> bool:
    # Text that already starts with quotes is quoted once more when what follows them would
    # run, so that restore_cell can tell the mark it must remove from the applicant's own.
    return _would_run(text.lstrip(TEXT_MARK))


def spreadsheet_cell(value: Any) -> str:
    """One cell as CSV text: numbers as numbers, text with a `'` in front if it could run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return TEXT_MARK + text if _quoted(text) else text


def restore_cell(text: str) -> str:
    """The text `spreadsheet_cell` was given, from the cell it wrote."""
    return text[1:] if text.startswith(TEXT_MARK) and _quoted(text) else text


class _SafeWriter:
    """csv.writer whose every cell passes through spreadsheet_cell."""

    def __init__(self, stream: TextIO):
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def writerow(self, row) -> None:
        """Write one row of values."""
        self._writer.writerow([spreadsheet_cell(value) for value in row])


def writer(stream: TextIO) -> _SafeWriter:
    """A CSV writer (RFC 4180, CRLF) that spreadsheets cannot be tricked into running."""
    return _SafeWriter(stream)
