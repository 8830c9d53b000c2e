"""Annual report pages: statutory tables in the page, validation status, downloads, and the
year-over-year comparison."""

import csv
import io
import json
import re
from pathlib import Path

from click.testing import CliRunner

from portal import reports
from portal.cli import main


def test_report_page_shows_the_three_statutory_tables_where_the_text_places_them(page):
    report = page("/documents/lingwu-kjj-2024/")
    captions = [caption.get_text(" ", strip=True) for caption in report.select("table caption")]
    assert captions == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    body = report.select_one(".document-body")
    headings = [h.get_text() for h in body.find_all("h2")]
    assert headings[1] == "二、主动公开政府信息情况"
    heading = body.find("h2", string="三、收到和处理政府信息公开申请情况")
    assert heading.find_next("table").caption.get_text(strip=True) == captions[1]


def test_report_cells_name_both_their_headers_for_screen_readers(page):
    report = page("/documents/lingwu-kjj-2024/")
    table3 = report.select("table")[1]
    cell = next(
        td
        for td in table3.find_all("td", headers=True)
        if any("business" in h for h in td["headers"])
        and any(h.endswith("granted") and "partly" not in h for h in td["headers"])
    )
    names = [report.find(id=ref).get_text(" ", strip=True) for ref in cell["headers"]]
    assert "法人或其他组织" in names and "商业企业" in names and "（一）予以公开" in names
    assert cell.get_text(strip=True) == "0"


def test_report_page_shows_its_validation_status(page):
    status = page("/documents/lingwu-kjj-2024/").select_one(".report-validation")
    assert status.get_text(" ", strip=True).startswith("数据校验： 通过")


def test_a_report_that_breaks_a_rule_says_so_to_visitors(site, page):
    data = site / "reports" / "lingwu-kjj-2024.report.yml"
    text = data.read_text(encoding="utf-8")
    data.write_text(
        text.replace(
            "new:                      {person: 0", "new:                      {person: 3", 1
        ),
        encoding="utf-8",
    )
    status = page("/documents/lingwu-kjj-2024/").select_one(".report-validation")
    assert "未通过" in status.get_text()
    assert "R3" in status.get_text()


def test_report_tables_download_as_csv_with_bom_and_round_trip(client):
    response = client.get("/documents/lingwu-kjj-2023/tables.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 200
    original = reports.load_report(
        Path(__file__).parent / "site" / "content" / "reports" / "lingwu-kjj-2023.report.yml"
    )
    assert reports.report_from_csv(text).table3 == original.table3


def test_report_tables_download_as_json(client):
    data = json.loads(client.get("/documents/lingwu-kjj-2023/tables.json").data)
    assert data["organisation"] == "灵武市科学技术局" and data["year"] == 2023


def test_combined_dataset_holds_every_report(client):
    text = client.get("/reports/dataset.csv").get_data(as_text=True)
    years = {row["year"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert years == {"2023", "2024"}
    assert len(json.loads(client.get("/reports/dataset.json").data)["reports"]) == 2


def test_documents_without_tables_have_no_downloads(client):
    assert client.get("/documents/2022-procurement-notice/tables.csv").status_code == 404


def test_reports_overview_lists_each_organisation_with_status_and_comparison_link(page):
    overview = page("/reports/")
    assert overview.select_one("main h2").get_text() == "灵武市科学技术局"
    assert overview.find("a", string="历年数据对比")


def test_comparison_page_puts_every_chart_value_in_the_table(page):
    compare = page("/reports/compare/灵武市科学技术局/")
    table = compare.select_one("table.compare-table")
    header = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    assert header == ["项目", "2023 示例", "2024"]
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }
    for bar in compare.select("svg rect"):
        year, label_value = bar.title.get_text().split("年", 1)
        label, value = label_value.split("：")
        assert rows[label][header.index(year if year != "2023" else "2023 示例") - 1] == value
    assert compare.select_one("svg")["role"] == "img"


def test_comparison_reports_carry_over_across_years(site, page):
    data = site / "reports" / "lingwu-kjj-2023.report.yml"
    text = data.read_text(encoding="utf-8")
    assert "carried_forward:          {person: 0" in text
    # Break R6 while keeping R1-R3 within 2023: move one finished application to carried forward.
    text = text.replace(
        "carried_forward:          {person: 0, business: 0, research: 0, "
        "nonprofit: 0, legal: 0, other: 0, total: 0}",
        "carried_forward:          {person: 1, business: 0, research: 0, "
        "nonprofit: 0, legal: 0, other: 0, total: 1}",
    )
    data.write_text(text, encoding="utf-8")
    compare = page("/reports/compare/灵武市科学技术局/")
    section = compare.find("h2", string="跨年度校验")
    assert "R6" in section.find_next("ul").get_text()


def test_comparison_of_an_unknown_organisation_is_404(page):
    page("/reports/compare/无此单位/", status=404)


def test_import_report_command_writes_the_seed_and_leaves_an_uncertain_row_empty(tmp_path):
    seed = Path(__file__).parent / "report_fixtures"
    source = seed / "lingwu-kjj-2024.txt"
    result = CliRunner().invoke(
        main, ["import-report", str(source), "--slug", "seed-2024", "--into", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed-2024.md", "seed-2024.report.yml"]
    broken = tmp_path / "broken.txt"
    text = source.read_text(encoding="utf-8")
    marker = "1.属于国家秘密\n\n0\n\n"
    assert marker in text
    broken.write_text(text.replace(marker, "1.属于国家秘密\n\n", 1), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["import-report", str(broken), "--slug", "broken", "--into", str(tmp_path / "out")]
    )
    # The row with a number missing is left empty (null) for staff, named; the rest is written.
    assert result.exit_code == 3
    assert "left empty: 表三“1.属于国家秘密”行" in result.output
    assert "incomplete: imported with 7 cells left empty" in result.output
    data = (tmp_path / "out" / "broken.report.yml").read_text(encoding="utf-8")
    assert re.search(r"withheld_state_secret: +{person: null,", data)
    assert data.count("null") == 7


def test_the_old_comparison_address_redirects_to_the_new_one(client):
    response = client.get("/reports/compare/?organisation=灵武市科学技术局")
    assert response.status_code == 301
    assert response.headers["Location"] == (
        "/reports/compare/%E7%81%B5%E6%AD%A6%E5%B8%82%E7%A7%91%E5%AD%A6%E6%8A%80%E6%9C%AF%E5%B1%80/"
    )


def test_a_single_body_site_has_a_county_report_page_with_its_one_body(page):
    county = page("/reports/county/2023/")
    rows = county.select("table.county-table tbody tr")
    assert len(rows) == 1
    assert rows[0].th.get_text(strip=True) == "政府信息公开平台（演示站）"
    assert rows[0].select_one("a")["href"] == "/documents/lingwu-kjj-2023/"
    assert rows[0].select_one("td.standing").get_text(strip=True) == "按时发布"
    assert county.find(id="county-validation").p.get_text(" ", strip=True) == "数据校验： 通过"
