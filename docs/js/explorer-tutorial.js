// docs/js/explorer-tutorial.js: a guided tutorial around one Grid Explorer.
//
// sitebuild/explorer_block.py writes a tutorial as a <section class="dcf-tutorial"> holding the
// goal, the step, the explorer, what to notice and a question whose answer sits in a <details>:
// the answer computed when the site was built, and a slot for the same answer read from the
// live numbers. This module adds a button that makes the tutorial's step (if it has one) and
// fills the live answer each time the explorer's numbers are up to date, saying which state
// they belong to. The answer is a template of readings (sitebuild/tutorials.py documents them);
// `answerText` evaluates it here exactly as the build does, on the explorer's live result.

import { onEachPage } from "./each-page.js";
import { explorerOf } from "./explorer.js";

const MINUS = "\u2212";
const TIE_TOL = 1e-9;            // as sitebuild.tutorials.TIE_TOL
const VALUES = ["loo", "shapley", "banzhaf", "beta"];
const el = (doc, tag, props = {}) => Object.assign(doc.createElement(tag), props);

/** `value` to `digits` decimals, rounding half to even on its exact decimal value, as Python's format(). */
function fixed(value, digits) {
  const negative = value < 0 || Object.is(value, -0);
  const exact = Math.abs(value).toFixed(Math.min(100, digits + 30));   // enough digits to see an exact tie
  const [whole, frac] = exact.split(".");
  let kept = BigInt(whole + frac.slice(0, digits));
  const rest = frac.slice(digits);
  const half = rest[0] === "5" && /^0*$/.test(rest.slice(1));
  if (rest[0] > "5" || (rest[0] === "5" && !half) || (half && kept % 2n === 1n)) kept += 1n;
  const text = kept.toString().padStart(digits + 1, "0");
  return `${negative ? "-" : ""}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** datacf._view.format_number for "+.3f" (signed) and ".3f". */
export function formatNumber(value, signed) {
  let text = fixed(value, 3);
  if (signed && !text.startsWith("-")) text = `+${text}`;
  if (!/[1-9]/.test(text)) text = text.replace(/^[+-]/, "");
  return text.replace("-", MINUS);
}

function parse(text) {
  const tokens = text.trim().match(/[(),]|[^\s(),]+/g) ?? [];
  let k = 0;
  const expr = () => {
    const name = tokens[k];
    if (name === undefined || "(),".includes(name)) throw new Error(`expected a name in {{ ${text.trim()} }}`);
    k += 1;
    if (tokens[k] !== "(") return { lit: name };
    k += 1;
    const args = [];
    while (tokens[k] !== ")") {
      args.push(expr());
      if (tokens[k] === ",") k += 1;
      else if (tokens[k] !== ")") throw new Error(`expected ',' or ')' in {{ ${text.trim()} }}`);
    }
    k += 1;
    return { name, args };
  };
  const tree = expr();
  if (k !== tokens.length) throw new Error(`unexpected ${tokens[k]} in {{ ${text.trim()} }}`);
  return tree;
}

/** Readings of one explorer result, as sitebuild.tutorials.Reader (non-strict: ties go to the lower index). */
function reader({ result, values }) {
  const names = result.point_names;
  const cols = result.eval_names;
  const n = names.length;
  const full = 2 ** n - 1;
  const u = result.utility;
  const r = result.readings;
  const point = (name) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`${name} is not a training point`);
    return i;
  };
  const row = (name) => {
    if (name === "full") return full;
    if (name === "\u2205" || name === "empty") return 0;
    const members = names.every((m) => m.length === 1) ? [...name] : name.split(",");
    return members.reduce((bits, m) => bits | (1 << point(m)), 0);
  };
  const vector = (name) => {
    if (!VALUES.includes(name)) throw new Error(`${name} is not one of ${VALUES.join(", ")}`);
    return r[name];
  };
  const extreme = (vals, sign) => {
    const best = Math.max(...vals.map((v) => sign * v));
    return names[vals.findIndex((v) => sign * v >= best - TIE_TOL)];
  };
  const smallest = (sizes) => (sizes.length ? [Math.min(...sizes), "int"] : ["none", "name"]);
  const table = {
    loo: ([p]) => [r.loo[point(p)], "value"],
    shapley: ([p]) => [r.shapley[point(p)], "value"],
    banzhaf: ([p]) => [r.banzhaf[point(p)], "value"],
    beta: ([p]) => [r.beta[point(p)], "value"],
    interaction: ([p, q]) => [r.interaction[point(p)][point(q)], "value"],
    group: (ps) => [u[full] - u[full & ~[...new Set(ps)].reduce((m, p) => m | (1 << point(p)), 0)], "value"],
    // U(G) - U(∅) in the label-flip edit grid (row G: the lens group's labels flipped).
    poison: () => [result.poison.utility[result.state.lens.group.reduce((m, i) => m | (1 << i), 0)] - result.poison.utility[0], "value"],
    sum: ([name]) => [vector(name).reduce((a, b) => a + b, 0), "value"],
    utility: ([name]) => [u[row(name)], "score"],
    cell: ([name, col]) => {
      if (!cols.includes(col)) throw new Error(`${col} is not an evaluation column`);
      return [values[row(name)][cols.indexOf(col)], "score"];
    },
    scaling: ([k]) => [r.scaling[Number(k)], "score"],
    best_utility: ([k]) => [r.best[Number(k)].utility, "score"],
    argmax: ([name]) => [extreme(vector(name), 1), "name"],
    argmin: ([name]) => [extreme(vector(name), -1), "name"],
    rank: ([name, p]) => {
      const vals = vector(name);
      const v = vals[point(p)];
      return [1 + vals.filter((w) => w > v + TIE_TOL).length, "int"];
    },
    smallest_beating_full: () => smallest(r.best.filter((b) => b.utility > u[full] + TIE_TOL).map((b) => b.size)),
    first_rise: () => smallest(r.scaling.map((v, k) => [v, k]).filter(([v]) => v > r.scaling[0] + TIE_TOL).map(([, k]) => k)),
    sign: ([v]) => [Math.abs(v) <= TIE_TOL ? "zero" : v > 0 ? "positive" : "negative", "name"],
    pair_kind: ([p, q]) => {
      const v = r.interaction[point(p)][point(q)];
      return [Math.abs(v) <= TIE_TOL ? "independent" : v > 0 ? "complements" : "substitutes", "name"];
    },
  };
  const evaluate = (node) => {
    if (node.lit !== undefined) return [node.lit, "lit"];
    if (!Object.hasOwn(table, node.name)) throw new Error(`unknown reading ${node.name}`);
    return table[node.name](node.args.map((a) => evaluate(a)[0]));
  };
  return evaluate;
}

/** The answer template with each {{ reading }} read from `live` = {result, values}. */
export function answerText(template, live) {
  const evaluate = reader(live);
  return template.replace(/\{\{([\s\S]*?)\}\}/g, (_, inner) => {
    const [value, kind] = evaluate(parse(inner));
    return kind === "value" ? formatNumber(value, true) : kind === "score" ? formatNumber(value, false) : String(value);
  });
}

const KEYS = ["train", "eval", "model", "params", "metric", "convention", "focus", "lens"];
const sorted = (_, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x);
const canon = (value) => JSON.stringify(value ?? null, sorted);
const sameState = (a, b) => Boolean(a && b) && KEYS.every((key) => canon(a[key]) === canon(b[key]));

function mountTutorial(section, doc) {
  if (section.dataset.enhanced === "true") return;
  const root = section.querySelector("div.dcf-explorer");
  const api = root && explorerOf(root);
  const source = root?.querySelector("template.dcf-explorer__data");
  const slot = section.querySelector(".dcf-tutorial__live");
  if (!api || !source || !slot) return;
  section.dataset.enhanced = "true";
  const { preset } = JSON.parse(source.content.textContent);
  const { tutorial } = preset;
  const after = tutorial.after_state;

  const actions = el(doc, "p", { className: "dcf-tutorial__actions" });
  const button = (text, onClick) => {
    const b = el(doc, "button", { type: "button", className: "md-button dcf-ex-button", textContent: text });
    b.addEventListener("click", onClick);
    actions.append(b);
    return b;
  };
  if (after) {   // the explorer's own Reset returns to the tutorial's start: its preset is this tutorial
    button("Do this step for me", () => api.setState(after));
    section.querySelector(".dcf-tutorial__do")?.append(actions);
  }

  function whose(state) {
    if (after && sameState(state, after)) return "the tutorial's state after its step, the state the question asks about";
    if (sameState(state, preset.state)) {
      return after ? "the tutorial's start, before its step: do the step to read the answer live" : "the tutorial's state, the state the question asks about";
    }
    return "your own edits";
  }

  function update() {
    slot.hidden = false;
    if (root.dataset.status !== "live") {
      slot.dataset.state = "waiting";
      slot.textContent = "From the live numbers: waiting until the explorer's numbers are up to date (computed in your browser).";
      return;
    }
    const state = api.state();
    let text;
    try {
      text = answerText(tutorial.answer_template, { result: api.result(), values: api.grid() });
    } catch (error) {
      text = `cannot be read from the numbers on screen (${error.message}).`;
    }
    slot.dataset.state = "live";
    slot.dataset.which = after && sameState(state, after) ? "after" : sameState(state, preset.state) ? "start" : "edited";
    slot.replaceChildren(
      el(doc, "strong", { textContent: "From the live numbers on screen" }),
      doc.createTextNode(` (computed in your browser, for ${whose(state)}): `),
      el(doc, "span", { className: "dcf-tutorial__live-text", textContent: text }),
    );
  }

  new MutationObserver(update).observe(root, { attributes: true, attributeFilter: ["data-status"] });
  update();
}

export function mount(doc = document) {
  doc.querySelectorAll("section.dcf-tutorial").forEach((section) => mountTutorial(section, doc));
}

onEachPage(mount);
