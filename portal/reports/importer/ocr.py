"""Slips of character recognition (OCR) and of typing between characters that look alike.

A label of a table or a section heading written with such a slip (申清 for 申请, 己 for 已,
末 for 未) is recognised when, with the look-alikes folded together, it is exactly one label
the importer knows; the import then says what it read as what, for staff to check against the
original. A number with a letter in it (1O, l2) is never read: which digit was meant is a guess.
"""

from __future__ import annotations

import re

# Characters that recognition and typing confuse, each group folded to its first member.
CONFUSABLE = (
    "请清情晴",
    "已己巳",
    "未末",
    "人入八",
    "土士",
    "日曰",
    "千干于",
    "天夭",
    "拨拔",
    "候侯",
    "戍戌戊",
    "治冶",
    "制刺",
    "理埋",
    "处外",
    "务各",
    "诉沂",
    "议仪",
    "审宙",
    "0OoΟо〇",
    "1lI丨",
)
_FOLD = {char: group[0] for group in CONFUSABLE for char in group[1:]}
_TABLE = str.maketrans(_FOLD)

# A cell that would be a number but for a letter in it: 1O, l2, 2o0, O.
SUSPECT_NUMBER = re.compile(r"^(?=.*[OoΟоIl丨〇])(?=.*\d|[OoΟо〇]$)[\dOoΟоIl丨〇.,]+$")


def fold(text: str) -> str:
    """``text`` with every look-alike replaced by the one character its group is read as."""
    return text.translate(_TABLE)


def differences(written: str, meant: str) -> str | None:
    """'申清 read as 申请' for two texts of one length that differ only by look-alikes, the
    differing characters shown with the one before them; None when they are equal."""
    if written == meant or len(written) != len(meant):
        return None
    spans: list[tuple[int, int]] = []
    for at, (a, b) in enumerate(zip(written, meant, strict=True)):
        if a == b:
            continue
        start = max(at - 1, 0)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], at + 1)
        else:
            spans.append((start, at + 1))
    shown = [(written[a:b], meant[a:b]) for a, b in spans]
    return "，".join(f"“{w}”读作“{m}”" for w, m in shown)


def is_suspect_number(text: str) -> bool:
    """True for a cell that looks like a number with a letter in it (1O, l2, O)."""
    return bool(SUSPECT_NUMBER.match(text.strip()))
