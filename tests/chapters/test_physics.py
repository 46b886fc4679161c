"""Tests for the chapter *Momentum as physics*: the ball, its integrators, its energy, its drags.

Oracles, in order of independence from the code under test:

* SymPy: every claim of ``gdbook.derivations.physics`` is an identity (derived == claimed);
* matrices and loops written out here: ``numpy.linalg.eigvals`` of the 2 x 2 step matrices,
  from-scratch loops of both Euler schemes and of the heavy ball, lambdified closed forms;
* published numbers, named in each docstring: the facts F15-F19 of the research notes
  (``shared/research/content.md``) and Goodfellow et al. (2016, sec. 8.3.2).

The optimizers, the race, the explorer, the animation and the exercises are tested in
``test_physics_race.py``.
"""

from __future__ import annotations

import ast
import functools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
from gdbook import physics as ph
from gdbook.base import run
from gdbook.derivations import beta, drag, eta, g, h_step, lam, latex, time, velocity, x
from gdbook.derivations import physics as claims
from gdbook.derivations import x_0 as x_start
from gdbook.examples import VALLEY
from gdbook.momentum import heavy_ball_eigenvalues, heavy_ball_regime, momentum
from gdbook.problems import quadratic, quadratic_from_matrix
from hypothesis import given, settings
from hypothesis import strategies as st

HERE = Path(__file__)


def _zero(expr: Any) -> bool:
    return bool(sp.simplify(expr) == 0)


# --------------------------------------------------------------------------------------
# The settings the chapter's prose states in words
# --------------------------------------------------------------------------------------


def test_the_settings_the_text_states() -> None:
    """The prose and the captions state these settings in words ("c = 0.5 and omega = 1",
    "six step sizes from 0.1 down to 0.1/32", "T = 10", "h omega = 0.1", "at
    lambda = 1", "h = 0.2", "h = sqrt 2", "from v0 = 1", "h = 0.01", "ten time
    units", "a step h = 1"): a change of the code must change the text."""
    assert ph.OSCILLATOR == {"coefficient": 0.5, "omega": 1.0, "x0": 1.0}
    assert ph.ORDER_TIME == 10.0
    np.testing.assert_allclose(ph.ORDER_TIME / ph.ORDER_STEPS, 0.1 / 2.0 ** np.arange(6))
    assert ph.ENERGY_STEP * ph.OSCILLATOR["omega"] == 0.1
    assert ph.PHASE_LAMBDA == 1.0
    h = {name: math.sqrt(eta_) for name, (eta_, _) in ph.PHASE_SETTINGS.items()}
    assert h["monotone"] == h["ripples"] == pytest.approx(0.2)
    assert h["oscillating"] == pytest.approx(math.sqrt(2))
    assert ph.PHASE_SETTINGS["monotone"][1] < ph.PHASE_SETTINGS["ripples"][1]
    assert ph.DECAY_SPEED == 1.0 and ph.DECAY_STEP == 0.01 and ph.DECAY_TIME == 10.0
    assert ph.DECAY_COEFFICIENTS == {"viscous": 1.0, "turbulent": 1.0, "dry": 0.25}
    assert ph.RACE_LEARNING_RATE == 1.0
    assert all(90 <= grid.size <= 130 for grid in ph.RACE_GRIDS.values())  # "a hundred or so"
    assert ph.WELL["x0"] == 1.0  # the animation: "start at rest at x = 1"


# --------------------------------------------------------------------------------------
# The claims
# --------------------------------------------------------------------------------------

PAIR_CLAIMS = [
    "critical_solution",
    "underdamped_solution",
    "energy_dissipation",
    "explicit_euler_energy_growth",
    "semi_implicit_characteristic_polynomial",
    "energy_gap",
    "terminal_velocity_correspondence",
    "viscous_velocity",
    "viscous_distance",
    "viscous_stopping_distance",
    "viscous_terminal_velocity",
    "turbulent_velocity",
    "turbulent_distance",
    "turbulent_terminal_velocity",
]


@functools.cache
def _claim(name: str) -> Any:
    return getattr(claims, name)()


@pytest.mark.parametrize("name", PAIR_CLAIMS)
def test_claim_is_an_identity(name: str) -> None:
    derived, claimed = _claim(name)
    assert _zero(derived - claimed), f"{name}: {derived} != {claimed}"


@pytest.mark.parametrize("name", PAIR_CLAIMS)
def test_claims_are_not_vacuous(name: str) -> None:
    """Each claimed side is a statement: perturbing it breaks the identity."""
    derived, claimed = _claim(name)
    assert not _zero(derived - (claimed + sp.Rational(1, 7) * drag)), name


def test_every_public_claim_is_tested() -> None:
    """Every public function of ``gdbook.derivations.physics`` is named by a test here."""
    public = {
        n
        for n, f in vars(claims).items()
        if callable(f) and not n.startswith("_") and getattr(f, "__module__", "") == claims.__name__
    }
    named = {
        node.attr
        for node in ast.walk(ast.parse(HERE.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "claims"
    }
    named |= {
        node.value
        for node in ast.walk(ast.parse(HERE.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in PAIR_CLAIMS
    }
    assert public - named == set(), f"claims no test names: {sorted(public - named)}"


def test_overdamped_solution_is_dsolve_in_cosh_form() -> None:
    derived, claimed = claims.overdamped_solution()
    assert _zero((derived - claimed).rewrite(sp.exp))


def _numeric(expr: sp.Expr, **values: float) -> float:
    symbols = {s.name: s for s in expr.free_symbols}
    return float(expr.subs({symbols[k]: v for k, v in values.items() if k in symbols}))


@pytest.mark.parametrize(("c", "omega"), [(3.0, 1.0), (2.0, 1.0), (0.5, 1.0), (0.3, 2.0)])
def test_oscillator_closed_form_is_the_dsolve_solution(c: float, omega: float) -> None:
    """ph.oscillator against the SymPy solutions, and its velocity against a derivative."""
    t = np.linspace(0.0, 9.0, 37)
    x_num, v_num = ph.oscillator(c, omega, 0.7, t)
    if c > 2 * omega:
        expr = claims.overdamped_solution()[1].subs(claims.spread, sp.sqrt(c**2 / 4 - omega**2))
    elif c == 2 * omega:
        expr = claims.critical_solution()[1].subs(claims.omega, omega)
    else:
        expr = claims.underdamped_solution()[1].subs(claims.omega_d, sp.sqrt(omega**2 - c**2 / 4))
    expr = expr.subs({drag: c, x_start: 0.7})
    position = sp.lambdify(time, expr, "numpy")
    speed = sp.lambdify(time, sp.diff(expr, time), "numpy")
    np.testing.assert_allclose(x_num, position(t), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(v_num, speed(t), rtol=1e-10, atol=1e-12)
    # and it solves the ODE: x'' + c x' + omega^2 x = 0, with x'' by finite differences
    fine = np.linspace(0.0, 5.0, 50_001)
    xs = ph.oscillator(c, omega, 0.7, fine)[0]
    second = np.gradient(np.gradient(xs, fine), fine)
    residual = second + c * np.gradient(xs, fine) + omega**2 * xs
    assert np.abs(residual[5:-5]).max() < 1e-5


def test_damping_regimes_and_critical_is_fastest() -> None:
    assert ph.damping_regime([3.0, 2.0, 0.5], 1.0).tolist() == [0, 1, 2]
    assert ph.DAMPING[int(ph.damping_regime(2.0, 1.0))] == "critically damped"
    assert ph.damping_regime([5.0, 4.0, 3.0], 2.0).tolist() == [0, 1, 2]  # c against 2 omega
    t = np.linspace(0.0, 30.0, 3001)
    late = {c: np.abs(ph.oscillator(c, 1.0, 1.0, t)[0][-1]) for c in (1.6, 2.0, 2.5)}
    assert late[2.0] < min(late[1.6], late[2.5])


def test_energy_dissipation_numerically() -> None:
    """dE/dt = -c v^2 along the closed-form motion (finite differences)."""
    t = np.linspace(0.0, 8.0, 80_001)
    xs, vs = ph.oscillator(0.5, 1.3, 1.0, t)
    energy = 0.5 * vs**2 + 0.5 * 1.3**2 * xs**2
    rate = np.gradient(energy, t)
    np.testing.assert_allclose(rate[10:-10], -0.5 * vs[10:-10] ** 2, atol=1e-7)
    sym, claimed = claims.energy_dissipation()
    assert sym.subs(drag, 0) == 0 and claimed.has(velocity)


# --------------------------------------------------------------------------------------
# The integrators, and the dictionary to momentum
# --------------------------------------------------------------------------------------


def _euler_loops(grad, x0, h, c, num_steps):  # type: ignore[no-untyped-def]
    """Plain loops of both Euler schemes for x'' = -grad(x) - c x'."""
    xe, ve = np.array(x0, float), np.zeros(len(x0))
    xs, vs = xe.copy(), ve.copy()
    explicit, semi = [xe], [xs]
    for _ in range(num_steps):
        xe, ve = xe + h * ve, ve + h * (-grad(xe) - c * ve)
        vs = vs + h * (-grad(xs) - c * vs)
        xs = xs + h * vs
        explicit.append(xe)
        semi.append(xs)
    return np.array(explicit), np.array(semi)


def test_integrators_equal_plain_loops_and_rk4_is_accurate() -> None:
    problem = VALLEY.problem()
    accel = ph.acceleration(problem.grad, "viscous", 0.4)
    explicit, semi = _euler_loops(problem.grad, VALLEY.start, 0.3, 0.4, 50)
    got_e = ph.integrate(ph.explicit_euler, accel, VALLEY.start, None, 0.3, 50)
    got_s = ph.integrate(ph.semi_implicit_euler, accel, VALLEY.start, None, 0.3, 50)
    np.testing.assert_allclose(got_e.position, explicit, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(got_s.position, semi, rtol=1e-13, atol=1e-13)
    one = ph.integrate(
        ph.runge_kutta4, ph.acceleration(lambda q: q, "viscous", 0.5), [1.0], None, 0.01, 500
    )
    exact = ph.oscillator(0.5, 1.0, 1.0, one.time)
    assert np.abs(one.position[:, 0] - exact[0]).max() < 1e-9
    np.testing.assert_allclose(one.time, 0.01 * np.arange(501))


def test_momentum_is_semi_implicit_not_explicit_euler() -> None:
    """Goodfellow et al. (2016, sec. 8.3.2) and seed 002 call the update "Euler's method".
    The heavy ball with eta = h^2 and beta = 1 - h c is semi-implicit Euler, to rounding, and
    differs from explicit Euler at the first step already (F16)."""
    problem = VALLEY.problem()
    h, c = 0.8, 0.5
    heavy = run(momentum(h**2, 1 - h * c), problem.grad, VALLEY.start, 80).params
    explicit, semi = _euler_loops(problem.grad, VALLEY.start, h, c, 80)
    np.testing.assert_allclose(heavy, semi, rtol=1e-12, atol=1e-12)
    assert np.abs(heavy[1] - explicit[1]).max() > 0.1
    assert np.all(explicit[1] == VALLEY.start)  # explicit Euler's first step uses v_0 = 0


def test_semi_implicit_euler_is_momentum_on_the_valley() -> None:
    """The identity of the chapter's first cell, for the optimal pair: positions agree and
    the buffer is b = -v/h."""
    tuned_eta, tuned_beta = (
        4 / (1 + math.sqrt(0.1)) ** 2,
        ((1 - math.sqrt(0.1)) / (1 + math.sqrt(0.1))) ** 2,
    )
    h, c = ph.physical_parameters(tuned_eta, tuned_beta)
    problem = VALLEY.problem()
    ball = ph.integrate(
        ph.semi_implicit_euler,
        ph.acceleration(problem.grad, "viscous", c),
        VALLEY.start,
        None,
        float(h),
        60,
    )
    heavy = run(momentum(tuned_eta, tuned_beta), problem.grad, VALLEY.start, 60)
    np.testing.assert_allclose(ball.position, heavy.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(-ball.velocity / h, heavy.field("velocity"), rtol=1e-10, atol=1e-12)


def test_semi_implicit_identities_symbolically() -> None:
    derived, claimed = claims.semi_implicit_euler_is_momentum()
    assert sp.expand(derived - claimed) == sp.zeros(2, 1)
    derived, claimed = claims.semi_implicit_euler_buffer()
    assert sp.expand(derived - claimed) == sp.zeros(2, 1)
    # not vacuous: explicit Euler's position update x + h v_k is not momentum's
    explicit_x = x + h_step * velocity
    assert sp.expand(explicit_x - claimed[1]) != 0


def test_mass_convention() -> None:
    derived, claimed = claims.mass_convention()
    assert all(_zero(a - b) for a, b in zip(derived, claimed, strict=True))
    eta_m, beta_m = ph.momentum_parameters(0.3, 0.5, mass=2.0)
    assert float(eta_m) == pytest.approx(0.045) and float(beta_m) == pytest.approx(0.925)
    assert latex(claimed[0], symbol_names=claims.PRINTED) == r"\frac{h^{2}}{m}"


@settings(max_examples=40)
@given(h=st.floats(0.01, 2.0), c=st.floats(0.001, 1.0))
def test_momentum_and_physical_parameters_are_inverse(h: float, c: float) -> None:
    friction = c / h  # so that beta = 1 - c lies in [0, 1)
    eta_, beta_ = ph.momentum_parameters(h, friction)
    back_h, back_c = ph.physical_parameters(eta_, beta_)
    assert float(back_h) == pytest.approx(h, rel=1e-12)
    assert float(back_c) == pytest.approx(friction, rel=1e-9, abs=1e-12)


def test_momentum_parameters_reject_too_much_friction() -> None:
    with pytest.raises(ValueError, match="beta"):
        ph.momentum_parameters(1.0, 1.5)
    with pytest.raises(ValueError, match="beta"):  # no friction: beta = 1, which momentum refuses
        ph.momentum_parameters(0.1, 0.0)
    assert float(ph.momentum_parameters(0.5, 2.0)[1]) == 0.0  # hc = 1: beta = 0 is allowed


def test_drag_removes_one_minus_beta_per_step() -> None:
    """Seed 002 labels alpha v (beta v here) the viscous drag. Without a slope, one step of
    momentum keeps beta of the velocity and the friction removes the rest, (1 - beta) v =
    h c v: the drag force is -c v with c = (1 - beta)/h."""
    h, beta_ = 0.5, 0.8
    _, c = ph.physical_parameters(h**2, beta_)
    flat = ph.integrate(
        ph.semi_implicit_euler,
        ph.acceleration(np.zeros_like, "viscous", c),
        np.zeros(1),
        np.ones(1),
        h,
        5,
    )
    removed = flat.velocity[:-1, 0] - flat.velocity[1:, 0]
    np.testing.assert_allclose(flat.velocity[1:, 0] / flat.velocity[:-1, 0], beta_)
    np.testing.assert_allclose(removed, h * float(c) * flat.velocity[:-1, 0])
    np.testing.assert_allclose(removed / flat.velocity[:-1, 0], 1 - beta_)


def _explicit_matrix(u: float) -> np.ndarray:
    return np.array([[1.0, u], [-u, 1.0]])  # (x, v/omega) per step, u = h omega


def _semi_matrix(u: float) -> np.ndarray:
    return np.array([[1.0 - u * u, u], [-u, 1.0]])


@pytest.mark.parametrize("u", [0.1, 0.5, 1.0, 1.99, 3.0])
def test_explicit_euler_without_friction_grows_at_every_step(u: float) -> None:
    """|eigenvalue| = sqrt(1 + h^2 omega^2) > 1 (F16: 1.118 at h omega = 0.5)."""
    radius = np.abs(np.linalg.eigvals(_explicit_matrix(u)))
    np.testing.assert_allclose(radius, math.hypot(1, u))
    assert float(ph.explicit_euler_growth(u, 1.0)) == pytest.approx(math.hypot(1, u))
    moduli, claimed = claims.explicit_euler_growth()
    assert all(_zero(m - claimed) for m in moduli)
    assert float(claimed.subs({h_step: u, claims.omega: 1})) > 1


def test_explicit_euler_growth_published_number() -> None:
    """F16: explicit Euler's |eigenvalue| is 1.118 at h omega = 0.5."""
    assert round(float(ph.explicit_euler_growth(0.5, 1.0)), 3) == 1.118


@pytest.mark.parametrize("u", [0.1, 1.0, 1.5, 1.99, 2.01, 2.5])
def test_semi_implicit_radius_is_one_up_to_two(u: float) -> None:
    radius = float(np.abs(np.linalg.eigvals(_semi_matrix(u))).max())
    assert float(ph.semi_implicit_radius(u, 1.0)) == pytest.approx(radius, rel=1e-9)
    assert (radius <= 1 + 1e-12) == (u < 2)


def test_semi_implicit_stability_published_numbers() -> None:
    """F16: h omega = 1.99 gives spectral radius 1.0, h omega = 2.01 gives 1.22."""
    assert round(float(ph.semi_implicit_radius(1.99, 1.0)), 2) == 1.0
    assert round(float(ph.semi_implicit_radius(2.01, 1.0)), 2) == 1.22


def test_semi_implicit_stability_bound_symbolically_and_in_simulation() -> None:
    """h omega < 2 from the trace, the same as the heavy ball's eta lambda < 2 + 2 beta at
    beta = 1; in simulation 1.99 stays bounded over 20 000 steps and 2.01 flies off."""
    scheme, heavy, det = claims.semi_implicit_stability()
    u = next(iter(scheme.free_symbols))
    assert scheme == (u < 2) and heavy == (u < 2) and det == 1
    well = ph.acceleration(lambda q: q, "viscous", 0.0)
    inside = ph.integrate(ph.semi_implicit_euler, well, [1.0], None, 1.99, 20_000)
    outside = ph.integrate(ph.semi_implicit_euler, well, [1.0], None, 2.01, 200)
    assert np.abs(inside.position).max() < 25
    assert np.abs(outside.position[-1, 0]) > 1e10


def test_semi_implicit_characteristic_polynomial_is_the_heavy_balls() -> None:
    """Numerically: the eigenvalues of the step matrix with friction are the heavy ball's."""
    h, c, w = 0.7, 0.9, 1.3
    matrix = np.array([[1 - h * h * w * w, h * (1 - h * c)], [-h * w * w, 1 - h * c]])
    mine = np.sort_complex(np.linalg.eigvals(matrix))
    theirs = np.sort_complex(heavy_ball_eigenvalues(h * h, 1 - h * c, w * w))
    np.testing.assert_allclose(mine, theirs, atol=1e-12)
    _, claimed = claims.semi_implicit_characteristic_polynomial()
    assert claimed.has(claims.omega) and not claimed.has(eta)


@pytest.mark.parametrize("name", list(ph.INTEGRATORS))
def test_convergence_orders_are_one_one_and_four(name: str) -> None:
    """The global error at T as h halves: each halving divides it by 2^p, p = 1, 1, 4
    (within 0.1), measured against the closed form (independently of the fitted slope)."""
    expected = {"explicit Euler": 1, "semi-implicit Euler": 1, "RK4": 4}[name]
    hs, errors = ph.global_errors(ph.INTEGRATORS[name])
    assert np.allclose(hs[:-1] / hs[1:], 2.0)
    local = np.log2(errors[:-1] / errors[1:])
    assert abs(local[-1] - expected) < 0.1
    _, errors_, slope = ph.convergence_orders()[name]
    assert abs(slope - expected) < 0.1
    np.testing.assert_array_equal(errors, errors_)


# --------------------------------------------------------------------------------------
# Energy
# --------------------------------------------------------------------------------------


def test_explicit_euler_energy_grows_by_the_exact_factor() -> None:
    ratio, claimed = claims.explicit_euler_energy_growth()
    assert _zero(ratio - claimed)
    _, kinetic, potential = ph.energy_runs()["explicit Euler"]
    energy = kinetic + potential
    np.testing.assert_allclose(energy[1:] / energy[:-1], 1 + ph.ENERGY_STEP**2, rtol=1e-12)


def test_modified_energy_is_conserved_to_rounding() -> None:
    """Semi-implicit Euler conserves E~ exactly (SymPy) and to rounding over 10 000 steps;
    the true energy stays in [E~/(1 + h omega/2), E~/(1 - h omega/2)]."""
    after, before = claims.modified_energy()
    assert sp.expand(after - before) == 0
    gap, claimed = claims.energy_gap()
    assert _zero(gap - claimed)
    h, w = 0.3, 1.7
    motion = ph.integrate(
        ph.semi_implicit_euler,
        ph.acceleration(lambda q: w * w * q, "viscous", 0.0),
        [0.4],
        [1.1],
        h,
        10_000,
    )
    tilde = ph.modified_energy(motion.position[:, 0], motion.velocity[:, 0], h, w)
    assert np.abs(tilde / tilde[0] - 1).max() < 1e-11
    energy = 0.5 * motion.velocity[:, 0] ** 2 + 0.5 * w * w * motion.position[:, 0] ** 2
    assert np.all(energy >= tilde / (1 + h * w / 2) * (1 - 1e-12))
    assert np.all(energy <= tilde / (1 - h * w / 2) * (1 + 1e-12))


def test_energy_experiment_bounded_versus_growing() -> None:
    """Without friction: explicit Euler's energy grows without bound, semi-implicit Euler's
    error stays within h omega / 2 (and does not grow), RK4 drifts by little."""
    runs = ph.energy_runs()
    totals = {name: (k + p) / (k + p)[0] for name, (_, k, p) in runs.items()}
    assert totals["explicit Euler"][-1] == pytest.approx(
        (1 + ph.ENERGY_STEP**2) ** ph.ENERGY_STEPS, rel=1e-9
    )
    semi = totals["semi-implicit Euler"]
    assert semi.min() >= 1 / (1 + ph.ENERGY_STEP / 2) - 1e-12
    assert semi.max() <= 1 / (1 - ph.ENERGY_STEP / 2) + 1e-12
    half = semi.size // 2
    assert np.abs(semi[half:] - 1).max() <= np.abs(semi[:half] - 1).max() * 1.01  # no growth
    assert 0 < 1 - totals["RK4"][-1] < 1e-4
    assert np.all(np.diff(totals["RK4"]) <= 1e-15)  # RK4 only ever loses energy here


def test_energies_measure_the_potential_from_the_minimum() -> None:
    """E_pot = f(x) - f*, also where f* != 0: a d^2 / 2 at a distance d from x* (a = 2)."""
    well = quadratic_from_matrix([[2.0]], [1.0], 3.0)
    assert well.f_star == pytest.approx(3.0 - 0.25)
    xs = np.asarray(well.x_star) + np.array([[0.0], [0.5], [-1.0]])
    motion = ph.Motion(np.arange(3.0), xs, np.array([[0.0], [1.0], [-2.0]]))
    kinetic, potential = ph.energies(well, motion)
    np.testing.assert_allclose(potential, [0.0, 0.25, 1.0], atol=1e-14)
    np.testing.assert_allclose(kinetic, [0.0, 0.5, 2.0])


def test_friction_drains_energy_for_every_integrator() -> None:
    for _, kinetic, potential in ph.energy_runs(0.5).values():
        energy = kinetic + potential
        assert energy[-1] < 1e-6 * energy[0]


def test_frictionless_ball_never_settles() -> None:
    """Seed 003's gamma in (0, 1]: gamma = 1 is c = 0. The ball keeps its (modified) energy,
    so after 10 000 steps its swings still reach |x| = 1; momentum refuses beta = 1."""
    never = ph.integrate(
        ph.semi_implicit_euler,
        ph.acceleration(ph.WELL_PROBLEM.grad, "viscous", 0.0),
        np.ones(1),
        None,
        0.1,
        10_000,
    )
    times, tops = ph.swing_tops(never)
    assert tops.size > 300 and tops.min() > 0.99  # every swing still reaches |x| = 1
    assert np.abs(never.position[-100:, 0]).max() == pytest.approx(1.0, abs=2e-3)
    assert times[-1] > 990
    with pytest.raises(ValueError, match="beta"):
        momentum(0.01, 1.0)
    assert float(ph.momentum_parameters(0.1, 1e-9)[1]) < 1  # any friction at all: beta < 1


def test_momentum_sees_only_gradients_not_second_derivatives() -> None:
    """Seed 002: momentum "also considers second-order partial derivatives". Two losses whose
    gradients agree at every visited point but whose second derivatives differ there give
    identical iterates: the update reads gradients only."""
    base = quadratic([1.0])
    xs = run(momentum(0.3, 0.7), base.grad, [2.0], 12).params[:, 0]
    visited = xs[:-1]
    assert np.unique(visited).size == visited.size

    def bumped(q: np.ndarray) -> np.ndarray:  # + eps * prod (x - x_i): zero at every x_i
        return base.grad(q) + 0.1 * np.prod(q[..., None] - visited, axis=-1)

    again = run(momentum(0.3, 0.7), bumped, [2.0], 12).params[:, 0]
    np.testing.assert_array_equal(again, xs)
    # the second derivative of the bumped loss at x_j is 1 + eps prod_{i != j} (x_j - x_i)
    extra = [0.1 * np.prod(np.delete(visited, j) - x_j) for j, x_j in enumerate(visited)]
    assert all(abs(e) > 1e-12 for e in extra)


# --------------------------------------------------------------------------------------
# Damping in discrete time
# --------------------------------------------------------------------------------------


def test_discrete_critical_friction() -> None:
    solved, claimed, limit = claims.discrete_critical_friction()
    assert _zero(solved - claimed) and limit == 2 * sp.sqrt(lam)
    for h, eig in [(0.1, 1.0), (0.5, 0.3), (1.2, 0.5)]:
        c = float(ph.critical_friction(h, eig))
        roots = heavy_ball_eigenvalues(h * h, 1 - h * c, eig)
        assert abs(roots[0] - roots[1]) < 1e-7  # a double root: critical damping
        assert c == pytest.approx(2 * math.sqrt(eig) - h * eig)


def test_optimal_ball_damps_both_ends_with_one_friction() -> None:
    (h_star, c_star), (h_claim, c_claim) = claims.optimal_friction()
    assert _zero(h_star - h_claim) and _zero(c_star - c_claim)
    flat, steep, c_opt = claims.optimal_friction_damps_both_ends()
    assert _zero(flat - c_opt) and _zero(steep - c_opt) and _zero(c_opt - c_claim)
    h, c = (float(v) for v in ph.optimal_ball(0.1, 1.0))
    assert h == pytest.approx(2 / (1 + math.sqrt(0.1)))
    assert c == pytest.approx(2 * math.sqrt(0.1) / (1 + math.sqrt(0.1)))
    np.testing.assert_allclose(ph.critical_friction(h, [0.1, 1.0]), c)
    # both ends on the critical-damping curve of the momentum chapter, as double roots
    for eig in (0.1, 1.0):
        roots = heavy_ball_eigenvalues(h * h, 1 - h * c, eig)
        assert abs(roots[0] - roots[1]) < 1e-6
    assert c / (2 * math.sqrt(0.1)) < 1 and c / 2 < 1  # under-damped as continuous balls


def test_terminal_velocity_is_h_times_g_over_c() -> None:
    derived, claimed = claims.terminal_velocity_correspondence()
    assert _zero(derived - claimed)
    h, c, slope = 0.2, 0.5, 3.0
    traj = run(momentum(h * h, 1 - h * c), lambda q: np.full_like(q, slope), [0.0], 2000)
    assert traj.params[-2, 0] - traj.params[-1, 0] == pytest.approx(h * slope / c, rel=1e-9)


def test_phase_portraits_are_the_heavy_ball_and_its_regimes() -> None:
    """The discrete portraits are momentum's iterates with v_k = (x_k - x_{k-1})/h; the
    regimes are the momentum chapter's and the continuous ones of the table."""
    portraits = ph.phase_portraits()
    expected = {
        "monotone": ("monotone", 0),
        "ripples": ("ripples", 2),
        "oscillating": ("oscillating", 2),
    }
    for name, (eta_, beta_) in ph.PHASE_SETTINGS.items():
        portrait = portraits[name]
        xs = run(momentum(eta_, beta_), lambda q: q, [1.0], ph.PHASE_STEPS).params[:, 0]
        np.testing.assert_array_equal(portrait.discrete.position, xs)
        np.testing.assert_allclose(portrait.discrete.velocity[1:], np.diff(xs) / math.sqrt(eta_))
        regime = heavy_ball_regime(eta_, beta_, ph.PHASE_LAMBDA)
        assert ("monotone", "ripples", "oscillating", "divergent")[int(regime)] == expected[name][0]
        assert int(ph.damping_regime(portrait.coefficient, 1.0)) == expected[name][1]
    oscillating = portraits["oscillating"].discrete.position
    assert np.all(np.sign(oscillating[1:20]) != np.sign(oscillating[:19]))  # flips every step


def test_valley_eigen_motion_is_the_tuned_heavy_ball() -> None:
    y, v = ph.valley_eigen_motion()
    problem = VALLEY.problem()
    assert np.allclose(y[0], problem.to_eigenbasis(VALLEY.start))
    assert np.all(np.sign(y[1:12, 1]) != np.sign(y[:11, 1]))  # the steep direction alternates
    assert np.all(np.diff(np.abs(y[:, 0])) <= 1e-12)  # the flat one creeps in monotonically
    h = float(ph.optimal_ball(0.1, 1.0)[0])
    np.testing.assert_allclose(v[1:], np.diff(y, axis=0) / h)


# --------------------------------------------------------------------------------------
# Drag laws
# --------------------------------------------------------------------------------------


def test_drag_closed_forms_match_the_claims() -> None:
    t = np.linspace(0.0, 7.0, 15)
    v0, c = 1.3, 0.7
    for law, (speed_claim, distance_claim) in {
        "viscous": (claims.viscous_velocity()[1], claims.viscous_distance()[1]),
        "turbulent": (claims.turbulent_velocity()[1], claims.turbulent_distance()[1]),
    }.items():
        at = {claims.v_0: v0, drag: c}
        speed = sp.lambdify(time, speed_claim.subs(at), "numpy")(t)
        distance = sp.lambdify(time, distance_claim.subs(at), "numpy")(t)
        got = ph.free_motion(law, v0, c, t)
        np.testing.assert_allclose(got[0], speed, rtol=1e-12)
        np.testing.assert_allclose(got[1], distance, rtol=1e-12, atol=1e-15)
    (stop, dist), (stop_claim, dist_claim) = claims.dry_stopping()
    assert _zero(stop - stop_claim) and _zero(dist - dist_claim)
    speed, distance = ph.free_motion("dry", v0, c, t)
    np.testing.assert_allclose(speed, np.maximum(v0 - c * t, 0))
    assert distance[-1] == pytest.approx(_numeric(dist_claim, v_0=v0, c_drag=c))
    np.testing.assert_allclose(ph.stopping_distance("viscous", v0, c), v0 / c)
    np.testing.assert_allclose(ph.stopping_distance("dry", v0, c), v0**2 / (2 * c))
    assert np.isinf(ph.stopping_distance("turbulent", v0, c))


def test_turbulent_distance_is_unbounded_like_log_t() -> None:
    """Goodfellow et al. (2016, sec. 8.3.2): with turbulent drag alone the distance grows like
    O(log t), F18."""
    limit, ratio = claims.turbulent_distance_is_unbounded()
    assert limit == sp.oo and ratio == 1
    ts = np.array([1e3, 1e6, 1e9])
    distance = ph.free_motion("turbulent", 1.0, 2.0, ts)[1]
    np.testing.assert_allclose(np.diff(distance), np.log(1e3) / 2.0, rtol=1e-3)


def test_terminal_velocities() -> None:
    """F17: viscous F/c; turbulent sqrt(F/c); RK4 from rest gets there."""
    for name, law in [
        ("viscous_terminal_velocity", "viscous"),
        ("turbulent_terminal_velocity", "turbulent"),
    ]:
        derived, claimed = getattr(claims, name)()
        assert _zero(derived - claimed)
        force, c = 2.0, 0.5
        accel = ph.acceleration(lambda q: np.full_like(q, -2.0), law, c)  # slope -F: force +F
        motion = ph.integrate(ph.runge_kutta4, accel, [0.0], None, 0.01, 4000)
        assert motion.velocity[-1, 0] == pytest.approx(
            float(ph.terminal_velocity(law, force, c)), rel=1e-6
        )
    assert float(ph.terminal_velocity("viscous", 2.0, 0.5)) == 4.0
    assert float(ph.terminal_velocity("turbulent", 2.0, 0.5)) == 2.0
    assert ph.terminal_velocity("dry", [0.5, 2.0], 1.0).tolist() == [0.0, math.inf]


def test_free_decay_simulations_match_the_closed_forms() -> None:
    """The tolerances the chapter states: RK4 to 1e-9 for viscous and turbulent drag; the
    dry ball stops within one step of v0/c and covers v0^2/(2c) within h v0."""
    decay = ph.free_decay()
    h = ph.DECAY_STEP
    for law in ("viscous", "turbulent"):
        motion, speed, distance = decay[law]
        assert np.abs(motion.velocity[:, 0] - speed).max() < 1e-9
        assert np.abs(motion.position[:, 0] - distance).max() < 1e-9
    motion, speed, distance = decay["dry"]
    c, v0 = ph.DECAY_COEFFICIENTS["dry"], ph.DECAY_SPEED
    stopped = motion.time[np.argmax(motion.velocity[:, 0] == 0.0)]
    assert abs(stopped - v0 / c) <= h + 1e-12
    assert np.all(motion.velocity[motion.time >= stopped, 0] == 0.0)  # and it stays put
    assert abs(motion.position[-1, 0] - v0**2 / (2 * c)) <= h * v0
    assert np.abs(motion.position[:, 0] - distance).max() <= h * v0
    # the discrete sum: v_k = v0 - c h k until v0/(c h) steps, so x = v0^2/(2c) - h v0/2
    # (the chapter's "first-order error h v0/2")
    steps = round(v0 / (c * h))
    discrete = h * steps * v0 - c * h * h * steps * (steps + 1) / 2
    assert discrete == pytest.approx(v0**2 / (2 * c) - h * v0 / 2, rel=1e-12)
    assert motion.position[-1, 0] == pytest.approx(discrete, abs=1e-12)


def test_dry_turning_points_published_example() -> None:
    """F19: mu = 0.1, lambda = 1 from x = 1: 1 -> -0.8 -> 0.6 -> -0.4 -> 0.2 -> 0."""
    np.testing.assert_allclose(
        ph.dry_turning_points(1.0, 0.1, 1.0), [1, -0.8, 0.6, -0.4, 0.2, 0], atol=1e-12
    )


def test_dry_well_stops_short_in_the_dead_zone() -> None:
    """The chapter's well (c = 0.15): 1, -0.7, 0.4, -0.1 in closed form and in simulation;
    the resting point is in the dead zone and not the minimum; one swing as SymPy says."""
    motion, turns = ph.dry_well()
    np.testing.assert_allclose(turns, [1.0, -0.7, 0.4, -0.1], atol=1e-12)
    simulated = ph.turning_points(motion)
    np.testing.assert_allclose(simulated, turns, atol=2e-3)
    c, lam_ = ph.WELL["friction"], ph.WELL["lam"]
    rest = motion.position[-1, 0]
    assert abs(rest) <= c / lam_ and abs(rest) > 0.05
    assert np.all(motion.velocity[-1000:, 0] == 0.0)
    (swing, turn), (swing_claim, turn_claim) = claims.dry_half_swing()
    assert _zero(swing - swing_claim) and _zero(turn - turn_claim)
    first = _numeric(turn_claim, A=1.0, c_drag=c, **{"lambda": lam_})
    assert first == pytest.approx(turns[1])


def test_dry_dead_zone_is_where_static_friction_holds_the_ball() -> None:
    """SymPy: lambda |x| <= c iff |x| <= c/lambda. Numerically: one step of roll from rest
    leaves the ball exactly in place at the points of that interval, and only there."""
    held, claimed = claims.dry_dead_zone()
    assert sp.simplify(sp.Equivalent(held, claimed)) is sp.true  # bool() of a formula is True
    (rest,) = held.free_symbols - {drag, lam}
    c, lam_ = 0.15, 2.0
    at = {drag: c, lam: lam_}
    for x_ in (-0.2, -0.076, -0.074, 0.0, 0.074, 0.076, 0.2):  # the claimed side, numerically
        assert bool(claimed.subs({**at, rest: x_})) == (abs(x_) <= c / lam_), x_
    assert bool(held.subs({**at, rest: 0.99 * c / lam_})) and bool(held.subs({**at, rest: -0.07}))
    assert not bool(held.subs({**at, rest: 1.01 * c / lam_}))  # not a wider zone
    assert not bool(held.subs({**at, rest: -1.01 * c / lam_}))
    for x_ in np.linspace(-0.2, 0.2, 80):  # the grid misses the edges +-0.075
        ball = ph.roll(lambda q: lam_ * q, "dry", c, [x_], None, 0.1, 3)
        stays = bool(np.all(ball.position[:, 0] == x_))
        assert stays == bool(held.subs({**at, rest: float(x_)})), x_


def test_dry_turning_points_validate_and_handle_a_start_inside_the_zone() -> None:
    np.testing.assert_array_equal(ph.dry_turning_points(0.05, 0.1, 1.0), [0.05])
    with pytest.raises(ValueError, match="friction"):
        ph.dry_turning_points(1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="lam"):
        ph.dry_turning_points(1.0, 0.1, 0.0)  # a flat well has no dead zone to stop in


def test_turbulent_amplitude_decays_like_one_over_t() -> None:
    """The averaged law A0/(1 + 4 c omega A0 t / (3 pi)) against a simulation (to 0.1%)."""
    (average, solved), (average_claim, claimed) = claims.turbulent_amplitude_decay()
    assert _zero(average - average_claim) and _zero(solved - claimed)
    phases = np.linspace(0, 2 * np.pi, 200_001)
    assert np.mean(np.abs(np.sin(phases)) ** 3) == pytest.approx(4 / (3 * np.pi), rel=1e-4)
    times, tops, law = ph.turbulent_swings()
    assert times.size > 50
    np.testing.assert_allclose(tops, law, rtol=1e-3)
    assert tops[-1] < 0.25  # from 1: it decays, slowly


def test_turbulent_amplitude_is_the_averaged_law_from_time_zero() -> None:
    """ph.turbulent_amplitude against the SymPy solution, t = 0 (A = A0) included."""
    _, (_, claimed) = claims.turbulent_amplitude_decay()
    at = {claims.amplitude: 0.8, drag: 0.3, claims.omega: 1.5}
    law = sp.lambdify(time, claimed.subs(at), "numpy")
    t = np.array([0.0, 0.5, 3.0, 40.0])
    np.testing.assert_allclose(ph.turbulent_amplitude(0.8, 0.3, 1.5, t), law(t), rtol=1e-13)
    assert float(ph.turbulent_amplitude(0.8, 0.3, 1.5, 0.0)) == 0.8
    with pytest.raises(ValueError, match="time"):
        ph.turbulent_amplitude(0.8, 0.3, 1.5, -1.0)


def test_integrators_take_zero_steps_and_reject_negative_counts() -> None:
    """num_steps = 0 is the start alone (one row); a negative count is refused."""
    accel = ph.acceleration(lambda q: q, "viscous", 0.5)
    for motion in (
        ph.integrate(ph.runge_kutta4, accel, [0.3], [0.2], 0.1, 0),
        ph.roll(lambda q: q, "dry", 0.5, [0.3], [0.2], 0.1, 0),
    ):
        assert motion.time.tolist() == [0.0]
        assert motion.position.tolist() == [[0.3]] and motion.velocity.tolist() == [[0.2]]
    with pytest.raises(ValueError, match="num_steps"):
        ph.integrate(ph.runge_kutta4, accel, [0.3], None, 0.1, -1)
    # a scalar start with a scalar acceleration: the same numbers without the axis
    spring = lambda q, v: -q - 0.5 * v  # noqa: E731
    scalar = ph.integrate(ph.semi_implicit_euler, spring, 0.3, 0.2, 0.1, 5)
    vector = ph.integrate(ph.semi_implicit_euler, accel, [0.3], [0.2], 0.1, 5)
    assert scalar.position.shape == (6,)
    np.testing.assert_array_equal(scalar.position, vector.position[:, 0])


@pytest.mark.parametrize("law", list(ph.DRAG_LAWS))
def test_drag_flow_is_the_solution_of_the_drag_equation(law: str) -> None:
    """The flow's time derivative at t = 0 is -D(v); flows compose (a semigroup); the
    direction of the velocity is kept; the speed never grows."""
    rng = np.random.default_rng(3)
    v = rng.standard_normal((5, 3))
    eps = 1e-6
    derivative = (ph.drag_flow(law, v, 0.8, eps) - v) / eps
    np.testing.assert_allclose(derivative, -ph.drag_force(law, v, 0.8), rtol=1e-4, atol=1e-5)
    twice = ph.drag_flow(law, ph.drag_flow(law, v, 0.8, 0.3), 0.8, 0.4)
    np.testing.assert_allclose(twice, ph.drag_flow(law, v, 0.8, 0.7), rtol=1e-12, atol=1e-15)
    later = ph.drag_flow(law, v, 0.8, 2.0)
    assert np.all(ph.speed(later) <= ph.speed(v))
    cross = np.cross(later, v)
    np.testing.assert_allclose(cross, 0.0, atol=1e-12)
    np.testing.assert_array_equal(ph.drag_flow(law, np.zeros(3), 0.8, 1.0), np.zeros(3))
    np.testing.assert_array_equal(ph.drag_force(law, np.zeros(3), 0.8), np.zeros(3))


def test_drag_laws_validate() -> None:
    with pytest.raises(ValueError, match="law"):
        ph.drag_force("quadratic", [1.0], 1.0)
    with pytest.raises(ValueError, match="coefficient"):
        ph.drag_flow("dry", [1.0], -1.0, 1.0)
    with pytest.raises(ValueError, match="time"):
        ph.drag_flow("dry", [1.0], 1.0, -1.0)
    with pytest.raises(ValueError, match="v0"):
        ph.free_motion("viscous", 0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="h"):
        ph.roll(lambda q: q, "viscous", 1.0, [1.0], None, 0.0, 3)


def test_roll_is_semi_implicit_euler_with_exact_drag_and_first_order() -> None:
    """roll = push by the slope, the drag's exact decay, move; it converges at order 1."""
    grad = VALLEY.problem().grad
    motion = ph.roll(grad, "turbulent", 0.7, VALLEY.start, None, 0.2, 20)
    xv, vv = VALLEY.start.copy(), np.zeros(2)
    for k in range(20):
        w = vv - 0.2 * grad(xv)
        vv = w / (1 + 0.7 * 0.2 * np.linalg.norm(w))
        xv = xv + 0.2 * vv
        np.testing.assert_allclose(motion.position[k + 1], xv, rtol=1e-13)
    errors = []
    for n in (400, 800, 1600, 3200):
        end = ph.roll(lambda q: q, "viscous", 0.5, [1.0], None, 10.0 / n, n)
        exact = ph.oscillator(0.5, 1.0, 1.0, 10.0)
        errors.append(math.hypot(end.position[-1, 0] - exact[0], end.velocity[-1, 0] - exact[1]))
    assert abs(math.log2(errors[-2] / errors[-1]) - 1) < 0.1


def test_printing_of_the_chapter_symbols() -> None:
    """The chapter prints t, h, c, v for the SymPy names of derivations/__init__."""
    assert [latex(s) for s in (drag, h_step, time, velocity)] == ["c", "h", "t", "v"]
    assert latex(claims.spread, symbol_names=claims.PRINTED) == r"\gamma"
    assert {g, beta, x} <= set(
        sp.sympify("g*beta*x", locals={"g": g, "beta": beta, "x": x}).free_symbols
    )
