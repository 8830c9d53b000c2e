"""A draft's catalogue fields and its file, both ways: the values a form shows, read from a
content file's front matter, and the file written from them as `portal new` writes one (the
same keys, in the same order and format). An edited file keeps every line the form does not
change: the keys it does not show (organisation, report, videos, review, published), comments,
and the way each unchanged value is written, so saving without a change rewrites nothing and
an unchanged value never voids an approval."""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from portal.catalogue.frontmatter import (
    REQUIRED_KEYS,
    Parse,
    compose_front_matter,
    is_empty,
    text_value,
)
from portal.text import FrontMatterError, split_front_matter
from portal.workflow import digests

# Every key of a document, in the order `portal new` writes them.
ORDER = (
    "title",
    "organisation",
    "index_no",
    "doc_no",
    "date",
    "department",
    "time_limit",
    "category",
    "five_openness",
    "mode",
    "keywords",
    "attachments",
    "sample",
    "interprets",
    "report",
    "videos",
    "review",
    "published",
)
# The keys a drafting form shows and changes; every other key is kept as it is written.
FORM_KEYS = (*REQUIRED_KEYS, "sample", "interprets")
# Optional keys, left out of the file while they hold their default.
DEFAULTS = {"sample": False, "interprets": ""}
_TEXT_KEYS = ("title", "index_no", "doc_no", "department", "time_limit", "category")
_TEXT_KEYS += ("five_openness", "mode", "interprets")
_QUOTED = ("title", "index_no")  # as portal new writes them, whatever they hold
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WIDE = 2**31  # never fold a value over two lines


class EditRefused(ValueError):
    """A content file the form cannot rewrite without touching what it does not show; the
    message says why, for staff."""


@dataclass(frozen=True)
class DraftFields:
    """What a drafting form holds: every catalogue field, its attachments as (file, title),
    and the Markdown body."""

    title: str = ""
    index_no: str = ""
    doc_no: str = ""
    date: str = ""
    department: str = ""
    time_limit: str = ""
    category: str = ""
    five_openness: str = ""
    mode: str = ""
    keywords: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str], ...] = ()
    sample: bool = False
    interprets: str = ""
    body: str = ""


@dataclass(frozen=True)
class _Entry:
    """One top-level key of a front matter: its line, the last line of its value and the
    lines after it up to the next key (comments, blank lines), as indexes of the file's lines."""

    key: str
    first: int
    last: int
    end: int


@dataclass(frozen=True)
class FrontMatter:
    """A content file split for editing."""

    lines: tuple[str, ...]
    closing: int  # index of the line that closes the front matter
    values: dict[str, yaml.Node]
    entries: tuple[_Entry, ...]

    @property
    def body(self) -> str:
        """The Markdown after the front matter, exactly."""
        return "\n".join(self.lines[self.closing + 1 :])

    def key_at(self, line: int) -> str:
        """The key whose lines hold the file's line (1-based): a key, 'body' below the front
        matter, '' for the lines around it."""
        index = line - 1
        if index > self.closing:
            return "body"
        return next((e.key for e in self.entries if e.first <= index < e.end), "")


def split_for_editing(text: str) -> FrontMatter:
    """The file's front matter as keys and the lines each takes; EditRefused when the front
    matter cannot be read or is not written one `key: value` per line."""
    try:
        lines, closing = split_front_matter(text)
    except FrontMatterError as error:
        raise EditRefused(str(error)) from None
    parse = Parse(Path("draft"), offset=1)
    root = compose_front_matter(parse, "\n".join(lines[1:closing]))
    if root is None:
        raise EditRefused("; ".join(f"line {p.line}: {p.message}" for p in parse.problems))
    starts = [key.start_mark.line + 1 for key, _value in root.value]
    if (
        root.flow_style
        or len(set(starts)) != len(starts)
        or len({key.start_mark.column for key, _value in root.value}) > 1
        or any(not isinstance(key, yaml.ScalarNode) for key, _value in root.value)
    ):
        raise EditRefused(
            "the front matter is not written one 'key: value' per line; "
            "write it so (as portal new does) and try again"
        )
    values: dict[str, yaml.Node] = {}
    entries = []
    for number, (key, value) in enumerate(root.value):
        values.setdefault(key.value, value)
        last = value.end_mark.line + 1
        if value.end_mark.column == 0 and last > starts[number]:
            last -= 1  # a block value ends where the next line starts
        end = starts[number + 1] if number + 1 < len(starts) else closing
        entries.append(_Entry(key.value, starts[number], min(last, end - 1), end))
    return FrontMatter(tuple(lines), closing, values, tuple(entries))


def fields_of(front: FrontMatter) -> DraftFields:
    """The values a form shows for a file, read as the site reads them (what the site would
    report as a problem shows as it is written, or empty)."""
    scratch = Parse(Path("draft"), offset=1)  # problems are the check's to report, not ours
    values = front.values

    def text(key: str) -> str:
        return text_value(scratch, key, values[key]) if key in values else ""

    found = {key: text(key) for key in _TEXT_KEYS}
    date = values.get("date")
    found["date"] = (
        date.value.strip() if isinstance(date, yaml.ScalarNode) and not is_empty(date) else ""
    )
    keywords = values.get("keywords")
    found["keywords"] = tuple(
        word
        for item in (keywords.value if isinstance(keywords, yaml.SequenceNode) else ())
        if (word := text_value(scratch, "keywords", item))
    )
    found["attachments"] = tuple(_attachments(scratch, values.get("attachments")))
    sample = values.get("sample")
    found["sample"] = isinstance(sample, yaml.ScalarNode) and sample.value == "true"
    return DraftFields(**found, body=front.body)


def _attachments(scratch: Parse, node: yaml.Node | None):
    """(file, title) of each entry of an attachments list, as content.py reads them."""
    for item in node.value if isinstance(node, yaml.SequenceNode) else ():
        if isinstance(item, yaml.MappingNode):
            entry = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            file = text_value(scratch, "attachments", entry["file"]) if "file" in entry else ""
            title = text_value(scratch, "attachments", entry["title"]) if "title" in entry else ""
            yield file, title
        else:
            yield text_value(scratch, "attachments", item), ""


def new_text(fields: DraftFields, organisation: str = "") -> str:
    """A new draft's file: every key in the order and format of `portal new`, the body after
    it, and `review: []`, so it waits for 初审 and is not public until every stage approves.
    organisation: the id to write (empty for the site's implicit body, as portal new does)."""
    lines = ["---"]
    for key in ORDER:
        if key == "organisation" and organisation:
            lines.append(f"organisation: {_scalar(organisation)}")
        elif key in FORM_KEYS and not _left_out(key, fields):
            lines += _rendered(key, fields, "")
        elif key == "review":
            lines.append("review: []")
    text = "\n".join([*lines, "---", _body(fields.body)])
    if not _same(fields_of(split_for_editing(text)), fields):
        raise EditRefused("these values cannot be written so that they read back the same")
    return text


def edited_text(text: str, fields: DraftFields) -> str:
    """The file text with the form's values: a value the form changed is written anew where it
    was (a key the file lacks goes where portal new puts it), everything else stays as it is
    written; the text itself when nothing changed. EditRefused when the result would not read
    back as exactly these values with every other key unchanged."""
    front = split_for_editing(text)
    before = fields_of(front)
    if _same(before, fields):
        return text
    first_key = front.entries[0].first if front.entries else front.closing
    first_line = front.lines[first_key]
    indent = first_line[: len(first_line) - len(first_line.lstrip(" "))]  # keys indented alike
    # Blocks of lines: (key or None, value lines, lines after the value), in file order.
    blocks: list[tuple[str | None, list[str], list[str]]] = [
        (None, [], list(front.lines[1:first_key]))
    ]
    for entry in front.entries:
        value = list(front.lines[entry.first : entry.last + 1])
        blocks.append((entry.key, value, list(front.lines[entry.last + 1 : entry.end])))
    for key in FORM_KEYS:
        at = next((n for n, block in enumerate(blocks) if block[0] == key), None)
        if at is not None and getattr(before, key) == getattr(fields, key):
            continue
        new = [] if _left_out(key, fields) else _rendered(key, fields, indent)
        if at is not None:
            blocks[at] = (key, new, blocks[at][2])
        elif new:
            blocks.insert(_place_for(key, blocks), (key, new, []))
    head = [line for _key, value, after in blocks for line in value + after]
    body = (
        list(front.lines[front.closing + 1 :])
        if _body(before.body) == _body(fields.body)
        else _body(fields.body).split("\n")
    )
    result = "\n".join([front.lines[0], *head, front.lines[front.closing], *body])
    _check_rewrite(front, result, fields)
    return result


def _same(before: DraftFields, after: DraftFields) -> bool:
    same_values = all(getattr(before, key) == getattr(after, key) for key in FORM_KEYS)
    return same_values and _body(before.body) == _body(after.body)


def _place_for(key: str, blocks: list) -> int:
    """Where a key the file lacks goes: after the nearest key before it in portal new's order
    that the file has, else first."""
    earlier = ORDER[: ORDER.index(key)]
    for number in range(len(blocks) - 1, 0, -1):
        if blocks[number][0] in earlier:
            return number + 1
    return 1


def _check_rewrite(front: FrontMatter, result: str, fields: DraftFields) -> None:
    """Read the rewritten file back: the form's values exactly, every other key unchanged."""
    try:
        after = split_for_editing(result)
    except EditRefused:
        after = None
    unchanged = after is not None and _same(fields_of(after), fields)
    if unchanged:
        others = {key for key in front.values if key not in FORM_KEYS}
        unchanged = others == {key for key in after.values if key not in FORM_KEYS} and all(
            digests.node_digest(front.values[key]) == digests.node_digest(after.values[key])
            for key in others
        )
    if not unchanged:
        raise EditRefused(
            "the form cannot rewrite this front matter without changing other values; "
            "edit the file by hand (and run portal check)"
        )


def _left_out(key: str, fields: DraftFields) -> bool:
    return key in DEFAULTS and getattr(fields, key) == DEFAULTS[key]


def _rendered(key: str, fields: DraftFields, indent: str) -> list[str]:
    """The lines that write one key's value, as portal new writes it."""
    value = getattr(fields, key)
    if key == "keywords":
        listed = yaml.safe_dump(
            list(value), default_flow_style=True, allow_unicode=True, width=_WIDE
        )
        return [f"{indent}keywords: {listed.strip()}"]
    if key == "attachments":
        lines = [f"{indent}attachments:"]
        for file, title in value:
            lines.append(f"{indent}  - file: {_scalar(file)}")
            if title:
                lines.append(f"{indent}    title: {_scalar(title)}")
        return lines
    if key == "sample":
        return [f"{indent}sample: true"]
    if not value:
        return [f"{indent}{key}:"]
    if key == "date" and _ISO_DATE.match(value):
        return [f"{indent}date: {value}"]
    return [f"{indent}{key}: {_scalar(value, quoted=key in _QUOTED)}"]


def _scalar(value: str, quoted: bool = False) -> str:
    """value as one line of YAML that reads back as this text: plain when YAML reads it so,
    else quoted (double quotes escape what cannot be written plainly)."""
    if not quoted:
        written = yaml.safe_dump(value, allow_unicode=True, width=_WIDE)
        written = written.removesuffix("\n...\n").removesuffix("\n")
        if "\n" not in written:
            return written
    written = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=_WIDE)
    return written.removesuffix("\n")


def _normal(body: str) -> str:
    """A body with its line ends as a file holds them (a browser sends CR LF)."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def _body(body: str) -> str:
    """A body to write: Unix line ends and a final one."""
    body = _normal(body)
    return body if body.endswith("\n") or not body else body + "\n"
