"""The review desk in the back office: each reviewer's queue (their stages, their bodies, overdue
first), a document's review page with what changed since its last approval, approving as the
signed-in account (never by a drafter, never two stages by one account, 终审 and 保密审查 only
after the second factor), returning with a comment (a returned version is never published), the
last stage publishing, and the dashboard saying what `portal status` says."""

import datetime
import logging
from pathlib import Path

import pytest
from conftest import audit_page
from county import BUREAU, TOWN, add_bodies
from sqlalchemy import select

from portal import db
from portal.catalogue import load_catalogue, scaffold_draft, status_report
from portal.search import index_content

from .conftest import PASSWORD, START, enter_code, post, sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TITLE = "关于印发《示例县科技奖励办法》的通知"
BODY = (
    "第一条 为鼓励科技创新（zxqreward），制定本办法。\n\n第二条 奖励每年评选一次。\n\n"
    "第三条 本办法自发布之日起施行。\n"
)


def write_draft(site: Path, title: str = TITLE, day=datetime.date(2026, 11, 20), **kwargs) -> Path:
    """A new draft with a body of a few lines, dated day."""
    path = scaffold_draft(site, "行政规范性文件", title, "000000000", "办公室", today=day, **kwargs)
    path.write_text(path.read_text(encoding="utf-8").replace("正文。\n", BODY), encoding="utf-8")
    return path


@pytest.fixture
def draft(app, site) -> Path:
    """A draft of the fixture site's body, waiting for 初审; the catalogue re-read at once."""
    app.extensions["portal.catalogue"].interval = 0
    return write_draft(site)


def page_of(path: Path) -> str:
    return f"/admin/review/documents/{path.stem}"


def approve(client, path: Path, stage: str, comment: str = ""):
    return post(client, f"{page_of(path)}/approve", page_of(path), stage=stage, comment=comment)


def send_back(client, path: Path, reason: str):
    return post(client, f"{page_of(path)}/return", page_of(path), reason=reason)


def as_(app, username: str, second_factor: bool = False):
    """A fresh browser signed in as username (with the authenticator's code when enrolled)."""
    client = app.test_client()
    sign_in(client, username, PASSWORD)
    if second_factor:
        enter_code(client, SECRET, app.extensions["portal.clock"]())
    return client


def reviewers(staff) -> None:
    """One account per stage of the fixture's body, and a drafter."""
    staff("drafter", ("起草",))
    staff("first", ("初审",))
    staff("second", ("复审",))
    staff("final", ("终审",), second_factor=SECRET)
    staff("secrecy", ("保密审查",), second_factor=SECRET)


def audit(database) -> list[db.ReviewAction]:
    database.expire_all()
    return list(database.scalars(select(db.ReviewAction).order_by(db.ReviewAction.id)))


def test_a_reviewer_sees_the_documents_waiting_at_their_stage_overdue_first(app, site, staff):
    app.extensions["portal.catalogue"].interval = 0
    recent = write_draft(site, "近期的通知")
    late = write_draft(site, "逾期的通知", day=datetime.date(2026, 10, 9))
    staff("first", ("初审",))
    staff("second", ("复审",))
    client = as_(app, "first")
    soup = audit_page(client.get("/admin/review/").get_data(as_text=True))
    rows = soup.select("table.review-queue tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == ["逾期的通知", "近期的通知"]
    assert "已逾期" in rows[0].get_text() and "已逾期" not in rows[1].get_text()
    assert rows[0].a["href"] == page_of(late) and rows[1].a["href"] == page_of(recent)
    # 20 working days from 9 October 2026, Saturday 10 October (a make-up working day) counted.
    assert rows[0].select("td")[3].time["datetime"] == "2026-11-05"
    other = as_(app, "second").get("/admin/review/").get_data(as_text=True)
    assert "目前没有等待您审核的文件" in other and "逾期的通知" not in other


def test_a_drafter_can_read_the_review_page_but_cannot_approve(app, draft, staff, database):
    reviewers(staff)
    drafter = as_(app, "drafter")
    soup = audit_page(drafter.get(page_of(draft)).get_data(as_text=True))
    assert soup.select_one("form[action$='/approve']") is None
    assert "没有这一环节的角色" in soup.get_text()
    before = draft.read_text(encoding="utf-8")
    response = approve(drafter, draft, "初审")
    assert response.status_code == 403
    assert draft.read_text(encoding="utf-8") == before and audit(database) == []


def test_one_account_cannot_approve_two_stages_of_the_same_version(app, draft, staff, database):
    staff("both", ("初审", "复审"))
    staff("second", ("复审",))
    both = as_(app, "both")
    assert approve(both, draft, "初审").status_code == 302
    page = both.get(page_of(draft)).get_data(as_text=True)
    assert "您已审核过本版本的初审" in page
    refused = approve(both, draft, "复审")
    assert refused.status_code == 409
    said = audit_page(refused.get_data(as_text=True)).select_one(".error-summary").get_text()
    assert "您已审核过该文件本版本的另一个环节，同一账号不能审核同一文件的两个环节" in said
    assert "复审" not in draft.read_text(encoding="utf-8").split("---")[1].split("review:")[1]
    assert approve(as_(app, "second"), draft, "复审").status_code == 302
    assert [(a.username, a.stage) for a in audit(database)] == [
        ("both", "初审"),
        ("second", "复审"),
    ]


def test_a_returned_document_is_never_published_and_comes_back_when_it_changes(
    app, client, draft, staff, database, monkeypatch
):
    reviewers(staff)
    first, second = as_(app, "first"), as_(app, "second")
    assert approve(first, draft, "初审").status_code == 302
    empty = send_back(second, draft, "  ")
    assert empty.status_code == 400
    summary = audit_page(empty.get_data(as_text=True)).select_one(".error-summary a")
    assert summary["href"] == "#field-reason" and "请填写退回理由" in summary.get_text()
    assert send_back(second, draft, "第二条未写明奖励标准。\n请补充。").status_code == 302

    assert "review: []" in draft.read_text(encoding="utf-8")  # its approvals are cleared
    refused = approve(first, draft, "初审")
    assert refused.status_code == 409
    said = audit_page(refused.get_data(as_text=True)).select_one(".error-summary").get_text()
    assert "该文件已退回起草人修改，修改之前不能审核" in said
    assert TITLE not in first.get("/admin/review/").get_data(as_text=True)
    drafter_view = audit_page(as_(app, "drafter").get("/admin/review/").get_data(as_text=True))
    returned = drafter_view.select_one("#returned-caption").find_parent("table")
    assert (
        TITLE in returned.get_text() and "第二条未写明奖励标准。\n请补充。" in returned.get_text()
    )
    assert client.get(f"/documents/{draft.stem}/").status_code == 404

    # Put back into review by hand, unchanged: still returned, still refused.
    assert approve(first, draft, "初审").status_code == 409
    draft.write_text(
        draft.read_text(encoding="utf-8").replace("评选一次。", "评选一次，奖励标准另行公布。"),
        encoding="utf-8",
    )
    assert TITLE in first.get("/admin/review/").get_data(as_text=True)
    assert approve(first, draft, "初审").status_code == 302
    assert [(a.action, a.stage) for a in audit(database)] == [
        ("approve", "初审"),
        ("return", "复审"),
        ("approve", "初审"),
    ]


def test_a_reviewer_of_one_body_cannot_open_another_bodys_review_page(
    app, site, staff, staff_in, caplog
):
    add_bodies(site, BUREAU, TOWN)
    app.extensions["portal.catalogue"].interval = 0
    town_draft = write_draft(site, "示例镇的通知", organisation=TOWN)
    write_draft(site)  # one of the bureau's
    staff_in("towner", [("初审", TOWN)])
    staff("first", ("初审",))  # 初审 of the bureau only
    bureau = as_(app, "first")
    with caplog.at_level(logging.WARNING, logger="portal.admin.access"):
        response = bureau.get(page_of(town_draft))
    assert response.status_code == 403
    assert f"refused GET {page_of(town_draft)} to 'first': not 初审 of '{TOWN}'" in caplog.text
    posted = post(bureau, f"{page_of(town_draft)}/approve", "/admin/review/", stage="初审")
    assert posted.status_code == 403
    assert "示例镇的通知" not in bureau.get("/admin/review/").get_data(as_text=True)
    town = as_(app, "towner").get("/admin/review/").get_data(as_text=True)
    assert "示例镇的通知" in town and TITLE not in town


def test_the_review_page_shows_a_change_made_after_the_first_review(app, draft, staff):
    staff("first", ("初审",))
    first = as_(app, "first")
    assert approve(first, draft, "初审").status_code == 302
    draft.write_text(
        draft.read_text(encoding="utf-8").replace("奖励每年评选一次。", "奖励每两年评选一次。"),
        encoding="utf-8",
    )
    soup = audit_page(first.get(page_of(draft)).get_data(as_text=True))
    assert "审核通过后，文件或随文件发布的附件有改动" in soup.get_text()
    table = soup.select_one("table.review-diff")
    removed = [row for row in table.select("tr.review-diff-removed")]
    added = [row for row in table.select("tr.review-diff-added")]
    assert [row.find("del").get_text() for row in removed] == ["第二条 奖励每年评选一次。"]
    assert [row.ins.get_text() for row in added] == ["第二条 奖励每两年评选一次。"]
    assert removed[0].select("td")[2].get_text() == "删除"
    assert added[0].select("td")[2].get_text() == "新增"
    assert "review:" not in table.get_text(), "the review record is not part of the comparison"
    # The change voided 初审: the same account approves this version's 初审 again.
    assert approve(first, draft, "初审").status_code == 302


def test_final_and_secrecy_review_need_the_second_factor(app, draft, staff, clock, database):
    staff("first", ("初审",))
    staff("second", ("复审",))
    staff("unenrolled", ("终审",))
    staff("final", ("终审",), second_factor=SECRET)
    approve(as_(app, "first"), draft, "初审")
    approve(as_(app, "second"), draft, "复审")
    unenrolled = as_(app, "unenrolled")
    assert unenrolled.get(page_of(draft)).headers["Location"] == "/admin/second-factor"
    # A password without the authenticator's code opens nothing.
    half = app.test_client()
    sign_in(half, "final")
    assert half.get(page_of(draft)).headers["Location"].startswith("/admin/sign-in?next=")
    final = as_(app, "final", second_factor=True)
    assert approve(final, draft, "终审").status_code == 302
    assert [a.username for a in audit(database)] == ["first", "second", "final"]


def test_four_accounts_take_a_draft_through_the_four_stages_and_it_is_published(
    app, client, draft, staff, database, site, clock
):
    reviewers(staff)
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    assert client.get("/api/search?q=zxqreward").get_json()["total"] == 0
    for username, stage in (("first", "初审"), ("second", "复审")):
        assert approve(as_(app, username), draft, stage).status_code == 302
    final = as_(app, "final", second_factor=True)
    clock.advance(minutes=1)  # each sign-in uses its own authenticator code
    secrecy = as_(app, "secrecy", second_factor=True)
    assert approve(final, draft, "终审").status_code == 302
    last = approve(secrecy, draft, "保密审查", comment="不涉密。")
    assert last.status_code == 302
    assert "文件已发布" in secrecy.get(last.headers["Location"]).get_data(as_text=True)
    assert f"published: {START.date().isoformat()}" in draft.read_text(encoding="utf-8")
    public = client.get(f"/documents/{draft.stem}/").get_data(as_text=True)
    assert TITLE in public and "2026-12-01" in public  # 发布日期 as inspectors read it
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    assert client.get("/api/search?q=zxqreward").get_json()["total"] == 1
    rows = audit(database)
    assert [(r.username, r.stage, r.published) for r in rows] == [
        ("first", "初审", False),
        ("second", "复审", False),
        ("final", "终审", False),
        ("secrecy", "保密审查", True),
    ]
    assert rows[-1].comment == "不涉密。" and len({r.digest for r in rows}) == 1


def test_the_dashboard_shows_what_portal_status_reports(app, site, draft, staff, clock):
    late = write_draft(site, "逾期的通知", day=datetime.date(2026, 10, 9))
    reviewers(staff)
    approve(as_(app, "first"), late, "初审")
    send_back(as_(app, "second"), late, "请补充依据。")
    soup = audit_page(as_(app, "drafter").get("/admin/review/dashboard").get_data(as_text=True))
    status = status_report(load_catalogue(site), START.date(), 5, {late.stem: "returned"})
    row = soup.select_one("table.review-counts tbody tr")
    cells = [td.get_text(strip=True) for td in row.select("td")]
    assert row.th.get_text(strip=True) == app.config["SITE_NAME"]  # the one implicit body
    assert cells == [str(len(status["waiting"]["初审"]) - 1), "0", "0", "0", "1", "0", "0"]
    assert "逾期的通知" in soup.select_one("#returned-caption").find_parent("table").get_text()
    assert soup.select_one("#overdue-heading").find_next("p").get_text() == "无。"


def test_every_review_page_passes_the_page_audit_in_both_languages(app, client, draft, staff, page):
    staff("first", ("初审", "起草"))
    staff("second", ("复审",))
    sign_in(client, "first")
    assert approve(client, draft, "初审").status_code == 302
    send_back(as_(app, "second"), draft, "请修改第二条。")
    draft.write_text(draft.read_text(encoding="utf-8").replace("一次", "两次"), encoding="utf-8")
    for path in ("/admin/review/", "/admin/review/dashboard", page_of(draft)):
        page(path)
        page(f"/en{path}")
    assert page(page_of(draft)).select_one("table.review-diff") is not None
    refused = send_back(client, draft, "")
    assert refused.status_code == 400
    audit_page(refused.get_data(as_text=True))
    assert approve(client, draft, "初审").status_code == 302
    twice = approve(client, draft, "初审")
    assert twice.status_code == 409
    audit_page(twice.get_data(as_text=True))


def test_the_review_page_compares_with_another_reviewed_version_when_asked(app, draft, staff):
    staff("first", ("初审",))
    first = as_(app, "first")

    def edit(old: str, new: str) -> None:
        draft.write_text(draft.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    approve(first, draft, "初审")
    edit("第一条", "第壹条")
    approve(first, draft, "初审")
    edit("第三条", "第叁条")
    soup = audit_page(first.get(page_of(draft)).get_data(as_text=True))
    changed = [ins.get_text() for ins in soup.select("table.review-diff ins")]
    assert changed == ["第叁条 本办法自发布之日起施行。"]  # since the version approved last
    other = soup.select_one("#changes-heading").find_parent("section").select("ul li a")
    assert len(other) == 1
    older = audit_page(first.get(other[0]["href"]).get_data(as_text=True))
    assert [ins.get_text()[:3] for ins in older.select("table.review-diff ins")] == [
        "第壹条",
        "第叁条",
    ]
    assert first.get(f"{page_of(draft)}?against=x").status_code == 400
    assert first.get(f"{page_of(draft)}?against=999999").status_code == 404
