"""Word's automatic numbering, written into the text it numbers.

Word draws 一、 （一） 1. in front of a paragraph from the numbering definitions
(word/numbering.xml) that the paragraph, or its style, points to; the paragraph's text does not
hold them. A report whose headings and table rows are numbered so would lose the numbering that
tells 其他 from 3.其他 and the sections apart. ``with_numbering`` gives the document with each
numbered paragraph's label written as a run at its start, counted as Word counts: per list and
level, a level restarting after a higher one, from each level's start value and any override.
Bullets are left out (they are no label). Read through python-docx's XML, after
``portal.extraction`` has measured the archive (so a zip bomb never reaches here).
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass

from docx.oxml.ns import qn

_CHINESE = "〇一二三四五六七八九"
_IDEOGRAPH = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PARENTHESISED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"


def _counting(number: int, digits: str = _CHINESE, ten: str = "十") -> str:
    """一 … 九十九 as Chinese counting writes it (十一, 二十, 一百 and over as digits)."""
    if number <= 0 or number >= 100:
        return str(number)
    tens, units = divmod(number, 10)
    text = ("" if tens == 1 else digits[tens]) + ten if tens else ""
    return text + (digits[units] if units else "")


def _roman(number: int) -> str:
    if not 0 < number < 4000:
        return str(number)
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while number >= value:
            out, number = out + letters, number - value
    return out


def _letters(number: int) -> str:
    if number <= 0:
        return str(number)
    return chr(ord("A") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def _cycle(symbols: str, number: int) -> str:
    return symbols[(number - 1) % len(symbols)] if number > 0 else str(number)


def format_number(number: int, kind: str) -> str | None:
    """``number`` in Word's number format ``kind`` (w:numFmt); None for a bullet or none."""
    if kind in ("bullet", "none"):
        return None
    formats = {
        "decimal": str,
        "decimalZero": lambda n: f"{n:02d}",
        "decimalFullWidth": lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)),
        "decimalHalfWidth": str,
        "upperRoman": _roman,
        "lowerRoman": lambda n: _roman(n).lower(),
        "upperLetter": _letters,
        "lowerLetter": lambda n: _letters(n).lower(),
        "chineseCounting": _counting,
        "chineseCountingThousand": _counting,
        "taiwaneseCounting": _counting,
        "japaneseCounting": _counting,
        "chineseLegalSimplified": lambda n: _counting(n, _LEGAL, "拾"),
        "ideographDigital": lambda n: "".join(_CHINESE[int(d)] for d in str(n)),
        "ideographTraditional": lambda n: _cycle(_IDEOGRAPH, n),
        "ideographZodiac": lambda n: _cycle(_ZODIAC, n),
        "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
        "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
        "decimalEnclosedParen": lambda n: _PARENTHESISED[n - 1] if 0 < n <= 20 else str(n),
    }
    if kind in formats:
        return formats[kind](number)
    # Word and LibreOffice name more East Asian countings (taiwaneseCountingThousand …).
    return _counting(number) if "Counting" in kind else str(number)


@dataclass(frozen=True)
class _Level:
    kind: str  # w:numFmt
    text: str  # w:lvlText, such as "%1、" or "（%2）"
    start: int
    restart: int | None  # w:lvlRestart: restarts after this level (1-based), 0 never
    legal: bool  # w:isLgl: every %n in decimal


def _val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


def _int(text: str | None, default: int | None = None) -> int | None:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _level(element) -> _Level:
    return _Level(
        kind=_val(element, "w:numFmt") or "decimal",
        text=_val(element, "w:lvlText") or "",
        start=_int(_val(element, "w:start"), 1) or 0,
        restart=_int(_val(element, "w:lvlRestart")),
        legal=element.find(qn("w:isLgl")) is not None
        and _val(element, "w:isLgl") not in ("0", "false"),
    )


class _Numbering:
    """The numbering definitions and the counters of one document, read in order."""

    def __init__(self, numbering) -> None:
        abstract = {}
        for element in numbering.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in element.findall(qn("w:lvl")):
                levels[_int(lvl.get(qn("w:ilvl")), 0)] = _level(lvl)
            abstract[element.get(qn("w:abstractNumId"))] = (element, levels)
        self.lists: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = {}
        for num in numbering.findall(qn("w:num")):
            abstract_id = _val(num, "w:abstractNumId")
            if abstract_id not in abstract:
                continue
            levels = dict(abstract[abstract_id][1])
            starts = {}
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                if (start := _int(_val(override, "w:startOverride"))) is not None:
                    starts[ilvl] = start
                if (lvl := override.find(qn("w:lvl"))) is not None:
                    levels[ilvl] = _level(lvl)
            self.lists[num.get(qn("w:numId"))] = (abstract_id, levels, starts)
        # Counters per abstract list (lists sharing one count on together, as in Word), and
        # the lists whose start override has been applied.
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()

    def label(self, num_id: str, ilvl: int) -> str | None:
        """The label of the next paragraph numbered ``num_id`` at level ``ilvl``."""
        if num_id not in self.lists:
            return None
        abstract_id, levels, starts = self.lists[num_id]
        if ilvl not in levels:
            return None
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in starts.items():
                counters[level] = start - 1
        level = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper, deeper_level in levels.items():
            restart = deeper_level.restart
            if deeper > ilvl and (restart is None or (restart != 0 and restart - 1 <= ilvl)):
                counters.pop(deeper, None)
        if format_number(counters[ilvl], level.kind) is None:
            return None
        text = level.text
        for index in range(8, -1, -1):
            marker = f"%{index + 1}"
            if marker not in text:
                continue
            shown = levels.get(index, level)
            value = counters.get(index, shown.start)
            kind = "decimal" if level.legal else shown.kind
            text = text.replace(marker, format_number(value, kind) or "")
        return text


def _style_numbering(styles) -> dict[str, tuple[str | None, int | None]]:
    """Each paragraph style's (numId, ilvl), its own or from the style it is based on."""
    own: dict[str, tuple[str | None, int | None, str | None]] = {}
    for style in styles.findall(qn("w:style")):
        ppr = style.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        based = _val(style, "w:basedOn")
        own[style.get(qn("w:styleId"))] = (
            _val(numpr, "w:numId"),
            _int(_val(numpr, "w:ilvl")),
            based,
        )
    resolved: dict[str, tuple[str | None, int | None]] = {}
    for style_id in own:
        num_id, ilvl, based, seen = None, None, style_id, set()
        while based in own and based not in seen:
            seen.add(based)
            own_num, own_ilvl, parent = own[based]
            num_id = num_id if num_id is not None else own_num
            ilvl = ilvl if ilvl is not None else own_ilvl
            based = parent
        resolved[style_id] = (num_id, ilvl)
    return resolved


def _default_style(styles) -> str | None:
    """The id of the paragraph style a paragraph naming none has (Normal, 正文: often "a")."""
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in ("1", "true"):
            return style.get(qn("w:styleId"))
    return None


def _paragraph_numbering(paragraph, styles, default: str | None) -> tuple[str | None, int]:
    ppr = paragraph.find(qn("w:pPr"))
    numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
    style_num, style_ilvl = styles.get(_val(ppr, "w:pStyle") or default, (None, None))
    num_id = _val(numpr, "w:numId") if numpr is not None else None
    ilvl = _int(_val(numpr, "w:ilvl")) if numpr is not None else None
    num_id = num_id if num_id is not None else style_num
    ilvl = ilvl if ilvl is not None else (style_ilvl or 0)
    return (None if num_id in (None, "0") else num_id), ilvl


def with_numbering(data: bytes) -> bytes:
    """The DOCX with each automatically numbered paragraph's label written at its start; the
    same bytes when nothing is numbered (or the numbering cannot be read)."""
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
        numbering_part = document.part.numbering_part
    except Exception:  # no numbering part, or a file python-docx reads differently: as it is
        return data
    styles_element = document.styles.element
    numbering = _Numbering(numbering_part.element)
    styles = _style_numbering(styles_element)
    default = _default_style(styles_element)
    changed = False
    for paragraph in document.element.body.iter(qn("w:p")):
        num_id, ilvl = _paragraph_numbering(paragraph, styles, default)
        if num_id is None:
            continue
        label = numbering.label(num_id, ilvl)
        if not label:
            continue
        _prepend(paragraph, label)
        changed = True
    if not changed:
        return data
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _prepend(paragraph, label: str) -> None:
    """Write ``label`` as the paragraph's first run, in the first run's own formatting."""
    run = paragraph.makeelement(qn("w:r"), {})
    first = paragraph.find(qn("w:r"))
    if first is not None and (properties := first.find(qn("w:rPr"))) is not None:
        run.append(copy.deepcopy(properties))
    text = run.makeelement(qn("w:t"), {})
    text.text = label
    run.append(text)
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(run)
    else:
        paragraph.insert(0, run)
