"""The learner notebooks that ``make notebooks`` (and ``make student``) wrote.

Runs on ``$GDBOOK_BUILD_DIR/notebooks/<edition>/notebooks``; ``make test-notebooks`` runs
it after executing them. The MyST check must find MyST planted in a Markdown cell (and
leave MyST quoted as code alone); no notebook of either edition has any; the student
notebooks neither use the solutions package nor name a URL to install from, and the
student folder carries the wheel of ``gdbook`` without ``gdbook_solutions``.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import learner_notebooks as tool  # noqa: E402

BUILD = Path(os.environ.get("GDBOOK_BUILD_DIR", ROOT / "_build"))
NOTEBOOKS = BUILD / "notebooks"
BUILT = sorted(NOTEBOOKS.glob("*/notebooks/*.ipynb"))
STUDENT = sorted((NOTEBOOKS / "student" / "notebooks").glob("*.ipynb"))


def _markdown(text: str) -> object:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(text)]
    return notebook


@pytest.mark.parametrize(
    "text",
    [
        "the rate {glue:text}`hb_eta:.2f` per step",
        "see {numref}`fig-valley` and `code` then {eq}`eq-gd`",
        ":::{figure} ../figures/x.svg\n:alt: x\n:::",
        "```{code-cell} ipython3\nx = 1\n```",
        "(sec-update)=\n## The update",
        "+++",
    ],
)
def test_planted_myst_is_found(text: str) -> None:
    assert tool.leftover_myst(_markdown(text))


@pytest.mark.parametrize(
    "text", ["a role quoted as code: `{glue:text}`", "```python\n{glue:text}`x`\n```"]
)
def test_myst_quoted_as_code_is_not(text: str) -> None:
    assert not tool.leftover_myst(_markdown(text))


def test_no_notebook_has_myst_left() -> None:
    assert BUILT, f"no notebooks under {NOTEBOOKS}: run make notebooks"
    left = {p.name: tool.leftover_myst(nbformat.read(p, as_version=4)) for p in BUILT}
    assert not {k: v for k, v in left.items() if v}


def test_student_notebooks_use_no_solution_and_install_from_the_wheel() -> None:
    if not STUDENT:
        pytest.skip("no student notebooks: make student writes them")
    for path in STUDENT:
        text = path.read_text(encoding="utf-8")
        assert "gdbook_solutions" not in text, path.name
        assert "git+" not in text and "raw.githubusercontent" not in text, path.name
    (wheel,) = (NOTEBOOKS / "student").glob(tool.WHEEL_GLOB)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    assert "gdbook/base.py" in names
    assert not [n for n in names if n.startswith("gdbook_solutions")]
