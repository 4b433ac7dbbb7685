"""The ``datacf-explorer`` block: a Grid Explorer set up from a preset, readable with JavaScript off.

A page embeds an explorer with a fenced block (YAML inside)::

    ```datacf-explorer
    preset: mislabelled        # a preset of docs/explorer_presets.toml
    caption: "Drag E home."    # optional: a sentence under the preset's title
    tutorial: false            # optional: for a tutorial preset, leave out its tutorial text
    ```

A tutorial preset (one with a ``[NAME.tutorial]`` table) is wrapped in a
``<section class="dcf-tutorial">``: goal and step above the explorer, what to notice and the
question below, the answer (computed at build time) in a ``<details>``, with a slot that
``docs/js/explorer-tutorial.js`` fills with the same answer read from the live numbers. Its
explorer offers only its own preset, so Reset returns to the tutorial's start.

:func:`render_explorer_block` turns it into static HTML from the preset's precomputed JSON
(``sitebuild/explorer_presets.py``): the preset's text, its points as a table, its grid as a
table (every row up to 32 rows, else the full set and each leave-one-out row), and its
leave-one-out and Shapley values in words. The page script (``docs/js/explorer.js``) reads the
same JSON from the ``<template class="dcf-explorer__data">`` and builds the live explorer.
"""
import html

import json

from datacf._view import format_number

from .explorer_presets import PresetError

try:                                   # the page renderer is being split; PageError moves with it
    from .grid_store import PageError
except ImportError:                    # pragma: no cover
    from .render import PageError

__all__ = ["EXPLORER_LANG", "EXPLORER_KEYS", "MAX_STATIC_ROWS", "render_explorer_block", "render_explorer_blocks",
           "page_markdown"]

EXPLORER_LANG = "datacf-explorer"
EXPLORER_KEYS = ("preset", "caption", "tutorial")
MAX_STATIC_ROWS = 32
MODEL_WORDS = {
    "KNN": lambda p: f"{p['k']}-nearest neighbours",
    "LogisticRegression": lambda p: f"logistic regression (C = {p['C']:g})",
    "NearestCentroid": lambda p: "nearest centroid",
}
METRIC_WORDS = {
    "prob_correct": "the probability the model gives the true label",
    "accuracy": "accuracy (1 if the model predicts the true label, else 0)",
    "log_loss": "log loss (lower is better)",
}
MINUS = "\u2212"


def script_json(data):
    """JSON to embed as the text of a ``<template>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _esc(text):
    return html.escape(str(text), quote=True)


def _members(row, n):
    return [i for i in range(n) if (row >> i) & 1]


def _row_name(row, names):
    members = [names[i] for i in _members(row, len(names))]
    if not members:
        return "∅"
    return ("" if all(len(name) == 1 for name in names) else ",").join(members)


def _coord(value):
    return format_number(value, ".2f")


def _points_table(data, caption):
    rows = "".join(
        f'<tr><th scope="row">{_esc(name)}</th><td>{_esc(_coord(x[0]))}</td><td>{_esc(_coord(x[1]))}</td>'
        f"<td>{_esc(label)}</td></tr>"
        for x, label, name in zip(data["X"], data["y"], data["names"])
    )
    return (f'<table class="dcf-explorer__points-static"><caption>{_esc(caption)}</caption>'
            '<thead><tr><th scope="col">point</th><th scope="col">x₁</th><th scope="col">x₂</th>'
            f'<th scope="col">class</th></tr></thead><tbody>{rows}</tbody></table>')


def _grid_table(document):
    grid = document["grid"]
    names, columns, values = grid["point_names"], grid["eval_names"], grid["values"]
    n = len(names)
    focus = set(document["state"]["focus"])
    full = 2**n - 1
    if 2**n <= MAX_STATIC_ROWS:
        rows = sorted(range(2**n), key=lambda r: (len(_members(r, n)), _members(r, n)))
        which = f"all {2**n} training sets, by size"
    else:
        rows = [full] + [full ^ (1 << i) for i in range(n)]
        which = f"the full set and each leave-one-out set (all {2**n} rows are in the live explorer)"
    metric = document["state"]["metric"]
    marked = ' class="dcf-focus"'
    head = "".join(f'<th scope="col"{marked if c in focus else ""}>{_esc(col)}</th>' for c, col in enumerate(columns))

    def body_row(r):
        trained = ", ".join(names[i] for i in _members(r, n)) or "nothing"
        cells = []
        for c, v in enumerate(values[r]):
            text = format_number(v, ".2f")
            label = f"trained on {trained}; evaluated at {columns[c]}: {text}"
            cells.append(f'<td{marked if c in focus else ""} aria-label="{_esc(label)}">{_esc(text)}</td>')
        cells = "".join(cells)
        return f'<tr><th scope="row">{_esc(_row_name(r, names))}</th>{cells}</tr>'

    caption = f"The grid: {which}. Each cell: {METRIC_WORDS[metric]}."
    return (f'<div class="dcf-grid__scroll"><table class="dcf-grid__table dcf-explorer__grid-static">'
            f"<caption>{_esc(caption)}</caption>"
            f'<thead><tr><th scope="col">training set</th>{head}</tr></thead>'
            f'<tbody>{"".join(body_row(r) for r in rows)}</tbody></table></div>')


def _values_sentence(document):
    names = document["grid"]["point_names"]
    readings = document["result"]["readings"]
    focus = document["state"]["focus"]
    columns = document["grid"]["eval_names"]
    over = ("every evaluation column" if len(focus) == len(columns)
            else "the focus columns " + ", ".join(columns[c] for c in focus))

    def listing(values):
        return "; ".join(f"{name} {format_number(v, '+.3f')}" for name, v in zip(names, values))

    return (f"<p>Values of the training points, with the utility averaged over {_esc(over)}. "
            f"Leave-one-out: {_esc(listing(readings['loo']))}. "
            f"Shapley: {_esc(listing(readings['shapley']))}.</p>")


def render_explorer_block(options, presets, where=EXPLORER_LANG):
    """HTML of a ``datacf-explorer`` block.

    Parameters
    ----------
    options : dict
        The parsed block: ``preset`` (required, a name in docs/explorer_presets.toml) and
        optionally ``caption`` (text).
    presets : sitebuild.explorer_presets.PresetStore
        The build's preset files.
    where : str
        Names the block in error messages (page and line).

    Returns
    -------
    str
        A ``<div class="dcf-explorer">`` holding the static view and the preset's JSON.

    Raises
    ------
    PageError
        For an unknown key or preset, or a caption that is not text.
    """
    if not isinstance(options, dict):
        raise PageError(f"{where}: the block must hold 'key: value' lines; the keys are {list(EXPLORER_KEYS)}.")
    unknown = sorted(set(options) - set(EXPLORER_KEYS), key=str)
    if unknown:
        raise PageError(f"{where}: unknown key {unknown[0]!r}; the keys are {list(EXPLORER_KEYS)}.")
    if "preset" not in options:
        raise PageError(f"{where}: the block needs 'preset: NAME'; the presets are {presets.names()}.")
    caption = options.get("caption")
    if caption is not None and not isinstance(caption, str):
        raise PageError(f"{where}: caption must be text.")
    if not isinstance(options.get("tutorial", True), bool):
        raise PageError(f"{where}: tutorial must be true or false.")
    name = options["preset"]
    try:
        document = presets.get(name)
    except PresetError as error:
        raise PageError(f"{where}: {error}") from None
    tutorial = document.get("tutorial") if options.get("tutorial", True) else None
    state = document["state"]
    choices = [[name, document["title"]]] if tutorial else [[key, presets.get(key)["title"]] for key in presets.names()]
    island = {"preset": document, "presets": choices}
    n = len(state["train"]["X"])
    model = MODEL_WORDS[state["model"]](state["params"])
    scored = ("the training points themselves" if state["eval"] is None
              else f"{len(state['eval']['X'])} held-out points")
    parts = [
        f'<div class="dcf-explorer" data-preset="{_esc(name)}" data-dcf-python>',
        '<div class="dcf-explorer__static">',
        f'<p class="dcf-explorer__lede"><strong>{_esc(document["title"])}.</strong> {_esc(document["description"])}'
        + (f" {_esc(caption)}" if caption else "") + "</p>",
        f"<p>Model: {_esc(model)}, trained on each of the {2**n} subsets of {n} training points and "
        f"scored on {_esc(scored)}; each cell is {_esc(METRIC_WORDS[state['metric']])} "
        f"({_esc(state['convention'])} convention). These numbers were computed when the site was built.</p>",
        _points_table(state["train"], "Training points"),
    ]
    if state["eval"] is not None:
        parts.append(_points_table(state["eval"], "Held-out evaluation points"))
    parts += [
        _grid_table(document),
        _values_sentence(document),
        '<p class="dcf-explorer__nojs">With JavaScript on, this is a live explorer: drag the points, '
        "change the model, and every cell is retrained in your browser.</p>",
        "</div>",
        f'<template class="dcf-explorer__data">{script_json(island)}</template>',
        "</div>",
    ]
    if tutorial:
        return _tutorial_html(name, tutorial, "".join(parts))
    return "".join(parts)


def _tutorial_html(name, tutorial, explorer):
    """A tutorial around its explorer: goal and step, explorer, notice, question and answer."""
    step = ("the state after the tutorial's step" if tutorial["after_state"] is not None
            else "the tutorial's state")
    return "".join([
        f'<section class="dcf-tutorial" data-tutorial="{_esc(name)}" aria-label="Tutorial">',
        f'<p class="dcf-tutorial__goal"><strong>Goal.</strong> {_esc(tutorial["goal"])}</p>',
        f'<div class="dcf-tutorial__do"><p><strong>Do.</strong> {_esc(tutorial["do"])}</p></div>',
        explorer,
        f'<p class="dcf-tutorial__notice"><strong>Notice.</strong> {_esc(tutorial["notice"])}</p>',
        f'<p class="dcf-tutorial__question"><strong>Question.</strong> {_esc(tutorial["question"])}</p>',
        '<details class="dcf-tutorial__answer"><summary>Show the answer</summary>',
        f'<p class="dcf-tutorial__built"><strong>Computed when the site was built</strong> (for {_esc(step)}): '
        f'<span class="dcf-tutorial__built-text">{_esc(tutorial["answer"])}</span></p>',
        '<p class="dcf-tutorial__live" aria-live="polite" hidden></p>',
        "</details></section>",
    ])


def render_explorer_blocks(markdown, presets, page="page"):
    """Replace each ``datacf-explorer`` fence in ``markdown`` by :func:`render_explorer_block`'s HTML.

    A pre-pass for ``on_page_markdown`` until the page renderer's block dispatcher calls
    :func:`render_explorer_block` itself; other fences are left alone.
    """
    import re

    import yaml

    fence_re = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w.-]*)")
    lines, out, i = markdown.split("\n"), [], 0
    while i < len(lines):
        match = fence_re.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        start, fence = i, match.group("fence")
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            i += 1
        if match.group("lang") != EXPLORER_LANG:
            out.extend(lines[start:i + 1])
            i += 1
            continue
        where = f"{page}, line {start + 1}, {EXPLORER_LANG} block"
        if i >= len(lines):
            raise PageError(f"{where}: the code fence is never closed.")
        try:
            options = yaml.safe_load("\n".join(lines[start + 1:i])) or {}
        except yaml.YAMLError as error:
            raise PageError(f"{where}: the block is not valid YAML: {error}") from None
        out.extend(["", render_explorer_block(options, presets, where), ""])
        i += 1
    return "\n".join(out)


def page_markdown(markdown, presets, page):
    """``on_page_markdown``'s call: :func:`render_explorer_blocks`, a mistake failing the build."""
    if EXPLORER_LANG not in markdown:
        return markdown
    try:
        return render_explorer_blocks(markdown, presets, page)
    except PageError as error:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"datacf: {error}") from None
