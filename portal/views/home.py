"""The home page: the five standard columns, the latest documents and a search box."""

from flask import Blueprint, render_template

from portal import wiring
from portal.catalogue import Filters, categories

blueprint = Blueprint("home", __name__)

COLUMNS = ("guide", "rules", "statutory", "annual-reports", "on-request")
LATEST = 10


@blueprint.get("/")
def index():
    """The home page."""
    current = wiring.catalogue.current()
    counts = current.counts(Filters())["category"]
    columns = [(categories.BY_SLUG[slug], counts[slug]) for slug in COLUMNS]
    return render_template(
        "home.html",
        columns=columns,
        latest=current.documents[:LATEST],
        hot_searches=wiring.search.hot_searches(),
    )
