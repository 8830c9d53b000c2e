"""Language of the interface: flask-babel wiring, locale selection and the zh_Hans <-> zh-Hans
spelling (Babel's identifiers inside, BCP 47 in HTML)."""

import datetime
from urllib.parse import quote, quote_from_bytes

from flask import Flask, g, request
from flask_babel import Babel, format_date, format_decimal, get_translations
from markupsafe import Markup

from portal.text import DEFAULT_LOCALE, LOCALES

# Each locale other than the default is served under its own path prefix (/en/...), so every
# page has a shareable URL per language.
PREFIXES = {"en": "en"}
ENVIRON_KEY = "portal.locale"


def _translations():
    """The current request's translations, looked up once per request."""
    translations = g.get("_portal_translations")
    if translations is None:
        translations = g._portal_translations = get_translations()
    return translations


def gettext(message: str) -> str:
    """The message in the current request's language (cheaper than flask_babel.gettext)."""
    return _translations().ugettext(message)


def _template_gettext(message: str, **variables) -> Markup:
    """_() in templates at render time: the translation, formatted with escaped variables."""
    return Markup(_translations().ugettext(message)) % variables


def to_bcp47(locale: str) -> str:
    """Babel's locale identifier as an HTML lang value: zh_Hans -> zh-Hans."""
    return locale.replace("_", "-")


def from_bcp47(tag: str) -> str:
    """An HTML lang value as Babel's locale identifier: zh-Hans -> zh_Hans."""
    return tag.replace("-", "_")


def select_locale() -> str:
    """The locale of the current request, from its URL prefix."""
    return request.environ.get(ENVIRON_KEY, DEFAULT_LOCALE)


def split_prefix(path: str) -> tuple[str | None, str]:
    """The locale whose prefix a path starts with (None: the default language's path) and the
    path without it: /en/search -> ("en", "/search")."""
    for locale, prefix in PREFIXES.items():
        if path == f"/{prefix}" or path.startswith(f"/{prefix}/"):
            return locale, path[len(prefix) + 1 :] or "/"
    return None, path


class LocalePrefixMiddleware:
    """Serve /en/... as the English version of the same path.

    Moving the prefix into SCRIPT_NAME makes url_for() keep the visitor's language in every
    link without any view knowing about it.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        locale, path = split_prefix(environ.get("PATH_INFO", ""))
        if locale is not None:
            environ[ENVIRON_KEY] = locale
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/{PREFIXES[locale]}"
            environ["PATH_INFO"] = path
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Install flask-babel and the language prefix."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    # flask-babel resolves domain, locale and cache on every call; a page makes a hundred
    # calls, so templates look the request's translations up once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _translations().ugettext(text),
        ngettext=lambda one, many, n: _translations().ungettext(one, many, n),
        pgettext=lambda context, text: _translations().upgettext(context, text),
        npgettext=lambda context, one, many, n: _translations().unpgettext(context, one, many, n),
        newstyle=True,
    )
    # Literal messages are translated when templates compile (portal.web.templates); what is
    # left, _(variable), skips the i18n extension's second context call.
    app.jinja_env.globals["_"] = _template_gettext
    app.add_template_filter(to_bcp47, "bcp47")
    app.add_template_filter(date_medium)
    app.add_template_filter(filesize)

    @app.context_processor
    def language():
        locale = select_locale()
        here = {other: url_in(other) for other in LOCALES}
        return {
            "locale": locale,
            "html_lang": to_bcp47(locale),
            "site_name": app.config["SITE_NAME" if locale == DEFAULT_LOCALE else "SITE_NAME_EN"],
            "language_links": [
                (other, LANGUAGE_NAMES[other], here[other]) for other in LOCALES if other != locale
            ],
            "alternates": [(to_bcp47(other), here[other]) for other in LOCALES],
        }


LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}


def site_root() -> str:
    """Where the site is mounted, without the current language's prefix."""
    current = select_locale()
    if current in PREFIXES:
        return request.script_root.removesuffix(f"/{PREFIXES[current]}")
    return request.script_root


def url_in(locale: str, query_string: str | None = None) -> str:
    """The current page's path in another language, with its own or an encoded query string."""
    root = site_root()
    prefix = f"/{PREFIXES[locale]}" if locale in PREFIXES else ""
    if query_string is None:
        query_string = quote_from_bytes(request.query_string, safe="=&%+;/")
    return root + prefix + quote(request.path) + (f"?{query_string}" if query_string else "")


def date_medium(value: datetime.date) -> str:
    """A date as people of the page's language write it: 2024年3月15日 / 15 Mar 2024."""
    return format_date(value, "long" if select_locale() == DEFAULT_LOCALE else "medium")


def filesize(size: int) -> str:
    """A file size people read at a glance: 12.3 KB, 1.2 MB."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{format_decimal(size / scale, format='#,##0.0')} {unit}"
    return f"{size} B"
