r"""Figures and the explorer of the landing page (``chapters/intro.md``).

The hero: gradient descent, momentum and Adam on :data:`~gdbook.examples.HERO`, run by
:func:`gdbook.intro.hero_runs`. The family tree: every optimizer of
:data:`gdbook.catalog.CATALOG` with the blocks its factory is built from
(``Optimizer.blocks``) and the lineage of its ``parents``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gdbook import plotting
from gdbook.catalog import CATALOG, family
from gdbook.examples import HERO
from gdbook.figures import register
from gdbook.intro import METHODS, excess_loss, hero_runs
from gdbook.measure import first_step_below
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.widgets import Explorer, freeze, register_widget, slider

LABELS = {"gd": "gradient descent", "momentum": "momentum", "adam": "Adam"}
XLIM = (-2.4, 0.7)
YLIM = (-0.5, 1.35)
LEVELS = 0.01 * 4.0 ** np.arange(6.0)  # f values of the drawn level sets
LOSS_YLIM = (1e-9, 1e3)


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
    fig = plotting.figure(figsize=figsize)
    with plotting.style():
        axes = fig.subplot_mosaic(
            [["gd", "momentum", "adam"], ["loss", "loss", "loss"]], height_ratios=[0.6, 1.0]
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
            ax.plot(*HERO.start, "s", color=color, ms=5, zorder=1.9)  # under the path
            notes[name] = ax.text(0.03, 0.04, "", transform=ax.transAxes, fontsize=9, color=color)
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
        loss_ax.axhline(np.log10(HERO.tol), color="0.5", lw=0.8, ls="--", zorder=1.9)
        loss_ax.set_xlim(0, HERO.num_steps)
        loss_ax.set_xticks(np.linspace(0, HERO.num_steps, 5))
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
    problem = HERO.problem(kappa)
    gap = np.full((1, 2), np.nan)  # one line for all level sets: fewer artists to draw
    levels = np.concatenate(
        [part for curve in plotting.level_sets(problem, LEVELS) for part in (curve, gap)]
    )
    runs = hero_runs(kappa, scale, beta)
    rates = HERO.learning_rates(kappa, scale)
    state: dict[str, Any] = {"kappa": kappa, "scale": scale, "beta": beta}
    for name, traj in runs.items():
        artists.levels[name].set_data(levels[:, 0], levels[:, 1])
        shown = traj.params[: HERO.path_steps + 1]
        artists.paths[name].set_data(shown[:, 0], shown[:, 1])
        loss = excess_loss(problem, traj)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_loss = np.log10(loss)  # -inf at an exact zero is simply not drawn
        artists.losses[name].set_data(np.arange(loss.size), log_loss)
        arrived = int(first_step_below(loss, HERO.tol))
        point = ([arrived], [log_loss[arrived]]) if arrived >= 0 else ([], [])
        artists.arrivals[name].set_data(*point)
        # the step count next to its dot; texts are kept short because every glyph is
        # rendered again on each redraw of the explorer
        artists.labels[name].set_position((arrived, np.log10(HERO.tol) + 0.7))
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
    fig, axes = _hero_layout((6.9, 4.4))
    artists = _hero_artists(axes)
    _draw_hero(artists, HERO.kappa, 1.0, HERO.beta)
    return fig


@register_widget("intro_hero")
def hero_explorer() -> Explorer:
    """The hero with sliders: a common learning-rate scale, momentum's beta, the valley's kappa."""
    fig, axes = _hero_layout((6.9, 4.4))
    artists = _hero_artists(axes)
    controls = {
        "scale": slider("learning-rate scale", 1.0, -1.0, 0.5, 0.05, log=True),
        "beta": slider("momentum β", HERO.beta, 0.0, 0.98, 0.02),
        "kappa": slider("condition number κ", HERO.kappa, 0.7, 2.7, 0.05, log=True),
    }

    def draw(scale: float, beta: float, kappa: float) -> dict[str, Any]:
        return _draw_hero(artists, kappa, scale, beta)

    dynamic = [artist for group in artists for artist in group.values()]
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


# --------------------------------------------------------------------------------------
# The family tree
# --------------------------------------------------------------------------------------


POSITIONS: dict[str, tuple[float, float]] = {
    "gradient_descent": (1, 0),
    "momentum": (0, 1),
    "adagrad": (2, 1),
    "nesterov": (0, 2),
    "rmsprop": (2, 2),
    "adam": (1, 3),
    "adadelta": (2, 3.2),
    "nadam": (0, 4),
    "amsgrad": (2, 4.3),
    "adamax": (1, 4.8),
    "adamw": (0, 5.8),
    "radam": (2, 5.8),
}
"""Where each method of the family tree is drawn (column, row; time runs down the page)."""

_SHORT = {"scale_by_learning_rate": "−η", "add_decayed_weights": "+λx"}


def blocks_text(key: str) -> str:
    """The blocks the factory of ``key`` chains, as the family tree prints them."""
    return " → ".join(_SHORT.get(b, b) for b in CATALOG[key].build().blocks)


@register("intro_family.svg")
def family_tree() -> Figure:
    """The optimizers of the book as a family tree; each node shows its chain of blocks."""
    fig, ax = plotting.new_figure(figsize=(6.9, 8.4))
    boxes = {}
    with plotting.style():
        for method in family():
            column, row = POSITIONS[method.key]
            boxes[method.key] = ax.text(
                2.3 * column,
                -1.3 * row,
                rf"$\mathbf{{{method.name.replace(' ', '~')}}}$ ({method.year})"
                f"\n{method.adds}\n{blocks_text(method.key)}",
                ha="center",
                va="center",
                fontsize=9,
                linespacing=1.45,
                bbox={
                    "boxstyle": "round,pad=0.4",
                    "fc": "white",
                    "ec": PALETTE[method.colour],
                    "lw": 1.4,
                },
            )
        for method in family():
            for parent in method.parents:
                ax.annotate(
                    "",
                    xy=boxes[method.key].get_position(),
                    xytext=boxes[parent].get_position(),
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": "0.55",
                        "lw": 0.9,
                        "patchA": boxes[parent].get_bbox_patch(),
                        "patchB": boxes[method.key].get_bbox_patch(),
                        "shrinkA": 3,
                        "shrinkB": 3,
                    },
                )
        ax.set_xlim(-1.15, 5.75)
        ax.set_ylim(-8.1, 0.6)
        ax.axis("off")
    return fig
