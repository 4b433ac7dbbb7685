"""The SVG scatter plot of a ``datacf-points`` block, with a text description and a table."""
import html

from datacf._view import MINUS, format_number

from .grid_store import PageError, block_example, names_list

__all__ = ["POINTS_KEYS", "render_points"]

POINTS_KEYS = ("example", "highlight", "caption")


def _esc(text):
    return html.escape(str(text), quote=True)


def render_points(options, store, where="datacf-points"):
    """HTML of a ``datacf-points`` block: an SVG of the example's training points."""
    name, where, document, grid = block_example(options, store, where)
    train = grid.inputs["train"]
    X, y, point_names = train["X"], train["y"], train["names"]
    if any(len(x) != 2 for x in X):
        raise PageError(f"{where}: only 2-D datasets can be drawn.")
    highlight = set()
    if "highlight" in options:
        for point in names_list(options["highlight"], "highlight", where):
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
