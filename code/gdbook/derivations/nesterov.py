r"""SymPy claims behind the chapter *Nesterov's look-ahead*; one function per claim.

Each function returns SymPy objects, usually a pair ``(derived, claimed)``: the left item
is what SymPy computes from the update rules (a substitution, a determinant, a solve),
the right item the formula the chapter prints. ``tests/chapters/test_nesterov*.py``
assert that the two agree and tie each claim to :mod:`gdbook.nesterov`.

Notation (the chapter's, which is the seeds' sign convention with the book's letters):
update :math:`t` computes :math:`v_t = \beta_t v_{t-1} + \eta\nabla f(\theta_{t-1} -
\beta_t v_{t-1})` and :math:`\theta_t = \theta_{t-1} - v_t`; the look-ahead point is
:math:`\Theta_t = \theta_t - \beta_{t+1} v_t`. The gradient is the undefined function
:math:`\nabla f`, so every identity holds for any objective, not only quadratics.

Symbols local to this module: :math:`\theta_{t-1}, v_{t-1}, \Theta_{t-1}, b_{t-1}` (one
coordinate of the iterate, the velocity, the look-ahead point and the one-buffer form's
buffer before update :math:`t`), :math:`\beta_t, \beta_{t+1}` (two consecutive momenta
of a schedule), and in the rate claims :math:`x = \eta\lambda`, :math:`r = \sqrt\kappa`,
:math:`q = \sqrt{3\kappa + 1}`.
"""

from __future__ import annotations

import sympy as sp

from gdbook.derivations import L, b_prev, beta, eta, eta_lam, kappa, lam, mu, t, z

theta_prev = sp.Symbol(r"\theta_{t-1}", real=True)  # the iterate before update t
velocity_prev = sp.Symbol(r"v_{t-1}", real=True)  # the seeds' velocity before update t
lookahead_prev = sp.Symbol(r"\Theta_{t-1}", real=True)  # the look-ahead point before update t
buffer_prev = b_prev  # the one-buffer form's sum of gradients, b_t = beta_t b_{t-1} + g_t
beta_now = sp.Symbol(r"\beta_t", nonnegative=True)  # momentum of update t
beta_next = sp.Symbol(r"\beta_{t+1}", nonnegative=True)  # momentum of update t + 1
nabla_f = sp.Function(r"\nabla f")  # the gradient, an arbitrary function
step_x = eta_lam  # x = eta * lambda
root_kappa = sp.Symbol("sqrt_kappa", positive=True)  # r = sqrt(kappa) > 1
root_q = sp.Symbol("sqrt_3kappa_plus_1", positive=True)  # q = sqrt(3 kappa + 1) > 2
new_velocity = sp.Symbol("v_t_nesterov", real=True)  # v_t, printed as v_t


# --------------------------------------------------------------------------------------
# The look-ahead method and its reparameterisation, step by step
# --------------------------------------------------------------------------------------


def lookahead_update(momentum_now: sp.Expr = beta) -> tuple[sp.Expr, sp.Expr]:
    r"""Update :math:`t` of Nesterov's method, from :math:`(v_{t-1}, \theta_{t-1})`.

    :math:`v_t = \beta v_{t-1} + \eta\nabla f(\theta_{t-1} - \beta v_{t-1})`,
    :math:`\theta_t = \theta_{t-1} - v_t` (the seeds' sign of :math:`v`).
    """
    v_t = momentum_now * velocity_prev + eta * nabla_f(theta_prev - momentum_now * velocity_prev)
    return v_t, theta_prev - v_t


def substituted_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Step 1: substitute :math:`v_t` into :math:`\theta_t = \theta_{t-1} - v_t`.

    :math:`\theta_t = \theta_{t-1} - \beta v_{t-1} - \eta\nabla f(\theta_{t-1} - \beta v_{t-1})`.
    """
    _, theta_t = lookahead_update()
    point = theta_prev - beta * velocity_prev
    return theta_t, theta_prev - beta * velocity_prev - eta * nabla_f(point)


def shifted_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Step 2: subtract :math:`\beta v_t` from both sides of step 1.

    :math:`\theta_t - \beta v_t = (\theta_{t-1} - \beta v_{t-1}) - \beta v_t -
    \eta\nabla f(\theta_{t-1} - \beta v_{t-1})`: the left side is the next look-ahead
    point, the bracket on the right the current one. Returns both sides with
    :math:`v_t` written out.
    """
    v_t, theta_t = lookahead_update()
    point = theta_prev - beta * velocity_prev
    return theta_t - beta * v_t, point - beta * v_t - eta * nabla_f(point)


def theta_recurrence() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""Step 3, constant :math:`\beta`: in :math:`\Theta = \theta - \beta v` the gradient is stored.

    With :math:`\theta_{t-1} = \Theta_{t-1} + \beta v_{t-1}`:
    :math:`v_t = \beta v_{t-1} + \eta\nabla f(\Theta_{t-1})` and
    :math:`\Theta_t = \Theta_{t-1} - \beta v_t - \eta\nabla f(\Theta_{t-1})`. Returns
    ``((v_t, Theta_t) derived, (v_t, Theta_t) claimed)``; the claimed :math:`\Theta_t`
    keeps :math:`v_t` as the symbol of the new velocity.
    """
    v_t, theta_t = lookahead_update()
    back = {theta_prev: lookahead_prev + beta * velocity_prev}
    v_derived = v_t.subs(back)
    v_claimed = beta * velocity_prev + eta * nabla_f(lookahead_prev)
    new_v = new_velocity
    theta_derived = (theta_t - beta * v_t).subs(back)
    theta_claimed = (lookahead_prev - beta * new_v - eta * nabla_f(lookahead_prev)).subs(
        new_v, v_claimed
    )
    return (v_derived, theta_derived), (v_claimed, theta_claimed)


def theta_recurrence_displayed() -> sp.Expr:
    r"""The constant-:math:`\beta` :math:`\Theta` step as printed, :math:`v_t` kept as a symbol."""
    return lookahead_prev - beta * new_velocity - eta * nabla_f(lookahead_prev)


def scheduled_recurrence() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""Time-varying momentum: the recurrence of :math:`\Theta_t = \theta_t - \beta_{t+1} v_t`.

    Update :math:`t` uses :math:`\beta_t`; the look-ahead point is
    :math:`\Theta_t = \theta_t - \beta_{t+1} v_t` (where update :math:`t+1` takes its
    gradient), so :math:`\theta_{t-1} = \Theta_{t-1} + \beta_t v_{t-1}`. Also
    :math:`v_t = \beta_t v_{t-1} + \eta\nabla f(\Theta_{t-1})`. Returns
    ``((v_t, Theta_t) derived, (v_t, Theta_t) claimed)``.
    """
    v_t, theta_t = lookahead_update(beta_now)
    back = {theta_prev: lookahead_prev + beta_now * velocity_prev}
    derived = (v_t.subs(back), (theta_t - beta_next * v_t).subs(back))
    grad = nabla_f(lookahead_prev)
    claimed_theta = (
        lookahead_prev - beta_next * beta_now * velocity_prev - (1 + beta_next) * eta * grad
    )
    return derived, (beta_now * velocity_prev + eta * grad, claimed_theta)


def sutskever_signs() -> tuple[sp.Expr, sp.Expr]:
    r"""The same recurrence in Sutskever et al.'s signs, :math:`v^S = -v`.

    :math:`\Theta_t = \Theta_{t-1} + \beta_{t+1}\beta_t v^S_{t-1} -
    (1+\beta_{t+1})\eta\nabla f(\Theta_{t-1})`: the form in which Bengio et al. (2013)
    and the research notes (F25) write it. Returns the chapter's :math:`\Theta_t` with
    :math:`v_{t-1} = -v^S_{t-1}`, and that formula.
    """
    v_s = sp.Symbol(r"v^S_{t-1}", real=True)
    (_, theta_t), _ = scheduled_recurrence()
    grad = nabla_f(lookahead_prev)
    claimed = lookahead_prev + beta_next * beta_now * v_s - (1 + beta_next) * eta * grad
    return theta_t.subs(velocity_prev, -v_s), claimed


def one_buffer_form() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""The one-buffer form, :math:`v = \eta b`.

    :math:`g_t = \nabla f(\Theta_{t-1})`: the form of Bengio et al. (2013) that
    ``torch.optim.SGD(nesterov=True)`` implements, except that torch multiplies
    :math:`b_t` by :math:`\beta_t` (:func:`torch_indexing_gap`). Returns
    ``((eta b_t, Theta_t) derived from the scheduled recurrence, the same claimed)``.
    """
    (v_t, theta_t), _ = scheduled_recurrence()
    derived = (
        v_t.subs(velocity_prev, eta * buffer_prev),
        theta_t.subs(velocity_prev, eta * buffer_prev),
    )
    grad = nabla_f(lookahead_prev)
    b_t = beta_now * buffer_prev + grad
    return derived, (eta * b_t, lookahead_prev - eta * (grad + beta_next * b_t))


def torch_indexing_gap() -> tuple[sp.Expr, sp.Expr]:
    r"""The step torch takes minus Nesterov's: :math:`\eta(\beta_{t+1} - \beta_t)\, b_t`.

    torch computes :math:`\Theta_{t-1} - \eta(g_t + \beta_t b_t)` with the momentum it
    read for this step; Nesterov's method needs :math:`\beta_{t+1}`. The gap vanishes for
    a constant :math:`\beta` and is one step's change of the schedule times the buffer.
    """
    grad = nabla_f(lookahead_prev)
    b_t = beta_now * buffer_prev + grad
    _, (_, exact) = one_buffer_form()
    torch = lookahead_prev - eta * (grad + beta_now * b_t)
    return sp.expand(torch - exact), eta * (beta_next - beta_now) * b_t


def schedule_increment() -> tuple[sp.Expr, sp.Expr]:
    r"""For :math:`\beta_t = 1 - 3/(t+5)`: :math:`\beta_{t+1} - \beta_t = 3/((t+5)(t+6))`."""
    schedule = 1 - 3 / (t + 5)
    return sp.simplify(schedule.subs(t, t + 1) - schedule), 3 / ((t + 5) * (t + 6))


# --------------------------------------------------------------------------------------
# On a quadratic: the characteristic polynomial and the effective momentum
# --------------------------------------------------------------------------------------


def iteration_matrix() -> sp.Matrix:
    r"""The one-buffer form on :math:`f = \tfrac12\lambda y^2`, as a map of :math:`(b, y)`.

    :math:`b' = \beta b + \lambda y` and :math:`y' = y - \eta(\lambda y + \beta b')`:
    :math:`R = \begin{pmatrix}\beta & \lambda \\ -\eta\beta^2 & 1 - \eta(1+\beta)\lambda
    \end{pmatrix}`, computed as the Jacobian of the update.
    """
    b, y = sp.symbols("b_nesterov y_nesterov", real=True)  # one eigendirection
    b_next = beta * b + lam * y
    y_next = y - eta * (lam * y + beta * b_next)
    return sp.Matrix([b_next, y_next]).jacobian([b, y])


def characteristic_polynomial() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\det(zI - R) = z^2 - (1+\beta)(1-\eta\lambda)z + \beta(1-\eta\lambda)`."""
    matrix = iteration_matrix()
    derived = sp.expand((z * sp.eye(2) - matrix).det())
    return derived, z**2 - (1 + beta) * (1 - eta * lam) * z + beta * (1 - eta * lam)


def effective_momentum() -> tuple[sp.Expr, sp.Expr]:
    r"""Nesterov's polynomial is the heavy ball's with momentum :math:`\beta(1 - \eta\lambda)`.

    The heavy ball's is :math:`z^2 - (1 + \beta' - \eta\lambda)z + \beta'` (the momentum
    chapter's). Returns it at :math:`\beta' = \beta(1-\eta\lambda)` and Nesterov's.
    """
    effective = beta * (1 - eta * lam)
    heavy_ball = z**2 - (1 + effective - eta * lam) * z + effective
    return sp.expand(heavy_ball), sp.expand(characteristic_polynomial()[1])


def negative_momentum_region() -> tuple[sp.Basic, sp.Basic]:
    r"""For :math:`\beta > 0` the effective momentum is negative where :math:`\eta\lambda > 1`."""
    positive_beta = sp.Symbol("beta_positive", positive=True)
    derived = sp.reduce_inequalities([positive_beta * (1 - step_x) < 0], [step_x])
    return derived, step_x > 1


def jury_conditions() -> tuple[tuple[sp.Expr, sp.Expr, sp.Expr], sp.Basic]:
    r"""Jury test of the polynomial: :math:`p(1) > 0`, :math:`p(-1) > 0`, :math:`|a_0| < 1`.

    :math:`p(1) = \eta\lambda`, :math:`p(-1) = 2 + 2\beta - (1+2\beta)\eta\lambda`,
    :math:`a_0 = \beta(1-\eta\lambda)`. Returns the three and the set of
    :math:`x = \eta\lambda > 0` satisfying the first two, :math:`x < (2+2\beta)/(1+2\beta)`.
    """
    _, poly = characteristic_polynomial()
    conditions = (sp.expand(poly.subs(z, 1)), sp.expand(poly.subs(z, -1)), poly.subs(z, 0))
    on_x = [sp.expand(c.subs(eta, step_x / lam)) > 0 for c in conditions[:2]]
    return conditions, sp.reduce_inequalities(on_x, [step_x])


def stability_region() -> tuple[sp.Basic, sp.Basic]:
    r"""The stable steps: :math:`0 < \eta\lambda < (2 + 2\beta)/(1 + 2\beta)`."""
    _, region = jury_conditions()
    return region, step_x < (2 + 2 * beta) / (1 + 2 * beta)


def third_jury_condition() -> tuple[sp.Expr, sp.Expr]:
    r"""On the region :math:`a_0 = \beta(1-x)` runs from :math:`\beta` to :math:`-\beta/(1+2\beta)`.

    Both ends have modulus below 1 for :math:`\beta < 1`, so the third condition adds
    nothing. Returns :math:`a_0` at the upper end of the region, and :math:`-\beta/(1+2\beta)`.
    """
    (_, _, a_zero), _ = jury_conditions()
    upper = (2 + 2 * beta) / (1 + 2 * beta)
    return sp.simplify(a_zero.subs(eta, upper / lam)), -beta / (1 + 2 * beta)


def stability_limit_values() -> tuple[tuple[sp.Expr, sp.Expr, sp.Expr], tuple[sp.Expr, ...]]:
    r"""The stability limit at :math:`\beta = 0`, at :math:`\beta = 0.9` and as :math:`\beta \to 1`.

    2 (gradient descent's), :math:`19/14 \approx 1.357` and :math:`4/3`.
    """
    limit = (2 + 2 * beta) / (1 + 2 * beta)
    derived = (limit.subs(beta, 0), limit.subs(beta, sp.Rational(9, 10)), sp.limit(limit, beta, 1))
    return derived, (sp.Integer(2), sp.Rational(19, 14), sp.Rational(4, 3))


# --------------------------------------------------------------------------------------
# Rates on strongly convex quadratics
# --------------------------------------------------------------------------------------


def _at(momentum_value: sp.Expr, x_value: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Trace and determinant of Nesterov's polynomial at beta and x = eta * lambda."""
    s = (1 + momentum_value) * (1 - x_value)
    return s, momentum_value * (1 - x_value)


def standard_tuning_double_root() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""At the standard pair the flattest direction has a double root :math:`1 - 1/\sqrt\kappa`.

    There :math:`\eta\mu = 1/\kappa`. Returns ``((discriminant, root) derived, (0, 1 - 1/r))``
    with :math:`r = \sqrt\kappa`.
    """
    r = root_kappa
    s, p = _at((r - 1) / (r + 1), 1 / r**2)
    return (sp.simplify(s**2 - 4 * p), sp.simplify(s / 2)), (sp.Integer(0), 1 - 1 / r)


def standard_tuning_modulus() -> tuple[sp.Expr, sp.Expr]:
    r"""Steeper directions have complex roots of modulus at most :math:`1 - 1/\sqrt\kappa`.

    The discriminant :math:`(1-x)\big((1+\beta)^2(1-x) - 4\beta\big)` is negative for
    :math:`1/\kappa < x < 1`, and the squared modulus :math:`\beta(1-x)` falls with
    :math:`x`. Returns it at :math:`x = 1/\kappa` and :math:`(1 - 1/r)^2`.
    """
    r = root_kappa
    _, p = _at((r - 1) / (r + 1), 1 / r**2)
    return sp.simplify(p), (1 - 1 / r) ** 2


def standard_tuning_in_kappa() -> tuple[sp.Expr, sp.Expr]:
    r"""The tuning in the shared symbols: :math:`\beta` at :math:`L = \kappa\mu`."""
    tuned_beta = (sp.sqrt(L / mu) - 1) / (sp.sqrt(L / mu) + 1)
    return sp.simplify(tuned_beta.subs(L, kappa * mu)), (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)


def lessard_double_root() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""At Lessard et al.'s pair the flattest direction has a double root :math:`1 - 2/q`.

    :math:`q = \sqrt{3\kappa+1}`, so :math:`\eta\mu = 4/(3\kappa+1) = 4/q^2`. Returns
    ``((discriminant, root) derived, (0, 1 - 2/q))``.
    """
    q = root_q
    s, p = _at((q - 2) / (q + 2), 4 / q**2)
    return (sp.simplify(s**2 - 4 * p), sp.simplify(s / 2)), (sp.Integer(0), 1 - 2 / q)


def lessard_steep_root() -> tuple[sp.Expr, sp.Expr]:
    r"""At the same pair the steepest direction has the root :math:`-(1 - 2/q)`.

    There :math:`\eta L = 4\kappa/(3\kappa+1) = 4(q^2-1)/(3q^2)`. Returns the polynomial
    evaluated at :math:`z = -(1 - 2/q)` (zero), and 0.
    """
    q = root_q
    s, p = _at((q - 2) / (q + 2), 4 * (q**2 - 1) / (3 * q**2))
    root = -(1 - 2 / q)
    return sp.simplify(root**2 - s * root + p), sp.Integer(0)


def lessard_tuning_in_kappa() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\eta\mu = 4\mu/(3L+\mu) = 4/(3\kappa+1)`: the :math:`q` of the rate."""
    return sp.simplify((4 * mu / (3 * L + mu)).subs(L, kappa * mu)), 4 / (3 * kappa + 1)
