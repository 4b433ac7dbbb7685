// docs/js/runtime.js: the page's Python runtime, as `window.datacf.runtime` (and `export runtime`).
//
// Python never runs on the main thread: one Web Worker per page (docs/js/py-worker.js) loads
// Pyodide, numpy and the site's datacf wheel. The worker starts on first use (ready(), run(),
// load()) or when an element marked `data-dcf-python` comes near the viewport; never otherwise.
// Settings come from `<meta name="datacf-runtime">`, which the site build writes
// (sitebuild/runtime_config.py; mkdocs.yml `extra.datacf_runtime`).
//
// API (all promises resolve to plain JSON-able objects):
//
//   runtime.ready() -> Promise<{python, numpy, datacf}>
//       Resolves once Python, numpy and datacf are importable in the worker (scikit-learn is not
//       needed for it). Rejects with an Error whose message says why the runtime cannot load
//       (offline, blocked URL, no WebAssembly, not enough memory); `runtime.state.failure` too.
//   runtime.run(code, {timeoutMs, channel = "default", scope = null, packages = [], onOutput = null})
//       -> Promise<{stdout, stderr, error, display, stopped, superseded, loaded, ms}>
//       error:   null or {type, message, traceback}; the traceback keeps only the reader's own
//                frames (file "<cell>"). type "RuntimeUnavailable" if Python could not load.
//       display: null, {kind: "grid", json} (Grid.to_json text: a datacf Grid, or anything with a
//                2-D `.values` of 2**n rows) or {kind: "text", text} (the repr of the last
//                expression). Render both as text / with the grid widget, never as HTML.
//       stopped: null, "budget" (ran past timeoutMs, default the site's time_budget_ms) or
//                "user" (stop() was called). The worker was terminated and is restarting; the
//                next run works. stdout/stderr hold what was printed before it stopped.
//       superseded: true when a newer run on the same `channel` was requested before this one
//                produced its result (latest request wins): the result, if any, is stale and
//                should not be shown. A superseded run that never started has stdout "" etc.
//       scope:   null runs in a fresh namespace; a string keeps one namespace across runs.
//       packages: lock-file packages to load first (e.g. ["scikit-learn"]); packages the code
//                imports (sklearn, scipy) are found and loaded automatically.
//       loaded:  packages this run loaded. ms: wall time of the run in the worker's reply.
//       onOutput: called as (name, text), name "stdout" or "stderr", while the run prints (at
//                most every 100 ms), so a long run shows its output as it goes; never for a
//                run that a newer one on its channel has superseded.
//   runtime.stop() -> boolean
//       Terminates a running run (it resolves with stopped: "user"), drops queued runs (same),
//       and restarts the worker. false if nothing was running or queued.
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
//       name ("scikit-learn"), "ready", "run", "stopped", "restarting" or "failed" (detail = why).
//
// Worker protocol (py-worker.js has the details): {id, type, payload} -> {id, ok, result} or
// {id, ok: false, error}; plus unasked {type: "status", stage, detail, bytes},
// {type: "progress", bytes} and {type: "stream", id, name, text}.

import { onEachPage } from "./each-page.js";

const WORKER_URL = new URL("./py-worker.js", import.meta.url);
const SITE_ROOT = new URL("../", import.meta.url);
// Auto-start waits for an idle moment (at most 2 s) so the page and its search index load first.
const whenIdle = (callback) => (typeof requestIdleCallback === "function"
  ? requestIdleCallback(callback, { timeout: 2000 })
  : setTimeout(callback, 200));
const CORE_FILES = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];

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
  if (/memory|allocate|RangeError/i.test(message) || error?.type === "RangeError") {
    return "There is not enough memory for the Python runtime. Close other tabs, then retry.";
  }
  if (/integrity/i.test(message)) return "A Python runtime file did not match its pinned hash, so it was not run.";
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
  #ready = null;          // {promise, resolve, reject} of the current worker's init
  #nextId = 0;
  #pending = new Map();   // id -> {resolve, reject} of requests sent to the worker
  #queue = [];            // runs waiting for the worker
  #current = null;        // the run in flight: {id, channel, resolve, timer, timeoutMs, stdout, stderr}
  #latest = new Map();    // channel -> id of its newest run
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
    this.#worker?.terminate();
    this.#worker = null;
    this.#status("failed", reason);
    const error = new Error(reason);
    this.#ready?.reject(error);
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    const unavailable = { type: "RuntimeUnavailable", message: reason, traceback: "" };
    for (const run of this.#queue.splice(0)) run.resolve(this.#result(run, { error: unavailable }));
  }

  #result(run, fields) {
    return { stdout: run.stdout ?? "", stderr: run.stderr ?? "", error: null, display: null, stopped: null,
      superseded: false, loaded: [], ms: null, ...fields };
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
    this.#worker = worker;
    worker.addEventListener("message", (event) => this.#onMessage(worker, event.data));
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      if (worker === this.#worker) this.#fail(explain({ message: `load: ${event.message ?? "worker script failed"}` }, this.#config));
    });
    const { indexURL, integrity, sizes, depends, imports, wheelURL, wheelBytes } = this.#config;
    this.#armWatchdog(worker);
    this.#request("init", { indexURL, integrity, sizes, depends, imports, wheelURL, wheelBytes }).then(
      (versions) => {
        clearTimeout(this.#watchdog);
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
    if (worker !== this.#worker || !message) return;   // a terminated worker's last words
    if (!this.state.ready) this.#armWatchdog(worker);   // any message while loading is progress
    if (message.type === "progress") return;
    if (message.type === "status") {
      if (message.stage === "run") this.#startBudget(message.id);
      if (message.stage === "ready") return;   // said below, once the versions are known
      return this.#status(message.stage, message.detail, message.bytes);
    }
    if (message.type === "stream") {
      const run = this.#current;
      if (run?.id !== message.id) return;
      run[message.name] += message.text;
      if (this.#latest.get(run.channel) === run.id) {
        try {
          run.onOutput?.(message.name, message.text);
        } catch (problem) {
          console.warn("datacf runtime: an onOutput callback failed", problem);
        }
      }
      return;
    }
    const run = this.#current?.id === message.id ? this.#current : null;
    if (run) return this.#finish(run, message);
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(message.error);
  }

  #startBudget(id) {
    const run = this.#current;
    if (!run || run.id !== id) return;
    clearTimeout(run.timer);
    run.started = performance.now();
    run.timer = setTimeout(() => this.#stopCurrent("budget"), run.timeoutMs);
  }

  #finish(run, message) {
    clearTimeout(run.timer);
    this.#current = null;
    const superseded = this.#latest.get(run.channel) !== run.id;
    const ms = run.started ? performance.now() - run.started : null;
    if (message.ok) {
      run.resolve(this.#result(run, { ...message.result, superseded, ms }));
    } else {
      const { type, message: text } = message.error;
      run.resolve(this.#result(run, { error: { type, message: text, traceback: "" }, superseded, ms }));
    }
    this.#pump();
  }

  #pump() {
    if (this.#current || !this.state.ready || !this.#worker) return;
    while (this.#queue.length) {
      const run = this.#queue.shift();
      if (this.#latest.get(run.channel) !== run.id) {
        run.resolve(this.#result(run, { superseded: true }));
        continue;
      }
      this.#current = run;
      run.timer = setTimeout(() => this.#stopCurrent("budget"), run.timeoutMs + 120_000);  // package loads
      this.#worker.postMessage({ id: run.id, type: "run", payload: run.payload });
      return;
    }
  }

  #stopCurrent(reason) {
    const run = this.#current;
    if (!run) return false;
    clearTimeout(run.timer);
    this.#current = null;
    run.resolve(this.#result(run, { stopped: reason, superseded: this.#latest.get(run.channel) !== run.id }));
    this.#status("stopped", reason === "budget" ? `Stopped after ${run.timeoutMs / 1000} s (the time budget)` : "Stopped");
    this.#restart();
    return true;
  }

  #restart() {
    this.#worker?.terminate();
    this.#worker = null;
    for (const { reject } of this.#pending.values()) reject({ type: "Stopped", message: "the worker was restarted" });
    this.#pending.clear();
    this.#ready = null;
    this.state.ready = false;
    this.#status("restarting", "Restarting Python");
    this.start().then(() => this.#pump(), () => {});
  }

  ready() {
    return this.start();
  }

  run(code, { timeoutMs = this.timeBudgetMs, channel = "default", scope = null, packages = [], onOutput = null } = {}) {
    const id = ++this.#nextId;
    this.#latest.set(channel, id);
    return new Promise((resolve) => {
      const run = { id, channel, resolve, timeoutMs, onOutput, payload: { code: String(code), scope, packages }, stdout: "", stderr: "" };
      if (this.state.failure && this.#ready) {
        resolve(this.#result(run, { error: { type: "RuntimeUnavailable", message: this.state.failure, traceback: "" } }));
        return;
      }
      this.#queue.push(run);
      this.start().then(() => this.#pump(), () => {});
    });
  }

  stop() {
    const queued = this.#queue.splice(0);
    for (const run of queued) run.resolve(this.#result(run, { stopped: "user" }));
    return this.#stopCurrent("user") || queued.length > 0;
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
onEachPage((doc) => runtime.observe(doc));
