/* gdlive-explorers: what each live explorer computes, as its Python widget does.
 *
 * One entry per explorer registered with @register_widget in code/gdbook/viz/*.py, under
 * the same name. compute(data, values) takes the figure's data (written by
 * gdbook.live.<chapter>: the problem, the start, the step count, ...) and the slider
 * values, and returns every quantity the figure plots, under the names of the Python
 * reference (gdbook.live.<chapter>.reference), against which tests/js checks it. No DOM:
 * the drawing is in gdlive.js.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./gdlive-core.js"));
    Object.assign(module.exports.explorers, require("./gdlive-dynamics.js").explorers); // its own file
  } else {
    root.GDLiveExplorers = factory(root.GDLiveCore);
  }
})(typeof self !== "undefined" ? self : this, function (core) {
  "use strict";

  const { rules, run, quadratic, levelSets, pad, path, field } = core;

  /** gdbook.viz.gradient_descent.valley_explorer: GD in the valley of condition number kappa. */
  function gradientDescentValley(data, { learning_rate, kappa }) {
    const problem = quadratic([1.0 / kappa, 1.0], data.angle);
    const traj = run(rules.gradient_descent({ learning_rate }), problem.grad, data.start, data.steps, data.bound);
    const points = path(traj);
    const y0 = problem.toEigenbasis(data.start);
    const rate = core.gdSpectralRadius(learning_rate, problem.eigenvalues);
    return {
      levels: levelSets(problem, data.levels),
      points,
      diverged_at: traj.divergedAt,
      errors: points.map((p) => problem.toEigenbasis(p).map(Math.abs)),
      predicted: core.eigenErrors(learning_rate, problem.eigenvalues, y0, data.steps).map((r) => r.map(Math.abs)),
      rate,
      verdict: rate < 1 ? "converges" : rate > 1 ? "diverges" : "never settles",
    };
  }

  /** gdbook.viz.momentum.momentum_explorer: the heavy ball, its coast arrows, its rate. */
  function momentumExplorer(data, { learning_rate, beta }) {
    const problem = quadratic(data.eigenvalues, data.angle);
    const traj = run(rules.momentum({ learning_rate, beta }), problem.grad, data.start, data.steps, data.bound);
    const rows = data.steps + 1;
    // gdbook.momentum.coast: -eta beta b_k, the part of the next step the buffer carries
    const coast = field(traj, "velocity").map((b) => b.map((v) => -learning_rate * beta * v));
    const points = pad(traj.params, rows);
    const [mu, L] = problem.eigenvalues;
    return {
      points,
      arrows: pad(coast, rows),
      rate: core.heavyBallRateOnSpectrum(learning_rate, beta, mu, L),
      regimes: [mu, L].map((lam) => core.REGIMES[core.heavyBallRegime(learning_rate, beta, lam)]),
      diverged: !points.every((p) => p.every(Number.isFinite)),
    };
  }

  /** gdbook.nesterov.explorer_runs: the heavy ball and Nesterov, with the look-ahead. */
  function nesterovExplorer(data, { learning_rate, beta }) {
    const problem = quadratic(data.eigenvalues, data.angle);
    const rows = data.steps + 1;
    const hb = run(rules.momentum({ learning_rate, beta }), problem.grad, data.start, data.steps, data.bound);
    const nag = run(rules.nesterov({ learning_rate, beta }), problem.grad, data.start, data.steps, data.bound);
    // gdbook.nesterov.look_ahead_split: theta_k = Theta_k + eta beta b_k (constant beta)
    const velocity = field(nag, "velocity");
    const theta = nag.params.map((p, k) => p.map((x, i) => x + learning_rate * beta * velocity[k][i]));
    const out = {
      "heavy ball": pad(hb.params, rows),
      Nesterov: pad(theta, rows),
      lookahead: pad(nag.params, rows),
    };
    out["heavy ball error"] = out["heavy ball"].map(core.norm);
    out["Nesterov error"] = out.Nesterov.map(core.norm);
    const [mu, L] = problem.eigenvalues;
    out.rates = {
      "heavy ball": core.heavyBallRateOnSpectrum(learning_rate, beta, mu, L),
      Nesterov: core.nesterovRateOnSpectrum(learning_rate, beta, mu, L),
    };
    return out;
  }

  /** gdbook.intro.hero_runs and viz.intro's hero: three methods, one valley, kappa and all. */
  function introHero(data, { scale, beta, kappa }) {
    const problem = quadratic([1.0, kappa], data.angle);
    const out = { levels: levelSets(problem, data.levels) };
    const runs = {};
    for (const name of data.methods) {
      // gdbook.examples.Hero.learning_rates: GD and momentum in units of 1/L
      const rate = (scale * data.rates[name]) / (name === "adam" ? 1.0 : kappa);
      const opt =
        name === "gd"
          ? rules.gradient_descent({ learning_rate: rate })
          : name === "momentum"
            ? rules.momentum({ learning_rate: rate, beta })
            : rules.adam({ learning_rate: rate });
      runs[name] = { rate, traj: run(opt, problem.grad, data.start, data.steps) };
    }
    // hero_runs runs the three as one batch (gdbook.base.stack): it stops when all have
    // diverged, a diverged one stays NaN until then
    const rows = Math.max(...Object.values(runs).map((r) => r.traj.params.length));
    for (const [name, { rate, traj }] of Object.entries(runs)) {
      const params = pad(traj.params, rows);
      const loss = params.map((p) => problem.value(p)); // f* = 0
      out[name] = {
        learning_rate: rate,
        path: params.slice(0, data.path_steps + 1),
        log_loss: loss.map(Math.log10),
        steps_to_tolerance: core.firstStepBelow(loss, data.tol),
        diverged_at: traj.divergedAt,
        final_loss: loss[loss.length - 1],
      };
    }
    return out;
  }

  /** gdbook.conventions.schedule_runs: the sum form and the rate inside under a step decay. */
  function conventionsSchedule(data, { at, factor, beta }) {
    const problem = quadratic(data.eigenvalues, data.angle, data.x_star);
    const schedule = core.stepDecay(data.learning_rate, at, factor);
    const opts = {
      sum: rules.momentum({ learning_rate: schedule, beta }),
      inside: rules.sutskever_momentum({ learning_rate: schedule, beta }),
    };
    const out = {};
    for (const form of Object.keys(opts)) {
      const traj = run(opts[form], problem.grad, data.start, data.steps);
      const points = traj.params;
      // gdbook.conventions.step_lengths: ||x_t - x_{t-1}||, on a log10 axis
      const lengths = points.slice(1).map((p, t) => core.norm(p.map((x, i) => x - points[t][i])));
      out[form] = { points, log_lengths: lengths.map(Math.log10) };
    }
    const last = (form) => out[form].points[out[form].points.length - 1];
    out.final_gap = core.norm(last("sum").map((x, i) => x - last("inside")[i]));
    return out;
  }

  /** gdbook.adaptive.explorer_run and viz.adaptive's explorer: the turned valley, the rates. */
  function adaptiveExplorer(data, { method, learning_rate, rho, eps, angle }) {
    // gdbook.adaptive.rotated_valley: the start keeps its coordinates along the valley's axes
    const problem = quadratic(data.eigenvalues, angle * (Math.PI / 180)); // np.radians
    const q = problem.eigenvectors;
    const a = data.along_axes;
    const start = [q[0][0] * a[0] + q[0][1] * a[1], q[1][0] * a[0] + q[1][1] * a[1]];
    const builders = {
      Adagrad: () => rules.adagrad({ learning_rate, eps }),
      RMSProp: () => rules.rmsprop({ learning_rate, decay: rho, eps }),
      Adadelta: () => rules.adadelta({ learning_rate, rho, eps }),
    };
    if (!(method in builders)) throw new Error(`unknown method ${method}`);
    const traj = run(builders[method](), problem.grad, start, data.steps, data.bound);
    let rates;
    if (method === "Adadelta") {
      const nu = field(traj, "nu").slice(1);
      const u = field(traj, "delta_nu");
      rates = nu.map((v, t) => v.map((vi, i) => core.adadeltaEffectiveRate(learning_rate, vi, u[t][i], eps)));
    } else {
      const second = field(traj, method === "Adagrad" ? "sum_of_squares" : "nu").slice(1);
      rates = second.map((v) => v.map((vi) => core.effectiveLearningRate(learning_rate, vi, eps)));
    }
    const points = pad(traj.params, data.steps + 1);
    const errors = points.map(core.norm);
    const finiteErrors = errors.filter(Number.isFinite);
    const last = finiteErrors[finiteErrors.length - 1];
    const fmt = core.pyFormat;
    return {
      levels: levelSets(problem, data.levels),
      start,
      points,
      rates: pad(rates, data.steps),
      errors,
      final_error: last,
      titles: {
        valley: `${method}, η = ${fmt(learning_rate, ".3g")}: error ${fmt(last, ".1e")}`,
        rates: `ρ = ${fmt(rho, ".3f")}, ε = ${fmt(eps, ".0e")}, valley at ${fmt(angle, ".0f")}°`,
      },
    };
  }

  /** gdbook.adam.explorer_run and adam.internals: what update `step` of Adam computed. */
  function adamInternals(data, { step, b1, b2, bias_correction }) {
    const problem = quadratic(data.eigenvalues, data.angle);
    const opt = rules.adam({ learning_rate: data.learning_rate, b1, b2, bias_correction });
    const traj = run(opt, problem.grad, data.start, data.steps);
    const mus = field(traj, "mu");
    const mu = mus[step];
    const nu = field(traj, "nu")[step];
    const points = traj.params;
    const internals = {
      grads: mu.map((m, i) => (m - b1 * mus[step - 1][i]) / (1.0 - b1)), // g_t from the EMA
      mu,
      nu,
      mu_hat: bias_correction ? core.debias(mu, b1, step) : mu,
      nu_hat: bias_correction ? core.debias(nu, b2, step) : nu,
      step: points[step].map((x, i) => x - points[step - 1][i]),
    };
    // viz.adam._table: one row per quantity, one column per coordinate, the step in eta
    const fmt = core.pyFormat;
    const relative = internals.step.map((s) => s / data.learning_rate);
    const columns = [internals.grads, internals.mu, internals.nu, internals.mu_hat, internals.nu_hat, relative];
    const lines = [`${"".padStart(5)} ${"x1".padStart(9)} ${"x2".padStart(9)}`];
    data.quantities.forEach((name, k) => {
      lines.push(`${name.padStart(5)} ${fmt(columns[k][0], "9.4g")} ${fmt(columns[k][1], "9.4g")}`);
    });
    return {
      points,
      internals,
      table: lines.join("\n"),
      bar_labels: relative.map((r) => fmt(r, ".3g")),
      title: `update ${step}, ${bias_correction ? "with" : "without"} correction`,
    };
  }

  const explorers = {
    gradient_descent_valley: gradientDescentValley,
    momentum_explorer: momentumExplorer,
    nesterov_explorer: nesterovExplorer,
    intro_hero: introHero,
    conventions_schedule: conventionsSchedule,
    adaptive_explorer: adaptiveExplorer,
    adam_internals: adamInternals,
  };

  return { explorers, compute: (name, data, values) => explorers[name](data, values) };
});
