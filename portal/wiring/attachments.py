"""The text of attachments in the running site: read from what the indexer extracted and kept
beside the search index. A request only ever reads it; extraction happens off the request path,
in a child process of `portal index` or of the index keeper."""

from pathlib import Path

from flask import current_app

from portal.extraction import TEXT_FOLDER, TextStore

TEXTS = "portal.attachment_texts"


def texts() -> TextStore:
    """The app's store of extracted attachment texts (made on first use)."""
    extensions = current_app.extensions
    if TEXTS not in extensions:
        extensions[TEXTS] = TextStore(Path(current_app.config["SEARCH_INDEX_DIR"]) / TEXT_FOLDER)
    return extensions[TEXTS]
