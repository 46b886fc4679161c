r"""SymPy claims behind the chapters: one module per chapter, one function per claim.

Every public function in ``derivations/<chapter>.py`` returns SymPy objects only
(an expression, or a pair claimed equal); ``tests/test_<chapter>.py`` asserts each
claim and ties it to the NumPy code with a numeric check. Chapters display them
with ``myst_nb.glue`` and ``{glue:math}``.

Shared symbols are defined once here, with their assumptions.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

eta = sp.Symbol("eta", positive=True)  # learning rate (Distill's alpha)
lam = sp.Symbol("lambda", positive=True)  # one eigenvalue of the Hessian
beta = sp.Symbol("beta", nonnegative=True)  # momentum (Sutskever's mu, the seeds' gamma)
mu = sp.Symbol("mu", positive=True)  # smallest eigenvalue
L = sp.Symbol("L", positive=True)  # largest eigenvalue
kappa = sp.Symbol("kappa", positive=True)  # condition number L / mu
k = sp.Symbol("k", integer=True, nonnegative=True)  # iteration counter
t = sp.Symbol("t", integer=True, positive=True)  # update counter, first update t = 1
g = sp.Symbol("g", real=True)  # a (constant) gradient
z = sp.Symbol("z")  # variable of characteristic polynomials


def latex(expr: Any, **kwargs: Any) -> str:
    r"""LaTeX for ``expr`` with terms in the order written (``1 - \eta\lambda``)."""
    kwargs.setdefault("order", "none")
    return str(sp.latex(expr, **kwargs))
