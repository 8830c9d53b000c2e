"""Search in the running site: one searcher per app, opened on first use and reused by every
request, an index keeper that brings the index in step with each new catalogue, and the
counts behind hot searches."""

import os
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

from portal import search
from portal.wiring import catalogue

SEARCHER = "portal.searcher"
KEEPER = "portal.index_keeper"
HOT = "portal.hot_searches"
# Hot searches a page shows, at most.
HOT_SHOWN = 8


def init_app(app: Flask) -> None:
    """Keep the app's search index in step with its catalogue while it runs (call after
    portal.wiring.catalogue.init_app: it follows the catalogue's changes). A node that is not
    the index's writer only reads the generations published to it; its searches still leave
    out at once what its catalogue no longer publishes."""
    if not app.config["SEARCH_INDEX_WRITER"]:
        return
    keeper = search.IndexKeeper(
        Path(app.config["SEARCH_INDEX_DIR"]), Path(app.config["CONTENT_DIR"])
    )
    app.extensions[KEEPER] = keeper
    catalogue.store(app).subscribe(keeper.catalogue_changed)


def searcher() -> search.Searcher:
    """The app's searcher, opened on first use and reused by every request."""
    extensions = current_app.extensions
    if SEARCHER not in extensions:
        extensions[SEARCHER] = search.Searcher(Path(current_app.config["SEARCH_INDEX_DIR"]))
    return extensions[SEARCHER]


def hot(app: Flask | None = None) -> search.HotSearches:
    """The app's hot-search counts, opened on first use."""
    app = app or current_app
    extensions = app.extensions
    if HOT not in extensions:
        config = app.config
        path = (
            config["HOT_SEARCHES_DB"] or Path(config["SEARCH_INDEX_DIR"]) / "hot-searches.sqlite3"
        )
        extensions[HOT] = search.HotSearches(
            Path(path),
            minimum=config["HOT_SEARCHES_MIN_COUNT"],
            days=config["HOT_SEARCHES_DAYS"],
            blocked=str(config["HOT_SEARCHES_BLOCKED"]).split(","),
        )
    return extensions[HOT]


def hot_searches() -> list[str]:
    """The hot searches to show: keywords that published documents still hold (asked of the
    index, so no request walks the catalogue's documents)."""
    counts = hot()
    candidates = counts.top(50)  # a few more than shown: some may be withdrawn since
    held = searcher().held_keywords(candidates, published=catalogue.current().slugs)
    return [k for k in candidates if k in held][:HOT_SHOWN]


def page_version(app: Flask) -> Callable[[], str]:
    """What a search page depends on besides the content: the live index generation, and the
    slot of hot searches (a search counts once a slot: its page is rendered again in the next)."""
    current = Path(app.config["SEARCH_INDEX_DIR"]) / search.CURRENT

    def version() -> str:
        try:
            generation = os.readlink(current)
        except OSError:
            generation = ""
        return f"{generation}/{int(hot(app).clock() // search.HOT_SLOT_SECONDS)}"

    return version
