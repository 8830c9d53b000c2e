"""Stage two of an import: the labels of a table region, recognised against the statutory
layout (tolerating wrapped labels, full- and half-width punctuation, quotes, and the variants seen
in real reports), each with the values that follow it."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from portal.reports.importer.ocr import differences, fold, is_suspect_number
from portal.reports.importer.runs import pieces, segment, surface
from portal.reports.importer.source import (
    BLANK,
    BLANK_CELL,
    MERGED_CELL,
    Blank,
    Line,
    cell_value,
    comparable,
)
from portal.reports.layout import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_NOTE,
    TABLE3_SECTIONS,
    TABLE4_COLUMNS,
)
from portal.reports.model import Value

_NUMBERING = re.compile(
    r"^(?:(?P<cn>[一二三四五六七八九十]+)[、.,]"
    r"|\((?P<pcn>[一二三四五六七八九十]+)\)"
    r"|(?P<ar>\d{1,2})(?:[.、,]|(?=[^\d.,]))"
    r"|\((?P<par>\d{1,2})\))"
)


def _numbering_and_core(text: str) -> tuple[str | None, str]:
    """('cn' | 'pcn' | 'ar' | None, the label without numbering, punctuation or spaces)."""
    text = comparable(text)
    kind = None
    if match := _NUMBERING.match(text):
        kind = next(k for k, v in match.groupdict().items() if v is not None)
        kind = "ar" if kind == "par" else kind
        text = text[match.end() :]
    return kind, re.sub(r"[\W_]", "", text)


@dataclass(frozen=True)
class Label:
    """A label of a table region that the importer recognises."""

    role: str  # row, heading, column, group, block, ignore
    key: str
    cores: tuple[str, ...]
    numbering: str | None = None  # the numbering the label carries in the statutory format
    numbered: bool = False  # True: only matches with that numbering (e.g. 3.其他 vs 其他)
    prefix: bool = False  # True: matches any text starting with a core (long notes)


def _label(role: str, key: str, label: str, *variants: str, numbered: bool = False) -> Label:
    numbering, core = _numbering_and_core(label)
    cores = (core, *(_numbering_and_core(v)[1] for v in variants))
    return Label(role, key, cores, numbering, numbered)


def _fits(numbering: str | None, label: Label) -> bool:
    """True when a label written with ``numbering`` (or none) may be ``label``."""
    return numbering == label.numbering if numbering is not None else not label.numbered


def _match(text: str, labels: tuple[Label, ...], joined: bool = False) -> Label | None:
    """The label ``text`` is, if any; ``joined`` text (several lines) never matches by prefix."""
    numbering, core = _numbering_and_core(text)
    for label in labels:
        if label.prefix and not joined and core.startswith(label.cores):
            return label
        if core in label.cores and _fits(numbering, label):
            return label
    return None


def _match_folded(text: str, labels: tuple[Label, ...]) -> tuple[Label, str] | None:
    """The one label ``text`` is once look-alike characters are folded together (申清 for 申请,
    l. for 1.), with what was read as what; None when no label or several labels fit."""
    written, folded = comparable(text), comparable(fold(text))
    if len(written) != len(folded):
        return None
    match = _NUMBERING.match(folded)
    cut = match.end() if match else 0
    numbering, core = _numbering_and_core(folded)
    found = []
    for label in labels:
        for label_core in label.cores:
            if not label.prefix and fold(label_core) == core and _fits(numbering, label):
                found.append((label, label_core))
                break
    if len(found) != 1:
        return None
    label, label_core = found[0]
    readings = [
        differences(written[:cut], folded[:cut]),
        differences(re.sub(r"[\W_]", "", written[cut:]), label_core),
    ]
    read_as = "，".join(reading for reading in readings if reading)
    return (label, read_as) if read_as else None


_TABLE2_LABELS = (
    *(_label("block", block.key, block.label) for block in TABLE2_BLOCKS),
    _label("ignore", "content", "信息内容"),
    _label("column", "issued", "本年制发件数", "本年制发数量"),
    _label("column", "repealed", "本年废止件数", "本年废止数量"),
    _label("column", "in_force", "现行有效件数", "现行有效数量"),
    _label("column", "decisions", "本年处理决定数量", "本年处理决定数"),
    _label("column", "amount", "本年收费金额（单位：万元）", "本年收费金额", "本年收费金额万元"),
    _label("row", "rules", "规章"),
    _label("row", "normative", "行政规范性文件", "规范性文件"),
    _label("row", "licensing", "行政许可"),
    _label("row", "penalty", "行政处罚"),
    _label("row", "coercion", "行政强制"),
    _label("row", "fees", "行政事业性收费"),
)

_TABLE3_VARIANTS = {
    "new": ("本年度新收政府信息公开申请数量", "本年新收政府信息公开申请"),
    "carried_over": ("上年度结转政府信息公开申请数量", "上年结转政府信息公开申请"),
    "results": ("本年办理结果",),
    "partly_granted": ("部分公开",),
    "withheld_security": ("危及三安全一稳定",),
    "carried_forward": ("结转下年度继续办理的申请",),
}
# Column headers as converters cut them (社会公益 for 社会公益组织).
_COLUMN_VARIANTS = {"nonprofit": ("社会公益",), "legal": ("法律服务",)}
# Labels that are also column headers (其他, 总计) only match with their numbering.
_NUMBERED = {"other_misc", "total"}
_TABLE3_LABELS = (
    *(
        _label(
            "heading" if row.heading else "row",
            row.key,
            row.label,
            *_TABLE3_VARIANTS.get(row.key, ()),
            numbered=row.key in _NUMBERED,
        )
        for section in TABLE3_SECTIONS
        for row in section
    ),
    *(
        _label("column", column.key, column.label, *_COLUMN_VARIANTS.get(column.key, ()))
        for column in TABLE3_COLUMNS
    ),
    _label("group", "organisation", "法人或其他组织"),
    _label("ignore", "applicants", "申请人情况"),
    Label(
        "ignore", "note", ("本列数据的勾稽关系", _numbering_and_core(TABLE3_NOTE)[1]), prefix=True
    ),
)

_TABLE4_LABELS = (
    _label("group", "review", "行政复议"),
    _label("ignore", "litigation", "行政诉讼"),
    _label("group", "suit_direct", "未经复议直接起诉"),
    _label("group", "suit_after_review", "复议后起诉"),
    *(_label("column", column.key, column.label) for column in TABLE4_COLUMNS),
)
_LABELS = {2: _TABLE2_LABELS, 3: _TABLE3_LABELS, 4: _TABLE4_LABELS}
# Every way each table's labels may be written, to cut labels written together apart.
_SURFACES = {
    number: [(surface(core), label) for label in labels for core in label.cores if core]
    for number, labels in _LABELS.items()
}


# --- A region's lines as labels and the values after them ----------------------------------------


@dataclass(frozen=True)
class Token:
    """A piece of a line: a label's text, or a value (a number, a blank, a merged cell)."""

    text: str
    line: int | None
    value: Value | Blank | None = None  # None for a label
    merged: bool = False
    run: bool = False  # digits written together with text: may hold several cells
    suspect: bool = False  # a number with a letter in it (1O, l2): never read

    @property
    def is_label(self) -> bool:
        """True for text that is no value."""
        return self.value is None and not self.merged and not self.suspect


@dataclass
class Entry:
    """A label of a table region (or None) and the value tokens that follow it."""

    label: Label | None
    text: str
    line: int | None
    values: list[Token] = field(default_factory=list)
    read_as: str | None = None  # the label was written with look-alike characters: which


def _tokens(lines: list[Line], labels: tuple[Label, ...], surfaces) -> list[Token]:
    """Split lines into labels and values; a line 'label 1 2 3' gives a label and three values,
    and labels and digits written together (`规章000行政规范性文件101`) are cut apart."""
    tokens = []
    for number, text in lines:
        if text == BLANK_CELL:
            tokens.append(Token("", number, BLANK))
            continue
        if text == MERGED_CELL:
            tokens.append(Token("", number, None, merged=True))
            continue
        parts = text.split()
        values = [cell_value(part) for part in parts]
        suspect = [
            value is None and is_suspect_number(part)
            for part, value in zip(parts, values, strict=True)
        ]
        split = len(parts)
        while split > 0 and (values[split - 1] is not None or suspect[split - 1]):
            split -= 1
        if split:
            tokens += _label_tokens(" ".join(parts[:split]), number, labels, surfaces)
        tokens += [
            Token(part, number, value, suspect=odd)
            for part, value, odd in zip(parts[split:], values[split:], suspect[split:], strict=True)
        ]
    return tokens


def _label_tokens(text: str, line: int | None, labels, surfaces) -> list[Token]:
    """A label, or the labels and digit runs written together in ``text``; text that is not
    wholly labels and digits stays one token (a footnote, a wrapped part of a label)."""
    # Short text is cut only when it has digits or brackets: 申请人情况 (自然人) is two labels.
    if _match(text, labels, joined=True) is not None or not re.search(r"\d|\S{8,}|[(（]", text):
        return [Token(text, line)]
    out = []
    split = pieces(text)
    for index, (piece, is_run) in enumerate(split):
        if is_run:
            value = cell_value(piece)
            out.append(Token(piece, line, value, run="." not in piece and len(piece) > 1))
            continue
        if _match(piece, labels, joined=True) is not None:
            out.append(Token(piece, line))
            continue
        cut = segment(piece, surfaces, lambda part: _match(part, labels, joined=True) is not None)
        if cut is not None:
            out += [Token(part, line) for part in cut]
        elif index == len(split) - 1 and index > 0:
            out.append(Token(piece, line))  # text after the last number: a footnote
        else:
            return [Token(text, line)]
    return out if len(out) > 1 else [Token(text, line)]


def _entries(tokens: list[Token], labels: tuple[Label, ...]) -> list[Entry]:
    """Group tokens under the labels before them; a label may be wrapped over up to 4 lines."""
    entries: list[Entry] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not token.is_label:
            if not entries:
                entries.append(Entry(None, "", token.line))
            entries[-1].values.append(token)
            index += 1
            continue
        run = 1
        while run < 4 and index + run < len(tokens) and tokens[index + run].is_label:
            run += 1
        found = None
        for size in range(run, 0, -1):
            text = "".join(t.text for t in tokens[index : index + size])
            if label := _match(text, labels, joined=size > 1):
                found = (label, text, size, None)
                break
        for size in range(run, 0, -1) if found is None else ():
            text = "".join(t.text for t in tokens[index : index + size])
            if folded := _match_folded(text, labels):
                found = (folded[0], text, size, folded[1])
                break
        label, text, size, read_as = found or (None, token.text, 1, None)
        entries.append(Entry(label, text, token.line, read_as=read_as))
        index += size
    return entries


def find_labels(table: int, region: list[Line]) -> list[Entry]:
    """The labels of table 2, 3 or 4 in the lines of its region, each with the values after it.
    A label written twice in a row, first without values (a converter's heading over the row
    it heads), is one label."""
    entries = _entries(_tokens(region, _LABELS[table], _SURFACES[table]), _LABELS[table])
    return [
        entry
        for entry, following in itertools.zip_longest(entries, entries[1:])
        if not (
            following is not None
            and entry.label is not None
            and entry.label is following.label
            and entry.label.role == "row"
            and not entry.values
        )
    ]
