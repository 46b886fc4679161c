"""The solutions to the exercises of the chapter *Adam* (gdbook_solutions.adam).

Oracles: the library, the trajectories recorded from torch.optim.Adam 2.13 in float64
(``tests/reference/torch_reference.npz``, read as in ``test_conventions.py``), the closed
forms of :mod:`gdbook.adam`, and loops written out here. Sources: Kingma & Ba (2015,
Algorithm 1 and Section 5); Reddi, Kale & Kumar (2018, Theorem 1); Duchi et al. (2011).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from gdbook import adam as lib
from gdbook.base import run
from gdbook.examples import HERO, TORCH_FIXTURE
from gdbook_solutions import adam as sol

FIXTURE = Path(__file__).parents[1] / "reference" / "torch_reference.npz"


def _torch_run(name: str) -> tuple[np.ndarray, dict[str, object]]:
    with np.load(FIXTURE) as data:
        configs = json.loads(str(data["__configs__"]))
        return np.asarray(data[name]), configs[name]


def test_adam_from_scratch_matches_the_library_and_torch() -> None:
    valley = TORCH_FIXTURE.problem()
    for name, corrected in [("adam__quad", True), ("adam_no_bias_correction__quad", False)]:
        recorded, config = _torch_run(name)
        lr = float(config["kwargs"]["lr"])  # type: ignore[index]
        steps = int(config["steps"])  # type: ignore[call-overload]
        x0 = np.array(config["x0"], dtype=float)  # type: ignore[arg-type]
        ours = sol.adam_from_scratch(valley.grad, x0, lr, steps, bias_correction=corrected)
        np.testing.assert_allclose(ours, recorded, rtol=0, atol=1e-10)
        book = run(lib.adam(lr, bias_correction=corrected), valley.grad, x0, steps).params
        np.testing.assert_allclose(ours, book, rtol=0, atol=lib.ROUNDING)  # as the text says
    assert lib.ROUNDING == 1e-12


def test_bound_attaining_gradients_reach_the_uncorrected_bound() -> None:
    for b1, b2, t in [(0.9, 0.999, 200), (0.5, 0.9, 30), (0.0, 0.99, 10)]:
        gradients = sol.bound_attaining_gradients(b1, b2, t)
        np.testing.assert_allclose(gradients, lib.worst_case_gradients(b1, b2, t)[:, 0])
        bound = float(lib.step_bound(b1, b2, t, bias_correction=False))
        assert sol.uncorrected_direction(gradients, b1, b2) == pytest.approx(bound, rel=1e-10)
        # and at every earlier step, with the first t' gradients (for b1 = 0 the worst case
        # is a lone spike, and the earlier gradients are zeros)
        for earlier in (1, t // 2) if b1 > 0 else ():
            at = float(lib.step_bound(b1, b2, earlier, bias_correction=False))
            direction = sol.uncorrected_direction(gradients[:earlier], b1, b2)
            assert direction == pytest.approx(at, rel=1e-10)
    rng = np.random.default_rng(3)
    others = rng.normal(size=(20, 200))
    bound = float(lib.step_bound(0.9, 0.999, 200, bias_correction=False))
    assert all(abs(sol.uncorrected_direction(g, 0.9, 0.999)) < bound for g in others)


def test_reddi_failure_threshold_agrees_with_the_drift() -> None:
    """Reddi et al.'s problem: the sign change of Adam's final average as b2 varies lies
    within 0.02 of the zero of the drift, for C = 3 and C = 5."""
    for c in (3.0, 5.0):
        assert sol.reddi_failure_threshold(c) == pytest.approx(lib.reddi_threshold(c), abs=0.02)
    assert sol.reddi_final_average(3.0, 0.1) > 0.99
    assert sol.reddi_final_average(3.0, 0.9) < -0.99
    assert lib.reddi_threshold(5.0) < lib.reddi_threshold(3.0)


def test_adam_tends_to_adagrad_only_with_correction() -> None:
    """Kingma & Ba (Section 5): b1 = 0, eta / sqrt(t), b2 -> 1 gives Adagrad's
    -g_t / sqrt(sum g_s^2), with the correction; without it the steps blow up."""
    gradients = np.random.default_rng(4).normal(size=40)
    adagrad = -gradients / np.sqrt(np.cumsum(gradients**2))
    corrected = sol.adam_adagrad_steps(gradients, 1 - 1e-8)
    np.testing.assert_allclose(corrected, adagrad, rtol=1e-6)
    uncorrected = sol.adam_adagrad_steps(gradients, 1 - 1e-8, bias_correction=False)
    assert np.all(np.abs(uncorrected) > 1e3 * np.abs(adagrad))


def test_adams_first_step_is_always_a_diagonal() -> None:
    angles = np.linspace(-math.pi / 2, math.pi / 2, 13)
    adam_angles, descent_angles = sol.first_step_directions(angles)
    assert np.all(np.isclose(np.abs(adam_angles) % 90, 45, atol=1e-6))
    assert np.ptp(descent_angles) > 90  # the gradient turns with the valley
    # and for the hero's own angle it is the chapter's first step
    hero_adam, _ = sol.first_step_directions(np.array([HERO.angle]))
    assert hero_adam[0] == pytest.approx(lib.step_angles(lib.hero_adam())[0], abs=1e-9)
