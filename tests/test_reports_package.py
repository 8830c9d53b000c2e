"""The reports package stands on its own: no web framework in its import graph, one door."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
PORTAL = ROOT / "portal"
REPORTS = PORTAL / "reports"
WEB = ("flask", "flask_babel", "werkzeug", "portal.web", "portal.views")
# The doors callers may use: the package, and the importer (kept apart because only
# `portal import-report` needs it and its HTML parser).
DOORS = ("portal.reports", "portal.reports.importer")


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


def test_reports_and_everything_it_imports_import_no_web_framework():
    graph = import_graph(sorted(REPORTS.rglob("*.py")))
    assert PORTAL / "text.py" in graph and PORTAL / "csv_cells.py" in graph  # the walk follows
    found = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path, names in graph.items()
        for name in names
        if any(name == web or name.startswith(f"{web}.") for web in WEB)
    )
    assert found == []


def test_nothing_outside_reports_imports_deeper_than_its_doors():
    outside = [
        path
        for folder in (PORTAL, ROOT / "tests", ROOT / "benchmarks")
        for path in folder.rglob("*.py")
        if REPORTS not in path.parents
    ]
    found = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in outside
        for name in imported_names(path)
        if name.startswith("portal.reports.")
        and module_file(name) is not None
        and name not in DOORS
    )
    assert found == []


def test_the_reports_door_does_not_load_the_importers_html_parser():
    code = "import sys, portal.reports; print(sorted({'bs4', 'html5lib'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"
