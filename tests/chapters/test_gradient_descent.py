"""Tests for the chapter *The gradient-descent problem*.

Oracles, in order of independence from the code under test:

* SymPy: every claim of ``gdbook.derivations.gradient_descent`` simplifies to an identity;
* closed forms written out here (powers of ``1 - eta*lambda``, the iteration matrix
  ``I - eta*A`` and its eigenvalues from ``numpy.linalg``, brute-force minimisation of
  ``f(x - eta*g)`` on a grid, plain NumPy loops that do not use ``gdbook.base.run``);
* published results, named in each docstring: Goh (2017) "Why momentum really works",
  Nesterov (2004) Thm 2.1.15, Akaike (1959) and the Kantorovich inequality
  (Nocedal & Wright 2006, Thm 3.3), Dauphin et al. (2014) on saddles.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp
from gdbook import gradient_descent as gd
from gdbook.base import run
from gdbook.derivations import gradient_descent as claims
from gdbook.derivations import kappa
from gdbook.examples import VALLEY
from gdbook.gradient_descent import (
    contraction_factors,
    eigen_errors,
    exact_line_search,
    gradient_descent,
    iterations_to_tolerance,
    loss_terms,
    max_stable_learning_rate,
    optimal_learning_rate,
    optimal_rate,
    predicted_iterations,
    saddle_escape_steps,
    sgd_expected_sq_error,
    sgd_noise_floor,
    spectral_radius,
)
from gdbook.measure import loglog_slope, measured_rate
from gdbook.momentum import momentum
from gdbook.problems import noisy, quadratic, saddle
from gdbook.viz import gradient_descent as viz
from gdbook_solutions import gradient_descent as solutions
from hypothesis import given
from hypothesis import strategies as st


def _gd_best(mu: Any, L: Any) -> Any:
    return gradient_descent(2 / (mu + L))


def _random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


# --------------------------------------------------------------------------------------
# SymPy claims
# --------------------------------------------------------------------------------------

PAIR_CLAIMS = [
    "contraction_factor",
    "eigenbasis_solution",
    "loss_in_eigenbasis",
    "loss_decomposition",
    "optimal_step",
    "optimal_rate",
    "iterations_for_tolerance",
    "iterations_per_efold",
    "exact_line_search_step",
    "line_search_orthogonality",
    "sgd_noise_floor",
    "sgd_second_moment",
    "saddle_escape_steps",
    "early_stopping_filter",
    "noise_floor_difference",
    "level_set_aspect_ratio",
    "gradient_method_residual_polynomial",
    "chebyshev_growth_base",
    "chebyshev_bound_closed_form",
]


@functools.cache
def _claim(name: str) -> Any:
    return getattr(claims, name)()


@pytest.mark.parametrize("name", PAIR_CLAIMS)
def test_claim_is_an_identity(name: str) -> None:
    derived, claimed = _claim(name)
    assert sp.simplify(derived - claimed) == 0, f"{name}: {derived} != {claimed}"


def test_claims_are_not_vacuous() -> None:
    """Each claimed side is a real statement: perturbing it breaks the identity."""
    for name in PAIR_CLAIMS:
        derived, claimed = _claim(name)
        if claimed == 0:
            continue
        assert sp.simplify(derived - (claimed + sp.Rational(1, 7))) != 0, name


def test_every_public_claim_is_tested() -> None:
    public = {
        n
        for n, f in vars(claims).items()
        if callable(f) and not n.startswith("_") and getattr(f, "__module__", "") == claims.__name__
    }
    covered = {
        *PAIR_CLAIMS,
        "gradient_step_in_eigenbasis",
        "stability_interval",
        "distill_loss_decomposition",
        "chebyshev_limit_is_heavy_ball",
    }
    assert public == covered


def test_gradient_step_in_eigenbasis_keeps_eta() -> None:
    """Q^T(x_{k+1} - x*) = (I - eta*Lambda) y_k.

    D2L's momentum section drops the eta (content.md §5).
    """
    derived, claimed = claims.gradient_step_in_eigenbasis()
    assert sp.simplify(derived - claimed) == sp.zeros(2, 1)
    without_eta = (sp.eye(2) - sp.diag(claims.lam_1, claims.lam_2)) * sp.Matrix(
        [claims.y_1, claims.y_2]
    )
    assert sp.simplify(derived - without_eta) != sp.zeros(2, 1)


def test_stability_interval_is_zero_to_two_over_lambda() -> None:
    derived, claimed = claims.stability_interval()
    assert derived == claimed
    assert claimed == sp.Interval.open(0, 2 / claims.lam)


def test_distill_form_is_twice_the_loss() -> None:
    """Goh (2017) drops the 1/2 of the loss decomposition (distill issue #98)."""
    _, ours = claims.loss_decomposition()
    assert sp.simplify(claims.distill_loss_decomposition() / ours) == 2


def test_efold_series_numerically() -> None:
    """-1/ln((k-1)/(k+1)) = k/2 - 1/(6k) + O(k^-3) (F10): the remainder shrinks like k^-3."""
    _, series = claims.iterations_per_efold()
    f = sp.lambdify(kappa, series)
    for kk in [10.0, 100.0, 1000.0]:
        exact = -1 / math.log((kk - 1) / (kk + 1))
        assert abs(exact - f(kk)) < 0.1 / kk**3
        assert abs(exact - kk / 2) < 0.2 / kk  # the leading term alone


# --------------------------------------------------------------------------------------
# Eigendirections, stability, optimal step: closed forms against runs
# --------------------------------------------------------------------------------------


@given(
    eta=st.floats(0.01, 1.9),
    low=st.floats(0.05, 1.0),
    angle=st.floats(-3.0, 3.0),
    y0=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
)
def test_run_matches_eigen_errors(
    eta: float, low: float, angle: float, y0: tuple[float, float]
) -> None:
    """In the eigenbasis each coordinate of a GD run is (1 - eta*lambda_i)^k y_{i,0} (Goh 2017)."""
    problem = quadratic([low, 1.0], angle=angle)
    x0 = problem.eigenvectors @ np.array(y0)
    traj = run(gradient_descent(eta), problem.grad, x0, 25)
    measured = problem.to_eigenbasis(traj.params)
    lam = np.array([low, 1.0])
    powers = (1 - eta * lam) ** np.arange(26)[:, None] * np.array(y0)  # written out here
    np.testing.assert_allclose(measured, powers, atol=1e-12)
    np.testing.assert_allclose(eigen_errors(eta, lam, y0, 25), powers, atol=1e-14)


def test_spectral_radius_is_that_of_the_iteration_matrix() -> None:
    """rho(eta) = max |eig(I - eta*A)| for a random 4-D SPD A (numpy.linalg as oracle)."""
    rng = np.random.default_rng(1)
    lam = np.sort(rng.uniform(0.1, 3.0, 4))
    q = _random_rotation(rng, 4)
    a = (q * lam) @ q.T
    etas = np.linspace(0.0, 1.0, 41)
    oracle = [np.max(np.abs(np.linalg.eigvalsh(np.eye(4) - eta * a))) for eta in etas]
    np.testing.assert_allclose(spectral_radius(etas, lam), oracle, rtol=1e-12)
    assert contraction_factors(etas, lam).shape == (41, 4)


def test_stability_boundary_is_two_over_L() -> None:
    """Just below 2/L every run converges; just above, every run diverges (0 < eta*lambda < 2)."""
    problem = VALLEY.problem(10.0)
    limit = max_stable_learning_rate(problem.eigenvalues)
    assert limit == pytest.approx(2.0)
    etas = np.array([[0.98 * limit], [1.02 * limit]])
    x0 = np.broadcast_to(VALLEY.start, (2, 2))
    traj = run(gradient_descent(etas), problem.grad, x0, 3000, bound=1e6)
    assert traj.diverged_at[0] == -1 and np.linalg.norm(traj.params[-1, 0]) < 1e-8
    assert traj.diverged_at[1] > 0


def test_steps_between_one_and_two_over_lambda_oscillate_and_converge() -> None:
    """Zhang et al. (D2L, sec. 12.6.3): "until eta*lambda = 1. Beyond that things diverge".

    For 1 < eta*lambda < 2 the error flips sign at every step and shrinks by
    |1 - eta*lambda|: at eta*lambda = 1.5 it halves, and at the best step of the valley
    the steep direction (eta* L = 20/11) zig-zags and converges.
    """
    lam = 4.0
    line = run(gradient_descent(1.5 / lam), lambda x: lam * x, np.array([1.0]), 40).params[:, 0]
    np.testing.assert_allclose(line, (-0.5) ** np.arange(41), rtol=1e-12)
    assert np.all(np.sign(line[1:]) == -np.sign(line[:-1]))
    problem = VALLEY.problem()
    mu, L = problem.eigenvalues.min(), problem.eigenvalues.max()
    best = float(optimal_learning_rate(mu, L))
    assert 1 < best * L < 2
    axis = problem.eigenvectors[:, np.argmax(problem.eigenvalues)]
    steep = run(gradient_descent(best), problem.grad, axis, 60).params @ axis
    np.testing.assert_allclose(steep, (1 - best * L) ** np.arange(61), rtol=1e-9, atol=1e-15)
    assert np.all(np.sign(steep[1:]) == -np.sign(steep[:-1])) and abs(steep[-1]) < 1e-5


def test_valley_figure_claims() -> None:
    """The three runs of the valley figure, against powers of 1 - eta*lambda (no run needed).

    After VALLEY_STEPS steps the best fixed rate is closer than the small one; the large
    rate grows its steep coordinate by |1 - 2.1| = 1.1 per step and first has a
    coordinate beyond DIVERGENCE_BOUND at the step the figure and the text report.
    """
    problem = VALLEY.problem()
    lam, q = problem.eigenvalues, problem.eigenvectors
    y0 = problem.to_eigenbasis(VALLEY.start)
    ks = np.arange(101)[:, None]

    def closed_form(eta: float) -> np.ndarray:  # x_k = Q (1 - eta*lam)^k y0, x* = 0
        return ((1 - eta * lam) ** ks * y0) @ q.T

    small, best, large = gd.VALLEY_RATES
    assert best == pytest.approx(2 / (1 / VALLEY.kappa + 1))
    assert large > 2.0 > best > small
    n = gd.VALLEY_STEPS
    dist = {eta: float(np.linalg.norm(closed_form(eta)[n])) for eta in (small, best)}
    assert dist[best] < dist[small] / 10
    runs = {
        e: run(gradient_descent(e), problem.grad, VALLEY.start, 100, bound=1e3)
        for e in gd.VALLEY_RATES
    }
    for eta in (small, best):
        assert np.linalg.norm(runs[eta].params[n]) == pytest.approx(dist[eta], rel=1e-9)
    outside = np.any(np.abs(closed_form(large)) > gd.DIVERGENCE_BOUND, axis=1)
    assert int(runs[large].diverged_at) == int(np.argmax(outside)) > 0
    assert float(spectral_radius(large, lam)) == pytest.approx(1.1)


def test_a_tenth_of_the_best_step_is_ten_times_slower() -> None:
    """Common-mistakes box: eta*/10 on eigenvalues (1, 10) needs about ten times the steps.

    With eta = 0.2/11 the flat factor 1 - eta sets the count,
    ceil(ln(tol sqrt 2) / ln(1 - eta)) from x0 = (1, 1); eta* needs ceil(ln tol / ln(9/11)).
    """
    tenth = iterations_to_tolerance(lambda mu, L: gradient_descent(0.2 / (mu + L)), [10.0])
    best = iterations_to_tolerance(_gd_best, [10.0])
    assert int(tenth[0]) == math.ceil(math.log(1e-6 * math.sqrt(2)) / math.log(1 - 0.2 / 11))
    assert int(best[0]) == math.ceil(math.log(1e-6) / math.log(9 / 11))
    assert 9 < tenth[0] / best[0] < 12


def test_optimal_step_minimises_spectral_radius() -> None:
    """argmin over a fine grid of max|1 - eta*lambda| is 2/(mu+L), the minimum (k-1)/(k+1).

    Nesterov (2004), Thm 2.1.15.
    """
    for mu_, L_ in [(1.0, 10.0), (0.1, 1.0), (2.0, 300.0)]:
        etas = np.linspace(1e-4, 2 / L_, 200_001)
        rho = spectral_radius(etas, [mu_, (mu_ + L_) / 2, L_])
        assert etas[np.argmin(rho)] == pytest.approx(2 / (mu_ + L_), abs=2 * (etas[1] - etas[0]))
        spacing = etas[1] - etas[0]  # rho has slope <= L next to its minimum
        assert rho.min() == pytest.approx((L_ / mu_ - 1) / (L_ / mu_ + 1), abs=L_ * spacing)
        assert float(optimal_learning_rate(mu_, L_)) == pytest.approx(2 / (mu_ + L_))


@pytest.mark.parametrize("kk", [4.0, 30.0, 250.0])
def test_measured_rate_of_runs_equals_kappa_formula(kk: float) -> None:
    """GD with eta* on a 6-D quadratic shrinks its error by (k-1)/(k+1) per step (Goh 2017)."""
    rng = np.random.default_rng(int(kk))
    lam = np.geomspace(1.0, kk, 6)
    problem = quadratic(lam, rotation=_random_rotation(rng, 6))
    eta = float(optimal_learning_rate(1.0, kk))
    num_steps = int(8 * kk) + 100  # long enough for the slowest pair of directions to dominate
    traj = run(gradient_descent(eta), problem.grad, rng.standard_normal(6), num_steps)
    errors = np.linalg.norm(traj.params, axis=-1)
    rate = measured_rate(errors, skip=num_steps // 2)
    assert rate == pytest.approx((kk - 1) / (kk + 1), rel=1e-6)
    assert float(optimal_rate(kk)) == pytest.approx((kk - 1) / (kk + 1))


def test_measured_rate_and_loglog_slope_on_exact_sequences() -> None:
    assert measured_rate(0.7 ** np.arange(30)) == pytest.approx(0.7)
    x = np.geomspace(1, 100, 9)
    assert loglog_slope(x, 3 * x**1.5) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="two positive"):
        measured_rate([1.0, 0.0, 0.0])


@given(eta=st.floats(0.05, 1.95), low=st.floats(0.01, 0.9), angle=st.floats(-3, 3))
def test_loss_decomposition_has_the_half(eta: float, low: float, angle: float) -> None:
    """f(x_k) - f* = 1/2 sum lambda_i (1-eta*lambda_i)^{2k} y_i0^2.

    Goh (2017)'s sum is twice f (F2).
    """
    problem = quadratic([low, 1.0], angle=angle)
    traj = run(gradient_descent(eta), problem.grad, VALLEY.start, 20)
    measured = problem.value(traj.params)
    y0 = problem.to_eigenbasis(VALLEY.start)
    terms = loss_terms(eta, problem.eigenvalues, y0, 20)
    np.testing.assert_allclose(terms.sum(axis=1), measured, rtol=1e-9, atol=1e-300)
    # Goh's printed sum, written out here without the 1/2: it is twice the measured loss
    lam = problem.eigenvalues
    distill = np.sum((1 - eta * lam) ** (2 * np.arange(21)[:, None]) * lam * y0**2, axis=1)
    np.testing.assert_allclose(distill, 2 * measured, rtol=1e-9, atol=1e-300)


@given(angle=st.floats(-3, 3), y0=st.tuples(st.floats(0.1, 3), st.floats(0.1, 3)))
def test_negative_gradient_points_at_the_minimum_only_when_round(
    angle: float, y0: tuple[float, float]
) -> None:
    """-grad f is parallel to x* - x iff kappa = 1 or the error lies on an eigenvector."""

    def cosine(problem: Any, x: np.ndarray) -> float:
        g = problem.grad(x)
        return float(-g @ -x / (np.linalg.norm(g) * np.linalg.norm(x)))

    round_bowl = quadratic([2.0, 2.0], angle=angle)
    valley = quadratic([0.1, 1.0], angle=angle)
    off_axis = valley.eigenvectors @ np.array(y0)  # both eigen-coordinates nonzero
    on_axis = valley.eigenvectors @ np.array([y0[0], 0.0])
    assert cosine(round_bowl, off_axis) == pytest.approx(1.0)
    assert cosine(valley, on_axis) == pytest.approx(1.0)
    assert cosine(valley, off_axis) < 1 - 1e-4


# --------------------------------------------------------------------------------------
# iterations_to_tolerance (shared with the momentum chapter) and the kappa experiment
# --------------------------------------------------------------------------------------


def _first_k_oracle(eta: float, lam: np.ndarray, tol: float, limit: int) -> int:
    """First k with sqrt(sum (1-eta*lam)^{2k}) <= tol * sqrt(d), by direct powers (no run)."""
    ks = np.arange(limit + 1)[:, None]
    with np.errstate(over="ignore"):
        norms = np.sqrt(np.sum((1 - eta * lam) ** (2 * ks), axis=1))
    hit = np.nonzero(norms <= tol * np.sqrt(lam.size))[0]
    return int(hit[0]) if hit.size else -1


def test_iterations_to_tolerance_equals_closed_form_in_2d() -> None:
    """dim=2, eta*: both errors shrink by exactly r=(k-1)/(k+1), so k = ceil(ln tol / ln r).

    See F1 and F10.
    """
    kappas = np.array([1.5, 3.0, 10.0, 37.0, 100.0, 400.0])
    for tol in [1e-3, 1e-6, 1e-9]:
        counts = iterations_to_tolerance(_gd_best, kappas, tol=tol, vectorized=True)
        r = (kappas - 1) / (kappas + 1)
        closed = np.ceil(np.log(tol) / np.log(r))
        assert np.all(np.abs(counts - closed) <= 1)  # exact up to rounding at an integer
        oracle = [_first_k_oracle(2 / (1 + kk), np.array([1.0, kk]), tol, 20_000) for kk in kappas]
        assert counts.tolist() == oracle
        assert np.array_equal(predicted_iterations(r, tol), closed.astype(np.int64))


def test_iterations_to_tolerance_in_higher_dimension_is_bracketed() -> None:
    """dim=5: middle eigenvalues shrink faster, so k lies between two bounds.

    ceil(ln(tol sqrt(d/2))/ln r) <= k <= ceil(ln tol/ln r).
    """
    kappas = np.array([5.0, 50.0, 500.0])
    counts = iterations_to_tolerance(_gd_best, kappas, dim=5)
    r = (kappas - 1) / (kappas + 1)
    assert np.all(counts <= np.ceil(np.log(1e-6) / np.log(r)))
    assert np.all(counts >= np.ceil(np.log(1e-6 * np.sqrt(5 / 2)) / np.log(r)))
    oracle = [_first_k_oracle(2 / (1 + kk), np.geomspace(1, kk, 5), 1e-6, 20_000) for kk in kappas]
    assert counts.tolist() == oracle


def test_iterations_to_tolerance_vectorized_equals_stacked() -> None:
    kappas = np.geomspace(2, 300, 7)
    make = lambda mu, L: momentum(4 / (np.sqrt(mu) + np.sqrt(L)) ** 2, 0.5)  # noqa: E731
    stacked = iterations_to_tolerance(make, kappas)
    vectorized = iterations_to_tolerance(make, kappas, vectorized=True)
    assert np.array_equal(stacked, vectorized)
    assert np.array_equal(
        iterations_to_tolerance(_gd_best, kappas),
        iterations_to_tolerance(_gd_best, kappas, vectorized=True),
    )


def test_iterations_to_tolerance_marks_failures_and_keeps_shape() -> None:
    diverging = iterations_to_tolerance(lambda mu, L: gradient_descent(2.5 / L), [10.0, 20.0])
    assert diverging.tolist() == [-1, -1]
    too_short = iterations_to_tolerance(_gd_best, [1000.0], max_steps=50)
    assert too_short.tolist() == [-1]
    assert iterations_to_tolerance(_gd_best, 10.0).shape == ()
    assert iterations_to_tolerance(_gd_best, [[2.0, 3.0], [4.0, 5.0]]).shape == (2, 2)
    assert iterations_to_tolerance(_gd_best, [1.0]).tolist() == [1]  # eta = 1/L solves kappa = 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kappas": [0.5]}, "kappas"),
        ({"kappas": [10.0], "tol": 0.0}, "tol"),
        ({"kappas": [10.0], "tol": 1.0}, "tol"),
        ({"kappas": [10.0], "dim": 1}, "dim"),
        ({"kappas": [10.0], "max_steps": 0}, "max_steps"),
    ],
)
def test_iterations_to_tolerance_validates(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        iterations_to_tolerance(_gd_best, **kwargs)


def test_kappa_experiment_slope_is_one() -> None:
    """Iterations grow like kappa: log-log slope ~1 for eta* and for 1/L.

    Goh (2017); F10: ~kappa/2 per e-fold.
    """
    data = gd.kappa_experiment()
    big = data["kappa"] >= 10
    for key in ["best", "one_over_L"]:
        assert loglog_slope(data["kappa"][big], data[key][big]) == pytest.approx(1.0, abs=0.02)
    # exact counts: eta* shrinks both errors by r = (k-1)/(k+1); 1/L removes the steep error
    # in one step and shrinks the flat one by 1 - 1/k, from norm 1 against tol * sqrt(2)
    kk = data["kappa"]
    best = np.ceil(np.log(1e-6) / np.log((kk - 1) / (kk + 1)))
    one_over_l = np.ceil(np.log(1e-6 * np.sqrt(2)) / np.log(1 - 1 / kk))
    assert np.all(np.abs(data["best"] - best) <= 1)
    assert np.all(np.abs(data["one_over_L"] - one_over_l) <= 1)
    # and the asymptote (kappa/2) ln(1/tol) of F10, within 1 % at kappa = 1000
    assert data["best"][-1] == pytest.approx(kk[-1] / 2 * np.log(1e6), rel=0.01)
    # 1/L needs about twice as many steps: the ratio of the two asymptotes kappa ln(...)
    # and (kappa/2) ln(1/tol), within 1 % at kappa = 1000 (the chapter's "factor two")
    ratio = data["one_over_L"][-1] / data["best"][-1]
    assert ratio == pytest.approx(2 * np.log(1e-6 * np.sqrt(2)) / np.log(1e-6), rel=0.01)


# --------------------------------------------------------------------------------------
# Exact line search
# --------------------------------------------------------------------------------------


@given(seed=st.integers(0, 10_000), d=st.integers(2, 6))
def test_exact_line_search_orthogonal_and_optimal(seed: int, d: int) -> None:
    """g_{k+1} is orthogonal to g_k (Nocedal & Wright 2006, §3.3).

    Each step minimises f on its line.
    """
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(0.2, 5.0, d))
    problem = quadratic(lam, rotation=_random_rotation(rng, d))
    x0 = rng.standard_normal(d)
    path = exact_line_search(problem, x0, 6)
    grads = problem.grad(path)
    for g0, g1 in itertools.pairwise(grads):
        assert abs(g0 @ g1) <= 1e-9 * (np.linalg.norm(g0) ** 2 + 1e-300)
    g = problem.grad(x0)
    grid = np.linspace(0, 2 / lam[0], 20_001)[:, None]
    best = grid[np.argmin(problem.value(x0 - grid * g)), 0]
    assert np.linalg.norm(path[1] - (x0 - best * g)) <= 2 * (grid[1, 0]) * np.linalg.norm(g)


@given(seed=st.integers(0, 10_000), d=st.integers(2, 5))
def test_exact_line_search_obeys_kantorovich(seed: int, d: int) -> None:
    """(f_{k+1}-f*)/(f_k-f*) <= ((k-1)/(k+1))^2 (Kantorovich; Nocedal & Wright 2006, Thm 3.3)."""
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(0.1, 4.0, d))
    problem = quadratic(lam, rotation=_random_rotation(rng, d))
    gaps = problem.value(exact_line_search(problem, rng.standard_normal(d), 8))
    bound = ((lam[-1] / lam[0] - 1) / (lam[-1] / lam[0] + 1)) ** 2
    assert np.all(gaps[1:] <= bound * gaps[:-1] * (1 + 1e-9) + 1e-300)


def test_line_search_in_2d_has_a_constant_ratio_and_a_tight_worst_start() -> None:
    """Akaike (1959): in 2-D the ratio is the same at every step.

    The worst start attains the bound.
    """
    problem = VALLEY.problem(10.0)
    for x0 in [VALLEY.start, gd.worst_line_search_start(problem), np.array([1.0, 3.0])]:
        ratios = gd.loss_ratios(problem, exact_line_search(problem, x0, 12))
        np.testing.assert_allclose(ratios, ratios[0], rtol=1e-8)
    worst = gd.loss_ratios(
        problem, exact_line_search(problem, gd.worst_line_search_start(problem), 5)
    )
    np.testing.assert_allclose(worst, (9 / 11) ** 2, rtol=1e-10)


def test_exact_line_search_settles_in_the_extreme_eigenplane() -> None:
    """Akaike (1959): the normalised gradients tend to a 2-cycle spanned by the eigenvectors
    of the smallest and largest eigenvalue, whatever the dimension and the start."""
    rng = np.random.default_rng(5)
    lam = np.array([1.0, 2.0, 3.5, 6.0, 10.0])
    problem = quadratic(lam, rotation=_random_rotation(rng, 5))
    path = exact_line_search(problem, rng.standard_normal(5), 150)
    y = problem.grad(path) @ problem.eigenvectors  # gradients in the eigenbasis
    u = y / np.linalg.norm(y, axis=1, keepdims=True)
    np.testing.assert_allclose(np.abs(u[-1]), np.abs(u[-3]), atol=1e-8)  # period two
    assert np.max(np.abs(u[-1, 1:-1])) < 1e-6  # nothing left in the middle directions
    assert min(abs(u[-1, 0]), abs(u[-1, -1])) > 0.1


def test_exact_line_search_stops_at_the_minimum() -> None:
    problem = quadratic([1.0, 1.0])
    path = exact_line_search(problem, [1.0, -2.0], 4)
    assert path.shape == (5, 2)
    np.testing.assert_allclose(path[1:], 0.0, atol=1e-15)  # one step for kappa = 1


# --------------------------------------------------------------------------------------
# Saddles and plateaus; noisy gradients
# --------------------------------------------------------------------------------------


def test_plateau_length_grows_like_log_of_offset() -> None:
    """Escape from y0 takes ln(delta/y0)/ln(1+eta*gamma) steps (linearisation; Dauphin et al. 2014):
    each factor 10 closer to the stable manifold adds ln(10)/ln(1+eta) steps."""
    problem = saddle()
    eta = 0.2
    offsets = np.array([1e-3, 1e-6, 1e-9, 1e-12])
    x0 = np.stack([np.full(4, 1.5), offsets], axis=-1)
    traj = run(gradient_descent(eta), problem.grad, x0, 400)
    escaped = np.argmax(np.abs(traj.params[..., 1]) >= 0.5, axis=0)
    per_1000 = np.log(1e3) / np.log(1 + eta)
    np.testing.assert_allclose(np.diff(escaped), per_1000, atol=1.0)
    predicted = saddle_escape_steps(offsets, eta, 1.0, 0.5)
    assert np.all(np.abs(escaped - predicted) <= 3)  # the cubic term adds only a step or two
    exact_on_manifold = run(gradient_descent(eta), problem.grad, np.array([1.5, 0.0]), 400)
    assert np.linalg.norm(exact_on_manifold.params[-1]) < 1e-12  # on y = 0 GD finds the saddle


def test_noise_floor_formula_against_a_plain_simulation() -> None:
    """E x^2 -> eta sigma^2 / (lambda (2 - eta lambda)) for x <- x - eta(lambda x + sigma xi)."""
    for eta, lam, sigma in [(0.5, 1.0, 1.0), (0.1, 2.0, 0.5), (1.5, 1.0, 0.2)]:
        measured = solutions.sgd_floor_simulation(eta, lam, sigma, num_steps=300)
        predicted = eta * sigma**2 / (lam * (2 - eta * lam))
        assert measured == pytest.approx(predicted, rel=0.05)
        assert float(sgd_noise_floor(eta, [lam], sigma)) == pytest.approx(predicted)


def test_noisy_runs_follow_transient_and_floor() -> None:
    """Library runs (run + problems.noisy) follow sum_i v_i + (1-eta*lam_i)^{2k} (y_i0^2 - v_i)."""
    problem = VALLEY.problem(10.0)
    y0 = problem.to_eigenbasis(VALLEY.start)
    x0 = np.broadcast_to(VALLEY.start, (4000, 2))
    stochastic = noisy(problem, 0.5, np.random.default_rng(7))
    traj = run(gradient_descent(0.5), stochastic.grad, x0, 150, record_states=False)
    measured = np.mean(np.sum(traj.params**2, axis=-1), axis=-1)
    predicted = sgd_expected_sq_error(0.5, problem.eigenvalues, 0.5, y0, 150)
    np.testing.assert_allclose(
        measured[[0, 5, 20, 60, 150]], predicted[[0, 5, 20, 60, 150]], rtol=0.06
    )
    assert predicted[-1] == pytest.approx(
        float(sgd_noise_floor(0.5, problem.eigenvalues, 0.5)), rel=1e-3
    )


def test_noise_floor_validates_and_scales_with_eta() -> None:
    with pytest.raises(ValueError, match="0 < learning_rate"):
        sgd_noise_floor(2.5, [1.0], 1.0)
    small = sgd_noise_floor(np.array([1e-3, 2e-3]), [1.0, 0.1], 1.0)
    assert small[1] / small[0] == pytest.approx(2.0, rel=1e-2)  # floor ~ eta for small eta


# --------------------------------------------------------------------------------------
# Solutions to the exercises
# --------------------------------------------------------------------------------------


def test_solution_predict_and_measure() -> None:
    for kk in [5.0, 50.0, 500.0]:
        predicted, measured = solutions.predict_and_measure(kk)
        r = (kk - 1) / (kk + 1)
        assert predicted == math.ceil(math.log(1e-6) / math.log(r))
        assert abs(predicted - measured) <= 1


def test_solution_line_search_ratio() -> None:
    """Closed form against runs: constant ratio, same at phi and phi + 90°, max at 45°."""
    kk = 10.0
    problem = quadratic([1.0, kk])
    for phi in [0.1, 0.4, np.pi / 4, 1.2]:
        g = np.array([np.cos(phi), np.sin(phi)])
        x0 = g / problem.eigenvalues  # A^{-1} g: the gradient at x0 is g
        ratios = gd.loss_ratios(problem, exact_line_search(problem, x0, 6))
        np.testing.assert_allclose(ratios, solutions.line_search_ratio(kk, phi), rtol=1e-9)
    phis = np.linspace(0, np.pi / 2, 1001)
    values = solutions.line_search_ratio(kk, phis)
    assert phis[np.argmax(values)] == pytest.approx(np.pi / 4, abs=2e-3)
    assert values.max() == pytest.approx(((kk - 1) / (kk + 1)) ** 2)
    np.testing.assert_allclose(values, solutions.line_search_ratio(kk, phis + np.pi / 2))


def test_solution_early_stopping_filters() -> None:
    """GD from 0 fits (1-(1-eta*lam)^k) of each eigen-component of x* (Goh 2017, early stopping)."""
    lam, angle, x_star = np.array([0.05, 1.0]), 0.6, np.array([2.0, -1.0])
    problem = quadratic(lam, angle=angle, x_star=x_star)
    xk = solutions.early_stopped_iterate(lam, angle, x_star, 0.5, 30)
    fitted = (xk @ problem.eigenvectors) / (x_star @ problem.eigenvectors)
    np.testing.assert_allclose(fitted, solutions.gd_filter(lam, 0.5, 30), rtol=1e-12)
    grid = np.geomspace(1e-4, 1.0, 400)
    gap = np.abs(solutions.gd_filter(grid, 0.5, 30) - solutions.ridge_filter(grid, 1 / (0.5 * 30)))
    assert gap[0] < 1e-3  # equal to first order for small lambda
    # continuous-time limit, s = eta*k*lambda: max_s (1 - e^{-s}) - s/(1 + s) = 0.2036 at s = 2.51
    s = np.linspace(0.0, 20.0, 200_001)
    limit = np.max((1 - np.exp(-s)) - s / (1 + s))
    assert limit == pytest.approx(0.2036, abs=1e-4)
    assert gap.max() == pytest.approx(limit, abs=0.015)
    assert 15 * grid[np.argmax(gap)] == pytest.approx(2.51, abs=0.1)
    np.testing.assert_allclose(solutions.ridge_filter([1.0, 3.0], 1.0), [0.5, 0.75])


def test_solution_rotation_gap_is_rounding() -> None:
    for angle in [0.3, 1.0, 2.5]:
        assert solutions.rotation_gap(angle) < 1e-12


def test_solution_steps_vs_learning_rate() -> None:
    """Fewest steps near eta* = 2/(mu+L); smaller is slower; at eta >= 2/L nothing converges."""
    etas = np.linspace(0.05, 2.1, 83)
    counts = solutions.steps_vs_learning_rate(etas, 10.0)
    ok = counts >= 0
    assert np.all(counts[etas >= 2.0] == -1) and np.all(ok[etas < 1.99])
    best = etas[ok][np.argmin(counts[ok])]
    assert best == pytest.approx(2 / 1.1, abs=0.05)
    oracle = [_first_k_oracle(e, np.array([0.1, 1.0]), 1e-6, 5000) for e in etas]
    assert counts.tolist() == oracle


# --------------------------------------------------------------------------------------
# The explorer
# --------------------------------------------------------------------------------------


@pytest.fixture
def explorer() -> Any:
    built = viz.valley_explorer()
    yield built
    plt.close(built.figure)


def test_explorer_defaults_show_the_predicted_contraction(explorer: Any) -> None:
    state = explorer.update()
    assert state["diverged_at"] == -1
    assert state["rate"] == pytest.approx(max(abs(1 - 1.5 * 0.1), abs(1 - 1.5)))
    np.testing.assert_allclose(state["errors"], np.abs(state["predicted"]), rtol=1e-9, atol=1e-14)


def test_explorer_reports_divergence_like_run(explorer: Any) -> None:
    state = explorer.update(learning_rate=2.4, kappa=30.0)
    problem = VALLEY.problem(30.0)
    plain = run(gradient_descent(2.4), problem.grad, VALLEY.start, 60, bound=gd.DIVERGENCE_BOUND)
    assert state["diverged_at"] == int(plain.diverged_at) > 0
    assert state["rate"] == pytest.approx(1.4)
    assert "diverged at step" in explorer.figure.axes[0].texts[0].get_text()


def test_static_explorer_figure_is_the_default_state() -> None:
    """The static stand-in shows the explorer at its default sliders: the drawn path is an
    independent run of x <- x - eta grad f(x) at those settings, and the title names them."""
    explorer = viz.valley_explorer()
    defaults = explorer.values()
    plt.close(explorer.figure)
    eta, kappa_ = defaults["learning_rate"], defaults["kappa"]
    problem = VALLEY.problem(kappa_)
    x = np.array(VALLEY.start, dtype=float)
    expected = [x]
    for _ in range(viz.EXPLORER_STEPS):
        x = x - eta * problem.grad(x)
        expected.append(x)
    fig = viz.explorer_default()
    try:
        left = fig.axes[0]
        paths = [
            np.column_stack(line.get_data())
            for line in left.get_lines()
            if len(line.get_xdata()) == len(expected)
        ]
        assert any(np.allclose(p, expected, rtol=0, atol=1e-12) for p in paths)
        title = left.get_title()
        assert f"η = {eta:.3g}" in title and f"κ = {kappa_:.3g}" in title
        converges = np.max(np.abs(1 - eta * problem.eigenvalues)) < 1
        assert ("converges" in title) == converges
    finally:
        plt.close(fig)


def test_chapter_figures_are_registered() -> None:
    from gdbook.figures import load_all

    names = {n for n in load_all() if n.startswith("gradient_descent_")}
    assert len(names) >= 6


# --------------------------------------------------------------------------------------
# Issue 7: the claims that were wrong or loose, each with a test that would have caught it
# --------------------------------------------------------------------------------------


def test_valley_aspect_ratio_is_sqrt_kappa() -> None:
    """'Ten times narrower' is kappa a hundred times larger: the level sets' half-axes are
    sqrt(2c/lambda), so length over width is sqrt(kappa) (measured on the drawn ellipses)."""
    from gdbook.plotting import level_sets

    for kk in (10.0, 100.0, 1000.0):
        problem = VALLEY.problem(kk)
        (curve,) = level_sets(problem, [0.5])
        along = curve @ problem.eigenvectors  # coordinates along the eigenvectors
        extent = along.max(axis=0) - along.min(axis=0)  # (flat, steep) axis lengths
        assert extent[0] / extent[1] == pytest.approx(math.sqrt(kk), rel=1e-3)


def test_which_noise_floor_dominates_depends_on_eta_star() -> None:
    """The flat floor dominates only below eta* = 2/(mu + L); equal at eta*, the steep one
    above (valley mu = 0.1, L = 1, sigma = 0.5): 1.316 / 0.25 at eta = 1, 2.5 / 2.5 at eta*,
    2.624 / 4.75 at eta = 1.9, from eta sigma^2 / (lambda (2 - eta lambda)) written here."""

    def floor(eta: float, lam: float, sigma: float = 0.5) -> float:
        return eta * sigma**2 / (lam * (2 - eta * lam))

    star = 2 / 1.1
    for eta, flat, steep in [(1.0, 1.316, 0.25), (star, 2.5, 2.5), (1.9, 2.624, 4.75)]:
        assert floor(eta, 0.1) == pytest.approx(flat, abs=5e-4)
        assert floor(eta, 1.0) == pytest.approx(steep, abs=5e-4)
        assert float(sgd_noise_floor(eta, [0.1], 0.5)) == pytest.approx(floor(eta, 0.1))
    etas = np.linspace(0.01, 1.99, 397)
    gap = np.array([floor(e, 0.1) - floor(e, 1.0) for e in etas])
    assert np.all(
        np.sign(gap[np.abs(etas - star) > 1e-9]) == np.sign(star - etas)[np.abs(etas - star) > 1e-9]
    )
    assert all(eta < star for eta in gd.NOISE_RATES)  # the chapter's two rates: flat dominates


def _chebyshev_nodes(mu: float, big_l: float, k: int) -> np.ndarray:
    i = np.arange(1, k + 1)
    return (big_l + mu) / 2 + (big_l - mu) / 2 * np.cos((2 * i - 1) * np.pi / (2 * k))


def test_chebyshev_steps_reach_the_sqrt_kappa_rate() -> None:
    """Planned steps (Young 1953): kappa = 100, 40 steps, worst factor over [mu, L] is
    1/T_40(101/99) = 6.5e-4 (numpy's Chebyshev series, not the closed form under test), against
    ((kappa-1)/(kappa+1))^40 = 0.45 for the best fixed step; the heavy ball's rate gives 3.3e-4."""
    kk, k = 100.0, 40
    t_k = np.polynomial.chebyshev.Chebyshev.basis(k)((kk + 1) / (kk - 1))
    assert 1 / t_k == pytest.approx(6.5e-4, rel=0.01)
    grid = np.linspace(1.0, kk, 20_001)
    nodes = _chebyshev_nodes(1.0, kk, k)
    worst = np.abs(np.prod(1 - grid[:, None] / nodes, axis=1)).max()
    assert worst == pytest.approx(1 / t_k, rel=1e-9)
    assert float(gd.chebyshev_bound(kk, k)) == pytest.approx(1 / t_k, rel=1e-12)
    rates = gd.chebyshev_learning_rates(1.0, kk, k)
    np.testing.assert_allclose(np.sort(1 / rates), np.sort(nodes), rtol=1e-14)
    assert np.abs(gd.residual_polynomial(rates, grid)).max() == pytest.approx(worst, rel=1e-9)
    assert ((kk - 1) / (kk + 1)) ** k == pytest.approx(0.449, abs=1e-3)
    assert ((math.sqrt(kk) - 1) / (math.sqrt(kk) + 1)) ** k == pytest.approx(3.3e-4, rel=0.02)
    data = gd.chebyshev_experiment()
    assert data["fixed"][k].max() == pytest.approx(((kk - 1) / (kk + 1)) ** k, rel=1e-9)
    assert data["chebyshev"][k].max() == pytest.approx(1 / t_k, rel=1e-6)


def test_chebyshev_order_decides_in_floating_point() -> None:
    """The same 40 steps on the experiment's rotated quadratic, in a plain loop written here:
    the middle-out order never lets the error grow and ends below the bound; small steps first
    ends near where it started, large steps first passes 1e15 (rounding, not arithmetic)."""
    data = gd.chebyshev_experiment()
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.standard_normal((gd.CHEBYSHEV_DIM, gd.CHEBYSHEV_DIM)))
    spectrum = np.concatenate([[1.0, 100.0], rng.uniform(1.0, 100.0, gd.CHEBYSHEV_DIM - 2)])
    hessian = rotation @ np.diag(spectrum) @ rotation.T
    x0 = rng.standard_normal(gd.CHEBYSHEV_DIM)
    loops = {}
    for order, rates in [("planned", data["rates"]), ("increasing", np.sort(data["rates"]))]:
        x, errors = x0.copy(), [1.0]
        for eta in rates:
            x = x - eta * (hessian @ x)
            errors.append(float(np.linalg.norm(x) / np.linalg.norm(x0)))
        loops[order] = np.array(errors)
    np.testing.assert_allclose(data["runs"]["planned"], loops["planned"], rtol=1e-6)
    assert loops["increasing"][-1] > 0.5  # rounding differs from the library's, the verdict not
    bound = float(gd.chebyshev_bound(100.0, 40))
    assert data["runs"]["planned"][-1] < bound and data["runs"]["planned"].max() <= 1.0
    assert data["runs"]["increasing"][-1] > 0.5
    assert data["runs"]["decreasing"].max() > 1e15
    assert solutions.chebyshev_steps_from_scratch(1.0, 100.0, 40)[1] < bound  # eigenbasis
    worst, rotated = solutions.chebyshev_steps_from_scratch(
        1.0, 100.0, 40, _random_rotation(rng, 64)
    )
    assert worst == pytest.approx(bound, rel=1e-6) and rotated < bound
    _, spoilt = solutions.chebyshev_steps_from_scratch(
        1.0, 100.0, 40, _random_rotation(rng, 64), order="increasing"
    )
    assert spoilt > 10 * bound
    with pytest.raises(ValueError, match="order"):
        solutions.chebyshev_steps_from_scratch(1.0, 100.0, 4, order="random")


def test_chebyshev_recurrence_is_optimal_at_every_step_and_tends_to_the_heavy_ball() -> None:
    """The two-step form with (alpha_k, beta_k) multiplies the error by T_k(...)/T_k(...) at
    every k (cos/cosh closed forms written here), and the coefficients tend to Polyak's
    4/(sqrt L + sqrt mu)^2 and ((sqrt L - sqrt mu)/(sqrt L + sqrt mu))^2."""
    mu, big_l, k = 1.0, 100.0, 30
    alphas, betas = gd.chebyshev_momentum_coefficients(mu, big_l, k)
    lam = np.linspace(mu, big_l, 501)
    prev, y = np.ones_like(lam), np.ones_like(lam)
    for j in range(k):
        y, prev = y - alphas[j] * lam * y + betas[j] * (y - prev), y
        degree = j + 1
        expected = np.cos(degree * np.arccos((big_l + mu - 2 * lam) / (big_l - mu))) / np.cosh(
            degree * np.arccosh((big_l + mu) / (big_l - mu))
        )
        np.testing.assert_allclose(y, expected, atol=1e-12)
    assert betas[0] == 0.0 and alphas[0] == pytest.approx(2 / (mu + big_l))
    root_sum = math.sqrt(big_l) + math.sqrt(mu)
    assert alphas[-1] == pytest.approx(4 / root_sum**2, rel=1e-5)  # 30 steps: close, not equal
    assert betas[-1] == pytest.approx(
        ((math.sqrt(big_l) - math.sqrt(mu)) / root_sum) ** 2, rel=1e-5
    )
    from gdbook.momentum import optimal_heavy_ball

    tuned = optimal_heavy_ball(mu, big_l)
    assert betas[-1] == pytest.approx(float(tuned.beta), rel=1e-5)
    (alpha, beta_), (alpha_claim, beta_claim) = claims.chebyshev_limit_is_heavy_ball()
    assert sp.simplify(alpha - alpha_claim) == 0 and sp.simplify(beta_ - beta_claim) == 0


def test_chebyshev_helpers_validate_and_pin_their_edges() -> None:
    with pytest.raises(ValueError, match="mu"):
        gd.chebyshev_learning_rates(0.0, 1.0, 3)
    with pytest.raises(ValueError, match="L"):
        gd.chebyshev_learning_rates(2.0, 1.0, 3)
    with pytest.raises(ValueError, match="num_steps"):
        gd.chebyshev_momentum_coefficients(1.0, 2.0, 0)
    assert gd.chebyshev_learning_rates(1.0, 3.0, 1) == pytest.approx([0.5])  # the midpoint
    assert float(gd.chebyshev_bound(1.0, 5)) == 0.0  # a round bowl: solved at once
    assert float(gd.chebyshev_bound(9.0, 0)) == 1.0
    assert float(gd.chebyshev_rate(9.0)) == pytest.approx(0.5)
    _, betas = gd.chebyshev_momentum_coefficients(1.0, 3.0, 2)
    assert betas[1] == pytest.approx(2 / (2 - 0.25) - 1)  # omega_2 = 2/(2 - sigma^2), sigma = 1/2
    np.testing.assert_allclose(gd.residual_polynomial([0.5, 0.25], [2.0, 4.0]), [0.0, 0.0])
    assert float(gd.residual_polynomial([], 3.0)) == 1.0


def test_saddle_escape_counts_by_an_independent_loop() -> None:
    """The counts the chapter glues (10 steps from y0 = 0.1, 98 from 1e-8; eta = 0.2), from a
    loop on the gradient written here: (x, y - y^3) for f = x^2/2 - y^2/2 + y^4/4."""
    counts = []
    for y0 in gd.SADDLE_OFFSETS:
        x, y, k = 1.5, y0, 0
        while abs(y) < 0.5:
            x, y, k = x - 0.2 * x, y - 0.2 * (-y + y**3), k + 1
        counts.append(k)
    assert counts == [10, 48, 98]
    measured = [int(np.argmax(np.abs(p[:, 1]) >= 0.5)) for p in gd.saddle_runs()]
    assert measured == counts


def test_chebyshev_rounding_amplification() -> None:
    """The factor by which the steps still to come multiply a rounding error (the chapter's
    'up to 8e+16' for small steps first, at lambda = L; below 2e7 from the middle outwards),
    from the Chebyshev nodes written here: 40 steps on [1, 100]."""
    lam = np.linspace(1.0, 100.0, 4001)
    rates = 1 / _chebyshev_nodes(1.0, 100.0, 40)

    def worst_tail(order: np.ndarray) -> tuple[float, float]:
        factors = np.abs(1 - order[:, None] * lam)
        tails = np.array([np.prod(factors[j:], axis=0) for j in range(order.size)])
        j, i = np.unravel_index(np.argmax(tails), tails.shape)
        return float(tails[j, i]), float(lam[i])

    amplify, where = worst_tail(np.sort(rates))
    assert 5e16 < amplify < 1e17 and where == 100.0
    planned, _ = worst_tail(gd.chebyshev_learning_rates(1.0, 100.0, 40))
    assert 1e7 < planned < 2e7


def test_zero_rates_and_zero_eigenvalues_are_rejected() -> None:
    """eta * lambda = 0 has no floor (the iterate never moves; SGD's variance grows without
    bound) and a zero eigenvalue has no stability limit 2/L (mutation audit)."""
    with pytest.raises(ValueError, match="0 < learning_rate"):
        sgd_noise_floor(0.0, [1.0], 1.0)
    with pytest.raises(ValueError, match="eigenvalues"):
        gd.max_stable_learning_rate([0.0, 1.0])
    assert gd.max_stable_learning_rate([0.5, 1.0]) == 2.0
