"""One contract, every optimizer in the package.

Each entry of ``TABLE`` names a factory with hyperparameters tuned for the
ill-conditioned quadratic below (kappa = 20, rotated, minimum away from the
origin), the tolerance on ``||x_n - x*||`` it must reach, and the names of its
hyperparameters that must be validated. The same checks run on every entry:
convergence, purity (``update`` never mutates its inputs), shapes, finite state,
and validation errors that name the parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from gdbook.adam import adam, adamax, adamw, amsgrad, nadam, radam
from gdbook.adaptive import adadelta, adagrad, rmsprop
from gdbook.base import Optimizer, run
from gdbook.conventions import from_torch
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import ema_momentum, momentum, sutskever_momentum
from gdbook.nesterov import nesterov
from gdbook.problems import quadratic

PROBLEM = quadratic([1.0, 20.0], angle=0.6, x_star=[1.0, -2.0])
X0 = np.array([-3.0, 2.0])
NUM_STEPS = 2000
assert PROBLEM.condition_number >= 10


@dataclass(frozen=True)
class Entry:
    """A factory, its tuned keyword arguments, the tolerance, and what to validate."""

    factory: Callable[..., Optimizer]
    kwargs: dict[str, Any]
    tol: float = 1e-8
    rate: str = "learning_rate"  # name of the learning-rate argument
    unit_interval: tuple[str, ...] = ()  # parameters that must lie in [0, 1)
    nonnegative: tuple[str, ...] = ()  # other parameters that must be >= 0

    def build(self, **overrides: Any) -> Optimizer:
        return self.factory(**{**self.kwargs, **overrides})


B12 = ("b1", "b2")
TABLE: dict[str, Entry] = {
    "gradient_descent": Entry(gradient_descent, {"learning_rate": 0.09}),
    "momentum": Entry(momentum, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)),
    "sutskever_momentum": Entry(
        sutskever_momentum, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)
    ),
    "ema_momentum": Entry(
        ema_momentum, {"learning_rate": 0.09, "beta": 0.5}, unit_interval=("beta",)
    ),
    "nesterov": Entry(nesterov, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)),
    "adagrad": Entry(
        adagrad, {"learning_rate": 1.0}, nonnegative=("eps", "initial_accumulator_value")
    ),
    "adagrad_eps_in_sqrt": Entry(
        adagrad, {"learning_rate": 1.0, "eps": 1e-7, "eps_in_sqrt": True}, tol=1e-6
    ),
    # constant-rate RMSProp ends in a small limit cycle of size ~ learning_rate
    "rmsprop": Entry(
        rmsprop, {"learning_rate": 0.01}, tol=0.02, unit_interval=("decay", "momentum")
    ),
    "rmsprop_eps_in_sqrt": Entry(
        rmsprop, {"learning_rate": 0.01, "eps_in_sqrt": True}, tol=0.02, nonnegative=("eps",)
    ),
    "rmsprop_centered": Entry(rmsprop, {"learning_rate": 0.01, "centered": True}, tol=0.02),
    "rmsprop_momentum": Entry(rmsprop, {"learning_rate": 0.001, "momentum": 0.9}, tol=1e-3),
    "rmsprop_centered_momentum": Entry(
        rmsprop, {"learning_rate": 0.001, "momentum": 0.9, "centered": True}, tol=1e-3
    ),
    "adadelta": Entry(adadelta, {"rho": 0.99, "eps": 1e-6}, tol=1e-8, unit_interval=("rho",)),
    "adam": Entry(adam, {"learning_rate": 0.05}, unit_interval=B12, nonnegative=("eps",)),
    "adam_no_bias_correction": Entry(
        adam, {"learning_rate": 0.05, "bias_correction": False}, unit_interval=B12
    ),
    "adamw": Entry(
        adamw,
        {"learning_rate": 0.05, "weight_decay": 0.0},
        unit_interval=B12,
        nonnegative=("weight_decay", "eps"),
    ),
    "amsgrad": Entry(amsgrad, {"learning_rate": 0.05}, unit_interval=B12, nonnegative=("eps",)),
    "amsgrad_torch": Entry(amsgrad, {"learning_rate": 0.05, "variant": "torch"}),
    "amsgrad_optax": Entry(amsgrad, {"learning_rate": 0.05, "variant": "optax"}),
    "nadam": Entry(
        nadam, {"learning_rate": 0.05}, unit_interval=B12, nonnegative=("eps", "momentum_decay")
    ),
    "nadam_constant_momentum": Entry(nadam, {"learning_rate": 0.05, "momentum_decay": None}),
    "adamax": Entry(adamax, {"learning_rate": 0.05}, unit_interval=B12, nonnegative=("eps",)),
    "radam": Entry(radam, {"learning_rate": 0.1}, unit_interval=B12, nonnegative=("eps",)),
    "torch_sgd": Entry(
        from_torch,
        {"name": "SGD", "lr": 0.05, "momentum": 0.5, "nesterov": True},
        rate="lr",
        unit_interval=("momentum",),
    ),
    "torch_adamw": Entry(from_torch, {"name": "AdamW", "lr": 0.05, "weight_decay": 0.0}, rate="lr"),
}


def _leaves(state: Any) -> list[Any]:
    if isinstance(state, tuple):
        return [leaf for item in state for leaf in _leaves(item)]
    return [state]


def _freeze(tree: Any) -> None:
    """Make every array leaf read-only, so an in-place update raises."""
    for leaf in _leaves(tree):
        if isinstance(leaf, np.ndarray):
            leaf.flags.writeable = False


@pytest.fixture(params=sorted(TABLE), ids=sorted(TABLE))
def entry(request: pytest.FixtureRequest) -> Entry:
    return TABLE[request.param]


def test_every_optimizer_factory_of_the_package_is_in_the_table() -> None:
    factories = {e.factory for e in TABLE.values()}
    expected = {
        gradient_descent, momentum, sutskever_momentum, ema_momentum, nesterov,
        adagrad, rmsprop, adadelta, adam, adamw, amsgrad, nadam, adamax, radam, from_torch,
    }  # fmt: skip
    assert factories == expected


def test_converges_on_an_ill_conditioned_quadratic(entry: Entry) -> None:
    traj = run(entry.build(), PROBLEM.grad, X0, NUM_STEPS)
    assert not traj.diverged
    assert PROBLEM.x_star is not None
    error = np.linalg.norm(traj.params[-1] - PROBLEM.x_star)
    assert error < entry.tol


def test_update_is_pure_and_preserves_shape(entry: Entry) -> None:
    rng = np.random.default_rng(0)
    opt = entry.build()
    params = rng.normal(size=(3, 2))
    state = opt.init(params)
    for _ in range(4):  # a few steps, so the state is not all zeros
        grads = rng.normal(size=params.shape)
        copies = (params.copy(), grads.copy(), [np.copy(x) for x in _leaves(state)])
        _freeze((params, grads, state))
        step, new_state = opt.update(grads, state, params)
        assert step.shape == params.shape
        np.testing.assert_array_equal(params, copies[0])
        np.testing.assert_array_equal(grads, copies[1])
        for before, after in zip(copies[2], _leaves(state), strict=True):
            np.testing.assert_array_equal(before, after)
        params, state = params + step, new_state


def test_every_state_field_is_finite_along_a_run(entry: Entry) -> None:
    traj = run(entry.build(), PROBLEM.grad, np.broadcast_to(X0, (2, 2)), 50)
    leaves = _leaves(traj.states)
    assert leaves or entry.factory is gradient_descent  # GD alone is stateless
    for leaf in leaves:
        assert np.all(np.isfinite(leaf))
        assert np.shape(leaf)[0] == 51  # one entry per update, plus the initial state


def test_negative_learning_rate_names_the_parameter(entry: Entry) -> None:
    with pytest.raises(ValueError, match=entry.rate):
        entry.build(**{entry.rate: -0.1})


# one case per (entry, parameter): an entry without such parameters adds no case (a loop
# over an empty tuple would be a test that cannot fail)
UNIT_CASES = [(key, name) for key in sorted(TABLE) for name in TABLE[key].unit_interval]
NONNEGATIVE_CASES = [(key, name) for key in sorted(TABLE) for name in TABLE[key].nonnegative]


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, np.nan])
@pytest.mark.parametrize(("key", "name"), UNIT_CASES, ids=[f"{k}-{n}" for k, n in UNIT_CASES])
def test_beta_like_parameters_outside_unit_interval_name_the_parameter(
    key: str, name: str, bad: float
) -> None:
    with pytest.raises(ValueError, match=name):
        TABLE[key].build(**{name: bad})


@pytest.mark.parametrize(
    ("key", "name"), NONNEGATIVE_CASES, ids=[f"{k}-{n}" for k, n in NONNEGATIVE_CASES]
)
def test_nonnegative_parameters_name_the_parameter(key: str, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        TABLE[key].build(**{name: -1e-3})


# torch's SGD(nesterov=True) rejects momentum = 0 (tested in test_conventions.py)
ZERO_CASES = [case for case in UNIT_CASES if case != ("torch_sgd", "momentum")]


@pytest.mark.parametrize(("key", "name"), ZERO_CASES, ids=[f"{k}-{n}" for k, n in ZERO_CASES])
def test_beta_like_parameters_accept_the_closed_end_zero(key: str, name: str) -> None:
    """[0, 1) is closed at 0: beta = 0 is a valid (memoryless) setting, not an error."""
    TABLE[key].build(**{name: 0.0})


@pytest.mark.parametrize(("key", "name"), ZERO_CASES, ids=[f"{k}-{n}" for k, n in ZERO_CASES])
def test_a_sweep_that_includes_zero_equals_per_value_runs(key: str, name: str) -> None:
    """An array of a beta-like parameter with a 0 entry next to non-zero ones (a sweep): each
    row follows the run with that value alone (0 must not switch the others off)."""
    values = np.array([[0.0], [0.5], [0.8]])
    x0 = np.broadcast_to(X0, (3, 2))
    swept = run(TABLE[key].build(**{name: values}), PROBLEM.grad, x0, 30).params
    for i, value in enumerate(values.ravel()):
        single = run(TABLE[key].build(**{name: float(value)}), PROBLEM.grad, X0, 30).params
        np.testing.assert_allclose(swept[:, i], single, rtol=1e-12, atol=1e-12)


def test_the_table_validates_every_beta_like_parameter() -> None:
    """Guard the table itself: each family lists its beta-like parameters somewhere."""
    listed = {name for e in TABLE.values() for name in e.unit_interval}
    assert {"beta", "b1", "b2", "decay", "momentum", "rho"} <= listed
    nonnegative = {name for e in TABLE.values() for name in e.nonnegative}
    assert {"eps", "weight_decay", "initial_accumulator_value", "momentum_decay"} <= nonnegative
