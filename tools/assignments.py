"""Assignments that grade themselves, built on otter-grader from the chapters' coding exercises.

Usage (from the repository root, after the book is built)::

    python tools/assignments.py build [--html _build/html] [--out _build/assignments]
    python tools/assignments.py grade SUBMISSIONS [--out grades.csv]

``build`` (``make assignments``) writes, for every chapter of ``_toc.yml`` with an
exercise marked ``coding``:

* ``<out>/<chapter>/student/<chapter>.ipynb``: the exercises as otter questions. Each
  prompt is the exercise as the learner notebook shows it (numbers, equations and
  references resolved from the built page), each solution function of
  ``code/gdbook_solutions/<chapter>.py`` that the exercise's solution includes is a stub
  (its signature and docstring, body ``...``), and a visible ``grader.check("q1")`` cell
  runs the public self-check; the files it needs sit beside it;
* ``<out>/<chapter>/autograder/<chapter>-autograder.zip``: otter's autograder with the
  hidden tests.

The tests are the book's own: the functions are called, through ``tools/record_calls.py``,
by the tests of ``tests/chapters/`` that use them, and up to four of those calls are
recorded with their arguments and the reference result (``<chapter>_cases.pkl``,
checked by ``gdbook_selfcheck.check``). Case 0 of each function is public, the others
hidden; a question is worth one point per case. ``otter assign`` runs the tests against
the reference solutions and fails if they do not pass. The student folder's cases file
then keeps case 0 only (the autograder zip keeps every case), and the folder carries a
wheel of ``gdbook`` without ``gdbook_solutions``, which the setup cell installs where the
package is missing: nothing handed out holds a solution or names the repository.

``grade`` (``make grade SUBMISSIONS=dir``) finds every ``.ipynb`` under ``SUBMISSIONS``,
tells its assignment from the notebook's otter init cell, grades it with
``otter.api.grade_submission`` against that autograder (locally, no Docker) and writes
one CSV row per submission: file, assignment, each question's score, total, possible.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
from check_build import doc_source, toc_docs  # noqa: E402
from learner_notebooks import (  # noqa: E402
    Book,
    FigureCache,
    convert,
    gdbook_wheel,
    notebook_names,
    setup_cell,
)

SOLUTIONS = ROOT / "code" / "gdbook_solutions"
MARK = re.compile(r"\((★{1,3}), (derivation|coding|experiment), (\d+) min\)\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|:{3,})\{([^}\s]+)\}[ \t]*(.*?)\s*$")
_INIT = re.compile(r"otter\.Notebook\(\s*['\"]([\w-]+)\.ipynb['\"]")
SELFCHECK = TOOLS / "gdbook_selfcheck.py"


# --------------------------------------------------------------------------------------
# The exercises of a chapter
# --------------------------------------------------------------------------------------


@dataclass
class Exercise:
    """One ``{exercise}`` with its mark and the solution functions its solution includes."""

    doc: str
    label: str
    title: str
    stars: str
    kind: str
    minutes: int
    functions: list[str] = field(default_factory=list)  # names in gdbook_solutions/<chapter>


def exercises(doc: str, root: Path = ROOT) -> list[Exercise]:
    """Every exercise of ``doc`` in order, with its mark and included solution functions."""
    path = doc_source(doc, root)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Exercise] = []
    current: Exercise | None = None
    in_solution = False
    include_module = ""
    for line in lines:
        match = _FENCE.match(line)
        if match:
            name, argument = match.group(2), match.group(3)
            if name == "exercise":
                mark = MARK.search(argument)
                title = MARK.sub("", argument).strip()
                stars, kind, minutes = mark.groups() if mark else ("", "", "0")
                current = Exercise(doc, "", title, stars, kind, int(minutes))
                found.append(current)
                in_solution = False
            elif name == "solution":
                in_solution = True
            elif name == "literalinclude":
                include_module = argument
            continue
        option = re.match(r"^\s*:label:\s*(\S+)", line)
        if option and current is not None and not current.label and not in_solution:
            current.label = option.group(1)
        pyobject = re.match(r"^\s*:pyobject:\s*(\S+)", line)
        if (
            pyobject
            and in_solution
            and current is not None
            and "gdbook_solutions" in include_module
        ):
            module = Path(include_module).stem
            if module == Path(doc).name:
                current.functions.append(pyobject.group(1))
    return found


def coding_exercises(doc: str, root: Path = ROOT) -> list[Exercise]:
    """The exercises marked ``coding`` whose solution includes a function."""
    return [e for e in exercises(doc, root) if e.kind == "coding" and e.functions]


# --------------------------------------------------------------------------------------
# Stubs: the solution module's functions with their bodies removed
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    """A solution module: its source, its imports and its functions."""

    path: Path
    source: str
    tree: ast.Module

    @classmethod
    def read(cls, chapter: str) -> Module:
        """The solution module of ``chapter``."""
        path = SOLUTIONS / f"{chapter}.py"
        source = path.read_text(encoding="utf-8")
        return cls(path, source, ast.parse(source))

    def _lines(self, start: int, end: int) -> str:
        return "\n".join(self.source.splitlines()[start - 1 : end])

    def imports(self) -> str:
        """The module's import statements (``__future__`` left out)."""
        kept = [
            self._lines(node.lineno, node.end_lineno or node.lineno)
            for node in self.tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
        ]
        return "\n".join(kept)

    def function(self, name: str) -> ast.FunctionDef:
        """The module-level function ``name``."""
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return node
        raise ValueError(f"{self.path.name} has no function {name}")

    def helpers(self, names: list[str]) -> str:
        """Module-level constants and private functions the named functions use."""
        used = {
            n.id for name in names for n in ast.walk(self.function(name)) if isinstance(n, ast.Name)
        }
        kept = []
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in used:
                if node.name.startswith("_") or isinstance(node, ast.ClassDef):
                    kept.append(self._lines(_first_line(node), node.end_lineno or node.lineno))
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in used for t in targets):
                    kept.append(self._lines(node.lineno, node.end_lineno or node.lineno))
        return "\n\n\n".join(kept)

    def solution_cell(self, name: str) -> str:
        """The function with its body between otter's solution markers."""
        node = self.function(name)
        body = node.body
        has_doc = (
            isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        )
        first = body[1] if has_doc and len(body) > 1 else body[0]
        head_end = (body[0].end_lineno or body[0].lineno) if has_doc else first.lineno - 1
        head = self._lines(_first_line(node), head_end)
        rest = self._lines(head_end + 1, node.end_lineno or node.lineno)
        indent = re.match(r"\s*", self.source.splitlines()[first.lineno - 1]).group(0)  # type: ignore[union-attr]
        return f"{head}\n{indent}# BEGIN SOLUTION\n{rest}\n{indent}# END SOLUTION"


def _first_line(node: ast.FunctionDef | ast.ClassDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


# --------------------------------------------------------------------------------------
# Recording the cases from the book's tests
# --------------------------------------------------------------------------------------


def _tests_using(names: set[str], root: Path = ROOT) -> list[str]:
    """Node ids of the tests in tests/chapters that use any of ``names`` (via helpers too)."""
    ids = []
    for path in sorted((root / "tests" / "chapters").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {
            n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }

        def mentions(node: ast.AST) -> set[str]:
            return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)} | {
                n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            }

        users = {name for name, node in functions.items() if mentions(node) & names}
        changed = True
        while changed:  # helpers that call users are users
            grown = {n for n, node in functions.items() if mentions(node) & users} | users
            changed, users = grown != users, grown
        ids += [
            f"{path.relative_to(root).as_posix()}::{name}"
            for name in sorted(users)
            if name.startswith("test_")
        ]
    return ids


def record_cases(functions: dict[str, list[str]], out: Path, root: Path = ROOT) -> dict[str, Any]:
    """Run the tests that use ``functions`` ({chapter: [names]}) and record their calls."""
    names = {n for ns in functions.values() for n in ns}
    ids = _tests_using(names, root)
    if not ids:
        return {}
    env = dict(os.environ)
    env["GDBOOK_RECORD"] = json.dumps(
        {f"gdbook_solutions.{chapter}": ns for chapter, ns in functions.items()}
    )
    env["GDBOOK_RECORD_OUT"] = str(out)
    env["PYTHONPATH"] = os.pathsep.join([str(TOOLS), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "pytest", "-q", "-p", "record_calls", "-p", "no:cacheprovider"]
    subprocess.run([*command, *ids], cwd=root, env=env, check=False, stdout=subprocess.DEVNULL)
    import dill

    with open(out, "rb") as f:
        return dict(dill.load(f))


# --------------------------------------------------------------------------------------
# The master notebook and otter assign
# --------------------------------------------------------------------------------------


def _raw(text: str) -> Any:
    return nbformat.v4.new_raw_cell(text)


def _plain(text: str) -> str:
    """Text as the page prints it and as the source types it, made comparable."""
    for fancy, ascii_ in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-")):
        text = text.replace(fancy, ascii_)
    return " ".join(re.sub(r"[`*$]", "", text).split())


def _prompt(learner: Any, exercise: Exercise) -> str:
    """The exercise's Markdown cell of the (student) learner notebook."""
    for cell in learner.cells:
        first = cell.source.splitlines()[0] if cell.source else ""
        if cell.cell_type == "markdown" and first.startswith("### "):
            if _plain(exercise.title) in _plain(first):
                return str(cell.source)
    raise ValueError(
        f"{exercise.doc}: exercise {exercise.title!r} not found in the learner notebook"
    )


def master_notebook(
    doc: str, learner: Any, cases: dict[str, list[bytes]], book: Book, wheel: str = ""
) -> tuple[Any, list[str]]:
    """The otter master notebook of ``doc``; also the functions left out (no cases)."""
    chapter = Path(doc).name
    module = Module.read(chapter)
    chosen = coding_exercises(doc)
    config = {
        "name": chapter,
        "init_cell": True,
        "check_all_cell": True,
        "export_cell": False,
        "generate": True,
        "solutions_pdf": False,
        "files": [SELFCHECK.name, f"{chapter}_cases.pkl", *([wheel] if wheel else [])],
    }
    heading = learner.cells[2].source.splitlines()[0] if len(learner.cells) > 2 else chapter
    title = heading.lstrip("# ").strip()
    cells = [
        _raw("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)),
        nbformat.v4.new_markdown_cell(
            f"# Assignment: {title}\n\nThe coding exercises of the chapter. Write each "
            "function where the cell says `...`, then run the `grader.check` cell below it: "
            "it calls your function on a case the book's tests use and compares the result "
            "with the reference. The grader runs more cases than the one you see."
        ),
        setup_cell(book, [], "student"),  # gdbook from the wheel beside it, no solutions
    ]
    helpers = module.helpers([f for e in chosen for f in e.functions])
    cells.append(
        nbformat.v4.new_code_cell("\n\n\n".join(x for x in (module.imports(), helpers) if x))
    )
    left_out = []
    number = 0
    for exercise in chosen:
        recorded = [f for f in exercise.functions if cases.get(f)]
        left_out += [f for f in exercise.functions if not cases.get(f)]
        if not recorded:
            continue
        number += 1
        points = sum(len(cases[f]) for f in recorded)
        cells.append(_raw(f"# BEGIN QUESTION\nname: q{number}\npoints: {points}"))
        cells.append(nbformat.v4.new_markdown_cell(_prompt(learner, exercise)))
        cells.append(_raw("# BEGIN SOLUTION"))
        cells += [nbformat.v4.new_code_cell(module.solution_cell(f)) for f in exercise.functions]
        cells.append(_raw("# END SOLUTION"))
        cells.append(_raw("# BEGIN TESTS"))
        for f in recorded:
            cells.append(
                nbformat.v4.new_code_cell(
                    f'from gdbook_selfcheck import check\ncheck({f}, "{chapter}_cases.pkl", 0)'
                )
            )
            for i in range(1, len(cases[f])):
                cells.append(
                    nbformat.v4.new_code_cell(
                        "# HIDDEN\nfrom gdbook_selfcheck import check\n"
                        f'check({f}, "{chapter}_cases.pkl", {i})'
                    )
                )
        cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    return notebook, left_out


def otter(*args: str, cwd: Path) -> None:
    """Run the otter command line of this environment."""
    command = [str(Path(sys.executable).with_name("otter")), *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )


def build(
    html_dir: Path, out_dir: Path, root: Path = ROOT
) -> list[tuple[str, int, int, list[str]]]:
    """Write every chapter's assignment; returns (chapter, questions, points, left out)."""
    book = Book.read(root)
    docs = [d for d in toc_docs(root) if coding_exercises(d, root)]
    unbuilt = [d for d in docs if not (html_dir / f"{d}.html").exists()]
    if unbuilt:
        print(f"assignments: not built yet, left out: {', '.join(unbuilt)}", file=sys.stderr)
    docs = [d for d in docs if d not in unbuilt]
    names = notebook_names(toc_docs(root))
    wanted = {
        Path(d).name: [f for e in coding_exercises(d, root) for f in e.functions] for d in docs
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gdbook-assign-") as tmp:
        work = Path(tmp)
        recorded = record_cases(wanted, work / "cases.pkl", root)
        summary = []
        figures = FigureCache()
        wheel = gdbook_wheel(work / "wheel", root)
        for doc in docs:
            chapter = Path(doc).name
            learner, _ = convert(doc, html_dir, "student", book, figures, names, root)
            cases = {f: recorded.get(f, []) for f in wanted[chapter]}
            master, left_out = master_notebook(doc, learner, cases, book, wheel.name)
            if not any(cases.values()):
                summary.append((chapter, 0, 0, left_out))
                continue
            folder = work / chapter
            folder.mkdir()
            shutil.copy2(SELFCHECK, folder / SELFCHECK.name)
            shutil.copy2(wheel, folder / wheel.name)
            import dill

            with open(folder / f"{chapter}_cases.pkl", "wb") as f:
                dill.dump({k: v for k, v in cases.items() if v}, f)
            nbformat.write(master, folder / f"{chapter}.ipynb")
            otter("assign", "--no-pdfs", f"{chapter}.ipynb", "dist", cwd=folder)
            # the students get the public case of each function only; the autograder zip
            # keeps them all (the hidden cases' expected results stay with the staff)
            with open(folder / "dist" / "student" / f"{chapter}_cases.pkl", "wb") as f:
                dill.dump({k: v[:1] for k, v in cases.items() if v}, f)
            target = out_dir / chapter
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(folder / "dist" / "student", target / "student")
            (target / "autograder").mkdir(parents=True)
            (zipped,) = (folder / "dist" / "autograder").glob("*.zip")
            shutil.copy2(zipped, target / "autograder" / f"{chapter}-autograder.zip")
            shutil.copy2(
                folder / f"{chapter}.ipynb", target / "autograder" / f"{chapter}-master.ipynb"
            )
            questions = sum(
                1
                for c in master.cells
                if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")
            )
            points = sum(len(v) for v in cases.values())
            summary.append((chapter, questions, points, left_out))
    return summary


# --------------------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------------------


def assignment_of(path: Path) -> str | None:
    """The assignment a submitted notebook belongs to (from its otter init cell)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and (match := _INIT.search(cell.source)):
            return match.group(1)
    return None


def _grade_one(job: tuple[Path, Path, Path]) -> dict[str, Any]:
    """Grade one submission (in a worker process)."""
    from otter.api import grade_submission

    path, submissions, assignments = job
    name = assignment_of(path)
    row: dict[str, Any] = {"submission": path.relative_to(submissions).as_posix()}
    row["assignment"] = name
    zipped = assignments / str(name) / "autograder" / f"{name}-autograder.zip"
    if name is None or not zipped.exists():
        row.update(total=0, possible=0, error="no autograder for this notebook")
        return row
    results = grade_submission(str(path), ag_path=str(zipped), quiet=True)
    for question in sorted(results.results):
        row[question] = results.get_score(question)
    row.update(total=results.total, possible=results.possible, error="")
    return row


def grade(
    submissions: Path, assignments: Path, out_csv: Path, jobs: int = 2
) -> list[dict[str, Any]]:
    """Grade every notebook under ``submissions`` (``jobs`` at a time); write the CSV rows."""
    from concurrent.futures import ProcessPoolExecutor

    paths = [p for p in sorted(submissions.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(_grade_one, [(p, submissions, assignments) for p in paths]))
    fixed = {"submission", "assignment", "total", "possible", "error"}
    columns = ["submission", "assignment", *sorted({k for r in rows for k in r} - fixed)]
    columns += ["total", "possible", "error"]
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the assignments and autograders")
    b.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    b.add_argument("--out", type=Path, default=ROOT / "_build" / "assignments")
    g = sub.add_parser("grade", help="grade a folder of submitted notebooks into a CSV")
    g.add_argument("submissions", type=Path)
    g.add_argument("--assignments", type=Path, default=ROOT / "_build" / "assignments")
    g.add_argument("--out", type=Path, default=Path("grades.csv"))
    g.add_argument("--jobs", type=int, default=2, help="submissions graded at a time")
    args = parser.parse_args(argv)
    if args.command == "build":
        if not args.html.is_dir():
            print(f"assignments: {args.html} does not exist: build the book first", file=sys.stderr)
            return 1
        for chapter, questions, points, left_out in build(args.html.resolve(), args.out.resolve()):
            note = f"; no recorded case (not assigned): {', '.join(left_out)}" if left_out else ""
            print(f"assignments: {chapter}: {questions} questions, {points} points{note}")
        print(f"assignments: written to {args.out}")
        return 0
    rows = grade(args.submissions.resolve(), args.assignments.resolve(), args.out, args.jobs)
    for row in rows:
        print(f"  {row['submission']}: {row['total']} / {row['possible']} {row.get('error', '')}")
    print(f"grade: {len(rows)} submissions graded into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
