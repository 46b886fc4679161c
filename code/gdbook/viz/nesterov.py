r"""Figures and the explorer of the chapter *Nesterov's look-ahead*.

Every picture is drawn from runs and closed forms of :mod:`gdbook.nesterov` (and, for
the heavy ball beside it, :mod:`gdbook.momentum`); nothing is placed by hand. Symbols:
:math:`\eta` learning rate, :math:`\beta` momentum, :math:`\theta_k` the iterate,
:math:`\Theta_k` the look-ahead point, :math:`\mu, L` the ends of the spectrum.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from gdbook import momentum as hb
from gdbook import nesterov as nag
from gdbook import plotting
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.figures import register
from gdbook.plotting import METHOD_COLORS, PALETTE, within_view
from gdbook.types import Array
from gdbook.widgets import Explorer, freeze, register_widget, slider

WIDTH = 6.9  # inches: the text column
MAP_LEARNING_RATES: Array = np.linspace(0.01, 4.0, 200)
MAP_BETAS: Array = np.linspace(0.0, 0.995, 200)
COLORS = {
    "gradient descent": METHOD_COLORS["gd"],
    "heavy ball": METHOD_COLORS["momentum"],
    "Nesterov": METHOD_COLORS["nesterov"],
    "Nesterov, 1/L": METHOD_COLORS["nesterov"],
    "Nesterov, tuned": METHOD_COLORS["nesterov"],
}


def _rate_cmap() -> ListedColormap:
    """Viridis, reversed so that fast (small rate) is bright (as in the momentum chapter)."""
    import matplotlib as mpl

    return ListedColormap(mpl.colormaps["viridis_r"](np.linspace(0, 1, 256)), name="rate")


def _draw_rate_map(ax: Axes, rates: Array) -> Any:
    """The rate in [0, 1) in colour, divergence in light grey, a few contour lines."""
    extent = (MAP_LEARNING_RATES[0], MAP_LEARNING_RATES[-1], MAP_BETAS[0], MAP_BETAS[-1])
    image = ax.imshow(
        np.ma.masked_where(rates >= 1.0, rates),
        origin="lower",
        extent=extent,
        aspect="auto",
        cmap=_rate_cmap(),
        vmin=0.0,
        vmax=1.0,
    )
    ax.set_facecolor("#DDDDDD")
    ax.contour(
        MAP_LEARNING_RATES, MAP_BETAS, rates, levels=[0.5, 0.8, 0.9], colors="white", linewidths=0.5
    )
    ax.set_xlabel(r"learning rate $\eta$ ($L = 1$)")
    return image


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


@register("nesterov_steps.svg")
def steps() -> Figure:
    """The heavy ball's step and Nesterov's step from the same iterate and velocity."""
    pic = nag.step_picture()
    fig, axes = plotting.new_figure(ncols=2, figsize=(WIDTH, 3.9))
    theta, ahead = pic["theta"], pic["lookahead"]
    shown = np.stack([pic["path"][0], theta, ahead, pic["heavy_ball"], pic["nesterov"]])
    centre = 0.5 * (shown.min(axis=0) + shown.max(axis=0))
    half = 0.5 * float(np.max(shown.max(axis=0) - shown.min(axis=0))) + 0.2
    xlim, ylim = (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)
    arrow = {"angles": "xy", "scale_units": "xy", "scale": 1.0, "width": 0.008}
    levels = VALLEY.levels[0] * 2.0 ** np.arange(-3.0, 8.0, 0.5)
    panels = [
        ("heavy_ball", theta, r"heavy ball: gradient at $\theta_k$"),
        ("nesterov", ahead, r"Nesterov: gradient at $\theta_k - \beta v_k$"),
    ]
    for ax, (key, where, title) in zip(axes, panels, strict=True):
        plotting.valley_axes(ax, VALLEY.problem(), levels, xlim, ylim, color="0.75")
        ax.plot(*pic["path"].T, color="0.45", marker="o", ms=3, lw=1, zorder=1)
        ax.quiver(*theta, *(ahead - theta), color=PALETTE["orange"], **arrow, zorder=3)
        ax.quiver(*ahead, *(pic[key] - ahead), color=PALETTE["vermillion"], **arrow, zorder=3)
        ax.plot(*where, marker="o", mfc="none", mec=PALETTE["vermillion"], ms=11, mew=1.5)
        ax.plot(*theta, marker="o", color=PALETTE["black"], ms=5, zorder=4)
        color = METHOD_COLORS["momentum" if key == "heavy_ball" else "nesterov"]
        ax.plot(*pic[key], marker="o", color=color, ms=8, zorder=4)
        ax.set_title(title)
    axes[1].set_ylabel("")
    handles = [
        axes[0].plot([], [], color=PALETTE["orange"], lw=2)[0],
        axes[0].plot([], [], color=PALETTE["vermillion"], lw=2)[0],
        axes[0].plot([], [], ls="none", marker="o", mfc="none", mec=PALETTE["vermillion"])[0],
    ]
    labels = [r"momentum $-\beta v_k$", r"gradient step $-\eta\nabla f$", "where it is taken"]
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    plotting.label_panels(axes)
    return fig


@register("nesterov_rate_map.svg")
def rate_maps() -> Figure:
    """The rate over (eta, beta) on the valley's spectrum: heavy ball and Nesterov."""
    eta, beta = MAP_LEARNING_RATES[None, :], MAP_BETAS[:, None]
    maps = {
        "heavy ball": hb.heavy_ball_rate_on_spectrum(eta, beta, nag.MU, nag.L),
        "Nesterov": nag.nesterov_rate_on_spectrum(eta, beta, nag.MU, nag.L),
    }
    limits = {
        "heavy ball": 2.0 + 2.0 * MAP_BETAS,
        "Nesterov": nag.stability_limit(np.minimum(MAP_BETAS, 0.999)),
    }
    fig, axes = plotting.new_figure(ncols=2, figsize=(WIDTH, 3.3), sharey=True)
    for ax, (name, rates) in zip(axes, maps.items(), strict=True):
        image = _draw_rate_map(ax, rates)
        shown = limits[name] <= MAP_LEARNING_RATES[-1]
        ax.plot(limits[name][shown], MAP_BETAS[shown], color=PALETTE["black"], lw=1.3)
        ax.set_xlim(MAP_LEARNING_RATES[0], MAP_LEARNING_RATES[-1])
    tuned = hb.optimal_heavy_ball(nag.MU, nag.L)
    axes[0].plot(tuned.learning_rate, tuned.beta, marker="*", color=PALETTE["vermillion"], ms=11)
    standard, lessard = nag.standard_tuning(nag.MU, nag.L), nag.lessard_tuning(nag.MU, nag.L)
    for pair, marker in [(standard, "o"), (lessard, "*")]:
        axes[1].plot(
            pair.learning_rate, pair.beta, marker=marker, color=PALETTE["vermillion"], ms=9
        )
    axes[0].set_ylabel(r"momentum $\beta$")
    axes[0].set_title(f"heavy ball: best {float(tuned.rate):.3f} (star)")
    axes[1].set_title(
        f"Nesterov: best {float(lessard.rate):.3f} (star), 1/L {float(standard.rate):.3f} (dot)"
    )
    axes[0].text(2.75, 0.1, "divergent:\n" + r"$\eta L > 2+2\beta$", fontsize=9)
    axes[1].text(2.1, 0.45, "divergent:\n" + r"$\eta L > \frac{2+2\beta}{1+2\beta}$", fontsize=9)
    axes[1].annotate(
        "Lessard et al.", (float(lessard.learning_rate), float(lessard.beta)), xytext=(1.9, 0.2),
        fontsize=9, arrowprops={"arrowstyle": "->"},
    )  # fmt: skip
    axes[1].annotate(
        "1/L", (float(standard.learning_rate), float(standard.beta)), xytext=(0.25, 0.9),
        fontsize=9, color="white", arrowprops={"arrowstyle": "->", "color": "white"},
    )  # fmt: skip
    fig.colorbar(image, ax=axes, label=r"rate $\rho$ on $[\mu, L]$", shrink=0.9)
    plotting.label_panels(axes)
    return fig


@register("nesterov_rates.svg")
def rates() -> Figure:
    """Errors on diag(1, 100) with the predicted rates; the convex Rosenbrock and its bound."""
    comparison = nag.rate_comparison()
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.0))
    floor = 1e-12
    top.set_yscale("log")
    top.set_ylim(floor, 3.0)
    styles = {"Nesterov, tuned": "-."}
    shown = 300  # steps drawn
    for name, (predicted, _, _, all_errors) in comparison.items():
        errors = all_errors[: shown + 1]
        steps = np.arange(errors.size)
        color, style = COLORS[name], styles.get(name, "-")
        label = f"{name}: {predicted:.3f}"
        top.semilogy(steps, within_view(top, errors), color=color, ls=style, label=label)
        line = errors[0] * predicted**steps
        top.semilogy(steps, within_view(top, line, line=True), color=color, ls=":", lw=1.0)
    top.set_xlim(0, shown)
    top.set_xlabel("step $k$")
    top.set_ylabel(r"$\|x_k - x^\star\|$")
    top.set_title(rf"diag(1, {nag.RATE_KAPPA:g}): measured and (dotted) predicted rates")
    top.legend(fontsize=9, loc="upper right")
    rosen = nag.rosenbrock_comparison()
    steps = np.arange(rosen["bound"].size)
    bottom.semilogy(steps, rosen["bound"], color=PALETTE["black"], lw=2.5, label="lower bound")
    for name in ("heavy ball", "Nesterov"):
        bottom.semilogy(steps, rosen[name], color=COLORS[name], label=name)
    bottom.set_xlim(0, steps[-1])
    bottom.set_xlabel("step $k$")
    bottom.set_ylabel(r"$\|w_k - w^\star\|$")
    bottom.set_title(
        rf"convex Rosenbrock ($n = {nag.ROSENBROCK_N}$, $\kappa = {nag.ROSENBROCK_KAPPA:g}$)"
    )
    bottom.legend(fontsize=9)
    plotting.label_panels([top, bottom])
    return fig


@register("nesterov_convex.svg")
def convex() -> Figure:
    """The loss on log-log axes: 1/k for GD and constant momentum, 1/k^2 with the schedules."""
    runs = nag.convex_runs()
    slopes = nag.convex_slopes()
    styles = {
        "gradient descent": (COLORS["gradient descent"], "-"),
        f"Nesterov, beta = {nag.CONVEX_CONSTANT_BETA:g}": (PALETTE["orange"], "-"),
        "heavy ball, 1 - 3/(t+5)": (COLORS["heavy ball"], ":"),
        "Nesterov, 1 - 3/(t+5)": (COLORS["Nesterov"], "-"),
        "Nesterov, FISTA": (PALETTE["teal"], "--"),
    }
    fig, ax = plotting.new_figure(figsize=(WIDTH, 4.0))
    k = np.arange(1, nag.CONVEX_STEPS + 1)
    ax.loglog(
        k, runs["bound"][1:], color=PALETTE["black"], lw=2.2, label=r"$2L\|x_0-x^\star\|^2/(k+1)^2$"
    )
    for name, (color, style) in styles.items():
        label = f"{name}: slope {slopes[name]:.2f}".replace("beta", r"$\beta$")
        label = label.replace("1 - 3/(t+5)", r"$1 - 3/(t+5)$")
        ax.loglog(k, runs[name][1:], color=color, ls=style, label=label)
    ax.axvspan(*nag.CONVEX_FIT, color="0.92", zorder=0)
    ax.set_xlim(1, nag.CONVEX_STEPS)
    ax.set_xlabel("step $k$")
    ax.set_ylabel(r"$f(\theta_k) - f^\star$")
    ax.set_title(r"curvatures filling $(0, 1]$; slopes fitted over the grey steps")
    ax.legend(fontsize=9, loc="lower left")
    return fig


def _band(ax: Axes, steps: Any, sq: Array, color: str, label: str) -> None:
    """Mean of the runs (line) and the band holding the middle 80 % of them (log axes set)."""
    low, high = np.percentile(sq, [10, 90], axis=1)
    ax.fill_between(
        steps, within_view(ax, low), within_view(ax, high), color=color, alpha=0.2, lw=0
    )
    ax.plot(steps, within_view(ax, sq.mean(axis=1)), color=color, label=label)


@register("nesterov_noise.svg")
def noise() -> Figure:
    """Noisy gradients on the valley: the look-ahead changes neither the floor nor the rate."""
    runs = nag.noise_runs()
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.2))
    floor = 1e-6
    top.set_yscale("log")
    top.set_ylim(floor, 100.0)
    shown = 150  # steps drawn: the floors are reached long before
    steps = np.arange(shown + 1)
    for name, (eta, beta) in nag.noise_methods().items():
        label = rf"{name}, $\eta = {eta:g}$" + (rf", $\beta = {beta:g}$" if beta else "")
        _band(top, steps, runs["constant"][name][: shown + 1], COLORS[name], label)
        noiseless = runs["constant, no noise"][name][: shown + 1]
        top.plot(steps, within_view(top, noiseless), color=COLORS[name], ls=":")
    top.set_xlim(0, shown)
    top.set_xlabel("step $k$")
    top.set_ylabel(r"$\|x_k - x^\star\|^2$")
    top.set_title("constant steps, equal effective rate (dotted: the same runs without noise)")
    top.legend(fontsize=9, loc="upper right")
    bottom.set_xscale("log")
    bottom.set_yscale("log")
    bottom.set_ylim(1e-3, 30.0)
    steps = np.arange(nag.NOISE_DECAY_STEPS + 1)
    slopes = nag.noise_decay_slopes()
    sampled = np.unique(np.geomspace(1, nag.NOISE_DECAY_STEPS, 150).round().astype(int))
    for name, sq in runs["decay"].items():
        slope = slopes[name]
        _band(bottom, steps[sampled], sq[sampled], COLORS[name], f"{name}: slope {slope:.2f}")
    bottom.set_xlim(1, nag.NOISE_DECAY_STEPS)
    bottom.set_xlabel("step $k$")
    bottom.set_ylabel(r"$\|x_k - x^\star\|^2$")
    bottom.set_title(
        rf"effective rate $\eta_k/(1-\beta) = {nag.NOISE_DECAY_C:g}/(k + {nag.NOISE_DECAY_T0:g})$: "
        "one rate for all three"
    )
    bottom.legend(fontsize=9, loc="lower left")
    fig.suptitle(
        rf"Noisy gradients, $\sigma = {NOISE_SIGMA:g}$; lines: means, bands: 10–90 % of the runs"
    )
    plotting.label_panels([top, bottom])
    return fig


@register("nesterov_schedules.svg")
def schedules() -> Figure:
    r"""Three momentum schedules and their step-to-step change :math:`\beta_{t+1} - \beta_t`."""
    curves = nag.schedule_curves()
    colors = [METHOD_COLORS["momentum"], METHOD_COLORS["nesterov"], METHOD_COLORS["nadam"]]
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(WIDTH, 3.5))
    steps = np.arange(1, nag.SCHEDULE_HORIZON + 1)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_ylim(1e-9, 1.0)
    styles = ["-", "-", "--"]
    for (name, beta), color, style in zip(curves.items(), colors, styles, strict=True):
        label = name.replace("1 - 3/(t+5)", r"$1 - 3/(t+5)$")
        left.semilogx(steps, beta[:-1], color=color, ls=style, label=label)
        increment = np.diff(beta)
        if name.startswith("Sutskever"):
            jumps = increment > 0
            right.loglog(steps[jumps], increment[jumps], ls="none", marker="o", ms=4, color=color)
        else:
            right.loglog(steps, within_view(right, increment), color=color, ls=style)
    left.set_xlabel("update $t$")
    left.set_ylabel(r"$\beta_t$")
    left.set_ylim(0.35, 1.0)
    fig.legend(loc="outside lower center", ncol=3)
    left.set_title(r"the momentum $\beta_t$")
    right.set_xlabel("update $t$")
    right.set_ylabel(r"$\beta_{t+1} - \beta_t$")
    right.set_title("its change per update")
    plotting.label_panels([left, right])
    return fig


# --------------------------------------------------------------------------------------
# The explorer: heavy ball against Nesterov, the look-ahead drawn at every step
# --------------------------------------------------------------------------------------

XLIM, YLIM = (-4.2, 2.2), (-3.1, 1.9)
ERROR_FLOOR = 1e-6


@register_widget("nesterov_explorer")
def nesterov_explorer() -> Explorer:
    """Sliders for eta and beta: both paths with Nesterov's look-ahead arrows, and the errors."""
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(WIDTH, 3.4))
    plotting.valley_axes(left, VALLEY.problem(), VALLEY.levels, XLIM, YLIM)
    lines = {
        name: left.plot([], [], marker="o", ms=2.5, lw=1.2, color=COLORS[name], label=name)[0]
        for name in ("heavy ball", "Nesterov")
    }
    zeros = np.zeros(nag.EXPLORER_STEPS + 1)
    arrows = left.quiver(
        zeros, zeros, zeros, zeros, angles="xy", scale_units="xy", scale=1.0,
        color=PALETTE["orange"], width=0.006, zorder=3,
    )  # fmt: skip
    left.legend(loc="lower right", fontsize=9)
    right.set_yscale("log")
    right.set_xlim(0, nag.EXPLORER_STEPS)
    right.set_ylim(ERROR_FLOOR, 1e2)
    right.set_xlabel("step $k$")
    right.set_ylabel(r"$\|\theta_k - x^\star\|$")
    curves = {
        name: right.plot([], [], color=COLORS[name], label=name)[0]
        for name in ("heavy ball", "Nesterov")
    }
    controls = {
        "learning_rate": slider(
            "learning rate η", nag.EXPLORER_DEFAULTS["learning_rate"], 0.05, 4.0, 0.01
        ),
        "beta": slider("momentum β", nag.EXPLORER_DEFAULTS["beta"], 0.0, 0.99, 0.01),
    }

    def draw(learning_rate: float, beta: float) -> dict[str, Any]:
        out = nag.explorer_runs(learning_rate, beta)
        steps = np.arange(nag.EXPLORER_STEPS + 1)
        for name, line in lines.items():
            line.set_data(out[name][:, 0], out[name][:, 1])
            error = out[f"{name} error"]
            curves[name].set_data(steps, within_view(right, error))
        theta, ahead = out["Nesterov"], out["lookahead"]
        shown = np.all(np.isfinite(theta) & np.isfinite(ahead), axis=-1)
        arrows.set_offsets(np.where(shown[:, None], theta, VALLEY.start))
        delta = np.where(shown[:, None], ahead - theta, 0.0)
        arrows.set_UVC(delta[:, 0], delta[:, 1])
        rates = {
            "heavy ball": float(hb.heavy_ball_rate_on_spectrum(learning_rate, beta, nag.MU, nag.L)),
            "Nesterov": float(nag.nesterov_rate_on_spectrum(learning_rate, beta, nag.MU, nag.L)),
        }
        left.set_title(f"η = {learning_rate:.2f}, β = {beta:.2f}; arrows: look-ahead")
        right.set_title(f"rates {rates['heavy ball']:.3f} (HB), {rates['Nesterov']:.3f} (Nesterov)")
        return {"rates": rates, "points": out}

    legend = left.get_legend()  # over the paths in a full draw, so repainted over them
    dynamic = [*lines.values(), arrows, *curves.values(), legend, left.title, right.title]
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


@register("nesterov_explorer.svg")
def explorer_default() -> Figure:
    """The explorer's picture at its default sliders (the static stand-in for the widget)."""
    return nesterov_explorer().figure
