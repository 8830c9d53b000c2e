"""Feeds and discovery: Atom feeds of new documents, sitemap.xml and robots.txt. Every address
in them comes from the configured base URL."""

import datetime
import itertools

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from portal import wiring
from portal.catalogue import Filters, categories, updated_on
from portal.web import segments
from portal.web.i18n import LOCALES, PREFIXES, select_locale

blueprint = Blueprint("feeds", __name__)
blueprint.record_once(segments.register)

FEED_SIZE = 50
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def _xml(body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


def _feed(title: str, filters: Filters, self_url: str, page_url: str) -> Response:
    """An Atom feed of the newest dated documents that pass the filters."""
    # The selection is newest first, undated documents last: the first FEED_SIZE dated ones
    # are at its front, so a feed never walks a whole catalogue.
    selection = wiring.catalogue.current().select(filters)
    documents = list(itertools.islice((d for d in selection if d.date), FEED_SIZE))
    updated = max((d.date for d in documents), default=datetime.date(2000, 1, 1))
    body = render_template(
        "feeds/atom.xml",
        title=title,
        documents=documents,
        updated=updated,
        self_url=self_url,
        page_url=page_url,
        timestamp=timestamp,
    )
    return _xml(body, "application/atom+xml")


def timestamp(day: datetime.date) -> str:
    """An RFC 3339 timestamp for a date, at midnight China Standard Time."""
    return datetime.datetime.combine(day, datetime.time(), CHINA).isoformat()


@blueprint.get("/feeds/all.atom")
def everything():
    """New documents of the whole catalogue."""
    return _feed(
        _("最新公开信息"), Filters(), url_for("feeds.everything"), url_for("catalogue.browse")
    )


@blueprint.get("/feeds/category/<slug>.atom")
def category(slug: str):
    """New documents of one category (and the categories below it)."""
    node = categories.BY_SLUG.get(slug) or abort(404)
    return _feed(
        _(node.name),
        Filters(category=node),
        url_for("feeds.category", slug=slug),
        url_for("catalogue.browse", slug=slug),
    )


@blueprint.get("/feeds/department/<segment:name>.atom")
def department(name: str):
    """New documents of one department, whatever characters its name holds."""
    name = segments.find(name, wiring.catalogue.current().departments()) or abort(404)
    return _feed(
        name,
        Filters(department=name),
        url_for("feeds.department", name=name),
        url_for("catalogue.browse", department=name),
    )


@blueprint.get("/feeds/organisation/<organisation_id>.atom")
def organisation(organisation_id: str):
    """New documents of one body on the platform."""
    column = wiring.catalogue.current().column(organisation_id) or abort(404)
    return _feed(
        column.organisation.name_in(select_locale()),
        Filters(organisation=organisation_id),
        url_for("feeds.organisation", organisation_id=organisation_id),
        url_for("organisations.detail", organisation_id=organisation_id),
    )


@blueprint.get("/sitemap.xml")
def sitemap():
    """Every public page, in each language, with its language alternates."""
    current = wiring.catalogue.current()
    paths = [url_for("home.index"), url_for("catalogue.browse"), url_for("reports.overview")]
    paths += [url_for("catalogue.browse", slug=node.slug) for node in categories.ALL]
    paths.append(url_for("organisations.index"))
    paths += [url_for("organisations.detail", organisation_id=o.id) for o in current.organisations]
    paths += [url_for("documents.detail", slug=d.slug) for d in current.documents]
    organisations = sorted({d.report.organisation for d in current.annual_reports})
    paths += [url_for("reports.compare", organisation=o) for o in organisations]
    paths.append(url_for("website_reports.index"))
    paths += [url_for("website_reports.detail", year=year) for year in current.website_reports]
    lastmod = {url_for("documents.detail", slug=d.slug): updated_on(d) for d in current.documents}
    body = render_template(
        "feeds/sitemap.xml",
        paths=paths,
        lastmod=lastmod,
        prefixes=[PREFIXES.get(locale, "") for locale in LOCALES],
        locales=LOCALES,
    )
    return _xml(body, "application/xml")


@blueprint.get("/robots.txt")
def robots():
    """Crawlers may read every page but the JSON API; the sitemap lists the pages."""
    from portal.web.canonical import canonical_url

    # Search pages stay crawlable: a crawler must read their noindex (a disallowed URL can still
    # be listed from links alone, with the linked text as its only description).
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /en/api/",
        f"Sitemap: {canonical_url(url_for('feeds.sitemap'))}",
        "",
    ]
    return _xml("\n".join(lines), "text/plain")
