"""Canonical addresses of pages, built from the configured public base URL and never from the
request's Host header (which anyone can forge)."""

from urllib.parse import quote, quote_from_bytes

from flask import Flask, current_app, request


def current_path() -> str:
    """The path and query of the current page as served (language prefix included)."""
    query = quote_from_bytes(request.query_string, safe="=&%+;/")
    return quote(request.script_root + request.path) + (f"?{query}" if query else "")


def canonical_url(path: str) -> str:
    """The public address of a path of this site."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def init_app(app: Flask) -> None:
    """Offer current_path() and canonical_url() to templates."""
    app.add_template_global(current_path)
    app.add_template_global(canonical_url)
