// docs/js/py-worker.js: the page's one Python, in a classic Web Worker (started by runtime.js).
//
// Messages are plain JSON. The page sends {id, type, payload}; the worker answers each with
// {id, ok: true, result} or {id, ok: false, error: {type, message, stage}}, and sends, unasked:
//   {type: "status", stage, detail, bytes}  loading progress: stage is "runtime", "numpy",
//                                           "datacf", a package name ("scikit-learn"), "ready",
//                                           or "run" (a run's code starts now: its budget starts)
//   {type: "stream", id, name, text}        stdout/stderr of run `id` so far (at most every 100 ms)
//   {type: "progress", bytes}               the wasm download is still moving (every 512 kB)
// Requests:
//   init {indexURL, integrity, sizes, depends, imports, wheelURL, wheelBytes}
//        -> {versions}: loads Pyodide (each core file checked against its SRI hash), numpy,
//           then unpacks the datacf wheel; Python, numpy and datacf are importable after it.
//   run  {code, scope, packages} -> {display, error, stdout, stderr, loaded}: loads the lock-file
//           packages the code imports (or `packages` names), then datacf._browser.run_cell.
//   load {packages} -> {loaded}: load lock-file packages by name (e.g. ["scikit-learn"]).
// Only packages in `depends` (the lock-file closure the site allows) are ever loaded, and only
// by name from the pinned lock file; nothing comes from PyPI. Request fields never become
// globals: the session lives in this closure.
"use strict";

(() => {
  const STREAM_EVERY_MS = 100;
  const PROGRESS_EVERY_BYTES = 512 * 1024;   // tells the page a slow download is still alive
  const CORE = ["pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
  let session = null;        // {pyodide, config, loaded: Set, runCell, findImports}
  let sink = null;           // the current run's output: {id, stdout, stderr, pending, last}
  let chain = Promise.resolve();
  // Pyodide swallows a failed wasm load (it logs and waits forever): fail the init ourselves.
  let wasmFailed;
  const wasmFailure = new Promise((_, reject) => { wasmFailed = reject; });
  wasmFailure.catch(() => {});

  const status = (stage, detail, bytes = null) => self.postMessage({ type: "status", stage, detail, bytes });

  class LoadError extends Error {
    constructor(stage, cause) {
      super(cause?.message ?? String(cause));
      this.name = cause?.name ?? "Error";
      this.stage = stage;
    }
  }

  async function fetchChecked(url, integrity) {
    const response = await fetch(url, { integrity, credentials: "omit" });
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
    return response;
  }

  // importScripts cannot check integrity: fetch with SRI, then run the verified bytes.
  function runScript(blob) {
    const blobURL = URL.createObjectURL(new Blob([blob], { type: "text/javascript" }));
    try {
      importScripts(blobURL);
    } finally {
      URL.revokeObjectURL(blobURL);
    }
  }

  const toBase64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));

  // The wasm is checked as it streams, so the browser still compiles it while it downloads (a
  // fetch with `integrity` would hold every byte back until the end): the stream errors, and
  // compilation fails, unless the bytes' SHA-384 is the pinned one.
  function verifiedWhileStreaming(response, integrity, url) {
    const chunks = [];
    let received = 0;
    let reported = 0;
    const check = new TransformStream({
      transform(chunk, controller) {
        chunks.push(chunk);
        received += chunk.byteLength;
        if (received - reported >= PROGRESS_EVERY_BYTES) {
          reported = received;
          self.postMessage({ type: "progress", bytes: received });
        }
        controller.enqueue(chunk);
      },
      async flush(controller) {
        const digest = await crypto.subtle.digest("SHA-384", await new Blob(chunks).arrayBuffer());
        chunks.length = 0;
        if (`sha384-${toBase64(digest)}` !== integrity) {
          const error = new Error(`${url} does not match its pinned integrity hash; it was not run`);
          wasmFailed(error);
          controller.error(error);
        }
      },
    });
    return new Response(response.body.pipeThrough(check), { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  // Pyodide fetches the wasm, the standard library and the lock file itself: pin their hashes.
  function pinCoreFetches(indexURL, integrity) {
    const pinned = new Map(CORE.map((name) => [new URL(name, indexURL).href, integrity[name]]));
    const wasmURL = new URL("pyodide.asm.wasm", indexURL).href;
    const nativeFetch = self.fetch.bind(self);
    self.fetch = async (input, init) => {
      const url = typeof input === "string" || input instanceof URL ? new URL(input, self.location).href : input.url;
      const hash = pinned.get(url);
      if (!hash) return nativeFetch(input, init);
      if (url !== wasmURL) return nativeFetch(input, { ...init, integrity: hash });
      try {
        const response = await nativeFetch(input, init);
        if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
        return verifiedWhileStreaming(response, hash, url);
      } catch (error) {
        wasmFailed(new Error(`fetch failed for ${url}: ${error.message}`));
        throw error;
      }
    };
  }

  function closure(config, names) {
    const seen = new Set();
    const todo = [...names];
    while (todo.length) {
      const name = todo.pop();
      if (seen.has(name)) continue;
      if (!(name in config.depends)) throw new Error(`${name} is not a package this site loads (allowed: ${Object.keys(config.depends).join(", ")})`);
      seen.add(name);
      todo.push(...config.depends[name]);
    }
    return [...seen];
  }

  async function loadPackages(names) {
    const { pyodide, config, loaded } = session;
    const wanted = closure(config, names).filter((name) => !loaded.has(name));
    if (!wanted.length) return [];
    const bytes = wanted.reduce((sum, name) => sum + (config.sizes[name] ?? 0), 0);
    const label = names.filter((name) => !loaded.has(name)).join(", ") || wanted.join(", ");
    status(label, `Loading ${label}`, bytes);
    const failures = [];
    await pyodide.loadPackage(wanted, { messageCallback: () => {}, errorCallback: (text) => failures.push(text) });
    if (failures.length) throw new LoadError(label, new Error(failures.join("; ")));
    for (const name of wanted) loaded.add(name);
    return wanted;
  }

  function write(name) {
    const decoder = new TextDecoder();
    return (buffer) => {
      const text = decoder.decode(buffer, { stream: true });
      if (sink) {
        sink[name] += text;
        sink.pending[name] += text;
        const now = performance.now();
        if (now - sink.last >= STREAM_EVERY_MS) flush(now);
      }
      return buffer.length;
    };
  }

  function flush(now = performance.now()) {
    for (const name of ["stdout", "stderr"]) {
      if (sink.pending[name]) self.postMessage({ type: "stream", id: sink.id, name, text: sink.pending[name] });
      sink.pending[name] = "";
    }
    sink.last = now;
  }

  async function init(config) {
    if (session) return versions();
    const { indexURL, integrity } = config;
    status("runtime", "Loading the Python runtime",
      ["pyodide.js", ...CORE].reduce((sum, name) => sum + (config.sizes[name] ?? 0), 0));
    let pyodide;
    // Fetch the wheel and both scripts at once, while nothing else is downloading.
    const wheel = fetchChecked(config.wheelURL).then((response) => response.arrayBuffer());
    wheel.catch(() => {});       // reported at the datacf stage, if it comes to that
    try {
      pinCoreFetches(indexURL, integrity);
      const scripts = await Promise.all(["pyodide.js", "pyodide.asm.js"].map(
        (name) => fetchChecked(new URL(name, indexURL).href, integrity[name]).then((response) => response.blob())));
      for (const script of scripts) runScript(script);
      pyodide = await Promise.race([self.loadPyodide({ indexURL, fullStdLib: false }), wasmFailure]);
    } catch (error) {
      throw new LoadError("runtime", error);
    }
    pyodide.setStdout({ write: write("stdout"), isatty: false });
    pyodide.setStderr({ write: write("stderr"), isatty: false });
    session = { pyodide, config, loaded: new Set() };
    try {
      await loadPackages(["numpy"]);
    } catch (error) {
      session = null;
      throw error instanceof LoadError ? error : new LoadError("numpy", error);
    }
    try {
      status("datacf", "Installing datacf", config.wheelBytes);
      pyodide.unpackArchive(new Uint8Array(await wheel), "wheel");
      const browser = pyodide.pyimport("datacf._browser");
      session.runCell = browser.run_cell;
      session.findImports = browser.find_imports;
    } catch (error) {
      session = null;
      throw new LoadError("datacf", error);
    }
    const result = versions();
    status("ready", "Python is ready");
    return result;
  }

  function versions() {
    return JSON.parse(session.pyodide.runPython(
      "import json, sys, numpy, datacf\n" +
      "json.dumps({'python': sys.version.split()[0], 'numpy': numpy.__version__, 'datacf': datacf.__version__})"));
  }

  // Lock-file packages a cell needs, from its imports; unknown imports are left to Python to report.
  function packagesFor(code, extra) {
    const { config } = session;
    const proxy = session.findImports(code);
    const names = proxy.toJs();
    proxy.destroy();
    return [...new Set([...names.map((name) => config.imports[name]).filter(Boolean), ...extra])];
  }

  async function run({ code, scope = null, packages = [] }, id) {
    if (!session) throw new LoadError("runtime", new Error("the runtime is not loaded; send init first"));
    if (typeof code !== "string") throw new TypeError(`run needs payload.code as a string, got ${typeof code}`);
    const loaded = await loadPackages(packagesFor(code, packages));
    let reply;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // last = -Infinity: a run's first output goes out at once. Later output waits for a write
      // 100 ms on (no timer can fire while Python holds this thread); the reply has it all.
      sink = { id, stdout: "", stderr: "", pending: { stdout: "", stderr: "" }, last: -Infinity };
      self.postMessage({ type: "status", stage: "run", id, detail: "Running", bytes: null });
      try {
        reply = JSON.parse(session.runCell(code, scope ?? undefined));   // undefined is None
        session.pyodide.runPython("import sys\nsys.stdout.flush()\nsys.stderr.flush()");
      } finally {
        flush();
      }
      // A module imported indirectly (e.g. scikit-learn inside recompute_grid): load it, run again.
      const missing = reply.error?.module?.split(".")[0];
      const name = missing && session.config.imports[missing];
      if (!name || session.loaded.has(name) || attempt) break;
      loaded.push(...(await loadPackages([name])));
    }
    const { stdout, stderr } = sink;
    sink = null;
    if (reply.error) delete reply.error.module;
    return { display: reply.display, error: reply.error, stdout, stderr, loaded };
  }

  const HANDLERS = {
    init: (payload) => init(payload),
    run: (payload, id) => run(payload, id),
    load: async ({ packages }) => ({ loaded: await loadPackages(packages) }),
  };

  self.addEventListener("message", (event) => {
    const { id, type, payload } = event.data ?? {};
    const handler = Object.hasOwn(HANDLERS, type) ? HANDLERS[type] : null;
    // One request at a time, in order: Python itself is single-threaded.
    chain = chain.then(async () => {
      try {
        if (!handler) throw new TypeError(`unknown request type ${JSON.stringify(type)}; known: ${Object.keys(HANDLERS).join(", ")}`);
        self.postMessage({ id, ok: true, result: await handler(payload ?? {}, id) });
      } catch (error) {
        self.postMessage({ id, ok: false, error: { type: error?.name ?? "Error", message: String(error?.message ?? error), stage: error?.stage ?? null } });
      }
    });
  });
})();
