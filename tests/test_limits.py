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


    @pytest.mark.parametrize(
        "model, n_points, n_features, n_eval, n_classes, subsets",
        [
            (dcf.models.KNN(k=3), 8, 1, 8000, 2, [3]),
            (dcf.models.KNN(k=3), 2, 400, 2000, 2, [3]),
            (dcf.models.NearestCentroid(), 12, 1, 1, 2, range(2**12)),
            (dcf.models.NearestCentroid(), 10, 1, 300, 3, range(2**10)),
            (dcf.models.LogisticRegression(), 12, 100, 12, 2, [3, 6]),
        ],
        ids=["knn-distance-tables", "knn-features", "centroid-membership", "centroid-class-distances",
             "logistic-outer-products"],
    )
    def test_each_term_of_a_learners_estimate_is_within_a_factor_two(
        self, model, n_points, n_features, n_eval, n_classes, subsets
    ):
        """Where one term of a learner's formula dominates (KNN's distance tables over one subset,
        its features, the centroid's membership rows, its class distances, the logistic model's
        per-point outer products over two subsets), the learner's own
        estimate plus its output still agrees with tracemalloc's peak within a factor of two."""
        rng = np.random.default_rng(0)
        X, X_eval = rng.normal(size=(n_points, n_features)), rng.normal(size=(n_eval, n_features))
        codes, rows = np.arange(n_points) % n_classes, np.asarray(subsets)
        measured = peak_bytes(lambda: model._predict_proba_subsets(X, codes, n_classes, X_eval, rows))
        output = 8 * rows.size * n_eval * n_classes
        estimate = model._peak_bytes(n_points, n_features, n_eval, n_classes, rows.size) + output
        assert measured / ESTIMATE_FACTOR <= estimate <= measured * ESTIMATE_FACTOR


class TestFormatBytes:
    @pytest.mark.parametrize("n_bytes, text", [
        (2**30 - 2**20, "1.02e+03 MiB"),   # 1023 MiB: still MiB
        (2**30, "1 GiB"),
        (2**31, "2 GiB"),
        (3 * 2**30, "3 GiB"),
        (5 * 2**19, "2.5 MiB"),
    ])
    def test_sizes_read_in_gib_from_one_gib_up(self, n_bytes, text):
        """Sizes are given in GiB from exactly 1 GiB up and in MiB below, to three digits."""
        assert _memory.format_bytes(n_bytes) == text


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

    @pytest.mark.parametrize("given, limit", [
        ("512MiB", 512 * 2**20), ("4GB", 4 * 10**9), (" 1.5 kib ", 1536), ("2e3", 2000), ("10B", 10),
        ("3KB", 3000), ("7mb", 7 * 10**6), ("1TB", 10**12), ("2GiB", 2 * 2**30), ("1TiB", 2**40),
        (2**20, 2**20), (1.5e6, 1_500_000),
    ])
    def test_sizes_are_read_with_decimal_and_binary_units(self, given, limit):
        """A size is bytes, or a number with a decimal (kB = 1000) or binary (KiB = 1024) unit, any case."""
        assert _memory.resolve_max_memory(given) == limit

    def test_default_limit_is_two_gib(self, monkeypatch):
        """Without an argument or DATACF_MAX_MEMORY the limit is 2 GiB."""
        monkeypatch.delenv("DATACF_MAX_MEMORY", raising=False)
        assert _memory.resolve_max_memory() == 2 * 2**30

    def test_a_grid_needing_exactly_the_limit_is_accepted(self):
        """Only an estimate above the limit is refused: at the limit exactly the grid is allowed."""
        model = dcf.models.KNN(k=1)
        needed = _memory.check_memory(model, 10, 2, 10, 2, max_memory=2**40)
        assert _memory.check_memory(model, 10, 2, 10, 2, max_memory=needed) == needed
        with pytest.raises(ValueError, match="would need about"):
            _memory.check_memory(model, 10, 2, 10, 2, max_memory=needed - 1)

    def test_bad_environment_value_names_the_variable(self, monkeypatch):
        """A malformed DATACF_MAX_MEMORY is reported by name."""
        monkeypatch.setenv("DATACF_MAX_MEMORY", "plenty")
        with pytest.raises(ValueError, match="DATACF_MAX_MEMORY='plenty' is not a memory size"):
            dcf.compute_grid(blobs(4, 2), dcf.models.KNN(k=1))
