"""Validators and cache headers for pages, so a cache in front of the site can serve them and a
browser's repeat visit costs a 304."""

from flask import Flask, request

# Request headers that make an answer conditional (or partial); without any, there is nothing
# for make_conditional() to decide.
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
              "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE")


def init_app(app: Flask) -> None:
    """Give successful GET pages an ETag, Cache-Control, and answer conditional requests."""

    @app.after_request
    def add_validators(response):
        if (request.method in ("GET", "HEAD") and response.status_code == 200
                and response.mimetype == "text/html" and not response.direct_passthrough):
            response.headers.setdefault(
                "Cache-Control", f"public, max-age={app.config['PAGE_MAX_AGE']}")
            response.add_etag()
            if any(name in request.environ for name in CONDITIONS):
                response.make_conditional(request)
        return response
