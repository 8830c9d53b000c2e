"""Stage four of an import: the document around the tables. Its body as Markdown, with a marker
where each table goes, and the content file written from it: the front matter holds what the
report's own metadata table gave, under the content model's keys, and nothing else."""

from __future__ import annotations

import re

from portal.catalogue import REQUIRED_KEYS
from portal.reports.datafile import yaml_text
from portal.reports.importer.furniture import is_furniture
from portal.reports.importer.outline import MARKERS, Outline, heading_text, is_subheading
from portal.text import FrontMatterError, split_front_matter

CATEGORY = "政府信息公开年报"
# The front matter an imported report starts with: every key a document needs, its title
# written from the report's own.
FRONT_MATTER_KEYS = tuple(key for key in REQUIRED_KEYS if key != "title")
# Keys a report's metadata table may give besides the required ones, written after them.
OPTIONAL_FRONT_MATTER = ("published", "validity", "summary")


def _yaml_value(key: str, value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(yaml_text(str(item)) for item in value) + "]"
    text = str(value)
    if key == "index_no":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if key in ("date", "published"):
        return text  # an ISO date (and time) checked when it was read
    return yaml_text(text)


def render_markdown(
    title: str,
    body: str,
    slug: str | None,
    metadata: dict[str, object] | None = None,
    in_review: bool = False,
) -> str:
    """A content file for an imported report: what ``metadata`` gives (the report's own
    metadata table), every other field left empty; ``in_review``: a draft waiting for 初审."""
    metadata = metadata or {}
    lines = ["---", f"title: {yaml_text(title)}"]
    for key in FRONT_MATTER_KEYS:
        if key == "category":
            lines.append(f"{key}: {CATEGORY}")
        elif key in metadata:
            lines.append(f"{key}: {_yaml_value(key, metadata[key])}")
        else:
            lines.append(f"{key}:")
    for key in OPTIONAL_FRONT_MATTER:
        if key in metadata:
            lines.append(f"{key}: {_yaml_value(key, metadata[key])}")
    lines.append(f"report: {slug or '<slug>'}.report.yml")
    if in_review:
        # Cells left empty for staff: no stage approves it, so it is not public, until filled.
        lines.append("review: []")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def _escape(text: str) -> str:
    """Prose as Markdown that renders to exactly the same text."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    text = re.sub(r"^(#|[-+=]|\d+(?=[.)]))", r"\\\1", text)
    return text


def _paragraphs(lines: list[str]) -> list[str]:
    parts = []
    for line in lines:
        if is_subheading(line):
            parts.append(f"### {_escape(heading_text(line))}")
        else:
            parts.append(_escape(line))
    return parts


def build_body(outline: Outline, footnotes: dict[int, list[str]]) -> str:
    """The body in Markdown: the prose, each section heading, a marker and footnotes per table."""
    lines, found, end = outline.lines, outline.headings, outline.end

    def prose(first: int, last: int) -> list[str]:
        # Markers of empty or merged cells (a table in the prose) are no text of the report.
        return [
            text for _, text in lines[first:last] if text not in MARKERS and not is_furniture(text)
        ]

    def heading(name: str) -> str:
        return f"## {_escape(heading_text(lines[found[name]][1]))}"

    first_section = found.get("一", found["二"])
    parts = _paragraphs(prose(outline.title_at + outline.title_lines, first_section))
    if "一" in found:
        parts.append(heading("一"))
        parts += _paragraphs(prose(found["一"] + 1, found["二"]))
    for number, name in ((2, "二"), (3, "三"), (4, "四")):
        parts.append(heading(name))
        parts.append(f"[[table:{number}]]")
        parts += [_escape(note) for note in footnotes[number]]
    for name, following in (("五", "六"), ("六", None)):
        if name in found:
            last = found.get(following, end) if following else end
            parts.append(heading(name))
            parts += _paragraphs(prose(found[name] + 1, last))
    return "\n\n".join(parts) + "\n"


def content_file(
    title: str,
    body: str,
    slug: str,
    existing: str | None = None,
    metadata: dict[str, object] | None = None,
    in_review: bool = False,
) -> str:
    """The content file's text; the front matter of ``existing`` (the file's old text) is kept.

    Staff fill in the metadata the report did not give (日期, 责任部门 ...) by hand; importing a
    corrected text again replaces the body but not what they wrote in the front matter.
    """
    if existing is not None:
        try:
            old, close = split_front_matter(existing)
        except FrontMatterError:
            pass  # no front matter to keep: the new file replaces the old one whole
        else:
            return "\n".join(old[: close + 1]) + "\n" + body
    return render_markdown(title, body, slug, metadata, in_review)


def in_review(text: str) -> bool:
    """Whether a content file's front matter puts it in the review workflow (a ``review`` key)."""
    try:
        lines, close = split_front_matter(text)
    except FrontMatterError:
        return False
    return any(re.match(r"review\s*:", line) for line in lines[1:close])
