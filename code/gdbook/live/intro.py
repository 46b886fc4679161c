r"""The live figure of the landing page: the hero race under three sliders.

JavaScript: ``introHero`` in ``web/live/gdlive-explorers.js``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdbook import plotting
from gdbook.examples import HERO
from gdbook.intro import METHODS, excess_loss, hero_runs
from gdbook.live import LiveFigure, explorer, register_live
from gdbook.plotting import METHOD_COLORS
from gdbook.viz import intro as viz

NAME = "intro_hero"


def reference(scale: float, beta: float, kappa: float) -> dict[str, Any]:
    """Each method's path and loss (``intro.hero_runs``) and the widget's counts."""
    state = explorer(NAME).update(scale=scale, beta=beta, kappa=kappa)
    problem = HERO.problem(kappa)
    out: dict[str, Any] = {"levels": plotting.level_sets(problem, viz.LEVELS)}
    for name, traj in hero_runs(kappa, scale, beta).items():
        with np.errstate(divide="ignore", invalid="ignore"):
            log_loss = np.log10(excess_loss(problem, traj))
        out[name] = {
            "learning_rate": state[name]["learning_rate"],
            "path": traj.params[: HERO.path_steps + 1],
            "log_loss": log_loss,
            "steps_to_tolerance": state[name]["steps_to_tolerance"],
            "diverged_at": state[name]["diverged_at"],
            "final_loss": state[name]["final_loss"],
        }
    return out


@register_live(NAME)
def hero() -> LiveFigure:
    """Gradient descent, momentum and Adam in the hero valley: scale, beta and kappa."""
    return LiveFigure(
        data={
            "methods": list(METHODS),
            "labels": viz.LABELS,
            "angle": HERO.angle,
            "start": HERO.start,
            "steps": HERO.num_steps,
            "path_steps": HERO.path_steps,
            "tol": HERO.tol,
            "rates": HERO.rates,
            "levels": viz.LEVELS,
        },
        panels={"gd": 0, "momentum": 1, "adam": 2, "loss": 3},
        reference=reference,
        colors={name: METHOD_COLORS[name] for name in METHODS},
    )
