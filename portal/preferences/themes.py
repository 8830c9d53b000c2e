"""Colour schemes: one TOML file each in themes/, loaded, checked and checked again for
contrast by the WCAG 2 formula, so a scheme that fails is left out and never shown."""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from portal.settings import PROJECT_ROOT
from portal.text import LOCALES, N_

THEMES_DIR = PROJECT_ROOT / "themes"

# The colour tokens every scheme defines: the custom properties of site.css, without "--".
TOKENS = (
    "bg",
    "surface",
    "text",
    "muted",
    "link",
    "link-visited",
    "accent",
    "accent-text",
    "border",
    "focus",
    "focus-ring",
    "mark-bg",
    "mark-text",
)
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
TEXT_CONTRAST = 4.5  # WCAG 1.4.3 (AA)
HIGH_TEXT_CONTRAST = 7.0  # WCAG 1.4.6 (AAA), required of a high-contrast scheme
NON_TEXT_CONTRAST = 3.0  # WCAG 1.4.11: focus indicators, control borders

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

    def name(self, locale: str) -> str:
        """The scheme's name in a language (a Babel locale of LOCALES)."""
        return self.names[locale]

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
        raise ThemeError(
            path,
            "the file name must be lower-case letters and digits "
            f"(at most 20), starting with a letter, and not {AUTO!r}",
        )
    unknown = sorted(set(data) - SCHEME_KEYS)
    if unknown:
        raise ThemeError(path, f"unknown keys: {', '.join(unknown)}")

    names = data.get("name")
    if not isinstance(names, dict) or any(
        not isinstance(names.get(locale), str) or not names[locale].strip() for locale in LOCALES
    ):
        raise ThemeError(path, f"[name] needs a name for each language: {', '.join(LOCALES)}")

    colours = data.get("colours")
    if not isinstance(colours, dict):
        raise ThemeError(path, "no [colours] table")
    missing = [token for token in TOKENS if token not in colours]
    extra = sorted(set(colours) - set(TOKENS))
    if missing or extra:
        raise ThemeError(
            path,
            "[colours] "
            + "; ".join(
                part
                for part in (
                    missing and f"missing: {', '.join(missing)}",
                    extra and f"unknown: {', '.join(extra)}",
                )
                if part
            ),
        )
    text_colours = data.get("text-colours", {})
    if not isinstance(text_colours, dict):
        raise ThemeError(path, "[text-colours] must be a table")
    unknown = sorted(set(text_colours) - set(TEXT_COLOURS))
    if unknown:
        raise ThemeError(
            path, f"[text-colours] unknown: {', '.join(unknown)}; known: {', '.join(TEXT_COLOURS)}"
        )
    for table, values in (("colours", colours), ("text-colours", text_colours)):
        for key, value in values.items():
            if not isinstance(value, str) or not HEX.fullmatch(value):
                raise ThemeError(
                    path, f'[{table}] {key} = {value!r} is not a colour like "#1a1a1a"'
                )

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
        id=path.stem,
        names={locale: names[locale].strip() for locale in LOCALES},
        colours={token: colours[token].lower() for token in TOKENS},
        text_colours={
            key: text_colours[key].lower() for key in TEXT_COLOURS if key in text_colours
        },
        order=order,
        system=system,
        **flags,
    )


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
        raise ThemeError(
            folder / f"{DEFAULT_SCHEME}.toml",
            "the default scheme is missing or unusable: " + "; ".join(problems),
        )
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

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
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
        pairs += [
            Pair(f"{name} on {background}", value, colours[background], text)
            for name, value in foregrounds
        ]
        pairs.append(
            Pair(
                f"focus outline on {background}",
                colours["focus"],
                colours[background],
                NON_TEXT_CONTRAST,
            )
        )
        pairs.append(
            Pair(
                f"control border on {background}",
                colours["border"],
                colours[background],
                NON_TEXT_CONTRAST,
            )
        )
    pairs += [
        Pair("header text on accent", colours["accent-text"], colours["accent"], text),
        Pair(
            "header focus outline on accent",
            colours["accent-text"],
            colours["accent"],
            NON_TEXT_CONTRAST,
        ),
        Pair(
            "focus outline on focus ring",
            colours["focus"],
            colours["focus-ring"],
            NON_TEXT_CONTRAST,
        ),
        Pair("highlighted text (mark)", colours["mark-text"], colours["mark-bg"], text),
    ]
    return pairs


def contrast_problems(scheme: Scheme) -> list[str]:
    """The pairs of a scheme that do not reach their contrast, one line each."""
    return [
        f"{pair.what}: {pair.foreground} on {pair.background} is {pair.ratio:.2f}:1, "
        f"needs {pair.minimum:g}:1"
        for pair in contrast_pairs(scheme)
        if pair.ratio < pair.minimum
    ]
