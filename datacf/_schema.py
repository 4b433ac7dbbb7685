"""The grid JSON schema, version 1.

    {"schema": "datacf.grid", "version": 1,
     "point_names": [...], "eval_names": [...], "values": [[...], ...],
     "inputs": {"train": {"X", "y", "names"}, "eval": ... or null, "model": {...},
                "metric": ..., "convention": ..., ["edit": {"kind": ..., ...}]} or null,
     "provenance": {"datacf": ..., "python": ..., "numpy": ..., "scikit-learn": ...}}

Floats are written with Python's shortest round-trip repr, so reading a file back gives
bit-identical values. Readers refuse files from a newer schema version rather than guess.

A grid file is untrusted data. Reading one never runs code (a recorded model is only
described; see ``datacf._model_spec``), refuses text longer than ``MAX_JSON_CHARS`` before
parsing it, and turns every problem into a ``ValueError`` naming the field. Recorded inputs
must be well-formed, and the values must lie in the range of the recorded metric. An edit
grid's inputs also hold "edit", rebuilt only through ``datacf.edits.from_dict`` (an
allow-list of kinds) and checked against the recorded training set.
"""
import json
import math

import numpy as np

from . import edits
from ._dataset import Dataset
from ._metrics import LOG_LOSS_EPS, METRICS
from ._model_spec import check_model_spec

__all__ = [
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "MAX_JSON_CHARS",
    "CONVENTIONS",
    "dump_grid",
    "load_json_text",
    "parse_grid",
    "check_inputs",
    "check_recorded_edit",
]

SCHEMA_NAME = "datacf.grid"
SCHEMA_VERSION = 1
# 64 Mi characters: the largest exact grid (2**16 rows) with 32 columns at indent=1 is ~45 Mi.
MAX_JSON_CHARS = 64 * 2**20
# The compute conventions a grid may record (DESIGN.md §3; see ``compute_grid``).
CONVENTIONS = ("fallback", "zero")
# Probabilities from scikit-learn's predict_proba are normalised sums that can exceed 1 by ulps.
_PROBABILITY_SLACK = 1e-9
_METRIC_RANGES = {
    "prob_correct": (-_PROBABILITY_SLACK, 1.0 + _PROBABILITY_SLACK),
    "log_loss": (0.0, -math.log(LOG_LOSS_EPS)),   # the same clip score_cells applies
}
_FIELDS = ("point_names", "eval_names", "values", "inputs", "provenance")
_INPUT_KEYS = ("train", "eval", "model", "metric", "convention")


def dump_grid(fields, indent=None):
    """JSON text for the grid ``fields`` (a dict with the keys of ``_FIELDS``)."""
    document = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION}
    document.update({key: fields[key] for key in _FIELDS})
    return json.dumps(document, indent=indent, ensure_ascii=False, allow_nan=False)


def _unique_keys(pairs):
    document = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {key!r:.60} appears twice in one object")
        document[key] = value
    return document


def load_json_text(text, max_chars, kind="grid", reader="Grid.from_json"):
    """Parse untrusted JSON text of a ``kind`` document; every failure is a ValueError or TypeError.

    Refuses text longer than ``max_chars`` before parsing, NaN and infinities, duplicate keys
    and nesting too deep for Python's parser, naming ``reader`` where a larger limit can be passed.
    """
    if not isinstance(text, (str, bytes, bytearray)):
        raise TypeError(f"{reader} needs JSON text; got {type(text).__name__}.")
    if len(text) > max_chars:
        raise ValueError(
            f"The {kind} JSON is {len(text):,} characters long, more than the limit of {max_chars:,}. "
            f"If you trust the file, pass a larger max_chars to {reader}."
        )

    def refuse_constant(name):
        raise ValueError(f"JSON has no {name}; {kind} values and parameters must be finite numbers")

    try:
        return json.loads(text, parse_constant=refuse_constant, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError(f"This is not valid {kind} JSON: it is nested too deeply to be a {kind}.") from None
    except (ValueError, UnicodeDecodeError) as error:   # JSONDecodeError is a ValueError
        raise ValueError(
            f"This is not valid {kind} JSON (the file may be truncated or corrupted): {error}."
        ) from None


def _check_table(document):
    for key in ("point_names", "eval_names"):
        names = document[key]
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError(f"The grid JSON field {key!r} must be a list of strings.")
    rows = document["values"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ValueError("The grid JSON field 'values' must be a list of rows, each a list of numbers.")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if type(value) not in (int, float):
                raise ValueError(
                    f"The grid JSON field 'values' must be numbers; values[{r}][{c}] = {value!r:.40} is not."
                )


def parse_grid(text, max_chars=MAX_JSON_CHARS):
    """Validate grid JSON text and return its fields; the Grid constructor checks the values."""
    document = load_json_text(text, max_chars)
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_NAME:
        raise ValueError(f"This JSON is not a datacf grid: it lacks \"schema\": \"{SCHEMA_NAME}\".")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"The grid JSON has an invalid schema version {version!r:.40}.")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"This grid was written with schema version {version}, newer than the version "
            f"{SCHEMA_VERSION} this datacf reads. Upgrade datacf to read it."
        )
    missing = [key for key in _FIELDS if key not in document]
    if missing:
        raise ValueError(f"The grid JSON is missing the field(s) {missing}.")
    _check_table(document)
    if document["inputs"] is not None and not isinstance(document["inputs"], dict):
        raise ValueError("The grid JSON field 'inputs' must be an object or null.")
    if not isinstance(document["provenance"], dict):
        raise ValueError("The grid JSON field 'provenance' must be an object.")
    return {key: document[key] for key in _FIELDS}


def _check_dataset(data, where):
    try:
        return Dataset.from_dict(data)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where} is not a valid dataset: {error}") from None


def check_recorded_edit(inputs, train):
    """Raise ValueError unless the edit ``inputs`` may record (key "edit", optional) is
    valid and fits the recorded training set ``train``; return the edit or None."""
    if "edit" not in inputs:
        return None
    edit = edits.from_dict(inputs["edit"])
    try:
        edit.check(train)
    except ValueError as error:
        raise ValueError(f"inputs['edit'] does not fit the recorded training set: {error}") from None
    return edit


def check_inputs(inputs, values):
    """Raise ValueError unless ``inputs`` (``Grid.inputs``) is None or well-formed for ``values``.

    Well-formed inputs hold exactly the keys ``train``, ``eval``, ``model``, ``metric`` and
    ``convention``, plus ``edit`` for an edit grid: datasets that fit the grid's shape, a
    model description (not rebuilt here), a known metric whose range holds every value, a
    known convention, and an edit that fits the training set.
    """
    if inputs is None:
        return
    if not isinstance(inputs, dict) or set(inputs) - {"edit"} != set(_INPUT_KEYS):
        keys = sorted(map(str, inputs)) if isinstance(inputs, dict) else type(inputs).__name__
        raise ValueError(
            f"Grid inputs must be null or an object with the keys {list(_INPUT_KEYS)} (and 'edit' for an "
            f"edit grid); got {keys}."
        )
    train = _check_dataset(inputs["train"], "inputs['train']")
    n_rows, n_eval = values.shape
    if 2**train.n_points != n_rows:
        raise ValueError(f"inputs['train'] has {train.n_points} points but the grid has {n_rows} rows.")
    eval_set = train if inputs["eval"] is None else _check_dataset(inputs["eval"], "inputs['eval']")
    if eval_set.n_points != n_eval:
        raise ValueError(f"The recorded evaluation set has {eval_set.n_points} points but the grid has {n_eval} columns.")
    if eval_set.n_features != train.n_features:
        raise ValueError("inputs['eval'] and inputs['train'] have different numbers of features.")
    check_model_spec(inputs["model"], "inputs['model']")
    check_recorded_edit(inputs, train)
    metric, convention = inputs["metric"], inputs["convention"]
    if metric not in METRICS:
        raise ValueError(f"inputs['metric'] = {metric!r:.60} is not a metric; the metrics are {list(METRICS)}.")
    if convention not in CONVENTIONS:
        raise ValueError(f"inputs['convention'] = {convention!r:.60} is not one of {list(CONVENTIONS)}.")
    if metric == "accuracy":
        outside, allowed = (values != 0) & (values != 1), "0 or 1"
    else:
        low, high = _METRIC_RANGES[metric]
        outside, allowed = (values < low) | (values > high), f"[{low:g}, {high:g}]"
    if outside.any():
        r, c = np.argwhere(outside)[0]
        raise ValueError(
            f"Cell (row {r}, column {c}) is {float(values[r, c])!r}, outside what the metric {metric!r} can give ({allowed})."
        )
