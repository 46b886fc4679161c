"""Every registered figure reproduces the committed file in figures/ byte for byte.

The registry is filled by the ``@register`` calls in ``gdbook/viz/<chapter>.py``; the
tests are parametrized over it, so a new figure is covered as soon as it is registered.
When a comparison fails, regenerate with ``python -m gdbook.figures`` (``make figures``).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from gdbook import figures

REGISTRY = figures.load_all()
NAMES = sorted(REGISTRY)
FIGURES_DIR = figures.FIGURES_DIR
REGENERATE = "run `python -m gdbook.figures` (or `make figures`) and commit figures/"


def _params(names: list[str]) -> list[Any]:
    """The names, or one failing placeholder so that an empty registry fails (not skips)."""
    return names or [pytest.param(None, id="no-figures-registered")]


def _require(name: str | None) -> str:
    assert name is not None, "no figure is registered: gdbook.figures.load_all() is empty"
    return name


_RENDERED: dict[str, bytes] = {}


def _render(name: str, out_dir: Path) -> bytes:
    """Render ``name`` into ``out_dir``; the first render is kept for the other tests."""
    data = figures.render(name, out_dir).read_bytes()
    _RENDERED.setdefault(name, data)
    return data


def _rendered(name: str, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if name not in _RENDERED:
        _render(name, tmp_path_factory.mktemp("render"))
    return _RENDERED[name]


@pytest.mark.parametrize("name", _params(NAMES))
def test_render_is_reproducible_and_equals_committed_file(
    name: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A fresh render equals figures/NAME, itself rendered by another process.

    Equality means two renders (then and now) are identical, so each figure is drawn
    once. On a mismatch the figure is drawn a second time in this process to tell a
    non-deterministic figure from a stale committed file.
    """
    name = _require(name)
    committed = FIGURES_DIR / name
    assert committed.exists(), f"figures/{name} is missing: {REGENERATE}"
    fresh = _rendered(name, tmp_path_factory)
    if fresh == committed.read_bytes():
        return
    again = figures.render(name, tmp_path_factory.mktemp("again")).read_bytes()
    assert again == fresh, (
        f"{name} renders differently each time: the figure function depends on hidden "
        "state (a module-level RNG, a clock, set order); use np.random.default_rng(seed)"
    )
    raise AssertionError(f"figures/{name} is stale: {REGENERATE}")


@pytest.mark.parametrize("name", _params(NAMES))
def test_figure_is_a_reproducible_svg_named_after_its_chapter(
    name: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    name = _require(name)
    assert name.endswith(".svg"), f"{name}: figures are SVG"
    module = REGISTRY[name].__module__
    assert module.startswith("gdbook.viz."), f"{name} is registered outside gdbook.viz"
    chapter = module.removeprefix("gdbook.viz.")
    assert name.startswith(f"{chapter}_"), (
        f"{name} is registered in gdbook.viz.{chapter}; name it {chapter}_<what>.svg"
    )
    svg = _rendered(name, tmp_path_factory)
    ET.fromstring(svg)  # well-formed XML
    assert b"<dc:date>" not in svg, f"{name} carries a date stamp: save it with plotting.save"


def test_figures_directory_holds_exactly_the_registered_figures() -> None:
    assert NAMES, "no figure is registered: gdbook.figures.load_all() is empty"
    on_disk = {p.name for p in FIGURES_DIR.iterdir() if not p.name.startswith(".")}
    stray = sorted(on_disk - set(NAMES))
    missing = sorted(set(NAMES) - on_disk)
    assert not stray, f"figures/ has files no figure function writes: {stray}; delete them"
    assert not missing, f"registered figures missing from figures/: {missing}; {REGENERATE}"


def test_every_viz_module_is_loaded() -> None:
    """A viz/<chapter>.py that load_all() does not import would register nothing."""
    for chapter in figures.chapter_modules():
        path = Path(figures.__file__).parent / "viz" / f"{chapter}.py"
        if path.exists():
            assert f"gdbook.viz.{chapter}" in sys.modules, f"gdbook.viz.{chapter} not loaded"
    on_disk = {p.stem for p in (Path(figures.__file__).parent / "viz").glob("*.py")}
    assert on_disk - {"__init__"} <= set(figures.chapter_modules())
