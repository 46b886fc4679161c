r"""Browser test of the built book: every page as a reader gets it, offline, at two widths.

Usage (after the build, from the repository root; ``make test-browser``)::

    python tools/browser_test.py [_build/html] [--screenshots DIR] [--full-page]

Debian's Chromium (``/usr/bin/chromium``, installed by ``make test-browser`` where it is
missing), driven by Playwright from PyPI, loads every HTML page of the build from a local
``http.server`` on 127.0.0.1. Every request for anything off the machine is refused (the
route handler aborts it) and counted as a failure. For each page, at 1280 x 900 and at
390 x 844 (a phone, with touch), it checks

* no console error and no uncaught exception, no failed request (nor one answered 400 or
  more), no request off the machine;
* MathJax typeset everything: no raw ``\(``, ``\[`` or ``$$`` is left in the text, no
  MathJax error box, no undefined macro (MathJax shows those as red ``\name``);
* every image loaded (``naturalWidth > 0``) and has real alt text (not empty, not its
  file path);
* every listing, display equation or table that scrolls sideways shows the scroll cue
  (``_static/reader.js``);
* on the phone, tapping the book-contents toggle opens the primary sidebar and tapping
  the page-contents toggle opens the secondary one (where the page has one), and Escape
  closes them again; on the desktop, the hamburger collapses the primary sidebar and
  brings it back;

and saves a screenshot per page and width (and of each opened sidebar) in
``_build/screenshots/``. It then prints, without asserting them, the page weights (each
page's HTML and its own assets, the shared theme and MathJax files excluded) and the
smallest figure text in CSS px at both widths: the figures are SVG with text as paths,
so each glyph's size is read from the SVG (matplotlib draws glyphs at 100 units and
scales each text to its font size in pt, which are the SVG's user units) and multiplied
by the figure's scale on the page (rendered width over the SVG's viewBox width).

Exit status 1 when any check fails, or when there is no built book or no browser: this is
a test, it never skips.

Then ``PAGE_CHECKS`` run (each receives the loaded page and the page's result at every
width): the live figures (``check_live_figures``: every control of every live figure, moved
from the keyboard and swept over its range, changes the picture, and the median redraw,
timed in the page with ``performance.now()``, fits in one frame, 16 ms; reported per
figure) and the matplotlib animations (``check_animations``: each plays and scrubs
without a kernel).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
SHARED = ("_static/", "searchindex.js")  # theme, fonts, MathJax, search: cached once
TIMEOUT_MS = 15_000
SITE = "(the book)"  # the result of the checks made once, not per page

# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass
class ImageInfo:
    """One ``<img>`` as rendered."""

    src: str
    alt: str | None
    natural_width: int
    rendered_width: float


@dataclass
class PageResult:
    """What one page showed at one width."""

    page: str
    width: str
    problems: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    off_machine: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # local paths, relative to the root
    images: list[ImageInfo] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    scrollers: int = 0
    sliders: int = 0
    live: list[dict[str, Any]] = field(default_factory=list)  # one entry per live figure
    animations: int = 0
    redirect: str | None = None  # a <meta http-equiv="Refresh"> page: where it sends

    def fail(self, message: str) -> None:
        """Record a failed check."""
        self.problems.append(message)


# --------------------------------------------------------------------------------------
# Figure text size from the SVG
# --------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
GLYPH_ID = re.compile(r"^#[A-Za-z][\w.+]*-[0-9a-fA-F]+$")  # "#DejaVuSans-30" (markers: "#m0d9")
FONT_SCALE = 100.0  # matplotlib's textpath.FONT_SCALE: glyphs are defined at 100 units
TRANSFORM = re.compile(r"(matrix|scale|translate|rotate|skewX|skewY)\s*\(([^)]*)\)")
FONT_SIZE = re.compile(r"font-size\s*:\s*([\d.]+)(px|pt)?|font\s*:[^;]*?([\d.]+)(px|pt)")


def transform_scale(transform: str | None) -> float:
    """The linear size factor of an SVG ``transform`` (the root of |det|)."""
    factor = 1.0
    for name, args in TRANSFORM.findall(transform or ""):
        numbers = [float(x) for x in re.split(r"[\s,]+", args.strip()) if x]
        if name == "scale" and numbers:
            sx = numbers[0]
            sy = numbers[1] if len(numbers) > 1 else sx
            factor *= abs(sx * sy) ** 0.5
        elif name == "matrix" and len(numbers) == 6:
            a, b, c, d = numbers[:4]
            factor *= abs(a * d - b * c) ** 0.5
    return factor


def svg_text_sizes(svg: str) -> tuple[float, list[tuple[float, bool]]]:
    """The viewBox width and ``(size, is_script)`` (user units) of every glyph of a figure.

    A glyph ``<use>`` (an id like ``#DejaVuSans-30``) has size FONT_SCALE times the scale
    of the transforms down to it; a ``<text>`` element its font-size times that scale. A
    glyph scaled on its own (mathtext's sub- and superscripts, at 70 %) is a script.
    Sizes are rounded to 0.01.
    """
    root = ET.fromstring(svg)
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(view_box) == 4:
        width = float(view_box[2])
    else:
        width = float(re.sub(r"[^\d.]", "", root.get("width") or "0") or 0)
    sizes: list[tuple[float, bool]] = []

    def walk(element: ET.Element, scale: float) -> None:
        own = transform_scale(element.get("transform"))
        scale *= own
        tag = element.tag.removeprefix(SVG)
        if tag == "use" and GLYPH_ID.match(element.get(XLINK_HREF) or element.get("href") or ""):
            sizes.append((round(FONT_SCALE * scale, 2), own < 0.999))
            return
        if tag == "text":
            style = f"{element.get('style') or ''};font-size:{element.get('font-size') or ''}"
            for match in FONT_SIZE.finditer(style):
                number, unit = match.group(1) or match.group(3), match.group(2) or match.group(4)
                if number:
                    value = float(number) * (0.75 if unit == "px" else 1.0)  # px -> pt
                    sizes.append((round(value * scale, 2), False))
                    break
        if tag in {"defs", "clipPath", "mask", "pattern", "symbol", "metadata"}:
            return
        for child in element:
            walk(child, scale)

    walk(root, 1.0)
    return width, sizes


@functools.cache
def figure_text(path: Path) -> tuple[float, float, float] | None:
    """``(viewBox width, smallest text, smallest script)`` of an SVG, None without text.

    The smallest script is the smallest glyph of all (a figure without sub- or
    superscripts has it equal to the smallest text).
    """
    try:
        width, sizes = svg_text_sizes(path.read_text(encoding="utf-8"))
    except (OSError, ET.ParseError):
        return None
    if not sizes or width <= 0:
        return None
    text = [size for size, script in sizes if not script] or [size for size, _ in sizes]
    return width, min(text), min(size for size, _ in sizes)


def rendered_text_px(rendered_width: float, view_box_width: float, size: float) -> float:
    """CSS px of text of ``size`` user units in an SVG shown ``rendered_width`` px wide."""
    return size * rendered_width / view_box_width


# --------------------------------------------------------------------------------------
# The local server, refusing nothing it has and serving nothing it has not
# --------------------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    extensions_map = {  # noqa: RUF012 (the base class's own attribute)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
        ".js": "text/javascript",
        ".json": "application/json",
        ".ico": "image/x-icon",
    }

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent."""


@dataclass
class Server:
    """``http.server`` on 127.0.0.1 in a thread, serving the built book."""

    html_dir: Path
    httpd: http.server.ThreadingHTTPServer | None = None

    def __enter__(self) -> str:
        handler = functools.partial(QuietHandler, directory=str(self.html_dir))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __exit__(self, *exc: object) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


def is_local(url: str) -> bool:
    """Whether a URL stays on this machine (127.0.0.1, or data:/blob:/about: URLs)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname == "127.0.0.1"


# --------------------------------------------------------------------------------------
# What is checked in the page (JavaScript run in the browser)
# --------------------------------------------------------------------------------------

WAIT_FOR_MATH = """async () => {
  const startup = window.MathJax && window.MathJax.startup;
  if (startup && startup.promise) { await startup.promise; }
  await Promise.all(Array.from(document.images).map(
    (img) => img.complete ? null : new Promise((ok) => { img.onload = img.onerror = ok; })));
  await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
  return true;
}"""

RAW_MATH = r"""() => {
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "NOSCRIPT"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (skip.has(el.tagName) || el.classList.contains("highlight")
            || el.tagName.toLowerCase().startsWith("mjx-")) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    }
  });
  const found = [];
  const pattern = /\\\(|\\\[|\$\$|\\begin\{/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      found.push(text.slice(Math.max(0, match.index - 30), match.index + 50).trim());
    }
  }
  const errors = Array.from(document.querySelectorAll("mjx-merror"))
    .map((el) => el.closest("mjx-container").querySelector("mjx-assistive-mml")?.textContent
                 || el.textContent);
  const undefinedMacros = Array.from(document.querySelectorAll("mjx-assistive-mml"))
    .filter((el) => el.querySelector("mtext[mathcolor='red']"))
    .map((el) => el.querySelector("mtext[mathcolor='red']").textContent);
  return {
    raw: found, errors, undefinedMacros,
    math: document.querySelectorAll("mjx-container").length,
  };
}"""

IMAGES = """() => Array.from(document.images).map((img) => ({
  src: img.getAttribute("src") || "",
  url: img.currentSrc || img.src,
  alt: img.getAttribute("alt"),
  naturalWidth: img.naturalWidth,
  renderedWidth: img.getBoundingClientRect().width,
}))"""

SCROLLERS = """() => {
  const selector = "div.highlight > pre, div.math > mjx-container, "
    + ".pst-scrollable-table-container, .cell_output .output";
  return Array.from(document.querySelectorAll(selector))
    .filter((el) => el.getClientRects().length > 0 && el.clientWidth > 0
                    && el.scrollWidth - el.clientWidth > 1)
    .map((el) => ({
      kind: el.tagName.toLowerCase() === "pre" ? "code"
        : el.tagName.toLowerCase() === "mjx-container" ? "equation" : "table/output",
      cue: el.classList.contains("reader-scroll-x")
        && getComputedStyle(el).maskImage !== "none",
      text: (el.textContent || "").trim().slice(0, 60),
      hidden: el.scrollWidth - el.clientWidth,
    }));
}"""


# --------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------


def _path_of(url: str, base: str) -> str | None:
    """The local path (relative to the book's root) a URL of the server points to."""
    if not url.startswith(base):
        return None
    return unquote(urlsplit(url).path).lstrip("/")


def real_alt(alt: str | None, src: str) -> bool:
    """Whether ``alt`` is real alt text: not missing, not empty, not the image's path."""
    if alt is None or not alt.strip():
        return False
    name = Path(urlsplit(src).path).name
    text = alt.strip()
    return text != src and not text.endswith(name) and not re.fullmatch(r"[\w./-]+\.\w+", text)


def check_math(page: Any, result: PageResult) -> None:
    """MathJax typeset every formula: nothing raw, no error, no undefined macro."""
    math = page.evaluate(RAW_MATH)
    for snippet in math["raw"][:5]:
        result.fail(f"raw TeX left in the text: ...{snippet}...")
    if len(math["raw"]) > 5:
        result.fail(f"... and {len(math['raw']) - 5} more raw TeX fragments")
    for error in math["errors"][:5]:
        result.fail(f"MathJax error: {error[:120]}")
    for name in sorted(set(math["undefinedMacros"])):
        result.fail(f"undefined TeX macro {name}")


def check_images(page: Any, result: PageResult, base: str) -> None:
    """Every image loaded and has real alt text."""
    for info in page.evaluate(IMAGES):
        image = ImageInfo(
            src=_path_of(info["url"], base) or info["url"],
            alt=info["alt"],
            natural_width=int(info["naturalWidth"]),
            rendered_width=float(info["renderedWidth"]),
        )
        result.images.append(image)
        if image.natural_width <= 0:
            result.fail(f"image did not load: {info['src']}")
        if not real_alt(image.alt, info["src"]):
            result.fail(f"image without real alt text: {info['src']} (alt={image.alt!r})")


def check_scroll_cues(page: Any, result: PageResult) -> None:
    """What scrolls sideways shows the scroll cue."""
    try:  # reader.js marks them once MathJax is done and on every resize: let it settle
        page.wait_for_function(f"() => ({SCROLLERS})().every((item) => item.cue)", timeout=2000)
    except Exception:
        pass  # reported below, element by element
    scrollers = page.evaluate(SCROLLERS)
    result.scrollers = len(scrollers)
    for item in scrollers:
        if not item["cue"]:
            result.fail(
                f"a {item['kind']} scrolls {item['hidden']} px sideways with no scroll cue: "
                f"{item['text']!r}"
            )


PRINT = """() => {
  const problems = [];
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden" && el.getBoundingClientRect().height > 0;
  for (const pre of document.querySelectorAll("article div.highlight pre")) {
    if (!shown(pre)) continue;
    const wrap = getComputedStyle(pre).whiteSpace;
    if (wrap !== "pre-wrap" && wrap !== "break-spaces") {
      problems.push("code does not wrap in print"); break;
    }
    if (pre.scrollWidth - pre.clientWidth > 1) {
      problems.push("code is cut in print: " + pre.textContent.trim().slice(0, 50)); break;
    }
  }
  const controls = ["button.toggle-button", "button.copybtn", ".sidebar-toggle",
    ".article-header-buttons", ".dropdown-toggle", ".theme-switch-button", ".search-button"];
  for (const selector of controls) {
    if (Array.from(document.querySelectorAll(selector)).some(shown)) {
      problems.push(selector + " is printed");
    }
  }
  for (const box of document.querySelectorAll("article .admonition.toggle, article details")) {
    const content = box.matches("details")
      ? Array.from(box.children).filter((child) => child.tagName !== "SUMMARY")
      : Array.from(box.querySelectorAll(":scope > .admonition-title ~ *"));
    if (content.length && !content.some(shown)) {
      const title = box.querySelector(".admonition-title, summary");
      problems.push("collapsed content is not printed: "
        + (title ? title.textContent.trim().slice(0, 50) : box.className));
    }
  }
  return problems;
}"""


def check_print(page: Any, result: PageResult) -> None:
    """Printed: code wraps, no toggle controls, every collapsed solution open."""
    page.emulate_media(media="print")
    try:
        for problem in page.evaluate(PRINT):
            result.fail(problem)
    finally:
        page.emulate_media(media="screen")


def _visible(page: Any, selector: str) -> Any | None:
    locator = page.locator(selector)
    for index in range(locator.count()):
        if locator.nth(index).is_visible():
            return locator.nth(index)
    return None


def _has_page_toc(page: Any) -> bool:
    return bool(
        page.evaluate("""() => {
      const side = document.getElementById("pst-secondary-sidebar");
      return !!side && side.querySelectorAll("nav a").length > 0;
    }""")
    )


def check_phone_navigation(page: Any, result: PageResult, shots: Path, name: str) -> None:
    """Tapping each sidebar toggle opens its sidebar; Escape closes it."""
    sidebars = [("primary", ".primary-toggle", "book contents")]
    if _has_page_toc(page):
        sidebars.append(("secondary", ".secondary-toggle", "page contents"))
    for which, selector, label in sidebars:
        dialog = f"#pst-{which}-sidebar-modal"
        toggle = _visible(page, selector)
        if toggle is None:
            result.fail(f"no visible {label} toggle at 390 px")
            continue
        toggle.tap()
        try:
            page.wait_for_selector(f"{dialog}[open]", state="visible", timeout=3000)
        except Exception:
            result.fail(f"tapping the {label} toggle at 390 px opens nothing")
            continue
        links = page.locator(f"{dialog} a").count()
        box = page.locator(dialog).bounding_box() or {"width": 0}
        if links == 0 or box["width"] < 150:
            result.fail(f"the {label} sidebar opened empty ({links} links, {box['width']} px)")
        shot = shots / f"{name}-390-{which}.png"
        page.screenshot(path=str(shot))
        result.screenshots.append(shot)
        page.keyboard.press("Escape")
        try:
            page.wait_for_selector(f"{dialog}[open]", state="detached", timeout=3000)
        except Exception:
            result.fail(f"Escape does not close the {label} sidebar")
        try:  # the theme moves the links back on the dialog's "close" event, a task later
            page.wait_for_function(
                f"() => document.querySelectorAll('#pst-{which}-sidebar a').length > 0",
                timeout=3000,
            )
        except Exception:
            result.fail(f"the {label} did not return to its sidebar after closing")


def check_desktop_collapse(page: Any, result: PageResult) -> None:
    """The hamburger collapses the primary sidebar on a desktop, and brings it back."""
    toggle = _visible(page, ".primary-toggle")
    if toggle is None:
        result.fail("no visible sidebar toggle at 1280 px")
        return
    hidden = """() => getComputedStyle(document.getElementById("pst-primary-sidebar"))
                      .visibility === "hidden" """
    for expect_hidden in (True, False):
        toggle.click()
        try:
            page.wait_for_function(
                hidden if expect_hidden else f"() => !({hidden})()", timeout=3000
            )
        except Exception:
            state = "collapse" if expect_hidden else "bring back"
            result.fail(f"the hamburger does not {state} the sidebar at 1280 px")
            return
        if page.locator("#pst-primary-sidebar-modal[open]").count():
            result.fail("the hamburger opened the phone dialog at 1280 px")
            page.keyboard.press("Escape")
            return


def count_sliders(page: Any, result: PageResult) -> None:
    """Count the sliders of the page (live figures and animations)."""
    result.sliders = page.locator("input[type=range]").count()


FRAME_MS = 16.0  # a live figure redraws within one frame (DESIGN.md)
SWEEP = 100  # positions of a slider swept for the timing (every step if it has fewer)

# In the page: a cheap fingerprint of everything a live figure has drawn on its canvases
LIVE_PICTURE = """(el) => {
  let hash = 0;
  for (const canvas of el.querySelectorAll("canvas")) {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4 * 7) {
      hash = (hash * 31 + data[i] + 3 * data[i + 1] + 7 * data[i + 2] + 11 * data[i + 3]) | 0;
    }
  }
  return hash;
}"""

# In the page: sweep one control over its range (setting it as the reader's input does)
LIVE_SWEEP = """(el, [index, sweep]) => {
  const input = el.querySelectorAll(".live-control input, .live-control select")[index];
  const start = el.gdLive.timings.length;
  const set = (value) => {
    if (input.type === "checkbox") input.checked = value; else input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const original = input.type === "checkbox" ? input.checked : input.value;
  let positions;
  if (input.type === "range") {
    const [low, high, step] = [Number(input.min), Number(input.max), Number(input.step)];
    const count = Math.floor((high - low) / step + 1e-9) + 1;
    const every = Math.max(1, Math.ceil(count / sweep));
    positions = [];
    for (let k = 0; k < count; k += every) positions.push(String(low + k * step));
  } else if (input.type === "checkbox") {
    positions = [!original, original];
  } else {
    positions = Array.from(input.options, (option) => option.value);
  }
  positions.forEach(set);
  set(original);
  return { moves: positions.length + 1, timings: el.gdLive.timings.slice(start) };
}"""


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return (ordered[middle] + ordered[~middle]) / 2 if ordered else float("nan")


def check_live_figure(page: Any, figure: Any, result: PageResult) -> dict[str, Any]:
    """Every control changes the picture; the median redraw fits in a frame (desktop)."""
    name = figure.get_attribute("data-live")
    info: dict[str, Any] = {"name": name, "controls": 0, "timings": []}
    try:
        figure.wait_for(state="visible", timeout=5000)
        page.wait_for_function("(el) => el.dataset.ready === '1'", arg=figure.element_handle())
    except Exception:
        result.fail(f"live figure {name} did not draw (the static picture stayed)")
        return info
    controls = figure.locator(".live-control input, .live-control select")
    info["controls"] = controls.count()
    expected = len(figure.evaluate("(el) => el.gdLive.spec.controls"))
    if info["controls"] != expected:
        result.fail(f"live figure {name}: {info['controls']} controls, its widget has {expected}")
    if result.width != "desktop":
        return info  # the phone: drawn, with its controls; the sweep runs once, at 1280 px
    for index in range(info["controls"]):
        control = controls.nth(index)
        label = control.get_attribute("name")
        before = figure.evaluate(LIVE_PICTURE)
        if control.get_attribute("type") == "range":
            control.focus()
            page.keyboard.press("End" if control.input_value() != control.get_attribute("max")
                                else "Home")  # fmt: skip
            moved = figure.evaluate(LIVE_PICTURE)
        else:
            moved = before
        sweep = figure.evaluate(LIVE_SWEEP, [index, SWEEP])
        info["timings"] += sweep["timings"]
        changed = moved != before or _picture_changes(figure, index)
        if not changed:
            result.fail(f"live figure {name}: moving {label} does not change the picture")
        if len(sweep["timings"]) < sweep["moves"]:
            result.fail(f"live figure {name}: {label} moved {sweep['moves']} times, "
                        f"{len(sweep['timings'])} redraws")  # fmt: skip
    timings = info["timings"]
    info["median"] = _median(timings)
    info["max"] = max(timings, default=float("nan"))
    if not timings or info["median"] > FRAME_MS:
        result.fail(f"live figure {name}: median redraw {info['median']:.1f} ms > {FRAME_MS} ms")
    return info


def _picture_changes(figure: Any, index: int) -> bool:
    """Whether control ``index`` at its first and at its last position draws two pictures."""
    return bool(
        figure.evaluate(
            """(el, [index, picture]) => {
          const i = el.querySelectorAll(".live-control input, .live-control select")[index];
          const shot = new Function("el", "return (" + picture + ")(el)");
          const set = (v) => { if (i.type === "checkbox") i.checked = v; else i.value = v;
                               i.dispatchEvent(new Event("input", { bubbles: true })); };
          const original = i.type === "checkbox" ? i.checked : i.value;
          const ends = i.type === "range" ? [i.min, i.max] : i.type === "checkbox"
            ? [false, true] : [i.options[0].value, i.options[i.options.length - 1].value];
          set(ends[0]); const a = shot(el); set(ends[1]); const b = shot(el); set(original);
          return a !== b;
        }""",
            [index, LIVE_PICTURE],
        )
    )


def check_live_figures(page: Any, result: PageResult) -> None:
    """Every live figure of the page draws, and each of its controls redraws it in a frame."""
    figures = page.locator(".live-figure[data-live]")
    for index in range(figures.count()):
        result.live.append(check_live_figure(page, figures.nth(index), result))


ANIMATION_FRAME = """(el) => el.querySelector("img") && el.querySelector("img").src.length
                                + el.querySelector("img").src.slice(-64)"""


def check_animations(page: Any, result: PageResult) -> None:
    """Each matplotlib animation (``to_jshtml``) plays and scrubs with no kernel."""
    animations = page.locator("div.animation")
    result.animations = animations.count()
    for index in range(result.animations):
        animation = animations.nth(index)
        first = animation.evaluate(ANIMATION_FRAME)
        animation.locator("button[aria-label='Play']").first.click()
        try:
            page.wait_for_function(f"(el) => ({ANIMATION_FRAME})(el) !== {first!r}",
                                   arg=animation.element_handle(), timeout=5000)  # fmt: skip
        except Exception:
            result.fail(f"animation {index + 1} does not play")
        animation.locator("button[aria-label='Pause']").first.click()
        slider = animation.locator("input.anim-slider")
        before = animation.evaluate(ANIMATION_FRAME)
        slider.evaluate("""(s) => { s.value = s.value === s.max ? s.min : s.max;
                                    s.dispatchEvent(new Event("input", { bubbles: true })); }""")
        if animation.evaluate(ANIMATION_FRAME) == before:
            result.fail(f"animation {index + 1} does not scrub (its slider changes nothing)")


PageCheck = Callable[[Any, PageResult], None]
PAGE_CHECKS: list[PageCheck] = [count_sliders, check_live_figures, check_animations]


# --------------------------------------------------------------------------------------
# Driving the browser
# --------------------------------------------------------------------------------------


def html_pages(html_dir: Path) -> list[Path]:
    """Every HTML page of the build (theme files and sources excluded)."""
    return sorted(
        p
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith(("_static", "_sources", "reports"))
    )


def redirect_target(page: Path) -> str | None:
    """Where a ``<meta http-equiv="Refresh">`` page sends the reader, if it is one."""
    head = page.read_text(encoding="utf-8", errors="replace")[:2000]
    match = re.search(r'http-equiv="Refresh"\s+content="\d+;\s*url=([^"]+)"', head, re.I)
    return match.group(1) if match else None


def visit(
    browser: Any, base: str, html_dir: Path, page_path: Path, width: str, shots: Path, full: bool
) -> PageResult:
    """Load one page at one width in a fresh context and run every check."""
    rel = page_path.relative_to(html_dir).as_posix()
    name = rel.removesuffix(".html").replace("/", "_")
    result = PageResult(rel, width)
    w, h = WIDTHS[width]
    phone = width == "phone"
    context = browser.new_context(
        viewport={"width": w, "height": h},
        is_mobile=phone,
        has_touch=phone,
        service_workers="block",
    )

    def route(route: Any) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            result.off_machine.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on(
        "console",
        lambda msg: (
            result.console_errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: result.console_errors.append(f"uncaught: {error}"))

    def failed(request: Any) -> None:
        if is_local(request.url):
            result.failed_requests.append(f"{request.url} ({request.failure})")

    def response(resp: Any) -> None:
        path = _path_of(resp.url, base)
        if path is not None:
            result.requests.append(path)
        if resp.status >= 400:
            result.failed_requests.append(f"{resp.url} (HTTP {resp.status})")

    page.on("requestfailed", failed)
    page.on("response", response)
    try:
        page.goto(base + rel, wait_until="load")
        target = result.redirect = redirect_target(page_path)
        if target is not None:
            page.wait_for_url(f"**/{target}")
            page.wait_for_load_state("load")
        page.evaluate(WAIT_FOR_MATH)
        check_math(page, result)
        check_images(page, result, base)
        check_scroll_cues(page, result)
        shot = shots / f"{name}-{w}.png"
        page.screenshot(path=str(shot), full_page=full)
        result.screenshots.append(shot)
        if phone:
            check_phone_navigation(page, result, shots, name)
        else:
            check_print(page, result)
            check_desktop_collapse(page, result)
        for check in PAGE_CHECKS:
            check(page, result)
    except Exception as error:  # a timeout or a crash is a failed check, not a crash
        result.fail(f"{type(error).__name__}: {str(error).splitlines()[0][:300]}")
    finally:
        context.close()
    for message in result.console_errors:
        result.fail(message[:300])
    for request in result.failed_requests:
        result.fail(f"failed request {request}")
    for url in result.off_machine:
        result.fail(f"request off the machine refused: {url}")
    return result


# --------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------


def page_weights(results: list[PageResult], html_dir: Path) -> list[tuple[str, int, int, int]]:
    """Per page: (page, HTML bytes, own asset bytes, shared bytes) from the desktop load."""
    rows = []
    for result in results:
        if result.width != "desktop":
            continue
        own = shared = 0
        html = (html_dir / result.page).stat().st_size
        for path in [] if result.redirect else sorted(set(result.requests)):
            file = html_dir / path
            if not file.is_file() or path == result.page:
                continue
            if path.startswith(SHARED):
                shared += file.stat().st_size
            else:
                own += file.stat().st_size
        rows.append((result.page, html, own, shared))
    return rows


def figure_rows(results: list[PageResult], html_dir: Path) -> Iterator[tuple[str, ...]]:
    """Per SVG figure: its width, smallest text and script, and those in px at each width."""
    table: dict[str, dict[str, float]] = {}
    info: dict[str, tuple[float, float, float]] = {}
    for result in results:
        for image in result.images:
            if not image.src.endswith(".svg") or image.rendered_width <= 0:
                continue
            text = figure_text(html_dir / image.src)
            if text is None:
                continue
            info[image.src] = text
            row = table.setdefault(image.src, {})
            row[result.width] = rendered_text_px(image.rendered_width, text[0], text[1])
            row[f"{result.width}-script"] = rendered_text_px(image.rendered_width, text[0], text[2])
            row[f"{result.width}-w"] = image.rendered_width
    for src in sorted(table):
        width, smallest, script = info[src]
        row = table[src]
        nan = float("nan")
        yield (
            Path(src).name,
            f"{width:.0f}",
            f"{smallest:.1f} / {script:.1f}",
            f"{row.get('desktop-w', 0):.0f}",
            f"{row.get('desktop', nan):.1f} / {row.get('desktop-script', nan):.1f}",
            f"{row.get('phone-w', 0):.0f}",
            f"{row.get('phone', nan):.1f} / {row.get('phone-script', nan):.1f}",
        )


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    lines = ["  " + "  ".join(f"{h:<{w}}" for h, w in zip(header, widths, strict=True))]
    lines += ["  " + "  ".join(f"{c:<{w}}" for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def report(results: list[PageResult], html_dir: Path, seconds: float) -> int:
    """Print the counts, weights and figure text sizes; return the exit status."""
    problems = [(r, p) for r in results for p in r.problems]
    results = [r for r in results if r.page != SITE]
    print("\npage                              width    errors  failed  off  images  cues")
    for r in results:
        print(
            f"  {r.page:<32}{r.width:<9}{len(r.console_errors):>6}{len(r.failed_requests):>8}"
            f"{len(r.off_machine):>5}{len(r.images):>8}{r.scrollers:>6}"
        )
    weights = page_weights(results, html_dir)
    print(
        "\npage weights (kB; own = the page's HTML and its own assets; shared = _static/ "
        "and the search index, loaded once for the book):"
    )
    rows = [
        (page, f"{html / 1e3:.1f}", f"{own / 1e3:.1f}", f"{(html + own) / 1e3:.1f}",
         f"{shared / 1e3:.0f}")
        for page, html, own, shared in weights
    ]  # fmt: skip
    print(_table(("page", "html", "assets", "own total", "shared"), rows))
    print(
        "\nsmallest figure text, as text / sub- or superscript (SVG width and sizes in pt; "
        "rendered image width and text in CSS px):"
    )
    header = ("figure", "svg pt", "text pt", "img@1280", "text px@1280", "img@390",
              "text px@390")  # fmt: skip
    print(_table(header, list(figure_rows(results, html_dir))))
    live = [(r.page, f) for r in results if r.width == "desktop" for f in r.live]
    print(
        f"\nlive figures (redraw = compute + draw, timed in the page; budget {FRAME_MS:g} ms "
        "median):"
    )
    rows = [
        (page, f["name"], str(f["controls"]), str(len(f["timings"])),
         f"{f.get('median', float('nan')):.2f}", f"{f.get('max', float('nan')):.2f}")
        for page, f in live
    ]  # fmt: skip
    print(_table(("page", "figure", "controls", "redraws", "median ms", "max ms"), rows))
    pages = len({r.page for r in results})
    images = sum(len(r.images) for r in results)
    shots = sum(len(r.screenshots) for r in results)
    errors = sum(len(r.console_errors) for r in results)
    failed = sum(len(r.failed_requests) for r in results)
    off = sum(len(r.off_machine) for r in results)
    sliders = sum(r.sliders for r in results if r.width == "desktop")
    animations = sum(r.animations for r in results if r.width == "desktop")
    print(
        f"\nbrowser test: {pages} pages x {len(WIDTHS)} widths, {errors} console errors, "
        f"{failed} failed requests, {off} requests off the machine, {images} images, "
        f"{shots} screenshots, {len(live)} live figures ({sliders} sliders moved), "
        f"{animations} animations, {seconds:.1f} s"
    )
    if problems:
        print(f"browser test: FAILED, {len(problems)} problem(s):", file=sys.stderr)
        for r, p in problems:
            print(f"  - {r.page} @ {WIDTHS[r.width][0]} px: {p}", file=sys.stderr)
        return 1
    print("browser test: OK")
    return 0


def check_site(base: str, html_dir: Path, pages: list[Path]) -> list[str]:
    """Once for the book: ``/favicon.ico`` is served, and no page links an empty index."""
    import urllib.error
    import urllib.request

    problems = []
    try:
        with urllib.request.urlopen(base + "favicon.ico", timeout=10) as answer:
            if not answer.read(4).startswith(b"\x00\x00\x01\x00"):
                problems.append("/favicon.ico is not an icon")
    except urllib.error.URLError as error:
        problems.append(f"/favicon.ico: {error}")
    index = html_dir / "genindex.html"
    if index.is_file():
        if "indextable" not in index.read_text(encoding="utf-8", errors="replace"):
            problems.append("genindex.html is an empty index page")
    else:
        for page in pages:
            if 'href="genindex.html"' in page.read_text(encoding="utf-8", errors="replace"):
                problems.append(f"{page.relative_to(html_dir)} links genindex.html, not built")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path, nargs="?", default=ROOT / "_build" / "html")
    parser.add_argument("--screenshots", type=Path, help="default: <html_dir>/../screenshots")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    parser.add_argument("--full-page", action="store_true", help="whole-page screenshots")
    parser.add_argument("--page", action="append", help="only these pages (e.g. chapters/intro)")
    args = parser.parse_args(argv)
    html_dir = args.html_dir.resolve()
    if not (html_dir / "index.html").is_file():
        print(f"browser test: no built book in {html_dir}; build it first", file=sys.stderr)
        return 1
    if not args.chromium.is_file():
        print(f"browser test: {args.chromium} is missing (make test-browser installs it: "
              "apt-get install -y chromium)", file=sys.stderr)  # fmt: skip
        return 1
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser test: playwright is not installed (requirements.txt)", file=sys.stderr)
        return 1
    shots = (args.screenshots or html_dir.parent / "screenshots").resolve()
    shots.mkdir(parents=True, exist_ok=True)
    pages = html_pages(html_dir)
    if args.page:
        pages = [p for p in pages if p.relative_to(html_dir).as_posix()[:-5] in args.page]
    start = time.perf_counter()
    results = []
    with Server(html_dir) as base, sync_playwright() as playwright:
        site = PageResult(SITE, "desktop")
        for problem in check_site(base, html_dir, pages):
            site.fail(problem)
        results.append(site)
        # launch() starts Chromium on a fresh, empty profile (a new temporary
        # --user-data-dir, removed on close); each page gets a fresh context in it
        browser = playwright.chromium.launch(executable_path=str(args.chromium), args=CHROMIUM_ARGS)
        try:
            for page_path in pages:
                for width in WIDTHS:
                    results.append(
                        visit(browser, base, html_dir, page_path, width, shots, args.full_page)
                    )
        finally:
            browser.close()
    print(f"screenshots in {shots}")
    return report(results, html_dir, time.perf_counter() - start)


if __name__ == "__main__":
    sys.exit(main())
