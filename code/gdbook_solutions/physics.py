"""Solutions to the exercises of the chapter *Momentum as physics*.

Tested in ``tests/chapters/test_physics_race.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from gdbook import physics as ph
from gdbook.base import Optimizer, block, chain, named, run, scale_by_learning_rate
from gdbook.checks import hyperparameter
from gdbook.examples import VALLEY
from gdbook.measure import first_step_above, stays_below_from
from gdbook.momentum import heavy_ball_eigenvalues
from gdbook.types import Array, Hyper


def turbulent_time_to_distance(v0: float, drag: float, distance: float) -> float:
    """The time a ball under turbulent drag needs to cover ``distance``.

    From x(t) = ln(1 + c v0 t) / c: t = (exp(c distance) - 1) / (c v0).
    """
    return math.expm1(drag * distance) / (drag * v0)


def dry_resting_point(x0: float, friction: float, lam: float) -> float:
    """Where a ball with dry friction, released at rest at x0 > 0, stops in the well lam x^2 / 2.

    Each swing ends 2c/lam closer to 0 on the other side; it stops after the first swing
    that ends in the dead zone |x| <= c/lam: n = ceil((lam x0 / c - 1) / 2) swings.
    """
    swings = max(0, math.ceil((lam * x0 / friction - 1) / 2))
    return float((-1) ** swings * (x0 - 2 * swings * friction / lam))


def steps_to_double_energy(h: float, omega: float) -> tuple[int, float]:
    """Steps after which explicit Euler has doubled the energy of the frictionless oscillator.

    Measured by ``ph.integrate`` from rest at x = 1; also returned: the largest relative
    energy error of semi-implicit Euler over the same steps.
    """
    accel = ph.acceleration(lambda x: omega**2 * x, "viscous", 0.0)
    steps = 2 * math.ceil(math.log(2) / math.log1p((h * omega) ** 2))  # enough to see it
    energies = {}
    for name in ("explicit Euler", "semi-implicit Euler"):
        motion = ph.integrate(ph.INTEGRATORS[name], accel, np.ones(1), None, h, steps)
        energy = 0.5 * motion.velocity[:, 0] ** 2 + 0.5 * omega**2 * motion.position[:, 0] ** 2
        energies[name] = energy / energy[0]
    doubled = int(first_step_above(energies["explicit Euler"], 2.0))
    spread = float(np.abs(energies["semi-implicit Euler"][: doubled + 1] - 1).max())
    return doubled, spread


class _PowerState(NamedTuple):
    """State of :func:`power_drag`."""

    step: int  # t
    velocity: Array  # p_t, the last step


def power_flow(velocity: Array, power: float, drag: Array) -> Array:
    """The exact decay of dv/dt = -c |v|^(p-1) v over one unit of time (speed s, s' = -c s^p)."""
    speed = np.linalg.norm(velocity, axis=-1, keepdims=True)
    if power == 1:
        new_speed = speed * np.exp(-drag)
    else:  # s^(1-p) falls linearly; for p < 1 it reaches 0 and stays there
        base = np.maximum(speed ** (1 - power) - (1 - power) * drag, 0.0)
        with np.errstate(divide="ignore"):
            new_speed = np.where(base > 0, base ** (1 / (1 - power)), 0.0)
    ratio = np.divide(new_speed, speed, out=np.zeros_like(speed), where=speed > 0)
    return np.asarray(velocity * ratio)


@block
def power_drag(power: float, drag: Hyper) -> Optimizer:
    """Drag c |v|^(p-1) v after the push: p_t = Phi(p_{t-1} + u_t), Phi its exact decay."""
    if not power > 0:
        raise ValueError(f"power must be > 0 (p = 0 is dry friction); got {power}")
    c = hyperparameter("drag", drag, 0.0)

    def init(params: Array) -> _PowerState:
        return _PowerState(0, np.zeros_like(params))

    def update(grads: Array, state: _PowerState, params: Array) -> tuple[Array, _PowerState]:
        step = state.step + 1
        velocity = power_flow(state.velocity + grads, power, c(step))
        return velocity, _PowerState(step, velocity)

    return Optimizer(init, update, named(drag=c))


def power_momentum(learning_rate: Hyper, power: float, drag: Hyper) -> Optimizer:
    """The ball with the drag c |v|^(p-1) v: push by -eta g, then the drag's exact decay."""
    return chain(scale_by_learning_rate(learning_rate), power_drag(power, drag))


def power_race(
    powers: Sequence[float], grid: Array | None = None
) -> dict[float, tuple[float, int, float]]:
    """Each power on the valley (eta = 1, the race of the chapter), at its best c on ``grid``.

    Returns power -> (error after the race, steps to the tolerance or -1, best c).
    """
    drags = np.geomspace(1e-3, 1e2, 101) if grid is None else np.asarray(grid, float)
    x0 = np.broadcast_to(VALLEY.start, (drags.size, 2))
    out = {}
    for power in powers:
        opt = power_momentum(ph.RACE_LEARNING_RATE, power, drags[:, None])
        traj = run(opt, VALLEY.problem().grad, x0, ph.RACE_STEPS, record_states=False)
        errors = np.linalg.norm(traj.params, axis=-1)
        steps = stays_below_from(errors, ph.RACE_TOL)
        reached = steps >= 0
        best = (
            int(np.argmin(np.where(reached, steps, 10**9)))
            if reached.any()
            else int(np.nanargmin(errors[-1]))
        )
        out[power] = (float(errors[-1, best]), int(steps[best]), float(drags[best]))
    return out


def critical_friction_gap(tolerance: float) -> tuple[float, float]:
    """At lambda = 1: the smallest h on a grid where 2 - h is ``tolerance`` below 2, relatively.

    Also the largest gap between the two heavy-ball roots at beta = 1 - h c(h) over the
    grid (they should coincide: critical damping is a double root).
    """
    hs = np.round(np.arange(1, 101) * 0.01, 10)  # h = 0.01 .. 1
    friction = ph.critical_friction(hs, 1.0)  # 2 sqrt(lambda) - h lambda
    first = hs[int(np.argmax(np.abs(friction - 2.0) / 2.0 >= tolerance - 1e-12))]
    roots = heavy_ball_eigenvalues(hs**2, 1.0 - hs * friction, 1.0)
    return float(first), float(np.abs(roots[:, 0] - roots[:, 1]).max())
