"""The schema's migrations, run from the installed package (Alembic's environment lives in
migrations/, found as `portal.db:migrations`): no alembic.ini and no hand-run alembic command.
`portal db upgrade` applies them; the site and `portal users` only check that the database is
at the code's revision and refuse clearly when it is not."""

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from portal.db.engine import DatabaseUnavailable, shown, sqlite_file

SCRIPT_LOCATION = "portal.db:migrations"


class SchemaBehind(Exception):
    """The database is not at the revision this code needs; the message says what to run."""


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands: its revision (None: no schema yet) and the code's."""

    current: str | None
    head: str

    @property
    def ready(self) -> bool:
        """Whether the database is at the code's revision."""
        return self.current == self.head


@contextmanager
def _quiet():
    """Alembic says which dialect it sees at INFO on every check: noise in the site's log."""
    logger = logging.getLogger("alembic.runtime.migration")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the code's models need."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def schema_state(engine: Engine) -> SchemaState:
    """The database's revision and the code's; DatabaseUnavailable when it cannot be read."""
    path = sqlite_file(str(engine.url))
    if path is not None and not path.exists():
        # Connecting would leave an empty file behind: a missing file is a database not made.
        return SchemaState(None, head_revision())
    try:
        with engine.connect() as connection, _quiet():
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        raise DatabaseUnavailable(f"{shown(str(engine.url))}: {error.orig or error}") from None
    return SchemaState(current, head_revision())


def require_current(engine: Engine) -> None:
    """Return when the schema is at the code's revision; SchemaBehind saying what to do if not."""
    state = schema_state(engine)
    if state.ready:
        return
    where = shown(str(engine.url))
    if state.current is None:
        raise SchemaBehind(f"the database {where} has no tables yet: run `portal db upgrade`")
    if not _known(state.current):
        raise _newer(where, state)
    raise SchemaBehind(
        f"the database {where} is at revision {state.current} and this code needs "
        f"{state.head}: run `portal db upgrade`"
    )


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _newer(where: str, state: SchemaState) -> SchemaBehind:
    return SchemaBehind(
        f"the database {where} is at revision {state.current}, which this code does not "
        f"know (it needs {state.head}): it was upgraded by a newer version of portal"
    )


def upgrade(engine: Engine) -> SchemaState:
    """Apply every migration the database lacks, in one transaction where the database allows
    (SQLite and PostgreSQL do); returns the state before. Running it again changes nothing."""
    before = schema_state(engine)
    if before.current is not None and not _known(before.current):
        raise _newer(shown(str(engine.url)), before)
    try:
        with engine.begin() as connection:
            command.upgrade(_config(connection), "head")
    except SQLAlchemyError as error:
        raise DatabaseUnavailable(f"{shown(str(engine.url))}: {error.orig or error}") from None
    return before
