// docs/js/explorer-state.js: the Grid Explorer's state: its checks, defaults and share-link form.
//
// The same rules as datacf/_explorer.py `check_state` (the worker checks every state again):
// a state from a link, from `window.datacf.explorer.setState` or from a preset is untrusted.
// `checkState` returns a complete, fresh copy or throws an Error naming the problem; nothing
// in a state is ever executed or inserted as HTML.

export const LIMITS = Object.freeze({
  minPoints: 2, maxPoints: 10, maxEval: 12, coord: 100, maxLabel: 2, nameChars: 12, fragmentChars: 4000, features: 2,
});
export const MODELS = Object.freeze({
  KNN: { k: ["int", 1, 10, 3] },
  LogisticRegression: { C: ["float", 1e-3, 1e3, 1.0] },
  NearestCentroid: {},
});
export const METRICS = ["prob_correct", "accuracy", "log_loss"];
export const CONVENTIONS = ["fallback", "zero"];
// compute_grid refuses this pair: 0 is the best loss, so "zero" would reward refusing to fit.
export const ZERO_LOG_LOSS = "the zero convention cannot score log loss: a loss of 0 is the best score, so it "
  + "would reward the subsets a model refuses; use the fallback convention, or another score.";
export const LENSES = ["cell", "loo", "group", "column", "interaction", "shapley", "banzhaf", "beta",
  "scaling", "best", "poison", "collective", "moving"];
export const FRAGMENT_PREFIX = "dcf1.";
const STATE_KEYS = new Set(["version", "train", "eval", "model", "params", "metric", "convention", "focus",
  "lens", "selection", "view"]);
const LENS_KEYS = new Set(["name", "point", "group", "pair", "column", "alpha", "beta", "size", "signal"]);
const SIGNAL_KEYS = new Set(["feature", "value", "label"]);
const SHORT = { v: "version", t: "train", e: "eval", m: "model", p: "params", s: "metric", c: "convention",
  f: "focus", l: "lens", r: "selection", w: "view" };

const fail = (message) => { throw new Error(message); };
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

function int(value, low, high, where) {
  if (!Number.isInteger(value) || value < low || value > high) fail(`${where} must be an integer from ${low} to ${high}.`);
  return value;
}

function float(value, low, high, where) {
  if (typeof value !== "number" || !Number.isFinite(value) || value < low || value > high) {
    fail(`${where} must be a number from ${low} to ${high}.`);
  }
  return value;
}

/** Spreadsheet-style names: A ... Z, AA, AB, ... (as datacf's default_names). */
export function defaultNames(count) {
  return Array.from({ length: count }, (_, i) => {
    let name = "";
    for (let j = i + 1; j > 0; j = Math.floor((j - 1) / 26)) name = String.fromCharCode(65 + ((j - 1) % 26)) + name;
    return name;
  });
}

/** The problem with a point name, or null. Names are text without "," or "∅" (row-name syntax). */
export function nameProblem(name) {
  if (typeof name !== "string" || name.length < 1 || name.length > LIMITS.nameChars || !name.trim()) {
    return `a name is 1 to ${LIMITS.nameChars} characters of text`;
  }
  if (name !== name.trim() || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) return "a name has no control characters or surrounding spaces";
  if (name.includes(",") || name.includes("\u2205")) return 'a name cannot contain "," or "\u2205" (row names use them)';
  return null;
}

function points(data, low, high, where) {
  if (!isObject(data) || !own(data, "X") || !own(data, "y") || Object.keys(data).some((k) => !["X", "y", "names"].includes(k))) {
    fail(`${where} must be an object with X, y and optionally names.`);
  }
  const { X, y } = data;
  if (!Array.isArray(X) || X.length < low || X.length > high) {
    fail(`${where} must hold ${low} to ${high} points` + (where === "train" ? " (a live grid trains 2^n models)." : "."));
  }
  const coords = X.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) fail(`${where}.X[${i}] must be a pair [x1, x2].`);
    return p.map((v, j) => float(v, -LIMITS.coord, LIMITS.coord, `${where}.X[${i}][${j}]`));
  });
  if (!Array.isArray(y) || y.length !== X.length) fail(`${where}.y must hold one label per point.`);
  const labels = y.map((v, i) => int(v, 0, LIMITS.maxLabel, `${where}.y[${i}]`));
  let names = data.names;
  if (names === undefined || names === null) names = defaultNames(X.length);
  else {
    if (!Array.isArray(names) || names.length !== X.length) fail(`${where}.names must hold one name per point.`);
    names.forEach((n, i) => { const p = nameProblem(n); if (p) fail(`${where}.names[${i}]: ${p}.`); });
    if (new Set(names).size !== names.length) fail(`${where}.names must be unique.`);
    names = [...names];
  }
  return { X: coords, y: labels, names };
}

const round3 = (v) => Math.round(v * 1000) / 1000;

/** A square-ish window around the points with a margin (as datacf._explorer.default_view). */
export function defaultView(xy) {
  const xs = xy.map((p) => p[0]);
  const ys = xy.map((p) => p[1]);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 1);
  const half = span / 2 + 0.25 * span;
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  return [round3(cx - half), round3(cx + half), round3(cy - half), round3(cy + half)];
}

/** lens.signal: a feature index, a value in the coordinate range and a class of the training points; null: chosen by datacf. */
function signal(value, classes) {
  const out = { feature: 0, value: null, label: null };
  if (value === undefined || value === null) return out;
  if (!isObject(value) || Object.keys(value).some((k) => !SIGNAL_KEYS.has(k))) fail(`lens.signal may only hold ${[...SIGNAL_KEYS].join(", ")}.`);
  if (own(value, "feature")) out.feature = int(value.feature, 0, LIMITS.features - 1, "lens.signal.feature");
  if (value.value !== undefined && value.value !== null) out.value = float(value.value, -LIMITS.coord, LIMITS.coord, "lens.signal.value");
  if (value.label !== undefined && value.label !== null) {
    out.label = int(value.label, 0, LIMITS.maxLabel, "lens.signal.label");
    if (!classes.includes(out.label)) fail(`lens.signal.label ${out.label} is not a class of the training points.`);
  }
  return out;
}

function lens(value, n, m, classes) {
  const out = { name: "loo", point: 0, group: [0], pair: [0, 1], column: 0, alpha: 16, beta: 1, size: Math.min(2, n), signal: signal(null) };
  if (value === undefined || value === null) return out;
  if (!isObject(value) || Object.keys(value).some((k) => !LENS_KEYS.has(k))) fail("lens has an unknown key.");
  if (own(value, "name")) {
    if (!LENSES.includes(value.name)) fail("lens.name is not a lens.");
    out.name = value.name;
  }
  if (own(value, "point")) out.point = int(value.point, 0, n - 1, "lens.point");
  if (own(value, "column")) out.column = int(value.column, 0, m - 1, "lens.column");
  if (own(value, "size")) out.size = int(value.size, 0, n, "lens.size");
  for (const key of ["alpha", "beta"]) if (own(value, key)) out[key] = float(value[key], 0.1, 64, `lens.${key}`);
  if (own(value, "group")) {
    const g = value.group;
    if (!Array.isArray(g) || g.length < 1 || g.length > n) fail("lens.group must list 1 to n points.");
    out.group = g.map((i) => int(i, 0, n - 1, "lens.group[]")).sort((a, b) => a - b);
    if (new Set(out.group).size !== out.group.length) fail("lens.group names a point twice.");
  }
  if (own(value, "pair")) {
    const p = value.pair;
    if (!Array.isArray(p) || p.length !== 2) fail("lens.pair must list two points.");
    out.pair = p.map((i) => int(i, 0, n - 1, "lens.pair[]"));
    if (out.pair[0] === out.pair[1]) fail("lens.pair needs two different points.");
  }
  if (own(value, "signal")) out.signal = signal(value.signal, classes);
  return out;
}

/** A validated, complete copy of an explorer state; throws an Error naming the problem. */
export function checkState(state) {
  if (!isObject(state)) fail("An explorer state must be an object.");
  for (const key of Object.keys(state)) if (!STATE_KEYS.has(key)) fail(`Unknown state key "${String(key).slice(0, 40)}".`);
  if (own(state, "version") && state.version !== 1) fail("This explorer reads state version 1.");
  if (!own(state, "train")) fail("An explorer state needs its training points (train).");
  const train = points(state.train, LIMITS.minPoints, LIMITS.maxPoints, "train");
  const evaluation = state.eval === undefined || state.eval === null ? null : points(state.eval, 1, LIMITS.maxEval, "eval");
  const n = train.X.length;
  const m = evaluation ? evaluation.X.length : n;
  const model = own(state, "model") ? state.model : "KNN";
  if (typeof model !== "string" || !own(MODELS, model)) fail(`model must be one of ${Object.keys(MODELS).join(", ")}.`);
  const given = own(state, "params") ? state.params : {};
  if (!isObject(given) || Object.keys(given).some((k) => !own(MODELS[model], k))) fail(`params for ${model} name an unknown parameter.`);
  const params = {};
  for (const [key, [kind, low, high, fallback]] of Object.entries(MODELS[model])) {
    const value = own(given, key) ? given[key] : fallback;
    params[key] = kind === "int" ? int(value, low, high, `params.${key}`) : float(value, low, high, `params.${key}`);
  }
  const metric = own(state, "metric") ? state.metric : "prob_correct";
  if (!METRICS.includes(metric)) fail("metric is not supported.");
  const convention = own(state, "convention") ? state.convention : "fallback";
  if (!CONVENTIONS.includes(convention)) fail("convention is not supported.");
  if (convention === "zero" && metric === "log_loss") fail(ZERO_LOG_LOSS);
  let focus = state.focus;
  if (focus === undefined || focus === null) focus = Array.from({ length: m }, (_, i) => i);
  else {
    if (!Array.isArray(focus) || focus.length < 1 || focus.length > m) fail("focus must list 1 to m columns.");
    focus = focus.map((c) => int(c, 0, m - 1, "focus[]")).sort((a, b) => a - b);
    if (new Set(focus).size !== focus.length) fail("focus names a column twice.");
  }
  const checkedLens = lens(state.lens, n, m, train.y);
  let selection = own(state, "selection") ? state.selection : null;
  if (selection !== null) selection = int(selection, 0, 2 ** n - 1, "selection");
  let view = own(state, "view") ? state.view : null;
  if (view === null) view = defaultView([...train.X, ...(evaluation ? evaluation.X : [])]);
  else {
    if (!Array.isArray(view) || view.length !== 4) fail("view must be [x_min, x_max, y_min, y_max].");
    view = view.map((v, i) => float(v, -2 * LIMITS.coord, 2 * LIMITS.coord, `view[${i}]`));
    if (!(view[0] < view[1] && view[2] < view[3])) fail("view must have x_min < x_max and y_min < y_max.");
  }
  return { version: 1, train, eval: evaluation, model, params, metric, convention, focus, lens: checkedLens, selection, view };
}

// --- share links: "dcf1." + base64url(UTF-8 JSON), compact keys -----------------------------

const compactPoints = (d) => (d ? d.X.map((p, i) => [p[0], p[1], d.y[i], d.names[i]]) : null);

function expandPoints(rows, where) {
  if (rows === null || rows === undefined) return null;
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && r.length === 4)) fail(`${where} must list [x1, x2, label, name].`);
  return { X: rows.map((r) => [r[0], r[1]]), y: rows.map((r) => r[2]), names: rows.map((r) => r[3]) };
}

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) fail("The link's state is not base64url text.");
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The fragment (without "#") for a state; datacf._explorer.state_from_fragment reads it too. */
export function fragmentFromState(state) {
  const s = checkState(state);
  const compact = { v: s.version, t: compactPoints(s.train), e: compactPoints(s.eval), m: s.model, p: s.params,
    s: s.metric, c: s.convention, f: s.focus, l: s.lens, r: s.selection, w: s.view };
  return FRAGMENT_PREFIX + toBase64Url(JSON.stringify(compact));
}

/** The validated state a fragment encodes; throws an Error for anything else. */
export function stateFromFragment(fragment) {
  if (typeof fragment !== "string") fail("A fragment is text.");
  const body = fragment.startsWith("#") ? fragment.slice(1) : fragment;
  if (body.length > LIMITS.fragmentChars) fail("The link's state is too long.");
  if (!body.startsWith(FRAGMENT_PREFIX)) fail(`The link's state must start with "${FRAGMENT_PREFIX}".`);
  let compact;
  try {
    compact = JSON.parse(fromBase64Url(body.slice(FRAGMENT_PREFIX.length)));
  } catch (error) {
    fail(`The link's state cannot be decoded (${error.name}).`);
  }
  if (!isObject(compact) || !own(compact, "t") || Object.keys(compact).some((k) => !own(SHORT, k))) {
    fail("The link's state is not an explorer state.");
  }
  const state = {};
  for (const [key, value] of Object.entries(compact)) state[SHORT[key]] = value;
  state.train = expandPoints(state.train, "train");
  if (own(state, "eval")) state.eval = expandPoints(state.eval, "eval");
  return checkState(state);
}

/** Does a fragment look like an explorer link (so a bad one deserves a notice)? */
export const isExplorerFragment = (hash) => typeof hash === "string" && /^#?dcf\d*\./.test(hash);
