"""Browsing the catalogue: by category (in the path), publishing body (发布机构), department,
year and 五公开 (in the query), combinable, each option with its count."""

from flask import Blueprint, abort, current_app, render_template, request

from portal import wiring
from portal.catalogue import VALIDITY_BY_SLUG, Catalogue, Filters, categories, paginate
from portal.web import page_argument, year_value
from portal.web.urls import cached_url_for

blueprint = Blueprint("catalogue", __name__, url_prefix="/catalogue")


@blueprint.get("/", defaults={"slug": None})
@blueprint.get("/<slug>/")
def browse(slug: str | None):
    """A list of documents, newest first, narrowed by the chosen filters."""
    current = wiring.catalogue.current()
    filters = _filters(slug, current)
    documents = current.select(filters)
    page_number = page_argument()
    page = paginate(documents, page_number, current_app.config["PER_PAGE"])
    if page_number > page.count:
        abort(404)
    return render_template(
        "catalogue/browse.html",
        filters=filters,
        page=page,
        counts=current.counts(filters),
        departments=current.departments(),
        organisations=current.organisations,
        years=current.years(),
        tree=categories.TREE,
        five_openness=categories.FIVE_OPENNESS,
        five_names=categories.FIVE_OPENNESS_BY_SLUG,
        validity_names=VALIDITY_BY_SLUG,
        filter_url=filter_url,
        page_url=lambda number: filter_url(filters, page=number if number > 1 else None),
    )


def _filters(slug: str | None, current: Catalogue) -> Filters:
    """The filters named by the URL; unknown values are 404, malformed ones 400."""
    category = None
    if slug is not None:
        category = categories.BY_SLUG.get(slug)
        if category is None:
            abort(404)
    department = request.args.get("department", "")
    if department and department not in current.departments():
        abort(404)
    year_text = request.args.get("year", "")
    year = year_value(year_text) if year_text else None
    if year is not None and year not in current.years():
        abort(404)  # like an unknown department: no made-up year becomes a page of its own
    five = request.args.get("five", "")
    if five and five not in categories.FIVE_OPENNESS_BY_SLUG:
        abort(404)
    organisation = request.args.get("organisation", "")
    if organisation and current.organisations.get(organisation) is None:
        abort(404)  # as an unknown department: only the bodies of the platform are pages
    validity = request.args.get("validity", "")
    if validity and validity not in VALIDITY_BY_SLUG:
        abort(404)
    return Filters(category, department, year, five, organisation, validity)


def filter_url(filters: Filters, **changes) -> str:
    """The browse URL for filters with some values changed (None or '' removes a filter)."""
    values = {
        "category": filters.category.slug if filters.category else None,
        "organisation": filters.organisation,
        "department": filters.department,
        "year": filters.year,
        "five": filters.five,
        "validity": filters.validity,
        "page": None,
    }
    values.update(changes)
    slug = values.pop("category")
    query = {key: value for key, value in values.items() if value}
    return cached_url_for("catalogue.browse", slug=slug, **query)
