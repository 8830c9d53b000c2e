"""Screenshots of the key pages in every colour scheme at 1280 and 320 px wide, for people to
look at: written to screenshots/ (git-ignored) as SCHEME/WIDTHpx/LOCALE-PAGE.png."""

from __future__ import annotations

import pytest
from PIL import Image

from .conftest import DESKTOP, NARROW, SCREENSHOTS
from .pages import KEY_PAGES, PAGES_BY_NAME, SCHEMES, cases, default_scheme_or_normal_size

WIDTHS = {"1280px": DESKTOP, "320px": NARROW}


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "width"),
    cases(
        "screenshot",
        pages=[PAGES_BY_NAME[name] for name in KEY_PAGES],
        scheme=SCHEMES,
        width=WIDTHS,
        only=default_scheme_or_normal_size,
    ),
)
def test_key_pages_are_screenshotted_for_people_to_look_at(
    open_page, page_type, locale, scheme, width
):
    """A full-page PNG at least as wide as the window is written for each key page (a page
    that is wider is the reflow tests' business, and worth seeing here)."""
    page = open_page(page_type, locale, scheme=scheme, viewport=WIDTHS[width])
    page.evaluate("document.fonts.ready.then(() => true)")
    path = SCREENSHOTS / scheme / width / f"{locale}-{page_type.name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True, animations="disabled")
    with Image.open(path) as image:
        assert image.width >= WIDTHS[width]["width"] and image.height > 0, f"{path} is empty"
