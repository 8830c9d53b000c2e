"""Response headers that every response carries, and safe redirect targets."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def safe_local_path(target: str | None, fallback: str = "/") -> str:
    """target if it is a path on this site, else fallback: never an open redirect."""
    if not target or any(c in target for c in "\\\r\n\0") or not target.startswith("/"):
        return fallback
    parts = urlsplit(target)
    if target.startswith("//") or parts.scheme or parts.netloc:
        return fallback
    return target


def same_site(req) -> bool:
    """Whether a request comes from a page of this site: its Origin, or when a browser sends
    none its Referer, names this host. A page elsewhere cannot post to ours (CSRF)."""
    source = req.headers.get("Origin") or req.headers.get("Referer")
    if not source or source == "null":
        return False
    try:
        netloc = urlsplit(source).netloc.lower()
    except ValueError:  # not a URL at all, e.g. "http://[x"
        return False
    own = {req.host.lower(), urlsplit(current_app.config["BASE_URL"]).netloc.lower()}
    return netloc in own


def allowed_hosts(config) -> list[str]:
    """The Host header values the site answers to."""
    if config["ALLOWED_HOSTS"].strip():
        return [host.strip() for host in config["ALLOWED_HOSTS"].split(",") if host.strip()]
    base = urlsplit(config["BASE_URL"]).hostname or ""
    return [host for host in (base, "localhost", "127.0.0.1") if host]


def trust_proxies(wsgi_app: Callable, proxies: int) -> Callable:
    """wsgi_app reading the client's address, scheme and host from the X-Forwarded-For, -Proto
    and -Host headers of `proxies` proxies, and from no other header; with none, unchanged (the
    connection says). The outermost layer (portal.web.pipeline), so every layer sees what the
    proxy saw."""
    # The one place forwarded headers are trusted: portal.web.server turns gunicorn's own trust
    # of them off, and X-Forwarded-Port, -Prefix and Forwarded are never read.
    if not proxies:
        return wsgi_app
    return ProxyFix(wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=0, x_prefix=0)


def init_app(app: Flask) -> None:
    """Answer only the allowed Host headers; limit request bodies."""
    app.config["TRUSTED_HOSTS"] = allowed_hosts(app.config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]


def add_headers(response: Response) -> Response:
    """Every security header a response does not set itself; HSTS over HTTPS only (an
    after-request hook: portal.web.pipeline)."""
    # One pass over the names: werkzeug answers each missing-header lookup by raising.
    present = {name.lower() for name, _ in response.headers}
    wanted = list(HEADERS.items())
    if request.is_secure:
        wanted.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    response.headers.extend(
        [(name, value) for name, value in wanted if name.lower() not in present]
    )
    return response
