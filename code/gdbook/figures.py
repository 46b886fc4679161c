"""Every figure in ``figures/``, and the command that writes them.

``python -m gdbook.figures`` renders all figures into ``figures/`` (or ``--out
DIR``; ``--only NAME`` for one). Output is SVG and reproduces byte for byte; a
test renders each figure afresh and compares it with the committed file.

A figure is a function returning a ``Figure``, registered under its file name
with ``@register("name.svg")``. Each chapter's figures (and widgets) live in that
chapter's module of :mod:`gdbook.viz`; this module is only the registry.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from matplotlib.figure import Figure

from gdbook.plotting import save
from gdbook.viz import Registry

FIGURES: Registry[Figure] = Registry("figure")
"""File name -> function that draws it."""
register = FIGURES.register

ROOT = Path(__file__).resolve().parents[2]
FIGURES_DIR = ROOT / "figures"


def load_all() -> Registry[Figure]:
    """Every chapter's figures (:func:`gdbook.viz.load_all` imports their modules)."""
    return FIGURES.loaded()


def render(name: str, out_dir: Path) -> Path:
    """Draw the figure ``name`` and write it into ``out_dir``."""
    figures = load_all()
    if name not in figures:
        raise ValueError(f"unknown figure {name!r}; known: {sorted(figures)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / name
    save(figures[name](), target)
    return target


def main(argv: list[str] | None = None) -> None:
    """Command line: render all figures (or ``--only NAME``) into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURES_DIR)
    parser.add_argument("--only", action="append", default=None)
    args = parser.parse_args(argv)
    names = args.only or sorted(load_all())
    for name in names:
        render(name, args.out)


if __name__ == "__main__":
    # Under ``python -m`` this file runs as ``__main__``, a second copy of the module
    # whose FIGURES the ``@register`` calls in gdbook.viz never fill: use the real one.
    from gdbook.figures import main as _main

    _main()
