// docs/js/code-cell.js: turn each runnable code block (`div.dcf-cell`) into an editor with Run.
//
// The build (sitebuild/cells.py) writes a highlighted Python block in
// `<div class="dcf-cell" data-dcf-python data-cell="ID">`, so the page reads with JavaScript off.
// This module replaces the block with a labelled monospace <textarea> (Tab inserts 4 spaces;
// Escape, then Tab, leaves it; Ctrl/Cmd+Enter runs), Run, Stop and Reset buttons, a run-state
// line (role="status") and an output log (role="log"); code-editor.js then upgrades the textarea
// to a CodeMirror editor, keeping it as the value source. Code runs in the page's Python worker
// through `window.datacf.runtime` (docs/js/runtime.js); its output goes in as text, and a grid
// result is drawn by the same widget as the static grids (grid-table.js, renderGridFigure).
//
// Edits are saved as the reader types, per page and cell, in localStorage under
// `datacf:cell:v1:<page path>:<cell id>` as JSON {v: 1, code, base}, where `base` is a hash of
// the page's code the edit started from. Reset removes the key. A stored value that is not
// that shape, or whose base no longer matches the page, is discarded with a notice; without
// localStorage (privacy modes) the cell works and says edits are not kept. One listener for the
// whole page (added once, at module load) saves every cell's pending edit on `pagehide`; cells
// listen on their own element, so a cell replaced by instant navigation leaves nothing behind.
//
// Runs belong to their cell (the runtime's `channel`): Stop ends this cell's run only, a run
// waiting behind another cell's says so, running again replaces the cell's unfinished run at
// once, and a cell that leaves the page (instant navigation) takes its run with it (`owner`).
//
// A cell whose last value is `datacf._browser.redraw_chart(ID, series, x=...)` redraws the chart
// ID on the page (`redraw` of plot-svg.js, which checks the numbers first and leaves the chart as
// it was if they are refused); the cell says which chart it redrew, or fails with a ChartError.

import { onEachPage } from "./each-page.js";
import { renderGridFigure } from "./grid-table.js";
import { createEditor } from "./code-editor.js";
import { redraw } from "./plot-svg.js";

/** The event a page widget dispatches on a `div.dcf-cell` to replace its code: `detail.code`. */
export const SET_CODE_EVENT = "dcf:set-code";

const STORAGE_PREFIX = "datacf:cell:v1:";
const STORAGE_VERSION = 1;
const SAVE_DELAY_MS = 300;
const INDENT = "    ";
const MAX_OUTPUT_CHARS = 200_000;   // per block; the worker already keeps only 100k per stream
const SAVE_EVENT = "dcf-cell-save";  // sent to each cell on pagehide: save what was typed
const IS_MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform ?? "");

/** FNV-1a hash of a string, as 8 hex digits: which page code an edit started from. */
export function codeHash(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

export const storageKey = (pagePath, cellId) => `${STORAGE_PREFIX}${pagePath}:${cellId}`;

/** Window's localStorage, or null where reading it throws (privacy modes, sandboxed frames). */
function openStorage(win) {
  try {
    const storage = win.localStorage;
    return storage ? storage : null;
  } catch {
    return null;
  }
}

/**
 * The reader's saved edit of one cell: `{code, notice}`. `code` is null when there is none to
 * use; `notice` says why a stored value was discarded (it is then removed), else null.
 */
export function loadEdit(storage, key, original) {
  if (!storage) return { code: null, notice: null };
  let raw;
  try {
    raw = storage.getItem(key);
  } catch {
    return { code: null, notice: null };
  }
  if (raw === null) return { code: null, notice: null };
  let saved = null;
  try {
    saved = JSON.parse(raw);
  } catch {
    // not JSON: discarded below
  }
  const discard = (notice) => {
    try {
      storage.removeItem(key);
    } catch {
      // nothing more to do: the page shows the original
    }
    return { code: null, notice };
  };
  const valid = saved && typeof saved === "object" && saved.v === STORAGE_VERSION &&
    typeof saved.code === "string" && typeof saved.base === "string";
  if (!valid) return discard("Your saved edit of this cell could not be read, so it was discarded: this is the page's original code.");
  if (saved.base !== codeHash(original)) {
    return discard("This cell's code on the page has changed since you edited it, so your saved edit was discarded.");
  }
  if (saved.code === original) return discard(null);
  return { code: saved.code, notice: null };
}

/** Save (or, for the original code, forget) an edit; false if the browser refused. */
export function saveEdit(storage, key, code, original) {
  if (!storage) return false;
  try {
    if (code === original) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify({ v: STORAGE_VERSION, code, base: codeHash(original) }));
    return true;
  } catch {
    return false;
  }
}

function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "";
  return ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Text kept for display, and how many characters past MAX_OUTPUT_CHARS were cut. */
function clip(text) {
  if (text.length <= MAX_OUTPUT_CHARS) return { text, cut: 0 };
  return { text: text.slice(0, MAX_OUTPUT_CHARS), cut: text.length - MAX_OUTPUT_CHARS };
}

const count = (n) => n.toLocaleString("en-US");
export const droppedNotice = (n) => `\u2026 ${count(n)} ${n === 1 ? "character" : "characters"} of output ${n === 1 ? "was" : "were"} dropped`;

// --- editing keys -------------------------------------------------------------------------

/** Insert text at the selection, keeping the browser's undo history where it can. */
function insertText(doc, area, text) {
  area.focus();
  if (!doc.execCommand?.("insertText", false, text)) {
    area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

function lineStart(value, at) {
  return value.lastIndexOf("\n", at - 1) + 1;
}

/** Tab: 4 spaces at the caret, or indent every selected line. */
function indent(doc, area) {
  const { value, selectionStart: start, selectionEnd: end } = area;
  if (!value.slice(start, end).includes("\n")) return insertText(doc, area, INDENT);
  const from = lineStart(value, start);
  const block = value.slice(from, end);
  area.setSelectionRange(from, end);
  insertText(doc, area, block.replace(/^/gm, INDENT));
  area.setSelectionRange(from, from + block.length + INDENT.length * block.split("\n").length);
}

/** Enter: a new line with the current line's indentation, one level more after a colon. */
function newline(doc, area) {
  const { value, selectionStart: start } = area;
  const line = value.slice(lineStart(value, start), start);
  const lead = /^[ \t]*/.exec(line)[0];
  insertText(doc, area, `\n${lead}${/:\s*$/.test(line) ? INDENT : ""}`);
}

function sizeToContent(area) {
  area.rows = Math.max(2, area.value.split("\n").length);
}

// --- output --------------------------------------------------------------------------------

/** One output block: a label, the text, and a notice of what was dropped (hidden when nothing). */
function block(doc, kind, label, text, dropped = 0) {
  const part = doc.createElement("div");
  part.className = `dcf-cell__part dcf-cell__part--${kind}`;
  const title = doc.createElement("span");
  title.className = "dcf-cell__part-label";
  title.textContent = label;
  const pre = doc.createElement("pre");
  const notice = doc.createElement("p");
  notice.className = "dcf-cell__dropped";
  part.append(title, pre, notice);
  setBlock(part, text, dropped);
  return part;
}

function setBlock(part, text, dropped = 0) {
  const { text: shown, cut } = clip(text);
  part.querySelector("pre").textContent = shown;       // Python output is text, never HTML
  const notice = part.querySelector(".dcf-cell__dropped");
  notice.textContent = dropped + cut ? droppedNotice(dropped + cut) : "";
  notice.hidden = !(dropped + cut);
}

const STREAM_LABELS = { stdout: "Output", stderr: "Warnings and messages (stderr)" };

function renderOutput(doc, result) {
  const parts = [];
  for (const name of ["stdout", "stderr"]) {
    const dropped = result.dropped?.[name] ?? 0;
    if (result[name] || dropped) parts.push(block(doc, name, STREAM_LABELS[name], result[name], dropped));
  }
  const { display, error } = result;
  if (display?.kind === "grid") {
    try {
      const part = doc.createElement("div");
      part.className = "dcf-cell__part dcf-cell__part--grid";
      part.append(renderGridFigure(doc, display.view, { caption: null }));   // the view Python made
      parts.push(part);
    } catch (problem) {
      parts.push(block(doc, "error", "The result could not be drawn as a grid", String(problem?.message ?? problem)));
    }
  } else if (display?.kind === "chart") {
    parts.push(block(doc, "result", "Chart", `Redrew chart '${display.id}' on this page.`));
  } else if (display?.kind === "text") {
    parts.push(block(doc, "result", "Result", display.text));
  }
  if (error) {
    const text = error.traceback?.trim() ? error.traceback.replace(/\s+$/, "") : `${error.type}: ${error.message}`;
    const label = { RuntimeUnavailable: "Python is not available", PythonExited: "Python exited" }[error.type] ?? "Error";
    parts.push(block(doc, "error", label, error.type === "PythonExited" ? error.message : text));
  }
  return parts;
}

/**
 * Apply a chart display (`{kind: "chart", id, update}`) to the page: the result as it is, or, if
 * the page has no such chart or the chart refuses the update, the result with a ChartError.
 */
export function applyChart(result) {
  const { display } = result;
  if (display?.kind !== "chart") return result;
  try {
    const update = display.update;
    if (typeof display.id !== "string" || !update || typeof update !== "object" || Array.isArray(update)) {
      throw new TypeError("a chart update needs the chart's id and an object of fields");
    }
    redraw(display.id, update);
    return result;
  } catch (problem) {
    const message = `Could not redraw chart '${display.id}': ${problem?.message ?? problem}`;
    return { ...result, display: null, error: { type: "ChartError", message, traceback: "" } };
  }
}

function stateText(result, elapsedMs, budgetMs) {
  if (result.stopped === "user" && result.ms === null && !result.stdout && !result.stderr) {
    return "Not run: stopped by you while it waited.";
  }
  if (result.stopped === "user") {
    return `Stopped by you after ${duration(elapsedMs)}. Python restarts; the next run works.`;
  }
  if (result.stopped === "budget") {
    return `Stopped after the time budget of ${duration(budgetMs)}. Python restarts; the next run works.`;
  }
  if (result.stopped === "exited") {
    return "Python exited during this run, so it restarts: earlier variables are gone; the next run works.";
  }
  const loaded = result.loaded?.length ? ` (after loading ${result.loaded.join(", ")})` : "";
  const empty = result.stdout || result.stderr || result.display || result.error ? "" : "; it printed nothing";
  if (result.error?.type === "RuntimeUnavailable") return "Not run: Python could not load on this page.";
  if (result.error) return `Failed with ${result.error.type} after ${duration(result.ms ?? elapsedMs)}${loaded}.`;
  return `Finished in ${duration(result.ms ?? elapsedMs)}${loaded}${empty}.`;
}

// --- the widget ----------------------------------------------------------------------------

function button(doc, label, className) {
  const el = doc.createElement("button");
  el.type = "button";
  el.className = `md-button dcf-cell__button ${className}`;
  el.textContent = label;
  return el;
}

/** Enhance one `div.dcf-cell` in place; safe to call twice. */
export function enhanceCell(root, { document: doc = root.ownerDocument, window: win = doc.defaultView } = {}) {
  if (root.dataset.enhanced === "true") return;
  const code = root.querySelector("pre code");
  const cellId = root.dataset.cell;
  if (!code || !cellId) return;
  root.dataset.enhanced = "true";
  const original = code.textContent.replace(/\n$/, "");
  const pagePath = win.location.pathname;
  const key = storageKey(pagePath, cellId);
  const storage = openStorage(win);
  const uid = `dcf-cell-${cellId}`;
  const title = root.querySelector(".highlight .filename")?.textContent?.trim();

  const staticBlock = code.closest(".highlight") ?? code.closest("pre");
  staticBlock.hidden = true;          // the editor below shows the same code

  const editor = doc.createElement("div");
  editor.className = "dcf-cell__editor";
  const label = doc.createElement("label");
  label.className = "dcf-cell__label";
  label.htmlFor = `${uid}-code`;
  label.textContent = title ? `${title} (editable Python)` : "Editable Python code";
  const area = doc.createElement("textarea");
  Object.assign(area, { id: `${uid}-code`, className: "dcf-cell__code", spellcheck: false, wrap: "off" });
  area.setAttribute("autocapitalize", "off");
  area.setAttribute("autocomplete", "off");
  area.setAttribute("autocorrect", "off");
  area.setAttribute("aria-describedby", `${uid}-hint`);
  const hint = doc.createElement("p");
  hint.id = `${uid}-hint`;
  hint.className = "dcf-cell__hint";
  hint.textContent = `${IS_MAC ? "\u2318" : "Ctrl"}+Enter runs. Tab inserts 4 spaces; press Esc, then Tab, to leave the editor.`;
  editor.append(label, area, hint);

  const run = button(doc, "Run", "md-button--primary dcf-cell__run");
  const stop = button(doc, "Stop", "dcf-cell__stop");
  const reset = button(doc, "Reset", "dcf-cell__reset");
  run.setAttribute("aria-keyshortcuts", IS_MAC ? "Meta+Enter" : "Control+Enter");
  stop.disabled = true;
  const state = doc.createElement("span");
  state.className = "dcf-cell__state";
  state.setAttribute("role", "status");
  const toolbar = doc.createElement("div");
  toolbar.className = "dcf-cell__toolbar";
  toolbar.append(run, stop, reset, state);

  const note = doc.createElement("p");
  note.className = "dcf-cell__note";
  note.setAttribute("role", "status");
  note.hidden = true;
  const output = doc.createElement("div");
  output.className = "dcf-cell__output";
  output.setAttribute("role", "log");
  output.setAttribute("aria-live", "polite");
  output.setAttribute("aria-label", title ? `Output of ${title}` : "Output of the code above");

  staticBlock.after(editor, toolbar, note, output);

  const showNote = (text, kind = "info") => {
    note.textContent = text ?? "";
    note.hidden = !text;
    note.dataset.kind = kind;
  };
  const savedNote = () => {
    if (area.value === original) return showNote(null);
    if (!storage) return showNote("Your edit is not saved: this browser does not let the page store it.", "warning");
    return showNote("Edited. Your code is saved in this browser; Reset restores the original.");
  };

  const loaded = loadEdit(storage, key, original);
  area.value = loaded.code ?? original;
  sizeToContent(area);
  if (loaded.notice) showNote(loaded.notice, "warning");
  else if (loaded.code !== null) savedNote();
  // CodeMirror, when its bundle loads (code-editor.js); the textarea stays the value source.
  const codeEditor = createEditor(area, { onRun: () => start(), label: label.textContent });

  let saveTimer = null;
  const flush = () => {
    if (saveTimer === null) return;
    clearTimeout(saveTimer);
    saveTimer = null;
    if (!saveEdit(storage, key, area.value, original) && storage) {
      showNote("Your edit could not be saved: this browser's storage refused it.", "warning");
    } else {
      savedNote();
    }
  };
  area.addEventListener("input", () => {
    sizeToContent(area);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(flush, SAVE_DELAY_MS);
  });
  area.addEventListener("blur", flush);
  root.addEventListener(SAVE_EVENT, flush);     // a reload or a new page: save what was typed

  let escaped = false;     // Escape was pressed: the next Tab leaves the editor
  area.addEventListener("keydown", (event) => {
    const mod = event.ctrlKey || event.metaKey;
    if (event.key === "Enter" && mod && !event.altKey) {
      event.preventDefault();
      start();
    } else if (event.key === "Escape") {
      escaped = true;
    } else if (event.key === "Tab" && !event.shiftKey && !mod && !event.altKey && !escaped) {
      event.preventDefault();
      indent(doc, area);
    } else if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
      event.preventDefault();
      newline(doc, area);
    }
    if (event.key !== "Escape" && event.key !== "Shift") escaped = false;
  });
  area.addEventListener("blur", () => { escaped = false; });

  let latest = 0;          // token of this cell's latest run: only its result is shown
  const runtime = () => win.datacf?.runtime ?? null;
  const channel = `${pagePath}#${cellId}`;

  async function start() {
    flush();
    const token = ++latest;
    const rt = runtime();
    root.dataset.state = "waiting";
    stop.disabled = false;
    output.setAttribute("aria-busy", "true");
    output.classList.add("dcf-cell__output--stale");
    const began = performance.now();
    state.textContent = "Waiting for Python\u2026";
    // What the run waits for, then that it runs (the runtime says which cell it waits behind).
    const onState = ({ phase, text }) => {
      if (token !== latest) return;
      root.dataset.state = phase === "waiting" ? "waiting" : "running";
      state.textContent = text;
    };
    // What the run prints appears as it goes; the final result below replaces it whole.
    const live = {};
    const showLive = (name, text, dropped = 0) => {
      if (token !== latest) return;
      if (!live[name]) {
        if (!Object.keys(live).length) output.replaceChildren();
        live[name] = { part: block(doc, name, STREAM_LABELS[name], ""), text: "" };
        output.append(live[name].part);
      }
      live[name].text = clip(live[name].text + text).text;
      setBlock(live[name].part, live[name].text, dropped);
    };
    let result;
    try {
      if (!rt) throw new Error("this page has no Python runtime (docs/js/runtime.js did not load)");
      result = await rt.run(area.value, { channel, label: cellId, owner: root, onOutput: showLive, onState });
    } catch (problem) {
      result = { stdout: "", stderr: "", display: null, stopped: null, superseded: false,
        error: { type: "RuntimeUnavailable", message: String(problem?.message ?? problem), traceback: "" } };
    }
    if (token !== latest || result.superseded) return;     // a newer run of this cell owns the output
    result = applyChart(result);
    const elapsed = performance.now() - began;
    output.replaceChildren(...renderOutput(doc, result));
    output.classList.remove("dcf-cell__output--stale");
    output.removeAttribute("aria-busy");
    state.textContent = stateText(result, result.ms ?? elapsed, rt?.timeBudgetMs);
    root.dataset.state = result.stopped ? "stopped" : result.error ? "error" : "done";
    if (doc.activeElement === stop) run.focus();   // a disabled button would drop focus to <body>
    stop.disabled = true;
  }

  run.addEventListener("click", () => start());
  stop.addEventListener("click", () => {
    run.focus();
    runtime()?.stop(channel);     // this cell's run only: other cells' runs go on
  });
  // Another widget (the explorer's "Open as code") hands this cell new code with an event.
  root.addEventListener(SET_CODE_EVENT, (event) => {
    const text = String(event.detail?.code ?? "");
    area.value = text;
    sizeToContent(area);
    area.dispatchEvent(new Event("input", { bubbles: true }));     // saved like a typed edit
    codeEditor.then((ed) => (ed ? (ed.setValue(text), ed.focus()) : area.focus()));
    showNote("This code came from the explorer above; Run computes it.");
  });
  reset.addEventListener("click", () => {
    clearTimeout(saveTimer);
    saveTimer = null;
    area.value = original;
    codeEditor.then((ed) => ed?.setValue(original));
    sizeToContent(area);
    try {
      storage?.removeItem(key);
    } catch {
      // the original is shown; a stale key is discarded next time
    }
    showNote("Reset: this is the page's original code.");
  });
}

export function mount(doc = document) {
  for (const root of doc.querySelectorAll("div.dcf-cell[data-cell]")) enhanceCell(root, { document: doc });
}

onEachPage(mount);
if (typeof window !== "undefined") {
  window.addEventListener("pagehide", () => {
    for (const cell of document.querySelectorAll("div.dcf-cell[data-enhanced='true']")) cell.dispatchEvent(new Event(SAVE_EVENT));
  });
}
