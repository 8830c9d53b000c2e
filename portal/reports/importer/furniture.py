"""Page furniture: the lines a government portal puts around a report, as data in one place.

A line is furniture only when it is wholly made of the words below (with the brackets, colons
and separators portals write between them), or is one of the labelled lines below (浏览次数：
12, 来源：…, 上一篇：…, a breadcrumb): a line of report prose is never wholly such words, so
it is never dropped. Lines after the report that only a page has (附件下载, 上一篇 …) end it.
"""

from __future__ import annotations

import re

from portal.reports.importer.source import comparable

# Words a portal writes around a page, each wholly furniture when a line holds nothing else.
WORDS = (
    "无障碍浏览",
    "无障碍",
    "适老版",
    "长者模式",
    "关怀版",
    "保护视力色",
    "字体颜色",
    "恢复默认",
    "分享到",
    "分享",
    "新浪微博",
    "腾讯微博",
    "微博",
    "微信好友",
    "朋友圈",
    "微信",
    "QQ空间",
    "QQ好友",
    "QQ",
    "豆瓣",
    "人人网",
    "全真版",
    "全文版",
    "文字版",
    "文件下载",
    "打印本页",
    "打印此页",
    "打印文章",
    "打印",
    "关闭窗口",
    "关闭本页",
    "关闭",
    "加入收藏",
    "收藏本页",
    "收藏",
    "返回顶部",
    "返回首页",
    "返回",
    "我要纠错",
    "纠错",
    "扫一扫在手机打开当前页",
    "扫一扫在手机上查看当前页面",
    "扫一扫在手机上查看",
    "手机扫一扫",
    "扫一扫",
    "用手机扫描二维码",
    "手机版",
    "下载文档",
)
# Lines that start so are a portal's own banner or colour picker, whatever follows.
PREFIXES = ("本站已启用无障碍", "保护视力色", "字体颜色", "页面链接与图片详见")
# 【字体：大 中 小】, 字号：默认 ...: the font-size switch.
_FONT = r"字[体号](?:大小)?[:：]?(?:大|中|小|默认|恢复|标准|增大|减小|[A-Za-z])*"
# Labelled lines that are furniture whatever their value: hit counts, the source, neighbours.
LABELLED = (
    "浏览次数",
    "浏览量",
    "访问次数",
    "访问量",
    "阅读次数",
    "阅读量",
    "点击数",
    "点击量",
    "点击率",
    "来源",
    "信息来源",
    "文章来源",
    "责任编辑",
    "编辑",
    "上一篇",
    "下一篇",
    "上一条",
    "下一条",
    "当前位置",
    "您的位置",
    "你的位置",
    "您现在的位置",
    "您当前的位置",
    "所在位置",
    "相关链接",
    "文件下载",
    # What a crawler writes above the page it saved.
    "原文链接",
    "原文地址",
    "本地目录",
    "采集时间",
    "抓取时间",
)
# What ends a report on a page: after the last table, the first such line is the page's.
PAGE_END = (
    "附件下载",
    "相关附件",
    "相关链接",
    "相关文章",
    "相关阅读",
    "相关新闻",
    "扫一扫",
    "分享到",
    "上一篇",
    "下一篇",
    "打印本页",
    "【打印",
    "【关闭",
    "关闭窗口",
)

_SEPARATORS = r"[\s\W_|｜/／·•>＞»›→]*"
_WHOLLY = re.compile(
    "^"
    + _SEPARATORS
    + "(?:(?:"
    + "|".join([_FONT, *sorted(map(re.escape, map(comparable, WORDS)), key=len, reverse=True)])
    + ")"
    + _SEPARATORS
    + ")+$",
    re.IGNORECASE,
)
_LABELLED = re.compile(
    r"^[【\[(（]?(?:" + "|".join(sorted(LABELLED, key=len, reverse=True)) + r")[:：]"
)
# 首页 > 政务公开 > 年报: a breadcrumb, each step short.
_BREADCRUMB = re.compile(r"^(?:首页|主页|网站首页)(?:(?:>|>>|»|›|→|/|\\)[^>»›→/\\]{1,16})+$")
# — 5 —, - 5 -, 第 5 页: a page number a PDF's text or its conversion kept.
_PAGE_NUMBER = re.compile(r"^[—–\-]+\d{1,4}[—–\-]+$|^第\d{1,4}页(?:/?共\d{1,4}页)?$")
# ===== 正文 =====: a rule a crawler or converter draws, with at most a word in it.
_RULE = re.compile(r"^[=\-*_~#·—]{3,}[^=\-*_~#·—]{0,6}[=\-*_~#·—]{3,}$|^[=\-*_~#·—]{3,}$")
_PAGE_END = re.compile(r"^(?:" + "|".join(map(re.escape, PAGE_END)) + ")")
_PREFIXES = re.compile(r"^[【\[]?(?:" + "|".join(PREFIXES) + ")")
_LONGEST_LABELLED = 120  # a longer line is prose, whatever it starts with


def is_furniture(text: str) -> bool:
    """True for a line that is page furniture, never for a line of the report."""
    normal = comparable(text)
    if not normal:
        return False
    if len(normal) > _LONGEST_LABELLED:
        return False  # prose, whatever page furniture it starts with
    patterns = (_WHOLLY, _BREADCRUMB, _PREFIXES, _LABELLED, _RULE, _PAGE_NUMBER)
    return any(pattern.match(normal) for pattern in patterns)


def ends_page(text: str) -> bool:
    """True for a line that only a page has after its report (附件下载, 上一篇 …)."""
    return bool(_PAGE_END.match(comparable(text)))
