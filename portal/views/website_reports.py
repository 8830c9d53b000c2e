"""The website's yearly forms (政府网站工作年度报表): the list of the years published, and each
year's form as an accessible table at an address that stays (/website-reports/2025/)."""

from flask import Blueprint, abort, render_template

from portal import wiring

blueprint = Blueprint("website_reports", __name__, url_prefix="/website-reports")

# A year is four digits: no other spelling of it (02025) is a second address of the page.
YEAR = "<int(fixed_digits=4):year>"


@blueprint.get("/")
def index():
    """Every published form, newest year first."""
    forms = wiring.catalogue.current().website_reports
    newest_first = [forms[year] for year in sorted(forms, reverse=True)]
    return render_template("website_reports/index.html", documents=newest_first)


@blueprint.get(f"/{YEAR}/")
def detail(year: int):
    """The form covering one year, as published."""
    forms = wiring.catalogue.current().website_reports
    document = forms.get(year) or abort(404)
    return render_template(
        "website_reports/detail.html",
        document=document,
        form=document.website_report,
        years=sorted(forms, reverse=True),
    )
