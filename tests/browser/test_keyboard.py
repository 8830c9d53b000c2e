"""Keyboard-only journeys: Tab, Shift+Tab, Enter and Space (and typing a query), never the mouse.

Every Tab stop on the way must show visible focus (an outline or box-shadow) and focus must
never fall back to the body. The journey is split into steps, each starting where the previous
one ends, so that one broken step does not hide the others. Journeys that wait for features
still to come are listed in pages.JOURNEYS_TO_ADD.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

from .checks import assert_focus_visible, focus_state, tab_to
from .conftest import absolute
from .pages import PAGES_BY_NAME

QUERY = "科技特派员"
RESULTS = "#results"


def start(context, live_server: str, path: str) -> Page:
    """A new tab of the context at a path, focus still at the top of the page."""
    page = context.new_page()
    page.goto(absolute(live_server, path), wait_until="load")
    return page


def press_and_wait(page: Page, key: str) -> None:
    """Press a key that navigates (Enter on a link or a form) and wait for the new page."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def assert_focus_on_results(page: Page, step: str) -> None:
    """Focus is on the visible results heading, as site.js puts it for a URL ending #results."""
    state = assert_focus_visible(page, step)
    assert state["id"] == "results", (
        f"{step}: focus is on {state['description']}, not the results heading, at {page.url}"
    )


def test_searching_from_the_home_page_puts_focus_on_the_results_heading(fresh_context, live_server):
    """Skip link, home search box, type, Enter: the results open with focus on their heading."""
    page = start(fresh_context, live_server, "/")
    page.keyboard.press("Tab")
    state = assert_focus_visible(page, "first Tab")
    assert page.evaluate("document.activeElement.matches('a.skip-link[href=\"#main\"]')"), (
        f"the first Tab stop is {state['description']}, not the skip link"
    )
    page.keyboard.press("Enter")
    # The skip link moves focus to <main tabindex=-1>, a target for the next Tab rather than a
    # control, so it has no focus ring by design; the next Tab must reach the search box.
    assert focus_state(page)["id"] == "main", "the skip link did not move focus to <main>"
    tab_to(page, "#home-q", limit=3)
    page.keyboard.type(QUERY)
    press_and_wait(page, "Enter")
    assert "/search?" in page.url
    assert_focus_on_results(page, "after searching from the home page")


def test_applying_a_facet_by_keyboard_puts_focus_back_on_the_results_heading(
    fresh_context, live_server
):
    """From the results: Shift+Tab to a year checkbox, Space, Tab to Apply, Enter."""
    page = start(fresh_context, live_server, "/search?q=科技#results")
    assert_focus_on_results(page, "on opening search results at #results")
    tab_to(page, ".facets input[type=checkbox][name=year]", backwards=True)
    year = page.evaluate("document.activeElement.value")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), "Space did not tick the checkbox"
    tab_to(page, ".facets button[type=submit]")
    press_and_wait(page, "Enter")
    assert re.search(rf"[?&]year={year}(&|#|$)", page.url), f"year={year} not applied: {page.url}"
    assert page.url.endswith(RESULTS)
    assert_focus_on_results(page, "after applying a facet")
    assert page.evaluate(
        "(year) => document.querySelector(`.facets input[name=year][value='${year}']`).checked",
        year,
    ), "the applied facet is not shown ticked"


def test_opening_a_search_result_by_keyboard(fresh_context, live_server):
    """From the results heading, Tab to the first result and Enter opens that document."""
    page = start(fresh_context, live_server, f"/search?q={QUERY}#results")
    assert_focus_on_results(page, "on opening search results at #results")
    tab_to(page, ".search-results .document-list a", limit=5)
    href = page.evaluate("document.activeElement.getAttribute('href')")
    press_and_wait(page, "Enter")
    assert page.url.endswith(href), f"Enter on {href} opened {page.url}"
    assert page.locator("main h1").count() == 1
    page.keyboard.press("Tab")
    assert_focus_visible(page, "first Tab on the opened document")


def test_switching_language_by_keyboard_via_the_footer_link(fresh_context, live_server):
    """On a document, Tab to the footer's English link, Enter, and back to Chinese the same way."""
    document = PAGES_BY_NAME["document"]
    page = start(fresh_context, live_server, document.url("zh-Hans"))
    tab_to(page, "footer a[hreflang=en]", limit=200)
    press_and_wait(page, "Enter")
    assert page.url.endswith(absolute("", document.url("en")))
    assert page.evaluate("document.documentElement.lang") == "en"
    tab_to(page, "footer a[hreflang='zh-Hans']", limit=200)
    press_and_wait(page, "Enter")
    assert page.url.endswith(absolute("", document.url("zh-Hans")))
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
