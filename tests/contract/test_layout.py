"""The layout of DESIGN.md holds: one home per role, data flowing library -> chapter.

* A chapter imports from ``gdbook.viz`` only what draws: registered figures, explorers and
  animations.
* ``viz`` modules import the running examples and the chapters' data; no chapter module,
  problem or measurement imports ``viz`` (the registries' loaders are the exception).
* No function of the package is over 50 lines, figure code (``viz``) apart, so each one
  can be printed in the book and read in one sitting.
* ``code/`` is a source root, not a package; the solutions are a package of their own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from gdbook import animations, figures, widgets

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "code" / "gdbook"
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
MAX_LINES = 50


def _registered() -> dict[str, set[str]]:
    """viz module -> the names of its registered figure, explorer and animation functions."""
    out: dict[str, set[str]] = {}
    drawings = [*figures.load_all().values(), *widgets.load_all().values()]
    for fn in [*drawings, *animations.load_all().values()]:
        out.setdefault(fn.__module__, set()).add(fn.__name__)
    return out


def _code_cells(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, re.S))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_a_chapter_takes_only_drawings_from_viz(chapter: Path) -> None:
    registered = _registered()
    code = _code_cells(chapter)
    problems = []
    for module, names in re.findall(r"from gdbook\.viz\.(\w+) import ([^\n]+)", code):
        for name in (n.strip() for n in names.split(",")):
            if name not in registered.get(f"gdbook.viz.{module}", set()):
                problems.append(f"from gdbook.viz.{module} import {name}")
    for module, alias in re.findall(r"from gdbook\.viz import (\w+) as (\w+)", code):
        for name in set(re.findall(rf"\b{alias}\.(\w+)", code)):
            if name not in registered.get(f"gdbook.viz.{module}", set()):
                problems.append(f"{alias}.{name} (gdbook.viz.{module})")
    assert not problems, f"{chapter.name} reads from viz what is not a drawing: {problems}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_only_the_registries_reach_into_viz() -> None:
    loaders = {"figures.py", "widgets.py", "animations.py"}
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if not {"viz", "live"} & set(path.parts)  # live figures mirror the explorers
        and path.name not in loaders
        and any(name.startswith("gdbook.viz") for name in _imports(path))
    ]
    assert not offenders, f"library modules that import gdbook.viz: {offenders}"


def test_viz_modules_do_not_import_each_other() -> None:
    for path in (PACKAGE / "viz").glob("*.py"):
        others = {n for n in _imports(path) if n.startswith("gdbook.viz.")}
        assert not others, f"viz/{path.name} imports {others}: shared settings go in examples"


def _long_functions(root: Path) -> list[str]:
    long = []
    for path in sorted(root.rglob("*.py")):
        if "viz" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    long.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length})")
    return long


def test_no_function_outside_figure_code_is_over_fifty_lines() -> None:
    assert _long_functions(PACKAGE) == []


def test_the_length_check_finds_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "mod.py").write_text(f"def f():\n{body}\n", encoding="utf-8")
    assert _long_functions(tmp_path) == [f"mod.py:1 f ({MAX_LINES + 1})"]


def test_code_is_a_source_root_and_the_solutions_a_package() -> None:
    assert not (ROOT / "code" / "__init__.py").exists()
    assert (ROOT / "code" / "gdbook_solutions" / "__init__.py").exists()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"gdbook_solutions*"' in pyproject, "the solutions must be installed explicitly"
