"""The platform's SQL database, without Flask: the models (accounts, roles, sessions, failed
sign-ins; online applications and the attempts their rate limits count), opening DATABASE_URL
(SQLite by default, PostgreSQL when set), and the Alembic migrations shipped in the package
with the check that a database is at the code's revision. portal.accounts and
portal.applications work on these tables; portal.wiring.db holds one engine per worker process;
`portal db` (cli.py, a second door) applies the migrations; copy.py moves every record to
another database (`portal db copy`)."""

from portal.db.copy import Copied, CopyRefused, copy_database
from portal.db.engine import DatabaseUnavailable, make_engine, shown, sqlite_file
from portal.db.migrate import (
    SchemaBehind,
    SchemaState,
    head_revision,
    require_current,
    schema_state,
    upgrade,
)
from portal.db.models import (
    ADMINISTRATOR,
    PLATFORM,
    ROLE_VALUES,
    Account,
    ApplicationRecord,
    Base,
    RateAttempt,
    RoleGrant,
    SignInFailure,
    StaffSession,
)

__all__ = [
    "ADMINISTRATOR",
    "PLATFORM",
    "ROLE_VALUES",
    "Account",
    "ApplicationRecord",
    "Base",
    "Copied",
    "CopyRefused",
    "DatabaseUnavailable",
    "RateAttempt",
    "RoleGrant",
    "SchemaBehind",
    "SchemaState",
    "SignInFailure",
    "StaffSession",
    "copy_database",
    "head_revision",
    "make_engine",
    "require_current",
    "schema_state",
    "shown",
    "sqlite_file",
    "upgrade",
]
