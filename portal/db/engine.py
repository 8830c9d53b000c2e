"""Opening the database named by DATABASE_URL: SQLite by default (a file that is made with its
folder), PostgreSQL or any other SQLAlchemy URL when set."""

import hashlib
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

# How long a statement waits for another transaction's lock before it gives up. On a visitor's
# request the worker serving it waits with it (and every request queued behind it), so the site
# waits briefly and answers 503: a submission's transaction takes 2 ms at the median and under
# 40 ms at worst here, so one second covers ten arriving at once. Staff commands can afford to
# wait for a backup or a purge to finish.
REQUEST_LOCK_WAIT = 1.0
COMMAND_LOCK_WAIT = 30.0


class DatabaseUnavailable(Exception):
    """The database cannot be opened or used now; the message says which and why (never its
    password)."""


def unavailable_errors() -> tuple[type[Exception], ...]:
    """What using the database raises when it is down, missing or unreadable: callers that can
    go on without it (an error page, a count) catch these and nothing else."""
    from portal.db.migrate import SchemaBehind  # migrate imports this module

    return (SQLAlchemyError, DatabaseUnavailable, SchemaBehind)


def shown(url: str) -> str:
    """The URL as it may be printed or logged: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an URL SQLAlchemy cannot read)"


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL, None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(
    url: str,
    create_folder: bool = False,
    *,
    lock_wait: float = COMMAND_LOCK_WAIT,
    must_exist: bool = False,
) -> Engine:
    """An engine for url whose statements wait at most lock_wait seconds for a lock.

    SQLite gets foreign keys, WAL, and transactions that take the write lock when they begin
    (BEGIN IMMEDIATE): a transaction that reads, then writes, would otherwise fail at once when
    another wrote in between. Its connections are not pooled, so a file moved away is noticed
    by the next use, never written through a handle kept open. With create_folder, the folder
    of an SQLite file is made; with must_exist, a missing file is an error, never made empty
    (a restored backup would otherwise be overwritten by it)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUnavailable(f"DATABASE_URL is not a database URL: {error}") from None
    path = sqlite_file(url)
    if path is not None and create_folder:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(f"{shown(url)}: {error}") from error
    options: dict = {}
    if path is not None:
        options["poolclass"] = NullPool
    if parsed.get_backend_name() == "postgresql":
        options["connect_args"] = {"options": f"-c lock_timeout={round(lock_wait * 1000)}"}
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, ImportError, TypeError) as error:
        raise DatabaseUnavailable(f"{shown(url)}: {error}") from error
    if parsed.get_backend_name() == "sqlite":
        _sqlite_settings(engine, lock_wait, must_exist and path is not None)
    return engine


def _sqlite_settings(engine: Engine, lock_wait: float, must_exist: bool) -> None:
    if must_exist:

        @event.listens_for(engine, "do_connect")
        def do_connect(_dialect, _record, arguments, parameters):
            # mode=rw: open the file as it is; SQLite would otherwise make an empty one.
            arguments[0] = f"{Path(arguments[0]).absolute().as_uri()}?mode=rw"
            parameters["uri"] = True

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, _record):
        # The driver's own transaction handling is turned off so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {round(lock_wait * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def serialise(session: Session | Connection, name: str) -> None:
    """Hold a lock named `name` until the transaction ends: two transactions that take it run
    one after the other, so one can count rows and insert without another counting the same
    rows in between (READ COMMITTED would let both see the last free place). On SQLite the
    transaction already holds the database's write lock (BEGIN IMMEDIATE); on PostgreSQL it is
    an advisory lock, waited for no longer than the engine's lock wait."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return
    if dialect != "postgresql":
        raise DatabaseUnavailable(f"no transaction lock for the {dialect} database")
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
