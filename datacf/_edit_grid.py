"""Edit grids as subset grids of a doubled pool.

In an edit grid, row F trains on all n points with the edit applied to the points of F.
Point i then enters as one of two versions, clean or edited, so each row's training set is
a subset of a pool of 2n points: index 2i is point i clean and 2i + 1 is point i edited,
and row F holds 2i + (i in F) for every i. Any learner that fits a subset of points fits
these rows unchanged, through its membership path, and the empty and one-class conventions
apply to them exactly as to any subset. The interleaving keeps the points of every row in
their original order, so ties broken by lower index (KNN, DESIGN.md §3) fall as they would
on the edited dataset itself.
"""
import numpy as np

from ._dataset import Dataset
from .edits import Edit

__all__ = ["check_edit", "edited_pool", "pool_members"]


def check_edit(edit, train):
    """Refuse an ``edit=`` argument that is not an edit or does not fit ``train``."""
    if edit is None:
        return
    if not isinstance(edit, Edit):
        raise TypeError(
            f"edit must be one of datacf.edits (FlipLabels, SetLabel, Shift, PlantSignal) or None; "
            f"got {type(edit).__name__}."
        )
    edit.check(train)


def edited_pool(train, edit):
    """The 2n-point pool: point i clean at index 2i, edited at 2i + 1 (names are not kept)."""
    X, y = edit._edited(train.X, train.y, train.classes)
    n = train.n_points
    pool_X = np.empty((2 * n, train.n_features))
    pool_y = np.empty(2 * n, dtype=np.int64)
    pool_X[0::2], pool_X[1::2] = train.X, X
    pool_y[0::2], pool_y[1::2] = train.y, y
    return Dataset(pool_X, pool_y)


def pool_members(members):
    """Pool membership (n_rows, 2n) of edit sets ``members`` (n_rows, n): each point's one version."""
    pool = np.empty((members.shape[0], 2 * members.shape[1]), dtype=bool)
    pool[:, 0::2] = ~members
    pool[:, 1::2] = members
    return pool
