"""The importer is never silently wrong and never crashes: a header it does not know, the 2019
trial format, a file it cannot read, all refused with a message that says what was found and
what was looked for; any mutation of a real report's text gives a report or a refusal, never an
exception, and no internal marker ever reaches the body."""

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.reports.importer import import_report, read_source

FIXTURES = Path(__file__).parent / "report_fixtures"
SEED = (FIXTURES / "lingwu-kjj-2024.txt").read_text("utf-8")
TWIN_TEXT = (FIXTURES / "sample-2023.txt").read_text("utf-8")
TWIN_HTML = (FIXTURES / "sample-2023.html").read_text("utf-8")


def renamed(text, start, end, names):
    """``text`` with the lines between ``start`` and ``end`` renamed by ``names``."""
    head, rest = text.split(start, 1)
    header, tail = rest.split(end, 1)
    header = "\n".join(names.get(line, line) for line in header.split("\n"))
    return head + start + header + end + tail


# --- A header that is there but is not the statutory one ------------------------------------------


def test_an_unknown_table3_header_is_refused_not_read_in_the_statutory_order():
    names = {"自然人": "个人", "总计": "合计", "科研": "研究", "机构": "院所", "其他": "别的"}
    result = import_report(renamed(SEED, "申请人情况", "一、本年新收", names))
    assert result.report is None
    assert result.unplaced == [
        "表三的表头中有无法识别的列标题“个人”、“合计”、“研究”、“院所”、“别的”（法定格式的列为："
        "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计），无法确定各列位置；"
        "如这是其他格式的报告，请手工录入"
    ]


def test_an_unknown_table2_header_is_refused():
    names = {"本年制发件数": "本年新增", "本年废止件数": "本年减少", "现行有效件数": "现存"}
    result = import_report(renamed(SEED, "第二十条第(一)项", "规章", names))
    assert result.report is None
    assert result.unplaced == [
        "表二第二十条第（一）项的表头中有无法识别的列标题“本年新增”、“本年减少”、“现存”（法定格式"
        "的列为：本年制发件数、本年废止件数、现行有效件数），无法确定各列位置；如这是其他格式的报告，"
        "请手工录入"
    ]


def test_an_unknown_table4_header_is_refused():
    names = {"结果维持": "维持", "结果纠正": "纠正", "尚未审结": "未结"}
    result = import_report(renamed(SEED, "四、政府信息公开行政复议、行政诉讼情况", "0\n", names))
    assert result.report is None
    assert result.unplaced[0].startswith("表四的表头中有无法识别的列标题“维持”、“纠正”、“未结”")


def test_a_unit_above_a_table_is_no_unknown_header():
    text = SEED.replace("申请人情况", "单位：件\n\n申请人情况")
    assert import_report(text).report == import_report(SEED).report


# --- The 2019 trial format ------------------------------------------------------------------------

TRIAL_TABLE2 = """第二十条第(一)项

信息内容

本年新制作数量

本年新公开数量

对外公开总数量

规章

0

0

0

规范性文件

1

1

1

第二十条第(五)项

信息内容

上一年项目数量

本年增/减

处理决定数量

行政许可

0

0

0

第二十条第(九)项

信息内容

采购项目数量

采购总金额

政府集中采购

0

0

"""


def test_a_report_in_the_2019_trial_format_is_refused_naming_it():
    head, rest = SEED.split("二、主动公开政府信息情况\n")
    _, tail = rest.split("三、收到和处理政府信息公开申请情况")
    text = (
        head
        + "二、主动公开政府信息情况\n\n"
        + TRIAL_TABLE2
        + "三、收到和处理政府信息公开申请情况"
        + tail
    )
    result = import_report(text)
    assert result.report is None and result.structural
    assert result.unplaced == [
        "这份报告的表二按2019年的试行格式（国办公开办函〔2019〕60号）编制（有“本年新制作数量”、"
        "“本年新公开数量”、“对外公开总数量”），与现行格式（国办公开办函〔2021〕30号）的列和行不同；"
        "本工具只导入现行格式，请手工录入这份报告的表格"
    ]


# --- Titles as real reports write them ------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "2024年灵武市科学技术局政府信息公开工作年度报告",
        "2024 年灵武市科学技术局政府信息公开工作\n\n年度报告",
        "灵武市科学技术局2024年政府信息公开\n\n工作年度报告",
        "灵武市科学技术局2024年政府信息公开年度报告",
    ],
)
def test_titles_with_the_year_first_split_or_without_gongzuo_are_read(title):
    text = SEED.replace("灵武市科学技术局2024年政府信息公开工作年度报告", title, 1)
    result = import_report(text)
    assert result.unplaced == []
    assert (result.report.organisation, result.report.year) == ("灵武市科学技术局", 2024)
    assert result.body == import_report(SEED).body


def test_a_title_that_names_no_year_says_what_it_found():
    text = SEED.replace(
        "灵武市科学技术局2024年政府信息公开工作年度报告", "政府信息公开工作年度报告"
    )
    result = import_report(text)
    assert result.structural
    assert result.unplaced == [
        "找不到报告标题：“政府信息公开工作年度报告”像是标题，但其中没有年份"
        "（应如“某某局2024年政府信息公开工作年度报告”，年份也可在最前）"
    ]


def test_a_title_without_the_organisation_says_so():
    text = SEED.replace(
        "灵武市科学技术局2024年政府信息公开工作年度报告", "2024年政府信息公开工作年度报告"
    )
    assert import_report(text).unplaced == [
        "找不到报告标题：“2024年政府信息公开工作年度报告”像是标题，但其中没有机关名称"
        "（应如“某某局2024年政府信息公开工作年度报告”，年份也可在最前）"
    ]


def test_an_empty_file_says_it_has_no_text():
    result = import_report("")
    assert result.structural
    assert result.unplaced == [
        "找不到报告标题（应如“某某局2024年政府信息公开工作年度报告”，年份也可在最前）；"
        "文件里没有文字"
    ]


def test_table_sections_out_of_order_are_refused_naming_them_in_their_order():
    text = (
        SEED.replace("二、主动公开政府信息情况", "@")
        .replace("三、收到和处理政府信息公开申请情况", "二、主动公开政府信息情况")
        .replace("@", "三、收到和处理政府信息公开申请情况")
    )
    result = import_report(text)
    assert result.structural
    assert result.unplaced == [
        "找到了表格所在部分的标题，但先后顺序不对："
        "“三、收到和处理政府信息公开申请情况”（第 36 行）、“二、主动公开政府信息情况”（第 98 行）、"
        "“四、政府信息公开行政复议、行政诉讼情况”（第 534 行）"
        "（应为主动公开、收到和处理申请、行政复议和诉讼的顺序），无法确定表格的位置"
    ]


def test_a_word_file_given_as_text_is_refused():
    assert import_report("PK...", kind="docx").unplaced == [
        "DOCX 文件须按原文件读取，不能先转成文本"
    ]


# --- Files that cannot be read --------------------------------------------------------------------


def test_bytes_that_are_no_text_and_no_document_are_refused():
    result = import_report(b"\xff\xfe\x00\x81" * 50)
    assert result.report is None and result.structural
    assert result.unplaced == [
        "文件既不是 UTF-8 或 GB 18030 编码的文本，也不是 DOCX 或 PDF 文件，无法读取"
    ]


def test_a_broken_word_file_is_refused():
    data = (FIXTURES / "sample-2023.docx").read_bytes()[:3000]
    result = import_report(data, kind="docx")
    assert result.report is None
    assert result.unplaced[0].startswith("无法读取这个 DOCX 文件：not a valid Office file")


def test_a_word_file_that_unpacks_to_gigabytes_is_refused_unread():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 300_000_000)
    result = import_report(buffer.getvalue())
    assert result.report is None
    assert "unpacks to 300,000,008 bytes, more than 200,000,000" in result.unplaced[0]


def test_a_scanned_pdf_is_refused_saying_it_has_no_text_layer():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(buffer, "PDF")
    result = import_report(buffer.getvalue())
    assert result.unplaced == [
        "这个 PDF 文件里没有文字（没有文字层，可能是扫描的图片），无法导入；"
        "请用报告的 Word 原件或网页版导入"
    ]


# --- No crash, no marker in the body --------------------------------------------------------------

MARKERS = ("\x00", "blank", "merged")


def test_empty_cells_of_a_table_in_the_prose_never_reach_the_body():
    # The page's metadata table sits above the title, with empty cells.
    html = TWIN_HTML.replace(
        "<h2>一、总体情况</h2>",
        "<table><tr><td>附表</td><td></td></tr></table><h2>一、总体情况</h2>",
    )
    result = import_report(html)
    assert result.unplaced == []
    assert "附表" in result.body and "\x00" not in result.body
    single_spaced = "\n".join(
        "" if text == "\x00blank" else text for _, text in read_source(TWIN_HTML)
    )
    result = import_report(single_spaced.replace("一、总体情况", "一、总体情况\n\n"))
    assert result.unplaced == [] and "\x00" not in result.body


def mutate(lines, data):
    """The lines with some deleted, duplicated, swapped, split or run together."""
    lines = list(lines)
    for _ in range(data.draw(st.integers(1, 6))):
        if not lines:
            break
        at = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "join", "split"]))
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
        elif action == "join" and at + 1 < len(lines):
            lines[at : at + 2] = [lines[at] + lines[at + 1]]
        elif action == "split" and len(lines[at]) > 1:
            cut = data.draw(st.integers(1, len(lines[at]) - 1))
            lines[at : at + 1] = [lines[at][:cut], lines[at][cut:]]
    return lines


def variants(text):
    """The seed as real pages vary it: headings numbered （二） and one run into its table, the
    metadata table filled in, page furniture, a look-alike character in a label."""
    for number, heading in (
        ("二", "主动公开政府信息情况"),
        ("三", "收到和处理政府信息公开申请情况"),
        ("四", "政府信息公开行政复议、行政诉讼情况"),
    ):
        text = text.replace(f"{number}、{heading}", f"（{number}）{heading}", 1)
    return (
        text.replace(
            "（三）收到和处理政府信息公开申请情况\n\n", "（三）收到和处理政府信息公开申请情况 "
        )
        .replace("索 引 号 文  号 生成日期", "索引号：640181001/2025-00012 生成日期：2025-01-20")
        .replace("(二)依申请公开", "【字体：大 中 小】\n\n分享到：\n\n(二)依申请公开")
        .replace("2.重复申请", "2.重复申清")
    )


SOURCES = {
    "seed": SEED.split("\n"),
    "seed as pages vary it": variants(SEED).split("\n"),
    "sample text": TWIN_TEXT.split("\n"),
    "sample html": TWIN_HTML.split("\n"),
    "sample markdown": (FIXTURES / "sample-2023.md").read_text("utf-8").split("\n"),
}


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_mutation_of_a_real_report_makes_the_importer_raise(source, data):
    text = "\n".join(mutate(SOURCES[source], data))
    result = import_report(text)  # must not raise
    assert not any(marker in result.body for marker in ("\x00",))
    assert "640181001" not in result.body  # metadata never left in the body
    if result.report is not None:
        assert len(list(result.report.cells())) == 200
        assert result.unplaced == []
    else:
        assert result.unplaced


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(data=st.binary(min_size=0, max_size=4000))
def test_random_bytes_are_refused_not_raised(data):
    for kind in (None, "docx", "pdf"):
        result = import_report(data, kind=kind)
        assert result.report is None and result.unplaced
