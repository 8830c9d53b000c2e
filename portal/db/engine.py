"""Opening the database named by DATABASE_URL: SQLite by default (a file that is made with its
folder), PostgreSQL or any other SQLAlchemy URL when set."""

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# How long an SQLite connection waits for another's write lock before giving up.
SQLITE_BUSY_SECONDS = 5


class DatabaseUnavailable(Exception):
    """The database cannot be opened or used now; the message says which and why (never its
    password)."""


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


def make_engine(url: str, create_folder: bool = False) -> Engine:
    """An engine for url. SQLite gets foreign keys, WAL and a busy timeout, and transactions
    that take the write lock when they begin (BEGIN IMMEDIATE): a transaction that reads, then
    writes, would otherwise fail at once when another wrote in between. With create_folder, the
    folder of an SQLite file is made."""
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
    try:
        engine = create_engine(parsed)
    except (ArgumentError, ImportError) as error:
        raise DatabaseUnavailable(f"{shown(url)}: {error}") from error
    if parsed.get_backend_name() == "sqlite":
        _sqlite_settings(engine)
    return engine


def _sqlite_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, _record):
        # The driver's own transaction handling is turned off so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
