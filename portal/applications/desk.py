"""The applications desk's rules, without Flask: which applications a list shows and in what
order (the overdue and the soonest due first), and which files a reply may carry (the
published attachment types of portal/filetypes.py, a size limit, a plain name)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from portal.applications.rules import OUTCOMES, STATUSES, Application, normalise_code
from portal.filetypes import (
    ATTACHMENT_TYPES,
    SNIFF_BYTES,
    content_matches,
    extension,
    plain_file_name,
)
from portal.reports import HEADINGS, TABLE3_ROWS
from portal.text import N_

# Files one reply may carry; REPLY_ATTACHMENT_MAX_BYTES limits each.
MAX_FILES = 5
MAX_NAME = 200


@dataclass(frozen=True)
class DeskQuery:
    """What a list of the desk asks for, parsed: a status (a key of STATUSES, "" for any),
    received from and to (either open), text in the code, title or description."""

    status: str = ""
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    text: str = ""

    def __post_init__(self):
        if self.status and self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")


def _matches_text(app: Application, text: str) -> bool:
    if not text:
        return True
    code = normalise_code(text)
    if code and code in app.code:
        return True
    folded = text.casefold()
    return any(folded in (value or "").casefold() for value in (app.title, app.description))


def listing(found: Iterable[Application], query: DeskQuery) -> list[Application]:
    """The applications the query selects (dates were selected by the database), the ones whose
    reply period runs first, the soonest due (so the overdue) first; those waiting for a
    correction or a third party next; the answered last, the latest reply first."""
    chosen = [
        app
        for app in found
        if (not query.status or app.status == query.status) and _matches_text(app, query.text)
    ]
    running = sorted((a for a in chosen if a.clock_running), key=lambda a: (a.due, a.code))
    waiting = sorted(
        (a for a in chosen if not a.clock_running and not a.outcome), key=lambda a: a.received
    )
    answered = sorted((a for a in chosen if a.outcome), key=lambda a: a.replied, reverse=True)
    return running + waiting + answered


def upload_problem(name: str, content: bytes, limit: int) -> tuple[str, dict] | None:
    """Why a file cannot be sent with a reply (an N_ msgid and its values), None when it can:
    a plain name (filetypes' one rule: no folder, no leading dot, nothing invisible), a
    published attachment type whose content is what its name says, not empty and not over
    `limit` bytes."""
    shown = {"name": name[:MAX_NAME]}
    size = len(content)
    if not plain_file_name(name) or len(name) > MAX_NAME:
        return N_(
            "附件“%(name)s”的文件名不能包含路径、不能以“.”开头，也不能含有不可见字符，请改名后再上传。"
        ), shown
    if extension(name) not in ATTACHMENT_TYPES:
        types = "、".join(ATTACHMENT_TYPES)
        return N_("附件“%(name)s”的类型不能上传。可以上传的类型：%(types)s。"), {
            **shown,
            "types": types,
        }
    if size == 0:
        return N_("附件“%(name)s”是空文件。"), shown
    if size > limit:
        megabytes = f"{limit / 1024 / 1024:g} MB"
        return N_("附件“%(name)s”超过了每个文件 %(limit)s 的大小限制。"), {
            **shown,
            "limit": megabytes,
        }
    if not content_matches(name, content[:SNIFF_BYTES]):
        return N_(
            "附件“%(name)s”的内容与文件类型不符（例如改过扩展名的文件），请上传该类型的原始文件。"
        ), shown
    return None


def outcome_groups() -> list[tuple[str | None, list[tuple[str, str]]]]:
    """The outcomes as table 3 groups them: (the heading's label, None for a row of its own;
    [(key, label)]), in statutory order."""
    groups: list[tuple[str | None, list[tuple[str, str]]]] = []
    for row in TABLE3_ROWS:
        if row.key not in OUTCOMES:
            continue
        heading = HEADINGS[row.group].label if row.group else None
        if heading is None or not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        groups[-1][1].append((row.key, row.label))
    return groups
