"""`portal website-report YEAR`: draft the website's yearly form (政府网站工作年度报表) covering
YEAR as a content file and its data file, waiting for 初审 like any draft. The rows the site can
count from its records are counted (portal.website_report.counting); the rest are left for
staff, not filled. It never writes over a file, and refuses a year not over yet or one that
has its form already.

A door of its own (registered by the `portal` command group): it reads the catalogue, the
applications database and the settings, and the catalogue imports portal.website_report."""

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

from portal import settings
from portal.cli_options import content_option
from portal.website_report.counting import Site, counted_values, due_date
from portal.website_report.datafile import FIRST_YEAR, WebsiteReport, form_text
from portal.website_report.schema import RECORDS, ROWS

FOLDER = "website-reports"
DATA_SUFFIX = ".form.yml"
# The front matter key naming the data file, written where portal new writes `report:`.
KEY = "website_report"
IDENTITY_SETTINGS = (
    "SITE_SPONSOR",
    "SITE_OPERATOR",
    "SITE_CONTACT",
    "SITE_ID_CODE",
    "ICP_RECORD",
    "PUBLIC_SECURITY_RECORD",
    "GOVERNMENT_SITE_MARK_URL",
    "ERROR_REPORT_URL",
)


class DraftRefused(ValueError):
    """Why the form cannot be drafted; nothing was written."""


@dataclass(frozen=True)
class Drafted:
    """A form drafted: its content file, its data file and what it holds."""

    document: Path
    data: Path
    form: WebsiteReport


def slug_of(year: int, body: str = "") -> str:
    """The address of the form covering year: /documents/website-report-2025/, with the id of
    the body in front for a body other than the site's default one (as portal new names
    drafts: two bodies' files never share an address)."""
    return f"{body}-website-report-{year}" if body else f"website-report-{year}"


def draft_form(
    content_dir: Path,
    year: int,
    today: datetime.date,
    site: Site,
    applications: Iterable | None,
    organisation: str = "",
    department: str = "办公室",
) -> Drafted:
    """Write the draft of the form covering year: a content file in 政府信息公开年报 waiting
    for 初审, published by organisation (default: the site's default body), and its data file.
    applications: those received through the site (None: the database cannot be read, and the
    rows counted from them are left for staff). DraftRefused, with nothing written, for a year
    not over, a form that exists, an unknown organisation or a file in the way."""
    from portal.catalogue import load_catalogue

    if year >= today.year:
        raise DraftRefused(
            f"{year} is not over: the form covering it is drafted from {year + 1}-01-01 "
            f"(it is due by {due_date(year).isoformat()})"
        )
    catalogue = load_catalogue(content_dir)
    for document in (*catalogue.documents, *catalogue.drafts):
        if document.website_report is not None and document.website_report.year == year:
            raise DraftRefused(
                f"the form covering {year} exists already: {document.path} (one form a year; "
                "edit that file)"
            )
    body = catalogue.organisations.get(organisation or catalogue.organisations.default)
    if body is None:
        known = ", ".join(o.id for o in catalogue.organisations)
        raise DraftRefused(f"no organisation '{organisation}' (one of: {known})")
    slug = slug_of(year, "" if body.id == catalogue.organisations.default else body.id)
    folder = content_dir / FOLDER
    document_path, data_path = folder / f"{slug}.md", folder / f"{slug}{DATA_SUFFIX}"
    taken = {d.slug: d.path for d in (*catalogue.documents, *catalogue.drafts)}
    for path in (document_path, data_path):
        if path.exists() or path.is_symlink():
            raise DraftRefused(f"{path} exists already: it is never written over")
    if slug in taken:
        raise DraftRefused(f"the address {slug} is used by {taken[slug]}")
    site = Site(site.name, site.base_url, site.identity, body.name)
    form = WebsiteReport(year, counted_values(catalogue.documents, applications, year, site))
    text = _document_text(catalogue, body, site, year, today, department, data_path.name)
    _write_both(document_path, text, data_path, form_text(form), content_dir)
    return Drafted(document_path, data_path, form)


def _document_text(catalogue, body, site: Site, year: int, today, department, data_name) -> str:
    """The content file, as `portal new` writes one, naming the data file before `review: []`."""
    from portal.catalogue import DraftFields, new_text, next_index_no

    code = body.code or settings.value("ORGANISATION_CODE")
    fields = DraftFields(
        title=f"{site.name}政府网站工作年度报表（{year}年度）",
        index_no=next_index_no(catalogue, code, today.year),
        date=today.isoformat(),
        department=department,
        time_limit="长期公开",
        category="政府信息公开年报",
        five_openness="结果公开",
        mode="主动公开",
        keywords=("政府网站工作年度报表",),
        body=(
            "本表依据《国务院办公厅关于做好政府网站年度报表发布工作的通知》（国办函〔2018〕12号）"
            f"编制，统计期间为{year}年1月1日至{year}年12月31日。\n"
        ),
    )
    text = new_text(fields, body.id if body.path is not None else "")
    return text.replace("\nreview: []\n", f"\n{KEY}: {data_name}\nreview: []\n", 1)


def _write_both(document_path: Path, text: str, data_path: Path, data: str, root: Path) -> None:
    """Write the data file and the content file, each as a new file, and read them back as the
    site reads them: a draft it accepts, or nothing is left behind."""
    from portal.catalogue import parse_file
    from portal.text import atomic_create

    document_path.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    path = data_path
    try:
        for path, content in ((data_path, data), (document_path, text)):
            atomic_create(path, content.encode())
            written.append(path)
        document, problems = parse_file(document_path, root)
        errors = [p for p in problems if p.severity == "error"]
        if document is None or document.waiting_for is None or errors:
            # Cannot happen by construction; refuse rather than leave a broken draft.
            raise DraftRefused("; ".join(map(str, errors)) or "the draft would not read back")
    except BaseException as error:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, FileExistsError):
            raise DraftRefused(f"{path} exists already: it is never written over") from None
        raise


def _site() -> Site:
    from portal.identity import read_identity
    from portal.settings import SettingError

    try:
        identity = read_identity({name: settings.value(name) for name in IDENTITY_SETTINGS})
    except SettingError as error:
        raise click.ClickException(str(error)) from None
    return Site(settings.value("SITE_NAME"), settings.value("BASE_URL"), identity, "")


def _applications(content_dir: Path, year: int) -> list | None:
    """The applications received in year through the site, read only; None, said on standard
    error, when the database cannot be read."""
    from portal import applications, db
    from portal.catalogue import read_organisations, site_organisation

    try:
        engine = db.make_engine(
            settings.value("DATABASE_URL"), lock_wait=db.COMMAND_LOCK_WAIT, must_exist=True
        )
    except db.DatabaseUnavailable as error:
        click.echo(f"applications not counted, the database cannot be read: {error}", err=True)
        return None
    try:
        db.require_current(engine)
        site = site_organisation()  # the bodies' files only, not every document
        bodies = [o.id for o in read_organisations(content_dir, site.id, site)[0]]
        store = applications.ApplicationStore(engine)
        return store.received_between(
            bodies, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        )
    except (db.DatabaseUnavailable, db.SchemaBehind, applications.StoreUnavailable) as error:
        click.echo(f"applications not counted, the database cannot be read: {error}", err=True)
        return None
    finally:
        engine.dispose()


@click.command("website-report")
@click.argument("year", type=click.IntRange(FIRST_YEAR, 9999))
@click.option(
    "--organisation",
    default="",
    metavar="ID",
    help="Id of the body that publishes the form (default: DEFAULT_ORGANISATION).",
)
@content_option("Folder of content files the form is written into.")
def website_report(year: int, organisation: str, content_dir: Path):
    """Draft the website's yearly form (政府网站工作年度报表) covering YEAR, waiting for 初审:
    the rows the site's records give counted, the others left for staff to fill."""
    from portal import workflow

    today = workflow.china_today()
    if year >= today.year:  # said before the database is opened
        raise click.ClickException(
            f"{year} is not over: the form covering it is drafted from {year + 1}-01-01"
        )
    received = _applications(content_dir, year)
    try:
        drafted = draft_form(
            content_dir,
            year,
            today,
            _site(),
            received,
            organisation,
            settings.value("DEFAULT_DEPARTMENT"),
        )
    except DraftRefused as error:
        raise click.ClickException(str(error)) from None
    counted = sum(1 for row in ROWS if drafted.form.value(row.key) is not None)
    left = len(ROWS) - counted
    document, data = (os.path.relpath(path) for path in (drafted.document, drafted.data))
    click.echo(f"wrote {document} (a draft: it waits for 初审 and is not public)")
    click.echo(
        f"wrote {data}: {counted} rows counted from the site's records, {left} left "
        "for staff to fill (null until they do)"
    )
    if received is not None:
        click.echo(f"counted {len(received)} applications received in {year}")
    uncounted = [
        row.key for row in ROWS if row.source == RECORDS and drafted.form.value(row.key) is None
    ]
    if uncounted:
        click.echo(f"not in the records, for staff too: {', '.join(uncounted)}")
