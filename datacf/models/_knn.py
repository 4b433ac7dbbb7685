"""k-nearest neighbours over every training subset at once.

For each evaluation point the training points are ordered once by (distance, index).
Relabelling a subset's bits in that order (bit p = the p-th nearest point) turns "the k
nearest members of S" into "the k lowest set bits" of one integer, which a table shared by
all subsets answers; votes are then popcounts of that mask with each class's mask. Every
step is a lookup over (subsets x evaluation points): no loop over subsets or neighbours.
"""
import numbers

import numpy as np

from .._subsets import lowest_set_bits, subset_bits, subset_sizes
from ._base import FastLearner

__all__ = ["KNN"]


class KNN(FastLearner):
    """k-nearest-neighbour classifier with equal votes, vectorized over all subsets.

    Uses ``k_eff = min(k, |S|)`` neighbours, so subsets smaller than k still predict; a
    vote tie goes to the smallest label and equal distances are broken by lower point index.
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

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, rows):
        n_points = X.shape[0]
        distances = ((X_eval[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
        order = np.argsort(distances, axis=1, kind="stable")   # stable: ties keep index order
        place = np.argsort(order, axis=1)                        # place[j, i]: i's rank from eval point j
        # Relabelled subsets, shape (rows, eval); exact in float64 for n <= 16 bits.
        relabelled = (subset_bits(n_points)[rows] @ (2.0**place.T)).astype(np.int64)
        nearest = lowest_set_bits(n_points, self.k)[relabelled]
        popcount = subset_sizes(n_points)
        k_eff = popcount[nearest]                                # min(k, |S|)
        proba = np.empty((len(rows), X_eval.shape[0], n_classes))
        for c in range(n_classes):
            class_mask = ((codes == c) * 2**place).sum(axis=1)   # (eval,): class c's relabelled bits
            proba[:, :, c] = popcount[nearest & class_mask] / k_eff
        return proba
