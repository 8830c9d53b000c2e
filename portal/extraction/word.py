"""A Word document (DOCX) as paragraphs and tables, merged cells kept as merged (python-docx).

A DOCX is a zip archive: its members are measured before anything is unpacked, so a zip bomb
is refused at the cost of reading the archive's directory.
"""

from __future__ import annotations

import io
import re
import zipfile

from portal.extraction.model import Budget, Extract, ExtractionError, Limits, Paragraph, Table


def check_archive(data: bytes, limits: Limits, required: str) -> None:
    """Refuse an archive that unpacks past the limits or lacks its main part ``required``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise ExtractionError(f"not a valid Office file (a broken zip archive: {error})") from None
    with archive:
        members = archive.infolist()
        if len(members) > 10_000:
            raise ExtractionError(f"the archive holds {len(members):,} files; refused")
        total = sum(member.file_size for member in members)
        if total > limits.max_unpacked:
            raise ExtractionError(
                f"the archive unpacks to {total:,} bytes, more than {limits.max_unpacked:,}"
            )
        for member in members:
            packed = max(member.compress_size, 1)
            if member.file_size > 1_000_000 and member.file_size > packed * limits.max_ratio:
                raise ExtractionError(
                    f"{member.filename} unpacks {member.file_size // packed} times its size "
                    "(a zip bomb?); refused"
                )
        if required not in archive.namelist():
            raise ExtractionError(f"not the expected Office file: {required} is missing")


_HEADING_STYLE = re.compile(r"^(?:Heading|标题)\s*(\d)$", re.IGNORECASE)


def _level(paragraph) -> int:
    name = paragraph.style.name if paragraph.style is not None else ""
    if name == "Title":
        return 1
    match = _HEADING_STYLE.match(name or "")
    return min(int(match.group(1)), 6) if match else 0


def _table(table, budget: Budget) -> Table:
    """The table's grid: a cell merged across columns or down rows is one cell in every slot."""
    elements: list[object] = []  # kept alive, so that id() names each cell element once
    index_of: dict[int, int] = {}
    cells: list[str] = []
    grid = []
    for row in table.rows:
        slots = []
        for cell in row.cells:
            element = cell._tc
            if id(element) not in index_of:
                elements.append(element)
                index_of[id(element)] = len(cells)
                cells.append(budget.take(cell.text.replace("\n", "")))
            slots.append(index_of[id(element)])
        grid.append(tuple(slots))
    return Table(tuple(cells), tuple(grid))


def read_docx(data: bytes, limits: Limits) -> Extract:
    """The document's body: paragraphs (headings by their style) and tables, in order."""
    from docx import Document
    from docx.table import Table as WordTable

    check_archive(data, limits, "word/document.xml")
    budget = Budget(limits)
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on a damaged file
        raise ExtractionError(f"the Word document cannot be read ({error})") from None
    extract = Extract()
    for item in document.iter_inner_content():
        if why := budget.spent():
            extract.truncated = why
            break
        if isinstance(item, WordTable):
            extract.blocks.append(_table(item, budget))
        else:
            extract.blocks.append(Paragraph(budget.take(item.text), _level(item)))
    return extract
