r"""Chapter *Adam*: moments, bias correction, and the Adam family.

Symbols: :math:`\eta` ``learning_rate`` (Kingma & Ba's :math:`\alpha`),
:math:`\beta_1, \beta_2` ``b1, b2``, :math:`\epsilon` ``eps``, :math:`t` ``step``,
:math:`m_t` ``mu`` (EMA of gradients), :math:`v_t` ``nu`` (EMA of squared
gradients), :math:`\hat m_t = m_t/(1-\beta_1^t)` and :math:`\hat v_t = v_t/(1-\beta_2^t)`
the bias-corrected moments, :math:`\lambda` ``weight_decay``.

Every optimizer here is a composition: a direction (``scale_by_adam``,
``scale_by_amsgrad``, ``scale_by_nadam``, ``scale_by_adamax``, ``scale_by_radam``),
optionally decoupled weight decay, then ``scale_by_learning_rate``. The defaults
follow the original papers; each docstring says where PyTorch, optax or Keras differ.
``learning_rate`` may be a number, an array (a sweep) or a schedule ``t -> eta_t``;
``b1``, ``b2``, ``eps`` and ``weight_decay`` are numbers or arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gdbook.base import (
    Optimizer,
    add_decayed_weights,
    block,
    chain,
    debias,
    ema_update,
    named,
    safe_divide,
    scale_by_learning_rate,
)
from gdbook.checks import check_range
from gdbook.types import Array, Hyper, Hyperparams, Number


def _decays_and_eps(b1: Number, b2: Number, eps: Number) -> tuple[Array, Array, Array, Hyperparams]:
    """``b1``, ``b2`` in [0, 1) and ``eps`` >= 0, validated, and their record for ``run``."""
    b1_ = check_range("b1", b1, 0.0, 1.0, high_open=True)
    b2_ = check_range("b2", b2, 0.0, 1.0, high_open=True)
    eps_ = check_range("eps", eps, 0.0)
    return b1_, b2_, eps_, named(b1=b1_, b2=b2_, eps=eps_)


class AdamState(NamedTuple):
    """State of :func:`scale_by_adam` and :func:`scale_by_radam`."""

    step: int  # t, updates so far
    mu: Array  # m_t, EMA of gradients
    nu: Array  # v_t, EMA of squared gradients


def _moments(grads: Array, state: AdamState, b1: Array, b2: Array) -> tuple[Array, Array]:
    """The two EMAs :math:`m_t, v_t` from :math:`m_{t-1}, v_{t-1}` and :math:`g_t`."""
    return ema_update(state.mu, grads, b1), ema_update(state.nu, grads * grads, b2)  # m_t, v_t


@block
def scale_by_adam(
    b1: Number = 0.9, b2: Number = 0.999, eps: Number = 1e-8, *, bias_correction: bool = True
) -> Optimizer:
    r"""Direction :math:`\hat m_t / (\sqrt{\hat v_t} + \epsilon)` (Kingma & Ba 2015, Alg. 1).

    :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`,
    :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`, :math:`m_0 = v_0 = 0`,
    :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`.
    With ``bias_correction=False`` the direction is :math:`m_t/(\sqrt{v_t}+\epsilon)`
    (what many visualisers call Adam; its first step is
    :math:`(1-\beta_1)/\sqrt{1-\beta_2}` times larger).

    :math:`\epsilon` sits outside the root as in Algorithm 1 and PyTorch. Keras
    implements the paper's "efficient" ordering, whose :math:`\hat\epsilon` equals
    :math:`\epsilon\sqrt{1-\beta_2^t}` here.

    References: Kingma & Ba (2015, Algorithm 1).
    """
    b1_, b2_, eps_, hyperparams = _decays_and_eps(b1, b2, eps)

    def init(params: Array) -> AdamState:
        return AdamState(step=0, mu=np.zeros_like(params), nu=np.zeros_like(params))

    def update(grads: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        step = state.step + 1
        mu, nu = _moments(grads, state, b1_, b2_)
        if bias_correction:
            mu_hat, nu_hat = debias(mu, b1_, step), debias(nu, b2_, step)  # \hat m_t, \hat v_t
        else:
            mu_hat, nu_hat = mu, nu
        direction = safe_divide(mu_hat, np.sqrt(nu_hat) + eps_)
        return direction, AdamState(step, mu, nu)

    return Optimizer(init, update, hyperparams)


def adam(
    learning_rate: Hyper = 1e-3,
    b1: Number = 0.9,
    b2: Number = 0.999,
    eps: Number = 1e-8,
    *,
    bias_correction: bool = True,
) -> Optimizer:
    r"""Adam: :math:`x_t = x_{t-1} - \eta\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)`.

    ``chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(learning_rate))``;
    the defaults are the paper's (and PyTorch's): :math:`\eta = 10^{-3}`,
    :math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`, :math:`\epsilon = 10^{-8}`.

    References: Kingma & Ba (2015, Algorithm 1).
    """
    return chain(
        scale_by_adam(b1, b2, eps, bias_correction=bias_correction),
        scale_by_learning_rate(learning_rate),
    )


def adamw(
    learning_rate: Hyper = 1e-3,
    b1: Number = 0.9,
    b2: Number = 0.999,
    eps: Number = 1e-8,
    weight_decay: Number = 1e-2,
    *,
    bias_correction: bool = True,
) -> Optimizer:
    r"""AdamW: :math:`x_t = x_{t-1} - \eta\,(\hat m_t/(\sqrt{\hat v_t}+\epsilon)+\lambda x_{t-1})`.

    Decoupled weight decay: the decay :math:`\lambda x` is added *after* the Adam
    direction, so the preconditioner never sees it;
    ``chain(scale_by_adam, add_decayed_weights(weight_decay), scale_by_learning_rate)``.
    This is ``torch.optim.AdamW`` (which multiplies :math:`x` by :math:`1-\eta\lambda`
    before the Adam step: the same thing) and ``optax.adamw``. In Loshchilov & Hutter's
    Algorithm 2 the decay is multiplied only by the schedule multiplier
    :math:`\eta_t`, not by the step size :math:`\alpha`, so their :math:`\lambda` is
    torch's :math:`\eta\lambda`. Default ``weight_decay``: torch 1e-2 (used here),
    optax 1e-4; the paper tunes it.

    References: Loshchilov & Hutter (2019, Algorithm 2).
    """
    return chain(
        scale_by_adam(b1, b2, eps, bias_correction=bias_correction),
        add_decayed_weights(weight_decay),
        scale_by_learning_rate(learning_rate),
    )


class AMSGradState(NamedTuple):
    """State of :func:`scale_by_amsgrad`."""

    step: int  # t, updates so far
    mu: Array  # m_t, EMA of gradients
    nu: Array  # v_t, EMA of squared gradients
    nu_max: Array  # \hat v_t, running maximum (of v_t, or of v_t/(1-b2^t) for "optax")


AMSGRAD_VARIANTS = ("reddi", "torch", "optax")


@block
def scale_by_amsgrad(
    b1: Number = 0.9, b2: Number = 0.999, eps: Number = 0.0, *, variant: str = "reddi"
) -> Optimizer:
    r"""Direction :math:`m_t/(\sqrt{\hat v_t}+\epsilon)`, :math:`\hat v_t = \max(\hat v_{t-1},v_t)`.

    The running maximum keeps the effective step :math:`\eta/\sqrt{\hat v_t}` from
    growing, which repairs Adam's convergence proof. Three definitions are in use:

    * ``"reddi"`` (default; Reddi et al. 2018, Algorithm 2): maximum of the raw
      :math:`v_t`, no bias correction of :math:`m_t` or :math:`v_t`; the paper has no
      :math:`\epsilon` (``eps=0``, and a coordinate whose gradients were all zero gets
      a zero step);
    * ``"torch"`` (``torch.optim.Adam(amsgrad=True)``): maximum of the raw
      :math:`v_t`, then divided by :math:`1-\beta_2^t` of the *current* step, and
      :math:`\hat m_t` in the numerator;
    * ``"optax"`` (``optax.amsgrad``): maximum of the bias-corrected
      :math:`v_s/(1-\beta_2^s)` over :math:`s \le t`, and :math:`\hat m_t`.

    References: Reddi, Kale & Kumar (2018, Algorithm 2).
    """
    if variant not in AMSGRAD_VARIANTS:
        raise ValueError(f"variant must be one of {AMSGRAD_VARIANTS}; got {variant!r}")
    b1_, b2_, eps_, hyperparams = _decays_and_eps(b1, b2, eps)

    def init(params: Array) -> AMSGradState:
        zeros = np.zeros_like(params)
        return AMSGradState(step=0, mu=zeros, nu=zeros, nu_max=zeros)

    def update(grads: Array, state: AMSGradState, params: Array) -> tuple[Array, AMSGradState]:
        step = state.step + 1
        mu, nu = _moments(grads, AdamState(state.step, state.mu, state.nu), b1_, b2_)
        if variant == "reddi":
            nu_max = np.maximum(state.nu_max, nu)
            direction = safe_divide(mu, np.sqrt(nu_max) + eps_)
        elif variant == "torch":
            nu_max = np.maximum(state.nu_max, nu)
            den = np.sqrt(debias(nu_max, b2_, step)) + eps_
            direction = safe_divide(debias(mu, b1_, step), den)
        else:
            nu_max = np.maximum(state.nu_max, debias(nu, b2_, step))
            direction = safe_divide(debias(mu, b1_, step), np.sqrt(nu_max) + eps_)
        return direction, AMSGradState(step, mu, nu, nu_max)

    return Optimizer(init, update, hyperparams)


def amsgrad(
    learning_rate: Hyper = 1e-3,
    b1: Number = 0.9,
    b2: Number = 0.999,
    eps: Number = 0.0,
    *,
    variant: str = "reddi",
) -> Optimizer:
    r"""AMSGrad: :math:`x_t = x_{t-1} - \eta\,m_t/\sqrt{\hat v_t}`.

    :math:`\hat v_t = \max(\hat v_{t-1}, v_t)`; ``variant`` selects the paper's, torch's or
    optax's definition (see :func:`scale_by_amsgrad`). Reddi et al. also use
    :math:`\eta_t = \eta/\sqrt t` in their theory; pass a schedule for that.

    References: Reddi, Kale & Kumar (2018, Algorithm 2).
    """
    return chain(
        scale_by_amsgrad(b1, b2, eps, variant=variant),
        scale_by_learning_rate(learning_rate),
    )


class NadamState(NamedTuple):
    """State of :func:`scale_by_nadam`."""

    step: int  # t, updates so far
    mu: Array  # m_t, EMA of gradients (constant beta_1)
    nu: Array  # v_t, EMA of squared gradients
    mu_product: Array  # P_t = mu_1 mu_2 ... mu_t, running product of the schedule


def nadam_momentum_schedule(b1: Number, step: int, momentum_decay: float | None) -> Array:
    r"""Dozat's momentum schedule :math:`\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t\psi})`.

    :math:`\psi` is ``momentum_decay`` (0.004 = 1/250 gives Dozat's
    :math:`0.96^{t/250}`); ``None`` means no schedule, :math:`\mu_t = \beta_1`.
    Note that :math:`\psi = 0` is *not* "no schedule": it gives :math:`\beta_1/2`.

    References: Dozat (2016); torch.optim.NAdam.
    """
    b1_ = np.asarray(b1, dtype=np.float64)
    if momentum_decay is None:
        return b1_
    return np.asarray(b1_ * (1.0 - 0.5 * 0.96 ** (step * momentum_decay)))


@block
def scale_by_nadam(
    b1: Number = 0.9, b2: Number = 0.999, eps: Number = 1e-8, momentum_decay: float | None = 4e-3
) -> Optimizer:
    r"""Nesterov-Adam direction.

    :math:`\big(\frac{\mu_{t+1} m_t}{1-P_t\mu_{t+1}} + \frac{(1-\mu_t) g_t}{1-P_t}\big)
    / (\sqrt{\hat v_t}+\epsilon)`, where :math:`m_t, v_t` are Adam's EMAs (with constant
    :math:`\beta_1`), :math:`\mu_t` is :func:`nadam_momentum_schedule` and
    :math:`P_t = \prod_{i \le t} \mu_i` a running product. The Nesterov idea: the update
    uses the momentum *of the next step*, :math:`\mu_{t+1} m_t`, plus the current gradient.

    This is the form of ``torch.optim.NAdam`` and Keras that cites Dozat (2016),
    with :math:`\psi = 0.004`. ``momentum_decay=None`` gives the constant-momentum
    form (:math:`\mu_t = \beta_1`, so :math:`P_t = \beta_1^t`) that ``optax.nadam``
    implements and Ruder's overview writes (up to :math:`\beta_1^{t+1}` versus
    :math:`\beta_1^t`). Dozat's Algorithm 2 also multiplies :math:`\hat v_t` by
    :math:`\beta_2`, which no library does.

    References: Dozat (2016, Algorithm 2); torch.optim.NAdam (2.13).
    """
    b1_, b2_, eps_, hyperparams = _decays_and_eps(b1, b2, eps)
    if momentum_decay is not None:
        psi = check_range("momentum_decay", momentum_decay, 0.0)
        hyperparams += named(momentum_decay=psi)

    def init(params: Array) -> NadamState:
        zeros = np.zeros_like(params)
        return NadamState(step=0, mu=zeros, nu=zeros, mu_product=np.ones_like(params))

    def update(grads: Array, state: NadamState, params: Array) -> tuple[Array, NadamState]:
        step = state.step + 1
        mu, nu = _moments(grads, AdamState(state.step, state.mu, state.nu), b1_, b2_)
        mu_t = nadam_momentum_schedule(b1_, step, momentum_decay)
        mu_next = nadam_momentum_schedule(b1_, step + 1, momentum_decay)
        mu_product = state.mu_product * mu_t  # P_t
        den = np.sqrt(debias(nu, b2_, step)) + eps_  # sqrt(\hat v_t) + eps
        # safe_divide: with eps = 0 a coordinate whose gradients were all zero gets 0, not 0/0
        direction = safe_divide((1.0 - mu_t) / (1.0 - mu_product) * grads, den) + safe_divide(
            mu_next / (1.0 - mu_product * mu_next) * mu, den
        )
        return direction, NadamState(step, mu, nu, mu_product)

    return Optimizer(init, update, hyperparams)


def nadam(
    learning_rate: Hyper = 2e-3,
    b1: Number = 0.9,
    b2: Number = 0.999,
    eps: Number = 1e-8,
    momentum_decay: float | None = 4e-3,
) -> Optimizer:
    r"""NAdam: :math:`x_t = x_{t-1} - \eta\,` :func:`scale_by_nadam` direction.

    Defaults are torch's (:math:`\eta = 2\cdot10^{-3}`, :math:`\psi = 0.004`), which
    follow Dozat's (2016) schedule; ``momentum_decay=None`` is the constant-momentum
    form of optax.

    References: Dozat (2016).
    """
    return chain(
        scale_by_nadam(b1, b2, eps, momentum_decay),
        scale_by_learning_rate(learning_rate),
    )


class AdamaxState(NamedTuple):
    """State of :func:`scale_by_adamax`."""

    step: int  # t, updates so far
    mu: Array  # m_t, EMA of gradients
    nu: Array  # u_t = max(b2 u_{t-1}, |g_t|), the exponentially weighted infinity norm


@block
def scale_by_adamax(b1: Number = 0.9, b2: Number = 0.999, eps: Number = 0.0) -> Optimizer:
    r"""Direction :math:`m_t / ((1-\beta_1^t)\,u_t)`.

    :math:`u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)`;
    :math:`u_t = \max_{i \le t} \beta_2^{t-i}|g_i|` is the :math:`p \to \infty` limit
    of Adam's :math:`v_t^{1/p}` and needs no bias correction. A step is at most
    :math:`\eta\,\frac{1-\beta_1}{1-\beta_1^t}\sum_{k<t}(\beta_1/\beta_2)^k`.
    Kingma & Ba have no :math:`\epsilon` (``eps=0``: a coordinate whose gradients
    were all zero gets a zero step); torch and optax add ``eps`` *inside* the maximum.

    References: Kingma & Ba (2015, Algorithm 2, Section 7.1).
    """
    b1_, b2_, eps_, hyperparams = _decays_and_eps(b1, b2, eps)

    def init(params: Array) -> AdamaxState:
        zeros = np.zeros_like(params)
        return AdamaxState(step=0, mu=zeros, nu=zeros)

    def update(grads: Array, state: AdamaxState, params: Array) -> tuple[Array, AdamaxState]:
        step = state.step + 1
        mu = ema_update(state.mu, grads, b1_)  # m_t
        nu = np.maximum(b2_ * state.nu, np.abs(grads) + eps_)  # u_t
        direction = safe_divide(debias(mu, b1_, step), nu)
        return direction, AdamaxState(step, mu, nu)

    return Optimizer(init, update, hyperparams)


def adamax(
    learning_rate: Hyper = 2e-3, b1: Number = 0.9, b2: Number = 0.999, eps: Number = 0.0
) -> Optimizer:
    r"""AdaMax: :math:`x_t = x_{t-1} - \frac{\eta}{1-\beta_1^t}\, m_t / u_t`.

    Defaults are the paper's (:math:`\eta = 0.002`, no :math:`\epsilon`); torch uses
    ``eps=1e-8`` inside the maximum.

    References: Kingma & Ba (2015, Algorithm 2).
    """
    return chain(scale_by_adamax(b1, b2, eps), scale_by_learning_rate(learning_rate))


def radam_rho(b2: Number, step: int) -> tuple[Array, Array]:
    r"""Length of the approximated SMA: :math:`\rho_\infty` and :math:`\rho_t`.

    :math:`\rho_\infty = 2/(1-\beta_2) - 1`,
    :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`.

    References: Liu et al. (2020, eq. 6 and Algorithm 2).
    """
    b2_ = np.asarray(b2, dtype=np.float64)
    rho_inf = 2.0 / (1.0 - b2_) - 1.0
    rho_t = rho_inf - 2.0 * step * b2_**step / (1.0 - b2_**step)
    return np.asarray(rho_inf), np.asarray(rho_t)


@block
def scale_by_radam(
    b1: Number = 0.9, b2: Number = 0.999, eps: Number = 0.0, threshold: float = 4.0
) -> Optimizer:
    r"""Rectified direction if :math:`\rho_t > \text{threshold}`, else :math:`\hat m_t`.

    The rectified direction is :math:`r_t \hat m_t \sqrt{1-\beta_2^t}/(\sqrt{v_t}+\epsilon)`
    with :math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}
    {(\rho_\infty-4)(\rho_\infty-2)\rho_t}}` (see :func:`radam_rho`). While the variance
    of the adaptive rate is intractable (:math:`\rho_t` at or below the threshold) the
    step is momentum SGD on :math:`\hat m_t`.

    Liu et al.'s Algorithm 2 uses the threshold 4 and no :math:`\epsilon`
    (the defaults). torch uses the strict test :math:`\rho_t > 5` with ``eps=1e-8``
    added to :math:`\sqrt{v_t}` (not :math:`\sqrt{\hat v_t}`); optax uses
    :math:`\rho_t \ge 5` and adds :math:`\epsilon` to :math:`\sqrt{\hat v_t}`; the
    authors' code makes no update at all while :math:`\rho_t < 5`.

    References: Liu et al. (2020, Algorithm 2).
    """
    b1_, b2_, eps_, hyperparams = _decays_and_eps(b1, b2, eps)
    threshold_ = float(check_range("threshold", threshold, 4.0))

    def init(params: Array) -> AdamState:
        return AdamState(step=0, mu=np.zeros_like(params), nu=np.zeros_like(params))

    def update(grads: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        step = state.step + 1
        mu, nu = _moments(grads, state, b1_, b2_)
        mu_hat = debias(mu, b1_, step)  # \hat m_t
        rho_inf, rho_t = radam_rho(b2_, step)
        rectify = rho_t > threshold_
        with np.errstate(invalid="ignore", divide="ignore"):  # r_t is unused where not rectified
            r = np.sqrt(
                (rho_t - 4.0)
                * (rho_t - 2.0)
                * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
            )
            adaptive = safe_divide(np.sqrt(1.0 - b2_**step) * mu_hat, np.sqrt(nu) + eps_)
        return np.where(rectify, r * adaptive, mu_hat), AdamState(step, mu, nu)

    return Optimizer(init, update, hyperparams)


def radam(
    learning_rate: Hyper = 1e-3,
    b1: Number = 0.9,
    b2: Number = 0.999,
    eps: Number = 0.0,
    threshold: float = 4.0,
) -> Optimizer:
    r"""RAdam: :math:`x_t = x_{t-1} - \eta\,` :func:`scale_by_radam` direction.

    References: Liu et al. (2020, Algorithm 2).
    """
    return chain(
        scale_by_radam(b1, b2, eps, threshold),
        scale_by_learning_rate(learning_rate),
    )
