"""What staff take out of the applications: the CSV export (no ID numbers) and table 3 of the
annual report computed from the records."""

import io

from portal import csv_cells
from portal.applications.rules import APPLICANT_KINDS, REQUEST_FIELDS, Application
from portal.reports import CELLS, TABLE3_COLUMNS, Report, make_report

# --- Staff output -----------------------------------------------------------------------------

# Every column but the ID numbers, which staff look up one application at a time.
EXPORT_COLUMNS = (
    "code",
    "received",
    "organisation",
    "applicant_kind",
    "name",
    *REQUEST_FIELDS,
    "due",
    "correction_requested",
    "corrected",
    "extended",
    "outcome",
    "replied",
    "purged",
)


def export_csv(applications: list[Application]) -> str:
    """Applications as CSV for staff: every column but the ID numbers."""
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for app in applications:
        writer.writerow([getattr(app, name) for name in EXPORT_COLUMNS])
    return out.getvalue()


# --- Table 3 ----------------------------------------------------------------------------------


def table3_values(applications: list[Application], year: int) -> dict[str, int]:
    """Table 3 of `year` as {cell key: count}, from the records.

    Carried over = received before the year and not answered before it; carried forward =
    received by 31 December and not answered by then. So one year's carried-forward is by
    construction the next year's carried-over (R6), and new + carried over = total + carried
    forward in every column (R1).
    """
    start, end = f"{year}-01-01", f"{year}-12-31"
    values: dict[str, int] = {}
    for app in applications:
        if app.received > end:
            continue
        answered_before = app.replied is not None and app.replied < start
        if answered_before:
            continue
        rows = ["new" if app.received >= start else "carried_over"]
        if app.replied is not None and app.replied <= end:
            rows += [app.outcome, "total"]
        else:
            rows.append("carried_forward")
        for row in rows:
            for column in (app.applicant_kind, "total"):
                key = f"table3.{row}.{column}"
                values[key] = values.get(key, 0) + 1
    return values


def table3_report(applications: list[Application], year: int, organisation: str) -> Report:
    """The annual report data of `year`: table 3 from the records, tables 2 and 4 unset (the
    records say nothing of them; a zero there would be a figure nobody counted)."""
    unset = {cell.key: None for cell in CELLS if cell.table != 3}
    return make_report(organisation, year, {**unset, **table3_values(applications, year)})


assert {column.key for column in TABLE3_COLUMNS} == {*APPLICANT_KINDS, "total"}
