"""Validation of content files: each problem `portal check` reports, with a file that has it and
one that does not."""

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.catalogue import load_catalogue
from portal.cli import main

SHIPPED = Path(__file__).parent.parent / "content"

VALID = """---
title: 关于印发《示例县科技特派员管理办法》的通知
index_no: "000000000/2024-00002"
doc_no: 示科发〔2024〕3号
date: 2024-03-15
department: 科技项目管理股
time_limit: 长期公开
category: 行政规范性文件
five_openness: 决策公开
mode: 主动公开
keywords: [科技特派员, 管理办法]
attachments:
sample: true
---
正文。
"""


def check(folder) -> list[str]:
    """The problems `portal check` finds in a folder, as printed lines."""
    return [str(problem) for problem in load_catalogue(folder).problems]


def write(folder, name="doc.md", text=VALID, **replacements):
    """Write a content file: VALID with 'old' -> 'new' replacements given as pairs."""
    for old, new in replacements.values():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_has_no_problems(tmp_path):
    write(tmp_path)
    assert check(tmp_path) == []
    assert load_catalogue(tmp_path).get("doc").title.startswith("关于印发")


def test_missing_required_key_is_reported(tmp_path):
    write(tmp_path, change=("doc_no: 示科发〔2024〕3号\n", ""))
    assert check(tmp_path) == [
        "doc.md:13: missing key 'doc_no' (write 'doc_no:' with no value if the source gives none)"
    ]


def test_an_empty_value_for_a_field_the_source_does_not_give_is_fine(tmp_path):
    write(tmp_path, change=("doc_no: 示科发〔2024〕3号", "doc_no:"))
    assert check(tmp_path) == []


def test_title_and_category_need_a_value(tmp_path):
    write(
        tmp_path,
        one=("title: 关于印发《示例县科技特派员管理办法》的通知", "title:"),
        two=("category: 行政规范性文件", "category:"),
    )
    assert check(tmp_path) == [
        "doc.md:2: title: a document needs a title",
        "doc.md:8: category: a document needs a category of the catalogue tree",
    ]


@pytest.mark.parametrize(
    "key,value,allowed",
    [
        ("time_limit", "永久公开", "长期公开, 及时公开, 限时公开"),
        ("five_openness", "决策", "决策公开, 执行公开, 管理公开, 服务公开, 结果公开"),
        ("mode", "主动", "主动公开, 依申请公开"),
    ],
)
def test_value_outside_the_allowed_list_is_reported(tmp_path, key, value, allowed):
    original = {"time_limit": "长期公开", "five_openness": "决策公开", "mode": "主动公开"}[key]
    path = write(tmp_path, change=(f"{key}: {original}", f"{key}: {value}"))
    line = path.read_text(encoding="utf-8").split("\n").index(f"{key}: {value}") + 1
    assert check(tmp_path) == [f"doc.md:{line}: {key}: '{value}' is not one of {allowed}"]


def test_category_outside_the_tree_is_reported_with_a_suggestion(tmp_path):
    write(tmp_path, change=("category: 行政规范性文件", "category: 规范性文件"))
    assert check(tmp_path) == [
        "doc.md:8: category: '规范性文件' is not in the catalogue tree; "
        "did you mean '行政规范性文件'? (see docs/content-format.md)"
    ]


@pytest.mark.parametrize(
    "value,message",
    [
        ("2024-02-30", "date: 2024-02-30 does not exist in the calendar"),
        ("2024/3/15", "date: '2024/3/15' is not a date written as YYYY-MM-DD"),
        ("15 March 2024", "date: '15 March 2024' is not a date written as YYYY-MM-DD"),
    ],
)
def test_invalid_or_impossible_date_is_reported(tmp_path, value, message):
    write(tmp_path, change=("date: 2024-03-15", f"date: {value}"))
    assert check(tmp_path) == [f"doc.md:5: {message}"]


def test_mistyped_fields_are_reported(tmp_path):
    write(
        tmp_path,
        one=("keywords: [科技特派员, 管理办法]", "keywords: 科技特派员"),
        two=("department: 科技项目管理股", "department: [a, b]"),
        three=("sample: true", "sample: maybe"),
    )
    assert check(tmp_path) == [
        "doc.md:6: department: expected text, found a list or mapping",
        "doc.md:11: keywords: write a list, e.g. keywords: [科技特派员, 管理办法]",
        "doc.md:13: sample: write true or false",
    ]


@pytest.mark.parametrize(
    "line,expected",
    [
        (
            "index_no: 0012",
            'index_no: YAML reads 0012 as the number 10; put it in quotes: index_no: "0012"',
        ),
        ("title: no", 'title: YAML reads no as the boolean False; put it in quotes: title: "no"'),
        (
            "department: 1.10",
            'department: YAML reads 1.10 as the number 1.1; put it in quotes: department: "1.10"',
        ),
        (
            "department: 12:30",
            'department: YAML reads 12:30 as the number 750; put it in quotes: department: "12:30"',
        ),
    ],
)
def test_yaml_traps_are_reported_with_the_fix(tmp_path, line, expected):
    key = line.split(":")[0]
    original = next(x for x in VALID.split("\n") if x.startswith(f"{key}:"))
    path = write(tmp_path, change=(original, line))
    number = path.read_text(encoding="utf-8").split("\n").index(line) + 1
    assert f"doc.md:{number}: {expected}" in check(tmp_path)
    quoted = line.replace(": ", ': "', 1) + '"'
    write(tmp_path, change=(original, quoted))
    assert not any("YAML reads" in problem for problem in check(tmp_path))


def test_a_key_written_twice_is_reported(tmp_path):
    write(tmp_path, change=("mode: 主动公开\n", "mode: 主动公开\nmode: 依申请公开\n"))
    assert check(tmp_path) == [
        "doc.md:11: 'mode' is written twice (first on line 10); YAML "
        "would silently keep only the last one"
    ]


def test_an_unknown_key_is_reported_with_a_suggestion(tmp_path):
    write(tmp_path, change=("sample: true", "sample: true\ncatgory: 其他文件"))
    assert check(tmp_path) == ["doc.md:14: unknown key 'catgory'; did you mean 'category'?"]


def test_duplicate_index_no_is_reported(tmp_path):
    write(tmp_path, name="a.md")
    write(tmp_path, name="b.md")
    assert check(tmp_path) == [
        "b.md:3: index_no 000000000/2024-00002 is already used by a.md: 索引号 must be unique"
    ]
    write(tmp_path, name="b.md", change=("2024-00002", "2024-00003"))
    assert check(tmp_path) == []


def test_malformed_index_no_and_doc_no_are_reported(tmp_path):
    write(
        tmp_path,
        one=('"000000000/2024-00002"', '"2024-2"'),
        two=("示科发〔2024〕3号", "示科发[2024]3号"),
    )
    assert check(tmp_path) == [
        "doc.md:3: index_no: '2024-2' is not of the form 014314799/2024-00002",
        "doc.md:4: doc_no: '示科发[2024]3号' is not of the form 示科发〔2024〕12号",
    ]


def test_duplicate_slug_in_two_folders_is_reported(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    write(tmp_path / "one")
    write(tmp_path / "two", change=("2024-00002", "2024-00003"))
    assert check(tmp_path) == [
        "two/doc.md:1: the file name 'doc' is already used by one/doc.md: "
        "the address must be unique"
    ]


def test_file_name_that_cannot_be_an_address_is_reported(tmp_path):
    write(tmp_path, name="科技 通知.md")
    assert check(tmp_path) == [
        "科技 通知.md:1: file name '科技 通知.md' must be lower-case ASCII "
        "letters, digits and hyphens: it is the document's web address"
    ]


def test_non_utf8_text_is_reported_with_its_line(tmp_path):
    (tmp_path / "doc.md").write_bytes(VALID.replace("正文。", "乱码").encode("gb18030"))
    assert check(tmp_path) == ["doc.md:2: not UTF-8 text (byte 0xb9); save the file as UTF-8"]


def test_missing_attachment_file_is_reported(tmp_path):
    text = VALID.replace("attachments:\n", "attachments:\n  - file: form.pdf\n    title: 申报表\n")
    write(tmp_path, text=text)
    assert check(tmp_path) == [
        "doc.md:13: attachments: file 'form.pdf' not found next to the document"
    ]
    (tmp_path / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert check(tmp_path) == []


def test_attachment_outside_the_documents_folder_is_refused(tmp_path):
    text = VALID.replace("attachments:\n", "attachments:\n  - file: ../secret.txt\n")
    write(tmp_path, text=text)
    assert check(tmp_path) == [
        "doc.md:13: attachments: '../secret.txt' must be a plain file name in the document's folder"
    ]


def test_table_without_caption_is_reported(tmp_path):
    table = "\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    write(tmp_path, change=("正文。", "正文。\n" + table))
    assert check(tmp_path) == [
        "doc.md:17: table without a caption: write a line '表：标题' just above it"
    ]
    write(tmp_path, change=("正文。", "正文。\n\n表：示例\n" + table))
    assert check(tmp_path) == []


@pytest.mark.parametrize(
    "text,message",
    [
        ("no front matter\n", "doc.md:1: no front matter: the file must start with a line '---'"),
        ("---\ntitle: x\n", "doc.md:1: front matter is not closed: add a line '---' after it"),
        (
            "---\ntitle: [x\n---\n",
            "doc.md:2: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        ("---\n- a\n---\n", "doc.md:2: front matter must be a list of 'key: value' lines"),
    ],
)
def test_broken_front_matter_is_reported(tmp_path, text, message):
    write(tmp_path, text=text)
    assert check(tmp_path) == [message]


def test_a_file_with_50000_front_matter_keys_is_refused_with_one_problem(tmp_path):
    keys = "".join(f"key{number}: value\n" for number in range(50_000))
    write(tmp_path, change=("sample: true\n", "sample: true\n" + keys))
    assert check(tmp_path) == [
        "doc.md:2: front matter is 789,124 characters; the limit is "
        "65,536: move long text into the body"
    ]


def test_a_huge_front_matter_line_is_refused_with_its_line(tmp_path):
    write(tmp_path, change=("department: 科技项目管理股", "department: " + "科" * 500_000))
    assert check(tmp_path) == [
        "doc.md:6: this line is 500,012 characters; front matter may "
        "have 65,536: move long text into the body"
    ]


def test_more_keys_than_a_document_can_have_are_refused_with_one_problem(tmp_path):
    keys = "".join(f"k{number}: v\n" for number in range(60))
    write(tmp_path, change=("sample: true\n", "sample: true\n" + keys))
    assert check(tmp_path) == [
        "doc.md:2: front matter has 72 keys; a document has at most 26 (see docs/content-format.md)"
    ]


@pytest.mark.parametrize(
    "value,message",
    [
        ("[" * 5000 + "]" * 5000, "values nested more than 8 levels deep"),
        (
            "\n" + "".join("  " * depth + "- x:\n" for depth in range(1, 12)),
            "values nested more than 8 levels deep",
        ),
        (
            "&a [x, x]\ndepartment: *a",
            "anchors and aliases (& and *) are not allowed: write each value out",
        ),
        ("[" + "x, " * 5000 + "]", "more than 4,000 values"),
    ],
)
def test_pathological_yaml_is_refused_with_its_line(tmp_path, value, message):
    write(tmp_path, change=("keywords: [科技特派员, 管理办法]", f"keywords: {value}"))
    problems = check(tmp_path)
    assert (
        len(problems) == 1
        and problems[0].startswith("doc.md:")
        and problems[0].endswith(f": front matter is refused: {message}")
    )
    assert 11 <= int(problems[0].split(":")[1]) <= 30


def test_more_than_twenty_problems_in_a_file_are_summed_up(tmp_path):
    tables = "\n| a | b |\n|---|---|\n| 1 | 2 |\n" * 30
    write(tmp_path, change=("正文。", "正文。\n" + tables))
    problems = check(tmp_path)
    assert len(problems) == 21
    assert problems[-1] == "doc.md:97: and 10 more problems in this file"


def test_an_oversized_file_is_reported_not_read(tmp_path):
    size = write(tmp_path, text=VALID + "字" * 800_000).stat().st_size
    assert check(tmp_path) == [
        f"doc.md:1: file is {size:,} bytes; the limit is 2,097,152: split "
        "it or move data to attachments"
    ]


def test_a_file_with_errors_is_not_published_but_others_are(tmp_path):
    write(tmp_path, name="good.md")
    write(tmp_path, name="bad.md", change=("date: 2024-03-15", "date: 2024-13-01"))
    catalogue = load_catalogue(tmp_path)
    assert [document.slug for document in catalogue.documents] == ["good"]


def test_dot_files_and_folders_are_ignored(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git", name="doc.md", text="garbage")
    write(tmp_path, name=".draft.md", text="garbage")
    assert check(tmp_path) == []


def test_check_command_exits_zero_and_summarises_on_good_content(site):
    result = CliRunner().invoke(main, ["check", "--content", str(site)])
    assert result.exit_code == 0, result.output
    assert "7 documents published, 0 errors, 0 warnings" in result.output


def test_check_command_prints_path_line_message_and_exits_non_zero(tmp_path):
    write(tmp_path, change=("date: 2024-03-15", "date: 2024-02-30"))
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path)])
    assert result.exit_code == 1
    assert "doc.md:5: date: 2024-02-30 does not exist in the calendar" in result.output


def test_shipped_content_passes_the_check():
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output


def test_shipped_sample_organisations_are_marked_and_publish_only_samples():
    catalogue = load_catalogue(SHIPPED)
    assert [(o.id, o.kind, o.sample) for o in catalogue.organisations] == [
        ("shili-xzf", "人民政府", True),
        ("lingwu-kjj", "部门", False),
        ("shili-jtj", "部门", True),
        ("shili-qsz", "乡镇街道", True),
    ]
    for body in catalogue.organisations:
        if not body.sample:
            continue
        assert "示例" in body.name and body.code not in ("", "000000000"), body.id
        documents = catalogue.of_organisation(body.id)
        assert len({d.date.year for d in documents}) >= 4, body.id
        assert len({d.category for d in documents}) >= 5, body.id
        for document in documents:
            assert document.sample, document.slug
            assert document.slug.startswith(f"{body.id}-"), document.slug
            assert document.index_no.startswith(f"{body.code}/"), document.slug


def test_shipped_sample_reports_are_on_time_but_one_late_and_one_missing():
    catalogue = load_catalogue(SHIPPED)
    published = {
        (d.organisation, d.report.year): d.date
        for d in catalogue.documents
        if d.report is not None and catalogue.organisation_of(d).sample
    }
    late = [key for key, date in published.items() if date > datetime.date(key[1] + 1, 1, 31)]
    assert late == [("shili-jtj", 2024)]
    assert {year for body, year in published if body == "shili-qsz"} == {2022, 2023, 2024}
    for body in ("shili-xzf", "shili-jtj"):
        assert {year for name, year in published if name == body} == {2022, 2023, 2024, 2025}
