"""The notation bridge of the appendix *Conventions*: equivalences, breaks, slips, solutions.

Oracles: SymPy (every claim of ``gdbook.derivations.conventions``), the recursions
themselves unrolled here independently of the library, closed forms, and the torch
reference trajectories in ``tests/reference/torch_reference.npz`` (recorded from
torch 2.13.0 by ``tests/reference/make_torch_reference.py``).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
from gdbook import conventions as cv
from gdbook.adam import AdamState, adam, scale_by_adam
from gdbook.adaptive import rmsprop
from gdbook.base import chain, run, scale, scale_by_learning_rate
from gdbook.conventions import TORCH_DEFAULTS, from_torch
from gdbook.derivations import beta, eta, g, grads, lam, n_updates, rates, t
from gdbook.derivations import conventions as claims
from gdbook.examples import TORCH_FIXTURE
from gdbook.momentum import ema, ema_momentum, momentum, replay_gradients, sutskever_momentum, trace
from gdbook.nesterov import sutskever_nag
from gdbook.problems import quadratic
from gdbook.viz import conventions as viz
from gdbook_solutions import conventions as sol
from hypothesis import given
from hypothesis import strategies as st

FIXTURE = Path(__file__).parents[1] / "reference" / "torch_reference.npz"


@cache
def _fixture() -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, Any]]:
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files if not key.startswith("__")}
        configs = json.loads(str(data["__configs__"]))
        problems = json.loads(str(data["__problems__"]))
    return arrays, configs, problems


def quad_grad(x: np.ndarray) -> np.ndarray:
    """A x - b of the fixture's quadratic."""
    _, _, problems = _fixture()
    a, b = np.array(problems["quad"]["A"]), np.array(problems["quad"]["b"])
    return x @ a.T - b


VALLEY = quadratic([1.0, 12.0], angle=0.4, x_star=[0.3, -0.2])
X0 = np.array([-1.0, 1.5])


def _zero(expr: Any) -> bool:
    if isinstance(expr, sp.MatrixBase):
        return all(sp.simplify(entry) == 0 for entry in expr)
    return bool(sp.simplify(expr) == 0)


def _unroll(expr: Any) -> Any:
    """Write out every finite Sum term by term, outermost first (no geometric closed forms)."""
    if isinstance(expr, sp.Sum):
        term, (var, low, high) = expr.function, expr.limits[0]
        return sp.Add(*[_unroll(term.subs(var, i)) for i in range(int(low), int(high) + 1)])
    if expr.args:
        return expr.func(*[_unroll(arg) for arg in expr.args])
    return expr


# --------------------------------------------------------------------------------------
# SymPy claims: equivalences
# --------------------------------------------------------------------------------------


def test_claim_lr_inside_equals_outside_for_one_step() -> None:
    inside, outside = claims.lr_inside_outside_step()
    assert _zero(sp.Matrix(inside) - sp.Matrix(outside))


def test_claim_ruder_form_is_sutskever_with_the_sign_flipped() -> None:
    ruder, sutskever = claims.ruder_form_step()
    assert _zero(sp.Matrix(ruder) - sp.Matrix(sutskever))


def test_claim_sum_form_is_polyaks_two_step_heavy_ball() -> None:
    sum_form, heavy_ball = claims.polyak_two_step()
    assert _zero(sum_form - heavy_ball)


def test_claim_ema_buffer_is_the_scaled_sum_buffer() -> None:
    m_next, scaled = claims.ema_sum_step()
    assert _zero(m_next - scaled)


def test_claim_adam_efficient_form_equals_algorithm_1() -> None:
    algorithm_1, efficient = claims.adam_efficient_form()
    assert _zero(algorithm_1 - efficient)
    numbers = {claims.b1: 0.9, claims.b2: 0.999, t: 3, eta: 0.1}
    numbers |= {claims.m_t: 0.2, claims.v_t: 0.05, claims.epsilon: 0.01}
    assert float(algorithm_1.subs(numbers)) == pytest.approx(float(efficient.subs(numbers)))


def test_claim_torch_trick_removes_bias_correction() -> None:
    torch_step, plain = claims.torch_without_bias_correction()
    assert _zero(torch_step - plain)


# --------------------------------------------------------------------------------------
# SymPy claims: breaks, checked against recursions unrolled here
# --------------------------------------------------------------------------------------


def test_claim_schedule_gap_after_one_changed_step() -> None:
    gap, closed = claims.schedule_step_gap()
    assert _zero(gap - closed)
    assert sp.solve(closed, claims.eta_next) == [eta]  # vanishes only if the rate is unchanged


def _unrolled_displacements(num_steps: int) -> tuple[sp.Expr, sp.Expr]:
    """x_n - x_0 of both forms from the recursions, with symbols g_s and eta_s."""
    gradients = [grads[s] for s in range(1, num_steps + 1)]
    schedule = [rates[s] for s in range(1, num_steps + 1)]
    b = v = x_sum = x_inside = sp.Integer(0)
    for g_s, eta_s in zip(gradients, schedule, strict=True):
        b = beta * b + g_s
        x_sum -= eta_s * b
        v = beta * v - eta_s * g_s
        x_inside += v
    return sp.expand(x_sum), sp.expand(x_inside)


@pytest.mark.parametrize("num_steps", [1, 2, 3, 5])
def test_claim_displacement_formulas_match_the_recursions(num_steps: int) -> None:
    x_sum, x_inside = _unrolled_displacements(num_steps)
    closed_sum = _unroll(claims.sum_form_displacement().subs(n_updates, num_steps))
    closed_inside = _unroll(claims.rate_inside_displacement().subs(n_updates, num_steps))
    assert sp.expand(closed_sum - x_sum) == 0
    assert sp.expand(closed_inside - x_inside) == 0
    same_rate = {rates[s]: eta for s in range(1, num_steps + 1)}
    assert sp.expand((x_sum - x_inside).subs(same_rate)) == 0


def test_displacements_differ_once_the_rate_changes() -> None:
    x_sum, x_inside = _unrolled_displacements(3)
    changed = {rates[1]: eta, rates[2]: eta, rates[3]: 2 * eta}
    assert sp.expand((x_sum - x_inside).subs(changed)) != 0


def _unrolled_buffers(num_steps: int) -> tuple[sp.Expr, sp.Expr]:
    """PyTorch's dampened buffer (b_1 = g_1) and the EMA (m_0 = 0), unrolled."""
    b = m = sp.Integer(0)
    for s in range(1, num_steps + 1):
        b = grads[1] if s == 1 else beta * b + (1 - beta) * grads[s]
        m = beta * m + (1 - beta) * grads[s]
    return b, m


@pytest.mark.parametrize("num_steps", [1, 2, 3, 4, 7])
def test_claim_buffers_and_their_gap_match_the_recursions(num_steps: int) -> None:
    b, m = _unrolled_buffers(num_steps)
    assert sp.expand(_unroll(claims.torch_dampened_buffer().subs(t, num_steps)) - b) == 0
    assert sp.expand(_unroll(claims.ema_buffer().subs(t, num_steps)) - m) == 0
    gap, closed = claims.dampening_gap()
    assert sp.expand(_unroll((gap - closed).subs(t, num_steps))) == 0
    assert sp.expand(b - m - beta**num_steps * grads[1]) == 0


def test_claim_dlb_velocity_weights_sum_to_eps_over_one_minus_alpha() -> None:
    total, closed = claims.dlb_weight_sum()
    alpha, epsilon = claims.alpha, claims.epsilon_lr
    # (1 - alpha) * sum handles the alpha = 1 branch of SymPy's Piecewise too
    assert _zero(sp.piecewise_fold((1 - alpha) * total.doit()) - epsilon * (1 - alpha**t))
    for num_steps in range(1, 6):
        assert _zero(total.subs(t, num_steps).doit() - closed.subs(t, num_steps))
    assert sp.limit(closed.subs(alpha, sp.Rational(9, 10)), t, sp.oo) == 10 * epsilon


def test_claim_ema_weights_sum_to_one_minus_beta_power() -> None:
    total, closed = claims.ema_weight_sum()
    for num_steps in range(1, 8):
        assert _zero(total.subs(t, num_steps).doit() - closed.subs(t, num_steps))


def test_claim_eps_inside_matching_depends_on_the_second_moment() -> None:
    inside, outside = claims.eps_inside_matching()
    assert sp.expand(inside**2 - outside**2) == 0  # both sides positive
    needed = claims.epsilon * (2 * sp.sqrt(claims.nu) + claims.epsilon)
    assert sp.diff(needed, claims.nu) != 0


def test_claim_eps_limits_outside_one_over_eps_inside_one_over_root_eps() -> None:
    outside, inside = claims.eps_outside_step(), claims.eps_inside_step()
    epsilon = claims.epsilon
    assert sp.limit(outside / g, g, 0, "+") == 1 / epsilon
    assert sp.limit(inside / g, g, 0, "+") == 1 / sp.sqrt(epsilon)
    assert sp.limit(outside, g, sp.oo) == 1
    assert sp.limit(inside, g, sp.oo) == 1


def test_claim_cs231n_slip_multiplies_by_more_than_one() -> None:
    slip, closed = claims.cs231n_sign_step()
    assert _zero(slip - closed)
    assert sp.simplify(closed / claims.x - 1) == eta * lam  # > 0: the slip climbs


def test_claim_ema_lookahead_is_theta_minus_eta_beta_m() -> None:
    drift, lookahead = claims.ema_lookahead()
    assert _zero(drift - lookahead)


# --------------------------------------------------------------------------------------
# Numeric bridges: the equivalences run with the library
# --------------------------------------------------------------------------------------


def test_chain_order_is_the_convention_at_a_constant_rate() -> None:
    """trace then scale = PyTorch/Distill; scale then trace = Sutskever/DLB (v = -lr b)."""
    outside = run(chain(trace(0.9), scale_by_learning_rate(0.05)), VALLEY.grad, X0, 60)
    inside = run(chain(scale_by_learning_rate(0.05), trace(0.9)), VALLEY.grad, X0, 60)
    np.testing.assert_allclose(inside.params, outside.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(inside.field("velocity"), -0.05 * outside.field("velocity"))


def test_ruder_form_is_the_same_iteration_with_a_positive_step_buffer() -> None:
    """Ruder (2016) and the source notes 000/001/004: v = gamma v + eta g, theta = theta - v."""
    ruder = run(chain(scale(0.05), trace(0.9), scale(-1.0)), VALLEY.grad, X0, 60)
    torch = run(momentum(0.05, 0.9), VALLEY.grad, X0, 60)
    np.testing.assert_allclose(ruder.params, torch.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ruder.field("velocity"), 0.05 * torch.field("velocity"))


def test_polyak_two_step_form_matches_the_sum_form() -> None:
    """x_{t+1} = x_t - eta grad f(x_t) + beta (x_t - x_{t-1}), x_{-1} = x_0 (Polyak 1964)."""
    prev, x = X0.copy(), X0.copy()
    path = [x]
    for _ in range(60):
        prev, x = x, x - 0.05 * VALLEY.grad(x) + 0.9 * (x - prev)
        path.append(x)
    np.testing.assert_allclose(np.array(path), run(momentum(0.05, 0.9), VALLEY.grad, X0, 60).params)


@given(st.floats(0.0, 0.99), st.floats(1e-3, 0.1))
def test_ema_form_with_rate_over_one_minus_beta_is_the_sum_form(b: float, lr: float) -> None:
    ema = run(ema_momentum(lr / (1 - b), b), VALLEY.grad, X0, 30)
    total = run(momentum(lr, b), VALLEY.grad, X0, 30)
    np.testing.assert_allclose(ema.params, total.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ema.field("velocity"), (1 - b) * total.field("velocity"), atol=1e-12)


# --------------------------------------------------------------------------------------
# Numeric bridges: the breaks
# --------------------------------------------------------------------------------------


def test_sum_form_under_a_step_schedule_is_torchs_recorded_run() -> None:
    arrays, configs, _ = _fixture()
    config = configs["momentum_lr_step__quad"]
    lr, at, factor = config["kwargs"]["lr"], config["lr_step"]["at"], config["lr_step"]["factor"]
    schedule = cv.step_decay(lr, at, factor)
    x0 = np.array(config["x0"])
    ours = run(momentum(schedule, config["kwargs"]["momentum"]), quad_grad, x0, 30).params
    sutskever = run(sutskever_momentum(schedule, 0.9), quad_grad, x0, 30).params
    np.testing.assert_allclose(ours, arrays["momentum_lr_step__quad"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(sutskever[: at + 1], ours[: at + 1], atol=1e-12)
    assert np.abs(sutskever - arrays["momentum_lr_step__quad"]).max() > 1e-2


def test_first_step_after_the_change_differs_by_beta_times_rate_change_times_buffer() -> None:
    at, factor, b = 7, 0.3, 0.8
    runs = cv.schedule_runs(at=at, factor=factor, beta=b, num_steps=at + 1)
    torch_like = run(
        momentum(cv.SCHEDULE_RATE, b), TORCH_FIXTURE.problem().grad, TORCH_FIXTURE.start, at
    )
    buffer = torch_like.field("velocity")[-1]  # b_at, before the change
    expected = -b * (cv.SCHEDULE_RATE * factor - cv.SCHEDULE_RATE) * buffer
    np.testing.assert_allclose(runs["sum"].params[-1] - runs["inside"].params[-1], expected)


def test_schedule_figure_settings_split_the_forms() -> None:
    runs = cv.schedule_runs()
    at = cv.SCHEDULE_AT
    np.testing.assert_allclose(runs["sum"].params[: at + 1], runs["inside"].params[: at + 1])
    after_sum = cv.step_lengths(runs["sum"])[at]
    after_inside = cv.step_lengths(runs["inside"])[at]
    assert after_sum < 0.3 * after_inside  # PyTorch brakes at once, Sutskever coasts


@pytest.mark.parametrize("b", cv.DAMPENING_BETAS)
def test_dampening_gap_is_beta_power_times_first_gradient(b: float) -> None:
    grads = cv.dampening_gradients()
    pair = cv.buffers(b, grads)
    steps = np.arange(1, grads.shape[0] + 1)[:, None]
    np.testing.assert_allclose(pair["torch"] - pair["ema"], b**steps * grads[0], atol=1e-15)


def test_torch_dampening_is_not_the_ema_form() -> None:
    """momentum_damp09: torch's buffer starts at g_1; the EMA with the same lr does not match."""
    arrays, configs, _ = _fixture()
    config = configs["momentum_damp09__quad"]
    lr, x0 = config["kwargs"]["lr"], np.array(config["x0"])
    torch_like = run(from_torch("SGD", **config["kwargs"]), quad_grad, x0, 30).params
    ema = run(ema_momentum(lr, 0.9), quad_grad, x0, 30).params
    np.testing.assert_allclose(torch_like, arrays["momentum_damp09__quad"], rtol=0, atol=1e-10)
    assert np.abs(ema - arrays["momentum_damp09__quad"]).max() > 1e-3


def test_constant_gradient_torch_dampened_buffer_is_already_unbiased() -> None:
    pair = cv.buffers(0.9, np.ones((20, 1)))
    np.testing.assert_allclose(pair["torch"], 1.0)
    np.testing.assert_allclose(pair["ema"][:, 0], 1 - 0.9 ** np.arange(1, 21))


def test_steady_steps_match_the_sympy_expressions() -> None:
    epsilon = 1e-4
    grads = np.geomspace(1e-8, 1.0, 9)
    outside = sp.lambdify(g, claims.eps_outside_step().subs(claims.epsilon, epsilon))
    inside = sp.lambdify(g, claims.eps_inside_step().subs(claims.epsilon, epsilon))
    steps = cv.steady_steps(grads, epsilon)
    np.testing.assert_allclose(steps["outside"], outside(grads))
    np.testing.assert_allclose(steps["inside"], inside(grads))
    half = cv.steady_steps(np.array([epsilon, math.sqrt(epsilon)]), epsilon)
    assert half["outside"][0] == pytest.approx(0.5)  # |g| = eps halves the outside step
    assert half["inside"][1] == pytest.approx(1 / math.sqrt(2))  # |g| = sqrt(eps) inside


def test_eps_inside_and_outside_rmsprop_differ_and_converge_for_large_gradients() -> None:
    inside = run(rmsprop(0.01, eps=0.1, eps_in_sqrt=True), VALLEY.grad, X0, 20).params
    outside = run(rmsprop(0.01, eps=0.1), VALLEY.grad, X0, 20).params
    assert np.abs(inside - outside).max() > 1e-3
    big = 1e6 * np.ones((5, 1))
    a = replay_gradients(rmsprop(1.0, eps=1e-8, eps_in_sqrt=True), big).params
    b = replay_gradients(rmsprop(1.0, eps=1e-8), big).params
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_eps_table_agrees_with_torch_defaults_of_the_bridge() -> None:
    names = {"Adagrad": "Adagrad", "RMSProp": "RMSprop", "Adam": "Adam", "Adadelta": "Adadelta"}
    rows = [row for row in cv.EPS_PLACEMENT if row.source.startswith("PyTorch")]
    assert {row.method for row in rows} == set(names)
    for row in rows:
        assert row.eps == TORCH_DEFAULTS[names[row.method]]["eps"]
        inside = r"+ \epsilon}" in row.formula
        assert inside == (row.method == "Adadelta")  # torch: outside except Adadelta


def test_keras_effective_eps_is_eps_hat_over_root_bias_correction() -> None:
    steps = np.array([1, 10, 100, 10_000])
    out = cv.keras_effective_eps(1e-7, 0.999, steps)
    np.testing.assert_allclose(out, 1e-7 / np.sqrt(1 - 0.999**steps))
    assert out[0] == pytest.approx(1e-7 / math.sqrt(1e-3))  # 31.6 times at t = 1


# --------------------------------------------------------------------------------------
# Common mistakes
# --------------------------------------------------------------------------------------


def test_cs231n_sign_slip_climbs_and_the_fix_descends() -> None:
    """'v = rho*v + lr*dx; x += v' ascends; 'x -= v' is Ruder's (correct) form."""
    x_slip = x_fix = X0.copy()
    v_slip = v_fix = np.zeros(2)
    for _ in range(30):
        v_slip = 0.9 * v_slip + 0.01 * VALLEY.grad(x_slip)
        x_slip = x_slip + v_slip
        v_fix = 0.9 * v_fix + 0.01 * VALLEY.grad(x_fix)
        x_fix = x_fix - v_fix
    assert VALLEY.value(x_slip) > 100 * VALLEY.value(X0)
    assert VALLEY.value(x_fix) < 0.1 * VALLEY.value(X0)


def test_dlb_velocity_is_a_sum_not_an_average() -> None:
    """Under g = 1 the DLB velocity v <- alpha v - eps g tends to -eps/(1 - alpha), not -eps."""
    traj = replay_gradients(sutskever_momentum(0.01, 0.9), np.ones((200, 1)))
    velocity = traj.field("velocity")[1:, 0]
    steps = np.arange(1, 201)
    np.testing.assert_allclose(velocity, -0.01 * (1 - 0.9**steps) / (1 - 0.9))
    assert velocity[-1] == pytest.approx(-0.1, rel=1e-8)  # ten times the rate


def _ema_nag(lookahead_scale: float, alpha: float, b: float, num_steps: int) -> np.ndarray:
    """EMA-form NAG: m = b m + (1-b) grad f(theta - c m), theta -= alpha m, c = lookahead_scale."""
    theta, m = X0.copy(), np.zeros(2)
    path = [theta]
    for _ in range(num_steps):
        m = b * m + (1 - b) * VALLEY.grad(theta - lookahead_scale * m)
        theta = theta - alpha * m
        path.append(theta)
    return np.array(path)


def test_ema_nesterov_needs_the_lookahead_theta_minus_alpha_beta_m() -> None:
    """With look-ahead alpha*beta*m it is Sutskever's NAG with eps = alpha (1 - beta).

    With beta*m it is not.
    """
    alpha, b = 0.3, 0.9
    reference = sutskever_nag(VALLEY.grad, X0, alpha * (1 - b), b, 40).params
    right = _ema_nag(alpha * b, alpha, b, 40)
    np.testing.assert_allclose(right, reference, atol=1e-12)
    for wrong_scale in (b, alpha):  # theta - beta m, and theta - alpha m (Prince, before 2024)
        wrong = _ema_nag(wrong_scale, alpha, b, 40)
        assert np.abs(wrong - reference).max() > 1e-2


# --------------------------------------------------------------------------------------
# Solutions
# --------------------------------------------------------------------------------------

FORM_CHAINS = {
    "sum": lambda lr, b: chain(trace(b), scale(-lr)),
    "rate_inside": lambda lr, b: chain(scale(-lr), trace(b)),
    "ruder": lambda lr, b: chain(scale(lr), trace(b), scale(-1.0)),
    "ema": lambda lr, b: chain(ema(b), scale(-lr)),
}


@pytest.mark.parametrize("form", sol.FORMS)
def test_solution_torch_arguments_reproduce_each_form(form: str) -> None:
    lr, b = 0.2, 0.8
    written = run(FORM_CHAINS[form](lr, b), VALLEY.grad, X0, 40)
    torch_like = run(from_torch("SGD", **sol.torch_sgd_arguments(form, lr, b)), VALLEY.grad, X0, 40)
    np.testing.assert_allclose(written.params, torch_like.params, rtol=0, atol=1e-12)
    factor = sol.torch_buffer_factor(form, lr, b)
    np.testing.assert_allclose(
        factor * written.field("velocity")[1:], torch_like.field("velocity")[1:], atol=1e-12
    )


def test_solution_forms_reject_unknown_names() -> None:
    with pytest.raises(ValueError, match="form"):
        sol.torch_sgd_arguments("adam", 0.1, 0.9)
    with pytest.raises(ValueError, match="form"):
        sol.torch_buffer_factor("nesterov", 0.1, 0.9)


def test_solution_ema_and_sum_coincide_under_any_rate_schedule_not_under_a_beta_schedule() -> None:
    grads = list(np.random.default_rng(1).standard_normal(50))
    warm_up = lambda step: 0.1 * min(1.0, step / 10)  # noqa: E731
    assert sol.ema_sum_gap(warm_up, lambda step: 0.9, grads) < 1e-12
    ramp = lambda step: 0.5 if step < 20 else 0.95  # noqa: E731
    assert sol.ema_sum_gap(warm_up, ramp, grads) > 1e-2


def test_solution_keras_adam_equals_torch_with_converted_eps() -> None:
    """Keras' eps_hat equals PyTorch's eps_t = eps_hat / sqrt(1 - b2^t) (Kingma & Ba 2015, §2)."""
    lr, b1, b2, eps_hat = 0.1, 0.9, 0.999, 0.05
    x = X0.copy()
    mu = nu = np.zeros(2)
    state = AdamState(0, np.zeros(2), np.zeros(2))
    for step in range(1, 26):
        grads = VALLEY.grad(x)
        keras_step, mu, nu = sol.keras_adam_step(grads, mu, nu, step, lr, b1, b2, eps_hat)
        direction, state = scale_by_adam(b1, b2, sol.torch_eps_for_keras(eps_hat, b2, step)).update(
            grads, state, x
        )
        np.testing.assert_allclose(keras_step, -lr * direction, rtol=1e-12)
        x = x + keras_step
    same_eps = run(adam(lr, b1, b2, eps_hat), VALLEY.grad, X0, 25).params[-1]
    assert (
        np.abs(same_eps - x).max() > 1e-3
    )  # the same number in both libraries is not the same eps


def test_solution_no_single_rate_compensates_a_keras_eps() -> None:
    ratio = sol.keras_rate_ratio(np.array([1e-6, 1.0]), 1e-3, 0.999, 5)
    assert ratio[0] > 1.5 * ratio[1]  # differs per coordinate
    assert sol.keras_rate_ratio(np.array([1e-6]), 1e-3, 0.999, 50_000)[0] == pytest.approx(1.0)
    assert sol.keras_rate_ratio(np.array([0.3]), 0.0, 0.999, 1)[0] == 1.0


def test_solution_torch_per_step_hyperparameters_reproduce_the_recorded_run() -> None:
    """adam_no_bias_correction__quad was recorded with torch.optim.Adam and per-step lr, eps."""
    arrays, configs, _ = _fixture()
    config = configs["adam_no_bias_correction__quad"]
    lr, (b1, b2), eps = config["kwargs"]["lr"], (0.9, 0.999), 1e-8
    x = np.array(config["x0"])
    m = v = np.zeros(2)
    path = [x]
    for step in range(1, 31):  # torch's rule (torch_optim_rules.md, Adam) with lr_t, eps_t
        lr_t, eps_t = sol.no_bias_correction_hyperparameters(lr, eps, b1, b2, step)
        grads = quad_grad(x)
        m = b1 * m + (1 - b1) * grads
        v = b2 * v + (1 - b2) * grads**2
        x = x - lr_t / (1 - b1**step) * m / (np.sqrt(v) / math.sqrt(1 - b2**step) + eps_t)
        path.append(x)
    np.testing.assert_allclose(np.array(path), arrays["adam_no_bias_correction__quad"], atol=1e-10)
    ours = run(adam(lr, b1, b2, eps, bias_correction=False), quad_grad, np.array(config["x0"]), 30)
    np.testing.assert_allclose(ours.params, arrays["adam_no_bias_correction__quad"], atol=1e-10)


def test_schedule_explorer_defaults_are_the_figure() -> None:
    import matplotlib.pyplot as plt

    explorer = viz.schedule_explorer()
    try:
        state = explorer.update()
        runs = cv.schedule_runs()
        np.testing.assert_array_equal(state["sum"], runs["sum"].params)
        np.testing.assert_array_equal(state["inside"], runs["inside"].params)
        warm_up = explorer.update(factor=2.0)  # a rate increase also splits the forms
        assert warm_up["final_gap"] > 1e-3
        constant = explorer.update(factor=1.0)
        assert constant["final_gap"] < 1e-12
    finally:
        plt.close(explorer.figure)


def test_distills_loop_and_the_library_coincide_to_the_last_bit() -> None:
    """The appendix says Distill's loop (z <- beta z + grad f(w), w <- w - alpha z) and the
    book's momentum coincide to the last bit on the fixture's valley: exact equality."""
    valley, x0 = TORCH_FIXTURE.problem(), TORCH_FIXTURE.start
    z, w, distill = np.zeros(2), x0.copy(), [x0]
    for _ in range(30):
        z = 0.9 * z + valley.grad(w)
        w = w - 0.04 * z
        distill.append(w)
    book = run(momentum(0.04, 0.9), valley.grad, x0, 30).params
    np.testing.assert_array_equal(np.array(distill), book)
