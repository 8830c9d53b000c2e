"""The catalogue of a running site: content is read off the request path, so a file however
hostile never stalls a visitor; a broken or clashing file never takes a published page down."""

import logging
import os
import threading

from click.testing import CliRunner

from portal.catalogue import parse_file
from portal.cli import main

PUBLISHED = "/documents/2022-procurement-notice/"


def test_a_draft_reusing_a_published_file_name_does_not_take_the_page_down(site, client):
    published = (site / "policy" / "2022-procurement-notice.md").read_text(encoding="utf-8")
    # "guide" sorts before "policy": the draft is read first.
    (site / "guide" / "2022-procurement-notice.md").write_text(
        published.replace("2022-00001", "2022-00099")
        .replace("科技馆展品采购项目成交公告", "草稿：另一份公告")
        .replace("sample: true", "sample: true\nreview: []"),
        encoding="utf-8",
    )
    page = client.get(PUBLISHED)
    assert page.status_code == 200
    assert "科技馆展品采购项目成交公告" in page.get_data(as_text=True)
    checked = CliRunner().invoke(main, ["check", "--content", str(site)])
    assert (
        "guide/2022-procurement-notice.md:1: the file name '2022-procurement-notice' is "
        "already used by policy/2022-procurement-notice.md: the address must be unique"
    ) in checked.output


def test_a_file_that_takes_forever_to_read_never_stalls_a_visitor(app, site, client):
    store = app.extensions["portal.catalogue"]
    assert client.get(PUBLISHED).status_code == 200
    # A named pipe blocks whoever reads it until someone writes: a file that never finishes
    # parsing, without any stand-in for the real reading code.
    pipe = site / "policy" / "slow.md"
    os.mkfifo(pipe)
    (site / "guide" / "disclosure-guide.md").touch()  # the content has changed
    store.interval = 1e-9  # every request finds the catalogue due for a refresh
    answers = []
    visitor = threading.Thread(
        target=lambda: answers.extend(
            client.get(url).status_code for url in (PUBLISHED, "/catalogue/", "/")
        ),
        daemon=True,
    )
    visitor.start()
    visitor.join(60)
    stalled = visitor.is_alive()
    valid = (site / "policy" / "2023-science-popularisation-plan.md").read_text(encoding="utf-8")
    with open(pipe, "w", encoding="utf-8") as writer:  # lets the reader finish
        writer.write(
            valid.replace("2023-00007", "2023-00123").replace("2023年科普工作要点", "管道里的文件")
        )
    visitor.join(60)
    assert not stalled, "a visitor's request waited for a content file to be read"
    assert answers == [200, 200, 200]
    assert store.refresh().get("slow").title == "管道里的文件"


def test_a_file_with_50000_keys_costs_one_warning_and_other_pages_keep_serving(
    site, client, caplog
):
    keys = "".join(f"key{number}: value\n" for number in range(50_000))
    (site / "policy" / "hostile.md").write_text("---\n" + keys + "---\n正文\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="portal.catalogue"):
        assert client.get(PUBLISHED).status_code == 200
    hostile = [message for message in caplog.messages if "hostile.md" in message]
    assert hostile == [
        "policy/hostile.md:2: front matter is 788,889 characters; the limit is "
        "65,536: move long text into the body"
    ]


def test_a_body_made_to_be_slow_is_rendered_when_read_never_in_a_visitors_request(
    app, client, site, monkeypatch
):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "![" * 5_000 + "\n", encoding="utf-8")
    app.extensions["portal.catalogue"].refresh()  # what the background refresh does
    rendered = []
    monkeypatch.setattr(
        "portal.catalogue.document.render_markdown", lambda text: rendered.append(len(text)) or ""
    )
    page = client.get("/documents/2023-science-popularisation-plan/")
    assert page.status_code == 200 and "![![![" in page.get_data(as_text=True)
    assert rendered == [], "the page rendered its body while the visitor waited"


def test_a_body_of_brackets_is_refused_on_the_line_where_they_become_too_many(site):
    path = site / "policy" / "2023-science-popularisation-plan.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "[链接]\n" * 9_999 + "[[\n", encoding="utf-8")
    document, problems = parse_file(path, site)
    body_lines = text.count("\n")
    assert document is None
    assert [str(p) for p in problems] == [
        f"policy/2023-science-popularisation-plan.md:{body_lines + 10_000}: more than 10,000 "
        "'[' in the text: Markdown reads each as the start of a link, which makes the page slow "
        "to build; split the document"
    ]
