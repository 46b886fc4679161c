r"""Chapter *The gradient-descent problem*: steepest descent and its analysis.

Symbols: :math:`x_k` ``params``, :math:`\eta` ``learning_rate``,
:math:`\lambda_i` eigenvalues of the Hessian, :math:`\mu, L` the smallest and
largest of them, :math:`\kappa = L/\mu` the condition number.
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from gdbook.base import Optimizer, Schedule, scale_by_learning_rate


def gradient_descent(learning_rate: float | ArrayLike | Schedule) -> Optimizer:
    r"""Steepest descent :math:`x_{k+1} = x_k - \eta\,\nabla f(x_k)` (Cauchy 1847).

    ``learning_rate`` is a number >= 0, an array of them (a sweep), or a schedule
    ``t -> eta_t``. With noisy gradients this is stochastic gradient descent.
    """
    return scale_by_learning_rate(learning_rate)
