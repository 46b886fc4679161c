r"""What the chapters read off runs: arrival steps, rates, slopes, spread.

Every function takes a sequence of values along axis 0 (steps) and, where it says so, a
batch along the other axes. "Never" is ``-1``, never ``0``: a run that does not reach
a tolerance must not be counted as arriving at once.

:func:`experiment` caches an expensive experiment once per process, so a Monte Carlo
run of a few thousand chains is computed once per build, whichever chapter cell or
figure asks for it first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdbook.checks import check_count, check_finite_array, check_range
from gdbook.types import Array

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def first_step_below(values: ArrayLike, tol: ArrayLike) -> NDArray[np.int64]:
    """First ``k`` with ``values[k] <= tol``, along axis 0; ``-1`` where no step reaches it.

    NaN (a diverged run) never counts as below. ``tol`` broadcasts against the batch.

    >>> first_step_below([3.0, 2.0, 0.5, 0.1], 1.0)
    array(2)
    >>> first_step_below([3.0, np.nan], 1.0)
    array(-1)
    """
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        below = v <= np.asarray(tol, dtype=np.float64)
    return np.asarray(np.where(below.any(axis=0), np.argmax(below, axis=0), -1), dtype=np.int64)


def first_step_above(values: ArrayLike, level: ArrayLike) -> NDArray[np.int64]:
    """First ``k`` with ``values[k] >= level``, along axis 0; ``-1`` where no step reaches it.

    >>> first_step_above([0.1, 0.5, 0.95, 0.99], 0.95)
    array(2)
    """
    return first_step_below(-np.asarray(values, dtype=np.float64), -np.asarray(level))


def stays_below_from(values: ArrayLike, tol: ArrayLike) -> NDArray[np.int64]:
    """First ``k`` from which every later value is ``<= tol``; ``-1`` if the last one is above.

    For an oscillating loss this is later than :func:`first_step_below`.

    >>> stays_below_from([3.0, 0.5, 2.0, 0.5, 0.1], 1.0)
    array(3)
    """
    v = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        above = ~(v <= np.asarray(tol, dtype=np.float64))
    last_above = v.shape[0] - 1 - np.argmax(above[::-1], axis=0)
    steps = np.where(above.any(axis=0), last_above + 1, 0)
    return np.asarray(np.where(above[-1], -1, steps), dtype=np.int64)


def settling_steps(
    mean_square: ArrayLike, floor: ArrayLike, factor: float = 2.0
) -> NDArray[np.int64]:
    r"""First :math:`k` from which the values stay within ``factor`` times ``floor``.

    :math:`m_j \le` ``factor`` :math:`\times` floor for every :math:`j \ge k`, with the
    steps along axis 0 (as from :func:`gdbook.momentum.heavy_ball_mean_square`); a curve
    still above the mark at its last step gets ``-1``.
    """
    m = check_finite_array("mean_square", mean_square)
    check_range("factor", factor, 1.0, low_open=True)
    return stays_below_from(m, factor * np.asarray(floor, dtype=np.float64))


def measured_rate(errors: ArrayLike, *, skip: int = 0) -> float:
    r"""Per-step contraction of a geometric error sequence.

    :math:`\exp` of the slope of :math:`\ln e_k`; the slope is a least-squares fit over
    ``errors[skip:]`` (zeros are dropped).
    """
    e = np.asarray(errors, dtype=np.float64)[skip:]
    keep = e > 0
    steps = np.arange(e.size)[keep]
    if steps.size < 2:
        raise ValueError("measured_rate needs at least two positive errors")
    slope = np.polyfit(steps, np.log(e[keep]), 1)[0]
    return float(np.exp(slope))


def empirical_rate(errors: ArrayLike, *, floor: float = 1e-250) -> Array:
    r"""Measured rate :math:`(e_{k_2}/e_{k_1})^{1/(k_2-k_1)}` from errors :math:`e_k`.

    :math:`k_2` is the last step whose error is finite and above ``floor`` (before
    underflow or divergence) and :math:`k_1 = \lfloor k_2/2 \rfloor`, so transients
    and the factor :math:`k` of a double root have faded; each :math:`e` is the
    largest error over the preceding 8 steps, which bridges the zeros of a
    spiralling error. ``k`` runs along axis 0; other axes are a batch (one rate per
    point).
    """
    e = np.asarray(errors, dtype=np.float64)
    window = 8
    if e.ndim < 1 or e.shape[0] < 4 * window:
        raise ValueError(f"errors needs at least {4 * window} steps along axis 0")
    ok = np.isfinite(e) & (e > floor)
    e = np.where(ok, e, 0.0)
    last = e.shape[0] - 1 - np.argmax(ok[::-1], axis=0)  # k_2: last usable step
    first = last // 2  # k_1

    def envelope(k: NDArray[np.int64]) -> Array:
        idx = np.maximum(k[None] - np.arange(window).reshape((-1,) + (1,) * k.ndim), 0)
        return np.asarray(np.take_along_axis(e, idx, 0).max(axis=0), dtype=np.float64)

    late, early = envelope(last), envelope(first)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = (late / early) ** (1.0 / (last - first))
    return np.asarray(np.where(last - first >= window, rate, np.nan), dtype=np.float64)


def loglog_slope(x: ArrayLike, y: ArrayLike) -> float:
    r"""Slope :math:`p` of the least-squares line through :math:`(\ln x, \ln y)`.

    That is, :math:`y \approx C x^p`.
    """
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def mean_and_standard_error(values: ArrayLike) -> tuple[float, float]:
    r"""Mean of ``values`` (steps on axis 0, independent runs on axis 1) and its standard error.

    Each run is first averaged over its steps; the run averages are independent, so
    the standard error is their standard deviation over :math:`\sqrt{\text{runs}}`
    however strongly the steps of one run are correlated (the method of batch means,
    one batch per run).
    """
    v = check_finite_array("values", values, min_ndim=2)
    if v.ndim != 2 or v.shape[1] < 2:
        raise ValueError(f"values must have shape (steps, runs >= 2); got {v.shape}")
    per_run = v.mean(axis=0)
    return float(per_run.mean()), float(per_run.std(ddof=1) / np.sqrt(per_run.size))


def doubling_horizon(
    attempt: Callable[[int], T], done: Callable[[T], bool], *, start: int = 64, limit: int
) -> T:
    """``attempt(n)`` for ``n = start, 2 start, 4 start, ...`` until ``done`` or ``n = limit``.

    For a count that is not known in advance (steps to a tolerance): the cost is at most
    twice that of the longest run needed.
    """
    n = min(check_count("start", start, 1), check_count("limit", limit, 1))
    while True:
        result = attempt(n)
        if done(result) or n >= limit:
            return result
        n = min(2 * n, limit)


def experiment(fn: F) -> F:
    """Cache ``fn`` per process (by its arguments) and make the arrays it returns read-only.

    For the chapters' experiments: a cell, a figure and a test that ask for the same
    run get the one computed first, and none of them can alter it for the others. The
    last 32 calls are kept; a call with an unhashable argument (an array) is computed
    afresh.
    """

    @functools.lru_cache(maxsize=32)
    def cached(*args: Any, **kwargs: Any) -> Any:
        return _frozen(fn(*args, **kwargs))

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            hash((args, tuple(kwargs.items())))
        except TypeError:
            return _frozen(fn(*args, **kwargs))
        return cached(*args, **kwargs)

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _frozen(value: Any) -> Any:
    """``value`` with every NumPy array inside it (tuples, dicts, dataclasses) read-only."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False  # in place: the cache owns the experiment's result
        return value
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_frozen(v) for v in value))
    if isinstance(value, tuple | list):
        return type(value)(_frozen(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            _frozen(getattr(value, name))
    return value
