"""Static, accessible SVG plots and their tables: measured series, bar charts and scatter plots.

**Measured series** (``render_plot``, ``render_table``): the input is a plain ``plot`` dict a build-time measurement writes into its JSON::

    {"title": ..., "x_label": ..., "y_label": ..., "log_x": true,
     "series": [{"label": ..., "kind": "points" | "line" | "dashed" | "band",
                 "x": [...], "y": [...], "low": [...], "high": [...]}]}

``points`` draws markers with vertical error bars from ``low`` to ``high``; ``line`` and
``dashed`` draw a polyline (dashed for extrapolations); ``band`` shades the area between
``low`` and ``high``. Colour is never the only signal: each kind has its own shape or dash,
and the legend names them. The SVG carries a ``<title>``/``<desc>``; the figure also holds
the table the measurement gives, so the numbers read without the picture.

**Charts** (``render_chart``, ``chart_table``): a ``chart`` dict a ``datacf-plot`` block builds
(``sitebuild.plot_block``), from which both the SVG and its table follow::

    {"id": ..., "chart": "bars", "title": ..., "x_label": ..., "y_label": ..., "format": ".3f",
     "categories": ["A", "B", ...], "series": [{"label": "LOO", "y": [...]}, ...]}
    {"id": ..., "chart": "scatter", "title": ..., "x_label": ..., "y_label": ..., "format": ".3f",
     "names": ["A", ...], "x": [...], "identity": true, "series": [{"label": ..., "y": [...]}]}

``bars`` draws grouped bars from zero (negative values below the zero line); each series has
its own fill (solid, hatched, light, hollow, dotted). ``scatter`` draws one mark per name and
series (circle, square, triangle, diamond, cross) on equal axes, with the dashed line y = x
when ``identity`` is true. The page redraws a chart from new numbers with the same layout,
ported line by line to ``docs/js/plot-svg.js``; the browser tests check that it reproduces
this SVG. Numbers in the table use ``datacf._view.format_number``.
"""
import html
import math

from datacf._view import format_number

__all__ = ["render_plot", "render_table", "render_chart", "chart_table", "check_chart", "CHARTS"]

_W, _H = 560, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 62, 16, 14, 96


def _esc(text):
    return html.escape(str(text), quote=True)


def _ticks(lo, hi, log):
    if log:
        ticks = [10.0 ** e * m for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
                 for m in (1, 2, 5)]
        return [t for t in ticks if lo <= t * (1 + 1e-12) and t <= hi * (1 + 1e-12)]
    step = 10.0 ** math.floor(math.log10((hi - lo) / 4 or 1.0))
    for mult in (1, 2, 5, 10):
        if (hi - lo) / (step * mult) <= 6:
            step *= mult
            break
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def _tick_text(value, log):
    if abs(value - round(value)) < 1e-9 and abs(value) >= 1:
        return format_number(value, ".0f")
    if log:   # 1, 2 or 5 times a power of ten below one: exactly its own decimals
        return format_number(value, f".{-math.floor(math.log10(value) + 1e-9)}f")
    decimals = max(0, -math.floor(math.log10(abs(value)))) + 1 if value else 1
    return format_number(value, f".{min(decimals, 4)}f")


def render_plot(plot):
    """SVG text of a ``plot`` dict (see the module docstring); a chart dict (with ``"chart"``) too.

    So a measurement (``sitebuild.measured``) can give a bar chart or a scatter plot with y = x.
    """
    if "chart" in plot:
        return render_chart(plot)
    log_x = bool(plot.get("log_x"))
    series = plot["series"]
    xs = [x for s in series for x in s["x"]]
    ys = [v for s in series for key in ("y", "low", "high") for v in s.get(key) or [] if v is not None]
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(ys + [plot.get("y_min", min(ys))]), max(ys)
    pad = (y_hi - y_lo) * 0.06 or 0.01
    y_lo, y_hi = y_lo - pad, y_hi + pad
    if log_x:
        x_lo, x_hi = x_lo / 1.15, x_hi * 1.15

    def px(x):
        t = (math.log(x) - math.log(x_lo)) / (math.log(x_hi) - math.log(x_lo)) if log_x else (x - x_lo) / (x_hi - x_lo)
        return _LEFT + t * (_W - _LEFT - _RIGHT)

    def py(y):
        return _TOP + (1 - (y - y_lo) / (y_hi - y_lo)) * (_H - _TOP - _BOTTOM)

    out = [f'<svg viewBox="0 0 {_W} {_H}" role="img" aria-labelledby="{_esc(plot["id"])}-t {_esc(plot["id"])}-d" '
           f'style="max-width: 36rem">',
           f'<title id="{_esc(plot["id"])}-t">{_esc(plot["title"])}</title>',
           f'<desc id="{_esc(plot["id"])}-d">{_esc(plot.get("description", ""))}</desc>']
    base = _H - _BOTTOM
    out.append(f'<line x1="{_LEFT}" y1="{base}" x2="{_W - _RIGHT}" y2="{base}" stroke="currentColor" opacity="0.6"/>')
    out.append(f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{base}" stroke="currentColor" opacity="0.6"/>')
    for t in _ticks(x_lo, x_hi, log_x):
        x = px(t)
        out.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="currentColor"/>')
        out.append(f'<text x="{x:.1f}" y="{base + 17}" text-anchor="middle">{_esc(_tick_text(t, log_x))}</text>')
    y_ticks = _ticks(y_lo, y_hi, False)
    y_step = y_ticks[1] - y_ticks[0] if len(y_ticks) > 1 else 1.0
    y_fmt = f".{max(0, -math.floor(math.log10(y_step) + 1e-9))}f"
    for t in y_ticks:
        y = py(t)
        out.append(f'<line x1="{_LEFT - 4}" y1="{y:.1f}" x2="{_W - _RIGHT}" y2="{y:.1f}" stroke="currentColor" '
                   f'opacity="0.12"/>')
        out.append(f'<text x="{_LEFT - 7}" y="{y + 4:.1f}" text-anchor="end">{_esc(format_number(t, y_fmt))}</text>')
    out.append(f'<text x="{(_LEFT + _W - _RIGHT) / 2:.0f}" y="{base + 36}" text-anchor="middle">'
               f'{_esc(plot["x_label"])}</text>')
    out.append(f'<text transform="translate(14 {(_TOP + base) / 2:.0f}) rotate(-90)" text-anchor="middle">'
               f'{_esc(plot["y_label"])}</text>')
    for number, s in enumerate(series):
        kind = s["kind"]
        pts = [(px(x), py(y)) for x, y in zip(s["x"], s["y"])]
        if kind == "band":
            upper = [(px(x), py(h)) for x, h in zip(s["x"], s["high"])]
            lower = [(px(x), py(lo)) for x, lo in zip(s["x"], s["low"])]
            poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower[::-1])
            out.append(f'<polygon points="{poly}" fill="currentColor" opacity="0.13"/>')
        elif kind in ("line", "dashed"):
            dash = ' stroke-dasharray="6 4"' if kind == "dashed" else ""
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="2"{dash}/>')
        elif kind == "points":
            for (x, y), lo, hi in zip(pts, s.get("low") or [None] * len(pts), s.get("high") or [None] * len(pts)):
                if lo is not None and hi is not None:
                    out.append(f'<line x1="{x:.1f}" y1="{py(lo):.1f}" x2="{x:.1f}" y2="{py(hi):.1f}" '
                               f'stroke="currentColor" stroke-width="1.5"/>')
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="currentColor"/>')
        else:
            raise ValueError(f"unknown series kind {kind!r}; use points, line, dashed or band.")
        # legend: two entries per row under the x-axis label
        legend_x = _LEFT + (number % 2) * (_W - _LEFT - _RIGHT) / 2
        ly = _H - 34 + (number // 2) * 20
        if kind == "band":
            out.append(f'<rect x="{legend_x}" y="{ly - 8}" width="18" height="10" fill="currentColor" opacity="0.13"/>')
        elif kind == "points":
            out.append(f'<circle cx="{legend_x + 9}" cy="{ly - 3}" r="4" fill="currentColor"/>')
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dashed" else ""
            out.append(f'<line x1="{legend_x}" y1="{ly - 3}" x2="{legend_x + 18}" y2="{ly - 3}" '
                       f'stroke="currentColor" stroke-width="2"{dash}/>')
        out.append(f'<text x="{legend_x + 23}" y="{ly + 1}">{_esc(s["label"])}</text>')
    out.append("</svg>")
    return "".join(out)


def render_table(table, caption=None, attrs=""):
    """HTML table of ``{"columns": [...], "rows": [[cell, ...]], "formats": [fmt or None, ...]}``.

    ``caption`` (text) becomes its ``<caption>``; ``attrs`` is added to the ``<table>`` tag as is.
    """
    formats = table.get("formats") or [None] * len(table["columns"])
    head = "".join(f'<th scope="col">{_esc(c)}</th>' for c in table["columns"])
    body = []
    for row in table["rows"]:
        cells = []
        for j, (value, fmt) in enumerate(zip(row, formats)):
            if isinstance(value, list):          # an interval
                text = "[" + ", ".join(format_number(v, fmt) for v in value) + "]"
            elif fmt and isinstance(value, (int, float)):
                text = format_number(value, fmt)
            else:
                text = str(value)
            tag = "th scope=\"row\"" if j == 0 else "td"
            cells.append(f"<{tag}>{_esc(text)}</{tag.split()[0]}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{_esc(caption)}</caption>" if caption is not None else ""
    return f"<table{attrs}>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# --- charts: bars and scatter ------------------------------------------------------------------

CHARTS = ("bars", "scatter")
_PLOT_H = 220                     # height of the plotting area of a chart
_LEGEND_ROW = 20
_BAR_STYLES = 5                   # fills, in series order: solid, hatched, light, hollow, dotted
_MARKS = ("circle", "square", "triangle", "diamond", "cross")


def _finite_list(value, length, what):
    if not isinstance(value, list) or len(value) != length:
        raise ValueError(f"{what} must be a list of {length} numbers; got {value!r:.80}.")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"{what} must hold finite numbers; got {v!r}.")


def check_chart(plot):
    """Raise ValueError unless ``plot`` is a chart dict as in the module docstring."""
    if not isinstance(plot, dict) or plot.get("chart") not in CHARTS:
        raise ValueError(f"a chart needs 'chart': one of {list(CHARTS)}; got {plot!r:.80}.")
    for key in ("id", "title", "x_label", "y_label", "format"):
        if not isinstance(plot.get(key), str):
            raise ValueError(f"a chart needs the text {key!r}; got {plot.get(key)!r:.80}.")
    labels = plot.get("categories") if plot["chart"] == "bars" else plot.get("names")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise ValueError(f"a {plot['chart']} chart needs {'categories' if plot['chart'] == 'bars' else 'names'}: "
                         "a non-empty list of text.")
    if plot["chart"] == "scatter":
        _finite_list(plot.get("x"), len(labels), "x")
    series = plot.get("series")
    if not isinstance(series, list) or not series:
        raise ValueError("a chart needs a non-empty list of series.")
    for s in series:
        if not isinstance(s, dict) or not isinstance(s.get("label"), str):
            raise ValueError(f"each series needs a text 'label'; got {s!r:.80}.")
        _finite_list(s.get("y"), len(labels), f"series {s['label']!r} y")
    return plot


def _fmt_attr(value):
    """An SVG coordinate: one decimal, as both renderers write it."""
    return f"{value:.1f}"


def _y_tick_format(ticks):
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return f".{max(0, -math.floor(math.log10(step) + 1e-9))}f"


def _padded(lo, hi, keep_zero):
    """The axis range of data in [lo, hi]: padded by 6% (not below/above 0 when ``keep_zero``)."""
    if keep_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = (hi - lo) * 0.06 or 0.05
    return (lo - pad if not (keep_zero and lo == 0) else lo), (hi + pad if not (keep_zero and hi == 0) else hi)


def _mark_nodes(kind, x, y, r=4.5):
    """Nodes of a scatter mark of ``kind`` centred at (x, y)."""
    if kind == "circle":
        return [("circle", {"cx": _fmt_attr(x), "cy": _fmt_attr(y), "r": "4.5", "class": "dcf-plot__mark"}, "")]
    if kind == "square":
        return [("rect", {"x": _fmt_attr(x - r * 0.85), "y": _fmt_attr(y - r * 0.85), "width": _fmt_attr(r * 1.7),
                          "height": _fmt_attr(r * 1.7), "class": "dcf-plot__mark dcf-plot__mark--hollow"}, "")]
    if kind == "triangle":
        points = f"{_fmt_attr(x)},{_fmt_attr(y - r * 1.1)} {_fmt_attr(x + r)},{_fmt_attr(y + r * 0.8)} " \
                 f"{_fmt_attr(x - r)},{_fmt_attr(y + r * 0.8)}"
        return [("polygon", {"points": points, "class": "dcf-plot__mark"}, "")]
    if kind == "diamond":
        points = f"{_fmt_attr(x)},{_fmt_attr(y - r * 1.2)} {_fmt_attr(x + r)},{_fmt_attr(y)} " \
                 f"{_fmt_attr(x)},{_fmt_attr(y + r * 1.2)} {_fmt_attr(x - r)},{_fmt_attr(y)}"
        return [("polygon", {"points": points, "class": "dcf-plot__mark dcf-plot__mark--hollow"}, "")]
    d = (f"M{_fmt_attr(x - r)},{_fmt_attr(y - r)} L{_fmt_attr(x + r)},{_fmt_attr(y + r)} "
         f"M{_fmt_attr(x - r)},{_fmt_attr(y + r)} L{_fmt_attr(x + r)},{_fmt_attr(y - r)}")
    return [("path", {"d": d, "class": "dcf-plot__mark dcf-plot__mark--cross"}, "")]


def _bar_attrs(plot_id, number):
    style = number % _BAR_STYLES
    return {"class": f"dcf-plot__bar dcf-plot__bar--{style}",
            **({"fill": f"url(#{plot_id}-hatch)"} if style == 1 else {}),
            **({"fill": f"url(#{plot_id}-dots)"} if style == 4 else {})}


def chart_nodes(plot):
    """The chart's SVG as a flat list of ``(tag, attrs, text)``; ``docs/js/plot-svg.js`` builds the same list."""
    plot_id, chart, series = plot["id"], plot["chart"], plot["series"]
    bars = chart == "bars"
    labels = plot["categories"] if bars else plot["names"]
    ys = [v for s in series for v in s["y"]]
    if bars:
        y_lo, y_hi = _padded(min(ys), max(ys), True)
        x_lo, x_hi = 0.0, float(len(labels))
    else:
        values = ys + list(plot["x"])
        y_lo, y_hi = _padded(min(values), max(values), False)
        x_lo, x_hi = y_lo, y_hi                                     # equal axes: y = x is the diagonal
    entries = len(series) + (1 if not bars and plot.get("identity") else 0)
    legend_rows = (entries + 1) // 2
    base = _TOP + _PLOT_H
    height = base + 58 + legend_rows * _LEGEND_ROW

    def px(x):
        return _LEFT + (x - x_lo) / (x_hi - x_lo) * (_W - _LEFT - _RIGHT)

    def py(y):
        return _TOP + (1 - (y - y_lo) / (y_hi - y_lo)) * _PLOT_H

    nodes = [("svg", {"viewBox": f"0 0 {_W} {height}", "role": "img",
                      "aria-labelledby": f"{plot_id}-t", "aria-describedby": f"{plot_id}-d",
                      "class": "dcf-plot__svg"}, None),
             ("title", {"id": f"{plot_id}-t"}, plot["title"]),
             ("desc", {"id": f"{plot_id}-d"}, _chart_description(plot))]
    if bars:
        nodes += [("defs", {}, None),
                  ("pattern", {"id": f"{plot_id}-hatch", "width": "5", "height": "5",
                               "patternUnits": "userSpaceOnUse", "patternTransform": "rotate(45)"}, None),
                  ("path", {"d": "M0,0 L0,5", "class": "dcf-plot__hatch"}, None), ("/pattern", {}, None),
                  ("pattern", {"id": f"{plot_id}-dots", "width": "4", "height": "4",
                               "patternUnits": "userSpaceOnUse"}, None),
                  ("circle", {"cx": "2", "cy": "2", "r": "1", "class": "dcf-plot__dot"}, None), ("/pattern", {}, None),
                  ("/defs", {}, None)]
    y_ticks = _ticks(y_lo, y_hi, False)
    y_fmt = _y_tick_format(y_ticks)
    for t in y_ticks:
        y = py(t)
        nodes.append(("line", {"x1": str(_LEFT - 4), "y1": _fmt_attr(y), "x2": str(_W - _RIGHT), "y2": _fmt_attr(y),
                               "class": "dcf-plot__grid"}, None))
        nodes.append(("text", {"x": str(_LEFT - 7), "y": _fmt_attr(y + 4), "text-anchor": "end"}, format_number(t, y_fmt)))
    if bars:
        zero = py(0.0)
        nodes.append(("line", {"x1": str(_LEFT), "y1": _fmt_attr(zero), "x2": str(_W - _RIGHT), "y2": _fmt_attr(zero),
                               "class": "dcf-plot__axis"}, None))
        for c, label in enumerate(labels):
            nodes.append(("text", {"x": _fmt_attr(px(c + 0.5)), "y": str(base + 17), "text-anchor": "middle"}, label))
    else:
        nodes.append(("line", {"x1": str(_LEFT), "y1": str(base), "x2": str(_W - _RIGHT), "y2": str(base),
                               "class": "dcf-plot__axis"}, None))
        for t in _ticks(x_lo, x_hi, False):
            x = px(t)
            nodes.append(("line", {"x1": _fmt_attr(x), "y1": str(_TOP), "x2": _fmt_attr(x), "y2": str(base + 4),
                                   "class": "dcf-plot__grid"}, None))
            nodes.append(("text", {"x": _fmt_attr(x), "y": str(base + 17), "text-anchor": "middle"},
                          format_number(t, y_fmt)))
    nodes.append(("line", {"x1": str(_LEFT), "y1": str(_TOP), "x2": str(_LEFT), "y2": str(base),
                           "class": "dcf-plot__axis"}, None))
    nodes.append(("text", {"x": str((_LEFT + _W - _RIGHT) // 2), "y": str(base + 36), "text-anchor": "middle",
                           "class": "dcf-plot__label"}, plot["x_label"]))
    nodes.append(("text", {"transform": f"translate(14 {(_TOP + base) // 2}) rotate(-90)", "text-anchor": "middle",
                           "class": "dcf-plot__label"}, plot["y_label"]))
    fmt = plot["format"]
    if not bars and plot.get("identity"):
        nodes.append(("line", {"x1": _fmt_attr(px(x_lo)), "y1": _fmt_attr(py(x_lo)), "x2": _fmt_attr(px(x_hi)),
                               "y2": _fmt_attr(py(x_hi)), "class": "dcf-plot__identity"}, None))
    group = (_W - _LEFT - _RIGHT) / len(labels)
    width = group * 0.8 / len(series)
    for number, s in enumerate(series):
        nodes.append(("g", {"class": f"dcf-plot__series dcf-plot__series--{number}"}, None))
        for c, (label, value) in enumerate(zip(labels, s["y"])):
            tip = f"{s['label']}, {label}: {format_number(value, fmt)}"
            nodes.append(("g", {"class": "dcf-plot__point"}, None))
            if bars:
                top, bottom = py(max(value, 0.0)), py(min(value, 0.0))
                x = _LEFT + c * group + group * 0.1 + number * width
                nodes.append(("rect", {"x": _fmt_attr(x), "y": _fmt_attr(top), "width": _fmt_attr(width),
                                       "height": _fmt_attr(bottom - top), **_bar_attrs(plot_id, number)}, ""))
            else:
                tip = f"{label}: {plot['x_label']} {format_number(plot['x'][c], fmt)}, {tip}"
                nodes += _mark_nodes(_MARKS[number % len(_MARKS)], px(plot["x"][c]), py(value))
            nodes += [("title", {}, tip), ("/g", {}, None)]
        nodes.append(("/g", {}, None))
    return nodes + _chart_legend(plot, bars, base, entries) + [("/svg", {}, None)]


def _chart_description(plot):
    labels = plot["categories"] if plot["chart"] == "bars" else plot["names"]
    names = ", ".join(s["label"] for s in plot["series"])
    if plot["chart"] == "bars":
        return (f"Bar chart of {plot['y_label']} by {plot['x_label']} ({labels[0]} to {labels[-1]}), one bar per "
                f"series in each group: {names}. Bars below the zero line are negative. The table gives every value.")
    identity = " The dashed diagonal is y = x: a mark on it agrees exactly." if plot.get("identity") else ""
    return (f"Scatter plot of {plot['y_label']} against {plot['x_label']} for {len(labels)} points, one mark "
            f"shape per series: {names}.{identity} The table gives every value.")


def _chart_legend(plot, bars, base, entries):
    nodes = []
    items = [(number, s["label"]) for number, s in enumerate(plot["series"])]
    if len(items) < entries:
        items.append((None, "y = x"))
    for position, (number, label) in enumerate(items):
        x = _LEFT + (position % 2) * (_W - _LEFT - _RIGHT) // 2
        y = base + 52 + (position // 2) * _LEGEND_ROW
        if number is None:
            nodes.append(("line", {"x1": str(x), "y1": str(y), "x2": str(x + 18), "y2": str(y),
                                   "class": "dcf-plot__identity"}, None))
        elif bars:
            nodes.append(("rect", {"x": str(x + 2), "y": str(y - 6), "width": "14", "height": "12",
                                   **_bar_attrs(plot["id"], number)}, None))
        else:
            nodes.append(("g", {"class": f"dcf-plot__series dcf-plot__series--{number}"}, None))
            nodes += _mark_nodes(_MARKS[number % len(_MARKS)], x + 9, y)
            nodes.append(("/g", {}, None))
        nodes.append(("text", {"x": str(x + 24), "y": str(y + 4)}, label))
    return nodes


_CONTAINERS = {"svg", "defs", "pattern", "g"}


def render_chart(plot):
    """SVG text of a chart dict (see the module docstring), checked first."""
    out = []
    for tag, attrs, text in chart_nodes(check_chart(plot)):
        if tag.startswith("/"):
            out.append(f"<{tag}>")
            continue
        attributes = "".join(f' {name}="{_esc(value)}"' for name, value in attrs.items())
        if tag == "svg":
            attributes = ' xmlns="http://www.w3.org/2000/svg"' + attributes
        out.append(f"<{tag}{attributes}>" if tag in _CONTAINERS else f"<{tag}{attributes}>{_esc(text or '')}</{tag}>")
    return "".join(out)


def chart_table(plot):
    """The chart's numbers as ``render_table``'s input: one row per category or name."""
    check_chart(plot)
    fmt = plot["format"]
    if plot["chart"] == "bars":
        columns = [plot["x_label"]] + [s["label"] for s in plot["series"]]
        rows = [[label] + [s["y"][c] for s in plot["series"]] for c, label in enumerate(plot["categories"])]
        return {"columns": columns, "rows": rows, "formats": [None] + [fmt] * len(plot["series"])}
    columns = ["point", plot["x_label"]] + [s["label"] for s in plot["series"]]
    rows = [[name, plot["x"][c]] + [s["y"][c] for s in plot["series"]] for c, name in enumerate(plot["names"])]
    return {"columns": columns, "rows": rows, "formats": [None] + [fmt] * (1 + len(plot["series"]))}
