r"""Sphinx extension: the explorers as live figures of the static book.

``{live-figure} NAME`` (a MyST directive; ``NAME`` is the explorer's name in
``gdbook.widgets.WIDGETS``) puts the explorer into the page as a figure that recomputes
at every step of its sliders, with no kernel and no network:

* the page gets the figure's spec as inline JSON, built at read time by
  :func:`gdbook.live.spec` from the Python explorer itself (controls with their ranges,
  steps, defaults and readouts; the axes of each panel) and the settings of
  ``gdbook.live.<chapter>``, so that page and widget cannot drift; labels written in
  mathtext are turned into plain symbols (``reader_html.latex_to_text``);
* each panel's static layer (level sets, the rate map: what the explorer never redraws)
  is written to ``_live/NAME/<panel>.png``, the page's own asset;
* ``web/live/`` (the rules, the explorers, the drawing and the style) and Chart.js
  (``tools/vendor_chartjs.py``, pinned from npm) are copied to ``_static/live/`` and
  loaded, deferred, only by the pages that show a live figure (they are not under the
  book's own ``_static/``, whose scripts Jupyter Book loads on every page).

Placed right after the ``{figure}`` of the explorer's static picture (or with
``:figure: <label>``), the live figure takes that picture's place on screen and keeps
its number and caption; the picture stays for readers without scripts and for print
(``gdlive.css``). Anywhere else it stands alone. A page is re-read when the package or
``web/live/`` changed since its spec was made.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, ClassVar

import reader_html
import vendor_chartjs
import vendor_mathjax
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"  # web/live/* -> _static/live/*
SOURCES = (ROOT / "code" / "gdbook", WEB / "live")
SCRIPTS = ("live/vendor/chart.umd.min.js", "live/gdlive-core.js", "live/gdlive-explorers.js",
           "live/gdlive-dynamics.js", "live/gdlive.js")  # fmt: skip
STYLE = "live/gdlive.css"
LAYERS = "_live"  # below the output root: the pages' own assets, not shared ones

SUPERSCRIPT = dict(zip("0123456789+-−=()nik", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵏ", strict=True))
SUBSCRIPT = dict(zip("0123456789+-=()aeikntx,", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢₖₙₜₓ,", strict=True))


class live_figure(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes so)
    """A live figure: ``name``, its ``spec`` (a dict) and optionally the ``figure`` it replaces."""


def _script(text: str, table: dict[str, str]) -> str | None:
    return "".join(table[c] for c in text) if all(c in table for c in text) else None


def plain(label: str) -> str:
    r"""A matplotlib label as plain text: ``$|y_{i,k}|$`` -> ``|yᵢ,ₖ|``, ``$10^{-6}$`` -> 10⁻⁶."""

    def math(match: re.Match[str]) -> str:
        tex = re.sub(r"\^\{?\\star\}?", "*", match.group(1))

        def script(m: re.Match[str]) -> str:
            body = m.group(2) if m.group(2) is not None else m.group(3)
            table = SUPERSCRIPT if m.group(1) == "^" else SUBSCRIPT
            return _script(body, table) or f"{m.group(1)}({body})"

        tex = re.sub(r"([\^_])(?:\{([^{}]*)\}|(\w))", script, tex)
        tex = re.sub(r"\\mathdefault\{([^{}]*)\}", r"\1", tex)
        return reader_html.latex_to_text(tex)

    return re.sub(r"\$([^$]*)\$", math, label).replace("  ", " ")


def _plain_panels(spec: dict[str, Any]) -> dict[str, Any]:
    for panel in spec["panels"].values():
        for axis in ("x", "y"):
            panel[axis]["label"] = plain(panel[axis]["label"])
            panel[axis]["ticks"] = [[value, plain(text)] for value, text in panel[axis]["ticks"]]
    return spec


_SPECS: dict[str, tuple[dict[str, Any], dict[str, bytes]]] = {}


def build_spec(name: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The page spec of explorer ``name`` (labels in plain text) and its layers, once a process."""
    if name not in _SPECS:
        from gdbook import live

        page, layers = live.spec(name)
        _SPECS[name] = (json.loads(live.dumps(_plain_panels(page))), layers)
    return _SPECS[name]


class LiveFigureDirective(SphinxDirective):
    """``{live-figure} NAME``: the explorer NAME, recomputed in the page."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {"figure": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        """Build the spec (and record the layers) of the named explorer."""
        name = self.arguments[0]
        from gdbook import live

        if name not in live.load_all():
            known = ", ".join(sorted(live.LIVE))
            logger.warning(
                "no live figure %r (known: %s)", name, known, type="live", subtype="unknown",
                location=self.get_location(),
            )  # fmt: skip
            return []
        spec, layers = build_spec(name)
        env = self.env
        if not hasattr(env, "live_pages"):
            env.live_pages = {}
        env.live_pages.setdefault(env.docname, set()).add(name)
        env.live_layers = {**getattr(env, "live_layers", {}), name: layers}
        env.live_hash = source_hash()
        node = live_figure(name=name, spec=spec, figure=self.options.get("figure"))
        self.set_source_info(node)
        return [node]


def attach_to_figures(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: a live figure after its static figure takes that figure's picture."""
    for node in list(doctree.findall(live_figure)):
        label = node.get("figure")
        figure = None
        if label:
            figure = next((f for f in doctree.findall(nodes.figure) if label in f["ids"]), None)
            if figure is None:
                logger.warning("live figure %s: no figure %r", node["name"], label,
                               type="live", subtype="figure", location=node)  # fmt: skip
        else:
            index = node.parent.index(node)
            previous = node.parent[index - 1] if index > 0 else None
            figure = previous if isinstance(previous, nodes.figure) else None
        if figure is None:
            continue
        node.parent.remove(node)
        captions = list(figure.findall(nodes.caption))
        position = figure.index(captions[0]) if captions else len(figure)
        figure.insert(position, node)
        figure["classes"].append("live-host")


def visit_live_html(self: Any, node: live_figure) -> None:
    """The figure's placeholder: hidden until the page's script has drawn it."""
    page = self.builder.get_target_uri(self.builder.current_docname)
    base = relative_uri(page, f"{LAYERS}/{node['name']}/")
    spec = json.dumps(node["spec"], separators=(",", ":")).replace("</", "<\\/")
    self.body.append(
        f'<div class="live-figure" data-live="{node["name"]}" data-layers="{base}" hidden>'
        f'<script type="application/json" class="live-spec">{spec}</script>'
    )


def depart_live_html(self: Any, node: live_figure) -> None:
    """Close the placeholder."""
    self.body.append("</div>")


def skip(self: Any, node: live_figure) -> None:
    """Other builders (LaTeX, text) keep the static picture only."""
    raise nodes.SkipNode


def add_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: the scripts and style, on pages with a live figure only."""
    if doctree is None or not any(True for _ in doctree.findall(live_figure)):
        return
    app.add_css_file(STYLE)
    for script in SCRIPTS:
        app.add_js_file(script, loading_method="defer")


def source_hash() -> str:
    """A hash of the package and ``web/live/``: what a live figure's spec is made from."""
    digest = hashlib.sha256()
    for root in SOURCES:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".js", ".css"} and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """``env-get-outdated``: re-read the pages with live figures when their sources changed."""
    pages = getattr(env, "live_pages", {})
    if not pages or getattr(env, "live_hash", None) == source_hash():
        return []
    return sorted(set(pages) - removed)


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """``env-purge-doc``: forget a page's live figures before it is read again."""
    getattr(env, "live_pages", {}).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames: list[str], other: Any) -> None:
    """``env-merge-info``: collect what parallel readers recorded."""
    env.live_pages = {**getattr(env, "live_pages", {}), **getattr(other, "live_pages", {})}
    env.live_layers = {**getattr(env, "live_layers", {}), **getattr(other, "live_layers", {})}
    if hasattr(other, "live_hash"):
        env.live_hash = other.live_hash


def write_layers(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: every live figure's static layers under ``_live/NAME/``."""
    if exception is not None or app.builder.format != "html":
        return
    shown = {name for names in getattr(app.env, "live_pages", {}).values() for name in names}
    for name, layers in getattr(app.env, "live_layers", {}).items():
        if name not in shown:
            continue
        folder = Path(app.outdir) / LAYERS / name
        folder.mkdir(parents=True, exist_ok=True)
        for panel, png in layers.items():
            (folder / f"{panel}.png").write_bytes(png)


def use_static_files(app: Sphinx, config: Config) -> None:
    """``config-inited``: copy ``web/live`` and the pinned Chart.js to ``_static/live``."""
    cache = Path(config.reader_vendor_cache or vendor_mathjax.DEFAULT_CACHE)
    folder = vendor_chartjs.ensure(cache)
    config.html_static_path = [*config.html_static_path, str(WEB), str(folder)]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive, the node and the handlers (Sphinx extension entry point)."""
    app.add_node(
        live_figure,
        html=(visit_live_html, depart_live_html),
        dirhtml=(visit_live_html, depart_live_html),
        # the single page is the PDF's source (make pdf): print keeps the static picture
        singlehtml=(skip, None),
        latex=(skip, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    app.add_directive("live-figure", LiveFigureDirective)
    app.connect("config-inited", use_static_files)
    app.connect("doctree-read", attach_to_figures)
    app.connect("html-page-context", add_assets)
    app.connect("env-get-outdated", outdated)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("build-finished", write_layers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
