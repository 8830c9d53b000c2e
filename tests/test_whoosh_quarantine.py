"""Whoosh's internals are touched in two modules only, and the search package keeps its shape.

The rules, checked on the source of every module of portal/ with ``ast`` (nothing is imported):

1. Only portal/search/build.py, searcher.py, whoosh_codec.py and whoosh_read.py import whoosh
   (``import whoosh...`` or ``from whoosh... import``, at any depth of the module). Every other
   module, the engine-neutral ones of the search package included, imports no whoosh at all.
2. Outside the quarantine (whoosh_codec.py and whoosh_read.py), whoosh is imported only from
   its public modules (PUBLIC below: what a user of Whoosh's documented API imports; not
   whoosh.codec.*, whoosh.matching.*, whoosh.writing, whoosh.multiproc, whoosh.system,
   whoosh.util.* or whoosh.filedb other than filestore), and no imported name starts with "_".
3. Outside the quarantine, no module of portal/search reads or writes an attribute whose name
   starts with one underscore (dunders aside) on anything but ``self`` or ``cls``, and none
   names one in a string given to getattr, setattr, hasattr or delattr: the only objects such
   a module holds that could have Whoosh's private attributes are Whoosh's own.
4. Every module of portal/search stays under 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
SEARCH = PORTAL / "search"
QUARANTINE = {SEARCH / "whoosh_codec.py", SEARCH / "whoosh_read.py"}
PUBLIC_API = {SEARCH / "build.py", SEARCH / "searcher.py"}
PUBLIC = {
    "whoosh",
    "whoosh.analysis",
    "whoosh.columns",
    "whoosh.fields",
    "whoosh.filedb.filestore",
    "whoosh.index",
    "whoosh.qparser",
    "whoosh.query",
    "whoosh.reading",
    "whoosh.scoring",
    "whoosh.searching",
    "whoosh.sorting",
}
MODULES = sorted(PORTAL.rglob("*.py"))


def name(path: Path) -> str:
    return str(path.relative_to(PORTAL.parent))


def whoosh_imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every import of whoosh in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "whoosh":
                    found.append((alias.name, []))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] == "whoosh"
        ):
            found.append((node.module, [a.name for a in node.names]))
    return found


def private_attributes(tree: ast.AST) -> list[str]:
    """Underscore attributes read or written on anything but self or cls, with their lines."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"line {node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append(f"line {node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
    return found


def _private(attr: str) -> bool:
    return attr.startswith("_") and not (attr.startswith("__") and attr.endswith("__"))


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_only_four_modules_import_whoosh(path):
    if path in QUARANTINE | PUBLIC_API:
        return
    assert whoosh_imports(parse(path)) == []


@pytest.mark.parametrize("path", sorted(PUBLIC_API), ids=name)
def test_the_public_api_modules_import_only_public_whoosh_names(path):
    for module, names in whoosh_imports(parse(path)):
        assert module in PUBLIC, f"{module} is internal to Whoosh: move its use to the quarantine"
        assert not [n for n in names if n.startswith("_")], f"private names from {module}"


@pytest.mark.parametrize("path", sorted(set(SEARCH.glob("*.py")) - QUARANTINE), ids=name)
def test_no_private_attribute_is_read_outside_the_quarantine(path):
    assert private_attributes(parse(path)) == []


@pytest.mark.parametrize("path", sorted(SEARCH.glob("*.py")), ids=name)
def test_search_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < 600


def test_the_rules_find_what_they_look_for():
    source = """
import whoosh.codec.whoosh3
from whoosh.system import _INT_SIZE
from whoosh import fields
def f(reader, self):
    reader._terms._postfile.get(0, 1)
    self._ok = getattr(reader, "_perdoc", None)
    return reader.__class__, self._ok
"""
    tree = ast.parse(source)
    assert whoosh_imports(tree) == [
        ("whoosh.codec.whoosh3", []),
        ("whoosh.system", ["_INT_SIZE"]),
        ("whoosh", ["fields"]),
    ]
    assert sorted(private_attributes(tree)) == [
        "line 6: ._postfile",
        "line 6: ._terms",
        "line 7: getattr(..., '_perdoc')",
    ]
