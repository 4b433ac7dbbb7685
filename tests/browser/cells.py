"""Running a page's ``datacf-run`` cells from a browser test, and what CPython prints for the same code."""
import contextlib
import io
import json

from datacf._browser import run_cell

# A cold Pyodide load with numpy and datacf (and SciPy where a cell needs it), on a busy machine.
PYTHON_LOAD_TIMEOUT_MS = 120_000
SETTLED_JS = "(cell) => ['done', 'error', 'stopped'].includes(cell.dataset.state)"


def find_cell(page, cell_id):
    return page.locator(f'div.dcf-cell[data-cell="{cell_id}"]')


def run_in_page(cell, code=None, timeout=PYTHON_LOAD_TIMEOUT_MS):
    """Run the cell (with *code* typed in first, if given) and wait until the run ends; return the cell."""
    if code is not None:
        cell.locator(".cm-editor").get_by_role("textbox").fill(code)
    cell.evaluate("(cell) => { delete cell.dataset.state; }")
    cell.get_by_role("button", name="Run").click()
    cell.page.wait_for_function(SETTLED_JS, arg=cell.element_handle(), timeout=timeout)
    return cell


def cell_stdout(cell):
    return cell.locator(".dcf-cell__part--stdout pre")


def cpython_stdout(code):
    """What the code prints under CPython, through the runner the page's worker uses."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        reply = json.loads(run_cell(code))
    assert reply["error"] is None, reply["error"]
    return out.getvalue()


def checked_page(live):
    """The page of a shared ``(page, watch)``, after failing on what it did wrong since the last check."""
    page, watch = live
    problems = {kind: list(items) for kind, items in watch.problems().items()}
    for kind in ("console_errors", "page_errors", "outside_requests"):
        watch.take(kind)
    assert not problems, f"the page misbehaved: {problems}"
    return page
