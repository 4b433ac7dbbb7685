// docs/js/explorer-lenses.js: the Grid Explorer's lenses: each one a reading of the grid.
//
// A lens says which cells it reads (the grid and the plot mark exactly those), gives its
// formula with the actual numbers, and says what it does and does not establish. The numbers
// come from datacf (datacf._explorer.explore, in the worker or at build time): utilities over
// the focus columns, LOO, Shapley, Banzhaf, Beta Shapley, the size curve, interactions, the
// best subset per size, and the retrained label-flip grid.

import { rowName } from "./explorer-share.js";

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
  moving: "A point's value as it moves",
};

const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);
export const num = (v, digits = 3) => {
  const text = v.toFixed(digits);
  return (/[1-9]/.test(text) ? text : text.replace(/^-/, "")).replace("-", MINUS);
};
const signed = (v) => { const t = num(v); return t.startsWith(MINUS) || /^0\.0+$/.test(t) ? t : `+${t}`; };
const minusTerm = (v) => (v < 0 ? `(${num(v)})` : num(v));

function sizeCurve(doc, scaling) {
  const wrap = el(doc, "div", { className: "dcf-ex-curve" });
  const W = 320; const H = 150; const pad = 28;
  const lo = Math.min(0, ...scaling); const hi = Math.max(1, ...scaling);
  const x = (k) => pad + (k / Math.max(1, scaling.length - 1)) * (W - 2 * pad);
  const y = (v) => H - pad + 6 - ((v - lo) / (hi - lo || 1)) * (H - 2 * pad);
  const chart = doc.createElementNS(SVG, "svg");
  chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
  chart.setAttribute("role", "img");
  chart.setAttribute("aria-label", `Size curve: mean utility by training-set size, ${scaling.map((v, k) => `size ${k}: ${num(v)}`).join("; ")}.`);
  const line = (tag, attrs) => {
    const node = doc.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    chart.append(node);
    return node;
  };
  line("line", { x1: pad, y1: y(lo), x2: W - pad, y2: y(lo), class: "dcf-ex-curve__axis" });
  line("line", { x1: pad, y1: y(lo), x2: pad, y2: y(hi), class: "dcf-ex-curve__axis" });
  line("polyline", { points: scaling.map((v, k) => `${x(k).toFixed(1)},${y(v).toFixed(1)}`).join(" "), class: "dcf-ex-curve__line" });
  scaling.forEach((v, k) => {
    line("circle", { cx: x(k).toFixed(1), cy: y(v).toFixed(1), r: 3.5, class: "dcf-ex-curve__dot" });
    line("text", { x: x(k).toFixed(1), y: H - 4, class: "dcf-ex-curve__tick" }).textContent = String(k);
  });
  line("text", { x: 2, y: y(hi) + 4, class: "dcf-ex-curve__tick dcf-ex-curve__tick--y" }).textContent = num(hi, 1);
  line("text", { x: 2, y: y(lo), class: "dcf-ex-curve__tick dcf-ex-curve__tick--y" }).textContent = num(lo, 1);
  const table = el(doc, "table", { className: "dcf-ex-mini" });
  table.createCaption().textContent = "The size curve as a table";
  const head = table.createTHead().insertRow();
  head.append(el(doc, "th", { scope: "col", textContent: "size |S|" }), el(doc, "th", { scope: "col", textContent: "mean U" }));
  const body = table.createTBody();
  scaling.forEach((v, k) => {
    const tr = body.insertRow();
    tr.append(el(doc, "th", { scope: "row", textContent: String(k) }), el(doc, "td", { textContent: num(v) }));
  });
  const details = el(doc, "details");
  details.append(el(doc, "summary", { textContent: "Table" }), table);
  wrap.append(chart, details);
  return wrap;
}

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
      out.extra = (doc) => sizeCurve(doc, r.scaling);
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
      const g = lens.group;
      const poison = result.poison;
      out.rows.add(full);
      g.forEach((i) => out.points.add(i));
      const value = poison.utility[full] - u[full];
      out.formula = `flip ${g.map((i) => names[i]).join(", ")} and retrain all ${2 ** n} models: ${U(full)} ${num(u[full])} \u2192 ${num(poison.utility[full])}, change ${signed(value)}`;
      out.note = `Flipped labels: ${g.map((i) => `${names[i]} ${state.train.y[i]} \u2192 ${poison.y[i]}`).join(", ")}; scored on the clean evaluation points.`;
      out.does = "What relabelling these points would do to the model, computed by training on the poisoned data (not by subtracting).";
      out.doesNot = "What a smarter attacker could do with the same budget, or a different edit (moving points, adding them).";
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
  const number = (label, value, min, max, onChange) => {
    const wrap = el(doc, "label", { className: "dcf-ex-field" });
    const input = el(doc, "input", { type: "number", min, max, step: "any", value: String(value), className: "dcf-ex-input dcf-ex-input--num" });
    input.addEventListener("change", () => {
      const v = Number(input.value);
      const ok = input.value.trim() !== "" && Number.isFinite(v) && v >= min && v <= max;
      input.setAttribute("aria-invalid", String(!ok));
      if (ok) onChange(v);
    });
    wrap.append(el(doc, "span", { textContent: label }), input);
    return wrap;
  };

  let signature = "";
  function renderControls(state) {
    const key = JSON.stringify([state.lens, state.train.names, state.eval?.names ?? null]);
    if (key === signature) return;
    const active = doc.activeElement && controls.contains(doc.activeElement) ? doc.activeElement.closest("label")?.textContent : null;
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
    if (["group", "poison"].includes(lens.name)) {
      const set = el(doc, "fieldset", { className: "dcf-ex-chips" });
      set.append(el(doc, "legend", { textContent: lens.name === "group" ? "Striking points" : "Points whose labels flip" }));
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
    if (active) [...controls.querySelectorAll("label")].find((l) => l.textContent === active)?.querySelector("select, input")?.focus();
  }

  /** Show lens `state.lens` for `ctx`; returns what it reads (for the grid and the plot). */
  function render(ctx) {
    const { state } = ctx;
    picker.value = state.lens.name;
    renderControls(state);
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
