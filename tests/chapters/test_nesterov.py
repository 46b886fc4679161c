"""Nesterov momentum: the one-buffer form against Sutskever et al.'s look-ahead NAG.

Sources: Sutskever, Martens, Dahl & Hinton (2013, eq. 3-4 and Section 2.1);
Bengio, Boulanger-Lewandowski & Pascanu (ICASSP 2013, arXiv:1212.0901, the
reparameterisation); research facts F20, F25, F26.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from gdbook.base import run
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import momentum
from gdbook.nesterov import nesterov, sutskever_nag
from gdbook.problems import quadratic, rosenbrock
from hypothesis import given
from hypothesis import strategies as st

QUAD = quadratic([1.0, 25.0], angle=0.3, x_star=[1.0, -1.0])
ROSEN = rosenbrock()


@given(
    rate=st.floats(1e-3, 0.07),
    beta=st.floats(0.0, 0.99),
    x0=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
)
def test_torch_form_iterates_are_the_look_ahead_points_of_nag(
    rate: float, beta: float, x0: tuple[float, float]
) -> None:
    """F26: SGD(nesterov=True) iterates p_t equal theta_t + beta v_t of Sutskever's NAG."""
    start = np.array(x0)
    ours = run(nesterov(rate, beta), QUAD.grad, start, 60)
    nag = sutskever_nag(QUAD.grad, start, rate, beta, 60)
    np.testing.assert_allclose(ours.params, nag.lookahead, rtol=1e-10, atol=1e-10)


def test_look_ahead_points_on_rosenbrock_too() -> None:
    """F26 on a non-quadratic: the equivalence is algebraic, not a property of quadratics."""
    start = np.array([-1.2, 1.0])
    ours = run(nesterov(2e-4, 0.9), ROSEN.grad, start, 200)
    nag = sutskever_nag(ROSEN.grad, start, 2e-4, 0.9, 200)
    np.testing.assert_allclose(ours.params, nag.lookahead, rtol=1e-11, atol=1e-12)
    assert not np.allclose(ours.params, nag.params)  # ...and not NAG's theta_t


def test_one_step_by_hand() -> None:
    """b_1 = g_1, x_1 = x_0 - eta (g_1 + beta b_1) = x_0 - eta (1 + beta) g_1."""
    opt = nesterov(0.1, 0.9)
    step, state = opt.update(np.array([2.0]), opt.init(np.zeros(1)), np.zeros(1))
    np.testing.assert_allclose(step, [-0.1 * 1.9 * 2.0])
    np.testing.assert_allclose(state[0].velocity, [2.0])
    step, _ = opt.update(np.array([1.0]), state, np.zeros(1))  # b_2 = 0.9*2 + 1 = 2.8
    np.testing.assert_allclose(step, [-0.1 * (1.0 + 0.9 * 2.8)])


def test_momentum_schedule_is_read_at_the_current_step() -> None:
    """torch's SGD(nesterov=True) re-reads the group's momentum at every step: with beta_t
    for update t (t = 1 first), b_t = beta_t b_{t-1} + g_t (b_0 = 0),
    step -eta (g_t + beta_t b_t)."""

    def beta(t: int) -> float:
        return 1.0 - 3.0 / (t + 5.0)  # Nesterov's schedule, 0.5 at t = 1

    x, b, expected = np.array([2.0, 1.0]), np.zeros(2), [np.array([2.0, 1.0])]
    for t in range(1, 16):
        g = QUAD.grad(x)
        b = beta(t) * b + g
        x = x - 0.03 * (g + beta(t) * b)
        expected.append(x)
    ours = run(nesterov(0.03, beta), QUAD.grad, np.array([2.0, 1.0]), 15)
    np.testing.assert_allclose(ours.params, np.array(expected), rtol=1e-13, atol=1e-13)


def test_default_beta_is_0_9() -> None:
    """The default beta is 0.9 (as momentum's): x_1 = x_0 - eta (1 + 0.9) g_1."""
    opt = nesterov(0.1)
    step, _ = opt.update(np.array([2.0]), opt.init(np.zeros(1)), np.zeros(1))
    np.testing.assert_allclose(step, [-0.1 * 1.9 * 2.0], rtol=1e-15)


def test_beta_zero_is_gradient_descent() -> None:
    start = np.array([2.0, -3.0])
    np.testing.assert_array_equal(
        run(nesterov(0.05, 0.0), QUAD.grad, start, 30).params,
        run(gradient_descent(0.05), QUAD.grad, start, 30).params,
    )


def test_nesterov_differs_from_heavy_ball() -> None:
    start = np.array([2.0, -3.0])
    a = run(nesterov(0.05, 0.9), QUAD.grad, start, 30).params
    b = run(momentum(0.05, 0.9), QUAD.grad, start, 30).params
    assert np.max(np.abs(a - b)) > 1e-2


def test_sutskever_nag_one_step_by_hand() -> None:
    """v_1 = -eta grad(theta_0) (v_0 = 0), theta_1 = theta_0 + v_1, phi_1 = theta_1 + beta v_1."""
    nag = sutskever_nag(lambda x: 2.0 * x, np.array([1.0]), 0.1, 0.5, 1)
    np.testing.assert_allclose(nag.params[:, 0], [1.0, 0.8])
    np.testing.assert_allclose(nag.lookahead[:, 0], [1.0, 0.8 + 0.5 * -0.2])


def test_reparameterisation_with_time_varying_momentum() -> None:
    """F25 (Bengio et al. 2013, derived for varying mu): with phi_k = theta_k + mu_{k+1} v_k,
    phi_{k+1} = phi_k + mu_{k+2} mu_{k+1} v_k - (1 + mu_{k+2}) eta grad f(phi_k).
    """

    def mu(t: int) -> float:  # Nesterov's convex schedule, capped
        return min(1.0 - 3.0 / (t + 5.0), 0.95)

    eta = 0.03
    nag = sutskever_nag(QUAD.grad, np.array([2.0, 1.0]), eta, mu, 40)
    theta, phi = nag.params, nag.lookahead
    v = np.diff(theta, axis=0)  # v_1 ... v_n
    for k in range(1, 40):  # v_k = theta_k - theta_{k-1}
        rhs = phi[k] + mu(k + 2) * mu(k + 1) * v[k - 1] - (1 + mu(k + 2)) * eta * QUAD.grad(phi[k])
        np.testing.assert_allclose(phi[k + 1], rhs, rtol=1e-12, atol=1e-12)


def test_on_a_quadratic_nag_is_momentum_with_curvature_dependent_beta() -> None:
    """F20 (Sutskever et al. 2013, Section 2.1): along an eigenvalue lam, NAG iterates satisfy
    x_{k+1} = (1 + beta)(1 - eta lam) x_k - beta (1 - eta lam) x_{k-1}: the characteristic
    polynomial of heavy ball with momentum beta (1 - eta lam) and step eta lam.
    """
    eta, beta, lam = sp.Rational(3, 100), sp.Rational(9, 10), sp.Integer(10)
    z = sp.Symbol("z")
    nag_poly = z**2 - (1 + beta) * (1 - eta * lam) * z + beta * (1 - eta * lam)
    beta_eff = beta * (1 - eta * lam)
    heavy_ball_poly = z**2 - (1 + beta_eff - eta * lam) * z + beta_eff  # Polyak's
    assert sp.expand(nag_poly - heavy_ball_poly) == 0
    x = run(nesterov(float(eta), float(beta)), lambda p: float(lam) * p, np.array([1.0]), 30)
    xs = x.params[:, 0]
    c1, c0 = float((1 + beta) * (1 - eta * lam)), float(beta * (1 - eta * lam))
    np.testing.assert_allclose(xs[2:], c1 * xs[1:-1] - c0 * xs[:-2], atol=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"beta": 1.0}, "beta"),
        ({"num_steps": -1}, "num_steps"),
        ({"x0": [np.nan, 0.0]}, "x0"),
    ],
)
def test_sutskever_nag_validates(kwargs: dict[str, object], named: str) -> None:
    args: dict[str, object] = {
        "grad_fn": QUAD.grad,
        "x0": [1.0, 1.0],
        "learning_rate": 0.1,
        "beta": 0.9,
        "num_steps": 3,
    }
    with pytest.raises(ValueError, match=named):
        sutskever_nag(**{**args, **kwargs})  # type: ignore[arg-type]
