"""URLs built through the cache are the URLs Flask builds, in every language."""

import pytest
from flask import url_for

from portal.web.urls import cached_url_for

CALLS = [
    ("home.index", {}),
    ("catalogue.browse", {"slug": "statutory", "year": 2024, "department": "灵武市科学技术局"}),
    ("catalogue.browse", {"slug": "statutory", "department": "灵武市科学技术局", "year": 2024}),
    ("qr.svg", {"path": "/documents/x/?a=1&b=<2>", "download": 1}),
    ("search.results", {"q": "信息 公开", "_anchor": "results"}),
    ("documents.detail", {"slug": "2024-tech-commissioner-measures"}),
]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_cached_urls_equal_flask_urls_in_each_language(app, prefix):
    for _round in range(2):  # the second round comes from the cache
        with app.test_request_context(
            f"{prefix}/catalogue/",
            environ_overrides=({"SCRIPT_NAME": prefix, "portal.locale": "en"} if prefix else {}),
        ):
            for endpoint, values in CALLS:
                assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)
                assert cached_url_for(endpoint, **values).startswith(prefix + "/")


def test_values_that_cannot_be_remembered_still_build(app):
    with app.test_request_context("/"):
        assert cached_url_for("search.results", q=["a", "b"]) == url_for(
            "search.results", q=["a", "b"]
        )
