"""The site's identity in the running site: its settings read once (a malformed one stops the
app from starting, naming the setting), the footer's `site_identity`, and `page_labels()`, the
网页标签 of a page filled from its column and document."""

from flask import Flask, current_app, url_for

from portal.catalogue import Category, Document
from portal.identity import Article, SiteIdentity, read_identity
from portal.identity import page_labels as labels_of
from portal.web import i18n
from portal.web.canonical import canonical_url
from portal.web.i18n import gettext
from portal.wiring import catalogue

EXTENSION = "portal.identity"


def init_app(app: Flask) -> None:
    """Read the identity settings and offer them and the page labels to templates."""
    app.extensions[EXTENSION] = read_identity(app.config)
    app.jinja_env.globals["site_identity"] = app.extensions[EXTENSION]
    app.jinja_env.globals["page_labels"] = page_labels


def identity(app: Flask | None = None) -> SiteIdentity:
    """The identity of the app (the current app's by default)."""
    return (app or current_app).extensions[EXTENSION]


def column_of(category: Category) -> tuple[str, str]:
    """A catalogue node as a column: its name, and the top-level node it belongs to as its
    type, in the page's language."""
    return gettext(category.name), gettext(category.path()[0].name)


def page_labels(
    column: Category | tuple[str, str] | None = None, document: Document | None = None
) -> list[tuple[str, str]]:
    """The page labels of the page being rendered: the site's, the column's (a catalogue node,
    or a (name, type) pair) and the document's."""
    locale = i18n.select_locale()
    config = current_app.config
    site_name = config["SITE_NAME" if locale == i18n.DEFAULT_LOCALE else "SITE_NAME_EN"]
    article = None
    if document is not None:
        column = document.category
        article = Article(
            title=document.title,
            published=document.published_label,
            source=catalogue.organisation_name(document.organisation),
            keywords=document.keywords,
            url=canonical_url(url_for("documents.detail", slug=document.slug)),
        )
    if isinstance(column, Category):
        column = column_of(column)
    return labels_of(identity(), site_name, config["BASE_URL"], column, article)
