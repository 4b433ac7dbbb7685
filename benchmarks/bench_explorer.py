"""The Grid Explorer in Chromium: edit to repaint, long tasks while dragging, first paint (issue 8).

Run from the repository root (a few minutes; it builds the site and serves it and the official
Pyodide 0.27.7 files from two 127.0.0.1 origins, as ``bench_runtime.py`` does):

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_explorer.py

(``python -m benchmarks.bench_explorer`` works too; ``--rounds`` and ``--edits`` change how much
is measured, ``--cases`` picks cases such as ``logistic-8,knn-10``.)

1. **Edit to repaint.** For logistic regression (C = 1) and KNN (k = 3) at n = 6, 8 and 10, in
   the explorer page with a warm worker: ``--edits`` edits (default 50) alternate between a mouse
   drag of a training point and an arrow-key move of one. Each is timed in the page, from the
   input event that ends it (``pointerup``, ``keydown``: its ``event.timeStamp``) to the first
   frame after the explorer says "Up to date" (a MutationObserver on its status, then
   ``requestAnimationFrame`` and a message, which runs once that frame is painted). The same
   instrumentation (an init script and a wrapper around ``runtime.run``, both added by this
   script, nothing in the site) splits the time into parts: *input* (event time stamp to its
   first handler), *wait* (handlers, debounce, and any run still in flight, to ``runtime.run``),
   *python* (``explore_page`` itself, timed inside the worker), *worker* (the rest of the
   ``run()`` round trip: the grid's display JSON, messages, parsing in the worker), *dom*
   (parsing the reply and redrawing, on the main thread), *frame* (waiting for the next frame)
   and *paint* (that frame's style, layout and paint). Each round reports p50 and p95 over its
   edits; the table shows the median over rounds, then what the slowest 5% of edits spent.
2. **Main thread while dragging.** At n = 8 (logistic), a 2-second drag (pointer moves as fast
   as Playwright sends them: each waits for the page to take the previous one), then the
   recompute after it: every long task (``PerformanceObserver``,
   ``longtask``), against no task over 50 ms.
3. **First paint.** A fresh context (empty cache) opens the explorer: the first contentful
   paint and the moment the live grid table has its cells, against the first request to the
   runtime's origin and the first byte it sends back (Playwright's request timing).
"""
import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.site_harness import DESKTOP, build_and_serve, launch_chromium, open_page  # noqa: E402

EXPLORER = "explorer/"
TARGETS = {("LogisticRegression", 8): 100, ("KNN", 8): 100, ("LogisticRegression", 10): 250}
MODELS = {"logistic": ("LogisticRegression", {"C": 1.0}), "knn": ("KNN", {"k": 3})}
SIZES = (6, 8, 10)
WAIT_MS = 60_000

# Installed before any page script runs: input timestamps, status changes, long tasks, paints.
INSTRUMENT_JS = """(() => {
  const bench = window.__bench = { edits: [], runs: [], longtasks: [], moves: 0, firstGrid: null, t0: null, kind: null };
  const start = (kind) => (event) => {
    const busy = bench.runs.some((r) => r.resolved === undefined);   // a run of a drag's rest is in the worker
    Object.assign(bench, { t0: event.timeStamp, handled: performance.now(), kind, open: true, busy });
  };
  addEventListener("pointerup", start("drag"), true);
  addEventListener("keydown", (event) => { if (event.key.startsWith("Arrow")) start("key")(event); }, true);
  addEventListener("pointermove", () => { bench.moves += 1; }, true);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longtasks.push({ start: entry.startTime, ms: entry.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch (error) { bench.longtaskError = String(error); }
  const afterPaint = (record) => requestAnimationFrame(() => {
    record.frame = performance.now();
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { record.painted = performance.now(); };
    channel.port2.postMessage(null);
  });
  const watch = () => {
    const root = document.querySelector(".dcf-explorer");
    if (!root) return false;
    const drawn = new MutationObserver(() => {
      if (!root.querySelector(".dcf-ex-grid td")) return;
      bench.firstGrid = performance.now();
      drawn.disconnect();
    });
    drawn.observe(root, { childList: true, subtree: true });
    new MutationObserver(() => {
      if (root.dataset.status !== "live" || !bench.open) return;
      bench.open = false;
      const run = bench.runs.filter((r) => r.call >= bench.t0).at(-1) ?? null;
      const record = { kind: bench.kind, t0: bench.t0, handled: bench.handled, busy: bench.busy, live: performance.now(), run };
      bench.edits.push(record);
      afterPaint(record);
    }).observe(root, { attributes: true, attributeFilter: ["data-status"] });
    return true;
  };
  if (!watch()) new MutationObserver((_, observer) => { if (watch()) observer.disconnect(); })
    .observe(document, { childList: true, subtree: true });
})();"""

# Wrap runtime.run: time explore_page inside Python (on stderr: the page reads stdout) and the reply.
WRAP_RUN_JS = """() => {
  const bench = window.__bench;
  const runtime = window.datacf.runtime;
  if (runtime.__benchWrapped) return;
  const run = runtime.run.bind(runtime);
  runtime.run = (code, options) => {
    const record = { call: performance.now() };
    bench.runs.push(record);
    let timed = code;
    if (code.includes("explore_page")) {
      const lines = code.trimEnd().split("\\n");
      const last = lines.pop();
      timed = "import time as _bench_time, sys as _bench_sys\\n_bench_t0 = _bench_time.perf_counter()\\n"
        + lines.join("\\n") + `\\n_bench_out = ${last}\\n`
        + "print('BENCH_PY_MS', (_bench_time.perf_counter() - _bench_t0) * 1000, file=_bench_sys.stderr)\\n_bench_out\\n";
    }
    return run(timed, options).then((reply) => {
      record.resolved = performance.now();
      record.superseded = Boolean(reply.superseded);
      record.stopped = reply.stopped ?? null;
      const match = /BENCH_PY_MS (\\S+)/.exec(reply.stderr ?? "");
      record.python = match ? Number(match[1]) : null;
      record.chars = (reply.stdout?.length ?? 0) + (reply.display?.json?.length ?? 0);
      return reply;
    });
  };
  runtime.__benchWrapped = true;
}"""
LIVE_JS = "() => document.querySelector('.dcf-explorer')?.dataset.status === 'live'"


def case_state(model, n):
    """n points of two classes on two rings, deterministic, rounded to 2 decimals as a drag rounds them."""
    name, params = MODELS[model]
    points = []
    for i in range(n):
        angle = 2 * math.pi * i / n + 0.3
        label = i % 2
        r = 1.2 + 0.5 * label + 0.15 * (i % 3)
        points.append([round(r * math.cos(angle) + 0.4 * label, 2), round(r * math.sin(angle) - 0.3 * label, 2)])
    return {"train": {"X": points, "y": [i % 2 for i in range(n)]}, "eval": None, "model": name, "params": params}


def percentile(values, q):
    """The q-th percentile by linear interpolation (numpy's default), for the small samples here."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def point_centre(page, i):
    point = page.locator(f'.dcf-ex-point[data-set="train"][data-index="{i}"]')
    point.scroll_into_view_if_needed()
    box = point.locator("circle").first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def one_edit(page, k, n):
    """Edit k: drag (even k) or arrow key (odd k) a training point; back and forth so nothing drifts."""
    before = page.evaluate("() => window.__bench.edits.length")
    i = (k // 2) % n
    sign = 1 if (k // 2 // n) % 2 == 0 else -1
    if k % 2 == 0:
        x, y = point_centre(page, i)
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(x + sign * 3 * step, y - sign * 2 * step)
        page.mouse.up()
    else:
        page.locator(f'.dcf-ex-point[data-set="train"][data-index="{i}"]').focus()
        page.keyboard.press("ArrowRight" if sign > 0 else "ArrowLeft")
    try:
        page.wait_for_function(f"() => window.__bench.edits.length > {before} && window.__bench.edits.at(-1).painted",
                               timeout=WAIT_MS)
    except Exception as error:
        info = page.evaluate("""() => ({status: document.querySelector('.dcf-ex-status').textContent,
            state: JSON.stringify(window.datacf.explorer.state().train.X), runs: JSON.stringify(window.__bench.runs.slice(-2))})""")
        raise RuntimeError(f"edit {k} (point {i}) never repainted: {info}") from error
    return page.evaluate("() => window.__bench.edits.at(-1)")


def parts(edit):
    run = edit["run"] or {}
    out = {"total": edit["painted"] - edit["t0"], "frame": edit["frame"] - edit["live"], "paint": edit["painted"] - edit["frame"],
           "kind": edit["kind"],
           "busy": edit["busy"]}
    if run.get("resolved") is not None:
        out["input"] = edit["handled"] - edit["t0"]
        out["wait"] = run["call"] - edit["handled"]
        round_trip = run["resolved"] - run["call"]
        out["python"] = run.get("python") or 0.0
        out["worker"] = round_trip - out["python"]
        out["dom"] = edit["live"] - run["resolved"]
        out["chars"] = run.get("chars", 0)
    return out


def wait_live(page, timeout=WAIT_MS):
    try:
        page.wait_for_function(LIVE_JS, timeout=timeout)
    except Exception as error:
        status = page.locator(".dcf-ex-status").text_content()
        runs = page.evaluate("() => JSON.stringify(window.__bench.runs.slice(-3))")
        raise RuntimeError(f"the explorer never said it was up to date; its status: {status!r}; last runs {runs}") from error


def load_case(page, model, n):
    page.evaluate("(state) => window.datacf.explorer.setState(state)", case_state(model, n))
    wait_live(page)
    one_edit(page, 0, n)                 # warm-up: the first edit of a shape compiles and caches
    one_edit(page, 1, n)


def measure_edits(page, cases, edits, rounds):
    results = {}
    for r in range(rounds):
        for model, n in cases:
            load_case(page, model, n)
            samples = [parts(one_edit(page, k, n)) for k in range(edits)]
            results.setdefault((model, n), []).append(samples)
        print(f"   round {r + 1} of {rounds} done", file=sys.stderr, flush=True)
    return results


def drag_long_tasks(page):
    load_case(page, "logistic", 8)
    page.evaluate("() => { window.__bench.longtasks = []; window.__bench.moves = 0; }")
    x, y = point_centre(page, 2)
    page.mouse.move(x, y)
    page.mouse.down()
    t_start = page.evaluate("() => performance.now()")
    start = time.perf_counter()
    while time.perf_counter() - start < 2.0:     # as many moves as Playwright can send in 2 s
        angle = 2 * math.pi * (time.perf_counter() - start) / 2.0
        page.mouse.move(x + 40 * math.sin(angle), y + 25 * math.sin(2 * angle))
    page.mouse.up()
    wait_live(page)
    page.wait_for_timeout(300)
    info = page.evaluate("(t) => ({tasks: window.__bench.longtasks.filter((e) => e.start >= t), moves: window.__bench.moves,"
                         " span: performance.now() - t, error: window.__bench.longtaskError ?? null})", t_start)
    return info


def first_paint(browser, url, runtime_url):
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(INSTRUMENT_JS)
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request) if request.url.startswith(runtime_url) else None)
    open_page(page, url)
    page.wait_for_function(LIVE_JS, timeout=WAIT_MS * 2)
    timing = page.evaluate("""() => ({origin: performance.timeOrigin,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        grid: window.__bench.firstGrid})""")
    context.close()
    starts = [(r.timing["startTime"], r.timing["startTime"] + max(r.timing["responseStart"], 0), r.url) for r in requests]
    first_request = min(starts)
    first_byte = min(s[1] for s in starts)
    to_page = lambda epoch_ms: epoch_ms - timing["origin"]
    return {"fcp": timing["fcp"], "grid": timing["grid"], "request": to_page(first_request[0]),
            "request_url": first_request[2].rsplit("/", 1)[-1], "byte": to_page(first_byte)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--cases", default=",".join(f"{m}-{n}" for m in MODELS for n in SIZES))
    args = parser.parse_args()
    cases = [(c.split("-")[0], int(c.split("-")[1])) for c in args.cases.split(",")]
    import numpy
    import sklearn

    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, build_and_serve(tmp) as site, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=DESKTOP)
        context.add_init_script(INSTRUMENT_JS)
        page = context.new_page()
        open_page(page, site.base_url + EXPLORER)
        versions = page.evaluate("() => window.datacf.runtime.ready()")
        page.wait_for_function(LIVE_JS, timeout=WAIT_MS * 2)
        page.evaluate(WRAP_RUN_JS)
        print(f"Chromium {browser.version}, headless; in the page: Pyodide 0.27.7, Python {versions['python']}, "
              f"numpy {versions['numpy']}, datacf {versions['datacf']}")
        print(f"Host: Python {platform.python_version()}, numpy {numpy.__version__}, scikit-learn {sklearn.__version__}; "
              f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}; load average at start "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} ({os.cpu_count()} cores)")

        results = measure_edits(page, cases, args.edits, args.rounds)
        print(f"\n1. Edit to repaint ({args.edits} edits per round, half drags and half arrow keys; "
              f"median over {args.rounds} rounds of each round's p50 and p95; ms)")
        keys = ("input", "wait", "python", "worker", "dom", "frame", "paint")
        print(f"{'case':<14}{'p50':>7}{'p95':>7}   {'median parts: ' + ' + '.join(keys):<64}{'reply':>9}   target")
        tails = []
        for (model, n), rounds in results.items():
            p50 = statistics.median(percentile([s["total"] for s in r], 50) for r in rounds)
            p95 = statistics.median(percentile([s["total"] for s in r], 95) for r in rounds)
            flat = [s for r in rounds for s in r]
            med = {key: statistics.median(s.get(key, 0.0) for s in flat) for key in keys + ("chars",)}
            target = TARGETS.get((MODELS[model][0], n))
            verdict = "" if target is None else f"p95 <= {target}: {'met' if p95 <= target else 'MISSED'}"
            split = " + ".join(f"{med[key]:.0f}" for key in keys)
            print(f"{model + ' n=' + str(n):<14}{p50:>7.0f}{p95:>7.0f}   {split:<64}{med['chars'] / 1000:>7.0f} kB   {verdict}")
            tails.append((model, n, flat))
        print("\nThe slowest 5% of edits (all rounds), mean parts, and how the edits split:")
        for model, n, flat in tails:
            cut = percentile([s["total"] for s in flat], 95)
            slow = [s for s in flat if s["total"] >= cut]
            mean = {key: statistics.fmean(s.get(key, 0.0) for s in slow) for key in keys}
            by_kind = {kind: percentile([s["total"] for s in flat if s["kind"] == kind], 95) for kind in ("drag", "key")}
            busy = sum(s["busy"] for s in flat)
            print(f"   {model + ' n=' + str(n):<14} {len(slow)} edits >= {cut:.0f} ms: "
                  + " + ".join(f"{key} {mean[key]:.0f}" for key in keys)
                  + f"; p95 of drags {by_kind['drag']:.0f}, of keys {by_kind['key']:.0f}; "
                  f"{busy} of {len(flat)} edits ended while a run was in the worker")

        print("\n2. Main thread during a 2 s drag at n = 8 (logistic), and the recompute after it")
        info = drag_long_tasks(page)
        if info["error"]:
            print(f"   long tasks cannot be observed here: {info['error']}")
        tasks = sorted((t["ms"] for t in info["tasks"]), reverse=True)
        worst = tasks[0] if tasks else 0.0
        print(f"   {info['moves']} pointer moves in {info['span'] / 1000:.1f} s; long tasks (> 50 ms by definition): "
              f"{len(tasks)}{' (' + ', '.join(f'{t:.0f}' for t in tasks[:8]) + ' ms)' if tasks else ''}; "
              f"no task over 50 ms: {'met' if not tasks else 'MISSED'}")
        context.close()

        print("\n3. First paint, fresh context (ms since navigation start)")
        fp = first_paint(browser, site.base_url + EXPLORER, site.runtime_url)
        before = fp["fcp"] is not None and fp["fcp"] < fp["request"] and fp["grid"] is not None and fp["grid"] < fp["request"]
        print(f"   first contentful paint {fp['fcp']:.0f}; live grid table drawn {fp['grid']:.0f}; "
              f"first runtime request {fp['request']:.0f} ({fp['request_url']}), its first byte {fp['byte']:.0f}")
        print(f"   preset visible before any Python byte: {'met' if before else 'MISSED'}")
        browser.close()
    end = os.getloadavg()
    print(f"\nload average at the end {end[0]:.1f} {end[1]:.1f} {end[2]:.1f}")


if __name__ == "__main__":
    main()
