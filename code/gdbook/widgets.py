"""Interactive explorers: sliders over a figure, with plain-function callbacks.

An :class:`Explorer` holds a matplotlib figure, a set of ipywidgets controls and a
plain function ``draw(**values)`` that recomputes and updates the figure's artists.
``explorer.update(**values)`` calls it and re-renders the picture, so tests and
benchmarks drive an explorer without a kernel. In a notebook, displaying the
explorer shows the controls above the picture; in the static book the picture at
the default values is embedded.

Each chapter's explorers are factories in that chapter's :mod:`gdbook.viz` module,
registered with ``@register_widget("name")`` so that tests and benchmarks find them.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from gdbook.figures import chapter_modules
from gdbook.plotting import style

WIDGETS: dict[str, Callable[[], Explorer]] = {}
"""Name -> factory of an :class:`Explorer` at its default settings."""


def register_widget(name: str) -> Callable[[Callable[[], Explorer]], Callable[[], Explorer]]:
    """Register an explorer factory (called without arguments) under ``name``."""

    def decorator(fn: Callable[[], Explorer]) -> Callable[[], Explorer]:
        WIDGETS[name] = fn
        return fn

    return decorator


def load_all() -> dict[str, Callable[[], Explorer]]:
    """Import every chapter's :mod:`gdbook.viz` module and return the registry."""
    for chapter in chapter_modules():
        importlib.import_module(f"gdbook.viz.{chapter}")
    return WIDGETS


def render_png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (what the image widget shows)."""
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

    def values(self) -> dict[str, Any]:
        """Current control values."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, **changes: Any) -> dict[str, Any]:
        """Set controls to ``changes``, recompute, redraw; return the computed state."""
        for name, value in changes.items():
            if name not in self.controls:
                raise ValueError(f"unknown control {name!r}; known: {sorted(self.controls)}")
            self.controls[name].value = value
        self.state = dict(self.draw(**self.values()) or {})
        if self._image is not None:
            self._image.value = render_png(self.figure, self.dpi)  # this draws the figure
        else:
            self.figure.canvas.draw()
        return self.state

    def widget(self) -> widgets.Widget:
        """Controls above the picture; moving a control calls :meth:`update`."""
        if self._image is None:
            self.update()
            self._image = widgets.Image(value=render_png(self.figure, self.dpi), format="png")
            for control in self.controls.values():
                control.observe(lambda _change: self.update(), names="value")
        box = widgets.VBox([widgets.HBox(list(self.controls.values())), self._image])
        return box

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
