"""Search in the running site: one searcher per app, opened on first use and reused by every
request, and an index keeper that brings the index in step with each new catalogue."""

from pathlib import Path

from flask import Flask, current_app

from portal import search
from portal.wiring import catalogue

SEARCHER = "portal.searcher"
KEEPER = "portal.index_keeper"


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
