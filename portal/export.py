"""Static export: every public page, feed and download written as files that nginx or any CDN
can serve at the same URLs, text files with a gzip copy beside them (nginx's gzip_static).

What is exported is what a visitor can reach: the sitemap, feeds, data and assets, then every
link of every exported page, followed until nothing new turns up. What only the running app can
answer (searches, forms, QR codes, any address with a query, pages for a visitor with reading
preferences) is handed to it by the nginx configuration written beside the export, which sends
the same headers as the app, derived from the same constants.
"""

import logging
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, url_for

from portal import admin, filetypes, wiring
from portal.web.compression import MIN_COMPRESSED_SIZE, compressible, gzipped
from portal.web.i18n import LOCALES, PREFIXES
from portal.web.security import HEADERS

log = logging.getLogger(__name__)

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
EXAMPLE = "nginx.conf.example"
NAME_MAX = 255  # bytes in a file name, on every file system nginx is likely to serve from
# Where the example listens and finds the app; local_nginx_config() changes exactly these.
LISTEN = "80"
APP = "127.0.0.1:8000"

_LANGUAGE = "(/(?:" + "|".join(re.escape(prefix) for prefix in PREFIXES.values()) + "))?"
# Addresses only the running app answers: they depend on the query or take a form, or are the
# back office's (never exported, always handed to the app with the visitor's cookie).
APP_ONLY = "^" + _LANGUAGE + r"/(search|api/|preferences|qr\.|apply(/|$)|admin(/|$))"
# Addresses the app serves under the file policy (portal/filetypes.py).
FILE_PATHS = (
    "^" + _LANGUAGE + r"/(documents/[^/]+/(attachments|media)/[^/]+"
    r"|documents/[^/]+/tables\.(csv|json)|reports/dataset\.(csv|json)"
    r"|reports/county/\d{4}/summary\.(csv|json))$"
)

NGINX_EXAMPLE = """# nginx: serve the portal's static export; hand everything dynamic to the app.
# Written by `portal export`; its headers come from portal/web/security.py and portal/filetypes.py.
# Include it in nginx's http block (on Debian: /etc/nginx/sites-enabled/portal). Run the app
# (`portal serve`) with PORTAL_PROXY_COUNT=1, so it takes each visitor's address and scheme
# from nginx: the application forms' limits count per visitor, not per proxy. Over HTTPS,
# add to every location that adds headers below:
#     add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;

upstream portal_app {{
    server {app};
    keepalive 8;
}}

# A page looks different with reading preferences: any request whose cookies may hold them is
# rendered by the app, never answered with the default rendering stored here.
map $http_cookie $portal_preferences {{
    default 0;
    "~prefs" 1;
}}

# Files: shown in the browser only for the types that cannot run script, downloaded otherwise.
map $uri $portal_file_disposition {{
    default attachment;
    "~*\\.({inline})$" inline;
}}
map $uri $portal_file_policy {{
    default "{file_policy}";
    "~*\\.({media})$" "{media_policy}";
}}

server {{
    listen {listen};
    server_name {host};
    root {root};
    charset utf-8;
    charset_types {charset_types};
    types {{
{types}
    }}
    default_type application/octet-stream;
    gzip_static on;  # the export has a .gz copy of every text file worth compressing
    gzip on;
    gzip_vary on;
    gzip_min_length {gzip_min_length};
    gzip_types {gzip_types};

    # Searches, the API, reading preferences, QR codes, the application forms, the back office.
    location ~ {app_only} {{
{proxy}
    }}

    location ^~ /static/ {{
{page_headers}
        add_header Cache-Control "public, max-age=31536000, immutable" always;
    }}

    location ~ {file_paths} {{
{file_headers}
        add_header Content-Disposition $portal_file_disposition always;
        add_header Content-Security-Policy $portal_file_policy always;
        add_header Cache-Control "{cache_control}" always;
    }}
{exceptions}
    location / {{
        # A query (filters, further pages of a list) or reading preferences: the app renders it.
        error_page 418 = @app;
        if ($args) {{ return 418; }}
        if ($portal_preferences) {{ return 418; }}
{page_headers}
        add_header Cache-Control "{cache_control}" always;
        add_header Vary Cookie always;
        try_files $uri $uri/index.html @app;
    }}

    # Anything not in the export (a page published since, the site's own error pages).
    location @app {{
{proxy}
    }}

    location @app_unavailable {{
{page_headers}
        return 503;
    }}
}}
"""

PROXY = """        proxy_pass http://portal_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        # Room for the largest body the app takes (a draft with its attachment) and a little
        # more, so that the app, not nginx, refuses a body just over it, saying why.
        client_max_body_size {max_body};
        error_page 502 504 = @app_unavailable;"""

# A location for the exported addresses whose type their extension does not say
# (opensearch.xml is not a sitemap).
EXCEPTION = """
    location ~ {paths} {{
        types {{ }}
        default_type {media_type};
{page_headers}
        add_header Cache-Control "{cache_control}" always;
    }}
"""


def seed_paths(app: Flask) -> list[str]:
    """The URL paths the export starts from: the sitemap's pages plus feeds, data, discovery,
    files and assets, which no page need link."""
    client = app.test_client()
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    base = app.config["BASE_URL"].rstrip("/")
    paths = [loc.text[len(base) :] for loc in sitemap.iter(SITEMAP_NS + "loc")]
    with app.test_request_context():
        current = wiring.catalogue.current()
        extra = [
            "/sitemap.xml",
            "/robots.txt",
            "/opensearch.xml",
            url_for("feeds.everything"),
            url_for("reports.dataset_csv"),
            url_for("reports.dataset_json"),
        ]
        extra += [url_for("feeds.category", slug=node.slug) for node in _categories()]
        extra += [url_for("feeds.department", name=name) for name in current.departments()]
        extra += [
            url_for("feeds.organisation", organisation_id=o.id) for o in current.organisations
        ]
        for document in current.documents:
            extra += [
                url_for("documents.attachment", slug=document.slug, name=a.name)
                for a in document.attachments
            ]
            extra += [
                url_for("documents.media", slug=document.slug, name=name)
                for video in document.videos
                for name in video.files()
            ]
            if document.report is not None:
                extra += [
                    url_for("reports.report_csv", slug=document.slug),
                    url_for("reports.report_json", slug=document.slug),
                ]
        assets = app.extensions["portal.assets"]["by_url"]
        static = [f"/static/{name}" for name in assets]
    localised = [
        f"/{PREFIXES[locale]}{path}" for locale in LOCALES if locale in PREFIXES for path in extra
    ]
    return list(dict.fromkeys(paths + extra + localised + static))


def _categories():
    from portal.catalogue import ALL

    return ALL


LINK_ATTRIBUTES = frozenset({"href", "src", "action", "poster"})


class _Links(HTMLParser):
    """The addresses a page links, loads or posts to."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in LINK_ATTRIBUTES and value]


def page_links(html: str) -> list[str]:
    """Every address in an HTML page's href, src, action and poster attributes."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.found


def exportable(link: str) -> str | None:
    """The path of a link that the export must hold, or None: links elsewhere, with a query,
    or to what only the app answers are served by the app, and so is any path that is not
    plainly one file (dot segments, backslashes), which the app answers as it sees fit."""
    parts = urlsplit(link)
    path = unquote(parts.path)
    if (
        parts.scheme
        or parts.netloc
        or parts.query
        or not path.startswith("/")
        or re.match(APP_ONLY, path)
        or "\\" in path
        or "\0" in path
        or any(segment in (".", "..") for segment in path.split("/"))
    ):
        return None
    return parts.path


def crawl(app: Flask) -> Iterator[tuple[str, bytes, str]]:
    """(path, body, Content-Type) of every exportable address: the seeds, then every exportable
    link of every page, until nothing new turns up. A seed must answer 200; a link that does not
    is reported and left to the app (which answers it as it does without an export)."""
    client = app.test_client()
    queue = deque(seed_paths(app))
    seeds = set(queue)
    seen = {unquote(path) for path in queue}
    while queue:
        path = queue.popleft()
        with client.get(path) as response:
            if response.status_code != 200:
                if path in seeds:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                log.warning("not exported: %s answered %s", path, response.status_code)
                continue
            body = response.get_data()
            content_type = response.headers["Content-Type"]
            mimetype = response.mimetype
        yield path, body, content_type
        if mimetype == "text/html":
            for link in page_links(body.decode("utf-8")):
                target = exportable(link)
                if target is not None and unquote(target) not in seen:
                    seen.add(unquote(target))
                    queue.append(target)


def export_paths(app: Flask) -> list[str]:
    """Every URL path the export writes."""
    return [path for path, _body, _type in crawl(app)]


def file_for(root: Path, path: str) -> Path:
    """Where a URL path is written: directories get index.html."""
    relative = unquote(urlsplit(path).path).lstrip("/")
    target = root / relative
    if path.endswith("/"):
        target = target / "index.html"
    if root.resolve() not in target.resolve().parents:
        raise ValueError(f"{path} would be written outside the export")
    return target


def export_site(app: Flask, target: Path) -> int:
    """Write every exportable URL of the app under target; return how many files.

    The export is written to a temporary folder and renamed into place at the end, so a failed
    export never leaves a half-written site where a server may be reading it.
    """
    target = target.resolve()
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    count = 0
    types: dict[str, str] = {}
    for path, body, content_type in crawl(app):
        destination = file_for(staging, path)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(body)
        packed = gzipped(body, _media_type(content_type), level=9)
        if packed is not None and len(destination.name.encode()) + len(".gz") <= NAME_MAX:
            destination.with_name(destination.name + ".gz").write_bytes(packed)
        types[unquote(urlsplit(path).path)] = content_type
        count += 1
    host = urlsplit(app.config["BASE_URL"]).hostname or "localhost"
    (staging / EXAMPLE).write_text(
        nginx_example(
            host,
            target,
            types,
            app.config["PAGE_MAX_AGE"],
            admin.largest_request(app.config) + 1024 * 1024,
        ),
        encoding="utf-8",
    )
    if target.exists():
        previous = target.with_name(f".{target.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(target, previous)
        os.replace(staging, target)
        shutil.rmtree(previous, ignore_errors=True)
    else:
        os.replace(staging, target)
    return count


def nginx_example(
    host: str, root: Path, exported: dict[str, str], max_age: int, max_body: int
) -> str:
    """The nginx configuration of an export. exported maps each exported path to the
    Content-Type the app sent for it; nginx's types are derived from those (and from the file
    policy's table, for files a later export may hold), so nginx sends what the app sent.
    Caches may keep what nginx sends for max_age seconds, as long as the app lets them keep a
    page (files the app lets them keep longer); nginx hands the app request bodies of up to
    max_body bytes (the app answers a larger one itself, with the reason)."""
    content_types = {
        extension: filetypes.content_type(f"x.{extension}") for extension in filetypes.TYPES
    }
    by_extension: dict[str, dict[str, list[str]]] = {}
    for path, content_type in exported.items():
        name = "index.html" if path.endswith("/") else path.rsplit("/", 1)[1]
        by_extension.setdefault(filetypes.extension(name), {}).setdefault(content_type, []).append(
            path
        )
    exceptions: list[tuple[str, list[str]]] = []  # paths whose extension says another type
    for extension, seen in sorted(by_extension.items()):
        ranked = sorted(seen.items(), key=lambda item: (-len(item[1]), item[0]))
        if extension:
            content_types[extension] = ranked[0][0]
            ranked = ranked[1:]
        exceptions += ranked
    extensions_of: dict[str, list[str]] = {}
    for extension, content_type in sorted(content_types.items()):
        extensions_of.setdefault(_media_type(content_type), []).append(extension)
    with_charset = {
        _media_type(value)
        for value in [*content_types.values(), *(value for value, _paths in exceptions)]
        if "charset=" in value
    }
    page_headers = _add_headers(HEADERS)
    cache_control = f"public, max-age={max_age}"
    return NGINX_EXAMPLE.format(
        cache_control=cache_control,
        app=APP,
        listen=LISTEN,
        host=host,
        root=root,
        inline="|".join(e for e, kind in filetypes.TYPES.items() if kind.inline),
        media="|".join(e for e, kind in filetypes.TYPES.items() if kind.media),
        file_policy=_header_value(filetypes.FILE_POLICY),
        media_policy=_header_value(filetypes.MEDIA_POLICY),
        # text/html always is: naming it again is an error.
        charset_types=" ".join(sorted(with_charset - {"text/html"})),
        types="\n".join(
            f"        {media} {' '.join(extensions)};"
            for media, extensions in sorted(extensions_of.items())
        ),
        gzip_min_length=MIN_COMPRESSED_SIZE,
        gzip_types=" ".join(
            sorted({media for media in extensions_of if compressible(media)} - {"text/html"})
        ),
        app_only=_regex(APP_ONLY),
        file_paths=_regex(FILE_PATHS),
        proxy=PROXY.format(max_body=max_body),
        page_headers=page_headers,
        file_headers=_add_headers(
            {name: value for name, value in HEADERS.items() if name != "Content-Security-Policy"}
        ),
        exceptions="".join(
            EXCEPTION.format(
                paths=_regex("^(" + "|".join(re.escape(path) for path in sorted(paths)) + ")$"),
                media_type=_media_type(value),
                page_headers=page_headers,
                cache_control=cache_control,
            )
            for value, paths in exceptions
        ),
    )


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip()


def _add_headers(headers: dict[str, str]) -> str:
    """nginx add_header lines for headers, on every answer (errors too: `always`)."""
    return "\n".join(
        f'        add_header {name} "{_header_value(value)}" always;'
        for name, value in headers.items()
    )


def _header_value(value: str) -> str:
    """A header value for inside nginx's double quotes; nginx would read `$` as a variable and
    has no escape for it, so a value holding one is refused."""
    if "$" in value or "\\" in value or '"' in value:
        raise ValueError(f"cannot write {value!r} as an nginx header value")
    return value


def _regex(pattern: str) -> str:
    """A regular expression as an nginx quoted string (a backslash is written twice)."""
    if '"' in pattern:
        raise ValueError(f"cannot write {pattern!r} in an nginx configuration")
    return '"' + pattern.replace("\\", "\\\\") + '"'
