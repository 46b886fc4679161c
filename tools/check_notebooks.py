"""Run every learner notebook in a fresh kernel under Jupyter's default (inline) backend.

Usage (after ``make notebooks``; ``make test-notebooks``)::

    python tools/check_notebooks.py [FOLDER ...] [--jobs 2]

(default: ``_build/notebooks/instructor/notebooks``; ``make test-notebooks`` adds the
student notebooks when ``make student`` has written them)

Each notebook is executed top to bottom by nbclient in a new kernel, with ``MPLBACKEND``
removed from the environment (so matplotlib uses ``matplotlib_inline``, as in Binder,
Colab, VS Code and a plain JupyterLab) and with the notebook's own folder as the working
directory. A notebook fails when a cell raises (cells tagged ``raises-exception`` may),
when a Markdown cell still holds MyST markup (a role such as ``{glue:text}`` or a
directive fence), or when it has no code cell. Notebooks run ``--jobs`` at a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from learner_notebooks import leftover_myst  # noqa: E402

TIMEOUT = 300


def check(path: Path) -> tuple[str, float, list[str]]:
    """Execute one notebook; returns (name, seconds, problems)."""
    os.environ.pop("MPLBACKEND", None)
    notebook = nbformat.read(path, as_version=4)
    problems = [f"MyST left in Markdown: {p}" for p in leftover_myst(notebook)]
    if not any(c.cell_type == "code" for c in notebook.cells):
        problems.append("no code cell")
    start = time.perf_counter()
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except Exception as error:  # CellExecutionError and timeouts: report, go on
        lines = [ln for ln in str(error).splitlines() if ln.strip()]
        problems.append("execution failed: " + " | ".join(lines[-6:]))
    name = f"{path.parent.parent.name}/{path.name}"  # edition/notebook
    return name, time.perf_counter() - start, problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders",
        type=Path,
        nargs="*",
        default=[ROOT / "_build/notebooks/instructor/notebooks"],
        help="folders of notebooks (a missing one is an error)",
    )
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    paths = []
    for folder in args.folders:
        found = sorted(folder.glob("*.ipynb"))
        if not found:
            print(f"check_notebooks: no notebooks in {folder}: run make notebooks", file=sys.stderr)
            return 1
        paths += found
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(check, paths))
    failed = 0
    for name, seconds, problems in results:
        print(f"  {name:44s} {seconds:6.1f} s  {'OK' if not problems else 'FAILED'}")
        for problem in problems:
            print(f"      {problem}")
        failed += bool(problems)
    total = time.perf_counter() - start
    print(
        f"check_notebooks: {len(results) - failed} passed, {failed} failed "
        f"({len(results)} notebooks executed fresh under the inline backend, {total:.0f} s)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
