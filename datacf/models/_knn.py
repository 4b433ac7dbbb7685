"""k-nearest neighbours over every training subset at once.

For each evaluation point the training points are ordered once by (distance, index); the
k nearest members of a subset are then its first k members in that order, found for all
subsets together with a cumulative count over the membership matrix.
"""
import numbers

import numpy as np

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

    def _predict_proba_subsets(self, X, codes, n_classes, X_eval, members):
        distances = ((X_eval[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
        sizes = members.sum(axis=1)
        k_eff = np.minimum(self.k, sizes)
        one_hot = np.eye(n_classes)[codes]
        proba = np.empty((members.shape[0], X_eval.shape[0], n_classes))
        for j, row in enumerate(distances):
            order = np.argsort(row, kind="stable")  # stable: equal distances keep index order
            in_order = members[:, order]
            nearest = in_order & (np.cumsum(in_order, axis=1) <= self.k)
            proba[:, j, :] = (nearest @ one_hot[order]) / k_eff[:, None]
        return proba
