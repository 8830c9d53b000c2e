"""Addresses are kept: every URL rule of the app and its methods are listed in tests/routes.txt
(as GOV.UK Notify's test_routes.py does), so a rule cannot disappear, change its methods or
appear unnoticed. Disclosure addresses get cited in letters and court papers."""

from pathlib import Path

ROUTES = Path(__file__).parent / "routes.txt"


def listed() -> list[str]:
    return [
        line
        for line in ROUTES.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


def served(app) -> list[str]:
    return sorted(
        f"{rule.rule} {','.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))}"
        for rule in app.url_map.iter_rules()
    )


def test_every_url_rule_and_its_methods_are_the_ones_listed(app):
    gone = sorted(set(listed()) - set(served(app)))
    new = sorted(set(served(app)) - set(listed()))
    assert not gone, f"these addresses stopped working; keep them or redirect them: {gone}"
    assert not new, f"new addresses: add them to tests/routes.txt: {new}"


def test_the_list_is_sorted_and_has_no_duplicates():
    assert listed() == sorted(set(listed()))
