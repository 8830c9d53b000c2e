"""Importing a report in every shape it is found in: the Word original, its PDF, a Markdown
conversion (whole tables, or one table per row under a wrong header row), crawler text whose
cells ran together, and flattened text whose empty cells are empty lines. For each shape: every
one of the 200 cells exactly as in the flattened text, or a refusal that says why.

The DOCX, PDF and Markdown fixtures are made from the flattened text fixtures by
tests/report_fixtures/make_documents.py (python-docx, then LibreOffice for the PDF).
"""

import re
from pathlib import Path

import pytest
from test_report_import_partial import NORMATIVE, assert_partial, left, rows_left

from portal.extraction import Table, extract
from portal.reports import CELLS
from portal.reports.importer import import_report, read_source

FIXTURES = Path(__file__).parent / "report_fixtures"
STEMS = ("lingwu-kjj-2024", "sample-2023")
BLANK = "\x00blank"


def text_twin(stem):
    return import_report((FIXTURES / f"{stem}.txt").read_text("utf-8"))


def tables(result):
    return (result.report.table2, result.report.table3, result.report.table4)


def assert_exact(result, twin):
    assert result.unplaced == []
    assert tables(result) == tables(twin)
    assert len(list(result.report.cells())) == len(CELLS) == 200
    assert (result.report.organisation, result.report.year) == (
        twin.report.organisation,
        twin.report.year,
    )


# --- Word -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_a_word_report_imports_every_cell_and_its_prose_like_its_text(stem):
    twin = text_twin(stem)
    result = import_report((FIXTURES / f"{stem}.docx").read_bytes())
    assert_exact(result, twin)
    assert result.body == twin.body
    assert result.notes == twin.notes and result.inferred == []


def test_the_word_fixture_has_merged_cells_and_blank_cells():
    document = extract((FIXTURES / "sample-2023.docx").read_bytes(), "docx")
    table3 = [block for block in document.blocks if isinstance(block, Table)][1]
    assert table3.grid[0][:3] == (0, 0, 0)  # the note spans three columns and three rows
    assert table3.grid[2][0] == 0
    assert "" in table3.cells  # zeros left blank in all-zero rows


def test_a_number_merged_down_over_two_rows_of_a_word_table_is_not_guessed():
    from docx import Document

    document = Document(FIXTURES / "sample-2023.docx")
    table3 = document.tables[1]
    # 自然人 of 一 reaches down over 二: is 20 both rows' number, or is 二's lost?
    table3.cell(3, 3).merge(table3.cell(4, 3))
    table3.cell(3, 3).text = "20"
    path = FIXTURES.parent / "merged.docx"
    try:
        document.save(path)
        result = import_report(path.read_bytes())
    finally:
        path.unlink()
    assert assert_partial(result, None) == ["table3.carried_over.person"]
    assert left(result) == [
        "表三“二、上年结转政府信息公开申请数量”行“自然人”列：单元格与上一行合并，无法确定数值"
    ]


# --- PDF ------------------------------------------------------------------------------------------


def words(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("stem", STEMS)
def test_a_pdf_report_imports_every_cell_and_its_prose(stem):
    twin = text_twin(stem)
    result = import_report((FIXTURES / f"{stem}.pdf").read_bytes())
    assert_exact(result, twin)
    # A PDF keeps no spaces between Chinese characters; every word is there, in order, and
    # every paragraph wrapped over lines and pages is one paragraph again.
    assert words(result.body) == words(twin.body)
    assert result.body.count("\n\n") == twin.body.count("\n\n")


def test_the_pdf_fixture_breaks_table_three_over_pages_and_numbers_its_pages():
    document = extract((FIXTURES / "sample-2023.pdf").read_bytes(), "pdf")
    assert document.pages == 4
    [table3] = [b for b in document.blocks if isinstance(b, Table) and len(b.grid) == 28]
    assert table3.page == 1  # one table again, though it runs over four pages
    # A row and a merged cell cut by a page break are whole again.
    assert "三、本年度办理结果" in table3.cells
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in table3.cells
    assert not any(
        re.search(r"—\s*\d+\s*—", line)
        for _, line in read_source((FIXTURES / "sample-2023.pdf").read_bytes())
    )


def test_page_numbers_of_a_pdf_never_reach_the_body():
    result = import_report((FIXTURES / "lingwu-kjj-2024.pdf").read_bytes())
    assert not re.search(r"—\s*\d+\s*—", result.body)


# --- Markdown -------------------------------------------------------------------------------------


def per_row(markdown, header):
    """Each table row its own table; ``header(first_row, width)`` writes its header row."""
    out, lines, index = [], markdown.split("\n"), 0
    while index < len(lines):
        if lines[index].startswith("|") and lines[index + 1].startswith("|---"):
            width = lines[index + 1].count("---")
            rows, index = [], index + 2
            while index < len(lines) and lines[index].startswith("|"):
                rows.append(lines[index])
                index += 1
            separator = "|" + "---|" * width
            for number, row in enumerate(rows):
                head = header(rows[0], width)
                if head is None or (head == "first" and number == 0):
                    out += [row, separator, ""]
                elif head == "first":
                    out += [rows[0], separator, row, ""]
                else:
                    out += [head, separator, row, ""]
            continue
        out.append(lines[index])
        index += 1
    return "\n".join(out)


HEADERS = {
    "whole tables under an empty header row": None,
    "one table per row, each under an empty header row": lambda first, width: "|" + " |" * width,
    "one table per row, the row itself its header": lambda first, width: None,
    "one table per row under numbered columns": lambda first, width: (
        "| " + " | ".join(str(n) for n in range(1, width + 1)) + " |"
    ),
    "one table per row under the table's first row repeated": lambda first, width: "first",
}


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("shape", HEADERS)
def test_a_markdown_conversion_imports_every_cell_and_its_prose(stem, shape):
    markdown = (FIXTURES / f"{stem}.md").read_text("utf-8")
    if HEADERS[shape] is not None:
        markdown = per_row(markdown, HEADERS[shape])
    assert "|---" in markdown and markdown.startswith("# ")
    twin = text_twin(stem)
    result = import_report(markdown)
    assert_exact(result, twin)
    assert result.body == twin.body


def test_markdown_cells_a_converter_shifted_left_under_merged_labels_still_fit():
    # The converter drops a cell merged down from the row above, so rows have 8 to 10 cells.
    markdown = (FIXTURES / "sample-2023.md").read_text("utf-8")
    assert "| 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in markdown
    assert "| 一、本年新收政府信息公开申请数量 |  |  | 20 |" in markdown
    assert import_report(markdown).report.value(3, "unprocessed_repeated", "person") == 1


def test_empty_cells_on_both_sides_of_a_markdown_row_are_refused_not_guessed():
    # Is 3 本年制发件数 (a label merged over two columns before it) or 本年废止件数?
    markdown = (FIXTURES / "sample-2023.md").read_text("utf-8")
    result = import_report(markdown.replace("| 规章 | 0 | 0 | 0 |", "| 规章 |  | 3 |  |  |"))
    assert rows_left(result) == {"rules"}
    assert left(result) == [
        "表二“规章”行（原文第 23 行）：找到 4 个数值（空 3 空 空），应有 3 个，"
        "前后都有空单元格，无法确定哪些是空列"
    ]
    result = import_report(markdown.replace("| 行政许可 | 5 |  |  |", "| 行政许可 |  | 5 |  |"))
    assert assert_partial(result) == ["table2.licensing.decisions"]
    assert left(result) == [
        "表二“行政许可”行（原文第 27 行）：找到 3 个数值（空 5 空），应有 1 个"
        "（本年处理决定数量），无法确定各属哪一列"
    ]


# --- Crawler text whose cells ran together --------------------------------------------------------


def glue(text):
    """Crawler text: the lines of each table region written together, headings kept."""
    out, run, inside = [], "", False
    for line in (line.strip() for line in text.splitlines() if line.strip()):
        starts_section = line.startswith(
            ("二、主动公开", "三、收到和处理", "四、政府信息公开", "五、")
        )
        if starts_section:
            out += [run] if run else []
            run, inside = "", not line.startswith("五、")
            out.append(line)
        elif inside:
            run += line
        else:
            out.append(line)
    return "\n\n".join(out)


def test_run_together_cells_are_split_where_only_one_split_fits_the_sums():
    text = glue((FIXTURES / "lingwu-kjj-2024.txt").read_text("utf-8"))
    assert "行政规范性文件101第二十条" in text
    assert "一、本年新收政府信息公开申请数量0000000二、" in text
    twin = text_twin("lingwu-kjj-2024")
    result = import_report(text)
    assert_exact(result, twin)
    assert result.body == twin.body
    # Every cell so placed is named for staff to check.
    assert len(result.inferred) == 2 + 25 + 1
    assert result.inferred[1] == (
        "表二“行政规范性文件”行（原文第 41 行）：连在一起的数字“101”按每格一位数字"
        "（只有这一种拆法）拆为 1、0、1"
    )


def sample_glued():
    text = glue((FIXTURES / "sample-2023.txt").read_text("utf-8"))
    assert "一、本年新收政府信息公开申请数量203100226二、" in text
    return text


def test_a_run_that_several_splits_fit_is_refused_naming_the_row():
    # 规范性文件 3 1 12 ran together: 3|1|12 or 3|11|2, and table 2 has no sum to tell.
    result = import_report(sample_glued())
    assert assert_partial(result) == NORMATIVE
    assert left(result) == [
        "表二“行政规范性文件”行（原文第 25 行）：数字连在一起（“3112”），可有多种拆法，表二没有"
        "可供核对的合计，无法确定各格数值，请按原表逐格填写或导入 HTML、DOCX 版本"
    ]


def test_a_row_its_own_sum_cannot_settle_is_settled_by_the_columns_sums():
    text = sample_glued().replace("规范性文件3112", "规范性文件 3 1 12")
    result = import_report(text)
    assert_exact(result, text_twin("sample-2023"))
    # 202100225 is 20|2|1|0|0|2|25 or 20|2|1|0|0|22|5 ... by its own row; R1 and R2 decide.
    assert result.inferred[-2] == (
        "表三“（七）总计”行（原文第 29 行）：连在一起的数字“202100225”按本行及各列的勾稽关系"
        "（R1、R2）拆为 20、2、1、0、0、2、25"
    )
    assert result.inferred[-1].startswith("表四：连在一起的数字“110131000100011”")


def test_runs_no_sum_can_settle_are_refused_and_nothing_is_guessed():
    text = (
        sample_glued()
        .replace("规范性文件3112", "规范性文件 3 1 12")
        .replace("2.重复申请1000001", "2.重复申请201100215")
    )
    result = import_report(text)
    assert rows_left(result, None) == {
        "unprocessed_repeated",
        "total",
    }
    assert [line.split("：")[0] for line in left(result)] == [
        "表三“2.重复申请”行（原文第 29 行）",
        "表三“（七）总计”行（原文第 29 行）",
    ]
    assert all("与其他行合起来也无法确定" in line for line in left(result))


def test_a_run_no_split_fits_is_refused():
    text = sample_glued().replace("规范性文件3112", "规范性文件 3 1 12")
    result = import_report(text.replace("2.重复申请1000001", "2.重复申请1000002"))
    assert rows_left(result) == {
        "unprocessed_repeated",
        "total",
    }
    assert left(result) == [
        "表三“2.重复申请”行（原文第 29 行）：数字连在一起（“1000002”），没有一种拆法满足"
        "本行勾稽关系（六类申请人之和等于总计），无法确定各格数值",
        # Without that row the columns' sums cannot settle 总计 either.
        "表三“（七）总计”行（原文第 29 行）：连在一起的数字“202100225”有 2 种拆法都满足"
        "本行的勾稽关系，与其他行合起来也无法确定，请核对原表",
    ]


def test_a_footnote_with_numbers_in_a_table_region_stays_a_footnote():
    seed = (FIXTURES / "lingwu-kjj-2024.txt").read_text("utf-8")
    note = "注：2024年本机关收到的3件咨询不计入本表。"
    text = seed.replace("五、存在的主要问题及改进情况", f"{note}\n\n五、存在的主要问题及改进情况")
    result = import_report(text)
    assert result.unplaced == [] and result.inferred == []
    assert f"[[table:4]]\n\n{note}" in result.body


# --- Flattened text whose empty cells are empty lines ---------------------------------------------


def single_spaced(lines):
    return "\n".join("" if text == BLANK else text for _, text in lines)


def test_empty_lines_are_empty_cells_where_the_text_has_one_cell_a_line():
    html = (FIXTURES / "sample-2023.html").read_text("utf-8")
    text = single_spaced(read_source(html))
    assert "\n1.属于国家秘密\n\n\n\n\n\n\n\n2.其他" in text
    result = import_report(text)
    assert_exact(result, text_twin("sample-2023"))
    assert result.report.value(3, "withheld_state_secret", "total") == 0


def test_an_empty_line_too_many_or_too_few_is_refused():
    html = (FIXTURES / "sample-2023.html").read_text("utf-8")
    text = single_spaced(read_source(html)).replace(
        "1.属于国家秘密\n\n\n\n\n\n\n\n2.其他", "1.属于国家秘密\n\n\n\n\n\n\n2.其他"
    )
    result = import_report(text)
    assert rows_left(result) == {"withheld_state_secret"}
    assert left(result)[0].startswith("表三“1.属于国家秘密”行")
    assert "找到 6 个数值" in left(result)[0]


# --- The command ----------------------------------------------------------------------------------


def run_import(source, folder, *options):
    from click.testing import CliRunner

    from portal.cli import main

    arguments = ["import-report", str(source), "--slug", "r", "--into", str(folder), *options]
    return CliRunner().invoke(main, arguments)


@pytest.mark.parametrize("suffix", ["docx", "pdf", "md"])
def test_the_command_imports_a_word_pdf_or_markdown_report(tmp_path, suffix):
    result = run_import(FIXTURES / f"sample-2023.{suffix}", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r.report.yml"]


def test_the_command_lists_the_cells_it_inferred(tmp_path):
    source = tmp_path / "crawled.txt"
    source.write_text(glue((FIXTURES / "lingwu-kjj-2024.txt").read_text("utf-8")), "utf-8")
    result = run_import(source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    inferred = [line for line in result.output.splitlines() if ": inferred: " in line]
    assert len(inferred) == 28
    assert inferred[0].endswith(
        "表二“规章”行（原文第 41 行）：连在一起的数字“000”按每格一位数字（只有这一种拆法）"
        "拆为 0、0、0"
    )


def test_a_structural_refusal_says_what_was_found_not_how_many_cells(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("会议纪要\n\n一、总体情况\n\n二、主动公开政府信息情况\n", "utf-8")
    result = run_import(source, tmp_path / "out")
    assert result.exit_code == 1
    assert "refused: 找不到报告标题" in result.output
    assert "cells" not in result.output and "hint" not in result.output
    assert "the report's structure was not recognised" in result.output
    assert not (tmp_path / "out").exists()


def test_a_crawled_text_with_cells_left_empty_points_to_the_html_or_word_version(tmp_path):
    source = tmp_path / "crawled.txt"
    source.write_text(sample_glued(), "utf-8")
    result = run_import(source, tmp_path / "out")
    assert result.exit_code == 3
    assert "left empty: 表二“行政规范性文件”行" in result.output
    assert "hint: if the report's web page (HTML) or its Word original (DOCX) is at hand" in (
        result.output
    )
    assert "incomplete: imported with 3 cells left empty for staff to fill" in result.output
