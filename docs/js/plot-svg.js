// docs/js/plot-svg.js: bar charts and scatter plots, redrawn in the page from new numbers.
//
// The build draws every `datacf-plot` block as a static SVG with a table (sitebuild/plot_svg.py,
// `chart_nodes`; sitebuild/plot_block.py) and puts the chart's data in a <template>. This module
// is that layout, ported line by line: `chartNodes(plot)` gives the same list of
// [tag, attrs, text] as `chart_nodes`, so a chart redrawn here is the SVG the build wrote (the
// browser tests check it). Text and attribute values go in as text, never as HTML.
//
// Page API (after the module loaded):
//   window.datacf.plots.chart(target)          -> a copy of the chart on screen (see plot_svg.py)
//   window.datacf.plots.redraw(target, update) -> redraws target's chart and table from `update`:
//       target: the figure (`figure.dcf-plot`) or its id (the block's `id:`);
//       update: fields of the chart to replace, e.g. {series: [{y: [...]}, {y: [...]}]} (series
//       are merged by position: labels, and series the update does not reach, stay), {x: [...]}
//       for a scatter, {categories: [...]} with new series for another size, or a whole chart.
//       Throws a TypeError naming the bad field; the figure then keeps what it showed.
// A figure with several views (`n: [4, ..., 10]`) also gets a menu that shows one at a time.

import { onEachPage } from "./each-page.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 560;
const LEFT = 62;
const RIGHT = 16;
const TOP = 14;
const PLOT_H = 220;
const LEGEND_ROW = 20;
const BAR_STYLES = 5;
const MARKS = ["circle", "square", "triangle", "diamond", "cross"];
const CONTAINERS = new Set(["svg", "defs", "pattern", "g"]);
const FORMAT = /^(\+?)\.([0-6])([f%])$/;

/**
 * `value.toFixed(digits)`, but an exact tie rounds to the even digit, as Python's `format` does
 * (0.3125 to 3 digits is 0.312, where `toFixed` gives 0.313). A tie is exact only when the
 * double's decimal expansion, which `toFixed(100)` writes out, ends with that 5.
 */
function toFixedEven(value, digits) {
  const exact = Math.abs(value).toFixed(100);
  const point = exact.indexOf(".");
  const tie = exact[point + digits + 1] === "5" && /^0*$/.test(exact.slice(point + digits + 2));
  const kept = exact.slice(0, digits ? point + digits + 1 : point);
  if (!tie || Number(kept[kept.length - 1]) % 2 === 1) return value.toFixed(digits);
  return (value < 0 ? "-" : "") + kept;
}

/** `datacf._view.format_number`: fixed digits, a true minus sign, no sign on a rounded zero. */
export function formatNumber(value, fmt) {
  const [, plus, digits, kind] = FORMAT.exec(fmt);
  let text = kind === "%" ? `${toFixedEven(value * 100, Number(digits))}%` : toFixedEven(value, Number(digits));
  if (plus && !text.startsWith("-")) text = `+${text}`;
  if (!/[1-9]/.test(text)) text = text.replace(/^[+-]/, "");
  return text.replace("-", "\u2212");
}

const at = (value) => toFixedEven(value, 1);     // a coordinate, as Python writes f"{value:.1f}"

function ticks(lo, hi) {
  let step = 10 ** Math.floor(Math.log10((hi - lo) / 4 || 1));
  for (const mult of [1, 2, 5, 10]) {
    if ((hi - lo) / (step * mult) <= 6) {
      step *= mult;
      break;
    }
  }
  const start = Math.ceil(lo / step) * step;
  const count = Math.trunc((hi - start) / step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => start + i * step);
}

function yTickFormat(list) {
  const step = list.length > 1 ? list[1] - list[0] : 1;
  return `.${Math.max(0, -Math.floor(Math.log10(step) + 1e-9))}f`;
}

function padded(lo, hi, keepZero) {
  if (keepZero) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
  const pad = (hi - lo) * 0.06 || 0.05;
  return [keepZero && lo === 0 ? lo : lo - pad, keepZero && hi === 0 ? hi : hi + pad];
}

function markNodes(kind, x, y, r = 4.5) {
  if (kind === "circle") return [["circle", { cx: at(x), cy: at(y), r: "4.5", class: "dcf-plot__mark" }, ""]];
  if (kind === "square") {
    return [["rect", { x: at(x - r * 0.85), y: at(y - r * 0.85), width: at(r * 1.7), height: at(r * 1.7),
      class: "dcf-plot__mark dcf-plot__mark--hollow" }, ""]];
  }
  if (kind === "triangle") {
    const points = `${at(x)},${at(y - r * 1.1)} ${at(x + r)},${at(y + r * 0.8)} ${at(x - r)},${at(y + r * 0.8)}`;
    return [["polygon", { points, class: "dcf-plot__mark" }, ""]];
  }
  if (kind === "diamond") {
    const points = `${at(x)},${at(y - r * 1.2)} ${at(x + r)},${at(y)} ${at(x)},${at(y + r * 1.2)} ${at(x - r)},${at(y)}`;
    return [["polygon", { points, class: "dcf-plot__mark dcf-plot__mark--hollow" }, ""]];
  }
  const d = `M${at(x - r)},${at(y - r)} L${at(x + r)},${at(y + r)} M${at(x - r)},${at(y + r)} L${at(x + r)},${at(y - r)}`;
  return [["path", { d, class: "dcf-plot__mark dcf-plot__mark--cross" }, ""]];
}

function barAttrs(plotId, number) {
  const style = number % BAR_STYLES;
  return { class: `dcf-plot__bar dcf-plot__bar--${style}`,
    ...(style === 1 ? { fill: `url(#${plotId}-hatch)` } : {}),
    ...(style === 4 ? { fill: `url(#${plotId}-dots)` } : {}) };
}

function description(plot) {
  const labels = plot.chart === "bars" ? plot.categories : plot.names;
  const names = plot.series.map((s) => s.label).join(", ");
  if (plot.chart === "bars") {
    return `Bar chart of ${plot.y_label} by ${plot.x_label} (${labels[0]} to ${labels[labels.length - 1]}), one bar per `
      + `series in each group: ${names}. Bars below the zero line are negative. The table gives every value.`;
  }
  const identity = plot.identity ? " The dashed diagonal is y = x: a mark on it agrees exactly." : "";
  return `Scatter plot of ${plot.y_label} against ${plot.x_label} for ${labels.length} points, one mark `
    + `shape per series: ${names}.${identity} The table gives every value.`;
}

function legendNodes(plot, bars, base, entries) {
  const nodes = [];
  const items = plot.series.map((s, number) => [number, s.label]);
  if (items.length < entries) items.push([null, "y = x"]);
  items.forEach(([number, label], position) => {
    const x = LEFT + Math.floor(((position % 2) * (W - LEFT - RIGHT)) / 2);
    const y = base + 52 + Math.floor(position / 2) * LEGEND_ROW;
    if (number === null) {
      nodes.push(["line", { x1: String(x), y1: String(y), x2: String(x + 18), y2: String(y), class: "dcf-plot__identity" }, null]);
    } else if (bars) {
      nodes.push(["rect", { x: String(x + 2), y: String(y - 6), width: "14", height: "12", ...barAttrs(plot.id, number) }, null]);
    } else {
      nodes.push(["g", { class: `dcf-plot__series dcf-plot__series--${number}` }, null],
        ...markNodes(MARKS[number % MARKS.length], x + 9, y), ["/g", {}, null]);
    }
    nodes.push(["text", { x: String(x + 24), y: String(y + 4) }, label]);
  });
  return nodes;
}

/** The chart as [tag, attrs, text] nodes: `sitebuild.plot_svg.chart_nodes`, line by line. */
export function chartNodes(plot) {
  const { id: plotId, chart, series } = plot;
  const bars = chart === "bars";
  const labels = bars ? plot.categories : plot.names;
  const ys = series.flatMap((s) => s.y);
  let yLo; let yHi; let xLo; let xHi;
  if (bars) {
    [yLo, yHi] = padded(Math.min(...ys), Math.max(...ys), true);
    [xLo, xHi] = [0, labels.length];
  } else {
    const values = [...ys, ...plot.x];
    [yLo, yHi] = padded(Math.min(...values), Math.max(...values), false);
    [xLo, xHi] = [yLo, yHi];
  }
  const entries = series.length + (!bars && plot.identity ? 1 : 0);
  const legendRows = Math.floor((entries + 1) / 2);
  const base = TOP + PLOT_H;
  const height = base + 58 + legendRows * LEGEND_ROW;
  const px = (x) => LEFT + ((x - xLo) / (xHi - xLo)) * (W - LEFT - RIGHT);
  const py = (y) => TOP + (1 - (y - yLo) / (yHi - yLo)) * PLOT_H;

  const nodes = [
    ["svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-labelledby": `${plotId}-t`,
      "aria-describedby": `${plotId}-d`, class: "dcf-plot__svg" }, null],
    ["title", { id: `${plotId}-t` }, plot.title],
    ["desc", { id: `${plotId}-d` }, description(plot)],
  ];
  if (bars) {
    nodes.push(["defs", {}, null],
      ["pattern", { id: `${plotId}-hatch`, width: "5", height: "5", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, null],
      ["path", { d: "M0,0 L0,5", class: "dcf-plot__hatch" }, null], ["/pattern", {}, null],
      ["pattern", { id: `${plotId}-dots`, width: "4", height: "4", patternUnits: "userSpaceOnUse" }, null],
      ["circle", { cx: "2", cy: "2", r: "1", class: "dcf-plot__dot" }, null], ["/pattern", {}, null],
      ["/defs", {}, null]);
  }
  const yTicks = ticks(yLo, yHi);
  const yFmt = yTickFormat(yTicks);
  for (const t of yTicks) {
    const y = py(t);
    nodes.push(["line", { x1: String(LEFT - 4), y1: at(y), x2: String(W - RIGHT), y2: at(y), class: "dcf-plot__grid" }, null]);
    nodes.push(["text", { x: String(LEFT - 7), y: at(y + 4), "text-anchor": "end" }, formatNumber(t, yFmt)]);
  }
  if (bars) {
    const zero = py(0);
    nodes.push(["line", { x1: String(LEFT), y1: at(zero), x2: String(W - RIGHT), y2: at(zero), class: "dcf-plot__axis" }, null]);
    labels.forEach((label, c) => {
      nodes.push(["text", { x: at(px(c + 0.5)), y: String(base + 17), "text-anchor": "middle" }, label]);
    });
  } else {
    nodes.push(["line", { x1: String(LEFT), y1: String(base), x2: String(W - RIGHT), y2: String(base), class: "dcf-plot__axis" }, null]);
    for (const t of ticks(xLo, xHi)) {
      const x = px(t);
      nodes.push(["line", { x1: at(x), y1: String(TOP), x2: at(x), y2: String(base + 4), class: "dcf-plot__grid" }, null]);
      nodes.push(["text", { x: at(x), y: String(base + 17), "text-anchor": "middle" }, formatNumber(t, yFmt)]);
    }
  }
  nodes.push(["line", { x1: String(LEFT), y1: String(TOP), x2: String(LEFT), y2: String(base), class: "dcf-plot__axis" }, null]);
  nodes.push(["text", { x: String(Math.floor((LEFT + W - RIGHT) / 2)), y: String(base + 36), "text-anchor": "middle",
    class: "dcf-plot__label" }, plot.x_label]);
  nodes.push(["text", { transform: `translate(14 ${Math.floor((TOP + base) / 2)}) rotate(-90)`, "text-anchor": "middle",
    class: "dcf-plot__label" }, plot.y_label]);
  const fmt = plot.format;
  if (!bars && plot.identity) {
    nodes.push(["line", { x1: at(px(xLo)), y1: at(py(xLo)), x2: at(px(xHi)), y2: at(py(xHi)), class: "dcf-plot__identity" }, null]);
  }
  const group = (W - LEFT - RIGHT) / labels.length;
  const width = (group * 0.8) / series.length;
  series.forEach((s, number) => {
    nodes.push(["g", { class: `dcf-plot__series dcf-plot__series--${number}` }, null]);
    labels.forEach((label, c) => {
      const value = s.y[c];
      let tip = `${s.label}, ${label}: ${formatNumber(value, fmt)}`;
      nodes.push(["g", { class: "dcf-plot__point" }, null]);
      if (bars) {
        const top = py(Math.max(value, 0));
        const bottom = py(Math.min(value, 0));
        const x = LEFT + c * group + group * 0.1 + number * width;
        nodes.push(["rect", { x: at(x), y: at(top), width: at(width), height: at(bottom - top), ...barAttrs(plotId, number) }, ""]);
      } else {
        tip = `${label}: ${plot.x_label} ${formatNumber(plot.x[c], fmt)}, ${tip}`;
        nodes.push(...markNodes(MARKS[number % MARKS.length], px(plot.x[c]), py(value)));
      }
      nodes.push(["title", {}, tip], ["/g", {}, null]);
    });
    nodes.push(["/g", {}, null]);
  });
  return [...nodes, ...legendNodes(plot, bars, base, entries), ["/svg", {}, null]];
}

/** Check the fields of a chart the layout reads; throw a TypeError naming a bad one. */
export function checkChart(plot) {
  const fail = (what) => { throw new TypeError(`a chart (sitebuild/plot_svg.py) needs ${what}`); };
  if (!plot || !["bars", "scatter"].includes(plot.chart)) fail('"chart": "bars" or "scatter"');
  for (const key of ["id", "title", "x_label", "y_label", "format"]) if (typeof plot[key] !== "string") fail(`the text "${key}"`);
  if (!FORMAT.test(plot.format)) fail(`a format like ".3f", "+.2f" or ".1%", not ${JSON.stringify(plot.format)}`);
  const key = plot.chart === "bars" ? "categories" : "names";
  const labels = plot[key];
  if (!Array.isArray(labels) || !labels.length || !labels.every((l) => typeof l === "string")) fail(`"${key}": a non-empty list of text`);
  const numbers = (list, what) => {
    if (!Array.isArray(list) || list.length !== labels.length || !list.every((v) => typeof v === "number" && Number.isFinite(v))) {
      fail(`${what}: ${labels.length} finite numbers`);
    }
  };
  if (plot.chart === "scatter") numbers(plot.x, '"x"');
  if (!Array.isArray(plot.series) || !plot.series.length) fail('"series": a non-empty list');
  plot.series.forEach((s, i) => {
    if (typeof s?.label !== "string") fail(`a text label for series ${i}`);
    numbers(s.y, `series ${i} ("${s.label}") "y"`);
  });
  return plot;
}

/** An SVG element for `plot` (checked first), built node by node. */
export function renderChart(doc, plot) {
  const stack = [];
  let root = null;
  for (const [tag, attrs, text] of chartNodes(checkChart(plot))) {
    if (tag.startsWith("/")) {
      stack.pop();
      continue;
    }
    const node = doc.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (!CONTAINERS.has(tag) && text) node.textContent = text;
    if (stack.length) stack[stack.length - 1].append(node);
    else root = node;
    if (CONTAINERS.has(tag)) stack.push(node);
  }
  return root;
}

/** The chart's table: `sitebuild.plot_svg.chart_table` and `render_table`. */
export function renderChartTable(doc, plot, { caption = null, view = 0 } = {}) {
  const fmt = plot.format;
  const bars = plot.chart === "bars";
  const columns = bars ? [plot.x_label] : ["point", plot.x_label];
  columns.push(...plot.series.map((s) => s.label));
  const labels = bars ? plot.categories : plot.names;
  const table = doc.createElement("table");
  table.dataset.view = String(view);
  if (caption !== null) table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const column of columns) head.append(Object.assign(doc.createElement("th"), { scope: "col", textContent: column }));
  const body = table.createTBody();
  labels.forEach((label, c) => {
    const tr = body.insertRow();
    tr.append(Object.assign(doc.createElement("th"), { scope: "row", textContent: label }));
    const values = [...(bars ? [] : [plot.x[c]]), ...plot.series.map((s) => s.y[c])];
    for (const value of values) tr.insertCell().textContent = formatNumber(value, fmt);
  });
  return table;
}

function data(figure) {
  figure.dcfPlot ??= JSON.parse(figure.querySelector("template.dcf-plot__data").content.textContent);
  return figure.dcfPlot;
}

function show(figure, index) {
  const state = data(figure);
  const doc = figure.ownerDocument;
  figure.querySelector(".dcf-plot__chart").replaceChildren(renderChart(doc, state.views[index].plot));
  figure.dataset.view = String(index);
  state.view = index;
}

function figureOf(target) {
  const figure = typeof target === "string" ? document.getElementById(target) : target;
  if (!figure?.matches?.("figure.dcf-plot")) {
    throw new TypeError(`no datacf plot ${typeof target === "string" ? `with id "${target}"` : "given"} on this page`);
  }
  return figure;
}

/** Redraw a plot's chart and table from new numbers (see the header). Returns the figure. */
export function redraw(target, update) {
  const figure = figureOf(target);
  const state = data(figure);
  const view = state.views[state.view];
  const next = { ...view.plot, ...update };
  if (Array.isArray(update?.series)) {
    const count = Math.max(update.series.length, view.plot.series.length);
    next.series = Array.from({ length: count }, (_, i) => ({ ...view.plot.series[i], ...update.series[i] }));
  }
  checkChart(next);
  const multi = state.views.length > 1;
  const table = figure.querySelector(`table[data-view="${state.view}"]`);
  const fresh = renderChartTable(figure.ownerDocument, next, { caption: multi ? view.label : null, view: state.view });
  view.plot = next;
  show(figure, state.view);
  table?.replaceWith(fresh);
  const caption = figure.querySelector(":scope > figcaption");
  if (caption) caption.textContent = `${next.title}. Redrawn on this page from new numbers, not the ones it was built with.`;
  figure.dataset.live = "true";
  return figure;
}

/** The chart on screen (a copy). */
export function chart(target) {
  const state = data(figureOf(target));
  return JSON.parse(JSON.stringify(state.views[state.view].plot));
}

/** Give a figure with several views its menu; safe to call twice. */
export function enhancePlot(figure) {
  if (figure.dataset.enhanced === "true") return;
  figure.dataset.enhanced = "true";
  const state = data(figure);
  if (state.views.length < 2) return;
  const doc = figure.ownerDocument;
  const label = doc.createElement("label");
  label.className = "dcf-plot__menu";
  label.append(doc.createTextNode("Show "));
  const select = doc.createElement("select");
  state.views.forEach((view, i) => select.append(Object.assign(doc.createElement("option"), { value: String(i), textContent: view.label })));
  select.value = String(state.view);
  select.addEventListener("change", () => show(figure, Number(select.value)));
  label.append(select);
  figure.insertBefore(label, figure.firstChild);
}

export function mount(doc = document) {
  for (const figure of doc.querySelectorAll("figure.dcf-plot")) enhancePlot(figure);
}

if (typeof window !== "undefined") {
  window.datacf ??= {};
  window.datacf.plots = { redraw, chart };
}
onEachPage(mount);
