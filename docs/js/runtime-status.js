// docs/js/runtime-status.js: what the page's Python runtime is doing, said honestly.
//
// A small region lists the loading stages (runtime, numpy, datacf, scikit-learn when needed,
// ready) with the bytes each downloads, and states the first-visit download. Its status line is
// an aria-live="polite" region. It never covers the page's content for long (runtime.css):
//   data-mode="loading"  the first load: the stage list, in the right-hand gutter (where the
//                        table of contents sits) on wide screens; a one-line strip on narrow ones.
//   data-mode="pill"     once Python has been ready: one line ("Python is ready", "Restarting
//                        Python after a stop in cell 'x'", "Loading scikit-learn") in a pill in
//                        the gutter; on narrow screens only screen readers get it (each cell
//                        says what it waits for).
//   data-mode="failed"   the runtime cannot load: a banner saying why, with Retry (compact on a
//                        phone); the precomputed grids keep working, since they never needed
//                        Python.
// Nothing appears until the runtime starts (never on pages without Python). All text goes in
// as text, never HTML.
import { runtime } from "./runtime.js";

const STAGES = ["runtime", "numpy", "datacf", "ready"];
const LABELS = { runtime: "Python runtime", numpy: "numpy", datacf: "datacf", "scikit-learn": "scikit-learn", ready: "ready" };

/** "13.8 MB", "61 kB": decimal units, as browsers' download managers show them. */
export function formatBytes(bytes) {
  if (bytes == null) return "";
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);

/** Build the status region (hidden until the runtime reports something); returns its parts. */
export function renderStatus(doc, sizes) {
  const root = el(doc, "section", { className: "dcf-runtime", hidden: true });
  root.setAttribute("aria-label", "Python in this page");
  const head = el(doc, "div", { className: "dcf-runtime__head" });
  const title = el(doc, "strong", { className: "dcf-runtime__title", textContent: "Python in this page" });
  const close = el(doc, "button", { type: "button", className: "dcf-runtime__close", textContent: "\u00d7" });
  close.setAttribute("aria-label", "Hide the Python status");
  head.append(title, close);
  const line = el(doc, "p", { className: "dcf-runtime__line" });
  line.setAttribute("role", "status");
  line.setAttribute("aria-live", "polite");
  const list = el(doc, "ol", { className: "dcf-runtime__stages" });
  const note = el(doc, "p", { className: "dcf-runtime__note" });
  const retry = el(doc, "button", { type: "button", className: "dcf-runtime__retry md-button md-button--primary", textContent: "Retry", hidden: true });
  root.append(head, line, list, note, retry);
  const parts = { root, line, list, note, retry, close, items: new Map() };
  for (const stage of STAGES) addStage(doc, parts, stage, sizes?.[stage]);
  if (sizes) {
    const first = sizes.runtime + sizes.numpy + sizes.datacf;
    note.textContent = `First visit downloads about ${formatBytes(first)} (${formatBytes(sizes["scikit-learn"])} more if code uses scikit-learn); later visits use the browser cache.`;
  }
  return parts;
}

function addStage(doc, parts, stage, bytes) {
  if (parts.items.has(stage)) return parts.items.get(stage);
  const item = el(doc, "li", { className: "dcf-runtime__stage" });
  item.dataset.stage = stage;
  item.dataset.state = "waiting";
  const name = el(doc, "span", { className: "dcf-runtime__name", textContent: LABELS[stage] ?? stage });
  const size = el(doc, "span", { className: "dcf-runtime__size", textContent: bytes ? formatBytes(bytes) : "" });
  const state = el(doc, "span", { className: "dcf-runtime__state", textContent: "waiting" });
  item.append(name, size, state);
  const ready = parts.items.get("ready");
  parts.list.insertBefore(item, stage === "ready" ? null : ready ?? null);
  parts.items.set(stage, item);
  return item;
}

function setState(item, state) {
  item.dataset.state = state;
  item.querySelector(".dcf-runtime__state").textContent = state;
}

/** Follow `runtime`'s status events in `parts` (from renderStatus). */
export function follow(doc, parts, rt = runtime) {
  let dismissed = false;
  let wasReady = false;       // after the first ready, the region stays a one-line pill
  const show = (mode) => {
    parts.root.dataset.mode = mode;
    parts.root.classList.toggle("dcf-runtime--failed", mode === "failed");
    parts.retry.hidden = mode !== "failed";
    if (mode === "failed") parts.root.setAttribute("role", "alert");
    else parts.root.removeAttribute("role");
    if (!dismissed) parts.root.hidden = false;
  };
  parts.close.addEventListener("click", () => {
    dismissed = true;
    parts.root.hidden = true;
  });
  parts.retry.addEventListener("click", () => {
    dismissed = false;
    rt.retry().catch(() => {});
  });
  rt.addEventListener("status", ({ detail: { stage, detail, bytes } }) => {
    if (stage === "run") return;
    if (stage === "failed") {
      dismissed = false;
      show("failed");
      parts.line.textContent = `${detail} The precomputed grids on this page still work.`;
      for (const item of parts.items.values()) if (item.dataset.state === "loading") setState(item, "failed");
      return;
    }
    if (stage === "restarting") {
      for (const item of parts.items.values()) setState(item, "waiting");
      parts.line.textContent = `${detail}\u2026`;
      show(wasReady ? "pill" : "loading");
      return;
    }
    const item = addStage(doc, parts, stage, bytes);
    for (const other of parts.items.values()) {
      if (other === item) break;
      if (other.dataset.state === "loading") setState(other, "done");
    }
    if (stage === "ready") {
      wasReady = true;
      for (const other of parts.items.values()) if (other.dataset.state === "loading") setState(other, "done");
      setState(item, "done");
      const v = rt.state.versions;
      parts.line.textContent = v ? `Python is ready (Python ${v.python}, numpy ${v.numpy}, datacf ${v.datacf}).` : "Python is ready.";
      show("pill");
      return;
    }
    setState(item, "loading");
    const size = bytes ? `, ${formatBytes(bytes)}` : "";
    parts.line.textContent = `Loading ${LABELS[stage] ?? stage}${size}\u2026`;
    show(wasReady ? "pill" : "loading");
  });
  // A package loaded on demand (scikit-learn) is done once its run starts.
  rt.addEventListener("status", ({ detail: { stage } }) => {
    if (stage !== "run") return;
    const finished = [...parts.items.values()].filter((item) => item.dataset.state === "loading");
    if (!finished.length) return;
    for (const item of finished) setState(item, "done");
    parts.line.textContent = `Loaded ${finished.map((item) => LABELS[item.dataset.stage] ?? item.dataset.stage).join(", ")}; Python is ready.`;
  });
}

export function mount(doc = document) {
  if (doc.querySelector(".dcf-runtime")) return;
  const parts = renderStatus(doc, runtime.sizes);
  doc.body.append(parts.root);
  follow(doc, parts);
}

if (typeof window !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mount(document));
  else mount(document);
}
