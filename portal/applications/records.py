"""An application as the database stores it (portal.db.ApplicationRecord: dates as days, flags
as booleans) and as the rest of the code reads it (Application: ISO dates, 0/1 flags)."""

import datetime

from portal.applications.rules import Application, ApplicationError
from portal.db import ApplicationRecord

DATES = (
    "received",
    "due",
    "correction_requested",
    "corrected",
    "replied",
    "purged",
    "consultation_started",
    "consultation_ended",
)
FLAGS = ("calendar_known", "extended")
FIELDS = tuple(Application.__dataclass_fields__)


def record_of(app: Application) -> ApplicationRecord:
    """The database row of an application; ApplicationError when a date is not one."""
    values = {name: getattr(app, name) for name in FIELDS}
    for name in DATES:
        if values[name] is not None:
            try:
                values[name] = datetime.date.fromisoformat(values[name])
            except (TypeError, ValueError):
                raise ApplicationError(
                    f"application {app.code}: {name} {values[name]!r} is not a date"
                ) from None
    for name in FLAGS:
        values[name] = bool(values[name])
    return ApplicationRecord(**values)


def application_of(record: ApplicationRecord) -> Application:
    """The application a database row holds, as the old store returned it."""
    values = {name: getattr(record, name) for name in FIELDS}
    for name in DATES:
        if values[name] is not None:
            values[name] = values[name].isoformat()
    for name in FLAGS:
        values[name] = int(values[name])
    return Application(**values)
