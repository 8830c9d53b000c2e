"""Accounts in the back office: the platform administrator lists, adds, disables, enables and
resets accounts and grants and revokes roles per body, in the browser, by the rules `portal
users` obeys; nobody else opens any of it; every change is logged and a temporary password is
shown once and logged nowhere."""

import logging
import re

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import audit_page, chinese_outside_chinese

from portal import accounts
from portal.cli import main

from .conftest import ORGANISATION, csrf_token, enter_code, post, sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OTHER_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
LIST = "/admin/accounts/"
NEW = "/admin/accounts/new"


@pytest.fixture
def administrator(client, staff, clock):
    """The test client, signed in as `root`, a platform administrator with an authenticator."""
    staff("root", ("管理员",), second_factor=SECRET)
    sign_in(client, "root")
    assert enter_code(client, SECRET, clock()).status_code == 302
    return client


def found(database, username: str) -> accounts.StaffMember | None:
    """The account as the database holds it now (the read's transaction ended: SQLite's
    transactions hold the write lock from their start)."""
    database.expire_all()
    member = accounts.find_account(database, username)
    database.commit()
    return member


def usernames(database) -> list[str]:
    listed = [member.username for member in accounts.list_accounts(database)]
    database.commit()
    return listed


def temporary_password(html: str) -> str:
    found = re.search(r'<code id="temporary-password">([^<]+)</code>', html)
    assert found, "no temporary password on the page"
    return found.group(1)


def summary(html: str) -> list[tuple[str, str]]:
    """The error summary's (link target, text) pairs."""
    soup = BeautifulSoup(html, "html5lib")
    box = soup.select_one(".error-summary")
    assert box is not None, "no error summary"
    return [(a["href"], a.get_text(strip=True)) for a in box.select("a")]


def add(client, username="zhang", name="张三", roles=("初审",), path=NEW, **extra):
    data = {
        "name": name,
        "username": username,
        "organisation": ORGANISATION,
        "roles": list(roles),  # a tuple would be a file to the test client
    }
    return post(client, path, **{**data, **extra})


def test_the_list_shows_each_account_its_roles_by_body_and_its_state(
    administrator, staff, page, database, clock
):
    staff("zhang", ("初审", "起草"))
    staff("li", ("终审",), second_factor=OTHER_SECRET)
    staff("wang", ("申请办理",), temporary=True)
    accounts.set_disabled(database, "li", True, clock())
    soup = page(LIST)
    rows = {
        row.select_one("td").get_text(strip=True): [
            cell.get_text(" ", strip=True) for cell in row.select("th, td")
        ]
        for row in soup.select("table.admin-accounts tbody tr")
    }
    assert set(rows) == {"root", "zhang", "li", "wang"}
    assert rows["zhang"][0] == "Zhang"
    assert rows["zhang"][2] == "政府信息公开平台（演示站）：初审、起草"
    assert rows["root"][2] == "整个平台：管理员"
    assert rows["root"][3] == "已启用" and rows["zhang"][3] == "未启用"
    assert rows["li"][5] == "已停用" and rows["zhang"][5] == "正常"
    assert rows["wang"][4].startswith("待本人修改（有效至 2026-12-04 09:00")
    assert rows["zhang"][4] == "无"
    link = soup.select_one("table.admin-accounts a[href='/admin/accounts/zhang/']")
    assert link.get_text(strip=True) == "Zhang"


def test_the_list_is_filtered_by_body_and_role(administrator, staff, page):
    staff("zhang", ("初审",))
    staff("li", ("起草",))

    def listed(query):
        soup = page(LIST + query)
        return [row.select_one("td").get_text() for row in soup.select("tbody tr")]

    assert listed("?role=初审") == ["zhang"]
    assert listed(f"?organisation={ORGANISATION}") == ["li", "zhang"]
    assert listed(f"?organisation={ORGANISATION}&role=管理员") == []
    assert listed("?role=管理员") == ["root"]
    assert "没有符合筛选条件的账号" in page("?".join((LIST, "role=终审"))).get_text()


@pytest.mark.parametrize(
    ("query", "message"),
    [("?role=局长", "没有这个角色"), ("?organisation=nowhere", "没有这个单位")],
)
def test_an_unknown_filter_is_a_clear_400(administrator, page, query, message):
    assert message in page(LIST + query, status=400).get_text()


def test_adding_an_account_shows_its_temporary_password_once_and_it_signs_in(
    app, administrator, page, caplog
):
    page(NEW)
    with caplog.at_level(logging.DEBUG):
        answer = add(administrator, roles=("初审", "起草"))
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    audit_page(html)
    password = temporary_password(html)
    assert len(password) == 16
    assert "有效期至 2026-12-04 09:00（北京时间），即 3 天内有效" in html
    assert "只显示这一次" in html
    assert answer.headers["Cache-Control"] == "no-store"
    # Logged: who added whom with which roles; the password in no line, nor in the cookie.
    lines = [record.getMessage() for record in caplog.records]
    assert "account 'zhang' added by 'root' with roles 初审@lingwu-kjj, 起草@lingwu-kjj" in lines
    assert not [line for line in lines if password in line]
    assert password not in (answer.headers.get("Set-Cookie") or "")
    # Shown once: the account's page and the list never show it again.
    assert password not in administrator.get("/admin/accounts/zhang/").get_data(as_text=True)
    assert password not in administrator.get(LIST).get_data(as_text=True)
    newcomer = app.test_client()
    assert sign_in(newcomer, "zhang", password).headers["Location"] == "/admin/"
    assert newcomer.get("/admin/").headers["Location"] == "/admin/password"


def test_an_administrator_added_in_the_browser_must_enrol_an_authenticator(
    app, administrator, database
):
    answer = add(administrator, username="chief", roles=(), administrator="y")
    html = answer.get_data(as_text=True)
    assert "其角色还要求启用两步验证" in html
    chief = found(database, "chief")
    assert chief.is_administrator and chief.roles == (("*", "管理员"),)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "root"}, "username", "账号名 root 已被使用"),
        ({"username": "ROOT "}, "username", "账号名 root 已被使用"),
        ({"username": "张三"}, "username", "账号名须为 2 至 64 个字符"),
        ({"username": "a"}, "username", "账号名须为 2 至 64 个字符"),
        ({"organisation": "nowhere"}, "organisation", "没有编号为“nowhere”的单位"),
        ({"organisation": ""}, "organisation", "请选择要授予这些角色的单位"),
        ({"roles": ["局长"]}, "roles", "没有“局长”这个角色"),
        ({"roles": ["管理员"]}, "roles", "管理员是整个平台的角色"),
        ({"name": " "}, "name", "请填写姓名"),
        ({"name": "张\u202e三"}, "name", "不能含控制字符或不可见字符"),
    ],
)
def test_a_refused_account_is_a_clear_400_with_the_error_summary(
    administrator, database, caplog, data, field, message
):
    with caplog.at_level(logging.WARNING):
        answer = add(administrator, **data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    soup = audit_page(html)
    [(target, text)] = summary(html)
    assert target == f"#field-{field}" and message in text
    assert soup.select_one(f"#field-{field}") is not None
    assert usernames(database) == ["root"]
    assert any("adding of account" in r.getMessage() for r in caplog.records)


def test_the_form_keeps_what_was_typed_when_it_is_refused(administrator):
    html = add(administrator, username="root", name="张三", roles=("复审",)).get_data(as_text=True)
    soup = BeautifulSoup(html, "html5lib")
    assert soup.select_one("#field-name")["value"] == "张三"
    assert soup.select_one("#field-username")["value"] == "root"
    checked = [box["value"] for box in soup.select("input[name=roles][checked]")]
    assert checked == ["复审"]


def test_the_account_page_names_its_state_and_roles(administrator, staff, page):
    staff("zhang", ("初审",))
    soup = page("/admin/accounts/zhang/")
    assert soup.h1.get_text() == "账号：Zhang"
    assert "政府信息公开平台（演示站）" in soup.select_one("#field-roles").get_text()
    assert soup.select_one("#field-status").get_text(strip=True) == "停用账号"
    page("/admin/accounts/nobody/", status=404)


def test_an_account_named_like_a_page_of_the_list_has_its_own_page(administrator, staff, page):
    staff("new", ("起草",))
    assert page("/admin/accounts/new/").h1.get_text() == "账号：New"
    assert page(NEW).h1.get_text() == "添加账号"
    assert page(LIST).select_one("a[href='/admin/accounts/new/']").get_text() == "New"


def test_disabling_an_account_signs_it_out_at_once_and_enabling_lets_it_back(
    app, administrator, staff, caplog
):
    staff("zhang", ("初审",))
    other = app.test_client()
    sign_in(other, "zhang")
    assert other.get("/admin/").status_code == 200
    with caplog.at_level(logging.INFO):
        answer = post(administrator, "/admin/accounts/zhang/disable", "/admin/accounts/zhang/")
    assert answer.headers["Location"] == "/admin/accounts/zhang/"
    assert "已停用账号 zhang" in administrator.get("/admin/accounts/zhang/").get_data(as_text=True)
    assert "account 'zhang' disabled by 'root'" in [r.getMessage() for r in caplog.records]
    signed_out = other.get("/admin/")
    assert signed_out.headers["Location"].startswith("/admin/sign-in")
    assert sign_in(other, "zhang").status_code == 400
    post(administrator, "/admin/accounts/zhang/enable", "/admin/accounts/zhang/")
    assert sign_in(other, "zhang").status_code == 302


def test_a_reset_shows_a_new_password_once_ends_every_session_and_may_clear_the_authenticator(
    app, administrator, staff, clock, database, caplog
):
    staff("chief", ("终审",), second_factor=OTHER_SECRET)
    other = app.test_client()
    sign_in(other, "chief")
    enter_code(other, OTHER_SECRET, clock())
    assert other.get("/admin/").status_code == 200
    with caplog.at_level(logging.DEBUG):
        answer = post(
            administrator,
            "/admin/accounts/chief/reset",
            "/admin/accounts/chief/",
            second_factor="y",
        )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    audit_page(html)
    password = temporary_password(html)
    assert "该账号在各处的登录都已退出" in html
    assert not [r for r in caplog.records if password in r.getMessage()]
    assert "account 'chief' reset by 'root' (authenticator cleared)" in [
        r.getMessage() for r in caplog.records
    ]
    assert other.get("/admin/").headers["Location"].startswith("/admin/sign-in")
    assert not found(database, "chief").second_factor
    assert sign_in(other, "chief", password).status_code == 302  # no code step: enrols anew


def test_roles_are_granted_and_revoked_per_body(administrator, staff, database, caplog):
    staff("zhang", ("起草",))
    page_path = "/admin/accounts/zhang/"
    with caplog.at_level(logging.INFO):
        answer = post(
            administrator,
            "/admin/accounts/zhang/roles",
            page_path,
            organisation=ORGANISATION,
            role="复审",
        )
        assert answer.status_code == 302
        assert found(database, "zhang").holds("复审", ORGANISATION)
        answer = post(
            administrator,
            "/admin/accounts/zhang/roles/revoke",
            page_path,
            organisation=ORGANISATION,
            role="起草",
        )
        assert answer.status_code == 302
    assert found(database, "zhang").roles == ((ORGANISATION, "复审"),)
    lines = [r.getMessage() for r in caplog.records]
    assert "account 'zhang' granted 复审@lingwu-kjj by 'root'" in lines
    assert "account 'zhang' lost 起草@lingwu-kjj, revoked by 'root'" in lines


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"organisation": "nowhere", "role": "初审"}, "organisation", "没有编号为“nowhere”的单位"),
        ({"organisation": ORGANISATION, "role": ""}, "role", "请选择角色"),
        ({"organisation": ORGANISATION, "role": "局长"}, "role", "没有“局长”这个角色"),
    ],
)
def test_a_refused_grant_comes_back_with_the_error_summary(
    administrator, staff, data, field, message
):
    staff("zhang", ("起草",))
    answer = post(administrator, "/admin/accounts/zhang/roles", "/admin/accounts/zhang/", **data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    audit_page(html)
    [(target, text)] = summary(html)
    assert target == f"#field-{field}" and message in text


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("disable", {}, "status", "不能停用自己的账号"),
        ("reset", {}, "reset", "不能重置自己的账号"),
        ("roles/revoke", {"role": "管理员"}, "roles", "不能撤销自己的管理员角色"),
    ],
)
def test_an_administrator_cannot_disable_reset_or_demote_their_own_account(
    administrator, database, action, data, field, message
):
    answer = post(administrator, f"/admin/accounts/root/{action}", "/admin/accounts/root/", **data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    audit_page(html)
    [(target, text)] = summary(html)
    assert target == f"#field-{field}" and message in text
    root = found(database, "root")
    assert root.is_administrator and not root.disabled and root.temporary_until is None
    assert administrator.get("/admin/accounts/").status_code == 200


def test_another_administrator_may_be_disabled_and_demoted(administrator, staff, database):
    staff("deputy", ("管理员",), second_factor=OTHER_SECRET)
    path = "/admin/accounts/deputy/"
    post(administrator, path + "roles/revoke", path, organisation="", role="管理员")
    assert not found(database, "deputy").is_administrator
    post(administrator, path + "roles", path, organisation="", role="管理员")
    post(administrator, path + "disable", path)
    assert found(database, "deputy").disabled


def test_the_last_enabled_administrator_cannot_be_disabled_or_demoted(staff, database, clock):
    staff("root", ("管理员",))
    staff("deputy", ("管理员",))
    accounts.set_disabled(database, "deputy", True, clock())
    for attempt in (
        lambda: accounts.set_disabled(database, "root", True, clock()),
        lambda: accounts.revoke_role(database, "root", "管理员", ""),
    ):
        with pytest.raises(accounts.AccountError) as refused:
            attempt()
        assert refused.value.reason == accounts.LAST_ADMINISTRATOR
    database.expire_all()
    assert found(database, "root").is_administrator
    # A disabled administrator is none to keep: it may lose the role.
    accounts.revoke_role(database, "deputy", "管理员", "")
    accounts.grant_role(database, "deputy", "管理员", "", [], clock())
    accounts.set_disabled(database, "deputy", False, clock())
    accounts.set_disabled(database, "root", True, clock())  # another is enabled now


def test_nobody_but_an_administrator_opens_any_account_page_or_action(app, client, staff, caplog):
    staff("zhang", ("初审", "复审", "起草", "申请办理"))
    sign_in(client, "zhang")
    token = csrf_token(client, "/admin/password")
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("people.")]
    assert len(rules) >= 7
    with caplog.at_level(logging.WARNING):
        for rule in rules:
            path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "zhang", rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = {"csrf_token": token, "organisation": "", "role": "管理员"}
                answer = client.open(path, method=method, data=data)
                assert answer.status_code == 403, f"{method} {path}"
                assert "没有这一角色" in answer.get_data(as_text=True)
                assert f"refused {method} {path} to 'zhang': not 管理员" in caplog.text
    assert "账号管理" not in client.get("/admin/").get_data(as_text=True)


def test_the_navigation_leads_an_administrator_to_the_accounts(administrator, page):
    link = page("/admin/").select_one("nav a[href='/admin/accounts/']")
    assert link.get_text() == "账号管理"


def test_the_pages_are_in_english_too(administrator, staff, page):
    staff("zhang", ("初审",))
    for path in ("/en/admin/accounts/", "/en/admin/accounts/new", "/en/admin/accounts/zhang/"):
        soup = page(path)
        assert chinese_outside_chinese(soup) == [], path
    soup = page("/en/admin/accounts/")
    assert soup.h1.get_text() == "Accounts"
    answer = add(administrator, username="wang", name="Wang", path="/en" + NEW)
    soup = audit_page(answer.get_data(as_text=True), "en")
    assert chinese_outside_chinese(soup) == []
    assert soup.h1.get_text() == "Account added"
    assert "Valid until 2026-12-04 09:00 (Beijing time), that is for 3 days" in soup.get_text()


def test_a_post_without_its_csrf_token_changes_nothing(administrator, staff, database):
    staff("zhang", ("初审",))
    answer = administrator.post("/admin/accounts/zhang/disable")
    assert answer.status_code == 400
    assert not found(database, "zhang").disabled


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


def test_the_command_line_keeps_the_last_enabled_administrator_too(portal, staff, database):
    staff("root", ("管理员",))
    for arguments in (("disable", "root"), ("revoke", "root", "admin")):
        code, output = portal("users", *arguments)
        assert code == 1
        assert "root is the last enabled administrator (管理员)" in output
    assert found(database, "root").is_administrator and not found(database, "root").disabled
    staff("deputy", ("管理员",))
    assert portal("users", "disable", "root")[0] == 0
    code, output = portal("users", "revoke", "deputy", "admin")
    assert code == 1 and "deputy is the last enabled administrator" in output
    assert portal("users", "enable", "root")[0] == 0
    assert portal("users", "revoke", "deputy", "admin")[0] == 0
