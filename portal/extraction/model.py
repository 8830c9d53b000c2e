"""What a document's text is, whatever its format: paragraphs and headings, and tables as a grid
of cells with their spans; and the bounds every reading of a file stays within."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field


class ExtractionError(ValueError):
    """A file that cannot be read within the bounds, or is not what its name says; the message
    says which, in words staff can act on."""


@dataclass(frozen=True)
class Limits:
    """How much of a file is read: a hostile file costs at most this much."""

    max_bytes: int = 50_000_000  # the file itself
    max_pages: int = 300  # PDF pages read; the rest are left out and said so
    max_unpacked: int = 200_000_000  # every member of a DOCX or XLSX, uncompressed, together
    max_ratio: int = 200  # a member that unpacks to more than this times its packed size
    max_chars: int = 2_000_000  # text kept; the rest is left out and said so
    max_cells: int = 200_000  # spreadsheet cells read
    max_seconds: float = 30.0  # reading stops (what was read is kept) after this long


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; ``level`` 1-6 for a heading, 0 for body text."""

    text: str
    level: int = 0
    page: int | None = None


@dataclass(frozen=True)
class Table:
    """A table: ``grid[row][column]`` is the index in ``cells`` of the cell covering that slot,
    so a cell merged over several rows or columns appears in each slot it covers."""

    cells: tuple[str, ...]
    grid: tuple[tuple[int, ...], ...]
    page: int | None = None
    caption: str = ""

    def rows(self) -> list[list[str]]:
        """Each row's cells as text, a merged cell once at its top-left slot, '' elsewhere."""
        seen: set[int] = set()
        out = []
        for row in self.grid:
            texts = []
            for index in row:
                texts.append("" if index in seen else self.cells[index])
                seen.add(index)
            out.append(texts)
        return out

    def spans(self) -> list[list[tuple[str, int, int]]]:
        """Each row's cells as (text, rowspan, colspan), a merged cell once at its top-left
        slot: the table as HTML writes it."""
        seen: set[int] = set()
        out = []
        for r, row in enumerate(self.grid):
            cells = []
            for c, index in enumerate(row):
                if index in seen:
                    continue
                seen.add(index)
                colspan = 1
                while c + colspan < len(row) and row[c + colspan] == index:
                    colspan += 1
                rowspan = 1
                while (
                    r + rowspan < len(self.grid)
                    and c < len(self.grid[r + rowspan])
                    and self.grid[r + rowspan][c] == index
                ):
                    rowspan += 1
                cells.append((self.cells[index], rowspan, colspan))
            out.append(cells)
        return out


Block = Paragraph | Table


@dataclass
class Extract:
    """A document's blocks in reading order, and what was left out (``truncated``: why)."""

    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    truncated: str = ""

    @property
    def text(self) -> str:
        """Plain text: a line per paragraph, and per table row with its cells tab-separated."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines += ["\t".join(cell for cell in row if cell) for row in block.rows()]
        return "\n".join(line for line in lines if line.strip())


class Budget:
    """Time and characters left while a file is read."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.chars = 0

    def spent(self) -> str:
        """Why reading must stop now, or '' while there is time and room left."""
        if time.monotonic() > self.deadline:
            return f"reading stopped after {self.limits.max_seconds:g} seconds"
        if self.chars > self.limits.max_chars:
            return f"text past {self.limits.max_chars:,} characters left out"
        return ""

    def take(self, text: str) -> str:
        """Count ``text`` against the budget and return it."""
        self.chars += len(text)
        return text


_CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")


def join_wrapped(parts: list[str]) -> str:
    """Lines of one cell or paragraph as one text: a space only between two words of Latin
    letters or digits (Chinese, and an address broken after its `/`, run on without one)."""
    text = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if (
            text
            and text[-1].isascii()
            and text[-1].isalnum()
            and part[0].isascii()
            and part[0].isalnum()
        ):
            text += " "
        text += part
    return tidy(text)


def tidy(text: str) -> str:
    """Spaces a layout put beside Chinese characters dropped (Chinese has no word spaces)."""
    return _SPACE_BY_CJK.sub("", re.sub(r"[ \t\u00a0]+", " ", text)).strip()
