"""Memory the grid needs, estimated before anything is allocated, and the limit it must fit in.

Each fast learner knows its own formula (``FastLearner._peak_bytes``): bytes that do not
depend on the number of subsets, plus bytes per subset, for one chunk of at most
``CHUNK_BYTES`` worth of subsets (learners process subsets in chunks of that size).
``compute_grid`` adds its own arrays, which grow with 2**n * n_eval * n_classes, and refuses
a grid whose estimate exceeds the limit: ``max_memory=`` if given, else the environment
variable ``DATACF_MAX_MEMORY`` (bytes, or a number with a unit: "4GB", "512MiB"), else
``DEFAULT_MAX_MEMORY``.
"""
import numbers
import os
import re

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "MAX_MEMORY_ENV",
    "CHUNK_BYTES",
    "grid_bytes",
    "resolve_max_memory",
    "check_memory",
    "format_bytes",
]

# 2 GiB: a quarter of a small laptop's RAM, and above what the browser's 32-bit WebAssembly
# heap (4 GiB at most) can give one array; larger grids need an explicit max_memory.
DEFAULT_MAX_MEMORY = 2 * 2**30
MAX_MEMORY_ENV = "DATACF_MAX_MEMORY"
# Learners process subsets in chunks whose working arrays take at most this much: large
# enough that the Python loop over chunks costs nothing measurable, small enough that the
# chunk is a minor part of any limit.
CHUNK_BYTES = 64 * 2**20
FLOAT = 8   # bytes per float64 / int64
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def grid_bytes(n_points, n_eval, n_classes):
    """Peak bytes of ``compute_grid``'s own arrays (not the learner's working memory).

    Per row: the probability table and the learner's copy of it (n_eval x n_classes each),
    and about five (n_eval,) float arrays for scores, hard labels and the grid's own copy.
    """
    rows = 2**n_points
    return FLOAT * rows * (n_eval * (2 * n_classes + 5) + n_classes + 4)


def resolve_max_memory(max_memory=None):
    """The limit in bytes: the argument, else ``DATACF_MAX_MEMORY``, else ``DEFAULT_MAX_MEMORY``."""
    source = "max_memory"
    if max_memory is None:
        max_memory = os.environ.get(MAX_MEMORY_ENV)
        source = MAX_MEMORY_ENV
        if max_memory is None:
            return DEFAULT_MAX_MEMORY
    if isinstance(max_memory, str):
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*", max_memory)
        unit = match and match.group(2).upper()
        if not match or unit not in _UNITS:
            raise ValueError(
                f"{source}={max_memory!r} is not a memory size; give bytes as a number, or a "
                "number with a unit such as '4GB' or '512MiB'."
            )
        max_memory = float(match.group(1)) * _UNITS[unit]
    if isinstance(max_memory, bool) or not isinstance(max_memory, numbers.Real):
        raise TypeError(f"{source} must be a number of bytes, a size string or None; got {type(max_memory).__name__}.")
    if not max_memory > 0 or max_memory == float("inf"):
        raise ValueError(f"{source}={max_memory!r} is not a positive finite number of bytes.")
    return int(max_memory)


def format_bytes(n_bytes):
    """A size for people: GiB from 1 GiB up, MiB below."""
    if n_bytes >= 2**30:
        return f"{n_bytes / 2**30:.3g} GiB"
    return f"{n_bytes / 2**20:.3g} MiB"


def check_memory(learner, n_points, n_features, n_eval, n_classes, max_memory=None):
    """Refuse, before allocating, a grid whose estimated peak exceeds the limit.

    ``learner`` is a fast learner (its ``_peak_bytes`` is added) or None for the
    scikit-learn path, whose fits are small next to the grid.
    """
    limit = resolve_max_memory(max_memory)
    table = grid_bytes(n_points, n_eval, n_classes)
    working = 0 if learner is None else learner._peak_bytes(n_points, n_features, n_eval, n_classes, 2**n_points)
    needed = table + working
    if needed > limit:
        raise ValueError(
            f"this grid would need about {format_bytes(needed)} ({2**n_points:,} subsets x {n_eval:,} "
            f"evaluation points x {n_classes} classes: {format_bytes(table)} for the grid, "
            f"{format_bytes(working)} working memory for {type(learner).__name__ if learner else 'the model'} "
            f"over {n_features:,} features); the limit is {format_bytes(limit)}; pass max_memory=... "
            f"(or set {MAX_MEMORY_ENV}) or use fewer features/evaluation points/points."
        )
    return needed
