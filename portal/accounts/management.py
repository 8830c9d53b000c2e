"""Accounts as administrators and scripts manage them: add, list, disable, enable, reset,
grant and revoke roles. Each call is one transaction; errors are AccountError with a message
for the person at the command line."""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from portal.accounts.passwords import hash_password, temporary_password
from portal.accounts.roles import ADMINISTRATOR, PLATFORM, needs_second_factor, parse_role
from portal.db import Account, RoleGrant, StaffSession

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
NAME_LENGTH = 100
# How long a temporary password given by add or reset may wait for its first sign-in.
TEMPORARY_DAYS = 3


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


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


def _get(db: Session, username: str) -> Account:
    account = find(db, username)
    if account is None:
        raise AccountError(f"no account named {normalise_username(username)!r}")
    return account


def _grant_pair(role_text: str, organisation: str, organisations: Iterable[str]) -> tuple[str, str]:
    try:
        role = parse_role(role_text)
    except ValueError as error:
        raise AccountError(str(error)) from None
    if role.name == ADMINISTRATOR:
        if organisation not in ("", PLATFORM):
            raise AccountError(
                f"{ADMINISTRATOR} (admin) is held on the whole platform, not in one body"
            )
        return PLATFORM, role.name
    known = sorted(organisations)
    if organisation not in known:
        raise AccountError(
            f"unknown organisation {organisation!r}; the organisations are {', '.join(known)}"
        )
    return organisation, role.name


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
            "dots, hyphens or underscores, starting with a letter or digit"
        )
    shown = " ".join(name.split())
    if not shown or len(shown) > NAME_LENGTH:
        raise AccountError(f"give the person's name (1-{NAME_LENGTH} characters)")
    if find(db, login) is not None:
        raise AccountError(f"an account named {login!r} exists already")
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


def list_accounts(db: Session) -> list[StaffMember]:
    """Every account, by login name."""
    accounts = db.scalars(
        select(Account).options(selectinload(Account.roles)).order_by(Account.username)
    )
    return [member(account) for account in accounts]


def set_disabled(db: Session, username: str, disabled: bool, now: datetime.datetime) -> StaffMember:
    """Disable an account (signing it out everywhere at once) or enable it again."""
    account = _get(db, username)
    account.disabled_at = now if disabled else None
    if disabled:
        _end_sessions(db, account)
    db.commit()
    return member(account)


def reset_account(
    db: Session, username: str, now: datetime.datetime, second_factor: bool = False
) -> tuple[StaffMember, str]:
    """Give an account a new temporary password (and, with second_factor, forget its
    authenticator, for a lost phone), signing it out everywhere; returns the password once."""
    account = _get(db, username)
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


def revoke_role(db: Session, username: str, role: str, organisation: str) -> StaffMember:
    """Take a role away (at once: every request reads the account's roles afresh)."""
    account = _get(db, username)
    try:
        name = parse_role(role).name
    except ValueError as error:
        raise AccountError(str(error)) from None
    place = PLATFORM if name == ADMINISTRATOR else organisation
    kept = [g for g in account.roles if (g.organisation, g.role) != (place, name)]
    if len(kept) == len(account.roles):
        raise AccountError(f"{account.username} does not hold {name} in {place}")
    account.roles = kept
    db.commit()
    return member(account)
