r"""The errors of the sources, one record each; every chapter's "Common mistakes" box.

A record says who wrote what, where, what is correct instead, and what in this book
shows it: a test (``tests/chapters/test_momentum.py::test_name``), a derivation
(``gdbook.derivations.momentum.distill_complex_modulus``) or, for a date or an
attribution, the publication's entry in the bibliography (``references.bib::polyak1964``).
:func:`render_box` writes the records of one chapter as the MyST Markdown of its box, and
:func:`common_mistakes` displays it from a notebook cell::

    ```{code-cell} ipython3
    ---
    tags: [remove-input]
    mystnb:
      markdown_format: myst
    ---
    from gdbook.errata import common_mistakes

    common_mistakes("momentum")
    ```

The text fields are MyST: ``$math$``, ``{cite:t}`` and ``{eq}`` references, and
``{glue:text}`` for a number the chapter computes (never a typed one). ``source`` is a key
of ``references.bib``, one of the five source documents (:data:`SEEDS`) or one of
:data:`OTHER_SOURCES`. A record whose chapter has no page yet waits for it; the errata
appendix will list them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: The chapters a record can belong to (the book's plan, ``DESIGN.md``).
CHAPTERS = (
    "gradient_descent",
    "momentum",
    "momentum_limits",
    "physics",
    "nesterov",
    "adaptive",
    "adam",
    "showdown",
    "conventions",
)

#: The five source documents the book mirrors (``shared/seeds``), as the boxes name them.
SEEDS: dict[str, str] = {
    "seed-000": "notes on Sutskever et al. (2013)",
    "seed-001": "a course page on the optimizers",
    "seed-002": "a set of annotated notes on the Deep Learning book",
    "seed-003": "a survey's translation",
    "seed-004": "a tutorial",
}

#: Sources that are neither in the bibliography nor among the seeds.
OTHER_SOURCES: dict[str, str] = {
    "cs231n-notes": "cs231n notes",
    "cs231n-derived-notes": "a snippet that circulates in notes derived from a well-known course",
    "common": "",  # a common belief or slip, with no single source to name
    "pytorch-docs": "the documentation of torch.optim.SGD",
}


@dataclass(frozen=True)
class Erratum:
    """One error of a source, its correction and the evidence in this book."""

    key: str  # a short slug, unique
    source: str  # bib key, seed id (SEEDS) or OTHER_SOURCES key
    where: str  # section, page, line or issue in the source
    claim: str  # what the source says; exact where the box quotes it (MyST)
    correct: str  # the correct statement (MyST)
    evidence: tuple[str, ...]  # tests, derivation functions, bib entries that show it
    chapter: str  # the chapter whose box shows it
    topic: str = ""  # optional grouping: history, notation, stability, memory, noise, ...
    cited_as: str = ""  # how the box names the source, if not by its citation (MyST)
    original: str = ""  # the source's own words, when the claim translates them
    repeated_by: tuple[str, ...] = ()  # other sources (bib keys or seed ids) that copy it


def _erratum(**fields: Any) -> Erratum:
    evidence = fields.pop("evidence")
    return Erratum(evidence=(evidence,) if isinstance(evidence, str) else tuple(evidence), **fields)


_GD = "tests/chapters/test_gradient_descent.py::"
_MOM = "tests/chapters/test_momentum.py::"
_NOISE = "tests/chapters/test_momentum_limits.py::"
_CONV = "tests/chapters/test_conventions_bridge.py::"
_ADA = "tests/chapters/test_adaptive_experiments.py::"
_ADA_CLAIMS = "tests/chapters/test_adaptive_claims.py::"
_PHYS = "tests/chapters/test_physics.py::"
_RACE = "tests/chapters/test_physics_race.py::"
_NAG = "tests/chapters/test_nesterov.py::"
_NAG_RATES = "tests/chapters/test_nesterov_rates.py::"

ERRATA: tuple[Erratum, ...] = (
    # ---------------------------------------------------------------- gradient descent
    _erratum(
        key="distill-loss-missing-half",
        source="goh2017",
        where="'First Steps: Gradient Descent', the decomposition of the loss (distill issue #98)",
        claim=r"$f(w^k)-f^\star=\sum_i(1-\alpha\lambda_i)^{2k}\lambda_i(x_i^0)^2$",
        cited_as=r"Distill's *Why Momentum Really Works*, {cite:t}`goh2017`",
        correct=r"The ½ is missing: since $f-f^\star=\tfrac12\sum_i\lambda_iy_i^2$, that sum "
        r"is {glue:text}`gd_distill_factor:.0f` times the loss; the correct form is "
        r"{eq}`eq-gd-loss`. The rates are unaffected, predicted loss values are not.",
        evidence=(
            _GD + "test_distill_form_is_twice_the_loss",
            _GD + "test_loss_decomposition_has_the_half",
            "gdbook.derivations.gradient_descent.distill_loss_decomposition",
        ),
        chapter="gradient_descent",
        topic="notation",
    ),
    _erratum(
        key="d2l-eigenbasis-without-eta",
        source="zhang2023d2l",
        where="§12.6.3 'Theoretical Analysis', Quadratic Convex Functions",
        claim=r"$z_t=z_{t-1}-\Lambda z_{t-1}$",
        cited_as=r"gradient descent in the eigenbasis, in the momentum section of *Dive into "
        r"Deep Learning*, {cite:t}`zhang2023d2l`",
        correct=r"The learning rate is missing: the step is $z_t=(I-\eta\Lambda)z_{t-1}$, eq. "
        r"{eq}`eq-gd-eigenstep`, and the formula as printed holds only for $\eta=1$.",
        evidence=(
            _GD + "test_gradient_step_in_eigenbasis_keeps_eta",
            "gdbook.derivations.gradient_descent.gradient_step_in_eigenbasis",
        ),
        chapter="gradient_descent",
        topic="notation",
    ),
    _erratum(
        key="smaller-rate-always-safer",
        source="common",
        where="a common belief",
        claim="A smaller learning rate is always safer",
        correct=r"Safer for stability, yes: any $\eta<2/L$ converges. But the flat "
        r"direction's factor $1-\eta\mu$ gets closer to one, so the run gets slower in "
        r"proportion. For $\kappa=$ {glue:text}`gd_kappa`, a tenth of $\eta^\star$ needs "
        r"{glue:text}`gd_steps_tenth` steps to shrink the error by $10^{-6}$ (the setting "
        r"of {numref}`fig-gd-kappa`) instead of {glue:text}`gd_steps_best`; with noisy "
        r"gradients it also lengthens the transient while lowering the floor.",
        evidence=_GD + "test_a_tenth_of_the_best_step_is_ten_times_slower",
        chapter="gradient_descent",
        topic="stability",
    ),
    _erratum(
        key="gradient-points-at-minimum",
        source="common",
        where="a common belief",
        claim="The negative gradient points at the minimum",
        correct=r"Only when all eigenvalues are equal ($\kappa=1$) or the error lies along "
        r"one eigenvector. At the start used throughout this chapter, $-\nabla f$ misses the "
        r"direction to the minimum by {glue:text}`gd_gradient_angle:.0f` degrees. That is "
        r"why even exact line search zig-zags.",
        evidence=_GD + "test_negative_gradient_points_at_the_minimum_only_when_round",
        chapter="gradient_descent",
        topic="geometry",
    ),
    _erratum(
        key="zigzag-rate-too-large",
        source="common",
        where="a common belief",
        claim="The zig-zag means the learning rate is too large",
        correct=r"Oscillation in a steep direction only means $1<\eta\lambda<2$; it still "
        r"converges, and the best fixed step for the whole problem deliberately puts the "
        r"steepest direction in that range.",
        evidence=_GD + "test_steps_between_one_and_two_over_lambda_oscillate_and_converge",
        chapter="gradient_descent",
        topic="stability",
    ),
    _erratum(
        key="d2l-diverge-beyond-one",
        source="zhang2023d2l",
        where="§12.6.3 'Theoretical Analysis', Scalar Functions",
        claim=r"Beyond that [$\eta\lambda = 1$] things diverge and for $\eta \lambda > 2$ "
        r"the optimization problem diverges",
        cited_as=r"the momentum section of {cite:t}`zhang2023d2l`",
        correct=r"Between $\eta\lambda=1$ and $2$ the error flips sign at every step and "
        r"still shrinks, by the factor $|1-\eta\lambda|<1$: nothing diverges below "
        r"$\eta\lambda=2$, {eq}`eq-gd-stable`.",
        evidence=(
            _GD + "test_steps_between_one_and_two_over_lambda_oscillate_and_converge",
            _GD + "test_stability_boundary_is_two_over_L",
        ),
        chapter="gradient_descent",
        topic="stability",
    ),
    # ---------------------------------------------------------------- momentum
    _erratum(
        key="distill-rate-two-sqrt-beta",
        source="goh2017",
        where="'The Dynamics of Momentum': the modulus of the complex roots, repeated in the "
        "caption of the phase diagram",
        claim=r"convergence rate $2\sqrt\beta$",
        cited_as=r"Distill, {cite:t}`goh2017`",
        correct=r"The root formula's factor ½ was dropped; the modulus is $\sqrt\beta$, "
        r"{eq}`eq-modulus`.",
        evidence=(
            _MOM + "test_complex_modulus_is_sqrt_beta_not_two_sqrt_beta",
            "gdbook.derivations.momentum.distill_complex_modulus",
        ),
        chapter="momentum",
        topic="rates",
    ),
    _erratum(
        key="distill-basis-q-not-q-transpose",
        source="goh2017",
        where="'The Dynamics of Momentum', the change of basis (distill issue #107)",
        claim=r"Change basis with $x = Q(w - w^\star)$",
        cited_as="Distill",
        correct=r"With the eigenvectors in the columns of $Q$ it must be "
        r"$Q^\top (w - w^\star)$; with $Q$ the coordinates do not decouple.",
        evidence=_MOM + "test_eigenbasis_uses_q_transpose",
        chapter="momentum",
        topic="notation",
    ),
    _erratum(
        key="d2l-completed-square-sign",
        source="zhang2023d2l",
        where="§12.6.3 'Theoretical Analysis', Quadratic Convex Functions",
        claim=r"$h(x) = \tfrac12 (x - Q^{-1}c)^\top Q (x - Q^{-1}c) + b - \tfrac12 c^\top "
        r"Q^{-1} c$",
        cited_as=r"{cite:t}`zhang2023d2l`, for $h(x) = \tfrac12 x^\top Q x + c^\top x + b$",
        correct=r"The minimiser is $x^\star = -Q^{-1}c$, so the square is completed with "
        r"$x + Q^{-1}c$.",
        evidence=(
            _MOM + "test_completed_square_shifts_by_plus_q_inverse_c",
            "gdbook.derivations.momentum.completed_square",
        ),
        chapter="momentum",
        topic="notation",
    ),
    _erratum(
        key="distill-unrolled-sign",
        source="goh2017",
        where="'The Dynamics of Momentum', the unrolled iterate (content.md F11)",
        claim=r"$w^{k+1} = w^0 + \alpha \sum_i \frac{1-\beta^{k+1-i}}{1-\beta} \nabla f(w^i)$",
        cited_as="Distill",
        correct="The sign is a minus.",
        evidence=(
            _MOM + "test_unrolled_momentum_has_a_minus_sign",
            "gdbook.derivations.momentum.unrolled_momentum",
        ),
        chapter="momentum",
        topic="notation",
    ),
    _erratum(
        key="dlb-velocity-average",
        source="goodfellow2016",
        where="§8.3.2 Momentum",
        claim="The velocity is set to an exponentially decaying average of the negative gradient",
        correct=r"The weights $\beta^k$ sum to $1/(1-\beta)$, not 1: it is a decaying sum, "
        r"which is why at $\beta = 0.9$ it reaches {glue:text}`window_09:.0f` times the "
        r"gradient, {eq}`eq-terminal`.",
        evidence=(
            _MOM + "test_terminal_velocity_is_ten_times_at_beta_09_measured",
            "gdbook.derivations.momentum.terminal_velocity",
        ),
        chapter="momentum",
        topic="memory",
        repeated_by=("seed-002", "seed-003"),
    ),
    _erratum(
        key="d2l-leaky-average",
        source="zhang2023d2l",
        where="§12.6.1 'Basics', Leaky Averages",
        claim=r"replace the gradient computation by a 'leaky average': "
        r"$\mathbf{v}_t = \beta \mathbf{v}_{t-1} + \mathbf{g}_{t, t-1}$",
        cited_as=r"the momentum section of {cite:t}`zhang2023d2l`",
        correct=r"The same slip: the weights of this buffer sum to $1/(1-\beta)$, so it is a "
        r"sum, {eq}`eq-weight-sum`, and its steps are $1/(1-\beta)$ times the gradient's; "
        r"only the EMA form, with its factor $1-\beta$, averages.",
        evidence=(
            _MOM + "test_terminal_velocity_is_ten_times_at_beta_09_measured",
            "gdbook.derivations.momentum.velocity_weight_sum",
        ),
        chapter="momentum",
        topic="memory",
    ),
    _erratum(
        key="dlb-alpha-relative-to-epsilon",
        source="goodfellow2016",
        where="§8.3.2 Momentum, after eq. 8.16",
        claim=r"The larger $\alpha$ is relative to $\epsilon$, the more previous gradients "
        r"affect the current direction",
        correct=r"The learning rate scales every gradient alike: a gradient $k$ steps old "
        r"has $\beta^k$ times the weight of the newest ($\alpha^k$ in that book's letters), "
        r"whatever $\epsilon$ is, {eq}`eq-velocity-sum`.",
        evidence=(
            _MOM + "test_an_old_gradient_weighs_beta_to_its_age_whatever_the_rate",
            "gdbook.derivations.momentum.velocity_sum_formula",
        ),
        chapter="momentum",
        topic="memory",
        repeated_by=("seed-002",),
    ),
    _erratum(
        key="seed-002-second-order",
        source="seed-002",
        where="the opening question and answer on momentum and high curvature",
        claim="Momentum considers not only first-order partial derivatives but also "
        "second-order ones",
        original="动量算法不仅考虑一阶偏导、还考虑了二阶偏导",
        correct=r"Unrolled, $x_{k+1} = x_0 - \eta \sum_i \frac{1-\beta^{k+1-i}}{1-\beta} "
        r"\nabla f(x_i)$: only gradients enter. Momentum is a first-order method.",
        evidence=(
            _MOM + "test_momentum_uses_only_gradients_numerically",
            "gdbook.derivations.momentum.unrolled_momentum",
        ),
        chapter="momentum",
        topic="method",
    ),
    _erratum(
        key="seed-004-polyak-restart",
        source="seed-004",
        where="§2 history: 'Polyak ... proposed a restart momentum method in his 1964 paper'",
        claim="Polyak (1964) proposed a restart momentum method",
        original='最早提出动量思想的是Polyak,他在1964年的论文中提出了"重启动量法"',
        correct=r"Polyak's 1964 paper is the heavy-ball method {eq}`eq-polyak` itself, "
        r"{cite:p}`polyak1964`.",
        evidence=(_MOM + "test_sum_form_is_polyaks_heavy_ball", "references.bib::polyak1964"),
        chapter="momentum",
        topic="history",
    ),
    _erratum(
        key="ruder-momentum-qian",
        source="ruder2016",
        where="§4.1 Momentum, first sentence; its reference [17] is Qian (1999)",
        claim="Momentum [17] is a method that helps accelerate SGD in the relevant direction",
        cited_as=r"{cite:t}`ruder2016`, whose [17] is {cite:t}`qian1999`",
        correct=r"The method is Polyak's, from 1964 {cite:p}`polyak1964`; Qian analysed it in "
        r"1999 {cite:p}`qian1999`, decades later.",
        evidence=("references.bib::polyak1964", "references.bib::qian1999"),
        chapter="momentum",
        topic="history",
    ),
    _erratum(
        key="seed-004-rumelhart-1983",
        source="seed-004",
        where="§2 history",
        claim="In 1983 Rumelhart et al. introduced a momentum term into back-propagation",
        original="1983年,Rumelhart等人在反向传播算法中引入了动量项",
        correct=r"{cite:t}`rumelhart1986` brought momentum to neural networks in 1986.",
        evidence="references.bib::rumelhart1986",
        chapter="momentum",
        topic="history",
    ),
    _erratum(
        key="seed-004-nesterov-1992",
        source="seed-004",
        where="§2 history (its §3.2 says 1983)",
        claim="In 1992 Nesterov proposed NAG",
        original="1992年,Nesterov提出了NAG(Nesterov Accelerated Gradient)",
        correct=r"Nesterov's method dates from 1983, {cite:p}`nesterov1983`, as the "
        r"tutorial's own algorithm section says.",
        evidence="references.bib::nesterov1983",
        chapter="momentum",
        topic="history",
    ),
    _erratum(
        key="cs231n-friction",
        source="cs231n-notes",
        where="Neural Networks Part 3, 'Momentum update'",
        claim="its physical meaning is more consistent with the coefficient of friction",
        correct=r"$\beta$ (their $\mu$) is the fraction of velocity *kept* per step "
        r"($b_k = \beta^k b_0$ without gradient); the friction is $1 - \beta$, and more "
        r"momentum means less friction.",
        evidence=_MOM + "test_beta_is_a_retention_not_a_friction",
        chapter="momentum",
        topic="physics",
    ),
    _erratum(
        key="torch-is-sutskever",
        source="common",
        where="a common belief (the torch documentation itself warns against it)",
        claim="PyTorch's momentum is Sutskever's momentum",
        correct=r"Only while the learning rate is constant: after a change of the rate from "
        r"$\eta_1$ to $\eta_2$ the two iterates differ by $\beta(\eta_2 - \eta_1)g_1$ (appendix "
        r"{doc}`conventions`).",
        evidence=_MOM + "test_forms_differ_under_a_schedule_by_the_derived_amount",
        chapter="momentum",
        topic="conventions",
    ),
    _erratum(
        key="dlb-momentum-for-variance",
        source="goodfellow2016",
        where="§8.3.2, caption of fig. 8.5",
        claim="Momentum aims primarily to solve two problems: poor conditioning of the "
        "Hessian matrix and variance in the stochastic gradient",
        correct=r"The first, yes; the second, hardly. On a quadratic with additive gradient "
        r"noise it has, to first order in its effective step $a = \eta\lambda/(1-\beta)$, the "
        r"noise floor of gradient descent at the effective rate $\eta/(1-\beta)$ (exactly, a "
        r"lower one), {eq}`eq-noise-effective`, and at equal floor its slowest direction "
        r"settles at most about twice as fast (for $a < 1$, which holds there whenever "
        r"gradient descent is stable and $\kappa \ge 2$), {eq}`eq-best-effective`.",
        evidence=(
            _NOISE + "test_momentum_at_eta_has_the_floor_of_gd_at_the_effective_rate_in_the_valley",
            _NOISE + "test_at_equal_floor_momentum_is_faster_but_less_than_twice",
        ),
        chapter="momentum_limits",
        topic="noise",
        repeated_by=("seed-002",),
    ),
    _erratum(
        key="d2l-momentum-for-noisy-sgd",
        source="zhang2023d2l",
        where="§12.6 Summary",
        claim="It is desirable for both noise-free gradient descent and (noisy) stochastic "
        "gradient descent",
        cited_as=r"the summary of the momentum section of {cite:t}`zhang2023d2l`",
        correct=r"The same claim, and the same answer: against noise, momentum buys no more "
        r"than gradient descent with its effective step $\eta/(1-\beta)$ does, to first order "
        r"in that step, {eq}`eq-noise-effective`.",
        evidence=_NOISE + "test_at_equal_floor_momentum_is_faster_but_less_than_twice",
        chapter="momentum_limits",
        topic="noise",
    ),
    _erratum(
        key="ruder-dampens-oscillations",
        source="ruder2016",
        where="§4.1 Momentum, first sentence",
        claim="Momentum [17] is a method that helps accelerate SGD in the relevant direction "
        "and dampens oscillations",
        correct=r"Alternating gradients leave $g/(1+\beta)$ in the buffer against "
        r"$g/(1-\beta)$ for steady ones, {eq}`eq-alternating`, but the ball then swings on "
        r"its own: tuned momentum first "
        r"*widens* the zig-zag across the valley, since the steep end's double root "
        r"$-\rho^\star$ makes its error $(1+(1+\rho^\star)k)(-\rho^\star)^k$, "
        r"{eq}`eq-double-root`, start out larger than gradient descent's "
        r"({glue:text}`swing_hb_1:.2f` against {glue:text}`swing_gd_1:.2f` after one step in "
        r"the valley). The speed-up comes "
        r"from the rate $\sqrt\beta$ of the complex roots, {eq}`eq-modulus`, not from damping.",
        evidence=(
            _MOM + "test_tuned_momentum_first_widens_the_swing_across_the_valley",
            "gdbook.derivations.momentum.critical_damping_error",
        ),
        chapter="momentum",
        topic="method",
        repeated_by=("seed-001",),
    ),
    _erratum(
        key="d2l-large-beta-desirable",
        source="zhang2023d2l",
        where="§12.6.3 'Theoretical Analysis', Scalar Functions",
        claim=r"It also suggests that in general large values of $\beta$ are desirable",
        cited_as=r"the momentum section of {cite:t}`zhang2023d2l`, from the wider stability "
        r"range $0 < \eta\lambda < 2 + 2\beta$",
        correct=r"A wider stable range is not a faster rate. The roots multiply to $\beta$ "
        r"{eq}`eq-charpoly`, so no learning rate converges faster than $\sqrt\beta$; on "
        r"the valley ($\kappa=$ {glue:text}`valley_kappa:.0f`) the best $\beta$ is "
        r"{glue:text}`valley_hb_beta:.2f`, {eq}`eq-optimal`, and a larger one is slower.",
        evidence=(
            _MOM + "test_a_beta_above_the_tuned_one_is_slower_at_every_rate",
            "gdbook.derivations.momentum.optimal_parameters",
        ),
        chapter="momentum",
        topic="tuning",
    ),
    # ---------------------------------------------------------------- momentum_limits
    _erratum(
        key="seed-002-noise-answered-with-saddles",
        source="seed-002",
        where="the question 'why does momentum suit noisy gradients?' and its answer",
        claim="Plain gradient descent can get stuck at flat points, saddle points and local "
        "minima, where the partial derivatives are 0; momentum solves this",
        original="普通的梯度下降法会可能会卡平坦点、鞍点、局部最小点，因此这些地方的偏导数为0。"
        "但动量算法能解决这一问题。",
        correct=r"Half right, and the answer to another question. Momentum does leave a "
        r"saddle faster: its escape factor is the larger root of {eq}`eq-saddle-charpoly`, "
        r"so from $10^{-8}$ it leaves after {glue:text}`saddle_hb_small` steps at "
        r"$\beta = 0.9$ against {glue:text}`saddle_gd_small` for gradient descent. But it "
        r"does not lower the noise floor: to first order in its effective step the floor is "
        r"that of gradient descent at $\eta/(1-\beta)$, {eq}`eq-noise-effective`.",
        evidence=(
            _NOISE + "test_momentum_leaves_the_saddle_faster",
            _NOISE + "test_floor_ratio_is_first_order_in_the_effective_step",
            "gdbook.derivations.momentum_limits.saddle_characteristic_polynomial",
        ),
        chapter="momentum_limits",
        topic="noise",
    ),
    _erratum(
        key="tuned-heavy-ball-is-global",
        source="common",
        where="a common belief",
        claim="The heavy ball tuned for the spectrum of a problem converges on it at the "
        "accelerated rate",
        correct=r"Only near the minimum, where the function is a quadratic to second order "
        r"(Polyak's theorem is local; on logistic regression the local rates hold, "
        r"{numref}`fig-momentum-limits-logistic`). On Lessard et al.'s smooth strongly "
        r"convex function the pair tuned for $[\mu, L] = [1, 25]$ locks into a 3-cycle from "
        r"the starts between {glue:text}`lessard_basin_low:.2f` and "
        r"{glue:text}`lessard_basin_high:.2f`, {numref}`fig-momentum-limits-lessard`, and "
        r"a 2025 theorem {cite:p}`goujaud2025` shows that no choice of the pair avoids both "
        r"fates.",
        evidence=(
            _NOISE + "test_lessard_three_cycle",
            _NOISE + "test_lessard_basin_around_the_start",
            "references.bib::goujaud2025",
        ),
        chapter="momentum_limits",
        topic="tuning",
    ),
    # ---------------------------------------------------------------- physics
    _erratum(
        key="dlb-eulers-method",
        source="goodfellow2016",
        where="§8.3.2 Momentum, the physical analogy",
        claim="A simple numerical method for solving differential equations is Euler's "
        "method, which simply consists of simulating the dynamics defined by the equation by "
        "taking small, finite steps in the direction of each gradient",
        correct=r"The update is *semi-implicit* (symplectic) Euler: the position moves with "
        r"the new velocity, {eq}`eq-si-momentum`, with $\eta = h^2$ and $\beta = 1 - hc$, "
        r"{eq}`eq-dictionary`. Explicit Euler, which the name usually means, is another "
        r"algorithm: without friction it is unstable at every step size, "
        r"$|z| = \sqrt{1 + h^2\omega^2} > 1$, {eq}`eq-explicit-growth`, while semi-implicit "
        r"Euler is stable exactly when $h\omega < 2$, the heavy ball's bound at $\beta = 1$, "
        r"{eq}`eq-si-stability`.",
        evidence=(
            _PHYS + "test_momentum_is_semi_implicit_not_explicit_euler",
            _PHYS + "test_explicit_euler_without_friction_grows_at_every_step",
            "gdbook.derivations.physics.semi_implicit_euler_is_momentum",
        ),
        chapter="physics",
        topic="integrators",
        repeated_by=("seed-002",),
    ),
    _erratum(
        key="seed-002-drag-is-alpha-v",
        source="seed-002",
        where="the note on the forces of momentum, under 'viscous drag'",
        claim=r"viscous drag: $\alpha v$, the force proportional to $-v(t)$",
        original=r"粘性阻力：av，正比于$-v(t)$的力",
        correct=r"$\alpha v$ is what one step of friction *leaves* of the velocity. The drag "
        r"is the force $-cv$, which removes $(1-\alpha)v$ per step: $1 - \alpha = hc$, so "
        r"$c = (1-\alpha)/h = (1-\beta)/\sqrt\eta$, {eq}`eq-dictionary`, and a larger "
        r"$\alpha$ is less friction.",
        evidence=_PHYS + "test_drag_removes_one_minus_beta_per_step",
        chapter="physics",
        topic="physics",
    ),
    _erratum(
        key="seed-002-second-order-in-time",
        source="seed-002",
        where="the opening question and answer on momentum and high curvature",
        claim="Momentum considers not only first-order partial derivatives but also "
        "second-order ones",
        original="动量算法不仅考虑一阶偏导、还考虑了二阶偏导",
        correct=r"The ball's law {eq}`eq-newton` is a second-order differential equation, "
        r"but the second derivative is taken in *time*; the force is $-\nabla f$, and the "
        r"update evaluates gradients only. Two losses whose gradients agree at the points "
        r"visited give the same iterates, however different their second derivatives.",
        evidence=_PHYS + "test_momentum_sees_only_gradients_not_second_derivatives",
        chapter="physics",
        topic="method",
    ),
    _erratum(
        key="seed-003-gamma-one-frictionless",
        source="seed-003",
        where="the momentum section: 'γ ∈ (0, 1] is the momentum coefficient'",
        claim=r"$\gamma \in (0, 1]$",
        original="γ ∈ (0, 1] 为动量系数",
        correct=r"$\gamma = 1$ is the ball without friction, $c = (1-\gamma)/h = 0$: by "
        r"{eq}`eq-dissipation` nothing drains its energy, semi-implicit Euler conserves the "
        r"modified energy {eq}`eq-modified-energy` exactly, and the ball swings for ever. "
        r"After {glue:text}`never_steps` steps from $x_0 = 1$ in the well $\tfrac12x^2$ its "
        r"swings still reach {glue:text}`never_top:.3f`. The heavy ball's rate at $\beta = 1$ "
        r"is 1 on every direction; the library's `momentum` rejects it.",
        evidence=_PHYS + "test_frictionless_ball_never_settles",
        chapter="physics",
        topic="stability",
    ),
    # ---------------------------------------------------------------- nesterov
    _erratum(
        key="seed-004-nag-costs-more",
        source="seed-004",
        where="§3.2 NAG, the last paragraph",
        claim="But its computational cost is also slightly higher than that of classical momentum",
        original="但它的计算开销也略高于经典动量法",
        correct=r"In the form every framework uses, {eq}`eq-nag-theta` or "
        r"{eq}`eq-nag-one-buffer`, Nesterov's method takes one gradient and keeps one buffer "
        r"per step, like the heavy ball: the look-ahead point is stored, not computed twice.",
        evidence=(
            _NAG + "test_three_forms_give_the_same_points_over_50_steps",
            "gdbook.derivations.nesterov.theta_recurrence",
        ),
        chapter="nesterov",
        topic="cost",
    ),
    _erratum(
        key="dlb-nesterov-rate-without-schedule",
        source="goodfellow2016",
        where="§8.3.3 Nesterov Momentum",
        claim=r"In the convex batch gradient case, Nesterov momentum brings the rate of "
        r"convergence of the excess error from $O(1/k)$ (after $k$ steps) to $O(1/k^2)$",
        correct=r"Only with a momentum that tends to 1, such as $1 - 3/(t+5)$ or FISTA's. With "
        r"a constant $\beta$ the measured slope is {glue:text}`cv_slope_const:.2f`, and from "
        r"step {glue:text}`cv_cross_const` on the loss lies above the $1/k^2$ bound "
        r"{eq}`eq-nag-convex-bound`.",
        evidence=_NAG_RATES + "test_convex_slopes_and_the_bound",
        chapter="nesterov",
        topic="rates",
        repeated_by=("seed-003",),
    ),
    _erratum(
        key="torch-schedule-is-nesterov",
        source="common",
        where="a common assumption (torch re-reads a group's momentum at every step)",
        claim="`SGD(nesterov=True)` with a momentum schedule is Nesterov's method",
        correct=r"Only for a constant momentum. PyTorch multiplies the look-ahead term by "
        r"$\beta_t$ where Nesterov's method needs $\beta_{t+1}$, {eq}`eq-nag-torch-gap`; under "
        r"$1 - 3/(t+5)$ its iterates move up to {glue:text}`sched_torch_max:.3f` away from "
        r"Nesterov's in the chapter's experiment.",
        evidence=(
            _NAG + "test_schedule_gap_torch_departs_by_0_03_and_the_next_beta_form_matches",
            "gdbook.derivations.nesterov.torch_indexing_gap",
        ),
        chapter="nesterov",
        topic="conventions",
    ),
    _erratum(
        key="torch-iterates-are-theta",
        source="common",
        where="a common slip, helped by notes that rename the stored point back to theta",
        claim=r"The iterates of `SGD(nesterov=True)` are Nesterov's iterates $\theta_t$",
        correct=r"They are the look-ahead points $\Theta_t = \theta_t - \beta v_t$, where the "
        r"next gradient is taken; a guarantee such as {eq}`eq-nag-convex-bound` is about "
        r"$\theta_t = \Theta_t + \beta v_t$.",
        evidence=(
            _NAG + "test_look_ahead_split_recovers_the_iterates",
            _NAG + "test_torch_form_iterates_are_the_look_ahead_points_of_nag",
        ),
        chapter="nesterov",
        topic="conventions",
        repeated_by=("seed-000",),
    ),
    _erratum(
        key="pytorch-docs-previous-gradient",
        source="pytorch-docs",
        where="the algorithm box of torch.optim.SGD, version 1.10 (fixed by 1.13)",
        claim=r"$g_t \leftarrow g_{t-1} + \mu b_t$",
        correct=r"The step adds the *current* gradient, $g_t + \mu b_t$, "
        r"as in {eq}`eq-nag-one-buffer` with a constant momentum and as torch's code does; the "
        r"book's `from_torch` matches torch's recorded runs.",
        evidence=_NAG + "test_from_torch_matches_the_recorded_torch_run",
        chapter="nesterov",
        topic="conventions",
    ),
    _erratum(
        key="nesterov-speeds-up-sgd",
        source="common",
        where="a common belief",
        claim="With noisy gradients Nesterov's look-ahead speeds up SGD",
        correct=r"At a constant rate it leaves the noise floor where momentum puts it, and "
        r"with a decaying rate the error falls like $1/k$ for it, the heavy ball and SGD "
        r"alike (slopes {glue:text}`nz_slope_nag:.2f`, {glue:text}`nz_slope_hb:.2f` and "
        r"{glue:text}`nz_slope_gd:.2f`).",
        evidence=(
            _NAG_RATES + "test_noise_decay_rate_is_the_same_for_all_three",
            _NAG_RATES + "test_noise_constant_rate_floors",
        ),
        chapter="nesterov",
        topic="noise",
    ),
    # ---------------------------------------------------------------- conventions
    _erratum(
        key="cs231n-derived-sign-slip",
        source="cs231n-derived-notes",
        where="study notes derived from the cs231n course (content.md §6, item 9)",
        claim="`v = rho*v + lr*dx; x += v`",
        correct=r"With the gradient added to the velocity, the velocity must be "
        r"*subtracted*: on $\tfrac12\lambda x^2$ the first step of the snippet multiplies $x$ "
        r"by $1+\eta\lambda>1$ {eq}`eq-conv-slip`. Either write "
        r"`v = rho*v - lr*dx; x += v` (Sutskever's form) or `v = rho*v + lr*dx; x -= v` "
        r"(Ruder's form).",
        evidence=(
            _CONV + "test_cs231n_sign_slip_climbs_and_the_fix_descends",
            _CONV + "test_claim_cs231n_slip_multiplies_by_more_than_one",
            "gdbook.derivations.conventions.cs231n_sign_step",
        ),
        chapter="conventions",
        topic="conventions",
    ),
    _erratum(
        key="seed-004-buffer-average",
        source="seed-004",
        where="§3.1 Momentum: 'the momentum vector m_t is an exponentially weighted average "
        "of past gradient directions'",
        claim=r"$m_t$ is an exponentially weighted average of past gradient directions",
        original="经典动量法引入了动量向量$m_t$,它是过去梯度方向的指数加权平均值",
        cited_as=r"a tutorial, of Ruder's form $m_t=\gamma m_{t-1}+\eta g_t$",
        correct=r"Like the velocity $v\leftarrow\alpha v-\epsilon g$ that the *Deep Learning* "
        r"book calls an exponentially decaying average, it is a decaying *sum*, whose weights "
        r"add up to $\epsilon(1-\alpha^t)/(1-\alpha)$, which tends to "
        r"{glue:text}`conv_window:.0f` times the learning rate at $\alpha=$ "
        r"{glue:text}`conv_beta` {eq}`eq-conv-dlb-weights`. Only the EMA form, with its "
        r"factor $1-\beta$, averages.",
        evidence=(
            _CONV + "test_dlb_velocity_is_a_sum_not_an_average",
            _CONV + "test_claim_dlb_velocity_weights_sum_to_eps_over_one_minus_alpha",
            "gdbook.derivations.conventions.dlb_weight_sum",
        ),
        chapter="conventions",
        topic="memory",
    ),
    _erratum(
        key="udl-nesterov-lookahead",
        source="prince2023",
        where="the Nesterov momentum notebook of chapter 6 (udlbook issue #149, fixed in 2024)",
        claim=r"the look-ahead gradient at $\theta-\eta m$",
        cited_as=r"the notebooks of *Understanding Deep Learning*, {cite:t}`prince2023`, "
        r"until a correction in 2024",
        correct=r"With $m_t=\beta m_{t-1}+(1-\beta)g_t$ and $\theta_t=\theta_{t-1}-\eta m_t$, "
        r"momentum alone carries $\theta$ to $\theta-\eta\beta m$ {eq}`eq-conv-lookahead`, "
        r"so that is where the look-ahead gradient must be taken. Other material still uses "
        r"$\theta-\beta m$; both take the gradient at a point that momentum does not reach, "
        r"and the method is no longer Nesterov's.",
        evidence=(
            _CONV + "test_ema_nesterov_needs_the_lookahead_theta_minus_alpha_beta_m",
            _CONV + "test_claim_ema_lookahead_is_theta_minus_eta_beta_m",
            "gdbook.derivations.conventions.ema_lookahead",
        ),
        chapter="conventions",
        topic="nesterov",
    ),
    _erratum(
        key="torch-dampening-is-ema",
        source="common",
        where="a common reading of torch.optim.SGD",
        claim="`dampening=beta` gives the EMA",
        correct=r"PyTorch's buffer starts at $g_1$, so its dampened momentum differs from the "
        r"EMA by $\beta^t g_1$ {eq}`eq-conv-damp-gap`.",
        evidence=(
            _CONV + "test_torch_dampening_is_not_the_ema_form",
            _CONV + "test_dampening_gap_is_beta_power_times_first_gradient",
            "gdbook.derivations.conventions.dampening_gap",
        ),
        chapter="conventions",
        topic="conventions",
    ),
    _erratum(
        key="schedule-moves-between-conventions",
        source="common",
        where="a common slip when porting a schedule",
        claim="A learning-rate schedule gives the same run in every convention",
        correct=r"A schedule tuned for PyTorch or optax (rate outside the buffer) does not "
        r"give the same run in Keras or in Sutskever's form (rate inside), "
        r"{eq}`eq-conv-step-gap`.",
        evidence=(
            _CONV
            + "test_first_step_after_the_change_differs_by_beta_times_rate_change_times_buffer",
            _CONV + "test_displacements_differ_once_the_rate_changes",
            "gdbook.derivations.conventions.schedule_step_gap",
        ),
        chapter="conventions",
        topic="conventions",
    ),
    _erratum(
        key="eps-copied-between-libraries",
        source="common",
        where="a common slip when porting hyperparameters",
        claim=r"$\epsilon$ means the same in every library",
        correct=r"PyTorch adds $\epsilon$ outside the root for RMSprop, Adagrad and Adam, "
        r"optax and Keras put it inside for RMSProp and Adagrad, and Keras' Adam adds an "
        r"$\hat\epsilon$ that must be $\sqrt{1-\beta_2^t}$ times PyTorch's $\epsilon$ to give "
        r"the same steps {eq}`eq-conv-adam-forms`.",
        evidence=(
            _CONV + "test_eps_inside_and_outside_rmsprop_differ_and_converge_for_large_gradients",
            _CONV + "test_keras_effective_eps_is_eps_hat_over_root_bias_correction",
            "gdbook.derivations.conventions.adam_efficient_form",
        ),
        chapter="conventions",
        topic="conventions",
    ),
    # ---------------------------------------------------------------- adaptive
    _erratum(
        key="seed-001-adadelta-accumulator",
        source="seed-001",
        where="Adadelta, eq. (14)",
        claim=r"$\Delta\theta = \rho\Delta\theta + (1-\rho)q^{2}$",
        original=r"$$\Delta\theta = \rho\Delta\theta + (1-\rho)q^{2} \tag{14}$$",
        correct=r"The second accumulator is fed the squared *update*, "
        r"$E[\Delta\theta^2]_t = \rho E[\Delta\theta^2]_{t-1} + (1-\rho)\Delta\theta_t^2$, "
        r"and the numerator of the step uses the previous step's "
        r"$\sqrt{E[\Delta\theta^2]_{t-1}+\epsilon}$ {cite:p}`zeiler2012`, "
        r"{eq}`eq-adaptive-adadelta`. "
        r"The symbol $q$ is defined nowhere; read as the gradient, as other notes print it, "
        r"both roots average the same squares and after a few steps the step is close to $g$ "
        r"itself: gradient "
        r"descent with rate 1, not a step with the units of $x$.",
        evidence=(
            "tests/chapters/test_adaptive.py::"
            "test_adadelta_accumulates_squared_updates_not_squared_gradients",
            "tests/chapters/test_adaptive.py::test_adadelta_equals_zeiler_algorithm_1",
            _ADA + "test_seed_001_accumulator_turns_adadelta_into_gradient_descent",
        ),
        chapter="adaptive",
        topic="adadelta",
    ),
    _erratum(
        key="seed-004-rmsprop-history",
        source="seed-004",
        where="§2 history",
        claim="In 2012 Hinton's group proposed RMSProp for linear neural networks, and in "
        "2015 extended it to deep learning",
        original="2012年,Hinton小组在线性神经网络中提出了RMSProp算法,并在2015年将其推广到深度学习中",
        correct=r"RMSProp comes from lecture 6e of Hinton's 2012 Coursera course "
        r"{cite:p}`tieleman2012`; there is no 2015 paper.",
        evidence="references.bib::tieleman2012",
        chapter="adaptive",
        topic="history",
    ),
    _erratum(
        key="d2l-rmsprop-half-life",
        source="zhang2023d2l",
        where="§12.8.1 'The Algorithm' (chapter_optimization/rmsprop.md)",
        claim=r"Hence the sum of weights is normalized to $1$ with a half-life time of an "
        r"observation of $\gamma^{-1}$",
        cited_as=r"the RMSProp section of {cite:t}`zhang2023d2l`",
        correct=r"The weight of a squared gradient $k$ steps old is $(1-\gamma)\gamma^k$, which "
        r"halves at $k = \ln 2/\ln(1/\gamma)$, {eq}`eq-adaptive-half-life`: "
        r"{glue:text}`ad_half_09:.2f` steps at $\gamma = 0.9$, where $\gamma^{-1}$ is "
        r"{glue:text}`ad_d2l_inverse:.2f`.",
        evidence=(
            _ADA_CLAIMS + "test_half_life_is_neither_the_inverse_decay_nor_the_window",
            "gdbook.derivations.adaptive.ema_half_life",
        ),
        chapter="adaptive",
        topic="memory",
    ),
    _erratum(
        key="d2l-adadelta-half-life-ten",
        source="zhang2023d2l",
        where="§12.9.2 'Implementation' (chapter_optimization/adadelta.md)",
        claim=r"Choosing $\rho = 0.9$ amounts to a half-life time of 10 for each parameter "
        r"update",
        cited_as=r"the Adadelta section of {cite:t}`zhang2023d2l`",
        correct=r"The half-life at 0.9 is {glue:text}`ad_half_09:.2f` steps; "
        r"{glue:text}`ad_window_09:.0f` is the window $1/(1-\rho)$, and a half-life of 10 "
        r"needs $\rho = 2^{-1/10} =$ {glue:text}`ad_decay_for_ten:.4f`, "
        r"{eq}`eq-adaptive-decay-for-half`.",
        evidence=(
            _ADA_CLAIMS + "test_half_life_is_neither_the_inverse_decay_nor_the_window",
            "gdbook.derivations.adaptive.ema_decay_for_half_life",
        ),
        chapter="adaptive",
        topic="memory",
    ),
    _erratum(
        key="adadelta-no-learning-rate",
        source="zhang2023d2l",
        where="§12.9.3 Summary",
        claim="Adadelta has no learning rate parameter",
        cited_as=r"the Adadelta section of {cite:t}`zhang2023d2l`, after {cite:t}`zeiler2012`",
        correct=r"$\epsilon$ is one. Under a steady gradient every step is $\sqrt\epsilon$ "
        r"times a function of $\rho$ and $t$, {eq}`eq-adaptive-warmup`: the first is "
        r"$\sqrt{\epsilon/(1-\rho)} =$ {glue:text}`ad_first_zeiler:.2e` at Zeiler's "
        r"$\rho = 0.95$, $\epsilon = 10^{-6}$, and on the valley the steps to a "
        r"thousandfold smaller error fall like $\epsilon$ to the power "
        r"{glue:text}`ad_warm_slope:.2f`. The same section's TensorFlow code needs "
        r"`learning_rate=5.0` to converge.",
        evidence=(
            _ADA + "test_adadelta_steps_are_sqrt_eps_times_a_function_of_rho_and_t",
            _ADA + "test_adadelta_valley_counts_fall_like_eps_to_the_minus_one_third",
            "gdbook.derivations.adaptive.adadelta_first_step_limit",
        ),
        chapter="adaptive",
        topic="adadelta",
        repeated_by=("seed-001",),
    ),
    _erratum(
        key="diagonal-fixes-conditioning",
        source="common",
        where="a common belief",
        claim="Adaptive methods make the conditioning of the problem irrelevant",
        correct=r"Only where the valley follows the coordinate axes. Turned by $45°$ no "
        r"diagonal scaling changes the condition number, {eq}`eq-adaptive-jacobi-45`, and "
        r"tuned Adagrad needs {glue:text}`ad_rot_ada_45` steps where tuned gradient descent "
        r"needs {glue:text}`ad_rot_gd`.",
        evidence=(
            _ADA + "test_adagrad_loses_to_gradient_descent_at_45_degrees",
            "gdbook.derivations.adaptive.jacobi_condition_at_45_degrees",
        ),
        chapter="adaptive",
        topic="preconditioning",
    ),
    _erratum(
        key="rmsprop-converges-with-small-rate",
        source="common",
        where="a common belief",
        claim="RMSProp with a fixed learning rate converges on a convex problem",
        correct=r"On $\tfrac12\lambda x^2$ it ends on a 2-cycle of amplitude "
        r"$\eta/2 - \epsilon/\lambda$, {eq}`eq-adaptive-cycle-out`: "
        r"{glue:text}`ad_cycle_default:.4f` with PyTorch's $\eta =$ "
        r"{glue:text}`ad_cycle_rate` and $\epsilon = 10^{-8}$. It converges only if "
        r"$\epsilon$ is large enough to turn it into stable gradient descent.",
        evidence=(
            _ADA + "test_rmsprop_ends_on_the_two_cycle_of_the_closed_form",
            "gdbook.derivations.adaptive.rmsprop_cycle_outside",
        ),
        chapter="adaptive",
        topic="convergence",
    ),
    # ---------------------------------------------------------------- adam (no page yet)
    _erratum(
        key="kingma-adamax-bound",
        source="kingma2015",
        where="§7.1 AdaMax",
        claim=r"the magnitude of parameter updates has a simpler bound than with Adam, "
        r"namely: $|\Delta_t| \le \alpha$",
        correct=r"From $|m_t| \le (1-\beta_1)\sum_k \beta_1^k|g_{t-k}|$ and "
        r"$|g_{t-k}| \le u_t/\beta_2^k$ the tight bound is "
        r"$\alpha\,\frac{1-\beta_1}{1-\beta_1^t}\sum_{k<t}(\beta_1/\beta_2)^k$, reached by "
        r"gradients that shrink like $\beta_2^{t-i}$; it exceeds $\alpha$, tends to "
        r"$\alpha\,\beta_2(1-\beta_1)/(\beta_2-\beta_1)$ if $\beta_1<\beta_2$ and grows "
        r"without limit otherwise.",
        evidence=(
            "tests/chapters/test_adam.py::test_adamax_step_can_exceed_the_learning_rate",
            "tests/chapters/test_adam.py::test_adamax_infinity_norm_and_step_bound",
        ),
        chapter="adam",
        topic="step size",
    ),
    _erratum(
        key="kingma-step-bound",
        source="kingma2015",
        where="§2.1 'Adam's update rule'",
        claim=r"$|\Delta_t| \le \alpha\cdot(1-\beta_1)/\sqrt{1-\beta_2}$ in the case "
        r"$(1-\beta_1) > \sqrt{1-\beta_2}$, and $|\Delta_t| \le \alpha$ otherwise",
        repeated_by=("seed-003",),
        correct=r"These are the steps of a lone gradient after a run of zeros "
        r"{eq}`eq-adam-spike`, not upper bounds. By the Cauchy–Schwarz inequality the "
        r"largest step is {eq}`eq-adam-tight-bound` {cite:p}`ma2019`, attained by gradients "
        r"that *grow* by $\beta_2/\beta_1$ per step; at the defaults it rises from $\eta$ to "
        r"{glue:text}`adam_limit:.2f` $\eta$, and without limit when "
        r"$\beta_1 \ge \sqrt{\beta_2}$. The second case fails too: at $\beta_1 = 0.99$ the "
        r"limit is {glue:text}`adam_bound_second_case:.2f` $\eta$.",
        evidence=(
            "tests/chapters/test_adam_bounds.py::test_growing_gradients_attain_the_tight_bound",
            "tests/chapters/test_adam_bounds.py::test_kingma_bound_is_exceeded_in_both_cases",
            "gdbook.derivations.adam.tight_step_bound",
        ),
        chapter="adam",
        topic="step size",
    ),
    _erratum(
        key="udl-bias-correction-direction",
        source="prince2023",
        where="Notebook 6.5 (Adam), the text before the Adam cell",
        cited_as=r"the Adam notebook of *Understanding Deep Learning*, {cite:t}`prince2023`",
        claim="We also modify the statistics by a factor that depends on the time to make "
        "sure the progress is now slow to start with",
        correct=r"Read as 'not slow', the direction is wrong: without the correction the "
        r"early steps are *longer*, by the factor {eq}`eq-adam-uncorrected-factor` under a "
        r"constant gradient. With the notebook's $\beta_1 = 0.9$, $\beta_2 = 0.99$ that factor "
        r"reaches {glue:text}`adam_udl_peak:.2f` at update {glue:text}`adam_udl_peak_t`; at "
        r"the defaults it is {glue:text}`adam_first_factor:.2f` at the first update. The "
        r"correction slows the start down, to exactly $\eta$ per coordinate.",
        evidence=(
            "tests/chapters/test_adam_derivations.py::"
            "test_uncorrected_factor_under_a_constant_gradient",
            "tests/chapters/test_adam_bounds.py::test_uncorrected_steps_are_longer_in_udl_setting",
        ),
        chapter="adam",
        topic="bias correction",
    ),
    _erratum(
        key="seed-003-bias-close-to-zero",
        source="seed-003",
        where="§5.6, '1. Adam 优化算法的基本机制'",
        claim="the initial values of the moving averages and beta1, beta2 are close to 1 (the "
        "recommended values), so the bias of the moment estimates is close to 0",
        original="移动均值的初始值和 beta1、beta2 值接近于 1（推荐值），因此矩估计的偏差接近于 0",
        correct=r"The averages start at 0, and {cite:t}`kingma2015` write that the moment "
        r"estimates are therefore biased *towards* zero, the more so the closer the "
        r"$\beta$s are to 1: $\mathbb{E}[v_t] = (1-\beta_2^t)\,\mathbb{E}[g^2]$ for stationary "
        r"gradients {eq}`eq-adam-expected-v`, a thousandth of its target at the first "
        r"update at $\beta_2 = 0.999$.",
        evidence="tests/chapters/test_adam_derivations.py::"
        "test_expected_second_moment_has_the_bias_factor_and_zeta",
        chapter="adam",
        topic="bias correction",
    ),
    _erratum(
        key="kingma-zeta-beta1",
        source="kingma2015",
        where="§3 'Initialization bias correction'",
        claim=r"$\zeta$ can be kept small since the exponential decay rate $\beta_1$ can (and "
        r"should) be chosen such that the exponential moving average assigns small weights "
        r"to gradients too far in the past",
        repeated_by=("seed-003",),
        correct=r"The section derives the bias of $v_t$, whose weights are $\beta_2$'s: it is "
        r"$\beta_2$ that must give old squared gradients little weight for $\zeta$ "
        r"{eq}`eq-adam-zeta` to be small; $\beta_1$ does not appear in it.",
        evidence=(
            "tests/chapters/test_adam_derivations.py::test_zeta_depends_on_beta_2_not_beta_1",
            "gdbook.derivations.adam.non_stationarity_term",
        ),
        chapter="adam",
        topic="bias correction",
    ),
    _erratum(
        key="seed-003-divide-by-zeta",
        source="seed-003",
        where="§5.6, '4. 初始化偏差修正'",
        claim=r"we therefore divide by the $\zeta$ term in Algorithm 1 to correct the "
        r"initialization bias",
        original="我们因此在算法 1 中除以了ζ项以修正初始化偏差",
        correct=r"Algorithm 1 divides by $1-\beta_2^t$ (and $m_t$ by $1-\beta_1^t$), the factor "
        r"that multiplies $\mathbb{E}[g_t^2]$ in {eq}`eq-adam-expected-v`; $\zeta$ is the "
        r"remainder of a changing second moment, which no correction removes.",
        evidence=(
            "tests/chapters/test_adam.py::test_adam_one_step_by_hand",
            "tests/chapters/test_adam_derivations.py::"
            "test_expected_second_moment_has_the_bias_factor_and_zeta",
        ),
        chapter="adam",
        topic="bias correction",
    ),
    _erratum(
        key="seed-003-small-beta2",
        source="seed-003",
        where="§5.6, '4. 初始化偏差修正', last paragraph",
        claim=r"in the sparse case, to obtain a reliable estimate of the second moment we "
        r"need to choose a very small $\beta_2$ and average over many gradients",
        original="在稀疏矩阵中，为了获得一个可靠的二阶矩估计，"
        "我们需要选择一个很小的 β2 而在许多梯度上取均值",
        correct=r"Averaging over many gradients needs $\beta_2$ close to 1, a small "
        r"$1-\beta_2$ (the paper speaks of 'small decay rates' and means $\beta$s close to 1). "
        r"And there the uncorrected first step is longest: {glue:text}`adam_factor_extreme:.0f` "
        r"$\eta$ at $\beta_1 = 0$, $\beta_2 = 0.9999$.",
        evidence="tests/chapters/test_adam_bounds.py::"
        "test_uncorrected_first_step_grows_as_beta_2_approaches_one",
        chapter="adam",
        topic="bias correction",
    ),
    _erratum(
        key="seed-001-adam-eps-inside",
        source="seed-001",
        where="'Adam 算法', eq. (18)",
        claim=r"$g' = \frac{\eta\hat v}{\sqrt{\hat s + \epsilon}}$",
        original=r"$$g' = \frac{\eta \hat{v}}{\sqrt{\hat{s} + \epsilon}} \tag{18}$$",
        correct=r"{cite:t}`kingma2015` add $\epsilon$ outside the root, "
        r"$\eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)$ {eq}`eq-adam-step`, as PyTorch does. "
        r"Inside the root it is a different algorithm, whose steps differ whenever "
        r"$\hat v_t$ is not much larger than $\epsilon^2$ ({doc}`conventions`).",
        evidence="tests/chapters/test_adam_bounds.py::test_eps_inside_the_root_is_another_method",
        chapter="adam",
        topic="notation",
    ),
    _erratum(
        key="seed-001-beta-up-to-one",
        source="seed-001",
        where="'Adam 算法', after eq. (17)",
        claim=r"when $0 \le \beta_1, \beta_2 \le 1$, late in the iteration $\beta_1^t$ and "
        r"$\beta_2^t$ are almost 0",
        original="当 0≤β1,β2≤1 的时候,迭代到后期 t 比较大,那么 β1^t 和 β2^t 就几乎为 0",
        correct=r"At $\beta = 1$ the average never moves from 0 and the correction divides "
        r"by $1-1^t = 0$; the decay rates lie in $[0, 1)$ (Algorithm 1), and the library "
        r"rejects $\beta = 1$.",
        evidence="tests/chapters/test_adam.py::test_validation_names_the_parameter",
        chapter="adam",
        topic="notation",
    ),
    _erratum(
        key="ruder-adamax-v-for-u",
        source="ruder2016",
        where="§4.7 AdaMax",
        claim=r"$u_t = \beta_2^\infty v_{t-1} + (1-\beta_2^\infty)|g_t|^\infty = "
        r"\max(\beta_2 \cdot v_{t-1}, |g_t|)$",
        correct=r"The maximum runs over AdaMax's own $u_{t-1}$: $u_t = \max(\beta_2 u_{t-1}, "
        r"|g_t|) = \max_s \beta_2^{t-s}|g_s|$ {cite:p}`kingma2015`, the limit of "
        r"$(v^{(p)}_t)^{1/p}$ as $p \to \infty$; Adam's $v_{t-1}$, an average of squares, has "
        r"no place in it.",
        evidence=(
            "tests/chapters/test_adam_derivations.py::test_adamax_is_the_infinity_norm_limit",
            "tests/chapters/test_adam.py::test_adamax_infinity_norm_and_step_bound",
        ),
        chapter="adam",
        topic="notation",
    ),
    _erratum(
        key="ruder-amsgrad-squared-gradients",
        source="ruder2016",
        where="§4.10 AMSGrad",
        claim=r"AMSGrad uses the maximum of past squared gradients $v_t$ rather than the "
        r"exponential average",
        correct=r"The maximum is taken over the past *averages*: $\hat v_t = \max(\hat v_{t-1}, "
        r"v_t)$ with $v_t$ Adam's EMA of squared gradients {cite:p}`reddi2018`. The maximum "
        r"of the squared gradients themselves would never forget a single large gradient.",
        evidence="tests/chapters/test_adam_family.py::test_amsgrad_takes_the_max_of_the_averages",
        chapter="adam",
        topic="notation",
    ),
    _erratum(
        key="d2l-adam-eps-precedence",
        source="zhang2023d2l",
        where="§12.10 'Adam', the TensorFlow implementation",
        claim=r"`p - lr*v_bias_corr / tf.math.sqrt(s_bias_corr) + eps`",
        correct=r"By operator precedence this adds $\epsilon$ to the *parameter* at every "
        r"update, instead of to the denominator: the iterate drifts by $\epsilon$ per step "
        r"even where the gradient is zero. The step is "
        r"$\eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)$ {eq}`eq-adam-step`.",
        evidence="tests/chapters/test_adam_bounds.py::test_eps_outside_the_parentheses_drifts",
        chapter="adam",
        topic="notation",
    ),
)

#: How each box opens.
BOX_INTRO = (
    "Each item quotes what a source says (or what is commonly believed), gives the correct "
    "statement, and names the test that checks it."
)


def errata_for(chapter: str) -> tuple[Erratum, ...]:
    """The records a chapter's box shows, in the order of :data:`ERRATA`."""
    if chapter not in CHAPTERS:
        raise ValueError(f"chapter must be one of {CHAPTERS}, got {chapter!r}")
    return tuple(e for e in ERRATA if e.chapter == chapter)


def attribution(erratum: Erratum) -> str:
    """How the box names the source: ``cited_as``, else the citation or the seed's name."""
    if erratum.cited_as:
        return erratum.cited_as
    if erratum.source in SEEDS:
        return SEEDS[erratum.source]
    if erratum.source in OTHER_SOURCES:
        return OTHER_SOURCES[erratum.source]
    return f"{{cite:t}}`{erratum.source}`"


def named_tests(erratum: Erratum) -> list[str]:
    """The names of the tests among the evidence."""
    return [e.split("::", 1)[1] for e in erratum.evidence if e.startswith("tests/")]


def render_item(erratum: Erratum) -> str:
    """One bullet: the claim in bold quotes, its source, the correction, the tests."""
    source = attribution(erratum)
    lead = f'**"{erratum.claim}"** ({source}).' if source else f'**"{erratum.claim}."**'
    tests = named_tests(erratum)
    checked = " Checked by " + " and ".join(f"`{name}`" for name in tests) + "." if tests else ""
    return f"- {lead} {erratum.correct}{checked}"


def render_box(chapter: str) -> str:
    """The MyST Markdown of a chapter's "Common mistakes" admonition, from its records."""
    items = errata_for(chapter)
    if not items:
        raise ValueError(f"no errata for chapter {chapter!r}")
    body = "\n".join(render_item(e) for e in items)
    return f"````{{admonition}} Common mistakes\n:class: warning\n\n{BOX_INTRO}\n\n{body}\n````\n"


def common_mistakes(chapter: str) -> Any:
    """Display a chapter's box in a notebook (a cell with ``markdown_format: myst``)."""
    from IPython.display import Markdown

    return Markdown(render_box(chapter))  # type: ignore[no-untyped-call]


# --------------------------------------------------------------------------------------
# The appendix: every record, source by source
# --------------------------------------------------------------------------------------

_DISPLAY = re.compile(r"\$\$(.+?)(?:\\tag\{[^}]*\})?\s*\$\$", re.S)
_GLUE_HERE = re.compile(r"\{glue:text\}`(?![^`]*::)([^`]+)`")
_GROUPS = (
    ("The source documents", "the five documents the chapters mirror"),
    ("Published texts", "books, articles and papers, in the order of their year"),
    ("Documentation, course notes and common beliefs", ""),
)


def from_chapter(text: str, chapter: str) -> str:
    """A record's MyST with its ``{glue:text}`` roles pointing at the chapter that glues them."""

    def qualified(match: re.Match[str]) -> str:
        name = match.group(1)
        # myst-nb splits the format at the last colon: a bare ``doc.md::name`` would split
        # inside the ``::``, so an unformatted value gets the default format ``s``
        return f"{{glue:text}}`{chapter}.md::{name if ':' in name else name + ':s'}`"

    return _GLUE_HERE.sub(qualified, text)


def _group(source: str) -> int:
    return 0 if source in SEEDS else 2 if source in OTHER_SOURCES else 1


def sources() -> list[str]:
    """Every source with a record: the seeds in order, then the published ones by year."""

    def key(source: str) -> tuple[int, str, str]:
        year = re.search(r"\d{4}", source)
        return (_group(source), year.group(0) if year else "", source)

    return sorted({e.source for e in ERRATA}, key=key)


def render_appendix_entry(erratum: Erratum) -> str:
    """One record in full: the claim, where it stands, the original words, the correction."""
    # a displayed formula of the source becomes inline math (a display cannot sit in «»)
    words = _DISPLAY.sub(lambda m: f"${m.group(1).strip()}$", erratum.original)
    original = f" The original: «{words}»." if words and words != erratum.claim else ""
    repeated = (
        " Repeated by " + ", ".join(_source_name(s) for s in erratum.repeated_by) + "."
        if erratum.repeated_by
        else ""
    )
    tests = named_tests(erratum)
    checked = " Checked by " + " and ".join(f"`{name}`" for name in tests) + "." if tests else ""
    correct = from_chapter(erratum.correct, erratum.chapter)
    return (
        f'- **"{erratum.claim}"** ({erratum.where}).{original}{repeated} {correct}{checked} '
        f"See {{doc}}`{erratum.chapter}`."
    )


def _source_name(source: str) -> str:
    if source in SEEDS:
        return SEEDS[source]
    if source in OTHER_SOURCES:
        return OTHER_SOURCES[source] or "a common belief"
    return f"{{cite:t}}`{source}`"


def render_summary() -> str:
    """A Markdown table: each source, how many of its claims the book corrects, where."""
    rows = ["| source | errors | chapters |", "|---|---|---|"]
    for source in sources():
        records = [e for e in ERRATA if e.source == source]
        chapters = dict.fromkeys(e.chapter for e in records)  # in order, once each
        links = ", ".join(f"{{doc}}`{c}`" for c in chapters)
        rows.append(f"| {_source_name(source)} | {len(records)} | {links} |")
    return "\n".join(rows) + "\n"


def render_appendix() -> str:
    """The MyST Markdown of the errata appendix: the summary, then each source's records."""
    parts = [render_summary()]
    for index, (title, note) in enumerate(_GROUPS):
        group = [s for s in sources() if _group(s) == index]
        if not group:
            continue
        parts.append(f"## {title}\n" + (f"\n{note[0].upper()}{note[1:]}.\n" if note else ""))
        for source in group:
            records = [e for e in ERRATA if e.source == source]
            name = _source_name(source)
            heading = name[0].upper() + name[1:] if source in SEEDS else name
            body = "\n".join(render_appendix_entry(e) for e in records)
            parts.append(f"**{heading}**\n\n{body}\n")
    return "\n".join(parts)


def errata_appendix() -> Any:
    """Display the appendix in a notebook (a cell with ``markdown_format: myst``)."""
    from IPython.display import Markdown

    return Markdown(render_appendix())  # type: ignore[no-untyped-call]
