"""The datasets bundled with scikit-learn, as datacf Datasets (issue 10)."""
import numpy as np
import pytest
from sklearn import datasets

import datacf as dcf

SIZES = {"breast_cancer": (569, 30, 2), "digits": (1797, 64, 10), "iris": (150, 4, 3)}


class TestLoadSklearnDataset:
    @pytest.mark.parametrize("name", list(SIZES))
    def test_whole_dataset(self, name):
        """Without options every point and feature is kept, in scikit-learn's order."""
        data = dcf.load_sklearn_dataset(name)
        X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
        assert (data.n_points, data.n_features, data.classes.size) == SIZES[name]
        np.testing.assert_array_equal(data.X, X)
        np.testing.assert_array_equal(data.y, y)
        assert data.names[:2] == ("p0", "p1") and data.names[-1] == f"p{SIZES[name][0] - 1}"

    def test_stratified_subsample_keeps_class_shares(self):
        """200 breast-cancer points keep the 212:357 class ratio to within one point."""
        data = dcf.load_sklearn_dataset("breast_cancer", n_points=200, rng=0)
        counts = np.bincount(data.y)
        assert data.n_points == 200 and abs(counts[0] - 200 * 212 / 569) < 1 and abs(counts[1] - 200 * 357 / 569) < 1

    def test_small_subsample_has_every_class(self):
        """Ten digits are one of each class."""
        data = dcf.load_sklearn_dataset("digits", n_points=10, rng=1)
        assert sorted(data.y.tolist()) == list(range(10))

    def test_subsample_rows_are_real_rows(self):
        """Each kept point is a row of the original data with its label."""
        data = dcf.load_sklearn_dataset("iris", n_points=30, rng=2)
        X, y = datasets.load_iris(return_X_y=True)
        for x, label in zip(data.X, data.y):
            match = np.flatnonzero((X == x).all(axis=1))
            assert match.size and label in y[match]

    def test_seeded(self):
        """The same seed gives the same subsample; a Generator works too."""
        a = dcf.load_sklearn_dataset("iris", n_points=20, rng=5)
        assert a == dcf.load_sklearn_dataset("iris", n_points=20, rng=5)
        assert dcf.load_sklearn_dataset("iris", n_points=20, rng=np.random.default_rng(5)) == a

    def test_features_by_count_index_and_name(self):
        """features takes a count, indices or scikit-learn's names."""
        first = dcf.load_sklearn_dataset("breast_cancer", features=3)
        named = dcf.load_sklearn_dataset("breast_cancer", features=["mean radius", 1, "mean perimeter"])
        np.testing.assert_array_equal(first.X, named.X)

    def test_standardize(self):
        """Standardised features have mean 0 and standard deviation 1."""
        data = dcf.load_sklearn_dataset("breast_cancer", standardize=True)
        np.testing.assert_allclose(data.X.mean(axis=0), 0, atol=1e-12)
        np.testing.assert_allclose(data.X.std(axis=0), 1, atol=1e-12)

    def test_a_subsample_feeds_an_exact_grid(self):
        """Sixteen iris points and one feature make an exact grid."""
        data = dcf.load_sklearn_dataset("iris", n_points=8, features=["petal width (cm)"], rng=0)
        grid = dcf.compute_grid(data, dcf.models.KNN(k=1))
        assert grid.values.shape == (256, 8)

    @pytest.mark.parametrize("kwargs,message", [
        ({"name": "mnist"}, r"name='mnist' is not a bundled scikit-learn dataset; choose one of \['breast_cancer'"),
        ({"name": "iris", "n_points": 0}, r"n_points must be an integer in 1..150 for iris; got 0"),
        ({"name": "iris", "n_points": 151}, r"n_points must be an integer in 1..150"),
        ({"name": "iris", "n_points": 2.0}, r"n_points must be an integer"),
        ({"name": "iris", "features": 5}, r"features=5 must be in 1..4"),
        ({"name": "iris", "features": "sepal"}, r"features must be None, a count, or a sequence"),
        ({"name": "iris", "features": ["petal"]}, r"features holds 'petal', which is not a column"),
        ({"name": "iris", "features": [9]}, r"features holds 9, which is not a column"),
        ({"name": "iris", "features": []}, r"features is empty"),
        ({"name": "iris", "features": [0, "sepal length (cm)"]}, r"features names a column twice"),
    ])
    def test_bad_arguments(self, kwargs, message):
        """Each bad argument is refused with a message saying what is allowed."""
        with pytest.raises(ValueError, match=message):
            dcf.load_sklearn_dataset(**kwargs)
