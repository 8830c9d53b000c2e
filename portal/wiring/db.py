"""The back office's database in the running site: one engine per worker process (made on
first use in the process, so none is inherited across gunicorn's fork), one SQLAlchemy session
per request (closed when the request ends), the clock the back office reads, and the check
that the schema is at the code's revision. The site never migrates: `portal db upgrade` does
(run by `make run`), once, before the site starts; until then the back office and the
application form answer 503 with the command to run, and the rest of the public site is
untouched."""

import datetime
import os
import threading
from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from portal import db

EXTENSION = "portal.db"
CLOCK = "portal.clock"


class _Database:
    """The engine of this process and whether its schema was found current."""

    def __init__(self, url: str):
        self.url = url
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.engine: Engine | None = None
        self.current = False

    def get(self) -> Engine:
        with self.lock:
            if self.pid != os.getpid():
                # A pool's connections must not cross a fork: the child makes its own engine.
                # A visitor's request waits briefly for a lock; a missing SQLite file stays
                # missing until it is restored (only `portal db upgrade` makes one).
                self.engine = db.make_engine(
                    self.url, lock_wait=db.REQUEST_LOCK_WAIT, must_exist=True
                )
                self.pid, self.current = os.getpid(), False
            return self.engine


def init_app(app: Flask) -> None:
    """Give the app its database (opened on first use) and the clock (the real one)."""
    app.extensions[EXTENSION] = _Database(app.config["DATABASE_URL"])
    app.extensions.setdefault(CLOCK, lambda: datetime.datetime.now(datetime.UTC))
    app.teardown_appcontext(_close)


def engine(app: Flask | None = None) -> Engine:
    """This process's engine for the app's DATABASE_URL."""
    return (app or current_app).extensions[EXTENSION].get()


def require_current() -> None:
    """Return when the schema is at the code's revision (checked once per process until it
    is); db.SchemaBehind or db.DatabaseUnavailable otherwise."""
    database = current_app.extensions[EXTENSION]
    found = database.get()
    if not database.current:
        db.require_current(found)
        database.current = True


def session() -> Session:
    """The request's database session (made on first use, closed at the end of the request)."""
    if "portal_db_session" not in g:
        g.portal_db_session = Session(engine(), expire_on_commit=False)
    return g.portal_db_session


def _close(_error=None) -> None:
    found = g.pop("portal_db_session", None)
    if found is not None:
        found.close()


def now() -> datetime.datetime:
    """The moment, by the app's clock (tests give the app another: extensions[CLOCK])."""
    clock: Callable[[], datetime.datetime] = current_app.extensions[CLOCK]
    return clock()
