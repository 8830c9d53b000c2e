"""Search index faults with the site running: a damaged index makes search answer 503 while
every other page works, the next build recovers, a killed build leaves the live index serving,
and two builds at once cannot corrupt it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.indexing import index_content

VALID = (Path(__file__).parent / "site" / "content" / "policy" /
         "2023-science-popularisation-plan.md").read_text(encoding="utf-8")


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
        client, worker, site, index_dir, damage):
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

    app = create_app({"TESTING": True, "CONTENT_DIR": str(site),
                      "SEARCH_INDEX_DIR": str(index_dir)})
    yield app
    searcher = app.extensions.get("portal.searcher")
    if searcher is not None:
        searcher.close()


def make_corpus(folder: Path, count: int) -> None:
    """count valid documents, enough to make a build take a while."""
    for number in range(count):
        (folder / f"bulk-{number:05d}.md").write_text(
            VALID.replace('"000000000/2023-00007"', f'"000000000/2023-{90000 + number:05d}"')
            .replace("2023年科普工作要点", f"第{number}号科普工作要点")
            + ("科技创新科普活动安排。" * 40), encoding="utf-8")


def build_process(site: Path, index_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PORTAL_CONTENT_DIR": str(site),
           "PORTAL_SEARCH_INDEX_DIR": str(index_dir)}
    return subprocess.Popen([sys.executable, "-m", "portal.cli", "index", "--full"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_build_killed_halfway_leaves_the_previous_index_serving(client, site, index_dir):
    before = total(client)
    make_corpus(site / "policy", 1500)
    build = build_process(site, index_dir)
    time.sleep(3)
    assert build.poll() is None, "the build finished before it could be killed"
    build.send_signal(signal.SIGKILL)
    build.communicate(timeout=30)
    assert total(client) == before
    # The next build cleans up after the killed one and publishes the new documents.
    index_content(site, index_dir, full=True)
    assert total(client, "第1234号科普工作要点") >= 1


def test_two_builds_at_once_one_stops_with_a_clear_message(client, site, index_dir):
    make_corpus(site / "policy", 800)
    first = build_process(site, index_dir)
    time.sleep(1.5)
    second = build_process(site, index_dir)
    _second_out, second_err = second.communicate(timeout=120)
    _first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode != 0
    assert "another build or update of the search index" in second_err, second_err
    assert total(client, "第799号科普工作要点") >= 1
