"""Drop the cached executions of the chapters whose code changed, and only theirs.

Usage (``make book`` and ``make build`` run it before the build)::

    python tools/invalidate_cache.py [--build-dir _build] [--source code]

jupyter-cache keys a chapter on the text of its code cells only, so after an edit of
``code/`` it would serve outputs computed by the old code. This tool finds what each
chapter of ``_toc.yml`` depends on, hashes it, and compares with the hashes stored at the
previous run (``<build-dir>/.chapter-deps.json``). For a chapter whose dependencies
changed it removes every cache record of that chapter (any earlier text of it too) and its
doctree, so that Sphinx reads it again and myst-nb executes it; the other chapters keep
their cached outputs. A chapter depends on

* every project module it imports: a module is a project module when it is importable from
  a source folder (``code/``, by file: ``code/a/b.py`` or ``code/a/b/__init__.py``, whatever
  the package is called), found by reading the imports of the chapter's code cells and,
  transitively, of each module (imports anywhere in the module, relative imports,
  ``from package import submodule``, the ``__init__`` of every enclosing package); a
  module that imports a computed name (``importlib.import_module(f"...")``) depends on
  every module of its package;
* every file a code cell names by a string literal that exists relative to the chapter's
  folder (a recorded fixture, for instance);
* ``requirements.txt``: the pinned libraries.

A chapter that cannot be parsed depends on every project module. Records without a stored
stamp are dropped as well (their code is unknown), so the first run after a checkout
without a stamp re-executes the chapters once.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import check_build

ROOT = check_build.ROOT
STAMP = ".chapter-deps.json"
GLOBAL_DEPENDENCIES = ("requirements.txt",)
DYNAMIC_IMPORTERS = frozenset({"import_module", "__import__"})


# --------------------------------------------------------------------------------------
# Project modules and their imports
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """The source folders whose modules count as the project's."""

    roots: tuple[Path, ...]

    def find(self, name: str) -> Path | None:
        """The file of module ``a.b.c`` under a source folder, or None if it is not ours."""
        parts = name.split(".")
        for root in self.roots:
            base = root.joinpath(*parts)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate
        return None

    def name_of(self, path: Path) -> str:
        """``code/a/b.py`` -> ``a.b``; ``code/a/__init__.py`` -> ``a``."""
        for root in self.roots:
            if path.is_relative_to(root):
                parts = list(path.relative_to(root).with_suffix("").parts)
                return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        raise ValueError(f"{path} is under none of {self.roots}")

    def all_modules(self) -> set[Path]:
        """Every module file under the source folders."""
        return {
            p for root in self.roots for p in root.rglob("*.py") if "__pycache__" not in p.parts
        }

    def with_parents(self, name: str) -> set[Path]:
        """The module ``a.b.c`` and the packages ``a`` and ``a.b`` it imports first."""
        parts = name.split(".")
        found = (self.find(".".join(parts[:i])) for i in range(1, len(parts) + 1))
        return {p for p in found if p is not None}


def _imports(tree: ast.AST, package: str) -> Iterator[str]:
    """Every module name an import in ``tree`` may load (``package``: for relative ones)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module:
                yield module
            yield from (f"{module}.{alias.name}" if module else alias.name for alias in node.names)


def _imports_computed_name(tree: ast.AST) -> bool:
    """True if ``tree`` calls ``import_module``/``__import__`` with a non-literal name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in DYNAMIC_IMPORTERS and not isinstance(node.args[0], ast.Constant):
                return True
    return False


def _direct(project: Project, tree: ast.AST, package: str, folder: Path | None) -> set[Path]:
    """The project modules ``tree`` imports itself (``folder``: its package's, if any)."""
    names = set(_imports(tree, package))
    if _imports_computed_name(tree):  # a registry loader: every module of its package
        files = (
            project.all_modules()
            if folder is None
            else {p for p in folder.rglob("*.py") if "__pycache__" not in p.parts}
        )
        names |= {project.name_of(p) for p in files}
    return {module for name in names for module in project.with_parents(name)}


def _module_imports(project: Project, module: Path, memo: dict[Path, set[Path]]) -> set[Path]:
    """The project modules that ``module`` imports itself (read once per ``memo``)."""
    if module not in memo:
        try:
            tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
        except SyntaxError:  # it fails when imported; it is a dependency, with no imports
            memo[module] = set()
        else:
            own = project.name_of(module)
            package = own if module.name == "__init__.py" else own.rpartition(".")[0]
            memo[module] = _direct(project, tree, package, module.parent)
    return memo[module]


def module_closure(
    project: Project, modules: Iterable[Path], memo: dict[Path, set[Path]] | None = None
) -> set[Path]:
    """``modules`` and every project module they import, directly or through others."""
    memo = {} if memo is None else memo
    found: set[Path] = set()
    pending = list(modules)
    while pending:
        module = pending.pop()
        if module not in found:
            found.add(module)
            pending.extend(_module_imports(project, module, memo) - found)
    return found


# --------------------------------------------------------------------------------------
# Chapters
# --------------------------------------------------------------------------------------


def _python(source: str) -> str:
    """A code cell as plain Python: IPython's magics and shell escapes turned into calls."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return "\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!")))
    return str(TransformerManager().transform_cell(source))


def code_cells(path: Path) -> list[str]:
    """The sources of the chapter's code cells, as myst-nb reads them."""
    if path.suffix == ".ipynb":
        import nbformat

        notebook = nbformat.read(path, as_version=4)
    else:
        from myst_nb.core.read import read_myst_markdown_notebook

        notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
    return [str(c.source) for c in notebook.cells if c.cell_type == "code"]


def dependencies(
    path: Path, project: Project, root: Path, memo: dict[Path, set[Path]] | None = None
) -> set[Path]:
    """Everything the executed chapter ``path`` depends on (see the module docstring)."""
    found = {root / name for name in GLOBAL_DEPENDENCIES if (root / name).is_file()}
    imported: set[Path] = set()
    for cell in code_cells(path):
        try:
            tree = ast.parse(_python(cell))
        except SyntaxError:
            return found | project.all_modules()  # unreadable: depend on everything
        imported |= _direct(project, tree, "", None)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if 0 < len(text) < 300 and "\n" not in text and "\0" not in text:
                    try:
                        candidate = (path.parent / text).resolve()
                        if candidate.is_file() and candidate.is_relative_to(root):
                            found.add(candidate)
                    except OSError:  # not a path: a name too long for the file system
                        continue
    return found | module_closure(project, imported, memo)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stamps(docs: Iterable[str], project: Project, root: Path) -> dict[str, dict[str, str]]:
    """Chapter -> {dependency, relative to the root: sha256 of its content}."""
    result = {}
    memo: dict[Path, set[Path]] = {}  # each module is read once
    for doc in docs:
        path = check_build.doc_source(doc, root)
        if path.exists():
            deps = dependencies(path, project, root, memo)
            result[doc] = {p.relative_to(root).as_posix(): _hash(p) for p in sorted(deps)}
    return result


def _changed(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    if old is None:
        return ["(no stamp of the code it last ran against)"]
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def invalidate(root: Path, build_dir: Path, sources: list[Path]) -> dict[str, list[str]]:
    """Drop the records and doctrees of chapters whose dependencies changed; write the stamp.

    Returns chapter -> the dependencies that changed, for the chapters invalidated.
    """
    project = Project(tuple(s.resolve() for s in sources))
    docs = check_build.toc_docs(root)
    current = stamps(docs, project, root)
    stamp_file = build_dir / STAMP
    try:
        previous = json.loads(stamp_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    cache_dir = check_build.execution_cache(build_dir, root)
    invalidated: dict[str, list[str]] = {}
    if cache_dir.exists():
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_dir))
        records = cache.list_cache_records()
        for doc, deps in current.items():
            changed = _changed(previous.get(doc), deps)
            if not changed:
                continue
            path = check_build.doc_source(doc, root).resolve()
            mine = [r for r in records if Path(r.uri).resolve() == path]
            doctree = build_dir / ".doctrees" / f"{doc}.doctree"
            if not mine and not doctree.exists():
                continue  # never built: nothing to drop
            for record in mine:
                cache.remove_cache(record.pk)
            doctree.unlink(missing_ok=True)
            invalidated[doc] = changed
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return invalidated


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book (where _toc.yml is)")
    parser.add_argument(
        "--source", type=Path, action="append", help="a source folder (default: ROOT/code)"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    sources = args.source or [root / "code"]
    invalidated = invalidate(root, args.build_dir.resolve(), sources)
    for doc, changed in invalidated.items():
        shown = ", ".join(changed[:4]) + (
            f" and {len(changed) - 4} more" if len(changed) > 4 else ""
        )
        print(f"invalidate_cache: {doc} runs again ({shown} changed)")
    if not invalidated:
        print("invalidate_cache: every cached chapter is up to date with its code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
