"""The SymPy claims of the chapter *Adam* (gdbook.derivations.adam), each tied to the code.

Every public claim of the module is asserted here: symbolically where SymPy can decide
the identity, and always also numerically at random points of the parameters' ranges,
so that a claim that SymPy merely fails to simplify is still checked, and a wrong claim
cannot pass by a lucky simplification. Sources: Kingma & Ba (2015, Sections 2, 2.1, 3,
7.1); Ma & Yarats (2019, Appendix F); Loshchilov & Hutter (2019, Propositions 1-2);
Dozat (2016); Ruder (2016); Reddi, Kale & Kumar (2018, Theorem 1); research facts F30,
F33-F37, F40, F43, F44.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp
from gdbook import adam as lib
from gdbook.derivations import adam as claims
from gdbook.derivations import b1, b2, epsilon, eta, g, grads, m, m_t, sigma, t, v_t, x
from gdbook.momentum import replay_gradients

RNG = np.random.default_rng(20240514)


def _points(symbols: list[sp.Symbol], count: int = 12) -> list[dict[sp.Symbol, float]]:
    """Random values in each symbol's range: decays in (0.05, 0.999), steps 1..60, others."""
    out = []
    for _ in range(count):
        point: dict[sp.Symbol, float] = {}
        for sym in symbols:
            name = str(sym)
            if name.startswith(r"\beta") or name in ("beta_1", "beta_2"):
                point[sym] = float(RNG.uniform(0.05, 0.999))
            elif sym == t:
                point[sym] = int(RNG.integers(1, 60))
            elif sym.is_positive:
                point[sym] = float(RNG.uniform(0.1, 5.0))
            else:
                point[sym] = float(RNG.choice([-1, 1]) * RNG.uniform(0.1, 5.0))
        out.append(point)
    return out


def _numerically_equal(left: sp.Expr, right: sp.Expr, rtol: float = 1e-9) -> None:
    symbols = sorted(sp.sympify(left).free_symbols | sp.sympify(right).free_symbols, key=str)
    for point in _points(symbols):
        a, b = complex(left.subs(point).evalf()), complex(right.subs(point).evalf())
        assert abs(a - b) <= rtol * max(1.0, abs(b)), (point, a, b)


def _equal(pair: tuple[sp.Expr, sp.Expr], *, symbolic: bool = True) -> None:
    left, right = pair
    if symbolic:
        assert claims.positive_simplify(left - right) == 0
    _numerically_equal(left, right)


# --------------------------------------------------------------------------------------
# The moving averages and their bias (F33, F30)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5])
def test_second_moment_unrolled_is_the_weighted_sum(n: int) -> None:
    """F33: v_t = (1 - b2) sum_s b2^(t-s) g_s^2 from v_0 = 0 (Kingma & Ba, Section 3)."""
    iterated, formula = claims.second_moment_unrolled(n)
    assert sp.expand(iterated - formula) == 0
    # and the library's nu after n gradients
    gs = RNG.normal(size=n)
    nu = replay_gradients(lib.scale_by_adam(0.9, 0.95), gs[:, None]).field("nu")[-1, 0]
    value = formula.subs({b2: 0.95, **{grads[i + 1]: gs[i] for i in range(n)}})
    assert nu == pytest.approx(float(value), rel=1e-13)


def test_second_moment_sum_is_the_displayed_sum() -> None:
    total = claims.second_moment_sum()
    assert isinstance(total, sp.Mul) and total.has(sp.Sum)
    assert sp.expand(total.subs(t, 3).doit() - claims.second_moment_unrolled(3)[1]) == 0


def test_expected_second_moment_has_the_bias_factor_and_zeta() -> None:
    """E[v_t] = E[g_t^2](1 - b2^t) + zeta; zeta = 0 when E[g_s^2] is constant."""
    derived, claimed = claims.expected_second_moment()
    assert sp.simplify(derived - claimed) == 0
    assert claimed.coeff(claims.square_seq[t]) == 1 - b2**t
    # numerically: averaged over many gradient streams, v_t / E[g^2] -> 1 - b2^t
    streams = 2.0 * RNG.standard_normal((40, 20000, 1))
    nu = replay_gradients(lib.scale_by_adam(0.0, 0.9), streams).field("nu")[1:, :, 0]
    ratio = nu.mean(axis=1) / 4.0
    steps = np.arange(1, 41)
    np.testing.assert_allclose(ratio, 1 - 0.9**steps, rtol=0.03)


def test_expected_first_moment_has_the_same_factor() -> None:
    derived, claimed = claims.expected_first_moment()
    assert sp.simplify(derived - claimed) == 0
    assert claimed == claims.mean_seq[t] * (1 - b1**t)


def test_bias_correction_is_an_ema_with_a_time_varying_beta() -> None:
    """F30: m_hat_t = beta_t m_hat_{t-1} + (1 - beta_t) g_t, beta_1 = 0 at t = 1."""
    derived, claimed = claims.bias_correction_as_time_varying_beta()
    assert sp.simplify(derived - claimed) == 0
    beta_t = claims.time_varying_beta()
    assert beta_t.subs(t, 1) == 0
    assert sp.limit(beta_t.subs(b1, sp.Rational(9, 10)), t, sp.oo) == sp.Rational(9, 10)
    # the library's m_hat follows the time-varying EMA
    gs = RNG.normal(size=25)
    mu = replay_gradients(lib.scale_by_adam(0.8, 0.9), gs[:, None]).field("mu")[1:, 0]
    m_hat = mu / (1 - 0.8 ** np.arange(1, 26))
    recursive = [gs[0]]
    for k in range(2, 26):
        b = float(beta_t.subs({b1: 0.8, t: k}))
        recursive.append(b * recursive[-1] + (1 - b) * gs[k - 1])
    np.testing.assert_allclose(m_hat, recursive, rtol=1e-12)


# --------------------------------------------------------------------------------------
# Which way the bias pushes (F34)
# --------------------------------------------------------------------------------------


def test_uncorrected_first_step_is_longer_than_eta() -> None:
    """F34: m_1/sqrt(v_1) = (1 - b1)/sqrt(1 - b2) sign(g) = 3.1623 at the defaults."""
    _equal(claims.uncorrected_first_step())
    _, claimed = claims.uncorrected_first_step()
    assert float(claimed.subs({b1: 0.9, b2: 0.999, g: -2.5})) == pytest.approx(-math.sqrt(10))
    assert float(lib.uncorrected_step_factor(0.9, 0.999, 1)) == pytest.approx(3.16227766, 1e-8)


def test_corrected_first_step_is_the_sign() -> None:
    _equal(claims.corrected_first_step())
    _equal(claims.constant_gradient_direction())


def test_uncorrected_factor_under_a_constant_gradient() -> None:
    derived, claimed = claims.uncorrected_step_factor()
    assert claims.positive_simplify(derived - claimed) == 0
    steps = np.arange(1, 5001)
    factor = lib.uncorrected_step_factor(0.9, 0.999, steps)
    # the docstring's condition (1 - b1^t)^2 > 1 - b2^t holds at every step at the defaults
    assert np.all(factor > 1.0) and factor[-1] == pytest.approx(1.0, abs=0.01)
    # and the library's uncorrected Adam steps this much
    run = replay_gradients(lib.adam(1.0, eps=0.0, bias_correction=False), np.full((30, 1), 7.0))
    np.testing.assert_allclose(-np.diff(run.params[:, 0]), factor[:30], rtol=1e-12)


def test_efficient_form_needs_eps_hat_scaled_by_the_bias_factor() -> None:
    """F35: Kingma & Ba's efficient ordering equals Algorithm 1 iff eps_hat = eps sqrt(1-b2^t)."""
    derived, claimed = claims.efficient_form()
    assert claims.positive_simplify(derived - claimed) == 0
    alg1 = eta * (m_t / (1 - b1**t)) / (sp.sqrt(v_t / (1 - b2**t)) + epsilon)
    efficient = (eta * sp.sqrt(1 - b2**t) / (1 - b1**t)) * m_t / (sp.sqrt(v_t) + claimed)
    _numerically_equal(alg1, efficient)


# --------------------------------------------------------------------------------------
# Step-size bounds (F36)
# --------------------------------------------------------------------------------------


def test_kingma_bound_is_the_single_spike_limit() -> None:
    bound = claims.kingma_step_bound()
    assert float(bound.subs({b1: 0.9, b2: 0.999})) == pytest.approx(math.sqrt(10))
    assert bound.subs({b1: 0.99, b2: 0.999}) == 1
    spike, closed = claims.single_spike_step()
    _numerically_equal(spike, closed)
    limit = sp.limit(closed.subs({b1: sp.Rational(9, 10), b2: sp.Rational(999, 1000)}), t, sp.oo)
    assert float(limit) == pytest.approx(math.sqrt(10))
    np.testing.assert_allclose(
        lib.kingma_step_bound([0.9, 0.99], [0.999, 0.999]), [math.sqrt(10), 1.0]
    )


def test_worst_case_gradients_from_lagrange_multipliers() -> None:
    derived, claimed = claims.worst_case_gradients(4)
    for d, c in zip(derived, claimed, strict=True):
        assert sp.simplify(d - c) == 0
    np.testing.assert_allclose(
        lib.worst_case_gradients(0.9, 0.999, 4)[:, 0], (0.9 / 0.999) ** np.array([3, 2, 1, 0])
    )


def test_tight_step_bound_closed_form() -> None:
    """Ma & Yarats (2019, App. F) / F36: the Cauchy-Schwarz bound, attained."""
    derived, claimed = claims.tight_step_bound()
    assert sp.simplify(derived**2 - claimed**2) == 0  # both sides are positive
    _numerically_equal(derived, claimed)
    limit, limit_claimed = claims.tight_step_bound_limit()
    for b1_value, b2_value in [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99), (0.95, 0.9999)]:
        point = {b1: b1_value, b2: b2_value}  # beta_1 < sqrt(beta_2): the limit exists
        assert float(limit.subs(point)) == pytest.approx(float(limit_claimed.subs(point)))
        at_large_t = float(claimed.subs({**point, t: 100000}))
        assert at_large_t == pytest.approx(float(limit_claimed.subs(point)), rel=1e-9)
    at_defaults = float(limit_claimed.subs({b1: 0.9, b2: 0.999}))
    assert at_defaults == pytest.approx(7.2703, abs=1e-4)  # F36
    assert float(lib.step_bound(0.9, 0.999)) == pytest.approx(at_defaults, rel=1e-12)


@pytest.mark.parametrize(
    ("step", "published"), [(1, 1.0), (10, 1.043), (100, 2.243), (1000, 5.781)]
)
def test_corrected_bound_at_the_published_steps(step: int, published: float) -> None:
    """F36: with bias correction the bound is 1.0, 1.043, 2.243, 5.781 at t = 1, 10, 100, 1000."""
    bound = claims.corrected_step_bound().subs({b1: 0.9, b2: 0.999, t: step})
    assert float(bound) == pytest.approx(published, abs=5e-4)
    assert float(lib.step_bound(0.9, 0.999, step)) == pytest.approx(float(bound), rel=1e-12)


def test_scale_invariance_symbolic() -> None:
    """F37: c g gives the same direction for any c > 0 (epsilon = 0)."""
    scaled, plain = claims.scale_invariance(3)
    assert sp.simplify(scaled - plain) == 0
    assert claims.scale_c not in scaled.free_symbols


def test_non_stationarity_term_written_out_at_t_2() -> None:
    """Kingma & Ba's zeta = (1 - b2) sum_s b2^(t-s) (E[g_s^2] - E[g_t^2]); at t = 2 only
    s = 1 is left: (1 - b2) b2 (E[g_1^2] - E[g_2^2])."""
    zeta_2 = claims.non_stationarity_term().subs(t, 2).doit()
    values = {b2: 0.9, claims.square_seq[1]: 5.0, claims.square_seq[2]: 2.0}
    assert float(zeta_2.subs(values)) == pytest.approx(0.1 * 0.9 * 3.0, rel=1e-12)


def test_scale_invariance_is_about_algorithm_1s_direction() -> None:
    """The direction of the claim is Kingma & Ba's m_hat / sqrt(v_hat): after two gradients
    m_2 = (1 - b1)(b1 g_1 + g_2), v_2 = (1 - b2)(b2 g_1^2 + g_2^2), written out here."""
    _, plain = claims.scale_invariance(2)
    for beta1, beta2, g1, g2 in [(0.9, 0.999, 3.0, -1.0), (0.5, 0.8, -2.0, 0.25)]:
        m_hat = (1 - beta1) * (beta1 * g1 + g2) / (1 - beta1**2)
        v_hat = (1 - beta2) * (beta2 * g1**2 + g2**2) / (1 - beta2**2)
        values = {b1: beta1, b2: beta2, grads[1]: g1, grads[2]: g2}
        assert float(plain.subs(values)) == pytest.approx(m_hat / math.sqrt(v_hat), rel=1e-12)


def test_unbiased_moments_and_the_snr_ratio() -> None:
    (m_hat, m_claim), (v_hat, v_claim) = claims.unbiased_moments()
    assert sp.simplify(m_hat - m_claim) == 0
    assert sp.simplify(v_hat - v_claim) == 0
    _equal(claims.snr_direction())
    _, snr = claims.snr_direction()
    value = float(snr.subs({claims.mu_g: 1, sigma: 1}))
    assert value == pytest.approx(1 / math.sqrt(2))
    assert float(lib.snr_direction(1.0, 1.0)) == pytest.approx(value)


def test_adamax_is_the_infinity_norm_limit() -> None:
    """F40: lim_p ((1 - b2^p) sum b2^(p(t-s)) |g_s|^p)^(1/p) = max b2^(t-s) |g_s|."""
    limit, maximum = claims.adamax_limit()
    assert limit == maximum == sp.Rational(2997, 1000)
    u = replay_gradients(lib.scale_by_adamax(0.9, 0.999), np.array([[3.0], [2.0]])).field("nu")
    assert u[-1, 0] == pytest.approx(2.997, rel=1e-15)
    # the p -> infinity trend approaches from below (F40)
    values = [((1 - 0.999**p) * (0.999**p * 3.0**p + 2.0**p)) ** (1 / p) for p in (10, 100, 300)]
    assert values[0] < values[1] < values[2] < 2.997


def test_adamax_bound_limit() -> None:
    limit, claimed = claims.adamax_step_bound()
    assert sp.simplify(limit - claimed) == 0
    assert float(claimed.subs({b1: 0.9, b2: 0.999})) == pytest.approx(1.00909, abs=1e-5)
    assert float(lib.adamax_step_bound(0.9, 0.999)) == pytest.approx(0.999 * 0.1 / 0.099)


# --------------------------------------------------------------------------------------
# Weight decay (F44)
# --------------------------------------------------------------------------------------


def test_decoupled_decay_equals_l2_for_sgd_symbolic() -> None:
    left, right = claims.decoupled_decay_is_l2_for_sgd()
    assert sp.expand(left - right) == 0


def test_l2_decay_is_divided_by_the_preconditioner() -> None:
    derived, claimed = claims.l2_through_adam()
    assert sp.simplify(derived - claimed) == 0
    assert claimed.has(epsilon) and claimed.has(x)


def test_torch_adamw_is_the_paper_with_lambda_over_alpha() -> None:
    torch, paper = claims.torch_decay_is_paper_decay()
    assert sp.expand(torch - paper) == 0


# --------------------------------------------------------------------------------------
# NAdam (F43)
# --------------------------------------------------------------------------------------


def test_adam_moment_expansion_and_ruder_simplification() -> None:
    derived, claimed = claims.adam_moment_expanded()
    assert sp.simplify(derived - claimed) == 0
    derived, claimed = claims.nadam_constant_momentum()
    assert sp.simplify(derived - claimed) == 0
    gap, gap_claim = claims.nadam_ruder_gap()
    assert sp.simplify(gap - gap_claim) == 0
    _numerically_equal(gap, gap_claim)
    assert gap_claim.has(m) and gap_claim.has(b1)


def test_nadam_first_steps() -> None:
    (constant, constant_claim), (ruder, ruder_claim) = claims.nadam_first_step()
    assert sp.simplify(constant - constant_claim) == 0
    assert sp.simplify(ruder - ruder_claim) == 0
    assert float(constant_claim.subs(b1, 0.9)) == pytest.approx(lib.nadam_first_step(0.9, None))
    ruder_lib = lib.nadam_first_step(0.9, None, look_ahead_correction=False)
    assert float(ruder_claim.subs(b1, 0.9)) == pytest.approx(ruder_lib) == pytest.approx(1.9)


# --------------------------------------------------------------------------------------
# Reddi et al.'s problem (F41)
# --------------------------------------------------------------------------------------


def test_reddi_cycle_solves_three_ema_steps_and_matches_the_library() -> None:
    (v_c, v_a, v_b), drift = claims.reddi_cycle()
    c, b = claims.reddi_c, b2
    assert sp.simplify(v_c - (b * v_b + (1 - b) * c**2)) == 0
    assert sp.simplify(v_a - (b * v_c + (1 - b))) == 0
    assert sp.simplify(v_b - (b * v_a + (1 - b))) == 0
    numeric: Callable[[float, float], float] = sp.lambdify((c, b), drift)
    for c_value, b_value in [(3.0, 0.1), (3.0, 0.9), (5.0, 0.5)]:
        assert numeric(c_value, b_value) == pytest.approx(float(lib.reddi_drift(c_value, b_value)))
        expected = np.array([float(e.subs({c: c_value, b: b_value})) for e in (v_c, v_a, v_b)])
        np.testing.assert_allclose(lib.reddi_cycle(c_value, b_value), expected, rtol=1e-13)


def test_zeta_depends_on_beta_2_not_beta_1() -> None:
    """Kingma & Ba (Section 3) say beta_1 keeps zeta small; in the v_t derivation it is beta_2."""
    zeta = claims.non_stationarity_term()
    assert b2 in zeta.free_symbols and b1 not in zeta.free_symbols
    # zeta vanishes for a stationary second moment, and is what E[v_t] leaves over
    expanded = zeta.subs(t, 4).doit()
    constant = sp.Symbol("c2", positive=True)
    stationary = {claims.square_seq[i]: constant for i in range(1, 5)}
    assert sp.simplify(expanded.subs(stationary)) == 0
    assert sp.simplify(expanded) != 0
    derived, _ = claims.expected_second_moment()
    assert derived.has(claims.zeta)
