r"""Reference runs of every update rule the live figures use, and the closed forms they plot.

Each case is run by gdbook (:func:`gdbook.base.run`, the chapters' factories) and written
to the fixtures; ``tests/js/live.test.cjs`` runs the same rule of ``gdlive-core.js`` on
the same problem and checks every iterate, the recorded state fields and the step of
divergence. The problems are the book's running examples (:mod:`gdbook.examples`); the
settings cover each rule's defaults, a schedule, a divergent run and the edge ``beta = 0``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gdbook import adam, adaptive, conventions, gradient_descent, momentum, nesterov, plotting
from gdbook.base import Optimizer, run
from gdbook.examples import HERO, TORCH_FIXTURE, VALLEY
from gdbook.problems import Quadratic

FACTORIES: dict[str, Callable[..., Optimizer]] = {
    "gradient_descent": gradient_descent.gradient_descent,
    "momentum": momentum.momentum,
    "sutskever_momentum": momentum.sutskever_momentum,
    "ema_momentum": momentum.ema_momentum,
    "nesterov": nesterov.nesterov,
    "bengio_nesterov": nesterov.bengio_nesterov,
    "adagrad": adaptive.adagrad,
    "rmsprop": adaptive.rmsprop,
    "adadelta": adaptive.adadelta,
    "adam": adam.adam,
}
"""The rules of ``gdlive-core.js`` (its ``rules``), by the same names."""

FIELDS = ("velocity", "mu", "nu", "sum_of_squares", "delta_nu")
"""State fields recorded by the fixtures where a rule has them."""


def problems() -> dict[str, tuple[Quadratic, dict[str, Any]]]:
    """The 2-D problems of the cases, with how the JavaScript builds them."""
    fixture = TORCH_FIXTURE.problem()
    return {
        "valley": (VALLEY.problem(), {"eigenvalues": [1 / VALLEY.kappa, 1.0],
                                      "angle": VALLEY.angle}),
        "hero": (HERO.problem(), {"eigenvalues": [1.0, HERO.kappa], "angle": HERO.angle}),
        "torch": (fixture, {"eigenvalues": list(TORCH_FIXTURE.eigenvalues),
                            "angle": TORCH_FIXTURE.angle, "x_star": fixture.x_star}),
    }  # fmt: skip


SCHEDULE = {"step_decay": [0.04, 10, 0.5]}  # learning rate 0.04, times 0.5 after update 10

CASES: tuple[tuple[str, dict[str, Any], str, int, float], ...] = (
    ("gradient_descent", {"learning_rate": 1.5}, "valley", 60, 1e3),
    ("gradient_descent", {"learning_rate": 2.1}, "valley", 60, 1e3),  # diverges
    ("momentum", {"learning_rate": 1.0, "beta": 0.6}, "valley", 40, 1e3),
    ("momentum", {"learning_rate": 3.9, "beta": 0.99}, "valley", 40, 1e3),  # diverges
    ("momentum", {"learning_rate": 0.02, "beta": 0.8}, "hero", 200, 1e8),
    ("momentum", {"learning_rate": 0.5, "beta": 0.0}, "valley", 30, 1e8),
    ("sutskever_momentum", {"learning_rate": 0.04, "beta": 0.9}, "torch", 40, 1e8),
    ("ema_momentum", {"learning_rate": 0.5, "beta": 0.9}, "torch", 40, 1e8),
    ("nesterov", {"learning_rate": 1.0, "beta": 0.8}, "valley", 60, 1e3),
    ("bengio_nesterov", {"learning_rate": 0.04, "beta": 0.9}, "torch", 40, 1e8),
    ("adagrad", {"learning_rate": 0.5}, "hero", 100, 1e8),
    # eps large enough that where it sits (outside or inside the root) changes every step
    ("adagrad", {"learning_rate": 0.5, "eps": 0.3}, "hero", 100, 1e8),
    ("adagrad", {"learning_rate": 0.5, "eps": 0.3, "eps_in_sqrt": True}, "hero", 100, 1e8),
    ("adagrad", {"learning_rate": 1.0, "initial_accumulator_value": 0.1}, "valley", 80, 1e8),
    ("rmsprop", {"learning_rate": 0.05, "decay": 0.9}, "hero", 100, 1e8),
    ("rmsprop", {"learning_rate": 0.1, "decay": 0.5, "eps": 0.1}, "valley", 80, 1e3),
    ("rmsprop", {"learning_rate": 0.1, "decay": 0.5, "eps": 0.1, "eps_in_sqrt": True}, "valley",
     80, 1e3),
    ("rmsprop", {"learning_rate": 10.0, "decay": 0.999}, "valley", 80, 20.0),  # diverges: |x| > 20
    ("adadelta", {}, "valley", 200, 1e8),  # Zeiler's defaults, eta = 1
    ("adadelta", {"learning_rate": 3.0, "rho": 0.6, "eps": 1e-2}, "torch", 100, 1e8),
    ("adam", {"learning_rate": 0.1}, "hero", 200, 1e8),
    ("adam", {"learning_rate": 0.1, "b1": 0.5, "b2": 0.9, "bias_correction": False}, "torch",
     100, 1e8),
    ("adam", {"learning_rate": 0.1, "b1": 0.0, "b2": 0.9999}, "hero", 40, 1e8),
    ("adam", {"learning_rate": 0.1, "b1": 0.99, "b2": 0.9999, "bias_correction": False}, "hero",
     40, 1e8),
    ("adam", {"learning_rate": 0.2, "eps": 0.5}, "valley", 100, 1e8),  # eps comparable to g
    ("momentum", {"learning_rate": SCHEDULE, "beta": 0.9}, "torch", 40, 1e8),
    ("sutskever_momentum", {"learning_rate": SCHEDULE, "beta": 0.9}, "torch", 40, 1e8),
)  # fmt: skip
"""(rule, hyperparameters, problem, updates, divergence bound) of each reference run."""


def _hyper(value: Any) -> Any:
    if isinstance(value, dict) and "step_decay" in value:
        return conventions.step_decay(*value["step_decay"])
    return value


def rule_cases() -> list[dict[str, Any]]:
    """Every case of :data:`CASES` run by gdbook: iterates, state fields, divergence."""
    out = []
    built = problems()
    for rule, hyper, name, steps, bound in CASES:
        problem, how = built[name]
        start = (
            HERO.start
            if name == "hero"
            else TORCH_FIXTURE.start
            if name == "torch"
            else VALLEY.start
        )
        opt = FACTORIES[rule](**{k: _hyper(v) for k, v in hyper.items()})
        traj = run(opt, problem.grad, start, steps, bound=bound)
        fields = {}
        for key in FIELDS:
            try:
                fields[key] = traj.field(key)
            except KeyError:
                continue
        out.append({"rule": rule, "hyper": hyper, "problem": how, "x0": start, "steps": steps,
                    "bound": bound, "params": traj.params, "fields": fields,
                    "diverged_at": int(traj.diverged_at)})  # fmt: skip
    return out


def closed_form_cases(seed: int = 0) -> dict[str, Any]:
    """Rates, regimes, contraction predictions and level sets at random and edge settings."""
    rng = np.random.default_rng(seed)
    eta = np.concatenate([[0.0, 1.0, 2.0, 4.0], rng.uniform(0.0, 4.0, 60)])
    beta = np.concatenate([[0.0, 0.6, 0.99, 0.5], rng.uniform(0.0, 0.99, 60)])
    lam = np.concatenate([[0.1, 1.0, 1.0, 0.1], rng.uniform(0.01, 1.0, 60)])
    problem = VALLEY.problem(37.0)
    y0 = problem.to_eigenbasis(VALLEY.start)
    return {
        "eta": eta, "beta": beta, "lam": lam,
        "heavy_ball_rate": momentum.heavy_ball_rate(eta, beta, lam),
        "heavy_ball_regime": momentum.heavy_ball_regime(eta, beta, lam),
        "nesterov_rate": nesterov.nesterov_rate(eta, beta, lam),
        "gd_spectral_radius": gradient_descent.spectral_radius(eta, problem.eigenvalues),
        "eigen_errors": {"eta": 1.7, "kappa": 37.0, "angle": VALLEY.angle, "start": VALLEY.start,
                         "steps": 60, "values": gradient_descent.eigen_errors(
                             1.7, problem.eigenvalues, y0, 60)},
        "level_sets": {"kappa": 37.0, "angle": VALLEY.angle, "levels": VALLEY.levels,
                       "curves": plotting.level_sets(problem, VALLEY.levels)},
    }  # fmt: skip


def format_cases() -> list[tuple[float, str, str]]:
    """Python's ``format(value, spec)`` for the readout and title formats of the explorers."""
    values = [0.0, 1.0, 1.5, 10.0, 0.05, 0.001, 1e-5, 123456.0, 2.5, 0.99, 0.123456, 3.98107,
              -0.4, 1e3, 316.227766, 0.0316227766, 99.9999, 0.000123]  # fmt: skip
    specs = [".3g", ".2g", "g", ".2f", ".3f", ".0f", ".2e", ".0e", "9.4g", "<9.3g", "^8.2f"]
    return [(v, s, format(v, s)) for v in values for s in specs]
