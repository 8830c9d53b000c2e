"""The catalogue of the running site: one CatalogueStore per app, over CONTENT_DIR with its
last good versions in LAST_GOOD_DIR, and the section a page belongs to for the navigation."""

from pathlib import Path

from flask import Flask, current_app, request

from portal.catalogue import (
    TREE,
    Catalogue,
    CatalogueStore,
    LastGood,
    site_organisation,
    snapshot_folder,
)
from portal.web import i18n

EXTENSION = "portal.catalogue"


def init_app(app: Flask) -> None:
    """Give the app its catalogue store (`portal serve` reads the first catalogue before it
    starts the workers; elsewhere the first request does)."""
    content_dir = Path(app.config["CONTENT_DIR"])
    snapshots = LastGood(snapshot_folder(app.config["LAST_GOOD_DIR"], content_dir), content_dir)
    app.extensions[EXTENSION] = CatalogueStore(
        content_dir, last_good=snapshots, site=site_organisation(app.config)
    )
    app.jinja_env.globals["main_sections"] = TREE
    app.jinja_env.globals["current_section"] = current_section
    app.jinja_env.globals["organisation_name"] = organisation_name


def store(app: Flask | None = None) -> CatalogueStore:
    """The app's catalogue store (the current app's by default)."""
    return (app or current_app).extensions[EXTENSION]


def current() -> Catalogue:
    """The catalogue of the running app, as its files are now (within the refresh interval)."""
    return store().current()


def organisation_name(organisation_id: str) -> str:
    """The name of a body (by id) in the page's language; the id itself if it is unknown."""
    organisation = current().organisations.get(organisation_id)
    if organisation is None:
        return organisation_id
    return organisation.name_in(i18n.select_locale())


def current_section() -> str:
    """Slug of the main section (top-level category) whose page this is, "organisations" on the
    list of the bodies, or ''."""
    if request.endpoint == "organisations.index":
        return "organisations"
    if request.endpoint == "catalogue.browse":
        slug = (request.view_args or {}).get("slug")
        if any(root.slug == slug for root in TREE):
            return slug
    return ""
