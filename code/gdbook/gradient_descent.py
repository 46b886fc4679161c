r"""Chapter *The gradient-descent problem*: steepest descent and its analysis.

Symbols: :math:`x_k` ``params``, :math:`\eta` ``learning_rate``,
:math:`\lambda_i` eigenvalues of the Hessian, :math:`\mu, L` the smallest and
largest of them, :math:`\kappa = L/\mu` the condition number.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.base import Optimizer, Trajectory, run, scale_by_learning_rate, stack
from gdbook.checks import check_count, check_finite_array, check_range
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.measure import doubling_horizon, experiment, first_step_below
from gdbook.problems import Quadratic, noisy, saddle
from gdbook.types import Array, Hyper


def gradient_descent(learning_rate: Hyper) -> Optimizer:
    r"""Steepest descent :math:`x_{k+1} = x_k - \eta\,\nabla f(x_k)` (Cauchy 1847).

    ``learning_rate`` is a number >= 0, an array of them (a sweep), or a schedule
    ``t -> eta_t``. With noisy gradients this is stochastic gradient descent.
    """
    return scale_by_learning_rate(learning_rate)


# --------------------------------------------------------------------------------------
# Analysis on the quadratic f(x) = 1/2 (x - x*)^T A (x - x*), A = Q diag(lambda) Q^T
# --------------------------------------------------------------------------------------


def iterations_to_tolerance(
    make_optimizer: Callable[[float, float], Optimizer],
    kappas: ArrayLike,
    *,
    tol: float = 1e-6,
    max_steps: int = 100_000,
    dim: int = 2,
    vectorized: bool = False,
) -> NDArray[np.int64]:
    r"""First :math:`k` with :math:`\|x_k - x^\star\| \le \mathrm{tol}\,\|x_0 - x^\star\|`.

    For each ``kappa`` the problem is the quadratic with ``dim`` eigenvalues spread
    geometrically from :math:`\mu = 1` to :math:`L = \kappa` (``np.geomspace(1, kappa,
    dim)``), :math:`x^\star = 0`, started from :math:`x_0 = (1, \dots, 1)`; the
    optimizer is ``make_optimizer(mu, L)`` (its hyperparameters tuned to the
    spectrum). The result has the shape of ``kappas``; ``-1`` marks a run that did
    not reach ``tol`` within ``max_steps`` updates (or diverged first).

    All values of ``kappa`` share one run, whose length doubles until every point has
    arrived. ``make_optimizer`` is called once per ``kappa`` with floats (the optimizers
    are stacked row by row) or, with ``vectorized=True``, once with arrays ``mu`` and
    ``L`` of shape ``(len(kappas), 1)``: much faster, and the same counts.

    References: Goh (2017, "Choosing a step-size"); Nesterov (2004, Thm. 2.1.15).
    """
    kappa = check_range("kappas", kappas, 1.0)
    shape = kappa.shape
    kappa = np.atleast_1d(kappa).ravel()
    check_range("tol", tol, 0.0, 1.0, low_open=True, high_open=True)
    check_count("max_steps", max_steps, 1)
    check_count("dim", dim, 2)
    eigenvalues = np.stack([np.geomspace(1.0, kk, dim) for kk in kappa])  # (n, d)
    if vectorized:
        column = kappa[:, None]
        opt = make_optimizer(np.ones_like(column), column)  # type: ignore[arg-type]
    else:
        opt = stack([make_optimizer(1.0, float(kk)) for kk in kappa])
    x0 = np.ones((kappa.size, dim))

    def attempt(num_steps: int) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        traj = run(opt, lambda x: x * eigenvalues, x0, num_steps, record_states=False)
        errors = np.linalg.norm(traj.params, axis=-1)  # (k + 1, n); A = diag(lambda), x* = 0
        return first_step_below(errors, tol * np.sqrt(dim)), traj.diverged  # tol ||x_0 - x*||

    first, _ = doubling_horizon(
        attempt, lambda found: bool(np.all((found[0] >= 0) | found[1])), limit=max_steps
    )
    return first.reshape(shape)


def contraction_factors(learning_rate: ArrayLike, eigenvalues: ArrayLike) -> Array:
    r"""Per-eigendirection factors :math:`1 - \eta\lambda_i`, shape ``(*eta.shape, d)``.

    One GD step multiplies the error coordinate :math:`y_i = q_i^\top (x - x^\star)`
    by this factor (Goh 2017, eq. for :math:`x_i^{k+1}`).
    """
    eta = np.asarray(learning_rate, dtype=np.float64)
    lam = np.asarray(eigenvalues, dtype=np.float64)
    return 1.0 - eta[..., None] * lam


def spectral_radius(learning_rate: ArrayLike, eigenvalues: ArrayLike) -> Array:
    r"""Worst contraction :math:`\rho(\eta) = \max_i |1 - \eta\lambda_i|`.

    GD on the quadratic converges from every start iff :math:`\rho < 1`; only the
    extreme eigenvalues matter, because :math:`|1 - \eta\lambda|` is convex in
    :math:`\lambda`. Shape of ``learning_rate``.
    """
    return np.asarray(np.max(np.abs(contraction_factors(learning_rate, eigenvalues)), axis=-1))


def max_stable_learning_rate(eigenvalues: ArrayLike) -> float:
    r"""The stability limit :math:`2/L`: :math:`0 < \eta\lambda_i < 2` for every :math:`i`."""
    lam = check_range("eigenvalues", eigenvalues, 0.0, low_open=True)
    return float(2.0 / np.max(lam))


def optimal_learning_rate(mu: ArrayLike, L: ArrayLike) -> Array:
    r"""The step :math:`\eta^\star = 2/(\mu + L)` that minimises :math:`\rho(\eta)`.

    References: Goh (2017, "Choosing a step-size"); Nesterov (2004, Thm. 2.1.15).
    """
    low = check_range("mu", mu, 0.0, low_open=True)
    high = check_range("L", L, 0.0, low_open=True)
    return np.asarray(2.0 / (low + high))


def optimal_rate(kappa: ArrayLike) -> Array:
    r"""The best worst-case contraction :math:`\rho(\eta^\star) = (\kappa - 1)/(\kappa + 1)`."""
    kk = check_range("kappa", kappa, 1.0)
    return np.asarray((kk - 1.0) / (kk + 1.0))


def predicted_iterations(rate: ArrayLike, tol: float = 1e-6) -> NDArray[np.int64]:
    r"""Steps until :math:`r^k \le \epsilon`: :math:`k = \lceil \ln\epsilon / \ln r \rceil`.

    It is 1 if :math:`r = 0`.
    """
    r = check_range("rate", rate, 0.0, 1.0, high_open=True)
    check_range("tol", tol, 0.0, 1.0, low_open=True, high_open=True)
    with np.errstate(divide="ignore"):
        steps = np.ceil(np.log(tol) / np.log(r))
    return np.asarray(np.where(r == 0, 1, steps), dtype=np.int64)


def eigen_errors(
    learning_rate: float, eigenvalues: ArrayLike, y0: ArrayLike, num_steps: int
) -> Array:
    r"""Predicted error coordinates :math:`y_{i,k} = (1 - \eta\lambda_i)^k y_{i,0}`.

    Shape ``(num_steps + 1, d)``.
    """
    factors = contraction_factors(learning_rate, eigenvalues)
    steps = np.arange(num_steps + 1)[:, None]
    with np.errstate(over="ignore"):
        return np.asarray(factors**steps * np.asarray(y0, dtype=np.float64))


def loss_terms(
    learning_rate: float, eigenvalues: ArrayLike, y0: ArrayLike, num_steps: int
) -> Array:
    r"""Loss per eigendirection, :math:`\tfrac12 \lambda_i (1 - \eta\lambda_i)^{2k} y_{i,0}^2`.

    Their sum is :math:`f(x_k) - f^\star`. Shape ``(num_steps + 1, d)``.

    References: Goh (2017, "First steps: gradient descent").
    """
    y = eigen_errors(learning_rate, eigenvalues, y0, num_steps)
    return np.asarray(0.5 * np.asarray(eigenvalues, dtype=np.float64) * y**2)


def exact_line_search(problem: Quadratic, x0: ArrayLike, num_steps: int) -> Array:
    r"""Steepest descent with the exact step (Cauchy 1847).

    :math:`\eta_k = g_k^\top g_k / g_k^\top A g_k`. Returns the iterates, shape
    ``(num_steps + 1, d)``. The step minimises :math:`f(x_k - \eta g_k)` exactly, so it
    needs the Hessian :math:`A`; that is why it is a function of the problem and not an
    :class:`Optimizer`. Successive gradients are orthogonal, which is the zig-zag.
    Iteration stops early (the remaining rows repeat the last point) once the gradient
    is exactly zero.

    References: Cauchy (1847); Akaike (1959); Nocedal & Wright (2006, §3.3).
    """
    x = check_finite_array("x0", x0)
    points = [x]
    for _ in range(num_steps):
        g = problem.grad(x)
        curvature = float(g @ problem.matrix @ g)  # g^T A g
        step_size = float(g @ g) / curvature if curvature > 0 else 0.0
        x = x - step_size * g
        points.append(x)
    return np.stack(points)


def sgd_noise_floor(learning_rate: ArrayLike, eigenvalues: ArrayLike, sigma: float) -> Array:
    r"""Stationary :math:`\mathbb E\|x - x^\star\|^2` of GD with noisy gradients.

    It is :math:`\sum_i \eta\sigma^2 / (\lambda_i (2 - \eta\lambda_i))` for gradients
    :math:`\nabla f(x) + \sigma\xi`, :math:`\xi \sim N(0, I)`, on the quadratic; needs
    :math:`0 < \eta\lambda_i < 2`. Shape of ``learning_rate``.
    """
    eta = np.asarray(learning_rate, dtype=np.float64)[..., None]
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if np.any(eta * lam <= 0) or np.any(eta * lam >= 2):
        raise ValueError("sgd_noise_floor needs 0 < learning_rate * eigenvalue < 2")
    return np.asarray(np.sum(eta * sigma**2 / (lam * (2.0 - eta * lam)), axis=-1))


def sgd_expected_sq_error(
    learning_rate: float, eigenvalues: ArrayLike, sigma: float, y0: ArrayLike, num_steps: int
) -> Array:
    r"""Expected squared error of GD with noisy gradients, shape ``(num_steps + 1,)``.

    :math:`\mathbb E\|x_k - x^\star\|^2 = \sum_i v_i + (1 - \eta\lambda_i)^{2k} (y_{i,0}^2 - v_i)`.
    :math:`v_i = \eta\sigma^2/(\lambda_i(2 - \eta\lambda_i))` is the floor of direction
    :math:`i`; the transient decays like the noiseless error squared.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    floors = np.array([sgd_noise_floor(learning_rate, [li], sigma) for li in lam])
    decay = contraction_factors(learning_rate, lam) ** (2 * np.arange(num_steps + 1)[:, None])
    return np.asarray(np.sum(floors + decay * (np.asarray(y0, float) ** 2 - floors), axis=-1))


def saddle_escape_steps(
    y0: ArrayLike, learning_rate: float, curvature: float = 1.0, distance: float = 1.0
) -> Array:
    r"""Steps to go from :math:`y_0` to ``distance`` along a direction of curvature :math:`-\gamma`.

    Linearised at the saddle, :math:`y_{k+1} = (1 + \eta\gamma) y_k`, so
    :math:`k = \ln(\delta / y_0) / \ln(1 + \eta\gamma)`: the plateau lasts
    logarithmically long in the starting offset (Dauphin et al. 2014).
    """
    y = check_range("y0", np.abs(np.asarray(y0, dtype=np.float64)), 0.0, low_open=True)
    return np.asarray(np.log(distance / y) / np.log1p(learning_rate * curvature))


# --------------------------------------------------------------------------------------
# The chapter's experiments (cached per process: a cell, a figure and a test share a run)
# --------------------------------------------------------------------------------------

VALLEY_RATES = (0.5, float(optimal_learning_rate(1.0 / VALLEY.kappa, 1.0)), 2.1)
"""Learning rates of the valley figure: too small, the best fixed one, above 2/L."""
VALLEY_STEPS = 30
"""Steps of the converging runs that the valley figure draws."""
DIVERGENCE_BOUND = 1e3
"""|x| beyond which the chapter's pictures count a run as diverged."""


@experiment
def valley_runs(num_steps: int = 100) -> tuple[Trajectory, ...]:
    """GD from the valley's start at each of :data:`VALLEY_RATES`."""
    problem = VALLEY.problem()
    return tuple(
        run(gradient_descent(eta), problem.grad, VALLEY.start, num_steps, bound=DIVERGENCE_BOUND)
        for eta in VALLEY_RATES
    )


KAPPA_GRID = np.geomspace(2.0, 1000.0, 16)
"""Condition numbers of the kappa experiment."""


@experiment
def kappa_experiment(tol: float = 1e-6) -> dict[str, NDArray[np.float64] | NDArray[np.int64]]:
    """Measured iterations to ``tol`` over :data:`KAPPA_GRID`, GD at eta* = 2/(mu+L) and at 1/L."""
    best = iterations_to_tolerance(
        lambda mu, L: gradient_descent(2 / (mu + L)), KAPPA_GRID, tol=tol, vectorized=True
    )
    one_over_l = iterations_to_tolerance(
        lambda mu, L: gradient_descent(1 / L), KAPPA_GRID, tol=tol, vectorized=True
    )
    return {"kappa": KAPPA_GRID, "best": best, "one_over_L": one_over_l}


def worst_line_search_start(problem: Quadratic, size: float = 3.5) -> Array:
    r"""A start from which exact line search is slowest: :math:`y_0 \propto (1/\mu, -1/L)`.

    Its gradient has equal components along the two eigenvectors, which makes the
    Kantorovich bound tight (Akaike 1959). Scaled to length ``size``.
    """
    y0 = np.array([-1.0 / problem.eigenvalues[0], 1.0 / problem.eigenvalues[-1]])
    return np.asarray(size * (problem.eigenvectors @ y0) / np.linalg.norm(y0))


def loss_ratios(problem: Quadratic, points: Array) -> Array:
    r"""Per-step ratios :math:`(f(x_{k+1}) - f^\star)/(f(x_k) - f^\star)` along a path."""
    gap = problem.value(points) - (problem.f_star or 0.0)
    return np.asarray(gap[1:] / gap[:-1])


SADDLE_OFFSETS = (1e-1, 1e-4, 1e-8)
"""Distances from the stable manifold y = 0 of the saddle runs."""
SADDLE_RATE = 0.2
"""Learning rate of the saddle runs."""


@experiment
def saddle_runs(num_steps: int = 160) -> tuple[Array, ...]:
    """GD paths on :func:`~gdbook.problems.saddle` from (1.5, delta), one per offset delta."""
    problem = saddle()
    return tuple(
        run(gradient_descent(SADDLE_RATE), problem.grad, np.array([1.5, d]), num_steps).path()
        for d in SADDLE_OFFSETS
    )


NOISE_RATES = (1.0, 0.25)
"""Learning rates of the noisy runs."""
NOISE_CHAINS = 2000
"""Independent noisy runs per learning rate."""
NOISE_STEPS = 250
"""Steps of each noisy run."""
NOISE_SHOWN = 400
"""End points of the noisy runs that the noise figure draws."""


@experiment
def noisy_runs(seed: int = 0) -> tuple[Array, ...]:
    r"""Iterates of :data:`NOISE_CHAINS` SGD runs per rate, each ``(steps + 1, chains, 2)``.

    The gradient is :math:`\nabla f(x) + \sigma\xi` with :data:`~gdbook.examples.NOISE_SIGMA`;
    learning rate ``i`` draws its noise from ``np.random.default_rng(seed + i)``.
    """
    problem = VALLEY.problem()
    x0 = np.broadcast_to(VALLEY.start, (NOISE_CHAINS, 2))
    out = []
    for i, eta in enumerate(NOISE_RATES):
        stochastic = noisy(problem, NOISE_SIGMA, np.random.default_rng(seed + i))
        traj = run(gradient_descent(eta), stochastic.grad, x0, NOISE_STEPS, record_states=False)
        out.append(traj.params)
    return tuple(out)
