"""Response headers that every response carries, and safe redirect targets."""

from urllib.parse import urlsplit

from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
))

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


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response
