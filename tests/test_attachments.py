"""Attachments are searchable and readable: their text (PDF, DOCX, XLSX, CSV, plain text) is
extracted once per content hash, off the request path and within bounds; indexed with the
document, so a hit found in an attachment says which; shown as an accessible text version beside
the download; and `portal check` names a PDF a screen reader cannot read."""

import io
import shutil
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.extraction import ATTACHMENT_LIMITS, Limits, Table, TextStore, extract
from portal.search import index_content

FIXTURES = Path(__file__).parent / "report_fixtures"
DOCUMENT = "policy/2024-tech-commissioner-measures.md"
SLUG = "2024-tech-commissioner-measures"


def scanned_pdf() -> bytes:
    """A PDF that is only a picture, as a scanner makes it."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(buffer, "PDF")
    return buffer.getvalue()


def attach(site: Path, name: str, data: bytes, title: str) -> None:
    """Publish ``data`` as a further attachment of the fixture's policy document."""
    (site / "policy" / name).write_bytes(data)
    document = site / DOCUMENT
    document.write_text(
        document.read_text("utf-8").replace(
            "    title: 附件1：科技特派员申报表\n",
            f"    title: 附件1：科技特派员申报表\n  - file: {name}\n    title: {title}\n",
        ),
        "utf-8",
    )


# --- Extraction, kind by kind ---------------------------------------------------------------------


def test_a_spreadsheet_gives_each_sheet_as_a_heading_and_a_table():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名额分配"
    sheet.append(["乡镇", "名额"])
    sheet.append(["东塔镇", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    document = extract(buffer.getvalue(), "xlsx")
    heading, table = document.blocks
    assert (heading.text, heading.level) == ("名额分配", 2)
    assert table.rows() == [["乡镇", "名额"], ["东塔镇", "5"]]
    assert document.text == "名额分配\n乡镇\t名额\n东塔镇\t5"


def test_csv_in_gb18030_and_text_are_read():
    document = extract("乡镇,名额\n东塔镇,5\n".encode("gb18030"), "csv")
    assert document.blocks[0].rows() == [["乡镇", "名额"], ["东塔镇", "5"]]
    assert [b.text for b in extract("第一段\n\n第二段".encode(), "txt").blocks] == [
        "第一段",
        "第二段",
    ]


def test_a_word_file_gives_its_paragraphs_and_merged_tables():
    document = extract((FIXTURES / "sample-2023.docx").read_bytes(), "docx")
    assert document.blocks[0].text == "示例县科学技术局2023年政府信息公开工作年度报告"
    table = next(block for block in document.blocks if isinstance(block, Table))
    assert table.spans()[0] == [("第二十条第（一）项", 1, 4)]


def test_a_pdf_gives_its_text_without_page_numbers():
    document = extract((FIXTURES / "sample-2023.pdf").read_bytes(), "pdf")
    assert document.pages == 4
    assert "— 2 —" not in document.text and "—2—" not in document.text
    assert "全年主动公开政府信息86条" in document.text


# --- Bounds ---------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_directory_without_unpacking(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(b"\0" * (1 << 22))  # 256 MB of zeros, 260 KB packed
    (tmp_path / "bomb.docx").write_bytes(buffer.getvalue())
    kept = TextStore(tmp_path / "texts").ensure(tmp_path / "bomb.docx")
    assert kept.document is None
    assert kept.error.startswith("the archive unpacks to 268,435,")


def minimal_pdf(streams: list[bytes], flate: bool = False) -> bytes:
    """A PDF of one page per content stream, written by hand."""
    objects = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", b""]
    kids = []
    for stream in streams:
        extra = b" /Filter /FlateDecode" if flate else b""
        objects.append(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), extra, stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, 2)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, len(objects), xref)
    )
    return out.getvalue()


@pytest.mark.slow
def test_a_pdf_of_ten_thousand_pages_is_read_as_far_as_the_bound(tmp_path):
    pages = [b"BT /F1 12 Tf 72 712 Td (page %d) Tj ET" % n for n in range(10_000)]
    (tmp_path / "long.pdf").write_bytes(minimal_pdf(pages))
    kept = TextStore(tmp_path / "texts").ensure(tmp_path / "long.pdf")
    assert kept.document.truncated == "only the first 200 of 10000 pages read"
    assert kept.document.pages == 10_000
    assert kept.text.splitlines()[-1] == "page 199"


@pytest.mark.slow
def test_a_pdf_that_decompresses_to_gigabytes_costs_the_child_process_only(tmp_path):
    compressor = zlib.compressobj(1)
    chunk = b" " * (1 << 22)
    stream = b"".join(compressor.compress(chunk) for _ in range(160)) + compressor.flush()
    (tmp_path / "bomb.pdf").write_bytes(minimal_pdf([stream], flate=True))  # 670 MB unpacked
    kept = TextStore(tmp_path / "texts").ensure(tmp_path / "bomb.pdf")
    assert not kept.has_text
    assert "cannot be read" in (kept.error or kept.document.truncated)


def test_a_file_over_the_size_bound_is_not_read(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"x" * 2000)
    kept = TextStore(tmp_path / "texts", Limits(max_bytes=1000)).ensure(tmp_path / "big.txt")
    assert kept.error == "the file is 2,000 bytes, more than 1,000"


def test_text_is_extracted_once_per_content_and_only_read_after(tmp_path):
    store = TextStore(tmp_path / "texts")
    (tmp_path / "a.csv").write_text("乡镇,名额\n东塔镇,5\n", "utf-8")
    assert store.get(tmp_path / "a.csv") is None  # never extracted: get does not extract
    first = store.ensure(tmp_path / "a.csv")
    shutil.copy(tmp_path / "a.csv", tmp_path / "copy-of-a.csv")
    # The same bytes under another name are the same text, already kept.
    again = TextStore(tmp_path / "texts").get(tmp_path / "copy-of-a.csv")
    assert again == first and again.has_text
    assert len(list((tmp_path / "texts").rglob("*.json"))) == 1
    assert ATTACHMENT_LIMITS.max_pages == 200


# --- Search ---------------------------------------------------------------------------------------


@pytest.fixture
def indexed_with_pdf(app, site):
    report = (FIXTURES / "sample-2023.pdf").read_bytes()
    attach(site, "annual-report.pdf", report, "附件2：年度报告")
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    return site


def test_a_word_only_in_an_attachment_finds_the_document_and_says_where(indexed_with_pdf, page):
    results = page("/search?q=政策解读形式较为单一")
    hit = results.select_one("ol.document-list > li")
    assert hit.select_one("a")["href"] == f"/documents/{SLUG}/"
    where = hit.select_one(".in-attachment").get_text(strip=True)
    assert where == "在附件《附件2：年度报告》中："
    assert hit.select_one(".snippet mark").get_text() in ("政策解读形式较为单一", "政策解读")


def test_the_json_api_names_the_attachment_a_hit_was_found_in(indexed_with_pdf, client):
    data = client.get("/api/search?q=政策解读形式较为单一").get_json()
    # Hits holding every word; a short first page goes on with some lacking one (partial).
    whole = [hit for hit in data["hits"] if not hit["partial"]]
    assert [(hit["slug"], hit["attachment"]) for hit in whole] == [(SLUG, "附件2：年度报告")]
    data = client.get("/api/search?q=科技特派员管理办法").get_json()
    assert {hit["attachment"] for hit in data["hits"]} == {None}


def test_a_word_in_the_document_itself_is_not_said_to_be_in_an_attachment(indexed_with_pdf, page):
    results = page("/search?q=科技特派员管理办法")
    assert results.select_one(".in-attachment") is None
    assert results.select_one(".snippet mark") is not None


def test_a_csv_attachment_of_the_fixture_site_is_searchable(app, site, page):
    form = site / "policy" / "2024-tech-commissioner-measures-form.csv"
    form.write_text(form.read_text("utf-8-sig") + "梧桐镇,2\n", "utf-8")
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    results = page("/search?q=梧桐镇")
    where = results.select_one(".in-attachment").get_text()
    assert where == "在附件《附件1：科技特派员申报表》中："
    assert results.select_one(".snippet mark").get_text() == "梧桐镇"
    # The table in the document's own text names 东塔镇 too: that hit is the document's.
    assert page("/search?q=东塔镇").select_one(".in-attachment") is None


# --- The text version -----------------------------------------------------------------------------


def test_each_attachment_with_text_has_a_text_version_beside_its_download(indexed_with_pdf, page):
    detail = page(f"/documents/{SLUG}/")
    links = [a["href"] for a in detail.select(".attachments a.text-version")]
    assert links == [
        f"/documents/{SLUG}/text/2024-tech-commissioner-measures-form.csv/",
        f"/documents/{SLUG}/text/annual-report.pdf/",
    ]
    text = page(links[1])
    assert text.h1.get_text(strip=True) == "附件2：年度报告"
    tables = text.select("article table")
    assert len(tables) == 3 and all(table.caption for table in tables)
    # The statutory table 3 as a table, its merged cells merged.
    assert tables[1].select_one("td[rowspan='22']").get_text() == "三、本年度办理结果"
    assert "全年主动公开政府信息86条，其中行政规范性文件3件。" in [
        p.get_text() for p in text.select("article p")
    ]


def test_the_text_version_reads_in_english_around_the_chinese_text(indexed_with_pdf, page):
    english = page(f"/en/documents/{SLUG}/text/annual-report.pdf/")
    assert english.h1.get("lang") == "zh-Hans"
    about = english.select_one(".attachment-about p").get_text(" ", strip=True)
    assert about.startswith("This is a text version of an attachment of")
    assert english.select_one("article")["lang"] == "zh-Hans"
    found = page("/en/search?q=政策解读形式较为单一")
    assert found.select_one(".in-attachment").get_text() == "In the attachment “附件2：年度报告”:"


def test_the_text_version_before_the_indexer_read_the_file_is_a_503_not_an_extraction(
    app, site, client
):
    response = client.get(f"/documents/{SLUG}/text/2024-tech-commissioner-measures-form.csv/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "文字版正在生成" in response.get_data(as_text=True)
    assert not (Path(app.config["SEARCH_INDEX_DIR"]) / "attachment-text").exists()


def test_a_scanned_pdf_says_it_has_no_text_and_an_unknown_name_is_404(app, site, page, client):
    attach(site, "scan.pdf", scanned_pdf(), "附件2：扫描件")
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    text = page(f"/documents/{SLUG}/text/scan.pdf/")
    assert "没有可提取的文字（可能是扫描的图片）" in text.get_text()
    assert text.select("article") == []
    assert client.get(f"/documents/{SLUG}/text/nothing.pdf/").status_code == 404


# --- portal check ---------------------------------------------------------------------------------


def test_check_warns_about_a_pdf_without_a_text_layer_and_names_it(site, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SEARCH_INDEX_DIR", str(tmp_path / "index"))
    attach(site, "scan.pdf", scanned_pdf(), "附件2：扫描件")
    result = CliRunner().invoke(main, ["check", "--content", str(site)])
    line = next(line for line in result.output.splitlines() if "scan.pdf" in line)
    lines = (site / DOCUMENT).read_text("utf-8").splitlines()
    declared = lines.index("  - file: scan.pdf") + 1  # where the file names its attachment
    assert line == (
        f"{site / DOCUMENT}:{declared}: warning: attachment scan.pdf is a PDF without a text layer "
        "(a scanned image?): screen readers cannot read it; publish its text too"
    )
    assert "1 warnings" in result.output or "warnings" in result.output
