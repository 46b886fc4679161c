r"""The live figure of *Momentum as physics*: the ball with drag, in the well or the valley.

JavaScript: ``physicsExplorer`` in ``web/live/gdlive-dynamics.js``: the scheme of
:func:`gdbook.physics.roll` (the push of the slope, the drag's exact decay over ``h``,
the move with the new velocity) for the three drag laws, and what the explorer plots
from it (:func:`gdbook.viz.physics.explorer_run`). The parabola of the well and the level
sets of the valley are the static layers.
"""

from __future__ import annotations

from typing import Any

from gdbook import physics as ph
from gdbook.examples import VALLEY
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.viz import physics as viz

NAME = "physics_explorer"


def reference(law: str, coefficient: float, h: float, surface: str) -> dict[str, Any]:
    """The run (``viz.physics.explorer_run``) and the widget's distance and energy left."""
    out: dict[str, Any] = dict(viz.explorer_run(law, coefficient, h, surface))
    state = explorer(NAME).update(law=law, coefficient=coefficient, h=h, surface=surface)
    out["final_distance"] = state["final_distance"]
    out["energy_left"] = state["energy_left"]
    return out


@register_live(NAME)
def physics_live() -> LiveFigure:
    """Drag law, coefficient, time step and surface; the ball, x, v and E."""
    valley = VALLEY.problem()
    return LiveFigure(
        data={
            "time": viz.EXPLORER_TIME,
            "surfaces": {
                "1-D well": {"eigenvalues": ph.WELL_PROBLEM.eigenvalues, "start": [ph.WELL["x0"]]},
                "2-D valley": {
                    "eigenvalues": valley.eigenvalues,
                    "angle": VALLEY.angle,
                    "start": VALLEY.start,
                },
            },
        },
        panels={"well": 0, "valley": 1, "position": 2, "velocity": 3, "energy": 4},
        reference=reference,
        colors={
            "ball": METHOD_COLORS["momentum"],
            "floor": PALETTE["orange"],
            "wall": PALETTE["purple"],
            "kinetic": PALETTE["sky"],
            "potential": PALETTE["green"],
            "total": PALETTE["black"],
        },
    )
