"""The platform's SQL database, without Flask: the models (accounts, roles, sessions, failed
sign-ins; online applications and the attempts their rate limits count; who approved or
returned which version of a document under review), opening DATABASE_URL
(SQLite by default, PostgreSQL when set), and the Alembic migrations shipped in the package
with the check that a database is at the code's revision. portal.accounts and
portal.applications work on these tables; portal.wiring.db holds one engine per worker process;
`portal db` (cli.py, a second door) applies the migrations; copy.py moves every record to
another database (`portal db copy`)."""

from portal.db.copy import Copied, CopyRefused, copy_database
from portal.db.engine import (
    COMMAND_LOCK_WAIT,
    REQUEST_LOCK_WAIT,
    DatabaseUnavailable,
    make_engine,
    serialise,
    shown,
    sqlite_file,
    unavailable_errors,
)
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
    REVIEW_STAGES,
    ROLE_VALUES,
    Account,
    ApplicationRecord,
    Base,
    CaseView,
    RateAttempt,
    ReplyAttachment,
    ReviewAction,
    ReviewedVersion,
    RoleGrant,
    SignInFailure,
    StaffSession,
)
from portal.db.rate_window import SCHEME as RATE_WINDOW_SCHEME
from portal.db.rate_window import SQLWindowStorage

__all__ = [
    "ADMINISTRATOR",
    "COMMAND_LOCK_WAIT",
    "PLATFORM",
    "RATE_WINDOW_SCHEME",
    "REQUEST_LOCK_WAIT",
    "REVIEW_STAGES",
    "ROLE_VALUES",
    "Account",
    "ApplicationRecord",
    "Base",
    "CaseView",
    "Copied",
    "CopyRefused",
    "DatabaseUnavailable",
    "RateAttempt",
    "ReplyAttachment",
    "ReviewAction",
    "ReviewedVersion",
    "RoleGrant",
    "SQLWindowStorage",
    "SchemaBehind",
    "SchemaState",
    "SignInFailure",
    "StaffSession",
    "copy_database",
    "head_revision",
    "make_engine",
    "require_current",
    "schema_state",
    "serialise",
    "shown",
    "sqlite_file",
    "unavailable_errors",
    "upgrade",
]
