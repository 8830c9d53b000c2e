"""Validators and cache headers for pages, so a cache in front of the site can serve them and a
browser's repeat visit costs a 304."""

from flask import Response, current_app, request

# Request headers that make an answer conditional (or partial); without any, there is nothing
# for make_conditional() to decide.
CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
)


def add_validators(response: Response) -> Response:
    """Give a successful GET page an ETag and Cache-Control, and answer a conditional request
    for it (an after-request hook: portal.web.pipeline)."""
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.direct_passthrough
    ):
        response.headers.setdefault(
            "Cache-Control", f"public, max-age={current_app.config['PAGE_MAX_AGE']}"
        )
        response.add_etag()
        if any(name in request.environ for name in CONDITIONS):
            response.make_conditional(request)
    return response
