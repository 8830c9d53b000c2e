"""The bodies that publish on the platform (发布机构): the list of them by kind, and each body's
disclosure column, with its 公开指南, 公开目录, annual reports, 依申请公开 entry and feed."""

from flask import Blueprint, abort, current_app, render_template

from portal import wiring
from portal.catalogue import CATALOGUE_COLUMNS, KINDS, paginate
from portal.web import page_argument
from portal.web.urls import cached_url_for

blueprint = Blueprint("organisations", __name__, url_prefix="/organisations")


@blueprint.get("/")
def index():
    """Every body, grouped by kind, with how much it has published and when it last did."""
    return render_template(
        "organisations/index.html",
        groups=wiring.catalogue.current().columns_by_kind(),
        kinds=KINDS,
    )


@blueprint.get("/<organisation_id>/")
def detail(organisation_id: str):
    """One body's disclosure column; its 公开目录 paged like the catalogue."""
    current = wiring.catalogue.current()
    column = current.column(organisation_id) or abort(404)
    page_number = page_argument()
    page = paginate(column.documents, page_number, current_app.config["PER_PAGE"])
    if page_number > page.count:
        abort(404)
    return render_template(
        "organisations/detail.html",
        column=column,
        organisation=column.organisation,
        page=page,
        catalogue_columns=CATALOGUE_COLUMNS,
        report_problems=current.report_problems,
        kinds=KINDS,
        page_url=lambda number: cached_url_for(
            "organisations.detail",
            organisation_id=organisation_id,
            page=number if number > 1 else None,
        ),
    )
