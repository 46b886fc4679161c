r"""Chapter *Adaptive methods*: Adagrad, RMSProp and Adadelta.

One learning rate per coordinate, divided by a running size of that coordinate's
gradients. Symbols: :math:`\eta` ``learning_rate``, :math:`g_t` ``grads``,
:math:`s_t` ``sum_of_squares`` (Adagrad's :math:`G_t` diagonal, the Deep Learning
book's :math:`r`), :math:`v_t` ``nu`` (RMSProp's mean square, Hinton's
*MeanSquare*, torch's ``square_avg``, Zeiler's :math:`E[g^2]_t`), :math:`\bar g_t`
``mu`` (centered RMSProp's mean gradient), :math:`u_t` ``delta_nu`` (Adadelta's
:math:`E[\Delta x^2]_t`), :math:`\rho` ``decay``/``rho``, :math:`\epsilon` ``eps``.

Where :math:`\epsilon` goes is a convention that changes the numbers: outside the
root (:math:`g/(\sqrt{s}+\epsilon)`: Duchi et al., the Deep Learning book's Adagrad,
torch) or inside (:math:`g/\sqrt{s+\epsilon}`: optax, Keras, TF1). Adagrad and
RMSProp take ``eps_in_sqrt`` to choose; Adadelta has it inside both of its roots.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gdbook.base import (
    Optimizer,
    block,
    chain,
    ema_update,
    named,
    rename_hyperparams,
    safe_divide,
    scale_by_learning_rate,
)
from gdbook.checks import check_range
from gdbook.momentum import trace
from gdbook.types import Array, Hyper, Number


def denominator(second_moment: ArrayLike, eps: ArrayLike, eps_in_sqrt: bool) -> Array:
    r"""The adaptive denominator: :math:`\sqrt{v + \epsilon}` or :math:`\sqrt{v} + \epsilon`.

    ``eps_in_sqrt=True`` is the first (optax, Keras), ``False`` the second (torch).
    """
    second_moment, eps = np.asarray(second_moment), np.asarray(eps)
    if eps_in_sqrt:
        return np.asarray(np.sqrt(second_moment + eps))
    return np.asarray(np.sqrt(second_moment) + eps)


# --------------------------------------------------------------------------------------
# Adagrad
# --------------------------------------------------------------------------------------


class AdagradState(NamedTuple):
    """State of :func:`scale_by_adagrad`."""

    step: int  # t, updates so far
    sum_of_squares: Array  # s_t = s_0 + sum_{i<=t} g_i^2


@block
def scale_by_adagrad(
    eps: Number = 1e-10, *, initial_accumulator_value: Number = 0.0, eps_in_sqrt: bool = False
) -> Optimizer:
    r"""Direction :math:`g_t/(\sqrt{s_t}+\epsilon)` with :math:`s_t = s_{t-1} + g_t^2`.

    :math:`s_0` is ``initial_accumulator_value``. :math:`\epsilon` outside the root is
    Duchi et al.'s :math:`\delta I + \mathrm{diag}(G_t)^{1/2}`, the Deep Learning book's
    Algorithm 8.4 and torch (``eps=1e-10``, :math:`s_0 = 0`); ``eps_in_sqrt=True`` is
    optax and Keras (:math:`g/\sqrt{s+\epsilon}`, their defaults ``eps=1e-7``,
    :math:`s_0 = 0.1`). With ``eps=0`` a coordinate whose gradients were all zero
    gets a zero step.

    References: Duchi, Hazan & Singer (2011, Figure 1 / eq. 1).
    """
    eps_ = check_range("eps", eps, 0.0)
    initial = check_range("initial_accumulator_value", initial_accumulator_value, 0.0)

    def init(params: Array) -> AdagradState:
        return AdagradState(step=0, sum_of_squares=initial + np.zeros_like(params))

    def update(grads: Array, state: AdagradState, params: Array) -> tuple[Array, AdagradState]:
        sum_of_squares = state.sum_of_squares + grads * grads  # s_t
        direction = safe_divide(grads, denominator(sum_of_squares, eps_, eps_in_sqrt))
        return direction, AdagradState(state.step + 1, sum_of_squares)

    return Optimizer(init, update, named(eps=eps_, initial_accumulator_value=initial))


def adagrad(
    learning_rate: Hyper = 1e-2,
    eps: Number = 1e-10,
    *,
    initial_accumulator_value: Number = 0.0,
    eps_in_sqrt: bool = False,
) -> Optimizer:
    r"""Adagrad: :math:`s_t = s_{t-1} + g_t^2,\ x_t = x_{t-1} - \eta\,g_t/(\sqrt{s_t}+\epsilon)`.

    With a constant gradient the step is :math:`\eta/\sqrt t`: the rate decays
    whether or not it should. Defaults are torch's (the paper leaves :math:`\eta`
    and :math:`\delta` free).

    References: Duchi, Hazan & Singer (2011).
    """
    return chain(
        scale_by_adagrad(
            eps, initial_accumulator_value=initial_accumulator_value, eps_in_sqrt=eps_in_sqrt
        ),
        scale_by_learning_rate(learning_rate),
    )


# --------------------------------------------------------------------------------------
# RMSProp
# --------------------------------------------------------------------------------------


class RmsState(NamedTuple):
    """State of :func:`scale_by_rms`."""

    step: int  # t, updates so far
    nu: Array  # v_t, EMA of squared gradients


class CenteredRmsState(NamedTuple):
    """State of :func:`scale_by_rms` with ``centered=True``."""

    step: int  # t, updates so far
    nu: Array  # v_t, EMA of squared gradients
    mu: Array  # \bar g_t, EMA of gradients


@block
def scale_by_rms(
    decay: Number = 0.9, eps: Number = 1e-8, *, eps_in_sqrt: bool = False, centered: bool = False
) -> Optimizer:
    r"""Direction :math:`g_t/(\sqrt{v_t}+\epsilon)`, :math:`v_t = \rho v_{t-1} + (1-\rho) g_t^2`.

    :math:`v_0 = 0` and there is no bias correction. Hinton's lecture 6e uses
    :math:`\rho = 0.9` and no :math:`\epsilon`; torch uses ``alpha=0.99`` with
    ``eps=1e-8`` outside the root (the form here by default); optax, Keras and the
    Deep Learning book (Alg. 8.5) put it inside (``eps_in_sqrt=True``).

    ``centered=True`` divides by a running standard deviation instead:
    :math:`\sqrt{v_t - \bar g_t^2}` with :math:`\bar g_t = \rho\bar g_{t-1} +
    (1-\rho) g_t` (Graves 2013, eq. 38-40, where :math:`\epsilon` is inside the
    root). The difference is clipped at 0 against rounding.

    References: Tieleman & Hinton (2012, lecture 6e); Graves (2013, Section 4).
    """
    decay_ = check_range("decay", decay, 0.0, 1.0, high_open=True)
    eps_ = check_range("eps", eps, 0.0)

    def init(params: Array) -> RmsState | CenteredRmsState:
        zeros = np.zeros_like(params)
        return CenteredRmsState(0, zeros, zeros) if centered else RmsState(0, zeros)

    def update(
        grads: Array, state: RmsState | CenteredRmsState, params: Array
    ) -> tuple[Array, RmsState | CenteredRmsState]:
        nu = ema_update(state.nu, grads * grads, decay_)  # v_t
        if isinstance(state, CenteredRmsState):
            mu = ema_update(state.mu, grads, decay_)  # \bar g_t
            variance = np.maximum(nu - mu * mu, 0.0)
            direction = safe_divide(grads, denominator(variance, eps_, eps_in_sqrt))
            return direction, CenteredRmsState(state.step + 1, nu, mu)
        direction = safe_divide(grads, denominator(nu, eps_, eps_in_sqrt))
        return direction, RmsState(state.step + 1, nu)

    return Optimizer(init, update, named(decay=decay_, eps=eps_))


def rmsprop(
    learning_rate: Hyper = 1e-2,
    decay: Number = 0.9,
    eps: Number = 1e-8,
    *,
    eps_in_sqrt: bool = False,
    centered: bool = False,
    momentum: Number = 0.0,
) -> Optimizer:
    r"""RMSProp: :math:`x_t = x_{t-1} - \eta\,g_t/(\sqrt{v_t}+\epsilon)`.

    With ``momentum`` :math:`\beta > 0` the normalised gradient feeds a momentum
    buffer that starts at 0, :math:`b_t = \beta b_{t-1} + g_t/(\sqrt{v_t}+\epsilon)`,
    and :math:`x_t = x_{t-1} - \eta b_t`: ``chain(scale_by_rms, trace(beta),
    scale_by_learning_rate)``, exactly torch's RMSprop. Graves (2013) and Keras put
    the learning rate inside the buffer instead; the two agree while
    :math:`\eta` is constant.

    Defaults: :math:`\rho = 0.9` (Hinton), ``eps=1e-8`` outside the root and
    :math:`\eta = 10^{-2}` (torch; the lecture gives no :math:`\eta`).

    References: Tieleman & Hinton (2012, lecture 6e); Graves (2013).
    """
    direction = scale_by_rms(decay, eps, eps_in_sqrt=eps_in_sqrt, centered=centered)
    beta = check_range("momentum", momentum, 0.0, 1.0, high_open=True)
    if not np.any(beta):
        return chain(direction, scale_by_learning_rate(learning_rate))
    buffer = rename_hyperparams(trace(beta), {"beta": "momentum"})
    return chain(direction, buffer, scale_by_learning_rate(learning_rate))


# --------------------------------------------------------------------------------------
# Adadelta
# --------------------------------------------------------------------------------------


class AdadeltaState(NamedTuple):
    """State of :func:`scale_by_adadelta`."""

    step: int  # t, updates so far
    nu: Array  # v_t = E[g^2]_t, EMA of squared gradients
    delta_nu: Array  # u_t = E[Δx^2]_t, EMA of squared UPDATES (not gradients)


@block
def scale_by_adadelta(rho: Number = 0.95, eps: Number = 1e-6) -> Optimizer:
    r"""Direction :math:`\Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}}\,g_t`.

    Then :math:`u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2`, and
    :math:`v_t = \rho v_{t-1} + (1-\rho) g_t^2`. The numerator uses the *previous*
    accumulator :math:`u_{t-1}` (the current update is not known yet), and
    :math:`u` accumulates squared *updates*, which gives the step the units of
    :math:`x`. :math:`\epsilon` is inside both roots; with zero state the first step
    is :math:`\sqrt{\epsilon/((1-\rho) g_1^2 + \epsilon)}\,|g_1|`, about
    :math:`\sqrt{\epsilon/(1-\rho)}`. Zeiler's defaults: :math:`\rho = 0.95`,
    :math:`\epsilon = 10^{-6}`; torch uses ``rho=0.9``.

    References: Zeiler (2012, Algorithm 1).
    """
    rho_ = check_range("rho", rho, 0.0, 1.0, high_open=True)
    eps_ = check_range("eps", eps, 0.0, low_open=True)

    def init(params: Array) -> AdadeltaState:
        zeros = np.zeros_like(params)
        return AdadeltaState(step=0, nu=zeros, delta_nu=zeros)

    def update(grads: Array, state: AdadeltaState, params: Array) -> tuple[Array, AdadeltaState]:
        nu = ema_update(state.nu, grads * grads, rho_)  # E[g^2]_t
        delta = np.sqrt(state.delta_nu + eps_) / np.sqrt(nu + eps_) * grads  # uses u_{t-1}
        delta_nu = ema_update(state.delta_nu, delta * delta, rho_)  # E[Δx^2]_t
        return delta, AdadeltaState(state.step + 1, nu, delta_nu)

    return Optimizer(init, update, named(rho=rho_, eps=eps_))


def adadelta(learning_rate: Hyper = 1.0, rho: Number = 0.95, eps: Number = 1e-6) -> Optimizer:
    r"""Adadelta: :math:`x_t = x_{t-1} - \eta\,\Delta_t` (see :func:`scale_by_adadelta`).

    Zeiler's method has no learning rate (:math:`\eta = 1`, the default); torch's
    ``lr`` multiplies the step after :math:`u_t` has been updated, so
    :math:`u_t` stores the unscaled :math:`\Delta_t`.

    References: Zeiler (2012, Algorithm 1).
    """
    return chain(scale_by_adadelta(rho, eps), scale_by_learning_rate(learning_rate))
