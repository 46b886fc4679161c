"""Measure the budgets of DESIGN.md and print them next to the measurements.

Usage (from the repository root; ``make bench``)::

    python benchmarks/run.py [--skip-build] [--calls 30] [--loop-rows 4]

Prints, with PASS/FAIL against the budget (it asserts nothing and always exits 0
unless it cannot run at all):

(a) clean build: ``rm -rf _build``, then the strict build, wall seconds (<= 180 s);
(b) no-change rebuild: the same build again (<= 20 s);
(c) per-chapter execution seconds from the jupyter-cache (< 30 s each);
(d) widget callback latency: for every registered explorer, shown as a widget, median
    and p90 over ``--calls`` calls of ``explorer.update(**values)`` cycling through
    different control values; this is everything a slider move costs in the kernel:
    compute, redraw and PNG encoding of the picture sent to the browser (median <= 50 ms);
(e) the sweep speed-up: momentum on a 200 x 200 grid of (learning_rate, beta) as one
    vectorised ``run()`` against a Python double loop of scalar ``run()`` calls (>= 50x);
    the loop is timed on ``--loop-rows`` rows and extrapolated, and the results of the
    two are compared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
os.environ.setdefault("MPLBACKEND", "Agg")

from check_build import execution_cache, execution_times, toc_docs  # noqa: E402

# DESIGN.md, "Budgets"
BUDGET_CLEAN_BUILD_S = 180.0
BUDGET_REBUILD_S = 20.0
BUDGET_CHAPTER_S = 30.0
BUDGET_WIDGET_MS = 50.0
BUDGET_SWEEP_SPEEDUP = 50.0

GRID = 200
SWEEP_STEPS = 100


def line(label: str, value: str, budget: str, ok: bool | None) -> None:
    """One result line: what, measured, budget, verdict."""
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"  {label:<44} {value:>14}   {budget:<14} {verdict}", flush=True)


# --------------------------------------------------------------------------------------
# (a)-(c) builds and chapter execution
# --------------------------------------------------------------------------------------


def timed_build(log: Path) -> tuple[float, int]:
    """Run the strict build from the repository root; return (wall seconds, exit status)."""
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        ".",
        "-W",
        "-n",
        "--keep-going",
    ]
    start = time.perf_counter()
    with log.open("w") as out:
        status = subprocess.run(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    return time.perf_counter() - start, status.returncode


def bench_builds(log_dir: Path) -> None:
    """(a) clean build and (b) no-change rebuild."""
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    for label, budget, name in [
        ("(a) clean build (rm -rf _build; strict build)", BUDGET_CLEAN_BUILD_S, "clean"),
        ("(b) rebuild with nothing changed", BUDGET_REBUILD_S, "rebuild"),
    ]:
        log = log_dir / f"build_{name}.log"
        seconds, status = timed_build(log)
        note = "" if status == 0 else f"   (build failed, exit {status}; log: {log})"
        line(label, f"{seconds:.1f} s", f"<= {budget:.0f} s", status == 0 and seconds <= budget)
        if note:
            print(note)


def bench_chapters() -> None:
    """(c) per-chapter execution seconds from the jupyter-cache."""
    cache = execution_cache(ROOT / "_build", ROOT)
    for run in execution_times(toc_docs(ROOT), cache, ROOT):
        if run.seconds is None:
            line(
                f"(c) {run.doc}",
                "not cached",
                f"< {BUDGET_CHAPTER_S:.0f} s",
                None if not run.has_code else False,
            )
        else:
            line(
                f"(c) {run.doc}",
                f"{run.seconds:.2f} s",
                f"< {BUDGET_CHAPTER_S:.0f} s",
                run.seconds < BUDGET_CHAPTER_S,
            )


# --------------------------------------------------------------------------------------
# (d) widget latency
# --------------------------------------------------------------------------------------


def candidate_values(control: Any) -> list[Any]:
    """A few allowed values of a control, its current one first."""
    value = control.value
    if hasattr(control, "options"):
        options = list(getattr(control, "_options_values", control.options))
        return [value, *[o for o in options if o != value][:3]]
    if isinstance(value, bool):
        return [value, not value]
    if hasattr(control, "base"):  # FloatLogSlider: min/max are exponents
        exponents = np.linspace(control.min, control.max, 5)
        return [value, *(float(control.base**e) for e in exponents)]
    if hasattr(control, "min") and hasattr(control, "max"):
        points = np.linspace(control.min, control.max, 5)
        if isinstance(value, int):
            return [value, *sorted(set(points.round().astype(int).tolist()))]
        return [value, *(float(p) for p in points)]
    return [value]


def bench_widgets(calls: int) -> None:
    """(d) median and p90 of explorer.update(**values) for every registered explorer."""
    import matplotlib.pyplot as plt
    from gdbook.widgets import load_all

    registry = load_all()
    if not registry:
        line("(d) widgets", "none registered", f"<= {BUDGET_WIDGET_MS:.0f} ms", None)
    for name, factory in sorted(registry.items()):
        explorer = factory()
        try:
            explorer.widget()  # as in a notebook: each update also encodes the PNG shown
            explorer.update()  # warm-up: first draw, caches
            candidates = {k: candidate_values(c) for k, c in explorer.controls.items()}
            keys = sorted(candidates)
            values = explorer.values()
            samples = []
            for i in range(calls):
                key = keys[i % len(keys)]  # move one control per call, round robin
                options = candidates[key]
                values[key] = options[(i // len(keys) + 1) % len(options)]
                start = time.perf_counter()
                explorer.update(**values)
                samples.append(1e3 * (time.perf_counter() - start))
        finally:
            plt.close(explorer.figure)
        median = statistics.median(samples)
        p90 = float(np.percentile(samples, 90))
        line(
            f"(d) widget {name}",
            f"{median:.1f} ms",
            f"<= {BUDGET_WIDGET_MS:.0f} ms",
            median <= BUDGET_WIDGET_MS,
        )
        print(f"      p90 {p90:.1f} ms over {calls} calls")


# --------------------------------------------------------------------------------------
# (e) vectorised sweep against a Python loop
# --------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_sweep(loop_rows: int) -> None:
    """(e) one run() over a 200 x 200 (learning_rate, beta) grid vs a double loop."""
    from gdbook.base import run
    from gdbook.momentum import momentum
    from gdbook.problems import quadratic

    problem = quadratic([1.0, 10.0], angle=0.5)
    rates = np.linspace(0.002, 0.38, GRID)  # past 2 (1 + beta) / L some runs diverge
    betas = np.linspace(0.0, 0.99, GRID)
    rate_grid, beta_grid = np.meshgrid(rates, betas, indexing="ij")
    x0 = np.broadcast_to(np.array([1.0, 1.0]), (GRID, GRID, 2))
    opt = momentum(rate_grid[..., None], beta_grid[..., None])
    vector_s, traj = _timed(lambda: run(opt, problem.grad, x0, SWEEP_STEPS))
    final = traj.params[-1]

    # rows spread over the learning rates, so that the sample has its share of diverging
    # runs (a diverged scalar run stops early and costs the loop less)
    picked = np.unique(np.linspace(0, GRID - 1, max(1, min(loop_rows, GRID))).round().astype(int))
    rows = picked.size

    def loop() -> tuple[np.ndarray, np.ndarray]:
        out = np.empty((rows, GRID, 2))
        diverged = np.empty((rows, GRID), dtype=np.int64)
        for r, i in enumerate(picked):
            for j in range(GRID):
                cell = run(
                    momentum(rates[i], betas[j]), problem.grad, np.array([1.0, 1.0]), SWEEP_STEPS
                )
                out[r, j] = cell.params[-1]
                diverged[r, j] = cell.diverged_at
        return out, diverged

    loop_s, (loop_final, loop_diverged) = _timed(loop)
    loop_full_s = loop_s * GRID / rows
    vector_final = final[picked]
    same_nan = np.array_equal(np.isnan(loop_final), np.isnan(vector_final))
    finite = np.isfinite(loop_final)
    diff = np.abs(loop_final[finite] - vector_final[finite])
    scale = np.maximum(1.0, np.maximum(np.abs(loop_final[finite]), np.abs(vector_final[finite])))
    max_diff = float(np.max(diff, initial=0.0))
    max_rel = float(np.max(diff / scale, initial=0.0))  # runs near the edge reach |x| ~ 1e7
    same_divergence = np.array_equal(loop_diverged, traj.diverged_at[picked])
    ratio = loop_full_s / vector_s
    print(
        f"      grid {GRID}x{GRID} of (learning_rate, beta), {SWEEP_STEPS} steps, "
        "quadratic kappa=10"
    )
    print(f"      vectorised run():  {vector_s:.3f} s for {GRID * GRID} runs")
    print(
        f"      Python double loop: {loop_s:.2f} s for {rows} of {GRID} rows {picked.tolist()} "
        f"({rows * GRID} runs), "
        f"extrapolated to {loop_full_s:.1f} s for the full grid"
    )
    agree = same_nan and same_divergence and max_rel <= 1e-12
    print(
        f"      loop vs vectorised on the timed rows ({'agree' if agree else 'DISAGREE'}): "
        f"max |diff| {max_diff:.1e} (relative "
        f"{max_rel:.1e}), same divergence "
        f"steps: {same_divergence}, same NaN pattern: {same_nan}"
    )
    line(
        "(e) sweep speed-up (loop / vectorised)",
        f"{ratio:.0f}x",
        f">= {BUDGET_SWEEP_SPEEDUP:.0f}x",
        ratio >= BUDGET_SWEEP_SPEEDUP and agree,
    )
    diverged = int(np.sum(traj.diverged))
    unstable = int(np.sum(rate_grid * problem.eigenvalues[-1] > 2 * (1 + beta_grid)))
    print(
        f"      {diverged} of {GRID * GRID} cells diverged within {SWEEP_STEPS} steps; "
        f"{unstable} lie past the stability edge eta L = 2 (1 + beta)"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-build", action="store_true", help="skip (a) and (b); (c) reads the existing cache"
    )
    parser.add_argument(
        "--calls", type=int, default=30, help="widget update calls per explorer (>= 30)"
    )
    parser.add_argument(
        "--loop-rows", type=int, default=4, help="rows of the grid the Python loop runs"
    )
    args = parser.parse_args(argv)
    calls = max(30, args.calls)
    print(f"benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"  {'measurement':<44} {'value':>14}   {'budget':<14} verdict")
    if args.skip_build:
        print("  (a), (b) skipped (--skip-build)")
    else:
        log_dir = Path(tempfile.mkdtemp(prefix="gdbook-bench-"))
        bench_builds(log_dir)
        print(f"      build logs: {log_dir}")
    bench_chapters()
    bench_widgets(calls)
    bench_sweep(args.loop_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
