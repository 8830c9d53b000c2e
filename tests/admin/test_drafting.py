"""Drafting in the back office: a drafter lists and edits the drafts of the bodies where they
hold 起草 and no others; the form has every catalogue field and is checked by the rules of
`portal check`, each problem linked from the error summary to its field; saving writes the file
`portal new` would, keeps what the form does not show, and never overwrites a change made since
the form was opened; the body previews as the public page renders it; attachments are checked
(type, content, size, name) and never replace another file."""

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import audit_page
from county import BUREAU, TOWN, add_bodies
from sqlalchemy import update

from portal import accounts, db
from portal.catalogue import load_catalogue, parse_file

from .conftest import PASSWORD, csrf_token, sign_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TITLE = "关于印发《示例县科技奖励办法》的通知"
# What a hand-written draft may look like: comments, quotes written differently, keys the form
# does not show (videos with captions, a review record), a keyword list in block style.
HAND_WRITTEN = """---
# 起草：办公室
title: 关于开展2026年科技活动周的通知
index_no: '000000000/2026-00007'
doc_no:
date: 2026-05-06
department: "办公室"
time_limit: 及时公开
category: 其他文件
five_openness: 执行公开
mode: 主动公开
keywords:
  - 科技活动周   # 主题
  - 科普
attachments:
  - file: week-2026-plan.pdf
    title: 附件：活动安排
videos:
  - file: week-2026.mp4
    title: 活动周宣传片
    captions: week-2026.vtt
review: []
---
各乡镇：

现将有关事项通知如下。
"""


def account(database, clock, username: str, roles) -> None:
    """An account with PASSWORD holding (role, organisation) pairs."""
    known = sorted({organisation for _role, organisation in roles} | {BUREAU})
    member, _temporary = accounts.add_account(
        database, username, username.title(), roles, known, clock()
    )
    database.execute(
        update(db.Account)
        .where(db.Account.id == member.id)
        .values(password_hash=accounts.hash_password(PASSWORD), temporary_until=None)
    )
    database.commit()


@pytest.fixture
def drafter(client, database, clock):
    """A signed-in member of staff holding 起草 in the fixture site's body."""
    account(database, clock, "drafter", [("起草", BUREAU)])
    assert sign_in(client, "drafter").status_code == 302
    return client


@pytest.fixture
def hand_written(site) -> Path:
    """A draft written by hand, with its attachment, video and captions beside it."""
    folder = site / "other-documents"
    folder.mkdir()
    (folder / "week-2026-plan.pdf").write_bytes(PDF)
    (folder / "week-2026.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    (folder / "week-2026.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n宣传片\n")
    path = folder / "2026-week.md"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


def form_data(html: str, **changes) -> dict:
    """What a browser sends for the drafting form as the page shows it, with changes."""
    form = BeautifulSoup(html, "html.parser").select_one("main form[method=post]")
    data = {}
    for control in form.select("input, textarea, select"):
        name = control.get("name")
        kind = control.get("type", "text")
        if not name or kind in ("submit", "file"):
            continue
        if control.name == "textarea":
            # The HTML parser drops the newline that follows <textarea>; a browser sends CR LF.
            data[name] = control.string.removeprefix("\n").replace("\n", "\r\n")
        elif control.name == "select":
            chosen = control.select_one("option[selected]")
            data[name] = chosen["value"] if chosen else ""
        elif kind == "checkbox":
            if control.has_attr("checked"):
                data[name] = control["value"]
        else:
            data[name] = control.get("value", "")
    return {**data, "action": "save", **changes}


def save(client, path: str, html: str | None = None, **changes):
    """Submit the drafting form at path as a browser would, with changes."""
    html = html or client.get(path).get_data(as_text=True)
    data = form_data(html, **changes)
    response = client.post(path, data=data, content_type="multipart/form-data")
    # The test client spools a large body to a temporary file it never closes.
    response.request.environ["wsgi.input"].close()
    return response


def summary_links(response) -> dict[str, str]:
    """The error summary's links: target -> text."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {a["href"]: a.get_text().strip() for a in soup.select(".error-summary a")}


def new_draft(client, **changes):
    """Submit the new-draft form with a title and category filled in, and changes."""
    values = {"title": TITLE, "category": "行政规范性文件", **changes}
    return save(client, "/admin/drafts/new", **values)


# --- Listing and access ------------------------------------------------------------------


def test_a_drafter_lists_the_drafts_of_their_bodies_and_nothing_else(
    site, client, database, clock, page, hand_written
):
    add_bodies(site, BUREAU, TOWN)
    town = site / "other-documents" / "example-town-2026-00001.md"
    town.write_text(
        HAND_WRITTEN.replace("000000000/2026-00007", "111111111/2026-00001")
        .replace("title: 关于开展", f"organisation: {TOWN}\ntitle: 镇里的")
        .replace("week-2026", "town-week"),
        encoding="utf-8",
    )
    for name in ("town-week-plan.pdf", "town-week.mp4", "town-week.vtt"):
        (site / "other-documents" / name).write_bytes(
            (site / "other-documents" / name.replace("town-week", "week-2026")).read_bytes()
        )
    account(database, clock, "drafter", [("起草", BUREAU)])
    sign_in(client, "drafter")
    soup = page("/admin/drafts/")
    rows = soup.select("main table tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == ["关于开展2026年科技活动周的通知"]
    assert "等待初审" in rows[0].get_text()
    assert soup.select_one("nav a[aria-current=page]").get_text() == "起草"
    # Another body's draft: refused, and the refusal is logged.
    assert client.get(f"/admin/drafts/{town.stem}/").status_code == 403
    before = town.read_bytes()
    own_form = client.get("/admin/drafts/2026-week/").get_data(as_text=True)
    refused = save(client, f"/admin/drafts/{town.stem}/", own_form, title="改掉")
    assert refused.status_code == 403 and town.read_bytes() == before
    # Nor can a new draft be made in its name.
    assert client.get(f"/admin/drafts/new?organisation={TOWN}").status_code == 403
    assert new_draft(client, organisation=TOWN).status_code == 403
    assert not list(site.rglob("example-town-2026-00002.md"))


def test_the_organisation_select_offers_only_the_bodies_where_the_member_drafts(
    site, client, database, clock, page
):
    add_bodies(site, BUREAU, TOWN, "ningdong")
    account(database, clock, "both", [("起草", BUREAU), ("起草", TOWN), ("初审", "ningdong")])
    sign_in(client, "both")
    soup = page("/admin/drafts/new")
    options = [option["value"] for option in soup.select("select#field-organisation option")]
    assert sorted(options) == sorted([BUREAU, TOWN])
    form = page(f"/admin/drafts/new?organisation={TOWN}")
    assert form.select_one("#field-index_no")["value"] == "111111111/2026-00001"
    assert form.select_one("input[name=organisation]")["value"] == TOWN


def test_a_member_without_the_drafter_role_cannot_draft(client, staff):
    staff("reviewer", ("初审",))
    sign_in(client, "reviewer")
    assert "起草" not in [
        a.get_text()
        for a in BeautifulSoup(client.get("/admin/").data, "html.parser").select("nav a")
    ]
    token = csrf_token(client, "/admin/")
    assert client.get("/admin/drafts/").status_code == 403
    assert client.get("/admin/drafts/new").status_code == 403
    posted = client.post("/admin/drafts/new", data={"csrf_token": token, "title": "x"})
    assert posted.status_code == 403
    preview = client.post("/admin/drafts/preview", data={"csrf_token": token, "body": "x"})
    assert preview.status_code == 403


# --- A new draft --------------------------------------------------------------------------


def test_a_new_draft_is_the_file_portal_new_writes_and_waits_for_review(site, drafter, page):
    soup = page("/admin/drafts/new")
    assert soup.select_one("#field-index_no")["value"] == "000000000/2026-00001"
    assert soup.select_one("#field-date")["value"] == "2026-12-01"
    assert soup.select_one("#field-department")["value"] == "办公室"
    labels = {label.get_text(strip=True) for label in soup.select("main label, main legend")}
    for label in ("标题", "所属分类", "索引号", "文号", "生成日期", "责任部门", "公开时限"):
        assert label in labels
    assert {"所属“五公开”", "公开方式", "关键词", "添加附件", "正文（Markdown 格式）"} <= labels
    response = new_draft(
        drafter, keywords="科技奖励，管理办法", body="第一条　为了……\r\n", five_openness="决策公开"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/drafts/2026-00001/"
    path = site / "normative-documents" / "2026-00001.md"
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        f'title: "{TITLE}"\n'
        'index_no: "000000000/2026-00001"\n'
        "doc_no:\n"
        "date: 2026-12-01\n"
        "department: 办公室\n"
        "time_limit:\n"
        "category: 行政规范性文件\n"
        "five_openness: 决策公开\n"
        "mode: 主动公开\n"
        "keywords: [科技奖励, 管理办法]\n"
        "attachments:\n"
        "review: []\n"
        "---\n"
        "第一条　为了……\n"
    )
    document, problems = parse_file(path, site)
    assert problems == [] and document.waiting_for == "初审"
    assert drafter.get("/documents/2026-00001/").status_code == 404
    edit = page("/admin/drafts/2026-00001/")
    assert "草稿已保存" in edit.select_one(".notice[role=status]").get_text()
    assert edit.select_one("#field-title")["value"] == TITLE


def test_every_problem_portal_check_finds_is_linked_from_the_summary_to_its_field(site, drafter):
    response = new_draft(
        drafter,
        title="",
        doc_no="第12号",
        date="2026-02-30",
        body="表格：\r\n\r\n| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n",
    )
    assert response.status_code == 400
    links = summary_links(response)
    assert list(links) == ["#field-title", "#field-doc_no", "#field-date", "#field-body"]
    assert "a document needs a title" in links["#field-title"]
    assert "is not of the form 示科发〔2024〕12号" in links["#field-doc_no"]
    assert "2026-02-30 does not exist in the calendar" in links["#field-date"]
    assert "table without a caption" in links["#field-body"]
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#field-date")["aria-invalid"] == "true"
    assert soup.select_one("#field-date-error") is not None
    assert soup.select_one("#field-doc_no")["value"] == "第12号"  # what was typed stays
    assert not (site / "normative-documents").exists()
    # The catalogue's own rules too: a 索引号 another document has.
    response = new_draft(drafter, index_no="000000000/2024-00002")
    assert response.status_code == 400
    assert summary_links(response) == {
        "#field-index_no": "索引号：index_no 000000000/2024-00002 is already used by "
        "policy/2024-tech-commissioner-measures.md: 索引号 must be unique"
    }
    assert not (site / "normative-documents").exists()


def test_a_value_yaml_would_misread_is_written_so_it_reads_back_as_typed(site, drafter):
    response = new_draft(drafter, title="no", department="0012", keywords="yes，1.10", doc_no="")
    assert response.status_code == 302
    document, problems = parse_file(site / "normative-documents" / "2026-00001.md", site)
    assert problems == []
    assert (document.title, document.department, document.keywords) == (
        "no",
        "0012",
        ("yes", "1.10"),
    )


def test_a_long_body_is_taken_though_other_forms_stop_at_max_request_bytes(site, drafter, app):
    # Over the 64 KB of MAX_REQUEST_BYTES and the 500 KB Flask allows a form field by default.
    long_body = "本办法所称科技奖励。" * 20_000 + "\r\n"  # one paragraph: quick to render
    assert len(long_body.encode()) > 500_000
    response = new_draft(drafter, body=long_body)
    assert response.status_code == 302
    document, problems = parse_file(site / "normative-documents" / "2026-00001.md", site)
    assert problems == [] and len(document.body) == len(long_body.replace("\r\n", "\n"))
    token = csrf_token(drafter, "/admin/password")
    elsewhere = drafter.post(
        "/admin/password", data={"csrf_token": token, "current": "x" * 100_000, "new": "y"}
    )
    assert elsewhere.status_code == 413


# --- Editing ------------------------------------------------------------------------------


def test_saving_a_hand_written_draft_unchanged_leaves_the_file_as_it_was(
    site, drafter, hand_written
):
    before = hand_written.read_bytes()
    parsed = parse_file(hand_written, site)
    response = save(drafter, "/admin/drafts/2026-week/")
    assert response.status_code == 302
    assert hand_written.read_bytes() == before
    assert parse_file(hand_written, site) == parsed
    assert "没有需要保存的修改" in drafter.get("/admin/drafts/2026-week/").get_data(as_text=True)


def test_an_edit_rewrites_only_the_changed_values_and_keeps_what_the_form_does_not_show(
    site, drafter, hand_written
):
    response = save(
        drafter,
        "/admin/drafts/2026-week/",
        title="关于开展2026年科技活动周的补充通知",
        sample="true",
    )
    assert response.status_code == 302
    after = hand_written.read_text(encoding="utf-8")
    assert after == HAND_WRITTEN.replace(
        "title: 关于开展2026年科技活动周的通知",
        'title: "关于开展2026年科技活动周的补充通知"',
    ).replace("    title: 附件：活动安排\n", "    title: 附件：活动安排\nsample: true\n")
    document, problems = parse_file(hand_written, site)
    assert problems == [] and document.sample and document.videos[0].captions == "week-2026.vtt"


def test_a_file_changed_since_the_form_was_opened_is_never_overwritten(site, drafter, hand_written):
    html = drafter.get("/admin/drafts/2026-week/").get_data(as_text=True)
    changed_by_hand = HAND_WRITTEN.replace("现将有关事项", "现将活动周有关事项")
    hand_written.write_text(changed_by_hand, encoding="utf-8")
    response = save(drafter, "/admin/drafts/2026-week/", html, title="我的标题")
    assert response.status_code == 409
    assert hand_written.read_text(encoding="utf-8") == changed_by_hand
    assert "#field-file" in summary_links(response)
    assert "已被修改" in summary_links(response)["#field-file"]
    assert (
        BeautifulSoup(response.data, "html.parser").select_one("#field-title")["value"]
        == "我的标题"
    )


def test_a_draft_written_as_one_flow_mapping_is_left_to_be_edited_by_hand(site, drafter, page):
    folder = site / "other-documents"
    folder.mkdir()
    flow = (
        "---\n{title: 流式写法的草稿, index_no: '000000000/2026-00009', doc_no: , date: , "
        "department: , time_limit: , category: 其他文件, five_openness: , mode: , "
        "keywords: [], attachments: , review: []}\n---\n正文。\n"
    )
    (folder / "2026-flow.md").write_text(flow, encoding="utf-8")
    soup = page("/admin/drafts/2026-flow/")
    assert soup.h1.get_text() == "无法在后台编辑这份草稿"
    assert "one 'key: value' per line" in soup.select_one("main .notice").get_text()
    assert soup.select_one("main form[method=post]") is None
    assert (folder / "2026-flow.md").read_text(encoding="utf-8") == flow


# --- Attachments --------------------------------------------------------------------------


def test_an_uploaded_attachment_is_kept_beside_the_draft_under_its_address(site, drafter):
    response = new_draft(
        drafter, upload=(io.BytesIO(PDF), "附件1 申报表.pdf"), upload_title="附件1：申报表"
    )
    assert response.status_code == 302
    folder = site / "normative-documents"
    assert (folder / "2026-00001-附件1 申报表.pdf").read_bytes() == PDF
    document, problems = parse_file(folder / "2026-00001.md", site)
    assert problems == []
    assert [(a.name, a.title) for a in document.attachments] == [
        ("2026-00001-附件1 申报表.pdf", "附件1：申报表")
    ]
    # Removing it takes the file away too.
    response = save(drafter, "/admin/drafts/2026-00001/", **{"attachment-remove-0": "true"})
    assert response.status_code == 302
    assert parse_file(folder / "2026-00001.md", site)[0].attachments == ()
    assert not (folder / "2026-00001-附件1 申报表.pdf").exists()


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", 415, "不是网站发布的附件类型"),
        ("page.html", b"<script>alert(1)</script>", 415, "不是网站发布的附件类型"),
        ("report.pdf", b"<script>alert(1)</script>", 415, "内容与文件类型不符"),
        ("report.docx", PDF, 415, "内容与文件类型不符"),
        ("../../escape.pdf", PDF, 400, "不能含有文件夹路径"),
        ("..\\escape.pdf", PDF, 400, "不能含有文件夹路径"),
        ("..", PDF, 400, "不能以“.”开头"),
        (".hidden.pdf", PDF, 400, "不能以“.”开头"),
        ("gpj\u202e.pdf", PDF, 400, "不可见的字符"),
        ("empty.pdf", b"", 400, "空文件"),
    ],
)
def test_a_hostile_upload_is_refused_with_a_clear_message_and_nothing_is_written(
    site, drafter, hand_written, name, data, status, message
):
    before = sorted(p.name for p in hand_written.parent.iterdir())
    text = hand_written.read_bytes()
    response = save(drafter, "/admin/drafts/2026-week/", upload=(io.BytesIO(data), name))
    assert response.status_code == status
    assert message in summary_links(response)["#field-upload"]
    assert sorted(p.name for p in hand_written.parent.iterdir()) == before
    assert hand_written.read_bytes() == text
    assert not (site.parent / "escape.pdf").exists()


def test_an_upload_never_replaces_another_documents_file_or_writes_through_a_link(
    site, drafter, hand_written, tmp_path
):
    folder = hand_written.parent
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"%PDF-1.4 not yours")
    (folder / "2026-week-linked.pdf").symlink_to(outside)
    (folder / "2026-week-taken.pdf").write_bytes(b"%PDF-1.4 another document's")
    for name in ("linked.pdf", "taken.pdf", "2026-week-taken.pdf"):
        response = save(drafter, "/admin/drafts/2026-week/", upload=(io.BytesIO(PDF), name))
        assert response.status_code == 409, name
        assert "已有名为" in summary_links(response)["#field-upload"]
    assert outside.read_bytes() == b"%PDF-1.4 not yours"
    assert (folder / "2026-week-taken.pdf").read_bytes() == b"%PDF-1.4 another document's"
    assert "linked" not in hand_written.read_text(encoding="utf-8")


def test_a_50_megabyte_upload_is_refused_with_413_and_a_clear_message(drafter, hand_written):
    html = drafter.get("/admin/drafts/2026-week/").get_data(as_text=True)
    data = form_data(html, upload=(io.BytesIO(b"%PDF-" + b"\0" * (50 * 1024 * 1024)), "big.pdf"))
    response = drafter.post(
        "/admin/drafts/2026-week/", data=data, content_type="multipart/form-data"
    )
    response.request.environ["wsgi.input"].close()  # the test client's spooled body, unread
    assert response.status_code == 413
    text = BeautifulSoup(response.data, "html.parser").select_one("main").get_text()
    assert "一个附件不能超过 20.0 MB" in text
    assert "Traceback" not in response.get_data(as_text=True)
    assert not list(hand_written.parent.glob("*big*"))


def test_a_file_over_the_upload_limit_within_the_form_limit_is_refused_at_its_field(
    app, drafter, hand_written
):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    response = save(
        drafter, "/admin/drafts/2026-week/", upload=(io.BytesIO(PDF + b"\0" * 2000), "big.pdf")
    )
    assert response.status_code == 413
    assert "超过了附件大小上限 1000 B" in summary_links(response)["#field-upload"]
    assert not list(hand_written.parent.glob("*big*"))


def test_an_upload_with_other_problems_is_not_kept_and_the_form_says_so(site, drafter):
    response = new_draft(drafter, date="yesterday", upload=(io.BytesIO(PDF), "a.pdf"))
    assert response.status_code == 400
    assert "没有上传" in summary_links(response)["#field-upload"]
    assert not list(site.rglob("*a.pdf"))


# --- Preview ------------------------------------------------------------------------------


def body_html(html: str) -> str:
    return str(BeautifulSoup(html, "html.parser").select_one(".document-body"))


def test_the_preview_renders_a_body_exactly_as_the_public_page_does(site, drafter, client):
    published = load_catalogue(site).get("2024-tech-commissioner-measures")
    token = csrf_token(drafter, "/admin/drafts/new")
    preview = drafter.post(
        "/admin/drafts/preview", data={"csrf_token": token, "body": published.body}
    )
    assert preview.status_code == 200
    public = client.get("/documents/2024-tech-commissioner-measures/").get_data(as_text=True)
    assert body_html(preview.get_data(as_text=True)) == body_html(public)
    assert "<table>" in body_html(public) and "<caption" in body_html(public)
    hostile = drafter.post(
        "/admin/drafts/preview",
        data={"csrf_token": token, "body": "<script>alert(1)</script>[x](javascript:alert(1))"},
    )
    assert "<script>" not in hostile.get_data(as_text=True)
    assert "href" not in hostile.get_data(as_text=True)


def test_the_preview_needs_its_form_token_and_is_bounded(drafter):
    assert drafter.post("/admin/drafts/preview", data={"body": "x"}).status_code == 400
    token = csrf_token(drafter, "/admin/drafts/new")
    huge = drafter.post(
        "/admin/drafts/preview", data={"csrf_token": token, "body": "x" * (3 * 1024 * 1024)}
    )
    assert huge.status_code == 413
    brackets = drafter.post(
        "/admin/drafts/preview", data={"csrf_token": token, "body": "[" * 20_000}
    )
    assert brackets.status_code == 200
    assert "无法预览" in brackets.get_data(as_text=True)


def test_without_javascript_the_preview_button_shows_the_body_on_the_page_and_saves_nothing(
    site, drafter, page
):
    response = new_draft(drafter, action="preview", body="# 第一章\r\n\r\n**总则**\r\n")
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    preview = soup.select_one("#preview .document-body")
    assert preview.select_one("h2").get_text() == "第一章"  # a body's h1 becomes h2, as public
    assert preview.select_one("strong").get_text() == "总则"
    assert soup.select_one("#field-title")["value"] == TITLE
    assert not (site / "normative-documents").exists()
    button = soup.select_one("button[value=preview]")
    assert button["formaction"] == "/admin/drafts/new#preview"


# --- Every page passes the audit, in both languages ---------------------------------------


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_drafting_pages_pass_the_page_audit_in_both_languages(
    site, drafter, hand_written, page, prefix
):
    for path in ("/admin/drafts/", "/admin/drafts/new", "/admin/drafts/2026-week/"):
        page(prefix + path)
    response = save(drafter, "/admin/drafts/new", date="bad", title="")
    assert response.status_code == 400
    audit_page(response.get_data(as_text=True))
    english = drafter.get("/en/admin/drafts/new").get_data(as_text=True)
    assert "Title" in english and "Body (Markdown)" in english
    assert re.search(r"Save draft", english)


def test_the_nginx_example_lets_the_largest_draft_through_to_the_app(app):
    from portal import admin
    from portal.export import nginx_example

    largest = admin.largest_request(app.config)
    assert largest >= app.config["UPLOAD_MAX_BYTES"] + 2 * 1024 * 1024
    example = nginx_example("localhost", Path("/srv/portal"), {}, 60, largest + 1)
    assert example.count(f"client_max_body_size {largest + 1};") == 2
