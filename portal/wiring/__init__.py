"""The app's resources, held one way: each domain package's long-lived objects (the catalogue
store, the searcher and the index keeper, the applications store, the colour schemes) are made
once per app by an init_app here and kept in `app.extensions`, as flaskr's db.py keeps its
database; views reach them through the accessors of these modules. This is the one place, with
the views and create_app, where Flask meets the domain."""

from portal.wiring import applications, catalogue, db, limits, preferences, search

__all__ = ["applications", "catalogue", "db", "init_app", "limits", "preferences", "search"]


def init_app(app) -> None:
    """Make the app's resources: the colour schemes, the catalogue store and, following it, the
    search index keeper, the SQL database and the rate limits kept in it (or in Redis)."""
    preferences.init_app(app)
    catalogue.init_app(app)
    search.init_app(app)  # subscribes to the catalogue store
    db.init_app(app)
    limits.init_app(app)  # counts in the database above unless REDIS_URL is set
