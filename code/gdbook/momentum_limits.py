r"""Chapter *The limits of the heavy ball*: what momentum cannot do, and where its tuning stops.

The sequel to :mod:`gdbook.momentum`, in the same notation: :math:`\eta` ``learning_rate``,
:math:`\beta` ``beta``, :math:`b_k` the buffer, :math:`\lambda` an eigenvalue, :math:`\mu, L`
the extremes of the spectrum, :math:`\kappa = L/\mu`. Four limits, one section each:

* the lower bound: no gradient method beats :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)` per step
  on Nesterov's worst function, and the tuned heavy ball attains it;
* beyond quadratics: the tuned pair is a local result (logistic regression, where it holds
  near the minimum, and Lessard et al.'s function, where it cycles);
* saddles: momentum leaves them faster, by a larger escape factor;
* noise: the floor of the heavy ball, and what momentum does (little) against it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.adam import adam
from gdbook.base import Optimizer, run
from gdbook.checks import check_count, check_finite_array, check_range
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.gradient_descent import (
    eigen_errors,
    gradient_descent,
    optimal_learning_rate,
    sgd_expected_sq_error,
)
from gdbook.measure import (
    doubling_horizon,
    experiment,
    first_step_above,
    first_step_below,
    settling_steps,
)
from gdbook.momentum import momentum, optimal_heavy_ball
from gdbook.problems import (
    convex_rosenbrock,
    lessard_problem,
    logistic_data,
    logistic_regression,
    noisy,
    saddle,
)
from gdbook.types import Array

# --------------------------------------------------------------------------------------
# The lower bound: Nesterov's worst function for first-order methods
# --------------------------------------------------------------------------------------


def convex_rosenbrock_ratio(kappa: ArrayLike) -> Array:
    r"""The ratio :math:`r` of the minimiser :math:`w^\star_i = r^i`.

    :math:`r = (\sqrt\kappa-1)/(\sqrt\kappa+1)`; it is also the optimal heavy-ball rate.
    """
    kk = check_range("kappa", kappa, 1.0)
    return np.asarray((np.sqrt(kk) - 1.0) / (np.sqrt(kk) + 1.0), dtype=np.float64)


def krylov_lower_bound(x_star: ArrayLike, num_steps: int) -> Array:
    r"""Tail norms :math:`\|(w^\star_{k+1}, \dots, w^\star_n)\|`, ``k = 0..num_steps``.

    No method that is zero past coordinate :math:`k` gets closer. On a tridiagonal
    problem whose gradient at 0 is a multiple of :math:`e_1`, an iterate :math:`w_k` in
    the span of the first :math:`k` gradients (gradient descent, momentum with any
    schedule, conjugate gradients, started at 0) is zero past coordinate :math:`k`, so
    :math:`\|w_k - w^\star\|` is at least the norm of the tail of :math:`w^\star`. For
    :math:`w^\star_i = r^i` and :math:`n \to \infty` that is :math:`r^k\|w^\star\|`.
    """
    w = check_finite_array("x_star", x_star)
    if w.ndim != 1:
        raise ValueError(f"x_star must be a 1-D array; got shape {w.shape}")
    check_count("num_steps", num_steps, 0)
    tails = np.sqrt(np.cumsum((w**2)[::-1])[::-1])  # tails[j] = ||w*[j:]||
    tails = np.append(tails, 0.0)
    return np.asarray(tails[np.minimum(np.arange(num_steps + 1), w.size)], dtype=np.float64)


# --------------------------------------------------------------------------------------
# Saddles: the escape factor of the heavy ball
# --------------------------------------------------------------------------------------


def saddle_escape_factor(learning_rate: ArrayLike, beta: ArrayLike, curvature: ArrayLike) -> Array:
    r"""Growth per step along a direction of curvature :math:`-\gamma`: the larger root.

    Linearised at the saddle, the heavy ball's coordinate follows
    :math:`y_{k+1} = (1 + \beta + \eta\gamma)y_k - \beta y_{k-1}`, whose characteristic
    polynomial :math:`z^2 - (1+\beta+\eta\gamma)z + \beta` has the real roots
    :math:`\tfrac12\big(s \pm \sqrt{s^2 - 4\beta}\big)`, :math:`s = 1+\beta+\eta\gamma`; the
    larger is above :math:`1 + \eta\gamma` (gradient descent's) for every :math:`\beta > 0`.
    """
    lr = check_range("learning_rate", learning_rate, 0.0)
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    gamma = check_range("curvature", curvature, 0.0)
    s = 1.0 + b + lr * gamma
    return np.asarray((s + np.sqrt(s * s - 4.0 * b)) / 2.0, dtype=np.float64)


# --------------------------------------------------------------------------------------
# Noisy gradients: the heavy ball's noise floor and how fast it is reached
# --------------------------------------------------------------------------------------


def _noise_arrays(
    learning_rate: ArrayLike, beta: ArrayLike, eigenvalues: ArrayLike, sigma: float
) -> tuple[Array, Array, Array]:
    """Validate and broadcast: ``eta`` and ``beta`` get a trailing axis for the eigenvalues."""
    lr = check_range("learning_rate", learning_rate, 0.0, low_open=True)
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    lam = np.atleast_1d(check_range("eigenvalues", eigenvalues, 0.0, low_open=True))
    if lam.ndim != 1:
        raise ValueError(f"eigenvalues must be a 1-D array; got shape {lam.shape}")
    check_range("sigma", sigma, 0.0)
    lr, b = np.broadcast_arrays(lr, b)
    step = lr[..., None] * lam  # eta * lambda_i
    if np.any(step >= 2.0 * (1.0 + b[..., None])):
        raise ValueError(
            "learning_rate must satisfy learning_rate * eigenvalue < 2 + 2 beta "
            "for every eigenvalue (else the heavy ball diverges)"
        )
    return lr[..., None], b[..., None], lam


def heavy_ball_noise_floor(
    learning_rate: ArrayLike, beta: ArrayLike, eigenvalues: ArrayLike, sigma: float
) -> Array:
    r"""Stationary :math:`\mathbb E\|x - x^\star\|^2` of momentum with noisy gradients.

    It is
    :math:`\sum_i \frac{\eta\sigma^2(1+\beta)}{\lambda_i(1-\beta)(2(1+\beta) - \eta\lambda_i)}`
    for :func:`momentum` with gradients :math:`\nabla f(x) + \sigma\xi`,
    :math:`\xi \sim N(0, I)`, on the quadratic with Hessian eigenvalues
    :math:`\lambda_i`; needs :math:`0 < \eta\lambda_i < 2 + 2\beta`. At
    :math:`\beta = 0` it is :func:`gdbook.gradient_descent.sgd_noise_floor`; to first
    order in the effective step :math:`a = \eta\lambda/(1-\beta)` (uniformly in
    :math:`\beta`, which first order in :math:`\eta\lambda` is not) it is GD's floor at the
    effective learning rate :math:`\eta/(1-\beta)`. ``learning_rate`` and ``beta``
    broadcast; the result has their shape.
    """
    eta, b, lam = _noise_arrays(learning_rate, beta, eigenvalues, sigma)
    per_direction = eta * sigma**2 * (1.0 + b) / (lam * (1.0 - b) * (2.0 * (1.0 + b) - eta * lam))
    return np.asarray(np.sum(per_direction, axis=-1), dtype=np.float64)


def heavy_ball_mean_square(
    learning_rate: ArrayLike,
    beta: ArrayLike,
    eigenvalues: ArrayLike,
    sigma: float,
    y0: ArrayLike,
    num_steps: int,
) -> Array:
    r"""Exact :math:`\mathbb E\|x_k - x^\star\|^2` of momentum with noisy gradients from rest.

    ``k = 0..num_steps``. Along eigenvalue :math:`\lambda_i` the pair :math:`(b, y)`
    follows :math:`s_k = R s_{k-1} + \sigma\xi_k\,(1, -\eta)`, so its second-moment
    matrix follows :math:`M_k = R M_{k-1} R^\top + \sigma^2 c c^\top` from
    :math:`M_0 = \mathrm{diag}(0, y_{i,0}^2)`; the result is the sum of the
    :math:`y`-entries. ``y0`` are the starting error coordinates
    :math:`Q^\top(x_0 - x^\star)`, one per eigenvalue. ``learning_rate`` and ``beta``
    broadcast to a batch: the shape is ``(num_steps + 1, *batch)``. With
    :math:`\beta = 0` it equals :func:`gdbook.gradient_descent.sgd_expected_sq_error`.
    """
    eta, b, lam = _noise_arrays(learning_rate, beta, eigenvalues, sigma)
    start = check_finite_array("y0", y0)
    if start.shape != lam.shape:
        raise ValueError(f"y0 must have one entry per eigenvalue, shape {lam.shape}")
    check_count("num_steps", num_steps, 0)
    shape = np.broadcast_shapes(eta.shape, lam.shape)
    r11, r12 = np.broadcast_to(b, shape), np.broadcast_to(lam, shape)  # R = [[r11, r12],
    r21, r22 = -eta * b + 0.0 * lam, 1.0 - eta * lam  #                      [r21, r22]]
    m_bb, m_bx = np.zeros(shape), np.zeros(shape)  # E[b^2], E[b y]
    m_yy = np.broadcast_to(start**2, shape).copy()  # E[y^2]
    noise_bb, noise_bx, noise_yy = sigma**2, -eta * sigma**2, eta**2 * sigma**2  # sigma^2 c c^T
    out = [m_yy.sum(axis=-1)]
    for _ in range(num_steps):
        m_bb, m_bx, m_yy = (
            r11 * r11 * m_bb + 2 * r11 * r12 * m_bx + r12 * r12 * m_yy + noise_bb,
            r11 * r21 * m_bb + (r11 * r22 + r12 * r21) * m_bx + r12 * r22 * m_yy + noise_bx,
            r21 * r21 * m_bb + 2 * r21 * r22 * m_bx + r22 * r22 * m_yy + noise_yy,
        )
        out.append(m_yy.sum(axis=-1))
    return np.stack(out)


def floor_ratio_at_effective_step(effective_step: ArrayLike, beta: ArrayLike) -> Array:
    r"""Momentum's noise floor over GD's at the effective step :math:`\eta/(1-\beta)`.

    It is :math:`\tfrac{(1+\beta)(2-a)}{2(1+\beta)-(1-\beta)a}`.

    A function of the effective step :math:`a = \eta\lambda/(1-\beta)` of the coordinate and
    of :math:`\beta` alone, for :math:`0 < a < 2` (where GD at the effective rate is stable):
    1 at :math:`a = 0`, falling to 0 as :math:`a \to 2`, and
    :math:`1 - \tfrac{\beta}{1+\beta}a + O(a^2)`.
    """
    a = check_range("effective_step", effective_step, 0.0, 2.0, high_open=True)
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    return np.asarray((1 + b) * (2 - a) / (2 * (1 + b) - (1 - b) * a), dtype=np.float64)


def learning_rate_for_floor(
    beta: ArrayLike, eigenvalues: ArrayLike, sigma: float, floor: float
) -> Array:
    r"""The learning rate :math:`\eta` at which :func:`heavy_ball_noise_floor` equals ``floor``.

    The floor increases from 0 to :math:`\infty` as :math:`\eta` runs over the
    stable range :math:`(0, (2 + 2\beta)/L)`, so the solution exists and is unique;
    it is found by bisection, for every ``beta`` at once (shape of ``beta``).
    """
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    lam = check_range("eigenvalues", eigenvalues, 0.0, low_open=True)
    target = float(check_range("floor", floor, 0.0, low_open=True))
    check_range("sigma", sigma, 0.0, low_open=True)
    low = np.zeros_like(b)
    high = (2.0 + 2.0 * b) / np.max(lam)
    for _ in range(200):  # the interval halves each time; 200 halvings reach rounding
        mid = 0.5 * (low + high)
        below = heavy_ball_noise_floor(np.maximum(mid, 1e-300), b, lam, sigma) < target
        low, high = np.where(below, mid, low), np.where(below, high, mid)
        if np.all(high - low <= 4 * np.finfo(float).eps * high):
            break
    return np.asarray(0.5 * (low + high), dtype=np.float64)


class EqualFloor(NamedTuple):
    """Momentum tuned to a prescribed noise floor: one entry per ``beta``."""

    beta: Array  # the momenta tried (beta = 0 is gradient descent)
    learning_rate: Array  # eta giving the prescribed floor at that beta
    steps: NDArray[np.int64]  # steps until E||x_k - x*||^2 stays within factor x floor


def equal_floor_steps(
    floor: float,
    beta: ArrayLike,
    eigenvalues: ArrayLike,
    sigma: float,
    y0: ArrayLike,
    num_steps: int,
    *,
    factor: float = 2.0,
) -> EqualFloor:
    r"""For each :math:`\beta`, the :math:`\eta` with noise floor ``floor``.

    Also the steps that :math:`\eta` needs to settle there. The exact mean square
    (:func:`heavy_ball_mean_square`) is computed for all ``beta`` in one batch over
    ``num_steps`` steps; a curve counts as settled at step :math:`k`
    (:func:`settling_steps`) only if :math:`2k` is within the horizon, so that the rest
    of the curve shows it stays down; otherwise its entry is ``-1``. Comparing
    ``beta = 0`` (gradient descent) with the best other ``beta`` compares the two
    methods at equal stationary variance.
    """
    b = np.atleast_1d(check_range("beta", beta, 0.0, 1.0, high_open=True))
    lam = check_range("eigenvalues", eigenvalues, 0.0, low_open=True)
    eta = learning_rate_for_floor(b, lam, sigma, floor)
    curves = heavy_ball_mean_square(eta, b, lam, sigma, y0, num_steps)
    steps = settling_steps(curves, floor, factor)
    reliable = (steps >= 0) & (2 * steps <= num_steps)
    return EqualFloor(beta=b, learning_rate=eta, steps=np.where(reliable, steps, -1))


# --------------------------------------------------------------------------------------
# The chapter's experiments (cached per process: a cell, a figure and a test share a run)
# --------------------------------------------------------------------------------------

LOWER_BOUND_SIZE = 400
"""Coordinates of the convex Rosenbrock of the lower-bound section."""
LOWER_BOUND_KAPPA = 100.0
"""Its condition number."""
LOWER_BOUND_STEPS = 150
"""Steps of the lower-bound runs."""
ADAM_RATES = (0.01, 0.03, 0.1)
"""Adam's learning rates tried on the worst case: a coordinate-wise method obeys the bound too."""


def lower_bound_methods() -> dict[str, Optimizer]:
    r"""GD at :math:`2/(\mu+L)` and the tuned heavy ball for the convex Rosenbrock's spectrum.

    The spectrum bounds are :math:`\mu = 4/(\kappa-1)`, :math:`L = 4\kappa/(\kappa-1)`; then
    Adam at each of :data:`ADAM_RATES` (its defaults otherwise).
    """
    kk = LOWER_BOUND_KAPPA
    mu, big_l = 4 / (kk - 1), 4 * kk / (kk - 1)
    tuned = optimal_heavy_ball(mu, big_l)
    methods = {
        "gradient descent": gradient_descent(optimal_learning_rate(mu, big_l)),
        "momentum": momentum(tuned.learning_rate, tuned.beta),
    }
    methods.update({f"Adam, eta = {lr:g}": adam(lr) for lr in ADAM_RATES})
    return methods


@experiment
def lower_bound_experiment() -> dict[str, Any]:
    r"""Runs from :math:`w_0 = 0` on ``convex_rosenbrock(400, 100)``: errors, bound, support.

    ``"errors"``: :math:`\|w_k - w^\star\|` per method; ``"bound"``:
    :func:`krylov_lower_bound`; ``"support"``: per method, the number of leading
    coordinates of :math:`w_k` that are not exactly zero (the front), and ``"iterates"``:
    :math:`|w_{k,i}|` of GD and momentum, for the figure.
    """
    problem = convex_rosenbrock(LOWER_BOUND_SIZE, LOWER_BOUND_KAPPA)
    assert problem.x_star is not None
    errors, support, iterates = {}, {}, {}
    for name, opt in lower_bound_methods().items():
        w = run(opt, problem.grad, np.zeros(LOWER_BOUND_SIZE), LOWER_BOUND_STEPS).params
        errors[name] = np.linalg.norm(w - problem.x_star, axis=1)
        nonzero = w != 0.0
        last = LOWER_BOUND_SIZE - np.argmax(nonzero[:, ::-1], axis=1)
        support[name] = np.where(nonzero.any(axis=1), last, 0)
        if name in ("gradient descent", "momentum"):
            iterates[name] = np.abs(w)
    bound = krylov_lower_bound(problem.x_star, LOWER_BOUND_STEPS)
    return {"errors": errors, "bound": bound, "support": support, "iterates": iterates}


def gradient_descent_count_on_the_worst_case(tol: float = 1e-6) -> int:
    r"""Steps of GD at :math:`2/(\mu+L)` to shrink the error on the convex Rosenbrock by ``tol``.

    Read off the previous chapter's closed form
    (:func:`~gdbook.gradient_descent.eigen_errors` in the eigenbasis of the problem), which
    needs no run of several hundred steps; it is well below the count the worst-case rate
    :math:`(\kappa-1)/(\kappa+1)` guarantees, because the start :math:`w_0 = 0` does not
    load the flattest directions fully.
    """
    problem = convex_rosenbrock(LOWER_BOUND_SIZE, LOWER_BOUND_KAPPA)
    assert problem.x_star is not None
    kk = LOWER_BOUND_KAPPA
    eta = float(optimal_learning_rate(4 / (kk - 1), 4 * kk / (kk - 1)))
    y0 = problem.to_eigenbasis(np.zeros(LOWER_BOUND_SIZE))
    horizon = int(np.ceil(np.log(tol) / np.log((kk - 1) / (kk + 1)))) + 1  # the guaranteed count
    errors = np.linalg.norm(eigen_errors(eta, problem.eigenvalues, y0, horizon), axis=1)
    return int(first_step_below(errors, tol * errors[0]))


LOGISTIC_SAMPLES = 200
"""Examples of the logistic-regression experiment (two features, ``logistic_data``)."""
LOGISTIC_L2 = 1e-2
"""Its L2 penalty (the loss is strongly convex)."""
LOGISTIC_STEPS = 300
"""Steps of its runs."""


def logistic_problem() -> Any:
    """The book's logistic regression: 200 points in two classes, two features, L2 = 0.01."""
    features, labels = logistic_data(LOGISTIC_SAMPLES, 2, seed=0)
    return logistic_regression(features, labels, l2=LOGISTIC_L2)


@experiment
def logistic_experiment() -> dict[str, Any]:
    r"""GD and the heavy ball on logistic regression, tuned from the Hessian at the minimum.

    Polyak's theorem is local: near a minimiser of a :math:`C^2` function with
    :math:`\mu \le \nabla^2 f(x^\star) \le L`, the tuned pair converges at
    :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)`. Here :math:`\mu, L` are the extreme eigenvalues
    of :math:`\nabla^2 f(w^\star)`; both methods start at :math:`w_0 = 0`. Returns the
    spectrum, both tunings, the iterates, the errors :math:`\|w_k - w^\star\|`, the steps
    to :math:`10^{-6}` times the first error and the predicted local rates.
    """
    problem = logistic_problem()
    eigenvalues = np.linalg.eigvalsh(problem.hessian(problem.x_star))
    mu, big_l = float(eigenvalues[0]), float(eigenvalues[-1])
    tuned = optimal_heavy_ball(mu, big_l)
    gd_eta = float(optimal_learning_rate(mu, big_l))
    methods = {
        "gradient descent": (gradient_descent(gd_eta), (big_l - mu) / (big_l + mu)),
        "momentum": (momentum(tuned.learning_rate, tuned.beta), float(tuned.rate)),
    }
    paths, errors, steps, rates = {}, {}, {}, {}
    for name, (opt, rate) in methods.items():
        paths[name] = run(opt, problem.grad, np.zeros(2), LOGISTIC_STEPS).params
        errors[name] = np.linalg.norm(paths[name] - problem.x_star, axis=1)
        steps[name] = int(first_step_below(errors[name], 1e-6 * errors[name][0]))
        rates[name] = rate
    return {
        "mu": mu,
        "L": big_l,
        "gd_learning_rate": gd_eta,
        "tuning": tuned,
        "paths": paths,
        "errors": errors,
        "steps": steps,
        "rates": rates,
    }


LOGISTIC_GRID_RATES = np.geomspace(0.1, 10.0, 25)
"""Learning rates of the grid search on the logistic regression."""
LOGISTIC_GRID_BETAS = np.linspace(0.0, 0.9, 10)
"""Momenta of the grid search (beta = 0 is gradient descent)."""


@experiment
def logistic_grid_search() -> dict[str, Any]:
    r"""Steps to :math:`10^{-6}` for every pair of a grid, as one would tune without a Hessian.

    All :data:`LOGISTIC_GRID_RATES` :math:`\times` :data:`LOGISTIC_GRID_BETAS` run as one
    batch from :math:`w_0 = 0` for :data:`LOGISTIC_STEPS` steps; a pair that does not arrive
    (or diverges) counts ``-1``. Returns the counts (rows beta) and the best pair with and
    without momentum.
    """
    problem = logistic_problem()
    rates, betas = np.meshgrid(LOGISTIC_GRID_RATES, LOGISTIC_GRID_BETAS)
    opt = momentum(rates[..., None], betas[..., None])
    x0 = np.zeros((*rates.shape, 2))
    traj = run(opt, problem.grad, x0, LOGISTIC_STEPS, record_states=False)
    errors = np.linalg.norm(traj.params - problem.x_star, axis=-1)
    counts = first_step_below(errors, 1e-6 * errors[0])
    ranked = np.where(counts >= 0, counts, np.iinfo(np.int64).max)
    best = np.unravel_index(np.argmin(ranked), ranked.shape)
    best_gd = int(np.argmin(ranked[0]))
    return {
        "counts": counts,
        "best": (float(rates[best]), float(betas[best]), int(counts[best])),
        "best_gd": (float(rates[0, best_gd]), int(counts[0, best_gd])),
    }


LESSARD_START = 3.3
"""Lessard et al.'s start :math:`x_0 = x_{-1}` (our :math:`b_0 = 0`)."""
LESSARD_CYCLE_START = 60
"""By this step the tuned heavy ball sits on its 3-cycle."""
LESSARD_BASIN = np.linspace(-10.0, 10.0, 4001)
"""Starts :math:`x_0 = x_{-1}` (at rest) of the basin scan on Lessard's function."""


@experiment
def lessard_basin(num_steps: int = 1000) -> dict[str, NDArray[Any]]:
    """Which starts lock the tuned heavy ball into the 3-cycle: the iterate after ``num_steps``.

    ``"start"``: :data:`LESSARD_BASIN`; ``"end"``: :math:`x_N`; ``"cycles"``: whether
    :math:`|x_N| > 10^{-6}` (every converging start is at the round-off floor by then).
    """
    tuned = optimal_heavy_ball(1.0, 25.0)
    starts = LESSARD_BASIN[:, None]
    traj = run(
        momentum(tuned.learning_rate, tuned.beta),
        lessard_problem().grad,
        starts,
        num_steps,
        record_states=False,
    )
    end = traj.params[-1, :, 0]
    return {"start": LESSARD_BASIN, "end": end, "cycles": np.abs(end) > 1e-6}


def basin_around(start: float, cycles: ArrayLike, starts: ArrayLike) -> tuple[float, float]:
    """The interval of grid starts around ``start`` that all cycle (its first and last point)."""
    flags = np.asarray(cycles, dtype=bool)
    grid = np.asarray(starts, dtype=np.float64)
    i = int(np.argmin(np.abs(grid - start)))
    if not flags[i]:
        raise ValueError(f"the start {start} does not cycle")
    low, high = i, i
    while low > 0 and flags[low - 1]:
        low -= 1
    while high < grid.size - 1 and flags[high + 1]:
        high += 1
    return float(grid[low]), float(grid[high])


@experiment
def lessard_run(num_steps: int = 90, start: float = LESSARD_START) -> Array:
    """Tuned heavy ball (eta = 1/9, beta = 4/9) on Lessard's function: the iterates x_k."""
    tuned = optimal_heavy_ball(1.0, 25.0)
    opt = momentum(tuned.learning_rate, tuned.beta)
    return run(opt, lessard_problem().grad, [start], num_steps).params[:, 0]


SADDLE_BETAS = (0.0, 0.5, 0.9)
"""Momenta of the saddle runs (0 is the previous chapter's gradient descent)."""


@experiment
def saddle_escapes(learning_rate: float = 0.2) -> dict[str, Array]:
    r"""First step with :math:`|y_k| \ge 0.5` on the saddle, per momentum and offset.

    Starts :math:`(1.5, y_0)` with :math:`y_0` from
    :data:`gdbook.gradient_descent.SADDLE_OFFSETS`, at rest; rows :data:`SADDLE_BETAS`.
    Also the escape factors of :func:`saddle_escape_factor` and the paths of the largest
    :math:`\beta` (for a figure).
    """
    from gdbook.gradient_descent import SADDLE_OFFSETS

    problem = saddle()
    x0 = np.stack([np.full(len(SADDLE_OFFSETS), 1.5), np.array(SADDLE_OFFSETS)], axis=-1)
    counts = []
    for b in SADDLE_BETAS:
        traj = run(momentum(learning_rate, b), problem.grad, x0, 400, record_states=False)
        counts.append(first_step_above(np.abs(traj.params[..., 1]), 0.5))
    factors = saddle_escape_factor(learning_rate, np.array(SADDLE_BETAS), 1.0)
    return {"steps": np.array(counts), "factors": factors, "offsets": np.array(SADDLE_OFFSETS)}


NOISE_LEARNING_RATE = 0.25
"""Learning rate of GD and momentum in the noise section; GD also runs at eta / (1 - beta)."""
NOISE_BETA = 0.75
"""Momentum of the noise section: the effective rate eta / (1 - beta) is 1."""
NOISE_CHAINS = 2000
"""Independent noisy runs per method."""
NOISE_STEPS = 400
"""Steps of each noisy run."""
NOISE_BURN_IN = 250
"""Steps discarded before averaging: what is left of the transients is below 1e-4."""
NOISE_FLOORS = np.geomspace(2.0, 0.01, 8)
"""Prescribed floors of the equal-floor comparison."""
NOISE_BETAS = np.concatenate([[0.0], 1.0 - np.geomspace(1.0, 1e-4, 120)[1:]])
"""Momenta tried at each floor (beta = 0 is gradient descent)."""


def noise_methods() -> dict[str, tuple[float, float]]:
    """The three runs of the noise section: name -> (learning rate, beta)."""
    eta, beta = NOISE_LEARNING_RATE, NOISE_BETA
    return {
        f"GD, eta = {eta:g}": (eta, 0.0),
        f"momentum, eta = {eta:g}, beta = {beta:g}": (eta, beta),
        f"GD, eta = eta/(1 - beta) = {eta / (1 - beta):g}": (eta / (1 - beta), 0.0),
    }


@experiment
def noise_runs(seed: int = 0) -> dict[str, Array]:
    r"""Squared errors :math:`\|x_k\|^2` of :data:`NOISE_CHAINS` noisy runs per method.

    Shape ``(steps + 1, chains)``, on the valley with gradient noise
    :data:`~gdbook.examples.NOISE_SIGMA`. Method ``i`` draws its noise from
    ``np.random.default_rng(seed + i)``; all runs of a method are one call of
    :func:`~gdbook.base.run`.
    """
    x0 = np.broadcast_to(VALLEY.start, (NOISE_CHAINS, 2))
    out = {}
    for i, (name, (eta, beta)) in enumerate(noise_methods().items()):
        problem = noisy(VALLEY.problem(), NOISE_SIGMA, np.random.default_rng(seed + i))
        traj = run(momentum(eta, beta), problem.grad, x0, NOISE_STEPS, record_states=False)
        out[name] = np.sum(traj.params**2, axis=-1)
    return out


@experiment
def equal_floor_comparison(floors: tuple[float, ...] | None = None) -> tuple[Array, Array, Array]:
    r"""Steps to settle within twice a given floor in the noisy valley: GD and the best momentum.

    For each floor (default :data:`NOISE_FLOORS`), :func:`equal_floor_steps` over
    :data:`NOISE_BETAS`. The horizon is twice gradient descent's count, read off its
    closed form (:func:`~gdbook.gradient_descent.sgd_expected_sq_error`), so every
    method at least as fast as gradient descent is counted. Returns the GD counts, the
    best momentum counts and the best betas, one entry per floor.
    """
    problem = VALLEY.problem()
    lam, y0 = problem.eigenvalues, problem.to_eigenbasis(VALLEY.start)
    gd, best, best_beta = [], [], []
    for floor in NOISE_FLOORS if floors is None else np.asarray(floors, dtype=np.float64):
        gd_eta = float(learning_rate_for_floor(0.0, lam, NOISE_SIGMA, float(floor)))

        def gd_settling(horizon: int, eta: float = gd_eta, v: float = float(floor)) -> int:
            curve = sgd_expected_sq_error(eta, lam, NOISE_SIGMA, y0, horizon)
            steps = int(settling_steps(curve, v))
            return steps if 0 <= 2 * steps <= horizon else -1

        gd_steps = doubling_horizon(gd_settling, lambda n: n >= 0, start=128, limit=10**7)
        res = equal_floor_steps(float(floor), NOISE_BETAS, lam, NOISE_SIGMA, y0, 2 * gd_steps + 2)
        settled = res.steps[1:] >= 0
        i = 1 + int(np.argmin(np.where(settled, res.steps[1:], np.iinfo(np.int64).max)))
        gd.append(res.steps[0])
        best.append(res.steps[i])
        best_beta.append(res.beta[i])
    return np.array(gd), np.array(best), np.array(best_beta)
