// docs/js/explorer-share.js: the Grid Explorer's exports: CSV, Grid JSON, a Python script, a link.
//
// Everything here is built from the checked state and the numbers on screen, as text; the
// Python script quotes names and numbers with JSON.stringify, which is also valid Python.

import { fragmentFromState } from "./explorer-state.js";

const members = (row, n) => Array.from({ length: n }, (_, i) => i).filter((i) => (row >> i) & 1);

export function rowName(row, names) {
  const parts = members(row, names.length).map((i) => names[i]);
  if (!parts.length) return "\u2205";
  return parts.join(names.every((name) => name.length === 1) ? "" : ",");
}

const csvField = (text) => (/[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** The grid as CSV: a header row, then one row per training subset in subset order, full precision. */
export function gridCsv(grid) {
  const lines = [["training set", ...grid.eval_names].map(csvField).join(",")];
  grid.values.forEach((row, r) => lines.push([csvField(rowName(r, grid.point_names)), ...row.map(String)].join(",")));
  return `${lines.join("\n")}\n`;
}

/** The Grid JSON (`datacf.Grid.from_json` loads it): the document the worker or the build produced. */
export const gridJson = (gridDocument) => `${JSON.stringify(gridDocument, null, 1)}\n`;

/** A Python script that recomputes the view with datacf (like datacf._explorer.script_for_state). */
export function pythonScript(state) {
  const py = (value) => JSON.stringify(value);
  const params = Object.entries(state.params).map(([k, v]) => `${k}=${py(v)}`).join(", ");
  const lines = [
    "# The Grid Explorer's view, recomputed with datacf (pip install datacf).",
    "import datacf as dcf",
    "",
    `train = dcf.Dataset(${py(state.train.X)}, ${py(state.train.y)}, names=${py(state.train.names)})`,
    state.eval
      ? `test = dcf.Dataset(${py(state.eval.X)}, ${py(state.eval.y)}, names=${py(state.eval.names)})`
      : "test = None  # score on the training points themselves",
    `model = dcf.models.${state.model}(${params})`,
    `grid = dcf.compute_grid(train, model, eval=test, metric=${py(state.metric)}, convention=${py(state.convention)})`,
    `focus = ${py(state.focus)}`,
    "print(grid.values)  # rows in subset order: row r trains on {i : (r >> i) & 1}",
    "print('LOO', grid.loo(focus).round(3))",
    "print('Shapley', grid.shapley(focus).round(3))",
    "print('Banzhaf', grid.banzhaf(focus).round(3))",
    "grid   # a notebook or a datacf code cell shows the grid as a table",
  ];
  return `${lines.join("\n")}\n`;
}

/** The page's address with the state in its fragment. */
export function shareUrl(state, location = window.location) {
  return `${location.origin}${location.pathname}${location.search}#${fragmentFromState(state)}`;
}

/** Offer `text` as a download named `filename`. */
export function download(doc, filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(doc.createElement("a"), { href: url, download: filename });
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Copy text to the clipboard; resolves true on success (false where the browser refuses). */
export async function copyText(win, text) {
  try {
    await win.navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A modal dialog showing `text` (a script) with a Copy button; returns the <dialog>. */
export function codeDialog(doc, { title, text, onCopy }) {
  const el = (tag, props = {}) => Object.assign(doc.createElement(tag), props);
  const dialog = el("dialog", { className: "dcf-ex-dialog" });
  const heading = el("h2", { textContent: title, id: `dcf-ex-dialog-${Math.random().toString(36).slice(2)}` });
  dialog.setAttribute("aria-labelledby", heading.id);
  const code = el("pre", { className: "dcf-ex-dialog__code" });
  code.append(el("code", { textContent: text }));
  code.tabIndex = 0;
  const status = el("p", { className: "dcf-ex-dialog__status" });
  status.setAttribute("aria-live", "polite");
  const copy = el("button", { type: "button", className: "md-button md-button--primary", textContent: "Copy" });
  copy.addEventListener("click", async () => { status.textContent = (await onCopy(text)) ? "Copied." : "Select the text and copy it."; });
  const close = el("button", { type: "button", className: "md-button", textContent: "Close" });
  close.addEventListener("click", () => dialog.close());
  const actions = el("div", { className: "dcf-ex-dialog__actions" });
  actions.append(copy, close);
  dialog.append(heading, el("p", { textContent: "Run it with Python and datacf installed; it prints the same grid and values." }), code, actions, status);
  dialog.addEventListener("close", () => dialog.remove());
  doc.body.append(dialog);
  dialog.showModal();
  return dialog;
}
