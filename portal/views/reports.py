"""Annual reports as data: table downloads per report, the combined dataset, and the
year-over-year comparison of one organisation's reports."""

import json

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from portal import reports, wiring
from portal.reports import KEY_FIGURES, comparison_chart
from portal.web import files, segments

blueprint = Blueprint("reports", __name__)
blueprint.record_once(segments.register)


def _report_document(slug: str):
    document = wiring.catalogue.current().get(slug)
    if document is None or document.report is None:
        abort(404)
    return document


def _download(body: str, filename: str) -> Response:
    """Generated data, sent under the file policy like any other file."""
    return files.send_data(request.environ, body, filename, max_age=300)


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@blueprint.get("/documents/<slug>/tables.csv")
def report_csv(slug: str):
    """One report's statutory tables as CSV (UTF-8 with BOM)."""
    document = _report_document(slug)
    return _download(reports.report_to_csv(document.report), f"{slug}.csv")


@blueprint.get("/documents/<slug>/tables.json")
def report_json(slug: str):
    """One report's statutory tables as JSON."""
    document = _report_document(slug)
    return _download(_json(reports.report_to_json(document.report)), f"{slug}.json")


def _all_reports() -> list[reports.Report]:
    return sorted(
        (d.report for d in wiring.catalogue.current().annual_reports),
        key=lambda r: (r.organisation, r.year),
    )


@blueprint.get("/reports/dataset.csv")
def dataset_csv():
    """Every published report's tables in one CSV file."""
    return _download(reports.dataset_csv(_all_reports()), "annual-reports.csv")


@blueprint.get("/reports/dataset.json")
def dataset_json():
    """Every published report's tables in one JSON file."""
    return _download(_json(reports.dataset_json(_all_reports())), "annual-reports.json")


@blueprint.get("/reports/")
def overview():
    """Each organisation's reports by year, with links to compare them and to the data."""
    current = wiring.catalogue.current()
    by_organisation: dict[str, list] = {}
    for document in current.annual_reports:
        by_organisation.setdefault(document.report.organisation, []).append(document)
    for documents in by_organisation.values():
        documents.sort(key=lambda d: d.report.year, reverse=True)
    return render_template(
        "reports/overview.html", by_organisation=by_organisation, current=current
    )


@blueprint.get("/reports/compare/")
def compare_by_query():
    """The comparison addressed by ?organisation=, moved to a path a static server can serve."""
    organisation = request.args.get("organisation", "")
    if not organisation:
        abort(404)
    return redirect(url_for("reports.compare", organisation=organisation), 301)


@blueprint.get("/reports/compare/<segment:organisation>/")
def compare(organisation: str):
    """Key figures of one organisation's reports side by side, as a table and a chart."""
    annual = wiring.catalogue.current().annual_reports
    organisation = segments.find(organisation, {d.report.organisation for d in annual})
    if organisation is None:
        abort(404)
    documents = sorted(
        (d for d in annual if d.report.organisation == organisation), key=lambda d: d.report.year
    )
    return render_template(
        "reports/compare.html",
        organisation=organisation,
        documents=documents,
        figures=KEY_FIGURES,
        chart=comparison_chart(documents),
        problems=wiring.catalogue.current().series_problems,
    )
