r"""SymPy claims behind the chapters: one module per chapter, one function per claim.

Every public function in ``derivations/<chapter>.py`` returns SymPy objects only
(an expression, or a pair claimed equal); ``tests/chapters/test_<chapter>*.py`` asserts
each claim and ties it to the NumPy code with a numeric check. Chapters display them
with :mod:`gdbook.book` and ``{glue:math}``.

The notation is defined once, here: every symbol that more than one module uses, and
every symbol whose letter another book or chapter uses for something else, with its
assumptions and its meaning. A chapter module imports these and creates only symbols
of its own, under SymPy names no other module uses (``tests/contract/test_derivations.py``
checks both). Two meanings of one letter are two SymPy symbols with two names; where
the book prints both with the same letter (the tolerance :math:`\epsilon` and Adam's
:math:`\epsilon`), :data:`LATEX_NAMES` gives the letter and :func:`latex` uses it.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

# The book's own notation -------------------------------------------------------------
eta = sp.Symbol("eta", positive=True)  # learning rate (Distill's and Kingma & Ba's alpha)
lam = sp.Symbol("lambda", positive=True)  # one eigenvalue of the Hessian
beta = sp.Symbol("beta", nonnegative=True)  # momentum (Sutskever's mu, the seeds' gamma)
mu = sp.Symbol("mu", positive=True)  # smallest eigenvalue
L = sp.Symbol("L", positive=True)  # largest eigenvalue
kappa = sp.Symbol("kappa", positive=True)  # condition number L / mu
k = sp.Symbol("k", integer=True, nonnegative=True)  # iteration counter
t = sp.Symbol("t", integer=True, positive=True)  # update counter, first update t = 1
s = sp.Symbol("s", integer=True, positive=True)  # index of a past gradient, g_s
j = sp.Symbol("j", integer=True, positive=True)  # index of a past update
g = sp.Symbol("g", real=True)  # a (constant) gradient
z = sp.Symbol("z")  # variable of characteristic polynomials
x = sp.Symbol("x", real=True)  # one coordinate of the iterate (x* = 0 unless stated)
x_0 = sp.Symbol("x_0", real=True)  # the starting point
b = sp.Symbol("b", real=True)  # the sum-form buffer b_{t-1} (b_t = beta b_{t-1} + g_t)
b_prev = sp.Symbol("b_{t-1}", real=True)  # the same buffer, printed with its index
y = sp.Function("y")  # error along one eigenvector, as a function of the step k
grads = sp.IndexedBase(sp.Symbol("g_seq"))  # g_s, the gradient fed to update s
rates = sp.IndexedBase(sp.Symbol("eta_seq"))  # eta_s, the learning rate of update s
n_updates = sp.Symbol("n_updates", integer=True, positive=True)  # number of updates made
k_real = sp.Symbol("k_real", positive=True)  # a number of steps, solved for as a real
eta_lam = sp.Symbol("x_eta_lambda", positive=True)  # the product eta*lambda, one variable
tol = sp.Symbol("epsilon_tol", positive=True)  # relative tolerance of a stopping rule
sigma = sp.Symbol("sigma_noise", positive=True)  # standard deviation of the gradient noise
gamma_saddle = sp.Symbol("gamma_saddle", positive=True)  # saddle curvature, f'' = -gamma

# The other books' letters (the conventions appendix maps them to the book's) ---------
theta = sp.Symbol("theta", real=True)  # the parameters (Ruder; Goodfellow et al.; Adam)
v = sp.Symbol("v", real=True)  # a velocity that stores steps (Sutskever et al.; Ruder)
m = sp.Symbol("m", real=True)  # an EMA buffer m_{t-1} (m_t = beta m_{t-1} + (1-beta) g_t)
alpha = sp.Symbol("alpha", positive=True)  # Goodfellow et al.'s momentum (not a step size)
epsilon_lr = sp.Symbol("epsilon_lr", positive=True)  # Goodfellow et al.'s learning rate
gamma = sp.Symbol("gamma", positive=True)  # Ruder's momentum, v <- gamma v + eta g

# The adaptive methods -----------------------------------------------------------------
epsilon = sp.Symbol("epsilon", positive=True)  # the epsilon of Adam, RMSProp, Adagrad
b1 = sp.Symbol("beta_1", positive=True)  # Adam's first decay rate
b2 = sp.Symbol("beta_2", positive=True)  # Adam's second decay rate
m_t = sp.Symbol("m_t", real=True)  # Adam's first moment after update t
v_t = sp.Symbol("v_t", positive=True)  # Adam's second moment after update t
nu = sp.Symbol("nu", positive=True)  # an (EMA of) squared gradient(s)

# The ball of *Momentum as physics*: continuous time, unit mass ------------------------
time = sp.Symbol("t_time", nonnegative=True)  # time (t counts the updates)
h_step = sp.Symbol("h_step", positive=True)  # time step h of an integrator
drag = sp.Symbol("c_drag", positive=True)  # drag (friction) coefficient c
velocity = sp.Symbol("v_phys", real=True)  # the ball's velocity dx/dt (v stores steps)

#: How the book prints the symbols whose SymPy name differs from their letter.
LATEX_NAMES: dict[sp.Basic, str] = {
    grads.label: "g",
    rates.label: r"\eta",
    n_updates: "n",
    k_real: "k",
    tol: r"\epsilon",
    sigma: r"\sigma",
    gamma_saddle: r"\gamma",
    epsilon_lr: r"\epsilon",
    time: "t",
    h_step: "h",
    drag: "c",
    velocity: "v",
}


def latex(expr: Any, **kwargs: Any) -> str:
    r"""LaTeX for ``expr`` with terms in the order written (``1 - \eta\lambda``).

    Symbols print with their letter from :data:`LATEX_NAMES`.
    """
    kwargs.setdefault("order", "none")
    kwargs["symbol_names"] = {**LATEX_NAMES, **kwargs.get("symbol_names", {})}
    return str(sp.latex(expr, **kwargs))
