"""Hot searches (热门搜索): counted without addresses or cookies, once per slot however often
repeated, shown from a minimum count, never holding a blocked word, only ever a keyword of a
published document. A flood of one search, or of made-up ones, puts nothing on the site."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from portal import wiring
from portal.search import HotSearches, index_content
from portal.search.hot import SLOT_SECONDS


class Clock:
    """A clock the test moves, slot by slot."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def next_slot(self) -> None:
        self.now += SLOT_SECONDS


@pytest.fixture
def clock() -> Clock:
    return Clock()


def searched_in_slots(hot: HotSearches, clock: Clock, keyword: str, slots: int, each=1) -> None:
    for _ in range(slots):
        for _ in range(each):
            hot.record(keyword)
        clock.next_slot()
    hot.forget_kept()


def test_a_flood_of_one_search_in_one_slot_counts_once(tmp_path, clock):
    hot = HotSearches(tmp_path / "hot.sqlite3", minimum=3, clock=clock)
    searched_in_slots(hot, clock, "科技特派员", slots=1, each=5000)
    assert hot.top(8) == []
    rows = sqlite3.connect(tmp_path / "hot.sqlite3").execute("SELECT * FROM searched").fetchall()
    assert len(rows) == 1


def test_a_keyword_searched_in_enough_slots_is_shown_most_searched_first(tmp_path, clock):
    hot = HotSearches(tmp_path / "hot.sqlite3", minimum=3, clock=clock)
    searched_in_slots(hot, clock, "部门预算", slots=3)
    searched_in_slots(hot, clock, "科技特派员", slots=4)
    searched_in_slots(hot, clock, "春运", slots=2)
    assert hot.top(8) == ["科技特派员", "部门预算"]
    assert hot.top(1) == ["科技特派员"]


def test_nothing_about_the_visitor_is_kept(tmp_path, clock):
    hot = HotSearches(tmp_path / "hot.sqlite3", clock=clock)
    hot.record("科技特派员")
    columns = sqlite3.connect(tmp_path / "hot.sqlite3").execute("PRAGMA table_info(searched)")
    assert [c[1] for c in columns] == ["keyword", "slot"]


def test_blocked_words_and_keywords_no_longer_published_are_never_shown(tmp_path, clock):
    hot = HotSearches(tmp_path / "hot.sqlite3", minimum=1, blocked=["赌", " "], clock=clock)
    for keyword in ("网络赌博", "科技特派员", "部门预算"):
        searched_in_slots(hot, clock, keyword, slots=1)
    assert hot.top(8, allowed=lambda k: k != "部门预算") == ["科技特派员"]


def test_searches_older_than_the_window_no_longer_count(tmp_path, clock):
    hot = HotSearches(tmp_path / "hot.sqlite3", minimum=2, days=1, clock=clock)
    searched_in_slots(hot, clock, "科技特派员", slots=2)
    assert hot.top(8) == ["科技特派员"]
    clock.now += 86400
    hot.record("春运")  # a new slot prunes what fell out of the window
    hot.forget_kept()
    assert hot.top(8) == []


def test_counting_never_fails_a_search(tmp_path, clock):
    (tmp_path / "not-a-database").mkdir()
    hot = HotSearches(tmp_path / "not-a-database", clock=clock)
    hot.record("科技特派员")
    assert hot.top(8) == []


# -- in the site -------------------------------------------------------------------------------


@pytest.fixture
def indexed(app, site, clock):
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    with app.app_context():
        wiring.search.hot().clock = clock
    return app


def hot_list(found) -> list[str]:
    return [a.get_text() for a in found.select(".hot-searches a")]


def test_only_a_keyword_of_a_listed_document_is_counted(indexed, client, clock):
    for junk in ("广告词", "加微信123", "科技", "科技特派员 管理办法", "zzzz"):
        for _ in range(3):
            assert client.get("/search", query_string={"q": junk}).status_code == 200
            clock.next_slot()
    with indexed.app_context():
        database = wiring.search.hot().path
    assert (
        not database.exists()
        or not sqlite3.connect(database).execute("SELECT * FROM searched").fetchall()
    )


def test_a_flood_puts_nothing_on_the_home_page_and_steady_interest_does(
    indexed, client, page, clock
):
    for _ in range(100):
        client.get("/search?q=科技特派员")
    assert hot_list(page("/search")) == []
    for _ in range(2):
        clock.next_slot()
        client.get("/search?q=科技特派员")
    with indexed.app_context():
        wiring.search.hot().forget_kept()
    assert hot_list(page("/search")) == ["科技特派员"]
    home = page("/")
    assert hot_list(home) == ["科技特派员"]
    assert (
        home.select_one(".hot-searches a")["href"]
        == "/search?q=%E7%A7%91%E6%8A%80%E7%89%B9%E6%B4%BE%E5%91%98#results"
    )


def test_a_blocked_word_is_not_shown_however_searched(app, site, client, page, clock):
    app.config["HOT_SEARCHES_BLOCKED"] = "特派"
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    with app.app_context():
        wiring.search.hot().clock = clock
    for _ in range(5):
        client.get("/search?q=科技特派员")
        clock.next_slot()
    assert hot_list(page("/search")) == []
