"""URL building, remembered per language prefix.

A page builds thirty to forty URLs and werkzeug spends some 10 µs on each; the same endpoint
with the same values always gives the same path under the same script root, so each is
built once.
"""

from functools import lru_cache

from flask import Flask, current_app, has_request_context, request, url_for

EXTENSION = "portal.urls"
# Distinct (prefix, endpoint, values) a site builds: a few per page and language.
CACHE_SIZE = 8192


def cached_url_for(endpoint: str, **values) -> str:
    """url_for() for the current request; plain relative URLs come from the app's cache."""
    # Relative endpoints depend on the current blueprint, "_" options on the request.
    if (
        not has_request_context()
        or endpoint.startswith(".")
        or any(key.startswith("_") for key in values)
    ):
        return url_for(endpoint, **values)
    key = tuple(values.items())  # in call order: it is the query string's order
    try:
        hash(key)
    except TypeError:
        return url_for(endpoint, **values)
    return current_app.extensions[EXTENSION](request.script_root, endpoint, key)


def init_app(app: Flask) -> None:
    """Give the app its URL cache and let templates build URLs through it."""

    @lru_cache(maxsize=CACHE_SIZE)
    def build(script_root: str, endpoint: str, values: tuple) -> str:
        return url_for(endpoint, **dict(values))

    app.extensions[EXTENSION] = build
    app.jinja_env.globals["url_for"] = cached_url_for
