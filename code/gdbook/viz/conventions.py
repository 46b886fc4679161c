r"""Figures and the explorer of the appendix *Conventions: one notation, many books*.

Symbols: :math:`\eta` learning rate, :math:`\beta` momentum, :math:`b_t` the
sum-form buffer (PyTorch's), :math:`v_t` a buffer that stores steps (Sutskever et
al.'s), :math:`m_t` an EMA buffer, :math:`\epsilon` the constant that keeps an
adaptive denominator away from zero.

The schedule figure uses the valley of the torch reference fixture
(``tests/reference/make_torch_reference.py``): :math:`f = \tfrac12 x^\top A x - b^\top x`
with eigenvalues 1 and 20 turned by 30 degrees, :math:`b = (1, -2)`, started at
:math:`(-1.5, 1.5)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from gdbook import plotting
from gdbook.base import Array, Optimizer, Trajectory, run
from gdbook.figures import register
from gdbook.momentum import momentum, replay_gradients, sutskever_momentum, trace
from gdbook.plotting import PALETTE
from gdbook.problems import Quadratic, quadratic
from gdbook.widgets import Explorer, freeze, register_widget, slider

# --------------------------------------------------------------------------------------
# The schedule break: sum form (PyTorch) versus rate inside (Sutskever et al.)
# --------------------------------------------------------------------------------------

FIXTURE_ANGLE = np.pi / 6  # the torch fixture's rotation, 30 degrees
FIXTURE_EIGENVALUES = (1.0, 20.0)
FIXTURE_B = np.array([1.0, -2.0])  # the linear term: f = x'Ax/2 - b'x
FIXTURE_START = np.array([-1.5, 1.5])
SCHEDULE_RATE = 0.01  # (the fixture's torch run uses 0.04)
SCHEDULE_BETA = 0.9
SCHEDULE_AT = 15  # the rate changes after this update ... (fixture: 10)
SCHEDULE_FACTOR = 0.1  # ... to this multiple (the fixture's run uses 0.5)
SCHEDULE_STEPS = 40
FORMS = ("sum", "inside")
FORM_LABELS = {
    "sum": "sum form (PyTorch)",
    "inside": "rate inside (Sutskever)",
}
FORM_COLORS = {"sum": PALETTE["blue"], "inside": PALETTE["vermillion"]}
SCHEDULE_XLIM = (-1.8, 0.8)
SCHEDULE_YLIM = (-1.8, 1.7)
_ANGLES = np.linspace(0.0, 2 * np.pi, 161)


def fixture_problem() -> Quadratic:
    r"""The torch fixture's quadratic :math:`\tfrac12 x^\top A x - b^\top x`.

    Its minimum is :math:`A^{-1} b`.
    """
    shape = quadratic(FIXTURE_EIGENVALUES, angle=FIXTURE_ANGLE)
    return quadratic(
        FIXTURE_EIGENVALUES,
        angle=FIXTURE_ANGLE,
        x_star=np.linalg.solve(shape.matrix, FIXTURE_B),
    )


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
    problem = fixture_problem()
    return {
        form: run(opt, problem.grad, FIXTURE_START, num_steps)
        for form, opt in schedule_optimizers(at, factor, beta).items()
    }


def step_lengths(trajectory: Trajectory) -> Array:
    r""":math:`\|x_t - x_{t-1}\|` for :math:`t = 1, \dots, n`."""
    return np.asarray(np.linalg.norm(np.diff(trajectory.params, axis=0), axis=-1))


def _level_sets(problem: Quadratic, levels: Array) -> list[Array]:
    assert problem.x_star is not None
    curves = []
    for c in levels:
        semi = np.sqrt(2 * c / problem.eigenvalues)
        local = np.stack([semi[0] * np.cos(_ANGLES), semi[1] * np.sin(_ANGLES)], axis=-1)
        curves.append(local @ problem.eigenvectors.T + problem.x_star)
    return curves


class _ScheduleArtists(NamedTuple):
    shared: Any
    paths: dict[str, Any]
    switch: dict[str, Any]
    lengths: dict[str, Any]
    marker: Any
    note: Any


def _schedule_artists(axes: Any) -> _ScheduleArtists:
    """The two panels with empty artists: paths over the valley, step lengths over t."""
    left, right = axes
    problem = fixture_problem()
    assert problem.x_star is not None
    paths, switch, lengths = {}, {}, {}
    with plotting.style():
        for curve in _level_sets(problem, 0.25 * 2.0 ** np.arange(6.0)):
            left.plot(curve[:, 0], curve[:, 1], color="0.75", lw=0.6)
        left.plot(*problem.x_star, marker="*", color=PALETTE["black"], ms=9)
        left.plot(*FIXTURE_START, "s", color="0.3", ms=5)
        (shared,) = left.plot([], [], "o-", color="0.55", lw=1.1, ms=2.5, label="both forms")
        for form in FORMS:
            color = FORM_COLORS[form]
            (paths[form],) = left.plot([], [], "o-", color=color, lw=1.1, ms=2.5)
            (switch[form],) = left.plot([], [], "o", mfc="white", mec=color, ms=7, mew=1.5)
            (lengths[form],) = right.plot([], [], "o-", color=color, ms=3, label=FORM_LABELS[form])
        left.set_xlim(*SCHEDULE_XLIM)
        left.set_ylim(*SCHEDULE_YLIM)
        left.set_aspect("equal")
        left.axis("off")  # the valley's coordinates carry no message here
        marker = right.axvline(SCHEDULE_AT + 0.5, color="0.5", lw=0.8, ls="--")
        note = right.text(0.02, 0.03, "", transform=right.transAxes, fontsize=8, color="0.3")
        right.set_xlim(0, SCHEDULE_STEPS + 1)
        # log10 of the lengths on a linear axis labelled in powers of ten (it redraws
        # faster than a log axis, which the explorer needs)
        right.set_ylim(-3, 1)
        right.set_yticks(np.arange(-3, 2), [f"$10^{{{d}}}$" for d in range(-3, 2)])
        right.set_xlabel("update $t$")
        right.set_ylabel(r"step length $\|x_t - x_{t-1}\|$")
        # fixed label positions: matplotlib then skips measuring every tick label per draw
        right.xaxis.set_label_coords(0.5, -0.11)
        right.yaxis.set_label_coords(-0.1, 0.5)
        right.legend(loc="upper right", fontsize=8)
    return _ScheduleArtists(shared, paths, switch, lengths, marker, note)


def _draw_schedule(
    artists: _ScheduleArtists, at: int, factor: float, beta: float
) -> dict[str, Any]:
    runs = schedule_runs(at, factor, beta)
    state: dict[str, Any] = {"at": at, "factor": factor, "beta": beta}
    for form, traj in runs.items():
        points = traj.params
        artists.shared.set_data(points[: at + 1, 0], points[: at + 1, 1])  # identical so far
        artists.paths[form].set_data(points[at:, 0], points[at:, 1])
        artists.switch[form].set_data([points[at, 0]], [points[at, 1]])
        lengths = step_lengths(traj)
        with np.errstate(divide="ignore"):
            log_lengths = np.log10(lengths)  # -inf (a zero step) is not drawn
        artists.lengths[form].set_data(np.arange(1, lengths.size + 1), log_lengths)
        state[form] = points
    gap = float(np.linalg.norm(runs["sum"].params[-1] - runs["inside"].params[-1]))
    artists.marker.set_xdata([at + 0.5, at + 0.5])
    artists.note.set_text(f"final gap {gap:.3g}")  # short: glyphs are re-rendered on each draw
    state["final_gap"] = gap
    return state


@register("conventions_schedule.svg")
def schedule() -> Figure:
    """A step decay of the learning rate splits the two momentum forms."""
    fig, axes = plotting.new_figure(ncols=2, figsize=(9.6, 3.9), width_ratios=[1.0, 1.25])
    artists = _schedule_artists(axes)
    _draw_schedule(artists, SCHEDULE_AT, SCHEDULE_FACTOR, SCHEDULE_BETA)
    plotting.label_panels(axes)
    return fig


@register_widget("conventions_schedule")
def schedule_explorer() -> Explorer:
    """Sliders for when the rate changes, by how much, and the momentum beta."""
    fig, axes = plotting.new_figure(ncols=2, figsize=(9.6, 3.9), width_ratios=[1.0, 1.25])
    artists = _schedule_artists(axes)
    import ipywidgets

    controls = {
        "at": ipywidgets.IntSlider(
            value=SCHEDULE_AT,
            min=1,
            max=SCHEDULE_STEPS - 1,
            description="change after update",
            continuous_update=False,
            style={"description_width": "initial"},
        ),
        "factor": slider("rate multiplied by", SCHEDULE_FACTOR, -1.5, 1.0, 0.1, log=True),
        "beta": slider("momentum β", SCHEDULE_BETA, 0.0, 0.98, 0.02),
    }

    def draw(at: int, factor: float, beta: float) -> dict[str, Any]:
        return _draw_schedule(artists, int(at), factor, beta)

    dynamic = [
        artists.shared,
        *(line for form in FORMS for line in (artists.paths[form], artists.switch[form])),
        *artists.lengths.values(),
        artists.marker,
        artists.note,
        axes[1].get_legend(),  # in a full draw it lies over the lines
    ]
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


# --------------------------------------------------------------------------------------
# The dampening break: PyTorch's dampened buffer versus the EMA
# --------------------------------------------------------------------------------------

DAMPENING_BETAS = (0.5, 0.9, 0.99)
DAMPENING_STEPS = 60
DAMPENING_SEED = 0


def buffers(beta: float, gradients: Array) -> dict[str, Array]:
    r"""PyTorch's ``dampening=beta`` buffer :math:`b_t` and the EMA :math:`m_t`.

    Both see the same gradients and are ``trace(beta, dampening=beta)``; PyTorch's
    starts at :math:`b_1 = g_1` (``first_step_undamped=True``), the EMA at
    :math:`m_1 = (1-\beta) g_1`.
    """
    torch_like = trace(beta, dampening=beta, first_step_undamped=True)
    ema = trace(beta, dampening=beta)
    return {
        "torch": replay_gradients(torch_like, gradients).field("velocity")[1:],
        "ema": replay_gradients(ema, gradients).field("velocity")[1:],
    }


def dampening_gradients(num_steps: int = DAMPENING_STEPS) -> Array:
    """A fixed noisy gradient sequence, mean 1, shape ``(num_steps, 1)`` (seeded)."""
    rng = np.random.default_rng(DAMPENING_SEED)
    return 1.0 + 0.5 * rng.standard_normal((num_steps, 1))


@register("conventions_dampening.svg")
def dampening() -> Figure:
    """PyTorch's dampened buffer starts at g_1, the EMA at (1 - beta) g_1; the gap is beta^t g_1."""
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(9.6, 3.6))
    ones = np.ones((DAMPENING_STEPS, 1))
    t = np.arange(1, DAMPENING_STEPS + 1)
    colors = [PALETTE["sky"], PALETTE["blue"], PALETTE["black"]]
    with plotting.style():
        for beta, color in zip(DAMPENING_BETAS, colors, strict=True):
            constant = buffers(beta, ones)
            left.plot(t, constant["ema"][:, 0], color=color, label=rf"EMA $m_t$, $\beta = {beta}$")
            noisy = dampening_gradients()
            pair = buffers(beta, noisy)
            gap = np.abs(pair["torch"] - pair["ema"])[:, 0]
            right.semilogy(t, np.maximum(gap, 1e-300), "o", color=color, ms=3)
            right.semilogy(t, beta**t * abs(noisy[0, 0]), "-", color=color, lw=1)
        left.plot(
            t,
            buffers(0.9, ones)["torch"][:, 0],
            "--",
            color=PALETTE["orange"],
            label=r"PyTorch $b_t$ (dampening $= \beta$), any $\beta$",
        )
        left.set_xlabel("update $t$")
        left.set_ylabel(r"buffer under a constant gradient $g = 1$")
        left.set_ylim(0, 1.15)
        left.legend(loc="lower right", fontsize=7.5)
        right.set_xlabel("update $t$")
        right.set_ylabel(r"$|b_t - m_t|$ for a noisy gradient")
        right.set_ylim(1e-16, 10)
        right.text(
            0.03,
            0.04,
            r"markers: measured; lines: $\beta^t |g_1|$"
            + "\n"
            + r"$\beta$ = 0.5, 0.9, 0.99 as in (a)",
            transform=right.transAxes,
            fontsize=8,
            color="0.3",
        )
    plotting.label_panels([left, right])
    return fig


# --------------------------------------------------------------------------------------
# The epsilon break: inside or outside the root
# --------------------------------------------------------------------------------------


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
    return {"outside": g / (np.abs(g) + eps), "inside": g / np.sqrt(g * g + eps)}


def keras_effective_eps(eps_hat: float, b2: float, steps: ArrayLike) -> Array:
    r"""The PyTorch :math:`\epsilon_t` that reproduces Keras' constant :math:`\hat\epsilon`.

    It is :math:`\hat\epsilon/\sqrt{1-\beta_2^t}`.
    """
    t = np.asarray(steps, dtype=np.float64)
    return np.asarray(eps_hat / np.sqrt(1.0 - b2**t))


@register("conventions_eps.svg")
def eps_placement() -> Figure:
    """Epsilon outside the root takes over at |g| ~ eps, inside at |g| ~ sqrt(eps)."""
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(9.6, 3.6))
    steps = steady_steps(GRADIENT_SCALES, EPS_DEMO)
    with plotting.style():
        left.loglog(
            GRADIENT_SCALES,
            steps["outside"],
            color=PALETTE["blue"],
            label=r"outside: $g/(\sqrt{v} + \epsilon)$",
        )
        left.loglog(
            GRADIENT_SCALES,
            steps["inside"],
            color=PALETTE["vermillion"],
            label=r"inside: $g/\sqrt{v + \epsilon}$",
        )
        for x, text in ((EPS_DEMO, r"$\epsilon$"), (np.sqrt(EPS_DEMO), r"$\sqrt{\epsilon}$")):
            left.axvline(x, color="0.6", lw=0.8, ls="--")
            left.text(x, 2.0, text, ha="center", va="bottom", color="0.35")
        left.set_xlabel(r"gradient size $|g|$ (with $v = g^2$)")
        left.set_ylabel("step per unit learning rate")
        left.set_ylim(1e-5, 5.0)
        left.set_title(rf"$\epsilon = 10^{{{int(np.log10(EPS_DEMO))}}}$")
        left.legend(loc="lower right", fontsize=8)
        t = np.unique(np.geomspace(1, 5000, 200).round())  # log-spaced updates
        for b2, color in ((0.999, PALETTE["black"]), (0.99, PALETTE["orange"])):
            right.loglog(
                t, keras_effective_eps(1.0, b2, t), color=color, label=rf"$\beta_2 = {b2}$"
            )
        right.axhline(1.0, color="0.6", lw=0.8, ls="--")
        right.set_xlabel("update $t$")
        right.set_ylabel(r"PyTorch $\epsilon_t$ / Keras $\hat\epsilon$")
        right.set_title(r"Keras' $\hat\epsilon$ in PyTorch's units: $1/\sqrt{1-\beta_2^t}$")
        right.legend(loc="upper right", fontsize=8)
    plotting.label_panels([left, right])
    return fig
