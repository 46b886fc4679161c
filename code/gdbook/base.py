r"""The optimizer contract shared by every chapter: ``Optimizer``, ``chain``, ``run``.

An optimizer is a pair of pure functions (the optax design, on NumPy arrays):

* ``init(params) -> state``
* ``update(grads, state, params) -> (step, new_state)``; the caller sets
  ``params + step``.

Named optimizers are short compositions with :func:`chain`: momentum is
``chain(trace(beta), scale(-learning_rate))`` and Adam is
``chain(scale_by_adam(b1, b2, eps), scale(-learning_rate))``.

Everything broadcasts. ``params`` has shape ``(*batch, d)``: a batch of starting
points, or one starting point broadcast against arrays of hyperparameters (a
learning rate of shape ``(200, 200, 1)`` sweeps a 200 x 200 grid in one call).
Each factory records its validated hyperparameters by name in
``Optimizer.hyperparams``; :func:`run` checks that every one broadcasts to the
shape of ``x0`` before it iterates, and names the one that does not.

Symbols: :math:`x_k` ``params``, :math:`g_k` ``grads``, :math:`\eta`
``learning_rate``, :math:`t` ``step`` (the update counter; the first update has
``step == 1``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
State = Any
GradFn = Callable[[Array], Array]
Schedule = Callable[[int], Any]
"""A hyperparameter that depends on the update counter ``t = 1, 2, ...``."""
Hyperparams = tuple[tuple[str, Any], ...]
"""``(name, value)`` pairs: a value is an array, or a schedule ``t -> array``."""


class Optimizer(NamedTuple):
    """A pair of pure functions ``init`` and ``update``, and the hyperparameters by name.

    ``update(grads, state, params)`` returns ``(step, new_state)`` and never
    mutates its arguments; new params are ``params + step``. ``hyperparams``
    (optional: ``Optimizer(init, update)`` records none) lists the validated
    hyperparameters as ``(name, value)`` pairs; :func:`chain` concatenates them and
    :func:`run` checks each against the shape of ``x0``.
    """

    init: Callable[[Array], State]
    update: Callable[[Array, State, Array], tuple[Array, State]]
    hyperparams: Hyperparams = ()


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
# Validation: every factory checks its hyperparameters and names the culprit.
# --------------------------------------------------------------------------------------


def check_range(
    name: str,
    value: ArrayLike,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Array:
    """Return ``value`` as a float array, or raise ``ValueError`` naming ``name``.

    The interval is closed unless ``low_open``/``high_open``; every element of an
    array must lie in it and be finite.

    >>> check_range("beta", 0.9, 0.0, 1.0, high_open=True)
    array(0.9)
    >>> check_range("beta", 1.0, 0.0, 1.0, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1); got 1.0
    """
    interval = f"{'(' if low_open else '['}{_num(low)}, {_num(high)}{')' if high_open else ']'}"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}") from err
    shown = arr.item() if arr.ndim == 0 else f"values {arr.min()}..{arr.max()}"
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite and in {interval}; got {value!r}")
    above_low = arr > low if low_open else arr >= low
    below_high = arr < high if high_open else arr <= high
    if not (np.all(above_low) and np.all(below_high)):
        raise ValueError(f"{name} must be in {interval}; got {shown}")
    return arr


def _num(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


def check_finite_array(name: str, value: ArrayLike, *, min_ndim: int = 1) -> Array:
    """Return ``value`` as a float64 array, or raise ``ValueError`` naming ``name``."""
    try:
        arr = np.array(value, dtype=np.float64)  # a copy: callers may not mutate ours
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a numeric array; got {value!r}") from err
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimension(s) (the last one is the "
            f"problem dimension d); got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got non-finite entries in {name}")
    return arr


def hyperparameter(
    name: str,
    value: float | ArrayLike | Schedule,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Callable[[int], Array]:
    """Validate a constant, array or schedule and return it as a function of ``t``.

    A callable is a schedule ``t -> value``; its values are checked when used.
    """
    bounds: dict[str, Any] = {
        "low": low,
        "high": high,
        "low_open": low_open,
        "high_open": high_open,
    }
    if callable(value):
        schedule = value

        def scheduled(step: int) -> Array:
            return check_range(f"{name}(t={step})", schedule(step), **bounds)

        return scheduled
    return Constant(check_range(name, value, **bounds))


class Constant:
    """A validated constant hyperparameter, callable like a schedule: ``t -> value``."""

    __slots__ = ("value",)

    def __init__(self, value: Array) -> None:
        self.value = value

    def __call__(self, step: int) -> Array:
        """The value, whatever ``step``."""
        return self.value

    def __repr__(self) -> str:
        return f"Constant({self.value!r})"


# --------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------


def identity() -> Optimizer:
    """Pass the gradient through unchanged: :math:`u = g`."""

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        return grads, state

    return Optimizer(init, update)


def scale(factor: float | ArrayLike | Schedule) -> Optimizer:
    r"""Multiply the incoming update by ``factor``: :math:`u = c\,g`.

    ``factor`` may be an array (one value per grid cell of a sweep) or a schedule
    ``t -> c_t``. Optimizers end with ``scale(-learning_rate)``.
    """
    if callable(factor):
        schedule = hyperparameter("factor", factor)

        def init_s(params: Array) -> StepState:
            return StepState(step=0)

        def update_s(grads: Array, state: StepState, params: Array) -> tuple[Array, StepState]:
            step = state.step + 1
            return schedule(step) * grads, StepState(step)

        return Optimizer(init_s, update_s, named(factor=schedule))

    constant = check_range("factor", factor)

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        return constant * grads, state

    return Optimizer(init, update, named(factor=constant))


def scale_by_learning_rate(learning_rate: float | ArrayLike | Schedule) -> Optimizer:
    r"""Multiply by :math:`-\eta`: the last link of every named optimizer.

    ``learning_rate`` must be >= 0 (an array for a sweep, or a schedule ``t -> eta_t``).
    """
    rate = hyperparameter("learning_rate", learning_rate, 0.0)
    if callable(learning_rate):
        opt = scale(lambda step: -rate(step))
    else:
        opt = scale(-rate(0))
    return opt._replace(hyperparams=named(learning_rate=rate))


def add_decayed_weights(weight_decay: float | ArrayLike = 0.0) -> Optimizer:
    r"""Add :math:`\lambda x` to the incoming update: :math:`u = g + \lambda x`.

    Placed before the preconditioner it is L2 regularisation through the gradient
    (torch's ``weight_decay``); placed after it and before ``scale(-lr)`` it is
    decoupled weight decay (Loshchilov & Hutter 2019; torch's AdamW).
    """
    decay = check_range("weight_decay", weight_decay, 0.0)

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        if not np.any(decay):
            return grads, state
        return grads + decay * params, state

    return Optimizer(init, update, named(weight_decay=decay))


def chain(*parts: Optimizer) -> Optimizer:
    """Apply ``parts`` left to right; the state is the tuple of their states.

    The recorded ``hyperparams`` are those of the parts, in order.

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

    return Optimizer(init, update, tuple(pair for part in parts for pair in part.hyperparams))


# --------------------------------------------------------------------------------------
# The one loop
# --------------------------------------------------------------------------------------


def _shape_error(name: str, shape: tuple[int, ...], params_shape: tuple[int, ...]) -> str | None:
    """Why a hyperparameter of ``shape`` cannot act on params of ``params_shape``, or None."""

    def joint(a: tuple[int, ...]) -> tuple[int, ...] | None:
        try:
            return tuple(np.broadcast_shapes(a, params_shape))
        except ValueError:
            return None

    together = joint(shape)
    if together == params_shape:
        return None
    examples = f"shape () for one value, {params_shape} for one per coordinate"
    if params_shape[:-1]:
        examples += f", {(*params_shape[:-1], 1)} for one per point"
    message = (
        f"{name} has shape {shape}, which does not broadcast to params of shape "
        f"{params_shape}; a hyperparameter array must broadcast to the shape (*batch, d) "
        f"of x0 ({examples})"
    )
    if together is not None:
        return f"{message}; or broadcast x0 to {together} first (np.broadcast_to(x0, {together}))"
    with_axis = joint((*shape, 1))
    axis = "a trailing axis" + ("" if "(" in name else f" ({name}[..., None])")
    if with_axis == params_shape:
        return f"{message}; for one value per point add {axis}"
    if with_axis is not None:
        return (
            f"{message}; for a sweep add {axis} and broadcast x0 to {with_axis} "
            f"(np.broadcast_to(x0, {with_axis}))"
        )
    return message


def check_hyperparams(
    opt: Optimizer, params_shape: tuple[int, ...], step: int | None = None
) -> None:
    """Raise ``ValueError`` naming a recorded hyperparameter that does not fit the params.

    Each of ``opt.hyperparams`` must broadcast to ``params_shape``; a schedule is
    evaluated (at ``step``) only if ``step`` is given.
    """
    for name, value in opt.hyperparams:
        if isinstance(value, Constant):
            value = value.value
        elif callable(value):
            if step is None:
                continue
            name, value = f"{name}(t={step})", value(step)
        error = _shape_error(name, np.shape(value), params_shape)
        if error is not None:
            raise ValueError(error)


class DimensionError(ValueError):
    """A point whose last axis is not the problem's dimension ``expected``."""

    def __init__(self, message: str, expected: int) -> None:
        super().__init__(message)
        self.expected = expected


def _first_gradient(grad_fn: GradFn, x: Array) -> Array:
    """``grad_fn(x0)``, or a ``ValueError`` naming ``x0`` if its dimension is not the problem's."""
    d = x.shape[-1]
    try:
        grads = np.asarray(grad_fn(x), dtype=np.float64)
    except DimensionError as err:
        raise ValueError(
            f"x0 has dimension d = {d} (shape {x.shape}) but the problem has dimension "
            f"{err.expected}; x0 must have shape (*batch, {err.expected})"
        ) from err
    except (ValueError, IndexError) as err:
        raise ValueError(
            f"grad_fn failed on x0 of shape {x.shape} ({err}); is the last axis of x0 "
            f"(d = {d}) the problem's dimension?"
        ) from err
    if grads.ndim == x.ndim and grads.shape[:-1] == x.shape[:-1] and grads.shape[-1] != d:
        raise ValueError(
            f"x0 has dimension d = {d} (shape {x.shape}) but the problem has dimension "
            f"{grads.shape[-1]} (grad_fn returned shape {grads.shape}); x0 must have shape "
            f"(*batch, {grads.shape[-1]})"
        )
    return grads


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

    ``x0`` has shape ``(d,)`` or ``(*batch, d)``, ``d`` the problem's dimension;
    ``grad_fn`` maps such an array to one of the same shape. Hyperparameter arrays
    must broadcast to ``x0.shape``: for a sweep, broadcast ``x0`` first
    (``np.broadcast_to(x0, (200, 200, 2))``). Before iterating, every hyperparameter
    recorded in ``opt.hyperparams`` is checked, and a ``ValueError`` names the one
    that does not fit (a schedule's value is checked if an update fails).

    A point *diverges* at step ``k`` when ``x_k`` is not finite or some coordinate
    exceeds ``bound`` in absolute value; its later iterates are NaN and the run
    stops once every point has diverged.

    >>> from gdbook.base import chain, scale
    >>> traj = run(scale(-0.25), lambda x: 2 * x, np.array([1.0]), 2)
    >>> traj.params[:, 0]
    array([1.  , 0.5 , 0.25])
    >>> int(run(scale(-1.5), lambda x: 2 * x, np.array([1.0]), 100).diverged_at)
    27
    """
    if not isinstance(num_steps, int | np.integer) or isinstance(num_steps, bool):
        raise ValueError(f"num_steps must be an integer >= 0; got {num_steps!r}")
    if num_steps < 0:
        raise ValueError(f"num_steps must be an integer >= 0; got {num_steps}")
    check_range("bound", bound, 0.0, low_open=True)
    x = check_finite_array("x0", x0)
    check_hyperparams(opt, x.shape)
    batch_shape = x.shape[:-1]
    state = opt.init(x)
    path = [x]
    states = [state] if record_states else []
    diverged_at = np.full(batch_shape, -1, dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(1, num_steps + 1):
            if k == 1:
                grads = _first_gradient(grad_fn, x)
            else:
                grads = np.asarray(grad_fn(x), dtype=np.float64)
            if grads.shape != x.shape:
                raise ValueError(
                    f"grad_fn returned shape {grads.shape} for params of shape {x.shape}"
                )
            try:
                step, state = opt.update(grads, state, x)
            except ValueError as err:
                if "broadcast" not in str(err):
                    raise
                check_hyperparams(opt, x.shape, step=k)  # names a schedule that does not fit
                raise ValueError(
                    f"the update failed for params of shape {x.shape} ({err}): a "
                    "hyperparameter array does not broadcast to the shape of x0"
                ) from err
            if np.shape(step) != x.shape:
                check_hyperparams(opt, x.shape, step=k)
                raise ValueError(
                    f"the update has shape {np.shape(step)} but params have shape "
                    f"{x.shape}: a hyperparameter array does not broadcast to the shape "
                    f"of x0 (for a sweep, broadcast x0 first)"
                )
            x = x + step
            bad = ~np.all(np.isfinite(x) & (np.abs(x) <= bound), axis=-1)
            newly = bad & (diverged_at < 0)
            diverged_at[newly] = k
            x = np.where((diverged_at >= 0)[..., None], np.nan, x)
            path.append(x)
            if record_states:
                states.append(state)
            if np.all(diverged_at >= 0):
                break
    return Trajectory(
        params=np.stack(path),
        states=_stack_states(states) if record_states else None,
        diverged_at=diverged_at,
    )
