// docs/js/explorer-plot.js: the Grid Explorer's scatter plot: points, decision regions, drag and keys.
//
// Training points are filled marks, held-out evaluation points hollow ones; the class is told
// by shape (circle, square, triangle) and by colour (CSS: Material's palette variables). The
// regions of the model trained on every point shade the background; when a grid row is
// selected, its model's regions are the smaller inner squares. Points move with any pointer
// (Pointer Events: mouse, touch, pen) or with the keyboard (arrows, Shift for bigger steps),
// Enter relabels, Delete removes; the widget announces each change itself. A lens may add a
// guide: the line where a planted signal puts its coordinate, and faint marks where the points
// that plant it go (the lens's note says the same in words).

const SVG = "http://www.w3.org/2000/svg";
const SIZE = 400;
const SHAPES = ["circle", "square", "triangle"];
export const CLASS_WORDS = ["class 0 (circle)", "class 1 (square)", "class 2 (triangle)"];

function svg(doc, tag, attrs = {}) {
  const el = doc.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A step about 1/40 of the window, rounded to 1, 2 or 5 times a power of ten. */
export function niceStep(span) {
  const raw = span / 40;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((u) => u * power >= raw);
  return unit * power;
}

/** Set an attribute only when its value changes: the plot is redrawn at every pointer move of a drag. */
const setAttr = (node, name, value) => { if (node.getAttribute(name) !== value) node.setAttribute(name, value); };
const fmt = (v) => v.toFixed(2).replace("-", "\u2212");

function mark(doc, label, r) {
  const shape = SHAPES[label] ?? "circle";
  if (shape === "circle") return svg(doc, "circle", { r });
  if (shape === "square") return svg(doc, "rect", { x: -r * 0.9, y: -r * 0.9, width: r * 1.8, height: r * 1.8 });
  const h = r * 1.15;
  return svg(doc, "polygon", { points: `0,${-h} ${h},${h * 0.8} ${-h},${h * 0.8}` });
}

/**
 * The plot. `onMove(set, i, x, y, commit)` is called while a point moves (commit false) and when
 * a move ends (commit true); `onKeyAction(set, i, action)` for "relabel" and "delete".
 */
export function createPlot(doc, { onMove, onKeyAction, label = "Training points" }) {
  const root = doc.createElement("div");
  root.className = "dcf-ex-plot";
  const chart = svg(doc, "svg", { viewBox: `0 0 ${SIZE} ${SIZE}`, class: "dcf-ex-plot__svg", role: "group" });
  chart.setAttribute("aria-label", `${label}: a scatter plot. Tab to a point; arrow keys move it, Shift+arrow moves further, Enter changes its class, Delete removes it.`);
  const regions = svg(doc, "g", { class: "dcf-ex-plot__regions", "aria-hidden": "true" });
  const selected = svg(doc, "g", { class: "dcf-ex-plot__regions dcf-ex-plot__regions--row", "aria-hidden": "true" });
  const frame = svg(doc, "rect", { x: 0.5, y: 0.5, width: SIZE - 1, height: SIZE - 1, class: "dcf-ex-plot__frame", "aria-hidden": "true" });
  const marks = svg(doc, "g", { class: "dcf-ex-plot__points" });
  const guides = svg(doc, "g", { class: "dcf-ex-plot__guide", "aria-hidden": "true" });
  chart.append(regions, selected, frame, guides, marks);
  const alt = doc.createElement("p");
  alt.className = "dcf-ex-plot__alt";
  root.append(chart, alt);

  let state = null;
  let drag = null;
  const nodes = new Map();   // "train:0" -> <g>
  const drawn = new Map();   // layer -> {entry, K} it shows

  const toSvg = (x, y) => {
    const [x0, x1, y0, y1] = state.view;
    return [((x - x0) / (x1 - x0)) * SIZE, ((y1 - y) / (y1 - y0)) * SIZE];
  };
  const fromEvent = (event) => {
    const matrix = chart.getScreenCTM();
    if (!matrix) return null;
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    const [x0, x1, y0, y1] = state.view;
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    const round = (v) => Math.round(v * 100) / 100;
    return [round(clamp(x0 + (p.x / SIZE) * (x1 - x0), x0, x1)), round(clamp(y1 - (p.y / SIZE) * (y1 - y0), y0, y1))];
  };

  function pointNode(set, i) {
    const key = `${set}:${i}`;
    let g = nodes.get(key);
    if (g) return g;
    g = svg(doc, "g", { tabindex: 0, role: "button", "aria-roledescription": "movable point" });
    g.dataset.set = set;
    g.dataset.index = String(i);
    g.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      g.setPointerCapture(event.pointerId);
      g.focus({ preventScroll: true });
      drag = { set, i, id: event.pointerId, moved: false };
      g.classList.add("dcf-ex-point--dragging");
    });
    g.addEventListener("pointermove", (event) => {
      if (!drag || drag.id !== event.pointerId) return;
      const at = fromEvent(event);
      if (!at) return;
      drag.moved = true;
      onMove(set, i, at[0], at[1], false);
    });
    const end = (event) => {
      if (!drag || drag.id !== event.pointerId) return;
      const moved = drag.moved;
      drag = null;
      g.classList.remove("dcf-ex-point--dragging");
      if (moved) {
        const data = set === "train" ? state.train : state.eval;
        onMove(set, i, data.X[i][0], data.X[i][1], true);
      }
    };
    g.addEventListener("pointerup", end);
    g.addEventListener("pointercancel", end);
    g.addEventListener("keydown", (event) => {
      const data = set === "train" ? state.train : state.eval;
      const [x0, x1, y0, y1] = state.view;
      const step = niceStep(x1 - x0) * (event.shiftKey ? 5 : 1);
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (moves[event.key] && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        const [dx, dy] = moves[event.key];
        const round = (v) => Math.round(v * 1000) / 1000;
        const x = round(Math.min(x1, Math.max(x0, data.X[i][0] + dx)));
        const y = round(Math.min(y1, Math.max(y0, data.X[i][1] + dy)));
        onMove(set, i, x, y, true);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onKeyAction(set, i, "relabel");
      } else if (event.key === "Delete" || event.key === "Backspace") {
        event.preventDefault();
        onKeyAction(set, i, "delete");
      }
    });
    nodes.set(key, g);
    return g;
  }

  function drawPoints(highlightRow, readPoints) {
    const wanted = new Set();
    const order = [];
    for (const set of ["train", "eval"]) {
      const data = set === "train" ? state.train : state.eval;
      if (!data) continue;
      data.X.forEach((p, i) => {
        const g = pointNode(set, i);
        wanted.add(`${set}:${i}`);
        const label = data.y[i];
        const out = set === "train" && highlightRow !== null && !((highlightRow >> i) & 1);
        setAttr(g, "class", `dcf-ex-point dcf-ex-class-${label}${set === "eval" ? " dcf-ex-point--eval" : ""}`
          + `${out ? " dcf-ex-point--out" : ""}${set === "train" && readPoints.has(i) ? " dcf-ex-point--read" : ""}`);
        const [sx, sy] = toSvg(p[0], p[1]);
        setAttr(g, "transform", `translate(${sx.toFixed(1)} ${sy.toFixed(1)})`);
        const kind = set === "train" ? "Training point" : "Held-out point";
        setAttr(g, "aria-label", `${kind} ${data.names[i]}, ${CLASS_WORDS[label]}, at (${fmt(p[0])}, ${fmt(p[1])})`
          + `${out ? ", not in the selected training set" : ""}`);
        const key = `${label}|${data.names[i]}`;
        if (g.dataset.key !== key) {
          g.dataset.key = key;
          const hit = svg(doc, "circle", { r: 20, class: "dcf-ex-point__hit" });
          const text = svg(doc, "text", { x: 12, y: -10, class: "dcf-ex-point__name" });
          text.textContent = data.names[i];
          g.replaceChildren(hit, mark(doc, label, set === "eval" ? 7 : 8), text);
        }
        order.push(g);
      });
    }
    for (const [key, g] of nodes) {
      if (!wanted.has(key)) {
        g.remove();
        nodes.delete(key);
      }
    }
    // Re-append only when the order changed, so a focused point keeps its focus.
    const current = [...marks.children];
    if (current.length !== order.length || current.some((g, k) => g !== order[k])) marks.replaceChildren(...order);
  }

  /**
   * Shade `layer` with one lattice of decision regions. Drawn only when `entry` (an entry of a
   * result's regions) is new, and then by updating the lattice's rects in place: a drag redraws
   * the plot at every pointer move, and a new result changes only classes and shades.
   */
  function drawRegions(layer, entry, K, inner) {
    const before = drawn.get(layer);
    if (before && before.entry === entry && before.K === K) return;
    drawn.set(layer, { entry, K });
    if (!entry) {
      layer.replaceChildren();
      return;
    }
    const L = Math.round(Math.sqrt(entry.label.length));
    if (layer.childElementCount !== entry.label.length) {
      const cell = SIZE / L;
      const side = inner ? cell * 0.44 : cell;
      const offset = (cell - side) / 2;
      layer.replaceChildren(...entry.label.map((_, k) => svg(doc, "rect", {
        x: ((k % L) * cell + offset).toFixed(2), y: (Math.floor(k / L) * cell + offset).toFixed(2),
        width: (side + (inner ? 0 : 0.6)).toFixed(2), height: (side + (inner ? 0 : 0.6)).toFixed(2),
      })));
    }
    const rects = layer.children;
    entry.label.forEach((label, k) => {
      const p = entry.prob[k];
      const strength = K > 1 ? Math.max(0, (p - 1 / K) / (1 - 1 / K)) : 1;
      const rect = rects[k];
      const kind = `dcf-ex-region dcf-ex-class-${label}`;
      const opacity = (0.06 + 0.34 * strength).toFixed(3);
      if (rect.getAttribute("class") !== kind) rect.setAttribute("class", kind);
      // fill- and stroke-opacity, not opacity: an opacity < 1 makes each of the 576 rects its own
      // compositing group, which the browser then paints and layers separately at every frame.
      if (rect.getAttribute("fill-opacity") !== opacity) {
        rect.setAttribute("fill-opacity", opacity);
        rect.setAttribute("stroke-opacity", opacity);
      }
    });
  }

  /** The line x_feature = value and a faint mark at each planted point; nothing outside the window. */
  function drawGuide(guide) {
    const key = JSON.stringify([guide, state.view]);
    if (guides.dataset.key === key) return;
    guides.dataset.key = key;
    const [x0, x1, y0, y1] = state.view;
    const inside = guide && (guide.feature === 0 ? x0 < guide.value && guide.value < x1 : y0 < guide.value && guide.value < y1);
    if (!inside) {
      guides.replaceChildren();
      return;
    }
    const [gx, gy] = toSvg(guide.value, guide.value);
    const line = guide.feature === 0 ? { x1: gx, y1: 0, x2: gx, y2: SIZE } : { x1: 0, y1: gy, x2: SIZE, y2: gy };
    const ghosts = guide.points.map(([x, y]) => {
      const [sx, sy] = toSvg(x, y);
      const ghost = mark(doc, guide.label, 7);
      ghost.setAttribute("class", `dcf-ex-plot__ghost dcf-ex-class-${guide.label}`);
      ghost.setAttribute("transform", `translate(${sx.toFixed(1)} ${sy.toFixed(1)})`);
      return ghost;
    });
    const text = svg(doc, "text", guide.feature === 0 ? { x: gx - 4, y: 14, class: "dcf-ex-plot__guide-text", "text-anchor": "end" }
      : { x: 6, y: gy - 5, class: "dcf-ex-plot__guide-text" });
    text.textContent = `signal x${guide.feature + 1} = ${fmt(guide.value)}`;
    guides.replaceChildren(svg(doc, "line", { ...line, class: "dcf-ex-plot__guide-line" }), ...ghosts, text);
  }

  /** Redraw for `next` state; `result` holds regions computed for (possibly older) data. */
  function update(next, result, { selection = null, readPoints = new Set(), describe = "", guide = null } = {}) {
    state = next;
    const rows = result?.regions?.rows ?? [];
    const full = 2 ** state.train.X.length - 1;
    const K = result?.regions?.classes?.length ?? 2;
    drawRegions(regions, rows.find((r) => r.row === full) ?? null, K, false);
    drawRegions(selected, selection !== null && selection !== full ? rows.find((r) => r.row === selection) ?? null : null, K, true);
    drawGuide(guide);
    drawPoints(selection, readPoints);
    if (alt.textContent !== describe) alt.textContent = describe;
  }

  return { element: root, update, focusPoint: (set, i) => nodes.get(`${set}:${i}`)?.focus() };
}
