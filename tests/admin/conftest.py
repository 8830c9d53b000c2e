"""Fixtures of the back-office tests: the app over an upgraded database with a clock the test
moves (timeouts and lockouts are tested without waiting), accounts with known passwords, and
signing in through the real form, CSRF token and all."""

import datetime
import re

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal import accounts, db, wiring
from portal.accounts import code_at

START = datetime.datetime(2026, 12, 1, 1, 0, tzinfo=datetime.UTC)
PASSWORD = "correct horse battery staple"
ORGANISATION = "lingwu-kjj"  # the fixture site's one (implicit) body, DEFAULT_ORGANISATION


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: datetime.datetime = START):
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta) -> None:
        """Move the clock on by a timedelta's keywords (minutes=31)."""
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """The app's clock."""
    return Clock()


@pytest.fixture
def app(app, clock):
    """The site with its back-office database upgraded and the test's clock."""
    engine = db.make_engine(app.config["DATABASE_URL"])
    if db.sqlite_file(app.config["DATABASE_URL"]) is None:  # a shared server: start empty
        db.Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.upgrade(engine)
    engine.dispose()
    app.extensions[wiring.db.CLOCK] = clock
    yield app
    app.extensions[wiring.db.EXTENSION].get().dispose()


@pytest.fixture
def another_app(app):
    """Make another app on the same database and clock (another worker, a restarted site, one
    behind a proxy): another_app(PROXY_COUNT=1). Its engine is closed after the test."""
    from portal import create_app

    made = []

    def make(**overrides):
        other = create_app({**app.config, **overrides})
        other.extensions[wiring.db.CLOCK] = app.extensions[wiring.db.CLOCK]
        made.append(other)
        return other

    yield make
    for other in made:
        other.extensions[wiring.db.EXTENSION].get().dispose()


@pytest.fixture
def database(app):
    """A session on the app's database, as a script would open one."""
    engine = db.make_engine(app.config["DATABASE_URL"])
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def staff(database, clock):
    """Make an account with PASSWORD (not a temporary one): staff("zhang", ("初审",)).
    Roles are names or aliases in ORGANISATION (管理员 on the platform)."""

    def make(username: str, roles=(), *, second_factor: str | None = None, temporary=False):
        member, temporary_password = accounts.add_account(
            database,
            username,
            username.title(),
            [(role, "" if role in ("管理员", "admin") else ORGANISATION) for role in roles],
            [ORGANISATION],
            clock(),
        )
        if temporary:
            return temporary_password
        values = {"password_hash": accounts.hash_password(PASSWORD), "temporary_until": None}
        if second_factor:
            values["totp_secret"] = second_factor
        database.execute(update(db.Account).where(db.Account.id == member.id).values(**values))
        database.commit()
        database.expire_all()  # the rows as the update left them, for tests that read them
        return PASSWORD

    return make


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on a back-office page (which sets the session cookie)."""
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client, username: str, password: str = PASSWORD, **environ):
    """Post the sign-in form as a browser would; returns the response."""
    token = csrf_token(client, "/admin/sign-in")
    return client.post(
        "/admin/sign-in",
        data={"csrf_token": token, "username": username, "password": password, "next": ""},
        environ_base=environ,
    )


def enter_code(client, secret: str, now: datetime.datetime):
    """Post the code step with the code an authenticator shows at now."""
    token = csrf_token(client, "/admin/sign-in/code")
    return client.post(
        "/admin/sign-in/code", data={"csrf_token": token, "code": code_at(secret, now)}
    )


def post(client, path: str, form_page: str | None = None, **data):
    """Post a back-office form with the CSRF token of the page that shows it."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={"csrf_token": token, **data})


@pytest.fixture
def staff_in(database, clock):
    """Make an account with PASSWORD holding (role, organisation) pairs in any bodies of the
    site (the county fixture's too): staff_in("wang", [("初审", "example-town")])."""

    def make(username: str, pairs, *, second_factor: str | None = None) -> str:
        member, _temporary = accounts.add_account(
            database, username, username.title(), pairs, sorted({o for _r, o in pairs}), clock()
        )
        values = {"password_hash": accounts.hash_password(PASSWORD), "temporary_until": None}
        if second_factor:
            values["totp_secret"] = second_factor
        database.execute(update(db.Account).where(db.Account.id == member.id).values(**values))
        database.commit()
        return PASSWORD

    return make
