"""The publishing workflow: drafts, review in order by different people, approvals voided by a
change, drafts invisible everywhere, timeliness in working days, interpretations linked."""

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.catalogue import load_catalogue
from portal.cli import main
from portal.drafts import scaffold_draft, status_report
from portal.indexing import index_content
from portal.workflow import WorkflowError, add_working_days, review_file

NOW = datetime.datetime(2024, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def draft(site) -> Path:
    """A new draft in the fixture site."""
    path = scaffold_draft(site, "行政规范性文件", "关于印发《示例县科技奖励办法》的通知",
                          "000000000", "办公室", today=datetime.date(2024, 3, 18))
    text = path.read_text(encoding="utf-8").replace("正文。", "草稿正文：奖励办法 zxqdraft。")
    path.write_text(text, encoding="utf-8")
    return path


def approve_all(path: Path, log: Path) -> None:
    for stage, person in (("初审", "甲"), ("复审", "乙"), ("终审", "丙"), ("保密审查", "丁")):
        review_file(path, stage, person, log, now=NOW)


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
        review_file(draft, "复审", "乙", tmp_path / "audit.log", now=NOW)


def test_one_person_cannot_approve_two_stages(draft, tmp_path):
    review_file(draft, "初审", "甲", tmp_path / "audit.log", now=NOW)
    with pytest.raises(WorkflowError, match="one person cannot approve two stages"):
        review_file(draft, "复审", "甲", tmp_path / "audit.log", now=NOW)


def test_a_change_after_approval_resets_the_review(draft, tmp_path, site):
    log = tmp_path / "audit.log"
    review_file(draft, "初审", "甲", log, now=NOW)
    review_file(draft, "复审", "乙", log, now=NOW)
    changed = draft.read_text(encoding="utf-8").replace("zxqdraft。", "（修改）。")
    draft.write_text(changed, encoding="utf-8")
    assert load_catalogue(site).drafts[0].waiting_for == "初审"
    with pytest.raises(WorkflowError, match="终审 cannot come before 初审"):
        review_file(draft, "终审", "丙", log, now=NOW)
    review_file(draft, "初审", "甲", log, now=NOW)
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [e["stage"] for e in entries] == ["初审", "复审", "初审"]
    assert entries[-1]["voided_earlier_approvals"] is True


def test_the_audit_log_only_grows(draft, tmp_path):
    log = tmp_path / "audit.log"
    review_file(draft, "初审", "甲", log, now=NOW)
    first = log.read_bytes()
    review_file(draft, "复审", "乙", log, now=NOW)
    assert log.read_bytes().startswith(first)


def test_a_draft_is_invisible_everywhere_until_fully_approved(app, client, draft, site,
                                                               tmp_path):
    from portal.export import export_paths

    slug = draft.stem
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    assert client.get(f"/documents/{slug}/").status_code == 404
    assert "科技奖励办法" not in client.get("/catalogue/").get_data(as_text=True)
    assert client.get("/api/search?q=zxqdraft").get_json()["total"] == 0
    assert slug not in client.get("/feeds/all.atom").get_data(as_text=True)
    assert slug not in client.get("/sitemap.xml").get_data(as_text=True)
    assert not any(slug in path for path in export_paths(app))
    approve_all(draft, tmp_path / "audit.log")
    app.extensions["portal.catalogue"].interval = 0
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    page = client.get(f"/documents/{slug}/").get_data(as_text=True)
    assert "发布日期" in page and "2024年3月20日" in page
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
    review_file(draft, "初审", "甲", tmp_path / "audit.log", now=NOW)
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
        (site / "policy" / "2023-science-popularisation-plan.md").read_text(encoding="utf-8")
        .replace("2023-00007", "2023-00099").replace("category: 规划计划", "category: 政策解读")
        .replace("attachments:", "attachments:\ninterprets: 2024-tech-commissioner-measures")
        .replace("2023年科普工作要点", "科技特派员管理办法解读"), encoding="utf-8")
    policy = page("/documents/2024-tech-commissioner-measures/")
    assert policy.select_one(".related a")["href"] == "/documents/measures-reading/"
    reading = page("/documents/measures-reading/")
    assert reading.select_one(".related a")["href"] == "/documents/2024-tech-commissioner-measures/"


def test_an_interpretation_of_a_missing_policy_is_reported(site):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "attachments:", "attachments:\ninterprets: no-such-policy"), encoding="utf-8")
    assert any("interprets: no published document 'no-such-policy'" in str(p)
               for p in load_catalogue(site).problems)


def test_an_image_without_a_text_alternative_fails_the_check(site):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n![](chart.png)\n", encoding="utf-8")
    assert any("image without a text alternative" in str(p)
               for p in load_catalogue(site).problems)


VIDEO = """videos:
  - file: briefing.mp4
    title: 政策解读视频
    captions: briefing.vtt
    transcript: briefing.txt
"""


def test_a_video_without_captions_or_transcript_fails_the_check(site):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "attachments:", "attachments:\nvideos:\n  - file: briefing.mp4"), encoding="utf-8")
    (site / "policy" / "briefing.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    assert any("needs captions (a .vtt file) or a transcript" in str(p)
               for p in load_catalogue(site).problems)


def test_a_video_with_captions_and_transcript_is_shown_with_both(site, page, client):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    text = path.read_text(encoding="utf-8").replace("attachments:", VIDEO + "attachments:")
    path.write_text(text, encoding="utf-8")
    (site / "policy" / "briefing.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    (site / "policy" / "briefing.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n解读\n",
                                                  encoding="utf-8")
    (site / "policy" / "briefing.txt").write_text("文字稿", encoding="utf-8")
    assert not [str(p) for p in load_catalogue(site).problems]
    document = page("/documents/2023-science-popularisation-plan/")
    track = document.select_one("figure.video video track")
    assert track["kind"] == "captions" and track["srclang"] == "zh-Hans"
    with client.get(track["src"]) as response:
        assert response.status_code == 200 and response.mimetype == "text/vtt"
    assert document.select_one("figure.video figcaption a").get_text() == "文字稿"
    assert client.get("/documents/2023-science-popularisation-plan/media/other.mp4"
                      ).status_code == 404
    assert "media-src 'self'" in client.get("/").headers["Content-Security-Policy"]
