"""A content file's YAML front matter, read with bounds and with the line of every value, and
the problems of one file collected as it is read."""

import difflib
from pathlib import Path

import yaml

from portal import bounded_yaml
from portal.catalogue.document import Problem

# Bounds on what one file may cost to read: a real front matter is under 2 KB, 17 keys and
# three levels deep. Beyond these a file is refused with one problem, before YAML builds it.
MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_FRONT_MATTER_KEYS = 64
MAX_YAML_DEPTH = 8
MAX_YAML_NODES = 4000
# More problems than this in one file are summed up in one line ("and 312 more").
MAX_PROBLEMS_PER_FILE = 20
REQUIRED_KEYS = (
    "title",
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
)
OPTIONAL_KEYS = (
    "sample",
    "report",
    "review",
    "published",
    "interprets",
    "videos",
    "organisation",
    "summary",
    "updated",
    "change_note",
    "validity",
    "validity_date",
    "replaced_by",
    "words_ok",
    "website_report",
)
YAML_KINDS = {
    "tag:yaml.org,2002:int": "the number",
    "tag:yaml.org,2002:float": "the number",
    "tag:yaml.org,2002:bool": "the boolean",
    "tag:yaml.org,2002:timestamp": "a date",
}


class Parse:
    """Collects the problems of one file while its front matter is read."""

    def __init__(self, path: Path, offset: int):
        self.path = path
        self.offset = offset
        self.problems: list[Problem] = []
        self.body_seconds = 0.0  # how long the body took to parse, for RENDER_WHEN_READ_SECONDS

    def problem(self, node_or_line, message: str, severity: str = "error") -> None:
        line = (
            node_or_line
            if isinstance(node_or_line, int)
            else (node_or_line.start_mark.line + 1 + self.offset)
        )
        self.problems.append(Problem(self.path, line, message, severity))


def capped(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS_PER_FILE problems, then one line counting the rest."""
    if len(problems) <= MAX_PROBLEMS_PER_FILE:
        return problems
    rest = problems[MAX_PROBLEMS_PER_FILE:]
    errors = [p for p in rest if p.severity == "error"]
    summary = Problem(
        rest[0].path,
        rest[0].line,
        f"and {len(rest):,} more problems in this file",
        "error" if errors else "warning",
        blocks_publication=any(p.blocks_publication for p in errors),
    )
    return [*problems[:MAX_PROBLEMS_PER_FILE], summary]


def compose_front_matter(parse: Parse, source: str) -> yaml.MappingNode | None:
    """Compose the front matter's YAML into its mapping node, keeping every value's line; None,
    with the problem reported, when it is too costly to read, not YAML or not a mapping.

    Bounded: a front matter too long, too deep, with too many values, or with aliases is
    refused with one problem, in time proportional to at most MAX_FRONT_MATTER_CHARS.
    """
    if len(source) > MAX_FRONT_MATTER_CHARS:
        lines = source.split("\n")
        longest = max(range(len(lines)), key=lambda n: len(lines[n]))
        if len(lines[longest]) > MAX_FRONT_MATTER_CHARS // 2:  # one huge line: point at it
            parse.problem(
                longest + 1 + parse.offset,
                f"this line is {len(lines[longest]):,} characters; front matter may "
                f"have {MAX_FRONT_MATTER_CHARS:,}: move long text into the body",
            )
        else:
            parse.problem(
                2,
                f"front matter is {len(source):,} characters; the limit is "
                f"{MAX_FRONT_MATTER_CHARS:,}: move long text into the body",
            )
        return None
    try:
        root = bounded_yaml.compose(source, depth=MAX_YAML_DEPTH, nodes=MAX_YAML_NODES)
    except bounded_yaml.TooComplex as error:
        parse.problem(
            error.problem_mark.line + 1 + parse.offset, f"front matter is refused: {error.problem}"
        )
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 + parse.offset if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        parse.problem(line, f"front matter is not valid YAML: {reason}")
        return None
    if not isinstance(root, yaml.MappingNode):
        parse.problem(2, "front matter must be a list of 'key: value' lines")
        return None
    return root


def read_front_matter(
    parse: Parse,
    source: str,
    closing_line: int,
    keys: tuple[tuple[str, ...], tuple[str, ...]] = (REQUIRED_KEYS, OPTIONAL_KEYS),
) -> dict | None:
    """Compose the YAML keeping line numbers; return {key: node} or None if unusable.

    keys are the (required, optional) keys: a document's unless told otherwise.

    Bounded: a front matter too long, too deep, with too many values or keys, or with aliases
    is refused with one problem, in time proportional to at most MAX_FRONT_MATTER_CHARS.
    """
    root = compose_front_matter(parse, source)
    if root is None:
        return None
    required, optional = keys
    if len(root.value) > MAX_FRONT_MATTER_KEYS:
        parse.problem(
            2,
            f"front matter has {len(root.value):,} keys; a document has at most "
            f"{len(required + optional)} (see docs/content-format.md)",
        )
        return None
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = key_node.value
        if key in fields:
            first = fields[key].start_mark.line + 1 + parse.offset
            parse.problem(
                key_node,
                f"'{key}' is written twice (first on line {first}); "
                "YAML would silently keep only the last one",
            )
            continue
        if key not in required + optional:
            hint = difflib.get_close_matches(key, required + optional, n=1)
            parse.problem(
                key_node, f"unknown key '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else "")
            )
            continue
        fields[key] = value_node
    for key in required:
        if key not in fields:
            parse.problem(
                closing_line,
                f"missing key '{key}' (write '{key}:' with no value if the source gives none)",
            )
    return fields


def is_empty(node: yaml.Node) -> bool:
    """Whether a value was left empty (key:, ~ or null, unquoted)."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.style is None
        and node.value in ("", "~", "null", "Null", "NULL")
    )


def text_value(parse: Parse, key: str, node: yaml.Node) -> str:
    """A text value; reports a plain scalar that YAML would read as another type."""
    if not isinstance(node, yaml.ScalarNode):
        parse.problem(node, f"{key}: expected text, found a list or mapping")
        return ""
    if is_empty(node):
        return ""
    if node.style is None:
        tag = yaml.SafeLoader("").resolve(yaml.ScalarNode, node.value, (True, False))
        if tag in YAML_KINDS:
            read_as = yaml.safe_load(node.value)
            parse.problem(
                node,
                f"{key}: YAML reads {node.value} as {YAML_KINDS[tag]} "
                f'{read_as!r}; put it in quotes: {key}: "{node.value}"',
            )
    return node.value.strip()
