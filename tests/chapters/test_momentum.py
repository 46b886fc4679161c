"""Tests for the chapter *Momentum*.

Oracles, in order of independence from the code under test:

* SymPy: every claim of ``gdbook.derivations.momentum`` is an identity (derived == claimed);
* closed forms and plain loops written out here (``numpy.linalg.eigvals`` of the 2 x 2
  iteration matrix, a hand-written Polyak two-step loop, dense grids over the spectrum,
  a linear solve for the 3-cycle);
* published numbers, named in each docstring: Goh (2017) "Why momentum really works",
  Polyak (1964), Sutskever et al. (2013), Lessard, Recht & Packard (2016, sec. 4.6),
  Goodfellow et al. (2016, sec. 8.3.2), Zhang et al. (D2L, 2023) and the facts F5-F13,
  F27-F29 of the research notes.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp
from gdbook.base import Optimizer, run
from gdbook.derivations import L, beta, eta, g, kappa, lam, mu, t, z
from gdbook.derivations import momentum as claims
from gdbook.examples import VALLEY
from gdbook.gradient_descent import gradient_descent, iterations_to_tolerance
from gdbook.measure import empirical_rate, loglog_slope
from gdbook.momentum import (
    REGIMES,
    critical_damping_beta,
    double_root_error,
    ema_momentum,
    ema_timescales,
    heavy_ball_eigenvalues,
    heavy_ball_matrix,
    heavy_ball_rate,
    heavy_ball_rate_on_spectrum,
    heavy_ball_regime,
    momentum,
    optimal_heavy_ball,
    replay_gradients,
    simulated_rate,
    steps_to_fraction,
    sutskever_beta,
    sutskever_momentum,
    terminal_velocity,
    trace,
    velocity_weights,
)
from gdbook.nesterov import nesterov_beta
from gdbook.problems import quadratic
from gdbook_solutions import momentum as solutions
from hypothesis import given
from hypothesis import strategies as st


def _zero(expr: sp.Expr) -> bool:
    return bool(sp.simplify(expr) == 0)


def _polyak_loop(grad, x0, eta_, beta_, num_steps):  # type: ignore[no-untyped-def]
    """Polyak (1964): x_{k+1} = x_k - eta grad f(x_k) + beta (x_k - x_{k-1}), x_{-1} = x_0."""
    prev, x = np.array(x0, float), np.array(x0, float)
    path = [x]
    for _ in range(num_steps):
        prev, x = x, x - eta_ * grad(x) + beta_ * (x - prev)
        path.append(x)
    return np.stack(path)


def test_every_public_claim_is_tested() -> None:
    """Every public function of ``gdbook.derivations.momentum`` is named by a test of the
    chapter (the sequel's claims live in ``derivations.momentum_limits``)."""
    public = {
        n
        for n, f in vars(claims).items()
        if callable(f) and not n.startswith("_") and getattr(f, "__module__", "") == claims.__name__
    }
    here = Path(__file__)
    named = {
        node.attr
        for path in (here,)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "claims"
    }
    assert public - named == set(), f"claims no test names: {sorted(public - named)}"


# --------------------------------------------------------------------------------------
# The buffer as a decaying sum; terminal velocity
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("num_steps", [1, 2, 5, 8])
def test_velocity_is_the_sum_of_past_gradients(num_steps: int) -> None:
    derived, claimed = claims.velocity_as_sum(num_steps)
    assert sp.expand(derived - claimed) == 0


def test_velocity_sum_formula_written_out_and_replayed() -> None:
    """The printed b_t = sum_i beta^(t-i) g_i: at t = 3 it is beta^2 g_1 + beta g_2 + g_3, and at
    t = 7 with numbers it is the buffer of a replay."""
    formula = claims.velocity_sum_formula()
    grads = claims.grads  # the shared g_i
    expected = beta**2 * grads[1] + beta * grads[2] + grads[3]
    assert sp.expand(formula.subs(t, 3).doit() - expected) == 0
    values = np.random.default_rng(3).standard_normal(7)
    at_7 = formula.subs(t, 7).doit().subs({grads[i + 1]: v for i, v in enumerate(values)})
    buffer = replay_gradients(momentum(1.0, 0.7), values[:, None]).field("velocity")[-1, 0]
    assert float(at_7.subs(beta, 0.7)) == pytest.approx(buffer, rel=1e-12)


def test_velocity_weights_are_powers_of_beta_and_match_the_buffer() -> None:
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((12, 1))
    traj = replay_gradients(momentum(1.0, 0.7), grads)
    weights = velocity_weights(0.7, 12)  # beta^k for age k
    expected = weights @ grads[::-1, 0]  # b_12 = sum_k beta^k g_{12-k}
    assert traj.field("velocity")[-1, 0] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(weights, 0.7 ** np.arange(12))


def test_weight_sum_and_terminal_velocity_symbolic() -> None:
    for derive in (claims.velocity_weight_sum, claims.terminal_velocity, claims.velocity_fraction):
        derived, claimed = derive()
        assert _zero(derived - claimed), derive.__name__
    _, terminal = claims.terminal_velocity()
    assert terminal.subs({eta: 1, g: 1, beta: sp.Rational(9, 10)}) == 10


def test_terminal_velocity_is_ten_times_at_beta_09_measured() -> None:
    """Goodfellow et al. (2016, eq. 8.17): step eps*|g|/(1-alpha); 10x for alpha = 0.9."""
    learning_rate, b = 0.01, 0.9
    traj = replay_gradients(momentum(learning_rate, b), np.full((400, 1), 2.0))
    final_step = -(traj.params[-1, 0] - traj.params[-2, 0])
    assert final_step == pytest.approx(learning_rate * 2.0 * 10, rel=1e-12)
    assert terminal_velocity(learning_rate, b, 2.0) == pytest.approx(0.2, rel=1e-12)
    weight_sum = claims.velocity_weight_sum()[1]
    b_t = traj.field("velocity")[:, 0]
    for step in (1, 5, 30):
        assert b_t[step] == pytest.approx(2.0 * float(weight_sum.subs({beta: b, t: step})))


def test_time_to_fraction_symbolic_and_measured() -> None:
    """F15: reaching 95% of the terminal velocity at beta = 0.9 takes k = 28.4, so step 29."""
    derived, claimed = claims.time_to_fraction()
    assert _zero(sp.expand_log(derived - claimed, force=True))
    q = sp.Symbol("q", positive=True)
    k95 = float(claimed.subs({q: sp.Rational(95, 100), beta: sp.Rational(9, 10)}))
    assert k95 == pytest.approx(math.log(0.05) / math.log(0.9))
    assert float(steps_to_fraction(0.9, 0.95)) == pytest.approx(k95, rel=1e-12)
    assert round(k95, 1) == 28.4
    assert solutions.first_step_reaching(0.9, 0.95, num_steps=60) == math.ceil(k95) == 29
    for b in (0.5, 0.8, 0.9, 0.99):  # the table of ex-momentum-terminal, measured
        for frac in (0.5, 0.9, 0.99):
            expected = math.ceil(math.log(1 - frac) / math.log(b) - 1e-9)
            assert solutions.first_step_reaching(b, frac, num_steps=500) == expected


def test_alternating_gradients_cancel() -> None:
    """Gradients g, -g, g, ... leave |b_t| -> g/(1+beta): 0.53 g instead of 10 g at beta = 0.9."""
    derived, claimed = claims.alternating_velocity()
    assert _zero(derived - claimed)
    flips = (-1.0) ** np.arange(400)[:, None]
    b_t = replay_gradients(momentum(1.0, 0.9), flips).field("velocity")[:, 0]
    assert abs(b_t[-1]) == pytest.approx(1 / 1.9, rel=1e-12)
    assert abs(b_t[-2]) == pytest.approx(1 / 1.9, rel=1e-12)


# --------------------------------------------------------------------------------------
# EMA timescales (F29) and D2L's half-life
# --------------------------------------------------------------------------------------


def test_ema_claims_symbolic() -> None:
    for derive in (claims.ema_weight_sum, claims.ema_mean_age):
        derived, claimed = derive()
        assert _zero(derived - claimed), derive.__name__
    derived, claimed = claims.ema_half_life()
    assert _zero(sp.expand_log(derived - claimed, force=True))


def test_ema_weights_sum_to_one_minus_beta_t_in_the_ema_buffer() -> None:
    traj = replay_gradients(ema_momentum(1.0, 0.9), np.ones((30, 1)))
    m_t = traj.field("velocity")[:, 0]
    np.testing.assert_allclose(m_t, 1 - 0.9 ** np.arange(31), rtol=1e-12, atol=1e-15)


def test_timescales_against_independent_sums() -> None:
    """Window = sum of weights, mean age = weighted mean of k, half-life solves beta^h = 1/2."""
    ages = np.arange(200_000)
    for b in (0.5, 0.9, 0.99):
        weights = b**ages
        scales = ema_timescales(b)
        assert weights.sum() == pytest.approx(float(scales.window), rel=1e-9)
        assert (ages * weights).sum() / weights.sum() == pytest.approx(float(scales.mean_age))
        assert b ** float(scales.half_life) == pytest.approx(0.5, rel=1e-12)


def test_half_lives_and_d2l_error() -> None:
    """F29: half-lives 6.58 / 68.97 / 692.80 (beta = .9/.99/.999).

    Zhang et al. (D2L, 2023, sec. 12.8/12.9) call 1/gamma the half-life and say rho = 0.9
    "amounts to a half-life of 10"; both fail.
    """
    half = ema_timescales([0.9, 0.99, 0.999]).half_life
    np.testing.assert_allclose(half, [6.5788, 68.9676, 692.8005], atol=5e-4)
    np.testing.assert_allclose(solutions.half_lives((0.9, 0.99, 0.999)), half, rtol=1e-12)
    assert abs(half[0] - 10.0) > 3.0  # "rho = 0.9 ~ half-life 10" is wrong
    assert abs(half[0] - 1 / 0.9) > 5.0  # "half-life gamma^-1" is wrong
    beta_10 = solutions.beta_with_half_life(10.0)
    assert beta_10**10 == pytest.approx(0.5) and beta_10 == pytest.approx(0.933, abs=1e-3)


def test_timescales_validate_beta() -> None:
    with pytest.raises(ValueError, match="beta"):
        ema_timescales(1.0)
    with pytest.raises(ValueError, match="fraction"):
        steps_to_fraction(0.9, 1.0)


# --------------------------------------------------------------------------------------
# Three forms: sum (PyTorch), EMA, Sutskever (F27)
# --------------------------------------------------------------------------------------


def test_form_equivalences_symbolic() -> None:
    for derive in (
        claims.ema_form_equals_sum_form,
        claims.sutskever_equals_sum_form,
        claims.polyak_two_step_form,
    ):
        derived, claimed = derive()
        assert sp.expand(derived - claimed) == 0, derive.__name__


@given(
    b=st.floats(0.0, 0.99),
    learning_rate=st.floats(1e-3, 0.5),
    seed=st.integers(0, 2**16),
)
def test_ema_form_is_sum_form_with_rate_times_one_minus_beta(
    b: float, learning_rate: float, seed: int
) -> None:
    grads = np.random.default_rng(seed).standard_normal((15, 3))
    ema = replay_gradients(ema_momentum(learning_rate, b), grads).params
    summed = replay_gradients(momentum(learning_rate * (1 - b), b), grads).params
    np.testing.assert_allclose(ema, summed, rtol=1e-10, atol=1e-12)


@given(b=st.floats(0.0, 0.99), learning_rate=st.floats(1e-3, 0.5), seed=st.integers(0, 2**16))
def test_sutskever_is_sum_form_for_constant_rate(b: float, learning_rate: float, seed: int) -> None:
    grads = np.random.default_rng(seed).standard_normal((15, 2))
    a = replay_gradients(sutskever_momentum(learning_rate, b), grads).params
    c = replay_gradients(momentum(learning_rate, b), grads).params
    np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)


def test_forms_differ_under_a_schedule_by_the_derived_amount() -> None:
    """Rate 0.1 then 0.05: after two steps the forms differ by beta*(eta2 - eta1)*g1."""
    derived, claimed = claims.schedule_breaks_equivalence()
    eta_1, eta_2, g_1, _ = sp.symbols("eta_1 eta_2 g_1 g_2", real=True)
    assert sp.expand(derived - claimed - beta * (eta_2 - eta_1) * g_1) == 0
    grads = np.array([[1.0], [0.3]])

    def schedule(step: int) -> float:
        return 0.1 if step == 1 else 0.05

    a = replay_gradients(sutskever_momentum(schedule, 0.9), grads).params[-1, 0]
    c = replay_gradients(momentum(schedule, 0.9), grads).params[-1, 0]
    assert a - c == pytest.approx(0.9 * (0.05 - 0.1) * 1.0, rel=1e-12)


def test_sum_form_is_polyaks_heavy_ball() -> None:
    """Polyak (1964) writes x_{k+1} = x_k - a grad f(x_k) + b (x_k - x_{k-1}): our momentum.

    Also the correction to seed 004 ("Polyak's restart method") and to Ruder's credit to
    Qian (1999): the 1964 method is this update.
    """
    problem = VALLEY.problem()
    x0 = np.array([-3.5, 0.5])
    ours = run(momentum(0.7, 0.6), problem.grad, x0, 60).params
    np.testing.assert_allclose(ours, _polyak_loop(problem.grad, x0, 0.7, 0.6, 60), atol=1e-12)


def test_from_scratch_solution_matches_the_library() -> None:
    problem = VALLEY.problem()
    x0 = np.array([-3.5, 0.5])
    mine = solutions.momentum_from_scratch(problem.grad, x0, 1.0, 0.6, 50)
    # "agree to the last bit": the same floating-point operations in the same order
    np.testing.assert_array_equal(mine, run(momentum(1.0, 0.6), problem.grad, x0, 50).params)


@pytest.mark.parametrize("num_steps", [1, 2, 5])
def test_unrolled_momentum_has_a_minus_sign(num_steps: int) -> None:
    """F11: Goh (2017) prints x_{k+1} = x_0 + alpha * sum(...); the sign must be minus."""
    derived, claimed = claims.unrolled_momentum(num_steps)
    assert _zero(derived - claimed)
    x0 = sp.Symbol("x_0", real=True)
    distill = 2 * x0 - claimed  # x_0 + (the same sum)
    assert not _zero(derived - distill)


def test_momentum_uses_only_gradients_numerically() -> None:
    """Seed 002 says momentum "also considers second derivatives": x_k - x_0 is a
    combination of the gradients met on the way (F11), with the coefficients of the
    printed formula ``unrolled_momentum_formula``."""
    problem = VALLEY.problem()
    x0 = np.array([-3.5, 0.5])
    learning_rate, b, n = 0.8, 0.7, 12
    path = run(momentum(learning_rate, b), problem.grad, x0, n).params
    grads = problem.grad(path[:-1])  # grad f(x_i), i = 0..n-1
    formula = sp.expand(claims.unrolled_momentum_formula().subs(claims.k, n - 1).doit())
    g_i = claims.grads  # the shared g_i
    coeffs = np.array(
        [float(formula.coeff(g_i[i]).subs({eta: learning_rate, beta: b})) for i in range(n)]
    )
    np.testing.assert_allclose(coeffs, -learning_rate * (1 - b ** (n - np.arange(n))) / (1 - b))
    np.testing.assert_allclose(path[-1], x0 + coeffs @ grads, atol=1e-12)


def test_beta_is_a_retention_not_a_friction() -> None:
    """cs231n reads mu as a friction coefficient; with no gradient b_k = beta^k b_0."""
    grads = np.concatenate([np.ones((1, 1)), np.zeros((20, 1))])
    for b in (0.5, 0.9, 0.99):
        b_t = replay_gradients(momentum(1.0, b), grads).field("velocity")[1:, 0]
        np.testing.assert_allclose(b_t[1:] / b_t[:-1], b, rtol=1e-12)
    assert np.all(np.diff(ema_timescales([0.5, 0.9, 0.99]).half_life) > 0)


def test_beta_one_never_settles() -> None:
    """Seed 003 allows gamma in (0, 1]; at beta = 1 the rate is 1 (nothing decays).

    A plain Polyak loop with beta = 1 on f = x^2/2 keeps oscillating with the same
    amplitude after 2000 steps, while beta = 0.99 has decayed by 0.99^(2000/2).
    """
    assert heavy_ball_rate(0.5, 1.0, 1.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="beta"):
        trace(1.0)
    frozen = _polyak_loop(lambda x: x, [1.0], 0.5, 1.0, 2000)[:, 0]
    early, late = np.abs(frozen[:100]).max(), np.abs(frozen[-100:]).max()
    assert late == pytest.approx(early, rel=0.05) and late > 0.5
    decaying = _polyak_loop(lambda x: x, [1.0], 0.5, 0.99, 2000)[:, 0]
    assert np.abs(decaying[-100:]).max() < 1e-3


def test_an_old_gradient_weighs_beta_to_its_age_whatever_the_rate() -> None:
    """Goodfellow et al. (2016, sec. 8.3.2): "The larger alpha is relative to epsilon, the
    more previous gradients affect the current direction" (seed 002 copies it).

    In their form v <- alpha v - eps g, x <- x + v, the last step is linear in the
    gradients; replayed as unit impulses, a gradient k steps old moves it alpha^k times as
    much as the newest, for every learning rate eps.
    """
    num_steps = 12
    for b in (0.5, 0.9):
        for learning_rate in (1e-3, 0.1, 3.0):
            last_steps = []
            for age in range(num_steps):
                impulse = np.zeros((num_steps, 1))
                impulse[num_steps - 1 - age] = 1.0
                path = replay_gradients(sutskever_momentum(learning_rate, b), impulse).params
                last_steps.append(path[-1, 0] - path[-2, 0])
            relative = np.array(last_steps) / last_steps[0]
            np.testing.assert_allclose(relative, b ** np.arange(num_steps), rtol=1e-12)


def _steep_coordinate(opt: Optimizer, num_steps: int) -> np.ndarray:
    """Error along the valley's steep eigenvector, started there at rest (y_0 = 1)."""
    problem = VALLEY.problem()
    axis = problem.eigenvectors[:, np.argmax(problem.eigenvalues)]
    return np.asarray(run(opt, problem.grad, axis, num_steps).params @ axis)


def test_tuned_momentum_first_widens_the_swing_across_the_valley() -> None:
    """Ruder (2016, sec. 4.1): momentum "dampens oscillations" (seed 001: smaller ones).

    Tuned for the valley (kappa = 10), the steep coordinate has the double root -rho*: its
    error (1 + (1 + rho*) k)(-rho*)^k flips sign at every step like gradient descent's
    (1 - eta* L)^k, overshoots the start in its first swing (|y_1| = 1.31 > 1) and stays
    wider than gradient descent's for the first four steps.
    """
    mu, L = 1 / VALLEY.kappa, 1.0
    tuned = optimal_heavy_ball(mu, L)
    hb = _steep_coordinate(momentum(float(tuned.learning_rate), float(tuned.beta)), 8)
    gd_path = _steep_coordinate(gradient_descent(2 / (mu + L)), 8)
    assert abs(hb[1]) > 1 > abs(gd_path[1])
    assert np.all(np.abs(hb[1:5]) > np.abs(gd_path[1:5]))
    assert np.all(np.sign(hb[1:]) == -np.sign(hb[:-1]))
    k, rho = np.arange(9), float(tuned.rate)
    np.testing.assert_allclose(hb, (1 + (1 + rho) * k) * (-rho) ** k, rtol=1e-9)


def test_a_beta_above_the_tuned_one_is_slower_at_every_rate() -> None:
    """Zhang et al. (D2L, sec. 12.6.3): "in general large values of beta are desirable".

    The roots of R = [[beta, lam], [-eta beta, 1 - eta lam]] multiply to beta, so for every
    learning rate the slower root has modulus >= sqrt(beta). On the valley the tuned
    beta* is 0.27 with rate 0.52; beta = 0.9 cannot beat sqrt(0.9) = 0.95, and a run with
    its best stable learning rate ends far behind the tuned one.
    """
    mu, L = 1 / VALLEY.kappa, 1.0
    tuned = optimal_heavy_ball(mu, L)
    assert float(tuned.beta) == pytest.approx(0.2699, abs=1e-4)
    b = 0.9
    etas = np.linspace(0.01, 2 * (1 + b) / L, 400, endpoint=False)  # every stable rate
    for lam_ in (mu, L):
        matrices = np.array([[[b, lam_], [-eta_ * b, 1 - eta_ * lam_]] for eta_ in etas])
        moduli = np.abs(np.linalg.eigvals(matrices)).max(axis=1)
        assert moduli.min() >= math.sqrt(b) * (1 - 1e-9) > float(tuned.rate)
    problem = VALLEY.problem()
    ends = [
        np.linalg.norm(run(momentum(eta_, b), problem.grad, VALLEY.start, 60).params[-1])
        for eta_ in etas[::20]
    ]
    tuned_end = run(
        momentum(float(tuned.learning_rate), float(tuned.beta)), problem.grad, VALLEY.start, 60
    ).params[-1]
    assert np.linalg.norm(tuned_end) < 1e-6 * min(ends)


def test_course_notes_form_is_the_sum_form() -> None:
    """Seeds 000 and 001 write v_i = gamma v_{i-1} + eta grad, theta = theta - v.

    A plain loop in that form gives the iterates of momentum(eta, gamma) (constant eta),
    and under a constant gradient v_1 = eta g, v_2 = (1 + gamma) eta g,
    v_3 = (1 + gamma + gamma^2) eta g, tending to eta g / (1 - gamma) (seed 001, eq. 4-6).
    """
    problem = VALLEY.problem()
    x, v = np.array([-3.5, 0.5]), np.zeros(2)
    path = [x]
    for _ in range(40):
        v = 0.6 * v + 0.7 * problem.grad(x)
        x = x - v
        path.append(x)
    ours = run(momentum(0.7, 0.6), problem.grad, np.array([-3.5, 0.5]), 40).params
    np.testing.assert_allclose(np.stack(path), ours, atol=1e-12)
    steps = -np.diff(replay_gradients(momentum(0.1, 0.9), np.full((300, 1), 2.0)).params[:, 0])
    np.testing.assert_allclose(steps[:3], 0.1 * 2.0 * np.array([1, 1.9, 1 + 0.9 + 0.81]))
    assert steps[-1] == pytest.approx(0.1 * 2.0 / (1 - 0.9), rel=1e-12)


# --------------------------------------------------------------------------------------
# Heavy ball on a quadratic (F4-F8)
# --------------------------------------------------------------------------------------


def test_iteration_matrix_charpoly_and_eigenvalues_symbolic() -> None:
    derived, claimed = claims.heavy_ball_iteration_matrix()
    assert sp.simplify(derived - claimed) == sp.zeros(2, 2)
    assert sp.simplify(claimed.det() - beta) == 0
    poly, printed = claims.heavy_ball_characteristic_polynomial()
    assert sp.expand(poly - printed) == 0
    roots, formula = claims.heavy_ball_eigenvalues()
    assert len(roots) == 2
    for r in formula:
        assert any(_zero(r - s) for s in roots)
        assert _zero(printed.subs(z, r))


def test_iteration_matrix_numeric_bridge() -> None:
    """heavy_ball_matrix reproduces a run along one eigenvalue; its eigenvalues are eigvals'."""
    learning_rate, b, eig = 0.3, 0.8, 2.0
    matrix = heavy_ball_matrix(learning_rate, b, eig)
    symbolic = claims.heavy_ball_iteration_matrix()[1]
    values = {eta: learning_rate, beta: b, lam: eig}
    np.testing.assert_allclose(matrix, np.array(symbolic.subs(values), dtype=float))
    traj = run(momentum(learning_rate, b), lambda x: eig * x, np.array([1.0]), 10)
    state = np.array([0.0, 1.0])  # (b_0, x_0)
    for step in range(1, 11):
        state = matrix @ state
        assert state[1] == pytest.approx(traj.params[step, 0], abs=1e-12)
        assert state[0] == pytest.approx(traj.field("velocity")[step, 0], abs=1e-12)
    rng = np.random.default_rng(1)
    grid = rng.uniform([0.0, 0.0, 0.1], [2.0, 0.99, 3.0], (50, 3))
    mats = heavy_ball_matrix(grid[:, 0], grid[:, 1], grid[:, 2])
    mine = np.sort_complex(heavy_ball_eigenvalues(grid[:, 0], grid[:, 1], grid[:, 2]))
    np.testing.assert_allclose(mine, np.sort_complex(np.linalg.eigvals(mats)), atol=1e-9)


def test_complex_modulus_is_sqrt_beta_not_two_sqrt_beta() -> None:
    """F5: (alpha, beta, lambda) = (0.1, 0.9, 1) gives |sigma| = sqrt(0.9) = 0.948683;
    Goh (2017) prints 2 sqrt(beta)."""
    derived, claimed = claims.complex_root_modulus()
    assert sp.expand(derived - claimed) == 0
    printed, twice = claims.distill_complex_modulus()
    assert _zero(printed - twice) and not _zero(printed - sp.sqrt(beta))
    moduli = np.abs(np.linalg.eigvals(heavy_ball_matrix(0.1, 0.9, 1.0)))
    np.testing.assert_allclose(moduli, math.sqrt(0.9), rtol=1e-12)
    assert float(heavy_ball_rate(0.1, 0.9, 1.0)) == pytest.approx(0.948683, abs=1e-6)


def test_ripple_rate_does_not_depend_on_the_learning_rate_measured() -> None:
    """In the complex regime every learning rate converges at sqrt(beta) (here 0.9)."""
    etas = np.array([0.2, 0.6, 1.0, 2.0, 3.0])
    assert np.all(heavy_ball_regime(etas, 0.81, 1.0) == REGIMES.index("ripples"))
    measured = simulated_rate(etas, 0.81, [1.0], num_steps=400)
    np.testing.assert_allclose(measured, 0.9, atol=3e-3)


def test_stability_region_jury_symbolic() -> None:
    """F6: 0 < alpha*lambda < 2 + 2 beta, from the Jury conditions."""
    (p_one, p_minus_one, a0), region = claims.jury_conditions()
    assert sp.expand(p_one - eta * lam) == 0
    assert sp.expand(p_minus_one - (2 + 2 * beta - eta * lam)) == 0
    assert a0 == beta
    assert region == (claims.eta_lam < 2 * beta + 2)


@pytest.mark.parametrize("b", [0.0, 0.3, 0.9])
def test_stability_edge(b: float) -> None:
    """F6: the edge eta*lambda = 2 + 2 beta, checked at +-1e-6 with eigvals and a run."""
    edge = 2 + 2 * b
    for step, stable in [(edge - 1e-6, True), (edge + 1e-6, False)]:
        radius = np.max(np.abs(np.linalg.eigvals(heavy_ball_matrix(step, b, 1.0))))
        assert (radius < 1) == stable
        assert (float(heavy_ball_rate(step, b, 1.0)) < 1) == stable
    diverging = run(momentum(edge + 0.05, b), lambda x: x, np.array([1.0]), 2000)
    assert diverging.diverged_at >= 0
    converging = run(momentum(edge - 0.05, b), lambda x: x, np.array([1.0]), 2000)
    assert converging.diverged_at < 0 and abs(converging.params[-1, 0]) < 1e-3


def test_stability_region_on_a_grid() -> None:
    etas = np.linspace(0.01, 4.5, 301)[None, :]
    betas = np.linspace(0.0, 0.99, 101)[:, None]
    rates = heavy_ball_rate(etas, betas, 1.0)
    inside = etas < 2 + 2 * betas
    margin = np.abs(etas - (2 + 2 * betas)) > 1e-9
    assert np.array_equal((rates < 1)[margin & np.ones_like(rates, bool)], inside[margin & True])


def test_critical_damping() -> None:
    """F7: beta = (1 - sqrt(alpha*lambda))^2 gives a double root 1 - sqrt(alpha*lambda)
    (alpha = 0.01, lambda = 1: rate 0.9)."""
    solutions_beta, double_root = claims.critical_damping()
    assert _zero(solutions_beta[0] - (1 - sp.sqrt(eta * lam)) ** 2)
    assert _zero(solutions_beta[1] - (1 + sp.sqrt(eta * lam)) ** 2)
    assert _zero(double_root - (1 - sp.sqrt(eta * lam)))
    crit = float(critical_damping_beta(0.01, 1.0))
    assert crit == pytest.approx(0.81)
    assert float(heavy_ball_rate(0.01, crit, 1.0)) == pytest.approx(0.9, abs=1e-6)
    roots = np.linalg.eigvals(heavy_ball_matrix(0.01, crit, 1.0))
    np.testing.assert_allclose(roots, 0.9, atol=1e-6)
    assert heavy_ball_regime(0.01, crit + 1e-3, 1.0) == REGIMES.index("ripples")
    assert heavy_ball_regime(0.01, crit - 1e-3, 1.0) == REGIMES.index("monotone")


def test_jury_boundaries_roots() -> None:
    """Exercise ex-momentum-jury: at eta*lambda -> 0 a root tends to 1 (the other is beta);
    at eta*lambda = 2 + 2 beta a root is -1; as beta -> 1 the complex pair reaches |z| = 1."""
    for b in (0.3, 0.8):
        roots = np.sort(np.linalg.eigvals(heavy_ball_matrix(1e-9, b, 1.0)).real)
        np.testing.assert_allclose(roots, [b, 1.0], atol=1e-8)
        roots = np.linalg.eigvals(heavy_ball_matrix(2 + 2 * b, b, 1.0))
        assert np.min(np.abs(roots + 1.0)) < 1e-12
    for b in (0.99, 0.9999):
        roots = np.linalg.eigvals(heavy_ball_matrix(1.0, b, 1.0))
        assert np.all(np.iscomplex(roots))
        np.testing.assert_allclose(np.abs(roots), math.sqrt(b), rtol=1e-12)


def test_critical_damping_error_symbolic_and_measured() -> None:
    """A double root sigma, started at rest, gives y_k = (1 + (1 - sigma) k) sigma^k y_0.

    Checked with SymPy (rsolve of the two-step recurrence), then against runs: critical
    damping at eta = 0.01, lambda = 1 (sigma = 0.9), and both ends of the optimum for
    [mu, L] = [1, 100] (sigma = +-9/11), to rounding error.
    """
    derived, claimed = claims.critical_damping_error()
    assert _zero(derived - claimed)
    sigma = claims.z_double  # the double root, printed z (sigma is the noise level)
    y = [claimed.subs(claims.k, n) for n in range(4)]  # y_0 .. y_3
    assert _zero(y[0] - 1) and _zero(y[1] - (2 * sigma - sigma**2))  # y_1 = s y_0 - beta y_{-1}
    assert _zero(y[3] - 2 * sigma * y[2] + sigma**2 * y[1])
    crit = float(critical_damping_beta(0.01, 1.0))
    path = run(momentum(0.01, crit), lambda x: x, np.array([1.0]), 200).params[:, 0]
    np.testing.assert_allclose(path, double_root_error(0.9, 200), rtol=1e-9, atol=1e-300)
    tuned = optimal_heavy_ball(1.0, 100.0)
    rho = float(tuned.rate)
    path = run(
        momentum(tuned.learning_rate, tuned.beta), lambda x: x * [1.0, 100.0], np.ones(2), 150
    ).params
    np.testing.assert_allclose(path[:, 0], double_root_error(rho, 150), rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(path[:, 1], double_root_error(-rho, 150), rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(double_root_error([0.5], 2), [[1.0, 0.75, 0.5]])
    with pytest.raises(ValueError, match="num_steps"):
        double_root_error(0.5, -1)


def test_critical_and_optimal_rates_measured() -> None:
    """F7 and F8 against runs: critical damping at eta = 0.01, lambda = 1 (rate 0.9), and
    the optimum for [mu, L] = [1, 100] (rate 0.818182). Both have double roots, so the
    error is k * rho^k and the measured rate sits slightly above rho."""
    crit = float(critical_damping_beta(0.01, 1.0))
    measured = float(simulated_rate(0.01, crit, [1.0], num_steps=600))
    assert 0.9 <= measured < 0.9 + 4e-3
    tuned = optimal_heavy_ball(1.0, 100.0)
    spectrum = np.linspace(1.0, 100.0, 9)
    measured = float(simulated_rate(tuned.learning_rate, tuned.beta, spectrum, num_steps=600))
    assert float(tuned.rate) <= measured < float(tuned.rate) + 4e-3


def test_regimes_behave_as_named() -> None:
    """Monotone: the error keeps its sign; oscillating: it flips every step; ripples:
    complex roots; divergent: it grows."""
    cases = {"monotone": (0.25, 0.05), "ripples": (1.0, 0.6), "oscillating": (1.8, 0.02)}
    for name, (step, b) in cases.items():
        assert REGIMES[int(heavy_ball_regime(step, b, 1.0))] == name
        xs = run(momentum(step, b), lambda x: x, np.array([1.0]), 60).params[20:, 0]
        signs = np.sign(xs)
        if name == "monotone":
            assert np.all(signs == signs[0])
        if name == "oscillating":
            assert np.all(signs[1:] == -signs[:-1])
        if name == "ripples":
            assert np.any(np.iscomplex(heavy_ball_eigenvalues(step, b, 1.0)))
            assert 0 < np.sum(signs[1:] != signs[:-1]) < len(signs) - 1
    assert REGIMES[int(heavy_ball_regime(3.0, 0.2, 1.0))] == "divergent"


# --------------------------------------------------------------------------------------
# A spectrum [mu, L]: the endpoint lemma and the optimum (F8-F10)
# --------------------------------------------------------------------------------------


def test_spectral_radius_is_monotone_in_abs_s() -> None:
    derivative, at_boundary = claims.spectral_radius_is_monotone()
    assert _zero(at_boundary - sp.sqrt(beta))
    u = sp.Symbol("u", positive=True)
    for b in (0.01, 0.5, 0.9):
        for scale in (1.0001, 1.1, 3.0, 30.0):
            value = derivative.subs({beta: b, u: 2 * math.sqrt(b) * scale})
            assert float(value) > 0


@given(
    step=st.floats(0.01, 4.0),
    b=st.floats(0.0, 0.99),
    low=st.floats(0.01, 1.0),
    ratio=st.floats(1.0, 100.0),
)
def test_worst_rate_over_the_spectrum_is_at_an_endpoint(
    step: float, b: float, low: float, ratio: float
) -> None:
    high = low * ratio
    dense = heavy_ball_rate(step, b, np.linspace(low, high, 2001)).max()
    assert float(heavy_ball_rate_on_spectrum(step, b, low, high)) == pytest.approx(
        dense, rel=1e-12, abs=1e-12
    )


def test_optimal_parameters_symbolic() -> None:
    (eta_d, beta_d), (eta_c, beta_c) = claims.optimal_parameters()
    assert _zero(eta_d - eta_c) and _zero(beta_d - beta_c)
    derived, claimed = claims.optimal_rate()
    assert _zero(derived - claimed)
    assert claims.optimal_discriminants() == (0, 0)
    ratio, limit = claims.optimal_step_ratio()
    assert limit == 2 and _zero(ratio - 2 * (kappa + 1) / (sp.sqrt(kappa) + 1) ** 2)
    series, printed = claims.optimal_beta_expansion()
    assert _zero(series - printed + 12 / kappa ** sp.Rational(3, 2))
    gd, hb = claims.iterations_per_efold()
    assert _zero(gd - kappa / 2) and _zero(hb - sp.sqrt(kappa) / 2)


def test_optimal_conditions_are_what_is_solved_and_hold_at_the_optimum() -> None:
    """The printed conditions 1 + beta - eta*mu = 2 sqrt(beta), 1 + beta - eta*L = -2 sqrt(beta)
    hold at the claimed optimum (with L = mu (1 + r)^2 > mu), not with the signs swapped, and
    at the library's optimum for [0.1, 1]."""
    flat, steep = claims.optimal_conditions()
    assert sp.expand(flat.lhs - (1 + beta - eta * mu)) == 0 and flat.rhs == 2 * sp.sqrt(beta)
    assert sp.expand(steep.lhs - (1 + beta - eta * L)) == 0 and steep.rhs == -2 * sp.sqrt(beta)
    _, (eta_c, beta_c) = claims.optimal_parameters()
    r = sp.Symbol("r", positive=True)
    for cond in (flat, steep):
        at_optimum = (cond.lhs - cond.rhs).subs({eta: eta_c, beta: beta_c})
        assert _zero(at_optimum.subs(L, mu * (1 + r) ** 2))
        swapped = (cond.lhs + cond.rhs).subs({eta: eta_c, beta: beta_c})
        assert not _zero(swapped.subs(L, mu * (1 + r) ** 2))
    tuned = optimal_heavy_ball(0.1, 1.0)
    for cond, eig in [(flat, 0.1), (steep, 1.0)]:
        values = {eta: float(tuned.learning_rate), beta: float(tuned.beta), mu: eig, L: eig}
        assert float((cond.lhs - cond.rhs).subs(values)) == pytest.approx(0.0, abs=1e-12)


def test_optimal_parameters_numeric() -> None:
    """F8: kappa = 100 gives rate 0.818182, checked as a max over 2001 eigenvalues."""
    tuned = optimal_heavy_ball(1.0, 100.0)
    symbolic = claims.optimal_parameters()[1]
    assert float(tuned.learning_rate) == pytest.approx(float(symbolic[0].subs({mu: 1, L: 100})))
    assert float(tuned.beta) == pytest.approx(float(symbolic[1].subs({mu: 1, L: 100})))
    worst = heavy_ball_rate(tuned.learning_rate, tuned.beta, np.linspace(1, 100, 2001)).max()
    assert worst == pytest.approx(0.818182, abs=1e-6) == pytest.approx(float(tuned.rate))
    assert float(tuned.rate) == pytest.approx(math.sqrt(float(tuned.beta)))
    lessard = optimal_heavy_ball(1.0, 25.0)
    assert float(lessard.learning_rate) == pytest.approx(1 / 9) and float(
        lessard.beta
    ) == pytest.approx(4 / 9)
    with pytest.raises(ValueError, match="mu"):
        optimal_heavy_ball(2.0, 1.0)


def test_numerical_optimum_solution_finds_the_closed_form() -> None:
    for low, high in [(0.1, 1.0), (1.0, 100.0)]:
        step, b, rate = solutions.numerical_optimum(low, high)
        tuned = optimal_heavy_ball(low, high)
        assert rate == pytest.approx(float(tuned.rate), abs=1e-8)
        assert step == pytest.approx(float(tuned.learning_rate), rel=1e-6)
        assert b == pytest.approx(float(tuned.beta), abs=1e-6)


# --------------------------------------------------------------------------------------
# Closed-form rate map vs vectorised simulation
# --------------------------------------------------------------------------------------


def test_rate_map_closed_form_agrees_with_simulation() -> None:
    """The vectorised simulation is the linear map R^k of the SymPy-derived iteration matrix,
    to rounding; its measured rate differs from the spectral radius only by the window.

    The errors of ``simulated_rate`` are ||y_k|| with (b_k, y_k) = R^k (0, 1) per eigenvalue,
    R = [[beta, lam], [-eta beta, 1 - eta lam]]; ``empirical_rate`` of that exact sequence is
    the simulated rate to 1e-9 (at converging points; divergent ones agree in sign).
    Against the spectral radius rho: a double root makes the error k rho^k, measured over
    k = 150..300 as rho 2^(1/150), the largest systematic excess; 99% of the points stay
    below 2^(1/150) - 1. The few larger gaps are slow spirals whose 8-step envelope misses
    a peak (see the chapter).
    """
    etas = np.linspace(0.02, 4.0, 60)[None, :]
    betas = np.linspace(0.0, 0.99, 60)[:, None]
    symbolic = claims.heavy_ball_iteration_matrix()[1]
    assert symbolic == sp.Matrix([[beta, lam], [-eta * beta, 1 - eta * lam]])
    for eigenvalues in ([1.0], [0.1, 1.0]):
        closed = heavy_ball_rate_on_spectrum(etas, betas, min(eigenvalues), max(eigenvalues))
        measured = simulated_rate(etas, betas, eigenvalues, num_steps=300)
        assert measured.shape == closed.shape
        assert np.array_equal(measured > 1, closed > 1)
        e, b, eig = np.broadcast_arrays(etas[..., None], betas[..., None], eigenvalues)
        buffer, y = np.zeros(e.shape), np.ones(e.shape)
        norms = [np.linalg.norm(y, axis=-1)]
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(300):
                buffer, y = b * buffer + eig * y, -e * b * buffer + (1 - e * eig) * y
                norms.append(np.linalg.norm(y, axis=-1))
        exact = empirical_rate(np.stack(norms))
        converging = closed < 1
        np.testing.assert_allclose(measured[converging], exact[converging], rtol=1e-9)
        diff = np.abs(measured - closed)
        assert np.percentile(diff, 99) < 2 ** (1 / 150) - 1
        assert np.nanmax(diff) < 0.011


def test_empirical_rate_of_geometric_sequences() -> None:
    steps = np.arange(301)[:, None]
    rates = np.array([0.3, 0.7, 0.99, 1.02])
    errors = rates**steps
    np.testing.assert_allclose(empirical_rate(errors), rates, rtol=1e-10)
    spiral = (0.8**steps * np.abs(np.cos(0.3 * steps)))[:, 0]
    assert float(empirical_rate(spiral)) == pytest.approx(0.8, abs=5e-3)


# --------------------------------------------------------------------------------------
# The kappa experiment: sqrt(kappa) scaling
# --------------------------------------------------------------------------------------


def test_iterations_grow_like_sqrt_kappa_with_tuned_momentum() -> None:
    """F10: iterations ~ kappa (GD) and ~ sqrt(kappa) (tuned heavy ball)."""
    kappas = np.geomspace(10.0, 1000.0, 5)
    hb = iterations_to_tolerance(lambda m, h: momentum(*optimal_heavy_ball(m, h)[:2]), kappas)
    gd = iterations_to_tolerance(lambda m, h: gradient_descent(2 / (m + h)), kappas)
    assert np.all(hb > 0) and np.all(gd > 0)
    assert 0.45 < loglog_slope(kappas, hb) < 0.6
    assert 0.95 < loglog_slope(kappas, gd) < 1.05
    predicted = np.log(1e-6) / np.log((np.sqrt(kappas) - 1) / (np.sqrt(kappas) + 1))
    assert np.all(hb >= np.floor(predicted))  # the double root only slows it down
    assert np.all(hb <= 1.6 * predicted + 10)


def test_predicted_momentum_iterations_match_runs() -> None:
    """Exercise ex-momentum-predict: the double-root formula predicts the measured count
    exactly; the naive ceil(ln 1e-6 / ln rho) undercounts by a growing margin."""
    kappas = np.array([10.0, 100.0, 1000.0, 10_000.0])
    measured = iterations_to_tolerance(lambda m, h: momentum(*optimal_heavy_ball(m, h)[:2]), kappas)
    predictions = [solutions.predicted_momentum_iterations(kk) for kk in kappas]
    naive = np.array([p[0] for p in predictions])
    exact = np.array([p[1] for p in predictions])
    np.testing.assert_array_equal(exact, measured)
    np.testing.assert_array_equal(
        naive, np.ceil(np.log(1e-6) / np.log((np.sqrt(kappas) - 1) / (np.sqrt(kappas) + 1)))
    )
    assert np.all(np.diff(measured - naive) > 0)
    assert naive[1] == math.ceil(math.log(1e-6) / math.log(9 / 11)) == 69  # rho* = 9/11
    from gdbook.momentum import double_root_counts

    np.testing.assert_array_equal(double_root_counts(kappas), measured)


PREDICT_KAPPAS = np.array([1e2, 1e3, 1e4, 1e5, 1e6])


def test_double_root_error_norm_is_about_two_k_rho_to_the_k() -> None:
    """Solution of ex-momentum-predict: ||x_k|| ~ 2k (rho*)^k from x_0 = (1, 1).

    The coordinates are (1 + (1 -+ rho)k)(+-rho)^k (``critical_damping_error``), so
    r_k = ||x_k|| / (2k rho^k) has r_k^2 -> (1 + rho^2)/2 as k -> oo (SymPy), which tends to 1
    as rho -> 1. With 1 - rho = 2/(sqrt(kappa) + 1) that is r ~ 1 - 1/sqrt(kappa): checked at
    the actual counts as -1/sqrt(kappa) <= r_k - 1 < 0.
    """
    _, error = claims.critical_damping_error()
    sigma, rho = claims.z_double, sp.Symbol("rho", positive=True)
    k = claims.k
    flat = sp.simplify(error.subs(sigma, rho) / rho**k)  # 1 + (1 - rho) k
    steep = sp.simplify(error.subs(sigma, -rho) / (-rho) ** k)  # 1 + (1 + rho) k
    assert _zero(flat - (1 + (1 - rho) * k)) and _zero(steep - (1 + (1 + rho) * k))
    limit = sp.limit((flat**2 + steep**2) / (2 * k) ** 2, k, sp.oo)
    assert _zero(limit - (1 + rho**2) / 2) and sp.limit(limit, rho, 1) == 1
    from gdbook.momentum import double_root_counts

    counts = double_root_counts(PREDICT_KAPPAS)
    for kk, count in zip(PREDICT_KAPPAS, counts, strict=True):
        rate = float(optimal_heavy_ball(1.0, kk).rate)
        norm = np.hypot(*double_root_error([rate, -rate], int(count))[:, -1])
        ratio = norm / (2 * count * rate**count)
        assert -1 / math.sqrt(kk) <= ratio - 1 < 0


def test_log_rate_is_about_two_over_sqrt_kappa() -> None:
    """ln(1/rho*) = ln((1 + x)/(1 - x)) = 2(x + x^3/3 + x^5/5 + ...) with x = 1/sqrt(kappa):
    SymPy's series, then 0 < ln(1/rho*) sqrt(kappa)/2 - 1 <= x^2/3 / (1 - x^2) numerically."""
    _, rate = claims.optimal_rate()
    log_rate = sp.log(1 / rate)
    assert sp.limit(sp.sqrt(kappa) * log_rate, kappa, sp.oo) == 2
    series = sp.series(log_rate, kappa, sp.oo, 3).removeO()
    x = 1 / sp.sqrt(kappa)
    assert _zero(series - 2 * (x + x**3 / 3 + x**5 / 5))
    for kk in PREDICT_KAPPAS:
        relative = -math.log(float(optimal_heavy_ball(1.0, kk).rate)) * math.sqrt(kk) / 2 - 1
        assert 0 < relative <= (1 / (3 * kk)) / (1 - 1 / kk)


def test_extra_steps_of_the_double_roots_estimate_and_growth() -> None:
    """ex-momentum-predict: extra = K - N (K the count, N = ceil(c/l), c = ln 1e6, l = ln 1/rho)
    against the estimate E = (sqrt(kappa)/2) ln(sqrt2 K).

    K is the first k with phi(k) = c + ln(sqrt2 k r_k) - k l <= 0 (r_k of the test above), so
    (c + ln(sqrt2 K r_K))/l <= K < 1 + (c + ln(sqrt2 (K-1) r_{K-1}))/l, and
    c/l <= N < c/l + 1. Hence |extra - E| <= 1 + ln(sqrt2 K)|1/l - sqrt(kappa)/2| + max|ln r|/l:
    the rounding of the two counts, the error of l ~ 2/sqrt(kappa) and of ||x|| ~ 2k rho^k.
    The same bounds give extra >= ln(sqrt(kappa))/l - 1 >= sqrt(kappa) ln(kappa)/4 - 1; the
    ratio extra / (sqrt(kappa) ln kappa) falls towards 1/4 while extra / sqrt(kappa) keeps
    growing: Theta(sqrt(kappa) ln kappa), a little faster than sqrt(kappa).
    """
    from gdbook.momentum import double_root_counts

    counts = double_root_counts(PREDICT_KAPPAS)
    extras = []
    for kk, count in zip(PREDICT_KAPPAS, counts, strict=True):
        rate = float(optimal_heavy_ball(1.0, kk).rate)
        ell, big_k = -math.log(rate), int(count)
        naive = math.ceil(math.log(1e6) / ell)
        extra = big_k - naive
        estimate = math.sqrt(kk) / 2 * math.log(math.sqrt(2) * big_k)
        errors = np.hypot(*double_root_error([rate, -rate], big_k))
        steps = np.array([big_k - 1, big_k])
        log_r = np.abs(np.log(errors[steps] / (2 * steps * rate**steps)))
        bound = 1 + math.log(math.sqrt(2) * big_k) * abs(1 / ell - math.sqrt(kk) / 2)
        bound += float(log_r.max()) / ell
        assert abs(extra - estimate) <= bound < 1.6
        assert extra >= math.sqrt(kk) * math.log(kk) / 4 - 1
        extras.append(extra)
    per_log = np.array(extras) / (np.sqrt(PREDICT_KAPPAS) * np.log(PREDICT_KAPPAS))
    assert np.all(np.diff(per_log) < 0) and np.all(per_log > 0.25)
    assert np.all(np.diff(np.array(extras) / np.sqrt(PREDICT_KAPPAS)) > 0)


# --------------------------------------------------------------------------------------
# Schedules (F28)
# --------------------------------------------------------------------------------------


def test_sutskever_schedule_equals_the_printed_formula() -> None:
    printed, simplified = claims.sutskever_schedule_simplified()
    assert _zero(printed - simplified)
    steps = np.arange(0, 300_000, 7)
    for beta_max in (0.9, 0.99, 0.995, 0.999):
        printed = solutions.sutskever_original(steps, beta_max)
        np.testing.assert_allclose(sutskever_beta(steps, beta_max), printed, rtol=0, atol=1e-12)


def test_sutskever_schedule_values() -> None:
    """F28: 0.5 on [0, 250), 0.75 at 250, 0.8333 at 500, 0.9 from 1000, 0.99 at 12250,
    0.999 at 124750."""
    values = sutskever_beta([1, 249, 250, 500, 999, 1000], 0.999)
    np.testing.assert_allclose(values, [0.5, 0.5, 0.75, 5 / 6, 0.875, 0.9])
    assert solutions.first_step_with_beta(0.9) == 1000
    assert solutions.first_step_with_beta(0.99) == 12250
    assert solutions.first_step_with_beta(0.999) == 124750


def test_schedule_memories_grow_in_proportion_to_t() -> None:
    """Nesterov's 1 - 3/(t+5) has the memory 1/(1 - beta_t) = (t+5)/3, slope 1/3 (SymPy and the
    library); Sutskever's has 2n = 2(floor(t/250) + 1), capped at 1/(1 - beta_max)."""
    derived, claimed = claims.nesterov_schedule_memory()
    assert _zero(derived - claimed)
    assert sp.limit(claimed / t, t, sp.oo) == sp.Rational(1, 3)
    steps = np.arange(1, 200_001)
    # 1 - 3/(t+5) rounds to eps relative to 3/(t+5) >= 1.5e-5: rtol 1e-9 is ample
    np.testing.assert_allclose(1 / (1 - nesterov_beta(steps)), (steps + 5) / 3, rtol=1e-9)
    capped = np.minimum(2 * (steps // 250 + 1), 1 / (1 - 0.99))
    np.testing.assert_allclose(1 / (1 - sutskever_beta(steps, 0.99)), capped, rtol=1e-12)


def test_nesterov_schedule_and_its_use_in_trace() -> None:
    np.testing.assert_allclose(nesterov_beta([1, 5, 295]), [0.5, 0.7, 0.99])
    grads = np.ones((3, 1))
    b_t = replay_gradients(momentum(1.0, nesterov_beta), grads).field("velocity")[:, 0]
    expected = [0.0, 1.0, 1.0 + 1.0 - 3 / 7, (1 + (1 - 3 / 7)) * (1 - 3 / 8) + 1]
    np.testing.assert_allclose(b_t, expected)


# --------------------------------------------------------------------------------------
# Eigenbasis: Q^T, not Q (Goh 2017, issue #107)
# --------------------------------------------------------------------------------------


def test_eigenbasis_uses_q_transpose() -> None:
    """Each coordinate of Q^T (x - x*) follows its own 1-D heavy ball; Q (x - x*) does not."""
    problem = quadratic([0.1, 1.0], angle=np.pi / 9)
    x0 = np.array([-3.5, 0.5])
    path = run(momentum(1.0, 0.6), problem.grad, x0, 30).params
    q = problem.eigenvectors
    right = (path - problem.x_star) @ q  # rows of Q^T (x - x*)
    wrong = (path - problem.x_star) @ q.T  # rows of Q (x - x*)
    np.testing.assert_allclose(right, problem.to_eigenbasis(path), atol=1e-12)
    for i, eig in enumerate(problem.eigenvalues):
        alone = run(momentum(1.0, 0.6), lambda y, e=eig: e * y, right[:1, i], 30).params[:, 0]
        np.testing.assert_allclose(right[:, i], alone, atol=1e-12)
        wrong_alone = run(momentum(1.0, 0.6), lambda y, e=eig: e * y, wrong[:1, i], 30)
        assert np.max(np.abs(wrong[:, i] - wrong_alone.params[:, 0])) > 1e-2


def test_completed_square_shifts_by_plus_q_inverse_c() -> None:
    """Zhang et al. (D2L, 2023, sec. 12.6) write h(x) with (x - Q^{-1} c); it is x + Q^{-1} c.

    SymPy: the completed square with + equals the quadratic and the one with - does not.
    Numerically: tuned momentum on f = x'Qx/2 + c'x converges to -Q^{-1} c.
    """
    quadratic, completed = claims.completed_square()
    assert _zero(quadratic - completed)
    c = sp.symbols("c_1 c_2", real=True)
    d2l = completed.subs({ci: -ci for ci in c}, simultaneous=True)  # shift x - Q^{-1} c
    assert not _zero(quadratic - d2l)
    q = np.array([[2.0, 0.6], [0.6, 0.5]])
    c_num = np.array([1.0, -2.0])
    lam_min, lam_max = np.linalg.eigvalsh(q)
    tuned = optimal_heavy_ball(lam_min, lam_max)
    opt = momentum(tuned.learning_rate, tuned.beta)
    end = run(opt, lambda v: v @ q + c_num, np.zeros(2), 400).params[-1]
    np.testing.assert_allclose(end, -np.linalg.solve(q, c_num), atol=1e-10)
    assert np.linalg.norm(end - np.linalg.solve(q, c_num)) > 1.0


# --------------------------------------------------------------------------------------
# Figures and the explorer
# --------------------------------------------------------------------------------------


def _closed_form_rate(learning_rate: sp.Expr, b: sp.Expr, eigenvalues: list[sp.Expr]) -> sp.Expr:
    """max |sigma| over the eigenvalues, from the SymPy roots of the characteristic polynomial."""
    _, roots = claims.heavy_ball_eigenvalues()
    values = [r.subs({eta: learning_rate, beta: b, lam: e}) for r in roots for e in eigenvalues]
    return sp.Max(*[sp.Abs(v) for v in values])


def test_explorer_state_and_blitting_match_a_full_draw() -> None:
    """At the defaults and at a pair next to the optimum the state's rate is the exact closed
    form: sqrt(3/5) (both ends in the ripples) and, at (2.31, 0.27), 27/50 from the
    oscillating steep end (s = -1.04, Delta = 0.0016), not the optimum's 0.519."""
    from gdbook.viz.momentum import momentum_explorer
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    explorer = momentum_explorer()
    ends = [sp.Rational(1, 10), sp.Integer(1)]
    try:
        state = explorer.update(learning_rate=1.0, beta=0.6)
        exact = _closed_form_rate(sp.Integer(1), sp.Rational(3, 5), ends)
        assert exact == sp.sqrt(sp.Rational(3, 5))
        assert state["rate"] == pytest.approx(float(exact), rel=1e-14)
        assert state["regimes"] == ["ripples", "ripples"]
        state = explorer.update(learning_rate=0.5, beta=0.3)
        fast = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
        FigureCanvasAgg.draw(explorer.figure.canvas)
        full = np.asarray(explorer.figure.canvas.buffer_rgba())
        assert np.array_equal(fast, full)
        tuned = optimal_heavy_ball(0.1, 1.0)
        near = round(float(tuned.learning_rate), 2)
        assert near == 2.31
        state = explorer.update(learning_rate=near, beta=0.27)
        exact = _closed_form_rate(sp.Rational(231, 100), sp.Rational(27, 100), ends)
        assert exact == sp.Rational(27, 50) and not state["diverged"]
        assert state["rate"] == pytest.approx(float(exact), rel=1e-12)
        assert state["regimes"] == ["ripples", "oscillating"]
        assert state["rate"] > float(tuned.rate)
        assert explorer.update(learning_rate=3.9, beta=0.05)["diverged"]
    finally:
        plt.close(explorer.figure)


@pytest.mark.parametrize(("learning_rate", "b"), [(0.7, 0.45), (2.5, 0.3), (1.6, 0.9)])
def test_explorer_draws_an_independent_run(learning_rate: float, b: float) -> None:
    """At non-default sliders the artists show what the chapter says: the path of
    momentum(eta, beta) in the valley from VALLEY.start, at each iterate an arrow for the part
    of the next step carried by the buffer, -eta beta b_k, and the rate-map circle at
    (eta, beta). The arrows are checked twice: against the run's buffer, and without it as
    beta (x_k - x_{k-1}) (x_k - x_{k-1} = -eta b_k), which is 0 at k = 0."""
    from gdbook.viz.momentum import EXPLORER_STEPS, momentum_explorer
    from matplotlib.quiver import Quiver

    explorer = momentum_explorer()
    try:
        explorer.update(learning_rate=learning_rate, beta=b)
        assert explorer.values() == {"learning_rate": learning_rate, "beta": b}
        left, right = explorer.figure.axes
        (path,) = [line for line in left.lines if line.get_marker() == "o"]
        (arrows,) = [c for c in left.collections if isinstance(c, Quiver)]
        (circle,) = [line for line in right.lines if line.get_markerfacecolor() == "none"]
        traj = run(momentum(learning_rate, b), VALLEY.problem().grad, VALLEY.start, 40)
        assert EXPLORER_STEPS == 40 and traj.diverged_at < 0
        np.testing.assert_allclose(path.get_xydata(), traj.params, rtol=0, atol=1e-12)
        np.testing.assert_allclose(arrows.get_offsets(), traj.params, rtol=0, atol=1e-12)
        drawn = np.column_stack([arrows.U, arrows.V])
        buffer_part = -learning_rate * b * traj.field("velocity")
        np.testing.assert_allclose(drawn, buffer_part, rtol=0, atol=1e-12)
        last_steps = np.diff(traj.params, axis=0, prepend=traj.params[:1])  # x_k - x_{k-1}
        np.testing.assert_allclose(drawn, b * last_steps, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(circle.get_xydata(), [[learning_rate, b]])
    finally:
        plt.close(explorer.figure)


# --------------------------------------------------------------------------------------
# Issue 7: the opening, the notation, the hand derivations, the rule of thumb, the edges
# --------------------------------------------------------------------------------------


def test_the_opening_counts_69_and_26_by_an_independent_route() -> None:
    """The counts the chapter opens with, from the closed forms of both methods in the valley's
    eigenbasis (no run): GD's (1 - eta* lambda)^k y0 and momentum's double roots (F8)."""
    problem = VALLEY.problem()
    y0 = problem.to_eigenbasis(VALLEY.start)
    ks = np.arange(200)
    gd_eta = 2 / (0.1 + 1.0)
    gd_err = np.hypot(*((1 - gd_eta * problem.eigenvalues[:, None]) ** ks * y0[:, None]))
    rho = (math.sqrt(10.0) - 1) / (math.sqrt(10.0) + 1)
    flat = (1 + (1 - rho) * ks) * rho**ks * y0[0]  # mu = 0.1: double root +rho
    steep = (1 + (1 + rho) * ks) * (-rho) ** ks * y0[1]  # L = 1: double root -rho
    hb_err = np.hypot(flat, steep)
    first = [int(np.argmax(e <= 1e-6 * e[0])) for e in (gd_err, hb_err)]
    assert first == [69, 26]


def test_the_steep_swing_factors_of_the_opening() -> None:
    """-1.31 and +1.09 at kappa = 10 for momentum, -0.82 and 0.67 for GD (Ruder's 'dampens')."""
    rho = (math.sqrt(10.0) - 1) / (math.sqrt(10.0) + 1)
    swing = [(1 + (1 + rho) * k) * (-rho) ** k for k in (1, 2)]
    np.testing.assert_allclose(swing, [-1.30886, 1.09002], atol=1e-5)
    np.testing.assert_allclose(double_root_error(-rho, 2)[1:], swing, rtol=1e-12)
    from gdbook.gradient_descent import optimal_learning_rate

    gd = 1 - float(optimal_learning_rate(0.1, 1.0)) * 1.0  # the chapter's factor along L = 1
    assert gd == pytest.approx(-0.81818, abs=1e-5) and gd**2 == pytest.approx(0.66942, abs=1e-5)
    assert abs(swing[0]) > abs(gd) and abs(swing[1]) > abs(gd**2)  # momentum swings wider


def test_optimal_pair_by_hand() -> None:
    """Subtract, add, divide: each line of the chapter's derivation is an identity."""
    (diff, diff_claim), (total, total_claim), (root, root_claim) = claims.optimal_pair_by_hand()
    assert _zero(diff - diff_claim) and _zero(total - total_claim) and _zero(root - root_claim)
    r = (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)
    assert _zero(2 * r / (1 + r**2) - (kappa - 1) / (kappa + 1))  # the check of eq-optimal-ratio
    step = 4 * r / (L - mu)
    assert _zero((step - 4 / (sp.sqrt(L) + sp.sqrt(mu)) ** 2).subs(kappa, L / mu))


def test_polyak_form_is_indexed_like_the_sum_form() -> None:
    """eq-polyak with g_k = grad f(x_{k-1}) (the book's one convention), against a loop of
    x_k = x_{k-1} - eta grad f(x_{k-1}) + beta (x_{k-1} - x_{k-2}), x_{-1} = x_0."""
    derived, claimed = claims.polyak_two_step_form()
    assert _zero(derived - claimed)
    names = {str(s) for s in claimed.free_symbols}
    assert {"x_{k-1}", "g_k", "b_{k-1}"} <= names
    problem = VALLEY.problem()
    loop = _polyak_loop(problem.grad, VALLEY.start, 0.9, 0.5, 30)
    np.testing.assert_allclose(loop, run(momentum(0.9, 0.5), problem.grad, VALLEY.start, 30).params)


def test_regime_examples_are_in_their_regimes_and_behave_so() -> None:
    """The four marked points: codes from the closed form, and the runs' signs and sizes."""
    from gdbook.momentum import REGIME_EXAMPLES, regime_examples

    runs = regime_examples()
    for name, (eta_, b) in REGIME_EXAMPLES.items():
        assert REGIMES[int(heavy_ball_regime(eta_, b, 1.0))] == name
        y = runs[name]
        assert y[0] == 1.0 and y.size == 31
        if name == "monotone":
            assert np.all(np.diff(y) < 0) and np.all(y > 0)
        elif name == "oscillating":
            assert np.all(np.sign(y[1:]) == -np.sign(y[:-1]))
        elif name == "ripples":
            assert np.any(y[1:] < 0) and np.any(np.diff(np.sign(y[1:])) == 0)  # not every step
        else:
            assert abs(y[-1]) > 10
        rate = float(heavy_ball_rate(eta_, b, 1.0))
        assert (rate >= 1.0) == (name == "divergent")


def test_rescaled_learning_rate_keeps_the_effective_step() -> None:
    """D2L's practice (divide eta by 10 when beta goes 0.9 -> 0.99): same terminal velocity,
    same first-order floor, slower build-up, wider stability range."""
    from gdbook.momentum import rescaled_learning_rate
    from gdbook.momentum_limits import heavy_ball_noise_floor

    new = float(rescaled_learning_rate(0.01, 0.9, 0.99))
    assert new == pytest.approx(0.001)
    assert float(terminal_velocity(new, 0.99)) == pytest.approx(float(terminal_velocity(0.01, 0.9)))
    pairs = ((0.01, 0.9), (new, 0.99))
    floors = [float(heavy_ball_noise_floor(e, b, [1.0], 1.0)) for e, b in pairs]
    assert floors[1] == pytest.approx(floors[0], rel=0.01)  # a = 0.1: equal to first order
    assert float(steps_to_fraction(0.99, 0.95)) > 9 * float(steps_to_fraction(0.9, 0.95))
    assert 2 * (1 + 0.99) / new > 2 * (1 + 0.9) / 0.01  # the stable range in lambda grows
    with pytest.raises(ValueError, match="new_beta"):
        rescaled_learning_rate(0.01, 0.9, 1.0)
    assert float(rescaled_learning_rate(0.3, 0.5, 0.5)) == 0.3
    from gdbook_solutions.momentum import keep_effective_step

    eta_new, slow, fast = keep_effective_step(0.01, 0.9, 0.99)
    assert eta_new == pytest.approx(new)
    assert slow[-1] == pytest.approx(0.1) and fast[-1] == pytest.approx(0.1, rel=1e-6)
    assert np.argmax(fast >= 0.095) > 9 * np.argmax(slow >= 0.095)


def test_factory_defaults_are_pinned() -> None:
    """The book's default momentum is 0.9 in all three spellings (mutation audit)."""
    for factory in (momentum, sutskever_momentum, ema_momentum):
        beta_ = dict(factory(0.1).hyperparams)["beta"]
        assert float(beta_(1)) == 0.9


def test_spectrum_rate_functions_reject_mu_above_L() -> None:
    with pytest.raises(ValueError, match="mu must be <= L"):
        heavy_ball_rate_on_spectrum(0.1, 0.5, 2.0, 1.0)
    with pytest.raises(ValueError, match="mu must be <= L"):
        optimal_heavy_ball(2.0, 1.0)
    assert float(heavy_ball_rate_on_spectrum(0.1, 0.5, 1.0, 1.0)) == float(
        heavy_ball_rate(0.1, 0.5, 1.0)
    )
    tuned = optimal_heavy_ball(1.0, 1.0)  # a round bowl: beta 0, one step
    assert float(tuned.beta) == 0.0 and float(tuned.rate) == 0.0
    assert float(tuned.learning_rate) == 1.0


def test_regime_boundaries_are_classified_as_documented() -> None:
    """Exactly at critical damping (Delta = 0) the roots are real: monotone for s > 0 and
    oscillating for s < 0; at spectral radius exactly 1 the code is divergent."""
    eta_ = 0.25
    beta_c = float(critical_damping_beta(eta_, 1.0))  # (1 - 0.5)^2 = 0.25, double root 0.5
    assert beta_c == 0.25
    assert REGIMES[int(heavy_ball_regime(eta_, beta_c, 1.0))] == "monotone"
    # steep side: s = -2 sqrt(beta) with beta = 0.25 means eta = 1 + beta + 2 sqrt(beta) = 2.25
    assert REGIMES[int(heavy_ball_regime(2.25, 0.25, 1.0))] == "oscillating"
    assert float(heavy_ball_rate(2.25, 0.25, 1.0)) == pytest.approx(0.5)
    assert REGIMES[int(heavy_ball_regime(2.5, 0.25, 1.0))] == "divergent"  # eta lam = 2 + 2 beta
    assert float(heavy_ball_rate(2.5, 0.25, 1.0)) == pytest.approx(1.0)
    assert REGIMES[int(heavy_ball_regime(0.0, 0.0, 1.0))] == "divergent"  # rate exactly 1
    assert REGIMES[int(heavy_ball_regime(1.0, 0.0, 1.0))] == "monotone"  # rate 0, s = 0


def test_empirical_rate_uses_the_second_half_of_the_run() -> None:
    """A sequence whose rate changes half-way: the window k_1 = k_2 // 2 .. k_2 sees only the
    late rate; a window from 0 would see a mixture (mutation audit: geometric test sequences
    give the same rate whatever the window)."""
    k = np.arange(201)
    errors = np.where(k < 50, 0.5**k, 0.5**50 * 0.9 ** (k - 50))  # fast first, then 0.9
    assert float(empirical_rate(errors)) == pytest.approx(0.9, rel=1e-9)
    whole = (errors[-1] / errors[0]) ** (1 / 200)  # what a window from k = 0 would see
    assert whole < 0.85


def test_empirical_rate_window_is_exactly_half_to_the_end() -> None:
    """k_2 = 200 (the last step), k_1 = k_2 // 2 = 100, each error the largest of the 8 steps
    up to it: on e_k = (1 + k) 0.9^k (decreasing from k = 9) that is (e_193 / e_93)^(1/100);
    any other k_1 gives another number (mutation audit: k_1 = k_2 // 3 survived the test
    above)."""
    k = np.arange(201)
    errors = (1.0 + k) * 0.9**k
    expected = (errors[193] / errors[93]) ** (1 / 100)
    assert float(empirical_rate(errors)) == pytest.approx(expected, rel=1e-12)
    assert abs(expected - 0.9) > 1e-3  # the factor 1 + k still shows: the window matters
