"""Withdrawn means gone everywhere: a published document that is deleted, sent back to review or
whose approvals are voided leaves search (the page and the API, totals, facets and snippets) as
soon as it leaves its page, in the same running site, before and after the index is updated; the
site brings the index in step itself, and re-indexes an edited document."""

import datetime
import fcntl
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from support import free_port

from portal import create_app
from portal.catalogue import parse_file, review_file, scaffold_draft
from portal.search import Searcher, index_content
from portal.search.indexing import LOCK
from portal.workflow import STAGES, write_review

PHRASE = "zxqwithdrawn"
NOW = datetime.datetime(2024, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def publish_reviewed(site: Path) -> Path:
    """A document approved at every stage (so published), holding a phrase no other has."""
    path = scaffold_draft(
        site,
        "行政规范性文件",
        "关于印发《示例县科技奖励办法》的通知",
        "000000000",
        "办公室",
        today=datetime.date(2024, 3, 18),
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace("正文。", f"奖励办法正文 {PHRASE}。"),
        encoding="utf-8",
    )
    for stage, person in zip(STAGES, ("甲", "乙", "丙", "丁"), strict=True):
        review_file(path, stage, person, now=NOW)
    return path


def withdraw(path: Path, how: str) -> None:
    """Withdraw a published document the way an editor would."""
    text = path.read_text(encoding="utf-8")
    if how == "deleted":
        path.unlink()
    elif how == "sent back to review":
        path.write_text(write_review(text, [], None), encoding="utf-8")
    elif how == "a stage removed":
        kept = list(parse_file(path)[0].approvals)[:3]
        path.write_text(write_review(text, kept, None), encoding="utf-8")
    elif how == "approvals voided by an edit":
        path.write_text(text.replace("奖励办法正文", "奖励办法正文（修改）"), encoding="utf-8")


@contextmanager
def index_busy(index_dir: Path):
    """Hold the indexing lock, as another worker does while it updates the index."""
    with open(index_dir / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def api(client, **query) -> dict:
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 200, response.status_code
    return response.get_json()


def indexed_slugs(index_dir: Path, query: str) -> list[str]:
    """What the index itself holds for a query, with no filtering by the live catalogue."""
    with Searcher(index_dir) as searcher:
        return [hit.slug for hit in searcher.search(query, per_page=100).hits]


@pytest.fixture
def published(app, site, tmp_path) -> Path:
    path = publish_reviewed(site)
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    return path


WAYS = ["deleted", "sent back to review", "a stage removed", "approvals voided by an edit"]


@pytest.mark.parametrize("how", WAYS)
def test_a_withdrawn_document_leaves_search_with_its_page_before_the_index_is_updated(
    app, client, page, site, published, how
):
    slug = published.stem
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    category = {"category": "normative-documents"}
    assert page(f"/documents/{slug}/")
    assert api(client, q=PHRASE)["total"] == 1
    before = api(client, **category)
    assert PHRASE in client.get(f"/search?q={PHRASE}").get_data(as_text=True)

    withdraw(published, how)
    with index_busy(index_dir):
        # The site's next look at the files; the index cannot be written meanwhile.
        app.extensions["portal.catalogue"].refresh()
        assert client.get(f"/documents/{slug}/").status_code == 404
        assert indexed_slugs(index_dir, PHRASE) == [slug]  # still in the index itself
        found = api(client, q=PHRASE)
        assert (found["total"], found["hits"]) == (0, [])
        assert all(counts == [] for counts in found["facets"].values())
        results = page(f"/search?q={PHRASE}")
        assert results.select_one("#results").get_text(strip=True) == "找到 0 条结果"
        assert not results.select(".search-results h3, .snippet, input[name=department]")
        after = api(client, **category)
        assert after["total"] == before["total"] - 1
        assert slug not in [hit["slug"] for hit in after["hits"]]
        counts = dict((f["value"], f["count"]) for f in after["facets"]["department"])
        old_counts = dict((f["value"], f["count"]) for f in before["facets"]["department"])
        assert counts.get("办公室", 0) == old_counts["办公室"] - 1
    app.extensions["portal.index_keeper"].wait(60)
    assert indexed_slugs(index_dir, PHRASE) == []
    assert api(client, q=PHRASE)["total"] == 0


def test_two_workers_sharing_an_index_both_stop_finding_it_and_one_updates_the_index(
    app, client, site, published
):
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    other = create_app(
        {"TESTING": True, "CONTENT_DIR": str(site), "SEARCH_INDEX_DIR": str(index_dir)}
    )
    second = other.test_client()
    try:
        assert api(client, q=PHRASE)["total"] == api(second, q=PHRASE)["total"] == 1
        withdraw(published, "sent back to review")
        with index_busy(index_dir):
            for each in (app, other):
                each.extensions["portal.catalogue"].refresh()
            assert api(client, q=PHRASE)["total"] == api(second, q=PHRASE)["total"] == 0
        for each in (app, other):
            each.extensions["portal.index_keeper"].wait(60)
        assert indexed_slugs(index_dir, PHRASE) == []
        assert api(client, q=PHRASE)["total"] == api(second, q=PHRASE)["total"] == 0
    finally:
        other.extensions["portal.searcher"].close()


def test_an_edited_document_is_re_indexed_by_the_running_site(app, client, site, published):
    path = site / "policy" / "2022-procurement-notice.md"
    old = '"示例科技有限公司"'
    assert [hit["slug"] for hit in api(client, q=old)["hits"]] == ["2022-procurement-notice"]
    path.write_text(
        path.read_text(encoding="utf-8").replace("示例科技有限公司", "zxqnewsupplier"),
        encoding="utf-8",
    )
    app.extensions["portal.catalogue"].refresh()
    app.extensions["portal.index_keeper"].wait(60)
    assert [hit["slug"] for hit in api(client, q="zxqnewsupplier")["hits"]] == [
        "2022-procurement-notice"
    ]
    assert api(client, q=old)["total"] == 0


def test_an_index_built_from_other_content_is_left_alone(app, site, tmp_path, published):
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    other = tmp_path / "other-content"
    other.mkdir()
    (other / "policy").mkdir()
    (site / "policy" / "2022-procurement-notice.md").rename(
        other / "policy" / "2022-procurement-notice.md"
    )
    index_content(other, index_dir)
    withdraw(published, "deleted")
    app.extensions["portal.catalogue"].refresh()
    app.extensions["portal.index_keeper"].wait(60)
    assert indexed_slugs(index_dir, "示例科技有限公司") == ["2022-procurement-notice"]


PORTAL = Path(sys.executable).with_name("portal")


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, b""
    except OSError:
        return 0, b""


def test_with_gunicorn_a_withdrawn_document_leaves_search_in_every_worker(site, tmp_path):
    path = publish_reviewed(site)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORTAL_CONTENT_DIR": str(site),
        "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        "PORTAL_BASE_URL": base,
    }
    server = subprocess.Popen(
        [str(PORTAL), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    search = f"{base}/api/search?q={PHRASE}"

    def settles(check, what: str) -> None:
        # Requests land on either worker: twenty right answers in a row from both.
        deadline, right = time.monotonic() + 60, 0
        while right < 20:
            assert time.monotonic() < deadline, what
            right = right + 1 if check() else 0
            if not right:
                time.sleep(0.1)

    try:
        settles(lambda: b'"total": 1' in get(search)[1], "the document was never found")
        withdraw(path, "approvals voided by an edit")
        settles(
            lambda: (
                b'"total": 0' in get(search)[1] and get(f"{base}/documents/{path.stem}/")[0] == 404
            ),
            "a worker still finds it",
        )
        settles(
            lambda: indexed_slugs(tmp_path / "search_index", PHRASE) == [],
            "no worker updated the index",
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
