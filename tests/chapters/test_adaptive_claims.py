"""Adaptive methods, the claims: every SymPy claim of ``derivations.adaptive`` and its bridge.

Each claim is asserted equal, then tied to the NumPy code by a number computed another
way: a loop written out here, a run of the library, or a published value. Sources:
Duchi, Hazan & Singer (2011); Tieleman & Hinton (2012, lecture 6e); Zeiler (2012,
Algorithm 1 and Section 3.2); research facts F29 (timescales 6.58 / 68.97 / 692.80),
F31 (Adagrad and RMSProp under a constant gradient) and F32 (Adadelta's first step,
3.16e-3 and 4.47e-3); Zhang et al., *Dive into Deep Learning* (2023), sec. 12.8.1 and
12.9.2 (chapter_optimization/rmsprop.md and adadelta.md at d2l-en commit 23d7a5a).
"""

from __future__ import annotations

import inspect
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from gdbook import adaptive as ad
from gdbook.adaptive import adadelta, adagrad, rmsprop
from gdbook.derivations import L, epsilon, eta, g, lam, mu, t
from gdbook.derivations import adaptive as claims
from gdbook.momentum import ema_timescales
from gdbook.problems import quadratic
from hypothesis import given
from hypothesis import strategies as st

rho = claims.rho


def _equal(pair: tuple[sp.Expr, sp.Expr]) -> bool:
    derived, claimed = pair
    if isinstance(derived, sp.Tuple):
        return len(derived) == len(claimed) and all(
            _equal((a, b)) for a, b in zip(derived, claimed, strict=True)
        )
    return bool(sp.simplify(sp.expand_log(derived - claimed, force=True)) == 0)


def _value(expr: sp.Expr, **values: float) -> float:
    names = {s.name: s for s in expr.free_symbols}
    return float(expr.subs({names[k]: v for k, v in values.items() if k in names}))


def _replay(opt: object, gradients: list[float]) -> np.ndarray:
    """Steps of ``opt`` for a fixed gradient sequence, one coordinate."""
    state = opt.init(np.zeros(1))  # type: ignore[attr-defined]
    out = []
    for grad in gradients:
        step, state = opt.update(np.array([grad]), state, np.zeros(1))  # type: ignore[attr-defined]
        out.append(step[0])
    return np.array(out)


# --------------------------------------------------------------------------------------
# Adagrad
# --------------------------------------------------------------------------------------


def test_claim_adagrad_constant_gradient_step_and_the_run() -> None:
    """F31: s_t = t g^2, step eta / sqrt(t); the run takes exactly those steps."""
    assert _equal(claims.adagrad_constant_gradient_step())
    steps = _replay(adagrad(0.3, eps=0.0), [4.0] * 30)
    np.testing.assert_allclose(-steps, 0.3 / np.sqrt(np.arange(1, 31)), rtol=1e-13)


def test_claim_adagrad_displacement_bounds_hold_for_the_sum() -> None:
    """Integral bounds on sum k^-1/2, checked symbolically and against the sum itself."""
    lower, upper = (
        claims.adagrad_displacement_lower_bound(),
        claims.adagrad_displacement_upper_bound(),
    )
    assert _equal(lower) and _equal(upper)
    assert _equal(claims.adagrad_displacement_growth())
    for n in (1, 2, 10, 1000):
        total = sum(k**-0.5 for k in range(1, n + 1))
        assert _value(lower[1], t=n) <= total + 1e-12 <= _value(upper[1], t=n) + 2e-12
    np.testing.assert_allclose(
        ad.adagrad_displacement(1.0, 1000)[-1], sum(k**-0.5 for k in range(1, 1001)), rtol=1e-13
    )


def test_adagrad_displacement_minus_two_sqrt_t_tends_to_zeta_one_half() -> None:
    """sum_{k<=t} k^-1/2 = 2 sqrt(t) + zeta(1/2) + O(t^-1/2); zeta(1/2) = -1.4603545..."""
    gap = ad.adagrad_displacement(1.0, 10**6)[-1] - 2 * math.sqrt(10**6)
    assert gap == pytest.approx(float(mpmath.zeta(0.5)), abs=1.1e-3)


def test_adagrad_displacement_shapes_and_scaling() -> None:
    d = ad.adagrad_displacement(np.array([1.0, 2.0]), 4)
    assert d.shape == (2, 5)
    np.testing.assert_allclose(
        d[0], [0.0, 1.0, 1 + 2**-0.5, 1 + 2**-0.5 + 3**-0.5, 1.5 + 2**-0.5 + 3**-0.5]
    )
    np.testing.assert_allclose(d[1], 2 * d[0])
    with pytest.raises(ValueError, match="num_steps"):
        ad.adagrad_displacement(1.0, -1)
    np.testing.assert_array_equal(ad.adagrad_displacement(1.0, 0), [0.0])  # no step yet


def test_centered_rmsprop_one_step_by_hand() -> None:
    """Graves (2013, eq. 38-40) from zero state, g = 0.1, rho = 0.9: v = 1e-3, g_bar = 1e-2,
    v - g_bar^2 = 9e-4, so the step is -eta 0.1 / (0.03 + eps) (a small variance, below 1)."""
    steps = _replay(rmsprop(0.5, 0.9, eps=1e-8, centered=True), [0.1])
    np.testing.assert_allclose(steps, [-0.5 * 0.1 / (0.03 + 1e-8)], rtol=1e-12)


def test_claim_adagrad_steps_to_travel() -> None:
    pair = claims.adagrad_steps_to_travel()
    assert _equal(pair)
    assert float(ad.adagrad_steps_to_travel(50.0, 0.5)) == _value(pair[1], D_travel=50.0, eta=0.5)
    assert float(ad.adagrad_steps_to_travel(50.0, 0.5)) == 2500.0
    assert float(ad.adagrad_steps_to_travel(3.0, 0.25)) == 36.0  # (3 / 0.5)^2; eta != 1/2
    assert float(ad.adagrad_steps_to_travel(0.5, 1.0)) == 0.0625  # no distance is too short
    with pytest.raises(ValueError, match="learning_rate"):
        ad.adagrad_steps_to_travel(1.0, 0.0)
    with pytest.raises(ValueError, match="distance"):
        ad.adagrad_steps_to_travel(-1.0, 1.0)


# --------------------------------------------------------------------------------------
# RMSProp
# --------------------------------------------------------------------------------------


def test_claims_rmsprop_constant_gradient() -> None:
    """F31: v_t = (1 - rho^t) g^2, step eta / sqrt(1 - rho^t) -> eta; first eta / sqrt(1 - rho)."""
    assert _equal(claims.rmsprop_constant_gradient_mean_square())
    assert _equal(claims.rmsprop_constant_gradient_step())
    assert _equal(claims.rmsprop_sign_descent_limit())
    assert _equal(claims.rmsprop_first_step())
    first = _value(claims.rmsprop_first_step()[1], rho_decay=0.9, eta=1.0)
    assert first == pytest.approx(math.sqrt(10.0))


@given(grad=st.floats(0.01, 100.0), decay=st.floats(0.5, 0.999))
def test_rmsprop_closed_form_steps_match_a_run(grad: float, decay: float) -> None:
    steps = _replay(rmsprop(0.2, decay, eps=0.0), [grad] * 40)
    np.testing.assert_allclose(
        -steps, ad.rmsprop_constant_gradient_steps(0.2, decay, 40), rtol=1e-12
    )


def test_rmsprop_constant_gradient_steps_validate() -> None:
    with pytest.raises(ValueError, match="num_steps"):
        ad.rmsprop_constant_gradient_steps(0.1, 0.9, 0)
    with pytest.raises(ValueError, match="decay"):
        ad.rmsprop_constant_gradient_steps(0.1, 1.0, 5)
    assert ad.rmsprop_constant_gradient_steps(0.1, 0.9, 3).shape == (3,)
    # one step is allowed: eta / sqrt(1 - rho)
    np.testing.assert_allclose(ad.rmsprop_constant_gradient_steps(0.1, 0.9, 1), [0.1 / 0.1**0.5])


def test_claims_rmsprop_two_cycle() -> None:
    """Both cycle amplitudes solve a -> -a, and the library's closed form is theirs."""
    outside, inside = claims.rmsprop_cycle_outside(), claims.rmsprop_cycle_inside()
    assert _equal(outside) and _equal(inside)
    for eps in (1e-8, 1e-4, 3e-3):
        expected = _value(outside[1], eta=0.01, epsilon=eps, **{"lambda": 1.0})
        assert float(ad.rmsprop_cycle_amplitude(0.01, 1.0, eps)) == pytest.approx(expected)
        a = float(ad.rmsprop_cycle_amplitude(0.01, 1.0, eps))
        assert a - 0.01 * a / (a + eps) == pytest.approx(-a)  # one step maps a to -a
    for eps in (1e-8, 1e-5):
        a = float(ad.rmsprop_cycle_amplitude(0.01, 2.0, eps, eps_in_sqrt=True))
        assert a == pytest.approx(_value(inside[1], eta=0.01, epsilon=eps, **{"lambda": 2.0}))
        assert a - 0.01 * 2.0 * a / math.sqrt(4.0 * a * a + eps) == pytest.approx(-a)
    assert float(ad.rmsprop_cycle_amplitude(0.01, 1.0, 0.006)) == 0.0
    assert float(ad.rmsprop_cycle_amplitude(0.01, 1.0, 3e-5, eps_in_sqrt=True)) == 0.0
    # the amplitude falls with the curvature lambda where eps matters
    assert float(ad.rmsprop_cycle_amplitude(0.01, 2.0, 1e-3)) == pytest.approx(0.005 - 0.0005)


# --------------------------------------------------------------------------------------
# EMA timescales and D2L's half-lives
# --------------------------------------------------------------------------------------


def test_claims_ema_timescales_and_the_momentum_chapters_numbers() -> None:
    for claim in (claims.ema_window, claims.ema_mean_age, claims.ema_half_life,
                  claims.ema_half_life_per_window, claims.ema_decay_for_half_life):  # fmt: skip
        assert _equal(claim()), claim.__name__
    scales = ema_timescales([0.9, 0.95, 0.99])
    for i, value in enumerate([0.9, 0.95, 0.99]):
        assert scales.window[i] == pytest.approx(_value(claims.ema_window()[1], rho_decay=value))
        assert scales.mean_age[i] == pytest.approx(
            _value(claims.ema_mean_age()[1], rho_decay=value)
        )
        assert scales.half_life[i] == pytest.approx(
            _value(claims.ema_half_life()[1], rho_decay=value)
        )


def test_half_life_is_neither_the_inverse_decay_nor_the_window() -> None:
    """F29: half-lives 6.58 / 68.97 / 692.80 for 0.9 / 0.99 / 0.999. D2L's 'half-life time of
    an observation of gamma^-1' (sec. 12.8.1) and 'rho = 0.9 amounts to a half-life time of
    10' (sec. 12.9.2) both fail; a half-life of 10 needs rho = 2^(-1/10) = 0.9330."""
    half = ema_timescales([0.9, 0.99, 0.999]).half_life
    np.testing.assert_allclose(half, [6.58, 68.97, 692.80], atol=5e-3)
    w = 1.0
    for _ in range(7):  # the weight of a gradient k steps old, k = 1..7: halves between 6 and 7
        w *= 0.9
    assert 0.9**6 > 0.5 > w
    assert abs(half[0] - 1 / 0.9) > 5 and abs(half[0] - 10) > 3
    decay = _value(claims.ema_decay_for_half_life()[1], h_half=10.0)
    assert decay**10 == pytest.approx(0.5) and decay == pytest.approx(0.93303, abs=1e-5)
    ratio = half[-1] / ema_timescales(0.999).window
    assert float(ratio) == pytest.approx(math.log(2), rel=1e-3)


# --------------------------------------------------------------------------------------
# Adadelta
# --------------------------------------------------------------------------------------


def test_claims_adadelta_first_step_and_the_published_values() -> None:
    """F32: 3.16e-3 (rho = 0.9) and 4.47e-3 (Zeiler's rho = 0.95), eps = 1e-6."""
    assert _equal(claims.adadelta_first_step())
    assert _equal(claims.adadelta_first_step_limit())
    assert _equal(claims.adadelta_first_step_eps_outside())
    for decay, published in [(0.9, 3.16e-3), (0.95, 4.47e-3)]:
        step = -_replay(adadelta(1.0, decay, 1e-6), [7.0])[0]
        assert step == pytest.approx(float(ad.adadelta_first_step(7.0, decay, 1e-6)), rel=1e-14)
        assert step == pytest.approx(published, rel=2e-3)
        limit = _value(claims.adadelta_first_step_limit()[1], rho_decay=decay, epsilon=1e-6)
        assert step == pytest.approx(limit, rel=1e-6)  # (1 - rho) g^2 = 2.45 >> eps
    outside = _value(claims.adadelta_first_step_eps_outside()[1], rho_decay=0.95, epsilon=1e-6)
    assert outside / float(ad.adadelta_first_step(1e3, 0.95, 1e-6)) == pytest.approx(1e-3, rel=1e-3)
    assert float(ad.adadelta_first_step(-2.0, 0.9, 1e-6)) < 0  # the sign of g


def test_adadelta_first_step_validates() -> None:
    with pytest.raises(ValueError, match="eps"):
        ad.adadelta_first_step(1.0, 0.9, 0.0)
    with pytest.raises(ValueError, match="rho"):
        ad.adadelta_first_step(1.0, 1.0, 1e-6)


def test_claim_adadelta_eps_for_first_step() -> None:
    pair = claims.adadelta_eps_for_first_step()
    assert _equal(pair)
    eps = _value(pair[1], delta_first=0.1, g_constant=1.0, rho_decay=0.95)
    assert float(ad.adadelta_first_step(1.0, 0.95, eps)) == pytest.approx(0.1)


def test_claims_adadelta_warmup() -> None:
    """The telescoping factor, the closed form against the iterated recursion, and the run."""
    assert _equal(claims.adadelta_warmup_factor())
    iterated, closed = claims.adadelta_warmup_step(5)
    assert sp.simplify(iterated - closed) == sp.zeros(5, 1)
    general = claims.adadelta_warmup_closed_form()
    values = [float(general.subs({t: n, rho: 0.95, epsilon: 1e-6}).doit()) for n in range(1, 6)]
    np.testing.assert_allclose(np.sqrt(values), ad.adadelta_warmup_steps(0.95, 1e-6, 5), rtol=1e-13)
    run_steps = -_replay(adadelta(1.0, 0.95, 1e-10), [1.0] * 300)
    np.testing.assert_allclose(run_steps, ad.adadelta_warmup_steps(0.95, 1e-10, 300), rtol=1e-8)


def test_adadelta_warmup_steps_grow_like_sqrt_of_one_minus_rho_eps_t() -> None:
    steps = ad.adadelta_warmup_steps(0.9, 1e-6, 100_000)
    assert steps[0] == pytest.approx(math.sqrt(1e-6 / 0.1))
    assert steps[-1] / math.sqrt(0.1 * 1e-6 * 100_000) == pytest.approx(1.0, abs=3e-3)
    with pytest.raises(ValueError, match="num_steps"):
        ad.adadelta_warmup_steps(0.9, 1e-6, 0)
    with pytest.raises(ValueError, match="eps"):
        ad.adadelta_warmup_steps(0.9, 0.0, 3)
    for rho_ in (0.0, 1.0):
        with pytest.raises(ValueError, match="rho"):
            ad.adadelta_warmup_steps(rho_, 1e-6, 3)
    # one step is allowed: sqrt(eps / (1 - rho)), F32
    np.testing.assert_allclose(ad.adadelta_warmup_steps(0.9, 1e-6, 1), [1e-3 / 0.1**0.5])


def test_claims_adadelta_distance_and_exponent() -> None:
    assert _equal(claims.adadelta_warmup_distance())
    assert _equal(claims.adadelta_steps_exponent())
    closed = claims.adadelta_warmup_distance()[1]
    steps = ad.adadelta_warmup_steps(0.95, 1e-6, 20_000)
    # the early steps (start sqrt(eps / (1 - rho)), not 0) add a lower-order term
    ratio = steps.sum() / _value(closed, t=20_000, rho_decay=0.95, epsilon=1e-6)
    assert ratio == pytest.approx(1.0, abs=0.05)


def test_claim_adadelta_units_measured_by_a_change_of_units() -> None:
    """Measure x in units c times smaller: f_c(y) = f(y / c) with y = c x. One step of each
    method, converted back to x, must not depend on c for a method whose step has the units
    of x (eps = 0; Adadelta's accumulators are pre-filled so that its step is not eps)."""
    assert claims.adadelta_units()[0] == claims.adadelta_units()[1]
    exponents = [int(e) for e in claims.adadelta_units()[0]]
    assert exponents == [1, 0, 1]
    grad_x, state_g2, state_dx2 = 3.0, 4.0, 0.25

    def adadelta_step(c: float) -> float:
        g_y = grad_x / c  # df/dy
        return math.sqrt(c * c * state_dx2) / math.sqrt(0.5 * state_g2 / c**2 + 0.5 * g_y**2) * g_y

    def adagrad_step(c: float) -> float:
        g_y = grad_x / c
        return 0.1 * g_y / math.sqrt(state_g2 / c**2 + g_y**2)

    for c in (0.1, 10.0):
        assert adadelta_step(c) / c == pytest.approx(adadelta_step(1.0))  # units of x
        assert adagrad_step(c) == pytest.approx(adagrad_step(1.0))  # no units: eta carries them


# --------------------------------------------------------------------------------------
# Diagonal preconditioning
# --------------------------------------------------------------------------------------


def test_claims_jacobi_correlation_and_45_degrees() -> None:
    assert _equal(claims.jacobi_correlation())
    assert _equal(claims.jacobi_condition_at_45_degrees())
    squared = claims.jacobi_correlation()[1]
    for degrees in (0.0, 20.0, 45.0, 70.0):
        r = math.sqrt(_value(squared, mu=0.1, L=1.0, phi_turn=math.radians(degrees)))
        problem = quadratic([0.1, 1.0], angle=math.radians(degrees))
        assert ad.jacobi_condition_number(problem.matrix) == pytest.approx((1 + r) / (1 - r))
    at_45 = quadratic([0.1, 1.0], angle=math.pi / 4).matrix
    assert ad.jacobi_condition_number(at_45) == pytest.approx(10.0)
    assert ad.jacobi_condition_number(np.diag([0.01, 5.0])) == pytest.approx(1.0)
    assert claims.jacobi_condition_at_45_degrees()[1] == L / mu


def test_jacobi_condition_number_of_a_three_by_three_with_known_scaled_spectrum() -> None:
    """A = S M S with S = diag(2, 3, 0.5) and M of unit diagonal whose eigenvalues are
    1 - r, 1, 1 + r (a 2 x 2 block [[1, r], [r, 1]] and a 1): kappa_J = (1 + r) / (1 - r)."""
    r = 0.6
    m = np.array([[1.0, r, 0.0], [r, 1.0, 0.0], [0.0, 0.0, 1.0]])
    scale = np.diag([2.0, 3.0, 0.5])
    assert ad.jacobi_condition_number(scale @ m @ scale) == pytest.approx(1.6 / 0.4)
    with pytest.raises(ValueError, match="matrix"):
        ad.jacobi_condition_number(np.ones(3))


@pytest.mark.parametrize("degrees", [10.0, 30.0, 45.0])
def test_no_diagonal_scaling_beats_jacobi_on_a_two_by_two(degrees: float) -> None:
    """A search over every diagonal scaling diag(1, d) (only the ratio matters) finds none
    with a smaller condition number than the Jacobi scaling."""
    a = quadratic([0.1, 1.0], angle=math.radians(degrees)).matrix
    best = np.inf
    for d in np.geomspace(1e-3, 1e3, 4001):
        scale = np.array([1.0, math.sqrt(d)])
        eig = np.linalg.eigvalsh(a * scale[:, None] * scale[None, :])
        best = min(best, eig[-1] / eig[0])
    assert ad.jacobi_condition_number(a) <= best * (1 + 1e-6)


def test_jacobi_counts_are_the_rate_bound_solved_for_k() -> None:
    counts = ad.jacobi_counts(np.array([1.0, 10.0, 100.0]))
    assert counts[0] == 1
    assert counts[1] == math.ceil(math.log(1e-6) / math.log(9 / 11))
    assert counts[2] == math.ceil(math.log(1e-6) / math.log(99 / 101))
    assert ad.TOL == 1e-6
    with pytest.raises(ValueError, match="kappas"):
        ad.jacobi_counts(0.5)


def test_claims_use_the_shared_symbols() -> None:
    """The module's own symbols print with their letters in the chapter; shared ones are shared."""
    assert {eta, g, lam, epsilon} <= set().union(
        claims.adagrad_constant_gradient_step()[1].free_symbols,
        claims.rmsprop_constant_gradient_mean_square()[1].free_symbols,
        claims.rmsprop_cycle_outside()[1].free_symbols,
    )


def test_defaults_are_the_papers_and_torchs() -> None:
    """Hinton's lecture 6e: rho = 0.9; Zeiler (2012, experiments): rho = 0.95, eps = 1e-6, no
    learning rate (1); torch.optim docs: Adagrad lr 1e-2, eps 1e-10; RMSprop lr 1e-2,
    eps 1e-8 (outside the root)."""

    def defaults(fn: object) -> dict[str, object]:
        return {
            name: p.default
            for name, p in inspect.signature(fn).parameters.items()  # type: ignore[arg-type]
            if p.default is not inspect.Parameter.empty
        }

    assert defaults(adagrad) == {
        "learning_rate": 1e-2,
        "eps": 1e-10,
        "initial_accumulator_value": 0.0,
        "eps_in_sqrt": False,
    }
    assert defaults(ad.scale_by_adagrad) == {
        "eps": 1e-10,
        "initial_accumulator_value": 0.0,
        "eps_in_sqrt": False,
    }
    assert defaults(rmsprop) == {
        "learning_rate": 1e-2,
        "decay": 0.9,
        "eps": 1e-8,
        "eps_in_sqrt": False,
        "centered": False,
        "momentum": 0.0,
    }
    assert defaults(ad.scale_by_rms) == {
        "decay": 0.9,
        "eps": 1e-8,
        "eps_in_sqrt": False,
        "centered": False,
    }
    assert defaults(adadelta) == {"learning_rate": 1.0, "rho": 0.95, "eps": 1e-6}
    assert defaults(ad.scale_by_adadelta) == {"rho": 0.95, "eps": 1e-6}


@pytest.mark.parametrize(
    "block",
    [
        ad.scale_by_adagrad(),
        ad.scale_by_rms(),
        ad.scale_by_rms(centered=True),
        ad.scale_by_adadelta(),
    ],
)
def test_blocks_count_their_updates(block: object) -> None:
    """The state's step is t, the number of updates so far (0 after init)."""
    state = block.init(np.zeros(2))  # type: ignore[attr-defined]
    assert state.step == 0
    for t_ in range(1, 4):
        _, state = block.update(np.array([1.0, -2.0]), state, np.zeros(2))  # type: ignore[attr-defined]
        assert state.step == t_
