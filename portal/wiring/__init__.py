"""The app's resources, held one way: each domain package's long-lived objects (the catalogue
store, the searcher and the index keeper, the applications store, the colour schemes) are made
once per app by an init_app here and kept in `app.extensions`, as flaskr's db.py keeps its
database; views reach them through the accessors of these modules. This is the one place, with
the views and create_app, where Flask meets the domain."""

from portal.wiring import catalogue, preferences

__all__ = ["catalogue", "preferences"]
