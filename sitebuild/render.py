"""Turn the explainer's Markdown extensions into HTML, from the precomputed example JSON.

Three extensions, all resolved at build time so a page reads with JavaScript off:

- a fenced ``datacf-grid`` block: a static heat-map table of an example grid (the page's
  JavaScript, ``docs/js/grid-table.js``, then makes it a keyboard-navigable ARIA grid);
- a fenced ``datacf-points`` block: an SVG scatter plot of an example's training points,
  with a text description and a coordinate table;
- inline numbers, ``{{ dcf.value("four_points_logistic", row="ABCD", col="B") }}``: any
  reading of a grid, formatted; see ``INLINE_READINGS``.

Anything unknown (an example, a key, a row, a column, a reading, a format) raises
``PageError`` naming the page and the problem, so a typo fails the build.
"""
import ast
import html
import json
import math
import re
from pathlib import Path

from .cells import CELL_LANG, CellCounter, CellError, render_cell

__all__ = [
    "PageError",
    "GridStore",
    "GRID_KEYS",
    "POINTS_KEYS",
    "INLINE_READINGS",
    "transform_markdown",
    "render_grid",
    "render_points",
    "evaluate_inline",
    "format_number",
    "script_json",
]

GRID_KEYS = ("example", "rows", "compare", "focus", "format", "caption")
POINTS_KEYS = ("example", "highlight", "caption")
_FORMAT = re.compile(r"^\+?\.[0-6][f%]$")
_INLINE = re.compile(r"\{\{\s*(dcf\..*?)\s*\}\}")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w.-]*)")
_METRIC_WORDS = {
    "prob_correct": "the probability the model gives the true label",
    "accuracy": "accuracy (1 if the model predicts the true label, else 0)",
    "log_loss": "log loss (lower is better)",
}
MINUS = "\u2212"


class PageError(ValueError):
    """Raised when a page refers to an unknown example, key, row, column, reading or format."""


class GridStore:
    """The example JSON files of one build, loaded on first use."""

    def __init__(self, grids_dir, examples=None):
        self.grids_dir = Path(grids_dir)
        self.examples = examples
        self._cache = {}

    def names(self):
        if self.examples is not None:
            return list(self.examples)
        return sorted(p.stem for p in self.grids_dir.glob("*.json"))

    def get(self, name):
        """``(document, Grid)`` of the example ``name``."""
        from datacf import Grid

        if not isinstance(name, str) or name not in self.names():
            raise PageError(f"unknown example {name!r}; the examples are {self.names()} (docs/examples.toml).")
        if name not in self._cache:
            path = self.grids_dir / f"{name}.json"
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except OSError:
                raise PageError(f"the grid file {path} is missing; run python build_grids.py.") from None
            self._cache[name] = document, Grid.from_json(json.dumps(document["grid"]))
        return self._cache[name]


# --- small helpers -------------------------------------------------------------------------


def format_number(value, fmt=".2f"):
    """``format(value, fmt)`` with a true minus sign and no sign on a rounded zero.

    >>> format_number(-0.034, ".2f"), format_number(0.1, "+.2f"), format_number(-0.001, "+.2f")
    ('−0.03', '+0.10', '0.00')
    """
    text = format(value, fmt)
    if not any(ch in "123456789" for ch in text):
        text = text.lstrip("+-")
    return text.replace("-", MINUS)


def _check_format(fmt, where):
    if not isinstance(fmt, str) or not _FORMAT.match(fmt):
        raise PageError(f"{where}: format={fmt!r} is not supported; use '.2f', '+.3f' or '.0%' (0-6 digits).")
    return fmt


def script_json(data):
    """JSON to embed as HTML text (a ``<template>`` or ``<script>``): ``<``, ``>`` and ``&`` are
    escaped as ``\\u003c`` etc., so no string inside can close the element, open a tag or a
    comment, or be read as a character reference.

    >>> script_json({"a": "</script>"})
    '{"a":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _esc(text):
    return html.escape(str(text), quote=True)


def _names_list(value, what, where):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise PageError(f"{where}: {what} must be a non-empty list, e.g. [AB, ABCD]; got {value!r}.")
    for item in value:
        if not isinstance(item, str):
            raise PageError(f"{where}: {what} must list names as text; got {item!r} (quote it).")
    return value


def _row(grid, name, where):
    """Row index of a subset name ("ABD", "∅"), "full" (every point) or "full-BD" (all but B, D)."""
    full = 2**grid.n_points - 1
    try:
        if name == "full":
            return full
        if isinstance(name, str) and name.startswith("full-"):
            removed = grid.row_index(name[len("full-"):])
            if removed == 0:
                raise ValueError(name)
            return full & ~removed
        return grid.row_index(name)
    except ValueError:
        raise PageError(
            f"{where}: {name!r} is not a row of this grid; rows are subsets of the points "
            f"{list(grid.point_names)}, written like 'ABD' or '∅', or 'full' and 'full-B' "
            "(every point, every point but B)."
        ) from None


def _column(grid, name, where):
    if name not in grid.eval_names:
        raise PageError(f"{where}: {name!r} is not an evaluation column; the columns are {list(grid.eval_names)}.")
    return grid.eval_names.index(name)


def _members(grid, row):
    return [i for i in range(grid.n_points) if (row >> i) & 1]


def _all_rows_sorted(grid):
    """Every row, by subset size, then by the members' indices (AB, AC, AD, BC, ...)."""
    return sorted(range(2**grid.n_points), key=lambda r: (len(_members(grid, r)), _members(grid, r)))


def _scale(grid):
    metric = grid.inputs["metric"] if grid.inputs else None
    if metric in ("prob_correct", "accuracy"):
        return 0.0, 1.0
    low, high = float(grid.values.min()), float(grid.values.max())
    return low, (high if high > low else low + 1.0)


def _parse_block(source, keys, where):
    import yaml

    try:
        options = yaml.safe_load(source) if source.strip() else {}
    except yaml.YAMLError as error:
        raise PageError(f"{where}: the block is not valid YAML: {error}") from None
    if not isinstance(options, dict):
        raise PageError(f"{where}: the block must hold 'key: value' lines; the keys are {list(keys)}.")
    unknown = sorted(set(options) - set(keys), key=str)
    if unknown:
        raise PageError(f"{where}: unknown key {unknown[0]!r}; the keys are {list(keys)}.")
    if "example" not in options:
        raise PageError(f"{where}: the block needs 'example: NAME'.")
    return options


# --- the grid table ------------------------------------------------------------------------


def _trained_on(grid, row):
    members = [grid.point_names[i] for i in _members(grid, row)]
    return "trained on " + (", ".join(members) if members else "nothing")


def _block_example(options, store, where):
    """(name, where, document, grid) of the example a block names; ``where`` now names it too."""
    name = options["example"]
    where = f"{where} (example {name!r})" if isinstance(name, str) else where
    try:
        document, grid = store.get(name)
    except PageError as error:
        raise PageError(f"{where}: {error}") from None
    return name, where, document, grid


def render_grid(options, store, where="datacf-grid"):
    """HTML of a ``datacf-grid`` block (``options``: the parsed block, see ``GRID_KEYS``)."""
    name, where, document, grid = _block_example(options, store, where)
    fmt = _check_format(options.get("format", ".2f"), where)
    rows_option = options.get("rows", "all")
    show_all = rows_option == "all"
    if show_all:
        rows = _all_rows_sorted(grid)
    elif rows_option == "loo":
        full = 2**grid.n_points - 1
        rows = [full] + [full ^ (1 << i) for i in range(grid.n_points)]
    else:
        rows = [_row(grid, r, where) for r in _names_list(rows_option, "rows", where)]
        if len(set(rows)) != len(rows):
            raise PageError(f"{where}: rows lists the same subset twice.")
    compare = None
    if "compare" in options:
        pair = _names_list(options["compare"], "compare", where)
        if len(pair) != 2:
            raise PageError(f"{where}: compare needs exactly two rows, e.g. [ABCD, ACD]; got {pair!r}.")
        compare = [_row(grid, r, where) for r in pair]
        if compare[0] == compare[1]:
            raise PageError(f"{where}: compare needs two different rows; got {pair!r}.")
        missing = [grid.row_names[r] for r in compare if r not in rows]
        if missing:
            raise PageError(f"{where}: compare row {missing[0]!r} is not among the rows shown; add it to rows.")
    focus = []
    if "focus" in options:
        focus = [_column(grid, c, where) for c in _names_list(options["focus"], "focus", where)]
    caption = options.get("caption")
    if caption is not None and not isinstance(caption, str):
        raise PageError(f"{where}: caption must be text.")
    metric = grid.inputs["metric"] if grid.inputs else "prob_correct"
    if caption is None:
        caption = f"{document['title']}. Each cell: {_METRIC_WORDS.get(metric, metric)}."
    low, high = _scale(grid)
    names = grid.row_names
    digits = "".join(ch for ch in fmt if ch.isdigit())

    def cell(value, classes, label):
        heat = min(1.0, max(0.0, (value - low) / (high - low)))
        attrs = f' class="{" ".join(classes)}"' if classes else ""
        return (f'<td{attrs} data-value="{value!r}" style="--dcf-v:{heat:.4f}" '
                f'aria-label="{_esc(label)}">{_esc(format_number(value, fmt))}</td>')

    def body_row(r):
        classes = []
        if compare and r == compare[0]:
            classes = ["dcf-compare", "dcf-compare--first"]
        elif compare and r == compare[1]:
            classes = ["dcf-compare", "dcf-compare--second"]
        attrs = f' class="{" ".join(classes)}"' if classes else ""
        cells = [
            cell(float(v), ["dcf-focus"] if c in focus else [],
                 f"{_trained_on(grid, r)}; evaluated at {grid.eval_names[c]}: {format_number(float(v), fmt)}")
            for c, v in enumerate(grid.values[r])
        ]
        return (f'<tr data-subset="{_esc(names[r])}" data-size="{len(_members(grid, r))}"{attrs}>'
                f'<th scope="row">{_esc(names[r])}</th>{"".join(cells)}</tr>')

    focus_class = ' class="dcf-focus"'
    head = "".join(
        f'<th scope="col"{focus_class if c in focus else ""}>{_esc(col)}</th>'
        for c, col in enumerate(grid.eval_names)
    )
    parts = [
        f'<figure class="dcf-grid" data-example="{_esc(name)}" data-format="{_esc(fmt)}" '
        f'data-rows="{"all" if show_all else "selected"}">',
        '<div class="dcf-grid__scroll">',
        '<table class="dcf-grid__table">',
        f"<caption>{_esc(caption)}</caption>",
        f'<thead><tr><th scope="col">training set</th>{head}</tr></thead>',
        f'<tbody>{"".join(body_row(r) for r in rows)}</tbody>',
    ]
    if compare:
        first, second = (names[r] for r in compare)
        signed = "+" + fmt.lstrip("+")
        cells = []
        for c, d in enumerate(grid.values[compare[0]] - grid.values[compare[1]]):
            text = format_number(float(d), signed)
            label = f"difference, {first} minus {second}, evaluated at {grid.eval_names[c]}: {text}"
            cells.append(f'<td data-value="{float(d)!r}"{focus_class if c in focus else ""} '
                         f'aria-label="{_esc(label)}">{_esc(text)}</td>')
        cells = "".join(cells)
        parts.append(f'<tfoot><tr class="dcf-diff"><th scope="row">difference ({_esc(first)} {MINUS} '
                     f'{_esc(second)})</th>{cells}</tr></tfoot>')
    parts.append("</table></div>")
    legend = [
        '<div class="dcf-grid__legend">',
        f'<span class="dcf-legend__scale" aria-hidden="true"><span>{_esc(format_number(low, "." + digits + "f"))}</span>'
        f'<span class="dcf-legend__bar"></span><span>{_esc(format_number(high, "." + digits + "f"))}</span></span>',
        f"<span>Rows are training sets, columns are evaluation points; each cell shows {_METRIC_WORDS.get(metric, metric)}, "
        "and its shading deepens as the score rises.</span>",
    ]
    if compare:
        legend.append(
            f'<span>Compared: <strong class="dcf-legend__first">{_esc(first)}</strong> (solid outline) and '
            f'<strong class="dcf-legend__second">{_esc(second)}</strong> (dashed outline); the last row is their difference.</span>'
        )
    if focus:
        legend.append(f'<span>Focus columns (underlined): {_esc(", ".join(grid.eval_names[c] for c in focus))}.</span>')
    legend.append("</div>")
    parts.extend(legend)
    data = {
        "example": name,
        "pointNames": list(grid.point_names),
        "evalNames": list(grid.eval_names),
        "values": grid.values.tolist(),
        "rows": rows,
        "showAll": show_all,
        "compare": compare,
        "focus": focus,
        "format": fmt,
        "min": low,
        "max": high,
    }
    # A <template>, not a <script type="application/json">: Material's instant navigation
    # re-creates every inline script of a new page without its type, and would run the JSON.
    parts.append(f'<template class="dcf-grid__data">{script_json(data)}</template>')
    parts.append("</figure>")
    return "".join(parts)


# --- the scatter plot ------------------------------------------------------------------------


def render_points(options, store, where="datacf-points"):
    """HTML of a ``datacf-points`` block: an SVG of the example's training points."""
    name, where, document, grid = _block_example(options, store, where)
    train = grid.inputs["train"]
    X, y, point_names = train["X"], train["y"], train["names"]
    if any(len(x) != 2 for x in X):
        raise PageError(f"{where}: only 2-D datasets can be drawn.")
    highlight = set()
    if "highlight" in options:
        for point in _names_list(options["highlight"], "highlight", where):
            if point not in point_names:
                raise PageError(f"{where}: highlight {point!r} is not a point; the points are {point_names}.")
            highlight.add(point)
    caption = options.get("caption", f"The training points of: {document['title']}.")
    if not isinstance(caption, str):
        raise PageError(f"{where}: caption must be text.")
    width, height, pad = 360, 240, 30
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = min((width - 2 * pad) / span, (height - 2 * pad) / span)
    x0 = (width - scale * (max(xs) - min(xs))) / 2
    y0 = (height - scale * (max(ys) - min(ys))) / 2

    def at(p):
        return x0 + scale * (p[0] - min(xs)), height - (y0 + scale * (p[1] - min(ys)))

    def coord(v):
        return format_number(v, ".2f") if v != round(v) else str(int(round(v))).replace("-", MINUS)

    centres = [at(p) for p in X]
    taken = [(cx - 8, cy - 8, cx + 8, cy + 8) for cx, cy in centres]   # marks, then placed labels

    def place(cx, cy, name):
        """The first label position around a mark that overlaps no mark or label (greedy)."""
        w, h = 8.5 * len(name) + 2, 13
        candidates = [(12, -8), (-12 - w, -8), (12, 18), (-12 - w, 18), (-w / 2, -14), (-w / 2, 28)]
        for dx, dy in candidates + [(12 + w, -8), (-24 - 2 * w, -8)]:
            box = (cx + dx, cy + dy - h, cx + dx + w, cy + dy)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
                taken.append(box)
                return box[0], box[3] - 2
        return cx + 12, cy - 10

    marks = []
    for (cx, cy), label, point in zip(centres, y, point_names):
        ring = (f'<circle class="dcf-points__ring" cx="{cx:.1f}" cy="{cy:.1f}" r="13"/>'
                if point in highlight else "")
        shape = (f'<circle class="dcf-points__mark dcf-points__mark--{int(label) % 2}" cx="{cx:.1f}" cy="{cy:.1f}" r="7"/>'
                 if int(label) % 2 == 0 else
                 f'<rect class="dcf-points__mark dcf-points__mark--1" x="{cx - 6:.1f}" y="{cy - 6:.1f}" width="12" height="12"/>')
        marks.append(f"{ring}{shape}")
    for (cx, cy), point in zip(centres, point_names):
        tx, ty = place(cx, cy, str(point))
        marks.append(f'<text x="{tx:.1f}" y="{ty:.1f}">{_esc(point)}</text>')
    described = "; ".join(
        f"{point} (class {label}) at ({coord(px)}, {coord(py)})" for (px, py), label, point in zip(X, y, point_names)
    )
    alt = f"Scatter plot of {len(X)} training points: {described}."
    rows = "".join(
        f"<tr><th scope=\"row\">{_esc(point)}</th><td>{_esc(coord(px))}</td><td>{_esc(coord(py))}</td><td>{_esc(label)}</td></tr>"
        for (px, py), label, point in zip(X, y, point_names)
    )
    return (
        f'<figure class="dcf-points" data-example="{_esc(name)}">'
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(alt)}">{"".join(marks)}</svg>'
        f'<figcaption>{_esc(caption)} Circles are class 0, squares class 1.</figcaption>'
        '<details class="dcf-points__table"><summary>The points as a table</summary>'
        '<table><thead><tr><th scope="col">point</th><th scope="col">x₁</th><th scope="col">x₂</th>'
        f'<th scope="col">class</th></tr></thead><tbody>{rows}</tbody></table></details>'
        "</figure>"
    )


# --- inline numbers ---------------------------------------------------------------------------

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
        focus = [_column(grid, c, where) for c in _names_list(focus, "focus", where)]
    try:
        if reading == "value":
            value = grid.values[_row(grid, kwargs["row"], where), _column(grid, kwargs["col"], where)]
        elif reading == "diff":
            col = _column(grid, kwargs["col"], where)
            value = grid.values[_row(grid, kwargs["row"], where), col] - grid.values[_row(grid, kwargs["minus"], where), col]
        elif reading == "utility":
            value = grid.utility(focus)[_row(grid, kwargs["row"], where)]
        elif reading == "group_loo":
            value = grid.group_loo(_names_list(kwargs["points"], "points", where)[0], focus)
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


# --- the page ----------------------------------------------------------------------------------


def transform_markdown(markdown, store, page="page"):
    """Replace every ``datacf-grid``/``datacf-points`` fence and inline ``{{ dcf.… }}`` in ``markdown``.

    Other fenced code blocks are left untouched, so a page can show the syntax itself.
    """
    out, lines, i = [], markdown.split("\n"), 0
    cells = CellCounter()
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            out.append(_INLINE.sub(lambda m: evaluate_inline(m.group(1), store, page), lines[i]))
            i += 1
            continue
        fence, lang = match.group("fence"), match.group("lang")
        start = i
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            i += 1
        if i >= len(lines):
            raise PageError(f"{page}: the code fence opened on line {start + 1} is never closed.")
        body = "\n".join(lines[start + 1:i])
        where = f"{page}, line {start + 1}, {lang or 'code'} block"
        if lang == "datacf-grid":
            out.extend(["", render_grid(_parse_block(body, GRID_KEYS, where), store, where), ""])
        elif lang == "datacf-points":
            out.extend(["", render_points(_parse_block(body, POINTS_KEYS, where), store, where), ""])
        elif lang == CELL_LANG:
            try:
                out.extend(render_cell(body, lines[start][match.end():], fence, cells, where))
            except CellError as error:
                raise PageError(str(error)) from None
        elif lang.startswith("datacf"):
            raise PageError(f"{where}: unknown block type {lang!r}; use datacf-grid, datacf-points or {CELL_LANG}.")
        else:
            out.extend(lines[start:i + 1])
        i += 1
    return "\n".join(out)
