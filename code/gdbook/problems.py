r"""Objectives the book optimizes, each with exact gradient and Hessian.

Every function takes points of shape ``(..., d)`` (a batch of points is one call):
``value`` returns shape ``(...)``, ``grad`` ``(..., d)``, ``hessian`` ``(..., d, d)``.
``tests/test_problems.py`` checks each gradient and Hessian against ``sympy.diff``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from gdbook.checks import DimensionError, check_count, check_finite_array, check_range
from gdbook.types import Array


@dataclass(frozen=True)
class Problem:
    r"""An objective ``f`` with its exact derivatives.

    Attributes:
        name: a short label for plots.
        dim: the problem dimension ``d``.
        value: ``f(x)``.
        grad: :math:`\\nabla f(x)`.
        hessian: :math:`\\nabla^2 f(x)`.
        x_star: a minimiser, or ``None`` if there is none (or none unique).
        f_star: ``f(x_star)``, or ``None``.
    """

    name: str
    dim: int
    value: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    hessian: Callable[[Array], Array]
    x_star: Array | None = None
    f_star: float | None = None

    def __post_init__(self) -> None:
        """Make ``value``, ``grad`` and ``hessian`` reject points of the wrong dimension."""
        for name in ("value", "grad", "hessian"):
            fn = getattr(self, name)
            if not getattr(fn, "checks_dimension", False):
                object.__setattr__(self, name, _dimension_checked(fn, self.dim, self.name))


def _dimension_checked(
    fn: Callable[[Array], Array], dim: int, problem: str
) -> Callable[[Array], Array]:
    """``fn`` behind a check that its argument has shape ``(..., dim)``."""

    def checked(x: Array) -> Array:
        shape = np.shape(x)
        if not shape or shape[-1] != dim:
            raise DimensionError(
                f"x must have shape (..., {dim}): {problem} has dimension d = {dim}; "
                f"got shape {shape}",
                expected=dim,
            )
        return fn(x)

    checked.checks_dimension = True  # type: ignore[attr-defined]
    return checked


@dataclass(frozen=True)
class Quadratic(Problem):
    r""":math:`f(x) = \tfrac12(x-x^\star)^\top A(x-x^\star)` with :math:`A = Q \Lambda Q^\top`."""

    matrix: Array = field(default_factory=lambda: np.eye(1))  # A
    eigenvalues: Array = field(default_factory=lambda: np.ones(1))  # lambda_i, ascending
    eigenvectors: Array = field(default_factory=lambda: np.eye(1))  # Q, columns

    @property
    def condition_number(self) -> float:
        r""":math:`\kappa = L / \mu` (infinite if the smallest eigenvalue is 0)."""
        low, high = float(self.eigenvalues[0]), float(self.eigenvalues[-1])
        return np.inf if low == 0 else high / low

    def to_eigenbasis(self, x: ArrayLike) -> Array:
        r"""Coordinates :math:`Q^\top (x - x^\star)` along the eigenvectors."""
        assert self.x_star is not None
        return vecmat(np.asarray(x, dtype=np.float64) - self.x_star, self.eigenvectors)


def vecmat(x: ArrayLike, matrix: ArrayLike) -> Array:
    r""":math:`x^\top M` for a stack of vectors ``x`` (shape ``(..., d)``), without BLAS.

    Every product is one correctly rounded multiplication and the sum runs over the
    rows of ``M`` in order, so the result is the same bits on every CPU and under every
    OpenBLAS kernel (``x @ M`` calls BLAS, whose kernels round differently: a chaotic
    run, or one that multiplies its rounding errors by :math:`10^{16}`, would then end
    elsewhere on each machine). For the small problems of the book it is as fast.
    """
    v = np.asarray(x, dtype=np.float64)
    m = np.asarray(matrix, dtype=np.float64)
    return np.asarray(np.add.reduce(v[..., :, None] * m, axis=-2), dtype=np.float64)


def orthonormal_columns(matrix: ArrayLike) -> Array:
    r"""The orthonormal :math:`Q` of :math:`M = QR` (diagonal of :math:`R` positive), without BLAS.

    Gram–Schmidt, each column orthogonalised twice against the previous ones (enough for
    orthogonality to round-off), with the products and sums of :func:`vecmat`: the same
    bits on every machine, unlike LAPACK's ``np.linalg.qr``.
    """
    m = check_finite_array("matrix", matrix, min_ndim=2)
    if m.ndim != 2 or m.shape[0] < m.shape[1]:
        raise ValueError(f"matrix must be n x k with n >= k; got shape {m.shape}")
    q = np.zeros_like(m)
    for j in range(m.shape[1]):
        col = m[:, j].copy()
        for _ in range(2):
            col = col - vecmat(vecmat(col, q[:, :j]), q[:, :j].T)
        norm = float(np.sqrt(np.add.reduce(col * col)))
        if norm <= 1e-12 * float(np.sqrt(np.add.reduce(m[:, j] * m[:, j]))):
            raise ValueError(f"matrix must have independent columns; column {j} is dependent")
        q[:, j] = col / norm
    return q


def rotation_2d(angle: float) -> Array:
    """The 2 x 2 rotation by ``angle`` radians."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _quadratic(
    name: str,
    a: Array,
    value: Callable[[Array], Array],
    grad: Callable[[Array], Array],
    x_star: Array,
    f_star: float,
    eig: tuple[Array, Array] | None = None,
) -> Quadratic:
    """A :class:`Quadratic` with Hessian ``a`` (eigen-decomposed unless ``eig`` is given)."""
    d = a.shape[0]

    def hessian(x: Array) -> Array:
        return np.broadcast_to(a, (*np.shape(x)[:-1], d, d)).copy()

    lam, q = np.linalg.eigh(a) if eig is None else eig
    return Quadratic(name, d, value, grad, hessian, x_star, f_star, a, lam, q)


def quadratic(
    eigenvalues: ArrayLike,
    *,
    angle: float = 0.0,
    rotation: ArrayLike | None = None,
    x_star: ArrayLike | None = None,
) -> Quadratic:
    r"""The quadratic with Hessian :math:`Q\,\mathrm{diag}(\lambda)\,Q^\top`, minimum at ``x_star``.

    ``rotation`` is an orthogonal ``Q`` (its columns are the eigenvectors); in 2-D
    ``angle`` gives the rotation instead. Eigenvalues must be >= 0 (convex).
    """
    lam = check_finite_array("eigenvalues", eigenvalues)
    if lam.ndim != 1:
        raise ValueError(f"eigenvalues must be a 1-D array; got shape {lam.shape}")
    check_range("eigenvalues", lam, 0.0)
    d = lam.size
    if rotation is None:
        if angle != 0.0 and d != 2:
            raise ValueError(f"angle is for 2-D problems; got {d} eigenvalues")
        q = rotation_2d(angle) if d == 2 else np.eye(d)
    else:
        q = check_finite_array("rotation", rotation, min_ndim=2)
        if q.shape != (d, d) or not np.allclose(q.T @ q, np.eye(d), atol=1e-10):
            raise ValueError(f"rotation must be an orthogonal {d} x {d} matrix")
    order = np.argsort(lam)
    lam, q = lam[order], q[:, order]
    a = vecmat(q * lam, q.T)  # Q diag(lam) Q^T, the same bits everywhere
    a = (a + a.T) / 2
    centre = np.zeros(d) if x_star is None else check_finite_array("x_star", x_star)
    if centre.shape != (d,):
        raise ValueError(f"x_star must have shape ({d},); got {centre.shape}")

    def value(x: Array) -> Array:
        e = np.asarray(x) - centre
        return np.asarray(0.5 * np.add.reduce(e * vecmat(e, a), axis=-1), dtype=np.float64)

    def grad(x: Array) -> Array:
        return vecmat(np.asarray(x) - centre, a)  # A is symmetric

    name = f"quadratic (kappa={lam[-1] / lam[0]:g})" if lam[0] > 0 else "quadratic"
    return _quadratic(name, a, value, grad, centre, 0.0, (lam, q))


def quadratic_from_matrix(
    matrix: ArrayLike, linear: ArrayLike, constant: float = 0.0, *, name: str = "quadratic"
) -> Quadratic:
    r"""The quadratic :math:`\tfrac12 x^\top A x - b^\top x + c` of a positive definite :math:`A`.

    Its minimiser is :math:`x^\star = A^{-1} b`. The gradient :math:`Ax - b` is computed
    from ``matrix`` as given, so zeros of a sparse :math:`A` stay exact zeros (a method
    started at 0 on a tridiagonal problem keeps zeros past the coordinates it has
    reached).
    """
    a = check_finite_array("matrix", matrix, min_ndim=2)
    b = check_finite_array("linear", linear)
    if a.ndim != 2 or a.shape != (b.size, b.size) or not np.allclose(a, a.T):
        raise ValueError(f"matrix must be symmetric d x d and linear of shape (d,); got {a.shape}")

    def value(x: Array) -> Array:
        x = np.asarray(x, dtype=np.float64)
        quad = 0.5 * np.add.reduce(x * vecmat(x, a), axis=-1)
        return np.asarray(quad - np.add.reduce(x * b, axis=-1) + constant, dtype=np.float64)

    def grad(x: Array) -> Array:
        return np.asarray(vecmat(x, a) - b, dtype=np.float64)

    x_star = np.asarray(np.linalg.solve(a, b), dtype=np.float64)
    return _quadratic(name, a, value, grad, x_star, float(value(x_star)))


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Problem:
    r"""Rosenbrock's valley :math:`f = (a - x)^2 + b\,(y - x^2)^2`, minimum at :math:`(a, a^2)`."""
    check_range("a", a)
    check_range("b", b, 0.0, low_open=True)

    def value(p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        r = y - x**2
        return np.stack([-2 * (a - x) - 4 * b * x * r, 2 * b * r], axis=-1)

    def hessian(p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        hxx = 2 - 4 * b * (y - x**2) + 8 * b * x**2
        hxy = -4 * b * x
        hyy = np.full_like(x, 2 * b)
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    return Problem("Rosenbrock", 2, value, grad, hessian, np.array([a, a * a]), 0.0)


_BEALE_C = (1.5, 2.25, 2.625)


def beale() -> Problem:
    r"""Beale's function :math:`\sum_{i=1}^3 (c_i - x + x y^i)^2`, minimum 0 at :math:`(3, 1/2)`."""

    def terms(p: Array) -> tuple[Array, Array, list[Array]]:
        x, y = p[..., 0], p[..., 1]
        return x, y, [c - x + x * y ** (i + 1) for i, c in enumerate(_BEALE_C)]

    def value(p: Array) -> Array:
        _, _, r = terms(p)
        return np.asarray(sum(ri**2 for ri in r), dtype=np.float64)

    def grad(p: Array) -> Array:
        x, y, r = terms(p)
        gx = sum(2 * ri * (y ** (i + 1) - 1) for i, ri in enumerate(r))
        gy = sum(2 * ri * (i + 1) * x * y**i for i, ri in enumerate(r))
        return np.stack([gx, gy], axis=-1)

    def hessian(p: Array) -> Array:
        x, y, r = terms(p)
        hxx = sum(2 * (y ** (i + 1) - 1) ** 2 for i in range(3))
        hxy = sum(2 * (i + 1) * y**i * (x * (y ** (i + 1) - 1) + ri) for i, ri in enumerate(r))
        hyy = sum(
            2 * ((i + 1) * x * y**i) ** 2 + 2 * ri * (i + 1) * i * x * y ** max(i - 1, 0)
            for i, ri in enumerate(r)
        )
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    return Problem("Beale", 2, value, grad, hessian, np.array([3.0, 0.5]), 0.0)


def saddle() -> Problem:
    r"""A saddle at the origin between two minima.

    :math:`f = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4`. The Hessian at the origin is
    :math:`\mathrm{diag}(1, -1)`; the minima are :math:`(0, \pm 1)` with value
    :math:`-1/4`. Gradient descent started on the line :math:`y = 0` converges to the
    saddle; started just off it, it lingers near the saddle before escaping.
    ``x_star`` is ``None`` (two minimisers).
    """

    def value(p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4

    def grad(p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return np.stack([x, y**3 - y], axis=-1)

    def hessian(p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        zero = np.zeros_like(x)
        return np.stack(
            [np.stack([np.ones_like(x), zero], -1), np.stack([zero, 3 * y**2 - 1], -1)], -2
        )

    return Problem("saddle", 2, value, grad, hessian, None, -0.25)


def noisy(problem: Problem, sigma: float, rng: np.random.Generator) -> Problem:
    r"""``problem`` with gradients :math:`\nabla f(x) + \sigma \xi`, :math:`\xi \sim N(0, I)`.

    The noise is drawn from the caller's ``rng`` (``np.random.default_rng(seed)``),
    so runs are reproducible; ``value`` and ``hessian`` stay exact.
    """
    check_range("sigma", sigma, 0.0)
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy Generator: np.random.default_rng(seed)")

    def grad(x: Array) -> Array:
        g = problem.grad(x)
        return g + sigma * rng.standard_normal(np.shape(g))

    return Problem(
        f"{problem.name} + noise (sigma={sigma:g})",
        problem.dim,
        problem.value,
        grad,
        problem.hessian,
        problem.x_star,
        problem.f_star,
    )


def _sigmoid(z: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for large |z|


def logistic_data(
    num_samples: int = 200, dim: int = 2, *, seed: int = 0, separation: float = 1.0
) -> tuple[Array, Array]:
    r"""Two Gaussian classes in ``dim`` dimensions; labels in {-1, +1}.

    Class means are :math:`\\pm` ``separation`` times a fixed unit vector; the
    features are stretched unevenly so that the loss is ill-conditioned.
    """
    if num_samples < 2 or dim < 1:
        raise ValueError("num_samples must be >= 2 and dim >= 1")
    rng = np.random.default_rng(seed)
    labels = np.where(np.arange(num_samples) % 2 == 0, 1.0, -1.0)
    direction = np.ones(dim) / np.sqrt(dim)
    stretch = np.geomspace(1.0, 5.0, dim)  # uneven feature scales
    features = labels[:, None] * separation * direction + rng.standard_normal((num_samples, dim))
    return features * stretch, labels


def sparse_logistic_data(
    num_samples: int = 400,
    frequencies: ArrayLike = (1.0, 0.3, 0.1, 0.05, 0.02),
    *,
    seed: int = 0,
    weight: float = 2.0,
) -> tuple[Array, Array]:
    r"""Binary features, feature :math:`j` present with probability ``frequencies[j]``.

    The labels :math:`\pm 1` follow the logistic model: :math:`P(y = 1 \mid a) =
    \sigma(w^\top a)` with true weights :math:`\pm` ``weight``, alternating in sign. A
    frequency of 1 is an intercept; a rare feature enters few samples, so its part of
    the full gradient is small: the sparse features of text or of recommendations.
    """
    if num_samples < 2:
        raise ValueError(f"num_samples must be >= 2; got {num_samples}")
    freq = check_finite_array("frequencies", frequencies)
    if freq.ndim != 1 or freq.size < 1:
        raise ValueError(f"frequencies must be a non-empty 1-D array; got shape {freq.shape}")
    check_range("frequencies", freq, 0.0, 1.0, low_open=True)
    rng = np.random.default_rng(seed)
    features = (rng.random((num_samples, freq.size)) < freq).astype(np.float64)
    w_true = weight * (-1.0) ** np.arange(freq.size)
    chance = _sigmoid(vecmat(features, w_true[:, None])[:, 0])  # BLAS-free features @ w_true
    labels = np.where(rng.random(num_samples) < chance, 1.0, -1.0)
    return features, labels


def logistic_regression(features: ArrayLike, labels: ArrayLike, *, l2: float = 1e-2) -> Problem:
    r"""Mean logistic loss with an L2 penalty.

    :math:`f(w) = \frac1n\sum_i \log(1 + e^{-y_i w^\top a_i}) + \frac{\ell_2}{2}\|w\|^2`.
    ``features`` has shape ``(n, d)``, ``labels`` entries :math:`\pm 1`. With
    ``l2 > 0`` the loss is strongly convex; ``x_star`` is found by Newton's method.
    """
    a = check_finite_array("features", features, min_ndim=2)
    y = check_finite_array("labels", labels)
    if a.ndim != 2 or y.shape != (a.shape[0],):
        raise ValueError(f"features must be (n, d) and labels (n,); got {a.shape}, {y.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError("labels must be -1 or +1")
    reg = float(check_range("l2", l2, 0.0))
    n, d = a.shape

    def margins(w: Array) -> Array:
        return y * vecmat(w, a.T)  # (..., n), BLAS-free

    def value(w: Array) -> Array:
        m = margins(w)
        penalty = 0.5 * reg * np.sum(np.asarray(w) ** 2, axis=-1)
        return np.asarray(np.mean(np.logaddexp(0.0, -m), axis=-1) + penalty, dtype=np.float64)

    def grad(w: Array) -> Array:
        s = _sigmoid(-margins(w))  # (..., n)
        return np.asarray(-vecmat(s * y, a) / n + reg * np.asarray(w), dtype=np.float64)

    def hessian(w: Array) -> Array:
        p = _sigmoid(margins(w))
        weights = p * (1 - p) / n  # (..., n)
        h = np.einsum("...n,ni,nj->...ij", weights, a, a)
        return np.asarray(h + reg * np.eye(d), dtype=np.float64)

    w_star = _newton_minimiser(grad, hessian, d) if reg > 0 else None
    f_star = None if w_star is None else float(value(w_star))
    return Problem("logistic regression", d, value, grad, hessian, w_star, f_star)


def _newton_minimiser(
    grad: Callable[[Array], Array], hessian: Callable[[Array], Array], dim: int
) -> Array:
    """Newton's method from 0 until the step is below 1e-15 (at most 100 steps)."""
    w = np.zeros(dim)
    for _ in range(100):
        delta = np.linalg.solve(hessian(w), grad(w))
        w = w - delta
        if np.max(np.abs(delta)) < 1e-15:
            break
    return w


def convex_rosenbrock(n: int, kappa: float) -> Quadratic:
    r"""Nesterov's worst-case quadratic.

    :math:`f = \tfrac12(w_1-1)^2 + \tfrac12\sum_{i<n}(w_i - w_{i+1})^2 +
    \tfrac{2}{\kappa-1}\|w\|^2`. Its Hessian is tridiagonal with eigenvalues inside
    :math:`(\tfrac{4}{\kappa-1}, \tfrac{4\kappa}{\kappa-1})`, so its condition number is
    below :math:`\kappa` and tends to :math:`\kappa` as :math:`n \to \infty`; the
    minimiser tends to :math:`w^\star_i = r^i`,
    :math:`r = (\sqrt\kappa-1)/(\sqrt\kappa+1)`. The gradient :math:`Hw - e_1` is
    computed with the exactly tridiagonal matrix, so a method started at 0 keeps exact
    zeros past the coordinates it has reached. ``value`` is :math:`f` itself (``f_star``
    its minimum); ``matrix``, ``eigenvalues`` and ``eigenvectors`` describe :math:`H`.

    References: Nesterov (2004, sec. 2.1.4, Thm. 2.1.13), scaled as by Goh (2017,
    "The Limits of Descent"; Nesterov's function is this one times
    :math:`\mu(\kappa-1)/4`, plus a constant).
    """
    n = check_count("n", n, 2)
    kk = float(check_range("kappa", kappa, 1.0, low_open=True))
    shift = 4.0 / (kk - 1.0)  # Hessian of (2/(kappa-1)) ||w||^2
    diagonal = np.full(n, 2.0 + shift)
    diagonal[-1] = 1.0 + shift  # w_n has one neighbour only
    hessian = np.diag(diagonal) - np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1)
    e_1 = np.zeros(n)
    e_1[0] = 1.0  # the linear term -w_1 of (w_1 - 1)^2 / 2
    name = f"convex Rosenbrock (n={n}, kappa={kk:g})"
    return quadratic_from_matrix(hessian, e_1, 0.5, name=name)


def lessard_problem() -> Problem:
    r"""A 1-D strongly convex function (:math:`\mu = 1, L = 25`) on which tuned heavy ball cycles.

    :math:`f'(x) = 25x` for :math:`x < 1`, :math:`x + 24` for :math:`1 \le x < 2`,
    :math:`25x - 24` for :math:`x \ge 2`; :math:`f` is the continuous
    antiderivative with :math:`f(0) = 0`. With the quadratic-optimal
    :math:`\alpha = 1/9,\ \beta = 4/9` and :math:`x_{-1} = x_0 = 3.3` (our
    :math:`b_0 = 0`) the iterates settle on a 3-cycle instead of converging.

    References: Lessard, Recht & Packard (2016, sec. 4.6).
    """

    def value(x: Array) -> Array:
        u = np.asarray(x)[..., 0]
        return np.asarray(
            np.where(
                u < 1,
                12.5 * u**2,
                np.where(u < 2, 0.5 * u**2 + 24 * u - 12, 12.5 * u**2 - 24 * u + 36),
            ),
            dtype=np.float64,
        )

    def grad(x: Array) -> Array:
        u = np.asarray(x)
        return np.asarray(
            np.where(u < 1, 25 * u, np.where(u < 2, u + 24, 25 * u - 24)), dtype=np.float64
        )

    def hessian(x: Array) -> Array:
        u = np.asarray(x)
        return np.asarray(np.where((u >= 1) & (u < 2), 1.0, 25.0)[..., None], dtype=np.float64)

    return Problem("Lessard et al. counterexample", 1, value, grad, hessian, np.zeros(1), 0.0)
