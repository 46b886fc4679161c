r"""Sphinx extension: the appendices number their equations (A.1), (A.2), ...

Sphinx numbers the displayed equations of a page outside the numbered chapters (1), (2),
..., which reads like a chapter's (2.1) with the chapter missing. ``appendix_letters``
maps a document to its letter; its equation numbers, in the page and in every ``{eq}``
reference to them, become ``A.1``, ``A.2``. Figures keep their numbers.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def letter_equations(app: Sphinx, env: BuildEnvironment) -> None:
    """Prefix the equation numbers of each lettered document (idempotent across rebuilds)."""
    for docname, letter in app.config.appendix_letters.items():
        numbers = env.toc_fignumbers.get(docname, {}).get("displaymath", {})
        for node_id, number in numbers.items():
            if number and number[0] != letter:
                numbers[node_id] = (letter, *number[-1:])


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handler (Sphinx extension entry point)."""
    app.add_config_value("appendix_letters", {}, "env")
    app.connect("env-check-consistency", letter_equations)  # after the numbers are assigned
    return {"parallel_read_safe": True, "parallel_write_safe": True}
