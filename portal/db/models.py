"""The tables of the back office, as SQLAlchemy 2 models: staff accounts, their roles per
organisation, their signed-in sessions and failed sign-ins; online applications and the
attempts their rate limits count. Generic column types only (no
SQLite-only SQL), so the same models run on PostgreSQL; every change goes with a migration in
migrations/versions (tests/admin/test_database.py fails when the two differ)."""

import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Names for every constraint and index, so a later migration can name what it alters (SQLite's
# batch mode rebuilds tables and needs them) and PostgreSQL and SQLite agree.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The roles an account may hold in an organisation: the review stages as the workflow names them
# (so a later step compares them with a document's stages as they are), drafting and the
# applications desk; 管理员 is held on the whole platform (PLATFORM), never in one body.
ROLE_VALUES = ("起草", "初审", "复审", "终审", "保密审查", "申请办理", "管理员")
ADMINISTRATOR = "管理员"
PLATFORM = "*"

SCOPES = ("account", "address")


class UTCDateTime(TypeDecorator):
    """A moment in UTC: stored without a zone (SQLite keeps none), always read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        return value.astimezone(datetime.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=datetime.UTC)


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Base(DeclarativeBase):
    """The declarative base of every table, with the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class Account(Base):
    """A member of staff who signs in: a login name, a name people know, an Argon2 hash."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    # Set while the password is a temporary one (given by `portal users add|reset`): it must be
    # changed at the next sign-in and stops working at this moment.
    temporary_until: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    # The TOTP secret (base32) once enrolment is confirmed; the one being enrolled until then.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending: Mapped[str | None] = mapped_column(String(64))
    # The last 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Sessions carry the generation they began in; raising it signs the account out everywhere.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)

    roles: Mapped[list["RoleGrant"]] = relationship(
        back_populates="account",
        cascade="all, delete-orphan",
        order_by="(RoleGrant.organisation, RoleGrant.role)",
    )


class RoleGrant(Base):
    """One role of an account in one organisation (管理员: on the whole platform)."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("account_id", "organisation", "role"),
        CheckConstraint(f"role IN ({_quoted(ROLE_VALUES)})", name="known_role"),
        CheckConstraint(
            f"(role = '{ADMINISTRATOR}') = (organisation = '{PLATFORM}')",
            name="administrator_on_platform",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    organisation: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship(back_populates="roles")


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the database opens no session."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    generation: Mapped[int] = mapped_column(Integer)
    # True between a right password and the right authenticator code: nothing is open yet.
    awaiting_code: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64))

    account: Mapped[Account] = relationship()


class SignInFailure(Base):
    """One failed sign-in (wrong password or code), counted per account name and per address."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        CheckConstraint(f"scope IN ({_quoted(SCOPES)})", name="known_scope"),
        Index("ix_sign_in_failures_scope_key_at", "scope", "key", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class ApplicationRecord(Base):
    """One online application (依申请公开) as stored; portal.applications reads it as an
    Application. Dates are calendar days (the deadline counts working days, not moments)."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint("(outcome IS NULL) = (replied IS NULL)", name="answered_with_date"),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    received: Mapped[datetime.date] = mapped_column(Date, index=True)
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    applicant_kind: Mapped[str] = mapped_column(String(64))
    # The personal fields: erased (NULL) when the retention period ends (purged is then set).
    name: Mapped[str | None] = mapped_column(Text)
    id_type: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(Text)
    index_number: Mapped[str | None] = mapped_column(Text)
    form: Mapped[str] = mapped_column(String(64))
    delivery: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime.date] = mapped_column(Date)
    # False when the deadline went past the years whose holidays the calendar knows.
    calendar_known: Mapped[bool] = mapped_column(Boolean)
    correction_requested: Mapped[datetime.date | None] = mapped_column(Date)
    corrected: Mapped[datetime.date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(64))
    replied: Mapped[datetime.date | None] = mapped_column(Date)
    purged: Mapped[datetime.date | None] = mapped_column(Date)
    # The applications desk (migration 0003): what the applicant was asked to correct (补正), the
    # consultation of a third party (第三十二条: its days do not count towards the deadline; the
    # working days it took are added to `due` when it ends), and the reply's text and author.
    correction_note: Mapped[str | None] = mapped_column(Text)
    consultation_started: Mapped[datetime.date | None] = mapped_column(Date)
    consultation_ended: Mapped[datetime.date | None] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class RateAttempt(Base):
    """One attempt a rate limit counts (a submission, a failed tracking lookup): the client's
    address only as a salted hash, kept while the window lasts."""

    __tablename__ = "rate_attempts"
    __table_args__ = (Index("ix_rate_attempts_scope_client_at", "scope", "client", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class ReplyAttachment(Base):
    """A file sent with the reply to an application, kept in the database so that every node
    can give it to the staff of the body (and only to them)."""

    __tablename__ = "reply_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(
        ForeignKey("applications.code", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


class CaseView(Base):
    """One opening of an application's case page (or its reply or attachment) by an account,
    and whether it was let in: the body's staff see who looked at the applicant's data."""

    __tablename__ = "case_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(
        ForeignKey("applications.code", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    allowed: Mapped[bool] = mapped_column(Boolean)


# --- Review: who approved or returned which version of a document (portal.approvals) --------

# The review stages as the workflow names them (portal.workflow.STAGES), and what an account
# may do at one.
REVIEW_STAGES = ("初审", "复审", "终审", "保密审查")
REVIEW_ACTIONS = ("approve", "return")
# A document's address (its file name): the catalogue's slugs are far shorter.
SLUG_LENGTH = 200
# "v2:" and a SHA-256 in hex (portal.workflow.digests), with room for a later scheme.
DIGEST_LENGTH = 80


class ReviewedVersion(Base):
    """A document's text as it was when approved or returned, its review record left out, with
    the files its digest covers: what a later version is compared with."""

    __tablename__ = "reviewed_versions"
    __table_args__ = (UniqueConstraint("slug", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    # JSON: [[file name, SHA-256], ...] of every file published with the document.
    files: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class ReviewAction(Base):
    """One approval or return, as the audit log keeps it: the account, the stage, the moment,
    the document (address, file, body) and the digest of the version acted on, the comment.
    Rows are only ever added, in the same transaction as the file's change, which holds the
    document's lock (db.serialise, "portal-review:" and its address) so that two reviewers acting
    on one document at once are recorded one after the other."""

    __tablename__ = "review_actions"
    __table_args__ = (
        CheckConstraint(f"action IN ({_quoted(REVIEW_ACTIONS)})", name="known_action"),
        CheckConstraint(f"stage IN ({_quoted(REVIEW_STAGES)})", name="known_stage"),
        CheckConstraint("action = 'approve' OR comment IS NOT NULL", name="return_says_why"),
        Index("ix_review_actions_slug_id", "slug", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # The login name then (accounts are disabled, never deleted or renamed): readable as it is.
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(8))
    stage: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    path: Mapped[str] = mapped_column(Text)
    organisation: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    version_id: Mapped[int] = mapped_column(ForeignKey("reviewed_versions.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    # Whether approvals recorded earlier no longer held (the document had changed since).
    voided_earlier: Mapped[bool] = mapped_column(Boolean)
    # Whether this approval, the last stage's, published the document.
    published: Mapped[bool] = mapped_column(Boolean)

    account: Mapped[Account] = relationship()
    version: Mapped[ReviewedVersion] = relationship()
