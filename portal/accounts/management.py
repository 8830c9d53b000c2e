"""Accounts as administrators and scripts manage them: add, list, disable, enable, reset,
grant and revoke roles, by the same rules whether `portal users` or the back office asks. Each
call is one transaction; errors are AccountError with a message for the person at the command
line and a reason (with its details) that the back office words in the page's language.

Two rules keep the platform manageable: an administrator acting in the back office (`by`)
cannot disable, reset or take 管理员 from their own account, and nobody, at the command line
either, can disable or take 管理员 from the last enabled administrator."""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from portal.accounts.passwords import hash_password, temporary_password
from portal.accounts.roles import ADMINISTRATOR, PLATFORM, Role, needs_second_factor, parse_role
from portal.db import Account, RoleGrant, StaffSession

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
NAME_LENGTH = 100
# What a name shown on every page and in the logs may not hold: controls, format characters
# (bidi overrides reorder what is around them, zero-width ones hide), line separators,
# private-use, surrogate and unassigned code points.
_UNSEEN = frozenset(("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"))
# How long a temporary password given by add or reset may wait for its first sign-in.
TEMPORARY_DAYS = 3


# Why a request was refused (AccountError.reason); the details name what the message names.
BAD_USERNAME = "bad-username"
BAD_NAME = "bad-name"
USERNAME_TAKEN = "username-taken"  # username
UNKNOWN_ROLE = "unknown-role"  # role
ADMINISTRATOR_IN_BODY = "administrator-in-body"
UNKNOWN_ORGANISATION = "unknown-organisation"  # organisation
NO_ACCOUNT = "no-account"  # username
NOT_HELD = "not-held"  # username, role, organisation
OWN_DISABLE = "own-disable"
OWN_ADMINISTRATOR = "own-administrator"
OWN_RESET = "own-reset"
LAST_ADMINISTRATOR = "last-administrator"  # username


class AccountError(ValueError):
    """A request about accounts that cannot be carried out: the message says why in English,
    `reason` (one of the constants above) and `details` let another caller say it its way."""

    def __init__(self, message: str, reason: str = "", **details: str):
        super().__init__(message)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class StaffMember:
    """What the back office and the commands know of an account, detached from the database."""

    id: int
    username: str
    name: str
    roles: tuple[tuple[str, str], ...]  # (organisation, role), PLATFORM for 管理员
    disabled: bool
    second_factor: bool  # an authenticator is enrolled
    temporary_until: datetime.datetime | None

    @property
    def needs_second_factor(self) -> bool:
        """Whether a role of this account requires an authenticator."""
        return needs_second_factor(list(self.roles))

    @property
    def is_administrator(self) -> bool:
        """Whether the account manages the platform."""
        return (PLATFORM, ADMINISTRATOR) in self.roles

    def holds(self, role: str, organisation: str) -> bool:
        """Whether the account holds this role in this organisation (管理员: on the platform)."""
        return (organisation, role) in self.roles

    def organisations_for(self, role: str) -> list[str]:
        """The organisations in which the account holds this role, in the order granted."""
        return [organisation for organisation, held in self.roles if held == role]

    def roles_by_organisation(self) -> list[tuple[str, list[str]]]:
        """The account's roles grouped by organisation, the platform first."""
        grouped: dict[str, list[str]] = {}
        for organisation, role in sorted(self.roles, key=lambda pair: pair[0] != PLATFORM):
            grouped.setdefault(organisation, []).append(role)
        return list(grouped.items())


def member(account: Account) -> StaffMember:
    """The detached view of an account row."""
    return StaffMember(
        id=account.id,
        username=account.username,
        name=account.name,
        roles=tuple((grant.organisation, grant.role) for grant in account.roles),
        disabled=account.disabled_at is not None,
        second_factor=account.totp_secret is not None,
        temporary_until=account.temporary_until,
    )


def normalise_username(text: str) -> str:
    """A login name as it is stored and looked up: NFKC, lower case, no surrounding spaces."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def find(db: Session, username: str) -> Account | None:
    """The account with this login name (as typed), or None."""
    return db.scalar(
        select(Account)
        .where(Account.username == normalise_username(username))
        .options(selectinload(Account.roles))
    )


def find_account(db: Session, username: str) -> StaffMember | None:
    """The detached view of the account with this login name (as typed), or None."""
    account = find(db, username)
    return member(account) if account else None


def _get(db: Session, username: str) -> Account:
    account = find(db, username)
    if account is None:
        login = normalise_username(username)
        raise AccountError(f"no account named {login!r}", NO_ACCOUNT, username=login)
    return account


def _unseen(text: str) -> bool:
    return any(unicodedata.category(character) in _UNSEEN for character in text)


def _is_self(account: Account, by: str | None) -> bool:
    return by is not None and normalise_username(by) == account.username


def _is_administrator(account: Account) -> bool:
    return any((g.organisation, g.role) == (PLATFORM, ADMINISTRATOR) for g in account.roles)


def _keep_an_administrator(db: Session, account: Account) -> None:
    """Refuse to take the last enabled administrator away: nobody could then manage accounts
    in the browser. The administrators' rows are locked (FOR UPDATE, on PostgreSQL; SQLite's
    transactions take the write lock as they begin) so that two administrators disabling each
    other at once cannot both succeed."""
    administrators = db.execute(
        select(Account.id, Account.disabled_at)
        .join(RoleGrant)
        .where(RoleGrant.organisation == PLATFORM, RoleGrant.role == ADMINISTRATOR)
        .order_by(Account.id)
        .with_for_update(of=Account)
    ).all()
    if not any(row.id != account.id and row.disabled_at is None for row in administrators):
        db.rollback()
        raise AccountError(
            f"{account.username} is the last enabled administrator (管理员): make another "
            "account an administrator first",
            LAST_ADMINISTRATOR,
            username=account.username,
        )


def _grant_pair(role_text: str, organisation: str, organisations: Iterable[str]) -> tuple[str, str]:
    role = _role(role_text)
    if role.name == ADMINISTRATOR:
        if organisation not in ("", PLATFORM):
            raise AccountError(
                f"{ADMINISTRATOR} (admin) is held on the whole platform, not in one body",
                ADMINISTRATOR_IN_BODY,
            )
        return PLATFORM, role.name
    known = sorted(organisations)
    if organisation not in known:
        raise AccountError(
            f"unknown organisation {organisation!r}; the organisations are {', '.join(known)}",
            UNKNOWN_ORGANISATION,
            organisation=organisation,
        )
    return organisation, role.name


def _role(text: str) -> Role:
    try:
        return parse_role(text)
    except ValueError as error:
        raise AccountError(str(error), UNKNOWN_ROLE, role=text) from None


def _end_sessions(db: Session, account: Account) -> None:
    account.session_generation += 1
    db.execute(delete(StaffSession).where(StaffSession.account_id == account.id))


def add_account(
    db: Session,
    username: str,
    name: str,
    roles: Iterable[tuple[str, str]],
    organisations: Iterable[str],
    now: datetime.datetime,
) -> tuple[StaffMember, str]:
    """Create an account with (role, organisation) pairs and a temporary password, which is
    returned once and must be changed at the first sign-in."""
    login = normalise_username(username)
    if not USERNAME.match(login):
        raise AccountError(
            f"{username!r} cannot be a login name: use 2-64 lower-case ASCII letters, digits, "
            "dots, hyphens or underscores, starting with a letter or digit",
            BAD_USERNAME,
        )
    shown = " ".join(name.split())
    if not shown or len(shown) > NAME_LENGTH or _unseen(shown):
        raise AccountError(
            f"give the person's name (1-{NAME_LENGTH} characters, no control or invisible "
            "characters)",
            BAD_NAME,
        )
    if find(db, login) is not None:
        raise AccountError(
            f"an account named {login!r} exists already", USERNAME_TAKEN, username=login
        )
    known = list(organisations)
    pairs = sorted({_grant_pair(role, organisation, known) for role, organisation in roles})
    password = temporary_password()
    account = Account(
        username=login,
        name=shown,
        password_hash=hash_password(password),
        password_changed_at=now,
        temporary_until=now + datetime.timedelta(days=TEMPORARY_DAYS),
        session_generation=0,
        created_at=now,
        roles=[RoleGrant(organisation=o, role=r, granted_at=now) for o, r in pairs],
    )
    db.add(account)
    db.commit()
    return member(account), password


def list_accounts(db: Session, role: str = "", organisation: str = "") -> list[StaffMember]:
    """Every account, by login name; with role and/or organisation, those holding a role that
    is that role and/or in that organisation (管理员: PLATFORM)."""
    accounts = db.scalars(
        select(Account).options(selectinload(Account.roles)).order_by(Account.username)
    )
    return [
        found
        for found in map(member, accounts)
        if not (role or organisation)
        or any(role in ("", held) and organisation in ("", place) for place, held in found.roles)
    ]


def set_disabled(
    db: Session,
    username: str,
    disabled: bool,
    now: datetime.datetime,
    *,
    by: str | None = None,
) -> StaffMember:
    """Disable an account (signing it out everywhere at once) or enable it again. `by` is the
    administrator asking in the back office, who cannot disable their own account."""
    account = _get(db, username)
    if disabled and account.disabled_at is None:
        if _is_self(account, by):
            raise AccountError("you cannot disable your own account", OWN_DISABLE)
        if _is_administrator(account):
            _keep_an_administrator(db, account)
    if disabled and account.disabled_at is not None:
        return member(account)  # disabled already: it keeps the moment it was
    account.disabled_at = now if disabled else None
    if disabled:
        _end_sessions(db, account)
    db.commit()
    return member(account)


def reset_account(
    db: Session,
    username: str,
    now: datetime.datetime,
    second_factor: bool = False,
    *,
    by: str | None = None,
) -> tuple[StaffMember, str]:
    """Give an account a new temporary password (and, with second_factor, forget its
    authenticator, for a lost phone), signing it out everywhere; returns the password once.
    An administrator (`by`) changes their own password themselves, never by a reset."""
    account = _get(db, username)
    if _is_self(account, by):
        raise AccountError(
            "you cannot reset your own account: change your password instead", OWN_RESET
        )
    password = temporary_password()
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    account.temporary_until = now + datetime.timedelta(days=TEMPORARY_DAYS)
    if second_factor:
        account.totp_secret = account.totp_pending = account.totp_last_step = None
    _end_sessions(db, account)
    db.commit()
    return member(account), password


def grant_role(
    db: Session,
    username: str,
    role: str,
    organisation: str,
    organisations: Iterable[str],
    now: datetime.datetime,
) -> StaffMember:
    """Give an account a role in an organisation (管理员: on the platform)."""
    account = _get(db, username)
    pair = _grant_pair(role, organisation, organisations)
    if pair not in {(grant.organisation, grant.role) for grant in account.roles}:
        account.roles.append(RoleGrant(organisation=pair[0], role=pair[1], granted_at=now))
    db.commit()
    return member(account)


def revoke_role(
    db: Session, username: str, role: str, organisation: str, *, by: str | None = None
) -> StaffMember:
    """Take a role away (at once: every request reads the account's roles afresh). An
    administrator (`by`) cannot take 管理员 from their own account."""
    account = _get(db, username)
    name = _role(role).name
    place = PLATFORM if name == ADMINISTRATOR else organisation
    kept = [g for g in account.roles if (g.organisation, g.role) != (place, name)]
    if len(kept) == len(account.roles):
        raise AccountError(
            f"{account.username} does not hold {name} in {place}",
            NOT_HELD,
            username=account.username,
            role=name,
            organisation=place,
        )
    if name == ADMINISTRATOR:
        if _is_self(account, by):
            raise AccountError(
                "you cannot take 管理员 (admin) from your own account", OWN_ADMINISTRATOR
            )
        if account.disabled_at is None:
            _keep_an_administrator(db, account)
    account.roles = kept
    db.commit()
    return member(account)
