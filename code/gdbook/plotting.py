"""Axes-level drawing functions shared by figures, widgets and chapters.

Functions here draw on an ``Axes`` they are given and return it; they never call
``savefig`` or ``show`` and never touch global ``rcParams`` (the look is applied
with ``with style():``). Colours are the Okabe-Ito palette, safe for colour-blind
readers.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib.style
import numpy as np
from cycler import cycler
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from gdbook.base import Trajectory
from gdbook.catalog import CATALOG
from gdbook.problems import Quadratic, vecmat
from gdbook.types import Array

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies; then
# seven of Tol's (2021) muted scheme, for the methods beyond the first eight.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "olive": "#999933",
    "teal": "#44AA99",
    "indigo": "#332288",
    "wine": "#882255",
    "rose": "#CC6677",
    "forest": "#117733",
    "sand": "#DDCC77",
}
# One colour per method, the same in every chapter (gdbook.catalog assigns them).
METHOD_COLORS = {key: PALETTE[method.colour] for key, method in CATALOG.items()}
METHOD_COLORS["gd"] = METHOD_COLORS["gradient_descent"]  # the figures' short key

_CYCLE = ("orange", "sky", "green", "yellow", "blue", "vermillion", "purple")

STYLE: dict[str, Any] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.prop_cycle": cycler(color=[PALETTE[c] for c in _CYCLE]),
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
    "svg.hashsalt": "gdbook",  # deterministic ids: figures reproduce byte for byte
    "svg.fonttype": "path",
    "path.simplify": False,
}


@contextmanager
def style() -> Iterator[None]:
    """Apply the book's look inside a ``with`` block (nothing global changes)."""
    with matplotlib.style.context(STYLE):
        yield


_SUBPLOTS_KEYWORDS = frozenset(
    {"sharex", "sharey", "squeeze", "width_ratios", "height_ratios", "subplot_kw", "gridspec_kw"}
)


def figure(**kwargs: Any) -> Figure:
    """An empty figure with the book's style and a constrained layout, outside pyplot.

    The figure is a plain :class:`~matplotlib.figure.Figure` on its own Agg canvas:
    pyplot never sees it, so no notebook backend displays, closes or swaps its canvas
    (Jupyter's default inline backend shows and closes every pyplot figure after each
    cell, which left the explorers without an Agg canvas and showed a second, static
    copy of each). Keywords go to ``Figure`` (``figsize``, ``dpi``, ``layout``, ...).
    """
    kwargs.setdefault("layout", "constrained")
    with style():
        fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def new_figure(ncols: int = 1, nrows: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A figure (:func:`figure`) and its grid of axes, as ``plt.subplots`` returns them."""
    grid = {key: kwargs.pop(key) for key in list(kwargs) if key in _SUBPLOTS_KEYWORDS}
    fig = figure(**kwargs)
    with style():
        axes = fig.subplots(nrows, ncols, **grid)
    return fig, axes


RASTER_DPI = 200
"""Resolution of the artists :func:`rasterize` marks, in the figure's SVG.

The column shows a 6.9-inch figure 672 CSS px wide, 195 device pixels an inch on a
screen of two device pixels a CSS pixel: at 200 dpi a rasterized point cloud is as sharp
as the vector art around it. Other figures keep ``savefig.dpi`` (100) for their images
(``imshow``, a colorbar's rasterized solids), as before.
"""
_RASTERIZED: weakref.WeakSet[Figure] = weakref.WeakSet()


def rasterize(artist: Artist) -> Artist:
    """Draw ``artist`` (a dense point cloud) as an image at :data:`RASTER_DPI` in the SVG.

    Hundreds of markers cost a hundred bytes each as vector paths; as one embedded PNG
    they cost a fraction, and look the same at the column's width on a 2x screen.
    Agg draws the image, so it is the same byte for byte on every render.
    """
    figure = artist.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise ValueError("rasterize needs an artist already in a figure")
    artist.set_rasterized(True)
    _RASTERIZED.add(figure)
    return artist


def save(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` reproducibly (no date stamp, fixed hash salt; see :func:`rasterize`)."""
    options: dict[str, Any] = {"metadata": {"Date": None}, "format": Path(path).suffix[1:] or "svg"}
    if fig in _RASTERIZED:
        options["dpi"] = RASTER_DPI
    with style():
        fig.savefig(path, **options)


def contours(
    ax: Axes,
    value: Callable[[Array], Array],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    levels: int | Array = 20,
    log: bool = False,
    resolution: int = 200,
    filled: bool = False,
) -> Axes:
    """Draw level sets of ``value`` (a batched function of points ``(..., 2)``)."""
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    z = value(grid)
    if log:
        z = np.log10(z - np.min(z) + 1e-12)
    draw = ax.contourf if filled else ax.contour
    draw(xs, ys, z, levels=levels, cmap="Greys_r" if filled else "Greys", linewidths=0.6)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    return ax


def level_sets(problem: Quadratic, levels: ArrayLike, num: int = 161) -> list[Array]:
    r"""The level sets :math:`f - f^\star = c` of a 2-D quadratic, as closed ``(num, 2)`` curves.

    Exact ellipses with half-axes :math:`\sqrt{2c/\lambda_i}` along the eigenvectors,
    one per value ``c`` of ``levels``: no grid, so they are smooth at any zoom.
    """
    if problem.dim != 2 or problem.x_star is None:
        raise ValueError(f"level_sets needs a 2-D quadratic with a minimiser; got {problem.name}")
    angles = np.linspace(0.0, 2 * np.pi, num)
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    curves = []
    for c in np.atleast_1d(np.asarray(levels, dtype=np.float64)):
        semi = np.sqrt(2 * c / problem.eigenvalues)  # half-axes along the eigenvectors
        curves.append(vecmat(circle * semi, problem.eigenvectors.T) + problem.x_star)
    return curves


def valley_axes(
    ax: Axes,
    problem: Quadratic,
    levels: ArrayLike,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    color: str = "0.6",
) -> Axes:
    """The level sets of a 2-D quadratic, its minimum (a star), equal axes, labels and limits."""
    for curve in level_sets(problem, levels):
        ax.plot(curve[:, 0], curve[:, 1], color=color, lw=0.6)
    assert problem.x_star is not None
    ax.plot(*problem.x_star, marker="*", color=PALETTE["black"], markersize=9)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def path(
    ax: Axes,
    trajectory: Trajectory | Array,
    *,
    label: str | None = None,
    color: str | None = None,
    markers: bool = True,
    index: tuple[int, ...] | int = (),
    **kwargs: Any,
) -> Axes:
    """Draw a 2-D optimisation path; a diverged run ends with a labelled cross.

    ``trajectory`` is a :class:`~gdbook.base.Trajectory` (``index`` picks one point
    of a batch) or an array of iterates of shape ``(n, 2)``.
    """
    if isinstance(trajectory, Trajectory):
        points = trajectory.path(index)
        idx = (index,) if isinstance(index, int) else index
        stop = int(trajectory.diverged_at[idx])
    else:
        points, stop = np.asarray(trajectory), -1
    if stop >= 0 and label is not None:
        label = f"{label} (diverged at step {stop})"
    (line,) = ax.plot(
        points[:, 0],
        points[:, 1],
        marker="o" if markers else None,
        markersize=2.5,
        label=label,
        color=color,
        **kwargs,
    )
    ax.plot(*points[0], marker="s", color=line.get_color(), markersize=5)
    if stop >= 0:
        ax.plot(*points[-1], marker="x", color=line.get_color(), markersize=9, mew=2)
    return ax


def error_curve(
    ax: Axes,
    values: Array,
    *,
    label: str | None = None,
    color: str | None = None,
    diverged_at: int = -1,
    **kwargs: Any,
) -> Axes:
    """Plot a positive error sequence on a log axis, stopping at divergence."""
    values = np.asarray(values, dtype=np.float64)
    if diverged_at >= 0:
        values = values[:diverged_at]
        label = None if label is None else f"{label} (diverged at step {diverged_at})"
    steps = np.arange(values.size)
    ax.semilogy(steps, np.maximum(values, np.finfo(float).tiny), label=label, color=color, **kwargs)
    ax.set_xlabel("step $k$")
    return ax


def log_thinned(x: ArrayLike, per_decade: int = 200) -> NDArray[np.intp]:
    """Indices of increasing ``x`` that keep at most ``per_decade`` points a decade on a log axis.

    For smooth, monotone curves over thousands of steps: on a log axis the last decade
    holds nine tenths of the points, many to a pixel, and the SVG carries every one. The
    first point of each of ``per_decade`` equal slices of a decade is kept, and the last
    point; points at ``x <= 0`` (off a log axis) are dropped. Do not thin a curve that
    oscillates from step to step: the picture would change.
    """
    if per_decade < 1:
        raise ValueError(f"per_decade must be >= 1; got {per_decade}")
    data = np.asarray(x, dtype=np.float64)
    if data.ndim != 1 or np.any(np.diff(data) <= 0):
        raise ValueError("x must be a 1-D increasing array")
    positive = np.flatnonzero(data > 0)
    if positive.size == 0:
        return positive
    slices = np.floor(np.log10(data[positive] / data[positive[0]]) * per_decade)
    first = np.concatenate([[True], np.diff(slices) > 0])
    return np.unique(np.concatenate([positive[first], positive[-1:]]))


COLUMN_PX = 672
"""Width of the text column in CSS px at a 1280-px window (tools/browser_test.py measures it)."""


def envelope_thinned(x: ArrayLike, y: ArrayLike, bins: int = COLUMN_PX) -> NDArray[np.intp]:
    """Indices of a dense curve ``(x, y)`` that keep its envelope in ``bins`` equal x-bins.

    In each bin (over the span of ``x``) the first, lowest, highest and last point of each
    unbroken run of finite ``y`` are kept, so that the polyline through the kept points
    reaches every dip and spike of the original and covers, in each bin, the same range:
    drawn with bins narrower than a pixel it looks the same, with at most four points a
    bin (two where the curve is monotone). A non-finite ``y`` (a gap, e.g. from
    :func:`within_view`) stays a gap: the first index of each run of them is kept. The
    default makes bins of one CSS pixel for a curve across the whole column: an axes is
    narrower, so its bins are finer.
    Thin ``y`` as it is plotted (after a log, a log axis does the same): a bin's lowest
    and highest point do not depend on the scale.
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1; got {bins}")
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.ndim != 1 or xs.shape != ys.shape or np.any(np.diff(xs) <= 0):
        raise ValueError("x must be a 1-D increasing array and y of the same shape")
    if xs.size <= 2:
        return np.arange(xs.size)
    finite = np.isfinite(ys)
    span = xs[-1] - xs[0]
    which = np.minimum(np.floor((xs - xs[0]) / span * bins), bins - 1)
    starts = np.concatenate([[True], finite[1:] != finite[:-1]])
    run = np.cumsum(starts)  # one number per run of finite (or non-finite) values
    # groups: contiguous points of one bin and one run
    new = np.concatenate([[True], (which[1:] != which[:-1]) | (run[1:] != run[:-1])])
    group = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:] - 1, [xs.size - 1]])
    key = np.where(finite, ys, 0.0)
    # lowest and highest of each group: sort by (group, y) and take both ends
    order = np.lexsort((key, group))
    low = order[np.searchsorted(group[order], np.arange(first.size), side="left")]
    high = order[np.searchsorted(group[order], np.arange(first.size), side="right") - 1]
    kept_finite = np.concatenate([first, last, low, high])
    kept_finite = kept_finite[finite[kept_finite]]
    gaps = np.flatnonzero(starts & ~finite)
    return np.unique(np.concatenate([kept_finite, gaps]))


def within_view(ax: Axes, values: ArrayLike, *, axis: str = "y", line: bool = False) -> Array:
    """``values`` with NaN where they lie outside the axis's view limits (set the limits first).

    Matplotlib writes every point into the SVG, also the ones the axes clip away. Below a
    log axis these are often errors that have reached round-off (1e-16 where the axis
    stops at 1e-6), whose digits depend on the CPU and its BLAS kernel: masked, the figure
    holds what the reader sees and is the same on every machine. A value that is not
    positive lies outside a log axis. With ``line=True`` a point outside that neighbours a
    visible one (along the first axis) is kept, so that a line still runs to the edge; use
    it for closed forms, not for measured errors that may have reached round-off.
    """
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y'; got {axis!r}")
    data = np.array(values, dtype=np.float64)
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    inside = (data >= low) & (data <= high)
    if (ax.get_xscale() if axis == "x" else ax.get_yscale()) == "log":
        inside &= data > 0
    keep = inside.copy()
    if line and keep.ndim:
        keep[1:] |= inside[:-1]
        keep[:-1] |= inside[1:]
    return np.where(keep, data, np.nan)


def legend_outside(ax: Axes, **kwargs: Any) -> None:
    """A legend below the axes, for crowded plots."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, **kwargs)


def label_panels(axes: Any) -> None:
    """Put (a), (b), ... in the top-left corner of each panel."""
    items: list[Axes] = list(axes.values()) if isinstance(axes, Mapping) else list(np.ravel(axes))
    for i, ax in enumerate(items):
        ax.text(-0.02, 1.02, f"({chr(97 + i)})", transform=ax.transAxes, ha="right", va="bottom")
