"""Search results (placeholder until the search engine lands)."""

from flask import Blueprint, render_template, request

blueprint = Blueprint("search", __name__)


@blueprint.get("/search")
def results():
    """The search page."""
    return render_template("search/results.html", query=request.args.get("q", ""))
