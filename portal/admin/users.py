"""Who is signed in, for Flask-Login: the session token in the cookie is the "user id" Flask-Login
keeps (its documented alternative-token pattern), and loading it asks portal.accounts whether
the session is still open, so a timed-out, signed-out or disabled session is no one."""

from flask import Flask, current_app
from flask_login import LoginManager, UserMixin

from portal import accounts, db, wiring

login_manager = LoginManager()
POLICY = "portal.admin.policy"


class SignedIn(UserMixin):
    """The signed-in member of staff and the token of their session."""

    def __init__(self, member: accounts.StaffMember, token: str):
        self.member = member
        self.token = token

    def get_id(self) -> str:
        """The session token, which Flask-Login keeps in the signed cookie."""
        return self.token


@login_manager.user_loader
def load(token: str) -> SignedIn | None:
    """The session's member of staff, or None when the token opens no session now.

    With the database unavailable nobody is signed in: the 503 page that says so is drawn
    signed out instead of failing again while drawing its header."""
    try:
        member = accounts.signed_in(wiring.db.session(), token, policy(), wiring.db.now())
    except db.unavailable_errors() as error:
        current_app.logger.warning("sessions cannot be read: %s", error)
        return None
    return SignedIn(member, token) if member else None


def policy() -> accounts.Policy:
    """The sign-in policy of the running app, from its settings."""
    return current_app.extensions[POLICY]


def init_app(app: Flask) -> None:
    """Flask-Login on the app: no "remember me" cookie and no IP binding (the server's sessions
    time out), sign-in by the back office's own guard."""
    app.extensions[POLICY] = accounts.Policy.from_settings(app.config)
    login_manager.session_protection = None
    login_manager.init_app(app)
