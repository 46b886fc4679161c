"""The checks that nothing a reader sees depends on the BLAS kernel: glue and kernels."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import blas_kernels  # noqa: E402
import check_glue_kernels as glue  # noqa: E402

TEXT = """
The rate is {glue:text}`rate:.3f`, the count {glue:text}`count`, the gap
{glue:text}`gap:.0e`; the raw value {glue}`raw` and {glue:math}`eq` in a role.

```{glue:math} display
:label: eq-display
```

From another page: {glue:text}`other.md::speed:.2f`.
"""


def _refs() -> dict[str, list[glue.Reference]]:
    found: dict[str, list[glue.Reference]] = {}
    for source, ref in glue.references("chapters/demo", TEXT):
        found.setdefault(source, []).append(ref)
    return found


def test_references_find_every_role_and_directive_with_its_format() -> None:
    refs = _refs()
    shown = {(r.name, r.kind, r.fmt) for r in refs["chapters/demo"]}
    assert shown == {
        ("rate", "text", ".3f"),
        ("count", "text", "s"),
        ("gap", "text", ".0e"),
        ("raw", "any", None),
        ("eq", "math", None),
        ("display", "math", None),
    }
    assert [(r.name, r.fmt, r.doc) for r in refs["chapters/other"]] == [
        ("speed", ".2f", "chapters/demo")
    ]


def _values(**plain: str) -> dict[str, dict[str, str]]:
    return {name: {"text/plain": value} for name, value in plain.items()}


def test_digits_beyond_the_format_are_a_note_not_a_failure() -> None:
    built = _values(rate="0.20920802705700517", count="12", unused="1.0000000000000002")
    other = _values(rate="0.20920802705700522", count="12", unused="1.0")
    outcome = glue.compare_glue("chapters/demo", built, other, _refs()["chapters/demo"], "K")
    assert outcome.compared == 3 and not outcome.problems
    assert len(outcome.notes) == 2
    assert any("'rate' differs beyond the digits shown" in n for n in outcome.notes)
    assert any("'unused' differs but no page shows it" in n for n in outcome.notes)


def test_a_visible_difference_names_the_glue_and_both_values() -> None:
    built = _values(gap="6.128431095930864e-14")
    other = _values(gap="2.2648549702353193e-14")
    outcome = glue.compare_glue("chapters/demo", built, other, _refs()["chapters/demo"], "K")
    (problem,) = outcome.problems
    assert "'gap'" in problem and "'6e-14' vs '2e-14'" in problem
    assert "6.128431095930864e-14" in problem and "2.2648549702353193e-14" in problem


def test_any_change_of_an_equation_or_a_raw_value_is_visible() -> None:
    built = {"eq": {"text/latex": "$1 - \\eta\\lambda$"}, "raw": {"text/plain": "0.1"}}
    other = {
        "eq": {"text/latex": "$1 - \\lambda\\eta$"},
        "raw": {"text/plain": "0.10000000000000002"},
    }
    outcome = glue.compare_glue("chapters/demo", built, other, _refs()["chapters/demo"], "K")
    assert len(outcome.problems) == 2


def test_a_glue_missing_under_one_kernel_fails() -> None:
    outcome = glue.compare_glue("chapters/demo", _values(a="1"), {}, [], "K")
    assert outcome.problems == ["chapters/demo: glue 'a' exists only under the build"]


def test_glued_reads_scrapbook_outputs_with_their_mime_prefix() -> None:
    cell = nbformat.v4.new_code_cell("glue('x', 1.5)")
    prefix = "application/papermill.record/"
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={f"{prefix}text/plain": "1.5", f"{prefix}image/png": "iVBOR"},
            metadata={"scrapbook": {"name": "x", "mime_prefix": prefix}},
        ),
        nbformat.v4.new_output("stream", text="printed, not glued"),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell("text")])
    assert glue.glued(notebook) == {"x": {"text/plain": "1.5"}}


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86 core types")
def test_blas_kernels_knows_what_this_cpu_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert blas_kernels.cpu_runs("Prescott")  # SSE3: every x86-64 CPU
    assert not blas_kernels.cpu_runs("NoSuchCore")
    assert blas_kernels.usable(["NoSuchCore"]) == []
    assert "unknown core type 'NoSuchCore'" in capsys.readouterr().err


def test_probe_reports_a_core_and_a_fingerprint() -> None:
    kernel = blas_kernels.probe()
    assert len(kernel.fingerprint) == 12
    assert kernel.corename != "-"
