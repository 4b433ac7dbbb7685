"""Sampled grids (issue 10): samplers, the membership-matrix learner path, JSON, recomputation."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

import datacf as dcf
from datacf import samplers
from datacf.models._base import membership
from datacf._subsets import subset_bits
from tests.conftest import DATASETS
from tests.matching import exact

FAST = {
    "knn1": lambda: dcf.models.KNN(k=1),
    "knn3": lambda: dcf.models.KNN(k=3),
    "logistic": lambda: dcf.models.LogisticRegression(C=1.0),
    "centroid": dcf.models.NearestCentroid,
}


def _pool(n, seed=0, n_classes=2, n_features=3):
    """A seeded pool larger than an exact grid allows."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    centres = rng.normal(scale=2.0, size=(n_classes, n_features))
    return dcf.Dataset(centres[y] + rng.normal(size=(n, n_features)), y)


def _rows(grid):
    """The exact grid's row index of each sampled row."""
    return (grid.members * (1 << np.arange(grid.n_points))).sum(axis=1)


class TestExactAgreement:
    @pytest.mark.parametrize("make_model", FAST.values(), ids=list(FAST))
    @pytest.mark.parametrize("name", ["blobs6", "three_class7", "ties6", "duplicates5"])
    @pytest.mark.parametrize("metric,convention", [("prob_correct", "fallback"), ("accuracy", "zero"),
                                                   ("log_loss", "fallback")])
    def test_all_sizes_reproduce_compute_grid_bit_for_bit(self, name, make_model, metric, convention):
        """Sizes(0..n) gives every subset once, with exactly compute_grid's values."""
        train = DATASETS[name]
        exact = dcf.compute_grid(train, make_model(), metric=metric, convention=convention)
        sampled = dcf.sample_grid(train, make_model(), metric=metric, convention=convention,
                                  sampler=samplers.Sizes(range(train.n_points + 1)), rng=0)
        rows = _rows(sampled)
        assert sorted(rows.tolist()) == list(range(2**train.n_points))
        np.testing.assert_array_equal(sampled.values, exact.values[rows])

    def test_eight_points_with_a_scikit_learn_model(self):
        """The generic path on all 256 rows matches compute_grid exactly."""
        train = dcf.Dataset(DATASETS["three_class7"].X[:6], DATASETS["three_class7"].y[:6])
        model = DecisionTreeClassifier(random_state=0)
        exact = dcf.compute_grid(train, model)
        sampled = dcf.sample_grid(train, model, sampler=samplers.Sizes(range(7)), rng=0)
        np.testing.assert_array_equal(sampled.values, exact.values[_rows(sampled)])


class TestMembershipProtocol:
    @pytest.mark.parametrize("make_model", FAST.values(), ids=list(FAST))
    def test_membership_matrix_equals_bit_rows(self, make_model):
        """A learner gives identical probabilities for row indices and their membership matrix."""
        train = DATASETS["three_class7"]
        codes = np.searchsorted(train.classes, train.y)
        rows = np.array([r for r in range(1, 2**7) if len(set(codes[subset_bits(7)[r]])) >= 2])
        model = make_model()
        by_bits = model._predict_proba_subsets(train.X, codes, 3, train.X, rows)
        by_members = model._predict_proba_subsets(train.X, codes, 3, train.X, membership(rows, 7))
        np.testing.assert_array_equal(by_members, by_bits)

    @pytest.mark.parametrize("k", [1, 3, 7])
    def test_knn_on_a_large_pool_matches_scikit_learn(self, k):
        """KNN's membership path on 120 points equals KNeighborsClassifier fitted per row."""
        train = _pool(120, seed=1)
        eval_set = _pool(15, seed=2)
        # sparse rows force the prefix to grow; dense rows resolve at once
        rng = np.random.default_rng(3)
        members = rng.random((12, 120)) < np.array([0.02, 0.05, 0.5, 0.9] * 3)[:, None]
        members[:, :2] = [True, False]
        members[:, 1] = True   # both classes present (point 0 is class 0, point 1 class 1)
        sampled = dcf.sample_grid(train, dcf.models.KNN(k=k), eval=eval_set, sampler=samplers.Explicit(members),
                                  rng=0)
        for r, row in enumerate(members):
            size = int(row.sum())
            sk = KNeighborsClassifier(n_neighbors=min(k, size)).fit(train.X[row], train.y[row])
            proba = sk.predict_proba(eval_set.X)
            expected = proba[np.arange(15), np.searchsorted(sk.classes_, eval_set.y)]
            np.testing.assert_allclose(sampled.values[r], expected, rtol=0, atol=1e-12)

    def test_logistic_on_a_large_pool_matches_scikit_learn(self):
        """The batched Newton fit on 60-point rows of a 200-point pool agrees with scikit-learn."""
        from sklearn.linear_model import LogisticRegression

        train = _pool(200, seed=4)
        sampled = dcf.sample_grid(train, dcf.models.LogisticRegression(C=1.0), eval=_pool(10, seed=5),
                                  sampler=samplers.Sizes([60], per_size=4), rng=1)
        sk_model = LogisticRegression(C=1.0, tol=1e-10, solver="newton-cholesky", max_iter=1000)
        generic = dcf.recompute_sampled_grid(sampled, model=sk_model)
        np.testing.assert_allclose(sampled.values, generic.values, rtol=0, atol=1e-6)   # DESIGN §3's 1e-6

    @pytest.mark.parametrize("n_classes, sampler", [(2, samplers.Permutations(2)), (3, samplers.Uniform(60))],
                             ids=["binary-prefixes", "multinomial-uniform"])
    def test_warm_started_logistic_matches_scikit_learn(self, monkeypatch, n_classes, sampler):
        """Batches big enough for warm starts (neighbours' and anchors' optima) still give scikit-learn's fits."""
        from sklearn.linear_model import LogisticRegression
        from datacf.models import _logistic

        anchored = []
        anchors = _logistic._anchors
        monkeypatch.setattr(_logistic, "_anchors", lambda *a: anchored.append(1) or anchors(*a))
        train = _pool(80, seed=6, n_classes=n_classes, n_features=9)
        eval_set = _pool(12, seed=7, n_classes=n_classes, n_features=9)
        sampled = dcf.sample_grid(train, dcf.models.LogisticRegression(C=1.0), eval=eval_set, sampler=sampler, rng=2)
        assert anchored, "the batch was too small for the warm-started path this test is about"
        sk_model = LogisticRegression(C=1.0, tol=1e-10, solver="newton-cholesky", max_iter=1000)
        generic = dcf.recompute_sampled_grid(sampled, model=sk_model)
        np.testing.assert_allclose(sampled.values, generic.values, rtol=0, atol=1e-6)   # DESIGN §3's 1e-6


    def test_warm_started_path_with_a_tiny_budget_warns_and_gives_probabilities(self):
        """max_iter=1 leaves the anchors and the fits unconverged: a ConvergenceWarning, and still probabilities."""
        train = _pool(80, seed=6, n_features=9)
        with pytest.warns(dcf.models.ConvergenceWarning, match="max_iter=1 "):
            sampled = dcf.sample_grid(train, dcf.models.LogisticRegression(C=1.0, max_iter=1),
                                      eval=_pool(12, seed=7, n_features=9), sampler=samplers.Permutations(2), rng=2)
        assert np.isfinite(sampled.values).all() and (sampled.values >= 0).all() and (sampled.values <= 1).all()


class TestSamplers:
    def test_uniform_rows_are_a_stream(self):
        """The first m rows of Uniform(n) are Uniform(m)'s rows under one seed."""
        train = _pool(30)
        big = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=samplers.Uniform(40), rng=9)
        small = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=samplers.Uniform(15), rng=9)
        np.testing.assert_array_equal(big.members[:15], small.members)

    def test_uniform_includes_each_point_half_the_time(self):
        """Membership frequencies of 4000 rows lie within 5 binomial standard errors of 1/2."""
        train = _pool(20)
        grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=samplers.Uniform(4000), rng=0)
        se = np.sqrt(0.25 / 4000)
        assert np.abs(grid.members.mean(axis=0) - 0.5).max() < 5 * se

    def test_sizes_draws_distinct_subsets_of_the_right_size(self):
        """per_size draws distinct subsets, both by enumeration and by rejection."""
        train = _pool(40)
        grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=samplers.Sizes([1, 3, 39], per_size=30), rng=0)
        sizes = grid.sizes
        assert (sizes == 1).sum() == 30 and (sizes == 3).sum() == 30 and (sizes == 39).sum() == 30
        assert len({row.tobytes() for row in grid.members}) == 90

    def test_sizes_samples_without_enumerating_a_huge_size(self):
        """per_size rows of a size with 1e13 subsets come from rejection sampling, not enumeration."""
        grid = dcf.sample_grid(_pool(100), dcf.models.KNN(k=1), sampler=samplers.Sizes([10], per_size=5), rng=0)
        assert (grid.sizes == 10).all() and len({row.tobytes() for row in grid.members}) == 5

    def test_sizes_refuses_too_many_to_enumerate(self):
        """All subsets of size 10 of 100 points would be 1.7e13 rows."""
        with pytest.raises(ValueError, match="more than 1,048,576 to enumerate; pass per_size"):
            dcf.sample_grid(_pool(100), dcf.models.KNN(k=1), sampler=samplers.Sizes([10]), rng=0)

    def test_sizes_refuses_a_size_beyond_the_pool(self):
        """A size larger than the pool is refused."""
        with pytest.raises(ValueError, match="size 9 is larger than the pool of 6 points"):
            dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Sizes([9]), rng=0)

    def test_explicit_refuses_an_index_beyond_the_pool(self):
        """An explicit subset may name only points of the pool."""
        with pytest.raises(ValueError, match="point index 6 is out of range for a pool of 6 points"):
            dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Explicit([[6]]), rng=0)

    def test_beta_sizes_follow_the_semivalue_size_distribution(self):
        """Size frequencies of BetaSizes(16, 1) rows lie within 5 standard errors of q."""
        n, count = 10, 5000
        grid = dcf.sample_grid(_pool(n), dcf.models.KNN(k=1), sampler=samplers.BetaSizes(count, 16, 1), rng=0)
        q = samplers.beta_size_distribution(n, 16.0, 1.0)
        freq = np.bincount(grid.sizes, minlength=n + 1) / count
        assert (np.abs(freq - q) <= 5 * np.sqrt(q * (1 - q) / count) + 1e-12).all()
        assert q.sum() == pytest.approx(1.0, abs=1e-12)

    def test_permutation_layout(self):
        """Rows are ∅, N, then each order's prefixes 1..n-1."""
        train = DATASETS["blobs6"]
        grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=samplers.Permutations(3), rng=0)
        assert grid.n_rows == 2 + 3 * 5 and grid.lengths.tolist() == [5, 5, 5]
        assert grid.sizes[:2].tolist() == [0, 6]
        np.testing.assert_array_equal(grid.members[2:7].sum(axis=1), [1, 2, 3, 4, 5])
        assert grid.members[2, grid.orders[0, 0]]

    def test_truncation_stops_where_the_utility_is_close_to_the_full_pool(self):
        """Each truncated permutation ends at its first prefix within the tolerance of U(N)."""
        train = _pool(30, seed=6)
        tol = 0.02
        full = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Permutations(6), rng=2)
        cut = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Permutations(6, truncation=tol), rng=2)
        np.testing.assert_array_equal(cut.orders, full.orders)
        u_full, u = full.utility()[1], full.utility()[2:].reshape(6, 29)
        for p in range(6):
            close = np.flatnonzero(np.abs(u_full - u[p]) < tol)
            assert cut.lengths[p] == (close[0] + 1 if close.size else 29)
        assert cut.n_rows < full.n_rows

    @pytest.mark.parametrize("sampler", [samplers.Sizes([1, 2], per_size=3), samplers.Uniform(5),
                                         samplers.Permutations(2, truncation=0.5), samplers.BetaSizes(4, 0.5, 2),
                                         samplers.Explicit([[0], [1, 2], []])], ids=repr)
    def test_sampler_json_round_trip(self, sampler):
        """to_dict and from_dict give back an equal sampler, through JSON text."""
        again = samplers.from_dict(json.loads(json.dumps(sampler.to_dict())))
        assert again == sampler and repr(again) == repr(sampler) and hash(again) == hash(sampler)

    @pytest.mark.parametrize("make,error,message", [
        (lambda: samplers.Uniform(0), ValueError, r"'n_samples' must be in \[1, 100,000,000\] \(got 0\)"),
        (lambda: samplers.Uniform(2.5), TypeError, "'n_samples' must be an integer"),
        (lambda: samplers.Permutations(3, truncation=-1), ValueError, "'truncation' must be finite and > 0"),
        (lambda: samplers.Permutations(3, truncation="x"), TypeError, "'truncation' must be a real number"),
        (lambda: samplers.BetaSizes(3, alpha=0), ValueError, "'alpha' must be finite and > 0"),
        (lambda: samplers.Sizes([]), ValueError, "'sizes' is empty"),
        (lambda: samplers.Sizes("12"), TypeError, "'sizes' must be an integer or a sequence"),
        (lambda: samplers.Sizes([1.5]), TypeError, "every size must be an integer"),
        (lambda: samplers.Sizes([-1]), ValueError, "every size must be in"),
        (lambda: samplers.Explicit([]), ValueError, "'subsets' is empty"),
        (lambda: samplers.Explicit(5), TypeError, "must be a sequence of subsets"),
        (lambda: samplers.Explicit(["ab"]), TypeError, r"subsets\[0\] must be a sequence of point indices"),
        (lambda: samplers.Explicit([[0, 0]]), ValueError, "names a point twice"),
        (lambda: samplers.Explicit([[-1]]), ValueError, "not a point index"),
        (lambda: samplers.Explicit(np.zeros(3, dtype=bool)), ValueError, "must be 2-D"),
        (lambda: samplers.from_dict({"kind": "Eval"}), ValueError, "'kind' one of"),
        (lambda: samplers.from_dict({"kind": "Uniform"}), ValueError, r"has the fields \['n_samples'\]"),
        (lambda: samplers.from_dict({"kind": "Uniform", "n_samples": -3}), ValueError, "Invalid sampler"),
    ])
    def test_invalid_samplers_are_refused(self, make, error, message):
        """Each bad argument is refused with a message naming the field and the value."""
        with pytest.raises(error, match=message):
            make()

    def test_explicit_refuses_more_than_the_row_limit(self, monkeypatch):
        """An explicit list longer than MAX_SAMPLES is refused (shown with a limit of 2)."""
        monkeypatch.setattr(samplers, "MAX_SAMPLES", 2)
        with pytest.raises(ValueError, match="Explicit: more than 2 subsets"):
            samplers.Explicit([[0], [1], [2]])

    def test_samplers_are_immutable(self):
        """A sampler's fields cannot be changed after construction."""
        with pytest.raises(AttributeError, match="Uniform is immutable"):
            samplers.Uniform(3).n_samples = 4

    def test_explicit_repr_is_short_for_long_lists(self):
        """A long explicit list is shown with an ellipsis."""
        assert repr(samplers.Explicit([[i] for i in range(20)])).endswith("(7,), ...))")


class TestSampleGrid:
    def test_refuses_a_sampler_that_is_not_one(self):
        """sampler must come from datacf.samplers."""
        with pytest.raises(TypeError, match="sampler must be one of datacf.samplers"):
            dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=[[0, 1]])

    @pytest.mark.parametrize("rng,error,message", [
        ("0", TypeError, "rng must be None, an integer seed or a numpy Generator"),
        (-1, ValueError, r"rng=-1 is not a seed"),
    ])
    def test_refuses_a_bad_rng(self, rng, error, message):
        """Seeds are non-negative integers, Generators or None."""
        with pytest.raises(error, match=message):
            dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(2), rng=rng)

    def test_a_generator_gives_a_recorded_seed(self):
        """With a Generator the drawn seed is recorded, and recomputing reproduces the grid."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(5),
                               rng=np.random.default_rng(0))
        assert isinstance(grid.seed, int) and dcf.recompute_sampled_grid(grid) == grid

    def test_no_rng_still_records_a_seed(self):
        """Without rng a fresh seed is drawn and recorded."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(5))
        assert isinstance(grid.seed, int) and dcf.recompute_sampled_grid(grid) == grid

    def test_no_sixteen_point_limit(self):
        """A 300-point pool samples fine."""
        grid = dcf.sample_grid(_pool(300), dcf.models.NearestCentroid(), sampler=samplers.Uniform(20), rng=0)
        assert grid.members.shape == (20, 300) and grid.values.shape == (20, 300)

    def test_memory_limit(self):
        """A grid larger than max_memory is refused before anything is computed."""
        with pytest.raises(ValueError, match="this sampled grid would need about .* the limit is 1 MiB"):
            dcf.sample_grid(_pool(100), dcf.models.KNN(k=1), sampler=samplers.Uniform(10**6), rng=0,
                            max_memory="1MiB")

    def test_n_jobs_with_a_fast_learner_gives_the_serial_result(self):
        """Chunks of rows dispatched through joblib give exactly the serial values."""
        from datacf import _sampled_grid

        train = _pool(50)
        serial = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Uniform(30), rng=4)
        chunk_bytes = _sampled_grid.CHUNK_BYTES
        try:
            _sampled_grid.CHUNK_BYTES = 8 * 50 * 4 * 5   # five rows per chunk
            parallel = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=samplers.Uniform(30), rng=4, n_jobs=2)
        finally:
            _sampled_grid.CHUNK_BYTES = chunk_bytes
        np.testing.assert_array_equal(parallel.values, serial.values)

    def test_a_failing_scikit_learn_fit_names_the_row(self):
        """Under "fallback", a refused fit names the row and its members."""
        train = _pool(12)
        with pytest.raises(ValueError, match=r"KNeighborsClassifier failed on the subset 'row 1: \{A,B\}'"):
            dcf.sample_grid(train, KNeighborsClassifier(n_neighbors=5), metric="accuracy",
                            sampler=samplers.Explicit([[0, 1, 2, 3, 4, 5], [0, 1]]), rng=0)

    def test_the_zero_convention_scores_refused_rows_zero(self):
        """Rows scikit-learn refuses score 0 under "zero"."""
        train = _pool(20)
        grid = dcf.sample_grid(train, dcf.models.KNN(k=3), metric="accuracy", convention="zero",
                               sampler=samplers.Explicit([[0, 1], [0, 1, 2, 3]]), rng=0)
        assert (grid.values[0] == 0).all() and grid.values[1].any()

    def test_refuses_what_compute_grid_refuses(self):
        """The same input checks as compute_grid apply."""
        with pytest.raises(ValueError, match="metric='nope' is not supported"):
            dcf.sample_grid(_pool(20), dcf.models.KNN(k=1), metric="nope", sampler=samplers.Uniform(2))


class TestSampledGridObject:
    def test_keeps_the_evaluation_names(self):
        """A sampled grid names its columns after the evaluation set's points."""
        train = DATASETS["blobs6"]
        eval_set = dcf.Dataset(train.X[:2], train.y[:2], names=["e1", "e2"])
        grid = dcf.sample_grid(train, dcf.models.KNN(k=1), eval=eval_set, sampler=samplers.Uniform(4), rng=1)
        assert grid.eval_names == ("e1", "e2")

    def test_the_largest_seed_is_a_seed(self):
        """MAX_SEED itself (2**63 - 1) is a valid recorded seed."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(4), rng=1)
        assert dcf.SampledGrid(grid.members, grid.values, seed=2**63 - 1).seed == 2**63 - 1

    def test_sampler_dicts_hold_lists(self):
        """A sampler's tuple fields are written as JSON lists in to_dict."""
        assert samplers.Sizes((2, 3), per_size=2).to_dict() == {"kind": "Sizes", "sizes": [2, 3], "per_size": 2}
        assert type(samplers.Sizes((2, 3), per_size=2).to_dict()["sizes"]) is list

    def test_permutations_need_a_positive_truncation(self):
        """Permutations(truncation=0) is refused with the whole message."""
        with pytest.raises(ValueError, match=exact(
                "Permutations: 'truncation' must be finite and > 0 (got 0.0).")):
            samplers.Permutations(3, truncation=0)

    def test_repr(self):
        """The repr gives the shape, sampler and seed."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(4), rng=1)
        assert repr(grid) == "SampledGrid(n_rows=4, n_points=6, n_eval=6, sampler=Uniform(n_samples=4), seed=1)"

    def test_utility_with_focus(self):
        """utility(focus) averages the chosen columns, by name or index."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(4), rng=1)
        np.testing.assert_array_equal(grid.utility(focus=["A", 2]), grid.values[:, [0, 2]].mean(axis=1))
        with pytest.raises(ValueError, match="focus='Z' is not an evaluation column"):
            grid.utility(focus="Z")
        with pytest.raises(ValueError, match="focus is empty"):
            grid.utility(focus=[])

    def test_members_and_values_are_read_only(self):
        """The arrays cannot be changed in place."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(4), rng=1)
        with pytest.raises(ValueError, match="read-only"):
            grid.values[0, 0] = 1.0

    @pytest.mark.parametrize("kwargs,message", [
        ({"members": [[1, 0]], "values": [[0.5]]}, "members must be a 2-D boolean matrix"),
        ({"members": [[True]], "values": [[0.5], [0.2]]}, "values must be 2-D with one row per membership row"),
        ({"members": np.zeros((1, 0), bool), "values": [[0.5]]}, "needs at least one point"),
        ({"members": [[True]], "values": [[np.nan]]}, "values must be finite"),
        ({"members": [[True]], "values": [["x"]]}, "values must be numbers"),
        ({"members": [[True]], "values": [[0.5]], "seed": -2}, "seed must be None or an integer"),
        ({"members": [[True]], "values": [[0.5]], "inputs": {"x": 1}}, "'inputs' must be null or an object"),
        ({"members": [[True]], "values": [[0.5]], "orders": [[0]]}, "orders and lengths go together"),
        ({"members": [[False], [True]], "values": [[0.5], [1]], "sampler": samplers.Permutations(1)},
         "needs its orders and lengths"),
        ({"members": [[False, False], [True, True]], "values": [[0.5], [1]], "orders": [[0, 0]], "lengths": [0]},
         "must be a permutation"),
        ({"members": [[False, False], [True, True]], "values": [[0.5], [1]], "orders": [[0, 1]], "lengths": [3]},
         "lengths must lie in 0..1"),
        ({"members": [[False, False], [True, True]], "values": [[0.5], [1]], "orders": [[0, 1]], "lengths": [1]},
         "members do not match the permutation layout"),
        ({"members": [[False, False]], "values": [[0.5]], "orders": [0, 1], "lengths": [1]},
         "orders must be integers of shape"),
        ({"members": [[False, False], [True, True]], "values": [[0.5], [1]], "orders": [[0, 1]], "lengths": [[0]]},
         "lengths must be 1 integers"),
    ])
    def test_constructor_refuses_bad_tables(self, kwargs, message):
        """The constructor validates shapes, values and the permutation layout."""
        with pytest.raises(ValueError, match=message):
            dcf.SampledGrid(**kwargs)

    def test_constructor_refuses_a_foreign_sampler(self):
        """sampler must come from datacf.samplers."""
        with pytest.raises(TypeError, match="sampler must come from datacf.samplers"):
            dcf.SampledGrid([[True]], [[0.5]], sampler="Uniform")


class TestJson:
    @pytest.mark.parametrize("change, message", [
        (lambda d: d.update(permutations={"orders": []}),
         'The sampled-grid JSON field \'permutations\' must be null or {"orders", "lengths"}.'),
        (lambda d: d["permutations"].update(lengths=["a"] * len(d["permutations"]["lengths"])),
         "permutations['lengths'] must hold integers only."),
    ], ids=["keys", "lengths"])
    def test_malformed_permutations_are_refused_whole(self, change, message):
        """A permutation record with the wrong keys or non-integer lengths gets its whole message."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Permutations(2), rng=1)
        document = json.loads(grid.to_json())
        change(document)
        with pytest.raises(ValueError, match=exact(message)):
            dcf.SampledGrid.from_json(json.dumps(document))

    @pytest.mark.parametrize("sampler", [samplers.Uniform(6), samplers.Permutations(2, truncation=0.1),
                                         samplers.Sizes([0, 7]), samplers.BetaSizes(5)], ids=repr)
    def test_round_trip_and_recompute(self, sampler):
        """to_json / from_json is lossless, and the recorded inputs recompute the same grid."""
        grid = dcf.sample_grid(DATASETS["three_class7"], dcf.models.LogisticRegression(), sampler=sampler, rng=5)
        again = dcf.SampledGrid.from_json(grid.to_json())
        assert again == grid
        assert dcf.recompute_sampled_grid(again) == grid

    def test_wide_pool_membership_round_trips(self):
        """Hex membership of a 77-point pool (not a multiple of 8) comes back exactly."""
        grid = dcf.sample_grid(_pool(77), dcf.models.KNN(k=1), sampler=samplers.Uniform(9), rng=0)
        assert dcf.SampledGrid.from_json(grid.to_json(indent=1)) == grid

    def test_recompute_refuses_a_bare_grid(self):
        """A grid without inputs, sampler and seed cannot be recomputed."""
        with pytest.raises(ValueError, match="does not record its inputs, sampler and seed"):
            dcf.recompute_sampled_grid(dcf.SampledGrid([[True]], [[0.5]]))

    def test_recompute_refuses_unknown_overrides_and_non_grids(self):
        """Overrides are sample_grid's parameters; the argument is a SampledGrid."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Uniform(2), rng=0)
        with pytest.raises(TypeError, match=r"unknown override\(s\) \['colour'\]"):
            dcf.recompute_sampled_grid(grid, colour=1)
        with pytest.raises(TypeError, match="needs a datacf.SampledGrid; got Grid"):
            dcf.recompute_sampled_grid(dcf.Grid([[0.0], [1.0]]))

    def _document(self):
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), sampler=samplers.Permutations(1), rng=0)
        return json.loads(grid.to_json())

    @pytest.mark.parametrize("edit,message", [
        (lambda d: d.update(schema="datacf.grid"), "not a datacf sampled grid"),
        (lambda d: d.update(version=2), "schema version 2, newer"),
        (lambda d: d.update(version=True), "invalid schema version"),
        (lambda d: d.pop("seed"), r"missing the field\(s\) \['seed'\]"),
        (lambda d: d.update(extra=1), r"unknown ones \['extra'\]"),
        (lambda d: d.update(n_points=0), "n_points must be an integer in"),
        (lambda d: d.update(members="ff"), "'members' must be a list of hex strings"),
        (lambda d: d["members"].__setitem__(0, "0x1"), "is not a lowercase hex string"),
        (lambda d: d["members"].__setitem__(0, "fff"), "is not a lowercase hex string of at most 2"),
        (lambda d: d["members"].__setitem__(0, "40"), "names a point beyond the pool of 6 points"),
        (lambda d: d.update(values=[]), "must be 7 rows"),
        (lambda d: d["values"][0].append(0.5), r"values\[1\] has 6 numbers but values\[0\] has 7"),
        (lambda d: d["values"][1].__setitem__(0, "x"), r"values\[1\]\[0\] = 'x' is not a number"),
        (lambda d: d["values"][1].__setitem__(0, 3.0), "outside what the metric 'prob_correct' can give"),
        (lambda d: d.update(point_names="ABCDEF"), "'point_names' must be a list"),
        (lambda d: d.update(inputs=[]), "'inputs' must be null or an object"),
        (lambda d: d["inputs"].update(train={"X": 1}), "invalid dataset"),
        (lambda d: d["inputs"].update(metric="f1"), "is not a metric"),
        (lambda d: d["inputs"].update(convention="max"), "is not one of"),
        (lambda d: d["inputs"].update(model={"library": "os", "class": "system", "params": {}}), "must be one of"),
        (lambda d: d.update(sampler={"kind": "Uniform", "n_samples": 0}), "Invalid sampler"),
        (lambda d: d.update(seed="1"), "'seed' must be an integer or null"),
        (lambda d: d.update(seed=-1), "seed must be None or an integer"),
        (lambda d: d.update(permutations=[1]), "'permutations' must be null or"),
        (lambda d: d["permutations"].update(orders=[[0, 1]]), "must be rows of 6 point indices"),
        (lambda d: d["permutations"].update(orders=[[0, 1, 2, 3, 4, 2**70]]), "must hold integers only|rows of 6"),
        (lambda d: d["permutations"].update(orders=[["a"] * 6]), "must hold integers only"),
        (lambda d: d["permutations"].update(lengths=[9]), "lengths must lie in"),
        (lambda d: d.update(permutations=None), "needs its orders and lengths"),
        (lambda d: d.update(provenance=[]), "'provenance' must be an object"),
        (lambda d: d["inputs"].update(eval={"X": [[0.0]], "y": [0]}), "does not match the grid's columns"),
        (lambda d: d["inputs"]["train"].update(X=d["inputs"]["train"]["X"][:5], y=d["inputs"]["train"]["y"][:5],
                                               names=d["inputs"]["train"]["names"][:5]), "has 5 points but"),
    ])
    def test_hostile_documents_are_refused(self, edit, message):
        """Each malformed field is a ValueError naming it."""
        document = self._document()
        edit(document)
        with pytest.raises(ValueError, match=message):
            dcf.SampledGrid.from_json(json.dumps(document))

    @pytest.mark.parametrize("text,error,message", [
        (5, TypeError, "needs JSON text; got int"),
        ("{", ValueError, "not valid sampled-grid JSON"),
        ("[" * 100000, ValueError, "not valid sampled-grid JSON"),
        ('{"a": NaN}', ValueError, "JSON has no NaN"),
        ('{"a": 1, "a": 2}', ValueError, "appears twice"),
    ])
    def test_bad_text_is_refused(self, text, error, message):
        """Non-text, broken JSON, NaN and repeated keys are refused."""
        with pytest.raises(error, match=message):
            dcf.SampledGrid.from_json(text)

    def test_length_limit(self):
        """Text beyond max_chars is refused before parsing."""
        with pytest.raises(ValueError, match="more than the limit of 10"):
            dcf.SampledGrid.from_json("x" * 11, max_chars=10)


_BOOL_TABLES = st.integers(1, 20).flatmap(
    lambda n: st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=1, max_size=8))


@settings(max_examples=60, deadline=None)
@given(members=_BOOL_TABLES, data=st.data())
def test_round_trip_property(members, data):
    """Any membership table with any finite values survives the JSON round trip exactly."""
    values = data.draw(st.lists(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64),
                                         min_size=2, max_size=2), min_size=len(members), max_size=len(members)))
    grid = dcf.SampledGrid(np.array(members, dtype=bool), values, seed=data.draw(st.integers(0, 2**63 - 1)))
    assert dcf.SampledGrid.from_json(grid.to_json()) == grid


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(["n_points", "members", "values", "inputs", "sampler", "seed", "permutations",
                              "point_names", "eval_names", "provenance", "version"]), value=_JSON)
def test_hostile_json_raises_only_value_errors(field, value):
    """Replacing any field with any JSON value gives a valid grid or a ValueError, nothing else."""
    document = json.loads(dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=1),
                                          sampler=samplers.Permutations(1), rng=0).to_json())
    document[field] = value
    try:
        dcf.SampledGrid.from_json(json.dumps(document))
    except ValueError:
        pass


def test_sampled_grid_refuses_malformed_provenance():
    """A NaN version is refused when the sampled grid is built, as for exact grids."""
    with pytest.raises(ValueError, match="provenance must map library names to version strings"):
        dcf.SampledGrid([[True, False], [False, True]], [[0.5], [0.5]], provenance={"numpy": float("nan")})
