"""Adaptive methods, the experiments: every measured number of the chapter, recomputed.

The reference loops here are written from the update rules (Duchi et al. 2011, eq. 1;
Tieleman & Hinton 2012; Zeiler 2012, Algorithm 1) and from the objectives' formulas,
not from ``gdbook.base.run`` or ``gdbook.adaptive``: each headline number is measured
twice, by the library's experiment and by a loop of a few lines.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gdbook import adaptive as ad
from gdbook.adaptive import adadelta, adagrad, rmsprop
from gdbook.base import run
from gdbook.conventions import TORCH_DEFAULTS, load_torch_fixture
from gdbook.examples import TORCH_FIXTURE, VALLEY
from gdbook.measure import loglog_slope
from gdbook.problems import sparse_logistic_data
from gdbook_solutions import adaptive as sol

FIXTURE = "tests/reference/torch_reference.npz"


def _stays_below(errors: np.ndarray, tol: float) -> int:
    """First k from which every error is <= tol (-1 if the last is above): by hand."""
    above = np.nonzero(~(errors <= tol))[0]
    if above.size == 0:
        return 0
    return -1 if above[-1] == errors.size - 1 else int(above[-1] + 1)


def _logistic_loss_and_grad(features: np.ndarray, labels: np.ndarray, l2: float):  # type: ignore[no-untyped-def]
    """The mean logistic loss with an L2 term, written out (batched over rows of w)."""

    def loss(w: np.ndarray) -> np.ndarray:
        margins = labels * (w @ features.T)
        return np.log1p(np.exp(-margins)).mean(axis=-1) + 0.5 * l2 * (w**2).sum(axis=-1)

    def grad(w: np.ndarray) -> np.ndarray:
        margins = labels * (w @ features.T)
        weights = -labels / (1.0 + np.exp(margins))
        return weights @ features / labels.size + l2 * w

    return loss, grad


# --------------------------------------------------------------------------------------
# The sparse logistic regression
# --------------------------------------------------------------------------------------


def test_sparse_problem_settings_are_the_ones_the_text_states() -> None:
    assert ad.SPARSE_FREQUENCIES == (1.0, 0.3, 0.1, 0.05, 0.02)
    assert ad.SPARSE_SAMPLES == 400 and ad.SPARSE_L2 == 1e-3
    features = ad.sparse_features()
    np.testing.assert_array_equal(features, sparse_logistic_data(400, ad.SPARSE_FREQUENCIES)[0])
    np.testing.assert_array_equal(features.sum(axis=0), [400, 130, 44, 24, 5])
    problem = ad.sparse_problem()
    assert problem.dim == 5 and problem.x_star is not None


def test_experiment_settings_are_the_ones_the_hand_loops_use() -> None:
    """The steps and grids the text states and the loops below are written with."""
    assert (ad.SPARSE_STEPS, ad.ROTATION_STEPS, ad.CYCLE_STEPS) == (600, 400, 3000)
    assert (ad.ADADELTA_STEPS, ad.ADADELTA_VALLEY_STEPS, ad.EXPLORER_STEPS) == (2000, 3000, 80)
    np.testing.assert_array_equal(ad.SPARSE_RATES, np.geomspace(0.1, 100.0, 31))
    np.testing.assert_array_equal(ad.ROTATION_RATES, np.geomspace(0.01, 10.0, 61))


def test_sparse_counts_by_hand_loops() -> None:
    """Gradient descent and Adagrad (eps = 0) from w = 0 over the same rate grid, loops by
    hand: the fewest steps after which the loss gap stays below 1e-6 of the first."""
    features, labels = sparse_logistic_data(400, (1.0, 0.3, 0.1, 0.05, 0.02), seed=0)
    loss, grad = _logistic_loss_and_grad(features, labels, 1e-3)
    f_star = ad.sparse_problem().f_star
    assert f_star is not None
    np.testing.assert_allclose(grad(ad.sparse_problem().x_star), 0.0, atol=1e-12)
    rates = np.geomspace(0.1, 100.0, 31)[:, None]
    for method in ("gd", "adagrad"):
        w, s, gaps = np.zeros((31, 5)), np.zeros((31, 5)), [loss(np.zeros((31, 5))) - f_star]
        for _ in range(600):
            g = grad(w)
            s = s + g * g
            w = w - rates * g if method == "gd" else w - rates * g / np.where(s > 0, np.sqrt(s), 1)
            gaps.append(loss(w) - f_star)
        gaps_ = np.array(gaps)
        counts = [_stays_below(gaps_[:, i], 1e-6 * gaps_[0, i]) for i in range(31)]
        counts = [c if c >= 0 else 10**9 for c in counts]
        result = ad.sparse_comparison()
        best = int(np.argmin(counts))
        assert min(counts) == result["counts"][method]
        assert rates[best, 0] == result["rates"][method]
        if method == "adagrad":  # the per-feature rates after 600 steps, eta / sqrt(s_j)
            final = rates[best, 0] / np.sqrt(s[best])
            np.testing.assert_allclose(result["adagrad_rates"][-1], final, rtol=1e-10)
            assert final[-1] / final[0] > 10  # the rarest feature's rate, against the intercept's
    assert result["counts"]["gd"] > 10 * result["counts"]["adagrad"]


def test_sparse_hessian_conditioning_before_and_after_jacobi_scaling() -> None:
    """The Hessian of the mean logistic loss at w*, written out, X' diag(p (1 - p)) X / n +
    l2 I: ill-conditioned, and far less so scaled by its diagonal (the chapter's numbers)."""
    features, labels = sparse_logistic_data(400, (1.0, 0.3, 0.1, 0.05, 0.02), seed=0)
    w_star = ad.sparse_problem().x_star
    assert w_star is not None
    p = 1.0 / (1.0 + np.exp(-labels * (features @ w_star)))
    h = features.T @ (features * (p * (1 - p))[:, None]) / 400 + 1e-3 * np.eye(5)
    np.testing.assert_allclose(ad.sparse_problem().hessian(w_star), h, rtol=1e-12, atol=1e-15)
    eig = np.linalg.eigvalsh(h)
    d = 1.0 / np.sqrt(np.diag(h))
    scaled = np.linalg.eigvalsh(h * d[:, None] * d[None, :])
    assert eig[-1] / eig[0] > 50 and scaled[-1] / scaled[0] < 10
    assert ad.jacobi_condition_number(h) == pytest.approx(scaled[-1] / scaled[0], rel=1e-12)


def test_sparse_rates_per_feature_grow_as_the_feature_gets_rarer() -> None:
    result = ad.sparse_comparison()
    final = result["adagrad_rates"][-1]
    assert np.all(np.diff(final) > 0)  # rarer feature, larger rate
    assert -1.1 < loglog_slope(result["frequencies"], final) < -0.8
    np.testing.assert_allclose(result["frequencies"], ad.sparse_features().mean(axis=0))
    errors = result["errors"]
    assert errors["gd"].shape == errors["adagrad"].shape == (ad.SPARSE_STEPS + 1, 5)
    # gradient descent: the intercept is close long before the rarest feature
    assert errors["gd"][100, 0] < 0.2 * errors["gd"][100, -1]


def test_sparse_logistic_data_follows_its_frequencies_and_model() -> None:
    features, labels = sparse_logistic_data(20_000, (1.0, 0.5, 0.1), seed=3, weight=1.5)
    np.testing.assert_allclose(features.mean(axis=0), [1.0, 0.5, 0.1], atol=0.01)
    assert set(np.unique(features)) == {0.0, 1.0} and set(np.unique(labels)) == {-1.0, 1.0}
    # logistic model with w = (1.5, -1.5, 1.5): P(y = 1 | only the intercept) = sigmoid(1.5)
    only = (features[:, 1] == 0) & (features[:, 2] == 0)
    assert (labels[only] == 1).mean() == pytest.approx(1 / (1 + math.exp(-1.5)), abs=0.02)
    again = sparse_logistic_data(20_000, (1.0, 0.5, 0.1), seed=3, weight=1.5)
    np.testing.assert_array_equal(again[0], features)
    with pytest.raises(ValueError, match="frequencies"):
        sparse_logistic_data(10, (0.0, 0.5))
    with pytest.raises(ValueError, match="num_samples"):
        sparse_logistic_data(1)
    with pytest.raises(ValueError, match="frequencies"):
        sparse_logistic_data(10, np.ones((2, 2)))


# --------------------------------------------------------------------------------------
# The turned valley
# --------------------------------------------------------------------------------------


def test_rotated_valley_turns_problem_and_start_together() -> None:
    base, start = ad.rotated_valley(VALLEY.angle)
    np.testing.assert_allclose(base.matrix, VALLEY.problem().matrix, atol=1e-15)
    np.testing.assert_allclose(start, VALLEY.start, atol=1e-14)
    for degrees in (0.0, 33.0, 90.0):
        problem, x0 = ad.rotated_valley(math.radians(degrees))
        np.testing.assert_allclose(problem.eigenvalues, [0.1, 1.0])
        np.testing.assert_allclose(problem.to_eigenbasis(x0), base.to_eigenbasis(start), atol=1e-14)
    stiff, _ = ad.rotated_valley(0.0, kappa=100.0)
    np.testing.assert_allclose(stiff.eigenvalues, [0.01, 1.0])


def _adagrad_count(a: np.ndarray, x0: np.ndarray, rates: np.ndarray, steps: int) -> int:
    """Tuned Adagrad (torch's eps = 1e-10 outside the root) on x'Ax/2, by hand."""
    best = 10**9
    for eta in rates:
        x, s, errors = x0.copy(), np.zeros(2), [np.linalg.norm(x0)]
        for _ in range(steps):
            g = a @ x
            s = s + g * g
            x = x - eta * g / (np.sqrt(s) + 1e-10)
            errors.append(np.linalg.norm(x))
        count = _stays_below(np.array(errors), 1e-6 * errors[0])
        best = min(best, count if count >= 0 else 10**9)
    return best


def test_rotation_counts_by_hand() -> None:
    """Gradient descent's count from the closed form (1 - eta lambda)^k y_0 along the
    eigenvectors, the same at every angle; Adagrad's from a loop at 0, 20 and 45 degrees."""
    result = ad.rotation_experiment()
    lam = np.array([0.1, 1.0])
    y0 = VALLEY.problem().to_eigenbasis(VALLEY.start)
    k = np.arange(401)[:, None]
    gd_best = 10**9
    for eta in np.geomspace(0.01, 10.0, 61):
        with np.errstate(over="ignore", invalid="ignore"):  # the largest rates blow up
            errors = np.linalg.norm((1 - eta * lam) ** k * y0, axis=1)
        count = _stays_below(errors, 1e-6 * errors[0])
        gd_best = min(gd_best, count if count >= 0 else 10**9)
    np.testing.assert_array_equal(result["gd"], gd_best)
    assert gd_best == 70
    for index in (0, 4, 9):
        problem, x0 = ad.rotated_valley(result["angles"][index])
        expected = _adagrad_count(problem.matrix, x0, np.geomspace(0.01, 10.0, 61), 400)
        assert result["adagrad"][index] == expected
    assert len(result["angles"]) == 19 and np.degrees(result["angles"][-1]) == pytest.approx(90.0)


def test_adagrad_loses_to_gradient_descent_at_45_degrees() -> None:
    """Along the axes Adagrad wins by far; at 45 degrees it loses, and kappa_J = kappa."""
    result = ad.rotation_experiment()
    assert result["adagrad"][0] < result["gd"][0] / 4
    assert result["adagrad"][9] > result["gd"][9]
    assert result["jacobi"][0] == pytest.approx(1.0) and result["jacobi"][9] == pytest.approx(10.0)
    assert np.all(np.diff(result["jacobi"][:10]) > 0)  # the scaling helps less as the valley turns


def test_break_even_angle_solution() -> None:
    """Between 25 and 30 degrees for kappa = 10 (the rotation experiment's crossing), a little
    larger for kappa = 100; the bisection's ends are on the right sides."""
    angle = sol.break_even_angle()
    result = ad.rotation_experiment()
    assert result["adagrad"][5] <= result["gd"][5] < result["adagrad"][6]  # 25 and 30 degrees
    assert 25.0 < angle <= 30.0
    assert sol.adagrad_loses_advantage(angle) and not sol.adagrad_loses_advantage(angle - 0.25)
    assert sol.tuned_valley_count(ad.gradient_descent, 33.0, None, 400) == result["gd"][0]
    assert sol.tuned_valley_count(ad.adagrad, 45.0, None, 400) == result["adagrad"][9]
    assert sol.tuned_valley_count(ad.adagrad, 45.0, None, 50) == np.inf
    stiff = sol.break_even_angle(100.0, num_steps=1200)
    assert angle < stiff < 30.0
    with pytest.raises(ValueError, match="bisection"):
        sol.break_even_angle(num_steps=5)


def test_tuned_counts_on_a_problem_with_a_known_answer() -> None:
    """On x^2/2 a step of eta = 1 lands on the minimum at once; eta = 0.5 halves the error."""

    def error(x: np.ndarray) -> np.ndarray:
        return np.abs(x[..., 0])

    count, rate = ad.tuned_counts(
        ad.gradient_descent, lambda x: x, error, np.ones(1), np.array([0.5, 1.0]), 30
    )
    assert int(count) == 1 and float(rate) == 1.0
    count, rate = ad.tuned_counts(
        ad.gradient_descent, lambda x: x, error, np.ones(1), [0.5, 0.25], 30
    )
    assert int(count) == 20 and float(rate) == 0.5  # 2^-20 < 1e-6 < 2^-19
    count, _ = ad.tuned_counts(ad.gradient_descent, lambda x: x, error, np.ones(1), [0.5], 10)
    assert int(count) == -1
    with pytest.raises(ValueError, match="rates"):
        ad.tuned_counts(ad.gradient_descent, lambda x: x, error, np.ones(1), [0.0], 10)


# --------------------------------------------------------------------------------------
# Premature decay on the long slope
# --------------------------------------------------------------------------------------


def test_premature_decay_by_hand() -> None:
    """f(w) = ln(1 + e^-w) + 1e-4 w^2 / 2 from w = -50, eta = 0.5: gradient descent, RMSProp
    (rho 0.9, eps 0) and Adagrad (eps 0), loops by hand; the first step with w >= 0."""
    assert (ad.SLOPE_START, ad.SLOPE_RATE, ad.SLOPE_L2) == (-50.0, 0.5, 1e-4)

    def grad(w: float) -> float:
        return -1.0 / (1.0 + math.exp(w)) + 1e-4 * w

    crossings, tails = {}, {}
    for method in ("gd", "rmsprop", "adagrad"):
        w, acc, tail = -50.0, 0.0, []
        for k in range(1, 3001):
            g = grad(w)
            acc = 0.9 * acc + 0.1 * g * g if method == "rmsprop" else acc + g * g
            w -= 0.5 * g if method == "gd" else 0.5 * g / math.sqrt(acc)
            if w >= 0 and method not in crossings:
                crossings[method] = k
            if k > 2800:
                tail.append(w)
        tails[method] = np.array(tail)
    result = ad.premature_decay()
    assert result["crossings"] == crossings
    assert result["predicted"] == 2500.0
    assert 1.0 < crossings["adagrad"] / result["predicted"] < 1.1
    assert (
        crossings["rmsprop"] < crossings["gd"] < 110 < 20 * crossings["gd"] < crossings["adagrad"]
    )
    rates = result["rates"]
    t = np.arange(1, ad.SLOPE_STEPS + 1)
    np.testing.assert_allclose(rates["adagrad"][:50], 0.5 / np.sqrt(t[:50]), rtol=0.02)
    assert rates["rmsprop"][60] == pytest.approx(0.5, rel=0.01)
    assert result["paths"]["gd"][0] == -50.0 and result["paths"]["adagrad"].size == 3001
    # past the minimum RMSProp (eps = 0) swings on a 2-cycle of amplitude eta / 2 (the figure)
    swing = 0.5 * (tails["rmsprop"].max() - tails["rmsprop"].min())
    assert swing == pytest.approx(0.25, rel=0.01)
    library = result["paths"]["rmsprop"][-200:]
    assert 0.5 * (library.max() - library.min()) == pytest.approx(swing, rel=1e-9)


def test_slope_problem_is_the_logistic_loss_of_one_example() -> None:
    problem = ad.slope_problem()
    for w in (-50.0, -3.0, 2.0):
        expected = math.log1p(math.exp(-w)) + 0.5e-4 * w * w
        assert float(problem.value(np.array([w]))) == pytest.approx(expected)
    assert float(problem.grad(np.array([-50.0]))[0]) == pytest.approx(-1.005, abs=1e-9)


# --------------------------------------------------------------------------------------
# Where epsilon goes
# --------------------------------------------------------------------------------------


def test_rmsprop_ends_on_the_two_cycle_of_the_closed_form() -> None:
    """Measured amplitudes (by hand loops at a few eps) against a = eta/2 - eps/lambda and
    a = sqrt((eta lambda / 2)^2 - eps) / lambda, away from the thresholds."""
    assert ad.CYCLE_RATE == TORCH_DEFAULTS["RMSprop"]["lr"] == 0.01
    result = ad.cycle_amplitudes()
    for name, inside in (("outside", False), ("inside", True)):
        predicted = ad.rmsprop_cycle_amplitude(0.01, 1.0, result["eps"], inside)
        far = np.abs(result["eps"] - (2.5e-5 if inside else 5e-3)) > 0.5 * (
            2.5e-5 if inside else 5e-3
        )
        np.testing.assert_allclose(result[name][far], predicted[far], atol=1e-9)
    for eps, inside in [(1e-8, False), (1e-3, False), (1e-5, True), (0.1, False)]:
        x, v = 1.0, 0.0
        tail = []
        for k in range(3000):
            v = 0.9 * v + 0.1 * x * x
            x -= 0.01 * x / (math.sqrt(v + eps) if inside else math.sqrt(v) + eps)
            if k >= 2900:
                tail.append(abs(x))
        index = int(np.argmin(np.abs(result["eps"] - eps)))
        assert result["eps"][index] == pytest.approx(eps)
        assert max(tail) == pytest.approx(
            result["inside" if inside else "outside"][index], abs=1e-12
        )
    default = result["outside"][int(np.argmin(np.abs(result["eps"] - 1e-8)))]
    assert default == pytest.approx(0.005, rel=1e-5)


def test_adagrad_placement_gap_is_proportional_to_eps() -> None:
    small, large = ad.adagrad_placement_gap(1e-10), ad.adagrad_placement_gap(1e-7)
    assert 0 < small < 1e-9 and large / small == pytest.approx(1e3, rel=0.01)
    a = VALLEY.problem().matrix
    paths = []
    for inside in (False, True):
        x, s, path = VALLEY.start.copy(), np.zeros(2), [VALLEY.start.copy()]
        for _ in range(100):
            g = a @ x
            s = s + g * g
            x = x - g / (np.sqrt(s + 1e-7) if inside else np.sqrt(s) + 1e-7)
            path.append(x)
        paths.append(np.array(path))
    assert large == pytest.approx(float(np.abs(paths[0] - paths[1]).max()), rel=1e-6)


def test_adagrad_initial_sum_moves_the_run_far_more_than_eps() -> None:
    """optax's and Keras' s_0 = 0.1 (eps = 1e-7 inside the root) against s_0 = 0, by hand."""
    a = VALLEY.problem().matrix
    paths = []
    for s0 in (0.0, 0.1):
        x, s, path = VALLEY.start.copy(), np.full(2, s0), [VALLEY.start.copy()]
        for _ in range(100):
            g = a @ x
            s = s + g * g
            x = x - g / np.sqrt(s + 1e-7)
            path.append(x)
        paths.append(np.array(path))
    expected = float(np.abs(paths[0] - paths[1]).max())
    assert ad.adagrad_initial_sum_gap(0.1) == pytest.approx(expected, rel=1e-10)
    assert expected > 1e5 * ad.adagrad_placement_gap(1e-7)
    assert ad.adagrad_initial_sum_gap(0.0) == 0.0


# --------------------------------------------------------------------------------------
# Adadelta
# --------------------------------------------------------------------------------------


def test_adadelta_steps_are_sqrt_eps_times_a_function_of_rho_and_t() -> None:
    """Under g = 1, steps divided by sqrt(eps) coincide for every eps with g^2 >> eps, and
    match the closed form; a by-hand Zeiler loop gives the same steps."""
    assert ad.ADADELTA_RHO == 0.95
    result = ad.adadelta_warmup()
    scaled = result["steps"] / np.sqrt(result["eps"])
    for column, tolerance in [(1, 1e-5), (2, 1e-4), (3, 1e-3)]:  # the gap grows with eps
        np.testing.assert_allclose(scaled[:, column], scaled[:, 0], rtol=tolerance)
    np.testing.assert_allclose(result["steps"][:, 0], result["closed"][:, 0], rtol=1e-6)
    zeiler = sol.zeiler_adadelta(np.ones_like, np.zeros(1), ad.ADADELTA_STEPS, 0.95, 1e-6)
    np.testing.assert_allclose(result["steps"][:, 2], np.abs(np.diff(zeiler[:, 0])), rtol=1e-12)
    assert result["steps"][0, 2] == pytest.approx(4.47e-3, rel=2e-3)  # F32
    assert result["closed"].shape == result["steps"].shape == (ad.ADADELTA_STEPS, 7)


def test_adadelta_valley_counts_fall_like_eps_to_the_minus_one_third() -> None:
    """Steps until the valley's error is 1e-3 of the start, by a Zeiler loop for eps = 1e-6
    and 1e-4; the library's counts for 1e-7 .. 1e-4 have a log-log slope near -1/3."""
    result = ad.adadelta_warmup()
    a = VALLEY.problem().matrix
    for eps in (1e-6, 1e-4):
        x, eg2, edx2 = VALLEY.start.copy(), np.zeros(2), np.zeros(2)
        start = np.linalg.norm(x)
        for k in range(1, 3001):  # noqa: B007 (k is the count read after the loop)
            g = a @ x
            eg2 = 0.95 * eg2 + 0.05 * g * g
            dx = -np.sqrt(edx2 + eps) / np.sqrt(eg2 + eps) * g
            edx2 = 0.95 * edx2 + 0.05 * dx * dx
            x = x + dx
            if np.linalg.norm(x) <= 1e-3 * start:
                break
        index = int(np.argmin(np.abs(result["eps"] - eps)))
        assert result["valley"][index] == k
    assert result["valley"][0] == -1  # eps = 1e-8: not within 3000 steps
    slope = loglog_slope(result["eps"][1:5], result["valley"][1:5])
    assert -0.36 < slope < -0.28
    assert np.all(np.diff(result["valley"][1:]) < 0)


def test_seed_001_accumulator_turns_adadelta_into_gradient_descent() -> None:
    """Seed 001's eq. (14) with q read as the gradient: both accumulators average g^2, and
    the step sqrt(E[g^2]_{t-1} + eps) / sqrt(E[g^2]_t + eps) g tends to g itself (gradient
    descent with rate 1); Zeiler's Adadelta, fed the same gradients, steps ~1e-3."""
    s = delta = 0.0
    misread = []
    for _ in range(60):
        g = 3.0
        s_prev, s = s, 0.95 * s + 0.05 * g * g
        misread.append(math.sqrt(s_prev + 1e-6) / math.sqrt(s + 1e-6) * g)
        delta = 0.95 * delta + 0.05 * g * g  # the misread accumulator: fed g^2
    assert delta == pytest.approx(s)
    assert misread[-1] == pytest.approx(3.0, rel=0.01)
    zeiler = sol.zeiler_adadelta(lambda x: np.full_like(x, 3.0), np.zeros(1), 60)
    assert abs(np.diff(zeiler[:, 0])[-1]) < 0.02 < 1.0 < misread[-1]


# --------------------------------------------------------------------------------------
# The lower bound
# --------------------------------------------------------------------------------------


def test_coordinate_wise_methods_stay_behind_the_front_on_the_convex_rosenbrock() -> None:
    """By hand: Adagrad on the tridiagonal problem from 0 has w_k = 0 past coordinate k, and
    every method's error is at least the tail norm of w* (Nesterov 2004, Thm. 2.1.13)."""
    result = ad.lower_bound_experiment()
    assert (ad.ROSEN_N, ad.ROSEN_KAPPA, ad.ROSEN_STEPS) == (150, 100.0, 100)
    assert set(result["leak"].values()) == {0.0}
    n, shift = 150, 4.0 / 99.0
    h = np.diag(np.full(n, 2.0 + shift)) - np.eye(n, k=1) - np.eye(n, k=-1)
    h[-1, -1] = 1.0 + shift
    e1 = np.zeros(n)
    e1[0] = 1.0
    w_star = np.linalg.solve(h, e1)
    tails = np.sqrt(np.cumsum((w_star**2)[::-1])[::-1])
    np.testing.assert_allclose(result["bound"], tails[:101], rtol=1e-12)
    w, s = np.zeros(n), np.zeros(n)
    for k in range(1, 101):
        g = h @ w - e1
        s = s + g * g
        w = w - np.divide(g, np.sqrt(s) + 1e-10)
        assert np.all(w[k:] == 0.0) and np.any(w[k - 1] != 0.0)
    np.testing.assert_allclose(
        result["errors"]["Adagrad"][-1], np.linalg.norm(w - w_star), rtol=1e-10
    )
    w, v, errors = np.zeros(n), np.zeros(n), [np.linalg.norm(w_star)]
    for _ in range(100):  # RMSProp, eta = 0.05, rho = 0.9, eps = 1e-8 outside the root
        g = h @ w - e1
        v = 0.9 * v + 0.1 * g * g
        w = w - 0.05 * g / (np.sqrt(v) + 1e-8)
        errors.append(np.linalg.norm(w - w_star))
    np.testing.assert_allclose(result["errors"]["RMSProp"], errors, rtol=1e-10)
    ratios = np.concatenate([e[1:] / result["bound"][1:] for e in result["errors"].values()])
    assert 1.0 < ratios.min() < 1.1  # the chapter's smallest ratio of error to bound
    for name, errors in result["errors"].items():
        assert np.all(errors >= result["bound"] * (1 - 1e-12)), name
    assert set(result["errors"]) == {"Adagrad", "RMSProp", "RMSProp with momentum", "Adadelta"}


# --------------------------------------------------------------------------------------
# The explorer's data and the torch fixture
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ad.EXPLORER_METHODS)
def test_explorer_rates_are_what_multiplies_the_gradient(method: str) -> None:
    """At every step, step = -rate * gradient, coordinate by coordinate, for each method."""
    out = ad.explorer_run(method, 0.3, 0.8, 1e-4, 35.0)
    problem, x0 = ad.rotated_valley(math.radians(35.0))
    points = out["points"]
    np.testing.assert_allclose(points[0], x0)
    grads = problem.grad(points[:-1])
    np.testing.assert_allclose(
        np.diff(points, axis=0), -out["rates"] * grads, rtol=1e-10, atol=1e-14
    )
    np.testing.assert_allclose(out["errors"], np.linalg.norm(points, axis=1))


def test_explorer_pads_a_diverged_run_and_rejects_unknown_methods() -> None:
    out = ad.explorer_run("Adagrad", 5000.0, 0.9, 1e-8, 0.0)  # first step 5000: past the bound
    assert np.isnan(out["points"][-1]).all() and np.isnan(out["rates"][-1]).all()
    assert out["points"].shape == (ad.EXPLORER_STEPS + 1, 2)
    with pytest.raises(ValueError, match="method"):
        ad.explorer_run("Adam", 0.1, 0.9, 1e-8, 0.0)
    assert ad.EXPLORER_DEFAULTS["angle"] == pytest.approx(math.degrees(VALLEY.angle))


def test_explorer_defaults_show_rmsprop_rates_growing_as_the_gradients_shrink() -> None:
    """The caption of the explorer's picture: RMSProp, eta = 0.1, rho = 0.9 (Hinton's), eps =
    1e-8 (torch's) on the running valley; each coordinate's rate ends above where it began."""
    assert ad.EXPLORER_DEFAULTS == {"method": "RMSProp", "learning_rate": 0.1, "rho": 0.9,
                                    "eps": 1e-8, "angle": 20.0}  # fmt: skip
    out = ad.explorer_run(**ad.EXPLORER_DEFAULTS)
    assert np.all(np.isfinite(out["points"]))
    assert np.all(out["rates"][-1] > 2 * out["rates"][0])
    assert out["errors"][-1] < 0.1 * out["errors"][0]


def test_adagrad_rate_differs_by_placement() -> None:
    assert float(ad.effective_learning_rate(1.0, 4.0, 1.0)) == pytest.approx(1 / 3)
    assert float(ad.effective_learning_rate(1.0, 4.0, 1.0, eps_in_sqrt=True)) == pytest.approx(
        5**-0.5
    )
    assert float(ad.effective_learning_rate(2.0, 0.0, 0.0)) == np.inf
    assert float(ad.adadelta_effective_rate(2.0, 3.0, 1.0, 1.0)) == pytest.approx(
        2 * math.sqrt(2) / 2
    )


@pytest.mark.parametrize("name", ["adadelta_defaults", "adadelta_rho095", "adadelta_lr10_eps1e-2"])
def test_zeiler_adadelta_solution_matches_library_and_torch(name: str) -> None:
    recorded, configs = load_torch_fixture(FIXTURE)
    config = configs[f"{name}__quad"]
    kwargs = {**TORCH_DEFAULTS["Adadelta"], **config["kwargs"]}
    problem = TORCH_FIXTURE.problem()
    ours = sol.zeiler_adadelta(
        problem.grad,
        TORCH_FIXTURE.start,
        config["steps"],
        kwargs["rho"],
        kwargs["eps"],
        kwargs["lr"],
    )
    library = run(adadelta(kwargs["lr"], kwargs["rho"], kwargs["eps"]), problem.grad,
                  TORCH_FIXTURE.start, config["steps"]).params  # fmt: skip
    np.testing.assert_allclose(ours, recorded[f"{name}__quad"], rtol=0, atol=1e-13)
    np.testing.assert_allclose(ours, library, rtol=0, atol=1e-14)


def test_eps_for_first_step_solution() -> None:
    eps = sol.eps_for_first_step(0.1, 1.0, 0.95)
    step = run(adadelta(1.0, 0.95, eps), np.ones_like, np.zeros(1), 1).params[1, 0]
    assert -step == pytest.approx(0.1, rel=1e-12)
    assert eps == pytest.approx(0.01 * 0.05 / 0.99)
    with pytest.raises(ValueError, match="target"):
        sol.eps_for_first_step(2.0, 1.0, 0.95)


def test_rmsprop_centered_momentum_matches_torch_and_adagrad_defaults() -> None:
    recorded, configs = load_torch_fixture(FIXTURE)
    problem = TORCH_FIXTURE.problem()
    ours = run(rmsprop(0.02, 0.99, 1e-8, centered=True, momentum=0.9), problem.grad,
               TORCH_FIXTURE.start, 30).params  # fmt: skip
    np.testing.assert_allclose(ours, recorded["rmsprop_centered_momentum__quad"], atol=1e-13)
    ada = run(adagrad(0.5), problem.grad, TORCH_FIXTURE.start, 30).params
    np.testing.assert_allclose(ada, recorded["adagrad__quad"], atol=1e-13)
    assert configs["rmsprop_centered_momentum__quad"]["kwargs"] == {
        "lr": 0.02, "centered": True, "momentum": 0.9}  # fmt: skip
