"""The back office's database: migrations shipped in the package build the schema from nothing,
`portal db upgrade` is safe to repeat, the models and the migrations agree, and the site and
`portal users` refuse clearly, and never migrate, while the schema is behind."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from portal import db
from portal.cli import main


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    """A DATABASE_URL in a folder that does not exist yet, set for commands."""
    value = f"sqlite:///{tmp_path / 'data' / 'portal.sqlite3'}"
    monkeypatch.setenv("PORTAL_DATABASE_URL", value)
    return value


def tables(url: str) -> set[str]:
    with sqlite3.connect(db.sqlite_file(url)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


def test_upgrade_builds_the_schema_from_nothing_and_a_second_run_changes_nothing(url):
    runner = CliRunner()
    first = runner.invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"upgraded from empty to {db.head_revision()}" in first.output
    assert tables(url) == {
        "alembic_version",
        "accounts",
        "role_grants",
        "staff_sessions",
        "sign_in_failures",
        "applications",
        "rate_attempts",
        "reply_attachments",
        "case_views",
        "reviewed_versions",
        "review_actions",
    }
    second = runner.invoke(main, ["db", "upgrade"])
    assert second.exit_code == 0
    assert f"already at revision {db.head_revision()}" in second.output
    status = runner.invoke(main, ["db", "status"])
    assert status.exit_code == 0
    assert f"at {db.head_revision()}, code needs {db.head_revision()}" in status.output


def test_the_models_and_the_migrations_describe_the_same_schema(url):
    engine = db.make_engine(url, create_folder=True)
    db.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.Base.metadata) == []
    engine.dispose()


def test_the_schema_refuses_a_role_that_does_not_exist_or_an_administrator_of_one_body(url):
    engine = db.make_engine(url, create_folder=True)
    db.upgrade(engine)
    engine.dispose()
    with sqlite3.connect(db.sqlite_file(url)) as connection:
        connection.execute(
            "INSERT INTO accounts (id, username, name, password_hash, password_changed_at, "
            "session_generation, created_at) VALUES (1, 'a', 'A', 'x', '2026-01-01', 0, "
            "'2026-01-01')"
        )
        for organisation, role in (("lingwu-kjj", "局长"), ("lingwu-kjj", "管理员"), ("*", "初审")):
            with pytest.raises(sqlite3.IntegrityError):
                connection.execute(
                    "INSERT INTO role_grants (account_id, organisation, role, granted_at) "
                    "VALUES (1, ?, ?, '2026-01-01')",
                    (organisation, role),
                )


def test_the_schema_refuses_an_outcome_without_its_reply_date(url):
    engine = db.make_engine(url, create_folder=True)
    db.upgrade(engine)
    engine.dispose()
    columns = (
        "code, received, organisation, applicant_kind, form, delivery, due, calendar_known, "
        "extended, outcome, replied"
    )
    with sqlite3.connect(db.sqlite_file(url)) as connection:
        for code, outcome, replied in (("A", "granted", None), ("B", None, "2026-02-01")):
            with pytest.raises(sqlite3.IntegrityError):
                connection.execute(
                    f"INSERT INTO applications ({columns}) VALUES (?, '2026-01-05', 'x', "
                    "'person', 'paper', 'post', '2026-02-02', 1, 0, ?, ?)",
                    (code, outcome, replied),
                )


def test_status_says_when_the_database_is_behind_and_exits_non_zero(url):
    result = CliRunner().invoke(main, ["db", "status"])
    assert result.exit_code == 1
    assert "at no schema" in result.output


def test_portal_users_refuses_a_database_without_the_schema_and_names_the_command(url):
    result = CliRunner().invoke(main, ["users", "list"])
    assert result.exit_code == 1
    assert "has no tables yet: run `portal db upgrade`" in result.output
    assert not db.sqlite_file(url).exists(), "a command that only reads must create nothing"


def test_a_database_upgraded_by_newer_code_is_refused_not_touched(url):
    engine = db.make_engine(url, create_folder=True)
    db.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(db.SchemaBehind, match="9999, which this code does not know"):
        db.require_current(engine)
    engine.dispose()
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "upgraded by a newer version of portal" in result.output


def test_portal_serve_warns_when_the_back_office_cannot_work_yet(url, capsys):
    from portal.cli import _check_database

    _check_database(url)
    assert "/admin/ answers 503 until then" in capsys.readouterr().err
    engine = db.make_engine(url, create_folder=True)
    db.upgrade(engine)
    engine.dispose()
    _check_database(url)
    assert capsys.readouterr().err == ""


def test_an_unreadable_database_url_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "not a url")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: DATABASE_URL is not a database URL")
