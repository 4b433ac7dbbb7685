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
]

# 2**16 rows is the largest exact grid that stays well inside memory and seconds on a laptop.
MAX_EXACT_POINTS = 16
EMPTY_SET_NAME = "∅"


def check_exact_size(n_points):
    """Refuse an exact grid that would need more than 2**MAX_EXACT_POINTS rows."""
    if n_points > MAX_EXACT_POINTS:
        raise ValueError(
            f"An exact grid over {n_points} points needs 2**{n_points} = {2**n_points:,} rows "
            f"(one trained model per subset); exact grids are limited to n <= {MAX_EXACT_POINTS}. "
            "Use a smaller dataset, or estimate values by sampling subsets instead "
            "(Monte Carlo permutation sampling, e.g. pyDVL's PermutationSampler)."
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


def subset_name(row, names):
    """Name of a row: the point names concatenated ("ABD") or comma-joined if any is longer."""
    members = [name for i, name in enumerate(names) if (row >> i) & 1]
    if not members:
        return EMPTY_SET_NAME
    separator = "" if all(len(name) == 1 for name in names) else ","
    return separator.join(members)
