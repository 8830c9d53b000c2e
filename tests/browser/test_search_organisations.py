"""axe-core on search results with the 发布机构 (organisation) facet, which only a site of
several bodies shows: served from a copy of the fixture site with a township added
(tests/county.py), in both languages, every colour scheme, at 100% and 200% text."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from county import TOWN, add_township, copy_site
from werkzeug.serving import make_server

from portal import create_app
from portal.search import index_content

from .checks import axe_violations, describe_violations
from .conftest import BASE_URL, PagePool, QuietHandler
from .pages import SCHEMES, TEXT_SIZES, PageType, cases

COUNTY_PAGES = (
    PageType("search-organisation-facet", "/search?q=科技#results"),
    PageType("search-organisation-chosen", f"/search?q=科技&organisation={TOWN}&year=2024#results"),
)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The app on the fixture site with a township publishing beside the bureau (this module's
    own server: the session's serves tests/site as it is)."""
    root = tmp_path_factory.mktemp("county-site")
    content = add_township(copy_site(root / "content"))
    index_content(content, root / "search_index")
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(content),
            "SEARCH_INDEX_DIR": str(root / "search_index"),
            "BASE_URL": BASE_URL,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="county-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        searcher = app.extensions.get("portal.searcher")
        if searcher is not None:
            searcher.close()


@pytest.fixture(scope="module")
def page_pool(browser, live_server) -> Iterator[PagePool]:
    """This module's pool of read-only pages, on its own server."""
    pool = PagePool(browser, live_server)
    yield pool
    pool.close()


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "text_size"),
    cases("axe", pages=COUNTY_PAGES, scheme=SCHEMES, text_size=TEXT_SIZES),
)
def test_search_with_the_organisation_facet_has_no_axe_violations(
    open_page, axe_script, page_type, locale, scheme, text_size
):
    """No axe-core violation on results with the 发布机构 facet and hits naming their body."""
    page = open_page(
        page_type, locale, scheme=scheme, text_size=text_size, init_scripts=(axe_script,)
    )
    assert page.locator("input[name=organisation]").count() == 2
    assert page.locator(".document-meta .organisation").count() > 0
    violations = axe_violations(page)
    assert not violations, describe_violations(
        violations, page.url, f"{locale}, {text_size}% text, scheme {scheme}"
    )
