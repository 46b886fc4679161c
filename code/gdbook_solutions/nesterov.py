"""Solutions to the exercises of the chapter *Nesterov's look-ahead*."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from gdbook.base import run
from gdbook.measure import loglog_slope
from gdbook.momentum import momentum
from gdbook.nesterov import convex_loss, convex_problem, look_ahead_split, nesterov
from gdbook.problems import lessard_problem


def stability_boundary(beta: float, num_steps: int = 1500, tol: float = 1e-4) -> float:
    """The largest stable eta * lambda of Nesterov's method at ``beta``, found by bisection.

    A step is stable if ``num_steps`` steps on f = x^2 / 2 (lambda = 1) from x = 1 end
    closer to 0 than they started; growth and decay are told apart more sharply the
    longer the run.
    """
    low, high = 0.0, 4.0  # stable at eta = 0+, unstable at 4 for every beta in [0, 1)
    while high - low > tol:
        mid = 0.5 * (low + high)
        traj = run(nesterov(mid, beta), lambda x: x, np.ones(1), num_steps, record_states=False)
        end = traj.params[-1, 0]
        stable = bool(np.isfinite(end) and abs(end) < 1.0)
        low, high = (mid, high) if stable else (low, mid)
    return 0.5 * (low + high)


def effective_momentum_from_run(learning_rate: float, beta: float, lam: float) -> float:
    """Read beta' off a run: fit x_{k+1} = a x_k - beta' x_{k-1} to Nesterov's iterates.

    On f = lambda x^2 / 2 Nesterov's method is the heavy ball with step eta * lambda and
    momentum beta' = beta (1 - eta * lambda), so x_{k+1} = (1 + beta' - eta lambda) x_k
    - beta' x_{k-1}; a least-squares fit of a and beta' over 30 steps recovers both.
    """
    traj = run(nesterov(learning_rate, beta), lambda x: lam * x, np.ones(1), 30)
    x = traj.params[:, 0]
    design = np.stack([x[1:-1], -x[:-2]], axis=1)
    (_, beta_eff), *_ = np.linalg.lstsq(design, x[2:], rcond=None)
    return float(beta_eff)


def convergence_slope(
    beta: float | Callable[[int], float], num_steps: int = 2000, fit_from: int = 30
) -> float:
    """Log-log slope of f(theta_k) - f* of Nesterov's method (eta = 1/L) on the convex problem.

    ``beta`` is a constant or a schedule; the loss is taken at the iterates theta_k, not at
    the stored look-ahead points.
    """
    problem, x0 = convex_problem()
    traj = run(nesterov(1.0, beta), problem.grad, x0, num_steps)
    theta, _ = look_ahead_split(traj, 1.0, beta)
    loss = convex_loss(problem, theta)
    k = np.arange(fit_from, num_steps + 1)
    return loglog_slope(k, loss[k])


def corrected_torch_loop(
    grad_fn: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    lr: float,
    schedule: Callable[[int], float],
    num_steps: int,
) -> np.ndarray:
    """The loop of torch's SGD(nesterov=True), changed in one place to make it Nesterov's.

    The buffer uses the momentum of this step, the look-ahead term the next step's:
    b = mu_t b + g, p = p - lr (g + mu_{t+1} b). Returns every p, x0 included.
    """
    p, b, out = np.array(x0, dtype=float), np.zeros_like(x0, dtype=float), [np.array(x0)]
    for t in range(1, num_steps + 1):
        g = grad_fn(p)
        b = schedule(t) * b + g
        p = p - lr * (g + schedule(t + 1) * b)
        out.append(p)
    return np.array(out)


def cycling_starts(starts: np.ndarray, num_steps: int = 500) -> dict[str, np.ndarray]:
    """Which starts on Lessard's function do not converge, for tuned heavy ball and Nesterov.

    Heavy ball at Polyak's pair (1/9, 4/9); Nesterov at Lessard et al.'s pair for
    mu = 1, L = 25: eta = 4/76, beta = (sqrt(76) - 2)/(sqrt(76) + 2). A start "cycles"
    if |x| is above 1e-6 after ``num_steps`` steps.
    """
    q = np.sqrt(76.0)
    opts = {"heavy ball": momentum(1 / 9, 4 / 9), "Nesterov": nesterov(4 / 76, (q - 2) / (q + 2))}
    grad = lessard_problem().grad
    return {
        name: np.abs(run(opt, grad, starts[:, None], num_steps).params[-1, :, 0]) > 1e-6
        for name, opt in opts.items()
    }
