r"""Notebook helpers every chapter uses: glue a number, an equation, a derivation's claim.

A chapter computes a value in a cell and glues it under a name; the text shows it with
``{glue:text}`name``` (numbers) or ``{glue:math}`` (display equations). These helpers
are the one way the chapters do that, so that a formula the text displays is printed
by SymPy from the claim the tests assert (:mod:`gdbook.derivations`), not retyped::

    glue_values(valley_kappa=VALLEY.kappa, gd_steps=steps)
    glue_claim("eq_best_step", r"\eta^\star", claims.optimal_step())

Gluing is silent (nothing is displayed where the cell runs): the text decides where a
value appears. Outside a notebook (in a test) the values are returned all the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gdbook.derivations import latex


def _glue(name: str, value: Any) -> None:
    if isinstance(value, np.generic):  # NumPy 2 prints np.float64(...), which no format reads
        value = value.item()
    try:
        from myst_nb import glue
    except ImportError:  # a learner notebook outside the book's environment (e.g. Colab):
        return  # its text already shows the values, so there is nothing to glue into
    glue(name, value, display=False)


def glue_values(**values: Any) -> dict[str, Any]:
    """Glue every keyword under its name; numbers are shown with ``{glue:text}`name:.3f```."""
    for name, value in values.items():
        _glue(name, value)
    return values


def glue_math(name: str, tex: str) -> str:
    """Glue a display equation written in LaTeX (for ``{glue:math}``)."""
    from IPython.display import Math

    _glue(name, Math(tex))  # type: ignore[no-untyped-call]
    return tex


def glue_equation(name: str, lhs: str, expr: Any, **latex_kwargs: Any) -> str:
    """Glue ``lhs = expr``, with ``expr`` printed by SymPy in the order it is written."""
    return glue_math(name, f"{lhs} = {latex(expr, **latex_kwargs)}")


def glue_identity(name: str, pair: tuple[Any, Any], **latex_kwargs: Any) -> str:
    """Glue ``a = b`` for two SymPy expressions claimed equal, both sides printed."""
    left, right = pair
    return glue_math(name, f"{latex(left, **latex_kwargs)} = {latex(right, **latex_kwargs)}")


def glue_claim(name: str, lhs: str, claim: tuple[Any, Any], **latex_kwargs: Any) -> str:
    """Glue ``lhs = claimed`` for a derivation's ``(derived, claimed)`` pair.

    The tests assert that ``derived`` equals ``claimed``; the page shows ``claimed``.
    """
    _derived, claimed = claim
    return glue_equation(name, lhs, claimed, **latex_kwargs)
