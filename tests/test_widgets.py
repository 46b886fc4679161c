"""Every registered explorer works without a kernel: build, update, redraw, wiring.

The registry is filled by the ``@register_widget`` calls in ``gdbook/viz/<chapter>.py``;
the tests are parametrized over it, so a new widget is covered as soon as it is
registered. Timing is measured by ``benchmarks/run.py``, not asserted here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from gdbook import widgets
from gdbook.widgets import Explorer, render_png
from matplotlib.figure import Figure

REGISTRY = widgets.load_all()
NAMES = sorted(REGISTRY)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _params(names: list[str]) -> list[Any]:
    """The names, or one failing placeholder so that an empty registry fails (not skips)."""
    return names or [pytest.param(None, id="no-widgets-registered")]


@pytest.fixture
def explorer(request: pytest.FixtureRequest) -> Iterator[Explorer]:
    """A fresh explorer at its defaults; its figure is closed afterwards."""
    name = request.param
    assert name is not None, "no widget is registered: gdbook.widgets.load_all() is empty"
    built = REGISTRY[name]()
    try:
        yield built
    finally:
        plt.close(built.figure)


def _other_value(control: ipywidgets.ValueWidget) -> Any:
    """An allowed value of ``control`` different from its current one."""
    value = control.value
    if hasattr(control, "options"):  # Dropdown, RadioButtons, ToggleButtons, SelectionSlider
        options = [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in control.options]
        others = [o for o in options if o != value]
        assert others, f"{control.description!r} has a single option"
        return others[len(others) // 2]
    if isinstance(value, bool):  # Checkbox, ToggleButton
        return not value
    if isinstance(control, ipywidgets.FloatLogSlider):
        low, high, now = control.min, control.max, math.log(value, control.base)
        far = high if high - now >= now - low else low
        exponent = low + round(((now + far) / 2 - low) / control.step) * control.step
        if math.isclose(exponent, now):
            exponent = far
        return control.base**exponent
    if hasattr(control, "min") and hasattr(control, "max"):  # Float/Int sliders, bounded text
        low, high = control.min, control.max
        far = high if high - value >= value - low else low
        step = getattr(control, "step", None) or (high - low) / 100
        middle = low + round(((value + far) / 2 - low) / step) * step
        if isinstance(value, int):
            middle = round(middle)
        if math.isclose(middle, value):
            middle = far
        return middle
    raise AssertionError(
        f"tests/test_widgets.py does not know how to move a {type(control).__name__}; "
        "teach _other_value about it"
    )


def _same(a: Any, b: Any) -> bool:
    """Deep equality for states (dicts of arrays, numbers, tuples); NaN equals NaN."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape:
            return False
        if x.dtype.kind in "fc" and y.dtype.kind in "fc":
            return bool(np.array_equal(x, y, equal_nan=True))
        return bool(np.array_equal(x, y))
    if isinstance(a, Sequence) and isinstance(b, Sequence) and not isinstance(a, str):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _descendants(widget: ipywidgets.Widget) -> Iterator[ipywidgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _descendants(child)


@pytest.mark.parametrize("explorer", _params(NAMES), indirect=True)
def test_builds_without_a_kernel(explorer: Explorer) -> None:
    assert isinstance(explorer, Explorer)
    assert isinstance(explorer.figure, Figure)
    assert explorer.controls, "an explorer needs at least one control"
    for name, control in explorer.controls.items():
        assert name.isidentifier(), f"control name {name!r} must be a keyword of draw()"
        assert isinstance(control, ipywidgets.ValueWidget), f"{name} is not a ValueWidget"


@pytest.mark.parametrize("name", _params(NAMES))
def test_registered_in_its_chapter_module(name: str | None) -> None:
    assert name is not None, "no widget is registered: gdbook.widgets.load_all() is empty"
    module = REGISTRY[name].__module__
    assert module.startswith("gdbook.viz."), f"{name} is registered outside gdbook.viz"
    chapter = module.removeprefix("gdbook.viz.")
    assert name.startswith(f"{chapter}_"), f"widget {name} in viz.{chapter}: name it {chapter}_..."


@pytest.mark.parametrize("explorer", _params(NAMES), indirect=True)
def test_update_at_defaults_returns_a_state(explorer: Explorer) -> None:
    defaults = explorer.values()
    state = explorer.update()
    assert isinstance(state, dict) and state, "draw() must return the state it computed"
    assert explorer.state is state or _same(explorer.state, state)
    assert explorer.values() == defaults, "update() without arguments must not move controls"
    assert _same(explorer.update(), state), "update() at the same values must be repeatable"


@pytest.mark.parametrize("explorer", _params(NAMES), indirect=True)
def test_each_control_changes_the_figure_and_the_state(explorer: Explorer) -> None:
    defaults = explorer.values()
    base_state = explorer.update()
    base_png = render_png(explorer.figure)
    problems = []
    for name, control in explorer.controls.items():
        other = _other_value(control)
        state = explorer.update(**{name: other})
        png = render_png(explorer.figure)
        if png == base_png:
            problems.append(
                f"moving {name} from {defaults[name]!r} to {other!r} left the figure unchanged"
            )
        if _same(state, base_state):
            problems.append(
                f"moving {name} from {defaults[name]!r} to {other!r} left the state unchanged"
            )
        back = explorer.update(**{name: defaults[name]})
        if not _same(back, base_state) or render_png(explorer.figure) != base_png:
            problems.append(
                f"moving {name} back to {defaults[name]!r} did not restore the figure and state: "
                "draw() must depend only on the control values (clear old artists)"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("explorer", _params(NAMES), indirect=True)
def test_unknown_control_raises_value_error(explorer: Explorer) -> None:
    with pytest.raises(ValueError, match="no_such_control"):
        explorer.update(no_such_control=1.0)


@pytest.mark.parametrize("explorer", _params(NAMES), indirect=True)
def test_widget_is_controls_above_a_png_image(explorer: Explorer) -> None:
    box = explorer.widget()
    assert isinstance(box, ipywidgets.VBox)
    parts = list(_descendants(box))
    images = [w for w in parts if isinstance(w, ipywidgets.Image)]
    assert len(images) == 1, f"expected one Image in the widget, found {len(images)}"
    assert bytes(images[0].value).startswith(PNG_SIGNATURE), "the image value must be PNG bytes"
    for name, control in explorer.controls.items():
        assert any(w is control for w in parts), f"control {name} is not shown in the widget"
    assert explorer.widget() is not None  # a second call reuses the wiring


@pytest.mark.parametrize("explorer", _params(NAMES), indirect=True)
def test_moving_a_control_redraws_the_image(explorer: Explorer) -> None:
    """The observe wiring: setting control.value (what a slider does) calls update()."""
    box = explorer.widget()
    (image,) = [w for w in _descendants(box) if isinstance(w, ipywidgets.Image)]
    for name, control in explorer.controls.items():
        before_png, before_state = bytes(image.value), explorer.state
        control.value = _other_value(control)
        assert bytes(image.value) != before_png, f"setting {name}.value did not redraw the image"
        assert not _same(explorer.state, before_state), f"setting {name}.value did not recompute"
