"""The autograder of every assignment: full marks for the reference, fewer for wrong code.

Runs on what ``make assignments`` wrote (``$GDBOOK_BUILD_DIR/assignments``; ``make
test-assignments`` builds it first). Every chapter's student notebook is filled in with
the reference solutions (the functions of ``code/gdbook_solutions``) and, where the
chapter's code allows it, with deliberately wrong versions of them, each a single edit
of the reference source: an off-by-one step counter, a flipped sign of the step, a
missing bias correction. One chapter's notebook is also submitted as handed out (the
stubs). All of them are graded in one run of ``tools/assignments.py grade`` (otter,
locally, two at a time) into a CSV, and the rows are checked: the reference gets full
marks, every wrong version loses marks, the stubs get none, and each kind of mistake is
tried on at least one assignment.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import assignments as tool  # noqa: E402

BUILD = Path(os.environ.get("GDBOOK_BUILD_DIR", ROOT / "_build"))
ASSIGNMENTS = BUILD / "assignments"
CHAPTERS = sorted(p.name for p in ASSIGNMENTS.glob("*") if (p / "student").is_dir())


def _off_by_one(source: str) -> str:
    """The loop runs one step short: the step counter ends one early."""
    for old, new in (
        ("range(1, num_steps + 1)", "range(1, num_steps)"),
        ("range(num_steps)", "range(num_steps - 1)"),
    ):
        if old in source:
            return source.replace(old, new, 1)
    return source


def _flipped_sign(source: str) -> str:
    """The update moves uphill: ``x = x - ...`` becomes ``x = x + ...``."""
    return re.sub(r"\b(\w+) = \1 - ", r"\1 = \1 + ", source, count=1)


def _no_bias_correction(source: str) -> str:
    """Adam's moments used as they are, without dividing by 1 - beta^t."""
    return re.sub(r"\s*/\s*\(1 - b[12]\s*\*\*\s*t\)", "", source)


MUTANTS: dict[str, Callable[[str], str]] = {
    "off_by_one": _off_by_one,
    "flipped_sign": _flipped_sign,
    "no_bias_correction": _no_bias_correction,
}


def _student(chapter: str) -> Any:
    return nbformat.read(ASSIGNMENTS / chapter / "student" / f"{chapter}.ipynb", as_version=4)


def _fill(chapter: str, mutate: Callable[[str], str] | None) -> tuple[Any, bool]:
    """The student notebook with every stub replaced by the (mutated) reference function."""
    notebook = _student(chapter)
    module = tool.Module.read(chapter)
    changed = False
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        match = re.match(r"(?:@[^\n]*\n)*def (\w+)\(", cell.source)
        if not match:
            continue
        node = module.function(match.group(1))
        source = module._lines(tool._first_line(node), node.end_lineno or node.lineno)
        if mutate is not None:
            mutated = mutate(source)
            changed |= mutated != source
            source = mutated
        cell.source = source
    return notebook, changed


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """submission name -> its CSV row, for every submission, graded in one run."""
    assert CHAPTERS, f"no assignments in {ASSIGNMENTS}: run make assignments"
    submissions = tmp_path_factory.mktemp("submitted")

    def submit(name: str, chapter: str, notebook: Any) -> None:
        folder = submissions / name
        folder.mkdir()
        for extra in (ASSIGNMENTS / chapter / "student").iterdir():
            if extra.suffix != ".ipynb":
                (folder / extra.name).write_bytes(extra.read_bytes())
        nbformat.write(notebook, folder / f"{chapter}.ipynb")

    for chapter in CHAPTERS:
        submit(f"{chapter}-reference", chapter, _fill(chapter, None)[0])
        for mistake, mutate in MUTANTS.items():
            notebook, changed = _fill(chapter, mutate)
            if changed:
                submit(f"{chapter}-{mistake}", chapter, notebook)
    stubbed = "adam" if "adam" in CHAPTERS else CHAPTERS[0]
    submit(f"{stubbed}-stubs", stubbed, _student(stubbed))
    # the CSV stays beside the assignments, for the record of what each submission got
    rows = tool.grade(submissions, ASSIGNMENTS, BUILD / "assignments-test-grades.csv")
    return {row["submission"].split("/")[0]: row for row in rows}


def test_the_csv_has_a_row_per_submission(graded: dict[str, dict[str, Any]]) -> None:
    assert all(not row["error"] for row in graded.values()), graded


@pytest.mark.parametrize("chapter", CHAPTERS or ["none"])
def test_reference_solutions_get_full_marks(
    graded: dict[str, dict[str, Any]], chapter: str
) -> None:
    row = graded[f"{chapter}-reference"]
    assert float(row["possible"]) > 0
    assert float(row["total"]) == float(row["possible"]), row


@pytest.mark.parametrize("mistake", list(MUTANTS))
def test_each_kind_of_wrong_solution_loses_marks(
    graded: dict[str, dict[str, Any]], mistake: str
) -> None:
    tried = {k: row for k, row in graded.items() if k.endswith(f"-{mistake}")}
    assert tried, f"no assignment's code allows the mistake {mistake}"
    kept = [k for k, row in tried.items() if float(row["total"]) >= float(row["possible"])]
    assert not kept, f"{mistake}: full marks all the same for {kept}"


def test_stubs_get_no_marks(graded: dict[str, dict[str, Any]]) -> None:
    (row,) = [row for k, row in graded.items() if k.endswith("-stubs")]
    assert float(row["total"]) == 0, row


@pytest.mark.parametrize("chapter", CHAPTERS or ["none"])
def test_the_handout_carries_no_solution_and_no_hidden_case(chapter: str) -> None:
    """The student folder: gdbook without its solutions, one public case per function."""
    import zipfile

    import dill

    folder = ASSIGNMENTS / chapter / "student"
    (wheel,) = folder.glob("gdbook-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert not [n for n in zf.namelist() if n.startswith("gdbook_solutions")]
        assert "gdbook/base.py" in zf.namelist()
    with open(folder / f"{chapter}_cases.pkl", "rb") as f:
        public = dill.load(f)
    with zipfile.ZipFile(ASSIGNMENTS / chapter / "autograder" / f"{chapter}-autograder.zip") as zf:
        (inside,) = [n for n in zf.namelist() if n.endswith(f"{chapter}_cases.pkl")]
        every = dill.loads(zf.read(inside))
    assert set(public) == set(every) and all(len(v) == 1 for v in public.values())
    assert all(every[k][0] == public[k][0] for k in every)
    text = (folder / f"{chapter}.ipynb").read_text(encoding="utf-8")
    assert "gdbook_solutions" not in text and "git+" not in text
