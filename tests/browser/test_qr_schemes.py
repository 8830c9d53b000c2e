"""The footer QR code decodes, from a real screenshot, to the page's address in every colour
scheme: the code keeps its dark-on-white colours whatever the scheme."""

from __future__ import annotations

import pytest

from .checks import decode_qr
from .pages import PAGES_BY_NAME, SCHEMES

QR_IMAGE = "footer figure.page-qr img"
PAGE_URL = "footer .page-url"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page_name", ["home", "document"])
def test_the_qr_code_decodes_to_the_page_address_in_every_scheme(open_page, scheme, page_name):
    page = open_page(PAGES_BY_NAME[page_name], "zh-Hans", scheme=scheme)
    image = page.locator(QR_IMAGE)
    image.scroll_into_view_if_needed()
    page.wait_for_function("(selector) => document.querySelector(selector).complete", arg=QR_IMAGE)
    url = page.locator(PAGE_URL).inner_text().strip()
    assert decode_qr(image.screenshot()) == [url], f"{page.url} in scheme {scheme}"
