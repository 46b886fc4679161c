r"""Chapter *The gradient-descent problem*: steepest descent and its analysis.

Symbols: :math:`x_k` ``params``, :math:`\eta` ``learning_rate``,
:math:`\lambda_i` eigenvalues of the Hessian, :math:`\mu, L` the smallest and
largest of them, :math:`\kappa = L/\mu` the condition number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.base import (
    Array,
    Optimizer,
    Schedule,
    State,
    check_finite_array,
    check_range,
    run,
    scale_by_learning_rate,
)
from gdbook.problems import Quadratic, quadratic


def gradient_descent(learning_rate: float | ArrayLike | Schedule) -> Optimizer:
    r"""Steepest descent :math:`x_{k+1} = x_k - \eta\,\nabla f(x_k)` (Cauchy 1847).

    ``learning_rate`` is a number >= 0, an array of them (a sweep), or a schedule
    ``t -> eta_t``. With noisy gradients this is stochastic gradient descent.
    """
    return scale_by_learning_rate(learning_rate)


VALLEY_ANGLE = np.pi / 9
"""Tilt of the chapter's valley (20 degrees): its axes are not the coordinate axes."""

VALLEY_START = np.array([-3.5, 0.5])
"""Where the chapter's runs start: far down the flat direction, up the steep wall."""


def narrow_valley(kappa: float = 10.0, *, angle: float = VALLEY_ANGLE) -> Quadratic:
    r"""The chapter's running example: :math:`f = \tfrac12 (x^\top A x)`.

    The eigenvalues are :math:`1/\kappa` and 1. The steep curvature is fixed at
    :math:`L = 1`, so the stable learning rates are always :math:`0 < \eta < 2` and the
    condition number only flattens the floor (:math:`\mu = 1/\kappa`). The minimum is at
    the origin.
    """
    kk = float(check_range("kappa", kappa, 1.0))
    return quadratic([1.0 / kk, 1.0], angle=angle)


# --------------------------------------------------------------------------------------
# Analysis on the quadratic f(x) = 1/2 (x - x*)^T A (x - x*), A = Q diag(lambda) Q^T
# --------------------------------------------------------------------------------------


def _stack_optimizers(opts: Sequence[Optimizer]) -> Optimizer:
    """Run ``opts[i]`` on row ``i`` of a batch of params of shape ``(len(opts), d)``.

    The rows share one call of :func:`~gdbook.base.run`, so a sweep over problems
    whose tuned hyperparameters differ still costs one loop.
    """

    def init(params: Array) -> tuple[State, ...]:
        return tuple(opt.init(row) for opt, row in zip(opts, params, strict=True))

    def update(
        grads: Array, state: tuple[State, ...], params: Array
    ) -> tuple[Array, tuple[State, ...]]:
        steps, states = [], []
        for opt, g, s, p in zip(opts, grads, state, params, strict=True):
            step, s = opt.update(g, s, p)
            steps.append(step)
            states.append(s)
        return np.stack(steps), tuple(states)

    return Optimizer(init, update)


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

    All values of ``kappa`` share one run; the run length doubles until every
    point has reached the tolerance, so the cost is at most twice the longest
    count. By default ``make_optimizer`` is called once per ``kappa`` with floats
    and the optimizers are stacked row by row. With ``vectorized=True`` it is
    called once with arrays ``mu`` and ``L`` of shape ``(len(kappas), 1)`` (the
    book's factories accept arrays of hyperparameters), which is much faster for
    long sweeps; both give the same counts.

    For gradient descent with :math:`\eta = 2/(\mu + L)` and ``dim=2`` both error
    components shrink by exactly :math:`r = (\kappa - 1)/(\kappa + 1)` per step, so the
    count is :math:`\lceil \ln \mathrm{tol} / \ln r \rceil`.

    References: Goh (2017, "Choosing a step-size"); Nesterov (2004, Thm. 2.1.15).
    """
    kappa = check_range("kappas", kappas, 1.0)
    shape = kappa.shape
    kappa = np.atleast_1d(kappa).ravel()
    check_range("tol", tol, 0.0, 1.0, low_open=True, high_open=True)
    if not isinstance(max_steps, int | np.integer) or isinstance(max_steps, bool) or max_steps < 1:
        raise ValueError(f"max_steps must be an integer >= 1; got {max_steps!r}")
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool) or dim < 2:
        raise ValueError(f"dim must be an integer >= 2; got {dim!r}")
    eigenvalues = np.stack([np.geomspace(1.0, kk, dim) for kk in kappa])  # (n, d)
    if vectorized:
        column = kappa[:, None]
        opt = make_optimizer(np.ones_like(column), column)  # type: ignore[arg-type]
    else:
        opt = _stack_optimizers([make_optimizer(1.0, float(kk)) for kk in kappa])
    x0 = np.ones((kappa.size, dim))
    threshold = tol * np.sqrt(dim)  # tol * ||x_0 - x*||

    def grad_fn(x: Array) -> Array:
        return x * eigenvalues  # A x with A = diag(lambda), x* = 0

    num_steps = min(max_steps, 64)
    while True:
        traj = run(opt, grad_fn, x0, num_steps, record_states=False)
        with np.errstate(invalid="ignore"):
            reached = np.linalg.norm(traj.params, axis=-1) <= threshold  # (k + 1, n)
        found = reached.any(axis=0)
        done = found | traj.diverged
        if np.all(done) or num_steps >= max_steps:
            break
        num_steps = min(2 * num_steps, max_steps)
    first = np.where(found, np.argmax(reached, axis=0), -1).astype(np.int64)
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

    Their sum is :math:`f(x_k) - f^\star`. Goh (2017) omits the :math:`\tfrac12`.
    Shape ``(num_steps + 1, d)``.
    """
    y = eigen_errors(learning_rate, eigenvalues, y0, num_steps)
    return np.asarray(0.5 * np.asarray(eigenvalues, dtype=np.float64) * y**2)


def measured_rate(errors: ArrayLike, *, skip: int = 0) -> float:
    r"""Per-step contraction of a geometric error sequence.

    :math:`\exp` of the slope of :math:`\ln e_k`; the slope is a least-squares fit over
    ``errors[skip:]`` (zeros are dropped).
    """
    e = np.asarray(errors, dtype=np.float64)[skip:]
    keep = e > 0
    steps = np.arange(e.size)[keep]
    if steps.size < 2:
        raise ValueError("measured_rate needs at least two positive errors")
    slope = np.polyfit(steps, np.log(e[keep]), 1)[0]
    return float(np.exp(slope))


def loglog_slope(x: ArrayLike, y: ArrayLike) -> float:
    r"""Slope :math:`p` of the least-squares line through :math:`(\ln x, \ln y)`.

    That is, :math:`y \approx C x^p`.
    """
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


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
