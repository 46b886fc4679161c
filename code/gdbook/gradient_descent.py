r"""Chapter *The gradient-descent problem*: steepest descent and its analysis.

Symbols: :math:`x_k` ``params``, :math:`\eta` ``learning_rate``,
:math:`\lambda_i` eigenvalues of the Hessian, :math:`\mu, L` the smallest and
largest of them, :math:`\kappa = L/\mu` the condition number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.base import Optimizer, Trajectory, run, scale_by_learning_rate, stack
from gdbook.checks import check_count, check_finite_array, check_range
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.measure import doubling_horizon, experiment, first_step_below
from gdbook.problems import (
    Quadratic,
    noisy,
    orthonormal_columns,
    quadratic,
    saddle,
    vecmat,
)
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
        curvature = float(np.sum(g * vecmat(g, problem.matrix)))  # g^T A g, BLAS-free
        step_size = float(np.sum(g * g)) / curvature if curvature > 0 else 0.0
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
# Planned step sizes: the Chebyshev method
# --------------------------------------------------------------------------------------


def residual_polynomial(learning_rates: ArrayLike, eigenvalues: ArrayLike) -> Array:
    r"""The factor :math:`p_k(\lambda) = \prod_{i=1}^{k} (1 - \eta_i\lambda)` of ``k`` steps.

    Gradient descent with the step sizes :math:`\eta_1, \dots, \eta_k` (``learning_rates``,
    last axis) multiplies the error along an eigenvector of eigenvalue :math:`\lambda` by
    this polynomial, whatever the order of the steps. Shape ``(*eigenvalues.shape,)``.
    """
    rates = np.asarray(learning_rates, dtype=np.float64)
    lam = np.asarray(eigenvalues, dtype=np.float64)[..., None]
    return np.asarray(np.prod(1.0 - rates * lam, axis=-1), dtype=np.float64)


def chebyshev_learning_rates(mu: float, L: float, num_steps: int) -> Array:
    r"""Steps :math:`\eta_i = 1/\nu_i`, the reciprocals of the Chebyshev nodes on :math:`[\mu, L]`.

    :math:`\nu_i = \tfrac{L+\mu}{2} + \tfrac{L-\mu}{2}\cos\tfrac{(2i-1)\pi}{2k}`,
    :math:`i = 1, \dots, k`: the roots of the shifted Chebyshev polynomial, so that
    :func:`residual_polynomial` is :math:`T_k\big(\tfrac{L+\mu-2\lambda}{L-\mu}\big) /
    T_k\big(\tfrac{L+\mu}{L-\mu}\big)`, the smallest possible on :math:`[\mu, L]`. In exact
    arithmetic the order of the steps does not matter; in floating point it does. The
    steps come from the middle of the spectrum outwards, alternating sides: then no partial
    product exceeds 1 on :math:`[\mu, L]` (the error never grows on the way), and the
    rounding errors, which the remaining steps multiply, stay far below the bound (a
    monotone order amplifies them by up to :math:`10^{16}` at :math:`\kappa = 100`,
    :math:`k = 40`).

    References: Young (1953); Pedregosa (2020, "Residual polynomials and the Chebyshev
    method").
    """
    low = float(check_range("mu", mu, 0.0, low_open=True))
    high = float(check_range("L", L, low))
    k = check_count("num_steps", num_steps, 1)
    i = np.arange(1, k + 1)
    nodes = (high + low) / 2 + (high - low) / 2 * np.cos((2 * i - 1) * np.pi / (2 * k))
    order = np.argsort(np.abs(np.arange(k) - (k - 1) / 2), kind="stable")  # middle out
    return np.asarray(1.0 / nodes[order], dtype=np.float64)


def chebyshev_rate(kappa: ArrayLike) -> Array:
    r"""The rate :math:`r = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)` of the Chebyshev bound."""
    kk = check_range("kappa", kappa, 1.0)
    return np.asarray((np.sqrt(kk) - 1.0) / (np.sqrt(kk) + 1.0), dtype=np.float64)


def chebyshev_bound(kappa: ArrayLike, num_steps: ArrayLike) -> Array:
    r"""Chebyshev steps' worst factor on :math:`[\mu, L]`, :math:`1/T_k(\frac{\kappa+1}{\kappa-1})`.

    It equals :math:`2r^k/(1 + r^{2k})` with :math:`r` of :func:`chebyshev_rate`, so it
    shrinks like :math:`r^k`: the condition number enters through its square root. No
    polynomial of degree :math:`k` with :math:`p(0) = 1` is smaller on the whole interval
    (Chebyshev's minimax property).
    """
    r = chebyshev_rate(kappa)
    k = np.asarray(num_steps, dtype=np.float64)
    return np.asarray(2.0 * r**k / (1.0 + r ** (2.0 * k)), dtype=np.float64)


def chebyshev_momentum_coefficients(mu: float, L: float, num_steps: int) -> tuple[Array, Array]:
    r"""Chebyshev as momentum, :math:`x_k = x_{k-1} - \alpha_k g_k + \beta_k \Delta_{k-1}`.

    Here :math:`g_k = \nabla f(x_{k-1})` and :math:`\Delta_{k-1} = x_{k-1} - x_{k-2}`.

    The three-term recurrence of the Chebyshev polynomials gives
    :math:`\alpha_k = \omega_k\,\tfrac{2}{\mu+L}` and :math:`\beta_k = \omega_k - 1` with
    :math:`\omega_1 = 1`, :math:`\omega_2 = 2/(2-\sigma^2)`,
    :math:`\omega_{k+1} = 1/(1 - \sigma^2\omega_k/4)`, :math:`\sigma = (L-\mu)/(L+\mu)`;
    after :math:`k` such updates the error is multiplied by the Chebyshev residual
    polynomial of degree :math:`k`, the best at *every* step. The coefficients tend to
    constants, the heavy ball's tuned pair (the next chapter): the heavy ball is the
    stationary limit of the Chebyshev method. Returns :math:`(\alpha_k, \beta_k)` for
    :math:`k = 1, \dots,` ``num_steps``.

    References: Golub & Varga (1961); Pedregosa (2020, "Momentum: when Chebyshev meets
    Chebyshev").
    """
    low = float(check_range("mu", mu, 0.0, low_open=True))
    high = float(check_range("L", L, low))
    k = check_count("num_steps", num_steps, 1)
    sigma2 = ((high - low) / (high + low)) ** 2
    omega = [1.0, 2.0 / (2.0 - sigma2)]
    while len(omega) < k:
        omega.append(1.0 / (1.0 - sigma2 * omega[-1] / 4.0))
    w = np.asarray(omega[:k], dtype=np.float64)
    return w * 2.0 / (low + high), w - 1.0


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
    return np.asarray(size * vecmat(y0, problem.eigenvectors.T) / np.linalg.norm(y0))


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


CHEBYSHEV_KAPPA = 100.0
"""Condition number of the Chebyshev experiment (spectrum [1, 100])."""
CHEBYSHEV_STEPS = 40
"""Steps of the Chebyshev experiment: the horizon the step sizes are planned for."""
CHEBYSHEV_DIM = 50
"""Dimension of the rotated quadratic on which the planned steps are run."""


def _chebyshev_runs(problem: Quadratic, x0: Array, rates: Array) -> dict[str, Array]:
    """Relative errors of GD with ``rates`` in three orders: as given, increasing, decreasing."""
    orders = {"planned": rates, "increasing": np.sort(rates), "decreasing": np.sort(rates)[::-1]}
    out = {}
    for name, steps in orders.items():

        def schedule(step: int, planned: Array = steps) -> float:
            return float(planned[step - 1])

        traj = run(
            gradient_descent(schedule),
            problem.grad,
            x0,
            steps.size,
            bound=1e300,  # the increasing order passes 1e16 and comes back
            record_states=False,
        )
        errors = np.linalg.norm(traj.params, axis=-1)
        out[name] = errors / errors[0]
    return out


@experiment
def chebyshev_experiment(seed: int = 0) -> dict[str, Any]:
    r"""Planned against fixed steps at :data:`CHEBYSHEV_KAPPA`, :data:`CHEBYSHEV_STEPS` steps.

    ``"lam"``: a fine grid of :math:`[\mu, L] = [1, \kappa]`; ``"fixed"`` and ``"chebyshev"``:
    :math:`|p_k(\lambda)|` on it for :math:`\eta^\star = 2/(\mu+L)` and for
    :func:`chebyshev_learning_rates`, each for :math:`k = 0, \dots, K` (rows); the worst case
    over the spectrum is the maximum of a row. ``"runs"``: relative errors of the planned
    steps on a randomly rotated quadratic of dimension :data:`CHEBYSHEV_DIM` whose spectrum
    fills :math:`[1, \kappa]` (both ends included), in the three orders of
    :func:`_chebyshev_runs`, from a random start (``np.random.default_rng(seed)``).
    """
    mu, big_l, k = 1.0, CHEBYSHEV_KAPPA, CHEBYSHEV_STEPS
    lam = np.linspace(mu, big_l, 4001)
    rates = chebyshev_learning_rates(mu, big_l, k)
    steps = np.arange(k + 1)
    fixed = np.abs(1.0 - 2.0 / (mu + big_l) * lam)[None, :] ** steps[:, None]
    chebyshev = np.abs(np.stack([residual_polynomial(rates[:j], lam) for j in steps]))
    rng = np.random.default_rng(seed)
    rotation = orthonormal_columns(rng.standard_normal((CHEBYSHEV_DIM, CHEBYSHEV_DIM)))
    spectrum = np.concatenate([[mu, big_l], rng.uniform(mu, big_l, CHEBYSHEV_DIM - 2)])
    problem = quadratic(spectrum, rotation=rotation)
    runs = _chebyshev_runs(problem, rng.standard_normal(CHEBYSHEV_DIM), rates)
    return {"lam": lam, "rates": rates, "fixed": fixed, "chebyshev": chebyshev, "runs": runs}
