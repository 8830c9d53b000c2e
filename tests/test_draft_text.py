"""A draft's fields and its file, both ways: every content file of the project reads into the
form's values and writes back byte for byte; any value the form can hold is written so that the
site reads it back exactly (never as a number, a boolean or a date); an edit rewrites only the
values it changes and keeps comments, styles and the keys the form does not show."""

import datetime
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.catalogue import content_files, parse_file
from portal.catalogue.draft_text import (
    DraftFields,
    EditRefused,
    edited_text,
    fields_of,
    new_text,
    split_for_editing,
)

ROOT = Path(__file__).parent.parent
# What a form field can hold after the back office reads it (portal.web.visible_text): no
# controls, no invisible format characters, no line breaks, nothing around it.
ONE_LINE = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=20
).map(str.strip)
HAND_WRITTEN = """---
  # 起草：办公室
  title: 关于开展科技活动周的通知
  index_no: '000000000/2026-00007'
  doc_no:   # 原文无文号
  date: 2026-05-06
  department: "办公室"
  time_limit: 及时公开
  category: 其他文件
  five_openness: 执行公开
  mode: 主动公开
  keywords:
    - 科技活动周
  attachments: [{file: plan.pdf, title: 活动安排}]
  review: []
---
正文。
"""


def every_content_file() -> list[Path]:
    return [*content_files(ROOT / "content"), *content_files(ROOT / "tests" / "site" / "content")]


@pytest.mark.parametrize("path", every_content_file(), ids=lambda path: path.name)
def test_every_content_file_reads_into_the_form_and_writes_back_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    fields = fields_of(split_for_editing(text))
    assert edited_text(text, fields) == text
    # A browser sends the body with CR LF: still no change.
    assert edited_text(text, replace(fields, body=fields.body.replace("\n", "\r\n"))) == text


def test_the_form_shows_each_value_as_the_site_reads_it():
    path = ROOT / "tests" / "site" / "content" / "policy" / "2024-tech-commissioner-measures.md"
    document, _problems = parse_file(path)
    fields = fields_of(split_for_editing(path.read_text(encoding="utf-8")))
    assert (fields.title, fields.index_no, fields.doc_no) == (
        document.title,
        document.index_no,
        document.doc_no,
    )
    assert fields.date == document.date.isoformat()
    assert fields.keywords == document.keywords and fields.sample is document.sample
    assert fields.attachments == tuple((a.name, a.title) for a in document.attachments)
    assert fields.body == document.body


@settings(max_examples=80, deadline=None)
@given(
    title=ONE_LINE.filter(bool),
    department=ONE_LINE,
    doc_no=st.sampled_from(["", "示科发〔2024〕3号"]),
    keywords=st.lists(ONE_LINE.filter(bool), max_size=3).map(tuple),
    attachment_title=ONE_LINE,
)
def test_any_value_a_form_holds_is_read_back_by_the_site_exactly_as_typed(
    tmp_path_factory, title, department, doc_no, keywords, attachment_title
):
    folder = tmp_path_factory.mktemp("draft")
    (folder / "a.pdf").write_bytes(b"%PDF-1.4")
    fields = DraftFields(
        title=title,
        department=department,
        doc_no=doc_no,
        keywords=keywords,
        category="其他文件",
        attachments=(("a.pdf", attachment_title),),
        body="正文。\n",
    )
    path = folder / "draft.md"
    path.write_text(new_text(fields), encoding="utf-8")
    document, problems = parse_file(path)
    assert not [p for p in problems if "YAML reads" in p.message], problems
    assert document is not None, problems
    assert (document.title, document.department, document.keywords) == (
        title,
        department,
        keywords,
    )
    assert document.attachments[0].title == (attachment_title or "a.pdf")
    assert fields_of(split_for_editing(path.read_text(encoding="utf-8"))) == fields


@settings(max_examples=80, deadline=None)
@given(
    title=st.one_of(st.none(), ONE_LINE.filter(bool)),
    doc_no=st.one_of(st.none(), ONE_LINE),
    keywords=st.one_of(st.none(), st.lists(ONE_LINE.filter(bool), max_size=2).map(tuple)),
    sample=st.booleans(),
    interprets=st.sampled_from(["", "2024-plan"]),
)
def test_an_edit_changes_exactly_the_values_it_changes_and_keeps_every_other_line(
    title, doc_no, keywords, sample, interprets
):
    before = fields_of(split_for_editing(HAND_WRITTEN))
    changes = {
        key: value
        for key, value in {"title": title, "doc_no": doc_no, "keywords": keywords}.items()
        if value is not None
    }
    after = replace(before, **changes, sample=sample, interprets=interprets)
    text = edited_text(HAND_WRITTEN, after)
    assert fields_of(split_for_editing(text)) == after
    lines = text.split("\n")
    for kept in (
        "  # 起草：办公室",
        "  date: 2026-05-06",
        "  review: []",
        '  department: "办公室"',
    ):
        assert kept in lines
    if "doc_no" not in changes or changes["doc_no"] == "":
        assert "  doc_no:   # 原文无文号" in lines
    if "keywords" not in changes or changes["keywords"] == ("科技活动周",):
        assert "    - 科技活动周" in lines


def test_a_key_the_file_lacks_goes_where_portal_new_puts_it():
    text = HAND_WRITTEN.replace("  time_limit: 及时公开\n", "")
    after = replace(fields_of(split_for_editing(text)), time_limit="长期公开", sample=True)
    lines = edited_text(text, after).split("\n")
    assert lines[lines.index('  department: "办公室"') + 1] == "  time_limit: 长期公开"
    assert lines[lines.index("  attachments: [{file: plan.pdf, title: 活动安排}]") + 1] == (
        "  sample: true"
    )


def test_a_front_matter_written_as_one_flow_mapping_is_not_rewritten():
    text = "---\n{title: 通知, category: 其他文件, review: []}\n---\n正文。\n"
    with pytest.raises(EditRefused, match="one 'key: value' per line"):
        edited_text(text, DraftFields(title="新通知", category="其他文件"))


def test_a_new_draft_is_written_in_portal_news_order_and_format():
    fields = DraftFields(
        title="关于“创新”的通知",
        index_no="000000000/2026-00001",
        date=datetime.date(2026, 3, 1).isoformat(),
        department="no",
        category="其他文件",
        mode="主动公开",
        keywords=("0012",),
        body="正文。",
    )
    assert new_text(fields, "shili-jtj") == (
        "---\n"
        'title: "关于“创新”的通知"\n'
        "organisation: shili-jtj\n"
        'index_no: "000000000/2026-00001"\n'
        "doc_no:\n"
        "date: 2026-03-01\n"
        "department: 'no'\n"
        "time_limit:\n"
        "category: 其他文件\n"
        "five_openness:\n"
        "mode: 主动公开\n"
        "keywords: ['0012']\n"
        "attachments:\n"
        "review: []\n"
        "---\n"
        "正文。\n"
    )
