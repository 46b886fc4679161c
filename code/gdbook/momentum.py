r"""Chapter *Momentum*: the velocity buffer and the heavy-ball method.

Symbols: :math:`\eta` ``learning_rate`` (Distill's :math:`\alpha`), :math:`\beta`
``beta`` (Distill's :math:`\beta`, Sutskever's :math:`\mu`, the seeds'
:math:`\gamma`, the Deep Learning book's :math:`\alpha`), :math:`b_t`
``velocity`` (the buffer; Distill's :math:`z`).

Three ways of writing momentum appear in the literature; all are compositions of
the same two parts, and the order of the parts *is* the convention:

* sum form (Polyak 1964; Distill; PyTorch): ``chain(trace(beta), scale(-lr))``,
  :math:`b_t = \beta b_{t-1} + g_t,\ x_t = x_{t-1} - \eta b_t`;
* learning rate inside the buffer (Sutskever et al. 2013; the Deep Learning book):
  ``chain(scale(-lr), trace(beta))``,
  :math:`v_t = \beta v_{t-1} - \eta g_t,\ x_t = x_{t-1} + v_t`;
* EMA form (Adam's first moment): ``chain(trace(beta, dampening=beta), scale(-lr))``,
  :math:`m_t = \beta m_{t-1} + (1-\beta) g_t`.

The first two are the same iteration while the learning rate is constant; the
third equals the first with the learning rate multiplied by :math:`1-\beta`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gdbook.base import (
    Array,
    Optimizer,
    Schedule,
    chain,
    hyperparameter,
    scale_by_learning_rate,
)


class TraceState(NamedTuple):
    """State of :func:`trace`."""

    step: int  # t, updates so far
    velocity: Array  # b_t, the momentum buffer


def trace(
    beta: float | ArrayLike | Schedule,
    *,
    dampening: float | ArrayLike = 0.0,
    nesterov: bool = False,
    first_step_undamped: bool = False,
) -> Optimizer:
    r"""Accumulate :math:`b_t = \beta b_{t-1} + (1 - d)\,u_t` and emit :math:`b_t`.

    :math:`u_t` is the incoming update (the gradient, or an already scaled step),
    :math:`b_0 = 0` and :math:`d` is ``dampening``. With ``nesterov=True`` the
    output is :math:`u_t + \beta b_t` (the Bengio et al. 2012 / PyTorch form of
    Nesterov's method). ``beta`` may be a schedule ``t -> beta_t``.

    ``first_step_undamped=True`` copies PyTorch's SGD, whose buffer starts at
    :math:`b_1 = u_1` whatever the dampening; with ``dampening=0`` both starts agree.

    References: Polyak (1964); Sutskever et al. (2013, eq. 1-2).
    """
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)
    damp = hyperparameter("dampening", dampening, 0.0, 1.0)(0)

    def init(params: Array) -> TraceState:
        return TraceState(step=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        step = state.step + 1
        b = beta_t(step)
        if first_step_undamped and step == 1:
            velocity = grads + 0.0 * b  # torch: b_1 = g_1; broadcast like the others
        else:
            velocity = b * state.velocity + (1.0 - damp) * grads  # b_t
        out = grads + b * velocity if nesterov else velocity
        return out, TraceState(step, velocity)

    return Optimizer(init, update)


def momentum(
    learning_rate: float | ArrayLike | Schedule,
    beta: float | ArrayLike | Schedule = 0.9,
) -> Optimizer:
    r"""Heavy ball: :math:`b_t = \beta b_{t-1} + \nabla f(x_{t-1}),\ x_t = x_{t-1} - \eta b_t`.

    This is Polyak's (1964) method in the sum form used by Distill (Goh 2017,
    :math:`z, w, \alpha, \beta`) and by ``torch.optim.SGD(momentum=beta)``.
    Under a learning-rate schedule it differs from :func:`sutskever_momentum`.
    """
    return chain(trace(beta), scale_by_learning_rate(learning_rate))


def sutskever_momentum(
    learning_rate: float | ArrayLike | Schedule,
    beta: float | ArrayLike | Schedule = 0.9,
) -> Optimizer:
    r"""Momentum with the rate inside: :math:`v_t = \beta v_{t-1} - \eta\,g_t,\ x_t = x_{t-1} + v_t`.

    Sutskever et al. (2013, eq. 1-2) and the Deep Learning book (Alg. 8.2) write
    momentum this way; the seeds' :math:`v = \gamma v + \eta g,\ \theta = \theta - v`
    is the same with the sign of :math:`v` flipped. The buffer stores steps, so a
    new learning rate affects only new gradients.
    """
    return chain(scale_by_learning_rate(learning_rate), trace(beta))


def ema_momentum(
    learning_rate: float | ArrayLike | Schedule,
    beta: float | ArrayLike = 0.9,
) -> Optimizer:
    r"""EMA form: :math:`m_t = \beta m_{t-1} + (1-\beta) g_t,\ x_t = x_{t-1} - \eta m_t`.

    The form of Adam's first moment (Kingma & Ba 2015). It equals :func:`momentum`
    with learning rate :math:`\eta (1-\beta)`.
    """
    return chain(trace(beta, dampening=beta), scale_by_learning_rate(learning_rate))
