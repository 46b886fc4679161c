r"""SymPy claims behind the chapter *Momentum as physics*; one function per claim.

Each function returns SymPy objects, usually a pair ``(derived, claimed)``: the left item
is what SymPy computes (``dsolve``, an integral, a limit, one step of a scheme), the right
item is the formula the chapter prints. ``tests/chapters/test_physics*.py`` asserts that
the two agree and ties each claim to the NumPy code of :mod:`gdbook.physics`.

The ball has unit mass (:func:`mass_convention` shows where a mass would go). It sits at
:math:`x` with velocity :math:`v`, feels the force :math:`-f'(x)` and a drag :math:`-D(v)`;
along one eigenvector of a quadratic :math:`f'(x) = \omega^2 x` with
:math:`\omega = \sqrt\lambda`. An integrator advances the pair :math:`(x, v)` by a time
step :math:`h`.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from gdbook.derivations import (
    L,
    beta,
    drag,
    eta,
    g,
    h_step,
    lam,
    mu,
    time,
    velocity,
    x,
    x_0,
    z,
)
from gdbook.derivations import momentum as heavy_ball

omega = sp.Symbol("omega", positive=True)  # angular frequency sqrt(lambda) of one direction
spread = sp.Symbol("gamma_spread", positive=True)  # sqrt(c^2/4 - omega^2), over-damped
omega_d = sp.Symbol("omega_d", positive=True)  # sqrt(omega^2 - c^2/4), under-damped
v_0 = sp.Symbol("v_0", positive=True)  # initial speed
force = sp.Symbol("F", positive=True)  # a constant force (a constant slope g of f)
mass = sp.Symbol("m_mass", positive=True)  # the ball's mass, where it is not 1
amplitude = sp.Symbol("A", positive=True)  # a turning point (amplitude) of a swing
position_of = sp.Function("x_ball")  # x(t), for dsolve
velocity_of = sp.Function("v_ball")  # v(t), for dsolve

#: How the chapter prints this module's own symbols (:func:`gdbook.derivations.latex`).
PRINTED: dict[sp.Basic, str] = {spread: r"\gamma", mass: "m"}


def _at_rest(ode: sp.Expr, start: sp.Expr = x_0) -> sp.Expr:
    """Solve the second-order ``ode`` in x(t) from x(0) = ``start``, x'(0) = 0."""
    xt = position_of(time)
    ics = {position_of(0): start, sp.diff(xt, time).subs(time, 0): 0}
    return sp.dsolve(sp.Eq(ode, 0), xt, ics=ics).rhs


def _oscillator(stiffness: sp.Expr) -> sp.Expr:
    """The left side x'' + c x' + stiffness x of the oscillator, for the unknown x(t)."""
    xt = position_of(time)
    return sp.diff(xt, time, 2) + drag * sp.diff(xt, time) + stiffness * xt


# --------------------------------------------------------------------------------------
# The damped oscillator along one eigenvector, in continuous time
# --------------------------------------------------------------------------------------


def overdamped_solution() -> tuple[sp.Expr, sp.Expr]:
    r"""Over-damped, :math:`c > 2\omega`, from rest at :math:`x_0`.

    :math:`x(t) = x_0 e^{-ct/2}\big(\cosh\gamma t + \tfrac{c}{2\gamma}\sinh\gamma t\big)` with
    :math:`\gamma = \sqrt{c^2/4 - \omega^2}`: ``dsolve`` with :math:`\omega^2 = c^2/4 - \gamma^2`.
    """
    derived = _at_rest(_oscillator(drag**2 / 4 - spread**2))
    e = sp.exp(-drag * time / 2)
    claimed = x_0 * e * (sp.cosh(spread * time) + drag / (2 * spread) * sp.sinh(spread * time))
    return derived, claimed


def critical_solution() -> tuple[sp.Expr, sp.Expr]:
    r"""Critically damped, :math:`c = 2\omega`: :math:`x(t) = x_0 (1 + \omega t) e^{-\omega t}`."""
    derived = _at_rest(_oscillator(omega**2).subs(drag, 2 * omega))
    return derived, x_0 * (1 + omega * time) * sp.exp(-omega * time)


def underdamped_solution() -> tuple[sp.Expr, sp.Expr]:
    r"""Under-damped, :math:`c < 2\omega`, from rest.

    :math:`x(t) = x_0 e^{-ct/2}\big(\cos\omega_d t + \tfrac{c}{2\omega_d}\sin\omega_d t\big)`
    with :math:`\omega_d = \sqrt{\omega^2 - c^2/4}`.
    """
    derived = _at_rest(_oscillator(drag**2 / 4 + omega_d**2))
    e = sp.exp(-drag * time / 2)
    claimed = x_0 * e * (sp.cos(omega_d * time) + drag / (2 * omega_d) * sp.sin(omega_d * time))
    return derived, claimed


def energy_dissipation() -> tuple[sp.Expr, sp.Expr]:
    r"""Friction is the energy sink: :math:`\dot E = -cv^2`.

    Here :math:`E = \tfrac12 v^2 + \tfrac12\omega^2x^2`; the chain rule along a solution,
    :math:`\dot x = v`, :math:`\dot v = -\omega^2 x - cv`.
    """
    energy = velocity**2 / 2 + omega**2 * x**2 / 2
    rate = sp.diff(energy, x) * velocity + sp.diff(energy, velocity) * (
        -(omega**2) * x - drag * velocity
    )
    return sp.expand(rate), -drag * velocity**2


# --------------------------------------------------------------------------------------
# The integrators on (x, v): one step, with the force -g and the drag -c v
# --------------------------------------------------------------------------------------


def _semi_implicit(grad: sp.Expr, c: sp.Expr = drag, m: sp.Expr = sp.S.One) -> sp.Matrix:
    """One semi-implicit Euler step of m v' = -grad - c v, x' = v: (x_{k+1}, v_{k+1})."""
    v_next = velocity + h_step * (-grad - c * velocity) / m
    return sp.Matrix([x + h_step * v_next, v_next])


def semi_implicit_euler_is_momentum() -> tuple[sp.Matrix, sp.Matrix]:
    r"""Semi-implicit Euler *is* momentum: :math:`\eta = h^2`, :math:`\beta = 1 - hc`.

    One step of :math:`v_{k+1} = v_k + h(-g_k - c v_k)`, :math:`x_{k+1} = x_k + h v_{k+1}`,
    written for the step :math:`p = hv` (the displacement per update), is Sutskever's form
    :math:`p_{k+1} = \beta p_k - \eta g_k`, :math:`x_{k+1} = x_k + p_{k+1}`. Returns
    :math:`(x_{k+1}, h v_{k+1})` from the scheme and from momentum, both in :math:`x, v`.
    """
    step = _semi_implicit(g)
    derived = sp.Matrix([step[0], h_step * step[1]])
    p_next = (1 - h_step * drag) * (h_step * velocity) - h_step**2 * g  # beta p - eta g
    return sp.expand(derived), sp.expand(sp.Matrix([x + p_next, p_next]))


def semi_implicit_euler_buffer() -> tuple[sp.Matrix, sp.Matrix]:
    r"""The buffer of the sum form is :math:`b = -v/h`; the step is then the heavy ball's.

    With :math:`b_k = -v_k/h`, one step of semi-implicit Euler gives
    :math:`b_{k+1} = \beta b_k + g_k` and :math:`x_{k+1} = x_k - \eta b_{k+1}`. Returns
    :math:`(b_{k+1}, x_{k+1})` of the scheme and of :math:`b \leftarrow \beta b + g`,
    :math:`x \leftarrow x - \eta b` at :math:`\eta = h^2`, :math:`\beta = 1 - hc`.
    """
    step = _semi_implicit(g)
    b_k = -velocity / h_step
    b_next = (1 - h_step * drag) * b_k + g
    derived = sp.Matrix([-step[1] / h_step, step[0]])
    return sp.expand(derived), sp.expand(sp.Matrix([b_next, x - h_step**2 * b_next]))


def mass_convention() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""A ball of mass :math:`m`: :math:`\eta = h^2/m`, :math:`\beta = 1 - hc/m`.

    Read off the step :math:`p_{k+1} = \beta p_k - \eta g_k` of semi-implicit Euler on
    :math:`m\ddot x = -g - c\dot x`: the coefficient of :math:`p_k = h v_k` and minus that
    of :math:`g_k`.
    """
    p_next = sp.expand(h_step * _semi_implicit(g, m=mass)[1])
    p_k = sp.Symbol("p_step", real=True)  # the previous step h v
    in_p = sp.expand(p_next.subs(velocity, p_k / h_step))
    derived = (in_p.coeff(p_k), -in_p.coeff(g))
    return (derived[1], derived[0]), (h_step**2 / mass, 1 - h_step * drag / mass)


def _explicit(grad: sp.Expr, c: sp.Expr = drag) -> sp.Matrix:
    """One explicit Euler step of v' = -grad - c v, x' = v: both from the old (x_k, v_k)."""
    return sp.Matrix([x + h_step * velocity, velocity + h_step * (-grad - c * velocity)])


def _frictionless(scheme: str) -> sp.Matrix:
    """The matrix of one frictionless step on (x, v) for f' = omega^2 x."""
    one_step = _explicit if scheme == "explicit" else _semi_implicit
    return one_step(omega**2 * x, sp.Integer(0)).jacobian([x, velocity])


def explicit_euler_growth() -> tuple[list[sp.Expr], sp.Expr]:
    r"""Explicit Euler without friction: :math:`|z| = \sqrt{1 + h^2\omega^2} > 1`.

    The matrix is :math:`\begin{pmatrix}1 & h\\ -h\omega^2 & 1\end{pmatrix}`, with the
    eigenvalues :math:`1 \pm ih\omega`: every step multiplies the amplitude by more than 1.
    """
    moduli = [sp.simplify(sp.Abs(e)) for e in _frictionless("explicit").eigenvals()]
    return moduli, sp.sqrt(1 + h_step**2 * omega**2)


def explicit_euler_energy_growth() -> tuple[sp.Expr, sp.Expr]:
    r"""Explicit Euler multiplies the energy by exactly :math:`1 + h^2\omega^2` per step.

    :math:`E = \tfrac12 v^2 + \tfrac12\omega^2 x^2`, on every state :math:`(x, v)`.
    """
    x_next, v_next = _frictionless("explicit") * sp.Matrix([x, velocity])
    energy = velocity**2 / 2 + omega**2 * x**2 / 2
    after = energy.subs({x: x_next, velocity: v_next}, simultaneous=True)
    return sp.factor(sp.expand(after) / energy), 1 + h_step**2 * omega**2


def semi_implicit_characteristic_polynomial() -> tuple[sp.Expr, sp.Expr]:
    r"""Semi-implicit Euler with friction has the heavy ball's characteristic polynomial.

    The step matrix on :math:`(x, v)` for :math:`f' = \omega^2 x` has
    :math:`z^2 - (2 - hc - h^2\omega^2) z + (1 - hc)`, which is
    :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta`
    (:func:`gdbook.derivations.momentum.heavy_ball_characteristic_polynomial`) at
    :math:`\eta = h^2`, :math:`\beta = 1 - hc`, :math:`\lambda = \omega^2`.
    """
    matrix = _semi_implicit(omega**2 * x).jacobian([x, velocity])
    derived = sp.expand(matrix.charpoly(z).as_expr())
    _, heavy = heavy_ball.heavy_ball_characteristic_polynomial()
    at_physics = {eta: h_step**2, beta: 1 - h_step * drag, lam: omega**2}
    return derived, sp.expand(heavy.subs(at_physics))


def semi_implicit_stability() -> tuple[sp.Basic, sp.Basic, sp.Expr]:
    r"""Frictionless semi-implicit Euler is stable iff :math:`h\omega < 2`, like the heavy ball.

    Its matrix has determinant 1 (it preserves area: the scheme is symplectic) and trace
    :math:`2 - h^2\omega^2`, so its eigenvalues stay on the unit circle iff
    :math:`|2 - h^2\omega^2| < 2`. Returns that condition solved for :math:`u = h\omega`,
    the heavy ball's :math:`\eta\lambda < 2 + 2\beta` at :math:`\beta = 1`,
    :math:`\eta\lambda = u^2` solved the same way, and the determinant.
    """
    matrix = _frictionless("semi-implicit")
    u = sp.Symbol("u_h_omega", positive=True)  # h omega
    trace = sp.simplify(matrix.trace()).subs(h_step, u / omega)
    scheme = sp.reduce_inequalities([sp.Abs(trace) < 2], [u])
    (_, p_minus_one, _), _ = heavy_ball.jury_conditions()  # 2 + 2 beta - eta lambda > 0
    at_ball = p_minus_one.subs({beta: 1, eta: u**2 / lam})  # beta = 1, eta lambda = (h omega)^2
    heavy = sp.reduce_inequalities([at_ball > 0], [u])
    return scheme, heavy, sp.simplify(matrix.det())


def modified_energy() -> tuple[sp.Expr, sp.Expr]:
    r"""Semi-implicit Euler without friction conserves a modified energy :math:`\tilde E` exactly.

    :math:`\tilde E = \tfrac12 v^2 + \tfrac12\omega^2x^2 - \tfrac12 h\omega^2 xv`. Returns
    :math:`\tilde E` after one frictionless step and before it; they are equal for every
    :math:`(x, v)`.
    """
    x_next, v_next = _frictionless("semi-implicit") * sp.Matrix([x, velocity])
    tilde = velocity**2 / 2 + omega**2 * x**2 / 2 - h_step * omega**2 * x * velocity / 2
    after = tilde.subs({x: x_next, velocity: v_next}, simultaneous=True)
    return sp.expand(after), tilde


def energy_gap() -> tuple[sp.Expr, sp.Expr]:
    r"""The energy and the conserved :math:`\tilde E` differ by :math:`\tfrac12 h\omega^2 xv`.

    Since :math:`\omega|xv| \le E`, that is at most :math:`\tfrac12 h\omega E`: the energy
    of semi-implicit Euler stays within :math:`\tilde E/(1 \pm h\omega/2)` for ever.
    """
    energy = velocity**2 / 2 + omega**2 * x**2 / 2
    return sp.expand(energy - modified_energy()[1]), h_step * omega**2 * x * velocity / 2


# --------------------------------------------------------------------------------------
# Damping in discrete time: critical friction, the optimal pair, terminal velocity
# --------------------------------------------------------------------------------------


def discrete_critical_friction() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""Critical damping of the heavy ball in physical units: :math:`c = 2\sqrt\lambda - h\lambda`.

    Solves :math:`\beta = (1 - \sqrt{\eta\lambda})^2` (eq-critical of the momentum chapter)
    at :math:`\eta = h^2`, :math:`\beta = 1 - hc` for :math:`c`. Returns the solution, the
    claimed form and its limit :math:`h \to 0`, the continuous :math:`2\omega = 2\sqrt\lambda`.
    """
    (betas, _) = heavy_ball.critical_damping()
    curve = betas[0].subs(eta, h_step**2)  # (1 - h sqrt(lambda))^2
    (solved,) = sp.solve(sp.Eq(1 - h_step * drag, curve), drag)
    claimed = 2 * sp.sqrt(lam) - h_step * lam
    return sp.expand(solved), claimed, sp.limit(claimed, h_step, 0)


_ratio = sp.Symbol("r_spread", positive=True)  # sqrt(L/mu) = 1 + r encodes L > mu


def _with_l_above_mu(expr: sp.Expr) -> sp.Expr:
    """Simplify knowing L > mu: write L = mu (1 + r)^2, take the roots of squares, go back."""
    on = sp.factor(sp.simplify(expr.subs(L, mu * (1 + _ratio) ** 2)))
    roots = on.replace(
        lambda a: a.is_Pow and a.exp == sp.Rational(1, 2), lambda a: sp.sqrt(sp.factor(a.base))
    )
    return sp.simplify(sp.simplify(roots).subs(_ratio, sp.sqrt(L) / sp.sqrt(mu) - 1))


@cache
def _optimal_physics() -> tuple[sp.Expr, sp.Expr]:
    """h* = sqrt(eta*) and c* = (1 - beta*)/h* of the optimal heavy ball."""
    (eta_star, beta_star), _ = heavy_ball.optimal_parameters()
    h_star = _with_l_above_mu(sp.sqrt(eta_star))
    return h_star, _with_l_above_mu((1 - beta_star) / sp.sqrt(eta_star))


def optimal_friction() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""The optimal pair as a ball: a step :math:`h^\star` and a friction :math:`c^\star`.

    :math:`h^\star = \frac{2}{\sqrt L + \sqrt\mu}`,
    :math:`c^\star = \frac{2\sqrt{\mu L}}{\sqrt\mu + \sqrt L}`, from
    :math:`\eta^\star, \beta^\star` of the momentum chapter, :math:`h = \sqrt\eta` and
    :math:`c = (1-\beta)/h`.
    """
    root_sum = sp.sqrt(L) + sp.sqrt(mu)
    return _optimal_physics(), (2 / root_sum, 2 * sp.sqrt(mu * L) / root_sum)


def optimal_friction_damps_both_ends() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""At :math:`h^\star` the critical friction of both ends of the spectrum is :math:`c^\star`.

    The critical friction is :math:`2\sqrt\lambda - h\lambda`. Returns the critical friction
    at :math:`\lambda = \mu`, at :math:`\lambda = L`, and :math:`c^\star`: one friction
    damps the flattest and the steepest direction critically.
    """
    h_star, c_star = _optimal_physics()
    _, critical, _ = discrete_critical_friction()
    ends = [_with_l_above_mu(critical.subs({h_step: h_star, lam: e})) for e in (mu, L)]
    return ends[0], ends[1], c_star


def terminal_velocity_correspondence() -> tuple[sp.Expr, sp.Expr]:
    r"""Momentum's terminal step :math:`\eta g/(1-\beta)` is :math:`h` times the ball's :math:`g/c`.

    :func:`gdbook.derivations.momentum.terminal_velocity` at :math:`\eta = h^2`,
    :math:`\beta = 1 - hc`: the discrete twin of the viscous terminal velocity
    (:func:`viscous_terminal_velocity`), covered in one step of length :math:`h`.
    """
    _, step = heavy_ball.terminal_velocity()
    derived = sp.simplify(step.subs({eta: h_step**2, beta: 1 - h_step * drag}))
    return derived, h_step * g / drag


# --------------------------------------------------------------------------------------
# Three drag laws: free decay, distance, terminal velocity
# --------------------------------------------------------------------------------------


def _speed(rate: sp.Expr, start: sp.Expr = v_0) -> sp.Expr:
    """Solve v' = rate(v) from v(0) = start (rate written in velocity)."""
    vt = velocity_of(time)
    ode = sp.Eq(sp.diff(vt, time), rate.subs(velocity, vt))
    return sp.dsolve(ode, vt, ics={velocity_of(0): start}).rhs


def _distance(speed: sp.Expr) -> sp.Expr:
    """The distance covered by time t at the given speed, from 0."""
    s = sp.Symbol("s_time", nonnegative=True)  # the time variable of integration
    return sp.simplify(sp.integrate(speed.subs(time, s), (s, 0, time)))


def viscous_velocity() -> tuple[sp.Expr, sp.Expr]:
    r"""Viscous drag :math:`\dot v = -cv`: :math:`v(t) = v_0 e^{-ct}`."""
    return _speed(-drag * velocity), v_0 * sp.exp(-drag * time)


def viscous_distance() -> tuple[sp.Expr, sp.Expr]:
    r"""The distance under viscous drag, :math:`x(t) = \frac{v_0}{c}(1 - e^{-ct})`."""
    return _distance(viscous_velocity()[1]), v_0 / drag * (1 - sp.exp(-drag * time))


def viscous_stopping_distance() -> tuple[sp.Expr, sp.Expr]:
    r"""The ball never stops but covers only :math:`v_0/c`: :math:`\lim_{t\to\infty} x(t)`."""
    return sp.limit(viscous_distance()[1], time, sp.oo), v_0 / drag


def viscous_terminal_velocity() -> tuple[sp.Expr, sp.Expr]:
    r"""A constant force :math:`F` against viscous drag from rest: :math:`v \to F/c` (F17)."""
    speed = _speed(force - drag * velocity, sp.Integer(0))
    return sp.limit(speed, time, sp.oo), force / drag


def turbulent_velocity() -> tuple[sp.Expr, sp.Expr]:
    r"""Turbulent drag :math:`\dot v = -cv^2`: :math:`v(t) = \frac{v_0}{1 + cv_0 t}` (F18)."""
    return _speed(-drag * velocity**2), v_0 / (1 + drag * v_0 * time)


def turbulent_distance() -> tuple[sp.Expr, sp.Expr]:
    r"""The distance under turbulent drag, :math:`x(t) = \frac{1}{c}\ln(1 + cv_0 t)`."""
    return _distance(turbulent_velocity()[1]), sp.log(1 + drag * v_0 * time) / drag


def turbulent_distance_is_unbounded() -> tuple[sp.Expr, sp.Expr]:
    r"""It never stops and goes arbitrarily far: :math:`x(t) \to \infty`, like :math:`\ln t / c`.

    Returns the limit of :math:`x(t)` and of :math:`x(t)/(\ln t/c)`: :math:`\infty` and 1.
    """
    distance = turbulent_distance()[1]
    ratio = sp.limit(distance / (sp.log(time) / drag), time, sp.oo)
    return sp.limit(distance, time, sp.oo), ratio


def turbulent_terminal_velocity() -> tuple[sp.Expr, sp.Expr]:
    r"""A constant force against turbulent drag: :math:`F = cv^2` at :math:`v = \sqrt{F/c}`."""
    (positive,) = [s for s in sp.solve(force - drag * velocity**2, velocity) if s.is_positive]
    return positive, sp.sqrt(force / drag)


def dry_stopping() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""Dry friction :math:`\dot v = -c` stops the ball at :math:`t = v_0/c` and :math:`v_0^2/(2c)`.

    Returns the time at which :math:`v_0 - ct` vanishes and the distance covered by then.
    """
    speed = _speed(-drag + 0 * velocity)
    (stop,) = sp.solve(speed, time)
    return (stop, _distance(speed).subs(time, stop)), (v_0 / drag, v_0**2 / (2 * drag))


def dry_half_swing() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""Dry friction in the well :math:`\tfrac12\lambda x^2`: one swing from rest at :math:`A`.

    Moving towards :math:`-x` the friction :math:`+c` is constant, so
    :math:`\ddot x = -\lambda x + c`: an undamped swing about :math:`c/\lambda`,
    :math:`x(t) = c/\lambda + (A - c/\lambda)\cos(\sqrt\lambda t)`, which turns at
    :math:`t = \pi/\sqrt\lambda` at :math:`2c/\lambda - A`. The amplitude falls by
    :math:`2c/\lambda` per swing.
    """
    xt = position_of(time)
    swing = _at_rest(sp.diff(xt, time, 2) + lam * xt - drag, amplitude)
    turn = sp.simplify(swing.subs(time, sp.pi / sp.sqrt(lam)))
    claimed = drag / lam + (amplitude - drag / lam) * sp.cos(sp.sqrt(lam) * time)
    return (swing, turn), (claimed, 2 * drag / lam - amplitude)


def dry_dead_zone() -> tuple[sp.Basic, sp.Basic]:
    r"""Where dry friction holds the ball at rest in the well: :math:`|x| \le c/\lambda`.

    At rest, static friction of size up to :math:`c` balances the spring force
    :math:`\lambda x` iff :math:`\lambda|x| \le c`. Returns that condition solved for
    :math:`x` and the claimed interval :math:`-c/\lambda \le x \le c/\lambda`.
    """
    real_x = sp.Symbol("x_rest", real=True)  # a resting point
    held = sp.reduce_inequalities([lam * sp.Abs(real_x) <= drag], [real_x])
    claimed = sp.And(-drag / lam <= real_x, real_x <= drag / lam)
    return held, claimed


def turbulent_amplitude_decay() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""Turbulent drag in a well: the amplitude decays like :math:`1/t`, not exponentially.

    Averaged over a swing of amplitude :math:`A`, :math:`v = -A\omega\sin\omega t` loses
    the energy :math:`c\langle|v|^3\rangle = \tfrac{4}{3\pi}c\omega^3A^3` per unit time,
    and :math:`E = \tfrac12\omega^2A^2`, so :math:`\dot A = -\tfrac{4c\omega}{3\pi}A^2`:
    :math:`A(t) = A_0/(1 + \tfrac{4c\omega}{3\pi}A_0 t)`. Returns the average of
    :math:`|\sin|^3` over a period and the solution from :math:`A(0) = A_0`.
    """
    phase = sp.Symbol("phi_phase", nonnegative=True)
    average = sp.integrate(sp.sin(phase) ** 3, (phase, 0, sp.pi)) / sp.pi  # |sin|^3, sin >= 0
    a_t = sp.Function("A_amp")(time)
    rate = -4 * drag * omega / (3 * sp.pi) * a_t**2
    solved = sp.dsolve(sp.Eq(sp.diff(a_t, time), rate), a_t, ics={a_t.subs(time, 0): amplitude})
    claimed = amplitude / (1 + 4 * drag * omega * amplitude * time / (3 * sp.pi))
    return (average, solved.rhs), (4 / (3 * sp.pi), claimed)
