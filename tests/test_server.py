"""`portal serve`: gunicorn on the fixture site, its access log only when asked for."""

import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from support import free_port

PORTAL = Path(sys.executable).with_name("portal")


def _get(url: str, seconds: float = 30) -> int:
    """Status of GET url, retried while the server is starting."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def serve(site, tmp_path):
    """Start `portal serve` with extra arguments and settings; return its base URL and output
    file."""
    started = []

    def start(*arguments: str, **settings) -> tuple[str, Path]:
        port = free_port()
        output = tmp_path / f"serve-{port}.out"
        env = {
            **os.environ,
            "PORTAL_CONTENT_DIR": str(site),
            "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "PORTAL_BUILD_INDEX_ON_START": "false",
            "PORTAL_APPLICATIONS_DB": str(tmp_path / f"applications-{port}.sqlite3"),
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / f'portal-{port}.sqlite3'}",
            "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
            **{f"PORTAL_{name}": str(value) for name, value in settings.items()},
        }
        # The database the tracking lookups use, made as `make run` makes it.
        subprocess.run([str(PORTAL), "db", "upgrade"], env=env, check=True, capture_output=True)
        with output.open("wb") as sink:
            # A session of its own: --debug's reloader runs the server in a child process,
            # which stops with the group.
            started.append(
                subprocess.Popen(
                    [str(PORTAL), "serve", "--port", str(port), "--workers", "1", *arguments],
                    env=env,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        _get(f"http://127.0.0.1:{port}/robots.txt")
        return f"http://127.0.0.1:{port}", output

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_requests_are_logged_only_when_an_access_log_is_asked_for(serve, tmp_path):
    quiet_url, quiet_output = serve()
    log = tmp_path / "access.log"
    logged_url, _ = serve("--access-log", str(log))
    assert _get(quiet_url + "/catalogue/") == 200
    assert _get(logged_url + "/catalogue/") == 200
    deadline = time.monotonic() + 10
    while "GET /catalogue/ " not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline, "no access log line"
        time.sleep(0.1)
    assert "GET /catalogue/" not in quiet_output.read_text()


# What a client can send to look as if it came through a TLS proxy, from another address and
# host: every header gunicorn, werkzeug's ProxyFix or RFC 7239 knows of.
SPOOFED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Ssl": "on",
    "X-Forwarded-Protocol": "ssl",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Prefix": "/evil",
    "X-Forwarded-For": "203.0.113.9",
    "Forwarded": "for=203.0.113.9;proto=https;host=evil.example",
}


def _ask(base: str, method: str, path: str, headers: dict, form: dict | None = None):
    """Status, headers and text of one request sent exactly as given (no redirects)."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        body = urlencode(form).encode() if form is not None else None
        if body is not None:
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _prefs_cookie(base: str, headers: dict) -> str:
    status, answer, _ = _ask(
        base, "POST", "/preferences", {**headers, "Origin": base}, {"scheme": "dark", "next": "/"}
    )
    assert status == 303
    return next(c for c in answer.get_all("Set-Cookie") if c.startswith("prefs="))


def _wrong_lookup(base: str, headers: dict) -> int:
    status, _, _ = _ask(
        base,
        "POST",
        "/apply/track",
        {**headers, "Origin": base},
        {"code": "ABCD-EFGH-JKMN", "phone_last4": "1234"},
    )
    return status


def _assert_forwarded_headers_change_nothing(base: str):
    status, answer, page = _ask(base, "GET", "/catalogue/", SPOOFED)
    assert status == 200
    assert "Strict-Transport-Security" not in answer
    assert f'<link rel="canonical" href="{base}/catalogue/">' in page
    assert "evil.example" not in page and "https://127.0.0.1" not in page
    assert "/evil/" not in page
    # gunicorn took SCRIPT_NAME from a header of that name when asked from 127.0.0.1.
    assert _ask(base, "GET", "/evil/catalogue/", {"SCRIPT_NAME": "/evil"})[0] == 404
    cookie = _prefs_cookie(base, SPOOFED).lower()
    assert "secure" not in cookie and "httponly" in cookie
    # Rate limits count the socket's address, whichever address the headers claim.
    for number in range(2):
        assert (
            _wrong_lookup(
                base,
                {
                    **SPOOFED,
                    "X-Forwarded-For": f"198.51.100.{number}",
                    "Forwarded": f"for=198.51.100.{number}",
                },
            )
            == 400
        )
    assert _wrong_lookup(base, {"X-Forwarded-For": "198.51.100.7"}) == 429


def test_gunicorn_trusts_no_forwarded_header_without_a_proxy_setting(serve):
    base, _ = serve(TRACKING_FAILURES_PER_HOUR=2)
    _assert_forwarded_headers_change_nothing(base)


def test_the_development_server_trusts_no_forwarded_header_either(serve):
    base, _ = serve("--debug", TRACKING_FAILURES_PER_HOUR=2)
    _assert_forwarded_headers_change_nothing(base)


def test_gunicorn_honours_the_one_configured_proxy_and_only_its_headers(serve):
    base, _ = serve(PROXY_COUNT=1, TRACKING_FAILURES_PER_HOUR=1)
    status, answer, _ = _ask(base, "GET", "/catalogue/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert answer["Strict-Transport-Security"].startswith("max-age=")
    assert "; secure" in _prefs_cookie(base, {"X-Forwarded-Proto": "https"}).lower()
    # gunicorn's own scheme headers stay ignored: only what ProxyFix reads counts.
    assert (
        "Strict-Transport-Security"
        not in _ask(base, "GET", "/catalogue/", {"X-Forwarded-Ssl": "on"})[1]
    )
    assert _wrong_lookup(base, {"X-Forwarded-For": "198.51.100.1"}) == 400
    assert _wrong_lookup(base, {"X-Forwarded-For": "198.51.100.1"}) == 429
    assert _wrong_lookup(base, {"X-Forwarded-For": "198.51.100.2"}) == 400
