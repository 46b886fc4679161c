"""Interactive explorers: sliders over a figure, with plain-function callbacks.

An :class:`Explorer` holds a matplotlib figure, a set of ipywidgets controls and a
plain function ``draw(**values)`` that recomputes and updates the figure's artists.
``explorer.update(**values)`` calls it and re-renders the picture, so tests and
benchmarks drive an explorer without a kernel. In a notebook, displaying the
explorer shows the controls above the picture; in the static book the picture at
the default values is embedded.

A slider must answer within the 50 ms of DESIGN.md, PNG encoding included. Two
things make that possible: :func:`freeze` lays the figure out once and installs a
:class:`BlitCanvas`, which repaints only the artists a slider changes over a cached
picture of the rest; and :meth:`Explorer.update` encodes the pixels of that one draw
(:func:`canvas_png`) instead of drawing the figure a second time for ``savefig``.

Each chapter's explorers are factories in that chapter's :mod:`gdbook.viz` module,
registered with ``@register_widget("name")`` so that tests and benchmarks find them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from gdbook.plotting import style
from gdbook.viz import Registry

WIDGETS: Registry[Explorer] = Registry("explorer")
"""Name -> factory of an :class:`Explorer` at its default settings."""
register_widget = WIDGETS.register


def load_all() -> Registry[Explorer]:
    """Every chapter's explorers (:func:`gdbook.viz.load_all` imports their modules)."""
    return WIDGETS.loaded()


class BlitCanvas(FigureCanvasAgg):
    """An Agg canvas whose ``draw`` repaints only the artists a slider changes (blitting).

    The static picture (axes, ticks, contours, ...) is drawn once and kept as a pixel
    buffer; each later ``draw`` restores it and draws the ``dynamic`` artists on top,
    the standard matplotlib technique for fast animation. Only valid while nothing
    outside ``dynamic`` changes (axis limits included): ``tests/test_widgets.py``
    compares every explorer's blitted pixels with a full draw. ``savefig`` is
    unaffected: PNG output calls ``FigureCanvasAgg.draw`` (a full draw) and SVG
    output uses its own canvas.
    """

    def __init__(self, figure: Figure, dynamic: Sequence[Artist]) -> None:
        super().__init__(figure)
        self.dynamic = sorted(dynamic, key=lambda artist: artist.get_zorder())  # as a full draw
        self._background: Any = None
        self._key: tuple[float, ...] = ()

    def draw(self) -> None:
        """Restore the cached background (drawing it first if needed), then the dynamic artists."""
        key = (self.figure.dpi, *self.figure.bbox.size)
        if self._background is None or key != self._key:
            super().draw()  # type: ignore[no-untyped-call]  # places the titles
            placed = [(a, a.get_position()) for a in self.dynamic if isinstance(a, Text)]
            visible = [a.get_visible() for a in self.dynamic]
            for artist in self.dynamic:
                artist.set_visible(False)
            super().draw()  # type: ignore[no-untyped-call]
            self._background = self.copy_from_bbox(self.figure.bbox)  # type: ignore[no-untyped-call]
            self._key = key
            for artist, shown in zip(self.dynamic, visible, strict=True):
                artist.set_visible(shown)
            for text, position in placed:  # a hidden title loses its place: put it back
                text.set_position(position)
        else:
            self.restore_region(self._background)  # type: ignore[no-untyped-call]
        for artist in self.dynamic:
            self.figure.draw_artist(artist)


def freeze(explorer: Explorer, dynamic: Sequence[Artist], dpi: int = 80) -> Explorer:
    """Lay ``explorer``'s figure out once at ``dpi``, then repaint only ``dynamic`` artists.

    Call it after the factory has created every artist: it draws the figure at the
    default controls (running the layout engine once), switches the layout engine off
    and installs a :class:`BlitCanvas`. The spines of every axes holding a dynamic
    artist are repainted too, since in a full draw they lie over the data.
    """
    explorer.figure.set_dpi(dpi)
    explorer.update()  # a full draw at the defaults runs the layout engine once ...
    explorer.figure.set_layout_engine("none")  # ... then the layout is frozen
    holders = {id(artist.axes): artist.axes for artist in dynamic if artist.axes is not None}
    spines = [
        spine
        for ax in holders.values()
        if ax.axison  # ax.axis("off") hides the spines without making them invisible
        for spine in ax.spines.values()
        if spine.get_visible()
    ]
    BlitCanvas(explorer.figure, [*dynamic, *spines])
    explorer.dpi = dpi
    return explorer


def canvas_png(fig: Figure) -> bytes:
    """The pixels of the figure's last Agg draw as PNG bytes (what the image widget shows).

    Encoding the buffer directly skips the second, full draw of ``savefig``;
    compression level 1 is about twice as fast as the default and, for these
    flat-coloured pictures, barely larger.
    """
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError(f"canvas_png needs an Agg canvas, got {type(canvas).__name__}")
    width, height = canvas.get_width_height(physical=True)
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    image = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def render_png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes by a full ``savefig`` (for static pictures)."""
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


@dataclass
class Explorer:
    """A figure, its controls, and the plain function that redraws it.

    Attributes:
        figure: the matplotlib figure the callback updates in place.
        controls: name -> ipywidgets control; names are ``draw``'s keywords.
        draw: ``draw(**values)`` recomputes and updates the figure's artists.
        state: what the last ``draw`` computed (for tests and captions).
    """

    figure: Figure
    controls: Mapping[str, widgets.ValueWidget]
    draw: Callable[..., dict[str, Any] | None]
    state: dict[str, Any] = field(default_factory=dict)
    dpi: int = 80
    _image: widgets.Image | None = None
    _quiet: bool = False  # True while update() itself sets the controls

    def values(self) -> dict[str, Any]:
        """Current control values."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, **changes: Any) -> dict[str, Any]:
        """Set controls to ``changes``, recompute, redraw once; return the computed state."""
        for name in changes:
            if name not in self.controls:
                raise ValueError(f"unknown control {name!r}; known: {sorted(self.controls)}")
        self._quiet = True  # the observers of widget() would redraw once per control set
        try:
            for name, value in changes.items():
                self.controls[name].value = value
        finally:
            self._quiet = False
        self.state = dict(self.draw(**self.values()) or {})
        self.figure.canvas.draw()  # a BlitCanvas repaints only what changed
        if self._image is not None:
            self._image.value = canvas_png(self.figure)  # the pixels of that draw
        return self.state

    def widget(self) -> widgets.Widget:
        """Controls above the picture; moving a control calls :meth:`update`."""
        if self._image is None:
            self.update()
            self._image = widgets.Image(value=canvas_png(self.figure), format="png")
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
        box = widgets.VBox([widgets.HBox(list(self.controls.values())), self._image])
        return box

    def _on_change(self, _change: Any) -> None:
        """A slider moved in the notebook: redraw (unless update() is setting it)."""
        if not self._quiet:
            self.update()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.widget()._repr_mimebundle_(**kwargs)  # type: ignore[no-any-return]


def slider(
    description: str,
    value: float,
    low: float,
    high: float,
    step: float,
    *,
    log: bool = False,
    readout_format: str = ".3g",
) -> widgets.ValueWidget:
    """A float slider (logarithmic if ``log``; then ``low``/``high`` are exponents)."""
    cls = widgets.FloatLogSlider if log else widgets.FloatSlider
    kwargs: dict[str, Any] = {
        "value": value,
        "min": low,
        "max": high,
        "step": step,
        "description": description,
        "continuous_update": False,
        "readout_format": readout_format,
        "style": {"description_width": "initial"},
    }
    return cls(**kwargs)
