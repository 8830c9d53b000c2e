"""Drafts: scaffolding a new one with the next free 索引号 (`portal new`), recording an approval
in its file (`portal review`), and the status of everything waiting for review or publication
(`portal status`). They live with the catalogue because they read content files as the site
does; the rules they apply are portal.workflow's."""

import datetime
import re
from pathlib import Path

from portal.catalogue import categories
from portal.catalogue.annual_reports import reports_due
from portal.catalogue.content import parse_file
from portal.catalogue.draft_text import DraftFields, new_text
from portal.catalogue.editing import new_draft_path
from portal.catalogue.listing import Catalogue
from portal.catalogue.store import load_catalogue
from portal.text import atomic_create, atomic_write
from portal.workflow import (
    CHINA,
    STAGES,
    WORKING_DAYS_TO_PUBLISH,
    Approval,
    WorkflowError,
    add_working_days,
    append_audit,
    approve,
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


def status_report(catalogue: Catalogue, today: datetime.date, within: int) -> dict:
    """Drafts by the stage they wait for (with why earlier approvals were voided, if they
    were), overdue and soon-due ones, report deadlines, and the bodies whose annual report
    covering last year is due or overdue."""
    waiting: dict[str, list] = {stage: [] for stage in STAGES}
    overdue, due_soon, notes = [], [], set()
    soon, soon_known = add_working_days(today, within)
    for draft in catalogue.drafts:
        item = {
            "path": str(draft.path),
            "title": draft.title,
            "slug": draft.slug,
            "stage": draft.waiting_for,
            "date": draft.date.isoformat() if draft.date else None,
            "due": None,
            "voided": draft.voided,
        }
        if draft.date:
            due, known = add_working_days(draft.date, WORKING_DAYS_TO_PUBLISH)
            item["due"] = due.isoformat()
            if not (known and soon_known):
                notes.add(
                    "holiday calendar unknown for a year involved: Monday to Friday "
                    "counted as working days"
                )
            if due < today:
                overdue.append(item)
            elif due <= soon:
                due_soon.append(item)
        waiting[draft.waiting_for].append(item)
    return {
        "today": today.isoformat(),
        "waiting": waiting,
        "overdue": overdue,
        "due_soon": due_soon,
        "report_deadlines": report_deadlines(today),
        "annual_reports": reports_due(catalogue, today),
        "notes": sorted(notes),
    }


def review_file(
    path: Path,
    stage: str,
    by: str,
    log: Path,
    now: datetime.datetime | None = None,
    shown: str | None = None,
) -> tuple[list[Approval], bool]:
    """Record an approval in a content file; return the approvals and whether it is now
    published. Appends the action, with the digest of every file it covers, to the audit log."""
    now = now or datetime.datetime.now(CHINA)
    name = shown or str(path)
    text = path.read_text(encoding="utf-8")
    # The document as the site reads it: the digest covers exactly what would be published.
    document, problems = parse_file(path)
    if document is None:
        blocking = [p for p in problems if p.severity == "error" and p.blocks_publication]
        details = "; ".join(f"line {p.line}: {p.message}" for p in blocking[:3])
        raise WorkflowError(
            f"{name} cannot be published as it is, so it cannot be approved; "
            f"fix what portal check reports first ({details})"
        )
    if document.approvals is None:
        raise WorkflowError(f"{name} is not in the review workflow (it has no 'review' key)")
    approvals = list(document.approvals)
    reset = valid_approvals(approvals, document.digest) != approvals
    updated = approve(approvals, document.digest, stage, by, now)
    published = now.date() if len(updated) == len(STAGES) else None
    # If the file changed since it was read, the digest recorded is not the new text's, so
    # the approval does not hold: a race can only void an approval, never extend one.
    atomic_write(path, write_review(text, updated, published))
    append_audit(
        log,
        {
            "at": now.isoformat(timespec="seconds"),
            "file": name,
            "stage": stage,
            "by": by.strip(),
            "digest": document.digest,
            "covers": [{"file": file, "sha256": sha256} for file, sha256 in document.covers],
            "voided_earlier_approvals": reset,
            "published": published is not None,
        },
    )
    return updated, published is not None
