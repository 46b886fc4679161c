r"""The live figure of *Momentum*: the path with its coast arrows, over the rate map.

JavaScript: ``momentumExplorer`` in ``web/live/gdlive-explorers.js``. The rate map is the
static layer of the right panel (drawn by the Python explorer); the page computes the
rate and the regimes at the sliders' point.
"""

from __future__ import annotations

from typing import Any

from gdbook import momentum as hb
from gdbook.examples import VALLEY
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.viz import momentum as viz

NAME = "momentum_explorer"
BOUND = 1e3  # viz.momentum.explorer_run's divergence bound


def reference(learning_rate: float, beta: float) -> dict[str, Any]:
    """Path and coast arrows (``viz.momentum.explorer_run``), rate and regimes (the widget)."""
    points, arrows = viz.explorer_run(learning_rate, beta)
    state = explorer(NAME).update(learning_rate=learning_rate, beta=beta)
    return {
        "points": points,
        "arrows": arrows,
        "rate": state["rate"],
        "regimes": state["regimes"],
        "diverged": state["diverged"],
    }


@register_live(NAME)
def momentum_live() -> LiveFigure:
    """The heavy ball in the valley: eta and beta; the rate map with the sliders' point."""
    tuned = hb.optimal_heavy_ball(viz.MU, viz.L)
    return LiveFigure(
        data={
            "eigenvalues": [viz.MU, viz.L],
            "angle": VALLEY.angle,
            "start": VALLEY.start,
            "steps": viz.EXPLORER_STEPS,
            "bound": BOUND,
            "tuned": [tuned.learning_rate, tuned.beta],
        },
        panels={"valley": 0, "rate": 1},
        reference=reference,
        colors={"momentum": METHOD_COLORS["momentum"], "coast": PALETTE["orange"]},
    )
