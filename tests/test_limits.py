"""Memory is estimated before anything is allocated, and refused beyond an adjustable limit."""
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.neighbors import NearestCentroid as SkNearestCentroid

import datacf as dcf
from datacf import _memory
from oracles import sklearn_predict_grid

# A refused grid must fail before numpy allocates anything sizeable: far below the GiBs asked.
REFUSAL_PEAK_BYTES = 10 * 2**20
# The estimate may be generous but must not be wildly off the measured peak.
ESTIMATE_FACTOR = 2.0


def blobs(n_points, n_features, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n_points) % n_classes
    return dcf.Dataset(rng.normal(size=(n_points, n_features)) + y[:, None], y)


def peak_bytes(call):
    """Peak traced allocation while ``call()`` runs."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class TestRefusal:
    def test_knn_with_5000_evaluation_points_is_refused_naming_the_estimate(self):
        """KNN over 16 points and 5000 evaluation points asks for ~22 GiB: a clear ValueError, no MemoryError."""
        with pytest.raises(ValueError, match=r"would need about 22 GiB \(65,536 subsets x 5,000 evaluation points.*the limit is 2 GiB; pass max_memory="):
            dcf.compute_grid(blobs(16, 2), dcf.models.KNN(k=3), eval=blobs(5000, 2))

    def test_refusal_happens_before_allocation(self):
        """The refused call allocates almost nothing: the estimate is checked first."""
        def refused():
            with pytest.raises(ValueError, match="would need about"):
                dcf.compute_grid(blobs(16, 2), dcf.models.KNN(k=3), eval=blobs(5000, 2))

        assert peak_bytes(refused) < REFUSAL_PEAK_BYTES

    @pytest.mark.parametrize(
        "model, n_features",
        [(dcf.models.LogisticRegression(), 100), (dcf.models.NearestCentroid(), 1000)],
        ids=["logistic-100-features", "centroid-1000-features"],
    )
    def test_many_features_fit_the_default_limit_in_chunks(self, model, n_features):
        """16 points with 100 (logistic) or 1000 (centroid) features are accepted: chunks keep them small."""
        needed = _memory.check_memory(model, 16, n_features, 16, 2)
        assert needed < _memory.DEFAULT_MAX_MEMORY / 4

    def test_sklearn_models_are_checked_too(self):
        """The grid itself counts for a scikit-learn model as well."""
        from sklearn.tree import DecisionTreeClassifier

        with pytest.raises(ValueError, match="would need about 22 GiB.*working memory for the model"):
            dcf.compute_grid(blobs(16, 2), DecisionTreeClassifier(), eval=blobs(5000, 2))


class TestChunks:
    def test_centroid_over_1000_features_works_in_chunks(self):
        """Nearest centroid over 1000 features equals scikit-learn, with a peak far below the unchunked table."""
        train = blobs(9, 1000)
        grid = dcf.compute_grid(train, dcf.models.NearestCentroid(), metric="accuracy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # sklearn warns about zero within-class spread
            labels = sklearn_predict_grid(train, train, lambda size: SkNearestCentroid())
        np.testing.assert_array_equal(grid.values, (labels == train.y).astype(float))

    def test_chunked_peak_stays_below_the_one_shot_table(self, monkeypatch):
        """With small chunks, the peak is well below the (rows, eval, classes, features) gaps table."""
        from datacf.models import _base

        monkeypatch.setattr(_base, "CHUNK_BYTES", 2**20)
        train = blobs(12, 400)
        unchunked = 8 * 2**12 * 12 * 2 * 400
        peak = peak_bytes(lambda: dcf.compute_grid(train, dcf.models.NearestCentroid()))
        assert peak < unchunked / 10

    @pytest.mark.parametrize("model", [dcf.models.KNN(k=2), dcf.models.NearestCentroid(), dcf.models.LogisticRegression()], ids=repr)
    def test_chunks_give_the_same_grid(self, datasets, model, monkeypatch):
        """Processing one subset at a time gives exactly the one-shot grid."""
        from datacf.models import _base

        train = datasets["three_class7"]
        whole = dcf.compute_grid(train, model)
        monkeypatch.setattr(_base, "CHUNK_BYTES", 1)
        np.testing.assert_allclose(dcf.compute_grid(train, model).values, whole.values, rtol=0, atol=1e-12)


class TestEstimate:
    @pytest.mark.parametrize(
        "model, train, eval",
        [
            (dcf.models.NearestCentroid(), blobs(12, 200), None),
            (dcf.models.KNN(k=3), blobs(12, 2), blobs(300, 2)),
            (dcf.models.LogisticRegression(), blobs(10, 30), None),
            (dcf.models.LogisticRegression(), blobs(9, 10, n_classes=3), None),
        ],
        ids=["centroid", "knn", "logistic", "logistic-3-classes"],
    )
    def test_estimate_is_within_a_factor_two_of_the_measured_peak(self, model, train, eval):
        """The estimate and tracemalloc's peak agree within a factor of two on mid-size grids."""
        n_eval = (eval or train).n_points
        estimate = _memory.check_memory(model, train.n_points, train.n_features, n_eval, train.classes.size, 2**40)
        measured = peak_bytes(lambda: dcf.compute_grid(train, model, eval=eval))
        assert measured / ESTIMATE_FACTOR <= estimate <= measured * ESTIMATE_FACTOR


class TestLimit:
    def test_max_memory_raises_the_limit(self):
        """A grid refused by a small limit is computed when max_memory allows it."""
        train = blobs(10, 2)
        with pytest.raises(ValueError, match=r"would need about 1\.\d+ MiB .*the limit is 1 MiB"):
            dcf.compute_grid(train, dcf.models.KNN(k=1), max_memory=2**20)
        assert dcf.compute_grid(train, dcf.models.KNN(k=1), max_memory="1GiB").values.shape == (1024, 10)

    def test_environment_variable_sets_the_default(self, monkeypatch):
        """DATACF_MAX_MEMORY replaces the default limit."""
        monkeypatch.setenv("DATACF_MAX_MEMORY", "1MB")
        with pytest.raises(ValueError, match=r"the limit is 0\.954 MiB"):
            dcf.compute_grid(blobs(10, 2), dcf.models.KNN(k=1))

    def test_argument_wins_over_the_environment(self, monkeypatch):
        """An explicit max_memory overrides DATACF_MAX_MEMORY."""
        monkeypatch.setenv("DATACF_MAX_MEMORY", "1MB")
        assert dcf.compute_grid(blobs(10, 2), dcf.models.KNN(k=1), max_memory=2**30).n_points == 10

    @pytest.mark.parametrize("value", [0, -5, float("nan"), float("inf"), "lots", "5 parsecs"])
    def test_bad_limits_are_refused(self, value):
        """A limit must be a positive finite size."""
        with pytest.raises(ValueError, match="max_memory=.* is not a (positive finite number of bytes|memory size)"):
            dcf.compute_grid(blobs(4, 2), dcf.models.KNN(k=1), max_memory=value)

    @pytest.mark.parametrize("value", [True, [1], object()])
    def test_non_numbers_are_a_type_error(self, value):
        """A limit that is not a number or a size string is a TypeError."""
        with pytest.raises(TypeError, match="max_memory must be a number of bytes, a size string or None"):
            dcf.compute_grid(blobs(4, 2), dcf.models.KNN(k=1), max_memory=value)

    def test_bad_environment_value_names_the_variable(self, monkeypatch):
        """A malformed DATACF_MAX_MEMORY is reported by name."""
        monkeypatch.setenv("DATACF_MAX_MEMORY", "plenty")
        with pytest.raises(ValueError, match="DATACF_MAX_MEMORY='plenty' is not a memory size"):
            dcf.compute_grid(blobs(4, 2), dcf.models.KNN(k=1))
