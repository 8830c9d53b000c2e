"""What an inspector looks at first, in a real browser: the footer naming who runs the site, a
document no longer in force with its notice, the document that replaced it, the catalogue and
search filtered by validity, and an empty column saying why. axe-core in both languages, at
100% and 200% text and in every colour scheme and the care mode; targets large enough in both
modes; no sideways scrolling at 320px. The site is tests/site with every identity setting and a
repealed measure."""

from __future__ import annotations

import shutil

import pytest
from test_site_identity import IDENTITY
from test_validity import repealed

from .checks import OVERFLOWING, SMALL_TARGETS, axe_violations, describe_violations
from .conftest import NARROW, SITE_CONTENT, PagePool, open_in, serve_content
from .pages import SCHEMES, TEXT_SIZES, PageType, cases

INSPECTED_PAGES = (
    PageType("repealed-document", "/documents/2022-tech-commissioner-interim/"),
    PageType("replacing-document", "/documents/2024-tech-commissioner-measures/"),
    PageType("browse-in-force", "/catalogue/normative-documents/?validity=in-force"),
    PageType("search-validity", "/search?q=科技特派员&validity=repealed#results"),
    PageType("empty-column", "/catalogue/fees/"),
)
TARGETS = {"default": 44, "care": 60}


@pytest.fixture(scope="module")
def inspected_server(tmp_path_factory):
    """The fixture site with a repealed measure and every identity setting; its base URL."""
    content = tmp_path_factory.mktemp("inspected-site") / "content"
    shutil.copytree(SITE_CONTENT, content)
    with serve_content(repealed(content), **IDENTITY) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def inspected_pool(browser, inspected_server):
    pool = PagePool(browser, inspected_server)
    yield pool
    pool.close()


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "text_size"),
    cases("axe", pages=INSPECTED_PAGES, scheme=SCHEMES, text_size=TEXT_SIZES),
)
def test_the_pages_inspectors_read_have_no_axe_violations(
    inspected_pool, inspected_server, axe_script, page_type, locale, scheme, text_size
):
    page = open_in(
        inspected_pool,
        inspected_server,
        page_type,
        locale,
        scheme=scheme,
        text_size=text_size,
        init_scripts=(axe_script,),
    )
    assert page.locator("footer .site-identity").count() == 1
    violations = axe_violations(page)
    assert not violations, describe_violations(
        violations, page.url, f"{locale}, {text_size}% text, scheme {scheme}"
    )


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme"),
    cases("targets", pages=INSPECTED_PAGES, scheme=tuple(TARGETS)),
)
def test_the_pages_inspectors_read_have_targets_large_enough(
    inspected_pool, inspected_server, page_type, locale, scheme
):
    page = open_in(inspected_pool, inspected_server, page_type, locale, scheme=scheme)
    small = page.evaluate(SMALL_TARGETS, TARGETS[scheme])
    assert not small, f"{page.url} ({scheme}): targets under {TARGETS[scheme]}px:\n" + "\n".join(
        small
    )


@pytest.mark.parametrize(("page_type", "locale"), cases("reflow", pages=INSPECTED_PAGES))
def test_the_pages_inspectors_read_never_scroll_sideways_at_320px(
    inspected_pool, inspected_server, page_type, locale
):
    page = open_in(inspected_pool, inspected_server, page_type, locale, viewport=NARROW)
    found = page.evaluate(OVERFLOWING)
    assert found["scrollWidth"] <= found["innerWidth"], (page.url, found["overflowing"])
