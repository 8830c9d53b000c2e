"""`portal draft-report`: a body's statutory annual report drafted from the platform's records,
as a draft in the review workflow. A thin wrapper over portal.reports.drafting (a second door:
the `portal` command registers it)."""

import os
from pathlib import Path

import click

from portal import settings
from portal.cli_options import content_option
from portal.reports import drafting
from portal.terminal import printable

# Wrong arguments (no such body, a year the format or the calendar rules out) exit 2, as click's
# own usage errors do; a report that exists already, or records that cannot be read, exit 1.
EXIT_CODES = {drafting.UNKNOWN_ORGANISATION: 2, drafting.NOT_OVER: 2, drafting.OUT_OF_RANGE: 2}


class Refused(click.ClickException):
    """A draft refused, with the exit code of its reason."""

    def __init__(self, refusal: drafting.DraftRefused):
        super().__init__(printable(f"nothing drafted: {refusal}"))
        self.exit_code = EXIT_CODES.get(refusal.reason, 1)


@click.command("draft-report")
@click.argument("year", type=int)
@click.option(
    "--organisation",
    default="",
    metavar="ID",
    help="The body whose report it is (its id, as in content/organisations/ID.yml). "
    "Default: DEFAULT_ORGANISATION.",
)
@content_option("Folder of content files the draft is written into.")
def draft_report(year: int, organisation: str, content_dir: Path):
    """Draft the body's statutory annual report of YEAR (政府信息公开工作年度报告) from the
    records, as a draft waiting for 初审: table 2's 规章 and 行政规范性文件 rows from its
    documents' 时效, table 3 from the applications made to it, the rest left for staff. Never
    writes over an existing report."""
    from portal.catalogue import load_catalogue
    from portal.workflow import china_today

    if not content_dir.is_dir():
        raise click.UsageError(f"no content folder at {content_dir}")
    site = load_catalogue(content_dir)
    try:
        body = drafting.body_to_draft(site, organisation, year, china_today())
        records = _records(body.id)
        draft = drafting.draft_report(
            site,
            content_dir,
            body,
            year,
            records,
            china_today(),
            settings.value("DEFAULT_DEPARTMENT"),
            settings.value("ORGANISATION_CODE"),
        )
        drafting.write_draft(draft)
    except drafting.DraftRefused as refusal:
        raise Refused(refusal) from None
    click.echo(os.path.relpath(draft.path))
    for line in drafting.summary(draft):
        click.echo(printable(line), err=True)


def _records(organisation: str) -> list:
    """The records of the applications made to the body, from DATABASE_URL."""
    from portal import applications, db

    try:
        engine = db.make_engine(
            settings.value("DATABASE_URL"), lock_wait=db.COMMAND_LOCK_WAIT, must_exist=True
        )
    except db.DatabaseUnavailable as error:
        raise _unreadable(error) from None
    try:
        db.require_current(engine)
        return applications.ApplicationStore(engine).all(organisation)
    except (db.DatabaseUnavailable, db.SchemaBehind, applications.StoreUnavailable) as error:
        raise _unreadable(error) from None
    finally:
        engine.dispose()


def _unreadable(error: Exception) -> click.ClickException:
    return click.ClickException(
        printable(
            "nothing drafted: table 3 is counted from the application records in "
            f"DATABASE_URL, which cannot be read: {error}"
        )
    )
