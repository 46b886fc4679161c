"""The student edition's leak check finds a leak: one of each kind, planted in a copy.

Runs on what ``make student`` built (``$GDBOOK_BUILD_DIR/student/_build/html``; ``make
student`` runs it after the build and the clean check). The student build is copied,
and into the copy go: a sentence of a solution (into a page), a solution function (into
a student notebook), an import of the solutions package (into another notebook), the
solutions package itself (into the notebooks' zip), a link to the repository, a link to
a chapter's source outside the build and a solution block (into pages). One run of
``check_leaks`` on the copy must report every one of them, and nothing on the original.
"""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import student_edition as tool  # noqa: E402

BUILD = Path(os.environ.get("GDBOOK_BUILD_DIR", ROOT / "_build"))
STUDENT_HTML = BUILD / "student" / "_build" / "html"
CHAPTER = "chapters/adam"


def _insert(page: Path, html: str) -> None:
    text = page.read_text(encoding="utf-8")
    marker = '<article class="bd-article">'
    assert marker in text, page
    page.write_text(text.replace(marker, marker + html, 1), encoding="utf-8")


def _append_cell(notebook: Path, cell: object) -> None:
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(cell)
    nbformat.write(nb, notebook)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, str]]:
    """Problems reported on a copy with planted leaks, and what was planted."""
    assert STUDENT_HTML.is_dir(), f"{STUDENT_HTML} does not exist: run make student"
    build = tmp_path_factory.mktemp("build")
    html = build / "student" / "_build" / "html"
    shutil.copytree(STUDENT_HTML, html)
    (build / "html").symlink_to((BUILD / "html").resolve())  # the instructor build
    probes = tool.solution_probes(CHAPTER)
    sentence = next(p.text for p in probes if p.kind == "text")
    function = next(p.text for p in probes if p.kind == "function")
    repository = "https://" + tool._repository(ROOT)
    _insert(html / f"{CHAPTER}.html", f"<p>As the solution says, {sentence}.</p>")
    _insert(html / "chapters" / "intro.html", f'<a href="{repository}">the code</a>')
    _insert(html / "chapters" / "physics.html", '<a href="../../../../chapters/adam.md">src</a>')
    _insert(html / "chapters" / "nesterov.html", '<div class="solution"><p>x</p></div>')
    name = Path(CHAPTER).name
    _append_cell(html / "_notebooks" / f"{name}.ipynb", nbformat.v4.new_code_cell(function))
    _append_cell(
        html / "_notebooks" / "momentum.ipynb",
        nbformat.v4.new_code_cell("from gdbook_solutions import momentum"),
    )
    (archive,) = (html / "_notebooks").glob("*.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("gdbook-notebooks/gdbook_solutions/adam.py", "x = 1\n")
    planted = {
        "sentence": f"solution text {sentence!r} leaks into {CHAPTER}.html",
        "function": f"solution function {function!r} leaks into _notebooks/{name}.ipynb",
        "import": "_notebooks/momentum.ipynb uses the solutions: 'from gdbook_solutions'",
        "package": "the solutions package is shipped: _notebooks/",
        "repository": f"chapters/intro.html links to a solution-bearing source: {repository}",
        "source": "chapters/physics.html links outside the student build",
        "solution block": "chapters/nesterov: the student page shows 1 solution block(s)",
    }
    return tool.check_leaks(ROOT, build), planted


@pytest.mark.parametrize(
    "kind", ["sentence", "function", "import", "package", "repository", "source", "solution block"]
)
def test_a_planted_leak_is_reported(planted: tuple[list[str], dict[str, str]], kind: str) -> None:
    problems, what = planted
    assert any(what[kind] in p for p in problems), (what[kind], problems)


def test_nothing_else_is_reported(planted: tuple[list[str], dict[str, str]]) -> None:
    problems, what = planted
    unexpected = [p for p in problems if not any(w in p for w in what.values())]
    assert not unexpected
