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

from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gdbook import plotting
from gdbook.adam import adam
from gdbook.base import Array, Optimizer, Trajectory, run
from gdbook.figures import register
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import momentum
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.problems import Quadratic, quadratic
from gdbook.widgets import Explorer, register_widget, slider

HERO_KAPPA = 50.0  # condition number of the hero valley
HERO_ANGLE = -np.pi * 25 / 180  # the flat direction points 25 degrees below the x1 axis
HERO_START = np.array([-2.0, 0.6])  # up the steep wall, far down the floor
HERO_STEPS = 300  # updates in every hero run
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
    """The three learning rates: :data:`HERO_RATES` (GD and momentum over L = kappa), times ``scale``."""
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
    """Every hero method from :data:`HERO_START` for ``num_steps`` updates."""
    problem = hero_problem(kappa)
    return {
        name: run(opt, problem.grad, HERO_START, num_steps, record_states=False)
        for name, opt in hero_optimizers(kappa, scale, beta).items()
    }


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


def _valley_axes(ax: Axes, title: str) -> list[Any]:
    """Empty level-set lines, the minimum, limits and labels; returns the level lines."""
    lines = [ax.plot([], [], color="0.7", lw=0.6)[0] for _ in LEVELS]
    ax.plot(0, 0, marker="*", color=PALETTE["black"], markersize=8)
    ax.set_xlim(*XLIM)
    ax.set_ylim(*YLIM)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_title(title)
    return lines


def _hero_layout(figsize: tuple[float, float]) -> tuple[Figure, dict[str, Axes]]:
    import matplotlib.pyplot as plt

    with plotting.style():
        fig = plt.figure(figsize=figsize, layout="constrained")
        axes = fig.subplot_mosaic([["gd", "momentum", "adam"], ["loss", "loss", "loss"]])
    return fig, axes


class _HeroArtists(NamedTuple):
    levels: dict[str, list[Any]]
    paths: dict[str, Any]
    losses: dict[str, Any]
    arrivals: dict[str, Any]
    notes: dict[str, Any]


def _hero_artists(axes: dict[str, Axes]) -> _HeroArtists:
    """Every artist the hero picture updates, created empty."""
    levels, paths, losses, arrivals, notes = {}, {}, {}, {}, {}
    loss_ax = axes["loss"]
    with plotting.style():
        for name in METHODS:
            ax, color = axes[name], METHOD_COLORS[name]
            levels[name] = _valley_axes(ax, LABELS[name])
            (paths[name],) = ax.plot([], [], "o-", color=color, lw=1.0, ms=2.2)
            ax.plot(*HERO_START, "s", color=color, ms=5)
            notes[name] = ax.text(0.03, 0.04, "", transform=ax.transAxes, fontsize=8, color=color)
            (losses[name],) = loss_ax.semilogy([], [], color=color, label=LABELS[name])
            (arrivals[name],) = loss_ax.plot([], [], "o", color=color, ms=5)
        axes["gd"].set_ylabel("$x_2$")
        loss_ax.axhline(HERO_TOL, color="0.5", lw=0.8, ls="--")
        loss_ax.text(HERO_STEPS, HERO_TOL, " tolerance", va="center", ha="left", color="0.4")
        loss_ax.set_xlim(0, HERO_STEPS)
        loss_ax.set_ylim(*LOSS_YLIM)
        loss_ax.set_xlabel("step $k$")
        loss_ax.set_ylabel(r"$f(x_k) - f^\star$")
        loss_ax.legend(loc="upper right")
    return _HeroArtists(levels, paths, losses, arrivals, notes)


def _draw_hero(
    artists: _HeroArtists, kappa: float, scale: float, beta: float
) -> dict[str, Any]:
    """Recompute the three runs and update every artist; return what was computed."""
    problem = hero_problem(kappa)
    curves = _ellipses(problem)
    runs = hero_runs(kappa, scale, beta)
    rates = hero_learning_rates(kappa, scale)
    state: dict[str, Any] = {"kappa": kappa, "scale": scale, "beta": beta}
    for name, traj in runs.items():
        for line, curve in zip(artists.levels[name], curves, strict=True):
            line.set_data(curve[:, 0], curve[:, 1])
        shown = traj.params[: HERO_PATH_STEPS + 1]
        artists.paths[name].set_data(shown[:, 0], shown[:, 1])
        loss = excess_loss(problem, traj)
        artists.losses[name].set_data(np.arange(loss.size), loss)
        arrived = steps_to_tolerance(loss)
        point = ([arrived], [loss[arrived]]) if arrived >= 0 else ([], [])
        artists.arrivals[name].set_data(*point)
        diverged = int(traj.diverged_at)
        if diverged >= 0:
            note = f"diverged at step {diverged}"
        elif arrived >= 0:
            note = f"tolerance at step {arrived}"
        else:
            note = f"not at tolerance after {HERO_STEPS} steps"
        artists.notes[name].set_text(rf"$\eta = {rates[name]:.3g}$: {note}")
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
    fig, axes = _hero_layout((9.0, 5.6))
    artists = _hero_artists(axes)
    _draw_hero(artists, HERO_KAPPA, 1.0, HERO_BETA)
    return fig


@register_widget("intro_hero")
def hero_explorer() -> Explorer:
    """The hero with sliders: a common learning-rate scale, momentum's beta, the valley's kappa."""
    fig, axes = _hero_layout((9.0, 5.6))
    artists = _hero_artists(axes)
    controls = {
        "scale": slider("learning-rate scale", 1.0, -1.0, 0.5, 0.05, log=True),
        "beta": slider("momentum β", HERO_BETA, 0.0, 0.98, 0.02),
        "kappa": slider("condition number κ", HERO_KAPPA, 0.7, 2.7, 0.05, log=True),
    }

    def draw(scale: float, beta: float, kappa: float) -> dict[str, Any]:
        return _draw_hero(artists, kappa, scale, beta)

    return Explorer(figure=fig, controls=controls, draw=draw)


# --------------------------------------------------------------------------------------
# The family tree
# --------------------------------------------------------------------------------------


class Member(NamedTuple):
    """One optimizer of the book: where it sits in the tree and how the package builds it."""

    name: str
    year: int
    reference: str  # "Author (Year)"
    composition: str  # the chain of gdbook blocks, as Python source
    column: int  # position in the drawing
    row: float
    color: str


FAMILY: tuple[Member, ...] = (
    Member(
        "gradient descent",
        1847,
        "Cauchy (1847)",
        "scale_by_learning_rate(eta)",
        0,
        1.5,
        METHOD_COLORS["gd"],
    ),
    Member(
        "momentum",
        1964,
        "Polyak (1964)",
        "chain(trace(beta), scale_by_learning_rate(eta))",
        1,
        3.0,
        METHOD_COLORS["momentum"],
    ),
    Member(
        "Nesterov",
        1983,
        "Nesterov (1983)",
        "chain(trace(beta, nesterov=True), scale_by_learning_rate(eta))",
        2,
        3.0,
        METHOD_COLORS["nesterov"],
    ),
    Member(
        "Adagrad",
        2011,
        "Duchi et al. (2011)",
        "chain(scale_by_adagrad(eps), scale_by_learning_rate(eta))",
        1,
        0.0,
        METHOD_COLORS["adagrad"],
    ),
    Member(
        "RMSProp",
        2012,
        "Tieleman & Hinton (2012)",
        "chain(scale_by_rms(decay, eps), scale_by_learning_rate(eta))",
        2,
        0.0,
        METHOD_COLORS["rmsprop"],
    ),
    Member(
        "Adadelta",
        2012,
        "Zeiler (2012)",
        "chain(scale_by_adadelta(rho, eps), scale_by_learning_rate(eta))",
        3,
        -0.9,
        METHOD_COLORS["rmsprop"],
    ),
    Member(
        "Adam",
        2015,
        "Kingma & Ba (2015)",
        "chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(eta))",
        3,
        1.5,
        METHOD_COLORS["adam"],
    ),
    Member(
        "NAdam",
        2016,
        "Dozat (2016)",
        "chain(scale_by_nadam(b1, b2, eps), scale_by_learning_rate(eta))",
        4,
        3.0,
        METHOD_COLORS["adam"],
    ),
    Member(
        "AMSGrad",
        2018,
        "Reddi et al. (2018)",
        "chain(scale_by_amsgrad(b1, b2, eps), scale_by_learning_rate(eta))",
        4,
        1.5,
        METHOD_COLORS["adam"],
    ),
    Member(
        "AdamW",
        2019,
        "Loshchilov & Hutter (2019)",
        "chain(scale_by_adam(b1, b2, eps), add_decayed_weights(wd), scale_by_learning_rate(eta))",
        4,
        0.0,
        METHOD_COLORS["adam"],
    ),
)
"""Every optimizer the book builds, oldest first, with its composition of blocks."""

LINEAGE: tuple[tuple[str, str, str], ...] = (
    ("gradient descent", "momentum", "remember past gradients"),
    ("momentum", "Nesterov", "look ahead"),
    ("gradient descent", "Adagrad", "one rate per coordinate"),
    ("Adagrad", "RMSProp", "forget old gradients"),
    ("RMSProp", "Adadelta", "match the units"),
    ("momentum", "Adam", ""),
    ("RMSProp", "Adam", "both, bias-corrected"),
    ("Adam", "NAdam", "look ahead"),
    ("Adam", "AMSGrad", "never grow the step"),
    ("Adam", "AdamW", "decouple weight decay"),
)
"""Edges (parent, child, what the child adds) of the family tree."""


def _short(composition: str) -> str:
    """The composition without ``chain(...)`` and hyperparameters: blocks joined by arrows."""
    inner = composition.removeprefix("chain(").removesuffix(")") if "chain(" in composition else composition
    blocks, depth, current = [], 0, ""
    for char in inner:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            blocks.append(current.strip())
            current = ""
        else:
            current += char
    blocks.append(current.strip())
    return " → ".join(block.split("(")[0] for block in blocks)


@register("intro_family.svg")
def family() -> Figure:
    """The optimizers of the book as a family tree, each node with its composition of blocks."""
    fig, ax = plotting.new_figure(figsize=(9.6, 4.6))
    where = {m.name: (2.4 * m.column, m.row) for m in FAMILY}
    with plotting.style():
        for parent, child, what in LINEAGE:
            (x0, y0), (x1, y1) = where[parent], where[child]
            ax.annotate(
                "",
                xy=(x1 - 0.62, y1),
                xytext=(x0 + 0.62, y0),
                arrowprops={"arrowstyle": "-|>", "color": "0.55", "lw": 0.9},
            )
            if what:
                ax.text(
                    (x0 + x1) / 2, (y0 + y1) / 2 + 0.18, what, ha="center", fontsize=7, color="0.35"
                )
        for member in FAMILY:
            x, y = where[member.name]
            ax.text(
                x,
                y,
                f"{member.name}\n{member.reference}",
                ha="center",
                va="center",
                fontsize=8.5,
                bbox={"boxstyle": "round,pad=0.35", "fc": "white", "ec": member.color, "lw": 1.4},
            )
            ax.text(
                x, y - 0.55, _short(member.composition), ha="center", va="top", fontsize=6.5, color="0.3"
            )
        ax.set_xlim(-1.2, 2.4 * 4 + 1.2)
        ax.set_ylim(-1.8, 3.7)
        ax.axis("off")
    return fig
