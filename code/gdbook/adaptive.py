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

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.base import (
    Optimizer,
    block,
    chain,
    ema_update,
    named,
    rename_hyperparams,
    run,
    safe_divide,
    scale_by_learning_rate,
)
from gdbook.checks import check_count, check_finite_array, check_range
from gdbook.examples import VALLEY
from gdbook.gradient_descent import gradient_descent
from gdbook.measure import experiment, first_step_above, first_step_below, stays_below_from
from gdbook.momentum import krylov_lower_bound, trace
from gdbook.problems import (
    Problem,
    Quadratic,
    convex_rosenbrock,
    logistic_regression,
    quadratic,
    sparse_logistic_data,
    vecmat,
)
from gdbook.types import Array, GradFn, Hyper, Number


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


# --------------------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------------------


def effective_learning_rate(
    learning_rate: ArrayLike, second_moment: ArrayLike, eps: ArrayLike, eps_in_sqrt: bool = False
) -> Array:
    r"""Per-coordinate rate of Adagrad and RMSProp: :math:`\eta/(\sqrt{s}+\epsilon)`.

    Or :math:`\eta/\sqrt{s+\epsilon}` with ``eps_in_sqrt``; the step is this rate times
    the gradient. Where the denominator is 0 the rate is infinite (the step is 0).
    """
    den = denominator(second_moment, eps, eps_in_sqrt)
    with np.errstate(divide="ignore"):
        return np.asarray(np.asarray(learning_rate) / den, dtype=np.float64)


def adadelta_effective_rate(
    learning_rate: ArrayLike, nu: ArrayLike, delta_nu_prev: ArrayLike, eps: ArrayLike
) -> Array:
    r"""Adadelta's per-coordinate rate :math:`\eta\sqrt{u_{t-1}+\epsilon}/\sqrt{v_t+\epsilon}`.

    The ratio of two RMS values, of the past updates and of the gradients.
    """
    e = np.asarray(eps)
    ratio = np.sqrt(np.asarray(delta_nu_prev) + e) / np.sqrt(np.asarray(nu) + e)
    return np.asarray(np.asarray(learning_rate) * ratio, dtype=np.float64)


def adagrad_displacement(learning_rate: ArrayLike, num_steps: int) -> Array:
    r"""Distance Adagrad travels under a constant gradient, :math:`\eta\sum_{k\le t} k^{-1/2}`.

    For ``t = 0..num_steps`` (``eps=0``, :math:`s_0 = 0`): step :math:`k` has length
    :math:`\eta/\sqrt k` whatever the gradient, and the sum grows like
    :math:`2\eta\sqrt t`.
    """
    check_count("num_steps", num_steps, 0)
    steps = 1.0 / np.sqrt(np.arange(1, num_steps + 1))
    total = np.concatenate([[0.0], np.cumsum(steps)])
    return np.asarray(np.asarray(learning_rate)[..., None] * total, dtype=np.float64)


def adagrad_steps_to_travel(distance: ArrayLike, learning_rate: ArrayLike) -> Array:
    r"""Leading-order number of Adagrad steps to travel ``distance`` on a uniform slope.

    :math:`2\eta\sqrt t = D` gives :math:`t = (D/2\eta)^2`: quadratic in the distance,
    where gradient descent and RMSProp need :math:`D/\eta`.
    """
    d = check_range("distance", distance, 0.0)
    lr = check_range("learning_rate", learning_rate, 0.0, low_open=True)
    return np.asarray((d / (2.0 * lr)) ** 2, dtype=np.float64)


def rmsprop_constant_gradient_steps(
    learning_rate: ArrayLike, decay: ArrayLike, num_steps: int
) -> Array:
    r"""RMSProp's step lengths :math:`\eta/\sqrt{1-\rho^t}` under a constant gradient.

    For ``t = 1..num_steps`` with :math:`\epsilon = 0` and :math:`v_0 = 0`:
    :math:`v_t = (1-\rho^t)g^2`, so the step is :math:`\eta\,\mathrm{sign}(g)` times a
    factor that falls from :math:`1/\sqrt{1-\rho}` to 1: sign descent with larger
    early steps.
    """
    check_count("num_steps", num_steps, 1)
    rho = check_range("decay", decay, 0.0, 1.0, high_open=True)
    t = np.arange(1, num_steps + 1)
    return np.asarray(np.asarray(learning_rate) / np.sqrt(1.0 - rho**t), dtype=np.float64)


def adadelta_first_step(grads: ArrayLike, rho: ArrayLike, eps: ArrayLike) -> Array:
    r"""Adadelta's first step from zero state, :math:`\sqrt\epsilon\,g/\sqrt{(1-\rho)g^2+\epsilon}`.

    For :math:`|g| \gg \sqrt\epsilon` it is :math:`\sqrt{\epsilon/(1-\rho)}` whatever
    the gradient: :math:`4.5\times10^{-3}` with Zeiler's :math:`\rho = 0.95`,
    :math:`\epsilon = 10^{-6}`. (The sign is that of :math:`g`; the update subtracts it.)
    """
    g = np.asarray(grads, dtype=np.float64)
    r = check_range("rho", rho, 0.0, 1.0, high_open=True)
    e = check_range("eps", eps, 0.0, low_open=True)
    return np.asarray(np.sqrt(e) * g / np.sqrt((1.0 - r) * g * g + e), dtype=np.float64)


def adadelta_warmup_steps(rho: ArrayLike, eps: ArrayLike, num_steps: int) -> Array:
    r"""Adadelta's steps under a constant gradient much larger than :math:`\sqrt\epsilon`.

    :math:`|\Delta_t| = \sqrt{\epsilon}\,\big(\tfrac{1}{1-\rho} + (1-\rho)\sum_{j=2}^{t}
    \tfrac{1}{1-\rho^j}\big)^{1/2}` for ``t = 1..num_steps``: it starts at
    :math:`\sqrt{\epsilon/(1-\rho)}`, grows like :math:`\sqrt{(1-\rho)\epsilon t}`, and is
    :math:`\sqrt\epsilon` times a function of :math:`\rho` and :math:`t` alone
    (``derivations.adaptive.adadelta_warmup_step`` derives it).
    """
    check_count("num_steps", num_steps, 1)
    r = check_range("rho", rho, 0.0, 1.0, low_open=True, high_open=True)
    e = check_range("eps", eps, 0.0, low_open=True)
    j = np.arange(2, num_steps + 1)
    tail = np.concatenate([[0.0], np.cumsum(1.0 / (1.0 - r**j))])  # sum_{j=2}^t, t = 1..n
    return np.asarray(np.sqrt(e * (1.0 / (1.0 - r) + (1.0 - r) * tail)), dtype=np.float64)


def rmsprop_cycle_amplitude(
    learning_rate: ArrayLike, lam: ArrayLike, eps: ArrayLike, eps_in_sqrt: bool = False
) -> Array:
    r"""Amplitude :math:`a` of RMSProp's 2-cycle :math:`\pm a` on :math:`\tfrac12\lambda x^2`.

    Once :math:`v = \lambda^2 a^2`, the step maps :math:`a \mapsto -a` when
    :math:`\eta\lambda/(\lambda a + \epsilon) = 2`: :math:`a = \eta/2 - \epsilon/\lambda`
    (:math:`\epsilon` outside the root) or :math:`a = \sqrt{(\eta\lambda/2)^2 -
    \epsilon}/\lambda` (inside). ``0`` where no cycle exists: then the method ends as
    gradient descent with the stable rate :math:`\eta/\epsilon` (or
    :math:`\eta/\sqrt\epsilon`) and converges.
    """
    half = np.asarray(learning_rate) * np.asarray(lam) / 2.0
    e, lam_ = np.asarray(eps), np.asarray(lam)
    if eps_in_sqrt:
        return np.asarray(np.sqrt(np.maximum(half**2 - e, 0.0)) / lam_, dtype=np.float64)
    return np.asarray(np.maximum(half - e, 0.0) / lam_, dtype=np.float64)


def jacobi_condition_number(matrix: ArrayLike) -> float:
    r"""Condition number of :math:`D^{-1/2} A D^{-1/2}`, :math:`D = \mathrm{diag}(A)`.

    The Jacobi (diagonal) preconditioning of a positive definite :math:`A`; for a
    2 x 2 matrix no other diagonal scaling does better. It is 1 for a diagonal
    :math:`A` and, for the valley turned by 45 degrees, :math:`\kappa` itself.
    """
    a = check_finite_array("matrix", matrix, min_ndim=2)
    scale = 1.0 / np.sqrt(np.diag(a))
    eigenvalues = np.linalg.eigvalsh(a * scale[:, None] * scale[None, :])
    return float(eigenvalues[-1] / eigenvalues[0])


def rotated_valley(angle: float, kappa: float | None = None) -> tuple[Quadratic, Array]:
    r"""The running valley turned to ``angle`` (radians), and its start turned with it.

    Eigenvalues :math:`1/\kappa` and 1 (``kappa`` defaults to the valley's), floor at
    ``angle`` from the :math:`x_1` axis; the start has the same coordinates along the
    valley's axes as :data:`~gdbook.examples.VALLEY`'s start, so gradient descent
    makes the same run at every angle and only a coordinate-wise method can tell.
    """
    kk = VALLEY.kappa if kappa is None else kappa
    problem = quadratic([1.0 / kk, 1.0], angle=angle)
    along_axes = VALLEY.problem().to_eigenbasis(VALLEY.start)
    return problem, vecmat(along_axes, problem.eigenvectors.T)


# --------------------------------------------------------------------------------------
# The chapter's experiments (cached per process: a cell, a figure and a test share a run)
# --------------------------------------------------------------------------------------

TOL = 1e-6
"""A run has arrived when its error is this fraction of the error at the start."""

_NEVER = np.iinfo(np.int64).max


def tuned_counts(
    factory: Callable[[Array], Optimizer],
    grad_fn: GradFn,
    error_fn: Callable[[Array], Array],
    x0: ArrayLike,
    rates: ArrayLike,
    num_steps: int,
) -> tuple[NDArray[np.int64], Array]:
    r"""Fewest steps to reach :data:`TOL` over a grid of learning rates, and the best rate.

    ``factory(rates)`` builds the optimizer for all rates at once (shape ``(R, 1)``);
    ``x0`` of shape ``(*batch, d)`` is run at every rate in one call of
    :func:`~gdbook.base.run`. ``error_fn`` maps iterates ``(..., d)`` to errors ``(...)``.
    Returns, for each point of the batch, the smallest step from which the error stays
    at or below ``TOL * error_0`` (:func:`~gdbook.measure.stays_below_from`; ``-1`` if no
    rate gets there for good) and the rate that does it.
    """
    grid = check_range("rates", rates, 0.0, low_open=True)
    start = np.asarray(x0, dtype=np.float64)
    batch = np.broadcast_to(start[..., None, :], (*start.shape[:-1], grid.size, start.shape[-1]))
    traj = run(factory(grid[:, None]), grad_fn, batch, num_steps, record_states=False)
    errors = error_fn(traj.params)
    counts = stays_below_from(errors, TOL * errors[0])
    counts = np.where(counts < 0, _NEVER, counts)
    best = np.argmin(counts, axis=-1)
    fewest = np.take_along_axis(counts, best[..., None], -1)[..., 0]
    return np.where(fewest == _NEVER, -1, fewest).astype(np.int64), grid[best]


# The sparse logistic regression ------------------------------------------------------

SPARSE_FREQUENCIES = (1.0, 0.3, 0.1, 0.05, 0.02)  # an intercept, then rarer and rarer features
SPARSE_SAMPLES = 400
SPARSE_L2 = 1e-3
SPARSE_RATES: Array = np.geomspace(0.1, 100.0, 31)
SPARSE_STEPS = 600


@experiment
def sparse_problem() -> Problem:
    """The chapter's sparse logistic regression (:func:`~gdbook.problems.sparse_logistic_data`)."""
    features, labels = sparse_logistic_data(SPARSE_SAMPLES, SPARSE_FREQUENCIES, seed=0)
    return logistic_regression(features, labels, l2=SPARSE_L2)


def sparse_features() -> Array:
    """The features of :func:`sparse_problem` (the same draw)."""
    return sparse_logistic_data(SPARSE_SAMPLES, SPARSE_FREQUENCIES, seed=0)[0]


@experiment
def sparse_comparison() -> dict[str, Any]:
    r"""Gradient descent against Adagrad on the sparse problem, each at its best rate.

    ``"counts"`` and ``"rates"``: steps to :data:`TOL` of the loss gap from :math:`w = 0`
    and the best rate of :data:`SPARSE_RATES`; ``"errors"``: :math:`|w_{t,j} - w^\star_j|`
    of both runs at those rates (steps on axis 0, features on axis 1);
    ``"adagrad_rates"``: Adagrad's per-feature rate :math:`\eta/\sqrt{s_{t,j}}` along its
    run; ``"frequencies"``: the share of samples in which each feature is present.
    """
    problem = sparse_problem()
    assert problem.x_star is not None and problem.f_star is not None
    x_star, f_star = problem.x_star, problem.f_star
    zero = np.zeros(problem.dim)
    factories: dict[str, Callable[[Array], Optimizer]] = {
        "gd": gradient_descent,
        "adagrad": lambda lr: adagrad(lr, eps=0.0),
    }
    out: dict[str, Any] = {"counts": {}, "rates": {}, "errors": {}}
    for name, factory in factories.items():
        count, rate = tuned_counts(
            factory, problem.grad, lambda w: problem.value(w) - f_star, zero, SPARSE_RATES,
            SPARSE_STEPS,
        )  # fmt: skip
        traj = run(factory(rate), problem.grad, zero, SPARSE_STEPS)
        out["counts"][name], out["rates"][name] = int(count), float(rate)
        out["errors"][name] = np.abs(traj.params - x_star)
        if name == "adagrad":
            sums = traj.field("sum_of_squares")[1:]
            out["adagrad_rates"] = effective_learning_rate(rate, sums, 0.0)
    out["frequencies"] = sparse_features().mean(axis=0)
    return out


# The rotated valley ------------------------------------------------------------------

ROTATION_ANGLES: Array = np.radians(np.arange(0.0, 91.0, 5.0))
ROTATION_RATES: Array = np.geomspace(0.01, 10.0, 61)
ROTATION_STEPS = 400
ROTATION_METHODS: dict[str, Callable[[Array], Optimizer]] = {
    "gd": gradient_descent,
    "adagrad": lambda lr: adagrad(lr),
}


def jacobi_counts(kappas: ArrayLike) -> NDArray[np.int64]:
    r"""Steps of tuned gradient descent to :data:`TOL` at condition number :math:`\kappa_J`.

    The error bound :math:`((\kappa_J-1)/(\kappa_J+1))^k`, solved for ``k``: what the best
    fixed diagonal scaling would give. One step where :math:`\kappa_J = 1`.
    """
    kk = check_range("kappas", kappas, 1.0)
    with np.errstate(divide="ignore"):
        steps = np.log(TOL) / np.log((kk - 1.0) / (kk + 1.0))
    return np.asarray(np.maximum(np.ceil(steps), 1.0), dtype=np.int64)


@experiment
def rotation_experiment(kappa: float | None = None) -> dict[str, NDArray[Any]]:
    r"""Tuned iterations of each of :data:`ROTATION_METHODS` as the valley turns.

    For every angle of :data:`ROTATION_ANGLES` (radians) the start turns with the valley
    (:func:`rotated_valley`); the counts are the fewest steps to :data:`TOL` over
    :data:`ROTATION_RATES`, one batched run per method. ``"jacobi"`` holds
    :math:`\kappa_J` of :func:`jacobi_condition_number` at each angle.
    """
    problems = [rotated_valley(angle, kappa) for angle in ROTATION_ANGLES]
    matrices = np.stack([p.matrix for p, _ in problems])[:, None]  # (angles, 1, 2, 2)
    starts = np.stack([x0 for _, x0 in problems])

    def grad(x: Array) -> Array:
        return np.asarray(np.einsum("...ij,...j->...i", matrices, x))

    def error(x: Array) -> Array:
        return np.asarray(np.linalg.norm(x, axis=-1))

    out: dict[str, NDArray[Any]] = {"angles": ROTATION_ANGLES}
    for name, factory in ROTATION_METHODS.items():
        out[name] = tuned_counts(factory, grad, error, starts, ROTATION_RATES, ROTATION_STEPS)[0]
    out["jacobi"] = np.array([jacobi_condition_number(p.matrix) for p, _ in problems])
    return out


# Adagrad's premature decay on a long slope -------------------------------------------

SLOPE_START = -50.0  # a single example far on the wrong side of the boundary
SLOPE_RATE = 0.5
SLOPE_L2 = 1e-4
SLOPE_STEPS = 3000


def slope_problem() -> Problem:
    r"""One positive example with feature 1: :math:`f(w) = \ln(1+e^{-w}) + \tfrac{\ell_2}{2}w^2`.

    Far on the wrong side (:math:`w \ll 0`) the slope is almost exactly :math:`-1`.
    """
    return logistic_regression(np.ones((1, 1)), np.ones(1), l2=SLOPE_L2)


@experiment
def premature_decay() -> dict[str, Any]:
    r"""Gradient descent, Adagrad and RMSProp down the long slope at one learning rate.

    ``"paths"``: :math:`w_t`; ``"crossings"``: the first step with :math:`w_t \ge 0`;
    ``"rates"``: the per-coordinate rates :math:`\eta/\sqrt{s_t}` (Adagrad) and
    :math:`\eta/\sqrt{v_t}` (RMSProp); ``"predicted"``: :math:`(D/2\eta)^2` for Adagrad.
    """
    problem = slope_problem()
    x0 = np.array([SLOPE_START])
    methods = {
        "gd": gradient_descent(SLOPE_RATE),
        "adagrad": adagrad(SLOPE_RATE, eps=0.0),
        "rmsprop": rmsprop(SLOPE_RATE, 0.9, eps=0.0),
    }
    out: dict[str, Any] = {"paths": {}, "crossings": {}, "rates": {}}
    for name, opt in methods.items():
        traj = run(opt, problem.grad, x0, SLOPE_STEPS)
        out["paths"][name] = traj.params[:, 0]
        out["crossings"][name] = int(first_step_above(traj.params[:, 0], 0.0))
        field = {"adagrad": "sum_of_squares", "rmsprop": "nu"}.get(name)
        if field is not None:
            second = traj.field(field)[1:, 0]
            out["rates"][name] = effective_learning_rate(SLOPE_RATE, second, 0.0)
    out["predicted"] = float(adagrad_steps_to_travel(-SLOPE_START, SLOPE_RATE))
    return out


# Where epsilon goes ------------------------------------------------------------------

CYCLE_RATE = 0.01  # torch's RMSprop default learning rate
CYCLE_LAMBDA = 1.0
CYCLE_EPS: Array = np.geomspace(1e-9, 1e-1, 33)
CYCLE_STEPS = 3000


@experiment
def cycle_amplitudes() -> dict[str, Array]:
    r"""RMSProp on :math:`\tfrac12\lambda x^2` from :math:`x_0 = 1`: where it ends, per epsilon.

    ``"outside"`` and ``"inside"``: the largest :math:`|x_t|` over the last 100 of
    :data:`CYCLE_STEPS` steps, for every :math:`\epsilon` of :data:`CYCLE_EPS`
    (:math:`\eta` = :data:`CYCLE_RATE`, :math:`\rho = 0.9`).
    """
    eps = CYCLE_EPS[:, None]
    x0 = np.ones((CYCLE_EPS.size, 1))
    out = {"eps": CYCLE_EPS}
    for name, inside in [("outside", False), ("inside", True)]:
        opt = rmsprop(CYCLE_RATE, 0.9, eps, eps_in_sqrt=inside)
        traj = run(opt, lambda x: CYCLE_LAMBDA * x, x0, CYCLE_STEPS, record_states=False)
        out[name] = np.abs(traj.params[-100:, :, 0]).max(axis=0)
    return out


def adagrad_placement_gap(eps: float, num_steps: int = 100) -> float:
    r"""Largest distance between Adagrad runs with :math:`\epsilon` outside and inside the root.

    On the running valley from its start, :math:`\eta = 1`: Adagrad's :math:`s_t` only
    grows, so :math:`\epsilon` matters at the first steps alone.
    """
    problem = VALLEY.problem()
    paths = [
        run(adagrad(1.0, eps, eps_in_sqrt=inside), problem.grad, VALLEY.start, num_steps).params
        for inside in (False, True)
    ]
    return float(np.abs(paths[0] - paths[1]).max())


def adagrad_initial_sum_gap(initial: float, eps: float = 1e-7, num_steps: int = 100) -> float:
    r"""Largest distance between Adagrad runs from :math:`s_0 = 0` and from ``initial``.

    In optax's and Keras' form (:math:`\epsilon` inside the root, their ``eps=1e-7``), on
    the running valley from its start, :math:`\eta = 1`: their default :math:`s_0 = 0.1`
    against torch's 0, to set beside :func:`adagrad_placement_gap`.
    """
    problem = VALLEY.problem()
    paths = [
        run(adagrad(1.0, eps, initial_accumulator_value=s0, eps_in_sqrt=True), problem.grad,
            VALLEY.start, num_steps).params
        for s0 in (0.0, initial)
    ]  # fmt: skip
    return float(np.abs(paths[0] - paths[1]).max())


# Adadelta's hidden learning rate -----------------------------------------------------

ADADELTA_RHO = 0.95  # Zeiler's
ADADELTA_EPS: Array = np.geomspace(1e-8, 1e-2, 7)
ADADELTA_STEPS = 2000
ADADELTA_VALLEY_STEPS = 3000
ADADELTA_VALLEY_TOL = 1e-3


@experiment
def adadelta_warmup() -> dict[str, Array]:
    r"""Adadelta under the constant gradient :math:`g = 1`, and on the valley, per :math:`\epsilon`.

    ``"steps"``: :math:`|\Delta_t|`, ``t = 1..ADADELTA_STEPS`` (axis 0) for every
    :math:`\epsilon` of :data:`ADADELTA_EPS` (axis 1); ``"closed"``: the same from
    :func:`adadelta_warmup_steps`; ``"valley"``: the first step at which the valley's
    error is below :data:`ADADELTA_VALLEY_TOL` of its start (``-1``: not within
    :data:`ADADELTA_VALLEY_STEPS`).
    """
    eps = ADADELTA_EPS[:, None]
    opt = adadelta(1.0, ADADELTA_RHO, eps)
    slope = run(opt, np.ones_like, np.zeros((ADADELTA_EPS.size, 1)), ADADELTA_STEPS)
    steps = np.abs(np.diff(slope.params[:, :, 0], axis=0))
    closed = np.stack(
        [adadelta_warmup_steps(ADADELTA_RHO, e, ADADELTA_STEPS) for e in ADADELTA_EPS]
    )
    problem = VALLEY.problem()
    starts = np.broadcast_to(VALLEY.start, (ADADELTA_EPS.size, 2))
    valley = run(opt, problem.grad, starts, ADADELTA_VALLEY_STEPS, record_states=False)
    errors = np.linalg.norm(valley.params, axis=-1)
    arrived = first_step_below(errors, ADADELTA_VALLEY_TOL * errors[0])
    return {"eps": ADADELTA_EPS, "steps": steps, "closed": closed.T, "valley": arrived}


# The lower bound: coordinate-wise methods on the convex Rosenbrock -------------------

ROSEN_N = 150
ROSEN_KAPPA = 100.0
ROSEN_STEPS = 100


def lower_bound_methods() -> dict[str, Optimizer]:
    """The coordinate-wise methods of the lower-bound experiment, at working rates."""
    return {
        "Adagrad": adagrad(1.0),
        "RMSProp": rmsprop(0.05, 0.9),
        "RMSProp with momentum": rmsprop(0.01, 0.9, momentum=0.9),
        "Adadelta": adadelta(),
    }


@experiment
def lower_bound_experiment() -> dict[str, Any]:
    r"""Each of :func:`lower_bound_methods` from 0 on the convex Rosenbrock, and the bound.

    ``"errors"``: :math:`\|w_k - w^\star\|`; ``"leak"``: the largest :math:`|w_{k,j}|`
    with :math:`j > k` over the run (0: nothing ever passes the front);
    ``"bound"``: :func:`~gdbook.momentum.krylov_lower_bound`.
    """
    problem = convex_rosenbrock(ROSEN_N, ROSEN_KAPPA)
    assert problem.x_star is not None
    ahead = np.arange(ROSEN_N)[None, :] >= np.arange(ROSEN_STEPS + 1)[:, None]  # j > k, 0-based
    out: dict[str, Any] = {"errors": {}, "leak": {}}
    for name, opt in lower_bound_methods().items():
        w = run(opt, problem.grad, np.zeros(ROSEN_N), ROSEN_STEPS, record_states=False).params
        out["errors"][name] = np.linalg.norm(w - problem.x_star, axis=1)
        out["leak"][name] = float(np.abs(np.where(ahead, w, 0.0)).max())
    out["bound"] = krylov_lower_bound(problem.x_star, ROSEN_STEPS)
    return out


# The explorer ------------------------------------------------------------------------

EXPLORER_METHODS = ("Adagrad", "RMSProp", "Adadelta")
EXPLORER_DEFAULTS: dict[str, Any] = {
    "method": "RMSProp",
    "learning_rate": 0.1,
    "rho": 0.9,
    "eps": 1e-8,
    "angle": 20.0,  # degrees: the running valley's tilt
}
EXPLORER_STEPS = 80


def explorer_run(
    method: str, learning_rate: float, rho: float, eps: float, angle: float
) -> dict[str, Array]:
    r"""One run on the valley turned to ``angle`` degrees, with its per-coordinate rates.

    ``"points"``: the iterates, NaN after a divergence; ``"rates"``: the effective rate
    of each coordinate at steps ``1..EXPLORER_STEPS`` (:math:`\eta/(\sqrt{s_t}+\epsilon)`,
    :math:`\eta/(\sqrt{v_t}+\epsilon)` or Adadelta's RMS ratio); ``"errors"``:
    :math:`\|x_t\|`. ``rho`` is RMSProp's and Adadelta's decay (Adagrad has none).
    """
    problem, start = rotated_valley(np.radians(angle))
    builders = {
        "Adagrad": lambda: adagrad(learning_rate, eps),
        "RMSProp": lambda: rmsprop(learning_rate, rho, eps),
        "Adadelta": lambda: adadelta(learning_rate, rho, eps),
    }
    if method not in builders:
        raise ValueError(f"method must be one of {EXPLORER_METHODS}; got {method!r}")
    traj = run(builders[method](), problem.grad, start, EXPLORER_STEPS, bound=1e3)
    if method == "Adagrad":
        rates = effective_learning_rate(learning_rate, traj.field("sum_of_squares")[1:], eps)
    elif method == "RMSProp":
        rates = effective_learning_rate(learning_rate, traj.field("nu")[1:], eps)
    else:
        u = traj.field("delta_nu")
        rates = adadelta_effective_rate(learning_rate, traj.field("nu")[1:], u[:-1], eps)
    points = np.full((EXPLORER_STEPS + 1, 2), np.nan)
    points[: traj.params.shape[0]] = traj.params
    full_rates = np.full((EXPLORER_STEPS, 2), np.nan)
    full_rates[: rates.shape[0]] = rates
    return {"points": points, "rates": full_rates, "errors": np.linalg.norm(points, axis=-1)}
