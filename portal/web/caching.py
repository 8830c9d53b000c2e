"""Validators and cache headers, so a cache in front of the site can serve pages and a browser's
repeat visit costs a 304.

How long a copy may be used without asking is decided here, once (cache_control), for the app's
answers and the page cache's alike. A page of the content may be used for PAGE_MAX_AGE seconds.
A live answer (search results and suggestions, LIVE_PATHS) is asked for again at every use
(`no-cache`): it lists what the search index and the catalogue hold now, and a copy kept for
even a minute could list a document withdrawn since. Asking again costs little: its ETag
follows the content and the index generation (the page cache's key), so a repeat is a 304
until either changes.
"""

from collections.abc import Iterable

from flask import Response, current_app, request

from portal.web.i18n import split_prefix

# Request headers that make an answer conditional (or partial); without any, there is nothing
# for make_conditional() to decide.
CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
)

# Live answers, by path without its language prefix (each with the paths under it): the search
# page and its JSON twins.
LIVE_PATHS = ("/search", "/api/search")
LIVE = "public, no-cache"


def under(path: str, prefixes: Iterable[str]) -> bool:
    """Whether a path, with or without its language prefix, is one of prefixes or under one."""
    path = split_prefix(path)[1]
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in prefixes)


def is_live(path: str) -> bool:
    """Whether a path (with or without its language prefix) is a live answer's."""
    return under(path, LIVE_PATHS)


def cache_control(path: str, max_age: int) -> str:
    """The Cache-Control of a successful answer at a path: asked for again at every use when
    it is live, usable for max_age seconds otherwise."""
    return LIVE if is_live(path) else f"public, max-age={max_age}"


def add_validators(response: Response) -> Response:
    """Give a successful GET page or live answer an ETag and Cache-Control, and answer a
    conditional request for it (an after-request hook: portal.web.pipeline)."""
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.direct_passthrough
        and (response.mimetype == "text/html" or is_live(request.path))
    ):
        response.headers.setdefault(
            "Cache-Control", cache_control(request.path, current_app.config["PAGE_MAX_AGE"])
        )
        response.add_etag()
        if any(name in request.environ for name in CONDITIONS):
            response.make_conditional(request)
    return response
