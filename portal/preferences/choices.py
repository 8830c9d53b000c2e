"""The reading preferences a visitor may choose, allow-listed, and the cookie value that carries
them: parsed one way, written one way, so whatever a cookie says, a page is rendered from (and
cached under) exactly the preferences it allows."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from portal.preferences.themes import AUTO, DEFAULT_SCHEME, TEXT_COLOURS, Scheme
from portal.text import N_

COOKIE = "prefs"
# Added to the cookie when a preference is changed without JavaScript, so that the next page
# opens the settings again and the visitor can go on from where they were; that page takes it
# out. It lives in the same cookie because the pages (and any cache keyed on it) depend on it.
PANEL_FLAG = "open=1"
COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_COOKIE_LENGTH = 300
PANEL_ID = "reading-settings"


@dataclass(frozen=True)
class Choice:
    """One preference: its cookie key, the values allowed (in display order), its default."""

    key: str
    values: tuple[str, ...]
    default: str


FIXED_CHOICES = (
    Choice("text", ("default", *TEXT_COLOURS), "default"),
    Choice("size", ("100", "125", "150", "175", "200"), "100"),
    Choice("spacing", ("175", "200", "250"), "175"),
    Choice("cursor", ("off", "large"), "off"),
    Choice("textonly", ("off", "on"), "off"),
    Choice("captions", ("off", "on"), "off"),
    Choice("guide", ("off", "ruler", "cross"), "off"),
    Choice("speech", ("off", "point", "flow"), "off"),
    Choice("rate", ("75", "100", "125", "150"), "100"),
    Choice("keys", ("on", "off"), "on"),
    # 关怀版: the care preset (larger text and targets, more spacing, a simpler page), one
    # button on every page, kept until turned off.
    Choice("care", ("off", "on"), "off"),
)

# Keyboard shortcuts: Alt+Shift+digit (why, is explained on the keyboard help page). The
# digit, the action site.js performs, and what the help page calls it.
SHORTCUTS = (
    ("0", "panel", N_("打开或收起阅读设置")),
    ("1", "scheme", N_("切换保护视力色")),
    ("2", "larger", N_("放大字号")),
    ("3", "smaller", N_("缩小字号")),
    ("4", "spacing", N_("切换行距")),
    ("5", "speech", N_("切换朗读方式：关闭、指读、连读")),
    ("6", "play", N_("连读：从当前位置开始朗读，再按一次暂停或继续")),
    ("7", "guide", N_("切换阅读线：关闭、横线、十字线")),
    ("8", "cursor", N_("打开或关闭大鼠标")),
    ("9", "captions", N_("打开或关闭大字幕")),
)


def choices(schemes: Iterable[str]) -> dict[str, Choice]:
    """Every preference by key, the colour scheme first; its values are the scheme ids."""
    scheme = Choice("scheme", (AUTO, *schemes), AUTO)
    return {choice.key: choice for choice in (scheme, *FIXED_CHOICES)}


def defaults(allowed: Mapping[str, Choice]) -> dict[str, str]:
    """Every preference at its default."""
    return {key: choice.default for key, choice in allowed.items()}


def parse(raw: str | None, allowed: Mapping[str, Choice]) -> dict[str, str]:
    """The preferences a cookie value holds: 'scheme=green&size=150'. Anything not on the
    allow-list (unknown keys, unknown values, an overlong cookie) is the default."""
    prefs = defaults(allowed)
    if not raw or len(raw) > MAX_COOKIE_LENGTH:
        return prefs
    for part in raw.split("&"):
        key, _, value = part.partition("=")
        if key in allowed and value in allowed[key].values:
            prefs[key] = value
    return prefs


def serialise(prefs: Mapping[str, str], allowed: Mapping[str, Choice]) -> str:
    """The cookie value of some preferences: only those that differ from the default."""
    return "&".join(
        f"{key}={prefs[key]}"
        for key, choice in allowed.items()
        if prefs.get(key, choice.default) != choice.default
    )


def cookie_value(
    prefs: Mapping[str, str], allowed: Mapping[str, Choice], *, reopen: bool = False
) -> str:
    """The cookie value of some preferences, with the flag that opens the settings once."""
    return "&".join(
        part for part in (serialise(prefs, allowed), PANEL_FLAG if reopen else "") if part
    )


def offered_text_colours(scheme_id: str, schemes: Mapping[str, Scheme]) -> set[str]:
    """The text colours that may be chosen with a scheme. Following the system, that is any
    the schemes it may turn out to be offer; the stylesheet shows each only where it is."""
    if scheme_id == AUTO:
        candidates = [schemes[DEFAULT_SCHEME], *(s for s in schemes.values() if s.system)]
    else:
        candidates = [schemes[scheme_id]]
    return {key for scheme in candidates for key in scheme.text_colours}


def update(
    prefs: Mapping[str, str],
    form: Mapping[str, str],
    allowed: Mapping[str, Choice],
    schemes: Mapping[str, Scheme],
) -> dict[str, str]:
    """Preferences after a form's choices: 'reset' restores every default; values not on the
    allow-list change nothing; a text colour the new scheme does not offer is dropped."""
    if form.get("reset"):
        return defaults(allowed)
    result = dict(prefs)
    for key, choice in allowed.items():
        value = form.get(key)
        if value in choice.values:
            result[key] = value
    if result["text"] not in offered_text_colours(result["scheme"], schemes):
        result["text"] = allowed["text"].default
    return result


def html_classes(prefs: Mapping[str, str], allowed: Mapping[str, Choice]) -> list[str]:
    """The classes on <html> that show the preferences: 'scheme-green', 'size-150'..."""
    return [
        f"{key}-{prefs[key]}" for key, choice in allowed.items() if prefs[key] != choice.default
    ]


@dataclass(frozen=True)
class CookieState:
    """What a request's preferences cookie says, allow-listed: every preference, and whether
    the settings are to be opened once."""

    prefs: tuple[tuple[str, str], ...]
    reopen: bool
    # The cookie value that says exactly this, written one way only: the page cache keys
    # pages on it, so any two cookies a page renders the same share one entry.
    value: str


def panel_requested(raw: str | None) -> bool:
    """Whether a cookie value asks for the settings to be opened once."""
    return bool(raw) and len(raw) <= MAX_COOKIE_LENGTH and PANEL_FLAG in raw.split("&")


def cookie_state(raw: str | None, allowed: Mapping[str, Choice]) -> CookieState:
    """What a `prefs` cookie value says, allow-listed, with the one value that says it."""
    prefs, reopen = parse(raw, allowed), panel_requested(raw)
    return CookieState(tuple(prefs.items()), reopen, cookie_value(prefs, allowed, reopen=reopen))


def serialise_all(prefs: Mapping[str, str]) -> str:
    """Every preference as 'key=value&...', defaults included (for site.js)."""
    return "&".join(f"{key}={value}" for key, value in prefs.items())
