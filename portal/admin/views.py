"""The back office's pages so far: signing in (password, then the authenticator's code), the
signed-in home page, changing the password, enrolling an authenticator, signing out. Every
route is behind portal.admin.guard.check; the views only do their own step."""

import logging
import math

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal import accounts, wiring
from portal.admin import users
from portal.admin.cookies import PREFIX, cookie_paths
from portal.admin.forms import CodeForm, PasswordForm, SignInForm, problems
from portal.qr import qr_svg
from portal.web import safe_local_path

blueprint = Blueprint("admin", __name__, url_prefix=PREFIX)
# Every sign-in, refusal and sign-out, with the account name as typed (repr: a name holding a
# line break cannot forge a log line) and the client's address.
log = logging.getLogger(__name__)


def _address() -> str:
    return request.remote_addr or "unknown"


def _start(token: str) -> None:
    """Open the browser's session under a new token: whatever the cookie held before (a session
    id an attacker planted included) is dropped, the CSRF token with it."""
    session.clear()
    login_user(users.load(token))


def _next_page(target: str | None) -> str:
    """Where to go after signing in: the back-office page asked for, else its home page."""
    home = url_for("admin.home")
    wanted = safe_local_path(target, home)
    path = wanted.split("?", 1)[0]
    inside = any(path == base or path.startswith(base + "/") for base in cookie_paths())
    return wanted if inside and "/." not in path else home


def _log_outcome(step: str, username: str, outcome: accounts.Outcome) -> None:
    if outcome.token:
        log.info("sign-in %s accepted for %r from %s", step, username, _address())
    else:
        log.warning(
            "sign-in %s refused (%s) for %r from %s", step, outcome.refused, username, _address()
        )


def _locked_message(outcome: accounts.Outcome) -> str:
    minutes = max(1, math.ceil((outcome.locked_until - wiring.db.now()).total_seconds() / 60))
    return _(
        "登录失败次数过多，该账号或您所在的网络已暂停登录。请在 %(minutes)d 分钟后再试；"
        "如忘记密码，请联系管理员重置。",
        minutes=minutes,
    )


def _refusal_message(outcome: accounts.Outcome) -> str:
    if outcome.refused == accounts.LOCKED:
        return _locked_message(outcome)
    return {
        accounts.DISABLED: _("该账号已停用。如有疑问，请联系管理员。"),
        accounts.EXPIRED: _("临时密码已过期，请联系管理员重新设置。"),
    }.get(outcome.refused, _("账号名或密码不正确。"))


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in form; a right name and password open a session or lead to the code step."""
    form = SignInForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("admin.home"))
        form.next.data = request.args.get("next", "")[:2000]
    errors = problems(form, _) if form.is_submitted() else {}
    if form.is_submitted() and not errors:
        outcome = accounts.sign_in(
            wiring.db.session(),
            form.username.data,
            form.password.data,
            _address(),
            users.policy(),
            wiring.db.now(),
        )
        target = _next_page(form.next.data)
        _log_outcome("password", form.username.data, outcome)
        if outcome.token and outcome.awaiting_code:
            session.clear()
            session["pending"], session["next"] = outcome.token, target
            return redirect(url_for("admin.sign_in_code"))
        if outcome.token:
            _start(outcome.token)
            return redirect(target)
        errors = {"username": _refusal_message(outcome)}
    status = 400 if errors else 200
    return render_template("admin/sign_in.html", form=form, errors=errors), status


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    """The second step for accounts with an authenticator: its current code."""
    if not session.get("pending"):
        return redirect(url_for("admin.sign_in"))
    form = CodeForm()
    errors = problems(form, _) if form.is_submitted() else {}
    if form.is_submitted() and not errors:
        outcome = accounts.confirm_code(
            wiring.db.session(),
            session["pending"],
            form.code.data,
            _address(),
            users.policy(),
            wiring.db.now(),
        )
        _log_outcome("code", "(after its password)", outcome)
        if outcome.token:
            target = session.get("next") or url_for("admin.home")
            _start(outcome.token)
            return redirect(target)
        if outcome.refused == accounts.EXPIRED:
            session.clear()
            flash(_("验证步骤已超时，请重新登录。"))
            return redirect(url_for("admin.sign_in"))
        errors = {
            "code": _locked_message(outcome)
            if outcome.refused == accounts.LOCKED
            else _("验证码不正确或已经用过。请输入验证器应用当前显示的 6 位数字。")
        }
    status = 400 if errors else 200
    return render_template("admin/code.html", form=form, errors=errors), status


@blueprint.route("/")
def home():
    """Who is signed in, with their roles in each organisation."""
    return render_template(
        "admin/home.html", member=current_user.member, platform=accounts.PLATFORM
    )


@blueprint.route("/sign-out", methods=["POST"])
def sign_out():
    """End this browser's session."""
    accounts.sign_out(wiring.db.session(), current_user.token)
    log.info("sign-out %r from %s", current_user.member.username, _address())
    logout_user()
    session.clear()
    flash(_("您已退出管理后台。"))
    return redirect(url_for("admin.sign_in"))


@blueprint.route("/password", methods=["GET", "POST"])
def password():
    """Change the password; every other session of the account ends."""
    form = PasswordForm()
    errors = problems(form, _) if form.is_submitted() else {}
    if form.is_submitted() and not errors:
        outcome = accounts.change_password(
            wiring.db.session(),
            current_user.token,
            form.current.data,
            form.new.data,
            _address(),
            users.policy(),
            wiring.db.now(),
        )
        if outcome.token:
            _start(outcome.token)
            flash(_("密码已修改。其他设备和浏览器上的登录都已退出。"))
            return redirect(url_for("admin.home"))
        if outcome.refused in (accounts.WRONG, accounts.LOCKED):
            message = (
                _locked_message(outcome)
                if outcome.refused == accounts.LOCKED
                else _("当前密码不正确。")
            )
            errors = {"current": message}
        elif outcome.refused == accounts.SAME:
            errors = {"new": _("新密码不能与当前密码相同。")}
        else:
            errors = {"new": " ".join(_(problem) for problem in outcome.problems)}
    status = 400 if errors else 200
    return render_template(
        "admin/password.html",
        form=form,
        errors=errors,
        member=current_user.member,
        minimum=accounts.MIN_LENGTH,
    ), status


def _enrolment_uri() -> str:
    secret = accounts.pending_secret(wiring.db.session(), current_user.member.id)
    return accounts.provisioning_uri(secret, current_user.member.username, _issuer())


def _issuer() -> str:
    return current_app.config["SITE_NAME"]


@blueprint.route("/second-factor", methods=["GET", "POST"])
def second_factor():
    """Enrol an authenticator app: its QR code and key, then a code it shows to confirm."""
    member = current_user.member
    if member.second_factor:
        return render_template("admin/second_factor.html", member=member, enrolled=True)
    form = CodeForm()
    errors = problems(form, _) if form.is_submitted() else {}
    if form.is_submitted() and not errors:
        token = accounts.enrol(
            wiring.db.session(), current_user.token, form.code.data, _address(), wiring.db.now()
        )
        if token:
            _start(token)
            flash(_("两步验证已启用。以后每次登录都需要输入验证器应用显示的验证码。"))
            return redirect(url_for("admin.home"))
        errors = {"code": _("验证码不正确。请输入验证器应用当前显示的 6 位数字。")}
    secret = accounts.pending_secret(wiring.db.session(), member.id)
    status = 400 if errors else 200
    return render_template(
        "admin/second_factor.html",
        member=member,
        enrolled=False,
        form=form,
        errors=errors,
        secret=accounts.grouped(secret),
        uri=accounts.provisioning_uri(secret, member.username, _issuer()),
    ), status


@blueprint.route("/second-factor/qr.svg")
def second_factor_qr():
    """The QR code of the authenticator being enrolled (never of one already enrolled)."""
    if current_user.member.second_factor:
        abort(404)
    return Response(qr_svg(_enrolment_uri()), mimetype="image/svg+xml")
