r"""Chapter *Momentum*: the velocity buffer and the heavy-ball method.

Symbols: :math:`\eta` ``learning_rate`` (Distill's :math:`\alpha`), :math:`\beta`
``beta`` (Distill's :math:`\beta`, Sutskever's :math:`\mu`, the seeds'
:math:`\gamma`, the Deep Learning book's :math:`\alpha`), :math:`b_t`
``velocity`` (the buffer; Distill's :math:`z`).

Three ways of writing momentum appear in the literature; all are compositions of
the same two parts, and the order of the parts *is* the convention:

* sum form (Polyak 1964; Distill; PyTorch): ``chain(trace(beta), scale(-lr))``,
  :math:`b_t = \beta b_{t-1} + g_t,\ x_t = x_{t-1} - \eta b_t`;
* learning rate inside the buffer (Sutskever et al. 2013; the Deep Learning book):
  ``chain(scale(-lr), trace(beta))``,
  :math:`v_t = \beta v_{t-1} - \eta g_t,\ x_t = x_{t-1} + v_t`;
* EMA form (Adam's first moment): ``chain(ema(beta), scale(-lr))``,
  :math:`m_t = \beta m_{t-1} + (1-\beta) g_t`.

The first two are the same iteration while the learning rate is constant; the
third equals the first with the learning rate multiplied by :math:`1-\beta`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.base import (
    Optimizer,
    Trajectory,
    block,
    chain,
    ema_update,
    named,
    run,
    scale_by_learning_rate,
)
from gdbook.checks import check_count, check_finite_array, check_range, hyperparameter
from gdbook.gradient_descent import (
    gradient_descent,
    iterations_to_tolerance,
    optimal_learning_rate,
)
from gdbook.measure import (
    empirical_rate,
    experiment,
    first_step_below,
)
from gdbook.types import Array, Hyper


class TraceState(NamedTuple):
    """State of :func:`trace` and :func:`ema`."""

    step: int  # t, updates so far
    velocity: Array  # b_t, the momentum buffer


@block
def trace(beta: Hyper) -> Optimizer:
    r"""Accumulate :math:`b_t = \beta b_{t-1} + u_t` from :math:`b_0 = 0` and emit :math:`b_t`.

    :math:`u_t` is the incoming update: the gradient, or an already scaled step.
    ``beta`` may be a schedule ``t -> beta_t``.

    References: Polyak (1964); Sutskever et al. (2013, eq. 1-2).
    """
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)

    def init(params: Array) -> TraceState:
        return TraceState(step=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        step = state.step + 1
        velocity = beta_t(step) * state.velocity + grads  # b_t
        return velocity, TraceState(step, velocity)

    return Optimizer(init, update, named(beta=beta_t))


@block
def ema(beta: Hyper) -> Optimizer:
    r"""Average :math:`m_t = \beta m_{t-1} + (1-\beta)\,u_t` from :math:`m_0 = 0`; emit :math:`m_t`.

    The moving average of Adam's first moment (:func:`~gdbook.base.ema_update`); it is
    :func:`trace` with its input scaled by :math:`1-\beta`.
    """
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)

    def init(params: Array) -> TraceState:
        return TraceState(step=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        step = state.step + 1
        velocity = ema_update(state.velocity, grads, beta_t(step))  # m_t
        return velocity, TraceState(step, velocity)

    return Optimizer(init, update, named(beta=beta_t))


def momentum(
    learning_rate: Hyper,
    beta: Hyper = 0.9,
) -> Optimizer:
    r"""Heavy ball: :math:`b_t = \beta b_{t-1} + \nabla f(x_{t-1}),\ x_t = x_{t-1} - \eta b_t`.

    This is Polyak's (1964) method in the sum form used by Distill (Goh 2017,
    :math:`z, w, \alpha, \beta`) and by ``torch.optim.SGD(momentum=beta)``.
    Under a learning-rate schedule it differs from :func:`sutskever_momentum`.
    """
    return chain(trace(beta), scale_by_learning_rate(learning_rate))


def sutskever_momentum(
    learning_rate: Hyper,
    beta: Hyper = 0.9,
) -> Optimizer:
    r"""Momentum with the rate inside: :math:`v_t = \beta v_{t-1} - \eta\,g_t,\ x_t = x_{t-1}+v_t`.

    Sutskever et al. (2013, eq. 1-2) and the Deep Learning book (Alg. 8.2) write
    momentum this way; the seeds' :math:`v = \gamma v + \eta g,\ \theta = \theta - v`
    is the same with the sign of :math:`v` flipped. The buffer stores steps, so a
    new learning rate affects only new gradients.
    """
    return chain(scale_by_learning_rate(learning_rate), trace(beta))


def ema_momentum(
    learning_rate: Hyper,
    beta: Hyper = 0.9,
) -> Optimizer:
    r"""EMA form: :math:`m_t = \beta m_{t-1} + (1-\beta) g_t,\ x_t = x_{t-1} - \eta m_t`.

    The form of Adam's first moment (Kingma & Ba 2015). It equals :func:`momentum`
    with learning rate :math:`\eta (1-\beta)`.
    """
    return chain(ema(beta), scale_by_learning_rate(learning_rate))


# --------------------------------------------------------------------------------------
# The velocity buffer: weights, timescales, terminal velocity
# --------------------------------------------------------------------------------------


class EmaTimescales(NamedTuple):
    r"""Three lengths of the memory :math:`b_t = \sum_k \beta^k g_{t-k}` (in steps)."""

    window: Array  # 1/(1-beta): total weight of the sum form, the "effective window"
    mean_age: Array  # beta/(1-beta): average age k under the normalised weights
    half_life: Array  # ln 2 / ln(1/beta): age at which a gradient's weight halves


def ema_timescales(beta: ArrayLike) -> EmaTimescales:
    r"""Window :math:`1/(1-\beta)`, mean age :math:`\beta/(1-\beta)` and half-life of the weights.

    The weight of a gradient ``k`` steps old is :math:`\beta^k`; the half-life is the
    ``k`` that solves :math:`\beta^k = 1/2`, :math:`\ln 2/\ln(1/\beta)`. For
    :math:`\beta = 0.9` the window is 10 steps, the half-life 6.58.

    >>> [round(float(h), 2) for h in ema_timescales([0.9, 0.99, 0.999]).half_life]
    [6.58, 68.97, 692.8]
    """
    b = check_range("beta", beta, 0.0, 1.0, low_open=True, high_open=True)
    return EmaTimescales(
        window=1.0 / (1.0 - b),
        mean_age=b / (1.0 - b),
        half_life=np.log(2.0) / np.log(1.0 / b),
    )


def velocity_weights(beta: ArrayLike, num_steps: int) -> Array:
    r"""Weights :math:`\beta^k` of the gradient ``k`` steps old in :math:`b_t`.

    ``k = 0..num_steps-1``; ``beta`` broadcasts: the result has shape
    ``(*beta.shape, num_steps)``.
    """
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    return np.asarray(b[..., None] ** np.arange(num_steps), dtype=np.float64)


def terminal_velocity(learning_rate: ArrayLike, beta: ArrayLike, grads: ArrayLike = 1.0) -> Array:
    r"""Step length under a constant gradient, :math:`\eta g/(1-\beta)`.

    It is the limit of :math:`\eta b_t`.

    References: Goodfellow et al. (2016, eq. 8.17), who write it :math:`\epsilon\|g\|/(1-\alpha)`.
    """
    lr = check_range("learning_rate", learning_rate, 0.0)
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    return np.asarray(lr * np.asarray(grads, dtype=np.float64) / (1.0 - b), dtype=np.float64)


def rescaled_learning_rate(learning_rate: ArrayLike, beta: ArrayLike, new_beta: ArrayLike) -> Array:
    r"""The learning rate for ``new_beta`` that keeps the effective step :math:`\eta/(1-\beta)`.

    :math:`\eta' = \eta\,(1-\beta')/(1-\beta)`: the same terminal velocity on a steady
    slope (:func:`terminal_velocity`) and, to first order in the effective step, the same
    noise floor. Raising :math:`\beta` from 0.9 to 0.99 divides :math:`\eta` by 10.
    """
    lr = check_range("learning_rate", learning_rate, 0.0)
    b = check_range("beta", beta, 0.0, 1.0, high_open=True)
    b_new = check_range("new_beta", new_beta, 0.0, 1.0, high_open=True)
    return np.asarray(lr * (1.0 - b_new) / (1.0 - b), dtype=np.float64)


def steps_to_fraction(beta: ArrayLike, fraction: ArrayLike) -> Array:
    r"""The :math:`k` solving :math:`1 - \beta^k = q`: :math:`k = \ln(1-q)/\ln\beta`.

    Starting from rest under a constant gradient the buffer is the fraction
    :math:`1-\beta^k` of its terminal value after ``k`` steps; the first whole step
    at which it is at least ``fraction`` is ``ceil`` of the result.

    >>> round(float(steps_to_fraction(0.9, 0.95)), 2)
    28.43
    """
    b = check_range("beta", beta, 0.0, 1.0, low_open=True, high_open=True)
    q = check_range("fraction", fraction, 0.0, 1.0, high_open=True)
    return np.asarray(np.log1p(-q) / np.log(b), dtype=np.float64)


def replay_gradients(opt: Optimizer, gradients: ArrayLike) -> Trajectory:
    r"""Feed a fixed sequence of gradients :math:`g_1, g_2, \dots` to ``opt``.

    They do not depend on :math:`x`. ``gradients`` has shape ``(num_steps, *x0.shape)``;
    the run starts at :math:`x_0 = 0`. Used to watch the buffer under a constant or an
    alternating gradient: ``replay_gradients(momentum(1.0, 0.9), np.ones((50, 1)))``.
    """
    seq = check_finite_array("gradients", gradients, min_ndim=2)
    calls = iter(seq)

    def grad_fn(x: Array) -> Array:
        return np.asarray(next(calls), dtype=np.float64)  # run calls it once per step, in order

    return run(opt, grad_fn, np.zeros(seq.shape[1:]), seq.shape[0])


# --------------------------------------------------------------------------------------
# Heavy ball on a quadratic: one eigen-direction at a time
# --------------------------------------------------------------------------------------

REGIMES = ("monotone", "ripples", "oscillating", "divergent")
"""Names of the codes returned by :func:`heavy_ball_regime` (code ``i`` is ``REGIMES[i]``)."""


class HeavyBallTuning(NamedTuple):
    """Optimal heavy-ball parameters for a spectrum in ``[mu, L]`` and the rate they give."""

    learning_rate: Array  # alpha* = 4 / (sqrt(L) + sqrt(mu))^2
    beta: Array  # beta* = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2
    rate: Array  # sqrt(beta*) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)


def _hb_arrays(learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> tuple[Array, ...]:
    lr = check_range("learning_rate", learning_rate, 0.0)
    b = check_range("beta", beta, 0.0, 1.0)
    eig = check_range("lam", lam, 0.0)
    return tuple(np.broadcast_arrays(lr, b, eig))


def heavy_ball_matrix(learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> Array:
    r"""Iteration matrix :math:`R` on :math:`(b_k, x_k)`.

    :math:`R = \begin{pmatrix}\beta & \lambda\\ -\alpha\beta & 1-\alpha\lambda\end{pmatrix}`.
    Along an eigenvector with eigenvalue :math:`\lambda` the sum form
    :math:`b_{k+1} = \beta b_k + \lambda x_k,\ x_{k+1} = x_k - \alpha b_{k+1}` is
    :math:`(b_{k+1}, x_{k+1}) = R\,(b_k, x_k)`. Arguments broadcast; the result has
    shape ``(*broadcast_shape, 2, 2)``.

    References: Goh (2017, "The dynamics of momentum"), with :math:`\alpha` our
    ``learning_rate``.
    """
    lr, b, eig = _hb_arrays(learning_rate, beta, lam)
    rows = [np.stack([b, eig], -1), np.stack([-lr * b, 1.0 - lr * eig], -1)]
    return np.stack(rows, -2)


def heavy_ball_eigenvalues(learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> Array:
    r"""Roots :math:`\sigma_{1,2} = \tfrac12\big(s \pm \sqrt{s^2 - 4\beta}\big)`.

    With :math:`s = 1+\beta-\alpha\lambda` they solve
    :math:`z^2 - (1+\beta-\alpha\lambda)z + \beta = 0`. Complex dtype, shape
    ``(*broadcast_shape, 2)``, the root with the ``+`` sign first.
    """
    lr, b, eig = _hb_arrays(learning_rate, beta, lam)
    s = 1.0 + b - lr * eig
    root = np.sqrt((s * s - 4.0 * b).astype(np.complex128))
    return np.stack([(s + root) / 2.0, (s - root) / 2.0], axis=-1)


def heavy_ball_rate(learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> Array:
    r"""Spectral radius :math:`\max|\sigma_i|` of :math:`R`.

    :math:`\sqrt\beta` if complex, else :math:`\tfrac12(|s| + \sqrt{s^2-4\beta})`. A
    closed form, vectorised over broadcast arguments (a 200 x 200 rate map is one
    call). The two roots have product :math:`\beta \ge 0`, so real roots share a sign
    and the larger modulus is :math:`(|s| + \sqrt{\Delta})/2`; complex roots are
    conjugate with :math:`|\sigma|^2 = \sigma\bar\sigma = \det R = \beta`.

    References: Polyak (1964); Goh (2017, "The dynamics of momentum").
    """
    lr, b, eig = _hb_arrays(learning_rate, beta, lam)
    s = 1.0 + b - lr * eig
    disc = s * s - 4.0 * b  # Delta
    real = 0.5 * (np.abs(s) + np.sqrt(np.maximum(disc, 0.0)))
    return np.asarray(np.where(disc < 0.0, np.sqrt(b), real), dtype=np.float64)


def heavy_ball_rate_on_spectrum(
    learning_rate: ArrayLike, beta: ArrayLike, mu: ArrayLike, L: ArrayLike
) -> Array:
    r"""Worst rate over every eigenvalue in :math:`[\mu, L]`: :math:`\max(\rho(\mu), \rho(L))`.

    The endpoints suffice: :math:`\rho(\lambda) = h(|1+\beta-\alpha\lambda|)` with
    :math:`h(u) = \sqrt\beta` for :math:`u \le 2\sqrt\beta` and
    :math:`h(u) = (u + \sqrt{u^2-4\beta})/2` above, a non-decreasing function of a
    convex function of :math:`\lambda`, hence largest at an end of the interval.
    Eigenvalues between the ends can only do better (they may sit in the
    :math:`\sqrt\beta` ripple region while the ends do not).
    """
    low = check_range("mu", mu, 0.0)
    high = check_range("L", L, 0.0)
    if np.any(low > high):
        raise ValueError("mu must be <= L")
    return np.maximum(
        heavy_ball_rate(learning_rate, beta, low), heavy_ball_rate(learning_rate, beta, high)
    )


def heavy_ball_regime(
    learning_rate: ArrayLike, beta: ArrayLike, lam: ArrayLike
) -> NDArray[np.int64]:
    r"""Classify each :math:`(\alpha, \beta, \lambda)`; code ``i`` names ``REGIMES[i]``.

    * ``monotone`` (0): real roots, the larger positive (over- or critically damped);
    * ``ripples`` (1): complex roots, :math:`(1+\beta-\alpha\lambda)^2 < 4\beta`: the
      error spirals with rate exactly :math:`\sqrt\beta`;
    * ``oscillating`` (2): real negative roots, the error flips sign every step;
    * ``divergent`` (3): spectral radius :math:`\ge 1`.

    The names follow Goh (2017)'s taxonomy of the :math:`(\alpha, \beta)` plane.
    """
    lr, b, eig = _hb_arrays(learning_rate, beta, lam)
    s = 1.0 + b - lr * eig
    disc = s * s - 4.0 * b
    codes = np.where(disc < 0.0, 1, np.where(s >= 0.0, 0, 2))
    return np.where(heavy_ball_rate(lr, b, eig) >= 1.0, 3, codes).astype(np.int64)


def critical_damping_beta(learning_rate: ArrayLike, lam: ArrayLike) -> Array:
    r"""Critical damping :math:`\beta = (1-\sqrt{\alpha\lambda})^2`.

    It gives a double root :math:`1-\sqrt{\alpha\lambda}`. The discriminant
    :math:`(1+\beta-\alpha\lambda)^2 - 4\beta` vanishes at
    :math:`\beta = (1\pm\sqrt{\alpha\lambda})^2`; only the minus sign gives
    :math:`\beta < 1` (for :math:`0 < \alpha\lambda < 4`). For
    :math:`\alpha\lambda \le 1` it separates the monotone (smaller :math:`\beta`) from
    the ripple regime and gives the rate :math:`1-\sqrt{\alpha\lambda}`.
    """
    lr = check_range("learning_rate", learning_rate, 0.0)
    eig = check_range("lam", lam, 0.0)
    return np.asarray((1.0 - np.sqrt(lr * eig)) ** 2, dtype=np.float64)


def optimal_heavy_ball(mu: ArrayLike, L: ArrayLike) -> HeavyBallTuning:
    r"""Optimal :math:`\alpha^\star`, :math:`\beta^\star` and rate :math:`\sqrt{\beta^\star}`.

    :math:`\alpha^\star = 4/(\sqrt L+\sqrt\mu)^2`,
    :math:`\beta^\star = \big(\tfrac{\sqrt\kappa-1}{\sqrt\kappa+1}\big)^2`. The pair
    puts both ends of the spectrum on the critical-damping curve:
    :math:`1+\beta-\alpha\mu = 2\sqrt\beta` and :math:`1+\beta-\alpha L = -2\sqrt\beta`,
    so every eigenvalue in :math:`[\mu, L]` converges at :math:`\sqrt{\beta^\star}`.

    References: Polyak (1964); Goh (2017, "Optimal parameters").
    """
    low = check_range("mu", mu, 0.0, low_open=True)
    high = check_range("L", L, 0.0, low_open=True)
    if np.any(low > high):
        raise ValueError("mu must be <= L")
    root_sum = np.sqrt(high) + np.sqrt(low)
    rate = (np.sqrt(high) - np.sqrt(low)) / root_sum
    return HeavyBallTuning(learning_rate=4.0 / root_sum**2, beta=rate**2, rate=rate)


def double_root_error(sigma: ArrayLike, num_steps: int) -> Array:
    r"""Error of a critically damped coordinate started at rest.

    :math:`\big(1 + (1-\sigma)k\big)\sigma^k`, ``k = 0..num_steps`` along the last axis,
    :math:`y_0 = 1` and :math:`b_0 = 0`; :math:`\sigma` is the double root of :math:`R`,
    :math:`1 - \sqrt{\eta\lambda}` (so :math:`1 - \sigma = \sqrt{\eta\lambda}`). At
    :func:`optimal_heavy_ball` the flat end has :math:`\sigma = \rho^\star` and the steep
    end :math:`\sigma = -\rho^\star`: the factor :math:`k` is why tuned momentum lags
    :math:`(\rho^\star)^k`. ``sigma`` broadcasts; shape ``(*sigma.shape, num_steps + 1)``.
    """
    check_count("num_steps", num_steps, 0)
    s = np.asarray(sigma, dtype=np.float64)[..., None]
    steps = np.arange(num_steps + 1, dtype=np.float64)
    return np.asarray((1.0 + (1.0 - s) * steps) * s**steps, dtype=np.float64)


def simulated_rate(
    learning_rate: ArrayLike,
    beta: ArrayLike,
    eigenvalues: ArrayLike,
    *,
    num_steps: int = 300,
) -> Array:
    r"""Rate measured by running :func:`momentum` on :math:`f = \tfrac12\sum_i \lambda_i x_i^2`.

    The run starts from :math:`x_0 = \mathbf 1`. ``learning_rate`` and ``beta``
    broadcast to a grid (for a rate map: shapes ``(1, n)`` and ``(m, 1)``); the whole
    grid is one vectorised call of :func:`~gdbook.base.run`. The error is
    :math:`\|x_k\|` and the rate is :func:`empirical_rate`; a point that diverged gets a
    rate :math:`> 1`.
    """
    lam = check_range("eigenvalues", eigenvalues, 0.0)
    lam = np.atleast_1d(lam)
    lr, b = np.broadcast_arrays(
        check_range("learning_rate", learning_rate, 0.0), check_range("beta", beta, 0.0, 1.0)
    )
    x0 = np.ones((*lr.shape, lam.size))
    opt = momentum(lr[..., None], b[..., None])
    traj = run(opt, lambda x: x * lam, x0, num_steps, record_states=False)
    errors = np.linalg.norm(traj.params, axis=-1)
    return empirical_rate(errors)


# --------------------------------------------------------------------------------------
# Momentum schedules
# --------------------------------------------------------------------------------------


def sutskever_beta(step: ArrayLike, beta_max: float = 0.999, period: int = 250) -> Array:
    r"""Sutskever's schedule :math:`\beta_t`.

    :math:`\beta_t = \min\big(1 - \tfrac{1}{2(\lfloor t/250\rfloor + 1)},\ \beta_{\max}\big)`.
    The paper writes :math:`1 - 2^{-1-\log_2(\lfloor t/250\rfloor+1)}`, the same number:
    :math:`2^{-1-\log_2 n} = 1/(2n)`. Values: 0.5 for :math:`t < 250`, 0.75 from 250,
    0.9 from 1000. Usable as ``trace(beta=lambda t: sutskever_beta(t))``.

    References: Sutskever et al. (2013, sec. 3.1), with
    :math:`\beta_{\max} \in \{0.999, 0.995, 0.99, 0.9, 0\}`.
    """
    t = np.asarray(step, dtype=np.float64)
    check_range("beta_max", beta_max, 0.0, 1.0, high_open=True)
    blocks = np.floor(t / period) + 1.0  # n = floor(t/250) + 1
    return np.asarray(np.minimum(1.0 - 1.0 / (2.0 * blocks), beta_max), dtype=np.float64)


# --------------------------------------------------------------------------------------
# The chapter's experiments (cached per process: a cell, a figure and a test share a run)
# --------------------------------------------------------------------------------------


def coast(learning_rate: ArrayLike, beta: ArrayLike, velocity: ArrayLike) -> Array:
    r"""The part :math:`-\eta\beta b_k` of the next step that the buffer alone carries.

    The next step of :func:`momentum` is :math:`-\eta(\beta b_k + g_{k+1})`: the coast
    plus a gradient step.
    """
    return np.asarray(-np.asarray(learning_rate) * np.asarray(beta) * np.asarray(velocity))


VALLEY_PATH_STEPS = 15
"""Steps of the valley runs that the opening figure draws as paths."""

KAPPAS = np.geomspace(10.0, 1000.0, 7)
"""Condition numbers of the chapter's kappa experiment."""


@experiment
def kappa_experiment() -> tuple[Array, NDArray[np.int64], NDArray[np.int64]]:
    """Iterations to 1e-6 on diag(1, kappa) from (1, 1), GD and heavy ball both tuned."""
    gd = iterations_to_tolerance(
        lambda mu, L: gradient_descent(optimal_learning_rate(mu, L)), KAPPAS
    )
    hb = iterations_to_tolerance(lambda mu, L: momentum(*optimal_heavy_ball(mu, L)[:2]), KAPPAS)
    return KAPPAS, gd, hb


def double_root_counts(kappas: ArrayLike, tol: float = 1e-6) -> NDArray[np.int64]:
    r"""Iterations tuned momentum needs on diag(1, kappa) from (1, 1), predicted without a run.

    Both ends are critically damped (double roots :math:`\pm\rho^\star`), so each
    coordinate is :func:`double_root_error` of its root; the count is the first ``k``
    at which their norm is at most ``tol * sqrt(2)``.
    """
    rates = np.atleast_1d(optimal_heavy_ball(1.0, np.asarray(kappas, dtype=np.float64)).rate)
    longest = int(np.ceil(4 * np.log(tol) / np.log(rates.max()))) + 100
    errors = np.hypot(double_root_error(rates, longest), double_root_error(-rates, longest))
    return first_step_below(np.moveaxis(errors, -1, 0), tol * np.sqrt(2.0))


REGIME_EXAMPLES: dict[str, tuple[float, float]] = {
    "monotone": (0.2, 0.1),
    "ripples": (0.5, 0.8),
    "oscillating": (2.1, 0.1),
    "divergent": (2.7, 0.3),
}
r"""One point :math:`(\eta, \beta)` of each regime of the map for :math:`\lambda = 1`."""


@experiment
def regime_examples(num_steps: int = 30) -> dict[str, Array]:
    r"""The error :math:`y_k` of :func:`momentum` on :math:`f = \tfrac12 y^2` from :math:`y_0 = 1`.

    One run per point of :data:`REGIME_EXAMPLES`, at rest (:math:`b_0 = 0`); ``k = 0..num_steps``.
    """
    return {
        name: run(momentum(eta, beta), lambda y: y, np.ones(1), num_steps, bound=1e300).params[:, 0]
        for name, (eta, beta) in REGIME_EXAMPLES.items()
    }


# --------------------------------------------------------------------------------------
# Names that moved to the sequel chapter's module
# --------------------------------------------------------------------------------------

_MOVED = frozenset(
    {
        "NOISE_BETA",
        "NOISE_BETAS",
        "NOISE_BURN_IN",
        "NOISE_CHAINS",
        "NOISE_FLOORS",
        "NOISE_LEARNING_RATE",
        "NOISE_STEPS",
        "EqualFloor",
        "LESSARD_CYCLE_START",
        "LESSARD_START",
        "convex_rosenbrock_ratio",
        "equal_floor_comparison",
        "equal_floor_steps",
        "heavy_ball_mean_square",
        "heavy_ball_noise_floor",
        "krylov_lower_bound",
        "learning_rate_for_floor",
        "lessard_run",
        "noise_methods",
        "noise_runs",
    }
)


def __getattr__(name: str) -> Any:
    """The noise, lower-bound and Lessard code now lives in :mod:`gdbook.momentum_limits`.

    The chapter *Momentum* split in two; chapters written against the old module (the
    Nesterov chapter) still find these names here, as the very same objects (the cached
    experiments are shared), until they import them from their new home.
    """
    if name in _MOVED:
        from gdbook import momentum_limits

        return getattr(momentum_limits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
