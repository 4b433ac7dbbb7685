"""A static, accessible SVG plot of measured series (points with error bars, lines, bands) and its table.

The input is a plain ``plot`` dict a build-time measurement writes into its JSON::

    {"title": ..., "x_label": ..., "y_label": ..., "log_x": true,
     "series": [{"label": ..., "kind": "points" | "line" | "dashed" | "band",
                 "x": [...], "y": [...], "low": [...], "high": [...]}]}

``points`` draws markers with vertical error bars from ``low`` to ``high``; ``line`` and
``dashed`` draw a polyline (dashed for extrapolations); ``band`` shades the area between
``low`` and ``high``. Colour is never the only signal: each kind has its own shape or dash,
and the legend names them. The SVG carries a ``<title>``/``<desc>``; the figure also holds
the table the measurement gives, so the numbers read without the picture.
"""
import html
import math

from datacf._view import format_number

__all__ = ["render_plot", "render_table"]

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
    if log or abs(value - round(value)) < 1e-9 and abs(value) >= 1:
        return format_number(value, ".0f")
    decimals = max(0, -math.floor(math.log10(abs(value)))) + 1 if value else 1
    return format_number(value, f".{min(decimals, 4)}f")


def render_plot(plot):
    """SVG text of a ``plot`` dict (see the module docstring)."""
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


def render_table(table):
    """HTML table of ``{"columns": [...], "rows": [[cell, ...]], "formats": [fmt or None, ...]}``."""
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
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
