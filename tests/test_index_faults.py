"""Search index faults with the site running: a damaged index makes search answer 503 while
every other page works, the next build recovers, a killed build leaves the live index serving,
and two builds at once cannot corrupt it."""

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.search import index_content

VALID = (
    Path(__file__).parent / "site" / "content" / "policy" / "2023-science-popularisation-plan.md"
).read_text(encoding="utf-8")


@pytest.fixture
def index_dir(app, site):
    """The fixture site's index, built."""
    path = Path(app.config["SEARCH_INDEX_DIR"])
    index_content(site, path)
    return path


def live_files(index_dir: Path) -> list[Path]:
    return [p for p in (index_dir / "current").resolve().iterdir() if p.is_file()]


def total(client, query="科技") -> int:
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200, response.status_code
    return response.get_json()["total"]


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_a_damaged_index_gives_503_while_other_pages_work_and_a_rebuild_recovers(
    client, worker, site, index_dir, damage
):
    before = total(client)
    for path in live_files(index_dir):
        if damage == "delete":
            path.unlink()
        else:
            path.write_bytes(path.read_bytes()[:7])
    # A worker that had the index open may keep answering from it, completely, or say 503;
    # a worker started now finds no usable index. Neither ever answers 500.
    assert client.get("/search?q=科技").status_code in (200, 503)
    fresh = worker.test_client()
    assert fresh.get("/search?q=科技").status_code == 503
    assert fresh.get("/api/search?q=科技").status_code == 503
    for url in ("/", "/catalogue/", "/documents/2022-procurement-notice/"):
        assert fresh.get(url).status_code == 200, url
    index_content(site, index_dir)
    assert total(client) == before
    assert total(fresh) == before


@pytest.fixture
def worker(site, index_dir, tmp_path):
    """A second app process on the same content and index, as another gunicorn worker."""
    from portal import create_app

    app = create_app(
        {"TESTING": True, "CONTENT_DIR": str(site), "SEARCH_INDEX_DIR": str(index_dir)}
    )
    yield app
    searcher = app.extensions.get("portal.searcher")
    if searcher is not None:
        searcher.close()


def make_corpus(folder: Path, count: int) -> None:
    """count valid documents, enough to make a build take a while."""
    for number in range(count):
        (folder / f"bulk-{number:05d}.md").write_text(
            VALID.replace(
                '"000000000/2023-00007"', f'"000000000/2023-{90000 + number:05d}"'
            ).replace("2023年科普工作要点", f"第{number}号科普工作要点")
            + ("科技创新科普活动安排。" * 40),
            encoding="utf-8",
        )


def build_process(site: Path, index_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PORTAL_CONTENT_DIR": str(site), "PORTAL_SEARCH_INDEX_DIR": str(index_dir)}
    # A session of its own, so the build and the writer processes it starts can be killed
    # together, as a service manager kills a job.
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "index", "--full"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_build_killed_halfway_leaves_the_previous_index_serving(client, site, index_dir):
    before = total(client)
    make_corpus(site / "policy", 1500)
    build = build_process(site, index_dir)
    # Kill it once it is writing its new generation (a tmp-* folder until it is published): a
    # fixed sleep raced a fast machine, where 1,500 documents build in under three seconds.
    deadline = time.monotonic() + 120
    while not any(any(folder.glob("*.seg")) for folder in index_dir.glob("tmp-*")):
        assert build.poll() is None, "the build finished before it could be killed"
        assert time.monotonic() < deadline, "the build wrote nothing in two minutes"
        time.sleep(0.02)
    assert build.poll() is None, "the build finished before it could be killed"
    os.killpg(build.pid, signal.SIGKILL)
    build.communicate(timeout=30)
    assert total(client) == before
    # The next build cleans up after the killed one and publishes the new documents.
    index_content(site, index_dir, full=True)
    assert total(client, "第1234号科普工作要点") >= 1


def test_a_build_while_another_runs_stops_with_a_clear_message(client, site, index_dir):
    before = total(client)
    # Hold the build lock as a running build does.
    with open(index_dir / "build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        second = build_process(site, index_dir)
        _out, error = second.communicate(timeout=120)
    assert second.returncode == 1
    assert "another build or update of the search index" in error, error
    assert total(client) == before


def test_two_builds_started_together_leave_a_complete_index(client, site, index_dir):
    make_corpus(site / "policy", 800)
    builds = [build_process(site, index_dir) for _ in range(2)]
    errors = [build.communicate(timeout=300)[1] for build in builds]
    results = [(build.returncode, error) for build, error in zip(builds, errors, strict=True)]
    assert any(code == 0 for code, _error in results), results
    for code, error in results:
        assert code == 0 or "another build or update of the search index" in error, error
    assert total(client, "第799号科普工作要点") >= 1
