"""QR codes of this site's pages, served same-origin (a strict CSP blocks data: URLs)."""

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from portal.qr import qr_png, qr_svg
from portal.web.canonical import canonical_url
from portal.web.errors import refusal
from portal.web.security import safe_local_path

blueprint = Blueprint("qr", __name__)

MAX_PATH = 1000
ONE_DAY = 24 * 3600


def _target() -> str:
    """The canonical URL of the ?path= the code is for; only paths of this site are accepted."""
    path = request.args.get("path") or "/"
    if len(path) > MAX_PATH or safe_local_path(path, fallback="") != path:
        raise refusal(400, _("二维码只能指向本站的页面地址。"))
    return canonical_url(path)


def _image(data: bytes | str, mimetype: str, download: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={ONE_DAY}"
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    response.add_etag()
    return response.make_conditional(request)


@blueprint.get("/qr.svg")
def svg():
    """The QR code of a page as SVG."""
    return _image(
        qr_svg(_target(), title=_("扫码在手机上打开本页")), "image/svg+xml", "qr-code.svg"
    )


@blueprint.get("/qr.png")
def png():
    """The QR code of a page as a large PNG, for posters."""
    return _image(qr_png(_target()), "image/png", "qr-code.png")
