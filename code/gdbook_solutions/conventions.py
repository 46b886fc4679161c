"""Solutions to the exercises of the appendix *Conventions*.

Tested in ``tests/chapters/test_conventions_bridge.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from gdbook.types import Array

FORMS = ("sum", "rate_inside", "ruder", "ema")
"""sum: b = beta b + g, x -= lr b (PyTorch, Distill, D2L).
rate_inside: v = beta v - lr g, x += v (Sutskever et al. 2013; the Deep Learning book).
ruder: v = beta v + lr g, x -= v (Ruder 2016; many course notes).
ema: m = beta m + (1 - beta) g, x -= lr m (Adam's first moment; many courses)."""


def torch_sgd_arguments(form: str, learning_rate: float, beta: float) -> dict[str, float]:
    """``torch.optim.SGD`` keywords that reproduce momentum written in ``form`` (constant rate).

    The sum, rate-inside and Ruder forms are the same iteration: ``lr`` is the
    learning rate and ``momentum`` the decay. The EMA form multiplies every gradient
    by ``1 - beta`` before it enters the buffer, so its ``learning_rate`` is worth
    ``learning_rate * (1 - beta)`` in the sum form.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}; got {form!r}")
    lr = learning_rate * (1.0 - beta) if form == "ema" else learning_rate
    return {"lr": lr, "momentum": beta}


def torch_buffer_factor(form: str, learning_rate: float, beta: float) -> float:
    """The ``c`` with ``b_torch = c * buffer_of_form`` at every step (constant rate, b_0 = 0).

    rate_inside stores the step, ``v = -lr b``; Ruder's form stores minus the step,
    ``v = lr b``; the EMA stores ``m = (1 - beta) b``.
    """
    factors = {
        "sum": 1.0,
        "rate_inside": -1.0 / learning_rate,
        "ruder": 1.0 / learning_rate,
        "ema": 1.0 / (1.0 - beta),
    }
    if form not in factors:
        raise ValueError(f"form must be one of {FORMS}; got {form!r}")
    return factors[form]


def ema_sum_gap(
    learning_rate: Callable[[int], float],
    beta: Callable[[int], float],
    grads: Sequence[float],
) -> float:
    r"""Largest :math:`|x^{\rm sum}_t - x^{\rm ema}_t|` when both forms see the same gradients.

    Sum form: :math:`b_t = \beta_t b_{t-1} + g_t,\ x_t = x_{t-1} - \eta_t b_t`. EMA form
    with the converted rate :math:`\eta_t/(1-\beta_t)`:
    :math:`m_t = \beta_t m_{t-1} + (1-\beta_t) g_t,\ x_t = x_{t-1} - \frac{\eta_t}{1-\beta_t} m_t`.
    Zero for any rate schedule while :math:`\beta` is constant (then :math:`m_t = (1-\beta) b_t`);
    not zero once :math:`\beta_t` changes.
    """
    x_sum = x_ema = b = m = 0.0
    gap = 0.0
    for t, g in enumerate(grads, start=1):
        eta_t, beta_t = learning_rate(t), beta(t)
        b = beta_t * b + g
        m = beta_t * m + (1.0 - beta_t) * g
        x_sum -= eta_t * b
        x_ema -= eta_t / (1.0 - beta_t) * m
        gap = max(gap, abs(x_sum - x_ema))
    return gap


def keras_adam_step(
    grads: Array,
    mu: Array,
    nu: Array,
    step: int,
    learning_rate: float,
    b1: float,
    b2: float,
    eps_hat: float,
) -> tuple[Array, Array, Array]:
    r"""One step of Kingma & Ba's "efficient" Adam, as Keras 3 implements it.

    :math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)`, step
    :math:`-\eta_t\, m_t/(\sqrt{v_t} + \hat\epsilon)`. Returns (step, m_t, v_t).
    """
    mu = b1 * mu + (1.0 - b1) * grads
    nu = b2 * nu + (1.0 - b2) * grads * grads
    eta_t = learning_rate * math.sqrt(1.0 - b2**step) / (1.0 - b1**step)
    return -eta_t * mu / (np.sqrt(nu) + eps_hat), mu, nu


def torch_eps_for_keras(eps_hat: float, b2: float, step: int) -> float:
    r"""PyTorch's :math:`\epsilon_t` that reproduces Keras' :math:`\hat\epsilon` at step ``t``.

    It is :math:`\hat\epsilon/\sqrt{1-\beta_2^t}`.
    """
    return eps_hat / math.sqrt(1.0 - b2**step)


def keras_rate_ratio(nu: Array, eps: float, b2: float, step: int) -> Array:
    r"""Learning-rate ratio Keras/PyTorch that would equalise the steps at equal :math:`\epsilon`.

    :math:`(\sqrt{v_t} + \epsilon)/(\sqrt{v_t} + \epsilon\sqrt{1-\beta_2^t})`: it depends on
    :math:`v_t`, coordinate by coordinate, so no single learning rate does it.
    """
    root = np.sqrt(np.asarray(nu, dtype=np.float64))
    return np.asarray((root + eps) / (root + eps * math.sqrt(1.0 - b2**step)))


def no_bias_correction_hyperparameters(
    learning_rate: float, eps: float, b1: float, b2: float, step: int
) -> tuple[float, float]:
    r"""Per-step ``lr`` and ``eps`` that make ``torch.optim.Adam`` skip bias correction.

    torch computes
    :math:`\frac{\eta_t}{1-\beta_1^t}\, m_t/(\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon_t)`;
    with :math:`\eta_t = \eta(1-\beta_1^t)/\sqrt{1-\beta_2^t}` and
    :math:`\epsilon_t = \epsilon/\sqrt{1-\beta_2^t}` this is
    :math:`\eta\, m_t/(\sqrt{v_t}+\epsilon)`.
    """
    root = math.sqrt(1.0 - b2**step)
    return learning_rate * (1.0 - b1**step) / root, eps / root
