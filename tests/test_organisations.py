"""Organisations as data: the files under content/organisations/, what `portal check` says of
them, and the rules that tie every document to exactly one body."""

import datetime

from click.testing import CliRunner

from portal.catalogue import Filters, county_year, load_catalogue, scaffold_draft
from portal.cli import main

BUREAU = """# a bureau of the county
name: 示例县交通运输局
name_en: Sample County Transport Bureau
kind: 部门
code: "000000002"
order: 30
sample: true
address: 示例地址
office_hours: 工作日 9:00-17:00
phone: 0000-0000002
email: xxgk@example.com
postcode: "000000"
"""

TOWNSHIP = """name: 示例县青山镇人民政府
name_en: Qingshan Township (sample)
kind: 乡镇街道
code: "000000003"
order: 40
"""

DOCUMENT = """---
title: 示例文件
index_no: "{index_no}"
doc_no:
date: 2024-03-15
department: 办公室
time_limit: 长期公开
category: 其他文件
five_openness: 执行公开
mode: 主动公开
keywords: []
attachments:
sample: true{organisation}
---
正文。
"""


def organisation(folder, name, text):
    """Write an organisation file into a content folder."""
    (folder / "organisations").mkdir(exist_ok=True)
    path = folder / "organisations" / name
    path.write_text(text, encoding="utf-8")
    return path


def document(folder, name, index_no, organisation_id=None):
    """Write a minimal valid document, naming its organisation when one is given."""
    named = f"\norganisation: {organisation_id}" if organisation_id else ""
    path = folder / name
    path.write_text(DOCUMENT.format(index_no=index_no, organisation=named), encoding="utf-8")
    return path


def problems(folder, default="transport"):
    """What `portal check` finds, as printed lines."""
    return [str(p) for p in catalogue_of(folder, default).problems]


def catalogue_of(folder, default="transport"):
    """The catalogue of folder with DEFAULT_ORGANISATION set to default."""
    from portal.catalogue.organisations import implicit

    return load_catalogue(folder, site=implicit(default, "site", "site", ""))


def county(tmp_path):
    """A content folder with two bodies."""
    organisation(tmp_path, "transport.yml", BUREAU)
    organisation(tmp_path, "qingshan.yml", TOWNSHIP)
    return tmp_path


def test_organisation_files_are_read_in_listing_order_with_their_contacts(tmp_path):
    catalogue = catalogue_of(county(tmp_path))
    assert [o.id for o in catalogue.organisations] == ["transport", "qingshan"]
    bureau = catalogue.organisations.get("transport")
    assert bureau.name == "示例县交通运输局" and bureau.kind == "部门" and bureau.sample
    assert bureau.code == "000000002"
    assert dict(bureau.contacts())["邮政编码"] == "000000"
    assert "传真号码" not in dict(bureau.contacts())  # not given: not invented
    assert bureau.name_in("en") == "Sample County Transport Bureau"
    assert bureau.name_in("zh_Hans") == "示例县交通运输局"
    assert [kind for kind, _members in catalogue.organisations.by_kind()] == ["部门", "乡镇街道"]


def test_broken_organisation_files_are_reported_with_file_and_line(tmp_path):
    organisation(
        tmp_path,
        "Bad_Name.yml",
        BUREAU.replace("kind: 部门", "kind: 局").replace('code: "000000002"', "code: 12"),
    )
    organisation(tmp_path, "typo.yml", TOWNSHIP.replace("order: 40", "order: 40\nphnoe: 1"))
    found = problems(tmp_path)
    kinds = "人民政府 / 部门 / 乡镇街道 / 其他"
    assert f"organisations/Bad_Name.yml:4: kind: '局' is not one of {kinds}" in found
    assert any(p.startswith("organisations/Bad_Name.yml:5: code: '12'") for p in found)
    assert any(
        p.startswith("organisations/Bad_Name.yml:1: file name 'Bad_Name.yml' must be lower-case")
        for p in found
    )
    assert "organisations/typo.yml:6: unknown key 'phnoe'; did you mean 'phone'?" in found


def test_a_missing_key_and_a_duplicate_key_are_reported_and_an_empty_code_is_allowed(tmp_path):
    organisation(tmp_path, "a.yml", TOWNSHIP.replace('code: "000000003"\n', ""))
    organisation(tmp_path, "b.yml", BUREAU.replace("order: 30", "order: 30\nname: 又一个"))
    organisation(tmp_path, "c.yml", TOWNSHIP.replace('"000000003"', ""))
    found = problems(tmp_path, default="")
    assert found == [
        "organisations/a.yml:5: missing key 'code' (write 'code:' with no value if the source "
        "gives none)",
        "organisations/b.yml:7: 'name' is written twice (first on line 2); YAML would "
        "silently keep only the last one",
    ]
    assert catalogue_of(tmp_path, default="").organisations.get("c").code == ""


def test_two_bodies_may_not_share_a_code(tmp_path):
    organisation(tmp_path, "a.yml", BUREAU)
    organisation(tmp_path, "b.yml", TOWNSHIP.replace("000000003", "000000002"))
    assert any(
        p.startswith("organisations/b.yml:1: code 000000002 is already the code of a.yml")
        for p in problems(tmp_path, default="a")
    )


def test_a_document_naming_an_unknown_organisation_fails_the_check_with_file_and_line(tmp_path):
    county(tmp_path)
    document(tmp_path, "doc.md", "000000002/2024-00001", "transprot")
    assert problems(tmp_path) == [
        "doc.md:14: organisation: no organisation 'transprot'; did you mean 'transport'?"
    ]
    assert catalogue_of(tmp_path).get("doc") is None  # never published under no body


def test_the_check_command_fails_on_an_unknown_organisation(tmp_path, monkeypatch):
    county(tmp_path)
    document(tmp_path, "doc.md", "000000002/2024-00001", "nowhere")
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_DEFAULT_ORGANISATION", "transport")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "doc.md:14: organisation: no organisation 'nowhere'" in result.output


def test_a_document_naming_none_belongs_to_the_default_organisation(tmp_path):
    county(tmp_path)
    document(tmp_path, "bureau-doc.md", "000000002/2024-00001")
    document(tmp_path, "town-doc.md", "000000003/2024-00001", "qingshan")
    catalogue = catalogue_of(tmp_path)
    assert problems(tmp_path) == []
    assert catalogue.get("bureau-doc").organisation == "transport"
    assert catalogue.organisation_of(catalogue.get("town-doc")).name == "示例县青山镇人民政府"
    assert [d.slug for d in catalogue.of_organisation("qingshan")] == ["town-doc"]


def test_without_a_default_every_document_must_name_its_organisation(tmp_path):
    county(tmp_path)
    document(tmp_path, "doc.md", "000000002/2024-00001")
    found = problems(tmp_path, default="missing")
    unknown_default = "DEFAULT_ORGANISATION is 'missing', which is no organisation file"
    assert any(unknown_default in p for p in found)
    assert "doc.md:1: organisation: no organisation 'missing'" in found


def test_two_bodies_may_reuse_a_serial_but_never_a_whole_index_number(tmp_path):
    county(tmp_path)
    document(tmp_path, "a.md", "000000002/2024-00001", "transport")
    document(tmp_path, "b.md", "000000003/2024-00001", "qingshan")
    assert problems(tmp_path) == []
    document(tmp_path, "c.md", "000000002/2024-00001", "transport")
    assert problems(tmp_path) == [
        "c.md:3: index_no 000000002/2024-00001 is already used by a.md: 索引号 must be unique"
    ]


def test_an_index_number_must_start_with_its_bodys_code(tmp_path):
    county(tmp_path)
    document(tmp_path, "doc.md", "000000002/2024-00001", "qingshan")
    assert problems(tmp_path) == [
        "doc.md:3: index_no 000000002/2024-00001 does not start with 000000003/, the code of "
        "示例县青山镇人民政府: a 索引号 begins with its body's code"
    ]


def test_the_organisation_filter_combines_with_the_others_and_counts_respect_them(tmp_path):
    county(tmp_path)
    document(tmp_path, "a.md", "000000002/2024-00001", "transport")
    document(tmp_path, "b.md", "000000003/2024-00001", "qingshan")
    (tmp_path / "c.md").write_text(
        DOCUMENT.format(
            index_no="000000003/2023-00001", organisation="\norganisation: qingshan"
        ).replace("2024-03-15", "2023-03-15"),
        encoding="utf-8",
    )
    catalogue = catalogue_of(tmp_path)
    assert [d.slug for d in catalogue.select(Filters(organisation="qingshan", year=2024))] == ["b"]
    counts = catalogue.counts(Filters(year=2024))
    assert counts["organisation"] == {"transport": 1, "qingshan": 1}
    assert catalogue.counts(Filters(organisation="qingshan"))["year"] == {2024: 1, 2023: 1}


def test_a_site_without_organisation_files_is_one_body(site):
    catalogue = load_catalogue(site)
    assert len(catalogue.organisations) == 1
    assert {d.organisation for d in catalogue.documents} == {catalogue.organisations.default}
    assert not [str(p) for p in catalogue.problems if p.severity == "error"]


def test_new_draft_for_an_organisation_takes_its_code_and_its_id_in_the_address(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PORTAL_DEFAULT_ORGANISATION", "transport")
    county(tmp_path)
    document(tmp_path, "a.md", "000000003/2024-00007", "qingshan")
    today = datetime.date(2024, 5, 6)
    path = scaffold_draft(
        tmp_path, "其他文件", "通知", "999999999", "党政办", today, organisation="qingshan"
    )
    assert path.name == "qingshan-2024-00008.md"
    text = path.read_text(encoding="utf-8")
    assert 'index_no: "000000003/2024-00008"' in text and "organisation: qingshan" in text
    bureau = scaffold_draft(tmp_path, "其他文件", "通知", "999999999", "办公室", today)
    assert bureau.name == "2024-00001.md"
    assert 'index_no: "000000002/2024-00001"' in bureau.read_text(encoding="utf-8")
    assert not problems(tmp_path)


def test_new_command_refuses_an_unknown_organisation(tmp_path, monkeypatch):
    county(tmp_path)
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_DEFAULT_ORGANISATION", "transport")
    result = CliRunner().invoke(main, ["new", "其他文件", "通知", "--organisation", "nowhere"])
    assert result.exit_code != 0
    assert "unknown organisation 'nowhere'; the organisations are: transport, qingshan" in (
        result.output
    )


def test_a_body_is_held_to_its_annual_reports_only_from_the_year_it_joined(tmp_path):
    county(tmp_path)
    (tmp_path / "organisations" / "qingshan.yml").write_text(
        TOWNSHIP + "since: 2024\n", encoding="utf-8"
    )
    catalogue = catalogue_of(tmp_path)
    assert catalogue.organisations.get("qingshan").since == 2024
    today = datetime.date(2025, 6, 1)
    listed = {s.organisation for s in county_year(catalogue, 2023, today).standings}
    assert listed == {"transport"}  # the township joined in 2024: not overdue for 2023
    listed = {s.organisation for s in county_year(catalogue, 2024, today).standings}
    assert listed == {"transport", "qingshan"}


def test_since_must_be_a_year(tmp_path):
    organisation(tmp_path, "qingshan.yml", TOWNSHIP + "since: last year\n")
    assert problems(tmp_path, default="") == [
        "organisations/qingshan.yml:6: since: the year (such as 2022) of its first report here"
    ]


def test_a_mistake_in_one_field_fails_the_check_but_keeps_the_bodys_documents(tmp_path):
    county(tmp_path)
    organisation(tmp_path, "transport.yml", BUREAU.replace('postcode: "000000"', 'postcode: "75"'))
    document(tmp_path, "doc.md", "000000002/2024-00001", "transport")
    catalogue = catalogue_of(tmp_path)
    assert problems(tmp_path) == [
        "organisations/transport.yml:12: postcode: a 邮政编码 has six digits"
    ]
    assert catalogue.get("doc") is not None
    assert "邮政编码" not in dict(catalogue.organisations.get("transport").contacts())


def test_a_body_file_broken_while_the_site_runs_keeps_the_body_as_it_was(tmp_path):
    from portal.catalogue import CatalogueStore
    from portal.catalogue.organisations import implicit

    county(tmp_path)
    document(tmp_path, "doc.md", "000000002/2024-00001", "transport")
    store = CatalogueStore(tmp_path, interval=0, site=implicit("transport", "s", "s", ""))
    assert store.current().get("doc") is not None
    organisation(tmp_path, "transport.yml", "name: [示例县交通运输局\n")  # broken YAML
    catalogue = store.current()
    assert catalogue.get("doc") is not None  # still published under its body
    assert catalogue.organisations.get("transport").name == "示例县交通运输局"
    assert (
        "organisations/transport.yml:1: the site keeps this body as it was until this file is fixed"
        in [str(p) for p in catalogue.problems]
    )
    # `portal check`, reading afresh, has no earlier version to keep: it fails on the file.
    assert catalogue_of(tmp_path).get("doc") is None
