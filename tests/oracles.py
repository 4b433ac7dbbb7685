"""Independent reference implementations: plain loops, written from the definitions."""
import itertools
import math

import numpy as np
from sklearn.base import clone


def members_of(row, n):
    return [i for i in range(n) if (row >> i) & 1]


def sklearn_proba_grid(train, eval_set, make_estimator):
    """(2**n, n_eval, n_classes) probabilities from one scikit-learn fit per subset.

    Empty subset: uniform over the training classes; one class: that class with certainty
    (DESIGN.md §3). ``make_estimator(subset_size)`` builds the estimator for a subset.
    """
    n, classes = train.n_points, np.unique(train.y)
    out = np.zeros((2**n, eval_set.n_points, classes.size))
    for row in range(2**n):
        idx = members_of(row, n)
        labels = np.unique(train.y[idx])
        if not idx:
            out[row] = 1.0 / classes.size
        elif labels.size == 1:
            out[row, :, np.searchsorted(classes, labels[0])] = 1.0
        else:
            model = clone(make_estimator(len(idx))).fit(train.X[idx], train.y[idx])
            out[row][:, np.searchsorted(classes, model.classes_)] = model.predict_proba(eval_set.X)
    return out


def sklearn_predict_grid(train, eval_set, make_estimator):
    """(2**n, n_eval) hard labels from one scikit-learn fit per subset, with the conventions."""
    n = train.n_points
    out = np.zeros((2**n, eval_set.n_points), dtype=np.int64)
    for row in range(2**n):
        idx = members_of(row, n)
        labels = np.unique(train.y[idx])
        if not idx:
            out[row] = train.y.min()
        elif labels.size == 1:
            out[row] = labels[0]
        else:
            out[row] = clone(make_estimator(len(idx))).fit(train.X[idx], train.y[idx]).predict(eval_set.X)
    return out


def permutation_shapley(u, n):
    """Shapley values as the average marginal gain over all n! orderings."""
    values = np.zeros(n)
    for order in itertools.permutations(range(n)):
        row = 0
        for i in order:
            values[i] += u[row | (1 << i)] - u[row]
            row |= 1 << i
    return values / math.factorial(n)


def coalition_semivalue(u, n, weight):
    """sum over S without i of weight(|S|) * (u(S + i) - u(S)), by explicit coalitions."""
    values = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            for coalition in itertools.combinations(others, size):
                row = sum(1 << j for j in coalition)
                values[i] += weight(size) * (u[row | (1 << i)] - u[row])
    return values


def knn_game_utility(train, x, y, k):
    """Jia et al.'s KNN utility for one test point, for every subset: matches among the
    min(k, |S|) nearest members of S (ties by index), divided by k."""
    n = train.n_points
    distances = [float(((train.X[i] - x) ** 2).sum()) for i in range(n)]
    u = np.zeros(2**n)
    for row in range(1, 2**n):
        nearest = sorted(members_of(row, n), key=lambda i: (distances[i], i))[:k]
        u[row] = sum(train.y[i] == y for i in nearest) / k
    return u
