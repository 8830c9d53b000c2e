"""Online applications in the running site: the store is opened on every call, never held, and
never created here (`portal serve` creates it at start), so a database that is locked, missing
or read-only is noticed on the request that needs it and forgotten when it is back."""

from flask import current_app

from portal import applications


def store() -> applications.ApplicationStore:
    """The application store of the running app, waiting briefly for a lock; a database of
    an older schema is brought up to date on first use, its applications given to
    DEFAULT_ORGANISATION."""
    return applications.ApplicationStore(
        current_app.config["APPLICATIONS_DB"],
        busy_timeout=applications.REQUEST_BUSY_TIMEOUT,
        default_organisation=current_app.config["DEFAULT_ORGANISATION"],
    )
