"""The care mode (关怀版) and the sizes the 适老化 norm asks for, measured in a real browser: every
click target at least 44 x 44 CSS px (60 x 60 in care mode), no text under 18 px in care mode,
paragraphs set apart by more than their line height, report tables readable on a phone at 200%
text; one button turns care mode on, with or without JavaScript, and it stays until turned off.
(axe runs in care mode with every other scheme: test_axe.py.)"""

from __future__ import annotations

import pytest

from .checks import HEADER_WIDTHS, PARAGRAPH_GAPS, SMALL_TARGETS, SMALL_TEXT
from .conftest import DESKTOP, absolute, new_context
from .pages import LOCALES, PAGES, PAGES_BY_NAME, cases

# Minimum target size in CSS px, by mode.
TARGETS = {"default": 44, "care": 60}
PHONE = {"width": 390, "height": 844}
PUBLIC_PAGES = tuple(page for page in PAGES if page.public)


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme"), cases("targets", pages=PUBLIC_PAGES, scheme=tuple(TARGETS))
)
def test_every_target_is_large_enough_to_hit(open_page, page_type, locale, scheme):
    """Every focusable element's box is at least 44 x 44 CSS px, 60 x 60 in care mode; a link
    inside a sentence is exempt (WCAG 2.5.8), every other link, button and field is not."""
    page = open_page(page_type, locale, scheme=scheme)
    small = page.evaluate(SMALL_TARGETS, TARGETS[scheme])
    assert not small, f"{page.url} ({scheme}): targets under {TARGETS[scheme]}px:\n" + "\n".join(
        small
    )


@pytest.mark.parametrize("scheme", tuple(TARGETS))
def test_the_reading_settings_buttons_are_large_enough_to_hit(browser, live_server, scheme):
    """The settings panel, open, in both modes (its buttons are no targets while it is shut)."""
    context = new_context(browser, live_server, scheme)
    try:
        page = context.new_page()
        page.goto(absolute(live_server, "/"), wait_until="load")
        page.click("details.prefs > summary")
        small = page.evaluate(SMALL_TARGETS, TARGETS[scheme])
        assert not small, f"targets under {TARGETS[scheme]}px ({scheme}):\n" + "\n".join(small)
    finally:
        context.close()


@pytest.mark.parametrize(("page_type", "locale"), cases("care-text", pages=PUBLIC_PAGES))
def test_no_text_under_18px_in_care_mode(open_page, page_type, locale):
    page = open_page(page_type, locale, scheme="care")
    small = page.evaluate(SMALL_TEXT, 18)
    assert not small, f"{page.url}: text under 18px in care mode:\n" + "\n".join(small[:20])


@pytest.mark.parametrize("scheme", tuple(TARGETS))
@pytest.mark.parametrize("locale", LOCALES)
def test_paragraphs_are_set_apart_by_more_than_their_line_height(open_page, locale, scheme):
    """Between two paragraphs more space than between two lines: the next paragraph starts at
    least 1.3 line heights below the last line of the one before (in care mode the gap itself
    is 1.3 line heights)."""
    page = open_page(PAGES_BY_NAME["annual-report"], locale, scheme=scheme)
    gaps = page.evaluate(PARAGRAPH_GAPS)
    assert len(gaps) >= 2, gaps  # not vacuous: the report has paragraphs one after another
    needed = 1.3 if scheme == "care" else 0.3
    for found in gaps:
        assert found["gap"] >= needed * found["lineHeight"] - 0.5, (page.url, scheme, found)


@pytest.mark.parametrize("scheme", tuple(TARGETS))
@pytest.mark.parametrize("locale", LOCALES)
def test_report_table_headers_stay_readable_on_a_phone_at_200_percent(open_page, locale, scheme):
    """At 390 px and 200% text no header cell of a report table is narrower than about four
    characters: 本年制发件数 no longer stands one character per line."""
    page = open_page(
        PAGES_BY_NAME["annual-report"], locale, scheme=scheme, text_size=200, viewport=PHONE
    )
    headers = page.evaluate(HEADER_WIDTHS)
    assert headers
    narrow = [header for header in headers if header["characters"] < 3.9]
    assert not narrow, f"{page.url} ({scheme}): header cells under four characters: {narrow}"


def saved(response) -> bool:
    """Whether a response is the answer to a change of the preferences."""
    return response.url.endswith("/preferences") and response.request.method == "POST"


def html_classes(page) -> set[str]:
    return set(page.evaluate("document.documentElement.className").split())


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_one_button_turns_care_mode_on_and_it_stays_until_turned_off(
    browser, live_server, javascript
):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(absolute(live_server, "/"), wait_until="load")
        button = page.locator("button[name=care]")
        assert button.inner_text().strip() == "关怀版"
        assert button.get_attribute("aria-pressed") == "false"
        with page.expect_response(saved):  # posted in the background with JavaScript
            button.click()
        page.wait_for_function("document.documentElement.classList.contains('care-on')")
        assert page.locator("button[name=care]").get_attribute("aria-pressed") == "true"
        # It stays: on the next page, and after the browser is reopened on the site.
        page.goto(absolute(live_server, "/catalogue/"), wait_until="load")
        assert "care-on" in html_classes(page)
        with page.expect_response(saved):
            page.locator("button[name=care]").click()
        page.wait_for_function("!document.documentElement.classList.contains('care-on')")
        page.goto(absolute(live_server, "/reports/"), wait_until="load")
        assert "care-on" not in html_classes(page)
    finally:
        context.close()
