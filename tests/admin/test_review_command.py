"""`portal review` on the command line: --by names an existing, enabled staff account holding the
stage's role in the document's body (a free name is refused, and a site without accounts is
told how to make them), 终审 and 保密审查 ask for the account's authenticator code, and the
approval goes into the same audit trail as the back office's; `portal status` lists the
documents returned to their drafters apart."""

import datetime
import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from portal import accounts, db
from portal.cli import main

from .test_review import (
    SECRET,
    TITLE,
    approve,
    as_,
    page_of,
    reviewers,
    send_back,
    write_draft,
)

CHINA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def command(app, site, monkeypatch):
    """Run `portal ...` on the test's content and database; returns the result."""
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    monkeypatch.setenv("PORTAL_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("PORTAL_DEFAULT_ORGANISATION", "lingwu-kjj")

    def run(*arguments: str, input: str | None = None):
        return CliRunner().invoke(main, list(arguments), input=input)

    return run


def recorded(database) -> list[tuple[str, str]]:
    database.expire_all()
    return [(r.username, r.stage) for r in database.scalars(select(db.ReviewAction))]


def test_by_names_an_account_holding_the_stage_in_the_body(site, staff, command, database):
    path = write_draft(site)
    staff("zhang", ("初审",))
    result = command("review", str(path), "--stage", "初审", "--by", "Zhang", "--comment", "同意")
    assert result.exit_code == 0, result.output
    assert result.output == f"{path}: 初审 zhang (Zhang)\n"
    assert 'by: "zhang"' in path.read_text(encoding="utf-8")
    assert recorded(database) == [("zhang", "初审")]


def test_a_site_without_accounts_is_told_how_to_make_them(site, command, database):
    path = write_draft(site)
    before = path.read_text(encoding="utf-8")
    result = command("review", str(path), "--stage", "初审", "--by", "张三")
    assert result.exit_code == 1
    assert "this site has no staff accounts yet" in result.output
    assert "portal users add NAME --name PERSON --role ORGANISATION:STAGE" in result.output
    assert path.read_text(encoding="utf-8") == before and recorded(database) == []


def test_a_name_that_is_no_account_a_disabled_account_or_one_without_the_role_is_refused(
    site, staff, command, database, clock
):
    path = write_draft(site)
    before = path.read_text(encoding="utf-8")
    staff("zhang", ("初审",))
    staff("li", ("复审",))
    staff("gone", ("初审",))
    accounts.set_disabled(database, "gone", True, clock())
    for by, message in (
        # What `--by` used to take: any printable name, or one with a line separator.
        ("张三", "no account named '张三': --by names a staff account"),
        ("甲\u2028复审 乙", "no account named"),
        ("li", "li does not hold 初审 in lingwu-kjj"),
        ("gone", "the account gone is disabled"),
    ):
        result = command("review", str(path), "--stage", "初审", "--by", by)
        assert result.exit_code == 1, by
        assert message in result.output, result.output
    assert path.read_text(encoding="utf-8") == before and recorded(database) == []


def test_final_review_asks_for_the_accounts_authenticator_code(
    site, staff, command, database, monkeypatch
):
    path = write_draft(site)
    for username, stage in (("first", "初审"), ("second", "复审")):
        staff(username, (stage,))
        assert command("review", str(path), "--stage", stage, "--by", username).exit_code == 0
    staff("final", ("终审",), second_factor=SECRET)
    wrong = command("review", str(path), "--stage", "终审", "--by", "final", "--code", "000000")
    assert wrong.exit_code == 1 and "not the current code of final's authenticator" in wrong.output
    code = accounts.code_at(SECRET, datetime.datetime.now(datetime.UTC))
    result = command("review", str(path), "--stage", "终审", "--by", "final", input=f"{code}\n")
    assert result.exit_code == 0, result.output
    assert "needs the current code of final's authenticator" in result.output
    assert recorded(database)[-1] == ("final", "终审")
    staff("nokey", ("保密审查",))
    unenrolled = command("review", str(path), "--stage", "保密审查", "--by", "nokey")
    assert unenrolled.exit_code == 1
    assert "保密审查 needs an authenticator: nokey must enrol one first" in unenrolled.output


def test_the_command_refuses_a_database_without_the_schema_and_names_the_command(
    site, command, tmp_path, monkeypatch
):
    path = write_draft(site)
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'none' / 'db.sqlite3'}")
    result = command("review", str(path), "--stage", "初审", "--by", "zhang")
    assert result.exit_code == 1 and "run `portal db upgrade`" in result.output


def test_status_lists_returned_documents_apart_with_why(app, site, staff, command):
    app.extensions["portal.catalogue"].interval = 0
    draft = write_draft(site)
    staff("first", ("初审",))
    staff("second", ("复审",))
    approve(as_(app, "first"), draft, "初审")
    send_back(as_(app, "second"), draft, "请补充依据。\n\x1b[31m")
    text = command("status")
    assert text.exit_code == 0, text.output
    assert "待复审: 0" in text.output and "退回修改: 1" in text.output
    assert "returned at 复审 by second on" in text.output
    # The form keeps the comment's lines and drops what could drive a terminal; the command
    # prints a line break as \n.
    assert "请补充依据。\\n[31m" in text.output and "\x1b" not in text.output
    data = json.loads(command("status", "--json").output)
    assert data["waiting"]["初审"] == [] and data["waiting"]["复审"] == []
    assert [item["title"] for item in data["returned"]] == [TITLE]
    assert data["returned"][0]["return"]["comment"] == "请补充依据。\n[31m"
    assert page_of(draft).endswith(data["returned"][0]["slug"])


def published_line(path) -> str:
    """The 发布日期 the file holds, as written."""
    found = re.search(r"^published: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return found.group(1) if found else ""


def test_the_last_approval_writes_the_day_and_time_on_the_command_line_as_in_the_back_office(
    app, site, staff, command, client, clock
):
    app.extensions["portal.catalogue"].interval = 0
    reviewers(staff)
    # In the back office, at the app's clock (2026-12-01 01:00 UTC, 09:00 in China) plus the
    # minute the second sign-in with an authenticator waits.
    desk = write_draft(site, "后台审核发布的通知")
    assert approve(as_(app, "first"), desk, "初审").status_code == 302
    assert approve(as_(app, "second"), desk, "复审").status_code == 302
    final = as_(app, "final", second_factor=True)
    clock.advance(minutes=1)
    secrecy = as_(app, "secrecy", second_factor=True)
    assert approve(final, desk, "终审").status_code == 302
    assert approve(secrecy, desk, "保密审查").status_code == 302
    assert published_line(desk) == "2026-12-01 09:01"
    # On the command line, now: the same stamp, the day and the time to the minute.
    path = write_draft(site, "命令行审核发布的通知")
    before = datetime.datetime.now(CHINA).replace(second=0, microsecond=0)
    for username, stage in (("first", "初审"), ("second", "复审")):
        assert command("review", str(path), "--stage", stage, "--by", username).exit_code == 0
    for username, stage in (("final", "终审"), ("secrecy", "保密审查")):
        code = accounts.code_at(SECRET, datetime.datetime.now(datetime.UTC))
        result = command("review", str(path), "--stage", stage, "--by", username, "--code", code)
        assert result.exit_code == 0, result.output
    after = datetime.datetime.now(CHINA)
    assert result.output.endswith("; published\n")
    written = published_line(path)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", written), written
    moment = datetime.datetime.strptime(written, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)
    assert before <= moment <= after
    # 发布日期 as inspectors read it, on both pages.
    for document, shown in ((desk, "2026-12-01 09:01"), (path, written)):
        page = client.get(f"/documents/{document.stem}/").get_data(as_text=True)
        assert shown in page, document
