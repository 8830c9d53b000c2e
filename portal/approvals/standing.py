"""Where a document in review stands, for its review page: the approvals that hold (with the
accounts' names), why earlier ones no longer do, whether it was returned at this version, every
action on it, and what changed since the version last approved (or another version chosen)."""

import datetime
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.approvals import diffs, trail
from portal.approvals.trail import Returned
from portal.catalogue import Catalogue, Document
from portal.db import ReviewAction, ReviewedVersion
from portal.workflow import STAGES, digests, valid_approvals

# Why approvals recorded for a document no longer hold (Standing.voided), as workflow's
# voided_reason tells them apart: the back office says each in the reader's language.
OLD_FORMAT = "old-format"
OUT_OF_ORDER = "out-of-order"
CHANGED = "changed"


@dataclass(frozen=True)
class Held:
    """An approval that holds: its stage, the login name recorded, the account's name (None
    when the name is no account's: recorded by a person's name before accounts), when."""

    stage: str
    by: str
    name: str | None
    at: datetime.datetime | None


@dataclass(frozen=True)
class Standing:
    """A document's review page, worked out."""

    document: Document
    held: list[Held]
    voided: str | None  # OLD_FORMAT, OUT_OF_ORDER or CHANGED
    returned: Returned | None  # returned at the version it is now
    history: list[ReviewAction]
    versions: list[ReviewAction]  # the latest action on each earlier version, newest first
    base: ReviewAction | None  # the action whose version is compared with the current one
    hunks: list[list[diffs.Line]] | None
    files: list[diffs.FileChange]

    @property
    def unchanged(self) -> bool:
        """Whether the document is the version compared with."""
        return self.base is not None and self.base.digest == self.document.digest


def find(catalogue: Catalogue, slug: str) -> Document | None:
    """The document in the review workflow at this address: a draft, or one published after
    review; None for any other."""
    for draft in catalogue.drafts:
        if draft.slug == slug:
            return draft
    published = catalogue.get(slug)
    return published if published is not None and published.approvals is not None else None


def _voided(document: Document) -> str | None:
    """Why some recorded approvals no longer hold (as workflow.voided_reason decides)."""
    recorded = document.approvals or ()
    held = valid_approvals(recorded, document.digest)
    if len(held) == len(recorded):
        return None
    first = recorded[len(held)]
    if not digests.is_current(first.digest):
        return OLD_FORMAT
    return OUT_OF_ORDER if first.stage != STAGES[len(held)] else CHANGED


def _moment(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def standing(db: Session, document: Document, text: str, against: int | None = None) -> Standing:
    """Where the document (read with its text) stands, compared with the version last approved
    before this one (or, against, the id of another version of this document's)."""
    held = valid_approvals(document.approvals or (), document.digest)
    names = trail.names_of(db, [approval.by for approval in held])
    history = trail.history(db, document.slug)
    sent_back = trail.returned(db, [document.slug]).get(document.slug)
    latest: dict[int, ReviewAction] = {}
    for action in history:
        latest[action.version_id] = action
    versions = sorted(latest.values(), key=lambda action: action.id, reverse=True)
    approved = [a for a in reversed(history) if a.action == trail.APPROVE]
    # The last approval of another version: what changed since is what a reviewer must read
    # (one of this version, when there is no other, says it has not changed since).
    base = next((a for a in approved if a.digest != document.digest), None)
    base = base or next(iter(approved), None)
    if against is not None:
        base = latest.get(against, base)
    hunks, files = None, []
    if base is not None:
        version: ReviewedVersion = base.version
        hunks = diffs.line_diff(version.text, trail.comparable_text(text))
        files = diffs.file_changes(version.files, document.covers)
    return Standing(
        document=document,
        held=[Held(a.stage, a.by, names.get(a.by), _moment(a.at)) for a in held],
        voided=_voided(document),
        returned=sent_back if sent_back and sent_back.digest == document.digest else None,
        history=history,
        versions=[v for v in versions if v.digest != document.digest],
        base=base,
        hunks=hunks,
        files=files,
    )
