"""The publishing workflow: drafts, review in order by different people, approvals voided by a
change, drafts invisible everywhere, timeliness in working days, interpretations linked."""

import datetime
import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.catalogue import (
    approval_change,
    load_catalogue,
    read_for_review,
    review_file,
    scaffold_draft,
    status_report,
)
from portal.cli import main
from portal.search import index_content
from portal.workflow import STAGES, WorkflowError, add_working_days

NOW = datetime.datetime(2024, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def draft(site) -> Path:
    """A new draft in the fixture site."""
    path = scaffold_draft(
        site,
        "行政规范性文件",
        "关于印发《示例县科技奖励办法》的通知",
        "000000000",
        "办公室",
        today=datetime.date(2024, 3, 18),
    )
    text = path.read_text(encoding="utf-8").replace("正文。", "草稿正文：奖励办法 zxqdraft。")
    path.write_text(text, encoding="utf-8")
    return path


def approve_all(path: Path) -> None:
    for stage, person in (("初审", "甲"), ("复审", "乙"), ("终审", "丙"), ("保密审查", "丁")):
        review_file(path, stage, person, now=NOW)


def test_new_draft_gets_the_next_free_index_number_and_todays_date(site, draft):
    text = draft.read_text(encoding="utf-8")
    # 00900 (a sample report) is the highest 2024 number in the fixture site so far.
    assert 'index_no: "000000000/2024-00901"' in text
    assert "date: 2024-03-18" in text and "department: 办公室" in text
    assert draft == site / "normative-documents" / "2024-00901.md"


def test_new_command_prints_the_path_and_refuses_unknown_categories(site, monkeypatch):
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["new", "政府采购", "采购公告"])
    assert result.exit_code == 0, result.output
    assert (site / result.output.strip()).is_file()
    result = CliRunner().invoke(main, ["new", "不存在的分类", "x"])
    assert result.exit_code != 0 and "unknown category" in result.output


def test_stages_go_in_order(draft, tmp_path):
    with pytest.raises(WorkflowError, match="复审 cannot come before 初审"):
        review_file(draft, "复审", "乙", now=NOW)


def test_one_person_cannot_approve_two_stages(draft, tmp_path):
    review_file(draft, "初审", "甲", now=NOW)
    with pytest.raises(WorkflowError, match="one person cannot approve two stages"):
        review_file(draft, "复审", "甲", now=NOW)


def test_a_change_after_approval_resets_the_review(draft, tmp_path, site):
    # What the audit trail records of these actions is tested with accounts in
    # tests/admin/test_review_actions.py (it used to be the JSONL AUDIT_LOG's entries here).
    review_file(draft, "初审", "甲", now=NOW)
    review_file(draft, "复审", "乙", now=NOW)
    changed = draft.read_text(encoding="utf-8").replace("zxqdraft。", "（修改）。")
    draft.write_text(changed, encoding="utf-8")
    assert load_catalogue(site).drafts[0].waiting_for == "初审"
    with pytest.raises(WorkflowError, match="终审 cannot come before 初审"):
        review_file(draft, "终审", "丙", now=NOW)
    document, text = read_for_review(draft)
    assert approval_change(document, text, "初审", "甲", NOW).voided_earlier is True
    approvals, published = review_file(draft, "初审", "甲", now=NOW)
    assert [(a.stage, a.by) for a in approvals] == [("初审", "甲")] and not published


def test_a_draft_is_invisible_everywhere_until_fully_approved(app, client, draft, site, tmp_path):
    from portal.export import export_paths

    slug = draft.stem
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    assert client.get(f"/documents/{slug}/").status_code == 404
    assert "科技奖励办法" not in client.get("/catalogue/").get_data(as_text=True)
    assert client.get("/api/search?q=zxqdraft").get_json()["total"] == 0
    assert slug not in client.get("/feeds/all.atom").get_data(as_text=True)
    assert slug not in client.get("/sitemap.xml").get_data(as_text=True)
    assert not any(slug in path for path in export_paths(app))
    approve_all(draft)
    app.extensions["portal.catalogue"].interval = 0
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    page = client.get(f"/documents/{slug}/").get_data(as_text=True)
    # 发布日期 as inspectors read it (YYYY-MM-DD, with HH:MM where the file gives the time).
    assert "发布日期" in page and "2024-03-20" in page
    assert client.get("/api/search?q=zxqdraft").get_json()["total"] == 1
    assert "published: 2024-03-20" in draft.read_text(encoding="utf-8")


def test_working_days_skip_holidays_and_count_make_up_days():
    # National Day 2024: 1-7 October off; Sunday 29 September and Saturday 12 October worked.
    assert add_working_days(datetime.date(2024, 9, 27), 5) == (datetime.date(2024, 10, 10), True)
    assert add_working_days(datetime.date(2024, 9, 27), 20)[0] == datetime.date(2024, 10, 30)


def test_working_days_in_a_year_without_holiday_data_say_so():
    day, known = add_working_days(datetime.date(2031, 1, 3), 1)
    assert day == datetime.date(2031, 1, 6) and known is False


def test_status_lists_drafts_by_stage_overdue_and_deadlines(site, draft, tmp_path):
    review_file(draft, "初审", "甲", now=NOW)
    report = status_report(load_catalogue(site), datetime.date(2024, 4, 30), within=5)
    assert [item["slug"] for item in report["waiting"]["复审"]] == ["2024-00901"]
    assert report["overdue"][0]["due"] == "2024-04-16"
    assert report["report_deadlines"][0]["deadline"] == "2025-01-31"
    assert report["report_deadlines"][1]["deadline"] == "2025-03-31"


def test_status_command_prints_json_for_reminder_jobs(site, draft, monkeypatch):
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    result = CliRunner().invoke(main, ["status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["waiting"]["初审"][0]["title"] == "关于印发《示例县科技奖励办法》的通知"


def test_an_interpretation_and_its_policy_link_to_each_other(site, page):
    (site / "policy" / "measures-reading.md").write_text(
        (site / "policy" / "2023-science-popularisation-plan.md")
        .read_text(encoding="utf-8")
        .replace("2023-00007", "2023-00099")
        .replace("category: 规划计划", "category: 政策解读")
        .replace("attachments:", "attachments:\ninterprets: 2024-tech-commissioner-measures")
        .replace("2023年科普工作要点", "科技特派员管理办法解读"),
        encoding="utf-8",
    )
    policy = page("/documents/2024-tech-commissioner-measures/")
    assert policy.select_one(".related a")["href"] == "/documents/measures-reading/"
    reading = page("/documents/measures-reading/")
    assert reading.select_one(".related a")["href"] == "/documents/2024-tech-commissioner-measures/"


def test_an_interpretation_of_a_missing_policy_is_reported(site):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "attachments:", "attachments:\ninterprets: no-such-policy"
        ),
        encoding="utf-8",
    )
    assert any(
        "interprets: no published document 'no-such-policy'" in str(p)
        for p in load_catalogue(site).problems
    )


def test_an_image_without_a_text_alternative_fails_the_check(site):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n![](chart.png)\n", encoding="utf-8")
    assert any("image without a text alternative" in str(p) for p in load_catalogue(site).problems)


VIDEO = """videos:
  - file: briefing.mp4
    title: 政策解读视频
    captions: briefing.vtt
    transcript: briefing.txt
"""


def test_a_video_without_captions_or_transcript_fails_the_check(site):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "attachments:", "attachments:\nvideos:\n  - file: briefing.mp4"
        ),
        encoding="utf-8",
    )
    (site / "policy" / "briefing.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    assert any(
        "needs captions (a .vtt file) or a transcript" in str(p)
        for p in load_catalogue(site).problems
    )


def test_a_video_with_captions_and_transcript_is_shown_with_both(site, page, client):
    with_video(site)
    assert not [str(p) for p in load_catalogue(site).problems]
    document = page("/documents/2023-science-popularisation-plan/")
    track = document.select_one("figure.video video track")
    assert track["kind"] == "captions" and track["srclang"] == "zh-Hans"
    with client.get(track["src"]) as response:
        assert response.status_code == 200 and response.mimetype == "text/vtt"
    assert document.select_one("figure.video figcaption a").get_text() == "文字稿"
    assert (
        client.get("/documents/2023-science-popularisation-plan/media/other.mp4").status_code == 404
    )
    assert "media-src 'self'" in client.get("/").headers["Content-Security-Policy"]


# --- An approval covers everything published with the document ------------------------------


def enter_review(path: Path) -> None:
    """Put a fixture document into the review workflow (an empty review record)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", "\nreview: []\n---\n", 1), encoding="utf-8")


def forge(path: Path, old: bytes, new: bytes) -> None:
    """Change a file's bytes keeping its size and modification time, as a careful forger would."""
    assert len(old) == len(new)
    stat = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def with_video(site: Path) -> Path:
    path = site / "policy" / "2023-science-popularisation-plan.md"
    text = path.read_text(encoding="utf-8").replace("attachments:", VIDEO + "attachments:")
    path.write_text(text, encoding="utf-8")
    (site / "policy" / "briefing.mp4").write_bytes(b"\0\0\0\x18ftypmp42 approved")
    (site / "policy" / "briefing.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:02.000\n解读\n", encoding="utf-8"
    )
    (site / "policy" / "briefing.txt").write_text("文字稿：已审定", encoding="utf-8")
    return path


PUBLISHED_FILES = {
    # file swapped: (how the document gets it, bytes approved, bytes swapped in)
    "attachment": (
        lambda site: site / "policy" / "2024-tech-commissioner-measures.md",
        "policy/2024-tech-commissioner-measures-form.csv",
        "东塔镇,5".encode(),
        "东塔镇,9".encode(),
    ),
    "report data": (
        lambda site: site / "reports" / "lingwu-kjj-2024.md",
        "reports/lingwu-kjj-2024.report.yml",
        b"fees:      {amount: 0}",
        b"fees:      {amount: 9}",
    ),
    "video": (with_video, "policy/briefing.mp4", b"approved", b"swapped!"),
    "captions": (with_video, "policy/briefing.vtt", "解读".encode(), "篡改".encode()),
    "transcript": (with_video, "policy/briefing.txt", "已审定".encode(), "未审定".encode()),
}


@pytest.mark.parametrize("kind", PUBLISHED_FILES)
def test_a_file_swapped_after_approval_voids_it_until_approved_again(
    app, client, site, tmp_path, monkeypatch, kind
):
    setup, name, old, new = PUBLISHED_FILES[kind]
    path, file = setup(site), site / name
    enter_review(path)
    approve_all(path)
    app.extensions["portal.catalogue"].interval = 0
    address = f"/documents/{path.stem}/"
    assert client.get(address).status_code == 200
    approved_covers = read_for_review(path)[0].covers

    forge(file, old, new)
    assert client.get(address).status_code == 404  # a draft again, not on the site
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    status = json.loads(CliRunner().invoke(main, ["status", "--json"]).output)
    waiting = {item["slug"]: item for item in status["waiting"]["初审"]}
    assert "changed after approval" in waiting[path.stem]["voided"]

    # What the next approval covers (the audit trail records these: tests/admin).
    document, text = read_for_review(path)
    assert approval_change(document, text, "初审", "甲", NOW).voided_earlier is True
    swapped = hashlib.sha256(file.read_bytes()).hexdigest()
    assert (file.name, swapped) in document.covers
    assert (file.name, swapped) not in approved_covers
    approve_all(path)
    assert client.get(address).status_code == 200


# Ways of writing front matter that a line-by-line reading does not see as 'title: ...'.
TITLE_WRITTEN = {
    "double-quoted key, first line": '"title": {title}\n{rest}',
    "single-quoted key after review": "{rest}'title': {title}\n",
    "space before the colon after review": "{rest}title : {title}\n",
    "explicit key after review": "{rest}? title\n: {title}\n",
    "comment and blank line before the key": "{rest}# 标题\n\ntitle: {title}\n",
    "every key indented": "{indented}",
    "flow style": "{flow}",
}
FIELDS = """index_no: "000000000/2024-00950"
doc_no:
date: 2024-03-18
department: 办公室
time_limit: 长期公开
category: 其他文件
five_openness: 决策公开
mode: 主动公开
keywords: [科技]
attachments:
"""


def written(form: str, title: str, review: str) -> str:
    rest = FIELDS + review
    flow = (
        "{"
        + ", ".join(
            line.replace(": ", ": ", 1).rstrip(":") + ("" if ": " in line else ": ")
            for line in rest.splitlines()
        )
        + f", title: {title}}}\n"
    )
    indented = "".join(f"  {line}\n" for line in (f"title: {title}\n" + rest).splitlines())
    front = TITLE_WRITTEN[form].format(title=title, rest=rest, indented=indented, flow=flow)
    return f"---\n{front}---\n正文。\n"


@pytest.mark.parametrize("form", TITLE_WRITTEN)
def test_a_title_changed_after_approval_voids_it_however_the_key_is_written(site, form):
    from portal.catalogue import parse_file

    path = site / "policy" / "2024-00950.md"
    path.write_text(written(form, "原标题", "review: []\n"), encoding="utf-8")
    document, problems = parse_file(path)
    assert document is not None and document.title == "原标题", problems
    approvals = "".join(
        f'  - {{stage: {stage}, by: "{who}", at: "2024-03-20T09:00:00+08:00", '
        f'digest: "{document.digest}"}}\n'
        for stage, who in zip(STAGES, "甲乙丙丁", strict=True)
    )
    recorded = "review: []\n" if form == "flow style" else "review:\n" + approvals
    text = written(form, "原标题", recorded)
    if form == "flow style":
        text = text.replace(
            "review: []",
            "review: [" + approvals.replace("  - ", "").replace("}\n", "}, ").rstrip(", ") + "]",
        )
    path.write_text(text, encoding="utf-8")
    document, problems = parse_file(path)
    assert document.title == "原标题" and document.waiting_for is None, problems

    path.write_text(text.replace("原标题", "篡改后的标题"), encoding="utf-8")
    document, problems = parse_file(path)
    assert document.title == "篡改后的标题"
    assert document.waiting_for == "初审"


def test_a_value_taken_from_the_publication_date_by_an_alias_is_refused(site):
    # An alias would let `published`, which the digest leaves out, change a covered value.
    from portal.catalogue import parse_file

    path = site / "policy" / "2024-00950.md"
    fields = FIELDS.replace("date: 2024-03-18", "date: *d")
    path.write_text(
        f"---\npublished: &d 2024-03-18\ntitle: 标题\n{fields}review: []\n---\n正文\n",
        encoding="utf-8",
    )
    document, problems = parse_file(path)
    assert document is None
    assert "anchors and aliases (& and *) are not allowed" in str(problems)


def test_approvals_recorded_in_the_old_format_no_longer_publish(app, client, site, monkeypatch):
    # 192aaa9575384ef0 is what the old scheme (front matter lines and body, no files) gave
    # this document: before this change the page was published.
    path = site / "policy" / "2023-science-popularisation-plan.md"
    approvals = "".join(
        f'  - {{stage: {stage}, by: "{who}", at: "2024-03-20T09:00:00+08:00", '
        'digest: "192aaa9575384ef0"}\n'
        for stage, who in zip(STAGES, "甲乙丙丁", strict=True)
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "\n---\n", f"\nreview:\n{approvals}published: 2024-03-20\n---\n", 1
        ),
        encoding="utf-8",
    )
    assert client.get("/documents/2023-science-popularisation-plan/").status_code == 404
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    check = CliRunner().invoke(main, ["check"])
    assert check.exit_code == 1
    assert (
        "policy/2023-science-popularisation-plan.md:15: review: approved before approvals "
        "covered attachments, report data and videos"
    ) in check.output
    status = CliRunner().invoke(main, ["status"]).output
    assert "approvals voided: approved in the old format" in status


def test_recording_an_approval_keeps_every_other_key_however_it_is_written(draft, tmp_path):
    text = draft.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    # The review record first, then keys a line-by-line reading took for part of it.
    text = (
        text.replace(f"{title}\n", "")
        .replace("review: []\n", "")
        .replace(
            "---\n",
            f"---\nreview: []\n{title.replace('title:', 'title :')}\n'keywords': [奖励]\n"
            "# 以下为附件\n",
            1,
        )
        .replace("keywords: []\n", "")
    )
    draft.write_text(text, encoding="utf-8")
    approve_all(draft)
    from portal.catalogue import parse_file

    document, problems = parse_file(draft)
    assert document.title == "关于印发《示例县科技奖励办法》的通知", problems
    assert document.keywords == ("奖励",) and document.waiting_for is None
    assert "# 以下为附件" in draft.read_text(encoding="utf-8")


def test_front_matter_that_cannot_be_rewritten_safely_is_left_alone(draft, tmp_path):
    from portal.catalogue import parse_file

    lines = [line for line in draft.read_text(encoding="utf-8").split("---\n")[1].splitlines()]
    text = (
        "---\n{"
        + ", ".join(line if line.split(":", 1)[1] else f"{line} " for line in lines)
        + "}\n---\n正文。\n"
    )
    draft.write_text(text, encoding="utf-8")
    assert parse_file(draft)[0].waiting_for == "初审"
    with pytest.raises(WorkflowError, match="cannot rewrite this front matter safely"):
        review_file(draft, "初审", "甲", now=NOW)
    assert draft.read_text(encoding="utf-8") == text


def test_a_document_that_cannot_be_published_cannot_be_approved(draft, tmp_path):
    draft.write_text(
        draft.read_text(encoding="utf-8").replace(
            "attachments:", "attachments:\n  - file: missing.pdf"
        ),
        encoding="utf-8",
    )
    before = draft.read_text(encoding="utf-8")
    with pytest.raises(WorkflowError, match=r"file 'missing\.pdf' not found"):
        review_file(draft, "初审", "甲", now=NOW)
    # Nothing written (and nothing recorded: tests/admin/test_review_actions.py).
    assert draft.read_text(encoding="utf-8") == before


def test_an_edit_that_breaks_a_reviewed_document_withdraws_it(app, client, site, tmp_path):
    # Any edit of a reviewed document voids its approvals, a broken edit too: no last good
    # version stands in for it (one that breaks by losing a file does: tests/test_last_good.py).
    setup, name, _old, _new = PUBLISHED_FILES["attachment"]
    path = setup(site)
    enter_review(path)
    approve_all(path)
    app.extensions["portal.catalogue"].interval = 0
    address = f"/documents/{path.stem}/"
    assert client.get(address).status_code == 200
    path.write_text(path.read_text(encoding="utf-8").replace("date:", "dat:"), encoding="utf-8")
    assert client.get(address).status_code == 404
    assert client.get(f"{address}attachments/{(site / name).name}").status_code == 404


def test_a_reviewer_name_must_be_one_printable_line(draft):
    # `portal review --by` names a staff account now (tests/admin/test_review_command.py); the
    # review record itself still refuses a name that could forge a line of it.
    before = draft.read_text(encoding="utf-8")
    with pytest.raises(WorkflowError, match="printable text on one line"):
        review_file(draft, "初审", "甲\u2028复审 乙", now=NOW)
    assert draft.read_text(encoding="utf-8") == before
