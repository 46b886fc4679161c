"""The SVG comparison behind the figure check (tools/svgdiff.py): visible changes, not round-off."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import svgdiff  # noqa: E402

X = np.arange(5.0)
Y = np.array([1.0, 3.0, 2.0, 4.0, 3.5])


def _svg(y: np.ndarray, *, color: str = "C0", salt: str = "test", x: np.ndarray = X) -> bytes:
    """A small line-and-markers plot, drawn at 72 dpi (one data pixel = one SVG unit)."""
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        fig = Figure(figsize=(3.0, 2.0), dpi=72)
        ax = fig.add_subplot()
        ax.plot(x, y, "o-", color=color)
        ax.set_xlim(-0.5, 4.5)
        ax.set_ylim(0.0, 5.0)
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _shifted(units: float, point: int = 2) -> np.ndarray:
    """Y with one point moved up by ``units`` SVG units (points at 72 dpi)."""
    fig = Figure(figsize=(3.0, 2.0), dpi=72)
    ax = fig.add_subplot()
    ax.set_xlim(-0.5, 4.5)
    ax.set_ylim(0.0, 5.0)
    per_unit = ax.transData.transform((0.0, 1.0))[1] - ax.transData.transform((0.0, 0.0))[1]
    moved = Y.copy()
    moved[point] += units / per_unit
    return moved


def test_identical_files_have_no_difference() -> None:
    diff = svgdiff.compare(_svg(Y), _svg(Y))
    assert diff.ok and diff.compared > 100


def test_moving_one_point_by_one_px_is_reported_with_its_place_and_size() -> None:
    diff = svgdiff.compare(_svg(Y), _svg(_shifted(1.0)))
    assert not diff.ok
    worst = diff.largest
    assert worst is not None
    assert worst.size == pytest.approx(1.0, abs=1e-3)
    places = {d.where for d in diff.numbers}
    # the marker (the third <use> of the line's markers) and the line's path through it
    line = re.compile(r"g#axes_1 > g#line2d_\d+ > ")
    assert any(line.search(p) and p.endswith("g[0] > use[2]") for p in places), places
    assert any(line.search(p) and p.endswith("path[0]") for p in places), places
    assert len(diff.numbers) == 2  # the marker's y and that vertex of the path
    report = diff.report("figures/demo.svg")
    assert "figures/demo.svg" in report and "use[2]" in report and "largest by 1" in report


def test_a_perturbation_of_1e_4_px_is_not_a_difference() -> None:
    committed, fresh = _svg(Y), _svg(_shifted(1e-4))
    assert committed != fresh  # the file changed...
    diff = svgdiff.compare(committed, fresh)
    assert diff.ok, diff.report()  # ...but not visibly


def test_the_tolerance_is_the_boundary() -> None:
    assert svgdiff.compare(_svg(Y), _svg(_shifted(0.5 * svgdiff.TOLERANCE))).ok
    assert not svgdiff.compare(_svg(Y), _svg(_shifted(3 * svgdiff.TOLERANCE))).ok


def test_a_dropped_point_is_a_structural_difference() -> None:
    diff = svgdiff.compare(_svg(Y), _svg(Y[:4], x=X[:4]))
    assert not diff.ok and diff.structure
    assert any("5 child elements committed, 4 fresh" in s for s in diff.structure), diff.structure


def test_a_new_colour_is_a_difference() -> None:
    diff = svgdiff.compare(_svg(Y), _svg(Y, color="C1"))
    assert any("style" in s for s in diff.structure), diff.structure


def test_ids_compare_by_what_they_link_not_their_spelling() -> None:
    """Matplotlib hashes some ids from the content and a salt: a new salt renames them."""
    committed, fresh = _svg(Y, salt="one"), _svg(Y, salt="two")
    assert committed != fresh
    assert svgdiff.compare(committed, fresh).ok


def test_command_line_exit_status(tmp_path: Path) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    a.write_bytes(_svg(Y))
    b.write_bytes(_svg(_shifted(1.0)))
    assert svgdiff.main([str(a), str(a)]) == 0
    assert svgdiff.main([str(a), str(b)]) == 1
