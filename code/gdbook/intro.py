r"""Landing page (``chapters/intro.md``): the race of the hero figure.

Gradient descent, momentum and Adam on :data:`~gdbook.examples.HERO`, from the same
start and for the same number of steps, each tuned to show its character rather than
to win: gradient descent near its largest sensible step (:math:`\eta = 1.9/L`, it
zig-zags), momentum with :math:`\eta = 1/L,\ \beta = 0.8` (it rolls and overshoots),
Adam with :math:`\eta = 0.1` (its first steps have the same size in every coordinate).
"""

from __future__ import annotations

import numpy as np

from gdbook.adam import adam
from gdbook.base import Optimizer, Trajectory, run, stack
from gdbook.examples import HERO
from gdbook.gradient_descent import gradient_descent
from gdbook.measure import experiment
from gdbook.momentum import momentum
from gdbook.problems import Quadratic
from gdbook.types import Array

METHODS = ("gd", "momentum", "adam")
"""The three methods of the race, in the order of the figure's panels."""


def hero_optimizers(
    kappa: float = HERO.kappa, scale: float = 1.0, beta: float = HERO.beta
) -> dict[str, Optimizer]:
    """Gradient descent, momentum and Adam (default b1, b2, eps) at the hero's settings."""
    rates = HERO.learning_rates(kappa, scale)
    return {
        "gd": gradient_descent(rates["gd"]),
        "momentum": momentum(rates["momentum"], beta),
        "adam": adam(rates["adam"]),
    }


@experiment
def hero_runs(
    kappa: float = HERO.kappa,
    scale: float = 1.0,
    beta: float = HERO.beta,
    num_steps: int = HERO.num_steps,
) -> dict[str, Trajectory]:
    """Every hero method from the hero's start for ``num_steps`` updates, in one loop."""
    problem = HERO.problem(kappa)
    opts = hero_optimizers(kappa, scale, beta)
    starts = np.broadcast_to(HERO.start, (len(opts), HERO.start.size))
    both = run(stack(list(opts.values())), problem.grad, starts, num_steps, record_states=False)
    return {
        name: Trajectory(both.params[:, i], None, both.diverged_at[i])
        for i, name in enumerate(opts)
    }


def excess_loss(problem: Quadratic, trajectory: Trajectory) -> Array:
    r""":math:`f(x_k) - f^\star` for every iterate (NaN after a divergence)."""
    return np.asarray(problem.value(trajectory.params) - (problem.f_star or 0.0))
