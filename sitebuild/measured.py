"""Build-time measurements for the pages: computations bigger than a grid, cached as JSON.

A measurement (``MEASUREMENTS``: name -> module with ``INPUTS`` and ``compute(inputs)``) is a
real computation, e.g. a learning curve on a scikit-learn dataset with its power-law fit
(``sitebuild.scaling_example``) or estimators converging to an exact grid's values
(``sitebuild.sampled_example``). ``build_measurements`` writes ``.cache/measured/NAME.json``
(git-ignored), recomputing only when the inputs, the measurement's own module, the datacf
version or datacf's source changed.

Pages read them two ways, both rendered by ``page_markdown`` before the grid blocks:

- a fenced ``datacf-measured`` block with ``measurement: NAME``, ``plot: KEY`` and/or
  ``table: KEY`` and an optional ``caption:`` becomes a figure: an SVG plot and its table
  (``sitebuild.plot_svg``); ``chart: KEY`` instead draws the document's
  ``charts.KEY = {"id": ..., "views": [{"label": ..., "plot": CHART}]}``, a bar chart or
  scatter plot the page can redraw, as a ``datacf-plot`` figure (``sitebuild.plot_block``);
- inline ``{{ measured NAME.path.to.value FMT }}`` (FMT like ``.3f``, ``+.2f``, ``.1%``, ``d``)
  becomes that number of the JSON document (or that text, without FMT, e.g. a point's name).

An unknown measurement, key or format fails the build with the page and the problem.
"""
import hashlib
import json
import re
import time
from pathlib import Path

from datacf._view import check_format, format_number

from .examples import _code_digest, _write_atomic
from .grid_store import PageError
from .plot_svg import render_plot, render_table

__all__ = ["MEASURED_LANG", "MEASUREMENTS", "build_measurements", "load_measurements", "page_markdown",
           "default_measured_dir"]

MEASURED_LANG = "datacf-measured"
MEASURED_KEYS = ("measurement", "plot", "table", "chart", "caption")
_INLINE = re.compile(r"\{\{\s*measured\s+([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+)+)(?:\s+([^\s}]+))?\s*\}\}")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w.-]*)")


MEASUREMENTS = {"scaling_breast_cancer": "scaling_example", "sampled_convergence": "sampled_example",
                "influence_regimes": "influence_example", "unlearning_curve": "unlearning_example",
                "evaluation_breast_cancer": "evaluation_example",
                "valuation": "valuation_example", "valuation_noise": "valuation_noise",
                "poisoning_flips": "poisoning_example", "collective_digits": "collective_example"}


def _registry():
    import importlib

    return {name: importlib.import_module(f"sitebuild.{module}") for name, module in MEASUREMENTS.items()}


def default_measured_dir(root):
    """``ROOT/.cache/measured`` (git-ignored)."""
    return Path(root) / ".cache" / "measured"


def input_hash(module, digest=None):
    """SHA-256 of a measurement's inputs, its module's source, the datacf version and datacf's source digest."""
    import datacf as dcf

    key = {"inputs": module.INPUTS, "datacf": dcf.__version__, "code": digest or _code_digest(),
           "kind": module.__name__,
           "module": hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()}   # its compute() changed
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def build_measurements(out_dir, log=print, only=None):
    """Compute every stale measurement into ``out_dir``; return ``{name: document}``."""
    out_dir = Path(out_dir)
    digest = _code_digest()
    documents = {}
    for name, module in _registry().items():
        if only is not None and name not in only:
            continue
        path = out_dir / f"{name}.json"
        expected = input_hash(module, digest)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            document = None
        if not isinstance(document, dict) or document.get("input_hash") != expected:
            start = time.perf_counter()
            document = module.compute(module.INPUTS)
            document["input_hash"] = expected
            document["compute_seconds"] = round(time.perf_counter() - start, 3)
            _write_atomic(path, json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1) + "\n")
            log(f"measured {name} in {document['compute_seconds']:.2f} s -> {path}")
        else:
            log(f"measured {name}: up to date")
        documents[name] = document
    return documents


def load_measurements(out_dir):
    """The cached documents (tests read these; the build computes them first)."""
    return build_measurements(out_dir, log=lambda message: None)


def _lookup(documents, name, path, where):
    if name not in documents:
        raise PageError(f"{where}: unknown measurement {name!r}; the measurements are {sorted(documents)}.")
    value = documents[name]
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            keys = sorted(value) if isinstance(value, dict) else f"indices 0..{len(value) - 1}"
            raise PageError(f"{where}: measurement {name!r} has no {part!r} at "
                            f"{'.'.join([name, *path])}; there: {keys}.")
    return value


def _inline(match, documents, where):
    name, path, fmt = match.group(1), match.group(2).lstrip(".").split("."), match.group(3)
    value = _lookup(documents, name, path, where)
    if isinstance(value, str) and fmt is None:           # a computed name, e.g. a point's
        import html

        return html.escape(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PageError(f"{where}: {name}.{'.'.join(path)} is not a number.")
    if fmt in (None, "d"):
        if float(value) != int(value):
            raise PageError(f"{where}: {name}.{'.'.join(path)} = {value} is not an integer; give a format.")
        return f"{int(value):,}"
    try:
        return format_number(value, check_format(fmt))
    except ValueError as error:
        raise PageError(f"{where}: {error}") from None


def _block(body, documents, where):
    import yaml

    try:
        options = yaml.safe_load(body) if body.strip() else {}
    except yaml.YAMLError as error:
        raise PageError(f"{where}: the block is not valid YAML: {error}") from None
    if not isinstance(options, dict):
        raise PageError(f"{where}: the block must hold 'key: value' lines; the keys are {list(MEASURED_KEYS)}.")
    unknown = sorted(set(options) - set(MEASURED_KEYS), key=str)
    if unknown:
        raise PageError(f"{where}: unknown key {unknown[0]!r}; the keys are {list(MEASURED_KEYS)}.")
    if "measurement" not in options or not ({"plot", "table", "chart"} & set(options)):
        raise PageError(f"{where}: the block needs 'measurement: NAME' and 'plot: KEY' and/or 'table: KEY', "
                        "or 'chart: KEY'.")
    name = options["measurement"]
    if "chart" in options:
        return _chart_block(options, documents, name, where)
    parts = ['<figure class="dcf-points dcf-measured">']
    if "plot" in options:
        plot = dict(_lookup(documents, name, ["plots", str(options["plot"])], where))
        plot["id"] = f"dcf-m-{name}-{options['plot']}"
        parts.append(render_plot(plot))
    caption = options.get("caption")
    if caption is not None:
        if not isinstance(caption, str):
            raise PageError(f"{where}: caption must be text.")
        parts.append(f"<figcaption>{_inline_text(caption, documents, where)}</figcaption>")
    if "table" in options:
        table = _lookup(documents, name, ["tables", str(options["table"])], where)
        parts.append(f'<div class="dcf-measured__table">{render_table(table)}</div>')
    parts.append("</figure>")
    return "\n".join(parts)


def _chart_block(options, documents, name, where):
    import html

    from .plot_block import render_figure

    if {"plot", "table"} & set(options):
        raise PageError(f"{where}: 'chart' draws its own table; remove 'plot' and 'table'.")
    chart = _lookup(documents, name, ["charts", str(options["chart"])], where)
    caption = options.get("caption", chart["views"][0]["plot"]["title"] + ".")
    if not isinstance(caption, str):
        raise PageError(f"{where}: caption must be text.")
    caption = html.unescape(_inline_text(caption, documents, where))      # render_figure escapes it once
    return render_figure(chart["id"], chart["views"], caption, shown=0)


def _inline_text(text, documents, where):
    import html

    return _INLINE.sub(lambda m: _inline(m, documents, where), html.escape(text, quote=False))


def page_markdown(markdown, documents, page="page"):
    """Render ``datacf-measured`` blocks and ``{{ measured … }}`` numbers; leave everything else."""
    if MEASURED_LANG not in markdown and "measured" not in markdown:
        return markdown
    out, lines, i = [], markdown.split("\n"), 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            where = f"{page}, line {i + 1}"
            out.append(_INLINE.sub(lambda m: _inline(m, documents, where), lines[i]))
            i += 1
            continue
        fence, lang, start = match.group("fence"), match.group("lang"), i
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            i += 1
        if lang == MEASURED_LANG:
            where = f"{page}, line {start + 1}, {MEASURED_LANG} block"
            out.extend(["", _block("\n".join(lines[start + 1:i]), documents, where), ""])
        else:
            out.extend(lines[start:i + 1])
        i += 1
    return "\n".join(out)
