"""The subset encoding every grid shares: row r holds the points whose bit is set in r.

Row 0 is the empty set and row 2**n - 1 the full dataset (DESIGN.md §3).
"""
import functools

import numpy as np

__all__ = [
    "MAX_EXACT_POINTS",
    "EMPTY_SET_NAME",
    "check_exact_size",
    "subset_bits",
    "subset_sizes",
    "lowest_set_bits",
    "subset_name",
    "ROW_SEPARATOR",
    "check_name",
]

# 2**16 rows is the largest exact grid that stays well inside memory and seconds on a laptop.
MAX_EXACT_POINTS = 16
EMPTY_SET_NAME = "∅"
ROW_SEPARATOR = ","


def check_exact_size(n_points):
    """Refuse an exact grid that would need more than 2**MAX_EXACT_POINTS rows."""
    if n_points > MAX_EXACT_POINTS:
        raise ValueError(
            f"An exact grid over {n_points} points needs 2**{n_points} = {2**n_points:,} rows "
            f"(one trained model per subset); exact grids are limited to n <= {MAX_EXACT_POINTS}. "
            "Use a smaller dataset, or switch to sampling: dcf.sample_grid(train, model, "
            "sampler=dcf.samplers.Uniform(1000)) trains on sampled subsets, and "
            "dcf.estimate_values(train, model, method='permutation_shapley') gives values with standard errors."
        )


@functools.cache
def subset_bits(n_points):
    """Read-only membership matrix of shape (2**n, n): entry (r, i) says whether point i is in row r.

    Cached: every grid over n points shares it.
    """
    rows = np.arange(2**n_points)
    bits = ((rows[:, None] >> np.arange(n_points)) & 1).astype(bool)
    bits.flags.writeable = False
    return bits


@functools.cache
def subset_sizes(n_points):
    """Read-only |S| of every row, shape (2**n,): also a popcount table for any n-bit mask."""
    sizes = subset_bits(n_points).sum(axis=1)
    sizes.flags.writeable = False
    return sizes


@functools.cache
def lowest_set_bits(n_points, k):
    """Read-only table, shape (2**n,): each n-bit mask reduced to its k lowest set bits."""
    remaining = np.arange(2**n_points)
    kept = np.zeros_like(remaining)
    for _ in range(min(k, n_points)):
        lowest = remaining & -remaining
        kept |= lowest
        remaining ^= lowest
    kept.flags.writeable = False
    return kept


def check_name(name, where):
    """Refuse a point or column name that would make row names ambiguous (see ``subset_name``).

    A name is a string with a visible character that contains neither the separator ","
    nor the empty-set sign "∅"; so "∅" names only the empty set and a row name splits back
    into its members one way.
    """
    if not isinstance(name, str):
        raise TypeError(f"{where} = {name!r:.60} is of type {type(name).__name__}; names must be strings.")
    if not name.strip():
        raise ValueError(f"{where} = {name!r}; a name must have a visible character, not be empty or blank.")
    for reserved, role in ((ROW_SEPARATOR, "separates the members of a row name"),
                           (EMPTY_SET_NAME, "names the empty set")):
        if reserved in name:
            raise ValueError(f"{where} = {name!r} contains {reserved!r}, which {role}; choose another name.")


def subset_name(row, names):
    """Name of a row: "∅", the point names concatenated ("ABD"), or comma-joined ("p1,p3").

    Names are concatenated only when every one is a single character, and ``check_name``
    keeps "," and "∅" out of names, so a row name parses back to exactly one subset.

    >>> subset_name(0b101, ("A", "B", "C")), subset_name(0b101, ("p1", "p2", "p3")), subset_name(0, ("A",))
    ('AC', 'p1,p3', '∅')
    """
    members = [name for i, name in enumerate(names) if (row >> i) & 1]
    if not members:
        return EMPTY_SET_NAME
    separator = "" if all(len(name) == 1 for name in names) else ROW_SEPARATOR
    return separator.join(members)
