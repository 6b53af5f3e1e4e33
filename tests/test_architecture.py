"""The package's layout as rules: data flows one way (data → analysis → reports → site, with the
batch on top), no import loops, no module much over 400 lines, and no package file that git or
the wheel would leave out."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

import kompetanse

PACKAGE = Path(kompetanse.__file__).resolve().parent
ROOT = PACKAGE.parent
#: "about 400 lines" (STYLE.md); a module past this wants splitting by job.
MAX_LINES = 450

#: The layer of each top-level part of the package, and the layers it may import.
BASE = {"errors", "formatting", "settings", "_lazy", "resources"}
ALLOWED = {
    "api": {"base", "data"},  # kompetanse/__init__.py: load, Dataset and the errors
    "__main__": {"base", "cli"},
    "base": {"base"},
    "data": {"base", "data"},
    "did": {"base", "did"},
    "analysis": {"base", "data", "analysis"},
    "outcomes": {"base", "data", "did", "outcomes"},
    "reports": {"base", "data", "analysis", "did", "outcomes", "reports"},
    "site": {"base", "reports", "site"},
    "build": {"base", "data", "analysis", "reports", "site", "build"},
    "cli": {"base", "data", "analysis", "outcomes", "reports", "build", "cli"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # `from kompetanse import __version__`: the package is imported first anyway
    top = parts[1]
    return "base" if top in BASE else top


def _imports(path: Path, *, module_level_only: bool) -> set[str]:
    """The kompetanse modules a file imports (``from kompetanse.x import y`` counts as x.y when
    y is a module, else as x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if module_level_only and isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports are not run
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kompetanse")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kompetanse"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _exists(candidate) else node.module)
    return found


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_folder_of_python_modules_is_a_package():
    folders = {p.parent for p in SOURCES}
    assert [f for f in folders if not (f / "__init__.py").is_file()] == []


def test_no_file_of_the_package_is_ignored_by_git():
    # `build/` in .gitignore once matched kompetanse/build/ too, and its __init__.py was never committed
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "ls-files", "--others", "--ignored", "--exclude-standard", "kompetanse"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert [f for f in ignored if "__pycache__" not in f and ".egg-info" not in f] == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_is_not_much_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_imports_only_its_own_layer_and_those_below(path):
    name = _module_name(path)
    layer = "api" if name == "kompetanse" else _layer(name)
    wrong = sorted(m for m in _imports(path, module_level_only=False) if _layer(m) not in ALLOWED[layer])
    assert wrong == [], f"{layer} may import {sorted(ALLOWED[layer])}"


def test_there_are_no_import_loops():
    graph = {_module_name(p): {m for m in _imports(p, module_level_only=True)} for p in SOURCES}
    # importing a.b runs a/__init__ first: a package's own __init__ is not a loop with its children
    loops, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue
            if state.get(nxt) == "open":
                loops.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert loops == []


def test_the_layer_rules_catch_an_upward_import(tmp_path):
    # the check above can fail: a data module importing the report layer is refused
    fake = PACKAGE / "data" / "schema.py"
    source = tmp_path / "schema.py"
    source.write_text(fake.read_text(encoding="utf-8") + "\nfrom kompetanse.reports import tables\n",
                      encoding="utf-8")
    found = _imports(source, module_level_only=False)
    assert "kompetanse.reports.tables" in found
    assert _layer("kompetanse.reports.tables") not in ALLOWED[_layer(_module_name(fake))]


def test_layers_are_reachable_from_the_package_without_an_import():
    assert callable(kompetanse.analysis.coverage.coverage_by_level)
    assert callable(kompetanse.did.att_gt)
    assert "coverage" in dir(kompetanse.analysis) and "analysis" in dir(kompetanse)
    with pytest.raises(AttributeError, match="has no attribute 'nosuch'"):
        kompetanse.analysis.nosuch  # noqa: B018


@pytest.mark.parametrize("package", sorted({p.parent for p in SOURCES if p.parent != PACKAGE and p.name == "__init__.py"
                                            and "SUBMODULES" in p.read_text(encoding="utf-8")}),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_module_of_a_lazy_package_is_listed(package):
    import importlib

    listed = set(importlib.import_module(_module_name(package / "__init__.py")).SUBMODULES)
    present = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    present |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert present == listed
