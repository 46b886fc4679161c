"""The landing page's claims: the hero race and the family tree.

The hero numbers the intro glues (steps to reach f - f* <= 1e-6) are recomputed
here without ``gdbook.base.run``: gradient descent and momentum from their closed
forms along the eigenvectors of the valley, Adam from a loop written from
Kingma & Ba (2015, Algorithm 1).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from gdbook import intro
from gdbook.examples import HERO
from gdbook.measure import first_step_below
from gdbook.viz import intro as viz

ROOT = Path(__file__).resolve().parents[2]
TOL = 1e-6


def _valley(kappa: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues, eigenvectors (columns) and A of the hero valley, built by hand."""
    angle = math.radians(-25.0)
    q = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    lam = np.array([1.0, kappa])
    return lam, q, q @ np.diag(lam) @ q.T


def _first_below(values: np.ndarray, tol: float = TOL) -> int:
    below = np.flatnonzero(values <= tol)
    return int(below[0]) if below.size else -1


def _gd_losses(kappa: float, learning_rate: float, num_steps: int) -> np.ndarray:
    """f_k = 1/2 sum_i lambda_i (1 - eta lambda_i)^(2k) c_i^2 (c = Q^T x_0)."""
    lam, q, _ = _valley(kappa)
    c0 = q.T @ np.array([-2.0, 0.6])
    k = np.arange(num_steps + 1)[:, None]
    return 0.5 * np.sum(lam * ((1 - learning_rate * lam) ** k * c0) ** 2, axis=1)


def _momentum_losses(kappa: float, learning_rate: float, beta: float, num_steps: int) -> np.ndarray:
    """Heavy ball along each eigenvector: c_{k+1} = (1 + beta - eta lambda) c_k - beta c_{k-1}.

    The buffer starts at 0, so the first step is plain gradient descent,
    c_1 = (1 - eta lambda) c_0 (Polyak 1964; Goh 2017, "The dynamics of momentum").
    """
    lam, q, _ = _valley(kappa)
    c = np.zeros((num_steps + 1, 2))
    c[0] = q.T @ np.array([-2.0, 0.6])
    c[1] = (1 - learning_rate * lam) * c[0]
    for k in range(1, num_steps):
        c[k + 1] = (1 + beta - learning_rate * lam) * c[k] - beta * c[k - 1]
    return 0.5 * np.sum(lam * c**2, axis=1)


def _adam_losses(kappa: float, learning_rate: float, num_steps: int) -> np.ndarray:
    """Kingma & Ba (2015), Algorithm 1, with its default b1, b2, eps."""
    _, _, a = _valley(kappa)
    b1, b2, eps = 0.9, 0.999, 1e-8
    x = np.array([-2.0, 0.6])
    m = np.zeros(2)
    v = np.zeros(2)
    losses = [0.5 * x @ a @ x]
    for t in range(1, num_steps + 1):
        g = a @ x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        x = x - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
        losses.append(0.5 * x @ a @ x)
    return np.array(losses)


@pytest.fixture(scope="module")
def hero() -> dict[str, int]:
    problem = HERO.problem()
    return {
        name: int(first_step_below(intro.excess_loss(problem, traj), HERO.tol))
        for name, traj in intro.hero_runs().items()
    }


@pytest.fixture(scope="module")
def independent() -> dict[str, int]:
    kappa, n = HERO.kappa, HERO.num_steps
    return {
        "gd": _first_below(_gd_losses(kappa, 1.9 / kappa, n)),
        "momentum": _first_below(_momentum_losses(kappa, 1.0 / kappa, 0.8, n)),
        "adam": _first_below(_adam_losses(kappa, 0.1, n)),
    }


def test_hero_setting_is_the_one_the_page_describes() -> None:
    """The module docstring and the page state these values in words."""
    assert HERO.kappa == 50.0
    assert HERO.beta == 0.8
    assert HERO.tol == TOL
    assert HERO.learning_rates() == pytest.approx(
        {"gd": 1.9 / 50, "momentum": 1 / 50, "adam": 0.1}
    )
    lam, _, a = _valley(50.0)
    problem = HERO.problem()
    np.testing.assert_allclose(problem.matrix, a, atol=1e-12)
    np.testing.assert_allclose(problem.eigenvalues, lam)


def test_every_method_reaches_the_tolerance_within_the_run(hero: dict[str, int]) -> None:
    assert all(0 < steps <= HERO.num_steps for steps in hero.values()), hero


def test_glued_step_counts_equal_independent_computations(
    hero: dict[str, int], independent: dict[str, int]
) -> None:
    assert hero == independent


def test_momentum_and_adam_arrive_before_gradient_descent(hero: dict[str, int]) -> None:
    assert hero["momentum"] < hero["gd"]
    assert hero["adam"] < hero["gd"]
    assert hero["momentum"] < hero["adam"]  # the page says momentum is first


def test_gradient_descent_zig_zags_and_adam_starts_sign_like() -> None:
    """GD at eta = 1.9/L: the steep component flips sign every step (factor 1 - 1.9 < 0).

    Adam's first step is -eta sign(g_1) in each coordinate: bias correction makes
    m_hat_1 / sqrt(v_hat_1) = g_1 / |g_1| (Kingma & Ba 2015, Section 3).
    """
    runs = intro.hero_runs(num_steps=20)
    _, q, _ = _valley(HERO.kappa)
    steep = (runs["gd"].params @ q)[:, 1]
    assert np.all(np.sign(steep[1:]) == -np.sign(steep[:-1]))
    first = runs["adam"].params[1] - runs["adam"].params[0]
    g1 = _valley(HERO.kappa)[2] @ HERO.start
    np.testing.assert_allclose(first, -0.1 * np.sign(g1), rtol=1e-6)


def test_adam_leaves_the_tolerance_again_after_first_reaching_it(hero: dict[str, int]) -> None:
    """The page: Adam reaches the tolerance, then wanders above it for a while."""
    losses = _adam_losses(HERO.kappa, 0.1, HERO.num_steps)
    later = losses[hero["adam"] + 1 :]
    assert np.any(later > TOL)
    gd_losses = _gd_losses(HERO.kappa, 1.9 / HERO.kappa, HERO.num_steps)
    assert np.all(np.diff(gd_losses) < 0)  # gradient descent's loss falls at every step


def test_momentum_overshoots_the_minimum_along_the_floor() -> None:
    """'Rolls and overshoots': the flat coordinate changes sign at least once."""
    _, q, _ = _valley(HERO.kappa)
    flat = (intro.hero_runs()["momentum"].params @ q)[:, 0]
    assert np.any(np.sign(flat[1:]) != np.sign(flat[:-1]))
    gd_flat = (intro.hero_runs()["gd"].params @ q)[:, 0]
    assert np.all(np.sign(gd_flat) == np.sign(gd_flat[0]))  # GD never overshoots the floor


def test_explorer_defaults_reproduce_the_figure(hero: dict[str, int]) -> None:
    explorer = viz.hero_explorer()
    try:
        state = explorer.update()
        assert {name: state[name]["steps_to_tolerance"] for name in intro.METHODS} == hero
        bigger = explorer.update(scale=2.0)
        assert bigger["gd"]["diverged_at"] > 0  # eta = 3.8 / L > 2 / L
        assert bigger["momentum"]["diverged_at"] == -1  # 2 / L < (2 + 2 beta) / L
    finally:
        import matplotlib.pyplot as plt

        plt.close(explorer.figure)


def test_momentum_first_touches_the_tolerance_then_settles_later() -> None:
    """The page: momentum's loss touches the tolerance, rises above it, and stays below
    from a later step; both counts from the closed form along the eigenvectors."""
    losses = _momentum_losses(HERO.kappa, 1.0 / HERO.kappa, 0.8, HERO.num_steps)
    touch = _first_below(losses)
    settle = next(k for k in range(len(losses)) if np.all(losses[k:] <= TOL))
    assert touch < settle
    problem = HERO.problem()
    traj = intro.hero_runs()["momentum"]
    from gdbook.measure import stays_below_from

    assert int(stays_below_from(intro.excess_loss(problem, traj), HERO.tol)) == settle
    gd = _first_below(_gd_losses(HERO.kappa, 1.9 / HERO.kappa, HERO.num_steps))
    assert gd / settle > 2.5  # still well over twice as fast on 'stays below'


def test_adams_first_step_is_its_rate_up_to_eps() -> None:
    """|Delta x_1| = eta |g| / (|g| + eps) in each coordinate (Kingma & Ba 2015, Alg. 1)."""
    first = intro.hero_runs()["adam"].params[1] - HERO.start
    _, _, a = _valley(HERO.kappa)
    g = a @ HERO.start
    np.testing.assert_allclose(np.abs(first), 0.1 * np.abs(g) / (np.abs(g) + 1e-8), rtol=1e-12)
    assert np.all(np.abs(first) < 0.1)
