"""The KNN-Shapley closed form (Jia et al. 2019) against exhaustive Shapley of its own utility."""
import numpy as np
import pytest

import datacf as dcf
from oracles import knn_game_utility


@pytest.mark.parametrize("k", [1, 2, 3, 6])
@pytest.mark.parametrize("name", ["blobs6", "three_class6", "ties6", "duplicates5"])
def test_closed_form_equals_exhaustive_shapley_per_test_point(datasets, name, k):
    """For every test point, the recursion equals the exact Shapley value of Jia et al.'s utility."""
    train = datasets[name]
    test = datasets["overlap6"] if train.n_features == 2 else train
    closed = dcf.knn_shapley(train, test, k, per_test_point=True)
    for t, (x, y) in enumerate(zip(test.X, test.y)):
        exhaustive = dcf.Grid(knn_game_utility(train, x, y, k)[:, None]).shapley()
        np.testing.assert_allclose(closed[t], exhaustive, rtol=0, atol=1e-12)


def test_mean_over_test_points_is_the_default(datasets):
    """Without per_test_point, the values are the mean over test points."""
    train, test = datasets["blobs6"], datasets["overlap6"]
    np.testing.assert_allclose(
        dcf.knn_shapley(train, test, 2), dcf.knn_shapley(train, test, 2, per_test_point=True).mean(axis=0), rtol=0, atol=0
    )


def test_utility_is_not_the_knn_model_grid(datasets):
    """Jia et al.'s game divides by K, not min(K, |S|): its values differ from the KNN model's Shapley."""
    train = datasets["blobs6"]
    model_values = dcf.compute_grid(train, dcf.models.KNN(k=3)).shapley()
    assert not np.allclose(dcf.knn_shapley(train, train, 3), model_values)


@pytest.mark.parametrize("k", [0, 2.5, -1])
def test_bad_k_is_refused(datasets, k):
    """k must be a positive integer."""
    with pytest.raises(ValueError, match="positive integer k"):
        dcf.knn_shapley(datasets["blobs6"], datasets["blobs6"], k)


def test_feature_mismatch_is_refused(datasets):
    """Train and test must share a feature space."""
    with pytest.raises(ValueError, match="test has 3 features but train has 2"):
        dcf.knn_shapley(datasets["blobs6"], datasets["blobs5_3d"], 1)


def test_k_larger_than_any_dataset_is_accepted(datasets):
    """A K far beyond n (even beyond int64) gives the same closed form as K = 10 * n, scaled by K."""
    train = datasets["blobs6"]
    np.testing.assert_allclose(
        dcf.knn_shapley(train, train, 10**30) * 10**30, dcf.knn_shapley(train, train, 60) * 60, rtol=1e-12, atol=0
    )


def test_per_test_point_must_be_a_bool(datasets):
    """per_test_point='yes' is a TypeError, not silently truthy."""
    with pytest.raises(TypeError, match="per_test_point must be True or False"):
        dcf.knn_shapley(datasets["blobs6"], datasets["blobs6"], 1, per_test_point="yes")
