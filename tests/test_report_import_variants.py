"""Variants real reports are published in, each read exactly or refused, and said: headings
numbered otherwise, written inline or in bold, under 表一 captions; the report's own metadata
table moved into the front matter (never invented); look-alike characters in labels read and
reported, numbers with letters in them refused; page furniture dropped, prose never; Word's
automatic numbering read as printed. Every text is the seed's real one, mutated."""

import re
from pathlib import Path

import pytest
import yaml
from test_report_import_partial import assert_partial, left, rows_left

from portal.catalogue import parse_file
from portal.reports.importer import (
    CONFUSABLE,
    FURNITURE_LABELS,
    FURNITURE_WORDS,
    PAGE_END,
    ends_page,
    format_number,
    import_report,
    is_furniture,
    is_suspect_number,
    write_import,
)

FIXTURES = Path(__file__).parent / "report_fixtures"
SEED = (FIXTURES / "lingwu-kjj-2024.txt").read_text("utf-8")
TWIN_HTML = (FIXTURES / "sample-2023.html").read_text("utf-8")
BASE = import_report(SEED)
HEADINGS = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}
ORDER = "一二三四五六"
TITLE_LINE = "灵武市科学技术局2024年政府信息公开工作年度报告"


def renumbered(write):
    """The seed with each section heading written by ``write(section, its words)``."""
    text = SEED
    for section, heading in HEADINGS.items():
        text = text.replace(heading, write(section, heading.split("、", 1)[1]), 1)
    return text


def headings(body):
    return [line for line in body.splitlines() if line.startswith("## ")]


def assert_exact(result):
    assert result.unplaced == []
    assert result.report == BASE.report


# --- Headings numbered, placed and written otherwise ----------------------------------------------

VARIANTS = {
    "（二） numbering": lambda s, w: f"（{s}）{w}",
    "第二部分": lambda s, w: f"第{s}部分 {w}",
    "2. numbering": lambda s, w: f"{ORDER.index(s) + 1}. {w}",
    "no numbering": lambda s, w: w,
    "tables under 一、二、三": lambda s, w: (
        "总体情况" if s == "一" else f"{ORDER[ORDER.index(s) - 1]}、{w}"
    ),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_sections_numbered_otherwise_are_read_and_said(variant):
    write = VARIANTS[variant]
    result = import_report(renumbered(write))
    assert_exact(result)
    # As written (a leading "2." escaped, so that Markdown shows it and not a list).
    assert headings(result.body) == [
        "## " + re.sub(r"^(\d)", r"\\\1", write(s, HEADINGS[s].split("、", 1)[1])) for s in ORDER
    ]
    # Each table's section says what it was read as, with its line.
    lines = {s: SEED.splitlines().index(HEADINGS[s]) + 1 for s in "二三四"}
    assert [note for note in result.notes if "按法定格式" in note] == [
        f"原文第 {lines[s]} 行：“{write(s, HEADINGS[s].split('、', 1)[1])}”按法定格式的"
        f"“{HEADINGS[s]}”读取（编号或文字与法定格式不同）"
        for s in "二三四"
    ]


def test_a_report_with_the_statutory_numbering_has_no_such_note():
    assert not any("按法定格式" in note for note in BASE.notes)


def test_table_captions_are_read_as_the_sections_they_head():
    text = (
        SEED.replace(HEADINGS["二"], "表一 主动公开政府信息情况")
        .replace(HEADINGS["三"], "表二：收到和处理政府信息公开申请情况")
        .replace(HEADINGS["四"], "表三 政府信息公开行政复议、行政诉讼情况")
    )
    result = import_report(text)
    assert_exact(result)
    assert "## 表二：收到和处理政府信息公开申请情况" in result.body


def test_a_sub_heading_that_looks_like_a_section_is_not_taken_for_it():
    # （一）主动公开政府信息情况 in 总体情况's prose, before the real 二、: its tables stay put.
    text = SEED.replace("(一)主动公开", "(一)主动公开政府信息情况")
    result = import_report(text)
    assert_exact(result)
    assert result.body == BASE.body.replace("(一)主动公开", "(一)主动公开政府信息情况")


def test_headings_in_bold_or_brackets_are_read_without_their_marks():
    text = renumbered(lambda s, w: f"**{s}、{w}**" if s in "二四" else f"【{s}、{w}】")
    result = import_report(text)
    assert_exact(result)
    assert result.body == BASE.body


def test_a_heading_written_on_one_line_with_its_table_is_cut_from_it():
    text = SEED
    for section in "二三四":
        text = text.replace(HEADINGS[section] + "\n\n", HEADINGS[section] + " ", 1)
    text = text.replace(HEADINGS["五"] + "\n\n", HEADINGS["五"], 1)
    assert "二、主动公开政府信息情况 第二十条第(一)项" in text
    assert "五、存在的主要问题及改进情况2024年,灵武市" in text
    result = import_report(text)
    assert_exact(result)
    assert result.body == BASE.body
    assert result.notes[0] == (
        "原文第 36 行：标题“二、主动公开政府信息情况”与后面的文字写在同一行，已分开"
    )


def test_crawler_text_with_each_heading_run_into_its_table_is_read():
    from test_report_import_shapes import glue

    text = glue(SEED)
    for section in "二三四":
        text = text.replace(HEADINGS[section] + "\n\n", HEADINGS[section], 1)
    assert "二、主动公开政府信息情况第二十条第(一)项信息内容本年制发件数" in text
    result = import_report(text)
    assert_exact(result)
    assert len(result.inferred) == 28


def test_prose_that_starts_with_a_sections_words_is_not_cut():
    text = SEED.replace(
        "2024年,灵武市科技局坚持以习近平", "总体情况良好。2024年,灵武市科技局坚持以习近平", 1
    )
    result = import_report(text)
    assert_exact(result)
    assert "\n\n总体情况良好。2024年,灵武市科技局坚持以习近平" in result.body


@pytest.mark.parametrize(
    "title",
    [
        "灵武市科学技术局\n\n2024年政府信息公开工作年度报告",
        "《灵武市科学技术局2024年政府信息公开工作年度报告》",
        "灵武市科学技术局二〇二四年政府信息公开工作年度报告",
    ],
)
def test_more_title_shapes_are_read(title):
    result = import_report(SEED.replace("灵武市科学技术局2024年政府信息公开工作年度报告", title, 1))
    assert_exact(result)
    assert (result.report.organisation, result.report.year) == ("灵武市科学技术局", 2024)


# --- The report's own metadata table --------------------------------------------------------------

META_TABLE = (
    '<table class="meta"><tr><td>索 引 号</td><td>014314799/2024-00003</td>'
    "<td>文  号</td><td></td></tr>"
    "<tr><td>发布机构</td><td>示例县科学技术局</td><td>生成日期</td><td>2024年1月18日</td></tr>"
    "<tr><td>主题分类</td><td>科技</td><td>公开方式</td><td>主动公开</td></tr>"
    "<tr><td>关键词</td><td>年报；政府信息公开</td><td>所属分类</td><td>信息公开年报</td></tr>"
    "</table>"
)


def with_metadata(html, table=META_TABLE, above_title=""):
    start = html.index('<table class="meta">')
    html = html[:start] + table + html[html.index("</table>", start) + len("</table>") :]
    return html.replace("<h1>", f"{above_title}<h1>", 1)


def test_the_metadata_table_goes_into_the_front_matter_as_written(tmp_path):
    html = with_metadata(
        TWIN_HTML,
        above_title="<div>发布时间：2024-01-20 09:30 来源：示例县科学技术局 浏览次数：35</div>",
    )
    result = import_report(html, slug="r")
    plain = import_report(TWIN_HTML)
    assert result.report == plain.report and result.body == plain.body
    assert result.metadata == {
        "index_no": "014314799/2024-00003",
        "date": "2024-01-18",
        "mode": "主动公开",
        "keywords": ["年报", "政府信息公开"],
        "published": "2024-01-20 09:30",
    }
    # What has no field of ours is said, not written and not left in the body.
    assert result.notes[-2:] == [
        "元数据：发布机构“示例县科学技术局”没有对应的字段，未写入",
        "元数据：主题分类“科技”没有对应的字段，未写入",
    ]
    for text in ("014314799", "发布机构", "主题分类", "浏览次数", "2024年1月18日"):
        assert text not in result.body
    # The file written is one the catalogue reads, with those values.
    document, _ = write_import(result, tmp_path, "r")
    parsed, problems = parse_file(document, tmp_path)
    assert problems == []
    assert (parsed.index_no, parsed.date.isoformat(), parsed.mode) == (
        "014314799/2024-00003",
        "2024-01-18",
        "主动公开",
    )
    assert parsed.keywords == ("年报", "政府信息公开")
    fields = yaml.safe_load(document.read_text("utf-8").split("---\n")[1])
    assert fields["doc_no"] is None and fields["department"] is None


def test_metadata_lines_at_the_end_of_the_page_or_flattened_one_cell_a_line():
    text = SEED.replace(
        "附件下载:", "索引号：640181001/2025-00012\n\n文号：灵科发〔2025〕3号\n\n附件下载:"
    ).replace(
        "索 引 号 文  号 生成日期",
        "索 引 号\n生成日期\n2025-01-20\n主题词\n年度报告",
    )
    result = import_report(text)
    assert_exact(result)
    assert result.body == BASE.body
    assert result.metadata == {
        "date": "2025-01-20",
        "keywords": ["年度报告"],
        "index_no": "640181001/2025-00012",
        "doc_no": "灵科发〔2025〕3号",
    }


def test_no_metadata_is_invented_when_the_page_gives_none():
    assert BASE.metadata == {}
    assert import_report(TWIN_HTML).metadata == {}


def test_two_different_index_numbers_leave_the_field_empty():
    text = SEED.replace(
        "索 引 号 文  号 生成日期",
        "索引号：640181001/2025-00012 生成日期：2025-01-20\n\n索引号：640181001/2025-00013",
    )
    result = import_report(text)
    assert result.metadata == {"date": "2025-01-20"}
    assert (
        "元数据（原文第 4 行）：页面上有两个不同的索引号（“640181001/2025-00013”与前面的），"
        in (result.notes[-1])
    )


def test_a_value_that_fits_no_key_is_left_out_and_said():
    text = SEED.replace("索 引 号 文  号 生成日期", "生成日期：2025-02-30 公开方式：网站")
    result = import_report(text)
    assert result.metadata == {}
    assert result.notes == [
        "元数据（原文第 2 行）：生成日期“2025-02-30”不是日期，未写入",
        "元数据（原文第 2 行）：公开方式“网站”不是主动公开、依申请公开之一，未写入",
    ]


def test_a_metadata_title_is_the_title_when_the_page_has_no_other():
    text = SEED.replace(
        "灵武市科学技术局2024年政府信息公开工作年度报告\n",
        "",
        1,
    ).replace("索 引 号 文  号 生成日期", "标题：灵武市科学技术局2024年政府信息公开工作年度报告")
    result = import_report(text)
    assert_exact(result)
    assert result.title == "灵武市科学技术局2024年政府信息公开工作年度报告"


def test_prose_starting_with_a_metadata_word_stays_in_the_body():
    line = "公开方式多样，效果良好"
    result = import_report(SEED.replace("(二)依申请公开", f"{line}\n\n(二)依申请公开"))
    assert f"\n\n{line}\n\n" in result.body and result.metadata == {}


# --- Look-alike characters and numbers with letters ----------------------------------------------

SLIPS = {
    "1.信访举报投诉类申请": "1.信访举报投诉类申清",
    "未经复议直接起诉": "末经复议直接起诉",
    "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关确认或重新出具己获取信息",
    "1.属于国家秘密": "l.属于国家秘密",
}


def test_labels_with_look_alike_characters_are_read_and_each_is_reported():
    text = SEED
    for right, slip in SLIPS.items():
        text = text.replace(right, slip, 1)
    result = import_report(text)
    assert_exact(result)
    assert result.read_as == [
        "表三（原文第 192 行）：“l.属于国家秘密”中“l”读作“1”（字形相近，请核对原件）",
        "表三（原文第 372 行）：“1.信访举报投诉类申清”中“申清”读作“申请”（字形相近，请核对原件）",
        "表三（原文第 436 行）：“5.要求行政机关确认或重新出具己获取信息”中“具己”读作“具已”"
        "（字形相近，请核对原件）",
        "表四（原文第 550 行）：“末经复议直接起诉”中“末”读作“未”（字形相近，请核对原件）",
    ]
    assert BASE.read_as == []


def test_a_look_alike_heading_is_read_and_said():
    text = SEED.replace(HEADINGS["三"], "三、收到和处理政府信息公开申清情况", 1)
    result = import_report(text)
    assert_exact(result)
    assert result.notes == [
        "原文第 98 行：“三、收到和处理政府信息公开申清情况”按法定格式的"
        "“三、收到和处理政府信息公开申请情况”读取（有字形相近的字）"
    ]


def test_a_slip_that_could_be_two_labels_is_not_read():
    # 其他 is both a column and, numbered, a row: folded, 3.其他 stays only what it is.
    text = SEED.replace("2.重复申请", "2.重复申情申", 1)
    result = import_report(text)
    assert rows_left(result, BASE.report) == {"unprocessed_repeated"}
    assert result.read_as == []
    assert "无法识别的“2.重复申情申”后面的数值" in result.unused[0]


@pytest.mark.parametrize("number", ["1O", "O", "l0", "1l", "2o", "〇"])
def test_a_number_with_a_letter_in_it_is_refused_with_its_line(number):
    text = SEED.replace("2.重复申请\n\n0", f"2.重复申请\n\n{number}", 1)
    result = import_report(text)
    assert rows_left(result, BASE.report) == {"unprocessed_repeated"}
    assert left(result) == [
        f"表三“2.重复申请”行（原文第 388 行）：“{number}”像数字但含有字母或符号（O、l 等，"
        "可能是识别错误），不猜测其数值，请按原件改正后再导入"
    ]


def test_a_number_with_a_letter_in_table_four_is_refused():
    at = SEED.rindex("结果维持")
    text = SEED[:at] + SEED[at:].replace("\n0\n", "\n0O\n", 1)
    result = import_report(text)
    assert len(assert_partial(result, BASE.report)) == 15
    assert left(result)[0].startswith("表四（原文第 ")
    assert "“0O”像数字但含有字母或符号" in left(result)[0]


def test_suspect_numbers_are_only_digits_mixed_with_look_alike_letters():
    assert all(map(is_suspect_number, ["1O", "O", "l2", "10l", "〇", "1,O00"]))
    assert not any(map(is_suspect_number, ["10", "其他", "l", "I", "Ol", "2.5", ""]))
    assert all(len(set(group)) == len(group) for group in CONFUSABLE)


# --- Page furniture -------------------------------------------------------------------------------

FURNITURE = [
    "分享到：",
    "微信 微博 QQ空间",
    "【字体：大 中 小】",
    "【打印本页】【关闭窗口】",
    "全真版",
    "打印",
    "关闭窗口",
    "浏览次数：1234",
    "来源：灵武市科学技术局",
    "扫一扫在手机打开当前页",
    "上一篇：灵武市科学技术局2023年政府信息公开工作年度报告",
    "下一篇：关于开展2025年科技特派员申报的通知",
    "首页 > 政务公开 > 政府信息公开年报",
    "当前位置：首页>>信息公开>>年度报告",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_a_furniture_line_anywhere_is_dropped_and_changes_nothing(line):
    assert is_furniture(line)
    # Before the title, in the prose, between two tables, in table 3's header.
    for anchor in (
        "灵武市科学技术局2024年政府信息公开工作年度报告",
        "(二)依申请公开",
        HEADINGS["三"],
        "申请人情况",
    ):
        text = SEED.replace(anchor, f"{line}\n\n{anchor}", 1)
        result = import_report(text)
        assert_exact(result)
        assert result.body == BASE.body, (line, anchor)


@pytest.mark.parametrize(
    "prose",
    [
        "安排专人利用微信公众号、政务微博等新媒体平台及时发布信息。",
        "微信公众号",
        "来源于群众的意见建议均已办结。",
        "全年打印并发放宣传资料500份。",
        "首页改版后，政府信息公开栏目更易查找。",
    ],
)
def test_a_line_of_prose_with_furniture_words_is_kept(prose):
    assert not is_furniture(prose)
    result = import_report(SEED.replace("(二)依申请公开", f"{prose}\n\n(二)依申请公开", 1))
    assert f"\n\n{prose}\n\n" in result.body


def test_the_furniture_list_is_data_and_every_entry_is_furniture():
    assert all(is_furniture(word) for word in FURNITURE_WORDS)
    assert all(is_furniture(f"{label}：某某") for label in FURNITURE_LABELS)
    assert all(ends_page(word) for word in PAGE_END)


def test_furniture_after_the_report_ends_it():
    text = SEED.replace("附件下载:", "上一篇：某某通知\n\n相关链接\n\n灵武市人民政府\n\n附件下载:")
    result = import_report(text)
    assert_exact(result)
    assert result.body == BASE.body


# --- Word's automatic numbering -------------------------------------------------------------------


def test_a_word_report_numbered_by_word_reads_as_printed():
    from portal.extraction import Paragraph, extract

    data = (FIXTURES / "lingwu-kjj-2024-numbered.docx").read_bytes()
    # The text itself has no numbering: Word draws it from the numbering definitions.
    texts = [b.text for b in extract(data, "docx").blocks if isinstance(b, Paragraph)]
    assert "总体情况" in texts and "一、总体情况" not in texts
    result = import_report(data)
    assert_exact(result)
    assert result.body == BASE.body and result.notes == []


def test_a_word_report_numbered_by_word_as_libreoffice_saves_it():
    # The same document saved by LibreOffice: its own lists, taiwaneseCountingThousand.
    data = (FIXTURES / "lingwu-kjj-2024-numbered-lo.docx").read_bytes()
    result = import_report(data)
    assert_exact(result)
    assert result.body == BASE.body


@pytest.mark.parametrize(
    ("number", "kind", "shown"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCountingThousand", "十一"),
        (24, "taiwaneseCountingThousand", "二十四"),
        (3, "decimal", "3"),
        (3, "decimalFullWidth", "３"),
        (4, "upperRoman", "IV"),
        (2, "lowerLetter", "b"),
        (3, "decimalEnclosedCircle", "③"),
        (2, "ideographTraditional", "乙"),
        (1, "bullet", None),
    ],
)
def test_word_number_formats(number, kind, shown):
    assert format_number(number, kind) == shown


def test_a_short_line_above_the_title_is_no_part_of_its_organisation():
    # A column name (政府信息公开) above the title: joined, it would name a body that is none.
    text = SEED.replace(TITLE_LINE, f"政府信息公开\n\n{TITLE_LINE}", 1)
    result = import_report(text)
    assert_exact(result)
    assert result.title == TITLE_LINE


def test_a_metadata_table_naming_the_title_in_a_cell_leaves_the_title_where_it_is():
    cells = ["名称", TITLE_LINE, "索引号", "640181001/2025-00012", "分类", "信息公开年报 其他"]
    table = "\n".join([*cells, "文件下载", "", "时效", ""])
    text = SEED.replace("索 引 号 文  号 生成日期", table, 1)
    result = import_report(text)
    assert_exact(result)
    assert result.body == BASE.body
    assert result.metadata == {"index_no": "640181001/2025-00012"}
