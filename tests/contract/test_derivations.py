"""One name, one SymPy symbol: the notation of :mod:`gdbook.derivations` cannot collide.

SymPy identifies a symbol by its name and assumptions, so ``Symbol("epsilon")`` created
for a tolerance in one module and for a learning rate in another is *the same symbol*,
and ``Symbol("eta", real=True)`` next to the shared positive ``eta`` is a *different*
one that prints the same. Neither raises an error. The rules (DESIGN.md, Derivations):

* every symbol used by more than one module is created once, in
  ``gdbook/derivations/__init__.py``, and imported from there;
* no module creates a symbol whose SymPy name ``__init__`` already uses;
* no two modules create symbols of the same SymPy name (locals inside functions
  included), and ``__init__`` creates each name once.

Checked twice: by reading the source (every call of ``Symbol``, ``symbols``, ``Function``,
``Dummy``, ``IndexedBase``, ... at module level or inside a function) and by importing
the modules (every module attribute that is a SymPy symbol, an indexed base or an
undefined function). Modules are found on disk, so a new chapter's derivations module
is covered as soon as it exists.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import gdbook.derivations as shared
import pytest
import sympy as sp
from gdbook.derivations import LATEX_NAMES, epsilon, grads, latex, rates, s, sigma, tol

PACKAGE_DIR = Path(shared.__file__).resolve().parent
INIT = "gdbook.derivations"
CREATORS = {"Symbol", "symbols", "Function", "Dummy", "IndexedBase", "Idx", "Wild", "var"}


# --------------------------------------------------------------------------------------
# Reading the source
# --------------------------------------------------------------------------------------


def _module_sources() -> dict[str, str]:
    """Dotted module name -> source, for ``__init__`` and every module below it."""
    out = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join((INIT, *parts))] = path.read_text(encoding="utf-8")
    return out


def _creator(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name if name in CREATORS else None


def created_names(source: str) -> list[tuple[str, int]]:
    """(SymPy name, line) of every symbol the source creates, anywhere in it.

    An f-string counts by its template (``f"w_1:{n}"`` is ``w_1:{}``); any other name
    that is not a string literal cannot be checked and is reported as ``<not a literal>``.
    An ``IndexedBase`` whose label is itself a created symbol counts once, by that symbol.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or (kind := _creator(node)) is None:
            continue
        arg = node.args[0] if node.args else None
        if kind in {"IndexedBase", "Idx"} and isinstance(arg, ast.Call) and _creator(arg):
            continue
        if isinstance(arg, ast.JoinedStr):
            template = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in arg.values
            )
            found.append((str(template), node.lineno))
        elif not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            found.append(("<not a literal>", node.lineno))
        elif kind in {"symbols", "var"}:
            found += [(str(sym), node.lineno) for sym in sp.symbols(arg.value, seq=True)]
        else:
            found.append((arg.value, node.lineno))
    return found


def collisions(sources: dict[str, str]) -> list[str]:
    """Every breach of the rules, one line each, for modules given by their source."""
    where: dict[str, set[str]] = defaultdict(set)
    problems = []
    for module, source in sources.items():
        names = created_names(source)
        for name, line in names:
            where[name].add(module)
            if name == "<not a literal>":
                problems.append(f"{module}:{line}: a symbol whose name is not a literal")
        if module == INIT:
            seen = [name for name, _ in names]
            problems += [
                f"{INIT} creates {name!r} twice"
                for name in sorted(set(seen))
                if seen.count(name) > 1
            ]
    shared_names = {name for name, _ in created_names(sources[INIT])}
    for name, modules in sorted(where.items()):
        others = sorted(modules - {INIT})
        if name in shared_names and others:
            problems.append(f"{others} create {name!r}, which {INIT} defines: import it")
        elif len(others) > 1:
            problems.append(f"{others} each create {name!r}: define it once in {INIT}")
    return problems


def test_no_two_modules_create_a_symbol_of_one_name() -> None:
    problems = collisions(_module_sources())
    assert not problems, "SymPy symbols collide:\n" + "\n".join(problems)


def test_every_derivations_module_is_read() -> None:
    sources = _module_sources()
    assert {f"{INIT}.gradient_descent", f"{INIT}.momentum", f"{INIT}.conventions"} <= set(sources)
    assert {"eta", "epsilon_tol", "g_seq", "y"} <= {
        name for name, _ in created_names(sources[INIT])
    }


_INIT = 'import sympy as sp\neta = sp.Symbol("eta", positive=True)\n'


@pytest.mark.parametrize(
    ("modules", "expected"),
    [
        # the collision that motivated the rule: a tolerance and a learning rate
        (
            {"a": 'tol = sp.Symbol("epsilon")', "b": 'epsilon = sp.Symbol("epsilon")'},
            "each create 'epsilon'",
        ),
        # a local symbol inside a function, and symbols() with several names
        (
            {"a": 'x = sp.Symbol("x")', "b": 'def f():\n    x, y = sp.symbols("x y")'},
            "each create 'x'",
        ),
        ({"a": 'def f():\n    return sp.Dummy("q")', "b": 'q = sp.Function("q")'}, "'q'"),
        ({"a": 'w = sp.IndexedBase("w")', "b": 'w = sp.symbols("w0:3 w")'}, "'w'"),
        # a module that re-creates a shared symbol, even with other assumptions
        ({"a": 'def f():\n    step = sp.Symbol("eta", real=True)'}, "which gdbook.derivations"),
        ({"a": 'name = "x"\nx = sp.Symbol(name)'}, "not a literal"),
        ({"a": 'w = sp.symbols(f"w_1:{n}")', "b": 'v = sp.symbols(f"w_1:{m}")'}, "'w_1:{}'"),
        ({INIT: _INIT + 'rate = sp.Symbol("eta")'}, "creates 'eta' twice"),
    ],
)
def test_the_source_check_finds_a_collision(modules: dict[str, str], expected: str) -> None:
    sources = {INIT: _INIT} | {
        (k if k == INIT else f"{INIT}.{k}"): f"import sympy as sp\n{v}\n"
        for k, v in modules.items()
    }
    assert any(expected in p for p in collisions(sources)), collisions(sources)


def test_the_source_check_accepts_distinct_names() -> None:
    sources = {INIT: _INIT, f"{INIT}.a": 'import sympy as sp\nx = sp.Symbol("x_a")\n'}
    sources[f"{INIT}.b"] = "import sympy as sp\nfrom gdbook.derivations import eta\nx = eta\n"
    assert collisions(sources) == []


# --------------------------------------------------------------------------------------
# Importing the modules
# --------------------------------------------------------------------------------------


def _modules() -> list[ModuleType]:
    found = [shared]
    for info in pkgutil.walk_packages(shared.__path__, f"{INIT}."):
        found.append(importlib.import_module(info.name))
    return found


def sympy_name(obj: Any) -> str | None:
    """The SymPy name of a symbol, an indexed base or an undefined function; else None."""
    if isinstance(obj, sp.IndexedBase):
        return str(obj.label)
    if isinstance(obj, sp.Symbol):  # Dummy and Wild included
        return obj.name
    if isinstance(obj, sp.core.function.UndefinedFunction):
        return str(obj.__name__)
    return None


def attribute_collisions(modules: list[ModuleType]) -> list[str]:
    """Module attributes of one SymPy name that are not one shared object of ``__init__``."""
    by_name: dict[str, dict[int, tuple[Any, list[str]]]] = defaultdict(dict)
    for module in modules:
        for attr, obj in vars(module).items():
            if (name := sympy_name(obj)) is not None:
                entry = by_name[name].setdefault(id(obj), (obj, []))
                entry[1].append(f"{module.__name__}.{attr}")
    init_ids = {id(obj) for obj in vars(modules[0]).values() if sympy_name(obj) is not None}
    problems = []
    for name, objects in sorted(by_name.items()):
        owners = [where for _, where in objects.values()]
        modules_using = {attr.rsplit(".", 1)[0] for attr in owners[0]}
        if len(objects) > 1:
            problems.append(f"{name!r} names {len(objects)} different objects: {owners}")
        elif len(modules_using) > 1 and not init_ids & set(objects):
            problems.append(f"{name!r} is shared by {owners[0]} but not defined in {INIT}")
    return problems


def test_module_attributes_of_one_name_are_one_shared_symbol() -> None:
    problems = attribute_collisions(_modules())
    assert not problems, "SymPy symbols collide:\n" + "\n".join(problems)


def test_the_attribute_check_finds_a_collision() -> None:
    init, a, b = ModuleType(INIT), ModuleType(f"{INIT}.a"), ModuleType(f"{INIT}.b")
    init.eta = sp.Symbol("eta", positive=True)  # type: ignore[attr-defined]
    a.step = sp.Symbol("eta", real=True)  # type: ignore[attr-defined]
    a.angle = b.angle = sp.Symbol("theta")  # type: ignore[attr-defined]
    b.eta = init.eta  # type: ignore[attr-defined]
    problems = attribute_collisions([init, a, b])
    assert any("'eta' names 2 different objects" in p for p in problems), problems
    assert any("'theta' is shared" in p for p in problems), problems
    b.eta = sp.Symbol("eta", positive=True)  # same name and assumptions: SymPy's same symbol
    assert not any("'eta'" in p for p in attribute_collisions([init, b]))
    a.rho = a.r = sp.Symbol("r")  # type: ignore[attr-defined]  # two names in one module
    assert not any("'r'" in p for p in attribute_collisions([init, a]))


# --------------------------------------------------------------------------------------
# Printing: two meanings, two names, one letter
# --------------------------------------------------------------------------------------


def test_symbols_with_another_name_print_with_their_letter() -> None:
    assert tol != epsilon and latex(tol) == latex(epsilon) == r"\epsilon"
    assert sigma.name != "sigma" and latex(sigma**2) == r"\sigma^{2}"
    assert latex(grads[s] * rates[s]) == r"{\eta}_{s} {g}_{s}"
    assert latex(tol, symbol_names={tol: r"\varepsilon"}) == r"\varepsilon"


def test_latex_names_belong_to_the_shared_symbols() -> None:
    defined = [obj for obj in vars(shared).values() if sympy_name(obj) is not None]
    labels = [obj.label if isinstance(obj, sp.IndexedBase) else obj for obj in defined]
    assert all(any(key is label for label in labels) for key in LATEX_NAMES)
