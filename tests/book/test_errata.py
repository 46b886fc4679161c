"""Errata as data: every record of :mod:`gdbook.errata` is complete, sourced and shown.

* Every field is filled, every key is a unique slug, every chapter is one of the book's.
* Every source is a key of ``references.bib``, one of the five source documents or a named
  other source; every citation in the text is in the bibliography.
* Every piece of evidence exists: a test function in the named test file, a derivation
  function that a test uses, or a bibliography entry whose year the correction states.
* A record whose chapter has a page refers only to what that page has: its equation and
  figure labels, the names it glues. The page renders its box from the records (one
  ``common_mistakes("<chapter>")`` cell) and writes no box by hand.
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import jupytext
import pytest
from gdbook import errata
from gdbook.errata import ERRATA, Erratum, render_box, render_item

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "references.bib"
TESTS = ROOT / "tests"
CHAPTERS = ROOT / "chapters"

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
_REF = re.compile(r"\{(eq|numref)\}`([^`<]+?)(?:<[^`]*>)?`")
_GLUE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)(?::[^`]*)?`")
_BOX_CALL = re.compile(r"""\bcommon_mistakes\(\s*["'](\w+)["']\s*\)""")


def _ids(records: tuple[Erratum, ...]) -> list[str]:
    return [r.key for r in records]


@cache
def _bib() -> dict[str, str]:
    """Key -> the text of its entry."""
    text = BIB.read_text(encoding="utf-8")
    starts = list(re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text))
    ends = [m.start() for m in starts[1:]] + [len(text)]
    return {m.group(2): text[m.start() : end] for m, end in zip(starts, ends, strict=True)}


@cache
def _test_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(TESTS.rglob("test_*.py")))


@cache
def _functions(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))


def _page(chapter: str) -> Path | None:
    path = CHAPTERS / f"{chapter}.md"
    return path if path.is_file() else None


@cache
def _cells(chapter: str) -> tuple[str, ...]:
    """The sources of the chapter's code cells."""
    path = _page(chapter)
    assert path is not None
    notebook = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md:myst")
    return tuple(c.source for c in notebook.cells if c.cell_type == "code")


def _code(chapter: str) -> str:
    return "\n".join(_cells(chapter))


def _text(record: Erratum) -> str:
    return " ".join((record.claim, record.correct, record.cited_as))


# --------------------------------------------------------------------------------------
# The records
# --------------------------------------------------------------------------------------


def test_keys_are_unique_slugs() -> None:
    keys = [r.key for r in ERRATA]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
    assert all(_SLUG.match(k) for k in keys), [k for k in keys if not _SLUG.match(k)]


@pytest.mark.parametrize("record", ERRATA, ids=_ids(ERRATA))
def test_every_field_is_filled(record: Erratum) -> None:
    for name in ("key", "source", "where", "claim", "correct", "chapter"):
        assert str(getattr(record, name)).strip(), f"{record.key}: {name} is empty"
    assert record.evidence and all(e.strip() for e in record.evidence), record.key
    assert record.chapter in errata.CHAPTERS, f"{record.key}: unknown chapter {record.chapter!r}"


@pytest.mark.parametrize("record", ERRATA, ids=_ids(ERRATA))
def test_every_source_is_known(record: Erratum) -> None:
    known = set(_bib()) | set(errata.SEEDS) | set(errata.OTHER_SOURCES)
    assert record.source in known, f"{record.key}: unknown source {record.source!r}"
    copies = set(record.repeated_by) - set(_bib()) - set(errata.SEEDS)
    assert not copies, f"{record.key}: repeated_by names unknown sources {sorted(copies)}"
    if record.source in errata.SEEDS and record.source != "seed-000":
        assert record.original, f"{record.key}: give the seed's own words in `original`"


@pytest.mark.parametrize("record", ERRATA, ids=_ids(ERRATA))
def test_every_citation_is_in_the_bibliography(record: Erratum) -> None:
    keys = {k.strip() for group in _CITE.findall(_text(record)) for k in group.split(",")}
    assert keys <= set(_bib()), f"{record.key} cites {sorted(keys - set(_bib()))}"


# --------------------------------------------------------------------------------------
# The evidence
# --------------------------------------------------------------------------------------


def evidence_problems(record: Erratum) -> list[str]:
    """What is wrong with a record's evidence (empty if every item exists)."""
    problems = []
    for item in record.evidence:
        if item.startswith("tests/"):
            file, _, name = item.partition("::")
            path = ROOT / file
            if not path.is_file() or name not in _functions(path):
                problems.append(f"{item}: no such test")
        elif item.startswith("references.bib::"):
            key = item.split("::", 1)[1]
            year = re.search(r"year\s*=\s*\{(\d{4})\}", _bib().get(key, ""))
            if year is None:
                problems.append(f"{item}: no such entry (with a year)")
            elif year.group(1) not in _CITE.sub("", record.correct):  # not the key's year
                problems.append(f"{item}: the correction does not state its year {year.group(1)}")
        elif item.startswith("gdbook.derivations."):
            module, _, name = item.rpartition(".")
            if not callable(getattr(importlib.import_module(module), name, None)):
                problems.append(f"{item}: no such derivation")
            elif not re.search(rf"\b{re.escape(name)}\b", _test_text()):
                problems.append(f"{item}: no test uses it")
        else:
            problems.append(f"{item}: not a test, a derivation or a bibliography entry")
    return problems


@pytest.mark.parametrize("record", ERRATA, ids=_ids(ERRATA))
def test_every_piece_of_evidence_exists(record: Erratum) -> None:
    problems = evidence_problems(record)
    assert not problems, f"{record.key}: " + "; ".join(problems)


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ("tests/chapters/test_momentum.py::test_no_such_test", "no such test"),
        ("tests/chapters/test_nowhere.py::test_beta_one_never_settles", "no such test"),
        ("gdbook.derivations.momentum.no_such_claim", "no such derivation"),
        ("references.bib::nosuch1999", "no such entry"),
        ("references.bib::polyak1964", "does not state its year 1964"),
        ("references.bib::nesterov1983", "does not state its year 1983"),  # only in the key
        ("chapters/momentum.md", "not a test"),
    ],
)
def test_the_evidence_check_finds_a_missing_piece(evidence: str, expected: str) -> None:
    record = Erratum("k", "goh2017", "w", "c", "{cite:p}`nesterov1983`", (evidence,), "momentum")
    assert any(expected in p for p in evidence_problems(record)), evidence_problems(record)


# --------------------------------------------------------------------------------------
# The boxes
# --------------------------------------------------------------------------------------

PAGED = tuple(r for r in ERRATA if _page(r.chapter))


def _labels(chapter: str) -> set[str]:
    path = _page(chapter)
    assert path is not None
    text = path.read_text(encoding="utf-8")
    return (
        set(re.findall(r"^:(?:label|name):\s*(\S+)", text, re.M))
        | set(re.findall(r"^\((\S+)\)=\s*$", text, re.M))
        | set(re.findall(r"^\$\$\s*\((\S+)\)\s*$", text, re.M))  # $$ ... $$ (label)
    )


@pytest.mark.parametrize("record", PAGED, ids=_ids(PAGED))
def test_references_point_into_the_records_chapter(record: Erratum) -> None:
    missing = {label for _, label in _REF.findall(_text(record))} - _labels(record.chapter)
    assert not missing, f"{record.key}: chapters/{record.chapter}.md has no {sorted(missing)}"


@cache
def _glueable(chapter: str) -> tuple[re.Pattern[str], ...]:
    """Names the chapter's code can glue: string constants, keywords, f-string patterns."""
    found = []
    for cell in _cells(chapter):
        lines = [ln for ln in cell.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(re.escape(node.value))
            elif isinstance(node, ast.keyword) and node.arg:
                found.append(re.escape(node.arg))
            elif isinstance(node, ast.JoinedStr) and any(
                isinstance(v, ast.Constant) for v in node.values
            ):  # f"half_{b}"; an f-string with no literal part would match any name
                found.append(
                    "".join(
                        re.escape(str(v.value)) if isinstance(v, ast.Constant) else ".+"
                        for v in node.values
                    )
                )
    return tuple(re.compile(pattern + r"\Z") for pattern in found)


@pytest.mark.parametrize("record", PAGED, ids=_ids(PAGED))
def test_glued_numbers_are_glued_by_the_records_chapter(record: Erratum) -> None:
    patterns = _glueable(record.chapter)
    names = _GLUE.findall(_text(record))
    missing = [name for name in names if not any(p.match(name) for p in patterns)]
    assert not missing, f"{record.key}: chapters/{record.chapter}.md never glues {missing}"


@pytest.mark.parametrize("chapter", sorted({r.chapter for r in PAGED}))
def test_a_chapter_with_records_renders_its_box_from_them(chapter: str) -> None:
    assert _BOX_CALL.findall(_code(chapter)) == [chapter], (
        f'chapters/{chapter}.md must show its box with one common_mistakes("{chapter}") cell'
    )
    text = (CHAPTERS / f"{chapter}.md").read_text(encoding="utf-8")
    assert "{admonition} Common mistakes" not in text, f"{chapter}: a box written by hand"


@pytest.mark.parametrize("path", sorted(CHAPTERS.glob("*.md")), ids=lambda p: p.stem)
def test_a_box_call_names_its_own_chapter_and_has_records(path: Path) -> None:
    for name in _BOX_CALL.findall(_code(path.stem)):
        assert name == path.stem, f"{path.name} shows the box of {name!r}"
        assert errata.errata_for(name), f"{path.name}: no records for {name!r}"


@pytest.mark.parametrize("chapter", sorted({r.chapter for r in ERRATA}))
def test_render_box_shows_every_record_in_order(chapter: str) -> None:
    box = render_box(chapter)
    assert box.startswith("````{admonition} Common mistakes\n:class: warning\n")
    assert box.rstrip().endswith("````")
    positions = [box.index(render_item(r)) for r in errata.errata_for(chapter)]
    assert positions == sorted(positions)
    for record in errata.errata_for(chapter):
        item = render_item(record)
        assert item.count("$") % 2 == 0 and item.count("`") % 2 == 0, record.key
        assert all(f"`{name}`" in item for name in errata.named_tests(record)), record.key


def test_render_box_rejects_an_unknown_chapter_or_one_without_records() -> None:
    with pytest.raises(ValueError, match="chapter must be one of"):
        render_box("no_such_chapter")
    with pytest.raises(ValueError, match="no errata"):
        render_box("showdown")


def test_an_item_reads_claim_source_correction_tests() -> None:
    record = Erratum(
        "k", "goh2017", "w", "the claim", "The fix.", ("tests/a.py::test_x",), "momentum"
    )
    assert render_item(record) == (
        '- **"the claim"** ({cite:t}`goh2017`). The fix. Checked by `test_x`.'
    )
    common = Erratum("k", "common", "w", "A belief", "No.", ("references.bib::x",), "momentum")
    assert render_item(common) == '- **"A belief."** No.'


# --------------------------------------------------------------------------------------
# The appendix
# --------------------------------------------------------------------------------------


def test_the_appendix_shows_every_record_once_under_its_source() -> None:
    text = errata.render_appendix()
    for record in ERRATA:
        entry = errata.render_appendix_entry(record)
        assert text.count(entry) == 1, record.key
        heading = errata._source_name(record.source)
        heading = heading[0].upper() + heading[1:] if record.source in errata.SEEDS else heading
        block = text.split(f"**{heading}**\n", 1)
        assert len(block) == 2 and entry in block[1].split("\n**", 1)[0], record.key
    # every record counted once in the summary table
    rows = [row for row in text.splitlines() if row.startswith("| ")][1:]  # after the header
    counts = [int(row.split(" | ")[1]) for row in rows]
    assert sum(counts) == len(ERRATA)


def test_the_appendix_takes_each_glued_number_from_the_chapter_that_computes_it() -> None:
    record = Erratum(
        "k", "common", "w", "c", "at {glue:text}`rate:.2f` and {glue:text}`x`", (), "adam"
    )
    assert errata.from_chapter(record.correct, "adam") == (
        "at {glue:text}`adam.md::rate:.2f` and {glue:text}`adam.md::x:s`"
    )
    assert (
        errata.from_chapter("{glue:text}`momentum.md::x`", "adam") == "{glue:text}`momentum.md::x`"
    )
    unqualified = re.compile(r"\{glue(?::\w+)?\}`(?![^`]*::)")
    assert not unqualified.search(errata.render_appendix())


def test_sources_come_seeds_first_then_published_by_year() -> None:
    order = errata.sources()
    groups = [0 if s in errata.SEEDS else 2 if s in errata.OTHER_SOURCES else 1 for s in order]
    assert groups == sorted(groups)
    years = [
        int(re.search(r"\d{4}", s).group(0))
        for s in order
        if s not in errata.SEEDS  # type: ignore[union-attr]
        and s not in errata.OTHER_SOURCES
    ]
    assert years == sorted(years)


def test_the_appendix_page_is_rendered_from_the_records() -> None:
    text = (CHAPTERS / "errata.md").read_text(encoding="utf-8")
    assert "errata_appendix()" in text
    assert not any(record.claim in text for record in ERRATA)  # nothing copied by hand
