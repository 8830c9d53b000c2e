"""Dates as inspectors read them: the 发布日期 with its time where the file gives one
(YYYY-MM-DD HH:MM) on pages, lists and page labels; the 更新日期 and a note of what changed when
a published document changes; the 内容概述 as the page's description and in lists."""

import pytest
from test_content import check, write

DOCUMENT = "policy/2024-tech-commissioner-measures.md"
URL = "/documents/2024-tech-commissioner-measures/"


def edit(site, old, new):
    path = site / DOCUMENT
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def fields(soup) -> dict[str, str]:
    return {
        div.dt.get_text(): div.dd.get_text(strip=True) for div in soup.select(".metadata dl > div")
    }


def test_a_publication_time_is_shown_to_the_minute_on_the_page_in_lists_and_labels(site, page):
    edit(site, "sample: true\n", "sample: true\npublished: 2024-03-20 09:30\n")
    document = page(URL)
    assert fields(document)["发布日期"] == "2024-03-20 09:30"
    stamp = document.select_one(".metadata time[datetime^='2024-03-20T']")
    assert stamp["datetime"] == "2024-03-20T09:30+08:00"
    assert document.find("meta", attrs={"name": "PubDate"})["content"] == "2024-03-20 09:30"
    listed = page("/catalogue/normative-documents/").select_one(".document-list .document-meta")
    assert "发布日期：2024-03-20 09:30" in listed.get_text()


def test_a_document_without_a_publication_record_lists_its_own_date(page):
    listed = page("/catalogue/normative-documents/").select_one(".document-list .document-meta")
    assert "发布日期：2024-03-15" in listed.get_text()
    assert fields(page(URL))["发布日期"] == "（未注明）"


def test_a_changed_document_shows_when_and_what_changed(app, site, page):
    assert "更新日期" not in fields(page(URL))  # until it changes
    edit(
        site,
        "sample: true\n",
        "sample: true\npublished: 2024-03-20 09:30\nupdated: 2024-06-01 16:05\n"
        "change_note: 更正附件1中的名额分配\n",
    )
    app.extensions["portal.catalogue"].refresh()  # what the background refresh does
    shown = fields(page(URL))
    assert (shown["发布日期"], shown["更新日期"], shown["更新说明"]) == (
        "2024-03-20 09:30",
        "2024-06-01 16:05",
        "更正附件1中的名额分配",
    )
    english = fields(page(f"/en{URL}"))
    assert (english["Updated"], english["What changed"]) == (
        "2024-06-01 16:05",
        "更正附件1中的名额分配",
    )


def test_the_summary_is_the_page_description_and_the_line_under_the_title_in_lists(site, page):
    edit(site, "sample: true\n", "sample: true\nsummary: 明确科技特派员的选派、管理和考核办法。\n")
    document = page(URL)
    assert document.find("meta", attrs={"name": "Description"})["content"] == (
        "明确科技特派员的选派、管理和考核办法。"
    )
    assert document.select_one(".summary p").get_text() == "明确科技特派员的选派、管理和考核办法。"
    listed = page("/catalogue/normative-documents/").select_one(".document-list li")
    assert listed.select_one(".document-summary").get_text() == (
        "明确科技特派员的选派、管理和考核办法。"
    )


@pytest.mark.parametrize(
    "added,message",
    [
        (
            "published: 2024-03-20 9:30\n",
            "doc.md:14: published: '2024-03-20 9:30' is not written as YYYY-MM-DD or "
            "YYYY-MM-DD HH:MM",
        ),
        (
            "published: 2024-03-20 24:10\n",
            "doc.md:14: published: 24:10 is not a time of day (00:00-23:59)",
        ),
        ("updated: 2024-06-01\n", "doc.md:14: updated: say in a line what changed (change_note:)"),
        (
            "change_note: 更正错字\n",
            "doc.md:14: change_note: give the day of the change (updated:)",
        ),
        (
            "published: 2024-03-20 09:30\nupdated: 2024-03-20 09:00\nchange_note: 更正错字\n",
            "doc.md:15: updated: 2024-03-20 09:00 is before the document's published "
            "2024-03-20 09:30",
        ),
        (
            "updated: 2024-03-01\nchange_note: 更正错字\n",
            "doc.md:14: updated: 2024-03-01 is before the document's date 2024-03-15",
        ),
        (
            "summary: " + "概" * 301 + "\n",
            "doc.md:14: summary: 301 characters; a 内容概述 takes at most 300",
        ),
    ],
)
def test_portal_check_reports_dates_and_summaries_that_do_not_hold(tmp_path, added, message):
    write(tmp_path, change=("sample: true\n", "sample: true\n" + added))
    assert check(tmp_path) == [message]


def test_a_publication_time_and_an_update_that_hold_pass_the_check(tmp_path):
    write(
        tmp_path,
        change=(
            "sample: true\n",
            "sample: true\npublished: 2024-03-20 09:30\nupdated: 2024-03-20 10:00\n"
            "change_note: 更正错字\nsummary: 一句话概述。\n",
        ),
    )
    assert check(tmp_path) == []
