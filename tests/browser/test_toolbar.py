"""The reading-settings toolbar with JavaScript, by keyboard alone: colour scheme, text size and
restore defaults apply at once and are announced; read-aloud speaks the focused text in the
right language (with a stand-in for speechSynthesis, since headless Chromium has no voices)."""

from __future__ import annotations

from .checks import assert_focus_visible, tab_to
from .conftest import absolute
from .test_keyboard import start

SPEECH_STUB = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  speaking: false, pending: false, paused: false,
  speak(utterance) {
    window.__spoken.push({text: utterance.text, lang: utterance.lang, rate: utterance.rate});
    setTimeout(() => utterance.onend && utterance.onend(), 0);
  },
  cancel() {}, pause() {}, resume() {}, getVoices() { return []; },
  addEventListener() {}, removeEventListener() {},
}});
"""


def html_classes(page) -> set[str]:
    return set(page.evaluate("document.documentElement.className").split())


def status_text(page) -> str:
    return page.evaluate(
        "(document.querySelector('[data-prefs-status]') || {}).textContent || ''"
    ).strip()


def test_scheme_size_and_restore_defaults_by_keyboard_apply_at_once(fresh_context, live_server):
    page = start(fresh_context, live_server, "/")
    tab_to(page, "a[data-skip-prefs]", limit=3)
    page.keyboard.press("Enter")
    where = page.evaluate("document.activeElement.outerHTML.slice(0, 80)")
    if not page.evaluate("document.activeElement.matches('details.prefs > summary')"):
        tab_to(page, "details.prefs > summary", limit=3)
    assert_focus_visible(page, f"the settings, reached from the skip link ({where})")
    if not page.evaluate("document.querySelector('details.prefs').open"):
        page.keyboard.press("Enter")

    tab_to(page, "button[name=scheme][value=green]", limit=10)
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.classList.contains('scheme-green')")
    assert page.get_attribute("button[name=scheme][value=green]", "aria-pressed") == "true"
    assert status_text(page), "the change was not announced"
    assert page.url.endswith("/"), "the page reloaded instead of applying the change at once"

    tab_to(page, "button[name=size][value='150']", limit=30)
    page.keyboard.press("Space")
    page.wait_for_function("document.documentElement.classList.contains('size-150')")
    assert_focus_visible(page, "after choosing 150% text")

    tab_to(page, "button[name=reset]", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_function("!document.documentElement.classList.contains('scheme-green')")
    assert not {"scheme-green", "size-150"} & html_classes(page)
    # The background request stored the reset: a fresh load is in the defaults too.
    page.wait_for_timeout(300)
    page.goto(absolute(live_server, "/"), wait_until="load")
    assert not {"scheme-green", "size-150"} & html_classes(page)


def test_point_reading_speaks_the_focused_text_in_its_language(fresh_context, live_server):
    fresh_context.add_init_script(SPEECH_STUB)
    fresh_context.add_cookies(
        [{"name": "prefs", "value": "speech=point", "url": absolute(live_server, "/")}]
    )
    page = start(fresh_context, live_server, "/en/documents/2024-tech-commissioner-measures/")
    page.keyboard.press("Tab")
    page.wait_for_function("window.__spoken.length > 0")
    spoken = page.evaluate("window.__spoken[window.__spoken.length - 1]")
    assert spoken["text"] == "Skip to main content" and spoken["lang"] == "en"
    page.focus(".breadcrumbs a[aria-current=page]")
    page.wait_for_function(
        "window.__spoken.some(s => s.text.includes('科技特派员') && s.lang === 'zh-CN')"
    )


def test_read_aloud_says_so_where_speech_synthesis_is_missing(fresh_context, live_server):
    fresh_context.add_init_script(
        "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"
    )
    fresh_context.add_cookies(
        [{"name": "prefs", "value": "speech=point", "url": absolute(live_server, "/")}]
    )
    page = start(fresh_context, live_server, "/")
    note = page.locator("[data-speech-unsupported]")
    page.evaluate("document.querySelector('details.prefs').open = true")
    assert note.is_visible()
