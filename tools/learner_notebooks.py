r"""Learner notebooks: every page of the built book as a plain ``.ipynb`` any Jupyter reads.

Usage (from the repository root, after the book is built; ``make notebooks``)::

    python tools/learner_notebooks.py [--html _build/html] [--edition instructor]
                                      [--out _build/notebooks]

A chapter's source is MyST, which JupyterLab, Colab and VS Code show as markup
(``{glue:text}``, ``{numref}``, ``{literalinclude}``, raw ``{solution}`` blocks). The
learner notebook is made from the two things that together say everything:

* **the built page** (``_build/html/<doc>.html``) for the prose. Sphinx has already
  substituted every glued number from the executed notebook in the build's jupyter-cache,
  numbered figures, equations and exercises, resolved citations (author-year labels and
  the page's bibliography), cross-references and included code. That HTML is turned into
  Markdown by `markdownify`_ with a few rules for the book's elements: math stays TeX
  (``$...$``, ``$$...\tag{2.1}$$``, the book's MathJax macros expanded), figures become
  PNG attachments of the cell (drawn by the registered figure function), code listings
  fenced code, admonitions block quotes, dropdowns ``<details>``, exercises headed cells
  and their solutions a collapsed ``<details>`` (instructor edition) or nothing (student
  edition, made from the student build, which has none);
* **the chapter source** (``chapters/<doc>.md``, read with jupytext) for the code: every
  code cell, in order, including the hidden ones that compute the glued values (their
  input collapsed), so that the notebook runs top to bottom in a fresh kernel. The page's
  cells are matched to the source's by position (a mismatch is an error).

Each notebook starts with a setup cell that installs the book's package where it is
missing (Colab: from the repository in ``_config.yml``) and fetches the repository files
a chapter reads (for example the torch fixture). ``--out`` receives
``<edition>/notebooks/<name>.ipynb``, those data files at their repository paths beside
``notebooks/`` (so that a chapter's ``../tests/...`` resolves), and
``gdbook-<edition>-notebooks.zip`` of that folder; the notebooks are also copied into
``<html>/_notebooks/`` for the page's download and Colab buttons
(``tools/notebook_buttons.py``).

.. _markdownify: https://github.com/matthewwithanm/python-markdownify
"""

from __future__ import annotations

import argparse
import ast
import base64
import copy
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import yaml
from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_build import doc_source, toc_docs  # noqa: E402

EDITIONS = ("instructor", "student")
NOTEBOOKS = "notebooks"  # folder of the notebooks inside an edition's folder and zip
HTML_NOTEBOOKS = "_notebooks"  # folder of the notebooks inside the built HTML
WHEEL_GLOB = "gdbook-*.whl"  # the student edition's package: gdbook without its solutions
SOLUTIONS_PACKAGE = "gdbook_solutions"
FIGURE_DPI = 100
_PLACEHOLDER = "GDBOOKRAW{}X"
_PLACEHOLDER_RE = re.compile(r"GDBOOKRAW(\d+)X")
# What a MyST role or directive looks like when it is left in Markdown
LEFTOVER_MYST = re.compile(
    r"\{[a-z][\w:-]*\}`|^\s*(`{3,}|:{3,})\{[\w:-]+\}|^\s*:(label|class|name|pyobject|tags):"
    r"|^\([\w-]+\)=\s*$|^\+\+\+",
    re.M,
)
_ROLE_OR_CODE = re.compile(r"\{[a-z][\w:-]*\}`[^`\n]*`|``[^\n]*?``|`[^`\n]+`")


# --------------------------------------------------------------------------------------
# Settings read from the book's configuration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Book:
    """What the notebooks need from ``_config.yml``: title, repository and math macros."""

    title: str
    repository: str
    branch: str
    macros: dict[str, str]

    @classmethod
    def read(cls, root: Path = ROOT) -> Book:
        """The settings of the book at ``root``."""
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
        repository = config.get("repository") or {}
        sphinx = (config.get("sphinx") or {}).get("config") or {}
        macros = ((sphinx.get("mathjax3_config") or {}).get("tex") or {}).get("macros") or {}
        return cls(
            title=str(config.get("title", "")),
            repository=str(repository.get("url", "")).rstrip("/"),
            branch=str(repository.get("branch", "main")),
            macros={str(k): v if isinstance(v, str) else str(v[0]) for k, v in macros.items()},
        )

    def raw_url(self, path: str) -> str:
        """The URL of a repository file's raw bytes (GitHub)."""
        repo = self.repository.removeprefix("https://github.com/")
        return f"https://raw.githubusercontent.com/{repo}/{self.branch}/{path}"


def expand_macros(tex: str, macros: dict[str, str]) -> str:
    r"""Replace the book's MathJax macros (``\R``) by their definitions (notebooks have none)."""
    for name in sorted(macros, key=len, reverse=True):
        definition = macros[name]
        tex = re.sub(rf"\\{name}(?![A-Za-z])", lambda _m, d=definition: d, tex)
    return tex


# --------------------------------------------------------------------------------------
# HTML to Markdown
# --------------------------------------------------------------------------------------


class _Converter(MarkdownConverter):  # type: ignore[misc]
    """markdownify with ATX headings, fenced code and no escaping of what we protect."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("heading_style", "ATX")
        options.setdefault("bullets", "*")
        options.setdefault("escape_underscores", False)
        options.setdefault("escape_asterisks", False)
        super().__init__(**options)

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        alt = (el.get("alt") or "").replace("]", ")").replace("[", "(")
        return f"![{alt}]({el.get('src', '')})"


@dataclass
class Page:
    """One page being converted: its raw blocks (math, code, details) and attachments."""

    book: Book
    edition: str
    html_file: Path
    figures: FigureCache
    raw: list[str] = field(default_factory=list)
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)

    def protect(self, text: str) -> str:
        """Keep ``text`` verbatim through markdownify; returns its placeholder."""
        self.raw.append(text)
        return _PLACEHOLDER.format(len(self.raw) - 1)

    def restore(self, text: str) -> str:
        """Put the protected blocks back in place of their placeholders."""
        while _PLACEHOLDER_RE.search(text):
            text = _PLACEHOLDER_RE.sub(lambda m: self.raw[int(m.group(1))], text)
        return text

    def to_markdown(self, node: Tag) -> str:
        """Markdown of ``node``'s children (placeholders left in)."""
        html = "".join(str(child) for child in node.children)
        return str(_Converter().convert(html)).strip()


def _replace(tag: Tag, text: str) -> None:
    tag.replace_with(NavigableString(text))


def _block(page: Page, text: str) -> Tag:
    """A paragraph holding one placeholder: a block of its own in the Markdown."""
    soup = BeautifulSoup("", "html.parser")
    p = soup.new_tag("p")
    p.string = page.protect(text)
    return p


def _code_language(tag: Tag) -> str:
    for cls in tag.get("class", []):
        if cls.startswith("highlight-"):
            language = cls.removeprefix("highlight-")
            return {"ipython3": "python", "default": "python", "none": ""}.get(language, language)
    return ""


def _convert_math(page: Page, article: Tag) -> None:
    for div in article.select("div.math"):
        number = div.select_one("span.eqno")
        tag = ""
        if number is not None:
            tag = r" \tag{" + number.get_text("").strip().strip("()#") + "}"
            number.decompose()
        tex = div.get_text("").strip()
        tex = re.sub(r"^\\\[|\\\]$", "", tex).strip()
        tex = expand_macros(tex, page.book.macros)
        div.replace_with(_block(page, f"$$\n{tex}{tag}\n$$"))
    for span in article.select("span.math"):
        tex = span.get_text("").strip()
        tex = re.sub(r"^\\\(|\\\)$", "", tex).strip()
        _replace(span, page.protect(f"${expand_macros(tex, page.book.macros)}$"))


def _convert_code(page: Page, article: Tag) -> None:
    for div in article.select("div[class*=highlight-]"):
        pre = div.find("pre")
        code = pre.get_text("") if pre else div.get_text("")
        fence = "````" if "```" in code else "```"
        div.replace_with(_block(page, f"{fence}{_code_language(div)}\n{code.rstrip()}\n{fence}"))


def _convert_figures(page: Page, article: Tag) -> None:
    for figure in article.select("figure"):
        img = figure.find("img")
        caption = figure.find("figcaption")
        text = ""
        if caption is not None:
            number = caption.select_one("span.caption-number")
            label = number.get_text("").strip() if number else ""
            if number is not None:
                number.decompose()
            body = page.restore(page.to_markdown(caption)).strip()
            text = f"**{label}** {body}" if label else body
        image = ""
        if img is not None and not (page.html_file.parent / str(img.get("src", ""))).is_file():
            image = f"*(missing image: {img.get('src', '')})*"  # the build warned about it
        elif img is not None:
            name, attachment = page.figures.attachment(page.html_file, str(img.get("src", "")))
            page.attachments[name] = attachment
            alt = str(img.get("alt", "")).replace("]", ")").replace("[", "(")
            image = f"![{alt}](attachment:{name})"
        figure.replace_with(_block(page, "\n\n".join(x for x in (image, text) if x)))


def _details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def _convert_exercises(page: Page, article: Tag) -> None:
    for div in article.select("div.exercise"):
        title = div.select_one("p.admonition-title")
        heading = ""
        if title is not None:
            number = title.select_one("span.caption-number")
            label = number.get_text("").strip() if number else "Exercise"
            if number is not None:
                number.decompose()
            name = title.get_text("").strip()
            name = name[1:-1] if name.startswith("(") and name.endswith(")") else name
            heading = f"{label}: {name}" if name else label
            title.decompose()
        body = page.restore(page.to_markdown(div))
        div.replace_with(_block(page, f"\n\nGDBOOKBREAK\n\n### {heading}\n\n{body}"))
    for div in article.select("div.solution"):
        if page.edition == "student":
            div.decompose()
            continue
        title = div.select_one("p.admonition-title")
        summary = title.get_text(" ").strip() if title else "Solution"
        if title is not None:
            title.decompose()
        body = page.restore(page.to_markdown(div))
        div.replace_with(_block(page, _details(summary, body) + "\n\nGDBOOKBREAK"))


def _convert_admonitions(page: Page, article: Tag) -> None:
    for div in reversed(article.select("div.admonition")):  # innermost first
        title = div.select_one("p.admonition-title")
        heading = title.get_text(" ").strip() if title else ""
        if title is not None:
            title.decompose()
        body = page.restore(page.to_markdown(div))
        if "dropdown" in div.get("class", []) or "toggle" in div.get("class", []):
            div.replace_with(_block(page, _details(heading or "Details", body)))
        else:
            quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
            div.replace_with(_block(page, f"> **{heading}**\n>\n{quoted}" if heading else quoted))


def _convert_links(page: Page, article: Tag, names: dict[str, str]) -> None:
    """Keep links to the web and to other chapters (their notebooks); unwrap the rest."""
    for a in article.find_all("a"):
        href = str(a.get("href", ""))
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        target = href.split("#", 1)[0]
        page_name = Path(target).stem if target.endswith(".html") else ""
        if page_name and page_name in names.values() and not target.startswith("_"):
            a["href"] = f"{page_name}.ipynb"
            continue
        a.unwrap()


def _clean(article: Tag) -> None:
    for selector in ("a.headerlink", "script", "style", "nav", "span.backrefs"):
        for tag in article.select(selector):
            tag.decompose()
    for citation in article.select("div.citation"):
        label = citation.select_one("span.label")
        text = label.get_text("").strip() if label else ""
        if label is not None:
            label.decompose()
        first = citation.find("p")
        if first is not None and text:
            first.insert(0, NavigableString(f"{text} "))


# --------------------------------------------------------------------------------------
# Figures as PNG attachments
# --------------------------------------------------------------------------------------


class FigureCache:
    """PNG renderings of the book's figures, drawn once per run by their registered function.

    A figure of ``gdbook.figures`` is drawn again as PNG (Colab, JupyterLab and VS Code
    all show PNG attachments; SVG attachments are not shown everywhere); any other image
    is attached as it is.
    """

    def __init__(self, folder: Path | None = ROOT / "_build" / ".notebook_figures") -> None:
        self._cache: dict[str, tuple[str, dict[str, str]]] = {}
        self._registry: Any = None
        self.folder = folder  # PNGs kept between runs, keyed by the SVG's hash

    def _png(self, svg: Path) -> bytes:
        key = hashlib.sha256(svg.read_bytes()).hexdigest()[:20]
        stored = self.folder / f"{svg.stem}-{key}.png" if self.folder else None
        if stored is not None and stored.exists():
            return stored.read_bytes()
        from gdbook.plotting import style

        fig = self._figures()[svg.name]()
        buffer = io.BytesIO()
        with style():
            fig.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
        if stored is not None:
            stored.parent.mkdir(parents=True, exist_ok=True)
            for old in stored.parent.glob(f"{svg.stem}-*.png"):
                old.unlink()
            stored.write_bytes(buffer.getvalue())
        return buffer.getvalue()

    def _figures(self) -> Any:
        if self._registry is None:
            from gdbook import figures

            self._registry = figures.load_all()
        return self._registry

    def attachment(self, html_file: Path, src: str) -> tuple[str, dict[str, str]]:
        """(name, {mime: data}) of the image ``src`` of the page ``html_file``."""
        path = (html_file.parent / src).resolve()
        if path.name in self._cache:
            return self._cache[path.name]
        if path.suffix == ".svg" and path.name in self._figures():
            png = self._png(path)
            entry = (f"{path.stem}.png", {"image/png": base64.b64encode(png).decode("ascii")})
        else:
            mime = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}.get(
                path.suffix, "application/octet-stream"
            )
            data = path.read_bytes()
            payload = data.decode("utf-8") if mime == "image/svg+xml" else data
            encoded = (
                payload if isinstance(payload, str) else base64.b64encode(payload).decode("ascii")
            )
            entry = (path.name, {mime: encoded})
        self._cache[path.name] = entry
        return entry


# --------------------------------------------------------------------------------------
# Assembling the notebook
# --------------------------------------------------------------------------------------


def _split_markdown(text: str) -> list[str]:
    """Markdown cells: split at headings and exercise breaks, outside fenced code."""
    cells: list[list[str]] = [[]]
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        match = re.match(r"^(`{3,}|~{3,})", stripped)
        if match and (fence is None or stripped.startswith(fence)):
            fence = None if fence else match.group(1)
        if fence is None and (stripped == "GDBOOKBREAK" or re.match(r"^#{1,3} ", line)):
            cells.append([])
            if stripped == "GDBOOKBREAK":
                continue
        cells[-1].append(line)
    joined = ["\n".join(lines).strip() for lines in cells]
    return [re.sub(r"\n{3,}", "\n\n", cell) for cell in joined if cell]


def data_files(cells: Iterable[Any], source: Path, root: Path = ROOT) -> list[str]:
    """Repository files the code cells name by a relative path (``"../tests/x.npz"``)."""
    found = []
    for cell in cells:
        for literal in re.findall(r"""["']([\w./-]+\.\w+)["']""", cell.source):
            path = (source.parent / literal).resolve()
            if path.is_file() and root in path.parents and not literal.startswith("/"):
                found.append(path.relative_to(root).as_posix())
    return sorted(set(found))


def setup_cell(book: Book, files: list[str], edition: str = "instructor") -> Any:
    """The first code cell: install gdbook where it is missing, fetch the files read.

    The student edition names no repository (it holds the solutions): the package comes
    from the wheel of ``gdbook`` alone (no ``gdbook_solutions``) that the zip carries
    beside the notebooks, and the files read are in the zip too.
    """
    if edition == "student":
        lines = [
            "# Setup: makes the book's package importable where it is not installed, from the",
            f"# wheel beside the notebooks in the book's zip ({WHEEL_GLOB})",
            "import importlib.util",
            "import pathlib",
            "",
            'if importlib.util.find_spec("gdbook") is None:',
            f'    wheels = sorted(pathlib.Path("..").glob("{WHEEL_GLOB}"))',
            f'    wheels += sorted(pathlib.Path(".").glob("{WHEEL_GLOB}"))',
            "    if not wheels:",
            "        raise RuntimeError(",
            '            "gdbook is not installed: open this notebook from the book\'s zip "',
            '            "(the .zip download button), which carries the package beside it"',
            "        )",
            "    %pip install --quiet {wheels[-1]}",
        ]
        cell = nbformat.v4.new_code_cell("\n".join(lines))
        cell.metadata["tags"] = ["learner-setup"]
        return cell
    lines = [
        "# Setup: makes the book's package importable where it is not installed (e.g. Colab)",
        "import importlib.util",
        "",
        'if importlib.util.find_spec("gdbook") is None:',
        f'    %pip install --quiet "gdbook @ git+{book.repository}@{book.branch}"',
    ]
    if files:
        lines[0] += " and fetches the repository files this notebook reads"
        lines += [
            "",
            "import pathlib",
            "import urllib.request",
            "",
            f"for name in {files!r}:",
            '    target = pathlib.Path("..") / name',
            "    if not target.exists():",
            "        target.parent.mkdir(parents=True, exist_ok=True)",
            f'        url = "{book.raw_url("")}" + name',
            "        urllib.request.urlretrieve(url, target)",
        ]
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["learner-setup"]
    return cell


def _code_cell(source_cell: Any) -> Any:
    cell = nbformat.v4.new_code_cell(source_cell.source)
    tags = list(source_cell.metadata.get("tags", []))
    if tags:
        cell.metadata["tags"] = tags
    if {"remove-cell", "remove-input", "hide-input", "hide-cell"} & set(tags):
        cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def _markdown_cell(text: str, attachments: dict[str, dict[str, str]]) -> Any:
    cell = nbformat.v4.new_markdown_cell(text)
    used = {name: data for name, data in attachments.items() if f"attachment:{name}" in text}
    if used:
        cell.attachments = used
    return cell


def _solution_aliases(cell: Any) -> set[str]:
    """Names a cell binds to the solutions package or its contents (by import)."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:  # IPython magics: no import of the solutions to find
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(SOLUTIONS_PACKAGE):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {
                a.asname or a.name.split(".")[0]
                for a in node.names
                if a.name.startswith(SOLUTIONS_PACKAGE)
            }
    return names


def _names(cell: Any) -> set[str]:
    """The names a cell reads or writes (every word, if it is not plain Python)."""
    try:
        return {n.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return set(re.findall(r"\w+", cell.source))


def without_solution_cells(doc: str, code_cells: list[Any], shown: list[Any]) -> list[Any]:
    """The code cells without the hidden ones that use the solutions (student edition).

    Such a cell computes what only the solutions print; in the student notebook it would
    show how they are called and need ``gdbook_solutions`` installed. A cell the page
    shows must not use them (the student page would show it).
    """
    aliases: set[str] = set()
    kept = []
    for cell in code_cells:
        aliases |= _solution_aliases(cell)
        used = SOLUTIONS_PACKAGE in cell.source or bool(aliases & _names(cell))
        if not used:
            kept.append(cell)
        elif any(cell is c for c in shown):
            raise ValueError(f"{doc}: a code cell the page shows uses {SOLUTIONS_PACKAGE}")
    return kept


def notebook_names(docs: list[str]) -> dict[str, str]:
    """Notebook name of each doc (the file name of the doc; names must not repeat)."""
    names = {doc: Path(doc).name for doc in docs}
    repeated = {n for n in names.values() if list(names.values()).count(n) > 1}
    if repeated:
        raise ValueError(f"two pages share a notebook name: {sorted(repeated)}")
    return names


def convert(
    doc: str,
    html_dir: Path,
    edition: str,
    book: Book,
    figures: FigureCache,
    names: dict[str, str],
    root: Path = ROOT,
) -> tuple[Any, list[str]]:
    """The learner notebook of ``doc`` and the repository files it reads."""
    source = doc_source(doc, root)
    notebook = jupytext.read(source)
    html_file = html_dir / f"{doc}.html"
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article") or soup.body
    if article is None:
        raise ValueError(f"{html_file}: no article")
    page = Page(book, edition, html_file, figures)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    shown = [c for c in code_cells if "remove-cell" not in c.metadata.get("tags", [])]
    if edition == "student":
        code_cells = without_solution_cells(doc, code_cells, shown)
    html_cells = article.select("div.cell")
    if len(html_cells) != len(shown):
        raise ValueError(
            f"{doc}: the page shows {len(html_cells)} code cells, the source has {len(shown)} "
            "that are not removed: rebuild the book"
        )
    for index, div in enumerate(html_cells):
        div.replace_with(_block(page, f"\n\nGDBOOKCELL{index}\n\n"))
    _clean(article)
    _convert_links(page, article, names)
    _convert_math(page, article)
    _convert_code(page, article)
    _convert_figures(page, article)
    _convert_exercises(page, article)
    _convert_admonitions(page, article)
    markdown = page.restore(page.to_markdown(article))

    cells: list[Any] = []
    files = data_files(code_cells, source, root)
    intro = (
        f"*{book.title}* ({edition} edition): this notebook is generated from the book's "
        "page; run the cells from the top (Run All)."
    )
    cells.append(nbformat.v4.new_markdown_cell(intro))
    cells.append(setup_cell(book, files, edition))
    pieces = re.split(r"GDBOOKCELL(\d+)", markdown)
    position = 0  # index into code_cells
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            cells.extend(_markdown_cell(t, page.attachments) for t in _split_markdown(piece))
            continue
        target = shown[int(piece)]
        while code_cells[position] is not target:  # the hidden cells before it
            cells.append(_code_cell(code_cells[position]))
            position += 1
        cells.append(_code_cell(target))
        position += 1
    cells.extend(_code_cell(c) for c in code_cells[position:])
    result = nbformat.v4.new_notebook()
    result.cells = cells
    result.metadata["kernelspec"] = copy.deepcopy(
        notebook.metadata.get(
            "kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"}
        )
    )
    result.metadata["language_info"] = {"name": "python"}
    result.metadata["gdbook"] = {"doc": doc, "edition": edition}
    for j, cell in enumerate(result.cells):  # stable ids: the same input gives the same file
        digest = hashlib.sha1(f"{doc}:{j}:{cell.source}".encode()).hexdigest()[:12]
        cell["id"] = f"c{j:03d}-{digest}"
    return result, files


def leftover_myst(notebook: Any) -> list[str]:
    """MyST roles or directives left in the Markdown cells (``{glue:text}``, ``{figure}``)."""
    found = []
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        # code shown may quote MyST (a fence that opens a directive is not code shown)
        text = re.sub(r"^(`{3,})(?!\{)[^\n]*\n.*?^\1[ \t]*$", "", cell.source, flags=re.S | re.M)
        # code spans may quote MyST too; a role's argument ({glue:text}`name`) is not one
        text = _ROLE_OR_CODE.sub(lambda m: m.group(0) if m.group(0)[0] == "{" else "", text)
        for match in LEFTOVER_MYST.finditer(text):
            found.append(f"cell {i}: {match.group(0).strip()!r}")
    return found


def gdbook_wheel(out_dir: Path, root: Path = ROOT) -> Path:
    """A wheel of the package ``gdbook`` alone (no ``gdbook_solutions``) in ``out_dir``."""
    with tempfile.TemporaryDirectory(prefix="gdbook-wheel-") as tmp:
        source = Path(tmp) / "source"
        shutil.copytree(
            root / "code" / "gdbook",
            source / "code" / "gdbook",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        config = (root / "pyproject.toml").read_text(encoding="utf-8")
        only = re.sub(r"(?m)^include = \[.*\]$", 'include = ["gdbook", "gdbook.*"]', config)
        if only == config:
            raise ValueError("pyproject.toml: no packages include line to narrow to gdbook")
        (source / "pyproject.toml").write_text(only, encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check"]
        command += ["--no-deps", "--no-build-isolation", "-w", str(out_dir), str(source)]
        subprocess.run(command, check=True, cwd=tmp, capture_output=True)
    (wheel,) = out_dir.glob(WHEEL_GLOB)
    with zipfile.ZipFile(wheel) as zf:
        leaked = [n for n in zf.namelist() if n.startswith(SOLUTIONS_PACKAGE)]
    if leaked:
        raise ValueError(f"{wheel.name} carries the solutions: {leaked[:3]}")
    return wheel


def write_edition(
    html_dir: Path, out_dir: Path, edition: str, root: Path = ROOT, docs: list[str] | None = None
) -> list[Path]:
    """Write every page's notebook, the data files, the zip and the copies in the HTML."""
    book = Book.read(root)
    docs = (
        docs
        if docs is not None
        else [d for d in toc_docs(root) if (html_dir / f"{d}.html").exists()]
    )
    names = notebook_names(docs)
    folder = out_dir / edition
    if folder.exists():
        shutil.rmtree(folder)
    (folder / NOTEBOOKS).mkdir(parents=True)
    figures = FigureCache()
    written, files = [], set()
    for doc in docs:
        notebook, used = convert(doc, html_dir, edition, book, figures, names, root)
        problems = leftover_myst(notebook)
        if problems:
            raise ValueError(f"{doc}: MyST left in the Markdown: {problems[:5]}")
        path = folder / NOTEBOOKS / f"{names[doc]}.ipynb"
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
        files |= set(used)
    for name in sorted(files):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, folder / name)
    if edition == "student":  # its notebooks install the package from the zip
        gdbook_wheel(folder, root)
    archive = out_dir / f"gdbook-{edition}-notebooks.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"gdbook-notebooks/{path.relative_to(folder).as_posix()}")
            info.date_time = (2026, 1, 1, 0, 0, 0)  # reproducible
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    in_html = html_dir / HTML_NOTEBOOKS
    if in_html.exists():
        shutil.rmtree(in_html)
    in_html.mkdir(parents=True)
    for path in written:
        shutil.copy2(path, in_html / path.name)
    shutil.copy2(archive, in_html / archive.name)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "notebooks")
    parser.add_argument("--edition", choices=EDITIONS, default="instructor")
    args = parser.parse_args(argv)
    if not args.html.is_dir():
        print(
            f"learner_notebooks: {args.html} does not exist: build the book first", file=sys.stderr
        )
        return 1
    written = write_edition(args.html.resolve(), args.out.resolve(), args.edition)
    size = sum(p.stat().st_size for p in written)
    archive = args.out / f"gdbook-{args.edition}-notebooks.zip"
    print(
        f"learner_notebooks: {len(written)} {args.edition} notebooks ({size / 1e6:.1f} MB) in "
        f"{args.out / args.edition / NOTEBOOKS}; zip {archive} "
        f"({archive.stat().st_size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
