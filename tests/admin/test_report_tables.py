"""Report tables in the back office (/admin/reports): the drafter's reports with their tables and
check, the form in the statutory layout (every cell a labelled input), every rule shown linked to
its cells, hostile values refused with a 400, the data file written as a hand-written one is and
never over a version changed since the form was opened, and only for the drafter's own body.
The site is a copy of the fixture site, or where a test needs several bodies or the real report
(the round trip) of the shipped content/, whose 2024 report of the science bureau is real."""

import logging
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import audit_page, chinese_outside_chinese
from werkzeug.datastructures import MultiDict

from portal import reports, wiring, workflow

from .conftest import csrf_token, sign_in

SHIPPED = Path(__file__).parents[2] / "content"
SITE = Path(__file__).parents[1] / "site" / "content"
SEED = "lingwu-kjj-2024"
FORM = f"/admin/reports/{SEED}/"


@pytest.fixture
def site(request, tmp_path) -> Path:
    """A private copy of the fixture site, or with ``indirect`` "shipped" of the shipped
    content (four bodies, the real 2024 report among them; slower to read)."""
    target = tmp_path / "content"
    shutil.copytree(SHIPPED if getattr(request, "param", "") == "shipped" else SITE, target)
    return target


SHIPPED_CONTENT = pytest.mark.parametrize("site", ["shipped"], indirect=True)


@pytest.fixture
def drafter(client, staff):
    """A member of staff who drafts for the science bureau (lingwu-kjj), signed in."""
    staff("zhang", ("起草",))
    sign_in(client, "zhang")
    return client


def form_fields(html: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would send for the form's inputs."""
    soup = BeautifulSoup(html, "html5lib")
    form = soup.find("form", id="report-form")
    return [(i["name"], i.get("value", "")) for i in form.find_all("input") if i.get("name")]


def submit(client, path: str, changes: dict | None = None, drop=(), extra=(), action="save"):
    """Send the form as shown, with some cells changed, dropped or added."""
    fields = [
        (name, (changes or {}).get(name, value))
        for name, value in form_fields(client.get(path).get_data(as_text=True))
        if name not in drop
    ]
    return client.post(path, data=MultiDict([*fields, *extra, ("action", action)]))


def data_file(site: Path, slug: str = SEED) -> Path:
    return next(site.rglob(f"{slug}.report.yml"))


def content_file(site: Path, slug: str = SEED) -> Path:
    return next(site.rglob(f"{slug}.md"))


def problems_of(soup) -> list[tuple[str, str]]:
    """(link target, text) of each problem the page lists."""
    return [(a["href"], a.get_text(" ", strip=True)) for a in soup.select("#report-check-list a")]


# --- The list -----------------------------------------------------------------------------------


@SHIPPED_CONTENT
def test_the_list_shows_the_drafters_reports_with_their_tables_and_check(drafter, page):
    soup = page("/admin/reports/")
    rows = [row.get_text(" ", strip=True) for row in soup.select("main table tbody tr")]
    assert len(rows) == 4
    assert all("灵武市科学技术局" in row for row in rows)
    assert "2024" in rows[0] and "已填写" in rows[0] and "通过" in rows[0]
    links = [a["href"] for a in soup.select("main table a")]
    assert links[0] == FORM
    assert "示例县" not in soup.get_text()
    nav = [a.get_text(strip=True) for a in soup.select("nav.main-nav a")]
    assert "年报表格" in nav
    due = workflow.china_today().year - 1
    undrafted = f"尚未起草的 {due} 年度报告" in soup.get_text()
    assert undrafted == (due not in (2021, 2022, 2023, 2024))


def test_a_report_without_tables_offers_to_enter_them(drafter, page, site, app):
    seed = content_file(site)
    draft = seed.read_text("utf-8").replace("2024年", "2025年")
    seed.with_name("lingwu-kjj-2025.md").write_text(
        draft.replace(f"report: {SEED}.report.yml\n", "")
    )
    wiring.catalogue.store(app).refresh()
    soup = page("/admin/reports/")
    first = soup.select("main table tbody tr")[0].get_text(" ", strip=True)
    assert "2025" in first and "未填写" in first and "填写表格" in first


def test_signed_in_without_the_drafting_role_the_list_is_a_logged_403(client, staff, caplog):
    staff("li", ("初审",))
    sign_in(client, "li")
    with caplog.at_level(logging.WARNING, "portal.admin.access"):
        assert client.get("/admin/reports/").status_code == 403
        assert client.get(FORM).status_code == 403
    assert "refused GET /admin/reports/" in caplog.text
    assert "年报表格" not in client.get("/admin/").get_data(as_text=True)


@SHIPPED_CONTENT
def test_another_bodys_report_is_refused_and_logged(drafter, caplog, site):
    before = data_file(site, "shili-jtj-2024").read_bytes()
    with caplog.at_level(logging.WARNING, "portal.admin.access"):
        assert drafter.get("/admin/reports/shili-jtj-2024/").status_code == 403
        token = csrf_token(drafter, FORM)
        answer = drafter.post("/admin/reports/shili-jtj-2024/", data={"csrf_token": token})
    assert answer.status_code == 403
    assert "'zhang': not 起草 of 'shili-jtj'" in caplog.text
    assert data_file(site, "shili-jtj-2024").read_bytes() == before


@pytest.mark.parametrize("slug", ["nope", "..%2F..%2Fetc", "lingwu-kjj-2024%00", "policy-x"])
def test_an_unknown_or_hostile_address_is_404(drafter, slug):
    assert drafter.get(f"/admin/reports/{slug}/").status_code == 404


def test_a_document_that_is_not_an_annual_report_is_404(drafter, site):
    other = next((site / "policy").glob("*.md"))
    assert drafter.get(f"/admin/reports/{other.stem}/").status_code == 404


# --- The form -----------------------------------------------------------------------------------


def test_every_cell_is_a_numeric_input_named_by_its_row_and_column(drafter, page):
    soup = page(FORM)
    inputs = soup.select("#report-form input.cell-input")
    assert [i["name"] for i in inputs] == [cell.key for cell in reports.CELLS]
    for field in inputs:
        assert field["type"] == "text"
        decimal = field["name"] == "table2.fees.amount"
        assert field["inputmode"] == ("decimal" if decimal else "numeric")
    named = {
        i["name"]: " ".join(
            soup.find(id=ref).get_text(" ", strip=True) for ref in i["aria-labelledby"].split()
        )
        for i in inputs
    }
    assert named["table2.rules.issued"] == "规章 本年制发件数"
    assert named["table3.new.person"] == "一、本年新收政府信息公开申请数量 自然人"
    assert named["table3.withheld_state_secret.business"] == (
        "（三）不予公开 1.属于国家秘密 法人或其他组织 商业企业"
    )
    assert named["table4.suit_direct.total"] == "行政诉讼 未经复议直接起诉 总计"
    # The seed's real figures are in the cells, and each total shows the sum of its parts.
    assert soup.find(id="cell-table2-normative-issued")["value"] == "1"
    sums = soup.find(id="sum-R3-cell-table3-new-total")
    assert sums.get_text(strip=True) == "各列之和：0"
    assert (
        "sum-R3-cell-table3-new-total" in soup.find(id="cell-table3-new-total")["aria-describedby"]
    )


@SHIPPED_CONTENT
def test_the_form_round_trips_the_seed_report_exactly(drafter, site):
    path = data_file(site)
    seed = path.read_bytes()
    before = reports.parse_report(seed.decode("utf-8"))
    answer = submit(drafter, FORM)
    assert answer.status_code == 302 and answer.headers["Location"] == FORM
    assert reports.parse_report(path.read_text("utf-8")) == before
    assert path.read_bytes() == seed  # nothing to write: the file already says exactly this
    assert "表格没有改动" in drafter.get(FORM).get_data(as_text=True)


def test_a_hand_written_file_is_saved_as_the_same_tables_in_the_data_file_format(drafter, site):
    path = data_file(site)
    before = reports.load_report(path)
    # Written by hand: no comments, block style, the rows in another order.
    lines = ["organisation: 灵武市科学技术局", "year: 2024"]
    for number in (4, 3, 2):
        lines.append(f"table{number}:")
        for row in reversed(reports.table_rows(number)):
            lines.append(f"  {row.key}:")
            for column in reports.row_columns(number, row.key):
                lines.append(f"    {column.key}: {before.display(number, row.key, column.key)}")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert reports.load_report(path) == before
    assert submit(drafter, FORM).status_code == 302
    assert reports.load_report(path) == before
    assert path.read_text("utf-8") == reports.report_to_yaml(before)


def test_a_saved_change_is_on_the_public_report_page(drafter, site, app, client):
    answer = submit(drafter, FORM, {"table2.licensing.decisions": "５"})  # full-width digit
    assert answer.status_code == 302
    assert reports.load_report(data_file(site)).value(2, "licensing", "decisions") == 5
    wiring.catalogue.store(app).refresh()
    public = BeautifulSoup(client.get(f"/documents/{SEED}/").get_data(as_text=True), "html5lib")
    cell = public.find("td", headers=re.compile(r"-item_5-decisions .*-item_5-licensing$"))
    assert cell.get_text(strip=True) == "5"
    assert "表格已保存" in drafter.get(FORM).get_data(as_text=True)


# Each rule broken alone (R5 and R6 are warnings: the tables are saved and the warning shown).
BROKEN = {
    "R1": {"table3.carried_forward.person": "1", "table3.carried_forward.total": "1"},
    "R2": {"table3.granted.person": "1", "table3.granted.total": "1"},
    "R3": {"table3.new.person": "1", "table3.carried_forward.person": "1"},
    "R4": {"table4.review.upheld": "1"},
    "R7": {"table3.new.person": "-1"},
}
FIRST_CELL = {
    "R1": "#cell-table3-new-person",
    "R2": "#cell-table3-total-person",
    "R3": "#cell-table3-new-total",
    "R4": "#cell-table4-review-upheld",
    "R7": "#cell-table3-new-person",
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_each_broken_rule_is_listed_linked_to_its_cells_and_nothing_is_saved(drafter, site, rule):
    seed = data_file(site).read_bytes()
    answer = submit(drafter, FORM, BROKEN[rule])
    assert answer.status_code == 400
    assert data_file(site).read_bytes() == seed

    soup = audit_page(answer.get_data(as_text=True))
    summary = soup.find(id="report-check")
    assert summary["role"] == "alert" and "error-summary" in summary["class"]
    found = problems_of(soup)
    assert {text.split()[0] for _, text in found} == {rule}
    assert found[0][0] == FIRST_CELL[rule]
    listed = {item["id"] for item in soup.select("#report-check-list li")}
    for key in BROKEN[rule]:
        field = soup.find("input", attrs={"name": key})
        assert field["aria-invalid"] == "true"
        assert listed & set(field["aria-describedby"].split())
    # What was typed is kept.
    for key, value in BROKEN[rule].items():
        assert soup.find("input", attrs={"name": key})["value"] == value


def test_the_messages_name_the_cells_in_words(drafter):
    answer = submit(drafter, FORM, BROKEN["R3"])
    found = [
        text for _, text in problems_of(BeautifulSoup(answer.get_data(as_text=True), "html5lib"))
    ]
    assert found[0] == (
        "R3 表三“一、本年新收政府信息公开申请数量”行：总计 = 0，"
        "但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他 = 1+0+0+0+0+0 = 1"
    )


def test_warnings_do_not_stop_saving_and_are_shown(drafter, site):
    # R5: the prose says no application was received; R6: 2023 carried nothing forward.
    changes = {
        "table3.new.person": "1",
        "table3.new.total": "1",
        "table3.carried_over.business": "1",
        "table3.carried_over.total": "1",
        "table3.carried_forward.person": "1",
        "table3.carried_forward.business": "1",
        "table3.carried_forward.total": "2",
    }
    assert submit(drafter, FORM, changes).status_code == 302
    assert reports.load_report(data_file(site)).value(3, "new", "total") == 1
    soup = BeautifulSoup(drafter.get(FORM).get_data(as_text=True), "html5lib")
    found = [text for _, text in problems_of(soup)]
    assert [text.split()[0] for text in found] == ["R5", "R6", "R6"]
    assert all(text.split()[1] == "（提示）" for text in found)
    assert soup.find(id="report-check").get("role") is None


@pytest.mark.parametrize(
    ("changes", "drop", "extra", "says"),
    [
        ({"table3.new.person": "-5"}, (), (), "应为非负整数，实为“-5”"),
        ({"table3.new.person": "1" + "0" * 30}, (), (), "应为不超过 999999999 的数"),
        ({"table2.fees.amount": "1" + "0" * 30}, (), (), "应为不超过 999999999 的数"),
        (
            {"table3.new.person": "9" * 5000},
            (),
            (),
            "应为非负整数，实为“999999999999999999999999999999…”",
        ),
        ({"table3.new.person": "abc"}, (), (), "应为非负整数，实为“abc”"),
        ({"table3.new.person": "1.5"}, (), (), "应为非负整数，实为“1.5”"),
        ({"table3.new.person": "<script>"}, (), (), "实为“<script>”"),
        ({}, ("table3.new.person", "table4.review.total"), (), "缺少数值"),
        ({}, tuple(c.key for c in reports.CELLS[:50]), (), "还有 50 个单元格没有填写"),
        (
            {},
            (),
            (("table3.new.nope", "1"), ("evil", "x")),
            "表格里没有的栏目：table3.new.nope、evil",
        ),
        ({}, (), (("table3.new.person", "3"),), "单元格重复提交"),
        ({"stamp": "../../etc/passwd"}, (), (), "表单已损坏"),
    ],
)
def test_a_hostile_value_is_a_clear_400_with_the_summary(drafter, site, changes, drop, extra, says):
    seed = data_file(site).read_bytes()
    answer = submit(drafter, FORM, changes, drop, extra)
    assert answer.status_code == 400

    soup = audit_page(answer.get_data(as_text=True))
    summary = soup.find(id="report-check")
    assert summary["role"] == "alert"
    assert says in summary.get_text()
    assert "<script>" not in answer.get_data(as_text=True).split('id="report-check"')[1][:5000]
    assert data_file(site).read_bytes() == seed


def test_a_file_changed_since_the_form_was_opened_is_not_overwritten(drafter, site):
    path = data_file(site)
    shown = drafter.get(FORM).get_data(as_text=True)
    fields = dict(form_fields(shown))
    # Meanwhile someone else saves a correction (by hand, or in another browser).
    theirs = path.read_text("utf-8").replace(
        "licensing: {decisions: 0}", "licensing: {decisions: 7}"
    )
    path.write_text(theirs, "utf-8")
    fields["table2.penalty.decisions"] = "2"
    answer = drafter.post(FORM, data={**fields, "action": "save"})
    assert answer.status_code == 409
    assert path.read_text("utf-8") == theirs
    soup = BeautifulSoup(answer.get_data(as_text=True), "html5lib")
    assert "有人修改了这份报告的数据文件" in soup.find(id="report-check").get_text()
    changed = [li.get_text(" ", strip=True) for li in soup.select(".report-changes li")]
    assert any("行政许可" in c and "“7”" in c for c in changed)
    assert any("行政处罚" in c and "“0”" in c for c in changed)
    assert soup.find("input", attrs={"name": "table2.penalty.decisions"})["value"] == "2"
    # Saving again, knowingly, replaces their version with what is on the form.
    again = drafter.post(FORM, data=MultiDict([*form_fields(str(soup)), ("action", "save")]))
    assert again.status_code == 302
    saved = reports.load_report(path)
    assert (
        saved.value(2, "penalty", "decisions") == 2
        and saved.value(2, "licensing", "decisions") == 0
    )


def test_blank_cells_can_be_filled_with_zeros_without_saving(drafter, site):
    seed = data_file(site).read_bytes()
    drop = ("table3.new.person", "table3.new.total")
    answer = submit(drafter, FORM, drop=drop, action="zeros")
    assert answer.status_code == 200
    soup = BeautifulSoup(answer.get_data(as_text=True), "html5lib")
    assert soup.find("input", attrs={"name": "table3.new.person"})["value"] == "0"
    assert soup.find("input", attrs={"name": "table2.normative.issued"})["value"] == "1"
    assert data_file(site).read_bytes() == seed


def test_tables_entered_for_a_report_without_them_name_the_new_data_file(drafter, site, app):
    text = content_file(site).read_text("utf-8")
    draft = text.replace("2024年", "2025年").replace(f"report: {SEED}.report.yml", "report:")
    md = content_file(site).with_name("lingwu-kjj-2025.md")
    md.write_text(draft, "utf-8")
    wiring.catalogue.store(app).refresh()
    path = "/admin/reports/lingwu-kjj-2025/"
    blank = BeautifulSoup(drafter.get(path).get_data(as_text=True), "html5lib")
    assert {i.get("value", "") for i in blank.select("input.cell-input")} == {""}
    assert blank.find(id="sum-R3-cell-table3-new-total").get_text(strip=True) == "各列之和：–"
    assert "尚未填写" in blank.find(id="report-check").get_text()
    assert "lingwu-kjj-2025.report.yml" in blank.get_text()
    answer = submit(drafter, path, drop=[c.key for c in reports.CELLS])
    assert answer.status_code == 400  # 200 blank cells: one message, not 200
    assert len(problems_of(BeautifulSoup(answer.get_data(as_text=True), "html5lib"))) == 1
    filled = submit(
        drafter,
        path,
        {"table2.normative.issued": "2", "table2.normative.in_force": "2"},
        action="zeros",
    )
    zeros = BeautifulSoup(filled.get_data(as_text=True), "html5lib")
    assert (
        drafter.post(
            path, data=MultiDict([*form_fields(str(zeros)), ("action", "save")])
        ).status_code
        == 302
    )
    saved = reports.load_report(md.with_name("lingwu-kjj-2025.report.yml"))
    assert (saved.organisation, saved.year, saved.value(2, "normative", "issued")) == (
        "灵武市科学技术局",
        2025,
        2,
    )
    assert md.read_text("utf-8") == draft.replace(
        "report:\n", "report: lingwu-kjj-2025.report.yml\n"
    )
    document = wiring.catalogue.store(app).refresh().get("lingwu-kjj-2025")
    assert document.report == saved


@pytest.mark.parametrize("listed", [True, False])
def test_a_broken_data_file_is_not_offered_for_editing(drafter, site, listed):
    if listed:
        drafter.get(FORM)  # the catalogue has read the report before its file broke
    broken = "organisation: 灵武市科学技术局\nyear: 2024\ntable2: [\n"
    data_file(site).write_text(broken, "utf-8")
    answer = drafter.get(FORM)
    assert answer.status_code == 409
    assert "内容文件有错误" in answer.get_data(as_text=True)
    assert data_file(site).read_text("utf-8") == broken


def test_the_english_form_speaks_english_about_the_rules(client, staff, page):
    staff("zhang", ("起草",))
    sign_in(client, "zhang")
    token = csrf_token(client, "/en" + FORM)
    fields = dict(form_fields(client.get("/en" + FORM).get_data(as_text=True)))
    fields.update(BROKEN["R3"], csrf_token=token, action="save")
    answer = client.post("/en" + FORM, data=fields)
    assert answer.status_code == 400

    soup = audit_page(answer.get_data(as_text=True), "en")
    found = [text for _, text in problems_of(soup)]
    assert found[0].startswith("R3 Table 3, row “1.")
    assert chinese_outside_chinese(soup) == []
    page("/en/admin/reports/", locale="en")


def test_a_front_matter_that_cannot_take_the_report_line_keeps_what_was_typed(drafter, site, app):
    seed = content_file(site)
    draft = seed.read_text("utf-8").replace("2024年", "2025年")
    draft = draft.replace(f"report: {SEED}.report.yml\n", "report: >-\n\n")
    md = seed.with_name("lingwu-kjj-2025.md")
    md.write_text(draft, "utf-8")
    wiring.catalogue.store(app).refresh()
    path = "/admin/reports/lingwu-kjj-2025/"
    zeros = submit(
        drafter, path, {"table2.rules.issued": "3", "table2.rules.in_force": "3"}, action="zeros"
    )
    fields = form_fields(zeros.get_data(as_text=True))
    answer = drafter.post(path, data=MultiDict([*fields, ("action", "save")]))
    assert answer.status_code == 409
    soup = BeautifulSoup(answer.get_data(as_text=True), "html5lib")
    assert "请手工加上这一行" in soup.find(id="report-check").get_text()
    assert soup.find("input", attrs={"name": "table2.rules.issued"})["value"] == "3"
    assert md.read_text("utf-8") == draft
    assert not md.with_name("lingwu-kjj-2025.report.yml").exists()
