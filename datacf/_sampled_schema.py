"""The sampled-grid JSON schema, version 1.

    {"schema": "datacf.sampled-grid", "version": 1,
     "n_points": n, "point_names": [...], "eval_names": [...],
     "members": ["5", "3", ...],          # one hex string per row: bit i set = point i is in
     "values": [[...], ...],
     "inputs": {"train", "eval", "model", "metric", "convention", ["edit"]} or null,
     "sampler": {"kind": ..., ...} or null, "seed": int or null,
     "permutations": {"orders": [[...], ...], "lengths": [...]} or null,
     "provenance": {...}}

Floats use Python's shortest round-trip repr, so values come back bit-identical. A file is
untrusted data: its length is limited before parsing, models are only described (the
allow-list of ``datacf._model_spec`` decides what may be rebuilt), samplers are rebuilt
only through ``datacf.samplers.from_dict``, and every problem is a ``ValueError`` naming
the field (``TypeError`` only for an argument that is not text).
"""
import json
import math
import re

import numpy as np

from . import samplers
from ._dataset import Dataset
from ._metrics import LOG_LOSS_EPS, METRICS
from ._model_spec import check_model_spec
from ._schema import CONVENTIONS, MAX_JSON_CHARS, check_recorded_edit, load_json_text

__all__ = ["SCHEMA_NAME", "SCHEMA_VERSION", "MAX_POINTS", "dump_sampled_grid", "parse_sampled_grid",
           "check_sampled_inputs"]

SCHEMA_NAME = "datacf.sampled-grid"
SCHEMA_VERSION = 1
# A pool of a million points already needs a 250,000-character hex string per row; more is hostile.
MAX_POINTS = 10**6
_FIELDS = ("n_points", "point_names", "eval_names", "members", "values", "inputs", "sampler", "seed",
           "permutations", "provenance")
_INPUT_KEYS = ("train", "eval", "model", "metric", "convention")
_HEX = re.compile(r"[0-9a-f]+")
# Probabilities from scikit-learn's predict_proba are normalised sums that can exceed 1 by ulps.
_PROBABILITY_SLACK = 1e-9


def _encode_members(members):
    """One lowercase hex string per row, the integer sum of 2**i over its members."""
    n_rows, n = members.shape
    width = -(-n // 8)
    packed = np.packbits(members, axis=1, bitorder="little")   # byte j holds points 8j..8j+7
    big_endian = packed[:, ::-1]
    return [(row.tobytes().hex().lstrip("0") or "0") for row in big_endian] if width else ["0"] * n_rows


def _decode_members(rows, n):
    if not isinstance(rows, list):
        raise ValueError("The sampled-grid JSON field 'members' must be a list of hex strings.")
    width = -(-n // 8)
    top = n - 8 * (width - 1)   # bits used in the most significant byte
    text = []
    for r, row in enumerate(rows):
        if not isinstance(row, str) or not _HEX.fullmatch(row) or len(row) > 2 * width:
            raise ValueError(
                f"members[{r}] = {row!r:.40} is not a lowercase hex string of at most {2 * width} digits."
            )
        text.append(row.rjust(2 * width, "0"))
    data = np.frombuffer(bytes.fromhex("".join(text)), dtype=np.uint8).reshape(len(rows), width)
    if len(rows) and (data[:, 0] >> top).any():
        r = int(np.flatnonzero(data[:, 0] >> top)[0])
        raise ValueError(f"members[{r}] names a point beyond the pool of {n} points.")
    return np.unpackbits(data[:, ::-1], axis=1, bitorder="little")[:, :n].astype(bool)


def dump_sampled_grid(grid, indent=None):
    """JSON text for a ``SampledGrid``."""
    permutations = None if grid.orders is None else {
        "orders": grid.orders.tolist(), "lengths": grid.lengths.tolist()}
    document = {
        "schema": SCHEMA_NAME, "version": SCHEMA_VERSION, "n_points": grid.n_points,
        "point_names": list(grid.point_names), "eval_names": list(grid.eval_names),
        "members": _encode_members(grid.members), "values": grid.values.tolist(),
        "inputs": grid.inputs, "sampler": None if grid.sampler is None else grid.sampler.to_dict(),
        "seed": grid.seed, "permutations": permutations, "provenance": grid.provenance,
    }
    return json.dumps(document, indent=indent, ensure_ascii=False, allow_nan=False)


def _check_values(rows, n_rows):
    if not isinstance(rows, list) or len(rows) != n_rows or not all(isinstance(row, list) for row in rows):
        raise ValueError(f"The sampled-grid JSON field 'values' must be {n_rows} rows (one per member row), "
                         "each a list of numbers.")
    width = len(rows[0]) if rows else 0
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"values[{r}] has {len(row)} numbers but values[0] has {width}.")
        for c, value in enumerate(row):
            if type(value) not in (int, float):
                raise ValueError(f"values[{r}][{c}] = {value!r:.40} is not a number.")
    return np.array(rows, dtype=np.float64).reshape(n_rows, width)


def check_sampled_inputs(inputs, n_points, values):
    """Raise ValueError unless ``inputs`` (``SampledGrid.inputs``) is None or well-formed for the table."""
    if inputs is None:
        return
    if not isinstance(inputs, dict) or set(inputs) - {"edit"} != set(_INPUT_KEYS):
        raise ValueError(f"The sampled-grid JSON field 'inputs' must be null or an object with the keys "
                         f"{list(_INPUT_KEYS)} (and 'edit' for an edit grid).")
    try:
        train = Dataset.from_dict(inputs["train"])
        eval_set = train if inputs["eval"] is None else Dataset.from_dict(inputs["eval"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"inputs holds an invalid dataset: {error}") from None
    if train.n_points != n_points:
        raise ValueError(f"inputs['train'] has {train.n_points} points but the grid has {n_points}.")
    if eval_set.n_points != values.shape[1] or eval_set.n_features != train.n_features:
        raise ValueError("The recorded evaluation set does not match the grid's columns or the features of train.")
    check_model_spec(inputs["model"], "inputs['model']")
    check_recorded_edit(inputs, train)
    metric, convention = inputs["metric"], inputs["convention"]
    if metric not in METRICS:
        raise ValueError(f"inputs['metric'] = {metric!r:.60} is not a metric; the metrics are {list(METRICS)}.")
    if convention not in CONVENTIONS:
        raise ValueError(f"inputs['convention'] = {convention!r:.60} is not one of {list(CONVENTIONS)}.")
    if metric == "accuracy":
        outside = (values != 0) & (values != 1)
    elif metric == "prob_correct":
        outside = (values < -_PROBABILITY_SLACK) | (values > 1 + _PROBABILITY_SLACK)
    else:
        outside = (values < 0) | (values > -math.log(LOG_LOSS_EPS))
    if outside.any():
        r, c = np.argwhere(outside)[0]
        raise ValueError(f"Cell (row {r}, column {c}) is {float(values[r, c])!r}, outside what the metric "
                         f"{metric!r} can give.")


def _check_integers(value, where):
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise ValueError(f"{where} must be a list of lists of integers.")
    for row in value:
        if not all(type(item) is int for item in row):
            raise ValueError(f"{where} must hold integers only.")


def parse_sampled_grid(text, max_chars=None):
    """Validate sampled-grid JSON text and build the ``SampledGrid``."""
    from ._sampled_grid import SampledGrid

    document = load_json_text(text, MAX_JSON_CHARS if max_chars is None else max_chars, "sampled-grid",
                              "SampledGrid.from_json")
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_NAME:
        raise ValueError(f"This JSON is not a datacf sampled grid: it lacks \"schema\": \"{SCHEMA_NAME}\".")
    version = document.get("version")
    if type(version) is not int or version < 1:
        raise ValueError(f"The sampled-grid JSON has an invalid schema version {version!r:.40}.")
    if version > SCHEMA_VERSION:
        raise ValueError(f"This sampled grid was written with schema version {version}, newer than the version "
                         f"{SCHEMA_VERSION} this datacf reads. Upgrade datacf to read it.")
    missing = [key for key in _FIELDS if key not in document]
    extra = sorted(set(document) - set(_FIELDS) - {"schema", "version"})
    if missing or extra:
        raise ValueError(f"The sampled-grid JSON is missing the field(s) {missing} or has unknown ones {extra}.")
    n = document["n_points"]
    if type(n) is not int or not 1 <= n <= MAX_POINTS:
        raise ValueError(f"n_points must be an integer in [1, {MAX_POINTS:,}]; got {n!r:.40}.")
    members = _decode_members(document["members"], n)
    values = _check_values(document["values"], members.shape[0])
    for key in ("point_names", "eval_names"):
        if not isinstance(document[key], list):
            raise ValueError(f"The sampled-grid JSON field {key!r} must be a list of strings.")
    sampler = None if document["sampler"] is None else samplers.from_dict(document["sampler"])
    seed = document["seed"]
    if seed is not None and type(seed) is not int:
        raise ValueError(f"The sampled-grid JSON field 'seed' must be an integer or null; got {seed!r:.40}.")
    permutations = document["permutations"]
    orders = lengths = None
    if permutations is not None:
        if not isinstance(permutations, dict) or set(permutations) != {"orders", "lengths"}:
            raise ValueError("The sampled-grid JSON field 'permutations' must be null or {\"orders\", \"lengths\"}.")
        _check_integers(permutations["orders"], "permutations['orders']")
        _check_integers([permutations["lengths"]], "permutations['lengths']")
        try:
            orders = np.array(permutations["orders"], dtype=np.int64).reshape(len(permutations["orders"]), n)
            lengths = np.array(permutations["lengths"], dtype=np.int64)
        except (ValueError, OverflowError):
            raise ValueError(f"permutations['orders'] must be rows of {n} point indices, and "
                             "permutations['lengths'] one small integer per row.") from None
    if not isinstance(document["provenance"], dict):
        raise ValueError("The sampled-grid JSON field 'provenance' must be an object.")
    try:
        return SampledGrid(members, values, document["point_names"], document["eval_names"], document["inputs"],
                           sampler, seed, orders, lengths, document["provenance"])
    except (TypeError, ValueError) as error:
        raise ValueError(f"This sampled-grid JSON is inconsistent: {error}") from None
