r"""Figures and the explorer of the appendix *Conventions: one notation, many books*.

Symbols: :math:`\eta` learning rate, :math:`\beta` momentum, :math:`b_t` the
sum-form buffer (PyTorch's), :math:`v_t` a buffer that stores steps (Sutskever et
al.'s), :math:`m_t` an EMA buffer, :math:`\epsilon` the constant that keeps an
adaptive denominator away from zero.

The schedule figure uses the valley of the torch reference fixture
(``tests/reference/make_torch_reference.py``): :math:`f = \tfrac12 x^\top A x - b^\top x`
with eigenvalues 1 and 20 turned by 30 degrees, :math:`b = (1, -2)`, started at
:math:`(-1.5, 1.5)`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from matplotlib.figure import Figure

from gdbook import conventions as cv
from gdbook import plotting
from gdbook.examples import TORCH_FIXTURE
from gdbook.figures import register
from gdbook.plotting import PALETTE
from gdbook.widgets import Explorer, freeze, register_widget, slider

# --------------------------------------------------------------------------------------
# The schedule break: sum form (PyTorch) versus rate inside (Sutskever et al.)
# --------------------------------------------------------------------------------------

FORMS = ("sum", "inside")
FORM_LABELS = {
    "sum": "sum form (PyTorch)",
    "inside": "rate inside (Sutskever)",
}
FORM_COLORS = {"sum": PALETTE["blue"], "inside": PALETTE["vermillion"]}
SCHEDULE_XLIM = (-1.8, 0.8)
SCHEDULE_YLIM = (-1.8, 1.7)


class _ScheduleArtists(NamedTuple):
    shared: Any
    paths: dict[str, Any]
    switch: dict[str, Any]
    lengths: dict[str, Any]
    marker: Any
    note: Any


def _schedule_artists(axes: Any) -> _ScheduleArtists:
    """The two panels with empty artists: paths over the valley, step lengths over t."""
    left, right = axes
    problem = TORCH_FIXTURE.problem()
    assert problem.x_star is not None
    paths, switch, lengths = {}, {}, {}
    with plotting.style():
        for curve in plotting.level_sets(problem, 0.25 * 2.0 ** np.arange(6.0)):
            left.plot(curve[:, 0], curve[:, 1], color="0.75", lw=0.6)
        left.plot(*problem.x_star, marker="*", color=PALETTE["black"], ms=9)
        left.plot(*TORCH_FIXTURE.start, "s", color="0.3", ms=5)
        (shared,) = left.plot([], [], "o-", color="0.55", lw=1.1, ms=2.5, label="both forms")
        for form in FORMS:
            color = FORM_COLORS[form]
            (paths[form],) = left.plot([], [], "o-", color=color, lw=1.1, ms=2.5)
            (switch[form],) = left.plot([], [], "o", mfc="white", mec=color, ms=7, mew=1.5)
            (lengths[form],) = right.plot([], [], "o-", color=color, ms=3, label=FORM_LABELS[form])
        left.set_xlim(*SCHEDULE_XLIM)
        left.set_ylim(*SCHEDULE_YLIM)
        left.set_aspect("equal")
        left.axis("off")  # the valley's coordinates carry no message here
        marker = right.axvline(cv.SCHEDULE_AT + 0.5, color="0.5", lw=0.8, ls="--")
        note = right.text(0.02, 0.03, "", transform=right.transAxes, fontsize=9, color="0.3")
        right.set_xlim(0, cv.SCHEDULE_STEPS + 1)
        # log10 of the lengths on a linear axis labelled in powers of ten (it redraws
        # faster than a log axis, which the explorer needs)
        right.set_ylim(-3, 1)
        right.set_yticks(np.arange(-3, 2), [f"$10^{{{d}}}$" for d in range(-3, 2)])
        right.set_xlabel("update $t$")
        right.set_ylabel(r"step length $\|x_t - x_{t-1}\|$")
        # fixed label positions: matplotlib then skips measuring every tick label per draw
        right.xaxis.set_label_coords(0.5, -0.11)
        right.yaxis.set_label_coords(-0.1, 0.5)
        right.legend(loc="upper right", fontsize=9)
    return _ScheduleArtists(shared, paths, switch, lengths, marker, note)


def _draw_schedule(
    artists: _ScheduleArtists, at: int, factor: float, beta: float
) -> dict[str, Any]:
    runs = cv.schedule_runs(at, factor, beta)
    state: dict[str, Any] = {"at": at, "factor": factor, "beta": beta}
    for form, traj in runs.items():
        points = traj.params
        artists.shared.set_data(points[: at + 1, 0], points[: at + 1, 1])  # identical so far
        artists.paths[form].set_data(points[at:, 0], points[at:, 1])
        artists.switch[form].set_data([points[at, 0]], [points[at, 1]])
        lengths = cv.step_lengths(traj)
        with np.errstate(divide="ignore"):
            log_lengths = np.log10(lengths)  # -inf (a zero step) is not drawn
        artists.lengths[form].set_data(np.arange(1, lengths.size + 1), log_lengths)
        state[form] = points
    gap = float(np.linalg.norm(runs["sum"].params[-1] - runs["inside"].params[-1]))
    artists.marker.set_xdata([at + 0.5, at + 0.5])
    artists.note.set_text(f"final gap {gap:.3g}")  # short: glyphs are re-rendered on each draw
    state["final_gap"] = gap
    return state


@register("conventions_schedule.svg")
def schedule() -> Figure:
    """A step decay of the learning rate splits the two momentum forms."""
    fig, axes = plotting.new_figure(ncols=2, figsize=(6.9, 3.6), width_ratios=[0.8, 1.25])
    artists = _schedule_artists(axes)
    _draw_schedule(artists, cv.SCHEDULE_AT, cv.SCHEDULE_FACTOR, cv.SCHEDULE_BETA)
    plotting.label_panels(axes)
    return fig


@register_widget("conventions_schedule")
def schedule_explorer() -> Explorer:
    """Sliders for when the rate changes, by how much, and the momentum beta."""
    fig, axes = plotting.new_figure(ncols=2, figsize=(6.9, 3.6), width_ratios=[0.8, 1.25])
    artists = _schedule_artists(axes)
    import ipywidgets

    controls = {
        "at": ipywidgets.IntSlider(
            value=cv.SCHEDULE_AT,
            min=1,
            max=cv.SCHEDULE_STEPS - 1,
            description="change after update",
            continuous_update=False,
            style={"description_width": "initial"},
        ),
        "factor": slider("rate multiplied by", cv.SCHEDULE_FACTOR, -1.5, 1.0, 0.1, log=True),
        "beta": slider("momentum β", cv.SCHEDULE_BETA, 0.0, 0.98, 0.02),
    }

    def draw(at: int, factor: float, beta: float) -> dict[str, Any]:
        return _draw_schedule(artists, int(at), factor, beta)

    dynamic = [
        artists.shared,
        *(line for form in FORMS for line in (artists.paths[form], artists.switch[form])),
        *artists.lengths.values(),
        artists.marker,
        artists.note,
        axes[1].get_legend(),  # in a full draw it lies over the lines
    ]
    return freeze(Explorer(figure=fig, controls=controls, draw=draw), dynamic)


# --------------------------------------------------------------------------------------
# The dampening break: PyTorch's dampened buffer versus the EMA
# --------------------------------------------------------------------------------------


@register("conventions_dampening.svg")
def dampening() -> Figure:
    """PyTorch's dampened buffer starts at g_1, the EMA at (1 - beta) g_1; the gap is beta^t g_1."""
    fig, (left, right) = plotting.new_figure(nrows=2, figsize=(6.9, 5.8))
    ones = np.ones((cv.DAMPENING_STEPS, 1))
    t = np.arange(1, cv.DAMPENING_STEPS + 1)
    colors = [PALETTE["sky"], PALETTE["blue"], PALETTE["black"]]
    with plotting.style():
        right.set_yscale("log")
        right.set_ylim(1e-16, 10)  # first: the gaps below it are round-off, not drawn
        for beta, color in zip(cv.DAMPENING_BETAS, colors, strict=True):
            constant = cv.buffers(beta, ones)
            left.plot(t, constant["ema"][:, 0], color=color, label=rf"EMA $m_t$, $\beta = {beta}$")
            noisy = cv.dampening_gradients()
            pair = cv.buffers(beta, noisy)
            gap = np.abs(pair["torch"] - pair["ema"])[:, 0]
            right.semilogy(t, plotting.within_view(right, gap), "o", color=color, ms=3)
            closed_form = plotting.within_view(right, beta**t * abs(noisy[0, 0]), line=True)
            right.semilogy(t, closed_form, "-", color=color, lw=1)  # beta^t |g_1|
        left.plot(
            t,
            cv.buffers(0.9, ones)["torch"][:, 0],
            "--",
            color=PALETTE["orange"],
            label=r"PyTorch $b_t$ (dampening $= \beta$), any $\beta$",
        )
        left.set_xlabel("update $t$")
        left.set_ylabel(r"buffer under a constant gradient $g = 1$")
        left.set_ylim(0, 1.15)
        left.legend(loc="lower right", fontsize=9)
        right.set_xlabel("update $t$")
        right.set_ylabel(r"$|b_t - m_t|$ for a noisy gradient")
        right.text(
            0.03,
            0.04,
            r"markers: measured; lines: $\beta^t |g_1|$"
            + "\n"
            + r"$\beta$ = 0.5, 0.9, 0.99 as in (a)",
            transform=right.transAxes,
            fontsize=9,
            color="0.3",
        )
    plotting.label_panels([left, right])
    return fig


# --------------------------------------------------------------------------------------
# The epsilon break: inside or outside the root
# --------------------------------------------------------------------------------------


@register("conventions_eps.svg")
def eps_placement() -> Figure:
    """Epsilon outside the root takes over at |g| ~ eps, inside at |g| ~ sqrt(eps)."""
    fig, (left, right) = plotting.new_figure(nrows=2, figsize=(6.9, 5.8))
    steps = cv.steady_steps(cv.GRADIENT_SCALES, cv.EPS_DEMO)
    with plotting.style():
        left.set_yscale("log")
        left.set_ylim(1e-5, 5.0)  # first: the steps below it are not drawn
        left.loglog(
            cv.GRADIENT_SCALES,
            plotting.within_view(left, steps["outside"], line=True),
            color=PALETTE["blue"],
            label=r"outside: $g/(\sqrt{v} + \epsilon)$",
        )
        left.loglog(
            cv.GRADIENT_SCALES,
            plotting.within_view(left, steps["inside"], line=True),
            color=PALETTE["vermillion"],
            label=r"inside: $g/\sqrt{v + \epsilon}$",
        )
        for x, text in ((cv.EPS_DEMO, r"$\epsilon$"), (np.sqrt(cv.EPS_DEMO), r"$\sqrt{\epsilon}$")):
            left.axvline(x, color="0.6", lw=0.8, ls="--")
            left.text(x, 2.0, text, ha="center", va="bottom", color="0.35")
        left.set_xlabel(r"gradient size $|g|$ (with $v = g^2$)")
        left.set_ylabel("step per unit learning rate")
        left.set_title(rf"$\epsilon = 10^{{{int(np.log10(cv.EPS_DEMO))}}}$")
        left.legend(loc="lower right", fontsize=9)
        t = np.unique(np.geomspace(1, 5000, 200).round())  # log-spaced updates
        for b2, color in ((0.999, PALETTE["black"]), (0.99, PALETTE["orange"])):
            right.loglog(
                t, cv.keras_effective_eps(1.0, b2, t), color=color, label=rf"$\beta_2 = {b2}$"
            )
        right.axhline(1.0, color="0.6", lw=0.8, ls="--")
        right.set_xlabel("update $t$")
        right.set_ylabel(r"PyTorch $\epsilon_t$ / Keras $\hat\epsilon$")
        right.set_title(r"Keras' $\hat\epsilon$ in PyTorch's units: $1/\sqrt{1-\beta_2^t}$")
        right.legend(loc="upper right", fontsize=9)
    plotting.label_panels([left, right])
    return fig
