r"""The book's running examples and their settings, each defined once.

Chapters, figures and tests read them from here, so that a setting the text cites
(the valley's condition number, the start, the noise level) has one home. Each is
printed in the chapter where it first appears:

* :data:`VALLEY`, the narrow tilted valley of *The gradient-descent problem* and
  *Momentum*: :math:`f = \tfrac12 x^\top A x` with eigenvalues :math:`1/\kappa` and 1;
* :data:`HERO`, the valley of the landing page, where gradient descent, momentum and
  Adam race;
* :data:`NOISE_SIGMA`, the size of the gradient noise in every noisy experiment;
* :data:`TORCH_FIXTURE`, the quadratic on which the ``torch.optim`` reference
  trajectories were recorded (``tests/reference/make_torch_reference.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gdbook.checks import check_range
from gdbook.problems import Quadratic, quadratic
from gdbook.types import Array


@dataclass(frozen=True)
class Valley:
    r"""A narrow valley: curvature 1 across it, :math:`1/\kappa` along its floor."""

    kappa: float  # condition number L / mu, with L = 1
    angle: float  # tilt of the floor from the x1 axis, radians
    start: Array = field(repr=False)  # where the runs start: far down the floor, up a wall
    levels: Array = field(repr=False)  # f values of the level sets the figures draw

    def problem(self, kappa: float | None = None) -> Quadratic:
        r"""The quadratic with eigenvalues :math:`1/\kappa` and 1, minimum at the origin.

        The steep curvature is fixed at :math:`L = 1`, so the stable learning rates are
        :math:`0 < \eta < 2` whatever :math:`\kappa`; ``kappa`` overrides the example's.
        """
        kk = self.kappa if kappa is None else float(check_range("kappa", kappa, 1.0))
        return quadratic([1.0 / kk, 1.0], angle=self.angle)


VALLEY = Valley(
    kappa=10.0,
    angle=np.pi / 9,  # 20 degrees: the valley's axes are not the coordinate axes
    start=np.array([-3.5, 0.5]),
    levels=0.03 * 2.0 ** np.arange(8.0),
)
r"""The valley of chapters 1 and 2 (:math:`\kappa = 10`, tilted 20 degrees)."""


@dataclass(frozen=True)
class Hero:
    """The landing page's race: one valley, three methods, each tuned to show its character."""

    kappa: float  # eigenvalues 1 and kappa
    angle: float  # the flat direction points this far below the x1 axis, radians
    start: Array = field(repr=False)
    num_steps: int = 200  # updates in every run
    path_steps: int = 60  # updates drawn in the path panels
    tol: float = 1e-6  # f(x_k) - f* at which a method has arrived
    beta: float = 0.8  # the heavy ball's momentum
    rates: dict[str, float] = field(default_factory=dict)  # gd, momentum: units of 1/L

    def problem(self, kappa: float | None = None) -> Quadratic:
        r"""The quadratic with eigenvalues 1 and :math:`\kappa`, turned by :attr:`angle`."""
        return quadratic([1.0, self.kappa if kappa is None else kappa], angle=self.angle)

    def learning_rates(self, kappa: float | None = None, scale: float = 1.0) -> dict[str, float]:
        """The three learning rates at ``scale``; those of GD and momentum are divided by L."""
        big_l = self.kappa if kappa is None else kappa
        return {
            name: scale * rate / (1.0 if name == "adam" else big_l)
            for name, rate in self.rates.items()
        }


HERO = Hero(
    kappa=50.0,
    angle=-np.pi * 25 / 180,
    start=np.array([-2.0, 0.6]),
    rates={"gd": 1.9, "momentum": 1.0, "adam": 0.1},
)
"""GD near its largest sensible step (1.9/L), momentum at 1/L with beta 0.8, Adam at 0.1."""

NOISE_SIGMA = 0.5
r"""Standard deviation :math:`\sigma` of the gradient noise, :math:`\nabla f(x) + \sigma\xi`."""


@dataclass(frozen=True)
class TorchFixture:
    r"""The quadratic :math:`\tfrac12 x^\top A x - b^\top x` of the torch reference runs."""

    eigenvalues: tuple[float, float]
    angle: float  # rotation of the eigenvectors, radians
    linear: Array = field(repr=False)  # b
    start: Array = field(repr=False)

    def problem(self) -> Quadratic:
        r"""The fixture's quadratic; its minimum is :math:`A^{-1} b`."""
        shape = quadratic(self.eigenvalues, angle=self.angle)
        x_star = np.linalg.solve(shape.matrix, self.linear)
        return quadratic(self.eigenvalues, angle=self.angle, x_star=x_star)


TORCH_FIXTURE = TorchFixture(
    eigenvalues=(1.0, 20.0),
    angle=np.pi / 6,
    linear=np.array([1.0, -2.0]),
    start=np.array([-1.5, 1.5]),
)
"""Eigenvalues 1 and 20 turned by 30 degrees, :math:`b = (1, -2)`, start :math:`(-1.5, 1.5)`."""
