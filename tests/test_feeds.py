"""Feeds and discovery: Atom feeds, sitemap, robots.txt, canonical and language alternates."""

import xml.etree.ElementTree as ET

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def atom(client, url):
    """Fetch a feed and check the elements RFC 4287 requires."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    for required in ("id", "title", "updated", "author"):
        assert feed.find(ATOM + required) is not None, required
    for entry in feed.findall(ATOM + "entry"):
        for required in ("id", "title", "updated", "link"):
            assert entry.find(ATOM + required) is not None, required
    return feed


def test_the_catalogue_feed_lists_dated_documents_newest_first(client):
    feed = atom(client, "/feeds/all.atom")
    updated = [e.find(ATOM + "updated").text for e in feed.findall(ATOM + "entry")]
    assert updated == sorted(updated, reverse=True)
    assert updated[0] == "2024-03-15T00:00:00+08:00"
    assert feed.find(ATOM + "updated").text == updated[0]
    titles = [e.find(ATOM + "title").text for e in feed.findall(ATOM + "entry")]
    assert titles[0] == "[示例] 关于印发《示例县科技特派员管理办法》的通知"
    link = feed.find(ATOM + "entry").find(ATOM + "link").get("href")
    assert link == "https://portal.example.gov.cn/documents/2024-tech-commissioner-measures/"


def test_category_and_department_feeds_hold_only_their_documents(client):
    category = atom(client, "/feeds/category/statutory.atom")
    assert len(category.findall(ATOM + "entry")) == 3
    department = atom(client, "/feeds/department/办公室.atom")
    assert {
        e.find(ATOM + "author").find(ATOM + "name").text for e in department.findall(ATOM + "entry")
    } == {"办公室"}


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/category/nope.atom",
        "/feeds/department/无此部门.atom",
        "/feeds/organisation/nope.atom",
    ],
)
def test_feeds_of_unknown_categories_departments_or_bodies_are_404(client, url):
    assert client.get(url).status_code == 404


def test_the_feed_of_the_one_body_of_a_site_without_organisation_files_is_the_whole_site(client):
    body = atom(client, "/feeds/organisation/lingwu-kjj.atom")
    everything = atom(client, "/feeds/all.atom")
    assert [e.find(ATOM + "id").text for e in body.findall(ATOM + "entry")] == [
        e.find(ATOM + "id").text for e in everything.findall(ATOM + "entry")
    ]
    assert (
        body.find(ATOM + "title").text == "政府信息公开平台（演示站） - 政府信息公开平台（演示站）"
    )


def test_every_page_links_the_feed_its_canonical_url_and_language_alternates(page):
    document = page("/documents/2022-procurement-notice/")
    assert document.select_one("link[rel=canonical]")["href"] == (
        "https://portal.example.gov.cn/documents/2022-procurement-notice/"
    )
    alternates = {
        link["hreflang"]: link["href"] for link in document.select("link[rel=alternate][hreflang]")
    }
    assert alternates == {
        "zh-Hans": "https://portal.example.gov.cn/documents/2022-procurement-notice/",
        "en": "https://portal.example.gov.cn/en/documents/2022-procurement-notice/",
        "x-default": "https://portal.example.gov.cn/documents/2022-procurement-notice/",
    }
    assert document.select_one("link[type='application/atom+xml']")["href"] == "/feeds/all.atom"


def test_sitemap_lists_every_document_in_both_languages(client):
    response = client.get("/sitemap.xml")
    urls = [loc.text for loc in ET.fromstring(response.data).iter(SITEMAP + "loc")]
    assert "https://portal.example.gov.cn/documents/lingwu-kjj-2024/" in urls
    assert "https://portal.example.gov.cn/en/documents/lingwu-kjj-2024/" in urls
    assert "https://portal.example.gov.cn/catalogue/normative-documents/" in urls
    assert "https://portal.example.gov.cn/organisations/" in urls
    assert "https://portal.example.gov.cn/en/organisations/lingwu-kjj/" in urls
    assert len(urls) == len(set(urls))


def test_sitemap_addresses_come_from_configuration_not_the_host_header(client):
    response = client.get("/sitemap.xml", headers={"Host": "127.0.0.1:8000"})
    assert b"127.0.0.1" not in response.data
    assert b"https://portal.example.gov.cn/" in response.data


def test_robots_txt_points_at_the_sitemap_and_lets_crawlers_read_the_noindex_of_search(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: https://portal.example.gov.cn/sitemap.xml" in text
    assert "Disallow: /api/" in text
    assert "/search" not in text


def test_sharing_needs_no_third_party_script(page):
    share = page("/documents/2022-procurement-notice/").select_one(".share")
    weibo = share.find("a", string="分享到微博")
    assert weibo["href"].startswith("https://service.weibo.com/share/share.php?url=https%3A")
    assert share.select_one("[data-copy]")["data-copy"].endswith(
        "/documents/2022-procurement-notice/"
    )
    assert share.select_one("[data-copy]").has_attr("hidden")  # shown only when JS can copy
