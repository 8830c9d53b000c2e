"""What a content file becomes: a Document with its attachments, videos, report tables and
review record, and the Problems found in it, each with its file and line."""

import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from portal import filetypes, reports, workflow
from portal.catalogue import categories
from portal.catalogue.markup import plain_text, render_markdown
from portal.website_report import WebsiteReport
from portal.workflow import digests

if TYPE_CHECKING:  # validity.py reads front matter, whose problems are this module's
    from portal.catalogue.validity import Validity

TABLE_MARKER = re.compile(r"^\[\[table:(2|3|4)\]\]$", re.MULTILINE)


CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")


def moment_label(day: datetime.date | None, time: datetime.time | None = None) -> str:
    """YYYY-MM-DD HH:MM, or YYYY-MM-DD without a time of day, or '' without a day: a date as
    inspectors read the 发布日期 and 更新日期 of a document."""
    if day is None:
        return ""
    return f"{day.isoformat()} {time.strftime('%H:%M')}" if time else day.isoformat()


def moment_iso(day: datetime.date | None, time: datetime.time | None = None) -> str:
    """The value of a <time datetime>: the day, or the day and time in China time."""
    if day is None:
        return ""
    if time is None:
        return day.isoformat()
    return datetime.datetime.combine(day, time, CHINA).isoformat(timespec="minutes")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a content file, at a line, said so a person can fix it."""

    path: Path
    line: int
    message: str
    severity: str = "error"
    # A broken consistency rule in report tables fails the check but the report is still
    # published, with its validation status shown to visitors.
    blocks_publication: bool = True

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Attachment:
    """A file published with a document; its location comes from the catalogue, never a URL."""

    name: str
    title: str
    path: Path
    size: int

    @property
    def media_type(self) -> str:
        """The file's MIME type, by its extension, as the site serves it."""
        return filetypes.file_type(self.name).media_type

    @property
    def extension(self) -> str:
        """The file type people know it by: PDF, DOCX, CSV."""
        return Path(self.name).suffix.lstrip(".").upper()

    @property
    def has_text_kind(self) -> bool:
        """Whether the file is of a type whose text the site extracts (a text version)."""
        return filetypes.has_text(self.name)


@dataclass(frozen=True)
class Video:
    """A video published with a document, with the captions and/or transcript it needs."""

    name: str
    title: str
    captions: str = ""
    transcript: str = ""

    def files(self) -> tuple[str, ...]:
        """The names of the files that belong to the video."""
        return tuple(name for name in (self.name, self.captions, self.transcript) if name)


@dataclass(frozen=True)
class Document:
    """One published item of the catalogue."""

    slug: str
    path: Path
    title: str
    category: categories.Category
    index_no: str = ""
    doc_no: str = ""
    # The id of the body that publishes it (发布机构); department is the office within it.
    organisation: str = ""
    date: datetime.date | None = None
    department: str = ""
    time_limit: str = ""
    five_openness: str = ""
    mode: str = ""
    keywords: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    videos: tuple[Video, ...] = ()
    sample: bool = False
    report_path: Path | None = None
    report: reports.Report | None = field(default=None, repr=False)
    report_problems: tuple[reports.Problem, ...] = ()
    # The 政府网站工作年度报表 a document publishes: its data file and the form read from it.
    website_report_path: Path | None = None
    website_report: WebsiteReport | None = field(default=None, repr=False)
    # None: not in the review workflow (published as it is); else the approvals recorded.
    approvals: tuple[workflow.Approval, ...] | None = None
    digest: str = ""
    # (file name, SHA-256) of every file the digest covers, for the audit log.
    covers: tuple[tuple[str, str], ...] = ()
    published: datetime.date | None = None
    # The time of day of the 发布日期, where the file gives one (published: 2024-03-15 09:30).
    published_time: datetime.time | None = None
    # 更新日期 and what changed, when a published document is changed.
    updated: datetime.date | None = None
    updated_time: datetime.time | None = None
    change_note: str = ""
    # 内容概述: the page's description and the line under its title in lists.
    summary: str = ""
    # 时效: None when the file does not say.
    validity: "Validity | None" = None
    interprets: str = ""
    # The folder the document was read from (the content folder, or a last good snapshot's):
    # its files are served from below it and from nowhere else.
    root: Path | None = None
    body: str = field(default="", repr=False)
    body_line: int = 1
    # (key, line) of the front matter values checked against the whole catalogue.
    field_lines: tuple[tuple[str, int], ...] = field(default=(), repr=False, compare=False)

    def line_of(self, key: str) -> int:
        """The line of the file where key's value is written (1 when it is not written)."""
        return dict(self.field_lines).get(key, 1)

    @cached_property
    def body_parts(self) -> tuple[tuple[str, int | None], ...]:
        """The body as (html, table number after it) pieces, split at [[table:N]] markers."""
        pieces = TABLE_MARKER.split(self.body)
        parts = []
        for start in range(0, len(pieces), 2):
            table = int(pieces[start + 1]) if start + 1 < len(pieces) else None
            parts.append((render_markdown(pieces[start]), table))
        return tuple(parts)

    @cached_property
    def text(self) -> str:
        """The body as plain text, for search."""
        return plain_text(render_markdown(TABLE_MARKER.sub("", self.body)))

    def render(self) -> None:
        """Render the body (page parts and search text) now, and keep it with the document."""
        for rendered in ("body_parts", "text"):
            getattr(self, rendered)

    @property
    def published_files(self) -> tuple[Path, ...]:
        """Every file published with the document: attachments, report data, the website form's
        data, videos, captions and transcripts."""
        videos = (self.path.parent / name for video in self.videos for name in video.files())
        data = (path for path in (self.report_path, self.website_report_path) if path)
        return (*(a.path for a in self.attachments), *data, *videos)

    def covered_files_unchanged(self) -> bool:
        """Whether every file the approvals cover still has the bytes they approved."""
        try:
            return all(
                digests.file_sha256(self.path.parent / name) == sha256
                for name, sha256 in self.covers
            )
        except OSError:
            return False

    @property
    def waiting_for(self) -> str | None:
        """The review stage the document waits for; None when it may be published."""
        if self.approvals is None:
            return None
        return workflow.next_stage(self.approvals, self.digest)

    @property
    def voided(self) -> str | None:
        """Why approvals recorded for the document no longer hold; None when they all do."""
        if self.approvals is None:
            return None
        return workflow.voided_reason(self.approvals, self.digest)

    @property
    def publication_date(self) -> datetime.date | None:
        """The day the document was made public (发布日期), as far as its file says.

        `published` is written by `portal review` on the day the last stage approves, which is
        the day the site starts serving the document: exactly what 条例 第五十条 asks of an
        annual report (向社会公布 by the deadline). A document outside the review workflow has
        no such record; its `date` is the date it carries, which for a report is the day it
        was issued (an imported report's date is the 发布日期 of the page it came from). With
        neither, the day is unknown, and nothing may assume it was on time or late.
        """
        return self.published or self.date

    @property
    def published_label(self) -> str:
        """The 发布日期 as inspectors read it: YYYY-MM-DD HH:MM where the time is known,
        YYYY-MM-DD otherwise (the document's date when it records no publication), or ''."""
        if self.published:
            return moment_label(self.published, self.published_time)
        return moment_label(self.date)

    @property
    def published_iso(self) -> str:
        """The 发布日期 for <time datetime>, as published_label chooses it."""
        if self.published:
            return moment_iso(self.published, self.published_time)
        return moment_iso(self.date)

    @property
    def updated_label(self) -> str:
        """The 更新日期 as published_label writes it, or ''."""
        return moment_label(self.updated, self.updated_time)

    @property
    def updated_iso(self) -> str:
        """The 更新日期 for <time datetime>, or ''."""
        return moment_iso(self.updated, self.updated_time)

    @property
    def year(self) -> int | None:
        """The year of the document's date, if it has one."""
        return self.date.year if self.date else None

    @property
    def five_openness_slug(self) -> str:
        """The URL slug of the document's 五公开 value, or ''."""
        return categories.FIVE_OPENNESS.get(self.five_openness, "")
