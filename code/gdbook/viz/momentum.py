r"""Figures and the explorer of the chapter *Momentum*.

Every picture is drawn from runs of the tested code (:mod:`gdbook.momentum`,
:mod:`gdbook.base`) and from the closed forms there; nothing is hand-placed.
Symbols: :math:`\eta` learning rate, :math:`\beta` momentum, :math:`b_k` the
velocity buffer, :math:`\lambda` an eigenvalue, :math:`\mu, L` the extremes of
the spectrum, :math:`\kappa = L/\mu`.

The running example is the previous chapter's tilted valley
(:data:`gdbook.examples.VALLEY`, :math:`\kappa = 10`, :math:`L = 1`). The figures of the
sequel chapter are in :mod:`gdbook.viz.momentum_limits`.
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
from gdbook.examples import VALLEY
from gdbook.figures import register
from gdbook.measure import loglog_slope
from gdbook.nesterov import nesterov_beta
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.types import Array
from gdbook.widgets import Explorer, freeze, register_widget, slider

MU, L = 1.0 / VALLEY.kappa, 1.0  # the valley's spectrum
XLIM = (-4.2, 2.2)
YLIM = (-3.1, 1.9)
MAP_LEARNING_RATES: Array = np.linspace(0.01, 4.0, 200)  # eta (= eta * L, as L = 1)
MAP_BETAS: Array = np.linspace(0.0, 0.995, 200)
WIDTH = 6.9  # inches: the text column
LEGEND = {"fontsize": 10, "frameon": False}


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
    fig, axes = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.6))
    _valley_axes(axes[0])
    shown = hb.VALLEY_PATH_STEPS
    for key, (opt, label) in runs.items():
        traj = run(opt, problem.grad, VALLEY.start, 40)
        plotting.path(axes[0], traj.params[: shown + 1], label=label, color=METHOD_COLORS[key])
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
    axes[0].set_title(f"the first {shown} steps")
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, **LEGEND)
    axes[1].set_ylabel(r"error $\|x_k - x^\star\|$")
    axes[1].set_title("the error at each step")
    axes[1].legend(loc="lower left", ncol=2, **LEGEND)
    plotting.label_panels(axes)
    return fig


@register("momentum_memory.svg")
def memory() -> Figure:
    """The weights beta^k and their window; the build-up to terminal velocity."""
    beta = 0.9
    window = float(hb.ema_timescales(beta).window)
    ages = np.arange(40)
    fig, axes = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.4))
    ax = axes[0]
    ax.bar(ages, beta**ages, color=PALETTE["sky"], width=0.8, label=r"weight $\beta^k$")
    ax.axvline(window, color=PALETTE["black"], lw=1.2, ls="--", label=f"window = {window:.0f}")
    ax.set_xlabel("age $k$ of the gradient (steps)")
    ax.set_ylabel(r"weight in $b_k$")
    ax.set_title(rf"$\beta = {beta}$: the weights sum to $1/(1-\beta) = {window:.0f}$")
    ax.legend(**LEGEND)
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
    ax.text(31, 1 / (1 - beta) - 1.3, r"constant $g$: $\to g/(1-\beta)$")
    ax.text(31, 1 / (1 + beta) + 0.4, r"alternating $\pm g$: $\to g/(1+\beta)$")
    ax.set_xlabel("step $k$")
    ax.set_ylabel(r"$|b_k| / g$")
    ax.set_title("steady gradients add up, alternating ones leave a little")
    plotting.label_panels(axes)
    return fig


@register("momentum_rate_map.svg")
def rate_maps() -> Figure:
    """The rate over (eta, beta), stacked: one eigenvalue with its regimes; the valley's optimum."""
    fig, axes = plotting.new_figure(nrows=2, figsize=(WIDTH, 8.2))
    ax = axes[0]
    image = _draw_rate_map(ax, rate_map(lam=1.0))
    eta = MAP_LEARNING_RATES
    critical = hb.critical_damping_beta(eta, 1.0)  # discriminant zero, the minus branch
    stable = eta < 2.0 + 2.0 * critical
    ax.plot(eta[stable], critical[stable], color=PALETTE["vermillion"], lw=1.3)
    ax.plot(eta, np.clip(eta / 2.0 - 1.0, 0.0, None), color=PALETTE["black"], lw=1.3)
    ax.set_ylim(MAP_BETAS[0], MAP_BETAS[-1])
    ax.text(0.08, 0.03, "monotone")
    ax.text(1.0, 0.45, "ripples:\n" + r"rate $\sqrt{\beta}$", color="white")
    ax.text(3.0, 0.45, r"divergent: $\eta\lambda > 2+2\beta$")
    ax.annotate(
        "oscillating",
        (1.85, 0.05),
        xytext=(2.3, 0.2),
        arrowprops={"arrowstyle": "->", "color": "black"},
    )
    ax.text(0.05, 0.9, r"$\beta = (1-\sqrt{\eta\lambda})^2$", color=PALETTE["vermillion"])
    for letter, (e, b) in zip("ABCD", hb.REGIME_EXAMPLES.values(), strict=True):
        ax.plot(e, b, "o", ms=7, mfc="white", mec=PALETTE["black"])
        ax.annotate(letter, (e, b), xytext=(5, 4), textcoords="offset points", fontweight="bold")
    ax.set_title(r"one eigenvalue, $\lambda = 1$: four regimes (A-D: next figure)")
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
    fig.colorbar(image, ax=axes, label=r"rate $\rho$ (error factor per step)", shrink=0.6)
    plotting.label_panels(axes)
    return fig


@register("momentum_regimes.svg")
def regimes() -> Figure:
    """The error y_k in each regime: the four marked points of the rate map."""
    runs = hb.regime_examples()
    fig, axes = plotting.new_figure(nrows=2, ncols=2, figsize=(WIDTH, 5.0), sharex=True)
    for ax, letter, (name, (e, b)) in zip(
        axes.ravel(), "ABCD", hb.REGIME_EXAMPLES.items(), strict=True
    ):
        y = runs[name]
        steps = np.arange(y.size)
        ax.axhline(0.0, color=PALETTE["black"], lw=0.6)
        ax.vlines(steps, 0.0, y, color=METHOD_COLORS["momentum"], lw=1.2)
        ax.plot(steps, y, "o", ms=3, color=METHOD_COLORS["momentum"])
        rate = float(hb.heavy_ball_rate(e, b, 1.0))
        ax.set_title(
            rf"{letter}: {name}" + "\n" + rf"$\eta = {e:g}$, $\beta = {b:g}$, rate {rate:.2f}"
        )
        ax.set_ylim(-2.2, 2.2)
    for ax in axes[1]:
        ax.set_xlabel("step $k$")
    for ax in axes[:, 0]:
        ax.set_ylabel("$y_k$")
    return fig


@register("momentum_kappa.svg")
def kappa_scaling() -> Figure:
    """Log-log iterations vs kappa with fitted slopes: about 1 for GD, about 1/2 for momentum."""
    kappas, gd_counts, hb_counts = hb.kappa_experiment()
    fig, ax = plotting.new_figure(figsize=(WIDTH, 4.6))
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
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), **LEGEND)
    return fig


@register("momentum_schedules.svg")
def schedules() -> Figure:
    """Sutskever's and Nesterov's schedules as a growing memory 1/(1 - beta_k)."""
    steps = np.arange(1, 200_001)
    fig, ax = plotting.new_figure(figsize=(WIDTH, 4.0))
    for beta_max, color in [(0.99, PALETTE["sky"]), (0.999, PALETTE["blue"])]:
        window = 1.0 / (1.0 - hb.sutskever_beta(steps, beta_max))
        ax.loglog(steps, window, color=color, label=rf"Sutskever, $\beta_{{\max}} = {beta_max}$")
    ax.loglog(
        steps,
        1.0 / (1.0 - nesterov_beta(steps)),
        color=METHOD_COLORS["nesterov"],
        label=r"Nesterov, $1 - 3/(k+5)$",
    )
    ax.set_xlabel("update $k$")
    ax.set_ylabel(r"memory $1/(1-\beta_k)$ (steps)")
    ax.set_title("both schedules let the memory grow in proportion to $k$")
    ax.legend(**LEGEND)
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
    fig, axes = plotting.new_figure(nrows=2, figsize=(WIDTH, 7.4))
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
