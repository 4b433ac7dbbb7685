"""The subset encoding every grid shares: row r holds the points whose bit is set in r.

Row 0 is the empty set and row 2**n - 1 the full dataset (DESIGN.md §3).
"""
import numpy as np

__all__ = ["MAX_EXACT_POINTS", "EMPTY_SET_NAME", "check_exact_size", "subset_bits", "subset_name"]

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


def subset_bits(n_points):
    """Membership matrix of shape (2**n, n): entry (r, i) says whether point i is in row r."""
    rows = np.arange(2**n_points)
    return ((rows[:, None] >> np.arange(n_points)) & 1).astype(bool)


def subset_name(row, names):
    """Name of a row: the point names concatenated ("ABD") or comma-joined if any is longer."""
    members = [name for i, name in enumerate(names) if (row >> i) & 1]
    if not members:
        return EMPTY_SET_NAME
    separator = "" if all(len(name) == 1 for name in names) else ","
    return separator.join(members)
