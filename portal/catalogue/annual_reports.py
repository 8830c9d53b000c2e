"""Every body's annual report of a year, as the catalogue holds them: who published by the
deadline of 条例 第五十条 and who is late or missing, the sums of all their tables, and the
reports `portal status` reminds staff of. The rules are portal.reports' and the deadlines
portal.workflow's; this module only reads the catalogue for them."""

import datetime

from portal import reports, workflow
from portal.catalogue.listing import Catalogue
from portal.catalogue.organisations import Organisation

GOVERNMENT = "人民政府"


def deadline_of(organisation: Organisation, year: int) -> datetime.date:
    """The day by which the body must publish its report covering year."""
    return workflow.report_deadline(year, government=organisation.kind == GOVERNMENT)


def due_year(today: datetime.date) -> int:
    """The latest year whose reports are due: the reports covering a year fall due in the
    next one, so on any day of 2026 the reports covering 2025 are awaited or overdue."""
    return today.year - 1


def report_years(catalogue: Catalogue, today: datetime.date) -> list[int]:
    """Every year some body published a report for, and the year now due, newest first."""
    years = {d.report.year for d in catalogue.annual_reports}
    return sorted(years | {due_year(today)}, reverse=True)


def _publications(catalogue: Catalogue, year: int) -> dict[str, list[reports.Publication]]:
    """The published reports covering year, by the id of the body that published them."""
    found: dict[str, list[reports.Publication]] = {}
    for document in catalogue.annual_reports:
        if document.report.year != year:
            continue
        found.setdefault(document.organisation, []).append(
            reports.Publication(
                slug=document.slug,
                title=document.title,
                published=document.publication_date,
                report=document.report,
                problems=tuple(catalogue.report_problems(document)),
                sample=document.sample,
            )
        )
    return found


def _standings(
    catalogue: Catalogue, year: int, today: datetime.date
) -> tuple[reports.Standing, ...]:
    published = _publications(catalogue, year)
    return tuple(
        reports.standing(
            organisation.id,
            deadline_of(organisation, year),
            published.get(organisation.id, ()),
            today,
        )
        for organisation in catalogue.organisations
        if organisation.reports_in(year) or organisation.id in published
    )


def county_year(catalogue: Catalogue, year: int, today: datetime.date) -> reports.CountyYear:
    """Every body's standing with its report covering year on today (China's date), in the
    order bodies are listed, and the sums of their reports."""
    previous = reports.summarise(year - 1, _standings(catalogue, year - 1, today))
    standings = _standings(catalogue, year, today)
    return reports.CountyYear(year, today, standings, reports.summarise(year, standings, previous))


def reports_due(catalogue: Catalogue, today: datetime.date) -> dict:
    """The bodies whose report covering last year is due (its deadline not passed) or
    overdue (passed, nothing published), with the deadline and any draft waiting for review."""
    year = due_year(today)
    drafts = {
        d.organisation: str(d.path)
        for d in catalogue.drafts
        if d.report is not None and d.report.year == year
    }
    found: dict = {"year": year, "due": [], "overdue": []}
    for standing in _standings(catalogue, year, today):
        if standing.state not in (reports.NOT_DUE, reports.OVERDUE):
            continue
        organisation = catalogue.organisations.get(standing.organisation)
        item = {
            "organisation": organisation.id,
            "name": organisation.name,
            "deadline": standing.deadline.isoformat(),
            "days_left" if standing.state == reports.NOT_DUE else "days_overdue": standing.days,
            "draft": drafts.get(organisation.id),
        }
        found["due" if standing.state == reports.NOT_DUE else "overdue"].append(item)
    return found
