"""Throttling of sign-in attempts, in the database so that it holds across workers, servers and
restarts: every wrong password or code is recorded under the account name typed and under the
client's address; enough of them within the lockout period lock that name, or that address,
until the period has passed since the last. While locked, attempts are refused unchecked, so a
right password then fails the same way and tells an attacker nothing."""

import datetime
import ipaddress
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.db import SignInFailure

ACCOUNT = "account"
ADDRESS = "address"
KEY_LENGTH = 128


@dataclass(frozen=True)
class Limits:
    """How many failures lock an account name and an address, and for how long."""

    per_account: int = 5
    per_address: int = 20
    lockout: datetime.timedelta = datetime.timedelta(minutes=15)


def address_key(address: str) -> str:
    """The key an address is counted under: an IPv4 address itself, an IPv6 address's /64
    (one subscriber holds a whole /64 and could otherwise try from each of its addresses)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:KEY_LENGTH] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def _locked_until(
    db: Session, scope: str, key: str, limit: int, lockout: datetime.timedelta, now
) -> datetime.datetime | None:
    recent = db.scalars(
        select(SignInFailure.at)
        .where(SignInFailure.scope == scope, SignInFailure.key == key[:KEY_LENGTH])
        .where(SignInFailure.at > now - lockout)
        .order_by(SignInFailure.at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    return recent[0] + lockout


def locked_until(
    db: Session, account_key: str, address: str, limits: Limits, now: datetime.datetime
) -> datetime.datetime | None:
    """Until when sign-in for this account name or from this address is refused; None if not."""
    moments = [
        _locked_until(db, ACCOUNT, account_key, limits.per_account, limits.lockout, now),
        _locked_until(db, ADDRESS, address_key(address), limits.per_address, limits.lockout, now),
    ]
    found = [moment for moment in moments if moment is not None]
    return max(found) if found else None


def record_failure(
    db: Session, account_key: str, address: str, limits: Limits, now: datetime.datetime
) -> None:
    """Count one failure against the account name and the address (in db's transaction), and
    forget failures too old to count."""
    db.execute(delete(SignInFailure).where(SignInFailure.at <= now - limits.lockout))
    db.add_all(
        [
            SignInFailure(scope=ACCOUNT, key=account_key[:KEY_LENGTH], at=now),
            SignInFailure(scope=ADDRESS, key=address_key(address), at=now),
        ]
    )


def forget_account_failures(db: Session, account_key: str) -> None:
    """After a successful sign-in, the account's earlier failures stop counting (the address's
    still do)."""
    db.execute(
        delete(SignInFailure).where(
            SignInFailure.scope == ACCOUNT, SignInFailure.key == account_key[:KEY_LENGTH]
        )
    )
