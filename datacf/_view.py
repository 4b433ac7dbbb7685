"""The grid's view model: every decision about how a grid is presented, made once.

The static pages (``sitebuild``, at build time) and the page scripts (``docs/js``, for grids
computed in the reader's browser) only turn the output of :func:`grid_view` into DOM, so a
grid looks the same wherever it is drawn (DESIGN.md §2, "One owner per decision"). This
module imports only numpy, so the page's worker can run it in the fast tier.

What it decides:

- **rows**: which rows are shown ("all"; "loo" = the full set, then the full set minus each
  point; "auto"; or an author's list such as ``["full", "full-E", "ABCD"]``), and the order of
  "all": by subset size, then by the members' indices (∅, A, B, C, AB, AC, BC, ABC);
- **names**: a row's name is :func:`datacf._subsets.subset_name` (``Grid.row_names``);
- **numbers**: :func:`format_number`, one of ``.Nf``, ``+.Nf``, ``.N%`` (N = 0..6), with a true
  minus sign (U+2212) and no sign on a number that rounds to zero;
- **words**: the metric's wording, the caption, each cell's screen-reader label, the legend;
- **colour**: each cell's ``shade`` in [0, 1], where 1 is the darkest heat and *always means the
  better score*: prob_correct and accuracy map [0, 1] to [0, 1]; log_loss (lower is better) maps
  the grid's largest value to 0 and its smallest to 1; a grid of unknown metric maps its own
  smallest value to 0 and largest to 1.
"""
import json
import re

import numpy as np

from ._subsets import subset_name, subset_sizes

__all__ = [
    "VIEW_SCHEMA",
    "VIEW_VERSION",
    "ROW_SETS",
    "MAX_AUTO_ROWS",
    "MAX_ALL_ROWS",
    "METRIC_WORDS",
    "MINUS",
    "check_format",
    "format_number",
    "grid_view",
    "view_json",
    "row_order",
    "row_of",
    "column_of",
]

VIEW_SCHEMA = "datacf.grid-view"
VIEW_VERSION = 1
ROW_SETS = ("all", "loo", "auto")
# "auto" shows every row up to this many (a 4-point grid); beyond, the full set and each
# leave-one-out row, which is what a reader looks at first.
MAX_AUTO_ROWS = 16
# ``all_rows=True`` adds every row for a "Show all" toggle only up to this many rows
# (n = 10): about a megabyte of view, still quick to draw; 2**16 rows would not be.
MAX_ALL_ROWS = 1024
METRIC_WORDS = {
    "prob_correct": "the probability the model gives the true label",
    "accuracy": "accuracy (1 if the model predicts the true label, else 0)",
    "log_loss": "log loss (lower is better)",
}
_HIGHER_IS_BETTER = {"prob_correct": True, "accuracy": True, "log_loss": False}
_UNIT_SCALE = {"prob_correct", "accuracy"}       # metrics that live in [0, 1]
_UNKNOWN_WORDS = "the value in the grid"
_FORMAT = re.compile(r"^\+?\.[0-6][f%]$")
MINUS = "\u2212"
_SHADE_DIGITS = 4      # a shade is a CSS mix percentage: 1e-4 is finer than any screen shows


# --- numbers ---------------------------------------------------------------------------------


def check_format(fmt):
    """Return ``fmt`` if it is ``.Nf``, ``+.Nf`` or ``.N%`` with N in 0..6; else raise ValueError."""
    if not isinstance(fmt, str) or not _FORMAT.match(fmt):
        raise ValueError(f"format={fmt!r} is not supported; use '.2f', '+.3f' or '.0%' (0-6 digits).")
    return fmt


def format_number(value, fmt=".2f"):
    """``format(value, fmt)`` with a true minus sign and no sign on a rounded zero.

    >>> format_number(-0.034, ".2f"), format_number(0.1, "+.2f"), format_number(-0.001, "+.2f")
    ('−0.03', '+0.10', '0.00')
    >>> format_number(0.8125, ".1%"), format_number(-0.0, ".2f")
    ('81.2%', '0.00')
    """
    text = format(float(value), fmt)
    if not any(ch in "123456789" for ch in text):
        text = text.lstrip("+-")
    return text.replace("-", MINUS)


def _signed(fmt):
    """The format of a difference: ``fmt`` with a plus sign."""
    return "+" + fmt.lstrip("+")


# --- rows and columns ------------------------------------------------------------------------


def _members(row, n_points):
    return [i for i in range(n_points) if (row >> i) & 1]


def row_order(n_points):
    """Every row index, by subset size, then by the members' indices.

    >>> row_order(3)
    [0, 1, 2, 4, 3, 5, 6, 7]
    """
    return sorted(range(2**n_points), key=lambda r: (int(subset_sizes(n_points)[r]), _members(r, n_points)))


def _loo_rows(n_points):
    full = 2**n_points - 1
    return [full] + [full ^ (1 << i) for i in range(n_points)]


def row_of(grid, name):
    """Row index of a subset name ("ABD", "∅"), "full" (every point) or "full-BD" (all but B, D).

    An int in range(2**n) is taken as a row index.

    >>> from datacf import Grid
    >>> grid = Grid([[0.0]] * 8)
    >>> row_of(grid, "AC"), row_of(grid, "full"), row_of(grid, "full-B")
    (5, 7, 5)
    """
    full = 2**grid.n_points - 1
    if isinstance(name, (int, np.integer)) and not isinstance(name, bool) and 0 <= name <= full:
        return int(name)
    try:
        if name == "full":
            return full
        if isinstance(name, str) and name.startswith("full-"):
            removed = grid.row_index(name[len("full-"):])
            if removed == 0:
                raise ValueError(name)
            return full & ~removed
        if not isinstance(name, str):
            raise ValueError(name)
        return grid.row_index(name)
    except ValueError:
        raise ValueError(
            f"{name!r} is not a row of this grid; rows are subsets of the points "
            f"{list(grid.point_names)}, written like 'ABD' or '∅', or 'full' and 'full-B' "
            "(every point, every point but B)."
        ) from None


def column_of(grid, name):
    """Index of an evaluation column given by name (or by index)."""
    if isinstance(name, (int, np.integer)) and not isinstance(name, bool) and 0 <= name < grid.n_eval:
        return int(name)
    if name not in grid.eval_names:
        raise ValueError(f"{name!r} is not an evaluation column; the columns are {list(grid.eval_names)}.")
    return grid.eval_names.index(name)


def _name_list(value, what):
    if isinstance(value, (str, int, np.integer)):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"{what} must be a non-empty list, e.g. [AB, ABCD]; got {value!r}.")
    for item in value:
        if not isinstance(item, (str, int, np.integer)) or isinstance(item, bool):
            raise ValueError(f"{what} must list names as text; got {item!r} (quote it).")
    return list(value)


def _shown_rows(grid, rows):
    """(row set name, row indices) of the ``rows`` option."""
    n = grid.n_points
    if rows == "auto":
        rows = "all" if 2**n <= MAX_AUTO_ROWS else "loo"
    if rows == "all":
        return "all", row_order(n)
    if rows == "loo":
        return "loo", _loo_rows(n)
    if isinstance(rows, str):
        try:
            return "selected", [row_of(grid, rows)]
        except ValueError as error:
            raise ValueError(f"rows={rows!r} is neither a row set ({', '.join(ROW_SETS)}) nor a row: {error}") from None
    shown = [row_of(grid, r) for r in _name_list(rows, "rows")]
    if len(set(shown)) != len(shown):
        raise ValueError("rows lists the same subset twice.")
    return "selected", shown


# --- scale and words ---------------------------------------------------------------------


def _metric(grid):
    metric = (grid.inputs or {}).get("metric")
    return metric if isinstance(metric, str) else None


def _scale(grid, metric):
    """(value at shade 0, value at shade 1): the lightest and darkest ends of the heat."""
    if metric in _UNIT_SCALE:
        return 0.0, 1.0
    low, high = float(grid.values.min()), float(grid.values.max())
    if not high > low:
        high = low + 1.0
    return (high, low) if _HIGHER_IS_BETTER.get(metric) is False else (low, high)


def _shades(values, light, dark):
    shade = np.clip((values - light) / (dark - light), 0.0, 1.0)
    return np.round(shade, _SHADE_DIGITS)


def _model_name(grid):
    model = (grid.inputs or {}).get("model")
    name = model.get("class") if isinstance(model, dict) else None
    return name if isinstance(name, str) else None


def _default_caption(grid, title, words, live):
    if title is None:
        model = _model_name(grid)
        sizes = f"{_plural(2**grid.n_points, 'training set')}, {_plural(grid.n_eval, 'evaluation point')}"
        if live:
            title = f"{model + ', computed' if model else 'Computed'} in your browser: {sizes}"
        else:
            title = f"{model + ' on' if model else 'A grid over'} {_plural(grid.n_points, 'point')}: {sizes}"
    return f"{title}. Each cell: {words}."


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- the view ------------------------------------------------------------------------------------


def _row_view(grid, r, fmt, light, dark, compare):
    n = grid.n_points
    members = [grid.point_names[i] for i in _members(r, n)]
    trained_on = ", ".join(members) if members else "nothing"
    values = grid.values[r]
    shades = _shades(values, light, dark)
    cells = []
    for c, (value, shade) in enumerate(zip(values.tolist(), shades.tolist())):
        text = format_number(value, fmt)
        cells.append({
            "value": value,
            "text": text,
            "shade": shade,
            "label": f"trained on {trained_on}; evaluated at {grid.eval_names[c]}: {text}",
        })
    mark = None
    if compare is not None and r in compare:
        mark = "first" if r == compare[0] else "second"
    return {
        "row": r,
        "label": subset_name(r, grid.point_names),
        "size": len(members),
        "members": members,
        "trainedOn": trained_on,
        "cells": cells,
        "compare": mark,
    }


def _groups(rows):
    sizes = sorted({row["size"] for row in rows})
    groups = []
    for size in sizes:
        positions = [p for p, row in enumerate(rows) if row["size"] == size]
        groups.append({
            "size": size,
            "label": f"{_plural(size, 'point')} ({_plural(len(positions), 'training set')})",
            "rows": positions,
        })
    return groups


def _compare_view(grid, compare, fmt):
    first, second = (subset_name(r, grid.point_names) for r in compare)
    signed = _signed(fmt)
    cells = []
    for c, d in enumerate((grid.values[compare[0]] - grid.values[compare[1]]).tolist()):
        text = format_number(d, signed)
        cells.append({
            "value": d,
            "text": text,
            "label": f"difference, {first} minus {second}, evaluated at {grid.eval_names[c]}: {text}",
        })
    return {
        "rows": list(compare),
        "names": [first, second],
        "label": f"difference ({first} {MINUS} {second})",
        "format": signed,
        "cells": cells,
    }


def _legend(grid, metric, words, fmt, light, dark, compare, focus):
    digits = "".join(ch for ch in fmt if ch.isdigit())
    ends = "." + digits + "f"
    better = "the score rises" if _HIGHER_IS_BETTER.get(metric, True) else "the loss falls"
    lines = [[{"text": f"Rows are training sets, columns are evaluation points; each cell shows {words}, "
                       f"and its shading deepens as {better}."}]]
    if compare is not None:
        first, second = compare["names"]
        lines.append([
            {"text": "Compared: "}, {"text": first, "mark": "first"}, {"text": " (solid outline) and "},
            {"text": second, "mark": "second"},
            {"text": " (dashed outline); the last row is their difference."},
        ])
    if focus:
        lines.append([{"text": f"Focus columns (underlined): {', '.join(grid.eval_names[c] for c in focus)}."}])
    return {
        "light": {"value": light + 0.0, "text": format_number(light, ends)},     # + 0.0: no -0.0
        "dark": {"value": dark + 0.0, "text": format_number(dark, ends)},
        "lines": lines,
    }


def grid_view(grid, rows="all", focus=None, compare=None, fmt=None, caption=None, title=None, all_rows=False,
              live=False):
    """Everything a page needs to draw ``grid`` as a table, as JSON-ready data.

    Parameters
    ----------
    grid : Grid
        The grid to present.
    rows : "all", "loo", "auto" or sequence of str or int, default="all"
        The rows shown, in this order. "all": every row by subset size, then by the members'
        indices; "loo": the full set, then the full set without each point in index order;
        "auto": "all" up to ``MAX_AUTO_ROWS`` rows, else "loo"; a list names rows as subsets
        ("ABD", "∅"), "full", "full-E" (every point but E) or row indices.
    focus : str, int, sequence of those, or None, default=None
        Evaluation columns to mark (underlined on the page), by name or index.
    compare : pair of row names, or None, default=None
        Two shown rows to mark (solid and dashed outlines) and subtract in a difference row.
    fmt : str or None, default=None
        ``.Nf``, ``+.Nf`` or ``.N%`` with N in 0..6; None means ".2f".
    caption : str or None, default=None
        The table's caption; None gives "<title>. Each cell: <metric words>.".
    title : str or None, default=None
        What the default caption starts with; None describes the grid (model, sizes).
    live : bool, default=False
        The grid was computed in the reader's browser: the default description says so.
    all_rows : bool, default=False
        Also give every row (for a "Show all" toggle) when the shown rows are not all of them
        and the grid has at most ``MAX_ALL_ROWS`` rows.

    Returns
    -------
    dict
        Only str, int, float, bool, None, list and dict, so ``json.dumps`` takes it as is:

        - ``schema`` ("datacf.grid-view"), ``version`` (1);
        - ``metric`` (str or None), ``metricWords`` (e.g. "log loss (lower is better)"),
          ``higherIsBetter`` (bool, or None for a grid of unknown metric), ``format`` (str);
        - ``nPoints``, ``nRows`` (2**n, the number of rows the grid has), ``pointNames``,
          ``colLabels`` (evaluation column names), ``focus`` (column indices, in given order),
          ``cornerLabel`` ("training set": the header above the row names), ``caption``;
        - ``rowSet``: "all", "loo" or "selected" (which rule chose ``rows``);
        - ``rows``: one dict per shown row, in display order: ``row`` (the index into
          ``grid.values``), ``label`` (``Grid.row_names[row]``: "ABD", "∅"), ``size`` (|S|),
          ``members`` (point names), ``trainedOn`` ("A, B, D" or "nothing"), ``compare``
          ("first", "second" or None), and ``cells``, one per column: ``value`` (float, exact),
          ``text`` (formatted), ``shade`` (float in [0, 1], 1 = darkest = better, 4 decimals),
          ``label`` ("trained on A, B, D; evaluated at C: 0.81");
        - ``groups``: the shown rows by subset size, ascending: ``size``, ``label``
          ("2 points (6 training sets)") and ``rows`` (positions in ``rows``);
        - ``allRows``: None, or (``all_rows=True``) every row in "all" order, as in ``rows``;
          ``allRowsLabel``: the toggle's text ("Show all 16 rows") when ``allRows`` is given;
        - ``legend``: ``light`` and ``dark``, each ``{"value", "text"}``: the values at shade 0
          and shade 1, the two ends of the legend's bar (for log_loss ``light`` is the larger);
          ``lines``: sentences, each a list of runs ``{"text"}`` or ``{"text", "mark"}`` where
          mark "first"/"second" names a compared row;
        - ``compare``: None or ``rows`` (the two row indices), ``names``, ``label`` ("difference
          (ABCD − ACD)"), ``format`` (the signed format) and ``cells`` of ``value``, ``text``,
          ``label`` ("difference, ABCD minus ACD, evaluated at C: +0.12"): first minus second.

    Raises
    ------
    ValueError
        If a row, column, format or option is not valid for this grid; the message names it.

    Examples
    --------
    >>> from datacf import Grid
    >>> view = grid_view(Grid([[0.5], [1.0]]), fmt=".1f")
    >>> [(row["label"], row["cells"][0]["text"]) for row in view["rows"]]
    [('∅', '0.5'), ('A', '1.0')]
    >>> view["rows"][1]["cells"][0]["label"]
    'trained on A; evaluated at A: 1.0'
    """
    fmt = check_format(".2f" if fmt is None else fmt)
    if caption is not None and not isinstance(caption, str):
        raise ValueError(f"caption must be text; got {caption!r}.")
    if title is not None and not isinstance(title, str):
        raise ValueError(f"title must be text; got {title!r}.")
    row_set, shown = _shown_rows(grid, rows)
    focus_cols = []
    if focus is not None:
        focus_cols = [column_of(grid, c) for c in _name_list(focus, "focus")]
    compare_rows = None
    if compare is not None:
        pair = _name_list(compare, "compare")
        if len(pair) != 2:
            raise ValueError(f"compare needs exactly two rows, e.g. [ABCD, ACD]; got {pair!r}.")
        compare_rows = [row_of(grid, r) for r in pair]
        if compare_rows[0] == compare_rows[1]:
            raise ValueError(f"compare needs two different rows; got {pair!r}.")
        missing = [r for r in compare_rows if r not in shown]
        if missing:
            raise ValueError(f"compare row {subset_name(missing[0], grid.point_names)!r} is not among the rows "
                             "shown; add it to rows.")
    metric = _metric(grid)
    words = METRIC_WORDS.get(metric, metric or _UNKNOWN_WORDS)
    light, dark = _scale(grid, metric)
    row_views = {r: _row_view(grid, r, fmt, light, dark, compare_rows) for r in shown}
    every = None
    if all_rows and row_set != "all" and 2**grid.n_points <= MAX_ALL_ROWS:
        every = [row_views.get(r) or _row_view(grid, r, fmt, light, dark, compare_rows)
                 for r in row_order(grid.n_points)]
    shown_views = [row_views[r] for r in shown]
    compare_view = None if compare_rows is None else _compare_view(grid, compare_rows, fmt)
    return {
        "schema": VIEW_SCHEMA,
        "version": VIEW_VERSION,
        "metric": metric,
        "metricWords": words,
        "higherIsBetter": _HIGHER_IS_BETTER.get(metric),
        "format": fmt,
        "nPoints": grid.n_points,
        "nRows": 2**grid.n_points,
        "pointNames": list(grid.point_names),
        "colLabels": list(grid.eval_names),
        "focus": focus_cols,
        "cornerLabel": "training set",
        "caption": _default_caption(grid, title, words, live) if caption is None else caption,
        "rowSet": row_set,
        "rows": shown_views,
        "groups": _groups(shown_views),
        "allRows": every,
        "allRowsLabel": None if every is None else f"Show all {2**grid.n_points} rows",
        "legend": _legend(grid, metric, words, fmt, light, dark, compare_view, focus_cols),
        "compare": compare_view,
    }


def view_json(grid, **options):
    """:func:`grid_view` as compact JSON text (what the page's worker sends to the page).

    >>> import json
    >>> from datacf import Grid
    >>> json.loads(view_json(Grid([[0.5], [1.0]])))["rows"][0]["label"]
    '∅'
    """
    view = grid_view(grid, **options)
    return json.dumps(view, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
