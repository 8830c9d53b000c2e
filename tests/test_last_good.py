"""The last good version survives restarts: a published document whose file breaks keeps being
served, by a new process too, and kept in search by `portal index`, until its file is fixed or it
is withdrawn; `portal check` names the file and line and says so."""

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal import create_app
from portal.catalogue import review_file
from portal.cli import main
from portal.workflow import STAGES, write_review

PLAN = Path("policy") / "2023-science-popularisation-plan.md"
PLAN_URL = "/documents/2023-science-popularisation-plan/"
MEASURES = Path("policy") / "2024-tech-commissioner-measures.md"
MEASURES_URL = "/documents/2024-tech-commissioner-measures/"


@pytest.fixture
def fresh(site, tmp_path):
    """Start another app on the same content and folders: a restarted site or a new worker,
    with nothing in memory."""
    apps = []

    def start():
        app = create_app(
            {
                "TESTING": True,
                "CONTENT_DIR": str(site),
                "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            }
        )
        apps.append(app)
        return app.test_client()

    yield start
    for app in apps:
        if "portal.searcher" in app.extensions:
            app.extensions["portal.searcher"].close()


@pytest.fixture
def cli(site, tmp_path, monkeypatch):
    """Run a `portal` command on the fixture site, as staff would."""
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    monkeypatch.setenv("PORTAL_SEARCH_INDEX_DIR", str(tmp_path / "search_index"))

    def run(*arguments: str):
        return CliRunner().invoke(main, list(arguments))

    return run


def edit(site: Path, name: Path, old: str, new: str) -> None:
    path = site / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def text_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def search_total(client, query: str) -> int:
    return client.get("/api/search", query_string={"q": query}).get_json()["total"]


def test_a_broken_document_is_served_by_a_new_process_kept_in_search_until_fixed_or_deleted(
    client, fresh, cli, site
):
    assert "2023年2月20日" in text_of(client, PLAN_URL)  # the site has published it
    edit(site, PLAN, "date: 2023-02-20", "date: 2023-02-30")

    restarted = fresh()
    assert "2023年2月20日" in text_of(restarted, PLAN_URL)
    assert cli("index").exit_code == 0
    assert search_total(restarted, '"全年开展科普活动"') == 1

    checked = cli("check")
    assert checked.exit_code == 1
    assert (
        "policy/2023-science-popularisation-plan.md:5: date: 2023-02-30 does not exist in "
        "the calendar" in checked.output
    )
    assert (
        "policy/2023-science-popularisation-plan.md:5: warning: the site serves the last "
        "good version of this document (saved " in checked.output
    )

    edit(site, PLAN, "date: 2023-02-30\n", "date: 2023-03-01\n")
    edit(site, PLAN, "2023年科普工作要点", "2023年科普工作要点（修订）")
    assert "2023年科普工作要点（修订）" in text_of(fresh(), PLAN_URL)
    edit(site, PLAN, "category: 规划计划", "category: 不存在的分类")
    assert "2023年科普工作要点（修订）" in text_of(fresh(), PLAN_URL)  # the fixed one is kept

    (site / PLAN).unlink()
    assert fresh().get(PLAN_URL).status_code == 404
    assert cli("index").exit_code == 0
    assert search_total(fresh(), '"全年开展科普活动"') == 0


def test_a_document_whose_attachment_goes_missing_keeps_serving_it(client, fresh, site):
    form = site / MEASURES.parent / "2024-tech-commissioner-measures-form.csv"
    original = form.read_bytes()
    assert text_of(client, MEASURES_URL)
    form.unlink()
    restarted = fresh()
    page = text_of(restarted, MEASURES_URL)
    link = f"{MEASURES_URL}attachments/2024-tech-commissioner-measures-form.csv"
    assert link in page
    with restarted.get(link) as attachment:
        assert attachment.data == original


def test_a_report_whose_data_file_breaks_keeps_its_tables(client, fresh, site):
    url = "/documents/lingwu-kjj-2024/tables.json"
    tables = client.get(url).get_json()
    (site / "reports" / "lingwu-kjj-2024.report.yml").write_text("table2: [\n", encoding="utf-8")
    restarted = fresh()
    assert restarted.get(url).get_json() == tables


def reviewed(site: Path, name: Path = PLAN) -> Path:
    """A document put into the review workflow and approved at every stage (so published)."""
    path = site / name
    path.write_text(write_review(path.read_text(encoding="utf-8"), [], None), encoding="utf-8")
    when = datetime.datetime(2024, 3, 20, 9, 0, tzinfo=datetime.UTC)
    for stage, person in zip(STAGES, "甲乙丙丁", strict=True):
        review_file(path, stage, person, now=when)
    return path


def test_a_document_sent_back_to_review_is_never_brought_back_by_its_snapshot(
    app, client, fresh, site
):
    path = reviewed(site)
    assert text_of(client, PLAN_URL)
    path.write_text(write_review(path.read_text(encoding="utf-8"), [], None), encoding="utf-8")
    app.extensions["portal.catalogue"].refresh()
    assert client.get(PLAN_URL).status_code == 404  # the running site saw it go back
    path.write_text(
        path.read_text(encoding="utf-8").replace("date: 2023-02-20", "date: [broken"),
        encoding="utf-8",
    )
    assert fresh().get(PLAN_URL).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        ("review:", "review: [broken"),  # the review record itself, edited by hand
        ("全年开展科普活动", "全年开展科普活动。\n\n| a |\n|---|\n| 1 |\n"),  # text and a new error
    ],
)
def test_a_reviewed_document_edited_while_the_site_was_down_is_not_restored(
    client, fresh, site, change
):
    reviewed(site)
    assert text_of(client, PLAN_URL)
    # Broken and changed in one go, with no site running to see the change in between.
    edit(site, PLAN, *change)
    assert fresh().get(PLAN_URL).status_code == 404


def test_a_reviewed_document_whose_attachment_goes_missing_keeps_serving(client, fresh, site):
    reviewed(site, MEASURES)
    assert text_of(client, MEASURES_URL)
    (site / MEASURES.parent / "2024-tech-commissioner-measures-form.csv").unlink()
    assert "科技特派员管理办法" in text_of(fresh(), MEASURES_URL)
