"""One contract, every optimizer in the package.

Each entry of ``TABLE`` names a factory with hyperparameters tuned for the
ill-conditioned quadratic below (kappa = 20, rotated, minimum away from the
origin), the tolerance on ``||x_n - x*||`` it must reach, and the names of its
hyperparameters that must be validated. The same checks run on every entry:
convergence, purity (``update`` never mutates its inputs), shapes, finite state,
and validation errors that name the parameter (hypothesis generates the bad
values, the non-finite starting points and the mismatched shapes).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from gdbook.adam import adam, adamax, adamw, amsgrad, nadam, radam
from gdbook.adaptive import adadelta, adagrad, rmsprop
from gdbook.base import Optimizer, run
from gdbook.catalog import CATALOG
from gdbook.conventions import TORCH_DEFAULTS, from_torch
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import ema_momentum, momentum, sutskever_momentum
from gdbook.nesterov import bengio_nesterov, nesterov
from gdbook.physics import dry_friction_momentum, turbulent_momentum, viscous_momentum
from gdbook.problems import quadratic
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

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

    def build_with(self, name: str, value: Any) -> Optimizer:
        """Build with one hyperparameter set; ``"betas[0]"`` sets one entry of torch's pair."""
        pair = re.fullmatch(r"(\w+)\[([01])\]", name)
        if pair is None:
            return self.build(**{name: value})
        key, index = pair[1], int(pair[2])
        values = list(self.kwargs.get(key, TORCH_DEFAULTS[self.kwargs["name"]][key]))
        values[index] = value
        return self.build(**{key: tuple(values)})

    @property
    def names(self) -> tuple[str, ...]:
        """Every hyperparameter the table validates for this entry, the rate first."""
        return (self.rate, *self.unit_interval, *self.nonnegative)


B12 = ("b1", "b2")
BETAS = ("betas[0]", "betas[1]")


def _torch_adam_family(name: str, lr: float = 0.05, **options: Any) -> Entry:
    """A torch Adam-family class through from_torch, with its betas, eps and weight decay."""
    return Entry(
        from_torch,
        {"name": name, "lr": lr, **options},
        rate="lr",
        unit_interval=BETAS,
        nonnegative=("eps", "weight_decay"),
    )


TABLE: dict[str, Entry] = {
    "gradient_descent": Entry(gradient_descent, {"learning_rate": 0.09}),
    "momentum": Entry(momentum, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)),
    "sutskever_momentum": Entry(
        sutskever_momentum, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)
    ),
    "ema_momentum": Entry(
        ema_momentum, {"learning_rate": 0.09, "beta": 0.5}, unit_interval=("beta",)
    ),
    "viscous_momentum": Entry(
        viscous_momentum, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)
    ),
    # turbulent drag damps a slow swing only like 1/k: 2000 steps reach about 1e-3
    "turbulent_momentum": Entry(
        turbulent_momentum, {"learning_rate": 0.05, "drag": 10.0}, tol=2e-3, nonnegative=("drag",)
    ),
    # dry friction stops the ball where eta |grad f| <= friction: short of the minimum
    "dry_friction_momentum": Entry(
        dry_friction_momentum,
        {"learning_rate": 0.05, "friction": 5e-3},
        tol=0.01,
        nonnegative=("friction",),
    ),
    "nesterov": Entry(nesterov, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)),
    "bengio_nesterov": Entry(
        bengio_nesterov, {"learning_rate": 0.05, "beta": 0.5}, unit_interval=("beta",)
    ),
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
    "torch_adagrad": Entry(
        from_torch,
        {"name": "Adagrad", "lr": 1.0},
        rate="lr",
        nonnegative=("lr_decay", "eps", "initial_accumulator_value", "weight_decay"),
    ),
    # constant-rate RMSprop ends in a small limit cycle, as above
    "torch_rmsprop": Entry(
        from_torch,
        {"name": "RMSprop", "lr": 0.01},
        tol=0.02,
        rate="lr",
        unit_interval=("alpha", "momentum"),
        nonnegative=("eps", "weight_decay"),
    ),
    "torch_rmsprop_momentum": Entry(
        from_torch, {"name": "RMSprop", "lr": 0.001, "momentum": 0.9, "centered": True}, rate="lr"
    ),
    "torch_adadelta": Entry(
        from_torch,
        {"name": "Adadelta", "rho": 0.99},
        rate="lr",
        unit_interval=("rho",),
        nonnegative=("weight_decay",),
    ),
    "torch_adam": _torch_adam_family("Adam"),
    "torch_amsgrad": Entry(from_torch, {"name": "Adam", "lr": 0.05, "amsgrad": True}, rate="lr"),
    "torch_adamw": _torch_adam_family("AdamW", weight_decay=0.0),
    "torch_nadam": _torch_adam_family("NAdam"),
    "torch_adamax": _torch_adam_family("Adamax"),
    # torch's eps = 1e-8 on sqrt(v_t) slows the default betas to ~1e-7 here; b2 = 0.99 converges
    "torch_radam": _torch_adam_family("RAdam", lr=0.1, betas=(0.9, 0.99)),
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


def test_every_optimizer_of_the_catalog_is_in_the_table() -> None:
    """The catalog is complete (tests/contract/test_catalog.py); the table covers it."""
    factories = {e.factory for e in TABLE.values()}
    assert factories == {m.factory for m in CATALOG.values()} | {from_torch}


def test_every_torch_class_from_torch_supports_is_in_the_table() -> None:
    torch_classes = {e.kwargs["name"] for e in TABLE.values() if e.factory is from_torch}
    assert torch_classes == set(TORCH_DEFAULTS)


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


# --------------------------------------------------------------------------------------
# Bad input: hypothesis generates it, every entry must reject it naming the culprit
# --------------------------------------------------------------------------------------

KEYS = sorted(TABLE)
FEW = settings(max_examples=8)  # per entry: ~40 entries x 5 properties stay within ~2 s
# one case per (entry, parameter): an entry without such parameters adds no case (a loop
# over an empty tuple would be a test that cannot fail)
UNIT_CASES = [(key, name) for key in KEYS for name in TABLE[key].unit_interval]
NONNEGATIVE_CASES = [(key, name) for key in KEYS for name in TABLE[key].nonnegative]


def _ids(cases: list[tuple[str, str]]) -> list[str]:
    return [f"{key}-{name}" for key, name in cases]


@st.composite
def _planted(draw: st.DrawFn, values: st.SearchStrategy[float]) -> np.ndarray:
    """An array of valid values (0.5) with bad ones at 1+ random positions."""
    shape = draw(hnp.array_shapes(max_dims=2, max_side=3))
    flat = np.full(shape, 0.5).ravel()
    for i in draw(st.sets(st.integers(0, flat.size - 1), min_size=1)):
        flat[i] = draw(values)
    return flat.reshape(shape)


def _bad(values: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    """A bad scalar, or an array with bad entries among good ones."""
    return values | _planted(values)


NON_FINITE = st.sampled_from([np.nan, np.inf, -np.inf])
NEGATIVE = st.floats(max_value=-1e-12, allow_nan=False, allow_infinity=False)
OUTSIDE_UNIT = st.floats(min_value=1.0) | NEGATIVE | NON_FINITE


@FEW
@given(bad=_bad(NEGATIVE | NON_FINITE))
@pytest.mark.parametrize("key", KEYS)
def test_a_bad_learning_rate_names_it(key: str, bad: Any) -> None:
    entry = TABLE[key]
    with pytest.raises(ValueError, match=re.escape(entry.rate)):
        entry.build_with(entry.rate, bad)


@FEW
@given(bad=_bad(OUTSIDE_UNIT))
@pytest.mark.parametrize(("key", "name"), UNIT_CASES, ids=_ids(UNIT_CASES))
def test_beta_like_parameters_outside_unit_interval_name_the_parameter(
    key: str, name: str, bad: Any
) -> None:
    with pytest.raises(ValueError, match=re.escape(name)):
        TABLE[key].build_with(name, bad)


@FEW
@given(bad=_bad(NEGATIVE | NON_FINITE))
@pytest.mark.parametrize(("key", "name"), NONNEGATIVE_CASES, ids=_ids(NONNEGATIVE_CASES))
def test_nonnegative_parameters_name_the_parameter(key: str, name: str, bad: Any) -> None:
    with pytest.raises(ValueError, match=re.escape(name)):
        TABLE[key].build_with(name, bad)


@st.composite
def non_finite_points(draw: st.DrawFn) -> np.ndarray:
    """Starting points of shape (*batch, 2) with nan / inf / -inf at 1+ random positions."""
    shape = (*draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)), 2)
    x0 = draw(hnp.arrays(np.float64, shape, elements=st.floats(-5.0, 5.0)))
    flat = x0.ravel()
    for i in draw(st.sets(st.integers(0, flat.size - 1), min_size=1)):
        flat[i] = draw(NON_FINITE)
    return flat.reshape(shape)


@FEW
@given(x0=non_finite_points())
@pytest.mark.parametrize("key", KEYS)
def test_a_non_finite_x0_names_x0(key: str, x0: np.ndarray) -> None:
    with pytest.raises(ValueError, match="x0 must be finite"):
        run(TABLE[key].build(), PROBLEM.grad, x0, 3)


def _good_value(entry: Entry, name: str) -> float:
    if name == entry.rate:
        return float(entry.kwargs.get(name, 0.01))
    return 0.5 if name in entry.unit_interval else 0.01


@st.composite
def misfits(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(shape of x0, shape of a hyperparameter) such that the second does not broadcast to it."""
    x_shape = (*draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)), 2)
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    try:
        fits = np.broadcast_shapes(shape, x_shape) == x_shape
    except ValueError:
        fits = False
    if fits:  # make it not fit: one more point than the batch, or one more coordinate
        shape = (*x_shape[:-1], 3) if draw(st.booleans()) else (x_shape[0] + 1, *x_shape[1:])
    return x_shape, shape


@FEW
@given(shapes=misfits())
@pytest.mark.parametrize("key", KEYS)
def test_a_hyperparameter_array_that_does_not_fit_x0_is_named(
    key: str, shapes: tuple[tuple[int, ...], tuple[int, ...]]
) -> None:
    """run() checks every recorded hyperparameter against x0 before the first update: each
    of the entry's parameters in turn gets the misfit array, and the error names it."""
    x_shape, shape = shapes
    entry = TABLE[key]
    x0 = np.broadcast_to(X0, x_shape)
    for name in entry.names:
        opt = entry.build_with(name, np.full(shape, _good_value(entry, name)))
        with pytest.raises(ValueError, match=re.escape(f"{name} has shape {shape}")):
            run(opt, PROBLEM.grad, x0, 3)


# torch's SGD(nesterov=True) rejects momentum = 0 (tested in test_conventions.py)
ZERO_CASES = [case for case in UNIT_CASES if case != ("torch_sgd", "momentum")]


@pytest.mark.parametrize(("key", "name"), ZERO_CASES, ids=[f"{k}-{n}" for k, n in ZERO_CASES])
def test_beta_like_parameters_accept_the_closed_end_zero(key: str, name: str) -> None:
    """[0, 1) is closed at 0: beta = 0 is a valid (memoryless) setting, not an error."""
    TABLE[key].build_with(name, 0.0)


@pytest.mark.parametrize(("key", "name"), ZERO_CASES, ids=[f"{k}-{n}" for k, n in ZERO_CASES])
def test_a_sweep_that_includes_zero_equals_per_value_runs(key: str, name: str) -> None:
    """An array of a beta-like parameter with a 0 entry next to non-zero ones (a sweep): each
    row follows the run with that value alone (0 must not switch the others off)."""
    values = np.array([[0.0], [0.5], [0.8]])
    x0 = np.broadcast_to(X0, (3, 2))
    swept = run(TABLE[key].build_with(name, values), PROBLEM.grad, x0, 30).params
    for i, value in enumerate(values.ravel()):
        single = run(TABLE[key].build_with(name, float(value)), PROBLEM.grad, X0, 30).params
        np.testing.assert_allclose(swept[:, i], single, rtol=1e-12, atol=1e-12)


def test_the_table_validates_every_beta_like_parameter() -> None:
    """Guard the table itself: each family lists its beta-like parameters somewhere."""
    listed = {name for e in TABLE.values() for name in e.unit_interval}
    assert {"beta", "b1", "b2", "decay", "momentum", "rho", "alpha", *BETAS} <= listed
    nonnegative = {name for e in TABLE.values() for name in e.nonnegative}
    expected = {"eps", "weight_decay", "initial_accumulator_value", "momentum_decay", "lr_decay"}
    assert expected <= nonnegative


# --------------------------------------------------------------------------------------
# eps = 0 (the papers' Adagrad, RMSProp, AMSGrad, AdaMax and RAdam have none)
# --------------------------------------------------------------------------------------


def _takes_eps(entry: Entry) -> bool:
    if entry.factory is from_torch:
        return "eps" in TORCH_DEFAULTS[entry.kwargs["name"]]
    return "eps" in inspect.signature(entry.factory).parameters


EPS_KEYS = [key for key in KEYS if _takes_eps(TABLE[key])]
ADADELTA = {key for key in EPS_KEYS if "adadelta" in key}


def test_the_eps_cases_cover_every_adaptive_family() -> None:
    factories = {TABLE[key].factory for key in EPS_KEYS}
    assert {adagrad, rmsprop, adadelta, adam, adamw, amsgrad, nadam, adamax, radam} <= factories
    names = {TABLE[key].kwargs.get("name") for key in EPS_KEYS}
    assert set(TORCH_DEFAULTS) - {"SGD"} <= names


@pytest.mark.parametrize("key", EPS_KEYS)
def test_a_zero_gradient_with_eps_zero_gives_a_zero_step(key: str) -> None:
    """With eps = 0 the denominator of a coordinate whose gradients were all zero is 0: the
    step must be 0 (the limit), not 0/0 = NaN, at every step (RAdam rectifies from t = 6);
    the other coordinate, with non-zero gradients, moves."""
    entry = TABLE[key]
    if key in ADADELTA:  # eps sits inside both roots: eps = 0 would never move
        with pytest.raises(ValueError, match="eps"):
            entry.build(eps=0.0)
        opt = entry.build()
    else:
        opt = entry.build(eps=0.0)
    params = np.array([[1.0, -2.0], [0.5, 3.0]])
    grads = np.array([[0.0, 0.0], [0.0, 1.5]])
    state = opt.init(params)
    for _ in range(12):
        step, state = opt.update(grads, state, params)
        assert np.all(np.isfinite(step))
        np.testing.assert_array_equal(step[:, 0], 0.0)
        np.testing.assert_array_equal(step[0], 0.0)
        assert step[1, 1] != 0.0
