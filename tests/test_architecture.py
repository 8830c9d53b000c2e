"""The shape of the project, as docs/architecture.md draws it, checked: domain packages import
no web framework, the web layer imports no domain, views import no other view, every package is
entered by its door, and no module grows past about 600 lines."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PORTAL = ROOT / "portal"
# Domain packages, and the small shared modules they may use: none of them may reach these.
DOMAIN = (
    "catalogue",
    "reports",
    "search",
    "workflow",
    "applications",
    "preferences",
    "accounts",
    "db",
    "extraction",
    "approvals",
    "website_report",
)
SHARED = (
    "text",
    "settings",
    "filetypes",
    "csv_cells",
    "terminal",
    "qr",
    "identity",
    "cli_options",
    "bounded_yaml",
)
WEB_FRAMEWORK = (
    "flask",
    "flask_babel",
    "werkzeug",
    "portal.web",
    "portal.views",
    "portal.wiring",
    "portal.app",
)
# Every package's doors; a door other than __init__ says why.
DOORS = {
    **{
        f"portal.{name}": (f"portal.{name}",)
        for name in (*DOMAIN, "web", "wiring", "views", "admin")
    },
    # The importer is kept apart: only `portal import-report` needs it and its HTML parser.
    # Drafting a report from the records reads the catalogue and the applications, which both
    # import portal.reports: a door of its own, and its command registered by `portal`.
    "portal.reports": (
        "portal.reports",
        "portal.reports.importer",
        "portal.reports.drafting",
        "portal.reports.drafting_cli",
    ),
    # The staff commands of applications are registered by the `portal` command group.
    "portal.applications": ("portal.applications", "portal.applications.cli"),
    # So are the back office's: `portal users` and `portal db`.
    "portal.accounts": ("portal.accounts", "portal.accounts.cli"),
    "portal.db": ("portal.db", "portal.db.cli"),
    # And `portal review`.
    "portal.approvals": ("portal.approvals", "portal.approvals.cli"),
    # And `portal website-report`, which reads the catalogue (which imports the package).
    "portal.website_report": ("portal.website_report", "portal.website_report.cli"),
}
MAX_LINES = 600
# Tests that reach inside a package, and why. Besides these, tests/test_X.py may import any
# module named X: it is that module's own test.
TEST_INTERNALS = {
    # The per-language template loader is what the test is about.
    ("tests/test_i18n.py", "portal.web.templates"),
    # The quarantine's contract tests exercise every override and private read where it is.
    *(
        ("tests/test_whoosh_codec_contract.py", f"portal.search.{name}")
        for name in ("analysis", "build", "fields", "whoosh_codec", "whoosh_read")
    ),
    *(
        ("tests/test_whoosh_read_contract.py", f"portal.search.{name}")
        for name in ("postings", "whoosh_codec", "whoosh_read")
    ),
    # The array helpers and both ways of checking phrases are run against brute force.
    ("tests/test_search.py", "portal.search.postings"),
    ("tests/test_search.py", "portal.search.phrases"),
    # The test holds the indexing lock, as another worker does while it updates the index.
    ("tests/test_withdrawn.py", "portal.search.indexing"),
    # county_bench.py leaves the organisation facet out of the counts (searcher.FACETS and
    # answering.FACETS), in the benchmark's own process, to show what counting it costs; and
    # every round searches afresh (searcher.RESULTS_KEPT = 0), a kept repeat measured apart.
    ("benchmarks/search_bench.py", "portal.search.searcher"),
    ("benchmarks/search_bench.py", "portal.search.answering"),
}


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function; ``from a import b`` gives
    both ``a`` and ``a.b``, since b may be a module."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def module_file(name: str) -> Path | None:
    """The file of a portal module, None for anything else."""
    if not name.startswith("portal."):
        return None
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def import_graph(start: list[Path]) -> dict[Path, set[str]]:
    """The files reached from ``start`` through imports of portal modules, with what each imports.

    The root ``portal/__init__.py`` is not followed: it is the app factory, which wires the web
    layer to the domain, not part of any domain package.
    """
    graph: dict[Path, set[str]] = {}
    queue = list(start)
    while queue:
        path = queue.pop()
        if path in graph:
            continue
        graph[path] = imported_names(path)
        queue += [file for name in graph[path] if (file := module_file(name)) is not None]
    return graph


def _matches(name: str, prefixes) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in prefixes)


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_domain_packages_and_what_they_import_use_no_web_framework():
    start = [file for name in DOMAIN for file in _files(PORTAL / name)]
    start += [PORTAL / f"{name}.py" for name in SHARED]
    graph = import_graph(start)
    assert PORTAL / "text.py" in graph and PORTAL / "catalogue" / "content.py" in graph
    found = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path, names in graph.items()
        for name in names
        if _matches(name, WEB_FRAMEWORK)
    )
    assert found == []


def test_importing_the_domain_loads_no_web_framework():
    modules = ", ".join(f"portal.{name}" for name in (*DOMAIN, *SHARED))
    code = (
        f"import sys, {modules}; "
        "print(sorted({'flask', 'flask_babel', 'werkzeug'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


def test_the_web_layer_imports_no_domain_package_view_or_wiring():
    forbidden = [
        f"portal.{name}" for name in (*DOMAIN, "views", "wiring", "app", "indexing", "admin")
    ]
    found = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files(PORTAL / "web")
        for name in imported_names(path)
        if _matches(name, forbidden)
    )
    assert found == []


def test_views_import_no_other_view():
    found = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _files(PORTAL / "views")
        for name in imported_names(path)
        if name.startswith("portal.views.")
        and module_file(name) is not None
        and path.name != "__init__.py"
    )
    assert found == []


def test_the_back_office_and_the_public_views_do_not_import_each_other():
    found = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for folder, other in (("admin", "portal.views"), ("views", "portal.admin"))
        for path in _files(PORTAL / folder)
        for name in imported_names(path)
        if _matches(name, [other])
    )
    assert found == []


def _own_test(path: Path, name: str) -> bool:
    relative = str(path.relative_to(ROOT))
    return path.stem == f"test_{name.rpartition('.')[2]}" or (relative, name) in TEST_INTERNALS


def _exported(name: str, doors) -> bool:
    """Whether a submodule is reached through a door that exports it (`from portal.web import
    files`, where portal/web/__init__.py lists files in __all__)."""
    door, _, leaf = name.rpartition(".")
    if door not in doors:
        return False
    tree = ast.parse(module_file(door).read_text("utf-8"))
    return any(
        isinstance(node, ast.Assign)
        and any(getattr(t, "id", "") == "__all__" for t in node.targets)
        and leaf in ast.literal_eval(node.value)
        for node in tree.body
    )


def test_nothing_outside_a_package_imports_deeper_than_its_doors():
    found = []
    for package, doors in DOORS.items():
        folder = ROOT.joinpath(*package.split("."))
        outside = [
            path
            for base in (PORTAL, ROOT / "tests", ROOT / "benchmarks")
            for path in _files(base)
            if folder not in path.parents
        ]
        found += [
            f"{path.relative_to(ROOT)} imports {name}"
            for path in outside
            for name in imported_names(path)
            if name.startswith(f"{package}.")
            and module_file(name) is not None
            and name not in doors
            and not _exported(name, doors)
            and not _own_test(path, name)
        ]
    assert sorted(found) == []


def test_no_module_is_longer_than_about_six_hundred_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in _files(PORTAL)
        if (count := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_reports_door_does_not_load_the_importers_html_parser():
    code = "import sys, portal.reports; print(sorted({'bs4', 'html5lib'} & set(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


# The parsers of reports and attachments: only `portal import-report`, `portal index` and
# `portal check` load them, never a web worker answering requests.
PARSERS = ("bs4", "html5lib", "docx", "pdfplumber", "pdfminer", "openpyxl")


@pytest.mark.slow
def test_the_web_app_serving_pages_loads_no_document_parser(tmp_path):
    code = (
        "import sys, tempfile\n"
        "from portal import create_app\n"
        f"app = create_app({{'TESTING': True, 'CONTENT_DIR': {str(ROOT / 'tests' / 'site')!r},"
        f" 'SEARCH_INDEX_DIR': {str(tmp_path / 'index')!r},"
        f" 'DATABASE_URL': 'sqlite:///{tmp_path / 'db.sqlite3'}'}})\n"
        "client = app.test_client()\n"
        "from portal.wiring import catalogue\n"
        "with app.app_context():\n"
        "    slugs = [d.slug for d in catalogue.current().documents][:20]\n"
        "for path in ['/', '/catalogue/', '/search?q=%E7%A7%91%E6%8A%80', "
        "*[f'/documents/{s}/' for s in slugs]]:\n"
        "    assert client.get(path).status_code in (200, 301, 302), path\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {PARSERS!r}))\n"
    )
    # The index is built by `portal index`, which may read attachments: another process.
    environment = {
        **os.environ,
        "PORTAL_CONTENT_DIR": str(ROOT / "tests" / "site"),
        "PORTAL_SEARCH_INDEX_DIR": str(tmp_path / "index"),
    }
    portal = Path(sys.executable).parent / "portal"
    subprocess.run([portal, "index"], env=environment, capture_output=True, check=True)
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert loaded.stdout.strip().splitlines()[-1] == "[]"
