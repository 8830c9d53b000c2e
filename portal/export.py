"""Static export: every public page, feed and download written as files that nginx or any CDN
can serve at the same URLs, text files with a gzip copy beside them (nginx's gzip_static).
Search and preference changes stay with the dynamic app (see the nginx example written beside
the export)."""

import os
import shutil
import socket
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask

from portal import catalogue
from portal.compression import gzipped
from portal.i18n import LOCALES, PREFIXES

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

NGINX_EXAMPLE = """# nginx: serve the export, hand everything dynamic to the portal app.
server {{
    listen 80;
    server_name {host};
    root {root};
    charset utf-8;
    types {{ text/html html; text/css css; application/javascript js; image/svg+xml svg;
             image/png png; application/atom+xml atom; application/xml xml; text/plain txt;
             text/csv csv; application/json json; application/pdf pdf;
             application/opensearchdescription+xml osdx; }}
    default_type application/octet-stream;
    gzip_static on;  # the export has a .gz copy of every text file
    gzip on; gzip_types text/css application/javascript application/atom+xml application/xml
                        text/csv application/json image/svg+xml;
    location /static/ {{ expires 1y; add_header Cache-Control "public, immutable"; }}
    location ~ ^(/en)?/(search|api/|preferences|qr\\.) {{ proxy_pass http://127.0.0.1:8000; }}
    location / {{ try_files $uri $uri/index.html =404; }}
}}
"""


LOCAL_NGINX = """
{user}
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    types {{ text/csv csv; }}
    access_log off;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        charset utf-8;
        gzip_static on;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for local_nginx_config and
    the app in tests and benchmarks)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local_nginx_config(scratch: Path, port: int, site: Path, workers: int = 1) -> Path:
    """Write an nginx configuration that serves an export on 127.0.0.1:port from scratch/,
    for tests and benchmarks (`nginx -c FILE -p scratch`); returns the file."""
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    # Temporary folders are often private to their owner: nginx's worker must be that user.
    user = "user root;" if os.geteuid() == 0 else ""
    config = scratch / "nginx.conf"
    config.write_text(LOCAL_NGINX.format(user=user, workers=workers, root=scratch, port=port,
                                         site=site), encoding="utf-8")
    return config


def export_paths(app: Flask) -> list[str]:
    """Every URL path to export: the sitemap's pages plus feeds, data, discovery and assets."""
    client = app.test_client()
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    base = app.config["BASE_URL"].rstrip("/")
    paths = [loc.text[len(base):] for loc in sitemap.iter(SITEMAP_NS + "loc")]
    with app.test_request_context():
        current = catalogue.current()
        extra = ["/sitemap.xml", "/robots.txt", "/opensearch.xml", "/feeds/all.atom",
                 "/reports/dataset.csv", "/reports/dataset.json"]
        extra += [f"/feeds/category/{node.slug}.atom" for node in _categories()]
        extra += [f"/feeds/department/{name}.atom" for name in current.departments()]
        for document in current.documents:
            extra += [f"/documents/{document.slug}/attachments/{a.name}"
                      for a in document.attachments]
            if document.report is not None:
                extra += [f"/documents/{document.slug}/tables.csv",
                          f"/documents/{document.slug}/tables.json"]
        assets = app.extensions["portal.assets"]["by_url"]
        static = [f"/static/{name}" for name in assets]
    localised = [f"/{PREFIXES[locale]}{path}" for locale in LOCALES if locale in PREFIXES
                 for path in extra if not path.startswith(("/reports/dataset", "/documents/"))]
    return list(dict.fromkeys(paths + extra + localised + static))


def _categories():
    from portal.categories import ALL
    return ALL


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
    client = app.test_client()
    count = 0
    for path in export_paths(app):
        with client.get(path) as response:
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            destination = file_for(staging, path)
            destination.parent.mkdir(parents=True, exist_ok=True)
            body = response.get_data()
            destination.write_bytes(body)
            packed = gzipped(body, response.mimetype, level=9)
            if packed is not None:
                destination.with_name(destination.name + ".gz").write_bytes(packed)
            count += 1
    host = urlsplit(app.config["BASE_URL"]).hostname or "localhost"
    (staging / "nginx.conf.example").write_text(NGINX_EXAMPLE.format(host=host, root=target),
                                                encoding="utf-8")
    if target.exists():
        previous = target.with_name(f".{target.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(target, previous)
        os.replace(staging, target)
        shutil.rmtree(previous, ignore_errors=True)
    else:
        os.replace(staging, target)
    return count
