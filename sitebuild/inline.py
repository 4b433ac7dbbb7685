"""The inline template language of the pages: ``{{ dcf.READING(EXAMPLE, ...) }}`` becomes a number.

Each reading (``INLINE_READINGS``) is a reading of an example's grid, formatted by the view
model's :func:`datacf._view.format_number`; anything unknown raises ``PageError``.
"""
import ast
import math

from datacf._view import check_format, column_of, format_number, row_of

from .grid_store import PageError, names_list

__all__ = ["INLINE_READINGS", "evaluate_inline"]


def _check_format(fmt, where):
    try:
        return check_format(fmt)
    except ValueError as error:
        raise PageError(f"{where}: {error}") from None


def _row(grid, name, where):
    try:
        return row_of(grid, name)
    except ValueError as error:
        raise PageError(f"{where}: {error}") from None


def _column(grid, name, where):
    try:
        return column_of(grid, name)
    except ValueError as error:
        raise PageError(f"{where}: {error}") from None


INLINE_READINGS = {
    "value": "value(EXAMPLE, row=ROW, col=COLUMN): one cell",
    "diff": "diff(EXAMPLE, row=ROW, minus=ROW, col=COLUMN): one cell minus another in the same column",
    "utility": "utility(EXAMPLE, row=ROW, focus=None): a row's mean score over the focus columns",
    "loo": "loo(EXAMPLE, point=P, focus=None): leave-one-out value",
    "group_loo": "group_loo(EXAMPLE, points=GROUP, focus=None): group leave-one-out value",
    "shapley": "shapley(EXAMPLE, point=P, focus=None): Shapley value",
    "banzhaf": "banzhaf(EXAMPLE, point=P, focus=None): Banzhaf value",
    "scaling": "scaling(EXAMPLE, size=K, focus=None): mean utility over subsets of size K",
    "rows": "rows(EXAMPLE): the number of rows, 2**n",
    "points": "points(EXAMPLE): the number of training points, n",
    "lesson": "lesson(EXAMPLE): the one-sentence lesson of the example's toy dataset",
}
_DEFAULT_FORMATS = {"loo": "+.3f", "group_loo": "+.3f", "shapley": "+.3f", "banzhaf": "+.3f", "diff": "+.2f"}
_INLINE_ARGS = {
    "value": ("row", "col"),
    "diff": ("row", "minus", "col"),
    "utility": ("row",),
    "loo": ("point",),
    "group_loo": ("points",),
    "shapley": ("point",),
    "banzhaf": ("point",),
    "scaling": ("size",),
    "rows": (),
    "points": (),
    "lesson": (),
}
_WITHOUT_FOCUS = {"value", "diff", "rows", "points", "lesson"}   # readings that take no focus=


def _parse_inline(expression, where):
    usage = "; ".join(INLINE_READINGS.values())
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise PageError(f"{where}: cannot parse {{{{ {expression} }}}}; write e.g. "
                        '{{ dcf.value("four_points_logistic", row="ABCD", col="B") }}.') from None
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Attribute)
            and isinstance(tree.func.value, ast.Name) and tree.func.value.id == "dcf"):
        raise PageError(f"{where}: {{{{ {expression} }}}} is not a dcf.READING(...) call; the readings are: {usage}.")
    reading = tree.func.attr
    if reading not in INLINE_READINGS:
        raise PageError(f"{where}: unknown reading dcf.{reading}; the readings are: {usage}.")

    def literal(node):
        try:
            return ast.literal_eval(node)
        except ValueError:
            raise PageError(f"{where}: {{{{ {expression} }}}}: arguments must be literals like \"AB\" or 2.") from None

    if len(tree.args) != 1:
        raise PageError(f"{where}: {{{{ {expression} }}}} needs the example name as its one positional argument.")
    example = literal(tree.args[0])
    kwargs = {kw.arg: literal(kw.value) for kw in tree.keywords}
    allowed = set(_INLINE_ARGS[reading]) | {"fmt"} | ({"focus"} if reading not in _WITHOUT_FOCUS else set())
    unknown = sorted(set(kwargs) - allowed, key=str)
    missing = [a for a in _INLINE_ARGS[reading] if a not in kwargs]
    if unknown or missing:
        raise PageError(f"{where}: {{{{ {expression} }}}}: "
                        + (f"unknown argument {unknown[0]!r}" if unknown else f"missing argument {missing[0]!r}")
                        + f"; usage: dcf.{INLINE_READINGS[reading]}.")
    return reading, example, kwargs


def evaluate_inline(expression, store, where="page"):
    """The formatted text for one inline ``dcf.READING(...)`` expression."""
    reading, example, kwargs = _parse_inline(expression, where)
    where = f"{where}: {{{{ {expression} }}}}"
    try:
        _, grid = store.get(example)
    except PageError as error:
        raise PageError(f"{where}: {error}") from None
    if reading == "lesson":
        from datacf import toy_lesson

        if store.examples is None or example not in store.examples:
            raise PageError(f"{where}: the lesson needs the example declarations.")
        return toy_lesson(store.examples[example].spec["dataset"])
    if reading in ("rows", "points"):
        return str(2**grid.n_points if reading == "rows" else grid.n_points)
    fmt = _check_format(kwargs.pop("fmt", _DEFAULT_FORMATS.get(reading, ".2f")), where)
    focus = kwargs.pop("focus", None)
    if focus is not None:
        focus = [_column(grid, c, where) for c in names_list(focus, "focus", where)]
    try:
        if reading == "value":
            value = grid.values[_row(grid, kwargs["row"], where), _column(grid, kwargs["col"], where)]
        elif reading == "diff":
            col = _column(grid, kwargs["col"], where)
            value = grid.values[_row(grid, kwargs["row"], where), col] - grid.values[_row(grid, kwargs["minus"], where), col]
        elif reading == "utility":
            value = grid.utility(focus)[_row(grid, kwargs["row"], where)]
        elif reading == "group_loo":
            value = grid.group_loo(names_list(kwargs["points"], "points", where)[0], focus)
        elif reading == "scaling":
            size = kwargs["size"]
            if not isinstance(size, int) or not 0 <= size <= grid.n_points:
                raise PageError(f"{where}: size must be an integer from 0 to {grid.n_points}.")
            value = grid.scaling(focus)[size]
        else:
            point = kwargs["point"]
            if point not in grid.point_names:
                raise PageError(f"{where}: {point!r} is not a point; the points are {list(grid.point_names)}.")
            value = getattr(grid, reading)(focus)[grid.point_names.index(point)]
    except ValueError as error:
        if isinstance(error, PageError):
            raise
        raise PageError(f"{where}: {error}") from None
    if not math.isfinite(float(value)):
        raise PageError(f"{where}: the value is not finite.")
    return format_number(float(value), fmt)
