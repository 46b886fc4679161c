r"""Figures and the explorer of the chapter *Momentum*.

Every picture is drawn from runs of the tested code (:mod:`gdbook.momentum`,
:mod:`gdbook.base`) and from the closed forms there; nothing is hand-placed.
Symbols: :math:`\eta` learning rate, :math:`\beta` momentum, :math:`b_k` the
velocity buffer, :math:`\lambda` an eigenvalue, :math:`\mu, L` the extremes of
the spectrum, :math:`\kappa = L/\mu`.

The running example is the previous chapter's tilted valley
(:func:`gdbook.gradient_descent.narrow_valley`, :math:`\kappa = 10`, :math:`L = 1`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from gdbook import gradient_descent as gd
from gdbook import momentum as hb
from gdbook import plotting
from gdbook.base import run
from gdbook.examples import NOISE_SIGMA, VALLEY
from gdbook.figures import register
from gdbook.measure import loglog_slope
from gdbook.nesterov import nesterov_beta
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.problems import lessard_problem
from gdbook.types import Array
from gdbook.widgets import Explorer, freeze, register_widget, slider

MU, L = 1.0 / VALLEY.kappa, 1.0  # the valley's spectrum
XLIM = (-4.2, 2.2)
YLIM = (-3.1, 1.9)
MAP_LEARNING_RATES: Array = np.linspace(0.01, 4.0, 200)  # eta (= eta * L, as L = 1)
MAP_BETAS: Array = np.linspace(0.0, 0.995, 200)


def _valley_axes(ax: Axes) -> None:
    plotting.valley_axes(ax, VALLEY.problem(), VALLEY.levels, XLIM, YLIM)


def rate_map(mu: float | None = None, lam: float = 1.0) -> Array:
    """Closed-form rate on the ``(beta, eta)`` grid (rows beta): one eigenvalue or ``[mu, lam]``."""
    eta, beta = MAP_LEARNING_RATES[None, :], MAP_BETAS[:, None]
    if mu is None:
        return hb.heavy_ball_rate(eta, beta, lam)
    return hb.heavy_ball_rate_on_spectrum(eta, beta, mu, lam)


def _draw_rate_map(ax: Axes, rates: Array) -> Any:
    """Colour the rate in [0, 1); divergent cells (rate >= 1) in light grey."""
    extent = (MAP_LEARNING_RATES[0], MAP_LEARNING_RATES[-1], MAP_BETAS[0], MAP_BETAS[-1])
    shown = np.ma.masked_where(rates >= 1.0, rates)
    cmap = plotting_cmap()
    image = ax.imshow(
        shown, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0
    )
    ax.set_facecolor("#DDDDDD")
    ax.contour(
        MAP_LEARNING_RATES,
        MAP_BETAS,
        rates,
        levels=[0.5, 0.8, 0.9, 0.95],
        colors="white",
        linewidths=0.5,
    )
    ax.set_xlabel(r"learning rate $\eta$ (here $L = 1$)")
    ax.set_ylabel(r"momentum $\beta$")
    return image


def plotting_cmap() -> ListedColormap:
    """Viridis, reversed so that fast (small rate) is bright."""
    import matplotlib as mpl

    return ListedColormap(mpl.colormaps["viridis_r"](np.linspace(0, 1, 256)), name="rate")


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


@register("momentum_valley.svg")
def valley() -> Figure:
    """GD at its best step vs heavy ball at its best pair, in the same valley."""
    problem = VALLEY.problem()
    gd_eta = float(gd.optimal_learning_rate(MU, L))
    tuned = hb.optimal_heavy_ball(MU, L)
    runs = {
        "gd": (gd.gradient_descent(gd_eta), rf"GD, $\eta = {gd_eta:.2f}$"),
        "momentum": (
            hb.momentum(tuned.learning_rate, tuned.beta),
            rf"momentum, $\eta = {float(tuned.learning_rate):.2f}$, "
            rf"$\beta = {float(tuned.beta):.2f}$",
        ),
    }
    fig, axes = plotting.new_figure(ncols=2, figsize=(9.6, 3.6))
    _valley_axes(axes[0])
    for key, (opt, label) in runs.items():
        traj = run(opt, problem.grad, VALLEY.start, 40)
        plotting.path(axes[0], traj.params[:16], label=label, color=METHOD_COLORS[key])
        errors = np.linalg.norm(traj.params, axis=-1)
        plotting.error_curve(axes[1], errors, label=label, color=METHOD_COLORS[key])
    steps = np.arange(41)
    gd_rate = float(gd.optimal_rate(VALLEY.kappa))
    for rate, key in [(gd_rate, "gd"), (float(tuned.rate), "momentum")]:
        axes[1].semilogy(
            steps,
            errors[0] * rate**steps,
            ls="--",
            lw=1,
            color=METHOD_COLORS[key],
            label=f"rate {rate:.3f} (theory)",
        )
    axes[0].set_title("the first 15 steps")
    axes[1].set_ylabel(r"error $\|x_k - x^\star\|$")
    axes[1].set_title(f"error per step: {gd_rate:.2f} (GD) vs {float(tuned.rate):.2f}")
    axes[1].legend(fontsize=8)
    fig.suptitle(r"In the same valley ($\kappa = 10$), tuned momentum needs far fewer steps")
    plotting.label_panels(axes)
    return fig


@register("momentum_memory.svg")
def memory() -> Figure:
    """The weights beta^k with window, mean age, half-life; build-up to terminal velocity."""
    beta = 0.9
    scales = hb.ema_timescales(beta)
    ages = np.arange(40)
    fig, axes = plotting.new_figure(ncols=2, figsize=(9.6, 3.5))
    ax = axes[0]
    ax.bar(ages, beta**ages, color=PALETTE["sky"], width=0.8, label=r"weight $\beta^k$")
    marks = [
        (float(scales.half_life), "half-life", PALETTE["vermillion"]),
        (float(scales.mean_age), "mean age", PALETTE["green"]),
        (float(scales.window), "window", PALETTE["black"]),
    ]
    for value, name, color in marks:
        ax.axvline(value, color=color, lw=1.2, ls="--", label=f"{name} = {value:.2f}")
    ax.set_xlabel("age $k$ of the gradient (steps)")
    ax.set_ylabel("weight in $b_t$")
    ax.set_title(r"$\beta = 0.9$: the weights sum to $1/(1-\beta) = 10$")
    ax.legend()
    ax = axes[1]
    steps = np.arange(61)
    constant = hb.replay_gradients(hb.momentum(1.0, beta), np.ones((60, 1)))
    flips = (-1.0) ** np.arange(60)[:, None]  # g, -g, g, ...
    alternating = hb.replay_gradients(hb.momentum(1.0, beta), flips)
    ax.plot(steps, constant.field("velocity")[:, 0], color=METHOD_COLORS["momentum"])
    ax.plot(steps, np.abs(alternating.field("velocity")[:, 0]), color=METHOD_COLORS["gd"])
    ax.axhline(1 / (1 - beta), color=PALETTE["black"], lw=0.8, ls=":")
    ax.axhline(1 / (1 + beta), color=PALETTE["black"], lw=0.8, ls=":")
    k95 = float(hb.steps_to_fraction(beta, 0.95))
    ax.axvline(k95, color=PALETTE["vermillion"], lw=1.0, ls="--")
    ax.text(k95 + 1, 2.0, f"95% after {k95:.1f} steps", color=PALETTE["vermillion"])
    ax.text(33, 1 / (1 - beta) - 1.1, r"constant $g$: $\to g/(1-\beta)$")
    ax.text(33, 1 / (1 + beta) + 0.35, r"alternating $\pm g$: $\to g/(1+\beta)$")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$|b_t| / g$")
    ax.set_title("steady gradients add up, alternating ones cancel")
    plotting.label_panels(axes)
    return fig


@register("momentum_rate_map.svg")
def rate_maps() -> Figure:
    """The rate over (eta, beta), in two panels.

    One eigenvalue with its regimes; the valley's spectrum with its optimum.
    """
    fig, axes = plotting.new_figure(ncols=2, figsize=(9.6, 3.9))
    ax = axes[0]
    image = _draw_rate_map(ax, rate_map(lam=1.0))
    eta = MAP_LEARNING_RATES
    critical = hb.critical_damping_beta(eta, 1.0)  # discriminant zero, the minus branch
    stable = eta < 2.0 + 2.0 * critical
    ax.plot(eta[stable], critical[stable], color=PALETTE["vermillion"], lw=1.3)
    ax.plot(eta, np.clip(eta / 2.0 - 1.0, 0.0, None), color=PALETTE["black"], lw=1.3)
    ax.set_ylim(MAP_BETAS[0], MAP_BETAS[-1])
    ax.text(0.12, 0.1, "monotone", fontsize=9)
    ax.text(0.9, 0.55, "ripples:\n" + r"rate $\sqrt{\beta}$", color="white", fontsize=9)
    ax.text(3.0, 0.37, "divergent:", fontsize=9)
    ax.annotate(
        "oscillating",
        (1.8, 0.06),
        xytext=(2.6, 0.18),
        fontsize=9,
        arrowprops={"arrowstyle": "->", "color": "black"},
    )
    ax.text(
        0.05, 0.92, r"$\beta = (1-\sqrt{\eta\lambda})^2$", color=PALETTE["vermillion"], fontsize=9
    )
    ax.text(3.0, 0.3, r"$\eta\lambda > 2+2\beta$", fontsize=9)
    ax.set_title(r"one eigenvalue, $\lambda = 1$: four regimes")
    ax = axes[1]
    _draw_rate_map(ax, rate_map(mu=MU, lam=L))
    tuned = hb.optimal_heavy_ball(MU, L)
    gd_eta = float(gd.optimal_learning_rate(MU, L))
    ax.plot(tuned.learning_rate, tuned.beta, marker="*", color=PALETTE["vermillion"], ms=12)
    ax.plot(gd_eta, 0.0, marker="o", color=PALETTE["vermillion"], ms=6, clip_on=False)
    ax.annotate(
        f"optimum: rate {float(tuned.rate):.3f}",
        (float(tuned.learning_rate), float(tuned.beta)),
        xytext=(1.0, 0.83),
        color="white",
        arrowprops={"arrowstyle": "->", "color": "white"},
    )
    ax.annotate(
        f"best GD: {float(gd.optimal_rate(VALLEY.kappa)):.3f}",
        (gd_eta, 0.0),
        xytext=(0.3, 0.25),
        color="white",
        arrowprops={"arrowstyle": "->", "color": "white"},
    )
    ax.set_title(rf"the valley's spectrum $[{MU:g}, {L:g}]$: the best pair")
    ax.set_ylabel("")
    fig.colorbar(image, ax=axes, label=r"rate $\rho$ (error factor per step)", shrink=0.9)
    fig.suptitle(
        r"In the ripples the rate is $\sqrt{\beta}$ whatever $\eta$; "
        "the best pair damps both ends of the spectrum critically"
    )
    plotting.label_panels(axes)
    return fig


@register("momentum_kappa.svg")
def kappa_scaling() -> Figure:
    """Log-log iterations vs kappa with fitted slopes: about 1 for GD, about 1/2 for momentum."""
    kappas, gd_counts, hb_counts = hb.kappa_experiment()
    fig, ax = plotting.new_figure(figsize=(5.6, 3.8))
    for key, counts, name in [("gd", gd_counts, "GD"), ("momentum", hb_counts, "momentum")]:
        slope = loglog_slope(kappas, counts)
        ax.loglog(
            kappas, counts, marker="o", color=METHOD_COLORS[key], label=f"{name}: slope {slope:.2f}"
        )
    for growth, key, label in [
        (kappas, "gd", r"$\frac{\kappa}{2}\ln 10^6$"),
        (np.sqrt(kappas), "momentum", r"$\frac{\sqrt{\kappa}}{2}\ln 10^6$"),
    ]:
        ax.loglog(
            kappas, 0.5 * np.log(1e6) * growth, ls=":", color=METHOD_COLORS[key], lw=1, label=label
        )
    ax.loglog(
        kappas,
        hb.double_root_counts(kappas),
        ls="none",
        marker="x",
        ms=8,
        color=PALETTE["black"],
        label="momentum, predicted from the double roots",
    )
    ax.set_xlabel(r"condition number $\kappa$")
    ax.set_ylabel(r"iterations to reach $10^{-6}$")
    ax.set_title(r"tuned momentum needs $\sim\sqrt{\kappa}$ iterations, GD $\sim\kappa$")
    ax.set_ylim(top=6.0 * gd_counts.max())  # room for the legend above the GD line
    ax.legend(fontsize=8, loc="upper left")
    return fig


@register("momentum_lessard.svg")
def lessard() -> Figure:
    """Lessard et al.'s counterexample: the tuned heavy ball settles on a 3-cycle."""
    problem = lessard_problem()
    xs = hb.lessard_run()
    cycle = xs[hb.LESSARD_CYCLE_START : hb.LESSARD_CYCLE_START + 3]
    quad = run(hb.momentum(1 / 9, 4 / 9), lambda x: 25.0 * x, [hb.LESSARD_START], xs.size - 1)
    fig, axes = plotting.new_figure(ncols=2, figsize=(9.6, 3.4))
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
    ax.legend(loc="upper left")
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
    ax.set_title(r"$\eta = 1/9$, $\beta = 4/9$: a cycle, not convergence")
    ax.legend(loc="upper right")
    plotting.label_panels(axes)
    return fig


@register("momentum_schedules.svg")
def schedules() -> Figure:
    """Sutskever's and Nesterov's schedules as a growing memory 1/(1 - beta_t)."""
    steps = np.arange(1, 200_001)
    fig, ax = plotting.new_figure(figsize=(5.6, 3.6))
    for beta_max, color in [(0.99, PALETTE["sky"]), (0.999, PALETTE["blue"])]:
        window = 1.0 / (1.0 - hb.sutskever_beta(steps, beta_max))
        ax.loglog(steps, window, color=color, label=rf"Sutskever, $\beta_{{\max}} = {beta_max}$")
    ax.loglog(
        steps,
        1.0 / (1.0 - nesterov_beta(steps)),
        color=METHOD_COLORS["nesterov"],
        label=r"Nesterov, $1 - 3/(t+5)$",
    )
    ax.set_xlabel("update $t$")
    ax.set_ylabel(r"memory $1/(1-\beta_t)$ (steps)")
    ax.set_title("both schedules let the memory grow in proportion to $t$")
    ax.legend()
    return fig


# --------------------------------------------------------------------------------------
# The explorer: alpha and beta sliders, trajectory with velocity arrows, rate map
# --------------------------------------------------------------------------------------

EXPLORER_DEFAULTS = {"learning_rate": 1.0, "beta": 0.6}
EXPLORER_STEPS = 40


def explorer_run(learning_rate: float, beta: float) -> tuple[Array, Array]:
    r"""Iterates and the momentum part of each next step, :math:`-\eta\beta b_k`, in the valley."""
    traj = run(
        hb.momentum(learning_rate, beta),
        VALLEY.problem().grad,
        VALLEY.start,
        EXPLORER_STEPS,
        bound=1e3,
    )
    coast = hb.coast(learning_rate, beta, traj.field("velocity"))  # the buffer alone carries x
    full = np.full((EXPLORER_STEPS + 1, 2), np.nan)  # a diverged run stops early: pad
    points, arrows = full.copy(), full.copy()
    points[: traj.params.shape[0]] = traj.params
    arrows[: coast.shape[0]] = coast
    return points, arrows


@register_widget("momentum_explorer")
def momentum_explorer() -> Explorer:
    """Sliders for eta and beta; left the path with velocity arrows, right the rate map."""
    fig, axes = plotting.new_figure(ncols=2, figsize=(9.6, 3.7))
    left, right = axes
    _valley_axes(left)
    (line,) = left.plot([], [], marker="o", ms=2.5, color=METHOD_COLORS["momentum"])
    (start,) = left.plot(*VALLEY.start, marker="s", color=METHOD_COLORS["momentum"], ms=5)
    zeros = np.zeros(EXPLORER_STEPS + 1)
    arrows = left.quiver(
        zeros,
        zeros,
        zeros,
        zeros,
        angles="xy",
        scale_units="xy",
        scale=1.0,
        color=PALETTE["orange"],
        width=0.006,
        zorder=3,
    )
    _draw_rate_map(right, rate_map(mu=MU, lam=L))
    tuned = hb.optimal_heavy_ball(MU, L)
    right.plot(tuned.learning_rate, tuned.beta, marker="*", color=PALETTE["vermillion"], ms=11)
    (marker,) = right.plot([], [], marker="o", ms=9, mfc="none", mec="white", mew=2.0)
    controls = {
        "learning_rate": slider(
            "learning rate η", EXPLORER_DEFAULTS["learning_rate"], 0.05, 4.0, 0.01
        ),
        "beta": slider("momentum β", EXPLORER_DEFAULTS["beta"], 0.0, 0.99, 0.01),
    }

    def draw(learning_rate: float, beta: float) -> dict[str, Any]:
        points, coast = explorer_run(learning_rate, beta)
        finite = np.all(np.isfinite(points), axis=-1)
        line.set_data(points[finite, 0], points[finite, 1])
        shown = finite & np.all(np.isfinite(coast), axis=-1)
        anchor = np.where(shown[:, None], points, VALLEY.start)
        arrows.set_offsets(anchor)
        arrows.set_UVC(np.where(shown, coast[:, 0], 0.0), np.where(shown, coast[:, 1], 0.0))
        marker.set_data([learning_rate], [beta])
        rate = float(hb.heavy_ball_rate_on_spectrum(learning_rate, beta, MU, L))
        regimes = [
            hb.REGIMES[int(hb.heavy_ball_regime(learning_rate, beta, lam))] for lam in (MU, L)
        ]
        left.set_title(
            rf"$\eta = {learning_rate:.2f}$, $\beta = {beta:.2f}$; arrows: $-\eta\beta b_k$"
        )
        right.set_title(f"rate {rate:.3f}; flat / steep direction: {regimes[0]} / {regimes[1]}")
        return {
            "rate": rate,
            "regimes": regimes,
            "diverged": not bool(finite.all()),
            "points": points,
        }

    dynamic = [line, start, arrows, marker, left.title, right.title]  # repaint only these
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


@register("momentum_explorer.svg")
def explorer_default() -> Figure:
    """The explorer's picture at its default sliders (the static stand-in for the widget)."""
    return momentum_explorer().figure


# --------------------------------------------------------------------------------------
# Noisy gradients: the previous chapter's noisy valley, now with momentum
# --------------------------------------------------------------------------------------


def _noise_label(eta: float, beta: float) -> str:
    """Legend entry for one of :func:`gdbook.momentum.noise_methods`."""
    if beta > 0:
        return rf"momentum, $\eta = {eta:g}$, $\beta = {beta:g}$"
    if eta == hb.NOISE_LEARNING_RATE:
        return rf"GD, $\eta = {eta:g}$"
    return rf"GD, $\eta = {eta:g} = {hb.NOISE_LEARNING_RATE:g}/(1-\beta)$"


@register("momentum_noise.svg")
def noise() -> Figure:
    """Momentum at eta has, to first order, the floor of GD at eta/(1-beta).

    At equal floor it is at most twice as fast.
    """
    problem = VALLEY.problem()
    y0 = problem.to_eigenbasis(VALLEY.start)
    runs = hb.noise_runs()
    colors = [METHOD_COLORS["gd"], METHOD_COLORS["momentum"], PALETTE["orange"]]
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(9.6, 3.7))
    steps = np.arange(hb.NOISE_STEPS + 1)
    for (name, (eta, beta)), color in zip(hb.noise_methods().items(), colors, strict=True):
        left.semilogy(steps, runs[name].mean(axis=1), color=color, label=_noise_label(eta, beta))
        exact = hb.heavy_ball_mean_square(
            eta, beta, problem.eigenvalues, NOISE_SIGMA, y0, hb.NOISE_STEPS
        )
        left.semilogy(steps, exact, color=PALETTE["black"], ls=":", lw=1)
        floor = float(hb.heavy_ball_noise_floor(eta, beta, problem.eigenvalues, NOISE_SIGMA))
        left.axhline(floor, color=color, lw=0.8, ls="--")
    left.plot([], [], color=PALETTE["black"], ls=":", lw=1, label="exact mean square")
    left.plot([], [], color=PALETTE["black"], ls="--", lw=0.8, label="noise floors")
    left.set_xlim(0, 200)
    left.set_xlabel("step $k$")
    left.set_ylabel(rf"$\mathbb{{E}}\,\|x_k - x^\star\|^2$ (mean of {hb.NOISE_CHAINS} runs)")
    left.set_title(r"momentum at $\eta$: about the floor of GD at $\eta/(1-\beta)$")
    left.legend(fontsize=8)
    gd_steps, best, best_beta = hb.equal_floor_comparison()
    gains = gd_steps / best
    right.semilogx(hb.NOISE_FLOORS, gains, marker="o", color=METHOD_COLORS["momentum"])
    for floor, ratio, b in zip(hb.NOISE_FLOORS[::2], gains[::2], best_beta[::2], strict=True):
        right.annotate(
            rf"$\beta = {b:.3f}$",
            (floor, ratio),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    right.axhline(2.0, color=PALETTE["black"], ls=":", lw=1)
    right.axhline(1.0, color=METHOD_COLORS["gd"], lw=1)
    right.text(
        hb.NOISE_FLOORS[0], 2.0, "limit for small floors", ha="right", va="bottom", fontsize=8
    )
    right.text(hb.NOISE_FLOORS[0], 1.0, "no gain", ha="right", va="bottom", fontsize=8)
    right.set_ylim(0.8, 2.3)
    start_sq = float(np.sum(VALLEY.start**2))
    right.set_xlabel(
        rf"prescribed noise floor $v$ (the start has $\|x_0 - x^\star\|^2 = {start_sq:g}$)"
    )
    right.set_ylabel("GD steps / momentum steps")
    right.set_title(r"steps to settle below $2v$: gain of the best $\beta$")
    fig.suptitle(
        rf"Noisy gradients ($\sigma = {NOISE_SIGMA:g}$): momentum does little to the floor, "
        "and reaches a given floor at most twice as fast"
    )
    plotting.label_panels([left, right])
    return fig
