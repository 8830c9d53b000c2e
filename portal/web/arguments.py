"""The numeric arguments of a request (?page=, ?year=), read through portal.web.request_values,
with the message a visitor gets when one is wrong."""

from flask import request
from flask_babel import gettext as _

from portal.web.errors import refusal
from portal.web.request_values import whole_number

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
