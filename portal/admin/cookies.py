"""The back office's session cookie: Flask's signed cookie session, opened and written only on
back-office paths, and scoped to them (Path=/admin and /en/admin, written together so that
switching language keeps one signed-in session), Secure, HttpOnly, SameSite=Strict, and gone
when the browser closes. The public site never reads or sets it, so its pages stay the same for
everyone and cacheable."""

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from portal.web import i18n

PREFIX = "/admin"
COOKIE = "portal_admin"


def in_back_office(path: str) -> bool:
    """Whether a path (without the language prefix, as Flask routes it) is the back office's."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def cookie_paths() -> list[str]:
    """Every path the cookie is written for: the back office in each language."""
    root = i18n.site_root()
    return [root + PREFIX] + [f"{root}/{prefix}{PREFIX}" for prefix in i18n.PREFIXES.values()]


class BackOfficeSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, for back-office requests only."""

    def open_session(self, app: Flask, req: Request):
        """The session of a back-office request; None (Flask's null session, never written)
        on every other path."""
        if not in_back_office(req.path):
            return None
        return super().open_session(app, req)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Write or delete the cookie on every back-office path, as Flask would on one."""
        options = {
            "domain": self.get_cookie_domain(app),
            "secure": True,
            "httponly": True,
            "samesite": "Strict",
        }
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                for path in cookie_paths():
                    response.delete_cookie(COOKIE, path=path, **options)
                response.vary.add("Cookie")
            return
        if not self.should_set_cookie(app, session):
            return
        value = self.get_signing_serializer(app).dumps(dict(session))
        for path in cookie_paths():
            # No expiry: a session cookie, gone when the browser closes; the server ends the
            # session itself after SESSION_IDLE_MINUTES or SESSION_MAX_HOURS.
            response.set_cookie(COOKIE, value, path=path, **options)
        response.vary.add("Cookie")

    def get_cookie_name(self, app: Flask) -> str:
        return COOKIE


def on_request_path() -> bool:
    """Whether the current request is a back-office one."""
    return in_back_office(request.path)
