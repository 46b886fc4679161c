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
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(dict[str, Callable[[], T]], Generic[T]):
    """Name -> function without arguments that builds a ``kind`` (a figure, an explorer)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def register(self, name: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
        """A decorator that registers its function under ``name`` (once)."""

        def decorator(fn: Callable[[], T]) -> Callable[[], T]:
            if name in self and self[name] is not fn:
                raise ValueError(f"{self.kind} {name!r} registered twice")
            self[name] = fn
            return fn

        return decorator

    def loaded(self) -> Registry[T]:
        """The registry with every chapter's entries in it (:func:`load_all`)."""
        load_all()
        return self


def chapter_modules() -> tuple[str, ...]:
    """The names of every module in this package, sorted: ``("conventions", "intro", ...)``."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)))


def load_all() -> None:
    """Import every chapter's viz module, so that its figures and explorers register."""
    for chapter in chapter_modules():
        importlib.import_module(f"{__name__}.{chapter}")
