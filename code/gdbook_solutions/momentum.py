"""Solutions to the exercises of the chapter *Momentum*.

Tested in ``tests/chapters/test_momentum.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from gdbook.measure import first_step_above, first_step_below
from gdbook.momentum import (
    heavy_ball_rate_on_spectrum,
    momentum,
    optimal_heavy_ball,
    replay_gradients,
)
from gdbook.types import Array


def momentum_from_scratch(
    grad_fn: Callable[[Array], Array],
    x0: Array,
    learning_rate: float,
    beta: float,
    num_steps: int,
) -> Array:
    """Heavy ball in the sum form, written as a plain loop; returns every iterate.

    b_t = beta * b_{t-1} + grad f(x_{t-1}),  x_t = x_{t-1} - learning_rate * b_t,  b_0 = 0.
    """
    x = np.array(x0, dtype=np.float64)
    velocity = np.zeros_like(x)
    path = [x]
    for _ in range(num_steps):
        velocity = beta * velocity + grad_fn(x)
        x = x - learning_rate * velocity
        path.append(x)
    return np.stack(path)


def numerical_optimum(
    mu: float, L: float, num: int = 201, rounds: int = 12
) -> tuple[float, float, float]:
    """Grid search for the (learning_rate, beta) with the smallest worst-case rate on [mu, L].

    Each round evaluates the rate map on a num x num grid (one vectorised call) and
    zooms in on the best cell, shrinking the window by 4; the first window is
    0 < learning_rate < 4/L, 0 <= beta < 1. Returns (learning_rate, beta, rate).
    """
    center = np.array([2.0 / L, 0.5])
    half = np.array([2.0 / L, 0.5])  # half-widths of the window
    best = (0.0, 0.0, np.inf)
    for _ in range(rounds):
        etas = np.clip(np.linspace(center[0] - half[0], center[0] + half[0], num), 0.0, None)
        betas = np.clip(np.linspace(center[1] - half[1], center[1] + half[1], num), 0.0, 0.9999)
        rates = heavy_ball_rate_on_spectrum(etas[None, :], betas[:, None], mu, L)
        i, j = np.unravel_index(np.argmin(rates), rates.shape)
        best = (float(etas[j]), float(betas[i]), float(rates[i, j]))
        center, half = np.array(best[:2]), half / 4.0
    return best


def first_step_reaching(beta: float, fraction: float, num_steps: int = 10_000) -> int:
    """Measured: the first step t at which the buffer reaches ``fraction`` of 1/(1 - beta).

    The gradient is constant.
    """
    traj = replay_gradients(momentum(1.0, beta), np.ones((num_steps, 1)))
    velocity = traj.field("velocity")[:, 0]
    return int(first_step_above(velocity, fraction / (1.0 - beta)))


def half_lives(betas: tuple[float, ...] = (0.9, 0.99, 0.999)) -> Array:
    """Half-life ln 2 / ln(1/beta), in steps, for each beta."""
    b = np.asarray(betas, dtype=np.float64)
    return np.asarray(np.log(2.0) / np.log(1.0 / b), dtype=np.float64)


def beta_with_half_life(steps: float) -> float:
    """The beta whose weights halve after ``steps`` steps: beta = 2**(-1/steps).

    It is 0.933 for 10 steps, not 0.9.
    """
    return float(0.5 ** (1.0 / steps))


def sutskever_original(step: Array, beta_max: float = 0.999) -> Array:
    """Sutskever et al.'s printed schedule: min(1 - 2**(-1 - log2(floor(t/250) + 1)), beta_max)."""
    t = np.asarray(step, dtype=np.float64)
    return np.minimum(1.0 - 2.0 ** (-1.0 - np.log2(np.floor(t / 250.0) + 1.0)), beta_max)


def first_step_with_beta(target: float, beta_max: float = 0.999) -> int:
    """The first update t at which Sutskever's schedule reaches ``target`` (searching t < 10**6)."""
    steps = np.arange(1_000_000)
    return int(first_step_above(sutskever_original(steps, beta_max), target - 1e-12))


def predicted_momentum_iterations(kappa: float, tol: float = 1e-6) -> tuple[int, int]:
    """Steps tuned momentum needs on diag(1, kappa) from (1, 1) to shrink ||x|| by ``tol``.

    Returns (naive, exact). The naive count ceil(ln tol / ln rho) treats the error as
    rho**k. Both ends are critically damped, with double roots rho (flat) and -rho
    (steep), so started at rest the two coordinates are exactly
    (1 + (1 - rho) k) rho**k and (1 + (1 + rho) k) (-rho)**k; the exact count is the
    first k at which their norm is at most tol * sqrt(2).
    """
    rho = float(optimal_heavy_ball(1.0, kappa).rate)
    naive = int(np.ceil(np.log(tol) / np.log(rho)))
    k = np.arange(4 * naive + 100)  # the factor k costs far less than 4x
    flat = (1 + (1 - rho) * k) * rho**k
    steep = (1 + (1 + rho) * k) * rho**k
    return naive, int(first_step_below(np.hypot(flat, steep), tol * np.sqrt(2.0)))


def keep_effective_step(
    learning_rate: float, beta: float, new_beta: float, num_steps: int = 2000
) -> tuple[float, Array, Array]:
    r"""The learning rate for ``new_beta`` at the same effective step, and both build-ups.

    :math:`\eta' = \eta(1-\beta')/(1-\beta)`. Returns :math:`\eta'` and the step lengths
    :math:`\eta b_k` of both pairs under the gradient 1, ``k = 0..num_steps``: they tend to
    the same terminal velocity :math:`\eta/(1-\beta)`, the pair with the longer memory
    more slowly.
    """
    new_eta = learning_rate * (1.0 - new_beta) / (1.0 - beta)
    ones = np.ones((num_steps, 1))
    steps = [
        lr * replay_gradients(momentum(lr, b), ones).field("velocity")[:, 0]
        for lr, b in ((learning_rate, beta), (new_eta, new_beta))
    ]
    return new_eta, steps[0], steps[1]
