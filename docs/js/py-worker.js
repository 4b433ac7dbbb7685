// docs/js/py-worker.js: the page's one Python, in a classic Web Worker (started by runtime.js).
//
// Messages are plain JSON. The page sends {id, type, payload}; the worker answers each with
// {id, ok: true, result} or {id, ok: false, error: {type, message, stage, file}}, and sends, unasked:
//   {type: "status", stage, detail, bytes}  loading progress: stage is "runtime", "numpy",
//                                           "datacf", a package name ("scikit-learn"), "ready",
//                                           or "run" (a run's code starts now: its budget starts)
//   {type: "stream", id, name, text, dropped} stdout/stderr of run `id` so far (at most every
//                                           100 ms); `dropped` counts the characters past the cap
//   {type: "progress", bytes}               the wasm download is still moving (every 512 kB)
// Every message the worker sends carries `key`, the secret the page sent with init. Reader code
// runs in this worker and can call postMessage itself (`import js; js.postMessage(...)`), but it
// cannot read the key (it lives only in this closure, never on a global), so the page drops its
// messages: only the runtime can report status or answer a request.
// Requests (one at a time, in order: Python is single-threaded):
//   init {key, indexURL, integrity, sizes, depends, imports, wheelURL, wheelBytes}
//        -> {versions}: loads Pyodide (each core file checked against its pinned hash), numpy,
//           then unpacks the datacf wheel; Python, numpy and datacf are importable after it.
//   run  {code, scope, packages} -> {display, error, stdout, stderr, dropped, loaded, exited}:
//           loads the lock-file packages the code imports (or `packages` names), then
//           datacf._browser.run_cell. Each stream keeps its first OUTPUT_LIMIT characters; the
//           program keeps running, and `dropped` = {stdout, stderr} counts what was cut. If
//           Python itself died (os._exit, abort, a fatal error), `exited` says how; this worker
//           is then useless and the page replaces it.
//   load {packages} -> {loaded}: load lock-file packages by name (e.g. ["scikit-learn"]).
// Only packages in `depends` (the lock-file closure the site allows) are ever loaded, and only
// by name from the pinned lock file; nothing comes from PyPI. Every file fetched with a pinned
// hash (core files, package wheels) is hashed here before use, so a mismatch is reported as
// such, naming the file (a fetch with `integrity` fails exactly like a network error).
// Request fields never become globals: the session lives in this closure.
"use strict";

(() => {
  const STREAM_EVERY_MS = 100;
  const PROGRESS_EVERY_BYTES = 512 * 1024;   // tells the page a slow download is still alive
  const OUTPUT_LIMIT = 100_000;              // characters of each stream a run keeps
  const CORE = ["pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
  const DIGESTS = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
  // Captured before any reader code runs; reader code reaches only the global, which the page
  // ignores without the key.
  const post = self.postMessage.bind(self);
  const nativeFetch = self.fetch.bind(self);
  let key = null;            // the page's secret for this worker, from init
  let session = null;        // {pyodide, config, loaded: Set, runCell, findImports}
  let sink = null;           // the current run's output: {id, stdout, stderr, dropped, pending, last}
  let integrityFailure = null;   // the first file that did not match its pinned hash
  let chain = Promise.resolve();
  // Pyodide swallows a failed wasm load (it logs and waits forever): fail the init ourselves.
  let wasmFailed;
  const wasmFailure = new Promise((_, reject) => { wasmFailed = reject; });
  wasmFailure.catch(() => {});
  // Pyodide fetches some files in promises it stops awaiting once loading has failed; a hash
  // mismatch among them is already init's reported reason, so it is not reported twice.
  self.addEventListener("unhandledrejection", (event) => {
    if (integrityFailure && event.reason?.name === "IntegrityError") event.preventDefault();
  });
  // A Content-Security-Policy that forbids WebAssembly or the runtime's origin makes Pyodide hang
  // like a dead network; the violation event says what was blocked, so fail the init with it.
  self.addEventListener("securitypolicyviolation", (event) => {
    const error = new Error(`the site's Content-Security-Policy blocked ${event.blockedURI || "a resource"} `
      + `(directive ${event.effectiveDirective})`);
    error.name = "PolicyError";
    wasmFailed(error);
  });

  const send = (message) => post({ ...message, key });
  const status = (stage, detail, bytes = null) => send({ type: "status", stage, detail, bytes });

  class LoadError extends Error {
    constructor(stage, cause) {
      super(cause?.message ?? String(cause));
      this.name = cause?.name ?? "Error";
      this.stage = stage;
      this.file = cause?.file ?? null;
    }
  }

  /** A file whose bytes differ from its pinned hash: never run, never installed. */
  class IntegrityError extends Error {
    constructor(url) {
      const file = decodeURIComponent(new URL(url).pathname.split("/").pop());
      super(`${file} did not match its pinned hash`);
      this.name = "IntegrityError";
      this.file = file;
      integrityFailure ??= this;
    }
  }

  const toBase64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));

  /** Whether `bytes` match an SRI string ("sha384-..."; any of several listed). */
  async function matches(bytes, integrity) {
    for (const token of integrity.trim().split(/\s+/)) {
      const [name, expected] = [token.slice(0, token.indexOf("-")), token.slice(token.indexOf("-") + 1)];
      if (!DIGESTS[name]) continue;
      if (toBase64(await crypto.subtle.digest(DIGESTS[name], bytes)) === expected) return true;
    }
    return false;
  }

  /** Fetch a pinned file and hash it here: a mismatch throws IntegrityError, naming the file. */
  async function fetchVerified(fetcher, input, init, integrity, url) {
    const { integrity: _ignored, ...rest } = init ?? {};
    const response = await fetcher(input, { credentials: "omit", ...rest });
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
    const bytes = await response.arrayBuffer();
    if (!(await matches(bytes, integrity))) throw new IntegrityError(url);
    return new Response(bytes, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  const fetchChecked = (url, integrity) => fetchVerified(nativeFetch, url, {}, integrity, url);

  // importScripts cannot check integrity: fetch and hash the script, then run the checked bytes.
  function runScript(blob) {
    const blobURL = URL.createObjectURL(new Blob([blob], { type: "text/javascript" }));
    try {
      importScripts(blobURL);
    } finally {
      URL.revokeObjectURL(blobURL);
    }
  }

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
          send({ type: "progress", bytes: received });
        }
        controller.enqueue(chunk);
      },
      async flush(controller) {
        const digest = await crypto.subtle.digest("SHA-384", await new Blob(chunks).arrayBuffer());
        chunks.length = 0;
        if (`sha384-${toBase64(digest)}` !== integrity) {
          const error = new IntegrityError(url);
          wasmFailed(error);
          controller.error(error);
        }
      },
    });
    return new Response(response.body.pipeThrough(check), { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  // Pyodide fetches the wasm, the standard library, the lock file and the package wheels itself:
  // pin the core files' hashes, and check every fetch that names one (Pyodide passes each
  // wheel's lock-file sha256 as `integrity`) here, so that a mismatch says so.
  function pinFetches(indexURL, integrity) {
    const pinned = new Map(CORE.map((name) => [new URL(name, indexURL).href, integrity[name]]));
    const wasmURL = new URL("pyodide.asm.wasm", indexURL).href;
    self.fetch = async (input, init) => {
      const url = typeof input === "string" || input instanceof URL ? new URL(input, self.location).href : input.url;
      const hash = pinned.get(url) ?? init?.integrity;
      if (!hash) return nativeFetch(input, init);
      if (url !== wasmURL) return fetchVerified(nativeFetch, input, init, hash, url);
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
    if (failures.length) throw new LoadError(label, integrityFailure ?? new Error(failures.join("; ")));
    for (const name of wanted) loaded.add(name);
    return wanted;
  }

  /** Characters in UTF-8 bytes (the bytes that do not continue a character), without decoding. */
  function charsIn(bytes) {
    let count = 0;
    for (let i = 0; i < bytes.length; i += 1) count += (bytes[i] & 0xc0) !== 0x80;
    return count;
  }

  // Output past OUTPUT_LIMIT is counted, not kept: a print loop must not grow the tab without
  // bound. The program keeps running (the reader or the time budget stops it).
  function write(name) {
    const decoder = new TextDecoder();
    return (buffer) => {
      if (!sink) return buffer.length;
      const room = OUTPUT_LIMIT - sink[name].length;
      if (room <= 0) {
        sink.dropped[name] += charsIn(buffer);
      } else {
        let text = decoder.decode(buffer, { stream: true });
        if (text.length > room) {
          sink.dropped[name] += text.length - room;
          text = text.slice(0, room);
        }
        sink[name] += text;
        sink.pending[name] += text;
      }
      const now = performance.now();
      if (now - sink.last >= STREAM_EVERY_MS) flush(now);
      return buffer.length;
    };
  }

  function flush(now = performance.now()) {
    for (const name of ["stdout", "stderr"]) {
      const dropped = sink.dropped[name];
      if (sink.pending[name] || dropped !== sink.sent[name]) {
        send({ type: "stream", id: sink.id, name, text: sink.pending[name], dropped });
      }
      sink.pending[name] = "";
      sink.sent[name] = dropped;
    }
    sink.last = now;
  }

  /** Whether Python still answers: after os._exit, abort or a fatal error it never will. */
  function alive() {
    try {
      session.pyodide.runPython("None");
      return true;
    } catch {
      return false;
    }
  }

  function howItDied(error) {
    const text = String(error?.message ?? error).replace(/\s*Build with -s\w+.*$/s, "").trim().replace(/\.$/, "");
    if (error?.name === "Exit" || /exit\(/.test(text)) return `Python exited (${text}).`;
    return `Python stopped with a fatal error (${error?.name ?? "Error"}: ${text}).`;
  }

  async function init(config) {
    if (session) return versions();
    const { indexURL, integrity } = config;
    status("runtime", "Loading the Python runtime",
      ["pyodide.js", ...CORE].reduce((sum, name) => sum + (config.sizes[name] ?? 0), 0));
    let pyodide;
    // Fetch the wheel and both scripts at once, while nothing else is downloading.
    const wheel = nativeFetch(config.wheelURL, { credentials: "omit" }).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${config.wheelURL}`);
      return response.arrayBuffer();
    });
    wheel.catch(() => {});       // reported at the datacf stage, if it comes to that
    try {
      pinFetches(indexURL, integrity);
      const scripts = await Promise.all(["pyodide.js", "pyodide.asm.js"].map(
        (name) => fetchChecked(new URL(name, indexURL).href, integrity[name]).then((response) => response.blob())));
      for (const script of scripts) runScript(script);
      pyodide = await Promise.race([self.loadPyodide({ indexURL, fullStdLib: false }), wasmFailure]);
    } catch (error) {
      throw new LoadError("runtime", integrityFailure ?? error);
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
    let exited = null;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // last = -Infinity: a run's first output goes out at once. Later output waits for a write
      // 100 ms on (no timer can fire while Python holds this thread); the reply has it all.
      sink = { id, stdout: "", stderr: "", dropped: { stdout: 0, stderr: 0 }, sent: { stdout: 0, stderr: 0 },
        pending: { stdout: "", stderr: "" }, last: -Infinity };
      send({ type: "status", stage: "run", id, detail: "Running", bytes: null });
      try {
        reply = JSON.parse(session.runCell(code, scope ?? undefined));   // undefined is None
        session.pyodide.runPython("import sys\nsys.stdout.flush()\nsys.stderr.flush()");
      } catch (error) {
        // run_cell reports every Python exception itself: a throw means Python may be gone.
        if (alive()) throw error;
        exited = howItDied(error);
        session = null;
        reply = { display: null, error: null };
      } finally {
        flush();
      }
      // A module imported indirectly (e.g. scikit-learn inside recompute_grid): load it, run again.
      const missing = reply.error?.module?.split(".")[0];
      const name = missing && session?.config.imports[missing];
      if (!name || session.loaded.has(name) || attempt) break;
      loaded.push(...(await loadPackages([name])));
    }
    const { stdout, stderr, dropped } = sink;
    sink = null;
    if (reply.error) delete reply.error.module;
    return { display: reply.display, error: reply.error, stdout, stderr, dropped, loaded, exited };
  }

  const HANDLERS = {
    init: (payload) => init(payload),
    run: (payload, id) => run(payload, id),
    load: async ({ packages }) => ({ loaded: await loadPackages(packages) }),
  };

  self.addEventListener("message", (event) => {
    const { id, type, payload } = event.data ?? {};
    // The first request is init, sent before any reader code can run: its key is the secret.
    if (type === "init" && key === null && typeof payload?.key === "string") key = payload.key;
    const handler = Object.hasOwn(HANDLERS, type) ? HANDLERS[type] : null;
    // One request at a time, in order: Python itself is single-threaded.
    chain = chain.then(async () => {
      try {
        if (!handler) throw new TypeError(`unknown request type ${JSON.stringify(type)}; known: ${Object.keys(HANDLERS).join(", ")}`);
        send({ id, ok: true, result: await handler(payload ?? {}, id) });
      } catch (error) {
        send({ id, ok: false, error: { type: error?.name ?? "Error", message: String(error?.message ?? error),
          stage: error?.stage ?? null, file: error?.file ?? null } });
      }
    });
  });
})();
