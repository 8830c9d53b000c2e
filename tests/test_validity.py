"""Whether a document is still in force (时效): the validity a file states, checked by `portal
check`; the notice on a document no longer in force and the links both ways; the filter in
browse and in search."""

from pathlib import Path

import pytest
from test_content import VALID, check, write

from portal.search import index_content

OLD = (
    VALID.replace("date: 2024-03-15\n", "date: 2022-05-10\n")
    .replace(
        "mode: 主动公开\n",
        "mode: 主动公开\nvalidity: 已废止\nvalidity_date: 2024-03-15\n"
        "replaced_by: 2024-tech-commissioner-measures\n",
    )
    .replace("title: 关于印发《示例县科技特派员管理办法》的通知", "title: 示例县科技特派员暂行办法")
)
OLD = OLD.replace('index_no: "000000000/2024-00002"', 'index_no: "000000000/2022-00007"')


def repealed(site):
    """The fixture site with an older measure that the 2024 measures repealed."""
    (site / "policy" / "2022-tech-commissioner-interim.md").write_text(OLD, encoding="utf-8")
    return site


@pytest.fixture
def app_with_history(app, site):
    repealed(site)
    return app


@pytest.mark.parametrize(
    "change,message",
    [
        (
            ("mode: 主动公开\n", "mode: 主动公开\nvalidity: 有效\n"),
            "doc.md:11: validity: '有效' is not one of 现行有效 / 已修改 / 已废止 / 已失效",
        ),
        (
            ("mode: 主动公开\n", "mode: 主动公开\nvalidity: 已废止\n"),
            "doc.md:11: validity: a document 已废止 names the day with validity_date: YYYY-MM-DD",
        ),
        (
            ("mode: 主动公开\n", "mode: 主动公开\nvalidity: 已修改\nvalidity_date: 2025-01-01\n"),
            "doc.md:11: validity: a document 已修改 names the document that amended it "
            "(replaced_by:)",
        ),
        (
            ("mode: 主动公开\n", "mode: 主动公开\nvalidity: 现行有效\nreplaced_by: other\n"),
            "doc.md:12: replaced_by: a document 现行有效 has not been amended, repealed or "
            "replaced; remove this line or change validity",
        ),
        (
            ("mode: 主动公开\n", "mode: 主动公开\nvalidity_date: 2025-01-01\n"),
            "doc.md:11: validity_date: only with validity: 现行有效 / 已修改 / 已废止 / 已失效 "
            "(the document's 时效)",
        ),
        (
            ("mode: 主动公开\n", "mode: 主动公开\nvalidity: 已失效\nvalidity_date: 2020-01-01\n"),
            "doc.md:12: validity_date: 2020-01-01 is before the document's date 2024-03-15",
        ),
        (
            ("mode: 主动公开\n", "mode: 主动公开\nvalidity: 已废止\nvalidity_date: 2025-02-30\n"),
            "doc.md:12: validity_date: 2025-02-30 does not exist in the calendar",
        ),
        (
            (
                "mode: 主动公开\n",
                "mode: 主动公开\nvalidity: 已废止\nvalidity_date: 2025-01-01\nreplaced_by: doc\n",
            ),
            "doc.md:13: replaced_by: a document cannot replace itself",
        ),
    ],
)
def test_portal_check_reports_a_validity_that_does_not_hold(tmp_path, change, message):
    write(tmp_path, change=change)
    assert check(tmp_path) == [message]


def test_a_replacement_that_is_not_published_is_reported_on_its_line(tmp_path):
    write(
        tmp_path,
        change=(
            "mode: 主动公开\n",
            "mode: 主动公开\nvalidity: 已废止\nvalidity_date: 2025-01-01\nreplaced_by: nowhere\n",
        ),
    )
    assert check(tmp_path) == ["doc.md:13: replaced_by: no published document 'nowhere'"]


def test_a_document_in_force_and_one_repealed_by_it_pass_the_check(tmp_path):
    write(tmp_path, "2024-tech-commissioner-measures.md")
    write(tmp_path, "old.md", OLD)
    assert check(tmp_path) == []


def test_a_repealed_document_says_so_at_its_top_and_links_what_replaced_it(app_with_history, page):
    old = page("/documents/2022-tech-commissioner-interim/")
    notice = old.select_one("main .validity-notice")
    assert notice is not None
    # Above the document's fields and text: the first thing read after the heading.
    assert notice.find_next("section", class_="metadata") is not None
    assert notice.get_text(" ", strip=True).startswith("本文件已废止 （自 2024年3月15日 起）")
    link = notice.select_one("a")
    assert link["href"] == "/documents/2024-tech-commissioner-measures/"
    assert link.get_text() == "关于印发《示例县科技特派员管理办法》的通知"
    fields = {
        div.dt.get_text(): div.dd.get_text(strip=True) for div in old.select(".metadata dl > div")
    }
    assert fields["有效性"] == "已废止"


def test_the_replacement_links_back_to_what_it_repealed(app_with_history, page):
    new = page("/documents/2024-tech-commissioner-measures/")
    assert new.select_one(".validity-notice") is None
    section = new.find("h2", string="本文件修改、废止或替代的文件").find_parent("section")
    assert [(a["href"], a.get_text()) for a in section.select("a")] == [
        ("/documents/2022-tech-commissioner-interim/", "示例县科技特派员暂行办法")
    ]
    assert "（已废止）" in section.get_text()


def test_the_english_page_states_validity_in_english(app_with_history, page):
    old = page("/en/documents/2022-tech-commissioner-interim/")
    assert old.select_one(".validity-notice strong").get_text() == "This document has been repealed"
    fields = {
        div.dt.get_text(): div.dd.get_text(strip=True) for div in old.select(".metadata dl > div")
    }
    assert fields["Validity"] == "Repealed"


def titles(soup) -> list[str]:
    return [a.get_text() for a in soup.select(".document-list .document-title a")]


def test_the_normative_documents_can_be_limited_to_those_in_force(app_with_history, page):
    everything = page("/catalogue/normative-documents/")
    assert titles(everything) == [
        "关于印发《示例县科技特派员管理办法》的通知",
        "示例县科技特派员暂行办法",
    ]
    group = everything.find("h3", string="按时效").find_parent("nav")
    assert [a.get_text(" ", strip=True) for a in group.select("a")] == [
        "现行有效 (1)",
        "已废止 (1)",
    ]
    in_force = page("/catalogue/normative-documents/?validity=in-force")
    assert titles(in_force) == ["关于印发《示例县科技特派员管理办法》的通知"]
    # Each list item says whether the document is in force.
    assert [b.get_text() for b in everything.select(".document-list .badge-validity")] == [
        "现行有效",
        "已废止",
    ]
    page("/catalogue/normative-documents/?validity=valid", status=404)


def test_search_filters_by_validity_from_the_index(app_with_history, client, site, page):
    index_content(site, Path(app_with_history.config["SEARCH_INDEX_DIR"]))
    found = client.get("/api/search?q=科技特派员&validity=repealed").get_json()
    assert [hit["slug"] for hit in found["hits"]] == ["2022-tech-commissioner-interim"]
    facets = dict((f["value"], f["count"]) for f in found["facets"]["validity"])
    assert facets == {"in-force": 1, "repealed": 1}
    results = page("/search?q=科技特派员")
    legend = results.find("legend", string="时效")
    labels = [
        label.get_text(" ", strip=True) for label in legend.find_parent("fieldset").select("label")
    ]
    assert labels == ["现行有效 (1)", "已废止 (1)"]
