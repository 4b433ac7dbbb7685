// docs/js/explorer-table.js: the Grid Explorer's points as an editable table (x, y, class, name).
//
// An equal alternative to dragging: every field is an input, a change is committed when the
// input changes (Enter or leaving it), and a refused value is marked invalid with the reason.
// Names go into the page only as input values and text, never as HTML.

import { CLASS_WORDS } from "./explorer-plot.js";

const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);

/**
 * `onEdit(set, i, field, value)` returns null when the edit is taken, else the reason it is not;
 * `onDelete(set, i)`; `onAdd(set, label)`.
 */
export function createPointsTable(doc, { set, caption, onEdit, onDelete, onAdd }) {
  const root = el(doc, "div", { className: "dcf-ex-table" });
  const table = el(doc, "table", { className: "dcf-ex-table__table" });
  table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const text of ["name", "x\u2081", "x\u2082", "class", ""]) {
    head.append(el(doc, "th", { scope: "col", textContent: text }));
  }
  head.lastChild.append(el(doc, "span", { className: "dcf-ex-sr", textContent: "remove" }));
  const body = table.createTBody();
  const message = el(doc, "p", { className: "dcf-ex-table__message" });
  message.setAttribute("aria-live", "polite");
  const adder = el(doc, "div", { className: "dcf-ex-table__add" });
  const classPick = el(doc, "select", { className: "dcf-ex-input" });
  classPick.setAttribute("aria-label", `class of the new ${set === "train" ? "training" : "held-out"} point`);
  CLASS_WORDS.forEach((word, c) => classPick.append(el(doc, "option", { value: String(c), textContent: word })));
  const add = el(doc, "button", { type: "button", className: "md-button dcf-ex-button", textContent: "Add point" });
  add.addEventListener("click", () => onAdd(set, Number(classPick.value)));
  adder.append(classPick, add);
  const scroll = el(doc, "div", { className: "dcf-ex-table__scroll" });
  scroll.append(table);
  root.append(scroll, adder, message);

  let data = null;

  function field(i, name, input) {
    input.addEventListener("change", () => {
      let value = input.value;
      if (name === "x" || name === "y") value = input.value.trim() === "" ? NaN : Number(input.value);
      if (name === "label") value = Number(input.value);
      const problem = onEdit(set, i, name, value);
      input.setAttribute("aria-invalid", problem ? "true" : "false");
      message.textContent = problem ? `${data?.names[i] ?? ""}: ${problem}` : "";
    });
    return input;
  }

  function row(i) {
    const tr = el(doc, "tr");
    const who = () => data?.names[i] ?? "";
    const name = field(i, "name", el(doc, "input", { type: "text", className: "dcf-ex-input dcf-ex-input--name", maxLength: 12 }));
    const x = field(i, "x", el(doc, "input", { type: "number", step: "any", className: "dcf-ex-input dcf-ex-input--num" }));
    const y = field(i, "y", el(doc, "input", { type: "number", step: "any", className: "dcf-ex-input dcf-ex-input--num" }));
    const label = field(i, "label", el(doc, "select", { className: "dcf-ex-input" }));
    CLASS_WORDS.forEach((word, c) => label.append(el(doc, "option", { value: String(c), textContent: String(c) })));
    const remove = el(doc, "button", { type: "button", className: "dcf-ex-icon-button", textContent: "\u00d7" });
    remove.addEventListener("click", () => onDelete(set, i));
    tr.append(...[name, x, y, label, remove].map((input) => {
      const td = el(doc, "td");
      td.append(input);
      return td;
    }));
    tr.refresh = () => {
      name.setAttribute("aria-label", `name of point ${i + 1}`);
      x.setAttribute("aria-label", `x\u2081 of ${who()}`);
      y.setAttribute("aria-label", `x\u2082 of ${who()}`);
      label.setAttribute("aria-label", `class of ${who()}`);
      remove.setAttribute("aria-label", `remove ${who()}`);
      if (doc.activeElement !== name) name.value = data.names[i];
      if (doc.activeElement !== x) x.value = String(data.X[i][0]);
      if (doc.activeElement !== y) y.value = String(data.X[i][1]);
      label.value = String(data.y[i]);
    };
    return tr;
  }

  /** Show `next` ({X, y, names}); `limits` says whether a point may be removed or added. */
  function update(next, { canDelete, canAdd, addNote }) {
    data = next;
    while (body.rows.length > data.X.length) body.lastChild.remove();
    while (body.rows.length < data.X.length) body.append(row(body.rows.length));
    for (const tr of body.rows) {
      tr.refresh();
      tr.querySelector("button").disabled = !canDelete;
    }
    add.disabled = !canAdd;
    add.title = canAdd ? "" : addNote;
    adder.dataset.note = canAdd ? "" : addNote;
  }

  return { element: root, update, say: (text) => { message.textContent = text; } };
}
