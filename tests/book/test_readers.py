"""The reader-facing build tools, without a build or a browser.

``tools/reader_html.py`` (offline MathJax, scripts once, alt text, author-year labels),
``tools/vendor_mathjax.py`` (the pinned npm package) and the pure parts of
``tools/browser_test.py`` (figure text sizes, alt text, local URLs). The browser test
itself runs on the built book (``make test-browser``, part of ``make test``).
"""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from docutils import nodes
from docutils.utils import new_document
from pybtex.database import Entry, Person
from pybtex.plugin import find_plugin
from sphinx.builders.html._assets import _JavaScript

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import browser_test  # noqa: E402
import reader_html  # noqa: E402
import vendor_mathjax  # noqa: E402

# --------------------------------------------------------------------------------------
# The configuration wires them in
# --------------------------------------------------------------------------------------


def _config() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_config_uses_the_reader_extension() -> None:
    sphinx = _config()["sphinx"]
    assert "reader_html" in sphinx["local_extensions"]
    assert sphinx["config"]["bibtex_default_style"] == reader_html.BIB_STYLE
    assert sphinx["config"]["bibtex_reference_style"] == "author_year"
    assert sphinx["config"]["html_use_index"] is False  # the book has no index entries
    assert "macros" in sphinx["config"]["mathjax3_config"]["tex"]


def test_favicon_exists() -> None:
    favicon = _config()["html"]["favicon"]
    assert (ROOT / favicon).is_file()


def test_no_library_is_vendored_under_static() -> None:
    """Jupyter Book injects every .js under _static/ into every page: only small own ones."""
    for script in (ROOT / "_static").rglob("*.js"):
        assert script.stat().st_size < 20_000, f"{script} looks like a vendored library"


# --------------------------------------------------------------------------------------
# Alt text from the caption
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\beta^k", "β^k"),
        (r"\frac{1}{\sqrt\kappa}", "1/√κ"),
        (r"\eta = 1/L", "η = 1/L"),
        (r"\mathrm{rate} \le 1 - \mu/L", "rate ≤ 1 - μ/L"),
        (r"\|x_t - x^\star\|", "‖x_t - x^*‖"),
        (r"\left(\frac{\kappa-1}{\kappa+1}\right)^{2}", "((κ-1)/(κ+1))^2"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert reader_html.latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("caption", "sentence"),
    [
        ("The valley. Momentum overshoots.", "The valley."),
        ("Steps, e.g. 15 of them, zig-zag. Then more.", "Steps, e.g. 15 of them, zig-zag."),
        ("As in Fig. 2 the rate is 0.9. Next.", "As in Fig. 2 the rate is 0.9."),
        ("No full stop", "No full stop"),
    ],
)
def test_first_sentence(caption: str, sentence: str) -> None:
    assert reader_html.first_sentence(caption) == sentence


def _figure(*caption: nodes.Node, alt: str | None = None) -> nodes.document:
    document = new_document("page")
    image = nodes.image(uri="../figures/valley.svg")
    if alt is not None:
        image["alt"] = alt
    document += nodes.figure("", image, nodes.caption("", "", *caption))
    return document


def test_figure_gets_alt_text_from_its_caption() -> None:
    document = _figure(
        nodes.Text("The weight "),
        nodes.math(text=r"\beta^k"),
        nodes.Text(" of an old gradient.   Two panels."),
    )
    reader_html.add_alt_text(SimpleNamespace(), document, "page")
    (image,) = document.findall(nodes.image)
    assert image["alt"] == "The weight β^k of an old gradient."


def test_given_alt_text_is_kept() -> None:
    document = _figure(nodes.Text("A caption."), alt="What the author wrote")
    reader_html.add_alt_text(SimpleNamespace(), document, "page")
    (image,) = document.findall(nodes.image)
    assert image["alt"] == "What the author wrote"


# --------------------------------------------------------------------------------------
# Each script once; thebe off
# --------------------------------------------------------------------------------------


def test_inline_script_registered_twice_is_kept_once() -> None:
    """Sphinx 7.4 adds a late inline script as ``None`` and again as ``''``."""
    body = 'const THEBE_JS_URL = "x"'
    scripts = [
        _JavaScript(None, body=body, priority=500),
        _JavaScript("_static/a.js", priority=500),
        _JavaScript("", body=body, priority=500),
        _JavaScript("_static/a.js", priority=500),
    ]
    kept = reader_html.unique_assets(scripts)
    assert [str(s.filename) for s in kept] == ["None", "_static/a.js"]


def test_thebe_assets_are_dropped_when_thebe_is_off() -> None:
    context = {
        "script_files": [
            _JavaScript(None, body='const THEBE_JS_URL = "x"'),
            _JavaScript("_static/sphinx-thebe.js"),
            _JavaScript("_static/reader.js"),
        ],
        "css_files": [],
    }
    config = SimpleNamespace(html_theme_options={"launch_buttons": {"thebe": False}})
    reader_html.clean_page_assets(SimpleNamespace(config=config), "p", "page.html", context, None)
    assert [str(s.filename) for s in context["script_files"]] == ["_static/reader.js"]


# --------------------------------------------------------------------------------------
# Author-year labels
# --------------------------------------------------------------------------------------


def _entry(year: str, *authors: str) -> Entry:
    return Entry("article", fields={"year": year, "title": "T"}, persons={
        "author": [Person(a) for a in authors]
    })  # fmt: skip


def test_author_year_labels_as_the_text_cites() -> None:
    assert reader_html.author_year_label(_entry("1964", "Polyak, Boris T.")) == "Polyak, 1964"
    two = _entry("2015", "Kingma, Diederik P.", "Ba, Jimmy")
    assert reader_html.author_year_label(two) == "Kingma and Ba, 2015"
    many = _entry("2013", "Sutskever, Ilya", "Martens, James", "Dahl, George")
    assert reader_html.author_year_label(many) == "Sutskever et al., 2013"


def test_label_style_is_registered_and_tells_equal_labels_apart() -> None:
    reader_html.register_bibliography_style()
    style = find_plugin("pybtex.style.formatting", reader_html.BIB_STYLE)()
    entries = [_entry("2004", "Nesterov, Yurii"), _entry("2004", "Nesterov, Yurii")]
    assert list(style.format_labels(entries)) == ["Nesterov, 2004a", "Nesterov, 2004b"]


# --------------------------------------------------------------------------------------
# MathJax from npm
# --------------------------------------------------------------------------------------


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


FAKE = {
    "package/es5/tex-mml-chtml.js": b"// mathjax",
    "package/es5/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff": b"font",
    "package/es5/tex-svg-full.js": b"// not needed",
    "package/es5/node-main.js": b"// not needed",
    "package/LICENSE": b"Apache-2.0",
}


def test_unpack_keeps_what_the_browser_loads(tmp_path: Path) -> None:
    assert vendor_mathjax.unpack(_tarball(FAKE), tmp_path) == 3
    kept = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert kept == [
        "mathjax/LICENSE",
        "mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff",
        "mathjax/tex-mml-chtml.js",
    ]


def test_ensure_refuses_a_tarball_that_is_not_the_pinned_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vendor_mathjax, "npm_pack", lambda work: _tarball(FAKE))
    with pytest.raises(vendor_mathjax.VendorError, match="integrity"):
        vendor_mathjax.ensure(tmp_path)
    assert not vendor_mathjax.target_dir(tmp_path).exists()


def test_ensure_unpacks_a_verified_tarball_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tarball = _tarball(FAKE)
    calls = []
    monkeypatch.setattr(vendor_mathjax, "INTEGRITY", vendor_mathjax.integrity_of(tarball))
    monkeypatch.setattr(vendor_mathjax, "npm_pack", lambda work: calls.append(work) or tarball)
    target = vendor_mathjax.ensure(tmp_path)
    assert (target / "mathjax" / vendor_mathjax.ENTRY).is_file()
    assert vendor_mathjax.ensure(tmp_path) == target and len(calls) == 1  # cached


def test_integrity_is_npm_sri_sha512() -> None:
    assert vendor_mathjax.integrity_of(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    )


# --------------------------------------------------------------------------------------
# The browser test's arithmetic
# --------------------------------------------------------------------------------------

SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="460.8pt" height="100pt" viewBox="0 0 460.8 100">
 <defs><path id="DejaVuSans-30" d="M 0 0"/><path id="m0d946e5165" d="M 0 0"/></defs>
 <g transform="translate(10 20) scale(0.1 -0.1)">
  <use xlink:href="#DejaVuSans-30"/>
  <use xlink:href="#DejaVuSans-30" transform="translate(60 0) scale(0.7)"/>
 </g>
 <g transform="translate(10 40) scale(0.08 -0.08)"><use xlink:href="#DejaVuSans-30"/></g>
 <use xlink:href="#m0d946e5165" x="3" y="4"/>
 <text style="font: 12px 'DejaVu Sans'">a</text>
</svg>"""


def test_svg_text_sizes_reads_glyph_scales() -> None:
    width, sizes = browser_test.svg_text_sizes(SVG)
    assert width == pytest.approx(460.8)
    assert sorted(sizes) == [(7.0, True), (8.0, False), (9.0, False), (10.0, False)]


def test_rendered_text_px() -> None:
    """10 pt text in a 460.8 pt wide figure shown at its natural 614.4 px is 13.3 px."""
    assert browser_test.rendered_text_px(614.4, 460.8, 10.0) == pytest.approx(13.333, abs=1e-3)
    assert browser_test.rendered_text_px(307.2, 460.8, 10.0) == pytest.approx(6.667, abs=1e-3)


@pytest.mark.parametrize(
    ("alt", "ok"),
    [
        (None, False),
        ("", False),
        ("../_images/valley.svg", False),
        ("valley.svg", False),
        ("The valley, seen from above.", True),
    ],
)
def test_real_alt(alt: str | None, ok: bool) -> None:
    assert browser_test.real_alt(alt, "../_images/valley.svg") is ok


def test_only_loopback_is_local() -> None:
    assert browser_test.is_local("http://127.0.0.1:8000/index.html")
    assert browser_test.is_local("data:image/png;base64,AAAA")
    assert not browser_test.is_local("https://cdn.jsdelivr.net/npm/mathjax@3/es5/x.js")
    assert not browser_test.is_local("http://localhost.example.com/")


def test_redirect_target(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text('<meta http-equiv="Refresh" content="0; url=chapters/intro.html" />')
    assert browser_test.redirect_target(page) == "chapters/intro.html"


def test_browser_test_fails_without_a_built_book(tmp_path: Path) -> None:
    assert browser_test.main([str(tmp_path)]) == 1


def test_listings_show_docstrings_without_rest_markup() -> None:
    code = 'r"""Step :math:`-\\eta g`; see :func:`~gdbook.base.run` and ``x0``."""\ny = x[1:2]'
    assert reader_html.plain_docstrings(code) == 'r"""Step -\\eta g; see run and x0."""\ny = x[1:2]'
    assert reader_html.plain_docstrings(":class:`gdbook.base.Optimizer`") == "gdbook.base.Optimizer"


def test_listing_spans_of_plain_tokens_are_dropped_inside_pre_only() -> None:
    html = (
        '<p><span class="n">kept outside a listing</span></p>'
        '<pre><span class="n">eta</span><span class="w"> </span><span class="o">=</span>'
        '<span class="p">(</span><span class="mf">0.1</span><span class="p">)</span></pre>'
    )
    out = reader_html.unwrap_plain_tokens(html)
    assert out == (
        '<p><span class="n">kept outside a listing</span></p>'
        '<pre>eta <span class="o">=</span>(<span class="mf">0.1</span>)</pre>'
    )
