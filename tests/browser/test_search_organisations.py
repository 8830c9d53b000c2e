"""axe-core on search results with the 发布机构 (organisation) facet, which only a site of
several bodies shows: served from a copy of the fixture site with a township added
(tests/county.py), in both languages, every colour scheme, at 100% and 200% text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from county import TOWN, add_township, copy_site

from .checks import axe_violations, describe_violations
from .conftest import PagePool, serve_content
from .pages import SCHEMES, TEXT_SIZES, PageType, cases

COUNTY_PAGES = (
    PageType("search-organisation-facet", "/search?q=科技#results"),
    PageType("search-organisation-chosen", f"/search?q=科技&organisation={TOWN}&year=2024#results"),
)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The app on the fixture site with a township publishing beside the bureau (this module's
    own server: the session's serves tests/site as it is)."""
    content = add_township(copy_site(tmp_path_factory.mktemp("county-site") / "content"))
    with serve_content(content) as base_url:
        yield base_url


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
