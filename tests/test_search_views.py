"""The search page and API over a real on-disk index of the fixture site."""

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from portal.search import index_content


@pytest.fixture
def indexed(app, site):
    """The fixture site with its search index built."""
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    return app


def titles(results_page) -> list[str]:
    return [a.get_text(strip=True) for a in results_page.select(".search-results h3 a")]


def test_search_page_without_a_query_shows_the_form(indexed, page):
    empty = page("/search")
    assert empty.h1.get_text() == "搜索公开信息"
    assert empty.select_one("form#search-form")["action"] == "/search#results"


def test_chinese_sub_words_find_documents(indexed, page):
    found = page("/search?q=信息公开")
    assert "灵武市科学技术局2024年政府信息公开工作年度报告" in titles(found)


def test_result_count_is_in_the_heading_inside_one_status_region(indexed, page):
    found = page("/search?q=科技特派员")
    status = found.select("main [role=status]")
    assert len(status) == 1
    assert status[0].h2["id"] == "results"
    assert status[0].get_text(strip=True) == "找到 2 条结果"


def test_matched_words_are_marked_in_titles_and_snippets(indexed, page):
    found = page("/search?q=科技特派员")
    assert found.select_one(".search-results h3 mark").get_text() == "科技特派员"
    assert found.select_one(".snippet mark")


def test_exact_document_number_puts_that_document_first(indexed, page):
    found = page("/search?q=示科发〔2024〕3号")
    assert titles(found)[0] == "关于印发《示例县科技特派员管理办法》的通知"


def test_facets_show_counts_and_filter_the_results(indexed, page):
    found = page("/search?q=科技")
    years = {label.get_text(" ", strip=True) for label in found.select("input[name=year] + label")}
    assert "2024 (1)" in years
    filtered = page("/search?q=科技&year=2024")
    assert titles(filtered) == ["关于印发《示例县科技特派员管理办法》的通知"]
    assert filtered.select_one("input[name=year][value='2024']").has_attr("checked")


def test_category_facet_matches_sub_categories(indexed, page):
    filtered = page("/search?q=科技&category=statutory")
    assert set(titles(filtered)) == {
        "关于印发《示例县科技特派员管理办法》的通知",
        "2023年科普工作要点",
        "科技馆展品采购项目成交公告",
    }


def test_sort_by_date_lists_newest_first(indexed, page):
    dates = [t["datetime"] for t in page("/search?q=科技&sort=date").select(".search-results time")]
    assert dates == sorted(dates, reverse=True)


def test_no_results_page_offers_ways_on(indexed, page):
    nothing = page("/search?q=火星探测&department=办公室")
    assert nothing.select_one("#results").get_text(strip=True) == "找到 0 条结果"
    suggestions = nothing.select_one(".no-results").get_text()
    assert "去掉筛选条件“办公室”" in suggestions and "按分类浏览公开目录" in suggestions


def test_a_script_in_the_query_shows_as_text(indexed, client):
    body = client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize(
    "query", ['"unbalanced', "\x00", "😀", "！！！", "*", "title:x", "a OR b", "科技~2", "/regex/"]
)
def test_hostile_queries_never_break_the_page(indexed, page, query):
    page("/search", query_string={"q": query})


def test_an_overlong_query_gets_a_400_page_that_says_so(indexed, page):
    error = page("/search", status=400, query_string={"q": "科" * 201})
    assert "搜索词过长" in error.main.get_text()


def test_too_many_facet_values_get_a_400(indexed, page):
    page("/search", status=400, query_string={"q": "科技", "year": [str(y) for y in range(30)]})


def test_unknown_sort_order_gets_a_400(indexed, page):
    page("/search?q=科技&sort=random", status=400)


def test_missing_index_gives_503_while_other_pages_work(app, page):
    unavailable = page("/search?q=科技", status=503)
    assert "搜索服务暂时不可用" in unavailable.main.get_text()
    page("/")


def test_json_api_returns_the_same_results(indexed, client, page):
    data = json.loads(client.get("/api/search?q=科技特派员").data)
    assert data["total"] == 2
    assert all(hit["url"].startswith("/documents/") for hit in data["hits"])
    assert {facet["value"] for facet in data["facets"]["year"]} == {"2024"}
    html_titles = titles(page("/search?q=科技特派员"))
    assert len(html_titles) == len(data["hits"])


def test_json_api_errors_are_json_with_a_message(indexed, client):
    response = client.get("/api/search", query_string={"q": "科" * 201})
    assert response.status_code == 400
    assert "搜索词过长" in response.get_json()["error"]


def test_opensearch_description_lets_browsers_add_the_search(indexed, client, page):
    link = page("/").select_one("link[rel=search]")
    assert link["type"] == "application/opensearchdescription+xml"
    xml = client.get(link["href"]).get_data(as_text=True)
    assert "https://portal.example.gov.cn/search?q={searchTerms}" in xml


def test_control_characters_in_filters_are_not_echoed(indexed, page):
    page("/search", query_string={"q": "科技", "department": "办公\x00室\x07"})


def test_an_index_of_an_older_format_is_rebuilt_by_the_next_index_run(app, site):
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    index_content(site, index_dir)
    meta = next(index_dir.glob("gen-*/portal-index.json"))
    meta.write_text(meta.read_text().replace('"format": ', '"format": 1000'), encoding="utf-8")
    assert index_content(site, index_dir).startswith("built the search index")


def test_when_no_document_has_every_word_the_page_says_it_shows_partial_matches(indexed, page):
    found = page("/search?q=科技特派员 火星基地")
    assert "没有同时包含全部搜索词的结果" in found.select_one(".search-results").get_text()
    assert titles(found)


def robots(results_page) -> str | None:
    meta = results_page.select_one("meta[name=robots]")
    return meta["content"] if meta else None


def test_a_search_for_a_documents_keyword_may_be_indexed_at_one_address(indexed, page):
    plain = "https://portal.example.gov.cn/search?q=%E7%A7%91%E6%8A%80%E7%89%B9%E6%B4%BE%E5%91%98"
    for address in ("/search?q=科技特派员", "/search?q=++科技特派员++&sort=relevance"):
        found = page(address)
        assert robots(found) is None, address
        assert found.select_one("link[rel=canonical]")["href"] == plain
        assert found.select_one("link[hreflang=en]")["href"] == plain.replace(".cn/", ".cn/en/")
    english = page("/en/search?q=科技特派员")
    assert robots(english) is None
    assert english.select_one("link[rel=canonical]")["href"] == plain.replace(".cn/", ".cn/en/")
    empty = page("/search?sort=date&page=7")
    assert robots(empty) is None
    assert empty.select_one("link[rel=canonical]")["href"] == "https://portal.example.gov.cn/search"
    assert (
        empty.select_one("link[hreflang=en]")["href"] == "https://portal.example.gov.cn/en/search"
    )


def test_a_documents_keywords_link_to_indexable_searches_that_list_it(indexed, page):
    document = page("/documents/2024-tech-commissioner-measures/")
    links = document.select(".metadata a[href^='/search']")
    assert [link.get_text() for link in links] == ["科技特派员", "管理办法"]
    # Like a submitted search, a keyword lands on the results heading, not the page top.
    assert all(link["href"].endswith("#results") for link in links)
    for link in links:
        found = page(link["href"])
        assert robots(found) is None, link["href"]
        assert "关于印发《示例县科技特派员管理办法》的通知" in titles(found)
    english = page("/en/documents/2024-tech-commissioner-measures/")
    assert english.select_one(".metadata a[href^='/en/search?q=']").get_text() == "科技特派员"


@pytest.mark.parametrize(
    "query",
    [
        "科技特派员 火星基地",  # partial matches only
        "火星基地",  # no results
        "关于印发《示例县科技特派员管理办法》的通知",  # a title: the document's own page is indexed
        "科技项目管理股",
        "政府信息公开年报",  # a department or category: it has a browse page
        # Published words, but not a keyword as given: cut short, reordered, spaced, joined,
        # quoted, or with stop words, marks or look-alike spaces added.
        "科技特派",
        "特派员科技",
        "科技 特派员",
        "科技特派员 管理办法",
        '"科技特派员"',
        "科技的特派员",
        "是否科技特派员",
        "科技特派员\u0301",
        "科技特派员\U000e0148",
        "科技\u1680特派员",
        "科技特派员！",
    ],
)
def test_search_pages_for_any_other_text_are_not_indexed(indexed, page, query):
    found = page("/search?" + urlencode({"q": query}))
    assert robots(found) == "noindex, follow"
    assert found.select_one("link[rel=canonical]")["href"].startswith(
        "https://portal.example.gov.cn/search?q="
    )


@pytest.mark.parametrize(
    "address",
    [
        "/search?q=科技特派员&year=2024",  # filtered or re-sorted: the plain page lists these
        "/search?q=科技特派员&sort=date",
        "/search?year=2024",
    ],
)
def test_filtered_and_sorted_search_pages_are_not_indexed(indexed, page, address):
    assert robots(page(address)) == "noindex, follow"


def test_a_single_body_site_names_no_publishing_body(indexed, page):
    found = page("/search?q=科技")
    assert titles(found)
    assert not found.select("input[name=organisation], .document-meta .organisation")
    # A body asked for by address is shown with the facet, so it can be taken off.
    chosen = page("/search?q=科技&organisation=nowhere")
    boxes = {box["value"]: box.has_attr("checked") for box in chosen.select("[name=organisation]")}
    assert boxes == {"lingwu-kjj": False, "nowhere": True}
    assert titles(chosen) == []
