"""axe-core on every page type, in both languages, at 100% and 200% text and in every colour
scheme: WCAG 2.0/2.1/2.2 A and AA rules plus axe's best practices, zero violations allowed."""

from __future__ import annotations

import pytest

from .checks import axe_violations, describe_violations
from .pages import SCHEMES, TEXT_SIZES, cases


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "text_size"),
    cases("axe", scheme=SCHEMES, text_size=TEXT_SIZES),
)
def test_every_page_has_no_axe_violations(
    open_page, axe_script, page_type, locale, scheme, text_size
):
    """No axe-core violation of WCAG 2.2 AA or best practice, in any language, size or scheme."""
    page = open_page(
        page_type, locale, scheme=scheme, text_size=text_size, init_scripts=(axe_script,)
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(
        violations, page.url, f"{locale}, {text_size}% text, scheme {scheme}"
    )
