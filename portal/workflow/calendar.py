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


def report_deadlines(today: datetime.date) -> list[dict]:
    """The next annual-report deadlines: 31 January for departments, 31 March for governments."""
    found = []
    for label, month in (("部门年度报告（1月31日前）", 1), ("政府年度报告（3月31日前）", 3)):
        deadline = datetime.date(today.year, month, 31)
        if deadline < today:
            deadline = datetime.date(today.year + 1, month, 31)
        found.append(
            {
                "what": label,
                "deadline": deadline.isoformat(),
                "days_left": (deadline - today).days,
                "report_year": deadline.year - 1,
            }
        )
    return found
