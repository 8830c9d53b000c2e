"""The pages of a platform of several bodies in a real browser: axe-core on the list of bodies
and on a body's column (one with documents, contact data and a failing report, one that has
published nothing), in both languages, at 100% and 200% text and in every colour scheme; and
reflow at 320px and 200% text (a body's 公开目录 scrolls in its own region). The site is
tests/site with the fixture organisations laid over it (tests/county.py)."""

from __future__ import annotations

import pytest
from county import add_organisations, copy_site

from .checks import OVERFLOWING, TABLES, axe_violations, describe_violations
from .conftest import DESKTOP, NARROW, PagePool, open_in, serve_content
from .pages import LAYOUT_SCHEMES, SCHEMES, TEXT_SIZES, PageType, cases

PLATFORM_PAGES = (
    PageType("platform-organisations", "/organisations/"),
    PageType("platform-organisation", "/organisations/county-office/"),
    PageType("platform-organisation-empty", "/organisations/east-town/"),
    PageType("platform-browse-organisation", "/catalogue/?organisation=county-office&year=2024"),
    PageType("platform-document", "/documents/county-office-plan/"),
)


@pytest.fixture(scope="module")
def platform_server(tmp_path_factory):
    """The app on the fixture site with the fixture organisations; yields its base URL."""
    content = add_organisations(copy_site(tmp_path_factory.mktemp("platform-site") / "content"))
    with serve_content(content) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def platform_pool(browser, platform_server):
    """Read-only browser pages for the platform site, one per combination of settings."""
    pool = PagePool(browser, platform_server)
    yield pool
    pool.close()


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "text_size"),
    cases("axe", pages=PLATFORM_PAGES, scheme=SCHEMES, text_size=TEXT_SIZES),
)
def test_the_pages_of_a_platform_have_no_axe_violations(
    platform_pool, platform_server, axe_script, page_type, locale, scheme, text_size
):
    """No axe-core violation on the bodies' pages, in any language, size or scheme."""
    page = open_in(
        platform_pool,
        platform_server,
        page_type,
        locale,
        scheme=scheme,
        text_size=text_size,
        init_scripts=(axe_script,),
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(
        violations, page.url, f"{locale}, {text_size}% text, scheme {scheme}"
    )


# As tests/browser/test_reflow.py: WCAG's reflow width, and 200% text on a desktop and a phone.
LAYOUTS = {
    "320px": (NARROW, 100),
    "1280px-text200": (DESKTOP, 200),
    "320px-text200": (NARROW, 200),
}


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "layout"),
    cases("reflow", pages=PLATFORM_PAGES, scheme=LAYOUT_SCHEMES, layout=LAYOUTS),
)
def test_the_pages_of_a_platform_never_scroll_sideways(
    platform_pool, platform_server, page_type, locale, scheme, layout
):
    """No page is wider than the window; a table wider than its region scrolls in it."""
    viewport, text_size = LAYOUTS[layout]
    page = open_in(
        platform_pool,
        platform_server,
        page_type,
        locale,
        scheme=scheme,
        text_size=text_size,
        viewport=viewport,
    )
    found = page.evaluate(OVERFLOWING)
    assert found["scrollWidth"] <= found["innerWidth"] and not found["overflowing"], (
        f"{page.url} ({layout}) is wider than the window:\n" + "\n".join(found["overflowing"])
    )
    for table in page.evaluate(TABLES):
        if table["inRegion"] and table["tableWidth"] <= table["regionWidth"]:
            continue
        assert table["inRegion"] and table["regionScrolls"], (page.url, layout, table)
        assert table["regionFocusable"] and table["regionName"], (page.url, layout, table)
