r"""Figures and the explorer of the chapter *A learning rate per coordinate*.

Every picture is drawn from the runs and closed forms of :mod:`gdbook.adaptive` (and the
EMA timescales of :mod:`gdbook.momentum`); nothing is placed by hand. Symbols:
:math:`\eta` learning rate, :math:`\rho` decay, :math:`\epsilon` epsilon, :math:`s_t`
Adagrad's sum of squares, :math:`v_t` RMSProp's mean square, :math:`u_t` Adadelta's mean
square of updates, :math:`\kappa_J` the condition number after Jacobi scaling.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from gdbook import adaptive as ad
from gdbook import plotting
from gdbook.examples import VALLEY
from gdbook.figures import register
from gdbook.momentum import ema_timescales
from gdbook.plotting import METHOD_COLORS, PALETTE, within_view
from gdbook.widgets import Explorer, freeze, register_widget, slider

WIDTH = 6.9  # inches: the text column
COLORS = {
    "gd": METHOD_COLORS["gd"],
    "adagrad": METHOD_COLORS["adagrad"],
    "rmsprop": METHOD_COLORS["rmsprop"],
    "adadelta": METHOD_COLORS["adadelta"],
}
NAMES = {"gd": "gradient descent", "adagrad": "Adagrad", "rmsprop": "RMSProp"}


@register("adaptive_sparse.svg")
def sparse() -> Figure:
    """The sparse logistic regression: per-feature errors, and Adagrad's per-feature rates."""
    result = ad.sparse_comparison()
    freq = result["frequencies"]
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.2))
    top.set_yscale("log")
    top.set_ylim(1e-7, 10.0)
    steps = np.arange(ad.SPARSE_STEPS + 1)
    features = {0: "intercept (in every sample)", freq.size - 1: f"rarest ({freq[-1]:.1%})"}
    for name, style in [("gd", "--"), ("adagrad", "-")]:
        rate = result["rates"][name]
        for j, label in features.items():
            errors = within_view(top, result["errors"][name][:, j])
            width = 1.0 if j == 0 else 2.0
            top.plot(steps, errors, color=COLORS[name], ls=style, lw=width,
                     label=f"{NAMES[name]} ($\\eta = {rate:.3g}$), {label}")  # fmt: skip
    top.set_xlim(0, ad.SPARSE_STEPS)
    top.set_xlabel("step $t$")
    top.set_ylabel(r"$|w_{t,j} - w^\star_j|$")
    top.set_title("gradient descent waits for the rare feature; Adagrad does not")
    top.legend(fontsize=8.5, loc="upper right")
    final = result["adagrad_rates"][-1]
    bottom.loglog(
        freq, final, marker="o", color=COLORS["adagrad"], label=r"Adagrad, $\eta/\sqrt{s_j}$"
    )
    reference = final[0] * freq[0] / freq
    bottom.loglog(freq, reference, ls=":", color=PALETTE["black"], lw=1.0,
                  label="proportional to 1/frequency")  # fmt: skip
    bottom.axhline(result["rates"]["gd"], color=COLORS["gd"], ls="--",
                   label="gradient descent, one rate for all")  # fmt: skip
    bottom.set_xlabel("share of samples in which the feature is present")
    bottom.set_ylabel(f"rate after {ad.SPARSE_STEPS} steps")
    bottom.set_title("Adagrad's rate per feature: the rarer, the larger")
    bottom.legend(fontsize=8.5)
    plotting.label_panels([top, bottom])
    return fig


@register("adaptive_rotation.svg")
def rotation() -> Figure:
    """Tuned iterations as the valley turns, and the condition number after Jacobi scaling."""
    result = ad.rotation_experiment()
    degrees = np.degrees(result["angles"])
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 5.6), sharex=True)
    for name in ("gd", "adagrad"):
        top.plot(degrees, result[name], marker="o", ms=3, color=COLORS[name], label=NAMES[name])
    top.plot(degrees, ad.jacobi_counts(result["jacobi"]), ls=":", color=PALETTE["black"],
             label="gradient descent after the best diagonal scaling")  # fmt: skip
    top.set_ylabel(f"steps to {ad.TOL:g} (best $\\eta$)")
    top.set_title(
        rf"the valley ($\kappa = {VALLEY.kappa:g}$) turned from its axes: each method tuned"
    )
    top.set_ylim(0, 135)
    top.legend(fontsize=8.5, loc="upper center", ncol=2)
    bottom.plot(degrees, result["jacobi"], color=PALETTE["black"])
    bottom.axhline(VALLEY.kappa, color=PALETTE["black"], ls="--", lw=0.8)
    bottom.text(2, VALLEY.kappa - 1.0, rf"$\kappa = {VALLEY.kappa:g}$", fontsize=9)
    bottom.set_xlabel("angle between the valley's floor and the $x_1$ axis (degrees)")
    bottom.set_ylabel(r"$\kappa_J$")
    bottom.set_title(r"condition number after the Jacobi scaling $D^{-1/2}AD^{-1/2}$")
    bottom.set_xlim(0, 90)
    bottom.set_xticks(np.arange(0, 91, 15))
    plotting.label_panels([top, bottom])
    return fig


@register("adaptive_decay.svg")
def decay() -> Figure:
    """Down a long slope: Adagrad's steps shrink like 1/sqrt(t), RMSProp's do not."""
    result = ad.premature_decay()
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 5.8))
    steps = np.arange(ad.SLOPE_STEPS + 1)
    smooth = plotting.log_thinned(steps)  # GD's and Adagrad's paths are smooth; RMSProp's is not
    for name in ("gd", "rmsprop", "adagrad"):
        crossing = result["crossings"][name]
        shown = slice(None) if name == "rmsprop" else smooth
        top.plot(steps[shown], result["paths"][name][shown], color=COLORS[name],
                 label=f"{NAMES[name]}: crosses 0 at step {crossing}")  # fmt: skip
    closed = ad.SLOPE_START + ad.adagrad_displacement(ad.SLOPE_RATE, ad.SLOPE_STEPS)
    top.plot(steps[smooth], closed[smooth], ls=":", color=PALETTE["black"], lw=1.2,
             label=r"$w_0 + \eta\sum_{k \leq t} k^{-1/2}$ (unit slope)")  # fmt: skip
    top.axhline(0.0, color="0.6", lw=0.8)
    top.set_xscale("log")
    top.set_xlim(1, ad.SLOPE_STEPS)
    top.set_ylim(ad.SLOPE_START - 2, 12)
    top.set_xlabel("step $t$")
    top.set_ylabel("$w_t$")
    top.set_title(
        rf"one example far on the wrong side: $w_0 = {ad.SLOPE_START:g}$, "
        rf"$\eta = {ad.SLOPE_RATE:g}$"
    )
    top.legend(fontsize=8.5, loc="upper left")
    bottom.set_yscale("log")
    bottom.set_xscale("log")
    bottom.set_xlim(1, ad.SLOPE_STEPS)
    bottom.set_ylim(3e-3, 3.0)
    t = np.arange(1, ad.SLOPE_STEPS + 1)
    for name in ("rmsprop", "adagrad"):
        rate = within_view(bottom, result["rates"][name])
        shown = slice(None) if name == "rmsprop" else plotting.log_thinned(t)
        bottom.plot(t[shown], rate[shown], color=COLORS[name], label=NAMES[name])
    thin = plotting.log_thinned(t)
    bottom.plot(t[thin], ad.SLOPE_RATE / np.sqrt(t[thin]), ls=":", color=PALETTE["black"],
                lw=1.2, label=r"$\eta/\sqrt{t}$")  # fmt: skip
    bottom.set_xlabel("step $t$")
    bottom.set_ylabel("rate per coordinate")
    bottom.set_title(
        r"$\eta/\sqrt{s_t}$ (Adagrad) keeps falling; $\eta/\sqrt{v_t}$ (RMSProp) does not"
    )
    bottom.legend(fontsize=8.5, loc="lower left")
    plotting.label_panels([top, bottom])
    return fig


@register("adaptive_timescales.svg")
def timescales() -> Figure:
    """The weights of an EMA with its three timescales, and the timescales against rho."""
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 5.8))
    rho = 0.9
    scales = ema_timescales(rho)
    ages = np.arange(30)
    top.bar(ages, (1 - rho) * rho**ages, color=PALETTE["sky"], width=0.8,
            label=r"weight $(1-\rho)\rho^k$")  # fmt: skip
    marks = [
        (float(scales.half_life), "half-life", PALETTE["vermillion"], "--"),
        (float(scales.mean_age), "mean age", PALETTE["green"], "--"),
        (float(scales.window), "window", PALETTE["black"], "--"),
        (1 / rho, r"D2L's 'half-life' $\gamma^{-1}$", PALETTE["purple"], ":"),
    ]
    for value, name, color, style in marks:
        top.axvline(value, color=color, lw=1.3, ls=style, label=f"{name} = {value:.2f}")
    top.set_xlabel("age $k$ of the squared gradient (steps)")
    top.set_ylabel("weight in $v_t$")
    top.set_title(
        rf"$\rho = {rho:g}$: the weight halves after {float(scales.half_life):.2f} steps, "
        rf"not {float(scales.window):.0f} and not {1 / rho:.2f}"
    )
    top.legend(fontsize=8.5)
    rhos = 1.0 - np.geomspace(0.5, 1e-3, 200)
    curves = ema_timescales(rhos)
    for values, name, color in [
        (curves.window, r"window $1/(1-\rho)$", PALETTE["black"]),
        (curves.mean_age, r"mean age $\rho/(1-\rho)$", PALETTE["green"]),
        (curves.half_life, r"half-life $\ln 2/\ln(1/\rho)$", PALETTE["vermillion"]),
        (1 / rhos, r"$\gamma^{-1} = 1/\rho$", PALETTE["purple"]),
    ]:
        bottom.loglog(1 - rhos, values, color=color, label=name)
    bottom.invert_xaxis()
    bottom.set_xlabel(r"$1 - \rho$")
    bottom.set_ylabel("steps")
    bottom.set_title(r"for $\rho \to 1$ the half-life is $\ln 2 \approx 0.69$ windows")
    bottom.legend(fontsize=8.5)
    plotting.label_panels([top, bottom])
    return fig


@register("adaptive_adadelta.svg")
def adadelta_warmup() -> Figure:
    """Adadelta's steps grow from sqrt(eps/(1-rho)); on the valley eps sets the pace."""
    result = ad.adadelta_warmup()
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.0))
    t = np.arange(1, ad.ADADELTA_STEPS + 1)
    colors = mpl.colormaps["viridis"](np.linspace(0.0, 0.85, result["eps"].size))
    for i, (eps, color) in enumerate(zip(result["eps"], colors, strict=True)):
        top.loglog(
            t, result["steps"][:, i], color=color, label=rf"$\epsilon = 10^{{{np.log10(eps):.0f}}}$"
        )
        top.loglog(t, result["closed"][:, i], color=PALETTE["black"], ls=":", lw=0.8)
    top.plot(
        [], [], color=PALETTE["black"], ls=":", lw=0.8, label="closed form ($g^2 \\gg \\epsilon$)"
    )
    top.set_xlim(1, ad.ADADELTA_STEPS)
    top.set_xlabel("step $t$")
    top.set_ylabel(r"$|\Delta_t|$ under $g = 1$")
    top.set_title(
        rf"Adadelta ($\rho = {ad.ADADELTA_RHO:g}$): "
        r"every step is $\sqrt{\epsilon}$ times the same curve"
    )
    top.set_ylim(top=20.0)
    top.legend(fontsize=8.5, ncol=4, loc="upper left", columnspacing=1.0)
    arrived = result["valley"]
    ok = arrived > 0
    bottom.loglog(result["eps"][ok], arrived[ok], marker="o", color=COLORS["adadelta"],
                  label="measured")  # fmt: skip
    anchor = result["eps"][ok][0], arrived[ok][0]
    bottom.loglog(result["eps"][ok], anchor[1] * (result["eps"][ok] / anchor[0]) ** (-1 / 3),
                  ls=":", color=PALETTE["black"], label=r"$\propto \epsilon^{-1/3}$")  # fmt: skip
    bottom.set_xlabel(r"$\epsilon$")
    bottom.set_ylabel(f"steps to {ad.ADADELTA_VALLEY_TOL:g} of the start")
    bottom.set_title(r"on the valley, $\epsilon$ is the learning rate")
    bottom.legend(fontsize=8.5)
    plotting.label_panels([top, bottom])
    return fig


@register("adaptive_eps.svg")
def eps_placement() -> Figure:
    """RMSProp's 2-cycle on a quadratic: its amplitude against eps, outside and inside the root."""
    result = ad.cycle_amplitudes()
    fig, ax = plotting.new_figure(figsize=(WIDTH, 3.6))
    dense = np.geomspace(result["eps"][0], result["eps"][-1], 400)
    for name, inside, color in [
        ("outside", False, PALETTE["blue"]),
        ("inside", True, PALETTE["orange"]),
    ]:
        closed = ad.rmsprop_cycle_amplitude(ad.CYCLE_RATE, ad.CYCLE_LAMBDA, dense, inside)
        ax.semilogx(dense, closed, color=color, lw=1.2)
        ax.semilogx(result["eps"], result[name], ls="none", marker="o", ms=4, color=color,
                    label=rf"$\epsilon$ {name} the root")  # fmt: skip
    half = ad.CYCLE_RATE * ad.CYCLE_LAMBDA / 2
    for value, text in [(half, r"$\eta\lambda/2$"), (half**2, r"$(\eta\lambda/2)^2$")]:
        ax.axvline(value, color="0.5", ls="--", lw=0.8)
        ax.text(value, 1.02 * half, text, ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, 1.15 * half)
    ax.set_xlabel(r"$\epsilon$")
    ax.set_ylabel(r"final $\max|x_t|$")
    ax.set_title(rf"RMSProp on $\lambda x^2/2$, $\eta = {ad.CYCLE_RATE:g}$: a 2-cycle of "
                 r"amplitude $\eta/2$ unless $\epsilon$ is large")  # fmt: skip
    ax.legend(fontsize=9, loc="lower left")
    return fig


# --------------------------------------------------------------------------------------
# The explorer: the path in the turned valley, and each coordinate's rate over time
# --------------------------------------------------------------------------------------

LIMIT = 4.5  # the square the valley is drawn in
RATE_LIMITS = (1e-4, 1e4)


def _control_panel() -> dict[str, Any]:
    import ipywidgets as widgets

    defaults = ad.EXPLORER_DEFAULTS
    return {
        "method": widgets.Dropdown(
            options=list(ad.EXPLORER_METHODS), value=defaults["method"], description="method"
        ),
        "learning_rate": slider("η", defaults["learning_rate"], -3.0, 1.0, 0.1, log=True),
        "rho": slider("ρ", defaults["rho"], 0.5, 0.999, 0.001),
        "eps": slider("ε", defaults["eps"], -10.0, -1.0, 0.5, log=True, readout_format=".0e"),
        "angle": slider("angle (°)", defaults["angle"], 0.0, 90.0, 1.0, readout_format=".0f"),
    }


@register_widget("adaptive_explorer")
def adaptive_explorer() -> Explorer:
    """Method, eta, rho, eps and the valley's angle; the path beside each coordinate's rate."""
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(WIDTH, 3.5))
    levels = [left.plot([], [], color="0.6", lw=0.6)[0] for _ in VALLEY.levels]
    (star,) = left.plot(0.0, 0.0, marker="*", color=PALETTE["black"], markersize=9)
    left.set_xlim(-LIMIT, LIMIT)
    left.set_ylim(-LIMIT, LIMIT)
    left.set_aspect("equal")
    left.set_xlabel("$x_1$")
    left.set_ylabel("$x_2$")
    (line,) = left.plot([], [], marker="o", ms=2.5, lw=1.0, color=PALETTE["vermillion"])
    (start,) = left.plot([], [], marker="s", ms=5, color=PALETTE["vermillion"])
    right.set_yscale("log")
    right.set_xlim(1, ad.EXPLORER_STEPS)
    right.set_ylim(*RATE_LIMITS)
    right.set_xlabel("step $t$")
    right.set_ylabel("effective rate")
    rates = [
        right.plot([], [], color=color, label=f"coordinate $x_{i + 1}$")[0]
        for i, color in enumerate((PALETTE["blue"], PALETTE["orange"]))
    ]
    right.legend(fontsize=8.5, loc="upper left")
    controls = _control_panel()

    def draw(
        method: str, learning_rate: float, rho: float, eps: float, angle: float
    ) -> dict[str, Any]:
        out = ad.explorer_run(method, learning_rate, rho, eps, angle)
        problem, x0 = ad.rotated_valley(np.radians(angle))
        for artist, curve in zip(levels, plotting.level_sets(problem, VALLEY.levels), strict=True):
            artist.set_data(curve[:, 0], curve[:, 1])
        points = out["points"]
        line.set_data(points[:, 0], points[:, 1])
        start.set_data([x0[0]], [x0[1]])
        steps = np.arange(1, ad.EXPLORER_STEPS + 1)
        for i, artist in enumerate(rates):
            artist.set_data(steps, within_view(right, out["rates"][:, i]))
        last = out["errors"][np.isfinite(out["errors"])][-1]
        left.set_title(f"{method}, η = {learning_rate:.3g}: error {last:.1e}", fontsize=9)
        right.set_title(f"ρ = {rho:.3f}, ε = {eps:.0e}, valley at {angle:.0f}°", fontsize=9)
        return {"final_error": float(last), **out}

    dynamic = [*levels, star, line, start, *rates, left.title, right.title]  # in drawing order
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


@register("adaptive_explorer.svg")
def explorer_default() -> Figure:
    """The explorer's picture at its default controls (the static stand-in for the widget)."""
    return adaptive_explorer().figure
