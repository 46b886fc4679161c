r"""The live figure of *A learning rate per coordinate*: the path and each coordinate's rate.

JavaScript: ``adaptiveExplorer`` in ``web/live/gdlive-explorers.js``. Nothing of the
explorer is static (the valley turns with the angle slider): the page draws the level
sets, the path and both rates, and writes the widget's two titles.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdbook import adaptive as ad
from gdbook import plotting
from gdbook.examples import VALLEY
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import PALETTE

NAME = "adaptive_explorer"
BOUND = 1e3  # adaptive.explorer_run's divergence bound


def reference(
    method: str, learning_rate: float, rho: float, eps: float, angle: float
) -> dict[str, Any]:
    """The run and its rates (``adaptive.explorer_run``, via the widget) and the titles."""
    widget = explorer(NAME)
    state = widget.update(method=method, learning_rate=learning_rate, rho=rho, eps=eps, angle=angle)
    problem, start = ad.rotated_valley(np.radians(angle))
    left, right = widget.figure.axes
    return {
        "levels": plotting.level_sets(problem, VALLEY.levels),
        "start": start,
        "points": state["points"],
        "rates": state["rates"],
        "errors": state["errors"],
        "final_error": state["final_error"],
        "titles": {"valley": left.get_title(), "rates": right.get_title()},
    }


@register_live(NAME)
def adaptive_live() -> LiveFigure:
    """Adagrad, RMSProp or Adadelta on the turned valley: eta, rho, eps and the angle."""
    return LiveFigure(
        data={
            "eigenvalues": [1.0 / VALLEY.kappa, 1.0],
            # the start along the valley's axes, the same at every angle (rotated_valley)
            "along_axes": VALLEY.problem().to_eigenbasis(VALLEY.start),
            "levels": VALLEY.levels,
            "steps": ad.EXPLORER_STEPS,
            "bound": BOUND,
        },
        panels={"valley": 0, "rates": 1},
        reference=reference,
        colors={
            "path": PALETTE["vermillion"],
            "x1": PALETTE["blue"],
            "x2": PALETTE["orange"],
            "star": PALETTE["black"],
        },
    )
