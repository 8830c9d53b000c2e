"""The one check every back-office request passes, whatever blueprint or route it reaches, so
a new page cannot be left open by forgetting a decorator: it runs before every request on a
back-office path (portal.admin.cookies.in_back_office), and tests/admin/test_guard.py walks the
URL map to prove that every /admin rule answers 302 to the sign-in page or 403 when signed out.

In order: plain HTTP from anywhere but this machine is refused (the cookie is Secure); the
database must be at the code's revision (else 503 saying what to run); a public endpoint (the
sign-in steps) passes with its CSRF token checked; otherwise the visitor must be signed in
(GET: 302 to the sign-in page; any other method: 403), every POST must carry its CSRF token,
and an account that must change its password or enrol an authenticator reaches nothing else
until it has."""

import ipaddress
from urllib.parse import urlsplit

from flask import Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from portal import wiring
from portal.admin.cookies import in_back_office
from portal.web import refusal

csrf = CSRFProtect()

# Endpoints that answer without a session: the sign-in steps.
PUBLIC = frozenset({"admin.sign_in", "admin.sign_in_code"})
# What an account may reach while its password must be changed or its authenticator enrolled.
SETTING_UP = frozenset(
    {"admin.password", "admin.second_factor", "admin.second_factor_qr", "admin.sign_out"}
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _local(host: str) -> bool:
    """Whether a Host header names this machine (plain HTTP is allowed there, for `make run`)."""
    try:
        name = urlsplit(f"//{host}").hostname or ""
    except ValueError:
        return False
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check() -> Response | None:
    """The before-request check of the back office (nothing on other paths)."""
    if not in_back_office(request.path):
        return None
    if not request.is_secure and not _local(request.host):
        raise refusal(
            403,
            _(
                "管理后台只能通过 HTTPS 访问（本机调试时可用 127.0.0.1 或 localhost）。"
                "请改用 https:// 开头的地址。"
            ),
        )
    wiring.db.require_current()
    unsafe = request.method not in SAFE_METHODS
    if request.endpoint in PUBLIC:
        if unsafe:
            csrf.protect()
        return None
    if not current_user.is_authenticated:
        return _signed_out(unsafe)
    if unsafe:
        csrf.protect()
    member = current_user.member
    if request.endpoint in SETTING_UP:
        return None
    if member.temporary_until is not None:
        return redirect(url_for("admin.password"))
    if member.needs_second_factor and not member.second_factor:
        return redirect(url_for("admin.second_factor"))
    return None


def _signed_out(unsafe: bool) -> Response:
    if session.pop("_user_id", None) is not None:
        # The cookie named a session the server no longer has: timed out or ended elsewhere.
        session.clear()
        flash(_("您的登录已结束（长时间未操作、已超过最长登录时间，或已在别处退出）。请重新登录。"))
    if unsafe:
        raise refusal(403, _("请先登录管理后台。"))
    wanted = request.script_root + request.full_path.rstrip("?")
    return redirect(url_for("admin.sign_in", next=wanted))


def private(response: Response) -> Response:
    """A back-office answer is personal: no cache may keep it, no search engine index it (an
    after-request hook, declared in portal.web.pipeline after the validators, whose public
    Cache-Control it replaces)."""
    if in_back_office(request.path):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers.pop("ETag", None)
    return response
