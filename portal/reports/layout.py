"""The statutory layout of an annual report's tables, as data.

A 政府信息公开工作年度报告 in the format of 国办公开办函〔2021〕30号 carries three tables: table 2
(主动公开, 10 numbers), table 3 (依申请公开, 25 rows x 7 columns) and table 4 (行政复议、行政诉讼,
15 numbers). This module knows their row and column labels and gives each of the 200 cells a
stable key such as ``table3.new.person``. Labels visitors read are marked with ``N_`` so that the
message extractor finds them; the templates translate them with ``_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.text import N_


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
HEADINGS = {
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
        return next(
            block.columns
            for block in TABLE2_BLOCKS
            if any(row.key == row_key for row in block.rows)
        )
    return {3: TABLE3_COLUMNS, 4: TABLE4_COLUMNS}[table]


def group_keys(group: str) -> tuple[str, ...]:
    """The keys of the rows under a heading (``withheld``: 1.属于国家秘密 to 8.), in order."""
    return tuple(row.key for row in (*TABLE3_ROWS, *TABLE4_ROWS) if row.group == group)


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
        return f"{HEADINGS[row.group].label}（{row.label}）"
    return row.label
