"""Solutions to the exercises of the chapter *A learning rate per coordinate*."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from gdbook import adaptive as ad
from gdbook.base import Optimizer
from gdbook.gradient_descent import gradient_descent
from gdbook.types import Array, GradFn


def zeiler_adadelta(
    grad_fn: GradFn,
    x0: Array,
    num_steps: int,
    rho: float = 0.95,
    eps: float = 1e-6,
    learning_rate: float = 1.0,
) -> Array:
    """Zeiler (2012), Algorithm 1, line by line; the iterates x_0 .. x_num_steps.

    ``learning_rate`` is torch's ``lr`` (Zeiler has none: 1). It scales the update only;
    the accumulator E[dx^2] stores the unscaled update, as in torch.
    """
    x = np.array(x0, dtype=np.float64)
    mean_sq_grad = np.zeros_like(x)  # E[g^2]_0 = 0
    mean_sq_update = np.zeros_like(x)  # E[dx^2]_0 = 0
    path = [x.copy()]
    for _ in range(num_steps):
        g = grad_fn(x)  # compute gradient g_t
        mean_sq_grad = rho * mean_sq_grad + (1 - rho) * g**2  # accumulate gradient
        rms_update = np.sqrt(mean_sq_update + eps)  # RMS[dx]_{t-1}
        rms_grad = np.sqrt(mean_sq_grad + eps)  # RMS[g]_t
        update = -rms_update / rms_grad * g  # compute update
        mean_sq_update = rho * mean_sq_update + (1 - rho) * update**2  # accumulate updates
        x = x + learning_rate * update  # apply update
        path.append(x.copy())
    return np.array(path)


def eps_for_first_step(target: float, grad: float, rho: float) -> float:
    """The epsilon that makes Adadelta's first step ``target`` long, for a gradient ``grad``.

    Solves sqrt(eps) |g| / sqrt((1 - rho) g^2 + eps) = target for eps; the step can only
    approach |g| (as eps grows), so ``target`` must be below ``abs(grad)``.
    """
    g2, d2 = grad * grad, target * target
    if not 0 < d2 < g2:
        raise ValueError(f"target must be in (0, |grad|) = (0, {abs(grad)}); got {target}")
    return float(d2 * (1 - rho) * g2 / (g2 - d2))


def tuned_valley_count(
    factory: Callable[[Array], Optimizer], angle: float, kappa: float | None, num_steps: int
) -> float:
    """Fewest steps to TOL over ROTATION_RATES on the valley turned to ``angle`` degrees.

    From the turned start; ``inf`` if no rate gets there within ``num_steps``.
    """
    problem, x0 = ad.rotated_valley(np.radians(angle), kappa)

    def error(x: Array) -> Array:
        return np.asarray(np.linalg.norm(x, axis=-1))

    count, _ = ad.tuned_counts(factory, problem.grad, error, x0, ad.ROTATION_RATES, num_steps)
    return np.inf if count < 0 else float(count)


def adagrad_loses_advantage(
    angle: float, kappa: float | None = None, num_steps: int = 400, gd_count: float | None = None
) -> bool:
    """Does tuned Adagrad need at least as many steps as tuned gradient descent at ``angle``?

    ``angle`` in degrees; both are tuned over :data:`gdbook.adaptive.ROTATION_RATES`. Gradient
    descent's count is the same at every angle (the start turns with the valley), so it may
    be passed in as ``gd_count``.
    """
    if gd_count is None:
        gd_count = tuned_valley_count(gradient_descent, angle, kappa, num_steps)
    return tuned_valley_count(ad.adagrad, angle, kappa, num_steps) >= gd_count


def break_even_angle(kappa: float | None = None, tol: float = 0.25, num_steps: int = 400) -> float:
    """The smallest angle (degrees, to ``tol``) at which Adagrad loses its advantage.

    Bisection on [0, 45]: Adagrad wins on the axes and loses at 45 degrees, where no
    diagonal scaling helps (:func:`adagrad_loses_advantage` is checked at both ends).
    """
    gd_count = tuned_valley_count(gradient_descent, 0.0, kappa, num_steps)

    def loses(angle: float) -> bool:
        return adagrad_loses_advantage(angle, kappa, num_steps, gd_count)

    low, high = 0.0, 45.0
    if loses(low) or not loses(high):
        raise ValueError("Adagrad must win at 0 degrees and lose at 45 for a bisection")
    while high - low > tol:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if loses(mid) else (mid, high)
    return high
