"""Whether the site has published its form covering last year: due in January, overdue from 1
February (国办函〔2018〕12号: by 31 January), for `portal status`."""

import datetime
from collections.abc import Collection, Mapping

from portal.website_report.counting import due_date


def form_due(
    published: Collection[int], drafts: Mapping[int, str], today: datetime.date
) -> dict | None:
    """The form covering last year when it is not published: its deadline, whether it is due
    or overdue, how many days are left or past, and the draft waiting for review (a path) if
    there is one; None once it is published."""
    year = today.year - 1
    if year in published:
        return None
    deadline = due_date(year)
    overdue = today > deadline
    days = (today - deadline).days if overdue else (deadline - today).days
    return {
        "year": year,
        "deadline": deadline.isoformat(),
        "state": "overdue" if overdue else "due",
        "days_overdue" if overdue else "days_left": days,
        "draft": drafts.get(year),
    }


def status_note(due: dict) -> str:
    """The line `portal status` prints about a form not yet published (English, for staff)."""
    year, deadline = due["year"], due["deadline"]
    if due["state"] == "overdue":
        plural = "" if due["days_overdue"] == 1 else "s"
        said = (
            f"warning: the website's yearly form (政府网站工作年度报表) covering {year} is not "
            f"published: it was due by {deadline} ({due['days_overdue']} day{plural} overdue)"
        )
    else:
        plural = "" if due["days_left"] == 1 else "s"
        said = (
            f"the website's yearly form (政府网站工作年度报表) covering {year} is due by "
            f"{deadline} ({due['days_left']} day{plural} left)"
        )
    if due["draft"]:
        return f"{said}; draft waiting for review: {due['draft']}"
    return f"{said}; draft it with `portal website-report {year}`"
