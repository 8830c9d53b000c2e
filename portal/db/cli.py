"""`portal db`: bring the database named by DATABASE_URL to the code's schema, or say where it
stands. The only command that changes the schema; `make run` runs `portal db upgrade` before
serving."""

import click

from portal import db, settings


@click.group("db")
def database():
    """The back office's database (DATABASE_URL): upgrade, status."""


def _engine(create_folder: bool = False):
    try:
        return db.make_engine(settings.value("DATABASE_URL"), create_folder=create_folder)
    except db.DatabaseUnavailable as error:
        raise click.ClickException(str(error)) from None


@database.command()
def upgrade():
    """Create the tables, or apply the migrations the database lacks (safe to run again)."""
    engine = _engine(create_folder=True)
    try:
        before = db.upgrade(engine)
    except (db.DatabaseUnavailable, db.SchemaBehind) as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()
    where = db.shown(str(engine.url))
    if before.ready:
        click.echo(f"{where}: already at revision {before.head}")
    else:
        click.echo(f"{where}: upgraded from {before.current or 'empty'} to {before.head}")


@database.command()
def status():
    """Print the database's revision and the code's; exit 1 when they differ."""
    engine = _engine()
    try:
        state = db.schema_state(engine)
    except db.DatabaseUnavailable as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()
    click.echo(
        f"{db.shown(str(engine.url))}: at {state.current or 'no schema'}, code needs {state.head}"
    )
    if not state.ready:
        raise SystemExit(1)


@database.command("copy")
@click.argument("source")
@click.argument("target")
def copy_command(source: str, target: str):
    """Copy every record from SOURCE to an empty TARGET database (URLs), then compare them.

    For moving from SQLite to PostgreSQL: stop the site, run `portal db upgrade`, then
    `portal db copy sqlite:///data/portal.sqlite3 postgresql+psycopg://USER@HOST/DB`, and set
    DATABASE_URL to the target. A target without tables is upgraded first."""
    engines = []
    try:
        for url in (source, target):
            try:
                engines.append(db.make_engine(url))
            except db.DatabaseUnavailable as error:
                raise click.ClickException(str(error)) from None
        reading, writing = engines
        if db.schema_state(writing).current is None:
            db.upgrade(writing)
            click.echo(f"{db.shown(target)}: tables created (revision {db.head_revision()})")
        copied = db.copy_database(reading, writing)
    except (db.DatabaseUnavailable, db.SchemaBehind, db.CopyRefused) as error:
        raise click.ClickException(str(error)) from None
    finally:
        for engine in engines:
            engine.dispose()
    for table, count in copied.rows.items():
        click.echo(f"{table}: {count}")
    click.echo(
        f"copied {copied.total} rows from {db.shown(source)} to {db.shown(target)}; "
        "every table read back identical"
    )
