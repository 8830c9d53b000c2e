"""Attachments uploaded for a draft: the name a file is kept under, its first bytes against its
type, its size bounded while it is copied, and a name in the folder never taken from another
file or written through a symbolic link; nothing is left behind when a file is refused."""

import io

import pytest

from portal import filetypes
from portal.catalogue.uploads import (
    CONTENT,
    EMPTY,
    LONG,
    NAME,
    SIZE,
    TAKEN,
    TYPE,
    UploadRefused,
    save_upload,
    upload_name,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


@pytest.mark.parametrize(
    ("browser_name", "kept_as"),
    [
        ("附件1.pdf", "2026-00004-附件1.pdf"),
        ("Report.PDF", "2026-00004-Report.pdf"),
        ("2026-00004-附件1.docx", "2026-00004-附件1.docx"),  # already the draft's
        ("  申报表 (修订).xlsx ", "2026-00004-申报表 (修订).xlsx"),
    ],
)
def test_an_upload_is_kept_under_the_drafts_address_and_its_own_name(browser_name, kept_as):
    assert upload_name(browser_name, "2026-00004") == kept_as


@pytest.mark.parametrize(
    ("browser_name", "reason"),
    [
        ("../../etc/passwd.pdf", NAME),
        ("..\\..\\boot.ini.pdf", NAME),
        ("/etc/cron.d/x.pdf", NAME),
        ("..", NAME),
        (".htaccess.pdf", NAME),
        ("", NAME),
        ("a\u202egpj.pdf", NAME),  # shows as "afdp.jpg"
        ("a\0.pdf", NAME),
        ("a\u3000b.pdf", NAME),  # an ideographic space: not printed, so not a plain name
        ("setup.exe", TYPE),
        ("page.html", TYPE),
        ("image.svg", TYPE),
        ("noextension", TYPE),
        ("长" * 90 + ".pdf", LONG),
    ],
)
def test_a_name_that_is_not_a_plain_name_of_a_published_type_is_refused(browser_name, reason):
    with pytest.raises(UploadRefused) as refused:
        upload_name(browser_name, "2026-00004")
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("name", "head", "matches"),
    [
        ("a.pdf", PDF, True),
        ("a.pdf", b"<html><script>", False),
        ("a.docx", b"PK\x03\x04\x14\x00", True),
        ("a.docx", PDF, False),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", True),
        ("a.wps", b"PK\x03\x04", True),
        ("a.png", b"\x89PNG\r\n\x1a\n", True),
        ("a.jpg", b"GIF89a", False),
        ("a.mp4", b"\0\0\0\x20ftypisom", True),
        ("a.txt", "纯文本".encode(), True),
        ("a.txt", "纯文本".encode()[:4], True),  # a character cut at the end of the head
        ("a.csv", "名称,数量".encode("gb18030"), False),
        ("a.txt", b"MZ\x90\x00\x03\0\0\0", False),
        ("a.vtt", b"\xef\xbb\xbfWEBVTT\n", True),
        ("a.vtt", b"1\n00:00.000 --> 00:01.000\n", False),
    ],
)
def test_the_first_bytes_must_be_what_the_type_starts_with(name, head, matches):
    assert filetypes.content_matches(name, head) is matches


def test_a_file_at_the_size_limit_is_kept_and_one_byte_more_is_refused(tmp_path):
    data = PDF + b"\0" * (5000 - len(PDF))
    assert save_upload(io.BytesIO(data), tmp_path, "a.pdf", 5000).read_bytes() == data
    with pytest.raises(UploadRefused) as refused:
        save_upload(io.BytesIO(data + b"\0"), tmp_path, "b.pdf", 5000)
    assert refused.value.reason == SIZE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]


@pytest.mark.parametrize(("data", "reason"), [(b"", EMPTY), (b"#!/bin/sh\nrm -rf /", CONTENT)])
def test_an_empty_file_or_one_that_is_not_its_type_is_refused(tmp_path, data, reason):
    with pytest.raises(UploadRefused) as refused:
        save_upload(io.BytesIO(data), tmp_path, "a.pdf", 5000)
    assert refused.value.reason == reason
    assert list(tmp_path.iterdir()) == []


def test_a_name_taken_by_a_file_a_link_or_a_dangling_link_is_never_written(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    target = tmp_path / "outside.pdf"
    target.write_bytes(b"%PDF- outside")
    (folder / "other.pdf").write_bytes(b"%PDF- another document's")
    (folder / "linked.pdf").symlink_to(target)
    (folder / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    for name in ("other.pdf", "linked.pdf", "dangling.pdf"):
        with pytest.raises(UploadRefused) as refused:
            save_upload(io.BytesIO(PDF), folder, name, 5000)
        assert refused.value.reason == TAKEN
    assert target.read_bytes() == b"%PDF- outside"
    assert (folder / "other.pdf").read_bytes() == b"%PDF- another document's"
    assert not (tmp_path / "nowhere.pdf").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["dangling.pdf", "linked.pdf", "other.pdf"]
