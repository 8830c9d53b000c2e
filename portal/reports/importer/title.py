"""The report's title: the organisation and the year it reports on, as real titles write it
(…2024年政府信息公开工作年度报告, the year first, 年度报告 without 工作, broken over two lines,
in 《》, a year in Chinese numerals), and what to say when there is none."""

from __future__ import annotations

import re

from portal.reports.importer.furniture import is_furniture
from portal.reports.importer.source import BLANK_CELL, MERGED_CELL, Line, collapse, comparable

MARKERS = (BLANK_CELL, MERGED_CELL)
_TITLE = re.compile(
    r"^(?P<organisation>.+?)(?P<year>(?:19|20)\d{2})年度?政府信息公开(?:工作)?(?:年度)?(?:工作)?报告$"
)
_TITLE_YEAR_FIRST = re.compile(
    r"^(?P<year>(?:19|20)\d{2})年度?(?P<organisation>[^\d]+?)政府信息公开(?:工作)?(?:年度)?(?:工作)?报告$"
)
_CHINESE_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}
_CHINESE_DIGITS |= {"六": "6", "七": "7", "八": "8", "九": "9"}

MARKUP = re.compile(r"^[*#【\[\s]+|[*#】\]\s]+$")


def chinese_number(text: str) -> int | None:
    """一 … 九十九 as a number, else None."""
    if not text or any(char not in "一二三四五六七八九十" for char in text):
        return None
    if "十" not in text:
        return int("".join(_CHINESE_DIGITS[char] for char in text)) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return None
    return int(_CHINESE_DIGITS.get(tens, "1")) * 10 + int(_CHINESE_DIGITS.get(units, "0"))


def heading_text(text: str) -> str:
    """A heading as it reads, without the bold marks or brackets around it."""
    return MARKUP.sub("", text.strip()) or text.strip()


def find_title(lines: list[Line]) -> tuple[int, int, str, re.Match] | None:
    """(where the title starts, how many lines it takes, its text, its match): the title as
    the statute writes it, with the year first, or broken over two lines."""
    texts = [text if text not in MARKERS and not is_furniture(text) else "" for _, text in lines]
    for at, text in enumerate(texts):
        if not text:
            continue
        following = next((i for i in range(at + 1, min(at + 3, len(texts))) if texts[i]), None)
        candidates = [(1, text)]
        # Two lines are one title only when the second is no title by itself (政府信息公开 /
        # 某某局2023年政府信息公开年度报告 is a column name above a title).
        if (
            following is not None
            and min(len(comparable(text)), len(texts[following])) <= 20
            and title_match(texts[following]) is None
        ):
            candidates.append((following - at + 1, text + texts[following]))
        for size, candidate in candidates:
            if match := title_match(candidate):
                return at, size, heading_text(collapse(candidate)), match
    return None


def title_match(text: str) -> re.Match | None:
    """The title's match (organisation, year), or None for text that is no report title."""
    normal = re.sub(r"^[《<]|[》>]$", "", MARKUP.sub("", comparable(text)))
    normal = re.sub(
        r"[〇零一二三四五六七八九]{4}(?=年)",
        lambda m: "".join(_CHINESE_DIGITS[c] for c in m.group()),
        normal,
    )
    match = _TITLE.match(normal) or _TITLE_YEAR_FIRST.match(normal)
    # An organisation named 政府信息公开… is a heading run into the title, not a body.
    return None if match is None or "政府信息公开" in match["organisation"] else match


def no_title_message(lines: list[Line]) -> str:
    """The refusal when no title is found: the nearest line that looks like one, and what it
    lacks, else the file's first line."""
    near = next(
        (text for _, text in lines if "政府信息公开" in text and "报告" in text and len(text) < 80),
        None,
    )
    wanted = "（应如“某某局2024年政府信息公开工作年度报告”，年份也可在最前）"
    if near:
        normal = comparable(near)
        if not re.search(r"(?:19|20)\d{2}|[〇零一二三四五六七八九]{4}年", normal):
            why = "其中没有年份"
        elif re.match(r"^(?:(?:19|20)\d{2}年度?)?政府信息公开", normal):
            why = "其中没有机关名称"
        else:
            why = "读不出机关名称和年份"
        return f"找不到报告标题：“{near}”像是标题，但{why}{wanted}"
    first = next((text for _, text in lines if text not in MARKERS), "")
    shown = f"；文件开头是“{first[:40]}”" if first else "；文件里没有文字"
    return f"找不到报告标题{wanted}{shown}"
