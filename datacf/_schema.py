"""The grid JSON schema, version 1.

    {"schema": "datacf.grid", "version": 1,
     "point_names": [...], "eval_names": [...], "values": [[...], ...],
     "inputs": {"train": {"X", "y", "names"}, "eval": ... or null, "model": {...},
                "metric": ..., "convention": ...} or null,
     "provenance": {"datacf": ..., "python": ..., "numpy": ..., "scikit-learn": ...}}

Floats are written with Python's shortest round-trip repr, so reading a file back gives
bit-identical values. Readers refuse files from a newer schema version rather than guess.
"""
import json

__all__ = ["SCHEMA_NAME", "SCHEMA_VERSION", "dump_grid", "parse_grid"]

SCHEMA_NAME = "datacf.grid"
SCHEMA_VERSION = 1
_FIELDS = ("point_names", "eval_names", "values", "inputs", "provenance")


def dump_grid(fields, indent=None):
    """JSON text for the grid ``fields`` (a dict with the keys of ``_FIELDS``)."""
    document = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION}
    document.update({key: fields[key] for key in _FIELDS})
    return json.dumps(document, indent=indent, ensure_ascii=False, allow_nan=False)


def parse_grid(text):
    """Validate grid JSON text and return its fields; the Grid constructor checks the values."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise TypeError(f"Grid.from_json needs JSON text; got {type(text).__name__}.")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"This is not valid grid JSON (the file may be truncated or corrupted): {error}."
        ) from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_NAME:
        raise ValueError(f"This JSON is not a datacf grid: it lacks \"schema\": \"{SCHEMA_NAME}\".")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"The grid JSON has an invalid schema version {version!r}.")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"This grid was written with schema version {version}, newer than the version "
            f"{SCHEMA_VERSION} this datacf reads. Upgrade datacf to read it."
        )
    missing = [key for key in _FIELDS if key not in document]
    if missing:
        raise ValueError(f"The grid JSON is missing the field(s) {missing}.")
    for key in ("point_names", "eval_names", "values"):
        if not isinstance(document[key], list):
            raise ValueError(f"The grid JSON field {key!r} must be a list.")
    if document["inputs"] is not None and not isinstance(document["inputs"], dict):
        raise ValueError("The grid JSON field 'inputs' must be an object or null.")
    if not isinstance(document["provenance"], dict):
        raise ValueError("The grid JSON field 'provenance' must be an object.")
    return {key: document[key] for key in _FIELDS}
