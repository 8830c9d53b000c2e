"""Make the Word and PDF fixtures of the importer's tests from the flattened text fixtures.

Each report is written the way staff write it in Word: the title, the prose, and the three
statutory tables with their merged cells (rowspan and colspan as in the statutory sheet), page
numbers `— N —` in the footer. LibreOffice then saves each DOCX as a PDF. Run by hand, from the
repository root, when the fixtures need to change (CI never runs it: the files are committed):

    apt-get install -y libreoffice-writer-nogui
    .venv/bin/python tests/report_fixtures/make_documents.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from portal.extraction import Table, extract
from portal.reports import TABLE2_BLOCKS, TABLE3_SECTIONS, TABLE4_COLUMNS, format_value
from portal.reports.importer import import_report

HERE = Path(__file__).parent
# (text fixture, output stem, blank the cells of an all-zero row of table 3 as many reports do)
REPORTS = (
    ("lingwu-kjj-2024.txt", "lingwu-kjj-2024", False),
    ("sample-2023.txt", "sample-2023", True),
)


# (text fixture, output stem) of the reports also written with Word's automatic numbering.
NUMBERED = (("lingwu-kjj-2024.txt", "lingwu-kjj-2024-numbered"),)
# The numbering a label starts with, and the list level Word draws it at.
_LEVELS = (
    (re.compile(r"^[一二三四五六七八九十]+、"), 0),
    (re.compile(r"^\([一二三四五六七八九十]+\)"), 1),
    (re.compile(r"^\d+\."), 2),
)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class Lists:
    """Word numbering lists added to a document: 一、 then (一) then 1., as the seed writes them.
    ``section`` is drawn by the paragraph style ``ReportSection`` at its first level, the rest
    by each paragraph's own numbering properties."""

    def __init__(self, document) -> None:
        self.numbering = document.part.numbering_part.element
        self.body = self._add(90)
        self.table3 = self._add(91)
        style = document.styles.add_style("ReportSection", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.font.bold = True
        self._number(style.element.get_or_add_pPr(), self.body, 0)

    def _add(self, number: int) -> str:
        levels = "".join(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{kind}"/>'
            f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl>'
            for level, kind, text in (
                (0, "chineseCounting", "%1、"),
                (1, "chineseCounting", "(%2)"),
                (2, "decimal", "%3."),
            )
        )
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{number}">'
            f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
        )
        self.numbering.find(qn("w:num")).addprevious(abstract)
        self.numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{number}">'
                f'<w:abstractNumId w:val="{number}"/></w:num>'
            )
        )
        return str(number)

    @staticmethod
    def _number(ppr, num_id: str, level: int) -> None:
        numpr = ppr.get_or_add_numPr()
        numpr.get_or_add_ilvl().val = level
        numpr.get_or_add_numId().val = int(num_id)

    def strip(self, text: str) -> tuple[str, int | None]:
        """The text without the numbering Word will draw, and the level it draws it at."""
        for pattern, level in _LEVELS:
            if match := pattern.match(text):
                return text[match.end() :], level
        return text, None

    def paragraph(self, document, text: str, bold: bool = False):
        """A paragraph of the body, its numbering drawn by Word (level 0 by its style)."""
        text, level = self.strip(text)
        if level == 0:
            paragraph = document.add_paragraph(style="ReportSection")
            paragraph.add_run(text)
            return paragraph
        paragraph = document.add_paragraph()
        paragraph.add_run(text).bold = bold
        if level is not None:
            self._number(paragraph._p.get_or_add_pPr(), self.body, level)
        return paragraph

    def cell(self, cell, text: str) -> None:
        """A row label of table 3, its numbering drawn by Word."""
        text, level = self.strip(text)
        cell.text = text
        if level is not None:
            self._number(cell.paragraphs[0]._p.get_or_add_pPr(), self.table3, level)


def _merge(table, top: int, left: int, bottom: int, right: int, text: str) -> None:
    cell = table.cell(top, left).merge(table.cell(bottom, right))
    cell.text = text


def _fill(table, row: int, column: int, text: str) -> None:
    table.cell(row, column).text = text


def _table2(document, report) -> None:
    rows = sum(2 + len(block.rows) for block in TABLE2_BLOCKS)
    table = document.add_table(rows=rows, cols=4)
    table.style = "Table Grid"
    at = 0
    for block in TABLE2_BLOCKS:
        _merge(table, at, 0, at, 3, block.label)
        _fill(table, at + 1, 0, "信息内容")
        if len(block.columns) == 3:
            for index, column in enumerate(block.columns, 1):
                _fill(table, at + 1, index, column.label)
        else:
            _merge(table, at + 1, 1, at + 1, 3, block.columns[0].label)
        for offset, row in enumerate(block.rows, 2):
            _fill(table, at + offset, 0, row.label)
            values = [format_value(report.value(2, row.key, c.key)) for c in block.columns]
            if len(values) == 3:
                for index, value in enumerate(values, 1):
                    _fill(table, at + offset, index, value)
            else:
                _merge(table, at + offset, 1, at + offset, 3, values[0])
        at += 2 + len(block.rows)


def _table3(document, report, blank_zero_rows: bool, lists: Lists | None = None) -> None:
    body = [row for section in TABLE3_SECTIONS for row in section]
    data_rows = [row for row in body if not row.heading]
    table = document.add_table(rows=3 + len(data_rows), cols=10)
    table.style = "Table Grid"
    _merge(
        table, 0, 0, 2, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    )
    _merge(table, 0, 3, 0, 9, "申请人情况")
    _merge(table, 1, 3, 2, 3, "自然人")
    _merge(table, 1, 4, 1, 8, "法人或其他组织")
    _merge(table, 1, 9, 2, 9, "总计")
    for index, label in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")):
        _fill(table, 2, 4 + index, label)
    at = 3

    def label(top: int, left: int, bottom: int, right: int, text: str) -> None:
        cell = table.cell(top, left).merge(table.cell(bottom, right))
        if lists is None:
            cell.text = text
        else:
            lists.cell(cell, text)

    for row in body:
        if row.key == "results":
            # 三、本年度办理结果 spans every row down to （七）总计.
            span = len([r for r in data_rows if r.level >= 1])
            label(at, 0, at + span - 1, 0, row.label)
            continue
        if row.heading:
            size = len([r for r in body if r.group == row.key])
            label(at, 1, at + size - 1, 1, row.label)
            continue
        if row.level == 0:
            label(at, 0, at, 2, row.label)
        elif row.level == 1:
            label(at, 1, at, 2, row.label)
        else:
            label(at, 2, at, 2, row.label)
        values = [report.value(3, row.key, column) for column in _TABLE3_KEYS]
        blank = blank_zero_rows and not any(values)
        for index, value in enumerate(values):
            _fill(table, at, 3 + index, "" if blank else format_value(value))
        at += 1


_TABLE3_KEYS = ("person", "business", "research", "nonprofit", "legal", "other", "total")


def _table4(document, report) -> None:
    table = document.add_table(rows=4, cols=15)
    table.style = "Table Grid"
    _merge(table, 0, 0, 0, 4, "行政复议")
    _merge(table, 0, 5, 0, 14, "行政诉讼")
    for index, column in enumerate(TABLE4_COLUMNS):
        _merge(table, 1, index, 2, index, column.label)
        _fill(table, 2, 5 + index, column.label)
        _fill(table, 2, 10 + index, column.label)
    _merge(table, 1, 5, 1, 9, "未经复议直接起诉")
    _merge(table, 1, 10, 1, 14, "复议后起诉")
    for group_index, group in enumerate(("review", "suit_direct", "suit_after_review")):
        for index, column in enumerate(TABLE4_COLUMNS):
            value = format_value(report.value(4, group, column.key))
            _fill(table, 3, group_index * 5 + index, value)


def _page_numbers(section) -> None:
    """The footer `— N —` every Chinese government document carries."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def make_docx(result, blank_zero_rows: bool, path: Path, numbered: bool = False) -> None:
    """The report as staff write it in Word; ``numbered``: its headings and table 3's row
    labels numbered by Word's automatic numbering, not written in their text."""
    document = Document()
    lists = Lists(document) if numbered else None
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    _page_numbers(section)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(result.title).bold = True
    tables = {2: _table2, 3: _table3, 4: _table4}
    for part in result.body.split("\n\n"):
        part = part.strip()
        if not part:
            continue
        if match := re.fullmatch(r"\[\[table:(\d)\]\]", part):
            number = int(match.group(1))
            if number == 3:
                tables[3](document, result.report, blank_zero_rows, lists)
            else:
                tables[number](document, result.report)
            continue
        if lists is not None and part.startswith("#"):
            lists.paragraph(document, _unescape(part.lstrip("# ")), bold=part.startswith("## "))
        elif part.startswith("## "):
            document.add_paragraph().add_run(_unescape(part[3:])).bold = True
        elif part.startswith("### "):
            document.add_paragraph(_unescape(part[4:]))
        else:
            paragraph = document.add_paragraph(_unescape(part))
            paragraph.paragraph_format.first_line_indent = Pt(22)
    document.save(path)


def markdown_table(table) -> list[str]:
    """A table as a converter such as markdownify writes it: an empty header row, a cell
    merged across columns followed by empty cells, a cell merged down rows left out below."""
    seen: set[int] = set()
    rows = []
    for row in table.grid:
        cells = []
        for column, index in enumerate(row):
            if index in seen and (column == 0 or row[column - 1] != index):
                continue  # merged down from the row above: a converter drops it
            cells.append("" if index in seen else table.cells[index].replace("|", r"\|"))
            seen.add(index)
        rows.append("| " + " | ".join(cells) + " |")
    width = max(len(row) for row in table.grid)
    return ["| " + " | ".join([""] * width) + " |", "|" + "---|" * width, *rows]


def make_markdown(result, docx_path: Path, path: Path) -> None:
    """The report as a Markdown conversion: `#` headings, pipe tables."""
    tables = [b for b in extract(docx_path.read_bytes(), "docx").blocks if isinstance(b, Table)]
    parts = [f"# {result.title}"]
    for part in result.body.split("\n\n"):
        if match := re.fullmatch(r"\[\[table:(\d)\]\]", part.strip()):
            parts.append("\n".join(markdown_table(tables[int(match.group(1)) - 2])))
        elif part.strip():
            parts.append(part.strip())
    path.write_text("\n\n".join(parts) + "\n", "utf-8")


def main() -> None:
    """Write every fixture's DOCX, its Markdown conversion, then its PDF with LibreOffice."""
    for source, stem, blank in REPORTS:
        result = import_report((HERE / source).read_text("utf-8"))
        if result.report is None:
            sys.exit(f"{source} does not import: {result.unplaced}")
        docx_path = HERE / f"{stem}.docx"
        make_docx(result, blank, docx_path)
        make_markdown(result, docx_path, HERE / f"{stem}.md")
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(HERE),
                    str(docx_path),
                ],
                check=True,
                capture_output=True,
            )
        print(f"wrote {docx_path.name}, {stem}.md and {stem}.pdf")
    for source, stem in NUMBERED:
        result = import_report((HERE / source).read_text("utf-8"))
        make_docx(result, False, HERE / f"{stem}.docx", numbered=True)
        resave_with_libreoffice(HERE / f"{stem}.docx", HERE / f"{stem}-lo.docx")
        print(f"wrote {stem}.docx and {stem}-lo.docx")


def soffice(profile: str, *arguments: str) -> None:
    """Run LibreOffice headless with its own throwaway profile."""
    command = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *arguments]
    subprocess.run(command, check=True, capture_output=True)


def resave_with_libreoffice(docx_path: Path, target: Path) -> None:
    """The document opened and saved by LibreOffice (through its own format), which writes
    Word's numbering its own way: a list per paragraph style, taiwaneseCountingThousand."""
    with tempfile.TemporaryDirectory() as folder:
        soffice(folder, "--convert-to", "odt", "--outdir", folder, str(docx_path))
        odt = Path(folder) / f"{docx_path.stem}.odt"
        out = Path(folder) / "out"
        soffice(folder, "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(odt))
        target.write_bytes((out / f"{docx_path.stem}.docx").read_bytes())


if __name__ == "__main__":
    main()
