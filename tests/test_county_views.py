"""The county report pages: every body's report of a year with its standing and a link to it,
the sums of their tables with their validation and downloads, `portal status`, and the
comparison and overview pages around them, on a county built in a temporary folder."""

import csv
import datetime
import io
import json

import pytest
from click.testing import CliRunner
from county import add_report, edit_tables, report_county

from portal import reports, workflow
from portal.cli import main


@pytest.fixture
def site(tmp_path):
    """The county fixture site instead of the single-body one (the app and page use it)."""
    return report_county(tmp_path / "content")


def rows(page):
    """The status table as {body: {column header: cell text}}."""
    table = page.select_one("table.county-table")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    found = {}
    for tr in table.select("tbody tr"):
        cells = [tr.th, *tr.find_all("td")]
        texts = [cell.get_text(" ", strip=True) for cell in cells]
        found[tr.th.find(string=True).strip()] = dict(zip(headers, texts, strict=True))
    return found


def row(page, body):
    """The status table's row of a body."""
    return next(
        tr
        for tr in page.select("table.county-table tbody tr")
        if tr.th.find(string=True).strip() == body
    )


def test_the_county_address_goes_to_the_year_whose_reports_are_due(client):
    response = client.get("/reports/county/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/county/{workflow.china_today().year - 1}/"


def test_every_body_is_listed_with_its_standing_and_a_link_to_its_report(page):
    county = page("/reports/county/2024/")
    found = rows(county)
    assert list(found) == [
        "示例县人民政府",
        "灵武市科学技术局",
        "示例县交通运输局",
        "示例县卫生健康局",
        "示例县青山镇人民政府",
    ]
    assert found["示例县人民政府"]["发布情况"] == "按时发布"
    assert found["示例县人民政府"]["截止日期"] == "2025年3月31日"
    assert found["灵武市科学技术局"]["发布情况"] == "已发布，发布日期不详"
    assert found["灵武市科学技术局"]["发布日期"] == "（未注明）"
    overdue = (workflow.china_today() - datetime.date(2025, 1, 31)).days
    assert found["示例县卫生健康局"]["发布情况"] == f"逾期未发布（已逾期{overdue}天）"
    assert found["示例县卫生健康局"]["年度报告"] == "未发布"
    # The publication date is `published` (2025-02-10), not the report's `date` (2025-01-15).
    assert found["示例县青山镇人民政府"]["发布日期"] == "2025年2月10日"
    assert found["示例县青山镇人民政府"]["发布情况"] == "逾期发布（晚10天）"
    link = row(county, "示例县交通运输局").select_one("a")
    assert link["href"] == "/documents/transport-report-2024/"
    assert link.get_text() == "示例县交通运输局2024年政府信息公开工作年度报告（示例）"


def test_sample_bodies_and_reports_are_marked_and_the_real_one_is_not(page):
    county = page("/reports/county/2024/")
    assert row(county, "灵武市科学技术局").select(".badge-sample") == []
    transport = row(county, "示例县交通运输局")
    assert len(transport.select(".badge-sample")) == 2  # the body and its report


def test_a_report_failing_validation_links_to_its_problems_on_the_report_page(page):
    county = page("/reports/county/2024/")
    assert rows(county)["示例县青山镇人民政府"]["数据校验"] == "未通过（R1、R3）"
    assert rows(county)["示例县交通运输局"]["数据校验"] == "通过"
    link = row(county, "示例县青山镇人民政府").select("a")[-1]
    assert link["href"] == "/documents/qingshan-report-2024/#report-validation"
    problems = page("/documents/qingshan-report-2024/").find(id="report-validation")
    assert "未通过" in problems.get_text() and "R3" in problems.get_text()


def test_the_counts_add_up_the_standings(page):
    counts = [li.get_text() for li in page("/reports/county/2024/").select(".county-counts li")]
    assert counts == [
        "按时发布：2",
        "逾期发布：1",
        "已发布，发布日期不详：1",
        "未发布（未到期）：0",
        "逾期未发布：1",
        "数据校验未通过：1",
    ]


def test_year_links_lead_to_every_year_with_a_report_or_due(page):
    county = page("/reports/county/2024/")
    links = county.select("nav.year-nav a")
    due = workflow.china_today().year - 1
    assert [a["href"] for a in links] == [f"/reports/county/{y}/" for y in (due, 2024, 2023)]
    assert [a.get("aria-current") for a in links] == [None, "page", None]
    assert "2023年度" in page("/reports/county/2023/").h1.get_text()


def test_other_years_and_spellings_of_a_year_are_not_found(page):
    page("/reports/county/2019/", status=404)
    page("/reports/county/02024/", status=404)
    page("/reports/county/2024/summary.xml", status=404)


def test_the_sums_list_the_bodies_they_include_and_leave_out(page):
    summary = page("/reports/county/2024/").find(
        "section", attrs={"aria-labelledby": "summary-heading"}
    )
    lists = summary.select("ul.inline-list")
    assert [li.get_text() for li in lists[0].find_all("li")] == [
        "示例县人民政府",
        "灵武市科学技术局",
        "示例县交通运输局",
        "示例县青山镇人民政府",
    ]
    assert [li.get_text() for li in lists[1].find_all("li")] == ["示例县卫生健康局"]
    assert "汇总包含示例报告" in summary.select_one(".sample-notice").get_text()
    assert "R6 未比较" in summary.get_text()  # 2023 adds up other bodies


def test_failing_sums_are_shown_failing_with_the_rules_they_break(page):
    summary = page("/reports/county/2024/")
    status = summary.find(id="county-validation")
    assert status.p.get_text(" ", strip=True) == "数据校验： 未通过"
    assert [li.select_one(".report-rule").get_text() for li in status.find_all("li")] == [
        "R1",
        "R3",
    ]
    captions = [c.get_text(" ", strip=True) for c in summary.select("table.report-table caption")]
    assert captions == [
        "2024年度汇总：二、主动公开政府信息情况",
        "2024年度汇总：三、收到和处理政府信息公开申请情况",
        "2024年度汇总：四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_sums_that_pass_are_shown_passing(page, site):
    (site / "reports" / "qingshan-report-2024.md").unlink()
    status = page("/reports/county/2024/").find(id="county-validation")
    assert status.p.get_text(" ", strip=True) == "数据校验： 通过"


def test_the_sums_download_as_csv_and_read_back(client):
    county = client.get("/reports/county/2024/").get_data(as_text=True)
    assert 'href="/reports/county/2024/summary.csv" download' in county
    response = client.get("/reports/county/2024/summary.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "annual-reports-2024-sum.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    cells = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(cells) == 200
    new_total = next(
        c for c in cells if c["table"] == "3" and c["row"] == "new" and c["column"] == "total"
    )
    assert (new_total["organisation"], new_total["year"], new_total["value"]) == (
        reports.SUMMARY_ORGANISATION,
        "2024",
        "21",
    )
    summed = reports.report_from_csv(text)
    assert summed.value(3, "new", "person") == 5 + 5 + 8  # qingshan's broken row is added
    assert {p.rule for p in reports.validate_report(summed)} == {"R1", "R3"}


def test_the_sums_download_as_json_with_the_bodies_and_problems(client):
    response = client.get("/reports/county/2024/summary.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.data)
    assert data["year"] == 2024 and data["sample"] is True
    assert data["table3"]["new"]["total"] == 21
    assert [b["organisation"] for b in data["included"]] == [
        "county",
        "lingwu-kjj",
        "transport",
        "qingshan",
    ]
    assert data["missing"] == [{"organisation": "health", "name": "示例县卫生健康局"}]
    assert data["carry_over"] == reports.CARRY_OVER_OTHER_BODIES
    assert [(p["rule"], p["severity"]) for p in data["problems"]] == [
        ("R1", "error"),
        ("R3", "error"),
    ]
    assert (
        reports.report_from_json(data).table3
        == reports.report_from_csv(
            client.get("/reports/county/2024/summary.csv").get_data(as_text=True)
        ).table3
    )


def test_a_year_without_reports_says_there_is_nothing_to_add_up(page, client, site):
    due = workflow.china_today().year - 1
    county = page(f"/reports/county/{due}/")
    assert "没有可以汇总的数据" in county.get_text()
    assert county.find(id="county-validation") is None
    assert "summary.csv" not in county.response.get_data(as_text=True)
    assert client.get(f"/reports/county/{due}/summary.csv").status_code == 404
    assert client.get(f"/reports/county/{due}/summary.json").status_code == 404
    assert set(rows(county)[b]["年度报告"] for b in rows(county)) == {"未发布"}


def test_a_corrected_report_stands_for_its_body_in_the_sums(page, site):
    # transport publishes a corrected report after its first: both are listed, the last counts.
    fix = add_report(site, "transport", 2024, "2025-03-02", slug="transport-fix", serial="12024")
    edit_tables(site, "transport-report-2024", "fees:      {amount: 0}", "fees:      {amount: 100}")
    edit_tables(site, fix, "fees:      {amount: 0}", "fees:      {amount: 2.5}")
    county = page("/reports/county/2024/")
    assert [a["href"] for a in row(county, "示例县交通运输局").select("a")] == [
        "/documents/transport-report-2024/",
        "/documents/transport-fix/",
    ]
    assert rows(county)["示例县交通运输局"]["发布情况"] == "按时发布"
    fees = county.select_one("table.report-table-2 td[headers*=fees]")
    assert fees.get_text() == "2.5"


def test_english_pages_name_each_body_in_english(page):
    county = page("/en/reports/county/2024/")
    assert county.h1.get_text() == "Annual reports for 2024: who published them, and when"
    found = rows(county)
    assert "Sample County Transport Bureau" in found
    assert found["Qingshan Township (sample)"]["Status"] == "Published 10 days late"
    assert found["Sample County Transport Bureau"]["Status"] == "Published on time"


def test_the_reports_overview_links_to_the_county_page(page):
    overview = page("/reports/")
    due = workflow.china_today().year - 1
    assert overview.find("a", href=f"/reports/county/{due}/") is not None


def test_each_bodys_comparison_keeps_working(page):
    page("/reports/compare/灵武市科学技术局/")
    compare = page("/reports/compare/示例县交通运输局/")
    years = [th.get_text(" ", strip=True) for th in compare.select(".compare-table thead th")][1:]
    assert years == ["2023 示例", "2024 示例"]


def test_the_page_follows_the_date_even_when_the_content_stays_the_same(client, site, monkeypatch):
    """The page cache keeps pages per day: a report due today is overdue tomorrow."""
    add_report(site, "transport", 2025, "2026-01-20")
    monkeypatch.setattr(workflow, "china_today", lambda: datetime.date(2026, 1, 31))
    page = client.get("/reports/county/2025/").get_data(as_text=True)
    assert "未发布（今天到期）" in page and "逾期未发布（" not in page
    monkeypatch.setattr(workflow, "china_today", lambda: datetime.date(2026, 2, 1))
    page = client.get("/reports/county/2025/").get_data(as_text=True)
    assert "逾期未发布（已逾期1天）" in page


def test_status_lists_the_bodies_whose_report_is_due_or_overdue(site, monkeypatch):
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    add_report(site, "transport", 2025, "2026-01-20")
    monkeypatch.setattr(workflow, "china_today", lambda: datetime.date(2026, 2, 1))
    result = CliRunner().invoke(main, ["status", "--json"])
    assert result.exit_code == 0, result.output
    due = json.loads(result.output)["annual_reports"]
    assert due["year"] == 2025
    assert [(b["organisation"], b["deadline"]) for b in due["due"]] == [("county", "2026-03-31")]
    assert [(b["organisation"], b["days_overdue"]) for b in due["overdue"]] == [
        ("lingwu-kjj", 1),
        ("health", 1),
        ("qingshan", 1),
    ]
    text = CliRunner().invoke(main, ["status"]).output
    assert "annual reports covering 2025 due: 1" in text
    assert "  county  示例县人民政府  (deadline 2026-03-31, 58 days left)" in text
    assert "annual reports covering 2025 overdue: 3" in text
    assert "  health  示例县卫生健康局  (deadline 2026-01-31, 1 day overdue)" in text
