"""Organisation files as the back office writes them: byte for byte the file a person wrote when
nothing changes, comments and keys it does not edit kept, text quoted only where YAML needs it,
checked by the catalogue's own reader before it is written, never over a file changed since the
form was opened, and never a change of code that documents' 索引号 start with."""

import shutil
from pathlib import Path

import pytest

from portal.catalogue import (
    CODE_IN_USE,
    CODE_TAKEN,
    DEFAULT_FIRST,
    EDITABLE,
    EXISTS,
    INVALID,
    STALE,
    Organisation,
    OrganisationFileError,
    file_version,
    load_catalogue,
    organisation_files,
    organisation_text,
    read_organisations,
    save_organisation,
)

SHIPPED = Path(__file__).parent.parent / "content" / "organisations"
SITE = Organisation(id="lingwu-kjj", name="灵武市科学技术局", name_en="Lingwu", code="000000000")


def parse_organisation(path: Path, _shown=None):
    """The body a file describes as the site reads it, and the problems of its folder."""
    organisations, problems = read_organisations(path.parent.parent, "", SITE)
    return organisations.get(path.stem), problems


def values_of(organisation) -> dict[str, str]:
    found = {key: getattr(organisation, key) for key in EDITABLE}
    return {key: "" if value is None else str(value) for key, value in found.items()}


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yml")), ids=lambda p: p.name)
def test_a_shipped_file_saved_unchanged_is_the_same_file_byte_for_byte(path):
    organisation, problems = parse_organisation(path, path.name)
    assert problems == []
    text = path.read_text("utf-8")
    assert organisation_text(values_of(organisation), text)[0] == text


def test_a_changed_value_changes_its_line_alone_and_keeps_every_comment():
    previous = (SHIPPED / "lingwu-kjj.yml").read_text("utf-8")
    organisation, _ = parse_organisation(SHIPPED / "lingwu-kjj.yml", "lingwu-kjj.yml")
    values = {**values_of(organisation), "order": "25", "phone": "0951-4000000"}
    text, keys = organisation_text(values, previous)
    old_lines, new_lines = previous.splitlines(), text.splitlines()
    assert [line for line in old_lines if line not in new_lines] == ["order: 20"]
    assert [line for line in new_lines if line not in old_lines] == [
        "order: 25",
        "phone: 0951-4000000",
    ]
    # The new key goes where the shipped files put it: after since, the last key before it.
    assert new_lines[-1] == "phone: 0951-4000000"
    assert "# Its reports on this platform begin with the one covering 2021." in new_lines
    assert keys[new_lines.index("order: 25") + 1] == "order"


def test_an_emptied_optional_key_is_left_out_and_sample_is_kept():
    path = SHIPPED / "shili-jtj.yml"
    organisation, _ = parse_organisation(path, path.name)
    values = {**values_of(organisation), "fax": "", "description": ""}
    text, _ = organisation_text(values, path.read_text("utf-8"))
    assert "fax:" not in text and "description:" not in text
    assert "sample: true" in text.splitlines()


def test_a_new_file_is_written_as_the_shipped_ones_are():
    values = {
        "name": "示例县教育局",
        "name_en": "Sample County Education Bureau",
        "kind": "部门",
        "code": "000000140",
        "order": "40",
        "since": "2024",
        "description": "第一段。\n\n第二段：有冒号。",
        "email": "xxgk@example.com",
        "postcode": "000000",
        "address": "yes",
        "phone": "# not a comment",
    }
    text, _ = organisation_text(values)
    assert text == (
        "name: 示例县教育局\n"
        "name_en: Sample County Education Bureau\n"
        "kind: 部门\n"
        'code: "000000140"\n'
        "order: 40\n"
        "since: 2024\n"
        "description: |-\n"
        "  第一段。\n"
        "\n"
        "  第二段：有冒号。\n"
        'address: "yes"\n'
        'phone: "# not a comment"\n'
        "email: xxgk@example.com\n"
        'postcode: "000000"\n'
    )


@pytest.mark.parametrize(
    "hostile",
    [
        'a"b\\c',
        "line: with colon",
        "- list",
        "{flow: map}",
        "&anchor",
        "*alias",
        "'single'",
        "null",
        "1e3",
        "0x1F",
        "2024-01-01",
        "tab\there",
        "trailing #hash",
        "%directive",
        "@at",
        "`tick",
        "| pipe",
        "> fold",
        "! tag",
        "～全角～",
        "name: injected\ncode: X",
    ],
)
def test_any_text_reads_back_as_typed(tmp_path, hostile):
    content = tmp_path / "content"
    (content / "organisations").mkdir(parents=True)
    values = {"name": "机构", "name_en": "Body", "kind": "其他", "code": "", "order": "1"}
    for key in ("address", "description"):
        values[key] = hostile
    written = save_organisation(content, SITE, "lingwu-kjj", values, "", [], new=False)
    cleaned = " ".join(hostile.split())
    assert written.address == cleaned
    assert written.description == hostile.replace("\t", " ").strip()
    assert written.code == "" and written.name == "机构"


def test_the_reader_decides_and_its_problems_come_back_by_key(tmp_path):
    content = tmp_path / "content"
    values = {
        "name": "",
        "name_en": "Body",
        "kind": "局",
        "code": "abc",
        "order": "first",
        "since": "1899",
        "email": "nobody",
        "postcode": "12345",
    }
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(content, SITE, "lingwu-kjj", values, "", [], new=False)
    assert refused.value.reason == INVALID
    assert set(refused.value.problems) == {
        "name",
        "kind",
        "code",
        "order",
        "since",
        "email",
        "postcode",
    }
    assert "not an organisation code" in refused.value.problems["code"]
    assert organisation_files(content) == []
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(content, SITE, "Bad_Id", values, "", [], new=True)
    assert set(refused.value.problems) == {"id"}


@pytest.fixture
def county(tmp_path) -> Path:
    """A content folder with the shipped organisation files and no documents."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content / "organisations")
    return content


def test_a_file_changed_since_the_form_was_opened_is_not_overwritten(county):
    path = county / "organisations" / "shili-jtj.yml"
    opened = file_version(path)
    organisation, _ = parse_organisation(path, path.name)
    path.write_text(path.read_text("utf-8").replace("order: 30", "order: 31"), "utf-8")
    changed = path.read_text("utf-8")
    values = {**values_of(organisation), "name": "改名"}
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(county, SITE, "shili-jtj", values, opened, [], new=False)
    assert refused.value.reason == STALE
    assert path.read_text("utf-8") == changed
    written = save_organisation(
        county, SITE, "shili-jtj", values, file_version(path), [], new=False
    )
    assert written.name == "改名" and written.order == 30  # the form's values, as typed


def test_a_new_body_needs_a_new_id_and_a_code_of_its_own(county):
    values = {"name": "新", "name_en": "New", "kind": "部门", "code": "000000120", "order": "1"}
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(county, SITE, "shili-jtj", values, "", [], new=True)
    assert refused.value.reason == EXISTS
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(county, SITE, "shili-new", values, "", [], new=True)
    assert refused.value.reason == CODE_TAKEN and refused.value.details["other"] == "shili-jtj"
    written = save_organisation(
        county, SITE, "shili-new", {**values, "code": "000000150"}, "", [], new=True
    )
    organisations, problems = read_organisations(county, "lingwu-kjj", SITE)
    assert problems == [] and organisations.get("shili-new") == written


def test_a_code_that_documents_start_their_index_number_with_is_not_changed(county):
    shutil.copytree(Path(__file__).parent / "site" / "content", county, dirs_exist_ok=True)
    catalogue = load_catalogue(county)
    documents = [*catalogue.documents, *catalogue.drafts]
    assert any(d.index_no.startswith("000000000/") for d in documents)
    path = county / "organisations" / "lingwu-kjj.yml"
    before = path.read_text("utf-8")
    organisation, _ = parse_organisation(path, path.name)
    values = {**values_of(organisation), "code": "000000001"}
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(
            county, SITE, "lingwu-kjj", values, file_version(path), documents, new=False
        )
    assert refused.value.reason == CODE_IN_USE
    assert refused.value.details["code"] == "000000000" and refused.value.details["count"] >= 1
    assert path.read_text("utf-8") == before
    # Another body's code changes freely: none of these documents is its.
    jtj = county / "organisations" / "shili-jtj.yml"
    other, _ = parse_organisation(jtj, jtj.name)
    changed = {**values_of(other), "code": "000000121"}
    save_organisation(county, SITE, "shili-jtj", changed, file_version(jtj), documents, new=False)


def test_a_site_without_organisation_files_first_gets_its_own_body_written(tmp_path):
    content = tmp_path / "content"
    values = {"name": "新", "name_en": "New", "kind": "部门", "code": "", "order": "1"}
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(content, SITE, "shili-new", values, "", [], new=True)
    assert refused.value.reason == DEFAULT_FIRST
    own = {**values_of(SITE), "name_en": "Lingwu", "order": "20"}
    save_organisation(content, SITE, "lingwu-kjj", own, "", [], new=False)
    save_organisation(content, SITE, "shili-new", values, "", [], new=True)
    organisations, problems = read_organisations(content, "lingwu-kjj", SITE)
    assert problems == [] and {o.id for o in organisations} == {"lingwu-kjj", "shili-new"}


@pytest.mark.parametrize(("typed", "order"), [("０４０", 40), ("007", 7)])
def test_numbers_typed_full_width_or_with_leading_zeros_are_the_numbers_meant(
    tmp_path, typed, order
):
    values = {"name": "机构", "name_en": "Body", "kind": "其他", "code": "", "order": typed}
    written = save_organisation(tmp_path / "content", SITE, "lingwu-kjj", values, "", [], new=False)
    assert written.order == order


@pytest.mark.parametrize("typed", ["²", "①", "٢"])
def test_other_characters_that_look_like_digits_are_refused(tmp_path, typed):
    values = {"name": "机构", "name_en": "Body", "kind": "其他", "code": "", "order": typed}
    with pytest.raises(OrganisationFileError) as refused:
        save_organisation(tmp_path / "content", SITE, "lingwu-kjj", values, "", [], new=False)
    assert set(refused.value.problems) == {"order"}
