"""Every page loads cleanly: no console error or warning (a Content-Security-Policy violation is
one), no uncaught script error, and no failed request for any of its parts."""

from __future__ import annotations

import pytest

from .pages import cases


@pytest.mark.parametrize(("page_type", "locale"), cases("console"))
def test_every_page_loads_without_console_errors_or_failed_requests(open_page, page_type, locale):
    """Nothing is logged as an error or warning, and every subresource answers below 400."""
    page = open_page(page_type, locale)
    # An error page's own status is logged by Chromium as a failed load; that one is expected.
    own_status = f"the server responded with a status of {page_type.status}"
    problems = [
        item
        for item in page.console_messages
        if not (page_type.status >= 400 and own_status in item)
    ]
    problems += [f"{response.status} {response.url}" for response in page.failed_responses]
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
