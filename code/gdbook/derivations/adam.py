r"""SymPy claims behind the chapter *Adam*; one function per claim.

Each function returns SymPy objects, usually a pair ``(derived, claimed)``: the left item
is what SymPy computes from the update rule (an unrolled recursion, a sum, a solve, a
limit), the right item the formula the chapter prints. ``tests/chapters/test_adam*.py``
assert that the two agree and tie each claim to :mod:`gdbook.adam`.

Notation (Kingma & Ba 2015, Algorithm 1, with the book's :math:`\eta` for their
:math:`\alpha`): :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`,
:math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`, :math:`m_0 = v_0 = 0`,
:math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`,
:math:`x_t = x_{t-1} - \eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)`. One coordinate at a
time: every operation is elementwise.

SymPy cannot assume :math:`\beta < 1`; where a claim needs it, it is written with
:math:`1-\beta_2 = w > 0` (:data:`one_minus_b2`) and substituted back.

Symbols local to this module: :math:`\mathbb{E}[g_s]`, :math:`\mathbb{E}[g_s^2]` (the
moments of the gradient of update :math:`s`), :math:`\zeta` (the non-stationarity
term), :math:`\hat\epsilon` (the efficient form's epsilon), :math:`c` (a scale factor),
:math:`\mu_g` (the mean of a stationary gradient), :math:`\lambda_{\rm wd}` (weight
decay), :math:`\alpha_{\rm LH}, \eta_t` (Loshchilov & Hutter's step size and schedule
multiplier), :math:`\hat m_{t-1}`, :math:`C` (the constant of Reddi et al.'s problem)
and :math:`p` (the order of a norm).
"""

from __future__ import annotations

import sympy as sp

from gdbook.derivations import b1, b2, epsilon, eta, g, grads, m, m_t, s, sigma, t, v_t, x

mean_seq = sp.IndexedBase(sp.Symbol(r"\mathbb{E}[g]"))  # E[g_s]
square_seq = sp.IndexedBase(sp.Symbol(r"\mathbb{E}[g^2]"))  # E[g_s^2]
zeta = sp.Symbol(r"\zeta", real=True)  # the non-stationarity term of Kingma & Ba, Section 3
eps_hat = sp.Symbol(r"\hat\epsilon", positive=True)  # the efficient form's epsilon
scale_c = sp.Symbol("c", positive=True)  # a positive scale factor of the objective
mu_g = sp.Symbol(r"\mu_g", real=True)  # mean of a stationary gradient
wd = sp.Symbol(r"\lambda_{\rm wd}", positive=True)  # weight decay
alpha_lh = sp.Symbol(r"\alpha_{\rm LH}", positive=True)  # Loshchilov & Hutter's step size
eta_sched = sp.Symbol(r"\eta_t", positive=True)  # their schedule multiplier
m_hat_prev = sp.Symbol(r"\hat m_{t-1}", real=True)  # the corrected first moment before t
reddi_c = sp.Symbol("C", positive=True)  # Reddi et al.'s constant, C > 2
p_norm = sp.Symbol("p", positive=True)  # order of the norm in AdaMax's limit
one_minus_b2 = sp.Symbol(r"w_2", positive=True)  # 1 - beta_2, positive
age = sp.Symbol("k_{age}", integer=True, nonnegative=True)  # age t - s of a past gradient


_bias_1 = sp.Symbol("u_1", positive=True)  # 1 - beta_1^t, positive
_bias_2 = sp.Symbol("u_2", positive=True)  # 1 - beta_2^t, positive


def positive_simplify(expr: sp.Expr) -> sp.Expr:
    r"""Simplify ``expr`` knowing :math:`1-\beta_1^t,\ 1-\beta_2^t,\ 1-\beta_2 > 0`.

    SymPy cannot assume :math:`\beta < 1`: the three are replaced by positive symbols,
    the expression simplified, and the symbols substituted back.
    """
    replaced = expr.subs({b1**t: 1 - _bias_1, b2**t: 1 - _bias_2}).subs(b2, 1 - one_minus_b2)
    simpler = sp.simplify(replaced)
    back = {_bias_1: 1 - b1**t, _bias_2: 1 - b2**t, one_minus_b2: 1 - b2}
    return sp.simplify(simpler.subs(back))


_base = sp.Symbol("r_{base}", positive=True)  # placeholder base of a geometric sum


def _weighted_sum(coefficient: sp.Expr, base: sp.Expr) -> sp.Expr:
    r"""``coefficient`` times :math:`\sum_{k=0}^{t-1} \text{base}^k` in closed form (base not 1).

    The EMA weights of the gradients of ages :math:`k = t - s`: SymPy sums a plain symbol
    fast, so the base is substituted after summing.
    """
    total = sp.summation(_base**age, (age, 0, t - 1))
    general = total.args[-1][0] if isinstance(total, sp.Piecewise) else total
    return coefficient * general.subs(_base, base)


# --------------------------------------------------------------------------------------
# The two moving averages and their bias
# --------------------------------------------------------------------------------------


def second_moment_sum() -> sp.Expr:
    r""":math:`v_t = (1-\beta_2)\sum_{s=1}^t \beta_2^{t-s} g_s^2` (Kingma & Ba, Section 3)."""
    return (1 - b2) * sp.Sum(b2 ** (t - s) * grads[s] ** 2, (s, 1, t))


def second_moment_unrolled(num_steps: int = 5) -> tuple[sp.Expr, sp.Expr]:
    r"""The recursion :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2` from :math:`v_0 = 0`.

    Unrolled ``num_steps`` times, it is :func:`second_moment_sum` at :math:`t` = ``num_steps``.
    """
    v: sp.Expr = sp.Integer(0)
    for i in range(1, num_steps + 1):
        v = b2 * v + (1 - b2) * grads[i] ** 2
    return sp.expand(v), sp.expand(second_moment_sum().subs(t, num_steps).doit())


def expected_second_moment() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\mathbb{E}[v_t] = \mathbb{E}[g_t^2](1-\beta_2^t) + \zeta` (Kingma & Ba, Section 3).

    :math:`\zeta = (1-\beta_2)\sum_s \beta_2^{t-s}(\mathbb{E}[g_s^2] - \mathbb{E}[g_t^2])` is
    zero for a stationary second moment. Derived: the expectation of
    :func:`second_moment_sum`, with each :math:`\mathbb{E}[g_s^2]` split into
    :math:`\mathbb{E}[g_t^2]` plus its difference, the first part summed in closed form.
    """
    stationary = _weighted_sum((1 - b2) * square_seq[t], b2)
    drift = non_stationarity_term()
    expectation = sp.simplify(stationary) + drift  # E[second_moment_sum()], term by term
    claimed = square_seq[t] * (1 - b2**t) + zeta
    return expectation.subs(drift, zeta), claimed


def non_stationarity_term() -> sp.Expr:
    r"""Kingma & Ba's :math:`\zeta`, what is left when the second moment of the gradient changes.

    :math:`\zeta = (1-\beta_2)\sum_s \beta_2^{t-s}(\mathbb{E}[g_s^2] - \mathbb{E}[g_t^2])`.
    """
    return (1 - b2) * sp.Sum(b2 ** (t - s) * (square_seq[s] - square_seq[t]), (s, 1, t))


def expected_first_moment() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\mathbb{E}[m_t] = \mathbb{E}[g_t](1-\beta_1^t) + \zeta_1`: the same for :math:`m`.

    Returns the stationary case (:math:`\zeta_1 = 0`): the expectation of
    :math:`(1-\beta_1)\sum_s \beta_1^{t-s} g_s` when every :math:`\mathbb{E}[g_s] =
    \mathbb{E}[g_t]`, and :math:`\mathbb{E}[g_t](1-\beta_1^t)`.
    """
    derived = _weighted_sum((1 - b1) * mean_seq[t], b1)
    return sp.simplify(derived), mean_seq[t] * (1 - b1**t)


def bias_correction_as_time_varying_beta() -> tuple[sp.Expr, sp.Expr]:
    r"""Bias correction is an EMA with a time-varying :math:`\beta_t`.

    :math:`\hat m_t = \beta_t \hat m_{t-1} + (1-\beta_t) g_t`.

    :math:`\beta_t = \beta_1 (1-\beta_1^{t-1})/(1-\beta_1^t)`, so :math:`\beta_1 \to 0`
    at :math:`t = 1` (the first corrected moment is :math:`g_1`) and :math:`\beta_t \to
    \beta_1` later. Derived: :math:`m_t/(1-\beta_1^t)` with :math:`m_{t-1} = (1-\beta_1^{t-1})
    \hat m_{t-1}`; claimed: the EMA with :math:`\beta_t`.
    """
    derived = (b1 * (1 - b1 ** (t - 1)) * m_hat_prev + (1 - b1) * g) / (1 - b1**t)
    beta_t = time_varying_beta()
    return derived, beta_t * m_hat_prev + (1 - beta_t) * g


def time_varying_beta() -> sp.Expr:
    r""":math:`\beta_t = \beta_1(1-\beta_1^{t-1})/(1-\beta_1^t)`, the decay bias correction uses."""
    return b1 * (1 - b1 ** (t - 1)) / (1 - b1**t)


# --------------------------------------------------------------------------------------
# Which way the bias pushes
# --------------------------------------------------------------------------------------


def uncorrected_first_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Without correction the first direction is :math:`(1-\beta_1)/\sqrt{1-\beta_2}` times a sign.

    :math:`m_1 = (1-\beta_1) g`, :math:`v_1 = (1-\beta_2) g^2`, :math:`\epsilon = 0`:
    :math:`m_1/\sqrt{v_1}`. At the defaults the factor is :math:`0.1/\sqrt{0.001} \approx
    3.16`: the uncorrected first step is *longer* than :math:`\eta`, not shorter.
    """
    derived = (1 - b1) * g / sp.sqrt((1 - b2) * g**2)
    return positive_simplify(derived), (1 - b1) / sp.sqrt(1 - b2) * g / sp.Abs(g)


def corrected_first_step() -> tuple[sp.Expr, sp.Expr]:
    r"""With correction the first direction is :math:`\hat m_1/\sqrt{\hat v_1} = g_1/|g_1|`.

    Whatever :math:`\beta_1, \beta_2` and the size of :math:`g_1` (with :math:`\epsilon = 0`).
    """
    m_hat = (1 - b1) * g / (1 - b1)
    v_hat = (1 - b2) * g**2 / (1 - b2)
    return sp.simplify(m_hat / sp.sqrt(v_hat)), g / sp.Abs(g)


def constant_gradient_direction() -> tuple[sp.Expr, sp.Expr]:
    r"""Under a constant gradient the corrected direction is :math:`\mathrm{sign}\,g` at every step.

    Derived from the sums: :math:`m_t = (1-\beta_1^t) g`, :math:`v_t = (1-\beta_2^t) g^2`,
    so :math:`\hat m_t/\sqrt{\hat v_t} = g/|g|` for every :math:`t` (:math:`\epsilon = 0`).
    """
    m_sum = _weighted_sum((1 - b1) * g, b1)
    v_sum = _weighted_sum((1 - b2) * g**2, b2)
    derived = (m_sum / (1 - b1**t)) / sp.sqrt(v_sum / (1 - b2**t))
    return positive_simplify(derived), g / sp.Abs(g)


def uncorrected_step_factor() -> tuple[sp.Expr, sp.Expr]:
    r"""Under a constant gradient the uncorrected step is :math:`(1-\beta_1^t)/\sqrt{1-\beta_2^t}`.

    Derived: :math:`m_t/\sqrt{v_t}` from the sums, divided by :math:`\mathrm{sign}\,g`. The
    factor exceeds 1 whenever :math:`\beta_2^t > 2\beta_1^t - \beta_1^{2t}`, which holds
    for all :math:`t` at the defaults; it tends to 1 as :math:`t \to \infty`.
    """
    m_sum = _weighted_sum((1 - b1) * g, b1)
    v_sum = _weighted_sum((1 - b2) * g**2, b2)
    g_pos = sp.Symbol("g_{>0}", positive=True)  # the factor is even in g: take g > 0
    derived = (m_sum / sp.sqrt(v_sum)).subs(g, g_pos)
    return positive_simplify(derived), (1 - b1**t) / sp.sqrt(1 - b2**t)


def efficient_form() -> tuple[sp.Expr, sp.Expr]:
    r"""The efficient form is Algorithm 1 when :math:`\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}`.

    Kingma & Ba (Section 2): :math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)` and
    :math:`x_t = x_{t-1} - \eta_t m_t/(\sqrt{v_t} + \hat\epsilon)`. Derived: the
    :math:`\hat\epsilon` that solves "efficient step = Algorithm 1's step"; claimed:
    :math:`\epsilon\sqrt{1-\beta_2^t}`. (The conventions appendix shows the Keras case.)
    """
    algorithm_1 = eta * (m_t / (1 - b1**t)) / (sp.sqrt(v_t / (1 - b2**t)) + epsilon)
    eta_t = eta * sp.sqrt(1 - b2**t) / (1 - b1**t)
    efficient = eta_t * m_t / (sp.sqrt(v_t) + eps_hat)
    (solution,) = sp.solve(sp.Eq(efficient, algorithm_1), eps_hat)
    return positive_simplify(solution), epsilon * sp.sqrt(1 - b2**t)


# --------------------------------------------------------------------------------------
# How long can a step be?
# --------------------------------------------------------------------------------------


def kingma_step_bound() -> sp.Expr:
    r"""Kingma & Ba's Section 2.1: :math:`|\Delta_t|/\eta \le (1-\beta_1)/\sqrt{1-\beta_2}` or 1.

    The first when :math:`1-\beta_1 > \sqrt{1-\beta_2}`, the second otherwise. It is the
    step of a single gradient spike after zeros (:func:`single_spike_step` as
    :math:`t \to \infty`); :func:`tight_step_bound` shows that it is not an upper bound.
    """
    first = (1 - b1) / sp.sqrt(1 - b2)
    return sp.Piecewise((first, 1 - b1 > sp.sqrt(1 - b2)), (1, True))


def single_spike_step() -> tuple[sp.Expr, sp.Expr]:
    r"""The corrected step of one gradient :math:`g` at step :math:`t` after :math:`t-1` zeros.

    :math:`\hat m_t/\sqrt{\hat v_t} = \frac{(1-\beta_1)\sqrt{1-\beta_2^t}}{(1-\beta_1^t)
    \sqrt{1-\beta_2}}`, which tends to :math:`(1-\beta_1)/\sqrt{1-\beta_2}` (:math:`g > 0`).
    """
    g_pos = sp.Symbol("g_{>0}", positive=True)
    m_hat = (1 - b1) * g_pos / (1 - b1**t)
    v_hat = (1 - b2) * g_pos**2 / (1 - b2**t)
    claimed = (1 - b1) * sp.sqrt(1 - b2**t) / ((1 - b1**t) * sp.sqrt(1 - b2))
    return positive_simplify(m_hat / sp.sqrt(v_hat)), claimed


def worst_case_gradients(num_steps: int = 3) -> tuple[list[sp.Expr], list[sp.Expr]]:
    r"""The gradients that maximise :math:`m_t/\sqrt{v_t}` grow: :math:`(\beta_1/\beta_2)^{t-s}`.

    Derived by Lagrange multipliers for ``num_steps`` gradients: maximise
    :math:`\sum_k a_k g_k` with :math:`a_k = (1-\beta_1)\beta_1^k` subject to
    :math:`\sum_k b_k g_k^2 = 1`, :math:`b_k = (1-\beta_2)\beta_2^k` (:math:`k = t-s`,
    the age). The stationary point is :math:`g_k = a_k/(2\ell b_k)`; returns the ratios
    :math:`g_k/g_0` and the claimed :math:`(\beta_1/\beta_2)^k`. They *grow* with
    :math:`s` by the factor :math:`\beta_2/\beta_1 > 1` per step.
    """
    ell = sp.Symbol(r"\ell", positive=True)  # the Lagrange multiplier
    gs = sp.symbols(f"h_0:{num_steps}", real=True)
    a = [(1 - b1) * b1**k for k in range(num_steps)]
    w = [(1 - b2) * b2**k for k in range(num_steps)]
    objective = sum(ak * gk for ak, gk in zip(a, gs, strict=True))
    constraint = sum(wk * gk**2 for wk, gk in zip(w, gs, strict=True)) - 1
    lagrangian = objective - ell * constraint
    stationary = sp.solve([sp.diff(lagrangian, gk) for gk in gs], gs, dict=True)[0]
    derived = [sp.simplify(stationary[gk] / stationary[gs[0]]) for gk in gs]
    return derived, [(b1 / b2) ** k for k in range(num_steps)]


def tight_step_bound() -> tuple[sp.Expr, sp.Expr]:
    r"""The largest uncorrected :math:`|m_t|/\sqrt{v_t}` over all gradient sequences.

    By Cauchy-Schwarz, :math:`\sum_k \beta_1^k g_k = \sum_k (\beta_1/\sqrt{\beta_2})^k
    (\sqrt{\beta_2}^k g_k) \le \sqrt{\sum_k q^k}\sqrt{\sum_k \beta_2^k g_k^2}` with
    :math:`q = \beta_1^2/\beta_2`, with equality for :func:`worst_case_gradients`.
    Derived: :math:`m_t/\sqrt{v_t}` for those gradients, summed in closed form;
    claimed: :math:`\frac{1-\beta_1}{\sqrt{1-\beta_2}}\sqrt{\frac{1-q^t}{1-q}}`.
    """
    ratio = b1 / b2  # g of age k (update t - k) is ratio**k
    m_sum = _weighted_sum(1 - b1, b1 * ratio)  # sum_k (1 - b1) b1^k g_{t-k}
    v_sum = _weighted_sum(1 - b2, b2 * ratio**2)  # sum_k (1 - b2) b2^k g_{t-k}^2
    q = b1**2 / b2
    claimed = (1 - b1) / sp.sqrt(1 - b2) * sp.sqrt((1 - q**t) / (1 - q))
    derived = m_sum / sp.sqrt(v_sum)
    return derived, claimed


def tight_step_bound_limit() -> tuple[sp.Expr, sp.Expr]:
    r"""The tight bound as :math:`t \to \infty`, for :math:`\beta_1 < \sqrt{\beta_2}`.

    It is :math:`(1-\beta_1)/\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}`.

    Derived: the limit of the claimed side of :func:`tight_step_bound` with
    :math:`q^t \to 0`. At the defaults it is about 7.27; with :math:`\beta_1 \ge
    \sqrt{\beta_2}` the bound grows without limit.
    """
    _, bound = tight_step_bound()
    q = b1**2 / b2
    return bound.subs(q**t, 0), (1 - b1) / sp.sqrt((1 - b2) * (1 - q))


def corrected_step_bound() -> sp.Expr:
    r"""The bound at step :math:`t` with bias correction.

    It is :func:`tight_step_bound` times :math:`\sqrt{1-\beta_2^t}/(1-\beta_1^t)`.

    It is 1 at :math:`t = 1` and tends to :func:`tight_step_bound_limit`.
    """
    _, bound = tight_step_bound()
    return bound * sp.sqrt(1 - b2**t) / (1 - b1**t)


def scale_invariance(num_steps: int = 3) -> tuple[sp.Expr, sp.Expr]:
    r"""Multiplying every gradient by :math:`c > 0` leaves :math:`\hat m_t/\sqrt{\hat v_t}` alone.

    Derived: the direction after ``num_steps`` gradients :math:`c\,g_s`; claimed: the one
    after :math:`g_s` (:math:`\epsilon = 0`). So with :math:`\epsilon = 0` the iterates for
    :math:`c f` are those for :math:`f` (Kingma & Ba, Section 2.1).
    """

    def direction(scale: sp.Expr) -> sp.Expr:
        m_sum = sum(
            (1 - b1) * b1 ** (num_steps - i) * scale * grads[i] for i in range(1, 1 + num_steps)
        )
        v_sum = sum(
            (1 - b2) * b2 ** (num_steps - i) * (scale * grads[i]) ** 2
            for i in range(1, 1 + num_steps)
        )
        return (m_sum / (1 - b1**num_steps)) / sp.sqrt(v_sum / (1 - b2**num_steps))

    return sp.simplify(direction(scale_c)), sp.simplify(direction(sp.Integer(1)))


def unbiased_moments() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""For i.i.d. gradients the corrected moments are unbiased.

    :math:`\mathbb{E}[\hat m_t] = \mu_g` and :math:`\mathbb{E}[\hat v_t] = \mu_g^2 + \sigma^2`.

    Bias correction divides by the sum of the weights, :math:`1-\beta^t`. Returns the two
    pairs (derived, claimed). Hence the signal-to-noise picture:
    :math:`\mathbb{E}[\hat m_t]/\sqrt{\mathbb{E}[\hat v_t]} = \mu_g/\sqrt{\mu_g^2+\sigma^2}`
    (:func:`snr_direction`).
    """
    m_hat = _weighted_sum((1 - b1) * mu_g, b1) / (1 - b1**t)
    v_hat = _weighted_sum((1 - b2) * (mu_g**2 + sigma**2), b2) / (1 - b2**t)
    return (positive_simplify(m_hat), mu_g), (positive_simplify(v_hat), mu_g**2 + sigma**2)


def snr_direction() -> tuple[sp.Expr, sp.Expr]:
    r"""The ratio of expectations :math:`\mathbb{E}[\hat m_t]/\sqrt{\mathbb{E}[\hat v_t]}`.

    It is :math:`\mu_g/\sqrt{\mu_g^2+\sigma^2} = \mathrm{sign}(\mu_g)/\sqrt{1+\sigma^2/\mu_g^2}`:
    a sign times a damping factor that falls with the noise-to-signal ratio. It
    approximates :math:`\mathbb{E}[\hat m_t/\sqrt{\hat v_t}]` when :math:`\hat v_t` varies
    little (:math:`\beta_2` near 1); the chapter measures how well.
    """
    (m_hat, _), (v_hat, _) = unbiased_moments()
    return sp.simplify(m_hat / sp.sqrt(v_hat)), mu_g / sp.sqrt(mu_g**2 + sigma**2)


def adamax_limit() -> tuple[sp.Expr, sp.Expr]:
    r"""AdaMax's :math:`u_t` is the :math:`p \to \infty` limit of :math:`(v_t^{(p)})^{1/p}`.

    With decay :math:`\beta_2^p`: :math:`v^{(p)}_t = (1-\beta_2^p)\sum_s \beta_2^{p(t-s)}
    |g_s|^p`, and :math:`\lim_p (v^{(p)}_t)^{1/p} = \max_s \beta_2^{t-s}|g_s|`. Shown for
    two gradients :math:`g_1 = 3`, :math:`g_2 = 2` at :math:`\beta_2 = 0.999`, where the old
    one wins: :math:`\max(0.999 \cdot 3, 2) = 2.997`.
    """
    decay = sp.Rational(999, 1000)
    v_p = (1 - decay**p_norm) * (decay**p_norm * 3**p_norm + 2**p_norm)
    return sp.limit(v_p ** (1 / p_norm), p_norm, sp.oo), sp.Max(decay * 3, 2)


def adamax_step_bound() -> tuple[sp.Expr, sp.Expr]:
    r"""Limit of AdaMax's bound :math:`\frac{1-\beta_1}{1-\beta_1^t}\sum_{k<t}(\beta_1/\beta_2)^k`.

    :math:`|m_t| \le (1-\beta_1)\sum_k \beta_1^k |g_{t-k}|` and :math:`|g_{t-k}| \le
    u_t/\beta_2^k`. Returns (the limit of the bound as :math:`t \to \infty` for
    :math:`\beta_1 < \beta_2`, the claimed :math:`\beta_2(1-\beta_1)/(\beta_2-\beta_1)`),
    about :math:`1.009\,\eta` at the defaults: Kingma & Ba's :math:`|\Delta_t| \le \eta`
    is not quite an upper bound either.
    """
    total = _weighted_sum(sp.Integer(1), b1 / b2)
    bound = (1 - b1) / (1 - b1**t) * total
    limit = bound.subs({b1**t: 0, (b1 / b2) ** t: 0})
    return sp.simplify(limit), b2 * (1 - b1) / (b2 - b1)


# --------------------------------------------------------------------------------------
# Weight decay
# --------------------------------------------------------------------------------------


def decoupled_decay_is_l2_for_sgd() -> tuple[sp.Expr, sp.Expr]:
    r"""For gradient descent, decay by :math:`\lambda` is L2 regularisation by :math:`\lambda/\eta`.

    Loshchilov & Hutter (2019, Proposition 1): :math:`x - \eta g - \lambda x` (decoupled)
    equals :math:`x - \eta(g + \frac{\lambda}{\eta} x)`, a gradient step on
    :math:`f + \frac{\lambda}{2\eta}\|x\|^2`.
    """
    return x - eta * g - wd * x, x - eta * (g + (wd / eta) * x)


def l2_through_adam() -> tuple[sp.Expr, sp.Expr]:
    r"""L2 inside Adam: the decay a coordinate feels is divided by :math:`\sqrt{\hat v}+\epsilon`.

    With the preconditioner frozen (:math:`\hat v` fixed) the step on
    :math:`f + \frac\lambda2\|x\|^2` is :math:`\eta(g+\lambda x)/(\sqrt{\hat v}+\epsilon)`;
    its decay part, the derivative in :math:`\lambda` times :math:`\lambda`, is
    :math:`\eta\lambda x/(\sqrt{\hat v}+\epsilon)`, while AdamW's is :math:`\eta\lambda x`
    for every coordinate. Returns (derived decay part of L2-Adam, claimed).
    """
    v_hat = sp.Symbol(r"\hat v", positive=True)
    step = eta * (g + wd * x) / (sp.sqrt(v_hat) + epsilon)
    return sp.simplify(wd * sp.diff(step, wd)), eta * wd * x / (sp.sqrt(v_hat) + epsilon)


def torch_decay_is_paper_decay() -> tuple[sp.Expr, sp.Expr]:
    r"""PyTorch's AdamW decays by :math:`\eta\lambda`, the paper by :math:`\eta_t\lambda_{\rm LH}`.

    torch: :math:`x(1-\eta\lambda) - \eta d` with learning rate :math:`\eta`. Loshchilov &
    Hutter's Algorithm 2: :math:`x - \eta_t(\alpha d + \lambda_{\rm LH} x)`. With
    :math:`\eta = \alpha\eta_t` they agree exactly when :math:`\lambda_{\rm LH} = \alpha\lambda`
    (``d`` is Adam's direction). Returns (torch's update with :math:`\eta = \alpha\eta_t`
    and :math:`\lambda = \lambda_{\rm LH}/\alpha`, the paper's update).
    """
    direction = sp.Symbol("d", real=True)
    torch_rate = alpha_lh * eta_sched
    torch_lambda = wd / alpha_lh  # wd plays lambda_LH here
    torch = x * (1 - torch_rate * torch_lambda) - torch_rate * direction
    paper = x - eta_sched * (alpha_lh * direction + wd * x)
    return sp.expand(torch), sp.expand(paper)


# --------------------------------------------------------------------------------------
# NAdam
# --------------------------------------------------------------------------------------


def adam_moment_expanded() -> tuple[sp.Expr, sp.Expr]:
    r"""Adam's :math:`\hat m_t` written through :math:`\hat m_{t-1}` and :math:`g_t`, exactly.

    :math:`\hat m_t = \beta_1\frac{1-\beta_1^{t-1}}{1-\beta_1^t}\hat m_{t-1} +
    \frac{(1-\beta_1) g_t}{1-\beta_1^t}`. Ruder (2016) drops the factor
    :math:`(1-\beta_1^{t-1})/(1-\beta_1^t)` (it tends to 1) before replacing
    :math:`\hat m_{t-1}` by :math:`\hat m_t`, the Nesterov step that gives NAdam.
    """
    m_prev = (1 - b1 ** (t - 1)) * m_hat_prev
    derived = (b1 * m_prev + (1 - b1) * g) / (1 - b1**t)
    claimed = b1 * (1 - b1 ** (t - 1)) / (1 - b1**t) * m_hat_prev + (1 - b1) * g / (1 - b1**t)
    return derived, claimed


def nadam_constant_momentum() -> tuple[sp.Expr, sp.Expr]:
    r"""PyTorch's NAdam numerator with :math:`\mu_t \equiv \beta_1`, :math:`P_t = \beta_1^t`.

    torch: :math:`\frac{\mu_{t+1} m_t}{1-P_t\mu_{t+1}} + \frac{(1-\mu_t) g_t}{1-P_t}`.
    With a constant momentum it is :math:`\frac{\beta_1 m_t}{1-\beta_1^{t+1}} +
    \frac{(1-\beta_1) g_t}{1-\beta_1^t}`. (``m`` is :math:`m_t` here.)
    """
    mu_t = mu_next = b1
    product = b1**t
    torch = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
    return sp.simplify(torch), b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)


def nadam_ruder_gap() -> tuple[sp.Expr, sp.Expr]:
    r"""Ruder's NAdam numerator minus the constant-momentum one.

    Ruder's numerator is :math:`\beta_1\hat m_t + (1-\beta_1) g_t/(1-\beta_1^t)` with
    :math:`\hat m_t = m_t/(1-\beta_1^t)`. The gap is
    :math:`\frac{\beta_1^{t+1}(1-\beta_1)\, m_t}{(1-\beta_1^t)(1-\beta_1^{t+1})}`, which
    vanishes like :math:`\beta_1^t`.
    """
    ruder = b1 * m / (1 - b1**t) + (1 - b1) * g / (1 - b1**t)
    _, constant = nadam_constant_momentum()
    claimed = b1 ** (t + 1) * (1 - b1) * m / ((1 - b1**t) * (1 - b1 ** (t + 1)))
    return sp.simplify(ruder - constant), claimed


def nadam_first_step() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""The first NAdam direction for :math:`g_1 = g > 0`, in units of :math:`\eta`.

    Constant momentum (optax): :math:`1 + \beta_1/(1+\beta_1)` (1.47 at :math:`\beta_1 =
    0.9`); Ruder's form: :math:`1 + \beta_1` (1.9). (PyTorch's default schedule starts at
    :math:`\mu_1 \approx \beta_1/2` and gives about 1.06; :mod:`gdbook.adam` computes it.)
    Returns the pairs (derived, claimed) for the two forms.
    """
    g_pos = sp.Symbol("g_{>0}", positive=True)
    m_1 = (1 - b1) * g_pos
    den = sp.sqrt((1 - b2) * g_pos**2 / (1 - b2))  # sqrt(v_hat_1) = |g|
    _, constant = nadam_constant_momentum()
    ruder = b1 * m / (1 - b1**t) + (1 - b1) * g / (1 - b1**t)
    at_one = {t: 1, m: m_1, g: g_pos}
    constant_1 = sp.simplify(constant.subs(at_one) / den)
    ruder_1 = sp.simplify(ruder.subs(at_one) / den)
    return (constant_1, 1 + b1 / (1 + b1)), (ruder_1, 1 + b1)


# --------------------------------------------------------------------------------------
# Reddi et al.'s problem
# --------------------------------------------------------------------------------------


def reddi_cycle() -> tuple[tuple[sp.Expr, sp.Expr, sp.Expr], sp.Expr]:
    r"""The periodic :math:`v_t` on Reddi et al.'s gradients :math:`C, -1, -1, C, \dots`.

    :math:`v` settles into a 3-cycle :math:`(v_C, v_a, v_b)`: after the large gradient,
    one step later, two steps later. Returns the cycle and Adam's net movement per
    period, in units of the step size (taken constant over one period):
    :math:`\delta = -C/\sqrt{v_C} + 1/\sqrt{v_a} + 1/\sqrt{v_b}`. The average loss
    :math:`(C-2)x/3` falls as :math:`x \to -1`, but Adam moves towards :math:`+1` when
    :math:`\delta > 0`.
    """
    v_c, v_a, v_b = sp.symbols(r"v_C v_{a} v_{b}", positive=True)
    equations = [
        sp.Eq(v_c, b2 * v_b + (1 - b2) * reddi_c**2),
        sp.Eq(v_a, b2 * v_c + (1 - b2)),
        sp.Eq(v_b, b2 * v_a + (1 - b2)),
    ]
    solution = sp.solve(equations, [v_c, v_a, v_b], dict=True)[0]
    cycle = tuple(sp.factor(solution[v]) for v in (v_c, v_a, v_b))
    drift = -reddi_c / sp.sqrt(cycle[0]) + 1 / sp.sqrt(cycle[1]) + 1 / sp.sqrt(cycle[2])
    return cycle, drift
