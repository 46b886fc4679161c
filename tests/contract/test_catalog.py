"""The catalog lists every named optimizer of the package, once, with true facts about it.

Completeness is found by scanning the package, not by a list kept here: every public
function of a ``gdbook`` module whose return annotation is ``Optimizer`` and that is
not a building block (``@block``) must be a catalog entry. The family tree's
compositions are checked against chains of blocks written out by hand.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import gdbook
import numpy as np
import pytest
from gdbook import adam as adam_module
from gdbook import adaptive
from gdbook.base import add_decayed_weights, chain, run, scale_by_learning_rate
from gdbook.catalog import CATALOG, Method, family
from gdbook.momentum import ema, trace
from gdbook.nesterov import nesterov_trace
from gdbook.physics import dry_friction, turbulent_drag, viscous_drag
from gdbook.plotting import METHOD_COLORS, PALETTE
from gdbook.problems import quadratic

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(gdbook.__file__).parent
NOT_NAMED = {
    "from_torch",  # torch's classes, built from the same blocks (conventions)
    "chain",  # combinators: optimizers in, an optimizer out
    "rename_hyperparams",
}


def _optimizer_factories() -> set[tuple[str, str]]:
    """(module, name) of every public top-level function annotated ``-> Optimizer``."""
    found = set()
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="gdbook."):
        path = PACKAGE.joinpath(*info.name.split(".")[1:]).with_suffix(".py")
        if not path.exists():
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if node.returns is None or ast.unparse(node.returns) != "Optimizer":
                continue
            module = importlib.import_module(info.name)
            if getattr(getattr(module, node.name), "is_block", False) or node.name in NOT_NAMED:
                continue
            found.add((info.name, node.name))
    return found


def test_every_optimizer_factory_of_the_package_is_in_the_catalog() -> None:
    listed = {(m.factory.__module__, m.factory.__name__) for m in CATALOG.values()}
    found = _optimizer_factories()
    assert found, "the scan found no factory: it is broken"
    assert found - listed == set(), f"factories missing from gdbook.catalog: {found - listed}"
    assert listed - found == set(), f"catalog entries that are no factory: {listed - found}"


@pytest.mark.parametrize("method", CATALOG.values(), ids=list(CATALOG))
def test_entry_is_named_after_its_factory_and_chapter(method: Method) -> None:
    assert method.key == method.factory.__name__
    assert method.factory.__module__ == f"gdbook.{method.chapter}", (
        f"{method.key}: the factory of a chapter {method.chapter!r} method lives in "
        f"gdbook.{method.chapter}"
    )


@pytest.mark.parametrize("method", CATALOG.values(), ids=list(CATALOG))
def test_reference_is_in_the_bibliography_with_the_cited_author_and_year(method: Method) -> None:
    entries = {
        m[1]: m[2]
        for m in re.finditer(
            r"@\w+\{([^,]+),(.*?)\n\}", (ROOT / "references.bib").read_text(encoding="utf-8"), re.S
        )
    }
    assert method.reference in entries, f"{method.reference} is not in references.bib"
    entry = re.sub(r"\s+", " ", entries[method.reference])
    assert f"year = {{{method.year}}}" in entry, (method.citation, method.reference)
    first_author = method.citation.split()[0]
    assert first_author in entry, (method.citation, method.reference)


def test_parents_exist_are_older_and_the_tree_has_one_root() -> None:
    for method in CATALOG.values():
        for parent in method.parents:
            assert parent in CATALOG, (method.key, parent)
            assert CATALOG[parent].year <= method.year, (parent, method.key)
    roots = [m.key for m in family() if not m.parents]
    assert roots == ["gradient_descent"]


def test_a_rewritten_form_shares_the_colour_of_the_method_it_rewrites() -> None:
    for method in CATALOG.values():
        if method.form_of is not None:
            assert method.form_of in CATALOG and CATALOG[method.form_of].form_of is None
            assert method.colour == CATALOG[method.form_of].colour, method.key


def test_every_family_member_has_its_own_colour() -> None:
    colours = [m.colour for m in family()]
    assert len(set(colours)) == len(colours), colours
    assert set(colours) <= set(PALETTE)
    assert METHOD_COLORS["adam"] == PALETTE[CATALOG["adam"].colour]


HYPER = {"eta": 0.05, "beta": 0.9, "b1": 0.9, "b2": 0.99, "eps": 1e-3, "decay": 0.9}
eta, beta, b1, b2, eps, decay = HYPER.values()
COMPOSED = {
    "gradient_descent": scale_by_learning_rate(eta),
    "momentum": chain(trace(beta), scale_by_learning_rate(eta)),
    "sutskever_momentum": chain(scale_by_learning_rate(eta), trace(beta)),
    "ema_momentum": chain(ema(beta), scale_by_learning_rate(eta)),
    "viscous_momentum": chain(scale_by_learning_rate(eta), viscous_drag(beta)),
    "turbulent_momentum": chain(scale_by_learning_rate(eta), turbulent_drag(2.0)),
    "dry_friction_momentum": chain(scale_by_learning_rate(eta), dry_friction(0.01)),
    "nesterov": chain(nesterov_trace(beta), scale_by_learning_rate(eta)),
    "bengio_nesterov": chain(scale_by_learning_rate(eta), nesterov_trace(beta, next_beta=True)),
    "adagrad": chain(adaptive.scale_by_adagrad(eps), scale_by_learning_rate(eta)),
    "rmsprop": chain(adaptive.scale_by_rms(decay, eps), scale_by_learning_rate(eta)),
    "adadelta": chain(adaptive.scale_by_adadelta(decay, eps), scale_by_learning_rate(eta)),
    "adam": chain(adam_module.scale_by_adam(b1, b2, eps), scale_by_learning_rate(eta)),
    "adamax": chain(adam_module.scale_by_adamax(b1, b2, eps), scale_by_learning_rate(eta)),
    "nadam": chain(adam_module.scale_by_nadam(b1, b2, eps), scale_by_learning_rate(eta)),
    "amsgrad": chain(adam_module.scale_by_amsgrad(b1, b2, eps), scale_by_learning_rate(eta)),
    "adamw": chain(
        adam_module.scale_by_adam(b1, b2, eps),
        add_decayed_weights(0.01),
        scale_by_learning_rate(eta),
    ),
    "radam": chain(adam_module.scale_by_radam(b1, b2, eps), scale_by_learning_rate(eta)),
}
ARGS = {
    "gradient_descent": {"learning_rate": eta},
    "momentum": {"learning_rate": eta, "beta": beta},
    "sutskever_momentum": {"learning_rate": eta, "beta": beta},
    "ema_momentum": {"learning_rate": eta, "beta": beta},
    "viscous_momentum": {"learning_rate": eta, "beta": beta},
    "turbulent_momentum": {"learning_rate": eta, "drag": 2.0},
    "dry_friction_momentum": {"learning_rate": eta, "friction": 0.01},
    "nesterov": {"learning_rate": eta, "beta": beta},
    "bengio_nesterov": {"learning_rate": eta, "beta": beta},
    "adagrad": {"learning_rate": eta, "eps": eps},
    "rmsprop": {"learning_rate": eta, "decay": decay, "eps": eps},
    "adadelta": {"learning_rate": eta, "rho": decay, "eps": eps},
    "adamw": {"learning_rate": eta, "b1": b1, "b2": b2, "eps": eps, "weight_decay": 0.01},
}
ADAM_ARGS = {"learning_rate": eta, "b1": b1, "b2": b2, "eps": eps}


def test_the_hand_written_compositions_cover_the_catalog() -> None:
    assert set(COMPOSED) == set(CATALOG)


@pytest.mark.parametrize("key", sorted(COMPOSED))
def test_each_factory_is_the_chain_of_the_blocks_it_names(key: str) -> None:
    """The blocks the family tree prints are the factory's, and chaining them by hand
    gives the same iterates, bit for bit (on a rotated quadratic, 40 steps)."""
    named = CATALOG[key].build(**ARGS.get(key, ADAM_ARGS))
    composed = COMPOSED[key]
    assert named.blocks == composed.blocks
    assert "scale_by_learning_rate" in named.blocks
    problem = quadratic([1.0, 10.0], angle=0.4, x_star=[0.5, 0.0])
    x0 = np.array([1.0, -2.0])
    ours = run(composed, problem.grad, x0, 40).params
    theirs = run(named, problem.grad, x0, 40).params
    np.testing.assert_array_equal(ours, theirs)
    assert np.all(np.isfinite(ours))


def test_the_family_figure_draws_every_member_with_its_blocks() -> None:
    from gdbook.viz import intro as viz

    assert set(viz.POSITIONS) == {m.key for m in family()}
    assert len(set(viz.POSITIONS.values())) == len(viz.POSITIONS)  # no two boxes on one spot
    assert viz.blocks_text("adamw") == "scale_by_adam → +λx → −η"
    assert viz.blocks_text("nesterov") == "nesterov_trace → −η"
