/* gdlive-core: the book's update rules and what its explorers plot, in JavaScript.
 *
 * A port of gdbook (code/gdbook) for the live figures of the static book: the same
 * optimizers, composed from the same blocks (trace, nesterov_trace, ema, the Adam,
 * RMSProp and Adagrad directions, scale_by_learning_rate, chain), the same loop (run,
 * with its divergence bound), the same 2-D problems and closed forms (spectral radii,
 * regimes, level sets). Python stays the reference: `python -m gdbook.live export`
 * writes trajectories and values computed by gdbook, and tests/js/*.test.cjs checks this
 * file against them to 1e-9 (`make test-js`). Each function names its Python original.
 *
 * Plain script, no dependencies, no DOM: a browser gets it as window.GDLiveCore, Node as
 * require("web/live/gdlive-core.js"). Points are arrays [x1, x2] (any dimension works).
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.GDLiveCore = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ------------------------------------------------------------------------------------
  // Hyperparameters: a number, or a schedule t -> value (gdbook.checks.hyperparameter)
  // ------------------------------------------------------------------------------------

  function hyper(value) {
    return typeof value === "function" ? value : () => value;
  }

  const zerosLike = (x) => x.map(() => 0);

  // ------------------------------------------------------------------------------------
  // Blocks: (init, update) pairs on arrays, as in gdbook.base / momentum / adam / adaptive
  // ------------------------------------------------------------------------------------

  /** gdbook.base.chain: apply the parts left to right; the state is the list of theirs. */
  function chain(...parts) {
    return {
      init: (x) => parts.map((part) => part.init(x)),
      update(grads, state, params) {
        const next = [];
        let u = grads;
        parts.forEach((part, i) => {
          const [out, s] = part.update(u, state[i], params);
          u = out;
          next.push(s);
        });
        return [u, next];
      },
    };
  }

  /** gdbook.base.scale / scale_by_learning_rate: u = -eta_t g. */
  function scaleByLearningRate(learningRate) {
    const rate = hyper(learningRate);
    const constant = typeof learningRate !== "function";
    return {
      init: () => ({ step: 0 }),
      update(grads, state) {
        const step = state.step + 1;
        const factor = constant ? -rate(0) : -rate(step);
        return [grads.map((g) => factor * g), { step }];
      },
    };
  }

  /** gdbook.momentum.trace: b_t = beta_t b_{t-1} + u_t, emits b_t. */
  function trace(beta) {
    const b = hyper(beta);
    return {
      init: (x) => ({ step: 0, velocity: zerosLike(x) }),
      update(grads, state) {
        const step = state.step + 1;
        const velocity = state.velocity.map((v, i) => b(step) * v + grads[i]);
        return [velocity, { step, velocity }];
      },
    };
  }

  /** gdbook.base.ema_update: m = beta m + (1 - beta) u. */
  const emaUpdate = (average, next, decay) =>
    average.map((m, i) => decay * m + (1.0 - decay) * next[i]);

  /** gdbook.momentum.ema: m_t = beta m_{t-1} + (1 - beta) u_t, emits m_t. */
  function ema(beta) {
    const b = hyper(beta);
    return {
      init: (x) => ({ step: 0, velocity: zerosLike(x) }),
      update(grads, state) {
        const step = state.step + 1;
        const velocity = emaUpdate(state.velocity, grads, b(step));
        return [velocity, { step, velocity }];
      },
    };
  }

  /** gdbook.nesterov.nesterov_trace: b_t = beta_t b_{t-1} + u_t, emits u_t + beta' b_t. */
  function nesterovTrace(beta, nextBeta = false) {
    const b = hyper(beta);
    return {
      init: (x) => ({ step: 0, velocity: zerosLike(x) }),
      update(grads, state) {
        const step = state.step + 1;
        const velocity = state.velocity.map((v, i) => b(step) * v + grads[i]);
        const ahead = nextBeta ? b(step + 1) : b(step);
        return [grads.map((g, i) => g + ahead * velocity[i]), { step, velocity }];
      },
    };
  }

  /** gdbook.base.safe_divide: num / den, and 0 where den is not positive. */
  const safeDivide = (num, den) => (den > 0 ? num / den : 0.0);

  /** gdbook.adaptive.denominator: sqrt(v) + eps, or sqrt(v + eps). */
  const denominator = (v, eps, epsInSqrt) => (epsInSqrt ? Math.sqrt(v + eps) : Math.sqrt(v) + eps);

  /** gdbook.adaptive.scale_by_adagrad: g / (sqrt(s_t) + eps), s_t = s_{t-1} + g^2. */
  function scaleByAdagrad(eps = 1e-10, initial = 0.0, epsInSqrt = false) {
    return {
      init: (x) => ({ step: 0, sum_of_squares: x.map(() => initial + 0) }),
      update(grads, state) {
        const s = state.sum_of_squares.map((v, i) => v + grads[i] * grads[i]);
        const direction = grads.map((g, i) => safeDivide(g, denominator(s[i], eps, epsInSqrt)));
        return [direction, { step: state.step + 1, sum_of_squares: s }];
      },
    };
  }

  /** gdbook.adaptive.scale_by_rms (not centred): g / (sqrt(v_t) + eps), v_t an EMA of g^2. */
  function scaleByRms(decay = 0.9, eps = 1e-8, epsInSqrt = false) {
    return {
      init: (x) => ({ step: 0, nu: zerosLike(x) }),
      update(grads, state) {
        const nu = emaUpdate(state.nu, grads.map((g) => g * g), decay);
        const direction = grads.map((g, i) => safeDivide(g, denominator(nu[i], eps, epsInSqrt)));
        return [direction, { step: state.step + 1, nu }];
      },
    };
  }

  /**
   * gdbook.adaptive.scale_by_adadelta: Delta_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) g_t,
   * v_t an EMA of g^2, then u_t an EMA of Delta_t^2 (Zeiler's Algorithm 1, eps in both roots).
   */
  function scaleByAdadelta(rho = 0.95, eps = 1e-6) {
    return {
      init: (x) => ({ step: 0, nu: zerosLike(x), delta_nu: zerosLike(x) }),
      update(grads, state) {
        const nu = emaUpdate(state.nu, grads.map((g) => g * g), rho); // E[g^2]_t
        const delta = grads.map((g, i) => (Math.sqrt(state.delta_nu[i] + eps) / Math.sqrt(nu[i] + eps)) * g);
        const deltaNu = emaUpdate(state.delta_nu, delta.map((d) => d * d), rho); // E[dx^2]_t
        return [delta, { step: state.step + 1, nu, delta_nu: deltaNu }];
      },
    };
  }

  /** gdbook.adam.scale_by_adam: m_hat / (sqrt(v_hat) + eps), Kingma & Ba's Algorithm 1. */
  function scaleByAdam(b1 = 0.9, b2 = 0.999, eps = 1e-8, biasCorrection = true) {
    return {
      init: (x) => ({ step: 0, mu: zerosLike(x), nu: zerosLike(x) }),
      update(grads, state) {
        const step = state.step + 1;
        const mu = emaUpdate(state.mu, grads, b1);
        const nu = emaUpdate(state.nu, grads.map((g) => g * g), b2);
        const c1 = biasCorrection ? 1.0 - b1 ** step : 1.0;
        const c2 = biasCorrection ? 1.0 - b2 ** step : 1.0;
        const direction = mu.map((m, i) => {
          const mHat = biasCorrection ? m / c1 : m;
          const vHat = biasCorrection ? nu[i] / c2 : nu[i];
          return safeDivide(mHat, Math.sqrt(vHat) + eps);
        });
        return [direction, { step, mu, nu }];
      },
    };
  }

  // ------------------------------------------------------------------------------------
  // The named optimizers (gdbook.catalog), each as its Python factory composes it
  // ------------------------------------------------------------------------------------

  const rules = {
    /** gdbook.gradient_descent.gradient_descent */
    gradient_descent: ({ learning_rate }) => scaleByLearningRate(learning_rate),
    /** gdbook.momentum.momentum: the sum form, b = beta b + g, x -= eta b */
    momentum: ({ learning_rate, beta = 0.9 }) =>
      chain(trace(beta), scaleByLearningRate(learning_rate)),
    /** gdbook.momentum.sutskever_momentum: the rate inside, v = beta v - eta g, x += v */
    sutskever_momentum: ({ learning_rate, beta = 0.9 }) =>
      chain(scaleByLearningRate(learning_rate), trace(beta)),
    /** gdbook.momentum.ema_momentum: m = beta m + (1 - beta) g, x -= eta m */
    ema_momentum: ({ learning_rate, beta = 0.9 }) =>
      chain(ema(beta), scaleByLearningRate(learning_rate)),
    /** gdbook.nesterov.nesterov: one buffer, look-ahead with beta_{t+1} */
    nesterov: ({ learning_rate, beta = 0.9 }) =>
      chain(nesterovTrace(beta, true), scaleByLearningRate(learning_rate)),
    /** gdbook.nesterov.bengio_nesterov: the Theta form, the rate inside */
    bengio_nesterov: ({ learning_rate, beta = 0.9 }) =>
      chain(scaleByLearningRate(learning_rate), nesterovTrace(beta, true)),
    /** gdbook.adaptive.adagrad */
    adagrad: ({ learning_rate = 1e-2, eps = 1e-10, initial_accumulator_value = 0.0, eps_in_sqrt = false }) =>
      chain(scaleByAdagrad(eps, initial_accumulator_value, eps_in_sqrt), scaleByLearningRate(learning_rate)),
    /** gdbook.adaptive.rmsprop (no momentum, not centred) */
    rmsprop: ({ learning_rate = 1e-2, decay = 0.9, eps = 1e-8, eps_in_sqrt = false }) =>
      chain(scaleByRms(decay, eps, eps_in_sqrt), scaleByLearningRate(learning_rate)),
    /** gdbook.adaptive.adadelta: eta = 1 is Zeiler's method */
    adadelta: ({ learning_rate = 1.0, rho = 0.95, eps = 1e-6 }) =>
      chain(scaleByAdadelta(rho, eps), scaleByLearningRate(learning_rate)),
    /** gdbook.adam.adam */
    adam: ({ learning_rate = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, bias_correction = true }) =>
      chain(scaleByAdam(b1, b2, eps, bias_correction), scaleByLearningRate(learning_rate)),
  };

  /** gdbook.conventions.step_decay: eta, then factor * eta after update `at`. */
  const stepDecay = (learningRate, at, factor) => (step) =>
    learningRate * (step > at ? factor : 1.0);

  // ------------------------------------------------------------------------------------
  // The one loop: gdbook.base.run
  // ------------------------------------------------------------------------------------

  /**
   * Iterate `opt` from x0 for numSteps updates. Returns {params, states, divergedAt}:
   * params holds x0 and every iterate; a point that is not finite or has a coordinate
   * beyond `bound` has diverged at that step, is recorded as NaN, and the run stops.
   */
  function run(opt, grad, x0, numSteps, bound = 1e8) {
    let x = x0.slice();
    let state = opt.init(x);
    const params = [x];
    const states = [state];
    let divergedAt = -1;
    for (let k = 1; k <= numSteps; k++) {
      const g = grad(x);
      const [step, next] = opt.update(g, state, x);
      state = next;
      x = x.map((xi, i) => xi + step[i]);
      if (!x.every((xi) => Number.isFinite(xi) && Math.abs(xi) <= bound)) {
        divergedAt = k;
        x = x.map(() => NaN);
      }
      params.push(x);
      states.push(state);
      if (divergedAt >= 0) break;
    }
    return { params, states, divergedAt };
  }

  /** Trajectory.field: a state field (velocity, mu, nu, ...) after every update. */
  function field(trajectory, name) {
    const find = (state) => {
      if (Array.isArray(state)) {
        for (const part of state) {
          const found = find(part);
          if (found !== undefined) return found;
        }
        return undefined;
      }
      return state && Object.prototype.hasOwnProperty.call(state, name) ? state[name] : undefined;
    };
    return trajectory.states.map((state) => {
      const value = find(state);
      if (value === undefined) throw new Error(`no state field ${name}`);
      return value;
    });
  }

  /** Trajectory.path: the iterates before the point diverged. */
  const path = (trajectory) =>
    trajectory.divergedAt < 0 ? trajectory.params : trajectory.params.slice(0, trajectory.divergedAt);

  /** Pad a run's rows with NaN to `rows` rows (the explorers' fixed-size arrays). */
  function pad(points, rows, dim = 2) {
    const out = points.slice(0, rows);
    while (out.length < rows) out.push(new Array(dim).fill(NaN));
    return out;
  }

  // ------------------------------------------------------------------------------------
  // Problems: gdbook.problems.quadratic in 2-D
  // ------------------------------------------------------------------------------------

  /** gdbook.problems.rotation_2d */
  function rotation2d(angle) {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    return [
      [c, -s],
      [s, c],
    ];
  }

  /**
   * gdbook.problems.quadratic(eigenvalues, angle=..., x_star=...) in 2-D:
   * f = 1/2 (x - x*)^T A (x - x*), A = Q diag(lambda) Q^T, eigenvalues sorted ascending
   * with their eigenvectors (the columns of Q).
   */
  function quadratic(eigenvalues, angle = 0.0, xStar = [0.0, 0.0]) {
    const q0 = rotation2d(angle);
    const order = eigenvalues.map((_, i) => i).sort((i, j) => eigenvalues[i] - eigenvalues[j]);
    const lam = order.map((i) => eigenvalues[i]);
    const q = q0.map((row) => order.map((j) => row[j]));
    const raw = [0, 1].map((i) => [0, 1].map((j) => q[i][0] * lam[0] * q[j][0] + q[i][1] * lam[1] * q[j][1]));
    const a = [0, 1].map((i) => [0, 1].map((j) => (raw[i][j] + raw[j][i]) / 2));
    const centre = xStar.slice();
    const error = (x) => [x[0] - centre[0], x[1] - centre[1]];
    return {
      matrix: a,
      eigenvalues: lam,
      eigenvectors: q,
      xStar: centre,
      grad(x) {
        const e = error(x);
        return [e[0] * a[0][0] + e[1] * a[1][0], e[0] * a[0][1] + e[1] * a[1][1]];
      },
      value(x) {
        const e = error(x);
        const ae = [a[0][0] * e[0] + a[0][1] * e[1], a[1][0] * e[0] + a[1][1] * e[1]];
        return 0.5 * (e[0] * ae[0] + e[1] * ae[1]);
      },
      /** Quadratic.to_eigenbasis: Q^T (x - x*) */
      toEigenbasis(x) {
        const e = error(x);
        return [e[0] * q[0][0] + e[1] * q[1][0], e[0] * q[0][1] + e[1] * q[1][1]];
      },
    };
  }

  /** gdbook.plotting.level_sets: the ellipses f - f* = c, `num` points each. */
  function levelSets(problem, levels, num = 161) {
    const q = problem.eigenvectors;
    return levels.map((c) => {
      const semi = problem.eigenvalues.map((lam) => Math.sqrt((2 * c) / lam));
      const curve = [];
      for (let i = 0; i < num; i++) {
        const t = (2 * Math.PI * i) / (num - 1);
        const u = [Math.cos(t) * semi[0], Math.sin(t) * semi[1]];
        curve.push([
          u[0] * q[0][0] + u[1] * q[0][1] + problem.xStar[0],
          u[0] * q[1][0] + u[1] * q[1][1] + problem.xStar[1],
        ]);
      }
      return curve;
    });
  }

  // ------------------------------------------------------------------------------------
  // Closed forms: rates and regimes
  // ------------------------------------------------------------------------------------

  /** gdbook.gradient_descent.spectral_radius: max_i |1 - eta lambda_i|. */
  const gdSpectralRadius = (eta, eigenvalues) =>
    Math.max(...eigenvalues.map((lam) => Math.abs(1.0 - eta * lam)));

  /** gdbook.gradient_descent.eigen_errors: (1 - eta lambda_i)^k y_{i,0}, k = 0..n. */
  function eigenErrors(eta, eigenvalues, y0, numSteps) {
    const factors = eigenvalues.map((lam) => 1.0 - eta * lam);
    const out = [];
    for (let k = 0; k <= numSteps; k++) out.push(factors.map((f, i) => f ** k * y0[i]));
    return out;
  }

  /** gdbook.momentum.heavy_ball_rate: the spectral radius of the heavy ball along lambda. */
  function heavyBallRate(eta, beta, lam) {
    const s = 1.0 + beta - eta * lam;
    const disc = s * s - 4.0 * beta;
    return disc < 0.0 ? Math.sqrt(beta) : 0.5 * (Math.abs(s) + Math.sqrt(Math.max(disc, 0.0)));
  }

  /** gdbook.momentum.heavy_ball_rate_on_spectrum: max(rho(mu), rho(L)). */
  const heavyBallRateOnSpectrum = (eta, beta, mu, L) =>
    Math.max(heavyBallRate(eta, beta, mu), heavyBallRate(eta, beta, L));

  /** gdbook.momentum.REGIMES and heavy_ball_regime. */
  const REGIMES = ["monotone", "ripples", "oscillating", "divergent"];
  function heavyBallRegime(eta, beta, lam) {
    const s = 1.0 + beta - eta * lam;
    const disc = s * s - 4.0 * beta;
    const code = disc < 0.0 ? 1 : s >= 0.0 ? 0 : 2;
    return heavyBallRate(eta, beta, lam) >= 1.0 ? 3 : code;
  }

  /** gdbook.nesterov.nesterov_rate: the spectral radius of Nesterov's method along lambda. */
  function nesterovRate(eta, beta, lam) {
    const s = (1.0 + beta) * (1.0 - eta * lam);
    const p = beta * (1.0 - eta * lam);
    const disc = s * s - 4.0 * p;
    return disc < 0.0 ? Math.sqrt(Math.abs(p)) : 0.5 * (Math.abs(s) + Math.sqrt(Math.max(disc, 0.0)));
  }

  /** gdbook.nesterov.nesterov_rate_on_spectrum */
  const nesterovRateOnSpectrum = (eta, beta, mu, L) =>
    Math.max(nesterovRate(eta, beta, mu), nesterovRate(eta, beta, L));

  /** gdbook.adaptive.effective_learning_rate: eta / (sqrt(s) + eps), or eta / sqrt(s + eps). */
  const effectiveLearningRate = (eta, secondMoment, eps, epsInSqrt = false) =>
    eta / denominator(secondMoment, eps, epsInSqrt);

  /** gdbook.adaptive.adadelta_effective_rate: eta sqrt(u_{t-1} + eps) / sqrt(v_t + eps). */
  const adadeltaEffectiveRate = (eta, nu, deltaNuPrev, eps) =>
    eta * (Math.sqrt(deltaNuPrev + eps) / Math.sqrt(nu + eps));

  /** gdbook.base.debias: m_t / (1 - beta^t). */
  const debias = (average, decay, step) => average.map((m) => m / (1.0 - decay ** step));

  /** gdbook.measure.first_step_below: the first k with values[k] <= tol, or -1. */
  function firstStepBelow(values, tol) {
    for (let k = 0; k < values.length; k++) if (values[k] <= tol) return k;
    return -1;
  }

  const norm = (v) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

  // ------------------------------------------------------------------------------------
  // Python's format mini-language, for readouts and titles (".3g", ".2f", "d", ".1e")
  // ------------------------------------------------------------------------------------

  function pyExponent(text) {
    // JS writes 1.5e+3 / 1.5e-7; Python 1.5e+03 / 1.5e-07
    return text.replace(/e([+-])(\d)$/, "e$10$2");
  }

  function stripZeros(text) {
    if (!text.includes(".")) return text;
    return text.replace(/\.?0+(e|$)/, "$1");
  }

  /**
   * x.toFixed(d) or x.toExponential(d), but an exact tie rounds to even as Python's
   * format() does (JavaScript rounds it away from zero: (2.5).toFixed(0) is "3", Python's
   * format(2.5, ".0f") is "2").
   */
  function roundEven(x, d, exponential) {
    const text = exponential ? x.toExponential(d) : x.toFixed(d);
    const long = exponential ? Math.abs(x).toExponential(d + 40) : Math.abs(x).toFixed(d + 40);
    const [digits, exp] = long.split("e");
    const cut = d > 0 ? digits.indexOf(".") + d + 1 : digits.indexOf(".");
    const kept = digits.slice(0, cut);
    const tail = digits.slice(cut).replace(".", "");
    if (!/^50*$/.test(tail) || Number(kept[kept.length - 1]) % 2 === 1) return text;
    return (x < 0 ? "-" : "") + kept + (exponential ? "e" + exp : "");
  }

  /**
   * format(value, spec) as Python prints it, for the specs the explorers use:
   * [<>^][+][width][.precision][gfed%] (numbers align right unless told otherwise).
   */
  function pyFormat(value, spec) {
    const match = /^([<>^]?)([+]?)(\d*)(?:\.(\d+))?([gfed%]?)$/.exec(spec || "g");
    if (!match) throw new Error(`unsupported format ${spec}`);
    const [, align, plus, width, digits, kind] = match;
    return padField(formatNumber(value, plus, digits, kind), Number(width || 0), align || ">");
  }

  /** Python's padding of a formatted field to `width` characters. */
  function padField(text, width, align) {
    const missing = Math.max(0, width - text.length);
    if (align === "<") return text + " ".repeat(missing);
    if (align === "^") return " ".repeat(Math.floor(missing / 2)) + text + " ".repeat(Math.ceil(missing / 2));
    return " ".repeat(missing) + text;
  }

  function formatNumber(value, plus, digits, kind) {
    let x = Number(value);
    let text;
    if (Number.isNaN(x)) text = "nan";
    else if (!Number.isFinite(x)) text = x > 0 ? "inf" : "-inf";
    else if (kind === "d") text = String(Math.round(x));
    else if (kind === "f") text = roundEven(x, digits === undefined ? 6 : Number(digits), false);
    else if (kind === "%") text = (100 * x).toFixed(digits === undefined ? 6 : Number(digits)) + "%";
    else if (kind === "e") text = pyExponent(roundEven(x, digits === undefined ? 6 : Number(digits), true));
    else {
      const p = Math.max(1, digits === undefined ? 6 : Number(digits));
      if (x === 0) text = Object.is(x, -0) ? "-0" : "0";
      else {
        const exp = Number(roundEven(x, p - 1, true).split("e")[1]);
        text =
          exp < -4 || exp >= p
            ? pyExponent(stripZeros(roundEven(x, p - 1, true)))
            : stripZeros(roundEven(x, Math.max(0, p - 1 - exp), false));
      }
    }
    if (plus && x >= 0 && !text.startsWith("-")) text = "+" + text;
    return text;
  }

  return {
    hyper,
    chain,
    scaleByLearningRate,
    trace,
    ema,
    emaUpdate,
    nesterovTrace,
    scaleByAdagrad,
    scaleByRms,
    scaleByAdadelta,
    scaleByAdam,
    safeDivide,
    rules,
    stepDecay,
    run,
    field,
    path,
    pad,
    rotation2d,
    quadratic,
    levelSets,
    gdSpectralRadius,
    eigenErrors,
    heavyBallRate,
    heavyBallRateOnSpectrum,
    REGIMES,
    heavyBallRegime,
    nesterovRate,
    nesterovRateOnSpectrum,
    effectiveLearningRate,
    adadeltaEffectiveRate,
    debias,
    firstStepBelow,
    norm,
    pyFormat,
  };
});
