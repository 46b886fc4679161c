/* gdlive-dynamics: the live explorers of "The limits of the heavy ball" and "Momentum as physics".
 *
 * What each computes, as its Python widget does (gdbook.viz.momentum_limits.noise_explorer,
 * gdbook.viz.physics.physics_explorer), under the names of the Python reference
 * (gdbook.live.momentum_limits / gdbook.live.physics), against which tests/js checks it to
 * 1e-9; and how the page draws it (the view: panels, series, titles, legend), in the form
 * gdlive.js draws its own views with. No DOM.
 *
 * Loaded after gdlive-explorers.js and before gdlive.js: in a browser it adds its compute
 * functions to GDLiveExplorers.explorers and its views to GDLiveViews; in Node it exports
 * { explorers, views } (gdlive-explorers.js merges the explorers into its own export).
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("./gdlive-core.js"));
  } else {
    const own = factory(root.GDLiveCore);
    root.GDLiveDynamics = own;
    if (root.GDLiveExplorers) Object.assign(root.GDLiveExplorers.explorers, own.explorers);
    root.GDLiveViews = Object.assign(root.GDLiveViews || {}, own.views);
  }
})(typeof self !== "undefined" ? self : this, function (core) {
  "use strict";

  /** Python's round(): to the nearest integer, an exact tie to the even one. */
  function pyRound(x) {
    const down = Math.floor(x);
    const rest = x - down;
    if (rest > 0.5) return down + 1;
    if (rest < 0.5) return down;
    return down % 2 === 0 ? down : down + 1;
  }

  /** numpy.linspace(start, stop, num): start + k step, the last point exactly stop. */
  function linspace(start, stop, num) {
    const step = (stop - start) / (num - 1);
    const out = [];
    for (let k = 0; k < num; k++) out.push(k * step + start);
    if (num > 1) out[num - 1] = stop;
    return out;
  }

  // ------------------------------------------------------------------------------------
  // The limits of the heavy ball: the noise floor (gdbook.momentum_limits)
  // ------------------------------------------------------------------------------------

  /**
   * gdbook.momentum_limits.heavy_ball_mean_square: exact E||x_k - x*||^2, k = 0..n, of
   * momentum with gradients grad f + sigma xi, from rest at the error coordinates y0. Per
   * eigenvalue the second moments (E b^2, E b y, E y^2) follow M = R M R^T + sigma^2 c c^T,
   * R = [[beta, lambda], [-eta beta, 1 - eta lambda]], c = (1, -eta).
   */
  function heavyBallMeanSquare(eta, beta, eigenvalues, sigma, y0, numSteps) {
    const r11 = beta;
    const r21 = -eta * beta + 0.0;
    const noiseBB = sigma ** 2;
    const noiseBX = -eta * sigma ** 2;
    const noiseYY = eta ** 2 * sigma ** 2;
    // one direction at a time (they are independent), then the sum over directions per step
    const perDirection = eigenvalues.map((lam, i) => {
      const r12 = lam;
      const r22 = 1.0 - eta * lam;
      let [bb, bx, yy] = [0.0, 0.0, y0[i] ** 2];
      const out = new Array(numSteps + 1);
      out[0] = yy;
      for (let k = 1; k <= numSteps; k++) {
        [bb, bx, yy] = [
          r11 * r11 * bb + 2 * r11 * r12 * bx + r12 * r12 * yy + noiseBB,
          r11 * r21 * bb + (r11 * r22 + r12 * r21) * bx + r12 * r22 * yy + noiseBX,
          r21 * r21 * bb + 2 * r21 * r22 * bx + r22 * r22 * yy + noiseYY,
        ];
        out[k] = yy;
      }
      return out;
    });
    const total = new Array(numSteps + 1);
    for (let k = 0; k <= numSteps; k++) {
      let sum = perDirection[0][k];
      for (let i = 1; i < perDirection.length; i++) sum += perDirection[i][k];
      total[k] = sum;
    }
    return total;
  }

  /** gdbook.momentum_limits.heavy_ball_noise_floor: the stationary E||x - x*||^2. */
  function heavyBallNoiseFloor(eta, beta, eigenvalues, sigma) {
    return eigenvalues
      .map((lam) => (eta * sigma ** 2 * (1.0 + beta)) / (lam * (1.0 - beta) * (2.0 * (1.0 + beta) - eta * lam)))
      .reduce((sum, v) => sum + v);
  }

  /** gdbook.momentum_limits.floor_ratio_at_effective_step: (1+b)(2-a) / (2(1+b) - (1-b)a). */
  const floorRatioAtEffectiveStep = (a, beta) =>
    ((1 + beta) * (2 - a)) / (2 * (1 + beta) - (1 - beta) * a);

  /** gdbook.viz.momentum_limits.noise_explorer (its _noise_curves and what draw plots). */
  function momentumLimitsNoise(data, { learning_rate, beta }) {
    const lam = data.eigenvalues;
    const effective = learning_rate / (1 - beta);
    const runs = [
      [data.names[0], learning_rate, beta],
      [data.names[1], learning_rate, 0.0],
    ];
    if (effective * Math.max(...lam) < 2) runs.push([data.names[2], effective, 0.0]);
    const curves = {};
    const floors = {};
    for (const [name, eta, b] of runs) {
      curves[name] = heavyBallMeanSquare(eta, b, lam, data.sigma, data.y0, data.steps);
      floors[name] = heavyBallNoiseFloor(eta, b, lam, data.sigma);
    }
    const a = lam.map((l) => effective * l);
    const grid = linspace(...data.grid);
    return {
      shown: runs.map(([name]) => name),
      curves,
      floors,
      effective_steps: a,
      ratio: grid.map((x) => floorRatioAtEffectiveStep(x, beta)),
      marks: a.filter((x) => x < 2).map((x) => [x, floorRatioAtEffectiveStep(x, beta)]),
    };
  }

  // ------------------------------------------------------------------------------------
  // Momentum as physics: the ball with drag (gdbook.physics.roll)
  // ------------------------------------------------------------------------------------

  const speed = (v) => core.norm(v);

  /** gdbook.physics._FLOWS: the drag's exact decay of the velocity over `time`. */
  const flows = {
    viscous: (v, c, t) => {
      const keep = Math.exp(-c * t);
      return v.map((x) => x * keep);
    },
    turbulent: (v, c, t) => {
      const s = speed(v);
      return v.map((x) => x / (1.0 + c * t * s));
    },
    dry: (v, c, t) => {
      const s = speed(v);
      const keep = Math.max(1.0 - (s > 0 ? (c * t) / s : 0.0), 0.0) * (s > 0 ? 1 : 0);
      return v.map((x) => x * keep);
    },
  };

  /** gdbook.problems.quadratic from rest at the origin, in 1-D or (core.quadratic) 2-D. */
  function surfaceProblem(surface) {
    if (surface.eigenvalues.length === 2) return core.quadratic(surface.eigenvalues, surface.angle);
    const lam = surface.eigenvalues[0];
    return {
      eigenvalues: [lam],
      eigenvectors: [[1.0]],
      grad: (x) => [x[0] * lam],
      value: (x) => 0.5 * (x[0] * (x[0] * lam)),
      toEigenbasis: (x) => [x[0] * 1.0],
    };
  }

  /**
   * gdbook.physics.roll: w = v_k - h grad f(x_k), v_{k+1} = Phi_h(w) (the drag's exact
   * decay), x_{k+1} = x_k + h v_{k+1}, from rest at x0. Returns {time, position, velocity}.
   */
  function roll(grad, law, coefficient, x0, h, numSteps) {
    const flow = flows[law];
    if (!flow) throw new Error(`unknown drag law ${law}`);
    const dim = x0.length;
    let x = x0.slice();
    let v = new Array(dim).fill(0.0);
    const time = new Array(numSteps + 1);
    const position = new Array(numSteps + 1);
    const velocity = new Array(numSteps + 1);
    [time[0], position[0], velocity[0]] = [0, x, v];
    for (let k = 1; k <= numSteps; k++) {
      const g = grad(x);
      const w = new Array(dim);
      for (let i = 0; i < dim; i++) w[i] = v[i] - h * g[i];
      v = flow(w, coefficient, h);
      const next = new Array(dim);
      for (let i = 0; i < dim; i++) next[i] = x[i] + h * v[i];
      x = next;
      [time[k], position[k], velocity[k]] = [h * k, x, v];
    }
    return { time, position, velocity };
  }

  /** gdbook.viz.physics.explorer_run, and the distance and energy the widget reports. */
  function physicsExplorer(data, { law, coefficient, h, surface }) {
    const setting = data.surfaces[surface];
    if (!setting) throw new Error(`unknown surface ${surface}`);
    const problem = surfaceProblem(setting);
    const motion = roll(problem.grad, law, coefficient, setting.start, h, pyRound(data.time / h));
    const rows = motion.time.length;
    const dim = setting.start.length;
    const q = problem.eigenvectors;
    const [kinetic, potential, y] = [new Array(rows), new Array(rows), new Array(rows)];
    for (let k = 0; k < rows; k++) {
      const v = motion.velocity[k];
      let square = 0;
      for (let i = 0; i < dim; i++) square += v[i] * v[i];
      kinetic[k] = 0.5 * square;
      potential[k] = problem.value(motion.position[k]); // f* = 0
      y[k] = problem.toEigenbasis(motion.position[k]);
    }
    const e0 = kinetic[0] + potential[0];
    const root = Math.sqrt(2 * e0);
    const scale = y[0].map(Math.abs);
    const [coords, speeds, total] = [new Array(rows), new Array(rows), new Array(rows)];
    for (let k = 0; k < rows; k++) {
      const v = motion.velocity[k];
      const [c, s] = [new Array(dim), new Array(dim)];
      for (let j = 0; j < dim; j++) {
        c[j] = y[k][j] / scale[j];
        let along = 0; // (velocity @ eigenvectors)_j
        for (let i = 0; i < dim; i++) along += v[i] * q[i][j];
        s[j] = along / root;
      }
      [coords[k], speeds[k], total[k]] = [c, s, kinetic[k] + potential[k]];
    }
    const last = motion.position[rows - 1];
    return {
      time: motion.time,
      position: motion.position,
      coords,
      speeds,
      energies: [kinetic, potential, total].map((row) => row.map((e) => e / e0)),
      final_distance: core.norm(last),
      energy_left: total[rows - 1] / e0,
    };
  }

  const explorers = {
    momentum_limits_noise: momentumLimitsNoise,
    physics_explorer: physicsExplorer,
  };

  // ------------------------------------------------------------------------------------
  // The views (see gdlive.js: series definitions per panel, and draw(computed, values, spec))
  // ------------------------------------------------------------------------------------

  const fmt = core.pyFormat;
  const xy = (rows) => rows.map((p) => ({ x: p[0], y: p[1] }));
  const over = (xs, ys) => ys.map((y, k) => ({ x: xs[k], y }));
  /** Column i of `rows` over xs, as points. */
  const column = (xs, rows, i) => rows.map((r, k) => ({ x: xs[k], y: r[i] }));
  /** Points outside [low, high] (and not positive ones, for a log axis) made gaps, in place. */
  const inView = (points, axis) => {
    const [low, high] = [Math.min(axis.min, axis.max), Math.max(axis.min, axis.max)];
    const log = axis.scale === "log";
    for (const p of points) if (!(p.y >= low && p.y <= high && (!log || p.y > 0))) p.y = NaN;
    return points;
  };
  const hline = (y, axis) => (Number.isFinite(y) ? [{ x: axis.min, y }, { x: axis.max, y }] : []);

  const views = {
    momentum_limits_noise: {
      columns: 1,
      series: (c) => {
        const mean = [];
        for (const name of ["momentum", "GD at η", "GD at η/(1-β)"]) {
          mean.push({ key: `${name} floor`, color: c[name], width: 0.8, dash: [4, 3], fast: true });
          mean.push({ key: name, color: c[name], width: 1.5, fast: true });
        }
        return {
          mean,
          ratio: [
            { key: "ratio", color: c.momentum, width: 1.5, fast: true },
            { key: "marks", color: c.marks, points: 3.5, line: false },
          ],
        };
      },
      legend: (c, spec) => spec.data.names.map((name) => ({ label: name, color: c[name], kind: "line" })),
      draw(d, v, spec) {
        const y = spec.panels.mean.y;
        const x = spec.panels.mean.x;
        const steps = d.curves.momentum.map((_, k) => k);
        const out = { series: {}, titles: {}, notes: {} };
        for (const name of spec.data.names) {
          const shown = d.shown.includes(name);
          out.series[name] = shown ? inView(over(steps, d.curves[name]), y) : [];
          out.series[`${name} floor`] = shown ? hline(d.floors[name], x) : [];
        }
        out.series.ratio = over(linspace(...spec.data.grid), d.ratio);
        out.series.marks = xy(d.marks);
        out.titles.mean = `η = ${fmt(v.learning_rate, ".2f")}, β = ${fmt(v.beta, ".2f")}: floor ${fmt(d.floors.momentum, ".3f")}`;
        out.titles.ratio = spec.data.titles.ratio;
        out.notes.mean = d.shown.includes(spec.data.names[2]) ? "" : "GD at η/(1−β) is unstable: η/(1−β) ≥ 2/L";
        return out;
      },
    },

    physics_explorer: {
      columns: 2,
      spans: { energy: 2 },
      series: (c) => ({
        well: [{ key: "balls", color: c.ball, points: 3, line: false }],
        valley: [{ key: "path", color: c.ball, width: 1.0, fast: true }],
        position: [
          { key: "coord0", color: c.floor, width: 1.3, fast: true },
          { key: "coord1", color: c.wall, width: 1.3, fast: true },
        ],
        velocity: [
          { key: "speed0", color: c.floor, width: 1.3, fast: true },
          { key: "speed1", color: c.wall, width: 1.3, fast: true },
        ],
        energy: ["kinetic", "potential", "total"].map((name) => ({ key: name, color: c[name], width: 1.3, fast: true })),
      }),
      legend: (c) => [
        { label: "the well / the floor", color: c.floor, kind: "line" },
        { label: "the wall", color: c.wall, kind: "line" },
        { label: "kinetic", color: c.kinetic, kind: "line" },
        { label: "potential", color: c.potential, kind: "line" },
        { label: "total", color: c.total, kind: "line" },
      ],
      draw(d, v, spec) {
        const onWell = v.surface === "1-D well";
        const every = Math.max(1, pyRound(1.0 / v.h)); // a ball every time unit
        const out = { series: {}, titles: {}, notes: {} };
        out.series.balls = onWell
          ? d.position.filter((_, k) => k % every === 0).map((p) => ({ x: p[0], y: 0.5 * p[0] ** 2 }))
          : [];
        out.series.path = onWell ? [] : xy(d.position);
        for (let i = 0; i < 2; i++) {
          const shown = i < d.coords[0].length;
          out.series[`coord${i}`] = shown ? column(d.time, d.coords, i) : [];
          out.series[`speed${i}`] = shown ? column(d.time, d.speeds, i) : [];
        }
        ["kinetic", "potential", "total"].forEach((name, i) => {
          out.series[name] = inView(over(d.time, d.energies[i]), spec.panels.energy.y);
        });
        const name = v.law === "dry" ? "dry friction" : `${v.law} drag`;
        out.titles.well = `${name}, c = ${fmt(v.coefficient, ".3g")}, h = ${fmt(v.h, ".3g")}`;
        out.titles.valley = "the 2-D valley";
        out.titles.energy =
          `at t = ${fmt(spec.data.time, "g")}: distance ${fmt(d.final_distance, ".2g")} to the minimum, ` +
          `energy ${fmt(d.energy_left, ".2g")} E₀`;
        out.notes.well = onWell ? "" : "(surface: 1-D well)";
        out.notes.valley = onWell ? "(surface: 2-D valley)" : "";
        return out;
      },
    },
  };

  return {
    explorers,
    views,
    pyRound,
    linspace,
    heavyBallMeanSquare,
    heavyBallNoiseFloor,
    floorRatioAtEffectiveStep,
    flows,
    roll,
  };
});
