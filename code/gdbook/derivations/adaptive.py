r"""SymPy claims of the chapter *A learning rate per coordinate* (Adagrad, RMSProp, Adadelta).

One public function per claim; each returns SymPy objects, most a pair ``(derived,
claimed)`` that ``tests/chapters/test_adaptive_claims.py`` asserts equal. Symbols:
:math:`\eta` learning rate, :math:`g` a constant gradient, :math:`t` the update counter
(first update :math:`t = 1`), :math:`\rho` the decay of RMSProp's and Adadelta's averages
(:data:`rho`, printed :math:`\rho`), :math:`\epsilon` their :math:`\epsilon`,
:math:`\lambda` a curvature, :math:`\mu < L` the valley's eigenvalues.
"""

from __future__ import annotations

import sympy as sp

from gdbook.derivations import L, epsilon, eta, g, j, k, lam, mu, s, t

rho = sp.Symbol("rho_decay", positive=True)  # decay of RMSProp's / Adadelta's averages, < 1
g_big = sp.Symbol("g_constant", positive=True)  # a constant gradient taken positive (even claims)
half_life = sp.Symbol("h_half", positive=True)  # an age in steps at which a weight has halved
distance = sp.Symbol("D_travel", positive=True)  # a distance to travel
amplitude = sp.Symbol("a_cycle", positive=True)  # amplitude of RMSProp's 2-cycle
target = sp.Symbol("delta_first", positive=True)  # a target length of Adadelta's first step
turn = sp.Symbol("phi_turn", real=True)  # the angle the valley is turned by
scale_c = sp.Symbol("c_units", positive=True)  # a change of units, x -> c x
_gap = sp.Symbol("gap_spectrum", positive=True)  # L - mu > 0
_r = sp.Symbol("r_decay", positive=True)  # rho = 1/(1 + r) encodes 0 < rho < 1
_x = sp.Symbol("x_integrand", positive=True)  # integration variable

_below_one = 1 / (1 + _r)


def _back(expr: sp.Expr) -> sp.Expr:
    r"""Replace :math:`r = 1/\rho - 1` in an expression derived for :math:`\rho = 1/(1+r)`."""
    return sp.simplify(expr.subs(_r, 1 / rho - 1))


# --------------------------------------------------------------------------------------
# Adagrad
# --------------------------------------------------------------------------------------


def adagrad_constant_gradient_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Under a constant gradient :math:`s_t = t g^2`, and the step is :math:`\eta/\sqrt t`."""
    sum_of_squares = sp.summation(g_big**2, (s, 1, t))
    return sp.simplify(eta * g_big / sp.sqrt(sum_of_squares)), eta / sp.sqrt(t)


def adagrad_displacement_lower_bound() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\sum_{k=1}^t k^{-1/2} \ge \int_1^{t+1} x^{-1/2}\,dx = 2\sqrt{t+1} - 2`.

    The terms decrease, so each is at least the integral over the following unit interval.
    """
    return sp.integrate(_x ** sp.Rational(-1, 2), (_x, 1, t + 1)), 2 * sp.sqrt(t + 1) - 2


def adagrad_displacement_upper_bound() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\sum_{k=1}^t k^{-1/2} \le 1 + \int_1^{t} x^{-1/2}\,dx = 2\sqrt t - 1`."""
    return 1 + sp.integrate(_x ** sp.Rational(-1, 2), (_x, 1, t)), 2 * sp.sqrt(t) - 1


def adagrad_displacement_growth() -> tuple[sp.Expr, sp.Expr]:
    r"""Both bounds over :math:`2\sqrt t` tend to 1.

    So the displacement is :math:`\sim 2\eta\sqrt t`.
    """
    lower = adagrad_displacement_lower_bound()[1]
    upper = adagrad_displacement_upper_bound()[1]
    limits = [sp.limit(bound / (2 * sp.sqrt(t)), t, sp.oo) for bound in (lower, upper)]
    return sp.Tuple(*limits), sp.Tuple(1, 1)


def adagrad_steps_to_travel() -> tuple[sp.Expr, sp.Expr]:
    r"""Solving :math:`2\eta\sqrt t = D`: :math:`t = (D/2\eta)^2`, quadratic in the distance."""
    t_real = sp.Symbol("t_travel", positive=True)
    (solution,) = sp.solve(sp.Eq(2 * eta * sp.sqrt(t_real), distance), t_real)
    return solution, (distance / (2 * eta)) ** 2


# --------------------------------------------------------------------------------------
# RMSProp
# --------------------------------------------------------------------------------------


def rmsprop_constant_gradient_mean_square() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`v_t = \rho v_{t-1} + (1-\rho) g^2` from :math:`v_0 = 0` is :math:`(1-\rho^t)g^2`."""
    v = sp.Function("v_rms")
    solved = sp.rsolve(v(t) - rho * v(t - 1) - (1 - rho) * g**2, v(t), {v(0): 0})
    return sp.simplify(solved), (1 - rho**t) * g**2


def rmsprop_constant_gradient_step() -> tuple[sp.Expr, sp.Expr]:
    r"""The step :math:`\eta g/\sqrt{v_t}` for a constant :math:`g > 0`.

    It is :math:`\eta/\sqrt{1-\rho^t}`.
    """
    mean_square = rmsprop_constant_gradient_mean_square()[1].subs(g, g_big)
    return sp.simplify(eta * g_big / sp.sqrt(mean_square)), eta / sp.sqrt(1 - rho**t)


def rmsprop_sign_descent_limit() -> tuple[sp.Expr, sp.Expr]:
    r"""As :math:`t \to \infty` the step tends to :math:`\eta`: sign descent."""
    step = rmsprop_constant_gradient_step()[1].subs(rho, _below_one)
    return sp.limit(step, t, sp.oo), eta


def rmsprop_first_step() -> tuple[sp.Expr, sp.Expr]:
    r"""The first step is the largest, :math:`\eta/\sqrt{1-\rho}`."""
    return rmsprop_constant_gradient_step()[1].subs(t, 1), eta / sp.sqrt(1 - rho)


def rmsprop_cycle_outside() -> tuple[sp.Expr, sp.Expr]:
    r"""2-cycle :math:`\pm a` on :math:`\tfrac12\lambda x^2`, :math:`\epsilon` outside the root.

    With :math:`v = \lambda^2 a^2` the step maps :math:`a` to :math:`-a` when
    :math:`a - \eta\lambda a/(\lambda a + \epsilon) = -a`: :math:`a = \eta/2 - \epsilon/\lambda`.
    """
    step = eta * lam * amplitude / (lam * amplitude + epsilon)
    (solution,) = sp.solve(sp.Eq(amplitude - step, -amplitude), amplitude)
    return sp.simplify(solution), eta / 2 - epsilon / lam


def rmsprop_cycle_inside() -> tuple[sp.Expr, sp.Expr]:
    r"""The same 2-cycle with :math:`\epsilon` inside the root.

    Its amplitude is :math:`a = \sqrt{(\eta\lambda/2)^2-\epsilon}/\lambda`.
    """
    step = eta * lam * amplitude / sp.sqrt(lam**2 * amplitude**2 + epsilon)
    solutions = sp.solve(sp.Eq(amplitude - step, -amplitude), amplitude)
    return sp.simplify(solutions[0]), sp.sqrt(eta**2 * lam**2 / 4 - epsilon) / lam


# --------------------------------------------------------------------------------------
# How far back an exponential moving average looks
# --------------------------------------------------------------------------------------


def ema_window() -> tuple[sp.Expr, sp.Expr]:
    r"""Weights :math:`\rho^k` of the ages :math:`k \ge 0` sum to the window :math:`1/(1-\rho)`."""
    return _back(sp.summation(_below_one**k, (k, 0, sp.oo))), 1 / (1 - rho)


def ema_mean_age() -> tuple[sp.Expr, sp.Expr]:
    r"""Mean age under the normalised weights :math:`(1-\rho)\rho^k`: :math:`\rho/(1-\rho)`."""
    window = ema_window()[0]  # sum_k rho^k; then sum_k k rho^k = rho d/drho sum_k rho^k
    return sp.simplify((1 - rho) * rho * sp.diff(window, rho)), rho / (1 - rho)


def ema_half_life() -> tuple[sp.Expr, sp.Expr]:
    r"""The age at which a weight has halved, :math:`\rho^h = \tfrac12`.

    It is :math:`h = \ln 2/\ln(1/\rho)`.
    """
    (solution,) = sp.solve(sp.Eq(_below_one**half_life, sp.Rational(1, 2)), half_life)
    return _back(solution), sp.log(2) / sp.log(1 / rho)


def ema_half_life_per_window() -> tuple[sp.Expr, sp.Expr]:
    r"""As :math:`\rho \to 1` the half-life is :math:`\ln 2 \approx 0.69` windows, not one."""
    ratio = ema_half_life()[1] / ema_window()[1]
    return sp.limit(ratio, rho, 1, dir="-"), sp.log(2)


def ema_decay_for_half_life() -> tuple[sp.Expr, sp.Expr]:
    r"""The decay whose half-life is :math:`h`: :math:`\rho = 2^{-1/h}`."""
    solutions = sp.solve(sp.Eq(rho**half_life, sp.Rational(1, 2)), rho)
    return solutions[0], 2 ** (-1 / half_life)


# --------------------------------------------------------------------------------------
# Adadelta
# --------------------------------------------------------------------------------------


def adadelta_first_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Zeiler's Algorithm 1 from zero state: the first step.

    It is :math:`\Delta_1 = \sqrt\epsilon\,g/\sqrt{(1-\rho)g^2+\epsilon}`.
    """
    nu_1 = rho * 0 + (1 - rho) * g**2  # E[g^2]_1
    delta_nu_0 = 0  # E[dx^2]_0
    derived = sp.sqrt(delta_nu_0 + epsilon) / sp.sqrt(nu_1 + epsilon) * g
    return derived, sp.sqrt(epsilon) * g / sp.sqrt((1 - rho) * g**2 + epsilon)


def adadelta_first_step_limit() -> tuple[sp.Expr, sp.Expr]:
    r"""For :math:`g \gg \sqrt\epsilon` the first step is :math:`\sqrt{\epsilon/(1-\rho)}`.

    Whatever the gradient is.
    """
    step = adadelta_first_step()[1].subs(g, g_big)
    return sp.limit(step, g_big, sp.oo), sp.sqrt(epsilon) / sp.sqrt(1 - rho)


def adadelta_first_step_eps_outside() -> tuple[sp.Expr, sp.Expr]:
    r"""The first step if :math:`\epsilon` were outside the roots: :math:`\epsilon/\sqrt{1-\rho}`.

    Smaller by the factor :math:`\sqrt\epsilon`: a thousand times at :math:`10^{-6}`.
    """
    step = (sp.sqrt(0) + epsilon) / (sp.sqrt((1 - rho) * g_big**2) + epsilon) * g_big
    return sp.limit(step, g_big, sp.oo), epsilon / sp.sqrt(1 - rho)


def adadelta_eps_for_first_step() -> tuple[sp.Expr, sp.Expr]:
    r"""The :math:`\epsilon` whose first step is :math:`\delta < |g|`.

    It is :math:`\delta^2(1-\rho)g^2/(g^2-\delta^2)`.
    """
    first = adadelta_first_step()[1].subs(g, g_big)
    solutions = sp.solve(sp.Eq(first, target), epsilon)
    return sp.simplify(solutions[0]), target**2 * (1 - rho) * g_big**2 / (g_big**2 - target**2)


def adadelta_warmup_factor() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\rho + (1-\rho)/(1-\rho^t) = (1-\rho^{t+1})/(1-\rho^t)`: the warm-up telescopes.

    For :math:`g^2 \gg \epsilon`, :math:`v_t = (1-\rho^t) g^2` and
    :math:`\Delta_t^2 = (u_{t-1}+\epsilon)/(1-\rho^t)`, so :math:`w_t = u_t + \epsilon`
    obeys :math:`w_t = w_{t-1}\,\frac{1-\rho^{t+1}}{1-\rho^t} + (1-\rho)\epsilon`.
    """
    return sp.simplify(rho + (1 - rho) / (1 - rho**t)), (1 - rho ** (t + 1)) / (1 - rho**t)


def adadelta_warmup_step(num_steps: int) -> tuple[sp.Matrix, sp.Matrix]:
    r"""The first ``num_steps`` squared steps :math:`\Delta_t^2` for :math:`g^2 \gg \epsilon`.

    Iterated from :math:`u_0 = 0` with :math:`\Delta_t^2 = (u_{t-1}+\epsilon)/(1-\rho^t)`,
    :math:`u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2`; claimed
    :math:`\epsilon\big(\frac{1}{1-\rho} + (1-\rho)\sum_{j=2}^t \frac{1}{1-\rho^j}\big)`.
    """
    u, iterated = sp.Integer(0), []
    for step in range(1, num_steps + 1):
        squared = (u + epsilon) / (1 - rho**step)
        u = rho * u + (1 - rho) * squared
        iterated.append(sp.simplify(squared))
    closed = adadelta_warmup_closed_form()
    return sp.Matrix(iterated), sp.Matrix(
        [closed.subs(t, n).doit() for n in range(1, num_steps + 1)]
    )


def adadelta_warmup_closed_form() -> sp.Expr:
    r"""The claimed :math:`\Delta_t^2` of :func:`adadelta_warmup_step`, for every :math:`t`."""
    return epsilon * (1 / (1 - rho) + (1 - rho) * sp.Sum(1 / (1 - rho**j), (j, 2, t)))


def adadelta_warmup_distance() -> tuple[sp.Expr, sp.Expr]:
    r"""Steps :math:`\sqrt{(1-\rho)\epsilon k}` add up to a power 3/2 of the time.

    The integral is :math:`\frac23\sqrt{(1-\rho)\epsilon}\,t^{3/2}`.
    """
    t_real = sp.Symbol("t_warm", positive=True)
    travelled = sp.integrate(sp.sqrt((1 - rho) * epsilon * _x), (_x, 0, t_real))
    return travelled.subs(t_real, t), sp.Rational(2, 3) * sp.sqrt(
        (1 - rho) * epsilon
    ) * t ** sp.Rational(3, 2)


def adadelta_steps_exponent() -> tuple[sp.Expr, sp.Expr]:
    r"""Steps to travel :math:`D` scale as :math:`\epsilon^{-1/3}`.

    That is, :math:`d\ln t/d\ln\epsilon = -1/3`.
    """
    coefficient = sp.simplify(adadelta_warmup_distance()[1] / t ** sp.Rational(3, 2))
    steps = (distance / coefficient) ** sp.Rational(2, 3)  # solves coefficient t^(3/2) = D
    return sp.simplify(epsilon * sp.diff(sp.log(steps), epsilon)), sp.Rational(-1, 3)


def adadelta_units() -> tuple[sp.Tuple, sp.Tuple]:
    r"""Exponent of :math:`c` in each step when the parameter is measured as :math:`c\,x`.

    The gradient scales as :math:`1/c`, the curvature as :math:`1/c^2`, the mean square
    of updates as :math:`c^2`. Newton's step :math:`g/h` scales as :math:`c` (units of
    :math:`x`); Adagrad's and RMSProp's :math:`\eta\,g/\sqrt{\overline{g^2}}` as
    :math:`c^0`; Adadelta's :math:`\sqrt{\overline{\Delta x^2}}\,g/\sqrt{\overline{g^2}}`
    (with :math:`\epsilon = 0`) as :math:`c` again.
    """
    grad, curv, mean_sq, upd = sp.symbols("g_units h_units v_units u_units", positive=True)
    newton = (grad / scale_c) / (curv / scale_c**2)
    adagrad_step = eta * (grad / scale_c) / sp.sqrt(mean_sq / scale_c**2)
    adadelta_step = sp.sqrt(scale_c**2 * upd) * (grad / scale_c) / sp.sqrt(mean_sq / scale_c**2)
    base = {"newton": grad / curv, "adagrad": eta * grad / sp.sqrt(mean_sq),
            "adadelta": sp.sqrt(upd) * grad / sp.sqrt(mean_sq)}  # fmt: skip
    exponents = [
        sp.simplify(sp.log(sp.simplify(step / base[name])) / sp.log(scale_c))
        for name, step in [
            ("newton", newton),
            ("adagrad", adagrad_step),
            ("adadelta", adadelta_step),
        ]
    ]
    return sp.Tuple(*exponents), sp.Tuple(1, 0, 1)


# --------------------------------------------------------------------------------------
# Diagonal preconditioning of a turned valley
# --------------------------------------------------------------------------------------


def _turned_valley() -> sp.Matrix:
    r"""The Hessian :math:`R\,\mathrm{diag}(\mu, L)\,R^\top`, :math:`R` the turn by :math:`\phi`."""
    c, s_ = sp.cos(turn), sp.sin(turn)
    rotation = sp.Matrix([[c, -s_], [s_, c]])
    return rotation * sp.diag(mu, L) * rotation.T


def jacobi_correlation() -> tuple[sp.Expr, sp.Expr]:
    r"""The off-diagonal of :math:`D^{-1/2}AD^{-1/2}`, squared.

    It is :math:`r^2 = \frac{(L-\mu)^2 c^2 s^2}{\mu L + (L-\mu)^2c^2s^2}` with
    :math:`c = \cos\phi`, :math:`s = \sin\phi`. The scaled matrix is
    :math:`\begin{pmatrix}1 & r\\ r & 1\end{pmatrix}` with eigenvalues :math:`1 \pm r`, so
    :math:`\kappa_J = (1+|r|)/(1-|r|)`.
    """
    a = _turned_valley()
    squared = a[0, 1] ** 2 / (a[0, 0] * a[1, 1])
    c, s_ = sp.cos(turn), sp.sin(turn)
    cross = (L - mu) ** 2 * c**2 * s_**2
    return squared, cross / (mu * L + cross)


def jacobi_condition_at_45_degrees() -> tuple[sp.Expr, sp.Expr]:
    r"""Turned by 45 degrees the Jacobi-scaled valley keeps its condition number.

    That is, :math:`\kappa_J = L/\mu`.
    """
    squared = jacobi_correlation()[0].subs(turn, sp.pi / 4).subs(L, mu + _gap)
    r = sp.sqrt(sp.factor(sp.simplify(squared)))
    kappa_j = sp.simplify((1 + r) / (1 - r))
    return sp.simplify(kappa_j.subs(_gap, L - mu)), L / mu
