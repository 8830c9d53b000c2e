"""The website's yearly form (政府网站工作年度报表) in the review desk: the reviewer of a stage sees
the form's table on the draft's review page, every value as the public page will show it, before
approving it like any document."""

from website_forms import FILLED, add_form

from portal.catalogue import load_catalogue

from .conftest import sign_in


def test_the_reviewer_reads_the_forms_table_on_the_review_page(app, site, staff, client, page):
    app.extensions["portal.catalogue"].interval = 0
    add_form(site, 2024, {**FILLED, "unique_visitors": None}, review="review: []\n")
    [draft] = [d for d in load_catalogue(site).drafts if d.website_report]
    staff("first", ("初审",))
    sign_in(client, "first")
    soup = page(f"/admin/review/documents/{draft.slug}")
    table = soup.select_one("main table.website-form")
    assert table.caption.get_text(strip=True) == "政府网站工作年度报表（2024年度）"
    row = table.find("th", id="form-r-unique_visitors").find_next_sibling("td")
    assert row.get_text(strip=True) == "未填报"
    assert soup.select_one(".form-signature h3").get_text() == "填报信息"
    english = page(f"/en/admin/review/documents/{draft.slug}")
    assert english.select_one("main table.website-form caption").get_text(strip=True) == (
        "Government website annual report (2024)"
    )
    # Not public until the last stage approves it.
    assert client.get("/website-reports/2024/").status_code == 404
