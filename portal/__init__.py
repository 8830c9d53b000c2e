"""portal: an accessible public portal for government information disclosure (政府信息公开).

The app factory lives in portal.app; it is imported when an app is built, so importing a domain
package (portal.catalogue, portal.reports, portal.search...) loads no web framework.
"""


def create_app(overrides: dict | None = None):
    """Build the app (portal.app.create_app): defaults, PORTAL_* environment, overrides."""
    from portal.app import create_app as build

    return build(overrides)
