"""Static export: served by a real nginx running the shipped nginx.conf.example, with the real
app behind it for what only the app answers, the site works as the app alone does: every page
and every link of every page, the same security headers and file policy, reading preferences."""

import gzip
import http.client
import os
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from county import add_organisations
from support import (
    free_port,
    local_nginx_config,
    wait_for,
    wrap_nginx_server,
)
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import filetypes
from portal.cli import main
from portal.export import (
    APP,
    EXAMPLE,
    LISTEN,
    export_site,
    exportable,
    file_for,
)
from portal.search import index_content
from portal.web import HEADERS

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Headers whose value must be the same whether nginx or the app answers.
COMPARED = [*HEADERS, "Content-Type"]


def require_nginx() -> None:
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; the set-up must install it")
        pytest.skip("nginx is not installed (make test installs it as root)")


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def serve(app, site, tmp_path):
    """serve() exports the site, starts the app and a real nginx running the export's own
    nginx.conf.example in front of it; returns nginx's base URL."""
    require_nginx()
    started = []

    def start() -> str:
        index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))  # searches work too
        export_site(app, tmp_path / "site")
        server = make_server(
            "127.0.0.1", free_port(), app, threaded=True, request_handler=QuietHandler
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append(lambda: (server.shutdown(), thread.join(10), server.server_close()))
        port = free_port()
        config = local_nginx_config(
            tmp_path / "nginx", port, tmp_path / "site", app=f"127.0.0.1:{server.server_port}"
        )
        process = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(tmp_path / "nginx")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(lambda: (process.terminate(), process.wait(10), process.stderr.close()))
        wait_for(port)
        return f"127.0.0.1:{port}"

    yield start
    for stop in reversed(started):
        stop()


def ask(
    host: str, path: str, method: str = "GET", headers: dict | None = None, body: str | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to nginx for path as written in a link (percent-encoded), redirects not
    followed."""
    connection = http.client.HTTPConnection(host, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def assert_headers_as_the_app(client, path: str, headers, method: str = "GET", **kwargs) -> None:
    """The security headers and type nginx sent are the app's, each exactly once; a file keeps
    the app's disposition (shown or downloaded)."""
    with client.open(path, method=method, **kwargs) as expected:
        for name in COMPARED:
            if name in expected.headers:
                assert headers.get_all(name) == [expected.headers[name]], (path, name)
            else:
                assert name not in headers, (path, name)
        disposition = expected.headers.get("Content-Disposition")
        if disposition:
            assert headers["Content-Disposition"].split(";")[0] == disposition.split(";")[0], path


def exported_pages(site: Path) -> list[str]:
    """The path of every exported HTML page."""
    return sorted(
        quote(f"/{p.parent.relative_to(site).as_posix()}/") if p.parent != site else "/"
        for p in site.rglob("index.html")
    )


def test_the_example_configuration_loads_in_nginx_as_shipped(app, tmp_path):
    require_nginx()
    export_site(app, tmp_path / "site")
    example = (tmp_path / "site" / EXAMPLE).read_text(encoding="utf-8")
    assert f"listen {LISTEN};" in example and "listen 80;" in example
    assert f"server {APP};" in example and "server 127.0.0.1:8000;" in example
    assert f"root {(tmp_path / 'site').resolve()};" in example
    config = wrap_nginx_server(tmp_path / "check", tmp_path / "site" / EXAMPLE)
    result = subprocess.run(
        [NGINX, "-t", "-c", str(config), "-p", str(tmp_path / "check")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_every_link_of_every_exported_page_works_behind_nginx_with_the_apps_headers(
    app, client, serve, tmp_path
):
    host = serve()
    pages = exported_pages(tmp_path / "site")
    assert "/en/accessibility/keyboard/" in pages and "/accessibility/" in pages
    assert "/reports/county/2024/" in pages and "/en/reports/county/2023/" in pages
    links: dict[str, str] = {}
    forms: dict[tuple[str, str], dict] = {}
    for page in pages:
        status, headers, body = ask(host, page)
        assert status == 200, page
        assert_headers_as_the_app(client, page, headers)
        soup = BeautifulSoup(body, "html.parser")
        for tag in soup.find_all(["a", "link", "script", "img", "source", "track", "video"]):
            for attribute in ("href", "src"):
                target = urlsplit(tag.get(attribute) or "")
                if target.path.startswith("/") and not target.netloc:
                    links.setdefault(target._replace(fragment="").geturl(), page)
        for form in soup.find_all("form"):
            action = urlsplit(form["action"])._replace(fragment="").geturl()
            method = form.get("method", "get").upper()
            fields = {
                field["name"]: field.get("value", "")
                for field in form.find_all(["input", "button"], attrs={"name": True})
            }
            forms.setdefault((method, action), fields)
    for link, page in sorted(links.items()):
        status, headers, _body = ask(host, link)
        assert 200 <= status < 400, f"{link} (linked from {page}) answered {status}"
        assert_headers_as_the_app(client, link, headers)
    origin = {"Origin": f"http://{host}", "Content-Type": "application/x-www-form-urlencoded"}
    for (method, action), fields in sorted(forms.items()):
        if method == "GET":
            status, headers, _body = ask(host, action)
            assert 200 <= status < 400, (action, status)
            assert_headers_as_the_app(client, action, headers)
        else:
            # The app answers the post: preferences are stored (303), an empty application is
            # refused (400); a 404 or 405 would be nginx answering from the export.
            form = "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items())
            status, headers, body = ask(host, action, "POST", origin, form)
            assert status == (303 if "preferences" in action else 400), (action, status)
            assert headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]
            assert status == 303 or b"<main" in body, action
    # Every link that is not the app's to answer is a file of the export, not the app's.
    static = [
        link
        for link in links
        if "?" not in link
        and not link.startswith(
            ("/search", "/en/search", "/qr.", "/en/qr.", "/apply/", "/en/apply/")
        )
    ]
    assert len(static) > 80 and len(links) > 300
    for link in static:
        target = file_for(tmp_path / "site", link)
        assert target.is_file(), link


def test_files_behind_nginx_are_served_as_the_app_serves_them(app, client, site, serve):
    folder = site / "policy"
    (folder / "plan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (folder / "附件1：申报表.docx").write_bytes(b"PK\x03\x04")
    (folder / "talk.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    (folder / "talk.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (folder / "talk.txt").write_text("<script>alert(1)</script>", encoding="utf-8")
    document = folder / "2023-science-popularisation-plan.md"
    document.write_text(
        document.read_text(encoding="utf-8").replace(
            "attachments:\n",
            "videos:\n  - file: talk.mp4\n    captions: talk.vtt\n"
            "    transcript: talk.txt\nattachments:\n  - file: plan.pdf\n"
            "  - file: 附件1：申报表.docx\n",
            1,
        ),
        encoding="utf-8",
    )
    host = serve()
    base = "/documents/2023-science-popularisation-plan"
    expected = {
        "attachments/plan.pdf": "inline",
        "attachments/附件1：申报表.docx": "attachment",
        "media/talk.mp4": "inline",
        "media/talk.vtt": "inline",
        "media/talk.txt": "inline",
    }
    for prefix in ("", "/en"):
        for path, disposition in expected.items():
            url = quote(f"{prefix}{base}/{path}")
            status, headers, body = ask(host, url)
            assert status == 200, url
            assert headers["Content-Disposition"] == disposition, url
            assert headers["X-Content-Type-Options"] == "nosniff", url
            assert headers["Content-Type"] == filetypes.content_type(path), url
            assert headers["Content-Security-Policy"] in (
                filetypes.FILE_POLICY,
                filetypes.MEDIA_POLICY,
            )
            assert_headers_as_the_app(client, url, headers)
            with client.get(url) as answer:
                assert body == answer.data, url
        for path in ("/documents/lingwu-kjj-2023/tables.csv", "/reports/dataset.json"):
            status, headers, _body = ask(host, prefix + path)
            assert status == 200, path
            assert_headers_as_the_app(client, prefix + path, headers)


def test_reading_preferences_and_filters_are_rendered_by_the_app_behind_nginx(app, serve):
    host = serve()
    client = app.test_client(use_cookies=False)  # sends the Cookie header as given
    cookie = {"Cookie": "prefs=scheme=dark&size=150"}
    for path in ("/", "/en/documents/2022-procurement-notice/", "/catalogue/"):
        status, _headers, body = ask(host, path, headers=cookie)
        assert status == 200, path
        assert body == client.get(path, headers=cookie).data, path
        assert b"scheme-dark" in body, path
    status, headers, _body = ask(
        host,
        "/preferences",
        "POST",
        {"Origin": f"http://{host}", "Content-Type": "application/x-www-form-urlencoded"},
        "scheme=green&next=/catalogue/",
    )
    assert status == 303
    chosen = headers["Set-Cookie"].split(";")[0]
    status, _headers, body = ask(host, "/catalogue/", headers={"Cookie": chosen})
    assert b"scheme-green" in body
    # A filtered list is the app's, not the stored unfiltered page.
    filtered = "/catalogue/?department=%E5%8A%9E%E5%85%AC%E5%AE%A4"
    status, _headers, body = ask(host, filtered)
    assert status == 200 and body == client.get(filtered).data
    assert body != ask(host, "/catalogue/")[2]


def test_nginx_keeps_no_search_answer_and_passes_its_validators(app, site, serve):
    """nginx hands searches to the app and stores none: the app's no-cache and ETag reach the
    browser, a repeat is the app's 304, and after a withdrawal the same validator gets the
    results without the document."""
    host = serve()
    document = b"/documents/2024-tech-commissioner-measures/"
    query = "?q=" + quote("科技特派员")
    etags = {}
    for path in ("/search" + query, "/en/search" + query, "/api/search" + query):
        status, headers, body = ask(host, path)
        assert status == 200 and document in body, path
        assert headers.get_all("Cache-Control") == ["public, no-cache"], path
        etags[path] = headers["ETag"]
        assert ask(host, path, headers={"If-None-Match": etags[path]})[0] == 304, path
    (site / "policy" / "2024-tech-commissioner-measures.md").unlink()
    app.extensions["portal.catalogue"].refresh()
    app.extensions["portal.index_keeper"].wait(60)  # the index in step too, its files closed
    for path, etag in etags.items():
        status, _headers, body = ask(host, path, headers={"If-None-Match": etag})
        assert status == 200 and document not in body, path


def test_every_sitemap_url_served_by_nginx_matches_the_app(app, client, serve):
    host = serve()
    base = app.config["BASE_URL"]
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    paths = [
        loc.text[len(base) :]
        for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert len(paths) > 40
    for path in paths:
        status, headers, body = ask(host, path)
        assert status == 200, path
        assert headers.get_content_type() == "text/html", path
        assert body == client.get(path).data, path


def test_feeds_downloads_and_assets_are_exported_too(app, client, serve):
    host = serve()
    stylesheet = client.get("/").get_data(as_text=True).split('rel="stylesheet" href="')[1]
    for path in [
        "/feeds/all.atom",
        "/robots.txt",
        "/reports/dataset.csv",
        "/reports/county/2024/summary.csv",
        "/en/reports/county/2024/summary.json",
        "/opensearch.xml",
        "/sitemap.xml",
        "/documents/lingwu-kjj-2024/tables.json",
        stylesheet.split('"')[0],
        "/documents/2024-tech-commissioner-measures/attachments/"
        "2024-tech-commissioner-measures-form.csv",
    ]:
        status, headers, body = ask(host, path)
        assert status == 200, path
        assert_headers_as_the_app(client, path, headers)
        with client.get(path) as response:
            assert body == response.data, path


def test_nginx_sends_the_exported_gzip_copies_to_browsers_that_accept_them(
    app, client, serve, tmp_path
):
    host = serve()
    home = client.get("/").get_data(as_text=True)
    stylesheet = home.split('rel="stylesheet" href="')[1].split('"')[0]
    for path in [
        "/",
        "/en/documents/2024-tech-commissioner-measures/",
        stylesheet,
        "/feeds/all.atom",
        "/reports/dataset.csv",
    ]:
        _status, headers, body = ask(host, path, headers={"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip", path
        with client.get(path) as expected:
            assert gzip.decompress(body) == expected.data, path
    # Every page has its copy; a file gzip cannot shrink (robots.txt here) has none.
    site = tmp_path / "site"
    assert all(p.with_name(p.name + ".gz").exists() for p in site.rglob("*.html"))
    assert not (site / "robots.txt.gz").exists()


def test_names_with_url_characters_keep_their_feed_and_comparison_behind_nginx(
    client, site, serve, tmp_path
):
    department = "../科技/信息?股#%20 ..%2F"
    organisation = "灵武市/科学技术局?#%"
    for path in (
        site / "policy" / "2022-procurement-notice.md",
        site / "guide" / "disclosure-guide.md",
    ):
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "department: 办公室", f'department: "{department}"'
            ),
            encoding="utf-8",
        )
    for year in (2023, 2024):
        data = site / "reports" / f"lingwu-kjj-{year}.report.yml"
        data.write_text(
            data.read_text(encoding="utf-8").replace(
                "organisation: 灵武市科学技术局", f'organisation: "{organisation}"'
            ),
            encoding="utf-8",
        )
    host = serve()
    # The department's list links its feed; nginx serves the exported copy at that address.
    listing = BeautifulSoup(
        client.get("/catalogue/", query_string={"department": department}).data, "html.parser"
    )
    feed = listing.select_one("link[type='application/atom+xml'][title]")
    assert feed["title"] == department
    status, headers, body = ask(host, feed["href"])
    assert status == 200
    assert headers.get_content_type() == "application/atom+xml"
    assert body == client.get(feed["href"]).data
    assert b"2022-procurement-notice" in body
    assert file_for(tmp_path / "site", feed["href"]).is_file()
    # The comparison page of the organisation, linked from the reports overview.
    overview = BeautifulSoup(ask(host, "/reports/")[2], "html.parser")
    compare = [a["href"] for a in overview.select("a[href^='/reports/compare/']")]
    assert len(compare) == 1
    status, _headers, body = ask(host, compare[0])
    assert status == 200 and body == client.get(compare[0]).data
    assert organisation.encode() in body


def test_the_pages_and_feeds_of_every_body_are_exported_and_served_behind_nginx(
    client, site, serve, tmp_path
):
    add_organisations(site)
    host = serve()
    for path, media_type in (
        ("/organisations/", "text/html"),
        ("/organisations/county-office/", "text/html"),
        ("/en/organisations/east-town/", "text/html"),
        ("/feeds/organisation/county-office.atom", "application/atom+xml"),
        ("/en/feeds/organisation/east-town.atom", "application/atom+xml"),
    ):
        assert file_for(tmp_path / "site", path).is_file(), path
        status, headers, body = ask(host, path)
        assert status == 200, path
        assert headers.get_content_type() == media_type, path
        assert_headers_as_the_app(client, path, headers)
        assert body == client.get(path).data, path
    # The filter a body's page links is rendered by the app behind nginx.
    status, _headers, body = ask(host, "/catalogue/?organisation=county-office")
    assert status == 200 and body == client.get("/catalogue/?organisation=county-office").data
    assert "示例县2024年政务公开工作要点".encode() in body


@pytest.mark.parametrize(
    "link,path",
    [
        ("/documents/a/", "/documents/a/"),
        ("/feeds/all.atom#x", "/feeds/all.atom"),
        ("/catalogue/?department=x", None),
        ("/search", None),
        ("/en/apply/track", None),
        ("/qr.svg", None),
        ("https://elsewhere.example/", None),
        ("//elsewhere.example/", None),
        ("/a/../b/", None),
        ("/a/%2E%2E/b/", None),
        ("/a%2F..%2F..%2Fetc", None),
        ("/a\\b", None),
        ("mailto:x@example.com", None),
    ],
)
def test_the_export_follows_only_links_to_files_of_its_own(link, path):
    assert exportable(link) == path


def test_an_export_replaces_the_previous_one_whole(app, tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "stale.html").write_text("old")
    count = export_site(app, target)
    assert not (target / "stale.html").exists()
    files_written = [p for p in target.rglob("*") if p.is_file()]
    assert len([p for p in files_written if p.suffix != ".gz"]) == count + 1  # + nginx example


def test_export_command_reports_what_it_wrote(site, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    # Its own index folder: the project's search_index/ (which `make run` and the benchmarks
    # build) would be opened and left open by the command's app.
    monkeypatch.setenv("PORTAL_SEARCH_INDEX_DIR", str(tmp_path / "search_index"))
    result = CliRunner().invoke(main, ["export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "exported" in result.output
    assert (tmp_path / "out" / "documents" / "lingwu-kjj-2024" / "index.html").is_file()
    assert (tmp_path / "out" / "accessibility" / "keyboard" / "index.html").is_file()
