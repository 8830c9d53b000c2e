"""QR codes of page addresses, so a visitor can open a page on a phone. Pure: no Flask."""

import io

import segno

# Dark modules on an explicit white ground with the standard 4-module quiet zone: segno's
# default background is transparent, which dark colour schemes would make unreadable.
DARK = "#000000"
LIGHT = "#ffffff"
QUIET_ZONE = 4


def _code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, title: str = "") -> str:
    """The QR code of url as a standalone SVG document."""
    buffer = io.BytesIO()
    _code(url).save(
        buffer,
        kind="svg",
        scale=4,
        border=QUIET_ZONE,
        dark=DARK,
        light=LIGHT,
        title=title or None,
        xmldecl=True,
        svgns=True,
        unit=None,
    )
    return buffer.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 10) -> bytes:
    """The QR code of url as a PNG image, large enough for a printed poster."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE, dark=DARK, light=LIGHT)
    return buffer.getvalue()
