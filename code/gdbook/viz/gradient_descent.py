r"""Figures and the explorer of the chapter *The gradient-descent problem*.

Every figure is drawn from runs of the tested code (:mod:`gdbook.gradient_descent`,
:mod:`gdbook.base`); nothing is hand-placed. Symbols as in that module:
:math:`\eta` learning rate, :math:`\lambda_i` eigenvalues, :math:`\kappa = L/\mu`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from gdbook import gradient_descent as gd
from gdbook import plotting
from gdbook.base import run
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.figures import register
from gdbook.measure import loglog_slope
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.problems import Quadratic, saddle
from gdbook.widgets import Explorer, freeze, register_widget, slider

XLIM = (-4.2, 4.2)
YLIM = (-2.4, 2.4)
WIDTH = 6.9  # inches: the text column
LEGEND = {"fontsize": 10, "frameon": False}


def _valley_axes(ax: Any, problem: Quadratic) -> None:
    plotting.valley_axes(ax, problem, VALLEY.levels, XLIM, YLIM)


@register("gradient_descent_valley.svg")
def valley_learning_rates() -> Figure:
    """Three learning rates in the narrow valley (too small, the best, too large), their errors."""
    problem = VALLEY.problem()
    titles = ["too small: crawls", r"$\eta^\star = 2/(\mu+L)$: zig-zags", r"$> 2/L$: grows"]
    fig, axes = plotting.new_figure(nrows=2, ncols=2, figsize=(WIDTH, 5.0))
    panels = [axes[0, 0], axes[0, 1], axes[1, 0]]
    errors = axes[1, 1]
    for ax, eta, title, traj in zip(panels, gd.VALLEY_RATES, titles, gd.valley_runs(), strict=True):
        _valley_axes(ax, problem)
        shown = traj.params[:8] if traj.diverged else traj.params[: gd.VALLEY_STEPS + 1]
        plotting.path(ax, shown, color=METHOD_COLORS["gd"])
        ax.set_title(rf"$\eta = {eta:.3g}$, {title}")
        distance = np.linalg.norm(traj.params, axis=-1)
        errors.semilogy(distance[: gd.VALLEY_STEPS + 1], label=rf"$\eta = {eta:.3g}$")
    for ax in (axes[0, 0], axes[0, 1]):
        ax.set_xlabel("")
    axes[0, 1].set_ylabel("")
    errors.set_xlabel("step $k$")
    errors.set_ylabel(r"$\|x_k - x^\star\|$")
    errors.set_title("the error")
    errors.legend(loc="lower left", **LEGEND)
    plotting.label_panels([*panels, errors])
    return fig


@register("gradient_descent_contraction.svg")
def contraction_vs_learning_rate() -> Figure:
    """|1 - eta*lambda| for the flattest and steepest direction, and their maximum."""
    mu, L = 1 / VALLEY.kappa, 1.0
    eta = np.linspace(0.0, 2.3, 600)
    best = float(gd.optimal_learning_rate(mu, L))
    rate = float(gd.optimal_rate(VALLEY.kappa))
    fig, ax = plotting.new_figure(figsize=(WIDTH, 4.0))
    ax.axvspan(0, 2 / L, color=PALETTE["sky"], alpha=0.15, lw=0, label=r"stable: $0<\eta<2/L$")
    ax.plot(eta, np.abs(1 - eta * mu), color=PALETTE["blue"], label=r"flat: $|1-\eta\mu|$")
    ax.plot(eta, np.abs(1 - eta * L), color=PALETTE["orange"], label=r"steep: $|1-\eta L|$")
    ax.plot(
        eta,
        gd.spectral_radius(eta, [mu, L]),
        color=PALETTE["black"],
        lw=3,
        alpha=0.35,
        label=r"$\rho(\eta)=\max_i|1-\eta\lambda_i|$",
    )
    ax.plot([best], [rate], "o", color=METHOD_COLORS["gd"])
    ax.annotate(
        rf"$\eta^\star = {best:.3f}$, $\rho = {rate:.3f}$",
        (best, rate),
        xytext=(0.2, 0.3),
        arrowprops={"arrowstyle": "->", "color": PALETTE["black"]},
    )
    ax.axhline(1.0, color=PALETTE["black"], lw=0.6, ls=":")
    ax.set_xlim(0, 2.3)
    ax.set_ylim(0, 1.35)
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("contraction factor per step")
    ax.set_title(r"The best $\eta$ balances the flattest and the steepest direction ($\kappa=10$)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, **LEGEND)
    return fig


@register("gradient_descent_kappa.svg")
def kappa_scaling() -> Figure:
    """Iterations to a fixed tolerance against the condition number, log-log."""
    tol = 1e-6
    data = gd.kappa_experiment(tol)
    kappa = data["kappa"]
    fine = np.geomspace(kappa[0], kappa[-1], 200)
    fig, ax = plotting.new_figure(figsize=(WIDTH, 4.2))
    for key, marker, color, text in [
        ("best", "o", METHOD_COLORS["gd"], r"$\eta = 2/(\mu+L)$"),
        ("one_over_L", "s", PALETTE["sky"], r"$\eta = 1/L$"),
    ]:
        slope = loglog_slope(kappa[kappa >= 10], data[key][kappa >= 10])
        ax.loglog(kappa, data[key], marker, color=color, label=f"{text}: slope {slope:.2f}")
    ax.loglog(
        fine,
        gd.predicted_iterations(gd.optimal_rate(fine), tol),
        color=METHOD_COLORS["gd"],
        lw=1,
        label=r"$\lceil \ln\epsilon / \ln\frac{\kappa-1}{\kappa+1} \rceil$",
    )
    ax.loglog(
        fine,
        fine / 2 * np.log(1 / tol),
        color=PALETTE["black"],
        ls=":",
        lw=1,
        label=r"$\frac{\kappa}{2}\ln\frac{1}{\epsilon}$",
    )
    ax.set_xlabel(r"condition number $\kappa = L/\mu$")
    ax.set_ylabel(r"steps to $\|x_k - x^\star\| \leq 10^{-6}\,\|x_0 - x^\star\|$")
    ax.set_title(r"Gradient descent needs iterations in proportion to $\kappa$")
    ax.legend(loc="upper left", **LEGEND)
    return fig


@register("gradient_descent_line_search.svg")
def line_search_zigzag() -> Figure:
    """Exact line search turns by a right angle at every step and is no faster in the worst case."""
    problem = VALLEY.problem()
    num_steps = 12
    worst = gd.worst_line_search_start(problem)
    exact = gd.exact_line_search(problem, VALLEY.start, num_steps)
    exact_worst = gd.exact_line_search(problem, worst, num_steps)
    best = float(gd.optimal_learning_rate(1 / VALLEY.kappa, 1.0))
    fixed = run(gd.gradient_descent(best), problem.grad, VALLEY.start, num_steps).path()
    fig, (left, right) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.6))
    _valley_axes(left, problem)
    plotting.path(left, exact, color=PALETTE["blue"], label="exact line search")
    plotting.path(left, exact_worst, color=PALETTE["purple"], label="same, worst start")
    left.set_title("Exact line search: every turn is a right angle")
    left.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), **LEGEND)
    steps = np.arange(1, num_steps + 1)
    bound = float(gd.optimal_rate(VALLEY.kappa)) ** 2
    for points, style, color, label in [
        (exact, "o-", PALETTE["blue"], "exact line search"),
        (exact_worst, "o-", PALETTE["purple"], "same, worst start"),
        (fixed, "s", METHOD_COLORS["gd"], r"fixed $\eta^\star$, any start"),
    ]:
        ratios = gd.loss_ratios(problem, points)
        right.plot(steps, ratios, style, color=color, ms=4 if style == "s" else 6, label=label)
    right.axhline(
        bound,
        color=PALETTE["black"],
        ls=":",
        lw=1,
        label=r"$\left(\frac{\kappa-1}{\kappa+1}\right)^2$",
    )
    right.set_ylim(0, 1)
    right.set_xlabel("step $k$")
    right.set_ylabel(r"$(f_k - f^\star)/(f_{k-1} - f^\star)$")
    right.set_title("Loss ratio per step: constant, at most the bound")
    right.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), **LEGEND)
    plotting.label_panels([left, right])
    return fig


@register("gradient_descent_chebyshev.svg")
def chebyshev_steps() -> Figure:
    """Planned steps (Chebyshev) against the best fixed step: the polynomials and the errors."""
    data = gd.chebyshev_experiment()
    lam, k = data["lam"], gd.CHEBYSHEV_STEPS
    kappa = gd.CHEBYSHEV_KAPPA
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.8))
    top.set_yscale("log")
    top.set_xlim(lam[0], lam[-1])
    top.set_ylim(1e-8, 2.0)
    # 4001 eigenvalues, about 7 to a pixel: keep each curve's envelope in bins narrower than
    # a pixel (the 40 dips of the planned steps keep their depth)
    curves: dict[str, tuple[Any, Any]] = {}
    for name in ("fixed", "chebyshev"):
        shown = plotting.within_view(top, data[name][k], line=True)
        kept = plotting.envelope_thinned(lam, shown)
        curves[name] = (lam[kept], shown[kept])
    top.plot(
        *curves["fixed"],
        color=METHOD_COLORS["gd"],
        label=rf"fixed $\eta^\star$: $|1-\eta^\star\lambda|^{{{k}}}$",
    )
    top.plot(
        *curves["chebyshev"],
        color=PALETTE["blue"],
        lw=1.0,
        label=r"planned steps: $|\prod_i (1-\eta_i\lambda)|$",
    )
    top.axhline(float(gd.chebyshev_bound(kappa, k)), color=PALETTE["black"], ls=":", lw=1)
    top.set_xlabel(r"eigenvalue $\lambda$ of the Hessian ($\mu = 1$, $L = 100$)")
    top.set_ylabel(f"error factor after {k} steps")
    top.set_title(f"The same {k} gradient directions, fixed or planned step sizes")
    top.legend(loc="lower left", **LEGEND)
    steps = np.arange(k + 1)
    bottom.semilogy(
        steps, data["fixed"].max(axis=1), color=METHOD_COLORS["gd"], label=r"fixed $\eta^\star$"
    )
    bottom.semilogy(
        steps,
        gd.chebyshev_bound(kappa, steps),
        color=PALETTE["black"],
        ls=":",
        lw=1,
        label="steps planned for each horizon $k$",
    )
    bottom.semilogy(
        steps,
        gd.chebyshev_rate(kappa) ** steps,
        color=METHOD_COLORS["momentum"],
        ls="--",
        lw=1,
        label=r"$r^k$, $r = (\sqrt{\kappa}-1)/(\sqrt{\kappa}+1)$",
    )
    for name, order, color in [
        ("planned", "middle-out", PALETTE["blue"]),
        ("increasing", "small-steps-first", PALETTE["orange"]),
    ]:
        label = f"a run of the {k} planned steps, {order} order"
        bottom.semilogy(steps, data["runs"][name], "o", ms=3, color=color, label=label)
    bottom.set_ylim(1e-4, 2.0)
    bottom.set_xlabel("step $k$")
    bottom.set_ylabel("error factor")
    bottom.set_title(r"Planned steps: $\sqrt{\kappa}$ in place of $\kappa$")
    bottom.legend(loc="lower left", **LEGEND)
    plotting.label_panels([top, bottom])
    return fig


@register("gradient_descent_saddle.svg")
def saddle_plateaus() -> Figure:
    """Near a saddle the gradient vanishes: the loss plateaus for ln(1/delta) steps."""
    problem = saddle()
    paths = gd.saddle_runs()
    colors = [PALETTE["blue"], PALETTE["orange"], PALETTE["vermillion"]]
    fig, (left, right) = plotting.new_figure(nrows=2, figsize=(WIDTH, 7.0))
    xs, ys = np.linspace(-1.7, 1.7, 200), np.linspace(-1.5, 1.5, 200)
    values = problem.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    levels = [-0.24, -0.2, -0.1, 0.0, 0.1, 0.3, 0.6, 1.0, 1.5]
    left.contour(xs, ys, values, levels=levels, colors="0.6", linewidths=0.6)
    left.set_aspect("equal")
    widths = [1.5, 4.0, 1.5]  # the two smaller offsets share a path: draw it wide, then thin
    for p, d, color, lw in zip(paths, gd.SADDLE_OFFSETS, colors, widths, strict=True):
        plotting.path(
            left, p, color=color, markers=False, lw=lw, label=rf"$y_0 = 10^{{{np.log10(d):.0f}}}$"
        )
        values = problem.value(p)
        right.plot(np.arange(values.size), values, color=color)
        escape = float(gd.saddle_escape_steps(d, gd.SADDLE_RATE, 1.0, 0.5))
        right.axvline(escape, color=color, ls=":", lw=1)
    left.plot([0, 0], [-1, 1], "*", color=PALETTE["black"], markersize=9)
    left.plot(0, 0, "+", color=PALETTE["black"], markersize=10, mew=2)
    left.set_xlabel("$x$")
    left.set_ylabel("$y$")
    left.set_title(r"Saddle at $0$, minima at $(0, \pm 1)$")
    left.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), **LEGEND)
    right.axhline(0.0, color=PALETTE["black"], lw=0.6)
    right.set_xlabel("step $k$")
    right.set_ylabel(r"$f(x_k)$")
    right.set_title(r"Plateaus last $\ln(\delta/y_0)/\ln(1+\eta\gamma)$ steps (dotted)")
    plotting.label_panels([left, right])
    return fig


@register("gradient_descent_noise.svg")
def noise_floor() -> Figure:
    """Constant-step SGD: the error stalls at a floor proportional to eta."""
    problem = VALLEY.problem()
    runs = gd.noisy_runs()
    colors = [METHOD_COLORS["gd"], PALETTE["blue"]]
    y0 = problem.to_eigenbasis(VALLEY.start)
    fig, (left, right) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.8))
    _valley_axes(left, problem)
    for params, eta, color in zip(runs, gd.NOISE_RATES, colors, strict=True):
        (cloud,) = left.plot(
            *params[-1, : gd.NOISE_SHOWN].T,
            ".",
            ms=2,
            color=color,
            alpha=0.5,
            label=rf"$\eta={eta:g}$",
        )
        plotting.rasterize(cloud)  # 200 dots: as an image, less than half their vector paths
        measured = np.mean(np.sum(params**2, axis=-1), axis=-1)
        steps = np.arange(measured.size)
        predicted = gd.sgd_expected_sq_error(
            eta, problem.eigenvalues, NOISE_SIGMA, y0, gd.NOISE_STEPS
        )
        right.semilogy(
            steps, measured, color=color, label=rf"$\eta={eta:g}$, mean of {gd.NOISE_CHAINS} runs"
        )
        right.semilogy(steps, predicted, color=PALETTE["black"], ls=":", lw=1)
        right.axhline(
            float(gd.sgd_noise_floor(eta, problem.eigenvalues, NOISE_SIGMA)), color=color, lw=0.6
        )
    right.plot([], [], color=PALETTE["black"], ls=":", lw=1, label="transient + floor, predicted")
    left.set_title(rf"Where SGD is after {gd.NOISE_STEPS} steps ($\sigma = {NOISE_SIGMA:g}$)")
    left.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), markerscale=4, **LEGEND)
    right.set_xlabel("step $k$")
    right.set_ylabel(r"$\mathbb{E}\,\|x_k - x^\star\|^2$")
    right.set_title("A larger step is faster at first and stalls higher")
    right.legend(loc="upper right", **LEGEND)
    plotting.label_panels([left, right])
    return fig


# --------------------------------------------------------------------------------------
# The explorer: learning rate and condition number over the valley
# --------------------------------------------------------------------------------------

EXPLORER_STEPS = 60


@register_widget("gradient_descent_valley")
def valley_explorer() -> Explorer:
    r"""Sliders for the learning rate and the condition number of the valley.

    Left: the trajectory over the level sets (a diverging run ends with a cross
    and says at which step). Right: :math:`|y_{i,k}|` per eigendirection, measured
    (markers) and predicted :math:`|1 - \eta\lambda_i|^k |y_{i,0}|` (lines of the
    same colour). The first draw fixes the layout; later draws repaint only the
    artists a slider moves.
    """
    fig, (left, right) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.4))
    colors = [PALETTE["blue"], PALETTE["orange"]]
    # Every text costs milliseconds per redraw (matplotlib 3.11), so the explorer keeps
    # few: no coordinates on the valley, three ticks per axis, no legend (the static
    # figure, explorer_default, adds one).
    with plotting.style():
        level_lines = [left.plot([], [], color="0.6", lw=0.6)[0] for _ in VALLEY.levels]
        # the minimum and the start are static: below the lines a slider moves (zorder 2)
        left.plot(0, 0, marker="*", color=PALETTE["black"], markersize=9, zorder=1.9)
        (path_line,) = left.plot([], [], "o-", ms=2.5, color=METHOD_COLORS["gd"])
        left.plot(*VALLEY.start, "s", color=METHOD_COLORS["gd"], ms=5, zorder=1.9)
        (cross,) = left.plot([], [], "x", color=METHOD_COLORS["gd"], ms=9, mew=2)
        note = left.text(0.02, 0.03, "", transform=left.transAxes, color=METHOD_COLORS["gd"])
        left.set_xlim(*XLIM)
        left.set_ylim(*YLIM)
        left.set_xticks([])
        left.set_yticks([])
        left.set_aspect("equal")
        measured = [
            right.semilogy([], [], "o", ms=3, color=c, label=f"{name} direction: run")[0]
            for c, name in zip(colors, ["flat", "steep"], strict=True)
        ]
        predicted = [
            right.semilogy(
                [], [], "-", lw=1, color=c, label=rf"$|1-\eta\lambda_{i}|^k\,|y_{{{i},0}}|$"
            )[0]
            for i, c in enumerate(colors, start=1)
        ]
        right.set_xlim(0, EXPLORER_STEPS)
        right.set_ylim(1e-6, 1e3)
        right.set_xticks([0, EXPLORER_STEPS // 2, EXPLORER_STEPS])
        right.set_yticks([1e-6, 1e-3, 1e0])
        right.yaxis.set_minor_locator(NullLocator())
        right.set_xlabel("step $k$")
        right.set_ylabel(r"$|y_{i,k}|$")
    steps = np.arange(EXPLORER_STEPS + 1)

    def draw(learning_rate: float, kappa: float) -> dict[str, Any]:
        problem = VALLEY.problem(kappa)
        for line, curve in zip(
            level_lines, plotting.level_sets(problem, VALLEY.levels), strict=True
        ):
            line.set_data(curve[:, 0], curve[:, 1])
        traj = run(
            gd.gradient_descent(learning_rate),
            problem.grad,
            VALLEY.start,
            EXPLORER_STEPS,
            bound=gd.DIVERGENCE_BOUND,
            record_states=False,
        )
        points = traj.path()
        diverged_at = int(traj.diverged_at)
        path_line.set_data(points[:, 0], points[:, 1])
        if diverged_at >= 0:
            cross.set_data([points[-1, 0]], [points[-1, 1]])
            note.set_text(f"diverged at step {diverged_at} (|x| > {gd.DIVERGENCE_BOUND:g})")
        else:
            cross.set_data([], [])
            note.set_text("")
        errors = np.abs(problem.to_eigenbasis(points))
        y0 = problem.to_eigenbasis(VALLEY.start)
        prediction = np.abs(gd.eigen_errors(learning_rate, problem.eigenvalues, y0, EXPLORER_STEPS))
        # round-off below the axis (|y| ~ 1e-16) is not drawn: its digits depend on the CPU
        for i in range(2):
            measured[i].set_data(np.arange(len(points)), plotting.within_view(right, errors[:, i]))
            predicted[i].set_data(steps, plotting.within_view(right, prediction[:, i], line=True))
        rho = float(gd.spectral_radius(learning_rate, problem.eigenvalues))
        verdict = "converges" if rho < 1 else "diverges" if rho > 1 else "never settles"
        left.set_title(f"η = {learning_rate:.3g}, κ = {kappa:.3g}: {verdict}")
        right.set_title(f"slowest contraction ρ(η) = {rho:.3f}")
        return {
            "diverged_at": diverged_at,
            "rate": rho,
            "errors": errors,
            "predicted": prediction,
        }

    controls = {
        "learning_rate": slider("learning rate η", 1.5, -2.0, np.log10(2.5), 0.01, log=True),
        "kappa": slider("condition number κ", 10.0, 0.0, 3.0, 0.01, log=True),
    }
    dynamic = [*level_lines, path_line, cross, note, *measured, *predicted]
    dynamic += [left.title, right.title]  # repaint only these
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


@register("gradient_descent_explorer.svg")
def explorer_default() -> Figure:
    """The valley explorer at its default slider settings (the static picture)."""
    explorer = valley_explorer()
    explorer.update()
    left, right = explorer.figure.axes
    left.set_xlabel("$x_1$")
    left.set_ylabel("$x_2$")
    right.legend(loc="upper right", **LEGEND)
    explorer.figure.set_layout_engine("constrained")  # make room for the added labels
    return explorer.figure
