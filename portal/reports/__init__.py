"""Annual report tables as data: the statutory layout, the data file, validation and downloads.

A 政府信息公开工作年度报告 in the format of 国办公开办函〔2021〕30号 carries three tables of 200
numbers in all. A report's tables live in a YAML data file beside its Markdown
(``<slug>.report.yml``, described in docs/report-data.md). This package is their one door:
callers write ``from portal import reports`` and use the names below, never a module inside.

- layout: the rows, columns and 200 cells of tables 2, 3 and 4, as data
- model: Report, its values, ReportError, make_report
- datafile: reading and writing the data file, with the line of every cell
- rules: the consistency rules R1-R7 and the Problem each broken rule gives
- formats: CSV and JSON, of one report or of the whole dataset
- comparison: year-over-year key figures and the geometry of their chart
- county: every body's report of a year (on time, late, missing) and all their tables summed
- importer: a published report (text or HTML) -> a content file and its data; a door of its own
  (``portal.reports.importer``) because only ``portal import-report`` needs it and its HTML
  parser, which the web processes would otherwise load for nothing

Pure domain code: no Flask here.
"""

from portal.reports.comparison import (
    CHART_FIGURES,
    KEY_FIGURES,
    Bar,
    Chart,
    Figure,
    comparison_chart,
)
from portal.reports.county import (
    CARRY_OVER_CHECKED,
    CARRY_OVER_NO_PREVIOUS,
    CARRY_OVER_OTHER_BODIES,
    DATE_UNKNOWN,
    LATE,
    NOT_DUE,
    ON_TIME,
    OVERDUE,
    STATES,
    SUMMARY_ORGANISATION,
    CountyYear,
    Publication,
    Standing,
    Summary,
    standing,
    sum_reports,
    summarise,
    summary_to_json,
)
from portal.reports.datafile import load_report, parse_report, report_to_yaml, yaml_text
from portal.reports.formats import (
    CSV_COLUMNS,
    JSON_FORMAT,
    dataset_csv,
    dataset_from_csv,
    dataset_from_json,
    dataset_json,
    report_from_csv,
    report_from_json,
    report_to_csv,
    report_to_json,
)
from portal.reports.layout import (
    CELLS,
    CELLS_BY_KEY,
    CONTENT_LABEL,
    HEADINGS,
    TABLE2_BLOCKS,
    TABLE3_APPLICANTS_LABEL,
    TABLE3_COLUMN_GROUPS,
    TABLE3_COLUMNS,
    TABLE3_NOTE,
    TABLE3_ROWS,
    TABLE3_SECTIONS,
    TABLE4_COLUMNS,
    TABLE4_ROWS,
    TABLE4_SECTIONS,
    TABLE_CAPTIONS,
    TABLE_NAMES,
    Block,
    Cell,
    Column,
    Row,
    group_keys,
    row_columns,
    row_name,
    table_rows,
)
from portal.reports.model import (
    Report,
    ReportError,
    Table,
    Value,
    format_value,
    make_report,
    parse_value,
)
from portal.reports.rules import (
    RULES,
    Problem,
    check_carry_over,
    check_prose,
    validate_report,
    validate_series,
)

__all__ = [
    "CARRY_OVER_CHECKED",
    "CARRY_OVER_NO_PREVIOUS",
    "CARRY_OVER_OTHER_BODIES",
    "CELLS",
    "CELLS_BY_KEY",
    "CHART_FIGURES",
    "CONTENT_LABEL",
    "CSV_COLUMNS",
    "DATE_UNKNOWN",
    "HEADINGS",
    "JSON_FORMAT",
    "KEY_FIGURES",
    "LATE",
    "NOT_DUE",
    "ON_TIME",
    "OVERDUE",
    "RULES",
    "STATES",
    "SUMMARY_ORGANISATION",
    "TABLE2_BLOCKS",
    "TABLE3_APPLICANTS_LABEL",
    "TABLE3_COLUMNS",
    "TABLE3_COLUMN_GROUPS",
    "TABLE3_NOTE",
    "TABLE3_ROWS",
    "TABLE3_SECTIONS",
    "TABLE4_COLUMNS",
    "TABLE4_ROWS",
    "TABLE4_SECTIONS",
    "TABLE_CAPTIONS",
    "TABLE_NAMES",
    "Bar",
    "Block",
    "Cell",
    "Chart",
    "Column",
    "CountyYear",
    "Figure",
    "Problem",
    "Publication",
    "Report",
    "ReportError",
    "Row",
    "Standing",
    "Summary",
    "Table",
    "Value",
    "check_carry_over",
    "check_prose",
    "comparison_chart",
    "dataset_csv",
    "dataset_from_csv",
    "dataset_from_json",
    "dataset_json",
    "format_value",
    "group_keys",
    "load_report",
    "make_report",
    "parse_report",
    "parse_value",
    "report_from_csv",
    "report_from_json",
    "report_to_csv",
    "report_to_json",
    "report_to_yaml",
    "row_columns",
    "row_name",
    "standing",
    "sum_reports",
    "summarise",
    "summary_to_json",
    "table_rows",
    "validate_report",
    "validate_series",
    "yaml_text",
]
