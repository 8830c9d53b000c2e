"""The bodies of the platform in the back office: the platform administrator lists them, edits
one (its file changes as a person would change it) and adds one; the catalogue's reader checks
every value; a file changed since the form was opened, a code another body has and a change of
code that documents' 索引号 start with are refused with a clear message; nobody else opens any
of it."""

import logging
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import audit_page, chinese_outside_chinese

from .conftest import enter_code, sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SHIPPED = Path(__file__).parent.parent.parent / "content" / "organisations"
LIST = "/admin/organisations/"


@pytest.fixture
def county(site) -> Path:
    """The fixture site with the shipped organisation files (its documents are lingwu-kjj's)."""
    shutil.copytree(SHIPPED, site / "organisations")
    return site / "organisations"


@pytest.fixture
def administrator(client, staff, clock):
    staff("root", ("管理员",), second_factor=SECRET)
    sign_in(client, "root")
    assert enter_code(client, SECRET, clock()).status_code == 302
    return client


def form_of(client, path: str) -> dict[str, str]:
    """What a browser would send from the form on the page at path, as it is."""
    soup = BeautifulSoup(client.get(path).get_data(as_text=True), "html5lib")
    form = soup.select_one("main form[method=post]:has(button)")
    values = {}
    for control in form.select("input[name], textarea[name], select[name]"):
        if control.name == "textarea":
            values[control["name"]] = control.get_text()
        elif control.name == "select":
            chosen = control.select_one("option[selected]")
            values[control["name"]] = chosen["value"] if chosen else ""
        else:
            values[control["name"]] = control.get("value", "")
    return values


def save(client, path: str, **changes):
    return client.post(path, data={**form_of(client, path), **changes})


def summary(html: str) -> list[tuple[str, str]]:
    box = BeautifulSoup(html, "html5lib").select_one(".error-summary")
    assert box is not None, "no error summary"
    return [(a["href"], a.get_text(strip=True)) for a in box.select("a")]


def test_the_list_shows_every_body_by_kind_with_its_file(county, administrator, page):
    soup = page(LIST)
    assert [h2.get_text() for h2 in soup.select("main section h2")] == [
        "人民政府",
        "部门",
        "乡镇街道",
    ]
    link = soup.select_one("a[href='/admin/organisations/shili-jtj/']")
    row = [cell.get_text(strip=True) for cell in link.find_parent("tr").select("th, td")]
    assert row == ["示例县交通运输局", "shili-jtj", "000000120", "30", "2022"]
    assert (
        page("/admin/").select_one("nav a[href='/admin/organisations/']").get_text() == "单位管理"
    )


def test_editing_a_body_changes_its_file_as_a_person_would(county, administrator, page, caplog):
    path = county / "shili-jtj.yml"
    before = path.read_text("utf-8")
    form = page("/admin/organisations/shili-jtj/")
    assert form.select_one("#field-name")["value"] == "示例县交通运输局"
    assert form.select_one("#field-kind option[selected]")["value"] == "部门"
    with caplog.at_level(logging.INFO):
        answer = save(administrator, "/admin/organisations/shili-jtj/", phone="0000-1200009")
    assert answer.status_code == 302 and answer.headers["Location"] == LIST
    after = path.read_text("utf-8")
    assert after == before.replace("phone: 0000-1200000", "phone: 0000-1200009")
    assert "organisation 'shili-jtj' saved by 'root'" in caplog.text
    assert "已保存 示例县交通运输局 的信息" in administrator.get(LIST).get_data(as_text=True)


def test_a_file_changed_since_the_form_was_opened_is_not_overwritten(county, administrator):
    path = county / "shili-jtj.yml"
    opened = form_of(administrator, "/admin/organisations/shili-jtj/")
    path.write_text(path.read_text("utf-8").replace("order: 30", "order: 31"), "utf-8")
    changed = path.read_text("utf-8")
    answer = administrator.post(
        "/admin/organisations/shili-jtj/", data={**opened, "name": "别人的修改会被覆盖"}
    )
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    audit_page(html)
    [(target, text)] = summary(html)
    assert target == "#field-version" and "这个单位的文件已被修改" in text
    assert "别人的修改会被覆盖" in html  # what was typed is still there to copy
    assert path.read_text("utf-8") == changed


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "请填写单位的中文名称"),
        ({"kind": "局"}, "kind", "请选择单位类别"),
        ({"code": "abc"}, "code", "机构代码应为 9 位组织机构代码"),
        ({"code": "000000110"}, "code", "代码 000000110 已是另一个单位（shili-xzf）的代码"),
        ({"order": "第一"}, "order", "排列顺序应为不超过 6 位的整数"),
        ({"since": "22"}, "since", "起始年份应为四位年份"),
        ({"email": "nobody"}, "email", "请填写有效的电子邮箱地址"),
        ({"postcode": "7500"}, "postcode", "邮政编码应为 6 位数字"),
    ],
)
def test_a_value_the_reader_refuses_is_a_clear_400_and_the_file_stays(
    county, administrator, changes, field, message
):
    before = (county / "shili-jtj.yml").read_text("utf-8")
    answer = save(administrator, "/admin/organisations/shili-jtj/", **changes)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    audit_page(html)
    [(target, text)] = summary(html)
    assert target == f"#field-{field}" and message in text
    assert (county / "shili-jtj.yml").read_text("utf-8") == before


def test_a_code_that_documents_use_is_refused_with_how_many(county, administrator):
    before = (county / "lingwu-kjj.yml").read_text("utf-8")
    answer = save(administrator, "/admin/organisations/lingwu-kjj/", code="000000009")
    assert answer.status_code == 400
    [(target, text)] = summary(answer.get_data(as_text=True))
    assert target == "#field-code"
    assert re.search(r"有 \d+ 份文件的索引号以原代码 000000000 开头（例如 000000000/", text)
    assert (county / "lingwu-kjj.yml").read_text("utf-8") == before


def test_a_new_body_is_added_as_a_file_of_its_own(county, administrator, page, caplog):
    page("/admin/organisations/new")
    data = {
        "id": "shili-jyj",
        "name": "示例县教育局",
        "name_en": "Sample County Education Bureau",
        "kind": "部门",
        "code": "000000140",
        "order": "40",
    }
    with caplog.at_level(logging.INFO):
        answer = save(administrator, "/admin/organisations/new", **data)
    assert answer.status_code == 302
    assert (county / "shili-jyj.yml").read_text("utf-8") == (
        "name: 示例县教育局\n"
        "name_en: Sample County Education Bureau\n"
        "kind: 部门\n"
        'code: "000000140"\n'
        "order: 40\n"
    )
    assert "organisation 'shili-jyj' added by 'root'" in caplog.text
    assert page(LIST).select_one("a[href='/admin/organisations/shili-jyj/']")
    for id_, message in (
        ("shili-jtj", "已有编号为 shili-jtj 的单位"),
        ("Bad/Id", "单位编号只能使用"),
    ):
        answer = save(administrator, "/admin/organisations/new", **{**data, "id": id_})
        assert answer.status_code == 400
        [(target, text)] = summary(answer.get_data(as_text=True))
        assert target == "#field-id" and message in text


def test_a_site_without_organisation_files_saves_its_own_body_first(site, administrator, page):
    soup = page(LIST)
    assert "本站还没有单位文件" in soup.get_text()
    assert soup.select_one("a[href='/admin/organisations/new']") is None
    answer = save(administrator, "/admin/organisations/new", id="other", name="别的", name_en="O")
    assert (
        "请先打开并保存本站单位（lingwu-kjj）的信息" in summary(answer.get_data(as_text=True))[0][1]
    )
    answer = save(administrator, "/admin/organisations/lingwu-kjj/", name_en="Lingwu", order="1")
    assert answer.status_code == 302
    assert (site / "organisations" / "lingwu-kjj.yml").is_file()


def test_an_unknown_body_is_a_404(county, administrator, page):
    page("/admin/organisations/nowhere/", status=404)


def test_the_pages_are_in_english_too(county, administrator, page):
    for path in ("/en/admin/organisations/", "/en/admin/organisations/new"):
        assert chinese_outside_chinese(page(path)) == [], path
    soup = page("/en/admin/organisations/shili-jtj/")
    assert soup.h1.get_text() == "Edit the body: Sample County Transport Bureau"
    assert chinese_outside_chinese(soup) == []


def test_nobody_but_an_administrator_opens_the_bodies(app, county, client, staff, caplog):
    staff("zhang", ("初审", "起草"))
    sign_in(client, "zhang")
    token = BeautifulSoup(client.get("/admin/password").data, "html5lib").select_one(
        "input[name=csrf_token]"
    )["value"]
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("bodies.")]
    assert len(rules) == 3
    before = (county / "shili-jtj.yml").read_text("utf-8")
    with caplog.at_level(logging.WARNING):
        for rule in rules:
            path = rule.rule.replace("<organisation_id>", "shili-jtj")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = {"csrf_token": token, "name": "改", "id": "x"}
                assert client.open(path, method=method, data=data).status_code == 403
                assert f"refused {method} {path} to 'zhang': not 管理员" in caplog.text
    assert (county / "shili-jtj.yml").read_text("utf-8") == before
    assert not (county / "x.yml").exists()
