"""The audit trail in the database: every approval and return (account, stage, moment,
document, digest, comment), the text of each version acted on, and the lock (db.serialise)
that records the actions on one document one after the other. Nothing here writes files or
commits: acting.py does both, in one step."""

import datetime
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.catalogue import ReviewChange
from portal.db import Account, ReviewAction, ReviewedVersion, serialise
from portal.workflow import WorkflowError, write_review

APPROVE = "approve"
RETURN = "return"


@dataclass(frozen=True)
class Returned:
    """A document sent back to its drafter: at which digest, by whom, when, why."""

    slug: str
    digest: str
    stage: str
    username: str
    name: str
    at: datetime.datetime
    comment: str


def lock(db: Session, slug: str) -> None:
    """Take the document's lock for the rest of the transaction, which begins now (on SQLite
    that takes the database's write lock): a second reviewer acting on it waits until the first
    has committed, then reads the file the first wrote."""
    db.connection()
    serialise(db, f"portal-review:{slug}")


def comparable_text(text: str) -> str:
    """A file's text with its review record emptied, so two versions compare by what they say,
    never by who approved them."""
    try:
        return write_review(text, [], None)
    except WorkflowError:
        return text


def record(
    db: Session,
    *,
    account_id: int,
    username: str,
    action: str,
    stage: str,
    change: ReviewChange,
    path: str,
    comment: str | None,
    now: datetime.datetime,
) -> ReviewAction:
    """Add the action and, when new, the version it was taken on (flushed, not committed)."""
    document = change.document
    version = db.scalar(
        select(ReviewedVersion).where(
            ReviewedVersion.slug == document.slug, ReviewedVersion.digest == document.digest
        )
    )
    if version is None:
        version = ReviewedVersion(
            slug=document.slug,
            digest=document.digest,
            text=comparable_text(change.before),
            files=json.dumps([list(pair) for pair in sorted(document.covers)]),
            recorded_at=now,
        )
        db.add(version)
    row = ReviewAction(
        at=now,
        account_id=account_id,
        username=username,
        action=action,
        stage=stage,
        slug=document.slug,
        path=path,
        organisation=document.organisation,
        digest=document.digest,
        version=version,
        comment=comment,
        voided_earlier=change.voided_earlier,
        published=change.published is not None,
    )
    db.add(row)
    db.flush()
    return row


def returned(db: Session, slugs=None) -> dict[str, Returned]:
    """The documents whose latest action is a return, by slug (of these slugs only, if given)."""
    latest = select(func.max(ReviewAction.id)).group_by(ReviewAction.slug)
    if slugs is not None:
        latest = latest.where(ReviewAction.slug.in_(list(slugs)))
    rows = db.execute(
        select(ReviewAction, Account.name)
        .join(Account, Account.id == ReviewAction.account_id)
        .where(ReviewAction.id.in_(latest), ReviewAction.action == RETURN)
    )
    return {
        row.slug: Returned(
            row.slug, row.digest, row.stage, row.username, name, row.at, row.comment or ""
        )
        for row, name in rows
    }


def history(db: Session, slug: str) -> list[ReviewAction]:
    """Every action on a document, oldest first, with its account and version."""
    return list(
        db.scalars(
            select(ReviewAction)
            .where(ReviewAction.slug == slug)
            .options(selectinload(ReviewAction.account), selectinload(ReviewAction.version))
            .order_by(ReviewAction.id)
        )
    )


def names_of(db: Session, usernames) -> dict[str, str]:
    """The display names of the accounts with these login names (names that are no account's,
    such as those recorded before accounts, are left out)."""
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    rows = db.execute(select(Account.username, Account.name).where(Account.username.in_(wanted)))
    return {username: name for username, name in rows}


def account_id_named(db: Session, username: str) -> int | None:
    """The id of the account with this login name (as stored), or None."""
    return db.scalar(select(Account.id).where(Account.username == username))


def has_accounts(db: Session) -> bool:
    """Whether any staff account exists."""
    return db.scalar(select(func.count()).select_from(Account)) > 0
