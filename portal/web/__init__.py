"""The request and response machinery, knowing nothing of the domain (it imports no domain
package and no view; what it needs from them it is handed as callables): languages, templates,
URLs, canonical addresses, security headers and hosts, request body limits per view, error
pages, assets, validators, compression, the fragment and page caches, request values, file
responses, the server, and the pipeline that orders its hooks and wrappers."""

from collections.abc import Iterable

from flask import Flask

from portal.web import (
    assets,
    body_limits,
    caching,
    canonical,
    compression,
    errors,
    files,
    fragments,
    i18n,
    page_cache,
    pipeline,
    security,
    segments,
    urls,
)
from portal.web.arguments import (
    choice_argument,
    date_argument,
    date_value,
    page_argument,
    year_value,
)
from portal.web.body_limits import accepts_body
from portal.web.canonical import canonical_url, current_path
from portal.web.errors import error_response, refusal, use_error_template
from portal.web.query_args import NotingRequest
from portal.web.request_values import ascii_digits, visible_text, whole_number
from portal.web.security import HEADERS, safe_local_path, same_site
from portal.web.server import run_gunicorn
from portal.web.templates import LocalisedEnvironment
from portal.web.urls import cached_url_for

__all__ = [
    "HEADERS",
    "LocalisedEnvironment",
    "NotingRequest",
    "accepts_body",
    "ascii_digits",
    "assets",
    "body_limits",
    "cached_url_for",
    "caching",
    "canonical",
    "canonical_url",
    "choice_argument",
    "compression",
    "current_path",
    "date_argument",
    "date_value",
    "error_response",
    "errors",
    "files",
    "fragments",
    "i18n",
    "init_app",
    "page_argument",
    "page_cache",
    "pipeline",
    "refusal",
    "run_gunicorn",
    "safe_local_path",
    "same_site",
    "security",
    "segments",
    "urls",
    "use_error_template",
    "visible_text",
    "whole_number",
    "year_value",
]


def init_app(app: Flask, stylesheets: Iterable[str] = ()) -> None:
    """Install the machinery on the app; generated stylesheets join the asset bundle. The
    after-request hooks and WSGI wrappers are installed by pipeline.install, in their order."""
    i18n.init_app(app)
    urls.init_app(app)
    fragments.init_app(app)
    assets.init_app(app, stylesheets)
    security.init_app(app)
    body_limits.init_app(app)
    canonical.init_app(app)
    errors.init_app(app)
