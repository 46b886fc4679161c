"""The OpenBLAS core types this machine can run, and what numpy's OpenBLAS reports under each.

Usage::

    python tools/blas_kernels.py Haswell SkylakeX     # the ones that run here, one a line
    python tools/blas_kernels.py --other Haswell ...  # those that round unlike the default
    python tools/blas_kernels.py --table Haswell ...  # and what each one does

numpy's wheels bundle an OpenBLAS built for many CPUs; it picks the kernels for the CPU it
finds, unless ``OPENBLAS_CORETYPE`` names others. Kernels differ in the order of their sums,
hence in the last bits of a matrix product: ``make test`` runs the figure check under two
of them (and ``tools/check_glue_kernels.py`` the chapters), so that nothing the reader sees
depends on which one a machine gets. A core type needs the CPU features in
:data:`REQUIRES`: forcing one the CPU lacks would stop on an illegal instruction, so those
are left out (with a note on stderr), as is everything when numpy's BLAS is not OpenBLAS.
Each core type is checked in a child process: the name OpenBLAS reports for its core, and
a fingerprint of a matrix product, which shows that the kernels round differently.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass

REQUIRES = {  # numpy's names of the CPU features each OpenBLAS core type uses
    "Prescott": ("SSE3",),
    "Nehalem": ("SSE42",),
    "Sandybridge": ("AVX",),
    "Haswell": ("AVX2", "FMA3"),
    "Zen": ("AVX2", "FMA3"),
    "SkylakeX": ("AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL"),
    "Cooperlake": ("AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL", "AVX512BF16"),
}
CORENAME_SYMBOLS = (  # scipy-openblas (numpy >= 2) first, then a plain OpenBLAS
    "scipy_openblas_get_corename64_",
    "scipy_openblas_get_corename",
    "openblas_get_corename64_",
    "openblas_get_corename",
)


def _openblas_corename() -> str:
    """In this process: the core OpenBLAS runs on (after importing numpy), or ``""``."""
    import ctypes
    import glob

    import numpy as np

    candidates = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            candidates = sorted({ln.split()[-1] for ln in maps if "openblas" in ln.lower()})
    except OSError:
        pass
    root = os.path.dirname(os.path.dirname(np.__file__))
    candidates += glob.glob(os.path.join(root, "numpy.libs", "*openblas*"))
    candidates += glob.glob(os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
    for path in candidates:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in CORENAME_SYMBOLS:
            function = getattr(library, symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return str(function().decode())
    return ""


def _fingerprint() -> str:
    """The first digits of a hash of a fixed 50 x 50 matrix product (BLAS ``dgemm``)."""
    import numpy as np

    rng = np.random.default_rng(0)
    product = rng.standard_normal((50, 50)) @ rng.standard_normal((50, 3))
    return hashlib.sha256(product.tobytes()).hexdigest()[:12]


@dataclass
class Kernel:
    """What OpenBLAS does under one value of ``OPENBLAS_CORETYPE`` ("" for the default)."""

    coretype: str
    corename: str  # as OpenBLAS reports it; "" when numpy's BLAS is not OpenBLAS
    fingerprint: str


def probe(coretype: str = "") -> Kernel:
    """Start a Python with ``OPENBLAS_CORETYPE=coretype`` and ask its OpenBLAS."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    out = subprocess.run(
        [sys.executable, __file__, "--probe"], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return Kernel(coretype, out[0] if len(out) > 1 else "", out[-1])


def cpu_runs(coretype: str) -> bool:
    """True when this CPU has every feature the core type needs (as numpy detects them)."""
    from numpy._core._multiarray_umath import __cpu_features__

    needed = REQUIRES.get(coretype)
    return needed is not None and all(__cpu_features__.get(f, False) for f in needed)


def _note(message: str) -> None:
    print(f"blas_kernels: {message}", file=sys.stderr)


def usable(coretypes: list[str]) -> list[Kernel]:
    """The requested core types this machine runs, each probed; notes on stderr."""
    kernels = []
    for coretype in coretypes:
        if coretype not in REQUIRES:
            _note(f"unknown core type {coretype!r}; known: {sorted(REQUIRES)}")
            continue
        if not cpu_runs(coretype):
            _note(f"this CPU cannot run OpenBLAS's {coretype} kernels; skipped")
            continue
        kernel = probe(coretype)
        if not kernel.corename:
            _note("numpy's BLAS is not OpenBLAS here; no kernel to force")
            return []
        kernels.append(kernel)
    if len({k.fingerprint for k in kernels}) < min(2, len(coretypes)):
        _note(
            f"fewer than two differently rounding kernels among {coretypes} run here; the "
            "checks run under those that do"
        )
    return kernels


def other_than_default(coretypes: list[str]) -> tuple[Kernel, Kernel | None]:
    """The default kernel, and the first requested one that rounds differently from it."""
    default = probe(os.environ.get("OPENBLAS_CORETYPE", ""))
    for kernel in usable(coretypes):
        if kernel.fingerprint != default.fingerprint:
            return default, kernel
    return default, None


def main(argv: list[str] | None = None) -> int:
    """Command line: print the usable core types (or the table with ``--table``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("coretypes", nargs="*", default=["Haswell", "SkylakeX"])
    parser.add_argument("--table", action="store_true", help="what OpenBLAS reports for each")
    parser.add_argument(
        "--other",
        action="store_true",
        help="leave out those that round as the default kernel (a plain run checks that one)",
    )
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:  # the child of probe(): corename and fingerprint
        print(_openblas_corename() or "-", _fingerprint())
        return 0
    kernels = usable(args.coretypes)
    if args.table:
        rows = [("(unset: the CPU's)", probe())]
        if os.environ.get("OPENBLAS_CORETYPE"):
            rows.append(
                (
                    f"{os.environ['OPENBLAS_CORETYPE']} (environment)",
                    probe(os.environ["OPENBLAS_CORETYPE"]),
                )
            )
        rows += [(k.coretype, k) for k in kernels]
        print(f"{'OPENBLAS_CORETYPE':<24} {'OpenBLAS core':<14} dgemm fingerprint")
        for label, k in rows:
            print(f"{label:<24} {k.corename or '-':<14} {k.fingerprint}")
        return 0
    if args.other:
        default = probe(os.environ.get("OPENBLAS_CORETYPE", ""))
        for kernel in [k for k in kernels if k.fingerprint == default.fingerprint]:
            _note(
                f"{kernel.coretype} rounds as the kernel this environment gets "
                f"({default.corename}), which the plain test run (make unit) checks"
            )
        kernels = [k for k in kernels if k.fingerprint != default.fingerprint]
    for kernel in kernels:
        print(kernel.coretype)
    return 0


if __name__ == "__main__":
    sys.exit(main())
