"""The type names every module of the package uses.

A hyperparameter (:data:`Hyper`) is a number, an array of numbers (one per grid cell of
a sweep, or one per coordinate) or a schedule ``t -> value`` of the update counter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
State = Any
GradFn = Callable[[Array], Array]
Schedule = Callable[[int], Any]
"""A hyperparameter that depends on the update counter ``t = 1, 2, ...``."""
Number = float | ArrayLike
"""A constant hyperparameter: a number, or an array of them (a sweep, or one per coordinate)."""
Hyper = float | ArrayLike | Schedule
"""What a factory accepts for a learning rate or a momentum: a number, an array, a schedule."""
Hyperparams = tuple[tuple[str, Any], ...]
"""``(name, value)`` pairs: a value is an array, or a schedule ``t -> array``."""
