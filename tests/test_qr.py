"""QR codes: every page shows one of its canonical address, readable by an independent decoder."""

import io

import pytest
import zxingcpp
from PIL import Image


def decode(png: bytes) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in a PNG."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_every_page_shows_a_qr_code_with_its_address_as_text(page):
    document = page("/documents/2022-procurement-notice/")
    figure = document.select_one("footer figure.page-qr")
    assert figure.img["alt"] == "扫码在手机上打开本页"
    assert figure.img["src"] == "/qr.svg?path=/documents/2022-procurement-notice/"
    assert (
        figure.select_one(".page-url").get_text()
        == "https://portal.example.gov.cn/documents/2022-procurement-notice/"
    )


def test_the_png_code_decodes_to_the_canonical_url(client):
    response = client.get("/qr.png?path=/documents/2022-procurement-notice/")
    assert response.mimetype == "image/png"
    assert decode(response.data) == [
        "https://portal.example.gov.cn/documents/2022-procurement-notice/"
    ]


def test_the_code_keeps_the_configured_address_whatever_the_host_header(client):
    # 127.0.0.1 is an allowed host (the site answers it) but not the public address.
    response = client.get("/qr.png?path=/", headers={"Host": "127.0.0.1:8000"})
    assert decode(response.data) == ["https://portal.example.gov.cn/"]
    assert client.get("/qr.png?path=/", headers={"Host": "evil.example"}).status_code == 400


def test_the_svg_code_has_a_white_background_and_a_title(client):
    svg = client.get("/qr.svg?path=/").get_data(as_text=True)
    assert '<path fill="#fff"' in svg
    assert "<title>扫码在手机上打开本页</title>" in svg


def test_codes_can_be_downloaded_for_posters(client):
    response = client.get("/qr.png?path=/&download=1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="qr-code.png"'


def test_english_pages_encode_their_english_address(page, client):
    src = page("/en/catalogue/").select_one("footer figure.page-qr img")["src"]
    assert src == "/en/qr.svg?path=/en/catalogue/"
    assert decode(client.get("/qr.png?path=/en/catalogue/").data) == [
        "https://portal.example.gov.cn/en/catalogue/"
    ]


@pytest.mark.parametrize(
    "path",
    ["//evil.example/", "https://evil.example/", "javascript:x", "/\\evil", "/a\r\nLocation: x"],
)
def test_codes_only_point_at_pages_of_this_site(client, path):
    assert client.get("/qr.svg", query_string={"path": path}).status_code == 400
