"""Approving and returning a document as an account: the rules of who may (the stage's role in
the document's body, a second factor for the stages that need one, never two stages of one
version by one account, nothing approved of a version sent back), then the file and the audit
trail changed in one step.

The step, in order: the document's lock is taken; the file is read and the change worked out;
the audit rows are added and flushed (so a row the database refuses stops everything before the
file changes); the file is replaced atomically; the transaction commits. If the file cannot be
written, the transaction is rolled back: nothing is recorded. If the commit fails, the file is
put back as it was (unless someone changed it meanwhile): nothing is approved that the audit
trail does not record."""

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal import db as database
from portal.accounts import SECOND_FACTOR_ROLES, StaffMember, account_of, normalise_username
from portal.approvals import trail
from portal.approvals.queues import approved_by, approvers
from portal.catalogue import (
    Document,
    ReviewChange,
    approval_change,
    read_for_review,
    return_change,
)
from portal.text import atomic_write
from portal.workflow import STAGES, WorkflowError

log = logging.getLogger(__name__)

assert database.REVIEW_STAGES == STAGES, "portal.db and portal.workflow must name the same stages"

# The roles that take part in review: drafting, and each stage.
DRAFTER = "起草"
WORKFLOW_ROLES = (DRAFTER, *STAGES)
# The longest comment kept with an approval or a return.
COMMENT_LENGTH = 2000

# Why an action was refused (Refused.reason): the back office says each in the reader's
# language; the command line prints the message.
NO_ACCOUNTS = "no-accounts"
NO_ACCOUNT = "no-account"
DISABLED = "disabled"
NO_ROLE = "no-role"
SECOND_FACTOR = "second-factor"
RETURNED = "returned"
NOT_WAITING = "not-waiting"
SAME_ACCOUNT = "same-account"
NO_COMMENT = "no-comment"
FILE = "file"


class Refused(Exception):
    """An action the rules or the file do not allow: reason (one of the constants above) and a
    message for the command line."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Desk:
    """Where documents are acted on: the content folder (paths are recorded relative to it)
    and the body that a document naming none belongs to."""

    content_dir: Path
    default_organisation: str

    def shown(self, path: Path) -> str:
        """The path as the audit trail records it: relative to the content folder."""
        resolved, root = path.resolve(), self.content_dir.resolve()
        return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else path.name

    def read(self, path: Path) -> tuple[Document, str]:
        """The document in review as the site reads it, and its text; Refused when it cannot
        be acted on."""
        try:
            return read_for_review(path, self.shown(path), self.default_organisation)
        except (WorkflowError, OSError) as error:
            raise Refused(FILE, str(error)) from None


@dataclass(frozen=True)
class Recorded:
    """An action done: its audit row and the file's change."""

    action: object  # portal.db.ReviewAction
    change: ReviewChange

    @property
    def published(self) -> bool:
        """Whether this approval published the document."""
        return self.change.published is not None


def reviewer(db: Session, username: str) -> StaffMember:
    """The account a command names to act as; Refused when there is none (saying how to make
    accounts when the site has none yet)."""
    login = normalise_username(username)
    account_id = trail.account_id_named(db, login)
    if account_id is None:
        if not trail.has_accounts(db):
            raise Refused(
                NO_ACCOUNTS,
                "this site has no staff accounts yet, and approvals are made by accounts: "
                "create one for each reviewer with `portal users add NAME --name PERSON "
                "--role ORGANISATION:STAGE` (see the README), then name it with --by",
            )
        raise Refused(NO_ACCOUNT, f"no account named {login!r}: --by names a staff account")
    return account_of(db, account_id)


def _may_act(db: Session, member: StaffMember, document: Document, stage: str) -> None:
    """Refused unless the member may act at stage on the document as it is now."""
    if member.disabled:
        raise Refused(DISABLED, f"the account {member.username} is disabled")
    if not member.holds(stage, document.organisation):
        raise Refused(
            NO_ROLE,
            f"{member.username} does not hold {stage} in {document.organisation}",
        )
    if stage in SECOND_FACTOR_ROLES and not member.second_factor:
        raise Refused(
            SECOND_FACTOR,
            f"{stage} needs an authenticator: {member.username} must enrol one first",
        )
    sent_back = trail.returned(db, [document.slug]).get(document.slug)
    if sent_back is not None and sent_back.digest == document.digest:
        raise Refused(
            RETURNED,
            f"{document.slug} was returned to its drafter at {sent_back.stage} "
            f"({sent_back.comment!r}) and has not changed since",
        )
    waiting = document.waiting_for
    if stage != waiting:
        where = f"it waits for {waiting}" if waiting else "it is fully approved"
        raise Refused(NOT_WAITING, f"{document.slug} does not wait for {stage}: {where}")


def approve(
    db: Session,
    desk: Desk,
    member: StaffMember,
    path: Path,
    stage: str,
    now: datetime.datetime,
    comment: str = "",
) -> Recorded:
    """The member approves stage of the document in path: recorded in its file and in the audit
    trail together, or in neither (Refused saying why)."""
    with _refusals_roll_back(db):
        trail.lock(db, path.stem)
        document, text = desk.read(path)
        _may_act(db, member, document, stage)
        earlier = approved_by(member, document, trail.names_of(db, approvers([document])))
        if earlier is not None:
            raise Refused(
                SAME_ACCOUNT,
                f"{member.username} already approved {earlier} of this version; one account "
                "cannot approve two stages of the same document",
            )
        try:
            change = approval_change(document, text, stage, member.username, now)
        except WorkflowError as error:
            raise Refused(FILE, str(error)) from None
    return _commit(db, desk, member, trail.APPROVE, stage, change, path, comment, now)


def send_back(
    db: Session,
    desk: Desk,
    member: StaffMember,
    path: Path,
    comment: str,
    now: datetime.datetime,
) -> Recorded:
    """The member returns the document to its drafter at the stage it waits for, saying why:
    its approvals are cleared and nothing is approved of this version again."""
    comment = comment.strip()
    if not comment:
        raise Refused(NO_COMMENT, "say why the document is returned: the drafter reads it")
    with _refusals_roll_back(db):
        trail.lock(db, path.stem)
        document, text = desk.read(path)
        stage = document.waiting_for or STAGES[-1]
        _may_act(db, member, document, stage)
        try:
            change = return_change(document, text)
        except WorkflowError as error:
            raise Refused(FILE, str(error)) from None
    return _commit(db, desk, member, trail.RETURN, stage, change, path, comment, now)


@contextmanager
def _refusals_roll_back(db: Session) -> Iterator[None]:
    """A refused action ends its transaction at once, releasing the document's lock."""
    try:
        yield
    except Refused:
        db.rollback()
        raise


def _commit(
    db: Session,
    desk: Desk,
    member: StaffMember,
    action: str,
    stage: str,
    change: ReviewChange,
    path: Path,
    comment: str,
    now: datetime.datetime,
) -> Recorded:
    """Record the action and write the file, in the order the module's docstring gives."""
    row = trail.record(
        db,
        account_id=member.id,
        username=member.username,
        action=action,
        stage=stage,
        change=change,
        path=desk.shown(path),
        comment=comment.strip()[:COMMENT_LENGTH] or None,
        now=now,
    )
    try:
        atomic_write(path, change.after)
    except OSError as error:
        db.rollback()
        raise Refused(FILE, f"{desk.shown(path)} could not be written: {error}") from None
    try:
        db.commit()
    except SQLAlchemyError as error:
        db.rollback()
        _put_back(path, change)
        raise database.DatabaseUnavailable(
            f"the {action} of {desk.shown(path)} could not be recorded, so it was undone: "
            f"{getattr(error, 'orig', None) or error}"
        ) from error
    return Recorded(row, change)


def _put_back(path: Path, change: ReviewChange) -> None:
    """The file as it was before an action whose record failed, unless it changed since."""
    try:
        if path.read_text(encoding="utf-8") == change.after:
            atomic_write(path, change.before)
            return
        log.warning("%s changed after a review action whose record failed: left as it is", path)
    except OSError:
        log.critical(
            "%s holds a review action the audit trail lacks and could not be put back", path
        )
