"""Reflow (WCAG 1.4.10) and resized text (1.4.4): at 320 CSS px, and at 200% text, no page scrolls
sideways; a table wider than the screen scrolls inside its own region instead."""

from __future__ import annotations

import pytest

from .checks import BROKEN_COUNTS, OVERFLOWING, TABLES
from .conftest import DESKTOP, NARROW
from .pages import LAYOUT_SCHEMES, LOCALES, PAGES_BY_NAME, cases

# name: (viewport, text size in %). 320 px is WCAG's reflow width (1280 px at 400% zoom); 200%
# text is the browser's font-size setting, on a desktop and, the hardest case, on a phone.
LAYOUTS = {
    "320px": (NARROW, 100),
    "1280px-text200": (DESKTOP, 200),
    "320px-text200": (NARROW, 200),
}


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "layout"),
    cases("reflow", scheme=LAYOUT_SCHEMES, layout=LAYOUTS),
)
def test_no_page_scrolls_sideways_at_320px_or_200_percent_text(
    open_page, page_type, locale, scheme, layout
):
    """The page is never wider than the window, and every wide table scrolls in its region."""
    viewport, text_size = LAYOUTS[layout]
    page = open_page(page_type, locale, scheme=scheme, text_size=text_size, viewport=viewport)
    found = page.evaluate(OVERFLOWING)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{page.url} ({layout}, scheme {scheme}) scrolls sideways: the document is "
        f"{found['scrollWidth']}px wide in a {found['innerWidth']}px window; sticking out:\n"
        + "\n".join(found["overflowing"])
    )
    assert not found["overflowing"], (
        f"{page.url} ({layout}): content is cut off at the right edge:\n"
        + "\n".join(found["overflowing"])
    )
    broken = page.evaluate(BROKEN_COUNTS)
    assert not broken, f"{page.url} ({layout}): counts broken over lines: {broken}"
    for table in page.evaluate(TABLES):
        if table["inRegion"] and table["tableWidth"] <= table["regionWidth"]:
            continue
        assert table["inRegion"] and table["regionScrolls"], (
            f"{page.url} ({layout}): table {table['caption']!r} is {table['tableWidth']}px wide "
            "and not inside a .table-scroll region that scrolls sideways"
        )
        assert table["regionFocusable"] and table["regionName"], (
            f"{page.url} ({layout}): the scrolling region of table {table['caption']!r} needs "
            "tabindex=0 and a name, so keyboard users can scroll it"
        )


@pytest.mark.parametrize("locale", LOCALES)
def test_wide_report_tables_scroll_inside_their_own_focusable_region_at_320px(open_page, locale):
    """At 320px the annual report's wide tables are wider than their region, which scrolls."""
    page = open_page(PAGES_BY_NAME["annual-report"], locale, viewport=NARROW)
    tables = page.evaluate(TABLES)
    wide = [table for table in tables if table["tableWidth"] > (table["regionWidth"] or 0)]
    # Not vacuous: the report has tables that cannot fit 320px, so the region check above
    # really is exercised.
    assert wide, f"no table of {page.url} is wider than its region at 320px: {tables}"
    for table in wide:
        assert table["inRegion"] and table["regionScrolls"] and table["regionFocusable"], table
    scrolled = page.evaluate("""() => {
      const region = [...document.querySelectorAll("main .table-scroll")]
        .find((element) => element.scrollWidth > element.clientWidth);
      region.scrollLeft = 100;
      return region.scrollLeft;
    }""")
    assert scrolled > 0, "the wide table's region does not scroll sideways"
