"""The site's search wiring: the search package itself knows nothing of Flask."""

from pathlib import Path

from flask import Flask

from portal.search import IndexKeeper


def init_app(app: Flask) -> None:
    """Keep the app's search index in step with its catalogue while it runs."""
    keeper = IndexKeeper(Path(app.config["SEARCH_INDEX_DIR"]), Path(app.config["CONTENT_DIR"]))
    app.extensions["portal.index_keeper"] = keeper
    app.extensions["portal.catalogue"].subscribe(keeper.catalogue_changed)
