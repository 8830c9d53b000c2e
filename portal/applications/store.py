"""Applications in the platform's SQL database (portal.db: ApplicationRecord). The rate
limits that protect the forms are the web layer's (portal.wiring.limits, Flask-Limiter). The
schema is portal.db's (Alembic, `portal db upgrade`); this module never creates or changes
it."""

import dataclasses
import datetime
import hmac
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, ProgrammingError
from sqlalchemy.orm import Session

from portal import db
from portal.applications.records import application_of, record_of
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


class StoreUnavailable(Exception):
    """The database cannot be opened, read or written now: locked, missing, read-only,
    damaged or not at the code's schema. Nothing of the call that raised it was stored."""


# Tries at a free tracking code before giving up: with 31**12 codes, a second is already
# unlikely for as long as the platform runs.
CODE_DRAWS = 5


class ApplicationStore:
    """Applications in the SQL database of an engine: one short transaction per call, so
    concurrent submissions from several workers and nodes are all stored.

    The engine decides how long a call waits for a lock (db.REQUEST_LOCK_WAIT on a visitor's
    request) and, for SQLite, that a missing file stays missing (StoreUnavailable) until it
    is restored instead of being replaced by an empty one."""

    def __init__(self, engine: Engine, *, draw_code: Callable[[], str] = new_code):
        """draw_code: where tracking codes come from (random ones; a test gives taken ones)."""
        self.engine = engine
        self.draw_code = draw_code

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A session in one transaction, committed when the block ends without an error; a
        database that cannot be used now is StoreUnavailable, a mistake in this module's SQL
        stays what it is (a 500 is right for it)."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except (IntegrityError, ProgrammingError, InterfaceError):
            raise
        except DBAPIError as error:
            raise StoreUnavailable(f"{db.shown(str(self.engine.url))}: {error.orig}") from error
        except db.DatabaseUnavailable as error:
            raise StoreUnavailable(str(error)) from error

    def submit(self, cleaned: Mapping[str, str], received: datetime.date) -> Application:
        """Store a validated application received on `received`; returns it with its code.
        An application is either stored and returned, or the call raises and nothing is
        stored. (How many a client may submit is the web layer's rate limit.)"""
        due, known = reply_due(received)
        values = {name: cleaned.get(name) or None for name in PERSONAL}
        values.update(
            received=received.isoformat(),
            organisation=cleaned["organisation"],
            applicant_kind=cleaned["applicant_kind"],
            form=cleaned["form"],
            delivery=cleaned["delivery"],
            due=due.isoformat(),
            calendar_known=int(known),
        )
        with self._transaction() as session:
            for _draw in range(CODE_DRAWS):
                application = Application(code=self.draw_code(), **values)
                try:
                    with session.begin_nested():  # a taken code undoes this insert only
                        session.add(record_of(application))
                except IntegrityError:
                    if session.get(db.ApplicationRecord, application.code) is None:
                        raise  # not the code: a rule of the table this module broke
                    continue
                return application
            raise RuntimeError("could not draw an unused tracking code")

    def get(self, code: str) -> Application | None:
        """The application with this code, or None."""
        with self._transaction() as session:
            record = session.get(db.ApplicationRecord, normalise_code(code))
            return application_of(record) if record else None

    def all(self, organisation: str | None = None) -> list[Application]:
        """Every application, or every one made to a body (by id), oldest first."""
        query = select(db.ApplicationRecord).order_by(
            db.ApplicationRecord.received, db.ApplicationRecord.code
        )
        if organisation:
            query = query.where(db.ApplicationRecord.organisation == organisation)
        with self._transaction() as session:
            return [application_of(record) for record in session.scalars(query)]

    def lookup(self, code: str, phone_last4: str) -> Application | None:
        """The application when the code and the last four digits of its phone both match.
        (How many failed lookups a client may make is the web layer's rate limit.)"""
        with self._transaction() as session:
            record = session.get(db.ApplicationRecord, normalise_code(code))
            found = application_of(record) if record else None
        if found is None or not _phone_ends_with(found.phone, phone_last4):
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
        with self._transaction() as session:
            record = session.get(db.ApplicationRecord, normalise_code(code))
            if record is None:
                raise ApplicationError(f"no application with code {code}")
            before = application_of(record)
            changes = _changes(before, correction_requested, corrected, extend, outcome, replied)
            updated = record_of(dataclasses.replace(before, **changes))
            for name in changes:
                setattr(record, name, getattr(updated, name))
            return application_of(record)

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
        record = db.ApplicationRecord
        erase = update(record).where(
            record.purged.is_(None),
            record.replied.is_not(None),
            record.replied < on - datetime.timedelta(days=retention_days),
        )
        with self._transaction() as session:
            result = session.execute(
                erase.values(purged=on, **dict.fromkeys(PERSONAL)),
                execution_options={"synchronize_session": False},
            )
            return result.rowcount


def _changes(
    app: Application,
    correction_requested: datetime.date | None,
    corrected: datetime.date | None,
    extend: bool,
    outcome: str | None,
    replied: datetime.date | None,
) -> dict[str, object]:
    """The fields a staff action changes, as Application holds them; ApplicationError when
    the rules do not allow it."""
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
            extended=1, due=due.isoformat(), calendar_known=int(known and app.calendar_known)
        )
    if outcome or replied:
        if outcome not in OUTCOMES:
            raise ApplicationError(f"unknown outcome {outcome!r}; one of: {', '.join(OUTCOMES)}")
        replied = replied or today()
        if replied < received:
            raise ApplicationError("the reply cannot predate receipt")
        changes.update(outcome=outcome, replied=replied.isoformat())
    if not changes:
        raise ApplicationError("nothing to update")
    return changes


def _phone_ends_with(phone: str | None, last4: str) -> bool:
    # ASCII digits only: hmac.compare_digest refuses other text, and "²³⁴⁵" is no phone number.
    if phone is None or not re.fullmatch(r"[0-9]{4}", last4 or ""):
        return False
    return hmac.compare_digest(digits(phone)[-4:], last4)
