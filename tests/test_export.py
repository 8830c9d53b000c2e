"""Static export: served by a real nginx, every sitemap URL gives the same page as the app."""

import gzip
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.export import export_site, free_port, local_nginx_config

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"



@pytest.fixture
def nginx(tmp_path):
    """A real nginx on 127.0.0.1 serving tmp_path/site; yields its base URL."""
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; the set-up must install it")
        pytest.skip("nginx is not installed (make test installs it as root)")
    port = free_port()
    conf = local_nginx_config(tmp_path, port, tmp_path / "site")
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, b"", ""


def test_every_sitemap_url_served_by_nginx_matches_the_app(app, client, nginx, tmp_path):
    export_site(app, tmp_path / "site")
    base = app.config["BASE_URL"]
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    paths = [loc.text[len(base):] for loc in sitemap.iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(paths) > 40
    for path in paths:
        quoted = urllib.parse.quote(path, safe="/?=&%")
        status, body, content_type = fetch(nginx + quoted)
        assert status == 200, path
        assert content_type == "text/html", path
        assert body == client.get(path).data, path


def test_feeds_downloads_and_assets_are_exported_too(app, client, nginx, tmp_path):
    export_site(app, tmp_path / "site")
    stylesheet = client.get("/").get_data(as_text=True).split('rel="stylesheet" href="')[1]
    for path in ["/feeds/all.atom", "/robots.txt", "/reports/dataset.csv",
                 "/documents/lingwu-kjj-2024/tables.json", stylesheet.split('"')[0],
                 "/documents/2024-tech-commissioner-measures/attachments/"
                 "2024-tech-commissioner-measures-form.csv"]:
        status, body, _type = fetch(nginx + path)
        assert status == 200, path
        with client.get(path) as response:
            assert body == response.data, path


def test_nginx_sends_the_exported_gzip_copies_to_browsers_that_accept_them(
        app, client, nginx, tmp_path):
    export_site(app, tmp_path / "site")
    home = client.get("/").get_data(as_text=True)
    stylesheet = home.split('rel="stylesheet" href="')[1].split('"')[0]
    for path in ["/", "/en/documents/2024-tech-commissioner-measures/", stylesheet,
                 "/feeds/all.atom", "/reports/dataset.csv"]:
        request = urllib.request.Request(nginx + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers["Content-Encoding"] == "gzip", path
            body = gzip.decompress(response.read())
        with client.get(path) as expected:
            assert body == expected.data, path
    # Every page has its copy; a file gzip cannot shrink (robots.txt here) has none.
    site = tmp_path / "site"
    assert all(p.with_name(p.name + ".gz").exists() for p in site.rglob("*.html"))
    assert not (site / "robots.txt.gz").exists()


def test_an_export_replaces_the_previous_one_whole(app, tmp_path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "stale.html").write_text("old")
    count = export_site(app, target)
    assert not (target / "stale.html").exists()
    files = [p for p in target.rglob("*") if p.is_file()]
    assert len([p for p in files if p.suffix != ".gz"]) == count + 1  # + nginx example


def test_export_command_reports_what_it_wrote(site, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    result = CliRunner().invoke(main, ["export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "exported" in result.output
    assert (tmp_path / "out" / "documents" / "lingwu-kjj-2024" / "index.html").is_file()
