"""gzip for text responses the page cache does not hold (search results, errors, feeds), for
browsers that accept it; a front proxy is then optional."""

import gzip

from flask import Response, request
from werkzeug.http import parse_accept_header

# Level 6: nginx's and gzip's usual trade of CPU for size, for answers compressed as they go;
# files compressed once (static files, the export) take 9.
LEVEL = 6
# Below one network packet, compressing saves no round trip.
MIN_COMPRESSED_SIZE = 1400
# Set in the environ by the page cache, which compresses the HTML it renders itself.
HTML_COMPRESSED_LATER = "portal.web.compression.html_compressed_later"


def compressible(media_type: str) -> bool:
    """Whether files of this type are text, which gzip shrinks (images and PDFs it does not)."""
    return media_type.startswith("text/") or media_type.endswith(
        ("/javascript", "/json", "/xml", "+xml")
    )


def gzipped(body: bytes, media_type: str, level: int = LEVEL) -> bytes | None:
    """The body gzip-compressed, if it is text big enough to be worth it; else None."""
    if not compressible(media_type) or len(body) < MIN_COMPRESSED_SIZE:
        return None
    return gzip.compress(body, compresslevel=level, mtime=0)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header value lets us send gzip."""
    return parse_accept_header(accept_encoding or "")["gzip"] > 0


def weak(etag: str) -> str:
    """An ETag header value made weak, as it must be for a compressed copy of the same bytes
    (RFC 9110 8.8.3; nginx does the same). Conditional requests compare weakly anyway."""
    return etag if etag.startswith("W/") else f"W/{etag}"


def compress(response: Response) -> Response:
    """The response gzip-compressed when the browser accepts it and it is worth it (an
    after-request hook: portal.web.pipeline says why it runs before the validators)."""
    # Header names in one pass: werkzeug answers each missing-header lookup by raising.
    present = {name.lower() for name, _ in response.headers}
    if (
        response.direct_passthrough
        or response.is_streamed
        or "content-encoding" in present
        or not compressible(response.mimetype)
    ):
        return response
    response.vary.add("Accept-Encoding")
    if response.mimetype == "text/html" and request.environ.get(HTML_COMPRESSED_LATER):
        return response
    if response.status_code in (204, 304) or not accepts_gzip(
        request.headers.get("Accept-Encoding")
    ):
        return response
    packed = gzipped(response.get_data(), response.mimetype)
    if packed is not None:
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
        if "etag" in present:
            response.headers["ETag"] = weak(response.headers["ETag"])
    return response
