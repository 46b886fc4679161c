"""Adagrad, RMSProp and Adadelta: hand-computed steps and the facts the chapter states.

Sources: Duchi, Hazan & Singer (2011); Tieleman & Hinton (2012, lecture 6e);
Graves (2013, eq. 38-40); Zeiler (2012, Algorithm 1); research facts F31, F32, F39.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gdbook.adam import adam
from gdbook.adaptive import (
    AdadeltaState,
    adadelta,
    adagrad,
    rmsprop,
    scale_by_adadelta,
    scale_by_adagrad,
    scale_by_rms,
)
from gdbook.base import chain, run, safe_divide, scale_by_learning_rate
from hypothesis import given
from hypothesis import strategies as st

gradient_streams = st.lists(
    st.floats(-10, 10).filter(lambda v: abs(v) > 1e-3), min_size=1, max_size=30
)


def _steps(opt: object, gradients: list[float]) -> np.ndarray:
    """Steps of ``opt`` fed the given gradient sequence (one coordinate)."""
    state = opt.init(np.zeros(1))  # type: ignore[attr-defined]
    steps = []
    for g in gradients:
        step, state = opt.update(np.array([g]), state, np.zeros(1))  # type: ignore[attr-defined]
        steps.append(step[0])
    return np.array(steps)


# --------------------------------------------------------------------------------------
# Adagrad
# --------------------------------------------------------------------------------------


def test_adagrad_one_step_by_hand() -> None:
    """s_1 = g^2 = 9: step = -eta 3 / (3 + eps); eps inside: -eta 3 / sqrt(9 + eps)."""
    np.testing.assert_allclose(_steps(adagrad(0.1, eps=0.5), [3.0]), [-0.1 * 3 / 3.5])
    inside = adagrad(0.1, eps=0.5, eps_in_sqrt=True)
    np.testing.assert_allclose(_steps(inside, [3.0]), [-0.1 * 3 / math.sqrt(9.5)])
    seeded = adagrad(0.1, eps=0.0, initial_accumulator_value=16.0)
    np.testing.assert_allclose(_steps(seeded, [3.0]), [-0.1 * 3 / 5])


@given(g=st.floats(0.01, 100.0), eta=st.floats(1e-3, 1.0))
def test_adagrad_constant_gradient_step_is_eta_over_sqrt_t(g: float, eta: float) -> None:
    """F31: constant g gives s_t = t g^2 and |step_t| = eta / sqrt(t), whatever g is."""
    steps = _steps(adagrad(eta, eps=0.0), [g] * 50)
    t = np.arange(1, 51)
    np.testing.assert_allclose(steps, -eta / np.sqrt(t), rtol=1e-13)
    # total displacement eta * sum t^-1/2, which grows like 2 eta sqrt(t)
    assert abs(steps.sum()) < 2 * eta * math.sqrt(50)


@given(gradient_streams)
def test_adagrad_sum_of_squares_is_the_running_sum(gradients: list[float]) -> None:
    opt = scale_by_adagrad()
    state = opt.init(np.zeros(1))
    for g in gradients:
        _, state = opt.update(np.array([g]), state, np.zeros(1))
    np.testing.assert_allclose(state.sum_of_squares, [sum(g * g for g in gradients)], rtol=1e-12)
    assert state.step == len(gradients)


def test_adagrad_with_zero_eps_and_zero_gradient_takes_no_step() -> None:
    steps = _steps(adagrad(0.1, eps=0.0), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(steps, [0.0, 0.0, -0.1])


# --------------------------------------------------------------------------------------
# RMSProp
# --------------------------------------------------------------------------------------


def test_rmsprop_one_step_by_hand() -> None:
    """Hinton's decay 0.9: v_1 = 0.1 g^2 = 0.9 for g = 3."""
    np.testing.assert_allclose(
        _steps(rmsprop(0.01, eps=1e-8), [3.0]), [-0.01 * 3 / (math.sqrt(0.9) + 1e-8)]
    )
    np.testing.assert_allclose(
        _steps(rmsprop(0.01, eps=0.1, eps_in_sqrt=True), [3.0]), [-0.01 * 3 / math.sqrt(1.0)]
    )


@given(g=st.floats(-50, 50).filter(lambda v: abs(v) > 1e-3), decay=st.floats(0.5, 0.99))
def test_rmsprop_constant_gradient_is_sign_descent_with_larger_early_steps(
    g: float, decay: float
) -> None:
    """F31: with constant g and eps = 0, v_t = (1 - rho^t) g^2 and the step is
    eta sign(g) / sqrt(1 - rho^t), which decreases to eta sign(g)."""
    steps = _steps(rmsprop(0.1, decay, eps=0.0), [g] * 40)
    t = np.arange(1, 41)
    np.testing.assert_allclose(steps, -0.1 * np.sign(g) / np.sqrt(1 - decay**t), rtol=1e-12)
    assert np.all(np.diff(np.abs(steps)) <= 0)


def test_centered_rmsprop_divides_by_a_standard_deviation() -> None:
    """Graves (2013): t = 1 gives v = 0.1 g^2, g_bar = 0.1 g, v - g_bar^2 = 0.09 g^2."""
    np.testing.assert_allclose(
        _steps(rmsprop(1.0, eps=0.0, centered=True), [2.0]), [-2.0 / math.sqrt(0.09 * 4)]
    )
    opt = scale_by_rms(0.9, 0.0, centered=True)
    state = opt.init(np.zeros(1))
    for g in [1.0, 1.0]:
        _, state = opt.update(np.array([g]), state, np.zeros(1))
    np.testing.assert_allclose(state.mu, [0.19])
    np.testing.assert_allclose(state.nu, [0.19])


def test_centered_rmsprop_survives_a_variance_rounded_below_zero() -> None:
    """Constant g: v_t - g_bar_t^2 = rho^t (1 - rho^t) g^2 >= 0 exactly, but in floating point
    it drops below 0 (here at t = 53 for g = 1e-3, rho = 0.5). The library clips it at 0, so
    every step stays finite and |step| <= eta |g| / eps (denominator >= eps)."""
    v = g_bar = 0.0
    negative = []
    for _ in range(80):  # the rounding, replayed: it does go negative
        v, g_bar = 0.5 * v + 0.5 * 1e-6, 0.5 * g_bar + 0.5 * 1e-3
        negative.append(v - g_bar * g_bar < 0)
    assert negative.index(True) + 1 == 53
    steps = _steps(rmsprop(0.1, 0.5, 1e-8, centered=True), [1e-3] * 80)
    assert np.all(np.isfinite(steps))
    assert np.all(np.abs(steps) <= 0.1 * 1e-3 / 1e-8 * (1 + 1e-12))


def test_rmsprop_momentum_buffer_starts_at_zero_and_holds_normalised_gradients() -> None:
    """torch RMSprop: b_t = beta b_{t-1} + g_t / den_t with b_0 = 0, then x -= eta b_t."""
    d1 = 3.0 / (math.sqrt(0.1 * 9) + 1e-8)
    v2 = 0.9 * 0.9 + 0.1 * 1.0
    d2 = 1.0 / (math.sqrt(v2) + 1e-8)
    steps = _steps(rmsprop(0.01, momentum=0.5), [3.0, 1.0])
    np.testing.assert_allclose(steps, [-0.01 * d1, -0.01 * (0.5 * d1 + d2)], rtol=1e-14)


def _torch_rmsprop_momentum(
    gradients: list[float], rates: list[float], decay: float, beta: float, eps: float
) -> list[float]:
    """torch RMSprop (2.13, rmsprop.py l. 316-337) written out: v, b = beta b + g / den, -lr_t b."""
    v = b = 0.0
    out = []
    for g, lr in zip(gradients, rates, strict=True):
        v = decay * v + (1 - decay) * g * g
        b = beta * b + g / (math.sqrt(v) + eps)
        out.append(-lr * b)
    return out


def test_rmsprop_momentum_under_a_schedule_applies_the_rate_after_the_buffer() -> None:
    """The buffer holds g / den and the *current* rate multiplies all of it (torch); a
    buffer of rate-scaled steps (Graves 2013, Keras) differs once the rate changes."""
    gradients = [3.0, -1.0, 2.0, 0.5, -2.5, 1.5]
    rates = [0.1, 0.1, 0.1, 0.02, 0.02, 0.02]
    opt = rmsprop(lambda t: rates[t - 1], 0.9, 1e-8, momentum=0.7)
    expected = _torch_rmsprop_momentum(gradients, rates, 0.9, 0.7, 1e-8)
    np.testing.assert_allclose(_steps(opt, gradients), expected, rtol=1e-13)
    constant = _torch_rmsprop_momentum(gradients, [0.1] * 6, 0.9, 0.7, 1e-8)
    np.testing.assert_allclose(_steps(rmsprop(0.1, 0.9, 1e-8, momentum=0.7), gradients), constant)


# --------------------------------------------------------------------------------------
# Adadelta
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rho", "published"),
    [(0.9, 3.16e-3), (0.95, 4.47e-3)],
)
def test_adadelta_first_step_is_about_sqrt_eps_over_one_minus_rho(
    rho: float, published: float
) -> None:
    """F32: |dx_1| = sqrt(eps) |g| / sqrt((1 - rho) g^2 + eps) ~ sqrt(eps / (1 - rho)):
    3.16e-3 for rho = 0.9 and 4.47e-3 for Zeiler's rho = 0.95 (eps = 1e-6)."""
    eps, g = 1e-6, 5.0
    step = _steps(adadelta(1.0, rho, eps), [g])[0]
    assert step == pytest.approx(-math.sqrt(eps) * g / math.sqrt((1 - rho) * g * g + eps))
    assert abs(step) == pytest.approx(published, rel=2e-3)
    assert abs(step) == pytest.approx(math.sqrt(eps / (1 - rho)), rel=1e-3)


def _zeiler(gradients: list[float], rho: float, eps: float) -> list[float]:
    """Zeiler (2012) Algorithm 1, written out: E[g^2], dx = -RMS[dx]_{t-1}/RMS[g]_t g, E[dx^2]."""
    eg2, edx2, out = 0.0, 0.0, []
    for g in gradients:
        eg2 = rho * eg2 + (1 - rho) * g * g
        dx = -math.sqrt(edx2 + eps) / math.sqrt(eg2 + eps) * g
        edx2 = rho * edx2 + (1 - rho) * dx * dx
        out.append(dx)
    return out


@given(gradient_streams)
def test_adadelta_equals_zeiler_algorithm_1(gradients: list[float]) -> None:
    np.testing.assert_allclose(
        _steps(adadelta(), gradients), _zeiler(gradients, 0.95, 1e-6), rtol=1e-12
    )


def test_adadelta_accumulates_squared_updates_not_squared_gradients() -> None:
    """Common mistake: E[dx^2] fed with g^2 would make the step ~ g, not ~ sqrt(eps)."""
    opt = scale_by_adadelta(0.9, 1e-6)
    state = opt.init(np.zeros(1))
    delta, state = opt.update(np.array([4.0]), state, np.zeros(1))
    assert isinstance(state, AdadeltaState)
    np.testing.assert_allclose(state.nu, [0.1 * 16.0])
    np.testing.assert_allclose(state.delta_nu, [0.1 * delta[0] ** 2])
    assert state.delta_nu[0] < 1e-5 < 0.1 * 16.0
    # second step: numerator uses u_1 (the lagged accumulator), denominator v_2
    second, _ = opt.update(np.array([4.0]), state, np.zeros(1))
    v2 = 0.9 * 1.6 + 0.1 * 16.0
    np.testing.assert_allclose(
        second, [math.sqrt(state.delta_nu[0] + 1e-6) / math.sqrt(v2 + 1e-6) * 4]
    )


def test_adadelta_learning_rate_scales_the_step_not_the_accumulator() -> None:
    a = run(adadelta(1.0), lambda x: 2 * x, np.array([1.0]), 5)
    b = run(adadelta(3.0), lambda x: 2 * x, np.array([1.0]), 1)
    np.testing.assert_allclose(b.params[1] - 1.0, 3.0 * (a.params[1] - 1.0))
    assert float(b.field("delta_nu")[1][0]) == pytest.approx(float(a.field("delta_nu")[1][0]))


# --------------------------------------------------------------------------------------
# Adagrad as a limit of Adam, and small utilities
# --------------------------------------------------------------------------------------


def test_adagrad_is_the_limit_of_bias_corrected_adam() -> None:
    """F39 (Kingma & Ba 2015, Section 5): b1 = 0, b2 -> 1 and eta_t = eta / sqrt(t) give
    Adagrad, but only with bias correction."""
    rng = np.random.default_rng(3)
    gradients = list(rng.normal(size=20) + 0.5)
    limit = adam(lambda t: 0.1 / math.sqrt(t), b1=0.0, b2=1 - 1e-9, eps=0.0)
    np.testing.assert_allclose(
        _steps(limit, gradients), _steps(adagrad(0.1, eps=0.0), gradients), rtol=1e-6
    )
    uncorrected = adam(lambda t: 0.1 / math.sqrt(t), 0.0, 1 - 1e-9, 0.0, bias_correction=False)
    ratio = _steps(uncorrected, gradients) / _steps(adagrad(0.1, eps=0.0), gradients)
    assert np.all(ratio > 1e3)  # the unbounded bias: v_t is ~1e-9 of the sum of squares


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=6))
def test_safe_divide(values: list[float]) -> None:
    num = np.array(values)
    den = np.abs(num)
    out = safe_divide(num, den)
    np.testing.assert_array_equal(out, np.where(den > 0, np.sign(num), 0.0))


def test_safe_divide_is_zero_wherever_the_denominator_is_zero() -> None:
    """The contract is 0 where den == 0, whatever the numerator (and no warning)."""
    out = safe_divide(np.array([1.0, -2.0, 6.0]), np.array([0.0, 0.0, 3.0]))
    np.testing.assert_array_equal(out, [0.0, 0.0, 2.0])


TINY = [1e-6, -3e-6, 2e-6, 5e-7, -1e-6]  # tiny gradients, so that eps shows


def _by_hand_with_defaults(name: str, gradients: list[float]) -> list[float]:
    """The rules written out with the defaults the docstrings cite: Adagrad torch (lr 1e-2,
    eps 1e-10 outside the root, s_0 = 0); RMSProp Hinton's decay 0.9 with torch's lr 1e-2 and
    eps 1e-8 outside the root; Adadelta Zeiler (2012): no lr, rho 0.95, eps 1e-6."""
    s = v = u = 0.0
    out = []
    for g in gradients:
        if name == "adagrad":
            s += g * g
            out.append(-1e-2 * g / (math.sqrt(s) + 1e-10))
        elif name == "rmsprop":
            v = 0.9 * v + 0.1 * g * g
            out.append(-1e-2 * g / (math.sqrt(v) + 1e-8))
        else:
            v = 0.95 * v + 0.05 * g * g
            dx = -math.sqrt(u + 1e-6) / math.sqrt(v + 1e-6) * g
            u = 0.95 * u + 0.05 * dx * dx
            out.append(dx)
    return out


@pytest.mark.parametrize(
    ("name", "factory", "direction", "rate"),
    [
        ("adagrad", adagrad, scale_by_adagrad, 1e-2),
        ("rmsprop", rmsprop, scale_by_rms, 1e-2),
        ("adadelta", adadelta, scale_by_adadelta, 1.0),
    ],
)
def test_defaults_are_the_published_ones(
    name: str, factory: object, direction: object, rate: float
) -> None:
    """The factory's defaults, and those of its direction (the scale_by_* block)."""
    expected = _by_hand_with_defaults(name, TINY)
    np.testing.assert_allclose(_steps(factory(), TINY), expected, rtol=1e-12)  # type: ignore[operator]
    opt = chain(direction(), scale_by_learning_rate(rate))  # type: ignore[operator]
    np.testing.assert_allclose(_steps(opt, TINY), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("factory", "named"),
    [
        (lambda: adagrad(0.1, eps=-1.0), "eps"),
        (lambda: adagrad(0.1, initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (lambda: rmsprop(0.1, decay=1.0), "decay"),
        (lambda: rmsprop(0.1, momentum=1.0), "momentum"),
        (lambda: adadelta(1.0, rho=1.0), "rho"),
        (lambda: adadelta(1.0, eps=0.0), "eps"),
    ],
)
def test_validation_names_the_parameter(factory: object, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        factory()  # type: ignore[operator]
