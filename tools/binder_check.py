"""Build the environment ``binder/`` describes, as Binder would, and run a chapter in it.

Usage (``make binder-check``; takes a few minutes, so it is not part of ``make test``)::

    python tools/binder_check.py [--keep] [--chapter intro]

Binder (repo2docker) copies the repository, installs ``binder/requirements.txt`` with pip
into Python ``binder/runtime.txt`` and runs ``binder/postBuild`` from the root. Here:

1. the repository's files (``git ls-files``: tracked and untracked, not ignored) are
   copied into a temporary folder, so nothing outside them can be relied on;
2. a clean virtual environment is made there with the Python of ``runtime.txt`` (this
   interpreter must be that version), ``binder/requirements.txt`` is installed into it and
   ``binder/postBuild`` runs with that environment first on ``PATH``;
3. checks: ``gdbook`` and ``gdbook_solutions`` import from the copy; JupyterLab's
   overrides make ``.md`` open as a Jupytext notebook; jupytext's server extension and the
   jupyterlab-myst and jupytext lab extensions are enabled; and the chapter is opened as
   Binder's button opens it (``chapters/<chapter>.md`` read by jupytext) and executed top to
   bottom by nbclient in that environment's kernel, in ``chapters/``, with ``MPLBACKEND``
   unset (Jupyter's default inline backend).

What it cannot check here: repo2docker itself (Docker) and mybinder.org's network.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN_CHAPTER = """
import sys, jupytext, nbclient
nb = jupytext.read(sys.argv[1])
nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[2]}}).execute()
errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
          if o.get("output_type") == "error"
          and "raises-exception" not in c.metadata.get("tags", [])]
print(len([c for c in nb.cells if c.cell_type == "code"]), "code cells ran,", len(errors), "errors")
"""


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(
            f"binder_check: failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout + result.stderr


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="intro")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    if f"{sys.version_info.major}.{sys.version_info.minor}" != runtime:
        print(f"binder_check: run me with Python {runtime} (binder/runtime.txt)", file=sys.stderr)
        return 1
    start = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="gdbook-binder-"))
    try:
        files = (
            subprocess.run(
                ["git", "ls-files", "-co", "--exclude-standard", "-z"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .split("\0")
        )
        repo = tmp / "repo"
        for name in filter(None, files):
            if (ROOT / name).is_file():
                (repo / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, repo / name)
        env = {k: v for k, v in os.environ.items() if k not in {"MPLBACKEND", "PYTHONPATH"}}
        venv = tmp / "env"
        _run([sys.executable, "-m", "venv", str(venv)], tmp, env)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
        env["VIRTUAL_ENV"] = str(venv)
        env["JUPYTER_CONFIG_DIR"] = str(tmp / "home-jupyter")  # no user settings
        env["JUPYTER_DATA_DIR"] = str(tmp / "home-jupyter-data")
        pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
        _run([*pip, "install", "-r", "binder/requirements.txt"], repo, env)
        _run(["bash", "binder/postBuild"], repo, env)
        installed = time.perf_counter() - start
        python = str(venv / "bin" / "python")
        where = _run(
            [python, "-c", "import gdbook, gdbook_solutions; print(gdbook.__file__)"], tmp, env
        )
        assert str(repo) in where, f"gdbook imports from {where.strip()}, not the copy"
        overrides = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
        viewers = json.loads(overrides.read_text())["@jupyterlab/docmanager-extension:plugin"]
        assert viewers["defaultViewers"]["markdown"] == "Jupytext Notebook", viewers
        labext = _run([str(venv / "bin" / "jupyter"), "labextension", "list"], tmp, env)
        for name in ("jupyterlab-myst", "jupytext"):
            line = next((ln for ln in labext.splitlines() if name in ln), "")
            assert "enabled" in line, f"lab extension {name} not enabled:\n{labext}"
        server = _run([str(venv / "bin" / "jupyter"), "server", "extension", "list"], tmp, env)
        assert any("jupytext" in ln and "enabled" in ln for ln in server.splitlines()), server
        chapters = repo / "chapters"
        ran = _run(
            [python, "-c", RUN_CHAPTER, str(chapters / f"{args.chapter}.md"), str(chapters)],
            chapters,
            env,
        )
        # the kernel's own warnings share the output: the summary is the line the script prints
        summary = next(
            (ln for ln in reversed(ran.splitlines()) if "code cells ran," in ln), "no summary"
        )
        if not summary.endswith(" 0 errors"):
            print(f"binder_check: {args.chapter}: {summary}\n{ran}", file=sys.stderr)
            return 1
        print(
            f"binder_check: OK. Environment from binder/ built in {installed:.0f} s "
            f"({len(files)} repository files copied); gdbook imports from the copy; .md opens "
            f"as a Jupytext notebook; jupyterlab-myst and jupytext enabled; "
            f"chapters/{args.chapter}.md: {summary} under the inline backend; "
            f"{time.perf_counter() - start:.0f} s in all"
        )
        return 0
    finally:
        if args.keep:
            print(f"binder_check: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
