"""Settings: declared once, documented in the README, overridable from the environment."""

import re
from pathlib import Path

from portal import create_app
from portal.settings import SETTINGS

README = Path(__file__).parent.parent / "README.md"


def test_every_setting_is_in_the_readme_table_with_its_help_text():
    rows = dict(
        re.findall(
            r"^\| `([A-Z_]+)` \| [^|]+ \| (.+) \|$",
            README.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    )
    assert rows == {setting.name: setting.help for setting in SETTINGS}


def test_environment_overrides_defaults_and_overrides_win(monkeypatch):
    monkeypatch.setenv("PORTAL_PER_PAGE", "7")
    monkeypatch.setenv("PORTAL_SITE_NAME", "示例站")
    app = create_app({"SITE_NAME": "测试站"})
    assert app.config["PER_PAGE"] == 7
    assert app.config["SITE_NAME"] == "测试站"
