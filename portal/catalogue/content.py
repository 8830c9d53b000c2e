"""Content files -> Document objects.

A content file is Markdown with YAML front matter (docs/content-format.md). Parsing never
raises for a bad file: it returns the problems found, each with the file and line, so one broken
file is reported and the rest of the site keeps serving.
"""

import codecs
import datetime
import difflib
import os
import re
import time
from dataclasses import replace
from pathlib import Path

import yaml

from portal import filetypes, reports, workflow
from portal.catalogue import categories, organisations
from portal.catalogue.document import Attachment, Document, Problem, Video
from portal.catalogue.frontmatter import (
    Parse,
    capped,
    is_empty,
    read_front_matter,
    text_value,
)
from portal.catalogue.markup import body_problems
from portal.catalogue.moments import read_dates
from portal.catalogue.validity import read_validity
from portal.catalogue.website_forms import attach_form, data_file_name
from portal.catalogue.wording import flagged_wording
from portal.text import FrontMatterError, split_front_matter
from portal.workflow import digests

MAX_FILE_BYTES = 2 * 1024 * 1024
# A body whose Markdown takes longer than this to parse is rendered when its file is read, not
# when a visitor first asks for the page (most bodies take about a millisecond).
RENDER_WHEN_READ_SECONDS = 0.02
# Markdown scans ahead from every "[" for the end of a link: tens of microseconds each, so a
# body of nothing but "![" took minutes to check and render. Real documents have hundreds.
MAX_BRACKETS = 10_000
# A 内容概述 is a sentence or two: the page's description and the line under its title in lists.
MAX_SUMMARY = 300
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INDEX_NO = re.compile(r"^(?:[0-9A-Z]{9}/\d{4}|[0-9A-Z]{18}/\d{6})-\d{3,6}$")
DOC_NO = re.compile(r"^\S+〔\d{4}〕\d+号$")

TEXT_FIELDS = ("title", "index_no", "doc_no", "department")
CHOICE_FIELDS = {
    "time_limit": categories.TIME_LIMITS,
    "five_openness": tuple(categories.FIVE_OPENNESS),
    "mode": categories.MODES,
}


def shown_path(path: Path, root: Path | None) -> Path:
    """path as messages show it: relative to the content folder when it is inside it."""
    return path.relative_to(root) if root and path.is_relative_to(root) else path


def parse_file(
    path: Path, root: Path | None = None, default_organisation: str = ""
) -> tuple[Document | None, list[Problem]]:
    """Read one content file; return the document (None if it cannot be published) and problems.

    A document that names no organisation belongs to default_organisation; whether the one it
    names exists is checked with the whole catalogue (build_catalogue)."""
    shown = shown_path(path, root)
    if through_link(path, root or path.parent):
        return None, [
            Problem(
                shown,
                1,
                "a symbolic link: content must be real files and "
                "folders inside the content folder; copy it here",
            )
        ]
    return parse_content(path.read_bytes(), path, root, default_organisation)


def parse_content(
    raw: bytes, path: Path, root: Path | None = None, default_organisation: str = ""
) -> tuple[Document | None, list[Problem]]:
    """Read raw as the content of the file at path, which need not exist (a draft checked
    before it is written); files it declares are looked for beside path. As parse_file."""
    shown = shown_path(path, root)
    if len(raw) > MAX_FILE_BYTES:
        message = (
            f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}: split it or "
            "move data to attachments"
        )
        return None, [Problem(shown, 1, message)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                shown,
                line,
                f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
            )
        ]
    try:
        lines, end = split_front_matter(text)
    except FrontMatterError as error:
        return None, [Problem(shown, 1, str(error))]
    parse = Parse(shown, offset=1)
    fields = read_front_matter(parse, "\n".join(lines[1:end]), closing_line=end + 1)
    if fields is None:
        return None, capped(parse.problems)
    body = "\n".join(lines[end + 1 :])
    document = _build_document(parse, path, fields, body, end + 2, default_organisation)
    if document is not None:
        document = replace(document, root=root or path.parent)
    if document is not None and document.report_path is not None:
        document = _attach_report(parse, document, shown.parent / document.report_path.name)
    if document is not None and document.website_report_path is not None:
        data_file = shown.parent / document.website_report_path.name
        document = attach_form(parse, document, data_file)
    if document is not None and "review" in fields:
        document = _attach_review(parse, document, fields)
    blocking = [p for p in parse.problems if p.severity == "error" and p.blocks_publication]
    if blocking:
        return None, capped(parse.problems)
    if document is not None and parse.body_seconds > RENDER_WHEN_READ_SECONDS:
        # A body that is slow to render (huge, or made to be) is rendered here, where files
        # are read (off the request path), and kept with the document; a visitor never waits.
        document.render()
    return document, capped(parse.problems)


def _build_document(
    parse: Parse, path: Path, fields: dict, body: str, body_line: int, default_organisation: str
) -> Document | None:
    """Check each field's value and assemble the Document."""
    values: dict = {}
    for key in TEXT_FIELDS:
        if key in fields:
            values[key] = text_value(parse, key, fields[key])
    if "title" in fields and not values.get("title"):
        parse.problem(fields["title"], "title: a document needs a title")

    if values.get("index_no") and not INDEX_NO.match(values["index_no"]):
        parse.problem(
            fields["index_no"],
            f"index_no: '{values['index_no']}' is not of the form 014314799/2024-00002",
        )
    if values.get("doc_no") and not DOC_NO.match(values["doc_no"]):
        parse.problem(
            fields["doc_no"], f"doc_no: '{values['doc_no']}' is not of the form 示科发〔2024〕12号"
        )

    if "date" in fields:
        values["date"] = _date(parse, fields["date"])
    for key, allowed in CHOICE_FIELDS.items():
        if key in fields:
            values[key] = _choice(parse, key, fields[key], allowed)
    category = _category(parse, fields.get("category"))
    if "keywords" in fields:
        values["keywords"] = _keywords(parse, fields["keywords"])
    if "attachments" in fields:
        values["attachments"] = _attachments(parse, path, fields["attachments"])
    if "videos" in fields:
        values["videos"] = _videos(parse, path, fields["videos"])
    if "sample" in fields:
        values["sample"] = _flag(parse, "sample", fields["sample"])
    if "report" in fields:
        values["report_path"] = _report_path(parse, path, fields["report"], category)
    node = fields.get("website_report")
    if node is not None and (name := data_file_name(parse, node, category)):
        values["website_report_path"] = _sibling(parse, path, node, "website_report", name, None)
    values.update(read_dates(parse, fields, values.get("date")))
    if "summary" in fields:
        values["summary"] = text_value(parse, "summary", fields["summary"])
        if len(values["summary"]) > MAX_SUMMARY:
            parse.problem(
                fields["summary"],
                f"summary: {len(values['summary'])} characters; a 内容概述 takes at most "
                f"{MAX_SUMMARY}",
            )
    since = (
        _date(parse, fields["validity_date"], "validity_date")
        if "validity_date" in fields
        else None
    )
    values["validity"] = read_validity(parse, fields, since, values.get("date"), path.stem)
    if "interprets" in fields:
        values["interprets"] = text_value(parse, "interprets", fields["interprets"])
    values["organisation"] = default_organisation
    if "organisation" in fields:
        named = text_value(parse, "organisation", fields["organisation"])
        if named and not organisations.ID.match(named):
            parse.problem(
                fields["organisation"],
                f"organisation: '{named}' is not an organisation id (the name of its file "
                "under content/organisations/, such as lingwu-kjj)",
            )
        values["organisation"] = named or default_organisation
    values["field_lines"] = tuple(
        (key, fields[key].start_mark.line + 1 + parse.offset)
        for key in ("organisation", "index_no", "report", "replaced_by", "website_report")
        if key in fields
    )

    slug = path.stem
    if not SLUG.match(slug):
        parse.problem(
            1,
            f"file name '{path.name}' must be lower-case ASCII letters, digits and "
            "hyphens: it is the document's web address",
        )
    if body.count("[") > MAX_BRACKETS:
        excess = body.replace("[", "\0", MAX_BRACKETS).index("[")
        parse.problem(
            body_line + body.count("\n", 0, excess),
            f"more than {MAX_BRACKETS:,} '[' in the text: Markdown reads each as the "
            "start of a link, which makes the page slow to build; split the document",
        )
        return None
    started = time.perf_counter()
    tables, images = body_problems(body)
    parse.body_seconds = time.perf_counter() - started
    for line in tables:
        parse.problem(
            body_line + line - 1, "table without a caption: write a line '表：标题' just above it"
        )
    for line in images:
        parse.problem(
            body_line + line - 1,
            "image without a text alternative: write what it "
            "shows between the brackets, ![like this](file.png)",
        )
    meant = (
        _keywords(parse, fields["words_ok"], "words_ok", "[笔划]") if "words_ok" in fields else ()
    )
    if values.get("title"):
        title_line = fields["title"].start_mark.line + 1 + parse.offset
        for line, message in flagged_wording(values["title"], title_line, frozenset(meant)):
            parse.problem(line, message, "warning")
    for line, message in flagged_wording(body, body_line, frozenset(meant)):
        parse.problem(line, message, "warning")
    if category is None or not values.get("title"):
        return None
    return Document(
        slug=slug, path=path, category=category, body=body, body_line=body_line, **values
    )


def _date(parse: Parse, node: yaml.Node, key: str = "date") -> datetime.date | None:
    if is_empty(node):
        return None
    value = node.value.strip() if isinstance(node, yaml.ScalarNode) else ""
    if not ISO_DATE.match(value):
        parse.problem(node, f"{key}: '{value}' is not a date written as YYYY-MM-DD")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        parse.problem(node, f"{key}: {value} does not exist in the calendar")
        return None


def _choice(parse: Parse, key: str, node: yaml.Node, allowed: tuple[str, ...]) -> str:
    value = text_value(parse, key, node)
    if value and value not in allowed:
        parse.problem(node, f"{key}: '{value}' is not one of {', '.join(allowed)}")
        return ""
    return value


def _category(parse: Parse, node: yaml.Node | None) -> categories.Category | None:
    if node is None:
        return None
    name = text_value(parse, "category", node)
    if not name:
        parse.problem(node, "category: a document needs a category of the catalogue tree")
        return None
    if name not in categories.BY_NAME:
        hint = difflib.get_close_matches(name, list(categories.BY_NAME), n=1, cutoff=0.5)
        parse.problem(
            node,
            f"category: '{name}' is not in the catalogue tree"
            + (f"; did you mean '{hint[0]}'?" if hint else "")
            + " (see docs/content-format.md)",
        )
        return None
    return categories.BY_NAME[name]


def _keywords(
    parse: Parse, node: yaml.Node, key: str = "keywords", example: str = "[科技特派员, 管理办法]"
) -> tuple[str, ...]:
    if is_empty(node):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        parse.problem(node, f"{key}: write a list, e.g. {key}: {example}")
        return ()
    words = (text_value(parse, key, item) for item in node.value)
    return tuple(word for word in words if word)


def _entries(parse: Parse, key: str, node: yaml.Node) -> list[tuple[yaml.Node, dict]]:
    """The items of a list of '- file: ...' entries as (item, {field: node}); a bare item is
    taken as its file name."""
    if is_empty(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        parse.problem(node, f"{key}: write a list of '- file: name' entries")
        return []
    return [
        (
            item,
            dict((k.value, v) for k, v in item.value)
            if isinstance(item, yaml.MappingNode)
            else {"file": item},
        )
        for item in node.value
    ]


def _attachments(parse: Parse, path: Path, node: yaml.Node) -> tuple[Attachment, ...]:
    found = []
    for item, entry in _entries(parse, "attachments", node):
        name = text_value(parse, "attachments", entry["file"]) if "file" in entry else ""
        if not name:
            parse.problem(item, "attachments: each entry needs 'file: name of the file'")
            continue
        file = _sibling(parse, path, entry["file"], "attachments", name, filetypes.ATTACHMENT_TYPES)
        if file is None:
            continue
        title = text_value(parse, "attachments", entry["title"]) if "title" in entry else ""
        found.append(Attachment(name, title or name, file, file.stat().st_size))
    return tuple(found)


VIDEO_PARTS = {
    "file": ("a video", filetypes.VIDEO_TYPES),
    "captions": ("captions", filetypes.CAPTION_TYPES),
    "transcript": ("a transcript", filetypes.TRANSCRIPT_TYPES),
}


def _videos(parse: Parse, path: Path, node: yaml.Node) -> tuple[Video, ...]:
    """Videos beside the document; each needs captions (WebVTT) or a transcript."""
    found = []
    for item, entry in _entries(parse, "videos", node):
        names = {
            key: text_value(parse, "videos", entry[key]) if key in entry else ""
            for key in ("file", "title", "captions", "transcript")
        }
        if not names["file"]:
            parse.problem(item, "videos: each entry needs 'file: name of the video'")
            continue
        if not (names["captions"] or names["transcript"]):
            parse.problem(
                item,
                f"videos: '{names['file']}' needs captions (a .vtt file) or a "
                "transcript, so people who cannot hear it can follow",
            )
        usable = [
            _sibling(parse, path, entry[key], "videos", names[key], allowed, role) is not None
            for key, (role, allowed) in VIDEO_PARTS.items()
            if names[key]
        ]
        if all(usable):
            found.append(
                Video(
                    names["file"],
                    names["title"] or names["file"],
                    names["captions"],
                    names["transcript"],
                )
            )
    return tuple(found)


def _sibling(
    parse: Parse,
    path: Path,
    node: yaml.Node,
    key: str,
    name: str,
    allowed: tuple[str, ...] | None,
    role: str = "",
) -> Path | None:
    """The file called name beside the document, or None with the problem reported: a plain
    name, of a type allowed here, a real file (never a link that could lead outside content/),
    and text in UTF-8, which is how the site declares it."""
    if not filetypes.plain_file_name(name):
        parse.problem(node, f"{key}: '{name}' must be a plain file name in the document's folder")
        return None
    if allowed is not None and filetypes.extension(name) not in allowed:
        what = f" as {role}" if role else ""
        parse.problem(
            node,
            f"{key}: '{name}' is not a type the site publishes{what}; use "
            f"one of: {', '.join(allowed)} (see docs/content-format.md)",
        )
        return None
    file = path.parent / name
    if file.is_symlink():
        parse.problem(
            node,
            f"{key}: '{name}' is a symbolic link; put the file itself in the document's folder",
        )
        return None
    if not file.is_file():
        parse.problem(node, f"{key}: file '{name}' not found next to the document")
        return None
    if allowed is not None and filetypes.file_type(name).media_type.startswith("text/"):
        problem = _not_utf8(file)
        if problem:
            parse.problem(node, f"{key}: '{name}' {problem}; save it as UTF-8")
            return None
    return file


def _not_utf8(file: Path, chunk: int = 1 << 20) -> str:
    """Why a text file is not UTF-8 ('' when it is), read a piece at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with file.open("rb") as stream:
        while True:
            data = stream.read(chunk)
            try:
                decoder.decode(data, final=not data)
            except UnicodeDecodeError as error:
                return (
                    f"is not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                    f"{offset + error.start})"
                )
            if not data:
                return ""
            offset += len(data)


def through_link(path: Path, root: Path) -> bool:
    """Whether path, or a folder between root and it, is a symbolic link."""
    if not path.is_relative_to(root):
        return path.is_symlink()
    parts = path.relative_to(root).parts
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


def _flag(parse: Parse, key: str, node: yaml.Node) -> bool:
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    if value not in ("true", "false"):
        parse.problem(node, f"{key}: write true or false")
        return False
    return value == "true"


def _report_path(
    parse: Parse, path: Path, node: yaml.Node, category: categories.Category | None
) -> Path | None:
    name = text_value(parse, "report", node)
    if not name:
        return None
    if category is not None and category.slug != "annual-reports":
        parse.problem(node, "report: only documents in 政府信息公开年报 carry report tables")
    return _sibling(parse, path, node, "report", name, allowed=None)


def _attach_report(parse: Parse, document: Document, shown: Path) -> Document:
    """Load the document's statutory tables and check them (R1-R5, R7); report problems."""
    try:
        report = reports.load_report(document.report_path)
    except reports.ReportError as error:
        parse.problems.append(Problem(shown, error.line or 1, error.message))
        return document
    found = tuple(reports.validate_report(report, document.body))
    for problem in found:
        parse.problems.append(
            Problem(
                shown,
                problem.line or 1,
                f"{problem.rule} {problem.message}",
                problem.severity,
                blocks_publication=False,
            )
        )
    if report.sample != document.sample:
        parse.problems.append(
            Problem(
                shown,
                1,
                "sample: the data file and the document must "
                "agree on whether this is sample content",
            )
        )
    return replace(document, report=report, report_problems=found)


def _attach_review(parse: Parse, document: Document, fields: dict) -> Document:
    """Read the review record and digest the document as published; a malformed record or an
    unreadable file is reported and keeps the document a draft."""
    node = fields["review"]
    if not (is_empty(node) or isinstance(node, yaml.SequenceNode)):
        parse.problem(node, "review: a list of approvals, written by 'portal review'")
        return replace(document, approvals=(), digest="")
    approvals = tuple(workflow.approvals_from_node(node))
    for approval in approvals:
        if approval.stage not in workflow.STAGES:
            parse.problem(node, f"review: unknown stage {approval.stage!r}")
    covers = []
    for file in document.published_files:
        try:
            covers.append((file.name, digests.file_sha256(file)))
        except OSError as error:
            parse.problem(
                node,
                f"review: cannot read '{file.name}' to check what the "
                f"approvals cover ({error.strerror})",
            )
            return replace(document, approvals=approvals, digest="")
    if any(not digests.is_current(approval.digest) for approval in approvals):
        # Not blocking: the document stays readable as a draft that waits for 初审 again.
        parse.problems.append(
            Problem(
                parse.path,
                node.start_mark.line + 1 + parse.offset,
                "review: approved before approvals covered attachments, report data and videos; "
                "the old approvals no longer count: approve the document again from 初审",
                blocks_publication=False,
            )
        )
    digest = digests.document_digest(fields, document.body, covers)
    return replace(document, approvals=approvals, digest=digest, covers=tuple(covers))


def content_files(content_dir: Path) -> list[Path]:
    """Every content file under content_dir, in a stable order; dot-files are skipped.

    Symbolic links are listed (a linked folder as itself) but never followed, so parse_file
    reports each one and nothing outside content_dir is ever read as content."""
    found = []
    for folder, folders, names in os.walk(content_dir):  # never descends into a linked folder
        base = Path(folder)
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [base / name for name in folders if (base / name).is_symlink()]
        found += [
            base / name for name in names if name.endswith(".md") and not name.startswith(".")
        ]
    return sorted(found)
