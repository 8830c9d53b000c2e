"""The report's own metadata table (索引号, 文号, 发布机构, 生成日期 …), wherever the page put it:
taken out of the lines, its values copied into the content model's keys, never invented.

A portal shows it above the title, below it or at the end of the page, as a table (a label and
its value in cells side by side, which a scraper writes one cell a line) or as lines of
`label：value` pairs. A value is copied only as written: the 索引号 is an official identifier
and is never made up or completed; a date is only rewritten as the ISO date it says; a value
that does not fit its key (a 公开方式 that is none of ours) is left out and said in a note.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from portal.catalogue import FIVE_OPENNESS, MODES, TIME_LIMITS, VALIDITY_STATES
from portal.reports.importer.furniture import LABELLED
from portal.reports.importer.source import BLANK_CELL, MERGED_CELL, Line, collapse

NO_FIELD = ""  # a label of the metadata table that no key of ours holds
# (label as portals write it, the content model's key). Longer labels that contain a shorter
# one come first; a label written with spaces between its characters (索 引 号) is the same.
FIELDS: tuple[tuple[str, str], ...] = (
    ("索引号", "index_no"),
    ("发文字号", "doc_no"),
    ("发文文号", "doc_no"),
    ("文号", "doc_no"),
    ("生成日期", "date"),
    ("成文日期", "date"),
    ("发布日期", "published"),
    ("发布时间", "published"),
    ("公开日期", "published"),
    ("公开责任部门", "department"),
    ("责任部门", "department"),
    ("公开时限", "time_limit"),
    ("所属分类", "category"),
    ("栏目", "category"),
    ("分类", "category"),
    ("所属“五公开”", "five_openness"),
    ("五公开", "five_openness"),
    ("公开方式", "mode"),
    ("公开形式", "mode"),
    ("关键词", "keywords"),
    ("主题词", "keywords"),
    ("有效性", "validity"),
    ("时效", "validity"),
    ("内容概述", "summary"),
    ("信息名称", "title"),
    ("名称", "title"),
    ("标题", "title"),
    ("发布机构", NO_FIELD),
    ("发文机关", NO_FIELD),
    ("主题分类", NO_FIELD),
    ("信息分类", NO_FIELD),
    ("体裁分类", NO_FIELD),
    ("组配分类", NO_FIELD),
    ("服务对象分类", NO_FIELD),
    ("公开范围", NO_FIELD),
    ("统一编号", NO_FIELD),
)
_FURNITURE = "\x01"  # a label of page furniture (来源, 浏览次数): dropped with its value
# The year and serial of an annual report make its dates and identifiers short texts; anything
# longer beside a label is prose that happens to start with the label's word.
_LONGEST_VALUE = 100
_EMPTY_VALUES = {"", "无", "暂无", "-", "--", "—", "——", "/", "\\", "空"}
_KEY_NAMES = {
    "index_no": "索引号",
    "doc_no": "文号",
    "date": "生成日期",
    "published": "发布日期",
    "department": "责任部门",
    "time_limit": "公开时限",
    "five_openness": "所属“五公开”",
    "mode": "公开方式",
    "keywords": "关键词",
    "validity": "有效性",
    "summary": "内容概述",
}
# Official identifiers: two different values on one page leave the key empty.
_IDENTIFIERS = ("index_no", "doc_no")
_CATEGORY = "政府信息公开年报"


def _pattern(label: str) -> str:
    quotes = r"[\s\"'“”‘’「」]*"
    return quotes.join(re.escape(char) for char in label if char not in "“”") + '["”’」]?'


_LABELS = sorted([*FIELDS, *((label, _FURNITURE) for label in LABELLED)], key=lambda f: -len(f[0]))
_LABEL = re.compile(
    "|".join(f"(?P<f{index}>{_pattern(label)})" for index, (label, _) in enumerate(_LABELS))
)
_COLON = re.compile(r"\s*[:：]\s*")
_OPENING = re.compile(r"^[\s【\[(（]*")


@dataclass
class Metadata:
    """What the report's metadata table gave: the content model's keys and their values, the
    title it names, and notes on what was left out and why."""

    fields: dict[str, object] = field(default_factory=dict)
    title: str = ""
    notes: list[str] = field(default_factory=list)


def _labels_in(text: str) -> list[tuple[int, int, str, str, bool]]:
    """Each label in ``text``: (start, end after its colon, label, key, colon written)."""
    found = []
    for match in _LABEL.finditer(text):
        index = int(next(name for name, value in match.groupdict().items() if value)[1:])
        label, key = _LABELS[index]
        colon = _COLON.match(text, match.end())
        written_colon = bool(colon and colon.group().strip())
        start = match.start()
        # Inside a line, a label stands apart (after a space or a bracket) or has its colon;
        # else it is a word of the value before it.
        if start and not written_colon and not re.match(r"[\s\W]", text[start - 1]):
            continue
        end = colon.end() if colon else match.end()
        found.append((start, end, label, key, written_colon))
    return found


def _pairs(text: str) -> list[tuple[str, str, str]] | None:
    """The (label, key, value) pairs of a metadata line, or None for a line that is not one.

    A metadata line starts with a label and has several labels, or one with a colon, or is the
    label alone; every value is short. Prose that starts with a label's word (公开方式多样…)
    is none of these.
    """
    opening = _OPENING.match(text).end()
    labels = _labels_in(text)
    if not labels or labels[0][0] != opening:
        return None
    pairs = []
    for index, (_, end, label, key, _) in enumerate(labels):
        stop = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        value = collapse(text[end:stop].split("【")[0]).strip("】]）) ")
        if len(value) > _LONGEST_VALUE:
            return None
        pairs.append((label, key, value))
    if len(labels) == 1 and pairs[0][2] and not labels[0][4]:
        return None
    return pairs


def _where(line: int | None) -> str:
    return f"（原文第 {line} 行）" if line else ""


def _date(text: str, with_time: bool) -> str | None:
    match = re.search(
        r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?"
        r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{2}))?",
        text,
    )
    if (
        match is None
        or text[: match.start()].strip()
        or text[match.end() :].strip(" :：0123456789")
    ):
        return None
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    try:
        day_text = datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
    if with_time and match.group(4) is not None:
        hour, minute = int(match.group(4)), int(match.group(5))
        if hour < 24 and minute < 60:
            return f"{day_text} {hour:02d}:{minute:02d}"
    return day_text


def _value(key: str, label: str, value: str) -> tuple[object | None, str | None]:
    """The value for ``key`` as written, or None with why it is left out."""
    if key in ("date", "published"):
        parsed = _date(value, with_time=key == "published")
        return (parsed, None) if parsed else (None, f"{label}“{value}”不是日期，未写入")
    if key == "index_no":
        compact = re.sub(r"\s+", "", value)
        if len(compact) > 64 or not re.search(r"\d", compact):
            return None, f"{label}“{value}”不像索引号，未写入"
        return compact, None
    if key == "keywords":
        words = [word for word in re.split(r"[\s,，、;；]+", value) if word]
        return words, None
    allowed = {
        "time_limit": TIME_LIMITS,
        "five_openness": tuple(FIVE_OPENNESS),
        "mode": MODES,
        "validity": VALIDITY_STATES,
    }.get(key)
    if allowed is not None and value not in allowed:
        return None, f"{label}“{value}”不是{'、'.join(allowed)}之一，未写入"
    if key == "summary" and len(value) > 300:
        return None, f"{label}超过 300 字，未写入"
    return value, None


def _is_value_line(text: str, key: str, is_title) -> bool:
    """True for the next line's text when it can be the value of a label alone on its line (a
    table flattened one cell a line): short, no label, and no title unless the label is 名称."""
    return (
        text not in (BLANK_CELL, MERGED_CELL)
        and len(text) <= _LONGEST_VALUE
        and _pairs(text) is None
        and (key == "title" or not is_title(text))
    )


class _Collector:
    def __init__(self) -> None:
        self.metadata = Metadata()
        self.conflicting: set[str] = set()

    def add(self, label: str, key: str, value: str, line: int | None) -> None:
        notes = self.metadata.notes
        if key == _FURNITURE or value in _EMPTY_VALUES:
            return
        if key == "title":
            self.metadata.title = self.metadata.title or value
            return
        if key == NO_FIELD:
            notes.append(f"元数据{_where(line)}：{label}“{value}”没有对应的字段，未写入")
            return
        if key == "category":
            if "年报" not in value:
                notes.append(
                    f"元数据{_where(line)}：{label}“{value}”未使用，年度报告归入“{_CATEGORY}”"
                )
            return
        parsed, why = _value(key, label, value)
        if parsed is None:
            notes.append(f"元数据{_where(line)}：{why}")
            return
        fields = self.metadata.fields
        if key in self.conflicting:
            return
        if key in fields and fields[key] != parsed:
            name = _KEY_NAMES[key]
            if key in _IDENTIFIERS:
                del fields[key]
                self.conflicting.add(key)
                notes.append(
                    f"元数据{_where(line)}：页面上有两个不同的{name}（“{value}”与前面的），"
                    "都未写入，请按原件填写"
                )
            else:
                notes.append(f"元数据{_where(line)}：{label}“{value}”与前面的{name}不同，未使用")
            return
        fields[key] = parsed


def take_metadata(lines: list[Line], is_title) -> tuple[list[Line], Metadata]:
    """The lines without the report's metadata table, and what it gave. ``is_title`` tells a
    line that is the report's title, never taken as a label's value."""
    collector = _Collector()
    kept: list[Line] = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        pairs = _pairs(text) if text not in (BLANK_CELL, MERGED_CELL) else None
        if pairs is None:
            kept.append(lines[index])
            index += 1
            continue
        index += 1
        if len(pairs) == 1 and not pairs[0][2] and index < len(lines):
            # A label alone on its line: its value is the next cell (a table flattened).
            following = lines[index][1]
            if following in (BLANK_CELL, MERGED_CELL):
                index += 1
            elif _is_value_line(following, pairs[0][1], is_title):
                label, key, _ = pairs[0]
                pairs = [(label, key, collapse(following))]
                index += 1
        for label, key, value in pairs:
            collector.add(label, key, value, number)
    return kept, collector.metadata
