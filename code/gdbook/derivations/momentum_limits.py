r"""SymPy claims behind the chapter *The limits of the heavy ball*; one function per claim.

Each function returns SymPy objects, usually a pair ``(derived, claimed)``, as in
:mod:`gdbook.derivations.momentum`, whose notation this module shares (the sum form
:math:`b_k = \beta b_{k-1} + g_k`, :math:`x_k = x_{k-1} - \eta b_k`, one eigen-direction of
eigenvalue :math:`\lambda` at a time); ``tests/chapters/test_momentum_limits.py`` asserts
them. Three sections: the lower bound, the saddle, and the noise floor.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from gdbook.derivations import (
    L,
    b,
    beta,
    eta,
    gamma_saddle,
    k,
    kappa,
    lam,
    mu,
    sigma,
    x,
    z,
)
from gdbook.derivations import gradient_descent as gd_claims
from gdbook.derivations.momentum import (
    heavy_ball_characteristic_polynomial,
    heavy_ball_iteration_matrix,
    optimal_parameters,
)

# --------------------------------------------------------------------------------------
# The lower bound: Nesterov's worst function for first-order methods
# --------------------------------------------------------------------------------------

_w = sp.IndexedBase("w_rosen")  # coordinates of the convex Rosenbrock
_i = sp.Symbol("i_coord", integer=True, positive=True)
_rho = sp.Symbol("r_rosen", positive=True)  # the ratio w*_{i+1} / w*_i


def convex_rosenbrock_stationarity() -> tuple[sp.Expr, sp.Expr]:
    r"""Stationarity with :math:`w_i = r^i` is a quadratic in :math:`r`.

    :math:`\partial f/\partial w_i = 0` holds iff
    :math:`r^2 - \frac{2(\kappa+1)}{\kappa-1} r + 1 = 0`. For
    :math:`f = \tfrac12(w_1 - 1)^2 + \tfrac12\sum_i (w_i - w_{i+1})^2 +
    \tfrac{2}{\kappa-1}\|w\|^2` the terms that contain :math:`w_i` are differentiated
    (with :math:`w_0 = 1`, the first equation has the same form). Substituting
    :math:`w_j = r^j` and dividing by :math:`r^{i-1}` leaves a quadratic in :math:`r`.
    Returns that quadratic and the printed one.
    """
    terms = (
        (_w[_i - 1] - _w[_i]) ** 2 / 2
        + (_w[_i] - _w[_i + 1]) ** 2 / 2
        + 2 / (kappa - 1) * _w[_i] ** 2
    )
    equation = sp.diff(terms, _w[_i])
    powers = {_w[_i - 1]: _rho ** (_i - 1), _w[_i]: _rho**_i, _w[_i + 1]: _rho ** (_i + 1)}
    on_powers = sp.expand(sp.powsimp(sp.expand(equation.subs(powers) / _rho ** (_i - 1))))
    derived = sp.collect(sp.expand(-on_powers), _rho)
    return derived, _rho**2 - 2 * (kappa + 1) / (kappa - 1) * _rho + 1


def convex_rosenbrock_minimiser_ratio() -> tuple[sp.Expr, sp.Expr]:
    r"""The root :math:`r < 1` of :func:`convex_rosenbrock_stationarity`.

    :math:`r = (\sqrt\kappa-1)/(\sqrt\kappa+1)`. The roots multiply to 1; the other one,
    :math:`1/r > 1`, gives coordinates that grow without bound and is not a minimiser of
    the infinite problem.
    """
    derived, _ = convex_rosenbrock_stationarity()
    roots = sp.solve(derived, _rho)
    (chosen,) = [r for r in roots if r.subs(kappa, 4) < 1]
    return sp.simplify(chosen), (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)


def convex_rosenbrock_condition_number() -> tuple[sp.Expr, sp.Expr]:
    r"""The spectrum bounds :math:`\mu` and :math:`L` give :math:`L/\mu = \kappa`.

    :math:`\mu = \tfrac{4}{\kappa-1}`, :math:`L = 4 + \tfrac{4}{\kappa-1}`. The Hessian
    is :math:`A + \tfrac{4}{\kappa-1} I` with :math:`A` the tridiagonal matrix of the
    squared differences, whose eigenvalues lie in :math:`(0, 4)` (Gershgorin) and fill
    that interval as :math:`n \to \infty`.
    """
    low = 4 / (kappa - 1)
    return sp.simplify((4 + low) / low), kappa


def krylov_tail_fraction() -> tuple[sp.Expr, sp.Expr]:
    r"""The part of :math:`\|w^\star\|^2` past coordinate :math:`k`.

    :math:`\sum_{i>k} r^{2i} / \sum_{i\ge1} r^{2i} = r^{2k}`. A method whose iterate
    :math:`w_k` is zero past coordinate :math:`k` has
    :math:`\|w_k - w^\star\| \ge r^k \|w_0 - w^\star\|` (:math:`w_0 = 0`, infinite
    problem). SymPy returns each sum as a case distinction; the branch for
    :math:`r^2 < 1` (where the sums converge) is taken.
    """

    def convergent(total: sp.Expr) -> sp.Expr:
        if not (isinstance(total, sp.Piecewise) and total.args[0].cond == (_rho**2 < 1)):
            raise RuntimeError(f"unexpected form of a geometric sum: {total}")
        return total.args[0].expr

    tail = convergent(sp.summation(_rho ** (2 * _i), (_i, k + 1, sp.oo)))
    whole = convergent(sp.summation(_rho ** (2 * _i), (_i, 1, sp.oo)))
    return sp.powsimp(sp.cancel(tail / whole)), _rho ** (2 * k)


def tuned_rate_on_convex_rosenbrock() -> tuple[sp.Expr, sp.Expr]:
    r"""Tuned heavy ball has the rate :math:`r` of the lower bound.

    Tuned for :math:`[\mu, L] = [\tfrac{4}{\kappa-1}, \tfrac{4\kappa}{\kappa-1}]`.
    """
    (_, beta_star), _ = optimal_parameters()
    excess = sp.Symbol("c_rosen", positive=True)  # sqrt(kappa) = 1 + c encodes kappa > 1
    spectrum = {mu: 4 / (kappa - 1), L: 4 * kappa / (kappa - 1)}
    rate = sp.sqrt(sp.factor(beta_star.subs(spectrum).subs(kappa, (1 + excess) ** 2)))
    return sp.simplify(rate).subs(excess, sp.sqrt(kappa) - 1), (sp.sqrt(kappa) - 1) / (
        sp.sqrt(kappa) + 1
    )


def tuned_parameters_on_convex_rosenbrock() -> tuple[
    tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]
]:
    r"""The tuned heavy ball has :math:`\eta^\star = r` and :math:`\beta^\star = r^2`.

    Tuned for :math:`[\tfrac{4}{\kappa-1}, \tfrac{4\kappa}{\kappa-1}]`. Returns
    :math:`(\eta^\star, \beta^\star)` from :func:`optimal_parameters` and
    :math:`(r, r^2)` with :math:`r = (\sqrt\kappa-1)/(\sqrt\kappa+1)`.
    """
    (step, b), _ = optimal_parameters()
    spectrum = {mu: 4 / (kappa - 1), L: 4 * kappa / (kappa - 1)}
    r = (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1)
    return (sp.simplify(step.subs(spectrum)), sp.simplify(b.subs(spectrum))), (r, r**2)


def heavy_ball_fills_one_coordinate() -> tuple[sp.Matrix, sp.Matrix]:
    r"""Tuned heavy ball on the infinite convex Rosenbrock fills one coordinate per step.

    If :math:`w_{k-1}, w_k` are :math:`w^\star` cut after :math:`k-1` and :math:`k`
    coordinates, :math:`w_{k+1}` is :math:`w^\star` cut after :math:`k+1`.

    In terms of :math:`r`, :math:`\tfrac{4}{\kappa-1} = (1-r)^2/r`, so
    :math:`\partial f/\partial w_i = -w_{i-1} + \tfrac{1+r^2}{r} w_i - w_{i+1}` (with
    :math:`w_0 = 1`). The two-step update :math:`w_{k+1} = w_k - \eta\nabla f(w_k) +
    \beta(w_k - w_{k-1})` with :math:`\eta = r`, :math:`\beta = r^2` is evaluated on
    the coordinates :math:`k-1, \dots, k+2` (the gradient vanishes on all earlier
    ones, and everything after :math:`k+2` is zero). Returns those four new
    coordinates and :math:`(r^{k-1}, r^k, r^{k+1}, 0)`: by induction from
    :math:`w_0 = w_{-1} = 0`, the iterate :math:`w_k` equals :math:`w^\star` on its
    first :math:`k` coordinates, and its error is exactly the tail of :math:`w^\star`.
    """
    kk = sp.Symbol("k_front", integer=True, positive=True)  # the step, k >= 1
    idx = [kk - 2, kk - 1, kk, kk + 1, kk + 2, kk + 3]  # a window around the front
    current = [_rho**i if j < 3 else sp.Integer(0) for j, i in enumerate(idx)]  # w_k
    previous = [_rho**i if j < 2 else sp.Integer(0) for j, i in enumerate(idx)]  # w_{k-1}
    diag = (1 + _rho**2) / _rho  # 2 + 4/(kappa - 1) written in r
    new = []
    for j in range(1, 5):  # coordinates k-1 .. k+2
        grad = -current[j - 1] + diag * current[j] - current[j + 1]
        step = current[j] - _rho * grad + _rho**2 * (current[j] - previous[j])
        new.append(sp.simplify(sp.powsimp(sp.expand(step))))
    claimed = [_rho ** (kk - 1), _rho**kk, _rho ** (kk + 1), sp.Integer(0)]
    return sp.Matrix(new), sp.Matrix(claimed)


# --------------------------------------------------------------------------------------
# Noisy gradients: the stationary variance of the heavy ball
# --------------------------------------------------------------------------------------

_a = sp.Symbol("a", positive=True)  # effective step on one coordinate, a = eta*lambda/(1-beta)


@cache
def heavy_ball_stationary_covariance() -> tuple[sp.Matrix, sp.Matrix]:
    r"""Solve the discrete Lyapunov equation :math:`P = R P R^\top + \sigma^2 c c^\top`.

    Here :math:`c = (1, -\eta)^\top`. On :math:`f = \tfrac12\lambda x^2` with gradients
    :math:`\lambda x + \sigma\xi_t` (:math:`\xi_t` independent, mean 0, variance 1) the
    sum form is
    :math:`(b_t, x_t) = R\,(b_{t-1}, x_{t-1}) + \sigma\xi_t\,(1, -\eta)`: the noise
    enters the buffer whole and the iterate through :math:`-\eta`. The stationary
    covariance :math:`P` of :math:`(b, x)` is the fixed point of
    :math:`P \mapsto R P R^\top + \sigma^2 c c^\top` (the cross terms with
    :math:`\xi_t` have mean zero). Returns the solution and the printed matrix.
    """
    matrix, _ = heavy_ball_iteration_matrix()
    p_bb, p_bx, p_xx = sp.symbols("p_bb p_bx p_xx", real=True)
    cov = sp.Matrix([[p_bb, p_bx], [p_bx, p_xx]])
    c = sp.Matrix([1, -eta])
    residual = matrix * cov * matrix.T + sigma**2 * c * c.T - cov
    unknowns = [p_bb, p_bx, p_xx]
    (solution,) = sp.solve([residual[0, 0], residual[0, 1], residual[1, 1]], unknowns, dict=True)
    derived = sp.simplify(cov.subs(solution))
    scale = (1 - beta) * (2 * (1 + beta) - eta * lam)
    claimed = sp.Matrix(
        [
            [2 * sigma**2 / scale, -eta * sigma**2 / scale],
            [-eta * sigma**2 / scale, eta * sigma**2 * (1 + beta) / (lam * scale)],
        ]
    )
    return derived, claimed


def heavy_ball_noise_floor() -> tuple[sp.Expr, sp.Expr]:
    r"""Stationary :math:`\mathbb E[x^2]` of the heavy ball.

    :math:`\mathbb E[x^2]
    = \frac{\eta\sigma^2(1+\beta)}{\lambda(1-\beta)\,(2(1+\beta) - \eta\lambda)}`: the
    lower-right entry of :func:`heavy_ball_stationary_covariance`; it needs
    :math:`0 < \eta\lambda < 2 + 2\beta`, the stability condition.
    """
    derived, _ = heavy_ball_stationary_covariance()
    claimed = eta * sigma**2 * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - eta * lam))
    return derived[1, 1], claimed


def noise_floor_at_beta_zero() -> tuple[sp.Expr, sp.Expr]:
    r"""At :math:`\beta = 0` the heavy ball's floor is gradient descent's.

    That is :math:`\eta\sigma^2/(\lambda(2 - \eta\lambda))`.
    """
    floor, _ = heavy_ball_noise_floor()
    _, gd_floor = gd_claims.sgd_noise_floor()
    return sp.simplify(floor.subs(beta, 0)), gd_floor


def noise_floor_leading_order() -> tuple[sp.Expr, sp.Expr]:
    r"""Leading terms in :math:`\eta`, at fixed :math:`\beta`, of the heavy ball's floor and GD's.

    The heavy ball runs at :math:`\eta`, GD at :math:`\eta/(1-\beta)`; both leading terms
    are :math:`\eta\sigma^2/(2\lambda(1-\beta))`. The expansion is *not* uniform in
    :math:`\beta`: the next term is of relative order :math:`a = \eta\lambda/(1-\beta)`, which
    is large when :math:`\beta` is close to 1 however small :math:`\eta\lambda` is
    (:func:`noise_floor_ratio_first_order`). The statement that holds is first order in
    :math:`a`.
    """
    floor, _ = heavy_ball_noise_floor()
    _, gd_floor = gd_claims.sgd_noise_floor()
    gd_effective = gd_floor.subs(eta, eta / (1 - beta))
    leading = [sp.simplify(sp.series(f, eta, 0, 2).removeO()) for f in (floor, gd_effective)]
    return leading[0], leading[1]


def noise_floor_ratio_first_order() -> tuple[sp.Expr, sp.Expr]:
    r"""The floor ratio of :func:`noise_floor_ratio_in_effective_step` to first order in :math:`a`.

    It is :math:`1 - \frac{\beta}{1+\beta}\,a + O(a^2)`, and the coefficient
    :math:`\beta/(1+\beta)` lies in :math:`[0, \tfrac12)` for every :math:`\beta`: to first
    order in the effective step :math:`a = \eta\lambda/(1-\beta)`, uniformly in :math:`\beta`,
    momentum at :math:`\eta` has the floor of gradient descent at :math:`\eta/(1-\beta)`. At
    :math:`\eta\lambda = 0.01` and :math:`\beta = 0.99` (so :math:`a = 1`) the two floors
    differ by a factor of about 2, small :math:`\eta\lambda` notwithstanding.
    """
    _, ratio = noise_floor_ratio_in_effective_step()
    return sp.simplify(sp.series(ratio, _a, 0, 2).removeO()), 1 - beta / (1 + beta) * _a


def noise_floor_ratio_to_effective_gd() -> tuple[sp.Expr, sp.Expr]:
    r"""Exact ratio of the heavy ball's floor to GD's at :math:`\eta/(1-\beta)`.

    :math:`\frac{2(1-\beta^2) - (1+\beta)\eta\lambda}{2(1-\beta^2) - (1-\beta)\eta\lambda}`.
    The numerator is the denominator minus :math:`2\beta\eta\lambda`, so the ratio
    is at most 1: momentum's floor is never above that of gradient descent at the
    effective rate (where that is stable), and equal to first order.
    """
    floor, _ = heavy_ball_noise_floor()
    _, gd_floor = gd_claims.sgd_noise_floor()
    ratio = sp.simplify(floor / gd_floor.subs(eta, eta / (1 - beta)))
    claimed = (2 * (1 - beta**2) - (1 + beta) * eta * lam) / (
        2 * (1 - beta**2) - (1 - beta) * eta * lam
    )
    return ratio, claimed


def noise_floor_ratio_in_effective_step() -> tuple[sp.Expr, sp.Expr]:
    r"""The ratio of :func:`noise_floor_ratio_to_effective_gd` in the effective step :math:`a`.

    With :math:`\eta\lambda = a(1-\beta)` it is
    :math:`\frac{(1+\beta)(2-a)}{2(1+\beta) - (1-\beta)a}`: 1 at :math:`a = 0`,
    falling (for :math:`\beta > 0`) to 0 as :math:`a \to 2`, the stability limit of
    gradient descent at the effective rate. Momentum's exact floor is therefore much
    lower than that of gradient descent at :math:`\eta/(1-\beta)` near that limit.
    """
    ratio, _ = noise_floor_ratio_to_effective_gd()
    derived = sp.simplify(ratio.subs(eta, _a * (1 - beta) / lam))
    claimed = (1 + beta) * (2 - _a) / (2 * (1 + beta) - (1 - beta) * _a)
    return derived, claimed


def noise_floor_ratio_slope() -> tuple[sp.Expr, sp.Expr]:
    r"""The derivative in :math:`a` of :func:`noise_floor_ratio_in_effective_step`.

    Times the squared denominator it is :math:`-4\beta(1+\beta) < 0`: the ratio falls
    monotonically from 1 (:math:`a = 0`) to 0 (:math:`a = 2`).
    """
    _, ratio = noise_floor_ratio_in_effective_step()
    denominator = 2 * (1 + beta) - (1 - beta) * _a
    return sp.factor(sp.simplify(sp.diff(ratio, _a) * denominator**2)), -4 * beta * (1 + beta)


def best_rate_at_effective_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Best heavy-ball rate on one coordinate at fixed :math:`a = \eta\lambda/(1-\beta)`.

    :math:`\sqrt\beta = (1-a)/(1+a)`. Holding the effective step holds the noise floor
    (to first order). With :math:`\eta\lambda = a(1-\beta)` the critical-damping
    condition :math:`1 + \beta - \eta\lambda = 2\sqrt\beta` becomes a quadratic in
    :math:`q = \sqrt\beta`; its roots are :math:`q = 1` (no damping at all) and
    :math:`q = (1-a)/(1+a)`. Gradient descent at the same effective step has the factor
    :math:`1 - a`.
    """
    q = sp.Symbol("q_sqrt_beta", positive=True)  # sqrt(beta)
    condition = 1 + q**2 - _a * (1 - q**2) - 2 * q
    roots = sp.solve(condition, q)
    (chosen,) = [r for r in roots if sp.simplify(r - 1) != 0]
    return sp.simplify(chosen), (1 - _a) / (1 + _a)


def critical_damping_is_best_at_effective_step() -> tuple[list[sp.Expr], list[sp.Expr]]:
    r"""At a fixed effective step :math:`a \in (0, 1)`, critical damping is the best :math:`\beta`.

    Here :math:`a = \eta\lambda/(1-\beta)`. Above critical damping the roots are complex
    with modulus :math:`\sqrt\beta` (:func:`complex_root_modulus`), which grows with
    :math:`\beta`. Below it,
    :math:`\beta < \beta_c = ((1-a)/(1+a))^2`, the roots are real and the larger one,
    :math:`\rho = (s + \sqrt{s^2 - 4\beta})/2` with :math:`s = (1-a) + (1+a)\beta`,
    falls as :math:`\beta` grows:

    1. :math:`\rho'\,(2\rho - s) = (1+a)\rho - 1`, and :math:`2\rho - s = \sqrt\Delta > 0`;
    2. the characteristic polynomial at :math:`z = 1/(1+a)` is :math:`a^2/(1+a)^2 > 0`;
    3. :math:`(1+a)(2z - s)` is :math:`2a > 0` at :math:`\beta_c` and falls with
       :math:`\beta` (slope :math:`-(1+a)^2`), so :math:`z` lies right of the vertex
       :math:`s/2` for every :math:`\beta < \beta_c`.

    By 2 and 3, :math:`z` lies above the larger root, :math:`(1+a)\rho < 1`, and by 1
    :math:`\rho' < 0`. Returns the four derived quantities (1; 2; 3 at :math:`\beta_c`;
    the slope in 3) and the claimed ``[0, a^2/(1+a)^2, 2a, -(1+a)^2]``.
    """
    s = (1 - _a) + (1 + _a) * beta
    rho = (s + sp.sqrt(s**2 - 4 * beta)) / 2
    implicit = sp.simplify(sp.diff(rho, beta) * (2 * rho - s) - ((1 + _a) * rho - 1))
    z_mark = 1 / (1 + _a)
    at_mark = sp.simplify(z_mark**2 - s * z_mark + beta)
    right_of_vertex = (1 + _a) * (2 * z_mark - s)
    beta_c = ((1 - _a) / (1 + _a)) ** 2
    derived = [
        implicit,
        at_mark,
        sp.simplify(right_of_vertex.subs(beta, beta_c)),
        sp.expand(sp.diff(right_of_vertex, beta)),
    ]
    claimed = [sp.Integer(0), _a**2 / (1 + _a) ** 2, 2 * _a, -((1 + _a) ** 2)]
    return derived, claimed


def effective_step_at_equal_rate() -> tuple[sp.Expr, sp.Expr]:
    r"""First-order floor of the best momentum over GD's, both decaying at the rate :math:`\rho`.

    Gradient descent needs :math:`a = 1 - \rho`, momentum (critically damped,
    :func:`best_rate_at_effective_step`) only :math:`a = (1-\rho)/(1+\rho)`. Their
    ratio, which to first order is the ratio of the floors, is :math:`1 + \rho \in (1, 2)`:
    within a fixed budget of steps momentum reaches :math:`1/(1+\rho)` times the floor of
    gradient descent: lower, but never below half of it.
    """
    rate = sp.Symbol("rho", positive=True)
    _, best = best_rate_at_effective_step()
    (a_momentum,) = sp.solve(sp.Eq(best, rate), _a)
    return sp.simplify((1 - rate) / a_momentum), 1 + rate


def effective_step_speedup() -> tuple[sp.Expr, sp.Expr]:
    r"""Steps per factor :math:`e`, GD over the best heavy ball at equal effective step :math:`a`.

    The ratio tends to 2 as :math:`a \to 0`,
    :math:`\ln\frac{1-a}{1+a} \big/ \ln(1-a) \to 2`: at a fixed (small) noise floor,
    momentum's slowest direction settles at most twice as fast, whatever :math:`\kappa`.
    """
    hb_rate, _ = best_rate_at_effective_step()
    ratio = sp.log(hb_rate) / sp.log(1 - _a)
    return sp.limit(ratio, _a, 0), sp.Integer(2)


def tuned_effective_step() -> tuple[sp.Expr, sp.Expr]:
    r"""The effective step :math:`\eta^\star/(1-\beta^\star)` of tuned momentum.

    It is :math:`1/\sqrt{\mu L}`. That is
    :math:`(\kappa+1)/(2\sqrt\kappa) \approx \sqrt\kappa/2` times gradient descent's
    best step :math:`2/(\mu + L)`: the :math:`\sqrt\kappa` speed-up comes with a
    proportionally larger step, and with it (to first order) a larger floor.
    """
    (step, b), _ = optimal_parameters()
    return sp.simplify(step / (1 - b)), 1 / sp.sqrt(mu * L)


def tuned_noise_floor_ratio() -> tuple[tuple[sp.Expr, sp.Expr], sp.Expr]:
    r"""Floor of tuned momentum over floor of tuned GD, at :math:`\lambda = \mu` and :math:`L`.

    Both are :math:`(\kappa+1)/(2\sqrt\kappa)`. Momentum at
    :math:`(\eta^\star, \beta^\star)` of :func:`optimal_parameters` against gradient
    descent at :math:`2/(\mu + L)`, each with the exact floors
    (:func:`heavy_ball_noise_floor` and the previous chapter's). The ratio is the ratio
    of their effective steps (:func:`tuned_effective_step`), exactly, at both ends of
    the spectrum. Computed with :math:`L = q^2\mu`, :math:`q = \sqrt\kappa`.
    """
    floor, _ = heavy_ball_noise_floor()
    _, gd_floor = gd_claims.sgd_noise_floor()
    (step, b), _ = optimal_parameters()
    q = sp.Symbol("q_sqrt_kappa", positive=True)
    ratios = []
    for eig in (mu, L):
        hb = floor.subs({eta: step, beta: b, lam: eig})
        gd = gd_floor.subs({eta: 2 / (mu + L), lam: eig})
        ratio = sp.factor(sp.simplify((hb / gd).subs(L, q**2 * mu)))
        ratios.append(sp.simplify(ratio.subs(q, sp.sqrt(kappa))))
    return (ratios[0], ratios[1]), (kappa + 1) / (2 * sp.sqrt(kappa))


# --------------------------------------------------------------------------------------
# The stationary covariance by hand, three expectations
# --------------------------------------------------------------------------------------

_p_bb = sp.Symbol("p_bb_hand", real=True)  # E[b^2]
_p_bx = sp.Symbol("p_bx_hand", real=True)  # E[b x]
_p_xx = sp.Symbol("p_xx_hand", real=True)  # E[x^2]
_xi = sp.Symbol("xi_noise", real=True)  # the fresh noise, mean 0, variance 1


def _expectation(expr: sp.Expr) -> sp.Expr:
    """E of a polynomial in (b, x, xi): b, x stationary with moments p, xi independent N(0, 1)."""
    moments = {(2, 0): _p_bb, (1, 1): _p_bx, (0, 2): _p_xx, (1, 0): 0, (0, 1): 0, (0, 0): 1}
    noise = {0: 1, 1: 0, 2: 1}
    total = sp.Integer(0)
    for (i, j, n), coeff in sp.Poly(sp.expand(expr), b, x, _xi).terms():
        total += coeff * moments[(i, j)] * noise[n]
    return sp.expand(total)


def stationary_moment_equations() -> tuple[list[sp.Expr], list[sp.Expr]]:
    r"""The three equations a hand derivation of the floor uses, from the noisy update itself.

    With :math:`b' = \beta b + \lambda x + \sigma\xi` and :math:`x' = x - \eta b'`, and
    :math:`p = \mathbb E[b^2]`, :math:`q = \mathbb E[bx]`, :math:`r = \mathbb E[x^2]` the same
    before and after the step (stationarity):

    * :math:`\mathbb E[x'^2] = r` gives :math:`2\,\mathbb E[x b'] = \eta\,\mathbb E[b'^2]`,
      that is :math:`2(\beta q + \lambda r) = \eta p`;
    * :math:`\mathbb E[b'^2] = p`: :math:`\beta^2 p + 2\beta\lambda q + \lambda^2 r + \sigma^2 = p`;
    * :math:`\mathbb E[x' b'] = q`: :math:`\beta q + \lambda r - \eta p = q`.

    Returns the three residuals (new moment minus old) computed by expectation and the
    three written above, each as ``lhs - rhs``.
    """
    b_next = beta * b + lam * x + sigma * _xi
    x_next = x - eta * b_next
    derived = [
        _expectation(x_next**2) - _p_xx,
        _expectation(b_next**2) - _p_bb,
        _expectation(x_next * b_next) - _p_bx,
    ]
    e_x_b = beta * _p_bx + lam * _p_xx  # E[x b']
    e_bb = beta**2 * _p_bb + 2 * beta * lam * _p_bx + lam**2 * _p_xx + sigma**2  # E[b'^2]
    claimed = [-2 * eta * e_x_b + eta**2 * e_bb, e_bb - _p_bb, e_x_b - eta * e_bb - _p_bx]
    return derived, [sp.expand(c) for c in claimed]


def stationary_covariance_by_hand() -> tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]:
    r"""Solve the three moment equations in the order of the text.

    The first and third give :math:`q = -\eta p/2`, then :math:`\lambda r = \eta p(1+\beta)/2`;
    the second then reads :math:`p(1-\beta)\big((1+\beta) - \eta\lambda/2\big) = \sigma^2`.
    Returns the solution of the three equations for :math:`(p, q, r)` and the printed
    :math:`p = \frac{2\sigma^2}{(1-\beta)(2(1+\beta) - \eta\lambda)}`,
    :math:`q = -\eta p/2`, :math:`r = \eta p (1+\beta)/(2\lambda)`: the entries of
    :func:`heavy_ball_stationary_covariance`.
    """
    e_x_b = beta * _p_bx + lam * _p_xx
    equations = [
        2 * e_x_b - eta * _p_bb,
        beta**2 * _p_bb + 2 * beta * lam * _p_bx + lam**2 * _p_xx + sigma**2 - _p_bb,
        e_x_b - eta * _p_bb - _p_bx,
    ]
    (solution,) = sp.solve(equations, [_p_bb, _p_bx, _p_xx], dict=True)
    p = 2 * sigma**2 / ((1 - beta) * (2 * (1 + beta) - eta * lam))
    claimed = (p, -eta * p / 2, eta * p * (1 + beta) / (2 * lam))
    derived = tuple(sp.simplify(solution[v]) for v in (_p_bb, _p_bx, _p_xx))
    return derived, claimed


# --------------------------------------------------------------------------------------
# The saddle
# --------------------------------------------------------------------------------------


def saddle_characteristic_polynomial() -> tuple[sp.Expr, sp.Expr]:
    r"""At curvature :math:`-\gamma` the polynomial is :math:`z^2 - (1+\beta+\eta\gamma)z + \beta`.

    :func:`~gdbook.derivations.momentum.heavy_ball_characteristic_polynomial` with
    :math:`\lambda = -\gamma`. Its roots are real and positive and multiply to
    :math:`\beta`, the larger one exceeds :math:`1 + \eta\gamma` for :math:`\beta > 0`
    (:func:`saddle_factor_exceeds_gradient_descent`): near a saddle momentum grows the
    escaping coordinate faster than gradient descent with the same :math:`\eta`.
    """
    poly, _ = heavy_ball_characteristic_polynomial()
    return sp.expand(poly.subs(lam, -gamma_saddle)), sp.expand(
        z**2 - (1 + beta + eta * gamma_saddle) * z + beta
    )


def saddle_factor_exceeds_gradient_descent() -> tuple[sp.Expr, sp.Expr]:
    r"""The saddle polynomial at :math:`z = 1 + \eta\gamma` is :math:`-\beta\eta\gamma < 0`.

    A monic quadratic that is negative at a point has its larger root to the right of it:
    the heavy ball's escape factor is above gradient descent's :math:`1 + \eta\gamma`.
    """
    _, poly = saddle_characteristic_polynomial()
    return sp.expand(poly.subs(z, 1 + eta * gamma_saddle)), -beta * eta * gamma_saddle
