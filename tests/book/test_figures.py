"""Every registered figure reproduces the committed file in figures/ where a reader sees it.

Two renders in one process are byte-identical (the figure is deterministic); the committed
file and a fresh render, made by other processes and possibly on other CPUs and BLAS
kernels, are compared by ``tools/svgdiff.py``: coordinates to 0.01 of a point, the
structure exactly. ``make test`` runs the comparison under two OpenBLAS core types.

The registry is filled by the ``@register`` calls in ``gdbook/viz/<chapter>.py``; the
tests are parametrized over it, so a new figure is covered as soon as it is registered.
"""

from __future__ import annotations

import base64
import io
import itertools
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gdbook import figures, plotting
from matplotlib.figure import Figure
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import svgdiff

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
_OUTSIDE: dict[str, list[str]] = {}


def _below_log_axes(fig: Figure) -> list[str]:
    """Points drawn below a log axis's lower limit, except where a line leaves the axes.

    The axes clip them, but the file keeps their coordinates, and below a log axis they are
    typically round-off whose digits depend on the machine (``plotting.within_view``).
    Above the upper limit values are large, not round-off, and may stay.
    """
    found = []
    for k, ax in enumerate(fig.axes):
        for line in ax.get_lines():
            if not line.get_transform().contains_branch(ax.transData):
                continue  # axhline and friends: axes coordinates
            for axis, data in (("x", line.get_xdata()), ("y", line.get_ydata())):
                if (ax.get_xscale() if axis == "x" else ax.get_yscale()) != "log":
                    continue
                values = np.asarray(data, dtype=np.float64)
                low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
                finite = np.isfinite(values)
                outside = finite & ((values < low) | (values <= 0))
                if line.get_linestyle() not in ("None", "", " "):  # the segment to the edge
                    inside = finite & ~outside
                    outside[1:] &= ~inside[:-1]
                    outside[:-1] &= ~inside[1:]
                if outside.any():
                    found.append(
                        f"axes {k}, line {line.get_label()!r}: {int(outside.sum())} points "
                        f"below the log {axis} axis [{low:g}, {high:g}], e.g. "
                        f"{values[outside][0]:g}"
                    )
    return found


def _render(name: str, out_dir: Path) -> bytes:
    """Render ``name`` into ``out_dir``; the first render is kept for the other tests."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fig = REGISTRY[name]()
    _OUTSIDE.setdefault(name, _below_log_axes(fig))
    plotting.save(fig, out_dir / name)
    data = (out_dir / name).read_bytes()
    _RENDERED.setdefault(name, data)
    return data


def _rendered(name: str, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if name not in _RENDERED:
        _render(name, tmp_path_factory.mktemp("render"))
    return _RENDERED[name]


@pytest.mark.parametrize("name", _params(NAMES))
def test_fresh_render_matches_committed_file_where_a_reader_sees_it(
    name: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A fresh render equals figures/NAME up to 0.01 pt per coordinate (tools/svgdiff.py).

    The committed file was rendered by another process, maybe on another CPU, whose BLAS
    kernel rounds differently: bytes may differ, what a reader sees may not.
    """
    name = _require(name)
    committed = FIGURES_DIR / name
    assert committed.exists(), f"figures/{name} is missing: {REGENERATE}"
    fresh = _rendered(name, tmp_path_factory)
    if fresh == committed.read_bytes():
        return
    diff = svgdiff.compare(committed.read_bytes(), fresh)
    assert diff.ok, (
        diff.report(f"figures/{name}") + "\n"
        f"If you changed what {name} draws, regenerate it: python -m gdbook.figures --only "
        f"{name}. If you did not, the figure depends on the machine (BLAS kernel, CPU, "
        "library versions) and regenerating would move this failure to the next machine: "
        "find what the listed elements draw (round-off drawn outside a log axis is masked "
        "with gdbook.plotting.within_view)."
    )


@pytest.mark.parametrize("name", _params(NAMES))
def test_two_renders_in_one_process_are_byte_identical(
    name: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    name = _require(name)
    first = _rendered(name, tmp_path_factory)
    again = _render(name, tmp_path_factory.mktemp("again"))
    assert again == first, (
        f"{name} renders differently each time: the figure function depends on hidden "
        "state (a module-level RNG, a clock, set order); use np.random.default_rng(seed)\n"
        + svgdiff.compare(first, again).report(f"{name}, second render")
    )


@pytest.mark.parametrize("name", _params(NAMES))
def test_nothing_is_drawn_below_a_log_axis(
    name: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Clipped points stay in the file; below a log axis they are round-off (issue 6)."""
    name = _require(name)
    _rendered(name, tmp_path_factory)
    assert not _OUTSIDE[name], (
        f"{name} draws points below a log axis, clipped away but kept in the file, whose "
        "digits may depend on the machine (round-off); "
        "mask them with gdbook.plotting.within_view:\n  " + "\n  ".join(_OUTSIDE[name])
    )


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
    from gdbook.viz import chapter_modules

    for chapter in chapter_modules():
        path = Path(figures.__file__).parent / "viz" / f"{chapter}.py"
        if path.exists():
            assert f"gdbook.viz.{chapter}" in sys.modules, f"gdbook.viz.{chapter} not loaded"
    on_disk = {p.stem for p in (Path(figures.__file__).parent / "viz").glob("*.py")}
    assert on_disk - {"__init__"} <= set(chapter_modules())


# --------------------------------------------------------------------------------------
# Drawn for the page: text a reader can read, files a phone can load
# --------------------------------------------------------------------------------------

COLUMN_PX = 672  # the text column at 1280 px (tools/browser_test.py measures it in Chromium)
MIN_TEXT_PX = 11.0  # tick, label, legend and title text; sub- and superscripts may be smaller


@pytest.mark.parametrize("name", _params([n for n in NAMES if n.endswith(".svg")]))
def test_committed_figure_text_is_at_least_11_px_in_the_desktop_column(name: str | None) -> None:
    import browser_test

    info = browser_test.figure_text(FIGURES_DIR / _require(name))
    assert info is not None, f"{name}: no text found in the SVG"
    width, smallest, _ = info
    px = smallest * COLUMN_PX / width
    assert px >= MIN_TEXT_PX, (
        f"{name}: its smallest text is {smallest:.1f} pt, {px:.1f} px in the {COLUMN_PX}-px "
        f"column (at least {MIN_TEXT_PX:.0f} px: fontsize >= {MIN_TEXT_PX * width / COLUMN_PX:.2f})"
    )


def test_log_thinned_keeps_a_bounded_number_of_points_per_decade() -> None:
    x = np.arange(0, 3001)  # step 0 lies off a log axis
    kept = plotting.log_thinned(x, per_decade=50)
    assert kept[0] == 1 and kept[-1] == 3000 and np.all(np.diff(kept) > 0)
    decades = np.floor(np.log10(x[kept]))
    assert np.bincount(decades.astype(int)).max() <= 50 + 1
    assert set(range(1, 10)) <= set(kept.tolist())  # sparse at the start: every point kept
    # between kept neighbours x grows by at most one slice of a decade (or one step)
    ratio = x[kept][1:] / x[kept][:-1]
    assert np.all((ratio <= 10 ** (2 / 50)) | (np.diff(x[kept]) == 1))
    with pytest.raises(ValueError, match="per_decade"):
        plotting.log_thinned(x, per_decade=0)
    with pytest.raises(ValueError, match="increasing"):
        plotting.log_thinned([1.0, 1.0, 2.0])


def test_envelope_thinned_keeps_every_dip_spike_and_gap_of_a_dense_curve() -> None:
    x = np.linspace(0.0, 1.0, 20_001)
    y = np.sin(40 * np.pi * x) ** 2  # 40 dips, exactly 0 at x = i/40
    y[7_777] = 5.0  # a spike one sample wide
    y[3_000:3_100] = np.nan  # a gap (e.g. masked by within_view)
    bins = 500
    kept = plotting.envelope_thinned(x, y, bins=bins)
    assert kept[0] == 0 and kept[-1] == x.size - 1 and np.all(np.diff(kept) > 0)
    assert kept.size <= 4 * bins + 2  # four a bin at most, and the gap's first point
    assert kept.size < x.size / 8  # thinned: about two points a bin where monotone
    # every bin keeps the lowest and the highest point the original has there
    which = np.minimum(np.floor(x * bins), bins - 1)
    for b in range(bins):
        inside = (which == b) & np.isfinite(y)
        if not inside.any():
            continue  # inside the gap
        mine = kept[inside[kept]]
        assert y[mine].min() == y[inside].min() and y[mine].max() == y[inside].max(), b
    assert 7_777 in kept and np.sum(y[kept] == 0.0) == np.sum(y == 0.0)  # spike, every dip
    # the gap stays a gap: no kept segment bridges a NaN of the original
    assert np.isnan(y[kept]).sum() == 1
    for i, j in itertools.pairwise(kept):
        if np.isfinite(y[i]) and np.isfinite(y[j]):
            assert np.all(np.isfinite(y[i : j + 1])), (i, j)
    # a striding thinning would lose the spike: the test above can tell
    assert 7_777 not in range(0, x.size, 40)
    with pytest.raises(ValueError, match="bins"):
        plotting.envelope_thinned(x, y, bins=0)
    with pytest.raises(ValueError, match="increasing"):
        plotting.envelope_thinned([0.0, 0.0, 1.0], [1.0, 2.0, 3.0])


def test_a_figure_with_rasterized_artists_embeds_them_at_raster_dpi(tmp_path: Path) -> None:
    """plotting.rasterize: the artist becomes an image at RASTER_DPI (2 device px a CSS px)."""
    fig, ax = plotting.new_figure(figsize=(2.0, 1.0))
    (dots,) = ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 2, ".")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    plotting.rasterize(dots)
    plotting.save(fig, tmp_path / "dots.svg")
    root = ET.parse(tmp_path / "dots.svg").getroot()
    (image,) = [el for el in root.iter() if el.tag.endswith("image")]
    href = next(v for k, v in image.attrib.items() if k.endswith("href"))
    png = Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1])))
    dpi = png.width / (float(image.attrib["width"]) / 72)  # user units: 72 an inch
    assert abs(dpi - plotting.RASTER_DPI) < 2, dpi
    assert plotting.RASTER_DPI >= 2 * plotting.COLUMN_PX / 6.9  # 2 px a CSS px at 6.9 in
