"""Signing in to the back office: a right password opens a session under a new cookie, wrong
ones are throttled per account and per address in the database, CSRF tokens are required, and
sessions end on sign-out, after the idle and absolute timeouts, and everywhere on a password
change."""

from .conftest import PASSWORD, csrf_token, post, sign_in

LOCKED = "登录失败次数过多"
WRONG = "账号名或密码不正确"


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("portal_admin", path="/admin")
    return cookie.value if cookie else None


def test_the_right_password_signs_in_and_the_home_page_says_who_and_which_roles(
    client, staff, page
):
    staff("zhang", ("起草", "初审"))
    response = sign_in(client, "zhang")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    soup = page("/admin/")
    assert "Zhang（zhang）" in soup.select_one(".admin-who").get_text()
    row = soup.select_one("main table tbody tr")
    # The fixture site is one body without an organisation file: named SITE_NAME.
    assert row.th.get_text(strip=True) == "政府信息公开平台（演示站）"
    assert row.td.get_text(strip=True) == "初审、起草"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, staff):
    staff("zhang")
    wrong_password = sign_in(client, "zhang", "not the password at all")
    unknown_name = sign_in(client, "nobody", PASSWORD)
    for response in (wrong_password, unknown_name):
        assert response.status_code == 400
        assert WRONG in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_brute_force_locks_the_account_and_a_right_password_then_fails_the_same_way(
    client, staff, clock
):
    staff("zhang")
    answers = [sign_in(client, "zhang", f"guess number {n}") for n in range(5)]
    assert [r.status_code for r in answers] == [400] * 5
    assert LOCKED in answers[-1].get_data(as_text=True)
    during = sign_in(client, "zhang", PASSWORD)
    assert during.status_code == 400
    assert LOCKED in during.get_data(as_text=True)
    assert "15 分钟后再试" in during.get_data(as_text=True)
    clock.advance(minutes=14)
    assert LOCKED in sign_in(client, "zhang", PASSWORD).get_data(as_text=True)
    clock.advance(minutes=1, seconds=1)
    assert sign_in(client, "zhang", PASSWORD).status_code == 302


def test_the_lock_holds_in_the_database_so_another_worker_or_a_restarted_site_keeps_it(
    app, staff, another_app
):
    staff("zhang")
    first = app.test_client()
    for n in range(5):
        sign_in(first, "zhang", f"guess number {n}")
    restarted = another_app()
    response = sign_in(restarted.test_client(), "zhang", PASSWORD)
    assert LOCKED in response.get_data(as_text=True)


def test_one_address_trying_many_names_is_locked_and_other_addresses_are_not(client, staff):
    staff("zhang")
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(20):
        sign_in(client, f"name{n}", "some guess here", **attacker)
    assert LOCKED in sign_in(client, "zhang", PASSWORD, **attacker).get_data(as_text=True)
    assert sign_in(client, "zhang", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_an_ipv6_attacker_cannot_escape_the_address_lock_by_changing_addresses_in_its_64(
    client, staff
):
    staff("zhang")
    for n in range(20):
        sign_in(client, f"name{n}", "some guess here", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
    response = sign_in(client, "zhang", PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert LOCKED in response.get_data(as_text=True)


def test_the_address_counted_is_the_one_the_trusted_proxy_saw(staff, another_app):
    staff("zhang")
    proxied = another_app(PROXY_COUNT=1)
    client = proxied.test_client()
    for n in range(20):
        sign_in(client, f"name{n}", "guess", HTTP_X_FORWARDED_FOR="203.0.113.9")
    locked = sign_in(client, "zhang", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert LOCKED in locked.get_data(as_text=True)
    # The proxy's own address is not what was locked: another visitor behind it signs in.
    other = sign_in(client, "zhang", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302


def test_a_post_without_its_csrf_token_is_refused(client, staff):
    staff("zhang")
    client.get("/admin/sign-in")
    response = client.post("/admin/sign-in", data={"username": "zhang", "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_a_token_from_another_browser_session_is_refused(app, client, staff):
    staff("zhang")
    other = app.test_client()
    token = csrf_token(other, "/admin/sign-in")
    client.get("/admin/sign-in")
    response = client.post(
        "/admin/sign-in", data={"csrf_token": token, "username": "zhang", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_signed_in_forms_need_the_token_too(client, staff):
    staff("zhang")
    sign_in(client, "zhang")
    assert client.post("/admin/sign-out").status_code == 400
    assert client.get("/admin/").status_code == 200


def test_signing_in_gives_a_new_session_cookie_so_a_planted_one_is_worth_nothing(
    app, client, staff
):
    staff("zhang")
    csrf_token(client, "/admin/sign-in")
    planted = session_cookie(client)
    assert planted
    sign_in(client, "zhang")
    assert session_cookie(client) not in (None, planted)
    attacker = app.test_client()
    attacker.set_cookie("portal_admin", planted, path="/admin")
    assert attacker.get("/admin/").status_code == 302


def test_sign_out_ends_the_session_on_the_server_and_a_copied_cookie_no_longer_opens_it(
    app, client, staff
):
    staff("zhang")
    sign_in(client, "zhang")
    copied = session_cookie(client)
    response = post(client, "/admin/sign-out", form_page="/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/sign-in"
    thief = app.test_client()
    thief.set_cookie("portal_admin", copied, path="/admin")
    assert thief.get("/admin/").status_code == 302


def test_an_idle_session_ends_after_the_idle_timeout(client, staff, clock):
    staff("zhang")
    sign_in(client, "zhang")
    clock.advance(minutes=29)
    assert client.get("/admin/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/admin/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")
    assert "您的登录已结束" in client.get("/admin/sign-in").get_data(as_text=True)


def test_a_busy_session_still_ends_after_the_absolute_timeout(client, staff, clock):
    staff("zhang")
    sign_in(client, "zhang")
    for _ in range(24):  # 11 hours 36 minutes, never idle for long
        clock.advance(minutes=29)
        assert client.get("/admin/").status_code == 200
    clock.advance(minutes=25)  # 12 hours and a minute since signing in
    assert client.get("/admin/").status_code == 302


def test_changing_the_password_signs_out_every_other_session(app, client, staff):
    staff("zhang")
    elsewhere = app.test_client()
    sign_in(elsewhere, "zhang")
    sign_in(client, "zhang")
    new = "a much longer passphrase now"
    response = post(client, "/admin/password", current=PASSWORD, new=new, confirm=new)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
    assert sign_in(app.test_client(), "zhang", PASSWORD).status_code == 400
    assert sign_in(app.test_client(), "zhang", new).status_code == 302


def test_a_weak_new_password_is_refused_with_the_reason_at_the_field(client, staff, page):
    staff("zhang")
    sign_in(client, "zhang")
    cases = {
        "short": "至少需要 12 个字符",
        "password1234": "常见密码",
        "zhang-is-my-name": "不能包含您的账号名",
        PASSWORD: "不能与当前密码相同",
    }
    for new, reason in cases.items():
        response = post(client, "/admin/password", current=PASSWORD, new=new, confirm=new)
        assert response.status_code == 400
        assert reason in response.get_data(as_text=True)
    response = post(
        client, "/admin/password", current=PASSWORD, new="one long passphrase", confirm="two"
    )
    assert "两次输入的新密码不一致" in response.get_data(as_text=True)


def test_a_temporary_password_must_be_replaced_before_anything_else(client, staff):
    temporary = staff("zhang", ("起草",), temporary=True)
    assert sign_in(client, "zhang", temporary).status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/password"
    assert "临时密码" in client.get("/admin/password").get_data(as_text=True)
    new = "my own long passphrase"
    post(client, "/admin/password", current=temporary, new=new, confirm=new)
    assert client.get("/admin/").status_code == 200


def test_a_temporary_password_expires_after_three_days(client, staff, clock):
    temporary = staff("zhang", temporary=True)
    clock.advance(days=3)
    response = sign_in(client, "zhang", temporary)
    assert response.status_code == 400
    assert "临时密码已过期" in response.get_data(as_text=True)


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(app, client, staff, database):
    from portal import accounts

    staff("zhang")
    sign_in(client, "zhang")
    accounts.set_disabled(database, "zhang", True, app.extensions["portal.clock"]())
    assert client.get("/admin/").status_code == 302
    assert "该账号已停用" in sign_in(client, "zhang").get_data(as_text=True)


def test_after_signing_in_the_page_asked_for_is_shown_and_other_sites_are_not(client, staff):
    staff("zhang")
    asked = client.get("/admin/password")
    assert asked.headers["Location"] == "/admin/sign-in?next=/admin/password"
    token = csrf_token(client, "/admin/sign-in?next=/admin/password")
    for target, expected in (
        ("/admin/password", "/admin/password"),
        ("https://evil.example/admin/", "/admin/"),
        ("//evil.example/admin/", "/admin/"),
        ("/documents/x/", "/admin/"),
        ("/admin/../documents/x/", "/admin/"),
    ):
        client.delete_cookie("portal_admin", path="/admin")
        token = csrf_token(client, "/admin/sign-in")
        response = client.post(
            "/admin/sign-in",
            data={"csrf_token": token, "username": "zhang", "password": PASSWORD, "next": target},
        )
        assert response.headers["Location"] == expected, target
