"""The operating system's settings, as CSS media features: forced colours (Windows contrast
themes), a dark colour scheme and reduced motion. Every page must keep all of its content, a QR
code that still scans, and visible keyboard focus."""

from __future__ import annotations

import pytest

from .checks import assert_focus_visible, axe_violations, decode_qr, describe_violations
from .pages import LAYOUT_SCHEMES, SYSTEM_SETTINGS, cases

QR_IMAGE = "footer figure.page-qr img"
PAGE_URL = "footer .page-url"
FIRST_CONTROL_IN_MAIN = "main a[href], main input, main button, main [tabindex='0']"

IMAGE_READY = """(image) => image.complete && image.naturalWidth > 0"""


@pytest.fixture(scope="session")
def default_texts() -> dict:
    """The visible text of each page in default settings, filled in as tests need it."""
    return {}


def visible_text(open_page, default_texts: dict, page_type, locale: str) -> str:
    """A page's innerText (what CSS leaves visible) in the default settings, cached."""
    key = (page_type.name, locale)
    if key not in default_texts:
        default_texts[key] = open_page(page_type, locale).inner_text("body")
    return default_texts[key]


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "setting"),
    cases("system-settings", scheme=LAYOUT_SCHEMES, setting=SYSTEM_SETTINGS),
)
def test_every_page_keeps_its_content_qr_code_and_focus_in_system_settings(
    open_page, axe_script, default_texts, page_type, locale, scheme, setting
):
    """No text hidden, the footer QR decodes to the page address, and focus stays visible."""
    expected_text = visible_text(open_page, default_texts, page_type, locale)
    page = open_page(
        page_type, locale, scheme=scheme, media=SYSTEM_SETTINGS[setting], init_scripts=(axe_script,)
    )
    where = f"{page.url} ({setting}, scheme {scheme})"

    assert page.inner_text("body") == expected_text, f"{where}: visible text differs"

    if page_type.public:  # the back office's pages are not for sharing: no QR code
        image = page.locator(QR_IMAGE)
        assert image.evaluate(IMAGE_READY), f"{where}: the QR image did not load"
        url = page.locator(PAGE_URL).inner_text().strip()
        decoded = decode_qr(image.screenshot())
        assert decoded == [url], f"{where}: the QR code reads {decoded}, expected [{url!r}]"

    if setting == "dark":
        # Forced colours are the browser's own palette; a dark scheme is where a theme could
        # put dark text on a dark background, so contrast is checked here.
        violations = axe_violations(page, rules=("color-contrast",))
        assert not violations, describe_violations(
            violations, page.url, f"{setting}, scheme {scheme}"
        )

    # Focus rings: the first Tab stop (the skip link, in the header's colours) and the first
    # control of the main content, focused from script right after a key press, which
    # Chromium treats as keyboard focus (:focus-visible). Tabbing all the way is the keyboard
    # tests' job; this is about the ring surviving the system's colours.
    page.keyboard.press("Tab")
    assert_focus_visible(page, f"{where}: first Tab")
    page.locator(FIRST_CONTROL_IN_MAIN).first.focus()
    assert_focus_visible(page, f"{where}: first control in main")
