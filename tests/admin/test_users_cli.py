"""`portal users`: the first administrator and scripts manage accounts from the command line,
against DATABASE_URL and the organisations of CONTENT_DIR."""

import json
import re

import pytest
from click.testing import CliRunner

from portal.cli import main

from .conftest import sign_in


@pytest.fixture
def portal(app, monkeypatch):
    """Run `portal ...` on the app's database and content; returns (exit code, output)."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("PORTAL_CONTENT_DIR", app.config["CONTENT_DIR"])
    runner = CliRunner()

    def run(*arguments: str) -> tuple[int, str]:
        result = runner.invoke(main, list(arguments))
        return result.exit_code, result.output

    return run


def temporary_password(output: str) -> str:
    return re.search(r"temporary password (\S+)", output).group(1)


def test_the_first_administrator_is_made_from_the_command_line_and_signs_in(portal, client):
    code, output = portal("users", "add", "root", "--name", "平台管理员", "--admin")
    assert code == 0, output
    password = temporary_password(output)
    assert len(password) == 16
    assert sign_in(client, "root", password).status_code == 302
    assert client.get("/admin/").headers["Location"] == "/admin/password"


def test_roles_are_given_per_organisation_and_listed(portal):
    code, output = portal(
        "users", "add", "zhang", "--name", "张三", "--role", "lingwu-kjj:初审",
        "--role", "lingwu-kjj:drafter",
    )  # fmt: skip
    assert code == 0, output
    assert portal("users", "grant", "zhang", "final-review", "--organisation", "lingwu-kjj")[0] == 0
    code, output = portal("users", "list")
    assert "zhang  张三  [temporary password; no 2FA; must enrol 2FA]" in output
    assert "初审@lingwu-kjj" in output and "终审@lingwu-kjj" in output
    assert portal("users", "revoke", "zhang", "终审", "--organisation", "lingwu-kjj")[0] == 0
    listed = json.loads(portal("users", "list", "--json")[1])
    assert listed == [
        {
            "username": "zhang",
            "name": "张三",
            "roles": [
                {"organisation": "lingwu-kjj", "role": "初审"},
                {"organisation": "lingwu-kjj", "role": "起草"},
            ],
            "disabled": False,
            "temporary_password": True,
            "second_factor": False,
            "needs_second_factor": False,
        }
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--role", "nowhere:初审"), "unknown organisation 'nowhere'; the organisations are"),
        (("--role", "lingwu-kjj:局长"), "unknown role '局长'"),
        (("--role", "lingwu-kjj:管理员"), "held on the whole platform"),
    ],
)
def test_a_role_in_an_unknown_body_or_an_unknown_role_is_refused(portal, arguments, message):
    code, output = portal("users", "add", "li", "--name", "李四", *arguments)
    assert code == 1
    assert message in output
    assert "li " not in portal("users", "list")[1]


def test_names_are_checked_and_unique(portal):
    assert portal("users", "add", "Zhang", "--name", "张三")[0] == 0
    code, output = portal("users", "add", "zhang", "--name", "另一个张三")
    assert code == 1 and "exists already" in output
    code, output = portal("users", "add", "张三", "--name", "张三")
    assert code == 1 and "cannot be a login name" in output


def test_disable_ends_every_session_and_enable_lets_the_person_back(portal, client, staff):
    staff("zhang")
    sign_in(client, "zhang")
    assert portal("users", "disable", "zhang")[0] == 0
    assert client.get("/admin/").status_code == 302
    assert sign_in(client, "zhang").status_code == 400
    assert portal("users", "enable", "zhang")[0] == 0
    assert sign_in(client, "zhang").status_code == 302


def test_reset_gives_a_new_temporary_password_and_signs_out_everywhere(portal, client, staff):
    staff("zhang")
    sign_in(client, "zhang")
    code, output = portal("users", "reset", "zhang")
    assert code == 0
    assert client.get("/admin/").status_code == 302
    assert sign_in(client, "zhang", temporary_password(output)).status_code == 302


def test_an_unknown_account_is_one_clear_line(portal):
    code, output = portal("users", "disable", "nobody")
    assert code == 1
    assert output == "Error: no account named 'nobody'\n"
