"""The Python side of the page's worker: run a reader's code, describe what it produced.

The site's worker (``docs/js/py-worker.js``) loads Pyodide, unpacks the datacf wheel and calls
:func:`run_cell` for each run; it captures stdout and stderr itself. Everything returned is a
JSON string, so nothing but plain data crosses from Python to the page.

- The last expression of a cell, if any, is its *display*: a :class:`~datacf.Grid` (or any object
  whose ``.values`` is a 2-D table of 2**n rows) becomes ``{"kind": "grid", "json": ..., "view":
  ...}``: the grid in the format of ``Grid.to_json``, and how to draw it, from the same view model
  the static pages use (``datacf._view.view_json``), so the page decides nothing about it;
  anything else becomes ``{"kind": "text", "text": repr(value)}``.
- An exception becomes ``{"type", "message", "traceback", "module"}``; the traceback keeps only
  the reader's own frames (file ``<cell>``), not those of this runner, Pyodide or libraries.
  ``module`` names the missing module of a ``ModuleNotFoundError`` (else None), so the worker
  can load a package from the lock file and run the cell again.
"""
import ast
import json
import linecache
import traceback

import numpy as np

from ._grid import Grid
from ._view import view_json

__all__ = ["run_cell", "find_imports", "display_of", "CELL_FILENAME", "MAX_TEXT"]

CELL_FILENAME = "<cell>"
MAX_TEXT = 100_000          # characters of a repr shown; a huge array would freeze the page
_SCOPES = {}                # named persistent namespaces (``scope=``); None means a fresh one


def find_imports(code):
    """Top-level module names the code imports, sorted; [] if it does not parse.

    >>> find_imports("import numpy as np\\nfrom sklearn.tree import DecisionTreeClassifier")
    ['numpy', 'sklearn']
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return sorted(names)


def _as_grid(value):
    if isinstance(value, Grid):
        return value
    table = getattr(value, "values", None)
    if table is None or callable(table):        # a dict's .values() is a method, not a table
        return None
    try:
        return Grid(np.asarray(table, dtype=float), point_names=getattr(value, "point_names", None),
                    eval_names=getattr(value, "eval_names", None))
    except (TypeError, ValueError):
        return None


def display_of(value):
    """The display of a cell's last value: None, a grid's JSON, or a repr (as text)."""
    if value is None:
        return None
    grid = _as_grid(value)
    if grid is not None:
        return {"kind": "grid", "json": grid.to_json(), "view": view_json(grid, rows="auto", live=True)}
    text = repr(value)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"… ({len(text) - MAX_TEXT} more characters)"
    return {"kind": "text", "text": text}


def _trimmed_traceback(error):
    """The traceback text with only the reader's frames, then the exception itself."""
    summary = traceback.TracebackException.from_exception(error)
    frames = [frame for frame in summary.stack if frame.filename == CELL_FILENAME]
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.StackSummary.from_list(frames).format())
        first = next(i for i, frame in enumerate(summary.stack) if frame.filename == CELL_FILENAME)
        hidden = sum(frame.filename != CELL_FILENAME for frame in summary.stack[first:])
        if hidden:
            lines.append(f"  ... {hidden} more {'frame' if hidden == 1 else 'frames'} inside libraries\n")
    lines.extend(summary.format_exception_only())
    return "".join(lines)


def _run(code, namespace):
    tree = ast.parse(code, filename=CELL_FILENAME)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, CELL_FILENAME, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), CELL_FILENAME, "eval"), namespace)


def run_cell(code, scope=None):
    """Run *code* as a cell; return JSON ``{"display": ..., "error": ...}``.

    Parameters
    ----------
    code : str
        The reader's Python source.
    scope : str or None, default=None
        None runs in a fresh namespace; a name reuses that namespace across runs.
    """
    namespace = _SCOPES.setdefault(scope, {}) if scope is not None else {}
    namespace.setdefault("__name__", "__main__")
    # Let tracebacks quote the reader's lines, as they would from a file.
    linecache.cache[CELL_FILENAME] = (len(code), None, code.splitlines(True), CELL_FILENAME)
    display = error = None
    try:
        display = display_of(_run(code, namespace))
    except BaseException as exc:          # SystemExit and KeyboardInterrupt too: report, never die
        error = {
            "type": type(exc).__name__,
            "message": str(exc),
            "traceback": _trimmed_traceback(exc),
            "module": exc.name if isinstance(exc, ModuleNotFoundError) else None,
        }
    return json.dumps({"display": display, "error": error})
