// docs/js/runtime.js: the page's Python runtime, as `window.datacf.runtime` (and `export runtime`).
//
// Python never runs on the main thread: one Web Worker per page (docs/js/py-worker.js) loads
// Pyodide, numpy and the site's datacf wheel. The worker starts on first use (ready(), run(),
// load()) or when an element marked `data-dcf-python` comes near the viewport; never otherwise.
// Settings come from `<meta name="datacf-runtime">`, which the site build writes
// (sitebuild/runtime_config.py; mkdocs.yml `extra.datacf_runtime`).
//
// The runtime belongs to the page; a run belongs to its cell (its `channel`). Runs go to the
// worker one at a time, in order. Stop and the time budget end one run, never another:
//   - a queued run that is stopped (or superseded, or whose cell left the page) is just taken
//     out of the queue;
//   - the running run can only be ended by terminating the worker (Python has no way to be
//     interrupted here without cross-origin isolation), so the worker is replaced and the runs
//     still queued wait, saying why ("Waiting: restarting Python after a stop in cell 'x'"),
//     and then run as if nothing happened;
//   - if Python itself dies in a run (os._exit, abort, a fatal error), that run says so
//     (stopped: "exited") and the worker is replaced the same way.
//
// API (all promises resolve to plain JSON-able objects):
//
//   runtime.ready() -> Promise<{python, numpy, datacf}>
//       Resolves once Python, numpy and datacf are importable in the worker (scikit-learn is not
//       needed for it). Rejects with an Error whose message says why the runtime cannot load
//       (offline, blocked URL, a file that does not match its pinned hash, no WebAssembly, not
//       enough memory); `runtime.state.failure` too.
//   runtime.run(code, {timeoutMs, channel = "default", label = null, owner = null, signal = null,
//                      scope = null, packages = [], onOutput = null, onState = null})
//       -> Promise<{stdout, stderr, dropped, error, display, stopped, superseded, loaded, ms}>
//       error:   null or {type, message, traceback}; the traceback keeps only the reader's own
//                frames (file "<cell>"). type "RuntimeUnavailable" if Python could not load,
//                "PythonExited" if Python died during the run.
//       display: null, {kind: "grid", json, view} (Grid.to_json text, and the view model's JSON
//                to draw it with renderGridFigure: a datacf Grid, or anything with a 2-D
//                `.values` of 2**n rows) or {kind: "text", text} (the repr of the last
//                expression). Render both as text / with the grid widget, never as HTML.
//       stopped: null; "user" (stop(channel), or `signal` aborted); "budget" (ran past timeoutMs,
//                default the site's time_budget_ms; counted from when the code starts, after
//                any package load); "exited" (Python died: error says how); "left" (`owner` is
//                no longer in the document after an instant navigation). A run that was
//                stopped while queued never ran. stdout/stderr hold what it printed before.
//       superseded: true when a newer run on the same `channel` was requested before this one
//                ended (latest request wins): it resolves at once, and its result must not be
//                shown. A superseded run that was running is ended (the worker restarts).
//       dropped: {stdout, stderr}: characters of output past the cap (OUTPUT_LIMIT per stream;
//                the worker stops keeping them, and the program keeps running).
//       label:   how messages name the run's cell ("cell 'fix-e'"); default: the channel.
//       owner:   an element; when it has left the document, the run is cancelled (checked on
//                each page of Material's instant navigation).
//       scope:   null runs in a fresh namespace; a string keeps one namespace across runs
//                (a restart of the worker forgets it).
//       packages: lock-file packages to load first (e.g. ["scikit-learn"]); packages the code
//                imports (sklearn, scipy) are found and loaded automatically.
//       loaded:  packages this run loaded. ms: wall time of the run in the worker.
//       onOutput: called as (name, text, dropped), name "stdout" or "stderr", while the run
//                prints (at most every 100 ms), so a long run shows its output as it goes;
//                `dropped` is that stream's count so far. Never called once superseded.
//       onState: called as ({phase, text}) when what the run is doing changes: phase "waiting"
//                ("Waiting for cell 'fix-e' to finish", "Waiting for Python: Loading numpy,
//                6.2 MB", "Waiting: restarting Python after a stop in cell 'x'"), "loading"
//                (packages for this run) or "running".
//   runtime.stop(channel = null) -> boolean
//       Stops that channel's run (queued or running; it resolves with stopped: "user"), or,
//       with no channel, the run in progress. false if there was nothing to stop.
//   runtime.load(packages) -> Promise<{loaded}>   e.g. load(["scikit-learn"]) ahead of need.
//   runtime.retry() -> Promise   after a failure: start again from scratch.
//   runtime.start()               start loading now (idempotent); returns ready()'s promise.
//   runtime.stallTimeoutMs        loading fails, with a reason and Retry, when the worker sends
//                                 no progress for this long (default 60 s): a CDN that stalls
//                                 instead of failing must not leave the page "loading" forever.
//   runtime.state  -> {stage, detail, bytes, ready, failure, versions, downloadBytes}
//   runtime.sizes  -> {runtime, numpy, datacf, "scikit-learn"}: bytes each stage downloads.
//   runtime.addEventListener("status", (e) => e.detail)
//       e.detail = {stage, detail, bytes}: stage is "runtime", "numpy", "datacf", a package
//       name ("scikit-learn"), "ready", "run", "restarting" (detail says why) or "failed"
//       (detail = why). Only the runtime itself raises these: see the key below.
//
// Worker protocol (py-worker.js has the details): {id, type, payload} -> {id, ok, result} or
// {id, ok: false, error}; plus unasked {type: "status", stage, detail, bytes},
// {type: "progress", bytes} and {type: "stream", id, name, text, dropped}. Each worker gets a
// fresh random key with init; a message without it (reader code calling postMessage) is dropped.

import { onEachPage } from "./each-page.js";

const WORKER_URL = new URL("./py-worker.js", import.meta.url);
const SITE_ROOT = new URL("../", import.meta.url);
// Auto-start waits for an idle moment (at most 2 s) so the page and its search index load first.
const whenIdle = (callback) => (typeof requestIdleCallback === "function"
  ? requestIdleCallback(callback, { timeout: 2000 })
  : setTimeout(callback, 200));
const CORE_FILES = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
const OUTPUT_LIMIT = 100_000;           // characters of each stream a run keeps (as the worker)
const PACKAGE_ALLOWANCE_MS = 120_000;   // a run's packages may load this long before its budget starts
const megabytes = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A fresh secret for one worker: 128 random bits, hex. */
function newKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** How messages name a run: "cell 'fix-e'", from its label or channel. */
const nameOf = (run) => (run.label ? `cell '${run.label}'` : run.channel === "default" ? "another run" : `'${run.channel}'`);

/** The site's runtime settings from its `<meta name="datacf-runtime">`, URLs made absolute. */
export function readConfig(doc = document) {
  const meta = doc.querySelector('meta[name="datacf-runtime"]');
  if (!meta) return null;
  const config = JSON.parse(meta.content);
  config.indexURL = new URL(config.indexURL, SITE_ROOT).href;
  config.wheelURL = new URL(config.wheel, SITE_ROOT).href;
  return config;
}

function closureBytes(config, names, skip = new Set()) {
  const seen = new Set();
  const todo = [...names];
  while (todo.length) {
    const name = todo.pop();
    if (seen.has(name) || skip.has(name)) continue;
    seen.add(name);
    todo.push(...(config.depends[name] ?? []));
  }
  return [...seen].reduce((sum, name) => sum + (config.sizes[name] ?? 0), 0);
}

/** Bytes each loading stage downloads (uncompressed), from the pinned sizes. */
export function stageSizes(config) {
  const numpy = closureBytes(config, ["numpy"]);
  return {
    runtime: CORE_FILES.reduce((sum, name) => sum + (config.sizes[name] ?? 0), 0),
    numpy,
    datacf: config.wheelBytes,
    "scikit-learn": closureBytes(config, ["scikit-learn"], new Set(["numpy"])),
  };
}

function explain(error, config) {
  const host = (() => {
    try {
      return new URL(config.indexURL).host;
    } catch {
      return "its address";
    }
  })();
  const message = String(error?.message ?? error);
  if (error?.type === "IntegrityError" || /did not match its pinned hash/.test(message)) {
    const file = error?.file ?? "A Python runtime file";
    const use = /\.(whl|zip)$/.test(file) && file !== "python_stdlib.zip" ? "installed" : "run";
    return `${file} from ${host} did not match its pinned hash, so it was not ${use}: the server sent `
      + "different bytes from the ones this site was built with. Retry later, or tell the site's authors.";
  }
  if (error?.type === "PolicyError" || /Content[- ]Security[- ]Policy|unsafe-eval/i.test(message)) {
    return "The Python runtime could not start: the site's Content-Security-Policy blocked it. The host's "
      + "policy must allow 'wasm-unsafe-eval' and the runtime's origin (see the Security page).";
  }
  if (/memory|allocate|RangeError/i.test(message) || error?.type === "RangeError") {
    return "There is not enough memory for the Python runtime. Close other tabs, then retry.";
  }
  if (error?.stage === "datacf") return `This site's datacf package could not be installed (${message}).`;
  const what = error?.stage && error.stage !== "runtime" ? error.stage : "The Python runtime";
  if (/fetch|network|HTTP|load|import/i.test(message)) {
    return `${what[0].toUpperCase()}${what.slice(1)} could not be downloaded from ${host}: you may be offline, or the address is blocked.`;
  }
  return `The Python runtime failed to start (${message}).`;
}

class Runtime extends EventTarget {
  #config;
  #worker = null;
  #key = null;            // the current worker's secret: its messages carry it
  #ready = null;          // {promise, resolve, reject} of the current worker's init
  #nextId = 0;
  #pending = new Map();   // id -> {resolve, reject} of requests sent to the worker
  #queue = [];            // runs waiting for the worker, in order
  #current = null;        // the run in the worker
  #latest = new Map();    // channel -> its newest run
  #restarting = null;     // while the worker restarts: why ("after a stop in cell 'x'")
  #observer = null;
  #watchdog = null;       // timer that fails a load which stopped making progress
  stallTimeoutMs = 60_000;
  state = { stage: "idle", detail: "", bytes: null, ready: false, failure: null, versions: null, downloadBytes: null };

  constructor(config) {
    super();
    this.#config = config;
    this.sizes = config ? stageSizes(config) : null;
    this.state.downloadBytes = this.sizes ? this.sizes.runtime + this.sizes.numpy + this.sizes.datacf : null;
  }

  get timeBudgetMs() {
    return this.#config?.timeBudgetMs ?? 30_000;
  }

  #status(stage, detail = "", bytes = null) {
    Object.assign(this.state, { stage, detail, bytes });
    this.dispatchEvent(new CustomEvent("status", { detail: { stage, detail, bytes } }));
  }

  #fail(reason) {
    clearTimeout(this.#watchdog);
    this.state.failure = reason;
    this.state.ready = false;
    this.#restarting = null;
    this.#worker?.terminate();
    this.#worker = null;
    this.#status("failed", reason);
    const error = new Error(reason);
    this.#ready?.reject(error);
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    const unavailable = { type: "RuntimeUnavailable", message: reason, traceback: "" };
    const runs = [...(this.#current ? [this.#current] : []), ...this.#queue.splice(0)];
    this.#current = null;
    for (const run of runs) this.#settle(run, { error: unavailable });
  }

  #settle(run, fields) {
    if (run.settled) return;
    run.settled = true;
    clearTimeout(run.timer);
    run.resolve({ stdout: run.stdout, stderr: run.stderr, dropped: { ...run.dropped }, error: null, display: null,
      stopped: null, superseded: this.#latest.get(run.channel) !== run, loaded: [], ms: null, ...fields });
  }

  start() {
    if (this.#ready) return this.#ready.promise;
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => [resolve, reject] = [res, rej]);
    promise.catch(() => {});   // callers of ready() see the rejection; an unwatched start does not warn
    this.#ready = { promise, resolve, reject };
    this.state.failure = null;
    if (!this.#config) {
      this.#fail("This page has no Python runtime settings (its <meta name=\"datacf-runtime\"> is missing).");
    } else if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
      this.#fail("This browser cannot run Python in the page: it lacks WebAssembly or Web Workers.");
    } else {
      this.#spawn();
    }
    return promise;
  }

  #spawn() {
    const worker = new Worker(WORKER_URL, { name: "datacf-python" });
    const key = newKey();
    this.#worker = worker;
    this.#key = key;
    worker.addEventListener("message", (event) => this.#onMessage(worker, event.data));
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      if (worker !== this.#worker) return;
      // Once Python is ready, an uncaught error in the worker comes from reader code (a Python
      // callback given to js.setTimeout, say): it is the reader's, not a failure of the runtime.
      if (!this.state.ready) this.#fail(explain({ message: `load: ${event.message ?? "worker script failed"}` }, this.#config));
    });
    const { indexURL, integrity, sizes, depends, imports, wheelURL, wheelBytes } = this.#config;
    this.#armWatchdog(worker);
    this.#request("init", { key, indexURL, integrity, sizes, depends, imports, wheelURL, wheelBytes }).then(
      (versions) => {
        clearTimeout(this.#watchdog);
        this.#restarting = null;
        Object.assign(this.state, { ready: true, versions });
        this.#status("ready", `Python ${versions.python}, numpy ${versions.numpy}, datacf ${versions.datacf}`);
        this.#ready.resolve(versions);
        this.#pump();
      },
      (error) => { if (worker === this.#worker) this.#fail(explain(error, this.#config)); },   // else: already failed
    );
  }

  #armWatchdog(worker) {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (worker !== this.#worker || this.state.ready) return;
      const host = new URL(this.#config.indexURL).host;
      const seconds = Math.round(this.stallTimeoutMs / 1000);
      this.#fail(`Loading ${this.state.stage === "idle" ? "the Python runtime" : this.state.stage} stopped: nothing `
        + `arrived from ${host} for ${seconds} s. The network or that server may be down; retry later.`);
    }, this.stallTimeoutMs);
  }

  #request(type, payload) {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, type, payload });
    });
  }

  #onMessage(worker, message) {
    // A terminated worker's last words, or a message reader code posted (it lacks the key).
    if (worker !== this.#worker || !message || message.key !== this.#key) return;
    if (!this.state.ready) this.#armWatchdog(worker);   // any message while loading is progress
    if (message.type === "progress") return;
    if (message.type === "status") return this.#onStatus(message);
    if (message.type === "stream") return this.#onStream(message);
    const run = this.#current?.id === message.id ? this.#current : null;
    if (run) return this.#finish(run, message);
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(message.error);
  }

  #onStatus({ stage, detail, bytes, id }) {
    const run = this.#current;
    if (stage === "run") {
      if (run?.id !== id) return;
      clearTimeout(run.timer);
      run.started = performance.now();
      run.timer = setTimeout(() => this.#end(run, { stopped: "budget" },
        `after ${nameOf(run)} ran past its time budget of ${Math.round(run.timeoutMs / 1000)} s`), run.timeoutMs);
      this.#inform(run, "running", "Running\u2026");
      return this.#status("run", detail, bytes);
    }
    if (stage === "ready") return;   // said by #spawn, once the versions are known
    this.#status(stage, detail, bytes);
    if (run && this.state.ready) this.#inform(run, "loading", `${detail}${bytes ? `, ${megabytes(bytes)}` : ""}\u2026`);
    this.#tell();
  }

  #onStream({ id, name, text, dropped }) {
    const run = this.#current;
    if (run?.id !== id || (name !== "stdout" && name !== "stderr")) return;
    const room = Math.max(0, OUTPUT_LIMIT - run[name].length);
    const kept = String(text ?? "").slice(0, room);
    run.cut[name] += String(text ?? "").length - kept.length;      // past the cap here too
    run[name] += kept;
    run.dropped[name] = (Number(dropped) || 0) + run.cut[name];
    if (this.#latest.get(run.channel) !== run) return;
    try {
      run.onOutput?.(name, kept, run.dropped[name]);
    } catch (problem) {
      console.warn("datacf runtime: an onOutput callback failed", problem);
    }
  }

  /**
   * Tell a run what it is doing now (once per change). Said in a microtask, so a callback that
   * calls the runtime (runs again, stops) never finds it halfway through a change.
   */
  #inform(run, phase, text) {
    if (run.settled || run.stateText === text) return;
    run.stateText = text;
    queueMicrotask(() => {
      if (run.settled || run.stateText !== text) return;
      try {
        run.onState?.({ phase, text });
      } catch (problem) {
        console.warn("datacf runtime: an onState callback failed", problem);
      }
    });
  }

  /** Tell every queued run what it waits for. */
  #tell() {
    if (this.state.failure) return;
    this.#queue.forEach((run, index) => {
      let text;
      if (this.#restarting) {
        text = `Waiting: restarting Python ${this.#restarting}`;
      } else if (!this.state.ready) {
        const bytes = this.state.bytes ? `, ${megabytes(this.state.bytes)}` : "";
        text = `Waiting for Python: ${this.state.detail ? `${this.state.detail}${bytes}` : "starting"}\u2026`;
      } else if (this.#current) {
        const ahead = [this.#current, ...this.#queue.slice(0, index)];
        const then = ahead.length === 1 ? "" : ahead.length === 2 ? `, then ${nameOf(ahead[1])}` : `, then ${ahead.length - 1} more runs`;
        text = `Waiting for ${nameOf(this.#current)} to finish${then}`;
      } else {
        return;      // about to be sent
      }
      this.#inform(run, "waiting", text);
    });
  }

  #finish(run, message) {
    this.#current = null;
    const ms = run.started ? performance.now() - run.started : null;
    if (message.ok && message.result.exited) {
      const { stdout, stderr, dropped } = message.result;
      Object.assign(run, { stdout, stderr, dropped });
      this.#settle(run, { stopped: "exited", ms, loaded: message.result.loaded ?? [],
        error: { type: "PythonExited", message: message.result.exited, traceback: "" } });
      this.#restart(`after Python exited in ${nameOf(run)}`);
      return;
    }
    if (message.ok) {
      const { exited: _alive, ...result } = message.result;
      this.#settle(run, { ...result, ms });
    } else {
      const { type, message: text } = message.error;
      this.#settle(run, { error: { type, message: text, traceback: "" }, ms });
    }
    this.#pump();
  }

  #pump() {
    if (this.#current || !this.state.ready || !this.#worker) return;
    const run = this.#queue.shift();
    if (!run) return;
    this.#current = run;
    run.timer = setTimeout(() => this.#end(run, { stopped: "budget" },
      `after ${nameOf(run)} ran past its time budget`), run.timeoutMs + PACKAGE_ALLOWANCE_MS);
    this.#worker.postMessage({ id: run.id, type: "run", payload: run.payload });
    this.#inform(run, "running", "Running\u2026");
    this.#tell();
  }

  /**
   * End one run: a queued run leaves the queue; the running one ends with its worker, which is
   * replaced (`why` says why, to the runs that wait for the new one). Other runs are untouched.
   */
  #end(run, fields, why) {
    if (run.settled) return false;
    const index = this.#queue.indexOf(run);
    if (index >= 0) {
      this.#queue.splice(index, 1);
      this.#settle(run, fields);
      this.#tell();
      return true;
    }
    if (run !== this.#current) return false;
    this.#current = null;
    this.#settle(run, { ms: run.started ? performance.now() - run.started : null, ...fields });
    this.#restart(why);
    return true;
  }

  #restart(why) {
    this.#worker?.terminate();
    this.#worker = null;
    for (const { reject } of this.#pending.values()) reject({ type: "Stopped", message: "the worker was restarted" });
    this.#pending.clear();
    this.#ready = null;
    this.state.ready = false;
    this.#restarting = why;
    this.#status("restarting", `Restarting Python ${why}`);
    this.start().then(() => this.#pump(), () => {});
    this.#tell();
  }

  ready() {
    return this.start();
  }

  run(code, { timeoutMs = this.timeBudgetMs, channel = "default", label = null, owner = null, signal = null,
    scope = null, packages = [], onOutput = null, onState = null } = {}) {
    const id = ++this.#nextId;
    return new Promise((resolve) => {
      const run = { id, channel: String(channel), label, owner, resolve, timeoutMs, onOutput, onState,
        payload: { code: String(code), scope, packages }, stdout: "", stderr: "", dropped: { stdout: 0, stderr: 0 },
        cut: { stdout: 0, stderr: 0 }, settled: false, stateText: null, timer: null, started: null };
      const previous = this.#latest.get(run.channel);
      this.#latest.set(run.channel, run);
      if (this.state.failure && this.#ready) {
        this.#settle(run, { error: { type: "RuntimeUnavailable", message: this.state.failure, traceback: "" } });
        return;
      }
      // Latest wins: the channel's older run ends now, so a stuck run never delays its successor.
      const replacesCurrent = previous !== undefined && previous === this.#current;
      if (replacesCurrent) this.#queue.unshift(run);
      else this.#queue.push(run);
      if (previous) this.#end(previous, { superseded: true }, `to end the unfinished run of ${nameOf(previous)}`);
      if (signal) {
        const abort = () => this.#end(run, { stopped: "user" }, `after a stop in ${nameOf(run)}`);
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
      }
      this.start().then(() => this.#pump(), () => {});
      this.#tell();
    });
  }

  stop(channel = null) {
    const run = channel === null ? this.#current : this.#latest.get(String(channel));
    if (!run) return false;
    return this.#end(run, { stopped: "user" }, `after a stop in ${nameOf(run)}`);
  }

  /** Cancel the runs whose `owner` element has left the document (instant navigation). */
  cancelDetached() {
    for (const run of [...this.#queue, ...(this.#current ? [this.#current] : [])]) {
      if (run.owner && !run.owner.isConnected) {
        this.#end(run, { stopped: "left" }, `to end a run of ${nameOf(run)}, which is no longer on the page`);
      }
    }
  }

  async load(packages) {
    await this.start();
    return this.#request("load", { packages });
  }

  retry() {
    this.#worker?.terminate();
    this.#worker = null;
    this.#ready = null;
    this.state.failure = null;
    return this.start();
  }

  /** Start the worker when a `[data-dcf-python]` element comes within ~one screen of view. */
  observe(doc = document) {
    this.#observer?.disconnect();
    const targets = doc.querySelectorAll("[data-dcf-python]");
    if (!targets.length || this.#ready) return;
    if (typeof IntersectionObserver !== "function") {
      this.start();
      return;
    }
    this.#observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        this.#observer.disconnect();
        whenIdle(() => this.start());
      }
    }, { rootMargin: "800px 0px" });
    for (const target of targets) this.#observer.observe(target);
  }
}

export const runtime = new Runtime(typeof document === "undefined" ? null : readConfig(document));

if (typeof window !== "undefined") window.datacf = Object.assign(window.datacf ?? {}, { runtime });
onEachPage((doc) => {
  runtime.cancelDetached();
  runtime.observe(doc);
});
