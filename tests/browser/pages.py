"""What the browser tests visit, and in which settings: the one place to extend.

Every check runs over PAGES x LOCALES (and, where it matters, TEXT_SIZES and SCHEMES), so a new
page type, language or colour scheme is tested everywhere by adding one line here. Known bugs
are listed in KNOWN_ISSUES, where they turn into strict xfails: the suite stays green while the
bug is open and goes red the moment it is fixed, so the entry cannot be forgotten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class PageType:
    """One kind of page: a short name for test ids and file names, and its address."""

    name: str
    path: str
    status: int = 200
    # A public page has the footer's QR code and share links; the back office's pages do not.
    public: bool = True

    def url(self, locale: str) -> str:
        """The page's path in a locale (English pages live under /en/)."""
        return LOCALE_PREFIXES[locale] + self.path


PAGES = (
    PageType("home", "/"),
    PageType("browse", "/catalogue/"),
    PageType("browse-category-year", "/catalogue/statutory/?year=2024"),
    PageType("browse-filtered", "/catalogue/?five=decision&department=办公室"),
    PageType("document", "/documents/2024-tech-commissioner-measures/"),
    PageType(
        "attachment-text",
        "/documents/2024-tech-commissioner-measures/text/2024-tech-commissioner-measures-form.csv/",
    ),
    PageType("annual-report", "/documents/lingwu-kjj-2024/"),
    PageType("annual-report-sample", "/documents/lingwu-kjj-2023/"),
    PageType("report-comparison", "/reports/compare/灵武市科学技术局/"),
    PageType("reports", "/reports/"),
    PageType("county-reports", "/reports/county/2024/"),
    # The fixture site has no organisation files: it is one body (tests/browser/
    # test_organisation_pages.py covers a platform of several).
    PageType("organisations", "/organisations/"),
    PageType("organisation", "/organisations/lingwu-kjj/"),
    PageType("search-hits", "/search?q=科技特派员"),
    PageType("search-facets", "/search?q=科技&year=2024#results"),
    PageType("search-no-results", "/search?q=不存在的词语组合"),
    # A short first page going on with documents lacking one word, under a notice.
    PageType("search-partial", "/search?q=科技特派员+管理办法+申请"),
    PageType("not-found", "/documents/nope/", status=404),
    PageType("apply", "/apply/"),
    PageType("apply-track", "/apply/track"),
    PageType("accessibility", "/accessibility/"),
    PageType("admin-sign-in", "/admin/sign-in", public=False),
)
PAGES_BY_NAME = {page.name: page for page in PAGES}

# The page types people look at in the screenshots folder.
KEY_PAGES = (
    "home",
    "browse",
    "document",
    "annual-report",
    "report-comparison",
    "search-hits",
    "not-found",
)

LOCALE_PREFIXES = {"zh-Hans": "", "en": "/en"}
LOCALES = tuple(LOCALE_PREFIXES)

# Text size as a percentage of the browser's default font size, which is what a visitor changes
# in the browser's settings (WCAG 1.4.4 "Resize text"); see conftest.set_text_size for how.
TEXT_SIZES = (100, 200)

# Every colour scheme of themes/, and the care preset (关怀版: larger text, targets and spacing,
# in the default colours). axe runs in each at every text size (contrast and overlap change with
# both); layout checks (reflow, system settings, which emulate their own colours) run in the
# default scheme, keeping the suite within CI's time.
SCHEMES = ("default", "green", "beige", "dark", "contrast", "care")
# The preferences cookie that shows each (a colour scheme's is scheme=<its id>).
SCHEME_COOKIES = {"default": "", "care": "care=on"}
LAYOUT_SCHEMES = ("default",)


def default_scheme_or_normal_size(scheme: str, **axes) -> bool:
    """Every scheme at normal size; larger text and narrow screens in the default scheme only
    (for screenshots: people compare colours at normal size)."""
    return scheme == "default" or all(value in (100, "1280px") for value in axes.values())


def apply_scheme(context, scheme: str, base_url: str) -> None:
    """Make a browser context show the site in a colour scheme (or the care preset), as the
    preferences cookie does."""
    value = SCHEME_COOKIES.get(scheme, f"scheme={scheme}")
    if value:
        context.add_cookies([{"name": "prefs", "value": value, "url": base_url}])


# System settings a visitor's operating system can impose (page.emulate_media arguments).
# Forced colours come with a dark scheme, as in Windows' most used contrast theme.
SYSTEM_SETTINGS = {
    "forced-colors": {"forced_colors": "active", "color_scheme": "dark"},
    "dark": {"color_scheme": "dark"},
    "reduced-motion": {"reduced_motion": "reduce"},
}

# Keyboard journeys to add when the features exist (no placeholder tests: these are a to-do).
# Journeys not written yet (colour scheme, text size and restore defaults are in test_toolbar).
JOURNEYS_TO_ADD: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownIssue:
    """A bug found by a check and not fixed yet: which check, which pages, and why.

    page_pattern is a regular expression over page names; variants, if given, are values of the
    check's other axes (such as a layout name) that must all be present for the bug to show.
    """

    check: str
    page_pattern: str
    reason: str
    fix: str
    locales: tuple[str, ...] = LOCALES
    variants: tuple[str, ...] = ()

    def matches(self, check: str, page: PageType, locale: str, values: tuple = ()) -> bool:
        """Whether this issue is expected to fail the check on that page in those settings."""
        return (
            check == self.check
            and locale in self.locales
            and re.fullmatch(self.page_pattern, page.name) is not None
            and all(variant in map(str, values) for variant in self.variants)
        )


# Bugs the checks found, with the fix proposed. Remove an entry when its fix lands: the strict
# xfail turns into a failure ("XPASS(strict)") until then, so a fixed bug cannot stay listed.
# None open today. Found and fixed while these tests were written: the metadata box at 320px
# (WCAG 1.4.10) and the header search, home columns and metadata at 320px with 200% text; an
# entry looked like KnownIssue("reflow", "document|annual-report", reason="known bug (WCAG
# 1.4.10): ...", fix="in portal/static/css/site.css: ...", variants=("320px",)).
KNOWN_ISSUES: tuple[KnownIssue, ...] = ()


def known_issue(check: str, page: PageType, locale: str, values: tuple = ()) -> KnownIssue | None:
    """The known issue that makes a check fail on a page in those settings, if any."""
    return next(
        (issue for issue in KNOWN_ISSUES if issue.matches(check, page, locale, values)), None
    )


def cases(check: str, *, pages=PAGES, locales=LOCALES, only=None, **axes) -> list:
    """pytest parameters (page, locale, then one value per extra axis) for a check, with known
    issues marked as strict xfails; ids read like 'annual-report-en-200'. `only`, if given,
    keeps the combinations of axis values it accepts (called with them as keywords)."""
    combos = [((page, locale), f"{page.name}-{locale}") for page in pages for locale in locales]
    for values in axes.values():
        combos = [
            ((*combo, value), f"{name}-{value}") for combo, name in combos for value in values
        ]
    if only is not None:
        combos = [
            (combo, name)
            for combo, name in combos
            if only(**dict(zip(axes, combo[2:], strict=True)))
        ]
    params = []
    for combo, name in combos:
        issue = known_issue(check, combo[0], combo[1], combo[2:])
        marks = (
            [pytest.mark.xfail(strict=True, reason=f"{issue.reason}; fix: {issue.fix}")]
            if issue
            else []
        )
        params.append(pytest.param(*combo, id=name, marks=marks))
    return params
