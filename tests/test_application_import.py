"""`portal applications import-sqlite PATH`: an applications file of the old kind (its own
SQLite file, schema version 0 or 1) is copied into DATABASE_URL without losing a record or a
field; running it again adds nothing; the old file is left as it was; a file that is not one
is refused with one clear line and nothing imported."""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import db
from portal.applications import application_of, read_legacy, record_of
from portal.cli import main

# The old file's schema as version 0 made it: applications named no body yet.
OLD_SCHEMA = """
CREATE TABLE applications (
    code TEXT PRIMARY KEY, received TEXT NOT NULL, applicant_kind TEXT NOT NULL,
    name TEXT, id_type TEXT, id_number TEXT, phone TEXT, email TEXT, address TEXT,
    description TEXT, title TEXT, doc_number TEXT, index_number TEXT,
    form TEXT NOT NULL, delivery TEXT NOT NULL, due TEXT NOT NULL,
    calendar_known INTEGER NOT NULL, correction_requested TEXT, corrected TEXT,
    extended INTEGER NOT NULL DEFAULT 0, outcome TEXT, replied TEXT, purged TEXT,
    CHECK ((outcome IS NULL) = (replied IS NULL))
);
CREATE TABLE attempts (scope TEXT NOT NULL, client TEXT NOT NULL, at REAL NOT NULL);
"""
# Every column filled somewhere: an answered one, an extended and corrected one, a purged one.
ROWS = [
    {"code": "AAAABBBBCCCC", "received": "2023-12-20", "applicant_kind": "person",
     "name": "张三", "id_type": "ric", "id_number": "110101199003071234",
     "phone": "13800001234", "email": "zs@example.cn", "address": "灵武市某路1号",
     "description": "科技项目", "title": "关于……的通知", "doc_number": "示科发〔2024〕12号",
     "index_number": "014314799/2024-00012", "form": "paper", "delivery": "post",
     "due": "2024-01-19", "calendar_known": 1, "outcome": "granted", "replied": "2024-01-10"},
    {"code": "DDDDEEEEFFFF", "received": "2024-09-27", "applicant_kind": "research",
     "name": "某某研究所", "phone": "09511234567", "description": "经费", "form": "electronic",
     "delivery": "email", "due": "2024-12-13", "calendar_known": 0,
     "correction_requested": "2024-09-30", "corrected": "2024-10-08", "extended": 1},
    {"code": "GGGGHHHHJJJJ", "received": "2020-03-02", "applicant_kind": "other",
     "form": "paper", "delivery": "collect", "due": "2020-03-30", "calendar_known": 1,
     "outcome": "no_such_information", "replied": "2020-03-20", "purged": "2021-04-01"},
]  # fmt: skip


def old_file(path: Path, version: int) -> Path:
    """An applications file as the old store made it at this schema version."""
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_SCHEMA)
        if version >= 1:
            connection.execute("ALTER TABLE applications ADD COLUMN organisation TEXT")
        for row in ROWS:
            row = dict(row, **({"organisation": "ningdong"} if version >= 1 else {}))
            names = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            connection.execute(
                f"INSERT INTO applications ({names}) VALUES ({marks})", [*row.values()]
            )
        connection.execute("INSERT INTO attempts VALUES ('submit', 'someone', 1.0)")
        connection.execute(f"PRAGMA user_version = {version}")
    connection.close()
    return path


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    """DATABASE_URL at the code's schema, set for commands."""
    value = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    monkeypatch.setenv("PORTAL_DATABASE_URL", value)
    monkeypatch.setenv("PORTAL_DEFAULT_ORGANISATION", "lingwu-kjj")
    engine = db.make_engine(value)
    db.upgrade(engine)
    engine.dispose()
    return value


def stored(url: str) -> dict[str, dict]:
    engine = db.make_engine(url)
    with Session(engine) as session:
        records = session.scalars(select(db.ApplicationRecord)).all()
        found = {
            record.code: {
                column.key: getattr(record, column.key)
                for column in db.ApplicationRecord.__table__.columns
            }
            for record in records
        }
    engine.dispose()
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("version", "body"), [(0, "lingwu-kjj"), (1, "ningdong")])
def test_every_application_and_field_arrives_once_and_a_second_run_adds_nothing(
    tmp_path, url, version, body
):
    source = old_file(tmp_path / "applications.sqlite3", version)
    before = digest(source)
    runner = CliRunner()
    first = runner.invoke(main, ["applications", "import-sqlite", str(source)])
    assert first.exit_code == 0, first.output
    assert "3 applications, 3 added" in first.output
    found = stored(url)
    assert set(found) == {row["code"] for row in ROWS}
    for row in ROWS:
        record = found[row["code"]]
        assert record["organisation"] == body
        for name, value in row.items():
            assert str(int(record[name]) if isinstance(record[name], bool) else record[name]) == (
                str(value)
            ), (row["code"], name)
        missing = set(record) - set(row) - {"organisation"}
        assert all(record[name] in (None, False) for name in missing), row["code"]
    again = runner.invoke(main, ["applications", "import-sqlite", str(source)])
    assert again.exit_code == 0, again.output
    assert "3 applications, 0 added" in again.output and "3 already there" in again.output
    assert stored(url) == found
    assert digest(source) == before  # the old file is read, never changed


def test_the_imported_applications_read_back_as_the_old_store_read_them(tmp_path):
    source = old_file(tmp_path / "applications.sqlite3", 1)
    (answered,) = [app for app in read_legacy(source, "") if app.code == "AAAABBBBCCCC"]
    assert (answered.status, answered.name, answered.replied) == ("answered", "张三", "2024-01-10")


def test_a_file_of_an_unknown_version_or_no_file_is_refused_and_nothing_imported(tmp_path, url):
    newer = old_file(tmp_path / "newer.sqlite3", 1)
    with sqlite3.connect(newer) as connection:
        connection.execute("PRAGMA user_version = 7")
    connection.close()
    runner = CliRunner()
    result = runner.invoke(main, ["applications", "import-sqlite", str(newer)])
    assert result.exit_code == 1
    assert "schema version 7, this import reads versions 0, 1" in result.output
    missing = runner.invoke(main, ["applications", "import-sqlite", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    broken = runner.invoke(main, ["applications", "import-sqlite", str(garbage)])
    assert broken.exit_code == 1 and "Traceback" not in broken.output
    assert stored(url) == {}


def test_a_database_without_the_schema_is_refused_with_the_command_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    source = old_file(tmp_path / "applications.sqlite3", 1)
    result = CliRunner().invoke(main, ["applications", "import-sqlite", str(source)])
    assert result.exit_code == 1
    assert "run `portal db upgrade`" in result.output


def test_an_application_reads_back_from_its_record_exactly_as_it_was(tmp_path):
    for app in read_legacy(old_file(tmp_path / "applications.sqlite3", 1), ""):
        back = application_of(record_of(app))
        # Equal values of the same types: True == 1, but the pages print what they get.
        assert [(type(v), v) for v in vars(back).values()] == [
            (type(v), v) for v in vars(app).values()
        ]
