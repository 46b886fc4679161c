r"""The live figure of *Adam*: its internals, update by update, on the hero valley.

JavaScript: ``adamInternals`` in ``web/live/gdlive-explorers.js``. The valley (level
sets, minimum, start) and the bar panel's guide lines are the static layers; the page
draws the path, the current step, the two bars with their labels, and the table of
:math:`g_t, m_t, v_t, \hat m_t, \hat v_t` and the step, as the widget writes it.
"""

from __future__ import annotations

from typing import Any

from gdbook import adam as lib
from gdbook.examples import HERO
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.viz import adam as viz

NAME = "adam_internals"


def reference(step: int, b1: float, b2: float, bias_correction: bool) -> dict[str, Any]:
    """The run (``adam.explorer_run``), update ``step``'s internals and the widget's texts."""
    widget = explorer(NAME)
    state = widget.update(step=step, b1=b1, b2=b2, bias_correction=bias_correction)
    traj = lib.explorer_run(b1, b2, bias_correction)
    left, right = widget.figure.axes
    *labels, title = (text.get_text() for text in right.texts)
    (table,) = (text.get_text() for text in left.texts)
    return {
        "points": traj.params,
        "internals": state["internals"],
        "table": table,
        "bar_labels": labels,
        "title": title,
    }


@register_live(NAME)
def adam_live() -> LiveFigure:
    """Update t, beta1, beta2 and the bias correction; the path and the step of update t."""
    return LiveFigure(
        data={
            "eigenvalues": [1.0, HERO.kappa],
            "angle": HERO.angle,
            "start": HERO.start,
            "learning_rate": HERO.rates["adam"],
            "steps": lib.EXPLORER_STEPS,
            "quantities": list(viz.QUANTITIES),
            "bar_limit": viz.BAR_LIMIT,
        },
        panels={"valley": 0, "steps": 1},
        reference=reference,
        colors={
            "path": "#999999",  # the widget's grey 0.6
            "done": METHOD_COLORS["adam"],
            "current": PALETTE["vermillion"],
            "x1": PALETTE["blue"],
            "x2": PALETTE["orange"],
        },
    )
