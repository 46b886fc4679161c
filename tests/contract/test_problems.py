"""Tests for gdbook.problems: every objective against an independently written SymPy model.

Oracles: each problem's value is re-typed here as a SymPy expression from its textbook
definition (not from the NumPy code); the gradient and Hessian oracles are ``sympy.diff``
of that expression. Minimisers are checked against their published locations
(Rosenbrock 1960: (a, a^2); Beale 1958: (3, 1/2)) and, for the logistic loss, against a
brute-force grid search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from gdbook.problems import (
    Problem,
    beale,
    logistic_data,
    logistic_regression,
    noisy,
    orthonormal_columns,
    quadratic,
    rosenbrock,
    rotation_2d,
    saddle,
    vecmat,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# --------------------------------------------------------------------------------------
# Independent SymPy models
# --------------------------------------------------------------------------------------


def _symbols(d: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"x0:{d}", real=True))


def _sym_rotation_2d(angle: sp.Expr) -> sp.Matrix:
    return sp.Matrix([[sp.cos(angle), -sp.sin(angle)], [sp.sin(angle), sp.cos(angle)]])


def _sym_rotation_3d() -> sp.Matrix:
    """An orthogonal 3 x 3 matrix: rotation about z by 0.7, then about x by -1.1."""
    a, b = sp.Rational(7, 10), sp.Rational(-11, 10)
    rz = sp.Matrix([[sp.cos(a), -sp.sin(a), 0], [sp.sin(a), sp.cos(a), 0], [0, 0, 1]])
    rx = sp.Matrix([[1, 0, 0], [0, sp.cos(b), -sp.sin(b)], [0, sp.sin(b), sp.cos(b)]])
    return rz * rx


def _sym_quadratic(
    xs: list[sp.Symbol], eigenvalues: list[float], q: sp.Matrix, centre: list[float]
) -> sp.Expr:
    """f = 1/2 (x - c)^T Q diag(lambda) Q^T (x - c), written from the definition."""
    lam = sp.diag(*[sp.nsimplify(v) for v in eigenvalues])
    a = q * lam * q.T
    e = sp.Matrix(xs) - sp.Matrix([sp.nsimplify(c) for c in centre])
    return sp.Rational(1, 2) * (e.T * a * e)[0, 0]


def _sym_rosenbrock(xs: list[sp.Symbol], a: float, b: float) -> sp.Expr:
    x, y = xs
    return (sp.nsimplify(a) - x) ** 2 + sp.nsimplify(b) * (y - x**2) ** 2


def _sym_beale(xs: list[sp.Symbol]) -> sp.Expr:
    x, y = xs
    c = [sp.Rational(3, 2), sp.Rational(9, 4), sp.Rational(21, 8)]
    return sum((c[i] - x + x * y ** (i + 1)) ** 2 for i in range(3))


def _sym_saddle(xs: list[sp.Symbol]) -> sp.Expr:
    x, y = xs
    return x**2 / 2 - y**2 / 2 + y**4 / 4


def _sym_logistic(
    xs: list[sp.Symbol], features: np.ndarray, labels: np.ndarray, l2: float
) -> sp.Expr:
    """(1/n) sum_i log(1 + exp(-y_i w.a_i)) + l2/2 |w|^2 with the data as exact floats."""
    n = len(labels)
    loss = sum(
        sp.log(
            1
            + sp.exp(-float(labels[i]) * sum(float(features[i, j]) * xs[j] for j in range(len(xs))))
        )
        for i in range(n)
    )
    return loss / n + sp.Float(l2) / 2 * sum(w**2 for w in xs)


@dataclass(frozen=True)
class Case:
    """A problem, its independent SymPy model, and where to sample points."""

    problem: Callable[[], Problem]
    model: Callable[[list[sp.Symbol]], sp.Expr]
    dim: int
    box: float  # sample points in [-box, box]^d


_LOGISTIC_DATA = logistic_data(num_samples=9, dim=3, seed=3)
_ROT3 = _sym_rotation_3d()

CASES: dict[str, Case] = {
    "quadratic_axis": Case(
        lambda: quadratic([1.0, 10.0]),
        lambda xs: _sym_quadratic(xs, [1, 10], sp.eye(2), [0, 0]),
        2,
        5.0,
    ),
    "quadratic_rotated": Case(
        lambda: quadratic([4.0, 0.5], angle=0.3, x_star=[1.0, -2.0]),
        lambda xs: _sym_quadratic(xs, [4, 0.5], _sym_rotation_2d(sp.Rational(3, 10)), [1, -2]),
        2,
        5.0,
    ),
    "quadratic_3d_rotation": Case(
        lambda: quadratic(
            [2.0, 0.1, 7.0], rotation=np.array(_ROT3.evalf(), dtype=float), x_star=[0.5, 0.0, -1.0]
        ),
        lambda xs: _sym_quadratic(xs, [2, 0.1, 7], _ROT3, [0.5, 0, -1]),
        3,
        5.0,
    ),
    "rosenbrock_default": Case(rosenbrock, lambda xs: _sym_rosenbrock(xs, 1.0, 100.0), 2, 2.0),
    "rosenbrock_custom": Case(
        lambda: rosenbrock(a=-0.5, b=3.0), lambda xs: _sym_rosenbrock(xs, -0.5, 3.0), 2, 2.0
    ),
    "beale": Case(beale, _sym_beale, 2, 2.0),
    "saddle": Case(saddle, _sym_saddle, 2, 2.0),
    "logistic": Case(
        lambda: logistic_regression(*_LOGISTIC_DATA, l2=0.05),
        lambda xs: _sym_logistic(xs, *_LOGISTIC_DATA, l2=0.05),
        3,
        2.0,
    ),
}


@cache
def _oracle(
    name: str,
) -> tuple[Callable[..., float], Callable[..., list[float]], Callable[..., list[list[float]]]]:
    """Lambdified value, sympy.diff gradient and Hessian of the independent model."""
    case = CASES[name]
    xs = _symbols(case.dim)
    f = case.model(xs)
    grad = [sp.diff(f, x) for x in xs]
    hess = [[sp.diff(g, x) for x in xs] for g in grad]
    return (
        sp.lambdify(xs, f, "numpy"),
        sp.lambdify(xs, grad, "numpy"),
        sp.lambdify(xs, hess, "numpy"),
    )


@cache
def _problem(name: str) -> Problem:
    return CASES[name].problem()


def _points(name: str, unit: list[float]) -> np.ndarray:
    case = CASES[name]
    return case.box * np.asarray(unit[: case.dim], dtype=np.float64)


_unit = st.lists(st.floats(-1.0, 1.0, allow_nan=False), min_size=3, max_size=3)


# --------------------------------------------------------------------------------------
# Value, gradient and Hessian against sympy.diff
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=40, deadline=None)
@given(unit=_unit)
def test_value_grad_hessian_match_sympy(name: str, unit: list[float]) -> None:
    problem = _problem(name)
    f, g, h = _oracle(name)
    x = _points(name, unit)
    want_f = float(f(*x))
    want_g = np.asarray(g(*x), dtype=np.float64)
    want_h = np.asarray(h(*x), dtype=np.float64)
    np.testing.assert_allclose(problem.value(x), want_f, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(
        problem.grad(x), want_g, rtol=1e-9, atol=1e-9 * (1 + np.abs(want_g).max())
    )
    np.testing.assert_allclose(
        problem.hessian(x), want_h, rtol=1e-9, atol=1e-9 * (1 + np.abs(want_h).max())
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_dimension_attribute(name: str) -> None:
    assert _problem(name).dim == CASES[name].dim


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=10, deadline=None)
@given(
    wrong=st.integers(1, 6),
    batch=st.lists(st.integers(1, 3), max_size=2),
    noise=st.booleans(),
)
def test_points_of_another_dimension_are_rejected_by_name(
    name: str, wrong: int, batch: list[int], noise: bool
) -> None:
    """value, grad and hessian raise a ValueError that gives the problem's dimension,
    also through the noisy wrapper, instead of failing inside NumPy or broadcasting."""
    problem = _problem(name)
    if noise:
        problem = noisy(problem, 0.1, np.random.default_rng(0))
    d = problem.dim
    if wrong == d:
        wrong = d + 1
    x = np.zeros((*batch, wrong))
    for fn in (problem.value, problem.grad, problem.hessian):
        with pytest.raises(ValueError, match=rf"dimension d = {d}\b"):
            fn(x)


# --------------------------------------------------------------------------------------
# Batched evaluation: (..., d) in, (...), (..., d), (..., d, d) out
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("batch", [(), (5,), (2, 3)])
def test_batched_shapes_and_values(name: str, batch: tuple[int, ...]) -> None:
    problem = _problem(name)
    d = problem.dim
    rng = np.random.default_rng(11)
    x = CASES[name].box * rng.uniform(-1, 1, size=(*batch, d))
    value, grad, hess = problem.value(x), problem.grad(x), problem.hessian(x)
    assert np.shape(value) == batch
    assert np.shape(grad) == (*batch, d)
    assert np.shape(hess) == (*batch, d, d)
    for idx in np.ndindex(*batch):  # a batch is the same as one point at a time
        np.testing.assert_allclose(value[idx], problem.value(x[idx]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(grad[idx], problem.grad(x[idx]), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(hess[idx], problem.hessian(x[idx]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_evaluation_does_not_mutate_input(name: str) -> None:
    problem = _problem(name)
    x = np.linspace(-1.0, 1.0, 4 * problem.dim).reshape(4, problem.dim)
    before = x.copy()
    problem.value(x)
    problem.grad(x)
    problem.hessian(x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hessian_is_symmetric(name: str) -> None:
    problem = _problem(name)
    x = np.random.default_rng(5).uniform(-1, 1, size=(6, problem.dim))
    h = problem.hessian(x)
    np.testing.assert_allclose(h, np.swapaxes(h, -1, -2), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------
# Minimisers: stationary with a positive-definite Hessian (checked with the oracle)
# --------------------------------------------------------------------------------------

_WITH_MINIMUM = [name for name in sorted(CASES) if name != "saddle"]


@pytest.mark.parametrize("name", _WITH_MINIMUM)
def test_x_star_is_a_strict_local_minimum(name: str) -> None:
    problem = _problem(name)
    f, g, h = _oracle(name)
    assert problem.x_star is not None
    x = problem.x_star
    assert np.shape(x) == (problem.dim,)
    np.testing.assert_allclose(np.asarray(g(*x), dtype=float), 0.0, atol=1e-10)
    eigenvalues = np.linalg.eigvalsh(np.asarray(h(*x), dtype=float))
    assert eigenvalues.min() > 0, f"Hessian at x_star is not positive definite: {eigenvalues}"
    if problem.f_star is not None:
        np.testing.assert_allclose(problem.f_star, float(f(*x)), rtol=1e-12, atol=1e-12)


def test_published_minimisers() -> None:
    """Rosenbrock (1960): minimum 0 at (a, a^2); Beale (1958): minimum 0 at (3, 1/2)."""
    for a, b in [(1.0, 100.0), (-0.5, 3.0), (2.0, 1.0)]:
        p = rosenbrock(a, b)
        assert p.x_star is not None
        np.testing.assert_array_equal(p.x_star, [a, a * a])
        assert p.f_star == 0.0
        assert float(p.value(p.x_star)) == 0.0
    p = beale()
    assert p.x_star is not None
    np.testing.assert_array_equal(p.x_star, [3.0, 0.5])
    assert p.f_star == 0.0
    assert float(p.value(p.x_star)) == 0.0


def test_saddle_has_a_saddle_at_the_origin_and_two_minima() -> None:
    """f = x^2/2 - y^2/2 + y^4/4: Hessian diag(1, -1) at 0, minima (0, +-1) with f = -1/4."""
    p = saddle()
    f, g, _ = _oracle("saddle")
    assert p.x_star is None
    np.testing.assert_array_equal(np.asarray(g(0.0, 0.0), dtype=float), [0.0, 0.0])
    np.testing.assert_array_equal(p.hessian(np.zeros(2)), [[1.0, 0.0], [0.0, -1.0]])
    for y in (1.0, -1.0):
        point = np.array([0.0, y])
        np.testing.assert_array_equal(p.grad(point), [0.0, 0.0])
        assert float(p.value(point)) == float(f(0.0, y)) == p.f_star == -0.25
        assert np.linalg.eigvalsh(p.hessian(point)).min() > 0


def test_logistic_x_star_matches_brute_force_grid_search() -> None:
    """Newton's x_star against a grid search of the independent SymPy loss (2-D data)."""
    features, labels = logistic_data(num_samples=40, dim=2, seed=7)
    problem = logistic_regression(features, labels, l2=0.1)
    assert problem.x_star is not None
    w = sp.symbols("w0:2", real=True)
    model = _sym_logistic(list(w), features, labels, 0.1)
    loss = sp.lambdify(w, model, "numpy")
    grad = sp.lambdify(w, [sp.diff(model, v) for v in w], "numpy")
    # the minimiser of a strongly convex loss: coarse grid, then a fine grid around the best
    centre, half = np.zeros(2), 4.0
    for _ in range(4):
        ticks = [np.linspace(c - half, c + half, 201) for c in centre]
        gx, gy = np.meshgrid(*ticks, indexing="ij")
        values = loss(gx, gy)
        i, j = np.unravel_index(np.argmin(values), values.shape)
        centre, half = np.array([gx[i, j], gy[i, j]]), 4 * half / 200
    spacing = 2 * half / 4  # the last grid's spacing
    np.testing.assert_allclose(problem.x_star, centre, atol=2 * spacing)
    np.testing.assert_allclose(np.asarray(grad(*problem.x_star), dtype=float), 0.0, atol=1e-12)
    assert problem.f_star is not None
    assert problem.f_star <= float(values.min()) + 1e-15


def test_logistic_without_regularisation_has_no_x_star() -> None:
    problem = logistic_regression(*logistic_data(num_samples=20, dim=2, seed=1), l2=0.0)
    assert problem.x_star is None
    assert problem.f_star is None


# --------------------------------------------------------------------------------------
# Quadratics: structure
# --------------------------------------------------------------------------------------


def test_quadratic_matrix_condition_number_and_eigenbasis() -> None:
    angle = 0.3
    q = quadratic([100.0, 1.0], angle=angle, x_star=[2.0, 1.0])  # given in descending order
    r = np.array(_sym_rotation_2d(sp.Float(angle)).evalf(), dtype=float)
    want = r @ np.diag([100.0, 1.0]) @ r.T
    np.testing.assert_allclose(q.matrix, want, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(q.eigenvalues, [1.0, 100.0])  # ascending
    np.testing.assert_allclose(
        q.matrix @ q.eigenvectors, q.eigenvectors * q.eigenvalues, atol=1e-12
    )
    assert q.condition_number == 100.0
    assert quadratic([0.0, 2.0]).condition_number == np.inf
    np.testing.assert_allclose(rotation_2d(angle), r, atol=1e-15)
    assert q.x_star is not None
    np.testing.assert_allclose(q.to_eigenbasis(q.x_star), [0.0, 0.0], atol=1e-15)


@settings(max_examples=50, deadline=None)
@given(unit=_unit, angle=st.floats(-np.pi, np.pi, allow_nan=False))
def test_quadratic_decouples_along_eigenvectors(unit: list[float], angle: float) -> None:
    """f(x) = 1/2 sum_i lambda_i c_i^2 with c = Q^T (x - x*): the eigen-decomposition."""
    q = quadratic([3.0, 0.25], angle=angle, x_star=[-1.0, 0.5])
    x = 4 * np.asarray(unit[:2])
    c = q.to_eigenbasis(x)
    np.testing.assert_allclose(
        q.value(x), 0.5 * np.sum(q.eigenvalues * c**2), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        np.linalg.norm(c), np.linalg.norm(x - np.array([-1.0, 0.5])), rtol=1e-12, atol=1e-12
    )


# --------------------------------------------------------------------------------------
# The noisy wrapper
# --------------------------------------------------------------------------------------


def test_noisy_is_reproducible_with_the_same_seed() -> None:
    base = quadratic([1.0, 10.0])
    x = np.array([0.3, -0.7])
    a = noisy(base, 0.5, np.random.default_rng(42))
    b = noisy(base, 0.5, np.random.default_rng(42))
    c = noisy(base, 0.5, np.random.default_rng(43))
    draws_a = [a.grad(x) for _ in range(5)]
    draws_b = [b.grad(x) for _ in range(5)]
    np.testing.assert_array_equal(draws_a, draws_b)
    assert not np.array_equal(draws_a[0], c.grad(x)), "a different seed must give different noise"
    assert not np.array_equal(draws_a[0], draws_a[1]), "each call must draw fresh noise"


def test_noisy_keeps_value_hessian_and_minimiser_exact() -> None:
    base = rosenbrock()
    p = noisy(base, 2.0, np.random.default_rng(0))
    x = np.array([[0.1, 0.2], [-1.0, 1.5]])
    np.testing.assert_array_equal(p.value(x), base.value(x))
    np.testing.assert_array_equal(p.hessian(x), base.hessian(x))
    assert p.x_star is not None and base.x_star is not None
    np.testing.assert_array_equal(p.x_star, base.x_star)
    assert p.f_star == base.f_star
    assert p.dim == base.dim
    assert p.grad(x).shape == x.shape
    np.testing.assert_array_equal(noisy(base, 0.0, np.random.default_rng(1)).grad(x), base.grad(x))


@pytest.mark.parametrize("sigma", [0.1, 3.0])
def test_noise_has_mean_zero_and_variance_sigma_squared(sigma: float) -> None:
    """Over N draws, the sample mean has standard error sigma/sqrt(N) and the sample variance
    sigma^2 sqrt(2/(N-1)) (normal noise). We allow 5 standard errors: a correct wrapper
    fails with probability below 1e-6 per coordinate (and the seed is fixed anyway).
    """
    base = quadratic([1.0, 4.0])
    p = noisy(base, sigma, np.random.default_rng(2024))
    num = 200_000
    x = np.broadcast_to(np.array([0.5, -1.0]), (num, 2))
    noise = p.grad(x) - base.grad(x)
    mean, var = noise.mean(axis=0), noise.var(axis=0, ddof=1)
    assert np.all(np.abs(mean) < 5 * sigma / np.sqrt(num)), mean
    assert np.all(np.abs(var - sigma**2) < 5 * sigma**2 * np.sqrt(2 / (num - 1))), var
    corr = np.corrcoef(noise.T)[0, 1]  # independent coordinates: xi ~ N(0, I)
    assert abs(corr) < 5 / np.sqrt(num), corr


# --------------------------------------------------------------------------------------
# Data generation and validation
# --------------------------------------------------------------------------------------


def test_logistic_data_is_reproducible_and_balanced() -> None:
    a1, y1 = logistic_data(num_samples=50, dim=3, seed=9)
    a2, y2 = logistic_data(num_samples=50, dim=3, seed=9)
    a3, _ = logistic_data(num_samples=50, dim=3, seed=10)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(a1, a3)
    assert a1.shape == (50, 3) and y1.shape == (50,)
    assert set(np.unique(y1)) == {-1.0, 1.0}
    assert np.sum(y1 == 1.0) == 25


@pytest.mark.parametrize(
    ("build", "parameter"),
    [
        (lambda: quadratic([1.0, -1.0]), "eigenvalues"),
        (lambda: quadratic([[1.0, 2.0]]), "eigenvalues"),
        (lambda: quadratic([1.0, np.nan]), "eigenvalues"),
        (lambda: quadratic([1.0, 2.0, 3.0], angle=0.5), "angle"),
        (lambda: quadratic([1.0, 2.0], rotation=[[1.0, 1.0], [0.0, 1.0]]), "rotation"),
        (lambda: quadratic([1.0, 2.0], rotation=np.eye(3)), "rotation"),
        (lambda: quadratic([1.0, 2.0], x_star=[1.0, 2.0, 3.0]), "x_star"),
        (lambda: rosenbrock(b=0.0), "b"),
        (lambda: rosenbrock(a=np.inf), "a"),
        (lambda: noisy(beale(), -1.0, np.random.default_rng(0)), "sigma"),
        (lambda: noisy(beale(), 1.0, 0), "rng"),  # type: ignore[arg-type]
        (lambda: logistic_regression(*logistic_data(10), l2=-1.0), "l2"),
        (lambda: logistic_regression(np.ones((4, 2)), np.array([1.0, 0.0, 1.0, -1.0])), "labels"),
        (lambda: logistic_regression(np.ones((4, 2)), np.ones(3)), "labels"),
        (lambda: logistic_regression(np.ones(4), np.ones(4)), "features"),
        (lambda: logistic_data(num_samples=1), "num_samples"),
    ],
)
def test_validation_errors_name_the_parameter(build: Callable[[], object], parameter: str) -> None:
    with pytest.raises(ValueError, match=rf"\b{parameter}\b"):
        build()


# --------------------------------------------------------------------------------------
# Linear algebra without BLAS: the same bits on every machine
# --------------------------------------------------------------------------------------


def _folded_vecmat(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """x^T M by Python floats: each product rounded once, the sum over rows in order."""
    out = np.empty(x.shape[:-1] + m.shape[1:])
    for index in np.ndindex(*x.shape[:-1]):
        for j in range(m.shape[1]):
            total = 0.0
            for i in range(m.shape[0]):
                total = total + float(x[index][i]) * float(m[i, j])
            out[(*index, j)] = total
    return out


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 5, 3)])
def test_vecmat_is_the_row_ordered_sum_of_rounded_products_bit_for_bit(
    shape: tuple[int, ...],
) -> None:
    rng = np.random.default_rng(7)
    x, m = rng.standard_normal(shape), rng.standard_normal((3, 4))
    np.testing.assert_array_equal(vecmat(x, m), _folded_vecmat(x, m))


_KERNEL_PROBE = """
import numpy as np, sys
from gdbook.problems import orthonormal_columns, quadratic, vecmat
rng = np.random.default_rng(3)
m = rng.standard_normal((12, 12))
q = orthonormal_columns(m)
problem = quadratic(np.linspace(1.0, 100.0, 12), rotation=q)
x = rng.standard_normal((5, 12))
sys.stdout.write((vecmat(x, m).tobytes() + q.tobytes() + problem.grad(x).tobytes()).hex())
"""


def test_rotated_quadratics_are_the_same_bits_under_every_blas_kernel() -> None:
    """The gradient of a rotated quadratic and a random rotation, computed under each OpenBLAS
    core type this CPU runs (a fresh process each): identical bytes. (``x @ M`` and
    ``np.linalg.qr`` differ in the last bits between kernels: a chaotic run or one that
    amplifies rounding then ends elsewhere on each machine.)"""
    import os
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    from blas_kernels import cpu_runs

    here = subprocess.run(
        [sys.executable, "-c", _KERNEL_PROBE], capture_output=True, text=True, check=True
    ).stdout
    outputs = {"default": here}
    for coretype in [k for k in ("Prescott", "Sandybridge", "Haswell", "SkylakeX") if cpu_runs(k)]:
        env = {**os.environ, "OPENBLAS_CORETYPE": coretype}
        run = subprocess.run(
            [sys.executable, "-c", _KERNEL_PROBE], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        outputs[coretype] = run.stdout
    assert len(set(outputs.values())) == 1, f"the bits differ between kernels {sorted(outputs)}"


def test_orthonormal_columns_is_the_q_of_a_qr_with_positive_diagonal() -> None:
    rng = np.random.default_rng(11)
    m = rng.standard_normal((8, 5))
    q = orthonormal_columns(m)
    np.testing.assert_allclose(q.T @ q, np.eye(5), atol=1e-14)
    r = q.T @ m
    np.testing.assert_allclose(np.tril(r, -1), 0.0, atol=1e-13)  # upper triangular
    assert np.all(np.diag(r) > 0)
    np.testing.assert_allclose(q @ np.triu(r), m, atol=1e-13)
    lapack, _ = np.linalg.qr(m)  # the same Q up to the signs of its columns
    np.testing.assert_allclose(np.abs(lapack), np.abs(q), atol=1e-13)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.ones((3, 2)), "column 1 is dependent"),
        (np.ones((2, 3)), "n >= k"),
        (np.ones(3), "matrix"),
    ],
)
def test_orthonormal_columns_rejects_what_has_no_orthonormal_basis(
    matrix: np.ndarray, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        orthonormal_columns(matrix)
