"""Applications in one SQLite file, with the rate limits that protect the form: WAL, a short
busy timeout on a visitor's request, one transaction per call, and the schema brought up to
date (SCHEMA_VERSION, in PRAGMA user_version) by whoever opens the file first."""

import datetime
import hashlib
import hmac
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from portal.applications.rules import (
    OUTCOMES,
    PERSONAL,
    WORKING_DAYS_EXTENSION,
    WORKING_DAYS_TO_REPLY,
    Application,
    ApplicationError,
    digits,
    new_code,
    normalise_code,
    reply_due,
    today,
)
from portal.workflow import add_working_days

# --- Storage ----------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (
    code TEXT PRIMARY KEY,
    received TEXT NOT NULL,
    organisation TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    name TEXT, id_type TEXT, id_number TEXT, phone TEXT, email TEXT, address TEXT,
    description TEXT, title TEXT, doc_number TEXT, index_number TEXT,
    form TEXT NOT NULL,
    delivery TEXT NOT NULL,
    due TEXT NOT NULL,
    calendar_known INTEGER NOT NULL,
    correction_requested TEXT,
    corrected TEXT,
    extended INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    replied TEXT,
    purged TEXT,
    CHECK ((outcome IS NULL) = (replied IS NULL))
);
CREATE INDEX IF NOT EXISTS applications_received ON applications (received);
CREATE TABLE IF NOT EXISTS attempts (
    scope TEXT NOT NULL,
    client TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_client ON attempts (scope, client, at);
"""
# The schema _SCHEMA creates. A file of an older version is brought up to it by the steps of
# _MIGRATIONS when it is opened (see _migrate); version 0 is every file made before
# applications named the body they are made to.
SCHEMA_VERSION = 1


class StoreUnavailable(Exception):
    """The database cannot be opened, read or written now: locked, missing, read-only or
    damaged. Nothing of the call that raised it was stored."""


class LimitReached(Exception):
    """The client has made as many attempts of this kind as the hour allows."""


# How long a call waits for another connection's write lock. On a visitor's request the worker
# serving it waits with it (and every request queued behind it), so the site waits briefly and
# answers 503: a submission's transaction takes 2 ms at the median and under 40 ms at worst
# here, so one second covers ten arriving at once. Staff commands can afford to wait for a
# backup or a purge to finish.
REQUEST_BUSY_TIMEOUT = 1.0
STAFF_BUSY_TIMEOUT = 30.0
RATE_WINDOW = 3600


class ApplicationStore:
    """Applications in one SQLite file: WAL, a busy timeout, one short transaction per call,
    so concurrent submissions from several workers are all stored.

    Only `create` makes the file. Every other call opens it as it is, so a database that was
    deleted or moved stays missing (StoreUnavailable) until it is restored, instead of being
    replaced by an empty one that a restored backup would later overwrite."""

    def __init__(
        self,
        path: Path | str,
        busy_timeout: float = STAFF_BUSY_TIMEOUT,
        *,
        default_organisation: str = "",
    ):
        """default_organisation: the body (DEFAULT_ORGANISATION) that applications stored
        before applications named one are given when the file is brought up to date."""
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.default_organisation = default_organisation

    def create(self) -> "ApplicationStore":
        """Create the database and its tables where they do not exist yet; returns the store."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"{self.path}: {error}") from error
        with self._connect(create=True) as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            if not _columns(db, "applications"):  # a new file: made in the current schema
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("COMMIT")
            self._migrate(db)
        return self

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        uri = f"{self.path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"{self.path}: {error}") from error
        try:
            db.execute("PRAGMA synchronous = FULL")
            db.row_factory = sqlite3.Row
            if not create:
                self._migrate(db)
            yield db
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a mistake in this module, not the database's state
        except sqlite3.DatabaseError as error:
            raise StoreUnavailable(f"{self.path}: {error}") from error
        finally:
            db.close()

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring a file of an older schema up to SCHEMA_VERSION, in one transaction: every
        worker and staff command that opens it may be first, and the others wait for the lock
        and find it done. A failed step leaves the file as it was."""
        version = _schema_version(db)
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{self.path}: its schema version {version} is newer than this portal's "
                f"({SCHEMA_VERSION}); run the portal that wrote it"
            )
        db.execute("BEGIN IMMEDIATE")
        try:
            for step in _MIGRATIONS[_schema_version(db) :]:
                step(db, self)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def submit(
        self,
        cleaned: Mapping[str, str],
        received: datetime.date,
        *,
        client: str | None = None,
        limit: int | None = None,
    ) -> Application:
        """Store a validated application received on `received`; returns it with its code.

        With a client and a limit, the client's submissions of the last hour are counted and
        this one recorded in the same transaction as the application: LimitReached (nothing
        stored) once the client has used the limit up, however many submit at once. The
        application returned is read back inside that transaction, so an application is
        either stored and returned, or the call raises and nothing is stored."""
        due, known = reply_due(received)
        record = {name: cleaned.get(name) or None for name in PERSONAL}
        record.update(
            received=received.isoformat(),
            organisation=cleaned["organisation"],
            applicant_kind=cleaned["applicant_kind"],
            form=cleaned["form"],
            delivery=cleaned["delivery"],
            due=due.isoformat(),
            calendar_known=int(known),
        )
        names = ", ".join(["code", *record])
        marks = ", ".join("?" for _ in range(len(record) + 1))
        with self._transaction() as db:
            if client is not None and limit is not None:
                _take_attempt(db, "submit", client, limit)
            for _attempt in range(5):
                code = new_code()
                try:
                    db.execute(
                        f"INSERT INTO applications ({names}) VALUES ({marks})",
                        (code, *record.values()),
                    )
                except sqlite3.IntegrityError:
                    continue  # the random code was taken: draw another
                row = db.execute("SELECT * FROM applications WHERE code = ?", (code,)).fetchone()
                return Application(**dict(row))
            raise RuntimeError("could not draw an unused tracking code")

    def get(self, code: str) -> Application | None:
        """The application with this code, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM applications WHERE code = ?", (normalise_code(code),)
            ).fetchone()
        return Application(**dict(row)) if row else None

    def all(self, organisation: str | None = None) -> list[Application]:
        """Every application, or every one made to a body (by id), oldest first."""
        where, arguments = ("WHERE organisation = ?", (organisation,)) if organisation else ("", ())
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM applications {where} ORDER BY received, code", arguments
            ).fetchall()
        return [Application(**dict(row)) for row in rows]

    def lookup(
        self, code: str, phone_last4: str, *, client: str | None = None, limit: int | None = None
    ) -> Application | None:
        """The application when the code and the last four digits of its phone both match.

        With a client and a limit, a lookup that matches nothing counts as one of the client's
        failures of the hour, in the same transaction that checked them: LimitReached once the
        client has used the limit up, even for the right code."""
        with self._transaction() as db:
            if client is not None and limit is not None:
                _check_attempts(db, "track", client, limit)
            row = db.execute(
                "SELECT * FROM applications WHERE code = ?", (normalise_code(code),)
            ).fetchone()
            found = Application(**dict(row)) if row else None
            if found is None or not _phone_ends_with(found.phone, phone_last4):
                if client is not None and limit is not None:
                    _record_attempt(db, "track", client)
                return None
        return found

    def update(
        self,
        code: str,
        *,
        correction_requested: datetime.date | None = None,
        corrected: datetime.date | None = None,
        extend: bool = False,
        outcome: str | None = None,
        replied: datetime.date | None = None,
    ) -> Application:
        """Record a staff action; ApplicationError when the rules do not allow it."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM applications WHERE code = ?", (normalise_code(code),)
            ).fetchone()
            if row is None:
                raise ApplicationError(f"no application with code {code}")
            app = Application(**dict(row))
            received = datetime.date.fromisoformat(app.received)
            changes: dict[str, object] = {}
            if app.outcome and (correction_requested or corrected or extend or outcome):
                raise ApplicationError("the application is already answered")
            if correction_requested:
                if correction_requested < received:
                    raise ApplicationError("the correction request cannot predate receipt")
                changes["correction_requested"] = correction_requested.isoformat()
            if corrected:
                if not (correction_requested or app.correction_requested):
                    raise ApplicationError("no correction was requested")
                # 第三十条: the reply period starts again from the corrected application.
                due, known = add_working_days(corrected, WORKING_DAYS_TO_REPLY)
                changes.update(
                    corrected=corrected.isoformat(), due=due.isoformat(), calendar_known=int(known)
                )
            if extend:
                if app.extended:
                    raise ApplicationError("the deadline was already extended once")
                base = datetime.date.fromisoformat(str(changes.get("due", app.due)))
                due, known = add_working_days(base, WORKING_DAYS_EXTENSION)
                changes.update(
                    extended=1,
                    due=due.isoformat(),
                    calendar_known=int(known and app.calendar_known),
                )
            if outcome or replied:
                if outcome not in OUTCOMES:
                    raise ApplicationError(
                        f"unknown outcome {outcome!r}; one of: {', '.join(OUTCOMES)}"
                    )
                replied = replied or today()
                if replied < received:
                    raise ApplicationError("the reply cannot predate receipt")
                changes.update(outcome=outcome, replied=replied.isoformat())
            if not changes:
                raise ApplicationError("nothing to update")
            assignments = ", ".join(f"{name} = ?" for name in changes)
            db.execute(
                f"UPDATE applications SET {assignments} WHERE code = ?",
                (*changes.values(), app.code),
            )
        return self.get(app.code)

    def due_within(
        self, days: int, on: datetime.date, organisation: str | None = None
    ) -> list[Application]:
        """Unanswered applications (to one body, if given) overdue or due within `days` days
        (the clock stops while a correction is awaited)."""
        limit = (on + datetime.timedelta(days=days)).isoformat()
        return [
            app
            for app in self.all(organisation)
            if app.status in ("received", "extended") and app.due <= limit
        ]

    def purge(self, retention_days: int, on: datetime.date) -> int:
        """Erase the personal fields of applications answered more than `retention_days` ago;
        the statistics (type, outcome, dates) stay. Returns how many were erased."""
        cutoff = (on - datetime.timedelta(days=retention_days)).isoformat()
        erase = ", ".join(f"{name} = NULL" for name in PERSONAL)
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE applications SET {erase}, purged = ? "
                "WHERE purged IS NULL AND replied IS NOT NULL AND replied < ?",
                (on.isoformat(), cutoff),
            )
            return cursor.rowcount


# --- Migrations ---------------------------------------------------------------------------------


def _schema_version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    """The columns of a table; none when it does not exist."""
    return [row["name"] for row in db.execute(f"PRAGMA table_info({table})")]


def _add_organisation(db: sqlite3.Connection, store: ApplicationStore) -> None:
    """Version 1: every application names the body it was made to; those stored before
    belong to the site's default body, the only one there was."""
    columns = _columns(db, "applications")
    if "organisation" in columns:
        return
    if columns and not store.default_organisation:
        raise ValueError("migrating an applications database needs the default organisation")
    # SQLite adds a NOT NULL column only with a constant default; the real value follows.
    db.execute("ALTER TABLE applications ADD COLUMN organisation TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE applications SET organisation = ?", (store.default_organisation,))


# _MIGRATIONS[n] brings a file of version n to version n + 1.
_MIGRATIONS = (_add_organisation,)
assert len(_MIGRATIONS) == SCHEMA_VERSION


def _phone_ends_with(phone: str | None, last4: str) -> bool:
    # ASCII digits only: hmac.compare_digest refuses other text, and "²³⁴⁵" is no phone number.
    if phone is None or not re.fullmatch(r"[0-9]{4}", last4 or ""):
        return False
    return hmac.compare_digest(digits(phone)[-4:], last4)


# Rate limits: attempts per client and hour, counted and recorded inside the caller's
# BEGIN IMMEDIATE transaction, so two workers cannot both see the last free attempt. The
# address is stored hashed and only for as long as the window lasts.


def _check_attempts(db: sqlite3.Connection, scope: str, client: str, limit: int) -> None:
    now = time.time()
    db.execute("DELETE FROM attempts WHERE at < ?", (now - RATE_WINDOW,))
    made = db.execute(
        "SELECT COUNT(*) FROM attempts WHERE scope = ? AND client = ?", (scope, _client_key(client))
    ).fetchone()[0]
    if made >= limit:
        raise LimitReached(scope)


def _record_attempt(db: sqlite3.Connection, scope: str, client: str) -> None:
    db.execute(
        "INSERT INTO attempts (scope, client, at) VALUES (?, ?, ?)",
        (scope, _client_key(client), time.time()),
    )


def _take_attempt(db: sqlite3.Connection, scope: str, client: str, limit: int) -> None:
    _check_attempts(db, scope, client, limit)
    _record_attempt(db, scope, client)


def _client_key(client: str) -> str:
    return hashlib.sha256(f"portal-rate:{client}".encode()).hexdigest()[:32]
