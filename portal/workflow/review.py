"""The review rules: the three-level review with a confidentiality check
(初审 → 复审 → 终审 → 保密审查, 谁提供、谁审核、谁负责), and the review record of a content file
(who approved is recorded with the file by portal.approvals).

A document whose front matter has a `review` list is in the workflow: it is published only when
every stage has approved the document as it is now. Each approval records a digest of the
document and of every file published with it (digests.py); changing any of them
afterwards voids the approvals, so the review starts again.
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from portal import bounded_yaml
from portal.text import FrontMatterError, split_front_matter
from portal.workflow import digests
from portal.workflow.calendar import CHINA

STAGES = ("初审", "复审", "终审", "保密审查")
# How the last approval writes the 发布日期 into the file (`published:`): the day and the time,
# to the minute, in China time, as inspectors read it and as catalogue.moments reads it back.
PUBLISHED_FORMAT = "%Y-%m-%d %H:%M"


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
    """The approvals that still hold: in stage order, for the document as it is now."""
    held = []
    if not digests.is_current(digest):  # the document could not be digested: nothing holds
        return held
    for expected, approval in zip(STAGES, approvals, strict=False):
        if approval.stage != expected or approval.digest != digest:
            break
        held.append(approval)
    return held


def voided_reason(approvals: list[Approval] | tuple[Approval, ...], digest: str) -> str | None:
    """Why some recorded approvals no longer hold, said for staff; None when they all hold."""
    held = valid_approvals(approvals, digest)
    if len(held) == len(approvals):
        return None
    first = approvals[len(held)]
    if not digests.is_current(first.digest):
        return (
            "approved in the old format, which covered neither the attached files nor "
            "every way of writing the front matter: approve it again from 初审"
        )
    if first.stage != STAGES[len(held)]:
        return f"the review record is out of order at {first.stage}: approve it again"
    return (
        "the document or a file published with it changed after approval: approve it "
        "again from 初审"
    )


def next_stage(approvals: Iterable[Approval], digest: str) -> str | None:
    """The stage waiting for approval, or None when the document is fully approved."""
    held = valid_approvals(approvals, digest)
    return STAGES[len(held)] if len(held) < len(STAGES) else None


def approve(
    approvals: list[Approval], digest: str, stage: str, by: str, now: datetime.datetime
) -> list[Approval]:
    """The approvals after `by` approves `stage`; WorkflowError when the rules forbid it."""
    if stage not in STAGES:
        raise WorkflowError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
    by = by.strip()
    if not by:
        raise WorkflowError("say who approves: --by NAME")
    if not by.isprintable():
        raise WorkflowError("the name after --by must be printable text on one line")
    held = valid_approvals(approvals, digest)
    waiting = STAGES[len(held)] if len(held) < len(STAGES) else None
    if waiting is None:
        raise WorkflowError("the document is already fully approved")
    if stage != waiting:
        raise WorkflowError(
            f"{stage} cannot come before {waiting}: the stages go in order {' → '.join(STAGES)}"
        )
    for approval in held:
        if approval.by == by:
            raise WorkflowError(
                f"{by} already approved {approval.stage}; one person cannot "
                "approve two stages of the same document"
            )
    return [*held, Approval(stage, by, now.isoformat(timespec="seconds"), digest)]


# --- Reading and writing the review record of a content file -------------------------------


def approvals_from_node(node: yaml.Node) -> list[Approval]:
    """The approvals of a composed `review` list; entries that are not mappings are skipped."""
    found = []
    for entry in node.value if isinstance(node, yaml.SequenceNode) else ():
        if not isinstance(entry, yaml.MappingNode):
            continue
        values = {
            key.value: value.value
            for key, value in entry.value
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode)
        }
        found.append(
            Approval(
                *(str(values.get(name, "")).strip() for name in ("stage", "by", "at", "digest"))
            )
        )
    return found


def _front_matter(text: str) -> tuple[list[str], int, yaml.MappingNode]:
    """The file's lines, the line number closing the front matter, and its composed mapping."""
    try:
        lines, end = split_front_matter(text)
    except FrontMatterError as error:
        raise WorkflowError(str(error)) from None
    try:
        root = bounded_yaml.compose("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        raise WorkflowError(f"the front matter is not valid YAML: {error}") from None
    if not isinstance(root, yaml.MappingNode):
        raise WorkflowError("the front matter is not a list of 'key: value' lines")
    return lines, end, root


def _is_record(key: yaml.Node) -> bool:
    return isinstance(key, yaml.ScalarNode) and key.value in digests.NOT_COVERED


def _covered_pairs(root: yaml.MappingNode) -> list[tuple[bytes, bytes]]:
    """Every top-level key and value the review record leaves alone, as digests, in order."""
    memo: dict[int, bytes] = {}
    return [
        (digests.node_digest(key, memo), digests.node_digest(value, memo))
        for key, value in root.value
        if not _is_record(key)
    ]


def _record_lines(root: yaml.MappingNode) -> set[int]:
    """The lines (1-based, in the file) that hold the review record and publication date."""
    found = set()
    for key, value in root.value:
        if _is_record(key):
            last = value.end_mark.line
            if value.end_mark.column == 0 and last > key.start_mark.line:
                last -= 1  # a block value ends where the next key starts
            found.update(range(key.start_mark.line + 1, last + 2))
    return found


def publication_moment(now: datetime.datetime) -> datetime.datetime:
    """The 发布日期 of a document the last stage approves at now: China time, to the minute.
    The one place that decides it, for the back office and `portal review` alike."""
    return now.astimezone(CHINA).replace(second=0, microsecond=0)


def write_review(text: str, approvals: list[Approval], published: datetime.datetime | None) -> str:
    """The file text with its review record (and publication moment, as publication_moment
    gives it) replaced; WorkflowError when the front matter is written so that the record
    cannot be replaced safely."""
    lines, end, root = _front_matter(text)
    first = lines[root.value[0][0].start_mark.line + 1] if root.value else ""
    indent = first[: len(first) - len(first.lstrip(" "))]  # keys may all be indented alike
    record = [f"{indent}review:"] if approvals else [f"{indent}review: []"]
    record += [
        f"{indent}  - {{stage: {a.stage}, by: {json.dumps(a.by, ensure_ascii=False)}, "
        f'at: "{a.at}", digest: "{a.digest}"}}'
        for a in approvals
    ]
    stamp = published.strftime(PUBLISHED_FORMAT) if published is not None else None
    if stamp is not None:
        record.append(f"{indent}published: {stamp}")
    removed = _record_lines(root)
    head = [line for n, line in enumerate(lines[1:end], start=1) if n not in removed]
    updated = "\n".join(["---", *head, *record, *lines[end:]])
    # Check the rewrite by reading it back: nothing but the record may change.
    try:
        _, _, after = _front_matter(updated)
    except WorkflowError:
        after = None
    written = {key.value: value for key, value in after.value if _is_record(key)} if after else {}
    date = written.get("published")
    if (
        after is None
        or _covered_pairs(after) != _covered_pairs(root)
        or approvals_from_node(written.get("review")) != approvals
        or (stamp is not None and getattr(date, "value", None) != stamp)
    ):
        raise WorkflowError(
            "portal review cannot rewrite this front matter safely: write it as "
            "one 'key: value' line per key (run portal check), then try again"
        )
    return updated
