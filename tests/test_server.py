"""`portal serve`: gunicorn on the fixture site, its access log only when asked for."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.export import free_port

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
    """Start `portal serve` with extra arguments; return its base URL and output file."""
    started = []

    def start(*arguments: str) -> tuple[str, Path]:
        port = free_port()
        output = tmp_path / f"serve-{port}.out"
        env = {**os.environ, "PORTAL_CONTENT_DIR": str(site),
               "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
               "PORTAL_BUILD_INDEX_ON_START": "false",
               "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}
        with output.open("wb") as sink:
            started.append(subprocess.Popen(
                [str(PORTAL), "serve", "--port", str(port), "--workers", "1", *arguments],
                env=env, stdout=sink, stderr=subprocess.STDOUT))
        return f"http://127.0.0.1:{port}", output

    yield start
    for process in started:
        process.terminate()
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
