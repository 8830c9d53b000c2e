"""Tests of the search engine (portal.search) against real on-disk indexes."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from portal import search
from portal.search import (
    MAX_QUERY_LENGTH,
    IndexLocked,
    IndexUnavailable,
    QueryTooLong,
    SearchDocument,
    Searcher,
    analyse,
    build_index,
    index_stamp,
    phrases,
    postings,
    update_index,
)

FIXTURES = Path(__file__).parent / "search_fixtures" / "documents.json"


def load_documents() -> list[SearchDocument]:
    docs = []
    for raw in json.loads(FIXTURES.read_text(encoding="utf-8")):
        raw["keywords"] = tuple(raw["keywords"])
        raw["category_path"] = tuple(raw["category_path"])
        raw["date"] = datetime.date.fromisoformat(raw["date"]) if raw["date"] else None
        docs.append(SearchDocument(**raw))
    return docs


DOCS = load_documents()


def notice(n: int) -> SearchDocument:
    """A numbered safety-inspection notice, for pagination and date order."""
    return SearchDocument(
        slug=f"safety-notice-{n:02d}",
        title=f"关于开展第{n}批安全生产检查的通知",
        body=f"各单位：现就第{n}批安全生产检查有关事项通知如下。",
        keywords=("安全生产",),
        department="应急管理局",
        category="other-documents",
        category_path=("statutory", "policy-documents", "other-documents"),
        five_openness="execution",
        date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
    )


NOTICES = [notice(n) for n in range(1, 24)]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory) -> Iterator[Searcher]:
    root = tmp_path_factory.mktemp("index")
    build_index(root, DOCS + NOTICES)
    with Searcher(root) as s:
        yield s


def slugs(results) -> list[str]:
    return [hit.slug for hit in results.hits]


def tree_digest(path: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.iterdir())}


# --- Analysis -----------------------------------------------------------------------------------


def test_positions_count_words_and_sub_words_share_their_word_position():
    assert analyse("关于政府信息公开工作年度报告") == [
        ("关于", 0),
        ("政府", 1),
        ("信息", 2),
        ("公开", 3),
        ("工作", 4),
        ("年度", 5),
        ("报告", 6),
        ("年度报告", 5),
    ]


def test_a_long_word_is_indexed_as_its_atoms_at_consecutive_positions():
    terms = dict(analyse("中华人民共和国"))
    assert [terms[a] for a in ("中华", "人民", "共和", "国")] == [0, 1, 2, 3]
    assert terms["中华人民共和国"] == 0
    assert terms["共和国"] == 2


def test_latin_text_is_case_and_width_folded():
    assert [t for t, _ in analyse("Open ＤＡＴＡ")] == ["open", "data"]


def test_stop_words_and_punctuation_are_not_indexed():
    assert analyse("的，。！") == []


# --- Matching -----------------------------------------------------------------------------------


def test_a_chinese_sub_word_query_finds_the_annual_report(searcher):
    results = searcher.search("信息公开")
    assert "2023-annual-report" in slugs(results)
    assert results.hits[0].slug in {"2023-annual-report", "disclosure-guide", "2022-annual-report"}


def test_a_query_for_a_whole_word_finds_documents_with_its_parts(searcher):
    found = slugs(searcher.search("年度报告"))
    assert found[0] == "2023-annual-report"
    # 年度 and 报告 apart still match an unquoted query; a phrase needs them together.
    assert "work-summary" in found


def test_a_quoted_phrase_matches_adjacent_words_only(searcher):
    found = slugs(searcher.search('"年度报告"'))
    assert "2023-annual-report" in found
    assert "2022-annual-report" in found  # 年度报告 inside 即为年度报告的摘要
    assert "work-summary" not in found


def test_a_phrase_of_separately_segmented_words_matches(searcher):
    assert slugs(searcher.search('"信息公开"'))[:1] != []
    assert "2023-annual-report" in slugs(searcher.search('"政府信息公开工作"'))
    assert slugs(searcher.search('"公开信息"')) == []


def test_a_phrase_whose_sub_words_come_after_it_matches(tmp_path):
    # 一九九九年 is analysed as the word, then its sub-words: 九九 gets positions 1 and then 0.
    assert [pos for term, pos in analyse("一九九九年") if term == "九九"] == [1, 0]
    document = SearchDocument(
        slug="regulation-1999",
        title="条例",
        body="本市一九九九年颁布的规定",
        category="rules",
        category_path=("rules",),
    )
    build_index(tmp_path, [document])  # one fresh segment, never merged
    with Searcher(tmp_path) as fresh:
        assert slugs(fresh.search('"一九九九年"')) == ["regulation-1999"]
        assert slugs(fresh.search('"九九年"')) == ["regulation-1999"]


def test_english_queries_are_case_folded(searcher):
    for query in ("open data", "OPEN DATA", "Guidelines", "ｏｐｅｎ　ｄａｔａ"):
        assert slugs(searcher.search(query)) == ["open-data-guidelines"], query
    assert slugs(searcher.search('"data guidelines"')) == ["open-data-guidelines"]


def test_all_words_must_match(searcher):
    results = searcher.search("科技特派员 政策解读")
    assert slugs(results) == ["2024-rural-science-plan-explained"]
    assert not results.relaxed


def test_when_no_document_has_every_word_any_word_matches_and_results_say_so(searcher):
    results = searcher.search("预算 zzyzx")
    assert slugs(results) == ["2024-department-budget"]
    assert results.relaxed


@pytest.mark.parametrize(
    "query",
    ["示科发〔2024〕12号", "示科发[2024]12号", "示科发（2024）12号", "014314799/2024-00012"],
)
def test_an_exact_doc_no_or_index_no_puts_that_document_first(searcher, query):
    results = searcher.search(query)
    assert results.hits[0].slug == "2024-rural-science-plan"


def test_an_exact_index_no_wins_over_documents_that_mention_it(searcher):
    results = searcher.search("014314799/2024-00013")
    assert results.hits[0].slug == "2024-rural-science-plan-explained"


def test_parts_of_a_code_are_searchable(searcher):
    assert "2024-rural-science-plan" in slugs(searcher.search("00012"))


def test_a_title_match_ranks_above_a_body_match(searcher):
    found = slugs(searcher.search("管理办法"))
    assert found.index("2024-rural-science-plan") < found.index("2024-rural-science-plan-explained")


# --- Filters and facets -------------------------------------------------------------------------


def test_a_category_filter_matches_every_document_below_that_node(searcher):
    results = searcher.search("", {"category": ["policy-documents"]})
    assert set(slugs(searcher.search("", {"category": ["policy-documents"]}, per_page=100))) == {
        "2024-rural-science-plan",
        "website-security-notice",
        *(d.slug for d in NOTICES),
    }
    assert results.total == 2 + len(NOTICES)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("department", "科技局", {"2024-rural-science-plan", "2024-rural-science-plan-explained"}),
        ("year", "2023", {"2022-annual-report", "work-summary", "business-permit-service"}),
        ("five_openness", "service", {"open-data-guidelines", "business-permit-service"}),
        ("category", "annual-reports", {"2023-annual-report", "2022-annual-report"}),
    ],
)
def test_each_filter_narrows_the_results(searcher, key, value, expected):
    results = searcher.search("", {key: [value]}, per_page=100)
    assert set(slugs(results)) == expected
    assert results.total == len(expected)


def test_values_of_one_filter_are_alternatives_and_filters_all_apply(searcher):
    either = searcher.search("", {"department": ["科技局", "财政局"]})
    assert either.total == 3
    both = searcher.search("", {"department": ["科技局", "财政局"], "year": ["2024"]})
    assert both.total == 3
    none = searcher.search("", {"department": ["科技局"], "five_openness": ["result"]})
    assert none.total == 0 and none.hits == []


def test_facet_counts_cover_the_whole_matched_set_sorted_by_count(searcher):
    results = searcher.search("", per_page=1)
    total = len(DOCS) + len(NOTICES)
    assert results.total == total
    departments = dict(results.facets["department"])
    assert departments["应急管理局"] == len(NOTICES)
    assert departments["办公室"] == 4
    counts = [n for _, n in results.facets["department"]]
    assert counts == sorted(counts, reverse=True)
    categories = dict(results.facets["category"])
    assert categories["statutory"] == total - 4  # all but the annual reports and guides
    assert dict(results.facets["year"])["2024"] == 4
    assert dict(results.facets["five_openness"])["decision"] == 2


def test_facet_counts_ignore_their_own_filter_but_respect_the_others(searcher):
    results = searcher.search("", {"department": ["科技局"], "year": ["2024"]})
    departments = dict(results.facets["department"])
    # Other departments stay visible with the counts they would have under year 2024.
    assert departments == {"科技局": 2, "办公室": 1, "财政局": 1}
    assert dict(results.facets["year"]) == {"2024": 2}
    assert dict(results.facets["five_openness"]) == {"decision": 2}


def test_facet_counts_follow_the_query(searcher):
    results = searcher.search("科技特派员")
    assert dict(results.facets["department"]) == {"科技局": 2}
    assert dict(results.facets["category"]) == {
        "statutory": 2,
        "policy-documents": 1,
        "normative-documents": 1,
        "policy-interpretation": 1,
    }


def test_a_filter_value_given_as_one_string_is_one_value(searcher):
    assert searcher.search("", {"department": "科技局"}).total == 2


def test_an_unknown_filter_value_matches_nothing(searcher):
    assert searcher.search("", {"year": ["1999"]}).total == 0


def test_an_unknown_filter_key_or_sort_is_a_programming_error(searcher):
    with pytest.raises(ValueError):
        searcher.search("", {"colour": ["red"]})
    with pytest.raises(ValueError):
        searcher.search("", sort="random")


# --- Order and pages ----------------------------------------------------------------------------


def test_an_empty_query_lists_every_document_newest_first_and_undated_last(searcher):
    results = searcher.search("", per_page=100)
    dates = [h.date for h in results.hits]
    assert results.total == len(DOCS) + len(NOTICES)
    assert dates[-1] is None
    assert dates[:-1] == sorted(dates[:-1], reverse=True)


def test_sorting_by_date_puts_the_newest_match_first(searcher):
    results = searcher.search("科技特派员", sort="date")
    assert slugs(results) == ["2024-rural-science-plan-explained", "2024-rural-science-plan"]
    assert results.sort == "date"


def test_pages_split_the_results_without_overlap(searcher):
    seen = []
    for page in (1, 2, 3):
        results = searcher.search("安全生产", sort="date", page=page, per_page=10)
        assert results.total == len(NOTICES)
        assert results.pages == 3
        seen += slugs(results)
    assert seen == [n.slug for n in reversed(NOTICES)]
    assert searcher.search("安全生产", page=4).hits == []
    relevance = [slugs(searcher.search("安全生产", page=p, per_page=10)) for p in (1, 2, 3)]
    assert sorted(s for page in relevance for s in page) == sorted(n.slug for n in NOTICES)


def test_nonsense_page_numbers_are_clamped(searcher):
    results = searcher.search("安全生产", page=0, per_page=10_000)
    assert results.page == 1
    assert results.per_page == search.MAX_PER_PAGE


# --- Highlights ---------------------------------------------------------------------------------


def test_matched_words_are_marked_in_title_and_snippet(searcher):
    hit = searcher.search("信息公开").hits[0]
    assert "<mark>信息公开</mark>" in hit.title_html
    assert "<mark>信息公开</mark>" in hit.snippet_html


def test_the_snippet_shows_the_passage_with_the_match(searcher):
    hit = searcher.search("社会保障").hits[0]
    assert hit.slug == "2024-department-budget"
    assert "<mark>社会保障</mark>" in hit.snippet_html


def test_markup_in_documents_is_shown_as_text(searcher):
    hit = searcher.search("信息安全").hits[0]
    assert hit.slug == "website-security-notice"
    assert "<script>" not in hit.title_html and "<script>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.title_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet_html
    assert "&amp;amp;" in hit.snippet_html


def test_markup_in_the_query_is_shown_as_text(searcher):
    results = searcher.search("<script>alert(1)</script>")
    assert slugs(results) == ["website-security-notice"]
    snippet = results.hits[0].snippet_html
    assert "<script>" not in snippet
    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(<mark>1</mark>)" in snippet


def test_latin_terms_are_marked_as_whole_words_only():
    pattern = search.mark_pattern([("in",)])
    assert str(search.highlight("In the information", pattern)) == "<mark>In</mark> the information"


def test_a_long_body_is_cut_around_the_best_passage():
    body = "开头" * 200 + "预算公开" + "结尾" * 200
    html = str(search.snippet(body, search.mark_pattern([("预算",)])))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>预算</mark>" in html
    assert len(html) < search.SNIPPET_CHARS + 40


# --- Hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        '信息"公开',
        'a"b"c"',
        "“中文引号",
        "\x00",
        "信息\x00公开",
        "😀",
        "🇨🇳👨‍👩‍👧",
        "！？。，",
        "*",
        "*公开",
        "?",
        "公开*",
        "title:报告",
        "报告~2",
        "报告^3",
        "(a OR b) AND NOT c",
        "[2020 TO 2024]",
        "/re.*gex/",
        "\\",
        "\ud800",
        "' OR 1=1 --",
        " " * 50,
        "的",
    ],
)
def test_hostile_input_never_raises(searcher, query):
    results = searcher.search(query)
    assert results.total >= 0
    for hit in results.hits:
        assert "<script" not in hit.title_html


@pytest.mark.parametrize("query", ["*", "?", "！？。", "😀", "\x00", "的 了"])
def test_a_query_with_nothing_to_look_for_gives_no_results(searcher, query):
    results = searcher.search(query)
    assert results.total == 0
    assert results.hits == []
    assert all(counts == [] for counts in results.facets.values())


def test_operators_are_plain_words(searcher):
    assert searcher.search("title:报告").total == searcher.search("title 报告").total


def test_an_over_long_query_raises_query_too_long(searcher):
    searcher.search("公" * MAX_QUERY_LENGTH)
    with pytest.raises(QueryTooLong) as info:
        searcher.search("公" * (MAX_QUERY_LENGTH + 1))
    assert str(MAX_QUERY_LENGTH) in str(info.value)


# --- Missing and broken indexes -----------------------------------------------------------------


def test_a_missing_index_raises_index_unavailable(tmp_path):
    with Searcher(tmp_path / "nowhere") as s, pytest.raises(IndexUnavailable):
        s.search("公开")
    assert index_stamp(tmp_path / "nowhere") is None


def test_a_broken_index_raises_index_unavailable(tmp_path):
    build_index(tmp_path, DOCS)
    live = tmp_path / os.readlink(tmp_path / "current")
    for f in live.iterdir():
        if f.suffix in {".toc", ".seg"}:
            f.write_bytes(b"garbage")
    with Searcher(tmp_path) as s, pytest.raises(IndexUnavailable):
        s.search("公开")


def test_an_index_of_another_format_version_raises_index_unavailable(tmp_path):
    build_index(tmp_path, DOCS)
    meta = tmp_path / "current" / "portal-index.json"
    meta.write_text(json.dumps({"format": -1, "written": 0}), encoding="utf-8")
    with Searcher(tmp_path) as s, pytest.raises(IndexUnavailable, match="rebuild"):
        s.search("公开")


def test_updating_a_missing_index_raises_index_unavailable(tmp_path):
    with pytest.raises(IndexUnavailable):
        update_index(tmp_path, DOCS[:1])


# --- Index life cycle ---------------------------------------------------------------------------


def test_a_searcher_keeps_answering_from_the_old_index_during_a_rebuild(tmp_path):
    build_index(tmp_path, DOCS)
    with Searcher(tmp_path) as s:
        before = s.search("", per_page=100)
        during = []

        def documents():
            yield from NOTICES[:5]
            during.append(s.search("", per_page=100))
            yield from NOTICES[5:]

        build_index(tmp_path, documents())
        assert slugs(during[0]) == slugs(before)
        assert during[0].total == len(DOCS)
        after = s.search("", per_page=100)
        assert set(slugs(after)) == {n.slug for n in NOTICES}


def test_a_second_build_or_update_while_one_runs_raises_index_locked(tmp_path):
    build_index(tmp_path, DOCS)
    refused = []

    def documents():
        yield from DOCS[:3]
        for attempt in (lambda: build_index(tmp_path, DOCS), lambda: update_index(tmp_path, [])):
            with pytest.raises(IndexLocked, match="another build or update") as info:
                attempt()
            refused.append(info.value)
        yield from DOCS[3:]

    build_index(tmp_path, documents())
    assert len(refused) == 2
    build_index(tmp_path, DOCS)  # the lock is released afterwards


def test_a_build_locked_from_another_thread_raises_index_locked(tmp_path):
    started, release = threading.Event(), threading.Event()

    def documents():
        yield DOCS[0]
        started.set()
        release.wait(10)
        yield DOCS[1]

    worker = threading.Thread(target=build_index, args=(tmp_path, documents()))
    worker.start()
    try:
        assert started.wait(10)
        with pytest.raises(IndexLocked):
            build_index(tmp_path, DOCS)
    finally:
        release.set()
        worker.join(10)
    assert index_stamp(tmp_path) is not None


def test_a_failed_build_leaves_the_live_index_complete_and_serving(tmp_path):
    build_index(tmp_path, DOCS)
    stamp = index_stamp(tmp_path)

    def documents():
        yield from NOTICES[:10]
        raise RuntimeError("content went away")

    with Searcher(tmp_path) as s:
        s.search("公开")
        with pytest.raises(RuntimeError, match="went away"):
            build_index(tmp_path, documents())
        assert s.search("", per_page=100).total == len(DOCS)
    with Searcher(tmp_path) as fresh:
        assert set(slugs(fresh.search("", per_page=100))) == {d.slug for d in DOCS}
    assert index_stamp(tmp_path) == stamp
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("tmp-")] == []


def test_leftovers_of_a_killed_build_are_removed_by_the_next_one(tmp_path):
    build_index(tmp_path, DOCS)
    leftover = tmp_path / "tmp-1-1"
    leftover.mkdir()
    (leftover / "MAIN_half.seg").write_bytes(b"half")
    build_index(tmp_path, DOCS)
    assert not leftover.exists()


def test_a_build_with_a_duplicate_slug_fails_and_changes_nothing(tmp_path):
    build_index(tmp_path, DOCS)
    with pytest.raises(ValueError, match="duplicate"):
        build_index(tmp_path, [*NOTICES, NOTICES[0]])
    with Searcher(tmp_path) as s:
        assert s.doc_count() == len(DOCS)


def test_old_generations_are_removed_keeping_the_previous_one(tmp_path):
    for _ in range(4):
        build_index(tmp_path, DOCS)
    generations = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-"))
    assert len(generations) == 2
    assert os.readlink(tmp_path / "current") == generations[-1]


def test_a_parallel_build_gives_the_same_index(tmp_path):
    build_index(tmp_path / "serial", DOCS + NOTICES, procs=1)
    build_index(tmp_path / "parallel", DOCS + NOTICES, procs=2)
    with Searcher(tmp_path / "serial") as a, Searcher(tmp_path / "parallel") as b:
        for query in ("", "信息公开", '"年度报告"', "安全生产"):
            ra, rb = a.search(query, per_page=100), b.search(query, per_page=100)
            assert ra.total == rb.total
            assert sorted(slugs(ra)) == sorted(slugs(rb))
            assert ra.facets == rb.facets


def test_an_empty_site_builds_an_empty_index(tmp_path):
    build_index(tmp_path, [])
    with Searcher(tmp_path) as s:
        assert s.search("").total == 0
        assert s.search("公开").hits == []


def test_an_update_adds_replaces_and_removes_documents(tmp_path):
    build_index(tmp_path, DOCS)
    with Searcher(tmp_path) as s:
        assert NOTICES[0].slug not in slugs(s.search("安全生产"))
        replaced = dataclasses.replace(DOCS[4], title="2024年部门预算调整说明", body="预算调整。")
        update_index(tmp_path, [NOTICES[0], replaced], removed=["open-data-guidelines"])
        assert slugs(s.search("安全生产")) == [NOTICES[0].slug]
        assert slugs(s.search("预算调整")) == ["2024-department-budget"]
        assert s.search('"一般公共预算"').total == 0
        assert s.search("open data").total == 0
        assert s.doc_count() == len(DOCS) + 1 - 1
        update_index(tmp_path, [], removed=["no-such-document"])
        assert s.doc_count() == len(DOCS)


def test_many_small_updates_keep_the_index_whole(tmp_path):
    build_index(tmp_path, DOCS)
    for n in NOTICES[:8]:
        update_index(tmp_path, [n])
    with Searcher(tmp_path) as s:
        results = s.search("安全生产", per_page=100)
        assert set(slugs(results)) == {n.slug for n in NOTICES[:8]}
        assert s.doc_count() == len(DOCS) + 8


def test_an_update_does_not_change_the_live_generation_files(tmp_path):
    build_index(tmp_path, DOCS)
    live = tmp_path / os.readlink(tmp_path / "current")
    before = tree_digest(live)
    update_index(tmp_path, NOTICES[:3], removed=[DOCS[0].slug])
    assert tree_digest(live) == before
    assert os.readlink(tmp_path / "current") != live.name


def test_a_failed_update_leaves_the_live_index_unchanged(tmp_path):
    build_index(tmp_path, DOCS)
    stamp = index_stamp(tmp_path)
    bad = dataclasses.replace(NOTICES[0], slug="不是ASCII")
    with pytest.raises(ValueError, match="ASCII"):
        update_index(tmp_path, [NOTICES[1], bad])
    assert index_stamp(tmp_path) == stamp
    with Searcher(tmp_path) as s:
        assert NOTICES[1].slug not in slugs(s.search("安全生产"))
        assert s.doc_count() == len(DOCS)


def test_the_index_stamp_moves_on_with_each_build_and_update(tmp_path):
    assert index_stamp(tmp_path) is None
    build_index(tmp_path, DOCS)
    built = index_stamp(tmp_path)
    assert built is not None
    update_index(tmp_path, NOTICES[:1])
    assert index_stamp(tmp_path) > built


def test_one_searcher_serves_many_threads(searcher):
    expected = slugs(searcher.search("信息公开"))
    errors, found = [], []

    def work():
        try:
            for query in ("信息公开", "安全生产", "open data", ""):
                found.append((query, slugs(searcher.search(query))))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert all(hits == expected for query, hits in found if query == "信息公开")


# --- Phrases and facets over segments, deletions and merges -------------------------------------

_WORDS = ["政府", "信息", "公开", "年度", "报告", "科技", "特派员", "工作"]
_WORDS += ["安全", "生产", "检查", "农村", "预算", "管理", "办法", "通知"]
# The bodies publishing on a county platform; taken by number, not from the random stream, so
# the documents' other values stay as they were before organisations were indexed.
_BODIES = ["county-gov", "kjj", "xiaoba-town"]


def _generated(n: int, revision: int = 0) -> SearchDocument:
    """A document of shuffled domain words: phrases occur adjacent in some, apart in others."""
    rng = random.Random(n * 31 + revision)
    lengths = [rng.randint(3, 9) for _ in range(rng.randint(2, 6))]
    sentences = ["".join(rng.choices(_WORDS, k=k)) for k in lengths]
    return SearchDocument(
        slug=f"generated-{n:03d}",
        title="".join(rng.choices(_WORDS, k=4)),
        body="，".join(sentences) + "。",
        keywords=tuple(rng.sample(_WORDS, 2)),
        department=rng.choice(["办公室", "科技局", "财政局", ""]),
        category_path=rng.choice([("guide",), ("statutory", "planning"), ("statutory", "fees")]),
        five_openness=rng.choice(["decision", "result", ""]),
        date=datetime.date(2015 + n % 9, 1 + n % 12, 1) if n % 7 else None,
        organisation=_BODIES[(n + revision) % len(_BODIES)],
    )


def _has_phrase(doc: SearchDocument, atoms: list[str]) -> bool:
    """Whether one field of ``doc`` holds ``atoms`` at consecutive positions (by analyse)."""
    refs = "\n".join(x for x in (doc.doc_no, doc.index_no, doc.department) if x)
    for text in (doc.title, "\n".join(doc.keywords), refs, doc.body):
        positions: dict[str, set[int]] = {}
        for term, pos in analyse(text):
            positions.setdefault(term, set()).add(pos)
        starts = positions.get(atoms[0], set())
        if any(all(p + k in positions.get(a, ()) for k, a in enumerate(atoms)) for p in starts):
            return True
    return False


def _facet_counts(docs: list[SearchDocument]) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, dict[str, int]] = {f: {} for f in search.FACETS}
    for doc in docs:
        values = {
            "organisation": (doc.organisation,),
            "category": doc.category_path,
            "department": (doc.department,),
            "year": (str(doc.date.year) if doc.date else "",),
            "five_openness": (doc.five_openness,),
        }
        for facet, found in values.items():
            for value in filter(None, found):
                counts[facet][value] = counts[facet].get(value, 0) + 1
    return {f: sorted(c.items(), key=lambda vc: (-vc[1], vc[0])) for f, c in counts.items()}


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> tuple[Path, dict[str, SearchDocument]]:
    """An index of several segments, with replaced and removed documents and merges."""
    root = tmp_path_factory.mktemp("segmented")
    live = {d.slug: d for d in map(_generated, range(40))}
    build_index(root, live.values(), procs=1)
    for step in range(6):
        changed = [_generated(40 + 3 * step + k) for k in range(3)]
        changed.append(_generated(5 * step, revision=1))
        removed = [f"generated-{5 * step + 2:03d}"]
        update_index(root, changed, removed)
        live.update((d.slug, d) for d in changed)
        live.pop(removed[0], None)
    return root, live


PHRASES = ["政府信息公开", "信息公开", "年度报告", "公开政府", "科技特派员"]


@pytest.mark.parametrize("phrase", PHRASES)
def test_phrases_match_exactly_across_segments_deletions_and_merges(segmented, phrase):
    root, live = segmented
    atoms = next(p.atoms for p in search.parse_query(f'"{phrase}"')[0])
    expected = {slug for slug, doc in live.items() if _has_phrase(doc, atoms)}
    with Searcher(root) as s:
        results = s.search(f'"{phrase}"', per_page=100)
    assert 0 < len(expected) < len(live)  # the corpus holds the phrase's atoms apart too
    assert results.total == len(expected)
    assert set(slugs(results)) == expected


@pytest.mark.parametrize("query", ["", "公开", "科技 工作", '"安全生产"'])
def test_facet_counts_equal_a_count_over_the_matched_documents(segmented, query):
    root, live = segmented
    with Searcher(root) as s:
        results = s.search(query, per_page=100)
    assert results.total == len(results.hits) > 0
    assert results.facets == _facet_counts([live[slug] for slug in slugs(results)])


@pytest.mark.parametrize("query", ["公开", "科技 工作", "政府"])
def test_pages_of_a_relevance_ranking_follow_the_whole_ranking(segmented, query):
    # A short page takes its best documents from the few scoring at least its last score;
    # ties included, the pages must join up into the ranking of all matches.
    root, _ = segmented
    with Searcher(root) as s:
        whole = s.search(query, per_page=100)
        assert 20 < whole.total <= 100
        pages = -(-whole.total // 3)
        paged = [slugs(s.search(query, page=p, per_page=3)) for p in range(1, pages + 1)]
    assert [slug for page in paged for slug in page] == slugs(whole)


_FILTERS = [
    {"department": ["科技局", "财政局"]},
    {"category": ["statutory"], "five_openness": ["decision"]},
    {"year": ["2016", "2019", "2023"], "department": ["办公室"]},
    {"organisation": ["kjj"]},
    {"organisation": ["county-gov", "xiaoba-town"], "department": ["办公室", "科技局"]},
    {"organisation": ["kjj"], "category": ["statutory"], "year": ["2017", "2020", "2023"]},
]


def _values(doc: SearchDocument) -> dict[str, set[str]]:
    return {
        "organisation": {doc.organisation},
        "category": set(doc.category_path),
        "department": {doc.department},
        "year": {str(doc.date.year) if doc.date else ""},
        "five_openness": {doc.five_openness},
    }


def _passes(doc: SearchDocument, filters: dict[str, list[str]], skip: str = "") -> bool:
    values = _values(doc)
    return all(values[k] & set(v) for k, v in filters.items() if k != skip)


@pytest.mark.parametrize("filters", _FILTERS)
@pytest.mark.parametrize("query", ["", "公开", '"年度报告"'])
def test_filtered_facet_counts_ignore_only_their_own_filter(segmented, query, filters):
    root, live = segmented
    with Searcher(root) as s:
        text = {slug: live[slug] for slug in slugs(s.search(query, per_page=100))}
        results = s.search(query, filters, per_page=100)
    assert set(slugs(results)) == {slug for slug, d in text.items() if _passes(d, filters)}
    for facet in search.FACETS:
        skip = facet if facet in filters else ""
        base = [d for d in text.values() if _passes(d, filters, skip)]
        assert results.facets[facet] == _facet_counts(base)[facet]


def test_filtering_by_organisation_finds_its_documents_and_hits_name_their_body(segmented):
    root, live = segmented
    with Searcher(root) as s:
        results = s.search("", {"organisation": ["kjj"]}, per_page=100)
        unknown = s.search("", {"organisation": ["no-such-body"]})
    expected = {slug for slug, doc in live.items() if doc.organisation == "kjj"}
    assert 0 < len(expected) < len(live)
    assert set(slugs(results)) == expected
    assert {hit.organisation for hit in results.hits} == {"kjj"}
    assert unknown.total == 0 and unknown.hits == []
    assert dict(unknown.facets["organisation"]) == dict(
        _facet_counts(live.values())["organisation"]
    )


def test_a_withdrawn_document_leaves_the_organisation_facet_and_filter(segmented):
    root, live = segmented
    withdrawn = sorted(slug for slug, doc in live.items() if doc.organisation == "kjj")[:3]
    published = frozenset(live) - set(withdrawn)
    with Searcher(root) as s:
        everything = s.search("", per_page=1, published=published)
        filtered = s.search("", {"organisation": ["kjj"]}, per_page=100, published=published)
    kept = [live[slug] for slug in published]
    assert everything.facets["organisation"] == _facet_counts(kept)["organisation"]
    assert not set(withdrawn) & set(slugs(filtered))
    assert filtered.total == sum(doc.organisation == "kjj" for doc in kept)


@pytest.mark.parametrize("query", ["", "政府", "科技 工作"])
def test_date_order_is_newest_first_with_undated_documents_last(segmented, query):
    root, live = segmented
    with Searcher(root) as s:
        results = s.search(query, sort="date", per_page=100)
        paged = [slugs(s.search(query, sort="date", page=p, per_page=7)) for p in (1, 2, 3)]
    dates = [live[slug].date for slug in slugs(results)]
    dated = [d for d in dates if d is not None]
    assert dates == dated + [None] * (len(dates) - len(dated))
    assert dated == sorted(dated, reverse=True)
    assert [slug for page in paged for slug in page] == slugs(results)[:21]


# --- Phrases as a reader counts them -------------------------------------------------------------

# Phrases whose edges and insides jieba often cuts apart or joins to a neighbour (市政|府信息公开,
# 西营|商|环境, 一网通|办X, 放|管服, 河长|制X), between neighbours that bring that about. No stop
# words: positions skip them, and a literal scan would not.
_PHRASE_WORDS = ["政府信息公开", "营商环境", "一网通办", "放管服", "河长制", "依申请公开"]
_PHRASE_WORDS += ["年度报告"]
_NEIGHBOURS = ["市", "区", "县", "军", "西", "大", "高", "畅", "若", "内", "迎", "老", "抬", "跳"]
_NEIGHBOURS += ["局", "高", "字", "多", "上", "趣", "负", "书", "展", "度", "指南", "通知", "工作"]
_SEPARATORS = re.compile(r"[\W_]+")


def _mixed(n: int, revision: int = 0) -> SearchDocument:
    """A document of phrases among neighbours that jieba joins to their edges."""
    rng = random.Random(n * 17 + revision)
    words = _PHRASE_WORDS + _NEIGHBOURS
    lengths = [rng.randint(4, 12) for _ in range(rng.randint(2, 5))]
    sentences = ["".join(rng.choices(words, k=k)) for k in lengths]
    return SearchDocument(
        slug=f"mixed-{n:03d}",
        title="".join(rng.choices(words, k=3)),
        body="，".join(sentences) + "。",
        keywords=tuple(rng.sample(_PHRASE_WORDS, 2)),
        department=rng.choice(["办公室", "河长办", "政务服务局", ""]),
        category_path=rng.choice([("guide",), ("statutory", "planning"), ("statutory", "fees")]),
        five_openness=rng.choice(["decision", "result", ""]),
        date=datetime.date(2016 + n % 8, 1 + n % 12, 1) if n % 5 else None,
    )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, dict[str, SearchDocument]]:
    """An index of several segments of mixed documents, with replaced and removed ones."""
    root = tmp_path_factory.mktemp("mixed")
    live = {d.slug: d for d in map(_mixed, range(150))}
    build_index(root, live.values(), procs=1)
    for step in range(5):
        changed = [_mixed(150 + 4 * step + k) for k in range(4)]
        changed.append(_mixed(7 * step, revision=1))
        removed = [f"mixed-{7 * step + 3:03d}"]
        update_index(root, changed, removed)
        live.update((d.slug, d) for d in changed)
        live.pop(removed[0], None)
    return root, live


def _literally(doc: SearchDocument, phrase: str) -> bool:
    """Whether a field of ``doc`` holds the phrase's characters together (spaces and
    punctuation between them aside), by scanning its folded text."""
    refs = "\n".join(x for x in (doc.doc_no, doc.index_no, doc.department) if x)
    texts = (doc.title, "\n".join(doc.keywords), refs, doc.body)
    return any(phrase in _SEPARATORS.sub("", search.fold(text)) for text in texts)


@pytest.mark.parametrize("text_checks", [phrases.TEXT_CHECKS, 0], ids=["texts", "atoms"])
@pytest.mark.parametrize("phrase", [*_PHRASE_WORDS, "市政府信息", "信息公开", "办通知", "局政府"])
def test_phrase_totals_and_facets_are_what_a_scan_of_the_text_counts(
    mixed, phrase, text_checks, monkeypatch
):
    # Ends glued to a neighbour are checked in the text of a few documents, or by looking up
    # the atoms that start or end with a character: both ways give the same.
    monkeypatch.setattr(phrases, "TEXT_CHECKS", text_checks)
    root, live = mixed
    expected = sorted(slug for slug, doc in live.items() if _literally(doc, phrase))
    with Searcher(root) as s:
        results = s.search(f'"{phrase}"', per_page=100)
        found = [slugs(s.search(f'"{phrase}"', per_page=50, page=p)) for p in (1, 2, 3, 4)]
    assert 0 < len(expected) < len(live)
    assert results.total == len(expected)
    assert sorted(slug for page in found for slug in page) == expected
    assert results.facets == _facet_counts([live[slug] for slug in expected])


def test_best_takes_the_highest_scores_then_the_lowest_docnums():
    rng = np.random.default_rng(7)
    docnums = np.sort(rng.choice(10_000, size=3_000, replace=False))
    scores = rng.integers(0, 50, size=len(docnums)).astype(np.float64)  # many ties
    for n in (1, 10, 2_999, 3_000, 5_000):
        top, values = postings.best(docnums, scores, n)
        pairs = zip(scores.tolist(), docnums.tolist(), strict=True)
        expected = sorted(pairs, key=lambda sd: (-sd[0], sd[1]))
        assert list(zip(values.tolist(), top.tolist(), strict=True)) == expected[:n]


def test_smallest_orders_by_rank():
    docnums = np.arange(100, 200)
    ranks = np.random.default_rng(3).permutation(1000)[:100]
    for n in (1, 5, 100, 150):
        expected = [d for _, d in sorted(zip(ranks.tolist(), docnums.tolist(), strict=True))][:n]
        assert postings.smallest(docnums, ranks, n).tolist() == expected


def test_holds_finds_keys_in_a_sorted_array():
    keys = np.array([3, 5, 9, (7 << 32) | 1], dtype=np.uint64)
    wanted = np.array([0, 3, 4, 9, 10, (7 << 32) | 1, 2**64 - 1], dtype=np.uint64)
    assert postings.holds(keys, wanted).tolist() == [False, True, False, True, False, True, False]
    assert postings.holds(keys[:0], wanted).tolist() == [False] * len(wanted)


def test_tally_counts_a_document_once_under_each_of_its_values():
    owners = np.array([0, 0, 1, 2, 2, 3])
    values = np.array([0, 1, 1, 0, 2, 2])
    base = np.array([True, False, True, True])
    assert postings.tally(owners, values, base, 4).tolist() == [2, 1, 2, 0]
