"""Annual report tables as data: the statutory layout, the data file, validation and downloads.

A 政府信息公开工作年度报告 in the format of 国办公开办函〔2021〕30号 carries three tables: table 2
(主动公开, 10 numbers), table 3 (依申请公开, 25 rows x 7 columns) and table 4 (行政复议、行政诉讼,
15 numbers). This module knows their row and column labels and gives each of the 200 cells a
stable key such as ``table3.new.person``. A report's tables live in a YAML data file beside its
Markdown (``<slug>.report.yml``, described in docs/report-data.md); this module reads it, checks
the consistency rules R1-R7 and converts reports to and from CSV and JSON.

Pure domain code: no Flask here. Labels visitors read are marked with ``N_`` so that the message
extractor finds them; the templates translate them with ``_``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar, Literal

import yaml

from portal import csv_cells
from portal.text import N_

# --- The statutory layout -------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A row of a statutory table; a heading row groups the rows below it and holds no numbers."""

    key: str
    label: str
    level: int = 0
    group: str | None = None
    heading: bool = False


@dataclass(frozen=True)
class Column:
    """A column of a statutory table; ``group`` is the key of the header spanning it, if any."""

    key: str
    label: str
    group: str | None = None


@dataclass(frozen=True)
class Block:
    """One of the four blocks of table 2 (第二十条第（一）、（五）、（六）、（八）项)."""

    key: str
    label: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Cell:
    """One of the 200 cells of the statutory tables."""

    table: int
    row: Row
    column: Column

    @property
    def key(self) -> str:
        """The stable key of the cell, e.g. ``table3.new.person``."""
        return f"table{self.table}.{self.row.key}.{self.column.key}"

    @property
    def decimal(self) -> bool:
        """True for the one cell holding an amount of money (万元) rather than a count."""
        return self.table == 2 and self.column.key == "amount"


TABLE_NAMES = {2: N_("表二"), 3: N_("表三"), 4: N_("表四")}
TABLE_CAPTIONS = {
    2: N_("二、主动公开政府信息情况"),
    3: N_("三、收到和处理政府信息公开申请情况"),
    4: N_("四、政府信息公开行政复议、行政诉讼情况"),
}

CONTENT_LABEL = N_("信息内容")
_DECISIONS = Column("decisions", N_("本年处理决定数量"))
TABLE2_BLOCKS = (
    Block(
        "item_1",
        N_("第二十条第（一）项"),
        (
            Column("issued", N_("本年制发件数")),
            Column("repealed", N_("本年废止件数")),
            Column("in_force", N_("现行有效件数")),
        ),
        (Row("rules", N_("规章")), Row("normative", N_("行政规范性文件"))),
    ),
    Block("item_5", N_("第二十条第（五）项"), (_DECISIONS,), (Row("licensing", N_("行政许可")),)),
    Block(
        "item_6",
        N_("第二十条第（六）项"),
        (_DECISIONS,),
        (Row("penalty", N_("行政处罚")), Row("coercion", N_("行政强制"))),
    ),
    Block(
        "item_8",
        N_("第二十条第（八）项"),
        (Column("amount", N_("本年收费金额（单位：万元）")),),
        (Row("fees", N_("行政事业性收费")),),
    ),
)

TABLE3_APPLICANTS_LABEL = N_("申请人情况")
TABLE3_NOTE = N_("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
TABLE3_COLUMN_GROUPS = {"organisation": N_("法人或其他组织")}
TABLE3_COLUMNS = (
    Column("person", N_("自然人")),
    Column("business", N_("商业企业"), "organisation"),
    Column("research", N_("科研机构"), "organisation"),
    Column("nonprofit", N_("社会公益组织"), "organisation"),
    Column("legal", N_("法律服务机构"), "organisation"),
    Column("other", N_("其他"), "organisation"),
    Column("total", N_("总计")),
)


def _subrows(group: str, rows: Sequence[tuple[str, str]]) -> tuple[Row, ...]:
    return tuple(Row(key, label, 2, group) for key, label in rows)


# Each inner tuple is one <tbody>: a heading and the rows it governs stay together.
TABLE3_SECTIONS: tuple[tuple[Row, ...], ...] = (
    (
        Row("new", N_("一、本年新收政府信息公开申请数量")),
        Row("carried_over", N_("二、上年结转政府信息公开申请数量")),
    ),
    (
        Row("results", N_("三、本年度办理结果"), heading=True),
        Row("granted", N_("（一）予以公开"), 1),
        Row("partly_granted", N_("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), 1),
    ),
    (
        Row("withheld", N_("（三）不予公开"), 1, heading=True),
        *_subrows(
            "withheld",
            (
                ("withheld_state_secret", N_("1.属于国家秘密")),
                ("withheld_prohibited", N_("2.其他法律行政法规禁止公开")),
                ("withheld_security", N_("3.危及“三安全一稳定”")),
                ("withheld_third_party", N_("4.保护第三方合法权益")),
                ("withheld_internal", N_("5.属于三类内部事务信息")),
                ("withheld_process", N_("6.属于四类过程性信息")),
                ("withheld_enforcement", N_("7.属于行政执法案卷")),
                ("withheld_inquiry", N_("8.属于行政查询事项")),
            ),
        ),
    ),
    (
        Row("unavailable", N_("（四）无法提供"), 1, heading=True),
        *_subrows(
            "unavailable",
            (
                ("unavailable_not_held", N_("1.本机关不掌握相关政府信息")),
                ("unavailable_not_existing", N_("2.没有现成信息需要另行制作")),
                ("unavailable_unclear", N_("3.补正后申请内容仍不明确")),
            ),
        ),
    ),
    (
        Row("unprocessed", N_("（五）不予处理"), 1, heading=True),
        *_subrows(
            "unprocessed",
            (
                ("unprocessed_petition", N_("1.信访举报投诉类申请")),
                ("unprocessed_repeated", N_("2.重复申请")),
                ("unprocessed_publication", N_("3.要求提供公开出版物")),
                ("unprocessed_excessive", N_("4.无正当理由大量反复申请")),
                ("unprocessed_confirmation", N_("5.要求行政机关确认或重新出具已获取信息")),
            ),
        ),
    ),
    (
        Row("other", N_("（六）其他处理"), 1, heading=True),
        *_subrows(
            "other",
            (
                (
                    "other_no_correction",
                    N_("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
                ),
                (
                    "other_unpaid",
                    N_("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
                ),
                ("other_misc", N_("3.其他")),
            ),
        ),
    ),
    (
        Row("total", N_("（七）总计"), 1),
        Row("carried_forward", N_("四、结转下年度继续办理")),
    ),
)

TABLE4_COLUMNS = (
    Column("upheld", N_("结果维持")),
    Column("corrected", N_("结果纠正")),
    Column("other", N_("其他结果")),
    Column("pending", N_("尚未审结")),
    Column("total", N_("总计")),
)
# Table 4 is shown with the three proceedings as rows (the statutory sheet has them as column
# groups, 15 columns wide): the same cells, readable on a phone.
TABLE4_SECTIONS: tuple[tuple[Row, ...], ...] = (
    (Row("review", N_("行政复议")),),
    (
        Row("litigation", N_("行政诉讼"), heading=True),
        Row("suit_direct", N_("未经复议直接起诉"), 1, "litigation"),
        Row("suit_after_review", N_("复议后起诉"), 1, "litigation"),
    ),
)

TABLE3_ROWS = tuple(row for section in TABLE3_SECTIONS for row in section if not row.heading)
TABLE4_ROWS = tuple(row for section in TABLE4_SECTIONS for row in section if not row.heading)
_HEADINGS = {
    row.key: row
    for sections in (TABLE3_SECTIONS, TABLE4_SECTIONS)
    for section in sections
    for row in section
    if row.heading
}


def table_rows(table: int) -> tuple[Row, ...]:
    """The rows of a table that hold numbers, in statutory order."""
    if table == 2:
        return tuple(row for block in TABLE2_BLOCKS for row in block.rows)
    return {3: TABLE3_ROWS, 4: TABLE4_ROWS}[table]


def row_columns(table: int, row_key: str) -> tuple[Column, ...]:
    """The columns a row has: every column for tables 3 and 4, its block's for table 2."""
    if table == 2:
        return next(block.columns for block in TABLE2_BLOCKS if row_key in _keys(block.rows))
    return {3: TABLE3_COLUMNS, 4: TABLE4_COLUMNS}[table]


def _keys(items: Sequence[Row | Column]) -> tuple[str, ...]:
    return tuple(item.key for item in items)


CELLS: tuple[Cell, ...] = tuple(
    Cell(table, row, column)
    for table in (2, 3, 4)
    for row in table_rows(table)
    for column in row_columns(table, row.key)
)
CELLS_BY_KEY = {cell.key: cell for cell in CELLS}


def row_name(table: int, row: Row) -> str:
    """The row's label, preceded by its group heading where the label alone is not enough."""
    if row.group and table == 4:
        return f"{_HEADINGS[row.group].label}（{row.label}）"
    return row.label


# --- The report --------------------------------------------------------------------------------

Value = int | Decimal | str | None
"""A cell: an int (a count) or a Decimal (the 收费金额); in data that breaks rule R7 the text
as written (str), or None where the value is missing."""

Table = dict[str, dict[str, Value]]


class ReportError(Exception):
    """A report data file (or CSV / JSON) that cannot be read at all; line may be None."""

    def __init__(self, path: Path | str | None, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<report>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class Report:
    """The statutory tables of one annual report: organisation, statistical year, 200 cells."""

    organisation: str
    year: int
    table2: Table
    table3: Table
    table4: Table
    sample: bool = False
    path: Path | None = field(default=None, compare=False)
    # Line of each cell ("table3.new.person"), row ("table3.new") and table ("table3") in the
    # data file, for messages that point at the line to fix.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    # The layout, reachable from templates through the report they are given.
    table_captions: ClassVar = TABLE_CAPTIONS
    content_label: ClassVar = CONTENT_LABEL
    table2_blocks: ClassVar = TABLE2_BLOCKS
    table3_applicants_label: ClassVar = TABLE3_APPLICANTS_LABEL
    table3_note: ClassVar = TABLE3_NOTE
    table3_column_groups: ClassVar = TABLE3_COLUMN_GROUPS
    table3_columns: ClassVar = TABLE3_COLUMNS
    table3_sections: ClassVar = TABLE3_SECTIONS
    table4_columns: ClassVar = TABLE4_COLUMNS
    table4_sections: ClassVar = TABLE4_SECTIONS

    @property
    def slug(self) -> str | None:
        """The document address the data file belongs to (``x.report.yml`` -> ``x``)."""
        if self.path is None:
            return None
        return self.path.name.removesuffix(".yml").removesuffix(".report")

    def table(self, number: int) -> Table:
        """Table 2, 3 or 4 as ``{row key: {column key: value}}``."""
        return {2: self.table2, 3: self.table3, 4: self.table4}[number]

    def value(self, table: int, row: str, column: str) -> Value:
        """The value of one cell (None when missing)."""
        return self.table(table).get(row, {}).get(column)

    def display(self, table: int, row: str, column: str) -> str:
        """The value of one cell as text for a page or a CSV file."""
        return format_value(self.value(table, row, column))

    def cells(self) -> Iterator[tuple[Cell, Value]]:
        """Every cell with its value, in statutory order."""
        for cell in CELLS:
            yield cell, self.value(cell.table, cell.row.key, cell.column.key)

    def line(self, table: int, row: str | None = None, column: str | None = None) -> int | None:
        """The line in the data file of a cell, else of its row, else of its table."""
        keys = [f"table{table}.{row}.{column}", f"table{table}.{row}", f"table{table}"]
        return next((self.lines[key] for key in keys if key in self.lines), None)


def format_value(value: Value) -> str:
    """A value as text: integers as digits, amounts without exponent, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def make_report(
    organisation: str,
    year: int,
    values: Mapping[str, Value] | None = None,
    *,
    default: int = 0,
    sample: bool = False,
) -> Report:
    """A report whose cells are ``default`` except those named by key in ``values``."""
    tables: dict[int, Table] = {2: {}, 3: {}, 4: {}}
    for cell in CELLS:
        value: Value = Decimal(default) if cell.decimal else default
        tables[cell.table].setdefault(cell.row.key, {})[cell.column.key] = value
    for key, value in (values or {}).items():
        cell = CELLS_BY_KEY[key]
        tables[cell.table][cell.row.key][cell.column.key] = value
    return Report(organisation, year, tables[2], tables[3], tables[4], sample=sample)


# --- Reading the data file ----------------------------------------------------------------------

_INT_TEXT = re.compile(r"[+-]?\d+")
_DECIMAL_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")
_TOP_KEYS = ("organisation", "year", "sample", "table2", "table3", "table4")


def load_report(path: Path) -> Report:
    """Read a ``<slug>.report.yml`` data file; raise ReportError when it cannot be read."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ReportError(path, None, "文件不是 UTF-8 编码") from None
    except OSError as error:
        raise ReportError(path, None, f"无法读取文件：{error.strerror}") from None
    return parse_report(text.removeprefix("\ufeff"), path)


def parse_report(text: str, path: Path | None = None) -> Report:
    """Read the YAML text of a data file, keeping the line of every cell for messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise ReportError(path, line, f"YAML 语法错误：{error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise ReportError(path, None, f"YAML 语法错误：{error}") from None
    if root is None:
        raise ReportError(path, None, "数据文件是空的")
    lines: dict[str, int] = {}
    top = _mapping(root, path, "数据文件")
    for key, (key_node, _) in top.items():
        if key not in _TOP_KEYS:
            allowed = "、".join(_TOP_KEYS)
            raise ReportError(path, _line(key_node), f"未知的键“{key}”（可用：{allowed}）")
    for key in ("organisation", "year", "table2", "table3", "table4"):
        if key not in top:
            raise ReportError(path, None, f"缺少“{key}”")
    organisation_node = top["organisation"][1]
    if not isinstance(organisation_node, yaml.ScalarNode) or not organisation_node.value.strip():
        raise ReportError(path, _line(organisation_node), "organisation 应是机关名称")
    year_node = top["year"][1]
    if not (isinstance(year_node, yaml.ScalarNode) and re.fullmatch(r"\d{4}", year_node.value)):
        raise ReportError(path, _line(year_node), "year 应是四位数的统计年度，如 2024")
    sample = False
    if "sample" in top:
        sample_node = top["sample"][1]
        flag = {"true": True, "false": False}.get(getattr(sample_node, "value", "").lower())
        if flag is None:
            raise ReportError(path, _line(sample_node), "sample 应是 true 或 false")
        sample = flag
    tables: dict[int, Table] = {}
    for number in (2, 3, 4):
        key_node, node = top[f"table{number}"]
        lines[f"table{number}"] = _line(key_node)
        tables[number] = _read_table(number, node, path, lines)
    return Report(
        organisation_node.value.strip(),
        int(year_node.value),
        tables[2],
        tables[3],
        tables[4],
        sample=sample,
        path=path,
        lines=lines,
    )


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(
    node: yaml.Node, path: Path | None, what: str
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The entries of a mapping node by key; a key written twice is an error, not a silent win."""
    if not isinstance(node, yaml.MappingNode):
        raise ReportError(path, _line(node), f"{what}应是“键: 值”的映射")
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(getattr(key_node, "value", ""))
        if key in entries:
            first = _line(entries[key][0])
            raise ReportError(path, _line(key_node), f"键“{key}”重复（第 {first} 行已有）")
        entries[key] = (key_node, value_node)
    return entries


def _read_table(number: int, node: yaml.Node, path: Path | None, lines: dict[str, int]) -> Table:
    rows = {row.key: row for row in table_rows(number)}
    table: Table = {row: {} for row in rows}
    for row_key, (key_node, row_node) in _mapping(node, path, f"table{number}").items():
        if row_key not in rows:
            raise ReportError(
                path,
                _line(key_node),
                f"table{number} 中没有“{row_key}”这一行（键见 docs/report-data.md）",
            )
        lines[f"table{number}.{row_key}"] = _line(key_node)
        columns = {column.key: column for column in row_columns(number, row_key)}
        entries = _mapping(row_node, path, f"table{number}.{row_key}")
        for column_key, (column_node, value_node) in entries.items():
            if column_key not in columns:
                allowed = "、".join(columns)
                raise ReportError(
                    path,
                    _line(column_node),
                    f"table{number}.{row_key} 中没有“{column_key}”这一列（可用：{allowed}）",
                )
            cell = CELLS_BY_KEY[f"table{number}.{row_key}.{column_key}"]
            lines[cell.key] = _line(value_node)
            table[row_key][column_key] = _scalar_value(value_node, cell, path)
    return table


def _scalar_value(node: yaml.Node, cell: Cell, path: Path | None) -> Value:
    if not isinstance(node, yaml.ScalarNode):
        raise ReportError(path, _line(node), f"{cell.key} 应是一个数")
    if node.style in ("'", '"'):
        # A quoted value is text to YAML; keep it as written so that rule R7 names it.
        return node.value
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return parse_value(node.value, cell.decimal)


def parse_value(text: str, decimal: bool = False) -> Value:
    """Read a cell written as text: digits -> int, an amount -> Decimal, else the text itself."""
    text = text.strip()
    if not text:
        return None
    if not decimal and _INT_TEXT.fullmatch(text):
        return int(text)
    if _DECIMAL_TEXT.fullmatch(text):
        # A decimal in a count cell stays a Decimal so that rule R7 can name it.
        return Decimal(text)
    return text


# --- Writing the data file ----------------------------------------------------------------------


def report_to_yaml(report: Report) -> str:
    """The data file text: one line per row, each row's label as a comment."""
    out = [
        f"# {report.organisation}{report.year}年政府信息公开工作年度报告：表二、表三、表四的数据。",
        "# 各键的含义见 docs/report-data.md；修改后运行 portal check 检查勾稽关系。",
        f"organisation: {yaml_text(report.organisation)}",
        f"year: {report.year}",
    ]
    if report.sample:
        out.append("sample: true")
    out.append("table2:")
    for block in TABLE2_BLOCKS:
        out.append(f"  # {block.label}")
        out += _yaml_rows(report, 2, block.rows)
    for number, sections in ((3, TABLE3_SECTIONS), (4, TABLE4_SECTIONS)):
        out.append(f"table{number}:")
        for section in sections:
            for row in section:
                if row.heading:
                    out.append(f"  {'  ' * row.level}# {row.label}")
                else:
                    out += _yaml_rows(report, number, (row,))
    return "\n".join(out) + "\n"


def _yaml_rows(report: Report, table: int, rows: Sequence[Row]) -> list[str]:
    width = max(len(row.key) for row in table_rows(table)) + 1
    out = []
    for row in rows:
        cells = ", ".join(
            f"{column.key}: {_yaml_value(report.value(table, row.key, column.key))}"
            for column in row_columns(table, row.key)
        )
        out.append(f"  {row.key + ':':<{width}} {{{cells}}}  # {row.label}")
    return out


def _yaml_value(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return format_value(value)


def yaml_text(text: str) -> str:
    """text as a YAML scalar: plain when YAML reads it back unchanged, else quoted."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


# --- Validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A broken consistency rule: an error fails the check, a warning is shown but passes."""

    severity: Literal["error", "warning"]
    rule: str
    table: int | None
    row: str | None
    column: str | None
    message: str
    line: int | None = None

    def format(self, path: Path | str | None = None) -> str:
        """The problem as ``path:line: R1 message``, the form ``portal check`` prints."""
        where = str(path) if path is not None else "<report>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        kind = "" if self.severity == "error" else "（提示）"
        return f"{where}: {self.rule}{kind} {self.message}"


RULES = {
    "R1": N_("表三每一列：第一项加第二项之和，等于第三项（七）总计加第四项之和"),
    "R2": N_("表三每一列：（七）总计等于（一）至（六）各项之和"),
    "R3": N_("表三每一行：总计等于自然人与法人或其他组织各列之和"),
    "R4": N_("表四每一组：结果维持、结果纠正、其他结果、尚未审结之和等于总计"),
    "R5": N_("正文中提到的数字与表中数值一致"),
    "R6": N_("本年“上年结转”等于上一年报告的“结转下年度继续办理”"),
    "R7": N_("每个数值都是非负整数（收费金额可带小数）"),
}
"""What each rule says, for pages and docs."""


def _count(report: Report, table: int, row: str, column: str) -> int | None:
    """A cell's value when it is a valid count, else None (rule R7 reports it)."""
    value = report.value(table, row, column)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _plus(numbers: Sequence[int]) -> str:
    return "+".join(str(number) for number in numbers)


def validate_report(report: Report, prose: str | None = None) -> list[Problem]:
    """Check one report against R1-R5 and R7 (R5 only when the prose is given)."""
    problems = _check_table3_columns(report)
    problems += _check_table3_rows(report)
    problems += _check_table4(report)
    if prose:
        problems += check_prose(report, prose)
    problems += _check_values(report)
    return problems


_RESULT_PARTS = (
    ("（一）", ("granted",)),
    ("（二）", ("partly_granted",)),
    ("（三）", _keys([r for r in TABLE3_ROWS if r.group == "withheld"])),
    ("（四）", _keys([r for r in TABLE3_ROWS if r.group == "unavailable"])),
    ("（五）", _keys([r for r in TABLE3_ROWS if r.group == "unprocessed"])),
    ("（六）", _keys([r for r in TABLE3_ROWS if r.group == "other"])),
)


def _column_counts(report: Report, column: str, rows: Sequence[str]) -> list[int | None]:
    return [_count(report, 3, row, column) for row in rows]


def _check_table3_columns(report: Report) -> list[Problem]:
    """R1 and R2, column by column."""
    problems = []
    for column in TABLE3_COLUMNS:
        line = report.line(3, "total", column.key)
        new, carried, total, forward = _column_counts(
            report, column.key, ("new", "carried_over", "total", "carried_forward")
        )
        if None not in (new, carried, total, forward) and new + carried != total + forward:
            message = N_(
                "表三“{column}”列：一+二 = {new}+{carried} = {left}，"
                "但（七）总计+四 = {total}+{forward} = {right}"
            ).format(
                column=column.label,
                new=new,
                carried=carried,
                left=new + carried,
                total=total,
                forward=forward,
                right=total + forward,
            )
            problems.append(Problem("error", "R1", 3, None, column.label, message, line))
        parts = [_column_counts(report, column.key, rows) for _, rows in _RESULT_PARTS]
        if total is None or any(None in part for part in parts):
            continue
        sums = [sum(part) for part in parts]
        if sum(sums) != total:
            message = N_(
                "表三“{column}”列：（七）总计 = {total}，"
                "但（一）+（二）+（三）+（四）+（五）+（六） = {parts} = {sum}"
            ).format(column=column.label, total=total, parts=_plus(sums), sum=sum(sums))
            row = N_("（七）总计")
            problems.append(Problem("error", "R2", 3, row, column.label, message, line))
    return problems


def _check_table3_rows(report: Report) -> list[Problem]:
    """R3: in every row the total is the sum of the six applicant columns."""
    problems = []
    parts = [column for column in TABLE3_COLUMNS if column.key != "total"]
    for row in TABLE3_ROWS:
        numbers = [_count(report, 3, row.key, column.key) for column in parts]
        total = _count(report, 3, row.key, "total")
        if total is None or None in numbers or sum(numbers) == total:
            continue
        message = N_("表三“{row}”行：总计 = {total}，但{columns} = {parts} = {sum}").format(
            row=row.label,
            total=total,
            columns="+".join(column.label for column in parts),
            parts=_plus(numbers),
            sum=sum(numbers),
        )
        line = report.line(3, row.key, "total")
        problems.append(Problem("error", "R3", 3, row.label, N_("总计"), message, line))
    return problems


def _check_table4(report: Report) -> list[Problem]:
    """R4: in each proceeding the four outcomes add up to the total."""
    problems = []
    parts = [column for column in TABLE4_COLUMNS if column.key != "total"]
    for row in TABLE4_ROWS:
        numbers = [_count(report, 4, row.key, column.key) for column in parts]
        total = _count(report, 4, row.key, "total")
        if total is None or None in numbers or sum(numbers) == total:
            continue
        message = N_("表四“{row}”：{columns} = {parts} = {sum}，但总计 = {total}").format(
            row=row_name(4, row),
            columns="+".join(column.label for column in parts),
            parts=_plus(numbers),
            sum=sum(numbers),
            total=total,
        )
        line = report.line(4, row.key, "total")
        problems.append(Problem("error", "R4", 4, row.label, N_("总计"), message, line))
    return problems


def _check_values(report: Report) -> list[Problem]:
    """R7: every cell is a non-negative integer, the amount a non-negative number."""
    problems = []
    for cell, value in report.cells():
        if cell.decimal:
            good = (
                isinstance(value, (int, Decimal))
                and not isinstance(value, bool)
                and Decimal(value).is_finite()
                and value >= 0
            )
            expected = N_("应为非负数（单位：万元，可带小数）")
        else:
            good = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            expected = N_("应为非负整数")
        if good:
            continue
        where = N_("{table}“{row}”行“{column}”列").format(
            table=TABLE_NAMES[cell.table],
            row=row_name(cell.table, cell.row),
            column=cell.column.label,
        )
        if value is None:
            message = N_("{where}：缺少数值").format(where=where)
        else:
            message = N_("{where}：{expected}，实为“{value}”").format(
                where=where, expected=expected, value=format_value(value)
            )
        line = report.line(cell.table, cell.row.key, cell.column.key)
        problems.append(
            Problem("error", "R7", cell.table, cell.row.label, cell.column.label, message, line)
        )
    return problems


# --- R5: numbers quoted in the prose ----------------------------------------------------------

_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE_END = re.compile(r"[，,]")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
# Clauses about other periods or cumulative figures do not state this year's cells.
_OTHER_PERIOD = re.compile(r"上年|上一年|去年|同比|累计|结转|以来")
_APPLICATION = r"(?:政府信息公开|信息公开|公开政府信息|依申请公开)[^，,。；;]{0,6}申请"
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|接到|受理)[^，,。；;\d]{0,12}?" + _APPLICATION)
_RECEIVED = re.compile(
    r"(?:收到|接到)[^，,。；;\d]{0,12}?"
    + _APPLICATION
    + r"(?:共|总计|合计)?(\d+)\s*(?:件|个|条|份)"
)
_GRANTED = re.compile(r"(?<!部分)予以公开(\d+)\s*(?:件|个|条|份)")
_PARTLY = re.compile(r"部分公开(\d+)\s*(?:件|个|条|份)")
_NO_PROCEEDINGS = r"(?:未|没有)(?:发生|出现|收到|涉及|产生)[^，,。；;\d]{0,12}?"
_NO_REVIEW = re.compile(_NO_PROCEEDINGS + "行政复议")
_NO_SUIT = re.compile(_NO_PROCEEDINGS + "(?:行政复议[、和及或与]?)?行政诉讼")


def _statements(report: Report, prose: str) -> Iterator[tuple[str, str, int, tuple[str, ...]]]:
    """(quoted text, what it states, table, rows whose totals it states) for each clear figure."""
    text = unicodedata.normalize("NFKC", prose)
    for sentence in _SENTENCE_END.split(text):
        years = {int(year) for year in _YEAR.findall(sentence)}
        if years - {report.year}:
            continue
        for clause in _CLAUSE_END.split(sentence):
            if not _OTHER_PERIOD.search(clause):
                yield from _clause_statements(clause)


def _clause_statements(clause: str) -> Iterator[tuple[str, str, int, tuple[str, ...]]]:
    """The figures one clause states, in the form of ``_statements``."""
    if match := _NONE_RECEIVED.search(clause):
        yield match.group(0), N_("新收申请为 0"), 0, ("new",)
    elif match := _RECEIVED.search(clause):
        number = int(match.group(1))
        yield match.group(0), N_("新收申请为 {n}").format(n=number), number, ("new",)
    if "申请" in clause:
        if match := _GRANTED.search(clause):
            number = int(match.group(1))
            yield match.group(0), N_("予以公开 {n}").format(n=number), number, ("granted",)
        if match := _PARTLY.search(clause):
            number = int(match.group(1))
            stated = N_("部分公开 {n}").format(n=number)
            yield match.group(0), stated, number, ("partly_granted",)
    if match := _NO_REVIEW.search(clause):
        yield match.group(0), N_("行政复议为 0"), 0, ("review",)
    if match := _NO_SUIT.search(clause):
        yield match.group(0), N_("行政诉讼为 0"), 0, ("suit_direct", "suit_after_review")


def check_prose(report: Report, prose: str) -> list[Problem]:
    """R5: figures the prose states plainly (e.g. 未收到…申请) agree with the tables."""
    problems = []
    for quoted, stated, number, rows in _statements(report, prose):
        table = 3 if rows[0] in _keys(TABLE3_ROWS) else 4
        counts = [_count(report, table, row, "total") for row in rows]
        if None in counts or sum(counts) == number:
            continue
        row = next(r for r in table_rows(table) if r.key == rows[0])
        label = _HEADINGS[row.group].label if len(rows) > 1 else row_name(table, row)
        message = N_("正文“{quoted}”表明{stated}，但{table}“{row}”行“总计”列为 {actual}").format(
            quoted=quoted, stated=stated, table=TABLE_NAMES[table], row=label, actual=sum(counts)
        )
        line = report.line(table, rows[0], "total")
        problems.append(Problem("warning", "R5", table, label, N_("总计"), message, line))
    return problems


# --- R6: across years ---------------------------------------------------------------------------


def check_carry_over(previous: Report, current: Report) -> list[Problem]:
    """R6: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, column by column."""
    problems = []
    for column in TABLE3_COLUMNS:
        carried = _count(current, 3, "carried_over", column.key)
        forward = _count(previous, 3, "carried_forward", column.key)
        if carried is None or forward is None or carried == forward:
            continue
        message = N_(
            "表三“二、上年结转政府信息公开申请数量”行“{column}”列 = {carried}，"
            "但{year}年报告“四、结转下年度继续办理”行“{column}”列 = {forward}"
        ).format(column=column.label, carried=carried, year=previous.year, forward=forward)
        line = current.line(3, "carried_over", column.key)
        row = N_("二、上年结转政府信息公开申请数量")
        problems.append(Problem("warning", "R6", 3, row, column.label, message, line))
    return problems


def validate_series(reports: Sequence[Report]) -> list[tuple[Report, Problem]]:
    """R6 for every pair of consecutive years of the same organisation."""
    by_organisation: dict[str, dict[int, Report]] = defaultdict(dict)
    for report in reports:
        by_organisation[report.organisation][report.year] = report
    found = []
    for by_year in by_organisation.values():
        for year, current in sorted(by_year.items()):
            previous = by_year.get(year - 1)
            if previous is not None:
                found += [(current, problem) for problem in check_carry_over(previous, current)]
    return found


# --- CSV and JSON ---------------------------------------------------------------------------------

CSV_COLUMNS = (
    "organisation",
    "year",
    "sample",
    "table",
    "row",
    "column",
    "row_label",
    "column_label",
    "value",
)
"""The columns of every CSV download: one line per cell (a report has 200)."""

JSON_FORMAT = "portal.annual-report/1"


def report_to_csv(report: Report) -> str:
    """One report's tables as CSV text, starting with a BOM so that spreadsheets read UTF-8."""
    return dataset_csv([report])


def dataset_csv(reports: Sequence[Report]) -> str:
    """Every report's tables in one CSV text (BOM first), one line per cell."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    # Organisation names and text values come from content files: csv_cells keeps them from
    # running as formulas, and writes counts and amounts as numbers.
    writer = csv_cells.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        for cell, value in report.cells():
            writer.writerow(
                (
                    report.organisation,
                    report.year,
                    "true" if report.sample else "false",
                    cell.table,
                    cell.row.key,
                    cell.column.key,
                    row_name(cell.table, cell.row),
                    cell.column.label,
                    value,
                )
            )
    return buffer.getvalue()


def report_from_csv(text: str) -> Report:
    """Read back one report from ``report_to_csv`` text."""
    reports = dataset_from_csv(text)
    if len(reports) != 1:
        raise ReportError(None, None, f"CSV 中应有 1 份报告，实有 {len(reports)} 份")
    return reports[0]


def dataset_from_csv(text: str) -> list[Report]:
    """Read back the reports of a ``dataset_csv`` text, in the order they appear."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = [name for name in CSV_COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise ReportError(None, 1, f"CSV 缺少列：{'、'.join(missing)}")
    found: dict[tuple[str, int], tuple[bool, dict[int, Table]]] = {}
    for written in reader:
        line = reader.line_num
        record = {name: csv_cells.restore_cell(text or "") for name, text in written.items()
                  if name is not None}
        try:
            year = int(record["year"])
            cell = CELLS_BY_KEY[f"table{record['table']}.{record['row']}.{record['column']}"]
        except (KeyError, ValueError):
            raise ReportError(None, line, "无法识别的行（year、table、row、column 不对）") from None
        sample = record["sample"].strip().lower() == "true"
        key = (record["organisation"], year)
        _, tables = found.setdefault(key, (sample, {2: {}, 3: {}, 4: {}}))
        tables[cell.table].setdefault(cell.row.key, {})[cell.column.key] = parse_value(
            record["value"], cell.decimal
        )
    return [
        _complete(Report(organisation, year, tables[2], tables[3], tables[4], sample=sample))
        for (organisation, year), (sample, tables) in found.items()
    ]


def _complete(report: Report) -> Report:
    """Give every row its dict, so that a missing cell reads as None like in a data file."""
    for number in (2, 3, 4):
        for row in table_rows(number):
            report.table(number).setdefault(row.key, {})
    return report


def report_to_json(report: Report) -> dict:
    """One report as a JSON-ready dict: the same keys as the data file."""
    data: dict = {
        "format": JSON_FORMAT,
        "organisation": report.organisation,
        "year": report.year,
        "sample": report.sample,
    }
    for number in (2, 3, 4):
        data[f"table{number}"] = {
            row.key: {
                column.key: _json_value(report.value(number, row.key, column.key))
                for column in row_columns(number, row.key)
            }
            for row in table_rows(number)
        }
    return data


def _json_value(value: Value) -> int | float | str | None:
    if isinstance(value, Decimal):
        # Amounts have a few decimals at most, which a JSON number (a double) keeps exactly
        # enough for Decimal(str(number)) to give the same amount back.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def report_from_json(data: Mapping) -> Report:
    """Read back one report from ``report_to_json`` data."""
    if not isinstance(data, Mapping):
        raise ReportError(None, None, "JSON 应是一个对象")
    try:
        organisation = str(data["organisation"])
        year = int(data["year"])
        sample = bool(data.get("sample", False))
        tables = {number: data[f"table{number}"] for number in (2, 3, 4)}
    except (KeyError, TypeError, ValueError) as error:
        raise ReportError(None, None, f"JSON 缺少或写错了字段：{error}") from None
    read: dict[int, Table] = {}
    for number, table in tables.items():
        read[number] = {}
        for row_key, columns in dict(table).items():
            for column_key, value in dict(columns).items():
                key = f"table{number}.{row_key}.{column_key}"
                if key not in CELLS_BY_KEY:
                    raise ReportError(None, None, f"JSON 中有未知的单元格“{key}”")
                cell = CELLS_BY_KEY[key]
                read[number].setdefault(row_key, {})[column_key] = _from_json_value(value, cell)
    return _complete(Report(organisation, year, read[2], read[3], read[4], sample=sample))


def _from_json_value(value: object, cell: Cell) -> Value:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        if cell.decimal:
            return number
        return int(number) if isinstance(value, int) else number
    return str(value)


def dataset_json(reports: Sequence[Report]) -> dict:
    """Every report in one JSON-ready dict, with the labels of each row and column."""
    labels = {
        f"table{number}": {
            "rows": {row.key: row_name(number, row) for row in table_rows(number)},
            "columns": {
                column.key: column.label
                for row in table_rows(number)
                for column in row_columns(number, row.key)
            },
        }
        for number in (2, 3, 4)
    }
    return {
        "format": JSON_FORMAT,
        "labels": labels,
        "reports": [report_to_json(report) for report in reports],
    }


def dataset_from_json(data: Mapping) -> list[Report]:
    """Read back the reports of ``dataset_json`` data."""
    try:
        reports = list(data["reports"])
    except (KeyError, TypeError):
        raise ReportError(None, None, "JSON 缺少“reports”") from None
    return [report_from_json(report) for report in reports]
