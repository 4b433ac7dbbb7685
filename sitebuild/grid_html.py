"""The static HTML of a ``datacf-grid`` block: the view model (``datacf._view``) as a table.

Every presentation decision (rows, names, numbers, words, shades) comes from
:func:`datacf._view.grid_view`; this module only writes it as HTML, the same markup
``docs/js/grid-table.js`` builds for a grid computed in the page, and embeds the view in a
``<template>`` for that script (the "Show all rows" toggle, keyboard navigation).
"""
import html
import json

from datacf._view import grid_view

from .grid_store import PageError, block_example, names_list

__all__ = ["GRID_KEYS", "render_grid", "grid_figure", "script_json"]

GRID_KEYS = ("example", "rows", "compare", "focus", "format", "caption")


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


def _class(*names):
    names = [name for name in names if name]
    return f' class="{" ".join(names)}"' if names else ""


def _row(view, row):
    mark = row["compare"]
    attrs = _class("dcf-compare" if mark else None, f"dcf-compare--{mark}" if mark else None)
    cells = "".join(
        f'<td{_class("dcf-focus" if c in view["focus"] else None)} data-value="{cell["value"]!r}" '
        f'style="--dcf-v:{cell["shade"]:.4f}" aria-label="{_esc(cell["label"])}">{_esc(cell["text"])}</td>'
        for c, cell in enumerate(row["cells"])
    )
    return (f'<tr data-subset="{_esc(row["label"])}" data-size="{row["size"]}"{attrs}>'
            f'<th scope="row">{_esc(row["label"])}</th>{cells}</tr>')


def _foot(view):
    compare = view["compare"]
    if compare is None:
        return ""
    cells = "".join(
        f'<td data-value="{cell["value"]!r}"{_class("dcf-focus" if c in view["focus"] else None)} '
        f'aria-label="{_esc(cell["label"])}">{_esc(cell["text"])}</td>'
        for c, cell in enumerate(compare["cells"])
    )
    return f'<tfoot><tr class="dcf-diff"><th scope="row">{_esc(compare["label"])}</th>{cells}</tr></tfoot>'


def _legend(view):
    legend = view["legend"]
    lines = "".join(
        "<span>" + "".join(
            f'<strong class="dcf-legend__{run["mark"]}">{_esc(run["text"])}</strong>' if run.get("mark")
            else _esc(run["text"])
            for run in line
        ) + "</span>"
        for line in legend["lines"]
    )
    return ('<div class="dcf-grid__legend">'
            f'<span class="dcf-legend__scale" aria-hidden="true"><span>{_esc(legend["light"]["text"])}</span>'
            f'<span class="dcf-legend__bar"></span><span>{_esc(legend["dark"]["text"])}</span></span>'
            f"{lines}</div>")


def grid_figure(view, example):
    """The ``figure.dcf-grid`` of a view (``datacf._view.grid_view``) of the example ``example``."""
    head = "".join(
        f'<th scope="col"{_class("dcf-focus" if c in view["focus"] else None)}>{_esc(label)}</th>'
        for c, label in enumerate(view["colLabels"])
    )
    return "".join([
        f'<figure class="dcf-grid" data-example="{_esc(example)}" data-format="{_esc(view["format"])}" '
        f'data-rows="{"all" if view["rowSet"] == "all" else "selected"}">',
        '<div class="dcf-grid__scroll">',
        '<table class="dcf-grid__table">',
        f"<caption>{_esc(view['caption'])}</caption>",
        f'<thead><tr><th scope="col">{_esc(view["cornerLabel"])}</th>{head}</tr></thead>',
        f'<tbody>{"".join(_row(view, row) for row in view["rows"])}</tbody>',
        _foot(view),
        "</table></div>",
        _legend(view),
        # A <template>, not a <script type="application/json">: Material's instant navigation
        # re-creates every inline script of a new page without its type, and would run the JSON.
        f'<template class="dcf-grid__data">{script_json({"example": example, "view": view})}</template>',
        "</figure>",
    ])


def render_grid(options, store, where="datacf-grid"):
    """HTML of a ``datacf-grid`` block (``options``: the parsed block, see ``GRID_KEYS``)."""
    name, where, document, grid = block_example(options, store, where)
    rows = options.get("rows", "all")
    if rows not in ("all", "loo"):
        rows = names_list(rows, "rows", where)
    compare = options.get("compare")
    if compare is not None:
        compare = names_list(compare, "compare", where)
    focus = options.get("focus")
    if focus is not None:
        focus = names_list(focus, "focus", where)
    caption = options.get("caption")
    if caption is not None and not isinstance(caption, str):
        raise PageError(f"{where}: caption must be text.")
    try:
        view = grid_view(grid, rows=rows, focus=focus, compare=compare, fmt=options.get("format", ".2f"),
                         caption=caption, title=document["title"], all_rows=True)
    except ValueError as error:
        raise PageError(f"{where}: {error}") from None
    return grid_figure(view, name)
