"""The chapter *Adam*: the hero valley again and the family (NAdam, AMSGrad, AdamW, RAdam).

Headline numbers recomputed by independent routes: from-scratch loops of the published
algorithms, closed forms written out here, published values with their sources. Sources:
Reddi, Kale & Kumar (2018, Theorem 1, Algorithm 2); Zhang et al. (2022); Loshchilov &
Hutter (2019, Propositions 1-2, Algorithm 2); Dozat (2016); Ruder (2016); Liu et al.
(2020, eq. 6); Cohen et al. (2022); research facts F41-F44.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gdbook import adam as lib
from gdbook.base import chain, run, scale_by_learning_rate
from gdbook.examples import HERO
from gdbook.momentum import replay_gradients
from gdbook.problems import quadratic

# --------------------------------------------------------------------------------------
# The hero valley again
# --------------------------------------------------------------------------------------


def _hero_adam_from_scratch(num_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Algorithm 1 on the hero valley at eta = 0.1; iterates and v_hat after each update."""
    problem = HERO.problem()
    x, m, v = HERO.start.copy(), np.zeros(2), np.zeros(2)
    path, v_hats = [x], []
    for t in range(1, num_steps + 1):
        g = problem.matrix @ x
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        v_hat = v / (1 - 0.999**t)
        x = x - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v_hat) + 1e-8)
        path.append(x)
        v_hats.append(v_hat)
    return np.array(path), np.array(v_hats)


def test_adams_first_hero_steps_are_diagonal() -> None:
    """The intro's question: the first three steps lie within 5 degrees of 45 degrees, while
    -grad f points 57, 52 and 22 degrees; the first is eta in both coordinates."""
    path, _ = _hero_adam_from_scratch(3)
    steps = np.diff(path, axis=0)
    angles = np.degrees(np.arctan2(steps[:, 1], steps[:, 0]))
    assert np.all(np.abs(angles - 45) < 5)
    np.testing.assert_allclose(np.abs(steps[0]), 0.1, rtol=1e-8)
    np.testing.assert_allclose(lib.step_angles(lib.hero_adam())[:3], angles, atol=1e-9)
    descent = lib.gradient_angles(lib.hero_adam(), HERO.problem())[:3]
    np.testing.assert_allclose(descent, [57.19, 51.54, 22.09], atol=0.01)


def test_hero_loss_ripples_at_beta_1_in_the_ripple_regime() -> None:
    """Near the minimum Adam is the heavy ball (rate 1 - b1, momentum b1) on P^1/2 A P^1/2:
    complex roots, (1 + b - r lam)^2 < 4 b for both curvatures, and the loss contracts by
    about b1 = 0.9 per step."""
    path, v_hats = _hero_adam_from_scratch(HERO.num_steps)
    problem = HERO.problem()
    loss = 0.5 * np.einsum("ti,ij,tj->t", path, problem.matrix, path)
    arrived = int(np.argmax(loss <= HERO.tol))
    precond = 0.1 / (np.sqrt(v_hats[arrived - 1]) + 1e-8)
    curvatures = np.linalg.eigvalsh(np.sqrt(precond)[:, None] * problem.matrix * np.sqrt(precond))
    assert np.all((1 + 0.9 - 0.1 * curvatures) ** 2 < 4 * 0.9)
    np.testing.assert_allclose(
        lib.frozen_adam_curvatures(problem, lib.preconditioner(lib.hero_adam(), 0.1)[arrived - 1]),
        curvatures,
        rtol=1e-9,
    )
    slope = np.polyfit(np.arange(arrived, loss.size), np.log(loss[arrived:]), 1)[0]
    assert math.exp(slope) == pytest.approx(0.9, abs=0.01)
    assert lib.loss_envelope(loss, arrived)[0] == pytest.approx(math.exp(slope), rel=1e-9)
    assert np.any(loss[arrived + 1 :] > HERO.tol)  # the ripples carry it back above


def test_preconditioner_grows_towards_the_edge_of_stability() -> None:
    """(2 + 2 b1)/(1 - b1) = 38 at b1 = 0.9 (Cohen et al. 2022); P grows as v_hat forgets."""
    assert float(lib.edge_of_stability(0.9)) == pytest.approx(38.0)
    precond = lib.preconditioner(lib.hero_adam(), 0.1)
    _, v_hats = _hero_adam_from_scratch(HERO.num_steps)
    np.testing.assert_allclose(precond, 0.1 / (np.sqrt(v_hats) + 1e-8), rtol=1e-12)
    assert precond[-1].max() > 2 * precond[0].max()
    assert lib.frozen_adam_curvatures(HERO.problem(), precond[-1]).max() < 38.0


def test_explorer_internals_are_adams_quantities() -> None:
    path, _ = _hero_adam_from_scratch(lib.EXPLORER_STEPS)
    traj = lib.explorer_run(0.9, 0.999, True)
    np.testing.assert_allclose(traj.params, path, rtol=1e-12)
    first = lib.internals(traj, 1, 0.9, 0.999, True)
    g1 = HERO.problem().matrix @ HERO.start
    np.testing.assert_allclose(first.grads, g1, rtol=1e-12)
    np.testing.assert_allclose(first.mu_hat, g1, rtol=1e-12)
    np.testing.assert_allclose(first.nu_hat, g1**2, rtol=1e-12)
    np.testing.assert_allclose(np.abs(first.step), 0.1, rtol=1e-8)
    raw = lib.internals(lib.explorer_run(0.9, 0.999, False), 1, 0.9, 0.999, False)
    np.testing.assert_allclose(np.abs(raw.step), 0.1 * 0.1 / math.sqrt(0.001), rtol=1e-7)
    np.testing.assert_allclose(raw.nu_hat, raw.nu)


# --------------------------------------------------------------------------------------
# NAdam (F43)
# --------------------------------------------------------------------------------------


def _ruder_nadam(gradients: list[float], lr: float) -> list[float]:
    """Ruder (2016): x -= lr / (sqrt(v_hat) + eps) (b1 m_hat + (1 - b1) g / (1 - b1^t))."""
    m = v = 0.0
    out = []
    for t, g in enumerate(gradients, start=1):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        out.append(-lr * (0.9 * m_hat + 0.1 * g / (1 - 0.9**t)) / (math.sqrt(v_hat) + 1e-8))
    return out


def test_ruder_form_is_the_flag_of_the_nadam_block() -> None:
    gradients = [2.0, -1.0, 0.5, 3.0, -0.2, 1.0]
    opt = chain(
        lib.scale_by_nadam(momentum_decay=None, look_ahead_correction=False),
        scale_by_learning_rate(0.1),
    )
    steps = np.diff(replay_gradients(opt, np.array(gradients)[:, None]).params[:, 0])
    np.testing.assert_allclose(steps, _ruder_nadam(gradients, 0.1), rtol=1e-12)


def test_nadam_first_steps_of_the_three_forms() -> None:
    """Dozat's schedule mu_t = b1 (1 - 0.96^(t/250) / 2): the first torch step is
    1 + mu_2 (1 - b1) / (1 - mu_1 mu_2) = 1.056 eta; constant mu 1 + b1 / (1 + b1) = 1.474;
    Ruder's 1 + b1 = 1.9."""
    mu = [0.9 * (1 - 0.5 * 0.96 ** (t / 250)) for t in (1, 2)]
    torch_first = 1 + mu[1] * 0.1 / (1 - mu[0] * mu[1])
    assert lib.nadam_first_step(0.9, 0.004) == pytest.approx(torch_first, rel=1e-12)
    assert lib.nadam_first_step() == pytest.approx(torch_first, rel=1e-12)  # torch's defaults
    assert torch_first == pytest.approx(1.056, abs=1e-3)
    for form, expected in [({}, torch_first), ({"momentum_decay": None}, 1 + 0.9 / 1.9)]:
        step = -replay_gradients(lib.nadam(1.0, eps=0.0, **form), np.array([[4.0]])).params[1, 0]
        assert step == pytest.approx(expected, rel=1e-12)
    assert _ruder_nadam([4.0], 1.0)[0] == pytest.approx(-1.9, rel=1e-7)


# --------------------------------------------------------------------------------------
# AMSGrad and Reddi et al.'s counterexample (F41, F42)
# --------------------------------------------------------------------------------------


def _reddi_from_scratch(b2: float, amsgrad: bool, num_steps: int) -> np.ndarray:
    """Reddi et al. (2018): f_t = C x at t = 1 mod 3 else -x on [-1, 1], b1 = 0, 0.1/sqrt(t)."""
    x, v, v_max, path = 0.0, 0.0, 0.0, []
    for t in range(1, num_steps + 1):
        g = 3.0 if t % 3 == 1 else -1.0
        v = b2 * v + (1 - b2) * g * g
        if amsgrad:  # Algorithm 2: no bias correction
            v_max = max(v_max, v)
            step = g / (math.sqrt(v_max) + 1e-8)
        else:
            step = g / (math.sqrt(v / (1 - b2**t)) + 1e-8)
        x = min(1.0, max(-1.0, x - 0.1 / math.sqrt(t) * step))
        path.append(x)
    return np.array(path)


def test_reddi_adam_goes_to_the_worst_point_and_amsgrad_to_the_best() -> None:
    """F41: with C = 3, b2 = 1/(1 + C^2) = 0.1 Adam ends near +1 (0.9997 over the last 1000
    of 6000 steps in the research notes) and AMSGrad near -1; b2 >= 0.9 converges too."""
    runs = lib.reddi_runs()
    adam = _reddi_from_scratch(0.1, False, lib.REDDI_STEPS)
    ams = _reddi_from_scratch(0.1, True, lib.REDDI_STEPS)
    np.testing.assert_allclose(runs["adam"][1:, 0], adam, atol=1e-12)
    np.testing.assert_allclose(runs["amsgrad"][1:], ams, atol=1e-12)
    assert adam[-lib.REDDI_AVERAGE :].mean() > 0.998
    assert ams[-lib.REDDI_AVERAGE :].mean() < -0.998
    for i, b2 in enumerate(lib.REDDI_SHOWN[1:], start=1):
        scratch = _reddi_from_scratch(b2, False, lib.REDDI_STEPS)
        np.testing.assert_allclose(runs["adam"][1:, i], scratch, atol=1e-12)
        assert scratch[-lib.REDDI_AVERAGE :].mean() < -0.998


def test_reddi_threshold_separates_the_sweep() -> None:
    """The zero of the drift -C/sqrt(v_C) + 1/sqrt(v_a) + 1/sqrt(v_b) lies between the last
    b2 of the sweep that ends positive and the first that ends negative."""
    runs = lib.reddi_runs()
    sweep = np.array(lib.REDDI_SWEEP)
    threshold = lib.reddi_threshold(3.0)
    assert sweep[runs["sweep"] > 0].max() < threshold < sweep[runs["sweep"] < 0].min()
    # the drift by hand from the 3-cycle of v, found by iterating the EMA
    for b2 in (0.1, 0.3, 0.7, 0.95):
        v = 0.0
        for t in range(1, 3 * 4000 + 1):
            v = b2 * v + (1 - b2) * (9.0 if t % 3 == 1 else 1.0)
            if t % 3 == 1:
                v_c = v
            elif t % 3 == 2:
                v_a = v
            else:
                v_b = v
        drift = -3 / math.sqrt(v_c) + 1 / math.sqrt(v_a) + 1 / math.sqrt(v_b)
        assert float(lib.reddi_drift(3.0, b2)) == pytest.approx(drift, rel=1e-9)
        assert (drift > 0) == (b2 < threshold)
    assert float(lib.reddi_drift(3.0, threshold)) == pytest.approx(0.0, abs=1e-9)


def test_gamma_is_indefinite_for_adam_and_nonnegative_for_amsgrad() -> None:
    """F42: the max keeps sqrt(v_hat_t)/eta_t non-decreasing; Adam's sqrt(v_t)/eta_t is not."""
    runs = lib.reddi_runs()
    assert np.diff(runs["adam_scale"]).min() < 0
    assert np.diff(runs["amsgrad_scale"]).min() >= 0


def test_amsgrad_takes_the_max_of_the_averages() -> None:
    """Reddi et al. (2018, Alg. 2): v_hat = max(v_hat, v_t), v_t the EMA, not max g^2."""
    gradients = np.array([[10.0], [0.1], [0.1], [0.1]])
    traj = replay_gradients(lib.scale_by_amsgrad(0.9, 0.999), gradients)
    nu_max = traj.field("nu_max")[-1, 0]
    assert nu_max == pytest.approx(0.001 * 100.0, rel=1e-12)  # v_1, the largest average
    assert nu_max < 100.0  # the largest squared gradient


def test_project_to_interval_clips_and_validates() -> None:
    opt = lib.project_to_interval(-1.0, 1.0)
    step, _ = opt.update(np.array([5.0, -0.2, -3.0]), opt.init(np.zeros(3)), np.zeros(3))
    np.testing.assert_array_equal(step, [1.0, -0.2, -1.0])
    with pytest.raises(ValueError, match="low < high"):
        lib.project_to_interval(1.0, 1.0)


# --------------------------------------------------------------------------------------
# AdamW (F44)
# --------------------------------------------------------------------------------------


def test_decoupled_decay_equals_l2_for_sgd_on_the_runs() -> None:
    """Loshchilov & Hutter (2019, Prop. 1): x <- (1 - lambda) x - eta g is GD on
    f + lambda/(2 eta) ||x||^2."""
    runs = lib.decay_runs()
    x = lib.DECAY_START.copy()
    a = lib.DECAY_PROBLEM.matrix
    for k in range(1, 6):
        x = (1 - lib.DECAY) * x - lib.DECAY_RATE * (a @ (x - 1.0))  # x* = (1, 1)
        np.testing.assert_allclose(runs["sgd_decoupled"].params[k], x, rtol=1e-12)
    gap = np.abs(runs["sgd_l2"].params - runs["sgd_decoupled"].params).max()
    assert gap < 1e-14 <= lib.ROUNDING  # the text states the bound lib.ROUNDING


def test_adam_l2_ends_at_the_l2_minimiser_and_adamw_elsewhere() -> None:
    """Prop. 2: with Adam the two decays differ. L2-Adam's fixed point solves
    grad f + lambda x = 0; AdamW's solves grad f = -lambda (sqrt(v_hat) + eps) x."""
    runs = lib.decay_runs()
    a, x_star = lib.DECAY_PROBLEM.matrix, np.array([1.0, 1.0])
    l2_point = np.linalg.solve(a + lib.DECAY * np.eye(2), a @ x_star)
    np.testing.assert_allclose(runs["adam_l2"].params[-1], l2_point, atol=1e-6)
    np.testing.assert_allclose(lib.l2_minimiser(lib.DECAY_PROBLEM, lib.DECAY), l2_point)
    nu = runs["adamw"].field("nu")[-1]
    scale = np.sqrt(nu / (1 - 0.999**lib.DECAY_STEPS)) + 1e-8
    weighted = np.linalg.solve(a + np.diag(lib.DECAY * scale), a @ x_star)
    np.testing.assert_allclose(runs["adamw"].params[-1], weighted, atol=2e-3)
    assert np.abs(runs["adamw"].params[-1] - l2_point).max() > 0.03
    assert np.abs(runs["adam_l2"].params - runs["adamw"].params).max() > 0.03


def test_adamw_is_the_papers_algorithm_2_with_lambda_over_alpha() -> None:
    """torch's lambda is Loshchilov & Hutter's lambda / alpha when lr = alpha * eta_t."""
    problem = quadratic([1.0, 20.0], angle=0.5, x_star=[1.0, -1.0])
    alpha, lam = 0.02, 0.004
    schedule = lambda t: 0.5 ** (t // 40)  # noqa: E731
    x, m, v = np.array([2.0, 1.0]), np.zeros(2), np.zeros(2)
    for t in range(1, 121):
        g = problem.grad(x)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        x = x - schedule(t) * (alpha * m_hat / (np.sqrt(v_hat) + 1e-8) + lam * x)
    opt = lib.adamw(lambda t: alpha * schedule(t), weight_decay=lam / alpha)
    np.testing.assert_allclose(run(opt, problem.grad, np.array([2.0, 1.0]), 120).params[-1], x)


def test_internals_recover_the_gradient_the_update_used() -> None:
    """The explorer's g_t, read back from m_t = b1 m_(t-1) + (1 - b1) g_t, is the gradient
    of the valley at x_(t-1); the step is x_t - x_(t-1)."""
    problem = HERO.problem()
    traj = run(lib.adam(0.05, 0.8, 0.99), problem.grad, HERO.start, 6)
    for step in (1, 4):
        seen = lib.internals(traj, step, 0.8, 0.99, True)
        np.testing.assert_allclose(seen.grads, problem.grad(traj.params[step - 1]), rtol=1e-12)
        np.testing.assert_array_equal(seen.step, traj.params[step] - traj.params[step - 1])


def test_reddi_gradients_by_hand() -> None:
    """Reddi et al. (2018, Theorem 1): C at t = 1, 4, 7, ..., else -1; any C > 0 is allowed
    by the function (the failure needs C > 2); shape (t, *batch, 1)."""
    np.testing.assert_array_equal(lib.reddi_gradients(0.5, 5)[:, 0], [0.5, -1, -1, 0.5, -1])
    assert lib.reddi_gradients(3.0, 4, batch=(2,)).shape == (4, 2, 1)
    np.testing.assert_array_equal(lib.reddi_gradients(3.0, 4, batch=(2,))[3], [[3.0], [3.0]])


def test_random_walk_stream_has_unit_gaussian_increments_in_time() -> None:
    """The 'random walk' gradients are a walk along t: g_t - g_(t-1) ~ N(0, 1), g_1 ~ N(0, 1)."""
    walk = lib.random_gradient_streams(2000, 20)["random walk"][..., 0]
    increments = np.diff(walk, axis=0, prepend=0.0)
    assert abs(float(np.std(increments)) - 1.0) < 0.02  # 40 000 samples: sd of sd 0.0035
    assert abs(float(np.mean(increments))) < 0.02


# --------------------------------------------------------------------------------------
# RAdam
# --------------------------------------------------------------------------------------


def test_radam_shown_steps_start_at_the_first_rectified_step() -> None:
    """The chapter's spread table starts at the first t with rho_t > 4 at RADAM_B2 (eq. 6
    written out) and names t = 20 and t = 100."""
    b2 = lib.RADAM_B2
    rho = [2 / (1 - b2) - 1 - 2 * t * b2**t / (1 - b2**t) for t in range(1, 50)]
    first = next(t for t, r in enumerate(rho, start=1) if r > 4)
    assert lib.RADAM_SHOWN[0] == first
    assert {20, 100} <= set(lib.RADAM_SHOWN.tolist())


def test_radam_rectifier_closed_form() -> None:
    """Liu et al. (2020, eq. 6 and Alg. 2): r_t from rho_t; NaN where rho_t <= 4."""
    b2 = 0.999
    rho_inf = 2 / (1 - b2) - 1
    for t in (5, 6, 100, 1000):
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        assert float(lib.radam_rectifier(b2, t)) == pytest.approx(r, rel=1e-12)
    assert np.isnan(lib.radam_rectifier(b2, 4))
    assert float(lib.radam_rectifier(b2, 10**6)) == pytest.approx(1.0, abs=1e-6)


def test_radam_rectifier_tracks_the_measured_spread() -> None:
    """The rectifier is the ratio of the spreads of psi_t = sqrt((1 - b2^t)/v_t): measured
    on Gaussian gradients it is within 10% of r_t from t = 20 on and larger before."""
    measured, rectifier = lib.radam_spread()
    later = lib.RADAM_SHOWN >= 20
    np.testing.assert_allclose(measured[later], rectifier[later], rtol=0.1)
    assert np.all(measured[lib.RADAM_SHOWN < 20] > rectifier[lib.RADAM_SHOWN < 20])
    # the same spread from a plain EMA loop, with another seed
    rng = np.random.default_rng(7)
    v = np.zeros(4000)
    spreads = {}
    for t in range(1, lib.RADAM_STEPS + 1):
        v = lib.RADAM_B2 * v + (1 - lib.RADAM_B2) * rng.standard_normal(4000) ** 2
        if t in (20, 100, lib.RADAM_STEPS):
            spreads[t] = np.sqrt((1 - lib.RADAM_B2**t) / v).std()
    index = {t: i for i, t in enumerate(lib.RADAM_SHOWN)}
    for t in (20, 100):
        assert spreads[lib.RADAM_STEPS] / spreads[t] == pytest.approx(measured[index[t]], rel=0.06)


# --------------------------------------------------------------------------------------
# The explorer
# --------------------------------------------------------------------------------------


def test_internals_explorer_shows_the_bias_correction_at_the_first_step() -> None:
    """At update 1 the corrected step is eta in each coordinate; without correction it is
    (1 - b1)/sqrt(1 - b2) eta, 3.16 eta at the defaults and 10 eta at b2 = 0.9999."""
    from gdbook.viz.adam import internals_explorer

    explorer = internals_explorer()
    state = explorer.update()
    assert state["step"] == 1 and state["bias_correction"]
    np.testing.assert_allclose(np.abs(state["internals"]["step"]), 0.1, rtol=1e-7)
    state = explorer.update(bias_correction=False)
    np.testing.assert_allclose(np.abs(state["internals"]["step"]), 0.1 * math.sqrt(10), rtol=1e-7)
    state = explorer.update(b2=0.9999)
    np.testing.assert_allclose(np.abs(state["internals"]["step"]), 0.1 * 10, rtol=1e-6)
    state = explorer.update(step=lib.EXPLORER_STEPS, bias_correction=True, b2=0.999)
    path, _ = _hero_adam_from_scratch(lib.EXPLORER_STEPS)
    np.testing.assert_allclose(
        state["internals"]["step"], path[-1] - path[-2], rtol=1e-12, atol=1e-15
    )


def test_long_hero_run_lives_at_the_edge_of_stability() -> None:
    """Cohen et al. (2022): full-batch Adam's preconditioned sharpness settles at
    (2 + 2 b1)/((1 - b1) eta) (38/eta). On the hero valley the loss falls below 1e-150, the
    sharpness passes 38, the loss jumps back above 1e-2, and the sharpness then cycles just
    under 38. Recomputed with Algorithm 1 written out and 2 x 2 eigenvalues in closed form."""
    problem = HERO.problem()
    a = problem.matrix
    x, m, v = HERO.start.copy(), np.zeros(2), np.zeros(2)
    losses, sharp = [0.5 * x @ a @ x], []
    for t in range(1, lib.HERO_LONG_STEPS + 1):
        g = a @ x
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        p = 0.1 / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        x = x - p * (m / (1 - 0.9**t))
        losses.append(0.5 * x @ a @ x)
        b = np.sqrt(np.outer(p, p)) * a  # P^1/2 A P^1/2
        trace, det = b[0, 0] + b[1, 1], b[0, 0] * b[1, 1] - b[0, 1] * b[1, 0]
        sharp.append(trace / 2 + math.sqrt(trace**2 / 4 - det))
    loss, sharpness = np.array(losses), np.array(sharp)
    lib_loss, lib_sharp = lib.hero_long_run()
    lowest = int(np.argmin(loss))
    assert int(np.argmin(lib_loss)) == lowest and loss[lowest] < 1e-150
    np.testing.assert_allclose(lib_sharp[:lowest], sharpness[:lowest], rtol=1e-9)
    crossed = int(np.argmax(sharpness > 38.0))
    assert crossed < lowest + 100 and loss[lowest : lowest + 1000].max() > 1e-2
    assert 30.0 < np.median(lib_sharp[lib_sharp.size // 2 :]) < 38.0


def _long_run_shape(start: np.ndarray) -> tuple[float, float, float, float]:
    """Median and share below 38 of the second half's sharpness, its largest value, and
    the first overshoot (Adam's run written out, as above, from ``start``)."""
    a = HERO.problem().matrix
    x, m, v, sharp = start.copy(), np.zeros(2), np.zeros(2), []
    for t in range(1, lib.HERO_LONG_STEPS + 1):
        g = a @ x
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        p = 0.1 / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        x = x - p * (m / (1 - 0.9**t))
        b = np.sqrt(np.outer(p, p)) * a
        trace, det = b[0, 0] + b[1, 1], b[0, 0] * b[1, 1] - b[0, 1] * b[1, 0]
        sharp.append(trace / 2 + math.sqrt(trace**2 / 4 - det))
    half = np.array(sharp[len(sharp) // 2 :])
    return float(np.median(half)), float(np.mean(half < 38.0)), float(half.max()), max(sharp)


@pytest.mark.parametrize("shift", [0.0, 1e-13])
def test_long_hero_run_cycles_just_under_the_limit(shift: float) -> None:
    """The chapter's description of the chaotic second half, by what survives a start moved
    by 1e-13 (which changes its digits): the median sharpness within HERO_LONG_MEDIAN,
    below 38 at more than HERO_LONG_BELOW of the updates, no overshoot like the first."""
    low, high = lib.HERO_LONG_MEDIAN
    assert low < high < float(lib.edge_of_stability(0.9))  # "just under the limit"
    median, below, largest, first = _long_run_shape(HERO.start * (1 + shift * np.array([1, -1])))
    assert low < median < high and lib.HERO_LONG_BELOW < below < 1.0
    assert first > 45.0 and largest < first - 3.0
    if shift == 0.0:  # the library's run is the one described
        _, lib_sharp = lib.hero_long_run()
        half = lib_sharp[lib_sharp.size // 2 :]
        assert low < np.median(half) < high and np.mean(half < 38.0) > lib.HERO_LONG_BELOW


@pytest.mark.skipif(
    np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps, reason="no extended precision"
)
def test_long_hero_run_jump_is_not_round_off() -> None:
    """The text: the loss's lowest point and the jump back come at the same updates in
    extended precision (x* = 0, so the error keeps its relative precision however small:
    the instability amplifies the error itself, not rounding)."""
    ld = np.longdouble
    a = HERO.problem().matrix.astype(ld)
    x, m, v = HERO.start.astype(ld), np.zeros(2, ld), np.zeros(2, ld)
    losses = []
    for t in range(1, 4001):
        g = np.array([a[0, 0] * x[0] + a[0, 1] * x[1], a[1, 0] * x[0] + a[1, 1] * x[1]])
        m = ld(9) / 10 * m + g / 10
        v = ld(999) / 1000 * v + g * g / 1000
        p = 1 / (10 * (np.sqrt(v / (1 - (ld(999) / 1000) ** t)) + ld(1) / 10**8))
        x = x - p * (m / (1 - (ld(9) / 10) ** t))
        losses.append(x @ (a @ x) / 2)
    loss = np.array([1.0, *losses])  # from t = 0, like hero_long_run
    lib_loss, _ = lib.hero_long_run()
    lowest = int(np.argmin(loss))
    assert lowest == int(np.argmin(lib_loss))
    assert float(loss[lowest]) == pytest.approx(float(lib_loss[lowest]), rel=1e-6)
    jump = lowest + int(np.argmax(loss[lowest : lowest + 1000]))
    assert jump == lowest + int(np.argmax(lib_loss[lowest : lowest + 1000]))
    assert float(loss[jump]) == pytest.approx(float(lib_loss[jump]), rel=1e-6)


def test_hero_adam_is_the_landing_pages_run() -> None:
    """The chapter's hero run is gdbook.intro.hero_runs' Adam, with the moments recorded
    (up to rounding: the intro computes the three methods' gradients as one batch)."""
    from gdbook.intro import hero_runs

    np.testing.assert_allclose(lib.hero_adam().params, hero_runs()["adam"].params, rtol=1e-12)
