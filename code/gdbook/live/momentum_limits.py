r"""The live figure of *The limits of the heavy ball*: momentum's noise floor against GD's.

JavaScript: ``momentumLimitsNoise`` in ``web/live/gdlive-dynamics.js``. The explorer draws
closed forms only (the exact mean square of :func:`gdbook.momentum_limits.heavy_ball_mean_square`
and the floors), no sampled noise, so the page needs no random draws: it runs the same
second-moment recursion from the same start.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdbook import momentum_limits as lim
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.viz import momentum_limits as viz

NAME = "momentum_limits_noise"
NAMES = ("momentum", "GD at η", "GD at η/(1-β)")
"""The explorer's three runs, in its order (the last one only where it is stable)."""


def _ratio_grid() -> np.ndarray:
    """The effective steps of the explorer's floor-ratio curve (read from its line)."""
    line = explorer(NAME).figure.axes[1].lines[0]
    return np.asarray(line.get_xdata(), dtype=np.float64)


def reference(learning_rate: float, beta: float) -> dict[str, Any]:
    """Mean squares and floors (the widget's state), the ratio curve and the dots it plots."""
    state = explorer(NAME).update(learning_rate=learning_rate, beta=beta)
    a = np.asarray(state["effective_steps"])
    shown = a[a < 2]
    return {
        "shown": list(state["curves"]),
        "curves": state["curves"],
        "floors": state["floors"],
        "effective_steps": a,
        "ratio": lim.floor_ratio_at_effective_step(_ratio_grid(), beta),
        "marks": np.stack([shown, lim.floor_ratio_at_effective_step(shown, beta)], axis=-1),
    }


@register_live(NAME)
def noise_live() -> LiveFigure:
    """Momentum, GD at eta and GD at eta/(1-beta) in the noisy valley: eta and beta."""
    problem = VALLEY.problem()
    grid = _ratio_grid()
    return LiveFigure(
        data={
            "eigenvalues": problem.eigenvalues,
            "y0": problem.to_eigenbasis(VALLEY.start),
            "sigma": NOISE_SIGMA,
            "steps": viz.EXPLORER_STEPS,
            "names": list(NAMES),
            "grid": [grid[0], grid[-1], grid.size],
            "titles": {"ratio": "momentum’s floor over GD’s at η/(1 − β) (dots: the valley)"},
        },
        panels={"mean": 0, "ratio": 1},
        reference=reference,
        colors={
            "momentum": METHOD_COLORS["momentum"],
            "GD at η": METHOD_COLORS["gd"],
            "GD at η/(1-β)": PALETTE["orange"],
            "marks": PALETTE["vermillion"],
        },
    )
