"""Structure of the book, checked without building it.

Data-driven: the chapters come from ``_toc.yml``, the figures and widgets from the
registries, the citation keys from ``references.bib`` and the solutions from
``code/gdbook_solutions/``; a new chapter is covered as soon as it is listed in the toc.

*Main chapters* are those in a ``numbered: true`` part of the toc. They must meet the
chapter standard (exercises with solutions, figures, a widget, a "Common mistakes" box,
a bibliography). The root page (intro) and the unnumbered appendices (conventions,
errata) are held only to the rules that apply to every page.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jupytext
import pytest
import yaml
from gdbook import figures, widgets

ROOT = Path(__file__).resolve().parents[2]
TOC = ROOT / "_toc.yml"
BIB = ROOT / "references.bib"
SOLUTIONS = ROOT / "code" / "gdbook_solutions"
TESTS = ROOT / "tests"

FIGURE_REGISTRY = figures.load_all()
WIDGET_REGISTRY = widgets.load_all()

# --------------------------------------------------------------------------------------
# The toc
# --------------------------------------------------------------------------------------


def _toc_entries(node: Any) -> Iterator[str]:
    """Every ``file:`` below ``node`` (chapters and their sections)."""
    if isinstance(node, dict):
        if "file" in node:
            yield str(node["file"])
        for key in ("chapters", "sections", "parts"):
            for child in node.get(key, []) or []:
                yield from _toc_entries(child)
    elif isinstance(node, list):
        for child in node:
            yield from _toc_entries(child)


@cache
def _toc() -> dict[str, Any]:
    data = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _all_docs() -> list[str]:
    toc = _toc()
    return [
        str(toc["root"]),
        *_toc_entries(toc.get("parts", [])),
        *_toc_entries(toc.get("chapters", [])),
    ]


def _main_docs() -> list[str]:
    """Files in numbered parts: the chapters held to the full chapter standard."""
    return [
        doc
        for part in _toc().get("parts", [])
        if part.get("numbered")
        for doc in _toc_entries(part)
    ]


def _doc_path(doc: str) -> Path:
    path = ROOT / doc
    return path if path.suffix else path.with_suffix(".md")


ALL_DOCS = _all_docs()
MAIN_DOCS = _main_docs()


# --------------------------------------------------------------------------------------
# A small MyST scanner: directives (backtick or colon fences) with their options
# --------------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(`{3,}|:{3,})\{([^}\s]+)\}[ \t]*(.*?)\s*$")
_OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*?)\s*$")


@dataclass
class Directive:
    """One MyST directive: ``name``, its argument, its options and the line it starts on."""

    name: str
    argument: str
    options: dict[str, str]
    line: int
    body: list[str] = field(default_factory=list)


def _directives(text: str) -> list[Directive]:
    """All directives in document order, nested ones included."""
    lines = text.splitlines()
    found: list[Directive] = []
    open_fences: list[tuple[str, Directive]] = []  # (closing fence, directive)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if open_fences and stripped == open_fences[-1][0]:
            open_fences.pop()
            continue
        match = _FENCE.match(line)
        if match:
            fence, name, argument = match.groups()
            directive = Directive(name, argument, {}, i + 1)
            j = i + 1
            if j < len(lines) and lines[j].strip() == "---":  # YAML option block
                end = next((k for k in range(j + 1, len(lines)) if lines[k].strip() == "---"), j)
                block = yaml.safe_load("\n".join(lines[j + 1 : end])) or {}
                directive.options = {str(k): str(v) for k, v in block.items()}
            else:
                while j < len(lines) and (m := _OPTION.match(lines[j])):
                    directive.options[m.group(1)] = m.group(2)
                    j += 1
            for _, parent in open_fences:
                parent.body.append(line)
            found.append(directive)
            open_fences.append((fence, directive))
            continue
        for _, parent in open_fences:
            parent.body.append(line)
    return found


@dataclass
class Chapter:
    """A parsed chapter: its text, directives and code cells."""

    doc: str
    path: Path
    text: str
    directives: list[Directive]
    cells: list[Any]

    def named(self, *names: str) -> list[Directive]:
        return [d for d in self.directives if d.name in names]

    @property
    def code(self) -> list[Any]:
        return [c for c in self.cells if c.cell_type == "code"]


@cache
def _chapter(doc: str) -> Chapter:
    path = _doc_path(doc)
    assert path.exists(), f"_toc.yml lists {doc}, but {path.relative_to(ROOT)} does not exist"
    text = path.read_text(encoding="utf-8")
    notebook = jupytext.reads(text, fmt="md:myst")
    return Chapter(doc, path, text, _directives(text), list(notebook.cells))


def _params(docs: list[str]) -> list[Any]:
    return docs or [pytest.param(None, id="no-chapters-in-toc")]


def _load(doc: str | None) -> Chapter:
    assert doc is not None, "_toc.yml lists no chapters in a numbered part"
    return _chapter(doc)


# --------------------------------------------------------------------------------------
# Every page
# --------------------------------------------------------------------------------------


def test_toc_lists_only_existing_files() -> None:
    missing = [doc for doc in ALL_DOCS if not _doc_path(doc).exists()]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"
    assert len(set(ALL_DOCS)) == len(ALL_DOCS), "a file is listed twice in _toc.yml"


def test_no_chapter_file_is_left_out_of_the_toc() -> None:
    listed = {_doc_path(doc).resolve() for doc in ALL_DOCS}
    orphans = sorted(p.name for p in (ROOT / "chapters").glob("*.md") if p.resolve() not in listed)
    assert not orphans, f"chapters/ has pages not listed in _toc.yml (never built): {orphans}"


def test_code_is_not_a_package() -> None:
    """code/__init__.py would shadow the stdlib module ``code`` (and break pdb)."""
    assert not (ROOT / "code" / "__init__.py").exists()


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_jupytext_header(doc: str | None) -> None:
    chapter = _load(doc)
    assert chapter.text.startswith("---\n"), f"{doc}: the file must start with the jupytext header"
    header = yaml.safe_load(chapter.text.split("---\n", 2)[1])
    representation = header.get("jupytext", {}).get("text_representation", {})
    assert representation.get("format_name") == "myst", f"{doc}: jupytext format_name must be myst"
    assert header.get("kernelspec", {}).get("name"), f"{doc}: the header needs a kernelspec"


_FORBIDDEN = [
    re.compile(r"\bTODO\b"),
    re.compile(r"\bFIXME\b"),
    re.compile(r"\bTBD\b"),
    re.compile(r"\bplaceholders?\b", re.IGNORECASE),
    re.compile(r"\blorem\b", re.IGNORECASE),
    re.compile(r"\bcoming soon\b", re.IGNORECASE),
]


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_no_unfinished_text(doc: str | None) -> None:
    chapter = _load(doc)
    hits = [
        f"line {n}: {line.strip()}"
        for n, line in enumerate(chapter.text.splitlines(), 1)
        if any(p.search(line) for p in _FORBIDDEN)
    ]
    assert not hits, f"{doc} has unfinished text:\n" + "\n".join(hits)


@cache
def _bib_keys() -> frozenset[str]:
    text = BIB.read_text(encoding="utf-8")
    entries = re.findall(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text)
    return frozenset(
        key for kind, key in entries if kind.lower() not in {"comment", "string", "preamble"}
    )


_CITE = re.compile(r"\{cite(?::[\w]+)?\}`([^`]+)`")


def _cite_keys(text: str) -> list[str]:
    keys = []
    for content in _CITE.findall(text):
        content = re.sub(r"\{[^}]*\}", "", content)  # pre/post notes: {see}key{p. 3}
        keys.extend(k.strip() for k in content.split(",") if k.strip())
    return keys


def test_bibliography_has_no_duplicate_keys() -> None:
    text = BIB.read_text(encoding="utf-8")
    keys = re.findall(r"@(?!comment|string|preamble)\w+\s*\{\s*([^,\s]+)\s*,", text, re.IGNORECASE)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"references.bib defines keys twice: {duplicates}"


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_every_citation_key_exists(doc: str | None) -> None:
    chapter = _load(doc)
    unknown = sorted(set(_cite_keys(chapter.text)) - _bib_keys())
    assert not unknown, f"{doc} cites keys missing from references.bib: {unknown}"


def _python_objects(path: Path) -> set[str]:
    """Top-level functions and classes of a module, and ``Class.method`` names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            )
    return names


def _include_target(chapter: Chapter, directive: Directive) -> Path:
    argument = directive.argument
    if argument.startswith("/"):  # relative to the book root
        return (ROOT / argument.lstrip("/")).resolve()
    return (chapter.path.parent / argument).resolve()


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_literalinclude_targets_exist(doc: str | None) -> None:
    chapter = _load(doc)
    problems = []
    for directive in chapter.named("literalinclude"):
        target = _include_target(chapter, directive)
        if not target.is_file():
            problems.append(f"line {directive.line}: {directive.argument} does not exist")
            continue
        obj = directive.options.get("pyobject")
        if obj and obj not in _python_objects(target):
            problems.append(f"line {directive.line}: {target.name} has no top-level {obj}")
    assert not problems, f"{doc}:\n" + "\n".join(problems)


_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")
_GLUE_DIRECTIVES = ("glue", "glue:any", "glue:figure", "glue:math", "glue:md", "glue:text")


def _cell_tree(source: str) -> ast.Module | None:
    """The cell's Python syntax tree (IPython magics and shell lines dropped), or None."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _glued_patterns(chapter: Chapter) -> list[re.Pattern[str]]:
    """Names the chapter's code can glue: its string constants and f-string patterns.

    Glue calls come in many shapes (``glue("x", ...)``, a helper ``glue_eq("x", ...)``,
    a loop over names, ``glue(f"rate_{i}", ...)``), so every string the code contains
    counts; an f-string's fields match anything. A name that appears nowhere in the
    code (a typo, a deleted cell) is still caught.
    """
    patterns = []
    for cell in chapter.code:
        tree = _cell_tree(cell.source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                patterns.append(re.compile(re.escape(node.value) + r"\Z"))
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "glue_values":
                # glue_values(name=value, ...): the keywords are the names
                patterns += [re.compile(re.escape(k.arg) + r"\Z") for k in node.keywords if k.arg]
            elif isinstance(node, ast.Dict):  # glue_values(**{f"rate_{i}": ...})
                for key in node.keys:
                    if isinstance(key, ast.JoinedStr) and any(
                        isinstance(v, ast.Constant) for v in key.values
                    ):
                        parts = [
                            re.escape(str(v.value)) if isinstance(v, ast.Constant) else ".+"
                            for v in key.values
                        ]
                        patterns.append(re.compile("".join(parts) + r"\Z"))
            elif (
                isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.JoinedStr)
            ):
                # glue(f"rate_{i}", ...): only f-strings passed first to a call, and only
                # with a literal part, so that f"{x}" in a print does not match everything
                values = node.args[0].values
                if any(isinstance(v, ast.Constant) for v in values):
                    parts = [
                        re.escape(str(v.value)) if isinstance(v, ast.Constant) else ".+"
                        for v in values
                    ]
                    patterns.append(re.compile("".join(parts) + r"\Z"))
    return patterns


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_every_glue_reference_is_glued_in_the_same_chapter(doc: str | None) -> None:
    chapter = _load(doc)
    used = [content.split(":", 1)[0] for content in _GLUE_ROLE.findall(chapter.text)]
    used += [d.argument for d in chapter.named(*_GLUE_DIRECTIVES)]
    used = [name.strip() for name in used if "::" not in name]  # skip cross-document glue
    if used:
        assert re.search(r"\bglue(_\w+)?\b", "\n".join(c.source for c in chapter.code)), (
            f"{doc} displays glued names but its code never glues (gdbook.book)"
        )
    patterns = _glued_patterns(chapter)
    missing = sorted({name for name in used if not any(p.match(name) for p in patterns)})
    assert not missing, f"{doc} displays names it never glues (glue('name', ...)): {missing}"


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_figures_exist_and_are_labelled(doc: str | None) -> None:
    chapter = _load(doc)
    problems = []
    for directive in chapter.named("figure", "image"):
        target = _include_target(chapter, directive)
        if not target.is_file():
            problems.append(f"line {directive.line}: {directive.argument} does not exist")
        if directive.name == "figure" and not directive.options.get("name", "").startswith("fig-"):
            problems.append(f"line {directive.line}: give the figure a :name: fig-...")
    assert not problems, f"{doc}:\n" + "\n".join(problems)


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_first_code_cell_shows_the_imports(doc: str | None) -> None:
    """STYLE.md: the first cell holds the imports, visible to the reader."""
    chapter = _load(doc)
    if not chapter.code:
        return
    first = chapter.code[0]
    hidden = {"remove-cell", "remove-input", "hide-input", "hide-cell"} & set(
        first.metadata.get("tags", [])
    )
    assert not hidden, f"{doc}: the first code cell (the imports) is tagged {sorted(hidden)}"
    assert re.search(r"^\s*(import|from)\s", first.source, re.MULTILINE), (
        f"{doc}: the first code cell should hold the imports"
    )


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_exercises_are_not_gated(doc: str | None) -> None:
    """Gated exercises (exercise-start/solution-start) crash the student edition."""
    gated = _load(doc).named("exercise-start", "exercise-end", "solution-start", "solution-end")
    assert not gated, f"{doc}: use the non-gated {{exercise}} / {{solution}} directives"


# --------------------------------------------------------------------------------------
# Main chapters: the chapter standard
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", _params(MAIN_DOCS))
def test_at_least_five_exercises_each_followed_by_its_solution(doc: str | None) -> None:
    chapter = _load(doc)
    sequence = chapter.named("exercise", "solution")
    exercises = [d for d in sequence if d.name == "exercise"]
    assert len(exercises) >= 5, f"{doc} has {len(exercises)} exercises; at least 5 are required"
    labels = [d.options.get("label", "") for d in exercises]
    assert all(labels), f"{doc}: every exercise needs a :label:"
    assert len(set(labels)) == len(labels), f"{doc}: exercise labels repeat: {labels}"
    problems = []
    for i, directive in enumerate(sequence):
        if directive.name != "exercise":
            continue
        label = directive.options["label"]
        after = sequence[i + 1] if i + 1 < len(sequence) else None
        if after is None or after.name != "solution" or after.argument != label:
            problems.append(
                f"line {directive.line}: exercise {label} is not followed by {{solution}} {label}"
            )
        elif "dropdown" not in after.options.get("class", ""):
            problems.append(f"line {after.line}: solution {label} needs :class: dropdown")
    solutions = [d for d in sequence if d.name == "solution"]
    assert len(solutions) == len(exercises), (
        f"{doc}: {len(solutions)} solutions for {len(exercises)} exercises"
    )
    assert not problems, f"{doc}:\n" + "\n".join(problems)


@pytest.mark.parametrize("doc", _params(MAIN_DOCS))
def test_at_least_two_registered_figures(doc: str | None) -> None:
    chapter = _load(doc)
    shown = []
    for directive in chapter.named("figure"):
        target = _include_target(chapter, directive)
        if target.parent == figures.FIGURES_DIR.resolve() and target.name in FIGURE_REGISTRY:
            shown.append(target.name)
    assert len(set(shown)) >= 2, (
        f"{doc} shows {len(set(shown))} figures from gdbook.figures ({shown}); at least 2 are "
        "required: {figure} ../figures/<chapter>_<name>.svg with a registered <chapter>_<name>.svg"
    )


@pytest.mark.parametrize("doc", _params(MAIN_DOCS))
def test_a_widget_cell_tagged_remove_output(doc: str | None) -> None:
    chapter = _load(doc)
    factories = {fn.__name__ for fn in WIDGET_REGISTRY.values()}
    assert "gdbook.viz" in chapter.text, f"{doc} never imports from gdbook.viz"
    cells = [
        cell
        for cell in chapter.code
        if "remove-output" in cell.metadata.get("tags", [])
        and any(re.search(rf"\b{re.escape(f)}\s*\(", cell.source) for f in factories)
    ]
    assert cells, (
        f"{doc} has no code cell tagged remove-output that builds a registered explorer "
        f"(known factories: {sorted(factories)})"
    )


@pytest.mark.parametrize("doc", _params(MAIN_DOCS))
def test_common_mistakes_admonition(doc: str | None) -> None:
    """The box is rendered from gdbook.errata (tests/book/test_errata.py), not written out."""
    chapter = _load(doc)
    stem = _doc_path(chapter.doc).stem
    calls = [
        c
        for c in chapter.code
        if re.search(rf"""\bcommon_mistakes\(\s*["']{stem}["']\s*\)""", c.source)
        and "remove-input" in c.metadata.get("tags", [])
        and c.metadata.get("mystnb", {}).get("markdown_format") == "myst"
    ]
    assert len(calls) == 1, (
        f"{doc} needs one remove-input cell (mystnb: markdown_format: myst) that calls "
        f'common_mistakes("{stem}")'
    )
    written = [
        d for d in chapter.named("admonition") if d.argument.lower().startswith("common mistakes")
    ]
    assert not written, f"{doc} writes a Common-mistakes box by hand: add records to gdbook.errata"


@pytest.mark.parametrize("doc", _params(MAIN_DOCS))
def test_filtered_bibliography(doc: str | None) -> None:
    bibliographies = _load(doc).named("bibliography")
    assert len(bibliographies) == 1, f"{doc} needs exactly one {{bibliography}}"
    assert " ".join(bibliographies[0].options.get("filter", "").split()) == "docname in docnames", (
        f"{doc}: the bibliography needs ':filter: docname in docnames'"
    )


@pytest.mark.parametrize("doc", _params(MAIN_DOCS))
def test_chapter_has_its_test_module(doc: str | None) -> None:
    """One name in every place: chapters/x.md is tested by tests/chapters/test_x*.py."""
    stem = _doc_path(_load(doc).doc).stem
    found = sorted((TESTS / "chapters").glob(f"test_{stem}*.py"))
    assert found, f"{doc}: tests/chapters/test_{stem}.py is missing"


# --------------------------------------------------------------------------------------
# Solutions: shown in a chapter and tested
# --------------------------------------------------------------------------------------


def _public_solutions() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(SOLUTIONS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            (path, node.name)
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
        ]
    return found


def _shown_solutions() -> set[tuple[Path, str]]:
    shown = set()
    for doc in ALL_DOCS:
        if not _doc_path(doc).exists():
            continue
        chapter = _chapter(doc)
        for directive in chapter.named("literalinclude"):
            if "pyobject" in directive.options:
                shown.add((_include_target(chapter, directive), directive.options["pyobject"]))
    return shown


def test_every_solution_is_shown_and_tested() -> None:
    solutions = _public_solutions()
    shown = _shown_solutions()
    test_text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(TESTS.rglob("test_*.py"))
        if p.name != "test_book.py"
    )
    problems = []
    for path, name in solutions:
        if (path.resolve(), name) not in shown:
            problems.append(f"{path.name}:{name} is not shown by any {{literalinclude}} :pyobject:")
        if not re.search(rf"\b{re.escape(name)}\b", test_text):
            problems.append(f"{path.name}:{name} is not used by any test in tests/")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------
# Tests the text names
# --------------------------------------------------------------------------------------


def _test_functions() -> set[str]:
    names: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return names


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_tests_named_in_the_text_exist(doc: str | None) -> None:
    """A page that names a test as evidence (`test_...` in backticks) names a real one."""
    text = _load(doc).text
    named = set(re.findall(r"`(test_\w+)`", text))
    missing = sorted(named - _test_functions())
    assert not missing, f"{doc} names tests that do not exist: {missing}"


# --------------------------------------------------------------------------------------
# The chapter standard of the second storey: shown code, graded exercises, glue, no
# second copy of the tests
# --------------------------------------------------------------------------------------

_EXERCISE_MARK = re.compile(r"\((★{1,3}), (derivation|coding|experiment), (\d+) min\)$")


def _drawing_function(name: str) -> tuple[str, str]:
    """(module file relative to code/, function) of the registered figure ``name``."""
    fn = FIGURE_REGISTRY[name]
    return fn.__module__.replace(".", "/") + ".py", fn.__name__


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_every_figure_is_followed_by_the_code_that_draws_it(doc: str | None) -> None:
    """Each registered figure's drawing function is one click away: a dropdown under it."""
    chapter = _load(doc)
    directives = chapter.directives
    problems = []
    for i, directive in enumerate(directives):
        if directive.name != "figure" or not directive.argument.endswith(".svg"):
            continue
        name = Path(directive.argument).name
        if name not in FIGURE_REGISTRY:
            continue  # test_figures_exist_and_are_labelled reports it
        module, function = _drawing_function(name)
        following = [d for d in directives[i + 1 : i + 4] if d.line > directive.line]
        dropdowns = [
            d
            for d in following
            if d.name == "admonition" and "dropdown" in d.options.get("class", "")
        ]
        shown = {
            (d.argument.split("code/")[-1], d.options.get("pyobject"))
            for d in following
            if d.name == "literalinclude"
        }
        if not dropdowns or (module, function) not in shown:
            problems.append(
                f"{name} (line {directive.line}) needs a dropdown with {module}:{function}"
            )
    assert not problems, f"{doc}: " + "; ".join(problems)


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_exercise_titles_give_difficulty_type_and_time(doc: str | None) -> None:
    """'Title (★★, coding, 20 min)': what the instructors' table of exercises reads."""
    bad = [
        f"line {d.line}: {d.argument!r}"
        for d in _load(doc).named("exercise")
        if not _EXERCISE_MARK.search(d.argument)
    ]
    assert not bad, f"{doc}: exercise titles without '(★.., type, N min)': {bad}"


def _hidden_code(chapter: Chapter) -> list[str]:
    return [
        "".join(c.source)
        for c in chapter.code
        if {"remove-cell", "remove-input"} & set(c.metadata.get("tags", []))
    ]


@pytest.mark.parametrize("doc", _params(ALL_DOCS))
def test_chapters_glue_through_gdbook_book_and_leave_asserting_to_the_tests(
    doc: str | None,
) -> None:
    """No chapter-local glue helpers or direct myst_nb.glue calls; no assert in hidden cells."""
    chapter = _load(doc)
    code = "\n".join("".join(c.source) for c in chapter.code)
    assert "from myst_nb import glue" not in code, f"{doc}: glue with gdbook.book's helpers"
    assert not re.search(r"^def \w+", code, re.M), f"{doc}: functions belong in gdbook"
    hidden_asserts = [
        line
        for cell in _hidden_code(chapter)
        for line in cell.splitlines()
        if line.lstrip().startswith("assert ")
    ]
    assert not hidden_asserts, f"{doc}: hidden asserts (the tests own claims): {hidden_asserts}"
