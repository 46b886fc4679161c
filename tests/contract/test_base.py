"""The contract of gdbook.base: run, chain, scale, validation.

Oracles: the closed form of gradient descent on a 1-D quadratic,
:math:`x_k = (1 - \\eta\\lambda)^k x_0` (e.g. Nocedal & Wright 2006, Section 3.3;
Goh 2017, "Why Momentum Really Works"), and per-point / per-value runs for the
batched and swept ones.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from gdbook.base import (
    EmptyState,
    Optimizer,
    StepState,
    Trajectory,
    add_decayed_weights,
    chain,
    identity,
    run,
    scale,
    scale_by_learning_rate,
)
from gdbook.checks import check_range, hyperparameter
from gdbook.conventions import torch_momentum_buffer
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import momentum
from gdbook.problems import quadratic, rosenbrock
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

finite = st.floats(-10.0, 10.0, allow_nan=False)
QUAD = quadratic([1.0, 10.0], angle=0.4, x_star=[0.5, -1.0])


# --------------------------------------------------------------------------------------
# run on a 1-D quadratic: the closed form
# --------------------------------------------------------------------------------------


@given(
    eta=st.floats(0.0, 0.19),
    lam=st.floats(0.1, 10.0),
    x0=finite.filter(lambda v: abs(v) > 1e-3),
)
def test_gd_on_1d_quadratic_equals_closed_form(eta: float, lam: float, x0: float) -> None:
    """x_k = (1 - eta lambda)^k x_0 for f = lambda x^2 / 2 (|1 - eta lambda| < 1 here)."""
    traj = run(gradient_descent(eta), lambda x: lam * x, np.array([x0]), 40)
    k = np.arange(41)
    expected = (1.0 - eta * lam) ** k * x0
    np.testing.assert_allclose(traj.params[:, 0], expected, rtol=1e-12, atol=1e-300)
    assert traj.diverged_at == -1


def _first_exceeding(q: float, x0: float, bound: float) -> int:
    """The first k with |x0| |q|^k > bound, from the closed form."""
    return math.floor(math.log(bound / abs(x0)) / math.log(abs(q))) + 1


@given(eta=st.floats(0.201, 0.35), x0=st.floats(0.5, 3.0))
def test_divergence_is_reported_at_the_predicted_step_and_the_run_stops(
    eta: float, x0: float
) -> None:
    """Past eta = 2/L iterates grow like |1 - eta L|^k; the run stops when they pass the bound."""
    lam, bound = 10.0, 1e6
    q = 1.0 - eta * lam  # < -1
    predicted = _first_exceeding(q, x0, bound)
    ratio = abs(x0) * abs(q) ** predicted / bound
    if not (1 + 1e-9 < ratio and abs(x0) * abs(q) ** (predicted - 1) < bound * (1 - 1e-9)):
        return  # within rounding of the bound: the closed form cannot decide
    traj = run(gradient_descent(eta), lambda x: lam * x, np.array([x0]), 10_000, bound=bound)
    assert int(traj.diverged_at) == predicted
    assert traj.num_steps == predicted  # stopped right there
    assert np.isnan(traj.params[-1, 0])
    assert len(traj.path()) == predicted  # x_0 ... x_{k-1}: nothing NaN is plotted
    assert traj.diverged


def test_divergence_example_from_the_docstring() -> None:
    """eta = 0.25, L = 10: |x_k| = 1.5^k first exceeds 1e8 at k = 46 (log 1e8 / log 1.5 = 45.4)."""
    traj = run(gradient_descent(0.25), lambda x: 10.0 * x, np.array([1.0]), 100)
    assert int(traj.diverged_at) == 46


def test_a_batch_keeps_running_while_some_point_converges() -> None:
    lam = np.array([[1.0], [30.0]])  # the second point sees curvature past 2 / eta
    traj = run(gradient_descent(0.1), lambda x: lam * x, np.ones((2, 1)), 60)
    assert traj.num_steps == 60
    assert traj.diverged_at[0] == -1 and traj.diverged_at[1] > 0
    assert np.all(np.isnan(traj.params[traj.diverged_at[1] :, 1]))
    np.testing.assert_allclose(traj.params[:, 0, 0], 0.9 ** np.arange(61))


def test_one_bad_coordinate_is_enough_to_diverge() -> None:
    """f = (x^2 + 30 y^2) / 2, eta = 0.1: x_k = 0.9^k converges but y_k = (-2)^k passes
    1e8 first at k = 27 (2^26 < 1e8 < 2^27), and the point has diverged there."""
    traj = run(gradient_descent(0.1), lambda p: np.array([1.0, 30.0]) * p, np.ones(2), 100)
    assert int(traj.diverged_at) == 27
    assert traj.num_steps == 27  # the only point diverged: the run stopped
    np.testing.assert_allclose(traj.path()[:, 0], 0.9 ** np.arange(27), rtol=1e-12)
    np.testing.assert_allclose(traj.path()[:, 1], (-2.0) ** np.arange(27), rtol=1e-12)


def test_path_of_one_point_of_a_batch() -> None:
    """path(i) follows point i and stops where *that* point diverged (x_k = (1 - eta lam)^k)."""
    lam = np.array([[1.0], [30.0], [2.0]])  # point 1 diverges at k = 27 as above
    traj = run(gradient_descent(0.1), lambda x: lam * x, np.ones((3, 1)), 40)
    assert traj.diverged_at.tolist() == [-1, 27, -1]
    np.testing.assert_allclose(traj.path(0)[:, 0], 0.9 ** np.arange(41), rtol=1e-12)
    np.testing.assert_allclose(traj.path(1)[:, 0], (-2.0) ** np.arange(27), rtol=1e-12)
    np.testing.assert_allclose(traj.path((2,))[:, 0], 0.8 ** np.arange(41), rtol=1e-12)


# --------------------------------------------------------------------------------------
# Broadcasting: batches and sweeps equal separate runs
# --------------------------------------------------------------------------------------


@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=5))
def test_batched_run_equals_per_point_runs(points: list[tuple[float, float]]) -> None:
    x0 = np.array(points)
    opt = momentum(0.05, 0.8)
    batched = run(opt, QUAD.grad, x0, 30)
    for i, point in enumerate(x0):
        single = run(opt, QUAD.grad, point, 30)
        np.testing.assert_allclose(batched.params[:, i], single.params, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(
            batched.field("velocity")[:, i], single.field("velocity"), rtol=1e-13, atol=1e-13
        )


def test_hyperparameter_arrays_equal_per_value_runs() -> None:
    rates = np.array([0.01, 0.05, 0.15])[:, None, None]
    betas = np.array([0.0, 0.5, 0.9])[None, :, None]
    x0 = np.broadcast_to(np.array([2.0, -1.0]), (3, 3, 2))
    swept = run(momentum(rates, betas), QUAD.grad, x0, 25)
    assert swept.params.shape == (26, 3, 3, 2)
    for i, rate in enumerate(rates.ravel()):
        for j, beta in enumerate(betas.ravel()):
            single = run(momentum(float(rate), float(beta)), QUAD.grad, x0[i, j], 25)
            np.testing.assert_allclose(swept.params[:, i, j], single.params, rtol=1e-13)


def test_recorded_states_have_one_entry_per_update() -> None:
    x0 = np.zeros((4, 3, 2)) + 1.0
    traj = run(momentum(0.1, 0.9), QUAD.grad, x0, 7)
    assert traj.params.shape == (8, 4, 3, 2)
    assert traj.field("velocity").shape == (8, 4, 3, 2)
    np.testing.assert_array_equal(traj.field("step"), np.arange(8))
    np.testing.assert_array_equal(traj.field("velocity")[0], 0.0)
    assert traj.diverged_at.shape == (4, 3)
    assert run(momentum(0.1), QUAD.grad, x0, 3, record_states=False).states is None


def test_field_errors() -> None:
    traj = run(chain(momentum(0.1), momentum(0.1)), QUAD.grad, np.ones(2), 2)
    with pytest.raises(KeyError, match="2 times"):
        traj.field("velocity")
    with pytest.raises(KeyError, match="0 times"):
        traj.field("mu")
    unrecorded = run(momentum(0.1), QUAD.grad, np.ones(2), 2, record_states=False)
    with pytest.raises(KeyError, match="record_states"):
        unrecorded.field("velocity")
    assert isinstance(unrecorded, Trajectory)


# --------------------------------------------------------------------------------------
# Purity
# --------------------------------------------------------------------------------------


def test_run_never_mutates_x0_or_the_gradients() -> None:
    x0 = np.array([1.0, -2.0])
    x0.flags.writeable = False
    seen: list[np.ndarray] = []

    def grad_fn(x: np.ndarray) -> np.ndarray:
        g = QUAD.grad(x)
        g.flags.writeable = False  # any in-place use raises
        seen.append(g.copy())
        seen.append(g)
        return g

    run(momentum(0.1, 0.9), grad_fn, x0, 10)
    np.testing.assert_array_equal(x0, [1.0, -2.0])
    for copy, original in zip(seen[::2], seen[1::2], strict=True):
        np.testing.assert_array_equal(copy, original)


# --------------------------------------------------------------------------------------
# chain, scale, schedules
# --------------------------------------------------------------------------------------


def test_chain_applies_parts_left_to_right_and_keeps_their_states() -> None:
    opt = chain(add_decayed_weights(0.5), scale(2.0), identity())
    step, state = opt.update(np.array([1.0]), opt.init(np.array([4.0])), np.array([4.0]))
    np.testing.assert_array_equal(step, [2.0 * (1.0 + 0.5 * 4.0)])
    assert state == (EmptyState(), EmptyState(), EmptyState())
    empty = chain()
    step, _ = empty.update(np.array([3.0]), empty.init(np.zeros(1)), np.zeros(1))
    np.testing.assert_array_equal(step, [3.0])


def test_weight_decay_sweep_with_a_zero_entry_equals_the_closed_form() -> None:
    """GD on f = lam x^2 / 2 plus decay wd x: x_k = (1 - eta (lam + wd))^k x_0 for each wd,
    including wd = 0 next to non-zero values in one sweep."""
    decays = np.array([[0.0], [0.5], [2.0]])
    opt = chain(add_decayed_weights(decays), scale_by_learning_rate(0.1))
    traj = run(opt, lambda x: 3.0 * x, np.ones((3, 1)), 20)
    k = np.arange(21)[:, None]
    np.testing.assert_allclose(traj.params[..., 0], (1 - 0.1 * (3.0 + decays.T)) ** k, rtol=1e-12)


def test_a_schedule_sees_t_equal_1_at_the_first_update() -> None:
    calls: list[int] = []

    def rate(t: int) -> float:
        calls.append(t)
        return 1.0 / t

    traj = run(scale_by_learning_rate(rate), lambda x: np.ones_like(x), np.zeros(1), 4)
    assert calls == [1, 2, 3, 4]
    np.testing.assert_allclose(traj.params[:, 0], -np.cumsum([0, 1, 1 / 2, 1 / 3, 1 / 4]))
    assert traj.field("step")[-1] == 4
    assert isinstance(traj.states, StepState)  # stacked leaf by leaf


def test_a_schedule_is_validated_when_used() -> None:
    opt = scale_by_learning_rate(lambda t: 0.1 if t < 3 else -0.1)
    with pytest.raises(ValueError, match=r"learning_rate\(t=3\)"):
        run(opt, lambda x: x, np.ones(1), 5)


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


@given(st.floats(max_value=-1e-12, allow_nan=False) | st.just(np.inf) | st.just(np.nan))
def test_bad_learning_rate_names_learning_rate(rate: float) -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        gradient_descent(rate)
    with pytest.raises(ValueError, match="learning_rate"):
        momentum(rate)


@given(st.floats(allow_nan=True).filter(lambda b: not 0.0 <= b < 1.0))
def test_beta_outside_unit_interval_names_beta(beta: float) -> None:
    with pytest.raises(ValueError, match="beta"):
        momentum(0.1, beta)


def test_beta_array_with_one_bad_entry_is_rejected() -> None:
    with pytest.raises(ValueError, match="beta"):
        momentum(0.1, np.array([0.5, 1.0]))


@st.composite
def non_finite_x0(draw: st.DrawFn) -> np.ndarray:
    """x0 of a random shape (*batch, d) with nan / inf / -inf at 1+ random positions."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    x0 = draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e3, 1e3)))
    flat = x0.ravel()
    for i in draw(st.sets(st.integers(0, flat.size - 1), min_size=1)):
        flat[i] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return flat.reshape(shape)


@given(x0=non_finite_x0())
def test_a_non_finite_x0_names_x0(x0: np.ndarray) -> None:
    with pytest.raises(ValueError, match="x0 must be finite"):
        run(momentum(0.1), lambda x: x, x0, 3)


@pytest.mark.parametrize("bad", ["abc", 3.0, [[1.0], [2.0, 3.0]]])
def test_a_non_numeric_or_scalar_x0_names_x0(bad: object) -> None:
    with pytest.raises(ValueError, match="x0"):
        run(gradient_descent(0.1), lambda x: x, bad, 3)  # type: ignore[arg-type]


@given(
    d=st.integers(1, 4),
    wrong=st.integers(1, 5),
    batch=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
)
def test_an_x0_of_another_dimension_than_the_problem_names_x0(
    d: int, wrong: int, batch: tuple[int, ...]
) -> None:
    """The last axis of x0 is the problem's dimension d: any other length is a ValueError
    that names x0 (a quadratic of dimension d, and Rosenbrock with d = 2). Where grad_fn
    returns gradients of another dimension, the message gives the problem's dimension;
    where grad_fn itself fails, its error is quoted."""
    for problem in (quadratic(np.arange(1.0, d + 1.0)), rosenbrock()):
        if wrong == problem.dim:
            continue
        with pytest.raises(ValueError, match="x0") as info:
            run(gradient_descent(0.01), problem.grad, np.ones((*batch, wrong)), 2)
        message = str(info.value)
        assert f"problem has dimension {problem.dim}" in message or (
            f"grad_fn failed on x0 of shape {(*batch, wrong)}" in message
        )


def test_an_x0_of_the_wrong_dimension_names_the_problem_dimension() -> None:
    with pytest.raises(ValueError, match=r"x0 has dimension d = 3 .* problem has dimension 2"):
        run(gradient_descent(0.01), rosenbrock().grad, np.ones((4, 3)), 2)
    with pytest.raises(ValueError, match=r"x0 has dimension d = 1 .* problem has dimension 2"):
        run(gradient_descent(0.01), QUAD.grad, np.ones(1), 2)
    with pytest.raises(ValueError, match=r"x0 has dimension d = 3 .* problem has dimension 2"):
        run(gradient_descent(0.01), QUAD.grad, np.ones(3), 2)  # caught by the problem itself
    with pytest.raises(ValueError, match=r"x0 of shape \(3,\).*d = 3"):  # a bare function
        run(gradient_descent(0.01), lambda x: x @ np.eye(2), np.ones(3), 2)


def test_grad_fn_returning_a_wrong_shape_is_an_error() -> None:
    with pytest.raises(ValueError, match="shape"):
        run(gradient_descent(0.1), lambda x: np.zeros(3), np.ones(2), 3)


@st.composite
def misfits(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(shape of x0, shape of a hyperparameter array that does not broadcast to it)."""
    x_shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=4))
    try:
        fits = np.broadcast_shapes(shape, x_shape) == x_shape
    except ValueError:
        fits = False
    return x_shape, (shape if not fits else (*x_shape[:-1], x_shape[-1] + 1))


@settings(max_examples=30)
@given(shapes=misfits(), which=st.sampled_from(["learning_rate", "beta", "dampening"]))
def test_a_hyperparameter_array_that_does_not_fit_x0_is_named(
    shapes: tuple[tuple[int, ...], tuple[int, ...]], which: str
) -> None:
    """The check runs before the first update (grad_fn is never called) and names the array."""
    x_shape, shape = shapes
    values = {"learning_rate": 0.1, "beta": 0.5, "dampening": 0.0}
    values[which] = np.full(shape, values[which])
    opt = chain(
        torch_momentum_buffer(values["beta"], dampening=values["dampening"]),
        scale_by_learning_rate(values["learning_rate"]),
    )

    def never(x: np.ndarray) -> np.ndarray:
        raise AssertionError("grad_fn called before the shapes were checked")

    message = rf"{which} has shape {re.escape(str(shape))}, which does not broadcast to params"
    with pytest.raises(ValueError, match=message):
        run(opt, never, np.ones(x_shape), 3)


def test_the_misfit_message_says_what_fits() -> None:
    with pytest.raises(ValueError, match=re.escape("(3, 1) for one per point")) as info:
        run(gradient_descent(np.array([0.1, 0.2, 0.3])), lambda x: x, np.ones((3, 2)), 5)
    assert "learning_rate[..., None]" in str(info.value)
    with pytest.raises(ValueError, match=re.escape("np.broadcast_to(x0, (2, 2))")):
        run(gradient_descent(np.array([[0.1], [0.2]])), lambda x: x, np.ones(2), 3)


def test_a_schedule_whose_value_does_not_fit_is_named_at_the_first_update() -> None:
    calls: list[int] = []

    def rate(t: int) -> np.ndarray:
        calls.append(t)
        return np.full(3, 0.1)

    with pytest.raises(ValueError, match=re.escape("learning_rate(t=1) has shape (3,)")):
        run(scale_by_learning_rate(rate), lambda x: x, np.ones((3, 2)), 5)
    assert calls[0] == 1


def test_an_optimizer_built_from_two_functions_records_no_hyperparameters() -> None:
    """Optimizer(init, update) still works; without records, a misfit is caught after the update."""
    base = scale(np.array([[1.0], [2.0]]))
    bare = Optimizer(base.init, base.update)
    assert bare.hyperparams == ()
    traj = run(bare, lambda x: np.zeros_like(x), np.ones((2, 1)), 2)
    assert traj.params.shape == (3, 2, 1)
    with pytest.raises(ValueError, match="does not broadcast to the shape of x0"):
        run(bare, lambda x: x, np.ones(2), 3)


def test_chain_concatenates_the_recorded_hyperparameters_in_order() -> None:
    opt = chain(add_decayed_weights(0.5), momentum(0.1, 0.9))
    assert [name for name, _ in opt.hyperparams] == [
        "weight_decay",
        "beta",
        "learning_rate",
    ]
    assert opt.blocks == ("add_decayed_weights", "trace", "scale_by_learning_rate")


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10", None])
def test_bad_num_steps_names_num_steps(bad: object) -> None:
    with pytest.raises(ValueError, match="num_steps"):
        run(gradient_descent(0.1), lambda x: x, np.ones(2), bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_bound_must_be_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="bound"):
        run(gradient_descent(0.1), lambda x: x, np.ones(2), 3, bound=bad)


def test_zero_steps_returns_x0_only() -> None:
    traj = run(momentum(0.1), lambda x: x, np.array([1.0, -2.0]), 0)
    assert traj.params.shape == (1, 2) and traj.num_steps == 0
    np.testing.assert_array_equal(traj.params[0], [1.0, -2.0])
    assert traj.diverged_at == -1 and traj.field("velocity").shape == (1, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"value": 1.0, "low": 0.0, "high": 1.0, "high_open": True}, r"\[0, 1\)"),
        ({"value": 0.0, "low": 0.0, "low_open": True}, r"\(0, inf\]"),
        ({"value": "x"}, "must be a number"),
    ],
)
def test_check_range_messages_show_the_interval(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_range("p", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [np.nan, np.inf, "abc", [1.0, np.nan]])
def test_scale_rejects_a_non_finite_factor(bad: object) -> None:
    with pytest.raises(ValueError, match="factor"):
        scale(bad)  # type: ignore[arg-type]


def test_scale_accepts_any_finite_factor_including_negative() -> None:
    opt = scale(np.array([-2.0, 0.5]))
    step, _ = opt.update(np.array([3.0, 4.0]), opt.init(np.zeros(2)), np.zeros(2))
    np.testing.assert_array_equal(step, [-6.0, 2.0])


def test_hyperparameter_constant_is_a_function_of_t() -> None:
    constant = hyperparameter("beta", 0.5, 0.0, 1.0)
    assert float(constant(1)) == float(constant(99)) == 0.5
