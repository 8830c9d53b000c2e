"""The back office's navigation: each area of the back office adds one entry here, with the
role that makes it useful, and a member of staff sees the entries their roles open."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask_login import current_user

from portal import accounts
from portal.text import N_


@dataclass(frozen=True)
class Entry:
    """A link of the navigation: its endpoint, its label (translated when shown) and who sees it."""

    endpoint: str
    label: str
    shown_to: Callable[[accounts.StaffMember], bool]


def everyone(_member: accounts.StaffMember) -> bool:
    """Every signed-in member of staff."""
    return True


def holding(*roles: str) -> Callable[[accounts.StaffMember], bool]:
    """Members holding any of these roles in some organisation."""
    return lambda member: any(held in roles for _organisation, held in member.roles)


ENTRIES = (
    Entry("admin.home", N_("我的账号"), everyone),
    Entry("admin.password", N_("修改密码"), everyone),
    Entry("admin.second_factor", N_("两步验证"), everyone),
    Entry("drafts.index", N_("起草"), holding("起草")),
    Entry("people.index", N_("账号管理"), holding(accounts.ADMINISTRATOR)),
    Entry("bodies.index", N_("单位管理"), holding(accounts.ADMINISTRATOR)),
    Entry("applications_desk.index", N_("申请办理"), holding("申请办理")),
    Entry("review.queue", N_("文件审核"), holding("起草", "初审", "复审", "终审", "保密审查")),
    Entry("report_tables.index", N_("年报表格"), holding("起草")),
)


def init_app(app: Flask) -> None:
    """Give the back office's templates the entries the signed-in member sees."""

    @app.context_processor
    def admin_navigation():
        if not getattr(current_user, "is_authenticated", False):
            return {"admin_nav": ()}
        member = current_user.member
        return {"admin_nav": [entry for entry in ENTRIES if entry.shown_to(member)]}
