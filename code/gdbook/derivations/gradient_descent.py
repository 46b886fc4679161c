r"""SymPy claims behind the chapter *The gradient-descent problem*.

Each public function returns SymPy objects: a pair ``(derived, claimed)`` whose
difference simplifies to zero (or two equal sets or matrices). The derived side
is computed from the update rule; the claimed side is what the chapter prints.

Symbols: :math:`\eta` learning rate, :math:`\lambda, \lambda_i` Hessian
eigenvalues, :math:`\mu, L` the extreme eigenvalues, :math:`\kappa = L/\mu`,
:math:`y_i` error coordinates along the eigenvectors, :math:`\sigma` the standard
deviation of the gradient noise, :math:`\gamma` the negative curvature at a saddle
(``gamma_saddle``; Ruder's momentum is :data:`gdbook.derivations.gamma`),
:math:`\epsilon` a tolerance (``tol``; Adam's is :data:`gdbook.derivations.epsilon`).
The shared ones come from :mod:`gdbook.derivations`.
"""

from __future__ import annotations

import functools

import sympy as sp

from gdbook.derivations import (
    L,
    eta,
    gamma_saddle,
    k,
    k_real,
    kappa,
    lam,
    mu,
    rates,
    sigma,
    tol,
    x,
    x_0,
    y,
)

x_star = sp.Symbol("x^{\\star}", real=True)  # the minimiser (early-stopping exercise)
lam_1 = sp.Symbol("lambda_1", positive=True)
lam_2 = sp.Symbol("lambda_2", positive=True)
y_1 = sp.Symbol("y_1", real=True)  # error coordinates in the eigenbasis
y_2 = sp.Symbol("y_2", real=True)
y_10 = sp.Symbol("y_{1,0}", real=True)  # their starting values
y_20 = sp.Symbol("y_{2,0}", real=True)
angle = sp.Symbol("theta_valley", real=True)  # rotation angle of the valley
delta = sp.Symbol("delta", positive=True)  # escape distance from the saddle
floor = sp.Symbol("v_floor", nonnegative=True)  # stationary second moment E[x^2]
m_0 = sp.Symbol("m_0", nonnegative=True)  # initial second moment E[x_0^2]
h_11, h_12, h_22 = sp.symbols("h_11 h_12 h_22", real=True)  # a symmetric 2 x 2 Hessian
e_1, e_2 = sp.symbols("e_1 e_2", real=True)  # error x - x* in a general 2-D valley


def _ratio(top: sp.Expr, bottom: sp.Expr) -> sp.Expr:
    """``top / bottom`` kept as written, so that it prints as (kappa - 1)/(kappa + 1)."""
    keep = [sp.Add(*a.as_ordered_terms(), evaluate=False) for a in (top, bottom)]
    return sp.Mul(keep[0], sp.Pow(keep[1], -1, evaluate=False), evaluate=False)


def _rotation() -> sp.Matrix:
    return sp.Matrix([[sp.cos(angle), -sp.sin(angle)], [sp.sin(angle), sp.cos(angle)]])


def contraction_factor() -> tuple[sp.Expr, sp.Expr]:
    r"""One step on :math:`f = \tfrac12\lambda x^2` multiplies :math:`x` by :math:`1 - \eta\lambda`.

    Derived by substituting :math:`f'(x) = \lambda x` into :math:`x - \eta f'(x)`.
    """
    f = lam * x**2 / 2
    x_next = x - eta * sp.diff(f, x)
    return sp.simplify(x_next / x), 1 - eta * lam


def eigenbasis_solution() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`y_{k+1} = (1 - \eta\lambda) y_k` solves to :math:`y_k = (1 - \eta\lambda)^k y_0`."""
    solved = sp.rsolve(y(k + 1) - (1 - eta * lam) * y(k), y(k), {y(0): x_0})
    return solved, (1 - eta * lam) ** k * x_0


def gradient_step_in_eigenbasis() -> tuple[sp.Matrix, sp.Matrix]:
    r"""In :math:`y = Q^\top (x - x^\star)` one GD step is :math:`y \mapsto (I - \eta\Lambda)\,y`.

    Derived for a valley rotated by a symbolic angle :math:`\theta`, with
    :math:`A = Q \Lambda Q^\top`: map :math:`y` to :math:`x`, take the step
    :math:`x - \eta A (x - x^\star)`, map back. The :math:`\eta` is what D2L's
    momentum section drops.
    """
    Q = _rotation()
    Lam = sp.diag(lam_1, lam_2)
    A = Q * Lam * Q.T
    err = Q * sp.Matrix([y_1, y_2])  # x - x*
    err_next = err - eta * A * err
    derived = sp.simplify(Q.T * err_next)
    return derived, (sp.eye(2) - eta * Lam) * sp.Matrix([y_1, y_2])


def loss_in_eigenbasis() -> tuple[sp.Expr, sp.Expr]:
    r"""The loss in the eigenbasis.

    :math:`f(x) - f^\star = \tfrac12 (x - x^\star)^\top A (x - x^\star)
    = \tfrac12 \sum_i \lambda_i y_i^2`.
    """
    Q = _rotation()
    A = Q * sp.diag(lam_1, lam_2) * Q.T
    err = Q * sp.Matrix([y_1, y_2])
    derived = sp.simplify((err.T * A * err)[0, 0] / 2)
    return derived, sp.Rational(1, 2) * (lam_1 * y_1**2 + lam_2 * y_2**2)


def loss_decomposition() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`f(x_k) - f^\star = \tfrac12 \sum_i \lambda_i (1 - \eta\lambda_i)^{2k} y_{i,0}^2`.

    Derived by putting :math:`y_{i,k} = (1 - \eta\lambda_i)^k y_{i,0}` into
    :func:`loss_in_eigenbasis`. Goh (2017) prints the sum without the
    :math:`\tfrac12` (distill issue #98); see :func:`distill_loss_decomposition`.
    """
    _, loss = loss_in_eigenbasis()
    derived = loss.subs(
        {y_1: (1 - eta * lam_1) ** k * y_10, y_2: (1 - eta * lam_2) ** k * y_20},
        simultaneous=True,
    )
    claimed = sp.Rational(1, 2) * sum(
        (li * (1 - eta * li) ** (2 * k) * yi**2 for li, yi in ((lam_1, y_10), (lam_2, y_20))),
        sp.Integer(0),
    )
    return sp.expand(sp.powsimp(derived, force=True)), claimed


def distill_loss_decomposition() -> sp.Expr:
    r"""Goh (2017)'s printed form :math:`\sum_i (1 - \alpha\lambda_i)^{2k} \lambda_i (x_i^0)^2`.

    It is twice the loss.
    """
    return sum(
        ((1 - eta * li) ** (2 * k) * li * yi**2 for li, yi in ((lam_1, y_10), (lam_2, y_20))),
        sp.Integer(0),
    )


def stability_interval() -> tuple[sp.Set, sp.Set]:
    r""":math:`|1 - \eta\lambda| < 1` holds exactly for :math:`0 < \eta < 2/\lambda`."""
    step = sp.Symbol("eta_any", real=True)  # a learning rate of either sign
    derived = sp.solveset(sp.Abs(1 - step * lam) < 1, step, sp.S.Reals)
    return derived, sp.Interval.open(0, 2 / lam)


def optimal_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Balancing the extreme directions gives :math:`\eta^\star = 2/(\mu + L)`.

    The balance is :math:`1 - \eta\mu = -(1 - \eta L)`.
    """
    (solution,) = sp.solve(sp.Eq(1 - eta * mu, -(1 - eta * L)), eta)
    return solution, 2 / (mu + L)


def optimal_rate() -> tuple[sp.Expr, sp.Expr]:
    r"""At :math:`\eta^\star` the slowest contraction is :math:`(\kappa - 1)/(\kappa + 1)`.

    Here :math:`\kappa = L/\mu`.
    """
    step, _ = optimal_step()
    derived = sp.simplify((1 - step * mu).subs(L, kappa * mu))
    return derived, _ratio(kappa - 1, kappa + 1)


def iterations_for_tolerance() -> tuple[sp.Expr, sp.Expr]:
    r"""Solving :math:`r^k = \epsilon` for :math:`k`: :math:`k = \ln\epsilon / \ln r`.

    Here :math:`r = (\kappa - 1)/(\kappa + 1)`.
    """
    _, rate = optimal_rate()
    (solution,) = sp.solve(sp.Eq(rate**k_real, tol), k_real)
    return solution, sp.log(tol) / sp.log(rate)


def iterations_per_efold() -> tuple[sp.Expr, sp.Expr]:
    r"""Steps per factor :math:`e` for large :math:`\kappa`.

    :math:`-1/\ln\frac{\kappa - 1}{\kappa + 1}
    = \frac{\kappa}{2} - \frac{1}{6\kappa} + O(\kappa^{-3})`. The linear growth in
    :math:`\kappa` behind the :math:`\kappa` experiment (F10).
    """
    _, rate = optimal_rate()
    series = sp.series(-1 / sp.log(rate), kappa, sp.oo, n=3).removeO()
    return series, kappa / 2 - 1 / (6 * kappa)


@functools.cache  # SymPy objects are immutable; line_search_orthogonality reuses it
def exact_line_search_step() -> tuple[sp.Expr, sp.Expr]:
    r"""Minimising :math:`\varphi(\eta) = f(x - \eta g)` gives :math:`\eta = g^\top g/g^\top A g`.

    Derived on a quadratic with a general symmetric :math:`2\times 2` Hessian and error
    :math:`e = x - x^\star`.
    """
    A = sp.Matrix([[h_11, h_12], [h_12, h_22]])
    err = sp.Matrix([e_1, e_2])
    g = A * err
    step = sp.Symbol("eta_line", real=True)  # the step along -g
    phi = ((err - step * g).T * A * (err - step * g))[0, 0] / 2
    (solution,) = sp.solve(sp.diff(phi, step), step)
    return sp.simplify(solution), sp.simplify((g.T * g)[0, 0] / (g.T * A * g)[0, 0])


def line_search_orthogonality() -> tuple[sp.Expr, sp.Expr]:
    r"""With the exact step, consecutive gradients are orthogonal: :math:`g_{k+1}^\top g_k = 0`."""
    A = sp.Matrix([[h_11, h_12], [h_12, h_22]])
    err = sp.Matrix([e_1, e_2])
    g = A * err
    step, _ = exact_line_search_step()
    g_next = A * (err - step * g)
    return sp.simplify((g_next.T * g)[0, 0]), sp.Integer(0)


def sgd_noise_floor() -> tuple[sp.Expr, sp.Expr]:
    r"""Stationary :math:`\mathbb E[x^2]` of :math:`x_{k+1} = (1-\eta\lambda)x_k - \eta\sigma\xi_k`.

    It is :math:`\frac{\eta\sigma^2}{\lambda(2 - \eta\lambda)}`, from
    :math:`v = (1 - \eta\lambda)^2 v + \eta^2\sigma^2` (independent noise of mean 0 and
    variance 1; the cross term has mean zero).
    """
    (solution,) = sp.solve(sp.Eq(floor, (1 - eta * lam) ** 2 * floor + eta**2 * sigma**2), floor)
    return solution, eta * sigma**2 / (lam * (2 - eta * lam))


def sgd_second_moment() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\mathbb E[x_k^2] = v + (1 - \eta\lambda)^{2k} (\mathbb E[x_0^2] - v)`.

    :math:`v` is the noise floor. The transient decays at the squared contraction factor;
    what is left is the floor.
    """
    moment = sp.Function("E_x2")  # E[x_k^2]
    factor = sp.Symbol("rho_squared", positive=True)  # (1 - eta*lambda)^2, whole for rsolve
    solved = sp.rsolve(
        moment(k + 1) - factor * moment(k) - eta**2 * sigma**2, moment(k), {moment(0): m_0}
    )
    derived = solved.subs(factor, (1 - eta * lam) ** 2)
    _, floor = sgd_noise_floor()
    return derived, floor + (1 - eta * lam) ** (2 * k) * (m_0 - floor)


def saddle_escape_steps() -> tuple[sp.Expr, sp.Expr]:
    r"""Steps from :math:`y_0` to :math:`\delta` near a saddle with curvature :math:`-\gamma`.

    Reaching distance :math:`\delta` takes :math:`\ln(\delta/y_0)/\ln(1 + \eta\gamma)` steps.
    The linearised step along the descending direction is
    :math:`y_{k+1} = y_k - \eta(-\gamma y_k) = (1 + \eta\gamma)\,y_k`.
    """
    y0 = sp.Symbol("y_0", positive=True)
    factor = sp.simplify((x - eta * sp.diff(-gamma_saddle * x**2 / 2, x)) / x)
    (solution,) = sp.solve(sp.Eq(factor**k_real * y0, delta), k_real)
    return solution, sp.log(delta / y0) / sp.log(1 + eta * gamma_saddle)


def early_stopping_filter() -> tuple[sp.Expr, sp.Expr]:
    r"""GD from :math:`x_0 = 0` on :math:`\tfrac12\lambda (x - x^\star)^2`, after :math:`k` steps.

    It gives :math:`x_k = (1 - (1 - \eta\lambda)^k)\,x^\star`. The factor is the spectral
    filter of early stopping (Goh 2017, "early stopping").
    """
    xk = sp.Function("x_seq")  # x_k
    solved = sp.rsolve(xk(k + 1) - xk(k) + eta * lam * (xk(k) - x_star), xk(k), {xk(0): 0})
    return solved, (1 - (1 - eta * lam) ** k) * x_star


def noise_floor_difference() -> tuple[sp.Expr, sp.Expr]:
    r"""Flat floor minus steep floor: positive exactly for :math:`\eta < 2/(\mu + L)`.

    With the floor :math:`\eta\sigma^2/(\lambda(2 - \eta\lambda))` of
    :func:`sgd_noise_floor` at :math:`\lambda = \mu` and :math:`\lambda = L`, the difference
    is :math:`\frac{\eta\sigma^2 (L - \mu)(2 - \eta(\mu + L))}{\mu L (2 - \eta\mu)(2 - \eta L)}`:
    for every stable :math:`\eta` the other factors are positive, so the flat direction's
    floor is the larger one below :math:`\eta^\star = 2/(\mu + L)`, the two are equal at
    :math:`\eta^\star`, and above it the steep direction's floor dominates.
    """
    _, per_direction = sgd_noise_floor()
    derived = sp.factor(per_direction.subs(lam, mu) - per_direction.subs(lam, L))
    claimed = (
        eta * sigma**2 * (L - mu) * (2 - eta * (mu + L)) / (mu * L * (2 - eta * mu) * (2 - eta * L))
    )
    return derived, claimed


def level_set_aspect_ratio() -> tuple[sp.Expr, sp.Expr]:
    r"""The valley's level sets have the aspect ratio :math:`\sqrt\kappa`.

    They are the ellipses :math:`\tfrac12(\mu y_1^2 + L y_2^2) = c`.

    Their half-axes are :math:`\sqrt{2c/\mu}` and :math:`\sqrt{2c/L}`: a valley whose
    curvature ratio is :math:`\kappa` is :math:`\sqrt\kappa` times longer than wide, so a
    valley ten times narrower has a :math:`\kappa` a hundred times larger.
    """
    level = sp.Symbol("c_level", positive=True)
    derived = sp.simplify((sp.sqrt(2 * level / mu) / sp.sqrt(2 * level / L)).subs(L, kappa * mu))
    return derived, sp.sqrt(kappa)


def gradient_method_residual_polynomial(num_steps: int = 3) -> tuple[sp.Expr, sp.Expr]:
    r"""Steps :math:`\eta_1, \dots, \eta_k` give :math:`\prod_i (1-\eta_i\lambda)`.

    Iterated from :math:`y \mapsto y - \eta_i\lambda y` (gradient descent with a changing
    step on one eigen-coordinate); the product does not depend on the order of the steps.
    """
    point: sp.Expr = x_0
    for i in range(1, num_steps + 1):
        point = point - rates[i] * lam * point
    factors = [sp.Add(1, -rates[i] * lam, evaluate=False) for i in range(1, num_steps + 1)]
    return sp.expand(point), sp.Mul(*factors, x_0, evaluate=False)


_excess = sp.Symbol("c_gd_excess", positive=True)  # kappa = 1 + c encodes kappa > 1


def chebyshev_growth_base() -> tuple[sp.Expr, sp.Expr]:
    r"""The base of :math:`T_k` at :math:`x = \frac{\kappa+1}{\kappa-1}`: :math:`x + \sqrt{x^2-1}`.

    It is :math:`\frac{\sqrt\kappa+1}{\sqrt\kappa-1}`.

    Since :math:`T_k(x) = \tfrac12\big((x + \sqrt{x^2-1})^k + (x - \sqrt{x^2-1})^k\big)` for
    :math:`x \ge 1` and the two bases multiply to 1, this gives
    :math:`T_k = (r^{-k} + r^k)/2` with :math:`r = (\sqrt\kappa-1)/(\sqrt\kappa+1)`, so the
    worst factor of the Chebyshev steps is :math:`1/T_k = 2r^k/(1 + r^{2k})`.
    """
    x_mid = (kappa + 1) / (kappa - 1)
    base = (x_mid + sp.sqrt(x_mid**2 - 1)).subs(kappa, 1 + _excess)
    derived = sp.simplify(sp.radsimp(base)).subs(_excess, kappa - 1)
    return sp.simplify(derived), (sp.sqrt(kappa) + 1) / (sp.sqrt(kappa) - 1)


def chebyshev_bound_closed_form() -> tuple[sp.Expr, sp.Expr]:
    r"""Worst Chebyshev factor: :math:`1/T_k(\frac{\kappa+1}{\kappa-1}) = 2r^k/(1 + r^{2k})`.

    Here :math:`r = (\sqrt\kappa-1)/(\sqrt\kappa+1)`.

    From :func:`chebyshev_growth_base`: :math:`T_k = \tfrac12(r^{-k} + r^{k})`.
    """
    r = sp.Symbol("r_cheb", positive=True)
    derived = sp.simplify(1 / ((r ** (-k) + r**k) / 2))
    return derived, 2 * r**k / (1 + r ** (2 * k))


def chebyshev_limit_is_heavy_ball() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    r"""The Chebyshev recurrence's coefficients tend to the heavy ball's tuned pair.

    :math:`\omega_{k+1} = 1/(1 - \sigma^2\omega_k/4)`, :math:`\sigma = (L-\mu)/(L+\mu)`, has
    the stable fixed point :math:`\omega = 2/(1 + \sqrt{1-\sigma^2})`; the coefficients
    :math:`\alpha = 2\omega/(\mu+L)` and :math:`\beta = \omega - 1` then equal
    :math:`4/(\sqrt L + \sqrt\mu)^2` and :math:`((\sqrt L - \sqrt\mu)/(\sqrt L + \sqrt\mu))^2`,
    the optimal heavy ball of the next chapter. Computed with :math:`L = q^2\mu`.
    """
    omega = sp.Symbol("omega_cheb", positive=True)
    q = sp.Symbol("q_cheb", positive=True)
    sig = (L - mu) / (L + mu)
    roots = sp.solve(sp.Eq(omega, 1 / (1 - sig**2 * omega / 4)), omega)
    fixed = [w for w in roots if sp.simplify(w.subs({mu: 1, L: 4})) < 1.5]  # the stable one
    (w,) = fixed
    alpha = sp.simplify((2 * w / (mu + L)).subs(L, q**2 * mu))
    beta_limit = sp.simplify((w - 1).subs(L, q**2 * mu))
    root_sum = sp.sqrt(L) + sp.sqrt(mu)
    claimed = (4 / root_sum**2, ((sp.sqrt(L) - sp.sqrt(mu)) / root_sum) ** 2)
    back = {q: sp.sqrt(L / mu)}
    return (sp.simplify(alpha.subs(back)), sp.simplify(beta_limit.subs(back))), claimed
