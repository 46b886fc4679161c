"""The chapter *Adam*: the bias and its direction, the ablation, step bounds, signal-to-noise.

Each headline number of the chapter is recomputed here by another route than the one the
chapter uses: a from-scratch loop of Kingma & Ba's Algorithm 1, a closed form written out
in the test, or a published value with its source. Sources: Kingma & Ba (2015, Sections
2.1, 3, 6.4 and Fig. 4); Ma & Yarats (2019, Appendix F); Balles & Hennig (2018); Prince
(2023, Notebook 6.5); research facts F34, F36, F38.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gdbook import adam as lib
from gdbook.adaptive import denominator
from gdbook.examples import NOISE_SIGMA
from hypothesis import given
from hypothesis import strategies as st


def _adam_directions(
    gradients: np.ndarray, b1: float, b2: float, *, corrected: bool = True
) -> np.ndarray:
    """Algorithm 1's m_hat / sqrt(v_hat) (eps = 0) for gradients of shape (t, ...)."""
    m = v = np.zeros(gradients.shape[1:])
    out = []
    for t, g in enumerate(gradients, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if corrected:
            out.append((m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t)))
        else:
            out.append(m / np.sqrt(v))
    return np.array(out)


def _tight_bound(b1: float, b2: float, t: int, corrected: bool = True) -> float:
    """Cauchy-Schwarz: sqrt(sum_k a_k^2 / w_k), a_k = (1-b1) b1^k, w_k = (1-b2) b2^k."""
    k = np.arange(t)
    bound = math.sqrt(np.sum(((1 - b1) * b1**k) ** 2 / ((1 - b2) * b2**k)))
    return bound * math.sqrt(1 - b2**t) / (1 - b1**t) if corrected else bound


# --------------------------------------------------------------------------------------
# The direction of the bias
# --------------------------------------------------------------------------------------


def test_uncorrected_first_step_grows_as_beta_2_approaches_one() -> None:
    """F34: the first uncorrected step is (1 - b1)/sqrt(1 - b2) eta; with b1 = 0 it is
    10, 31.6 and 100 eta for b2 = 0.99, 0.999, 0.9999 (the corrected one is eta)."""
    for b2, expected in [(0.99, 10.0), (0.999, math.sqrt(1000)), (0.9999, 100.0)]:
        opt = lib.adam(1.0, 0.0, b2, eps=0.0, bias_correction=False)
        step = -opt.update(np.array([0.3]), opt.init(np.zeros(1)), np.zeros(1))[0][0]
        assert step == pytest.approx(expected, rel=1e-12)
        assert float(lib.uncorrected_step_factor(0.0, b2, 1)) == pytest.approx(expected)


def test_uncorrected_steps_are_longer_in_udl_setting() -> None:
    """Prince (2023), Notebook 6.5 uses beta = 0.9, gamma = 0.99: without the correction the
    steps under a constant gradient are >= eta at every update, 2.13 eta at update 13."""
    steps = np.abs(_adam_directions(np.ones((500, 1)), 0.9, 0.99, corrected=False)[:, 0])
    assert np.all(steps >= 1.0 - 1e-12)
    assert int(np.argmax(steps)) + 1 == 13
    assert steps.max() == pytest.approx(2.131, abs=1e-3)
    factor = lib.uncorrected_step_factor(0.9, 0.99, np.arange(1, 501))
    np.testing.assert_allclose(factor, steps, rtol=1e-12)


def test_constant_gradient_runs_follow_the_closed_forms() -> None:
    runs = lib.constant_gradient_runs()
    t = np.arange(1, lib.BIAS_STEPS + 1)
    np.testing.assert_allclose(runs["mu"], 1 - 0.9**t, rtol=1e-12)
    np.testing.assert_allclose(runs["nu"], 1 - 0.999**t, rtol=1e-12)
    for i, b2 in enumerate(lib.BIAS_B2):
        expected = (1 - 0.9**t) / np.sqrt(1 - b2**t)
        np.testing.assert_allclose(runs["uncorrected"][:, i], expected, rtol=1e-10)


def test_eps_inside_the_root_is_another_method() -> None:
    """Seed 001 writes eta m_hat / sqrt(v_hat + eps); Kingma & Ba add eps outside the root."""
    v_hat, eps = np.array([1e-6, 1e-2, 1.0]), 1e-4
    inside = 1 / denominator(v_hat, eps, eps_in_sqrt=True)
    outside = 1 / denominator(v_hat, eps, eps_in_sqrt=False)
    assert abs(inside[0] / outside[0] - 1) > 0.5  # v_hat not much larger than eps^2: different
    assert inside[2] / outside[2] == pytest.approx(1, abs=1e-4)
    np.testing.assert_allclose(outside, 1 / (np.sqrt(v_hat) + eps))


def test_eps_outside_the_parentheses_drifts() -> None:
    """D2L's TensorFlow Adam: p - lr * v_hat / sqrt(s_hat) + eps adds eps to the parameter."""
    lr, eps, b1, b2 = 0.01, 1e-6, 0.9, 0.999
    gradients = [1.0] + [0.0] * 9
    p_slip = p_right = 0.0
    v = s = 0.0
    for t, g in enumerate(gradients, start=1):
        v, s = b1 * v + (1 - b1) * g, b2 * s + (1 - b2) * g * g
        v_hat, s_hat = v / (1 - b1**t), s / (1 - b2**t)
        p_slip = p_slip - lr * v_hat / math.sqrt(s_hat) + eps
        p_right = p_right - lr * v_hat / (math.sqrt(s_hat) + eps)
    assert p_slip - p_right == pytest.approx(len(gradients) * eps, rel=0.01)


# --------------------------------------------------------------------------------------
# The ablation (Kingma & Ba 2015, Fig. 4, in miniature)
# --------------------------------------------------------------------------------------


def _ablation_from_scratch(corrected: bool) -> np.ndarray:
    """The ablation with Algorithm 1 written out and the same noise stream; loss (steps, ...)."""
    problem = lib.ablation_problem(0)
    rng = np.random.default_rng(1)  # bias_ablation(seed=0) draws its noise from seed + 1
    b1 = np.reshape(lib.ABLATION_B1, (-1, 1, 1, 1, 1))
    b2 = np.reshape(lib.ABLATION_B2, (1, -1, 1, 1, 1))
    rates = lib.ABLATION_RATES.reshape(1, 1, -1, 1, 1)
    shape = (len(lib.ABLATION_B1), len(lib.ABLATION_B2), lib.ABLATION_RATES.size)
    x = np.ones((*shape, lib.ABLATION_SEEDS, lib.ABLATION_DIM))
    m, v, losses = np.zeros_like(x), np.zeros_like(x), {}
    for t in range(1, max(lib.ABLATION_STEPS) + 1):
        g = x @ problem.matrix + NOISE_SIGMA * rng.standard_normal(x.shape)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t)) if corrected else (m, v)
        x = x - rates * m_hat / (np.sqrt(v_hat) + 1e-8)
        if t in lib.ABLATION_STEPS:
            losses[t] = 0.5 * np.einsum("...i,ij,...j->...", x, problem.matrix, x)
    return np.stack([losses[t] for t in lib.ABLATION_STEPS], axis=-1)


@pytest.fixture(scope="module")
def scratch_ablation() -> np.ndarray:
    return np.stack([_ablation_from_scratch(c) for c in (True, False)])


def test_ablation_settings_are_the_stated_ones() -> None:
    """The betas of Kingma & Ba's ablation (2015, Section 6.4, Fig. 4): b1 in {0, 0.9},
    b2 in {0.99, 0.999, 0.9999}; the rates three per decade; the generated quadratic has
    condition number 100 (the module's stated settings)."""
    assert lib.ABLATION_B1 == (0.0, 0.9)
    assert lib.ABLATION_B2 == (0.99, 0.999, 0.9999)
    np.testing.assert_allclose(np.diff(np.log10(lib.ABLATION_RATES)), 1 / 3, rtol=1e-12)
    eigenvalues = np.linalg.eigvalsh(lib.ablation_problem().matrix)
    assert eigenvalues.max() / eigenvalues.min() == pytest.approx(100.0, rel=1e-9)


def test_ablation_is_algorithm_1_on_the_described_problem(scratch_ablation: np.ndarray) -> None:
    np.testing.assert_allclose(lib.bias_ablation().losses, scratch_ablation, rtol=1e-9)


def test_with_correction_the_best_rate_hardly_depends_on_the_betas(
    scratch_ablation: np.ndarray,
) -> None:
    """The chapter: after 100 steps the best rates of the six (b1, b2) lie within one step of
    the grid with correction, and spread over more than a decade without."""
    median = np.median(scratch_ablation, axis=4)  # (corr, b1, b2, rates, steps)
    best = lib.ABLATION_RATES[np.argmin(median[..., 0], axis=-1)]  # (corr, b1, b2)
    grid_step = lib.ABLATION_RATES[1] / lib.ABLATION_RATES[0]
    assert best[0].max() / best[0].min() <= grid_step * (1 + 1e-12)
    assert best[1].max() / best[1].min() >= 10
    rate, _ = lib.best_learning_rates(lib.bias_ablation())
    np.testing.assert_array_equal(rate[..., 0], best)


def test_without_correction_the_best_rate_moves_left_and_the_tuned_rate_fails(
    scratch_ablation: np.ndarray,
) -> None:
    """Too-long early steps: the uncorrected optimum at b2 = 0.9999 is >= 10x smaller, and at
    the corrected optimum the uncorrected loss is >= 5x higher (b1 = 0.9, 100 steps)."""
    median = np.median(scratch_ablation, axis=4)
    corrected_best = int(np.argmin(median[0, 1, 2, :, 0]))
    uncorrected_best = int(np.argmin(median[1, 1, 2, :, 0]))
    shift = lib.ABLATION_RATES[corrected_best] / lib.ABLATION_RATES[uncorrected_best]
    assert shift >= 10
    assert median[1, 1, 2, corrected_best, 0] >= 5 * median[0, 1, 2, corrected_best, 0]
    # and the shift grows with beta_2, as the factor (1 - b1^t)/sqrt(1 - b2^t) does
    best_uncorrected = np.argmin(median[1, 1, :, :, 0], axis=-1)
    assert best_uncorrected[0] >= best_uncorrected[1] >= best_uncorrected[2]


# --------------------------------------------------------------------------------------
# Step-size bounds (F36)
# --------------------------------------------------------------------------------------


def test_growing_gradients_attain_the_tight_bound() -> None:
    """Ma & Yarats (2019, App. F): g_s ~ (b2/b1)^s attains the Cauchy-Schwarz bound at every
    step; with correction it is 1.0, 1.043, 2.243, 5.781 at t = 1, 10, 100, 1000 (F36)."""
    t_max = 1000
    gradients = (0.999 / 0.9) ** np.arange(t_max, dtype=np.float64)[:, None]
    steps = _adam_directions(gradients, 0.9, 0.999)[:, 0]
    for t, published in [(1, 1.0), (10, 1.043), (100, 2.243), (1000, 5.781)]:
        assert steps[t - 1] == pytest.approx(_tight_bound(0.9, 0.999, t), rel=1e-10)
        assert steps[t - 1] == pytest.approx(published, abs=5e-4)
    np.testing.assert_allclose(lib.bound_runs()["worst"][:t_max], steps, rtol=1e-10)
    np.testing.assert_allclose(
        lib.step_bound(0.9, 0.999, np.arange(1, t_max + 1)), steps, rtol=1e-10
    )
    uncorrected = _adam_directions(gradients[:200], 0.9, 0.999, corrected=False)[:, 0]
    np.testing.assert_allclose(lib.bound_runs()["worst uncorrected"][:200], uncorrected, rtol=1e-10)


def test_kingma_bound_is_exceeded_in_both_cases() -> None:
    """Kingma & Ba's Section 2.1: 3.16 eta at the defaults (case 1), eta for b1 = 0.99
    (case 2). The tight limits are 7.2703 (F36) and 2.30: both claims fail."""
    assert float(lib.step_bound(0.9, 0.999)) == pytest.approx(7.2703, abs=1e-4)
    limit_case_2 = 0.01 / math.sqrt(0.001 * (1 - 0.99**2 / 0.999))
    assert float(lib.step_bound(0.99, 0.999)) == pytest.approx(limit_case_2, rel=1e-12)
    assert limit_case_2 > 2.29 > float(lib.kingma_step_bound(0.99, 0.999)) == 1.0
    # attained by a from-scratch run of the growing gradients, uncorrected
    gradients = (0.999 / 0.99) ** np.arange(3000, dtype=np.float64)[:, None]
    step = _adam_directions(gradients, 0.99, 0.999, corrected=False)[-1, 0]
    assert step == pytest.approx(limit_case_2, rel=1e-6)


def test_spike_steps_and_random_sequences() -> None:
    """A lone spike gives (1-b1) sqrt(1-b2^t) / ((1-b1^t) sqrt(1-b2)), 3.15 at t = 5000 (F36);
    random sequences never exceed the tight bound."""
    runs = lib.bound_runs()
    t = lib.SPIKE_STEPS.astype(float)
    closed = 0.1 * np.sqrt(1 - 0.999**t) / ((1 - 0.9**t) * math.sqrt(0.001))
    np.testing.assert_allclose(runs["spike"], closed, rtol=1e-10)
    assert float(lib.single_spike_step(0.9, 0.999, 5000)) == pytest.approx(3.15, abs=0.005)
    bound = lib.step_bound(0.9, 0.999, np.arange(1, lib.BOUND_STEPS + 1))
    assert np.all(runs["random"] <= bound * (1 + 1e-12))
    assert np.all(runs["random kinds"] <= runs["random"].max())
    assert runs["random kinds"].max() == runs["random"].max()


@given(st.lists(st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=60))
def test_no_gradient_sequence_exceeds_the_bound(gradients: list[float]) -> None:
    g = np.array(gradients)[:, None]
    steps = np.abs(_adam_directions(g, 0.9, 0.999)[:, 0])
    bounds = lib.step_bound(0.9, 0.999, np.arange(1, len(gradients) + 1))
    assert np.all(steps <= bounds * (1 + 1e-9))


def test_worst_case_gradients_are_the_growing_sequence() -> None:
    g = lib.worst_case_gradients(0.9, 0.999, 5)[:, 0]
    np.testing.assert_allclose(g[1:] / g[:-1], 0.999 / 0.9)
    assert g[-1] == 1.0
    with pytest.raises(ValueError, match="underflows"):
        lib.worst_case_gradients(0.9, 0.999, 20000)


def test_worst_case_gradients_at_one_step_and_at_the_underflow_edge() -> None:
    """One step: the lone gradient g_1 = 1. The refusal comes exactly where g_1^2 (the
    oldest gradient, (b1/b2)^(t-1)) underflows to zero in float64, and not one step before."""
    np.testing.assert_array_equal(lib.worst_case_gradients(0.9, 0.999, 1), [[1.0]])
    ratio = np.float64(0.9) / np.float64(0.999)
    edge = next(n for n in range(2, 10_000) if (ratio ** np.float64(n - 1)) ** 2 == 0.0)
    with pytest.raises(ValueError, match="underflows"):
        lib.worst_case_gradients(0.9, 0.999, edge)
    assert lib.worst_case_gradients(0.9, 0.999, edge - 1)[0, 0] > 0.0


# --------------------------------------------------------------------------------------
# Signal-to-noise (F38)
# --------------------------------------------------------------------------------------


def test_snr_direction_matches_the_ratio_of_expectations() -> None:
    """F38: E[m_hat / sqrt(v_hat)] ~ mu / sqrt(mu^2 + sigma^2) after burn-in; the research
    notes measured 0.9949, 0.7073, 0.3125, 0.0998 for mu/sigma = 10, 1, 1/3, 1/10."""
    ratios, means, errors = lib.snr_experiment()
    predicted = ratios / np.sqrt(ratios**2 + 1)
    assert np.all(np.abs(means - predicted) <= 4 * errors)
    np.testing.assert_allclose(means, [0.9949, 0.7073, 0.3125, 0.0998], atol=0.012)
    np.testing.assert_allclose(lib.snr_direction(ratios, 1.0), predicted)
    # mu / sqrt(mu^2 + sigma^2) at sigma != 1: 1/sqrt(5) and -3/5
    np.testing.assert_allclose(lib.snr_direction([1.0, -3.0], [2.0, 4.0]), [5**-0.5, -0.6])
