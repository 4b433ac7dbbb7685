// docs/js/grid-table.js: draw a grid's view as a table, and make every grid table a keyboard grid.
//
// How a grid is presented (rows and their order, subset names, numbers, words, shades, legend)
// is decided once, in Python, by the view model `datacf._view.grid_view`; this module only
// turns a view into DOM. The build writes each `datacf-grid` block as a complete static table
// from its view (sitebuild/grid_html.py), with the view itself in a <template>, so the page
// reads with JavaScript off; `renderGridFigure` builds the same markup from a view computed in
// the page's worker. Every table then gets the ARIA grid roles, a roving tabindex with arrow-key
// navigation (one tab stop; arrows move one cell and do not wrap; Home/End, Ctrl+Home/End), row
// and column highlight on hover and focus, and, when the view carries `allRows`, a toggle
// between the shown rows and every row. Heat colours are pure CSS (`--dcf-v`, the view's
// shade, mixed with Material's palette variables), so they follow the light/dark switch.

import { onEachPage } from "./each-page.js";

const VIEW_SCHEMA = "datacf.grid-view";
const VIEW_VERSION = 1;
const NAV_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"]);

const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);

function focusClass(view, col, node) {
  if (view.focus.includes(col)) node.classList.add("dcf-focus");
  return node;
}

/** One `<tr>` for `row`, a row of the view (`view.rows` or `view.allRows`): the build's markup. */
export function renderRow(doc, view, row) {
  const tr = doc.createElement("tr");
  tr.dataset.subset = row.label;
  tr.dataset.size = String(row.size);
  if (row.compare) tr.classList.add("dcf-compare", `dcf-compare--${row.compare}`);
  tr.append(el(doc, "th", { scope: "row", textContent: row.label }));
  row.cells.forEach((cell, col) => {
    const td = focusClass(view, col, el(doc, "td", { textContent: cell.text }));   // the number is always visible
    td.dataset.value = String(cell.value);
    td.style.setProperty("--dcf-v", String(cell.shade));
    td.setAttribute("aria-label", cell.label);
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

function addToggle(doc, figure, table, view) {
  const selected = [...table.tBodies[0].rows];
  const button = el(doc, "button", { type: "button", className: "dcf-grid__toggle md-button" });
  button.textContent = view.allRowsLabel;   // a fixed label; aria-pressed says which view is on
  let every = null;                         // drawn on first use
  const show = (all) => {
    button.setAttribute("aria-pressed", String(all));
    const body = table.tBodies[0];
    const hadFocus = body.contains(doc.activeElement);
    every ??= all ? view.allRows.map((row) => renderRow(doc, view, row)) : null;
    body.replaceChildren(...(all ? every : selected));
    figure.dataset.rows = all ? "all" : "selected";
    for (const cell of table.querySelectorAll("th, td")) cell.tabIndex = -1;
    applyRoles(table);
    highlight(table, null);
    if (hadFocus) button.focus();
  };
  button.addEventListener("click", () => show(button.getAttribute("aria-pressed") !== "true"));
  const toolbar = el(doc, "div", { className: "dcf-grid__toolbar" });
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
  const { view } = JSON.parse(source.content.textContent);
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
  if (view?.allRows) addToggle(doc, figure, table, view);
}

// --- a grid computed in the page (a code cell's result) -----------------------------------

/** Check the fields of a view that the table reads; throw a TypeError naming a bad one. */
function checkView(view) {
  const fail = (what) => {
    throw new TypeError(`renderGridFigure needs a grid view as datacf._view.view_json(grid) writes it: ${what}`);
  };
  if (view?.schema === "datacf.grid") fail("got grid JSON (Grid.to_json()); send view_json(grid) instead");
  if (view?.schema !== VIEW_SCHEMA || view.version !== VIEW_VERSION) {
    fail(`"schema" is not "${VIEW_SCHEMA}" version ${VIEW_VERSION}`);
  }
  const rows = [...view.rows, ...(view.allRows ?? [])];
  if (!Array.isArray(view.colLabels) || !Array.isArray(view.focus)) fail("colLabels or focus is missing");
  if (!rows.every((row) => typeof row.label === "string" && Array.isArray(row.cells)
    && row.cells.length === view.colLabels.length)) {
    fail(`every row needs a label and ${view.colLabels.length} cells`);
  }
}

function legend(doc, view) {
  const box = el(doc, "div", { className: "dcf-grid__legend" });
  const scale = el(doc, "span", { className: "dcf-legend__scale" });
  scale.setAttribute("aria-hidden", "true");
  scale.append(el(doc, "span", { textContent: view.legend.light.text }), el(doc, "span", { className: "dcf-legend__bar" }),
    el(doc, "span", { textContent: view.legend.dark.text }));
  box.append(scale);
  for (const line of view.legend.lines) {
    const span = el(doc, "span");
    span.append(...line.map((run) => (run.mark
      ? el(doc, "strong", { className: `dcf-legend__${run.mark}`, textContent: run.text })
      : doc.createTextNode(run.text))));
    box.append(span);
  }
  return box;
}

/**
 * A `figure.dcf-grid` for a view computed in the page (`datacf._view.view_json(grid)`, text or
 * parsed), with the markup the build writes for a `datacf-grid` block (sitebuild/grid_html.py),
 * enhanced like every static grid. `caption` replaces the view's caption. Text goes in as text.
 */
export function renderGridFigure(doc, viewJson, { caption = null } = {}) {
  const view = typeof viewJson === "string" ? JSON.parse(viewJson) : viewJson;
  checkView(view);
  const figure = el(doc, "figure", { className: "dcf-grid" });
  Object.assign(figure.dataset, { format: view.format, rows: view.rowSet === "all" ? "all" : "selected", live: "true" });
  const table = el(doc, "table", { className: "dcf-grid__table" });
  table.createCaption().textContent = caption ?? view.caption;
  const head = table.createTHead().insertRow();
  head.append(el(doc, "th", { scope: "col", textContent: view.cornerLabel }),
    ...view.colLabels.map((label, col) => focusClass(view, col, el(doc, "th", { scope: "col", textContent: label }))));
  table.createTBody().append(...view.rows.map((row) => renderRow(doc, view, row)));
  if (view.compare) {
    const diff = table.createTFoot().insertRow();
    diff.className = "dcf-diff";
    diff.append(el(doc, "th", { scope: "row", textContent: view.compare.label }),
      ...view.compare.cells.map((cell, col) => {
        const td = focusClass(view, col, el(doc, "td", { textContent: cell.text }));
        td.dataset.value = String(cell.value);
        td.setAttribute("aria-label", cell.label);
        return td;
      }));
  }
  const scroll = el(doc, "div", { className: "dcf-grid__scroll" });
  scroll.append(table);
  const source = el(doc, "template", { className: "dcf-grid__data" });
  source.content.append(doc.createTextNode(JSON.stringify({ example: null, view })));
  figure.append(scroll, legend(doc, view), source);
  enhanceGrid(figure, { document: doc });
  return figure;
}

export function mount(doc = document) {
  for (const figure of doc.querySelectorAll("figure.dcf-grid")) enhanceGrid(figure, { document: doc });
}

onEachPage(mount);
