r"""Chapter *Nesterov*: the look-ahead gradient and its one-buffer form.

Symbols: :math:`\eta` ``learning_rate`` (Sutskever's :math:`\varepsilon`),
:math:`\beta` ``beta`` (Sutskever's :math:`\mu`), :math:`\theta_t` ``params``,
:math:`v_t` the velocity (Sutskever's sign: :math:`\theta_t = \theta_{t-1} + v_t`),
:math:`\phi_t = \theta_t + \beta v_t` the look-ahead point, :math:`b_t`
``velocity`` (torch's buffer, which accumulates gradients).

Sutskever et al.'s NAG evaluates the gradient at the look-ahead point
:math:`\phi_t`, which a ``(grads, state, params)`` optimizer cannot do: it is given
the gradient at ``params``. Bengio et al. (2013) store :math:`\phi_t` instead of
:math:`\theta_t`; the result is torch's ``SGD(nesterov=True)`` and the
:func:`nesterov` here, whose iterates are exactly NAG's look-ahead points.
:func:`sutskever_nag` is the reference loop that shows it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gdbook.base import Optimizer, block, chain, named, scale_by_learning_rate
from gdbook.checks import check_finite_array, check_range, hyperparameter
from gdbook.momentum import TraceState
from gdbook.types import Array, GradFn, Hyper, Number


@block
def nesterov_trace(beta: Hyper) -> Optimizer:
    r"""Nesterov's buffer: :math:`b_t = \beta b_{t-1} + u_t`; emit :math:`u_t + \beta b_t`.

    The incoming update counted once more, plus the momentum the *next* step will
    apply: the look-ahead of Nesterov's method written at the stored point (Bengio
    et al. 2013; ``torch.optim.SGD(nesterov=True)``). ``beta`` may be a schedule.
    """
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)

    def init(params: Array) -> TraceState:
        return TraceState(step=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        step = state.step + 1
        b = beta_t(step)
        velocity = b * state.velocity + grads  # b_t
        return grads + b * velocity, TraceState(step, velocity)

    return Optimizer(init, update, named(beta=beta_t))


def nesterov(learning_rate: Hyper, beta: Hyper = 0.9) -> Optimizer:
    r"""Nesterov momentum: :math:`b_t = \beta b_{t-1} + g_t,\ x_t = x_{t-1} - \eta(g_t+\beta b_t)`.

    ``chain(nesterov_trace(beta), scale_by_learning_rate(learning_rate))``: the form of
    Bengio et al. (2013) and ``torch.optim.SGD(nesterov=True)``. The gradient is taken
    at the stored point; with a constant :math:`\eta` and :math:`\beta` the stored
    points are Sutskever et al.'s look-ahead points :math:`\theta_t + \beta v_t` (see
    :func:`sutskever_nag`).

    References: Nesterov (1983); Sutskever et al. (2013, eq. 3-4);
    Bengio, Boulanger-Lewandowski & Pascanu (2013, eq. 6-7).
    """
    return chain(nesterov_trace(beta), scale_by_learning_rate(learning_rate))


class NagPath(NamedTuple):
    """What :func:`sutskever_nag` returns; both arrays have shape ``(num_steps + 1, *x0.shape)``."""

    params: Array  # theta_0 ... theta_n
    lookahead: Array  # phi_k = theta_k + beta_{k+1} v_k, where the next gradient is taken


def sutskever_nag(
    grad_fn: GradFn,
    x0: ArrayLike,
    learning_rate: Number,
    beta: Hyper,
    num_steps: int,
) -> NagPath:
    r"""Reference NAG: :math:`v_t = \beta_t v_{t-1} - \eta\nabla f(\theta_{t-1} + \beta_t v_{t-1})`.

    Then :math:`\theta_t = \theta_{t-1} + v_t`; :math:`v_0 = 0`; ``beta`` may be a schedule
    ``t -> beta_t`` (:math:`t = 1` for the first update). Returns the iterates
    :math:`\theta_k` and the look-ahead points :math:`\phi_k = \theta_k + \beta_{k+1} v_k`
    at which the gradients are evaluated. This loop exists to test the library, not to
    be used: it is the one method whose gradient is not taken at the stored point.

    References: Sutskever, Martens, Dahl & Hinton (2013, eq. 3-4).
    """
    rate = check_range("learning_rate", learning_rate, 0.0)
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)
    if not isinstance(num_steps, int) or num_steps < 0:
        raise ValueError(f"num_steps must be an integer >= 0; got {num_steps!r}")
    theta = check_finite_array("x0", x0)
    velocity = np.zeros_like(theta)
    thetas, lookaheads = [theta], []
    for step in range(1, num_steps + 2):
        lookahead = theta + beta_t(step) * velocity  # phi_{t-1}
        lookaheads.append(lookahead)
        if step == num_steps + 1:
            break
        velocity = beta_t(step) * velocity - rate * np.asarray(grad_fn(lookahead))  # v_t
        theta = theta + velocity  # theta_t
        thetas.append(theta)
    return NagPath(np.stack(thetas), np.stack(lookaheads))


def nesterov_beta(step: ArrayLike) -> Array:
    r"""Nesterov's schedule for smooth convex problems, :math:`\beta_t = 1 - 3/(t+5)`.

    It tends to 1, as acceleration on convex (not strongly convex) problems
    requires. References: Nesterov (1983), in the form of Sutskever et al. (2013, eq. 5).
    """
    t = np.asarray(step, dtype=np.float64)
    return np.asarray(1.0 - 3.0 / (t + 5.0), dtype=np.float64)
