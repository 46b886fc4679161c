r"""Chapter *Nesterov's look-ahead*: the look-ahead gradient, its three forms, what it buys.

Symbols: :math:`\eta` ``learning_rate`` (Sutskever's :math:`\varepsilon`), :math:`\beta`
``beta`` (Sutskever's and the seeds' :math:`\mu`), :math:`\theta_t` the iterate of
Nesterov's method, :math:`\Theta_t` the look-ahead point (where the next gradient is
taken), :math:`b_t` ``velocity`` (the buffer of the one-buffer form, which sums
gradients). Update :math:`t = 1, 2, \dots` uses :math:`\beta_t`; the sources count from
:math:`t = 0`, so their :math:`\mu_t` is our :math:`\beta_{t+1}`.

Two sign conventions for the velocity: Sutskever et al. (2013) write
:math:`v_t = \beta_t v_{t-1} - \eta\nabla f(\theta_{t-1} + \beta_t v_{t-1})`,
:math:`\theta_t = \theta_{t-1} + v_t` (:func:`sutskever_nag`); the notes on their paper
that this chapter follows write :math:`v` with the opposite sign,
:math:`\theta_t = \theta_{t-1} - v_t` and :math:`\Theta_t = \theta_t - \beta_{t+1} v_t`.

A ``(grads, state, params)`` optimizer is given the gradient at ``params``, so it cannot
take the gradient at :math:`\theta - \beta v`; it can if it *stores* the look-ahead point.
That is the reparameterisation of Bengio et al. (2013), here :func:`bengio_nesterov`
(learning rate inside the velocity) and :func:`nesterov` (one buffer of gradients, as
``torch.optim.SGD(nesterov=True)``). Under a momentum schedule torch uses one
:math:`\beta_t` per step for both of its terms, where Nesterov's method needs
:math:`\beta_{t+1}` in the look-ahead term (:func:`nesterov_trace`'s ``next_beta``).

The module's experiments (last section) are the chapter's numbers, figures and tests.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gdbook import momentum as momentum_chapter
from gdbook.adam import nadam_momentum_schedule
from gdbook.base import Optimizer, Trajectory, block, chain, named, run, scale_by_learning_rate
from gdbook.checks import check_count, check_finite_array, check_range, hyperparameter
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.gradient_descent import gradient_descent, optimal_learning_rate, optimal_rate
from gdbook.measure import empirical_rate, experiment, first_step_below, loglog_slope
from gdbook.momentum import (
    TraceState,
    krylov_lower_bound,
    momentum,
    optimal_heavy_ball,
    sutskever_beta,
    trace,
)
from gdbook.problems import Quadratic, convex_rosenbrock, lessard_problem, noisy, quadratic
from gdbook.types import Array, GradFn, Hyper


@block
def nesterov_trace(beta: Hyper, *, next_beta: bool = False) -> Optimizer:
    r"""Look-ahead buffer :math:`b_t = \beta_t b_{t-1} + u_t`, step :math:`u_t+\beta' b_t`.

    The incoming update counted once more, plus the momentum the *next* step
    will apply: the look-ahead of Nesterov's method written at the stored point
    (Bengio et al. 2013). With ``next_beta=False`` (torch's
    ``SGD(nesterov=True)``, which reads one momentum per step)
    :math:`\beta' = \beta_t`; with ``next_beta=True`` :math:`\beta' = \beta_{t+1}`,
    which is Nesterov's method also when ``beta`` is a schedule. For a constant
    :math:`\beta` the two are the same.
    """
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)
    buffer = trace(beta)  # the heavy ball's buffer b_t, unchanged

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        velocity, new_state = buffer.update(grads, state, params)
        # the momentum of the look-ahead term
        ahead = beta_t(new_state.step + 1) if next_beta else beta_t(new_state.step)
        return grads + ahead * velocity, new_state

    return Optimizer(buffer.init, update, named(beta=beta_t))


def nesterov(learning_rate: Hyper, beta: Hyper = 0.9) -> Optimizer:
    r"""Nesterov momentum, one buffer of gradients.

    :math:`b_t = \beta_t b_{t-1} + g_t`,
    :math:`x_t = x_{t-1} - \eta(g_t + \beta_{t+1} b_t)`: ``nesterov_trace(beta,
    next_beta=True)`` then ``scale_by_learning_rate``, the one-buffer form of
    Bengio et al. (2013) and ``torch.optim.SGD(nesterov=True)``. The gradient is
    taken at the stored point, and the stored points are Nesterov's look-ahead
    points :math:`\Theta_t` (see :func:`sutskever_nag`) for a constant :math:`\eta`
    and any momentum schedule. torch multiplies the look-ahead term by
    :math:`\beta_t` instead of :math:`\beta_{t+1}` (``from_torch("SGD",
    nesterov=True)``): the same for a constant :math:`\beta`, a different method
    under a schedule.

    References: Nesterov (1983); Sutskever et al. (2013, eq. 3-4);
    Bengio, Boulanger-Lewandowski & Pascanu (2013).
    """
    look_ahead = nesterov_trace(beta, next_beta=True)
    return chain(look_ahead, scale_by_learning_rate(learning_rate))


def bengio_nesterov(learning_rate: Hyper, beta: Hyper = 0.9) -> Optimizer:
    r"""Nesterov momentum in the :math:`\Theta` form, the learning rate inside.

    :math:`v_t = \beta_t v_{t-1} - \eta g_t`,
    :math:`\Theta_t = \Theta_{t-1} - \eta g_t + \beta_{t+1} v_t`:
    ``scale_by_learning_rate`` then ``nesterov_trace(beta, next_beta=True)``. The
    velocity has Sutskever et al.'s sign (the seeds' :math:`v` is its negative).
    The stored point is the look-ahead point :math:`\Theta_t = \theta_t +
    \beta_{t+1} v_t` and :math:`g_t = \nabla f(\Theta_{t-1})`; it equals
    :func:`sutskever_nag`'s look-ahead points for *any* learning-rate and
    momentum schedules, where :func:`nesterov` (rate outside) needs a constant
    rate.

    References: Bengio, Boulanger-Lewandowski & Pascanu (2013).
    """
    look_ahead = nesterov_trace(beta, next_beta=True)
    return chain(scale_by_learning_rate(learning_rate), look_ahead)


class NagPath(NamedTuple):
    """What :func:`sutskever_nag` returns; both arrays have shape ``(num_steps + 1, *x0.shape)``."""

    params: Array  # theta_0 ... theta_n
    lookahead: Array  # phi_k = theta_k + beta_{k+1} v_k, where the next gradient is taken


def sutskever_nag(
    grad_fn: GradFn,
    x0: ArrayLike,
    learning_rate: Hyper,
    beta: Hyper,
    num_steps: int,
) -> NagPath:
    r"""Reference NAG: :math:`v_t = \beta_t v_{t-1} - \eta_t\nabla f(\theta_{t-1}+\beta_t v_{t-1})`.

    Then :math:`\theta_t = \theta_{t-1} + v_t`; :math:`v_0 = 0`; ``learning_rate`` and
    ``beta`` may be schedules ``t -> value`` (:math:`t = 1` for the first update). Returns
    the iterates :math:`\theta_k` and the look-ahead points
    :math:`\phi_k = \theta_k + \beta_{k+1} v_k` at which the gradients are evaluated. This
    loop exists to test the library, not to be used: it is the one method whose gradient
    is not taken at the stored point.

    References: Sutskever, Martens, Dahl & Hinton (2013, eq. 3-4).
    """
    rate = hyperparameter("learning_rate", learning_rate, 0.0)
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)
    check_count("num_steps", num_steps, 0)
    theta = check_finite_array("x0", x0)
    velocity = np.zeros_like(theta)
    thetas, lookaheads = [theta], []
    for step in range(1, num_steps + 2):
        lookahead = theta + beta_t(step) * velocity  # phi_{t-1}
        lookaheads.append(lookahead)
        if step == num_steps + 1:
            break
        velocity = beta_t(step) * velocity - rate(step) * np.asarray(grad_fn(lookahead))  # v_t
        theta = theta + velocity  # theta_t
        thetas.append(theta)
    return NagPath(np.stack(thetas), np.stack(lookaheads))


def look_ahead_split(traj: Trajectory, learning_rate: float, beta: Hyper) -> tuple[Array, Array]:
    r"""Iterates :math:`\theta_k` and look-ahead points :math:`\Theta_k` of a :func:`nesterov` run.

    The run stores :math:`\Theta_k`; with the buffer :math:`b_k`,
    :math:`\theta_k = \Theta_k + \eta\beta_{k+1} b_k` (a constant :math:`\eta`; ``beta``
    a number or a schedule): the arrow from :math:`\theta_k` to :math:`\Theta_k` is the
    look-ahead :math:`-\eta\beta_{k+1} b_k`, the part of the next step that momentum
    alone carries.
    """
    stored, velocity = traj.params, traj.field("velocity")
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)
    ahead = np.stack([np.asarray(beta_t(k + 1)) for k in range(stored.shape[0])])
    ahead = np.reshape(ahead, ahead.shape + (1,) * (stored.ndim - ahead.ndim))
    return stored + learning_rate * ahead * velocity, stored


# --------------------------------------------------------------------------------------
# Momentum schedules
# --------------------------------------------------------------------------------------


def nesterov_beta(step: ArrayLike) -> Array:
    r"""Nesterov's schedule for smooth convex problems, :math:`\beta_t = 1 - 3/(t+5)`.

    It tends to 1, as acceleration on convex (not strongly convex) problems
    requires. References: Nesterov (1983), in the form of Sutskever et al. (2013, eq. 5).
    """
    t = np.asarray(step, dtype=np.float64)
    return np.asarray(1.0 - 3.0 / (t + 5.0), dtype=np.float64)


@functools.cache
def _fista_table(size: int) -> Array:
    r""":math:`\tau_1, \dots, \tau_{size}` of :func:`fista_beta` (index 0 is :math:`\tau_1`)."""
    tau = np.ones(size)
    for k in range(1, size):
        tau[k] = (1.0 + np.sqrt(1.0 + 4.0 * tau[k - 1] ** 2)) / 2.0  # tau_{k+1}
    tau.flags.writeable = False
    return tau


def fista_beta(step: ArrayLike) -> Array:
    r"""FISTA's momentum :math:`\beta_t = (\tau_{t-1} - 1)/\tau_t`, and :math:`\beta_1 = 0`.

    :math:`\tau_1 = 1`, :math:`\tau_{k+1} = (1 + \sqrt{1 + 4\tau_k^2})/2`. In the book's
    indexing (update :math:`t` uses :math:`\beta_t`) it is the momentum of Beck &
    Teboulle's (2009) FISTA without the proximal step, for which
    :math:`f(\theta_k) - f^\star \le 2L\|\theta_0 - x^\star\|^2/(k+1)^2` at
    :math:`\eta = 1/L` (their Theorem 4.4). :math:`\beta_t \approx 1 - 3/t` for large
    :math:`t`, like :func:`nesterov_beta`.

    >>> np.round(fista_beta([1, 2, 3, 4]), 4)
    array([0.    , 0.    , 0.2818, 0.434 ])
    """
    t = np.asarray(step, dtype=np.int64)
    if np.any(t < 1):
        raise ValueError("step must be >= 1 (the first update is t = 1)")
    size = 1 << int(np.max(t) + 1).bit_length()  # a power of two: few tables are built
    tau = _fista_table(size)
    prev = tau[np.maximum(t - 2, 0)]  # tau_{t-1}
    return np.asarray(np.where(t >= 2, (prev - 1.0) / tau[t - 1], 0.0), dtype=np.float64)


def nadam_beta(step: ArrayLike, b1: float = 0.9, momentum_decay: float = 4e-3) -> Array:
    r"""NAdam's momentum schedule :math:`\beta_1(1 - \tfrac12\, 0.96^{\psi t})` (Dozat 2016; torch).

    :func:`gdbook.adam.nadam_momentum_schedule` with torch's defaults: it starts near
    :math:`\beta_1/2` and rises towards :math:`\beta_1` over thousands of steps.
    """
    return nadam_momentum_schedule(b1, np.asarray(step, dtype=np.float64), momentum_decay)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# On a quadratic: heavy ball with an effective momentum per eigendirection
# --------------------------------------------------------------------------------------


def _nag_arrays(learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> tuple[Array, ...]:
    lr = check_range("learning_rate", learning_rate, 0.0)
    b = check_range("beta", beta, 0.0, 1.0)
    eig = check_range("lam", lam, 0.0)
    return tuple(np.broadcast_arrays(lr, b, eig))


def effective_momentum(learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> Array:
    r"""Nesterov's momentum along an eigenvalue :math:`\lambda`, :math:`\beta(1-\eta\lambda)`.

    On a quadratic Nesterov's method is the heavy ball with step :math:`\eta\lambda` and
    this momentum, one eigendirection at a time: large for flat directions, small for
    steep ones, and negative where :math:`\eta\lambda > 1`.

    References: Sutskever et al. (2013, sec. 2.1).
    """
    lr, b, eig = _nag_arrays(learning_rate, beta, lam)
    return np.asarray(b * (1.0 - lr * eig), dtype=np.float64)


def nesterov_rate(learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> Array:
    r"""Spectral radius of Nesterov's method along :math:`\lambda`.

    The roots of :math:`z^2 - (1+\beta)(1-\eta\lambda)z + \beta(1-\eta\lambda)`: with
    :math:`s = (1+\beta)(1-\eta\lambda)`, :math:`p = \beta(1-\eta\lambda)` and
    :math:`\Delta = s^2 - 4p` the rate is :math:`\sqrt p` if :math:`\Delta < 0`, else
    :math:`(|s| + \sqrt\Delta)/2` (which holds for real roots of either sign).
    Vectorised over broadcast arguments.
    """
    lr, b, eig = _nag_arrays(learning_rate, beta, lam)
    s = (1.0 + b) * (1.0 - lr * eig)
    p = b * (1.0 - lr * eig)
    disc = s * s - 4.0 * p  # Delta
    real = 0.5 * (np.abs(s) + np.sqrt(np.maximum(disc, 0.0)))
    return np.asarray(np.where(disc < 0.0, np.sqrt(np.abs(p)), real), dtype=np.float64)


def nesterov_rate_on_spectrum(
    learning_rate: ArrayLike, beta: ArrayLike, mu: ArrayLike, L: ArrayLike
) -> Array:
    r"""Worst rate over every eigenvalue in :math:`[\mu, L]`: :math:`\max(\rho(\mu), \rho(L))`.

    As a function of :math:`\eta\lambda` the rate falls, then rises (complex roots of
    modulus :math:`\sqrt{\beta(1-\eta\lambda)}` in between), so the worst eigenvalue is
    an end of the interval; the tests check it against 2001 eigenvalues.
    """
    low = check_range("mu", mu, 0.0)
    high = check_range("L", L, 0.0)
    if np.any(low > high):
        raise ValueError("mu must be <= L")
    return np.maximum(
        nesterov_rate(learning_rate, beta, low), nesterov_rate(learning_rate, beta, high)
    )


def stability_limit(beta: ArrayLike) -> Array:
    r"""The largest stable :math:`\eta\lambda` of Nesterov's method, :math:`(2+2\beta)/(1+2\beta)`.

    2 at :math:`\beta = 0` (gradient descent), 4/3 as :math:`\beta \to 1`; the heavy
    ball's limit is :math:`2 + 2\beta`. A Jury-test result (the tests derive it).
    """
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    return np.asarray((2.0 + 2.0 * b) / (1.0 + 2.0 * b), dtype=np.float64)


class NesterovTuning(NamedTuple):
    """A learning rate and momentum for a spectrum in ``[mu, L]`` and the rate they give."""

    learning_rate: Array
    beta: Array
    rate: Array  # worst spectral radius over [mu, L]


def _spectrum(mu: ArrayLike, L: ArrayLike) -> tuple[Array, Array]:
    low = check_range("mu", mu, 0.0, low_open=True)
    high = check_range("L", L, 0.0, low_open=True)
    if np.any(low > high):
        raise ValueError("mu must be <= L")
    return low, high


def standard_tuning(mu: ArrayLike, L: ArrayLike) -> NesterovTuning:
    r"""The standard pair :math:`\eta = 1/L`, :math:`\beta = (\sqrt\kappa-1)/(\sqrt\kappa+1)`.

    Its rate on quadratics is :math:`1 - 1/\sqrt\kappa`.

    The flattest direction gets a double root :math:`1 - 1/\sqrt\kappa`; every steeper one
    spirals in faster. The same pair carries a guarantee for every :math:`L`-smooth,
    :math:`\mu`-strongly convex function (:func:`strongly_convex_bound`).

    References: Nesterov (2004, sec. 2.2); Bubeck (2015, Thm. 3.18).
    """
    low, high = _spectrum(mu, L)
    root = np.sqrt(high / low)  # sqrt(kappa)
    return NesterovTuning(1.0 / high, (root - 1.0) / (root + 1.0), 1.0 - 1.0 / root)


def lessard_tuning(mu: ArrayLike, L: ArrayLike) -> NesterovTuning:
    r"""Lessard et al.'s pair :math:`\eta = 4/(3L+\mu)`, :math:`\beta = (q-2)/(q+2)`.

    With :math:`q = \sqrt{3\kappa+1}` its rate on quadratics is :math:`1 - 2/q`.

    The best pair on quadratics: the flattest direction gets a double root
    :math:`1 - 2/q` and the steepest a real root :math:`-(1 - 2/q)`.

    References: Lessard, Recht & Packard (2016).
    """
    low, high = _spectrum(mu, L)
    q = np.sqrt(3.0 * high / low + 1.0)
    return NesterovTuning(4.0 / (3.0 * high + low), (q - 2.0) / (q + 2.0), 1.0 - 2.0 / q)


def convex_bound(L: float, distance_sq: float, num_steps: int) -> Array:
    r""":math:`2L\|x_0 - x^\star\|^2/(k+1)^2` for ``k = 0..num_steps``: FISTA's guarantee.

    It bounds :math:`f(\theta_k) - f^\star` of :func:`sutskever_nag` with
    :math:`\eta = 1/L` and :func:`fista_beta` on every convex :math:`L`-smooth function.

    References: Beck & Teboulle (2009, Thm. 4.4); Nesterov (1983).
    """
    check_count("num_steps", num_steps, 0)
    k = np.arange(num_steps + 1, dtype=np.float64)
    return np.asarray(2.0 * L * distance_sq / (k + 1.0) ** 2, dtype=np.float64)


def strongly_convex_bound(mu: float, L: float, distance_sq: float, num_steps: int) -> Array:
    r""":math:`\tfrac{\mu + L}{2}\|x_0 - x^\star\|^2 e^{-k/\sqrt\kappa}` for ``k = 0..num_steps``.

    It bounds :math:`f(\theta_k) - f^\star` of Nesterov's method at
    :func:`standard_tuning` on every :math:`L`-smooth, :math:`\mu`-strongly convex function.

    References: Bubeck (2015, Thm. 3.18), whose :math:`y_{k+1}` is our :math:`\theta_k`.
    """
    check_count("num_steps", num_steps, 0)
    k = np.arange(num_steps + 1, dtype=np.float64)
    return np.asarray(0.5 * (mu + L) * distance_sq * np.exp(-k * np.sqrt(mu / L)))


def nesterov_noise_floor(
    learning_rate: ArrayLike, beta: ArrayLike, eigenvalues: ArrayLike, sigma: float
) -> Array:
    r"""Stationary :math:`\mathbb E\|\Theta - x^\star\|^2` of :func:`nesterov` with gradient noise.

    Along :math:`\lambda` the pair :math:`s = (b, y)` follows :math:`s_t = R s_{t-1} +
    \sigma\xi_t c` with :math:`R = \begin{pmatrix}\beta & \lambda \\ -\eta\beta^2 &
    1-\eta(1+\beta)\lambda\end{pmatrix}` and :math:`c = (1, -\eta(1+\beta))`; the
    stationary covariance solves :math:`P = RPR^\top + \sigma^2 cc^\top` (a 4 x 4 linear
    system per eigenvalue). Needs :math:`\eta\lambda` below :func:`stability_limit`.
    """
    lr = check_range("learning_rate", learning_rate, 0.0, low_open=True)
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    lam = np.atleast_1d(check_range("eigenvalues", eigenvalues, 0.0, low_open=True))
    check_range("sigma", sigma, 0.0)
    lr, b = (np.asarray(a)[..., None] for a in np.broadcast_arrays(lr, b))  # axis -1: lambda
    if np.any(lr * lam >= stability_limit(b)):
        raise ValueError("learning_rate * eigenvalue must be below (2 + 2 beta)/(1 + 2 beta)")
    zero = np.zeros_like(lam)
    r = np.stack(
        [np.stack([b + zero, lam], -1), np.stack([-lr * b * b + zero, 1 - lr * (1 + b) * lam], -1)],
        -2,
    )
    c = np.stack([np.ones_like(lam), -lr * (1 + b) + zero], -1)
    kron = np.einsum("...ij,...kl->...ikjl", r, r).reshape((*lam.shape, 4, 4))
    rhs = sigma**2 * np.einsum("...i,...j->...ij", c, c).reshape((*lam.shape, 4))
    cov = np.linalg.solve(np.eye(4) - kron, rhs[..., None])[..., 0]
    return np.asarray(np.sum(cov[..., 3], axis=-1), dtype=np.float64)  # E[y^2], summed


# --------------------------------------------------------------------------------------
# The chapter's experiments (cached per process: a cell, a figure and a test share a run)
# --------------------------------------------------------------------------------------

ROUNDING = 1e-12
"""The distance within which the chapter calls two runs the same.

Runs that agree in exact arithmetic (the forms of Nesterov's method, the rates measured
and predicted where they coincide) differ here by some 1e-16 to 1e-13, rounding error
whose digits depend on the order of the floating-point operations; the tests assert this
bound and the text states it instead of the digits.
"""
MU, L = 1.0 / VALLEY.kappa, 1.0
"""The valley's spectrum (the running example of the momentum chapters)."""
STEP_PICTURE = {"learning_rate": 0.7, "beta": 0.8, "step": 1}
"""The run and the iterate whose next step the step figure takes apart."""


@experiment
def step_picture() -> dict[str, Array]:
    r"""One iterate of a Nesterov run on the valley and both candidate next steps.

    From the same :math:`\theta` and velocity :math:`v` (the seeds' sign): the heavy ball
    moves by :math:`-\beta v - \eta\nabla f(\theta)`, Nesterov's method by
    :math:`-\beta v - \eta\nabla f(\theta - \beta v)`. Returns the points ``theta``,
    ``lookahead`` (:math:`\theta - \beta v`), ``heavy_ball`` and ``nesterov`` (the next
    iterates) and the path so far, ``path``.
    """
    eta, beta, k = STEP_PICTURE["learning_rate"], STEP_PICTURE["beta"], int(STEP_PICTURE["step"])
    grad = VALLEY.problem().grad
    nag = sutskever_nag(grad, VALLEY.start, eta, beta, k)
    theta = nag.params[k]
    velocity = nag.params[k - 1] - theta  # the seeds' v_k = theta_{k-1} - theta_k
    lookahead = theta - beta * velocity
    return {
        "path": nag.params,
        "theta": theta,
        "lookahead": lookahead,
        "heavy_ball": theta - beta * velocity - eta * grad(theta),
        "nesterov": lookahead - eta * grad(lookahead),
    }


SCHEDULE_EIGENVALUES = (0.3, 2.0, 9.0)
"""The diagonal quadratic of the schedule-indexing experiment."""
SCHEDULE_RATE = 0.05
SCHEDULE_START = (1.0, 1.0, 1.0)
SCHEDULE_STEPS = 30


class ScheduleGap(NamedTuple):
    """Distances from Nesterov's look-ahead points under the schedule 1 - 3/(t+5)."""

    torch: Array  # ||p_k - Theta_k||, torch's indexing (one beta_t per step)
    exact: Array  # the same with beta_{t+1} in the look-ahead term (nesterov())
    bengio: Array  # the Theta form, bengio_nesterov()


@experiment
def schedule_gap(num_steps: int = SCHEDULE_STEPS) -> ScheduleGap:
    r"""The three one-buffer forms against :func:`sutskever_nag` with :math:`\beta_t = 1 - 3/(t+5)`.

    On :data:`SCHEDULE_EIGENVALUES` with :data:`SCHEDULE_RATE` from :data:`SCHEDULE_START`:
    the Euclidean distance at every step ``k = 0..num_steps``.
    """
    problem = quadratic(SCHEDULE_EIGENVALUES)
    x0 = np.asarray(SCHEDULE_START)
    nag = sutskever_nag(problem.grad, x0, SCHEDULE_RATE, nesterov_beta, num_steps).lookahead
    torch_form = chain(nesterov_trace(nesterov_beta), scale_by_learning_rate(SCHEDULE_RATE))
    forms = (torch_form, nesterov(SCHEDULE_RATE, nesterov_beta))
    runs = [run(opt, problem.grad, x0, num_steps).params for opt in forms]
    runs.append(
        run(bengio_nesterov(SCHEDULE_RATE, nesterov_beta), problem.grad, x0, num_steps).params
    )
    return ScheduleGap(*(np.linalg.norm(p - nag, axis=-1) for p in runs))


STABILITY_BETAS = (0.0, 0.5, 0.9, 0.99)
"""Momenta at which the stability boundary is checked by simulation."""
STABILITY_MARGIN = 0.01
"""Relative distance from the boundary of the two simulated steps, inside and outside."""


@experiment
def stability_runs(num_steps: int = 4000) -> tuple[Array, Array]:
    r"""Measured rates of Nesterov's method at :math:`\eta\lambda = (1 \mp m)` times the limit.

    :math:`\lambda = 1`, :math:`m` = :data:`STABILITY_MARGIN`, one row per
    :data:`STABILITY_BETAS`; returns (inside, outside), each of shape ``(len(betas),)``.
    A rate above 1 is growth. The runs are 1-D, all in one call.
    """
    betas = np.asarray(STABILITY_BETAS)
    limits = stability_limit(betas)
    rates = np.stack([limits * (1 - STABILITY_MARGIN), limits * (1 + STABILITY_MARGIN)], -1)
    x0 = np.ones((betas.size, 2, 1))
    traj = run(
        nesterov(rates[..., None], betas[:, None, None]), lambda x: x, x0, num_steps, bound=1e100
    )
    errors = np.abs(traj.params[..., 0])
    measured = empirical_rate(errors, floor=1e-300)
    return measured[:, 0], measured[:, 1]


RATE_KAPPA = 100.0
"""Condition number of the rate comparison: the quadratic with eigenvalues 1 and 100."""
RATE_STEPS = 800
"""Long enough for gradient descent to shrink the error a million-fold."""


def rate_methods(mu: float = 1.0, L: float = RATE_KAPPA) -> dict[str, tuple[Optimizer, float]]:
    """GD, the heavy ball and Nesterov (two tunings), each with its predicted rate."""
    hb = optimal_heavy_ball(mu, L)
    standard, tuned = standard_tuning(mu, L), lessard_tuning(mu, L)
    return {
        "gradient descent": (
            gradient_descent(float(optimal_learning_rate(mu, L))),
            float(optimal_rate(L / mu)),
        ),
        "heavy ball": (momentum(hb.learning_rate, hb.beta), float(hb.rate)),
        "Nesterov, 1/L": (nesterov(standard.learning_rate, standard.beta), float(standard.rate)),
        "Nesterov, tuned": (nesterov(tuned.learning_rate, tuned.beta), float(tuned.rate)),
    }


@experiment
def rate_comparison() -> dict[str, tuple[float, float, int, Array]]:
    r"""Each method of :func:`rate_methods` on diag(1, :data:`RATE_KAPPA`) from (1, 1).

    Returns name -> (predicted rate, measured rate, first step with
    :math:`\|x_k\| \le 10^{-6}\|x_0\|`, the errors :math:`\|x_k\|`).
    """
    problem = quadratic([1.0, RATE_KAPPA])
    out = {}
    for name, (opt, predicted) in rate_methods().items():
        errors = np.linalg.norm(run(opt, problem.grad, np.ones(2), RATE_STEPS).params, axis=-1)
        steps = int(first_step_below(errors, 1e-6 * errors[0]))
        out[name] = (predicted, float(empirical_rate(errors)), steps, errors)
    return out


ROSENBROCK_N, ROSENBROCK_KAPPA, ROSENBROCK_STEPS = 400, 100.0, 150
"""The momentum chapter's worst case: convex Rosenbrock, n = 400, kappa = 100."""


@experiment
def rosenbrock_comparison() -> dict[str, Array]:
    r"""Errors :math:`\|w_k - w^\star\|` of tuned heavy ball and Nesterov from 0, and the bound.

    Both are tuned to the spectrum bounds :math:`(4/(\kappa-1), 4\kappa/(\kappa-1))`;
    ``"bound"`` is :func:`gdbook.momentum.krylov_lower_bound`.
    """
    problem = convex_rosenbrock(ROSENBROCK_N, ROSENBROCK_KAPPA)
    kk = ROSENBROCK_KAPPA
    low, high = 4.0 / (kk - 1.0), 4.0 * kk / (kk - 1.0)
    hb, nag = optimal_heavy_ball(low, high), standard_tuning(low, high)
    opts = {
        "heavy ball": momentum(hb.learning_rate, hb.beta),
        "Nesterov": nesterov(nag.learning_rate, nag.beta),
    }
    assert problem.x_star is not None
    out = {
        name: np.linalg.norm(
            run(opt, problem.grad, np.zeros(ROSENBROCK_N), ROSENBROCK_STEPS).params
            - problem.x_star,
            axis=-1,
        )
        for name, opt in opts.items()
    }
    out["bound"] = krylov_lower_bound(problem.x_star, ROSENBROCK_STEPS)
    return out


CONVEX_DIM = 200
CONVEX_LAMBDA_MIN = 1e-8
"""Smallest eigenvalue of the convex problem: far below 1/k^2 over the whole run."""
CONVEX_STEPS = 3000
CONVEX_FIT = (30, 3000)
"""Steps over which the log-log slopes are fitted."""
CONVEX_CONSTANT_BETA = 0.9


def convex_problem() -> tuple[Quadratic, Array]:
    r"""A convex quadratic whose spectrum fills :math:`(0, 1]`, and its start.

    Eigenvalues geometrically spaced from :data:`CONVEX_LAMBDA_MIN` to 1 (:math:`L = 1`);
    along each, the start has :math:`\lambda_i y_i^2 = \Delta\lambda_i`, the width of the
    eigenvalue's cell. Then :math:`f(x_0) - f^\star \approx \tfrac12` and
    :math:`f - f^\star` under gradient descent with :math:`\eta = 1` is close to
    :math:`\tfrac12\int_0^1 (1-\lambda)^{2k}\,d\lambda = 1/(4k+2)`: the worst case of
    :math:`O(1/k)` spread over every scale of curvature, with no useful strong convexity
    over the run.
    """
    lam = np.geomspace(CONVEX_LAMBDA_MIN, 1.0, CONVEX_DIM)
    edges = np.sqrt(lam[1:] * lam[:-1])  # cell boundaries, geometric midpoints
    width = np.diff(np.concatenate([[lam[0] ** 2 / edges[0]], edges, [1.0]]))
    return quadratic(lam), np.sqrt(width / lam)


def convex_loss(problem: Quadratic, points: Array) -> Array:
    r"""The loss :math:`f - f^\star = \tfrac12\sum_i \lambda_i y_i^2` along the eigenvectors.

    The same number as ``problem.value``, computed with one matrix product instead of a
    quadratic form per point.
    """
    y = problem.to_eigenbasis(points)
    return np.asarray(0.5 * np.sum(problem.eigenvalues * y**2, axis=-1), dtype=np.float64)


def convex_methods() -> dict[str, tuple[Optimizer, Hyper | None]]:
    """The runs of the convex section at eta = 1/L = 1: name -> (optimizer, its look-ahead beta).

    The second entry is the momentum of a Nesterov run (whose stored points are look-ahead
    points, see :func:`look_ahead_split`), ``None`` for the others.
    """
    beta = CONVEX_CONSTANT_BETA
    return {
        "gradient descent": (gradient_descent(1.0), None),
        f"Nesterov, beta = {beta:g}": (nesterov(1.0, beta), beta),
        "heavy ball, 1 - 3/(t+5)": (momentum(1.0, nesterov_beta), None),
        "Nesterov, 1 - 3/(t+5)": (nesterov(1.0, nesterov_beta), nesterov_beta),
        "Nesterov, FISTA": (nesterov(1.0, fista_beta), fista_beta),
    }


@experiment
def convex_runs() -> dict[str, Array]:
    r""":math:`f(\theta_k) - f^\star` of every :func:`convex_methods` run, ``k = 0..CONVEX_STEPS``.

    For Nesterov's method the loss is taken at the iterates :math:`\theta_k`, as in the
    guarantee, not at the stored look-ahead points. ``"bound"`` is :func:`convex_bound`.
    """
    problem, x0 = convex_problem()
    out = {}
    for name, (opt, beta) in convex_methods().items():
        traj = run(opt, problem.grad, x0, CONVEX_STEPS)
        points = traj.params if beta is None else look_ahead_split(traj, 1.0, beta)[0]
        out[name] = convex_loss(problem, points)
    out["bound"] = convex_bound(1.0, float(np.sum(x0**2)), CONVEX_STEPS)
    return out


def convex_slopes() -> dict[str, float]:
    """Fitted log-log slope of f - f* over :data:`CONVEX_FIT`, per method."""
    k = np.arange(CONVEX_FIT[0], CONVEX_FIT[1] + 1)
    runs = convex_runs()
    return {name: loglog_slope(k, runs[name][k]) for name in convex_methods()}


LESSARD_STARTS = np.linspace(-5.0, 5.0, 201)
"""Starting points of the multi-start run on Lessard's function."""
LESSARD_STEPS = 500


@experiment
def lessard_runs() -> dict[str, Array]:
    r"""Tuned heavy ball and Nesterov on Lessard's function (:math:`\mu = 1, L = 25`).

    ``"<method>"``: the path from the momentum chapter's start 3.3; ``"<method> ends"``:
    :math:`|x|` after :data:`LESSARD_STEPS` steps from each of :data:`LESSARD_STARTS`. The
    heavy ball has Polyak's quadratic-optimal pair, Nesterov's method Lessard et al.'s
    (:func:`lessard_tuning`) and the standard pair (:func:`standard_tuning`).
    """
    problem = lessard_problem()
    hb = optimal_heavy_ball(1.0, 25.0)
    opts = {
        "heavy ball": momentum(hb.learning_rate, hb.beta),
        "Nesterov, tuned": nesterov(*lessard_tuning(1.0, 25.0)[:2]),
        "Nesterov, 1/L": nesterov(*standard_tuning(1.0, 25.0)[:2]),
    }
    out = {}
    for name, opt in opts.items():
        out[name] = run(opt, problem.grad, [3.3], 120).params[:, 0]
        ends = run(opt, problem.grad, LESSARD_STARTS[:, None], LESSARD_STEPS, record_states=False)
        out[f"{name} ends"] = np.abs(ends.params[-1, :, 0])
    return out


NOISE_DECAY_STEPS = 1500
NOISE_DECAY_CHAINS = momentum_chapter.NOISE_CHAINS // 2
NOISE_DECAY_C = 20.0
NOISE_DECAY_T0 = 20.0
r"""Effective learning rate :math:`c/(t + t_0)` of the decaying runs (:math:`c\mu = 2`)."""
NOISE_DECAY_BETA = 0.75
NOISE_FIT = (300, NOISE_DECAY_STEPS)
"""Steps over which the slopes of the decaying runs are fitted."""


def noise_methods() -> dict[str, tuple[float, float]]:
    """The constant-rate runs, the momentum chapter's: name -> (learning rate, beta).

    Gradient descent at the effective rate eta/(1 - beta), the heavy ball and Nesterov at
    eta and beta (the first two are :func:`gdbook.momentum.noise_runs`' runs).
    """
    eta, beta = momentum_chapter.NOISE_LEARNING_RATE, momentum_chapter.NOISE_BETA
    return {
        "gradient descent": (eta / (1.0 - beta), 0.0),
        "heavy ball": (eta, beta),
        "Nesterov": (eta, beta),
    }


def decay_methods() -> dict[str, Optimizer]:
    r"""Decaying runs with the same effective rate :math:`c/(t+t_0)`: GD, heavy ball, Nesterov."""

    def rate(t: int) -> float:
        return NOISE_DECAY_C / (t + NOISE_DECAY_T0)

    def scaled(t: int) -> float:
        return (1.0 - NOISE_DECAY_BETA) * rate(t)  # effective rate eta/(1 - beta) = rate(t)

    return {
        "gradient descent": gradient_descent(rate),
        "heavy ball": momentum(scaled, NOISE_DECAY_BETA),
        "Nesterov": nesterov(scaled, NOISE_DECAY_BETA),
    }


def _noisy_sq_errors(opt: Optimizer, sigma: float, chains: int, steps: int, seed: int) -> Array:
    """Squared errors ||x_k||^2 of ``chains`` runs on the noisy valley, (steps + 1, chains)."""
    problem = noisy(VALLEY.problem(), sigma, np.random.default_rng(seed))
    x0 = np.broadcast_to(VALLEY.start, (chains, 2))
    traj = run(opt, problem.grad, x0, steps, record_states=False)
    return np.asarray(np.sum(traj.params**2, axis=-1))


@experiment
def noise_runs(seed: int = 0) -> dict[str, dict[str, Array]]:
    r"""The noise section's squared errors on the valley, with and without noise.

    ``"constant"``: :func:`noise_methods`, :data:`~gdbook.momentum.NOISE_CHAINS` runs of
    :data:`~gdbook.momentum.NOISE_STEPS` steps each, shape ``(steps + 1, chains)``; gradient
    descent and the heavy ball are the momentum chapter's runs
    (:func:`gdbook.momentum.noise_runs`), Nesterov's method draws from
    ``default_rng(seed + 3)``. ``"decay"``: :func:`decay_methods`,
    :data:`NOISE_DECAY_CHAINS` runs of :data:`NOISE_DECAY_STEPS` (method ``i`` from
    ``default_rng(seed + 10 + i)``). ``"<group>, no noise"``: one noiseless run each.
    """
    shared = momentum_chapter.noise_runs(seed=seed)
    names = list(momentum_chapter.noise_methods())  # GD at eta, momentum, GD at eta/(1 - beta)
    eta, beta = momentum_chapter.NOISE_LEARNING_RATE, momentum_chapter.NOISE_BETA
    steps, chains = momentum_chapter.NOISE_STEPS, momentum_chapter.NOISE_CHAINS
    constant = {
        "gradient descent": shared[names[2]],
        "heavy ball": shared[names[1]],
        "Nesterov": _noisy_sq_errors(nesterov(eta, beta), NOISE_SIGMA, chains, steps, seed + 3),
    }
    plain = {
        "gradient descent": gradient_descent(eta / (1.0 - beta)),
        "heavy ball": momentum(eta, beta),
        "Nesterov": nesterov(eta, beta),
    }
    decay = decay_methods()
    return {
        "constant": constant,
        "constant, no noise": {
            name: _noisy_sq_errors(opt, 0.0, 1, steps, seed)[:, 0] for name, opt in plain.items()
        },
        "decay": {
            name: _noisy_sq_errors(
                opt, NOISE_SIGMA, NOISE_DECAY_CHAINS, NOISE_DECAY_STEPS, seed + 10 + i
            )
            for i, (name, opt) in enumerate(decay.items())
        },
        "decay, no noise": {
            name: _noisy_sq_errors(opt, 0.0, 1, NOISE_DECAY_STEPS, seed)[:, 0]
            for name, opt in decay.items()
        },
    }


def noise_decay_slopes() -> dict[str, float]:
    r"""Log-log slopes of the decaying runs' mean squared error against :math:`t + t_0`.

    Fitted over :data:`NOISE_FIT`; the effective rate is :math:`c/(t + t_0)`, and the noise
    term of the error falls like :math:`1/(t + t_0)`, a slope of -1.
    """
    k = np.arange(NOISE_FIT[0], NOISE_FIT[1] + 1)
    runs = noise_runs()["decay"]
    return {name: loglog_slope(k + NOISE_DECAY_T0, sq[k].mean(axis=1)) for name, sq in runs.items()}


SCHEDULE_HORIZON = 20_000


def schedule_curves(num_steps: int = SCHEDULE_HORIZON) -> dict[str, Array]:
    r""":math:`\beta_t` for ``t = 1..num_steps + 1`` of the three classic schedules.

    Sutskever et al.'s (capped at 0.999), Nesterov's :math:`1 - 3/(t+5)` and NAdam's
    (torch's defaults). The last entry is there so that :math:`\beta_{t+1} - \beta_t`,
    the error of torch's indexing, exists for every ``t <= num_steps``.
    """
    steps = np.arange(1, num_steps + 2)
    return {
        "Sutskever et al.": sutskever_beta(steps, 0.999),
        "Nesterov, 1 - 3/(t+5)": nesterov_beta(steps),
        "NAdam": nadam_beta(steps),
    }


EXPLORER_DEFAULTS = {"learning_rate": 1.0, "beta": 0.8}
EXPLORER_STEPS = 60


def explorer_runs(learning_rate: float, beta: float) -> dict[str, Array]:
    r"""Heavy ball and Nesterov on the valley, padded with NaN after a divergence.

    ``"heavy ball"`` and ``"Nesterov"``: iterates :math:`\theta_k`, shape
    ``(EXPLORER_STEPS + 1, 2)``; ``"lookahead"``: Nesterov's :math:`\Theta_k`, so that the
    arrow :math:`\theta_k \to \Theta_k` is the look-ahead. ``"<method> error"``:
    :math:`\|\theta_k\|`.
    """
    grad = VALLEY.problem().grad
    out = {}
    pad = np.full((EXPLORER_STEPS + 1, 2), np.nan)
    hb = run(momentum(learning_rate, beta), grad, VALLEY.start, EXPLORER_STEPS, bound=1e3)
    nag = run(nesterov(learning_rate, beta), grad, VALLEY.start, EXPLORER_STEPS, bound=1e3)
    theta, ahead = look_ahead_split(nag, learning_rate, beta)
    for name, points in [("heavy ball", hb.params), ("Nesterov", theta), ("lookahead", ahead)]:
        out[name] = pad.copy()
        out[name][: points.shape[0]] = points
    for name in ("heavy ball", "Nesterov"):
        out[f"{name} error"] = np.linalg.norm(out[name], axis=-1)
    return out


def simulated_nesterov_rate(
    learning_rate: ArrayLike, beta: ArrayLike, eigenvalues: ArrayLike, *, num_steps: int = 300
) -> Array:
    r"""Rate measured by running :func:`nesterov` on :math:`f = \tfrac12\sum_i \lambda_i x_i^2`.

    The runs start at :math:`\mathbf 1`.

    ``learning_rate`` and ``beta`` broadcast to a grid; the whole grid is one call of
    :func:`~gdbook.base.run`; the rate is :func:`~gdbook.measure.empirical_rate` of
    :math:`\|x_k\|` (above 1 for a run that diverged).
    """
    lam = np.atleast_1d(check_range("eigenvalues", eigenvalues, 0.0))
    lr, b = np.broadcast_arrays(
        check_range("learning_rate", learning_rate, 0.0),
        check_range("beta", beta, 0.0, 1.0, high_open=True),
    )
    x0 = np.ones((*lr.shape, lam.size))
    traj = run(
        nesterov(lr[..., None], b[..., None]), lambda x: x * lam, x0, num_steps, record_states=False
    )
    return empirical_rate(np.linalg.norm(traj.params, axis=-1))
