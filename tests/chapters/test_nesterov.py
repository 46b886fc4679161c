"""Nesterov momentum, part 1: the look-ahead, its three forms and the schedule-indexing gap.

Sources: Sutskever, Martens, Dahl & Hinton (2013, eq. 3-4 and Section 2.1);
Bengio, Boulanger-Lewandowski & Pascanu (ICASSP 2013, arXiv:1212.0901, the
reparameterisation); torch 2.13 ``torch/optim/sgd.py`` (l. 355-379, read in
research/torch_optim_rules.md 1.1); research facts F20, F25, F26. The reference loops in
this file are written from those equations, not from the library.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from gdbook import nesterov as nag
from gdbook.base import chain, run, scale_by_learning_rate
from gdbook.conventions import AGREEMENT, from_torch
from gdbook.derivations import beta, eta, lam, t, z
from gdbook.derivations import nesterov as claims
from gdbook.examples import TORCH_FIXTURE, VALLEY
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import momentum
from gdbook.nesterov import (
    bengio_nesterov,
    look_ahead_split,
    nesterov,
    nesterov_beta,
    nesterov_trace,
    sutskever_nag,
)
from gdbook.problems import quadratic, rosenbrock
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
QUAD = quadratic([1.0, 25.0], angle=0.3, x_star=[1.0, -1.0])
ROSEN = rosenbrock()


def _seed_lookahead(grad, x0, eta_, beta_t, n):  # type: ignore[no-untyped-def]
    """Seed 000's loop: v_t = mu_t v + eta grad(theta - mu_t v), theta -= v; returns (theta, Theta).

    Theta_k = theta_k - mu_{k+1} v_k is where update k + 1 takes its gradient.
    """
    theta, v = np.array(x0, dtype=float), np.zeros(len(x0))
    thetas, aheads = [theta], []
    for k in range(1, n + 2):
        aheads.append(theta - beta_t(k) * v)
        if k == n + 1:
            break
        v = beta_t(k) * v + eta_ * grad(theta - beta_t(k) * v)
        theta = theta - v
        thetas.append(theta)
    return np.array(thetas), np.array(aheads)


def _torch_loop(grad, x0, lr, mu_t, n):  # type: ignore[no-untyped-def]
    """torch.optim.SGD(nesterov=True), dampening 0: b = mu b + g (b_1 = g_1), p -= lr (g + mu b)."""
    p, b, out = np.array(x0, dtype=float), None, [np.array(x0, dtype=float)]
    for k in range(1, n + 1):
        g = grad(p)
        b = g.copy() if b is None else mu_t(k) * b + g
        p = p - lr * (g + mu_t(k) * b)
        out.append(p)
    return np.array(out)


# --------------------------------------------------------------------------------------
# The three forms with a constant momentum
# --------------------------------------------------------------------------------------


@given(
    rate=st.floats(1e-3, 0.05),  # eta L < 4/3: stable for every beta (the stability section)
    beta_=st.floats(0.0, 0.99),
    x0=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
)
def test_torch_form_iterates_are_the_look_ahead_points_of_nag(
    rate: float, beta_: float, x0: tuple[float, float]
) -> None:
    """F26: SGD(nesterov=True) iterates p_t equal theta_t + beta v_t of Sutskever's NAG."""
    start = np.array(x0)
    ours = run(nesterov(rate, beta_), QUAD.grad, start, 60)
    lookahead = sutskever_nag(QUAD.grad, start, rate, beta_, 60)
    np.testing.assert_allclose(ours.params, lookahead.lookahead, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("eta_", "beta_"), [(1.0, 0.8), (0.7, 0.8)])
def test_three_forms_give_the_same_points_over_50_steps(eta_: float, beta_: float) -> None:
    """Constant beta: seed 000's look-ahead loop, the Theta form and torch's form coincide.

    The chapter's claim, on the valley with the chapter's eta = 1, beta = 0.8 (and the step
    figure's eta = 0.7), to within nag.ROUNDING, the bound the text states; the Theta loop
    is written from the recurrence Theta_t = Theta_{t-1} - beta v_t - eta grad.
    """
    grad, x0 = VALLEY.problem().grad, VALLEY.start
    _, seed = _seed_lookahead(grad, x0, eta_, lambda k: beta_, 50)
    big_theta, v, theta_form = x0.copy(), np.zeros(2), [x0]
    for _ in range(50):
        g = grad(big_theta)
        v = beta_ * v + eta_ * g
        big_theta = big_theta - beta_ * v - eta_ * g
        theta_form.append(big_theta)
    torch = _torch_loop(grad, x0, eta_, lambda k: beta_, 50)
    for form in (np.array(theta_form), torch):
        np.testing.assert_allclose(form, seed, rtol=0, atol=nag.ROUNDING)
    for opt in (
        nesterov(eta_, beta_),
        bengio_nesterov(eta_, beta_),
        from_torch("SGD", lr=eta_, momentum=beta_, nesterov=True),
    ):
        np.testing.assert_allclose(run(opt, grad, x0, 50).params, seed, rtol=0, atol=nag.ROUNDING)
    assert np.abs(seed).max() > 100 * nag.ROUNDING  # the bound is not vacuous


def test_bengio_form_velocity_is_minus_the_seeds_velocity() -> None:
    """bengio_nesterov stores Sutskever's velocity: minus the seeds' v_k = theta_{k-1} - theta_k."""
    grad, x0 = VALLEY.problem().grad, VALLEY.start
    thetas, _ = _seed_lookahead(grad, x0, 0.5, lambda k: 0.6, 20)
    seed_v = thetas[:-1] - thetas[1:]  # v_k = theta_{k-1} - theta_k
    traj = run(bengio_nesterov(0.5, 0.6), grad, x0, 20)
    np.testing.assert_allclose(traj.field("velocity")[1:], -seed_v, atol=1e-12)


def test_look_ahead_split_recovers_the_iterates() -> None:
    """theta_k = Theta_k + eta beta_{k+1} b_k, constant beta and a schedule."""
    grad, x0 = VALLEY.problem().grad, VALLEY.start
    for beta_ in (0.8, nesterov_beta):
        traj = run(nesterov(0.3, beta_), grad, x0, 40)
        theta, ahead = look_ahead_split(traj, 0.3, beta_)
        ref = sutskever_nag(grad, x0, 0.3, beta_, 40)
        np.testing.assert_allclose(theta, ref.params, atol=1e-12)
        np.testing.assert_allclose(ahead, ref.lookahead, atol=1e-12)


def test_look_ahead_points_on_rosenbrock_too() -> None:
    """F26 on a non-quadratic: the equivalence is algebraic, not a property of quadratics."""
    start = np.array([-1.2, 1.0])
    ours = run(nesterov(2e-4, 0.9), ROSEN.grad, start, 200)
    ref = sutskever_nag(ROSEN.grad, start, 2e-4, 0.9, 200)
    np.testing.assert_allclose(ours.params, ref.lookahead, rtol=1e-11, atol=1e-12)
    assert not np.allclose(ours.params, ref.params)  # ...and not NAG's theta_t


def test_from_torch_matches_the_recorded_torch_run() -> None:
    """from_torch("SGD", nesterov=True) against torch 2.13's own iterates (the fixture)."""
    data = np.load(ROOT / "tests" / "reference" / "torch_reference.npz")
    config = json.loads(str(data["__configs__"]))["nesterov__quad"]
    opt = from_torch("SGD", **config["kwargs"])
    ours = run(opt, TORCH_FIXTURE.problem().grad, TORCH_FIXTURE.start, config["steps"]).params
    # the chapter states the appendix's bound for every recorded run, not the digits
    np.testing.assert_allclose(ours, data["nesterov__quad"], rtol=0, atol=AGREEMENT)
    ref = _torch_loop(TORCH_FIXTURE.problem().grad, TORCH_FIXTURE.start, 0.04, lambda k: 0.9, 30)
    np.testing.assert_allclose(ref, data["nesterov__quad"], rtol=0, atol=AGREEMENT)


def test_one_step_by_hand() -> None:
    """b_1 = g_1, x_1 = x_0 - eta (g_1 + beta b_1) = x_0 - eta (1 + beta) g_1."""
    opt = nesterov(0.1, 0.9)
    step, state = opt.update(np.array([2.0]), opt.init(np.zeros(1)), np.zeros(1))
    np.testing.assert_allclose(step, [-0.1 * 1.9 * 2.0])
    np.testing.assert_allclose(state[0].velocity, [2.0])
    step, _ = opt.update(np.array([1.0]), state, np.zeros(1))  # b_2 = 0.9*2 + 1 = 2.8
    np.testing.assert_allclose(step, [-0.1 * (1.0 + 0.9 * 2.8)])


def test_default_beta_is_0_9() -> None:
    """The default beta is 0.9 (as momentum's): x_1 = x_0 - eta (1 + 0.9) g_1."""
    for factory in (nesterov, bengio_nesterov):
        opt = factory(0.1)
        step, _ = opt.update(np.array([2.0]), opt.init(np.zeros(1)), np.zeros(1))
        np.testing.assert_allclose(step, [-0.1 * 1.9 * 2.0], rtol=1e-15)


def test_beta_zero_is_gradient_descent() -> None:
    start = np.array([2.0, -3.0])
    gd = run(gradient_descent(0.05), QUAD.grad, start, 30).params
    np.testing.assert_array_equal(run(nesterov(0.05, 0.0), QUAD.grad, start, 30).params, gd)
    np.testing.assert_allclose(run(bengio_nesterov(0.05, 0.0), QUAD.grad, start, 30).params, gd)


def test_nesterov_differs_from_heavy_ball() -> None:
    start = np.array([2.0, -3.0])
    a = run(nesterov(0.05, 0.9), QUAD.grad, start, 30).params
    b = run(momentum(0.05, 0.9), QUAD.grad, start, 30).params
    assert np.max(np.abs(a - b)) > 1e-2


def test_sutskever_nag_one_step_by_hand() -> None:
    """v_1 = -eta grad(theta_0) (v_0 = 0), theta_1 = theta_0 + v_1, phi_1 = theta_1 + beta v_1."""
    ref = sutskever_nag(lambda x: 2.0 * x, np.array([1.0]), 0.1, 0.5, 1)
    np.testing.assert_allclose(ref.params[:, 0], [1.0, 0.8])
    np.testing.assert_allclose(ref.lookahead[:, 0], [1.0, 0.8 + 0.5 * -0.2])


def test_sutskever_nag_accepts_a_learning_rate_schedule() -> None:
    """With eta_t the Theta form (rate inside) is still NAG; the sum form is not."""

    def rate(k: int) -> float:
        return 0.05 if k <= 10 else 0.02

    ref = sutskever_nag(QUAD.grad, np.array([2.0, 1.0]), rate, 0.8, 25).lookahead
    inside = run(bengio_nesterov(rate, 0.8), QUAD.grad, np.array([2.0, 1.0]), 25).params
    outside = run(nesterov(rate, 0.8), QUAD.grad, np.array([2.0, 1.0]), 25).params
    np.testing.assert_allclose(inside, ref, atol=1e-12)
    assert np.abs(outside - ref).max() > 1e-3


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


# --------------------------------------------------------------------------------------
# A momentum schedule: torch's indexing against Nesterov's
# --------------------------------------------------------------------------------------


def test_torch_block_reads_one_momentum_per_step() -> None:
    """torch's SGD(nesterov=True) re-reads the group's momentum at every step and uses it for
    both terms: b_t = beta_t b_{t-1} + g_t, step -eta (g_t + beta_t b_t). The default of
    nesterov_trace (and from_torch) is that form; the book's nesterov() is not."""
    x0 = np.array([2.0, 1.0])
    expected = _torch_loop(QUAD.grad, x0, 0.03, nesterov_beta, 15)
    torch_form = chain(nesterov_trace(nesterov_beta), scale_by_learning_rate(0.03))
    np.testing.assert_allclose(
        run(torch_form, QUAD.grad, x0, 15).params, expected, rtol=1e-13, atol=1e-13
    )
    assert (
        np.abs(run(nesterov(0.03, nesterov_beta), QUAD.grad, x0, 15).params - expected).max() > 1e-3
    )


def test_schedule_gap_torch_departs_by_0_03_and_the_next_beta_form_matches() -> None:
    """The chapter's measured claim: on diag(0.3, 2, 9), eta = 0.05, from (1, 1, 1), with
    beta_t = 1 - 3/(t+5), torch's iterates are up to about 0.03 from NAG's look-ahead
    points within 30 steps; with beta_{t+1} in the look-ahead term they are NAG's points.
    Recomputed with the loops of this file (seed 000's NAG, torch's SGD)."""
    gap = nag.schedule_gap()
    problem = quadratic([0.3, 2.0, 9.0])
    x0 = np.ones(3)
    _, seed = _seed_lookahead(problem.grad, x0, 0.05, nesterov_beta, 30)
    torch = _torch_loop(problem.grad, x0, 0.05, nesterov_beta, 30)
    independent = np.linalg.norm(torch - seed, axis=-1)
    np.testing.assert_allclose(gap.torch, independent, atol=1e-12)
    assert 0.025 < independent.max() < 0.04
    assert gap.exact.max() < 1e-14 and gap.bengio.max() < 1e-14  # within nag.ROUNDING
    assert nag.ROUNDING >= 1e-14
    # the first step already shows it: eta (beta_2 - beta_1) |g_1| in the stiffest coordinate
    first = 0.05 * (nesterov_beta(2) - nesterov_beta(1)) * 9.0
    assert abs(np.abs(torch[1] - seed[1]).max() - first) < 1e-12


def test_schedule_gap_on_rosenbrock_and_vanishing_for_constant_beta() -> None:
    """The gap is an indexing effect: any function, and none without a schedule."""
    x0 = np.array([-1.2, 1.0])
    _, seed = _seed_lookahead(ROSEN.grad, x0, 2e-4, nesterov_beta, 100)
    np.testing.assert_allclose(
        run(nesterov(2e-4, nesterov_beta), ROSEN.grad, x0, 100).params, seed, atol=1e-12
    )
    const = chain(nesterov_trace(0.7), scale_by_learning_rate(2e-4))
    _, seed_const = _seed_lookahead(ROSEN.grad, x0, 2e-4, lambda k: 0.7, 100)
    np.testing.assert_allclose(run(const, ROSEN.grad, x0, 100).params, seed_const, atol=1e-12)


def test_reparameterisation_with_time_varying_momentum() -> None:
    """F25 (Bengio et al. 2013, derived for varying mu): with phi_k = theta_k + mu_{k+1} v_k,
    phi_{k+1} = phi_k + mu_{k+2} mu_{k+1} v_k - (1 + mu_{k+2}) eta grad f(phi_k)."""

    def mu_(k: int) -> float:  # Nesterov's convex schedule, capped
        return min(1.0 - 3.0 / (k + 5.0), 0.95)

    eta_ = 0.03
    ref = sutskever_nag(QUAD.grad, np.array([2.0, 1.0]), eta_, mu_, 40)
    theta, phi = ref.params, ref.lookahead
    v = np.diff(theta, axis=0)  # v_1 ... v_n
    for k in range(1, 40):
        rhs = (
            phi[k]
            + mu_(k + 2) * mu_(k + 1) * v[k - 1]
            - (1 + mu_(k + 2)) * eta_ * QUAD.grad(phi[k])
        )
        np.testing.assert_allclose(phi[k + 1], rhs, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------
# The derivation, step by step (SymPy), tied to the runs
# --------------------------------------------------------------------------------------


def _equal(pair: tuple[sp.Expr, sp.Expr]) -> bool:
    return bool(sp.expand(pair[0] - pair[1]) == 0)


def test_derivation_steps_constant_beta() -> None:
    """Steps 1-3 of the chapter's derivation: substitute, subtract beta v_t, rename."""
    assert _equal(claims.substituted_step())
    assert _equal(claims.shifted_step())
    derived, claimed = claims.theta_recurrence()
    assert all(_equal(pair) for pair in zip(derived, claimed, strict=True))
    shown = claims.theta_recurrence_displayed()
    assert sp.expand(shown.subs(claims.new_velocity, claimed[0]) - claimed[1]) == 0
    # the gradient is taken at the stored point: nabla f's only argument is Theta_{t-1}
    args = {f.args[0] for f in claimed[1].atoms(sp.Function)}
    assert args == {claims.lookahead_prev}


def test_derivation_steps_are_not_vacuous() -> None:
    """A wrong sign or a missing beta breaks each step (the claims are not tautologies)."""
    derived, claimed = claims.substituted_step()
    assert sp.expand(derived - claimed.subs(beta, 2 * beta)) != 0
    (_, theta_t), (_, theta_claim) = claims.scheduled_recurrence()
    swapped = theta_claim.subs(claims.beta_next, claims.beta_now)
    assert sp.expand(theta_t - swapped) != 0  # beta_{t+1} and beta_t are not interchangeable
    lookahead = claims.lookahead_update()[0]
    assert lookahead.has(claims.nabla_f(claims.theta_prev - beta * claims.velocity_prev))


def test_scheduled_recurrence_and_sutskever_signs() -> None:
    derived, claimed = claims.scheduled_recurrence()
    assert all(_equal(pair) for pair in zip(derived, claimed, strict=True))
    assert _equal(claims.sutskever_signs())
    # at a constant schedule it is the constant-beta recurrence
    constant = {claims.beta_now: beta, claims.beta_next: beta}
    const_derived, _ = claims.theta_recurrence()
    assert sp.expand(claimed[1].subs(constant) - const_derived[1]) == 0


def test_scheduled_recurrence_numerically() -> None:
    """Substitute numbers from a run of seed 000's loop into the claimed Theta recurrence."""
    grad, x0 = QUAD.grad, np.array([2.0, 1.0])
    thetas, aheads = _seed_lookahead(grad, x0, 0.03, nesterov_beta, 10)
    v = thetas[:-1] - thetas[1:]  # v_1 ... v_10 (seed sign)
    _, (_, claimed) = claims.scheduled_recurrence()
    k = 5  # update k + 1 maps Theta_k to Theta_{k+1}
    for i in range(2):  # each coordinate; the gradient is a number there
        value = claimed.subs(
            {
                claims.lookahead_prev: aheads[k][i],
                claims.velocity_prev: v[k - 1][i],
                claims.beta_now: float(nesterov_beta(k + 1)),
                claims.beta_next: float(nesterov_beta(k + 2)),
                eta: 0.03,
            }
        ).replace(claims.nabla_f, lambda arg, i=i: grad(aheads[k])[i])
        assert abs(float(value) - aheads[k + 1][i]) < 1e-12


def test_one_buffer_form_and_torch_gap() -> None:
    derived, claimed = claims.one_buffer_form()
    assert all(_equal(pair) for pair in zip(derived, claimed, strict=True))
    gap, gap_claim = claims.torch_indexing_gap()
    assert sp.expand(gap - gap_claim) == 0
    assert gap_claim.subs(claims.beta_next, claims.beta_now) == 0
    inc, inc_claim = claims.schedule_increment()
    assert sp.simplify(inc - inc_claim) == 0
    assert abs(float(inc_claim.subs(t, 1)) - (nesterov_beta(2) - nesterov_beta(1))) < 1e-15


def test_torch_gap_formula_predicts_the_first_steps() -> None:
    """eta (beta_{t+1} - beta_t) b_t is the difference of the two one-buffer steps from the
    same state: check it on the schedule experiment's first step (b_1 = g_1)."""
    problem = quadratic([0.3, 2.0, 9.0])
    g1 = problem.grad(np.ones(3))
    _, gap_claim = claims.torch_indexing_gap()
    values = {
        eta: 0.05,
        claims.beta_now: float(nesterov_beta(1)),
        claims.beta_next: float(nesterov_beta(2)),
        claims.buffer_prev: 0.0,
    }
    for i in range(3):
        predicted = float(gap_claim.subs(values).replace(claims.nabla_f, lambda arg, i=i: g1[i]))
        assert abs(predicted - 0.05 * (nesterov_beta(2) - nesterov_beta(1)) * g1[i]) < 1e-15
    assert (
        abs(
            nag.schedule_gap().torch[1]
            - np.linalg.norm(0.05 * (nesterov_beta(2) - nesterov_beta(1)) * g1)
        )
        < 1e-12
    )


# --------------------------------------------------------------------------------------
# The step figure: both candidate steps from the same point
# --------------------------------------------------------------------------------------


def test_step_picture_is_one_step_of_each_method() -> None:
    """The figure's points: the heavy ball's step from (theta, v) is -beta v - eta grad(theta),
    Nesterov's -beta v - eta grad(theta - beta v), and Nesterov's is the next NAG iterate."""
    pic = nag.step_picture()
    eta_, beta_, k = (nag.STEP_PICTURE[key] for key in ("learning_rate", "beta", "step"))
    grad = VALLEY.problem().grad
    thetas, _ = _seed_lookahead(grad, VALLEY.start, eta_, lambda i: beta_, int(k) + 1)
    v = thetas[int(k) - 1] - thetas[int(k)]
    np.testing.assert_allclose(pic["theta"], thetas[int(k)], atol=1e-14)
    np.testing.assert_allclose(pic["lookahead"], thetas[int(k)] - beta_ * v, atol=1e-14)
    np.testing.assert_allclose(pic["nesterov"], thetas[int(k) + 1], atol=1e-14)
    np.testing.assert_allclose(
        pic["heavy_ball"], thetas[int(k)] - beta_ * v - eta_ * grad(thetas[int(k)])
    )
    # the heavy ball overshoots the floor of the valley; Nesterov's correction points back
    f = VALLEY.problem().value
    assert f(pic["nesterov"]) < f(pic["heavy_ball"])


# --------------------------------------------------------------------------------------
# On a quadratic: the characteristic polynomial, tied to the code
# --------------------------------------------------------------------------------------


def test_characteristic_polynomial_and_effective_momentum() -> None:
    """F20 (Sutskever et al. 2013, Section 2.1): NAG along lambda is heavy ball with momentum
    beta (1 - eta lambda) and step eta lambda; F20's check [1, -1.33, 0.63] at (0.9, 0.3)."""
    derived, claimed = claims.characteristic_polynomial()
    assert sp.expand(derived - claimed) == 0
    heavy, nesterov_poly = claims.effective_momentum()
    assert sp.expand(heavy - nesterov_poly) == 0
    coeffs = sp.Poly(
        claimed.subs({beta: sp.Rational(9, 10), eta: sp.Rational(3, 10), lam: 1}), z
    ).all_coeffs()
    np.testing.assert_allclose([float(c) for c in coeffs], [1.0, -1.33, 0.63])
    matrix = np.array(claims.iteration_matrix().subs({beta: 0.9, eta: 0.3, lam: 1.0}), dtype=float)
    np.testing.assert_allclose(np.poly(matrix), [1.0, -1.33, 0.63], atol=1e-14)
    np.testing.assert_allclose(nag.effective_momentum(0.3, 0.9, 1.0), 0.63)


def test_on_a_quadratic_nag_iterates_follow_the_two_step_recurrence() -> None:
    """x_{k+1} = (1 + beta)(1 - eta lam) x_k - beta (1 - eta lam) x_{k-1} for the stored points."""
    eta_, beta_, lam_ = 0.03, 0.9, 10.0
    xs = run(nesterov(eta_, beta_), lambda p: lam_ * p, np.array([1.0]), 30).params[:, 0]
    c1, c0 = (1 + beta_) * (1 - eta_ * lam_), beta_ * (1 - eta_ * lam_)
    np.testing.assert_allclose(xs[2:], c1 * xs[1:-1] - c0 * xs[:-2], atol=1e-14)


def test_effective_momentum_turns_negative_beyond_eta_lambda_one() -> None:
    derived, claimed = claims.negative_momentum_region()
    assert derived == claimed
    lams = np.array([0.5, 0.99, 1.01, 1.5])
    np.testing.assert_array_equal(nag.effective_momentum(1.0, 0.9, lams) < 0, lams > 1)
    np.testing.assert_allclose(nag.effective_momentum(0.5, 0.8, [0.5, 4.0]), [0.6, -0.8])


def test_conventions_appendix_section_on_the_schedule_gap() -> None:
    """The conventions appendix's subsection glues the schedule experiment's numbers: torch's
    largest distance (about 0.03) and the next-beta form's (round-off), from the same run."""
    text = (ROOT / "chapters" / "conventions.md").read_text(encoding="utf-8")
    assert "(conv-nesterov-schedule)=" in text
    for name in ("conv_nag_torch_gap", "conv_nag_exact_gap", "conv_nag_steps", "conv_nag_eta"):
        assert f"{name}=" in text and f"`{name}" in text, name
    gap = nag.schedule_gap()
    assert nag.SCHEDULE_STEPS == 30 and nag.SCHEDULE_RATE == 0.05
    assert round(float(gap.torch.max()), 3) == 0.033 and float(gap.exact.max()) < 1e-14
    assert "conv_nag_exact_gap=nag.ROUNDING" in text  # the bound shown, not its digits
    assert float(gap.exact.max()) <= nag.ROUNDING


def test_derivation_symbols_carry_their_assumptions() -> None:
    """Real coordinates, nonnegative momenta, positive square roots (module docstring)."""
    for symbol in (claims.theta_prev, claims.velocity_prev, claims.lookahead_prev):
        assert symbol.is_real, symbol
    assert claims.new_velocity.is_real
    for symbol in (claims.beta_now, claims.beta_next):
        assert symbol.is_nonnegative, symbol
    assert claims.root_kappa.is_positive and claims.root_q.is_positive
    assert claims.step_x.is_positive  # x = eta * lambda
