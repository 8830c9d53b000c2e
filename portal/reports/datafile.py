"""The data file of a report, ``<slug>.report.yml`` (described in docs/report-data.md): read
with the line of every cell kept for messages, and written back with each row's label beside it."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from portal import bounded_yaml
from portal.reports.layout import (
    CELLS_BY_KEY,
    TABLE2_BLOCKS,
    TABLE3_SECTIONS,
    TABLE4_SECTIONS,
    Cell,
    Row,
    row_columns,
    table_rows,
)
from portal.reports.model import Report, ReportError, Table, Value, format_value, parse_value

# --- Reading the data file ----------------------------------------------------------------------

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
        root = bounded_yaml.compose(text)
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
