"""Reading preferences, without Flask: the colour schemes of themes/ (checked for contrast),
their stylesheet, and the allow-listed choices a visitor may make, with the one way their cookie
value is read and written. portal.wiring.preferences joins them to the running site."""

from portal.preferences.choices import (
    COOKIE,
    COOKIE_MAX_AGE,
    FIXED_CHOICES,
    MAX_COOKIE_LENGTH,
    PANEL_FLAG,
    PANEL_ID,
    SHORTCUTS,
    Choice,
    CookieState,
    choices,
    cookie_state,
    cookie_value,
    defaults,
    html_classes,
    offered_text_colours,
    panel_requested,
    parse,
    serialise,
    serialise_all,
    update,
)
from portal.preferences.stylesheet import stylesheet
from portal.preferences.themes import (
    AUTO,
    DEFAULT_SCHEME,
    HIGH_TEXT_CONTRAST,
    NON_TEXT_CONTRAST,
    SYSTEM_MEDIA,
    TEXT_COLOURS,
    TEXT_CONTRAST,
    THEMES_DIR,
    TOKENS,
    Pair,
    Scheme,
    ThemeError,
    contrast_pairs,
    contrast_problems,
    contrast_ratio,
    load_scheme,
    load_schemes,
    relative_luminance,
)

__all__ = [
    "AUTO", "COOKIE", "COOKIE_MAX_AGE", "DEFAULT_SCHEME", "FIXED_CHOICES", "HIGH_TEXT_CONTRAST",
    "MAX_COOKIE_LENGTH", "NON_TEXT_CONTRAST", "PANEL_FLAG", "PANEL_ID", "SHORTCUTS",
    "SYSTEM_MEDIA", "TEXT_COLOURS", "TEXT_CONTRAST", "THEMES_DIR", "TOKENS", "Choice",
    "CookieState", "Pair", "Scheme", "ThemeError", "choices", "contrast_pairs",
    "contrast_problems", "contrast_ratio", "cookie_state", "cookie_value", "defaults",
    "html_classes", "load_scheme", "load_schemes", "offered_text_colours", "panel_requested",
    "parse", "relative_luminance", "serialise", "serialise_all", "stylesheet", "update",
]
