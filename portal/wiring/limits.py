"""The rate limits of the public forms, kept by Flask-Limiter: one moving window per client
address and kind of attempt, in Redis when REDIS_URL is set (every node shares it), otherwise
in the SQL database (portal.db.rate_window: every worker shares it, and on PostgreSQL every
node). The address is only ever a salted hash in either store.

The application form counts a submission only once it is valid, and the tracking form counts
only the lookups that fail, so the views ask here at the moment that counts instead of
decorating the route (a decorator counts every request, mistakes in the form included)."""

import hashlib
from functools import partial

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItemPerHour
from limits.errors import StorageError

from portal import applications, db
from portal.wiring import db as database

EXTENSION = "portal.limiter"


def _client() -> str:
    """The client's address (the proxies' view of it, portal.web.security), hashed."""
    address = request.remote_addr or "unknown"
    return hashlib.sha256(f"portal-client:{address}".encode()).hexdigest()[:32]


def init_app(app: Flask) -> None:
    """Give the app its limiter over Redis (REDIS_URL) or its own SQL database."""
    redis_url = app.config["REDIS_URL"]
    if redis_url:
        storage, options = redis_url, {}
    else:
        storage = f"{db.RATE_WINDOW_SCHEME}://"
        options = {"engine": partial(database.engine, app)}
    # The store's own errors (redis', SQLAlchemy's) arrive as limits' StorageError.
    options["wrap_exceptions"] = True
    app.extensions[EXTENSION] = Limiter(
        _client,
        app=app,
        storage_uri=storage,
        storage_options=options,
        strategy="moving-window",
        default_limits=[],
        headers_enabled=False,
    )


def _strategy():
    return current_app.extensions[EXTENSION].limiter


def _counting(call):
    """Run a count; a store that cannot count makes the form unavailable (503), never open."""
    try:
        return call()
    except (StorageError, db.DatabaseUnavailable, db.SchemaBehind) as error:
        raise applications.StoreUnavailable(f"rate limits: {error}") from error


def take(scope: str, per_hour: int) -> bool:
    """Count one attempt of this kind for the client; False when the hour's are used up."""
    return _counting(lambda: _strategy().hit(RateLimitItemPerHour(per_hour), scope, _client()))


def has_room(scope: str, per_hour: int) -> bool:
    """Whether the client may still make an attempt of this kind this hour (nothing counted)."""
    return _counting(lambda: _strategy().test(RateLimitItemPerHour(per_hour), scope, _client()))
