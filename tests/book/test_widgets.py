"""Every registered explorer works without a kernel: build, update, redraw, wiring.

The registry is filled by the ``@register_widget`` calls in ``gdbook/viz/<chapter>.py``;
the tests are parametrized over it, so a new widget is covered as soon as it is
registered. Timing is measured by ``benchmarks/run.py``, not asserted here.
"""

from __future__ import annotations

import io
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
from PIL import Image

REGISTRY = widgets.load_all()
NAMES = sorted(REGISTRY)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INLINE = "module://matplotlib_inline.backend_inline"  # Jupyter's default backend


@pytest.fixture(scope="module", autouse=True)
def inline_backend() -> Iterator[None]:
    """Every test here runs with pyplot on Jupyter's inline backend, as in a notebook
    (test_widget_protocol.py drives the same explorers in a real kernel)."""
    previous = plt.get_backend()
    plt.switch_backend(INLINE)
    yield
    plt.switch_backend(previous)


def _params(names: list[str]) -> list[Any]:
    """The names, or one failing placeholder so that an empty registry fails (not skips)."""
    return names or [pytest.param(None, id="no-widgets-registered")]


def _build(name: str | None) -> Explorer:
    assert name is not None, "no widget is registered: gdbook.widgets.load_all() is empty"
    return REGISTRY[name]()


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest) -> Iterator[Explorer]:
    """One explorer per widget, shared by the tests that do not wire it to ipywidgets."""
    explorer = _build(request.param)
    yield explorer
    plt.close(explorer.figure)


@pytest.fixture
def explorer(built: Explorer) -> Iterator[Explorer]:
    """The shared explorer, moved back to its defaults after each test."""
    defaults = built.values()
    yield built
    built.update(**defaults)


@pytest.fixture
def fresh(request: pytest.FixtureRequest) -> Iterator[Explorer]:
    """A new explorer (for the tests that call .widget(), which wires observers)."""
    explorer = _build(request.param)
    yield explorer
    plt.close(explorer.figure)


def _other_values(control: ipywidgets.ValueWidget) -> list[Any]:
    """Allowed values of ``control`` other than its current one, the most telling first.

    For a slider: halfway towards the farther end, then both ends; for a choice: the
    other options; for a checkbox: the other state.
    """
    value = control.value
    if hasattr(control, "options"):  # Dropdown, RadioButtons, ToggleButtons, SelectionSlider
        options = list(getattr(control, "_options_values", control.options))
        others = [o for o in options if o != value]
        assert others, f"{control.description!r} has a single option"
        middle = len(others) // 2
        return [others[middle], *others[:middle], *others[middle + 1 :]]
    if isinstance(value, tuple):
        raise AssertionError(f"{control.description!r}: range controls are not supported here")
    if isinstance(value, bool):  # Checkbox, ToggleButton
        return [not value]
    log = isinstance(control, ipywidgets.FloatLogSlider)
    if hasattr(control, "min") and hasattr(control, "max"):  # sliders, bounded text boxes
        low, high = float(control.min), float(control.max)
        now = math.log(value, control.base) if log else float(value)
        far, near = (high, low) if high - now >= now - low else (low, high)
        step = getattr(control, "step", None) or (high - low) / 100
        middle = low + round(((now + far) / 2 - low) / step) * step
        points = [middle, far, near]
        if log:
            points = [control.base**p for p in points]
            now = value
        if isinstance(value, int):
            points = [round(p) for p in points]
        found: list[Any] = []
        for p in points:
            if not math.isclose(p, now) and not any(math.isclose(p, q) for q in found):
                found.append(p)
        assert found, f"{control.description!r} has no other value in [{low}, {high}]"
        return found
    raise AssertionError(
        f"tests/test_widgets.py does not know how to move a {type(control).__name__}; "
        "teach _other_values about it"
    )


def _other_value(control: ipywidgets.ValueWidget) -> Any:
    """An allowed value of ``control`` different from its current one."""
    return _other_values(control)[0]


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


@pytest.mark.parametrize("built", _params(NAMES), indirect=True)
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


@pytest.mark.parametrize("built", _params(NAMES), indirect=True)
def test_update_at_defaults_returns_a_state(explorer: Explorer) -> None:
    defaults = explorer.values()
    state = explorer.update()
    assert isinstance(state, dict) and state, "draw() must return the state it computed"
    assert explorer.state is state or _same(explorer.state, state)
    assert explorer.values() == defaults, "update() without arguments must not move controls"
    assert _same(explorer.update(), state), "update() at the same values must be repeatable"


def _pixels(explorer: Explorer) -> bytes:
    """The picture update() just drew: the Agg canvas buffer (no extra render)."""
    return bytes(explorer.figure.canvas.buffer_rgba())


@pytest.mark.parametrize("built", _params(NAMES), indirect=True)
def test_each_control_changes_the_figure_and_the_state(explorer: Explorer) -> None:
    defaults = explorer.values()
    base_state = explorer.update()
    base_pixels = _pixels(explorer)
    problems = []
    for name, control in explorer.controls.items():
        tried = []
        for other in _other_values(control):  # the first value that shows a change
            state = explorer.update(**{name: other})
            tried.append(other)
            if _pixels(explorer) != base_pixels:
                break
        else:
            problems.append(
                f"moving {name} from {defaults[name]!r} to {tried} left the figure unchanged"
            )
        if _same(state, base_state):
            problems.append(
                f"moving {name} from {defaults[name]!r} to {other!r} left the state unchanged"
            )
        back = explorer.update(**{name: defaults[name]})
        if not _same(back, base_state) or _pixels(explorer) != base_pixels:
            problems.append(
                f"moving {name} back to {defaults[name]!r} did not restore the figure and state: "
                "draw() must depend only on the control values (clear old artists)"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("built", _params(NAMES), indirect=True)
def test_rendered_png_follows_the_controls(explorer: Explorer) -> None:
    """render_png (what the image widget shows) differs when a control moves."""
    explorer.update()
    before = render_png(explorer.figure)
    name, control = next(iter(explorer.controls.items()))
    explorer.update(**{name: _other_value(control)})
    assert render_png(explorer.figure) != before, f"moving {name} did not change the PNG"


@pytest.mark.parametrize("built", _params(NAMES), indirect=True)
def test_fast_redraw_shows_what_a_full_draw_shows(explorer: Explorer) -> None:
    """Blitting and direct PNG encoding are only shortcuts: pixel for pixel, each picture
    the widget shows equals a full draw of the same figure at every tried control value."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = explorer.figure.canvas
    for name, control in explorer.controls.items():
        for other in _other_values(control):
            explorer.update(**{name: other})
            with Image.open(io.BytesIO(widgets.canvas_png(explorer.figure))) as decoded:
                shown = np.asarray(decoded.convert("RGBA"))
            FigureCanvasAgg.draw(canvas)  # the base class: a complete redraw
            full = np.asarray(canvas.buffer_rgba())
            assert shown.shape == full.shape
            changed = np.argwhere(np.any(shown != full, axis=-1))
            assert changed.size == 0, (
                f"{name}={other!r}: {len(changed)} pixels differ from a full draw, first at "
                f"(row, col) {tuple(changed[0])}: an artist outside the dynamic ones changed, "
                "or a dynamic artist lies under a static one"
            )


@pytest.mark.parametrize("built", _params(NAMES), indirect=True)
def test_unknown_control_raises_value_error(explorer: Explorer) -> None:
    with pytest.raises(ValueError, match="no_such_control"):
        explorer.update(no_such_control=1.0)


@pytest.mark.parametrize("fresh", _params(NAMES), indirect=True)
def test_widget_is_controls_above_a_png_image(fresh: Explorer) -> None:
    box = fresh.widget()
    assert isinstance(box, ipywidgets.VBox)
    parts = list(_descendants(box))
    images = [w for w in parts if isinstance(w, ipywidgets.Image)]
    assert len(images) == 1, f"expected one Image in the widget, found {len(images)}"
    assert bytes(images[0].value).startswith(PNG_SIGNATURE), "the image value must be PNG bytes"
    for name, control in fresh.controls.items():
        assert any(w is control for w in parts), f"control {name} is not shown in the widget"


@pytest.mark.parametrize("fresh", _params(NAMES), indirect=True)
def test_moving_a_control_redraws_the_image(fresh: Explorer) -> None:
    """The observe wiring: setting control.value (what a slider does) calls update()."""
    box = fresh.widget()
    (image,) = [w for w in _descendants(box) if isinstance(w, ipywidgets.Image)]
    for name, control in fresh.controls.items():
        before_png, before_state = bytes(image.value), fresh.state
        for other in _other_values(control):
            control.value = other
            assert fresh.state is not before_state, f"setting {name}.value did not call update()"
            if bytes(image.value) != before_png:
                break
        else:
            raise AssertionError(f"setting {name}.value never changed the image")
        assert not _same(fresh.state, before_state), f"setting {name}.value did not recompute"


@pytest.mark.parametrize("fresh", _params(NAMES), indirect=True)
def test_one_update_draws_once(fresh: Explorer) -> None:
    """Setting several controls through update() recomputes once, not once per control
    (the slider observers must not fire a redraw of their own), and one slider move in the
    notebook recomputes once."""
    fresh.widget()
    inner, calls = fresh.draw, []

    def counting(**values: Any) -> dict[str, Any] | None:
        calls.append(values)
        return inner(**values)

    fresh.draw = counting
    fresh.update(**{name: _other_value(c) for name, c in fresh.controls.items()})
    assert len(calls) == 1, f"update() of {len(fresh.controls)} controls drew {len(calls)} times"
    control = next(iter(fresh.controls.values()))
    control.value = _other_values(control)[-1]
    assert len(calls) == 2, "a slider move must redraw exactly once"


@pytest.mark.parametrize("fresh", _params(NAMES), indirect=True)
def test_explorer_figures_bypass_pyplot(fresh: Explorer) -> None:
    """Under the inline backend pyplot shows and closes its figures after every cell; an
    explorer's figure is not one of them and keeps its Agg canvas (no static second copy,
    no ``canvas_png needs an Agg canvas``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    assert plt.get_backend() in {INLINE, "inline"}
    box = fresh.widget()
    assert not plt.get_fignums(), "the explorer's figure is managed by pyplot"
    plt.close("all")  # what the inline backend does after each cell
    assert isinstance(fresh.figure.canvas, FigureCanvasAgg)
    (image,) = [w for w in _descendants(box) if isinstance(w, ipywidgets.Image)]
    before = bytes(image.value)
    name, control = next(iter(fresh.controls.items()))
    for other in _other_values(control):
        control.value = other
        if bytes(image.value) != before:
            break
    else:
        raise AssertionError(f"moving {name} never changed the image")
