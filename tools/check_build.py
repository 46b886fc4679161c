"""Check a built book: pages, outputs, images, glue, and per-chapter execution time.

Usage (after the strict build, from the repository root)::

    python tools/check_build.py _build/html

Fails (exit status 1, with a message per problem) when

* a chapter listed in ``_toc.yml`` has no HTML page;
* a page shows a Python traceback or an error output cell (cells tagged
  ``raises-exception`` may show one: that is what the tag is for), or a stderr output
  with an error or a warning in it;
* an ``<img>`` (or ``<object>``/``<source>``) points to a file that does not exist;
* a role was left unparsed or unresolved (a raw ``{glue:text}`` or ``{cite:p}`` in the
  text of a page), or a listing
  shows a docstring's reST markup (``:math:``, ``:func:``: tools/reader_html.py removes it);
* a page that displays no widget still carries widget state or the scripts that render
  it (``tools/widget_state.py`` drops them);
* the build wrote error reports (``reports/*.err.log``), the jupyter-cache recorded a
  failed execution.

The per-chapter execution times are printed against the DESIGN.md budget (30 s), not
asserted: a time depends on the machine and its load (``benchmarks/run.py`` measures
the budgets).

Execution times are read from the jupyter-cache that ``execute_notebooks: cache``
fills (``_build/.jupyter_cache``): each chapter is matched to its cache record by the
hash of its code cells, exactly as myst-nb does, so the times are those of the
chapter's current text.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_BUDGET_SECONDS = 30.0  # DESIGN.md: a chapter executes in under 30 s
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
ERROR_WORDS = re.compile(r"\b\w*(Error|Warning|Exception)\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _tail(text: str, lines: int = 12) -> str:
    """The last ``lines`` lines of a traceback, without colour codes, indented."""
    kept = [ln for ln in ANSI.sub("", text).strip().splitlines() if ln.strip()][-lines:]
    return "\n".join(f"      {ln}" for ln in kept)


# --------------------------------------------------------------------------------------
# The toc and the config
# --------------------------------------------------------------------------------------


def _entries(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "file" in node:
            yield str(node["file"])
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                yield from _entries(child)
    elif isinstance(node, list):
        for child in node:
            yield from _entries(child)


def toc_docs(root: Path = ROOT) -> list[str]:
    """Every document in ``_toc.yml`` (root first), without suffix: ``chapters/momentum``."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    docs = [str(toc["root"]), *_entries(toc.get("parts", [])), *_entries(toc.get("chapters", []))]
    return [str(Path(doc).with_suffix("")) if Path(doc).suffix else doc for doc in docs]


def doc_source(doc: str, root: Path = ROOT) -> Path:
    """The source file of ``doc`` (``.md`` unless the toc gives a suffix)."""
    for suffix in (".md", ".ipynb"):
        path = root / f"{doc}{suffix}"
        if path.exists():
            return path
    return root / f"{doc}.md"


def execution_cache(build_dir: Path, root: Path = ROOT) -> Path:
    """Where the build keeps its jupyter-cache: ``execute.cache`` or ``<build>/.jupyter_cache``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    configured = (config.get("execute") or {}).get("cache") or ""
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else root / path
    return build_dir / ".jupyter_cache"


# --------------------------------------------------------------------------------------
# Execution times from the jupyter-cache
# --------------------------------------------------------------------------------------


@dataclass
class Execution:
    """What the cache knows about one chapter."""

    doc: str
    seconds: float | None  # None: no cache record matches the chapter's current code
    has_code: bool
    traceback: str | None = None


def execution_times(docs: Iterable[str], cache_dir: Path, root: Path = ROOT) -> list[Execution]:
    """Execution seconds of each chapter's current text, matched by code-cell hash."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(str(cache_dir)) if cache_dir.exists() else None
    project = {}
    if cache is not None:
        project = {str(Path(r.uri).resolve()): r for r in cache.list_project_records()}
    results = []
    for doc in docs:
        path = doc_source(doc, root)
        if not path.exists():
            results.append(Execution(doc, None, False))
            continue
        notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
        has_code = any(cell.cell_type == "code" for cell in notebook.cells)
        seconds = None
        if cache is not None:
            try:
                record = cache.match_cache_notebook(notebook)
                seconds = float((record.data or {}).get("execution_seconds", float("nan")))
            except KeyError:
                seconds = None
        staged = project.get(str(path.resolve()))
        traceback = staged.traceback if staged is not None and seconds is None else None
        results.append(Execution(doc, seconds, has_code, traceback or None))
    return results


# --------------------------------------------------------------------------------------
# HTML checks
# --------------------------------------------------------------------------------------


@dataclass
class Report:
    """Problems found and a few counts for the summary."""

    problems: list[str] = field(default_factory=list)
    pages: int = 0
    images: int = 0
    intended_tracebacks: int = 0

    def fail(self, message: str) -> None:
        """Record one problem."""
        self.problems.append(message)


def _classes(tag: Tag) -> list[str]:
    value: Any = tag.get("class") or []
    return [str(c) for c in value] if isinstance(value, list) else str(value).split()


def _inside_tagged_cell(tag: Tag, cell_tag: str) -> bool:
    return any(f"tag_{cell_tag}" in _classes(parent) for parent in tag.parents)


def _local_target(page: Path, html_dir: Path, url: str) -> Path | None:
    """The file a local URL points to, or None for remote/data URLs and bare anchors."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("data:") or not parts.path:
        return None
    path = unquote(parts.path)
    base = html_dir if path.startswith("/") else page.parent
    return (base / path.lstrip("/")).resolve()


_RAW_ROLE = re.compile(r"\{(glue|cite|eq|numref|doc|ref|term|math)(:[\w-]+)?\}`")


def check_page(page: Path, html_dir: Path, report: Report) -> None:
    """Tracebacks, error outputs, stderr, images and glue on one HTML page."""
    name = page.relative_to(html_dir).as_posix()
    text = page.read_text(encoding="utf-8", errors="replace")
    soup = BeautifulSoup(text, "html.parser")
    report.pages += 1
    for block in soup.find_all(class_="traceback"):
        if _inside_tagged_cell(block, "raises-exception"):
            report.intended_tracebacks += 1
            continue
        first = block.get_text(" ", strip=True)[:200]
        report.fail(f"{name}: an error output cell: {first}")
    for output in soup.select(".cell_output"):  # printed tracebacks; code listings may
        if "Traceback (most recent call last)" not in output.get_text():  # quote one (doctests)
            continue
        if output.find(class_="traceback") is None and not _inside_tagged_cell(
            output, "raises-exception"
        ):
            report.fail(f"{name}: a cell output shows a Python traceback")
    for block in soup.find_all(class_="stderr"):
        message = block.get_text(" ", strip=True)
        if ERROR_WORDS.search(message):
            report.fail(f"{name}: stderr output with an error or warning: {message[:200]}")
    for tag, attribute in (("img", "src"), ("object", "data"), ("source", "src"), ("embed", "src")):
        for element in soup.find_all(tag):
            url = element.get(attribute)
            if not isinstance(url, str):
                continue
            target = _local_target(page, html_dir, url)
            if target is None:
                continue
            report.images += 1
            if not target.is_file():
                report.fail(f"{name}: <{tag} {attribute}={url!r}> does not resolve to a file")
    if "application/vnd.jupyter.widget-view+json" not in text:  # no widget is shown, so
        for script in soup.find_all("script"):  # its state and renderer are dead weight
            src = str(script.get("src") or "")
            if script.get("type") == WIDGET_STATE or "@jupyter-widgets" in src or "require" in src:
                report.fail(f"{name}: widget state or scripts but no widget: {src or WIDGET_STATE}")
    # a role MyST did not parse or myst-nb did not replace (literal code may quote one)
    for raw in soup.find_all(string=_RAW_ROLE):
        if not any(p.name in {"code", "pre", "script", "style"} for p in raw.parents):
            report.fail(f"{name}: an unresolved role in the text: {raw.strip()[:200]}")
    for link in soup.select('a[href*="#equation-"]'):  # {eq} prints "(2.3)" itself
        before = link.previous_sibling
        if isinstance(before, str) and before.endswith("(") and link.get_text().startswith("("):
            report.fail(f"{name}: an equation reference in parentheses: ({link.get_text()})")
    for pre in soup.find_all("pre"):  # listings show docstrings as a reader reads them
        if re.search(r":(math|func|class|mod|data|attr|meth):`", pre.get_text()):
            report.fail(f"{name}: a listing shows reST markup: {pre.get_text()[:80]!r}")


def html_pages(html_dir: Path) -> list[Path]:
    """Every HTML page of the build (theme files under ``_static`` excluded)."""
    return sorted(
        p
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith(("_static", "_sources"))
    )


_CSS_COLOR = re.compile(
    r'html\[data-theme="(light|dark)"\] \.highlight(?: \.(\w+))? \{[^}]*?color: (#\w+)'
)


def plain_token_problems(pygments_css: str, tokens: Iterable[str]) -> list[str]:
    """Tokens whose colour differs from the listing's own in the built Pygments stylesheet.

    ``tools/reader_html.py`` drops the spans around these tokens (``PLAIN_TOKENS``), which
    is invisible only while the theme colours them as the ``.highlight`` block.
    """
    colors: dict[tuple[str, str], str] = {}
    for theme, token, color in _CSS_COLOR.findall(pygments_css):
        colors.setdefault((theme, token), color.lower())
    problems = []
    for theme in ("light", "dark"):
        base = colors.get((theme, ""))
        for token in tokens:
            color = colors.get((theme, token), base)
            if base is None or color != base:
                problems.append(
                    f"_static/pygments.css: .highlight .{token} is {color} in the {theme} theme, "
                    f"the listing's own colour is {base}: its spans must be kept"
                )
    return problems


def check_build(html_dir: Path, root: Path = ROOT) -> tuple[Report, list[Execution]]:
    """Run every check on ``html_dir``; return the report and the execution times."""
    report = Report()
    docs = toc_docs(root)
    for doc in docs:
        if not (html_dir / f"{doc}.html").is_file():
            report.fail(f"{doc}: listed in _toc.yml but {doc}.html was not built")
    for page in html_pages(html_dir):
        check_page(page, html_dir, report)
    css = html_dir / "_static" / "pygments.css"
    from reader_html import PLAIN_TOKENS

    for problem in plain_token_problems(css.read_text(encoding="utf-8"), PLAIN_TOKENS):
        report.fail(problem)
    cache_dir = execution_cache(html_dir.parent, root)
    times = execution_times(docs, cache_dir, root)
    succeeded = {t.doc for t in times if t.seconds is not None}
    reports = html_dir / "reports"
    logs = sorted(reports.rglob("*.err.log")) if reports.exists() else []
    for log in logs:
        doc = log.relative_to(reports).as_posix().removesuffix(".err.log")
        if doc in succeeded:  # left over from an earlier build; the current text executed
            continue
        report.fail(
            f"execution error report {log.relative_to(html_dir)}:\n{_tail(log.read_text())}"
        )
    for run in times:
        if run.traceback:
            if not (reports / f"{run.doc}.err.log").exists():  # else reported above
                report.fail(f"{run.doc}: execution failed:\n{_tail(run.traceback)}")
        elif run.seconds is None and run.has_code:
            report.fail(f"{run.doc}: no execution record in {cache_dir} matches the current text")
    return report, times


def format_times(times: list[Execution]) -> str:
    """A small table of per-chapter execution times."""
    width = max([len(t.doc) for t in times] + [7])
    lines = [f"  {'chapter':<{width}}  seconds"]
    for t in times:
        shown = "not executed" if t.seconds is None else f"{t.seconds:7.2f}"
        flag = "" if t.seconds is None or t.seconds < CHAPTER_BUDGET_SECONDS else "  OVER BUDGET"
        lines.append(f"  {t.doc:<{width}}  {shown}{flag}")
    total = sum(t.seconds for t in times if t.seconds is not None)
    lines.append(f"  {'total':<{width}}  {total:7.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path, nargs="?", default=ROOT / "_build" / "html")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book (where _toc.yml is)")
    args = parser.parse_args(argv)
    html_dir = args.html_dir.resolve()
    if not html_dir.is_dir():
        print(f"check_build: {html_dir} does not exist; build the book first", file=sys.stderr)
        return 1
    report, times = check_build(html_dir, args.root.resolve())
    print(f"check_build: {report.pages} pages, {report.images} local images checked")
    if report.intended_tracebacks:
        print(f"  {report.intended_tracebacks} traceback(s) in cells tagged raises-exception")
    print("execution time per chapter (jupyter-cache):")
    print(format_times(times))
    if report.problems:
        print(f"\ncheck_build: FAILED with {len(report.problems)} problem(s):", file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("check_build: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
