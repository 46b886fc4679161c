"""Shared test settings.

Hypothesis runs derandomized (the same examples on every run, so CI is
reproducible) and without per-example deadlines (the first call of a test pays
NumPy's warm-up).
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("book", deadline=None, derandomize=True, max_examples=60)
settings.load_profile("book")

# Run by hand with torch installed (see its docstring); torch is not a test dependency.
collect_ignore = ["reference/make_torch_reference.py"]
