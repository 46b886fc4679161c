r"""Live figures: each explorer recomputed in the static page by JavaScript, tested against Python.

An explorer of :mod:`gdbook.widgets` needs a Jupyter kernel. Its live figure is the same
explorer in the built book: the update rules and closed forms it plots are ported to
JavaScript (``web/live/gdlive-core.js``, what each explorer computes in
``web/live/gdlive-explorers.js``) and drawn by the page (``web/live/gdlive.js``) at every
step of its sliders, with no kernel and no network. This package is the Python half:

* :class:`LiveFigure`, one per explorer, registered with ``@register_live(name)`` under
  the explorer's own name in the chapter's module ``gdbook.live.<chapter>``: the data the
  page needs (problem, start, step count, bound) and ``reference(**values)``, what the
  figure plots at those slider values, computed by the library and by the Python explorer
  itself;
* :func:`spec`, what the page gets: the controls, read from the Python explorer's
  ipywidgets (same names, ranges, steps, defaults and readouts, so that they cannot
  drift), the axes of each panel (limits, scales, ticks, labels, read from the explorer's
  figure), and the static layer of each panel (level sets, rate maps: everything the
  explorer does not redraw) rendered from that figure as a PNG under the live layer;
* :func:`fixtures` and ``python -m gdbook.live export DIR``: reference trajectories of
  every update rule the page uses, closed forms, and each explorer at its defaults, at
  the ends of every slider and at random slider settings, as JSON, which
  ``tests/js/live.test.cjs`` checks the JavaScript against to 1e-9 (``make test-js``).

The Sphinx extension ``tools/live_figures.py`` puts a live figure into a page
(``{live-figure} name``); the static picture stays as the fallback without scripts and
in print.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

from gdbook.viz import Registry
from gdbook.widgets import WIDGETS, Explorer

TOLERANCE = 1e-9
"""Worst JavaScript-Python difference allowed: ``|a - b| <= tol * max(1, |b|)``."""

SAMPLES = 6
"""Random slider settings per explorer in the fixtures, besides the defaults and the ends."""

LAYER_DPI = 2  # static layers at twice the CSS size of the Python panel, for sharp lines
LAYER_COLORS = 128  # and as palette images


@dataclass(frozen=True)
class LiveFigure:
    """What the page needs to recompute one explorer, and the Python reference it must match.

    Attributes:
        data: the explorer's settings for ``compute`` in ``gdlive-explorers.js``.
        panels: panel name -> index of the Python explorer's axes it mirrors.
        reference: ``reference(**values)``: every quantity the figure plots at the slider
            values, computed by gdbook (the keys of the JavaScript ``compute``).
        colors: names of the series -> colour (from the palette and the catalog).
    """

    data: Mapping[str, Any]
    panels: Mapping[str, int]
    reference: Callable[..., dict[str, Any]]
    colors: Mapping[str, str] = field(default_factory=dict)


LIVE: Registry[LiveFigure] = Registry("live figure")
"""Explorer name -> factory of its :class:`LiveFigure`."""
register_live = LIVE.register


def load_all() -> Registry[LiveFigure]:
    """Every chapter's live figures (imports each module of this package)."""
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return LIVE


@functools.cache
def explorer(name: str) -> Explorer:
    """The Python explorer ``name`` (built once per process: its figure is reused)."""
    return WIDGETS.loaded()[name]()


# --------------------------------------------------------------------------------------
# JSON: arrays as lists, NaN as null, infinities as strings
# --------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` with NumPy arrays and scalars as lists and floats; NaN -> None, inf -> "inf"."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if np.isnan(number):
            return None
        if np.isinf(number):
            return "inf" if number > 0 else "-inf"
        return number
    return value


def dumps(value: Any) -> str:
    """Compact, strict JSON of :func:`jsonable` ``(value)``."""
    return json.dumps(jsonable(value), separators=(",", ":"), allow_nan=False)


# --------------------------------------------------------------------------------------
# The controls, from the Python explorer's widgets
# --------------------------------------------------------------------------------------


def control_spec(name: str, widget: Any) -> dict[str, Any]:
    """One ipywidgets control as the page builds it (a slider, toggle, menu or checkbox)."""
    kind = type(widget).__name__
    spec: dict[str, Any] = {"name": name, "label": widget.description, "value": widget.value}
    if kind in {"FloatSlider", "FloatLogSlider", "IntSlider"}:
        spec |= {"type": "range", "min": widget.min, "max": widget.max, "step": widget.step}
        spec["format"] = getattr(widget, "readout_format", "d")
        spec["log_base"] = widget.base if kind == "FloatLogSlider" else None
        spec["integer"] = kind == "IntSlider"
    elif kind in {"ToggleButtons", "Dropdown", "RadioButtons"}:
        spec |= {"type": "choice", "options": [value for _, value in widget._options_full]}
        spec["labels"] = [label for label, _ in widget._options_full]
    elif kind in {"Checkbox", "ToggleButton"}:
        spec["type"] = "checkbox"
    else:
        raise TypeError(f"control {name!r}: a {kind} has no live counterpart yet")
    return spec


def controls(widget: Explorer) -> list[dict[str, Any]]:
    """Every control of ``widget``, in its order."""
    return [control_spec(name, control) for name, control in widget.controls.items()]


def slider_values(spec: Mapping[str, Any]) -> list[Any]:
    """Every value the page's control ``spec`` can take, in order (a slider's full grid)."""
    if spec["type"] == "choice":
        return list(spec["options"])
    if spec["type"] == "checkbox":
        return [False, True]
    low, high, step = spec["min"], spec["max"], spec["step"]
    count = int(np.floor((high - low) / step + 1e-9)) + 1
    positions = [round(low + k * step, 12) for k in range(count)]
    if spec["integer"]:
        return [int(p) for p in positions]
    if spec["log_base"] is not None:
        return [float(spec["log_base"] ** p) for p in positions]
    return positions


# --------------------------------------------------------------------------------------
# The panels: axes read from the explorer's figure, and their static layers
# --------------------------------------------------------------------------------------


def _ticks(ax: Axes, axis: str) -> list[tuple[float, str]]:
    getter = ax.get_xaxis() if axis == "x" else ax.get_yaxis()
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    labels = {round(t.get_position()[0 if axis == "x" else 1], 12): t.get_text()
              for t in (ax.get_xticklabels() if axis == "x" else ax.get_yticklabels())}  # fmt: skip
    ticks = []
    for value in getter.get_majorticklocs():
        if low - 1e-12 <= value <= high + 1e-12 and ax.axison:
            ticks.append((float(value), labels.get(round(float(value), 12), "")))
    return ticks


def axes_spec(ax: Axes) -> dict[str, Any]:
    """Limits, scales, ticks (position, label), axis labels and box of one panel."""
    box = ax.get_position()
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    width, height = fig.get_size_inches()
    return {
        "x": {"min": ax.get_xlim()[0], "max": ax.get_xlim()[1], "scale": ax.get_xscale(),
              "label": ax.get_xlabel(), "ticks": _ticks(ax, "x")},
        "y": {"min": ax.get_ylim()[0], "max": ax.get_ylim()[1], "scale": ax.get_yscale(),
              "label": ax.get_ylabel(), "ticks": _ticks(ax, "y")},
        "equal": ax.get_aspect() == 1.0,
        "frame": bool(ax.axison),
        "box": [box.width * width, box.height * height],  # inches
    }  # fmt: skip


def _is_static(artist: Any, dynamic: set[int]) -> bool:
    return id(artist) not in dynamic and artist.get_visible() and artist is not artist.axes.patch


def static_layer(widget: Explorer, index: int) -> bytes | None:
    """PNG of what panel ``index`` of ``widget`` does not redraw, filling the image; or None.

    The explorer's own figure is drawn with its other panels, its redrawn artists
    (``BlitCanvas.dynamic``), its texts, ticks, labels and frame hidden and the panel
    stretched over the whole picture, so that the image spans exactly the panel's limits.
    Destructive: call it on an explorer built for the purpose.
    """
    fig = widget.figure
    ax = fig.axes[index]
    dynamic = {id(a) for a in getattr(fig.canvas, "dynamic", [])}
    drawn = [*ax.lines, *ax.images, *ax.collections, *ax.patches]
    if not any(_is_static(a, dynamic) for a in drawn):
        return None
    for other in fig.axes:
        other.set_visible(other is ax)
    for artist in drawn:
        if id(artist) in dynamic:
            artist.set_visible(False)
    for text in [*ax.texts, ax.title]:
        text.set_visible(False)  # the page writes its titles and notes as text
    legend = ax.get_legend()
    if legend is not None:
        legend.set_visible(False)
    ax.tick_params(which="both", bottom=False, top=False, left=False, right=False,
                   labelbottom=False, labelleft=False)  # fmt: skip
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)
    width, height = axes_spec(ax)["box"]
    if ax.get_aspect() == 1.0:  # equal axes: the picture has the aspect of the limits
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        height = width * abs(y1 - y0) / abs(x1 - x0)
    ax.set_aspect("auto")
    ax.set_position((0.0, 0.0, 1.0, 1.0))
    fig.set_layout_engine("none")
    fig.set_size_inches(width, height)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96 * LAYER_DPI, facecolor="white")
    # a palette of LAYER_COLORS colours: a fifth of the bytes, no difference a reader sees
    image = Image.open(buffer).convert("RGB").quantize(LAYER_COLORS)
    small = io.BytesIO()
    image.save(small, format="png", optimize=True)
    return small.getvalue()


# --------------------------------------------------------------------------------------
# What the page gets, and what the tests check it against
# --------------------------------------------------------------------------------------


def spec(name: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The page's figure spec for explorer ``name`` and its static layers (panel -> PNG)."""
    live = load_all()[name]()
    widget = explorer(name)
    panels = {key: axes_spec(widget.figure.axes[index]) for key, index in live.panels.items()}
    layers = {}
    for key, index in live.panels.items():
        png = static_layer(WIDGETS.loaded()[name](), index)  # a fresh explorer: destructive
        if png is not None:
            layers[key] = png
            panels[key]["layer"] = True
    page = {
        "name": name,
        "controls": controls(widget),
        "panels": panels,
        "data": jsonable(dict(live.data)),
        "colors": dict(live.colors),
    }
    return page, layers


def samples(name: str, count: int = SAMPLES, seed: int = 0) -> list[dict[str, Any]]:
    """Slider settings for the fixtures: the defaults, each control at its ends, random ones."""
    specs = controls(explorer(name))
    defaults = {s["name"]: s["value"] for s in specs}
    settings = [dict(defaults)]
    for s in specs:
        grid = slider_values(s)
        settings += [defaults | {s["name"]: grid[0]}, defaults | {s["name"]: grid[-1]}]
    rng = np.random.default_rng(seed)
    for _ in range(count):
        settings.append({s["name"]: (lambda g: g[int(rng.integers(len(g)))])(slider_values(s))
                         for s in specs})  # fmt: skip
    return settings


def explorer_fixture(name: str) -> dict[str, Any]:
    """The spec of ``name`` and its reference at every setting of :func:`samples`."""
    page, _ = spec(name)
    live = LIVE[name]()
    cases = [{"values": values, "expect": live.reference(**values)} for values in samples(name)]
    return {"spec": page, "cases": jsonable(cases)}


def fixtures() -> dict[str, Any]:
    """Everything ``tests/js`` checks the JavaScript against (see :mod:`gdbook.live.rules`)."""
    from gdbook.live import rules

    return {
        "tolerance": TOLERANCE,
        "rules": jsonable(rules.rule_cases()),
        "closed_forms": jsonable(rules.closed_form_cases()),
        "formats": rules.format_cases(),
        "explorers": {name: explorer_fixture(name) for name in sorted(load_all())},
    }
