"""The Python side of the page's worker: run a reader's code, describe what it produced.

The site's worker (``docs/js/py-worker.js``) loads Pyodide, unpacks the datacf wheel and calls
:func:`run_cell` for each run; it captures stdout and stderr itself. Everything returned is a
JSON string, so nothing but plain data crosses from Python to the page.

- The last expression of a cell, if any, is its *display*: a :class:`~datacf.Grid` (or any object
  whose ``.values`` is a 2-D table of 2**n rows) becomes ``{"kind": "grid", "json": ..., "view":
  ...}``: the grid in the format of ``Grid.to_json``, and how to draw it, from the same view model
  the static pages use (``datacf._view.view_json``), so the page decides nothing about it;
  a :class:`ChartUpdate` (from :func:`redraw_chart`) becomes ``{"kind": "chart", "id": ...,
  "update": ...}``, which the page applies with ``window.datacf.plots.redraw`` (docs/js/plot-svg.js);
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

__all__ = ["run_cell", "find_imports", "display_of", "redraw_chart", "ChartUpdate", "CELL_FILENAME",
           "MAX_TEXT"]

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


class ChartUpdate:
    """New numbers for a chart on the page, made by :func:`redraw_chart`; a cell's last value."""

    def __init__(self, chart_id, update):
        self.id = chart_id
        self.update = update

    def __repr__(self):
        return f"ChartUpdate({self.id!r}, fields={sorted(self.update)})"

    def display(self):
        return {"kind": "chart", "id": self.id, "update": self.update}


def _numbers(values, what, length=None):
    """*values* as a list of finite floats (of *length*, if given); a ValueError says which."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a list of numbers, not {type(values).__name__}") from None
    if array.ndim != 1 or not array.size:
        raise ValueError(f"{what} must be a non-empty 1-D list of numbers; got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{what} holds NaN or infinity; every number of a chart must be finite")
    if length is not None and array.size != length:
        raise ValueError(f"{what} has {array.size} numbers, but the chart has {length} "
                         f"points; give every list the same length")
    return array.tolist()


def _labels(labels, what, length):
    if isinstance(labels, str) or not hasattr(labels, "__iter__") or \
            not all(isinstance(label, str) for label in labels):
        raise TypeError(f"{what} must be a list of strings, one per point")
    labels = list(labels)
    if len(labels) != length:
        raise ValueError(f"{what} has {len(labels)} labels, but the chart has {length} points")
    return labels


def redraw_chart(chart_id, series, *, x=None, names=None, title=None):
    """New numbers for the chart ``chart_id`` on this page; make it a cell's last value to redraw it.

    Parameters
    ----------
    chart_id : str
        The ``id`` of a ``datacf-plot`` or ``datacf-measured`` chart on the page.
    series : list of array-like
        One list of y values per series, in the chart's order (labels stay); a chart's later
        series, if not given, keep their numbers.
    x : array-like, optional
        A scatter's x values, one per point.
    names : list of str, optional
        New point names of a scatter, needed when the number of points changes.
    title : str, optional
        A new title for the chart.

    Returns
    -------
    ChartUpdate
        Displayed by the page as the redrawn chart, or as an error in the cell if the page has
        no chart ``chart_id`` or the chart refuses the numbers.
    """
    if not isinstance(chart_id, str) or not chart_id:
        raise TypeError(f"chart_id must be the chart's id as a non-empty string, not {chart_id!r}")
    if isinstance(series, str) or not hasattr(series, "__len__") or not len(series):
        raise TypeError("series must be a non-empty list of lists of numbers, one per series")
    first = _numbers(series[0], "series 0")
    ys = [first] + [_numbers(s, f"series {i}", len(first)) for i, s in enumerate(series) if i]
    update = {"series": [{"y": y} for y in ys]}
    if x is not None:
        update["x"] = _numbers(x, "x", len(first))
    if names is not None:
        update["names"] = _labels(names, "names", len(first))
    if title is not None:
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, not {type(title).__name__}")
        update["title"] = title
    return ChartUpdate(chart_id, update)


def display_of(value):
    """The display of a cell's last value: None, a grid's JSON, a chart update, or a repr (as text)."""
    if value is None:
        return None
    if isinstance(value, ChartUpdate):
        return value.display()
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
