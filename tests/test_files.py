"""Files sent by the site (attachments, videos, captions, transcripts, data downloads): nothing
in them runs on the site's origin, and nothing outside content/ is ever published."""

import os
from pathlib import Path

import pytest
from werkzeug.http import parse_options_header

from portal import filetypes
from portal.catalogue import load_catalogue

DOCUMENT = "policy/2023-science-popularisation-plan.md"
URL = "/documents/2023-science-popularisation-plan"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def declare(site: Path, yaml: str) -> Path:
    """Add front-matter lines (attachments: or videos:) to the fixture document."""
    path = site / DOCUMENT
    text = path.read_text(encoding="utf-8").replace("attachments:\n", yaml, 1)
    path.write_text(text, encoding="utf-8")
    return path


def problems(site: Path) -> list[str]:
    return [str(problem) for problem in load_catalogue(site).problems]


def test_a_symlinked_attachment_is_refused_by_the_check_and_never_served(site, client):
    (site / "policy" / "passwd.txt").symlink_to("/etc/passwd")
    declare(site, "attachments:\n  - file: passwd.txt\n    title: 附件\n")
    assert problems(site) == [
        f"{DOCUMENT}:13: attachments: 'passwd.txt' is a symbolic link; "
        "put the file itself in the document's folder"
    ]
    response = client.get(f"{URL}/attachments/passwd.txt")
    assert response.status_code == 404
    assert b"root:" not in response.data


def test_an_attachment_swapped_for_a_link_after_publication_is_not_served(site, app, client):
    (site / "policy" / "form.txt").write_text("申报表", encoding="utf-8")
    declare(site, "attachments:\n  - file: form.txt\n    title: 附件\n")
    with client.get(f"{URL}/attachments/form.txt") as response:
        assert response.data == "申报表".encode()
    (site / "policy" / "form.txt").unlink()
    (site / "policy" / "form.txt").symlink_to("/etc/passwd")
    app.extensions["portal.catalogue"].interval = 0
    # The broken document keeps its last good version, whose copy of the file is served;
    # the link is never followed.
    assert client.get(f"{URL}/").status_code == 200
    with client.get(f"{URL}/attachments/form.txt") as response:
        assert response.data == "申报表".encode()
    assert "form.txt' is a symbolic link" in "\n".join(problems(site))


@pytest.mark.parametrize(
    "yaml,message",
    [
        (
            "attachments:\n  - file: page.html\n",
            "attachments: 'page.html' is not a type the site publishes; use one of: pdf, ofd, doc",
        ),
        ("attachments:\n  - file: chart.svg\n", "attachments: 'chart.svg' is not a type"),
        ("attachments:\n  - file: data.xml\n", "attachments: 'data.xml' is not a type"),
        ("attachments:\n  - file: run.js\n", "attachments: 'run.js' is not a type"),
        (
            "videos:\n  - file: page.html\n    captions: page.vtt\nattachments:\n",
            "videos: 'page.html' is not a type the site publishes as a video; "
            "use one of: mp4, webm",
        ),
        (
            "videos:\n  - file: page.mp4\n    transcript: page.js\nattachments:\n",
            "videos: 'page.js' is not a type the site publishes as a transcript; "
            "use one of: txt, pdf",
        ),
        (
            "videos:\n  - file: page.mp4\n    captions: page.srt\nattachments:\n",
            "videos: 'page.srt' is not a type the site publishes as captions; use one of: vtt",
        ),
    ],
)
def test_the_check_refuses_types_that_could_run_script(site, client, yaml, message):
    for name in (
        "page.html",
        "chart.svg",
        "data.xml",
        "run.js",
        "page.vtt",
        "page.mp4",
        "page.js",
        "page.srt",
    ):
        (site / "policy" / name).write_text("<script>alert(1)</script>", encoding="utf-8")
    declare(site, yaml)
    found = problems(site)
    assert len(found) == 1 and found[0].startswith(f"{DOCUMENT}:")
    assert message in found[0]
    assert client.get(f"{URL}/").status_code == 404  # never published with such a file


def test_a_symlinked_video_caption_transcript_or_report_is_refused(site):
    (site / "policy" / "talk.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    for name in ("talk.vtt", "talk.txt"):
        (site / "policy" / name).symlink_to("/etc/hostname")
    declare(
        site,
        "videos:\n  - file: talk.mp4\n    captions: talk.vtt\n"
        "    transcript: talk.txt\nattachments:\n",
    )
    report = site / "reports" / "lingwu-kjj-2023.report.yml"
    outside = site.parent / "outside.report.yml"
    os.replace(report, outside)
    report.symlink_to(outside)
    found = problems(site)
    assert (
        f"{DOCUMENT}:14: videos: 'talk.vtt' is a symbolic link; put the file itself in the "
        "document's folder" in found
    )
    assert any(p.startswith(f"{DOCUMENT}:15: videos: 'talk.txt' is a symbolic link") for p in found)
    assert any(
        p.startswith("reports/lingwu-kjj-2023.md:")
        and "report: 'lingwu-kjj-2023.report.yml' is a symbolic link" in p
        for p in found
    )


def test_content_behind_a_symlinked_folder_or_file_is_never_published(site, tmp_path, client):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside-doc.md").write_text(
        (site / DOCUMENT).read_text(encoding="utf-8").replace("00007", "00099"), encoding="utf-8"
    )
    (site / "linked").symlink_to(elsewhere)
    (site / "policy" / "linked-doc.md").symlink_to(elsewhere / "outside-doc.md")
    assert sorted(problems(site)) == [
        "linked:1: a symbolic link: content must be real files and folders inside the content "
        "folder; copy it here",
        "policy/linked-doc.md:1: a symbolic link: content must be real files and folders inside "
        "the content folder; copy it here",
    ]
    assert client.get("/documents/outside-doc/").status_code == 404
    assert client.get("/documents/linked-doc/").status_code == 404


def test_text_files_must_be_utf8_as_the_site_declares_them(site):
    (site / "policy" / "list.csv").write_bytes("名单".encode("gb18030"))
    declare(site, "attachments:\n  - file: list.csv\n")
    assert problems(site) == [
        f"{DOCUMENT}:13: attachments: 'list.csv' is not UTF-8 text (byte "
        "0xc3 at offset 0); save it as UTF-8"
    ]


def test_file_responses_are_typed_sandboxed_and_never_sniffed(site, client):
    (site / "policy" / "plan.pdf").write_bytes(PDF)
    (site / "policy" / "plan.docx").write_bytes(b"PK\x03\x04<html><script>x</script>")
    (site / "policy" / "talk.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    (site / "policy" / "talk.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (site / "policy" / "talk.txt").write_text("<html><script>alert(1)</script>", encoding="utf-8")
    declare(
        site,
        "videos:\n  - file: talk.mp4\n    captions: talk.vtt\n"
        "    transcript: talk.txt\nattachments:\n  - file: plan.pdf\n"
        "  - file: plan.docx\n",
    )
    expected = {
        "attachments/plan.pdf": ("application/pdf", "inline", filetypes.FILE_POLICY),
        "attachments/plan.docx": (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "attachment",
            filetypes.FILE_POLICY,
        ),
        "media/talk.mp4": ("video/mp4", "inline", filetypes.MEDIA_POLICY),
        "media/talk.vtt": ("text/vtt; charset=utf-8", "inline", filetypes.FILE_POLICY),
        "media/talk.txt": ("text/plain; charset=utf-8", "inline", filetypes.FILE_POLICY),
    }
    for path, (content_type, disposition, policy) in expected.items():
        with client.get(f"{URL}/{path}") as response:
            assert response.status_code == 200, path
            assert response.headers["Content-Type"] == content_type, path
            assert response.headers["Content-Disposition"].split(";")[0] == disposition, path
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
            assert response.headers["Content-Security-Policy"] == policy, path
    for path in (
        "/documents/lingwu-kjj-2023/tables.csv",
        "/documents/lingwu-kjj-2023/tables.json",
        "/reports/dataset.csv",
        "/reports/dataset.json",
    ):
        with client.get(path) as response:
            assert response.headers["Content-Security-Policy"] == filetypes.FILE_POLICY, path
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert "sandbox" in filetypes.FILE_POLICY.split("; ")
    assert "allow-scripts" not in filetypes.MEDIA_POLICY


def test_a_video_can_be_fetched_in_ranges_for_seeking(site, client):
    (site / "policy" / "talk.mp4").write_bytes(bytes(range(200)))
    (site / "policy" / "talk.vtt").write_text("WEBVTT\n", encoding="utf-8")
    declare(site, "videos:\n  - file: talk.mp4\n    captions: talk.vtt\nattachments:\n")
    with client.get(f"{URL}/media/talk.mp4", headers={"Range": "bytes=100-109"}) as response:
        assert response.status_code == 206
        assert response.data == bytes(range(100, 110))
        assert response.headers["Content-Range"] == "bytes 100-109/200"


def test_a_chinese_file_name_is_kept_when_downloaded(site, client):
    name = "附件1：申报表 (2024).docx"
    (site / "policy" / name).write_bytes(b"PK\x03\x04")
    declare(site, f'attachments:\n  - file: "{name}"\n')
    href = f"{URL}/attachments/{name}"
    with client.get(href) as response:
        header = response.headers["Content-Disposition"]
    assert header.startswith('attachment; filename="1_2024.docx"; ')  # old clients: ASCII only
    assert parse_options_header(header) == ("attachment", {"filename": name})  # RFC 6266


@pytest.mark.parametrize(
    "name", ["page.html", "x.svg", "x.xml", "x.js", "x.xhtml", "x", "x.PDF.html"]
)
def test_a_type_outside_the_table_is_a_sandboxed_download(name):
    headers = filetypes.file_headers(name)
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert headers["Content-Security-Policy"] == filetypes.FILE_POLICY


def test_only_types_a_browser_cannot_script_are_shown_inline():
    inline = {name for name, kind in filetypes.TYPES.items() if kind.inline}
    assert inline == {
        "pdf",
        "txt",
        "csv",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "mp3",
        "ogg",
        "mp4",
        "webm",
        "vtt",
    }
    assert not {"svg", "html", "htm", "xml", "js", "xhtml"} & set(filetypes.TYPES)


@pytest.mark.parametrize(
    "name,header",
    [
        ("report.pdf", 'inline; filename="report.pdf"'),
        ('a"b\r\n.pdf', "inline; filename=\"a_b.pdf\"; filename*=UTF-8''a%22b%0D%0A.pdf"),
        ("说明.txt", "inline; filename=\"download.txt\"; filename*=UTF-8''%E8%AF%B4%E6%98%8E.txt"),
    ],
)
def test_content_disposition_is_safe_for_any_name(name, header):
    assert filetypes.content_disposition(name, inline=True) == header
