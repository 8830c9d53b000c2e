"""Working days and deadlines in China time: 条例 第二十六条 (published within 20 working days
of being made or changed), 第三十三条 (applications answered within 20 working days), and the
annual-report deadlines (第五十条)."""

import datetime

WORKING_DAYS_TO_PUBLISH = 20
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(whether day is a working day, whether the official holiday calendar knew the year).

    The State Council publishes each year's holidays and make-up working days in the autumn
    before; for a year the calendar package does not know yet, Monday to Friday is assumed.
    """
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: datetime.date, days: int) -> tuple[datetime.date, bool]:
    """The date `days` working days after start, and whether every year was in the calendar."""
    day, counted, known = start, 0, True
    while counted < days:
        day += datetime.timedelta(days=1)
        working, year_known = is_working_day(day)
        known = known and year_known
        counted += working
    return day, known


def china_today() -> datetime.date:
    """Today's date in China, whatever the server's time zone: deadlines fall on China's days."""
    return datetime.datetime.now(CHINA).date()


def report_deadline(year: int, government: bool = False) -> datetime.date:
    """The last day to publish the annual report covering `year` (条例 第五十条).

    A people's government's report is due by 31 March: its 主管部门 compiles it after its
    departments' reports, which are due by 31 January. Every other body (departments, and the
    townships and others that report to the county's 主管部门 with them) has until 31 January.
    """
    return datetime.date(year + 1, 3 if government else 1, 31)


def report_deadlines(today: datetime.date) -> list[dict]:
    """The next annual-report deadlines: 31 January for departments, 31 March for governments."""
    found = []
    for label, government in (
        ("部门年度报告（1月31日前）", False),
        ("政府年度报告（3月31日前）", True),
    ):
        deadline = report_deadline(today.year - 1, government)
        if deadline < today:
            deadline = report_deadline(today.year, government)
        found.append(
            {
                "what": label,
                "deadline": deadline.isoformat(),
                "days_left": (deadline - today).days,
                "report_year": deadline.year - 1,
            }
        )
    return found
