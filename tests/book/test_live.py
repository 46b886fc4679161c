"""The live figures' Python half, without a build, a browser or Node.

``gdbook.live`` (specs read from the Python explorers, the static layers, the fixtures'
JSON), ``tools/live_figures.py`` (labels in plain text, a live figure taking its static
figure's place, the pages it re-reads) and ``tools/vendor_chartjs.py`` (the pinned npm
package). The JavaScript itself is checked against the fixtures by ``tests/js``
(``make test-js``); the pages by the browser test.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from docutils import nodes
from docutils.utils import new_document
from gdbook import live
from gdbook.widgets import WIDGETS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import live_figures  # noqa: E402
import vendor_chartjs  # noqa: E402

NAMES = sorted(live.load_all())
# every script the pages load besides the vendored Chart.js (gdlive-explorers.js, gdlive.js
# and the chapters' own files, such as gdlive-dynamics.js)
SCRIPTS_JS = "\n".join(
    (ROOT / "web" / script).read_text(encoding="utf-8")
    for script in live_figures.SCRIPTS
    if "/vendor/" not in script
)


def test_every_live_figure_is_a_registered_explorer() -> None:
    assert NAMES
    assert set(NAMES) <= set(WIDGETS.loaded())


@pytest.mark.parametrize("name", NAMES)
def test_javascript_computes_and_draws_every_live_figure(name: str) -> None:
    assert re.search(rf"^\s*{name}: \w+,$", SCRIPTS_JS, re.M), f"no compute for {name}"
    assert re.search(rf"^\s*{name}: \{{$", SCRIPTS_JS, re.M), f"no view for {name}"


@pytest.mark.parametrize("name", NAMES)
def test_the_page_gets_the_widgets_controls(name: str) -> None:
    spec, layers = live.spec(name)
    widget = WIDGETS[name]()
    assert [c["name"] for c in spec["controls"]] == list(widget.controls)
    for control in spec["controls"]:
        source = widget.controls[control["name"]]
        assert control["value"] == source.value
        assert control["label"] == source.description
        if control["type"] == "range":
            assert (control["min"], control["max"], control["step"]) == (
                source.min,
                source.max,
                source.step,
            )
    for key, png in layers.items():
        assert png.startswith(b"\x89PNG"), key
        assert spec["panels"][key]["layer"] is True
    json.dumps(live.jsonable(spec), allow_nan=False)  # strict JSON


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_has_the_defaults_and_each_slider_end(name: str) -> None:
    settings = live.samples(name, count=2)
    controls = live.controls(live.explorer(name))
    assert settings[0] == {c["name"]: c["value"] for c in controls}
    assert len(settings) == 1 + 2 * len(controls) + 2
    expect = live.LIVE[name]().reference(**settings[0])
    assert expect, f"{name}: empty reference"


def test_slider_values_are_the_widgets_grid() -> None:
    spec = {"type": "range", "min": 0.0, "max": 0.99, "step": 0.01, "integer": False,
            "log_base": None}  # fmt: skip
    values = live.slider_values(spec)
    assert len(values) == 100 and values[0] == 0.0 and values[-1] == 0.99
    log = live.slider_values(spec | {"min": -1.0, "max": 0.5, "step": 0.05, "log_base": 10.0})
    assert log[0] == pytest.approx(0.1) and log[-1] == pytest.approx(10**0.5)
    assert live.slider_values({"type": "choice", "options": [1, 2]}) == [1, 2]


def test_json_has_no_nan() -> None:
    value = {"a": np.array([1.0, np.nan, np.inf, -np.inf]), "b": np.int64(3), "c": (True,)}
    assert live.dumps(value) == '{"a":[1.0,null,"inf","-inf"],"b":3,"c":[true]}'


def test_a_static_layer_spans_the_panel_and_leaves_out_what_moves() -> None:
    from PIL import Image

    widget = WIDGETS["momentum_explorer"]()
    png = live.static_layer(widget, 0)
    assert png is not None
    image = Image.open(io.BytesIO(png))
    (x0, x1), (y0, y1) = widget.figure.axes[0].get_xlim(), widget.figure.axes[0].get_ylim()
    assert image.width / image.height == pytest.approx((x1 - x0) / (y1 - y0), rel=0.01)
    # the gradient-descent explorer's error panel has nothing static: no layer
    assert live.static_layer(WIDGETS["gradient_descent_valley"](), 1) is None


@pytest.mark.parametrize(
    ("label", "text"),
    [
        (r"$|y_{i,k}|$", "|yᵢ,ₖ|"),
        (r"$\mathdefault{10^{-6}}$", "10⁻⁶"),
        (r"step $k$", "step k"),
        (r"learning rate $\eta$ (here $L = 1$)", "learning rate η (here L = 1)"),
        (r"$\|\theta_k - x^\star\|$", "‖θₖ - x*‖"),
    ],
)
def test_labels_in_plain_text(label: str, text: str) -> None:
    assert live_figures.plain(label) == text


def _page(with_figure: bool, option: str | None) -> nodes.document:
    document = new_document("page")
    if with_figure:
        figure = nodes.figure("", nodes.image(uri="x.svg"), nodes.caption("", "Caption."))
        figure["ids"] = ["fig-x"]
        document += figure
    document += nodes.paragraph("", "Text between.")
    document += live_figures.live_figure(name="x", spec={}, figure=option)
    return document


def test_a_live_figure_takes_the_place_of_its_static_picture() -> None:
    document = _page(True, "fig-x")
    live_figures.attach_to_figures(None, document)  # type: ignore[arg-type]
    (figure,) = document.findall(nodes.figure)
    assert "live-host" in figure["classes"]
    kinds = [type(child).__name__ for child in figure.children]
    assert kinds == ["image", "live_figure", "caption"]


def test_a_live_figure_without_a_figure_stands_alone() -> None:
    document = _page(False, None)
    live_figures.attach_to_figures(None, document)  # type: ignore[arg-type]
    assert isinstance(document.children[-1], live_figures.live_figure)


def test_the_pages_are_reread_when_the_sources_change(tmp_path: Path) -> None:
    class Env:
        def __init__(self) -> None:
            self.live_pages = {"chapters/momentum": {"momentum_explorer"}}
            self.live_hash = live_figures.source_hash()

    env = Env()
    assert live_figures.outdated(None, env, set(), set(), set()) == []  # type: ignore[arg-type]
    env.live_hash = "stale"
    assert live_figures.outdated(None, env, set(), set(), set()) == ["chapters/momentum"]  # type: ignore[arg-type]


def test_chartjs_unpacks_the_bundle_without_its_source_map(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in [
            (
                f"package/dist/{vendor_chartjs.BUNDLE}",
                b"!function(){}();\n//# sourceMappingURL=x.map",
            ),
            ("package/LICENSE.md", b"MIT"),
            ("package/dist/chart.js", b"other"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    assert vendor_chartjs.unpack(buffer.getvalue(), tmp_path) == 2
    bundle = tmp_path / vendor_chartjs.FOLDER / vendor_chartjs.BUNDLE
    assert b"sourceMappingURL" not in bundle.read_bytes()


def test_the_chapters_name_registered_live_figures() -> None:
    for chapter in sorted((ROOT / "chapters").glob("*.md")):
        for name in re.findall(r"^```\{live-figure\} (\S+)", chapter.read_text("utf-8"), re.M):
            assert name in NAMES, f"{chapter.name}: no live figure {name}"


def test_adam_live_first_step_is_eta_with_correction_and_larger_without() -> None:
    """Kingma & Ba (2015, Section 3): the corrected first step is eta sign(g_1) (eps aside).

    Without the correction it is (1 - b1) / sqrt(1 - b2) times that: what the page's bars,
    their labels and the table show at update 1.
    """
    from gdbook.live import adam as page

    eps = 1e-8
    with_ = page.reference(step=1, b1=0.9, b2=0.999, bias_correction=True)
    grads = with_["internals"]["grads"]
    np.testing.assert_allclose(
        with_["internals"]["step"] / 0.1, -np.sign(grads), rtol=2 * eps / np.abs(grads).min()
    )
    assert with_["bar_labels"] == ["1", "1"]
    assert with_["title"] == "update 1, with correction"
    without = page.reference(step=1, b1=0.5, b2=0.99, bias_correction=False)
    np.testing.assert_allclose(np.abs(without["internals"]["step"]) / 0.1, 0.5 / np.sqrt(0.01))
    assert without["bar_labels"] == ["5", "5"]
    rows = without["table"].splitlines()
    assert [row.split()[0] for row in rows[1:]] == ["g_t", "m_t", "v_t", "m̂_t", "v̂_t", "Δx/η"]
    assert rows[-1].split()[1:] == ["5", "5"]


def test_adaptive_live_first_rates_are_closed_forms() -> None:
    """After one update: Adagrad eta/(|g_1| + eps); RMSProp eta/(sqrt(1 - rho)|g_1| + eps);
    Adadelta eta sqrt(eps)/sqrt((1 - rho) g_1^2 + eps) (Zeiler 2012, Algorithm 1, u_0 = 0).
    """
    from gdbook.examples import VALLEY
    from gdbook.live import adaptive as page

    angle, eta, rho, eps = 35.0, 0.2, 0.8, 1e-4
    theta = np.radians(angle)
    c, s = np.cos(theta), np.sin(theta)
    q = np.array([[c, -s], [s, c]])  # eigenvectors: 1/kappa first, then 1
    a = q @ np.diag([1 / VALLEY.kappa, 1.0]) @ q.T
    # VALLEY is the same valley at its own angle: the start along its axes, turned to `angle`
    along = np.array([[np.cos(VALLEY.angle), np.sin(VALLEY.angle)],
                      [-np.sin(VALLEY.angle), np.cos(VALLEY.angle)]]) @ VALLEY.start  # fmt: skip
    x0 = q @ along
    g = np.abs(a @ x0)
    expected = {
        "Adagrad": eta / (g + eps),
        "RMSProp": eta / (np.sqrt(1 - rho) * g + eps),
        "Adadelta": eta * np.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps),
    }
    for method, rate in expected.items():
        out = page.reference(method=method, learning_rate=eta, rho=rho, eps=eps, angle=angle)
        np.testing.assert_allclose(out["start"], x0, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(out["rates"][0], rate, rtol=1e-12)
        assert out["titles"]["valley"].startswith(f"{method}, η = 0.2: error ")
        assert out["titles"]["rates"] == "ρ = 0.800, ε = 1e-04, valley at 35°"
