"""compute_grid: conventions, metrics and bad arguments."""
import numpy as np
import pytest

import datacf as dcf
from datacf._metrics import LOG_LOSS_EPS
from oracles import members_of

FAST = {
    "knn2": lambda: dcf.models.KNN(k=2),
    "logistic": lambda: dcf.models.LogisticRegression(C=1.0),
    "centroid": dcf.models.NearestCentroid,
}


@pytest.mark.parametrize("make", FAST.values(), ids=list(FAST))
class TestFallbackConvention:
    def test_empty_set_predicts_uniform(self, datasets, make):
        """Row 0 scores 1/n_classes under prob_correct, and the smallest class under accuracy."""
        train = datasets["three_class6"]
        assert dcf.compute_grid(train, make()).values[0].tolist() == [1 / 3] * 6
        accuracy = dcf.compute_grid(train, make(), metric="accuracy").values[0]
        np.testing.assert_array_equal(accuracy, (train.y == 0).astype(float))

    def test_one_class_subset_predicts_its_class_with_certainty(self, datasets, make):
        """A subset whose points share label c predicts c with probability 1 everywhere."""
        train = datasets["blobs6"]   # labels 0,1,0,1,0,1
        grid = dcf.compute_grid(train, make())
        only_zeros = grid.row_index("ACE")
        np.testing.assert_array_equal(grid.values[only_zeros], (train.y == 0).astype(float))


class TestZeroConvention:
    @pytest.mark.parametrize("make", [FAST["logistic"], FAST["centroid"]], ids=["logistic", "centroid"])
    def test_refused_rows_score_zero(self, datasets, make):
        """Empty and one-class rows are 0; rows with two classes equal the fallback grid."""
        train = datasets["blobs6"]
        zero = dcf.compute_grid(train, make(), convention="zero").values
        fallback = dcf.compute_grid(train, make()).values
        two_classes = np.array([len(set(train.y[members_of(r, 6)].tolist())) >= 2 for r in range(64)])
        assert (zero[~two_classes] == 0).all()
        np.testing.assert_array_equal(zero[two_classes], fallback[two_classes])

    def test_knn_zero_below_k_points(self, datasets):
        """KNN under "zero" scores 0 on subsets with fewer than k points, and as usual otherwise."""
        train = datasets["blobs6"]
        zero = dcf.compute_grid(train, dcf.models.KNN(k=3), convention="zero").values
        fallback = dcf.compute_grid(train, dcf.models.KNN(k=3)).values
        sizes = np.array([len(members_of(r, 6)) for r in range(64)])
        assert (zero[sizes < 3] == 0).all()
        np.testing.assert_array_equal(zero[sizes >= 3], fallback[sizes >= 3])


class TestMetrics:
    def test_log_loss_is_clipped_minus_log_prob(self, datasets):
        """log_loss = -log(max(prob_correct, eps)): finite even for certain mistakes."""
        train = datasets["blobs6"]
        p = dcf.compute_grid(train, dcf.models.KNN(k=1)).values
        loss = dcf.compute_grid(train, dcf.models.KNN(k=1), metric="log_loss").values
        np.testing.assert_allclose(loss, -np.log(np.maximum(p, LOG_LOSS_EPS)), rtol=0, atol=1e-12)
        assert loss.max() == pytest.approx(-np.log(LOG_LOSS_EPS))

    def test_label_unseen_in_training_scores_zero(self, datasets):
        """An evaluation label no training point has gets probability 0 and is never predicted."""
        train = datasets["blobs6"]
        probe = dcf.Dataset(train.X[:2], [0, 5], names=["seen", "unseen"])
        for metric in ("prob_correct", "accuracy"):
            grid = dcf.compute_grid(train, dcf.models.KNN(k=1), eval=probe, metric=metric)
            assert (grid.values[:, 1] == 0).all()

    def test_columns_are_named_after_the_eval_points(self, datasets):
        """A separate evaluation set names the columns; train names the points."""
        probe = dcf.Dataset(np.zeros((2, 2)), [0, 1], names=["p", "q"])
        grid = dcf.compute_grid(datasets["blobs6"], dcf.models.KNN(k=1), eval=probe)
        assert grid.eval_names == ("p", "q") and grid.point_names == tuple("ABCDEF")


class TestBadArguments:
    def test_too_many_points(self):
        """17 points would need 2**17 models: refused, naming the sampling alternative."""
        train = dcf.Dataset(np.arange(34.0).reshape(17, 2), [0, 1] * 8 + [0])
        with pytest.raises(ValueError, match=r"2\*\*17 = 131,072 rows.*n <= 16.*sampling"):
            dcf.compute_grid(train, dcf.models.KNN(k=1))

    def test_unknown_metric(self, datasets):
        """The error lists the supported metrics."""
        with pytest.raises(ValueError, match=r"metric='f1' is not supported.*'prob_correct', 'accuracy', 'log_loss'"):
            dcf.compute_grid(datasets["blobs6"], dcf.models.KNN(k=1), metric="f1")

    def test_unknown_convention(self, datasets):
        """The error lists the conventions."""
        with pytest.raises(ValueError, match=r"convention='skip' is not supported"):
            dcf.compute_grid(datasets["blobs6"], dcf.models.KNN(k=1), convention="skip")

    def test_train_must_be_a_dataset(self):
        """Raw arrays are refused with a hint to wrap them."""
        with pytest.raises(TypeError, match=r"train must be a datacf.Dataset.*Dataset\(X, y\)"):
            dcf.compute_grid(np.zeros((2, 2)), dcf.models.KNN(k=1))

    def test_eval_feature_mismatch(self, datasets):
        """Evaluation points must have as many features as the training points."""
        with pytest.raises(ValueError, match="eval has 3 features but train has 2"):
            dcf.compute_grid(datasets["blobs6"], dcf.models.KNN(k=1), eval=datasets["blobs5_3d"])

    def test_single_class_dataset_still_gives_a_grid(self):
        """With one class everywhere, every non-empty row is certain and row 0 is uniform (=1)."""
        grid = dcf.compute_grid(dcf.Dataset([[0.0], [1.0]], [3, 3]), dcf.models.LogisticRegression())
        assert grid.values.tolist() == [[1.0, 1.0]] * 4
