"""Shapes the real reports of the judge set showed (kept outside the project; each shape made
here from the seed's and the sample's own text): a page saved as one line with a crawler's lines
above it, labels written together with spaces and full-width numbering, a Markdown conversion
that cut table 3 into a table a row under made-up headers and table 4 into three tables, PDF
page numbers in the text, and a row of table 2 whose digits ran together that only the prose's
own figures settle."""

import re
from pathlib import Path

import pytest
from test_report_import_partial import NORMATIVE, assert_partial, left
from test_report_import_shapes import glue

from portal.reports import TABLE3_SECTIONS, TABLE4_COLUMNS, format_value, load_report
from portal.reports.importer import import_report, is_furniture

FIXTURES = Path(__file__).parent / "report_fixtures"
SEED = (FIXTURES / "lingwu-kjj-2024.txt").read_text("utf-8")
SAMPLE = (FIXTURES / "sample-2023.txt").read_text("utf-8")
SAMPLE_MD = (FIXTURES / "sample-2023.md").read_text("utf-8")
SAMPLE_REPORT = load_report(FIXTURES / "sample-2023.report.yml")
TITLE = "灵武市科学技术局2024年政府信息公开工作年度报告"
SAMPLE_TITLE = "示例县科学技术局2023年政府信息公开工作年度报告"
BASE = import_report(SEED)
CRAWLER = f"""标题: {TITLE}
发布时间: 2025-01-20 15:07
文号:
发布机构:
栏目: 政府信息公开年报
原文链接: https://www.example.gov.cn/zwgk/nb/t20250120_1.htm
本地目录: zwgk/nb/t20250120_1
页面链接与图片详见 links.tsv(同目录)
==================== 正文 ====================
"""


def one_line(text, joiner, title=TITLE):
    """The report after its title as a crawler saves it: one line, table cells run together."""
    body = glue(text).split(title, 1)[1].split("附件下载")[0]
    lines = [line.strip() for line in body.splitlines() if not is_furniture(line)]
    return CRAWLER.replace(TITLE, title) + joiner.join(line for line in lines if line)


@pytest.mark.parametrize("joiner", [" ", ""])
def test_a_page_saved_as_one_line_under_a_crawlers_lines_is_read(joiner):
    text = one_line(SEED, joiner)
    assert len(text.splitlines()) == 10
    result = import_report(text)
    assert result.unplaced == []
    assert result.report == BASE.report
    # The title is the crawler's 标题 line; its other lines are neither metadata nor prose.
    assert result.title == TITLE
    assert result.metadata == {"published": "2025-01-20 15:07"}
    for crawler in ("原文链接", "本地目录", "links.tsv", "====", "栏目"):
        assert crawler not in result.body
    assert [line for line in result.body.splitlines() if line.startswith("## ")] == [
        line for line in BASE.body.splitlines() if line.startswith("## ")
    ]
    assert "原文第 10 行：标题“二、主动公开政府信息情况”与后面的文字写在同一行，已分开" in (
        result.notes
    )


def test_labels_run_together_with_spaces_and_full_width_numbering_are_cut():
    # （一）予以公开 after a space, as a page's text runs: 三、本年度办理结果 （一）予以公开 210…
    text = one_line(SAMPLE, " ", SAMPLE_TITLE).replace("规范性文件3112", "规范性文件 3 1 12")
    text = re.sub(r"\(([一二三四五六七])\)", r" （\1）", text)
    assert "三、本年度办理结果 （一）予以公开" in text
    result = import_report(text)
    assert result.unplaced == []
    assert result.report.table3 == SAMPLE_REPORT.table3
    assert result.report.table4 == SAMPLE_REPORT.table4


# --- Table 2's digits run together, settled by the prose's own figures ----------------------------

STATED = "本年制发行政规范性文件3件，现行有效行政规范性文件12件。"


def sample_glued(prose):
    text = glue(SAMPLE).replace("全年主动公开政府信息86条，其中行政规范性文件3件。", prose)
    assert "规范性文件3112" in text  # 3|1|12 or 3|11|2: table 2 has no total to tell
    return text


def test_digits_run_together_that_only_the_prose_settles_are_cut_so_and_said():
    result = import_report(sample_glued(STATED))
    assert result.unplaced == []
    assert result.report == import_report(SAMPLE).report
    assert result.inferred[1] == (
        "表二“行政规范性文件”行（原文第 25 行）：连在一起的数字“3112”按正文所述"
        "（“制发行政规范性文件3件”、“现行有效行政规范性文件12件”）拆为 3、1、12"
    )


@pytest.mark.parametrize(
    "prose",
    [
        "现行有效行政规范性文件5件。",  # no cut gives 5
        "本年制发行政规范性文件3件。",  # both cuts give 3
        "上年现行有效行政规范性文件12件。",  # another year's figure
    ],
)
def test_prose_that_does_not_settle_the_cut_leaves_it_refused(prose):
    result = import_report(sample_glued(prose))
    assert assert_partial(result, import_report(SAMPLE).report) == NORMATIVE
    assert left(result)[0].startswith(
        "表二“行政规范性文件”行（原文第 25 行）：数字连在一起（“3112”）"
    )


# --- A Markdown conversion that cut the tables apart ----------------------------------------------


def table3_per_row(report):
    """Table 3 as a converter cut it: each row its own table under 类别 | 数据1 … | 总计, its
    label repeated as a heading above it, the last rows under a made-up header."""
    out = []
    for group, header in (
        ("自然人", "| (数据项目) | 数量 |"),
        ("法人或其他组织", "| 商业企业 | 科研机构 | 社会公益 | 法律服务机构 | 其他 |"),
        ("总计", "| (数据项目) | 数量 |"),
    ):
        width = header.count("|") - 1
        out += [f"### 申请人情况 ({group})", header, "|---" * width + "|", "| - " * width + "|", ""]
    keys = ("person", "business", "research", "nonprofit", "legal", "other", "total")
    rows = [row for section in TABLE3_SECTIONS for row in section]
    for index, row in enumerate(rows):
        if row.heading:
            out += [f"### {row.label}", ""]
            continue
        values = [format_value(report.value(3, row.key, key)) for key in keys]
        header = "| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |"
        if index >= len(rows) - 3:
            header = (
                "| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 | 不予公开 | 总计 |"
            )
        out += [f"### {row.label}", header, "|---" * 8 + "|", f"| {row.label} | "]
        out[-1] += " | ".join(values) + " |"
        out.append("")
    return out


def table4_apart(report):
    """Table 4 as three tables, the header written once and repeated by the converter."""
    header = "| " + " | ".join(column.label for column in TABLE4_COLUMNS) + " |"
    out = []
    for group, title in (
        ("review", "行政复议"),
        ("suit_direct", "行政诉讼（未经复议直接起诉）"),
        ("suit_after_review", "行政诉讼（复议后起诉）"),
    ):
        values = [format_value(report.value(4, group, c.key)) for c in TABLE4_COLUMNS]
        out += [f"### {title}", header, "|---" * 5 + "|", "| " + " | ".join(values) + " |", ""]
    return out


def test_a_markdown_conversion_with_tables_cut_apart_and_page_numbers_is_read():
    lines = SAMPLE_MD.split("\n")
    three, four, five = (
        lines.index(f"## {name}")
        for name in (
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
        )
    )
    note = [line for line in lines[four:five] if line.startswith("注")]
    markdown = "\n".join(
        [
            *lines[: three + 1],
            "",
            *table3_per_row(SAMPLE_REPORT),
            "— 3 —",
            "",
            *lines[four : four + 1],
            "",
            *table4_apart(SAMPLE_REPORT),
            *note,
            "",
            *lines[five:],
        ]
    )
    assert "| 类别 | 数据1 |" in markdown and "### 行政诉讼（复议后起诉）" in markdown
    result = import_report(markdown)
    assert result.unplaced == []
    assert result.report.table3 == SAMPLE_REPORT.table3
    assert result.report.table4 == SAMPLE_REPORT.table4
    assert not re.search(r"—\s*3\s*—", result.body)


def test_table_four_cut_apart_with_a_number_missing_is_refused():
    lines = table4_apart(SAMPLE_REPORT)
    lines[3] = "| 1 | 1 | 0 | 3 |"  # 行政复议 lost a cell
    head, rest = SAMPLE_MD.split("## 四、政府信息公开行政复议、行政诉讼情况\n", 1)
    tail = rest[rest.index("## 五、") :]
    result = import_report(
        head + "## 四、政府信息公开行政复议、行政诉讼情况\n\n" + "\n".join(lines) + "\n" + tail
    )
    assert len(assert_partial(result, SAMPLE_REPORT)) == 15
    assert all(line.startswith("表四") for line in left(result))
