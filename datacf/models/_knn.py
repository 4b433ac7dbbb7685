"""k-nearest neighbours over every training subset at once.

For each evaluation point the training points are ordered once by (distance, index).
Relabelling a subset's bits in that order (bit p = the p-th nearest point) turns "the k
nearest members of S" into "the k lowest set bits" of one integer, which a table shared by
all subsets answers; votes are then popcounts of that mask with each class's mask. Every
step is a lookup over (subsets x evaluation points): no loop over subsets or neighbours.

Edit grids that change only labels keep every point where it is, so each evaluation point
has the same k nearest points in every row; a row's votes are the clean votes plus, for
each edited point among them, its new label's vote minus its old one: one matrix product
of the rows' edit sets with those changes (``_KNNOnEditPool``).
"""
import numbers

import numpy as np

from .._memory import CHUNK_BYTES, FLOAT
from .._subsets import lowest_set_bits, subset_bits, subset_sizes
from ._base import FastLearner

__all__ = ["KNN", "TIE_RTOL", "neighbour_order", "PREFIX_START"]

# The membership path first reads this many nearest points past 2k; a subset holding a
# fraction p of the pool has about p * (2k + 32) members there, so only rare small subsets
# need a longer prefix (each retry reads four times as many).
PREFIX_START = 32

# Two squared distances within TIE_RTOL of the larger one are a tie, decided by lower index.
# Points given in decimal (iris: 6.1, 2.9) are not exact in binary, so distances that are
# equal in exact arithmetic differ by a few ulps of the coordinates' size: relative to the
# distance, about eps * |x| / |x - y|. 1e-9 absorbs that for coordinates up to ~1e6 times
# larger than their differences, and is below any real difference between measurements
# recorded with fewer than nine significant digits.
TIE_RTOL = 1e-9


def neighbour_order(X, X_eval):
    """Training points ordered by (squared distance, index) from each evaluation point.

    Distances within ``TIE_RTOL`` (relative) of the next nearer one join its tie group, and
    a tie group is ordered by index. Shared by ``KNN`` and ``knn_shapley`` so that both
    break ties by one rule.

    Parameters
    ----------
    X : ndarray of shape (n_points, n_features)
    X_eval : ndarray of shape (n_eval, n_features)

    Returns
    -------
    ndarray of shape (n_eval, n_points)
        Row j lists the training indices from nearest to farthest from ``X_eval[j]``.
    """
    n_points = X.shape[0]
    distances = np.empty((X_eval.shape[0], n_points))
    for i in range(n_points):   # one (n_eval, n_features) temporary at a time
        distances[:, i] = ((X_eval - X[i]) ** 2).sum(axis=1)
    order = np.argsort(distances, axis=1, kind="stable")
    ranked = np.take_along_axis(distances, order, axis=1)
    starts = np.diff(ranked, axis=1) > TIE_RTOL * ranked[:, 1:]   # a new tie group begins
    group = np.zeros_like(order)
    group[:, 1:] = np.cumsum(starts, axis=1)
    group_of_point = np.empty_like(group)
    np.put_along_axis(group_of_point, order, group, axis=1)
    return np.argsort(group_of_point * n_points + np.arange(n_points), axis=1, kind="stable")


class KNN(FastLearner):
    """k-nearest-neighbour classifier with equal votes, vectorized over all subsets.

    Uses ``k_eff = min(k, |S|)`` neighbours, so subsets smaller than k still predict; a
    vote tie goes to the smallest label and equal distances (within a relative ``TIE_RTOL``
    of 1e-9, so decimal data ties as it does on paper) are broken by lower point index.
    Probabilities are vote shares, as in scikit-learn's ``KNeighborsClassifier``.

    Parameters
    ----------
    k : int, default=3
        Number of neighbours.

    Examples
    --------
    >>> import datacf as dcf
    >>> train = dcf.Dataset([[0.0], [1.0], [5.0]], [0, 0, 1])
    >>> grid = dcf.compute_grid(train, dcf.models.KNN(k=1), metric="accuracy")
    >>> grid.row("AC").tolist()   # trained on A and C, evaluated on A, B, C
    [1.0, 1.0, 1.0]
    """

    def __init__(self, k=3):
        self.k = k

    def _check_params(self):
        if not isinstance(self.k, numbers.Integral) or isinstance(self.k, bool) or self.k < 1:
            raise ValueError(f"KNN needs a positive integer k; got k={self.k!r}.")

    def _refuses(self, sizes, n_present):
        return sizes < self.k

    def _edit_pool_learner(self):
        return _KNNOnEditPool(self)

    def _fixed_bytes(self, n_points, n_features, n_eval, n_classes):
        # distances, order, ranks, groups and places: a few (n_eval, n_points) tables
        return FLOAT * n_eval * (8 * n_points + n_features + n_classes)

    def _row_bytes(self, n_points, n_features, n_eval, n_classes):
        # membership as floats, then about seven (n_eval,) integer or float lookups per row
        return FLOAT * (n_points + 7 * n_eval)

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, rows):
        if rows.ndim == 2:
            return self._predict_proba_members(X, codes, n_classes, X_eval, rows)
        n_points = X.shape[0]
        place = np.argsort(neighbour_order(X, X_eval), axis=1)   # place[j, i]: i's rank from eval point j
        powers = 2.0**place.T                                     # (points, eval)
        class_masks = [((codes == c) * 2**place).sum(axis=1) for c in range(n_classes)]   # (eval,) each
        popcount = subset_sizes(n_points)
        proba = np.empty((len(rows), X_eval.shape[0], n_classes))
        for chunk in self._chunks(rows, X, n_classes, X_eval):
            # Relabelled subsets, shape (rows, eval); exact in float64 for n <= 16 bits.
            relabelled = (subset_bits(n_points)[rows[chunk]] @ powers).astype(np.int64)
            nearest = lowest_set_bits(n_points, self.k)[relabelled]
            k_eff = popcount[nearest]                                # min(k, |S|)
            for c, class_mask in enumerate(class_masks):
                proba[chunk, :, c] = popcount[nearest & class_mask] / k_eff
        return proba

    def _predict_proba_members(self, X, codes, n_classes, X_eval, members):
        """The membership-matrix path: any pool size, same votes as the bit trick."""
        n_points, n_eval = X.shape[0], X_eval.shape[0]
        order = neighbour_order(X, X_eval)                       # (eval, points)
        ordered_codes = codes[order]
        need = np.minimum(members.sum(axis=1), self.k)           # k_eff per subset
        proba = np.empty((members.shape[0], n_eval, n_classes))
        start = min(n_points, 2 * self.k + PREFIX_START)
        # bytes per subset in the first pass: gathered bools, their int32 counts, the
        # nearest mask and one class test per (eval, prefix) entry, and the votes
        per_row = n_eval * (start * (1 + 4 + 1 + 1) + FLOAT * n_classes)
        size = max(1, CHUNK_BYTES // per_row)
        for begin in range(0, members.shape[0], size):
            chunk = members[begin:begin + size]
            votes = np.empty((chunk.shape[0], n_eval, n_classes))
            # First pass, dense: the first `start` points of every evaluation point's order.
            ordered = chunk[:, order[:, :start]]                                    # (rows, eval, start)
            counts = np.cumsum(ordered, axis=2, dtype=np.int32)
            nearest = ordered & (counts <= self.k)
            for c in range(n_classes):
                votes[:, :, c] = (nearest & (ordered_codes[None, :, :start] == c)).sum(axis=2)
            # Pairs whose prefix held fewer than k_eff members: read longer prefixes.
            subset, point = np.nonzero(counts[:, :, -1] < need[begin:begin + size, None])
            length = min(n_points, 4 * start)
            while subset.size:
                ordered = chunk[subset[:, None], order[point, :length]]             # (pairs, length)
                counts = np.cumsum(ordered, axis=1, dtype=np.int32)
                done = counts[:, -1] >= need[begin + subset]
                nearest = ordered[done] & (counts[done] <= self.k)
                labels = ordered_codes[point[done], :length]
                for c in range(n_classes):
                    votes[subset[done], point[done], c] = (nearest & (labels == c)).sum(axis=1)
                subset, point = subset[~done], point[~done]
                length = min(n_points, 4 * length)
            proba[begin:begin + size] = votes / need[begin:begin + size, None, None]
        return proba


class _KNNOnEditPool(KNN):
    """KNN on an exact edit grid's 2n-point pool (clean point i at 2i, edited at 2i + 1).

    Rows hold one version of every point. When the edit moves no point (label edits), the k
    nearest points of each evaluation point are the same in every row, so the votes are the
    clean votes plus the label changes of the edited points among them. Otherwise the pool
    rows go to KNN's membership path.
    """

    def __init__(self, knn):
        self.k = knn.k

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, rows):
        clean, edited = X[0::2], X[1::2]
        if rows.ndim != 2 or not np.array_equal(clean, edited):
            return super()._predict_proba_subsets(X, codes, n_classes, X_eval, rows)
        n_points, n_eval = clean.shape[0], X_eval.shape[0]
        k_eff = min(self.k, n_points)
        nearest = np.zeros((n_eval, n_points))
        np.put_along_axis(nearest, neighbour_order(clean, X_eval)[:, :k_eff], 1.0, axis=1)
        one_hot = np.eye(n_classes)
        clean_votes = nearest @ one_hot[codes[0::2]]                                # (eval, classes)
        change = one_hot[codes[1::2]] - one_hot[codes[0::2]]                       # (points, classes)
        swing = (nearest.T[:, :, None] * change[:, None, :]).reshape(n_points, -1)  # (points, eval * classes)
        edits = rows[:, 1::2]
        proba = np.empty((rows.shape[0], n_eval, n_classes))
        size = max(1, CHUNK_BYTES // (FLOAT * (n_points + 2 * n_eval * n_classes)))
        for start in range(0, rows.shape[0], size):
            votes = edits[start:start + size].astype(np.float64) @ swing   # exact: sums of small integers
            proba[start:start + size] = (votes.reshape(-1, n_eval, n_classes) + clean_votes) / k_eff
        return proba
