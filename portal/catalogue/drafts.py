"""Drafts: scaffolding a new one with the next free 索引号 (`portal new`), recording an approval
in its file (`portal review`), and the status of everything waiting for review or publication
(`portal status`). They live with the catalogue because they read content files as the site
does; the rules they apply are portal.workflow's."""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from portal.catalogue import categories
from portal.catalogue.annual_reports import reports_due
from portal.catalogue.content import parse_file
from portal.catalogue.document import Document
from portal.catalogue.draft_text import DraftFields, new_text
from portal.catalogue.editing import new_draft_path
from portal.catalogue.freshness import freshness
from portal.catalogue.listing import Catalogue
from portal.catalogue.store import load_catalogue
from portal.text import atomic_create, atomic_write
from portal.website_report import form_due, status_note
from portal.workflow import (
    CHINA,
    STAGES,
    WORKING_DAYS_TO_PUBLISH,
    Approval,
    WorkflowError,
    add_working_days,
    approve,
    publication_moment,
    report_deadlines,
    valid_approvals,
    write_review,
)


def next_index_no(catalogue: Catalogue, code: str, year: int) -> str:
    """The next free 索引号 of the organisation in the year, drafts included."""
    pattern = re.compile(rf"^{re.escape(code)}/{year}-(\d+)$")
    used = [
        int(m.group(1))
        for d in [*catalogue.documents, *catalogue.drafts]
        if (m := pattern.match(d.index_no))
    ]
    return f"{code}/{year}-{max(used, default=0) + 1:05d}"


def scaffold_draft(
    content_dir: Path,
    category: str,
    title: str,
    code: str,
    department: str,
    today: datetime.date | None = None,
    organisation: str = "",
) -> Path:
    """Write a new draft and return its path; ValueError for an unknown category or
    organisation.

    The draft belongs to organisation (the default body when empty) and takes the next 索引号
    of its code (code when the body has none); a body other than the default gets its id in
    the file name, since two bodies may use the same serial and a file name is an address.
    """
    node = categories.BY_NAME.get(category) or categories.BY_SLUG.get(category)
    if node is None:
        raise ValueError(
            f"unknown category {category!r}; use a name of the catalogue tree, "
            "e.g. 行政规范性文件 (see docs/content-format.md)"
        )
    if not title.strip():
        raise ValueError("a draft needs a title")
    today = today or datetime.date.today()
    catalogue = load_catalogue(content_dir)
    body = catalogue.organisations.get(organisation or catalogue.organisations.default)
    if body is None:
        known = ", ".join(o.id for o in catalogue.organisations)
        raise ValueError(f"unknown organisation {organisation!r}; the organisations are: {known}")
    fields = DraftFields(
        title=title.strip(),
        index_no=next_index_no(catalogue, body.code or code, today.year),
        date=today.isoformat(),
        department=department,
        category=node.name,
        mode="主动公开",
        body="正文。\n",
    )
    path = new_draft_path(catalogue, content_dir, fields, body, today.year)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        atomic_create(path, new_text(fields, body.id if body.path is not None else "").encode())
    except FileExistsError:
        raise ValueError(f"{path} exists already") from None
    return path


def status_report(
    catalogue: Catalogue,
    today: datetime.date,
    within: int,
    returned: Mapping[str, str] | None = None,
) -> dict:
    """Drafts by the stage they wait for (with why earlier approvals were voided, if they
    were), overdue and soon-due ones, report deadlines, the bodies whose annual report
    covering last year is due or overdue, how each body's column stands against the
    inspection's 单项否决 thresholds, and the website's yearly form covering last year while it
    is not published (due in January, overdue from 1 February). returned maps a slug to the
    digest its drafter was sent it back at: such a draft waits for no stage until it changes,
    and is listed apart."""
    waiting: dict[str, list] = {stage: [] for stage in STAGES}
    overdue, due_soon, sent_back, notes = [], [], [], set()
    soon, soon_known = add_working_days(today, within)
    for draft in catalogue.drafts:
        item = {
            "path": str(draft.path),
            "title": draft.title,
            "slug": draft.slug,
            "organisation": draft.organisation,
            "stage": draft.waiting_for,
            "date": draft.date.isoformat() if draft.date else None,
            "due": None,
            "overdue": False,
            "voided": draft.voided,
        }
        late = soon_due = False
        if draft.date:
            due, known = add_working_days(draft.date, WORKING_DAYS_TO_PUBLISH)
            item["due"] = due.isoformat()
            if not (known and soon_known):
                notes.add(
                    "holiday calendar unknown for a year involved: Monday to Friday "
                    "counted as working days"
                )
            late, soon_due = due < today, today <= due <= soon
            item["overdue"] = late
        if (returned or {}).get(draft.slug) == draft.digest:
            sent_back.append(item)
            continue
        if late:
            overdue.append(item)
        elif soon_due:
            due_soon.append(item)
        waiting[draft.waiting_for].append(item)
    form_drafts = {d.website_report.year: str(d.path) for d in catalogue.drafts if d.website_report}
    website_form = form_due(catalogue.website_reports, form_drafts, today)
    if website_form is not None:
        notes.add(status_note(website_form))
    return {
        "today": today.isoformat(),
        "waiting": waiting,
        "overdue": overdue,
        "due_soon": due_soon,
        "returned": sent_back,
        "report_deadlines": report_deadlines(today),
        "annual_reports": reports_due(catalogue, today),
        # Each body's column against the inspection's 单项否决 thresholds (freshness.py).
        "inspection": [freshness(column, today).as_dict() for column in catalogue.columns.values()],
        # The website's yearly form covering last year, while it is not published.
        "website_report": website_form,
        "notes": sorted(notes),
    }


@dataclass(frozen=True)
class ReviewChange:
    """An action on a document's review record, worked out and not yet written: the document as
    the site reads it, the file's text before and after, and what the action does."""

    document: Document
    before: str
    after: str
    approvals: tuple[Approval, ...]
    published: datetime.datetime | None  # the 发布日期 written, when the action publishes
    voided_earlier: bool  # approvals recorded earlier no longer held when the action was taken


def read_for_review(
    path: Path, shown: str | None = None, default_organisation: str = ""
) -> tuple[Document, str]:
    """The document in the review workflow as the site reads it (a document naming no body
    belongs to default_organisation) and the text it was read from; WorkflowError when it
    cannot be acted on."""
    name = shown or str(path)
    text = path.read_text(encoding="utf-8")
    # The document as the site reads it: the digest covers exactly what would be published.
    document, problems = parse_file(path, default_organisation=default_organisation)
    if document is None:
        blocking = [p for p in problems if p.severity == "error" and p.blocks_publication]
        details = "; ".join(f"line {p.line}: {p.message}" for p in blocking[:3])
        raise WorkflowError(
            f"{name} cannot be published as it is, so it cannot be approved; "
            f"fix what portal check reports first ({details})"
        )
    if document.approvals is None:
        raise WorkflowError(f"{name} is not in the review workflow (it has no 'review' key)")
    if path.read_text(encoding="utf-8") != text:
        # Parsed from another text than the one read: the digest would not be this text's.
        raise WorkflowError(f"{name} changed while it was being read: try again")
    return document, text


def approval_change(
    document: Document, text: str, stage: str, by: str, now: datetime.datetime
) -> ReviewChange:
    """`by` approving `stage` of a document read by read_for_review, worked out (nothing is
    written); WorkflowError when the rules or the file forbid it. The last stage sets the
    发布日期: now in China, to the minute (workflow.publication_moment)."""
    tables = document.report.cells() if document.report is not None else ()
    unfilled = [cell.key for cell, value in tables if value is None]
    if unfilled:
        # A report drafted from the records (portal draft-report) leaves what they cannot tell
        # unset; approving it before staff fill it in would publish empty cells.
        raise WorkflowError(
            f"{document.slug}: {len(unfilled)} cells of its statutory tables are not filled in "
            f"yet ({', '.join(unfilled[:3])}{', ...' if len(unfilled) > 3 else ''}: null in "
            f"{document.report_path.name}, named by portal check); fill them in first"
        )
    approvals = list(document.approvals)
    voided = valid_approvals(approvals, document.digest) != approvals
    updated = approve(approvals, document.digest, stage, by, now.astimezone(CHINA))
    published = publication_moment(now) if len(updated) == len(STAGES) else None
    return ReviewChange(
        document, text, write_review(text, updated, published), tuple(updated), published, voided
    )


def return_change(document: Document, text: str) -> ReviewChange:
    """A document read by read_for_review with its approvals cleared, as sending it back to its
    drafter clears them, worked out (nothing is written); WorkflowError when it waits for no
    stage."""
    if document.waiting_for is None:
        raise WorkflowError("the document is fully approved: there is no stage to return it from")
    approvals = list(document.approvals)
    voided = valid_approvals(approvals, document.digest) != approvals
    return ReviewChange(document, text, write_review(text, [], None), (), None, voided)


def review_file(
    path: Path,
    stage: str,
    by: str,
    now: datetime.datetime | None = None,
    shown: str | None = None,
) -> tuple[list[Approval], bool]:
    """Record an approval in a content file; return the approvals and whether it is now
    published. Only the file changes: who approved is recorded, with the file, by
    portal.approvals (the back office and `portal review`)."""
    document, text = read_for_review(path, shown)
    change = approval_change(document, text, stage, by, now or datetime.datetime.now(CHINA))
    # If the file changed since it was read, the digest recorded is not the new text's, so
    # the approval does not hold: a race can only void an approval, never extend one.
    atomic_write(path, change.after)
    return list(change.approvals), change.published is not None
