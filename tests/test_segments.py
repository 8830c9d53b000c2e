"""Department and organisation names in addresses: any name, `/` and `?` included, has its own
feed and comparison page, and addresses of ordinary names do not change."""

import pytest
from flask import url_for
from hypothesis import given
from hypothesis import strategies as st

from portal.catalogue import load_catalogue
from portal.export import export_site, file_for
from portal.web.segments import find, segment

HOSTILE = [
    "科技/信息股",
    "../../etc",
    "..",
    ".",
    "a?b",
    "a#b",
    "100%",
    "a\\b",
    "~x",
    "a b",
    "tab\there",
    "新\u202e股",
    "名" * 100,
    "/",
    "",
]


def test_ordinary_names_are_their_own_segment():
    for name in ("办公室", "科技项目管理股", "灵武市科学技术局", "Office-1", "a.b"):
        assert segment(name) == name


@given(st.text(max_size=300))
def test_every_name_has_a_segment_that_stays_one_path_segment(name):
    value = segment(name)
    assert value and not value.startswith(".")
    assert not set(value) & set("/\\?#%\r\n\t ")
    assert len(value.encode("utf-8", "surrogatepass")) + len(".atom") <= 255  # a file name
    assert find(value, [*HOSTILE, name]) == name


def test_different_names_never_share_a_segment():
    names = [*HOSTILE, "科技-信息股", "科技信息股", "a-b", segment("科技/信息股")]
    assert len({segment(name) for name in names}) == len(names)


def write_department(site, name: str) -> None:
    for path in (
        site / "policy" / "2022-procurement-notice.md",
        site / "guide" / "disclosure-guide.md",
    ):
        path.write_text(
            path.read_text(encoding="utf-8").replace("department: 办公室", f'department: "{name}"'),
            encoding="utf-8",
        )


@pytest.mark.parametrize("name", ["科技/信息股", "../科技?股#1 %2F", "..", "%"])
def test_a_department_with_url_characters_has_a_working_feed(site, app, client, name, tmp_path):
    write_department(site, name)
    assert not load_catalogue(site).problems
    with app.test_request_context():
        href = url_for("feeds.department", name=name)
    response = client.get(href)
    assert response.status_code == 200
    assert b"2022-procurement-notice" in response.data
    listing = client.get("/catalogue/", query_string={"department": name})
    assert f'type="application/atom+xml" href="{href}"' in listing.get_data(as_text=True)
    export_site(app, tmp_path / "export")
    assert file_for(tmp_path / "export", href).read_bytes() == response.data


def test_an_organisation_with_a_slash_has_a_working_comparison(site, client):
    for year in (2023, 2024):
        data = site / "reports" / f"lingwu-kjj-{year}.report.yml"
        data.write_text(
            data.read_text(encoding="utf-8").replace(
                "organisation: 灵武市科学技术局", 'organisation: "灵武市/科学技术局"'
            ),
            encoding="utf-8",
        )
    overview = client.get("/reports/").get_data(as_text=True)
    href = overview.split('href="/reports/compare/')[1].split('"')[0]
    response = client.get(f"/reports/compare/{href}")
    assert response.status_code == 200
    assert "灵武市/科学技术局" in response.get_data(as_text=True)


def test_the_feeds_of_ordinary_departments_keep_their_address(client):
    assert client.get("/feeds/department/办公室.atom").status_code == 200
    assert client.get("/feeds/department/无此部门.atom").status_code == 404
    assert client.get("/feeds/department/~0123456789abcdef.atom").status_code == 404
