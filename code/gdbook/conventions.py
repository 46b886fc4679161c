r"""Appendix *Conventions*: the bridge to ``torch.optim`` (version 2.13).

:func:`from_torch` returns the book's optimizers configured to follow
``torch.optim.<name>`` exactly, with torch's keyword names and defaults. It
builds nothing new: each optimizer is a composition of the chapters' building
blocks, and the composition *is* the description of torch's convention:

* L2 ``weight_decay`` is :func:`~gdbook.base.add_decayed_weights` *before* the
  direction (it enters the moments); decoupled weight decay (AdamW) is the same
  block *after* the direction and before the learning rate;
* SGD's momentum buffer starts at :math:`g_1` (:func:`torch_momentum_buffer`, the one
  block that exists only here), RMSprop's starts at 0;
* ``Adagrad(lr_decay)`` is a learning-rate schedule
  :math:`\eta/(1 + (t-1)\,\text{lr\_decay})`.

:data:`TORCH_DEFAULTS` lists every keyword and default of torch 2.13's
constructors; :data:`TORCH_NOTES` says in one line where each differs from its
paper. Torch's names map to the book's as ``lr`` :math:`\to` ``learning_rate``,
``betas`` :math:`\to` ``(b1, b2)``, ``alpha`` (RMSprop) :math:`\to` ``decay``,
``momentum`` :math:`\to` ``beta``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from gdbook.adam import (
    scale_by_adam,
    scale_by_adamax,
    scale_by_amsgrad,
    scale_by_nadam,
    scale_by_radam,
)
from gdbook.adaptive import denominator, scale_by_adadelta, scale_by_adagrad, scale_by_rms
from gdbook.base import (
    Optimizer,
    Trajectory,
    add_decayed_weights,
    block,
    chain,
    named,
    rename_hyperparams,
    run,
    scale_by_learning_rate,
)
from gdbook.checks import check_range, hyperparameter
from gdbook.examples import TORCH_FIXTURE
from gdbook.momentum import TraceState, ema, momentum, replay_gradients, sutskever_momentum, trace
from gdbook.nesterov import nesterov_trace
from gdbook.types import Array, GradFn, Hyper, Number

TORCH_VERSION = "2.13.0"

TORCH_DEFAULTS: dict[str, dict[str, Any]] = {
    "SGD": {
        "lr": 0.001,
        "momentum": 0,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": None,
    },
    "Adagrad": {
        "lr": 0.01,
        "lr_decay": 0,
        "weight_decay": 0,
        "initial_accumulator_value": 0,
        "eps": 1e-10,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "fused": None,
    },
    "RMSprop": {
        "lr": 0.01,
        "alpha": 0.99,
        "eps": 1e-08,
        "weight_decay": 0,
        "momentum": 0,
        "centered": False,
        "capturable": False,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
    },
    "Adadelta": {
        "lr": 1.0,
        "rho": 0.9,
        "eps": 1e-06,
        "weight_decay": 0,
        "foreach": None,
        "capturable": False,
        "maximize": False,
        "differentiable": False,
    },
    "Adam": {
        "lr": 0.001,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "amsgrad": False,
        "foreach": None,
        "maximize": False,
        "capturable": False,
        "differentiable": False,
        "fused": None,
        "decoupled_weight_decay": False,
    },
    "AdamW": {
        "lr": 0.001,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0.01,
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
    },
    "NAdam": {
        "lr": 0.002,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "momentum_decay": 0.004,
        "decoupled_weight_decay": False,
        "foreach": None,
        "maximize": False,
        "capturable": False,
        "differentiable": False,
    },
    "Adamax": {
        "lr": 0.002,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    },
    "RAdam": {
        "lr": 0.001,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "decoupled_weight_decay": False,
        "foreach": None,
        "maximize": False,
        "capturable": False,
        "differentiable": False,
    },
}
"""Every keyword of ``torch.optim.<name>.__init__`` (after ``params``) and its default."""

TORCH_NOTES: dict[str, str] = {
    "SGD": (
        "Momentum buffer starts at g_1, not 0 (dampening skipped at t = 1); the learning "
        "rate multiplies the buffer (Sutskever et al. put it inside); nesterov=True is "
        "the Bengio et al. (2013) form, whose iterates are NAG's look-ahead points."
    ),
    "Adagrad": (
        "As Duchi et al. (eps outside the root); adds lr_decay, eta / (1 + (t-1) lr_decay), "
        "and initial_accumulator_value (optax and Keras: eps inside, s_0 = 0.1)."
    ),
    "RMSprop": (
        "alpha = 0.99 where Hinton used 0.9; eps outside the root (TF, Keras, optax: "
        "inside); momentum buffer holds g / den, starts at 0, lr applied after it."
    ),
    "Adadelta": (
        "Zeiler's rule with an extra lr (default 1.0) applied after the update "
        "accumulator; rho = 0.9 where Zeiler used 0.95."
    ),
    "Adam": (
        "Algorithm 1 of Kingma & Ba (eps outside sqrt(v_hat)); amsgrad takes the max "
        "of the raw v_t, then bias-corrects it, where Reddi et al. correct nothing."
    ),
    "AdamW": (
        "Decay multiplied by lr (x <- x (1 - lr wd)), where Loshchilov & Hutter "
        "multiply it by the schedule only: torch's wd is the paper's wd / alpha."
    ),
    "NAdam": (
        "Dozat's momentum schedule mu_t = b1 (1 - 0.96^(t psi) / 2) with psi = 0.004 and "
        "a running product; b2 does not multiply v_hat as in Dozat's Algorithm 2."
    ),
    "Adamax": "eps added inside the max, max(b2 u, |g| + eps); Kingma & Ba have no eps.",
    "RAdam": (
        "Rectifies when rho_t > 5 (Liu et al.: > 4) and adds eps to sqrt(v_t) "
        "(paper: no eps); unrectified steps are lr * m_hat."
    ),
}
"""One line per optimizer: how torch differs from the original paper."""

IMPLEMENTATION_VALUES: dict[str, tuple[bool | None, ...]] = {
    "foreach": (None, True, False),
    "fused": (None, True, False),
    "capturable": (True, False),
    "differentiable": (True, False),
}
"""The values torch 2.13 declares for the options that select an implementation.

``foreach`` and ``fused`` are ``Optional[bool]``, ``capturable`` and
``differentiable`` ``bool``; none changes the update rule, so :func:`from_torch`
accepts each of these values and ignores it.
"""

_TORCH_NAMES = {"learning_rate": "lr", "b1": "betas[0]", "b2": "betas[1]", "decay": "alpha"}
_TORCH_NAMES["beta"] = "momentum"  # SGD's and RMSprop's momentum buffer (trace)


def from_torch(name: str, **kwargs: Any) -> Optimizer:
    """The book's optimizer that follows ``torch.optim.<name>(params, **kwargs)`` exactly.

    ``name`` is one of :data:`TORCH_DEFAULTS`; keyword names and defaults are
    torch 2.13's. ``lr`` may also be an array (a sweep) or a schedule ``t -> lr_t``
    (torch re-reads a group's ``lr`` at every ``step()``). The options that select
    an implementation (``foreach``, ``fused``, ``capturable``, ``differentiable``)
    accept the values torch declares (:data:`IMPLEMENTATION_VALUES`) and do not
    change the result; ``maximize`` must be ``False`` (negate ``grad_fn`` instead).
    Raises ``ValueError`` naming an unknown keyword or an out-of-range value, and
    errors of :func:`~gdbook.base.run` name the hyperparameters by torch's names.

    >>> opt = from_torch("SGD", lr=0.1, momentum=0.9, nesterov=True)
    >>> step, _ = opt.update(np.array([1.0]), opt.init(np.zeros(1)), np.zeros(1))
    >>> step  # -(g + 0.9 b_1) * lr with b_1 = g
    array([-0.19])
    """
    if name not in TORCH_DEFAULTS:
        raise ValueError(f"name must be one of {sorted(TORCH_DEFAULTS)}; got {name!r}")
    defaults = TORCH_DEFAULTS[name]
    unknown = sorted(set(kwargs) - set(defaults))
    if unknown:
        raise ValueError(
            f"unknown keyword {unknown[0]!r} for torch.optim.{name}; allowed: {', '.join(defaults)}"
        )
    options = {**defaults, **kwargs}
    if options["maximize"] is not False:
        raise ValueError(f"maximize must be False for torch.optim.{name}: negate grad_fn instead")
    _check_implementation_options(name, options)
    return rename_hyperparams(_BUILDERS[name](options), _TORCH_NAMES)


def _check_implementation_options(name: str, options: dict[str, Any]) -> None:
    """``foreach``, ``fused``, ``capturable``, ``differentiable``: torch's values and conflicts."""
    for key, allowed in IMPLEMENTATION_VALUES.items():
        if key not in options:
            continue
        value = options[key]
        if not (value is None or isinstance(value, bool | np.bool_)) or value not in allowed:
            shown = " or ".join(repr(v) for v in allowed)
            raise ValueError(f"{key} must be {shown} for torch.optim.{name}; got {value!r}")
    if options.get("fused"):  # torch raises these at construction too
        if options.get("foreach"):
            raise ValueError("fused=True and foreach=True cannot be used together (as torch)")
        if options.get("differentiable"):
            raise ValueError("fused=True does not support differentiable=True (as torch)")


# --------------------------------------------------------------------------------------
# The one block that exists only in torch
# --------------------------------------------------------------------------------------


@block
def torch_momentum_buffer(beta: Hyper, dampening: Number = 0.0) -> Optimizer:
    r"""Torch's SGD buffer: :math:`b_1 = u_1`, then :math:`b_t = \beta b_{t-1} + (1-d)\,u_t`.

    With ``dampening`` :math:`d = 0` it is :func:`~gdbook.momentum.trace`. With
    :math:`d > 0` the first step is not damped, so :math:`d = \beta` is not the EMA
    :func:`~gdbook.momentum.ema`, whose :math:`m_1 = (1-\beta) u_1`: the two differ by
    :math:`\beta^t u_1` (the conventions appendix).
    """
    beta_t = hyperparameter("beta", beta, 0.0, 1.0, high_open=True)
    damp = check_range("dampening", dampening, 0.0, 1.0)

    def init(params: Array) -> TraceState:
        return TraceState(step=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        step = state.step + 1
        if step == 1:
            velocity = grads  # b_1 = g_1: torch skips the dampening on its first step
        else:
            velocity = beta_t(step) * state.velocity + (1.0 - damp) * grads  # b_t
        return velocity, TraceState(step, velocity)

    return Optimizer(init, update, named(beta=beta_t, dampening=damp))


# --------------------------------------------------------------------------------------
# Validation with torch's keyword names
# --------------------------------------------------------------------------------------


def _number(
    options: dict[str, Any],
    key: str,
    low: float = 0.0,
    high: float = math.inf,
    *,
    high_open: bool = False,
) -> Array:
    return check_range(key, options[key], low, high, high_open=high_open)


def _flag(options: dict[str, Any], key: str) -> bool:
    value = options[key]
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{key} must be True or False; got {value!r}")
    return bool(value)


def _betas(options: dict[str, Any]) -> tuple[Array, Array]:
    betas = options["betas"]
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (b1, b2) in [0, 1); got {betas!r}")
    return (
        check_range("betas[0]", betas[0], 0.0, 1.0, high_open=True),
        check_range("betas[1]", betas[1], 0.0, 1.0, high_open=True),
    )


def _learning_rate(options: dict[str, Any]) -> Optimizer:
    hyperparameter("lr", options["lr"], 0.0)  # validate under torch's name
    return scale_by_learning_rate(options["lr"])


def _with_weight_decay(
    options: dict[str, Any], direction: Optimizer, *, decoupled: bool = False
) -> Optimizer:
    """L2 through the gradient (before ``direction``) or decoupled (after it)."""
    decay = add_decayed_weights(_number(options, "weight_decay"))
    if decoupled:
        return chain(direction, decay, _learning_rate(options))
    return chain(decay, direction, _learning_rate(options))


# --------------------------------------------------------------------------------------
# One builder per torch class: compositions of the chapters' blocks
# --------------------------------------------------------------------------------------


def _sgd(options: dict[str, Any]) -> Optimizer:
    beta = _number(options, "momentum", 0.0, 1.0, high_open=True)
    dampening = _number(options, "dampening", 0.0, 1.0)
    nesterov = _flag(options, "nesterov")
    if nesterov and (not np.all(beta > 0) or np.any(dampening != 0)):
        raise ValueError("nesterov=True requires momentum > 0 and dampening = 0 (as torch)")
    if not np.any(beta):
        return _with_weight_decay(options, chain())
    if nesterov:
        return _with_weight_decay(options, nesterov_trace(beta))
    return _with_weight_decay(options, torch_momentum_buffer(beta, dampening))


def _adagrad(options: dict[str, Any]) -> Optimizer:
    lr_decay = _number(options, "lr_decay")
    direction = scale_by_adagrad(
        _number(options, "eps"),
        initial_accumulator_value=_number(options, "initial_accumulator_value"),
    )
    decay = add_decayed_weights(_number(options, "weight_decay"))
    lr = options["lr"]
    rate = hyperparameter("lr", lr, 0.0)
    if not np.any(lr_decay):
        return chain(decay, direction, scale_by_learning_rate(lr))

    def decayed(step: int) -> Array:  # eta / (1 + (t - 1) lr_decay): no decay at t = 1
        return np.asarray(rate(step) / (1.0 + (step - 1) * lr_decay))

    opt = chain(decay, direction, scale_by_learning_rate(decayed))
    return opt._replace(hyperparams=named(lr=rate, lr_decay=lr_decay) + opt.hyperparams)


def _rmsprop(options: dict[str, Any]) -> Optimizer:
    beta = _number(options, "momentum", 0.0, 1.0, high_open=True)
    direction = scale_by_rms(
        _number(options, "alpha", 0.0, 1.0, high_open=True),
        _number(options, "eps"),
        centered=_flag(options, "centered"),
    )
    if np.any(beta):
        direction = chain(direction, trace(beta))  # buffer of g / den, starts at 0
    return _with_weight_decay(options, direction)


def _adadelta(options: dict[str, Any]) -> Optimizer:
    eps = check_range("eps", options["eps"], 0.0, low_open=True)
    direction = scale_by_adadelta(_number(options, "rho", 0.0, 1.0, high_open=True), eps)
    return _with_weight_decay(options, direction)


def _adam(options: dict[str, Any], *, decoupled: bool) -> Optimizer:
    b1, b2 = _betas(options)
    eps = _number(options, "eps")
    if _flag(options, "amsgrad"):
        direction = scale_by_amsgrad(b1, b2, eps, variant="torch")
    else:
        direction = scale_by_adam(b1, b2, eps)
    return _with_weight_decay(options, direction, decoupled=decoupled)


def _nadam(options: dict[str, Any]) -> Optimizer:
    b1, b2 = _betas(options)
    psi = float(_number(options, "momentum_decay"))
    direction = scale_by_nadam(b1, b2, _number(options, "eps"), momentum_decay=psi)
    decoupled = _flag(options, "decoupled_weight_decay")
    return _with_weight_decay(options, direction, decoupled=decoupled)


def _adamax(options: dict[str, Any]) -> Optimizer:
    b1, b2 = _betas(options)
    return _with_weight_decay(options, scale_by_adamax(b1, b2, _number(options, "eps")))


def _radam(options: dict[str, Any]) -> Optimizer:
    b1, b2 = _betas(options)
    direction = scale_by_radam(b1, b2, _number(options, "eps"), threshold=5.0)
    decoupled = _flag(options, "decoupled_weight_decay")
    return _with_weight_decay(options, direction, decoupled=decoupled)


_BUILDERS: dict[str, Callable[[dict[str, Any]], Optimizer]] = {
    "SGD": _sgd,
    "Adagrad": _adagrad,
    "RMSprop": _rmsprop,
    "Adadelta": _adadelta,
    "Adam": lambda o: _adam(o, decoupled=_flag(o, "decoupled_weight_decay")),
    "AdamW": lambda o: _adam(o, decoupled=True),
    "NAdam": _nadam,
    "Adamax": _adamax,
    "RAdam": _radam,
}


# --------------------------------------------------------------------------------------
# The appendix's experiments: where the conventions part ways
# --------------------------------------------------------------------------------------

SCHEDULE_RATE = 0.01  # (the fixture's torch run uses 0.04)
SCHEDULE_BETA = 0.9
SCHEDULE_AT = 15  # the rate changes after this update ... (fixture: 10)
SCHEDULE_FACTOR = 0.1  # ... to this multiple (the fixture's run uses 0.5)
SCHEDULE_STEPS = 40


def step_decay(learning_rate: float, at: int, factor: float) -> Callable[[int], float]:
    r"""A step schedule: the rate :math:`\eta` up to step ``at``, then scaled by ``factor``.

    :math:`\eta_t = \eta` for :math:`t \le` ``at``, then :math:`\eta \cdot` ``factor``.
    """

    def schedule(step: int) -> float:
        return learning_rate * (factor if step > at else 1.0)

    return schedule


def schedule_optimizers(
    at: int = SCHEDULE_AT, factor: float = SCHEDULE_FACTOR, beta: float = SCHEDULE_BETA
) -> dict[str, Optimizer]:
    """Both momentum forms under the same step-decay schedule."""
    schedule = step_decay(SCHEDULE_RATE, at, factor)
    return {"sum": momentum(schedule, beta), "inside": sutskever_momentum(schedule, beta)}


def schedule_runs(
    at: int = SCHEDULE_AT,
    factor: float = SCHEDULE_FACTOR,
    beta: float = SCHEDULE_BETA,
    num_steps: int = SCHEDULE_STEPS,
) -> dict[str, Trajectory]:
    """Both forms from the fixture's start on the fixture's valley."""
    problem = TORCH_FIXTURE.problem()
    return {
        form: run(opt, problem.grad, TORCH_FIXTURE.start, num_steps)
        for form, opt in schedule_optimizers(at, factor, beta).items()
    }


def step_lengths(trajectory: Trajectory) -> Array:
    r""":math:`\|x_t - x_{t-1}\|` for :math:`t = 1, \dots, n`."""
    return np.asarray(np.linalg.norm(np.diff(trajectory.params, axis=0), axis=-1))


DAMPENING_BETAS = (0.5, 0.9, 0.99)
DAMPENING_STEPS = 60
DAMPENING_SEED = 0


def buffers(beta: float, gradients: Array) -> dict[str, Array]:
    r"""PyTorch's ``dampening=beta`` buffer :math:`b_t` and the EMA :math:`m_t`.

    Both see the same gradients; PyTorch's (:func:`torch_momentum_buffer`) starts at
    :math:`b_1 = g_1`, the EMA (:func:`~gdbook.momentum.ema`) at :math:`m_1 = (1-\beta) g_1`.
    """
    return {
        "torch": replay_gradients(torch_momentum_buffer(beta, beta), gradients).field("velocity")[
            1:
        ],
        "ema": replay_gradients(ema(beta), gradients).field("velocity")[1:],
    }


def dampening_gradients(num_steps: int = DAMPENING_STEPS) -> Array:
    """A fixed noisy gradient sequence, mean 1, shape ``(num_steps, 1)`` (seeded)."""
    rng = np.random.default_rng(DAMPENING_SEED)
    return 1.0 + 0.5 * rng.standard_normal((num_steps, 1))


class EpsPlacement(NamedTuple):
    """Where one source puts the epsilon of one adaptive method, and its default value."""

    method: str
    source: str
    formula: str  # the denominator, LaTeX
    eps: float | None  # default value; None where the source has no epsilon


EPS_PLACEMENT: tuple[EpsPlacement, ...] = (
    EpsPlacement("Adagrad", "Duchi et al. (2011)", r"\delta + \sqrt{s_t}", None),
    EpsPlacement("Adagrad", "Goodfellow et al. (2016), Alg. 8.4", r"\delta + \sqrt{r}", 1e-7),
    EpsPlacement("Adagrad", "PyTorch 2.13", r"\sqrt{s_t} + \epsilon", 1e-10),
    EpsPlacement("Adagrad", "optax 0.2.8", r"\sqrt{s_t + \epsilon}", 1e-7),
    EpsPlacement("Adagrad", "Keras 3", r"\sqrt{s_t + \epsilon}", 1e-7),
    EpsPlacement("RMSProp", "Tieleman & Hinton (2012)", r"\sqrt{v_t}", None),
    EpsPlacement("RMSProp", "Goodfellow et al. (2016), Alg. 8.5", r"\sqrt{\delta + r}", 1e-6),
    EpsPlacement("RMSProp", "PyTorch 2.13", r"\sqrt{v_t} + \epsilon", 1e-8),
    EpsPlacement("RMSProp", "optax 0.2.8", r"\sqrt{v_t + \epsilon}", 1e-8),
    EpsPlacement("RMSProp", "Keras 3", r"\sqrt{v_t + \epsilon}", 1e-7),
    EpsPlacement("Adam", "Kingma & Ba (2015), Alg. 1", r"\sqrt{\hat v_t} + \epsilon", 1e-8),
    EpsPlacement("Adam", "PyTorch 2.13", r"\sqrt{\hat v_t} + \epsilon", 1e-8),
    EpsPlacement("Adam", "optax 0.2.8", r"\sqrt{\hat v_t} + \epsilon", 1e-8),
    EpsPlacement(
        "Adam", "Keras 3 (the paper's efficient form)", r"\sqrt{v_t} + \hat\epsilon", 1e-7
    ),
    EpsPlacement("Adadelta", "Zeiler (2012)", r"\sqrt{E[g^2]_t + \epsilon}", 1e-6),
    EpsPlacement("Adadelta", "PyTorch 2.13", r"\sqrt{v_t + \epsilon}", 1e-6),
)
"""Where each source puts epsilon; from the sources' code and algorithm boxes."""

EPS_DEMO = 1e-8  # the epsilon of the comparison figure
GRADIENT_SCALES: Array = np.geomspace(1e-12, 1.0, 241)


def steady_steps(grads: Array, eps: float) -> dict[str, Array]:
    r"""Step per unit rate once :math:`v` settles at :math:`g^2`: outside and inside the root."""
    g = np.asarray(grads, dtype=np.float64)
    return {
        "outside": g / denominator(g * g, eps, eps_in_sqrt=False),
        "inside": g / denominator(g * g, eps, eps_in_sqrt=True),
    }


def keras_effective_eps(eps_hat: float, b2: float, steps: ArrayLike) -> Array:
    r"""The PyTorch :math:`\epsilon_t` that reproduces Keras' constant :math:`\hat\epsilon`.

    It is :math:`\hat\epsilon/\sqrt{1-\beta_2^t}`.
    """
    t = np.asarray(steps, dtype=np.float64)
    return np.asarray(eps_hat / np.sqrt(1.0 - b2**t))


# --------------------------------------------------------------------------------------
# The recorded torch runs and the appendix's tables
# --------------------------------------------------------------------------------------


AGREEMENT = 1e-13
"""The largest difference the book allows between its runs and the recorded torch runs.

What the tests find on the fixture's problems is rounding error, some 1e-15 to 1e-14;
its last digits depend on the processor's BLAS kernel, so the text states this bound.
"""


def load_torch_fixture(path: str | Path) -> tuple[dict[str, Array], dict[str, Any]]:
    """The torch reference trajectories and their configurations (name, kwargs, problem...).

    The file is written by ``tests/reference/make_torch_reference.py``.
    """
    with np.load(path) as data:
        recorded = {key: data[key] for key in data.files if not key.startswith("__")}
        configs = json.loads(str(data["__configs__"]))
    return recorded, configs


def replay_torch_fixture(
    recorded: dict[str, Array], configs: dict[str, Any], grads: dict[str, GradFn]
) -> dict[str, float]:
    """For every plain recorded run, the largest gap between :func:`from_torch` and torch.

    ``grads`` maps a configuration's ``problem`` to its gradient. Runs marked ``special``
    (torch variants the library builds otherwise) are left out.
    """
    gaps = {}
    for key, cfg in configs.items():
        if cfg["special"] is None:
            kwargs = {k: tuple(v) if k == "betas" else v for k, v in cfg["kwargs"].items()}
            opt = from_torch(cfg["name"], **kwargs)
            traj = run(opt, grads[cfg["problem"]], np.array(cfg["x0"]), cfg["steps"])
            gaps[key] = float(np.abs(traj.params - recorded[key]).max())
    return gaps


_IMPLEMENTATION_ONLY = {"maximize", "foreach", "capturable", "differentiable", "fused"}


def torch_table() -> str:
    """Markdown: each torch class, its keywords and defaults, and how it differs from the paper."""
    rows = ["| class | keywords and defaults | differs from the paper |", "|---|---|---|"]
    for name, defaults in TORCH_DEFAULTS.items():
        shown = ", ".join(
            f"`{k}={v!r}`" for k, v in defaults.items() if k not in _IMPLEMENTATION_ONLY
        )
        note = TORCH_NOTES[name].replace("|", "\\|")  # a literal bar must not split the cell
        rows.append(f"| `{name}` | {shown} | {note} |")
    return "\n".join(rows)


def eps_placement_table() -> str:
    """Markdown: :data:`EPS_PLACEMENT` as a table, the default epsilon as a power of ten."""

    def shown(value: float | None) -> str:
        return "none" if value is None else f"$10^{{{round(np.log10(value))}}}$"

    rows = ["| method | source | denominator | default $\\epsilon$ |", "|---|---|---|---|"]
    rows += [f"| {r.method} | {r.source} | ${r.formula}$ | {shown(r.eps)} |" for r in EPS_PLACEMENT]
    return "\n".join(rows)
