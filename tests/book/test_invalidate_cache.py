"""tools/invalidate_cache.py on a tiny book: an edit re-executes only the chapters that use it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import invalidate_cache  # noqa: E402

HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
"""
FILES = {
    "_toc.yml": "format: jb-book\nroot: chapters/one\nchapters:\n  - file: chapters/two\n"
    "  - file: chapters/three\n",
    "_config.yml": "title: tiny\n",
    "requirements.txt": "numpy==2.4.6\n",
    "code/lib/__init__.py": '"""The library."""\n',
    "code/lib/core.py": "from . import helpers\nfrom .helpers import twice\n",
    "code/lib/helpers.py": "import numpy as np\n\ndef twice(x):\n    return 2 * x\n",
    "code/lib/unused.py": "X = 1\n",
    "code/lib/plugins/__init__.py": (
        "import importlib, pkgutil\n\ndef load_all():\n"
        "    for m in pkgutil.iter_modules(__path__):\n"
        "        importlib.import_module(f'{__name__}.{m.name}')\n"
    ),
    "code/lib/plugins/drawing.py": "from lib import core\n",
    "code/lib_solutions/__init__.py": "",
    "code/lib_solutions/momentum.py": "from lib.helpers import twice\n",
    "chapters/data.csv": "1,2\n",
    "chapters/one.md": HEADER + "# One\n\n```{code-cell} ipython3\n%matplotlib inline\n"
    "from lib.core import twice\n```\n",
    "chapters/two.md": HEADER + "# Two\n\n```{code-cell} ipython3\nimport lib_solutions.momentum"
    " as sol\nrows = open('data.csv').read()\n```\n",
    "chapters/three.md": HEADER + "# Three\n\n```{code-cell} ipython3\nfrom lib import plugins\n"
    "plugins.load_all()\n```\n",
}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _deps(book: Path, doc: str) -> set[str]:
    project = invalidate_cache.Project((book / "code",))
    found = invalidate_cache.dependencies(book / f"{doc}.md", project, book)
    return {p.relative_to(book).as_posix() for p in found}


def test_dependencies_follow_imports_through_the_project_only(book: Path) -> None:
    assert _deps(book, "chapters/one") == {
        "requirements.txt",
        "code/lib/__init__.py",
        "code/lib/core.py",
        "code/lib/helpers.py",  # through core's relative imports; numpy is not ours
    }
    assert _deps(book, "chapters/two") == {
        "requirements.txt",
        "code/lib_solutions/__init__.py",
        "code/lib_solutions/momentum.py",
        "code/lib/__init__.py",
        "code/lib/helpers.py",
        "chapters/data.csv",  # a file the chapter names
    }


def test_a_registry_loader_depends_on_its_whole_package(book: Path) -> None:
    deps = _deps(book, "chapters/three")
    assert {"code/lib/plugins/__init__.py", "code/lib/plugins/drawing.py"} <= deps
    assert "code/lib/core.py" in deps  # imported by the plugin the loader finds
    assert "code/lib/unused.py" not in deps


def _cache_all(book: Path) -> None:
    """Record an execution of every chapter, as a build would, and its doctree."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(str(book / "_build" / ".jupyter_cache"))
    for doc in ("one", "two", "three"):
        path = book / "chapters" / f"{doc}.md"
        notebook = read_myst_markdown_notebook(path.read_text())
        cache.cache_notebook_bundle(
            CacheBundleIn(notebook, str(path)), check_validity=False, overwrite=True
        )
        doctree = book / "_build" / ".doctrees" / "chapters" / f"{doc}.doctree"
        doctree.parent.mkdir(parents=True, exist_ok=True)
        doctree.write_bytes(b"pickled")


def _cached(book: Path) -> set[str]:
    from jupyter_cache import get_cache

    cache = get_cache(str(book / "_build" / ".jupyter_cache"))
    return {Path(r.uri).stem for r in cache.list_cache_records()}


def _run(book: Path) -> dict[str, list[str]]:
    return invalidate_cache.invalidate(book, book / "_build", [book / "code"])


def test_an_edit_invalidates_only_the_chapters_that_import_it(book: Path) -> None:
    assert _run(book) == {}  # nothing built yet: nothing to drop, stamps written
    _cache_all(book)
    assert _run(book) == {}  # nothing changed
    assert _cached(book) == {"one", "two", "three"}

    solution = book / "code/lib_solutions/momentum.py"
    solution.write_text(solution.read_text() + "\nTHREE = 3\n")
    assert _run(book) == {"chapters/two": ["code/lib_solutions/momentum.py"]}
    assert _cached(book) == {"one", "three"}
    assert not (book / "_build/.doctrees/chapters/two.doctree").exists()
    assert (book / "_build/.doctrees/chapters/one.doctree").exists()
    assert _run(book) == {}  # dropped once; the stamp now holds the new code

    _cache_all(book)
    helpers = book / "code/lib/helpers.py"
    helpers.write_text(helpers.read_text() + "\n# a comment is a change too\n")
    assert set(_run(book)) == {"chapters/one", "chapters/two", "chapters/three"}

    _cache_all(book)
    (book / "code/lib/unused.py").write_text("X = 2\n")
    assert _run(book) == {}

    (book / "code/lib/plugins/new.py").write_text("Y = 1\n")  # the loader would import it
    assert set(_run(book)) == {"chapters/three"}


def test_a_record_without_a_stamp_is_dropped(book: Path) -> None:
    _cache_all(book)  # made by a build that did not stamp its code
    assert set(_run(book)) == {"chapters/one", "chapters/two", "chapters/three"}
    assert _cached(book) == set()
