"""The website's yearly form (政府网站工作年度报表) in Chromium, on the fixture site with two forms
added (tests/website_forms.py): axe in every colour scheme and the care mode at 100% and 200%
text, in both languages, on the form, the list of forms and the document page that carries the
form; readable on a phone at 200% text (no sideways scrolling of the page, no header under four
characters); targets large enough to hit and no small text in care mode; and the table reached
and scrolled with the keyboard alone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from website_forms import FILLED, add_form

from .checks import (
    HEADER_WIDTHS,
    OVERFLOWING,
    SMALL_TARGETS,
    SMALL_TEXT,
    assert_focus_visible,
    axe_violations,
    describe_violations,
    tab_to,
)
from .conftest import DESKTOP, NARROW, SITE_CONTENT, PagePool, check_text_size, serve_content, visit
from .pages import LOCALES, SCHEMES, TEXT_SIZES, PageType, cases
from .test_keyboard import press_and_wait, start

FORM = PageType("website-report", "/website-reports/2024/")
FORMS = PageType("website-reports", "/website-reports/")
DOCUMENT = PageType("website-report-document", "/documents/website-report-2024/")
PAGES = (FORM, FORMS, DOCUMENT)
PHONE = {"width": 390, "height": 844}
TARGETS = {"default": 44, "care": 60}


@pytest.fixture(scope="module")
def form_server(tmp_path_factory) -> Iterator[str]:
    """The app on the fixture site with the forms covering 2023 and 2024 (2024's with a row
    not filled in)."""
    content = tmp_path_factory.mktemp("browser-website-report") / "content"
    shutil.copytree(SITE_CONTENT, content)
    add_form(content, 2023, date="2024-01-25")
    add_form(content, 2024, {**FILLED, "unique_visitors": None})
    with serve_content(content) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def form_pool(browser, form_server) -> Iterator[PagePool]:
    """Read-only pages of the site, one per combination of settings."""
    pool = PagePool(browser, form_server)
    yield pool
    pool.close()


def open_form(pool, base_url, page_type, locale, scheme="default", text_size=100, **settings):
    page = pool.page(
        scheme, text_size, settings.get("viewport", DESKTOP), {}, settings.get("scripts", ())
    )
    visit(page, base_url, page_type, locale)
    if text_size != 100:
        check_text_size(page, text_size)
    return page


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "text_size"),
    cases("axe", pages=PAGES, scheme=SCHEMES, text_size=TEXT_SIZES),
)
def test_the_form_pages_have_no_axe_violations(
    form_pool, form_server, axe_script, page_type, locale, scheme, text_size
):
    """No axe-core violation, in any language, text size or scheme (care mode included)."""
    page = open_form(
        form_pool, form_server, page_type, locale, scheme, text_size, scripts=(axe_script,)
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(
        violations, page.url, f"{locale}, {text_size}% text, scheme {scheme}"
    )


@pytest.mark.parametrize("scheme", tuple(TARGETS))
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("viewport", [NARROW, PHONE], ids=["320px", "390px"])
def test_the_form_is_readable_on_a_phone_at_200_percent_text(
    form_pool, form_server, locale, scheme, viewport
):
    """The page never scrolls sideways, and no header cell of the table is narrower than about
    four characters: the two columns fit, or the table scrolls in its own region."""
    page = open_form(form_pool, form_server, FORM, locale, scheme, 200, viewport=viewport)
    found = page.evaluate(OVERFLOWING)
    assert found["scrollWidth"] <= found["innerWidth"], found
    # What the page itself shows; the header's settings panel, shut, is the toolbar's own test.
    cut_off = [element for element in found["overflowing"] if element.startswith("main")]
    assert not cut_off, f"{page.url} ({scheme}): content cut off at the right edge: {cut_off}"
    headers = page.evaluate(HEADER_WIDTHS)
    assert len(headers) > 60  # not vacuous: every row header of the form is measured
    narrow = [header for header in headers if header["characters"] < 3.9]
    assert not narrow, f"{page.url} ({scheme}): header cells under four characters: {narrow}"


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme"), cases("targets", pages=PAGES, scheme=tuple(TARGETS))
)
def test_every_target_is_large_enough_to_hit(form_pool, form_server, page_type, locale, scheme):
    """44 x 44 CSS px, 60 x 60 in care mode, for every link, button and focusable region."""
    page = open_form(form_pool, form_server, page_type, locale, scheme)
    small = page.evaluate(SMALL_TARGETS, TARGETS[scheme])
    assert not small, f"{page.url} ({scheme}): targets under {TARGETS[scheme]}px:\n" + "\n".join(
        small
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_no_text_under_18px_in_care_mode(form_pool, form_server, locale):
    page = open_form(form_pool, form_server, FORM, locale, "care")
    small = page.evaluate(SMALL_TEXT, 18)
    assert not small, f"{page.url}: text under 18px in care mode:\n" + "\n".join(small[:20])


def test_the_form_is_reached_from_the_home_page_and_read_by_keyboard(browser, form_server):
    """Tab only: the home page's link to the forms, a year, the table's region (which takes
    focus), and the document the form was published as, which shows the table too."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = start(context, form_server, "/")
        tab_to(page, "main a[href='/website-reports/']", limit=120)
        press_and_wait(page, "Enter")
        tab_to(page, "main a[href='/website-reports/2024/']", limit=60)
        press_and_wait(page, "Enter")
        assert page.locator("h1").inner_text() == "政府网站工作年度报表（2024年度）"
        state = tab_to(page, ".table-scroll[aria-labelledby='form-caption']", limit=60)
        assert_focus_visible(page, "the table's region", state)
        page = start(context, form_server, "/website-reports/2024/")
        tab_to(page, "main a[href='/documents/website-report-2024/']", limit=60)
        press_and_wait(page, "Enter")
        assert page.locator("main table.website-form caption").is_visible()
    finally:
        context.close()
