"""Suggestions while typing in the search box, in a real browser: axe with the list open in
every language, colour scheme and text size, and a keyboard journey (type, arrow keys,
Escape, Enter) in which focus never leaves the box and the count is announced."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from .checks import axe_violations, describe_violations, tab_to
from .conftest import DESKTOP, visit
from .pages import LOCALES, SCHEMES, TEXT_SIZES, PageType
from .test_keyboard import press_and_wait, start

SEARCH = PageType("search-suggest", "/search?q=")
BOX = "#search-q"
TYPED = "科技特"
FIRST = "科技特派员"


def box_state(page: Page) -> dict:
    """What the search box says to assistive technology."""
    return page.evaluate(
        """(box) => {
          const input = document.querySelector(box);
          const listbox = document.getElementById(input.getAttribute('aria-controls'));
          const active = document.getElementById(input.getAttribute('aria-activedescendant'));
          return {
            focused: document.activeElement === input,
            role: input.getAttribute('role'),
            expanded: input.getAttribute('aria-expanded'),
            listShown: !!listbox && !listbox.hidden,
            options: listbox ? [...listbox.querySelectorAll('[role=option]')]
              .map((option) => option.getAttribute('data-text')) : [],
            active: active ? active.getAttribute('data-text') : null,
            activeSelected: active ? active.getAttribute('aria-selected') : null,
            text: input.value,
          };
        }""",
        BOX,
    )


def open_suggestions(page: Page) -> None:
    """Type into the box and wait for the list."""
    page.locator(BOX).click()
    page.keyboard.type(TYPED)
    expect(page.locator(f"{BOX}-suggestions")).to_be_visible()


@pytest.mark.parametrize("text_size", TEXT_SIZES)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("locale", LOCALES)
def test_the_open_list_of_suggestions_has_no_axe_violations(
    page_pool, live_server, axe_script, locale, scheme, text_size
):
    page = page_pool.page(scheme, text_size, DESKTOP, {}, (axe_script,))
    visit(page, live_server, SEARCH, locale)
    settings = f"{locale}, {text_size}% text, scheme {scheme}"
    assert page.locator(BOX).get_attribute("role") == "combobox"
    open_suggestions(page)
    page.keyboard.press("ArrowDown")
    state = box_state(page)
    assert state["listShown"] and state["active"] == FIRST, state
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, page.url, f"list open, {settings}")
    page.keyboard.press("Escape")
    page.locator(BOX).fill("")


def test_choosing_a_suggestion_with_the_keyboard(fresh_context, live_server):
    page = start(fresh_context, live_server, "/search")
    tab_to(page, BOX, limit=40)
    state = box_state(page)
    assert (state["role"], state["expanded"]) == ("combobox", "false")
    assert f"{BOX[1:]}-suggest-hint" in page.locator(BOX).get_attribute("aria-describedby")

    # Typing lists suggestions and says how many, without taking focus from the box.
    page.keyboard.type(TYPED)
    status = page.locator(f"{BOX}-suggestions-status")
    expect(status).to_contain_text("条搜索建议")
    state = box_state(page)
    assert (state["expanded"], state["active"], state["focused"]) == ("true", None, True)
    assert state["options"][0] == FIRST and len(state["options"]) > 1, state
    expect(page.get_by_role("listbox", name="搜索建议")).to_be_visible()

    # The arrow keys move through them; focus stays in the box.
    page.keyboard.press("ArrowDown")
    state = box_state(page)
    assert (state["active"], state["activeSelected"], state["focused"]) == (FIRST, "true", True)
    page.keyboard.press("ArrowUp")  # before the first: the last
    assert box_state(page)["active"] == state["options"][-1]

    # Escape closes the list and keeps the text; again, clears it.
    page.keyboard.press("Escape")
    state = box_state(page)
    assert (state["listShown"], state["expanded"], state["text"], state["focused"]) == (
        False,
        "false",
        TYPED,
        True,
    )
    page.keyboard.press("Escape")
    assert box_state(page)["text"] == ""

    # Enter on the text searches for the text as typed, the list open or not.
    page.keyboard.type(TYPED)
    expect(page.locator(f"{BOX}-suggestions")).to_be_visible()
    press_and_wait(page, "Enter")
    assert parse_qs(urlsplit(page.url).query)["q"] == [TYPED]

    # Down Arrow to a suggestion, Enter: a search for it. (Focus is on the results heading.)
    tab_to(page, BOX, limit=40, backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.type(TYPED)
    expect(page.locator(f"{BOX}-suggestions")).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = box_state(page)["active"]
    press_and_wait(page, "Enter")
    assert parse_qs(urlsplit(page.url).query)["q"] == [chosen]
    assert page.locator(BOX).input_value() == chosen


def test_the_home_search_box_offers_suggestions_too(fresh_context, live_server):
    page = start(fresh_context, live_server, "/")
    page.locator("#home-q").click()
    page.keyboard.type(TYPED)
    expect(page.locator("#home-q-suggestions")).to_be_visible()
    assert page.locator("#home-q").get_attribute("aria-expanded") == "true"
