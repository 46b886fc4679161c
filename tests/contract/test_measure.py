"""What the chapters read off runs (gdbook.measure), against loops written out here."""

from __future__ import annotations

import numpy as np
import pytest
from gdbook.base import debias, ema_update, stack
from gdbook.checks import check_count
from gdbook.gradient_descent import gradient_descent
from gdbook.measure import (
    doubling_horizon,
    experiment,
    first_step_above,
    first_step_below,
    stays_below_from,
)
from gdbook.momentum import momentum
from hypothesis import given
from hypothesis import strategies as st

values = st.lists(st.floats(0, 10) | st.just(float("nan")), min_size=1, max_size=30)


@given(values, st.floats(0, 10))
def test_first_step_below_is_the_first_entry_at_or_below_and_never_is_minus_one(
    seq: list[float], tol: float
) -> None:
    expected = next((i for i, v in enumerate(seq) if v <= tol), -1)  # NaN is never <= tol
    assert first_step_below(np.array(seq), tol) == expected


@given(values, st.floats(0, 10))
def test_first_step_above_is_the_first_entry_at_or_above(seq: list[float], level: float) -> None:
    expected = next((i for i, v in enumerate(seq) if v >= level), -1)
    assert first_step_above(np.array(seq), level) == expected


@given(values, st.floats(0, 10))
def test_stays_below_from_is_the_start_of_the_last_run_below(seq: list[float], tol: float) -> None:
    ok = [v <= tol for v in seq]
    expected = -1 if not ok[-1] else next(i for i in range(len(ok)) if all(ok[i:]))
    assert stays_below_from(np.array(seq), tol) == expected


def test_first_step_below_works_column_by_column() -> None:
    columns = np.array([[3.0, 3.0, 0.5], [2.0, 0.1, np.nan], [0.5, 0.1, np.nan]])
    np.testing.assert_array_equal(first_step_below(columns, 1.0), [2, 1, 0])
    np.testing.assert_array_equal(first_step_below(columns, [0.1, 0.1, 0.1]), [-1, 1, -1])


def test_doubling_horizon_doubles_until_done_and_stops_at_the_limit() -> None:
    tried: list[int] = []

    def attempt(n: int) -> int:
        tried.append(n)
        return n

    assert doubling_horizon(attempt, lambda n: n >= 300, start=64, limit=10_000) == 512
    assert tried == [64, 128, 256, 512]
    tried.clear()
    assert doubling_horizon(attempt, lambda n: False, start=64, limit=200) == 200
    assert tried == [64, 128, 200]


def test_experiment_computes_once_and_its_arrays_are_read_only() -> None:
    calls: list[int] = []

    @experiment
    def runs(seed: int = 0) -> dict[str, np.ndarray]:
        calls.append(seed)
        return {"x": np.arange(3.0)}

    first, again = runs(), runs()
    assert first is again and calls == [0]
    with pytest.raises(ValueError, match="read-only"):
        first["x"][0] = 5.0
    runs(1)
    assert calls == [0, 1]
    fresh = runs(np.array([1]))  # unhashable: computed afresh, still read-only
    assert calls == [0, 1, np.array([1])] and not fresh["x"].flags.writeable


def test_ema_update_and_debias_recover_the_mean_of_a_constant_stream() -> None:
    """From m_0 = 0 the EMA of a constant c is (1 - beta^t) c; debias divides that out."""
    m = np.zeros(2)
    for t in range(1, 6):
        m = ema_update(m, np.array([3.0, -1.0]), 0.9)
        np.testing.assert_allclose(m, (1 - 0.9**t) * np.array([3.0, -1.0]), rtol=1e-15)
        np.testing.assert_allclose(debias(m, 0.9, t), [3.0, -1.0], rtol=1e-14)


def test_stack_runs_each_optimizer_on_its_own_row() -> None:
    opts = [gradient_descent(0.1), momentum(0.1, 0.9)]
    grads, params = np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))
    both = stack(opts)
    step, _ = both.update(grads, both.init(params), params)
    for i, opt in enumerate(opts):
        alone, _ = opt.update(grads[i], opt.init(params[i]), params[i])
        np.testing.assert_array_equal(step[i], alone)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", None])
def test_check_count_names_the_parameter_and_its_range(bad: object) -> None:
    with pytest.raises(ValueError, match=r"num_steps must be an integer >= 0"):
        check_count("num_steps", bad, 0)
    assert check_count("num_steps", np.int64(4), 0) == 4
