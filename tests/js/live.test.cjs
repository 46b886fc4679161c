// The JavaScript of the live figures against the Python library, to 1e-9.
//
//   python -m gdbook.live export _build/live && node --test tests/js/   (make test-js)
//
// The fixtures (GDLIVE_FIXTURES, default _build/live/fixtures.json) are written by gdbook:
// reference runs of every update rule, closed forms, Python's number formats, and every
// live explorer at its defaults, at the ends of each control and at random settings.
// Numbers must agree to |js - py| <= tol * max(1, |py|); NaN (null in JSON) must be NaN,
// infinities infinite, strings and integers equal. The worst difference is printed.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const core = require(path.join(ROOT, "web/live/gdlive-core.js"));
const { explorers } = require(path.join(ROOT, "web/live/gdlive-explorers.js"));

const FIXTURES = process.env.GDLIVE_FIXTURES || path.join(ROOT, "_build/live/fixtures.json");
if (!fs.existsSync(FIXTURES)) {
  throw new Error(`${FIXTURES} is missing: run \`python -m gdbook.live export _build/live\` first`);
}
const fixtures = JSON.parse(fs.readFileSync(FIXTURES, "utf8"));
const TOL = fixtures.tolerance;
const worst = { diff: 0, where: "" };
const worstOf = {}; // each rule and explorer -> its own worst difference
let scope = null; // the rule or explorer being checked

/** Python's JSON value (null for NaN, "inf" strings) as the number JavaScript computes. */
function expected(value) {
  if (value === null) return NaN;
  if (value === "inf") return Infinity;
  if (value === "-inf") return -Infinity;
  return value;
}

/** Compare `actual` with the Python value `wanted` recursively; `where` names the spot. */
function close(actual, wanted, where) {
  if (Array.isArray(wanted)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${typeof actual}`);
    assert.equal(actual.length, wanted.length, `${where}: length`);
    wanted.forEach((w, i) => close(actual[i], w, `${where}[${i}]`));
    return;
  }
  if (wanted !== null && typeof wanted === "object") {
    for (const key of Object.keys(wanted)) close(actual[key], wanted[key], `${where}.${key}`);
    return;
  }
  const want = expected(wanted);
  if (typeof want === "number") {
    assert.equal(typeof actual, "number", `${where}: expected a number, got ${actual}`);
    if (Number.isNaN(want) || !Number.isFinite(want)) {
      assert.ok(Object.is(actual, want) || (Number.isNaN(want) && Number.isNaN(actual)),
        `${where}: ${actual} != ${want}`);
      return;
    }
    const diff = Math.abs(actual - want) / Math.max(1, Math.abs(want));
    if (diff > worst.diff) Object.assign(worst, { diff, where });
    if (scope && !(scope in worstOf)) worstOf[scope] = { diff: 0, where: "" };
    if (scope && diff > worstOf[scope].diff) worstOf[scope] = { diff, where };
    assert.ok(diff <= TOL, `${where}: JavaScript ${actual}, Python ${want} (relative ${diff})`);
    return;
  }
  assert.equal(actual, want, where);
}

function hyper(value) {
  return value && typeof value === "object" && "step_decay" in value
    ? core.stepDecay(...value.step_decay)
    : value;
}

test("every update rule follows its Python reference run", async (t) => {
  for (const [i, c] of fixtures.rules.entries()) {
    await t.test(`${i}: ${c.rule} ${JSON.stringify(c.hyper)} on ${JSON.stringify(c.problem.eigenvalues)}`, () => {
      scope = `rule ${c.rule}`;
      const settings = Object.fromEntries(Object.entries(c.hyper).map(([k, v]) => [k, hyper(v)]));
      const problem = core.quadratic(c.problem.eigenvalues, c.problem.angle, c.problem.x_star);
      const traj = core.run(core.rules[c.rule](settings), problem.grad, c.x0, c.steps, c.bound);
      assert.equal(traj.divergedAt, c.diverged_at, "diverged_at");
      close(traj.params, c.params, "params");
      for (const [name, values] of Object.entries(c.fields)) {
        close(core.field(traj, name), values, name);
      }
    });
  }
});

test("every rule of the Python library has a JavaScript counterpart", () => {
  const rules = new Set(fixtures.rules.map((c) => c.rule));
  for (const rule of rules) assert.ok(rule in core.rules, `no JavaScript rule ${rule}`);
});

test("closed forms: rates, regimes, contraction predictions, level sets", () => {
  scope = "closed forms";
  const f = fixtures.closed_forms;
  f.eta.forEach((eta, i) => {
    const [beta, lam] = [f.beta[i], f.lam[i]];
    close(core.heavyBallRate(eta, beta, lam), f.heavy_ball_rate[i], `heavy_ball_rate[${i}]`);
    assert.equal(core.heavyBallRegime(eta, beta, lam), f.heavy_ball_regime[i], `regime[${i}]`);
    close(core.nesterovRate(eta, beta, lam), f.nesterov_rate[i], `nesterov_rate[${i}]`);
  });
  const e = f.eigen_errors;
  const problem = core.quadratic([1 / e.kappa, 1], e.angle);
  f.eta.forEach((eta, i) => close(core.gdSpectralRadius(eta, problem.eigenvalues), f.gd_spectral_radius[i], `rho[${i}]`));
  close(core.eigenErrors(e.eta, problem.eigenvalues, problem.toEigenbasis(e.start), e.steps), e.values, "eigen_errors");
  const l = f.level_sets;
  close(core.levelSets(core.quadratic([1 / l.kappa, 1], l.angle), l.levels), l.curves, "level_sets");
});

test("numbers are printed as Python's format() prints them", () => {
  for (const [value, spec, text] of fixtures.formats) {
    assert.equal(core.pyFormat(value, spec), text, `format(${value}, "${spec}")`);
  }
});

for (const [name, fixture] of Object.entries(fixtures.explorers)) {
  test(`explorer ${name}: every plotted quantity at ${fixture.cases.length} slider settings`, async (t) => {
    assert.ok(name in explorers, `no JavaScript explorer ${name}`);
    scope = `explorer ${name}`;
    for (const [i, c] of fixture.cases.entries()) {
      await t.test(`${i}: ${JSON.stringify(c.values)}`, () => {
        close(explorers[name](fixture.spec.data, c.values), c.expect, name);
      });
    }
  });
}

test("the slider grids and defaults of each page are the Python widget's", () => {
  for (const [name, fixture] of Object.entries(fixtures.explorers)) {
    for (const control of fixture.spec.controls) {
      assert.ok(control.label, `${name}.${control.name} has a label`);
      if (control.type === "range") {
        assert.ok(control.min < control.max && control.step > 0, `${name}.${control.name} range`);
      }
    }
  }
});

test.after(() => {
  for (const [name, w] of Object.entries(worstOf)) {
    console.log(`# ${name}: worst relative difference ${w.diff.toExponential(2)} ${w.where ? "at " + w.where : ""}`);
  }
  console.log(`# worst relative difference JavaScript - Python: ${worst.diff.toExponential(2)} at ${worst.where}`);
});
