"""Build the student edition (exercises without solutions) and check that nothing leaks.

Usage (from the repository root; ``make student``)::

    python tools/student_edition.py [--no-build]

1. Writes a temporary config: ``_config.yml`` plus ``hide_solutions: true`` (sphinx-exercise
   drops every ``{solution}``), ``gdbook_edition: student`` (the ``{only} student`` text of
   ``chapters/about.md``), no copied sources, no source, edit, repository, issues, Binder or
   Colab links (the repository and the ``.md`` sources hold the solutions), a download
   button that offers only the student notebook (``tools/book_editions.py``), and a title
   ending in "(student edition)"; and a temporary toc without the pages for instructors
   (``INSTRUCTOR_ONLY``). It reuses the instructor build's jupyter-cache, so chapters that
   were executed for ``make book`` are not executed again.
2. Runs ``jupyter-book build . --config <tmp> --toc <tmp> --path-output _build/student -W
   -n --keep-going``; the HTML lands in ``_build/student/_build/html`` (inside ``_build``,
   which Sphinx excludes from the sources). Then writes the student notebooks from that
   HTML (``tools/learner_notebooks.py --edition student``) into its ``_notebooks/``.
3. Checks for leaks. For every chapter it collects the names of the solution functions
   shown with ``{literalinclude}`` (probe: ``def name(``) and plain-text snippets of every
   ``{solution}`` body. Each probe must occur in the instructor HTML (``_build/html``, if
   built: this proves the probes can find a solution) and nowhere in the student build
   (any file, ``_sources``, the search index, the student notebooks and the files inside
   their zip included). The student pages must contain no solution admonition, and no
   link of a page or a notebook may lead to a solution-bearing source: every local link
   must resolve inside the student build (whose files the probes search), and no link may
   point to the repository, Binder, Colab or a page source.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_build import doc_source, execution_cache, toc_docs  # noqa: E402

STUDENT_DIR = Path("_build") / "student"  # under the root; --build-dir moves it
STUDENT_SPHINX_CONFIG: dict[str, Any] = {
    "hide_solutions": True,
    "html_copy_source": False,
    "html_show_sourcelink": False,
    # the download button offers the student notebook only (tools/book_editions.py)
    "html_theme_options": {"use_download_button": True, "use_repository_button": False},
}
TITLE_SUFFIX = " (student edition)"
SOLUTIONS_PACKAGE = "gdbook_solutions"
PACKAGE_PROBES = (f"from {SOLUTIONS_PACKAGE}", f"import {SOLUTIONS_PACKAGE}")
INSTRUCTOR_ONLY = ("chapters/instructors",)  # pages left out of the student edition
# links that open the repository or a source (they hold the solutions)
_SOURCE_HOSTS = ("mybinder.org", "colab.research.google.com", "raw.githubusercontent.com")
_URL = re.compile(r"https?://[^\s\"'<>)\]]+")
_FENCE = re.compile(r"^\s*(`{3,}|:{3,})\{([^}\s]+)\}[ \t]*(.*?)\s*$")
_OPTION = re.compile(r"^\s*:([\w-]+):")
_MARKUP = re.compile(r"[`$*_{}\[\]()<>|\\'\"#~^=+]|--|\.\.\.")


# --------------------------------------------------------------------------------------
# The config
# --------------------------------------------------------------------------------------


def student_config(root: Path = ROOT, build_dir: Path | None = None) -> dict[str, Any]:
    """``_config.yml`` with the student settings merged in."""
    config: dict[str, Any] = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{config.get('title', '')}{TITLE_SUFFIX}"
    html = config.setdefault("html", {})
    for button in ("repository", "issues", "edit_page", "source"):
        html[f"use_{button}_button"] = False
    config["launch_buttons"] = {"notebook_interface": "jupyterlab", "thebe": False}
    sphinx = config.setdefault("sphinx", {})
    # the temporary config lives elsewhere: extension paths are relative to the root
    local = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {name: str((root / p).resolve()) for name, p in local.items()}
    # merge html_theme_options into the ones jupyter-book derives from the config
    # (launch buttons, repository url) instead of replacing them
    sphinx["recursive_update"] = True
    sphinx.setdefault("config", {}).update(STUDENT_SPHINX_CONFIG)
    sphinx["config"]["gdbook_edition"] = "student"
    execute = config.setdefault("execute", {})
    if not execute.get("cache"):  # share the instructor build's executed notebooks
        execute["cache"] = str(execution_cache(build_dir or root / "_build", root).resolve())
    return config


def student_toc(root: Path = ROOT) -> dict[str, Any]:
    """``_toc.yml`` without the pages for instructors."""
    toc: dict[str, Any] = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))

    def prune(node: Any) -> Any:
        if isinstance(node, list):
            return [
                prune(n)
                for n in node
                if not (isinstance(n, dict) and n.get("file") in INSTRUCTOR_ONLY)
            ]
        if isinstance(node, dict):
            return {
                k: prune(v) if k in {"parts", "chapters", "sections"} else v
                for k, v in node.items()
            }
        return node

    return dict(prune(toc))


def build(root: Path = ROOT, build_dir: Path | None = None) -> int:
    """Run the strict student build; return jupyter-book's exit status."""
    build_dir = (build_dir or root / "_build").resolve()
    with tempfile.TemporaryDirectory(prefix="gdbook-student-") as tmp:
        config_path = Path(tmp) / "_config.yml"
        config_path.write_text(
            yaml.safe_dump(student_config(root, build_dir), sort_keys=False), encoding="utf-8"
        )
        toc_path = build_dir / "student-toc.yml"  # beside the book: paths stay relative
        toc_path.parent.mkdir(parents=True, exist_ok=True)
        toc_path.write_text(yaml.safe_dump(student_toc(root), sort_keys=False), encoding="utf-8")
        command = [
            str(Path(sys.executable).with_name("jupyter-book")),
            "build",
            ".",
            "--config",
            str(config_path),
            "--toc",
            str(toc_path),
            "--path-output",
            str(build_dir / "student"),
            "-W",
            "-n",
            "--keep-going",
        ]
        print("+", " ".join(command), flush=True)
        return subprocess.run(command, cwd=root, check=False).returncode


# --------------------------------------------------------------------------------------
# Leak probes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A string that only a solution contains."""

    doc: str
    text: str
    kind: str  # "function", "text" or "package"
    source: str = ""  # the file a function is included from


def _solution_blocks(text: str) -> list[list[str]]:
    """Bodies (lines) of every ``{solution}`` directive, nested directives included."""
    lines = text.splitlines()
    blocks: list[list[str]] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match and match.group(2) == "solution":
            fence = match.group(1)
            j = i + 1
            while j < len(lines) and lines[j].strip() != fence:
                j += 1
            blocks.append(lines[i + 1 : j])
            i = j
        i += 1
    return blocks


def _snippet(line: str, min_words: int = 6, max_words: int = 8) -> str | None:
    """A run of plain words from ``line`` (no markup, quotes or math), or None."""
    best: list[str] = []
    line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)  # a list item's marker
    for segment in _MARKUP.split(line):
        words = re.findall(r"[A-Za-z][A-Za-z0-9,.;:?!-]*", segment)
        if len(words) == len(segment.split()) and len(words) > len(best):
            best = words
    if len(best) < min_words:
        return None
    return " ".join(best[:max_words]).rstrip(",.;:")


def solution_probes(doc: str, root: Path = ROOT) -> list[Probe]:
    """Function names and prose snippets found only in the solutions of ``doc``."""
    path = doc_source(doc, root)
    if not path.exists():
        return []
    probes: list[Probe] = []
    for block in _solution_blocks(path.read_text(encoding="utf-8")):
        inner_fence: str | None = None
        include, included = False, ""
        for line in block:
            match = _FENCE.match(line)
            if match:
                inner_fence, include = match.group(1), match.group(2) == "literalinclude"
                included = match.group(3) if include else ""
                continue
            if inner_fence is not None:
                if line.strip() == inner_fence:
                    inner_fence, include = None, False
                elif include and (m := re.match(r"^\s*:pyobject:\s*(\S+)", line)):
                    name = m.group(1).split(".")[-1]
                    probes.append(Probe(doc, f"def {name}(", "function", included))
                continue
            if _OPTION.match(line):
                continue
            snippet = _snippet(line)
            if snippet:
                probes.append(Probe(doc, snippet, "text"))
    return probes


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _page_text(path: Path) -> str:
    """Visible text of an HTML page with whitespace collapsed."""
    html = path.read_text(encoding="utf-8", errors="replace")
    # no separator: code is split into many <span>s, and "def f(" must stay one string
    return _normalise(BeautifulSoup(html, "html.parser").get_text(""))


def _read_archive(where: Path, data: bytes, corpus: dict[Path, str]) -> None:
    """Every member of a zip (a wheel inside it too) into ``corpus``, keyed by its path."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for member in zf.namelist():
            content = zf.read(member)
            if member.endswith((".zip", ".whl")):
                _read_archive(where / member, content, corpus)
            else:
                corpus[where / member] = _normalise(content.decode("utf-8", errors="replace"))


def _student_corpus(student_html: Path) -> dict[Path, str]:
    """Every text file of the student build: raw and, for HTML, also the visible text."""
    corpus: dict[Path, str] = {}
    for path in sorted(p for p in student_html.rglob("*") if p.is_file()):
        if path.suffix in {
            ".png",
            ".svg",
            ".jpg",
            ".gif",
            ".woff",
            ".woff2",
            ".ttf",
            ".eot",
            ".ico",
        }:
            continue
        if path.suffix in {".zip", ".whl"}:  # the notebooks' zip: every file inside it
            _read_archive(path, path.read_bytes(), corpus)
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        corpus[path] = _normalise(raw) + (" " + _page_text(path) if path.suffix == ".html" else "")
    return corpus


def _repository(root: Path) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    url = str((config.get("repository") or {}).get("url", "")).rstrip("/")
    return url.removeprefix("https://").removeprefix("http://")


def link_problems(student_html: Path, root: Path = ROOT) -> tuple[list[str], int]:
    """Links of the student pages and notebooks that lead to solution-bearing sources.

    Every ``href``/``src`` of every page must stay inside the student build and exist
    (its files are searched by the probes) or be an outside page that is neither the
    repository nor Binder, Colab or a raw repository file; the notebooks' text (all
    their URLs) must name none of those either. Returns the problems and the number of
    links checked.
    """
    repository = _repository(root)
    problems, checked = [], 0

    def bad_url(url: str) -> bool:
        bare = url.split("://", 1)[-1]
        return (bool(repository) and repository in bare) or any(h in bare for h in _SOURCE_HOSTS)

    pages = [p for p in student_html.rglob("*.html") if "_static" not in p.parts]  # not themes
    for page in sorted(pages):
        soup = BeautifulSoup(page.read_text(encoding="utf-8", errors="replace"), "html.parser")
        for tag in soup.find_all(["a", "link", "script", "img", "source", "iframe", "object"]):
            url = str(tag.get("href") or tag.get("src") or tag.get("data") or "")
            if not url or url.startswith(("#", "javascript:", "mailto:", "data:")):
                continue
            checked += 1
            where = page.relative_to(student_html)
            if "://" in url or url.startswith("//"):
                if bad_url(url):
                    problems.append(f"{where} links to a solution-bearing source: {url}")
                continue
            target = (page.parent / unquote(urlsplit(url).path)).resolve()
            if student_html.resolve() not in [target, *target.parents]:
                problems.append(f"{where} links outside the student build: {url}")
            elif not target.exists():
                problems.append(f"{where} links to a missing file: {url}")
            elif "_sources" in target.parts or target.suffix in {".md", ".py"}:
                problems.append(f"{where} links to a source file: {url}")
    for notebook in sorted(student_html.rglob("*.ipynb")):
        for url in _URL.findall(notebook.read_text(encoding="utf-8", errors="replace")):
            checked += 1
            if bad_url(url):
                problems.append(f"{notebook.relative_to(student_html)} names {url}")
    return problems, checked


def check_leaks(root: Path = ROOT, build_dir: Path | None = None) -> list[str]:
    """Problems: probes missing from the instructor HTML or present in the student build."""
    build_dir = build_dir or root / "_build"
    student_html = build_dir / "student" / "_build" / "html"
    instructor_html = build_dir / "html"
    problems = []
    if not student_html.is_dir():
        return [f"{student_html} does not exist: build the student edition first"]
    if (student_html / "_sources").exists():
        problems.append("the student build copied the sources (_sources/ holds the solutions)")
    corpus = _student_corpus(student_html)
    docs = toc_docs(root)
    probes = [p for doc in docs for p in solution_probes(doc, root)]
    package = [Probe("", text, "package") for text in PACKAGE_PROBES]
    for doc in docs:
        page = student_html / f"{doc}.html"
        if page.exists():
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            shown = soup.select(".solution")
            if shown:
                problems.append(f"{doc}: the student page shows {len(shown)} solution block(s)")
        if instructor_html.is_dir() and (instructor_html / f"{doc}.html").exists():
            text = _page_text(instructor_html / f"{doc}.html")
            for probe in (p for p in probes if p.doc == doc):
                if probe.text not in text:
                    problems.append(
                        f"{doc}: probe {probe.text!r} is not in the instructor page either: "
                        "rebuild _build/html (make book), or the probe cannot detect a leak"
                    )
    for probe in probes:
        for path, text in corpus.items():
            # the wheel of gdbook carries the library that a solution may show a function of;
            # the student notebooks need it (the solutions package is not in it: see below)
            library = probe.kind == "function" and SOLUTIONS_PACKAGE not in probe.source
            if library and any(part.endswith(".whl") for part in path.parts):
                continue
            if probe.text in text:
                where = path.relative_to(student_html)
                problems.append(
                    f"{probe.doc}: solution {probe.kind} {probe.text!r} leaks into {where}"
                )
    for path, text in corpus.items():
        where = path.relative_to(student_html)
        if SOLUTIONS_PACKAGE in where.parts:
            problems.append(f"the solutions package is shipped: {where}")
        problems += [f"{where} uses the solutions: {p.text!r}" for p in package if p.text in text]
    notebooks = [p for p in corpus if p.suffix == ".ipynb"]
    if not notebooks:
        problems.append("the student build has no notebooks: run tools/learner_notebooks.py")
    links, checked = link_problems(student_html, root)
    problems += links
    print(
        f"student_edition: {len(probes)} solution probes "
        f"({sum(p.kind == 'function' for p in probes)} functions) checked against "
        f"{len(corpus)} files ({len(notebooks)} notebooks); {checked} links checked"
        + ("" if instructor_html.is_dir() else " (no instructor build to cross-check)")
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="only check an existing build")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument(
        "--build-dir",
        type=Path,
        help="the instructor build's folder (html/, jupyter-cache); default ROOT/_build",
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    build_dir = (args.build_dir or root / "_build").resolve()
    if not args.no_build:
        status = build(root, build_dir)
        if status != 0:
            print(f"student_edition: the build failed (exit status {status})", file=sys.stderr)
            reports = build_dir / "student" / "_build" / "html" / "reports"
            for log in sorted(reports.rglob("*.err.log")) if reports.exists() else []:
                print(f"=== {log}\n{log.read_text()}", file=sys.stderr)
            return status
        from learner_notebooks import write_edition

        html = build_dir / "student" / "_build" / "html"
        written = write_edition(html, build_dir / "notebooks", "student", root)
        print(f"student_edition: {len(written)} student notebooks in {html / '_notebooks'}")
    problems = check_leaks(root, build_dir)
    if problems:
        print(f"student_edition: FAILED with {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    index = build_dir / "student" / "_build" / "html" / "index.html"
    print(f"student_edition: OK, no solution leaks. Open: file://{index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
