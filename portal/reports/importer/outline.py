"""Stage two of an import: the document's outline. Its title (the organisation and the year) and
its six section headings, which say where the prose and the three table regions stand.

Real reports number their sections in many ways: the statute's 一、 to 六、, but also （二）,
2., 第二部分, 表一 captions, no number at all, or the tables under 一、二、三 when the report has
no 总体情况. A section is known by its words first; where several lines could be the heading of
a table's section (a sub-heading （一）主动公开政府信息 in the prose, say), the three that are
numbered alike, in order, with their tables' contents after them, are taken. A heading written
on one line with what follows it (`二、主动公开政府信息情况第二十条第（一）项 信息内容 …`) is
cut from it first. Each reading that differs from the statute is said in a note.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from portal.reports.importer.furniture import ends_page, is_furniture
from portal.reports.importer.metadata import Metadata, take_metadata
from portal.reports.importer.ocr import fold
from portal.reports.importer.source import Line, collapse, comparable
from portal.reports.importer.title import (
    MARKERS,
    MARKUP,
    chinese_number,
    find_title,
    heading_text,
    no_title_message,
    title_match,
)

_STATISTICS_YEAR = re.compile(r"统计数据.{0,4}?((?:19|20)\d{2})年1月1日")

SECTIONS = ("一", "二", "三", "四", "五", "六")
STATUTORY = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}
# The words a heading of each section holds (on its text without numbering or punctuation).
_WORDS = {
    "一": r"^(?:总体情况|基本情况|总体概况|概述|工作概况|总体工作情况)",
    "二": r"^主动公开政府信息",
    "三": r"^(?:收到|受理|处理|办理).*申请",
    "四": r"(?:复议|诉讼).*情况|政府信息公开.*(?:复议|诉讼)",
    "五": r"问题|改进|整改|不足",
    "六": r"^其他.*事项|需要报告",
}
# What the statute's own numbering allows after 二、 三、 … (the rule before other numberings).
_STATUTORY_WORDS = {
    "一": r"",
    "二": r"主动公开",
    "三": r"(?:收到|处理).*申请",
    "四": r"复议|诉讼",
    "五": r"问题|改进|整改",
    "六": r"其他|事项",
}
# A section's whole wording, to cut a heading from what follows it on its line.
_WORDING = {
    "一": r"总体情况",
    "二": r"主动公开政府信息(?:的)?情况",
    "三": r"收到和处理政府信息公开申请(?:的)?情况",
    "四": r"政府信息公开.{0,3}复议.{0,2}行政诉讼(?:的)?情况",
    "五": r"存在的?主要?问题(?:及|和|与)?(?:改进|整改)(?:情况|措施|方向|计划)?",
    "六": r"其他需要报告的事项",
}
# How each table's region starts: a heading followed by this on its line is cut from it.
_TABLE_START = {
    "二": r"第二十条|信息内容",
    "三": r"\(?本列数据|申请人情况",
    "四": r"行政复议|行政诉讼",
}
_TABLE_OF = {"二": 2, "三": 3, "四": 4}
# Lines that belong to each table (its first labels), looked for after a heading.
_CONTENT = {
    2: re.compile(r"^(?:第二十条|信息内容$|规章$)"),
    3: re.compile(r"^\(?本列数据|^申请人情况$|^自然人$"),
    4: re.compile(r"^行政复议$|^行政诉讼$|^结果维持$"),
}
_NUMBER = r"[一二三四五六七八九十]{1,3}"
# A heading's numbering, on its text with spaces made one: 二、 二 （二） 2. 第二部分 表二.
_PREFIX = re.compile(
    r"^(?:"
    rf"(?P<cn>{_NUMBER})(?:[、.,:]\s?|\s)"
    rf"|\((?P<pcn>{_NUMBER})\)[、.]?\s?"
    r"|(?P<ar>\d{1,2})(?:[、.,:]\s?|\s)"
    r"|\((?P<par>\d{1,2})\)[、.]?\s?"
    rf"|第(?P<part>{_NUMBER}|\d{{1,2}})(?:部分|章|节)[、.,:]?\s?"
    rf"|表(?P<table>{_NUMBER}|\d{{1,2}})[、.,:]?\s?"
    r")"
)
_LONGEST_HEADING = 40
_SUBHEADING = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_MAX_CANDIDATES = 25  # lines that could head each table's section, looked at in order


class OutlineError(ValueError):
    """A source whose tables cannot be located; ``title`` is the title found, else ''."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title = title
        self.message = message


@dataclass(frozen=True)
class Outline:
    """Where a report's parts stand in its lines, and what its title says."""

    title: str
    organisation: str
    year: int
    title_at: int
    # The line of each section heading found (一 to 六; 二, 三 and 四 are always there).
    headings: dict[str, int]
    end: int  # the first line of page furniture after the report, else the number of lines
    tables: dict[int, list[Line]]  # the lines of each table's region
    notes: list[str] = field(default_factory=list)
    title_lines: int = 1  # a title broken over two lines takes two (none: from the metadata)
    # The lines the outline stands in: the source's, without page furniture and the metadata
    # table, with headings cut from what followed them on their line.
    lines: list[Line] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)

    def prose(self) -> list[str]:
        """The report's text outside its tables."""
        start = self.title_at + self.title_lines
        after = self.headings.get("五", self.headings.get("六", self.end))
        kept = [*self.lines[start : self.headings["二"]], *self.lines[after : self.end]]
        return [text for _, text in kept if text not in MARKERS]


def is_heading(text: str) -> bool:
    """True for a line short enough to be a heading and not ending as a sentence does."""
    normal = comparable(text)
    return len(normal) <= _LONGEST_HEADING and not normal.endswith(
        ("。", ".", "；", ";", "，", ",")
    )


def is_subheading(text: str) -> bool:
    """True for a heading numbered （一） within a section's prose."""
    normal = comparable(text)
    return (
        bool(_SUBHEADING.match(normal))
        and len(normal) <= 30
        and not normal.endswith(("。", ".", "；", ";"))
    )


@dataclass(frozen=True)
class _Heading:
    at: int
    section: str
    kind: str | None  # cn 二、 pcn （二） ar 2. part 第二部分 table 表二, or None
    number: int | None
    strict: bool  # numbered and worded as the statute does
    folded: bool = False  # read with look-alike characters folded together


def _numbering(text: str) -> tuple[str | None, int | None, str]:
    """(kind, number, the rest) of a heading's text (normalised, spaces kept as one)."""
    match = _PREFIX.match(text)
    if match is None:
        return None, None, text
    kind, value = next((k, v) for k, v in match.groupdict().items() if v is not None)
    kind = {"par": "ar"}.get(kind, kind)
    number = int(value) if re.fullmatch(r"[0-9]{1,2}", value) else chinese_number(value)
    return kind, number, text[match.end() :]


def _spaced(text: str) -> str:
    """``text`` in half-width forms with each run of spaces one space, its markup taken off."""
    return MARKUP.sub("", re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip())


def _sections_of(text: str, at: int) -> list[_Heading]:
    """The sections the line ``text`` may head (several words may fit), if it is a heading; a
    numbered heading of no known section is one with section ''."""
    if text in MARKERS or not is_heading(text):
        return []
    kind, number, rest = _numbering(_spaced(text))
    rest = re.sub(r"\s+", "", rest)
    core = re.sub(r"[\W_]", "", rest)
    out = []
    for section in SECTIONS:
        statutory = SECTIONS.index(section) + 1
        strict = (
            kind == "cn"
            and number == statutory
            and bool(re.search(_STATUTORY_WORDS[section], rest))
        )
        if strict or re.search(_WORDS[section], core):
            out.append(_Heading(at, section, kind, number, strict))
        elif re.search(fold(_WORDS[section]), fold(core)):
            out.append(_Heading(at, section, kind, number, False, folded=True))
    if not out and kind is not None and core:
        out.append(_Heading(at, "", kind, number, False))
    return out


def _mapped(text: str) -> tuple[str, list[int]]:
    """``text`` normalised (half-width, no spaces) and, for each of its characters, where it
    stands in ``text``."""
    normal: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKC", char):
            if not part.isspace():
                normal.append(part)
                where.append(index)
    return "".join(normal), where


# A numbered section heading in its whole wording inside a line (a page whose text was saved
# as one line): the line is cut before it, unless it is quoted.
_INSIDE = re.compile(
    r"(?<![“\"《「'])(?:[一二三四五六七八九十]{1,2}、|[（(][一二三四五六七八九十]{1,2}[)）]"
    r"|第[一二三四五六七八九十]部分)\s*(?:" + "|".join(_WORDING.values()) + ")"
)


def _pieces(text: str) -> list[str]:
    """``text`` cut before each numbered section heading inside it."""
    # Only after words: 【二、…】 and **二、…** are a heading in its marks, not two pieces.
    starts = [m.start() for m in _INSIDE.finditer(text) if re.search(r"\w", text[: m.start()])]
    bounds = [0, *starts, len(text)]
    pieces = [text[a:b].strip() for a, b in itertools.pairwise(bounds)]
    return [piece for piece in pieces if piece]


def separate_headings(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """The lines with each section heading cut from what is before it (a page saved as one
    line) and from what follows it on its line, and a note for each cut. A numbered heading is
    cut from anything after it; an unnumbered one only from its table's first labels (a line
    of prose may start with the words 总体情况)."""
    out: list[Line] = []
    notes: list[str] = []
    pieces = [
        (number, piece)
        for number, text in lines
        for piece in ([text] if text in MARKERS else _pieces(text))
    ]
    for number, text in pieces:
        cut = None if text in MARKERS else _heading_cut(text)
        if cut is None:
            out.append((number, text))
            continue
        heading, rest = text[:cut].strip(), text[cut:].strip().lstrip(":：").strip()
        out += [(number, heading), (number, rest)]
        notes.append(f"{_at(number)}标题“{heading_text(heading)}”与后面的文字写在同一行，已分开")
    return out, notes


def _heading_cut(text: str) -> int | None:
    normal, where = _mapped(text)
    lead = len(normal) - len(normal.lstrip("*#【["))
    kind, _, rest = _numbering(normal[lead:])
    start = len(normal) - len(rest)
    for section, wording in _WORDING.items():
        match = re.compile(wording).match(normal, start)
        if match is None:
            continue
        end = match.end()
        while end < len(normal) and normal[end] in "*】]":
            end += 1
        after = normal[end:].lstrip(":")
        if not after or re.fullmatch(r"\([^()]{0,12}\)", after):
            return None  # the heading alone, or with its unit in brackets
        starts_table = section in _TABLE_START and re.match(_TABLE_START[section], after)
        if kind is None and not starts_table:
            return None
        return where[end - 1] + 1
    return None


def _at(line: int | None) -> str:
    return f"原文第 {line} 行：" if line else ""


def _content_lines(lines: list[Line]) -> dict[int, list[int]]:
    """Where each table's first labels stand."""
    found: dict[int, list[int]] = {2: [], 3: [], 4: []}
    for index, (_, text) in enumerate(lines):
        if text in MARKERS:
            continue
        normal = comparable(text)
        for table, pattern in _CONTENT.items():
            if pattern.match(normal):
                found[table].append(index)
    return found


def _choose_table_sections(
    candidates: dict[str, list[_Heading]], content: dict[int, list[int]]
) -> tuple[_Heading, _Heading, _Heading] | None:
    """The headings of sections 二, 三 and 四: in order, preferring the statute's numbering,
    then three numbered alike in sequence, then each followed by its table's labels."""

    def holds(table: int, start: int, stop: int) -> int:
        return int(any(start < at < stop for at in content[table]))

    best, best_key = None, None
    for a, b, c in itertools.product(
        *(candidates[s][:_MAX_CANDIDATES] for s in ("二", "三", "四"))
    ):
        if not a.at < b.at < c.at:
            continue
        score = 4 * (a.strict + b.strict + c.strict) - 2 * (a.folded + b.folded + c.folded)
        if a.kind == b.kind == c.kind and (
            a.kind is None
            or (a.number is not None and (b.number, c.number) == (a.number + 1, a.number + 2))
        ):
            score += 3
        score += holds(2, a.at, b.at) + holds(3, b.at, c.at) + holds(4, c.at, c.at + 80)
        key = (score, a.at, -b.at, -c.at)
        if best_key is None or key > best_key:
            best, best_key = (a, b, c), key
    return best


def _follows(heading: _Heading, previous: _Heading) -> bool:
    """True when ``heading`` is numbered as the one after ``previous``."""
    return (
        previous.kind is not None
        and heading.kind == previous.kind
        and previous.number is not None
        and heading.number == previous.number + 1
    )


def _other_sections(
    candidates: list[list[_Heading]], start: int, tables: tuple[_Heading, _Heading, _Heading]
) -> dict[str, _Heading]:
    """Sections 一 (before the tables), 五 and 六 (after them): by their words, the statute's
    number, or the number next to the table sections' own."""
    a, _, c = tables
    found: dict[str, _Heading] = {}
    before = [h for options in candidates[start : a.at] for h in options]
    # 一 by its words (总体情况), else the heading numbered just before the tables' first.
    one = next((h for h in before if h.section == "一" and not h.folded), None)
    one = one or next((h for h in before if _follows(a, h) and h.section in ("", "一")), None)
    if one is not None:
        found["一"] = one
    previous = c
    for options in candidates[c.at + 1 :]:
        sections = {heading.section: heading for heading in options if heading.section}
        numbered_next = next((h for h in options if _follows(h, previous)), None)
        if "五" not in found and "六" not in found:
            if "五" in sections and (sections["五"].strict or "六" not in sections):
                found["五"] = previous = sections["五"]
                continue
            if "六" in sections:
                found["六"] = sections["六"]
                break
            if numbered_next is not None:
                found["五"] = previous = numbered_next
                continue
        elif "六" in sections or numbered_next is not None:
            found["六"] = sections.get("六", numbered_next)
            break
    return found


def _readings(chosen: dict[str, _Heading], lines: list[Line]) -> list[str]:
    """Notes on the table sections whose headings differ from the statute's."""
    notes = []
    for section in ("二", "三", "四"):
        heading = chosen[section]
        if heading.strict:
            continue
        number, text = lines[heading.at]
        why = "有字形相近的字" if heading.folded else "编号或文字与法定格式不同"
        notes.append(
            f"{_at(number)}“{heading_text(text)}”按法定格式的“{STATUTORY[section]}”读取（{why}）"
        )
    return notes


# What only the trial format's table 2 has (国办公开办函〔2019〕60号): other columns, and
# 第二十条第（九）项 政府集中采购.
_TRIAL_FORMAT = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增减",
    "政府集中采购",
    "采购项目数量",
    "采购总金额",
    "第二十条第九项",
)


def _trial_format(region: list[Line]) -> str | None:
    """Why a report in the 2019 trial format is refused, or None for another report."""
    text = re.sub(r"[\W_]", "", comparable("".join(text for _, text in region)))
    found = [term for term in _TRIAL_FORMAT if term in text]
    if not found:
        return None
    shown = "、".join(f"“{term}”" for term in found[:3])
    return (
        f"这份报告的表二按2019年的试行格式（国办公开办函〔2019〕60号）编制（有{shown}），"
        "与现行格式（国办公开办函〔2021〕30号）的列和行不同；本工具只导入现行格式，"
        "请手工录入这份报告的表格"
    )


def _missing_message(
    candidates: dict[str, list[_Heading]], content: dict[int, list[int]], lines: list[Line]
) -> str:
    """Which table sections have no heading, what was looked for and what was found."""
    missing = [s for s in ("二", "三", "四") if not candidates[s]]
    if not missing:
        first = sorted(candidates[s][0].at for s in ("二", "三", "四"))
        found = "、".join(
            f"“{heading_text(lines[at][1])}”"
            + (f"（第 {lines[at][0]} 行）" if lines[at][0] else "")
            for at in first
        )
        return (
            f"找到了表格所在部分的标题，但先后顺序不对：{found}"
            "（应为主动公开、收到和处理申请、行政复议和诉讼的顺序），无法确定表格的位置"
        )
    wanted = "、".join(f"“{STATUTORY[s]}”" for s in missing)
    found = [
        f"“{heading_text(lines[candidates[s][0].at][1])}”"
        for s in ("二", "三", "四")
        if candidates[s]
    ]
    parts = [f"找不到{wanted}部分的标题（编号可不同，如“（二）”“第二部分”“表一”）"]
    if found:
        parts.append(f"找到了{'、'.join(found)}")
    tables = [
        f"表{'二三四'[_TABLE_OF[s] - 2]}的内容（“{lines[content[_TABLE_OF[s]][0]][1][:20]}”）"
        for s in missing
        if content[_TABLE_OF[s]]
    ]
    if tables:
        parts.append(f"文中有{'、'.join(tables)}，但前面没有它所在部分的标题")
    else:
        parts.append("文中也没有这些表格的内容（如“信息内容”“申请人情况”“行政复议”）")
    return "；".join(parts) + "；表格的位置由这些标题确定，无法导入"


def find_outline(lines: list[Line]) -> Outline:
    """The title, section headings and table regions; OutlineError when a table has no place."""
    # Page furniture goes, except what marks the end of the report on its page.
    lines = [line for line in lines if not is_furniture(line[1]) or ends_page(line[1])]
    lines, metadata = take_metadata(lines, lambda text: title_match(text) is not None)
    lines, notes = separate_headings(lines)
    found_title = find_title(lines)
    if found_title is None and metadata.title and (match := title_match(metadata.title)):
        found_title = (0, 0, heading_text(collapse(metadata.title)), match)
    if found_title is None:
        raise OutlineError("", no_title_message(lines))
    title_at, title_lines, title, match = found_title
    organisation, year = match["organisation"], int(match["year"])

    start = title_at + title_lines
    per_line = [_sections_of(text, at) if at >= start else [] for at, (_, text) in enumerate(lines)]
    candidates: dict[str, list[_Heading]] = {s: [] for s in ("", *SECTIONS)}
    for options in per_line:
        for heading in options:
            candidates[heading.section].append(heading)
    content = _content_lines(lines)
    chosen_tables = _choose_table_sections(candidates, content)
    if chosen_tables is None:
        raise OutlineError(title, _missing_message(candidates, content, lines))
    chosen = dict(zip(("二", "三", "四"), chosen_tables, strict=True))
    chosen |= _other_sections(per_line, start, chosen_tables)
    found = {section: chosen[section].at for section in SECTIONS if section in chosen}
    end = next((i for i in range(found["四"], len(lines)) if ends_page(lines[i][1])), len(lines))
    after_tables = found.get("五", found.get("六", end))
    bounds = {
        2: (found["二"], found["三"]),
        3: (found["三"], found["四"]),
        4: (found["四"], after_tables),
    }
    # A page-end line of furniture met before the end (a 打印 button between tables) is no cell.
    tables = {
        number: [line for line in lines[start + 1 : stop] if not is_furniture(line[1])]
        for number, (start, stop) in bounds.items()
    }
    if trial := _trial_format(tables[2]):
        raise OutlineError(title, trial)
    notes += _readings(chosen, lines)
    statistics = _STATISTICS_YEAR.search(comparable(" ".join(text for _, text in lines)))
    if statistics and int(statistics.group(1)) != year:
        notes.append(f"标题中的年份 {year} 与统计期 {statistics.group(1)} 年不同，按标题处理")
    return Outline(
        title,
        organisation,
        year,
        title_at,
        found,
        end,
        tables,
        notes + metadata.notes,
        title_lines=title_lines,
        lines=lines,
        metadata=metadata,
    )
