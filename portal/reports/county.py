"""The annual reports of every body on a platform for one year: whether each body published
its report by the deadline, and the tables of all their reports added up and checked by the
same rules as one report.

Nothing here knows where reports come from: callers give each body's deadline and the reports
it published, with the day each was published (portal.catalogue reads those from the files).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal.reports.formats import report_to_json
from portal.reports.layout import CELLS
from portal.reports.model import Report, Value, allowed, make_report
from portal.reports.rules import Problem, check_carry_over, validate_report
from portal.text import N_

# Where a body stands with its report of a year.
ON_TIME = "on_time"
LATE = "late"
DATE_UNKNOWN = "date_unknown"
NOT_DUE = "not_due"
OVERDUE = "overdue"
STATES = {
    ON_TIME: N_("按时发布"),
    LATE: N_("逾期发布"),
    DATE_UNKNOWN: N_("已发布，发布日期不详"),
    NOT_DUE: N_("未发布（未到期）"),
    OVERDUE: N_("逾期未发布"),
}
"""Each state and what a visitor reads for it, in the order a page counts them."""

SUMMARY_ORGANISATION = "各发布机构合计"
"""The organisation a summed report names in its CSV and JSON."""

# How rule R6 (this year's 上年结转 = last year's 结转下年度) applies to a sum.
CARRY_OVER_CHECKED = "checked"
CARRY_OVER_NO_PREVIOUS = "no_previous"
CARRY_OVER_OTHER_BODIES = "other_bodies"


@dataclass(frozen=True)
class Publication:
    """One published annual report of a body: its address, the day it was published (None
    when unknown), its tables and every problem the rules found in them."""

    slug: str
    title: str
    published: datetime.date | None
    report: Report
    problems: tuple[Problem, ...] = ()
    sample: bool = False

    @property
    def failing(self) -> bool:
        """Whether its tables break a hard rule (R1-R4, R7)."""
        return any(problem.severity == "error" for problem in self.problems)


@dataclass(frozen=True)
class Standing:
    """Where one body stands with its report of a year.

    days counts from the deadline: how late a late report was, how long an overdue one has
    been awaited, how many days are left for one not yet due; None when the state has none.
    """

    organisation: str
    deadline: datetime.date
    publications: tuple[Publication, ...]
    state: str
    days: int | None = None

    @property
    def label(self) -> str:
        """The state as a visitor reads it (to be translated)."""
        return STATES[self.state]

    @property
    def current(self) -> Publication | None:
        """The report that stands for the body this year: the last one published (a corrected
        report replaces the first); None when it published none."""
        return self.publications[-1] if self.publications else None

    @property
    def failing(self) -> bool:
        """Whether the report that stands for the body breaks a hard rule."""
        return self.current is not None and self.current.failing


def _publication_order(publication: Publication) -> tuple:
    # Undated reports first: nothing says they came after a dated one.
    return (publication.published or datetime.date.min, publication.slug)


def standing(
    organisation: str,
    deadline: datetime.date,
    publications: Iterable[Publication],
    today: datetime.date,
) -> Standing:
    """Where a body stands on `today` with the report due on `deadline` (the deadline day
    itself is still on time); today is China's (portal.workflow.china_today)."""
    found = tuple(sorted(publications, key=_publication_order))
    if not found:
        if today <= deadline:
            return Standing(organisation, deadline, found, NOT_DUE, (deadline - today).days)
        return Standing(organisation, deadline, found, OVERDUE, (today - deadline).days)
    dated = [p.published for p in found if p.published is not None]
    # One report published in time meets the duty; lateness is known only when every report
    # has a date.
    if any(day <= deadline for day in dated):
        return Standing(organisation, deadline, found, ON_TIME)
    if len(dated) < len(found):
        return Standing(organisation, deadline, found, DATE_UNKNOWN)
    return Standing(organisation, deadline, found, LATE, (min(dated) - deadline).days)


def sum_reports(reports: Sequence[Report], organisation: str, year: int) -> Report:
    """Every cell of tables 2, 3 and 4 added up over reports.

    Where a report's cell is not what rule R7 allows (missing, text, negative), the sum of
    that cell is left missing rather than written as a total that leaves a number out: R7
    then names the cell of the sum, and the sum is shown as failing.
    """
    values: dict[str, Value] = {}
    for cell in CELLS:
        addends = [report.value(cell.table, cell.row.key, cell.column.key) for report in reports]
        if all(allowed(value, cell.decimal) for value in addends):
            values[cell.key] = sum(addends, Decimal(0) if cell.decimal else 0)
        else:
            values[cell.key] = None
    return make_report(organisation, year, values, sample=any(report.sample for report in reports))


@dataclass(frozen=True)
class Summary:
    """The tables of every body that published a report in a year, added up and checked.

    report is None when no body published one. carry_over says how rule R6 applied: checked
    against the previous year's sum, or not, because there is none or it adds up other bodies.
    """

    year: int
    report: Report | None
    problems: tuple[Problem, ...]
    included: tuple[str, ...]
    missing: tuple[str, ...]
    carry_over: str

    @property
    def failing(self) -> bool:
        """Whether the sums break a hard rule (R1-R4, R7)."""
        return any(problem.severity == "error" for problem in self.problems)

    @property
    def sample(self) -> bool:
        """Whether a sample (made-up) report is among those added up."""
        return self.report is not None and self.report.sample


def summarise(year: int, standings: Sequence[Standing], previous: Summary | None = None) -> Summary:
    """Add up the report that stands for each body that published one, and check the sums.

    The rules apply as they do to one report, as far as they can: R1-R4 and R7 to the sums
    as they are; R5 not at all, since a sum has no prose to quote figures; R6 compares this
    year's sums with the previous year's only when both add up the same bodies, because a
    body reporting in one year and not the other would make them differ for no fault.
    """
    current = [s for s in standings if s.current is not None]
    included = tuple(s.organisation for s in current)
    missing = tuple(s.organisation for s in standings if s.current is None)
    if not current:
        return Summary(year, None, (), included, missing, CARRY_OVER_NO_PREVIOUS)
    report = sum_reports([s.current.report for s in current], SUMMARY_ORGANISATION, year)
    problems = validate_report(report)
    if previous is None or previous.report is None:
        carry_over = CARRY_OVER_NO_PREVIOUS
    elif sorted(previous.included) != sorted(included):
        carry_over = CARRY_OVER_OTHER_BODIES
    else:
        carry_over = CARRY_OVER_CHECKED
        problems += check_carry_over(previous.report, report)
    return Summary(year, report, tuple(problems), included, missing, carry_over)


@dataclass(frozen=True)
class CountyYear:
    """Every body's standing with its report of a year, on a given day, and the sums."""

    year: int
    today: datetime.date
    standings: tuple[Standing, ...]
    summary: Summary

    def count(self, state: str) -> int:
        """How many bodies are in a state (a key of STATES)."""
        return sum(1 for s in self.standings if s.state == state)

    @property
    def failing(self) -> int:
        """How many bodies' reports break a hard rule."""
        return sum(1 for s in self.standings if s.failing)


def summary_to_json(summary: Summary, names: Mapping[str, str]) -> dict:
    """The sums as JSON-ready data: the tables as in a report's JSON (``report_from_json`` reads
    them back), then the bodies added up and missing (id and name, from names), how rule R6
    applied, and every problem the rules found."""
    if summary.report is None:
        raise ValueError(f"no report covering {summary.year} to add up")
    data = report_to_json(summary.report)
    data["included"] = [{"organisation": o, "name": names.get(o, o)} for o in summary.included]
    data["missing"] = [{"organisation": o, "name": names.get(o, o)} for o in summary.missing]
    data["carry_over"] = summary.carry_over
    data["problems"] = [
        {
            "rule": problem.rule,
            "severity": problem.severity,
            "table": problem.table,
            "row": problem.row,
            "column": problem.column,
            "message": problem.message,
        }
        for problem in summary.problems
    ]
    return data
