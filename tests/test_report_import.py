"""Importing published annual reports: every number in its cell, or a list of what was not."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from test_report_import_partial import assert_partial, left, rows_left

from portal.reports import CELLS, load_report, make_report, report_to_yaml, validate_report
from portal.reports.importer import (
    OutlineError,
    build_body,
    find_labels,
    find_outline,
    guess_kind,
    import_report,
    place_numbers,
    read_source,
    write_import,
)

FIXTURES = Path(__file__).parent / "report_fixtures"
CONTENT = Path(__file__).parent.parent / "content" / "annual-reports"
SEED = (FIXTURES / "lingwu-kjj-2024.txt").read_text("utf-8")
BASE = import_report(SEED).report
TWIN_TEXT = (FIXTURES / "sample-2023.txt").read_text("utf-8")
TWIN_HTML = (FIXTURES / "sample-2023.html").read_text("utf-8")


def same_tables(a, b):
    return (a.table2, a.table3, a.table4) == (b.table2, b.table3, b.table4)


def front_matter(markdown):
    return yaml.safe_load(markdown.split("---\n")[1])


# --- The seed ---------------------------------------------------------------------------------


def test_importer_places_every_number_of_the_seed():
    result = import_report(SEED)
    assert result.unplaced == []
    expected = make_report(
        "灵武市科学技术局",
        2024,
        {"table2.normative.issued": 1, "table2.normative.in_force": 1},
    )
    assert result.report == expected
    assert len(list(result.report.cells())) == len(CELLS) == 200
    assert result.report.value(2, "fees", "amount") == Decimal(0)


def test_seed_passes_every_rule_including_its_prose():
    result = import_report(SEED)
    assert result.problems == []
    assert result.notes == []


def test_the_shipped_seed_report_is_the_importers_output():
    result = import_report(SEED, slug="lingwu-kjj-2024")
    assert (CONTENT / "lingwu-kjj-2024.md").read_text("utf-8") == result.markdown
    assert (CONTENT / "lingwu-kjj-2024.report.yml").read_text("utf-8") == report_to_yaml(
        result.report
    )
    assert load_report(CONTENT / "lingwu-kjj-2024.report.yml") == result.report


def test_seed_front_matter_invents_no_metadata():
    fields = front_matter(import_report(SEED, slug="lingwu-kjj-2024").markdown)
    assert fields == {
        "title": "灵武市科学技术局2024年政府信息公开工作年度报告",
        "index_no": None,
        "doc_no": None,
        "date": None,
        "department": None,
        "time_limit": None,
        "category": "政府信息公开年报",
        "five_openness": None,
        "mode": None,
        "keywords": None,
        "attachments": None,
        "report": "lingwu-kjj-2024.report.yml",
    }


def test_seed_prose_is_kept_word_for_word_without_page_chrome():
    body = import_report(SEED).body
    seed_lines = [line.strip() for line in SEED.splitlines() if line.strip()]
    prose = [line for line in seed_lines if len(line) > 40 and "勾稽关系" not in line]
    for line in prose[1:]:  # the first long line is the accessibility banner
        assert line in body, line
    # The source's own slips stay as published.
    assert "二是组织开展以宣传科技创新政策\u2002\u2002厚植科技创新沃土”为主题" in body
    assert "实效二是开展" in body
    for chrome in ("本站已启用无障碍", "保护视力色", "索 引 号", "附件下载", "扫一扫", "分享到"):
        assert chrome not in body
    assert body.startswith("根据《中华人民共和国政府信息公开条例》(国令第711号)规定")


def test_seed_sections_become_headings_with_table_markers():
    body = import_report(SEED).body
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings == [
        "## 一、总体情况",
        "### (一)主动公开",
        "### (二)依申请公开",
        "### (三)政府信息管理",
        "### (四)政府信息公开平台建设",
        "### (五)监督保障",
        "## 二、主动公开政府信息情况",
        "## 三、收到和处理政府信息公开申请情况",
        "## 四、政府信息公开行政复议、行政诉讼情况",
        "## 五、存在的主要问题及改进情况",
        "## 六、其他需要报告的事项",
        "### (一)2024年政务公开工作落实情况",
        "### (二)本机关2024年收到的政府信息公开申请",
    ]
    for number in (2, 3, 4):
        assert f"\n\n[[table:{number}]]\n\n" in body


# --- HTML and its flattened twin ----------------------------------------------------------------


def test_html_tables_with_rowspan_and_colspan_import_like_their_flattened_text_twin():
    from_text = import_report(TWIN_TEXT)
    from_html = import_report(TWIN_HTML)
    assert from_text.unplaced == [] and from_html.unplaced == []
    expected = load_report(FIXTURES / "sample-2023.report.yml")
    assert same_tables(from_text.report, expected)
    assert same_tables(from_html.report, expected)
    assert from_html.body == from_text.body
    assert from_html.report.value(2, "fees", "amount") == Decimal("4068.208")


def test_kind_is_guessed_from_the_source():
    assert guess_kind(TWIN_HTML) == "html"
    assert guess_kind(SEED) == "text"
    assert same_tables(import_report(TWIN_HTML, "html").report, import_report(TWIN_HTML).report)


def test_blank_html_cells_count_as_zero_where_the_grid_places_them():
    # The fixture leaves many zeros as empty <td> cells: the grid says which cell each one is.
    assert "<td></td>" in TWIN_HTML
    result = import_report(TWIN_HTML)
    assert result.report.value(3, "withheld_state_secret", "person") == 0
    assert result.notes == []


def test_a_number_cell_merged_over_two_rows_is_not_guessed():
    # 自然人 of 一 reaches down over 二: does 20 hold for both rows, or is 二's number lost?
    html = TWIN_HTML.replace(
        '<td colspan="3">一、本年新收政府信息公开申请数量</td><td>20</td>',
        '<td colspan="3">一、本年新收政府信息公开申请数量</td><td rowspan="2">20</td>',
    ).replace(
        '<td colspan="3">二、上年结转政府信息公开申请数量</td><td>2</td>',
        '<td colspan="3">二、上年结转政府信息公开申请数量</td>',
    )
    result = import_report(html)
    # Only that one cell is left for staff; 一's 20 is written where it stands.
    assert assert_partial(result, None) == ["table3.carried_over.person"]
    assert result.report.value(3, "new", "person") == 20
    assert left(result) == [
        "表三“二、上年结转政府信息公开申请数量”行“自然人”列：单元格与上一行合并，无法确定数值"
    ]


# --- Label variants seen in real reports ----------------------------------------------------------


def test_label_variants_widths_and_wrapped_labels_are_recognised():
    text = (
        SEED.replace("行政规范性文件", "规范性文件")
        .replace("(一)予以公开", "（一）予以公开")
        .replace("3.危及“三安全一稳定”", '3、危及"三安全一稳定"')
        .replace("社会公益组织", "社会公益\n\n组织")
        .replace(
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、\n\n行政机关不再处理其政府信息公开申请",
        )
        .replace("本年收费金额(单位:万元)", "本年收费金额（单位：万元）")
        .replace("四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政复议和行政诉讼情况")
        .replace("五、存在的主要问题及改进情况", "五、存在的主要问题及整改措施")
    )
    result = import_report(text)
    assert result.unplaced == []
    assert result.report == import_report(SEED).report
    assert "## 五、存在的主要问题及整改措施" in result.body


def test_footnotes_below_a_table_are_kept_below_its_marker():
    text = SEED.replace(
        "五、存在的主要问题及改进情况",
        "注:行政复议、行政诉讼数量含上年度结转数量。\n\n五、存在的主要问题及改进情况",
    )
    result = import_report(text)
    assert result.unplaced == []
    assert "[[table:4]]\n\n注:行政复议、行政诉讼数量含上年度结转数量。\n\n## 五" in result.body


def test_a_whole_row_of_blank_cells_counts_as_zero_with_a_note():
    lines = SEED.split("\n\n2.重复申请\n\n")
    text = lines[0] + "\n\n2.重复申请\n\n" + lines[1].split("\n\n", 7)[7]
    result = import_report(text)
    assert result.unplaced == []
    assert result.report == import_report(SEED).report
    assert result.notes == ["表三“2.重复申请”行（原文第 388 行）没有数值，按全部为 0 处理"]


def test_a_dash_in_a_flattened_cell_counts_as_zero():
    text = SEED.replace("行政许可\n\n0", "行政许可\n\n-").replace("(七)总计\n\n0", "(七)总计\n\n/")
    assert import_report(text).report == import_report(SEED).report


def test_a_table_without_any_number_is_not_read_as_zeros():
    # The numbers of a table published as an image do not reach the text at all.
    head, tail = SEED.split("四、政府信息公开行政复议、行政诉讼情况")
    tail = tail.replace("总计\n\n" + "0\n\n" * 15, "总计\n\n")
    result = import_report(head + "四、政府信息公开行政复议、行政诉讼情况" + tail)
    assert result.report is None
    assert result.unplaced == ["表四中没有任何数值（表格可能是图片），无法导入"]


def test_values_written_on_the_label_line_are_split_off():
    text = SEED.replace("规章\n\n0\n\n0\n\n0", "规章 0 0 0").replace(
        "行政规范性文件\n\n1\n\n0\n\n1", "行政规范性文件\n\n1 0 1"
    )
    assert import_report(text).report == import_report(SEED).report


def test_organisation_columns_are_placed_in_the_order_of_their_headers():
    text = TWIN_TEXT.replace("商业\n\n企业\n\n科研\n\n机构", "科研\n\n机构\n\n商业\n\n企业")
    result = import_report(text)
    assert result.unplaced == []
    # The numbers did not move, so the first organisation column now reads as 科研机构.
    assert result.report.value(3, "new", "research") == 3
    assert result.report.value(3, "new", "business") == 1


# --- What cannot be placed -----------------------------------------------------------------------


def test_a_row_with_a_missing_number_is_listed_and_left_empty():
    text = SEED.replace("2.重复申请\n\n0\n\n", "2.重复申请\n\n", 1)
    result = import_report(text)
    assert rows_left(result, BASE) == {"unprocessed_repeated"}
    assert left(result) == [
        "表三“2.重复申请”行（原文第 388 行）：找到 6 个数值（0 0 0 0 0 0），应有 7 个（自然人、"
        "商业企业、科研机构、社会公益组织、法律服务机构、其他、总计），无法确定各属哪一列"
    ]


def test_an_extra_number_is_listed():
    text = SEED.replace("行政许可\n\n0", "行政许可\n\n0\n\n3")
    result = import_report(text)
    assert assert_partial(result, BASE) == ["table2.licensing.decisions"]
    assert left(result) == [
        "表二“行政许可”行（原文第 70 行）：找到 2 个数值（0 3），应有 1 个（本年处理决定数量），"
        "无法确定各属哪一列"
    ]


def test_an_unknown_label_with_numbers_is_listed_with_the_row_it_hides():
    result = import_report(SEED.replace("2.重复申请", "2.重复提出的申请"))
    assert rows_left(result, BASE) == {"unprocessed_repeated"}
    assert result.unused == [
        "表三（原文第 388 行）：无法识别的“2.重复提出的申请”后面的数值（0 0 0 0 0 0 0）"
    ]
    assert left(result) == ["表三“2.重复申请”行：原文中未找到这一行"]


def test_table4_with_missing_numbers_is_listed():
    head, tail = SEED.split("四、政府信息公开行政复议、行政诉讼情况")
    result = import_report(
        head + "四、政府信息公开行政复议、行政诉讼情况" + tail.replace("0\n\n", "", 1)
    )
    assert {cell.split(".")[0] for cell in assert_partial(result, BASE)} == {"table4"}
    assert len(result.empty_cells) == 15
    assert left(result) == [
        "表四（原文第 574 行）：找到 14 个数值（0 0 0 0 0 0 0 0 0 0 0 0 0 0），应有 15 个，"
        "无法确定位置"
    ]


def test_table4_numbers_after_an_unknown_line_are_listed_not_a_crash():
    note = "注：行政复议、行政诉讼数量含上年度结转数量。"
    head, tail = TWIN_TEXT.split(note)
    numbers = head.rindex("总计\n") + len("总计\n")
    result = import_report(head[:numbers] + note + "\n" + head[numbers:] + tail)
    assert len(assert_partial(result, import_report(TWIN_TEXT).report)) == 15
    assert result.unused == [
        f"表四（原文第 568 行）：无法识别的“{note}”后面的数值（1 1 0 1 3 1 0 0 0 1 0 0 0 1 1）"
    ]
    assert left(result) == ["表四：没有找到数值，应有 15 个，无法确定位置"]


def test_a_text_without_a_report_title_is_refused():
    result = import_report("一、总体情况\n\n二、主动公开政府信息情况\n")
    assert result.report is None
    assert result.unplaced == [
        "找不到报告标题（应如“某某局2024年政府信息公开工作年度报告”，年份也可在最前）；"
        "文件开头是“一、总体情况”"
    ]


def test_a_text_without_the_table_sections_is_refused():
    result = import_report(SEED.split("二、主动公开政府信息情况")[0])
    assert result.report is None
    assert result.unplaced == [
        "找不到“二、主动公开政府信息情况”、“三、收到和处理政府信息公开申请情况”、"
        "“四、政府信息公开行政复议、行政诉讼情况”部分的标题（编号可不同，如“（二）”“第二部分”"
        "“表一”）；文中也没有这些表格的内容（如“信息内容”“申请人情况”“行政复议”）；"
        "表格的位置由这些标题确定，无法导入"
    ]


def test_numbers_that_break_the_rules_are_imported_and_reported():
    new = "一、本年新收政府信息公开申请数量\n\n"
    text = SEED.replace(new + "0", new + "2")
    result = import_report(text)
    assert result.unplaced == []
    assert [problem.rule for problem in result.problems] == ["R1", "R3"]
    assert result.problems == validate_report(result.report, result.body)


# --- The stages, one by one ---------------------------------------------------------------------


def test_the_stages_called_one_by_one_give_what_import_report_gives():
    lines = read_source(TWIN_HTML)
    outline = find_outline(lines)
    placed = place_numbers({n: find_labels(n, outline.tables[n]) for n in (2, 3, 4)})
    body = build_body(outline, placed.footnotes)
    result = import_report(TWIN_HTML)
    assert (outline.title, outline.organisation, outline.year) == (
        result.title,
        result.report.organisation,
        result.report.year,
    )
    assert placed.unplaced == []
    assert placed.tables == {
        2: result.report.table2,
        3: result.report.table3,
        4: result.report.table4,
    }
    assert body == result.body


def test_a_label_wrapped_over_lines_is_found_with_the_values_after_it():
    region = [(10, "社会公益"), (11, "组织"), (12, "3"), (13, "2")]
    [entry] = find_labels(3, region)
    assert (entry.label.key, entry.text, entry.line) == ("nonprofit", "社会公益组织", 10)
    assert [token.value for token in entry.values] == [3, 2]


def test_the_outline_names_the_sections_it_cannot_find():
    lines = read_source(SEED.replace("三、收到和处理政府信息公开申请情况", "下表为申请情况"))
    with pytest.raises(OutlineError) as raised:
        find_outline(lines)
    assert raised.value.title == "灵武市科学技术局2024年政府信息公开工作年度报告"
    assert raised.value.message == (
        "找不到“三、收到和处理政府信息公开申请情况”部分的标题（编号可不同，如“（二）”“第二部分”"
        "“表一”）；找到了“二、主动公开政府信息情况”、“四、政府信息公开行政复议、行政诉讼情况”；"
        "文中有表三的内容（“(本列数据的勾稽关系为:第一项加第二项之”），但前面没有它所在部分的标题；"
        "表格的位置由这些标题确定，无法导入"
    )


# --- Writing the files ----------------------------------------------------------------------------


def test_write_import_writes_the_content_file_and_its_data_file(tmp_path):
    result = import_report(SEED)
    paths = write_import(result, tmp_path, "lingwu-kjj-2024")
    assert paths == [tmp_path / "lingwu-kjj-2024.md", tmp_path / "lingwu-kjj-2024.report.yml"]
    assert paths[0].read_text("utf-8") == (CONTENT / "lingwu-kjj-2024.md").read_text("utf-8")
    assert load_report(paths[1]) == result.report


def test_importing_again_keeps_the_front_matter_staff_filled_in(tmp_path):
    document, data = write_import(import_report(SEED), tmp_path, "r")
    edited = document.read_text("utf-8").replace("department:", "department: 办公室")
    document.write_text(edited, "utf-8")
    fixed = SEED.replace("规章\n\n0\n\n0\n\n0", "规章\n\n0\n\n0\n\n1")
    write_import(import_report(fixed), tmp_path, "r")
    assert front_matter(document.read_text("utf-8"))["department"] == "办公室"
    assert load_report(data).value(2, "rules", "in_force") == 1


def test_importing_again_keeps_front_matter_closed_with_dots_and_drops_the_old_body(tmp_path):
    document, _ = write_import(import_report(SEED), tmp_path, "r")
    lines = document.read_text("utf-8").replace("department:", "department: 办公室").split("\n")
    close = lines.index("---", 1)
    lines[close] = "..."  # YAML's end-of-document line closes front matter too
    front = "\n".join(lines[: close + 1])
    # The old body has a thematic break, which is no end of front matter.
    document.write_text(front + "\n旧的正文\n\n---\n\n旧的附言\n", "utf-8")
    result = import_report(SEED)
    write_import(result, tmp_path, "r")
    assert document.read_text("utf-8") == front + "\n" + result.body


def test_an_incomplete_import_is_not_written(tmp_path):
    result = import_report(SEED.replace("行政许可\n\n0", "行政许可"))
    assert result.report is not None  # a whole blank row is a row of zeros
    result = import_report(SEED.replace("三、收到和处理政府信息公开申请情况", "下表为申请情况"))
    with pytest.raises(ValueError):
        write_import(result, tmp_path, "r")
    assert list(tmp_path.iterdir()) == []
