r"""Figures and the explorer of the chapter *Adam*.

Every picture is drawn from the experiments and closed forms of :mod:`gdbook.adam`; the
settings come from :mod:`gdbook.examples` (the hero valley) and from the chapter module's
constants. Symbols: :math:`\eta` learning rate (Kingma & Ba's :math:`\alpha`),
:math:`\beta_1, \beta_2` the decay rates, :math:`m_t, v_t` the moments,
:math:`\hat m_t, \hat v_t` the corrected moments, :math:`t` the update counter.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import ipywidgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gdbook import adam as lib
from gdbook import plotting
from gdbook.examples import HERO
from gdbook.figures import register
from gdbook.intro import excess_loss
from gdbook.measure import first_step_below
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.widgets import Explorer, freeze, register_widget, slider

WIDTH = 6.9  # inches: the text column
B2_COLORS = {0.99: PALETTE["sky"], 0.999: PALETTE["blue"], 0.9999: PALETTE["vermillion"]}
HERO_XLIM = (-2.3, 0.6)
HERO_YLIM = (-0.45, 1.2)
HERO_LEVELS = 0.01 * 4.0 ** np.arange(6.0)


def _log_spaced(num_steps: int, points: int = 300) -> Any:
    """Indices 0 .. num_steps - 1, dense at the start and sparse later (for log-x plots)."""
    return np.unique(np.geomspace(1, num_steps, points).astype(int)) - 1


def _hero_valley(ax: Axes) -> None:
    """The hero valley's level sets and minimum, equal axes, no ticks."""
    problem = HERO.problem()
    for curve in plotting.level_sets(problem, HERO_LEVELS):
        ax.plot(curve[:, 0], curve[:, 1], color="0.75", lw=0.6)
    assert problem.x_star is not None
    ax.plot(*problem.x_star, marker="*", color=PALETTE["black"], ms=9)
    ax.set_xlim(*HERO_XLIM)
    ax.set_ylim(*HERO_YLIM)
    ax.set_aspect("equal")
    ax.axis("off")  # a picture of the valley: its coordinates carry no message


# --------------------------------------------------------------------------------------
# The bias and which way it pushes
# --------------------------------------------------------------------------------------


@register("adam_bias.svg")
def bias() -> Figure:
    """The moments start low, so without correction the steps start long."""
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(WIDTH, 3.0))
    runs = lib.constant_gradient_runs()
    shown = _log_spaced(lib.BIAS_STEPS)
    steps = shown + 1
    left.semilogx(
        steps, runs["mu"][shown], color=PALETTE["orange"], label=r"$m_t/g$ ($\beta_1 = 0.9$)"
    )
    left.semilogx(
        steps, runs["nu"][shown], color=PALETTE["blue"], label=r"$v_t/g^2$ ($\beta_2 = 0.999$)"
    )
    left.axhline(1.0, color=PALETTE["black"], lw=0.8, ls=":", label=r"$\hat m_t/g = \hat v_t/g^2$")
    left.set_xlabel("update $t$")
    left.set_ylabel("moment / its target")
    left.set_title("constant gradient $g$: the EMAs start at 0", fontsize=9)
    left.legend(fontsize=8.5, loc="center right")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlim(1, lib.BIAS_STEPS)
    right.set_ylim(0.8, 150.0)
    no_momentum = lib.constant_gradient_runs(0.0)["uncorrected"]
    for i, b2 in enumerate(lib.BIAS_B2):
        color = B2_COLORS[b2]
        right.plot(steps, runs["uncorrected"][shown, i], color=color, label=rf"$\beta_2 = {b2:g}$")
        right.plot(steps, no_momentum[shown, i], color=color, ls="--")
    right.plot([], [], color="0.4", ls="--", label=r"$\beta_1 = 0$")
    right.axhline(1.0, color=PALETTE["black"], lw=1.0, label="with correction")
    right.set_xlabel("update $t$")
    right.set_ylabel(r"step $/\ \eta$ without correction")
    right.set_title(r"uncorrected steps: too long ($\beta_1 = 0.9$ solid)", fontsize=9)
    right.legend(fontsize=8.5, loc="upper right")
    plotting.label_panels([left, right])
    return fig


@register("adam_ablation.svg")
def ablation() -> Figure:
    """After Kingma & Ba's Fig. 4: loss against learning rate, with and without correction."""
    result = lib.bias_ablation()
    fig, axes = plotting.new_figure(ncols=2, nrows=2, figsize=(WIDTH, 5.4), sharex=True)
    rates = result.learning_rates
    for row, b1 in enumerate(lib.ABLATION_B1):
        for col, step in enumerate(result.steps):
            ax = axes[row, col]
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_ylim(3e-3, 1e2)
            for j, b2 in enumerate(lib.ABLATION_B2):
                for corrected, style in ((0, "-"), (1, "--")):
                    loss = result.losses[corrected, row, j, :, :, col]  # (rates, seeds)
                    low, high = loss.min(axis=1), loss.max(axis=1)
                    median = np.median(loss, axis=1)
                    color = B2_COLORS[b2]
                    ax.plot(rates, plotting.within_view(ax, median), style, color=color, lw=1.3)
                    ax.fill_between(rates, low, high, color=color, alpha=0.12, lw=0)
            ax.set_title(rf"$\beta_1 = {b1:g}$, loss after {step} steps", fontsize=9)
            if row == 1:
                ax.set_xlabel(r"learning rate $\eta$")
            if col == 0:
                ax.set_ylabel(r"$f(x_t) - f^\star$")
    handles = [
        axes[0, 0].plot([], [], color=B2_COLORS[b2], label=rf"$\beta_2 = {b2:g}$")[0]
        for b2 in lib.ABLATION_B2
    ]
    handles += axes[0, 0].plot([], [], "k-", label="with correction")
    handles += axes[0, 0].plot([], [], "k--", label="without")
    fig.legend(handles=handles, loc="outside upper center", ncol=5, fontsize=8.5)
    plotting.label_panels(axes)
    return fig


# --------------------------------------------------------------------------------------
# How long can a step be?
# --------------------------------------------------------------------------------------


@register("adam_bounds.svg")
def bounds() -> Figure:
    """The largest step grows with t towards 7.27 eta; Kingma & Ba's 3.16 eta is exceeded."""
    runs = lib.bound_runs()
    shown = _log_spaced(lib.BOUND_STEPS)
    steps = shown + 1
    fig, ax = plotting.new_figure(figsize=(WIDTH, 4.4))
    ax.set_xscale("log")
    ax.plot(
        steps,
        lib.step_bound(0.9, 0.999, steps),
        color=PALETTE["black"],
        lw=2.5,
        alpha=0.35,
        label="tight bound (closed form)",
    )
    ax.plot(
        steps,
        runs["worst"][shown],
        color=PALETTE["vermillion"],
        lw=1.2,
        label=r"growing gradients $g_s \propto (\beta_2/\beta_1)^s$",
    )
    ax.plot(
        steps,
        runs["worst uncorrected"][shown],
        color=PALETTE["vermillion"],
        ls="--",
        lw=1.0,
        label="the same, without correction",
    )
    ax.plot(
        lib.SPIKE_STEPS,
        runs["spike"],
        "o",
        color=PALETTE["blue"],
        ms=3.5,
        label="one spike at step $t$ after zeros",
    )
    ax.plot(
        steps, runs["random"][shown], color="0.55", lw=0.8, label="largest of 400 random sequences"
    )
    kingma = float(lib.kingma_step_bound(0.9, 0.999))
    ax.axhline(kingma, color=PALETTE["blue"], ls=":", lw=1.0)
    ax.text(
        12.0,
        kingma + 0.12,
        r"Kingma & Ba's bound $(1-\beta_1)/\sqrt{1-\beta_2}$",
        fontsize=8.5,
        color=PALETTE["blue"],
    )
    limit = float(lib.step_bound(0.9, 0.999))
    ax.axhline(limit, color=PALETTE["black"], ls=":", lw=1.0)
    ax.text(1.2, limit + 0.1, r"limit $t \to \infty$", fontsize=8.5)
    ax.set_xlim(1, lib.BOUND_STEPS)
    ax.set_ylim(0, 8.2)
    ax.set_xlabel("update $t$")
    ax.set_ylabel(r"$|\Delta_t| / \eta$")
    ax.set_title(r"Adam's step at the defaults ($\epsilon = 0$)")
    ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    return fig


@register("adam_snr.svg")
def snr() -> Figure:
    """Adam's mean direction is the sign damped by the noise: mu / sqrt(mu^2 + sigma^2)."""
    ratios, means, errors = lib.snr_experiment()
    fig, ax = plotting.new_figure(figsize=(WIDTH, 3.0))
    grid = np.geomspace(0.02, 50.0, 200)
    ax.semilogx(
        grid,
        lib.snr_direction(grid, 1.0),
        color=PALETTE["black"],
        label=r"$\mu/\sqrt{\mu^2+\sigma^2}$",
    )
    ax.errorbar(
        ratios,
        means,
        yerr=2 * errors,
        fmt="o",
        color=PALETTE["vermillion"],
        ms=4,
        capsize=3,
        label=r"measured $\mathbb{E}[\hat m_t/\sqrt{\hat v_t}]$ ($\pm$2 s.e.)",
    )
    ax.semilogx(grid, np.ones_like(grid), color="0.5", ls=":", label="sign descent")
    ax.semilogx(grid, grid, color="0.5", ls="--", lw=0.8, label=r"$\mu/\sigma$")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(0, 1.1)
    ax.set_xlabel(r"signal-to-noise ratio $\mu/\sigma$ of the gradient")
    ax.set_ylabel("mean step / $\\eta$")
    ax.legend(fontsize=8.5, loc="lower right")
    return fig


# --------------------------------------------------------------------------------------
# The family: AMSGrad and Reddi et al.'s problem, RAdam
# --------------------------------------------------------------------------------------


@register("adam_reddi.svg")
def reddi() -> Figure:
    """On Reddi et al.'s problem Adam (beta_2 = 0.1) ends at +1; AMSGrad, larger beta_2: -1."""
    runs = lib.reddi_runs()
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 5.2))
    every = 5  # the paths are smooth after the first steps: every fifth iterate is enough
    steps = np.arange(lib.REDDI_STEPS + 1)[::every]
    b2s = lib.REDDI_SHOWN
    colors = [METHOD_COLORS["adam"], PALETTE["sky"], PALETTE["blue"], PALETTE["green"]]
    for i, (b2, color) in enumerate(zip(b2s, colors, strict=True)):
        top.plot(
            steps, runs["adam"][::every, i], color=color, lw=1.0, label=rf"Adam, $\beta_2 = {b2:g}$"
        )
    top.plot(
        steps,
        runs["amsgrad"][::every],
        color=METHOD_COLORS["amsgrad"],
        lw=1.4,
        label=rf"AMSGrad, $\beta_2 = {lib.REDDI_B2:g}$",
    )
    top.set_xlim(0, lib.REDDI_STEPS)
    top.set_ylim(-1.1, 1.1)
    top.set_xlabel("update $t$")
    top.set_ylabel("$x_t$")
    top.set_title(rf"$C = {lib.REDDI_C:g}$: the best point is $x = -1$", fontsize=9)
    top.legend(fontsize=8.5, ncol=2, loc="center right")
    grid = np.linspace(0.0, 1.0, 201)
    bottom.plot(
        grid,
        lib.reddi_drift(lib.REDDI_C, grid),
        color=PALETTE["black"],
        label="drift per period (closed form)",
    )
    bottom.plot(
        lib.REDDI_SWEEP,
        runs["sweep"],
        "o",
        color=METHOD_COLORS["adam"],
        ms=3,
        label=f"Adam's mean of its last {lib.REDDI_AVERAGE} iterates",
    )
    threshold = lib.reddi_threshold(lib.REDDI_C)
    bottom.axvline(threshold, color="0.5", ls=":", lw=1.0)
    bottom.axhline(0.0, color="0.5", lw=0.6)
    bottom.set_xlim(0, 1)
    bottom.set_ylim(-1.1, 1.1)
    bottom.set_xlabel(r"$\beta_2$")
    bottom.set_ylabel(r"$\bar x$ (points), $\delta$ (line)")
    bottom.set_title(rf"Adam fails for $\beta_2 < {threshold:.3f}$", fontsize=9)
    bottom.legend(fontsize=8.5, loc="upper right")
    plotting.label_panels([top, bottom])
    return fig


@register("adam_radam.svg")
def radam() -> Figure:
    """RAdam's r_t against the measured spread of Adam's adaptive rate."""
    measured, _ = lib.radam_spread()
    fig, ax = plotting.new_figure(figsize=(WIDTH, 3.0))
    steps = np.arange(1, 3001)
    for b2, color in ((lib.RADAM_B2, PALETTE["blue"]), (0.999, PALETTE["vermillion"])):
        ax.semilogx(
            steps, lib.radam_rectifier(b2, steps), color=color, label=rf"$r_t$, $\beta_2 = {b2:g}$"
        )
    ax.semilogx(
        lib.RADAM_SHOWN,
        measured,
        "o",
        color=PALETTE["blue"],
        ms=4,
        label=rf"measured spread ratio, $\beta_2 = {lib.RADAM_B2:g}$",
    )
    ax.set_xlim(1, steps[-1])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("update $t$")
    ax.set_ylabel(r"$\mathrm{sd}(\psi_\infty)/\mathrm{sd}(\psi_t)$")
    ax.legend(fontsize=8.5, loc="upper left")
    return fig


# --------------------------------------------------------------------------------------
# The hero valley again
# --------------------------------------------------------------------------------------


@register("adam_hero.svg")
def hero() -> Figure:
    """Adam's first steps are diagonal; its loss ripples at beta_1, then jumps at the edge."""
    traj = lib.hero_adam()
    problem = HERO.problem()
    fig, axes = plotting.new_figure(ncols=2, nrows=2, figsize=(WIDTH, 5.6), width_ratios=[1.1, 1])
    (left, right), (long_loss, sharp) = axes
    _hero_valley(left)
    color = METHOD_COLORS["adam"]
    shown = traj.params[: HERO.path_steps + 1]
    left.plot(shown[:, 0], shown[:, 1], "o-", color=color, ms=2.0, lw=0.9)
    left.plot(*HERO.start, "s", color=color, ms=5)
    descent = -problem.grad(HERO.start)
    left.annotate(
        "",
        xy=HERO.start + 0.45 * descent / np.linalg.norm(descent),
        xytext=HERO.start,
        arrowprops={"arrowstyle": "->", "color": PALETTE["orange"], "lw": 1.4},
    )
    left.text(HERO.start[0] + 0.02, HERO.start[1] + 0.4, r"$-\nabla f$", color=PALETTE["orange"])
    left.set_title(f"the first {HERO.path_steps} steps", fontsize=9)
    loss = excess_loss(problem, traj)
    steps = np.arange(loss.size)
    right.set_yscale("log")
    right.set_ylim(1e-10, 10.0)
    right.plot(steps, plotting.within_view(right, loss), color=color)
    arrived = int(first_step_below(loss, HERO.tol))
    rate, scale = lib.loss_envelope(loss, arrived)
    fitted = scale * rate ** steps[arrived:]
    right.plot(
        steps[arrived:],
        plotting.within_view(right, fitted, line=True),
        "--",
        color=PALETTE["orange"],
        label=rf"fit $\propto {rate:.3f}^{{\,t}}$",
    )
    right.axhline(HERO.tol, color="0.5", ls=":", lw=0.8)
    right.set_xlim(0, steps[-1])
    right.set_xlabel("update $t$")
    right.set_ylabel(r"$f(x_t) - f^\star$")
    right.legend(fontsize=8.5)
    _hero_long(long_loss, sharp)
    plotting.label_panels([left, right, long_loss, sharp])
    return fig


def _hero_long(loss_ax: Axes, sharp_ax: Axes) -> None:
    """The long run: the loss, and the preconditioned sharpness against 38 = (2+2b1)/(1-b1)."""
    loss, sharpness = lib.hero_long_run()
    color = METHOD_COLORS["adam"]
    every = 10  # 2000 points per curve are plenty at this width
    steps = np.arange(loss.size)[::every]
    loss_ax.set_yscale("log")
    loss_ax.set_ylim(1e-160, 1e3)
    # still several points to a pixel of a panel half the column wide: keep the envelope
    shown = plotting.within_view(loss_ax, loss[::every])
    kept = plotting.envelope_thinned(steps, shown, bins=plotting.COLUMN_PX // 2)
    loss_ax.plot(steps[kept], shown[kept], color=color, lw=0.8)
    loss_ax.set_xlim(0, lib.HERO_LONG_STEPS)
    loss_ax.set_yticks([1e-150, 1e-100, 1e-50, 1.0])
    loss_ax.set_xlabel("update $t$")
    loss_ax.set_ylabel(r"$f(x_t) - f^\star$")
    loss_ax.set_title(f"{lib.HERO_LONG_STEPS} updates", fontsize=9)
    updates, sharp = np.arange(1, sharpness.size + 1)[::every], sharpness[::every]
    kept = plotting.envelope_thinned(updates, sharp, bins=plotting.COLUMN_PX // 2)
    sharp_ax.plot(updates[kept], sharp[kept], color=color, lw=0.8)
    edge = float(lib.edge_of_stability(0.9))
    sharp_ax.axhline(edge, color=PALETTE["vermillion"], ls="--", lw=1.0)
    sharp_ax.text(7000, edge + 5.0, r"$(2+2\beta_1)/(1-\beta_1)$", color=PALETTE["vermillion"])
    sharp_ax.set_xlim(0, lib.HERO_LONG_STEPS)
    sharp_ax.set_ylim(0, 50)
    sharp_ax.set_xlabel("update $t$")
    sharp_ax.set_ylabel(r"$\lambda_{\max}(P^{1/2}AP^{1/2})$")
    sharp_ax.set_title("preconditioned sharpness", fontsize=9)


# --------------------------------------------------------------------------------------
# The explorer: Adam's internals, step by step
# --------------------------------------------------------------------------------------

QUANTITIES = ("g_t", "m_t", "v_t", "m̂_t", "v̂_t", "Δx/η")
BAR_LIMIT = 4.0  # the bars are drawn up to this many eta; longer steps are labelled


class _ExplorerArtists(NamedTuple):
    path: Any
    done: Any
    current: Any
    arrow: Any
    table: Any
    bars: Any
    labels: list[Any]
    title: Any


def _explorer_artists(left: Axes, right: Axes) -> _ExplorerArtists:
    color = METHOD_COLORS["adam"]
    _hero_valley(left)
    left.plot(*HERO.start, "s", color=color, ms=5)
    (path,) = left.plot([], [], "o-", color="0.6", ms=1.8, lw=0.7)
    (done,) = left.plot([], [], "o-", color=color, ms=2.2, lw=1.0)
    (current,) = left.plot([], [], "o", color=PALETTE["vermillion"], ms=6)
    (arrow,) = left.plot([], [], "-", color=PALETTE["vermillion"], lw=2.0)
    right.set_xlim(-0.5, 1.5)
    right.set_ylim(-BAR_LIMIT, BAR_LIMIT)
    right.set_xticks([0, 1], ["$x_1$", "$x_2$"])
    right.set_ylabel(r"step $\Delta x_i/\eta$")
    right.axhline(0.0, color="0.5", lw=0.6)
    for level in (-1.0, 1.0):
        right.axhline(level, color="0.5", lw=0.6, ls=":")
    colors = [PALETTE["blue"], PALETTE["orange"]]
    bars = right.bar([0, 1], [0.0, 0.0], width=0.5, color=colors, zorder=2.5)  # over the lines
    labels = [right.text(i, 0.0, "", ha="center", va="bottom", fontsize=8.5) for i in (0, 1)]
    table = left.text(
        0.02,
        0.02,
        "",
        transform=left.transAxes,
        fontsize=8.5,
        family="monospace",
        va="bottom",
        bbox={"fc": "white", "ec": "0.8", "alpha": 0.9},
    )
    title = right.text(
        0.5, 1.01, "", transform=right.transAxes, ha="center", va="bottom", fontsize=9
    )
    return _ExplorerArtists(path, done, current, arrow, table, bars, labels, title)


def _table(values: lib.Internals) -> str:
    """The quantities of one update as a table with one column per coordinate."""
    lines = [f"{'':>5} {'x1':>9} {'x2':>9}"]
    columns = (
        values.grads,
        values.mu,
        values.nu,
        values.mu_hat,
        values.nu_hat,
        values.step / HERO.rates["adam"],
    )
    for name, column in zip(QUANTITIES, columns, strict=True):
        lines.append(f"{name:>5} {column[0]:9.4g} {column[1]:9.4g}")
    return "\n".join(lines)


def _draw_internals(
    artists: _ExplorerArtists, step: int, b1: float, b2: float, bias_correction: bool
) -> dict[str, Any]:
    traj = lib.explorer_run(b1, b2, bias_correction)
    values = lib.internals(traj, step, b1, b2, bias_correction)
    points = traj.params
    artists.path.set_data(points[:, 0], points[:, 1])
    artists.done.set_data(points[: step + 1, 0], points[: step + 1, 1])
    artists.current.set_data([points[step, 0]], [points[step, 1]])
    artists.arrow.set_data(points[step - 1 : step + 1, 0], points[step - 1 : step + 1, 1])
    artists.table.set_text(_table(values))
    relative = values.step / HERO.rates["adam"]
    for bar, label, value, i in zip(artists.bars, artists.labels, relative, (0, 1), strict=True):
        shown = float(np.clip(value, -BAR_LIMIT, BAR_LIMIT))
        bar.set_height(shown)
        label.set_position((i, shown if shown >= 0 else shown - 0.45))
        label.set_text(f"{value:.3g}")
    state = "with" if bias_correction else "without"
    artists.title.set_text(f"update {step}, {state} correction")
    return {
        "step": step,
        "b1": b1,
        "b2": b2,
        "bias_correction": bias_correction,
        "internals": values._asdict(),
    }


@register_widget("adam_internals")
def internals_explorer() -> Explorer:
    """Step through Adam's first updates on the hero valley: g, m, v, m_hat, v_hat and the step."""
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(WIDTH, 3.3), width_ratios=[1.6, 1])
    artists = _explorer_artists(left, right)
    controls = {
        "step": ipywidgets.IntSlider(
            value=1, min=1, max=lib.EXPLORER_STEPS, description="update t", continuous_update=False
        ),
        "b1": slider("β₁", 0.9, 0.0, 0.99, 0.01),
        "b2": ipywidgets.Dropdown(
            options=[0.9, 0.99, 0.999, 0.9999], value=0.999, description="β₂"
        ),
        "bias_correction": ipywidgets.Checkbox(value=True, description="bias correction"),
    }

    def draw(step: int, b1: float, b2: float, bias_correction: bool) -> dict[str, Any]:
        return _draw_internals(artists, step, b1, b2, bias_correction)

    dynamic = [
        artists.path,
        artists.done,
        artists.current,
        artists.arrow,
        artists.table,
        *artists.bars,
        *artists.labels,
        artists.title,
    ]
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


@register("adam_explorer.svg")
def explorer_default() -> Figure:
    """The explorer's picture at its default controls (the static stand-in for the widget)."""
    return internals_explorer().figure
