"""The whole book as one PDF: Sphinx's single-page HTML printed by Debian's Chromium.

Usage (``make pdf``)::

    python tools/book_pdf.py [--path-output .] [--out _build/pdf]

1. ``jupyter-book build . --builder singlehtml`` writes every page of ``_toc.yml`` into one
   HTML file (``<path-output>/_build/singlehtml/index.html``). It uses the same sources,
   extensions and jupyter-cache as ``make book`` (the same ``--path-output``), so chapters
   executed for the HTML book are not executed again.
2. Chromium (``/usr/bin/chromium``, through Playwright, as in ``tools/browser_test.py``)
   loads that page from a local server with every other request refused, waits until
   MathJax has typeset every formula and every image has loaded, and prints it with the
   book's print stylesheet to ``<out>/book.pdf`` (A4, page numbers in the footer).

Why not the alternatives: Jupyter Book's ``pdfhtml`` builder does the same through
pyppeteer, which downloads its own Chromium at first use (no network here, and an old
revision); ``pdflatex`` needs a TeX Live of about 1 GB from apt, rewrites the pages
(no MathJax macros of ours, SVG figures converted, widgets and dropdowns lost) and
takes minutes longer. Chromium is already what the browser test uses.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_test import CHROMIUM, CHROMIUM_ARGS, WAIT_FOR_MATH, Server, is_local  # noqa: E402

FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def build_singlehtml(path_output: Path, root: Path = ROOT) -> Path:
    """Run the single-page build; return its folder."""
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        ".",
        "--builder",
        "singlehtml",
        "--path-output",
        str(path_output),
        "-n",
        "--keep-going",
    ]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=root, check=True)
    return path_output / "_build" / "singlehtml"


def print_pdf(html_dir: Path, out: Path, chromium: Path = CHROMIUM) -> int:
    """Print ``html_dir/index.html`` to ``out``; return the number of pages."""
    from playwright.sync_api import sync_playwright

    out.parent.mkdir(parents=True, exist_ok=True)
    with Server(html_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()

            def route(request_route: Any) -> None:
                if is_local(request_route.request.url):
                    request_route.continue_()
                else:
                    request_route.abort("blockedbyclient")

            context.route("**/*", route)
            page = context.new_page()
            page.goto(base + "index.html", wait_until="load", timeout=180_000)
            page.emulate_media(media="print")
            page.evaluate(WAIT_FOR_MATH)
            page.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=FOOTER,
            )
        finally:
            browser.close()
    return out.read_bytes().count(b"/Type /Page") - out.read_bytes().count(b"/Type /Pages")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path-output", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    if not args.chromium.is_file():
        print(
            f"book_pdf: {args.chromium} is missing (apt-get install -y chromium)", file=sys.stderr
        )
        return 1
    start = time.perf_counter()
    html_dir = build_singlehtml(args.path_output.resolve())
    built = time.perf_counter() - start
    out = args.out.resolve() / "book.pdf"
    pages = print_pdf(html_dir, out, args.chromium)
    print(
        f"book_pdf: {out} ({pages} pages, {out.stat().st_size / 1e6:.1f} MB); "
        f"single-page build {built:.0f} s, printed in {time.perf_counter() - start - built:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
