"""Every page type, in both languages, is valid HTML by the Nu HTML checker (vnu.jar from npm).

The checker refuses to fetch 127.0.0.1 URLs, so the served pages are saved to files and all of
them are checked in one Java run (the JVM takes seconds to start), then reported page by page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import VNU_JAR, absolute, require
from .pages import LOCALES, PAGES, cases


def fetch(url: str) -> bytes:
    """The body of a page as served, whatever its status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:  # the 404 page is a page too
        with error:
            return error.read()


@pytest.fixture(scope="session")
def vnu_errors(live_server, tmp_path_factory) -> dict[str, list[dict]]:
    """The checker's errors for every page type and locale, by file name ('home-en.html')."""
    if shutil.which("java") is None:
        pytest.skip(
            "java is missing: the Nu HTML checker needs a Java runtime "
            "(apt-get install default-jre-headless)"
        )
    require(
        VNU_JAR.exists(),
        "the Nu HTML checker (tools/browser/node_modules/vnu-jar)",
        "make browser-deps",
    )
    folder = tmp_path_factory.mktemp("vnu")
    files = []
    for page_type in PAGES:
        for locale in LOCALES:
            path = folder / f"{page_type.name}-{locale}.html"
            path.write_bytes(fetch(absolute(live_server, page_type.url(locale))))
            files.append(str(path))
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--exit-zero-always",
            "--format",
            "json",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors: dict[str, list[dict]] = {Path(file).name: [] for file in files}
    for message in json.loads(run.stderr)["messages"]:
        errors.setdefault(Path(message.get("url", "?")).name, []).append(message)
    return errors


@pytest.mark.parametrize(("page_type", "locale"), cases("html"))
def test_every_page_is_valid_html(vnu_errors, page_type, locale):
    """The Nu HTML checker finds no error in the page."""
    errors = vnu_errors[f"{page_type.name}-{locale}.html"]
    assert not errors, f"{page_type.url(locale)}: {len(errors)} HTML error(s):\n" + "\n".join(
        f"- line {error.get('lastLine')}: {error['message']}\n    {error.get('extract', '')!r}"
        for error in errors
    )
