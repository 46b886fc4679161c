r"""The live figure of *Nesterov's look-ahead*: heavy ball and Nesterov side by side.

JavaScript: ``nesterovExplorer`` in ``web/live/gdlive-explorers.js``.
"""

from __future__ import annotations

from typing import Any

from gdbook import nesterov as nag
from gdbook.examples import VALLEY
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import PALETTE
from gdbook.viz import nesterov as viz

NAME = "nesterov_explorer"
BOUND = 1e3  # nesterov.explorer_runs' divergence bound


def reference(learning_rate: float, beta: float) -> dict[str, Any]:
    """Both runs and the look-ahead points (``nesterov.explorer_runs``), the widget's rates."""
    out: dict[str, Any] = dict(nag.explorer_runs(learning_rate, beta))
    out["rates"] = explorer(NAME).update(learning_rate=learning_rate, beta=beta)["rates"]
    return out


@register_live(NAME)
def nesterov_live() -> LiveFigure:
    """Heavy ball and Nesterov at the same (eta, beta), with the look-ahead arrows."""
    return LiveFigure(
        data={
            "eigenvalues": [nag.MU, nag.L],
            "angle": VALLEY.angle,
            "start": VALLEY.start,
            "steps": nag.EXPLORER_STEPS,
            "bound": BOUND,
        },
        panels={"valley": 0, "errors": 1},
        reference=reference,
        colors={**viz.COLORS, "lookahead": PALETTE["orange"]},
    )
