r"""Chapter *Momentum as physics*: a ball with friction, the schemes that integrate it, three drags.

The ball has unit mass, sits at :math:`x` with velocity :math:`v` and feels the force
:math:`-\nabla f(x)` and a drag :math:`-D(v)`:

.. math:: \dot x = v, \qquad \dot v = -\nabla f(x) - D(v).

Symbols: :math:`x` ``position`` (``params`` of the optimizers), :math:`v` ``velocity``,
:math:`h` the time step ``h``, :math:`c` the drag ``coefficient``, :math:`\omega =
\sqrt\lambda` the angular frequency along an eigenvector, :math:`t` time, :math:`p = hv` the
step of an update (the optimizers' state ``velocity``: a displacement per update).

Mass convention: unit mass. A ball of mass :math:`m` is the same system with the force and
the drag divided by :math:`m`; the mass only rescales :math:`\eta = h^2/m` and
:math:`1 - \beta = hc/m`. With :math:`m = 1`, semi-implicit Euler (:func:`semi_implicit_euler`)
with viscous drag is the heavy ball with :math:`\eta = h^2`, :math:`\beta = 1 - hc` and the
buffer :math:`b = -v/h` (:func:`momentum_parameters`, :func:`physical_parameters`).

Drag laws :math:`D(v) = c\,|v|^{p-1} v` (:data:`DRAG_LAWS`): ``"dry"`` (:math:`p = 0`, Coulomb
friction of constant magnitude), ``"viscous"`` (:math:`p = 1`), ``"turbulent"``
(:math:`p = 2`). :math:`|v|` is the Euclidean norm over the last axis, so the drag opposes the
velocity vector, as it does on a ball.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.base import Optimizer, block, chain, named, run, scale_by_learning_rate
from gdbook.checks import check_count, check_finite_array, check_range, hyperparameter
from gdbook.examples import VALLEY
from gdbook.measure import experiment, first_step_below, loglog_slope, stays_below_from
from gdbook.momentum import momentum, optimal_heavy_ball
from gdbook.problems import Problem, quadratic
from gdbook.types import Array, GradFn, Hyper, Hyperparams

# --------------------------------------------------------------------------------------
# Drag as an optimizer: the push of the gradient, then one step of drag
# --------------------------------------------------------------------------------------


class DragState(NamedTuple):
    """State of the drag blocks."""

    step: int  # t, updates so far
    velocity: Array  # p_t, the last step: a displacement per update (h v of the ball)


def _push_then_drag(retain: Callable[[Array, int], Array], hyperparams: Hyperparams) -> Optimizer:
    r""":math:`p_t = \Phi(p_{t-1} + u_t)`: the incoming step first, then the drag's decay."""

    def init(params: Array) -> DragState:
        return DragState(step=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: DragState, params: Array) -> tuple[Array, DragState]:
        step = state.step + 1
        velocity = retain(state.velocity + grads, step)  # p_t = Phi(p_{t-1} + u_t)
        return velocity, DragState(step, velocity)

    return Optimizer(init, update, hyperparams)


@block
def viscous_drag(beta: Hyper) -> Optimizer:
    r"""Viscous drag after the push: :math:`p_t = \beta\,(p_{t-1} + u_t)`.

    One step of :math:`\dot v = -cv` keeps the fraction :math:`\beta = e^{-ch}` of the
    velocity (:func:`viscous_flow`). ``beta`` may be a schedule ``t -> beta_t``.
    """
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)
    return _push_then_drag(lambda w, step: beta_t(step) * w, named(beta=beta_t))


@block
def turbulent_drag(drag: Hyper) -> Optimizer:
    r"""Turbulent drag after the push: :math:`p_t = w/(1 + c|w|)`, :math:`w = p_{t-1} + u_t`.

    The exact decay of :math:`\dot v = -c|v|v` over one update (:func:`turbulent_flow`); in
    steps the coefficient is the physical :math:`c` (units of 1/length).
    """
    c = hyperparameter("drag", drag, 0.0)
    return _push_then_drag(lambda w, step: turbulent_flow(w, c(step), 1.0), named(drag=c))


@block
def dry_friction(friction: Hyper) -> Optimizer:
    r"""Dry (Coulomb) friction after the push: :math:`p_t = w\max(1 - c/|w|, 0)`.

    The exact decay of :math:`\dot v = -c\,v/|v|` over one update (:func:`dry_flow`),
    also the proximal step of :math:`c|p|`: a push of length at most :math:`c` leaves
    the ball at rest (static friction), so it can stop where the slope is not zero.
    In physical units the friction per update is :math:`c_{\text{phys}}h^2`.
    """
    c = hyperparameter("friction", friction, 0.0)
    return _push_then_drag(lambda w, step: dry_flow(w, c(step), 1.0), named(friction=c))


def viscous_momentum(learning_rate: Hyper, beta: Hyper = 0.9) -> Optimizer:
    r"""The ball with viscous drag: :math:`p_t = \beta(p_{t-1} - \eta g_t)`.

    The drag acts after the push, so it damps the push too: this is
    :func:`gdbook.momentum.momentum` with the learning rate :math:`\beta\eta`.
    """
    return chain(scale_by_learning_rate(learning_rate), viscous_drag(beta))


def turbulent_momentum(learning_rate: Hyper, drag: Hyper) -> Optimizer:
    r"""The ball with turbulent drag: :math:`p_t = w/(1 + c|w|)`, :math:`w = p_{t-1} - \eta g_t`.

    References: Goodfellow et al. (2016, sec. 8.3.2) consider this drag and reject it.
    """
    return chain(scale_by_learning_rate(learning_rate), turbulent_drag(drag))


def dry_friction_momentum(learning_rate: Hyper, friction: Hyper) -> Optimizer:
    r"""The ball with dry friction: :math:`p_t = w\max(1 - c/|w|, 0)`.

    Here :math:`w = p_{t-1} - \eta g_t` and :math:`x_t = x_{t-1} + p_t`. It stops for
    good where :math:`\eta|\nabla f| \le c`. References: Goodfellow et al. (2016,
    sec. 8.3.2) consider this friction and reject it.
    """
    return chain(scale_by_learning_rate(learning_rate), dry_friction(friction))


# --------------------------------------------------------------------------------------
# Drag laws: the force and its exact decay (closed forms)
# --------------------------------------------------------------------------------------

DRAG_LAWS = {"dry": 0, "viscous": 1, "turbulent": 2}
"""Name -> power :math:`p` of the drag law :math:`D(v) = c|v|^{p-1}v`."""


def speed(velocity: ArrayLike) -> Array:
    """:math:`|v|` over the last axis, kept as an axis of length 1 (it broadcasts against v)."""
    return np.asarray(np.linalg.norm(np.asarray(velocity, float), axis=-1, keepdims=True))


def _per_speed(numerator: ArrayLike, s: Array) -> Array:
    """``numerator / s``, and 0 where the speed ``s`` is 0."""
    num, den = np.broadcast_arrays(np.asarray(numerator, float), s)
    out = np.zeros(num.shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


def viscous_flow(velocity: ArrayLike, coefficient: ArrayLike, time: ArrayLike) -> Array:
    r"""Exact solution of :math:`\dot v = -cv` after ``time``: :math:`v e^{-ct}`."""
    c, t = np.asarray(coefficient, float), np.asarray(time, float)
    return np.asarray(np.asarray(velocity, float) * np.exp(-c * t))


def turbulent_flow(velocity: ArrayLike, coefficient: ArrayLike, time: ArrayLike) -> Array:
    r"""Exact solution of :math:`\dot v = -c|v|v` after ``time``: :math:`v/(1 + ct|v|)`."""
    v = np.asarray(velocity, float)
    c, t = np.asarray(coefficient, float), np.asarray(time, float)
    return np.asarray(v / (1.0 + c * t * speed(v)))


def dry_flow(velocity: ArrayLike, coefficient: ArrayLike, time: ArrayLike) -> Array:
    r"""Solution of :math:`\dot v = -c\,v/|v|` after ``time``: the speed falls by :math:`ct`."""
    v = np.asarray(velocity, float)
    c, t = np.asarray(coefficient, float), np.asarray(time, float)
    s = speed(v)
    return np.asarray(v * np.maximum(1.0 - _per_speed(c * t, s), 0.0) * (s > 0))


_FLOWS = {"dry": dry_flow, "viscous": viscous_flow, "turbulent": turbulent_flow}


def _law(law: str) -> int:
    if law not in DRAG_LAWS:
        raise ValueError(f"law must be one of {sorted(DRAG_LAWS)}; got {law!r}")
    return DRAG_LAWS[law]


def drag_force(law: str, velocity: ArrayLike, coefficient: ArrayLike) -> Array:
    r"""The drag :math:`D(v) = c|v|^{p-1}v` (0 at rest), the force being :math:`-D(v)`."""
    power = _law(law)
    v = np.asarray(velocity, float)
    c = check_range("coefficient", coefficient, 0.0)
    s = speed(v)
    if power == 0:
        return np.asarray(c * _per_speed(v, s))
    return np.asarray(c * s ** (power - 1) * v)


def drag_flow(law: str, velocity: ArrayLike, coefficient: ArrayLike, time: ArrayLike) -> Array:
    """The velocity after ``time`` under the drag alone (no slope), in closed form."""
    _law(law)
    c = check_range("coefficient", coefficient, 0.0)
    return _FLOWS[law](velocity, c, check_range("time", time, 0.0))


def free_motion(
    law: str, v0: ArrayLike, coefficient: ArrayLike, time: ArrayLike
) -> tuple[Array, Array]:
    r"""Speed and distance of a ball slowed by drag alone, from speed ``v0`` (closed forms).

    Viscous :math:`v_0e^{-ct}` and :math:`\frac{v_0}{c}(1-e^{-ct})`; turbulent
    :math:`\frac{v_0}{1+cv_0t}` and :math:`\frac{1}{c}\ln(1+cv_0t)`; dry
    :math:`\max(v_0-ct, 0)` and :math:`v_0t' - \tfrac12 ct'^2` with :math:`t' = \min(t, v_0/c)`.
    """
    power = _law(law)
    s0 = check_range("v0", v0, 0.0, low_open=True)
    c = check_range("coefficient", coefficient, 0.0, low_open=True)
    t = check_range("time", time, 0.0)
    if power == 1:
        return s0 * np.exp(-c * t), s0 / c * -np.expm1(-c * t)
    if power == 2:
        return s0 / (1.0 + c * s0 * t), np.log1p(c * s0 * t) / c
    moving = np.minimum(t, s0 / c)
    return np.maximum(s0 - c * t, 0.0), s0 * moving - 0.5 * c * moving**2


def stopping_distance(law: str, v0: ArrayLike, coefficient: ArrayLike) -> Array:
    r"""How far drag alone lets the ball roll: :math:`v_0/c`, :math:`\infty`, :math:`v_0^2/(2c)`."""
    power = _law(law)
    s0 = check_range("v0", v0, 0.0, low_open=True)
    c = check_range("coefficient", coefficient, 0.0, low_open=True)
    table = {1: s0 / c, 2: np.full(np.broadcast(s0, c).shape, np.inf), 0: s0**2 / (2.0 * c)}
    return np.asarray(table[power])


def terminal_velocity(law: str, force: ArrayLike, coefficient: ArrayLike) -> Array:
    r"""Speed at which drag balances a constant force :math:`F`: :math:`F/c`, :math:`\sqrt{F/c}`.

    Dry friction has none: a force above :math:`c` accelerates the ball without limit
    (``inf``), one below never moves it (0).
    """
    power = _law(law)
    f = check_range("force", force, 0.0)
    c = check_range("coefficient", coefficient, 0.0, low_open=True)
    if power == 0:
        return np.asarray(np.where(f > c, np.inf, 0.0))
    return np.asarray((f / c) ** (1.0 / power))


def dry_turning_points(x0: float, friction: float, lam: float) -> Array:
    r"""Where a ball with dry friction turns in the well :math:`\tfrac12\lambda x^2`, from ``x0``.

    Each swing turns at :math:`2c/\lambda - |x|` on the other side (the amplitude falls by
    :math:`2c/\lambda`); the ball stops for good at the first turning point with
    :math:`|x| \le c/\lambda`, where the spring force :math:`\lambda|x|` cannot beat static
    friction (F19). Returns every turning point, ``x0`` first and the resting point last.
    """
    c = float(check_range("friction", friction, 0.0, low_open=True))
    k = float(check_range("lam", lam, 0.0, low_open=True))
    points = [float(check_range("x0", x0))]
    while abs(points[-1]) > c / k:
        points.append(-np.sign(points[-1]) * (abs(points[-1]) - 2.0 * c / k))
    return np.array(points)


def turbulent_amplitude(
    a0: ArrayLike, coefficient: ArrayLike, omega: ArrayLike, time: ArrayLike
) -> Array:
    r"""Amplitude of a swing under turbulent drag, averaged over swings.

    :math:`A(t) = A_0/(1 + \tfrac{4c\omega}{3\pi}A_0t)`, the first-order average
    (:func:`gdbook.derivations.physics.turbulent_amplitude_decay`): accurate while the drag
    takes little energy per swing, :math:`cA \ll 1`.
    """
    a = check_range("a0", a0, 0.0)
    c = check_range("coefficient", coefficient, 0.0)
    w = check_range("omega", omega, 0.0)
    return np.asarray(a / (1.0 + 4.0 * c * w * a * check_range("time", time, 0.0) / (3.0 * np.pi)))


# --------------------------------------------------------------------------------------
# Integrators of the first-order system (x, v)
# --------------------------------------------------------------------------------------

Phase = tuple[Array, Array]
"""A state :math:`(x, v)` of the ball."""
Acceleration = Callable[[Array, Array], Array]
"""``a(x, v)``, the right-hand side of :math:`\\dot v = a(x, v)`."""
Scheme = Callable[[Acceleration, Array, Array, float], Phase]
"""One step ``(accel, x, v, h) -> (x_next, v_next)`` of an integrator."""


def explicit_euler(accel: Acceleration, x: Array, v: Array, h: float) -> Phase:
    r"""Explicit Euler: both updates use the old state :math:`(x_k, v_k)`.

    :math:`x_{k+1} = x_k + hv_k`, :math:`v_{k+1} = v_k + h\,a(x_k, v_k)`. Without
    friction it is unstable at every step size.
    """
    return x + h * v, v + h * accel(x, v)


def semi_implicit_euler(accel: Acceleration, x: Array, v: Array, h: float) -> Phase:
    r"""Semi-implicit Euler: the position moves with the *new* velocity.

    :math:`v_{k+1} = v_k + h\,a(x_k, v_k)`, :math:`x_{k+1} = x_k + hv_{k+1}`. With
    :math:`a = -\nabla f - cv` it is the heavy ball. Hairer et al. (2006) call it
    symplectic Euler.
    """
    v_next = v + h * accel(x, v)
    return x + h * v_next, v_next


def runge_kutta4(accel: Acceleration, x: Array, v: Array, h: float) -> Phase:
    r"""Classical fourth-order Runge–Kutta (Kutta 1901) for :math:`\dot x = v, \dot v = a`."""
    k1x, k1v = v, accel(x, v)
    k2x, k2v = v + h / 2 * k1v, accel(x + h / 2 * k1x, v + h / 2 * k1v)
    k3x, k3v = v + h / 2 * k2v, accel(x + h / 2 * k2x, v + h / 2 * k2v)
    k4x, k4v = v + h * k3v, accel(x + h * k3x, v + h * k3v)
    x_next = x + h / 6 * (k1x + 2 * k2x + 2 * k3x + k4x)
    return x_next, v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)


INTEGRATORS: dict[str, Scheme] = {
    "explicit Euler": explicit_euler,
    "semi-implicit Euler": semi_implicit_euler,
    "RK4": runge_kutta4,
}
"""The three schemes of the chapter, by the name the figures print."""


class Motion(NamedTuple):
    """A ball's path: times, positions and velocities, one row per step."""

    time: Array  # t_k = k h, shape (n + 1,)
    position: Array  # x_k, shape (n + 1, *x0.shape)
    velocity: Array  # v_k, same shape


def _start(x0: ArrayLike, v0: ArrayLike | None, h: float, num_steps: int) -> tuple[Array, Array]:
    check_range("h", h, 0.0, low_open=True)
    check_count("num_steps", num_steps, 0)
    x = check_finite_array("x0", x0, min_ndim=0)
    v = np.zeros_like(x) if v0 is None else check_finite_array("v0", v0, min_ndim=0)
    return np.broadcast_arrays(x, v)  # type: ignore[return-value]


def _times(h: float, num_steps: int) -> Array:
    """The times :math:`t_k = kh`, ``k = 0..num_steps``."""
    return np.asarray(h * np.arange(num_steps + 1), dtype=np.float64)


def integrate(
    scheme: Scheme,
    accel: Acceleration,
    x0: ArrayLike,
    v0: ArrayLike | None,
    h: float,
    num_steps: int,
) -> Motion:
    """Apply ``scheme`` ``num_steps`` times from ``(x0, v0)`` (``v0 = None``: at rest)."""
    x, v = _start(x0, v0, h, num_steps)
    xs, vs = [x], [v]
    for _ in range(num_steps):
        x, v = scheme(accel, x, v, h)
        xs.append(x)
        vs.append(v)
    return Motion(_times(h, num_steps), np.stack(xs), np.stack(vs))


def acceleration(grad_fn: GradFn, law: str, coefficient: ArrayLike) -> Acceleration:
    r""":math:`a(x, v) = -\nabla f(x) - D(v)` for a drag law of :data:`DRAG_LAWS`."""
    _law(law)
    c = check_range("coefficient", coefficient, 0.0)

    def accel(x: Array, v: Array) -> Array:
        return -np.asarray(grad_fn(x)) - drag_force(law, v, c)

    return accel


def roll(
    grad_fn: GradFn,
    law: str,
    coefficient: ArrayLike,
    x0: ArrayLike,
    v0: ArrayLike | None,
    h: float,
    num_steps: int,
) -> Motion:
    r"""The ball with drag, step by step: push, drag, move.

    :math:`w = v_k - h\nabla f(x_k)`, :math:`v_{k+1} = \Phi_h(w)` (the drag's exact
    decay over :math:`h`, :func:`drag_flow`), :math:`x_{k+1} = x_k + hv_{k+1}`:
    semi-implicit Euler with the drag integrated exactly. Dry friction then holds the
    ball where :math:`|\nabla f| \le c` (static friction). The drag optimizers of this
    module are this scheme with :math:`h = \sqrt\eta`, for the step :math:`p = hv`.
    """
    _law(law)
    c = check_range("coefficient", coefficient, 0.0)
    x, v = _start(x0, v0, h, num_steps)
    xs, vs = [x], [v]
    for _ in range(num_steps):
        v = _FLOWS[law](v - h * np.asarray(grad_fn(x)), c, h)
        x = x + h * v
        xs.append(x)
        vs.append(v)
    return Motion(_times(h, num_steps), np.stack(xs), np.stack(vs))


def kinetic_energy(velocity: ArrayLike) -> Array:
    r""":math:`\tfrac12|v|^2` over the last axis."""
    return np.asarray(0.5 * np.sum(np.asarray(velocity, float) ** 2, axis=-1))


def energies(problem: Problem, motion: Motion) -> tuple[Array, Array]:
    r"""Kinetic :math:`\tfrac12|v|^2` and potential :math:`f(x) - f^\star` energy of ``motion``."""
    return kinetic_energy(motion.velocity), np.asarray(
        problem.value(motion.position) - (problem.f_star or 0.0)
    )


# --------------------------------------------------------------------------------------
# Closed forms: the dictionary to momentum, stability, the oscillator, damping
# --------------------------------------------------------------------------------------


def momentum_parameters(
    h: ArrayLike, coefficient: ArrayLike, mass: ArrayLike = 1.0
) -> tuple[Array, Array]:
    r"""The heavy ball of a ball of mass m: :math:`\eta = h^2/m`, :math:`\beta = 1-hc/m`.

    ``beta`` must lie in :math:`[0, 1)`: the friction per step :math:`hc/m` in :math:`(0, 1]`.
    """
    step = check_range("h", h, 0.0, low_open=True)
    c = check_range("coefficient", coefficient, 0.0)
    m = check_range("mass", mass, 0.0, low_open=True)
    beta = check_range("beta = 1 - h c / mass", 1.0 - step * c / m, 0.0, 1.0, high_open=True)
    return np.asarray(step**2 / m), beta


def physical_parameters(learning_rate: ArrayLike, beta: ArrayLike) -> tuple[Array, Array]:
    r"""Momentum as a ball of unit mass: :math:`h = \sqrt\eta`, :math:`c = (1-\beta)/\sqrt\eta`."""
    eta = check_range("learning_rate", learning_rate, 0.0, low_open=True)
    b = check_range("beta", beta, 0.0, 1.0)
    return np.sqrt(eta), np.asarray((1.0 - b) / np.sqrt(eta))


def explicit_euler_growth(h: ArrayLike, omega: ArrayLike) -> Array:
    r"""Modulus :math:`\sqrt{1 + h^2\omega^2}` of explicit Euler's eigenvalues without friction."""
    return np.asarray(np.hypot(1.0, np.asarray(h, float) * np.asarray(omega, float)))


def semi_implicit_radius(h: ArrayLike, omega: ArrayLike) -> Array:
    r"""Spectral radius of frictionless semi-implicit Euler: 1 for :math:`h\omega \le 2`, then more.

    Its eigenvalues solve :math:`z^2 - (2 - h^2\omega^2)z + 1 = 0`; for :math:`h\omega > 2`
    they are real with product 1, the larger :math:`\tfrac12(|s| + \sqrt{s^2-4})`.
    """
    s = 2.0 - (np.asarray(h, float) * np.asarray(omega, float)) ** 2  # the trace
    real = 0.5 * (np.abs(s) + np.sqrt(np.maximum(s * s - 4.0, 0.0)))
    return np.asarray(np.where(s * s < 4.0, 1.0, real))  # complex roots: |z|^2 = det = 1


def modified_energy(x: ArrayLike, v: ArrayLike, h: float, omega: float) -> Array:
    r"""The energy that frictionless semi-implicit Euler conserves on :math:`\tfrac12\omega^2x^2`.

    :math:`\tilde E = \tfrac12 v^2 + \tfrac12\omega^2x^2 - \tfrac12 h\omega^2 xv`.
    """
    xs, vs = np.asarray(x, float), np.asarray(v, float)
    return np.asarray(0.5 * vs**2 + 0.5 * omega**2 * xs**2 - 0.5 * h * omega**2 * xs * vs)


DAMPING = ("over-damped", "critically damped", "under-damped")
"""Names of the codes of :func:`damping_regime`."""


def damping_regime(coefficient: ArrayLike, omega: ArrayLike) -> NDArray[np.int64]:
    r"""The continuous regime: 0 over-damped (:math:`c > 2\omega`), 1 critical, 2 under-damped."""
    c = check_range("coefficient", coefficient, 0.0)
    w = check_range("omega", omega, 0.0, low_open=True)
    return np.asarray(np.where(c > 2 * w, 0, np.where(c == 2 * w, 1, 2)), dtype=np.int64)


def oscillator(coefficient: float, omega: float, x0: float, time: ArrayLike) -> tuple[Array, Array]:
    r"""Exact :math:`x(t)`, :math:`v(t)` of :math:`\ddot x + c\dot x + \omega^2x = 0` from rest.

    Over-damped :math:`x_0e^{-ct/2}(\cosh\gamma t + \frac{c}{2\gamma}\sinh\gamma t)`,
    critical :math:`x_0(1+\omega t)e^{-\omega t}`, under-damped
    :math:`x_0e^{-ct/2}(\cos\omega_dt + \frac{c}{2\omega_d}\sin\omega_dt)`; in each case
    :math:`v = -\frac{\omega^2}{\gamma}x_0e^{-ct/2}\sinh\gamma t` with :math:`\gamma` real
    or imaginary (:math:`\omega_d = |\gamma|`), and :math:`-\omega^2x_0te^{-\omega t}` at
    critical damping.
    """
    c = float(check_range("coefficient", coefficient, 0.0))
    w = float(check_range("omega", omega, 0.0, low_open=True))
    t = check_range("time", time, 0.0)
    decay = np.exp(-c * t / 2)
    gap = c * c / 4 - w * w  # gamma^2
    if gap == 0:
        return x0 * (1 + w * t) * decay, -(w**2) * x0 * t * decay
    if gap > 0:
        gam = np.sqrt(gap)
        shape = np.cosh(gam * t) + c / (2 * gam) * np.sinh(gam * t)
        return x0 * decay * shape, -(w**2) / gam * x0 * decay * np.sinh(gam * t)
    wd = np.sqrt(-gap)
    shape = np.cos(wd * t) + c / (2 * wd) * np.sin(wd * t)
    return x0 * decay * shape, -(w**2) / wd * x0 * decay * np.sin(wd * t)


def critical_friction(h: ArrayLike, lam: ArrayLike) -> Array:
    r"""The friction that damps the heavy ball critically on an eigenvalue :math:`\lambda`.

    It is :math:`2\sqrt\lambda - h\lambda`: critical damping
    :math:`\beta = (1 - \sqrt{\eta\lambda})^2` of the momentum chapter at
    :math:`\eta = h^2`, :math:`\beta = 1 - hc`; as :math:`h \to 0` it is the continuous
    :math:`2\omega`.
    """
    step = check_range("h", h, 0.0, low_open=True)
    eig = check_range("lam", lam, 0.0)
    return np.asarray(2.0 * np.sqrt(eig) - step * eig)


def optimal_ball(mu: ArrayLike, L: ArrayLike) -> tuple[Array, Array]:
    r"""The optimal heavy ball as a ball: its step :math:`h^\star` and friction :math:`c^\star`.

    :math:`h^\star = 2/(\sqrt L + \sqrt\mu)` and
    :math:`c^\star = 2\sqrt{\mu L}/(\sqrt\mu + \sqrt L)`, the step and friction of
    :func:`gdbook.momentum.optimal_heavy_ball`; :math:`c^\star` is the critical friction
    (:func:`critical_friction`) at :math:`h^\star` of both :math:`\lambda = \mu` and
    :math:`\lambda = L`.
    """
    tuned = optimal_heavy_ball(mu, L)
    return physical_parameters(tuned.learning_rate, tuned.beta)


# --------------------------------------------------------------------------------------
# The chapter's experiments (cached per process: a cell, a figure and a test share a run)
# --------------------------------------------------------------------------------------

OSCILLATOR = {"coefficient": 0.5, "omega": 1.0, "x0": 1.0}
"""The damped oscillator of the order and energy experiments (under-damped, 1/4 of critical)."""
ORDER_TIME = 10.0
"""The time T at which the integrators' global error is measured."""
ORDER_STEPS = 100 * 2 ** np.arange(6)
"""Numbers of steps to reach T: h halves from 0.1 to 0.1/32."""


def global_errors(scheme: Scheme, num_steps: ArrayLike = ORDER_STEPS) -> tuple[Array, Array]:
    r"""Step sizes :math:`h = T/n` and the global errors :math:`|(x_n, v_n) - (x(T), v(T))|`.

    At :data:`ORDER_TIME`, on :data:`OSCILLATOR` from rest, against :func:`oscillator`'s
    closed form.
    """
    c, w, x0 = OSCILLATOR["coefficient"], OSCILLATOR["omega"], OSCILLATOR["x0"]
    exact = np.array(oscillator(c, w, x0, ORDER_TIME))
    accel = acceleration(lambda x: w**2 * x, "viscous", c)
    steps = np.asarray(num_steps, dtype=np.int64)
    errors = []
    for n in steps:
        motion = integrate(scheme, accel, np.array([x0]), None, ORDER_TIME / n, int(n))
        end = np.array([motion.position[-1, 0], motion.velocity[-1, 0]])
        errors.append(np.linalg.norm(end - exact))
    return ORDER_TIME / steps, np.array(errors)


@experiment
def convergence_orders() -> dict[str, tuple[Array, Array, float]]:
    """For each integrator: step sizes, global errors at T, and the log-log slope (the order)."""
    out = {}
    for name, scheme in INTEGRATORS.items():
        hs, errors = global_errors(scheme)
        out[name] = (hs, errors, loglog_slope(hs, errors))
    return out


ENERGY_STEP = 0.1
"""Time step of the energy experiment (h omega = 0.1)."""
ENERGY_STEPS = 600
"""Steps of the energy experiment: 60 time units, almost ten swings."""


@experiment
def energy_runs(coefficient: float = 0.0) -> dict[str, tuple[Array, Array, Array]]:
    r"""Time, kinetic and potential energy of each integrator on :math:`\tfrac12\omega^2x^2`.

    From rest at ``x0`` of :data:`OSCILLATOR`, with viscous ``coefficient`` (0: no friction).
    """
    w, x0 = OSCILLATOR["omega"], OSCILLATOR["x0"]
    accel = acceleration(lambda x: w**2 * x, "viscous", coefficient)
    well = quadratic([w**2])
    out = {}
    for name, scheme in INTEGRATORS.items():
        motion = integrate(scheme, accel, np.array([x0]), None, ENERGY_STEP, ENERGY_STEPS)
        out[name] = (motion.time, *energies(well, motion))
    return out


PHASE_LAMBDA = 1.0
"""Eigenvalue of the one-direction quadratic of the phase portraits."""
PHASE_SETTINGS = {
    "monotone": (0.04, 0.5),
    "ripples": (0.04, 0.9),
    "oscillating": (2.0, 0.1),
}
"""Heavy-ball (learning rate, beta) in each regime of the momentum chapter, at lambda = 1."""
PHASE_STEPS = 40
"""Updates drawn in each phase portrait."""


class Portrait(NamedTuple):
    """A heavy-ball run on one direction as a ball, and the ODE with the same h and c."""

    h: float  # sqrt(eta)
    coefficient: float  # (1 - beta)/sqrt(eta)
    discrete: Motion  # the iterates x_k and velocities v_k = (x_k - x_{k-1})/h
    continuous: Motion  # the exact solution at a fine time grid


@experiment
def phase_portraits() -> dict[str, Portrait]:
    """Each regime of :data:`PHASE_SETTINGS`: the heavy ball and its continuous counterpart."""
    out = {}
    omega = np.sqrt(PHASE_LAMBDA)
    for name, (eta, beta) in PHASE_SETTINGS.items():
        h, c = (float(p) for p in physical_parameters(eta, beta))
        traj = run(momentum(eta, beta), lambda x: PHASE_LAMBDA * x, [1.0], PHASE_STEPS)
        xs = traj.params[:, 0]
        vs = np.concatenate([[0.0], np.diff(xs) / h])  # v_k = (x_k - x_{k-1})/h = -h b_k
        discrete = Motion(_times(h, PHASE_STEPS), xs, vs)
        fine = np.linspace(0.0, h * PHASE_STEPS, 401)
        continuous = Motion(fine, *oscillator(c, float(omega), 1.0, fine))
        out[name] = Portrait(h, c, discrete, continuous)
    return out


VALLEY_MU = 1.0 / VALLEY.kappa
"""The valley's smallest eigenvalue (its largest is 1)."""


@experiment
def valley_eigen_motion(num_steps: int = 40) -> tuple[Array, Array]:
    r"""The optimal heavy ball in the valley, along the eigenvectors: :math:`y_k` and :math:`v_k`.

    :math:`v_k = (y_k - y_{k-1})/h^\star` with :math:`h^\star = \sqrt{\eta^\star}`; one
    column per eigenvalue (flat first).
    """
    tuned = optimal_heavy_ball(VALLEY_MU, 1.0)
    problem = VALLEY.problem()
    traj = run(momentum(tuned.learning_rate, tuned.beta), problem.grad, VALLEY.start, num_steps)
    y = problem.to_eigenbasis(traj.params)
    v = np.vstack([np.zeros((1, 2)), np.diff(y, axis=0)]) / np.sqrt(tuned.learning_rate)
    return y, v


DECAY_SPEED = 1.0
"""Initial speed of the free-decay experiment."""
DECAY_COEFFICIENTS = {"viscous": 1.0, "turbulent": 1.0, "dry": 0.25}
"""Drag coefficient of each law in the free-decay experiment (dry stops at t = 4, x = 2)."""
DECAY_TIME = 10.0
"""How long the balls roll in the free-decay experiment."""
DECAY_STEP = 0.01
"""Time step of the simulations that check the closed forms."""


@experiment
def free_decay() -> dict[str, tuple[Motion, Array, Array]]:
    r"""A ball slowed by drag alone, simulated and in closed form.

    Viscous and turbulent drag by RK4 on :math:`\dot x = v`, :math:`\dot v = -D(v)`; dry
    friction by :func:`roll` (RK4 would not let it stop). Returns, per law, the motion and
    the closed-form speed and distance at its times.
    """
    n = round(DECAY_TIME / DECAY_STEP)
    out = {}
    for law, c in DECAY_COEFFICIENTS.items():
        v0 = np.array([DECAY_SPEED])
        if law == "dry":
            motion = roll(np.zeros_like, law, c, np.zeros(1), v0, DECAY_STEP, n)
        else:
            accel = acceleration(np.zeros_like, law, c)
            motion = integrate(runge_kutta4, accel, np.zeros(1), v0, DECAY_STEP, n)
        out[law] = (motion, *free_motion(law, DECAY_SPEED, c, motion.time))
    return out


WELL = {"x0": 1.0, "lam": 1.0, "friction": 0.15}
"""The 1-D well of the dry-friction experiment: it turns at 1, -0.7, 0.4 and stops at -0.1."""
WELL_PROBLEM = quadratic([WELL["lam"]])
r"""The well :math:`\tfrac12\lambda x^2` as a problem (minimum at 0)."""
WELL_STEP = 1e-3
"""Time step of the dry-friction well simulation."""
WELL_TIME = 12.0
"""Duration of the dry-friction well simulation (the ball stops after 3 swings, t = 3 pi)."""


@experiment
def dry_well() -> tuple[Motion, Array]:
    """The ball with dry friction in the 1-D well, by :func:`roll`, and its turning points."""
    x0, lam, c = WELL["x0"], WELL["lam"], WELL["friction"]
    motion = roll(
        lambda x: lam * x, "dry", c, np.array([x0]), None, WELL_STEP, round(WELL_TIME / WELL_STEP)
    )
    return motion, dry_turning_points(x0, c, lam)


def turning_points(motion: Motion) -> Array:
    """Positions where the (1-D) velocity changes sign or the ball comes to rest, start included."""
    v = motion.velocity[:, 0]
    turns = [0]
    for k in range(1, v.size):
        if v[k] == 0.0 and v[k - 1] != 0.0:
            turns.append(k)  # comes to rest
        elif v[k] * v[k - 1] < 0.0:
            turns.append(k - 1)  # reverses between k-1 and k
    return motion.position[turns, 0]


SWINGS = {"coefficient": 0.05, "time": 200.0, "h": 0.01}
"""The turbulent ball of the amplitude experiment: the well of :data:`WELL`, weak drag."""


def swing_tops(motion: Motion) -> tuple[Array, Array]:
    """Times and sizes :math:`|x|` of the turning points of a 1-D motion (start excluded)."""
    v = motion.velocity[:, 0]
    turns = np.nonzero(v[1:] * v[:-1] < 0.0)[0] + 1  # v changes sign between k-1 and k
    return motion.time[turns], np.abs(motion.position[turns, 0])


@experiment
def turbulent_swings() -> tuple[Array, Array, Array]:
    """A ball with weak turbulent drag in the well: turning times, amplitudes, averaged law."""
    c, h = SWINGS["coefficient"], SWINGS["h"]
    n = round(SWINGS["time"] / h)
    motion = roll(WELL_PROBLEM.grad, "turbulent", c, np.array([WELL["x0"]]), None, h, n)
    times, tops = swing_tops(motion)
    omega = float(np.sqrt(WELL["lam"]))
    return times, tops, turbulent_amplitude(WELL["x0"], c, omega, times)


# The Deep Learning book's argument on the book's valley ---------------------------------

RACE_LEARNING_RATE = 1.0
"""Learning rate of every ball in the drag race (h = 1 in units of the steep direction)."""
RACE_STEPS = 400
"""Updates of the drag race."""
RACE_TOL = 1e-6
"""The race counts the steps until the error stays below this tolerance."""
RACE_GRIDS = {
    "viscous": np.linspace(0.0, 0.99, 100),
    "turbulent": np.geomspace(1e-3, 1e3, 121),
    "dry": np.geomspace(1e-6, 1.0, 121),
}
"""Coefficients tried for each law: beta, the turbulent drag, the dry friction."""
RACE_FACTORIES: dict[str, Callable[[Hyper, Hyper], Optimizer]] = {
    "viscous": viscous_momentum,
    "turbulent": turbulent_momentum,
    "dry": dry_friction_momentum,
}
"""The optimizer of each drag law."""


class RaceResult(NamedTuple):
    """One drag law in the race, at its best coefficient."""

    coefficient: float  # the best on the grid: fewest steps to RACE_TOL, else smallest final error
    errors: Array  # ||x_k - x*||, k = 0..RACE_STEPS
    steps: int  # first k from which the error stays below RACE_TOL; -1: never
    final: Array  # the last iterate
    velocity: Array  # the last step p
    at_rest: int  # first k from which x_k never moves again; -1: it still moves at the end


def race_sweep(law: str, coefficients: ArrayLike) -> tuple[Array, NDArray[np.int64], Array, Array]:
    """All coefficients of one law in one vectorised run: errors, steps to tolerance, end state."""
    grid = np.asarray(coefficients, dtype=np.float64)[:, None]
    opt = RACE_FACTORIES[law](RACE_LEARNING_RATE, grid)
    x0 = np.broadcast_to(VALLEY.start, (grid.shape[0], 2))
    traj = run(opt, VALLEY.problem().grad, x0, RACE_STEPS)
    errors = np.linalg.norm(traj.params, axis=-1)
    return errors, stays_below_from(errors, RACE_TOL), traj.params[-1], traj.field("velocity")[-1]


@experiment
def drag_race() -> dict[str, RaceResult]:
    """Each drag law on the valley at its best coefficient of :data:`RACE_GRIDS`."""
    out = {}
    for law, grid in RACE_GRIDS.items():
        errors, steps, final, velocity = race_sweep(law, grid)
        reached = steps >= 0
        big = np.iinfo(np.int64).max
        best = (
            int(np.argmin(np.where(reached, steps, big)))
            if reached.any()
            else int(np.argmin(errors[-1]))
        )
        e = errors[:, best]
        still = int(stays_below_from(np.abs(e - e[-1]), 0.0)) if not velocity[best].any() else -1
        out[law] = RaceResult(
            float(grid[best]), e, int(steps[best]), final[best], velocity[best], still
        )
    return out


def envelope(errors: ArrayLike, steps: ArrayLike, window: int = 50) -> Array:
    """The largest error over the ``window`` steps before each of ``steps`` (the swing's top)."""
    e = np.asarray(errors, dtype=np.float64)
    ks = np.asarray(steps, dtype=np.int64)
    if np.any(ks < window) or np.any(ks > e.size):
        raise ValueError(f"steps must lie in [{window}, {e.size}]")
    return np.array([e[k - window : k].max() for k in ks])


def decay_exponent(errors: ArrayLike, steps: ArrayLike) -> float:
    """Log-log slope of the error's :func:`envelope` at ``steps``: -1 for a decay like 1/k."""
    return loglog_slope(steps, envelope(errors, steps))


TAIL_STEPS = np.array([1000, 2000, 5000, 10000, 20000])
"""Where the turbulent ball's error envelope is read to measure its algebraic decay."""


@experiment
def turbulent_tail() -> tuple[Array, float, int]:
    """The turbulent race's winner over 20 000 steps: errors, decay exponent, steps to RACE_TOL."""
    best = drag_race()["turbulent"].coefficient
    traj = run(
        turbulent_momentum(RACE_LEARNING_RATE, best),
        VALLEY.problem().grad,
        VALLEY.start,
        int(TAIL_STEPS[-1]),
        record_states=False,
    )
    errors = np.linalg.norm(traj.params, axis=-1)
    return errors, decay_exponent(errors, TAIL_STEPS), int(first_step_below(errors, RACE_TOL))


# The three balls of the animation --------------------------------------------------------

BALLS = {"viscous": 0.5, "turbulent": 1.5, "dry": 0.15}
"""Drag coefficient of each ball in the animation's well (lambda = 1, from rest at x = 1)."""
BALLS_STEP = 0.02
"""Time step of the animation's simulation."""
BALLS_TIME = 20.0
"""Duration of the animation, in time units (more than three swings)."""


@experiment
def three_balls() -> dict[str, Motion]:
    """The three balls of the animation, rolled in the well of :data:`WELL` by :func:`roll`."""
    n = round(BALLS_TIME / BALLS_STEP)
    lam = WELL["lam"]
    return {
        law: roll(lambda x: lam * x, law, c, np.array([WELL["x0"]]), None, BALLS_STEP, n)
        for law, c in BALLS.items()
    }
