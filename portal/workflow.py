"""The publishing workflow: drafts, the three-level review with a confidentiality check
(初审 → 复审 → 终审 → 保密审查, 谁提供、谁审核、谁负责), the audit log, and timeliness
(条例 第二十六条: published within 20 working days of being made or changed).

A document whose front matter has a `review` list is in the workflow: it is published only when
every stage has approved the document as it is now. Each approval records a digest of the
document; editing it afterwards voids the approvals, so the review starts again.
"""

import datetime
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

STAGES = ("初审", "复审", "终审", "保密审查")
WORKING_DAYS_TO_PUBLISH = 20
CHINA = datetime.timezone(datetime.timedelta(hours=8))


class WorkflowError(Exception):
    """A review action that the rules do not allow; the message says why."""


@dataclass(frozen=True)
class Approval:
    """One stage approved by one person, for the document as it was then."""

    stage: str
    by: str
    at: str
    digest: str


def valid_approvals(approvals: Iterable[Approval], digest: str) -> list[Approval]:
    """The approvals that still hold: in stage order, for the current text of the document."""
    held = []
    for expected, approval in zip(STAGES, approvals, strict=False):
        if approval.stage != expected or approval.digest != digest:
            break
        held.append(approval)
    return held


def next_stage(approvals: Iterable[Approval], digest: str) -> str | None:
    """The stage waiting for approval, or None when the document is fully approved."""
    held = valid_approvals(approvals, digest)
    return STAGES[len(held)] if len(held) < len(STAGES) else None


def approve(approvals: list[Approval], digest: str, stage: str, by: str,
            now: datetime.datetime) -> list[Approval]:
    """The approvals after `by` approves `stage`; WorkflowError when the rules forbid it."""
    if stage not in STAGES:
        raise WorkflowError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
    by = by.strip()
    if not by:
        raise WorkflowError("say who approves: --by NAME")
    held = valid_approvals(approvals, digest)
    waiting = STAGES[len(held)] if len(held) < len(STAGES) else None
    if waiting is None:
        raise WorkflowError("the document is already fully approved")
    if stage != waiting:
        raise WorkflowError(f"{stage} cannot come before {waiting}: the stages go in order "
                            f"{' → '.join(STAGES)}")
    for approval in held:
        if approval.by == by:
            raise WorkflowError(f"{by} already approved {approval.stage}; one person cannot "
                                "approve two stages of the same document")
    return [*held, Approval(stage, by, now.isoformat(timespec="seconds"), digest)]


# --- Reading and writing the review block of a content file --------------------------------

_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):")


def _front_matter_bounds(lines: list[str]) -> int:
    if not lines or lines[0].rstrip() != "---":
        raise WorkflowError("the file has no front matter")
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return number
    raise WorkflowError("the front matter is not closed")


def _blocks(lines: list[str], end: int) -> dict[str, tuple[int, int]]:
    """Each top-level key of the front matter with the line range (start, stop) it spans."""
    starts = [(n, _KEY_LINE.match(lines[n]).group(1)) for n in range(1, end)
              if _KEY_LINE.match(lines[n])]
    return {key: (start, starts[i + 1][0] if i + 1 < len(starts) else end)
            for i, (start, key) in enumerate(starts)}


def document_digest(text: str) -> str:
    """A digest of everything in a content file except its review record and publication date."""
    lines = text.removeprefix("\ufeff").split("\n")
    end = _front_matter_bounds(lines)
    blocks = _blocks(lines, end)
    kept = [lines[n] for key, (start, stop) in sorted(blocks.items())
            if key not in ("review", "published") for n in range(start, stop)]
    body = "\n".join(lines[end + 1:]).strip()
    return hashlib.sha256("\n".join([*kept, "---", body]).encode("utf-8")).hexdigest()[:16]


def read_approvals(text: str) -> list[Approval] | None:
    """The review record of a content file; None when the file is not in the workflow."""
    lines = text.removeprefix("\ufeff").split("\n")
    end = _front_matter_bounds(lines)
    data = yaml.safe_load("\n".join(lines[1:end])) or {}
    if "review" not in data:
        return None
    entries = data.get("review") or []
    return [Approval(str(e.get("stage", "")), str(e.get("by", "")), str(e.get("at", "")),
                     str(e.get("digest", ""))) for e in entries if isinstance(e, dict)]


def write_review(text: str, approvals: list[Approval], published: datetime.date | None) -> str:
    """The file text with its review record (and publication date) replaced."""
    lines = text.removeprefix("\ufeff").split("\n")
    end = _front_matter_bounds(lines)
    blocks = _blocks(lines, end)
    record = ["review:"] if approvals else ["review: []"]
    record += [f'  - {{stage: {a.stage}, by: {json.dumps(a.by, ensure_ascii=False)}, '
               f'at: "{a.at}", digest: "{a.digest}"}}' for a in approvals]
    if published is not None:
        record.append(f"published: {published.isoformat()}")
    removed = {n for key in ("review", "published") if key in blocks
               for n in range(*blocks[key])}
    head = [line for n, line in enumerate(lines[1:end], start=1) if n not in removed]
    return "\n".join(["---", *head, *record, *lines[end:]])


def replace_file(path: Path, text: str) -> None:
    """Write text to path through a temporary file, so a crash never leaves half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def append_audit(log: Path, entry: dict) -> None:
    """Add one line to the audit log; earlier lines are never rewritten."""
    log.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def review_file(path: Path, stage: str, by: str, log: Path,
                now: datetime.datetime | None = None,
                shown: str | None = None) -> tuple[list[Approval], bool]:
    """Record an approval in a content file; return the approvals and whether it is now
    published. Appends the action to the audit log."""
    now = now or datetime.datetime.now(CHINA)
    text = path.read_text(encoding="utf-8")
    approvals = read_approvals(text)
    if approvals is None:
        raise WorkflowError(f"{path} is not in the review workflow (it has no 'review' key)")
    digest = document_digest(text)
    reset = valid_approvals(approvals, digest) != approvals
    updated = approve(approvals, digest, stage, by, now)
    published = now.date() if len(updated) == len(STAGES) else None
    replace_file(path, write_review(text, updated, published))
    append_audit(log, {"at": now.isoformat(timespec="seconds"), "file": shown or str(path),
                       "stage": stage, "by": by.strip(), "digest": digest,
                       "voided_earlier_approvals": reset, "published": published is not None})
    return updated, published is not None


# --- Working days and deadlines ------------------------------------------------------------

def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(whether day is a working day, whether the official holiday calendar knew the year).

    The State Council publishes each year's holidays and make-up working days in the autumn
    before; for a year the calendar package does not know yet, Monday to Friday is assumed.
    """
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: datetime.date, days: int) -> tuple[datetime.date, bool]:
    """The date `days` working days after start, and whether every year was in the calendar."""
    day, counted, known = start, 0, True
    while counted < days:
        day += datetime.timedelta(days=1)
        working, year_known = is_working_day(day)
        known = known and year_known
        counted += working
    return day, known


def report_deadlines(today: datetime.date) -> list[dict]:
    """The next annual-report deadlines: 31 January for departments, 31 March for governments."""
    found = []
    for label, month in (("部门年度报告（1月31日前）", 1), ("政府年度报告（3月31日前）", 3)):
        deadline = datetime.date(today.year, month, 31)
        if deadline < today:
            deadline = datetime.date(today.year + 1, month, 31)
        found.append({"what": label, "deadline": deadline.isoformat(),
                      "days_left": (deadline - today).days,
                      "report_year": deadline.year - 1})
    return found
