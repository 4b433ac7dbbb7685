"""Per-cell scores: every convention x metric x learner against scikit-learn, and pinned constants.

Expected values come from scikit-learn fitted once per subset (``tests/oracles.py``) and from the
definitions in DESIGN.md §3, never from datacf itself. Constants are written as numbers.
"""
import functools
import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neighbors import NearestCentroid as SkNearestCentroid

import datacf as dcf
from conftest import DATASETS
from datacf._metrics import score_cells
from oracles import members_of, sklearn_predict_grid, sklearn_proba_grid

# scikit-learn's NearestCentroid computes a within-class spread it does not use for predict, and
# warns when a subset has one point per class.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")

# -log(1e-15), scikit-learn's historical clip: the loss of a certain mistake.
CLIPPED_LOSS = 34.538776394910684


def _knn_oracle(train):
    make = lambda size: KNeighborsClassifier(n_neighbors=min(2, size))   # k_eff = min(k, |S|)
    return sklearn_proba_grid(train, train, make), sklearn_predict_grid(train, train, make)


def _logistic_oracle(train):
    make = lambda size: SkLogisticRegression(C=1.0, tol=1e-10, max_iter=10_000)   # DESIGN.md's tight fit
    return sklearn_proba_grid(train, train, make), sklearn_predict_grid(train, train, make)


def _sklearn_oracle(train):
    make = lambda size: SkLogisticRegression()   # the very model compute_grid fits, with its defaults
    return sklearn_proba_grid(train, train, make), sklearn_predict_grid(train, train, make)


def _centroid_oracle(train):
    hard = sklearn_predict_grid(train, train, lambda size: SkNearestCentroid())
    classes = np.unique(train.y)
    proba = np.eye(classes.size)[np.searchsorted(classes, hard)]   # certainty on the prediction...
    proba[0] = 1.0 / classes.size                                  # ...but the empty set is uniform
    return proba, hard


def _size_below_two(train, row):
    return len(members_of(row, train.n_points)) < 2


def _one_class_or_none(train, row):
    return np.unique(train.y[members_of(row, train.n_points)]).size < 2


# name: (model factory, oracle, rule for the rows scikit-learn refuses, probability tolerance)
LEARNERS = {
    "knn": (lambda: dcf.models.KNN(k=2), _knn_oracle, _size_below_two, 1e-12),
    "logistic": (dcf.models.LogisticRegression, _logistic_oracle, _one_class_or_none, 1e-6),
    "centroid": (dcf.models.NearestCentroid, _centroid_oracle, _one_class_or_none, 1e-12),
    # the generic path; scikit-learn itself raises on one class, which "zero" scores as 0
    "sklearn": (SkLogisticRegression, _sklearn_oracle, _one_class_or_none, 1e-12),
}
DATA = ["blobs6", "three_class6"]


@functools.cache
def _expected(learner, data):
    """(prob_correct, correct hard label, refused rows) from the oracle, shape (2**n, n)."""
    train = DATASETS[data]
    proba, hard = LEARNERS[learner][1](train)
    target = np.searchsorted(np.unique(train.y), train.y)
    prob_correct = proba[:, np.arange(train.n_points), target]
    refused = np.array([LEARNERS[learner][2](train, r) for r in range(2**train.n_points)])
    return prob_correct, (hard == train.y).astype(float), refused


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("learner", list(LEARNERS))
class TestConventionMetricMatrix:
    def test_fallback_prob_correct(self, learner, data):
        """fallback x prob_correct is scikit-learn's probability of the true label in every cell."""
        grid = dcf.compute_grid(DATASETS[data], LEARNERS[learner][0]())
        p, _, _ = _expected(learner, data)
        np.testing.assert_allclose(grid.values, p, rtol=0, atol=LEARNERS[learner][3])

    def test_fallback_accuracy(self, learner, data):
        """fallback x accuracy is 1 exactly where scikit-learn's hard prediction is right."""
        grid = dcf.compute_grid(DATASETS[data], LEARNERS[learner][0](), metric="accuracy")
        np.testing.assert_array_equal(grid.values, _expected(learner, data)[1])

    def test_fallback_log_loss(self, learner, data):
        """fallback x log_loss is -log of the true label's probability, clipped at 1e-15."""
        grid = dcf.compute_grid(DATASETS[data], LEARNERS[learner][0](), metric="log_loss")
        p, _, _ = _expected(learner, data)
        assert grid.values.max() <= CLIPPED_LOSS
        np.testing.assert_allclose(np.exp(-grid.values), np.maximum(p, 1e-15), rtol=0, atol=LEARNERS[learner][3])

    def test_zero_prob_correct(self, learner, data):
        """zero x prob_correct is 0 on refused rows and scikit-learn's probability elsewhere."""
        grid = dcf.compute_grid(DATASETS[data], LEARNERS[learner][0](), convention="zero")
        p, _, refused = _expected(learner, data)
        np.testing.assert_allclose(grid.values, np.where(refused[:, None], 0.0, p), rtol=0, atol=LEARNERS[learner][3])

    def test_zero_accuracy(self, learner, data):
        """zero x accuracy is 0 on refused rows and scikit-learn's hit or miss elsewhere."""
        grid = dcf.compute_grid(DATASETS[data], LEARNERS[learner][0](), metric="accuracy", convention="zero")
        _, hit, refused = _expected(learner, data)
        np.testing.assert_array_equal(grid.values, np.where(refused[:, None], 0.0, hit))

    def test_zero_log_loss_is_refused(self, learner, data):
        """zero x log_loss is refused: 0 is the best loss, so it would reward refusing to fit."""
        with pytest.raises(ValueError, match=r"convention='zero' cannot score metric='log_loss'.*best score"
                                             r".*convention='fallback'.*'prob_correct'"):
            dcf.compute_grid(DATASETS[data], LEARNERS[learner][0](), metric="log_loss", convention="zero")


class TestLogLossClip:
    def test_certain_mistake_costs_minus_log_1e_15(self):
        """A one-class subset evaluated on the other class has probability 0: loss -log(1e-15)."""
        train = dcf.Dataset([[0.0], [1.0]], [0, 1])
        grid = dcf.compute_grid(train, dcf.models.KNN(k=1), metric="log_loss")
        assert grid.row("A")[1] == pytest.approx(CLIPPED_LOSS, rel=1e-15, abs=0)
        assert grid.row("B")[0] == pytest.approx(CLIPPED_LOSS, rel=1e-15, abs=0)

    def test_certain_hit_costs_nothing(self):
        """Probability 1 on the true label is a loss of exactly 0."""
        grid = dcf.compute_grid(dcf.Dataset([[0.0], [1.0]], [0, 1]), dcf.models.KNN(k=1), metric="log_loss")
        assert grid.row("A")[0] == 0.0 and grid.row("AB").tolist() == [0.0, 0.0]

    def test_probability_a_rounding_above_one_costs_nothing(self):
        """A classifier may report 1 + 5e-7 (within the accepted rounding): the loss is 0, never negative."""
        class OverCertain(BaseEstimator, ClassifierMixin):
            """1-nearest neighbour, reporting its certainty with a rounding error of 5e-7."""

            def fit(self, X, y):
                self.X_, self.y_, self.classes_ = np.asarray(X), np.asarray(y), np.unique(y)
                return self

            def predict(self, X):
                return self.y_[np.abs(np.asarray(X)[:, None, 0] - self.X_[None, :, 0]).argmin(axis=1)]

            def predict_proba(self, X):
                proba = (self.predict(X)[:, None] == self.classes_[None, :]).astype(float)
                return proba + np.where(proba == 1.0, 5e-7, -5e-7)

        train = dcf.Dataset([[0.0], [1.0]], [0, 1])
        grid = dcf.compute_grid(train, OverCertain(), metric="log_loss")
        assert grid.row("AB").tolist() == [0.0, 0.0]

    @pytest.mark.parametrize("n_classes, loss", [(2, 0.6931471805599453), (3, 1.0986122886681098)])
    def test_empty_set_costs_log_of_the_class_count(self, n_classes, loss):
        """The empty set predicts 1/n_classes for every label: a loss of log(n_classes)."""
        train = dcf.Dataset(np.arange(n_classes, dtype=float)[:, None], np.arange(n_classes))
        grid = dcf.compute_grid(train, dcf.models.NearestCentroid(), metric="log_loss")
        np.testing.assert_allclose(grid.row("∅"), loss, rtol=1e-15)


class TestScoreCells:
    # two rows (models) x two evaluation points x three classes; true classes 2 and 0
    PROBA = np.array([[[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], [[0.0, 1.0, 0.0], [0.3, 0.3, 0.4]]])
    HARD = np.array([[2, 0], [1, 2]])
    TARGET = np.array([2, 0])

    def test_prob_correct_picks_the_true_label(self):
        """Each cell is the probability of its own evaluation point's true class."""
        assert score_cells("prob_correct", self.PROBA, None, self.TARGET).tolist() == [[0.7, 0.5], [0.0, 0.3]]

    def test_accuracy_compares_the_hard_label(self):
        """Each cell is 1 where the hard prediction is the true class, else 0."""
        assert score_cells("accuracy", None, self.HARD, self.TARGET).tolist() == [[1.0, 1.0], [0.0, 0.0]]

    def test_log_loss_is_minus_log_prob_correct(self):
        """Each cell is -log(p), with p = 0 clipped to 1e-15."""
        expected = [[0.35667494393873245, 0.6931471805599453], [CLIPPED_LOSS, 1.2039728043259361]]
        np.testing.assert_allclose(score_cells("log_loss", self.PROBA, None, self.TARGET), expected, rtol=1e-15)

    def test_unknown_label_has_probability_zero(self):
        """Target -1 (a label training never had) scores probability 0 and is never a hit."""
        target = np.array([-1, 0])
        assert score_cells("prob_correct", self.PROBA, None, target)[:, 0].tolist() == [0.0, 0.0]
        assert score_cells("accuracy", None, self.HARD, target)[:, 0].tolist() == [0.0, 0.0]
