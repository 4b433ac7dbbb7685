"""Python in the page, in a real Chromium: window.datacf.runtime against the built site.

The runtime (official Pyodide 0.27.7, assembled offline by ``ensure_runtime``) is served from
its own 127.0.0.1 origin, as a CDN would be; the site is built pointing at it. Most tests share
one page whose runtime is loaded once (loading Pyodide takes seconds). As everywhere in the
browser tests, a console error or a request leaving 127.0.0.1 fails the test.
"""
import json
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from .conftest import open_python_page
from .site_harness import open_page

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 90_000      # a cold Pyodide load here takes about 6 s; leave room for a slow CI
RUN_JS = "([code, options]) => window.datacf.runtime.run(code, options ?? {})"
# Runs `code`; once it has printed its first output, calls stop() (if `stop`); resolves with the result.
STOP_JS = """async ([code, options, stop]) => {
  const rt = window.datacf.runtime;
  let printed;
  const first = new Promise((resolve) => { printed = resolve; });
  const result = rt.run(code, {...options, onOutput: () => printed()});
  await first;
  if (stop) rt.stop();
  return result;
}"""
# Runs several runs at once, each {code, label, channel, timeoutMs, then}: `then` (optional) is
# [stateText, action, channel]: when this run's state text first starts with stateText, call
# runtime[action](channel). Resolves with each run's result and the state texts it went through.
RUNS_JS = """async (specs) => {
  const rt = window.datacf.runtime;
  const states = specs.map(() => []);
  const results = specs.map((spec, i) => rt.run(spec.code, {
    channel: spec.channel ?? spec.label, label: spec.label, timeoutMs: spec.timeoutMs,
    onState: ({text}) => {
      states[i].push(text);
      const [prefix, action, channel] = spec.then ?? [];
      if (prefix && text.startsWith(prefix) && !spec.done) { spec.done = true; rt[action](channel); }
    },
  }));
  return (await Promise.all(results)).map((result, i) => ({...result, states: states[i]}));
}"""
# Every status event the runtime raises from now on, in window.__dcfStatus.
RECORD_STATUS_JS = """() => {
  window.__dcfStatus = [];
  window.datacf.runtime.addEventListener("status", (e) => window.__dcfStatus.push(e.detail));
}"""


@pytest.fixture(scope="module")
def python_session(chromium, site):
    """One watched page of the site with its Python runtime loaded, and its watch (shared by this module)."""
    with open_python_page(chromium, site, "grid/", LOAD_TIMEOUT_MS) as (page, watch):
        yield page, watch
        problems = watch.problems()
    assert not problems, f"the page misbehaved: {problems}"


@pytest.fixture
def python_page(python_session):
    """The shared page with Python loaded."""
    return python_session[0]


@pytest.fixture
def live_watch(python_session):
    """What the shared page did wrong, for a test that expects (and takes) some of it."""
    return python_session[1]


def run(page, code, **options):
    return page.evaluate(RUN_JS, [code, options])


class TestRuntime:
    def test_ready_then_print(self, python_page):
        """ready() resolves with the versions, and print(1+1) gives stdout "2\\n"."""
        versions = python_page.evaluate("() => window.datacf.runtime.ready()")
        assert versions["python"].startswith("3.12") and versions["numpy"] == "2.0.2"
        result = run(python_page, "print(1+1)")
        assert (result["stdout"], result["stderr"], result["error"], result["stopped"]) == ("2\n", "", None, None)

    def test_status_region_says_ready(self, python_page):
        """The aria-live status line says Python is ready, with the versions."""
        line = python_page.locator(".dcf-runtime__line")
        assert line.get_attribute("aria-live") == "polite"
        expect(line).to_contain_text("Python is ready (Python 3.12")

    def test_grid_result_is_a_grid_display(self, python_page):
        """A cell whose last expression is a Grid displays as the grid's JSON."""
        result = run(python_page, "import datacf as dcf\n"
                                  "dcf.compute_grid(dcf.toy_dataset('four_points'), dcf.models.KNN(k=1))")
        assert result["error"] is None and result["display"]["kind"] == "grid"
        grid = json.loads(result["display"]["json"])
        assert grid["schema"] == "datacf.grid" and np.shape(grid["values"]) == (16, 4)

    def test_other_results_display_as_repr_text(self, python_page):
        """Anything else displays as its repr, as text."""
        result = run(python_page, "x = {'a': 1}\nx")
        assert result["display"] == {"kind": "text", "text": "{'a': 1}"}

    def test_exception_traceback_is_trimmed_to_the_cell(self, python_page):
        """An exception reports only the reader's own frames, none of Pyodide's or the runner's."""
        result = run(python_page, "import datacf as dcf\ndef f():\n    return dcf.Grid([[1.0]])\nf()")
        error = result["error"]
        assert error["type"] == "ValueError" and "power of two" in error["message"]
        frames = re.findall(r'File "([^"]+)"', error["traceback"])
        assert frames == ["<cell>", "<cell>"], error["traceback"]
        assert "return dcf.Grid([[1.0]])" in error["traceback"]
        assert not re.search(r"pyodide|<exec>|_browser|/lib/python", error["traceback"])

    def test_script_in_output_stays_text(self, python_page):
        """Output containing <script> comes back as text and runs nothing."""
        payload = "<script>window.__dcfPwned = 1</script><img src=x onerror='window.__dcfPwned = 2'>"
        result = run(python_page, f"print({payload!r})\n{payload!r}")
        assert result["stdout"] == payload + "\n"
        assert result["display"] == {"kind": "text", "text": repr(payload)}
        assert python_page.evaluate("() => window.__dcfPwned") is None

    def test_latest_run_on_a_channel_wins(self, python_page):
        """Of two runs on one channel, the older resolves superseded and the newer normally."""
        older, newer = python_page.evaluate("""() => Promise.all([
          window.datacf.runtime.run("import time\\ntime.sleep(0.3)\\nprint('old')", {channel: "cell-1"}),
          window.datacf.runtime.run("print('new')", {channel: "cell-1"}),
        ])""")
        assert older["superseded"] is True
        assert (newer["superseded"], newer["stdout"]) == (False, "new\n")

    def test_stop_ends_an_endless_loop_and_the_next_run_works(self, python_page):
        """stop() ends `while True: pass` (stopped: "user"), keeping what it printed; the next run works."""
        ended = python_page.evaluate(STOP_JS, ["print('looping')\nwhile True: pass", {"timeoutMs": 600_000}, True])
        assert (ended["stopped"], ended["stdout"]) == ("user", "looping\n")
        assert run(python_page, "print('again')")["stdout"] == "again\n"

    def test_time_budget_ends_an_endless_loop_and_the_next_run_works(self, python_page):
        """A run past its time budget is stopped (stopped: "budget"), not before; the next run works."""
        ended = python_page.evaluate(STOP_JS, ["print('before')\nwhile True: pass", {"timeoutMs": 800}, False])
        assert (ended["stopped"], ended["stdout"]) == ("budget", "before\n")
        assert ended["ms"] >= 800
        assert run(python_page, "print('again')")["stdout"] == "again\n"

    def test_scikit_learn_loads_when_the_code_imports_it(self, python_page):
        """Importing sklearn loads scikit-learn (and scipy) from the lock file, on demand."""
        result = run(python_page, "from sklearn.tree import DecisionTreeClassifier\nDecisionTreeClassifier(max_depth=2)")
        assert result["error"] is None, result["error"]
        assert result["display"]["text"] == "DecisionTreeClassifier(max_depth=2)"
        expect(python_page.locator(".dcf-runtime__stage[data-stage='scikit-learn']")).to_have_attribute("data-state", "done")


class TestOneRunPerCell:
    """Stop, the time budget and re-running end one channel's run, never another's."""

    def test_stop_of_a_queued_run_leaves_the_running_one_alone(self, python_page):
        """Stopping a run that waits removes it from the queue; the running run finishes normally."""
        a, b = python_page.evaluate(RUNS_JS, [
            {"code": "import time\ntime.sleep(1.5)\nprint('a finished')", "label": "a"},
            {"code": "print('b ran')", "label": "b", "then": ["Waiting for cell 'a' to finish", "stop", "b"]},
        ])
        assert (a["stopped"], a["error"], a["stdout"]) == (None, None, "a finished\n")
        assert (b["stopped"], b["stdout"], b["ms"]) == ("user", "", None)

    def test_a_queued_run_says_what_it_waits_for(self, python_page):
        """A run queued behind another says "Waiting for cell 'a' to finish", then runs."""
        _, b, c = python_page.evaluate(RUNS_JS, [
            {"code": "import time\ntime.sleep(0.5)", "label": "a"},
            {"code": "print('b')", "label": "b"},
            {"code": "print('c')", "label": "c"},
        ])
        assert b["states"] == ["Waiting for cell 'a' to finish", "Running\u2026"]
        assert c["states"] == ["Waiting for cell 'a' to finish, then cell 'b'", "Waiting for cell 'b' to finish",
                               "Running\u2026"]
        assert (b["stdout"], c["stdout"]) == ("b\n", "c\n")

    def test_stop_of_the_running_run_spares_the_queued_ones(self, python_page):
        """Stopping the running run restarts Python; the queued run waits, says why, then runs."""
        a, b = python_page.evaluate(RUNS_JS, [
            {"code": "while True: pass", "label": "a", "timeoutMs": 600_000},
            {"code": "print('b ran')", "label": "b", "then": ["Waiting for cell 'a' to finish", "stop", "a"]},
        ])
        assert a["stopped"] == "user"
        assert (b["stopped"], b["error"], b["stdout"]) == (None, None, "b ran\n")
        assert "Waiting: restarting Python after a stop in cell 'a'" in b["states"]

    def test_time_budget_ends_only_its_own_run(self, python_page):
        """A run past its budget is stopped; the run queued behind it is not blamed, and runs."""
        a, b = python_page.evaluate(RUNS_JS, [
            {"code": "while True: pass", "label": "a", "timeoutMs": 1000},
            {"code": "print('b ran')", "label": "b"},
        ])
        assert a["stopped"] == "budget"
        assert (b["stopped"], b["stdout"]) == (None, "b ran\n")
        assert "Waiting: restarting Python after cell 'a' ran past its time budget of 1 s" in b["states"]

    def test_running_again_ends_a_stuck_run_at_once(self, python_page):
        """A new run on a channel ends its stuck run (superseded) without waiting for the budget."""
        python_page.evaluate("""() => {
          const rt = window.datacf.runtime;
          window.__results = undefined;
          const stuck = rt.run("while True: pass", {channel: "stuck", label: "stuck", timeoutMs: 600000,
            onState: ({phase}) => {
              if (phase !== "running" || window.__asked) return;
              window.__asked = true;
              const next = rt.run("print('next')", {channel: "stuck"});
              Promise.all([stuck, next]).then((results) => { window.__results = results; });
            }});
        }""")
        # Without the cancel, the stuck run would hold Python for its 10-minute budget.
        python_page.wait_for_function("() => window.__results !== undefined")
        stuck, after = python_page.evaluate("() => window.__results")
        assert stuck["superseded"] is True
        assert (after["superseded"], after["stopped"], after["stdout"]) == (False, None, "next\n")


class TestPythonDies:
    @pytest.mark.parametrize(("code", "said"), [
        ("import os\nprint('bye')\nos._exit(1)", "Python exited (Program terminated with exit(1))."),
        ("import os\nos.abort()", "Python stopped with a fatal error (RuntimeError: Aborted())."),
    ], ids=["os._exit", "abort"])
    def test_a_dead_interpreter_is_replaced(self, python_page, live_watch, code, said):
        """os._exit or a fatal error ends the run with stopped "exited" and why; Python restarts; the next run works."""
        python_page.evaluate(RECORD_STATUS_JS)
        died = run(python_page, code, label="doomed")
        assert died["stopped"] == "exited"
        assert died["error"] == {"type": "PythonExited", "message": said, "traceback": ""}
        if "_exit" in code:
            assert died["stdout"] == "bye\n"
        again = run(python_page, "import numpy\nprint(numpy.arange(3).sum())")
        assert (again["error"], again["stdout"]) == (None, "3\n")
        stages = python_page.evaluate("() => window.__dcfStatus")
        assert {"stage": "restarting", "detail": "Restarting Python after Python exited in cell 'doomed'",
                "bytes": None} in stages
        assert "failed" not in [stage["stage"] for stage in stages]
        live_watch.take("console_errors")      # Pyodide logs its fatal error to the console


class TestOutputCap:
    def test_output_past_the_cap_is_counted_not_kept(self, python_page):
        """Each stream keeps its first 100,000 characters; the rest is counted, and the program goes on."""
        result = run(python_page, "import sys\nprint('y' * 250_000)\nprint('after', file=sys.stderr)")
        assert result["stdout"] == "y" * 100_000
        assert result["dropped"] == {"stdout": 150_001, "stderr": 0}        # the rest, and the newline
        assert result["stderr"] == "after\n"

    def test_an_endless_print_loop_stays_small(self, python_page):
        """`while True: print("x" * 10**6)` keeps 100,000 characters until its budget stops it."""
        result = run(python_page, 'while True:\n    print("x" * 10**6)', timeoutMs=1500)
        assert result["stopped"] == "budget"
        assert result["stdout"] == "x" * 100_000
        assert result["dropped"]["stdout"] >= 10**6
        assert run(python_page, "print('fine')")["stdout"] == "fine\n"


class TestOnlyTheRuntimePostsStatus:
    def test_reader_code_cannot_raise_the_failure_banner(self, python_page):
        """Messages reader code posts from the worker (fake status, stream, replies) are ignored."""
        python_page.evaluate(RECORD_STATUS_JS)
        code = ("import js, json\n"
                "for fake in [{'type': 'status', 'stage': 'failed', 'detail': 'pwned'},\n"
                "             {'type': 'status', 'stage': 'failed', 'detail': 'pwned', 'key': None},\n"
                "             {'type': 'stream', 'id': 0, 'name': 'stdout', 'text': 'pwned'},\n"
                "             {'id': 1, 'ok': False, 'error': {'type': 'Error', 'message': 'pwned'}}]:\n"
                "    js.postMessage(js.JSON.parse(json.dumps(fake)))\n"
                "    js.self.postMessage(js.JSON.parse(json.dumps(fake)))\n"
                "print('posted')")
        result = run(python_page, code)
        assert (result["error"], result["stdout"]) == (None, "posted\n")
        assert run(python_page, "print('still fine')")["stdout"] == "still fine\n"
        assert python_page.evaluate("() => window.datacf.runtime.state.failure") is None
        assert not [s for s in python_page.evaluate("() => window.__dcfStatus") if "pwned" in s["detail"]]
        expect(python_page.get_by_role("alert")).to_have_count(0)


def test_every_example_recomputes_to_the_same_numbers(python_page, site):
    """Each precomputed grid, recomputed by datacf in the browser's Pyodide, equals its JSON.

    The JSON was computed by CPython at build time: exactly equal for 0/1 metrics, within 1e-9 per
    cell otherwise.
    """
    files = sorted((site.dir / "grids").glob("*.json"))
    assert files
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        code = ("import json\nimport datacf as dcf\n"
                f"stored = dcf.Grid.from_json(json.dumps(json.loads({json.dumps(json.dumps(document['grid']))})))\n"
                "dcf.recompute_grid(stored)")
        result = run(python_page, code)
        assert result["error"] is None, (path.name, result["error"])
        browser = np.array(json.loads(result["display"]["json"])["values"])
        stored = np.array(document["grid"]["values"])
        if document["grid"]["inputs"]["metric"] == "accuracy":
            np.testing.assert_array_equal(browser, stored, err_msg=path.name)
        else:
            np.testing.assert_allclose(browser, stored, rtol=0, atol=1e-9, err_msg=path.name)


def test_blocked_runtime_shows_the_banner_and_grids_still_work(new_context, site):
    """With the runtime URL blocked, ready() rejects, a banner says why with Retry, grids still work."""
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
    context = new_context()
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    context.route(f"{site.runtime_url}**", lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    open_page(page, site.base_url)
    reason = page.evaluate("() => window.datacf.runtime.ready().then(() => null, (e) => e.message)")
    assert reason and "could not be downloaded" in reason
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("could not be downloaded")
    expect(banner).to_contain_text("precomputed grids on this page still work")
    retry = banner.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    expect(page.get_by_role("grid").first).to_be_visible()
    assert page.get_by_role("gridcell").count() > 0
    failed = run(page, "print(1)")
    assert failed["error"]["type"] == "RuntimeUnavailable"
    # The browser logs each blocked runtime request; those are this test's point, not a fault.
    errors = context.watch.take("console_errors")
    assert all(site.runtime_url.split("/pyodide")[0] in e or "Failed to load" in e or "ERR_" in e for e in errors), errors
    # Unblocked, Retry brings Python back.
    context.unroute(f"{site.runtime_url}**")
    retry.click()
    expect(page.locator(".dcf-runtime__line")).to_contain_text("Python is ready", timeout=LOAD_TIMEOUT_MS)
    assert run(page, "print(3)")["stdout"] == "3\n"


def test_tampered_runtime_is_refused(new_context, site):
    """A pyodide.asm.wasm that differs from the pinned hash is never run: ready() says why."""
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
    context = new_context()
    context.set_default_timeout(LOAD_TIMEOUT_MS)

    def tamper(route):
        body = bytearray(route.fetch().body())
        body[-1] ^= 1                                  # one flipped bit
        route.fulfill(status=200, body=bytes(body), headers={"Content-Type": "application/wasm",
                                                             "Access-Control-Allow-Origin": "*"})

    context.route(f"{site.runtime_url}pyodide.asm.wasm", tamper)
    page = context.new_page()
    open_page(page, site.base_url)
    reason = page.evaluate("() => window.datacf.runtime.ready().then(() => null, (e) => e.message)")
    assert reason.startswith(f"pyodide.asm.wasm from {site.runtime_url.split('/')[2]} did not match its pinned hash, "
                             "so it was not run"), reason
    expect(page.get_by_role("alert")).to_contain_text("pyodide.asm.wasm from")
    context.watch.take("console_errors")             # Pyodide logs the failed instantiation


def test_stalled_runtime_download_fails_with_a_reason(new_context, site):
    """A runtime server that stops answering mid-load fails ready() with a reason, not an endless "loading"."""
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
    context = new_context()
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    context.route(f"{site.runtime_url}pyodide.asm.wasm", lambda route: None)   # never answered
    page = context.new_page()
    open_page(page, site.base_url + "references/")                            # no auto-start here
    reason = page.evaluate(
        "() => { const r = window.datacf.runtime; r.stallTimeoutMs = 1500;"
        " return r.ready().then(() => null, (e) => e.message); }"
    )
    assert reason and "nothing arrived from" in reason and "for 2 s" in reason
    expect(page.get_by_role("alert")).to_contain_text("nothing arrived from")
    expect(page.get_by_role("alert").get_by_role("button", name="Retry")).to_be_visible()
    context.watch.take("console_errors")


def test_pages_without_python_start_no_runtime(page, site):
    """Opening a page with no Python element downloads nothing of the runtime."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, site.base_url + "references/")
    page.wait_for_load_state("networkidle")           # everything the page was going to fetch
    assert page.evaluate("() => window.datacf.runtime.state.stage") == "idle"
    assert not [url for url in requested if "py-worker" in url or (site.runtime_url and url.startswith(site.runtime_url))]


def _tampering(path_end):
    """A route handler that serves the real file with one bit flipped (as a CDN serving the wrong bytes)."""
    def tamper(route):
        response = route.fetch()
        body = bytearray(response.body())
        body[len(body) // 2] ^= 1
        route.fulfill(status=200, body=bytes(body), headers={**response.headers, "access-control-allow-origin": "*"})
    return tamper


@pytest.mark.parametrize(("file", "verb"), [
    ("pyodide.asm.js", "run"),
    ("python_stdlib.zip", "run"),
    ("numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", "installed"),
])
def test_a_tampered_file_is_named_as_such_not_as_a_network_failure(new_context, site, file, verb):
    """A core file or wheel whose bytes differ from the pinned hash is refused, and the reason names it."""
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
    context = new_context()
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    context.route(f"{site.runtime_url}{file}", _tampering(file))
    page = context.new_page()
    open_page(page, site.base_url + "references/")
    reason = page.evaluate("() => window.datacf.runtime.ready().then(() => null, (e) => e.message)")
    host = site.runtime_url.split("/")[2]
    assert reason.startswith(f"{file} from {host} did not match its pinned hash, so it was not {verb}"), reason
    assert "could not be downloaded" not in reason and "offline" not in reason
    expect(page.get_by_role("alert")).to_contain_text(f"{file} from {host} did not match its pinned hash")
    context.watch.take("console_errors")
