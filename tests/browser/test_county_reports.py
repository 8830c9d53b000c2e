"""The county report page on a county of several bodies (tests/county.py: on time, late,
undated, overdue, failing its data check, sample and real): axe in every colour scheme at 100%
and 200% text in both languages, and the page used with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from county import report_county

from portal import workflow

from .checks import assert_focus_visible, axe_violations, describe_violations, tab_to
from .conftest import PagePool, check_text_size, serve_content, visit
from .pages import SCHEMES, TEXT_SIZES, PageType, cases
from .test_keyboard import press_and_wait, start

COUNTY = PageType("county-reports-county", "/reports/county/2024/")


@pytest.fixture(scope="module")
def county_server(tmp_path_factory) -> Iterator[str]:
    """The app on the county fixture site."""
    root = tmp_path_factory.mktemp("browser-county")
    content = report_county(root / "content")
    with serve_content(content) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def county_pool(browser, county_server) -> Iterator[PagePool]:
    """Read-only pages of the county site, one per combination of settings."""
    pool = PagePool(browser, county_server)
    yield pool
    pool.close()


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "text_size"),
    cases("axe", pages=(COUNTY,), scheme=SCHEMES, text_size=TEXT_SIZES),
)
def test_the_county_report_page_has_no_axe_violations(
    county_pool, county_server, axe_script, page_type, locale, scheme, text_size
):
    """No axe-core violation on a county's page, in any language, size or scheme."""
    page = county_pool.page(scheme, text_size, {"width": 1280, "height": 900}, {}, (axe_script,))
    visit(page, county_server, page_type, locale)
    if text_size != 100:
        check_text_size(page, text_size)
    violations = axe_violations(page)
    assert not violations, describe_violations(
        violations, page.url, f"{locale}, {text_size}% text, scheme {scheme}"
    )


def test_the_county_report_page_works_by_keyboard(fresh_context, county_server):
    """Tab only: a year link, the status table, a report link, a failing report's problems,
    and the downloads of the sums."""
    page = start(fresh_context, county_server, COUNTY.path)
    tab_to(page, ".year-nav a[href='/reports/county/2023/']", limit=120)
    press_and_wait(page, "Enter")
    assert page.url.endswith("/reports/county/2023/")
    assert "2023" in page.locator("h1").inner_text()

    # The status table scrolls in its own region, which takes focus; then its report links.
    state = tab_to(page, ".table-scroll[aria-labelledby='standing-caption']", limit=120)
    assert "tabindex" in state["description"]
    tab_to(page, "table.county-table a[href='/documents/transport-report-2023/']", limit=10)
    press_and_wait(page, "Enter")
    assert page.url.endswith("/documents/transport-report-2023/")
    page.keyboard.press("Tab")
    assert_focus_visible(page, "first Tab on the opened report")

    page = start(fresh_context, county_server, COUNTY.path)
    tab_to(page, "table.county-table a[href$='#report-validation']", limit=160)
    press_and_wait(page, "Enter")
    assert page.url.endswith("/documents/qingshan-report-2024/#report-validation")
    assert page.locator("#report-validation").is_visible()

    page = start(fresh_context, county_server, COUNTY.path)
    tab_to(page, "a[href='/reports/county/2024/summary.csv']", limit=200)
    tab_to(page, "a[href='/reports/county/2024/summary.json']", limit=2)
    # The tables of the sums follow, each in a region the keyboard can scroll.
    tab_to(page, ".report-table-scroll", limit=3)


def test_a_year_with_nothing_to_add_up_passes_axe_and_offers_no_download(
    county_pool, county_server, axe_script
):
    """The year now due, for which no body of the fixture has published yet."""
    due = PageType("county-reports-due", f"/reports/county/{workflow.china_today().year - 1}/")
    page = county_pool.page("default", 100, {"width": 1280, "height": 900}, {}, (axe_script,))
    visit(page, county_server, due, "zh-Hans")
    assert page.locator("a[href$='summary.csv']").count() == 0
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, page.url, "no sums")
