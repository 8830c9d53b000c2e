"""The 政府网站工作年度报表: the form as data (rows declared once, values read by their kind, every
problem at its line in `portal check`), `portal website-report YEAR` drafting it from the site's
records (documents published per column, applications received, identity settings) as a draft
that waits for review and never overwrites, the published form as an accessible table in both
languages, linked where an inspector looks, and `portal status` warning from 1 February when
last year's form is missing."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from county import BUREAU, add_bodies
from stdnum.cn import ric, uscc
from support import fresh_database
from website_forms import FILLED, add_form

from portal import applications, db, workflow
from portal.catalogue import load_catalogue, review_file, status_report
from portal.cli import main
from portal.website_report import (
    INNOVATIONS,
    RECORDS,
    ROWS,
    SECTIONS,
    STAFF,
    WebsiteReport,
    form_text,
    parse_form,
)

ROOT_CONTENT = Path(__file__).parent.parent / "content"
TODAY = workflow.china_today()
LAST_YEAR = TODAY.year - 1


# --- The form as data ---------------------------------------------------------------------------


def test_every_row_is_declared_once_with_a_label_a_kind_and_where_its_value_comes_from():
    keys = [row.key for row in ROWS]
    assert len(keys) == len(set(keys)) == 61
    assert all(row.label and row.source in (RECORDS, STAFF) for row in ROWS)
    # A count says what it counts, as the form prints it: 独立用户访问总量（单位：个）.
    assert all(row.unit for row in ROWS if row.kind == "count")
    assert [section.label for section in SECTIONS] == [
        "网站基本信息",
        "信息发布",
        "专栏专题",
        "解读回应",
        "办事服务",
        "互动交流",
        "安全防护",
        "移动新媒体",
        "创新发展",
    ]
    counted = {row.key for row in ROWS if row.source == RECORDS}
    assert {"published_total", "cases_total", "icp_record", "innovations"} <= counted
    assert {"unique_visitors", "total_visits", "security_assessments"} & counted == set()


def test_a_written_form_reads_back_the_same_and_unfilled_is_not_zero():
    values = {**FILLED, "unique_visitors": None, "published_news": 0}
    form, problems = parse_form(form_text(WebsiteReport(2024, values)))
    assert form == WebsiteReport(2024, {k: v for k, v in values.items() if v is not None})
    assert form.value("unique_visitors") is None and form.value("published_news") == 0
    assert [row.key for row in form.unfilled] == ["unique_visitors"]
    assert [p.message for p in problems] == ["1 rows not filled yet: unique_visitors"]


DATA = "year: 2024\nvalues:\n  unique_visitors: {value}\n"


WHOLE = "is not a whole number (write digits, such as 1024)"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("many", f"unique_visitors (独立用户访问总量): 'many' {WHOLE}"),
        ("1,234", f"unique_visitors (独立用户访问总量): '1,234' {WHOLE}"),
        ("12.5", f"unique_visitors (独立用户访问总量): '12.5' {WHOLE}"),
        ("-3", "unique_visitors (独立用户访问总量): -3 is negative; a count is 0 or more"),
        ("[1, 2]", "unique_visitors (独立用户访问总量): write one value on the line"),
    ],
)
def test_a_count_that_is_not_a_count_is_refused_at_its_line(value, message):
    form, problems = parse_form(DATA.format(value=value))
    assert form is None
    assert [(p.line, p.message) for p in problems] == [(3, message)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("visitors: 12", "'visitors' is not a row of the form; did you mean 'unique_visitors'?"),
        ("message_days: -1.5", "message_days (平均办理时间): -1.5 is negative"),
        ("message_days: 2.555", "'2.555' is not a number of days (such as 3 or 2.5)"),
        ("smart_answers: yes", "smart_answers (是否提供智能问答): write 是 or 否, not 'yes'"),
        ("site_type: 门户", "site_type (网站类型): '门户' is not one of 政府门户网站、部门网站"),
        ("innovations: [多语言, 无障碍浏览]", "innovations (创新功能): '多语言' is not one of"),
        ("innovations: 无障碍浏览", "innovations (创新功能): write a list"),
        ("filled_on: 2025-02-30", "filled_on (填报日期): write a date as YYYY-MM-DD"),
    ],
)
def test_values_are_read_by_their_rows_kind(line, message):
    form, problems = parse_form(f"year: 2024\nvalues:\n  {line}\n")
    assert form is None
    assert problems[0].line == 3 and message in problems[0].message, problems


def test_the_file_itself_is_checked():
    assert [p.message for p in parse_form("values: {}\n")[1]] == [
        "missing 'year:', the year the form covers"
    ]
    assert parse_form("year: 2016\nvalues: {}\n")[1][0].message.startswith("year: write the year")
    problems = parse_form("year: 2024\nyaer: 2024\nvalues:\n  head: 张三\n  head: 李四\n")[1]
    assert [(p.line, p.message) for p in problems] == [
        (2, "unknown key 'yaer' (keys: year, values)"),
        (5, "'head' written twice (first on line 4)"),
    ]


def test_parts_adding_up_to_more_than_their_total_are_a_warning():
    values = {**FILLED, "media_commentaries": 5}  # added to the parts, not to 总数
    form, problems = parse_form(form_text(WebsiteReport(2024, values)))
    assert form is not None
    warning = next(p for p in problems if "interpretations_total" in p.message)
    assert warning.severity == "warning"
    assert warning.message == (
        "interpretations_total (总数) is 9 but its parts (interpretation_texts, "
        "interpretation_products, media_commentaries) add up to 14"
    )


# --- portal check ---------------------------------------------------------------------------------


def check(site) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--content", str(site)])
    return result.exit_code, result.output


def test_portal_check_names_the_data_file_and_line_of_each_problem_and_keeps_it_unpublished(
    site, client
):
    text = form_text(WebsiteReport(2024, FILLED))
    broken = text.replace("unique_visitors: 123456", "unique_visitors: 十二万").replace(
        "  head: 张三", "  headd: 张三"
    )
    add_form(site, 2024, data=broken)
    code, output = check(site)
    lines = broken.splitlines()
    visitors = next(n for n, line in enumerate(lines, 1) if "unique_visitors" in line)
    head = next(n for n, line in enumerate(lines, 1) if "headd" in line)
    assert code == 1
    data = "website-reports/website-report-2024.form.yml"
    assert (
        f"{data}:{visitors}: unique_visitors (独立用户访问总量): '十二万' is not a whole number "
        "(write digits, such as 1024)"
    ) in output
    assert f"{data}:{head}: 'headd' is not a row of the form; did you mean 'head'?" in output
    assert client.get("/website-reports/2024/").status_code == 404
    assert client.get("/documents/website-report-2024/").status_code == 404


def test_a_form_nested_beyond_reason_is_one_problem_and_the_other_pages_stay_up(site, client):
    # 20,000 brackets once raised RecursionError out of YAML and took the catalogue down.
    add_form(site, 2024, data="year: 2024\nvalues: " + "[" * 20_000 + "]" * 20_000 + "\n")
    code, output = check(site)
    assert code == 1
    data = "website-reports/website-report-2024.form.yml"
    assert f"{data}:2: not YAML: values nested more than 16 levels deep" in output
    assert "Traceback" not in output
    assert client.get("/").status_code == 200


def test_a_complete_form_passes_the_check(site):
    add_form(site, 2024)
    code, output = check(site)
    assert code == 0 and "8 documents published, 0 errors, 0 warnings" in output, output


def test_a_second_form_for_a_year_and_a_form_outside_its_column_are_errors(site):
    add_form(site, 2024)
    add_form(site, 2024, slug="website-report-2024-again", serial=1)
    code, output = check(site)
    assert code == 1
    assert re.search(
        r"website-report-2024(-again)?\.md:\d+: the website's yearly form covering 2024 is "
        r"already website-reports/website-report-2024(-again)?\.md: there is one form a year",
        output,
    ), output
    document = add_form(site, 2023)
    text = document.read_text(encoding="utf-8").replace(
        "category: 政府信息公开年报", "category: 统计信息"
    )
    document.write_text(text, encoding="utf-8")
    assert (
        "website_report: the website's yearly form is published in 政府信息公开年报"
        in check(site)[1]
    )


def test_sample_must_agree_between_the_document_and_its_data(site):
    document = add_form(site, 2024, sample=True)
    document.write_text(
        document.read_text(encoding="utf-8").replace("sample: true\n", ""), encoding="utf-8"
    )
    assert (
        "website-report-2024.form.yml:1: sample: the data file and the document must agree"
        in (check(site)[1])
    )


# --- Drafting from the records ------------------------------------------------------------------


def write_document(folder, name, category, date, extra=""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(
        f"---\ntitle: {name} 的标题\nindex_no:\ndoc_no:\ndate: {date}\ndepartment: 办公室\n"
        f"time_limit: 长期公开\ncategory: {category}\nfive_openness: 执行公开\nmode: 主动公开\n"
        f"keywords: []\nattachments:\n{extra}---\n正文。\n",
        encoding="utf-8",
    )


@pytest.fixture
def records(tmp_path, monkeypatch):
    """A site whose 2024 is known: what it published, by column, and the applications it
    received; the settings say who runs it. Returns its content folder."""
    content = tmp_path / "records"
    folder = content / "documents"
    write_document(folder, "functions-2024", "机构职能", "2024-03-01")
    write_document(folder, "functions-2023", "机构职能", "2023-03-01")
    write_document(folder, "measures-2024", "行政规范性文件", "2024-05-06")
    write_document(folder, "plan-2024", "规划计划", "2024-07-08")
    # Written on 30 December, made public on 3 January: it counts in the year it went public.
    write_document(folder, "budget-late", "财政预决算", "2024-12-30", "published: 2025-01-03\n")
    write_document(folder, "reading-2024", "政策解读", "2024-05-07")
    (folder / "reading.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (folder / "reading.vtt").write_text("WEBVTT\n", encoding="utf-8")
    write_document(
        folder,
        "reading-video-2024",
        "政策解读",
        "2024-05-08",
        "videos:\n  - file: reading.mp4\n    captions: reading.vtt\n",
    )
    # A draft is not published: it counts nowhere.
    write_document(folder, "draft-2024", "规划计划", "2024-09-01", "review: []\n")
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    fresh_database(url)
    engine = db.make_engine(url)
    store = applications.ApplicationStore(engine)
    for kind, received in (
        ("person", "2024-02-01"),
        ("person", "2024-11-30"),
        ("business", "2024-06-15"),
        ("person", "2023-12-31"),
        ("research", "2025-01-01"),
    ):
        cleaned, errors = applications.validate(application(kind), ("lingwu-kjj",))
        assert errors == {}
        store.submit(cleaned, datetime.date.fromisoformat(received))
    engine.dispose()
    for name, value in {
        "CONTENT_DIR": str(content),
        "DATABASE_URL": url,
        "SITE_NAME": "示例县人民政府门户网站",
        "BASE_URL": "https://www.shili.gov.cn",
        "SITE_SPONSOR": "示例县人民政府办公室",
        "SITE_ID_CODE": "6400000001",
        "ICP_RECORD": "宁ICP备12345678号-1",
    }.items():
        monkeypatch.setenv(f"PORTAL_{name}", value)
    return content


ORGANISATION = "91640181MA76B2C3D"  # a made-up 统一社会信用代码 without its check digit


def application(kind: str) -> dict:
    person = kind == "person"
    number = "11010119900307123"
    return {
        "applicant_kind": kind,
        "name": "张三" if person else "某某研究所",
        "id_type": "ric" if person else "",
        "id_number": number + ric.calc_check_digit(number + "0") if person else "",
        "uscc": "" if person else ORGANISATION + uscc.calc_check_digit(ORGANISATION),
        "phone": "138 0000 1234",
        "description": "2024年科技项目资金分配结果",
        "form": "electronic",
        "delivery": "collect",
    }


def draft(year: int = 2024, *arguments: str):
    return CliRunner().invoke(main, ["website-report", str(year), *arguments])


def test_the_draft_counts_what_the_site_published_and_received_in_the_year(records):
    result = draft()
    assert result.exit_code == 0, result.output
    data = records / "website-reports" / "website-report-2024.form.yml"
    form, problems = parse_form(data.read_text(encoding="utf-8"))
    assert [p for p in problems if p.severity == "error"] == []
    counted = {row.key: form.value(row.key) for row in ROWS if row.source == RECORDS}
    assert counted == {
        "site_name": "示例县人民政府门户网站",
        "home_url": "https://www.shili.gov.cn",
        "sponsor": "示例县人民政府办公室",
        "site_id_code": "6400000001",
        "icp_record": "宁ICP备12345678号-1",
        "public_security_record": None,  # not set: never made up
        # functions-2024; measures, plan, two readings (the late budget is 2025's)
        "published_total": 5,
        "published_overview": 1,
        "published_news": 0,
        "published_catalogue": 4,
        "interpretations_total": 2,
        "interpretation_texts": 1,
        "interpretation_products": 1,  # the reading published with a video
        "cases_total": 3,
        "cases_individuals": 2,
        "cases_organisations": 1,
        "innovations": (INNOVATIONS[1], INNOVATIONS[2]),  # 多语言版本, 无障碍浏览
        "reporting_body": "示例县人民政府门户网站",  # the site's one body
    }
    # Everything else is for staff, and not filled: never 0.
    assert all(form.value(row.key) is None for row in ROWS if row.source == STAFF)
    assert "counted 3 applications received in 2024" in result.output


def test_the_draft_waits_for_review_and_is_published_by_its_last_stage(records, tmp_path):
    assert draft().exit_code == 0
    path = records / "website-reports" / "website-report-2024.md"
    catalogue = load_catalogue(records)
    [waiting] = [d for d in catalogue.drafts if d.website_report is not None]
    assert waiting.waiting_for == "初审" and catalogue.website_reports == {}
    assert "website_report: website-report-2024.form.yml\nreview: []\n" in path.read_text(
        encoding="utf-8"
    )
    for stage, person in zip(workflow.STAGES, "甲乙丙丁", strict=True):
        review_file(path, stage, person)
    published = load_catalogue(records).website_reports[2024]
    assert published.title == "示例县人民政府门户网站政府网站工作年度报表（2024年度）"
    assert published.category.name == "政府信息公开年报"


def test_a_form_of_another_body_than_the_default_carries_its_id_and_code(records):
    add_bodies(records, BUREAU, "county")
    result = draft(2024, "--organisation", "county")
    assert result.exit_code == 0, result.output
    [form] = [d for d in load_catalogue(records).drafts if d.website_report]
    assert form.path.name == "county-website-report-2024.md"
    assert form.organisation == "county" and form.index_no.startswith("000000001/")
    assert form.website_report.value("reporting_body") == "示例县人民政府"


def test_the_draft_is_never_written_over(records):
    assert draft().exit_code == 0
    data = records / "website-reports" / "website-report-2024.form.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("head: null", "head: 张三"), "utf-8")
    again = draft()
    assert again.exit_code == 1
    assert "the form covering 2024 exists already:" in again.output
    assert "website-report-2024.md (one form a year; edit that file)" in again.output
    assert "head: 张三" in data.read_text(encoding="utf-8")


def test_a_file_in_the_way_is_refused_and_nothing_is_left_behind(records):
    folder = records / "website-reports"
    folder.mkdir()
    (folder / "website-report-2024.md").write_text("staff's own notes\n", encoding="utf-8")
    result = draft()
    assert result.exit_code == 1
    assert "website-report-2024.md exists already: it is never written over" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["website-report-2024.md"]
    assert (folder / "website-report-2024.md").read_text(encoding="utf-8") == "staff's own notes\n"


def test_a_year_not_over_and_an_unknown_body_are_refused(records):
    result = draft(TODAY.year)
    assert result.exit_code == 1
    assert (
        f"{TODAY.year} is not over: the form covering it is drafted from {TODAY.year + 1}-01-01"
    ) in result.output
    assert draft(TODAY.year + 3).exit_code == 1
    assert draft(2016).exit_code == 2  # the form exists from 2017 (国办函〔2018〕12号)
    result = draft(2024, "--organisation", "nobody")
    assert result.exit_code == 1 and "no organisation 'nobody'" in result.output
    assert not (records / "website-reports").exists()


def test_without_a_readable_database_the_cases_are_left_for_staff(records, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    result = draft()
    assert result.exit_code == 0, result.output
    assert "applications not counted, the database cannot be read" in result.output
    [form] = [d.website_report for d in load_catalogue(records).drafts if d.website_report]
    assert form.value("cases_total") is None and form.value("published_total") == 5
    assert not (tmp_path / "missing.sqlite3").exists()


# --- portal status ------------------------------------------------------------------------------


def test_status_warns_from_february_when_last_years_form_is_not_published(site):
    due = status_report(load_catalogue(site), datetime.date(2025, 1, 20), within=5)
    assert due["website_report"] == {
        "year": 2024,
        "deadline": "2025-01-31",
        "state": "due",
        "days_left": 11,
        "draft": None,
    }
    late = status_report(load_catalogue(site), datetime.date(2025, 2, 1), within=5)
    assert late["website_report"]["state"] == "overdue"
    assert late["website_report"]["days_overdue"] == 1
    assert (
        "warning: the website's yearly form (政府网站工作年度报表) covering 2024 is not published: "
        "it was due by 2025-01-31 (1 day overdue); draft it with `portal website-report 2024`"
    ) in late["notes"]
    add_form(site, 2024, review="review: []\n")
    waiting = status_report(load_catalogue(site), datetime.date(2025, 2, 1), within=5)
    assert waiting["website_report"]["draft"].endswith("website-report-2024.md")
    add_form(site, 2024)
    published = status_report(load_catalogue(site), datetime.date(2025, 2, 1), within=5)
    assert published["website_report"] is None
    assert not any("政府网站工作年度报表" in note for note in published["notes"])


def test_the_status_command_prints_the_warning(site, monkeypatch):
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 0, result.output
    assert f"(政府网站工作年度报表) covering {LAST_YEAR}" in result.output
    add_form(site, LAST_YEAR)
    assert "政府网站工作年度报表" not in CliRunner().invoke(main, ["status"]).output


# --- The published form -------------------------------------------------------------------------


def test_the_form_is_a_table_whose_every_value_names_its_headers(site, page):
    add_form(site, 2024, {**FILLED, "unique_visitors": None})
    soup = page("/website-reports/2024/")
    assert soup.h1.get_text(strip=True) == "政府网站工作年度报表（2024年度）"
    table = soup.select_one("main table.report-table.website-form")
    assert table.caption.get_text(strip=True) == "政府网站工作年度报表（2024年度）"
    region = table.find_parent(class_="table-scroll")
    assert region["tabindex"] == "0" and region["aria-labelledby"] == table.caption["id"]
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    cells = table.select("tbody td")
    assert len(cells) == sum(len(section.rows) for section in SECTIONS)
    for cell in cells:
        assert set(cell["headers"]) <= ids

    def said(key):  # what a screen reader announces with the value: every header named
        cell = table.find("th", id=f"form-r-{key}").find_next_sibling("td")
        named = [soup.find(id=ref).get_text(" ", strip=True) for ref in cell["headers"]]
        return named, cell.get_text(" ", strip=True)

    assert said("interpretations_total") == (
        ["解读回应", "解读信息发布", "总数 （单位：条）", "填报内容"],
        "9",
    )
    assert said("unique_visitors")[1] == "未填报"  # not filled: never 0
    assert said("published_news")[1] == "0"
    assert said("message_days")[1] == "2.5"
    assert said("smart_answers")[1] == "否"
    assert said("innovations")[1] == "多语言版本、无障碍浏览"
    assert said("new_media_other")[1] == "无"  # an optional row without a value: none
    signature = soup.select_one(".form-signature")
    assert [dt.get_text() for dt in signature.select("dt")] == [
        "填报单位",
        "单位负责人",
        "审核人",
        "填报人",
        "联系电话",
        "填报日期",
    ]
    assert signature.select_one("time")["datetime"] == "2025-01-16"
    link = soup.select_one("main a[href='/documents/website-report-2024/']")
    assert link.get_text() == "示例县人民政府门户网站政府网站工作年度报表（2024年度）"


def test_the_form_reads_in_english_with_the_sites_own_words_marked_chinese(site, page):
    add_form(site, 2024)
    soup = page("/en/website-reports/2024/")
    assert soup.h1.get_text(strip=True) == "Government website annual report (2024)"
    header = soup.find("th", id="form-r-unique_visitors").get_text(" ", strip=True)
    assert header == "Unique visitors (unit: number)"
    value = soup.find("th", id="form-r-site_name").find_next_sibling("td")
    assert value.span["lang"] == "zh-Hans"
    yes_no = soup.find("th", id="form-r-smart_answers").find_next_sibling("td").get_text()
    assert yes_no == "No"


def test_the_list_of_forms_is_newest_first_and_an_unpublished_year_is_not_found(site, page):
    add_form(site, 2023, date="2024-01-25")
    add_form(site, 2024)
    add_form(site, 2022, review="review: []\n")  # a draft: not listed
    soup = page("/website-reports/")
    links = [a["href"] for a in soup.select("main .website-report-list a")]
    assert links == ["/website-reports/2024/", "/website-reports/2023/"]
    page("/website-reports/2022/", status=404)
    page("/website-reports/1999/", status=404)
    assert page("/website-reports/2024/").select_one(".year-nav a[aria-current=page]")


def test_a_site_without_forms_says_so(page):
    assert "本站尚未发布政府网站工作年度报表。" in page("/website-reports/").get_text()


def test_the_document_page_shows_the_form_and_the_home_page_and_reports_link_to_it(site, page):
    add_form(site, 2024)
    document = page("/documents/website-report-2024/")
    assert document.select_one("main table.website-form caption")
    for url in ("/", "/reports/"):
        assert page(url).select_one("main a[href='/website-reports/']"), url


def test_the_sitemap_lists_the_forms(site, client):
    add_form(site, 2024)
    body = client.get("/sitemap.xml").get_data(as_text=True)
    assert "https://portal.example.gov.cn/website-reports/2024/" in body
    assert "https://portal.example.gov.cn/en/website-reports/" in body


def test_every_row_is_documented():
    text = (ROOT_CONTENT.parent / "docs" / "website-report.md").read_text(encoding="utf-8")
    assert [row.key for row in ROWS if f"| `{row.key}` |" not in text] == []


def test_the_shipped_demo_publishes_its_2025_form_as_a_sample():
    catalogue = load_catalogue(ROOT_CONTENT)
    form = catalogue.website_reports[2025]
    assert form.sample and form.website_report.sample
    assert form.organisation == "shili-xzf"
    assert form.publication_date <= datetime.date(2026, 1, 31)
    assert form.website_report.value("unique_visitors") is not None
    assert isinstance(form.website_report.value("message_days"), Decimal)
