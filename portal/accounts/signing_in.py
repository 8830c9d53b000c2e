"""Signing in and staying signed in: the password (then the authenticator's code when one is
enrolled), the throttle, and sessions kept in the database. The browser holds a random token;
the database holds its SHA-256, the account's session generation when it began, when it began
and when it was last used, so a session ends on sign-out, after the idle or the absolute
timeout, and everywhere at once when the generation moves (password changed or reset, account
disabled). Every step that raises what a session may do gets a new token: a token known before
signing in is worth nothing after.

`now` is always given (the site passes its clock), so timeouts are tested without waiting."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from portal.accounts import throttle
from portal.accounts.management import StaffMember, find, member, normalise_username
from portal.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from portal.accounts.second_factor import accepted_step, new_secret
from portal.db import Account, StaffSession

# How long the step between a right password and the authenticator's code may take.
CODE_WINDOW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class Policy:
    """The limits of signing in: the throttle, and the idle and absolute session timeouts."""

    limits: throttle.Limits = field(default_factory=throttle.Limits)
    idle: datetime.timedelta = datetime.timedelta(minutes=30)
    absolute: datetime.timedelta = datetime.timedelta(hours=12)

    @classmethod
    def from_settings(cls, config) -> "Policy":
        """The policy the settings describe (SIGN_IN_* and SESSION_*)."""
        return cls(
            throttle.Limits(
                per_account=config["SIGN_IN_FAILURES_PER_ACCOUNT"],
                per_address=config["SIGN_IN_FAILURES_PER_ADDRESS"],
                lockout=datetime.timedelta(minutes=config["SIGN_IN_LOCKOUT_MINUTES"]),
            ),
            idle=datetime.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            absolute=datetime.timedelta(hours=config["SESSION_MAX_HOURS"]),
        )


# Why a sign-in step was refused. WRONG never says whether the name or the password was wrong.
WRONG = "wrong"
LOCKED = "locked"
DISABLED = "disabled"
EXPIRED = "expired"
# Why a new password was refused: the policy's problems, or the password it replaces.
WEAK = "weak"
SAME = "same"


@dataclass(frozen=True)
class Outcome:
    """The result of a step: a token (with awaiting_code when the authenticator's code is still
    to come), or a refusal with, for LOCKED, until when and, for WEAK, the policy's problems."""

    token: str | None = None
    awaiting_code: bool = False
    refused: str | None = None
    locked_until: datetime.datetime | None = None
    problems: tuple[str, ...] = ()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _open(db: Session, account: Account, address: str, now, awaiting_code: bool) -> str:
    token = secrets.token_urlsafe(32)
    db.add(
        StaffSession(
            token_hash=_digest(token),
            account_id=account.id,
            generation=account.session_generation,
            awaiting_code=awaiting_code,
            created_at=now,
            last_seen_at=now,
            address=address[:64],
        )
    )
    return token


def _forget_ended_sessions(db: Session, policy: Policy, now) -> None:
    """Delete the sessions that have timed out (a browser closed without signing out leaves
    one), so the table holds only sessions that could still be used."""
    db.execute(
        delete(StaffSession).where(
            or_(
                StaffSession.last_seen_at < now - policy.idle,
                StaffSession.created_at < now - policy.absolute,
            )
        )
    )


def _refuse_wrong(db: Session, key: str, address: str, policy: Policy, now) -> Outcome:
    throttle.record_failure(db, key, address, policy.limits, now)
    db.commit()
    until = throttle.locked_until(db, key, address, policy.limits, now)
    return Outcome(refused=LOCKED, locked_until=until) if until else Outcome(refused=WRONG)


def sign_in(
    db: Session, username: str, password: str, address: str, policy: Policy, now
) -> Outcome:
    """Check a name and password. A right one opens a session, or a half-open one waiting for
    the authenticator's code when the account has one enrolled."""
    key = normalise_username(username)[: throttle.KEY_LENGTH]
    until = throttle.locked_until(db, key, address, policy.limits, now)
    if until is not None:
        return Outcome(refused=LOCKED, locked_until=until)
    account = find(db, key)
    if not verify_password(account.password_hash if account else None, password):
        return _refuse_wrong(db, key, address, policy, now)
    if account.disabled_at is not None:
        return Outcome(refused=DISABLED)
    if account.temporary_until is not None and now >= account.temporary_until:
        return Outcome(refused=EXPIRED)
    throttle.forget_account_failures(db, key)
    _forget_ended_sessions(db, policy, now)
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    awaiting = account.totp_secret is not None
    token = _open(db, account, address, now, awaiting_code=awaiting)
    db.commit()
    return Outcome(token=token, awaiting_code=awaiting)


def confirm_code(db: Session, token: str, code: str, address: str, policy: Policy, now) -> Outcome:
    """The authenticator's code after a right password: a right one replaces the half-open
    session by a new, open one. A wrong one counts as a failed sign-in."""
    pending = db.get(StaffSession, _digest(token)) if token else None
    if pending is None or not pending.awaiting_code or now - pending.created_at > CODE_WINDOW:
        if pending is not None:
            db.delete(pending)
            db.commit()
        return Outcome(refused=EXPIRED)
    account = pending.account
    until = throttle.locked_until(db, account.username, address, policy.limits, now)
    if until is not None:
        return Outcome(refused=LOCKED, locked_until=until)
    step = accepted_step(account.totp_secret or "", code, now, account.totp_last_step)
    if step is None or pending.generation != account.session_generation:
        return _refuse_wrong(db, account.username, address, policy, now)
    account.totp_last_step = step
    throttle.forget_account_failures(db, account.username)
    db.delete(pending)
    fresh = _open(db, account, address, now, awaiting_code=False)
    db.commit()
    return Outcome(token=fresh)


def signed_in(db: Session, token: str, policy: Policy, now) -> StaffMember | None:
    """The account an open session belongs to, marking it used now; None when the token opens
    nothing (unknown, half-open, timed out, signed out everywhere, account disabled)."""
    session = db.get(StaffSession, _digest(token)) if token else None
    if session is None or session.awaiting_code:
        return None
    account = session.account
    if (
        session.generation != account.session_generation
        or account.disabled_at is not None
        or now - session.last_seen_at > policy.idle
        or now - session.created_at > policy.absolute
    ):
        db.delete(session)
        db.commit()
        return None
    session.last_seen_at = now
    found = member(account)
    db.commit()
    return found


def sign_out(db: Session, token: str) -> None:
    """End the session this token opened (nothing if it opens none)."""
    db.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))
    db.commit()


def change_password(
    db: Session,
    token: str,
    current: str,
    new: str,
    address: str,
    policy: Policy,
    now,
) -> Outcome:
    """Change the password of the session's account. Every session of the account ends; this
    browser gets a new token. A wrong current password counts as a failed sign-in."""
    session = db.get(StaffSession, _digest(token))
    account = session.account
    until = throttle.locked_until(db, account.username, address, policy.limits, now)
    if until is not None:
        return Outcome(refused=LOCKED, locked_until=until)
    if not verify_password(account.password_hash, current):
        return _refuse_wrong(db, account.username, address, policy, now)
    problems = password_problems(new, username=account.username, name=account.name)
    if problems:
        return Outcome(refused=WEAK, problems=tuple(problems))
    if verify_password(account.password_hash, new):
        return Outcome(refused=SAME)
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    account.temporary_until = None
    account.session_generation += 1
    db.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    fresh = _open(db, account, address, now, awaiting_code=False)
    db.commit()
    return Outcome(token=fresh)


def pending_secret(db: Session, account_id: int) -> str:
    """The secret being enrolled for an account without an authenticator (made on first ask)."""
    account = db.get(Account, account_id)
    if account.totp_pending is None:
        account.totp_pending = new_secret()
    secret = account.totp_pending
    db.commit()
    return secret


def enrol(db: Session, token: str, code: str, address: str, now) -> str | None:
    """Confirm the authenticator with a code it shows: it is required at every sign-in from
    now on, other sessions end, and this browser gets a new token (None: wrong code)."""
    session = db.get(StaffSession, _digest(token))
    account = session.account
    if account.totp_pending is None:
        return None
    step = accepted_step(account.totp_pending, code, now, None)
    if step is None:
        return None
    account.totp_secret, account.totp_pending = account.totp_pending, None
    account.totp_last_step = step
    account.session_generation += 1
    db.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
    fresh = _open(db, account, address, now, awaiting_code=False)
    db.commit()
    return fresh


def account_of(db: Session, account_id: int) -> StaffMember | None:
    """The detached view of an account by id."""
    account = db.scalar(select(Account).where(Account.id == account_id))
    return member(account) if account else None


def confirm_presence(db: Session, account_id: int, code: str, now) -> bool:
    """Whether code is the account's authenticator's code now and was never accepted before (a
    right one is used up): the second factor asked again of someone acting as the account
    outside a browser session (`portal review` at 终审 or 保密审查)."""
    account = db.get(Account, account_id)
    if account is None or account.totp_secret is None:
        return False
    step = accepted_step(account.totp_secret, code, now, account.totp_last_step)
    if step is None:
        return False
    account.totp_last_step = step
    db.commit()
    return True
