r"""Figures, the explorer and the animation of the chapter *Momentum as physics*.

Every picture is drawn from the experiments and closed forms of :mod:`gdbook.physics`;
nothing is hand-placed. Symbols: :math:`x` position, :math:`v` velocity, :math:`h` time
step, :math:`c` drag coefficient, :math:`\omega = \sqrt\lambda`, :math:`t` time.
"""

from __future__ import annotations

from typing import Any

import ipywidgets
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from gdbook import physics as ph
from gdbook import plotting
from gdbook.animations import register_animation
from gdbook.examples import VALLEY
from gdbook.figures import register
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.problems import vecmat
from gdbook.types import Array
from gdbook.widgets import Explorer, freeze, register_widget, slider

WIDTH = 6.9  # inches: the text column
SCHEME_COLORS = {
    "explicit Euler": PALETTE["vermillion"],
    "semi-implicit Euler": METHOD_COLORS["momentum"],  # it is the heavy ball
    "RK4": PALETTE["black"],
}
LAW_COLORS = {
    "viscous": METHOD_COLORS["viscous_momentum"],
    "turbulent": METHOD_COLORS["turbulent_momentum"],
    "dry": METHOD_COLORS["dry_friction_momentum"],
}
REGIME_SETTINGS = {"over-damped": 3.0, "critically damped": 2.0, "under-damped": 0.5}
"""Friction c of the three continuous regimes drawn for omega = 1."""


def _sparse_log(*axes: Axes, numticks: int = 6) -> None:
    """Log y axes with a labelled tick every few decades and no minor ticks (light SVGs)."""
    for ax in axes:
        ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=numticks))
        ax.yaxis.set_minor_locator(NullLocator())


def _drag_label(law: str, coefficient: float) -> str:
    symbol = {"viscous": r"\beta", "turbulent": "c", "dry": "c"}[law]
    return rf"{law}, ${symbol} = {coefficient:.3g}$"


# --------------------------------------------------------------------------------------
# The damped oscillator
# --------------------------------------------------------------------------------------


@register("physics_oscillator.svg")
def oscillator() -> Figure:
    """The three continuous regimes of the damped oscillator, from rest at x = 1."""
    fig, ax = plotting.new_figure(figsize=(WIDTH, 3.4))
    t = np.linspace(0.0, 12.0, 241)
    colors = [PALETTE["orange"], PALETTE["vermillion"], PALETTE["blue"]]
    for (name, c), color in zip(REGIME_SETTINGS.items(), colors, strict=True):
        ax.plot(t, ph.oscillator(c, 1.0, 1.0, t)[0], color=color, label=rf"{name}, $c = {c:g}$")
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.set_xlabel("time $t$")
    ax.set_ylabel("position $x(t)$")
    ax.set_title(r"$\ddot x + c\dot x + x = 0$ from rest at $x_0 = 1$ ($\omega = 1$)")
    ax.legend()
    return fig


@register("physics_orders.svg")
def orders() -> Figure:
    """Global error at T against the step h on log-log axes: slopes 1, 1 and 4."""
    fig, ax = plotting.new_figure(figsize=(WIDTH, 3.9))
    for name, (hs, errors, slope) in ph.convergence_orders().items():
        ax.loglog(
            hs, errors, marker="o", color=SCHEME_COLORS[name], label=f"{name}: slope {slope:.2f}"
        )
    hs = ph.convergence_orders()["RK4"][0]
    ax.set_xlabel(r"time step $h$ (halved five times)")
    ax.set_ylabel(rf"error at $T = {ph.ORDER_TIME:g}$")
    ax.set_title(r"halving $h$: Euler errors halve, RK4's fall 16-fold")
    ax.set_xticks(hs[::2], [f"{h:g}" for h in hs[::2]])
    ax.minorticks_off()
    _sparse_log(ax)
    ax.legend(loc="lower right")
    return fig


@register("physics_energy.svg")
def energy() -> Figure:
    """Energy of the three integrators: without friction (growth, bounded error) and with it."""
    fig, axes = plotting.new_figure(nrows=3, figsize=(WIDTH, 7.6))
    h, w = ph.ENERGY_STEP, ph.OSCILLATOR["omega"]
    e0 = 0.5 * w**2 * ph.OSCILLATOR["x0"] ** 2
    free = ph.energy_runs()
    t = free["RK4"][0]
    few, some = slice(None, None, 3), slice(None, None, 2)  # points enough for the eye
    axes[0].set_ylim(0.5, 1000)
    for name, (_, kinetic, potential) in free.items():
        total = (kinetic + potential) / e0
        axes[0].semilogy(
            t[few], plotting.within_view(axes[0], total[few]), color=SCHEME_COLORS[name], label=name
        )
        if name != "explicit Euler":
            axes[1].plot(t[some], total[some] - 1, color=SCHEME_COLORS[name], label=name)
    axes[0].semilogy(
        t[few], (1 + (h * w) ** 2) ** (t[few] / h), ls=":", color=PALETTE["black"], lw=1
    )
    axes[0].text(36, 60, r"$(1 + h^2\omega^2)^k$", ha="right", fontsize=10)
    axes[0].set_ylabel(r"$E_k / E_0$")
    axes[0].set_title(rf"no friction, $h\omega = {h * w:g}$: explicit Euler's energy grows")
    axes[0].legend(loc="upper left")
    band = (1 / (1 + h * w / 2) - 1, 1 / (1 - h * w / 2) - 1)
    axes[1].axhspan(
        *band, color=PALETTE["sky"], alpha=0.2, lw=0, label=r"$\tilde E/(1 \pm h\omega/2)$"
    )
    axes[1].set_ylim(-0.085, 0.07)
    axes[1].set_ylabel(r"$E_k / E_0 - 1$")
    axes[1].set_title("semi-implicit Euler's error stays in its band")
    axes[1].legend(loc="lower center", ncol=3)
    c = ph.OSCILLATOR["coefficient"]
    x, v = ph.oscillator(c, w, ph.OSCILLATOR["x0"], t[few])
    axes[2].set_ylim(1e-12, 10)
    exact = plotting.within_view(axes[2], (0.5 * v**2 + 0.5 * w**2 * x**2) / e0, line=True)
    axes[2].semilogy(t[few], exact, color="0.6", lw=4, label="exact")
    for name, (_, kinetic, potential) in ph.energy_runs(c).items():
        total = plotting.within_view(axes[2], (kinetic + potential)[few] / e0)
        axes[2].semilogy(t[few], total, color=SCHEME_COLORS[name], label=name)
    axes[2].set_xlabel("time $t$")
    axes[2].set_ylabel(r"$E_k / E_0$")
    axes[2].set_title(rf"friction $c = {c:g}$ drains the energy")
    axes[2].legend(loc="lower left", ncol=2)
    _sparse_log(axes[0], axes[2])
    plotting.label_panels(axes)
    return fig


# --------------------------------------------------------------------------------------
# The heavy ball's regimes as physics
# --------------------------------------------------------------------------------------


@register("physics_phase.svg")
def phase() -> Figure:
    """Phase portraits of the heavy ball in its three regimes, over the continuous ball's."""
    fig, axes = plotting.new_figure(ncols=2, nrows=2, figsize=(WIDTH, 6.4))
    portraits = ph.phase_portraits()
    for i, (ax, (name, portrait)) in enumerate(zip(axes.flat, portraits.items(), strict=False)):
        eta, beta = ph.PHASE_SETTINGS[name]
        regime = ph.DAMPING[int(ph.damping_regime(portrait.coefficient, 1.0))]
        cont, disc = portrait.continuous, portrait.discrete
        ax.plot(cont.position, cont.velocity, color="0.6", lw=2.5, label=f"the ODE: {regime}")
        ax.plot(
            disc.position,
            disc.velocity,
            "o-",
            ms=3,
            lw=0.7,
            color=METHOD_COLORS["momentum"],
            label="heavy ball",
        )
        ax.plot(0, 0, marker="*", color=PALETTE["black"], ms=8)
        ax.set_title(
            f"({chr(97 + i)}) {name}: " + rf"$\eta = {eta:g}$, $\beta = {beta:g}$",
            fontsize=10,
        )
        ax.set_xlabel("$x$")
        ax.set_ylabel("$v$")
        ax.legend(loc="upper left" if name == "oscillating" else "lower left", fontsize=9)
    ax = axes[1, 1]
    c = float(ph.optimal_ball(ph.VALLEY_MU, 1.0)[1])
    y, v = ph.valley_eigen_motion()
    eigenvalues = VALLEY.problem().eigenvalues
    for i, (lam, color) in enumerate(
        zip(eigenvalues, [PALETTE["orange"], PALETTE["purple"]], strict=True)
    ):
        ratio = c / (2 * np.sqrt(lam))
        scale = abs(y[0, i])
        label = rf"$\lambda = {lam:g}$: $c/2\sqrt{{\lambda}} = {ratio:.2f}$"
        ax.plot(y[:, i] / scale, v[:, i] / scale, "o-", ms=3, lw=0.7, color=color, label=label)
    ax.plot(0, 0, marker="*", color=PALETTE["black"], ms=8)
    ax.set_title(
        "(d) the optimal pair: both ends critical",
        fontsize=10,
    )
    ax.set_xlabel(r"$y_i / |y_{i,0}|$")
    ax.set_ylabel(r"$v_i / |y_{i,0}|$")
    ax.legend(loc="upper left", fontsize=9)
    return fig


# --------------------------------------------------------------------------------------
# Drag laws
# --------------------------------------------------------------------------------------


@register("physics_drag.svg")
def drag_laws() -> Figure:
    """Closed forms against simulation for the three drag laws, and dry friction in a well."""
    fig, axes = plotting.new_figure(nrows=3, figsize=(WIDTH, 7.8))
    long = np.geomspace(1e-2, 1e4, 200)
    for law, (motion, speed, _) in ph.free_decay().items():
        c, color = ph.DECAY_COEFFICIENTS[law], LAW_COLORS[law]
        label = rf"{law}, $c = {c:g}$"
        lines = slice(0, None, 5)  # the closed forms every 0.05 time units
        marks = slice(0, None, 50)  # the simulation every 0.5
        axes[0].plot(motion.time[lines], speed[lines], color=color, label=label)
        axes[0].plot(
            motion.time[marks], motion.velocity[marks, 0], "o", mfc="none", color=color, ms=5
        )
        axes[1].semilogx(
            long, ph.free_motion(law, ph.DECAY_SPEED, c, long)[1], color=color, label=label
        )
        logs = np.unique(np.geomspace(1, motion.time.size - 1, 12).round().astype(int))
        axes[1].semilogx(
            motion.time[logs], motion.position[logs, 0], "o", mfc="none", color=color, ms=5
        )
    axes[0].plot([], [], "o", mfc="none", color="0.4", label="simulation")
    axes[0].set_xlabel("time $t$")
    axes[0].set_ylabel("speed $|v|$")
    axes[0].set_title(r"drag alone, from $v_0 = 1$")
    axes[0].legend()
    axes[1].set_xlabel("time $t$ (log scale)")
    axes[1].set_ylabel("distance $x(t)$")
    axes[1].set_title(r"only turbulent drag lets it go arbitrarily far")
    axes[1].legend(loc="upper left")
    motion, turns = ph.dry_well()
    c, lam = ph.WELL["friction"], ph.WELL["lam"]
    ax = axes[2]
    ax.axhspan(
        -c / lam,
        c / lam,
        color=LAW_COLORS["dry"],
        alpha=0.35,
        lw=0,
        label=r"dead zone $|x| \leq c/\lambda$",
    )
    every = slice(0, None, 20)
    ax.plot(
        motion.time[every],
        motion.position[every, 0],
        color=PALETTE["black"],
        lw=1.2,
        label="simulation",
    )
    swing = np.pi / np.sqrt(lam)
    ax.plot(
        swing * np.arange(turns.size),
        turns,
        "D",
        color=LAW_COLORS["dry"],
        mec="black",
        label="turning points, closed form",
    )
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_xlabel("time $t$")
    ax.set_ylabel("position $x$")
    ax.set_title(rf"dry friction $c = {c:g}$ in a well: it stops short")
    ax.legend(loc="upper right", fontsize=9)
    plotting.label_panels(axes)
    return fig


@register("physics_race.svg")
def race() -> Figure:
    """The three drag laws as optimizers on the valley, each at its best coefficient."""
    fig, (top, bottom) = plotting.new_figure(nrows=2, figsize=(WIDTH, 6.4))
    results = ph.drag_race()
    top.set_ylim(1e-10, 30)
    for law, result in results.items():
        label = _drag_label(law, result.coefficient)
        steps = np.arange(result.errors.size)
        top.semilogy(
            steps, plotting.within_view(top, result.errors), color=LAW_COLORS[law], label=label
        )
    top.axhline(ph.RACE_TOL, color="0.5", ls="--", lw=0.8)
    top.text(ph.RACE_STEPS, ph.RACE_TOL, "tolerance", ha="right", va="bottom", fontsize=9)
    top.set_xlabel("step $k$")
    top.set_ylabel(r"$\|x_k - x^\star\|$")
    top.set_title(rf"the valley, $\eta = {ph.RACE_LEARNING_RATE:g}$: only viscous drag gets there")
    top.legend(loc="lower right")
    errors, slope, _ = ph.turbulent_tail()
    bottom.set_ylim(1e-7, 30)
    early = np.arange(1, 50)
    bottom.loglog(early, errors[early], color=LAW_COLORS["turbulent"])
    ks = np.unique(np.geomspace(50, errors.size, 160).round().astype(int))
    tops = ph.envelope(errors, ks)
    bottom.loglog(
        ks,
        tops,
        color=LAW_COLORS["turbulent"],
        label=f"turbulent, top of each swing: slope {slope:.2f}",
    )
    bottom.axhline(
        float(results["dry"].errors[-1]),
        color=LAW_COLORS["dry"],
        lw=2,
        label=f"dry: at rest from step {results['dry'].at_rest} on",
    )
    reference = plotting.within_view(bottom, tops[-1] * ks[-1] / ks, line=True)
    bottom.loglog(ks, reference, ls=":", color=PALETTE["black"], lw=1, label=r"$\propto 1/k$")
    bottom.axhline(ph.RACE_TOL, color="0.5", ls="--", lw=0.8)
    bottom.set_xlabel("step $k$")
    bottom.set_ylabel(r"$\|x_k - x^\star\|$")
    bottom.set_title("turbulent drag: the swings shrink like $1/k$")
    bottom.legend(loc="lower left", fontsize=9)
    _sparse_log(top, bottom)
    bottom.xaxis.set_minor_locator(NullLocator())
    plotting.label_panels([top, bottom])
    return fig


# --------------------------------------------------------------------------------------
# The explorer: drag law, coefficient, step; a 1-D well or the valley
# --------------------------------------------------------------------------------------

EXPLORER_DEFAULTS: dict[str, Any] = {
    "law": "viscous",
    "coefficient": 0.5,
    "h": 0.1,
    "surface": "1-D well",
}
EXPLORER_TIME = 40.0
"""How long the explorer's ball rolls, in time units."""
SURFACES = ("1-D well", "2-D valley")


def _well_panel(ax: Axes) -> None:
    xs = np.linspace(-1.3, 1.3, 200)
    ax.plot(xs, 0.5 * xs**2, color="0.6", lw=1.2)
    ax.plot(0, 0, marker="*", color=PALETTE["black"], ms=9)
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-0.05, 0.9)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$f(x) = \frac{1}{2}x^2$")


def _explorer_layout() -> tuple[Figure, dict[str, Axes]]:
    fig = plotting.figure(figsize=(WIDTH, 7.0))
    with plotting.style():
        mosaic: Any = [["well", "valley"], ["position", "velocity"], ["energy", "energy"]]
        axes = fig.subplot_mosaic(mosaic, height_ratios=[1.1, 1.0, 0.9])
    _well_panel(axes["well"])
    plotting.valley_axes(axes["valley"], VALLEY.problem(), VALLEY.levels, (-4.2, 2.2), (-3.1, 1.9))
    for key, label in [("position", "$y_i / |y_{i,0}|$"), ("velocity", r"$v_i / \sqrt{2E_0}$")]:
        axes[key].set_xlim(0, EXPLORER_TIME)
        axes[key].set_ylim(-1.4, 1.4)
        axes[key].set_ylabel(label)
        axes[key].set_xlabel("time $t$")
        axes[key].axhline(0, color="0.8", lw=0.8)
        axes[key].set_xticks([0, EXPLORER_TIME / 2, EXPLORER_TIME])
        axes[key].set_yticks([-1, 0, 1])
    axes["energy"].set_xlim(0, EXPLORER_TIME)
    axes["energy"].set_ylim(1e-8, 10)
    axes["energy"].set_yticks([1e-8, 1e-4, 1e0])
    axes["energy"].minorticks_off()
    axes["well"].set_xticks([-1, 0, 1])
    axes["well"].set_yticks([0, 0.5])
    axes["valley"].set_xticks([-4, -2, 0, 2])
    axes["valley"].set_yticks([-2, 0])
    axes["energy"].set_xlabel("time $t$")
    axes["energy"].set_ylabel(r"$E / E_0$")
    return fig, dict(axes)


def explorer_run(law: str, coefficient: float, h: float, surface: str) -> dict[str, Array]:
    r"""Roll the ball for :data:`EXPLORER_TIME`; positions, eigen-coordinates, velocities, energies.

    Coordinates are divided by their starting values, velocities by the largest speed the
    starting energy allows, :math:`\sqrt{2E_0}`; energies by :math:`E_0`.
    """
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {SURFACES}; got {surface!r}")
    on_well = surface == "1-D well"
    problem = ph.WELL_PROBLEM if on_well else VALLEY.problem()
    start = np.array([ph.WELL["x0"]]) if on_well else VALLEY.start
    motion = ph.roll(problem.grad, law, coefficient, start, None, h, round(EXPLORER_TIME / h))
    kinetic, potential = ph.energies(problem, motion)
    e0 = float(kinetic[0] + potential[0])
    y = problem.to_eigenbasis(motion.position)
    return {
        "time": motion.time,
        "position": motion.position,
        "coords": y / np.abs(y[0]),
        "speeds": vecmat(motion.velocity, problem.eigenvectors) / np.sqrt(2 * e0),
        "energies": np.stack([kinetic, potential, kinetic + potential]) / e0,
    }


@register_widget("physics_explorer")
def physics_explorer() -> Explorer:
    """Drag law, coefficient and step; the ball on a 1-D well or in the valley, with x, v, E."""
    fig, ax = _explorer_layout()
    ball = METHOD_COLORS["momentum"]
    (balls,) = ax["well"].plot([], [], "o", ms=4, color=ball)
    (path,) = ax["valley"].plot([], [], "-", lw=1.0, color=ball)
    idle = {
        key: ax[key].text(0.5, 0.93, "", transform=ax[key].transAxes, ha="center", fontsize=9)
        for key in ("well", "valley")
    }
    colors = [PALETTE["orange"], PALETTE["purple"]]
    coords = [ax["position"].plot([], [], color=c)[0] for c in colors]
    speeds = [ax["velocity"].plot([], [], color=c)[0] for c in colors]
    names = ["kinetic", "potential", "total"]
    energy_colors = [PALETTE["sky"], PALETTE["green"], PALETTE["black"]]
    energies = [
        ax["energy"].semilogy([], [], color=c, label=n)[0]
        for c, n in zip(energy_colors, names, strict=True)
    ]
    ax["energy"].legend(loc="lower left", fontsize=9, ncol=3)
    ax["position"].plot([], [], color=colors[0], label="the well / the floor")
    ax["position"].plot([], [], color=colors[1], label="the wall")
    ax["position"].legend(loc="lower right", fontsize=9, frameon=True, framealpha=0.85)
    ax["valley"].set_title("the 2-D valley", fontsize=10)

    def draw(law: str, coefficient: float, h: float, surface: str) -> dict[str, Any]:
        out = explorer_run(law, coefficient, h, surface)
        on_well = surface == "1-D well"
        every = max(1, round(1.0 / h))  # a ball every time unit
        x = out["position"][::every, 0] if on_well else np.array([])
        balls.set_data(x, 0.5 * x**2)
        xy = out["position"] if not on_well else np.empty((0, 2))
        path.set_data(xy[:, 0], xy[:, -1])
        idle["well"].set_text("" if on_well else "(surface: 1-D well)")
        idle["valley"].set_text("(surface: 2-D valley)" if on_well else "")
        blank = np.full(out["time"].size, np.nan)
        for i in range(2):
            shown = i < out["coords"].shape[1]
            coords[i].set_data(out["time"], out["coords"][:, i] if shown else blank)
            speeds[i].set_data(out["time"], out["speeds"][:, i] if shown else blank)
        for line, values in zip(energies, out["energies"], strict=True):
            line.set_data(out["time"], plotting.within_view(ax["energy"], values))
        final = float(np.linalg.norm(out["position"][-1]))
        left = float(out["energies"][2, -1])
        name = "dry friction" if law == "dry" else f"{law} drag"
        ax["well"].set_title(f"{name}, c = {coefficient:.3g}, h = {h:.3g}", fontsize=10)
        ax["energy"].set_title(
            f"at t = {EXPLORER_TIME:g}: distance {final:.2g} to the minimum, energy {left:.2g} E₀",
            fontsize=10,
        )
        return {"final_distance": final, "energy_left": left, "position": out["position"]}

    controls = {
        "law": ipywidgets.ToggleButtons(
            options=list(ph.DRAG_LAWS), value=EXPLORER_DEFAULTS["law"], description="drag"
        ),
        "coefficient": slider(
            "coefficient c", EXPLORER_DEFAULTS["coefficient"], -2.0, 1.0, 0.05, log=True
        ),
        "h": slider("time step h", EXPLORER_DEFAULTS["h"], 0.02, 2.5, 0.02),
        "surface": ipywidgets.ToggleButtons(
            options=list(SURFACES), value=EXPLORER_DEFAULTS["surface"], description="surface"
        ),
    }
    legends = [ax[key].legend_ for key in ("energy", "position")]  # lines pass under them
    dynamic: list[Any] = [balls, path, *idle.values(), *coords, *speeds, *energies, *legends]
    dynamic += [ax[key].title for key in ("well", "energy")]  # repaint only these
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


@register("physics_explorer.svg")
def explorer_default() -> Figure:
    """The explorer's picture at its default controls (the static stand-in for the widget)."""
    return physics_explorer().figure


# --------------------------------------------------------------------------------------
# The animation: three balls in one well
# --------------------------------------------------------------------------------------

ANIMATION_FRAMES = 28
"""Frames of the three-ball animation (one every 0.75 time units)."""
ANIMATION_DPI = 64
"""Resolution of its frames: small, since every frame is embedded in the page."""


@register_animation("physics_three_balls")
def three_balls() -> FuncAnimation:
    """Viscous, turbulent and dry friction in the same well, from the same start."""
    motions = ph.three_balls()
    fig, axes = plotting.new_figure(nrows=3, figsize=(WIDTH, 4.2), sharex=True)
    xs = np.linspace(-1.15, 1.15, 120)
    balls, trails = [], []
    for ax, law in zip(axes, motions, strict=True):
        ax.plot(xs, 0.5 * xs**2, color="0.55", lw=1.2)
        if law == "dry":
            zone = ph.BALLS[law] / ph.WELL["lam"]
            ax.axvspan(-zone, zone, color=LAW_COLORS[law], alpha=0.35, lw=0)
        ax.plot(0, 0, marker="*", color=PALETTE["black"], ms=7)
        ax.set_ylim(-0.08, 0.75)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        name = "dry friction" if law == "dry" else f"{law} drag"
        ax.text(-1.12, 0.58, f"{name}, c = {ph.BALLS[law]:g}", fontsize=11)
        trails.append(ax.plot([], [], "-", lw=2.5, color=LAW_COLORS[law], alpha=0.5)[0])
        balls.append(ax.plot([], [], "o", ms=12, color=LAW_COLORS[law], mec="black")[0])
    axes[-1].set_xlim(-1.15, 1.15)
    axes[-1].set_xlabel("position $x$")
    clock = axes[0].text(1.12, 0.58, "", ha="right", fontsize=11)
    times = next(iter(motions.values())).time
    total = times.size - 1
    index = np.linspace(0, total, ANIMATION_FRAMES).round().astype(int)

    def frame(i: int) -> list[Any]:
        k = index[i]
        for ball, trail, rolled in zip(balls, trails, motions.values(), strict=True):
            x = rolled.position[: k + 1, 0]
            ball.set_data([x[-1]], [0.5 * x[-1] ** 2])
            recent = x[max(0, k - round(1.0 / ph.BALLS_STEP)) :]  # the last time unit
            trail.set_data(recent, 0.5 * recent**2)
        clock.set_text(f"t = {times[k]:.1f}")
        return [*balls, *trails, clock]

    fig.set_dpi(ANIMATION_DPI)
    frame(0)
    fig.canvas.draw()  # lay the figure out once ...
    fig.set_layout_engine("none")  # ... and keep that layout for every frame
    return FuncAnimation(fig, frame, frames=ANIMATION_FRAMES, interval=125, blit=False)
