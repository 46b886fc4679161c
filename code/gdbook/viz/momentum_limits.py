r"""Figures and the explorer of the chapter *The limits of the heavy ball*.

Every picture is drawn from runs and closed forms of :mod:`gdbook.momentum_limits` (and the
optimizers of :mod:`gdbook.momentum`); nothing is hand-placed. Symbols: :math:`\eta` learning
rate, :math:`\beta` momentum, :math:`\lambda` an eigenvalue, :math:`\mu, L` the extremes of
the spectrum, :math:`\kappa = L/\mu`, :math:`a = \eta\lambda/(1-\beta)` the effective step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from gdbook import momentum_limits as lim
from gdbook import plotting
from gdbook.base import run
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.figures import register
from gdbook.momentum import momentum
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.problems import lessard_problem
from gdbook.widgets import Explorer, freeze, register_widget, slider

WIDTH = 6.9  # inches: the text column
LEGEND = {"fontsize": 10, "frameon": False}
FRONT_STEPS = 60  # steps and coordinates of the heat maps
FRONT_COORDINATES = 80


@register("momentum_limits_lower_bound.svg")
def lower_bound() -> Figure:
    """Information moves one coordinate per step; tuned momentum sits on the bound."""
    data = lim.lower_bound_experiment()
    fig = plotting.figure(figsize=(WIDTH, 6.6))
    with plotting.style():
        axes = fig.subplot_mosaic([["momentum", "gradient descent"], ["errors", "errors"]])
    extent = (0.5, FRONT_COORDINATES + 0.5, FRONT_STEPS + 0.5, -0.5)
    for name in ("momentum", "gradient descent"):
        ax = axes[name]
        shown = data["iterates"][name][: FRONT_STEPS + 1, :FRONT_COORDINATES]
        with np.errstate(divide="ignore"):
            logged = np.where(shown > 0, np.log10(np.maximum(shown, 1e-300)), np.nan)
        image = ax.imshow(
            np.clip(logged, -12, 0), extent=extent, aspect="auto", cmap="viridis", vmin=-12, vmax=0
        )
        ax.plot([0.5, FRONT_STEPS + 0.5], [0, FRONT_STEPS], color="white", lw=1, ls="--")
        ax.set_xlabel("coordinate $i$")
        ax.set_title(f"{name}: $|w_{{k,i}}|$")
    axes["momentum"].set_ylabel("step $k$")
    fig.colorbar(image, ax=[axes["momentum"], axes["gradient descent"]], label=r"$\log_{10}$")
    ax = axes["errors"]
    steps = np.arange(lim.LOWER_BOUND_STEPS + 1)
    colors = {"gradient descent": METHOD_COLORS["gd"], "momentum": METHOD_COLORS["momentum"]}
    for name, errors in data["errors"].items():
        color = colors.get(name, PALETTE["green"])
        style = "-" if name in colors else ":"
        ax.semilogy(steps, errors, style, color=color, label=name.replace("eta", "η"))
    ax.semilogy(steps, data["bound"], color=PALETTE["black"], lw=3, alpha=0.3, label="lower bound")
    ax.set_xlabel("step $k$")
    ax.set_ylabel(r"$\|w_k - w^\star\|$")
    ax.set_title("the error against the lower bound")
    ax.legend(loc="lower left", ncol=2, **LEGEND)
    plotting.label_panels([axes["momentum"], axes["gradient descent"], axes["errors"]])
    return fig


@register("momentum_limits_logistic.svg")
def logistic() -> Figure:
    """GD and tuned momentum on logistic regression: the local rates predict the runs."""
    data = lim.logistic_experiment()
    problem = lim.logistic_problem()
    star = problem.x_star
    assert star is not None
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.8))
    shown = np.concatenate([p[:40] for p in data["paths"].values()])
    low, high = shown.min(axis=0), shown.max(axis=0)
    margin = 0.1 * (high - low)
    xlim, ylim = (
        (low[0] - margin[0], high[0] + margin[0]),
        (low[1] - margin[1], high[1] + margin[1]),
    )
    levels = problem.f_star + np.geomspace(1e-4, 1.0, 9)
    plotting.contours(top, problem.value, xlim, ylim, levels=levels)
    top.set_aspect("auto")
    top.plot(*star, marker="*", color=PALETTE["black"], ms=9)
    colors = {"gradient descent": METHOD_COLORS["gd"], "momentum": METHOD_COLORS["momentum"]}
    for name, path in data["paths"].items():
        plotting.path(top, path[:40], color=colors[name], label=f"{name} (first 40 steps)")
    top.set_xlabel("$w_1$")
    top.set_ylabel("$w_2$")
    top.set_title("logistic regression: the level sets are not ellipses")
    top.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, **LEGEND)
    steps = np.arange(lim.LOGISTIC_STEPS + 1)
    bottom.set_yscale("log")
    bottom.set_ylim(1e-12, 10.0)
    for name, errors in data["errors"].items():
        bottom.plot(steps, plotting.within_view(bottom, errors), color=colors[name], label=name)
        rate = data["rates"][name]
        predicted = errors[0] * rate**steps
        bottom.plot(
            steps,
            plotting.within_view(bottom, predicted, line=True),
            color=colors[name],
            ls="--",
            lw=1,
            label=f"local rate {rate:.3f}",
        )
    bottom.set_xlabel("step $k$")
    bottom.set_ylabel(r"$\|w_k - w^\star\|$")
    bottom.set_title("tuned from the Hessian at the minimum")
    bottom.legend(loc="upper right", ncol=2, **LEGEND)
    plotting.label_panels([top, bottom])
    return fig


@register("momentum_limits_lessard.svg")
def lessard() -> Figure:
    """Lessard et al.'s counterexample: a 3-cycle, and the starts that lead to it."""
    problem = lessard_problem()
    xs = lim.lessard_run()
    cycle = xs[lim.LESSARD_CYCLE_START : lim.LESSARD_CYCLE_START + 3]
    quad = run(momentum(1 / 9, 4 / 9), lambda x: 25.0 * x, [lim.LESSARD_START], xs.size - 1)
    basin = lim.lessard_basin()
    fig, axes = plotting.new_figure(
        nrows=3, figsize=(WIDTH, 7.6), gridspec_kw={"height_ratios": [1.0, 1.0, 0.45]}
    )
    ax = axes[0]
    grid = np.linspace(-2.5, 3.5, 601)[:, None]
    ax.plot(grid[:, 0], problem.grad(grid)[:, 0], color=PALETTE["black"], lw=1.2)
    ax.plot(
        cycle,
        problem.grad(cycle[:, None])[:, 0],
        "o",
        color=PALETTE["vermillion"],
        label="the three points of the cycle",
    )
    ax.axvspan(1, 2, color=PALETTE["sky"], alpha=0.25, lw=0, label=r"$f'' = 1$ (elsewhere 25)")
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$f'(x)$")
    ax.set_title(r"a strongly convex $f$ with $\mu = 1$, $L = 25$")
    ax.legend(loc="upper left", **LEGEND)
    ax = axes[1]
    steps = np.arange(xs.size)
    ax.plot(steps, xs, marker="o", ms=2.5, color=METHOD_COLORS["momentum"], label="Lessard's $f$")
    ax.plot(
        steps, quad.params[:, 0], color=PALETTE["sky"], lw=1.2, zorder=1, label=r"$f = 12.5x^2$"
    )
    for value in cycle:
        ax.axhline(value, color=PALETTE["vermillion"], lw=0.7, ls=":")
    ax.set_xlabel("step $k$")
    ax.set_ylabel("$x_k$")
    ax.set_title(rf"$\eta = 1/9$, $\beta = 4/9$ from $x_0 = {lim.LESSARD_START}$: a cycle")
    ax.legend(loc="upper right", **LEGEND)
    ax = axes[2]
    starts, half = basin["start"], 0.5 * (basin["start"][1] - basin["start"][0])
    edges = np.flatnonzero(np.diff(np.concatenate([[0], basin["cycles"].astype(int), [0]])))
    for first, end in zip(edges[::2], edges[1::2], strict=True):  # one span per run of starts
        ax.axvspan(starts[first] - half, starts[end - 1] + half, color=PALETTE["vermillion"], lw=0)
    ax.axvline(lim.LESSARD_START, color=PALETTE["black"], lw=0.8, ls=":")
    ax.set_yticks([])
    ax.set_xlim(basin["start"][0], basin["start"][-1])
    ax.set_xlabel("start $x_0$ (at rest)")
    ax.set_title("the starts that end on the cycle (the others converge)")
    plotting.label_panels(axes)
    return fig


def _noise_label(eta: float, beta: float) -> str:
    """Legend entry for one of :func:`gdbook.momentum_limits.noise_methods`."""
    if beta > 0:
        return rf"momentum, $\eta = {eta:g}$, $\beta = {beta:g}$"
    if eta == lim.NOISE_LEARNING_RATE:
        return rf"GD, $\eta = {eta:g}$"
    return rf"GD, $\eta = {eta:g} = {lim.NOISE_LEARNING_RATE:g}/(1-\beta)$"


@register("momentum_limits_noise.svg")
def noise() -> Figure:
    """Momentum at eta has, to first order, the floor of GD at eta/(1-beta); equal floors: <= 2x."""
    problem = VALLEY.problem()
    y0 = problem.to_eigenbasis(VALLEY.start)
    runs = lim.noise_runs()
    colors = [METHOD_COLORS["gd"], METHOD_COLORS["momentum"], PALETTE["orange"]]
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 7.2))
    steps = np.arange(lim.NOISE_STEPS + 1)
    for (name, (eta, beta)), color in zip(lim.noise_methods().items(), colors, strict=True):
        top.semilogy(steps, runs[name].mean(axis=1), color=color, label=_noise_label(eta, beta))
        exact = lim.heavy_ball_mean_square(
            eta, beta, problem.eigenvalues, NOISE_SIGMA, y0, lim.NOISE_STEPS
        )
        top.semilogy(steps, exact, color=PALETTE["black"], ls=":", lw=1)
        floor = float(lim.heavy_ball_noise_floor(eta, beta, problem.eigenvalues, NOISE_SIGMA))
        top.axhline(floor, color=color, lw=0.8, ls="--")
    top.plot([], [], color=PALETTE["black"], ls=":", lw=1, label="exact mean square")
    top.plot([], [], color=PALETTE["black"], ls="--", lw=0.8, label="noise floors")
    top.set_xlim(0, 200)
    top.set_xlabel("step $k$")
    top.set_ylabel(rf"$\mathbb{{E}}\,\|x_k - x^\star\|^2$ ({lim.NOISE_CHAINS} runs)")
    top.set_title(r"momentum at $\eta$: about the floor of GD at $\eta/(1-\beta)$")
    top.legend(loc="upper right", **LEGEND)
    gd_steps, best, best_beta = lim.equal_floor_comparison()
    gains = gd_steps / best
    bottom.semilogx(lim.NOISE_FLOORS, gains, marker="o", color=METHOD_COLORS["momentum"])
    for floor, ratio, b in zip(lim.NOISE_FLOORS[::2], gains[::2], best_beta[::2], strict=True):
        bottom.annotate(
            rf"$\beta = {b:.3f}$",
            (floor, ratio),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
        )
    bottom.axhline(2.0, color=PALETTE["black"], ls=":", lw=1)
    bottom.axhline(1.0, color=METHOD_COLORS["gd"], lw=1)
    bottom.text(lim.NOISE_FLOORS[0], 2.0, "limit for small floors", ha="right", va="bottom")
    bottom.text(lim.NOISE_FLOORS[0], 1.0, "no gain", ha="right", va="bottom")
    bottom.set_ylim(0.8, 2.3)
    bottom.set_xlabel(r"prescribed noise floor $v$")
    bottom.set_ylabel("GD steps / momentum steps")
    bottom.set_title(r"steps to settle below $2v$: the gain of the best $\beta$")
    plotting.label_panels([top, bottom])
    return fig


# --------------------------------------------------------------------------------------
# The explorer: the noise floor of momentum against gradient descent
# --------------------------------------------------------------------------------------

EXPLORER_DEFAULTS = {"learning_rate": lim.NOISE_LEARNING_RATE, "beta": lim.NOISE_BETA}
EXPLORER_STEPS = 200


def _noise_curves(learning_rate: float, beta: float) -> dict[str, Any]:
    """Exact mean squares and floors in the noisy valley; GD at eta/(1-beta) if it is stable."""
    problem = VALLEY.problem()
    lam, y0 = problem.eigenvalues, problem.to_eigenbasis(VALLEY.start)
    effective = learning_rate / (1 - beta)
    runs = {"momentum": (learning_rate, beta), "GD at η": (learning_rate, 0.0)}
    if effective * lam.max() < 2:
        runs["GD at η/(1-β)"] = (effective, 0.0)
    curves, floors = {}, {}
    for name, (eta, b) in runs.items():
        curves[name] = lim.heavy_ball_mean_square(eta, b, lam, NOISE_SIGMA, y0, EXPLORER_STEPS)
        floors[name] = float(lim.heavy_ball_noise_floor(eta, b, lam, NOISE_SIGMA))
    return {"curves": curves, "floors": floors, "effective_steps": effective * lam}


@register_widget("momentum_limits_noise")
def noise_explorer() -> Explorer:
    """Sliders for eta and beta; the exact mean squares, and the floor ratio against a."""
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.6))
    names = ["momentum", "GD at η", "GD at η/(1-β)"]
    colors = [METHOD_COLORS["momentum"], METHOD_COLORS["gd"], PALETTE["orange"]]
    steps = np.arange(EXPLORER_STEPS + 1)
    lines = {
        n: top.semilogy([], [], color=c, label=n)[0] for n, c in zip(names, colors, strict=True)
    }
    levels = {
        n: top.axhline(1.0, color=c, lw=0.8, ls="--") for n, c in zip(names, colors, strict=True)
    }
    top.set_xlim(0, EXPLORER_STEPS)
    top.set_ylim(1e-2, 30.0)
    top.set_xlabel("step $k$")
    top.set_ylabel(r"$\mathbb{E}\,\|x_k - x^\star\|^2$")
    legend = top.legend(loc="upper right", **LEGEND)  # redrawn over the curves that pass it
    grid = np.linspace(0.0, 1.999, 400)
    (ratio_line,) = bottom.plot([], [], color=METHOD_COLORS["momentum"])
    (marks,) = bottom.plot([], [], "o", color=PALETTE["vermillion"], ms=7)
    bottom.set_xlim(0, 2)
    bottom.set_ylim(0, 1.05)
    bottom.set_xlabel(r"effective step $a = \eta\lambda/(1-\beta)$ of a direction")
    bottom.set_ylabel("floor ratio")
    bottom.set_title(r"momentum's floor over GD's at $\eta/(1-\beta)$ (dots: the valley)")

    def draw(learning_rate: float, beta: float) -> dict[str, Any]:
        data = _noise_curves(learning_rate, beta)
        for name in names:
            curve = data["curves"].get(name)
            if curve is None:
                lines[name].set_data([], [])
                levels[name].set_ydata([np.nan, np.nan])
                continue
            lines[name].set_data(steps, plotting.within_view(top, curve, line=True))
            levels[name].set_ydata([data["floors"][name]] * 2)
        ratio_line.set_data(grid, lim.floor_ratio_at_effective_step(grid, beta))
        a = data["effective_steps"]
        shown = a < 2
        marks.set_data(a[shown], lim.floor_ratio_at_effective_step(a[shown], beta))
        floor = data["floors"]["momentum"]
        top.set_title(rf"$\eta = {learning_rate:.2f}$, $\beta = {beta:.2f}$: floor {floor:.3f}")
        return data

    controls = {
        "learning_rate": slider(
            "learning rate η", EXPLORER_DEFAULTS["learning_rate"], 0.02, 1.0, 0.01
        ),
        "beta": slider("momentum β", EXPLORER_DEFAULTS["beta"], 0.0, 0.95, 0.01),
    }
    dynamic = [*lines.values(), *levels.values(), ratio_line, marks, top.title, legend]
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


@register("momentum_limits_explorer.svg")
def explorer_default() -> Figure:
    """The noise explorer's picture at its default sliders (the static stand-in)."""
    return noise_explorer().figure
