// docs/js/grid-table.js: turn each static `figure.dcf-grid` table into an interactive grid.
//
// The build (sitebuild/render.py) writes a complete HTML table, so the page reads with
// JavaScript off. This module adds the ARIA grid roles, a roving tabindex with arrow-key
// navigation (one tab stop; arrows move one cell and do not wrap; Home/End, Ctrl+Home/End),
// row and column highlight on hover and focus, and a toggle between the author's rows and all
// 2^n rows sorted by subset size. Heat colours are pure CSS (`--dcf-v` on each cell, mixed
// with Material's palette variables), so they follow the light/dark switch by themselves.

import { onEachPage } from "./each-page.js";

const FORMAT = /^(\+?)\.(\d)([f%])$/;
const MINUS = "\u2212";
const NAV_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"]);

/** Format like the build's Python `format_number`: true minus sign, no sign on a rounded zero. */
export function formatNumber(value, format = ".2f") {
  const [, plus, digits, kind] = FORMAT.exec(format) ?? FORMAT.exec(".2f");
  let text = kind === "%" ? `${(value * 100).toFixed(Number(digits))}%` : value.toFixed(Number(digits));
  if (!/[1-9]/.test(text)) text = text.replace(/^[-+]/, "");
  else if (plus && !text.startsWith("-")) text = `+${text}`;
  return text.replace("-", MINUS);
}

const members = (row, n) => Array.from({ length: n }, (_, i) => i).filter((i) => (row >> i) & 1);

function subsetName(row, names) {
  const parts = members(row, names.length).map((i) => names[i]);
  if (!parts.length) return "\u2205";
  return parts.join(names.every((name) => name.length === 1) ? "" : ",");
}

/** Every row index, by subset size, then by member indices (AB, AC, AD, BC, ...). */
export function rowsBySize(n) {
  const key = (r) => [members(r, n).length, ...members(r, n)];
  return Array.from({ length: 2 ** n }, (_, r) => r).sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < Math.max(ka.length, kb.length); i += 1) {
      if ((ka[i] ?? -1) !== (kb[i] ?? -1)) return (ka[i] ?? -1) - (kb[i] ?? -1);
    }
    return 0;
  });
}

export function cellLabel(data, row, col) {
  const trained = members(row, data.pointNames.length).map((i) => data.pointNames[i]);
  const value = formatNumber(data.values[row][col], data.format);
  return `trained on ${trained.length ? trained.join(", ") : "nothing"}; evaluated at ${data.evalNames[col]}: ${value}`;
}

/** One `<tr>` of the table for grid row `row`, the same markup the build writes. */
export function renderRow(doc, data, row) {
  const tr = doc.createElement("tr");
  tr.dataset.subset = subsetName(row, data.pointNames);
  tr.dataset.size = String(members(row, data.pointNames.length).length);
  const compareAt = data.compare ? data.compare.indexOf(row) : -1;
  if (compareAt >= 0) tr.classList.add("dcf-compare", compareAt === 0 ? "dcf-compare--first" : "dcf-compare--second");
  const header = Object.assign(doc.createElement("th"), { scope: "row", textContent: tr.dataset.subset });
  tr.append(header);
  const span = data.max - data.min;
  data.values[row].forEach((value, col) => {
    const td = doc.createElement("td");
    td.textContent = formatNumber(value, data.format);   // the number is always visible
    td.dataset.value = String(value);
    td.style.setProperty("--dcf-v", Math.min(1, Math.max(0, (value - data.min) / span)).toFixed(4));
    td.setAttribute("aria-label", cellLabel(data, row, col));
    if (data.focus.includes(col)) td.classList.add("dcf-focus");
    tr.append(td);
  });
  return tr;
}

function applyRoles(table) {
  table.setAttribute("role", "grid");
  for (const tr of table.rows) {
    tr.setAttribute("role", "row");
    for (const cell of tr.cells) {
      const role = cell.tagName === "TD" ? "gridcell" : cell.scope === "row" ? "rowheader" : "columnheader";
      cell.setAttribute("role", role);
      if (!cell.hasAttribute("tabindex")) cell.tabIndex = -1;
    }
  }
  const cells = [...table.querySelectorAll("th, td")];
  if (!cells.some((cell) => cell.tabIndex === 0)) {
    (table.querySelector("tbody td") ?? cells[0]).tabIndex = 0;
  }
}

function highlight(table, cell) {
  for (const old of table.querySelectorAll(".dcf-hl-row, .dcf-hl-col")) {
    old.classList.remove("dcf-hl-row", "dcf-hl-col");
  }
  if (!cell) return;
  cell.parentElement.classList.add("dcf-hl-row");
  for (const tr of table.rows) tr.cells[cell.cellIndex]?.classList.add("dcf-hl-col");
}

function moveFocus(table, from, to) {
  from.tabIndex = -1;
  to.tabIndex = 0;
  to.focus();
}

function onKeydown(table, event) {
  const cell = event.target.closest?.("th, td");
  if (!cell || !NAV_KEYS.has(event.key) || event.altKey || event.metaKey) return;
  const rows = [...table.rows];
  let r = rows.indexOf(cell.parentElement);
  let c = cell.cellIndex;
  const ctrl = event.ctrlKey;
  if (event.key === "ArrowLeft") c = Math.max(0, c - 1);
  if (event.key === "ArrowRight") c = Math.min(rows[r].cells.length - 1, c + 1);
  if (event.key === "ArrowUp") r = Math.max(0, r - 1);
  if (event.key === "ArrowDown") r = Math.min(rows.length - 1, r + 1);
  if (event.key === "Home") [r, c] = [ctrl ? 0 : r, 0];
  if (event.key === "End") {
    r = ctrl ? rows.length - 1 : r;
    c = rows[r].cells.length - 1;
  }
  event.preventDefault();
  const target = rows[r].cells[Math.min(c, rows[r].cells.length - 1)];
  if (target !== cell) moveFocus(table, cell, target);
}

function addToggle(doc, figure, table, data) {
  const total = 2 ** data.pointNames.length;
  const selected = [...table.tBodies[0].rows];
  const button = doc.createElement("button");
  button.type = "button";
  button.className = "dcf-grid__toggle md-button";
  button.textContent = `Show all ${total} rows`;   // a fixed label; aria-pressed says which view is on
  const show = (all) => {
    button.setAttribute("aria-pressed", String(all));
    const body = table.tBodies[0];
    const hadFocus = body.contains(doc.activeElement);
    const rows = all ? rowsBySize(data.pointNames.length).map((r) => renderRow(doc, data, r)) : selected;
    body.replaceChildren(...rows);
    figure.dataset.rows = all ? "all" : "selected";
    for (const cell of table.querySelectorAll("th, td")) cell.tabIndex = -1;
    applyRoles(table);
    highlight(table, null);
    if (hadFocus) button.focus();
  };
  button.addEventListener("click", () => show(button.getAttribute("aria-pressed") !== "true"));
  const toolbar = doc.createElement("div");
  toolbar.className = "dcf-grid__toolbar";
  toolbar.append(button);
  figure.insertBefore(toolbar, figure.firstChild);
  show(false);
}

/** Enhance one `figure.dcf-grid` in place; safe to call twice. */
export function enhanceGrid(figure, { document: doc = figure.ownerDocument } = {}) {
  if (figure.dataset.enhanced === "true") return;
  const source = figure.querySelector("template.dcf-grid__data");
  const table = figure.querySelector("table.dcf-grid__table");
  if (!source || !table) return;
  const data = JSON.parse(source.content.textContent);
  figure.dataset.enhanced = "true";
  applyRoles(table);
  table.addEventListener("keydown", (event) => onKeydown(table, event));
  table.addEventListener("focusin", (event) => {
    const cell = event.target.closest("th, td");
    if (!cell) return;
    for (const other of table.querySelectorAll('[tabindex="0"]')) if (other !== cell) other.tabIndex = -1;
    cell.tabIndex = 0;
    highlight(table, cell);
  });
  table.addEventListener("focusout", (event) => {
    if (!table.contains(event.relatedTarget)) highlight(table, null);
  });
  table.addEventListener("pointerover", (event) => highlight(table, event.target.closest("th, td")));
  table.addEventListener("pointerleave", () => {
    const active = doc.activeElement;
    highlight(table, table.contains(active) ? active.closest("th, td") : null);
  });
  if (!data.showAll) addToggle(doc, figure, table, data);
}

// --- a grid computed in the page (a code cell's result) -----------------------------------

// The build's words for each metric (sitebuild/render.py, _METRIC_WORDS).
const METRIC_WORDS = {
  prob_correct: "the probability the model gives the true label",
  accuracy: "accuracy (1 if the model predicts the true label, else 0)",
  log_loss: "log loss (lower is better)",
};
// Up to this many rows a live grid shows them all; beyond, the full set and each leave-one-out
// row, with the toggle to show every row (as a `rows: loo` block on a static page).
const MAX_ROWS_SHOWN = 16;

function gridData(grid, rows) {
  const n = grid.point_names.length;
  const full = 2 ** n - 1;
  const metric = grid.inputs?.metric;
  let [min, max] = [0, 1];
  if (metric !== "prob_correct" && metric !== "accuracy") {
    const all = grid.values.flat();
    [min, max] = all.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
    if (!(max > min)) max = min + 1;
  }
  const showAll = rows === "all" || (rows === "auto" && 2 ** n <= MAX_ROWS_SHOWN);
  return {
    example: null,
    pointNames: grid.point_names,
    evalNames: grid.eval_names,
    values: grid.values,
    rows: showAll ? rowsBySize(n) : [full, ...grid.point_names.map((_, i) => full ^ (1 << i))],
    showAll,
    compare: null,
    focus: [],
    format: ".2f",
    min,
    max,
    metric,
  };
}

/** Check the fields of grid JSON (`datacf.Grid.to_json()`) that the table reads; throw on a bad one. */
function checkGrid(grid) {
  const fail = (what) => {
    throw new TypeError(`renderGridFigure needs grid JSON as datacf.Grid.to_json() writes it: ${what}`);
  };
  if (!grid || grid.schema !== "datacf.grid") fail('"schema" is not "datacf.grid"');
  const { point_names: points, eval_names: columns, values } = grid;
  if (!Array.isArray(points) || !Array.isArray(columns) || !Array.isArray(values)) fail("names or values are missing");
  if (values.length !== 2 ** points.length) fail(`${values.length} rows for ${points.length} points (want 2**n)`);
  if (!values.every((row) => Array.isArray(row) && row.length === columns.length && row.every(Number.isFinite))) {
    fail(`every row must hold ${columns.length} finite numbers`);
  }
}

/**
 * A `figure.dcf-grid` for grid JSON computed in the page, with the markup the build writes for a
 * `datacf-grid` block (render.py), enhanced like every static grid.
 *
 * `gridJson` is the text (or the parsed object) of `datacf.Grid.to_json()`. Up to 16 rows show
 * all rows by subset size; a larger grid shows the full set and each leave-one-out row, with
 * the toggle to show all (`rows: "all"` or `"loo"` forces one). Names go in as text.
 */
export function renderGridFigure(doc, gridJson, { caption = null, rows = "auto" } = {}) {
  const grid = typeof gridJson === "string" ? JSON.parse(gridJson) : gridJson;
  checkGrid(grid);
  const data = gridData(grid, rows);
  const words = METRIC_WORDS[data.metric] ?? (data.metric ? data.metric : "the value in the grid");
  const el = (tag, props = {}) => Object.assign(doc.createElement(tag), props);
  const figure = el("figure", { className: "dcf-grid" });
  Object.assign(figure.dataset, { format: data.format, rows: data.showAll ? "all" : "selected", live: "true" });
  const table = el("table", { className: "dcf-grid__table" });
  const model = grid.inputs?.model?.class;
  table.createCaption().textContent = caption ?? `${model ? `${model}, computed` : "Computed"} in your browser: ` +
    `${data.values.length} training sets, ${data.evalNames.length} evaluation points. Each cell: ${words}.`;
  const head = table.createTHead().insertRow();
  for (const label of ["training set", ...data.evalNames]) head.append(el("th", { scope: "col", textContent: label }));
  table.createTBody().append(...data.rows.map((row) => renderRow(doc, data, row)));
  const scroll = el("div", { className: "dcf-grid__scroll" });
  scroll.append(table);
  const legend = el("div", { className: "dcf-grid__legend" });
  const scale = el("span", { className: "dcf-legend__scale" });
  scale.setAttribute("aria-hidden", "true");
  scale.append(el("span", { textContent: formatNumber(data.min) }), el("span", { className: "dcf-legend__bar" }),
    el("span", { textContent: formatNumber(data.max) }));
  legend.append(scale, el("span", {
    textContent: `Rows are training sets, columns are evaluation points; each cell shows ${words}, ` +
      "and its shading deepens as the score rises.",
  }));
  const source = el("template", { className: "dcf-grid__data" });
  source.content.append(doc.createTextNode(JSON.stringify(data)));
  figure.append(scroll, legend, source);
  enhanceGrid(figure, { document: doc });
  return figure;
}

export function mount(doc = document) {
  for (const figure of doc.querySelectorAll("figure.dcf-grid")) enhanceGrid(figure, { document: doc });
}

onEachPage(mount);
