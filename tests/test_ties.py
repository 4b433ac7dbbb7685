"""Distance ties that are exact on paper are decided by the documented rule, not by float rounding.

The data are decimals (iris measurements) whose squared distances are equal in exact
arithmetic but differ by a few ulps in float64. Every oracle here computes distances
exactly with ``fractions.Fraction`` on the decimal strings, so it knows the true ties.
"""
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

import datacf as dcf
from oracles import members_of

# Iris rows (sepal length, sepal width): from [5.5, 2.3], the points [6.2, 2.9] and [6.1, 3.0]
# are both at squared distance 0.85 exactly; float64 makes the second one nearer.
TRAIN = [["6.2", "2.9"], ["6.1", "3.0"], ["5.0", "3.4"], ["6.8", "2.8"], ["5.5", "2.3"]]
LABELS = [1, 0, 0, 1, 2]
EVAL = [["5.5", "2.3"], ["6.15", "2.95"], ["5.8", "2.6"]]
EVAL_LABELS = [0, 1, 2]


def as_floats(rows):
    return np.array([[float(v) for v in row] for row in rows])


def exact_distance(a, b):
    return sum((Fraction(x) - Fraction(y)) ** 2 for x, y in zip(a, b))


def exact_knn_proba(k, n_classes):
    """(2**n, n_eval, n_classes) vote shares of the min(k, |S|) nearest by (exact distance, index)."""
    n = len(TRAIN)
    out = np.zeros((2**n, len(EVAL), n_classes))
    out[0] = 1.0 / n_classes
    for row in range(1, 2**n):
        for j, x in enumerate(EVAL):
            nearest = sorted(members_of(row, n), key=lambda i: (exact_distance(TRAIN[i], x), i))[:k]
            for i in nearest:
                out[row, j, LABELS[i]] += 1 / len(nearest)
    return out


def test_the_data_really_ties_and_floats_disagree():
    """The first evaluation point is exactly equidistant from points 0 and 1, yet float64 says otherwise."""
    assert exact_distance(TRAIN[0], EVAL[0]) == exact_distance(TRAIN[1], EVAL[0])
    X, x = as_floats(TRAIN), as_floats(EVAL)[0]
    assert ((X[0] - x) ** 2).sum() != ((X[1] - x) ** 2).sum()


@pytest.mark.parametrize("k", [1, 2, 3])
def test_knn_probabilities_follow_exact_distance_then_index(k):
    """Every KNN cell equals vote shares over the nearest by (exact distance, lower index)."""
    train = dcf.Dataset(as_floats(TRAIN), LABELS)
    n_classes = train.classes.size
    for label in range(n_classes):
        eval_set = dcf.Dataset(as_floats(EVAL), [label] * len(EVAL))
        grid = dcf.compute_grid(train, dcf.models.KNN(k=k), eval=eval_set)
        np.testing.assert_allclose(grid.values, exact_knn_proba(k, n_classes)[:, :, label], rtol=0, atol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_knn_vote_ties_go_to_the_smallest_label(k):
    """The hard KNN prediction is the smallest label with the most votes among the exact nearest."""
    train = dcf.Dataset(as_floats(TRAIN), LABELS)
    grid = dcf.compute_grid(train, dcf.models.KNN(k=k), eval=dcf.Dataset(as_floats(EVAL), EVAL_LABELS), metric="accuracy")
    votes = exact_knn_proba(k, train.classes.size)
    expected = (votes.argmax(axis=2) == np.array(EVAL_LABELS)).astype(float)   # argmax: first maximum
    np.testing.assert_array_equal(grid.values, expected)


def exact_knn_game(x, y, k):
    """Jia et al.'s utility for one test point over every subset, with exact-distance ties by index."""
    n = len(TRAIN)
    u = np.zeros(2**n)
    for row in range(1, 2**n):
        nearest = sorted(members_of(row, n), key=lambda i: (exact_distance(TRAIN[i], x), i))[:k]
        u[row] = sum(LABELS[i] == y for i in nearest) / k
    return u


def exhaustive_shapley(u, n):
    values = np.zeros(n)
    for order in itertools.permutations(range(n)):
        row = 0
        for i in order:
            values[i] += u[row | (1 << i)] - u[row]
            row |= 1 << i
    return values / math.factorial(n)


@pytest.mark.parametrize("gap, nearest_label", [(1e-8, 1), (1e-6, 0)], ids=["within-tolerance", "beyond-it"])
def test_knn_tie_tolerance_is_relative_to_the_distance(gap, nearest_label):
    """At squared distance 100, point A (label 1) is farther than B (label 0) by ``gap``: 1e-8 is
    within TIE_RTOL * 100 = 1e-7, a tie that A wins by its lower index; 1e-6 is not, so B wins."""
    train = dcf.Dataset([[math.sqrt(100.0 + gap)], [-10.0]], [1, 0])
    grid = dcf.compute_grid(train, dcf.models.KNN(k=1), eval=dcf.Dataset([[0.0]], [1]), metric="accuracy")
    assert grid.row("AB").tolist() == [float(nearest_label == 1)]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_knn_shapley_uses_the_same_tie_rule(k):
    """The closed form equals exhaustive Shapley of the utility with exact-distance ties by index."""
    train = dcf.Dataset(as_floats(TRAIN), LABELS)
    test = dcf.Dataset(as_floats(EVAL), EVAL_LABELS)
    closed = dcf.knn_shapley(train, test, k, per_test_point=True)
    for t, (x, y) in enumerate(zip(EVAL, EVAL_LABELS)):
        np.testing.assert_allclose(closed[t], exhaustive_shapley(exact_knn_game(x, y, k), len(TRAIN)), rtol=0, atol=1e-12)


class TestNearestCentroid:
    def test_a_point_midway_goes_to_the_smallest_label(self):
        """0.2 is exactly midway between centroids 0.1 (label 0) and 0.3 (label 1): label 0 wins."""
        train = dcf.Dataset([[0.1], [0.3]], [0, 1])
        grid = dcf.compute_grid(train, dcf.models.NearestCentroid(), eval=dcf.Dataset([[0.2]], [0]), metric="accuracy")
        assert grid.row("AB").tolist() == [1.0]

    def test_symmetric_centroids_tie_in_every_subset(self):
        """Mirror-image classes: a point on the mirror line is a tie in every subset, so label 0 wins."""
        left = [[-0.7, 0.1], [-0.3, 0.9], [-1.1, 0.3]]
        train = dcf.Dataset(left + [[-a, b] for a, b in left], [0, 0, 0, 1, 1, 1])
        on_the_line = dcf.Dataset([[0.0, 0.3], [0.0, 2.7]], [0, 0])
        grid = dcf.compute_grid(train, dcf.models.NearestCentroid(), eval=on_the_line, metric="accuracy")
        mirrored = [r for r in range(64) if (r & 0b111) == (r >> 3) and r]   # S holds each point's mirror
        assert len(mirrored) == 7
        np.testing.assert_array_equal(grid.values[mirrored], 1.0)

    def test_a_clear_winner_is_not_a_tie(self):
        """A distance smaller by far more than the tolerance still decides for the larger label."""
        train = dcf.Dataset([[0.1], [0.3]], [0, 1])
        grid = dcf.compute_grid(train, dcf.models.NearestCentroid(), eval=dcf.Dataset([[0.2000001]], [1]), metric="accuracy")
        assert grid.row("AB").tolist() == [1.0]
