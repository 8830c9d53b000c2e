"""Accounts in the back office, for the platform administrator (管理员) alone: the list with its
filters, adding an account, disabling and enabling it, resetting it, granting and revoking
roles per organisation. Every change goes through portal.accounts, whose rules `portal users`
obeys too (an administrator cannot disable, reset or take 管理员 from their own account; the
last enabled administrator stays). Every change is logged, who did what to whom; a temporary
password is shown once, on the page that answers the POST, and never logged, flashed (the
cookie is signed, not secret) or kept."""

import datetime
import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField

from portal import accounts, wiring
from portal.admin import access
from portal.admin.cookies import PREFIX
from portal.admin.forms import problems
from portal.text import N_
from portal.web import i18n, refusal, visible_text
from portal.workflow import CHINA

blueprint = Blueprint("people", __name__, url_prefix=PREFIX + "/accounts")
# Who did what to whom (account names as repr: a name from an address cannot forge a line).
log = logging.getLogger(__name__)
# The roles held in one body (管理员 is the platform's, chosen with its own checkbox).
BODY_ROLES = tuple(role for role in accounts.ROLES if role.name != accounts.ADMINISTRATOR)

# What each refusal of portal.accounts says on a page (its details fill the placeholders).
MESSAGES = {
    accounts.BAD_USERNAME: N_(
        "账号名须为 2 至 64 个字符，只能使用小写英文字母、数字、点、连字符或下划线，"
        "并以字母或数字开头。"
    ),
    accounts.BAD_NAME: N_("请填写姓名（不超过 100 个字符，不能含控制字符或不可见字符）。"),
    accounts.USERNAME_TAKEN: N_("账号名 %(username)s 已被使用，请换一个。"),
    accounts.UNKNOWN_ROLE: N_("没有“%(role)s”这个角色，请从列表中选择。"),
    accounts.ADMINISTRATOR_IN_BODY: N_("管理员是整个平台的角色，不能在某个单位授予。"),
    accounts.UNKNOWN_ORGANISATION: N_("没有编号为“%(organisation)s”的单位，请从列表中选择。"),
    accounts.NOT_HELD: N_("该账号在这个单位没有这一角色（可能刚被其他管理员撤销）。"),
    accounts.OWN_DISABLE: N_("不能停用自己的账号。如确需停用，请由另一位管理员操作。"),
    accounts.OWN_ADMINISTRATOR: N_("不能撤销自己的管理员角色。如确需撤销，请由另一位管理员操作。"),
    accounts.OWN_RESET: N_("不能重置自己的账号。修改自己的密码，请使用“修改密码”页面。"),
    accounts.LAST_ADMINISTRATOR: N_(
        "%(username)s 是最后一个启用的管理员账号，不能停用，也不能撤销其管理员角色。"
        "请先为另一个账号授予管理员角色。"
    ),
}
# The fields of the form to add an account, in the order the page shows them.
NEW_FIELDS = ("name", "username", "organisation", "roles")
# Which field of that form a refusal is about.
NEW_FIELD_OF = {
    accounts.BAD_USERNAME: "username",
    accounts.USERNAME_TAKEN: "username",
    accounts.BAD_NAME: "name",
    accounts.UNKNOWN_ORGANISATION: "organisation",
}
# The account page's forms, in the order of its error summary (each links to its control).
ACCOUNT_FIELDS = ("status", "reset", "roles", "organisation", "role")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NewAccountForm(FlaskForm):
    """The person's name, a login name, roles in one body and whether they administer the
    platform. Only presence is checked here: portal.accounts checks the rest."""

    name = StringField(filters=[_strip])
    username = StringField(filters=[_strip])
    organisation = StringField(filters=[_strip])
    roles = SelectMultipleField(validate_choice=False)
    administrator = BooleanField()


class GrantForm(FlaskForm):
    """A role in a body, to give or to take away."""

    organisation = StringField(filters=[_strip])
    role = StringField(filters=[_strip])


class ResetForm(FlaskForm):
    """A reset, optionally forgetting the authenticator (a lost phone)."""

    second_factor = BooleanField()


@blueprint.before_request
def administrators_only() -> None:
    """Every page and action here is the platform administrator's: a logged 403 for others."""
    access.require_administrator()


def _organisations():
    return wiring.catalogue.current().organisations


def _shown(value: str) -> str:
    """A value from a request as a message may echo it: visible characters, and not many."""
    return visible_text(str(value))[:64]


def _message(error: accounts.AccountError) -> str:
    """A refusal of portal.accounts in the page's language."""
    details = {key: _shown(value) for key, value in error.details.items()}
    if error.reason == accounts.UNKNOWN_ORGANISATION and not details.get("organisation"):
        return _("请选择要授予这些角色的单位。")
    if error.reason == accounts.UNKNOWN_ROLE and not details.get("role"):
        return _("请选择角色。")
    return _(MESSAGES[error.reason], **details) if error.reason in MESSAGES else str(error)


def _refused(action: str, target: str, error: accounts.AccountError) -> str:
    """Log a refused change and undo what its transaction began; the message to show."""
    wiring.db.session().rollback()
    log.warning(
        "%s of account %r by %r refused: %s", action, target, access.member().username, error
    )
    return _message(error)


def _until(member: accounts.StaffMember) -> datetime.datetime | None:
    """Until when the account's temporary password works, in China time."""
    return member.temporary_until.astimezone(CHINA) if member.temporary_until else None


def _filter_values() -> tuple[str, str]:
    """The list's ?organisation= and ?role=, each empty or one the page offers (else a 400)."""
    organisation = request.args.get("organisation", "")
    role = request.args.get("role", "")
    if organisation and _organisations().get(organisation) is None:
        raise refusal(400, _("没有这个单位，请从列表中选择。"))
    if role and role not in {known.name for known in accounts.ROLES}:
        raise refusal(400, _("没有这个角色，请从列表中选择。"))
    return organisation, role


@blueprint.route("/")
def index():
    """Every account with its roles by body and its state, filtered by body and role."""
    organisation, role = _filter_values()
    members = accounts.list_accounts(wiring.db.session(), role=role, organisation=organisation)
    _end_read()
    return render_template(
        "admin/people/index.html",
        members=members,
        values={"organisation": organisation, "role": role},
        filtered=bool(organisation or role),
        **_choices(),
    )


def _choices() -> dict:
    now = wiring.db.now()
    return {
        "organisations": _organisations(),
        "locale": i18n.select_locale(),
        "body_roles": BODY_ROLES,
        "roles": accounts.ROLES,
        "platform": accounts.PLATFORM,
        "platform_role": accounts.ADMINISTRATOR,
        "until": _until,
        "expired": lambda m: m.temporary_until is not None and m.temporary_until <= now,
    }


@blueprint.route("/new", methods=["GET", "POST"])
def new():
    """The form to add an account; a right one answers with its temporary password, once."""
    form = NewAccountForm()
    organisations = _organisations()
    if request.method == "GET" and len(organisations) == 1:
        form.organisation.data = organisations.all[0].id
    errors = problems(form, _) if form.is_submitted() else {}
    if form.is_submitted() and not errors:
        roles = [(role, form.organisation.data) for role in form.roles.data]
        if form.administrator.data:
            roles.append((accounts.ADMINISTRATOR, ""))
        try:
            member, password = accounts.add_account(
                wiring.db.session(),
                form.username.data,
                form.name.data,
                roles,
                [body.id for body in organisations],
                wiring.db.now(),
            )
        except accounts.AccountError as error:
            message = _refused("adding", _shown(form.username.data), error)
            errors = {NEW_FIELD_OF.get(error.reason, "roles"): message}
        else:
            log.info(
                "account %r added by %r with roles %s",
                member.username,
                access.member().username,
                _roles_text(member),
            )
            return _temporary_password(member, password, added=True)
    values = {
        "name": form.name.data or "",
        "username": form.username.data or "",
        "organisation": form.organisation.data or "",
        "roles": form.roles.data or [],
        "administrator": bool(form.administrator.data),
    }
    return render_template(
        "admin/people/new.html", form=form, errors=errors, values=values, **_choices()
    ), (400 if errors else 200)


def _role_in(role_text: str, organisation: str) -> str:
    """role@organisation of a grant portal.accounts accepted (so the role is a known one)."""
    role = accounts.parse_role(role_text).name
    return f"{role}@{accounts.PLATFORM if role == accounts.ADMINISTRATOR else organisation}"


def _roles_text(member: accounts.StaffMember) -> str:
    return ", ".join(f"{role}@{organisation}" for organisation, role in member.roles) or "none"


def _temporary_password(member: accounts.StaffMember, password: str, added: bool):
    """The one page that shows a temporary password: the answer to the POST that made it."""
    return render_template(
        "admin/people/temporary.html",
        member=member,
        password=password,
        added=added,
        until=_until(member),
        days=accounts.TEMPORARY_DAYS,
    )


def _end_read() -> None:
    """End the transaction a read began: SQLite's take the write lock as they begin, and the
    page is rendered from detached values."""
    wiring.db.session().rollback()


def _account(username: str) -> accounts.StaffMember:
    found = accounts.find_account(wiring.db.session(), username)
    _end_read()
    if found is None:
        raise refusal(404, _("没有这个账号。它可能已被改名，请从账号列表中查找。"))
    return found


def _account_page(member: accounts.StaffMember, errors: dict[str, str], values=None):
    return render_template(
        "admin/people/account.html",
        member=member,
        errors=errors,
        values=values or {},
        own=member.username == access.member().username,
        fields=ACCOUNT_FIELDS,
        **_choices(),
    ), (400 if errors else 200)


@blueprint.route("/<username>/")
def account(username: str):
    """One account: its state, its roles by body, and what an administrator may do to it."""
    return _account_page(_account(username), {})


@blueprint.route("/<username>/disable", methods=["POST"])
def disable(username: str):
    """Disable the account: every session of it ends at once."""
    return _set_disabled(username, True)


@blueprint.route("/<username>/enable", methods=["POST"])
def enable(username: str):
    """Let a disabled account sign in again."""
    return _set_disabled(username, False)


def _set_disabled(username: str, disabled: bool):
    member = _account(username)
    problems(FlaskForm(), _)
    action = "disabling" if disabled else "enabling"
    try:
        changed = accounts.set_disabled(
            wiring.db.session(),
            member.username,
            disabled,
            wiring.db.now(),
            by=access.member().username,
        )
    except accounts.AccountError as error:
        return _account_page(member, {"status": _refused(action, member.username, error)})
    log.info(
        "account %r %s by %r",
        changed.username,
        "disabled" if disabled else "enabled",
        access.member().username,
    )
    flash(
        _("已停用账号 %(username)s，它的所有登录都已退出。", username=changed.username)
        if disabled
        else _("已启用账号 %(username)s。", username=changed.username)
    )
    return redirect(url_for("people.account", username=changed.username))


@blueprint.route("/<username>/reset", methods=["POST"])
def reset(username: str):
    """A new temporary password (shown once) and, if asked, no authenticator; every session of
    the account ends."""
    member = _account(username)
    form = ResetForm()
    problems(form, _)
    try:
        changed, password = accounts.reset_account(
            wiring.db.session(),
            member.username,
            wiring.db.now(),
            second_factor=bool(form.second_factor.data),
            by=access.member().username,
        )
    except accounts.AccountError as error:
        return _account_page(member, {"reset": _refused("resetting", member.username, error)})
    log.info(
        "account %r reset by %r (authenticator %s)",
        changed.username,
        access.member().username,
        "cleared" if form.second_factor.data else "kept",
    )
    return _temporary_password(changed, password, added=False)


@blueprint.route("/<username>/roles", methods=["POST"])
def grant(username: str):
    """Give the account a role in a body (管理员: on the platform)."""
    member = _account(username)
    form = GrantForm()
    problems(form, _)
    try:
        changed = accounts.grant_role(
            wiring.db.session(),
            member.username,
            form.role.data,
            form.organisation.data,
            [body.id for body in _organisations()],
            wiring.db.now(),
        )
    except accounts.AccountError as error:
        field = "organisation" if error.reason == accounts.UNKNOWN_ORGANISATION else "role"
        message = _refused("granting a role to", member.username, error)
        values = {"organisation": form.organisation.data, "role": form.role.data}
        return _account_page(member, {field: message}, values)
    log.info(
        "account %r granted %s by %r",
        changed.username,
        _role_in(form.role.data, form.organisation.data),
        access.member().username,
    )
    flash(_("已授予角色。"))
    return redirect(url_for("people.account", username=changed.username))


@blueprint.route("/<username>/roles/revoke", methods=["POST"])
def revoke(username: str):
    """Take a role in a body away from the account, at once."""
    member = _account(username)
    form = GrantForm()
    problems(form, _)
    try:
        changed = accounts.revoke_role(
            wiring.db.session(),
            member.username,
            form.role.data,
            form.organisation.data,
            by=access.member().username,
        )
    except accounts.AccountError as error:
        return _account_page(member, {"roles": _refused("revoking a role of", username, error)})
    log.info(
        "account %r lost %s, revoked by %r",
        changed.username,
        _role_in(form.role.data, form.organisation.data),
        access.member().username,
    )
    flash(_("已撤销角色。"))
    return redirect(url_for("people.account", username=changed.username))
