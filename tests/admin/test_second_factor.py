"""The second factor: administrators, 终审 and 保密审查 cannot use the back office until they
enrol an authenticator, anyone else may; once enrolled, every sign-in asks for its code, a
wrong code counts as a failed sign-in and a code is never accepted twice."""

import datetime
import re

from portal import accounts

from .conftest import csrf_token, enter_code, post, sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrolment_secret(client) -> str:
    html = client.get("/admin/second-factor").get_data(as_text=True)
    return re.search(r'class="admin-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def test_the_roles_that_publish_or_clear_secrecy_or_administer_must_enrol_first(client, staff):
    for username, roles in (
        ("chief", ("终审",)),
        ("secrecy", ("保密审查",)),
        ("root", ("管理员",)),
    ):
        staff(username, roles)
        client.delete_cookie("portal_admin", path="/admin")
        sign_in(client, username)
        response = client.get("/admin/")
        assert response.status_code == 302, username
        assert response.headers["Location"] == "/admin/second-factor"
        assert "必须启用两步验证" in client.get("/admin/second-factor").get_data(as_text=True)


def test_other_roles_may_use_the_back_office_without_one(client, staff):
    staff("drafter", ("起草", "初审", "申请办理"))
    sign_in(client, "drafter")
    assert client.get("/admin/").status_code == 200


def test_enrolling_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(client, staff, clock):
    staff("chief", ("终审",))
    sign_in(client, "chief")
    secret = enrolment_secret(client)
    qr = client.get("/admin/second-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    wrong = post(client, "/admin/second-factor", code="000000")
    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.get_data(as_text=True)
    right = post(client, "/admin/second-factor", code=accounts.code_at(secret, clock()))
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/second-factor/qr.svg").status_code == 404


def test_the_qr_code_holds_the_otpauth_address_of_the_key_shown(app, client, staff):
    import io

    import zxingcpp
    from PIL import Image

    from portal.qr import qr_png, qr_svg

    staff("chief", ("终审",))
    sign_in(client, "chief")
    secret = enrolment_secret(client)
    uri = accounts.provisioning_uri(secret, "chief", app.config["SITE_NAME"])
    assert client.get("/admin/second-factor/qr.svg").get_data(as_text=True) == qr_svg(uri)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(uri))))[0].text
    assert decoded.startswith("otpauth://totp/") and f"secret={secret}" in decoded
    assert "chief" in decoded


def test_once_enrolled_signing_in_asks_for_the_code_and_the_password_alone_opens_nothing(
    client, staff, clock
):
    staff("chief", ("终审",), second_factor=SECRET)
    response = sign_in(client, "chief")
    assert response.headers["Location"] == "/admin/sign-in/code"
    assert client.get("/admin/").status_code == 302
    answer = enter_code(client, SECRET, clock())
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_cookie_of_the_half_open_session_opens_nothing_after_the_code(
    app, client, staff, clock
):
    staff("chief", ("终审",), second_factor=SECRET)
    sign_in(client, "chief")
    half_open = client.get_cookie("portal_admin", path="/admin").value
    enter_code(client, SECRET, clock())
    assert client.get_cookie("portal_admin", path="/admin").value != half_open
    copied = app.test_client()
    copied.set_cookie("portal_admin", half_open, path="/admin")
    assert copied.get("/admin/").status_code == 302
    assert copied.get("/admin/sign-in/code").status_code == 200  # the step itself, no more
    token = csrf_token(copied, "/admin/sign-in/code")
    clock.advance(seconds=30)
    code = accounts.code_at(SECRET, clock())
    answer = copied.post("/admin/sign-in/code", data={"csrf_token": token, "code": code})
    assert answer.headers["Location"] == "/admin/sign-in", "the half-open session is gone"


def test_a_code_is_never_accepted_twice(app, client, staff, clock):
    staff("chief", ("终审",), second_factor=SECRET)
    sign_in(client, "chief")
    enter_code(client, SECRET, clock())
    replay = app.test_client()
    sign_in(replay, "chief")
    answer = enter_code(replay, SECRET, clock())
    assert answer.status_code == 400
    assert "已经用过" in answer.get_data(as_text=True)
    clock.advance(seconds=30)
    assert enter_code(replay, SECRET, clock()).status_code == 302


def test_wrong_codes_count_as_failed_sign_ins_and_lock_the_account(client, staff, clock):
    staff("chief", ("终审",), second_factor=SECRET)
    sign_in(client, "chief")
    token = csrf_token(client, "/admin/sign-in/code")
    for _ in range(5):
        answer = client.post("/admin/sign-in/code", data={"csrf_token": token, "code": "123456"})
    assert "登录失败次数过多" in answer.get_data(as_text=True)
    assert "登录失败次数过多" in enter_code(client, SECRET, clock()).get_data(as_text=True)


def test_the_code_step_times_out(client, staff, clock):
    staff("chief", ("终审",), second_factor=SECRET)
    sign_in(client, "chief")
    token = csrf_token(client, "/admin/sign-in/code")
    clock.advance(minutes=5, seconds=1)
    code = accounts.code_at(SECRET, clock())
    answer = client.post("/admin/sign-in/code", data={"csrf_token": token, "code": code})
    assert answer.headers["Location"] == "/admin/sign-in"
    assert "验证步骤已超时" in client.get("/admin/sign-in").get_data(as_text=True)


def test_the_code_page_without_a_right_password_first_leads_back_to_sign_in(client, staff):
    assert client.get("/admin/sign-in/code").headers["Location"] == "/admin/sign-in"


def test_a_code_typed_with_spaces_or_full_width_digits_is_read(client, staff, clock):
    staff("chief", ("终审",), second_factor=SECRET)
    sign_in(client, "chief")
    code = accounts.code_at(SECRET, clock())
    typed = " ".join([code[:3], code[3:]]).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    token = csrf_token(client, "/admin/sign-in/code")
    answer = client.post("/admin/sign-in/code", data={"csrf_token": token, "code": typed})
    assert answer.status_code == 302


def test_a_reset_with_second_factor_lets_a_person_who_lost_the_phone_enrol_again(
    client, staff, database, clock
):
    staff("chief", ("终审",), second_factor=SECRET)
    _member, temporary = accounts.reset_account(database, "chief", clock(), second_factor=True)
    response = sign_in(client, "chief", temporary)
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").headers["Location"] == "/admin/password"


def test_the_time_step_either_side_is_accepted_for_a_drifting_phone_clock(client, staff, clock):
    staff("chief", ("终审",), second_factor=SECRET)
    sign_in(client, "chief")
    earlier = clock() - datetime.timedelta(seconds=30)
    assert enter_code(client, SECRET, earlier).status_code == 302
