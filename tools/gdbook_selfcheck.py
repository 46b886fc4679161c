"""Self-checks of the assignments: call a student's function on recorded cases, compare.

Shipped beside every assignment notebook (``make assignments``). A case is one call that
the book's own test suite made to the reference solution, with its arguments and the
result the reference returned, recorded with dill into ``<chapter>_cases.pkl``. ``check``
calls the student's function with the same arguments and compares the result with the
recorded one: numbers and arrays to a relative 1e-6 (a loop written in another order
rounds differently), everything else exactly, containers element by element.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dill
import numpy as np

RTOL, ATOL = 1e-6, 1e-9


def load_cases(path: str | Path) -> dict[str, list[bytes]]:
    """Function name -> its recorded cases (each a dill payload)."""
    with open(path, "rb") as f:
        cases: dict[str, list[bytes]] = dill.load(f)
    return cases


def difference(got: Any, want: Any, where: str = "result") -> str | None:
    """Why ``got`` is not ``want`` (None when they agree)."""
    if got is Ellipsis:
        return f"{where} is ... : the function is not written yet"
    if isinstance(want, np.ndarray) or isinstance(got, np.ndarray):
        a, b = np.asarray(got), np.asarray(want)
        if a.shape != b.shape:
            return f"{where} has shape {a.shape}, expected {b.shape}"
        if b.dtype.kind in "fc" or a.dtype.kind in "fc":
            if not np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True):
                bad = int(np.sum(~np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)))
                return f"{where}: {bad} of {b.size} values differ from the expected ones"
            return None
        return None if np.array_equal(a, b) else f"{where} differs from the expected values"
    if isinstance(want, bool) or isinstance(got, bool):
        return (
            None
            if bool(got) == bool(want) and type(got) is type(want)
            else f"{where} is {got!r}, expected {want!r}"
        )
    if isinstance(want, int | float) and isinstance(got, int | float | np.number):
        if isinstance(want, float) and math.isnan(want):
            return None if math.isnan(float(got)) else f"{where} is {got!r}, expected nan"
        ok = math.isclose(float(got), float(want), rel_tol=RTOL, abs_tol=ATOL)
        return None if ok else f"{where} is {got!r}, expected {want!r}"
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping) or set(got) != set(want):
            return f"{where} should be a mapping with keys {sorted(map(str, want))}"
        for key in want:
            found = difference(got[key], want[key], f"{where}[{key!r}]")
            if found:
                return found
        return None
    if dataclasses.is_dataclass(want) and not isinstance(want, type):
        fields = [f.name for f in dataclasses.fields(want)]
        return difference(
            {k: getattr(got, k, None) for k in fields}, {k: getattr(want, k) for k in fields}, where
        )
    if isinstance(want, tuple | list):
        if not isinstance(got, tuple | list | np.ndarray) or len(got) != len(want):
            return f"{where} should have {len(want)} elements"
        for i, (x, y) in enumerate(zip(got, want, strict=True)):
            found = difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if got == want else f"{where} is {got!r}, expected {want!r}"


def check(function: Callable[..., Any], cases_file: str | Path, index: int | None = None) -> None:
    """Assert that ``function`` reproduces the recorded case ``index`` (all cases if None)."""
    cases = load_cases(cases_file)[function.__name__]
    chosen = range(len(cases)) if index is None else [index]
    for i in chosen:
        args, kwargs, want = dill.loads(cases[i])
        got = function(*args, **kwargs)
        problem = difference(got, want)
        assert problem is None, f"{function.__name__}, case {i}: {problem}"
