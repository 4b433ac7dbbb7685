"""A page's Markdown with its datacf parts rendered: fenced blocks and inline ``{{ dcf.… }}``.

``transform_markdown`` finds each fenced block of the page: a ``datacf-grid`` block becomes a
static grid table (``sitebuild.grid_html``), a ``datacf-points`` block a scatter plot
(``sitebuild.points_svg``), a ``datacf-plot`` block a bar chart or scatter plot of readings or
weights (``sitebuild.plot_block``), a ``datacf-run`` block a runnable cell (``sitebuild.cells``); any
other ``datacf-*`` block fails the build, and other code blocks are left alone. Inline numbers
outside code blocks are evaluated by ``sitebuild.inline``. A mistake raises ``PageError``
naming the page, the line and the problem.
"""
import re

from .cells import CELL_LANG, CellCounter, CellError, render_cell
from .grid_html import GRID_KEYS, render_grid
from .grid_store import PageError
from .inline import evaluate_inline
from .plot_block import PLOT_KEYS, PLOT_LANG, render_plot_block
from .points_svg import POINTS_KEYS, render_points

__all__ = ["BLOCKS", "transform_markdown"]

_INLINE = re.compile(r"\{\{\s*(dcf\..*?)\s*\}\}")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w.-]*)")
# Fenced block type -> (the keys its YAML may hold, the function that renders it).
BLOCKS = {"datacf-grid": (GRID_KEYS, render_grid), "datacf-points": (POINTS_KEYS, render_points),
          PLOT_LANG: (PLOT_KEYS, render_plot_block)}
_EXAMPLE_OPTIONAL = {PLOT_LANG}     # a plot of semivalue weights reads no example


def _parse_block(source, keys, where, needs_example=True):
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
    if needs_example and "example" not in options:
        raise PageError(f"{where}: the block needs 'example: NAME'.")
    return options


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
        if lang in BLOCKS:
            keys, render = BLOCKS[lang]
            options = _parse_block(body, keys, where, needs_example=lang not in _EXAMPLE_OPTIONAL)
            out.extend(["", render(options, store, where), ""])
        elif lang == CELL_LANG:
            try:
                out.extend(render_cell(body, lines[start][match.end():], fence, cells, where))
            except CellError as error:
                raise PageError(str(error)) from None
        elif lang.startswith("datacf"):
            raise PageError(f"{where}: unknown block type {lang!r}; use {', '.join(BLOCKS)} or {CELL_LANG}.")
        else:
            out.extend(lines[start:i + 1])
        i += 1
    return "\n".join(out)
