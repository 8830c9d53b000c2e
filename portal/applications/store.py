"""Applications in the platform's SQL database (portal.db: ApplicationRecord). The rate
limits that protect the forms are the web layer's (portal.wiring.limits, Flask-Limiter). The
schema is portal.db's (Alembic, `portal db upgrade`); this module never creates or changes
it."""

import dataclasses
import datetime
import hmac
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, ProgrammingError
from sqlalchemy.orm import Session

from portal import db
from portal.applications.handling import Action, changes
from portal.applications.records import application_of, record_of
from portal.applications.rules import (
    PERSONAL,
    Application,
    ApplicationError,
    digits,
    new_code,
    normalise_code,
    reply_due,
)


class StoreUnavailable(Exception):
    """The database cannot be opened, read or written now: locked, missing, read-only,
    damaged or not at the code's schema. Nothing of the call that raised it was stored."""


# What staff wrote about an application: it may name the applicant, so it is erased with the
# personal fields when the retention period ends (the reply's attachments are deleted).
STAFF_TEXT = ("correction_note", "reply_text")


@dataclasses.dataclass(frozen=True)
class CaseViewed:
    """One opening of a case: when, whether it was let in, by which account."""

    at: datetime.datetime
    allowed: bool
    username: str
    name: str


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file sent with a reply, checked (desk.upload_problem) before it gets here."""

    name: str
    content: bytes


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
        return self.act(
            code,
            Action(
                correction_requested=correction_requested,
                corrected=corrected,
                extend=extend,
                outcome=outcome,
                replied=replied,
            ),
        )

    def act(self, code: str, action: Action, attachments: Sequence[Upload] = ()) -> Application:
        """Record a staff action (with a reply, the files sent with it), in one transaction;
        ApplicationError when the rules do not allow it, and nothing is stored then."""
        with self._transaction() as session:
            record = session.get(db.ApplicationRecord, normalise_code(code), with_for_update=True)
            if record is None:
                raise ApplicationError(f"no application with code {code}")
            before = application_of(record)
            found = changes(before, action)
            updated = record_of(dataclasses.replace(before, **found))
            for name in found:
                setattr(record, name, getattr(updated, name))
            now = datetime.datetime.now(datetime.UTC)
            for upload in attachments:
                session.add(
                    db.ReplyAttachment(
                        code=record.code,
                        name=upload.name,
                        size=len(upload.content),
                        content=upload.content,
                        added_at=now,
                        added_by=action.replied_by,
                    )
                )
            return application_of(record)

    def received_between(
        self,
        organisations: Sequence[str],
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> list[Application]:
        """The applications made to these bodies, received from start to end (both included,
        either open), oldest first."""
        record = db.ApplicationRecord
        query = select(record).where(record.organisation.in_(list(organisations)))
        if start is not None:
            query = query.where(record.received >= start)
        if end is not None:
            query = query.where(record.received <= end)
        with self._transaction() as session:
            found = session.scalars(query.order_by(record.received, record.code))
            return [application_of(row) for row in found]

    def record_view(self, code: str, account: int, at: datetime.datetime, allowed: bool) -> None:
        """Note that an account opened (or, not allowed, tried to open) an application's case."""
        with self._transaction() as session:
            session.add(
                db.CaseView(code=normalise_code(code), account_id=account, at=at, allowed=allowed)
            )

    def views(self, code: str) -> list[CaseViewed]:
        """Who opened an application's case and when, the latest first."""
        query = (
            select(db.CaseView.at, db.CaseView.allowed, db.Account.username, db.Account.name)
            .join(db.Account, db.Account.id == db.CaseView.account_id)
            .where(db.CaseView.code == normalise_code(code))
            .order_by(db.CaseView.at.desc(), db.CaseView.id.desc())
        )
        with self._transaction() as session:
            return [CaseViewed(*row) for row in session.execute(query)]

    def attachments(self, code: str) -> list[tuple[int, str, int]]:
        """The files sent with an application's reply: (id, name, size), in the order added."""
        attachment = db.ReplyAttachment
        query = (
            select(attachment.id, attachment.name, attachment.size)
            .where(attachment.code == normalise_code(code))
            .order_by(attachment.id)
        )
        with self._transaction() as session:
            return [tuple(row) for row in session.execute(query)]

    def attachment(self, code: str, number: int) -> Upload | None:
        """A file sent with an application's reply, by its id; None when it has no such file."""
        with self._transaction() as session:
            found = session.get(db.ReplyAttachment, number)
            if found is None or found.code != normalise_code(code):
                return None
            return Upload(found.name, found.content)

    def account_name(self, account: int | None) -> str | None:
        """The username of an account (who recorded a reply), None for none."""
        if account is None:
            return None
        with self._transaction() as session:
            return session.scalar(select(db.Account.username).where(db.Account.id == account))

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
            codes = list(session.scalars(select(record.code).where(erase.whereclause)))
            session.execute(
                erase.values(purged=on, **dict.fromkeys(PERSONAL + STAFF_TEXT)),
                execution_options={"synchronize_session": False},
            )
            for chunk in range(0, len(codes), 500):
                session.execute(
                    delete(db.ReplyAttachment).where(
                        db.ReplyAttachment.code.in_(codes[chunk : chunk + 500])
                    )
                )
            return len(codes)


def _phone_ends_with(phone: str | None, last4: str) -> bool:
    # ASCII digits only: hmac.compare_digest refuses other text, and "²³⁴⁵" is no phone number.
    if phone is None or not re.fullmatch(r"[0-9]{4}", last4 or ""):
        return False
    return hmac.compare_digest(digits(phone)[-4:], last4)
