r"""Sphinx extension: the HTML book as a reader gets it, offline, with nothing broken.

* **Offline math.** MathJax comes from its npm package (``tools/vendor_mathjax.py``,
  pinned and verified), is copied to ``_static/mathjax/`` and loaded from there by every
  page with math (``mathjax_path`` is relative to ``_static``, so pages in ``chapters/``
  get ``../_static/mathjax/...``). The ``mathjax3_config`` of ``_config.yml`` (macros)
  is untouched.
* **Scripts once.** Sphinx 7.4 emits an inline script registered after the builder
  started twice (``prepare_writing`` adds the registry's copy again, with ``''`` for
  ``None`` as the file name, which does not compare equal): sphinx-thebe's
  ``const THEBE_JS_URL`` then raises a SyntaxError on every page, and
  sphinx-togglebutton's selector is set twice. Each page's scripts are de-duplicated.
  With thebe off (``launch_buttons.thebe: false``) its scripts, styles and per-page
  config are dropped altogether: they would only point at a CDN.
* **Alt text.** A ``{figure}`` without ``:alt:`` gets the first sentence of its caption
  (math turned into plain symbols: ``\(\beta^k\)`` reads ``β^k``), instead of the file
  path Sphinx writes by default. An image with neither alt text nor a caption is a
  warning (``reader.alt``), which the strict build turns into an error.
* **No console error.** pydata-sphinx-theme gets ``html_context.default_mode: auto``
  when the book sets none (otherwise it logs an error on the first visit of every reader).
* **Favicon.** ``favicon.ico`` at the root of the output (the SVG favicon of
  ``html_favicon`` is linked from every page; the ``.ico`` answers a browser or server
  that asks for ``/favicon.ico`` anyway).
* **Author-year bibliography.** ``bibtex_default_style: authoryear``: the ``plain``
  style with labels "Kingma and Ba, 2015", "Sutskever et al., 2013", as the text cites
  them (``bibtex_reference_style: author_year``), instead of [1], [2].
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import vendor_mathjax
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

MATHJAX_PATH = f"mathjax/{vendor_mathjax.ENTRY}"  # relative to _static
BIB_STYLE = "authoryear"

# --------------------------------------------------------------------------------------
# MathJax from the book itself
# --------------------------------------------------------------------------------------


def use_local_mathjax(app: Sphinx, config: Config) -> None:
    """``config-inited``: fetch MathJax (once, cached) and load it from ``_static``."""
    if not config.reader_offline_mathjax:
        return
    folder = vendor_mathjax.ensure(Path(config.reader_vendor_cache or vendor_mathjax.DEFAULT_CACHE))
    config.html_static_path = [*config.html_static_path, str(folder)]
    config.mathjax_path = MATHJAX_PATH


def set_default_mode(app: Sphinx, config: Config) -> None:
    """``config-inited``: an explicit light/dark default, ``auto`` (follow the system).

    Without one, pydata-sphinx-theme starts a reader with no saved choice on mode ``""``
    and logs "Got invalid theme mode" on every page before falling back to ``auto``.
    """
    context = dict(config.html_context or {})
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
        config.html_context = context


# --------------------------------------------------------------------------------------
# Each script once; no thebe when thebe is off
# --------------------------------------------------------------------------------------


def _asset_key(asset: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    filename = str(getattr(asset, "filename", asset) or "")
    attributes = getattr(asset, "attributes", {}) or {}
    return filename, tuple(sorted((str(k), str(v)) for k, v in attributes.items()))


def unique_assets(assets: Iterable[Any]) -> list[Any]:
    """The assets in order, each (file name, or ``None``/``''`` and body) only once."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for asset in assets:
        key = _asset_key(asset)
        if key not in seen:
            seen.add(key)
            kept.append(asset)
    return kept


def _is_thebe(asset: Any) -> bool:
    filename, attributes = _asset_key(asset)
    return "sphinx-thebe" in filename or any("THEBE_JS_URL" in value for _, value in attributes)


def thebe_enabled(config: Config) -> bool:
    """Whether the book turns thebe on (``launch_buttons.thebe`` in ``_config.yml``)."""
    options = config.html_theme_options or {}
    return bool((options.get("launch_buttons") or {}).get("thebe"))


def clean_page_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: drop repeated scripts (and thebe's, when thebe is off)."""
    drop_thebe = not thebe_enabled(app.config)
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not isinstance(assets, list):
            continue
        kept = unique_assets(assets)
        if drop_thebe:
            kept = [asset for asset in kept if not _is_thebe(asset)]
        assets[:] = kept


def drop_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` (after sphinx-thebe): remove its per-page config when off."""
    if thebe_enabled(app.config):
        return
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if "text/x-thebe-config" in text or text.strip().startswith("<script>kernelName ="):
            raw.parent.remove(raw)


# --------------------------------------------------------------------------------------
# Alt text from the caption
# --------------------------------------------------------------------------------------

GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
    "tau upsilon phi chi psi omega"
).split()
_GREEK_LOWER = "αβγδεζηθικλμνξπρστυφχψω"
_GREEK_UPPER = {
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
SYMBOLS = {
    **dict(zip(GREEK, _GREEK_LOWER, strict=True)),
    **_GREEK_UPPER,
    "varepsilon": "ε", "vartheta": "θ", "varphi": "φ", "varrho": "ρ", "ell": "ℓ",
    "cdot": "·", "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠",
    "neq": "≠", "approx": "≈", "sim": "~", "propto": "∝", "infty": "∞", "to": "→",
    "rightarrow": "→", "in": "∈", "nabla": "∇", "partial": "∂", "pm": "±", "|": "‖",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "ldots": "…", "dots": "…", "cdots": "…",
    "sqrt": "√", "sum": "Σ", "prod": "Π", "top": "ᵀ", "star": "*", "ast": "*",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋",
}  # fmt: skip
SPACES = {",", ";", ":", "!", " ", "quad", "qquad"}
DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "limits"}
WRAPPERS = r"mathrm|mathbf|mathit|mathsf|mathcal|mathbb|boldsymbol|text|textrm|operatorname"
ABBREVIATIONS = {"e.g.", "i.e.", "fig.", "figs.", "eq.", "eqs.", "al.", "cf.", "vs.", "approx."}


def latex_to_text(latex: str) -> str:
    r"""Plain symbols for a TeX fragment of a caption: ``\frac{1}{\sqrt\kappa}`` -> ``1/√κ``."""
    text = latex
    for _ in range(3):  # nested fractions
        text = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", text)
    text = re.sub(rf"\\(?:{WRAPPERS})\s*\{{([^{{}}]*)\}}", r"\1", text)
    text = re.sub(r"\\(?:hat|bar|tilde|vec|widehat|overline)\s*", "", text)

    def command(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in SPACES:
            return " "
        if name in DROPPED:
            return ""
        return SYMBOLS.get(name, name)

    text = re.sub(r"\\([A-Za-z]+|.)", command, text)
    text = re.sub(r"\(([\w.√]+)\)/\(([\w.√]+)\)", r"\1/\2", text)  # (1)/(√κ) -> 1/√κ
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    return re.sub(r"\s+", " ", text).strip()


def plain_text(node: nodes.Node) -> str:
    """The text of a node as a reader sees it, with math in plain symbols."""
    if isinstance(node, nodes.math):
        return latex_to_text(node.astext())
    if isinstance(node, nodes.Text):
        return str(node)
    return "".join(plain_text(child) for child in node.children)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (abbreviations such as "e.g." do not end one)."""
    text = re.sub(r"\s+", " ", text).strip()
    for match in re.finditer(r"[.!?](?=\s|$)", text):
        words = text[: match.end()].split()
        if words and words[-1].lower() in ABBREVIATIONS:
            continue
        return text[: match.end()]
    return text


def add_alt_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: alt text for every image from its figure's caption.

    Run on the resolved doctree, so that a citation in a caption reads as it is printed
    ("Lessard et al. [2016]", not the key) and glued numbers are in place.
    """
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        figure = image.parent
        while figure is not None and not isinstance(figure, nodes.figure):
            figure = figure.parent
        captions = [] if figure is None else list(figure.findall(nodes.caption))
        alt = first_sentence(plain_text(captions[0])) if captions else ""
        if alt:
            image["alt"] = alt
        else:
            logger.warning(
                "image %s has no alt text and no caption to take it from",
                image.get("uri"),
                type="reader",
                subtype="alt",
                location=image,
            )


_ROLE = re.compile(r":(math|func|class|mod|data|attr|meth|obj|exc):`(~?)([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def _plain_role(match: re.Match[str]) -> str:
    role, short, target = match.groups()
    if role == "math":
        return target
    return target.rsplit(".", 1)[-1] if short else target


def plain_docstrings(code: str) -> str:
    r"""Python source with its docstrings' reST markup taken out, as a reader sees it.

    ``:math:`\eta g``` becomes ``\eta g``, ``:func:`~gdbook.base.run``` becomes ``run``
    and a double-backtick literal loses its backticks. The code itself is untouched: these
    patterns do not occur in Python expressions.
    """
    return _LITERAL.sub(r"\1", _ROLE.sub(_plain_role, code))


def clean_listings(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: listings included from ``.py`` files show plain docstrings."""
    for block in doctree.findall(nodes.literal_block):
        if not str(block.get("source", "")).endswith(".py"):
            continue
        text = block.astext()
        cleaned = plain_docstrings(text)
        if cleaned != text:
            block.children = [nodes.Text(cleaned)]
            block.rawsource = cleaned


def link_figures_to_full_size(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: every figure fills the text column and links to its full-size file.

    Figures are drawn for the column (6.9 in at 96 dpi); on a phone they shrink with it, so
    a tap opens the picture alone, where it can be zoomed. Sphinx links a sized image to
    its file by itself (``html_scaled_image_link``), so giving each figure the column's
    width is all it takes.
    """
    for figure in doctree.findall(nodes.figure):
        for image in figure.findall(nodes.image):
            if not any(key in image for key in ("width", "height", "scale")):
                image["width"] = "100%"


# --------------------------------------------------------------------------------------
# favicon.ico
# --------------------------------------------------------------------------------------


def draw_favicon(path: Path) -> None:
    """Write ``favicon.ico`` (16, 32, 48 px): the valley and the ball of ``favicon.svg``."""
    from PIL import Image, ImageDraw

    size = 96  # drawn on the SVG's 32-unit grid, three pixels a unit
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # the quadratic Bezier M3 5 Q16 45 29 5 of favicon.svg
    curve = [
        (3 * (3 + 26 * t), 3 * (5 * (1 - t) ** 2 + 90 * t * (1 - t) + 5 * t**2))
        for t in (i / 40 for i in range(41))
    ]
    draw.line(curve, fill="#0072B2", width=11, joint="curve")
    for end in (curve[0], curve[-1]):
        draw.ellipse([end[0] - 5, end[1] - 5, end[0] + 5, end[1] + 5], fill="#0072B2")
    cx, cy, r = 13.7, 14.8, 4.5  # the circle of favicon.svg: resting on the left wall
    draw.ellipse([3 * (cx - r), 3 * (cy - r), 3 * (cx + r), 3 * (cy + r)], fill="#E69F00")
    image.save(path, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])


def write_favicon(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: ``favicon.ico`` at the root of the HTML output."""
    if exception is None and app.builder.format == "html":
        draw_favicon(Path(app.outdir) / "favicon.ico")


# --------------------------------------------------------------------------------------
# Author-year labels for the reference lists
# --------------------------------------------------------------------------------------


def _last_names(entry: Any) -> list[str]:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = []
    for person in persons:
        parts = [*person.prelast_names, *person.last_names]
        names.append(re.sub(r"[{}]", "", " ".join(parts)))
    return names


def author_year_label(entry: Any) -> str:
    """The label of an entry as the text cites it: "Kingma and Ba, 2015", "X et al., 2013"."""
    names = _last_names(entry)
    if not names:
        who = re.sub(r"[{}]", "", str(entry.fields.get("title", "") or getattr(entry, "key", "")))
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    year = entry.fields.get("year", "")
    return f"{who}, {year}" if year else who


def register_bibliography_style() -> None:
    """Register the ``authoryear`` pybtex style (``plain`` with author-year labels)."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabelStyle(BaseLabelStyle):  # type: ignore[misc]
        """Author-year labels; a repeated one gets a, b, ... after the year."""

        def format_labels(self, sorted_entries: Iterable[Any]) -> Iterable[str]:
            entries = list(sorted_entries)
            labels = [author_year_label(entry) for entry in entries]
            counts = {label: labels.count(label) for label in labels}
            seen: dict[str, int] = {}
            for label in labels:
                if counts[label] == 1:
                    yield label
                    continue
                seen[label] = seen.get(label, 0) + 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]

    class AuthorYearStyle(PlainStyle):  # type: ignore[misc]
        default_label_style = BIB_STYLE
        default_sorting_style = "author_year_title"

    register_plugin("pybtex.style.labels", BIB_STYLE, AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.formatting", BIB_STYLE, AuthorYearStyle, force=True)


PLAIN_TOKENS = ("n", "p", "w")
"""Pygments classes the theme draws in the listing's own colour (names, punctuation, blanks)."""

_PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)
_PLAIN_SPAN = re.compile(r'<span class="(?:' + "|".join(PLAIN_TOKENS) + r')">([^<]*)</span>')


def unwrap_plain_tokens(html: str) -> str:
    """Drop the ``<span>`` around listing tokens drawn in the listing's own colour.

    Half the spans of a highlighted listing mark names, punctuation and blanks, which the
    theme's Pygments styles colour exactly as the ``.highlight`` block itself (light and
    dark; ``tools/check_build.py`` checks the built stylesheet): the page looks the same
    and a chapter's HTML is lighter (the gradient-descent page by about a quarter).
    """
    return _PRE.sub(lambda pre: _PLAIN_SPAN.sub(r"\1", pre.group(0)), html)


def lighter_listings(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: :func:`unwrap_plain_tokens` on the page body."""
    if isinstance(context.get("body"), str):
        context["body"] = unwrap_plain_tokens(context["body"])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handlers (Sphinx extension entry point)."""
    app.add_config_value("reader_offline_mathjax", True, "html")
    app.add_config_value("reader_vendor_cache", "", "html")
    register_bibliography_style()
    app.connect("config-inited", use_local_mathjax)
    app.connect("config-inited", set_default_mode)
    app.connect("html-page-context", clean_page_assets, priority=900)
    app.connect("html-page-context", lighter_listings, priority=900)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("doctree-resolved", add_alt_text, priority=900)
    app.connect("doctree-read", link_figures_to_full_size)
    app.connect("doctree-read", clean_listings)
    app.connect("build-finished", write_favicon)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
