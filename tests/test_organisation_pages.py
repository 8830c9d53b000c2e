"""The bodies of a county platform (发布机构) as a visitor meets them: the list of every body by
kind, each body's disclosure column (公开指南, 公开目录, 年报, 依申请公开, feed), the 发布机构
filter of the catalogue, and the body named on its documents, in feeds, sitemap, breadcrumbs
and English pages. The site is tests/site with the fixture organisations laid over it
(tests/county.py): a county government office, the bureau tests/site's documents
belong to, and a township that has published nothing."""

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from conftest import chinese_outside_chinese
from county import add_organisations

from portal.catalogue import load_catalogue, updated_on

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://portal.example.gov.cn"


@pytest.fixture
def site(site):
    """The fixture site with the fixture organisations, before the app first reads it."""
    return add_organisations(site)


def rows(table) -> list[list[str]]:
    """The text of each body row of a table, cell by cell."""
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in table.tbody.find_all("tr")
    ]


def fields(section) -> dict[str, str]:
    """A description list's terms and values."""
    return {div.dt.get_text(): div.dd.get_text(strip=True) for div in section.select("dl > div")}


# --- The list of bodies ---------------------------------------------------------------------


def test_the_list_groups_every_body_by_kind_in_the_order_of_kinds(page):
    listing = page("/organisations/")
    assert listing.h1.get_text() == "发布机构"
    assert [h2.get_text() for h2 in listing.main.find_all("h2")] == ["人民政府", "部门", "乡镇街道"]
    tables = listing.main.find_all("table")
    assert [rows(table) for table in tables] == [
        [["示例县人民政府办公室 示例", "4", "2025年1月20日"]],
        [["灵武市科学技术局", "7", "2024年3月15日"]],
        [["示例县东塔镇人民政府 示例", "0", "（暂无）"]],
    ]
    links = [a["href"] for a in listing.main.select("tbody th a")]
    assert links == [
        "/organisations/county-office/",
        "/organisations/lingwu-kjj/",
        "/organisations/east-town/",
    ]


def test_the_list_marks_sample_bodies_as_sample_documents_are_marked(page):
    listing = page("/organisations/")
    marked = [
        row.th.a.get_text()
        for row in listing.main.select("tbody tr")
        if row.select(".badge-sample")
    ]
    assert marked == ["示例县人民政府办公室", "示例县东塔镇人民政府"]


def test_the_english_list_shows_the_english_names(page):
    listing = page("/en/organisations/")
    assert listing.h1.get_text() == "Publishing bodies"
    assert [h2.get_text() for h2 in listing.main.find_all("h2")] == [
        "People's governments",
        "Departments",
        "Townships and subdistricts",
    ]
    assert [a.get_text() for a in listing.main.select("tbody th a")] == [
        "Sample County Government Office",
        "Lingwu Science and Technology Bureau",
        "Dongta Town Government",
    ]
    assert listing.main.select_one("tbody th a")["href"] == "/en/organisations/county-office/"


def test_the_latest_update_of_a_body_is_its_newest_publication_or_creation_date(site):
    catalogue = load_catalogue(site)
    plan = catalogue.get("county-office-plan")
    assert (plan.date, plan.published) == (datetime.date(2024, 4, 10), datetime.date(2024, 4, 12))
    assert updated_on(plan) == datetime.date(2024, 4, 12)
    columns = catalogue.columns
    assert columns["county-office"].latest == datetime.date(2025, 1, 20)
    assert columns["east-town"].latest is None and columns["east-town"].count == 0
    # Undated documents count but never make a date up.
    assert columns["lingwu-kjj"].count == 7
    assert columns["lingwu-kjj"].latest == datetime.date(2024, 3, 15)


# --- A body's disclosure column -------------------------------------------------------------


def test_a_body_page_shows_its_guide_contact_data(page):
    column = page("/organisations/county-office/")
    assert column.h1.get_text() == "示例县人民政府办公室"
    assert fields(column.select_one("[aria-labelledby=guide-heading]")) == {
        "办公地址": "示例县人民路1号",
        "办公时间": "工作日 8:30-12:00，14:30-18:00",
        "联系电话": "0951-1234567",
        "传真号码": "0951-1234568",
        "电子邮箱": "xxgk@county.example.gov.cn",
        "邮政编码": "750400",
    }
    assert "示例机构" in column.select_one(".sample-notice").get_text()


def test_a_contact_field_not_given_says_so_and_is_never_made_up(page):
    column = page("/organisations/east-town/")
    assert fields(column.select_one("[aria-labelledby=guide-heading]")) == {
        "办公地址": "示例县东塔镇政府路8号",
        "办公时间": "（未注明）",
        "联系电话": "0951-7654321",
        "传真号码": "（未注明）",
        "电子邮箱": "（未注明）",
        "邮政编码": "（未注明）",
    }


def test_the_guide_links_the_bodys_documents_in_the_guide_category(page):
    guide = page("/organisations/county-office/").select_one("[aria-labelledby=guide-heading]")
    assert [a["href"] for a in guide.select("ul a")] == ["/documents/county-office-guide/"]
    none = page("/organisations/east-town/").select_one("[aria-labelledby=guide-heading]")
    assert none.select("ul a") == []
    assert "尚未在本平台发布政府信息公开指南全文" in none.get_text()


def test_the_catalogue_of_a_body_has_the_five_standard_columns_newest_first(page):
    column = page("/organisations/county-office/")
    table = column.select_one("[aria-labelledby=catalogue-heading] table")
    assert table.caption.get_text() == "示例县人民政府办公室政府信息公开目录"
    assert [th.get_text() for th in table.thead.find_all("th")] == [
        "索引号",
        "名称",
        "文号",
        "生成日期",
        "责任部门",
    ]
    assert rows(table) == [
        [
            "MB1234567/2025-00001",
            "示例县人民政府办公室2024年政府信息公开工作年度报告（示例） 示例",
            "（未注明）",
            "2025年1月20日",
            "政务公开科",
        ],
        [
            "MB1234567/2024-00002",
            "示例县2024年政务公开工作要点 示例",
            "示政办发〔2024〕6号",
            "2024年4月10日",
            "政务公开科",
        ],
        [
            "MB1234567/2024-00001",
            "示例县人民政府办公室政府信息公开指南 示例",
            "（未注明）",
            "2024年2月1日",
            "政务公开科",
        ],
        [
            "MB1234567/2023-00005",
            "示例县人民政府办公室关于调整办公时间的通知 示例",
            "（未注明）",
            "2023年9月1日",
            "秘书科",
        ],
    ]
    # The title is each row's header, linking the document.
    assert table.tbody.th["scope"] == "row"
    assert table.tbody.th.a["href"] == "/documents/county-office-2024/"
    browse = column.find("a", href="/catalogue/?organisation=county-office")
    assert browse.get_text() == "按分类、责任部门、年份筛选本机构的公开信息"


def test_the_catalogue_of_a_body_is_paged_like_the_catalogue(app, page):
    app.config["PER_PAGE"] = 3
    first = page("/organisations/county-office/")
    assert len(first.select(".catalogue-table tbody tr")) == 3
    nav = first.select_one("nav.pagination")
    assert nav.select_one("a[rel=next]")["href"] == "/organisations/county-office/?page=2"
    second = page("/organisations/county-office/?page=2")
    assert [row.th.a["href"] for row in second.select(".catalogue-table tbody tr")] == [
        "/documents/county-office-office-notice/"
    ]
    assert (
        second.select_one("nav.pagination a[rel=prev]")["href"] == "/organisations/county-office/"
    )
    assert second.select_one("meta[name=robots]")["content"] == "noindex, follow"
    page("/organisations/county-office/?page=3", status=404)
    assert "页码应为正整数" in page("/organisations/county-office/?page=0", status=400).main.text


def test_a_body_with_no_documents_explains_instead_of_an_empty_list(page):
    column = page("/organisations/east-town/")
    catalogue = column.select_one("[aria-labelledby=catalogue-heading]")
    assert catalogue.find("table") is None and catalogue.find("li") is None
    assert catalogue.select_one(".empty-column").get_text() == (
        "本机构尚未在本平台公开政府信息，公开目录暂无内容。需要本机构的政府信息，可以依申请公开（见下文）。"
    )
    reports = column.select_one("[aria-labelledby=reports-heading]")
    assert "尚未在本平台发布政府信息公开工作年度报告" in reports.get_text()
    # The way to apply is still there: a body that publishes nothing still answers requests.
    assert column.find("a", href="/apply/?organisation=east-town")


def test_the_annual_reports_of_a_body_are_listed_by_year_with_their_validation_status(page):
    reports = page("/organisations/lingwu-kjj/").select_one("[aria-labelledby=reports-heading]")
    assert [li.get_text(" ", strip=True) for li in reports.select("ul li")] == [
        "灵武市科学技术局2024年政府信息公开工作年度报告 数据校验：通过",
        "灵武市科学技术局2023年政府信息公开工作年度报告（示例） 示例 数据校验：通过",
        # A report published without tables as data is listed too, with nothing to check.
        "某某局2024年政府信息公开工作年度报告",
    ]
    assert reports.select_one("li a")["href"] == "/documents/lingwu-kjj-2024/"
    compare = reports.find("a", string="历年数据对比")["href"]
    assert unquote(compare) == "/reports/compare/灵武市科学技术局/"
    failing = page("/organisations/county-office/").select_one("[aria-labelledby=reports-heading]")
    assert [li.get_text(" ", strip=True) for li in failing.select("ul li")] == [
        "示例县人民政府办公室2024年政府信息公开工作年度报告（示例） 示例 数据校验：未通过"
    ]
    assert failing.find("a", string="历年数据对比") is None  # one year has nothing to compare


def test_a_body_page_leads_to_applying_to_it_and_to_its_feed(page):
    column = page("/organisations/county-office/")
    apply = column.select_one("[aria-labelledby=apply-heading]")
    assert apply.find("a", string="向本机构在线申请政府信息公开")["href"] == (
        "/apply/?organisation=county-office"
    )
    feed = "/feeds/organisation/county-office.atom"
    assert column.select_one("[aria-labelledby=feed-heading] a")["href"] == feed
    assert (
        column.select_one("link[rel=alternate][type='application/atom+xml'][title]")["href"] == feed
    )


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/nope/",
        "/en/organisations/nope/",
        "/organisations/County-Office/",
        "/organisations/county-office/nope/",
        "/catalogue/?organisation=nope",
        "/catalogue/statutory/?organisation=county-office%20",
    ],
)
def test_an_unknown_body_is_the_sites_404_page(page, url):
    error = page(url, status=404)
    assert error.h1.get_text() in ("找不到该页面", "Page not found")


def test_an_unknown_bodys_feed_is_404(client):
    assert client.get("/feeds/organisation/nope.atom").status_code == 404


def test_the_feed_of_a_body_holds_only_its_dated_documents_newest_first(client):
    response = client.get("/feeds/organisation/county-office.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.find(ATOM + "title").text == "示例县人民政府办公室 - 政府信息公开平台（演示站）"
    assert [e.find(ATOM + "link").get("href") for e in feed.findall(ATOM + "entry")] == [
        f"{BASE}/documents/county-office-2024/",
        f"{BASE}/documents/county-office-plan/",
        f"{BASE}/documents/county-office-guide/",
        f"{BASE}/documents/county-office-office-notice/",
    ]
    alternate = feed.find(ATOM + "link[@rel='alternate']").get("href")
    assert alternate == f"{BASE}/organisations/county-office/"
    english = ET.fromstring(client.get("/en/feeds/organisation/county-office.atom").data)
    assert english.find(ATOM + "title").text.startswith("Sample County Government Office - ")
    empty = ET.fromstring(client.get("/feeds/organisation/east-town.atom").data)
    assert empty.findall(ATOM + "entry") == []


def test_the_english_body_page_is_english_with_the_english_name(page):
    column = page("/en/organisations/county-office/")
    assert column.h1.get_text() == "Sample County Government Office"
    assert column.title.get_text().startswith("Sample County Government Office - ")
    assert [h2.get_text() for h2 in column.main.find_all("h2")][1:] == [
        "Disclosure guide",
        "Disclosure catalogue",
        "Annual disclosure reports",
        "Disclosure on request",
        "Follow updates",
    ]
    assert column.select_one(".catalogue-table caption").get_text() == (
        "Disclosure catalogue of Sample County Government Office"
    )
    crumbs = [a.get_text() for a in column.select(".breadcrumbs a")]
    assert crumbs == ["Home", "Publishing bodies", "Sample County Government Office"]


@pytest.mark.parametrize(
    "url",
    [
        "/en/organisations/",
        "/en/organisations/county-office/",
        "/en/organisations/east-town/",
        "/en/catalogue/?organisation=county-office",
        "/en/documents/county-office-plan/",
    ],
)
def test_english_pages_of_a_platform_show_no_chinese_outside_content_marked_as_chinese(page, url):
    english = page(url)
    leftovers = chinese_outside_chinese(english)
    assert leftovers == [], "".join(leftovers)


# --- Shared machinery: breadcrumbs, canonical address, alternates, QR code, navigation ------


def test_the_pages_of_bodies_have_breadcrumbs_canonical_urls_and_language_alternates(page):
    column = page("/organisations/county-office/")
    crumbs = column.select(".breadcrumbs a")
    assert [(a.get_text(), a["href"]) for a in crumbs] == [
        ("首页", "/"),
        ("发布机构", "/organisations/"),
        ("示例县人民政府办公室", "/organisations/county-office/"),
    ]
    assert crumbs[-1]["aria-current"] == "page"
    assert (
        column.select_one("link[rel=canonical]")["href"] == f"{BASE}/organisations/county-office/"
    )
    alternates = {
        link["hreflang"]: link["href"] for link in column.select("link[rel=alternate][hreflang]")
    }
    assert alternates == {
        "zh-Hans": f"{BASE}/organisations/county-office/",
        "en": f"{BASE}/en/organisations/county-office/",
        "x-default": f"{BASE}/organisations/county-office/",
    }
    listing = page("/en/organisations/")
    assert listing.select_one("link[rel=canonical]")["href"] == f"{BASE}/en/organisations/"


def test_the_pages_of_bodies_show_a_qr_code_of_their_address(page, client):
    for path in (
        "/organisations/",
        "/organisations/county-office/",
        "/en/organisations/east-town/",
    ):
        figure = page(path).select_one("footer figure.page-qr")
        assert figure.select_one(".page-url").get_text() == BASE + path
        src = figure.img["src"]
        assert src.endswith(f"qr.svg?path={path}")
        assert client.get(src).status_code == 200


def test_the_main_navigation_links_the_bodies_and_marks_their_list_as_current(page):
    home = page("/")
    link = home.select(".main-nav a")[-1]
    assert (link.get_text(), link["href"]) == ("发布机构", "/organisations/")
    assert not link.has_attr("aria-current")
    current = page("/organisations/").select(".main-nav a[aria-current]")
    assert [(a.get_text(), a["aria-current"]) for a in current] == [("发布机构", "page")]
    assert page("/en/").select(".main-nav a")[-1]["href"] == "/en/organisations/"


def test_the_sitemap_lists_the_list_and_every_bodys_page_in_both_languages(client):
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    urls = [loc.text for loc in sitemap.iter(SITEMAP + "loc")]
    for path in (
        "/organisations/",
        "/organisations/county-office/",
        "/organisations/lingwu-kjj/",
        "/organisations/east-town/",
    ):
        assert BASE + path in urls
        assert f"{BASE}/en{path}" in urls
    assert len(urls) == len(set(urls))


# --- The body on its documents --------------------------------------------------------------


def test_a_document_names_the_body_that_publishes_it_and_links_its_page(page):
    document = page("/documents/county-office-plan/")
    row = next(
        div for div in document.select(".metadata dl > div") if div.dt.get_text() == "发布机构"
    )
    assert (row.dd.a.get_text(), row.dd.a["href"]) == (
        "示例县人民政府办公室",
        "/organisations/county-office/",
    )
    english = page("/en/documents/county-office-plan/")
    row = next(
        div
        for div in english.select(".metadata dl > div")
        if div.dt.get_text() == "Publishing body"
    )
    assert (row.dd.a.get_text(), row.dd.a["href"]) == (
        "Sample County Government Office",
        "/en/organisations/county-office/",
    )


def test_on_a_platform_a_documents_breadcrumbs_go_through_its_body_and_its_categories(page):
    crumbs = page("/documents/county-office-plan/").select(".breadcrumbs a")
    assert [(a.get_text(), a["href"]) for a in crumbs] == [
        ("首页", "/"),
        ("发布机构", "/organisations/"),
        ("示例县人民政府办公室", "/organisations/county-office/"),
        ("法定主动公开内容", "/catalogue/statutory/?organisation=county-office"),
        ("规划计划", "/catalogue/plans/?organisation=county-office"),
        ("示例县2024年政务公开工作要点", "/documents/county-office-plan/"),
    ]
    for crumb in crumbs[1:-1]:
        page(crumb["href"])  # each a page of its own


# --- The 发布机构 filter of the catalogue -----------------------------------------------------


def facet(listing, heading: str) -> list[str]:
    return [a.get_text(" ", strip=True) for a in listing.select(f"[aria-labelledby={heading}] a")]


def titles(listing) -> list[str]:
    return [a.get_text(strip=True) for a in listing.select(".document-list a")]


def test_the_catalogue_filters_by_body_and_counts_each_body(page):
    listing = page("/catalogue/")
    assert facet(listing, "organisation-heading") == [
        "示例县人民政府办公室 (4)",
        "灵武市科学技术局 (7)",
    ]  # a body with nothing published is no choice: it would give an empty list
    chosen = page("/catalogue/?organisation=county-office")
    assert titles(chosen) == [
        "示例县人民政府办公室2024年政府信息公开工作年度报告（示例）",
        "示例县2024年政务公开工作要点",
        "示例县人民政府办公室政府信息公开指南",
        "示例县人民政府办公室关于调整办公时间的通知",
    ]
    assert facet(chosen, "organisation-heading")[0] == "示例县人民政府办公室 (4) （已选，点击取消）"
    assert (
        chosen.select_one("[aria-labelledby=organisation-heading] a[aria-current]")["href"]
        == "/catalogue/"
    )
    assert chosen.find("a", href="/organisations/county-office/").get_text() == (
        "示例县人民政府办公室的信息公开栏目"
    )
    assert chosen.select_one("link[type='application/atom+xml'][title]")["href"] == (
        "/feeds/organisation/county-office.atom"
    )


def test_the_body_filter_combines_with_the_others_and_counts_respect_them(page):
    listing = page("/catalogue/statutory/?year=2024&organisation=county-office")
    assert titles(listing) == ["示例县2024年政务公开工作要点"]
    # Each facet counts what its choices would give with every other filter kept.
    assert facet(listing, "organisation-heading") == [
        "示例县人民政府办公室 (1) （已选，点击取消）",
        "灵武市科学技术局 (1)",
    ]
    assert facet(listing, "year-heading") == ["2024 (1) （已选，点击取消）", "2023 (1)"]
    assert facet(listing, "department-heading") == ["政务公开科 (1)"]
    # Every other filter's links keep the body chosen.
    departments = listing.select("[aria-labelledby=department-heading] a")
    assert departments[0]["href"].startswith("/catalogue/statutory/?organisation=county-office&")
    by_year = page("/catalogue/?year=2024")
    assert facet(by_year, "organisation-heading") == [
        "示例县人民政府办公室 (2)",
        "灵武市科学技术局 (3)",
    ]


def test_the_english_catalogue_names_the_bodies_in_english(page):
    listing = page("/en/catalogue/")
    assert facet(listing, "organisation-heading") == [
        "Sample County Government Office (4)",
        "Lingwu Science and Technology Bureau (7)",
    ]
    assert listing.select_one("#organisation-heading").get_text() == "By publishing body"
