"""The applications desk (/admin/applications): the 申请办理 staff of a body list and open the
applications made to it, step through 补正, a third party's consultation and the extension,
and record the reply that table 3 counts; nobody else sees an applicant's personal data, and
every opening of a case, let in or refused, is recorded and shown to the body's staff."""

import datetime
import io
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import audit_page
from county import APPLICATION_BODIES, add_bodies, copy_site
from test_applications import PERSON_ID, person_form
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal import accounts, applications, db
from portal.cli import main
from portal.reports import parse_report

from .conftest import ORGANISATION, PASSWORD, csrf_token, post, sign_in

DESK = "/admin/applications/"
OTHER = "ningdong"
# The app's clock stands at 2026-12-01 09:00 in China (conftest.START).
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def site(tmp_path) -> Path:
    """The county's copy of the fixture site: the bureau, a town and the government office."""
    return add_bodies(copy_site(tmp_path / "content"), *APPLICATION_BODIES)


@pytest.fixture
def store(app):
    """The applications of the app's database, as a staff command opens them."""
    engine = db.make_engine(app.config["DATABASE_URL"])
    yield applications.ApplicationStore(engine)
    engine.dispose()


@pytest.fixture
def received(store):
    """Store an application to a body received on a day: received(day, organisation, **form)."""

    def make(day: datetime.date, organisation: str = ORGANISATION, **changes):
        cleaned, errors = applications.validate(
            person_form(organisation=organisation, **changes), APPLICATION_BODIES
        )
        assert errors == {}
        return store.submit(cleaned, day)

    return make


@pytest.fixture
def member(database, clock):
    """An account holding (role, organisation) pairs, with PASSWORD: member("li", ("申请办理",
    "ningdong"))."""

    def make(username: str, *roles: tuple[str, str]):
        accounts.add_account(
            database, username, username.title(), roles, APPLICATION_BODIES, clock()
        )
        account = database.query(db.Account).filter_by(username=username).one()
        account.password_hash = accounts.hash_password(PASSWORD)
        account.temporary_until = None
        database.commit()

    return make


@pytest.fixture
def clerk(client, member):
    """The bureau's 申请办理 clerk, signed in."""
    member("wang", ("申请办理", ORGANISATION))
    assert sign_in(client, "wang").status_code == 302
    return client


def case_path(app) -> str:
    return f"{DESK}{app.code}"


def step(client, app, name: str, **fields):
    return post(client, f"{case_path(app)}/handle", case_path(app), step=name, **fields)


# --- The list -----------------------------------------------------------------------------


def test_the_list_shows_the_bodys_applications_overdue_and_soonest_due_first(clerk, page, received):
    later = received(datetime.date(2026, 11, 30), title="后收到的")
    overdue = received(datetime.date(2026, 10, 8), title="已超期的")
    answered = received(datetime.date(2026, 10, 9), title="已答复的")
    received(datetime.date(2026, 11, 2), OTHER, title="别的机关的")
    assert (
        post(
            clerk,
            f"{case_path(answered)}/reply",
            outcome="granted",
            replied="2026-11-03",
            text="公开",
        ).status_code
        == 302
    )
    soup = page(DESK)
    rows = soup.select("table.desk-table tbody tr")
    assert [row.th.get_text() for row in rows] == [
        applications.format_code(app.code) for app in (overdue, later, answered)
    ]
    cells = [cell.get_text(" ", strip=True) for cell in rows[0].find_all("td")]
    assert "已超期" in cells[-1] and "个工作日" in cells[-1]
    assert "已于 2026-11-03 答复" in rows[2].get_text()
    assert "别的机关的" not in soup.get_text()
    assert rows[0].a["href"] == case_path(overdue)
    english = page("/en" + DESK)
    assert "overdue" in english.select_one("table.desk-table tbody tr").get_text()


def test_the_list_filters_by_status_received_dates_and_text(clerk, page, received):
    first = received(datetime.date(2026, 10, 8), title="科技项目资金")
    second = received(datetime.date(2026, 11, 2), title="人才引进")
    step(clerk, second, "consultation", consultation_date="2026-11-05")

    def shown(query: str) -> list[str]:
        return [row.th.get_text() for row in page(DESK + query).select("table tbody tr")]

    assert shown("?status=consultation") == [applications.format_code(second.code)]
    assert shown("?from=2026-10-01&to=2026-10-31") == [applications.format_code(first.code)]
    assert shown("?q=人才") == [applications.format_code(second.code)]
    assert shown(f"?q={applications.format_code(first.code).lower()}") == [
        applications.format_code(first.code)
    ]
    bad = page(DESK + "?from=2026-13-01&to=yesterday&status=lost", status=400)
    links = [a["href"] for a in bad.select(".error-summary a")]
    assert links == ["#field-status", "#field-from", "#field-to"]


# --- Who may see a case ---------------------------------------------------------------------


def test_a_case_shows_the_request_and_the_applicant_and_records_every_view(
    clerk, page, received, member
):
    app = received(datetime.date(2026, 11, 2), title="某某文件")
    soup = page(case_path(app))
    text = soup.get_text(" ", strip=True)
    assert soup.h1.get_text() == f"申请 {applications.format_code(app.code)}"
    assert PERSON_ID in text and "138 0000 1234" in text and "张三" in text
    assert "某某文件" in text and "2026-11-02" in text
    page(case_path(app))
    views = page("/en" + case_path(app)).select("#views-caption ~ tbody tr")
    assert len(views) == 3
    assert all("Wang（wang）" in row.get_text() for row in views)


def test_staff_of_another_body_get_a_logged_403_that_the_bodys_staff_see(
    app, client, received, member, caplog, store
):
    mine = received(datetime.date(2026, 11, 2))
    member("li", ("申请办理", OTHER))
    sign_in(client, "li")
    caplog.set_level(logging.WARNING, "portal.admin.access")
    assert client.get(DESK).status_code == 200  # their own body's list
    for path in (case_path(mine), f"{case_path(mine)}/reply", f"{case_path(mine)}/attachments/1"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert PERSON_ID not in response.get_data(as_text=True)
    token = csrf_token(client, DESK)
    refused = client.post(f"{case_path(mine)}/handle", data={"csrf_token": token, "step": "extend"})
    assert refused.status_code == 403
    assert store.get(mine.code).extended == 0
    assert sum("'li': not 申请办理 of 'lingwu-kjj'" in r.getMessage() for r in caplog.records) == 4
    assert [view.allowed for view in store.views(mine.code)] == [False] * 4
    other = app.test_client()
    member("wang", ("申请办理", ORGANISATION))
    sign_in(other, "wang")
    shown = other.get(case_path(mine)).get_data(as_text=True)
    assert shown.count("被拒绝：无权查看") == 4 and "Li（li）" in shown


@pytest.mark.parametrize(
    "roles",
    [(("初审", ORGANISATION),), (("起草", ORGANISATION), ("复审", ORGANISATION))],
)
def test_other_roles_of_the_same_body_get_403(client, received, member, roles):
    app = received(datetime.date(2026, 11, 2))
    member("zhao", *roles)
    sign_in(client, "zhao")
    assert client.get(DESK).status_code == 403
    response = client.get(case_path(app))
    assert response.status_code == 403
    assert PERSON_ID not in response.get_data(as_text=True)


def test_an_unknown_code_is_a_404_page(clerk, page):
    page(DESK + "ABCDEFGHJKMN", status=404)


# --- The deadline ---------------------------------------------------------------------------


def test_the_days_a_third_party_is_consulted_move_the_deadline(clerk, page, received, store):
    app = received(datetime.date(2024, 9, 27))
    assert app.due == "2024-10-30"
    assert step(clerk, app, "consultation", consultation_date="2024-10-08").status_code == 302
    waiting = store.get(app.code)
    assert waiting.status == "consultation" and waiting.due == "2024-10-30"
    assert "暂停计算" in page(case_path(app)).get_text()
    assert step(clerk, app, "consulted", consulted_date="2024-10-15").status_code == 302
    moved = store.get(app.code)
    # Working days from 10-09 to 10-15, 2024: Wednesday to Saturday (a make-up working day after
    # the National Day week), Monday and Tuesday.
    assert (
        moved.paused_days
        == applications.working_days_between(
            datetime.date(2024, 10, 8), datetime.date(2024, 10, 15)
        )
        == 6
    )
    assert moved.due == "2024-11-07" and moved.status == "received"
    text = page(case_path(app)).get_text(" ", strip=True)
    assert "答复期限顺延 6 个工作日" in text and "2024-11-07" in text
    # Once only, and not before it began.
    assert step(clerk, app, "consultation", consultation_date="2024-10-20").status_code == 400


def test_a_consultation_cannot_end_before_it_began(clerk, page, received, store):
    app = received(datetime.date(2024, 9, 27))
    step(clerk, app, "consultation", consultation_date="2024-10-08")
    response = step(clerk, app, "consulted", consulted_date="2024-10-07")
    assert response.status_code == 400
    assert "不能早于征求意见的日期" in response.get_data(as_text=True)
    assert store.get(app.code).status == "consultation"


def test_a_correction_stops_the_clock_and_the_extension_is_given_once(clerk, page, received, store):
    app = received(datetime.date(2024, 9, 27))
    missing = step(clerk, app, "correction", correction_date="2024-09-30", correction_note="")
    assert missing.status_code == 400
    assert "请写明需要申请人补正的事项" in missing.get_data(as_text=True)
    assert (
        step(
            clerk, app, "correction", correction_date="2024-09-30", correction_note="请写明文件名称"
        ).status_code
        == 302
    )
    assert store.get(app.code).status == "correction"
    assert step(clerk, app, "corrected", corrected_date="2024-10-08").status_code == 302
    assert store.get(app.code).due == "2024-11-04"  # 20 working days from the 8th again
    assert step(clerk, app, "extend").status_code == 302
    assert store.get(app.code).due == "2024-12-02"
    again = step(clerk, app, "extend")
    assert again.status_code == 400
    assert "申请的状态已经改变" in again.get_data(as_text=True)
    tomorrow = step(clerk, app, "consultation", consultation_date="2026-12-02")
    assert tomorrow.status_code == 400 and "日期不能晚于今天" in tomorrow.get_data(as_text=True)


# --- The reply ------------------------------------------------------------------------------


def test_the_reply_form_lists_its_problems_in_a_summary_linked_to_the_fields(
    clerk, page, received, store
):
    app = received(datetime.date(2026, 11, 2))
    form = page(f"{case_path(app)}/reply")
    assert form.select_one("main form")["enctype"] == "multipart/form-data"
    assert form.select_one("#field-replied")["value"] == TODAY.isoformat()
    response = post(clerk, f"{case_path(app)}/reply", outcome="", replied="2026/11/3", text=" ")
    assert response.status_code == 400
    soup = audit_page(response.get_data(as_text=True))
    assert [a["href"] for a in soup.select(".error-summary a")] == [
        "#field-outcome",
        "#field-replied",
        "#field-text",
    ]
    assert soup.select_one("#field-outcome")["aria-invalid"] == "true"
    assert store.get(app.code).outcome is None


def upload(client, app, *files, **fields):
    """Post the reply form with files: (name, bytes) pairs."""
    token = csrf_token(client, f"{case_path(app)}/reply")
    data = MultiDict(
        {
            "csrf_token": token,
            "outcome": "partly_granted",
            "replied": "2026-11-20",
            "text": "部分公开，理由见附件。",
            **fields,
        }
    )
    for name, content in files:
        data.add("attachments", FileStorage(io.BytesIO(content), name))
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # it never closes.
    boundary, body = encode_multipart(data)
    return client.post(
        f"{case_path(app)}/reply",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    ("name", "size", "said"),
    [
        ("run.exe", 10, "的类型不能上传"),
        ("../../etc/passwd.pdf", 10, "不能包含路径"),
        (".hidden.pdf", 10, "不能以“.”开头"),
        ("答复\u202efdp.exe", 10, "不可见字符"),
        ("empty.pdf", 0, "是空文件"),
        ("big.pdf", 2 * 1024 * 1024 + 1, "超过了每个文件 2 MB 的大小限制"),
        ("renamed.pdf", 10, "内容与文件类型不符"),  # not a PDF: sniffed as drafting does
    ],
)
def test_a_file_of_the_wrong_kind_name_or_size_is_refused_with_its_name(
    app, clerk, received, store, name, size, said
):
    app.config["REPLY_ATTACHMENT_MAX_BYTES"] = 2 * 1024 * 1024
    case = received(datetime.date(2026, 11, 2))
    response = upload(clerk, case, (name, b"x" * size))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert said in text and 'href="#field-attachments"' in text
    assert store.get(case.code).outcome is None and store.attachments(case.code) == []


def test_a_request_larger_than_every_allowed_file_together_is_413(app, clerk, received, store):
    app.config["REPLY_ATTACHMENT_MAX_BYTES"] = 1024
    case = received(datetime.date(2026, 11, 2))
    response = upload(clerk, case, ("big.pdf", b"x" * 600 * 1024))
    assert response.status_code == 413
    assert store.get(case.code).outcome is None


def test_the_replys_files_are_kept_and_given_to_the_bodys_staff_only(
    app, clerk, received, store, member
):
    case = received(datetime.date(2026, 11, 2))
    response = upload(clerk, case, ("答复书.pdf", b"%PDF-1.7 reply"), ("清单.xlsx", b"PK\x03\x04"))
    assert response.status_code == 302
    files = store.attachments(case.code)
    assert [(name, size) for _number, name, size in files] == [
        ("答复书.pdf", 14),
        ("清单.xlsx", 4),
    ]
    shown = clerk.get(case_path(case)).get_data(as_text=True)
    assert "答复书.pdf" in shown and "部分公开，理由见附件。" in shown
    got = clerk.get(f"{case_path(case)}/attachments/{files[0][0]}")
    assert got.status_code == 200 and got.data == b"%PDF-1.7 reply"
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Cache-Control"] == "no-store"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert clerk.get(f"{case_path(case)}/attachments/999").status_code == 404
    other = app.test_client()
    member("li", ("申请办理", OTHER))
    sign_in(other, "li")
    assert other.get(f"{case_path(case)}/attachments/{files[0][0]}").status_code == 403


def test_a_reply_recorded_in_the_desk_is_counted_in_table_3(
    app, clerk, received, store, site, tmp_path
):
    replied = received(datetime.date(2026, 3, 2), applicant_kind="person")
    received(datetime.date(2026, 4, 1))  # still open: carried forward
    received(datetime.date(2026, 5, 6), OTHER)  # another body's
    response = post(
        clerk,
        f"{case_path(replied)}/reply",
        outcome="withheld_third_party",
        replied="2026-03-30",
        text="涉及第三方商业秘密，不予公开。",
    )
    assert response.status_code == 302
    stored = store.get(replied.code)
    assert (stored.outcome, stored.replied, stored.replied_by is not None) == (
        "withheld_third_party",
        "2026-03-30",
        True,
    )
    target = tmp_path / "2026.report.yml"
    result = CliRunner().invoke(
        main,
        ["report-stats", "2026", "--content", str(site), "--out", str(target)],
        env={"PORTAL_DATABASE_URL": app.config["DATABASE_URL"]},
    )
    assert result.exit_code == 0, result.output
    report = parse_report(target.read_text("utf-8"), target)
    assert report.value(3, "new", "total") == 2
    assert report.value(3, "withheld_third_party", "person") == 1
    assert report.value(3, "carried_forward", "total") == 1
    # A reply is final: the form is not offered again, and the case shows who recorded it.
    assert clerk.get(f"{case_path(replied)}/reply").status_code == 302
    assert "wang" in clerk.get(case_path(replied)).get_data(as_text=True)


def test_the_desk_is_in_the_navigation_of_its_staff_only(client, member):
    member("wang", ("申请办理", ORGANISATION))
    member("zhao", ("初审", ORGANISATION))
    sign_in(client, "wang")
    assert f'href="{DESK}"' in client.get("/admin/").get_data(as_text=True)
    client.post("/admin/sign-out", data={"csrf_token": csrf_token(client, "/admin/")})
    sign_in(client, "zhao")
    assert f'href="{DESK}"' not in client.get("/admin/").get_data(as_text=True)
