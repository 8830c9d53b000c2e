"""Nothing looks abandoned: `portal status` warns, body by body, where a column stands against
the inspection's 单项否决 thresholds (no new document for 2 weeks, 政策文件 not updated within 6
months, five or more blank columns), and an empty column says why instead of showing nothing."""

import dataclasses
import datetime

import pytest
from click.testing import CliRunner
from county import BODIES, BUREAU

from portal.catalogue import load_catalogue, status_report
from portal.cli import main

NEWEST = datetime.date(2024, 3, 15)  # the fixture bureau's newest document (a 行政规范性文件)
DECLARED = {
    "规章": "县级部门无规章制定权",
    "政府信息公开制度": "",
    "机构职能": "",
    "其他文件": "",
    "政策解读": "",
    "统计信息": "",
    "行政许可和其他对外管理服务": "",
    "行政处罚和行政强制": "",
    "财政预决算": "",
    "行政事业性收费": "本机关无行政事业性收费项目",
    "重大建设项目": "",
}


def bureau_file(site, **details):
    """Give the fixture's bureau an organisation file with these optional fields."""
    body = dataclasses.replace(BODIES[BUREAU], details=details)
    (site / "organisations").mkdir(exist_ok=True)
    (site / "organisations" / f"{BUREAU}.yml").write_text(body.file(), encoding="utf-8")


def standing(site, today: datetime.date) -> dict:
    inspection = status_report(load_catalogue(site), today, within=5)["inspection"]
    assert [entry["organisation"] for entry in inspection] == [BUREAU]
    return inspection[0]


@pytest.mark.parametrize(("days", "stale"), [(14, False), (15, True)])
def test_a_body_without_a_new_document_for_two_weeks_is_flagged(site, days, stale):
    found = standing(site, NEWEST + datetime.timedelta(days=days))
    assert found["latest"] == "2024-03-15"
    assert found["home_stale"] is stale
    assert ("首页不更新" in found["vetoes"]) is stale


@pytest.mark.parametrize(("days", "stale"), [(183, False), (184, True)])
def test_policy_documents_not_updated_within_six_months_are_flagged(site, days, stale):
    found = standing(site, NEWEST + datetime.timedelta(days=days))
    expected = [{"column": "政策文件", "latest": "2024-03-15"}] if stale else []
    assert found["stale_columns"] == expected


def test_five_or_more_blank_columns_are_a_veto_until_the_body_says_why(site):
    found = standing(site, NEWEST)
    assert "空白栏目" in found["vetoes"]
    assert {"规章", "行政事业性收费", "人事信息"} <= set(found["blank_columns"])
    assert "行政规范性文件" not in found["blank_columns"]  # it has a document
    bureau_file(site, no_information=DECLARED)
    found = standing(site, NEWEST)
    assert found["blank_columns"] == ["人事信息", "建议提案办理", "重点领域信息", "依申请公开"]
    assert found["vetoes"] == []


def test_portal_status_prints_each_bodys_standing(site, monkeypatch):
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(site))
    monkeypatch.setattr("portal.workflow.china_today", lambda: datetime.date(2024, 10, 1))
    output = CliRunner().invoke(main, ["status"]).output
    assert f"inspection {BUREAU}  " in output
    assert "单项否决 首页不更新, 空白栏目" in output
    assert "  no new document for over 14 days (latest 2024-03-15)" in output
    assert "  column 政策文件 not updated within its period (latest 2024-03-15)" in output


def test_a_columns_declaration_is_checked_like_every_other_field(site):
    bureau_file(site, no_information={"规章制度": "", "行政事业性收费": "本机关不收费"})
    problems = [str(p) for p in load_catalogue(site).problems]
    assert problems == [
        "organisations/lingwu-kjj.yml:6: no_information: '规章制度' is not in the catalogue "
        "tree; did you mean '规章'?"
    ]
    bureau_file(site, no_information="规章")
    problems = [str(p) for p in load_catalogue(site).problems]
    assert problems == [
        "organisations/lingwu-kjj.yml:6: no_information: write one line per column: "
        "'  行政事业性收费: why'"
    ]


def test_an_empty_column_says_why_instead_of_showing_nothing(site, page):
    empty = page("/catalogue/fees/")
    assert empty.select_one(".empty-column").get_text() == "本机关无此类信息。"
    # A list narrowed by filters is not a column: it says to widen them.
    narrowed = page("/catalogue/normative-documents/?year=2023")
    assert narrowed.select_one(".empty-column") is None
    assert "请减少筛选条件" in narrowed.select_one(".browse-results").get_text()


def test_an_empty_column_gives_the_reason_staff_wrote(app, site, page):
    bureau_file(site, no_information=DECLARED)
    app.extensions["portal.catalogue"].refresh()
    assert page("/catalogue/fees/").select_one(".empty-column").get_text() == (
        "本机关无行政事业性收费项目"
    )
    assert page("/en/catalogue/fees/").select_one(".empty-column [lang=zh-Hans]") is not None
    assert page("/en/catalogue/personnel/").select_one(".empty-column").get_text() == (
        "This body holds no information of this kind."
    )
