"""portal: an accessible public portal for government information disclosure."""

import logging
import os
from pathlib import Path

from flask import Flask

from portal.query_args import NotingRequest
from portal.settings import DEFAULTS, coerce
from portal.template_i18n import LocalisedEnvironment


class Portal(Flask):
    """Flask with templates compiled once per language (see portal.template_i18n), whose
    requests note the query arguments a page reads (see portal.query_args)."""

    jinja_environment = LocalisedEnvironment
    request_class = NotingRequest


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: defaults, then PORTAL_* environment, then overrides; modules; blueprints."""
    app = Portal(__name__, static_folder=None)
    app.config.update(DEFAULTS)
    for name in DEFAULTS:
        if f"PORTAL_{name}" in os.environ:
            app.config[name] = coerce(name, os.environ[f"PORTAL_{name}"])
    app.config.update(overrides or {})
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from portal import (
        assets,
        caching,
        canonical,
        catalogue,
        compression,
        errors,
        fragments,
        i18n,
        search_app,
        security,
        urls,
    )

    i18n.init_app(app)
    urls.init_app(app)
    fragments.init_app(app)
    from portal import preferences  # before assets: it hands the colour schemes' CSS over

    preferences.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    compression.init_app(app)  # after caching: see there
    canonical.init_app(app)
    catalogue.init_app(app)
    search_app.init_app(app)  # after catalogue: it follows the catalogue's changes
    errors.init_app(app)

    from portal.views import applications, catalogue, documents, feeds, home, qr, reports, search

    app.register_blueprint(home.blueprint)
    app.register_blueprint(catalogue.blueprint)
    app.register_blueprint(documents.blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(qr.blueprint)
    app.register_blueprint(reports.blueprint)
    app.register_blueprint(feeds.blueprint)
    app.register_blueprint(applications.blueprint)
    from portal.views import pages as page_views
    from portal.views import preferences as preference_views

    app.register_blueprint(page_views.blueprint)
    app.register_blueprint(preference_views.blueprint)

    if app.config["PAGE_CACHE_SIZE"] and app.config["PAGE_CACHE_BYTES"]:
        from portal.page_cache import PageCacheMiddleware, code_version

        app.wsgi_app = PageCacheMiddleware(
            app.wsgi_app, app.extensions["portal.catalogue"],
            code_version(Path(app.root_path)), app.extensions[preferences.EXTENSION].allowed,
            app.config["PAGE_CACHE_SIZE"], app.config["PAGE_CACHE_BYTES"],
            app.config["PAGE_MAX_AGE"])
    security.trust_proxies(app)  # outermost: see there
    return app

