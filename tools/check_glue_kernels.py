"""Check that the numbers glued into the text do not depend on the BLAS kernel.

Usage (after the strict build, from the repository root)::

    python tools/check_glue_kernels.py [Haswell SkylakeX ...] [--build-dir _build]

The strict build executes every chapter under the kernels OpenBLAS picks for this CPU and
keeps the executed notebooks in its jupyter-cache. This tool executes every chapter of
``_toc.yml`` once more, in the same way (myst-nb's reader, jupyter-cache's executor, the
chapter's folder as working directory), with ``OPENBLAS_CORETYPE`` set to the first of the
given core types that this CPU runs and that rounds differently from the default
(``tools/blas_kernels.py``). It then compares every glued output (``myst_nb.glue``: its
``text/plain``, ``text/latex`` and ``text/markdown``) with the same name in the build's
executed notebook, matched to the chapter's current text by the hash of its code cells as
myst-nb matches it.

A glued value that differs fails the check where the text shows it differently: a
``{glue:text}`name:.3f``` reference is rendered with myst-nb's own formatting for both
values. Differences hidden by every reference's format (or in a value no page shows) are
listed as notes. Exit status 1 on a visible difference, on a chapter that fails to execute
and on a chapter whose current text has no record in the cache (build first).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import blas_kernels
import check_build

ROOT = check_build.ROOT
DEFAULT_KERNELS = ["Haswell", "SkylakeX", "Sandybridge", "Prescott"]
MIME_TYPES = ("text/plain", "text/latex", "text/markdown")
ROLE = re.compile(r"\{glue(?::(?P<kind>[\w-]*))?\}`(?P<content>[^`]+)`")
DIRECTIVE = re.compile(
    r"^\s*(?:`{3,}|:{3,})\{glue(?::(?P<kind>[\w-]+))?\}\s+(?P<content>\S+)", re.M
)


# --------------------------------------------------------------------------------------
# Glued outputs and the places the text shows them
# --------------------------------------------------------------------------------------


def glued(notebook: Any) -> dict[str, dict[str, str]]:
    """Name -> {mime type: value} of every ``glue`` output of an executed notebook."""
    found: dict[str, dict[str, str]] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            record = (output.get("metadata") or {}).get("scrapbook")
            if not record:
                continue
            prefix = record.get("mime_prefix", "")
            data = {k.removeprefix(prefix): v for k, v in (output.get("data") or {}).items()}
            found[str(record["name"])] = {
                m: v if isinstance(v, str) else "".join(v)
                for m, v in data.items()
                if m in MIME_TYPES
            }
    return found


@dataclass(frozen=True)
class Reference:
    """One place a page shows a glued value: ``{glue:text}`name:.3f``` and the like."""

    doc: str  # the page that shows it
    name: str
    kind: str  # "text", "math", "md", "any" ("" and "any" show the best mime type)
    fmt: str | None  # the format spec of {glue:text}


def references(doc: str, text: str) -> Iterator[tuple[str, Reference]]:
    """(document the value comes from, reference) for every glue role and directive."""
    for match in [*ROLE.finditer(text), *DIRECTIVE.finditer(text)]:
        kind = match.group("kind") or "any"
        content = match.group("content").strip()
        source = doc
        if "::" in content:
            path, content = content.split("::", 1)
            source = os.path.normpath(os.path.join(os.path.dirname(doc), path))
            source = str(Path(source).with_suffix("")) if Path(source).suffix else source
        fmt = None
        if kind == "text":  # name:format, as myst-nb splits it
            name, colon, spec = content.rpartition(":")
            content, fmt = (name, spec) if colon else (content, "s")
        yield source, Reference(doc, content, kind, fmt)


def shown(reference: Reference, data: dict[str, str]) -> str:
    """What the page shows for ``reference`` given the glued ``data``."""
    from myst_nb.core.variables import format_plain_text

    if reference.kind == "text":
        try:
            return format_plain_text(data.get("text/plain", ""), reference.fmt or "s")
        except (TypeError, ValueError) as error:
            return f"<cannot format: {error}>"
    if reference.kind == "math":
        return data.get("text/latex", data.get("text/plain", ""))
    if reference.kind == "md":
        return data.get("text/markdown", data.get("text/plain", ""))
    return repr(sorted(data.items()))  # {glue} shows the richest type: any change shows


@dataclass
class Outcome:
    """What the comparison found."""

    compared: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare_glue(
    doc: str,
    built: dict[str, dict[str, str]],
    other: dict[str, dict[str, str]],
    refs: Iterable[Reference],
    label: str,
) -> Outcome:
    """Compare one chapter's glued values; ``refs`` are every page's references to them."""
    outcome = Outcome()
    by_name: dict[str, list[Reference]] = {}
    for ref in refs:
        by_name.setdefault(ref.name, []).append(ref)
    for name in sorted(set(built) | set(other)):
        if name not in built or name not in other:
            where = "the build" if name in built else label
            outcome.problems.append(f"{doc}: glue {name!r} exists only under {where}")
            continue
        outcome.compared += 1
        a, b = built[name], other[name]
        if a == b:
            continue
        values = "; ".join(
            f"{m}: {a.get(m)!r} (build) vs {b.get(m)!r} ({label})"
            for m in MIME_TYPES
            if a.get(m) != b.get(m)
        )
        visible = [r for r in by_name.get(name, []) if shown(r, a) != shown(r, b)]
        if visible:
            pages = ", ".join(
                f"{r.doc} shows {shown(r, a)!r} vs {shown(r, b)!r}" for r in visible[:3]
            )
            outcome.problems.append(
                f"{doc}: glue {name!r} differs where the text shows it: {pages} [{values}]"
            )
        elif by_name.get(name):
            outcome.notes.append(f"{doc}: glue {name!r} differs beyond the digits shown [{values}]")
        else:
            outcome.notes.append(f"{doc}: glue {name!r} differs but no page shows it [{values}]")
    return outcome


# --------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------


def read_chapter(path: Path) -> Any:
    """The chapter as myst-nb reads it (the code cells jupyter-cache hashes)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    if path.suffix == ".ipynb":
        import nbformat

        return nbformat.read(path, as_version=4)
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"))


def execute(notebook: Any, cwd: Path, timeout: int = 300) -> tuple[Any, str | None, float]:
    """Execute ``notebook`` as myst-nb's cache mode does; (notebook, error, seconds)."""
    from jupyter_cache.executors.utils import single_nb_execution

    result = single_nb_execution(notebook, cwd=str(cwd), timeout=timeout, allow_errors=False)
    error = None if result.err is None else (result.exc_string or repr(result.err))
    return notebook, error, float(result.time)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("coretypes", nargs="*", default=DEFAULT_KERNELS)
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book (where _toc.yml is)")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    default, kernel = blas_kernels.other_than_default(args.coretypes)
    if kernel is None:
        print(
            f"check_glue_kernels: none of {args.coretypes} rounds differently from this "
            f"machine's default OpenBLAS kernel ({default.corename or 'no OpenBLAS'}) here; "
            "nothing to compare"
        )
        return 0
    label = f"OPENBLAS_CORETYPE={kernel.coretype}"
    print(
        f"check_glue_kernels: the build ran on OpenBLAS core {default.corename}; executing "
        f"every chapter under {label} (core {kernel.corename})"
    )
    from jupyter_cache import get_cache

    cache_dir = check_build.execution_cache(args.build_dir.resolve(), root)
    if not cache_dir.exists():
        print(f"check_glue_kernels: no jupyter-cache in {cache_dir}; build first", file=sys.stderr)
        return 1
    cache = get_cache(str(cache_dir))
    docs = check_build.toc_docs(root)
    texts = {doc: check_build.doc_source(doc, root) for doc in docs}
    refs: dict[str, list[Reference]] = {}
    for doc, path in texts.items():
        if path.exists() and path.suffix == ".md":
            for source, ref in references(doc, path.read_text(encoding="utf-8")):
                refs.setdefault(source, []).append(ref)

    os.environ["OPENBLAS_CORETYPE"] = kernel.coretype  # the kernels inherit it
    total = Outcome()
    for doc, path in texts.items():
        if not path.exists():
            continue
        notebook = read_chapter(path)
        if not any(cell.cell_type == "code" for cell in notebook.cells):
            continue
        try:
            record = cache.match_cache_notebook(notebook)
        except KeyError:
            total.problems.append(
                f"{doc}: no record in {cache_dir} matches the chapter's current text "
                "(it changed after the build, or the build did not run)"
            )
            continue
        built = glued(cache.get_cache_bundle(record.pk).nb)
        start = time.perf_counter()
        executed, error, _ = execute(notebook, path.parent)
        seconds = time.perf_counter() - start
        if error is not None:
            tail = "\n".join(error.strip().splitlines()[-6:])
            total.problems.append(f"{doc}: execution failed under {label}:\n{tail}")
            continue
        outcome = compare_glue(doc, built, glued(executed), refs.get(doc, []), label)
        print(f"  {doc}: {outcome.compared} glued values compared ({seconds:.1f} s)")
        total.compared += outcome.compared
        total.problems += outcome.problems
        total.notes += outcome.notes
    for note in total.notes:
        print(f"  note: {note}")
    if total.problems:
        print(f"check_glue_kernels: FAILED with {len(total.problems)} problem(s):", file=sys.stderr)
        for problem in total.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"check_glue_kernels: OK, {total.compared} glued values agree under both kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
