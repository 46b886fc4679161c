"""gdbook.book: what the chapters glue is what SymPy prints from the tested claim."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from gdbook.book import glue_claim, glue_equation, glue_values
from gdbook.derivations import eta, lam


def test_glue_claim_shows_the_claimed_side_in_written_order() -> None:
    derived, claimed = sp.expand(1 - eta * lam), 1 - eta * lam
    assert glue_claim("eq_factor", r"\rho", (derived, claimed)) == r"\rho = 1 - \eta \lambda"


def test_glue_equation_passes_printer_options() -> None:
    tex = glue_equation("eq_log", "k", sp.log(eta), ln_notation=True)
    assert tex == r"k = \ln{\left(\eta \right)}"


def test_glue_values_returns_what_it_glued() -> None:
    assert glue_values(a=1.5, b=3) == {"a": 1.5, "b": 3}


def test_numpy_scalars_are_glued_as_python_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """NumPy 2 writes ``np.float64(0.5)`` as a scalar's text, which ``{glue:text}`x:.2f``` cannot
    format: the glued value must be the plain number."""
    import myst_nb

    seen: dict[str, object] = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: seen.update({name: value}))
    glue_values(x=np.float64(0.5), k=np.int64(3))
    assert type(seen["x"]) is float and seen["x"] == 0.5
    assert type(seen["k"]) is int and seen["k"] == 3
