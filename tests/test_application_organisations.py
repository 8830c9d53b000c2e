"""Applications go to a body (受理机关): on a platform of several organisations the applicant
chooses one, every stored application names it, databases from before are imported without
losing a record, and the staff commands and table 3 are per body."""

import csv
import datetime
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import audit_page
from county import APPLICATION_BODIES, add_bodies, copy_site
from support import fresh_database
from test_applications import SAME_SITE, person_form, submit

from portal import applications, wiring
from portal.applications import ApplicationStore
from portal.cli import main
from portal.db import make_engine
from portal.reports import parse_report, validate_report

# Three bodies of three kinds, listed out of order: the form groups them by kind, in the order
# of catalogue.KINDS (人民政府, 部门, 乡镇街道). The bureau keeps the fixture site's documents.
BODIES = APPLICATION_BODIES


@pytest.fixture
def site(tmp_path) -> Path:
    """The app of conftest serves the county's copy of the fixture site in this module."""
    return add_bodies(copy_site(tmp_path / "content"), *BODIES)


@pytest.fixture
def database(app):
    """The app's database (DATABASE_URL) at the code's schema; returns its URL."""
    url = app.config["DATABASE_URL"]
    fresh_database(url)
    yield url
    wiring.db.engine(app).dispose()


@pytest.fixture
def store(database) -> ApplicationStore:
    """The store over the app's database, as a staff command opens it."""
    engine = make_engine(database)
    yield ApplicationStore(engine)
    engine.dispose()


def cleaned(organisation: str, **changes) -> dict:
    """A valid application to a body, as validate() gives it to the store."""
    values, errors = applications.validate(
        person_form(organisation=organisation, **changes), BODIES
    )
    assert errors == {}
    return values


# --- The form ---------------------------------------------------------------------------------


def test_the_form_asks_for_the_body_grouped_by_kind(page):
    soup = page("/apply/")
    select = soup.find("select", attrs={"name": "organisation"})
    assert soup.find("label", attrs={"for": "field-organisation"}).get_text() == "受理机关"
    groups = [
        (group["label"], [option.get_text() for option in group.find_all("option")])
        for group in select.find_all("optgroup")
    ]
    assert groups == [
        ("人民政府", ["灵武市人民政府办公室"]),
        ("部门", ["灵武市科学技术局"]),
        ("乡镇街道", ["宁东镇人民政府"]),
    ]
    first = select.find("option")
    assert (first["value"], first.get_text()) == ("", "请选择")
    assert select.find("option", selected=True) is None  # several bodies: none is assumed
    # The organisation is the first thing asked, and the search box's script is served.
    assert soup.find("form", action="/apply/").find(["select", "input"]) is select
    assert any("organisation-search." in s["src"] for s in soup.find_all("script"))


@pytest.mark.parametrize(
    ("query", "selected"),
    [("ningdong", "ningdong"), ("lingwu-gov", "lingwu-gov"), ("nope", None), ("", None)],
)
def test_an_organisation_page_link_preselects_its_body(page, query, selected):
    soup = page(f"/apply/?organisation={query}")
    chosen = soup.find("select", attrs={"name": "organisation"}).find("option", selected=True)
    assert (chosen and chosen["value"]) == selected


def test_the_english_form_names_the_bodies_and_kinds_in_english(page):
    soup = page("/en/apply/?organisation=ningdong")
    select = soup.find("select", attrs={"name": "organisation"})
    assert [group["label"] for group in select.find_all("optgroup")] == [
        "People's governments",
        "Departments",
        "Townships and subdistricts",
    ]
    assert select.find("option", selected=True).get_text() == "Ningdong Town Government"
    assert soup.find("label", attrs={"for": "field-organisation"}).get_text() == "Receiving body"


@pytest.mark.parametrize(
    ("organisation", "message"),
    [
        ("", "请选择受理机关。"),
        ("nope", "没有这个受理机关，请从列表中选择。"),
        ("宁东镇人民政府", "没有这个受理机关，请从列表中选择。"),
    ],
)
def test_a_missing_or_unknown_body_is_a_field_error(client, store, organisation, message):
    response = submit(client, person_form(organisation=organisation, name="张三"))
    assert response.status_code == 400
    soup = audit_page(response.get_data(as_text=True))
    summary = soup.find("div", role="alert")
    assert [a["href"] for a in summary.find_all("a")] == ["#field-organisation"]
    assert summary.find("a").get_text() == message
    select = soup.find(id="field-organisation")
    assert select["aria-invalid"] == "true"
    assert "field-organisation-error" in select["aria-describedby"].split()
    assert soup.find(id="field-name")["value"] == "张三"  # the rest is kept for correcting
    assert store.all() == []


def test_the_english_form_explains_a_missing_body_in_english(client, store):
    response = client.post(
        "/en/apply/",
        data=person_form(),
        headers=SAME_SITE,
        environ_base={"REMOTE_ADDR": "192.0.2.9"},
    )
    assert response.status_code == 400
    soup = audit_page(response.get_data(as_text=True), "en")
    assert soup.find(id="field-organisation-error").get_text() == (
        "Error: Choose the body you are applying to."
    )


def test_the_application_is_stored_with_its_body_and_the_pages_name_it(client, store):
    response = submit(client, person_form(organisation="ningdong"))
    assert response.status_code == 200
    soup = audit_page(response.get_data(as_text=True))
    shown = dict(zip(soup.find_all("dt"), soup.find_all("dd"), strict=True))
    assert {dt.get_text(): dd.get_text() for dt, dd in shown.items()}[
        "受理机关"
    ] == "宁东镇人民政府"
    [stored] = store.all()
    assert stored.organisation == "ningdong"
    # Tracking shows it too, in the page's language.
    tracked = client.post(
        "/en/apply/track",
        data={"code": stored.code, "phone_last4": "1234"},
        headers=SAME_SITE,
    )
    assert tracked.status_code == 200
    soup = audit_page(tracked.get_data(as_text=True), "en")
    terms = [dt.get_text() for dt in soup.find_all("dt")]
    values = [dd.get_text() for dd in soup.find_all("dd")]
    assert values[terms.index("Receiving body")] == "Ningdong Town Government"


def test_deadlines_stay_per_application_whichever_the_body(store):
    day = datetime.date(2024, 9, 27)
    first = store.submit(cleaned("ningdong"), day)
    second = store.submit(cleaned("lingwu-kjj"), day)
    assert first.due == second.due == "2024-10-30"
    store.update(first.code, extend=True)
    assert (store.get(first.code).due, store.get(second.code).due) == ("2024-11-27", "2024-10-30")


# --- Storage: databases made before applications named a body -------------------------------

# The schema of portal/applications/store.py before this change (as of commit cfb72fd).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS applications (
    code TEXT PRIMARY KEY,
    received TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    name TEXT, id_type TEXT, id_number TEXT, phone TEXT, email TEXT, address TEXT,
    description TEXT, title TEXT, doc_number TEXT, index_number TEXT,
    form TEXT NOT NULL,
    delivery TEXT NOT NULL,
    due TEXT NOT NULL,
    calendar_known INTEGER NOT NULL,
    correction_requested TEXT,
    corrected TEXT,
    extended INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    replied TEXT,
    purged TEXT,
    CHECK ((outcome IS NULL) = (replied IS NULL))
);
CREATE INDEX IF NOT EXISTS applications_received ON applications (received);
CREATE TABLE IF NOT EXISTS attempts (
    scope TEXT NOT NULL,
    client TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_client ON attempts (scope, client, at);
"""
OLD_ROWS = [
    ("AAAABBBBCCCC", "2023-12-20", "person", "张三", "13800001234", "2024-01-19", "granted",
     "2024-01-10"),
    ("DDDDEEEEFFFF", "2024-09-27", "research", "某某研究所", "09511234567", "2024-10-30", None,
     None),
]  # fmt: skip


def old_database(path: Path) -> Path:
    """An applications database as the portal made it before applications named a body, with
    two applications and a rate-limit attempt in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(OLD_SCHEMA)
        for code, received, kind, name, phone, due, outcome, replied in OLD_ROWS:
            db.execute(
                "INSERT INTO applications (code, received, applicant_kind, name, phone, "
                "description, form, delivery, due, calendar_known, outcome, replied) "
                "VALUES (?, ?, ?, ?, ?, '科技项目', 'paper', 'post', ?, 1, ?, ?)",
                (code, received, kind, name, phone, due, outcome, replied),
            )
        db.execute("INSERT INTO attempts VALUES ('submit', 'someone', 1.0)")
    db.close()
    return path


def schema_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
    db.close()
    return version


def import_sqlite(database: str, path: Path, default_organisation: str = "lingwu-kjj"):
    """`portal applications import-sqlite PATH` into the database at this URL."""
    return CliRunner().invoke(
        main,
        ["applications", "import-sqlite", str(path)],
        env={
            "PORTAL_DATABASE_URL": database,
            "PORTAL_DEFAULT_ORGANISATION": default_organisation,
        },
    )


# These tests were about the old store bringing its own file up to date when it was opened.
# Applications live in DATABASE_URL now and the old file is imported once (`portal
# applications import-sqlite`, tests/test_application_import.py); each keeps its promise there.


def test_an_old_database_imported_works_as_a_new_one_without_losing_a_record(
    tmp_path, database, store
):
    path = old_database(tmp_path / "applications.sqlite3")
    assert schema_version(path) == 0
    result = import_sqlite(database, path)
    assert result.exit_code == 0, result.output
    found = {app.code: app for app in store.all()}
    assert set(found) == {row[0] for row in OLD_ROWS}
    assert {app.organisation for app in found.values()} == {"lingwu-kjj"}
    old = found["AAAABBBBCCCC"]
    assert (old.name, old.phone, old.outcome, old.replied) == (
        "张三",
        "13800001234",
        "granted",
        "2024-01-10",
    )
    # Everything works on them as on new ones: tracking, staff updates, new applications.
    assert store.lookup("DDDD-EEEE-FFFF", "4567").name == "某某研究所"
    assert store.update("DDDDEEEEFFFF", extend=True).organisation == "lingwu-kjj"
    new = store.submit(cleaned("ningdong"), datetime.date(2024, 10, 8))
    assert [app.organisation for app in store.all()] == ["lingwu-kjj", "lingwu-kjj", "ningdong"]
    assert store.get(new.code).organisation == "ningdong"
    # Importing it again changes nothing, whatever the default body is now.
    again = import_sqlite(database, path, default_organisation="other")
    assert again.exit_code == 0, again.output
    assert store.get(old.code).organisation == "lingwu-kjj"
    assert store.get("DDDDEEEEFFFF").extended == 1
    assert schema_version(path) == 0  # the old file is read, never changed


def test_portal_serve_names_the_import_while_an_old_database_exists(tmp_path, capsys):
    from portal.cli import _warn_old_applications

    path = old_database(tmp_path / "applications.sqlite3")
    before = path.read_bytes()
    _warn_old_applications(str(path))
    said = capsys.readouterr().err
    assert said.startswith("APPLICATIONS_DB is no longer used")
    assert f"run `portal applications import-sqlite {path}` once" in said
    assert path.read_bytes() == before and schema_version(path) == 0
    _warn_old_applications(str(tmp_path / "none.sqlite3"))
    assert capsys.readouterr().err == ""


def test_a_new_database_takes_applications_to_every_body(database, store):
    assert store.all() == []
    assert store.submit(cleaned("lingwu-gov"), datetime.date(2024, 9, 27)).organisation == (
        "lingwu-gov"
    )


def test_the_running_site_serves_applications_imported_from_an_old_database(
    client, database, store, tmp_path
):
    path = old_database(tmp_path / "old" / "applications.sqlite3")
    assert import_sqlite(database, path).exit_code == 0
    tracked = client.post(
        "/apply/track", data={"code": "AAAA-BBBB-CCCC", "phone_last4": "1234"}, headers=SAME_SITE
    )
    assert tracked.status_code == 200
    soup = audit_page(tracked.get_data(as_text=True))
    terms = [dt.get_text() for dt in soup.find_all("dt")]
    assert soup.find_all("dd")[terms.index("受理机关")].get_text() == "灵武市科学技术局"
    assert submit(client, person_form(organisation="ningdong")).status_code == 200
    assert sorted(app.organisation for app in store.all()) == [
        "lingwu-kjj",
        "lingwu-kjj",
        "ningdong",
    ]


def test_a_database_newer_than_the_portal_is_refused_untouched(tmp_path, database, store):
    path = old_database(tmp_path / "applications.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    result = import_sqlite(database, path)
    assert result.exit_code == 1
    assert "schema version 99, this import reads versions 0, 1" in result.output
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(applications)")]
    db.close()
    assert "organisation" not in columns
    assert store.all() == []


def test_an_import_that_cannot_name_the_old_ones_body_imports_nothing(tmp_path, database, store):
    path = old_database(tmp_path / "applications.sqlite3")
    refused = import_sqlite(database, path, default_organisation="")
    assert refused.exit_code == 1
    assert "set DEFAULT_ORGANISATION" in refused.output
    assert store.all() == [] and schema_version(path) == 0
    assert import_sqlite(database, path).exit_code == 0
    assert len(store.all()) == len(OLD_ROWS)


# --- Staff commands ---------------------------------------------------------------------------


def cli(database: str, *args: str):
    result = CliRunner().invoke(
        main, ["applications", *args], env={"PORTAL_DATABASE_URL": database}
    )
    assert result.exit_code == 0, result.output
    return result


def test_staff_commands_show_and_filter_by_body(store, database, tmp_path):
    to_town = store.submit(cleaned("ningdong"), datetime.date(2024, 9, 27))
    to_bureau = store.submit(cleaned("lingwu-kjj", name="李四"), datetime.date(2024, 9, 30))
    listing = cli(database, "list").stdout.splitlines()
    assert len(listing) == 2
    assert "ningdong" in listing[0] and "lingwu-kjj" in listing[1]
    only = cli(database, "list", "--organisation", "ningdong").stdout.splitlines()
    assert len(only) == 1 and applications.format_code(to_town.code) in only[0]
    due = cli(database, "list", "--due", "3650", "--organisation", "lingwu-kjj").stdout
    assert applications.format_code(to_bureau.code) in due
    assert applications.format_code(to_town.code) not in due
    assert "organisation: ningdong" in cli(database, "show", to_town.code).stdout.splitlines()
    target = tmp_path / "applications.csv"
    cli(database, "export", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    assert [row["organisation"] for row in rows] == ["ningdong", "lingwu-kjj"]
    cli(database, "export", str(target), "--organisation", "lingwu-kjj")
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["李四"]


def report_stats(site: Path, database: str, *args: str):
    return CliRunner().invoke(
        main,
        ["report-stats", "2024", "--content", str(site), *args],
        env={"PORTAL_DATABASE_URL": database},
    )


def test_report_stats_counts_one_bodys_applications(store, database, site, tmp_path):
    for organisation, day in (
        ("ningdong", datetime.date(2024, 3, 1)),
        ("ningdong", datetime.date(2024, 5, 6)),
        ("lingwu-kjj", datetime.date(2024, 9, 27)),
    ):
        store.submit(cleaned(organisation), day)
    target = tmp_path / "ningdong-2024.report.yml"
    result = report_stats(site, database, "--organisation", "ningdong", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert "宁东镇人民政府 (ningdong), 2 records" in result.stderr
    report = parse_report(target.read_text("utf-8"), target)
    assert (report.organisation, report.year) == ("宁东镇人民政府", 2024)
    assert report.value(3, "new", "total") == 2
    assert [p for p in validate_report(report) if p.table == 3] == []
    # Without --organisation: the default body's (DEFAULT_ORGANISATION, lingwu-kjj) alone.
    default = report_stats(site, database)
    assert default.exit_code == 0, default.output
    report = parse_report(default.stdout, tmp_path / "default.report.yml")
    assert (report.organisation, report.value(3, "new", "total")) == ("灵武市科学技术局", 1)


@pytest.mark.parametrize(
    ("wanted", "said"),
    [
        ("nope", "no organisation 'nope'"),
        ("宁东镇人民政府", "宁东镇人民政府 is --organisation ningdong"),
    ],
)
def test_report_stats_refuses_an_unknown_body(database, site, wanted, said):
    result = report_stats(site, database, "--organisation", wanted)
    assert result.exit_code == 2
    assert said in result.stderr and "lingwu-gov, lingwu-kjj, ningdong" in result.stderr
    assert "Traceback" not in result.output
