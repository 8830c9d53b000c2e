"""Site identity on every page, as the national website rules ask (政府网站发展指引,
国办发〔2017〕47号, and its 网页设计规范): the footer names who runs the site and its filing
numbers, and every page carries the page labels (网页标签) an inspector's crawler reads. Crawled
from the sitemap, so a page kind added later is covered too."""

import re

import pytest
from conftest import audit_page, chinese_outside_chinese

from portal import create_app
from portal.settings import DEFAULTS, SettingError

BASE_URL = "https://portal.example.gov.cn"
IDENTITY = {
    "SITE_SPONSOR": "示例县人民政府办公室",
    "SITE_OPERATOR": "示例县大数据中心",
    "SITE_CONTACT": "0000-1234567（示例）",
    "SITE_ID_CODE": "0000000000",
    "ICP_RECORD": "示ICP备00000000号-1",
    "PUBLIC_SECURITY_RECORD": "示公网安备 00000000000000号",
    "GOVERNMENT_SITE_MARK_URL": "https://bszs.conac.cn/sitename?method=show&id=0",
    "ERROR_REPORT_URL": "https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfo?siteCode=0000000000",
}
IDENTITY_SETTINGS = tuple(IDENTITY)


def make_app(site, tmp_path, **settings):
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "BASE_URL": BASE_URL,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            **settings,
        }
    )


@pytest.fixture
def identified(site, tmp_path):
    """A client of the fixture site with every identity setting given."""
    return make_app(site, tmp_path, **IDENTITY).test_client()


def sitemap_paths(client) -> list[str]:
    """Every page the sitemap lists (both languages), as paths."""
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert locations
    return [location.removeprefix(BASE_URL) for location in locations]


def labels(soup) -> dict[str, str]:
    """The page's <meta name content> pairs, by name."""
    return {tag["name"]: tag["content"] for tag in soup.find_all("meta", attrs={"name": True})}


def footer_fields(soup) -> dict[str, str]:
    """The footer's identity list: label -> the value a visitor reads."""
    return {
        div.dt.get_text(strip=True): div.dd.get_text(strip=True)
        for div in soup.select("footer .site-identity dl > div")
    }


def test_every_page_of_the_sitemap_names_who_runs_the_site_in_its_footer(identified):
    for path in sitemap_paths(identified):
        response = identified.get(path)
        assert response.status_code == 200, path
        english = path.startswith("/en/")
        soup = audit_page(response.get_data(as_text=True), "en" if english else "zh-Hans")
        fields = footer_fields(soup)
        if english:
            assert fields["Run by"] == "示例县人民政府办公室", path
            assert fields["ICP filing number"] == "示ICP备00000000号-1", path
        else:
            assert fields == {
                "主办单位": "示例县人民政府办公室",
                "承办单位": "示例县大数据中心",
                "联系方式": "0000-1234567（示例）",
                "网站标识码": "0000000000",
                "ICP备案号": "示ICP备00000000号-1",
                "公安机关备案号": "示公网安备 00000000000000号",
            }, path
        icp = soup.select_one("footer .site-identity a[href='https://beian.miit.gov.cn/']")
        assert icp is not None and icp.get_text() == "示ICP备00000000号-1", path
        links = {a["href"] for a in soup.select("footer .site-identity ul a")}
        assert links == {IDENTITY["GOVERNMENT_SITE_MARK_URL"], IDENTITY["ERROR_REPORT_URL"]}, path
        if english:  # last: it takes the Chinese content out of the page
            assert not chinese_outside_chinese(soup), path


def test_every_page_of_the_sitemap_carries_the_site_labels(identified):
    paths = sitemap_paths(identified)
    for path in paths:
        found = labels(audit_page(identified.get(path).get_data(as_text=True), locale_of(path)))
        assert found["SiteDomain"] == "portal.example.gov.cn", path
        assert found["SiteIDCode"] == "0000000000", path
        assert found["SiteName"] == (
            "Government Information Disclosure Platform (demo site)"
            if path.startswith("/en/")
            else "政府信息公开平台（演示站）"
        ), path
        assert found["Description"], path
    # Every page kind of the sitemap was crawled: home, the catalogue and its columns, the
    # bodies, documents, report pages.
    assert {"/", "/catalogue/", "/organisations/", "/reports/"} <= set(paths)
    assert any(path.startswith("/documents/") for path in paths)


def locale_of(path: str) -> str:
    return "en" if path.startswith("/en/") else "zh-Hans"


def test_a_document_page_is_labelled_from_the_document_and_its_column(identified):
    page = audit_page(
        identified.get("/documents/2024-tech-commissioner-measures/").get_data(as_text=True)
    )
    found = labels(page)
    assert {key: found[key] for key in found if key[0].isupper()} == {
        "SiteName": "政府信息公开平台（演示站）",
        "SiteDomain": "portal.example.gov.cn",
        "SiteIDCode": "0000000000",
        "ColumnName": "行政规范性文件",
        "ColumnType": "法定主动公开内容",
        "ArticleTitle": "关于印发《示例县科技特派员管理办法》的通知",
        "PubDate": "2024-03-15",
        # A site of one body: the body is the site, named by SITE_NAME.
        "ContentSource": "政府信息公开平台（演示站）",
        "Keywords": "科技特派员,管理办法",
        "Description": page.find("meta", attrs={"name": "Description"})["content"],
        "Url": f"{BASE_URL}/documents/2024-tech-commissioner-measures/",
    }


def test_every_column_page_of_the_sitemap_names_its_column(identified):
    for path in sitemap_paths(identified):
        if path.startswith(("/catalogue/", "/en/catalogue/", "/documents/", "/reports/")):
            html = identified.get(path).get_data(as_text=True)
            found = labels(audit_page(html, locale_of(path)))
            assert found.get("ColumnName") and found.get("ColumnType"), path
    browse = labels(audit_page(identified.get("/catalogue/policy-documents/").get_data(True)))
    assert (browse["ColumnName"], browse["ColumnType"]) == ("政策文件", "法定主动公开内容")


def test_identity_left_unset_shows_nothing_made_up(client, page):
    home = page("/")
    assert home.select_one("footer .site-identity") is None
    found = labels(home)
    assert "SiteIDCode" not in found
    assert (found["SiteName"], found["SiteDomain"]) == (
        "政府信息公开平台（演示站）",
        "portal.example.gov.cn",
    )
    assert "beian.miit.gov.cn" not in str(home)


def test_the_shipped_settings_give_no_identifier_of_a_real_site():
    assert {name: DEFAULTS[name] for name in IDENTITY_SETTINGS} == dict.fromkeys(
        IDENTITY_SETTINGS, ""
    )


def test_only_the_settings_given_are_shown_and_a_sponsor_is_not_repeated_as_operator(
    site, tmp_path
):
    client = make_app(
        site, tmp_path, SITE_SPONSOR="示例县人民政府办公室", SITE_OPERATOR="示例县人民政府办公室"
    ).test_client()
    soup = audit_page(client.get("/").get_data(as_text=True))
    assert footer_fields(soup) == {"主办单位": "示例县人民政府办公室"}
    assert soup.select("footer .site-identity ul") == []


@pytest.mark.parametrize(
    "name,value",
    [
        ("SITE_ID_CODE", "12345"),
        ("ICP_RECORD", "ICP 12345678"),
        ("PUBLIC_SECURITY_RECORD", "公安备案 1号"),
        ("ERROR_REPORT_URL", "javascript:alert(1)"),
        ("GOVERNMENT_SITE_MARK_URL", 'https://example.gov.cn/" onclick="x'),
        ("SITE_SPONSOR", "示例\n办公室"),
    ],
)
def test_a_malformed_identity_setting_stops_the_site_naming_the_setting(
    site, tmp_path, name, value
):
    with pytest.raises(SettingError, match=name):
        make_app(site, tmp_path, **{name: value})
