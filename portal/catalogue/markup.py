"""Markdown -> safe HTML for document bodies, and HTML -> plain text for search.

markdown-it's "js-default" preset already refuses raw HTML and javascript: links; nh3 then
removes anything that slipped through, so a content file can never inject script into a page.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

CAPTION_PREFIXES = ("表：", "表:", "Table:")

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "class", "colspan", "rowspan"},
    "td": {"class", "colspan", "rowspan"},
    "ol": {"start"},
}
_ALIGN_CLASSES = {
    "text-align:left": "align-left",
    "text-align:center": "align-center",
    "text-align:right": "align-right",
}


# How deep inline markup may nest. markdown-it scans that deep from every "[" for the end of a
# link label: at its default of 100 a body of one million "[" took 36 s to render; at 20 it takes
# a fifth of that, and no document needs emphasis or links nested twenty deep.
MAX_NESTING = 20


def _parser() -> MarkdownIt:
    """A CommonMark parser with tables and strikethrough, raw HTML off."""
    md = MarkdownIt("js-default", {"maxNesting": MAX_NESTING})
    md.core.ruler.push("accessible_tables", _accessible_tables)
    md.core.ruler.push("demote_h1", _demote_h1)
    return md


def _demote_h1(state) -> None:
    # The page's own title is its only h1; a "# heading" in a body becomes h2.
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def _accessible_tables(state) -> None:
    """Give body tables a caption (from a '表：…' line above them) and header scopes."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "table_open":
            caption = _caption_before(tokens, index)
            if caption is not None:
                del tokens[index - 3 : index]
                index -= 3
                caption_token = Token("html_block", "", 0)
                caption_token.content = f"<caption>{html.escape(caption)}</caption>\n"
                tokens.insert(index + 1, caption_token)
        elif token.type == "th_open":
            token.attrSet("scope", "col")
        if token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style:
                del token.attrs["style"]
                token.attrSet("class", _ALIGN_CLASSES.get(style, ""))
        index += 1


def _caption_before(tokens: list[Token], index: int) -> str | None:
    """The caption text of a '表：…' paragraph right before the table at index, if any."""
    if index < 3 or tokens[index - 1].type != "paragraph_close":
        return None
    text = tokens[index - 2].content.strip()
    for prefix in CAPTION_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return None


_MARKDOWN = _parser()


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to put in a page."""
    clean = nh3.clean(
        _MARKDOWN.render(text),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return _scrollable_tables(clean)


def _scrollable_tables(fragment: str) -> str:
    """Wrap each table in a focusable, labelled region so a wide one scrolls on its own at 320px."""
    numbers = iter(range(1, fragment.count("<table>") + 1))

    def wrap(match: re.Match) -> str:
        caption_id = f"body-table-{next(numbers)}"
        if match.group(1):
            return (
                f'<div class="table-scroll" role="region" tabindex="0" '
                f'aria-labelledby="{caption_id}"><table><caption id="{caption_id}">'
            )
        # portal check reports a table without caption; until fixed it still gets a name.
        return '<div class="table-scroll" role="region" tabindex="0" aria-label="表格"><table>'

    wrapped = re.sub(r"<table>(\s*<caption>)?", wrap, fragment)
    return wrapped.replace("</table>", "</table></div>")


def body_problems(text: str) -> tuple[list[int], list[int]]:
    """Line numbers (1-based, within text) of Markdown tables that have no caption line, and of
    images that have no text alternative; one parse for both."""
    tokens = _MARKDOWN.parse(text)
    tables = [
        token.map[0] + 1 if token.map else 1
        for index, token in enumerate(tokens)
        if token.type == "table_open" and not tokens[index + 1].content.startswith("<caption>")
    ]
    images = [
        token.map[0] + 1 if token.map else 1
        for token in tokens
        for child in token.children or ()
        if child.type == "image" and not child.content.strip()
    ]
    return tables, images


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    """The readable text of an HTML fragment, for search and summaries."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()
