"""Search that forgives and guides (issue 23), against a real index: pinyin and initials,
corrections by sound and by spelling, synonyms both ways, 文号 in part, scopes, a date window,
question words, and repeated searches answered from memory."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator

import pytest

from portal import search
from portal.search import NO_FEATURES, SearchDocument, Searcher, build_index, update_index


def doc(slug, title, body="", keywords=(), doc_no="", day=(2024, 3, 15), **more):
    return SearchDocument(
        slug=slug,
        title=title,
        body=body,
        keywords=tuple(keywords),
        doc_no=doc_no,
        department="办公室",
        category="other-documents",
        category_path=("statutory", "other-documents"),
        date=datetime.date(*day) if day else None,
        **more,
    )


DOCS = [
    doc(
        "commissioners",
        "关于印发《示例县科技特派员工作管理办法》的通知",
        "科技特派员每年服务时间不少于60天，本局对科技特派员实行年度考核。",
        ["科技特派员", "管理办法"],
        "示科发〔2024〕12号",
    ),
    doc("other-12", "关于举办培训会的通知", "培训会安排如下。", doc_no="示科发〔2024〕112号"),
    doc("year-2012", "关于2012年工作的通知", "2012年工作安排。", doc_no="示科发〔2012〕24号"),
    doc("bank", "关于银行账户管理的通知", "银行账户按规定管理。", ["银行账户"], day=(2023, 5, 1)),
    doc("long-name", "示例县科学技术局年度报告", "本报告由科学技术局编制。", day=(2022, 1, 20)),
    doc("short-name", "科技局年报摘要", "科技局年报的摘要。", day=(2021, 1, 20)),
    doc(
        "english",
        "Open data catalogue",
        "The transport data of the county, published as open data.",
        ["open data"],
        day=(2025, 6, 1),
    ),
    doc(
        "structure",
        "示例县科学技术局内设机构",
        "本局设3个内设机构，各股室职责如下。",
        ["内设机构"],
        day=(2025, 3, 3),
    ),
    doc("new-year", "新年报告会通知", "新年报告会定于一月举行。", day=None),
    doc("budget", "示例县科学技术局2024年部门预算公开", "部门预算收支总表。", ["部门预算"]),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("forgiving")
    build_index(root, DOCS)
    return root


@pytest.fixture(scope="module")
def searcher(index) -> Iterator[Searcher]:
    with Searcher(index) as s:
        yield s


def slugs(results) -> list[str]:
    return [h.slug for h in results.hits]


# -- pinyin ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["kejitepaiyuan", "kjtpy", "KeJiTePaiYuan"])
def test_full_pinyin_and_initials_find_a_title_word(searcher, typed):
    found = searcher.search(typed)
    assert slugs(found)[0] == "commissioners"
    assert search.Expansion(typed.lower(), "科技特派员", "pinyin") in found.expansions
    assert "<mark>科技特派员</mark>" in str(found.hits[0].title_html)


def test_pinyin_is_read_only_when_a_feature_of_the_search(searcher):
    assert searcher.search("kjtpy", features=NO_FEATURES).total == 0


def test_a_polyphonic_character_is_found_by_its_reading_in_the_word(searcher):
    # 行 alone is usually xing; in 银行 it is hang. Both readings are indexed.
    assert slugs(searcher.search("yinhangzhanghu")) == ["bank"]
    assert slugs(searcher.search("yhzh")) == ["bank"]


def test_pinyin_of_two_title_words_typed_as_one(searcher):
    assert slugs(searcher.search("bumenyusuan")) == ["budget"]


def test_letters_that_are_a_word_of_the_documents_are_not_read_as_pinyin(searcher):
    found = searcher.search("data")
    assert slugs(found) == ["english"]
    assert found.expansions == []


# -- corrections -------------------------------------------------------------------------------


def test_a_character_of_the_same_sound_is_offered_a_correction_never_searched_instead(searcher):
    found = searcher.search("科技特派圆")
    assert found.correction == "科技特派员"
    assert found.query == "科技特派圆"
    # What was typed is what was searched: its own results (relaxed: some of its words).
    assert found.relaxed
    assert found.total == searcher.search("科技特派圆", features=NO_FEATURES).total


def test_a_misspelt_latin_word_is_offered_the_nearest_word_of_the_index(searcher):
    assert searcher.search("transprot").correction == "transport"


def test_no_correction_when_the_query_finds_enough(searcher):
    assert searcher.search("科技特派员").correction == ""
    assert searcher.search("科技特派圆", features=NO_FEATURES).correction == ""


def test_a_correction_is_only_offered_when_it_finds_more(searcher):
    # 新年报告 finds its own document; no word of the index sounds like it and finds more.
    assert searcher.search("新年报告").correction == ""


# -- synonyms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "other"), [("科技局", "科学技术局"), ("科学技术局", "科技局")])
def test_synonyms_apply_both_ways_and_are_reported(searcher, typed, other):
    found = searcher.search(typed)
    assert {"long-name", "short-name", "structure"} <= set(slugs(found))
    assert search.Expansion(typed, other, "synonym") in found.expansions
    plain = searcher.search(typed, features=NO_FEATURES)
    assert len(slugs(plain)) < len(slugs(found))


def test_a_synonym_matches_only_on_word_boundaries(searcher):
    # 年报 stands inside 新年报告 (新年 + 报告), but no word there is 年报.
    found = searcher.search("新年报告")
    assert found.expansions == []
    assert "long-name" not in slugs(found)


def test_the_document_holding_the_synonym_whole_comes_before_loose_words(searcher):
    found = searcher.search("科技局年报")
    assert slugs(found)[:2] == ["short-name", "long-name"] or slugs(found)[:2] == [
        "long-name",
        "short-name",
    ]


# -- 文号 in part, scopes, dates ---------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2024 12号", "2024年12号文", "〔2024〕12号", "示科发2024 12"])
def test_a_doc_number_typed_in_part_puts_its_document_first(searcher, typed):
    assert slugs(searcher.search(typed))[0] == "commissioners"


def test_the_reference_scope_holds_the_pieces_in_order_and_numbers_whole(searcher):
    assert slugs(searcher.search("2024 12号", scope="refs")) == ["commissioners"]
    assert slugs(searcher.search("2012", scope="refs")) == ["year-2012"]
    assert searcher.search("科技", scope="refs").total == 0


def test_the_title_scope_leaves_out_documents_holding_the_words_elsewhere(searcher):
    everywhere = set(slugs(searcher.search("科学技术局", features=NO_FEATURES)))
    titles = set(slugs(searcher.search("科学技术局", scope="title", features=NO_FEATURES)))
    assert "long-name" in titles and "structure" in titles
    assert everywhere - titles == set()  # every one also in its title here
    assert slugs(searcher.search("考核", scope="title")) == []
    assert slugs(searcher.search("考核")) == ["commissioners"]


def test_a_date_window_keeps_dated_documents_within_it_in_every_count(searcher):
    window = (datetime.date(2023, 1, 1), datetime.date(2024, 12, 31))
    found = searcher.search("", dates=window)
    assert set(slugs(found)) == {d.slug for d in DOCS if d.date and 2023 <= d.date.year <= 2024}
    assert dict(found.facets["year"]) == {"2024": 4, "2023": 1}
    assert searcher.search("", dates=(datetime.date(2025, 1, 1), None)).total == 2
    assert searcher.search("", dates=(None, datetime.date(2021, 12, 31))).total == 1


def test_question_words_are_not_required(searcher):
    found = searcher.search("科技局有哪些股室")
    assert not found.relaxed
    assert slugs(found)[0] == "structure"
    # Without: no page says 有 beside the rest, so only some of the words are found.
    assert searcher.search("科技局有哪些股室", features=NO_FEATURES).relaxed


def test_a_bad_scope_is_refused(searcher):
    with pytest.raises(ValueError):
        searcher.search("x", scope="body")


# -- a repeated search -------------------------------------------------------------------------


def test_a_repeated_search_is_answered_from_memory_until_the_index_changes(tmp_path):
    build_index(tmp_path, DOCS)
    with Searcher(tmp_path) as s:
        published = frozenset(d.slug for d in DOCS) | {"added"}
        first = s.search("通知", published=published)
        assert s.search("通知", published=published) is first
        assert s.search("通知", published=published, page=1, per_page=10) is first
        assert s.search("通知", published=published, sort="date") is not first
        update_index(tmp_path, [doc("added", "新增的通知", "正文。")])
        again = s.search("通知", published=published)
        assert again is not first
        assert "added" in slugs(again)


def test_features_are_part_of_what_is_kept(searcher):
    with_all = searcher.search("kjtpy")
    assert searcher.search("kjtpy", features=dataclasses.replace(NO_FEATURES)).total == 0
    assert searcher.search("kjtpy") is with_all
