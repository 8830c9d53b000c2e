"""A result title with the searched words highlighted reads as one line of text: the <mark>
flows with the words around it and the title wraps as a sentence does, at every width and text
size, while its link stays a target large enough to hit (test_care_mode.py measures every
target)."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, NARROW
from .pages import LOCALES, PAGES_BY_NAME

PHONE = {"width": 390, "height": 844}

# For each result title holding a <mark>: the pieces of its link (text runs and elements, in
# order), each as the boxes of its lines, and the link's own content box.
TITLE_PIECES = """() => [...document.querySelectorAll(".document-title a")]
  .filter((link) => link.querySelector("mark"))
  .map((link) => {
    const pieces = [];
    for (const node of link.childNodes) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = [...range.getClientRects()].filter((box) => box.width > 0)
        .map((box) => ({top: box.top, bottom: box.bottom, left: box.left}));
      if (lines.length) { pieces.push({mark: node.nodeName === "MARK", lines}); }
    }
    const box = link.getBoundingClientRect();
    const style = getComputedStyle(link);
    return {
      text: link.textContent,
      left: box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth),
      height: box.height,
      lineHeight: parseFloat(style.lineHeight),
      pieces,
    };
  })"""


def broken_flow(title: dict) -> list[str]:
    """Where a piece of the title does not go on where the piece before it ended: on the same
    line, or at the start of the next one."""
    found = []
    for before, after in zip(title["pieces"], title["pieces"][1:], strict=False):
        end, start = before["lines"][-1], after["lines"][0]
        same_line = abs(start["top"] - end["top"]) <= 1
        next_line = start["top"] >= end["bottom"] - 1 and abs(start["left"] - title["left"]) <= 1
        if not (same_line or next_line):
            found.append(f"{title['text']!r}: a piece starts at {start} after one ending at {end}")
    return found


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("viewport", "text_size"),
    [(DESKTOP, 100), (PHONE, 100), (PHONE, 200), (NARROW, 200)],
    ids=["desktop", "phone", "phone-200", "320px-200"],
)
@pytest.mark.parametrize("scheme", ["default", "care"])
def test_a_highlighted_result_title_flows_as_one_line_of_text(
    open_page, locale, viewport, text_size, scheme
):
    page = open_page(
        PAGES_BY_NAME["search-hits"], locale, scheme=scheme, viewport=viewport, text_size=text_size
    )
    titles = page.evaluate(TITLE_PIECES)
    assert titles, "no result title holds a highlighted word"  # the check is not vacuous
    for title in titles:
        assert len(title["pieces"]) >= 2, title
        assert not broken_flow(title)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_highlighted_title_that_fits_takes_one_line_at_desktop_width(open_page, locale):
    """Where the title fits, the words before the highlight, the highlight and the words after
    it share one line, and the link is one line high (plus its padding up to the target)."""
    page = open_page(PAGES_BY_NAME["search-hits"], locale, viewport=DESKTOP)
    for title in page.evaluate(TITLE_PIECES):
        tops = {round(line["top"]) for piece in title["pieces"] for line in piece["lines"]}
        assert len(tops) == 1, title
        assert title["height"] < 2 * title["lineHeight"], title
