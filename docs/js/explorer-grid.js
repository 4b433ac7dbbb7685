// docs/js/explorer-grid.js: the Grid Explorer's grid, drawn from the view model (datacf._view).
//
// Every word, number, shade and label comes from `grid_view`'s output; this file only turns it
// into DOM. Like the static grid widget it is an ARIA grid with one tab stop and arrow-key
// navigation (no wrap; Home/End, Ctrl+Home/End). From 7 points the rows are grouped by subset
// size, and each group opens and closes (Enter or a click on its header), so the page draws
// only what the reader opens. Enter on a row (or a click on its name) selects it: its model's
// regions are drawn on the plot. The active lens marks exactly the cells it reads.

const GROUP_FROM = 7;
const NAV = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"]);
const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);

/** A view cell as {text, shade, label}: the full view's dict, or the worker's compact [text, shade(, label)]. */
function cellOf(view, row, cell, c) {
  if (!Array.isArray(cell)) return cell;
  const label = cell[2] ?? view.cellLabel.replace("{trainedOn}", row.trainedOn).replace("{column}", view.colLabels[c])
    .replace("{text}", cell[0]);
  return { text: cell[0], shade: cell[1], label };
}

export function createGrid(doc, { onSelect, onNeedRows = () => {} }) {
  const root = el(doc, "div", { className: "dcf-grid__scroll dcf-ex-grid" });
  const table = el(doc, "table", { className: "dcf-grid__table dcf-ex-grid__table" });
  table.setAttribute("role", "grid");
  root.append(table);
  const open = new Set();           // group sizes the reader opened
  const closed = new Set();         // group sizes the reader closed
  let last = { view: null, selection: null, reads: null, autoOpen: null, values: null };
  let built = null;                 // {shape, cells, missing}: what the table on screen was built for
  let focusKey = null;              // "row:col" or "group:size" of the cell with tabindex 0

  const keyOf = (cell) => cell?.dataset.key ?? null;

  function cellFor(key) {
    return key ? table.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  }

  function setTabStop(cell) {
    for (const other of table.querySelectorAll('[tabindex="0"]')) if (other !== cell) other.tabIndex = -1;
    if (cell) {
      cell.tabIndex = 0;
      focusKey = keyOf(cell);
    }
  }

  /** The subset sizes whose rows are open (every size below 7 points). */
  function openSizes(n, selection = null, autoOpen = new Set()) {
    const sizes = new Set();
    for (let size = 0; size <= n; size += 1) {
      const auto = size >= n - 1 || autoOpen.has(size) || (selection !== null && popcount(selection) === size);
      if (n < GROUP_FROM || open.has(size) || (!closed.has(size) && auto)) sizes.add(size);
    }
    return sizes;
  }

  /** Set a cell's text, shade, label and value, touching the DOM only where they changed. */
  function fill(td, cell, label, value) {
    if (td.textContent !== cell.text) td.textContent = cell.text;
    const shade = String(cell.shade);
    if (td.dataset.shade !== shade) {
      td.dataset.shade = shade;
      td.style.setProperty("--dcf-v", shade);
    }
    if (td.getAttribute("aria-label") !== label) td.setAttribute("aria-label", label);
    const v = String(value);
    if (td.dataset.value !== v) td.dataset.value = v;
  }

  function render(view, { selection = null, reads = { rows: new Set(), cols: new Set(), all: false }, autoOpen = new Set(), values = null } = {}) {
    if (last.view === view && last.values === values && last.selection === selection && last.reads === reads
      && sameSet(last.autoOpen, autoOpen)) return;     // nothing new (a drag redraws the rest of the page)
    last = { view, selection, reads, autoOpen, values };
    const hadFocus = table.contains(doc.activeElement);
    const n = view.nPoints;
    const grouped = n >= GROUP_FROM;
    const opened = openSizes(n, selection, autoOpen);
    const readCell = (row, c) => (reads.all || reads.rows.has(row)) && reads.cols.has(c);
    // The same rows, columns, groups and lens marks as on screen: update the cells in place.
    const shape = JSON.stringify([n, view.caption, view.cornerLabel, view.colLabels, view.focus,
      (view.allGroups ?? view.groups).map((g) => [g.size, g.label]), view.rows.map((r) => [r.row, r.label, r.size]),
      [...opened].sort(), selection, reads.all, [...reads.rows].sort((a, b) => a - b), [...reads.cols].sort()]);
    if (built && built.shape === shape) {
      for (const row of view.rows) {
        if (!opened.has(row.size)) continue;
        row.cells.forEach((raw, c) => {
          const td = built.cells.get(`${row.row}:${c}`);
          const cell = cellOf(view, row, raw, c);
          if (td) fill(td, cell, cell.label + (readCell(row.row, c) ? "; read by the lens" : ""), values ? values[row.row][c] : cell.value);
        });
      }
      if (built.missing) onNeedRows();
      return;
    }
    const cells = new Map();
    const caption = table.caption ?? table.createCaption();
    caption.textContent = view.caption;
    const head = el(doc, "tr", { role: "row" });
    head.append(el(doc, "th", { scope: "col", textContent: view.cornerLabel, role: "columnheader" }));
    view.colLabels.forEach((label, c) => {
      const th = el(doc, "th", { scope: "col", textContent: label, role: "columnheader" });
      if (view.focus.includes(c)) th.classList.add("dcf-focus");
      th.dataset.key = `head:${c}`;
      th.tabIndex = -1;
      head.append(th);
    });
    head.firstChild.dataset.key = "head:corner";
    head.firstChild.tabIndex = -1;
    const thead = el(doc, "thead");
    thead.append(head);
    const bodies = [];
    const full = 2 ** n - 1;
    const isOpen = (size) => opened.has(size);
    const positions = new Map();
    view.rows.forEach((row, p) => {
      if (!positions.has(row.size)) positions.set(row.size, []);
      positions.get(row.size).push(p);
    });
    let missing = false;
    for (const header of view.allGroups ?? view.groups) {
      const group = { ...header, rows: positions.get(header.size) ?? [] };
      const tbody = el(doc, "tbody");
      if (grouped) {
        const tr = el(doc, "tr", { className: "dcf-ex-group", role: "row" });
        const th = el(doc, "th", { scope: "rowgroup", colSpan: view.colLabels.length + 1, role: "rowheader" });
        const expanded = isOpen(group.size);
        th.setAttribute("aria-expanded", String(expanded));
        th.dataset.key = `group:${group.size}`;
        th.dataset.size = String(group.size);
        th.tabIndex = -1;
        const readHere = reads.all || [...reads.rows].some((r) => popcount(r) === group.size);
        th.textContent = `${expanded ? "\u25be" : "\u25b8"} ${group.label}${readHere ? " \u2014 read by the lens" : ""}`;
        tr.append(th);
        tbody.append(tr);
      }
      const expected = binomial(n, group.size);
      const pendingText = !group.rows.length ? "Computing these rows\u2026"
        : group.rows.length < expected ? `Showing ${group.rows.length} of ${expected} rows: close other groups to see more.` : null;
      if (isOpen(group.size) && !group.rows.length) missing = true;
      if (isOpen(group.size)) {
        for (const position of group.rows) {
          const row = view.rows[position];
          const tr = el(doc, "tr", { role: "row" });
          tr.dataset.row = String(row.row);
          tr.setAttribute("aria-selected", String(row.row === selection));
          if (row.row === selection) tr.classList.add("dcf-ex-row--selected");
          if (row.row === full) tr.classList.add("dcf-ex-row--full");
          const rowRead = reads.all || reads.rows.has(row.row);
          const th = el(doc, "th", { scope: "row", textContent: row.label, role: "rowheader" });
          th.dataset.key = `${row.row}:h`;
          th.tabIndex = -1;
          if (rowRead) th.classList.add("dcf-ex-read-row");
          tr.append(th);
          row.cells.forEach((raw, c) => {
            const cell = cellOf(view, row, raw, c);
            const td = el(doc, "td", { role: "gridcell" });
            fill(td, cell, cell.label + (rowRead && reads.cols.has(c) ? "; read by the lens" : ""), values ? values[row.row][c] : cell.value);
            td.dataset.key = `${row.row}:${c}`;
            cells.set(td.dataset.key, td);
            td.tabIndex = -1;
            if (view.focus.includes(c)) td.classList.add("dcf-focus");
            if (rowRead && reads.cols.has(c)) td.classList.add("dcf-ex-read");
            tr.append(td);
          });
          tbody.append(tr);
        }
        if (pendingText) {
          const tr = el(doc, "tr", { role: "row" });
          const th = el(doc, "th", { scope: "row", colSpan: view.colLabels.length + 1, role: "rowheader",
            className: "dcf-ex-pending", textContent: pendingText });
          th.dataset.key = `pending:${group.size}`;
          th.tabIndex = -1;
          tr.append(th);
          tbody.append(tr);
        }
      }
      bodies.push(tbody);
    }
    table.replaceChildren(caption, thead, ...bodies);
    built = { shape, cells, missing };
    if (missing) onNeedRows();
    const target = cellFor(focusKey) ?? table.querySelector("tbody td") ?? table.querySelector("tbody th") ?? head.firstChild;
    setTabStop(target);
    if (hadFocus) target.focus({ preventScroll: true });
  }

  function toggleGroup(size) {
    const th = cellFor(`group:${size}`);
    const expanded = th?.getAttribute("aria-expanded") === "true";
    if (expanded) {
      open.delete(size);
      closed.add(size);
    } else {
      closed.delete(size);
      open.add(size);
    }
    focusKey = `group:${size}`;
    const { view, ...options } = last;
    last = { view: null };
    render(view, options);
    cellFor(focusKey)?.focus();
  }

  table.addEventListener("click", (event) => {
    const cell = event.target.closest("th, td");
    if (!cell || !table.contains(cell)) return;
    if (cell.dataset.key?.startsWith("group:")) return toggleGroup(Number(cell.dataset.size));
    setTabStop(cell);
    const tr = cell.closest("tr[data-row]");
    if (tr) onSelect(Number(tr.dataset.row));
  });
  table.addEventListener("focusin", (event) => {
    const cell = event.target.closest("th, td");
    if (cell) setTabStop(cell);
  });
  table.addEventListener("keydown", (event) => {
    const cell = event.target.closest("th, td");
    if (!cell) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (cell.dataset.key?.startsWith("group:")) return toggleGroup(Number(cell.dataset.size));
      const tr = cell.closest("tr[data-row]");
      if (tr) onSelect(Number(tr.dataset.row));
      return;
    }
    if (!NAV.has(event.key) || event.altKey || event.metaKey) return;
    event.preventDefault();
    const rows = [...table.rows];
    let r = rows.indexOf(cell.parentElement);
    let c = cell.cellIndex;
    if (event.key === "ArrowLeft") c = Math.max(0, c - 1);
    if (event.key === "ArrowRight") c = Math.min(rows[r].cells.length - 1, c + 1);
    if (event.key === "ArrowUp") r = Math.max(0, r - 1);
    if (event.key === "ArrowDown") r = Math.min(rows.length - 1, r + 1);
    if (event.key === "Home") [r, c] = [event.ctrlKey ? 0 : r, 0];
    if (event.key === "End") {
      r = event.ctrlKey ? rows.length - 1 : r;
      c = rows[r].cells.length - 1;
    }
    const target = rows[r].cells[Math.min(c, rows[r].cells.length - 1)];
    if (target && target !== cell) {
      setTabStop(target);
      target.focus();
    }
  });

  return { element: root, render, openSizes, focusRow: (row) => cellFor(`${row}:h`)?.focus() };
}

function sameSet(a, b) {
  return a === b || (a instanceof Set && b instanceof Set && a.size === b.size && [...a].every((v) => b.has(v)));
}

function popcount(x) {
  let c = 0;
  for (let v = x; v; v &= v - 1) c += 1;
  return c;
}

function binomial(n, k) {
  let r = 1;
  for (let i = 1; i <= k; i += 1) r = (r * (n - k + i)) / i;
  return Math.round(r);
}
