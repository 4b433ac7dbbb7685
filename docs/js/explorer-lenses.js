// docs/js/explorer-lenses.js: the Grid Explorer's lenses: each one a reading of the grid.
//
// A lens says which cells it reads (the grid and the plot mark exactly those), gives its
// formula with the actual numbers, and says what it does and does not establish. The numbers
// come from datacf (datacf._explorer.explore, in the worker or at build time): utilities over
// the focus columns, LOO, Shapley, Banzhaf, Beta Shapley, the size curve, interactions, the
// best subset per size, and two edit grids: label flips (row F: every point, F's labels
// flipped) and collective action (row F: every point, F carrying a planted signal), each
// with its exhaustive extreme by the size of F.

import { rowName } from "./explorer-share.js";
import { LIMITS } from "./explorer-state.js";

const SVG = "http://www.w3.org/2000/svg";
const MINUS = "\u2212";
export const LENS_TITLES = {
  cell: "One cell",
  loo: "Leave-one-out",
  group: "Group leave-one-out (data strike)",
  column: "Evaluation counterfactual",
  interaction: "Pair interaction",
  shapley: "Shapley value",
  banzhaf: "Banzhaf value",
  beta: "Beta Shapley",
  scaling: "Size curve",
  best: "Best subset of a size",
  poison: "Label-flip poisoning (retrained)",
  collective: "Collective action: plant a signal",
  moving: "A point's value as it moves",
};

const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);
export const num = (v, digits = 3) => {
  const text = v.toFixed(digits);
  return (/[1-9]/.test(text) ? text : text.replace(/^-/, "")).replace("-", MINUS);
};
const signed = (v) => { const t = num(v); return t.startsWith(MINUS) || /^0\.0+$/.test(t) ? t : `+${t}`; };
const minusTerm = (v) => (v < 0 ? `(${num(v)})` : num(v));
const FEATURES = Array.from({ length: LIMITS.features }, (_, k) => `x${k + 1}`);

/**
 * A line chart by size k = 0..n, with its table under "Table". `series`: [{name, values, dashed}];
 * `mark`: {k, value, name}, one point drawn as a diamond (so no colour is needed to tell it apart).
 */
function curveChart(doc, { title, xName, series, mark = null }) {
  const wrap = el(doc, "div", { className: "dcf-ex-curve" });
  const W = 320; const H = 150; const pad = 28;
  const all = series.flatMap((s) => s.values).concat(mark ? [mark.value] : []);
  const lo = Math.min(0, ...all); const hi = Math.max(1, ...all);
  const count = series[0].values.length;
  const x = (k) => pad + (k / Math.max(1, count - 1)) * (W - 2 * pad);
  const y = (v) => H - pad + 6 - ((v - lo) / (hi - lo || 1)) * (H - 2 * pad);
  const chart = doc.createElementNS(SVG, "svg");
  chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
  chart.setAttribute("role", "img");
  const spoken = series.map((s) => `${s.name}: ${s.values.map((v, k) => `${k}: ${num(v)}`).join(", ")}`);
  if (mark) spoken.push(`${mark.name}: ${mark.k}: ${num(mark.value)}`);
  chart.setAttribute("aria-label", `${title}, by ${xName}. ${spoken.join("; ")}.`);
  const line = (tag, attrs) => {
    const node = doc.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    chart.append(node);
    return node;
  };
  line("line", { x1: pad, y1: y(lo), x2: W - pad, y2: y(lo), class: "dcf-ex-curve__axis" });
  line("line", { x1: pad, y1: y(lo), x2: pad, y2: y(hi), class: "dcf-ex-curve__axis" });
  for (const s of series) {
    const kind = s.dashed ? " dcf-ex-curve__line--dashed" : "";
    line("polyline", { points: s.values.map((v, k) => `${x(k).toFixed(1)},${y(v).toFixed(1)}`).join(" "), class: `dcf-ex-curve__line${kind}` });
    s.values.forEach((v, k) => line("circle", { cx: x(k).toFixed(1), cy: y(v).toFixed(1), r: s.dashed ? 2.5 : 3.5, class: `dcf-ex-curve__dot${kind}` }));
  }
  if (mark) {
    const [cx, cy] = [x(mark.k), y(mark.value)];
    line("path", { d: `M${cx.toFixed(1)},${(cy - 7).toFixed(1)}l7,7l-7,7l-7,-7z`, class: "dcf-ex-curve__mark" });
  }
  for (let k = 0; k < count; k += 1) line("text", { x: x(k).toFixed(1), y: H - 4, class: "dcf-ex-curve__tick" }).textContent = String(k);
  line("text", { x: 2, y: y(hi) + 4, class: "dcf-ex-curve__tick dcf-ex-curve__tick--y" }).textContent = num(hi, 1);
  line("text", { x: 2, y: y(lo), class: "dcf-ex-curve__tick dcf-ex-curve__tick--y" }).textContent = num(lo, 1);
  const key = el(doc, "p", { className: "dcf-ex-curve__key" });
  key.textContent = [...series.map((s) => `${s.dashed ? "dashed" : "solid"}: ${s.name}`), ...(mark ? [`diamond: ${mark.name}`] : [])].join("; ");
  const table = el(doc, "table", { className: "dcf-ex-mini" });
  table.createCaption().textContent = `${title} as a table`;
  const head = table.createTHead().insertRow();
  head.append(el(doc, "th", { scope: "col", textContent: xName }), ...series.map((s) => el(doc, "th", { scope: "col", textContent: s.name })));
  if (mark) head.append(el(doc, "th", { scope: "col", textContent: mark.name }));
  const body = table.createTBody();
  for (let k = 0; k < count; k += 1) {
    const tr = body.insertRow();
    tr.append(el(doc, "th", { scope: "row", textContent: String(k) }), ...series.map((s) => el(doc, "td", { textContent: num(s.values[k]) })));
    if (mark) tr.append(el(doc, "td", { textContent: k === mark.k ? num(mark.value) : "" }));
  }
  const details = el(doc, "details");
  details.append(el(doc, "summary", { textContent: "Table" }), table);
  if (series.length > 1 || mark) wrap.append(chart, key, details);
  else wrap.append(chart, details);
  return wrap;
}

const maskOf = (points) => points.reduce((m, i) => m | (1 << i), 0);
const binomial = (n, k) => { let c = 1; for (let i = 1; i <= k; i += 1) c = (c * (n - k + i)) / i; return Math.round(c); };

function semivalueLine(kind, label, name, weights, gains, value) {
  const terms = weights.map((w, k) => `${num(w)}\u00b7${minusTerm(gains[k])}`);
  return `${label}(${name}) = \u03a3\u2096 W\u2096 \u00b7 \u0394\u0305\u2096 = ${terms.join(" + ")} = ${num(value)}`;
}

/** Read the grid through lens `state.lens`; `ctx` = {state, result, values, rowName}. */
export function readLens(ctx) {
  const { state, result, values } = ctx;
  const names = state.train.names;
  const cols = state.eval ? state.eval.names : names;
  const n = names.length;
  const full = 2 ** n - 1;
  const u = result.utility;
  const r = result.readings;
  const lens = state.lens;
  const focus = new Set(state.focus);
  const R = (row) => rowName(row, names);
  const U = (row) => `U(${R(row)})`;
  const focusWords = focus.size === cols.length ? "all columns" : `the focus columns ${[...focus].map((c) => cols[c]).join(", ")}`;
  const evalWords = state.eval ? "held-out points" : "training points";
  const setName = (row) => `{${names.filter((_, i) => (row >> i) & 1).join(", ")}}`;
  const out = { rows: new Set(), cols: new Set(focus), all: false, points: new Set(), formula: "", does: "", doesNot: "", extra: null };
  const p = lens.point;
  switch (lens.name) {
    case "cell": {
      const row = state.selection ?? full;
      const c = lens.column;
      out.rows.add(row);
      out.cols = new Set([c]);
      for (let i = 0; i < n; i += 1) if ((row >> i) & 1) out.points.add(i);
      out.formula = `cell(${R(row)}, ${cols[c]}) = ${num(values[row][c])}`;
      out.does = `What one model, trained on ${R(row)} only, scores at ${cols[c]}. Select a row in the grid to read another.`;
      out.doesNot = "Nothing about why, or about any other training set: one cell is one counterfactual.";
      break;
    }
    case "loo": {
      const without = full ^ (1 << p);
      out.rows = new Set([full, without]);
      out.points.add(p);
      out.formula = `LOO(${names[p]}) = ${U(full)} ${MINUS} ${U(without)} = ${num(u[full])} ${MINUS} ${num(u[without])} = ${num(r.loo[p])}`;
      out.does = `How much the model trained on everything loses, over ${focusWords}, when ${names[p]} alone is removed.`;
      out.doesNot = "Credit for a point another point covers for: a redundant point gets about 0 even when it matters.";
      break;
    }
    case "group": {
      const g = lens.group;
      const mask = g.reduce((m, i) => m | (1 << i), 0);
      const without = full & ~mask;
      out.rows = new Set([full, without]);
      g.forEach((i) => out.points.add(i));
      const value = u[full] - u[without];
      out.formula = `LOO(${g.map((i) => names[i]).join("")}) = ${U(full)} ${MINUS} ${U(without)} = ${num(u[full])} ${MINUS} ${num(u[without])} = ${num(value)}`;
      out.does = "What a data strike by this group costs the model trained on everything.";
      out.doesNot = "How the loss splits among the strikers, nor what a different group would cost.";
      break;
    }
    case "column": {
      const row = state.selection ?? full;
      const c = lens.column;
      const inFocus = focus.has(c);
      const other = inFocus ? [...focus].filter((k) => k !== c) : [...focus, c].sort((a, b) => a - b);
      const mean = (set) => set.reduce((s, k) => s + values[row][k], 0) / set.length;
      out.rows.add(row);
      out.cols = new Set([...focus, c]);
      const a = [...focus];
      const word = (set) => `{${set.map((k) => cols[k]).join(", ")}}`;
      if (!other.length) {
        out.formula = `U over ${word(a)} = ${num(mean(a))}; removing ${cols[c]} would leave no column.`;
      } else {
        out.formula = `U${word(other)}(${R(row)}) ${MINUS} U${word(a)}(${R(row)}) = ${num(mean(other))} ${MINUS} ${num(mean(a))} = ${signed(mean(other) - mean(a))} (${inFocus ? "removing" : "adding"} ${cols[c]})`;
      }
      out.does = `How the same model, trained on ${R(row)}, is judged when column ${cols[c]} is ${inFocus ? "dropped from" : "added to"} the evaluation.`;
      out.doesNot = "Anything about the training data: the model is fixed, only the yardstick moves.";
      break;
    }
    case "interaction": {
      const [i, j] = lens.pair;
      const a = full ^ (1 << i); const b = full ^ (1 << j); const ab = full ^ (1 << i) ^ (1 << j);
      out.all = true;
      out.rows = new Set([full, a, b, ab]);
      out.points = new Set([i, j]);
      const second = u[full] - u[a] - u[b] + u[ab];
      const index = r.interaction[i][j];
      out.formula = `At the full set: ${U(full)} ${MINUS} ${U(a)} ${MINUS} ${U(b)} + ${U(ab)} = ${num(u[full])} ${MINUS} ${num(u[a])} ${MINUS} ${num(u[b])} + ${num(u[ab])} = ${signed(second)}; `
        + `Shapley interaction over every subset: I(${names[i]}, ${names[j]}) = ${signed(index)} (${index < -1e-12 ? "substitutes" : index > 1e-12 ? "complements" : "independent"})`;
      out.does = "Whether the two points are worth more together than apart (complements, > 0) or cover for each other (substitutes, < 0).";
      out.doesNot = "Which of the two matters more, nor interactions among three or more points.";
      break;
    }
    case "shapley":
    case "banzhaf":
    case "beta": {
      out.all = true;
      out.points.add(p);
      const W = r.size_weights[lens.name];
      const gains = r.gain_by_size[p];
      const label = lens.name === "shapley" ? "\u03c6" : lens.name === "banzhaf" ? "\u03b2" : `Beta(${num(lens.alpha, 1)}, ${num(lens.beta, 1)})`;
      const value = r[lens.name][p];
      out.formula = semivalueLine(lens.name, label, names[p], W, gains, value);
      out.note = `\u0394\u0305\u2096: ${names[p]}'s mean gain U(S \u222a {${names[p]}}) ${MINUS} U(S) over the subsets S of size k without it; W\u2096: the ${LENS_TITLES[lens.name]} weight of size k.`;
      out.does = lens.name === "shapley"
        ? "A fair split of U(N) \u2212 U(\u2205): every size of coalition counts equally; the values add up."
        : lens.name === "banzhaf"
          ? "The average gain over every coalition, each counted once: robust to noise in the big ones."
          : "Shapley reweighted by coalition size: Beta(16, 1) trusts small coalitions, where a point's effect is largest.";
      out.doesNot = "That the point would matter in a bigger or different dataset: it is one game, this grid.";
      break;
    }
    case "scaling": {
      out.all = true;
      out.formula = `mean U by size: ${r.scaling.map((v, k) => `${k}: ${num(v)}`).join(", ")}`;
      out.extra = (doc) => curveChart(doc, { title: "Size curve", xName: "size |S|", series: [{ name: "mean U", values: r.scaling }] });
      out.does = "How much data helps on average: the mean utility of all training sets of each size.";
      out.doesNot = "Which points help: the average hides the best and worst subsets of each size.";
      break;
    }
    case "best": {
      const k = lens.size;
      const best = r.best[k];
      for (let row = 0; row <= full; row += 1) if (popcount(row) === k) out.rows.add(row);
      for (let i = 0; i < n; i += 1) if ((best.row >> i) & 1) out.points.add(i);
      const count = out.rows.size;
      out.formula = `best of the ${count} training set${count === 1 ? "" : "s"} of size ${k}: ${U(best.row)} = ${num(best.utility)} (mean of size ${k}: ${num(r.scaling[k])})`;
      out.does = "The best you could do keeping only k points, found by training every candidate.";
      out.doesNot = "That these k points are the most valuable one by one: the best set is not the top-k values.";
      break;
    }
    case "poison": {
      // The label-flip edit grid: row F trains on all n points with F's labels flipped.
      const g = lens.group;
      const b = g.length;
      const poison = result.poison;
      const f = poison.utility;
      const G = maskOf(g);
      const worstRow = poison.rows[b];
      const worst = f[worstRow];
      const flips = (k) => `${k} flip${k === 1 ? "" : "s"}`;
      out.rows.add(full);
      g.forEach((i) => out.points.add(i));
      const none = Math.abs(f[G] - worst) < 1e-9 ? "; no set of the same size does more damage" : "";
      out.formula = `U(flip ${setName(G)}) ${MINUS} U(clean) = ${num(f[G])} ${MINUS} ${num(f[0])} = ${signed(f[G] - f[0])}; `
        + `worst of all ${binomial(n, b)} sets of ${flips(b)}: U(flip ${setName(worstRow)}) = ${num(worst)}, ${signed(worst - f[0])}${none}`;
      const oneClass = new Set(state.train.y).size === 1 ? "Every training point has the same class, so a flip has no other label to give. " : "";
      out.note = `${oneClass}Flipped labels: ${g.map((i) => `${names[i]} ${state.train.y[i]} \u2192 ${poison.flipped_to[i]}`).join(", ")}. `
        + `Reads the label-flip edit grid, not the grid below: its row F trains one model on all ${n} points with F's labels flipped `
        + `and scores it on the clean ${evalWords} over ${focusWords}; its ${2 ** n} rows are every attack. `
        + `U(clean) is row ${R(full)} of the grid below.`;
      out.extra = (doc) => curveChart(doc, {
        title: "Label flips", xName: "flips b",
        series: [{ name: `worst U (${poison.worst_is} over the sets of b flips)`, values: poison[poison.worst_is] },
          { name: "mean U over the sets of b flips", values: poison.mean, dashed: true }],
        mark: { k: b, value: f[G], name: `flip ${setName(G)}` },
      });
      out.does = `What ${b === 1 ? "this flip does" : `these ${flips(b)} do`} to the model, retrained on the poisoned data (not subtracted), `
        + `and the most damage any attacker with ${flips(b)} can do, found by training every set of that size.`;
      out.doesNot = "What an attacker can do to a real dataset: exhaustive search works only at toy size, and real attacks "
        + "use gradients or heuristics. Nor what other edits do, such as moving or adding points.";
      break;
    }
    case "collective": {
      // The success grid: row F trains on all n points with F carrying the signal and the target label.
      const g = lens.group;
      const b = g.length;
      const c = result.collective;
      const S = c.success;
      const G = maskOf(g);
      const m = focus.size;
      const { feature, value, label } = c.signal;
      const sig = `${FEATURES[feature]} = ${num(value, 2)}`;
      g.forEach((i) => out.points.add(i));
      const planted = g.map((i) => state.train.X[i].map((v, k) => (k === feature ? value : v)));
      out.guide = { feature, value, label, points: planted };
      out.plotNote = `Signal: ${FEATURES[feature]} = ${num(value, 2)}, the dashed line; the collective ${setName(G)} moves to `
        + `${planted.map(([x, y]) => `(${num(x, 2)}, ${num(y, 2)})`).join(", ")} with class ${label}, the faint marks.`;
      const hits = (v) => `${Math.round(v * m)}/${m}`;
      const top = Math.abs(S[G] - S[c.rows[b]]) < 1e-9 ? "; no collective of the same size does better" : "";
      out.formula = `S(${setName(G)}) = ${hits(S[G])} = ${num(S[G])}; no collective: S(\u2205) = ${hits(S[0])} = ${num(S[0])}; `
        + `best of all ${binomial(n, b)} collectives of ${b}: S(${setName(c.rows[b])}) = ${num(S[c.rows[b]])}, mean ${num(c.mean[b])}${top}`;
      const chosen = [c.auto.value ? `the value is ${num(value, 2)}, a fifth of the training points' span (at least 1) past their largest ${FEATURES[feature]}` : "",
        c.auto.label ? `class ${label} is the class the model trained on the clean data gives least often to signal points` : ""].filter(Boolean);
      out.note = `Signal: ${sig}, label ${label}${chosen.length ? ` (chosen: ${chosen.join("; ")})` : ""}. `
        + `S(F) is the share of the ${m} focus ${evalWords}, each with ${FEATURES[feature]} set to ${num(value, 2)}, that the model assigns `
        + `class ${label} when the points of F carry the signal and label ${label} (Hardt et al. 2023). `
        + `Reads the success grid, not the grid below: one model per collective, ${2 ** n} in all.`;
      out.extra = (doc) => curveChart(doc, {
        title: "Collective success", xName: "collective size",
        series: [{ name: "best S over the collectives of that size", values: c.maximum },
          { name: "mean S", values: c.mean, dashed: true }],
        mark: { k: b, value: S[G], name: `collective ${setName(G)}` },
      });
      out.does = "How often the signal steers the model to the target when these points plant it, retrained with the planted data, "
        + "and the best and the average any collective of the same size reaches, found by training every one.";
      out.doesNot = "Success on a real population: this is an exact count on a toy set, not the lower bound of Hardt et al., which "
        + "assumes a large population and a near-optimal learner; nor what withholding the same data (a data strike) would do.";
      break;
    }
    case "moving": {
      out.rows = new Set([full, full ^ (1 << p)]);
      out.all = true;
      out.points.add(p);
      out.formula = `${names[p]} at (${num(state.train.X[p][0], 2)}, ${num(state.train.X[p][1], 2)}): \u03c6 = ${num(r.shapley[p])}, LOO = ${num(r.loo[p])}`;
      out.does = `Drag ${names[p]} (or move it with the arrow keys) and watch its Shapley value and LOO follow; each step retrains all ${2 ** n} models.`;
      out.doesNot = "A gradient: values jump where a point crosses a neighbour or a boundary.";
      break;
    }
    default:
      break;
  }
  return out;
}

function popcount(x) {
  let c = 0;
  for (let v = x; v; v &= v - 1) c += 1;
  return c;
}

/** The lens panel: picker, parameters, formula, the box of what it does and does not establish. */
export function createLenses(doc, { onLens }) {
  const root = el(doc, "section", { className: "dcf-ex-lens" });
  root.setAttribute("aria-label", "Lens");
  const toggle = el(doc, "button", { type: "button", className: "dcf-ex-lens__toggle" });
  toggle.setAttribute("aria-expanded", "false");
  const body = el(doc, "div", { className: "dcf-ex-lens__body" });
  const picker = el(doc, "select", { className: "dcf-ex-input" });
  picker.setAttribute("aria-label", "lens");
  for (const [value, text] of Object.entries(LENS_TITLES)) picker.append(el(doc, "option", { value, textContent: text }));
  picker.addEventListener("change", () => onLens({ name: picker.value }));
  const controls = el(doc, "div", { className: "dcf-ex-lens__controls" });
  const formula = el(doc, "p", { className: "dcf-ex-lens__formula" });
  const note = el(doc, "p", { className: "dcf-ex-lens__note" });
  const extra = el(doc, "div");
  const box = el(doc, "div", { className: "dcf-ex-lens__box" });
  const pickLabel = el(doc, "label", { className: "dcf-ex-field" });
  pickLabel.append(el(doc, "span", { textContent: "Lens" }), picker);
  body.append(pickLabel, controls, formula, note, extra, box);
  root.append(toggle, body);
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    root.classList.toggle("dcf-ex-lens--open", open);
  });

  const select = (label, options, value, onChange) => {
    const wrap = el(doc, "label", { className: "dcf-ex-field" });
    const input = el(doc, "select", { className: "dcf-ex-input" });
    options.forEach(([v, t]) => input.append(el(doc, "option", { value: String(v), textContent: t })));
    input.value = String(value);
    input.addEventListener("change", () => onChange(input.value));
    wrap.append(el(doc, "span", { textContent: label }), input);
    return wrap;
  };
  // A number field; with `placeholder`, an empty field is allowed and means null ("choose for me").
  const number = (label, value, min, max, onChange, placeholder = null) => {
    const wrap = el(doc, "label", { className: "dcf-ex-field" });
    const input = el(doc, "input", { type: "number", min, max, step: "any", value: value === null ? "" : String(value), className: "dcf-ex-input dcf-ex-input--num" });
    if (placeholder !== null) {
      input.placeholder = placeholder;
      input.classList.add("dcf-ex-input--auto");
    }
    input.addEventListener("change", () => {
      const empty = input.value.trim() === "";
      const v = Number(input.value);
      const ok = empty ? placeholder !== null : Number.isFinite(v) && v >= min && v <= max;
      input.setAttribute("aria-invalid", String(!ok));
      if (ok) onChange(empty ? null : v);
    });
    wrap.append(el(doc, "span", { textContent: label }), input);
    return wrap;
  };

  let signature = "";
  function renderControls(state, result) {
    const resolved = state.lens.name === "collective" ? result.collective.signal : null;
    const key = JSON.stringify([state.lens, state.train.names, state.eval?.names ?? null, resolved, [...new Set(state.train.y)]]);
    if (key === signature) return;
    // A field is known by its visible name (a chip by its point's name), so focus survives a redraw.
    const labelKey = (label) => label?.querySelector("span")?.textContent ?? label?.textContent;
    const active = doc.activeElement && controls.contains(doc.activeElement) ? labelKey(doc.activeElement.closest("label")) : null;
    signature = key;
    const names = state.train.names;
    const cols = state.eval ? state.eval.names : names;
    const lens = state.lens;
    const points = names.map((name, i) => [i, name]);
    const parts = [];
    if (["loo", "shapley", "banzhaf", "beta", "moving"].includes(lens.name)) {
      parts.push(select("Point", points, lens.point, (v) => onLens({ point: Number(v) })));
    }
    if (["cell", "column"].includes(lens.name)) {
      parts.push(select("Column", cols.map((c, k) => [k, c]), lens.column, (v) => onLens({ column: Number(v) })));
    }
    if (lens.name === "interaction") {
      parts.push(select("First", points, lens.pair[0], (v) => onLens({ pair: [Number(v), lens.pair[1]] })));
      parts.push(select("Second", points, lens.pair[1], (v) => onLens({ pair: [lens.pair[0], Number(v)] })));
    }
    if (lens.name === "beta") {
      parts.push(number("\u03b1", lens.alpha, 0.1, 64, (v) => onLens({ alpha: v })));
      parts.push(number("\u03b2", lens.beta, 0.1, 64, (v) => onLens({ beta: v })));
    }
    if (lens.name === "best") {
      parts.push(select("Size k", Array.from({ length: names.length + 1 }, (_, k) => [k, String(k)]), lens.size, (v) => onLens({ size: Number(v) })));
    }
    if (lens.name === "collective") {
      const signal = lens.signal;
      const update = (patch) => onLens({ signal: { ...signal, ...patch } });
      const classes = [...new Set(state.train.y)].sort((a, b) => a - b);
      parts.push(select("Signal feature", FEATURES.map((f, k) => [k, f]), signal.feature, (v) => update({ feature: Number(v) })));
      parts.push(number("Signal value", signal.value, -LIMITS.coord, LIMITS.coord, (v) => update({ value: v }), `auto: ${num(resolved.value, 2)}`));
      parts.push(select("Target class", [["auto", `auto: class ${resolved.label}`], ...classes.map((c) => [c, `class ${c}`])],
        signal.label ?? "auto", (v) => update({ label: v === "auto" ? null : Number(v) })));
    }
    if (["group", "poison", "collective"].includes(lens.name)) {
      const set = el(doc, "fieldset", { className: "dcf-ex-chips" });
      const legends = { group: "Striking points", poison: "Points whose labels flip", collective: "Collective: the points that plant the signal" };
      set.append(el(doc, "legend", { textContent: legends[lens.name] }));
      names.forEach((name, i) => {
        const label = el(doc, "label", { className: "dcf-ex-chip" });
        const box = el(doc, "input", { type: "checkbox", checked: lens.group.includes(i) });
        box.addEventListener("change", () => {
          const next = names.map((_, k) => k).filter((k) => (k === i ? box.checked : lens.group.includes(k)));
          if (!next.length) {
            box.checked = true;
            return;
          }
          onLens({ group: next });
        });
        label.append(box, doc.createTextNode(name));
        set.append(label);
      });
      parts.push(set);
    }
    controls.replaceChildren(...parts);
    if (active) [...controls.querySelectorAll("label")].find((l) => labelKey(l) === active)?.querySelector("select, input")?.focus();
  }

  /** Show lens `state.lens` for `ctx`; returns what it reads (for the grid and the plot). */
  function render(ctx) {
    const { state } = ctx;
    picker.value = state.lens.name;
    renderControls(state, ctx.result);
    const reading = readLens(ctx);
    formula.textContent = reading.formula;
    note.textContent = reading.note ?? "";
    note.hidden = !reading.note;
    extra.replaceChildren(...(reading.extra ? [reading.extra(doc)] : []));
    const does = el(doc, "p");
    does.append(el(doc, "strong", { textContent: "Establishes: " }), doc.createTextNode(reading.does));
    const doesNot = el(doc, "p");
    doesNot.append(el(doc, "strong", { textContent: "Does not establish: " }), doc.createTextNode(reading.doesNot));
    box.replaceChildren(does, doesNot);
    toggle.textContent = `${LENS_TITLES[state.lens.name]}: ${reading.formula}`;
    return reading;
  }

  return { element: root, render };
}
