"""Drawing only: one module per chapter, with that chapter's figures and explorers.

A viz module takes its settings from :mod:`gdbook.examples` and its data from the
chapter's module (``gdbook.<chapter>``), and registers what it draws with
``@register`` (:mod:`gdbook.figures`) and ``@register_widget`` (:mod:`gdbook.widgets`).
:func:`load_all` is the one place that finds them, for the figures command, the
widget registry and the tests.
"""

from __future__ import annotations

import importlib
import pkgutil


def chapter_modules() -> tuple[str, ...]:
    """The names of every module in this package, sorted: ``("conventions", "intro", ...)``."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)))


def load_all() -> None:
    """Import every chapter's viz module, so that its figures and explorers register."""
    for chapter in chapter_modules():
        importlib.import_module(f"{__name__}.{chapter}")
