"""Checks that several browser tests share: axe-core runs, visible keyboard focus, moving focus
with the keyboard only, decoding the page's QR code, and finding what sticks out of the
viewport."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from playwright.sync_api import Page

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")

RUN_AXE = """async (only) => {
  const results = await axe.run(document, {runOnly: only, resultTypes: ["violations"]});
  return results.violations.map((rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    nodes: rule.nodes.map((node) => ({target: node.target.join(" "), html: node.html,
                                      summary: node.failureSummary})),
  }));
}"""


def axe_violations(page: Page, *, rules: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's violations on the page (which must have axe injected): of AXE_TAGS, or only
    of the given rules."""
    only = (
        {"type": "rule", "values": list(rules)}
        if rules
        else {"type": "tag", "values": list(AXE_TAGS)}
    )
    return page.evaluate(RUN_AXE, only)


def describe_violations(violations: list[dict], url: str, settings: str) -> str:
    """A failure message a person can act on: rule, impact, elements and the page."""
    lines = [f"{len(violations)} axe violation(s) on {url} ({settings}):"]
    for rule in violations:
        lines.append(f"- {rule['id']} [{rule['impact']}] {rule['help']} ({rule['helpUrl']})")
        for node in rule["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:300]}")
            lines.extend(f"      {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


FOCUS_STATE = """(selector) => {
  const element = document.activeElement;
  if (!element || element === document.body || element === document.documentElement) {
    return {onBody: true, visible: false, matches: false, description: "document.body"};
  }
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  const id = element.id ? "#" + element.id : "";
  return {
    onBody: false,
    visible: outline || shadow,
    matches: Boolean(selector) && element.matches(selector),
    id: element.id,
    description: `<${element.tagName.toLowerCase()}${id}> ${element.outerHTML.slice(0, 160)}`
      + ` (outline: ${style.outlineStyle} ${style.outlineWidth}; box-shadow: ${style.boxShadow})`,
  };
}"""


def focus_state(page: Page, selector: str = "") -> dict:
    """What has keyboard focus, whether an outline or box-shadow makes it visible, and whether
    it matches selector."""
    return page.evaluate(FOCUS_STATE, selector)


def assert_focus_visible(page: Page, step: str, state: dict | None = None) -> dict:
    """Fail unless focus is on an element (not the body) that shows an outline or box-shadow."""
    state = state or focus_state(page)
    assert not state["onBody"], f"{step}: focus fell back to the body on {page.url}"
    assert state["visible"], f"{step}: focus is not visible on {page.url}: {state['description']}"
    return state


def tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 80) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches selector; every stop on the
    way must show visible focus. Returns the focus state at the target."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        state = assert_focus_visible(
            page, f"{key} x{presses} towards {selector}", focus_state(page, selector)
        )
        if state["matches"]:
            return state
    raise AssertionError(f"{selector} not reached after {limit} presses of {key} on {page.url}")


def decode_qr(png: bytes) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in a PNG screenshot."""
    with Image.open(io.BytesIO(png)) as image:
        return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


# Elements whose right edge passes the viewport's, other than those inside a region that scrolls
# on its own (a wide table in .table-scroll is allowed to be wider than the screen).
OVERFLOWING = """() => {
  const width = window.innerWidth;
  const scrollsItself = (element) => {
    for (let node = element.parentElement; node && node !== document.body;
         node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow === "auto" || overflow === "scroll") { return true; }
    }
    return false;
  };
  const describe = (element) => {
    const parts = [];
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) { part += "#" + node.id; }
      else if (node.classList.length) { part += "." + [...node.classList].join("."); }
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 0.5) { continue; }
    if (box.right - box.left <= 1) { continue; }  // visually-hidden helpers
    if (scrollsItself(element)) { continue; }
    found.push(`${describe(element)} reaches ${Math.round(box.right)}px`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          overflowing: found.slice(0, 8)};
}"""

# Every table, and whether it fits or sits in a region that scrolls sideways by itself.
# A count such as "(12)" beside a filter is read as one unit: its text must sit on one line.
BROKEN_COUNTS = """() => [...document.querySelectorAll(".count")].filter((count) => {
  const range = document.createRange();
  range.selectNodeContents(count);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
}).map((count) => count.textContent)"""

TABLES = """() => [...document.querySelectorAll("main table")].map((table) => {
  const region = table.closest(".table-scroll");
  const style = region ? getComputedStyle(region) : null;
  return {
    caption: (table.caption ? table.caption.textContent : "").trim().slice(0, 60),
    tableWidth: Math.round(table.getBoundingClientRect().width),
    inRegion: Boolean(region),
    regionScrolls: Boolean(style && ["auto", "scroll"].includes(style.overflowX)),
    regionWidth: region ? region.clientWidth : null,
    regionFocusable: Boolean(region && region.tabIndex >= 0),
    regionName: region ? (region.getAttribute("aria-labelledby")
                          || region.getAttribute("aria-label") || "") : "",
  };
})"""

# Every focusable element whose box is smaller than `minimum` CSS px either way (WCAG 2.5.8 and
# the 适老化 norm's larger targets), except a link inside a sentence, whose size the text around
# it sets (2.5.8's inline exception): one whose block holds other words than the link's own.
# A checkbox or radio button is also clicked through its label, so its target is the box of
# both. Elements not shown (in a closed <details>, hidden groups) are not targets.
SMALL_TARGETS = """(minimum) => {
  const FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "[tabindex]:not([tabindex='-1'])";
  const words = (text) => text.replace(/[\\s\\p{P}\\p{S}]+/gu, "");
  const blockOf = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      if (!getComputedStyle(node).display.startsWith("inline")) { return node; }
    }
    return document.body;
  };
  const inSentence = (element) => element.tagName === "A"
    && getComputedStyle(element).display.startsWith("inline")
    && words(blockOf(element).textContent).length > words(element.textContent).length;
  const describe = (element) => {
    const id = element.id ? "#" + element.id : "";
    const text = (element.textContent || element.value || "").trim().slice(0, 30);
    return `<${element.tagName.toLowerCase()}${id}> "${text}"`;
  };
  const found = [];
  for (const element of document.querySelectorAll(FOCUSABLE)) {
    let box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || element.closest("[hidden]")) { continue; }
    if (getComputedStyle(element).visibility === "hidden") { continue; }
    const panel = element.closest("details");
    if (panel && !panel.open && !element.closest("summary")) { continue; }
    if (inSentence(element)) { continue; }
    if ((element.type === "checkbox" || element.type === "radio") && element.labels) {
      let [left, top, right, bottom] = [box.left, box.top, box.right, box.bottom];
      for (const label of element.labels) {
        const own = label.getBoundingClientRect();
        left = Math.min(left, own.left); top = Math.min(top, own.top);
        right = Math.max(right, own.right); bottom = Math.max(bottom, own.bottom);
      }
      box = {width: right - left, height: bottom - top};
    }
    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
      found.push(`${describe(element)} is ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return found;
}"""

# Every element showing text of its own, with its computed font size, smaller than `minimum`
# CSS px (visually hidden text, which nobody sees, aside).
SMALL_TEXT = """(minimum) => {
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const own = [...element.childNodes].some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!own) { continue; }
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || element.closest("[hidden]")) { continue; }
    const panel = element.closest("details");
    if (panel && !panel.open && !element.closest("summary")) { continue; }
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < minimum - 0.01) {
      const name = element.className.baseVal ?? element.className;
      found.push(`<${element.tagName.toLowerCase()} class="${name}"> `
        + `"${element.textContent.trim().slice(0, 20)}" at ${size}px`);
    }
  }
  return found;
}"""

# Paragraphs of the document's text that follow one another: the gap between them and their
# line height.
PARAGRAPH_GAPS = """() => {
  const paragraphs = [...document.querySelectorAll(".document-body > p")];
  const gaps = [];
  for (let i = 1; i < paragraphs.length; i++) {
    if (paragraphs[i].previousElementSibling !== paragraphs[i - 1]) { continue; }
    const gap = paragraphs[i].getBoundingClientRect().top
      - paragraphs[i - 1].getBoundingClientRect().bottom;
    gaps.push({gap, lineHeight: parseFloat(getComputedStyle(paragraphs[i]).lineHeight)});
  }
  return gaps;
}"""

# The width of every header cell of the page's report tables, in characters of its own font.
HEADER_WIDTHS = """() => [...document.querySelectorAll("main .report-table th")].map((th) => ({
  text: th.textContent.trim().slice(0, 20),
  characters: (th.getBoundingClientRect().width - parseFloat(getComputedStyle(th).paddingLeft)
    - parseFloat(getComputedStyle(th).paddingRight)) / parseFloat(getComputedStyle(th).fontSize),
}))"""
