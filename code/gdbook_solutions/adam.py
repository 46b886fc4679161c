"""Solutions to the exercises of the chapter *Adam*.

Tested in ``tests/chapters/test_adam_exercises.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from gdbook.adam import adam
from gdbook.base import run
from gdbook.examples import HERO
from gdbook.problems import quadratic
from gdbook.types import Array


def adam_from_scratch(
    grad_fn: Callable[[Array], Array],
    x0: Array,
    learning_rate: float,
    num_steps: int,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    *,
    bias_correction: bool = True,
) -> Array:
    """Kingma & Ba's Algorithm 1 as a plain loop; returns every iterate, x0 included."""
    x = np.array(x0, dtype=np.float64)
    m, v = np.zeros_like(x), np.zeros_like(x)
    path = [x]
    for t in range(1, num_steps + 1):
        g = grad_fn(x)
        m = b1 * m + (1 - b1) * g  # first moment
        v = b2 * v + (1 - b2) * g * g  # second moment
        m_hat = m / (1 - b1**t) if bias_correction else m
        v_hat = v / (1 - b2**t) if bias_correction else v
        x = x - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
        path.append(x)
    return np.array(path)


def bound_attaining_gradients(b1: float, b2: float, num_steps: int) -> Array:
    """The gradients that make the uncorrected m_t / sqrt(v_t) largest at t = num_steps.

    Cauchy-Schwarz, sum_k a_k g_k <= sqrt(sum_k a_k^2 / w_k) sqrt(sum_k w_k g_k^2), is an
    equality when g_k is proportional to a_k / w_k, with a_k = (1 - b1) b1^k and
    w_k = (1 - b2) b2^k for the gradient of age k: g_{t-k} ~ (b1 / b2)^k.
    """
    ages = np.arange(num_steps - 1, -1, -1)
    a = (1 - b1) * b1**ages
    w = (1 - b2) * b2**ages
    g = a / w
    return np.asarray(g / g[-1])  # scaled so that the last gradient is 1


def uncorrected_direction(gradients: Array, b1: float, b2: float) -> float:
    """m_t / sqrt(v_t) after the given gradients (no bias correction, eps = 0)."""
    m = v = 0.0
    for g in np.asarray(gradients, dtype=np.float64):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
    return float(m / np.sqrt(v))


def reddi_final_average(
    c: float, b2: float, num_steps: int = 6000, rate: float = 0.1, last: int = 1000
) -> float:
    """Adam (b1 = 0) on Reddi et al.'s problem on [-1, 1]: the mean of its last iterates.

    The gradient is c at t = 1, 4, 7, ... and -1 otherwise; the step size rate / sqrt(t).
    """
    x, v, path = 0.0, 0.0, []
    for t in range(1, num_steps + 1):
        g = c if t % 3 == 1 else -1.0
        v = b2 * v + (1 - b2) * g * g
        x = x - rate / np.sqrt(t) * g / (np.sqrt(v / (1 - b2**t)) + 1e-8)
        x = min(1.0, max(-1.0, x))  # the projection onto the feasible set
        path.append(x)
    return float(np.mean(path[-last:]))


def reddi_failure_threshold(c: float, low: float = 0.01, high: float = 0.99) -> float:
    """The beta_2 at which Adam's final average on Reddi's problem changes sign (bisection)."""
    for _ in range(12):
        middle = 0.5 * (low + high)
        if reddi_final_average(c, middle) > 0:  # still drifting to the worst point
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def adam_adagrad_steps(gradients: Array, b2: float, *, bias_correction: bool = True) -> Array:
    """Steps of Adam with b1 = 0, eps = 0 and step size 1/sqrt(t), for fixed gradients.

    As b2 -> 1 the corrected v_hat_t tends to the mean of g_1^2, ..., g_t^2, and the step
    g_t / sqrt(t * mean) = g_t / sqrt(sum of squares) is Adagrad's (Kingma & Ba, Section 5).
    """
    v, steps = 0.0, []
    for t, g in enumerate(np.asarray(gradients, dtype=np.float64), start=1):
        v = b2 * v + (1 - b2) * g * g
        v_hat = v / (1 - b2**t) if bias_correction else v
        steps.append(-g / np.sqrt(t * v_hat))
    return np.array(steps)


def first_step_directions(angles: Array) -> tuple[Array, Array]:
    """The first steps of Adam and of steepest descent on the hero valley turned by each angle.

    Returns the directions, in degrees, of Adam's first step and of -grad f at the start.
    """
    adam_angles, descent_angles = [], []
    for angle in np.asarray(angles, dtype=np.float64):
        problem = quadratic([1.0, HERO.kappa], angle=float(angle))
        first = run(adam(HERO.rates["adam"]), problem.grad, HERO.start, 1).params[1]
        step, descent = first - HERO.start, -problem.grad(HERO.start)
        adam_angles.append(np.degrees(np.arctan2(step[1], step[0])))
        descent_angles.append(np.degrees(np.arctan2(descent[1], descent[0])))
    return np.array(adam_angles), np.array(descent_angles)
