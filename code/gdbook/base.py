r"""The optimizer contract shared by every chapter: ``Optimizer``, ``chain``, ``run``.

An optimizer is a pair of pure functions (the optax design, on NumPy arrays):

* ``init(params) -> state``
* ``update(grads, state, params) -> (step, new_state)``; the caller sets
  ``params + step``.

Named optimizers are short compositions with :func:`chain`: momentum is
``chain(trace(beta), scale_by_learning_rate(lr))`` and Adam is
``chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(lr))``. The moving
averages of every chapter share :func:`ema_update` and :func:`debias`.

Everything broadcasts. ``params`` has shape ``(*batch, d)``: a batch of starting
points, or one starting point broadcast against arrays of hyperparameters (a
learning rate of shape ``(200, 200, 1)`` sweeps a 200 x 200 grid in one call).
Each factory records its validated hyperparameters by name in
``Optimizer.hyperparams``; :func:`run` checks that every one broadcasts to the
shape of ``x0`` before it iterates, and names the one that does not (the checks
and their messages are in :mod:`gdbook.checks`).

Symbols: :math:`x_t` ``params``, :math:`g_t` ``grads``, :math:`\eta`
``learning_rate``, :math:`t` ``step`` (the update counter; the first update has
``step == 1``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, ParamSpec

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.checks import (
    check_count,
    check_finite_array,
    check_hyperparams,
    check_range,
    checked_gradient,
    checked_update,
    hyperparameter,
)
from gdbook.types import Array, GradFn, Hyper, Hyperparams, Number, State

P = ParamSpec("P")


class Optimizer(NamedTuple):
    """A pair of pure functions ``init`` and ``update``, and what it is made of.

    ``update(grads, state, params)`` returns ``(step, new_state)`` and never mutates
    its arguments; new params are ``params + step``. ``hyperparams`` lists the
    validated hyperparameters as ``(name, value)`` pairs (:func:`run` checks each
    against the shape of ``x0``); ``blocks`` names the building blocks, in order.
    :func:`chain` concatenates both.
    """

    init: Callable[[Array], State]
    update: Callable[[Array, State, Array], tuple[Array, State]]
    hyperparams: Hyperparams = ()
    blocks: tuple[str, ...] = ()


def block(factory: Callable[P, Optimizer]) -> Callable[P, Optimizer]:
    """Mark ``factory`` as a building block: what it returns names it in ``blocks``."""

    @functools.wraps(factory)
    def build(*args: P.args, **kwargs: P.kwargs) -> Optimizer:
        return factory(*args, **kwargs)._replace(blocks=(factory.__name__,))

    build.is_block = True  # type: ignore[attr-defined]
    return build


def named(**values: Any) -> Hyperparams:
    """``Optimizer.hyperparams`` from keywords: ``named(b1=b1, b2=b2)``."""
    return tuple(values.items())


def rename_hyperparams(opt: Optimizer, names: dict[str, str]) -> Optimizer:
    """``opt`` with its recorded hyperparameters renamed by ``names`` (old -> new).

    For a wrapper whose keywords differ from the blocks' (``from_torch``'s ``lr``
    is the blocks' ``learning_rate``), so that errors name what the caller typed.
    """
    return opt._replace(hyperparams=tuple((names.get(k, k), v) for k, v in opt.hyperparams))


class EmptyState(NamedTuple):
    """State of a stateless transformation."""


class StepState(NamedTuple):
    """State of a transformation that only counts updates."""

    step: int  # t, updates so far


# --------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------


def _stateless(fn: Callable[[Array, Array], Array], hyperparams: Hyperparams) -> Optimizer:
    """An optimizer without state whose update is ``fn(grads, params)``."""

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        return fn(grads, params), state

    return Optimizer(init, update, hyperparams)


@block
def identity() -> Optimizer:
    """Pass the gradient through unchanged: :math:`u = g`."""
    return _stateless(lambda grads, params: grads, ())


@block
def scale(factor: Hyper) -> Optimizer:
    r"""Multiply the incoming update by ``factor``: :math:`u = c\,g`.

    ``factor`` may be an array (one value per grid cell of a sweep) or a schedule
    ``t -> c_t``.
    """
    if not callable(factor):
        constant = check_range("factor", factor)
        return _stateless(lambda grads, params: constant * grads, named(factor=constant))
    schedule = hyperparameter("factor", factor)

    def init(params: Array) -> StepState:
        return StepState(step=0)

    def update(grads: Array, state: StepState, params: Array) -> tuple[Array, StepState]:
        step = state.step + 1
        return schedule(step) * grads, StepState(step)

    return Optimizer(init, update, named(factor=schedule))


@block
def scale_by_learning_rate(learning_rate: Hyper) -> Optimizer:
    r"""Multiply by :math:`-\eta`: the last link of every named optimizer.

    ``learning_rate`` must be >= 0 (an array for a sweep, or a schedule ``t -> eta_t``).
    """
    rate = hyperparameter("learning_rate", learning_rate, 0.0)
    opt = scale(lambda step: -rate(step)) if callable(learning_rate) else scale(-rate(0))
    return opt._replace(hyperparams=named(learning_rate=rate))


@block
def add_decayed_weights(weight_decay: Number = 0.0) -> Optimizer:
    r"""Add :math:`\lambda x` to the incoming update: :math:`u = g + \lambda x`.

    Placed before the preconditioner it is L2 regularisation through the gradient
    (torch's ``weight_decay``); placed after it and before ``scale(-lr)`` it is
    decoupled weight decay (Loshchilov & Hutter 2019; torch's AdamW).
    """
    decay = check_range("weight_decay", weight_decay, 0.0)

    def decayed(grads: Array, params: Array) -> Array:
        return grads + decay * params if np.any(decay) else grads

    return _stateless(decayed, named(weight_decay=decay))


def chain(*parts: Optimizer) -> Optimizer:
    """Apply ``parts`` left to right; the state is the tuple of their states.

    >>> opt = chain(scale(2.0), scale(-0.5))
    >>> step, _ = opt.update(np.array([3.0]), opt.init(np.zeros(1)), np.zeros(1))
    >>> step
    array([-3.])
    """

    def init(params: Array) -> tuple[State, ...]:
        return tuple(part.init(params) for part in parts)

    def update(
        grads: Array, state: tuple[State, ...], params: Array
    ) -> tuple[Array, tuple[State, ...]]:
        new_state = []
        for part, part_state in zip(parts, state, strict=True):
            grads, part_state = part.update(grads, part_state, params)
            new_state.append(part_state)
        return grads, tuple(new_state)

    hyperparams = tuple(pair for part in parts for pair in part.hyperparams)
    return Optimizer(init, update, hyperparams, tuple(b for part in parts for b in part.blocks))


@block
def stack(opts: Sequence[Optimizer]) -> Optimizer:
    """Run ``opts[i]`` on row ``i`` of params of shape ``(len(opts), d)``: one loop for all.

    Methods whose hyperparameters are not arrays of one shape (gradient descent beside
    Adam, or each method tuned to its own problem) then share one call of :func:`run`.
    """

    def init(params: Array) -> tuple[State, ...]:
        return tuple(opt.init(row) for opt, row in zip(opts, params, strict=True))

    def update(
        grads: Array, state: tuple[State, ...], params: Array
    ) -> tuple[Array, tuple[State, ...]]:
        steps, states = [], []
        for opt, g, s, p in zip(opts, grads, state, params, strict=True):
            step, s = opt.update(g, s, p)
            steps.append(step)
            states.append(s)
        return np.stack(steps), tuple(states)

    return Optimizer(init, update)


# --------------------------------------------------------------------------------------
# Moving averages: the memory of momentum, RMSProp and Adam
# --------------------------------------------------------------------------------------


def ema_update(average: Array, new: Array, decay: Array | float) -> Array:
    r"""Exponential moving average :math:`m_t = \beta m_{t-1} + (1-\beta)\,u_t`.

    From :math:`m_0 = 0` the weights of :math:`u_1, \dots, u_t` sum to
    :math:`1 - \beta^t`, which :func:`debias` divides out.
    """
    return np.asarray(decay * average + (1.0 - decay) * new)


def debias(average: Array, decay: Array | float, step: int) -> Array:
    r"""Bias correction :math:`\hat m_t = m_t / (1 - \beta^t)` of an average started at 0."""
    return np.asarray(average / (1.0 - decay**step))


def safe_divide(num: ArrayLike, den: ArrayLike) -> Array:
    r"""``num / den`` elementwise, and ``0`` where ``den == 0``.

    Used where a paper has no :math:`\epsilon`: a denominator is zero only when
    every gradient of that coordinate was zero, and then the numerator is zero too.
    """
    num_b, den_b = np.broadcast_arrays(np.asarray(num), np.asarray(den))
    out = np.zeros(num_b.shape)
    np.divide(num_b, den_b, out=out, where=den_b > 0)
    return out


# --------------------------------------------------------------------------------------
# The one loop
# --------------------------------------------------------------------------------------


def _stack_states(states: Sequence[State]) -> State:
    """Stack a list of equally structured states leaf by leaf along a new axis 0."""
    first = states[0]
    if isinstance(first, tuple):
        stacked = [_stack_states([s[i] for s in states]) for i in range(len(first))]
        return type(first)(*stacked) if hasattr(first, "_fields") else tuple(stacked)
    return np.stack([np.asarray(s) for s in states])


def _find_field(state: State, name: str) -> list[Any]:
    found: list[Any] = []
    if isinstance(state, tuple):
        fields = getattr(state, "_fields", None)
        for i, item in enumerate(state):
            if fields is not None and fields[i] == name:
                found.append(item)
            else:
                found.extend(_find_field(item, name))
    return found


@dataclass(frozen=True)
class Trajectory:
    """What :func:`run` returns.

    Attributes:
        params: every iterate, ``x_0`` included: shape ``(n + 1, *x0.shape)`` where
            ``n`` is the number of updates made (``num_steps`` unless every point
            diverged earlier). An entry is NaN from its point's ``diverged_at`` on.
        states: the optimizer state after each update, leaf by leaf stacked along
            axis 0 (``states`` at index 0 is the initial state); ``None`` when
            ``record_states=False``.
        diverged_at: for each point of the batch (shape ``x0.shape[:-1]``), the
            first step ``k`` whose iterate is not finite or exceeds ``bound`` in
            absolute value, or ``-1`` if it never did.
    """

    params: Array
    states: State
    diverged_at: NDArray[np.int64]

    @property
    def num_steps(self) -> int:
        """Number of updates made."""
        return int(self.params.shape[0] - 1)

    @property
    def diverged(self) -> NDArray[np.bool_]:
        """Boolean array over the batch: did the point diverge?"""
        return np.asarray(self.diverged_at >= 0)

    def path(self, index: tuple[int, ...] | int = ()) -> Array:
        """Iterates of one point of the batch, stopping before it diverged."""
        idx = (index,) if isinstance(index, int) else index
        points: Array = self.params[(slice(None), *idx)]  # type: ignore[arg-type]
        stop = int(self.diverged_at[idx])
        return points if stop < 0 else points[:stop]

    def field(self, name: str) -> Array:
        """The recorded state field ``name`` (``"velocity"``, ``"mu"``...), stacked.

        Raises ``KeyError`` if no part of the state, or more than one, has it.
        """
        if self.states is None:
            raise KeyError("states were not recorded: call run(..., record_states=True)")
        found = _find_field(self.states, name)
        if len(found) != 1:
            raise KeyError(f"state field {name!r} found {len(found)} times; expected once")
        return np.asarray(found[0])


def run(
    opt: Optimizer,
    grad_fn: GradFn,
    x0: ArrayLike,
    num_steps: int,
    *,
    bound: float = 1e8,
    record_states: bool = True,
) -> Trajectory:
    """Iterate ``opt`` from ``x0`` for ``num_steps`` updates; the only loop in the book.

    ``x0`` has shape ``(d,)`` or ``(*batch, d)`` and ``grad_fn`` maps such an array to
    one of the same shape. A point *diverges* at step ``k`` when ``x_k`` is not finite
    or some coordinate exceeds ``bound``; its later iterates are NaN and the run stops
    once every point has diverged.

    >>> traj = run(scale(-0.25), lambda x: 2 * x, np.array([1.0]), 2)
    >>> traj.params[:, 0]
    array([1.  , 0.5 , 0.25])
    >>> int(run(scale(-1.5), lambda x: 2 * x, np.array([1.0]), 100).diverged_at)
    27
    """
    check_count("num_steps", num_steps, 0)
    check_range("bound", bound, 0.0, low_open=True)
    x = check_finite_array("x0", x0)
    check_hyperparams(opt, x.shape)
    state = opt.init(x)
    path, states = [x], [state]
    diverged_at = np.full(x.shape[:-1], -1, dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(1, num_steps + 1):
            grads = checked_gradient(grad_fn, x, first=k == 1)
            step, state = checked_update(opt, grads, state, x, k)
            x = x + step
            blown = ~np.all(np.isfinite(x) & (np.abs(x) <= bound), axis=-1)
            diverged_at[blown & (diverged_at < 0)] = k
            x = np.where((diverged_at >= 0)[..., None], np.nan, x)
            path.append(x)
            if record_states:
                states.append(state)
            if np.all(diverged_at >= 0):
                break
    recorded = _stack_states(states) if record_states else None
    return Trajectory(np.stack(path), recorded, diverged_at)
