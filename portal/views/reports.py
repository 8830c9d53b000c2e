"""Annual reports as data: table downloads per report, the combined dataset, the
year-over-year comparison of one organisation's reports, and every body's report of a year
with the sums of their tables."""

import json

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from portal import catalogue, reports, wiring, workflow
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
    latest = catalogue.report_years(current, workflow.china_today())[0]
    return render_template(
        "reports/overview.html", by_organisation=by_organisation, current=current, latest=latest
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


# A year is four digits: no other spelling of it (02024) is a second address of the page.
YEAR = "<int(fixed_digits=4):year>"


@blueprint.get("/reports/county/")
def county_latest():
    """The reports of the latest year that has any or is now due; which year that is changes
    with the date, so the answer is a temporary redirect."""
    current = wiring.catalogue.current()
    year = catalogue.report_years(current, workflow.china_today())[0]
    return redirect(url_for("reports.county", year=year), 302)


def _county_year(year: int) -> tuple[reports.CountyYear, list[int]]:
    """Every body's standing with its report covering year today (China's date), and the
    years there are pages for; 404 for any other year."""
    current = wiring.catalogue.current()
    today = workflow.china_today()
    years = catalogue.report_years(current, today)
    if year not in years:
        abort(404)
    return catalogue.county_year(current, year, today), years


@blueprint.get(f"/reports/county/{YEAR}/")
def county(year: int):
    """Whether each body published its report covering year on time, and the sums of all
    their tables, checked by the rules of one report."""
    county_year, years = _county_year(year)
    return render_template(
        "reports/county.html",
        county=county_year,
        years=years,
        organisations=wiring.catalogue.current().organisations,
        states=reports.STATES,
    )


def _summary(year: int) -> reports.Summary:
    summary = _county_year(year)[0].summary
    if summary.report is None:
        abort(404)
    return summary


@blueprint.get(f"/reports/county/{YEAR}/summary.csv")
def county_csv(year: int):
    """The sums of every body's tables of a year as CSV (the columns of every report CSV)."""
    summary = _summary(year)
    return _download(reports.report_to_csv(summary.report), f"annual-reports-{year}-sum.csv")


@blueprint.get(f"/reports/county/{YEAR}/summary.json")
def county_json(year: int):
    """The sums of every body's tables of a year as JSON, with the bodies they add up."""
    summary = _summary(year)
    names = {o.id: o.name for o in wiring.catalogue.current().organisations}
    data = reports.summary_to_json(summary, names)
    return _download(_json(data), f"annual-reports-{year}-sum.json")
