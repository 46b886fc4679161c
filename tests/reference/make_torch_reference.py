"""Record reference trajectories from torch.optim into ``torch_reference.npz``.

Run by hand, in a separate environment (torch is never a dependency of the book):

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/reference/make_torch_reference.py

Torch's CPU kernels round differently on different processors (in the last bits,
about 1e-16 relative, growing along a trajectory). So that adding a configuration
does not rewrite the others, a run whose configuration is unchanged keeps the
array already in the file if the new recording agrees with it to ``KEEP_RELATIVE``
(relative to the trajectory's scale); a larger gap is an error. ``--fresh``
records everything anew.

For every configuration in ``CONFIGS`` (each option of each optimizer that
``gdbook.conventions.from_torch`` supports, alone and in combinations) and each of
two problems, it records ``NUM_STEPS`` steps of ``torch.optim.<name>`` in float64.
The gradients are written by hand with the same floating-point operations as the
NumPy versions in ``tests/test_conventions.py``, so only the optimizer is compared.

The file holds one array ``(NUM_STEPS + 1, 2)`` per run (``x_0`` first) and three
JSON strings: ``__configs__`` (run name -> class, kwargs, problem, x0, steps,
special), ``__signatures__`` (class -> keyword defaults read with
``inspect.signature``) and ``__problems__`` (the problems' constants).

Specials (torch has no switch for them, but a per-step change of a group's
hyper-parameters reproduces them exactly; torch re-reads ``lr`` and ``eps`` at
every ``step()``):

* ``"no_bias_correction"``: Adam (or AMSGrad) with ``lr_t = lr (1-b1^t)/sqrt(1-b2^t)``
  and ``eps_t = eps / sqrt(1-b2^t)``, which turns torch's update into
  ``lr m_t / (sqrt(v_t) + eps)`` (``sqrt(max v)`` with amsgrad);
* ``"lr_step"``: the learning rate is multiplied by ``factor`` after step ``at``.
"""

from __future__ import annotations

import inspect
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

NUM_STEPS = 30
OUT = Path(__file__).with_name("torch_reference.npz")
NAMES = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "NAdam", "Adamax", "RAdam")

# A rotated ill-conditioned quadratic with a linear term: f = x'Ax/2 - b'x,
# A = R diag(1, 20) R', R a rotation by 30 degrees; and Rosenbrock.
_C, _S = math.cos(math.pi / 6), math.sin(math.pi / 6)
A = [
    [1.0 * _C * _C + 20.0 * _S * _S, (1.0 - 20.0) * _C * _S],
    [(1.0 - 20.0) * _C * _S, 1.0 * _S * _S + 20.0 * _C * _C],
]
B = [1.0, -2.0]
PROBLEMS = {
    "quad": {"A": A, "b": B, "x0": [-1.5, 1.5]},
    "rosen": {"x0": [-1.5, 1.5]},
}


def quad_grad(x: torch.Tensor) -> torch.Tensor:
    """``A x - b``, coordinate by coordinate (same operations as the NumPy twin)."""
    g0 = A[0][0] * x[0] + A[0][1] * x[1] - B[0]
    g1 = A[1][0] * x[0] + A[1][1] * x[1] - B[1]
    return torch.stack([g0, g1])


def rosen_grad(x: torch.Tensor) -> torch.Tensor:
    """Gradient of ``(1 - x)^2 + 100 (y - x^2)^2``."""
    r = x[1] - x[0] * x[0]
    g0 = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * r
    g1 = 200.0 * r
    return torch.stack([g0, g1])


GRADS = {"quad": quad_grad, "rosen": rosen_grad}

# learning rate per family and problem: small enough that nothing diverges
LR = {
    "SGD": (0.04, 2e-4),
    "Adagrad": (0.5, 0.1),
    "RMSprop": (0.02, 0.005),
    "Adadelta": (1.0, 1.0),
    "Adam": (0.1, 0.02),
    "AdamW": (0.1, 0.02),
    "NAdam": (0.1, 0.02),
    "Adamax": (0.1, 0.02),
    "RAdam": (0.1, 2e-4),
}

# (run name, class, kwargs without lr; "lr" means: use LR for the problem, special)
CONFIGS: list[tuple[str, str, dict[str, Any], bool, str | None]] = [
    ("sgd_defaults", "SGD", {}, False, None),
    ("sgd", "SGD", {}, True, None),
    ("sgd_wd", "SGD", {"weight_decay": 0.1}, True, None),
    ("momentum", "SGD", {"momentum": 0.9}, True, None),
    ("momentum_damp05", "SGD", {"momentum": 0.9, "dampening": 0.5}, True, None),
    ("momentum_damp09", "SGD", {"momentum": 0.9, "dampening": 0.9}, True, None),
    ("momentum_wd", "SGD", {"momentum": 0.9, "weight_decay": 0.1}, True, None),
    (
        "momentum_damp_wd",
        "SGD",
        {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05},
        True,
        None,
    ),
    ("nesterov", "SGD", {"momentum": 0.9, "nesterov": True}, True, None),
    ("nesterov_wd", "SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}, True, None),
    ("momentum_lr_step", "SGD", {"momentum": 0.9}, True, "lr_step"),
    ("adagrad_defaults", "Adagrad", {}, False, None),
    ("adagrad", "Adagrad", {}, True, None),
    ("adagrad_lr_decay", "Adagrad", {"lr_decay": 0.1}, True, None),
    ("adagrad_init01", "Adagrad", {"initial_accumulator_value": 0.1}, True, None),
    ("adagrad_eps01", "Adagrad", {"eps": 0.1}, True, None),
    ("adagrad_wd", "Adagrad", {"weight_decay": 0.1}, True, None),
    (
        "adagrad_all",
        "Adagrad",
        {"lr_decay": 0.05, "initial_accumulator_value": 0.5, "eps": 1e-3, "weight_decay": 0.05},
        True,
        None,
    ),
    ("rmsprop_defaults", "RMSprop", {}, False, None),
    ("rmsprop", "RMSprop", {}, True, None),
    ("rmsprop_alpha09", "RMSprop", {"alpha": 0.9}, True, None),
    ("rmsprop_eps01", "RMSprop", {"eps": 0.1}, True, None),
    ("rmsprop_wd", "RMSprop", {"weight_decay": 0.1}, True, None),
    ("rmsprop_centered", "RMSprop", {"centered": True}, True, None),
    ("rmsprop_momentum", "RMSprop", {"momentum": 0.9}, True, None),
    ("rmsprop_centered_momentum", "RMSprop", {"centered": True, "momentum": 0.9}, True, None),
    (
        "rmsprop_all",
        "RMSprop",
        {"alpha": 0.95, "eps": 1e-3, "weight_decay": 0.05, "momentum": 0.5, "centered": True},
        True,
        None,
    ),
    ("adadelta_defaults", "Adadelta", {}, False, None),
    ("adadelta_lr10_eps1e-2", "Adadelta", {"lr": 10.0, "eps": 1e-2}, False, None),
    ("adadelta_rho095", "Adadelta", {"rho": 0.95}, True, None),
    ("adadelta_wd", "Adadelta", {"weight_decay": 0.1}, True, None),
    (
        "adadelta_all",
        "Adadelta",
        {"lr": 5.0, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.05},
        False,
        None,
    ),
    ("adam_defaults", "Adam", {}, False, None),
    ("adam", "Adam", {}, True, None),
    ("adam_betas", "Adam", {"betas": (0.5, 0.9)}, True, None),
    ("adam_eps01", "Adam", {"eps": 0.1}, True, None),
    ("adam_l2", "Adam", {"weight_decay": 0.1}, True, None),
    ("amsgrad", "Adam", {"amsgrad": True}, True, None),
    ("amsgrad_l2", "Adam", {"amsgrad": True, "weight_decay": 0.1}, True, None),
    ("adam_decoupled", "Adam", {"weight_decay": 0.1, "decoupled_weight_decay": True}, True, None),
    (
        "adam_decoupled_amsgrad",
        "Adam",
        {"weight_decay": 0.1, "decoupled_weight_decay": True, "amsgrad": True},
        True,
        None,
    ),
    ("adam_no_bias_correction", "Adam", {}, True, "no_bias_correction"),
    ("adam_no_bias_correction_eps01", "Adam", {"eps": 0.1}, True, "no_bias_correction"),
    ("amsgrad_no_bias_correction", "Adam", {"amsgrad": True}, True, "no_bias_correction"),
    ("adamw_defaults", "AdamW", {}, False, None),
    ("adamw", "AdamW", {}, True, None),
    ("adamw_wd01", "AdamW", {"weight_decay": 0.1}, True, None),
    ("adamw_amsgrad", "AdamW", {"amsgrad": True}, True, None),
    (
        "adamw_all",
        "AdamW",
        {"betas": (0.8, 0.99), "eps": 1e-3, "weight_decay": 0.2, "amsgrad": True},
        True,
        None,
    ),
    ("adamw_lr_step", "AdamW", {"weight_decay": 0.1}, True, "lr_step"),
    ("nadam_defaults", "NAdam", {}, False, None),
    ("nadam", "NAdam", {}, True, None),
    ("nadam_psi01", "NAdam", {"momentum_decay": 0.1}, True, None),
    ("nadam_psi0", "NAdam", {"momentum_decay": 0.0}, True, None),
    ("nadam_constant_mu", "NAdam", {"momentum_decay": 1e9}, True, None),
    ("nadam_l2", "NAdam", {"weight_decay": 0.1}, True, None),
    ("nadamw", "NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}, True, None),
    ("nadam_betas_eps", "NAdam", {"betas": (0.8, 0.99), "eps": 0.1}, True, None),
    ("adamax_defaults", "Adamax", {}, False, None),
    ("adamax", "Adamax", {}, True, None),
    ("adamax_eps01", "Adamax", {"eps": 0.1}, True, None),
    ("adamax_betas", "Adamax", {"betas": (0.5, 0.9)}, True, None),
    ("adamax_wd", "Adamax", {"weight_decay": 0.1}, True, None),
    ("radam_defaults", "RAdam", {}, False, None),
    ("radam", "RAdam", {}, True, None),
    ("radam_b2_09", "RAdam", {"betas": (0.9, 0.9)}, True, None),
    ("radam_betas", "RAdam", {"betas": (0.8, 0.99)}, True, None),
    ("radam_eps01", "RAdam", {"eps": 0.1}, True, None),
    ("radam_l2", "RAdam", {"weight_decay": 0.1}, True, None),
    ("radamw", "RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}, True, None),
]

LR_STEP = {"at": 10, "factor": 0.5}
KEEP_RELATIVE = 1e-13  # last-bit differences between processors; the tests ask for 1e-10


def run_torch(name: str, kwargs: dict[str, Any], problem: str, special: str | None) -> np.ndarray:
    """``NUM_STEPS`` steps of ``torch.optim.<name>(**kwargs)`` from the problem's x0."""
    x = torch.tensor(PROBLEMS[problem]["x0"], dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, name)([x], **kwargs)
    group = opt.param_groups[0]
    lr, eps = group["lr"], group["eps"] if "eps" in group else None
    path = [x.detach().clone()]
    for t in range(1, NUM_STEPS + 1):
        if special == "no_bias_correction":
            b1, b2 = group["betas"]
            bc1, bc2 = 1.0 - b1**t, 1.0 - b2**t
            group["lr"] = lr * bc1 / math.sqrt(bc2)
            group["eps"] = eps / math.sqrt(bc2)
        elif special == "lr_step":
            group["lr"] = lr * (LR_STEP["factor"] if t > LR_STEP["at"] else 1.0)
        with torch.no_grad():
            x.grad = GRADS[problem](x.detach())
        opt.step()
        path.append(x.detach().clone())
    return torch.stack(path).numpy()


def signature_defaults(name: str) -> dict[str, Any]:
    """Every keyword of ``torch.optim.<name>.__init__`` after ``params`` and its default."""
    params = list(inspect.signature(getattr(torch.optim, name).__init__).parameters.values())
    assert [p.name for p in params[:2]] == ["self", "params"]
    return {p.name: p.default for p in params[2:]}


def keep_recorded(arrays: dict[str, np.ndarray], configs: dict[str, dict[str, Any]]) -> None:
    """Keep each array of ``OUT`` whose configuration is unchanged and that the new
    recording reproduces to ``KEEP_RELATIVE``; fail if one moved further."""
    if not OUT.exists():
        return
    with np.load(OUT) as data:
        old_configs = json.loads(str(data["__configs__"]))
        old = {key: data[key] for key in data.files if key in arrays}
    same = [key for key in old if old_configs.get(key) == json.loads(json.dumps(configs[key]))]
    kept, worst = 0, 0.0
    for key in same:
        if old[key].tobytes() == arrays[key].tobytes():
            continue
        gap = float(np.max(np.abs(arrays[key] - old[key])) / np.max(np.abs(old[key])))
        if not gap <= KEEP_RELATIVE:
            raise SystemExit(f"{key}: torch now gives a trajectory {gap:.1e} (relative) away")
        arrays[key], kept, worst = old[key], kept + 1, max(worst, gap)
    print(
        f"{len(same)} runs unchanged ({kept} kept from {OUT.name}: this machine rounds them "
        f"differently by at most {worst:.1e} relative); {len(arrays) - len(same)} new",
        file=sys.stderr,
    )


def main() -> None:
    """Record every configuration on every problem and write the npz."""
    assert torch.__version__.startswith("2.13.0"), torch.__version__
    torch.set_default_dtype(torch.float64)  # NAdam's mu_product would be float32 otherwise
    arrays: dict[str, np.ndarray] = {}
    configs: dict[str, dict[str, Any]] = {}
    for run, name, kwargs, use_lr, special in CONFIGS:
        for index, problem in enumerate(PROBLEMS):
            full = {"lr": LR[name][index], **kwargs} if use_lr else dict(kwargs)
            key = f"{run}__{problem}"
            path = run_torch(name, full, problem, special)
            assert np.all(np.isfinite(path)) and np.abs(path).max() < 1e3, key
            arrays[key] = path
            configs[key] = {
                "name": name,
                "kwargs": full,
                "problem": problem,
                "x0": PROBLEMS[problem]["x0"],
                "steps": NUM_STEPS,
                "special": special,
                "lr_step": LR_STEP if special == "lr_step" else None,
            }
    if "--fresh" not in sys.argv[1:]:
        keep_recorded(arrays, configs)
    signatures = {name: signature_defaults(name) for name in NAMES}
    np.savez_compressed(
        OUT,
        __configs__=np.array(json.dumps(configs, indent=1)),
        __signatures__=np.array(json.dumps(signatures)),
        __problems__=np.array(json.dumps(PROBLEMS)),
        __versions__=np.array(json.dumps({"torch": torch.__version__, "numpy": np.__version__})),
        **arrays,
    )
    print(f"{len(arrays)} runs -> {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
