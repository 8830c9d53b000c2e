"""Online disclosure applications (依申请公开): what an application must contain (条例 第二十九条),
its deadline (第三十三条: 20 working days, once extended by 20), storage in SQLite, and table 3
of the annual report computed from the records.

No Flask here: the blueprint and the `portal applications` commands both call these functions.
Messages are Chinese msgids marked with N_; the caller translates them.
"""

import datetime
import hashlib
import hmac
import io
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

from stdnum.cn import ric, uscc

from portal import csv_cells
from portal.reports import TABLE3_COLUMNS, TABLE3_ROWS, Report, make_report
from portal.text import N_
from portal.workflow import CHINA, add_working_days

WORKING_DAYS_TO_REPLY = 20
WORKING_DAYS_EXTENSION = 20

APPLICANT_KINDS = {
    "person": N_("公民（自然人）"),
    "business": N_("法人或其他组织：商业企业"),
    "research": N_("法人或其他组织：科研机构"),
    "nonprofit": N_("法人或其他组织：社会公益组织"),
    "legal": N_("法人或其他组织：法律服务机构"),
    "other": N_("法人或其他组织：其他"),
}
ID_TYPES = {
    "ric": N_("居民身份证"),
    "passport": N_("护照"),
    "hk_macau": N_("港澳居民来往内地通行证"),
    "taiwan": N_("台湾居民来往大陆通行证"),
    "foreign_permanent": N_("外国人永久居留身份证"),
    "other": N_("其他有效身份证件"),
}
FORMS = {"paper": N_("纸质"), "electronic": N_("电子")}
DELIVERIES = {"post": N_("邮寄"), "email": N_("电子邮件"), "collect": N_("当面领取")}
# The outcomes are exactly the result rows of table 3 (三、本年度办理结果).
OUTCOMES = {row.key: row.label for row in TABLE3_ROWS
            if row.key not in ("new", "carried_over", "total", "carried_forward")}
STATUSES = {
    "received": N_("已收到，正在办理"),
    "correction": N_("已告知补正，等待申请人补正"),
    "extended": N_("已延长答复期限"),
    "answered": N_("已答复"),
}

LIMITS = {"name": 100, "id_number": 40, "uscc": 18, "phone": 20, "email": 254, "address": 300,
          "description": 2000, "title": 200, "doc_number": 100, "index_number": 100}
# Personal fields: erased after the retention period, never in the CSV export (id_number).
PERSONAL = ("name", "id_type", "id_number", "phone", "email", "address", "description", "title",
            "doc_number", "index_number")
# No 0/O, 1/I/L: a code read out over the phone or copied from paper cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ApplicationError(Exception):
    """A staff action the rules do not allow; the message says why."""


@dataclass
class Application:
    """One application as stored: the applicant, the request, and how it was handled."""

    code: str
    received: str
    applicant_kind: str
    name: str | None
    id_type: str | None
    id_number: str | None
    phone: str | None
    email: str | None
    address: str | None
    description: str | None
    title: str | None
    doc_number: str | None
    index_number: str | None
    form: str
    delivery: str
    due: str
    calendar_known: int
    correction_requested: str | None = None
    corrected: str | None = None
    extended: int = 0
    outcome: str | None = None
    replied: str | None = None
    purged: str | None = None

    @property
    def status(self) -> str:
        """received, correction, extended or answered (keys of STATUSES)."""
        if self.outcome:
            return "answered"
        if self.correction_requested and not self.corrected:
            return "correction"
        return "extended" if self.extended else "received"

    @property
    def masked_id(self) -> str:
        """The ID number or credit code with its middle hidden: 1101**********1234."""
        return mask(self.id_number or "")


COLUMNS = tuple(f.name for f in fields(Application))


def today() -> datetime.date:
    """Today in China, where the deadlines run."""
    return datetime.datetime.now(CHINA).date()


def mask(number: str) -> str:
    """Keep the first four and last four characters of a long number, hide the rest."""
    if len(number) > 8:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    return "*" * max(len(number) - 2, 0) + number[-2:]


def new_code() -> str:
    """A random tracking code (查询码) of unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """The code in groups of four, as shown to people: ABCD-EFGH-JKMN."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """What a person typed as a code, without spaces or dashes, upper-case."""
    return re.sub(r"[\s-]", "", text or "").upper()


def reply_due(received: datetime.date) -> tuple[datetime.date, bool]:
    """The reply deadline: 20 working days counted from the day after receipt, and whether
    the holiday calendar covered every day counted."""
    return add_working_days(received, WORKING_DAYS_TO_REPLY)


# --- The form ---------------------------------------------------------------------------------


def validate(form: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    """The cleaned application fields, and a message per field that is wrong (N_ msgids)."""
    value = {name: _CONTROL.sub("", (form.get(name) or "")).strip()
             for name in ("applicant_kind", "name", "id_type", "id_number", "uscc", "phone",
                          "email", "address", "description", "title", "doc_number",
                          "index_number", "form", "delivery")}
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(value[name]) > limit and name not in ("id_number", "uscc"):
            errors[name] = N_("内容过长，请精简。")
    kind = value["applicant_kind"]
    if kind not in APPLICANT_KINDS:
        errors["applicant_kind"] = N_("请选择申请人类型。")
    if not value["name"]:
        errors.setdefault("name", N_("请填写姓名或者名称。"))
    cleaned = {"applicant_kind": kind, "name": value["name"]}
    if kind == "person":
        id_type, number = value["id_type"], value["id_number"]
        if id_type not in ID_TYPES:
            errors["id_type"] = N_("请选择证件类型。")
        if not number:
            errors["id_number"] = N_("请填写证件号码。")
        elif id_type == "ric":
            try:
                number = ric.validate(number.upper())
            except ric.InvalidChecksum:
                errors["id_number"] = N_("身份证号码的校验位不对，请核对每一位。")
            except ric.InvalidComponent:
                errors["id_number"] = N_("身份证号码中的出生日期或地区代码不对，请核对。")
            except ric.ValidationError:
                errors["id_number"] = N_("身份证号码应为18位，前17位是数字，最后一位是数字或X。")
        elif len(number) > LIMITS["id_number"]:
            errors["id_number"] = N_("证件号码过长，请核对。")
        cleaned.update(id_type=id_type, id_number=number)
    elif kind in APPLICANT_KINDS:
        code = value["uscc"].upper().replace(" ", "")
        try:
            code = uscc.validate(code) if code else ""
        except uscc.InvalidChecksum:
            errors["uscc"] = N_("统一社会信用代码的校验位不对，请核对每一位。")
        except uscc.ValidationError:
            errors["uscc"] = N_("统一社会信用代码应为18位数字或大写字母。")
        if not code and "uscc" not in errors:
            errors["uscc"] = N_("请填写统一社会信用代码。")
        cleaned.update(id_type="uscc", id_number=code)
    phone = value["phone"]
    if not phone:
        errors["phone"] = N_("请填写联系电话。")
    elif not _PHONE.match(phone) or len(_digits(phone)) < 7:
        errors["phone"] = N_("联系电话只能包含数字、空格、短横线，可以“+”开头，至少7位数字。")
    if value["email"] and "email" not in errors and not _EMAIL.match(value["email"]):
        errors["email"] = N_("电子邮箱的格式不对，例如 name@example.com。")
    if not value["description"]:
        errors.setdefault("description", N_("请描述您需要的政府信息。"))
    if value["form"] not in FORMS:
        errors["form"] = N_("请选择信息的提供形式。")
    delivery = value["delivery"]
    if delivery not in DELIVERIES:
        errors["delivery"] = N_("请选择获取信息的方式。")
    elif delivery == "post" and not value["address"]:
        errors.setdefault("address", N_("选择邮寄时，请填写通信地址。"))
    elif delivery == "email" and not value["email"]:
        errors.setdefault("email", N_("选择电子邮件时，请填写电子邮箱。"))
    for name in ("phone", "email", "address", "description", "title", "doc_number",
                 "index_number", "form", "delivery"):
        cleaned[name] = value[name]
    return cleaned, errors


def _digits(text: str) -> str:
    # ASCII only: str.isdigit() also passes ² and ١, which hmac.compare_digest refuses.
    return re.sub("[^0-9]", "", text)


# --- Storage ----------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (
    code TEXT PRIMARY KEY,
    received TEXT NOT NULL,
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

    def __init__(self, path: Path | str, busy_timeout: float = STAFF_BUSY_TIMEOUT):
        self.path = Path(path)
        self.busy_timeout = busy_timeout

    def create(self) -> "ApplicationStore":
        """Create the database and its tables where they do not exist yet; returns the store."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"{self.path}: {error}") from error
        with self._connect(create=True) as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(_SCHEMA)
        return self

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        uri = f"{self.path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout,
                                 isolation_level=None)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"{self.path}: {error}") from error
        try:
            db.execute("PRAGMA synchronous = FULL")
            db.row_factory = sqlite3.Row
            yield db
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a mistake in this module, not the database's state
        except sqlite3.DatabaseError as error:
            raise StoreUnavailable(f"{self.path}: {error}") from error
        finally:
            db.close()

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

    def submit(self, cleaned: Mapping[str, str], received: datetime.date, *,
               client: str | None = None, limit: int | None = None) -> Application:
        """Store a validated application received on `received`; returns it with its code.

        With a client and a limit, the client's submissions of the last hour are counted and
        this one recorded in the same transaction as the application: LimitReached (nothing
        stored) once the client has used the limit up, however many submit at once. The
        application returned is read back inside that transaction, so an application is
        either stored and returned, or the call raises and nothing is stored."""
        due, known = reply_due(received)
        record = {name: cleaned.get(name) or None for name in PERSONAL}
        record.update(received=received.isoformat(), applicant_kind=cleaned["applicant_kind"],
                      form=cleaned["form"], delivery=cleaned["delivery"],
                      due=due.isoformat(), calendar_known=int(known))
        names = ", ".join(["code", *record])
        marks = ", ".join("?" for _ in range(len(record) + 1))
        with self._transaction() as db:
            if client is not None and limit is not None:
                _take_attempt(db, "submit", client, limit)
            for _attempt in range(5):
                code = new_code()
                try:
                    db.execute(f"INSERT INTO applications ({names}) VALUES ({marks})",
                               (code, *record.values()))
                except sqlite3.IntegrityError:
                    continue  # the random code was taken: draw another
                row = db.execute("SELECT * FROM applications WHERE code = ?",
                                 (code,)).fetchone()
                return Application(**dict(row))
            raise RuntimeError("could not draw an unused tracking code")

    def get(self, code: str) -> Application | None:
        """The application with this code, or None."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM applications WHERE code = ?",
                             (normalise_code(code),)).fetchone()
        return Application(**dict(row)) if row else None

    def all(self) -> list[Application]:
        """Every application, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM applications ORDER BY received, code").fetchall()
        return [Application(**dict(row)) for row in rows]

    def lookup(self, code: str, phone_last4: str, *, client: str | None = None,
               limit: int | None = None) -> Application | None:
        """The application when the code and the last four digits of its phone both match.

        With a client and a limit, a lookup that matches nothing counts as one of the client's
        failures of the hour, in the same transaction that checked them: LimitReached once the
        client has used the limit up, even for the right code."""
        with self._transaction() as db:
            if client is not None and limit is not None:
                _check_attempts(db, "track", client, limit)
            row = db.execute("SELECT * FROM applications WHERE code = ?",
                             (normalise_code(code),)).fetchone()
            found = Application(**dict(row)) if row else None
            if found is None or not _phone_ends_with(found.phone, phone_last4):
                if client is not None and limit is not None:
                    _record_attempt(db, "track", client)
                return None
        return found

    def update(self, code: str, *, correction_requested: datetime.date | None = None,
               corrected: datetime.date | None = None, extend: bool = False,
               outcome: str | None = None, replied: datetime.date | None = None
               ) -> Application:
        """Record a staff action; ApplicationError when the rules do not allow it."""
        with self._transaction() as db:
            row = db.execute("SELECT * FROM applications WHERE code = ?",
                             (normalise_code(code),)).fetchone()
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
                changes.update(corrected=corrected.isoformat(), due=due.isoformat(),
                               calendar_known=int(known))
            if extend:
                if app.extended:
                    raise ApplicationError("the deadline was already extended once")
                base = datetime.date.fromisoformat(str(changes.get("due", app.due)))
                due, known = add_working_days(base, WORKING_DAYS_EXTENSION)
                changes.update(extended=1, due=due.isoformat(),
                               calendar_known=int(known and app.calendar_known))
            if outcome or replied:
                if outcome not in OUTCOMES:
                    raise ApplicationError(
                        f"unknown outcome {outcome!r}; one of: {', '.join(OUTCOMES)}")
                replied = replied or today()
                if replied < received:
                    raise ApplicationError("the reply cannot predate receipt")
                changes.update(outcome=outcome, replied=replied.isoformat())
            if not changes:
                raise ApplicationError("nothing to update")
            assignments = ", ".join(f"{name} = ?" for name in changes)
            db.execute(f"UPDATE applications SET {assignments} WHERE code = ?",
                       (*changes.values(), app.code))
        return self.get(app.code)

    def due_within(self, days: int, on: datetime.date) -> list[Application]:
        """Unanswered applications overdue or due within `days` days (the clock stops while
        a correction is awaited)."""
        limit = (on + datetime.timedelta(days=days)).isoformat()
        return [app for app in self.all()
                if app.status in ("received", "extended") and app.due <= limit]

    def purge(self, retention_days: int, on: datetime.date) -> int:
        """Erase the personal fields of applications answered more than `retention_days` ago;
        the statistics (type, outcome, dates) stay. Returns how many were erased."""
        cutoff = (on - datetime.timedelta(days=retention_days)).isoformat()
        erase = ", ".join(f"{name} = NULL" for name in PERSONAL)
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE applications SET {erase}, purged = ? "
                "WHERE purged IS NULL AND replied IS NOT NULL AND replied < ?",
                (on.isoformat(), cutoff))
            return cursor.rowcount


def _phone_ends_with(phone: str | None, last4: str) -> bool:
    # ASCII digits only: hmac.compare_digest refuses other text, and "²³⁴⁵" is no phone number.
    if phone is None or not re.fullmatch(r"[0-9]{4}", last4 or ""):
        return False
    return hmac.compare_digest(_digits(phone)[-4:], last4)


# Rate limits: attempts per client and hour, counted and recorded inside the caller's
# BEGIN IMMEDIATE transaction, so two workers cannot both see the last free attempt. The
# address is stored hashed and only for as long as the window lasts.


def _check_attempts(db: sqlite3.Connection, scope: str, client: str, limit: int) -> None:
    now = time.time()
    db.execute("DELETE FROM attempts WHERE at < ?", (now - RATE_WINDOW,))
    made = db.execute("SELECT COUNT(*) FROM attempts WHERE scope = ? AND client = ?",
                      (scope, _client_key(client))).fetchone()[0]
    if made >= limit:
        raise LimitReached(scope)


def _record_attempt(db: sqlite3.Connection, scope: str, client: str) -> None:
    db.execute("INSERT INTO attempts (scope, client, at) VALUES (?, ?, ?)",
               (scope, _client_key(client), time.time()))


def _take_attempt(db: sqlite3.Connection, scope: str, client: str, limit: int) -> None:
    _check_attempts(db, scope, client, limit)
    _record_attempt(db, scope, client)


def _client_key(client: str) -> str:
    return hashlib.sha256(f"portal-rate:{client}".encode()).hexdigest()[:32]


# --- Staff output -----------------------------------------------------------------------------

EXPORT_COLUMNS = ("code", "received", "applicant_kind", "name", "phone", "email", "address",
                  "description", "title", "doc_number", "index_number", "form", "delivery",
                  "due", "correction_requested", "corrected", "extended", "outcome", "replied",
                  "purged")


def export_csv(applications: list[Application]) -> str:
    """Applications as CSV for staff: every column but the ID numbers."""
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for app in applications:
        writer.writerow([getattr(app, name) for name in EXPORT_COLUMNS])
    return out.getvalue()


# --- Table 3 ----------------------------------------------------------------------------------


def table3_values(applications: list[Application], year: int) -> dict[str, int]:
    """Table 3 of `year` as {cell key: count}, from the records.

    Carried over = received before the year and not answered before it; carried forward =
    received by 31 December and not answered by then. So one year's carried-forward is by
    construction the next year's carried-over (R6), and new + carried over = total + carried
    forward in every column (R1).
    """
    start, end = f"{year}-01-01", f"{year}-12-31"
    values: dict[str, int] = {}
    for app in applications:
        if app.received > end:
            continue
        answered_before = app.replied is not None and app.replied < start
        if answered_before:
            continue
        rows = ["new" if app.received >= start else "carried_over"]
        if app.replied is not None and app.replied <= end:
            rows += [app.outcome, "total"]
        else:
            rows.append("carried_forward")
        for row in rows:
            for column in (app.applicant_kind, "total"):
                key = f"table3.{row}.{column}"
                values[key] = values.get(key, 0) + 1
    return values


def table3_report(applications: list[Application], year: int, organisation: str) -> Report:
    """The annual report data of `year`: table 3 from the records, tables 2 and 4 zero."""
    return make_report(organisation, year, table3_values(applications, year))


assert {column.key for column in TABLE3_COLUMNS} == {*APPLICANT_KINDS, "total"}
