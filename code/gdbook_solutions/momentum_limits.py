"""Solutions to the exercises of the chapter *The limits of the heavy ball*.

Plain functions on NumPy arrays; ``tests/chapters/test_momentum_limits.py`` checks each one
against closed forms and against the library in :mod:`gdbook.momentum_limits`.
"""

from __future__ import annotations

import numpy as np
from gdbook.base import run
from gdbook.measure import mean_and_standard_error
from gdbook.momentum import ema_momentum, heavy_ball_rate
from gdbook.momentum_limits import learning_rate_for_floor
from gdbook.problems import Quadratic, noisy, quadratic
from gdbook.types import Array


def lessard_cycle() -> Array:
    """The 3-cycle of tuned heavy ball on Lessard et al.'s function, found from a linear system.

    The cycle visits the pieces f' = 25x (x < 1), f' = 25x - 24 (x >= 2) and
    f' = 25x (x < 1) in turn. On each piece the step
    x_{k+1} = x_k - eta * f'(x_k) + beta * (x_k - x_{k-1}) is affine, so a cycle
    (p0, p1, p2), with x_{k-1} the previous point, solves three linear equations.
    """
    eta, beta = 1.0 / 9.0, 4.0 / 9.0
    slope = 25.0
    offsets = np.array([0.0, -24.0, 0.0])  # f'(p_i) = 25 p_i + offsets[i]
    # p_{i+1} = p_i - eta (25 p_i + c_i) + beta (p_i - p_{i-1}), indices mod 3
    system = np.zeros((3, 3))
    rhs = np.zeros(3)
    for i in range(3):
        system[i, (i + 1) % 3] += 1.0
        system[i, i] -= 1.0 - eta * slope + beta
        system[i, (i - 1) % 3] += beta
        rhs[i] = -eta * offsets[i]
    return np.asarray(np.linalg.solve(system, rhs), dtype=np.float64)


def ema_noise_floor(
    learning_rate: float,
    beta: float,
    lam: float = 1.0,
    sigma: float = 1.0,
    *,
    num_chains: int = 2000,
    num_steps: int = 500,
    burn_in: int = 200,
    seed: int = 0,
) -> tuple[float, float]:
    """Measured stationary E[x^2] of EMA-form momentum on f = lam x^2 / 2 with noisy gradients.

    Runs ``num_chains`` independent chains from x_0 = 0 with gradients lam x + sigma xi,
    drops the first ``burn_in`` steps and returns (mean, standard error) by chain
    means. The EMA form at rate eta is the sum form at rate eta (1 - beta), so its
    floor is heavy_ball_noise_floor(eta (1 - beta), beta, ...): to first order
    eta sigma^2 / (2 lam), the floor of plain SGD at the *same* eta.
    """
    problem = noisy(quadratic([lam]), sigma, np.random.default_rng(seed))
    x0 = np.zeros((num_chains, 1))
    traj = run(ema_momentum(learning_rate, beta), problem.grad, x0, num_steps, record_states=False)
    return mean_and_standard_error(traj.params[burn_in:, :, 0] ** 2)


def conjugate_gradient(problem: Quadratic, num_steps: int) -> Array:
    """Conjugate gradients on the quadratic ``problem`` from w_0 = 0.

    Returns every iterate, shape (num_steps + 1, d). The residual is -grad f(w); each
    step minimises f exactly along a direction that is conjugate (H-orthogonal) to the
    previous ones, so w_k minimises f over the span of the first k gradients (Hestenes &
    Stiefel 1952). Once the residual is exactly zero the remaining rows repeat the last
    iterate.
    """
    w = np.zeros(problem.dim)
    residual = -problem.grad(w)
    direction = residual.copy()
    path = [w]
    for _ in range(num_steps):
        rr = float(residual @ residual)
        if rr == 0.0:
            path.append(w)
            continue
        h_direction = problem.matrix @ direction
        step = rr / float(direction @ h_direction)  # exact line search along d
        w = w + step * direction
        residual = residual - step * h_direction
        direction = residual + (float(residual @ residual) / rr) * direction
        path.append(w)
    return np.stack(path)


def saddle_escape_from_scratch(beta: float, y0: float, learning_rate: float = 0.2) -> int:
    r"""Steps of the heavy ball from :math:`(1.5, y_0)` at rest until :math:`|y| \ge 0.5`.

    On :math:`f = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4`, as the plain two-step loop
    :math:`p_k = p_{k-1} - \eta\nabla f(p_{k-1}) + \beta(p_{k-1} - p_{k-2})`, :math:`p_{-1} = p_0`.
    """
    prev = point = np.array([1.5, y0])
    steps = 0
    while abs(point[1]) < 0.5:
        grad = np.array([point[0], -point[1] + point[1] ** 3])
        prev, point = point, point - learning_rate * grad + beta * (point - prev)
        steps += 1
    return steps


def lyapunov_floor_by_iteration(
    learning_rate: float, beta: float, lam: float, sigma: float, num_steps: int = 20_000
) -> Array:
    r"""The stationary covariance of :math:`(b, x)`, by iterating the Lyapunov map.

    The map is :math:`P \mapsto RPR^\top + \sigma^2cc^\top`.

    From :math:`P = 0`; :math:`R` is the heavy ball's iteration matrix, :math:`c = (1, -\eta)`.
    The entry ``[1, 1]`` is the noise floor.
    """
    r = np.array([[beta, lam], [-learning_rate * beta, 1.0 - learning_rate * lam]])
    c = np.array([1.0, -learning_rate])
    cov = np.zeros((2, 2))
    for _ in range(num_steps):
        cov = r @ cov @ r.T + sigma**2 * np.outer(c, c)
    return cov


def equal_floor_gain(floor: float) -> tuple[float, float]:
    r"""On :math:`\lambda = \sigma = 1`, GD's steps per :math:`e`-fold over the best momentum's.

    Both tuned to the exact floor ``floor``: gradient descent's learning rate gives it
    :math:`a = \eta` and the factor :math:`|1 - a|`; for momentum every :math:`\beta` on a
    grid gets the learning rate of that floor, and the best rate is refined on a finer
    grid around the best :math:`\beta`. Returns (gain, gradient descent's :math:`a`).
    """
    gd_a = float(learning_rate_for_floor(0.0, [1.0], 1.0, floor))
    best_beta = 0.0
    for grid in (np.linspace(0.0, 0.6, 6_001), None):
        betas = grid if grid is not None else np.linspace(best_beta - 2e-4, best_beta + 2e-4, 4_001)
        rates = heavy_ball_rate(learning_rate_for_floor(betas, [1.0], 1.0, floor), betas, 1.0)
        best_beta, best_rate = float(betas[np.argmin(rates)]), float(rates.min())
    return float(np.log(best_rate) / np.log(abs(1.0 - gd_a))), gd_a
