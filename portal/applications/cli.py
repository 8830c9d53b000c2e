"""Staff commands for online disclosure applications: `portal applications ...` and
`portal report-stats`. Thin wrappers over portal.applications."""

import datetime
from pathlib import Path

import click

from portal import applications as domain
from portal import settings
from portal.cli_options import content_option
from portal.terminal import printable


def _open() -> domain.ApplicationStore:
    """The store over DATABASE_URL, waiting for locks as long as a staff command can; a
    missing SQLite file is never made (`portal db upgrade` makes it). StoreUnavailable when
    the database cannot be opened or is not at the code's schema."""
    from portal import db

    url = settings.value("DATABASE_URL")
    try:
        engine = db.make_engine(url, lock_wait=db.COMMAND_LOCK_WAIT, must_exist=True)
        db.require_current(engine)
    except (db.DatabaseUnavailable, db.SchemaBehind) as error:
        raise domain.StoreUnavailable(str(error)) from None
    click.get_current_context().call_on_close(engine.dispose)
    return domain.ApplicationStore(engine)


def _echo(text: str, err: bool = False) -> None:
    """Print a line that may hold applicant text: control, bidi and other invisible
    characters are shown as escapes, so the text cannot forge lines or reorder them."""
    click.echo(printable(text), err=err)


def _unavailable(error: domain.StoreUnavailable) -> click.ClickException:
    return click.ClickException(
        printable(
            f"cannot use the applications database (DATABASE_URL): {error}. `portal db upgrade` "
            "creates a new one; restore a deleted one from its backup."
        )
    )


class _Commands(click.Group):
    """The `applications` group: a database that cannot be used is one clear line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except domain.StoreUnavailable as error:
            raise _unavailable(error) from None


def _date(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-09-27") from None


def _line(app: domain.Application) -> str:
    return (
        f"{domain.format_code(app.code)}  {app.received}  due {app.due}  "
        f"{app.status:<10}  {app.organisation:<16}  {app.applicant_kind:<9}  "
        f"{app.masked_id:<18}  {app.name or '(erased)'}"
    )


MOVED = (
    "applications live in the platform's database (DATABASE_URL) now; bring an old "
    "applications file in once with `portal applications import-sqlite FILE`"
)


def _no_file(_ctx: click.Context, _parameter: click.Parameter, value: Path | None) -> None:
    if value is not None:
        raise click.UsageError(f"--db {value} is no longer used: {MOVED}.")


# The old applications file (APPLICATIONS_DB): an error naming the import, so that a script
# written for it stops with what to do instead of reading an empty database.
DATABASE_OPTION = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    expose_value=False,
    callback=_no_file,
    hidden=True,
)
# Only the applications made to one body: the id of its file under content/organisations/.
ORGANISATION_FILTER = click.option(
    "--organisation",
    default=None,
    metavar="ID",
    help="Only applications made to this body (its id, as in content/organisations/ID.yml).",
)


@click.group(cls=_Commands)
@DATABASE_OPTION
def applications():
    """Online disclosure applications (依申请公开) in DATABASE_URL: list, show, update, export,
    purge; import-sqlite an old applications file."""


@applications.command("list")
@click.option(
    "--due",
    "due",
    type=click.IntRange(0, 3650),
    default=None,
    help="Only unanswered applications overdue or due within N days.",
)
@ORGANISATION_FILTER
def list_applications(due: int | None, organisation: str | None):
    """One line per application: code, received, due, status, the body it was made to,
    applicant kind, masked ID number, name."""
    store = _open()
    if due is None:
        found = store.all(organisation)
    else:
        found = store.due_within(due, domain.today(), organisation)
    for app in found:
        _echo(_line(app))
    click.echo(f"{len(found)} applications", err=True)


@applications.command()
@click.argument("code")
def show(code: str):
    """Everything about one application; the ID number masked."""
    app = _open().get(code)
    if app is None:
        raise click.ClickException(printable(f"no application with code {code}"))
    for name in domain.COLUMNS:
        value = app.masked_id if name == "id_number" else getattr(app, name)
        _echo(f"{name}: {'' if value is None else value}")
    _echo(f"status: {app.status}")


@applications.command()
@click.argument("code")
@click.option(
    "--correction-requested",
    "correction",
    metavar="DATE",
    help="Date the applicant was asked to correct the application (补正).",
)
@click.option(
    "--corrected",
    metavar="DATE",
    help="Date the corrected application arrived; the 20 working days restart.",
)
@click.option("--extend", is_flag=True, help="Extend the deadline by 20 working days (once).")
@click.option(
    "--outcome",
    type=click.Choice(list(domain.OUTCOMES)),
    help="The result: a result row of table 3.",
)
@click.option("--replied", metavar="DATE", help="Date of the reply (default: today).")
def update(
    code: str,
    correction: str | None,
    corrected: str | None,
    extend: bool,
    outcome: str | None,
    replied: str | None,
):
    """Record a 补正 request, an extension, or the outcome and reply date."""
    try:
        app = _open().update(
            code,
            correction_requested=_date(correction),
            corrected=_date(corrected),
            extend=extend,
            outcome=outcome,
            replied=_date(replied),
        )
    except domain.ApplicationError as error:
        raise click.ClickException(printable(str(error))) from None
    _echo(_line(app))


@applications.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@ORGANISATION_FILTER
def export(target: Path, organisation: str | None):
    """Write every application to a CSV file, without ID numbers."""
    found = _open().all(organisation)
    target.write_text(domain.export_csv(found), encoding="utf-8-sig")
    _echo(f"{len(found)} applications written to {target}", err=True)


@applications.command()
@click.option(
    "--days",
    type=click.IntRange(0, 36500),
    default=lambda: int(settings.value("APPLICATION_RETENTION_DAYS")),
    show_default="APPLICATION_RETENTION_DAYS",
    help="Erase personal fields of applications answered longer ago than this.",
)
def purge(days: int):
    """Erase the personal fields of old answered applications; statistics stay."""
    erased = _open().purge(days, domain.today())
    click.echo(f"personal data erased from {erased} applications", err=True)


@applications.command("import-sqlite")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
def import_sqlite(source: Path):
    """Copy the applications of an old APPLICATIONS_DB file into DATABASE_URL (safe to repeat)."""
    from portal import db
    from portal.applications.legacy import LegacyFileError, import_legacy

    try:
        engine = db.make_engine(
            settings.value("DATABASE_URL"), lock_wait=db.COMMAND_LOCK_WAIT, must_exist=True
        )
    except db.DatabaseUnavailable as error:
        raise click.ClickException(str(error)) from None
    try:
        db.require_current(engine)
        report = import_legacy(source, engine, settings.value("DEFAULT_ORGANISATION"))
    except (db.DatabaseUnavailable, db.SchemaBehind, LegacyFileError) as error:
        raise click.ClickException(printable(str(error))) from None
    finally:
        engine.dispose()
    click.echo(
        f"{source}: {report.found} applications, {report.added} added to "
        f"{db.shown(str(engine.url))}, {report.already} already there"
    )


@applications.command("load-samples")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@content_option("Folder of content files whose organisations/ says which bodies are samples.")
def load_samples(source: Path, content_dir: Path):
    """Load the made-up 示例 applications of SOURCE (samples/applications.yml) for a
    demonstration site: only to bodies marked sample, each marked 示例 (safe to repeat)."""
    from portal.applications.samples import SampleFileError
    from portal.applications.samples import load_samples as load
    from portal.catalogue import read_organisations, site_organisation

    site = site_organisation()
    bodies, _problems = read_organisations(content_dir, site.id, site)
    store = _open()
    try:
        report = load(source, store.engine, [body.id for body in bodies if body.sample])
    except SampleFileError as error:
        raise click.ClickException(printable(str(error))) from None
    click.echo(
        f"{source}: {report.found} sample applications, {report.added} added, "
        f"{report.already} already there"
    )


@click.command("report-stats")
@click.argument("year", type=click.IntRange(1990, 2200))
@click.option(
    "--organisation",
    default="",
    metavar="ID",
    help="The body whose table 3 this is (its id); only applications made to it are counted. "
    "Default: DEFAULT_ORGANISATION.",
)
@click.option(
    "--name",
    default="",
    help="The reporting body's name written in the data file. Default: the name in its "
    "organisation file (on a site without organisation files, SITE_NAME: give the body's own "
    "name here).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report data file here instead of printing it.",
)
@content_option("Folder of content files whose organisations/ names the bodies.")
@DATABASE_OPTION
def report_stats(year: int, organisation: str, name: str, out: Path | None, content_dir: Path):
    """Table 3 of YEAR for one body, from the records of the applications made to it, in the
    annual report data format (tables 2 and 4 left unset: null, for staff to fill in).

    Without --organisation it is the default body's (DEFAULT_ORGANISATION): on a site of one
    body, every application. A table for the whole platform is not made here: table 3 is each
    body's own statutory table, and the county's sum is made from the bodies' reports.
    """
    from portal.reports import report_to_yaml, validate_report

    body = _reporting_body(content_dir, organisation)
    try:
        records = _open().all(body.id)
    except domain.StoreUnavailable as error:
        raise _unavailable(error) from None
    report = domain.table3_report(records, year, name.strip() or body.name)
    # Tables 2 and 4 are left unset for staff (R7 names each such cell); table 3 breaks no rule
    # by construction, and a table that did would be refused rather than written.
    problems = [p for p in validate_report(report) if p.severity == "error" and p.table == 3]
    if problems:
        raise click.ClickException("; ".join(p.format() for p in problems))
    text = report_to_yaml(report)
    counted = f"table 3 of {year} for {report.organisation} ({body.id}), {len(records)} records"
    if out is None:
        click.echo(text, nl=False)
        click.echo(counted, err=True)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{counted}, written to {out}", err=True)


def _reporting_body(content_dir: Path, wanted: str):
    """The organisation named by --organisation (by id), or the default one."""
    from portal.catalogue import read_organisations, site_organisation

    site = site_organisation()
    bodies, _problems = read_organisations(content_dir, site.id, site)
    found = bodies.get(wanted or bodies.default)
    if found is not None:
        return found
    known = ", ".join(body.id for body in bodies)
    if not wanted:
        raise click.UsageError(
            f"DEFAULT_ORGANISATION names no organisation in {content_dir}; "
            f"name the body with --organisation (one of: {known})"
        )
    named = [body.id for body in bodies if wanted in (body.name, body.name_en)]
    hint = f"; {wanted} is --organisation {named[0]}" if named else ""
    raise click.UsageError(
        printable(
            f"no organisation '{wanted}' in {content_dir} (one of: {known}){hint}. "
            "`portal check` reports an organisation file it cannot read."
        )
    )
