"""Which signed-in member of staff may do what, checked one way by every back-office page that
acts for an organisation: a role is held in one body (管理员 on the whole platform), and a page
asking for a role the account does not hold in that body answers 403 and is logged."""

import logging

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from portal import accounts
from portal.web import refusal

log = logging.getLogger(__name__)


def member() -> accounts.StaffMember:
    """The signed-in member of staff (the guard has let only signed-in requests through)."""
    return current_user.member


def require(role: str, organisation: str) -> accounts.StaffMember:
    """The signed-in member when they hold `role` in `organisation`; otherwise a logged 403."""
    staff = member()
    if not staff.holds(role, organisation):
        log.warning(
            "refused %s %s to %r: not %s of %r",
            request.method,
            request.path,
            staff.username,
            role,
            organisation,
        )
        raise refusal(403, _("您的账号在该单位没有这一角色，不能打开此页面。"))
    return staff


def require_administrator() -> accounts.StaffMember:
    """The signed-in member when they are a platform administrator; otherwise a logged 403."""
    return require(accounts.ADMINISTRATOR, accounts.PLATFORM)


def organisations_for(role: str) -> list[str]:
    """The organisations in which the signed-in member holds `role`."""
    return member().organisations_for(role)
