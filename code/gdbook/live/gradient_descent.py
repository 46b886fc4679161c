r"""The live figure of *The gradient-descent problem*: the valley explorer.

JavaScript: ``gradientDescentValley`` in ``web/live/gdlive-explorers.js``.
"""

from __future__ import annotations

from typing import Any

from gdbook import gradient_descent as gd
from gdbook import plotting
from gdbook.base import run
from gdbook.examples import VALLEY
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.viz import gradient_descent as viz

NAME = "gradient_descent_valley"


def reference(learning_rate: float, kappa: float) -> dict[str, Any]:
    """What the explorer plots at ``(learning_rate, kappa)``: the Python widget's own state."""
    widget = explorer(NAME)
    state = widget.update(learning_rate=learning_rate, kappa=kappa)
    problem = VALLEY.problem(kappa)
    traj = run(
        gd.gradient_descent(learning_rate),
        problem.grad,
        VALLEY.start,
        viz.EXPLORER_STEPS,
        bound=gd.DIVERGENCE_BOUND,
    )
    title = widget.figure.axes[0].get_title()
    return {
        "levels": plotting.level_sets(problem, VALLEY.levels),
        "points": traj.path(),
        "diverged_at": state["diverged_at"],
        "errors": state["errors"],
        "predicted": state["predicted"],
        "rate": state["rate"],
        "verdict": title.rsplit(": ", 1)[-1],
    }


@register_live(NAME)
def valley() -> LiveFigure:
    """Learning rate and condition number over the valley; errors per eigendirection."""
    return LiveFigure(
        data={
            "angle": VALLEY.angle,
            "start": VALLEY.start,
            "levels": VALLEY.levels,
            "steps": viz.EXPLORER_STEPS,
            "bound": gd.DIVERGENCE_BOUND,
        },
        panels={"valley": 0, "errors": 1},
        reference=reference,
        colors={"gd": METHOD_COLORS["gd"], "flat": PALETTE["blue"], "steep": PALETTE["orange"]},
    )
