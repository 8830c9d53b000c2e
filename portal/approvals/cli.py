"""`portal review`: an approval recorded from the command line, as a staff account, through the
same rules and the same audit trail as the back office; and the returned documents `portal
status` sets apart. Thin wrappers over portal.approvals (a second door: the `portal` command
registers it)."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session

from portal import accounts, approvals, db, settings
from portal.workflow import STAGES


@contextmanager
def _database() -> Iterator[Session]:
    """A session on DATABASE_URL, refusing a database whose schema is not the code's."""
    try:
        engine = db.make_engine(settings.value("DATABASE_URL"))
        db.require_current(engine)
    except (db.DatabaseUnavailable, db.SchemaBehind) as error:
        raise click.ClickException(
            f"{error} (approvals are recorded by account, in the back office's database)"
        ) from None
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _desk() -> approvals.Desk:
    return approvals.Desk(
        Path(settings.value("CONTENT_DIR")), str(settings.value("DEFAULT_ORGANISATION"))
    )


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stage", required=True, type=click.Choice(STAGES), help="The stage approved.")
@click.option(
    "--by",
    "by",
    required=True,
    help="Login name of the staff account that approves: it must hold the stage's role in the "
    "document's organisation.",
)
@click.option(
    "--code",
    default=None,
    help="The account's authenticator code, for 终审 and 保密审查 (asked for when not given).",
)
@click.option("--comment", default="", help="A note kept with the approval in the audit log.")
def review(path: Path, stage: str, by: str, code: str | None, comment: str):
    """Record an approval of a draft by a staff account; the last stage publishes it."""
    now = datetime.datetime.now(datetime.UTC)
    with _database() as session:
        try:
            member = approvals.reviewer(session, by)
            if stage in accounts.SECOND_FACTOR_ROLES and member.second_factor:
                code = code or click.prompt(
                    f"{stage} needs the current code of {member.username}'s authenticator",
                    hide_input=True,
                )
                if not accounts.confirm_presence(session, member.id, code, now):
                    raise click.ClickException(
                        f"that is not the current code of {member.username}'s authenticator "
                        "(or it was used already): nothing was approved"
                    )
            recorded = approvals.approve(session, _desk(), member, path, stage, now, comment)
        except approvals.Refused as error:
            raise click.ClickException(str(error)) from None
        except db.DatabaseUnavailable as error:
            raise click.ClickException(str(error)) from None
        names = approvals.names_of(session, [a.by for a in recorded.change.approvals])
    done = "; ".join(
        f"{a.stage} {a.by}" + (f" ({names[a.by]})" if a.by in names else "")
        for a in recorded.change.approvals
    )
    click.echo(f"{path}: {done}" + ("; published" if recorded.published else ""))


def returned_documents() -> tuple[dict[str, approvals.Returned], str | None]:
    """The documents returned to their drafters, for `portal status`; with a note instead when
    the back office's database cannot say (not made yet, unreachable)."""
    try:
        engine = db.make_engine(settings.value("DATABASE_URL"))
        try:
            db.require_current(engine)
            with Session(engine) as session:
                return approvals.returned(session), None
        finally:
            engine.dispose()
    except (db.DatabaseUnavailable, db.SchemaBehind) as error:
        return {}, f"documents returned to their drafters are not known: {error}"
