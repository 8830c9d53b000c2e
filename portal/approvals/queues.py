"""What waits for whom, worked out from the report `portal status` prints
(portal.catalogue.status_report), so the back office and the command agree: each reviewer's
queue (documents waiting at a stage the account holds, in the bodies it holds it in, overdue
first), the documents returned to their drafters, and the dashboard's counts per body and
stage.

The clock is the one of 条例 第二十六条 that `portal status` counts: 20 working days from the
document's date (the day it was made, which `portal new` sets to the day it was drafted); the
queue also says since when a document has waited at its stage (its last approval) where an
approval says so."""

import datetime
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from portal.accounts import StaffMember
from portal.approvals.trail import Returned
from portal.catalogue import Catalogue, Document, status_report
from portal.workflow import STAGES, WORKING_DAYS_TO_PUBLISH, add_working_days, valid_approvals

# How many working days ahead the dashboard lists documents as due soon (as `portal status`).
DUE_SOON_DAYS = 5


@dataclass(frozen=True)
class Waiting:
    """A document waiting at a stage, as a queue lists it."""

    slug: str
    title: str
    organisation: str
    stage: str
    due: datetime.date | None
    overdue: bool
    since: datetime.datetime | None  # when the stage before approved it (None at 初审)
    voided: str | None  # why earlier approvals no longer hold
    approved_by_you: str | None  # the stage of this version the reader approved already


def report(
    catalogue: Catalogue,
    returned: Mapping[str, Returned],
    today: datetime.date,
    within: int = DUE_SOON_DAYS,
) -> dict:
    """`portal status`'s report, with the documents returned to their drafters set apart."""
    return status_report(
        catalogue, today, within, {slug: sent.digest for slug, sent in returned.items()}
    )


def approved_by(member: StaffMember, document: Document, accounts: Collection[str]) -> str | None:
    """The stage of the document's current version the member approved already, if any. An
    approval names its account's login name; one recorded by a person's name before there were
    accounts (a name not in accounts, the login names of every account named) is the member's
    when it is the member's name."""
    for approval in valid_approvals(document.approvals or (), document.digest):
        if approval.by == member.username or (
            approval.by not in accounts and approval.by == member.name
        ):
            return approval.stage
    return None


def due_date(document: Document) -> datetime.date | None:
    """The last day to publish the document: 20 working days from its date, as `portal status`
    counts (None when it has no date)."""
    if document.date is None:
        return None
    return add_working_days(document.date, WORKING_DAYS_TO_PUBLISH)[0]


def approvers(documents: Iterable[Document]) -> set[str]:
    """Every name the approvals of these documents record (to look up which are accounts)."""
    return {approval.by for document in documents for approval in document.approvals or ()}


def drafts_by_slug(catalogue: Catalogue) -> dict[str, Document]:
    """The catalogue's drafts by address."""
    return {draft.slug: draft for draft in catalogue.drafts}


def _since(document: Document) -> datetime.datetime | None:
    held = valid_approvals(document.approvals or (), document.digest)
    if not held:
        return None
    try:
        return datetime.datetime.fromisoformat(held[-1].at)
    except ValueError:
        return None


def queue(
    status: dict,
    drafts: Mapping[str, Document],
    member: StaffMember,
    accounts: Collection[str],
) -> list[Waiting]:
    """The documents waiting at a stage the member holds, in a body they hold it in: overdue
    first, then by due date, then by title. Returned documents are in none."""
    found = []
    for stage in STAGES:
        for item in status["waiting"][stage]:
            document = drafts.get(item["slug"])
            if document is None or not member.holds(stage, item["organisation"]):
                continue
            found.append(
                Waiting(
                    slug=item["slug"],
                    title=item["title"],
                    organisation=item["organisation"],
                    stage=stage,
                    due=datetime.date.fromisoformat(item["due"]) if item["due"] else None,
                    overdue=item["overdue"],
                    since=_since(document),
                    voided=item["voided"],
                    approved_by_you=approved_by(member, document, accounts),
                )
            )
    return sorted(
        found,
        key=lambda w: (not w.overdue, w.due is None, w.due or datetime.date.max, w.title),
    )


def returned_to(
    status: dict, member: StaffMember, returned: Mapping[str, Returned]
) -> list[tuple[dict, Returned]]:
    """The documents returned to drafters in the bodies where the member drafts, with why."""
    bodies = set(member.organisations_for("起草"))
    return [
        (item, returned[item["slug"]])
        for item in status["returned"]
        if item["organisation"] in bodies and item["slug"] in returned
    ]


@dataclass(frozen=True)
class BodyCounts:
    """One body's line of the dashboard."""

    organisation: str
    waiting: dict[str, int]  # by stage
    returned: int
    overdue: int
    due_soon: int


def dashboard(status: dict, organisations: Collection[str] | None) -> dict:
    """What `portal status` reports, for these bodies (None: every body): the counts per body
    and stage, the overdue, due-soon and returned documents, the annual reports due or overdue,
    the report deadlines and the notes."""

    def shown(item: dict) -> bool:
        return organisations is None or item["organisation"] in organisations

    waiting = {stage: [i for i in status["waiting"][stage] if shown(i)] for stage in STAGES}
    lists = {key: [_dated(i) for i in status[key] if shown(i)] for key in ("overdue", "due_soon")}
    sent_back = [_dated(i) for i in status["returned"] if shown(i)]
    bodies = sorted({i["organisation"] for items in (*waiting.values(), sent_back) for i in items})
    counts = [
        BodyCounts(
            organisation=body,
            waiting={s: sum(i["organisation"] == body for i in waiting[s]) for s in STAGES},
            returned=sum(i["organisation"] == body for i in sent_back),
            overdue=sum(i["organisation"] == body for i in lists["overdue"]),
            due_soon=sum(i["organisation"] == body for i in lists["due_soon"]),
        )
        for body in bodies
    ]
    annual = status["annual_reports"]
    return {
        "today": datetime.date.fromisoformat(status["today"]),
        "counts": counts,
        "overdue": lists["overdue"],
        "due_soon": lists["due_soon"],
        "returned": sent_back,
        "report_deadlines": [
            {**d, "deadline": datetime.date.fromisoformat(d["deadline"])}
            for d in status["report_deadlines"]
        ],
        "annual_reports": {
            "year": annual["year"],
            **{
                key: [
                    {**i, "deadline": datetime.date.fromisoformat(i["deadline"])}
                    for i in annual[key]
                    if shown(i)
                ]
                for key in ("due", "overdue")
            },
        },
        "notes": status["notes"],
    }


def _dated(item: dict) -> dict:
    """A report's item with its due date as a date."""
    return {**item, "due": datetime.date.fromisoformat(item["due"]) if item["due"] else None}
