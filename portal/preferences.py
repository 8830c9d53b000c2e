"""Reading preferences: the colour schemes of themes/ (one TOML file each, with their contrast
checked), the allow-listed values a visitor may choose, and the cookie that carries them, so a
page is rendered in the visitor's colours and text size from its first byte."""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.wrappers import Request

from portal.assets import EXTRA_CSS
from portal.i18n import LOCALES, gettext, select_locale
from portal.settings import PROJECT_ROOT
from portal.text import N_

log = logging.getLogger(__name__)

THEMES_DIR = PROJECT_ROOT / "themes"
EXTENSION = "portal.preferences"

COOKIE = "prefs"
# Added to the cookie when a preference is changed without JavaScript, so that the next page
# opens the settings again and the visitor can go on from where they were; that page takes it
# out. It lives in the same cookie because the pages (and any cache keyed on it) depend on it.
PANEL_FLAG = "open=1"
COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_COOKIE_LENGTH = 300
PANEL_ID = "reading-settings"

# The colour tokens every scheme defines: the custom properties of site.css, without "--".
TOKENS = ("bg", "surface", "text", "muted", "link", "link-visited", "accent", "accent-text",
          "border", "focus", "focus-ring", "mark-bg", "mark-text")
# 字体颜色: the text colours a scheme may offer, each with its own value in each scheme.
TEXT_COLOURS = {
    "black": N_("黑色"),
    "blue": N_("蓝色"),
    "green": N_("绿色"),
    "brown": N_("棕色"),
    "white": N_("白色"),
    "yellow": N_("黄色"),
    "cyan": N_("青色"),
}
# System settings a scheme may stand for until the visitor chooses one (CSS media features).
SYSTEM_MEDIA = ("prefers-color-scheme: dark", "prefers-contrast: more")
TEXT_CONTRAST = 4.5        # WCAG 1.4.3 (AA)
HIGH_TEXT_CONTRAST = 7.0   # WCAG 1.4.6 (AAA), required of a high-contrast scheme
NON_TEXT_CONTRAST = 3.0    # WCAG 1.4.11: focus indicators, control borders

HEX = re.compile(r"#[0-9a-fA-F]{6}")
SCHEME_ID = re.compile(r"[a-z][a-z0-9]{0,19}")
AUTO = "auto"
DEFAULT_SCHEME = "default"


class ThemeError(ValueError):
    """A colour-scheme file that cannot be used; the message names the file."""

    def __init__(self, path: Path, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class Scheme:
    """One colour scheme: its tokens, the text colours it offers, and what it stands for."""

    id: str
    names: Mapping[str, str]
    colours: Mapping[str, str]
    text_colours: Mapping[str, str]
    order: int = 0
    dark: bool = False
    high_contrast: bool = False
    system: str | None = None

    def name(self, locale: str | None = None) -> str:
        """The scheme's name in the page's language."""
        return self.names[locale or select_locale()]

    @property
    def text_minimum(self) -> float:
        """The contrast text must reach against its background in this scheme."""
        return HIGH_TEXT_CONTRAST if self.high_contrast else TEXT_CONTRAST


SCHEME_KEYS = {"order", "dark", "high_contrast", "system", "name", "colours", "text-colours"}


def load_scheme(path: Path) -> Scheme:
    """A scheme from its TOML file; ThemeError says what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ThemeError(path, f"not a readable TOML file: {error}") from error
    if not SCHEME_ID.fullmatch(path.stem) or path.stem == AUTO:
        raise ThemeError(path, "the file name must be lower-case letters and digits "
                               f"(at most 20), starting with a letter, and not {AUTO!r}")
    unknown = sorted(set(data) - SCHEME_KEYS)
    if unknown:
        raise ThemeError(path, f"unknown keys: {', '.join(unknown)}")

    names = data.get("name")
    if not isinstance(names, dict) or any(
            not isinstance(names.get(locale), str) or not names[locale].strip()
            for locale in LOCALES):
        raise ThemeError(path, f"[name] needs a name for each language: {', '.join(LOCALES)}")

    colours = data.get("colours")
    if not isinstance(colours, dict):
        raise ThemeError(path, "no [colours] table")
    missing = [token for token in TOKENS if token not in colours]
    extra = sorted(set(colours) - set(TOKENS))
    if missing or extra:
        raise ThemeError(path, "[colours] " + "; ".join(
            part for part in (missing and f"missing: {', '.join(missing)}",
                              extra and f"unknown: {', '.join(extra)}") if part))
    text_colours = data.get("text-colours", {})
    if not isinstance(text_colours, dict):
        raise ThemeError(path, "[text-colours] must be a table")
    unknown = sorted(set(text_colours) - set(TEXT_COLOURS))
    if unknown:
        raise ThemeError(path, f"[text-colours] unknown: {', '.join(unknown)}; "
                               f"known: {', '.join(TEXT_COLOURS)}")
    for table, values in (("colours", colours), ("text-colours", text_colours)):
        for key, value in values.items():
            if not isinstance(value, str) or not HEX.fullmatch(value):
                raise ThemeError(path, f"[{table}] {key} = {value!r} is not a colour "
                                       "like \"#1a1a1a\"")

    system = data.get("system")
    if system is not None and system not in SYSTEM_MEDIA:
        raise ThemeError(path, f"system = {system!r}; allowed: {', '.join(SYSTEM_MEDIA)}")
    flags = {key: data.get(key, False) for key in ("dark", "high_contrast")}
    if not all(isinstance(value, bool) for value in flags.values()):
        raise ThemeError(path, "dark and high_contrast must be true or false")
    order = data.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        raise ThemeError(path, "order must be a whole number")
    return Scheme(
        id=path.stem, names={locale: names[locale].strip() for locale in LOCALES},
        colours={token: colours[token].lower() for token in TOKENS},
        text_colours={key: text_colours[key].lower()
                      for key in TEXT_COLOURS if key in text_colours},
        order=order, system=system, **flags)


def load_schemes(folder: Path = THEMES_DIR) -> tuple[dict[str, Scheme], list[str]]:
    """Every usable scheme of a folder, in display order, and the problems of the others.

    A file that is broken, or whose colours fail the contrast rules, is left out (and named in
    the problems) so one bad file never takes the site down; the default scheme must be usable.
    """
    schemes, problems = [], []
    for path in sorted(folder.glob("*.toml")):
        try:
            scheme = load_scheme(path)
        except ThemeError as error:
            problems.append(str(error))
            continue
        failures = contrast_problems(scheme)
        if failures:
            problems.extend(f"{path}: {failure}" for failure in failures)
            continue
        schemes.append(scheme)
    by_id = {scheme.id: scheme for scheme in sorted(schemes, key=lambda s: (s.order, s.id))}
    if DEFAULT_SCHEME not in by_id:
        raise ThemeError(folder / f"{DEFAULT_SCHEME}.toml", "the default scheme is missing or "
                         "unusable: " + "; ".join(problems))
    systems = [scheme.system for scheme in by_id.values() if scheme.system]
    duplicated = sorted({system for system in systems if systems.count(system) > 1})
    if duplicated:
        raise ThemeError(folder, f"more than one scheme stands for: {', '.join(duplicated)}")
    return by_id, problems


# Contrast, by the WCAG 2 formula -------------------------------------------------------------

def relative_luminance(colour: str) -> float:
    """The WCAG relative luminance of an sRGB colour written #rrggbb."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Pair:
    """Two colours the site shows against each other, and the contrast they need."""

    what: str
    foreground: str
    background: str
    minimum: float

    @property
    def ratio(self) -> float:
        """Their WCAG contrast ratio."""
        return contrast_ratio(self.foreground, self.background)


def contrast_pairs(scheme: Scheme) -> list[Pair]:
    """Every colour pair of a scheme, with each text colour it offers, that must contrast."""
    colours, text = scheme.colours, scheme.text_minimum
    foregrounds = [(token, colours[token]) for token in ("text", "muted", "link", "link-visited")]
    foregrounds += [(f"text colour {key}", value) for key, value in scheme.text_colours.items()]
    pairs = []
    for background in ("bg", "surface"):
        # Buttons are the text colour filled, labelled in the background colour: the same pair.
        pairs += [Pair(f"{name} on {background}", value, colours[background], text)
                  for name, value in foregrounds]
        pairs.append(Pair(f"focus outline on {background}", colours["focus"],
                          colours[background], NON_TEXT_CONTRAST))
        pairs.append(Pair(f"control border on {background}", colours["border"],
                          colours[background], NON_TEXT_CONTRAST))
    pairs += [
        Pair("header text on accent", colours["accent-text"], colours["accent"], text),
        Pair("header focus outline on accent", colours["accent-text"], colours["accent"],
             NON_TEXT_CONTRAST),
        Pair("focus outline on focus ring", colours["focus"], colours["focus-ring"],
             NON_TEXT_CONTRAST),
        Pair("highlighted text (mark)", colours["mark-text"], colours["mark-bg"], text),
    ]
    return pairs


def contrast_problems(scheme: Scheme) -> list[str]:
    """The pairs of a scheme that do not reach their contrast, one line each."""
    return [f"{pair.what}: {pair.foreground} on {pair.background} is {pair.ratio:.2f}:1, "
            f"needs {pair.minimum:g}:1" for pair in contrast_pairs(scheme)
            if pair.ratio < pair.minimum]


# The stylesheet of the schemes ---------------------------------------------------------------

NOT_CHOSEN = ':root:not([class*="scheme-"])'


def _declarations(scheme: Scheme) -> str:
    """A scheme's custom properties, its text colours included (those it does not offer fall
    back to its own text colour and their buttons are not shown)."""
    parts = [f"--{token}: {scheme.colours[token]};" for token in TOKENS]
    for key in TEXT_COLOURS:
        offered = key in scheme.text_colours
        parts.append(f"--tc-{key}: {scheme.text_colours.get(key, scheme.colours['text'])};")
        parts.append(f"--tc-{key}-display: {'inline-block' if offered else 'none'};")
    parts.append(f"color-scheme: {'dark' if scheme.dark else 'light'};")
    return " ".join(parts)


def stylesheet(schemes: Mapping[str, Scheme]) -> str:
    """The CSS of the schemes: tokens on <html> by class, system settings followed until the
    visitor chooses, and the buttons that preview each choice."""
    lines = ["/* Colour schemes: generated at start-up from themes/*.toml by "
             "portal/preferences.py. */",
             f":root {{ {_declarations(schemes[DEFAULT_SCHEME])} }}"]
    # Media rules come in order, so the last matching system setting wins (more contrast
    # beats dark when both are asked for).
    lines += [f"@media ({scheme.system}) {{ {NOT_CHOSEN} {{ {_declarations(scheme)} }} }}"
              for scheme in schemes.values() if scheme.system]
    lines += [f":root.scheme-{scheme.id} {{ {_declarations(scheme)} }}"
              for scheme in schemes.values()]
    lines += [f":root.text-{key} {{ --text: var(--tc-{key}); }}" for key in TEXT_COLOURS]
    lines += [f".text-choice-{key} {{ --choice-fg: var(--tc-{key}); "
              f"display: var(--tc-{key}-display); }}" for key in TEXT_COLOURS]
    lines += [f".scheme-choice-{scheme.id} {{ --preview-bg: {scheme.colours['bg']}; "
              f"--preview-fg: {scheme.colours['text']}; }}" for scheme in schemes.values()]
    return "\n".join(lines) + "\n"


# The choices a visitor may make --------------------------------------------------------------

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
    return "&".join(f"{key}={prefs[key]}" for key, choice in allowed.items()
                    if prefs.get(key, choice.default) != choice.default)


def cookie_value(prefs: Mapping[str, str], allowed: Mapping[str, Choice], *,
                 reopen: bool = False) -> str:
    """The cookie value of some preferences, with the flag that opens the settings once."""
    return "&".join(part for part in (serialise(prefs, allowed), PANEL_FLAG if reopen else "")
                    if part)


def offered_text_colours(scheme_id: str, schemes: Mapping[str, Scheme]) -> set[str]:
    """The text colours that may be chosen with a scheme. Following the system, that is any
    the schemes it may turn out to be offer; the stylesheet shows each only where it is."""
    if scheme_id == AUTO:
        candidates = [schemes[DEFAULT_SCHEME], *(s for s in schemes.values() if s.system)]
    else:
        candidates = [schemes[scheme_id]]
    return {key for scheme in candidates for key in scheme.text_colours}


def update(prefs: Mapping[str, str], form: Mapping[str, str], allowed: Mapping[str, Choice],
           schemes: Mapping[str, Scheme]) -> dict[str, str]:
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
    return [f"{key}-{prefs[key]}" for key, choice in allowed.items()
            if prefs[key] != choice.default]


# Requests ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Registry:
    """What a running site offers: its schemes and the allow-list built from them."""

    schemes: dict[str, Scheme]
    allowed: dict[str, Choice]


def registry() -> Registry:
    """The current app's schemes and allow-list."""
    return current_app.extensions[EXTENSION]


@dataclass(frozen=True)
class CookieState:
    """What a request's preferences cookie says, allow-listed: every preference, and whether
    the settings are to be opened once."""

    prefs: tuple[tuple[str, str], ...]
    reopen: bool
    # The cookie value that says exactly this, written one way only: the page cache keys
    # pages on it, so any two cookies a page renders the same share one entry.
    value: str


# Where a request's CookieState is kept, in its WSGI environ: parsed once by whichever comes
# first, the page cache or the app, and used by both.
ENVIRON_KEY = "portal.preferences.cookie"


def read_cookie(environ: dict, allowed: Mapping[str, Choice]) -> CookieState:
    """The preferences of a request, parsed once from its Cookie header (the first `prefs`
    cookie wins, as in werkzeug's request.cookies) and kept in its environ."""
    found = environ.get(ENVIRON_KEY)
    if found is None:
        # werkzeug's own request.cookies: the header is read one way only.
        raw = (Request(environ, populate_request=False, shallow=True).cookies.get(COOKIE)
               if environ.get("HTTP_COOKIE") else None)
        prefs, reopen = parse(raw, allowed), panel_requested(raw)
        found = environ[ENVIRON_KEY] = CookieState(
            tuple(prefs.items()), reopen, cookie_value(prefs, allowed, reopen=reopen))
    return found


def current() -> dict[str, str]:
    """The preferences of the current request, from its cookie."""
    return dict(read_cookie(request.environ, registry().allowed).prefs)


def panel_requested(raw: str | None) -> bool:
    """Whether a cookie value asks for the settings to be opened once."""
    return bool(raw) and len(raw) <= MAX_COOKIE_LENGTH and PANEL_FLAG in raw.split("&")


def store(response: Response, prefs: Mapping[str, str], *, reopen: bool = False) -> None:
    """Put preferences in the visitor's cookie (none when all are the defaults)."""
    value = cookie_value(prefs, registry().allowed, reopen=reopen)
    secure = request.is_secure
    if value:
        response.set_cookie(COOKIE, value, max_age=COOKIE_MAX_AGE, path="/", secure=secure,
                            httponly=True, samesite="Lax")
    else:
        response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")


def init_app(app: Flask) -> None:
    """Load the schemes, hand their stylesheet to the asset bundle (so call this before
    assets.init_app), and render every page in the visitor's preferences."""
    schemes, problems = load_schemes(Path(app.config["THEMES_DIR"]))
    for problem in problems:
        log.error("colour scheme left out: %s", problem)
    app.extensions[EXTENSION] = Registry(schemes, choices(schemes))
    app.extensions.setdefault(EXTRA_CSS, []).append(stylesheet(schemes))

    allowed = app.extensions[EXTENSION].allowed
    fixed = {"prefs_defaults": serialise_all(defaults(allowed)), "shortcuts": SHORTCUTS,
             "prefs_shortcuts": "&".join(f"{digit}={action}" for digit, action, _ in SHORTCUTS),
             "panel_id": PANEL_ID}
    labelled_choices: dict[str, dict] = {}  # by locale: the same lists for every page

    @app.context_processor
    def reading_preferences():
        prefs = current()
        locale = select_locale()
        if locale not in labelled_choices:
            labelled_choices[locale] = {
                "scheme_choices": [
                    (scheme.id, scheme.name(locale), f"scheme-choice scheme-choice-{scheme.id}")
                    for scheme in schemes.values()],
                "text_colour_choices": [(key, gettext(label), f"text-choice-{key}")
                                        for key, label in TEXT_COLOURS.items()]}
        return {
            "prefs": prefs,
            "prefs_key": tuple(prefs.values()),
            "prefs_classes": " ".join(html_classes(prefs, allowed)),
            "prefs_panel_open": read_cookie(request.environ, allowed).reopen,
            **fixed, **labelled_choices[locale],
        }

    @app.after_request
    def vary_on_cookie(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.vary.add("Cookie")
            if request.method == "GET" and read_cookie(request.environ, allowed).reopen:
                # The settings were opened again, once: take the flag out; keep no copy.
                store(response, current())
                response.headers["Cache-Control"] = "no-store"
        return response


def serialise_all(prefs: Mapping[str, str]) -> str:
    """Every preference as 'key=value&...', defaults included (for site.js)."""
    return "&".join(f"{key}={value}" for key, value in prefs.items())
