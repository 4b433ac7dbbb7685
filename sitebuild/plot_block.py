"""The ``datacf-plot`` block: a bar chart or scatter plot with its table, from datacf's own numbers.

Three kinds of data, one per block (the YAML keys are ``PLOT_KEYS``):

- ``values: [loo, shapley, banzhaf, beta(16,1)]`` with ``example: NAME`` (and optional
  ``focus``): a bar chart of each reading of the example's grid, one group of bars per point;
- ``x: loo`` and ``y: [shapley, banzhaf]`` with ``example: NAME``: a scatter plot of the
  ``y`` readings against the ``x`` reading, one mark per point, with the line y = x;
- ``weights: [loo, shapley, banzhaf, beta(16,1)]`` with ``n: 10`` or ``n: [4, 5, ..., 10]``: a
  bar chart of the share of a point's value that comes from coalitions of each size k,
  C(n-1, k) w(k), with the weights w of ``datacf._semivalues``; with several n the page shows
  one at a time (a menu picks n) and the table holds them all.

Optional: ``format`` (``.3f`` by default; see ``datacf._view.check_format``), ``caption``,
``title`` (the SVG's title), ``x_label``, ``y_label`` and ``id`` (the figure's id, which the
page's ``window.datacf.plots.redraw(id, …)`` takes; by default derived from the block, so give
one when two blocks on a page are identical). The charts are drawn by ``sitebuild.plot_svg``;
the figure embeds them in a ``<template>`` for ``docs/js/plot-svg.js``.
"""
import hashlib
import html
import json
import math
import re

from datacf._semivalues import banzhaf_weights, beta_weights, loo_weights, shapley_weights
from datacf._view import check_format

from .grid_html import script_json
from .grid_store import PageError, block_example, names_list
from .plot_svg import chart_table, render_chart, render_table

__all__ = ["PLOT_LANG", "PLOT_KEYS", "METHODS", "parse_method", "weight_shares", "render_plot_block", "render_figure"]

PLOT_LANG = "datacf-plot"
PLOT_KEYS = ("example", "values", "x", "y", "weights", "n", "focus", "format", "caption", "title", "x_label",
             "y_label", "id")
METHODS = "loo, shapley, banzhaf or beta(ALPHA,BETA), e.g. beta(16,1)"
_BETA = re.compile(r"^beta\(\s*([0-9]+(?:\.[0-9]+)?)\s*,\s*([0-9]+(?:\.[0-9]+)?)\s*\)$")
_LABELS = {"loo": "LOO", "shapley": "Shapley", "banzhaf": "Banzhaf"}
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
MAX_WEIGHTS_N = 16       # the largest exact grid: weights beyond it have nothing to weigh


def parse_method(name, where):
    """``(label, weights(n), reading(grid, focus))`` of a method name such as ``"beta(16,1)"``."""
    if not isinstance(name, str):
        raise PageError(f"{where}: {name!r} is not a method; use {METHODS}.")
    key = name.strip().lower()
    if key in _LABELS:
        weights = {"loo": loo_weights, "shapley": shapley_weights, "banzhaf": banzhaf_weights}[key]
        return _LABELS[key], weights, lambda grid, focus: getattr(grid, key)(focus)
    match = _BETA.match(key)
    if not match or not all(float(v) > 0 for v in match.groups()):
        raise PageError(f"{where}: {name!r} is not a method; use {METHODS}.")
    alpha, beta = (float(v) for v in match.groups())
    label = f"Beta({match.group(1)}, {match.group(2)})"
    return (label, lambda n: beta_weights(n, alpha, beta),
            lambda grid, focus: grid.beta_shapley(alpha, beta, focus))


def weight_shares(weights, n_points):
    """C(n-1, k) * w[k] for k = 0..n-1: the share of a value that coalitions of size k carry."""
    return [math.comb(n_points - 1, k) * float(w) for k, w in enumerate(weights(n_points))]


def _methods(options, key, where):
    return [parse_method(name, where) for name in names_list(options[key], key, where)]


def _text(options, key, default, where):
    value = options.get(key, default)
    if not isinstance(value, str):
        raise PageError(f"{where}: {key} must be text; got {value!r}.")
    return value


def _n_list(value, where):
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_WEIGHTS_N
                             for n in values):
        raise PageError(f"{where}: n must be a number of points from 1 to {MAX_WEIGHTS_N}, or a list of them; "
                        f"got {value!r}.")
    if len(set(values)) != len(values):
        raise PageError(f"{where}: n lists the same number twice.")
    return values


def _weights_views(options, base, fmt, where):
    if "n" not in options:
        raise PageError(f"{where}: a weights plot needs n: a number of points, or a list like [4, 6, 8].")
    methods = _methods(options, "weights", where)
    views = []
    for n in _n_list(options["n"], where):
        plot = {"id": f"{base}-n{n}", "chart": "bars",
                "title": _text(options, "title", "Share of a point's value from coalitions of each size", where)
                + f", n = {n}",
                "x_label": _text(options, "x_label", "coalition size k (points already in S)", where),
                "y_label": _text(options, "y_label", "share of the value", where), "format": fmt,
                "categories": [str(k) for k in range(n)],
                "series": [{"label": label, "y": weight_shares(weights, n)} for label, weights, _ in methods]}
        views.append({"label": f"n = {n}", "plot": plot})
    return views


def _reading_views(options, store, base, fmt, where):
    _, where, document, grid = block_example(options, store, where)
    focus = options.get("focus")
    if focus is not None:
        focus = names_list(focus, "focus", where)
    names = list(grid.point_names)

    def values(reading):
        try:
            return [float(v) for v in reading(grid, focus)]
        except ValueError as error:
            raise PageError(f"{where}: {error}") from None

    title = _text(options, "title", document["title"], where)
    if "values" in options:
        methods = _methods(options, "values", where)
        plot = {"id": base, "chart": "bars", "title": title, "x_label": _text(options, "x_label", "point", where),
                "y_label": _text(options, "y_label", "value", where), "format": fmt, "categories": names,
                "series": [{"label": label, "y": values(reading)} for label, _, reading in methods]}
    else:
        if "y" not in options:
            raise PageError(f"{where}: a scatter plot needs both x: METHOD and y: [METHOD, ...].")
        x_label, _, x_reading = parse_method(options["x"], f"{where}: x")
        methods = _methods(options, "y", where)
        plot = {"id": base, "chart": "scatter", "title": title,
                "x_label": _text(options, "x_label", x_label, where),
                "y_label": _text(options, "y_label", ", ".join(label for label, _, _ in methods), where),
                "format": fmt, "names": names, "x": values(x_reading), "identity": True,
                "series": [{"label": label, "y": values(reading)} for label, _, reading in methods]}
    return [{"label": title, "plot": plot}]


def _default_id(options):
    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()).hexdigest()
    return f"dcf-plot-{digest[:8]}"


def render_plot_block(options, store, where="datacf-plot"):
    """HTML of a ``datacf-plot`` block: the chart (the last view), a caption, every view's table."""
    kinds = [key for key in ("values", "x", "weights") if key in options]
    if len(kinds) != 1:
        raise PageError(f"{where}: a plot needs exactly one of values: [...] (bars per point), x: and y: "
                        f"(scatter) or weights: [...] with n: (weights by coalition size); got {kinds or 'none'}.")
    if kinds != ["weights"] and "example" not in options:
        raise PageError(f"{where}: a {kinds[0]} plot needs 'example: NAME'.")
    if kinds == ["weights"] and ({"example", "focus"} & set(options)):
        raise PageError(f"{where}: a weights plot reads no example; remove example and focus.")
    plot_id = _text(options, "id", _default_id(options), where)
    if not _ID.match(plot_id):
        raise PageError(f"{where}: id {plot_id!r} must be lower-case letters, digits and hyphens, "
                        "starting with a letter.")
    try:
        fmt = check_format(options.get("format", ".3f"))
    except ValueError as error:
        raise PageError(f"{where}: {error}") from None
    views = (_weights_views(options, plot_id, fmt, where) if kinds == ["weights"]
             else _reading_views(options, store, plot_id, fmt, where))
    caption = _text(options, "caption", views[-1]["plot"]["title"] + ".", where)
    return render_figure(plot_id, views, caption)


def render_figure(plot_id, views, caption, shown=None):
    """HTML of a chart figure: view ``shown`` (default: the last) drawn, every view's table, the data.

    ``views`` is a list of ``{"label": TEXT, "plot": CHART}``; ``docs/js/plot-svg.js`` gives a
    figure with several views a menu, and redraws its chart from new numbers.
    """
    shown = len(views) - 1 if shown is None else shown
    tables = "".join(render_table(chart_table(view["plot"]), caption=view["label"] if len(views) > 1 else None,
                                  attrs=f' data-view="{i}"') for i, view in enumerate(views))
    return "".join([
        f'<figure class="dcf-plot" id="{plot_id}" data-view="{shown}">',
        f'<div class="dcf-plot__chart">{render_chart(views[shown]["plot"])}</div>',
        f"<figcaption>{html.escape(caption)}</figcaption>",
        '<details class="dcf-plot__table"><summary>The numbers as a table</summary>',
        f'<div class="dcf-plot__tables">{tables}</div></details>',
        f'<template class="dcf-plot__data">{script_json({"views": views, "view": shown})}</template>',
        "</figure>",
    ])
