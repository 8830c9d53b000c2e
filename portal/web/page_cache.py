"""A cache of rendered pages in front of the app, keyed by everything a page depends on: path
and query, host, the visitor's reading preferences, the content version and the code version.
A repeat view is served from memory without entering Flask; a conditional request whose ETag
matches is answered 304 before any rendering, even by a worker that never rendered it,
because the ETag is derived from the key rather than from the body.

The cookies in the key are the ones the page is rendered from: the app says which (`cookies`,
the reading preferences parsed once and written one way, portal.wiring.preferences), and renders
a page it may store with nothing but those for a Cookie header. Only pages whose query holds
nothing the page did not read are stored (portal.query_args), and the whole cache stays within
a byte budget.

Some pages depend on more than the content: search results on the search index's generation.
The app hands those paths' versions in (``versions``, by path without its language prefix), and
their pages are keyed on them too, so a repeated search is served from memory until the index
changes. Every answer, a 304 of a worker that never rendered the page included, carries the
Cache-Control portal.web.caching decides for its path."""

import hashlib
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from werkzeug.http import parse_etags, unquote_etag

from portal.web.caching import cache_control, under
from portal.web.compression import HTML_COMPRESSED_LATER, accepts_gzip, gzipped, weak
from portal.web.lru import SizedLRU
from portal.web.query_args import holds_only_read

# Dynamic or personal answers never go through the cache.
UNCACHED_PREFIXES = (
    "/admin",
    "/en/admin",
    "/api/",
    "/en/api/",
    "/preferences",
    "/en/preferences",
    "/static/",
)


def code_version(package: Path) -> str:
    """A fingerprint of the code, templates, styles and translations that render pages."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {
            ".py",
            ".html",
            ".xml",
            ".css",
            ".js",
            ".po",
            ".toml",
        }:
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


# The key (a 64-character str), its place in the LRU and the entry's tuples.
ENTRY_OVERHEAD = 400


def page_size(status: str, headers: list, body: bytes, compressed: bytes | None) -> int:
    """The bytes a stored page takes in memory: its bodies, headers and their containers."""
    return (
        ENTRY_OVERHEAD
        + sum(map(sys.getsizeof, (status, body, compressed, headers)))
        + sum(
            sys.getsizeof(pair) + sys.getsizeof(pair[0]) + sys.getsizeof(pair[1])
            for pair in headers
        )
    )


def _keepable(status: str, headers: list, rendered: dict) -> bool:
    """Whether an answer may be kept and served to others: a page (200, HTML) that sets no
    cookie, is not marked personal, and whose query holds nothing the page did not read."""

    def values(wanted: str) -> str:
        return ", ".join(value for name, value in headers if name.lower() == wanted)

    return (
        status.startswith("200")
        and values("content-type").startswith("text/html")
        and not values("set-cookie")
        and not any(word in values("cache-control") for word in ("no-store", "private"))
        and holds_only_read(rendered)
    )


def _is_html(headers: list) -> bool:
    return any(
        name.lower() == "content-type" and value.startswith("text/html") for name, value in headers
    )


def _matches(headers: list, if_none_match: str | None) -> bool:
    """Whether a response's ETag is one the request already has (weak comparison)."""
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    if not etag or not if_none_match:
        return False
    return parse_etags(if_none_match).contains_weak(unquote_etag(etag)[0])


class PageCacheMiddleware:
    """WSGI middleware: serve GET/HEAD pages from an LRU of rendered responses."""

    def __init__(
        self,
        wsgi_app: Callable,
        content_version: Callable[[], str],
        cookies: Callable[[dict], str],
        code: str,
        max_entries: int = 2000,
        max_bytes: int = 64 * 1024 * 1024,
        max_age: int = 60,
        versions: Mapping[str, Callable[[], str]] | None = None,
    ):
        """content_version() says which content a page shows; cookies(environ) is the Cookie
        header a page of that request is rendered with (the only cookies a page may depend
        on, normalised); code is the code_version() of what renders pages; versions maps a
        path without its language prefix (and the paths under it) to what else its pages
        depend on."""
        self.wsgi_app = wsgi_app
        self.max_age = max_age
        self.content_version = content_version
        self.cookies = cookies
        self.version = code
        self.pages = SizedLRU(max_entries, max_bytes)
        self.versions = dict(versions or {})

    def _key(self, environ) -> str | None:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or path.startswith(
            UNCACHED_PREFIXES
        ):
            return None
        parts = (
            environ.get("HTTP_HOST", ""),
            environ.get("wsgi.url_scheme", ""),
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
            self.cookies(environ),
            self.content_version(),
            self.version,
            *(version() for prefix, version in self.versions.items() if under(path, (prefix,))),
        )
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        etag = f'"p-{key[:20]}"'
        entry = self.pages.get(key)
        if entry is not None and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            return self._send(start_response, "304 Not Modified", entry[1], b"", environ)
        if entry is not None:
            return self._send(start_response, entry[0], entry[1], entry[2], environ, entry[3])
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            # The same key always renders the same page, so the visitor's copy is current,
            # whichever worker rendered it.
            headers = [
                ("ETag", etag),
                ("Cache-Control", cache_control(environ.get("PATH_INFO", ""), self.max_age)),
                ("Vary", "Cookie"),
            ]
            return self._send(start_response, "304 Not Modified", headers, b"", environ)
        return self._render(environ, start_response, key, etag)

    def _render(self, environ, start_response, key, etag):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        # Render as an unconditional GET so the body is complete for the cache (HEAD too),
        # with no cookie but the preferences in the key: the page cannot depend on anything
        # else a visitor's cookies say.
        plain = {k: v for k, v in environ.items() if k not in ("HTTP_IF_NONE_MATCH", "HTTP_COOKIE")}
        cookies = self.cookies(environ)
        if cookies:
            plain["HTTP_COOKIE"] = cookies
        plain[HTML_COMPRESSED_LATER] = True  # the cache stores pages plain, gzips them itself
        plain["REQUEST_METHOD"] = "GET"
        result = self.wsgi_app(plain, capture)
        if captured and not _is_html(captured["headers"]):
            # Files, feeds and data are never kept: they stream through as the app sends them,
            # so a video is not read into memory.
            return self._pass_through(start_response, captured, result, environ)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = captured["status"], captured["headers"]
        if _keepable(status, headers, plain):
            headers = [(n, v) for n, v in headers if n.lower() != "etag"] + [("ETag", etag)]
            if not any(n.lower() == "vary" and "cookie" in v.lower() for n, v in headers):
                # The reading preferences cookie changes the page: shared caches must know.
                headers.append(("Vary", "Cookie"))
            if not any(n.lower() == "vary" and "accept-encoding" in v.lower() for n, v in headers):
                headers.append(("Vary", "Accept-Encoding"))
            # Compressed once when stored; every later hit sends the smaller copy for free.
            compressed = gzipped(body, "text/html")
            self.pages.put(
                key,
                (status, headers, body, compressed),
                page_size(status, headers, body, compressed),
            )
            return self._send(start_response, status, headers, body, environ, compressed)
        if status.startswith("200") and _matches(headers, environ.get("HTTP_IF_NONE_MATCH")):
            # Rendered unconditionally above; the visitor's copy of this uncached answer is current.
            return self._send(start_response, "304 Not Modified", headers, b"", environ)
        # HTML the cache does not keep (errors, pages setting a cookie) is compressed here.
        encoded = any(name.lower() == "content-encoding" for name, _ in headers)
        compressed = None if encoded else gzipped(body, "text/html")
        return self._send(start_response, status, headers, body, environ, compressed)

    @staticmethod
    def _pass_through(start_response, captured, result, environ):
        status, headers = captured["status"], captured["headers"]
        # The app answered a plain GET: a HEAD or a current copy gets no body.
        bodiless = status.startswith("200") and _matches(headers, environ.get("HTTP_IF_NONE_MATCH"))
        if bodiless or environ.get("REQUEST_METHOD") == "HEAD":
            if hasattr(result, "close"):
                result.close()
            if bodiless:
                return PageCacheMiddleware._send(
                    start_response, "304 Not Modified", headers, b"", environ
                )
            start_response(status, headers)
            return []
        start_response(status, headers)
        return result

    @staticmethod
    def _send(start_response, status, headers, body, environ, compressed=None):
        if status.startswith("304"):
            kept = {"etag", "cache-control", "vary", "content-security-policy", "date"}
            headers = [(n, v) for n, v in headers if n.lower() in kept]
        else:
            headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
            if compressed is not None and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")):
                body = compressed
                headers = [(n, weak(v) if n.lower() == "etag" else v) for n, v in headers]
                headers.append(("Content-Encoding", "gzip"))
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" or status.startswith("304") else [body]
