"""Every registered explorer, driven as a notebook front end drives it, in a real kernel.

A fresh IPython kernel runs with Jupyter's default matplotlib backend (``inline``, as in
Binder, Colab, VS Code and a plain ``jupyter lab``: ``MPLBACKEND`` is removed from its
environment). One cell displays each explorer's widget; the test, in the role of the
browser, reads the ``comm_open`` messages of the ipywidgets protocol (the models and
their state), then moves every control by sending the ``comm_msg`` "update" a slider
sends, and waits for the kernel to push a new PNG to the image model. This is the path
that broke under the inline backend (the kernel raised ``canvas_png needs an Agg
canvas``, and the picture never changed); the checks are also that the cell displays
the widget and nothing else (no second, static copy of the figure) and that the kernel
writes no error or traceback while the sliders move.

The kernel-free tests of the same explorers are in ``test_widgets.py``.
"""

from __future__ import annotations

import math
import os
import queue
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from gdbook import widgets

jupyter_client = pytest.importorskip("jupyter_client")

NAMES = sorted(widgets.load_all())
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIMEOUT = 120.0
INLINE = "module://matplotlib_inline.backend_inline"


@dataclass
class Model:
    """A widget model as the front end knows it: its comm and its synced state."""

    comm_id: str
    state: dict[str, Any]
    buffers: dict[str, bytes] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.state.get("_model_name", ""))


class Frontend:
    """The browser's side of the widget protocol, over a kernel client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.models: dict[str, Model] = {}
        self.errors: list[str] = []
        self.displays: list[dict[str, Any]] = []

    def _apply(self, msg: dict[str, Any]) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            data = content["data"]
            model = Model(content["comm_id"], dict(data.get("state", {})))
            self._buffers(model, data.get("buffer_paths", []), msg.get("buffers", []))
            self.models[model.comm_id] = model
        elif kind == "comm_msg" and content["comm_id"] in self.models:
            data = content["data"]
            if data.get("method") in {"update", "echo_update"}:
                model = self.models[content["comm_id"]]
                model.state.update(data.get("state", {}))
                self._buffers(model, data.get("buffer_paths", []), msg.get("buffers", []))
        elif kind == "error":
            self.errors.append("\n".join(content.get("traceback", [])) or content["evalue"])
        elif kind == "stream" and content["name"] == "stderr":
            self.errors.append(content["text"])
        elif kind in {"display_data", "execute_result"}:
            self.displays.append(content["data"])

    @staticmethod
    def _buffers(model: Model, paths: list[list[str]], buffers: list[Any]) -> None:
        for path, buffer in zip(paths, buffers, strict=False):
            key = ".".join(str(p) for p in path)
            model.buffers[key] = bytes(buffer)
            model.state.pop(key, None)

    def pump(self, until: Any, timeout: float = TIMEOUT) -> None:
        """Apply iopub messages until ``until(msg)`` is true for one of them."""
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no answer from the kernel within {timeout:.0f} s") from None
            self._apply(msg)
            if until(msg):
                return

    def idle_after(self, msg_id: str) -> None:
        """Apply messages until the kernel is idle again after handling request ``msg_id``."""
        self.pump(
            lambda m: (
                m["parent_header"].get("msg_id") == msg_id
                and m["msg_type"] == "status"
                and m["content"]["execution_state"] == "idle"
            )
        )

    def execute(self, code: str) -> None:
        """Run one cell and apply everything it sent, up to the kernel going idle."""
        self.idle_after(self.client.execute(code))
        reply = self.client.get_shell_msg(timeout=TIMEOUT)
        assert reply["content"]["status"] == "ok", "\n".join(reply["content"].get("traceback", []))

    def move(self, model: Model, state: dict[str, Any]) -> None:
        """What a moved slider sends (a comm_msg "update"); returns when the kernel is done."""
        content = {
            "comm_id": model.comm_id,
            "data": {"method": "update", "state": state, "buffer_paths": []},
        }
        msg = self.client.session.send(self.client.shell_channel.socket, "comm_msg", content)
        self.idle_after(msg["header"]["msg_id"])


@pytest.fixture(scope="module")
def frontend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Frontend]:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(tmp_path_factory.mktemp("kernel")))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=TIMEOUT)
        yield Frontend(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_the_kernel_uses_the_inline_backend(frontend: Frontend) -> None:
    frontend.execute(
        "import matplotlib, matplotlib.pyplot\n"
        f"assert matplotlib.get_backend() in {{'inline', {INLINE!r}}}, matplotlib.get_backend()"
    )


def _other_states(model: Model) -> list[dict[str, Any]]:
    """Synced states that move ``model`` (a control) away from its value, farthest first."""
    state, name = model.state, model.name
    if name in {"DropdownModel", "RadioButtonsModel", "ToggleButtonsModel", "SelectionSliderModel"}:
        count, index = len(state["_options_labels"]), state["index"]
        return [{"index": i} for i in range(count) if i != index][::-1]
    if name in {"CheckboxModel", "ToggleButtonModel"}:
        return [{"value": not state["value"]}]
    if name in {"FloatSliderModel", "IntSliderModel", "FloatLogSliderModel"}:
        low, high, value = float(state["min"]), float(state["max"]), float(state["value"])
        log = name == "FloatLogSliderModel"
        now = math.log(value, state["base"]) if log else value
        step = float(state["step"]) or (high - low) / 100
        far, near = (high, low) if high - now >= now - low else (low, high)
        points = [low + round(((now + far) / 2 - low) / step) * step, far, near]
        points = [p for p in points if not math.isclose(p, now)]
        values = [state["base"] ** p if log else p for p in points]
        if name == "IntSliderModel":
            values = [round(v) for v in values]
        return [{"value": v} for v in values]
    raise AssertionError(f"the protocol test does not know how to move a {name}")


CONTROL_MODELS = (
    "SliderModel",
    "DropdownModel",
    "RadioButtonsModel",
    "ToggleButtonsModel",
    "CheckboxModel",
    "ToggleButtonModel",
)


@pytest.mark.parametrize("name", NAMES or [pytest.param(None, id="no-widgets-registered")])
def test_sliders_redraw_the_image_through_the_widget_protocol(
    frontend: Frontend, name: str | None
) -> None:
    assert name is not None, "no widget is registered"
    frontend.models.clear()
    frontend.displays.clear()
    frontend.errors.clear()
    # the cell a chapter runs, as its own execution: the inline backend flushes after it
    frontend.execute(
        f"from gdbook import widgets\nexplorer = widgets.load_all()[{name!r}]()\nexplorer.widget()"
    )
    assert not frontend.errors, f"{name}: the cell wrote errors:\n" + "\n".join(frontend.errors)
    views = [d for d in frontend.displays if WIDGET_VIEW in d]
    statics = [d for d in frontend.displays if WIDGET_VIEW not in d and "image/png" in d]
    assert len(views) == 1, f"{name}: the cell displayed {len(views)} widget views"
    assert not statics, f"{name}: the cell also displayed {len(statics)} static figure(s)"
    images = [m for m in frontend.models.values() if m.name == "ImageModel"]
    assert len(images) == 1, f"{name}: {len(images)} image models"
    (image,) = images
    assert image.buffers.get("value", b"").startswith(PNG_SIGNATURE), f"{name}: no PNG shown"
    controls = [m for m in frontend.models.values() if m.name.endswith(CONTROL_MODELS)]
    assert controls, f"{name}: no control among {[m.name for m in frontend.models.values()]}"
    for control in controls:
        label = control.state.get("description")
        original = {k: control.state[k] for k in ("value", "index") if k in control.state}
        start, tried = image.buffers["value"], []
        for change in _other_states(control):  # the first value that shows a change
            frontend.move(control, change)
            tried.append(change)
            assert not frontend.errors, (
                f"{name}: moving {label!r} to {change} wrote:\n" + "\n".join(frontend.errors)
            )
            if image.buffers["value"] != start:
                break
        else:
            raise AssertionError(f"{name}: moving {label!r} to {tried} never changed the image")
        frontend.move(control, original)
        assert image.buffers["value"] == start, f"{name}: moving {label!r} back changed the image"
    frontend.execute(
        "import matplotlib.pyplot as plt\n"
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        "assert isinstance(explorer.figure.canvas, FigureCanvasAgg), explorer.figure.canvas\n"
        "assert not plt.get_fignums(), 'an explorer figure went through pyplot'"
    )
