"""Search in the running site: one searcher per app, opened on first use and reused by every
request, an index keeper that brings the index in step with each new catalogue, and the
counts behind hot searches."""

import os
import time
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


def hot() -> search.HotSearches:
    """The app's hot-search counts, opened on first use."""
    extensions = current_app.extensions
    if HOT not in extensions:
        config = current_app.config
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
    """The hot searches to show: keywords that published documents still hold."""
    keywords = _keywords(catalogue.current())
    return hot().top(HOT_SHOWN, allowed=lambda k: search.fold(k) in keywords)


_KEYWORDS: dict[str, frozenset[str]] = {}


def _keywords(current) -> frozenset[str]:
    """The folded keywords of a catalogue's documents, worked out once per version."""
    found = _KEYWORDS.get(current.version)
    if found is None:
        found = frozenset(search.fold(k.strip()) for d in current.documents for k in d.keywords)
        _KEYWORDS.clear()
        _KEYWORDS[current.version] = found
    return found


def page_version(app: Flask) -> Callable[[], str]:
    """What a search page depends on besides the content: the live index generation, and the
    slot of hot searches (a search counts once a slot: its page is rendered again in the next)."""
    current = Path(app.config["SEARCH_INDEX_DIR"]) / search.CURRENT

    def version() -> str:
        try:
            generation = os.readlink(current)
        except OSError:
            generation = ""
        return f"{generation}/{int(time.time() // search.HOT_SLOT_SECONDS)}"

    return version
