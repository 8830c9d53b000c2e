"""How large a request body each view accepts. Every request is held to MAX_REQUEST_BYTES
(security.init_app) and each form field to Flask's MAX_FORM_MEMORY_SIZE; a view that takes
files or long text says how much it takes with @accepts_body. Its limits are set on each of
its requests before anything reads the body: URL value preprocessors run before every
before-request function (the back office's CSRF check reads the form in one), whatever order
they were installed in. A body over the limit is refused with 413, unread."""

from collections.abc import Callable, Mapping

from flask import Flask, current_app, request

_LIMITS = "portal_body_limits"


def accepts_body(total: Callable[[Mapping], int], field: Callable[[Mapping], int]):
    """Mark a view as taking a request body of up to total(config) bytes, each text field of
    it up to field(config) bytes (files are bounded by total alone)."""

    def mark(view):
        setattr(view, _LIMITS, (total, field))
        return view

    return mark


def init_app(app: Flask) -> None:
    """Apply the limits views declare to their requests."""
    app.url_value_preprocessor(_apply)


def _apply(endpoint: str | None, _values) -> None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    limits = getattr(view, _LIMITS, None)
    if limits is not None:
        total, field = limits
        request.max_content_length = total(current_app.config)
        request.max_form_memory_size = field(current_app.config)
