"""Static files, fingerprinted: every file is served at a name that carries a hash of its
content, so browsers and caches may keep it for a year. The CSS files are joined into one
stylesheet, so a page needs one request for its styles. Text files are gzip-compressed once,
when the app starts, for clients that accept it. Every language shares one URL per file."""

import hashlib
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, request

from portal.web.compression import accepts_gzip, gzipped
from portal.web.i18n import site_root

STYLESHEET = "site.css"
ONE_YEAR = 365 * 24 * 3600
STATIC_PATH = "/static/"


@dataclass(frozen=True)
class Asset:
    """A static file's bytes, served under its fingerprinted name."""

    url_name: str
    data: bytes
    media_type: str
    gzipped: bytes | None = None


def fingerprint(name: str, data: bytes) -> str:
    """'site.css' -> 'site.1a2b3c4d5e.css'."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def collect(static_dir: Path, extra_css: Iterable[str] = ()) -> dict[str, Asset]:
    """Every static file by its logical name; the CSS files, then any extra (generated) CSS,
    bundled into one stylesheet, in which url(name) of a static file names its fingerprint."""
    css_dir = static_dir / "css"
    assets = {}
    for path in sorted(static_dir.rglob("*")):
        if path.is_file() and path.parent != css_dir and not path.name.startswith("."):
            name = path.relative_to(static_dir).as_posix()
            data = path.read_bytes()
            media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            assets[name] = Asset(
                fingerprint(name, data), data, media_type, gzipped(data, media_type, level=9)
            )
    sheets = sorted(css_dir.glob("*.css"), key=lambda p: (p.name != STYLESHEET, p.name))
    texts = [sheet.read_text("utf-8") for sheet in sheets] + list(extra_css)
    if texts:
        bundle = link_assets("\n".join(texts), assets).encode()
        assets[STYLESHEET] = Asset(
            fingerprint(STYLESHEET, bundle),
            bundle,
            "text/css",
            gzipped(bundle, "text/css", level=9),
        )
    return assets


CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""")


def link_assets(css: str, assets: dict[str, Asset]) -> str:
    """Point url(name) at the fingerprinted file, for names of static files (relative to
    static/, where the bundled stylesheet is served); other URLs stay as they are."""

    def fingerprinted(match: re.Match) -> str:
        asset = assets.get(match.group(2))
        return f'url("{asset.url_name}")' if asset else match.group(0)

    return CSS_URL.sub(fingerprinted, css)


blueprint = Blueprint("assets", __name__)


@blueprint.get(f"{STATIC_PATH}<path:url_name>")
def serve(url_name: str):
    """A static file by its fingerprinted name; any other name is 404."""
    asset = current_app.extensions["portal.assets"]["by_url"].get(url_name)
    if asset is None:
        abort(404)
    send_gzip = asset.gzipped is not None and accepts_gzip(request.headers.get("Accept-Encoding"))
    response = current_app.response_class(
        asset.gzipped if send_gzip else asset.data, mimetype=asset.media_type
    )
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    if asset.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(asset.url_name, weak=send_gzip)  # weak for the compressed copy
    if send_gzip:
        response.headers["Content-Encoding"] = "gzip"
    return response.make_conditional(request)


def init_app(app: Flask, stylesheets: Iterable[str] = ()) -> None:
    """Fingerprint the static files once, at start-up, with generated stylesheets (the colour
    schemes') added to the bundle, and offer asset_url() to templates."""
    assets = collect(Path(app.root_path) / "static", stylesheets)
    app.extensions["portal.assets"] = {
        "by_name": assets,
        "by_url": {asset.url_name: asset for asset in assets.values()},
    }
    app.register_blueprint(blueprint)

    @app.template_global()
    def asset_url(name: str) -> str:
        """The fingerprinted URL of a static file."""
        # Without the language prefix: English pages reuse the files Chinese pages cached.
        return site_root() + STATIC_PATH + assets[name].url_name
