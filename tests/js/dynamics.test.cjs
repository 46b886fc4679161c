// The live explorers of "The limits of the heavy ball" and "Momentum as physics"
// (web/live/gdlive-dynamics.js) against gdbook's fixtures to 1e-9, and against closed forms.
//
//   python -m gdbook.live export _build/live && node --test tests/js/   (make test-js)
//
// Fixtures: GDLIVE_FIXTURES (default _build/live/fixtures.json), written by
// gdbook.live.fixtures(); the two explorers' cases come from gdbook.live.momentum_limits
// and gdbook.live.physics. The closed forms below are written out here, not taken from the
// code under test: the SGD mean square of a quadratic, the heavy ball's stationary floor,
// the viscous ball as the heavy ball (gdbook.physics: eta = h^2 e^{-ch}, beta = e^{-ch}),
// the dead zone of dry friction, Python's round().
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const core = require(path.join(ROOT, "web/live/gdlive-core.js"));
const dynamics = require(path.join(ROOT, "web/live/gdlive-dynamics.js"));
const { explorers } = require(path.join(ROOT, "web/live/gdlive-explorers.js"));

const NAMES = ["momentum_limits_noise", "physics_explorer"];
const FIXTURES = process.env.GDLIVE_FIXTURES || path.join(ROOT, "_build/live/fixtures.json");
if (!fs.existsSync(FIXTURES)) {
  throw new Error(`${FIXTURES} is missing: run \`python -m gdbook.live export _build/live\` first`);
}
const fixtures = JSON.parse(fs.readFileSync(FIXTURES, "utf8"));
const TOL = fixtures.tolerance;
const worst = {};

const expected = (v) => (v === null ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

/** |js - py| <= tol * max(1, |py|), recursively; NaN must be NaN, strings equal. */
function close(actual, wanted, where, name) {
  if (Array.isArray(wanted)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${typeof actual}`);
    assert.equal(actual.length, wanted.length, `${where}: length`);
    wanted.forEach((w, i) => close(actual[i], w, `${where}[${i}]`, name));
    return;
  }
  if (wanted !== null && typeof wanted === "object") {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(wanted).sort(), `${where}: keys`);
    for (const key of Object.keys(wanted)) close(actual[key], wanted[key], `${where}.${key}`, name);
    return;
  }
  const want = expected(wanted);
  if (typeof want !== "number") {
    assert.equal(actual, want, where);
    return;
  }
  assert.equal(typeof actual, "number", `${where}: expected a number, got ${actual}`);
  if (!Number.isFinite(want)) {
    assert.ok(Object.is(actual, want) || (Number.isNaN(want) && Number.isNaN(actual)), `${where}: ${actual} != ${want}`);
    return;
  }
  const diff = Math.abs(actual - want) / Math.max(1, Math.abs(want));
  if (!worst[name] || diff > worst[name].diff) worst[name] = { diff, where };
  assert.ok(diff <= TOL, `${where}: JavaScript ${actual}, Python ${want} (relative ${diff})`);
}

for (const name of NAMES) {
  test(`${name}: every plotted quantity matches gdbook at every fixture setting`, async (t) => {
    const fixture = fixtures.explorers[name];
    assert.ok(fixture, `the fixtures have no ${name} (is gdbook.live.${name.split("_")[0]} registered?)`);
    assert.equal(explorers[name], dynamics.explorers[name], "gdlive-explorers.js exports it");
    assert.ok(fixture.cases.length >= 10);
    for (const [i, c] of fixture.cases.entries()) {
      await t.test(`${i}: ${JSON.stringify(c.values)}`, () => {
        close(dynamics.explorers[name](fixture.spec.data, c.values), c.expect, name, name);
      });
    }
  });

  test(`${name}: the view draws every series of every panel at every fixture setting`, () => {
    const fixture = fixtures.explorers[name];
    const view = dynamics.views[name];
    const spec = fixture.spec;
    const defs = view.series(spec.colors);
    assert.deepEqual(Object.keys(defs).sort(), Object.keys(spec.panels).sort(), "a series list per panel");
    for (const c of fixture.cases) {
      const drawn = view.draw(dynamics.explorers[name](spec.data, c.values), c.values, spec);
      for (const [panel, list] of Object.entries(defs)) {
        for (const def of list) {
          assert.ok(def.color, `${panel}.${def.key}: colour`);
          const points = drawn.series[def.key];
          assert.ok(Array.isArray(points), `${panel}.${def.key} drawn`);
          for (const p of points) assert.ok("x" in p && "y" in p, `${panel}.${def.key}: points`);
        }
      }
      for (const title of Object.values(drawn.titles)) assert.ok(!/undefined|NaN/.test(title), title);
    }
  });
}

// --------------------------------------------------------------------------------------
// The noise floor: closed forms
// --------------------------------------------------------------------------------------

test("mean square at beta = 0: the SGD closed form (1-a)^2k y^2 + eta^2 s^2 (1-(1-a)^2k)/(1-(1-a)^2)", () => {
  const [eta, sigma, lam, y0, n] = [0.3, 0.5, [0.1, 1.0], [2.0, -1.5], 60];
  const got = dynamics.heavyBallMeanSquare(eta, 0.0, lam, sigma, y0, n);
  for (let k = 0; k <= n; k++) {
    let want = 0;
    lam.forEach((l, i) => {
      const r2 = (1 - eta * l) ** 2;
      want += r2 ** k * y0[i] ** 2 + (eta ** 2 * sigma ** 2 * (1 - r2 ** k)) / (1 - r2);
    });
    assert.ok(Math.abs(got[k] - want) <= 1e-12 * Math.max(1, want), `k = ${k}: ${got[k]} vs ${want}`);
  }
});

test("mean square of momentum settles at the floor eta s^2 (1+b) / (lam (1-b) (2(1+b) - eta lam))", () => {
  for (const [eta, beta] of [[0.25, 0.75], [0.9, 0.5], [0.05, 0.9]]) {
    const lam = [0.1, 1.0];
    const curve = dynamics.heavyBallMeanSquare(eta, beta, lam, 0.5, [3.0, 1.0], 6000);
    const floor = lam.reduce((s, l) => s + (eta * 0.25 * (1 + beta)) / (l * (1 - beta) * (2 * (1 + beta) - eta * l)), 0);
    assert.ok(Math.abs(curve[curve.length - 1] - floor) <= 1e-10 * floor, `${eta}, ${beta}`);
    assert.ok(Math.abs(dynamics.heavyBallNoiseFloor(eta, beta, lam, 0.5) - floor) <= 1e-14 * floor);
  }
});

test("floor ratio: momentum's floor over GD's at eta/(1-beta), one direction, 1 at a = 0", () => {
  for (const [eta, beta, lam] of [[0.1, 0.5, 1.0], [0.02, 0.9, 0.3], [0.4, 0.2, 2.0]]) {
    const a = (eta * lam) / (1 - beta);
    const ratio = dynamics.heavyBallNoiseFloor(eta, beta, [lam], 1) / dynamics.heavyBallNoiseFloor(eta / (1 - beta), 0, [lam], 1);
    assert.ok(Math.abs(dynamics.floorRatioAtEffectiveStep(a, beta) - ratio) <= 1e-13, `${eta}, ${beta}, ${lam}`);
  }
  assert.equal(dynamics.floorRatioAtEffectiveStep(0, 0.7), 1);
});

// --------------------------------------------------------------------------------------
// The ball: closed forms
// --------------------------------------------------------------------------------------

test("viscous ball = heavy ball with eta = h^2 e^{-ch}, beta = e^{-ch} (x_k, from rest)", () => {
  const [c, h, n] = [0.5, 0.3, 80];
  const problem = core.quadratic([0.1, 1.0], Math.PI / 9);
  const ball = dynamics.roll(problem.grad, "viscous", c, [-3.5, 0.5], h, n);
  const beta = Math.exp(-c * h);
  const hb = core.run(core.rules.momentum({ learning_rate: h * h * beta, beta }), problem.grad, [-3.5, 0.5], n);
  ball.position.forEach((x, k) =>
    x.forEach((xi, i) => assert.ok(Math.abs(xi - hb.params[k][i]) <= 1e-12, `k = ${k}`)));
  ball.time.forEach((t, k) => assert.ok(Math.abs(t - k * h) <= 1e-15));
});

test("drag flows: viscous v e^{-ct}, turbulent v/(1 + ct|v|), dry |v| - ct down to rest", () => {
  const v = [3.0, -4.0]; // |v| = 5
  assert.deepEqual(dynamics.flows.viscous(v, 0.0, 1.0), v);
  const t = dynamics.flows.turbulent(v, 0.2, 0.5);
  assert.ok(Math.abs(core.norm(t) - 5 / 1.5) <= 1e-14);
  const d = dynamics.flows.dry(v, 2.0, 1.0);
  assert.ok(Math.abs(core.norm(d) - 3.0) <= 1e-14 && Math.abs(d[0] / d[1] + 0.75) <= 1e-14);
  assert.deepEqual(dynamics.flows.dry(v, 5.0, 1.0).map(Math.abs), [0, 0]);
  assert.deepEqual(dynamics.flows.dry([0.0, 0.0], 1.0, 1.0).map(Math.abs), [0, 0]);
});

test("dry friction: the ball comes to rest for good within the dead zone |x| <= c/lambda", () => {
  for (const c of [0.05, 0.3, 0.8]) {
    const ball = dynamics.roll((x) => [x[0]], "dry", c, [1.0], 0.05, 4000);
    const last = ball.position.length - 1;
    assert.equal(Math.abs(ball.velocity[last][0]), 0, `c = ${c}: at rest`);
    assert.ok(Math.abs(ball.position[last][0]) <= c + 1e-12, `c = ${c}: in the dead zone`);
    assert.equal(ball.position[last][0], ball.position[last - 100][0], `c = ${c}: for good`);
  }
});

test("the explorer's step counts use Python's round (ties to even)", () => {
  const cases = [[62.5, 62], [2.5, 2], [3.5, 4], [12.5, 12], [0.5, 0], [1.49, 1], [7, 7], [6.51, 7]];
  for (const [x, want] of cases) assert.equal(dynamics.pyRound(x), want, `round(${x})`);
  const data = fixtures.explorers.physics_explorer.spec.data;
  const run = dynamics.explorers.physics_explorer(data, { law: "viscous", coefficient: 0.5, h: 0.64, surface: "1-D well" });
  assert.equal(run.time.length, 63, "round(40 / 0.64) = round(62.5) = 62 steps");
});

test.after(() => {
  for (const [name, w] of Object.entries(worst)) {
    console.log(`# ${name}: worst relative difference JavaScript - Python ${w.diff.toExponential(2)} at ${w.where}`);
  }
});
