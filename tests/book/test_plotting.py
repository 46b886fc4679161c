"""Drawing helpers of gdbook.plotting that the figure checks rely on."""

from __future__ import annotations

import numpy as np
import pytest
from gdbook import plotting
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def _log_axes() -> Axes:
    ax = Figure().add_subplot()
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1e3)
    return ax


def test_within_view_masks_round_off_below_a_log_axis() -> None:
    ax = _log_axes()
    errors = np.array([1.0, 1e-3, 2e-7, 3e-13, 0.0, 1e-16])
    shown = plotting.within_view(ax, errors)
    np.testing.assert_array_equal(shown[:2], errors[:2])
    assert np.isnan(shown[2:]).all()
    assert errors[4] == 0.0  # the input is not changed


def test_within_view_keeps_the_edge_point_of_a_line() -> None:
    ax = _log_axes()
    decay = 10.0 ** -np.arange(0.0, 12.0)  # 1 ... 1e-11 on an axis down to 1e-6
    shown = plotting.within_view(ax, decay, line=True)
    assert np.isfinite(shown[:8]).all()  # 1e-7 is kept: the line runs to the edge
    assert np.isnan(shown[8:]).all()
    above = plotting.within_view(ax, 10.0 ** np.arange(0.0, 8.0), line=True)
    assert np.isfinite(above[:5]).all() and np.isnan(above[5:]).all()


def test_within_view_on_a_linear_x_axis_and_bad_axis_name() -> None:
    ax = Figure().add_subplot()
    ax.set_xlim(0.0, 1.0)
    shown = plotting.within_view(ax, [-0.5, 0.0, 0.5, 2.0], axis="x")
    np.testing.assert_array_equal(np.isnan(shown), [True, False, False, True])
    with pytest.raises(ValueError, match="axis must be"):
        plotting.within_view(ax, [0.5], axis="z")
