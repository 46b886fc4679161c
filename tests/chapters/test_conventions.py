"""from_torch against trajectories recorded from torch.optim 2.13 (float64).

Oracle: ``tests/reference/torch_reference.npz``, written by
``tests/reference/make_torch_reference.py`` from torch 2.13.0 itself (30 steps of
each configuration on a rotated ill-conditioned quadratic with a linear term and
on Rosenbrock, with hand-coded gradients whose floating-point operations are the
same as below). torch is not needed to run these tests.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gdbook.adam import adam, amsgrad, radam, scale_by_adam, scale_by_amsgrad
from gdbook.adaptive import scale_by_adagrad
from gdbook.base import (
    Optimizer,
    add_decayed_weights,
    chain,
    run,
    scale,
    scale_by_learning_rate,
)
from gdbook.conventions import (
    IMPLEMENTATION_VALUES,
    TORCH_DEFAULTS,
    TORCH_NOTES,
    TORCH_VERSION,
    from_torch,
)
from gdbook.momentum import trace

FIXTURE = Path(__file__).parents[1] / "reference" / "torch_reference.npz"
IMPLEMENTATION_ONLY = {"maximize", "foreach", "capturable", "differentiable", "fused"}


@cache
def _fixture() -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, Any], dict[str, Any]]:
    with np.load(FIXTURE) as data:
        arrays = {key: data[key] for key in data.files if not key.startswith("__")}
        configs = json.loads(str(data["__configs__"]))
        signatures = json.loads(str(data["__signatures__"]))
        problems = json.loads(str(data["__problems__"]))
    return arrays, configs, signatures, problems


ARRAYS, CONFIGS, SIGNATURES, PROBLEMS = _fixture()
A, B = PROBLEMS["quad"]["A"], PROBLEMS["quad"]["b"]


def quad_grad(x: np.ndarray) -> np.ndarray:
    """``A x - b`` with the operations of the recording script."""
    g0 = A[0][0] * x[..., 0] + A[0][1] * x[..., 1] - B[0]
    g1 = A[1][0] * x[..., 0] + A[1][1] * x[..., 1] - B[1]
    return np.stack([g0, g1], axis=-1)


def rosen_grad(x: np.ndarray) -> np.ndarray:
    """Gradient of Rosenbrock's function with the operations of the recording script."""
    r = x[..., 1] - x[..., 0] * x[..., 0]
    g0 = -2.0 * (1.0 - x[..., 0]) - 400.0 * x[..., 0] * r
    g1 = 200.0 * r
    return np.stack([g0, g1], axis=-1)


GRADS = {"quad": quad_grad, "rosen": rosen_grad}


def _kwargs(config: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(config["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    if config["special"] == "lr_step":
        lr, at, factor = kwargs["lr"], config["lr_step"]["at"], config["lr_step"]["factor"]
        kwargs["lr"] = lambda t: lr * (factor if t > at else 1.0)
    return kwargs


def _no_bias_correction(config: dict[str, Any]) -> Optimizer:
    """Adam / AMSGrad without bias correction: the book's own factories."""
    kwargs = {**TORCH_DEFAULTS["Adam"], **_kwargs(config)}
    b1, b2 = kwargs["betas"]
    if kwargs["amsgrad"]:
        return amsgrad(kwargs["lr"], b1, b2, kwargs["eps"], variant="reddi")
    return adam(kwargs["lr"], b1, b2, kwargs["eps"], bias_correction=False)


def _ours(config: dict[str, Any]) -> Optimizer:
    if config["special"] == "no_bias_correction":
        return _no_bias_correction(config)
    return from_torch(config["name"], **_kwargs(config))


def _max_relative_error(opt: Optimizer, key: str) -> float:
    """``max |ours - ref| / max |ref|`` over the whole recorded trajectory.

    Relative to the trajectory's scale, not to each entry: the gradient couples the
    coordinates (rotated quadratic, Rosenbrock) and each iterate carries the rounding
    of all earlier ones, so the rounding error of any entry is of the order of
    eps * max_k ||x_k||_inf. Dividing by the entry itself would blow up where a
    coordinate crosses zero; dividing by max(1, |ref|), as before, was an absolute
    test for entries below 1.
    """
    config, ref = CONFIGS[key], ARRAYS[key]
    traj = run(opt, GRADS[config["problem"]], np.array(config["x0"]), config["steps"])
    return float(np.max(np.abs(traj.params - ref)) / np.max(np.abs(ref)))


# --------------------------------------------------------------------------------------
# The fixture itself
# --------------------------------------------------------------------------------------


def test_fixture_is_small_and_complete() -> None:
    assert FIXTURE.stat().st_size < 1_000_000
    assert set(ARRAYS) == set(CONFIGS)
    runs = {key.rsplit("__", 1)[0] for key in CONFIGS}
    for run_name in runs:  # every configuration on both problems
        assert {f"{run_name}__quad", f"{run_name}__rosen"} <= set(CONFIGS)
    for key, config in CONFIGS.items():
        assert config["steps"] >= 25
        assert ARRAYS[key].shape == (config["steps"] + 1, 2)
        assert np.all(np.isfinite(ARRAYS[key]))
        # the run moved: a fixture of standing-still trajectories would test nothing
        assert np.max(np.abs(ARRAYS[key][-1] - ARRAYS[key][0])) > 1e-3
        # 1e-10 relative to the trajectory's scale is at most 1e-9 absolute
        assert 1.0 <= np.max(np.abs(ARRAYS[key])) <= 10.0


def test_every_supported_keyword_appears_with_a_non_default_value() -> None:
    """An option cannot silently go untested: each one is recorded at least once."""
    for name, defaults in TORCH_DEFAULTS.items():
        recorded = [c["kwargs"] for c in CONFIGS.values() if c["name"] == name]
        for keyword in set(defaults) - IMPLEMENTATION_ONLY:
            values = [kw[keyword] for kw in recorded if keyword in kw]
            if keyword == "betas":  # each of beta1 and beta2 varied, not just the pair
                for i in (0, 1):
                    assert any(v[i] != defaults["betas"][i] for v in values), f"{name} betas[{i}]"
                continue
            assert any(v != defaults[keyword] for v in values), (
                f"{name}({keyword}=...) never recorded"
            )
        assert any(c["name"] == name and not c["kwargs"] for c in CONFIGS.values()), (
            f"{name} never recorded with all defaults"
        )


def test_torch_defaults_equal_torch_signatures() -> None:
    """TORCH_DEFAULTS against inspect.signature of torch.optim.<name>, recorded by the script."""
    assert TORCH_VERSION == "2.13.0"
    assert set(TORCH_DEFAULTS) == set(SIGNATURES)
    for name, defaults in TORCH_DEFAULTS.items():
        assert json.loads(json.dumps(defaults)) == SIGNATURES[name], name
        assert list(defaults) == list(SIGNATURES[name]), f"{name}: keyword order"


def test_every_optimizer_has_a_note_on_how_torch_differs_from_the_paper() -> None:
    assert set(TORCH_NOTES) == set(TORCH_DEFAULTS)
    assert all(20 < len(note) < 300 for note in TORCH_NOTES.values())


# --------------------------------------------------------------------------------------
# Reproduction
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(CONFIGS))
def test_reproduces_the_torch_trajectory(key: str) -> None:
    """From the same x0 and gradients, our iterates equal torch's to 1e-10 relative."""
    assert _max_relative_error(_ours(CONFIGS[key]), key) <= 1e-10


def test_adam_without_bias_correction_is_recorded_for_both_forms() -> None:
    specials = {
        key for key, c in CONFIGS.items() if c["special"] == "no_bias_correction"
    }  # reproduced above by adam(bias_correction=False) and amsgrad(variant="reddi")
    assert {"adam_no_bias_correction__quad", "amsgrad_no_bias_correction__rosen"} <= specials


def _sgd_buffer_from_zero(config: dict[str, Any]) -> Optimizer:
    """b_t = beta b_{t-1} + (1 - d) g_t from b_0 = 0: the dampening applied at t = 1 too."""
    kw = config["kwargs"]
    damped = scale(1.0 - kw.get("dampening", 0.0))
    return chain(damped, trace(kw["momentum"]), scale_by_learning_rate(kw["lr"]))


def _adam_parts(config: dict[str, Any]) -> tuple[float, float, float, float]:
    kw = {**TORCH_DEFAULTS["Adam"], **config["kwargs"]}
    return kw["lr"], kw["betas"][0], kw["betas"][1], kw["eps"]


WRONG_CONVENTIONS = {
    # SGD's buffer starts at g_1; the EMA-style start at (1 - d) g_1 does not match
    "momentum_damp05__quad": _sgd_buffer_from_zero,
    # AMSGrad: optax's max of bias-corrected v, and the paper's, are not torch's
    "amsgrad__quad": lambda c: chain(
        scale_by_amsgrad(*_adam_parts(c)[1:], variant="optax"),
        scale_by_learning_rate(_adam_parts(c)[0]),
    ),
    "amsgrad__rosen": lambda c: amsgrad(*_adam_parts(c), variant="reddi"),
    # Adagrad: eps inside the root (optax, Keras)
    "adagrad_eps01__quad": lambda c: chain(
        scale_by_adagrad(0.1, eps_in_sqrt=True), scale_by_learning_rate(c["kwargs"]["lr"])
    ),
    # L2 weight decay is not decoupled weight decay (Loshchilov & Hutter 2019, Prop. 2)
    "adam_l2__quad": lambda c: chain(
        scale_by_adam(),
        add_decayed_weights(c["kwargs"]["weight_decay"]),
        scale_by_learning_rate(c["kwargs"]["lr"]),
    ),
    # RAdam: the paper's threshold 4 is not torch's 5; NAdam: psi = 0 is not constant mu
    "radam__quad": lambda c: radam(c["kwargs"]["lr"], eps=1e-8, threshold=4.0),
    "nadam_constant_mu__quad": lambda c: from_torch(
        "NAdam", lr=c["kwargs"]["lr"], momentum_decay=0
    ),
    # Adam without bias correction is not Adam
    "adam__rosen": lambda c: adam(c["kwargs"]["lr"], bias_correction=False),
}


@pytest.mark.parametrize("key", sorted(WRONG_CONVENTIONS))
def test_a_wrong_convention_does_not_reproduce_torch(key: str) -> None:
    """The fixture can tell the conventions apart: each wrong one misses by > 1e-6."""
    assert _max_relative_error(WRONG_CONVENTIONS[key](CONFIGS[key]), key) > 1e-6


# --------------------------------------------------------------------------------------
# Validation: names and defaults as torch's
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "named"),
    [
        ("Sgd", {}, "name must be one of"),
        ("SGD", {"learning_rate": 0.1}, "'learning_rate'"),
        ("Adam", {"beta1": 0.9}, "'beta1'"),
        ("RMSprop", {"decay": 0.9}, "'decay'"),
        ("SGD", {"lr": -0.1}, "lr"),
        ("Adam", {"lr": float("nan")}, "lr"),
        ("SGD", {"momentum": -0.5}, "momentum"),
        ("SGD", {"momentum": 1.0}, "momentum"),
        ("SGD", {"dampening": 1.5, "momentum": 0.9}, "dampening"),
        ("SGD", {"weight_decay": -1.0}, "weight_decay"),
        ("SGD", {"nesterov": True}, "nesterov"),
        ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "nesterov"),
        ("SGD", {"nesterov": "yes", "momentum": 0.9}, "nesterov"),
        ("Adagrad", {"lr_decay": -0.1}, "lr_decay"),
        ("Adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        ("Adagrad", {"eps": -1e-3}, "eps"),
        ("RMSprop", {"alpha": 1.0}, "alpha"),
        ("RMSprop", {"momentum": -0.1}, "momentum"),
        ("RMSprop", {"centered": 1}, "centered"),
        ("Adadelta", {"rho": 1.5}, "rho"),
        ("Adadelta", {"eps": 0.0}, "eps"),
        ("Adam", {"betas": (0.9, 1.0)}, r"betas\[1\]"),
        ("Adam", {"betas": (-0.1, 0.999)}, r"betas\[0\]"),
        ("Adam", {"betas": 0.9}, "betas"),
        ("Adam", {"amsgrad": None}, "amsgrad"),
        ("AdamW", {"weight_decay": -0.01}, "weight_decay"),
        ("AdamW", {"decoupled_weight_decay": True}, "'decoupled_weight_decay'"),
        ("NAdam", {"momentum_decay": -0.004}, "momentum_decay"),
        ("NAdam", {"decoupled_weight_decay": "no"}, "decoupled_weight_decay"),
        ("Adamax", {"eps": -1.0}, "eps"),
        ("RAdam", {"betas": (0.9, 1.2)}, r"betas\[1\]"),
        ("SGD", {"maximize": True}, "maximize"),
        ("Adam", {"maximize": None}, "maximize"),
        ("Adam", {"foreach": 1}, "foreach"),
        ("SGD", {"foreach": "yes"}, "foreach"),
        ("Adam", {"fused": 0}, "fused"),
        ("AdamW", {"fused": "True"}, "fused"),
        ("RMSprop", {"capturable": None}, "capturable"),
        ("Adam", {"capturable": 1.0}, "capturable"),
        ("NAdam", {"differentiable": None}, "differentiable"),
        ("Adagrad", {"differentiable": "no"}, "differentiable"),
        ("RAdam", {"fused": True}, "'fused'"),  # torch's RAdam has no fused path
        ("SGD", {"fused": True, "foreach": True}, "fused"),  # as torch
        ("Adam", {"fused": True, "differentiable": True}, "fused"),  # as torch
    ],
)
def test_bad_keywords_and_values_raise_naming_them(
    name: str, kwargs: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        from_torch(name, **kwargs)


def test_implementation_options_accept_their_defaults() -> None:
    for name, defaults in TORCH_DEFAULTS.items():
        flags = {k: v for k, v in defaults.items() if k in IMPLEMENTATION_ONLY}
        assert flags
        from_torch(name, **flags)


def test_implementation_values_are_torch_declared_values() -> None:
    """foreach and fused are Optional[bool] in torch 2.13, capturable and differentiable bool;
    every class's default is one of them."""
    assert set(IMPLEMENTATION_VALUES) == IMPLEMENTATION_ONLY - {"maximize"}
    assert set(IMPLEMENTATION_VALUES["foreach"]) == set(IMPLEMENTATION_VALUES["fused"])
    assert set(IMPLEMENTATION_VALUES["foreach"]) == {None, True, False}
    assert set(IMPLEMENTATION_VALUES["capturable"]) == {True, False}
    assert set(IMPLEMENTATION_VALUES["differentiable"]) == {True, False}
    for defaults in TORCH_DEFAULTS.values():
        for key, allowed in IMPLEMENTATION_VALUES.items():
            assert key not in defaults or defaults[key] in allowed


IMPLEMENTATION_CASES = [
    (name, key, value)
    for name, defaults in TORCH_DEFAULTS.items()
    for key, allowed in IMPLEMENTATION_VALUES.items()
    if key in defaults
    for value in (*allowed, np.bool_(True))
]


@pytest.mark.parametrize(("name", "key", "value"), IMPLEMENTATION_CASES)
def test_implementation_options_accept_torch_values_and_change_nothing(
    name: str, key: str, value: bool | None
) -> None:
    """foreach, fused, capturable and differentiable select how torch computes the step, not
    which step: each value torch declares is accepted and the trajectory is the default's."""
    kwargs = {"lr": 0.02, **({"momentum": 0.9} if name in ("SGD", "RMSprop") else {})}
    x0 = np.array([-1.5, 1.5])
    default = run(from_torch(name, **kwargs), quad_grad, x0, 10).params
    flagged = run(from_torch(name, **kwargs, **{key: value}), quad_grad, x0, 10).params
    np.testing.assert_array_equal(flagged, default)


def _nadam_first_direction(g: np.ndarray, psi: float) -> np.ndarray:
    """torch NAdam (2.13, nadam.py l. 347-356) at t = 1 from zero state: m_1 = 0.1 g,
    v_1 / (1 - b2) = g^2, P_1 = mu_1, mu_t = 0.9 (1 - 0.96^(t psi) / 2)."""
    mu1, mu2 = 0.9 * (1 - 0.5 * 0.96 ** (1 * psi)), 0.9 * (1 - 0.5 * 0.96 ** (2 * psi))
    den = np.abs(g) + 1e-8
    return (1 - mu1) / (1 - mu1) * g / den + mu2 / (1 - mu1 * mu2) * 0.1 * g / den


def test_defaults_are_torch_defaults() -> None:
    """from_torch(name) with no keyword steps like torch's defaults (one hand-checked step)."""
    x, g = np.array([1.0, -2.0]), np.array([0.5, -4.0])
    expected = {
        "SGD": -1e-3 * g,
        "Adagrad": -1e-2 * g / (np.abs(g) + 1e-10),
        "RMSprop": -1e-2 * g / (np.sqrt(0.01 * g * g) + 1e-8),
        "Adadelta": -1.0 * math.sqrt(1e-6) / np.sqrt(0.1 * g * g + 1e-6) * g,
        "Adam": -1e-3 * g / (np.abs(g) + 1e-8),
        "AdamW": -1e-3 * (g / (np.abs(g) + 1e-8) + 1e-2 * x),
        "Adamax": -2e-3 * g / (np.abs(g) + 1e-8),
        "RAdam": -1e-3 * g,  # rho_1 = 1 <= 5: not rectified, lr * m_hat
        "NAdam": -2e-3 * _nadam_first_direction(g, psi=0.004),
    }
    assert set(expected) == set(TORCH_DEFAULTS)
    for name, step in expected.items():
        opt = from_torch(name)
        ours, _ = opt.update(g, opt.init(x), x)
        np.testing.assert_allclose(ours, step, rtol=1e-14, err_msg=name)


def test_adagrad_lr_decay_divides_the_scheduled_rate() -> None:
    """torch Adagrad (2.13, adagrad.py l. 402) re-reads lr at every step and uses
    clr = lr_t / (1 + (t - 1) lr_decay): written out for a schedule lr_t and gradients g_t."""
    gradients = [2.0, -1.0, 0.5, 3.0, -0.5, 1.0]
    rates = [0.5, 0.5, 0.2, 0.2, 0.1, 0.1]
    s, expected = 0.1, []  # initial_accumulator_value
    for t, (g, lr) in enumerate(zip(gradients, rates, strict=True), start=1):
        s += g * g
        expected.append(-lr / (1 + (t - 1) * 0.3) * g / (math.sqrt(s) + 1e-10))
    opt = from_torch(
        "Adagrad", lr=lambda t: rates[t - 1], lr_decay=0.3, initial_accumulator_value=0.1
    )
    state = opt.init(np.zeros(1))
    ours = []
    for g in gradients:
        step, state = opt.update(np.array([g]), state, np.zeros(1))
        ours.append(step[0])
    np.testing.assert_allclose(ours, expected, rtol=1e-14)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("SGD", {"lr": 0.04, "momentum": np.array([[0.0], [0.5], [0.9]])}),
        ("RMSprop", {"lr": 0.02, "momentum": np.array([[0.0], [0.5], [0.9]])}),
        ("SGD", {"lr": 0.04, "momentum": 0.9, "weight_decay": np.array([[0.0], [0.1], [1.0]])}),
        ("Adam", {"lr": 0.1, "weight_decay": np.array([[0.0], [0.1], [1.0]])}),
    ],
)
def test_a_sweep_with_a_zero_entry_equals_per_value_runs(name: str, kwargs: dict[str, Any]) -> None:
    """momentum = 0 or weight_decay = 0 in one row of a sweep must not switch the option off in
    the other rows (each single run is checked against torch above)."""
    (key, values), *_ = [(k, v) for k, v in kwargs.items() if isinstance(v, np.ndarray)]
    x0 = np.broadcast_to(np.array([-1.5, 1.5]), (3, 2))
    swept = run(from_torch(name, **kwargs), quad_grad, x0, 30)
    for i, value in enumerate(values.ravel()):
        single = run(from_torch(name, **{**kwargs, key: float(value)}), quad_grad, x0[i], 30)
        np.testing.assert_allclose(swept.params[:, i], single.params, rtol=1e-12, atol=1e-12)


def test_lr_may_be_an_array_for_a_sweep() -> None:
    rates = np.array([[0.01], [0.1]])
    x0 = np.broadcast_to(np.array([-1.5, 1.5]), (2, 2))
    swept = run(from_torch("Adam", lr=rates), quad_grad, x0, 10)
    for i, rate in enumerate(rates.ravel()):
        single = run(from_torch("Adam", lr=float(rate)), quad_grad, x0[i], 10)
        np.testing.assert_allclose(swept.params[:, i], single.params, rtol=1e-14)


def test_every_plain_recorded_run_agrees_within_the_bound_the_appendix_states() -> None:
    """The appendix says the book's runs differ from torch's by less than AGREEMENT."""
    from gdbook.conventions import AGREEMENT, load_torch_fixture, replay_torch_fixture
    from gdbook.examples import TORCH_FIXTURE
    from gdbook.problems import rosenbrock

    recorded, configs = load_torch_fixture(FIXTURE)
    grads = {"quad": TORCH_FIXTURE.problem().grad, "rosen": rosenbrock().grad}
    gaps = replay_torch_fixture(recorded, configs, grads)
    assert len(gaps) > 100
    assert max(gaps.values()) < AGREEMENT
    assert max(gaps.values()) > 0  # rounding error, not an identity the bound hides
