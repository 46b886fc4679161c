"""Validation: every factory checks its arguments, and every error names the culprit.

The book's code is read as much as it is run, so the contract in :mod:`gdbook.base`
keeps only the mathematics; the checks and the messages that say which parameter is
wrong, and what range or shape it must have, live here. :func:`run
<gdbook.base.run>` calls :func:`first_gradient`, :func:`checked_gradient` and
:func:`checked_update` so that a mismatched shape is reported by name.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from gdbook.types import Array, GradFn, Schedule, State

if TYPE_CHECKING:
    from collections.abc import Callable

    from gdbook.base import Optimizer


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


def check_count(name: str, value: Any, low: int = 0) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= low``, else raise ``ValueError``.

    Booleans are refused (``True`` is not a number of steps); NumPy integers are accepted.

    >>> check_count("num_steps", 3)
    3
    >>> check_count("num_steps", -1)
    Traceback (most recent call last):
    ...
    ValueError: num_steps must be an integer >= 0; got -1
    """
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    return int(value)


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
# Shapes: a hyperparameter array must broadcast to the params of the run
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


def first_gradient(grad_fn: GradFn, x: Array) -> Array:
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


def checked_gradient(grad_fn: GradFn, x: Array, *, first: bool = False) -> Array:
    """``grad_fn(x)`` as float64, checked to have the shape of ``x``.

    The ``first`` call also checks that ``x`` has the problem's dimension.
    """
    grads = first_gradient(grad_fn, x) if first else np.asarray(grad_fn(x), dtype=np.float64)
    if grads.shape != x.shape:
        raise ValueError(f"grad_fn returned shape {grads.shape} for params of shape {x.shape}")
    return grads


def checked_update(
    opt: Optimizer, grads: Array, state: State, params: Array, step: int
) -> tuple[Array, State]:
    """``opt.update(grads, state, params)``, whose step must have the shape of ``params``.

    A hyperparameter array that does not broadcast to the params makes the update fail
    or change shape; the error then names it (a schedule is evaluated at ``step``).
    """
    try:
        update, new_state = opt.update(grads, state, params)
    except ValueError as err:
        if "broadcast" not in str(err):
            raise
        check_hyperparams(opt, params.shape, step=step)  # names a schedule that does not fit
        raise ValueError(
            f"the update failed for params of shape {params.shape} ({err}): a "
            "hyperparameter array does not broadcast to the shape of x0"
        ) from err
    if np.shape(update) != params.shape:
        check_hyperparams(opt, params.shape, step=step)
        raise ValueError(
            f"the update has shape {np.shape(update)} but params have shape "
            f"{params.shape}: a hyperparameter array does not broadcast to the shape "
            f"of x0 (for a sweep, broadcast x0 first)"
        )
    return update, new_state
