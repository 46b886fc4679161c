/* gdlive: the book's explorers drawn live in the page, with Chart.js.
 *
 * Every <div class="live-figure" data-live="NAME"> (written by tools/live_figures.py)
 * holds the figure's spec as JSON: its controls (those of the Python widget), the axes
 * of its panels and the explorer's data. This script builds the controls, one Chart.js
 * canvas per panel with the panel's static layer (a PNG rendered from the Python
 * explorer) under it, and redraws at every step of a control: GDLiveExplorers computes,
 * the view below maps what it computed to the panels' series and titles. Each redraw is
 * timed with performance.now() (el.gdLive.timings; the browser test reads them).
 * Without this script, or without Chart.js, the static picture stays.
 */
(function () {
  "use strict";

  const core = window.GDLiveCore;
  const explorers = window.GDLiveExplorers && window.GDLiveExplorers.explorers;
  const fmt = core && core.pyFormat;

  // ------------------------------------------------------------------------------------
  // Data helpers: rows [x, y] -> Chart.js points; NaN breaks a line
  // ------------------------------------------------------------------------------------

  const xy = (rows) => rows.map((p) => ({ x: p[0], y: p[1] }));
  const gap = { x: NaN, y: NaN };
  const joined = (curves) => curves.flatMap((c) => [...xy(c), gap]);
  const series = (values, x0 = 0) => values.map((y, k) => ({ x: k + x0, y }));
  const inView = (points, low, high) =>
    points.map((p) => (p.y >= low && p.y <= high ? p : { x: p.x, y: NaN }));
  const finite = (p) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

  /** Arrows from each base to base + delta, where both are finite. */
  function arrows(bases, deltas) {
    const out = [];
    bases.forEach((b, k) => {
      const d = deltas[k];
      if (finite(b) && d && finite(d)) out.push([b, [b[0] + d[0], b[1] + d[1]]]);
    });
    return out;
  }

  // ------------------------------------------------------------------------------------
  // The views: panels, series, legend, and draw(computed, values, spec)
  // ------------------------------------------------------------------------------------

  const GREY = "#999999";

  const views = {
    gradient_descent_valley: {
      columns: 1,
      series: (c) => ({
        valley: [
          { key: "levels", color: GREY, width: 0.8, fast: true },
          { key: "path", color: c.gd, points: 2 },
          { key: "cross", color: c.gd, points: 5, style: "crossRot", line: false, width: 2 },
        ],
        errors: [
          { key: "flat", color: c.flat, points: 2, line: false },
          { key: "steep", color: c.steep, points: 2, line: false },
          { key: "flat_predicted", color: c.flat, width: 1, fast: true },
          { key: "steep_predicted", color: c.steep, width: 1, fast: true },
        ],
      }),
      legend: (c) => [
        { label: "flat direction: run", color: c.flat, kind: "dot" },
        { label: "steep direction: run", color: c.steep, kind: "dot" },
        { label: "|1 − ηλᵢ|ᵏ |yᵢ,₀|", color: "#555555", kind: "line" },
      ],
      draw(d, v, spec) {
        const y = spec.panels.errors.y;
        const last = d.points[d.points.length - 1];
        const diverged = d.diverged_at >= 0;
        const col = (rows, i) => rows.map((r) => r[i]);
        return {
          series: {
            levels: joined(d.levels),
            path: xy(d.points),
            cross: diverged ? xy([last]) : [],
            flat: inView(series(col(d.errors, 0)), y.min, y.max),
            steep: inView(series(col(d.errors, 1)), y.min, y.max),
            flat_predicted: series(col(d.predicted, 0)),
            steep_predicted: series(col(d.predicted, 1)),
          },
          titles: {
            valley: `η = ${fmt(v.learning_rate, ".3g")}, κ = ${fmt(v.kappa, ".3g")}: ${d.verdict}`,
            errors: `slowest contraction ρ(η) = ${fmt(d.rate, ".3f")}`,
          },
          notes: {
            valley: diverged ? `diverged at step ${d.diverged_at} (|x| > ${fmt(spec.data.bound, "g")})` : "",
          },
        };
      },
    },

    momentum_explorer: {
      columns: 2,
      series: (c) => ({
        valley: [
          { key: "path", color: c.momentum, points: 2 },
          { key: "start", color: c.momentum, points: 4, style: "rect", line: false },
          { key: "coast", color: c.coast, arrows: true },
        ],
        rate: [{ key: "marker", color: "#ffffff", points: 6, line: false, hollow: true, width: 2 }],
      }),
      draw(d, v, spec) {
        const shown = d.points.filter(finite);
        return {
          series: {
            path: xy(shown),
            start: xy([spec.data.start]),
            coast: arrows(d.points, d.arrows),
            marker: [{ x: v.learning_rate, y: v.beta }],
          },
          titles: {
            valley: `η = ${fmt(v.learning_rate, ".2f")}, β = ${fmt(v.beta, ".2f")}; arrows: −ηβ bₖ`,
            rate: `rate ${fmt(d.rate, ".3f")}; flat / steep direction: ${d.regimes[0]} / ${d.regimes[1]}`,
          },
          notes: { valley: d.diverged ? "diverged" : "" },
        };
      },
    },

    nesterov_explorer: {
      columns: 2,
      series: (c) => ({
        valley: [
          { key: "hb", color: c["heavy ball"], points: 2 },
          { key: "nag", color: c.Nesterov, points: 2 },
          { key: "ahead", color: c.lookahead, arrows: true },
        ],
        errors: [
          { key: "hb_error", color: c["heavy ball"], width: 1.5, fast: true },
          { key: "nag_error", color: c.Nesterov, width: 1.5, fast: true },
        ],
      }),
      legend: (c) => [
        { label: "heavy ball", color: c["heavy ball"], kind: "line" },
        { label: "Nesterov", color: c.Nesterov, kind: "line" },
        { label: "look-ahead", color: c.lookahead, kind: "arrow" },
      ],
      draw(d, v, spec) {
        const y = spec.panels.errors.y;
        const delta = d.Nesterov.map((t, k) => [d.lookahead[k][0] - t[0], d.lookahead[k][1] - t[1]]);
        return {
          series: {
            hb: xy(d["heavy ball"]),
            nag: xy(d.Nesterov),
            ahead: arrows(d.Nesterov, delta),
            hb_error: inView(series(d["heavy ball error"]), y.min, y.max),
            nag_error: inView(series(d["Nesterov error"]), y.min, y.max),
          },
          titles: {
            valley: `η = ${fmt(v.learning_rate, ".2f")}, β = ${fmt(v.beta, ".2f")}; arrows: look-ahead`,
            errors: `rates ${fmt(d.rates["heavy ball"], ".3f")} (HB), ${fmt(d.rates.Nesterov, ".3f")} (Nesterov)`,
          },
        };
      },
    },

    intro_hero: {
      columns: 3,
      spans: { loss: 3 },
      series: (c) => {
        const out = { loss: [] };
        for (const name of ["gd", "momentum", "adam"]) {
          out[name] = [
            { key: `${name}_levels`, color: "#b3b3b3", width: 0.8, fast: true },
            { key: `${name}_path`, color: c[name], points: 1.6, width: 1 },
          ];
          out.loss.push({ key: `${name}_loss`, color: c[name], width: 1.5, fast: true });
          out.loss.push({ key: `${name}_arrival`, color: c[name], points: 4, line: false });
        }
        return out;
      },
      draw(d, v, spec) {
        const out = { series: {}, titles: {}, notes: {} };
        const counts = [];
        for (const name of spec.data.methods) {
          const m = d[name];
          out.series[`${name}_levels`] = joined(d.levels);
          out.series[`${name}_path`] = xy(m.path);
          out.series[`${name}_loss`] = series(m.log_loss);
          const k = m.steps_to_tolerance;
          out.series[`${name}_arrival`] = k >= 0 ? [{ x: k, y: m.log_loss[k] }] : [];
          out.titles[name] = spec.data.labels[name];
          out.notes[name] =
            m.diverged_at >= 0 ? `diverged at step ${m.diverged_at}` : k >= 0 ? "" : "tolerance not reached";
          counts.push(`${spec.data.labels[name]} ${k >= 0 ? k : "–"}`);
        }
        out.titles.loss = `steps to f − f* ≤ ${fmt(spec.data.tol, "g")}: ${counts.join(", ")}`;
        return out;
      },
      titleColors: (c) => ({ gd: c.gd, momentum: c.momentum, adam: c.adam }),
    },

    conventions_schedule: {
      columns: 2,
      ratios: "0.8fr 1.25fr",
      series: (c) => ({
        valley: [
          { key: "shared", color: "#8c8c8c", points: 2, width: 1.1 },
          { key: "sum_path", color: c.sum, points: 2, width: 1.1 },
          { key: "inside_path", color: c.inside, points: 2, width: 1.1 },
          { key: "sum_switch", color: c.sum, points: 4.5, line: false, hollow: true, width: 1.5 },
          { key: "inside_switch", color: c.inside, points: 4.5, line: false, hollow: true, width: 1.5 },
        ],
        lengths: [
          { key: "marker", color: "#808080", width: 0.8, dash: [4, 3], fast: true },
          { key: "sum_lengths", color: c.sum, points: 2, width: 1.2 },
          { key: "inside_lengths", color: c.inside, points: 2, width: 1.2 },
        ],
      }),
      legend: (c, spec) => [
        { label: "both forms", color: "#8c8c8c", kind: "line" },
        { label: spec.data.labels.sum, color: c.sum, kind: "line" },
        { label: spec.data.labels.inside, color: c.inside, kind: "line" },
      ],
      draw(d, v, spec) {
        const at = v.at;
        const y = spec.panels.lengths.y;
        const out = { series: {}, titles: {}, notes: {} };
        out.series.shared = xy(d.inside.points.slice(0, at + 1));
        for (const form of spec.data.forms) {
          out.series[`${form}_path`] = xy(d[form].points.slice(at));
          out.series[`${form}_switch`] = xy([d[form].points[at]]);
          out.series[`${form}_lengths`] = series(d[form].log_lengths, 1);
        }
        out.series.marker = [{ x: at + 0.5, y: y.min }, { x: at + 0.5, y: y.max }];
        out.titles.valley = `rate × ${fmt(v.factor, ".3g")} after update ${at}, β = ${fmt(v.beta, ".2f")}`;
        out.titles.lengths = `final gap ${fmt(d.final_gap, ".3g")}`;
        return out;
      },
    },

    adaptive_explorer: {
      columns: 2,
      series: (c) => ({
        valley: [
          { key: "levels", color: GREY, width: 0.6, fast: true },
          { key: "path", color: c.path, points: 1.4, width: 1 },
          { key: "start", color: c.path, points: 3, style: "rect", line: false },
          { key: "star", color: c.star, points: 6, style: "star", line: false, border: 1.5 },
        ],
        rates: [
          { key: "x1", color: c.x1, width: 1.5, fast: true },
          { key: "x2", color: c.x2, width: 1.5, fast: true },
        ],
      }),
      legend: (c) => [
        { label: "coordinate x₁", color: c.x1, kind: "line" },
        { label: "coordinate x₂", color: c.x2, kind: "line" },
      ],
      draw(d, v, spec) {
        const y = spec.panels.rates.y;
        const col = (rows, i) => rows.map((r) => r[i]);
        return {
          series: {
            levels: joined(d.levels),
            path: xy(d.points),
            start: xy([d.start]),
            star: [{ x: 0, y: 0 }],
            x1: inView(series(col(d.rates, 0), 1), y.min, y.max), // rate of step t = 1, 2, ...
            x2: inView(series(col(d.rates, 1), 1), y.min, y.max),
          },
          titles: d.titles,
        };
      },
    },

    adam_internals: {
      columns: 2,
      ratios: "1.6fr 1fr",
      padding: { steps: { top: 16, right: 8 } }, // room for a label over a full bar
      series: (c) => ({
        valley: [
          { key: "current", color: c.current, points: 4, line: false },
          { key: "arrow", color: c.current, width: 2 },
          { key: "done", color: c.done, points: 1.5, width: 1 },
          { key: "path", color: c.path, points: 1.2, width: 0.7 },
        ],
        steps: [
          { key: "bars", bars: 0.5, fast: true },
          { key: "labels", color: "#000000", texts: 11, fast: true },
        ],
      }),
      draw(d, v, spec) {
        const t = v.step;
        const p = d.points;
        const limit = spec.data.bar_limit;
        const colors = [spec.colors.x1, spec.colors.x2];
        // viz.adam._draw_internals: bars clipped to the limit, labels with the true value
        const shown = d.internals.step.map((s) => Math.min(limit, Math.max(-limit, s / spec.data.learning_rate)));
        return {
          series: {
            path: xy(p),
            done: xy(p.slice(0, t + 1)),
            current: xy([p[t]]),
            arrow: xy(p.slice(t - 1, t + 1)),
            bars: shown.map((h, i) => ({ x: i, y: h, color: colors[i] })),
            labels: shown.map((h, i) => ({ x: i, y: h >= 0 ? h : h - 0.45, text: d.bar_labels[i] })),
          },
          titles: { steps: d.title },
          boxes: { valley: d.table },
        };
      },
    },
  };

  // ------------------------------------------------------------------------------------
  // Charts: one per panel, axes from the spec, the static layer under the series
  // ------------------------------------------------------------------------------------

  function scaleOptions(axis, shown) {
    const labels = new Map(axis.ticks.map(([value, text]) => [value, text]));
    return {
      type: axis.scale === "log" ? "logarithmic" : "linear",
      min: Math.min(axis.min, axis.max),
      max: Math.max(axis.min, axis.max),
      reverse: axis.min > axis.max,
      display: shown,
      grid: { display: false },
      border: { display: shown, color: "#333333" },
      title: { display: shown && !!axis.label, text: axis.label, padding: 2 },
      afterBuildTicks(scale) {
        scale.ticks = axis.ticks.map(([value]) => ({ value }));
      },
      ticks: {
        autoSkip: false,
        maxRotation: 0,
        color: "#333333",
        callback: (value) => (labels.has(value) ? labels.get(value) : ""),
      },
    };
  }

  function datasets(defs) {
    const out = [];
    for (const s of defs.filter((d) => !d.fast)) {
      const base = {
        label: s.key,
        data: [],
        borderColor: s.color,
        backgroundColor: s.hollow ? "rgba(0,0,0,0)" : s.color,
        borderWidth: s.width || 1.3,
        pointRadius: s.points || 0,
        pointStyle: s.style || "circle",
        pointBorderWidth: s.border ?? (s.hollow || s.style === "crossRot" ? s.width || 1.5 : 0),
        showLine: s.line !== false && !s.arrows,
        borderDash: s.dash || [],
        spanGaps: false,
      };
      if (s.arrows) {
        out.push({ ...base, label: `${s.key}:shaft`, showLine: true, pointRadius: 0, borderWidth: 1.6 });
        out.push({ ...base, label: `${s.key}:head`, pointRadius: 4, pointStyle: "triangle", pointBorderWidth: 0,
          rotation: (ctx) => headAngle(ctx) });  // prettier-ignore
      } else {
        out.push(base);
      }
    }
    return out;
  }

  /** The rotation (degrees, clockwise from up) of an arrow head, in screen coordinates. */
  function headAngle(ctx) {
    const raw = ctx.raw;
    const { x, y } = ctx.chart.scales;
    if (!raw || !raw.from || !x || !y) return 0;
    const dx = x.getPixelForValue(raw.x) - x.getPixelForValue(raw.from[0]);
    const dy = y.getPixelForValue(raw.y) - y.getPixelForValue(raw.from[1]);
    return (Math.atan2(dx, -dy) * 180) / Math.PI;
  }

  function layerPlugin(url) {
    if (!url) return { id: "gdliveLayer" };
    const image = new Image();
    image.src = url;
    image.alt = "";
    return {
      id: "gdliveLayer",
      install(chart) {
        image.addEventListener("load", () => chart.draw());
      },
      beforeDatasetsDraw(chart) {
        if (!image.complete || !image.naturalWidth) return;
        const a = chart.chartArea;
        chart.ctx.drawImage(image, a.left, a.top, a.right - a.left, a.bottom - a.top);
      },
    };
  }

  /** Bars from 0 to each point's y, `width` data units wide, in the point's colour. */
  function fillBars(ctx, scales, line) {
    const half = line.bars / 2;
    for (const p of line.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      const left = scales.x.getPixelForValue(p.x - half);
      const right = scales.x.getPixelForValue(p.x + half);
      const base = scales.y.getPixelForValue(0);
      const top = scales.y.getPixelForValue(p.y);
      ctx.fillStyle = p.color || line.color;
      ctx.fillRect(Math.min(left, right), Math.min(base, top), Math.abs(right - left), Math.abs(top - base));
    }
  }

  /** Each point's text, centred above it (matplotlib's ha="center", va="bottom"), `texts` px. */
  function fillTexts(ctx, scales, line) {
    ctx.fillStyle = line.color;
    ctx.font = `${line.texts}px ${window.Chart.defaults.font.family}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    for (const p of line.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || !p.text) continue;
      ctx.fillText(p.text, scales.x.getPixelForValue(p.x), scales.y.getPixelForValue(p.y));
    }
  }

  /**
   * Dense curves without markers (level sets, loss curves, predictions) are stroked by
   * this plugin straight through the chart's scales, under the datasets: as datasets,
   * Chart.js would make and update an element for each of their thousands of points.
   * A series with `bars: width` is filled as bars, one with `texts: size` written as
   * text (not clipped to the plot area, as matplotlib does not clip its texts).
   */
  const fastLines = {
    id: "gdliveFast",
    beforeDatasetsDraw(chart) {
      const all = chart.$gdliveFast || [];
      const lines = all.filter((line) => !line.texts);
      const { ctx, chartArea: a, scales } = chart;
      const logY = scales.y.type === "logarithmic";
      ctx.save();
      ctx.beginPath();
      ctx.rect(a.left, a.top, a.right - a.left, a.bottom - a.top);
      ctx.clip();
      for (const line of lines) {
        if (line.bars) {
          fillBars(ctx, scales, line);
          continue;
        }
        ctx.beginPath();
        ctx.strokeStyle = line.color;
        ctx.lineWidth = line.width;
        ctx.setLineDash(line.dash || []);
        let pen = false;
        for (const p of line.points) {
          if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || (logY && p.y <= 0)) {
            pen = false;
            continue;
          }
          const px = scales.x.getPixelForValue(p.x);
          const py = scales.y.getPixelForValue(p.y);
          if (pen) ctx.lineTo(px, py);
          else ctx.moveTo(px, py);
          pen = true;
        }
        ctx.stroke();
      }
      ctx.restore();
      ctx.save();
      for (const line of all.filter((l) => l.texts)) fillTexts(ctx, scales, line);
      ctx.restore();
    },
  };

  function makeChart(canvas, panel, defs, layerUrl, padding) {
    const shown = panel.frame && !panel.equal;
    return new window.Chart(canvas, {
      type: "scatter",
      data: { datasets: datasets(defs) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        events: [],
        parsing: false,
        normalized: true,
        layout: { padding: padding || (shown ? { top: 4, right: 8 } : 0) },
        plugins: { legend: { display: false }, tooltip: { enabled: false }, title: { display: false } },
        scales: { x: scaleOptions(panel.x, shown), y: scaleOptions(panel.y, shown) },
      },
      plugins: [layerPlugin(layerUrl), fastLines],
    });
  }

  // ------------------------------------------------------------------------------------
  // Controls: the Python widget's, one HTML control each
  // ------------------------------------------------------------------------------------

  function makeControl(control, values, redraw) {
    const row = document.createElement("label");
    row.className = "live-control";
    const name = document.createElement("span");
    name.className = "live-control-label";
    name.textContent = control.label;
    row.appendChild(name);
    const readout = document.createElement("output");
    let input;
    if (control.type === "range") {
      input = document.createElement("input");
      input.type = "range";
      const log = control.log_base;
      input.min = control.min;
      input.max = control.max;
      input.step = control.step;
      input.value = log ? Math.log(control.value) / Math.log(log) : control.value;
      const show = () => (readout.textContent = fmt(values[control.name], control.format || "g"));
      input.addEventListener("input", () => {
        const position = Number(input.value);
        values[control.name] = control.integer
          ? Math.round(position)
          : log
            ? log ** position
            : position;
        redraw();
        show(); // after the redraw (see redraw's texts)
      });
      show();
    } else if (control.type === "choice") {
      input = document.createElement("select");
      control.options.forEach((option, i) => {
        const item = document.createElement("option");
        item.value = String(i);
        item.textContent = control.labels[i];
        item.selected = option === control.value;
        input.appendChild(item);
      });
      input.addEventListener("input", () => {
        values[control.name] = control.options[Number(input.value)];
        redraw();
      });
    } else {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = !!control.value;
      input.addEventListener("input", () => {
        values[control.name] = input.checked;
        redraw();
      });
    }
    input.name = control.name;
    input.setAttribute("aria-label", control.label);
    row.appendChild(input);
    row.appendChild(readout);
    return row;
  }

  function makeLegend(items) {
    const legend = document.createElement("div");
    legend.className = "live-legend";
    for (const item of items) {
      const entry = document.createElement("span");
      entry.className = `live-key live-key-${item.kind}`;
      entry.style.setProperty("--key-color", item.color);
      entry.textContent = item.label;
      legend.appendChild(entry);
    }
    return legend;
  }

  // ------------------------------------------------------------------------------------
  // Mounting one figure
  // ------------------------------------------------------------------------------------

  function toChartData(points, def) {
    if (!def.arrows) return points;
    const shafts = [];
    const heads = [];
    for (const [from, to] of points) {
      shafts.push({ x: from[0], y: from[1] }, { x: to[0], y: to[1] }, gap);
      heads.push({ x: to[0], y: to[1], from });
    }
    return [shafts, heads];
  }

  /**
   * Put `points` into a dataset's data array in place: Chart.js then keeps its elements
   * (a new array makes it build every point element again, the largest part of a redraw).
   */
  function assign(dataset, points) {
    const data = dataset.data;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      if (i < data.length) {
        data[i].x = p.x;
        data[i].y = p.y;
        data[i].from = p.from;
      } else {
        data[i] = { x: p.x, y: p.y, from: p.from }; // not push(): Chart.js listens to it
      }
    }
    data.length = points.length;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function mount(el) {
    const spec = JSON.parse(el.querySelector("script.live-spec").textContent);
    const view = views[spec.name] || (window.GDLiveViews || {})[spec.name]; // gdlive-dynamics.js
    const compute = explorers && explorers[spec.name];
    if (!view || !compute || !window.Chart) return;
    const values = Object.fromEntries(spec.controls.map((c) => [c.name, c.value]));
    const defs = view.series(spec.colors);
    const titleColors = view.titleColors ? view.titleColors(spec.colors) : {};

    const controls = document.createElement("div");
    controls.className = "live-controls";
    const grid = document.createElement("div");
    grid.className = "live-panels";
    grid.style.setProperty("--live-columns", view.ratios || `repeat(${view.columns}, minmax(0, 1fr))`);
    const panels = {};
    for (const [key, panel] of Object.entries(spec.panels)) {
      const box = document.createElement("div");
      box.className = "live-panel";
      if (view.spans && view.spans[key]) box.style.gridColumn = `span ${view.spans[key]}`;
      const title = document.createElement("div");
      title.className = "live-title";
      if (titleColors[key]) title.style.color = titleColors[key];
      const area = document.createElement("div");
      area.className = "live-canvas";
      const aspect = panel.equal
        ? Math.abs(panel.x.max - panel.x.min) / Math.abs(panel.y.max - panel.y.min)
        : panel.box[0] / panel.box[1];
      area.style.aspectRatio = String(aspect);
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${spec.name}: ${key}`);
      const note = document.createElement("div");
      note.className = "live-note";
      const text = document.createElement("pre"); // a panel's text box (a table), if any
      text.className = "live-box";
      area.append(canvas, note, text);
      box.append(title, area);
      grid.appendChild(box);
      panels[key] = { title, note, text, canvas, panel };
    }
    el.append(controls, grid);
    if (view.legend) el.appendChild(makeLegend(view.legend(spec.colors, spec)));
    el.hidden = false;
    const host = el.closest("figure.live-host");
    if (host) host.classList.add("live-on");

    for (const [key, p] of Object.entries(panels)) {
      const url = p.panel.layer ? `${el.dataset.layers}${key}.png` : null;
      p.defs = defs[key] || [];
      p.chart = makeChart(p.canvas, p.panel, p.defs, url, view.padding && view.padding[key]);
    }

    const timings = [];
    function redraw() {
      const start = performance.now();
      const drawn = view.draw(compute(spec.data, values), values, spec);
      for (const [key, p] of Object.entries(panels)) {
        let i = 0;
        p.chart.$gdliveFast = p.defs
          .filter((def) => def.fast)
          .map((def) => ({ ...def, points: drawn.series[def.key] || [] }));
        for (const def of p.defs.filter((d) => !d.fast)) {
          const data = toChartData(drawn.series[def.key] || [], def);
          if (def.arrows) {
            assign(p.chart.data.datasets[i++], data[0]);
            assign(p.chart.data.datasets[i++], data[1]);
          } else {
            assign(p.chart.data.datasets[i++], data);
          }
        }
        p.chart.update("none");
      }
      // the texts last: a change of the page before a chart's update makes the browser
      // recompute the page's style when the chart sets its canvas font
      for (const [key, p] of Object.entries(panels)) {
        setText(p.title, (drawn.titles && drawn.titles[key]) || "");
        setText(p.note, (drawn.notes && drawn.notes[key]) || "");
        setText(p.text, (drawn.boxes && drawn.boxes[key]) || "");
      }
      timings.push(performance.now() - start);
      el.dataset.redraws = String(timings.length);
    }
    for (const control of spec.controls) controls.appendChild(makeControl(control, values, redraw));
    redraw();
    el.gdLive = { spec, values, redraw, timings, panels };
    el.dataset.ready = "1";
  }

  function boot() {
    for (const el of document.querySelectorAll(".live-figure[data-live]")) {
      try {
        mount(el);
      } catch (error) {
        el.hidden = true; // the static picture stays
        console.error(`live figure ${el.dataset.live}:`, error);
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
