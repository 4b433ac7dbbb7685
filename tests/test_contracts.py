"""The contracts of DESIGN.md §3 checked against values worked out by hand or by scikit-learn.

``Grid.utility`` feeds every reading, so it is checked on a table whose means are written out;
constants are pinned to their numbers, not imported; label invariance is a property of the
definition (relabelling classes in order changes nothing), independent of the implementation.
"""

import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neighbors import NearestCentroid as SkNearestCentroid

import datacf as dcf
from datacf._semivalues import banzhaf_weights, beta_weights, loo_weights, shapley_weights
from oracles import sklearn_predict_grid, sklearn_proba_grid

# Rows {}, {A}, {B}, {A, B}; columns p, q, r. Every row and column differs, so a mean over the
# wrong axis or the wrong columns shows.
TABLE = [[0.0, 1.0, 5.0],
         [2.0, 2.0, 8.0],
         [4.0, 0.0, 2.0],
         [1.0, 3.0, 2.0]]


def _table_grid():
    return dcf.Grid(TABLE, eval_names=["p", "q", "r"])


class TestUtility:
    def test_default_is_the_mean_over_all_columns(self):
        """With no focus each row's utility is the mean of its three scores."""
        assert _table_grid().utility().tolist() == [2.0, 4.0, 2.0, 2.0]

    def test_focus_by_index(self):
        """focus=1 is column q alone."""
        assert _table_grid().utility(focus=1).tolist() == [1.0, 2.0, 0.0, 3.0]

    def test_focus_by_numpy_integer(self):
        """A numpy integer selects a column like a Python int."""
        assert _table_grid().utility(focus=np.int64(2)).tolist() == [5.0, 8.0, 2.0, 2.0]

    def test_focus_by_name(self):
        """focus="r" is column r alone."""
        assert _table_grid().utility(focus="r").tolist() == [5.0, 8.0, 2.0, 2.0]

    def test_focus_list_of_names_is_their_mean(self):
        """focus=["p", "r"] averages columns p and r only."""
        assert _table_grid().utility(focus=["p", "r"]).tolist() == [2.5, 5.0, 3.0, 1.5]

    def test_focus_list_mixes_indices_and_names(self):
        """focus=[0, "q"] averages columns p and q."""
        assert _table_grid().utility(focus=[0, "q"]).tolist() == [0.5, 2.0, 2.0, 2.0]

    def test_focus_tuple_and_array_work_like_a_list(self):
        """Any sequence of columns is accepted."""
        grid = _table_grid()
        assert grid.utility(focus=(1, 2)).tolist() == grid.utility(focus=np.array([1, 2])).tolist() == [3.0, 5.0, 1.0, 2.5]

    def test_readings_use_the_focused_utility(self):
        """LOO over column r: U(AB) - U(B) = 2 - 2 for A, U(AB) - U(A) = 2 - 8 for B."""
        assert _table_grid().loo(focus="r").tolist() == [0.0, -6.0]

    def test_shapley_by_hand(self):
        """Two points: phi_A = (U(A) - U(∅) + U(AB) - U(B)) / 2 = (2 + 0) / 2 with the mean utility."""
        assert _table_grid().shapley().tolist() == [1.0, -1.0]


    def test_scaling_reads_the_focused_utility(self):
        """Column p: sizes 0, 1, 2 average to 0, (2 + 4) / 2 and 1."""
        assert _table_grid().scaling(focus="p").tolist() == [0.0, 3.0, 1.0]

    def test_interaction_reads_the_focused_utility(self):
        """Column p, two points: U(AB) - U(A) - U(B) + U(∅) = 1 - 2 - 4 + 0."""
        assert _table_grid().interaction("A", "B", focus="p") == -5.0

    def test_interaction_of_a_unanimity_game_is_one(self):
        """U(S) = 1 iff A and B are in S (n = 4): their interaction is 1, C and D's is 0."""
        grid = dcf.Grid([[float(r & 3 == 3)] for r in range(16)])
        assert grid.interaction("A", "B") == pytest.approx(1.0, abs=1e-12)
        assert grid.interaction("C", "D") == pytest.approx(0.0, abs=1e-12)


class TestSemivalueWeights:
    def test_shapley_weights(self):
        """n = 3: w[k] = 1 / (3 C(2, k)) = 1/3, 1/6, 1/3."""
        np.testing.assert_allclose(shapley_weights(3), [1 / 3, 1 / 6, 1 / 3], rtol=1e-15)

    def test_banzhaf_weights(self):
        """n = 3: every coalition counts 1 / 2**2."""
        assert banzhaf_weights(3).tolist() == [0.25, 0.25, 0.25]

    def test_beta_16_1_weights(self):
        """n = 3: B(k+1, 18-k) / B(16, 1) = 16/18, 16/306, 32/4896 (worked out with factorials)."""
        np.testing.assert_allclose(beta_weights(3, 16, 1), [16 / 18, 16 / 306, 32 / 4896], rtol=1e-12)

    def test_beta_1_1_is_shapley(self):
        """Beta(1, 1) weights equal Shapley's: 1/4, 1/12, 1/12, 1/4 for n = 4."""
        np.testing.assert_allclose(beta_weights(4, 1, 1), [1 / 4, 1 / 12, 1 / 12, 1 / 4], rtol=1e-12)

    def test_beta_4_1_favours_small_coalitions_and_1_4_large_ones(self):
        """Beta(a, b) for n = 2: w = [a, b] / (a + b), so (4, 1) gives 0.8, 0.2 and (1, 4) 0.2, 0.8."""
        np.testing.assert_allclose(beta_weights(2, 4, 1), [0.8, 0.2], rtol=1e-12)
        np.testing.assert_allclose(beta_weights(2, 1, 4), [0.2, 0.8], rtol=1e-12)

    @pytest.mark.parametrize("alpha, beta", [(1e-3, 1e-3), (0.5, 2.0), (16.0, 1.0), (1.0, 1e3), (1e16, 1e16)])
    def test_beta_weights_are_a_semivalue_for_every_grid_size(self, alpha, beta):
        """sum_k C(n-1, k) w[k] = 1 for n = 1..16 (the exact grid sizes), to 1e-12, even for extreme parameters."""
        for n in range(1, 17):
            weights = beta_weights(n, alpha, beta)
            total = math.fsum(math.comb(n - 1, k) * w for k, w in enumerate(weights))
            assert abs(total - 1.0) <= 1e-12

    def test_loo_weights(self):
        """All weight on the coalition of the n - 1 others."""
        assert loo_weights(3).tolist() == [0.0, 0.0, 1.0]

    def test_semivalue_uses_the_weight_of_each_coalition_size(self):
        """weights [1, 0]: only the gain over the empty set counts, U({i}) - U(∅) = 2 and 4 (column p)."""
        assert _table_grid().semivalue([1.0, 0.0], focus="p").tolist() == [2.0, 4.0]

    def test_semivalue_with_weight_on_the_larger_coalition(self):
        """weights [0, 1]: only the gain over the other point counts: U(AB) - U(B), U(AB) - U(A) (column p)."""
        assert _table_grid().semivalue([0.0, 1.0], focus="p").tolist() == [-3.0, -1.0]


    def test_unsigned_integer_weights_are_numbers(self):
        """An array of unsigned integers is a valid list of weights."""
        assert _table_grid().semivalue(np.array([1, 0], dtype=np.uint8), focus="p").tolist() == [2.0, 4.0]


class TestExactSizeLimit:
    def test_grid_of_16_points_is_allowed(self):
        """2**16 rows is the largest exact grid: 16 points."""
        assert dcf.Grid(np.zeros((2**16, 1))).n_points == 16

    def test_grid_of_17_points_is_refused_naming_sampling(self):
        """2**17 rows is refused, and the message points to sampling."""
        with pytest.raises(ValueError, match=r"n <= 16.*sampling"):
            dcf.Grid(np.zeros((2**17, 1)))

    def test_compute_grid_on_16_points_works(self):
        """16 training points give a grid of 2**16 rows."""
        train = dcf.Dataset(np.arange(16.0)[:, None], np.arange(16) % 2)
        grid = dcf.compute_grid(train, dcf.models.KNN(k=1), eval=dcf.Dataset([[0.0]], [0]), metric="accuracy")
        assert grid.values.shape == (65536, 1)
        assert grid.values[-1, 0] == 1.0   # the full set's nearest neighbour of 0.0 is point 0, label 0

    def test_compute_grid_on_17_points_is_refused_naming_sampling(self):
        """17 points are refused before any work, with the sampling alternative named."""
        train = dcf.Dataset(np.arange(17.0)[:, None], np.arange(17) % 2)
        with pytest.raises(ValueError, match=r"17 points needs 2\*\*17 = 131,072 rows.*n <= 16.*sampling"):
            dcf.compute_grid(train, dcf.models.KNN(k=1))

    def test_public_limit_is_16(self):
        """The published constant is 16."""
        assert dcf.MAX_EXACT_POINTS == 16


class TestLabels:
    """Classes relabelled in order (3, 7 -> 0, 1; 0, 5, 9 -> 0, 1, 2) give the same grid."""

    LEARNERS = {
        "knn1": lambda: dcf.models.KNN(k=1),
        "knn3": lambda: dcf.models.KNN(k=3),
        "logistic": dcf.models.LogisticRegression,
        "centroid": dcf.models.NearestCentroid,
    }

    @staticmethod
    def _data(labels):
        rng = np.random.default_rng(12)
        codes = np.arange(7) % len(labels)
        X = rng.normal(size=(7, 2)) + 2.0 * codes[:, None]
        return dcf.Dataset(X, np.array(labels)[codes]), dcf.Dataset(X, codes)

    @pytest.mark.parametrize("labels", [(3, 7), (0, 5, 9), (-4, 2)], ids=["3-7", "0-5-9", "negative"])
    @pytest.mark.parametrize("metric", ["prob_correct", "accuracy", "log_loss"])
    @pytest.mark.parametrize("learner", list(LEARNERS))
    def test_grid_does_not_depend_on_label_values(self, learner, metric, labels):
        """Only the order of the labels matters: the grid equals the one for codes 0..k-1."""
        named, coded = self._data(labels)
        a = dcf.compute_grid(named, self.LEARNERS[learner](), metric=metric).values
        b = dcf.compute_grid(coded, self.LEARNERS[learner](), metric=metric).values
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)

    @pytest.mark.parametrize("k", [1, 2])
    def test_knn_with_sparse_labels_matches_sklearn(self, k):
        """KNN on labels 0, 5, 9 has scikit-learn's probabilities on every subset."""
        named, _ = self._data((0, 5, 9))
        proba = sklearn_proba_grid(named, named, lambda size: KNeighborsClassifier(n_neighbors=min(k, size)))
        target = np.searchsorted([0, 5, 9], named.y)
        expected = proba[:, np.arange(named.n_points), target]
        np.testing.assert_allclose(dcf.compute_grid(named, dcf.models.KNN(k=k)).values, expected, atol=1e-12)

    def test_logistic_with_sparse_labels_matches_sklearn(self):
        """Logistic regression on labels 0, 5, 9 has scikit-learn's probabilities within 1e-6."""
        named, _ = self._data((0, 5, 9))
        make = lambda size: SkLogisticRegression(C=1.0, tol=1e-10, max_iter=10_000)
        proba = sklearn_proba_grid(named, named, make)
        expected = proba[:, np.arange(named.n_points), np.searchsorted([0, 5, 9], named.y)]
        np.testing.assert_allclose(dcf.compute_grid(named, dcf.models.LogisticRegression()).values, expected, atol=1e-6)

    @pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
    def test_centroid_with_sparse_labels_predicts_like_sklearn(self):
        """Nearest centroid on labels 3, 7 predicts scikit-learn's label on every subset."""
        named, _ = self._data((3, 7))
        hard = sklearn_predict_grid(named, named, lambda size: SkNearestCentroid())
        grid = dcf.compute_grid(named, dcf.models.NearestCentroid(), metric="accuracy")
        np.testing.assert_array_equal(grid.values, (hard == named.y).astype(float))

    def test_empty_set_predicts_the_smallest_label(self):
        """With labels 3 and 7, the empty set's hard label is 3, not class index 0 of another set."""
        named, _ = self._data((3, 7))
        grid = dcf.compute_grid(named, dcf.models.KNN(k=1), metric="accuracy")
        np.testing.assert_array_equal(grid.row("∅"), (named.y == 3).astype(float))


class TestRecompute:
    TRAIN = dcf.Dataset([[0.0, 0.0], [1.0, 0.5], [3.0, 2.0], [2.5, 3.0]], [0, 0, 1, 1])

    def test_without_overrides_gives_the_same_grid(self):
        """A grid recomputed from its recorded inputs has the same values."""
        grid = dcf.compute_grid(self.TRAIN, dcf.models.LogisticRegression(C=2.0), metric="log_loss")
        np.testing.assert_array_equal(dcf.recompute_grid(grid).values, grid.values)

    @pytest.mark.parametrize("metric", ["accuracy", "log_loss"])
    def test_metric_override(self, metric):
        """metric= replaces the recorded metric: the values are those of compute_grid with it."""
        grid = dcf.compute_grid(self.TRAIN, dcf.models.KNN(k=2))
        again = dcf.recompute_grid(grid, metric=metric)
        np.testing.assert_array_equal(again.values, dcf.compute_grid(self.TRAIN, dcf.models.KNN(k=2), metric=metric).values)
        assert again.inputs["metric"] == metric

    def test_convention_override(self):
        """convention="zero" zeroes the rows KNN(k=2) refuses (fewer than 2 points)."""
        grid = dcf.compute_grid(self.TRAIN, dcf.models.KNN(k=2))
        again = dcf.recompute_grid(grid, convention="zero")
        sizes = np.array([bin(r).count("1") for r in range(16)])
        assert (again.values[sizes < 2] == 0).all()
        np.testing.assert_array_equal(again.values[sizes >= 2], grid.values[sizes >= 2])

    def test_model_override(self):
        """model= replaces the recorded model and is recorded in the new grid."""
        grid = dcf.compute_grid(self.TRAIN, dcf.models.KNN(k=1))
        again = dcf.recompute_grid(grid, model=dcf.models.NearestCentroid())
        np.testing.assert_array_equal(again.values, dcf.compute_grid(self.TRAIN, dcf.models.NearestCentroid()).values)
        assert again.inputs["model"]["class"] == "NearestCentroid"

    def test_eval_override(self):
        """eval= evaluates on other points: one column per new point."""
        grid = dcf.compute_grid(self.TRAIN, dcf.models.KNN(k=1))
        probe = dcf.Dataset([[0.1, 0.1]], [0], names=["probe"])
        again = dcf.recompute_grid(grid, eval=probe)
        assert again.eval_names == ("probe",)
        assert again.row("A").tolist() == [1.0] and again.row("C").tolist() == [0.0]

    def test_recorded_eval_is_used(self):
        """A grid with its own evaluation set is recomputed on that set."""
        probe = dcf.Dataset([[2.9, 2.1], [0.2, 0.0]], [1, 0], names=["u", "v"])
        grid = dcf.compute_grid(self.TRAIN, dcf.models.KNN(k=1), eval=probe)
        again = dcf.recompute_grid(grid)
        assert again.eval_names == ("u", "v")
        np.testing.assert_array_equal(again.values, grid.values)


class TestImmutability:
    def test_grid_values_are_read_only(self):
        """Writing into grid.values raises instead of silently changing every reading."""
        grid = _table_grid()
        with pytest.raises(ValueError, match="read-only"):
            grid.values[0, 0] = 9.0

    def test_grid_copies_its_input(self):
        """Changing the array a grid was built from leaves the grid alone."""
        table = np.array(TABLE)
        grid = dcf.Grid(table)
        table[:] = 0.0
        assert grid.values.tolist() == TABLE

    def test_computed_grid_values_are_read_only(self):
        """compute_grid's values are read-only too."""
        grid = dcf.compute_grid(TestRecompute.TRAIN, dcf.models.KNN(k=1))
        with pytest.raises(ValueError, match="read-only"):
            grid.values[-1] = 0.0

    def test_dataset_arrays_are_read_only(self):
        """A dataset's X and y cannot be written into."""
        data = dcf.Dataset([[0.0], [1.0]], [0, 1])
        with pytest.raises(ValueError, match="read-only"):
            data.X[0, 0] = 5.0
        with pytest.raises(ValueError, match="read-only"):
            data.y[0] = 1

    def test_dataset_attributes_cannot_be_replaced(self):
        """Dataset refuses new attribute values."""
        data = dcf.Dataset([[0.0], [1.0]], [0, 1])
        with pytest.raises(AttributeError, match="Dataset is immutable"):
            data._y = np.array([1, 0])

    @pytest.mark.parametrize("kind", ["exact", "sampled"])
    def test_recorded_inputs_and_provenance_cannot_be_changed_from_outside(self, kind):
        """Editing what grid.inputs/provenance return, or the dicts a grid was built from, leaves the grid alone."""
        train = TestRecompute.TRAIN
        if kind == "exact":
            grid = dcf.compute_grid(train, dcf.models.KNN(k=1))
            rebuilt = dcf.Grid(grid.values, inputs=grid.inputs, provenance=grid.provenance)
        else:
            grid = dcf.sample_grid(train, dcf.models.KNN(k=1), sampler=dcf.samplers.Uniform(4), rng=0)
            rebuilt = dcf.SampledGrid(grid.members, grid.values, inputs=grid.inputs, provenance=grid.provenance)
        text = grid.to_json()
        grid.inputs["model"]["params"]["k"] = float("nan")
        grid.provenance["numpy"] = "tampered"
        assert grid.to_json() == text
        given_inputs, given_provenance = rebuilt.inputs, rebuilt.provenance
        rebuilt = type(rebuilt)(*([rebuilt.members] if kind == "sampled" else []), rebuilt.values,
                                inputs=given_inputs, provenance=given_provenance)
        given_inputs["metric"], given_provenance["numpy"] = "accuracy", "tampered"
        assert rebuilt.inputs == grid.inputs and rebuilt.provenance == grid.provenance

    def test_readings_do_not_change_the_grid(self):
        """Every reading leaves the values as they were."""
        grid = _table_grid()
        grid.shapley(), grid.banzhaf(), grid.loo(), grid.scaling(), grid.beta_shapley(4, 1), grid.interaction(0, 1)
        assert grid.values.tolist() == TABLE


class TestRows:
    def test_empty_name_and_symbol_are_row_zero(self):
        """"" and "∅" both name the empty set, row 0."""
        grid = _table_grid()
        assert grid.row_index("") == 0 and grid.row_index("∅") == 0

    def test_group_loo_reads_the_focused_utility(self):
        """Column r: removing A and B gives U(AB) - U(∅) = 2 - 5; column q, removing A: 3 - 0."""
        grid = _table_grid()
        assert grid.group_loo("AB", focus="r") == -3.0
        assert grid.group_loo(["A"], focus="q") == 3.0


class TestReprAndEquality:
    def test_dataset_repr(self):
        """A dataset shows its size, classes and names."""
        data = dcf.Dataset([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [1, 0, 1])
        assert repr(data) == "Dataset(n_points=3, n_features=2, classes=[0, 1], names=['A', 'B', 'C'])"

    def test_grid_repr(self):
        """A grid shows its points and number of columns."""
        assert repr(_table_grid()) == "Grid(n_points=2, n_eval=3, points=['A', 'B'])"

    def test_learner_repr_lists_every_parameter(self):
        """Learners show their parameters like scikit-learn estimators do."""
        assert repr(dcf.models.LogisticRegression(C=0.5)) == "LogisticRegression(C=0.5, max_iter=100)"
        assert repr(dcf.models.KNN(k=2)) == "KNN(k=2)" and repr(dcf.models.NearestCentroid()) == "NearestCentroid()"

    def test_knn_default_is_three_neighbours(self):
        """KNN() uses k=3, as documented."""
        assert repr(dcf.models.KNN()) == "KNN(k=3)"

    def test_learners_are_equal_when_class_and_parameters_are(self):
        """KNN(k=2) equals KNN(k=2), not KNN(k=3) nor another learner."""
        assert dcf.models.KNN(k=2) == dcf.models.KNN(k=2)
        assert dcf.models.KNN(k=2) != dcf.models.KNN(k=3)
        assert dcf.models.NearestCentroid() != dcf.models.KNN(k=2)

    @pytest.mark.parametrize("other", [
        dcf.Dataset([[0.0], [2.0]], [0, 1]),                 # other features
        dcf.Dataset([[0.0], [1.0]], [1, 0]),                 # other labels
        dcf.Dataset([[0.0], [1.0]], [0, 1], names=["A", "Z"]),
    ], ids=["X", "y", "names"])
    def test_datasets_differ_if_any_part_does(self, other):
        """Two datasets are equal only if features, labels and names all are."""
        data = dcf.Dataset([[0.0], [1.0]], [0, 1])
        assert data == dcf.Dataset([[0.0], [1.0]], [0, 1]) and data != other

    @pytest.mark.parametrize("change", [
        {"point_names": ["P", "Q"]},
        {"eval_names": ["x", "y", "z"]},
        {"provenance": {"datacf": "0.0"}},
    ], ids=["point_names", "eval_names", "provenance"])
    def test_grids_differ_if_any_part_does(self, change):
        """Two grids with the same values are equal only if names and provenance are too."""
        grid = _table_grid()
        fields = {"point_names": grid.point_names, "eval_names": grid.eval_names, "provenance": grid.provenance}
        assert dcf.Grid(TABLE, **fields) == grid and dcf.Grid(TABLE, **{**fields, **change}) != grid

    def test_grids_with_other_inputs_differ(self):
        """Same values computed from different recorded inputs are different grids."""
        train = dcf.Dataset([[0.0], [1.0]], [0, 1])
        a = dcf.compute_grid(train, dcf.models.LogisticRegression(max_iter=100))
        b = dcf.compute_grid(train, dcf.models.LogisticRegression(max_iter=50))   # converges well before
        assert a.values.tolist() == b.values.tolist() and a != b


class TestJsonText:
    def test_indent_is_passed_through(self):
        """to_json(indent=2) writes one field per line, indented by two spaces."""
        text = _table_grid().to_json(indent=2)
        assert text.startswith('{\n  "schema": "datacf.grid",\n  "version": ')

    def test_default_is_one_line(self):
        """Without indent the text is a single line."""
        assert "\n" not in _table_grid().to_json()

    def test_nan_is_never_written(self):
        """JSON has no NaN (RFC 8259): a grid that could hold one in its provenance is never built."""
        with pytest.raises(ValueError, match="provenance"):
            dcf.Grid(TABLE, provenance={"numpy": float("nan")})

    def test_text_of_exactly_max_chars_is_read(self):
        """max_chars is the longest text accepted: a file of exactly that length reads back."""
        text = _table_grid().to_json()
        assert dcf.Grid.from_json(text, max_chars=len(text)) == _table_grid()


def test_the_exact_size_refusal_names_a_working_sampling_call():
    """The n > 16 refusal's suggested calls really run: sample_grid and estimate_values exist as named."""
    import re

    train = dcf.Dataset(np.arange(17.0)[:, None], [0, 1] * 8 + [0])
    with pytest.raises(ValueError) as caught:
        dcf.compute_grid(train, dcf.models.KNN(k=1))
    message = str(caught.value)
    assert "dcf.sample_grid(" in message and "dcf.samplers.Uniform(" in message
    method = re.search(r"method='(\w+)'", message).group(1)
    estimate = dcf.estimate_values(train, dcf.models.KNN(k=1), method=method, max_evaluations=60, rng=0)
    assert estimate.values.shape == (17,)


class TestProvenanceAndWeightTypes:
    def test_provenance_must_be_version_strings(self):
        """A NaN or nested provenance is refused when the grid is built, not when JSON is written."""
        for bad in ({"numpy": float("nan")}, {"numpy": {"x": 1}}, {1: "2.0"}, ["numpy"]):
            with pytest.raises(ValueError, match="provenance must map library names to version strings"):
                dcf.Grid([[0.0], [1.0]], provenance=bad)

    def test_provenance_round_trips(self):
        """A valid provenance, None versions included, survives to_json and from_json."""
        grid = dcf.Grid([[0.0], [1.0]], provenance={"datacf": "0.1.0", "scikit-learn": None})
        assert dcf.Grid.from_json(grid.to_json()).provenance == {"datacf": "0.1.0", "scikit-learn": None}

    def test_complex_weights_are_refused(self):
        """Complex semivalue weights are a TypeError, not silently truncated to their real part."""
        with pytest.raises(TypeError, match="real numbers"):
            dcf.Grid([[0.0], [1.0], [1.0], [1.0]]).semivalue(np.array([1 + 2j, 0.5]))
