// docs/js/explorer.js: the Grid Explorer: mount, state, history, live recompute, `window.datacf.explorer`.
//
// Each `div.dcf-explorer` (written by sitebuild/explorer_block.py with the preset's precomputed
// JSON in a <template>) becomes a live explorer. The page shows the precomputed numbers at
// once; every edit is checked (explorer-state.js), recorded for undo, and recomputed in the
// page's Python worker (`runtime.run`, debounced, latest edit wins) by
// datacf._explorer.explore_page, the function that made the preset at build time. The main
// thread never waits for Python: the status line says whether the numbers on screen are
// precomputed, being computed, or up to date.
//
// window.datacf.explorer (the first explorer on the page):
//   state()          -> a copy of the current state (points, names, labels, model, params,
//                       metric, convention, focus, lens, selection, view)
//   setState(state)  -> checks it (throws an Error naming the problem) and loads it
//   grid()           -> the values on screen: a list of 2^n rows in subset order
//   result()         -> the readings on screen (datacf._explorer.explore's output, without values)
// window.datacf.explorers lists every explorer on the page; explorerOf(root) gives one's API.

import { SET_CODE_EVENT } from "./code-cell.js";
import { onEachPage } from "./each-page.js";
import { runtime } from "./runtime.js";
import { checkState, defaultNames, isExplorerFragment, LIMITS, nameProblem, stateFromFragment } from "./explorer-state.js";
import { CLASS_WORDS, createPlot } from "./explorer-plot.js";
import { createPointsTable } from "./explorer-table.js";
import { createGrid } from "./explorer-grid.js";
import { createLenses, LENS_TITLES } from "./explorer-lenses.js";
import { codeDialog, copyText, download, gridCsv, gridJson, pythonScript, rowName, shareUrl } from "./explorer-share.js";

const SITE_ROOT = new URL("../", import.meta.url);
const DEBOUNCE_MS = 120;
const MAX_HISTORY = 200;
const MAX_REQUEST_ROWS = 160;   // as datacf._explorer.MAX_ROWS_PER_REQUEST: a reply stays under the output cap
const LIMIT_NOTE = `Live exact grids hold ${LIMITS.minPoints} to ${LIMITS.maxPoints} training points: every edit trains `
  + `one model per subset, 2^n models (${2 ** LIMITS.maxPoints} at n = ${LIMITS.maxPoints}), in your browser.`;
const MODEL_TITLES = { KNN: "k-nearest neighbours", LogisticRegression: "Logistic regression", NearestCentroid: "Nearest centroid" };
const METRIC_TITLES = { prob_correct: "probability of the true label", accuracy: "accuracy", log_loss: "log loss" };
let counter = 0;
const apis = new WeakMap();   // div.dcf-explorer -> its API

/** The scripting API of the explorer mounted on `root` (undefined before it is mounted). */
export const explorerOf = (root) => apis.get(root);

const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);
const clone = (value) => JSON.parse(JSON.stringify(value));
// Text that did not change is left alone: a drag redraws at every pointer move.
const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };
const dataKey = (s) => JSON.stringify([s.train, s.eval, s.model, s.params, s.metric, s.convention, s.focus]);

function field(doc, label, input) {
  const wrap = el(doc, "label", { className: "dcf-ex-field" });
  wrap.append(el(doc, "span", { textContent: label }), input);
  return wrap;
}

function selectOf(doc, options, value) {
  const select = el(doc, "select", { className: "dcf-ex-input" });
  for (const [v, text] of options) select.append(el(doc, "option", { value: String(v), textContent: text }));
  select.value = String(value);
  return select;
}

/** `state` with point `i` of `set` removed, every index that pointed past it shifted down. */
function withoutPoint(state, set, i) {
  const s = clone(state);
  const data = s[set];
  for (const key of ["X", "y", "names"]) data[key].splice(i, 1);
  const shift = (k) => (k > i ? k - 1 : k);
  const scoresTrain = set === "train" && !s.eval;
  if (set === "eval" || scoresTrain) {
    s.focus = s.focus.filter((c) => c !== i).map(shift);
    if (!s.focus.length) s.focus = [0];
    s.lens.column = s.lens.column === i ? 0 : shift(s.lens.column);
  }
  if (set === "train") {
    const n = data.X.length;
    s.lens.point = s.lens.point === i ? 0 : shift(s.lens.point);
    s.lens.group = s.lens.group.filter((k) => k !== i).map(shift);
    if (!s.lens.group.length) s.lens.group = [0];
    s.lens.pair = s.lens.pair.map((k) => (k === i ? -1 : shift(k)));
    if (s.lens.pair.includes(-1) || s.lens.pair[0] === s.lens.pair[1]) s.lens.pair = [0, 1];
    s.lens.size = Math.min(s.lens.size, n);
    if (s.selection !== null) {
      const low = s.selection & ((1 << i) - 1);
      s.selection = low | ((s.selection >> (i + 1)) << i);
    }
  }
  return s;
}

function freshName(names, lower = false) {
  const taken = new Set(names);
  const pool = defaultNames(LIMITS.maxPoints + LIMITS.maxEval + 30).map((n) => (lower ? n.toLowerCase() : n));
  return pool.find((n) => !taken.has(n));
}

function mountExplorer(root, { document: doc = root.ownerDocument, window: win = doc.defaultView, first = false } = {}) {
  if (root.dataset.enhanced === "true") return null;
  const source = root.querySelector("template.dcf-explorer__data");
  if (!source) return null;
  const island = JSON.parse(source.content.textContent);
  root.dataset.enhanced = "true";
  const id = `dcf-ex-${++counter}`;
  const channel = `explorer-${id}`;

  let preset = island.preset;
  let state = checkState(preset.state);
  let shown = { state, result: preset.result, grid: preset.grid, live: false };
  let undo = [];
  let redo = [];
  let timer = null;
  let sequence = 0;
  let running = false;       // a run of this explorer is in the worker
  let again = false;         // the state changed while it ran
  let soon = false;          // a compute is queued for the end of this task
  let pendingEdit = false;
  let savedEval = preset.state.eval ? clone(preset.state.eval) : null;
  let selection = state.selection;

  // --- the frame ------------------------------------------------------------------------------
  const staticPart = root.querySelector(".dcf-explorer__static");
  const app = el(doc, "div", { className: "dcf-ex" });
  const notice = el(doc, "p", { className: "dcf-ex-notice", hidden: true });
  notice.setAttribute("role", "alert");
  const announcer = el(doc, "p", { className: "dcf-ex-sr" });
  announcer.setAttribute("aria-live", "polite");
  const status = el(doc, "p", { className: "dcf-ex-status" });
  status.setAttribute("role", "status");
  const lede = el(doc, "p", { className: "dcf-ex-lede" });

  // toolbar: preset, undo/redo/reset
  const presetPick = selectOf(doc, island.presets.map(([name, title]) => [name, title]), preset.preset);
  presetPick.setAttribute("aria-label", "preset");
  const undoButton = el(doc, "button", { type: "button", className: "md-button dcf-ex-button", textContent: "Undo" });
  const redoButton = el(doc, "button", { type: "button", className: "md-button dcf-ex-button", textContent: "Redo" });
  const resetButton = el(doc, "button", { type: "button", className: "md-button dcf-ex-button", textContent: "Reset" });
  undoButton.setAttribute("aria-keyshortcuts", "Control+Z");
  redoButton.setAttribute("aria-keyshortcuts", "Control+Shift+Z");
  resetButton.title = "Back to the preset";
  const toolbar = el(doc, "div", { className: "dcf-ex-toolbar" });
  toolbar.append(field(doc, "Preset", presetPick), undoButton, redoButton, resetButton);
  presetPick.parentElement.hidden = island.presets.length < 2;   // a tutorial's explorer keeps its preset

  // the data: plot + tables
  const plot = createPlot(doc, { onMove: movePoint, onKeyAction: keyAction, label: "Training points and decision regions" });
  const legend = el(doc, "p", { className: "dcf-ex-legend" });
  const evalChoice = el(doc, "fieldset", { className: "dcf-ex-radios" });
  evalChoice.append(el(doc, "legend", { textContent: "Score the models on" }));
  const evalRadios = ["train", "held-out"].map((value) => {
    const label = el(doc, "label", { className: "dcf-ex-chip" });
    const input = el(doc, "input", { type: "radio", name: `${id}-eval`, value });
    input.addEventListener("change", () => input.checked && setEvalMode(value === "held-out"));
    label.append(input, doc.createTextNode(value === "train" ? "the training points" : "held-out points"));
    evalChoice.append(label);
    return input;
  });
  const evalWhy = el(doc, "p", { className: "dcf-ex-why", textContent: "Why it matters: scored on its own training points, a model "
    + "is rewarded for memorising them (1-nearest neighbour is perfect there); held-out points ask whether it generalises." });
  const limitNote = el(doc, "p", { className: "dcf-ex-why dcf-ex-limit", textContent: LIMIT_NOTE });
  const trainTable = createPointsTable(doc, { set: "train", caption: "Training points", onEdit: editField, onDelete: deletePoint, onAdd: addPoint });
  const evalTable = createPointsTable(doc, { set: "eval", caption: "Held-out evaluation points", onEdit: editField, onDelete: deletePoint, onAdd: addPoint });
  const tables = el(doc, "details", { className: "dcf-ex-tables" });
  tables.append(el(doc, "summary", { textContent: "The points as an editable table" }), trainTable.element, evalTable.element);
  const dataPanel = el(doc, "section", { className: "dcf-ex-data" });
  dataPanel.setAttribute("aria-label", "Data");
  dataPanel.append(plot.element, legend, evalChoice, evalWhy, tables, limitNote);

  // model and score
  const modelPick = selectOf(doc, Object.entries(MODEL_TITLES), state.model);
  const kInput = el(doc, "input", { type: "number", min: 1, max: 10, step: 1, className: "dcf-ex-input dcf-ex-input--num" });
  const cPick = selectOf(doc, [0.01, 0.1, 1, 10, 100].map((c) => [c, `C = ${c}`]), 1);
  const metricPick = selectOf(doc, Object.entries(METRIC_TITLES), state.metric);
  const conventionPick = selectOf(doc, [["fallback", "fallback (uniform / one class)"], ["zero", "zero (as pyDVL)"]], state.convention);
  const kField = field(doc, "k", kInput);
  const cField = field(doc, "C (inverse regularisation)", cPick);
  modelPick.addEventListener("change", () => {
    const params = modelPick.value === "KNN" ? { k: 3 } : modelPick.value === "LogisticRegression" ? { C: 1 } : {};
    commit({ ...state, model: modelPick.value, params }, `Model: ${MODEL_TITLES[modelPick.value]}.`);
  });
  kInput.addEventListener("change", () => {
    const k = Number(kInput.value);
    if (Number.isInteger(k) && k >= 1 && k <= 10) commit({ ...state, params: { k } }, `k = ${k}.`);
    kInput.setAttribute("aria-invalid", String(!(Number.isInteger(k) && k >= 1 && k <= 10)));
  });
  cPick.addEventListener("change", () => commit({ ...state, params: { C: Number(cPick.value) } }, `C = ${cPick.value}.`));
  metricPick.addEventListener("change", () => commit({ ...state, metric: metricPick.value }, `Metric: ${METRIC_TITLES[metricPick.value]}.`));
  conventionPick.addEventListener("change", () => commit({ ...state, convention: conventionPick.value }, `Convention: ${conventionPick.value}.`));
  const modelPanel = el(doc, "section", { className: "dcf-ex-model" });
  modelPanel.setAttribute("aria-label", "Model and score");
  modelPanel.append(field(doc, "Model", modelPick), kField, cField, field(doc, "Score", metricPick), field(doc, "Convention", conventionPick));

  // focus chips
  const focusSet = el(doc, "fieldset", { className: "dcf-ex-chips dcf-ex-focus" });

  // the grid, the lens, share
  const grid = createGrid(doc, { onSelect: selectRow, onNeedRows: () => schedule() });
  let autoOpen = new Set();   // sizes the lens opens (the rows it reads, when few)
  let lensShown = null;       // {result, key, reading}: the lens as drawn last
  const gridNote = el(doc, "p", { className: "dcf-ex-why" });
  const lenses = createLenses(doc, { onLens: (patch) => commit({ ...state, lens: { ...state.lens, ...patch } }, null) });
  const share = el(doc, "div", { className: "dcf-ex-share" });
  const shareStatus = el(doc, "p", { className: "dcf-ex-sr-visible" });
  shareStatus.setAttribute("aria-live", "polite");
  const button = (text, onClick) => {
    const b = el(doc, "button", { type: "button", className: "md-button dcf-ex-button", textContent: text });
    b.addEventListener("click", onClick);
    return b;
  };
  share.append(
    button("Copy link", async () => {
      const url = shareUrl(state, win.location);
      win.history.replaceState(null, "", url);
      shareStatus.textContent = (await copyText(win, url)) ? "Link copied: it holds the whole state." : "The link is in the address bar; copy it from there.";
    }),
    button("CSV", () => download(doc, "grid.csv", gridCsv(shown.grid), "text/csv")),
    button("Grid JSON", () => download(doc, "grid.json", gridJson(shown.grid), "application/json")),
    button("Python script", () => download(doc, "explorer.py", pythonScript(shown.state), "text/x-python")),
    button("Open as code", () => openAsCode()),
  );
  const sharePanel = el(doc, "section", { className: "dcf-ex-sharepanel" });
  sharePanel.setAttribute("aria-label", "Share and export");
  sharePanel.append(share, shareStatus);

  const side = el(doc, "div", { className: "dcf-ex-side" });
  side.append(modelPanel, focusSet, lenses.element);
  const top = el(doc, "div", { className: "dcf-ex-top" });
  top.append(dataPanel, side);
  const gridPanel = el(doc, "section", { className: "dcf-ex-gridpanel" });
  gridPanel.setAttribute("aria-label", "The grid");
  gridPanel.append(grid.element, gridNote);
  app.append(notice, lede, toolbar, status, top, gridPanel, sharePanel, announcer);
  app.addEventListener("keydown", onKeydown);
  if (staticPart) staticPart.hidden = true;
  root.append(app);

  // --- edits ----------------------------------------------------------------------------------
  function say(text) {
    if (text) announcer.textContent = text;
  }

  function commit(next, message, { record = true } = {}) {
    let checked;
    const target = next.lens?.signal?.label;
    if (target !== null && target !== undefined && !next.train.y.includes(target)) {
      // The edit removed the collective's target class: let datacf choose the target again.
      next = { ...next, lens: { ...next.lens, signal: { ...next.lens.signal, label: null } } };
      message = `${message ?? ""} No point has class ${target} now, so the signal's target class is chosen automatically.`.trim();
    }
    try {
      checked = checkState({ ...next, selection });
    } catch (error) {
      say(`Not applied: ${error.message}`);
      return error.message;
    }
    if (record) {
      undo.push(state);
      if (undo.length > MAX_HISTORY) undo.shift();
      redo = [];
    }
    state = checked;
    say(message);
    render();
    schedule();
    return null;
  }

  function movePoint(set, i, x, y, done) {
    const next = clone(state);
    next[set].X[i] = [x, y];
    if (!done) {
      // While dragging: show the move, recompute (latest wins), record history once at the end.
      if (!moveStart) moveStart = state;
      state = checkState({ ...next, selection });
      render();
      schedule({ now: false });
      return;
    }
    const before = moveStart ?? state;
    moveStart = null;
    state = before;
    commit(next, `${set === "train" ? "Training" : "Held-out"} point ${next[set].names[i]} moved to (${x.toFixed(2)}, ${y.toFixed(2)}).`);
  }
  let moveStart = null;

  function keyAction(set, i, action) {
    const data = state[set];
    if (action === "relabel") {
      const classes = data.y.includes(2) || state.train.y.includes(2) ? 3 : 2;
      const next = clone(state);
      next[set].y[i] = (data.y[i] + 1) % classes;
      commit(next, `${data.names[i]} is now ${CLASS_WORDS[next[set].y[i]]}.`);
    } else if (action === "delete") {
      deletePoint(set, i);
    }
  }

  function editField(set, i, name, value) {
    const next = clone(state);
    const data = next[set];
    if (name === "name") {
      const problem = nameProblem(value);
      if (problem) return problem;
      if (data.names.some((n, k) => n === value && k !== i)) return "another point has this name";
      data.names[i] = value;
    } else if (name === "x" || name === "y") {
      if (!Number.isFinite(value) || Math.abs(value) > LIMITS.coord) return `a coordinate is a number from ${-LIMITS.coord} to ${LIMITS.coord}`;
      data.X[i][name === "x" ? 0 : 1] = value;
      const [x0, x1, y0, y1] = next.view;
      const [px, py] = data.X[i];
      if (px < x0 || px > x1 || py < y0 || py > y1) next.view = null;   // grow the window to show it
    } else if (name === "label") {
      data.y[i] = value;
    }
    return commit(next, `${data.names[i]}: ${name} set to ${name === "label" ? CLASS_WORDS[value] : value}.`);
  }

  function deletePoint(set, i) {
    const data = state[set];
    const min = set === "train" ? LIMITS.minPoints : 1;
    if (data.X.length <= min) {
      say(set === "train" ? LIMIT_NOTE : "Keep at least one held-out point, or score on the training points.");
      return;
    }
    const name = data.names[i];
    const next = withoutPoint(state, set, i);
    selection = next.selection;
    commit(next, `${name} removed.`);
    const left = next[set].X.length;
    plot.focusPoint(set, Math.min(i, left - 1));
  }

  function addPoint(set, label) {
    const data = state[set];
    const max = set === "train" ? LIMITS.maxPoints : LIMITS.maxEval;
    if (data.X.length >= max) {
      say(set === "train" ? LIMIT_NOTE : `At most ${LIMITS.maxEval} held-out points.`);
      return;
    }
    const next = clone(state);
    const [x0, x1, y0, y1] = next.view;
    const step = (x1 - x0) / 20;
    const k = data.X.length % 5;
    const x = Math.round(((x0 + x1) / 2 + (k - 2) * step) * 100) / 100;
    const y = Math.round(((y0 + y1) / 2 + (k % 2 ? step : -step)) * 100) / 100;
    const name = freshName([...next[set].names, ...(set === "eval" ? [] : [])], set === "eval");
    next[set].X.push([x, y]);
    next[set].y.push(label);
    next[set].names.push(name);
    if (set === "eval" || !next.eval) next.focus = [...next.focus, next[set].X.length - 1];
    if (set === "train") selection = null;
    next.selection = selection;
    commit(next, `Added ${name}, ${CLASS_WORDS[label]}, at (${x.toFixed(2)}, ${y.toFixed(2)}).`);
    plot.focusPoint(set, next[set].X.length - 1);
  }

  function setEvalMode(heldOut) {
    if (heldOut === Boolean(state.eval)) return;
    const next = clone(state);
    if (heldOut) {
      if (!savedEval) {
        const [x0, x1] = next.view;
        const shift = Math.round(((x1 - x0) / 12) * 100) / 100;
        savedEval = {
          X: next.train.X.map(([x, y]) => [Math.round((x + shift) * 100) / 100, Math.round((y - shift) * 100) / 100]),
          y: [...next.train.y], names: next.train.names.map((_, i) => defaultNames(i + 1)[i].toLowerCase()),
        };
      }
      next.eval = clone(savedEval);
    } else {
      savedEval = clone(state.eval);
      next.eval = null;
    }
    next.focus = null;
    next.lens = { ...next.lens, column: 0 };
    next.view = null;
    commit(next, heldOut ? "Scoring on held-out points." : "Scoring on the training points.");
  }

  function selectRow(row) {
    selection = selection === row ? null : row;
    commit({ ...state }, selection === null ? "Row deselected." : `Row ${rowName(row, state.train.names)} selected: its model's regions are the inner squares.`);
  }

  function onKeydown(event) {
    const typing = event.target.closest?.("input, select, textarea");
    if (typing || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      doUndo();
    } else if ((key === "z" && event.shiftKey) || key === "y") {
      event.preventDefault();
      doRedo();
    }
  }

  function restore(next, message) {
    state = next;
    selection = state.selection;
    say(message);
    render();
    schedule();
  }

  function doUndo() {
    if (!undo.length) return say("Nothing to undo.");
    redo.push(state);
    restore(undo.pop(), "Undone.");
  }

  function doRedo() {
    if (!redo.length) return say("Nothing to redo.");
    undo.push(state);
    restore(redo.pop(), "Redone.");
  }

  undoButton.addEventListener("click", doUndo);
  redoButton.addEventListener("click", doRedo);
  resetButton.addEventListener("click", () => {
    selection = preset.state.selection;
    commit(preset.state, `Reset to the preset "${preset.title}".`);
  });

  async function loadPreset(name) {
    let document;
    try {
      const response = await fetch(new URL(`grids/explorer/${encodeURIComponent(name)}.json`, SITE_ROOT));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = await response.json();
      checkState(document.state);
    } catch (error) {
      say(`The preset could not be loaded (${error.message}).`);
      presetPick.value = preset.preset;
      return;
    }
    preset = document;
    undo.push(state);
    redo = [];
    savedEval = preset.state.eval ? clone(preset.state.eval) : null;
    state = checkState(preset.state);
    selection = state.selection;
    shown = { state, result: preset.result, grid: preset.grid, live: false };
    say(`Preset: ${preset.title}.`);
    render();
    schedule();
  }
  presetPick.addEventListener("change", () => loadPreset(presetPick.value));

  // --- computing ----------------------------------------------------------------------------------
  function setStatus(kind, text) {
    status.dataset.state = kind;
    setText(status, text);
    root.dataset.status = kind;
  }

  function upToDate() {
    return shown.live && JSON.stringify(shown.state) === JSON.stringify(state)
      && shown.rowsKey === JSON.stringify(requestedRows(state));
  }

  /** The rows the worker should send views of: those of the open groups (null: every row, n < 7). */
  function requestedRows(s) {
    const n = s.train.X.length;
    if (n < 7) return null;
    const sizes = [...grid.openSizes(n, s.selection, autoOpen)];
    const per = Math.floor(MAX_REQUEST_ROWS / Math.max(1, sizes.length));
    const order = rowsBySize(n);
    const rows = sizes.flatMap((size) => order.filter((r) => popcount(r) === size).slice(0, per));
    if (s.selection !== null && !rows.includes(s.selection)) rows.push(s.selection);
    return rows;
  }

  /**
   * Recompute soon: a discrete edit (a key, the end of a drag, a field) at once, a move during a
   * drag once the pointer rests for DEBOUNCE_MS. One run at a time: an edit made while the worker
   * computes waits for it (ending a running run restarts the worker, seconds of loading), then
   * the latest state is computed; the finished run's numbers are shown meanwhile.
   */
  function schedule({ now = true } = {}) {
    if (upToDate()) return;
    pendingEdit = true;
    clearTimeout(timer);
    if (!now) timer = setTimeout(compute, DEBOUNCE_MS);
    else if (!soon) {
      // After this event's handlers (so edits made together go as one run), before any drawing:
      // the worker computes while the page paints the edit.
      soon = true;
      queueMicrotask(() => {
        soon = false;
        compute();
      });
    }
    if (runtime.state.failure) setStatus("error", `Python could not load (${runtime.state.failure}) The numbers shown are for the last computed state.`);
    else if (!runtime.state.ready) setStatus("waiting", "Your edit will be computed as soon as Python has loaded; the numbers shown are the preset's, computed when the site was built.");
    else setStatus("computing", "Computing\u2026");
  }

  async function compute() {
    clearTimeout(timer);
    if (upToDate()) return;
    if (running) {
      again = true;
      return;
    }
    const mine = ++sequence;
    const base = shown;
    const request = clone(state);
    const rows = requestedRows(request);
    const code = `from datacf._explorer import explore_page\nexplore_page(${JSON.stringify(JSON.stringify(request))}, `
      + `${JSON.stringify(JSON.stringify(rows))})\n`;
    if (runtime.state.ready) setStatus("computing", "Computing\u2026");
    running = true;
    let reply;
    try {
      reply = await runtime.run(code, { channel });
    } finally {
      running = false;
      if (again) {
        again = false;
        clearTimeout(timer);
        timer = setTimeout(compute, 0);
      }
    }
    if (mine !== sequence || reply.superseded || shown !== base) return;
    if (reply.stopped) {
      setStatus("error", "The computation was stopped; edit again to recompute.");
      return;
    }
    if (reply.error) {
      const reason = reply.error.type === "RuntimeUnavailable" ? `Python could not load: ${reply.error.message}` : `${reply.error.type}: ${reply.error.message}`;
      setStatus("error", `${reason} The numbers shown are for the last computed state.`);
      return;
    }
    let result;
    let gridDocument;
    try {
      const line = reply.stdout.trim().split("\n").pop();
      result = JSON.parse(line);
      gridDocument = JSON.parse(reply.display.json);
      if (gridDocument.values.length !== 2 ** request.train.X.length) throw new Error("the grid has the wrong size");
    } catch (error) {
      setStatus("error", `The worker's answer could not be read (${error.message}).`);
      return;
    }
    shown = { state: request, result, grid: gridDocument, live: true, rowsKey: JSON.stringify(rows) };
    pendingEdit = false;
    render();
    if (upToDate()) setStatus("live", `Up to date: ${2 ** request.train.X.length} models trained in your browser.`);
    else schedule();   // the rows to show changed with the new data (another n opens other groups)
  }

  // --- drawing ------------------------------------------------------------------------------------
  function lensContext() {
    const same = dataKey(shown.state) === dataKey(state)
      && shown.state.lens.alpha === state.lens.alpha && shown.state.lens.beta === state.lens.beta
      && JSON.stringify(shown.state.lens.signal) === JSON.stringify(state.lens.signal);
    const base = same ? state : shown.state;
    return { state: same ? state : { ...shown.state, lens: { ...shown.state.lens, name: state.lens.name } }, result: shown.result,
      values: shown.grid.values, base };
  }

  function renderFocus() {
    const cols = state.eval ? state.eval.names : state.train.names;
    if (focusSet.dataset.key === JSON.stringify([cols, state.focus])) return;   // as drawn (a drag redraws often)
    const legendText = el(doc, "legend", { textContent: "Focus: the evaluation columns every reading averages over" });
    const chips = cols.map((name, c) => {
      const label = el(doc, "label", { className: "dcf-ex-chip" });
      const box = el(doc, "input", { type: "checkbox", checked: state.focus.includes(c) });
      box.addEventListener("change", () => {
        const next = cols.map((_, k) => k).filter((k) => (k === c ? box.checked : state.focus.includes(k)));
        if (!next.length) {
          box.checked = true;
          say("Keep at least one focus column.");
          return;
        }
        commit({ ...state, focus: next }, `Focus: ${next.map((k) => cols[k]).join(", ")}.`);
        focusSet.querySelectorAll("input")[c]?.focus();
      });
      label.append(box, doc.createTextNode(name));
      return label;
    });
    const key = JSON.stringify([cols, state.focus]);
    if (focusSet.dataset.key === key) return;
    const active = focusSet.contains(doc.activeElement) ? [...focusSet.querySelectorAll("input")].indexOf(doc.activeElement) : -1;
    focusSet.dataset.key = key;
    focusSet.replaceChildren(legendText, ...chips);
    if (active >= 0) focusSet.querySelectorAll("input")[active]?.focus();
  }

  function render() {
    const n = state.train.X.length;
    setText(lede, `${preset.title}. ${preset.description}`);
    undoButton.disabled = !undo.length;
    redoButton.disabled = !redo.length;
    modelPick.value = state.model;
    kField.hidden = state.model !== "KNN";
    cField.hidden = state.model !== "LogisticRegression";
    if (state.model === "KNN" && doc.activeElement !== kInput) kInput.value = String(state.params.k);
    if (state.model === "LogisticRegression") cPick.value = String(state.params.C);
    metricPick.value = state.metric;
    conventionPick.value = state.convention;
    // The two choices compute_grid refuses together are offered only one at a time.
    metricPick.querySelector('option[value="log_loss"]').disabled = state.convention === "zero";
    conventionPick.querySelector('option[value="zero"]').disabled = state.metric === "log_loss";
    evalRadios[0].checked = !state.eval;
    evalRadios[1].checked = Boolean(state.eval);
    renderFocus();
    trainTable.update(state.train, { canDelete: n > LIMITS.minPoints, canAdd: n < LIMITS.maxPoints, addNote: LIMIT_NOTE });
    evalTable.element.hidden = !state.eval;
    if (state.eval) {
      const m = state.eval.X.length;
      evalTable.update(state.eval, { canDelete: m > 1, canAdd: m < LIMITS.maxEval, addNote: `At most ${LIMITS.maxEval} held-out points.` });
    }
    limitNote.classList.toggle("dcf-ex-limit--bites", n <= LIMITS.minPoints || n >= LIMITS.maxPoints);

    const ctx = lensContext();
    // While a point is dragged the lens reads the same numbers at every move: draw it once.
    const lensKey = JSON.stringify([ctx.state, ctx.base]);
    if (lensShown?.result !== ctx.result || lensShown.key !== lensKey) lensShown = { result: ctx.result, key: lensKey, reading: lenses.render(ctx) };
    const reading = lensShown.reading;
    const fresh = dataKey(shown.state) === dataKey(state);
    const full = 2 ** ctx.state.train.X.length - 1;
    const sel = fresh ? selection : null;
    const readSizes = new Set();
    for (const row of reading.rows) readSizes.add(popcount(row));
    autoOpen = reading.rows.size <= 12 ? readSizes : new Set();
    grid.render(shown.result.view, { selection: sel, reads: reading, autoOpen, values: shown.grid.values });
    const rowsWord = `${2 ** ctx.state.train.X.length} rows, one model each`;
    setText(gridNote, (ctx.state.train.X.length >= 7 ? `${rowsWord}, grouped by size: open a group to see its rows. ` : `${rowsWord}. `)
      + "Select a row (click its name, or Enter) to shade its model's regions on the plot; the active lens marks the cells it reads.");
    const readPoints = fresh ? reading.points : new Set();
    const names = state.train.names;
    const selWords = selection !== null && selection !== full ? ` Inner squares: the model trained on ${rowName(selection, names)}.` : "";
    setText(legend, `Circles are class 0, squares class 1, triangles class 2; hollow marks are held-out points. The shading is the class the model trained on all ${n} points predicts, darker where it is surer.${selWords}`);
    const pointsText = state.train.X.map((p, i) => `${names[i]} (class ${state.train.y[i]}) at (${p[0].toFixed(2)}, ${p[1].toFixed(2)})`).join("; ");
    const guideNote = fresh && reading.plotNote ? ` ${reading.plotNote}` : "";
    plot.update(state, shown.result, { selection: fresh ? selection : null, readPoints, guide: fresh ? reading.guide ?? null : null,
      describe: `Training points: ${pointsText}.${guideNote}` });
  }

  // --- the scripting surface -----------------------------------------------------------------------
  const api = {
    state: () => clone(state),
    setState(next) {
      const checked = checkState(next);
      selection = checked.selection;
      undo.push(state);
      redo = [];
      state = checked;
      render();
      schedule();
      return clone(state);
    },
    grid: () => clone(shown.grid.values),
    result: () => clone(shown.result),
    status: () => root.dataset.status,
  };

  function openAsCode() {
    const script = pythonScript(shown.state);
    const cell = doc.querySelector('div.dcf-cell[data-enhanced="true"]');
    if (cell) {
      cell.dispatchEvent(new CustomEvent(SET_CODE_EVENT, { detail: { code: script } }));
      cell.scrollIntoView({ block: "nearest", behavior: win.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
      shareStatus.textContent = "The script is in the code cell below: run it there.";
      return;
    }
    codeDialog(doc, { title: "This view as Python", text: script, onCopy: (text) => copyText(win, text) });
  }

  // --- start --------------------------------------------------------------------------------------
  if (first && isExplorerFragment(win.location.hash)) {
    try {
      state = stateFromFragment(win.location.hash);
      selection = state.selection;
      notice.hidden = true;
    } catch (error) {
      notice.textContent = `This link's explorer state could not be used (${error.message}) The explorer shows the preset "${preset.title}" instead.`;
      notice.hidden = false;
    }
  }
  render();
  if (upToDate() || dataKey(state) === dataKey(shown.state)) {
    setStatus("precomputed", "Showing numbers computed when the site was built; Python is loading in the background to recompute your edits.");
  }
  if (JSON.stringify(state) !== JSON.stringify(shown.state)) schedule();
  runtime.addEventListener("status", (event) => {
    if (event.detail.stage === "failed") setStatus("error", `Python could not load: ${event.detail.detail} The numbers shown were computed when the site was built.`);
    else if (event.detail.stage === "ready" && !pendingEdit && !shown.live) {
      setStatus("precomputed", "Python is ready: edit anything and it is recomputed here. The numbers shown were computed when the site was built.");
    }
  });
  runtime.ready().then(() => {
    // Confirm the preset live as soon as Python is ready, so "up to date" means computed here.
    if (!shown.live) schedule();
  }, () => {});
  return api;
}

function popcount(x) {
  let c = 0;
  for (let v = x; v; v &= v - 1) c += 1;
  return c;
}

const rowOrders = new Map();

/** Every row index by subset size, then by members (as datacf._view.row_order). */
function rowsBySize(n) {
  if (!rowOrders.has(n)) rowOrders.set(n, sortedRows(n));
  return rowOrders.get(n);
}

function sortedRows(n) {
  const members = (r) => Array.from({ length: n }, (_, i) => i).filter((i) => (r >> i) & 1);
  const key = (r) => [popcount(r), ...members(r)];
  return Array.from({ length: 2 ** n }, (_, r) => r).sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < Math.max(ka.length, kb.length); i += 1) if ((ka[i] ?? -1) !== (kb[i] ?? -1)) return (ka[i] ?? -1) - (kb[i] ?? -1);
    return 0;
  });
}

export function mount(doc = document) {
  const roots = [...doc.querySelectorAll("div.dcf-explorer")];
  roots.forEach((root, k) => {
    const api = mountExplorer(root, { document: doc, first: k === 0 });
    if (api) apis.set(root, api);
    if (api && k === 0 && typeof window !== "undefined") window.datacf = Object.assign(window.datacf ?? {}, { explorer: api });
  });
  if (typeof window !== "undefined") window.datacf = Object.assign(window.datacf ?? {}, { explorers: roots.map(explorerOf) });
}

onEachPage(mount);
