"""The search page guides (issue 23): a correction offered as a link, what else was searched
for said in the summary, scopes and a date window read from the address, and a page with no
results that says what to try. Over a real index of the fixture site."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.search import index_content

COMMISSIONERS = "关于印发《示例县科技特派员管理办法》的通知"
DATED_2024 = {
    COMMISSIONERS,
    "政府信息公开指南",
    "灵武市科学技术局2023年政府信息公开工作年度报告（示例）",
}


@pytest.fixture
def indexed(app, site):
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    return app


def titles(found) -> list[str]:
    return [a.get_text(strip=True) for a in found.select(".search-results h3 a")]


def query_of(href: str) -> dict:
    return parse_qs(urlsplit(href).query)


def test_a_correction_is_a_link_and_the_typed_query_stays(indexed, page):
    found = page("/search?q=科技特派圆")
    link = found.select_one(".correction a")
    assert link.get_text() == "科技特派员"
    assert query_of(link["href"])["q"] == ["科技特派员"]
    # Never searched instead: the box, the heading and the results are the typed query's.
    assert found.select_one("#search-q")["value"] == "科技特派圆"
    assert found.h1.get_text() == "搜索结果：科技特派圆"


def test_the_correction_keeps_the_filters_and_scope(indexed, page):
    found = page("/search?q=科技特派圆&scope=title&year=2024")
    assert query_of(found.select_one(".correction a")["href"]) == {
        "q": ["科技特派员"],
        "year": ["2024"],
        "scope": ["title"],
    }


def test_pinyin_and_initials_find_the_word_and_say_so(indexed, page):
    for typed in ("kejitepaiyuan", "kjtpy"):
        found = page(f"/search?q={typed}")
        assert titles(found)[0] == COMMISSIONERS
        assert found.select_one(".expansion").get_text() == f"按拼音“{typed}”查找了：科技特派员"


def test_the_matched_synonym_is_shown_in_the_summary(indexed, page):
    found = page("/search?q=科技局年报")
    said = [p.get_text() for p in found.select(".expansion")]
    assert "同时查找了“科技局”的同义词：科学技术局" in said
    assert "同时查找了“年报”的同义词：年度报告" in said
    assert "灵武市科学技术局2023年政府信息公开工作年度报告（示例）" in titles(found)


def test_the_title_scope_and_the_form_keep_the_choice(indexed, page):
    everywhere = titles(page("/search?q=科技特派员"))
    found = page("/search?q=科技特派员&scope=title")
    assert titles(found) == [COMMISSIONERS]
    assert len(everywhere) > 1
    assert found.select_one("#scope-title").has_attr("checked")


def test_a_doc_number_in_part_in_the_reference_scope(indexed, page):
    found = page("/search?q=2024+3号&scope=refs")
    assert titles(found) == [COMMISSIONERS]


def test_a_date_window_lists_the_documents_dated_within_it(indexed, page):
    found = page("/search?from=2024-01-01&to=2024-12-31")
    assert set(titles(found)) == DATED_2024
    assert found.select_one("#search-from")["value"] == "2024-01-01"
    assert found.select_one("#search-to")["value"] == "2024-12-31"
    # The way people write dates on paper, and full-width digits, mean the same day.
    assert set(titles(page("/search?from=２０２４年1月1日"))) == DATED_2024


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("/search?q=x&from=2024-02-30", "日期应写成“2024-01-31”的形式"),
        ("/search?q=x&to=yesterday", "日期应写成“2024-01-31”的形式"),
        ("/search?q=x&from=2024-05-01&to=2024-01-01", "开始日期不能晚于结束日期"),
        ("/search?q=x&scope=body", "搜索范围只能是"),
        ("/api/search?q=x&scope=body", "搜索范围只能是"),
    ],
)
def test_a_bad_scope_or_date_is_a_clear_400(indexed, client, address, message):
    response = client.get(address)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    said = json.loads(text)["error"] if address.startswith("/api/") else text
    assert message in said


def test_a_page_with_no_results_suggests_what_to_try(indexed, page):
    found = page("/search?q=科技特派员&scope=refs&from=2020-01-01&to=2020-12-31")
    assert titles(found) == []
    links = {a.get_text(): a["href"] for a in found.select(".no-results a")}
    assert query_of(links["在全文中搜索"]) == {
        "q": ["科技特派员"],
        "from": ["2020-01-01"],
        "to": ["2020-12-31"],
    }
    assert query_of(links["去掉发布日期的限制"]) == {"q": ["科技特派员"], "scope": ["refs"]}


def test_the_api_says_the_correction_and_expansions(indexed, client):
    data = json.loads(client.get("/api/search?q=kjtpy").get_data(as_text=True))
    assert data["expansions"] == [{"typed": "kjtpy", "found": "科技特派员", "kind": "pinyin"}]
    assert data["scope"] == "all"
    data = json.loads(client.get("/api/search?q=科技特派圆").get_data(as_text=True))
    assert data["correction"] == "科技特派员"


def suggestions(client, typed: str) -> list[dict]:
    response = client.get("/api/search/suggest", query_string={"q": typed})
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))["suggestions"]


def test_suggestions_complete_keywords_titles_and_doc_numbers(indexed, client):
    found = suggestions(client, "科技特")
    assert found[0] == {"text": "科技特派员", "kind": "keyword"}
    assert {"text": COMMISSIONERS, "kind": "title"} in found
    assert {"text": "示科发〔2024〕3号", "kind": "reference"} in suggestions(client, "2024 3号")
    assert {"text": COMMISSIONERS, "kind": "title"} in suggestions(client, "kjtpy")
    assert suggestions(client, "") == []
    assert suggestions(client, "没有这样的词语") == []


def test_suggestions_never_name_a_withdrawn_document(indexed, client, site):
    assert suggestions(client, "科技特")
    (site / "policy" / "2024-tech-commissioner-measures.md").unlink()
    indexed.extensions["portal.catalogue"].refresh()  # the site's next look at the files
    assert suggestions(client, "科技特") == []


def test_a_too_long_suggestion_request_is_a_clear_400(indexed, client):
    response = client.get("/api/search/suggest", query_string={"q": "长" * 201})
    assert response.status_code == 400
    assert "搜索词过长" in json.loads(response.get_data(as_text=True))["error"]


def test_the_search_boxes_name_their_suggestions_for_the_script(indexed, page):
    for address, box in (("/search?q=x", "#search-q"), ("/", "#home-q")):
        found = page(address)
        assert found.select_one(box)["data-suggest"] == "/api/search/suggest"
        hint = found.select_one(f"{box}-suggest-hint")
        assert hint.has_attr("hidden")  # said only once the script makes the list
        assert found.select_one("script[src*='search-suggest']")
