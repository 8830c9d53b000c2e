"""Stage four of an import: the document around the tables. Its outline (the title and the six
section headings, which say where the tables stand) and its body as Markdown, with a marker where
each table goes; and the content file written from them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.catalogue import REQUIRED_KEYS
from portal.reports.datafile import yaml_text
from portal.reports.importer.source import BLANK_CELL, MERGED_CELL, Line, collapse, comparable
from portal.text import FrontMatterError, split_front_matter

_MARKERS = (BLANK_CELL, MERGED_CELL)

CATEGORY = "政府信息公开年报"
# The front matter an imported report starts with: every key a document needs, its title
# written from the report's own.
FRONT_MATTER_KEYS = tuple(key for key in REQUIRED_KEYS if key != "title")


def render_markdown(title: str, body: str, slug: str | None) -> str:
    """A content file for an imported report; every field the source does not give stays empty."""
    lines = ["---", f"title: {yaml_text(title)}"]
    for key in FRONT_MATTER_KEYS:
        lines.append(f"{key}: {CATEGORY}" if key == "category" else f"{key}:")
    lines.append(f"report: {slug or '<slug>'}.report.yml")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


_TITLE = re.compile(
    r"^(?P<organisation>.+?)(?P<year>(?:19|20)\d{2})年度?政府信息公开(?:工作)?(?:年度)?(?:工作)?报告$"
)
_TITLE_YEAR_FIRST = re.compile(
    r"^(?P<year>(?:19|20)\d{2})年度?(?P<organisation>[^\d]+?)政府信息公开(?:工作)?(?:年度)?(?:工作)?报告$"
)
_STATISTICS_YEAR = re.compile(r"统计数据.{0,4}?((?:19|20)\d{2})年1月1日")
_SECTIONS = (
    ("一", re.compile(r"^一[、.,]")),
    ("二", re.compile(r"^二[、.,].*主动公开")),
    ("三", re.compile(r"^三[、.,].*(?:收到|处理).*申请")),
    ("四", re.compile(r"^四[、.,].*(?:复议|诉讼)")),
    ("五", re.compile(r"^五[、.,].*(?:问题|改进|整改)")),
    ("六", re.compile(r"^六[、.,].*(?:其他|事项)")),
)
_METADATA_LABELS = (
    "索引号",
    "文号",
    "生成日期",
    "责任部门",
    "公开时限",
    "所属分类",
    "五公开",
    "公开方式",
    "关键词",
    "发布机构",
    "成文日期",
    "发布日期",
)
_CHROME = re.compile(r"^(?:本站已启用无障碍|保护视力色|字体颜色|【?字体[:：]?[大中小])")
_PAGE_END = re.compile(r"^(?:附件下载|扫一扫|分享到|【?打印(?:本页)?】?|【?关闭(?:窗口)?】?)")
_SUBHEADING = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")


def _is_chrome(text: str) -> bool:
    """Page furniture of the portal the report was scraped from, not part of the report."""
    normal = comparable(text)
    if _CHROME.match(normal):
        return True
    return sum(label in normal for label in _METADATA_LABELS) >= 2 and len(normal) < 60


def _is_heading(text: str) -> bool:
    normal = comparable(text)
    return len(normal) <= 30 and not normal.endswith(("。", ".", "；", ";"))


def _escape(text: str) -> str:
    """Prose as Markdown that renders to exactly the same text."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    text = re.sub(r"^(#|[-+=]|\d+(?=[.)]))", r"\\\1", text)
    return text


def _paragraphs(lines: list[str]) -> list[str]:
    parts = []
    for line in lines:
        if _SUBHEADING.match(comparable(line)) and _is_heading(line):
            parts.append(f"### {_escape(line)}")
        else:
            parts.append(_escape(line))
    return parts


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
    title_lines: int = 1  # a title broken over two lines takes two


def _find_title(lines: list[Line]) -> tuple[int, int, str, re.Match] | None:
    """(where the title starts, how many lines it takes, its text, its match): the title as
    the statute writes it, with the year first, or broken over two lines."""
    texts = [text if text not in _MARKERS else "" for _, text in lines]
    for at, text in enumerate(texts):
        if not text:
            continue
        following = next((i for i in range(at + 1, min(at + 3, len(texts))) if texts[i]), None)
        candidates = [(1, text)]
        if following is not None and len(comparable(texts[following])) <= 12:
            candidates.append((following - at + 1, text + texts[following]))
        for size, candidate in candidates:
            normal = comparable(candidate)
            if match := _TITLE.match(normal) or _TITLE_YEAR_FIRST.match(normal):
                return at, size, collapse(candidate), match
    return None


def _no_title_message(lines: list[Line]) -> str:
    near = next(
        (text for _, text in lines if "政府信息公开" in text and "报告" in text and len(text) < 80),
        None,
    )
    if near:
        return (
            f"找不到报告标题：“{near}”像是标题，但读不出机关名称和年份"
            "（应如“某某局2024年政府信息公开工作年度报告”）"
        )
    return "找不到报告标题（如“某某局2024年政府信息公开工作年度报告”）"


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


def find_outline(lines: list[Line]) -> Outline:
    """The title, section headings and table regions; OutlineError when a table has no place."""
    found_title = _find_title(lines)
    if found_title is None:
        raise OutlineError("", _no_title_message(lines))
    title_at, title_lines, title, match = found_title
    organisation, year = match["organisation"], int(match["year"])

    # Find the six section headings in order; the tables lie between 二 and 五.
    found: dict[str, int] = {}
    start = title_at + title_lines
    for name, pattern in _SECTIONS:
        at = next(
            (
                i
                for i in range(start, len(lines))
                if pattern.match(comparable(lines[i][1])) and _is_heading(lines[i][1])
            ),
            None,
        )
        if at is not None:
            found[name] = at
            start = at + 1
    missing = [f"“{name}、”" for name in ("二", "三", "四") if name not in found]
    if missing:
        raise OutlineError(title, f"找不到第{'、'.join(missing)}部分的标题，无法确定表格的位置")
    end = next(
        (i for i in range(found["四"], len(lines)) if _PAGE_END.match(comparable(lines[i][1]))),
        len(lines),
    )
    after_tables = found.get("五", found.get("六", end))
    tables = {
        2: lines[found["二"] + 1 : found["三"]],
        3: lines[found["三"] + 1 : found["四"]],
        4: lines[found["四"] + 1 : after_tables],
    }
    if trial := _trial_format(tables[2]):
        raise OutlineError(title, trial)
    notes = []
    statistics = _STATISTICS_YEAR.search(comparable(" ".join(text for _, text in lines)))
    if statistics and int(statistics.group(1)) != year:
        notes.append(f"标题中的年份 {year} 与统计期 {statistics.group(1)} 年不同，按标题处理")
    return Outline(
        title, organisation, year, title_at, found, end, tables, notes, title_lines=title_lines
    )


def build_body(lines: list[Line], outline: Outline, footnotes: dict[int, list[str]]) -> str:
    """The body in Markdown: the prose, each section heading, a marker and footnotes per table."""
    found, end = outline.headings, outline.end

    def prose(first: int, last: int) -> list[str]:
        # Markers of empty or merged cells (a table in the prose) are no text of the report.
        return [
            text for _, text in lines[first:last] if text not in _MARKERS and not _is_chrome(text)
        ]

    first_section = found.get("一", found["二"])
    parts = _paragraphs(prose(outline.title_at + outline.title_lines, first_section))
    if "一" in found:
        parts.append(f"## {_escape(lines[found['一']][1])}")
        parts += _paragraphs(prose(found["一"] + 1, found["二"]))
    for number, name in ((2, "二"), (3, "三"), (4, "四")):
        parts.append(f"## {_escape(lines[found[name]][1])}")
        parts.append(f"[[table:{number}]]")
        parts += [_escape(note) for note in footnotes[number]]
    for name, following in (("五", "六"), ("六", None)):
        if name in found:
            last = found.get(following, end) if following else end
            parts.append(f"## {_escape(lines[found[name]][1])}")
            parts += _paragraphs(prose(found[name] + 1, last))
    return "\n\n".join(parts) + "\n"


def content_file(title: str, body: str, slug: str, existing: str | None = None) -> str:
    """The content file's text; the front matter of ``existing`` (the file's old text) is kept.

    Staff fill in the metadata (索引号, 日期 ...) by hand; importing a corrected text again
    replaces the body but not what they wrote in the front matter.
    """
    if existing is not None:
        try:
            old, close = split_front_matter(existing)
        except FrontMatterError:
            pass  # no front matter to keep: the new file replaces the old one whole
        else:
            return "\n".join(old[: close + 1]) + "\n" + body
    return render_markdown(title, body, slug)
