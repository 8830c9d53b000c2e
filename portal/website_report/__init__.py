"""The 政府网站工作年度报表: the yearly statistics form every government website publishes about
itself by 31 January (国办函〔2018〕12号), as data, without Flask.

A year's form is a document of the catalogue (政府信息公开年报) whose front matter names its data
file (``website_report: <slug>.form.yml``), reviewed like any document. This package is its door:

- schema: the form's sections and rows (key, label, unit, kind, counted from records or entered
  by staff), in the form's order
- datafile: reading the data file (every problem with its line) and writing it
- counting: the rows the site fills from its own records (documents published, applications
  received, the identity settings, the platform's features)
- standing: whether the form covering last year is published, for `portal status`
- cli: `portal website-report YEAR`, a door of its own, because it reads the catalogue, the
  applications and the settings, which import this package
"""

from portal.website_report.counting import (
    INDIVIDUAL,
    INTERPRETATION,
    NEWS,
    OVERVIEW,
    Site,
    counted_values,
    due_date,
    public_address,
)
from portal.website_report.datafile import (
    FIRST_YEAR,
    Problem,
    Value,
    WebsiteReport,
    form_text,
    load_form,
    parse_form,
)
from portal.website_report.schema import (
    INNOVATIONS,
    NO,
    RECORDS,
    ROWS,
    ROWS_BY_KEY,
    SECTIONS,
    SIGNATURE,
    SITE_TYPES,
    SOURCES,
    STAFF,
    YES,
    Heading,
    Row,
    Section,
)
from portal.website_report.standing import form_due, status_note

__all__ = [
    "FIRST_YEAR",
    "INDIVIDUAL",
    "INNOVATIONS",
    "INTERPRETATION",
    "NEWS",
    "NO",
    "OVERVIEW",
    "RECORDS",
    "ROWS",
    "ROWS_BY_KEY",
    "SECTIONS",
    "SIGNATURE",
    "SITE_TYPES",
    "SOURCES",
    "STAFF",
    "YES",
    "Heading",
    "Problem",
    "Row",
    "Section",
    "Site",
    "Value",
    "WebsiteReport",
    "counted_values",
    "due_date",
    "form_due",
    "form_text",
    "load_form",
    "parse_form",
    "public_address",
    "status_note",
]
