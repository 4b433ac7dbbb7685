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
# Resolves with the result of a run and how long after stop() (or the run's start) it ended.
STOP_JS = """async ([code, options, stop]) => {
  const rt = window.datacf.runtime;
  const started = new Promise((resolve) => {
    const onStatus = (event) => {
      if (event.detail.stage === "run") { rt.removeEventListener("status", onStatus); resolve(performance.now()); }
    };
    rt.addEventListener("status", onStatus);
  });
  const result = rt.run(code, options);
  let t0 = await started;
  if (stop) { await new Promise((r) => setTimeout(r, 300)); t0 = performance.now(); rt.stop(); }
  const done = await result;
  return {result: done, ms: performance.now() - t0};
}"""


@pytest.fixture(scope="module")
def python_page(chromium, site):
    """One watched page of the site with its Python runtime loaded (shared by this module)."""
    with open_python_page(chromium, site, "grid/", LOAD_TIMEOUT_MS) as (page, watch):
        yield page
        problems = watch.problems()
    assert not problems, f"the page misbehaved: {problems}"


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
        """stop() ends `while True: pass` within 2 s (stopped: "user"); the next run works."""
        ended = python_page.evaluate(STOP_JS, ["while True: pass", {}, True])
        assert ended["result"]["stopped"] == "user"
        assert ended["ms"] < 2000
        assert run(python_page, "print('again')")["stdout"] == "again\n"

    def test_time_budget_ends_an_endless_loop_and_the_next_run_works(self, python_page):
        """A run past its time budget is stopped (stopped: "budget"); the next run works."""
        ended = python_page.evaluate(STOP_JS, ["print('before')\nwhile True: pass", {"timeoutMs": 800}, False])
        assert ended["result"]["stopped"] == "budget"
        assert 800 <= ended["ms"] < 2800
        assert run(python_page, "print('again')")["stdout"] == "again\n"

    def test_scikit_learn_loads_when_the_code_imports_it(self, python_page):
        """Importing sklearn loads scikit-learn (and scipy) from the lock file, on demand."""
        result = run(python_page, "from sklearn.tree import DecisionTreeClassifier\nDecisionTreeClassifier(max_depth=2)")
        assert result["error"] is None, result["error"]
        assert result["display"]["text"] == "DecisionTreeClassifier(max_depth=2)"
        expect(python_page.locator(".dcf-runtime__stage[data-stage='scikit-learn']")).to_have_attribute("data-state", "done")


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
    assert reason == "A Python runtime file did not match its pinned hash, so it was not run."
    expect(page.get_by_role("alert")).to_contain_text("did not match its pinned hash")
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
    page.wait_for_timeout(500)
    assert not [url for url in requested if "py-worker" in url or (site.runtime_url and url.startswith(site.runtime_url))]
