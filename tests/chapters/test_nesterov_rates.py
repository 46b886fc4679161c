"""Nesterov momentum, part 2: stability, rates, the convex case, Lessard's function, noise.

Sources and independent routes: the Jury (Schur-Cohn) criterion and companion-matrix
eigenvalues (np.roots) for the closed forms; F21-F24 of research/content.md with their
published values (F22: 0.90000 at kappa = 100; F23: 0.884722 at kappa = 100, Lessard,
Recht & Packard 2016; F24: Beck & Teboulle 2009, Thm. 4.4); Bubeck (2015, Thm. 3.18)
for the strongly convex guarantee; loops written in this file for the runs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from gdbook import nesterov as nag
from gdbook.derivations import beta, eta, kappa, lam
from gdbook.derivations import nesterov as claims
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.measure import loglog_slope, mean_and_standard_error
from gdbook.momentum import heavy_ball_noise_floor, heavy_ball_rate, heavy_ball_rate_on_spectrum
from gdbook.problems import lessard_problem
from gdbook_solutions import nesterov as sol


def _roots_rate(eta_: float, beta_: float, lam_: float) -> float:
    """Spectral radius from np.roots of z^2 - (1+beta)(1-x) z + beta(1-x), x = eta lam."""
    x = eta_ * lam_
    return float(np.max(np.abs(np.roots([1.0, -(1 + beta_) * (1 - x), beta_ * (1 - x)]))))


def _nag_1d(eta_: float, beta_: float, lam_: float, n: int) -> np.ndarray:
    """Sutskever's NAG on f = lam x^2 / 2 from x = 1, theta_k (a loop, not the library)."""
    theta, v, out = 1.0, 0.0, [1.0]
    for _ in range(n):
        v = beta_ * v - eta_ * lam_ * (theta + beta_ * v)
        theta = theta + v
        out.append(theta)
    return np.array(out)


# --------------------------------------------------------------------------------------
# Stability: (2 + 2 beta)/(1 + 2 beta)
# --------------------------------------------------------------------------------------


def test_jury_conditions_give_the_stability_region() -> None:
    """F21, derived with the Jury criterion: p(1) = eta lam, p(-1) = 2 + 2 beta - (1 + 2 beta)
    eta lam, a_0 = beta (1 - eta lam); the region is eta lam < (2 + 2 beta)/(1 + 2 beta)."""
    (p_one, p_minus, a_zero), _ = claims.jury_conditions()
    assert sp.expand(p_one - eta * lam) == 0
    assert sp.expand(p_minus - (2 + 2 * beta - (1 + 2 * beta) * eta * lam)) == 0
    assert sp.expand(a_zero - beta * (1 - eta * lam)) == 0
    derived, claimed = claims.stability_region()
    x = claims.step_x
    assert sp.simplify(derived.rhs - claimed.rhs) == 0 and derived.lhs == x == claimed.lhs
    # strict: on the boundary p(-1) = 0, a root at z = -1 on the unit circle, no convergence
    assert isinstance(derived, sp.StrictLessThan) and isinstance(claimed, sp.StrictLessThan)
    a0_end, a0_claim = claims.third_jury_condition()
    assert sp.simplify(a0_end - a0_claim) == 0
    for b in (0.0, 0.5, 0.99):  # |a_0| < 1 on the whole region: the third condition is implied
        assert abs(float(a0_claim.subs(beta, b))) < 1 and b < 1


def test_stability_limit_values() -> None:
    """F21: 2 at beta = 0, 1.357 at beta = 0.9, -> 4/3 as beta -> 1."""
    derived, claimed = claims.stability_limit_values()
    assert derived == claimed
    np.testing.assert_allclose(
        nag.stability_limit([0.0, 0.9, 0.999999]), [2.0, 19 / 14, 4 / 3], atol=1e-6
    )
    assert round(float(nag.stability_limit(0.9)), 3) == 1.357


@pytest.mark.parametrize("beta_", [0.0, 0.3, 0.9, 0.99])
def test_stability_edge_by_roots_and_by_a_loop(beta_: float) -> None:
    """Just inside the limit the roots are inside the unit circle, just outside one is not;
    a loop of Sutskever's NAG shrinks, respectively grows."""
    limit = (2 + 2 * beta_) / (1 + 2 * beta_)
    assert (
        _roots_rate(limit * (1 - 1e-6), beta_, 1.0)
        < 1
        < _roots_rate(limit * (1 + 1e-6), beta_, 1.0)
    )
    inside, outside = (
        _nag_1d(limit * 0.99, beta_, 1.0, 3000),
        _nag_1d(limit * 1.01, beta_, 1.0, 3000),
    )
    assert abs(inside[-1]) < 1e-3 and abs(outside[-1]) > 1e3
    # the root that crosses sits at -1 on the boundary
    np.testing.assert_allclose(
        np.roots([1, -(1 + beta_) * (1 - limit), beta_ * (1 - limit)]).min(), -1.0, atol=1e-12
    )


def test_stability_runs_in_the_library() -> None:
    inside, outside = nag.stability_runs()
    assert np.all(inside < 1) and np.all(outside > 1)
    expected = [
        _roots_rate(lim * (1 + s), b, 1.0)
        for lim, b, s in zip(
            nag.stability_limit(nag.STABILITY_BETAS),
            nag.STABILITY_BETAS,
            [nag.STABILITY_MARGIN] * 4,
            strict=True,
        )
    ]
    np.testing.assert_allclose(outside, expected, atol=2e-3)


def test_heavy_ball_is_stable_where_nesterov_is_not() -> None:
    """Between (2+2b)/(1+2b) and 2+2b the heavy ball converges and Nesterov's method does not."""
    for b in (0.3, 0.9):
        x = 1.5 * float(nag.stability_limit(b))
        assert x < 2 + 2 * b
        assert heavy_ball_rate(x, b, 1.0) < 1 < nag.nesterov_rate(x, b, 1.0)


# --------------------------------------------------------------------------------------
# Closed-form rates
# --------------------------------------------------------------------------------------


def test_nesterov_rate_equals_the_roots() -> None:
    rng = np.random.default_rng(3)
    for eta_, beta_, lam_ in rng.uniform([0, 0, 0], [2, 1, 2], size=(300, 3)):
        assert (
            abs(float(nag.nesterov_rate(eta_, beta_, lam_)) - _roots_rate(eta_, beta_, lam_)) < 1e-9
        )


def test_nesterov_rate_is_heavy_ball_rate_at_the_effective_momentum() -> None:
    """Where beta (1 - eta lam) >= 0 the heavy ball's closed form gives the same rate."""
    etas, betas = np.meshgrid(np.linspace(0.01, 0.99, 40), np.linspace(0.0, 0.99, 40))
    effective = nag.effective_momentum(etas, betas, 1.0)
    np.testing.assert_allclose(
        nag.nesterov_rate(etas, betas, 1.0), heavy_ball_rate(etas, effective, 1.0), atol=1e-12
    )


def test_worst_rate_over_the_spectrum_is_at_an_end() -> None:
    lams = np.linspace(0.1, 1.0, 2001)
    grid_eta = np.linspace(0.01, 2.5, 50)[:, None]
    grid_beta = np.linspace(0.0, 0.99, 50)[None, :]
    dense = nag.nesterov_rate(grid_eta[..., None], grid_beta[..., None], lams).max(axis=-1)
    ends = nag.nesterov_rate_on_spectrum(grid_eta, grid_beta, 0.1, 1.0)
    assert np.abs(dense - ends).max() < 1e-12


def test_rate_map_closed_form_agrees_with_simulation() -> None:
    """The map the chapter draws, against runs of nesterov() on the valley's spectrum."""
    etas = np.linspace(0.02, 1.9, 40)[None, :]
    betas = np.linspace(0.0, 0.95, 40)[:, None]
    closed = nag.nesterov_rate_on_spectrum(etas, betas, 0.1, 1.0)
    measured = nag.simulated_nesterov_rate(etas, betas, [0.1, 1.0], num_steps=400)
    away = np.abs(closed - 1) > 0.02
    np.testing.assert_array_equal((measured > 1)[away], (closed > 1)[away])
    assert np.median(np.abs(measured - closed)) < 5e-3


def test_rate_map_agreement_the_chapter_states() -> None:
    """The chapter's grid (100 x 100, 300 steps, the valley's spectrum): where the rate is
    below 0.98 closed form and simulation agree to about 0.012, and at more than half of
    the points to within nag.ROUNDING (complex roots: |x_k| falls by exactly the modulus)."""
    etas = np.linspace(0.01, 4.0, 100)[None, :]
    betas = np.linspace(0.0, 0.995, 100)[:, None]
    closed = nag.nesterov_rate_on_spectrum(etas, betas, nag.MU, nag.L)
    measured = nag.simulated_nesterov_rate(etas, betas, [nag.MU, nag.L], num_steps=300)
    gap = np.abs(measured - closed)[closed < 0.98]
    assert round(float(gap.max()), 3) == 0.012
    assert np.mean(gap < nag.ROUNDING) > 0.5


def test_standard_tuning_double_root_and_rate() -> None:
    """F22: eta = 1/L, beta = (sqrt(kappa)-1)/(sqrt(kappa)+1): double root 1 - 1/sqrt(kappa) at
    lambda = mu, every other lambda smaller; 0.90000 at kappa = 100."""
    (disc, root), (disc_claim, root_claim) = claims.standard_tuning_double_root()
    assert sp.simplify(disc - disc_claim) == 0 and sp.simplify(root - root_claim) == 0
    modulus, modulus_claim = claims.standard_tuning_modulus()
    assert sp.simplify(modulus - modulus_claim) == 0
    in_kappa, in_kappa_claim = claims.standard_tuning_in_kappa()
    assert sp.simplify(in_kappa - in_kappa_claim) == 0
    tuned = nag.standard_tuning(1.0, 100.0)
    assert float(tuned.rate) == pytest.approx(0.9, abs=1e-12)
    assert float(tuned.beta) == pytest.approx(float(in_kappa_claim.subs(kappa, 100)))
    lams = np.linspace(1.0, 100.0, 20001)
    rates = [_roots_rate(float(tuned.learning_rate), float(tuned.beta), x) for x in lams[::200]]
    assert max(rates) == pytest.approx(0.9, abs=1e-6) and rates[0] == pytest.approx(0.9, abs=1e-6)
    np.testing.assert_allclose(
        nag.nesterov_rate_on_spectrum(tuned.learning_rate, tuned.beta, 1.0, 100.0), 0.9, atol=1e-7
    )


def test_lessard_tuning_rate() -> None:
    """F23 (Lessard et al. 2016): alpha = 4/(3L + mu), beta = (q - 2)/(q + 2), q = sqrt(3 kappa+1),
    rate 1 - 2/sqrt(3 kappa + 1) = 0.884722 at kappa = 100, attained at both ends."""
    (disc, root), (disc_claim, root_claim) = claims.lessard_double_root()
    assert sp.simplify(disc - disc_claim) == 0 and sp.simplify(root - root_claim) == 0
    steep, steep_claim = claims.lessard_steep_root()
    assert sp.simplify(steep - steep_claim) == 0
    in_kappa, in_kappa_claim = claims.lessard_tuning_in_kappa()
    assert sp.simplify(in_kappa - in_kappa_claim) == 0
    tuned = nag.lessard_tuning(1.0, 100.0)
    assert round(float(tuned.rate), 6) == 0.884722
    for end in (1.0, 100.0):
        assert _roots_rate(float(tuned.learning_rate), float(tuned.beta), end) == pytest.approx(
            float(tuned.rate), abs=1e-6
        )
    inner = [
        _roots_rate(float(tuned.learning_rate), float(tuned.beta), x)
        for x in np.linspace(1.5, 99.5, 300)
    ]
    assert max(inner) < float(tuned.rate)
    # better than the standard pair, worse than the tuned heavy ball (on quadratics)
    assert (math.sqrt(100) - 1) / (math.sqrt(100) + 1) < float(tuned.rate) < 0.9


def test_rate_comparison_measured_against_predicted() -> None:
    """Each run's measured rate is at or a little above its closed form (double roots)."""
    out = nag.rate_comparison()
    assert list(out) == ["gradient descent", "heavy ball", "Nesterov, 1/L", "Nesterov, tuned"]
    for name, (predicted, measured, steps, errors) in out.items():
        assert predicted <= measured + 1e-9 < predicted + 0.01, name
        assert steps > 0 and errors[steps] <= 1e-6 * errors[0] < errors[steps - 1]
    counts = [out[name][2] for name in out]
    assert counts[1] < counts[3] < counts[2] < counts[0]  # heavy ball, tuned NAG, NAG, GD
    # independent loop for Nesterov, 1/L on diag(1, 100) from (1, 1)
    b = (10 - 1) / (10 + 1)
    err = np.hypot(_nag_1d(0.01, b, 1.0, 400), _nag_1d(0.01, b, 100.0, 400))
    lookahead = out["Nesterov, 1/L"][3]
    assert int(np.argmax(err <= 1e-6 * err[0])) == pytest.approx(out["Nesterov, 1/L"][2], abs=2)
    assert lookahead.shape == (nag.RATE_STEPS + 1,)


def test_nesterov_on_the_convex_rosenbrock_respects_the_lower_bound() -> None:
    """Nesterov's iterates stay in the span of the gradients, so the Krylov bound applies;
    tuned for the spectrum it sits far above the bound, the heavy ball on it."""
    out = nag.rosenbrock_comparison()
    assert np.all(out["Nesterov"] >= out["bound"] * (1 - 1e-12))
    # the text: the heavy ball sits on the bound to a relative nag.ROUNDING
    np.testing.assert_allclose(out["heavy ball"][:101], out["bound"][:101], rtol=nag.ROUNDING)
    ratio = out["Nesterov"][100] / out["bound"][100]
    r = (10 - 1) / (10 + 1)
    assert (
        1e3 < ratio and abs(math.log(ratio) / 100 - math.log(0.9 / r)) < 0.01
    )  # rate 1-1/sqrt(kappa)


# --------------------------------------------------------------------------------------
# Convex, not strongly convex: 1/k^2 against 1/k
# --------------------------------------------------------------------------------------


def _convex_losses(beta_t, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Sutskever's NAG (eta = 1) on the diagonal convex problem, written out per coordinate."""
    problem, x0 = nag.convex_problem()
    lam_ = problem.eigenvalues
    theta, v, out = x0.copy(), np.zeros_like(x0), [0.5 * np.sum(lam_ * x0**2)]
    for k in range(1, n + 1):
        b = beta_t(k)
        v = b * v - lam_ * (theta + b * v)
        theta = theta + v
        out.append(0.5 * np.sum(lam_ * theta**2))
    return np.array(out)


def test_convex_problem_is_the_one_described() -> None:
    problem, x0 = nag.convex_problem()
    assert problem.eigenvalues.min() == pytest.approx(nag.CONVEX_LAMBDA_MIN)
    assert problem.eigenvalues.max() == pytest.approx(1.0)
    assert float(problem.value(x0)) == pytest.approx(0.5, abs=1e-6)
    k = np.arange(1, 3001)
    closed = np.array(
        [
            0.5 * np.sum(problem.eigenvalues * (1 - problem.eigenvalues) ** (2 * j) * x0**2)
            for j in k[::300]
        ]
    )
    np.testing.assert_allclose(closed, 1 / (4 * k[::300] + 2), rtol=0.05)


def test_convex_slopes_and_the_bound() -> None:
    """The chapter's claims: slopes about -2 with the increasing schedules, about -1 for GD and
    constant beta; the FISTA bound 2 L ||x0 - x*||^2/(k+1)^2 never crossed by Nesterov's
    method with a schedule, and crossed with a constant beta (no 1/k^2)."""
    slopes = nag.convex_slopes()
    runs = nag.convex_runs()
    assert abs(slopes["gradient descent"] + 1) < 0.05
    assert abs(slopes[f"Nesterov, beta = {nag.CONVEX_CONSTANT_BETA:g}"] + 1) < 0.05
    for name in ("Nesterov, 1 - 3/(t+5)", "Nesterov, FISTA", "heavy ball, 1 - 3/(t+5)"):
        assert abs(slopes[name] + 2) < 0.06, name
    for name in ("Nesterov, 1 - 3/(t+5)", "Nesterov, FISTA"):
        assert np.all(runs[name] <= runs["bound"]), name
    assert np.any(runs[f"Nesterov, beta = {nag.CONVEX_CONSTANT_BETA:g}"] > runs["bound"])
    assert np.any(runs["gradient descent"] > runs["bound"])


def test_convex_runs_by_an_independent_loop() -> None:
    """The library's losses at theta_k (not at the look-ahead points) for both schedules."""
    runs = nag.convex_runs()
    for name, schedule in [
        ("Nesterov, 1 - 3/(t+5)", nag.nesterov_beta),
        ("Nesterov, FISTA", nag.fista_beta),
    ]:
        np.testing.assert_allclose(
            runs[name][:400], _convex_losses(schedule, 399), rtol=1e-9, atol=1e-300
        )
    k = np.arange(nag.CONVEX_FIT[0], 401)
    assert loglog_slope(k, _convex_losses(nag.nesterov_beta, 400)[k]) < -1.8


def test_fista_beta_follows_its_recursion() -> None:
    """Beck & Teboulle (2009): t_1 = 1, t_{k+1} = (1 + sqrt(1 + 4 t_k^2))/2.

    Then beta_{k+1} = (t_k - 1)/t_{k+1} in the book's indexing.
    """
    tau = [1.0]
    for _ in range(60):
        tau.append((1 + math.sqrt(1 + 4 * tau[-1] ** 2)) / 2)
    expected = [0.0] + [(tau[k - 2] - 1) / tau[k - 1] for k in range(2, 60)]
    np.testing.assert_allclose(nag.fista_beta(np.arange(1, 60)), expected, atol=1e-15)
    assert abs(float(nag.fista_beta(10_000)) - (1 - 3 / 10_000)) < 1e-6
    with pytest.raises(ValueError, match="step"):
        nag.fista_beta(0)


def test_convex_bound_formula() -> None:
    np.testing.assert_allclose(nag.convex_bound(2.0, 3.0, 3), [12.0, 3.0, 12 / 9, 0.75])


# --------------------------------------------------------------------------------------
# Lessard's function: no cycle for Nesterov's method
# --------------------------------------------------------------------------------------


def test_lessard_heavy_ball_cycles_and_nesterov_converges() -> None:
    runs = nag.lessard_runs()
    last = runs["heavy ball"][-6:]
    np.testing.assert_allclose(last[:3], last[3:], atol=1e-9)
    assert np.min(np.abs(last)) > 0.5
    assert abs(runs["Nesterov, tuned"][-1]) < 1e-12 and abs(runs["Nesterov, 1/L"][-1]) < 1e-12
    assert np.sum(runs["heavy ball ends"] > 1e-6) > 0
    assert np.sum(runs["Nesterov, tuned ends"] > 1e-6) == 0
    assert np.sum(runs["Nesterov, 1/L ends"] > 1e-6) == 0
    cycling = sol.cycling_starts(nag.LESSARD_STARTS)
    np.testing.assert_array_equal(cycling["heavy ball"], runs["heavy ball ends"] > 1e-6)
    assert not cycling["Nesterov"].any()


def test_lessard_nesterov_converges_at_its_quadratic_rate() -> None:
    """Tuned Nesterov on Lessard's function: rate 1 - 2/sqrt(76), its rate on the quadratics."""
    x = np.abs(nag.lessard_runs()["Nesterov, tuned"])
    rate = (x[100] / x[40]) ** (1 / 60)
    assert abs(rate - (1 - 2 / math.sqrt(76))) < 0.01


def test_lessard_runs_stay_below_the_strongly_convex_guarantee() -> None:
    """Bubeck (2015, Thm. 3.18): f(theta_k) - f* <= (mu + L)/2 ||x0 - x*||^2 exp(-k/sqrt(kappa))
    for Nesterov's method at eta = 1/L, beta = (sqrt(kappa)-1)/(sqrt(kappa)+1)."""
    problem = lessard_problem()
    tuned = nag.standard_tuning(1.0, 25.0)
    for start in np.linspace(-5, 5, 41):
        ref = nag.sutskever_nag(problem.grad, [start], tuned.learning_rate, tuned.beta, 60)
        bound = nag.strongly_convex_bound(1.0, 25.0, start**2, 60)
        assert np.all(problem.value(ref.params) <= bound * (1 + 1e-12) + 1e-300)
    np.testing.assert_allclose(
        nag.strongly_convex_bound(1.0, 25.0, 2.0, 1), [26.0, 26 * math.exp(-0.2)]
    )


# --------------------------------------------------------------------------------------
# Noisy gradients
# --------------------------------------------------------------------------------------


def test_nesterov_noise_floor_by_iterating_the_second_moment() -> None:
    """The 4 x 4 solve against the fixed point of M <- R M R^T + sigma^2 c c^T, iterated."""
    eta_, beta_, sigma = 0.25, 0.75, NOISE_SIGMA
    total = 0.0
    for lam_ in VALLEY.problem().eigenvalues:
        r = np.array([[beta_, lam_], [-eta_ * beta_**2, 1 - eta_ * (1 + beta_) * lam_]])
        c = np.array([1.0, -eta_ * (1 + beta_)])
        m = np.zeros((2, 2))
        for _ in range(5000):
            m = r @ m @ r.T + sigma**2 * np.outer(c, c)
        total += m[1, 1]
    floor = float(nag.nesterov_noise_floor(eta_, beta_, VALLEY.problem().eigenvalues, sigma))
    assert floor == pytest.approx(total, rel=1e-10)
    assert float(nag.nesterov_noise_floor(eta_, 0.0, [1.0], sigma)) == pytest.approx(
        eta_ * sigma**2 / (2 - eta_)
    )
    with pytest.raises(ValueError, match="below"):
        nag.nesterov_noise_floor(1.5, 0.9, [1.0], sigma)


def test_noise_constant_rate_floors() -> None:
    """Monte Carlo floors within 4 standard errors of the exact ones; Nesterov's floor a bit
    below the heavy ball's, both below GD's at the effective rate (first order: equal)."""
    runs = nag.noise_runs()["constant"]
    lam_ = VALLEY.problem().eigenvalues
    exact = {
        "gradient descent": float(heavy_ball_noise_floor(1.0, 0.0, lam_, NOISE_SIGMA)),
        "heavy ball": float(heavy_ball_noise_floor(0.25, 0.75, lam_, NOISE_SIGMA)),
        "Nesterov": float(nag.nesterov_noise_floor(0.25, 0.75, lam_, NOISE_SIGMA)),
    }
    for name, floor in exact.items():
        mean, se = mean_and_standard_error(runs[name][250:])
        assert abs(mean - floor) < 4 * se, name
    assert (
        exact["Nesterov"]
        < exact["heavy ball"]
        < exact["gradient descent"]
        < 1.2 * exact["Nesterov"]
    )


def test_noise_decay_rate_is_the_same_for_all_three() -> None:
    """With a decaying effective rate c/(t + t0) the mean squared error falls like 1/t for GD,
    the heavy ball and Nesterov alike (slopes against t + t0), and the three end within a few
    percent of each other; without noise all three fall much faster."""
    runs = nag.noise_runs()
    slopes = nag.noise_decay_slopes()
    for name in ("gradient descent", "heavy ball", "Nesterov"):
        assert abs(slopes[name] + 1) < 0.05, name
    ends = {name: mean_and_standard_error(sq[-100:]) for name, sq in runs["decay"].items()}
    gd_mean, gd_se = ends["gradient descent"]
    for name in ("heavy ball", "Nesterov"):
        mean, se = ends[name]
        assert abs(mean / gd_mean - 1) < 0.1 and abs(mean - gd_mean) < 4 * math.hypot(se, gd_se)
    for name, clean in runs["decay, no noise"].items():
        assert clean[-1] < 1e-3 * ends[name][0]


def test_noise_runs_share_the_momentum_chapters_runs() -> None:
    from gdbook import momentum

    shared = momentum.noise_runs(seed=0)
    names = list(momentum.noise_methods())
    runs = nag.noise_runs()["constant"]
    assert runs["heavy ball"] is shared[names[1]] and runs["gradient descent"] is shared[names[2]]
    assert momentum.noise_methods()[names[2]] == (nag.noise_methods()["gradient descent"][0], 0.0)


# --------------------------------------------------------------------------------------
# Schedules
# --------------------------------------------------------------------------------------


def test_schedule_curves() -> None:
    """F28: Sutskever's schedule; Nesterov's 1 - 3/(t+5); NAdam's 0.9 (1 - 0.96^(t/250)/2)."""
    curves = nag.schedule_curves(20_000)
    sutskever = curves["Sutskever et al."]
    assert sutskever[0] == 0.5 and sutskever[249] == 0.75 and sutskever[999] == pytest.approx(0.9)
    np.testing.assert_allclose(curves["Nesterov, 1 - 3/(t+5)"][:3], [0.5, 1 - 3 / 7, 1 - 3 / 8])
    t = np.array([1.0, 250.0, 20_001.0])
    np.testing.assert_allclose(
        curves["NAdam"][t.astype(int) - 1], 0.9 * (1 - 0.5 * 0.96 ** (t / 250)), rtol=1e-12
    )
    jumps = np.flatnonzero(np.diff(sutskever) > 0) + 1  # t with beta_{t+1} != beta_t
    assert np.all((jumps + 1) % 250 == 0)  # only at the block edges: 1 update in 250


# --------------------------------------------------------------------------------------
# The explorer and the solutions
# --------------------------------------------------------------------------------------


def test_explorer_defaults_and_runs() -> None:
    from gdbook.viz import nesterov as viz

    explorer = viz.nesterov_explorer()
    try:
        state = explorer.update()
        eta_, beta_ = nag.EXPLORER_DEFAULTS["learning_rate"], nag.EXPLORER_DEFAULTS["beta"]
        assert state["rates"]["heavy ball"] == pytest.approx(
            float(heavy_ball_rate_on_spectrum(eta_, beta_, 0.1, 1.0))
        )
        assert state["rates"]["Nesterov"] < state["rates"]["heavy ball"]
        ref = nag.sutskever_nag(
            VALLEY.problem().grad, VALLEY.start, eta_, beta_, nag.EXPLORER_STEPS
        )
        np.testing.assert_allclose(state["points"]["Nesterov"], ref.params, atol=1e-12)
        np.testing.assert_allclose(state["points"]["lookahead"], ref.lookahead, atol=1e-12)
        wild = explorer.update(learning_rate=2.0)  # past Nesterov's limit, inside the heavy ball's
        assert np.isnan(wild["points"]["Nesterov"][-1]).all()
        assert np.isfinite(wild["points"]["heavy ball"][-1]).all()
    finally:
        import matplotlib.pyplot as plt

        plt.close(explorer.figure)


def test_solution_stability_boundary() -> None:
    for b in (0.0, 0.5, 0.9):
        assert sol.stability_boundary(b) == pytest.approx(float(nag.stability_limit(b)), abs=2e-3)


def test_solution_effective_momentum_from_run() -> None:
    for eta_, b, lam_ in [(0.3, 0.9, 1.0), (1.5, 0.9, 1.0), (0.5, 0.6, 3.0)]:
        assert sol.effective_momentum_from_run(eta_, b, lam_) == pytest.approx(
            b * (1 - eta_ * lam_), abs=1e-8
        )


def test_solution_convergence_slope() -> None:
    assert abs(sol.convergence_slope(nag.nesterov_beta) + 2) < 0.1
    assert abs(sol.convergence_slope(0.9) + 1) < 0.1


def test_solution_corrected_torch_loop() -> None:
    from gdbook.problems import quadratic

    problem = quadratic([0.3, 2.0, 9.0])
    ours = sol.corrected_torch_loop(problem.grad, np.ones(3), 0.05, nag.nesterov_beta, 30)
    ref = nag.sutskever_nag(problem.grad, np.ones(3), 0.05, nag.nesterov_beta, 30)
    np.testing.assert_allclose(ours, ref.lookahead, atol=1e-13)


# --------------------------------------------------------------------------------------
# The settings the chapter describes, and the validation of every closed form
# --------------------------------------------------------------------------------------


def test_experiment_settings_are_the_ones_the_chapter_describes() -> None:
    """The page states these settings in words (and glues them); the docstrings too."""
    assert (nag.MU, nag.L) == (0.1, 1.0) == (VALLEY.problem().eigenvalues.min(), 1.0)
    assert nag.STEP_PICTURE == {"learning_rate": 0.7, "beta": 0.8, "step": 1}
    assert nag.SCHEDULE_EIGENVALUES == (0.3, 2.0, 9.0) and nag.SCHEDULE_START == (1.0, 1.0, 1.0)
    assert nag.STABILITY_BETAS == (0.0, 0.5, 0.9, 0.99) and nag.STABILITY_MARGIN == 0.01
    assert (nag.RATE_KAPPA, nag.RATE_STEPS) == (100.0, 800)
    assert (nag.ROSENBROCK_N, nag.ROSENBROCK_KAPPA, nag.ROSENBROCK_STEPS) == (400, 100.0, 150)
    assert (nag.CONVEX_DIM, nag.CONVEX_LAMBDA_MIN, nag.CONVEX_STEPS) == (200, 1e-8, 3000)
    assert nag.CONVEX_FIT == (30, 3000) and nag.CONVEX_CONSTANT_BETA == 0.9
    np.testing.assert_array_equal(nag.LESSARD_STARTS, np.linspace(-5, 5, 201))
    assert nag.LESSARD_STEPS == 500
    assert (nag.NOISE_DECAY_STEPS, nag.NOISE_DECAY_C, nag.NOISE_DECAY_T0) == (1500, 20.0, 20.0)
    assert nag.NOISE_DECAY_BETA == 0.75 and nag.NOISE_FIT == (300, 1500)
    assert nag.SCHEDULE_HORIZON == 20_000 and nag.EXPLORER_STEPS == 60
    assert nag.EXPLORER_DEFAULTS == {"learning_rate": 1.0, "beta": 0.8}
    assert nag.noise_methods() == {
        "gradient descent": (1.0, 0.0), "heavy ball": (0.25, 0.75), "Nesterov": (0.25, 0.75),
    }  # fmt: skip
    for key, (steps, runs) in {"constant": (400, 2000), "decay": (1500, 1000)}.items():
        for sq in nag.noise_runs()[key].values():
            assert sq.shape == (steps + 1, runs)


def test_slopes_are_fitted_over_the_stated_steps() -> None:
    """Recomputed here over k = 30..3000 (convex) and t + t0 for k = 300..1500 (noise)."""
    k = np.arange(30, 3001)
    runs = nag.convex_runs()
    for name, slope in nag.convex_slopes().items():
        assert slope == pytest.approx(np.polyfit(np.log(k), np.log(runs[name][k]), 1)[0], abs=1e-12)
    k = np.arange(300, 1501)
    for name, sq in nag.noise_runs()["decay"].items():
        fit = np.polyfit(np.log(k + 20.0), np.log(sq[k].mean(axis=1)), 1)[0]
        assert nag.noise_decay_slopes()[name] == pytest.approx(fit, abs=1e-12)


def test_convex_bound_uses_L_one_and_the_start_distance() -> None:
    problem, x0 = nag.convex_problem()
    k = np.arange(nag.CONVEX_STEPS + 1)
    np.testing.assert_allclose(nag.convex_runs()["bound"], 2 * np.sum(x0**2) / (k + 1) ** 2)
    losses = nag.convex_loss(problem, np.stack([x0, 0.5 * x0]))
    np.testing.assert_allclose(losses, [problem.value(x0), problem.value(0.5 * x0)])


def test_noiseless_constant_runs_are_the_closed_forms() -> None:
    """GD at eta = 1 on the valley: the error along lambda is (1 - lambda)^k y0."""
    clean = nag.noise_runs()["constant, no noise"]
    problem = VALLEY.problem()
    y0 = problem.to_eigenbasis(VALLEY.start)
    k = np.arange(401)[:, None]
    expected = np.sum(((1 - problem.eigenvalues) ** k * y0) ** 2, axis=1)
    np.testing.assert_allclose(clean["gradient descent"], expected, atol=1e-14)
    first = {name: int(np.argmax(sq <= 1e-6)) for name, sq in clean.items()}
    assert first["Nesterov"] < first["heavy ball"] < first["gradient descent"]


def test_lessard_tuning_away_from_mu_one() -> None:
    """mu = 0.1, L = 1 (kappa = 10): eta = 4/3.1, q = sqrt(31), both ends at the rate."""
    tuned = nag.lessard_tuning(0.1, 1.0)
    q = math.sqrt(31.0)
    assert float(tuned.learning_rate) == pytest.approx(4 / 3.1)
    assert float(tuned.beta) == pytest.approx((q - 2) / (q + 2))
    assert float(tuned.rate) == pytest.approx(1 - 2 / q)
    standard = nag.standard_tuning(0.1, 1.0)
    assert float(standard.learning_rate) == 1.0 and float(standard.rate) == pytest.approx(
        1 - 1 / math.sqrt(10)
    )
    for end in (0.1, 1.0):
        assert _roots_rate(float(tuned.learning_rate), float(tuned.beta), end) == pytest.approx(
            1 - 2 / q, abs=1e-6
        )
    for tuning in (nag.standard_tuning, nag.lessard_tuning):
        equal = tuning(2.0, 2.0)  # kappa = 1 is allowed
        assert float(equal.beta) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: nag.nesterov(0.1, 1.0), "beta"),
        (lambda: nag.bengio_nesterov(-0.1, 0.5), "learning_rate"),
        (
            lambda: nag.look_ahead_split(
                nag.run(nag.nesterov(0.1, 0.5), lambda x: x, [1.0], 2), 0.1, 1.0
            ),
            "beta",
        ),
        (lambda: nag.effective_momentum(0.1, 1.5, 1.0), "beta"),
        (lambda: nag.nesterov_rate(-0.1, 0.5, 1.0), "learning_rate"),
        (lambda: nag.nesterov_rate(0.1, 0.5, -1.0), "lam"),
        (lambda: nag.nesterov_rate_on_spectrum(0.1, 0.5, 2.0, 1.0), "mu"),
        (lambda: nag.nesterov_rate_on_spectrum(0.1, 0.5, 1.0, -1.0), "L"),
        (lambda: nag.stability_limit(1.0), "beta"),
        (lambda: nag.stability_limit(-0.1), "beta"),
        (lambda: nag.standard_tuning(0.0, 1.0), "mu"),
        (lambda: nag.standard_tuning(1.0, 0.0), "L"),
        (lambda: nag.lessard_tuning(2.0, 1.0), "mu"),
        (lambda: nag.convex_bound(1.0, 1.0, -1), "num_steps"),
        (lambda: nag.strongly_convex_bound(1.0, 2.0, 1.0, -1), "num_steps"),
        (lambda: nag.nesterov_noise_floor(0.0, 0.5, [1.0], 1.0), "learning_rate"),
        (lambda: nag.nesterov_noise_floor(0.1, 1.0, [1.0], 1.0), "beta"),
        (lambda: nag.nesterov_noise_floor(0.1, 0.5, [0.0], 1.0), "eigenvalues"),
        (lambda: nag.nesterov_noise_floor(0.1, 0.5, [1.0], -1.0), "sigma"),
        (lambda: nag.nesterov_noise_floor(1.5, 0.5, [1.0], 1.0), "below"),  # exactly the limit
        (lambda: nag.simulated_nesterov_rate(0.1, 1.0, [1.0]), "beta"),
        (lambda: nag.simulated_nesterov_rate(0.1, 0.5, [-1.0]), "eigenvalues"),
    ],
)
def test_closed_forms_validate_their_arguments(call, named: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=named):
        call()


def test_closed_forms_accept_the_edges_of_their_ranges() -> None:
    """beta = 0 and an eigenvalue 0 are allowed; num_steps = 0 gives the start alone."""
    assert float(nag.nesterov_rate(0.5, 0.0, 0.0)) == 1.0  # a flat direction never moves
    assert float(nag.nesterov_rate(0.5, 1.0, 1.0)) == pytest.approx(math.sqrt(0.5))
    assert float(nag.nesterov_rate_on_spectrum(0.5, 0.5, 1.0, 1.0)) == float(
        nag.nesterov_rate(0.5, 0.5, 1.0)
    )
    assert nag.convex_bound(1.0, 1.0, 0).shape == (1,)
    assert nag.strongly_convex_bound(1.0, 4.0, 2.0, 0).tolist() == [5.0]
    path = nag.sutskever_nag(lambda x: x, [2.0], 0.1, 0.5, 0)
    assert path.params.shape == (1, 1) and path.lookahead.shape == (1, 1)
    x = nag.stability_limit(0.5)
    assert float(nag.nesterov_noise_floor(0.999 * float(x), 0.5, [1.0], 1.0)) > 0
    assert nag._fista_table(8).flags.writeable is False
    for beta_ in (0.0, 0.5):  # the next-beta flag only matters for a schedule
        a = nag.run(nag.nesterov_trace(beta_), lambda x: x, [1.0], 5).params
        b = nag.run(nag.nesterov_trace(beta_, next_beta=True), lambda x: x, [1.0], 5).params
        np.testing.assert_array_equal(a, b)
