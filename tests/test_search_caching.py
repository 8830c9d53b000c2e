"""Search answers in browsers and caches: the results page and its JSON twins are asked for
again at every use (`no-cache`), so a document withdrawn a moment ago never comes back from a
copy kept in a browser or a proxy; asking again is a 304 until the content or the index
changes, answered from the page cache's key without rendering."""

import contextlib
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import template_rendered

from portal import create_app
from portal.search import index_content

SLUG = "2024-tech-commissioner-measures"
TITLE = "关于印发《示例县科技特派员管理办法》的通知"
SEARCH = "/search?q=" + quote("科技特派员")
SUGGEST = "/api/search/suggest?q=" + quote("管理办")
LIVE = [
    SEARCH,
    "/en" + SEARCH,
    "/search",
    "/api/search?q=" + quote("科技特派员"),
    SUGGEST,
    "/en" + SUGGEST,
]


@contextlib.contextmanager
def renders(app):
    """The templates the app renders inside the block."""
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


@pytest.fixture
def indexed(app, site):
    """The app with its search index built."""
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    return app


def again(client, path: str, earlier):
    """path asked for again by a browser holding the earlier answer."""
    return client.get(path, headers={"If-None-Match": earlier.headers["ETag"]})


def withdraw(app, site) -> None:
    """Delete the document's file, as an editor withdrawing it does, and let the site see it
    and bring its index in step."""
    (site / "policy" / f"{SLUG}.md").unlink()
    app.extensions["portal.catalogue"].refresh()
    app.extensions["portal.index_keeper"].wait(60)


@pytest.mark.parametrize("path", LIVE)
def test_search_answers_are_asked_for_again_at_every_use(indexed, path):
    response = indexed.test_client().get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert response.headers["ETag"]


@pytest.mark.parametrize("path", ["/", "/catalogue/", f"/documents/{SLUG}/", "/en/catalogue/"])
def test_pages_of_the_content_may_still_be_kept_for_page_max_age(indexed, path):
    response = indexed.test_client().get(path)
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_repeated_search_is_a_304_without_rendering(indexed):
    client = indexed.test_client()
    first = client.get(SEARCH)
    assert f"/documents/{SLUG}/" in first.get_data(as_text=True)
    with renders(indexed) as rendered:
        repeat = again(client, SEARCH, first)
    assert repeat.status_code == 304 and repeat.data == b""
    assert rendered == []
    assert repeat.headers["Cache-Control"] == "public, no-cache"


def test_a_worker_that_never_rendered_the_search_answers_304_with_the_same_headers(
    indexed, site, tmp_path
):
    first = indexed.test_client().get(SEARCH)
    worker = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": indexed.config["SEARCH_INDEX_DIR"],
            "BASE_URL": indexed.config["BASE_URL"],
            "DATABASE_URL": indexed.config["DATABASE_URL"],
        }
    )
    try:
        with renders(worker) as rendered:
            repeat = again(worker.test_client(), SEARCH, first)
        assert repeat.status_code == 304 and rendered == []
        assert repeat.headers["Cache-Control"] == "public, no-cache"
    finally:
        if "portal.searcher" in worker.extensions:  # opened on a worker's first search
            worker.extensions["portal.searcher"].close()


@pytest.mark.parametrize("path", [SEARCH, "/en" + SEARCH, "/api/search?q=" + quote("科技特派员")])
def test_after_a_withdrawal_the_old_copy_is_not_current_and_the_answer_lists_it_no_more(
    indexed, site, path
):
    client = indexed.test_client()
    first = client.get(path)
    assert SLUG in first.get_data(as_text=True)
    assert again(client, path, first).status_code == 304
    withdraw(indexed, site)
    after = again(client, path, first)
    assert after.status_code == 200
    assert SLUG not in after.get_data(as_text=True)
    assert after.headers["ETag"] != first.headers["ETag"]
    assert again(client, path, after).status_code == 304  # and now that answer is current


def test_after_a_withdrawal_its_title_is_suggested_no_more(indexed, site):
    client = indexed.test_client()
    first = client.get(SUGGEST)
    assert TITLE in [s["text"] for s in first.get_json()["suggestions"]]
    assert again(client, SUGGEST, first).status_code == 304
    withdraw(indexed, site)
    after = again(client, SUGGEST, first)
    assert after.status_code == 200
    assert TITLE not in [s["text"] for s in after.get_json()["suggestions"]]
    assert again(client, SUGGEST, after).status_code == 304
