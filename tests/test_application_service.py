"""Applications served by `portal serve` (gunicorn, as in production): a locked, missing or
read-only database answers 503 on the application pages only and never holds a worker that
other pages wait for; the rate limits hold when many requests arrive at once."""

import http.client
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import audit_page
from support import free_port
from test_applications import person_form

from portal.applications import ApplicationStore
from portal.db import make_engine

PORTAL = Path(sys.executable).with_name("portal")


class Server:
    """`portal serve` on 127.0.0.1 with its own database (an SQLite file)."""

    def __init__(self, base: str, database: Path):
        self.base = base
        self.database = database

    def request(
        self, method: str, path: str, form: dict | None = None, timeout: float = 60
    ) -> tuple[int, dict, str]:
        """Status, headers and body of one request; a POST is sent as from the site's form."""
        connection = http.client.HTTPConnection(self.base.removeprefix("http://"), timeout=timeout)
        try:
            body = urlencode(form).encode() if form is not None else None
            headers = {"Origin": self.base}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def stored(self) -> int:
        with sqlite3.connect(self.database) as db:
            return db.execute("SELECT COUNT(*) FROM applications").fetchone()[0]


@pytest.fixture
def serve(site, tmp_path):
    """Start `portal serve` with extra arguments and settings; return a Server once it answers."""
    started = []

    def start(*arguments: str, **settings: str) -> Server:
        port = free_port()
        database = tmp_path / f"data-{port}" / "portal.sqlite3"
        env = {
            **os.environ,
            "PORTAL_CONTENT_DIR": str(site),
            "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "PORTAL_BUILD_INDEX_ON_START": "false",
            "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
            "PORTAL_DATABASE_URL": f"sqlite:///{database}",
            **{f"PORTAL_{name}": value for name, value in settings.items()},
        }
        # As `make run` does: the schema first, made by the one command that makes it.
        upgrade = subprocess.run(
            [str(PORTAL), "db", "upgrade"], env=env, capture_output=True, text=True
        )
        assert upgrade.returncode == 0, upgrade.stderr
        with (tmp_path / f"serve-{port}.out").open("wb") as sink:
            started.append(
                subprocess.Popen(
                    [str(PORTAL), "serve", "--port", str(port), *arguments],
                    env=env,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                )
            )
        server = Server(f"http://127.0.0.1:{port}", database)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(server.base + "/catalogue/", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "portal serve did not start"
                time.sleep(0.2)
        return server

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def assert_unavailable_page(status: int, headers: dict, html: str, english: bool = False):
    assert status == 503
    assert headers["Cache-Control"] == "no-store"
    assert headers["Retry-After"] == "60"
    soup = audit_page(html, "en" if english else "zh-Hans")
    text = soup.get_text(" ", strip=True)
    if english:
        assert "was not saved" in text and "by letter or in person" in text
    else:
        assert soup.h1.get_text() == "服务暂时不可用"
        assert "没有保存" in text and "信函" in text and "当面" in text
    guide = soup.select_one("main a[href$='/catalogue/guide/']")
    assert guide is not None, "the page links to the guide, which has the office's address"


def test_a_locked_database_answers_503_without_holding_the_worker_other_pages_need(serve):
    # One worker with one thread: a request that waited on the lock would hold the catalogue.
    server = serve("--workers", "1", "--threads", "1")
    lock = sqlite3.connect(server.database, isolation_level=None, check_same_thread=False)
    lock.execute("BEGIN EXCLUSIVE")
    answered, released = threading.Event(), threading.Event()

    def hold_the_lock():
        # Released when the test has its answers, or at the latest after 20 s, so that a site
        # that waits for the lock cannot wait forever and the ordering below tells.
        answered.wait(timeout=20)
        lock.execute("ROLLBACK")
        lock.close()
        released.set()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    results = {}
    poster = threading.Thread(
        target=lambda: results.update(apply=server.request("POST", "/apply/", person_form()))
    )
    poster.start()
    catalogue = server.request("GET", "/catalogue/?while-locked=1")
    poster.join()
    track = server.request(
        "POST", "/apply/track", {"code": "ABCD-EFGH-JKMN", "phone_last4": "1234"}
    )
    english = server.request("POST", "/en/apply/", person_form())
    still_locked = not released.is_set()
    answered.set()
    holder.join()
    assert still_locked, "the site waited for the lock to be released"
    assert catalogue[0] == 200
    assert_unavailable_page(*results["apply"])
    assert_unavailable_page(*track)
    assert_unavailable_page(*english, english=True)
    assert server.stored() == 0
    # Released: the same server takes applications again, without a restart.
    status, _headers, html = server.request("POST", "/apply/", person_form())
    assert status == 200
    assert audit_page(html).find(class_="tracking-code") is not None
    assert server.stored() == 1


def test_a_deleted_database_answers_503_until_it_is_restored(serve):
    server = serve("--workers", "1")
    assert server.request("POST", "/apply/", person_form())[0] == 200
    backup = server.database.with_name("backup.sqlite3")
    server.database.rename(backup)
    assert_unavailable_page(*server.request("POST", "/apply/", person_form()))
    assert not server.database.exists(), "the site must not replace it with an empty one"
    server.database.mkdir()  # a path that cannot be opened at all
    assert_unavailable_page(*server.request("POST", "/apply/", person_form()))
    assert server.request("GET", "/catalogue/")[0] == 200
    server.database.rmdir()
    backup.rename(server.database)
    assert server.request("POST", "/apply/", person_form())[0] == 200
    assert server.stored() == 2


def set_write_version(database: Path, version: int) -> None:
    """Byte 18 of an SQLite file is its write version: above 2, SQLite opens the file
    read-only (SQLITE_READONLY), for root as for anyone. Tests run as root in CI, where chmod
    would not stop a write, so this is how they make the database read-only."""
    with database.open("r+b") as file:
        file.seek(18)
        file.write(bytes([version]))


def test_a_read_only_database_answers_503_until_it_is_writable_again(serve):
    server = serve("--workers", "1")
    set_write_version(server.database, 3)
    assert_unavailable_page(*server.request("POST", "/apply/", person_form()))
    assert_unavailable_page(
        *server.request("POST", "/apply/track", {"code": "ABCD-EFGH-JKMN", "phone_last4": "1234"})
    )
    assert server.request("GET", "/catalogue/")[0] == 200
    set_write_version(server.database, 2)
    assert server.request("POST", "/apply/", person_form())[0] == 200
    assert server.stored() == 1


def at_once(count: int, send) -> list[int]:
    """Send `count` requests from as many threads, released together; their statuses."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def one(index: int):
        barrier.wait()
        statuses.append(send(index)[0])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture(params=["database", "redis"])
def limits_kept(request) -> dict:
    """Where the rate limits are kept: the SQL database (the default) or a real Redis."""
    if request.param == "database":
        yield {}
        return
    from services import redis_server

    with redis_server() as url:
        yield {"REDIS_URL": url}


def test_the_submission_limit_holds_when_submissions_arrive_at_once(serve, limits_kept):
    server = serve(
        "--workers", "2", "--threads", "5", APPLICATION_SUBMISSIONS_PER_HOUR="3", **limits_kept
    )
    statuses = at_once(
        10, lambda i: server.request("POST", "/apply/", person_form(name=f"申请人{i}"))
    )
    assert sorted(statuses) == [200] * 3 + [429] * 7
    assert server.stored() == 3


def test_the_tracking_failure_limit_holds_when_guesses_arrive_at_once(serve, limits_kept):
    server = serve(
        "--workers", "2", "--threads", "5", TRACKING_FAILURES_PER_HOUR="3", **limits_kept
    )
    statuses = at_once(
        10,
        lambda i: server.request(
            "POST", "/apply/track", {"code": f"ABCD-EFGH-JK{i:02d}", "phone_last4": "1234"}
        ),
    )
    assert sorted(statuses) == [400] * 3 + [429] * 7
    engine = make_engine(f"sqlite:///{server.database}")
    assert ApplicationStore(engine).all() == []
    engine.dispose()


def test_a_redis_that_is_gone_makes_the_forms_unavailable_never_unlimited(serve):
    from services import redis_server

    with redis_server() as url:
        server = serve("--workers", "1", REDIS_URL=url)
    # The Redis above has stopped: the form cannot count, so it takes nothing.
    status, headers, html = server.request("POST", "/apply/", person_form())
    assert_unavailable_page(status, headers, html)
    assert server.stored() == 0
    assert server.request("GET", "/catalogue/")[0] == 200
