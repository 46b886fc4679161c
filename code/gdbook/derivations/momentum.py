r"""SymPy claims behind the chapter *Momentum*; one function per claim.

Each function returns SymPy objects, usually a pair ``(derived, claimed)``: the
left item is what SymPy computes from the update rule (an iteration, a sum, a
limit, a solve), the right item is the formula the chapter prints.
``tests/test_momentum.py`` asserts that the two agree and ties each claim to the
NumPy code in :mod:`gdbook.momentum`.

Notation (the book's sum form): :math:`b_t = \beta b_{t-1} + g_t`,
:math:`x_t = x_{t-1} - \eta b_t`, :math:`b_0 = 0`. On a quadratic, one
eigen-direction with eigenvalue :math:`\lambda` at a time.

SymPy cannot assume :math:`\beta < 1`; sums and limits that need it are computed
with :math:`\beta = 1/(1 + r)`, :math:`r > 0`, and the result is written back in
:math:`\beta`.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from gdbook.derivations import (
    L,
    b,
    b_prev,
    beta,
    eta,
    eta_lam,
    g,
    grads,
    k,
    k_real,
    kappa,
    lam,
    mu,
    t,
    x,
    x_0,
    y,
    z,
)

_r = sp.Symbol("r", positive=True)  # beta = 1/(1 + r) encodes 0 < beta < 1
_n = sp.Symbol("n_pairs", integer=True, positive=True)  # 2n steps
_s = sp.Symbol("s_trace", real=True)  # s = 1 + beta - eta*lambda, the trace of R
_u = sp.Symbol("u", positive=True)  # |s|
z_double = sp.Symbol("z_double", nonzero=True)  # a double root of R, printed z
_below_one = 1 / (1 + _r)


def _back_to_beta(expr: sp.Expr) -> sp.Expr:
    """Rewrite an expression in ``r`` back in terms of ``beta`` (``r = 1/beta - 1``)."""
    return sp.simplify(expr.subs(_r, (1 - beta) / beta))


# --------------------------------------------------------------------------------------
# The buffer as a sum of past gradients
# --------------------------------------------------------------------------------------


def velocity_sum_formula() -> sp.Expr:
    r"""Right-hand side of :math:`b_t = \sum_{i=1}^{t} \beta^{t-i} g_i`.

    :math:`g_i` is the gradient of step :math:`i`.
    """
    i = sp.Symbol("i", integer=True, positive=True)
    return sp.Sum(beta ** (t - i) * grads[i], (i, 1, t))


def velocity_as_sum(num_steps: int = 5) -> tuple[sp.Expr, sp.Expr]:
    r"""Iterate :math:`b_t = \beta b_{t-1} + g_t` from :math:`b_0 = 0` ``num_steps`` times.

    Returns the buffer and the sum formula at that :math:`t`.
    """
    b: sp.Expr = sp.Integer(0)
    for i in range(1, num_steps + 1):
        b = beta * b + grads[i]
    return sp.expand(b), velocity_sum_formula().subs(t, num_steps).doit()


def velocity_weight_sum() -> tuple[sp.Expr, sp.Expr]:
    r"""Total weight of :math:`t` gradients in the buffer.

    :math:`\sum_{k=0}^{t-1}\beta^k = \frac{1-\beta^t}{1-\beta}`.
    """
    derived = _back_to_beta(sp.summation(_below_one**k, (k, 0, t - 1)))
    return derived, (1 - beta**t) / (1 - beta)


def terminal_velocity() -> tuple[sp.Expr, sp.Expr]:
    r"""Constant gradient: step :math:`\eta b_t = \eta g\sum_{k<t}\beta^k \to \eta g/(1-\beta)`."""
    partial = eta * g * sp.summation(_below_one**k, (k, 0, t - 1))
    derived = _back_to_beta(sp.limit(partial, t, sp.oo))
    return derived, eta * g / (1 - beta)


def velocity_fraction() -> tuple[sp.Expr, sp.Expr]:
    r"""Fraction of the terminal velocity after :math:`t` steps from rest, :math:`1 - \beta^t`."""
    derived = sp.simplify(velocity_weight_sum()[1] * (1 - beta))
    return derived, 1 - beta**t


def time_to_fraction() -> tuple[sp.Expr, sp.Expr]:
    r"""Steps to reach the fraction :math:`q` of the terminal velocity.

    :math:`k = \ln(1-q)/\ln\beta`.
    """
    q = sp.Symbol("q", positive=True)
    rest = sp.Symbol("p_missing", positive=True)  # 1 - q, the part still missing
    (solution,) = sp.solve(sp.Eq(_below_one**k_real, rest), k_real)  # beta^k = 1 - q
    derived = _back_to_beta(solution).subs(rest, 1 - q)
    return derived, sp.log(1 - q) / sp.log(beta)


def alternating_velocity() -> tuple[sp.Expr, sp.Expr]:
    r"""Gradients :math:`g, -g, g, \dots`: :math:`|b_t| \to g/(1+\beta)`, not :math:`g/(1-\beta)`.

    After an even number :math:`2n` of steps :math:`|b_{2n}| = g\sum_{k<2n}(-\beta)^k`;
    the limit :math:`n \to \infty` is computed.
    """
    partial = g * sp.summation((-_below_one) ** k, (k, 0, 2 * _n - 1))
    derived = _back_to_beta(sp.limit(partial, _n, sp.oo))
    return derived, g / (1 + beta)


# --------------------------------------------------------------------------------------
# EMA timescales
# --------------------------------------------------------------------------------------


def ema_weight_sum() -> tuple[sp.Expr, sp.Expr]:
    r"""EMA weights at step :math:`t`: :math:`\sum_{i=1}^t (1-\beta)\beta^{t-i} = 1 - \beta^t`."""
    i = sp.Symbol("i", integer=True, positive=True)
    derived = _back_to_beta(sp.summation((1 - _below_one) * _below_one ** (t - i), (i, 1, t)))
    return derived, 1 - beta**t


def ema_mean_age() -> tuple[sp.Expr, sp.Expr]:
    r"""Mean age of a gradient under the weights :math:`(1-\beta)\beta^k`: :math:`\beta/(1-\beta)`.

    Uses :math:`\sum_k k\beta^k = \beta\,\frac{d}{d\beta}\sum_k \beta^k` (a power series
    may be differentiated term by term inside its radius of convergence).
    """
    geometric = _back_to_beta(sp.summation(_below_one**k, (k, 0, sp.oo)))  # 1/(1-beta)
    derived = sp.simplify((1 - beta) * beta * sp.diff(geometric, beta))
    return derived, beta / (1 - beta)


def ema_half_life() -> tuple[sp.Expr, sp.Expr]:
    r"""Age at which a weight halves, :math:`\beta^h = \tfrac12`: :math:`h = \ln 2/\ln(1/\beta)`."""
    h = sp.Symbol("h", positive=True)
    (solution,) = sp.solve(sp.Eq(_below_one**h, sp.Rational(1, 2)), h)
    return _back_to_beta(solution), sp.log(2) / sp.log(1 / beta)


# --------------------------------------------------------------------------------------
# Three ways of writing momentum
# --------------------------------------------------------------------------------------


def ema_form_equals_sum_form() -> tuple[sp.Expr, sp.Expr]:
    r"""If :math:`m_{t-1} = (1-\beta) b_{t-1}` then :math:`m_t = (1-\beta) b_t`.

    The steps are :math:`-\eta m_t` and :math:`-\eta(1-\beta) b_t`. Returns the EMA-form
    step with learning rate :math:`\eta` and the sum-form step with learning rate
    :math:`\eta(1-\beta)`, both in terms of :math:`b_{t-1}` and :math:`g_t`: equal, so by
    induction from :math:`m_0 = b_0 = 0` the two forms give the same iterates.
    """
    grad = sp.Symbol("g_t", real=True)
    m_t = beta * (1 - beta) * b_prev + (1 - beta) * grad  # m_t = beta m_{t-1} + (1-beta) g_t
    b_t = beta * b_prev + grad
    return -eta * m_t, -(eta * (1 - beta)) * b_t


def sutskever_equals_sum_form() -> tuple[sp.Expr, sp.Expr]:
    r"""If :math:`v_{t-1} = -\eta b_{t-1}` then :math:`v_t = -\eta b_t` (constant :math:`\eta`).

    Here :math:`v_t = \beta v_{t-1} - \eta g_t`. Returns Sutskever's step :math:`v_t` and
    the sum-form step :math:`-\eta b_t`.
    """
    grad = sp.Symbol("g_t", real=True)
    v_t = beta * (-eta * b_prev) - eta * grad
    return v_t, -eta * (beta * b_prev + grad)


def schedule_breaks_equivalence() -> tuple[sp.Expr, sp.Expr]:
    r"""The displacements :math:`x_2 - x_0` of Sutskever's and of the sum form.

    Two steps with rates :math:`\eta_1, \eta_2`.
    Sutskever: :math:`-\eta_1 g_1 - (\beta\eta_1 g_1 + \eta_2 g_2)`; sum form (PyTorch):
    :math:`-\eta_1 g_1 - \eta_2(\beta g_1 + g_2)`. They differ by
    :math:`\beta(\eta_2 - \eta_1) g_1`: the sum form rescales the remembered
    gradient by the new rate, Sutskever's keeps the rate it was taken with.
    """
    eta_1, eta_2, g_1, g_2 = sp.symbols("eta_1 eta_2 g_1 g_2", real=True)
    v_1 = -eta_1 * g_1
    v_2 = beta * v_1 - eta_2 * g_2
    b_1 = g_1
    b_2 = beta * b_1 + g_2
    return v_1 + v_2, -eta_1 * b_1 - eta_2 * b_2


def polyak_two_step_form() -> tuple[sp.Expr, sp.Expr]:
    r"""The sum form is Polyak's :math:`x_k = x_{k-1} - \eta g_k + \beta(x_{k-1} - x_{k-2})`.

    Here :math:`g_k = \nabla f(x_{k-1})`, as in the sum form. With
    :math:`x_{k-1} - x_{k-2} = -\eta b_{k-1}`: returns the sum-form
    :math:`x_k = x_{k-1} - \eta(\beta b_{k-1} + g_k)` and Polyak's two-step form, the
    latter kept in the order it is written.
    """
    x_prev, b_prev_k, grad = sp.symbols("x_{k-1} b_{k-1} g_k", real=True)
    x_before = x_prev + eta * b_prev_k  # x_{k-2}
    two_step = sp.Add(
        x_prev,
        sp.Mul(-1, eta, grad, evaluate=False),
        sp.Mul(beta, sp.Add(x_prev, -x_before, evaluate=False), evaluate=False),
        evaluate=False,
    )
    return x_prev - eta * (beta * b_prev_k + grad), two_step


def unrolled_momentum_formula() -> sp.Expr:
    r"""Right-hand side of the unrolled momentum formula for :math:`x_{k+1}`.

    :math:`x_{k+1} = x_0 - \eta\sum_{i=0}^{k}\frac{1-\beta^{k+1-i}}{1-\beta}\nabla f(x_i)`.
    The gradient :math:`\nabla f(x_i)` is the indexed symbol :math:`g_i`. The sign
    is a minus; Goh (2017) prints a plus. :func:`unrolled_momentum` checks it.
    """
    i = sp.Symbol("i", integer=True, nonnegative=True)
    weight = (1 - beta ** (k + 1 - i)) / (1 - beta)
    return x_0 - eta * sp.Sum(weight * grads[i], (i, 0, k))


def unrolled_momentum(num_steps: int = 4) -> tuple[sp.Expr, sp.Expr]:
    r"""Iterate the sum form ``num_steps`` :math:`= k+1` times from :math:`b = 0`.

    Returns the iterate and the formula at that :math:`k`. With symbolic gradients
    :math:`g_i = \nabla f(x_i)`: the iterate stays in :math:`x_0` plus the span of past
    gradients, so only first-order information enters (no second derivatives).
    """
    point, buffer = x_0, sp.Integer(0)
    for i in range(num_steps):
        buffer = beta * buffer + grads[i]
        point = point - eta * buffer
    claimed = unrolled_momentum_formula().subs(k, num_steps - 1).doit()
    return sp.expand(point), claimed


# --------------------------------------------------------------------------------------
# Heavy ball on a quadratic
# --------------------------------------------------------------------------------------


def completed_square() -> tuple[sp.Expr, sp.Expr]:
    r"""The completed square of :math:`\tfrac12 x^\top Q x + c^\top x + b`.

    :math:`\tfrac12 x^\top Q x + c^\top x + b
    = \tfrac12 (x + Q^{-1}c)^\top Q (x + Q^{-1}c) + b - \tfrac12 c^\top Q^{-1} c`.
    For a symmetric invertible 2 x 2 :math:`Q`: returns the quadratic and its completed
    square. The shift is :math:`+Q^{-1}c` because the minimiser is
    :math:`x^\star = -Q^{-1}c`; Zhang et al. (D2L, momentum section) print
    :math:`x - Q^{-1}c`.
    """
    a, d, off = sp.symbols("q_11 q_22 q_12", real=True)
    q = sp.Matrix([[a, off], [off, d]])
    c = sp.Matrix(sp.symbols("c_1 c_2", real=True))
    point = sp.Matrix(sp.symbols("x_1 x_2", real=True))
    offset = sp.Symbol("b_const", real=True)  # D2L's b, a constant
    shifted = point + q.inv() * c
    quadratic = (point.T * q * point / 2)[0] + (c.T * point)[0] + offset
    completed = (shifted.T * q * shifted / 2)[0] + offset - (c.T * q.inv() * c / 2)[0]
    return quadratic, completed


def heavy_ball_iteration_matrix() -> tuple[sp.Matrix, sp.Matrix]:
    r"""Jacobian of :math:`(b, x) \mapsto (\beta b + \lambda x,\ x - \eta(\beta b + \lambda x))`.

    Also returns the printed :math:`R`.
    """
    b_next = beta * b + lam * x
    x_next = x - eta * b_next
    derived = sp.Matrix([b_next, x_next]).jacobian([b, x])
    claimed = sp.Matrix([[beta, lam], [-eta * beta, 1 - eta * lam]])
    return derived, claimed


def heavy_ball_characteristic_polynomial() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\det(zI - R) = z^2 - (1+\beta-\eta\lambda)z + \beta`."""
    matrix, _ = heavy_ball_iteration_matrix()
    derived = matrix.charpoly(z).as_expr()
    return derived, z**2 - (1 + beta - eta * lam) * z + beta


def heavy_ball_eigenvalues() -> tuple[list[sp.Expr], list[sp.Expr]]:
    r"""Roots :math:`\sigma_{1,2}` of the characteristic polynomial.

    :math:`\sigma_{1,2} = \tfrac12\big(1+\beta-\eta\lambda
    \pm \sqrt{(1+\beta-\eta\lambda)^2 - 4\beta}\big)`.
    """
    poly, _ = heavy_ball_characteristic_polynomial()
    s = 1 + beta - eta * lam
    root = sp.sqrt(s**2 - 4 * beta)
    return list(sp.solve(poly, z)), [(s + root) / 2, (s - root) / 2]


def complex_root_modulus() -> tuple[sp.Expr, sp.Expr]:
    r"""In the complex regime :math:`s^2 < 4\beta`, :math:`|\sigma|^2 = \beta`.

    :math:`|\sigma|^2 = (s/2)^2 + (4\beta - s^2)/4 = \beta`. So :math:`|\sigma| = \sqrt\beta`,
    whatever :math:`\eta` and :math:`\lambda`; it is also
    :math:`\sigma\bar\sigma = \det R = \beta`.
    """
    re, im = _s / 2, sp.sqrt(4 * beta - _s**2) / 2
    return sp.expand(re**2 + im**2), beta


def distill_complex_modulus() -> tuple[sp.Expr, sp.Expr]:
    r"""Goh (2017) prints :math:`|\sigma| = \sqrt{(1-\alpha\lambda+\beta)^2 + |\Delta|}`.

    With :math:`|\Delta| = 4\beta - s^2` the printed expression equals
    :math:`2\sqrt\beta`, twice the true modulus: the :math:`\tfrac12` of the root
    formula was dropped.
    """
    printed = sp.sqrt(_s**2 + (4 * beta - _s**2))
    return sp.simplify(printed), 2 * sp.sqrt(beta)


def jury_conditions() -> tuple[tuple[sp.Expr, sp.Expr, sp.Expr], sp.Basic]:
    r"""Schur–Cohn (Jury) test of :math:`p(z) = z^2 + a_1 z + a_0`.

    The roots are inside the unit circle iff :math:`p(1) > 0`, :math:`p(-1) > 0`,
    :math:`|a_0| < 1`. Returns
    :math:`(p(1), p(-1), a_0) = (\eta\lambda,\ 2 + 2\beta - \eta\lambda,\ \beta)`
    and the set of :math:`x = \eta\lambda > 0` that satisfies the first two:
    :math:`0 < \eta\lambda < 2 + 2\beta` (the third, :math:`\beta < 1`, holds by assumption).
    """
    _, poly = heavy_ball_characteristic_polynomial()
    conditions = (sp.expand(poly.subs(z, 1)), sp.expand(poly.subs(z, -1)), poly.subs(z, 0))
    on_x = [sp.expand(c.subs(eta, eta_lam / lam)) > 0 for c in conditions[:2]]
    return conditions, sp.reduce_inequalities(on_x, [eta_lam])


def critical_damping() -> tuple[list[sp.Expr], sp.Expr]:
    r"""The discriminant vanishes at :math:`\beta = (1\pm\sqrt{\eta\lambda})^2`.

    The discriminant is :math:`(1+\beta-\eta\lambda)^2 - 4\beta`. Returns the two
    solutions in :math:`\beta` (smaller first) and the double root
    :math:`(1+\beta-\eta\lambda)/2` at :math:`\beta = (1-\sqrt{\eta\lambda})^2`, which is
    :math:`1 - \sqrt{\eta\lambda}`.
    """
    discriminant = (1 + beta - eta * lam) ** 2 - 4 * beta
    solutions = sorted(
        sp.solve(sp.Eq(discriminant, 0), beta), key=lambda e: float(e.subs({eta: 1, lam: 0.25}))
    )
    double_root = sp.simplify(((1 + beta - eta * lam) / 2).subs(beta, solutions[0]))
    return solutions, double_root


def critical_damping_error() -> tuple[sp.Expr, sp.Expr]:
    r"""A double root :math:`\sigma` started at rest.

    :math:`y_k = \big(1 + (1-\sigma)k\big)\sigma^k y_0`. On one eigen-direction the
    two-step form is :math:`y_{k+1} = (1+\beta-\eta\lambda)\,y_k - \beta\,y_{k-1}`, and
    :math:`b_0 = 0` means :math:`y_{-1} = y_0`. With a double root the recurrence is
    :math:`y_{k+1} = 2\sigma y_k - \sigma^2 y_{k-1}`; ``rsolve`` solves it from
    :math:`y_{-1} = y_0 = 1`. At critical damping :math:`\sigma = 1-\sqrt{\eta\lambda}`,
    so :math:`1 - \sigma = \sqrt{\eta\lambda}`.
    """
    n = sp.Symbol("n_shifted", integer=True, nonnegative=True)  # n = k + 1
    root = z_double  # the double root
    recurrence = y(n + 2) - 2 * root * y(n + 1) + root**2 * y(n)  # y(n) is y_{n-1}
    solution = sp.rsolve(recurrence, y(n), {y(0): 1, y(1): 1})
    derived = sp.simplify(sp.expand(solution.subs(n, k + 1)))
    return derived, (1 + (1 - root) * k) * root**k


def spectral_radius_is_monotone() -> tuple[sp.Expr, sp.Expr]:
    r"""With real roots the radius is :math:`h(u) = (u + \sqrt{u^2-4\beta})/2`.

    Here :math:`u = |1+\beta-\eta\lambda| \ge 2\sqrt\beta`. Returns :math:`h'(u)`, which
    is positive, and :math:`h(2\sqrt\beta) = \sqrt\beta`, the value in the complex regime:
    :math:`h` is continuous and non-decreasing in :math:`u`, so over
    :math:`\lambda \in [\mu, L]` the worst rate sits at an endpoint.
    """
    h = (_u + sp.sqrt(_u**2 - 4 * beta)) / 2
    return sp.diff(h, _u), sp.simplify(h.subs(_u, 2 * sp.sqrt(beta)))


def optimal_conditions() -> tuple[sp.Equality, sp.Equality]:
    r"""Both ends critically damped.

    :math:`1+\beta-\eta\mu = 2\sqrt\beta`, :math:`1+\beta-\eta L = -2\sqrt\beta`. The
    flat end :math:`\mu` on the monotone side of the critical-damping curve, the steep
    end :math:`L` on the oscillating side; :func:`optimal_parameters` solves these two
    equations. The sides are left unevaluated so they print in this order.
    """

    def trace_of_r(eig: sp.Expr) -> sp.Expr:  # s = 1 + beta - eta*lambda
        return sp.Add(1, beta, sp.Mul(-1, eta, eig, evaluate=False), evaluate=False)

    return sp.Eq(trace_of_r(mu), 2 * sp.sqrt(beta)), sp.Eq(trace_of_r(L), -2 * sp.sqrt(beta))


def optimal_pair_by_hand() -> tuple[tuple[sp.Expr, sp.Expr], ...]:
    r"""The optimal pair in three lines, each a pair ``(derived, claimed)``.

    From :func:`optimal_conditions`, :math:`1+\beta-\eta\mu = 2\sqrt\beta` and
    :math:`1+\beta-\eta L = -2\sqrt\beta`:

    1. subtracting: :math:`\eta(L-\mu) = 4\sqrt\beta`;
    2. adding: :math:`\eta(L+\mu) = 2(1+\beta)`;
    3. dividing: :math:`\frac{\kappa-1}{\kappa+1} = \frac{2\sqrt\beta}{1+\beta}`, whose root
       below 1 is :math:`\sqrt\beta = \frac{\sqrt\kappa-1}{\sqrt\kappa+1}` (the third pair).

    The first two are returned as ``lhs - rhs`` residuals; the third as the solved root.
    """
    flat, steep = optimal_conditions()
    difference = sp.expand((flat.lhs - steep.lhs) - (flat.rhs - steep.rhs))
    total = sp.expand((flat.lhs + steep.lhs) - (flat.rhs + steep.rhs))
    q = sp.Symbol("q_hand", positive=True)  # sqrt(beta)
    ratio = sp.Eq((kappa - 1) / (kappa + 1), 2 * q / (1 + q**2))
    roots = sp.solve(ratio, q)
    (below_one,) = [r for r in roots if r.subs(kappa, 4) < 1]
    return (
        (difference, sp.expand(eta * (L - mu) - 4 * sp.sqrt(beta))),
        (total, sp.expand(-(eta * (L + mu) - 2 * (1 + beta)))),
        (sp.simplify(below_one), (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)),
    )


@cache
def _solve_optimal() -> tuple[sp.Expr, sp.Expr]:
    """Solve :func:`optimal_conditions` for (eta, sqrt(beta)); keep sqrt(beta) < 1."""
    root_beta = sp.Symbol("q", positive=True)  # q = sqrt(beta)
    equations = [(c.lhs - c.rhs).subs(beta, root_beta**2) for c in optimal_conditions()]
    solutions = sp.solve(equations, [eta, root_beta], dict=True)
    (chosen,) = [s for s in solutions if s[root_beta].subs({mu: 1, L: 4}) < 1]
    return sp.simplify(chosen[eta]), sp.simplify(chosen[root_beta])


def optimal_parameters() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""Solve for both ends critically damped.

    :math:`1+\beta-\eta\mu = 2\sqrt\beta`, :math:`1+\beta-\eta L = -2\sqrt\beta`.
    Returns the solution with :math:`\beta < 1` and the printed
    :math:`\eta^\star = 4/(\sqrt L + \sqrt\mu)^2`,
    :math:`\beta^\star = \big((\sqrt L - \sqrt\mu)/(\sqrt L + \sqrt\mu)\big)^2`.
    """
    step, root_beta = _solve_optimal()
    root_sum = sp.sqrt(L) + sp.sqrt(mu)
    claimed = (4 / root_sum**2, ((sp.sqrt(L) - sp.sqrt(mu)) / root_sum) ** 2)
    return (step, sp.simplify(root_beta**2)), claimed


def optimal_rate() -> tuple[sp.Expr, sp.Expr]:
    r"""The optimal rate :math:`\sqrt{\beta^\star} = (\sqrt\kappa-1)/(\sqrt\kappa+1)`.

    Here :math:`\kappa = L/\mu`.
    """
    _, root_beta = _solve_optimal()
    derived = sp.simplify(root_beta.subs(L, kappa * mu))
    return derived, (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)


def optimal_discriminants() -> tuple[sp.Expr, sp.Expr]:
    r"""Discriminants at :math:`(\eta^\star, \beta^\star)` for :math:`\lambda = \mu` and :math:`L`.

    The discriminant is :math:`(1+\beta-\eta\lambda)^2 - 4\beta`; both are zero.
    """
    _, (step, b) = optimal_parameters()

    def discriminant(eig: sp.Expr) -> sp.Expr:
        return sp.simplify(sp.expand((1 + b - step * eig) ** 2 - 4 * b))

    return discriminant(mu), discriminant(L)


def optimal_step_ratio() -> tuple[sp.Expr, sp.Expr]:
    r"""Ratio of the optimal heavy-ball step to gradient descent's :math:`2/(\mu+L)`.

    Also returns its limit, 2, as :math:`\kappa\to\infty`.
    """
    _, (step, _) = optimal_parameters()
    ratio = sp.simplify((step / (2 / (mu + L))).subs(L, kappa * mu))
    return ratio, sp.limit(ratio, kappa, sp.oo)


def optimal_beta_expansion(order: int = 2) -> tuple[sp.Expr, sp.Expr]:
    r"""Expansion of :math:`\beta^\star` for large :math:`\kappa`.

    :math:`\beta^\star = \big(\tfrac{\sqrt\kappa-1}{\sqrt\kappa+1}\big)^2
    = 1 - 4/\sqrt\kappa + 8/\kappa + \dots`.
    """
    rate, _ = optimal_rate()
    series = sp.series(rate**2, kappa, sp.oo, order).removeO()
    return sp.expand(series), 1 - 4 / sp.sqrt(kappa) + 8 / kappa


def iterations_per_efold() -> tuple[sp.Expr, sp.Expr]:
    r"""Steps per factor :math:`e` of error, :math:`-1/\ln\rho`, to leading order.

    They are :math:`\kappa/2` (GD) and :math:`\sqrt\kappa/2` (heavy ball). GD's rate is
    :math:`(\kappa-1)/(\kappa+1)`, the heavy ball's the same expression in
    :math:`\sqrt\kappa`; with :math:`x = 1/\kappa` (resp. :math:`1/\sqrt\kappa`) both
    are :math:`(1-x)/(1+x)` and :math:`-1/\ln\rho = 1/(2x) + O(x)`.
    """
    tiny = sp.Symbol("x_small", positive=True)  # 1/kappa or 1/sqrt(kappa)
    hb, _ = optimal_rate()
    leading = []
    for rate, small in [((kappa - 1) / (kappa + 1), 1 / kappa), (hb, 1 / sp.sqrt(kappa))]:
        in_x = sp.simplify(rate.subs(kappa, sp.solve(sp.Eq(small, tiny), kappa)[0]))
        expansion = sp.series(-1 / sp.log(in_x), tiny, 0, 1).removeO()
        leading.append(sp.simplify(expansion.subs(tiny, small)))
    return leading[0], leading[1]


# --------------------------------------------------------------------------------------
# Schedules
# --------------------------------------------------------------------------------------


def nesterov_schedule_memory() -> tuple[sp.Expr, sp.Expr]:
    r"""The memory :math:`1/(1-\beta_t)` of Nesterov's schedule grows like :math:`t/3`.

    :math:`\beta_t = 1 - 3/(t+5)` gives :math:`1/(1-\beta_t) = (t+5)/3`.
    """
    derived = sp.simplify(1 / (1 - (1 - 3 / (t + 5))))
    return derived, t / 3 + sp.Rational(5, 3)


def sutskever_schedule_simplified() -> tuple[sp.Expr, sp.Expr]:
    r"""Sutskever et al.'s :math:`1 - 2^{-1-\log_2 n}` is :math:`1 - \frac{1}{2n}`.

    Here :math:`n = \lfloor t/250\rfloor + 1`.
    """
    n = sp.Symbol("n", positive=True)
    printed = 1 - 2 ** (-1 - sp.log(n, 2))
    return printed, 1 - 1 / (2 * n)
