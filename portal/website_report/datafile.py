"""The data file of a 政府网站工作年度报表, ``<slug>.form.yml`` beside its document: read once,
every value parsed by its row's kind, every problem with the line it is on; and written as
`portal website-report` writes it, one row a line with its label and where its value comes from.

A row without a value is not filled (``null``, or left out): the form shows 未填报 there, never
0, which is a count like any other."""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from portal import bounded_yaml
from portal.website_report.schema import (
    COUNT,
    DATE,
    DAYS,
    NO,
    NUMBERS,
    OPTIONS,
    PARTS,
    ROWS,
    ROWS_BY_KEY,
    SECTIONS,
    SIGNATURE,
    SOURCES,
    YES,
    YES_NO,
    Row,
    Section,
)

# A real data file is about 5 KB; anything far larger is not one.
MAX_BYTES = 64 * 1024
MAX_TEXT = 200  # characters of a text row (a name, an address, a telephone number)
FIRST_YEAR = 2017  # the first year a form was published for (国办函〔2018〕12号)
TOP_KEYS = ("year", "sample", "values")
WHOLE = re.compile(r"^(?:0|[1-9]\d*)$")
DECIMAL = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d{1,2})?$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"

Value = int | Decimal | str | tuple[str, ...] | datetime.date | None


@dataclass(frozen=True)
class Problem:
    """Something wrong in a data file, at a line, said so staff can fix it."""

    line: int
    message: str
    severity: str = "error"


@dataclass(frozen=True)
class WebsiteReport:
    """One year's form: the values of the rows filled in, by row key, and the line of each."""

    year: int
    values: dict[str, Value]
    sample: bool = False
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def value(self, key: str) -> Value:
        """The value of a row; None when it is not filled."""
        return self.values.get(key)

    @property
    def sections(self) -> tuple[Section, ...]:
        """The form's sections in its order, as a page draws them."""
        return SECTIONS

    @property
    def signature(self) -> Section:
        """The lines under the form: the reporting body and the people who answer for it."""
        return SIGNATURE

    @property
    def unfilled(self) -> tuple[Row, ...]:
        """The rows nobody has filled in yet, in the form's order (an optional row without a
        value says there is nothing to add)."""
        return tuple(row for row in ROWS if self.values.get(row.key) is None and not row.optional)


def load_form(path: Path) -> tuple[WebsiteReport | None, list[Problem]]:
    """Read a data file: the form (None when an error makes it unusable) and every problem."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(1, f"cannot read the file: {error.strerror}")]
    if len(raw) > MAX_BYTES:
        return None, [Problem(1, f"{len(raw):,} bytes; a form's data file is under {MAX_BYTES:,}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(line, "not UTF-8 text; save the file as UTF-8")]
    return parse_form(text.removeprefix("\ufeff"))


def parse_form(text: str) -> tuple[WebsiteReport | None, list[Problem]]:
    """Read the YAML text of a data file, as load_form."""
    try:
        root = bounded_yaml.compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(line, f"not YAML: {error.problem or error.context}")]
    except yaml.YAMLError as error:
        return None, [Problem(1, f"not YAML: {error}")]
    problems: list[Problem] = []
    top = _mapping(root, "the file", problems)
    if top is None:
        return None, problems
    for key, (key_node, _node) in top.items():
        if key not in TOP_KEYS:
            problems.append(Problem(_line(key_node), f"unknown key '{key}' (keys: year, values)"))
    year = _year(top, problems)
    sample = _sample(top, problems)
    values: dict[str, Value] = {}
    lines: dict[str, int] = {}
    if "values" not in top:
        problems.append(Problem(1, "missing 'values:', the rows of the form"))
    else:
        rows = _mapping(top["values"][1], "values", problems) or {}
        for key, (key_node, node) in rows.items():
            row = ROWS_BY_KEY.get(key)
            if row is None:
                problems.append(Problem(_line(key_node), _unknown_row(key)))
                continue
            lines[key] = _line(node)
            found = _value(row, node, problems)
            if found is not None:  # a row not filled is a row without a value
                values[key] = found
    if any(p.severity == "error" for p in problems) or year is None:
        return None, problems
    form = WebsiteReport(year, values, sample, lines)
    return form, problems + _warnings(form)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node, what: str, problems: list[Problem]) -> dict | None:
    """The entries of a mapping by key; a key written twice is an error, not a silent win."""
    if not isinstance(node, yaml.MappingNode):
        line = _line(node) if node is not None else 1
        problems.append(Problem(line, f"{what} must be 'key: value' lines"))
        return None
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(getattr(key_node, "value", ""))
        if key in entries:
            first = _line(entries[key][0])
            said = f"'{key}' written twice (first on line {first})"
            problems.append(Problem(_line(key_node), said))
            continue
        entries[key] = (key_node, value_node)
    return entries


def _unknown_row(key: str) -> str:
    import difflib

    hint = difflib.get_close_matches(key, list(ROWS_BY_KEY), n=1)
    guess = f"; did you mean '{hint[0]}'?" if hint else ""
    return f"'{key}' is not a row of the form{guess} (the rows: docs/website-report.md)"


def _year(top: dict, problems: list[Problem]) -> int | None:
    if "year" not in top:
        problems.append(Problem(1, "missing 'year:', the year the form covers"))
        return None
    node = top["year"][1]
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    if not re.fullmatch(r"[0-9]{4}", value) or int(value) < FIRST_YEAR:
        problems.append(
            Problem(_line(node), f"year: write the year the form covers, {FIRST_YEAR} or later")
        )
        return None
    return int(value)


def _sample(top: dict, problems: list[Problem]) -> bool:
    if "sample" not in top:
        return False
    node = top["sample"][1]
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    if value not in ("true", "false"):
        problems.append(Problem(_line(node), "sample: write true or false"))
    return value == "true"


def _value(row: Row, node: yaml.Node, problems: list[Problem]) -> Value:
    """A row's value as its kind reads it; None (not filled) for null or an empty value, and
    for a value in error (the problem is reported)."""
    line = _line(node)
    where = f"{row.key} ({row.label})"
    if isinstance(node, yaml.ScalarNode) and (
        node.tag == NULL_TAG or (node.style is None and not node.value.strip())
    ):
        return None
    if row.kind == OPTIONS:
        return _options(row, node, problems)
    if not isinstance(node, yaml.ScalarNode):
        problems.append(Problem(line, f"{where}: write one value on the line"))
        return None
    text = node.value.strip()
    if not text:
        return None
    if row.kind in NUMBERS:
        return _number(row, text, line, problems)
    if row.kind == YES_NO:
        answer = {"true": YES, "false": NO}.get(text.lower()) if node.tag == BOOL_TAG else text
        if answer not in (YES, NO):
            problems.append(Problem(line, f"{where}: write 是 or 否, not '{text}'"))
            return None
        return answer
    if row.kind == DATE:
        try:
            if not ISO_DATE.match(text):
                raise ValueError
            return datetime.date.fromisoformat(text)
        except ValueError:
            problems.append(Problem(line, f"{where}: write a date as YYYY-MM-DD, not '{text}'"))
            return None
    if len(text) > MAX_TEXT or "\n" in text or not text.isprintable():
        problems.append(Problem(line, f"{where}: at most {MAX_TEXT} characters on one line"))
        return None
    if row.options and text not in row.options:
        problems.append(Problem(line, f"{where}: '{text}' is not one of {'、'.join(row.options)}"))
        return None
    return text


def _number(row: Row, text: str, line: int, problems: list[Problem]) -> Value:
    where = f"{row.key} ({row.label})"
    if text.startswith("-") and DECIMAL.match(text[1:]):
        problems.append(Problem(line, f"{where}: {text} is negative; a count is 0 or more"))
        return None
    if row.kind == COUNT and not WHOLE.match(text):
        problems.append(
            Problem(line, f"{where}: '{text}' is not a whole number (write digits, such as 1024)")
        )
        return None
    if row.kind == DAYS and not DECIMAL.match(text):
        problems.append(
            Problem(line, f"{where}: '{text}' is not a number of days (such as 3 or 2.5)")
        )
        return None
    try:
        return int(text) if row.kind == COUNT else Decimal(text)
    except (ValueError, InvalidOperation):  # pragma: no cover - the patterns above let none by
        problems.append(Problem(line, f"{where}: '{text}' is not a number"))
        return None


def _options(row: Row, node: yaml.Node, problems: list[Problem]) -> Value:
    where = f"{row.key} ({row.label})"
    if not isinstance(node, yaml.SequenceNode):
        example = ", ".join(row.options[1:3])
        problems.append(Problem(_line(node), f"{where}: write a list, such as [{example}]"))
        return None
    chosen = []
    for item in node.value:
        text = item.value.strip() if isinstance(item, yaml.ScalarNode) else ""
        if text not in row.options:
            problems.append(
                Problem(_line(item), f"{where}: '{text}' is not one of {'、'.join(row.options)}")
            )
        elif text not in chosen:
            chosen.append(text)
    return tuple(option for option in row.options if option in chosen)


def _warnings(form: WebsiteReport) -> list[Problem]:
    """What staff should look at before the form is reviewed: parts adding up to more than
    their total, and the rows not filled yet."""
    found = []
    for total, parts in PARTS.items():
        counted = [form.value(part) for part in parts if form.value(part) is not None]
        whole = form.value(total)
        if whole is not None and counted and sum(counted) > whole:
            found.append(
                Problem(
                    form.lines.get(total, 1),
                    f"{total} ({ROWS_BY_KEY[total].label}) is {whole} but its parts "
                    f"({', '.join(parts)}) add up to {sum(counted)}",
                    "warning",
                )
            )
    if form.unfilled:
        keys = ", ".join(row.key for row in form.unfilled[:5])
        more = f" and {len(form.unfilled) - 5} more" if len(form.unfilled) > 5 else ""
        found.append(
            Problem(1, f"{len(form.unfilled)} rows not filled yet: {keys}{more}", "warning")
        )
    return found


# --- Writing ----------------------------------------------------------------------------------


def form_text(form: WebsiteReport) -> str:
    """The data file of a form: its rows in the form's order under their sections, each with
    its label and where its value comes from as a comment."""
    out = [
        f"# 政府网站工作年度报表（{form.year}年度）的数据。各行的含义见 docs/website-report.md。",
        "# 未填报的行写 null（0 是数量为零）；“人工填报”的行由工作人员填写。",
        "# 改后运行 portal check。",
        f"year: {form.year}",
    ]
    if form.sample:
        out.append("sample: true")
    out.append("values:")
    for section in (*SECTIONS, SIGNATURE):
        out.append(f"  # {section.label}")
        for entry in section.entries:
            if entry.heading:
                out.append(f"  # {entry.label}")
                continue
            source = SOURCES[entry.source]
            written = _written(form.value(entry.key))
            out.append(f"  {entry.key}: {written}  # {entry.label}（{source}）")
    return "\n".join(out) + "\n"


def _written(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, tuple):
        return "[" + ", ".join(_written(item) for item in value) + "]"
    if isinstance(value, (int, Decimal, datetime.date)):
        return str(value)
    plain = yaml.safe_load(f"k: {value}") if _plain_safe(value) else None
    return value if plain == {"k": value} else json.dumps(value, ensure_ascii=False)


def _plain_safe(value: str) -> bool:
    """Whether YAML may read the text unquoted at all (no comment, flow or quoting signs)."""
    return not re.search(r"[#:\[\]{},&*!|>'\"%@`]", value) and value == value.strip()
