"""Contrast, proven: every colour pair the site shows, in every colour scheme and with every text
colour a scheme offers, computed with the WCAG 2 formula. Text needs 4.5:1 (7:1 in a
high-contrast scheme); focus indicators and control borders need 3:1."""

import re
from pathlib import Path

import pytest

from portal.preferences import (
    THEMES_DIR,
    contrast_pairs,
    contrast_problems,
    contrast_ratio,
    load_scheme,
    load_schemes,
    stylesheet,
)

SCHEME_FILES = sorted(THEMES_DIR.glob("*.toml"))
CSS_DIR = Path(__file__).parent.parent / "portal" / "static" / "css"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),  # and the first that fails
        ("#ffff00", "#000000", 19.56),
        ("#c7edcc", "#1a1a1a", 13.60),
    ],
)
def test_the_wcag_formula_gives_the_known_ratios(first, second, expected):
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(second, first) == contrast_ratio(first, second)


def test_there_are_the_schemes_visitors_expect():
    assert {path.stem for path in SCHEME_FILES} >= {"default", "green", "beige", "contrast", "dark"}


def pairs_to_check(scheme):
    """The pairs, enumerated here independently of the module: (what, fg, bg, minimum)."""
    c = scheme.colours
    text = 7.0 if scheme.high_contrast else 4.5
    pairs = []
    foregrounds = {token: c[token] for token in ("text", "muted", "link", "link-visited")}
    foregrounds.update({f"text colour {key}": value for key, value in scheme.text_colours.items()})
    for background in ("bg", "surface"):
        for name, value in foregrounds.items():
            pairs.append((f"{name} on {background}", value, c[background], text))
        pairs.append((f"focus outline on {background}", c["focus"], c[background], 3.0))
        pairs.append((f"control border on {background}", c["border"], c[background], 3.0))
    pairs += [
        ("header text on accent", c["accent-text"], c["accent"], text),
        ("focus outline on focus ring", c["focus"], c["focus-ring"], 3.0),
        ("highlighted text", c["mark-text"], c["mark-bg"], text),
    ]
    return pairs


@pytest.mark.parametrize("path", SCHEME_FILES, ids=lambda path: path.stem)
def test_every_pair_of_every_scheme_and_text_colour_reaches_its_contrast(path):
    scheme = load_scheme(path)
    failures = [
        f"{what}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}:1, needs {minimum}:1"
        for what, fg, bg, minimum in pairs_to_check(scheme)
        if contrast_ratio(fg, bg) < minimum
    ]
    assert failures == []
    assert contrast_problems(scheme) == []


@pytest.mark.parametrize("path", SCHEME_FILES, ids=lambda path: path.stem)
def test_the_site_checks_at_least_the_pairs_this_test_does(path):
    scheme = load_scheme(path)
    checked = {(pair.foreground, pair.background, pair.minimum) for pair in contrast_pairs(scheme)}
    assert {(fg, bg, minimum) for _, fg, bg, minimum in pairs_to_check(scheme)} <= checked


def test_the_high_contrast_scheme_keeps_text_at_seven_to_one():
    scheme = load_scheme(THEMES_DIR / "contrast.toml")
    assert scheme.high_contrast and scheme.text_minimum == 7.0
    text_pairs = [pair for pair in contrast_pairs(scheme) if pair.minimum == 7.0]
    assert len(text_pairs) >= 10
    assert min(pair.ratio for pair in text_pairs) >= 7.0


def test_each_scheme_offers_some_text_colours():
    for path in SCHEME_FILES:
        assert load_scheme(path).text_colours, path.stem


def test_the_stylesheet_uses_exactly_the_colours_of_the_files():
    schemes, _ = load_schemes(THEMES_DIR)
    css = stylesheet(schemes)
    for scheme in schemes.values():
        block = re.search(rf":root\.scheme-{scheme.id} \{{([^}}]*)\}}", css).group(1)
        for token, value in scheme.colours.items():
            assert f"--{token}: {value};" in block, (scheme.id, token)
        for key, value in scheme.text_colours.items():
            assert f"--tc-{key}: {value};" in block, (scheme.id, key)


def test_links_stay_underlined_in_every_scheme_and_setting():
    site = (CSS_DIR / "site.css").read_text("utf-8")
    assert re.search(r"\na \{[^}]*text-decoration: underline", site)
    schemes, _ = load_schemes(THEMES_DIR)
    for css in ((CSS_DIR / "preferences.css").read_text("utf-8"), stylesheet(schemes)):
        assert "text-decoration" not in css
