"""The numeric, date and choice arguments of a request (?page=, ?year=, ?from=, ?scope=),
read through portal.web.request_values, with the message a visitor gets when one is wrong."""

import datetime
import re

from flask import request
from flask_babel import gettext as _

from portal.web.errors import refusal
from portal.web.request_values import ascii_digits, visible_text, whole_number

MAX_PAGE_DIGITS = 6


def page_argument() -> int:
    """The ?page= number: 1 when absent; a clear 400 when it is not a positive whole number."""
    number = whole_number(request.args.get("page", "1"), MAX_PAGE_DIGITS)
    if number is None or number < 1:
        raise refusal(400, _("页码应为正整数。"))
    return number


def year_value(text: str) -> int:
    """A year typed into a filter; a clear 400 when it is not four digits."""
    year = whole_number(text, 4)
    if year is None or year < 1000:
        raise refusal(400, _("年份应为四位数字，例如 2024。"))
    return year


# 2024-01-31 (what <input type=date> sends), 2024/1/31, 2024.1.31 or 2024年1月31日.
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def date_value(text: str) -> datetime.date:
    """A day typed into a date field; a clear 400 when it is not a real date."""
    digits = "".join(ascii_digits(c) or c for c in visible_text(text))
    found = _DATE.fullmatch(digits)
    try:
        if found is None:
            raise ValueError(text)
        return datetime.date(*map(int, found.groups()))
    except ValueError:
        raise refusal(400, _("日期应写成“2024-01-31”的形式，并且是真实存在的日期。")) from None


def date_argument(name: str) -> datetime.date | None:
    """The ?name= date: None when absent or blank; a clear 400 when it is not a date."""
    text = request.args.get(name, "")
    return date_value(text) if text.strip() else None


def choice_argument(name: str, choices: tuple[str, ...], message: str) -> str:
    """The ?name= value, one of ``choices`` (the first when absent); ``message`` as a 400
    otherwise."""
    value = request.args.get(name, choices[0])
    if value not in choices:
        raise refusal(400, message)
    return value
