"""The Grid Explorer's Python side: validate an explorer state, compute everything it shows.

The explorer page (``docs/explorer.md``, ``docs/js/explorer*.js``) keeps one *state*, a plain
JSON object::

    {"version": 1,
     "train": {"X": [[x1, x2], ...], "y": [0, 1, ...], "names": ["A", "B", ...]},
     "eval": null or {"X": ..., "y": ..., "names": ...},      # null: score on the training points
     "model": "KNN" | "LogisticRegression" | "NearestCentroid",
     "params": {"k": 3} | {"C": 1.0} | {},
     "metric": "prob_correct" | "accuracy" | "log_loss",
     "convention": "fallback" | "zero",
     "focus": [column, ...],                                   # evaluation columns every reading uses
     "lens": {"name": "loo", "point": 0, "group": [0], "pair": [0, 1], "column": 0,
              "alpha": 16.0, "beta": 1.0, "size": 2,
              "signal": {"feature": 0, "value": null, "label": null}},  # null: chosen from the data
     "selection": null or a row index,                        # the row whose regions are shaded too
     "view": [x_min, x_max, y_min, y_max]}                     # the plotted window

:func:`explore` computes what the page shows from it: the grid (``compute_grid``), every lens
reading, two edit grids (``compute_grid(..., edit=FlipLabels())`` for label-flip poisoning,
``compute_success_grid`` for a collective planting ``lens.signal``), read by edit budget with
``budget_curve``, and the decision regions on a coarse lattice. The same
function makes the precomputed presets at build time and runs in the page's Python worker, so
static and live numbers agree by construction.

A state can arrive from a share link, ``window.datacf.explorer.setState`` or a preset file, so
:func:`check_state` treats it as hostile: exact types, bounded sizes, finite coordinates, small
labels, names without the row-name syntax, and the model from an explicit allow-list with
validated parameters. :func:`state_from_fragment` and :func:`fragment_from_state` encode a
state for the URL fragment (``dcf1.`` + base64url of compact JSON).
"""
import base64
import binascii
import functools
import json
import math
import numbers

import numpy as np

from ._compute import CONVENTIONS, compute_grid
from ._dataset import Dataset, default_names
from ._edit_readings import budget_curve, compute_success_grid
from ._metrics import METRICS
from ._subsets import EMPTY_SET_NAME, ROW_SEPARATOR, subset_bits, subset_sizes
from ._view import grid_view
from . import _semivalues, models
from .edits import FlipLabels, PlantSignal

__all__ = [
    "ExplorerStateError",
    "MIN_POINTS",
    "MAX_POINTS",
    "MAX_EVAL_POINTS",
    "COORD_LIMIT",
    "MAX_LABEL",
    "LENSES",
    "MODELS",
    "LATTICE",
    "FRAGMENT_PREFIX",
    "check_state",
    "default_view",
    "explore",
    "explore_page",
    "explore_result",
    "fragment_from_state",
    "state_from_fragment",
    "script_for_state",
]

STATE_VERSION = 1
MIN_POINTS = 2            # fewer gives no comparison worth making
MAX_POINTS = 10           # 2**10 = 1024 models per edit: a blink in the page's Python worker
MAX_EVAL_POINTS = 12      # columns that still fit on a phone
COORD_LIMIT = 100.0       # |coordinate| bound: keeps the plot, the lattice and the solvers sane
MAX_LABEL = 2             # classes 0, 1 and 2: each has its own colour and shape
N_FEATURES = 2            # the explorer's points are (x1, x2)
MAX_NAME_CHARS = 12
MAX_FRAGMENT_CHARS = 4000
LATTICE = 24              # decision regions: LATTICE x LATTICE cell centres over the view
REGION_DIGITS = 3         # probabilities in regions are rounded: they only shade the plot
ALPHA_BETA_RANGE = (0.1, 64.0)
SIGNAL_MARGIN = 0.2       # the automatic signal value sits this fraction of the data's span past its largest value
C_RANGE = (1e-3, 1e3)
MODELS = {
    "KNN": {"k": (int, 1, MAX_POINTS, 3)},
    "LogisticRegression": {"C": (float, *C_RANGE, 1.0)},
    "NearestCentroid": {},
}
LENSES = ("cell", "loo", "group", "column", "interaction", "shapley", "banzhaf", "beta",
          "scaling", "best", "poison", "collective", "moving")
FRAGMENT_PREFIX = "dcf1."
_STATE_KEYS = {"version", "train", "eval", "model", "params", "metric", "convention", "focus",
               "lens", "selection", "view"}
_DATA_KEYS = {"X", "y", "names"}
_LENS_KEYS = {"name", "point", "group", "pair", "column", "alpha", "beta", "size", "signal"}
_SIGNAL_KEYS = {"feature", "value", "label"}
# The fragment's compact keys, and the state keys they stand for.
_SHORT = {"v": "version", "t": "train", "e": "eval", "m": "model", "p": "params", "s": "metric",
          "c": "convention", "f": "focus", "l": "lens", "r": "selection", "w": "view"}


class ExplorerStateError(ValueError):
    """Raised when an explorer state (or share link) is malformed, too big or names unknown things."""


def _fail(message):
    raise ExplorerStateError(message)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_int(value, low, high, where):
    if not _is_int(value) or not low <= value <= high:
        _fail(f"{where} must be an integer from {low} to {high}; got {value!r:.40}.")
    return int(value)


def _check_float(value, low, high, where):
    # A range test and no isfinite: it refuses NaN and infinity, and an int too big for a float
    # (JSON has them) is out of range instead of an OverflowError.
    if not _is_number(value) or not low <= value <= high:
        _fail(f"{where} must be a number from {low:g} to {high:g}; got {value!r:.40}.")
    return float(value)


def _check_name(name, where):
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_CHARS or not name.strip():
        _fail(f"{where} must be text of 1 to {MAX_NAME_CHARS} characters; got {name!r:.40}.")
    if name != name.strip() or any(not ch.isprintable() for ch in name):
        _fail(f"{where} = {name!r:.40} has a control character or surrounding space.")
    for reserved in (ROW_SEPARATOR, EMPTY_SET_NAME):
        if reserved in name:
            _fail(f"{where} = {name!r:.40} contains {reserved!r}, which row names use; choose another name.")
    return name


def _check_points(data, low, high, where):
    if not isinstance(data, dict) or not {"X", "y"} <= data.keys() <= _DATA_KEYS:
        _fail(f"{where} must be an object with keys X, y and optionally names.")
    X, y = data["X"], data["y"]
    if not isinstance(X, list) or not low <= len(X) <= high:
        _fail(f"{where}.X must list {low} to {high} points; got "
              f"{len(X) if isinstance(X, list) else type(X).__name__}. "
              + (f"Live exact grids train 2**n models, so n is at most {MAX_POINTS}." if where == "train" else ""))
    coords = []
    for i, point in enumerate(X):
        if not isinstance(point, list) or len(point) != 2:
            _fail(f"{where}.X[{i}] must be a pair [x1, x2].")
        coords.append([_check_float(v, -COORD_LIMIT, COORD_LIMIT, f"{where}.X[{i}][{j}]") for j, v in enumerate(point)])
    if not isinstance(y, list) or len(y) != len(X):
        _fail(f"{where}.y must list one label per point ({len(X)}).")
    labels = [_check_int(v, 0, MAX_LABEL, f"{where}.y[{i}]") for i, v in enumerate(y)]
    names = data.get("names")
    if names is None:
        names = list(default_names(len(X)))
    elif not isinstance(names, list) or len(names) != len(X):
        _fail(f"{where}.names must list one name per point ({len(X)}).")
    else:
        names = [_check_name(name, f"{where}.names[{i}]") for i, name in enumerate(names)]
        if len(set(names)) != len(names):
            _fail(f"{where}.names must be unique; got {names!r:.120}.")
    return {"X": coords, "y": labels, "names": names}


def default_view(points):
    """A square-ish window around the points with a margin, ``[x_min, x_max, y_min, y_max]``."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    pad = 0.25 * span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = span / 2 + pad
    return [round(cx - half, 3), round(cx + half, 3), round(cy - half, 3), round(cy + half, 3)]


def _check_signal(signal, classes):
    """``lens.signal``: a feature index, a value in the coordinate range and a training class; null picks."""
    out = {"feature": 0, "value": None, "label": None}
    if signal is None:
        return out
    if not isinstance(signal, dict) or not set(signal) <= _SIGNAL_KEYS:
        _fail(f"lens.signal must be an object with keys from {sorted(_SIGNAL_KEYS)}; got {signal!r:.60}.")
    if "feature" in signal:
        out["feature"] = _check_int(signal["feature"], 0, N_FEATURES - 1, "lens.signal.feature")
    if signal.get("value") is not None:
        out["value"] = _check_float(signal["value"], -COORD_LIMIT, COORD_LIMIT, "lens.signal.value")
    if signal.get("label") is not None:
        label = _check_int(signal["label"], 0, MAX_LABEL, "lens.signal.label")
        if label not in classes:
            _fail(f"lens.signal.label = {label} is not a class of the training points ({sorted(set(classes))}); "
                  "a collective can only plant a label the data has. Use null to let the explorer choose.")
        out["label"] = label
    return out


def _check_lens(lens, n, m, classes):
    defaults = {"name": "loo", "point": 0, "group": [0], "pair": [0, 1], "column": 0,
                "alpha": 16.0, "beta": 1.0, "size": min(2, n), "signal": _check_signal(None, classes)}
    if lens is None:
        return defaults
    if not isinstance(lens, dict) or not set(lens) <= _LENS_KEYS:
        _fail(f"lens must be an object with keys from {sorted(_LENS_KEYS)}.")
    out = dict(defaults)
    if "name" in lens:
        if lens["name"] not in LENSES:
            _fail(f"lens.name = {lens['name']!r:.40} is not a lens; the lenses are {list(LENSES)}.")
        out["name"] = lens["name"]
    if "point" in lens:
        out["point"] = _check_int(lens["point"], 0, n - 1, "lens.point")
    if "column" in lens:
        out["column"] = _check_int(lens["column"], 0, m - 1, "lens.column")
    if "size" in lens:
        out["size"] = _check_int(lens["size"], 0, n, "lens.size")
    for key in ("alpha", "beta"):
        if key in lens:
            out[key] = _check_float(lens[key], *ALPHA_BETA_RANGE, f"lens.{key}")
    if "group" in lens:
        group = lens["group"]
        if not isinstance(group, list) or not 1 <= len(group) <= n:
            _fail(f"lens.group must list 1 to {n} training points.")
        group = sorted(_check_int(i, 0, n - 1, "lens.group[]") for i in group)
        if len(set(group)) != len(group):
            _fail("lens.group names a point twice.")
        out["group"] = group
    if "pair" in lens:
        pair = lens["pair"]
        if not isinstance(pair, list) or len(pair) != 2:
            _fail("lens.pair must list two training points.")
        pair = [_check_int(i, 0, n - 1, "lens.pair[]") for i in pair]
        if pair[0] == pair[1]:
            _fail("lens.pair needs two different points.")
        out["pair"] = pair
    if "signal" in lens:
        out["signal"] = _check_signal(lens["signal"], classes)
    return out


def check_state(state):
    """A validated, complete copy of an explorer state; ``ExplorerStateError`` on anything wrong.

    Parameters
    ----------
    state : dict
        An explorer state (see the module docstring); missing optional keys get defaults.

    Returns
    -------
    dict
        The state with every key present, numbers as Python floats and ints.

    Examples
    --------
    >>> state = check_state({"train": {"X": [[0, 0], [1, 1]], "y": [0, 1]}})
    >>> state["model"], state["params"], state["focus"], state["train"]["names"]
    ('KNN', {'k': 3}, [0, 1], ['A', 'B'])
    >>> check_state({"train": {"X": [[0, 0]] * 11, "y": [0] * 11}})
    Traceback (most recent call last):
    ...
    datacf._explorer.ExplorerStateError: train.X must list 2 to 10 points; got 11. Live exact grids ...
    """
    if not isinstance(state, dict):
        _fail(f"An explorer state must be an object; got {type(state).__name__}.")
    unknown = sorted(map(str, set(state) - _STATE_KEYS))
    if unknown:
        _fail(f"Unknown state key {unknown[0]!r:.40}; the keys are {sorted(_STATE_KEYS)}.")
    if state.get("version", STATE_VERSION) != STATE_VERSION or isinstance(state.get("version"), bool):
        _fail(f"This explorer reads state version {STATE_VERSION}; got {state.get('version')!r:.20}.")
    if "train" not in state:
        _fail("An explorer state needs its training points (train).")
    train = _check_points(state["train"], MIN_POINTS, MAX_POINTS, "train")
    evaluation = state.get("eval")
    if evaluation is not None:
        evaluation = _check_points(evaluation, 1, MAX_EVAL_POINTS, "eval")
    n = len(train["X"])
    m = n if evaluation is None else len(evaluation["X"])
    model = state.get("model", "KNN")
    if not isinstance(model, str) or model not in MODELS:
        _fail(f"model = {model!r:.40} is not allowed; choose one of {list(MODELS)}.")
    params = state.get("params", {})
    if not isinstance(params, dict) or not set(params) <= set(MODELS[model]):
        _fail(f"params for {model} may only set {sorted(MODELS[model]) or 'nothing'}; got {params!r:.80}.")
    checked = {}
    for key, (kind, low, high, default) in MODELS[model].items():
        value = params.get(key, default)
        checked[key] = (_check_int if kind is int else _check_float)(value, low, high, f"params.{key}")
    metric = state.get("metric", "prob_correct")
    if metric not in METRICS:
        _fail(f"metric = {metric!r:.40} is not supported; choose one of {list(METRICS)}.")
    convention = state.get("convention", "fallback")
    if convention not in CONVENTIONS:
        _fail(f"convention = {convention!r:.40} is not supported; choose one of {list(CONVENTIONS)}.")
    if convention == "zero" and metric == "log_loss":
        _fail("convention = 'zero' cannot score metric = 'log_loss': a loss of 0 is the best score, so it would "
              "reward the subsets a model refuses; use convention = 'fallback', or another metric.")
    focus = state.get("focus")
    if focus is None:
        focus = list(range(m))
    elif not isinstance(focus, list) or not 1 <= len(focus) <= m:
        _fail(f"focus must list 1 to {m} evaluation columns.")
    else:
        focus = sorted(_check_int(c, 0, m - 1, "focus[]") for c in focus)
        if len(set(focus)) != len(focus):
            _fail("focus names a column twice.")
    lens = _check_lens(state.get("lens"), n, m, train["y"])
    selection = state.get("selection")
    if selection is not None:
        selection = _check_int(selection, 0, 2**n - 1, "selection")
    view = state.get("view")
    if view is None:
        view = default_view(train["X"] + (evaluation["X"] if evaluation else []))
    else:
        if not isinstance(view, list) or len(view) != 4:
            _fail("view must be [x_min, x_max, y_min, y_max].")
        view = [_check_float(v, -2 * COORD_LIMIT, 2 * COORD_LIMIT, f"view[{i}]") for i, v in enumerate(view)]
        if not (view[0] < view[1] and view[2] < view[3]):
            _fail("view must have x_min < x_max and y_min < y_max.")
    return {"version": STATE_VERSION, "train": train, "eval": evaluation, "model": model, "params": checked,
            "metric": metric, "convention": convention, "focus": focus, "lens": lens,
            "selection": selection, "view": view}


# --- computing what the page shows -----------------------------------------------------------


def _model(state):
    return getattr(models, state["model"])(**state["params"])


def _datasets(state):
    train = Dataset(state["train"]["X"], state["train"]["y"], names=state["train"]["names"])
    ev = state["eval"]
    evaluation = None if ev is None else Dataset(ev["X"], ev["y"], names=ev["names"])
    return train, evaluation


def _lattice(view):
    """Cell centres of a LATTICE x LATTICE lattice over the view, row by row from the top."""
    x0, x1, y0, y1 = view
    xs = x0 + (np.arange(LATTICE) + 0.5) * (x1 - x0) / LATTICE
    ys = y1 - (np.arange(LATTICE) + 0.5) * (y1 - y0) / LATTICE
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _regions(train, model, rows, view):
    """Predicted class and its probability at every lattice cell, for each row in ``rows``.

    The same models as ``compute_grid`` with the "fallback" convention: a row with no point
    predicts uniformly, a row with one class predicts it with certainty, the others go to
    the fast learner (trained on that row's points only).
    """
    points = _lattice(view)
    classes = train.classes
    n_classes = classes.size
    codes = np.searchsorted(classes, train.y)
    rows = np.asarray(rows, dtype=np.int64)
    member_codes = [codes[[(r >> i) & 1 == 1 for i in range(train.n_points)]] for r in rows]
    proba = np.empty((rows.size, len(points), n_classes))
    fit = []
    for k, present in enumerate(member_codes):
        found = np.unique(present)
        if found.size == 0:
            proba[k] = 1.0 / n_classes
        elif found.size == 1:
            proba[k] = np.eye(n_classes)[found[0]]
        else:
            fit.append(k)
    if fit:
        proba[fit] = model._predict_proba_subsets(train.X, codes, n_classes, points, rows[fit])
    winner = proba.argmax(axis=2)
    best = np.take_along_axis(proba, winner[..., None], axis=2)[..., 0]
    return [{"row": int(r), "label": classes[winner[k]].tolist(),
             "prob": np.round(best[k], REGION_DIGITS).tolist()} for k, r in enumerate(rows)]


def _interactions(u, n):
    """Every pair's Shapley interaction index (``Grid.interaction``) at once, (n, n), 0 on the diagonal.

    I(a, b) = sum over S without a and b of s! (n - s - 2)! / (n - 1)! (U(S+a+b) - U(S+a) - U(S+b) + U(S)),
    with the weights as ``Grid.interaction`` computes them; one pass over the (2**n, n, n) table
    instead of n (n - 1) passes over the rows.
    """
    if n < 2:
        return np.zeros((n, n))
    with_a, with_ab, weight = _interaction_tables(n)
    ua = u[with_a]                                                          # U(S + a)
    delta = u[with_ab] - ua[:, :, None] - ua[:, None, :] + u[:, None, None]
    out = np.einsum("sab,sab->ab", weight, delta)
    out[np.diag_indices(n)] = 0.0
    return out


@functools.lru_cache(maxsize=None)
def _interaction_tables(n):
    """Row indices of S + a and S + b + a, and each term's weight (0 unless a, b are outside S)."""
    rows = np.arange(2**n)
    one = 1 << np.arange(n)
    bits = subset_bits(n)
    log_w = [math.lgamma(s + 1) + math.lgamma(n - s - 1) - math.lgamma(n) for s in range(n - 1)]
    by_size = np.exp(np.array(log_w + [-np.inf, -np.inf]))                  # 0 where |S| > n - 2
    outside = ~bits[:, :, None] & ~bits[:, None, :]
    weight = np.where(outside, by_size[subset_sizes(n)][:, None, None], 0.0)
    return rows[:, None] | one, rows[:, None, None] | one[:, None] | one, weight


def _flip_edit(classes):
    """The label flip: ``FlipLabels()`` for two classes, each to the next (cyclically) for three, none for one."""
    classes = [int(c) for c in classes]
    if len(classes) == 2:
        return FlipLabels()
    return FlipLabels({c: classes[(k + 1) % len(classes)] for k, c in enumerate(classes)})


def _by_budget(grid, focus, extreme):
    """``budget_curve`` as JSON: the mean, and the ``extreme`` ("minimum" or "maximum") with its rows, by |F|."""
    curve = budget_curve(grid, focus)
    rows = curve.argmin if extreme == "minimum" else curve.argmax
    return {"mean": curve.mean.tolist(), extreme: getattr(curve, extreme).tolist(), "rows": rows.tolist()}


def _poisoning(train, evaluation, model, state):
    """Label-flip poisoning: the edit grid of ``FlipLabels``, U(F) for every flipped set F, and the worst F by size.

    Row F trains on all n points with F's labels flipped and scores on the clean evaluation
    points; the attacker's worst case with b flips is the lowest U over |F| = b (the highest
    for log loss, a loss).
    """
    edit = _flip_edit(train.classes)
    grid = compute_grid(train, model, eval=evaluation, metric=state["metric"], convention=state["convention"],
                        edit=edit)
    worst = "maximum" if state["metric"] == "log_loss" else "minimum"
    return {"edit": edit.to_dict(), "flipped_to": edit.apply(train).y.tolist(),
            "utility": grid.utility(state["focus"]).tolist(), "worst_is": worst,
            **_by_budget(grid, state["focus"], worst)}


def _default_signal_value(column):
    """Past the data's largest value by ``SIGNAL_MARGIN`` of its span (at least 1): a value no point has."""
    span = max(float(column.max() - column.min()), 1.0)
    return round(min(float(column.max()) + SIGNAL_MARGIN * span, COORD_LIMIT), 2)


def _collective(train, evaluation, model, state):
    """Collective action: success S(F) of the signal planted by every collective F, and the best F by size.

    ``lens.signal`` fixes the feature; a null value is :func:`_default_signal_value` of it, and
    a null label is the class the clean model (F = ∅) gives least often to the signal-carrying
    evaluation points (ties: the smaller label), so the collective has the most to change.
    """
    wanted = state["lens"]["signal"]
    feature = wanted["feature"]
    value = wanted["value"] if wanted["value"] is not None else _default_signal_value(train.X[:, feature])
    labels = [wanted["label"]] if wanted["label"] is not None else train.classes.tolist()
    grids = [compute_success_grid(train, model, PlantSignal(feature, value, label), eval=evaluation,
                                  convention=state["convention"]) for label in labels]
    chosen = min(range(len(labels)), key=lambda k: (grids[k].utility()[0], labels[k]))
    grid, signal = grids[chosen], PlantSignal(feature, value, labels[chosen])
    return {"signal": signal.to_dict(), "auto": {"value": wanted["value"] is None, "label": wanted["label"] is None},
            "success": grid.utility(state["focus"]).tolist(), **_by_budget(grid, state["focus"], "maximum")}


def explore(state):
    """Everything the explorer shows for ``state``: the grid, the lens readings, regions, poisoning.

    Parameters
    ----------
    state : dict
        An explorer state; validated with :func:`check_state` first.

    Returns
    -------
    dict
        JSON-ready: ``state`` (validated), ``point_names``, ``eval_names``, ``values`` (2**n
        rows in subset order), ``utility`` (over the focus), ``readings`` (``loo``, ``shapley``,
        ``banzhaf``, ``beta``, ``scaling``, ``interaction`` (n x n), ``best`` (per size:
        ``row``, ``utility``)), ``poison`` (the label-flip edit grid: ``utility`` U(F) for
        every flipped set F in subset order, ``flipped_to`` (each point's label once
        flipped), ``edit``, and by budget |F| the ``mean``, the attacker's extreme
        (``worst_is`` names it: ``minimum``, or ``maximum`` for log loss) and its ``rows``),
        ``collective`` (the success grid of ``lens.signal``: ``success`` S(F) for every
        collective F, ``signal`` as resolved, ``auto``, and by size the ``mean``, the
        ``maximum`` and its ``rows``) and ``regions`` (``lattice``, ``classes``, and the
        full row's and selected row's predicted class and probability per lattice cell,
        top row first).

    Examples
    --------
    >>> out = explore({"train": {"X": [[0, 0], [1, 0]], "y": [0, 1]}, "params": {"k": 1}})
    >>> out["values"]
    [[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    >>> out["readings"]["loo"]
    [0.5, 0.5]
    """
    state = check_state(state)
    grid = _grid(state)
    out = _explore(state, grid)
    out["values"] = grid.values.tolist()
    return out


def explore_result(state):
    """``(grid, readings)``: the grid itself and :func:`explore`'s output without ``values``.

    What the page receives, from a preset file or the worker: the grid as ``Grid.to_json``
    (lossless) and the rest as plain JSON.
    """
    state = check_state(state)
    grid = _grid(state)
    return grid, _explore(state, grid)


def _grid(state):
    train, evaluation = _datasets(state)
    return compute_grid(train, _model(state), eval=evaluation, metric=state["metric"],
                        convention=state["convention"])


def _explore(state, grid, view_rows="all"):
    train, evaluation = _datasets(state)
    model = _model(state)
    n = train.n_points
    focus = state["focus"]
    lens = state["lens"]
    u = grid.utility(focus)
    sizes = subset_sizes(n)
    best = []
    for k in range(n + 1):
        rows = np.flatnonzero(sizes == k)
        r = int(rows[np.argmax(u[rows])])
        best.append({"size": k, "row": r, "utility": float(u[r])})
    interaction = _interactions(u, n).tolist()
    # Mean marginal gain of each point over the coalitions of each size k = 0..n-1; every
    # semivalue is sum_k W[k] * gain[i][k] with W[k] = w[k] * C(n-1, k) (the lens formulas).
    rows = np.arange(2**n)
    bits = subset_bits(n)
    gain = u[rows[:, None] | (1 << np.arange(n))] - u[:, None]          # (2**n, n)
    without = ~bits                                                     # S without i, by size of S:
    by_size = (sizes[:, None] == np.arange(n)).astype(float)            # (2**n, n) one-hot of |S| < n
    gain_by_size = ((by_size.T @ np.where(without, gain, 0.0)) / (by_size.T @ without.astype(float))).T
    counts = np.array([math.comb(n - 1, k) for k in range(n)], dtype=float)
    size_weights = {
        "shapley": (_semivalues.shapley_weights(n) * counts).tolist(),
        "banzhaf": (_semivalues.banzhaf_weights(n) * counts).tolist(),
        "beta": (_semivalues.beta_weights(n, lens["alpha"], lens["beta"]) * counts).tolist(),
    }
    readings = {
        "loo": grid.loo(focus).tolist(),
        "shapley": grid.shapley(focus).tolist(),
        "banzhaf": grid.banzhaf(focus).tolist(),
        "beta": grid.beta_shapley(lens["alpha"], lens["beta"], focus).tolist(),
        "scaling": grid.scaling(focus).tolist(),
        "interaction": interaction,
        "best": best,
        "gain_by_size": gain_by_size.tolist(),
        "size_weights": size_weights,
    }
    full = 2**n - 1
    region_rows = [full] + ([state["selection"]] if state["selection"] not in (None, full) else [])
    regions = _regions(train, model, region_rows, state["view"])
    return {
        "state": state,
        "point_names": list(grid.point_names),
        "eval_names": list(grid.eval_names),
        "utility": u.tolist(),
        "readings": readings,
        "poison": _poisoning(train, evaluation, model, state),
        "collective": _collective(train, evaluation, model, state),
        "regions": {"size": LATTICE, "classes": train.classes.tolist(), "rows": regions},
        "view": grid_view(grid, rows=view_rows, focus=focus, fmt=".2f"),
    }


# The page's worker keeps at most this many characters of a run's stdout (docs/js/py-worker.js).
PAGE_OUTPUT_LIMIT = 100_000
MAX_ROWS_PER_REQUEST = 160     # rows of the view one worker reply carries: inside that limit at n = 10, m = 12
_PAGE_DIGITS = 6               # utilities sent to the page feed formulas shown to 3 decimals


@functools.lru_cache(maxsize=None)
def _row_order(n):
    sizes = subset_sizes(n)
    return tuple(sorted(range(2**n), key=lambda r: (int(sizes[r]), [i for i in range(n) if (r >> i) & 1])))


CELL_LABEL = "trained on {trainedOn}; evaluated at {column}: {text}"


def compact_view(view, n):
    """The view with each cell as ``[text, shade]``: its value is in the grid, its label is ``cellLabel``.

    ``cellLabel`` is the view's own cell label as a template (``{trainedOn}``, ``{column}``,
    ``{text}``); every label is checked against it here, and cells keep their label as a third
    item if the view model's wording ever differs. Plus ``allGroups``: every subset size with
    its label, also for sizes whose rows are not in this view (the page shows their headers
    and asks for their rows when a reader opens one).
    """
    out = dict(view)
    rows = []
    for row in view["rows"]:
        cells = []
        for c, cell in enumerate(row["cells"]):
            label = CELL_LABEL.format(trainedOn=row["trainedOn"], column=view["colLabels"][c], text=cell["text"])
            cells.append([cell["text"], cell["shade"]] + ([] if label == cell["label"] else [cell["label"]]))
        rows.append({**row, "cells": cells})
    out["rows"] = rows
    out["cellLabel"] = CELL_LABEL
    out["allGroups"] = [dict(group) for group in _all_groups(n)]
    out["compact"] = True
    return out


@functools.lru_cache(maxsize=None)
def _all_groups(n):
    """Every subset size of n points with the view model's label for its group of rows."""
    from ._view import _groups

    sizes = subset_sizes(n)
    every = [{"size": int(sizes[r])} for r in _row_order(n)]
    return tuple({"size": g["size"], "label": g["label"]} for g in _groups(every))


def explore_page(state_json, rows_json="null"):
    """The worker's entry point: print the page's data as one JSON line, return the grid.

    The page gets the grid itself as the run's display (``Grid.to_json``, lossless) and the
    rest from stdout, both plain data; stdout stays under ``PAGE_OUTPUT_LIMIT``, so the view
    holds only the rows the page shows (``rows_json``: a JSON list of row indices, or null for
    every row of a grid of at most 64 rows), at most ``MAX_ROWS_PER_REQUEST``.
    """
    try:
        state = json.loads(state_json, parse_constant=_refuse_constant)
        rows = json.loads(rows_json, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise ExplorerStateError(f"The explorer state is not valid JSON ({error}).") from None
    state = check_state(state)
    n = len(state["train"]["X"])
    if rows is None:
        rows = list(_row_order(n)) if n <= 6 else [2**n - 1] + [(2**n - 1) ^ (1 << i) for i in range(n)]
    if not isinstance(rows, list) or not all(_is_int(r) and 0 <= r < 2**n for r in rows):
        raise ExplorerStateError("rows must list row indices of this grid.")
    order = {r: k for k, r in enumerate(_row_order(n))}
    rows = sorted(set(rows), key=order.get)[:MAX_ROWS_PER_REQUEST]
    grid = _grid(state)
    out = _explore(state, grid, view_rows=rows)
    out["view"] = compact_view(out["view"], n)
    out["utility"] = np.round(out["utility"], _PAGE_DIGITS).tolist()
    for key, vectors in (("poison", ("utility", "mean", out["poison"]["worst_is"])),
                         ("collective", ("success", "mean", "maximum"))):
        for vector in vectors:
            out[key][vector] = np.round(out[key][vector], _PAGE_DIGITS).tolist()
    print(json.dumps(out, allow_nan=False, separators=(",", ":")))
    return grid


# --- share links --------------------------------------------------------------------------


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number a state may hold")


def _compact_points(data):
    if data is None:
        return None
    return [[x[0], x[1], label, name] for x, label, name in zip(data["X"], data["y"], data["names"])]


def fragment_from_state(state):
    """The URL fragment (without ``#``) for a state: ``dcf1.`` + base64url of compact JSON.

    >>> state = {"train": {"X": [[0, 0], [1, 1]], "y": [0, 1]}}
    >>> state_from_fragment(fragment_from_state(state)) == check_state(state)
    True
    """
    state = check_state(state)
    compact = {"v": state["version"], "t": _compact_points(state["train"]), "e": _compact_points(state["eval"]),
               "m": state["model"], "p": state["params"], "s": state["metric"], "c": state["convention"],
               "f": state["focus"], "l": state["lens"], "r": state["selection"], "w": state["view"]}
    text = json.dumps(compact, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return FRAGMENT_PREFIX + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _expand_points(rows, where):
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 4 for r in rows):
        _fail(f"{where} must list points as [x1, x2, label, name].")
    return {"X": [[r[0], r[1]] for r in rows], "y": [r[2] for r in rows], "names": [r[3] for r in rows]}


def state_from_fragment(fragment):
    """The validated state a URL fragment encodes; ``ExplorerStateError`` for anything else.

    Nothing in the fragment is executed: it is decoded as base64url, parsed as JSON (at most
    ``MAX_FRAGMENT_CHARS`` characters) and checked by :func:`check_state`.
    """
    if not isinstance(fragment, str):
        _fail(f"A fragment is text; got {type(fragment).__name__}.")
    fragment = fragment[1:] if fragment.startswith("#") else fragment
    if len(fragment) > MAX_FRAGMENT_CHARS:
        _fail(f"The link's state is {len(fragment)} characters long; at most {MAX_FRAGMENT_CHARS} are read.")
    if not fragment.startswith(FRAGMENT_PREFIX):
        _fail(f"The link's state must start with {FRAGMENT_PREFIX!r}.")
    body = fragment[len(FRAGMENT_PREFIX):]
    if not body or any(ch not in _B64URL for ch in body):
        _fail("The link's state is not base64url text.")
    try:
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
        compact = json.loads(text, parse_constant=_refuse_constant)
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ExplorerStateError(f"The link's state cannot be decoded ({type(error).__name__}).") from None
    if not isinstance(compact, dict) or not set(compact) <= set(_SHORT) or "t" not in compact:
        _fail("The link's state is not an explorer state.")
    state = {_SHORT[key]: value for key, value in compact.items()}
    state["train"] = _expand_points(state["train"], "train")
    if "eval" in state:
        state["eval"] = _expand_points(state["eval"], "eval")
    return check_state(state)


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


# --- export --------------------------------------------------------------------------------


def script_for_state(state):
    """A Python script that recomputes the explorer's grid for ``state`` with datacf.

    >>> print(script_for_state({"train": {"X": [[0, 0], [1, 1]], "y": [0, 1]}}).splitlines()[0])
    # The Grid Explorer's view, recomputed with datacf (pip install datacf).
    """
    state = check_state(state)
    params = ", ".join(f"{key}={value!r}" for key, value in state["params"].items())
    lines = [
        "# The Grid Explorer's view, recomputed with datacf (pip install datacf).",
        "import datacf as dcf",
        "",
        f"train = dcf.Dataset({state['train']['X']!r}, {state['train']['y']!r}, names={state['train']['names']!r})",
    ]
    if state["eval"] is None:
        lines.append("test = None  # score on the training points themselves")
    else:
        ev = state["eval"]
        lines.append(f"test = dcf.Dataset({ev['X']!r}, {ev['y']!r}, names={ev['names']!r})")
    lines += [
        f"model = dcf.models.{state['model']}({params})",
        f"grid = dcf.compute_grid(train, model, eval=test, metric={state['metric']!r}, "
        f"convention={state['convention']!r})",
        f"focus = {state['focus']!r}",
        "print(grid.values)  # rows in subset order: row r trains on {i : (r >> i) & 1}",
        "print('LOO', grid.loo(focus).round(3))",
        "print('Shapley', grid.shapley(focus).round(3))",
        "print('Banzhaf', grid.banzhaf(focus).round(3))",
    ]
    return "\n".join(lines) + "\n"
