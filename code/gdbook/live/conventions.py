r"""The live figure of the conventions appendix: a step decay splits the two momentum forms.

JavaScript: ``conventionsSchedule`` in ``web/live/gdlive-explorers.js``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdbook import conventions as cv
from gdbook.examples import TORCH_FIXTURE
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.viz import conventions as viz

NAME = "conventions_schedule"


def reference(at: int, factor: float, beta: float) -> dict[str, Any]:
    """Both forms' paths and step lengths (``conventions.schedule_runs``), the final gap."""
    state = explorer(NAME).update(at=at, factor=factor, beta=beta)
    out: dict[str, Any] = {"final_gap": state["final_gap"]}
    for form, traj in cv.schedule_runs(int(at), factor, beta).items():
        with np.errstate(divide="ignore"):
            out[form] = {"points": traj.params, "log_lengths": np.log10(cv.step_lengths(traj))}
    return out


@register_live(NAME)
def schedule() -> LiveFigure:
    """When the learning rate changes, by how much, and beta: sum form against rate inside."""
    problem = TORCH_FIXTURE.problem()
    return LiveFigure(
        data={
            "eigenvalues": list(TORCH_FIXTURE.eigenvalues),
            "angle": TORCH_FIXTURE.angle,
            "x_star": problem.x_star,
            "start": TORCH_FIXTURE.start,
            "learning_rate": cv.SCHEDULE_RATE,
            "steps": cv.SCHEDULE_STEPS,
            "forms": list(viz.FORMS),
            "labels": viz.FORM_LABELS,
        },
        panels={"valley": 0, "lengths": 1},
        reference=reference,
        colors=dict(viz.FORM_COLORS),
    )
