"""The app factory: settings, the domain's resources, the web machinery, the views, the pipeline."""

import logging
from pathlib import Path

from flask import Flask

from portal import settings
from portal.web import LocalisedEnvironment, NotingRequest


class Portal(Flask):
    """Flask with templates compiled once per language (see portal.web.templates), whose
    requests note the query arguments a page reads (see portal.web.query_args)."""

    jinja_environment = LocalisedEnvironment
    request_class = NotingRequest


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: settings, the domain's resources, the web machinery, the views, and last
    the pipeline that puts the response hooks and WSGI wrappers in their declared order.

    The resources come before the web machinery because the colour schemes' stylesheet joins
    the asset bundle (passed, not left in a shared place); the pipeline comes last because it
    wraps the finished app. No other step depends on the order of these lines.
    """
    from portal import admin, views, web, wiring

    app = Portal("portal", static_folder=None)
    app.config.update(settings.load(overrides))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    wiring.init_app(app)
    web.init_app(app, stylesheets=wiring.preferences.stylesheets(app))
    views.register(app)
    admin.init_app(app)
    web.pipeline.install(
        app,
        after_request={
            "compress": web.compression.compress,
            "validators": web.caching.add_validators,
            "back office": admin.private,
            "security headers": web.security.add_headers,
            "reading preferences": wiring.preferences.vary_on_cookie,
        },
        wrappers={
            "proxies": lambda inner: web.security.trust_proxies(inner, app.config["PROXY_COUNT"]),
            "page cache": lambda inner: _page_cache(app, inner),
            "language prefix": web.i18n.LocalePrefixMiddleware,
        },
    )
    return app


def _page_cache(app: Flask, inner):
    """The page cache around inner, keyed on the catalogue's version, China's date and the
    reading preferences; inner itself when PAGE_CACHE_SIZE or PAGE_CACHE_BYTES is 0.

    The date is part of what a page shows: the same content makes a report due today and
    overdue tomorrow (/reports/county/), so a page kept yesterday is not today's. Live answers
    (search pages: web.caching.LIVE_PATHS) are keyed on the index generation too
    (wiring.search.page_version).
    """
    from portal import web, wiring, workflow

    if not (app.config["PAGE_CACHE_SIZE"] and app.config["PAGE_CACHE_BYTES"]):
        return inner
    store = wiring.catalogue.store(app)
    return web.page_cache.PageCacheMiddleware(
        inner,
        lambda: f"{store.current().version}/{workflow.china_today().isoformat()}",
        wiring.preferences.page_cookies(app),
        web.page_cache.code_version(Path(app.root_path)),
        app.config["PAGE_CACHE_SIZE"],
        app.config["PAGE_CACHE_BYTES"],
        app.config["PAGE_MAX_AGE"],
        versions=dict.fromkeys(web.caching.LIVE_PATHS, wiring.search.page_version(app)),
    )
