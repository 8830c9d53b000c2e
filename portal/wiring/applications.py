"""Online applications in the running site: the store over this process's engine
(portal.wiring.db: one per worker, waiting at most db.REQUEST_LOCK_WAIT for a lock, never
creating a missing SQLite file). A database that is locked, missing, read-only or not at the
code's schema is StoreUnavailable on the request that needs it (the form answers 503, the rest
of the public site is untouched) and forgotten when it is back."""

from portal import applications, db
from portal.wiring import db as database


def store() -> applications.ApplicationStore:
    """The application store of the running app; StoreUnavailable when its database is not
    at the code's schema (`portal db upgrade`) or cannot be opened."""
    try:
        database.require_current()
    except (db.SchemaBehind, db.DatabaseUnavailable) as error:
        raise applications.StoreUnavailable(str(error)) from error
    return applications.ApplicationStore(database.engine())
