"""Reading preferences in the running site: the schemes and allow-list of this app, the
preferences of each request (its cookie parsed once, shared with the page cache), the cookie an
answer sets, and every page rendered in the visitor's colours and text size."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.wrappers import Request

from portal.preferences import (
    COOKIE,
    COOKIE_MAX_AGE,
    PANEL_ID,
    SHORTCUTS,
    TEXT_COLOURS,
    Choice,
    CookieState,
    Scheme,
    choices,
    cookie_state,
    cookie_value,
    defaults,
    html_classes,
    load_schemes,
    serialise_all,
    stylesheet,
)
from portal.web.i18n import gettext, select_locale

log = logging.getLogger(__name__)

EXTENSION = "portal.preferences"


@dataclass(frozen=True)
class Registry:
    """What a running site offers: its schemes and the allow-list built from them."""

    schemes: dict[str, Scheme]
    allowed: dict[str, Choice]


def registry(app: Flask | None = None) -> Registry:
    """The app's schemes and allow-list (the current app's by default)."""
    return (app or current_app).extensions[EXTENSION]


# Where a request's CookieState is kept, in its WSGI environ: parsed once by whichever comes
# first, the page cache or the app, and used by both.
ENVIRON_KEY = "portal.preferences.cookie"


def read_cookie(environ: dict, allowed: Mapping[str, Choice]) -> CookieState:
    """The preferences of a request, parsed once from its Cookie header (the first `prefs`
    cookie wins, as in werkzeug's request.cookies) and kept in its environ."""
    found = environ.get(ENVIRON_KEY)
    if found is None:
        # werkzeug's own request.cookies: the header is read one way only.
        raw = (
            Request(environ, populate_request=False, shallow=True).cookies.get(COOKIE)
            if environ.get("HTTP_COOKIE")
            else None
        )
        found = environ[ENVIRON_KEY] = cookie_state(raw, allowed)
    return found


def current() -> dict[str, str]:
    """The preferences of the current request, from its cookie."""
    return dict(read_cookie(request.environ, registry().allowed).prefs)


def store(response: Response, prefs: Mapping[str, str], *, reopen: bool = False) -> None:
    """Put preferences in the visitor's cookie (none when all are the defaults)."""
    value = cookie_value(prefs, registry().allowed, reopen=reopen)
    secure = request.is_secure
    if value:
        response.set_cookie(
            COOKIE,
            value,
            max_age=COOKIE_MAX_AGE,
            path="/",
            secure=secure,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")


def init_app(app: Flask) -> None:
    """Load the schemes and render every page in the visitor's preferences."""
    schemes, problems = load_schemes(Path(app.config["THEMES_DIR"]))
    for problem in problems:
        log.error("colour scheme left out: %s", problem)
    app.extensions[EXTENSION] = Registry(schemes, choices(schemes))

    allowed = app.extensions[EXTENSION].allowed
    fixed = {
        "prefs_defaults": serialise_all(defaults(allowed)),
        "shortcuts": SHORTCUTS,
        "prefs_shortcuts": "&".join(f"{digit}={action}" for digit, action, _ in SHORTCUTS),
        "panel_id": PANEL_ID,
    }
    labelled_choices: dict[str, dict] = {}  # by locale: the same lists for every page

    @app.context_processor
    def reading_preferences():
        prefs = current()
        locale = select_locale()
        if locale not in labelled_choices:
            labelled_choices[locale] = {
                "scheme_choices": [
                    (scheme.id, scheme.name(locale), f"scheme-choice scheme-choice-{scheme.id}")
                    for scheme in schemes.values()
                ],
                "text_colour_choices": [
                    (key, gettext(label), f"text-choice-{key}")
                    for key, label in TEXT_COLOURS.items()
                ],
            }
        return {
            "prefs": prefs,
            "prefs_key": tuple(prefs.values()),
            "prefs_classes": " ".join(html_classes(prefs, allowed)),
            "prefs_panel_open": read_cookie(request.environ, allowed).reopen,
            **fixed,
            **labelled_choices[locale],
        }


def vary_on_cookie(response: Response) -> Response:
    """Pages vary on the preferences cookie; one that opened the settings again takes the flag
    out of the cookie and is kept nowhere (an after-request hook: portal.web.pipeline)."""
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
        if request.method == "GET" and read_cookie(request.environ, registry().allowed).reopen:
            store(response, current())
            response.headers["Cache-Control"] = "no-store"
    return response


def page_cookies(app: Flask) -> Callable[[dict], str]:
    """The Cookie header a page of a request is rendered with, for the page cache: the reading
    preferences, parsed once and written one way, and nothing else."""
    allowed = app.extensions[EXTENSION].allowed

    def cookies(environ: dict) -> str:
        value = read_cookie(environ, allowed).value
        return f"{COOKIE}={value}" if value else ""

    return cookies


def stylesheets(app: Flask) -> list[str]:
    """The CSS the app's colour schemes add to the site's stylesheet."""
    return [stylesheet(registry(app).schemes)]
