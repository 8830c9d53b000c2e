"""Search on a county platform: the 发布机构 (organisation) filter and facet, on the page and in
the API, over a real index of the fixture site with two organisation files and a township's
documents added (tests/site itself stays a single-body site)."""

from pathlib import Path

import pytest
from county import BUREAU, TOWN, TOWN_DOCUMENTS, add_township

from portal import create_app
from portal.search import index_content


@pytest.fixture
def app(site, tmp_path):
    """The app on a copy of the fixture site with a township publishing beside the bureau,
    its search index built."""
    add_township(site)
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "BASE_URL": "https://portal.example.gov.cn",
        }
    )
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    yield app
    searcher = app.extensions.get("portal.searcher")
    if searcher is not None:
        searcher.close()


def titles(results_page) -> list[str]:
    return [a.get_text(strip=True) for a in results_page.select(".search-results h3 a")]


def facet(results_page, key: str) -> dict[str, str]:
    """{value: "label (count)"} of one facet's checkboxes."""
    return {
        box["value"]: box.find_next_sibling("label").get_text(" ", strip=True)
        for box in results_page.select(f"input[name={key}]")
    }


def api(client, **query) -> dict:
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 200, response.status_code
    return response.get_json()


def robots(results_page) -> str | None:
    meta = results_page.select_one("meta[name=robots]")
    return meta["content"] if meta else None


def test_the_site_holds_both_bodies(app):
    catalogue = app.extensions["portal.catalogue"].current()
    assert not catalogue.problems
    assert len(catalogue.of_organisation(TOWN)) == len(TOWN_DOCUMENTS)


def test_the_results_show_a_publishing_body_facet_with_counts(page):
    found = page("/search?q=科技")
    assert found.select_one("input[name=organisation]").find_parent("fieldset").legend.get_text(
        strip=True
    ) == ("发布机构")
    assert facet(found, "organisation") == {
        BUREAU: "灵武市科学技术局 (4)",
        TOWN: "示例镇人民政府 (3)",
    }


def test_filtering_by_a_body_lists_only_its_documents_each_naming_it(page):
    found = page(f"/search?q=科技&organisation={TOWN}")
    assert sorted(titles(found)) == sorted(title for title, _, _ in TOWN_DOCUMENTS.values())
    assert found.select_one(f"input[name=organisation][value={TOWN}]").has_attr("checked")
    names = [hit.get_text(strip=True) for hit in found.select(".document-meta .organisation")]
    assert names == ["示例镇人民政府"] * len(TOWN_DOCUMENTS)
    # The body's own filter is ignored in its counts: the other body stays to widen to.
    assert facet(found, "organisation")[BUREAU] == "灵武市科学技术局 (4)"
    # Every other facet counts only the chosen body's documents.
    assert facet(found, "department") == {"党政办公室": "党政办公室 (3)"}


def test_the_body_filter_combines_with_the_others_and_its_counts_respect_them(page):
    found = page(f"/search?q=科技&year=2024&organisation={TOWN}")
    assert sorted(titles(found)) == [
        "关于开展科技特派员进村服务的通知",
        "示例镇2024年科技集市活动安排",
    ]
    assert facet(found, "organisation") == {
        BUREAU: "灵武市科学技术局 (1)",
        TOWN: "示例镇人民政府 (2)",
    }
    assert facet(found, "year") == {"2024": "2024 (2)", "2023": "2023 (1)"}
    nothing = page(f"/search?q=科技&organisation={TOWN}&department=科技项目管理股")
    assert titles(nothing) == []
    both = page(f"/search?q=科技&organisation={TOWN}&organisation={BUREAU}&year=2023")
    assert sorted(titles(both)) == ["2023年科普工作要点", "示例镇2023年科技工作总结"]


def test_english_pages_name_the_bodies_in_english(page):
    found = page(f"/en/search?q=科技&organisation={TOWN}")
    assert facet(found, "organisation") == {
        BUREAU: "Lingwu Science and Technology Bureau (4)",
        TOWN: "Example Township Government (3)",
    }
    assert {hit.get_text() for hit in found.select(".document-meta .organisation")} == {
        "Example Township Government"
    }
    legend = found.select_one("input[name=organisation]").find_parent("fieldset").legend
    assert legend.get_text(strip=True) == "Publishing body"


def test_the_api_filters_by_body_and_counts_it(client):
    data = api(client, q="科技", organisation=TOWN)
    assert data["total"] == len(TOWN_DOCUMENTS)
    assert {hit["organisation"] for hit in data["hits"]} == {TOWN}
    counts = {f["value"]: f["count"] for f in data["facets"]["organisation"]}
    assert counts == {BUREAU: 4, TOWN: 3}
    everything = api(client, q="科技")
    assert everything["total"] == 7
    assert {hit["organisation"] for hit in everything["hits"]} == {BUREAU, TOWN}


def test_an_unknown_body_finds_nothing_as_an_unknown_department_does(client, page):
    for key in ("organisation", "department"):
        found = page(f"/search?q=科技&{key}=nowhere")
        assert found.select_one("#results").get_text(strip=True) == "找到 0 条结果"
        assert facet(found, key)["nowhere"] == "nowhere (0)"
        assert found.select_one(f"input[name={key}][value=nowhere]").has_attr("checked")
        assert "去掉筛选条件“nowhere”" in found.select_one(".no-results").get_text()
        data = api(client, q="科技", **{key: "nowhere"})
        assert (data["total"], data["hits"]) == (0, [])


def test_too_many_bodies_get_a_400(page):
    page("/search", status=400, query_string={"q": "科技", "organisation": ["x"] * 21})


def test_a_search_filtered_by_body_is_never_indexed(page):
    assert robots(page("/search?q=乡村科技服务")) is None  # a keyword of the township's documents
    assert robots(page(f"/search?q=乡村科技服务&organisation={TOWN}")) == "noindex, follow"
    assert robots(page(f"/search?organisation={TOWN}")) == "noindex, follow"


def test_a_withdrawn_document_leaves_the_body_facet_and_filter(app, site, client, page):
    before = api(client, q="科技", organisation=TOWN)
    (site / "town" / "2024-town-science-fair.md").unlink()
    app.extensions["portal.catalogue"].refresh()
    # Until the index is updated, search masks what the catalogue no longer publishes.
    after = api(client, q="科技", organisation=TOWN)
    assert after["total"] == before["total"] - 1
    assert "2024-town-science-fair" not in [hit["slug"] for hit in after["hits"]]
    counts = {f["value"]: f["count"] for f in after["facets"]["organisation"]}
    assert counts == {BUREAU: 4, TOWN: 2}
    found = page(f"/search?q=科技&organisation={TOWN}")
    assert "示例镇2024年科技集市活动安排" not in titles(found)
    assert facet(found, "organisation")[TOWN] == "示例镇人民政府 (2)"
    app.extensions["portal.index_keeper"].wait(60)
    assert api(client, q="科技", organisation=TOWN)["total"] == 2
