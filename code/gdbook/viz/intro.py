r"""Figures and the explorer of the landing page (``chapters/intro.md``).

The hero: gradient descent, momentum and Adam on one narrow, tilted valley, from
the same start and for the same number of steps. The valley is the quadratic with
eigenvalues :math:`\mu = 1` and :math:`L = \kappa` turned by 25 degrees, so that
neither of its axes is a coordinate axis. Each method is tuned to show its
character rather than to win: gradient descent near its largest sensible step
(:math:`\eta = 1.9/L`, it zig-zags), momentum with :math:`\eta = 1/L,\ \beta = 0.8`
(it rolls and overshoots), Adam with :math:`\eta = 0.1` (its first steps have
the same size in every coordinate).

The family tree: every optimizer of the book as a composition of the package's
building blocks (:data:`FAMILY`); ``tests/test_intro.py`` checks that each
composition is the named optimizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gdbook import plotting
from gdbook.adam import adam
from gdbook.base import Array, Optimizer, State, Trajectory, run
from gdbook.figures import register
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import momentum
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.problems import Quadratic, quadratic
from gdbook.widgets import Explorer, freeze, register_widget, slider

HERO_KAPPA = 50.0  # condition number of the hero valley
HERO_ANGLE = -np.pi * 25 / 180  # the flat direction points 25 degrees below the x1 axis
HERO_START = np.array([-2.0, 0.6])  # up the steep wall, far down the floor
HERO_STEPS = 200  # updates in every hero run
HERO_PATH_STEPS = 60  # updates drawn in the path panels
HERO_TOL = 1e-6  # f(x_k) - f* at which a method has "arrived"
HERO_BETA = 0.8  # momentum of the hero's heavy ball
HERO_RATES = {"gd": 1.9, "momentum": 1.0, "adam": 0.1}
"""Learning rates at scale 1: GD and momentum in units of 1/L, Adam absolute."""
METHODS = ("gd", "momentum", "adam")
LABELS = {"gd": "gradient descent", "momentum": "momentum", "adam": "Adam"}
XLIM = (-2.4, 0.7)
YLIM = (-0.5, 1.35)
LEVELS: Array = 0.01 * 4.0 ** np.arange(6.0)  # f values of the drawn level sets
LOSS_YLIM = (1e-9, 1e3)
_ANGLES = np.linspace(0.0, 2 * np.pi, 161)


def hero_problem(kappa: float = HERO_KAPPA) -> Quadratic:
    r"""The hero valley: eigenvalues :math:`1` and :math:`\kappa`, turned by :data:`HERO_ANGLE`."""
    return quadratic([1.0, kappa], angle=HERO_ANGLE)


def hero_learning_rates(kappa: float = HERO_KAPPA, scale: float = 1.0) -> dict[str, float]:
    """The three learning rates: :data:`HERO_RATES` times ``scale``.

    GD's and momentum's are divided by L = kappa.
    """
    return {
        "gd": scale * HERO_RATES["gd"] / kappa,
        "momentum": scale * HERO_RATES["momentum"] / kappa,
        "adam": scale * HERO_RATES["adam"],
    }


def hero_optimizers(
    kappa: float = HERO_KAPPA, scale: float = 1.0, beta: float = HERO_BETA
) -> dict[str, Optimizer]:
    """Gradient descent, momentum and Adam (default b1, b2, eps) at the hero's settings."""
    rates = hero_learning_rates(kappa, scale)
    return {
        "gd": gradient_descent(rates["gd"]),
        "momentum": momentum(rates["momentum"], beta),
        "adam": adam(rates["adam"]),
    }


def hero_runs(
    kappa: float = HERO_KAPPA,
    scale: float = 1.0,
    beta: float = HERO_BETA,
    num_steps: int = HERO_STEPS,
) -> dict[str, Trajectory]:
    """Every hero method from :data:`HERO_START` for ``num_steps`` updates (one shared loop)."""
    problem = hero_problem(kappa)
    opts = hero_optimizers(kappa, scale, beta)
    starts = np.broadcast_to(HERO_START, (len(opts), HERO_START.size))
    both = run(
        _side_by_side(list(opts.values())), problem.grad, starts, num_steps, record_states=False
    )
    return {
        name: Trajectory(both.params[:, i], None, both.diverged_at[i])
        for i, name in enumerate(opts)
    }


def _side_by_side(opts: Sequence[Optimizer]) -> Optimizer:
    """Run ``opts[i]`` on row ``i`` of a batch of params: several methods in one loop."""

    def init(params: Array) -> tuple[State, ...]:
        return tuple(opt.init(row) for opt, row in zip(opts, params, strict=True))

    def update(
        grads: Array, state: tuple[State, ...], params: Array
    ) -> tuple[Array, tuple[State, ...]]:
        steps = np.empty_like(grads)
        states = []
        for i, (opt, part) in enumerate(zip(opts, state, strict=True)):
            steps[i], part = opt.update(grads[i], part, params[i])
            states.append(part)
        return steps, tuple(states)

    return Optimizer(init, update)


def excess_loss(problem: Quadratic, trajectory: Trajectory) -> Array:
    r""":math:`f(x_k) - f^\star` for every iterate (NaN after a divergence)."""
    return np.asarray(problem.value(trajectory.params) - (problem.f_star or 0.0))


def steps_to_tolerance(values: Array, tol: float = HERO_TOL) -> int:
    """First ``k`` with ``values[k] <= tol``, or ``-1`` if no entry reaches it."""
    with np.errstate(invalid="ignore"):
        hits = np.flatnonzero(np.asarray(values) <= tol)
    return int(hits[0]) if hits.size else -1


def _ellipses(problem: Quadratic) -> list[Array]:
    """Level sets f = c (c in LEVELS) of a 2-D quadratic as closed (m, 2) curves."""
    assert problem.x_star is not None
    curves = []
    for c in LEVELS:
        semi = np.sqrt(2 * c / problem.eigenvalues)  # half-axes along the eigenvectors
        local = np.stack([semi[0] * np.cos(_ANGLES), semi[1] * np.sin(_ANGLES)], axis=-1)
        curves.append(local @ problem.eigenvectors.T + problem.x_star)
    return curves


def _valley_axes(ax: Axes, title: str, color: str) -> tuple[Any, Any]:
    """An empty line for the level sets, the minimum, limits and title; returns both lines."""
    (lines,) = ax.plot([], [], color="0.7", lw=0.6)  # all level sets, NaN-separated
    (star,) = ax.plot(0, 0, marker="*", color=PALETTE["black"], markersize=8)
    ax.set_xlim(*XLIM)
    ax.set_ylim(*YLIM)
    ax.set_aspect("equal")
    ax.axis("off")  # a picture of the valley: its coordinates carry no message
    # a text, not set_title: an axes title is re-positioned on every draw (slow in widgets)
    ax.text(0.5, 1.0, title, color=color, transform=ax.transAxes, ha="center", va="bottom")
    return lines, star


def _hero_layout(figsize: tuple[float, float]) -> tuple[Figure, dict[str, Axes]]:
    import matplotlib.pyplot as plt

    with plotting.style():
        fig = plt.figure(figsize=figsize, layout="constrained")
        axes = fig.subplot_mosaic(
            [["gd", "momentum", "adam"], ["loss", "loss", "loss"]], height_ratios=[1.0, 0.75]
        )
    return fig, axes


class _HeroArtists(NamedTuple):
    levels: dict[str, Any]
    minima: dict[str, Any]
    paths: dict[str, Any]
    losses: dict[str, Any]
    arrivals: dict[str, Any]
    labels: dict[str, Any]
    notes: dict[str, Any]


def _hero_artists(axes: dict[str, Axes]) -> _HeroArtists:
    """Every artist the hero picture updates, created empty."""
    levels, minima, paths, losses, arrivals, labels, notes = {}, {}, {}, {}, {}, {}, {}
    loss_ax = axes["loss"]
    with plotting.style():
        for name in METHODS:
            ax, color = axes[name], METHOD_COLORS[name]
            levels[name], minima[name] = _valley_axes(ax, LABELS[name], color)
            (paths[name],) = ax.plot([], [], "o-", color=color, lw=1.0, ms=2.2)
            ax.plot(*HERO_START, "s", color=color, ms=5, zorder=1.9)  # under the path
            notes[name] = ax.text(0.03, 0.04, "", transform=ax.transAxes, fontsize=8, color=color)
            (losses[name],) = loss_ax.plot([], [], color=color, label=LABELS[name])
            (arrivals[name],) = loss_ax.plot([], [], "o", color=color, ms=5)
            labels[name] = loss_ax.text(
                0,
                0,
                "",
                color=color,
                ha="center",
                va="bottom",
                fontsize=9,
                bbox={"fc": "white", "ec": "none", "pad": 0.4, "alpha": 0.85},
            )
        # log10 of the loss on a linear axis, labelled in powers of ten: it looks like a
        # log axis but redraws faster (no non-affine transform), which the explorer needs
        loss_ax.axhline(np.log10(HERO_TOL), color="0.5", lw=0.8, ls="--", zorder=1.9)
        loss_ax.set_xlim(0, HERO_STEPS)
        loss_ax.set_xticks(np.linspace(0, HERO_STEPS, 5))
        low, high = (round(np.log10(v)) for v in LOSS_YLIM)
        loss_ax.set_ylim(low, high)
        decades = np.arange(low, high + 1, 3)
        loss_ax.set_yticks(decades, [f"$10^{{{d}}}$" for d in decades])
        loss_ax.set_xlabel("step $k$")
        loss_ax.set_ylabel(r"$f(x_k) - f^\star$")
        # fixed label positions: matplotlib then skips measuring every tick label per draw
        loss_ax.xaxis.set_label_coords(0.5, -0.16)
        loss_ax.yaxis.set_label_coords(-0.06, 0.5)
    return _HeroArtists(levels, minima, paths, losses, arrivals, labels, notes)


def _draw_hero(artists: _HeroArtists, kappa: float, scale: float, beta: float) -> dict[str, Any]:
    """Recompute the three runs and update every artist; return what was computed."""
    problem = hero_problem(kappa)
    gap = np.full((1, 2), np.nan)  # one line for all level sets: fewer artists to draw
    levels = np.concatenate([part for curve in _ellipses(problem) for part in (curve, gap)])
    runs = hero_runs(kappa, scale, beta)
    rates = hero_learning_rates(kappa, scale)
    state: dict[str, Any] = {"kappa": kappa, "scale": scale, "beta": beta}
    for name, traj in runs.items():
        artists.levels[name].set_data(levels[:, 0], levels[:, 1])
        shown = traj.params[: HERO_PATH_STEPS + 1]
        artists.paths[name].set_data(shown[:, 0], shown[:, 1])
        loss = excess_loss(problem, traj)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_loss = np.log10(loss)  # -inf at an exact zero is simply not drawn
        artists.losses[name].set_data(np.arange(loss.size), log_loss)
        arrived = steps_to_tolerance(loss)
        point = ([arrived], [log_loss[arrived]]) if arrived >= 0 else ([], [])
        artists.arrivals[name].set_data(*point)
        # the step count next to its dot; texts are kept short because every glyph is
        # rendered again on each redraw of the explorer
        artists.labels[name].set_position((arrived, np.log10(HERO_TOL) + 0.7))
        artists.labels[name].set_text(str(arrived) if arrived >= 0 else "")
        diverged = int(traj.diverged_at)
        if diverged >= 0:
            note = f"diverged at step {diverged}"
        else:
            note = "" if arrived >= 0 else "tolerance not reached"
        artists.notes[name].set_text(note)
        state[name] = {
            "learning_rate": rates[name],
            "steps_to_tolerance": arrived,
            "diverged_at": diverged,
            "final_loss": float(loss[-1]),
        }
    return state


@register("intro_hero.svg")
def hero() -> Figure:
    """Three methods, one valley: the paths (first 60 steps) and the loss (300 steps)."""
    fig, axes = _hero_layout((9.0, 4.6))
    artists = _hero_artists(axes)
    _draw_hero(artists, HERO_KAPPA, 1.0, HERO_BETA)
    return fig


@register_widget("intro_hero")
def hero_explorer() -> Explorer:
    """The hero with sliders: a common learning-rate scale, momentum's beta, the valley's kappa."""
    fig, axes = _hero_layout((9.0, 4.6))
    artists = _hero_artists(axes)
    controls = {
        "scale": slider("learning-rate scale", 1.0, -1.0, 0.5, 0.05, log=True),
        "beta": slider("momentum β", HERO_BETA, 0.0, 0.98, 0.02),
        "kappa": slider("condition number κ", HERO_KAPPA, 0.7, 2.7, 0.05, log=True),
    }

    def draw(scale: float, beta: float, kappa: float) -> dict[str, Any]:
        return _draw_hero(artists, kappa, scale, beta)

    dynamic = [artist for group in artists for artist in group.values()]
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


# --------------------------------------------------------------------------------------
# The family tree
# --------------------------------------------------------------------------------------


class Member(NamedTuple):
    """One optimizer of the book: what it adds, and how the package composes it."""

    name: str
    reference: str  # "Author (Year)"
    adds: str  # what it adds to its parents, in a few words
    composition: str  # the chain of gdbook blocks, as Python source
    column: int  # position in the drawing
    row: int
    color: str


FAMILY: tuple[Member, ...] = (
    Member(
        "gradient descent",
        "Cauchy (1847)",
        "steps down the gradient",
        "scale_by_learning_rate(eta)",
        0,
        1,
        METHOD_COLORS["gd"],
    ),
    Member(
        "momentum",
        "Polyak (1964)",
        "remembers past gradients",
        "chain(trace(beta), scale_by_learning_rate(eta))",
        1,
        2,
        METHOD_COLORS["momentum"],
    ),
    Member(
        "Nesterov",
        "Nesterov (1983)",
        "looks ahead",
        "chain(trace(beta, nesterov=True), scale_by_learning_rate(eta))",
        2,
        2,
        METHOD_COLORS["nesterov"],
    ),
    Member(
        "Adagrad",
        "Duchi et al. (2011)",
        "one rate per coordinate",
        "chain(scale_by_adagrad(eps), scale_by_learning_rate(eta))",
        1,
        0,
        METHOD_COLORS["adagrad"],
    ),
    Member(
        "RMSProp",
        "Tieleman & Hinton (2012)",
        "forgets old gradients",
        "chain(scale_by_rms(decay, eps), scale_by_learning_rate(eta))",
        2,
        0,
        METHOD_COLORS["rmsprop"],
    ),
    Member(
        "Adadelta",
        "Zeiler (2012)",
        "matches the units",
        "chain(scale_by_adadelta(rho, eps), scale_by_learning_rate(eta))",
        3,
        -1,
        METHOD_COLORS["rmsprop"],
    ),
    Member(
        "Adam",
        "Kingma & Ba (2015)",
        "both memories, corrected",
        "chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(eta))",
        3,
        1,
        METHOD_COLORS["adam"],
    ),
    Member(
        "NAdam",
        "Dozat (2016)",
        "Adam that looks ahead",
        "chain(scale_by_nadam(b1, b2, eps), scale_by_learning_rate(eta))",
        4,
        2,
        METHOD_COLORS["adam"],
    ),
    Member(
        "AMSGrad",
        "Reddi et al. (2018)",
        "never lets a step grow",
        "chain(scale_by_amsgrad(b1, b2, eps), scale_by_learning_rate(eta))",
        4,
        1,
        METHOD_COLORS["adam"],
    ),
    Member(
        "AdamW",
        "Loshchilov & Hutter (2019)",
        "decouples weight decay",
        "chain(scale_by_adam(b1, b2, eps), add_decayed_weights(wd), scale_by_learning_rate(eta))",
        4,
        0,
        METHOD_COLORS["adam"],
    ),
)
"""Every optimizer the book builds, oldest first, with its composition of blocks."""

LINEAGE: tuple[tuple[str, str], ...] = (
    ("gradient descent", "momentum"),
    ("momentum", "Nesterov"),
    ("gradient descent", "Adagrad"),
    ("Adagrad", "RMSProp"),
    ("RMSProp", "Adadelta"),
    ("momentum", "Adam"),
    ("RMSProp", "Adam"),
    ("Adam", "NAdam"),
    ("Adam", "AMSGrad"),
    ("Adam", "AdamW"),
)
"""Edges (parent, child) of the family tree."""


def composition_blocks(composition: str) -> list[str]:
    """The blocks of a composition, in order: ``["trace(beta)", "scale_by_learning_rate(eta)"]``."""
    inner = composition
    if inner.startswith("chain(") and inner.endswith(")"):
        inner = inner[len("chain(") : -1]
    blocks, depth, current = [], 0, ""
    for char in inner:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            blocks.append(current.strip())
            current = ""
        else:
            current += char
    blocks.append(current.strip())
    return blocks


_SHORT = {"scale_by_learning_rate": "−η", "add_decayed_weights": "+λx"}


def _display(block: str) -> str:
    """A block as drawn: its name (a symbol for the common ones), and a ``True`` flag if any."""
    name = block.split("(")[0]
    flags = [
        arg.split("=")[0].strip() for arg in block.split(",") if arg.strip().endswith("=True)")
    ]
    return _SHORT.get(name, name + (f"({flags[0]})" if flags else ""))


@register("intro_family.svg")
def family() -> Figure:
    """The optimizers of the book as a family tree; each node shows its chain of blocks."""
    fig, ax = plotting.new_figure(figsize=(9.0, 4.8))
    boxes = {}
    with plotting.style():
        for member in FAMILY:
            blocks = " → ".join(_display(b) for b in composition_blocks(member.composition))
            boxes[member.name] = ax.text(
                2.65 * member.column,
                1.25 * member.row,
                rf"$\mathbf{{{member.name.replace(' ', '~')}}}$ ({member.reference[-5:-1]})"
                f"\n{member.adds}\n{blocks}",
                ha="center",
                va="center",
                fontsize=8.5,
                linespacing=1.45,
                bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": member.color, "lw": 1.4},
            )
        for parent, child in LINEAGE:
            ax.annotate(
                "",
                xy=boxes[child].get_position(),
                xytext=boxes[parent].get_position(),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "0.55",
                    "lw": 0.9,
                    "patchA": boxes[parent].get_bbox_patch(),
                    "patchB": boxes[child].get_bbox_patch(),
                    "shrinkA": 3,
                    "shrinkB": 3,
                },
            )
        ax.set_xlim(-1.45, 12.05)
        ax.set_ylim(-1.8, 3.1)
        ax.axis("off")
    return fig
