"""Every named optimizer of the book, once: its factory, chapter, reference, parents, colour.

The intro's family tree, the plots' colours, the contract tests and the showdown read
this table; ``tests/contract/test_catalog.py`` scans the package for optimizer
factories, so a new one that is not listed here fails the tests. An entry whose
``form_of`` names another is the same method written another way (the learning rate
inside the buffer, an EMA instead of a sum): it shares that method's colour and is not
a node of the family tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gdbook.adam import adam, adamax, adamw, amsgrad, nadam, radam
from gdbook.adaptive import adadelta, adagrad, rmsprop
from gdbook.base import Optimizer
from gdbook.gradient_descent import gradient_descent
from gdbook.momentum import ema_momentum, momentum, sutskever_momentum
from gdbook.nesterov import bengio_nesterov, nesterov
from gdbook.physics import dry_friction_momentum, turbulent_momentum, viscous_momentum


@dataclass(frozen=True)
class Method:
    """One named optimizer."""

    key: str  # the factory's name in the package
    name: str  # as the text writes it
    factory: Callable[..., Optimizer]
    chapter: str  # the chapter that derives it: chapters/<chapter>.md
    reference: str  # its key in references.bib
    citation: str  # "Author (Year)", as figures print it
    adds: str  # what it adds to its parents, in a few words
    parents: tuple[str, ...] = ()  # keys of the methods it builds on
    colour: str = "black"  # a key of gdbook.plotting.PALETTE
    example: Mapping[str, Any] = field(default_factory=dict)  # arguments without a default
    form_of: str | None = None  # the key of the method this one rewrites
    in_tree: bool = True  # a node of the family tree (False: a variant the book builds to
    # make a point, such as the drag laws of the physics chapter, not a published method)

    @property
    def year(self) -> int:
        """The year of :attr:`citation`."""
        return int(self.citation.rstrip(")")[-4:])

    def build(self, **kwargs: Any) -> Optimizer:
        """The optimizer with :attr:`example`'s arguments, updated by ``kwargs``."""
        return self.factory(**{**self.example, **kwargs})


_LR = {"learning_rate": 0.1}

_METHODS = (
    Method("gradient_descent", "gradient descent", gradient_descent, "gradient_descent",
           "cauchy1847", "Cauchy (1847)", "steps down the gradient",
           colour="vermillion", example=_LR),
    Method("momentum", "momentum", momentum, "momentum", "polyak1964", "Polyak (1964)",
           "remembers past gradients", ("gradient_descent",), "blue", _LR),
    Method("sutskever_momentum", "momentum, rate inside", sutskever_momentum, "momentum",
           "sutskever2013", "Sutskever et al. (2013)", "stores steps, not gradients",
           ("momentum",), "blue", _LR, form_of="momentum"),
    Method("ema_momentum", "momentum, EMA form", ema_momentum, "momentum", "kingma2015",
           "Kingma & Ba (2015)", "averages instead of sums", ("momentum",), "blue", _LR,
           form_of="momentum"),
    Method("viscous_momentum", "momentum, drag after the push", viscous_momentum, "physics",
           "goodfellow2016", "Goodfellow et al. (2016)", "viscous drag acts after the push",
           ("momentum",), "blue", _LR, form_of="momentum"),
    Method("turbulent_momentum", "turbulent drag", turbulent_momentum, "physics",
           "goodfellow2016", "Goodfellow et al. (2016)", "drag ∝ speed²",
           ("momentum",), "forest", {"learning_rate": 0.1, "drag": 1.0}, in_tree=False),
    Method("dry_friction_momentum", "dry friction", dry_friction_momentum, "physics",
           "goodfellow2016", "Goodfellow et al. (2016)", "constant friction",
           ("momentum",), "sand", {"learning_rate": 0.1, "friction": 0.001}, in_tree=False),
    Method("nesterov", "Nesterov", nesterov, "nesterov", "nesterov1983", "Nesterov (1983)",
           "looks ahead", ("momentum",), "green", _LR),
    Method("bengio_nesterov", "Nesterov, Θ form", bengio_nesterov, "nesterov", "bengio2013",
           "Bengio et al. (2013)", "stores the look-ahead point", ("nesterov",), "green", _LR,
           form_of="nesterov"),
    Method("adagrad", "Adagrad", adagrad, "adaptive", "duchi2011", "Duchi et al. (2011)",
           "one rate per coordinate", ("gradient_descent",), "purple"),
    Method("rmsprop", "RMSProp", rmsprop, "adaptive", "tieleman2012",
           "Tieleman & Hinton (2012)", "forgets old gradients", ("adagrad",), "orange"),
    Method("adadelta", "Adadelta", adadelta, "adaptive", "zeiler2012", "Zeiler (2012)",
           "matches the units", ("rmsprop",), "olive"),
    Method("adam", "Adam", adam, "adam", "kingma2015", "Kingma & Ba (2015)",
           "both memories, corrected", ("momentum", "rmsprop"), "black"),
    Method("adamax", "AdaMax", adamax, "adam", "kingma2015", "Kingma & Ba (2015)",
           "the infinity norm", ("adam",), "sky"),
    Method("nadam", "NAdam", nadam, "adam", "dozat2016", "Dozat (2016)",
           "Adam that looks ahead", ("adam", "nesterov"), "teal"),
    Method("amsgrad", "AMSGrad", amsgrad, "adam", "reddi2018", "Reddi et al. (2018)",
           "never lets a step grow", ("adam",), "indigo"),
    Method("adamw", "AdamW", adamw, "adam", "loshchilov2019", "Loshchilov & Hutter (2019)",
           "decouples weight decay", ("adam",), "wine"),
    Method("radam", "RAdam", radam, "adam", "liu2020", "Liu et al. (2020)",
           "rectifies the early steps", ("adam",), "rose"),
)  # fmt: skip

CATALOG: dict[str, Method] = {m.key: m for m in _METHODS}
"""Every named optimizer, by key, oldest first within each chapter."""


def family() -> list[Method]:
    """The nodes of the family tree: the published methods, none that rewrites another."""
    return [m for m in CATALOG.values() if m.form_of is None and m.in_tree]
