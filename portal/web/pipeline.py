"""The order of the request and response machinery, declared once.

Flask runs after-request hooks in the reverse order they were registered, and each WSGI wrapper
sees only what the wrappers outside it have done; both orders change what a visitor gets, so
they are written here as two lists, with the reason for each place, and installed by one call
instead of following from the order of lines in create_app.
"""

from collections.abc import Callable, Mapping

from flask import Flask

# After-request hooks, in the order a response passes through them.
AFTER_REQUEST = (
    ("compress", "first: a compressed body is a body of its own, so the validators must see it"),
    (
        "validators",
        "ETag and Cache-Control from the final body, then 304 for a request that has it",
    ),
    (
        "back office",
        "after the validators: a back-office answer is personal, so its Cache-Control is "
        "replaced by no-store and its ETag dropped, whatever the validators set",
    ),
    ("security headers", "whatever the answer, 304 included, carries the security headers"),
    (
        "reading preferences",
        "last: a page that opened the settings again replaces the cookie and forbids keeping "
        "it (no-store), overriding the Cache-Control the validators set",
    ),
)

# WSGI wrappers, outermost first.
WRAPPERS = (
    (
        "proxies",
        "outermost: every layer inside, the page cache included, must see the scheme, host and "
        "address the proxy saw (PROXY_COUNT), or one visitor's HTTPS page is kept for another",
    ),
    (
        "page cache",
        "before Flask and before the language prefix is taken off: a hit costs no routing, and "
        "/en/... and /... are different keys",
    ),
    (
        "language prefix",
        "innermost: moves /en into SCRIPT_NAME, so Flask routes one URL map for both languages "
        "and url_for keeps the visitor's language",
    ),
)


def install(
    app: Flask,
    after_request: Mapping[str, Callable],
    wrappers: Mapping[str, Callable[[Callable], Callable]],
) -> None:
    """Register the after-request hooks and wrap the WSGI app, each in its declared place.
    Every declared step must be given, and nothing else (ValueError)."""
    for declared, given in ((AFTER_REQUEST, after_request), (WRAPPERS, wrappers)):
        names = [name for name, _reason in declared]
        if sorted(names) != sorted(given):
            raise ValueError(f"pipeline steps {sorted(given)} are not the declared {names}")
    for name, _reason in reversed(AFTER_REQUEST):  # Flask runs the last registered first
        app.after_request(after_request[name])
    for name, _reason in reversed(WRAPPERS):  # the innermost is wrapped first
        app.wsgi_app = wrappers[name](app.wsgi_app)
