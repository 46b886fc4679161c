"""Tests for the chapter *The limits of the heavy ball*: lower bound, beyond quadratics, saddle,
noisy gradients.

Oracles, in order of independence from the code under test:

* SymPy: the claims of ``gdbook.derivations.momentum_limits`` (the Lyapunov solution and its
  hand derivation, the floors to first order in the effective step, the best rate at a fixed
  effective step, the convex Rosenbrock's minimiser, condition number and the
  coordinate-filling of the tuned heavy ball, the saddle's polynomial) are identities;
* closed forms and independent computations written out here: the Lyapunov equation
  solved with a Kronecker product, the gradient-descent second moment of the
  gradient-descent chapter, the eigenvalues :math:`2 - 2\\cos\\frac{(2j-1)\\pi}{2n+1}` of the
  tridiagonal matrix, ``sympy.diff`` of the convex Rosenbrock, plain loops on the saddle and
  on Lessard et al.'s function, ``numpy.roots``;
* Monte Carlo runs with explicit seeds, compared with a tolerance of a few standard
  errors estimated from the runs themselves (chain means), and shown to reject the
  nearby wrong formulas.

Sources: Goodfellow et al. (2016, fig. 8.5 caption: momentum "aims primarily to solve
two problems: poor conditioning of the Hessian matrix and variance in the stochastic
gradient"); Nesterov (2004, sec. 2.1.4, Thm. 2.1.13); Goh (2017, "The Limits of
Descent"); Lessard, Recht & Packard (2016, sec. 4.6: the cycle from 3.3 and the basin
[3.07, 3.46]); Polyak (1964, local theorem); Goujaud, Taylor & Dieuleveut (2025).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from gdbook import momentum_limits as lim
from gdbook.base import run
from gdbook.derivations import L, beta, eta, k, kappa, lam, mu, sigma
from gdbook.derivations import momentum_limits as claims
from gdbook.examples import VALLEY
from gdbook.gradient_descent import (
    eigen_errors,
    gradient_descent,
    optimal_rate,
    sgd_expected_sq_error,
    sgd_noise_floor,
)
from gdbook.measure import mean_and_standard_error, settling_steps
from gdbook.momentum import heavy_ball_rate, momentum, optimal_heavy_ball
from gdbook.momentum_limits import (
    convex_rosenbrock_ratio,
    equal_floor_steps,
    heavy_ball_mean_square,
    heavy_ball_noise_floor,
    krylov_lower_bound,
    learning_rate_for_floor,
)
from gdbook.problems import convex_rosenbrock, lessard_problem, noisy, quadratic
from gdbook_solutions import momentum_limits as solutions

R_SYMBOL = claims._rho  # the ratio w*_{i+1}/w*_i of the claims

# --------------------------------------------------------------------------------------
# Helpers written independently of gdbook.momentum
# --------------------------------------------------------------------------------------


def _polyak_loop(grad, x0, eta_, beta_, num_steps):  # type: ignore[no-untyped-def]
    """Polyak (1964): x_k = x_{k-1} - eta grad f(x_{k-1}) + beta (x_{k-1} - x_{k-2})."""
    prev, x = np.array(x0, float), np.array(x0, float)
    path = [x]
    for _ in range(num_steps):
        prev, x = x, x - eta_ * grad(x) + beta_ * (x - prev)
        path.append(x)
    return np.stack(path)


def lyapunov_by_kronecker(eta_: float, beta_: float, lam_: float, sigma_: float) -> np.ndarray:
    """Stationary covariance of (b, x): vec(P) = (I - R kron R)^-1 vec(sigma^2 c c^T)."""
    R = np.array([[beta_, lam_], [-eta_ * beta_, 1.0 - eta_ * lam_]])
    c = np.array([1.0, -eta_])
    rhs = sigma_**2 * np.outer(c, c)
    vec = np.linalg.solve(np.eye(4) - np.kron(R, R), rhs.reshape(-1))
    return vec.reshape(2, 2)


def mean_square_by_matrices(
    eta_: float, beta_: float, lams: np.ndarray, sigma_: float, y0: np.ndarray, num_steps: int
) -> np.ndarray:
    """E||x_k||^2 by iterating M <- R M R^T + sigma^2 c c^T with 2 x 2 matrices.

    One direction at a time.
    """
    total = np.zeros(num_steps + 1)
    for lam_, y in zip(lams, y0, strict=True):
        R = np.array([[beta_, lam_], [-eta_ * beta_, 1.0 - eta_ * lam_]])
        c = np.array([1.0, -eta_])
        M = np.array([[0.0, 0.0], [0.0, y * y]])
        total[0] += M[1, 1]
        for step in range(1, num_steps + 1):
            M = R @ M @ R.T + sigma_**2 * np.outer(c, c)
            total[step] += M[1, 1]
    return total


def noisy_chains_1d(
    eta_: float, beta_: float, lam_: float, sigma_: float, *, chains: int, steps: int, seed: int
) -> np.ndarray:
    """Squared iterates x_k^2 of independent heavy-ball chains on lam x^2 / 2 from x_0 = 0."""
    problem = noisy(quadratic([lam_]), sigma_, np.random.default_rng(seed))
    traj = run(
        momentum(eta_, beta_), problem.grad, np.zeros((chains, 1)), steps, record_states=False
    )
    return traj.params[:, :, 0] ** 2


def floor_formula(eta_: float, beta_: float, lam_: float, sigma_: float) -> float:
    """The claimed floor, typed from the chapter's text."""
    return eta_ * sigma_**2 * (1 + beta_) / (lam_ * (1 - beta_) * (2 * (1 + beta_) - eta_ * lam_))


# --------------------------------------------------------------------------------------
# Section "Momentum and noisy gradients": SymPy claims
# --------------------------------------------------------------------------------------


def test_stationary_covariance_solves_the_lyapunov_equation() -> None:
    derived, claimed = claims.heavy_ball_stationary_covariance()
    assert sp.simplify(derived - claimed) == sp.zeros(2, 2)
    R, _ = claims.heavy_ball_iteration_matrix()
    c = sp.Matrix([1, -eta])
    residual = sp.simplify(R * claimed * R.T + sigma**2 * c * c.T - claimed)
    assert residual == sp.zeros(2, 2)


@pytest.mark.parametrize(
    ("eta_", "beta_", "lam_"),
    [(0.25, 0.75, 0.1), (1.0, 0.5, 1.0), (2.5, 0.4, 1.0), (0.01, 0.99, 3.0)],
)
def test_stationary_covariance_against_kronecker_solve(
    eta_: float, beta_: float, lam_: float
) -> None:
    _, claimed = claims.heavy_ball_stationary_covariance()
    values = {eta: eta_, beta: beta_, lam: lam_, sigma: 0.7}
    printed = np.array(claimed.subs(values).evalf(), dtype=float)
    np.testing.assert_allclose(printed, lyapunov_by_kronecker(eta_, beta_, lam_, 0.7), rtol=1e-10)


def test_noise_floor_formula() -> None:
    derived, claimed = claims.heavy_ball_noise_floor()
    assert sp.simplify(derived - claimed) == 0
    typed = eta * sigma**2 * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - eta * lam))
    assert sp.simplify(claimed - typed) == 0


def test_floor_at_beta_zero_is_the_gradient_descent_floor() -> None:
    derived, gd_floor = claims.noise_floor_at_beta_zero()
    assert sp.simplify(derived - gd_floor) == 0
    assert sp.simplify(gd_floor - eta * sigma**2 / (lam * (2 - eta * lam))) == 0


def test_leading_order_floor_equals_gd_at_the_effective_rate() -> None:
    hb, gd_effective = claims.noise_floor_leading_order()
    expected = eta * sigma**2 / (2 * lam * (1 - beta))
    assert sp.simplify(hb - expected) == 0
    assert sp.simplify(gd_effective - expected) == 0


def test_exact_floor_ratio_is_at_most_one() -> None:
    ratio, claimed = claims.noise_floor_ratio_to_effective_gd()
    assert sp.simplify(ratio - claimed) == 0
    num, den = sp.fraction(sp.together(claimed))
    # numerator = denominator - 2 beta eta lam
    assert sp.expand(num - den + 2 * beta * eta * lam) == 0
    rng = np.random.default_rng(3)
    for _ in range(50):  # wherever GD at eta/(1-beta) is stable, the ratio lies in (0, 1]
        b = rng.uniform(0, 0.99)
        x = rng.uniform(0, 2 * (1 - b))  # eta * lambda with eta lambda / (1 - b) < 2
        value = float(claimed.subs({beta: b, eta: x, lam: 1}))
        assert 0 < value <= 1 + 1e-15


def test_exact_floor_ratio_in_the_effective_step() -> None:
    """The printed a-form: 1 at a = 0, falling monotonically to 0 at GD's limit a = 2."""
    derived, claimed = claims.noise_floor_ratio_in_effective_step()
    assert sp.simplify(derived - claimed) == 0
    a = sp.Symbol("a", positive=True)
    typed = (1 + beta) * (2 - a) / (2 * (1 + beta) - (1 - beta) * a)
    assert sp.simplify(claimed - typed) == 0
    _, ratio = claims.noise_floor_ratio_to_effective_gd()  # the same ratio in eta * lambda
    assert sp.simplify(ratio.subs(eta, a * (1 - beta) / lam) - typed) == 0
    assert sp.simplify(typed.subs(a, 0)) == 1 and typed.subs(a, 2) == 0
    slope, slope_claim = claims.noise_floor_ratio_slope()
    assert sp.simplify(slope - slope_claim) == 0
    assert sp.simplify(slope_claim + 4 * beta * (1 + beta)) == 0
    # The valley run of the chapter: eta = 0.25, beta = 0.75; a = 0.1 (flat) and 1 (steep).
    for lam_, expected in [(0.1, 1.75 * 1.9 / (3.5 - 0.025)), (1.0, 1.75 / 3.25)]:
        exact = float(heavy_ball_noise_floor(0.25, 0.75, [lam_], 0.5)) / float(
            sgd_noise_floor(1.0, [lam_], 0.5)
        )
        assert math.isclose(exact, expected, rel_tol=1e-12)
    assert round(1.75 / 3.25, 2) == 0.54  # "much lower" near GD's stability limit


def test_critical_damping_is_the_best_beta_at_a_fixed_effective_step() -> None:
    """SymPy: below critical damping the larger root falls with beta; above, sqrt(beta) rises."""
    derived, claimed = claims.critical_damping_is_best_at_effective_step()
    assert len(derived) == len(claimed) == 4
    for d, c in zip(derived, claimed, strict=True):
        assert sp.simplify(d - c) == 0
    # Numerically: the rate over beta at fixed a falls until critical damping, then rises.
    betas = np.linspace(0.0, 1.0, 400_001, endpoint=False)
    for a in [0.01, 0.2, 0.5, 0.9]:
        rates = heavy_ball_rate(a * (1.0 - betas), betas, 1.0)
        beta_c = ((1 - a) / (1 + a)) ** 2
        below, above = rates[betas <= beta_c], rates[betas >= beta_c]
        assert np.all(np.diff(below) <= 1e-15) and np.all(np.diff(above) >= -1e-15)
        assert abs(betas[np.argmin(rates)] - beta_c) < 5e-6


def test_at_equal_rate_momentum_needs_a_smaller_effective_step() -> None:
    """To decay at rate rho: GD needs a = 1 - rho, momentum (1 - rho)/(1 + rho); ratio 1 + rho."""
    derived, claimed = claims.effective_step_at_equal_rate()
    rho = sp.Symbol("rho", positive=True)
    assert sp.simplify(derived - claimed) == 0 and sp.simplify(claimed - (1 + rho)) == 0
    for rate in [0.1, 0.5, 0.9, 0.999]:  # the critically damped momentum reaches exactly rate
        a = (1 - rate) / (1 + rate)
        beta_c = rate**2
        # at a double root the discriminant is zero up to rounding, whose square root is ~1e-8
        assert math.isclose(
            float(heavy_ball_rate(a * (1 - beta_c), beta_c, 1.0)), rate, rel_tol=1e-6
        )


def _equal_floor_gain(v: float) -> tuple[float, float]:
    """One coordinate, lambda = sigma = 1, exact floor v: (GD's a, GD's steps / best momentum's).

    The learning rate for the floor is solved by hand from the typed floor formula:
    eta (1 + beta) = v (1 - beta) (2 (1 + beta) - eta).
    """
    betas = np.linspace(0.0, 0.999, 999_001)
    etas = 2 * v * (1 - betas**2) / ((1 + betas) + v * (1 - betas))
    sample = zip(etas[::997], betas[::997], strict=True)
    floors = [floor_formula(float(e), float(b), 1.0, 1.0) for e, b in sample]
    np.testing.assert_allclose(floors, v, rtol=1e-12)
    best = float(heavy_ball_rate(etas, betas, 1.0).min())
    gd_a = float(etas[0])
    return gd_a, math.log(best) / math.log(abs(1 - gd_a))


def test_equal_floor_gain_can_exceed_two_once_gd_overshoots() -> None:
    """v = 3 gives 2.054 and v = 10 gives 4.056 (GD's a > 1 there; the review had 4.05)."""
    for v, expected in [(3.0, 2.054), (10.0, 4.056)]:
        gd_a, gain = _equal_floor_gain(v)
        assert gd_a > 1
        assert abs(gain - expected) < 1e-3
    for v in [0.001, 0.01, 0.1, 0.5, 0.9]:  # with a < 1 the gain stays below 2
        gd_a, gain = _equal_floor_gain(v)
        assert gd_a < 1 and 1 < gain < 2
    # The chapter's computation (bisection in learning_rate_for_floor) agrees.
    betas = np.linspace(0.0, 0.6, 60_001)
    for v in [3.0, 10.0]:
        etas = learning_rate_for_floor(betas, [1.0], 1.0, v)
        gd_a = float(learning_rate_for_floor(0.0, [1.0], 1.0, v))
        gain = math.log(float(heavy_ball_rate(etas, betas, 1.0).min())) / math.log(gd_a - 1)
        assert abs(gain - _equal_floor_gain(v)[1]) < 1e-3


def test_best_rate_at_a_fixed_effective_step() -> None:
    derived, claimed = claims.best_rate_at_effective_step()
    assert sp.simplify(derived - claimed) == 0
    # Numerically: minimise the rate over beta with eta * lambda = a (1 - beta).
    betas = np.linspace(0.0, 1.0, 1_000_000, endpoint=False)  # spacing 1e-6
    for a in [0.001, 0.01, 0.1, 0.5, 0.9]:
        rates = heavy_ball_rate(a * (1.0 - betas), betas, 1.0)
        # sqrt(beta) moves by at most 1e-5 per grid step here
        assert abs(rates.min() - (1 - a) / (1 + a)) < 2e-5
        assert rates.min() < 1 - a  # better than gradient descent at the same effective step


def test_speedup_at_equal_effective_step_tends_to_two_and_never_exceeds_it() -> None:
    limit, claimed = claims.effective_step_speedup()
    assert limit == claimed == 2
    a = np.linspace(1e-6, 0.999, 10_001)
    ratio = np.log((1 - a) / (1 + a)) / np.log(1 - a)
    assert np.all((ratio > 1) & (ratio < 2))


def test_tuned_effective_step() -> None:
    derived, claimed = claims.tuned_effective_step()
    assert sp.simplify(derived - claimed) == 0
    for m, big in [(0.1, 1.0), (1.0, 100.0), (2.0, 5e4)]:
        tuned = optimal_heavy_ball(m, big)
        effective = float(tuned.learning_rate / (1 - tuned.beta))
        assert math.isclose(effective, 1 / math.sqrt(m * big), rel_tol=1e-12)
        kk = big / m  # its ratio to GD's best step 2/(mu + L) is (kappa + 1)/(2 sqrt(kappa))
        assert math.isclose(
            effective / (2 / (m + big)), (kk + 1) / (2 * math.sqrt(kk)), rel_tol=1e-12
        )


def test_tuned_momentum_pays_for_its_speed_with_a_higher_floor() -> None:
    """Tuned momentum's floor / tuned GD's floor = (kappa + 1) / (2 sqrt(kappa)) at both ends."""
    (at_mu, at_big_l), claimed = claims.tuned_noise_floor_ratio()
    assert sp.simplify(at_mu - claimed) == 0 and sp.simplify(at_big_l - claimed) == 0
    assert sp.simplify(claimed - (kappa + 1) / (2 * sp.sqrt(kappa))) == 0
    for m, big in [(0.1, 1.0), (1.0, 100.0), (3.0, 3e4)]:
        tuned = optimal_heavy_ball(m, big)
        for eig in (m, big):
            hb = float(heavy_ball_noise_floor(tuned.learning_rate, tuned.beta, [eig], 1.0))
            gd = float(sgd_noise_floor(2 / (m + big), [eig], 1.0))
            kk = big / m
            assert math.isclose(hb / gd, (kk + 1) / (2 * math.sqrt(kk)), rel_tol=1e-9)


# --------------------------------------------------------------------------------------
# Section "Momentum and noisy gradients": the NumPy code
# --------------------------------------------------------------------------------------


def test_noise_floor_matches_the_formula_and_gd_at_beta_zero() -> None:
    lams = np.array([0.1, 1.0])
    expected = sum(floor_formula(0.25, 0.75, x, 0.5) for x in lams)
    assert math.isclose(
        float(heavy_ball_noise_floor(0.25, 0.75, lams, 0.5)), expected, rel_tol=1e-14
    )
    etas = np.array([0.1, 0.5, 1.5])
    np.testing.assert_allclose(
        heavy_ball_noise_floor(etas, 0.0, lams, 0.5), sgd_noise_floor(etas, lams, 0.5), rtol=1e-14
    )
    grid = heavy_ball_noise_floor(np.array([[0.1], [0.2]]), np.array([0.0, 0.5, 0.9]), lams, 0.5)
    assert grid.shape == (2, 3)


def test_noise_floor_validation() -> None:
    with pytest.raises(ValueError, match="learning_rate"):
        heavy_ball_noise_floor(3.0, 0.4, [1.0], 1.0)  # 3 > 2 + 2 * 0.4
    with pytest.raises(ValueError, match="beta"):
        heavy_ball_noise_floor(0.1, 1.0, [1.0], 1.0)
    with pytest.raises(ValueError, match="sigma"):
        heavy_ball_noise_floor(0.1, 0.5, [1.0], -1.0)
    with pytest.raises(ValueError, match="eigenvalues"):
        heavy_ball_noise_floor(0.1, 0.5, [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match="y0"):
        heavy_ball_mean_square(0.1, 0.5, [1.0, 2.0], 1.0, [1.0], 5)
    with pytest.raises(ValueError, match="num_steps"):
        heavy_ball_mean_square(0.1, 0.5, [1.0], 1.0, [1.0], -1)
    with pytest.raises(ValueError, match="floor"):
        learning_rate_for_floor(0.5, [1.0], 1.0, 0.0)
    with pytest.raises(ValueError, match="factor"):
        settling_steps(np.ones(4), 1.0, factor=1.0)
    with pytest.raises(ValueError, match="values"):
        mean_and_standard_error(np.ones((5, 1)))


@pytest.mark.parametrize(("eta_", "beta_"), [(0.25, 0.0), (0.25, 0.75), (1.0, 0.3), (2.0, 0.6)])
def test_mean_square_against_a_matrix_loop(eta_: float, beta_: float) -> None:
    lams, y0 = np.array([0.1, 1.0]), np.array([-3.0, 1.5])
    fast = heavy_ball_mean_square(eta_, beta_, lams, 0.5, y0, 60)
    np.testing.assert_allclose(
        fast, mean_square_by_matrices(eta_, beta_, lams, 0.5, y0, 60), rtol=1e-12
    )


def test_mean_square_at_beta_zero_is_the_gd_closed_form_and_tends_to_the_floor() -> None:
    valley = VALLEY.problem()
    y0 = valley.to_eigenbasis(VALLEY.start)
    gd = heavy_ball_mean_square(0.5, 0.0, valley.eigenvalues, 0.5, y0, 80)
    np.testing.assert_allclose(
        gd, sgd_expected_sq_error(0.5, valley.eigenvalues, 0.5, y0, 80), rtol=1e-12
    )
    hb = heavy_ball_mean_square(0.25, 0.75, valley.eigenvalues, 0.5, y0, 2000)
    floor = float(heavy_ball_noise_floor(0.25, 0.75, valley.eigenvalues, 0.5))
    assert abs(hb[-1] / floor - 1) < 1e-12
    batch = heavy_ball_mean_square([0.1, 0.2, 0.3], 0.5, valley.eigenvalues, 0.5, y0, 10)
    assert batch.shape == (11, 3)


def test_mean_square_matches_monte_carlo_during_the_transient() -> None:
    """The exact mean square against 8000 noisy runs, step by step, within 5 standard errors."""
    valley = VALLEY.problem()
    chains = 8000
    problem = noisy(valley, 0.5, np.random.default_rng(11))
    x0 = np.broadcast_to(VALLEY.start, (chains, 2))
    traj = run(momentum(0.25, 0.75), problem.grad, x0, 60, record_states=False)
    sq = np.sum(traj.params**2, axis=-1)
    measured = sq.mean(axis=1)
    se = sq.std(axis=1, ddof=1) / np.sqrt(chains)
    exact = heavy_ball_mean_square(
        0.25, 0.75, valley.eigenvalues, 0.5, valley.to_eigenbasis(VALLEY.start), 60
    )
    assert np.all(np.abs(measured[1:] - exact[1:]) < 5 * se[1:])


@pytest.mark.parametrize(
    ("eta_", "beta_", "lam_"),
    [
        (0.5, 0.5, 1.0),  # complex roots (ripples)
        (0.05, 0.3, 1.0),  # real positive roots (monotone)
        (2.95, 0.5, 1.0),  # real negative roots (oscillating), eta*lambda > 2: GD would diverge
        (0.02, 0.9, 2.0),  # high momentum, small step
        (0.8, 0.0, 1.0),  # gradient descent
    ],
)
def test_measured_stationary_variance_matches_the_floor(
    eta_: float, beta_: float, lam_: float
) -> None:
    """Chains on lam x^2/2 from x_0 = 0: the chain-mean estimate is within 4 standard errors.

    The burn-in makes the missing part of the floor, ``rate**(2 * burn_in)``, negligible.
    """
    rate = float(heavy_ball_rate(eta_, beta_, lam_))
    burn_in = int(np.ceil(np.log(1e-6) / (2 * np.log(rate)))) + 20
    sq = noisy_chains_1d(eta_, beta_, lam_, 1.0, chains=3000, steps=burn_in + 400, seed=5)
    mean, se = mean_and_standard_error(sq[burn_in:])
    floor = floor_formula(eta_, beta_, lam_, 1.0)
    assert abs(mean - floor) < 4 * se
    assert se < 0.02 * floor  # precise enough to tell the formula from its approximations
    first_order = eta_ / (2 * lam_ * (1 - beta_))
    if abs(first_order / floor - 1) > 0.1:
        assert abs(mean - first_order) > 4 * se


def test_momentum_at_eta_has_the_floor_of_gd_at_the_effective_rate_in_the_valley() -> None:
    """The three runs of the chapter: measured floors, and momentum's below GD's at eta/(1-beta)."""
    from gdbook.momentum_limits import NOISE_BURN_IN, noise_methods, noise_runs

    valley = VALLEY.problem()
    runs = noise_runs()
    measured = {}
    for name, (eta_, beta_) in noise_methods().items():
        mean, se = mean_and_standard_error(runs[name][NOISE_BURN_IN:])
        floor = sum(floor_formula(eta_, beta_, x, 0.5) for x in valley.eigenvalues)
        assert abs(mean - floor) < 4 * se, name
        measured[name] = (mean, se)
    gd_slow, hb, gd_effective = measured.values()
    assert hb[0] > 3 * gd_slow[0]  # at the same eta, momentum's floor is several times higher
    # ... and a little below GD's at the effective rate eta / (1 - beta)
    assert gd_effective[0] - hb[0] > 5 * math.hypot(hb[1], gd_effective[1])


def test_learning_rate_for_floor_inverts_the_floor() -> None:
    lams = np.array([0.1, 1.0])
    betas = np.array([0.0, 0.5, 0.9, 0.999])
    for target in [0.01, 1.0, 50.0]:
        etas = learning_rate_for_floor(betas, lams, 0.5, target)
        np.testing.assert_allclose(
            heavy_ball_noise_floor(etas, betas, lams, 0.5), target, rtol=1e-9
        )
        assert np.all(etas * lams.max() < 2 + 2 * betas)


def test_settling_steps_on_hand_made_curves() -> None:
    curves = np.array([[9.0, 9.0, 9.0], [3.0, 1.0, 9.0], [1.0, 3.0, 9.0], [1.0, 1.0, 9.0]])
    np.testing.assert_array_equal(settling_steps(curves, 1.0), [2, 3, -1])
    np.testing.assert_array_equal(settling_steps(np.array([1.0, 1.5]), 1.0), 0)


def test_equal_floor_gradient_descent_count_from_the_closed_form() -> None:
    """The beta = 0 entry equals the count read off the GD chapter's closed form."""
    valley = VALLEY.problem()
    y0 = valley.to_eigenbasis(VALLEY.start)
    for target in [1.0, 0.1]:
        res = equal_floor_steps(target, [0.0, 0.9], valley.eigenvalues, 0.5, y0, 2048)
        eta_gd = float(res.learning_rate[0])
        assert math.isclose(
            float(sgd_noise_floor(eta_gd, valley.eigenvalues, 0.5)), target, rel_tol=1e-9
        )
        curve = sgd_expected_sq_error(eta_gd, valley.eigenvalues, 0.5, y0, 2048)
        above = np.flatnonzero(curve > 2 * target)
        assert res.steps[0] == above[-1] + 1


def test_at_equal_floor_momentum_is_faster_but_less_than_twice() -> None:
    """The figure's claim, on three of its floors: 1 < GD steps / best momentum steps < 2."""
    from gdbook.momentum_limits import equal_floor_comparison

    floors = np.array([1.0, 0.1, 0.01])
    gd, best, best_beta = equal_floor_comparison(floors)
    ratio = gd / best
    assert np.all((ratio > 1) & (ratio < 2))
    assert ratio[-1] > ratio[0]  # the gain grows as the floor is lowered
    assert np.all(np.diff(best_beta) > 0)  # lower floors want more momentum


def test_chain_mean_standard_error() -> None:
    rng = np.random.default_rng(0)
    values = rng.standard_normal((1, 10_000)) * 2.0 + 1.0
    mean, se = mean_and_standard_error(values)
    assert abs(mean - 1.0) < 4 * se
    assert math.isclose(se, 2.0 / 100.0, rel_tol=0.05)


def test_noise_figure_is_registered() -> None:
    from gdbook.figures import load_all

    assert {"momentum_limits_noise.svg", "momentum_limits_lower_bound.svg"} <= set(load_all())


# --------------------------------------------------------------------------------------
# Section "Is the square root of kappa the best possible?"
# --------------------------------------------------------------------------------------


def test_convex_rosenbrock_minimiser_ratio() -> None:
    derived, claimed = claims.convex_rosenbrock_stationarity()
    assert sp.simplify(derived - claimed) == 0
    root, printed = claims.convex_rosenbrock_minimiser_ratio()
    assert sp.simplify(root - printed) == 0
    r = (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)
    assert sp.simplify(claimed.subs(R_SYMBOL, r)) == 0
    assert sp.simplify(claimed.subs(R_SYMBOL, 1 / r)) == 0  # the other root, > 1


def test_convex_rosenbrock_condition_number_and_tail() -> None:
    ratio, claimed = claims.convex_rosenbrock_condition_number()
    assert sp.simplify(ratio - claimed) == 0
    tail, tail_claim = claims.krylov_tail_fraction()
    assert sp.simplify(tail - tail_claim) == 0
    assert sp.simplify(tail_claim - R_SYMBOL ** (2 * k)) == 0


def test_tuned_heavy_ball_on_convex_rosenbrock_has_rate_r() -> None:
    rate, claimed = claims.tuned_rate_on_convex_rosenbrock()
    assert sp.simplify(rate - claimed) == 0
    (step, b), (r, r2) = claims.tuned_parameters_on_convex_rosenbrock()
    assert sp.simplify(step - r) == 0 and sp.simplify(b - r2) == 0
    new, expected = claims.heavy_ball_fills_one_coordinate()
    assert sp.simplify(new - expected) == sp.zeros(4, 1)


def test_convex_rosenbrock_gradient_against_sympy() -> None:
    n, kk = 5, 7.0
    w = sp.symbols(f"w1:{n + 1}", real=True)
    f = (w[0] - 1) ** 2 / 2 + sum((w[i] - w[i + 1]) ** 2 for i in range(n - 1)) / 2
    f += sp.Rational(2) / (sp.Float(kk) - 1) * sum(x**2 for x in w)
    problem = convex_rosenbrock(n, kk)
    point = np.array([0.3, -1.2, 0.7, 2.0, -0.4])
    subs = dict(zip(w, point, strict=True))
    grad = np.array([float(sp.diff(f, x).subs(subs)) for x in w])
    hess = np.array([[float(sp.diff(f, x, y).subs(subs)) for y in w] for x in w])
    np.testing.assert_allclose(problem.grad(point), grad, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(problem.hessian(point), hess, rtol=1e-12)
    assert math.isclose(float(problem.value(point)), float(f.subs(subs)), rel_tol=1e-12)
    np.testing.assert_allclose(problem.grad(problem.x_star), 0.0, atol=1e-14)


def test_convex_rosenbrock_n400_kappa100() -> None:
    """Research note F12: w* = r^i to 6 digits, cond(H) = 99.96."""
    n, kk = 400, 100.0
    problem = convex_rosenbrock(n, kk)
    r = (10 - 1) / (10 + 1)
    assert math.isclose(float(convex_rosenbrock_ratio(kk)), r, rel_tol=1e-15)
    assert np.max(np.abs(problem.x_star - r ** np.arange(1, n + 1))) < 1e-12
    j = np.arange(1, n + 1)
    exact = 2 - 2 * np.cos((2 * j - 1) * np.pi / (2 * n + 1)) + 4 / (kk - 1)
    np.testing.assert_allclose(problem.eigenvalues, np.sort(exact), rtol=1e-10, atol=1e-13)
    assert round(problem.condition_number, 2) == 99.96
    assert problem.condition_number < kk
    assert convex_rosenbrock(1000, kk).condition_number > 99.99  # -> kappa as n grows


def test_first_order_methods_stay_zero_past_coordinate_k() -> None:
    """From 0, w_k is zero past coordinate k for GD, tuned momentum and any momentum schedule."""
    n, kk = 60, 100.0
    problem = convex_rosenbrock(n, kk)
    tuned = optimal_heavy_ball(4 / (kk - 1), 4 * kk / (kk - 1))
    rng = np.random.default_rng(2)
    rates, betas = rng.uniform(0.05, 0.5, 100), rng.uniform(0.0, 0.95, 100)
    methods = [
        gradient_descent(2 / (4 / (kk - 1) + 4 * kk / (kk - 1))),
        momentum(tuned.learning_rate, tuned.beta),
        momentum(lambda t: rates[t - 1], lambda t: betas[t - 1]),
    ]
    for opt in methods:
        params = run(opt, problem.grad, np.zeros(n), 50, record_states=False).params
        for step in range(51):
            assert np.all(params[step, step:] == 0.0)  # exactly zero, not merely small
            assert np.all(params[step, : min(step, 3)] != 0.0)
        errors = np.linalg.norm(params - problem.x_star, axis=1)
        assert np.all(errors >= krylov_lower_bound(problem.x_star, 50) * (1 - 1e-12))


def test_tuned_heavy_ball_attains_the_lower_bound() -> None:
    n, kk = 400, 100.0
    problem = convex_rosenbrock(n, kk)
    r = float(convex_rosenbrock_ratio(kk))
    tuned = optimal_heavy_ball(4 / (kk - 1), 4 * kk / (kk - 1))
    assert math.isclose(float(tuned.learning_rate), r, rel_tol=1e-14)
    assert math.isclose(float(tuned.beta), r * r, rel_tol=1e-14)
    params = run(momentum(tuned.learning_rate, tuned.beta), problem.grad, np.zeros(n), 150).params
    for step in range(151):  # w_k is w* cut off after coordinate k
        np.testing.assert_allclose(params[step, :step], r ** np.arange(1, step + 1), rtol=1e-12)
    errors = np.linalg.norm(params - problem.x_star, axis=1)
    bound = krylov_lower_bound(problem.x_star, 150)
    assert np.all(np.abs(errors[:101] / bound[:101] - 1) < 1e-9)
    norm_star = np.linalg.norm(problem.x_star)
    np.testing.assert_allclose(bound[:151] / norm_star, r ** np.arange(151), rtol=1e-9)
    assert abs((errors[150] / errors[50]) ** (1 / 100) - r) < 1e-6
    inf_errors = np.max(np.abs(params - problem.x_star), axis=1)
    np.testing.assert_allclose(inf_errors[:101], r ** (np.arange(101) + 1), rtol=1e-9)


def test_gradient_descent_respects_the_bound_at_its_own_rate() -> None:
    """GD's error is the previous chapter's eigenbasis closed form, far above the bound."""
    n, kk = 400, 100.0
    problem = convex_rosenbrock(n, kk)
    low, high = 4 / (kk - 1), 4 * kk / (kk - 1)
    lr = 2 / (low + high)
    params = run(gradient_descent(lr), problem.grad, np.zeros(n), 300).params
    errors = np.linalg.norm(params - problem.x_star, axis=1)
    y0 = problem.to_eigenbasis(np.zeros(n))
    predicted = np.linalg.norm(eigen_errors(lr, problem.eigenvalues, y0, 300), axis=1)
    np.testing.assert_allclose(errors, predicted, rtol=1e-9)
    bound = krylov_lower_bound(problem.x_star, 300)
    assert np.all(errors >= bound)
    assert errors[100] > 1e6 * bound[100]
    assert np.all(np.abs(1 - lr * problem.eigenvalues) < (kk - 1) / (kk + 1))


def test_gradient_descent_count_on_the_worst_case_is_measured_not_the_rate_bound() -> None:
    """To shrink the error a million-fold: bound 69 steps, GD 562 (its rate bound promises 691)."""
    n, kk = 400, 100.0
    problem = convex_rosenbrock(n, kk)
    low, high = 4 / (kk - 1), 4 * kk / (kk - 1)
    lr = 2 / (low + high)
    y0 = problem.to_eigenbasis(np.zeros(n))
    closed = np.linalg.norm(eigen_errors(lr, problem.eigenvalues, y0, 1000), axis=1)
    count = int(np.argmax(closed <= 1e-6 * closed[0]))
    params = run(gradient_descent(lr), problem.grad, np.zeros(n), count + 1).params
    measured = np.linalg.norm(params - problem.x_star, axis=1)
    assert measured[count] <= 1e-6 * measured[0] < measured[count - 1]
    assert count == 562
    r = float(lim.convex_rosenbrock_ratio(kk))  # the chapter's lb_count and lb_count_gd_bound
    assert r == pytest.approx((math.sqrt(kk) - 1) / (math.sqrt(kk) + 1), rel=1e-15)
    assert math.ceil(math.log(1e-6) / math.log(r)) == 69
    assert math.ceil(math.log(1e-6) / math.log(float(optimal_rate(kk)))) == 691


def test_lower_bound_validation() -> None:
    with pytest.raises(ValueError, match="n"):
        convex_rosenbrock(1, 10.0)
    with pytest.raises(ValueError, match="kappa"):
        convex_rosenbrock(10, 1.0)
    with pytest.raises(ValueError, match="num_steps"):
        krylov_lower_bound(np.ones(3), -1)
    with pytest.raises(ValueError, match="x_star"):
        krylov_lower_bound(np.ones((2, 2)), 3)
    np.testing.assert_allclose(krylov_lower_bound(np.array([3.0, 4.0]), 3), [5.0, 4.0, 0.0, 0.0])


def test_tuned_parameters_are_free_of_mu_and_L() -> None:
    """The spectrum bounds were substituted in the shared symbols (a private copy would not be)."""
    (step, _), _ = claims.tuned_parameters_on_convex_rosenbrock()
    assert mu not in step.free_symbols and L not in step.free_symbols


# --------------------------------------------------------------------------------------
# Exercise solutions (code/gdbook_solutions/momentum_limits.py)
# --------------------------------------------------------------------------------------


def test_solution_ema_noise_floor() -> None:
    """EXERCISE SOLUTION (solutions.momentum_limits.ema_noise_floor).

    The EMA form's floor is SGD's at the same rate.
    """
    from gdbook_solutions import momentum_limits as solutions

    eta_, beta_ = 0.02, 0.9
    mean, se = solutions.ema_noise_floor(eta_, beta_, lam=1.0, sigma=1.0)
    predicted = floor_formula(eta_ * (1 - beta_), beta_, 1.0, 1.0)  # sum form at eta (1 - beta)
    assert abs(mean - predicted) < 4 * se
    sgd = eta_ / (2 - eta_)  # plain SGD at the same eta
    assert abs(predicted / sgd - 1) < eta_  # equal to first order: the gap is O(eta)
    assert se > abs(sgd - predicted)  # the run cannot tell the exact floor from SGD's
    sum_form = floor_formula(eta_, beta_, 1.0, 1.0)  # the sum form at eta: ten times higher
    assert abs(mean - sum_form) > 100 * se


def test_solution_conjugate_gradient_meets_the_bound_too() -> None:
    """EXERCISE SOLUTION (solutions.momentum_limits.conjugate_gradient): CG stays zero past k
    too."""
    from gdbook_solutions import momentum_limits as solutions

    n, kk = 400, 100.0
    problem = convex_rosenbrock(n, kk)
    cg = solutions.conjugate_gradient(problem, 120)
    for step in range(121):
        assert np.all(cg[step, step:] == 0.0)
    errors = np.linalg.norm(cg - problem.x_star, axis=1)
    bound = krylov_lower_bound(problem.x_star, 120)
    assert np.all(errors >= bound)
    tuned = optimal_heavy_ball(4 / (kk - 1), 4 * kk / (kk - 1))
    hb = run(momentum(tuned.learning_rate, tuned.beta), problem.grad, np.zeros(n), 120).params
    # CG minimises f over the same Krylov space, so its f - f* is never larger
    gap_cg = problem.value(cg) - problem.f_star
    gap_hb = problem.value(hb) - problem.f_star
    assert np.all(gap_cg[:60] <= gap_hb[:60] * (1 + 1e-9) + 1e-15)
    assert abs(gap_cg[20] / gap_hb[20] - 1 / 3) < 0.02  # "about a third" after 20 steps
    # ... but in the Euclidean norm the heavy ball, which fills w* exactly, is at the bound
    assert np.all(errors[1:60] >= np.linalg.norm(hb[1:60] - problem.x_star, axis=1) * (1 - 1e-9))


# --------------------------------------------------------------------------------------
# Beyond quadratics: Lessard et al. (2016), moved from the first momentum chapter (F13)
# --------------------------------------------------------------------------------------


def test_lessard_function_is_strongly_convex_with_mu_1_and_L_25() -> None:
    problem = lessard_problem()
    xs = np.linspace(-3, 4, 7001)[:, None]
    grads = problem.grad(xs)[:, 0]
    slopes = np.diff(grads) / np.diff(xs[:, 0])
    assert slopes.min() == pytest.approx(1.0) and slopes.max() == pytest.approx(25.0)
    values = problem.value(xs)
    away = (np.abs(xs[:, 0] - 1) > 2e-3) & (np.abs(xs[:, 0] - 2) > 2e-3)  # off the knots
    numeric = np.gradient(values, xs[:, 0])
    np.testing.assert_allclose(numeric[away][1:-1], grads[away][1:-1], atol=1e-3)
    np.testing.assert_allclose(problem.value(np.array([[0.0]])), 0.0)
    for knot in (1.0, 2.0):  # f is continuous at the knots
        left, right = problem.value(np.array([[knot - 1e-12], [knot]]))
        assert left == pytest.approx(right, abs=1e-9)


def test_lessard_three_cycle() -> None:
    """Lessard, Recht & Packard (2016, sec. 4.6): from x_0 = x_{-1} = 3.3 the tuned heavy
    ball (alpha = 1/9, beta = 4/9) enters the 3-cycle (-1.8024, 2.1159, 0.6465)."""
    problem = lessard_problem()
    path = run(momentum(1 / 9, 4 / 9), problem.grad, np.array([3.3]), 120).params[:, 0]
    np.testing.assert_allclose(path, _polyak_loop(problem.grad, [3.3], 1 / 9, 4 / 9, 120)[:, 0])
    cycle = solutions.lessard_cycle()
    np.testing.assert_allclose(cycle, [-1.8024, 2.1159, 0.6465], atol=1e-4)
    start = int(np.argmin(np.abs(path[60:63] - cycle[0]))) + 60
    for i in range(start, 118, 3):
        np.testing.assert_allclose(path[i : i + 3], cycle, atol=1e-10)
    gd = run(gradient_descent(2 / 26), problem.grad, np.array([3.3]), 500).params[-1, 0]
    assert abs(gd) < 1e-10  # plain GD converges on the same function


def test_tuned_heavy_ball_converges_on_the_quadratic_with_the_same_spectrum() -> None:
    for eig in (1.0, 25.0):
        xs = run(momentum(1 / 9, 4 / 9), lambda x, e=eig: e * x, np.array([3.3]), 120).params
        assert abs(xs[-1, 0]) < 1e-15


def test_lessard_basin_around_the_start() -> None:
    """Lessard et al. report that the cycle attracts the starts in [3.07, 3.46]: the scan of
    the chapter finds [3.065, 3.460] on a grid of step 0.005; plain loops confirm both edges
    and that starts just outside (and the review's 3.0 and 3.5) converge."""
    basin = lim.lessard_basin()
    low, high = lim.basin_around(lim.LESSARD_START, basin["cycles"], basin["start"])
    assert low == pytest.approx(3.065, abs=1e-9) and high == pytest.approx(3.46, abs=1e-9)
    grad = lessard_problem().grad
    for x0, cycles in [(3.07, True), (3.46, True), (3.0, False), (3.5, False), (3.06, False)]:
        end = _polyak_loop(grad, [x0], 1 / 9, 4 / 9, 1000)[-1, 0]
        assert (abs(end) > 1e-6) == cycles, x0
    cycle = np.sort(solutions.lessard_cycle())
    ends = basin["end"][basin["cycles"]]
    assert np.all(np.min(np.abs(ends[:, None] - cycle[None, :]), axis=1) < 1e-8)
    assert 0.05 < basin["cycles"].mean() < 0.2
    with pytest.raises(ValueError, match="does not cycle"):
        lim.basin_around(0.5, basin["cycles"], basin["start"])


# --------------------------------------------------------------------------------------
# The claims of the sequel, and what issue 7 asked to check
# --------------------------------------------------------------------------------------


def test_every_public_claim_is_tested() -> None:
    """Every public function of ``gdbook.derivations.momentum_limits`` is named here."""
    import ast
    from pathlib import Path

    public = {
        n
        for n, f in vars(claims).items()
        if callable(f) and not n.startswith("_") and getattr(f, "__module__", "") == claims.__name__
    }
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    named = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "claims"
    }
    assert public - named == set(), f"claims no test names: {sorted(public - named)}"


def test_floor_ratio_is_first_order_in_the_effective_step() -> None:
    """Not first order in eta*lambda: at eta*lambda = 0.01, beta = 0.99 (a = 1) the floors of
    momentum and of GD at eta/(1-beta) differ by a factor ~2 (0.1254 against 0.25 at
    sigma = 0.5, the review's numbers); the expansion in a is uniform in beta."""
    hb = floor_formula(0.01, 0.99, 1.0, 0.5)
    gd = 1.0 * 0.5**2 / (1.0 * (2 - 1.0))  # GD at eta/(1-beta) = 1, typed here
    assert hb == pytest.approx(0.1254, abs=1e-4) and gd == 0.25
    assert hb / gd == pytest.approx(0.50, abs=0.01)
    first_order, claimed = claims.noise_floor_ratio_first_order()
    assert sp.simplify(first_order - claimed) == 0
    a = sp.Symbol("a", positive=True)
    assert sp.simplify(sp.diff(claimed, a) + beta / (1 + beta)) == 0  # slope -beta/(1+beta)
    for a_, b_ in [(0.05, 0.0), (0.05, 0.99), (0.2, 0.5)]:
        exact = float(lim.floor_ratio_at_effective_step(a_, b_))
        assert abs(exact - (1 - b_ / (1 + b_) * a_)) < a_**2  # uniform in beta
        lam_, eta_ = 1.0, a_ * (1 - b_)
        direct = floor_formula(eta_, b_, lam_, 1.0) / (eta_ / (1 - b_) / (2 - a_))
        assert exact == pytest.approx(direct, rel=1e-12)
    assert float(lim.floor_ratio_at_effective_step(0.0, 0.5)) == 1.0
    with pytest.raises(ValueError, match="effective_step"):
        lim.floor_ratio_at_effective_step(2.0, 0.5)


def test_stationary_covariance_by_hand() -> None:
    """The three expectations of the text and their solution, against the Kronecker solve."""
    derived, claimed = claims.stationary_moment_equations()
    assert all(sp.simplify(d - c) == 0 for d, c in zip(derived, claimed, strict=True))
    by_hand, printed = claims.stationary_covariance_by_hand()
    assert all(sp.simplify(d - c) == 0 for d, c in zip(by_hand, printed, strict=True))
    p, q, r = (float(e.subs({eta: 0.25, beta: 0.75, lam: 1.0, sigma: 0.5})) for e in printed)
    kron = lyapunov_by_kronecker(0.25, 0.75, 1.0, 0.5)
    np.testing.assert_allclose([[p, q], [q, r]], kron, rtol=1e-12)
    iterated = solutions.lyapunov_floor_by_iteration(0.25, 0.75, 1.0, 0.5)
    np.testing.assert_allclose(iterated, kron, rtol=1e-10)


def test_momentum_leaves_the_saddle_faster() -> None:
    """The review's numbers on the GD chapter's saddle (eta = 0.2): factors 1.20, 1.32, 1.50
    (numpy.roots of z^2 - (1 + beta + eta gamma) z + beta) and the first step with |y| >= 0.5
    from y0 = 1e-1, 1e-4, 1e-8: 10/48/98 (GD), 7/32/65 (beta = 0.5), 6/23/45 (beta = 0.9)."""
    expected = np.array([[10, 48, 98], [7, 32, 65], [6, 23, 45]])
    escapes = lim.saddle_escapes()
    np.testing.assert_array_equal(escapes["steps"], expected)
    for row, b in zip(expected, lim.SADDLE_BETAS, strict=True):
        from_scratch = [solutions.saddle_escape_from_scratch(b, y0) for y0 in (1e-1, 1e-4, 1e-8)]
        assert from_scratch == list(row)
        root = max(np.roots([1.0, -(1 + b + 0.2), b]).real)
        assert float(lim.saddle_escape_factor(0.2, b, 1.0)) == pytest.approx(root, rel=1e-12)
    np.testing.assert_allclose(escapes["factors"], [1.2, 1.32170, 1.5], atol=1e-5)
    derived, claimed = claims.saddle_characteristic_polynomial()
    assert sp.expand(derived - claimed) == 0
    at_gd, below = claims.saddle_factor_exceeds_gradient_descent()
    assert sp.expand(at_gd - below) == 0
    with pytest.raises(ValueError, match="beta"):
        lim.saddle_escape_factor(0.2, 1.0, 1.0)
    assert float(lim.saddle_escape_factor(0.2, 0.0, 1.0)) == pytest.approx(1.2)  # GD: 1 + eta gamma
    assert float(lim.saddle_escape_factor(0.0, 0.5, 1.0)) == 1.0  # no step, no escape


def test_logistic_regression_follows_the_local_rates() -> None:
    """Polyak's local theorem on the book's logistic regression: both methods, tuned from the
    Hessian at the minimum (eigenvalues by numpy here), run as plain loops, converge at the
    local rates (measured between errors 1e-3 and 1e-9 of the start) and need the counts the
    chapter reports; the grid search, without a Hessian, finds a pair about as good."""
    problem = lim.logistic_problem()
    data = lim.logistic_experiment()
    eig = np.linalg.eigvalsh(problem.hessian(problem.x_star))
    mu_, big_l = eig[0], eig[-1]
    assert data["mu"] == pytest.approx(mu_) and data["L"] == pytest.approx(big_l)
    root_sum = math.sqrt(big_l) + math.sqrt(mu_)
    pairs = {
        "gradient descent": (2 / (mu_ + big_l), 0.0, (big_l - mu_) / (big_l + mu_)),
        "momentum": (
            4 / root_sum**2,
            ((math.sqrt(big_l) - math.sqrt(mu_)) / root_sum) ** 2,
            (math.sqrt(big_l) - math.sqrt(mu_)) / root_sum,
        ),
    }
    for name, (eta_, b, rate) in pairs.items():
        path = _polyak_loop(problem.grad, np.zeros(2), eta_, b, lim.LOGISTIC_STEPS)
        errors = np.linalg.norm(path - problem.x_star, axis=1)
        np.testing.assert_allclose(errors, data["errors"][name], rtol=1e-6, atol=1e-13)
        count = int(np.argmax(errors <= 1e-6 * errors[0]))
        assert count == data["steps"][name]
        window = (errors < 1e-3 * errors[0]) & (errors > 1e-9 * errors[0])
        ks = np.flatnonzero(window)
        measured = (errors[ks[-1]] / errors[ks[0]]) ** (1 / (ks[-1] - ks[0]))
        assert measured == pytest.approx(rate, rel=0.03)
        assert data["rates"][name] == pytest.approx(rate, rel=1e-9)
    assert data["steps"]["momentum"] * 3 < data["steps"]["gradient descent"]
    grid = lim.logistic_grid_search()
    assert grid["best"][2] <= 1.2 * data["steps"]["momentum"]
    assert grid["best_gd"][1] >= data["steps"]["gradient descent"]  # eta* is (nearly) optimal
    assert grid["best"][1] > 0  # the best pair on the grid has momentum


def test_every_coordinatewise_method_obeys_the_lower_bound() -> None:
    """GD, tuned momentum and Adam from w_0 = 0: w_k zero past coordinate k, error >= bound
    (Adam's from-scratch step is coordinate-wise, so the support argument covers it)."""
    data = lim.lower_bound_experiment()
    steps = np.arange(lim.LOWER_BOUND_STEPS + 1)
    for name, support in data["support"].items():
        assert np.all(support <= steps), name
        assert np.all(data["errors"][name] >= data["bound"] * (1 - 1e-12)), name
    adam_names = [n for n in data["errors"] if n.startswith("Adam")]
    assert len(adam_names) == len(lim.ADAM_RATES)
    assert min(data["errors"][n][60] / data["bound"][60] for n in adam_names) > 1e3
    assert lim.gradient_descent_count_on_the_worst_case() == 562


def test_noise_floors_at_the_exact_stability_limit_are_rejected() -> None:
    """eta*lambda = 2 + 2 beta exactly is unstable (a root at -1): the floor is infinite."""
    with pytest.raises(ValueError, match="2 \\+ 2 beta"):
        heavy_ball_noise_floor(2.5, 0.25, [1.0], 1.0)
    assert np.isfinite(float(heavy_ball_noise_floor(2.5 - 1e-9, 0.25, [1.0], 1.0)))
    with pytest.raises(ValueError):
        sgd_noise_floor(2.0, [1.0], 1.0)


def test_settling_counts_equality_as_settled() -> None:
    """settling_steps uses <=: a curve that touches factor * floor exactly has settled."""
    curve = np.array([5.0, 2.0, 2.0, 1.0])
    assert int(settling_steps(curve, 1.0)) == 1
    assert int(settling_steps(np.array([5.0, 2.0 + 1e-12, 1.0]), 1.0)) == 2


def test_standard_error_of_correlated_chains() -> None:
    """Batch means, one batch per run, are right for strongly correlated steps: AR(1) chains
    with phi = 0.9 (variance of a run mean known in closed form) get the right standard
    error, which the naive per-step formula underestimates several times."""
    rng = np.random.default_rng(1)
    phi, runs, steps = 0.9, 4000, 200
    x = np.zeros((steps, runs))
    x[0] = rng.standard_normal(runs) / math.sqrt(1 - phi**2)  # stationary start
    for step in range(1, steps):
        x[step] = phi * x[step - 1] + rng.standard_normal(runs)
    mean, se = mean_and_standard_error(x)
    var = 1 / (1 - phi**2)
    lags = np.arange(1, steps)
    run_var = var / steps * (1 + 2 * np.sum((1 - lags / steps) * phi**lags))  # Var of a run mean
    assert se == pytest.approx(math.sqrt(run_var / runs), rel=0.05)
    naive = x.std() / math.sqrt(x.size)
    assert se > 3 * naive
    assert abs(mean) < 4 * se


def test_solution_equal_floor_gain_exceeds_two_when_gd_overshoots() -> None:
    for v in (3.0, 10.0):
        gain, gd_a = solutions.equal_floor_gain(v)
        assert gd_a > 1 and gain > 2
        assert float(heavy_ball_noise_floor(gd_a, 0.0, [1.0], 1.0)) == pytest.approx(v, rel=1e-9)
    assert solutions.equal_floor_gain(3.0)[0] == pytest.approx(2.054, abs=1e-3)
    assert solutions.equal_floor_gain(10.0)[0] == pytest.approx(4.056, abs=1e-3)


def test_noise_explorer_state_is_the_closed_form() -> None:
    import matplotlib.pyplot as plt
    from gdbook.viz.momentum_limits import noise_explorer

    explorer = noise_explorer()
    try:
        state = explorer.update()
        valley = VALLEY.problem()
        floor = sum(floor_formula(0.25, 0.75, x, 0.5) for x in valley.eigenvalues)
        assert state["floors"]["momentum"] == pytest.approx(floor, rel=1e-12)
        np.testing.assert_allclose(state["effective_steps"], 0.25 * valley.eigenvalues / 0.25)
        state = explorer.update(learning_rate=0.9, beta=0.8)  # GD at 4.5 diverges: not drawn
        assert "GD at η/(1-β)" not in state["curves"]
    finally:
        plt.close(explorer.figure)


# --------------------------------------------------------------------------------------
# Survivors of the mutation audit of momentum_limits.py (each test fails on its mutant)
# --------------------------------------------------------------------------------------


def test_saddle_escape_factor_scales_with_the_curvature() -> None:
    """The factor depends on eta * gamma (a curvature other than 1 tells eta * gamma from
    eta / gamma): the larger root of z^2 - (1 + beta + eta gamma) z + beta, by numpy.roots."""
    for eta_, b, gamma in [(0.1, 0.9, 2.0), (0.3, 0.5, 0.25), (0.05, 0.0, 4.0)]:
        root = max(np.roots([1.0, -(1 + b + eta_ * gamma), b]).real)
        assert float(lim.saddle_escape_factor(eta_, b, gamma)) == pytest.approx(root, rel=1e-12)


def test_lower_bound_experiment_is_what_the_chapter_reports() -> None:
    """The chapter's runs themselves (not a re-run): momentum tuned for
    [4/(kappa-1), 4 kappa/(kappa-1)] sits on the bound to rounding for 100 steps (lb_hb_gap),
    gradient descent at 2/(mu + L) is more than 10^7 times above it after 100 (lb_gd_factor),
    both started at w_0 = 0, each run's first error the norm of w*."""
    data = lim.lower_bound_experiment()
    rosen = convex_rosenbrock(lim.LOWER_BOUND_SIZE, lim.LOWER_BOUND_KAPPA)
    bound, errors = data["bound"], data["errors"]
    assert np.abs(errors["momentum"][:101] / bound[:101] - 1).max() < 1e-12
    assert errors["gradient descent"][100] / bound[100] > 1e7
    for name in ("gradient descent", "momentum"):
        assert errors[name][0] == pytest.approx(np.linalg.norm(rosen.x_star), rel=1e-15)
    kk = lim.LOWER_BOUND_KAPPA
    low, high = 4 / (kk - 1), 4 * kk / (kk - 1)
    path = _polyak_loop(rosen.grad, np.zeros(rosen.x_star.size), 2 / (low + high), 0.0, 30)
    gd_err = np.linalg.norm(path - rosen.x_star, axis=1)
    np.testing.assert_allclose(errors["gradient descent"][:31], gd_err, rtol=1e-12)


def test_basin_around_reaches_the_ends_of_the_grid() -> None:
    """Both scans stop at the grid's ends, not one point before and not past them."""
    grid = np.linspace(0.0, 1.0, 6)
    assert lim.basin_around(0.8, [False, False, True, True, True, True], grid) == (0.4, 1.0)
    assert lim.basin_around(0.0, [True, True, False, False, True, True], grid) == (0.0, 0.2)
    assert lim.basin_around(0.5, [True] * 6, grid) == (0.0, 1.0)


def test_lessard_run_is_the_chapter_run() -> None:
    """lessard_run (the chapter's cell) is the tuned pair eta = 1/9, beta = 4/9 from 3.3 at
    rest: a plain Polyak loop gives the same iterates."""
    xs = lim.lessard_run(num_steps=120)
    loop = _polyak_loop(lessard_problem().grad, [3.3], 1 / 9, 4 / 9, 120)[:, 0]
    np.testing.assert_allclose(xs, loop, rtol=1e-12, atol=1e-15)
    assert xs.shape == (121,) and xs[0] == lim.LESSARD_START == 3.3


def test_logistic_grid_search_counts_by_plain_loops() -> None:
    """The grid's best pair and best learning rate alone, rerun as plain loops from 0: the
    counts to 1e-6 of the first error are the ones the grid reports, and the best rate alone
    is a rate of the grid."""
    problem = lim.logistic_problem()
    grid = lim.logistic_grid_search()
    (eta_hb, beta_hb, steps_hb), (eta_gd, steps_gd) = grid["best"], grid["best_gd"]
    assert eta_gd in lim.LOGISTIC_GRID_RATES and beta_hb in lim.LOGISTIC_GRID_BETAS
    for eta_, b, steps in [(eta_hb, beta_hb, steps_hb), (eta_gd, 0.0, steps_gd)]:
        path = _polyak_loop(problem.grad, np.zeros(2), eta_, b, lim.LOGISTIC_STEPS)
        errors = np.linalg.norm(path - problem.x_star, axis=1)
        assert int(np.argmax(errors <= 1e-6 * errors[0])) == steps
    assert grid["counts"].shape == (lim.LOGISTIC_GRID_BETAS.size, lim.LOGISTIC_GRID_RATES.size)
    counts = grid["counts"]
    assert steps_gd == min(int(c) for c in counts[0] if c >= 0)  # the best of the beta = 0 row
    assert steps_hb == min(int(c) for c in counts.ravel() if c >= 0)


def test_settings_the_page_states_in_words() -> None:
    """The lower-bound section says n = 400 and kappa = 100; its Lessard run starts at 3.3
    (the cells read the constants, the prose types them)."""
    assert (lim.LOWER_BOUND_SIZE, lim.LOWER_BOUND_KAPPA) == (400, 100.0)
    assert lim.LESSARD_START == 3.3
    with pytest.raises(ValueError, match="beta"):
        lim.floor_ratio_at_effective_step(0.5, 1.0)


def test_equal_floor_count_is_reliable_at_exactly_half_the_horizon() -> None:
    """A count k is kept when 2k equals the horizon (the rest of the curve, as long again,
    shows it stays down) and dropped one step short of it; GD's count from its closed form."""
    lam_, y0, target = np.array([1.0]), np.array([3.0]), 0.05
    eta_gd = float(learning_rate_for_floor(0.0, lam_, 1.0, target))
    curve = sgd_expected_sq_error(eta_gd, lam_, 1.0, y0, 4000)
    k_gd = int(settling_steps(curve, target))
    assert k_gd > 2
    assert int(equal_floor_steps(target, [0.0], lam_, 1.0, y0, 2 * k_gd).steps[0]) == k_gd
    assert int(equal_floor_steps(target, [0.0], lam_, 1.0, y0, 2 * k_gd - 1).steps[0]) == -1


def test_equal_floor_comparison_picks_the_fastest_beta() -> None:
    """The best momentum of each floor is the beta with the fewest settled steps among all
    tried (beta = 0 excluded; the smallest such beta if several tie), by a scan of
    equal_floor_steps written here."""
    floors = (1.0, 0.1)
    gd_steps, best, best_beta = lim.equal_floor_comparison(floors)
    problem = VALLEY.problem()
    lam_, y0 = problem.eigenvalues, problem.to_eigenbasis(VALLEY.start)
    for floor, n_gd, n_hb, b in zip(floors, gd_steps, best, best_beta, strict=True):
        res = equal_floor_steps(floor, lim.NOISE_BETAS, lam_, lim.NOISE_SIGMA, y0, 2 * n_gd + 2)
        assert int(res.steps[0]) == n_gd
        pairs = zip(res.steps[1:], res.beta[1:], strict=True)
        settled = [(int(n), float(bb)) for n, bb in pairs if n >= 0]
        fastest = min(n for n, _ in settled)
        assert n_hb == fastest
        assert float(b) == min(bb for n, bb in settled if n == fastest)  # the first of a tie


def test_mean_square_with_no_steps_is_the_start() -> None:
    """num_steps = 0 is allowed: the curve is the squared start error alone."""
    curve = heavy_ball_mean_square(0.1, 0.5, [1.0, 2.0], 1.0, [3.0, 4.0], 0)
    assert curve.shape == (1,) and float(curve[0]) == 25.0
