"""Runnable code cells (``datacf-run`` blocks) in a real Chromium: run, stop, errors, saving, keys.

The cells run in the page's Python (official Pyodide 0.27.7, served from a second 127.0.0.1
origin by the harness). Tests that run code share one page of the Try it page, whose runtime is
loaded once; tests of editing and saving open fresh pages (each context has its own storage).
As everywhere in the browser tests, a console error or a request leaving 127.0.0.1 fails the test.
"""
import contextlib
import io
import itertools
import json
import re

import pytest
from playwright.sync_api import expect

from datacf._browser import run_cell

from .cells import SETTLED_JS, cpython_stdout, find_cell
from .conftest import TIMEOUT_MS, open_python_page
from .site_harness import DESKTOP, PHONE, load_axe, open_page, set_palette

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 90_000     # a cold Pyodide load here takes about 6 s; leave room for a slow CI
# A bound for "without waiting for the 30 s time budget": a restart of Python, from the cache.
BEFORE_BUDGET_MS = 25_000
STOPPED = re.compile(r"^Stopped by you after")
_LOOPS = itertools.count()
TRY_IT = "try-it/"
STORAGE_PREFIX = "datacf:cell:v1:"
FINISHED = re.compile(r"^Finished in \d+")
# The widget's run state is data-state on the cell: running, then done, error or stopped.


def _editor(cell):
    """The cell's CodeMirror editor (docs/js/code-editor.js upgrades the textarea once its bundle loads)."""
    return cell.locator(".cm-editor").get_by_role("textbox")


def _code(cell):
    """The cell's textarea: hidden behind the editor, it always holds the code that runs and is saved."""
    return cell.locator("textarea")


def _start(cell, how="button"):
    """Start a run, forgetting the cell's previous state (a quick run may end before we look)."""
    cell.evaluate("(cell) => { delete cell.dataset.state; }")
    if how == "button":
        cell.get_by_role("button", name="Run").click()
    else:
        _editor(cell).press(how)


def _run(cell, code=None, how="button", timeout=LOAD_TIMEOUT_MS):
    """Run *code* (default: the cell's own) and wait until the run has ended; return the cell."""
    if code is not None:
        _editor(cell).fill(code)
    _start(cell, how)
    cell.page.wait_for_function(SETTLED_JS, arg=cell.element_handle(), timeout=timeout)
    return cell


def _state(cell):
    return cell.locator(".dcf-cell__state")


def _output(cell):
    return cell.get_by_role("log")


def _cpython_grid(code):
    """The grid the code's last line gives under CPython: {row label: values}, labels as the page names subsets."""
    with contextlib.redirect_stdout(io.StringIO()):
        reply = json.loads(run_cell(code))
    grid = json.loads(reply["display"]["json"])
    names = grid["point_names"]
    label = lambda r: "".join(name for i, name in enumerate(names) if r >> i & 1) or "\u2205"   # noqa: E731
    return {label(r): row for r, row in enumerate(grid["values"])}


def _boxes_overlap(a, b):
    """Whether two bounding boxes (or None, for an element not drawn) share any area."""
    if not a or not b:
        return False
    return (min(a["x"] + a["width"], b["x"] + b["width"]) > max(a["x"], b["x"]) and
            min(a["y"] + a["height"], b["y"] + b["height"]) > max(a["y"], b["y"]))


def _loop(cell, code=None):
    """Start an endless run in *cell* and wait until it runs: its stdout shows what this run printed."""
    token = f"looping {next(_LOOPS)}"
    _editor(cell).fill(code or f"print({token!r})\nwhile True:\n    pass")
    _start(cell)
    # Python may still be restarting after an earlier test's stop.
    expect(cell.locator(".dcf-cell__part--stdout pre")).to_have_text(re.compile(token if code is None else r"^x{100}"),
                                                                      timeout=LOAD_TIMEOUT_MS)
    expect(cell).to_have_attribute("data-state", "running")


@pytest.fixture(scope="module")
def live(chromium, site):
    """One watched Try it page with Python loaded, shared by the tests that run code."""
    with open_python_page(chromium, site, TRY_IT, TIMEOUT_MS) as (page, watch):
        yield page, watch


@pytest.fixture
def live_page(live):
    """The shared page; a console error or outside request during the test fails it."""
    page, watch = live
    yield page
    problems = {kind: list(items) for kind, items in watch.problems().items()}
    for kind in ("console_errors", "page_errors", "outside_requests"):
        watch.take(kind)
    if problems:
        pytest.fail(f"the page misbehaved while the test ran: {problems}", pytrace=False)


class TestRunning:
    def test_cell_runs_and_shows_its_output(self, live_page):
        """Run prints exactly what the same code prints in CPython, and says how long it took."""
        cell = _run(find_cell(live_page, "readings"))
        expect(_state(cell)).to_have_text(FINISHED)
        stdout = cell.locator(".dcf-cell__part--stdout pre")
        expect(stdout).to_have_text(cpython_stdout(_code(cell).input_value()))
        assert "Shapley" in stdout.inner_text()
        assert cell.get_attribute("data-state") == "done"

    def test_grid_result_renders_as_the_grid_widget(self, live_page):
        """A cell ending in a Grid shows it as the same ARIA grid as the static pages, numbers visible."""
        cell = _run(find_cell(live_page, "own-points"))
        grid = _output(cell).get_by_role("grid")
        expect(grid).to_be_visible()
        assert grid.get_by_role("columnheader").all_inner_texts() == ["training set", "A", "B", "C", "D"]
        expect(grid.get_by_role("rowheader")).to_have_count(16)
        cells = grid.get_by_role("gridcell")
        expect(cells).to_have_count(64)
        texts = cells.all_inner_texts()
        assert all(re.fullmatch(r"[01]\.\d\d", text) for text in texts), texts
        # Every number is the one CPython computes from the same code, to the 2 decimals shown.
        expected = _cpython_grid(_code(cell).input_value())
        rows = grid.get_by_role("rowheader").all_inner_texts()
        assert sorted(rows) == sorted(expected)
        shown = {row: [float(t) for t in texts[4 * i:4 * i + 4]] for i, row in enumerate(rows)}
        for row, values in expected.items():
            assert shown[row] == pytest.approx(values, abs=0.005 + 1e-12), row
        label = cells.nth(4).get_attribute("aria-label")
        assert label == "trained on A; evaluated at A: 1.00"
        # One tab stop, arrow keys move within it: the widget is enhanced like a static grid.
        assert grid.locator("[tabindex='0']").count() == 1

    def test_stop_ends_an_endless_loop_and_the_next_run_works(self, live_page):
        """Stop ends `while True: pass` within 2 s; the cell says so, and the next run works."""
        cell = find_cell(live_page, "scaling")
        _editor(cell).fill("print('looping')\nwhile True:\n    pass")
        _start(cell)
        expect(cell).to_have_attribute("data-state", "running")
        expect(_state(cell)).to_have_text("Running\u2026")
        stop = cell.get_by_role("button", name="Stop")
        expect(stop).to_be_enabled()
        stop.click()
        expect(_state(cell)).to_have_text(STOPPED)
        assert cell.get_attribute("data-state") == "stopped"
        expect(stop).to_be_disabled()
        _run(cell, "print('after the stop', 6 * 7)")
        expect(_state(cell)).to_have_text(FINISHED)
        expect(_output(cell)).to_have_text(re.compile(r"after the stop 42"))

    def test_output_shows_while_the_cell_runs(self, live_page):
        """What a run prints appears before it ends: here, while it loops until Stop."""
        cell = find_cell(live_page, "scaling")
        _editor(cell).fill("print('before the loop')\nwhile True:\n    pass")
        _start(cell)
        expect(_output(cell)).to_have_text(re.compile(r"before the loop"))
        expect(cell).to_have_attribute("data-state", "running")
        cell.get_by_role("button", name="Stop").click()
        expect(_state(cell)).to_have_text(STOPPED)
        expect(_output(cell)).to_have_text(re.compile(r"before the loop"))

    def test_exception_shows_a_trimmed_traceback(self, live_page):
        """An exception shows the reader's frames and the error, not the runner's or Pyodide's."""
        cell = _run(find_cell(live_page, "scaling"), "def f(x):\n    return 1 / x\n\nf(0)")
        expect(_state(cell)).to_have_text(re.compile(r"^Failed with ZeroDivisionError after"))
        error = cell.locator(".dcf-cell__part--error")
        expect(error.locator(".dcf-cell__part-label")).to_have_text("Error")
        text = error.locator("pre").inner_text()
        assert text.startswith("Traceback (most recent call last):")
        assert 'File "<cell>", line 4, in <module>' in text and 'File "<cell>", line 2, in f' in text
        assert text.rstrip().endswith("ZeroDivisionError: division by zero")
        assert not re.search(r"_browser|pyodide|/lib/python", text), text

    def test_output_is_text_not_html(self, live_page):
        """Printed or returned markup shows as text: no element is created, no script runs."""
        markup = "<script>window.__dcfPwned = 1</script><img src=x onerror='window.__dcfPwned = 2'><b>bold</b>"
        cell = _run(find_cell(live_page, "scaling"), f"print({markup!r})\nimport sys\n"
                                                 f"print({markup!r}, file=sys.stderr)\n{markup!r}")
        output = _output(cell)
        expect(output.locator(".dcf-cell__part--stdout pre")).to_have_text(markup)
        expect(output.locator(".dcf-cell__part--stderr pre")).to_have_text(markup)
        expect(output.locator(".dcf-cell__part--result pre")).to_have_text(repr(markup))
        assert output.locator("script, img, b").count() == 0
        assert live_page.evaluate("() => window.__dcfPwned") is None

    def test_ctrl_enter_runs(self, live_page):
        """Ctrl+Enter in the editor runs the cell and leaves the code unchanged."""
        cell = find_cell(live_page, "scaling")
        code = "print('run by keyboard')"
        _run(cell, code, how="Control+Enter")
        expect(_output(cell)).to_have_text(re.compile("run by keyboard"))
        assert _code(cell).input_value() == code

    def test_latest_run_wins(self, live_page):
        """Run twice quickly: the cell shows only the second run's output."""
        cell = find_cell(live_page, "scaling")
        _editor(cell).fill("total = 0\nfor i in range(3_000_000):\n    total += i\nprint('first run')")
        _start(cell)
        _run(cell, "print('second run')")
        expect(_output(cell)).to_have_text(re.compile("second run"))
        assert "first run" not in _output(cell).inner_text()

    def test_keyboard_only_use(self, live_page):
        """Tab reaches the editor and indents in it; Esc then Tab leaves for Run; Enter runs."""
        cell = find_cell(live_page, "scaling")
        editor = _editor(cell)
        editor.fill("x = 1")
        live_page.locator("#scaling-and-a-model-that-cannot-learn a.headerlink").focus()
        live_page.keyboard.press("Tab")             # the heading's permalink, then the editor
        expect(editor).to_be_focused()
        live_page.keyboard.press("Control+Home")
        live_page.keyboard.press("Tab")             # Tab inside the editor indents
        expect(_code(cell)).to_have_value("    x = 1")
        expect(editor).to_be_focused()
        for _ in range(4):
            live_page.keyboard.press("Backspace")
        live_page.keyboard.press("End")
        live_page.keyboard.press("Enter")
        live_page.keyboard.type("if x:")
        live_page.keyboard.press("Enter")            # a new line after a colon is indented
        live_page.keyboard.type("print(x + 1)")
        expect(_code(cell)).to_have_value("x = 1\nif x:\n    print(x + 1)")
        live_page.keyboard.press("Escape")
        live_page.keyboard.press("Tab")
        run = cell.get_by_role("button", name="Run")
        expect(run).to_be_focused()
        live_page.keyboard.press("Tab")
        expect(cell.get_by_role("button", name="Reset")).to_be_focused()   # Stop is disabled when idle
        live_page.keyboard.press("Shift+Tab")
        expect(run).to_be_focused()
        cell.evaluate("(cell) => { delete cell.dataset.state; }")
        live_page.keyboard.press("Enter")
        live_page.wait_for_function(SETTLED_JS, arg=cell.element_handle(), timeout=LOAD_TIMEOUT_MS)
        expect(cell.locator(".dcf-cell__part--stdout pre")).to_have_text("2\n")

    @pytest.mark.parametrize("palette", ["light", "dark"])
    def test_cell_with_every_kind_of_output_passes_axe(self, live_page, palette):
        """After a run with output, stderr, an error and a grid, axe finds no serious violation."""
        _run(find_cell(live_page, "own-points"))
        _run(find_cell(live_page, "scaling"), "import sys\nprint('out')\nprint('err', file=sys.stderr)\n1 / 0")
        set_palette(live_page, palette)
        if not live_page.evaluate("() => typeof axe === 'object'"):
            load_axe(live_page)                        # the site's CSP refuses an added <script>
        result = live_page.evaluate("""() => axe.run(document.querySelectorAll('.dcf-cell'),
            {resultTypes: ['violations']})""")
        serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert any(rule["id"] == "color-contrast" for rule in result["passes"])    # it did audit the cells
        assert serious == []


class TestOneRunPerCell:
    """Stop and re-running act on one cell; a cell waiting behind another says so."""

    def test_stop_in_a_waiting_cell_spares_the_running_one(self, live_page):
        """A cell queued behind a running one says what it waits for; its Stop leaves the other running."""
        running, waiting = find_cell(live_page, "scaling"), find_cell(live_page, "readings")
        _loop(running)
        _start(waiting)
        expect(_state(waiting)).to_have_text("Waiting for cell 'scaling' to finish")
        expect(waiting).to_have_attribute("data-state", "waiting")
        waiting.get_by_role("button", name="Stop").click()
        expect(_state(waiting)).to_have_text("Not run: stopped by you while it waited.")
        expect(running).to_have_attribute("data-state", "running")
        expect(_state(running)).to_have_text("Running\u2026")
        assert live_page.evaluate("() => window.datacf.runtime.state.ready") is True      # no restart
        running.get_by_role("button", name="Stop").click()
        expect(_state(running)).to_have_text(STOPPED)

    def test_stop_in_the_running_cell_lets_the_waiting_one_run(self, live_page):
        """Stop restarts Python for the running cell only; the waiting cell says why it waits, then runs."""
        running, waiting = find_cell(live_page, "scaling"), find_cell(live_page, "readings")
        waiting.get_by_role("button", name="Reset").click()
        _loop(running)
        _start(waiting)
        expect(_state(waiting)).to_have_text("Waiting for cell 'scaling' to finish")
        running.get_by_role("button", name="Stop").click()
        expect(_state(running)).to_have_text(STOPPED)
        expect(_state(waiting)).to_have_text("Waiting: restarting Python after a stop in cell 'scaling'")
        live_page.wait_for_function(SETTLED_JS, arg=waiting.element_handle(), timeout=LOAD_TIMEOUT_MS)  # restart + run
        expect(_state(waiting)).to_have_text(FINISHED)
        expect(waiting.locator(".dcf-cell__part--stdout pre")).to_have_text(
            cpython_stdout(_code(waiting).input_value()))

    def test_running_a_stuck_cell_again_replaces_its_run(self, live_page):
        """Run on a cell whose run is stuck ends that run at once, not after the 30 s budget."""
        cell = find_cell(live_page, "scaling")
        _loop(cell)
        _run(cell, "print('replaced', 6 * 7)", timeout=BEFORE_BUDGET_MS)
        expect(_state(cell)).to_have_text(FINISHED)
        expect(_output(cell)).to_have_text(re.compile("replaced 42"))

    def test_stop_returns_focus_to_run_when_the_run_ends(self, live_page):
        """When a run ends while Stop has focus, focus moves to Run, not to the page's <body>."""
        cell = find_cell(live_page, "scaling")
        _loop(cell)
        stop = cell.get_by_role("button", name="Stop")
        stop.focus()
        expect(stop).to_be_focused()
        live_page.evaluate("() => window.datacf.runtime.stop()")     # as the time budget would
        expect(_state(cell)).to_have_text(STOPPED)
        expect(stop).to_be_disabled()
        expect(cell.get_by_role("button", name="Run")).to_be_focused()


class TestRobustness:
    def test_a_cell_survives_python_exiting(self, live_page):
        """os._exit in a cell: the cell says Python exited, Python restarts, and the next run works."""
        cell = _run(find_cell(live_page, "scaling"), "import os\nprint('leaving')\nos._exit(3)")
        expect(_state(cell)).to_have_text(
            "Python exited during this run, so it restarts: earlier variables are gone; the next run works.")
        error = cell.locator(".dcf-cell__part--error")
        expect(error.locator(".dcf-cell__part-label")).to_have_text("Python exited")
        expect(error.locator("pre")).to_have_text("Python exited (Program terminated with exit(3)).")
        expect(cell.locator(".dcf-cell__part--stdout pre")).to_have_text("leaving\n")
        _run(cell, "print(6 * 7)")
        expect(_state(cell)).to_have_text(FINISHED)
        expect(cell.locator(".dcf-cell__part--stdout pre")).to_have_text("42\n")
        expect(live_page.get_by_role("alert")).to_have_count(0)

    def test_endless_printing_is_capped_with_a_notice(self, live_page):
        """A print loop keeps the first 100,000 characters and says, in words, how many were dropped."""
        cell = find_cell(live_page, "scaling")
        _loop(cell, 'while True:\n    print("x" * 10**6)')
        notice = cell.locator(".dcf-cell__part--stdout .dcf-cell__dropped")
        expect(notice).to_have_text(re.compile(r"^\u2026 [\d,]+ characters of output were dropped$"))
        cell.get_by_role("button", name="Stop").click()
        expect(_state(cell)).to_have_text(STOPPED)
        expect(notice).to_be_visible()
        dropped = int(re.search(r"[\d,]+", notice.inner_text()).group().replace(",", ""))
        assert dropped >= 900_000
        shown = cell.locator(".dcf-cell__part--stdout pre").evaluate("(pre) => pre.textContent")
        assert shown == "x" * 100_000

    @pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["desktop", "phone"])
    def test_python_status_never_covers_a_cells_output(self, live_page, viewport):
        """Once Python is ready, its status is out of the way of a cell's output, wherever that is scrolled."""
        live_page.set_viewport_size(viewport)
        try:
            cell = _run(find_cell(live_page, "scaling"), "for i in range(40):\n    print('line', i)")
            status = live_page.locator(".dcf-runtime")
            expect(status).to_have_attribute("data-mode", "pill")
            output = _output(cell)
            for where in ("start", "center", "end"):
                output.evaluate(f"(el) => el.scrollIntoView({{block: '{where}'}})")
                live_page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
                assert not _boxes_overlap(status.bounding_box(), output.bounding_box()), where
        finally:
            live_page.set_viewport_size(DESKTOP)


class TestNavigation:
    def test_leaving_a_busy_page_cancels_its_runs(self, page, site):
        """A run left running on a page the reader left by instant navigation does not hold up the next page."""
        page.context.set_default_timeout(LOAD_TIMEOUT_MS)
        open_page(page, site.base_url + TRY_IT)
        page.evaluate("() => window.datacf.runtime.ready()")
        page.evaluate("() => { window.__samePage = true; }")
        _loop(find_cell(page, "scaling"))
        page.get_by_role("navigation", name="Navigation").get_by_role("link", name="Leave-one-out").first.click()
        expect(page).to_have_url(site.base_url + "leave-one-out/")
        cell = find_cell(page, "fix-e")
        expect(_editor(cell)).to_be_visible()
        _run(cell, timeout=BEFORE_BUDGET_MS)
        expect(_state(cell)).to_have_text(FINISHED)
        expect(cell.locator(".dcf-cell__part--stdout pre")).to_have_text(cpython_stdout(_code(cell).input_value()))
        assert page.evaluate("() => window.__samePage") is True      # it was instant navigation

    def test_instant_navigation_adds_no_pagehide_listeners(self, page, site):
        """Visiting pages with cells again and again leaves the window's pagehide listeners as they were."""
        page.add_init_script("""(() => {
          const add = EventTarget.prototype.addEventListener;
          const remove = EventTarget.prototype.removeEventListener;
          const counted = new Set();
          window.__pagehide = () => counted.size;
          EventTarget.prototype.addEventListener = function (type, listener, ...rest) {
            if (this === window && type === "pagehide") counted.add(listener);
            return add.call(this, type, listener, ...rest);
          };
          EventTarget.prototype.removeEventListener = function (type, listener, ...rest) {
            if (this === window && type === "pagehide") counted.delete(listener);
            return remove.call(this, type, listener, ...rest);
          };
        })()""")
        open_page(page, site.base_url + TRY_IT)
        nav = page.get_by_role("navigation", name="Navigation")
        expect(page.locator("div.dcf-cell textarea")).to_have_count(4)
        first = page.evaluate("() => window.__pagehide()")
        for _ in range(4):
            nav.get_by_role("link", name="Leave-one-out").first.click()
            expect(page).to_have_url(site.base_url + "leave-one-out/")
            expect(page.locator("div.dcf-cell[data-enhanced='true']")).not_to_have_count(0)
            nav.get_by_role("link", name="Try it").first.click()
            expect(page).to_have_url(site.base_url + TRY_IT)
            expect(page.locator("div.dcf-cell[data-enhanced='true']")).to_have_count(4)
        assert page.evaluate("() => window.__pagehide()") == first

    def test_failure_banner_on_a_phone_is_compact(self, new_context, site):
        """On a phone, the banner that says Python cannot load takes at most a fifth of the screen."""
        if not site.runtime_url:
            pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
        context = new_context(viewport=PHONE)
        context.set_default_timeout(LOAD_TIMEOUT_MS)
        context.route(f"{site.runtime_url}**", lambda route: route.abort("blockedbyclient"))
        page = context.new_page()
        open_page(page, site.base_url + TRY_IT)
        page.evaluate("() => window.datacf.runtime.ready().catch(() => null)")
        banner = page.get_by_role("alert")
        expect(banner).to_contain_text("could not be downloaded")
        expect(banner.get_by_role("button", name="Retry")).to_be_visible()
        assert banner.bounding_box()["height"] <= 0.2 * PHONE["height"]
        context.watch.take("console_errors")      # the blocked runtime requests, this test's point


def _stored(page):
    return page.evaluate(f"""() => Object.fromEntries(Object.keys(localStorage)
        .filter((k) => k.startsWith({STORAGE_PREFIX!r})).map((k) => [k, localStorage.getItem(k)]))""")


class TestSaving:
    def test_static_cell_reads_with_javascript_off(self, new_context, site):
        """With JavaScript off a cell is an ordinary highlighted code block with the code."""
        page = new_context(java_script_enabled=False).new_page()
        page.goto(site.base_url + TRY_IT)
        cell = find_cell(page, "own-points")
        expect(cell.locator(".highlight code")).to_contain_text("dcf.compute_grid(train, dcf.models.KNN(k=1))")
        assert cell.locator("textarea").count() == 0
        assert cell.get_attribute("data-dcf-python") is not None

    def test_cells_are_editors_after_instant_navigation(self, page, site):
        """Reached by Material's instant navigation (no reload), every cell still becomes an editor."""
        open_page(page, site.base_url)
        page.evaluate("() => { window.__samePage = true; }")
        page.get_by_role("navigation", name="Navigation").get_by_role("link", name="Try it").first.click()
        expect(page).to_have_url(site.base_url + TRY_IT)
        expect(page.locator("div.dcf-cell textarea")).to_have_count(4)
        expect(page.get_by_role("button", name="Run")).to_have_count(4)
        assert page.evaluate("() => window.__samePage") is True      # it was not a reload

    def test_edit_survives_a_reload(self, page, site):
        """An edit is saved as the reader types, under the versioned key, and is back after a reload."""
        open_page(page, site.base_url + TRY_IT)
        editor = _editor(find_cell(page, "own-points"))
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\nprint('my edit')")
        note = find_cell(page, "own-points").locator(".dcf-cell__note")
        expect(note).to_have_text(re.compile(r"^Edited\. Your code is saved in this browser"))
        edited = _code(find_cell(page, "own-points")).input_value()
        assert edited.endswith("grid\nprint('my edit')")
        key = f"{STORAGE_PREFIX}/datacf/{TRY_IT}:own-points"
        saved = json.loads(_stored(page)[key])
        assert saved["v"] == 1 and saved["code"] == edited and re.fullmatch(r"[0-9a-f]{8}", saved["base"])
        page.reload()
        page.wait_for_function("() => document.querySelector('.dcf-cell textarea')")
        expect(_code(find_cell(page, "own-points"))).to_have_value(edited)
        expect(note).to_be_visible()
        expect(_code(find_cell(page, "readings"))).not_to_have_value(edited)     # other cells keep theirs

    def test_reset_restores_the_original(self, page, site):
        """Reset brings back the page's code and forgets the saved edit, also after a reload."""
        open_page(page, site.base_url + TRY_IT)
        editor = _editor(find_cell(page, "own-points"))
        original = _code(find_cell(page, "own-points")).input_value()
        editor.fill("print('changed')")
        editor.blur()
        assert list(_stored(page)) == [f"{STORAGE_PREFIX}/datacf/{TRY_IT}:own-points"]
        find_cell(page, "own-points").get_by_role("button", name="Reset").click()
        expect(_code(find_cell(page, "own-points"))).to_have_value(original)
        expect(find_cell(page, "own-points").locator(".dcf-cell__note")).to_have_text(re.compile("original code"))
        assert _stored(page) == {}
        page.reload()
        page.wait_for_function("() => document.querySelector('.dcf-cell textarea')")
        expect(_code(find_cell(page, "own-points"))).to_have_value(original)

    @pytest.mark.parametrize(
        ("stored", "notice"),
        [
            ("{not json", "could not be read"),
            ('{"v": 2, "code": "print(2)", "base": "00000000"}', "could not be read"),
            ('["print(1)"]', "could not be read"),
            ('{"v": 1, "code": "print(1)", "base": "00000000"}', "has changed since you edited it"),
        ],
        ids=["not-json", "newer-version", "wrong-shape", "stale-base"],
    )
    def test_corrupted_stored_edit_is_discarded_with_a_notice(self, page, site, stored, notice):
        """A stored value of the wrong shape, version or base is removed; the cell says so and works."""
        key = f"{STORAGE_PREFIX}/datacf/{TRY_IT}:own-points"
        page.add_init_script(f"localStorage.setItem({json.dumps(key)}, {json.dumps(stored)})")
        open_page(page, site.base_url + TRY_IT)
        cell = find_cell(page, "own-points")
        page.wait_for_function("() => document.querySelector('.dcf-cell textarea')")
        expect(cell.locator(".dcf-cell__note")).to_have_text(re.compile(notice))
        expect(_code(cell)).to_have_value(re.compile(r"^import numpy as np\n"))
        assert _stored(page) == {}

    def test_cell_works_without_local_storage(self, page, site):
        """Where reading localStorage throws (privacy modes), the cell edits and says edits are not kept."""
        page.add_init_script("""Object.defineProperty(window, "localStorage",
            {get() { throw new DOMException("denied", "SecurityError"); }})""")
        stacks = []
        page.on("pageerror", lambda error: stacks.append(error.stack or str(error)))
        open_page(page, site.base_url + TRY_IT)
        # Material's own inline scripts read localStorage unguarded and throw here; the cells must not.
        page.context.watch.take("page_errors")
        assert not [stack for stack in stacks if "code-cell.js" in stack]
        cell = find_cell(page, "own-points")
        page.wait_for_function("() => document.querySelector('.dcf-cell textarea')")
        _editor(cell).fill("print('kept only here')")
        _editor(cell).blur()
        expect(cell.locator(".dcf-cell__note")).to_have_text(re.compile("not saved"))
        cell.get_by_role("button", name="Reset").click()
        expect(_code(cell)).to_have_value(re.compile(r"^import numpy as np\n"))
