"""`portal users`: staff accounts from the command line, for the first administrator and for
scripts (everything else is done in the back office). Temporary passwords are printed once;
the person changes theirs at the first sign-in. Thin wrappers over portal.accounts."""

import datetime
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session

from portal import accounts, db, settings


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@contextmanager
def _database() -> Iterator[Session]:
    """A session on DATABASE_URL, refusing a database whose schema is not the code's."""
    try:
        engine = db.make_engine(settings.value("DATABASE_URL"))
        db.require_current(engine)
    except (db.DatabaseUnavailable, db.SchemaBehind) as error:
        raise click.ClickException(str(error)) from None
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()


def _organisations() -> list[str]:
    """The ids of the organisations of the content, as the site reads them."""
    from portal.catalogue import load_catalogue

    catalogue = load_catalogue(Path(settings.value("CONTENT_DIR")))
    return [organisation.id for organisation in catalogue.organisations]


def _line(member: accounts.StaffMember) -> str:
    roles = ", ".join(f"{role}@{organisation}" for organisation, role in member.roles) or "-"
    state = []
    if member.disabled:
        state.append("disabled")
    if member.temporary_until is not None:
        state.append("temporary password")
    state.append("2FA" if member.second_factor else "no 2FA")
    if member.needs_second_factor and not member.second_factor:
        state.append("must enrol 2FA")
    return f"{member.username}  {member.name}  [{'; '.join(state)}]  {roles}"


def _temporary(member: accounts.StaffMember, password: str) -> None:
    click.echo(f"{member.username}: temporary password {password}")
    click.echo(
        f"  valid until {member.temporary_until:%Y-%m-%d %H:%M} UTC; it must be changed at "
        "the first sign-in (/admin/sign-in). Give it to the person by a separate channel.",
        err=True,
    )


def _split(value: str) -> tuple[str, str]:
    organisation, _, role = value.rpartition(":")
    return role, organisation


@click.group()
def users():
    """Staff accounts of the back office: add, list, disable, enable, reset, grant, revoke."""


@users.command()
@click.argument("username")
@click.option("--name", required=True, help="The person's name, as colleagues know it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ORGANISATION:ROLE",
    help="A role in an organisation, e.g. lingwu-kjj:初审 or lingwu-kjj:first-review (repeatable).",
)
@click.option("--admin", is_flag=True, help="Make the account a platform administrator (管理员).")
def add(username: str, name: str, roles: tuple[str, ...], admin: bool):
    """Create an account and print its temporary password."""
    pairs = [_split(value) for value in roles] + ([(accounts.ADMINISTRATOR, "")] if admin else [])
    organisations = _organisations() if any(o for _, o in pairs) or roles else []
    with _database() as session:
        member, password = accounts.add_account(
            session, username, name, pairs, organisations, _now()
        )
        _temporary(member, password)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_users(as_json: bool):
    """Every account with its roles and state."""
    with _database() as session:
        members = accounts.list_accounts(session)
    if as_json:
        rows = [
            {
                "username": m.username,
                "name": m.name,
                "roles": [{"organisation": o, "role": r} for o, r in m.roles],
                "disabled": m.disabled,
                "temporary_password": m.temporary_until is not None,
                "second_factor": m.second_factor,
                "needs_second_factor": m.needs_second_factor,
            }
            for m in members
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for member in members:
        click.echo(_line(member))
    if not members:
        click.echo("no accounts yet: create the first with `portal users add NAME --admin`")


@users.command()
@click.argument("username")
def disable(username: str):
    """Disable an account and end its sessions at once."""
    with _database() as session:
        click.echo(_line(accounts.set_disabled(session, username, True, _now())))


@users.command()
@click.argument("username")
def enable(username: str):
    """Enable a disabled account again."""
    with _database() as session:
        click.echo(_line(accounts.set_disabled(session, username, False, _now())))


@users.command()
@click.argument("username")
@click.option(
    "--second-factor",
    is_flag=True,
    help="Also forget the account's authenticator (a lost phone); it enrols a new one.",
)
def reset(username: str, second_factor: bool):
    """Give an account a new temporary password and end its sessions."""
    with _database() as session:
        member, password = accounts.reset_account(session, username, _now(), second_factor)
        _temporary(member, password)


@users.command()
@click.argument("username")
@click.argument("role")
@click.option("--organisation", default="", help="Id of the organisation (not for 管理员).")
def grant(username: str, role: str, organisation: str):
    """Give an account ROLE (起草 初审 复审 终审 保密审查 申请办理 管理员, or their aliases)."""
    organisations = _organisations() if organisation else []
    with _database() as session:
        click.echo(
            _line(accounts.grant_role(session, username, role, organisation, organisations, _now()))
        )


@users.command()
@click.argument("username")
@click.argument("role")
@click.option("--organisation", default="", help="Id of the organisation (not for 管理员).")
def revoke(username: str, role: str, organisation: str):
    """Take ROLE in an organisation away from an account."""
    with _database() as session:
        click.echo(_line(accounts.revoke_role(session, username, role, organisation)))
