"""Thin blueprints, one per public URL area; each imports the domain's doors, portal.web and
portal.wiring, never another view."""

from flask import Flask


def register(app: Flask) -> None:
    """Register every blueprint of the site."""
    from portal.views import (
        applications,
        catalogue,
        documents,
        feeds,
        home,
        organisations,
        pages,
        preferences,
        qr,
        reports,
        search,
        website_reports,
    )

    for view in (
        home,
        catalogue,
        documents,
        organisations,
        search,
        qr,
        reports,
        website_reports,
        feeds,
        applications,
        pages,
        preferences,
    ):
        app.register_blueprint(view.blueprint)
