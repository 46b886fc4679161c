"""Tests for the chapter *Momentum as physics*: the drag optimizers, the race, the explorer,
the animation and the exercises.

Oracles: from-scratch loops written here, the heavy ball of ``gdbook.momentum`` (a route
independent of the drag blocks), the static-friction condition, closed forms, and the
claim of Goodfellow et al. (2016, sec. 8.3.2) that turbulent drag is too weak near zero
velocity and dry friction too strong.
"""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from gdbook import animations, figures, widgets
from gdbook import physics as ph
from gdbook.base import run
from gdbook.catalog import CATALOG, family
from gdbook.examples import VALLEY
from gdbook.measure import stays_below_from
from gdbook.momentum import momentum
from gdbook.viz import physics as viz
from gdbook_solutions import physics as solutions

VALLEY_PROBLEM = VALLEY.problem()


def _drag_loop(retain, grad, x0, eta, num_steps):  # type: ignore[no-untyped-def]
    """Push, then retain: p = retain(p - eta grad f(x)), x = x + p; every iterate."""
    x, p = np.array(x0, float), np.zeros(len(x0))
    path = [x]
    for _ in range(num_steps):
        p = retain(p - eta * grad(x))
        x = x + p
        path.append(x)
    return np.array(path)


# --------------------------------------------------------------------------------------
# The drag optimizers
# --------------------------------------------------------------------------------------


def test_drag_optimizers_equal_plain_loops() -> None:
    grad, start = VALLEY_PROBLEM.grad, VALLEY.start
    cases = {
        "viscous": (ph.viscous_momentum(0.7, 0.6), lambda w: 0.6 * w),
        "turbulent": (ph.turbulent_momentum(0.7, 3.0), lambda w: w / (1 + 3.0 * np.linalg.norm(w))),
        "dry": (
            ph.dry_friction_momentum(0.7, 0.05),
            lambda w: w * max(1 - 0.05 / np.linalg.norm(w), 0.0) if np.linalg.norm(w) else w,
        ),
    }
    for name, (opt, retain) in cases.items():
        got = run(opt, grad, start, 60).params
        np.testing.assert_allclose(
            got, _drag_loop(retain, grad, start, 0.7, 60), rtol=1e-12, atol=1e-14, err_msg=name
        )


def test_viscous_momentum_is_the_heavy_ball_with_learning_rate_beta_eta() -> None:
    for eta, beta in [(0.5, 0.6), (1.2, 0.3), (0.1, 0.95)]:
        mine = run(ph.viscous_momentum(eta, beta), VALLEY_PROBLEM.grad, VALLEY.start, 80).params
        heavy = run(momentum(beta * eta, beta), VALLEY_PROBLEM.grad, VALLEY.start, 80).params
        np.testing.assert_allclose(mine, heavy, rtol=1e-11, atol=1e-13)


def test_viscous_momentum_takes_the_heavy_balls_default_beta() -> None:
    """Called without beta it runs as momentum's default beta would (the same ball)."""
    default = inspect.signature(momentum).parameters["beta"].default
    mine = run(ph.viscous_momentum(0.5), VALLEY_PROBLEM.grad, VALLEY.start, 30).params
    theirs = run(momentum(0.5 * default, default), VALLEY_PROBLEM.grad, VALLEY.start, 30).params
    np.testing.assert_allclose(mine, theirs, rtol=1e-11, atol=1e-13)


def test_drag_optimizers_are_roll_in_units_of_steps() -> None:
    """turbulent: the same c; dry: friction c_phys h^2; viscous: beta = exp(-c h)."""
    eta, h = 0.64, 0.8
    grad, start = VALLEY_PROBLEM.grad, VALLEY.start
    pairs = [
        (ph.turbulent_momentum(eta, 2.0), "turbulent", 2.0),
        (ph.dry_friction_momentum(eta, 0.02), "dry", 0.02 / h**2),
        (ph.viscous_momentum(eta, math.exp(-0.5 * h)), "viscous", 0.5),
    ]
    for opt, law, c in pairs:
        steps = run(opt, grad, start, 50).params
        ball = ph.roll(grad, law, c, start, None, h, 50)
        np.testing.assert_allclose(steps, ball.position, rtol=1e-10, atol=1e-12, err_msg=law)


def test_dry_friction_holds_the_ball_where_the_push_is_weaker_than_the_friction() -> None:
    """Static friction: at rest where eta |grad f| <= c the ball never moves (exactly)."""
    start = np.array([0.05, -0.02])
    eta, c = 1.0, 1.01 * float(np.linalg.norm(VALLEY_PROBLEM.grad(start)))
    held = run(ph.dry_friction_momentum(eta, c), VALLEY_PROBLEM.grad, start, 30).params
    assert np.all(held == start)
    moved = run(ph.dry_friction_momentum(eta, 0.99 * c), VALLEY_PROBLEM.grad, start, 1).params
    assert np.any(moved[1] != start)


def test_drag_blocks_are_named_and_validate() -> None:
    assert ph.turbulent_momentum(0.1, 1.0).blocks == ("scale_by_learning_rate", "turbulent_drag")
    assert ph.dry_friction_momentum(0.1, 1.0).blocks == ("scale_by_learning_rate", "dry_friction")
    assert ph.viscous_momentum(0.1).blocks == ("scale_by_learning_rate", "viscous_drag")
    with pytest.raises(ValueError, match="drag"):
        ph.turbulent_momentum(0.1, -1.0)
    with pytest.raises(ValueError, match="friction"):
        ph.dry_friction_momentum(0.1, -1.0)
    with pytest.raises(ValueError, match="beta"):
        ph.viscous_momentum(0.1, 1.0)


def test_drag_blocks_accept_schedules() -> None:
    opt = ph.turbulent_momentum(0.5, lambda step: 1.0 if step <= 3 else 2.0)
    scheduled = run(opt, VALLEY_PROBLEM.grad, VALLEY.start, 6).params
    first = run(ph.turbulent_momentum(0.5, 1.0), VALLEY_PROBLEM.grad, VALLEY.start, 3).params
    np.testing.assert_array_equal(scheduled[:4], first)


def test_drag_blocks_give_a_schedule_the_number_of_the_update() -> None:
    """A schedule t -> c_t sees t = 1, 2, 3, ... (the update being made): from-scratch loops
    with the coefficient of each update, for the three drags."""
    grad, start = VALLEY_PROBLEM.grad, VALLEY.start
    cases = {
        "turbulent": (
            ph.turbulent_momentum(0.5, lambda t: 0.5 * t),
            lambda w, t: w / (1 + 0.5 * t * np.linalg.norm(w)),
        ),
        "dry": (
            ph.dry_friction_momentum(0.5, lambda t: 0.01 * t),
            lambda w, t: w * max(1 - 0.01 * t / np.linalg.norm(w), 0.0),
        ),
        "viscous": (
            ph.viscous_momentum(0.5, lambda t: 1 - 1 / (t + 1)),
            lambda w, t: w * t / (t + 1),
        ),
    }
    for name, (opt, retain) in cases.items():
        x, p, path = start.copy(), np.zeros(2), [start]
        for t in range(1, 9):
            p = retain(p - 0.5 * grad(x), t)
            x = x + p
            path.append(x)
        got = run(opt, grad, start, 8)
        np.testing.assert_allclose(got.params, path, rtol=1e-12, atol=1e-14, err_msg=name)


def test_catalog_entries_of_the_chapter() -> None:
    entries = {k: m for k, m in CATALOG.items() if m.chapter == "physics"}
    assert set(entries) == {"viscous_momentum", "turbulent_momentum", "dry_friction_momentum"}
    assert entries["viscous_momentum"].form_of == "momentum"
    assert all(m.parents == ("momentum",) for m in entries.values())
    taken = {m.colour for m in family()}
    mine = [entries[k].colour for k in ("turbulent_momentum", "dry_friction_momentum")]
    assert len(set(mine)) == 2 and not set(mine) & taken  # colours of their own


# --------------------------------------------------------------------------------------
# The race on the valley: the Deep Learning book's argument, measured
# --------------------------------------------------------------------------------------


def test_race_viscous_wins_in_the_steps_a_plain_heavy_ball_takes() -> None:
    """Viscous drag at its best beta reaches the tolerance; the count is the one of a plain
    heavy-ball loop with learning rate beta eta (an independent route)."""
    result = ph.drag_race()["viscous"]
    beta = result.coefficient
    x, b, errors = VALLEY.start.copy(), np.zeros(2), [np.linalg.norm(VALLEY.start)]
    for _ in range(ph.RACE_STEPS):
        b = beta * b + VALLEY_PROBLEM.grad(x)
        x = x - beta * ph.RACE_LEARNING_RATE * b
        errors.append(np.linalg.norm(x))
    assert result.steps == int(stays_below_from(np.array(errors), ph.RACE_TOL)) > 0
    assert result.steps < 100


def test_race_turbulent_and_dry_never_reach_the_tolerance() -> None:
    """Goodfellow et al. (2016, sec. 8.3.2): turbulent drag too weak near zero velocity, dry
    friction too strong. At no coefficient of the grid does either reach the tolerance."""
    for law in ("turbulent", "dry"):
        _, steps, _, _ = ph.race_sweep(law, ph.RACE_GRIDS[law])
        assert np.all(steps == -1), law
        assert ph.drag_race()[law].steps == -1


def test_race_best_coefficients_are_the_best_on_their_grids() -> None:
    for law, grid in ph.RACE_GRIDS.items():
        errors, steps, _, _ = ph.race_sweep(law, grid)
        result = ph.drag_race()[law]
        if law == "viscous":
            assert result.steps == steps[steps >= 0].min()
        else:
            assert result.errors[-1] == errors[-1].min()
        assert result.coefficient in grid


def test_race_dry_ball_is_at_rest_in_its_dead_zone_short_of_the_minimum() -> None:
    """It stops exactly (p = 0), where eta |grad f| <= friction, at a distance from x*."""
    dry = ph.drag_race()["dry"]
    assert np.all(dry.velocity == 0.0)
    push = ph.RACE_LEARNING_RATE * np.linalg.norm(VALLEY_PROBLEM.grad(dry.final))
    assert push <= dry.coefficient
    assert np.linalg.norm(dry.final) > 1e-3
    assert 0 < dry.at_rest < ph.RACE_STEPS
    assert np.all(dry.errors[dry.at_rest :] == dry.errors[-1])
    assert dry.errors[dry.at_rest - 1] != dry.errors[-1]


def test_race_turbulent_ball_swings_with_an_error_falling_like_one_over_k() -> None:
    errors, slope, _ = ph.turbulent_tail()
    assert -1.25 < slope < -0.9
    tops = ph.envelope(errors, ph.TAIL_STEPS)
    assert np.all(np.diff(tops) < 0) and tops[-1] > 10 * ph.RACE_TOL / 10
    assert ph.drag_race()["turbulent"].at_rest == -1
    assert ph.decay_exponent(errors, ph.TAIL_STEPS) == slope
    with pytest.raises(ValueError, match="steps"):
        ph.envelope(errors, [10])
    # by default the top of the 50 steps before k (the figure reads it from k = 50 on)
    np.testing.assert_array_equal(
        ph.envelope(errors, [50, 80]), [errors[:50].max(), errors[30:80].max()]
    )


def test_the_three_balls_of_the_animation() -> None:
    balls = ph.three_balls()
    assert set(balls) == set(ph.BALLS)
    zone = ph.BALLS["dry"] / ph.WELL["lam"]
    dry = balls["dry"]
    assert abs(dry.position[-1, 0]) <= zone and dry.velocity[-1, 0] == 0.0
    assert abs(balls["viscous"].position[-1, 0]) < 1e-2
    tail = balls["turbulent"].position[-300:, 0]
    assert tail.max() > 0.05 and tail.min() < -0.05  # still swinging


# --------------------------------------------------------------------------------------
# The explorer and the animation
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():  # type: ignore[no-untyped-def]
    built = viz.physics_explorer()
    yield built
    plt.close(built.figure)


def test_explorer_defaults_match_a_run_of_roll(explorer) -> None:  # type: ignore[no-untyped-def]
    state = explorer.update(**viz.EXPLORER_DEFAULTS)
    n = round(viz.EXPLORER_TIME / viz.EXPLORER_DEFAULTS["h"])
    ball = ph.roll(ph.WELL_PROBLEM.grad, "viscous", 0.5, [1.0], None, 0.1, n)
    np.testing.assert_array_equal(state["position"], ball.position)
    assert state["final_distance"] == pytest.approx(abs(ball.position[-1, 0]))


def test_explorer_shows_each_drag_law_failing_or_succeeding(explorer) -> None:  # type: ignore[no-untyped-def]
    try:
        dry = explorer.update(law="dry", coefficient=0.2)
        assert 0 < dry["final_distance"] <= 0.2  # stopped in the dead zone |x| <= c
        turbulent = explorer.update(law="turbulent", coefficient=0.5)
        assert turbulent["energy_left"] > 1e-3  # still swinging at t = 40
        valley = explorer.update(law="viscous", coefficient=0.5, surface="2-D valley")
        assert valley["position"].shape[1] == 2 and valley["final_distance"] < 1e-2
        unstable = explorer.update(surface="1-D well", h=2.2, coefficient=0.01)
        assert unstable["final_distance"] > 1e3  # h omega > 2 and little friction: it flies off
    finally:
        explorer.update(**viz.EXPLORER_DEFAULTS)


def test_explorer_rejects_an_unknown_surface() -> None:
    with pytest.raises(ValueError, match="surface"):
        viz.explorer_run("viscous", 0.5, 0.1, "3-D bowl")


def test_static_explorer_figure_is_the_default_state() -> None:
    fig = viz.explorer_default()
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o"]
    ball = ph.roll(ph.WELL_PROBLEM.grad, "viscous", 0.5, [1.0], None, 0.1, 400)
    np.testing.assert_allclose(line.get_xdata(), ball.position[::10, 0])
    plt.close(fig)


@pytest.fixture(scope="module")
def animation_html() -> str:
    return animations.to_html(viz.three_balls(), name="physics_three_balls", alt="three balls")


def test_animation_has_the_expected_frames_and_stays_small(animation_html: str) -> None:
    assert animations.frame_count(animation_html) == viz.ANIMATION_FRAMES
    assert len(animation_html.encode()) < 400_000  # bytes: the page's budget is 1 MB
    assert "https://" not in animation_html and "fa fa-" not in animation_html
    assert 'id="_anim_imgphysics_three_balls" alt="three balls"' in animation_html
    frames = re.findall(r'frames\[\d+\] = "([^"]*)"', animation_html)
    assert len(set(frames)) == len(frames)  # every frame shows a new moment


PAGE_BUDGET = 1_000_000
"""DESIGN.md: no page over 1 MB of its own (its HTML, the animation inside it, its figures)."""
PAGE_TEXT = 250_000
"""Room kept for the page's HTML without the animation (243 kB in the build of Dec 2025)."""


def test_animation_and_figures_leave_the_page_text_its_room(animation_html: str) -> None:
    """The page's own bytes are its HTML, with the animation embedded, and its SVG figures:
    those two must leave PAGE_TEXT of the budget to the text."""
    root = Path(__file__).parents[2] / "figures"
    svgs = sum(
        (root / name).stat().st_size for name in figures.load_all() if name.startswith("physics_")
    )
    animation = len(animation_html.encode())
    assert animation < 200_000
    assert svgs + animation + PAGE_TEXT <= PAGE_BUDGET, (svgs, animation)


def test_animation_is_deterministic(animation_html: str) -> None:
    again = animations.to_html(viz.three_balls(), name="physics_three_balls", alt="three balls")
    assert again == animation_html


def test_animation_registry_and_name_check() -> None:
    assert animations.load_all()["physics_three_balls"] is viz.three_balls
    anim = viz.three_balls()
    with pytest.raises(ValueError, match="identifier"):
        animations.to_html(anim, name="not an id", alt="x")
    assert animations.frame_count(animations.to_html(anim, name="ok", alt="x")) > 0
    plt.close("all")


def test_chapter_figures_and_widget_are_registered() -> None:
    names = {n for n in figures.load_all() if n.startswith("physics_")}
    assert names == {
        "physics_oscillator.svg",
        "physics_orders.svg",
        "physics_energy.svg",
        "physics_phase.svg",
        "physics_drag.svg",
        "physics_race.svg",
        "physics_explorer.svg",
    }
    assert widgets.load_all()["physics_explorer"] is viz.physics_explorer


# --------------------------------------------------------------------------------------
# The exercises
# --------------------------------------------------------------------------------------


def test_solution_turbulent_time_to_distance() -> None:
    t = solutions.turbulent_time_to_distance(1.0, 1.0, 1.0)
    assert t == pytest.approx(math.e - 1)
    assert float(ph.free_motion("turbulent", 1.0, 1.0, t)[1]) == pytest.approx(1.0)


def test_solution_dry_resting_point() -> None:
    """Against the turning points and against a simulation; F19's example ends at 0."""
    for c in (0.15, 0.1, 0.07, 0.3):
        rest = solutions.dry_resting_point(1.0, c, 1.0)
        assert rest == pytest.approx(ph.dry_turning_points(1.0, c, 1.0)[-1], abs=1e-12)
        ball = ph.roll(lambda q: q, "dry", c, [1.0], None, 1e-3, 30_000)
        assert ball.position[-1, 0] == pytest.approx(rest, abs=3e-3)
    assert solutions.dry_resting_point(1.0, 0.1, 1.0) == pytest.approx(0.0, abs=1e-12)


def test_solution_steps_to_double_energy() -> None:
    steps, spread = solutions.steps_to_double_energy(0.1, 1.0)
    assert steps == math.ceil(math.log(2) / math.log(1.01))
    assert spread <= 1 / (1 - 0.05) - 1 + 1e-12


def test_solution_power_drag() -> None:
    """p = 1 is viscous drag with beta = exp(-c); p = 2 is turbulent drag; p < 1 stops."""
    x0 = VALLEY.start
    p1 = run(solutions.power_momentum(1.0, 1.0, 0.4), VALLEY_PROBLEM.grad, x0, 40).params
    visc = run(ph.viscous_momentum(1.0, math.exp(-0.4)), VALLEY_PROBLEM.grad, x0, 40).params
    np.testing.assert_allclose(p1, visc, rtol=1e-10, atol=1e-12)
    p2 = run(solutions.power_momentum(1.0, 2.0, 0.4), VALLEY_PROBLEM.grad, x0, 40).params
    turb = run(ph.turbulent_momentum(1.0, 0.4), VALLEY_PROBLEM.grad, x0, 40).params
    np.testing.assert_allclose(p2, turb, rtol=1e-10, atol=1e-12)
    v = np.array([[0.3, 0.4]])
    assert np.all(solutions.power_flow(v, 0.5, np.array(10.0)) == 0.0)
    np.testing.assert_allclose(
        solutions.power_flow(v, 0.5, np.array(0.1)), v * (np.sqrt(0.5) - 0.05) ** 2 / 0.5
    )
    with pytest.raises(ValueError, match="power"):
        solutions.power_drag(0.0, 1.0)


def test_solution_power_race() -> None:
    race = solutions.power_race([0.5, 1.0, 1.5])
    assert race[1.0][1] > 0 and race[0.5][1] == -1 and race[1.5][1] == -1
    assert race[1.0][0] < ph.RACE_TOL < min(race[0.5][0], race[1.5][0])


def test_solution_critical_friction_gap() -> None:
    h, gap = solutions.critical_friction_gap(0.1)
    assert h == pytest.approx(0.2)
    assert gap < 1e-7
