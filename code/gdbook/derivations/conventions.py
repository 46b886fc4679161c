r"""SymPy claims behind the appendix *Conventions: one notation, many books*.

Each function returns SymPy objects only: an expression, or a pair claimed equal.
``tests/test_conventions_bridge.py`` asserts every claim and ties it to the NumPy
code. The book's own names are :math:`\eta` (learning rate), :math:`\beta`
(momentum), :math:`b_t` (the sum-form buffer) and :math:`g_t` (gradient at
:math:`x_{t-1}`); the other books' symbols are defined below and mapped in the
appendix's table.

The other books' letters are shared symbols of :mod:`gdbook.derivations`: :math:`v`
(a velocity that stores *steps*, as in Sutskever et al. 2013 and the Deep Learning
book), :math:`m` (an EMA buffer), :math:`\alpha` and :math:`\epsilon` (the Deep
Learning book's momentum and learning rate, ``alpha`` and ``epsilon_lr``),
:math:`\gamma` (Ruder's momentum), :math:`\epsilon` (Adam's or RMSProp's epsilon,
``epsilon``), :math:`\beta_1, \beta_2` (Adam's decay rates). Local to this module:
:math:`x_{t-2}` and :math:`\eta'` (the learning rate after a schedule change).
"""

from __future__ import annotations

import sympy as sp

from gdbook.derivations import (
    alpha,
    b,
    b1,
    b2,
    beta,
    epsilon,
    epsilon_lr,
    eta,
    g,
    gamma,
    grads,
    j,
    lam,
    m,
    m_t,
    n_updates,
    nu,
    rates,
    s,
    t,
    theta,
    v,
    v_t,
    x,
)

x_prev = sp.Symbol("x_{t-2}", real=True)  # the iterate before x = x_{t-1}
eta_next = sp.Symbol(r"\eta'", positive=True)  # learning rate after a change

# --------------------------------------------------------------------------------------
# Equivalences: the same iteration in different clothes
# --------------------------------------------------------------------------------------


def lr_inside_outside_step() -> tuple[sp.Matrix, sp.Matrix]:
    r"""One update of both forms agrees when :math:`v = -\eta b` and :math:`\eta` is constant.

    Sum form (Polyak; Distill; PyTorch): :math:`b' = \beta b + g,\ x' = x - \eta b'`.
    Rate inside (Sutskever et al. 2013, eq. 1-2; Goodfellow et al. 2016, Alg. 8.2):
    :math:`v' = \beta v - \eta g,\ x' = x + v'`. Returns ``(x', v')`` of the second
    form started from :math:`v = -\eta b`, and ``(x', -eta b')`` of the first.
    """
    v_next = beta * (-eta * b) - eta * g
    inside = sp.Matrix([x + v_next, v_next])
    b_next = beta * b + g
    outside = sp.Matrix([x - eta * b_next, -eta * b_next])
    return inside, outside


def ruder_form_step() -> tuple[sp.Matrix, sp.Matrix]:
    r"""Ruder's momentum is Sutskever's with :math:`v \to -v`.

    :math:`v' = \gamma v + \eta g,\ \theta' = \theta - v'`: Ruder (2016) and many course
    notes write momentum this way. Returns ``(theta', v')`` of this form started from
    :math:`v`, and ``(x', -v')`` of Sutskever's form started from :math:`-v` (with
    :math:`\beta = \gamma`).
    """
    v_ruder = gamma * v + eta * g
    ruder = sp.Matrix([x - v_ruder, v_ruder])
    v_sutskever = gamma * (-v) - eta * g
    sutskever = sp.Matrix([x + v_sutskever, -v_sutskever])
    return ruder, sutskever


def polyak_two_step() -> tuple[sp.Expr, sp.Expr]:
    r"""The sum form is Polyak's :math:`x_t = x_{t-1} - \eta g_t + \beta (x_{t-1} - x_{t-2})`.

    The buffer is the scaled last move: :math:`b_{t-1} = (x_{t-2} - x_{t-1})/\eta`.
    Returns the sum form's :math:`x_t` and Polyak's (1964) two-step expression.
    """
    b_prev = (x_prev - x) / eta
    sum_form = x - eta * (beta * b_prev + g)
    heavy_ball = x - eta * g + beta * (x - x_prev)
    return sum_form, heavy_ball


def ema_sum_step() -> tuple[sp.Expr, sp.Expr]:
    r"""If :math:`m = (1-\beta) b` then :math:`m' = (1-\beta) b'`: the EMA buffer is a scaled sum.

    :math:`m' = \beta m + (1-\beta) g` and :math:`b' = \beta b + g`; both start at
    0, so by induction :math:`m_t = (1-\beta) b_t` for every t, and the EMA form
    with rate :math:`\eta` is the sum form with rate :math:`\eta(1-\beta)`.
    """
    m_next = beta * (1 - beta) * b + (1 - beta) * g
    b_next = beta * b + g
    return m_next, (1 - beta) * b_next


# --------------------------------------------------------------------------------------
# Where the equivalences break
# --------------------------------------------------------------------------------------


def schedule_step_gap() -> tuple[sp.Expr, sp.Expr]:
    r"""When :math:`\eta` changes to :math:`\eta'`, the forms part by :math:`-\beta(\eta'-\eta) b`.

    Both forms stand at the same :math:`x` with :math:`v = -\eta b`. The sum form
    multiplies the *whole* buffer by the new rate; the rate-inside form applies
    it to the new gradient only. Returns (sum-form :math:`x'` minus rate-inside
    :math:`x'`, the closed form).
    """
    x_sum = x - eta_next * (beta * b + g)
    x_inside = x + beta * (-eta * b) - eta_next * g
    return x_sum - x_inside, -beta * (eta_next - eta) * b


def sum_form_displacement() -> sp.Expr:
    r"""Sum form: :math:`x_n - x_0 = -\sum_{s=1}^n \big(\sum_{j=s}^n \eta_j \beta^{j-s}\big) g_s`.

    Every remembered gradient is multiplied by the rate in force *when the step
    is taken*. (The gradients are taken as given: the two forms are compared on
    the same gradient sequence.)
    """
    weight = sp.Sum(rates[j] * beta ** (j - s), (j, s, n_updates))
    return -sp.Sum(weight * grads[s], (s, 1, n_updates))


def rate_inside_displacement() -> sp.Expr:
    r"""Rate inside: :math:`x_n - x_0 = -\sum_{s=1}^n \eta_s\big(\sum_{j=s}^n \beta^{j-s}\big) g_s`.

    Every gradient keeps the rate in force *when it arrived*.
    """
    weight = rates[s] * sp.Sum(beta ** (j - s), (j, s, n_updates))
    return -sp.Sum(weight * grads[s], (s, 1, n_updates))


def torch_dampened_buffer() -> sp.Expr:
    r"""PyTorch's buffer with ``dampening=beta`` in terms of the gradients.

    :math:`b_t = \beta^{t-1} g_1 + (1-\beta)\sum_{s=2}^{t} \beta^{t-s} g_s`.
    ``torch.optim.SGD`` sets :math:`b_1 = g_1` (no dampening on the first step),
    then :math:`b_t = \beta b_{t-1} + (1-\beta) g_t`.
    """
    return beta ** (t - 1) * grads[1] + (1 - beta) * sp.Sum(beta ** (t - s) * grads[s], (s, 2, t))


def ema_buffer() -> sp.Expr:
    r"""The EMA buffer from :math:`m_0 = 0`: :math:`m_t = (1-\beta)\sum_{s=1}^t \beta^{t-s} g_s`."""
    return (1 - beta) * sp.Sum(beta ** (t - s) * grads[s], (s, 1, t))


def dampening_gap() -> tuple[sp.Expr, sp.Expr]:
    r"""PyTorch's dampened buffer exceeds the EMA by :math:`b_t - m_t = \beta^t g_1`.

    Returns (:func:`torch_dampened_buffer` minus :func:`ema_buffer`, the closed
    form). The gap decays but never vanishes; it is the EMA's initial bias.
    """
    return torch_dampened_buffer() - ema_buffer(), beta**t * grads[1]


def dlb_weight_sum() -> tuple[sp.Expr, sp.Expr]:
    r"""The weights of :math:`v \leftarrow \alpha v - \epsilon g` do not sum to 1.

    They sum to :math:`\epsilon (1-\alpha^t)/(1-\alpha)`. The Deep Learning book
    (Goodfellow et al. 2016, §8.3.2) calls the velocity an exponentially decaying
    *average*; it is a decaying *sum*, whose weights tend to :math:`\epsilon/(1-\alpha)`
    (ten times the rate for :math:`\alpha = 0.9`).
    """
    total = sp.Sum(epsilon_lr * alpha ** (s - 1), (s, 1, t))
    return total, epsilon_lr * (1 - alpha**t) / (1 - alpha)


def ema_weight_sum() -> tuple[sp.Expr, sp.Expr]:
    r"""The EMA's weights :math:`(1-\beta)\beta^{t-s}` sum to :math:`1 - \beta^t`.

    The EMA is an average only as :math:`t \to \infty`.
    """
    return sp.Sum((1 - beta) * beta ** (t - s), (s, 1, t)), 1 - beta**t


def eps_outside_step() -> sp.Expr:
    r"""Steady-state step per unit rate with :math:`\epsilon` outside the root.

    The step is :math:`g/(\sqrt{g^2} + \epsilon)`. With a constant gradient the
    second-moment estimate settles at :math:`g^2` (PyTorch's Adam, RMSprop and Adagrad;
    Kingma & Ba 2015, Alg. 1).
    """
    return g / (sp.sqrt(g**2) + epsilon)


def eps_inside_step() -> sp.Expr:
    r"""Steady-state step per unit rate with :math:`\epsilon` inside the root.

    The step is :math:`g/\sqrt{g^2 + \epsilon}`. The placement of optax's default
    RMSProp and Adagrad, Keras' RMSprop and Adagrad, and Goodfellow et al. (2016,
    Alg. 8.5).
    """
    return g / sp.sqrt(g**2 + epsilon)


def eps_inside_matching() -> tuple[sp.Expr, sp.Expr]:
    r"""The epsilon inside the root that reproduces a given outside one.

    :math:`\sqrt{\nu + \epsilon_{\rm in}} = \sqrt{\nu} + \epsilon` needs
    :math:`\epsilon_{\rm in} = \epsilon(2\sqrt{\nu} + \epsilon)`. It depends on
    :math:`\nu`, so no constant converts one placement into the other.
    """
    eps_in = epsilon * (2 * sp.sqrt(nu) + epsilon)
    return sp.sqrt(nu + eps_in), sp.sqrt(nu) + epsilon


def adam_efficient_form() -> tuple[sp.Expr, sp.Expr]:
    r"""Kingma & Ba's "efficient" Adam equals Algorithm 1 for a step-dependent :math:`\hat\epsilon`.

    The two agree when :math:`\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}`.
    Algorithm 1: :math:`\eta\,\hat m_t/(\sqrt{\hat v_t} + \epsilon)` with
    :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`.
    Efficient form (Kingma & Ba 2015, §2; Keras 3's Adam):
    :math:`\eta_t\, m_t/(\sqrt{v_t} + \hat\epsilon)` with
    :math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)`.
    """
    v_hat_root = sp.sqrt(v_t) / sp.sqrt(1 - b2**t)  # sqrt(v_t / (1 - beta_2^t))
    algorithm_1 = eta * (m_t / (1 - b1**t)) / (v_hat_root + epsilon)
    eta_t = eta * sp.sqrt(1 - b2**t) / (1 - b1**t)
    eps_hat = epsilon * sp.sqrt(1 - b2**t)
    return algorithm_1, eta_t * m_t / (sp.sqrt(v_t) + eps_hat)


def torch_without_bias_correction() -> tuple[sp.Expr, sp.Expr]:
    r"""PyTorch's Adam with a per-step :math:`\eta_t` and :math:`\epsilon_t` has no bias correction.

    :math:`\eta_t = \eta(1-\beta_1^t)/\sqrt{1-\beta_2^t}`,
    :math:`\epsilon_t = \epsilon/\sqrt{1-\beta_2^t}`. torch computes
    :math:`(\eta_t/(1-\beta_1^t))\, m_t/(\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon_t)`;
    with these per-step values it is :math:`\eta\, m_t/(\sqrt{v_t} + \epsilon)`.
    """
    bc1, bc2 = 1 - b1**t, 1 - b2**t
    eta_t = eta * bc1 / sp.sqrt(bc2)
    eps_t = epsilon / sp.sqrt(bc2)
    torch_step = (eta_t / bc1) * m_t / (sp.sqrt(v_t) / sp.sqrt(bc2) + eps_t)
    return torch_step, eta * m_t / (sp.sqrt(v_t) + epsilon)


# --------------------------------------------------------------------------------------
# Notation slips (the appendix's "Common mistakes")
# --------------------------------------------------------------------------------------


def cs231n_sign_step() -> tuple[sp.Expr, sp.Expr]:
    r"""``v = rho*v + lr*dx; x += v`` on :math:`\tfrac12\lambda x^2` climbs the hill.

    From :math:`v = 0` it gives :math:`x' = (1 + \eta\lambda) x`; the multiplier exceeds 1.
    Returns (the slip's :math:`x'`, the closed form).
    """
    v_next = beta * 0 + eta * (lam * x)  # dx = lambda x, the gradient
    return x + v_next, (1 + eta * lam) * x


def ema_lookahead() -> tuple[sp.Expr, sp.Expr]:
    r"""With an EMA velocity, momentum alone carries :math:`\theta` to :math:`\theta - \eta\beta m`.

    In :math:`m' = \beta m + (1-\beta) g,\ \theta' = \theta - \eta m'` the step
    without the new gradient (:math:`g = 0`) is :math:`-\eta\beta m`, so Nesterov's
    look-ahead point is :math:`\theta - \eta\beta m`, not :math:`\theta - \beta m`
    (the slip fixed in Prince's notebooks in 2024). Returns (:math:`\theta'` at
    :math:`g = 0`, the look-ahead point).
    """
    m_next = beta * m + (1 - beta) * g
    return (theta - eta * m_next).subs(g, 0), theta - eta * beta * m
