"""Solutions to the exercises of the chapter *The gradient-descent problem*.

Plain functions on NumPy arrays; ``tests/chapters/test_gradient_descent.py`` checks each one
against closed forms and against the library in :mod:`gdbook.gradient_descent`.
"""

from __future__ import annotations

import numpy as np
from gdbook.base import run
from gdbook.gradient_descent import (
    gradient_descent,
    iterations_to_tolerance,
    optimal_rate,
    predicted_iterations,
)
from gdbook.measure import first_step_below
from gdbook.problems import quadratic
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def predict_and_measure(kappa: float, tol: float = 1e-6) -> tuple[int, int]:
    r"""Predicted and measured steps for GD with :math:`\eta = 2/(\mu + L)`.

    Both count the steps to shrink the error by ``tol``. Prediction:
    :math:`\lceil \ln\epsilon / \ln\frac{\kappa-1}{\kappa+1} \rceil`. Measurement:
    :func:`~gdbook.gradient_descent.iterations_to_tolerance` on the 2-D quadratic
    with eigenvalues 1 and :math:`\kappa`, started from (1, 1).
    """
    predicted = int(predicted_iterations(optimal_rate(kappa), tol))
    measured = int(
        iterations_to_tolerance(lambda mu, L: gradient_descent(2 / (mu + L)), [kappa], tol=tol)[0]
    )
    return predicted, measured


def line_search_ratio(kappa: float, angle: ArrayLike) -> Array:
    r"""Loss ratio of one exact line-search step on :math:`\mathrm{diag}(1, \kappa)`.

    The gradient is at ``angle``: with :math:`g = (\cos\phi, \sin\phi)` in the eigenbasis,
    :math:`\frac{f_{k+1} - f^\star}{f_k - f^\star}
    = 1 - \frac{(g^\top g)^2}{(g^\top A g)(g^\top A^{-1} g)}`.
    It depends on :math:`\phi` only through :math:`\sin^2 2\phi`, so it is the same for
    :math:`\phi` and :math:`\phi + 90°`: in 2-D the ratio never changes along the path.
    Its maximum, at :math:`\phi = 45°`, is :math:`((\kappa - 1)/(\kappa + 1))^2`.
    """
    phi = np.asarray(angle, dtype=np.float64)
    p2, q2 = np.cos(phi) ** 2, np.sin(phi) ** 2
    gag = p2 + kappa * q2  # g^T A g
    gainvg = p2 + q2 / kappa  # g^T A^{-1} g
    return np.asarray(1.0 - 1.0 / (gag * gainvg))


def sgd_floor_simulation(
    learning_rate: float,
    curvature: float,
    sigma: float,
    *,
    num_chains: int = 20_000,
    num_steps: int = 400,
    seed: int = 0,
) -> float:
    r"""Measured stationary :math:`\mathbb E[x^2]` of SGD on :math:`\tfrac12\lambda x^2`.

    The noise is :math:`\sigma\xi`. A from-scratch loop,
    :math:`x \leftarrow x - \eta(\lambda x + \sigma\xi)`, over ``num_chains`` independent
    chains started at the minimum; the result averages :math:`x^2` over the chains and
    over the second half of the run. The prediction is
    :math:`\eta\sigma^2/(\lambda(2 - \eta\lambda))`.
    """
    rng = np.random.default_rng(seed)
    x = np.zeros(num_chains)
    second_moments = []
    for k in range(num_steps):
        x = x - learning_rate * (curvature * x + sigma * rng.standard_normal(num_chains))
        if k >= num_steps // 2:
            second_moments.append(np.mean(x**2))
    return float(np.mean(second_moments))


def gd_filter(eigenvalues: ArrayLike, learning_rate: float, num_steps: int) -> Array:
    r"""Early-stopping filter :math:`1 - (1 - \eta\lambda)^k`.

    The fraction of :math:`y_i^\star` that GD from 0 has fitted.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    return np.asarray(1.0 - (1.0 - learning_rate * lam) ** num_steps)


def ridge_filter(eigenvalues: ArrayLike, alpha: float) -> Array:
    r"""Tikhonov (ridge) filter :math:`\lambda/(\lambda + \alpha)`.

    The fraction of :math:`y_i^\star` that ridge keeps.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    return np.asarray(lam / (lam + alpha))


def early_stopped_iterate(
    eigenvalues: ArrayLike, angle: float, x_star: ArrayLike, learning_rate: float, num_steps: int
) -> Array:
    """Run GD from 0 for ``num_steps`` on the rotated 2-D valley with minimum ``x_star``.

    Returns ``x_k``.
    """
    problem = quadratic(eigenvalues, angle=angle, x_star=x_star)
    traj = run(gradient_descent(learning_rate), problem.grad, np.zeros(2), num_steps)
    return np.asarray(traj.params[-1])


def rotation_gap(angle: float, learning_rate: float = 0.5, num_steps: int = 40) -> float:
    r"""Largest gap between GD on a rotated valley and the rotated GD path on the unrotated one.

    GD commutes with rotations, :math:`R(x - \eta\nabla f(x)) = Rx - \eta\nabla f_R(Rx)`
    for :math:`f_R(z) = f(R^\top z)`, so the gap is zero up to rounding.
    """
    flat = quadratic([0.1, 1.0])
    tilted = quadratic([0.1, 1.0], angle=angle)
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    x0 = np.array([-3.0, 1.0])
    path_flat = run(gradient_descent(learning_rate), flat.grad, x0, num_steps).params
    path_tilted = run(gradient_descent(learning_rate), tilted.grad, rot @ x0, num_steps).params
    return float(np.max(np.abs(path_flat @ rot.T - path_tilted)))


def steps_vs_learning_rate(
    learning_rates: ArrayLike, kappa: float, tol: float = 1e-6, max_steps: int = 5_000
) -> NDArray[np.int64]:
    r"""Steps to shrink :math:`\|x - x^\star\|` by ``tol`` for each learning rate.

    All rates share one vectorised run. The problem is
    :math:`\mathrm{diag}(1/\kappa, 1)` from (1, 1); ``-1`` marks rates that did not get
    there (too slow, or :math:`\eta \ge 2`, unstable).
    """
    etas = np.asarray(learning_rates, dtype=np.float64)
    problem = quadratic([1.0 / kappa, 1.0])
    x0 = np.broadcast_to(np.ones(2), (etas.size, 2))
    traj = run(gradient_descent(etas[:, None]), problem.grad, x0, max_steps, record_states=False)
    return first_step_below(np.linalg.norm(traj.params, axis=-1), tol * np.sqrt(2.0))


def chebyshev_steps_from_scratch(
    mu: float, L: float, num_steps: int, rotation: ArrayLike | None = None, *, order: str = "middle"
) -> tuple[float, float]:
    r"""Gradient descent with the Chebyshev steps, written out; returns (worst factor, run).

    The nodes :math:`\nu_i = \tfrac{L+\mu}{2} + \tfrac{L-\mu}{2}\cos\tfrac{(2i-1)\pi}{2k}`
    give the steps :math:`1/\nu_i`. The worst factor is
    :math:`\max_\lambda |\prod_i (1 - \lambda/\nu_i)|` over a fine grid of
    :math:`[\mu, L]`; the run is the error reduction :math:`\|x_k\|/\|x_0\|` of the plain
    loop on the quadratic with 64 eigenvalues spread over :math:`[\mu, L]`, turned by
    ``rotation`` (none: the eigenbasis), from :math:`x_0 = (1, \dots, 1)`. ``order`` is
    ``"middle"`` (from the middle of the spectrum outwards) or ``"increasing"`` (smallest
    step first).
    """
    i = np.arange(1, num_steps + 1)
    nodes = (L + mu) / 2 + (L - mu) / 2 * np.cos((2 * i - 1) * np.pi / (2 * num_steps))
    if order == "middle":
        nodes = nodes[np.argsort(np.abs(i - (num_steps + 1) / 2), kind="stable")]
    elif order == "increasing":
        nodes = np.sort(nodes)[::-1]  # largest node = smallest step first
    else:
        raise ValueError(f"order must be 'middle' or 'increasing'; got {order!r}")
    grid = np.linspace(mu, L, 20_001)
    worst = float(np.abs(np.prod(1 - grid[:, None] / nodes, axis=1)).max())
    eigenvalues = np.linspace(mu, L, 64)
    q = np.eye(64) if rotation is None else np.asarray(rotation, dtype=np.float64)
    hessian = q @ np.diag(eigenvalues) @ q.T
    x = np.ones(64)
    for nu in nodes:  # x <- x - (1/nu) grad f(x), grad f(x) = A x
        x = x - hessian @ x / nu
    return worst, float(np.linalg.norm(x) / np.sqrt(64))
