"""Edit grids (issue 11): every row trains on all points with an edit applied to the row's set F.

The oracle is a brute force written here: for each F, edit a copy of the data by hand with
numpy, fit scikit-learn on it, and score it at the evaluation points.
"""
import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, NearestCentroid as SkNearestCentroid
from sklearn.tree import DecisionTreeClassifier

import datacf as dcf
from datacf import edits
from tests.conftest import DATASETS
from tests.matching import exact
from tests.test_package import NUMPY_ONLY



# --- the edits, written out by hand: (X, y, F) -> edited copies -------------------------------

def flip_binary(X, y, F):
    y[F] = 1 - y[F]
    return X, y


def rotate_three(X, y, F):
    y[F] = (y[F] + 1) % 3
    return X, y


def set_one(X, y, F):
    y[F] = 1
    return X, y


def shift_vector(X, y, F):
    X[F] += np.array([0.7, -1.3])
    return X, y


def shift_scalar(X, y, F):
    X[F] += 2.5
    return X, y


def plant(X, y, F):
    X[F, 1] = 4.0
    y[F] = 1
    return X, y


EDITS = {   # name: (datacf edit, the same edit by hand)
    "flip": (edits.FlipLabels(), flip_binary),
    "set1": (edits.SetLabel(1), set_one),
    "shift_vector": (edits.Shift([0.7, -1.3]), shift_vector),
    "shift_scalar": (edits.Shift(2.5), shift_scalar),
    "plant": (edits.PlantSignal(1, 4.0, 1), plant),
}
THREE_CLASS_EDITS = {
    "rotate": (edits.FlipLabels({0: 1, 1: 2, 2: 0}), rotate_three),
    "set1": (edits.SetLabel(1), set_one),
    "plant": (edits.PlantSignal(1, 4.0, 1), plant),
}


def brute_edit_grid(train, eval_set, by_hand, make_estimator, metric):
    """(2**n, n_eval) scores: for each F, edit by hand, fit scikit-learn, score each column.

    One edited class: that class with certainty (the fallback convention).
    """
    n, classes = train.n_points, np.unique(train.y)
    column = np.searchsorted(classes, eval_set.y)
    values = np.zeros((2**n, eval_set.n_points))
    for row in range(2**n):
        F = np.array([(row >> i) & 1 for i in range(n)], dtype=bool)
        X, y = by_hand(np.array(train.X), np.array(train.y), F)
        proba = np.zeros((eval_set.n_points, classes.size))
        if np.unique(y).size == 1:
            proba[:, np.searchsorted(classes, y[0])] = 1.0
            hard = np.full(eval_set.n_points, y[0])
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = make_estimator().fit(X, y)
                hard = model.predict(eval_set.X)
                if metric != "accuracy":
                    proba[:, np.searchsorted(classes, model.classes_)] = model.predict_proba(eval_set.X)
        if metric == "accuracy":
            values[row] = hard == eval_set.y
        else:
            values[row] = proba[np.arange(eval_set.n_points), column]
    return values


def other_eval(train, seed=11):
    """Evaluation points near the training points, with the training labels."""
    rng = np.random.default_rng(seed)
    return dcf.Dataset(train.X + rng.normal(scale=0.5, size=train.X.shape), train.y)


BINARY = ["blobs6", "overlap6", "imbalanced5"]


class TestAgainstBruteForce:
    @pytest.mark.parametrize("edit_name", EDITS)
    @pytest.mark.parametrize("name", BINARY)
    @pytest.mark.parametrize("k", [1, 3])
    def test_knn_matches_sklearn_per_row(self, name, edit_name, k):
        """KNN's vote shares equal KNeighborsClassifier fitted on each edited dataset."""
        train, (edit, by_hand) = DATASETS[name], EDITS[edit_name]
        grid = dcf.compute_grid(train, dcf.models.KNN(k=k), edit=edit)
        expected = brute_edit_grid(train, train, by_hand, lambda: KNeighborsClassifier(n_neighbors=k), "prob_correct")
        np.testing.assert_allclose(grid.values, expected, rtol=0, atol=1e-12)

    @pytest.mark.parametrize("edit", [edits.FlipLabels(), edits.Shift([0.0, 1.0])], ids=["flip", "shift"])
    @pytest.mark.parametrize("k", [1, 2, 3])
    def test_knn_distance_ties_go_to_the_lower_index(self, k, edit):
        """On a grid of equal distances, the neighbours are the first k points by (distance, index)."""
        train = DATASETS["ties6"]
        grid = dcf.compute_grid(train, dcf.models.KNN(k=k), edit=edit)
        for row in range(64):
            F = [(row >> i) & 1 for i in range(6)]
            X = [x + np.array([0.0, 1.0]) * f * isinstance(edit, edits.Shift) for x, f in zip(train.X, F)]
            y = [(1 - label) if f and isinstance(edit, edits.FlipLabels) else label for label, f in zip(train.y, F)]
            for j, point in enumerate(train.X):
                nearest = sorted(range(6), key=lambda i: (float(((X[i] - point) ** 2).sum()), i))[:k]
                assert grid.values[row, j] == sum(y[i] == train.y[j] for i in nearest) / k

    @pytest.mark.parametrize("edit_name", EDITS)
    @pytest.mark.parametrize("name", BINARY)
    def test_logistic_regression_matches_sklearn_per_row(self, name, edit_name):
        """P(true label) equals scikit-learn's LogisticRegression(tol=1e-10) within 1e-6 on every row."""
        train, (edit, by_hand) = DATASETS[name], EDITS[edit_name]
        grid = dcf.compute_grid(train, dcf.models.LogisticRegression(C=1.0), eval=other_eval(train), edit=edit)
        expected = brute_edit_grid(train, other_eval(train), by_hand,
                                   lambda: SkLogisticRegression(C=1.0, tol=1e-10, max_iter=100_000), "prob_correct")
        np.testing.assert_allclose(grid.values, expected, rtol=0, atol=1e-6)

    @pytest.mark.parametrize("edit_name", EDITS)
    @pytest.mark.parametrize("name", BINARY)
    def test_nearest_centroid_matches_sklearn_per_row(self, name, edit_name):
        """Accuracy equals scikit-learn's NearestCentroid().predict on every edited dataset."""
        train, (edit, by_hand) = DATASETS[name], EDITS[edit_name]
        grid = dcf.compute_grid(train, dcf.models.NearestCentroid(), eval=other_eval(train), metric="accuracy",
                                edit=edit)
        expected = brute_edit_grid(train, other_eval(train), by_hand, SkNearestCentroid, "accuracy")
        np.testing.assert_array_equal(grid.values, expected)

    @pytest.mark.parametrize("metric", ["prob_correct", "accuracy"])
    @pytest.mark.parametrize("edit_name", EDITS)
    def test_generic_path_matches_sklearn_per_row(self, edit_name, metric):
        """A decision tree through the generic path equals one fitted per edited dataset."""
        train, (edit, by_hand) = DATASETS["overlap6"], EDITS[edit_name]
        tree = DecisionTreeClassifier(random_state=0)
        grid = dcf.compute_grid(train, tree, eval=other_eval(train), metric=metric, edit=edit)
        expected = brute_edit_grid(train, other_eval(train), by_hand,
                                   lambda: DecisionTreeClassifier(random_state=0), metric)
        np.testing.assert_array_equal(grid.values, expected)

    @pytest.mark.parametrize("edit_name", THREE_CLASS_EDITS)
    @pytest.mark.parametrize("make_model, make_sklearn, atol", [
        (lambda: dcf.models.KNN(k=3), lambda: KNeighborsClassifier(n_neighbors=3), 1e-12),
        (lambda: dcf.models.LogisticRegression(C=1.0),
         lambda: SkLogisticRegression(C=1.0, tol=1e-10, max_iter=100_000), 1e-6),
        (GaussianNB, GaussianNB, 1e-12),
    ], ids=["knn3", "logistic", "gaussian_nb"])
    def test_three_classes_match_sklearn_per_row(self, edit_name, make_model, make_sklearn, atol):
        """Three classes: a mapping flip, SetLabel and PlantSignal agree with the brute force."""
        train, (edit, by_hand) = DATASETS["three_class6"], THREE_CLASS_EDITS[edit_name]
        grid = dcf.compute_grid(train, make_model(), edit=edit)
        expected = brute_edit_grid(train, train, by_hand, make_sklearn, "prob_correct")
        np.testing.assert_allclose(grid.values, expected, rtol=0, atol=atol)

    def test_log_loss_is_minus_log_prob_correct(self):
        """metric='log_loss' on an edit grid is -log of the prob_correct grid, clipped at 1e-15."""
        train, edit = DATASETS["blobs6"], edits.FlipLabels()
        prob = dcf.compute_grid(train, dcf.models.KNN(k=3), edit=edit).values
        loss = dcf.compute_grid(train, dcf.models.KNN(k=3), metric="log_loss", edit=edit).values
        np.testing.assert_allclose(loss, -np.log(np.clip(prob, 1e-15, 1.0)), rtol=0, atol=1e-12)


class TestKNNLabelEditPath:
    """Label edits move no point, so KNN scores them from the clean neighbours' changed votes."""

    @pytest.mark.parametrize("edit_name", ["flip", "set1"])
    def test_label_edits_never_take_the_membership_path(self, edit_name, monkeypatch):
        """A label-only edit is scored without KNN's per-row membership path, and matches the brute force."""
        def refuse(*args):
            raise AssertionError("a label-only edit took the membership path")

        monkeypatch.setattr(dcf.models.KNN, "_predict_proba_members", refuse)
        train, (edit, by_hand) = DATASETS["blobs6"], EDITS[edit_name]
        grid = dcf.compute_grid(train, dcf.models.KNN(k=3), edit=edit)
        expected = brute_edit_grid(train, train, by_hand, lambda: KNeighborsClassifier(n_neighbors=3), "prob_correct")
        np.testing.assert_allclose(grid.values, expected, rtol=0, atol=1e-12)

    @pytest.mark.parametrize("edit_name", ["shift_vector", "plant"])
    def test_edits_that_move_points_take_the_membership_path(self, edit_name, monkeypatch):
        """An edit that moves points changes who the neighbours are, so each row's members are read."""
        calls = []
        members = dcf.models.KNN._predict_proba_members

        def counted(self, *args):
            calls.append(1)
            return members(self, *args)

        monkeypatch.setattr(dcf.models.KNN, "_predict_proba_members", counted)
        dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(k=3), edit=EDITS[edit_name][0])
        assert calls


class TestRows:
    def test_no_edit_is_the_subset_grid(self):
        """edit=None gives the subset grid, and its inputs hold no 'edit' key."""
        train = DATASETS["blobs6"]
        plain = dcf.compute_grid(train, dcf.models.KNN(k=3))
        none = dcf.compute_grid(train, dcf.models.KNN(k=3), edit=None)
        np.testing.assert_array_equal(none.values, plain.values)
        assert set(none.inputs) == {"train", "eval", "model", "metric", "convention"}

    @pytest.mark.parametrize("edit_name", EDITS)
    def test_row_zero_is_the_clean_full_dataset(self, edit_name):
        """Row ∅ of an edit grid is the subset grid's full row: nothing edited, every point in."""
        train, edit = DATASETS["overlap6"], EDITS[edit_name][0]
        grid = dcf.compute_grid(train, dcf.models.LogisticRegression(), edit=edit)
        subsets = dcf.compute_grid(train, dcf.models.LogisticRegression())
        np.testing.assert_allclose(grid.values[0], subsets.values[-1], rtol=0, atol=1e-12)

    def test_full_row_trains_on_the_edited_dataset(self):
        """Row N equals an exact grid's full row trained on ``edit.apply(train)``."""
        train, edit = DATASETS["blobs6"], edits.Shift([0.7, -1.3])
        grid = dcf.compute_grid(train, dcf.models.NearestCentroid(), metric="accuracy", edit=edit)
        edited = dcf.compute_grid(edit.apply(train), dcf.models.NearestCentroid(), eval=train, metric="accuracy")
        np.testing.assert_array_equal(grid.values[-1], edited.values[-1])

    @pytest.mark.parametrize("make_model", [lambda: dcf.models.KNN(k=3), dcf.models.LogisticRegression,
                                            dcf.models.NearestCentroid, GaussianNB],
                             ids=["knn3", "logistic", "centroid", "gaussian_nb"])
    @pytest.mark.parametrize("edit", [edits.Shift(0.0), edits.FlipLabels({0: 0, 1: 1})], ids=["shift0", "identity"])
    def test_an_edit_that_changes_nothing_gives_equal_rows(self, make_model, edit):
        """Shift(0) and an identity mapping leave the data as it is, so every row equals row ∅."""
        grid = dcf.compute_grid(DATASETS["overlap6"], make_model(), edit=edit)
        np.testing.assert_allclose(grid.values, np.broadcast_to(grid.values[0], grid.values.shape), rtol=0, atol=1e-9)

    def test_flip_of_1nn_costs_each_point_its_own_column(self):
        """Hand-computed: 1-NN at the training points scores 0 exactly at the flipped points."""
        train = dcf.Dataset([[0.0], [1.0], [5.0]], [0, 0, 1])
        grid = dcf.compute_grid(train, dcf.models.KNN(k=1), metric="accuracy", edit=edits.FlipLabels())
        for row in range(8):
            assert grid.values[row].tolist() == [0.0 if (row >> i) & 1 else 1.0 for i in range(3)]


class TestConventions:
    def test_set_label_on_every_point_predicts_that_class_with_certainty(self):
        """Fallback: when the edit leaves one class, the model predicts it with probability 1."""
        train = DATASETS["blobs6"]
        grid = dcf.compute_grid(train, dcf.models.LogisticRegression(), edit=edits.SetLabel(1))
        assert grid.values[-1].tolist() == [float(label == 1) for label in train.y]

    @pytest.mark.parametrize("make_model", [dcf.models.LogisticRegression, dcf.models.NearestCentroid,
                                            lambda: SkLogisticRegression()], ids=["logistic", "centroid", "sklearn"])
    def test_zero_convention_scores_a_one_class_row_zero(self, make_model):
        """convention='zero': only the row whose edited labels are one class scores 0."""
        train = DATASETS["blobs6"]
        grid = dcf.compute_grid(train, make_model(), convention="zero", edit=edits.SetLabel(1))
        class0 = sum(1 << i for i in np.flatnonzero(train.y == 0))
        one_class = [row for row in range(64) if row & class0 == class0]   # every 0 point set to 1
        assert len(one_class) == 8   # the three class-0 points, with any of the three class-1 points
        assert (grid.values[one_class] == 0).all()
        fallback = dcf.compute_grid(train, make_model(), edit=edits.SetLabel(1))
        others = np.setdiff1d(np.arange(64), one_class)
        np.testing.assert_allclose(grid.values[others], fallback.values[others], rtol=0, atol=1e-12)

    def test_zero_convention_for_knn_refuses_only_fewer_than_k_points(self):
        """KNN under 'zero' refuses only when k exceeds the n points every row trains on."""
        train = DATASETS["imbalanced5"]
        six = dcf.compute_grid(train, dcf.models.KNN(k=6), convention="zero", edit=edits.FlipLabels())
        assert (six.values == 0).all()
        five = dcf.compute_grid(train, dcf.models.KNN(k=5), convention="zero", edit=edits.FlipLabels())
        np.testing.assert_array_equal(
            five.values, dcf.compute_grid(train, dcf.models.KNN(k=5), edit=edits.FlipLabels()).values)


class TestSampledEdits:
    @pytest.mark.parametrize("make_model", [lambda: dcf.models.KNN(k=3), dcf.models.LogisticRegression,
                                            dcf.models.NearestCentroid, GaussianNB],
                             ids=["knn3", "logistic", "centroid", "gaussian_nb"])
    def test_sampled_rows_equal_the_exact_edit_grid(self, make_model):
        """Every sampled edit set scores as the exact edit grid's row of the same set."""
        train = DATASETS["overlap6"]
        exact_grid = dcf.compute_grid(train, make_model(), edit=edits.PlantSignal(0, -2.0, 0))
        sampled = dcf.sample_grid(train, make_model(), sampler=dcf.samplers.Uniform(40), rng=3,
                                  edit=edits.PlantSignal(0, -2.0, 0))
        rows = (sampled.members * (1 << np.arange(6))).sum(axis=1)
        np.testing.assert_allclose(sampled.values, exact_grid.values[rows], rtol=0, atol=1e-9)

    def test_a_pool_of_forty_matches_the_brute_force_on_its_rows(self):
        """On a pool beyond exact grids, sampled flip sets equal KNeighborsClassifier per row."""
        rng = np.random.default_rng(5)
        train = dcf.Dataset(rng.normal(size=(40, 2)), np.arange(40) % 2)
        sampled = dcf.sample_grid(train, dcf.models.KNN(k=5), sampler=dcf.samplers.Uniform(12), rng=1,
                                  edit=edits.FlipLabels())
        for members, values in zip(sampled.members, sampled.values):
            y = np.array(train.y)
            y[members] = 1 - y[members]
            model = KNeighborsClassifier(n_neighbors=5).fit(train.X, y)
            expected = model.predict_proba(train.X)[np.arange(40), train.y]
            np.testing.assert_allclose(values, expected, rtol=0, atol=1e-12)

    def test_permutation_rows_are_edit_sets(self):
        """A Permutations sampler's rows ∅ and N are the clean and the fully edited dataset."""
        train = DATASETS["blobs6"]
        exact_grid = dcf.compute_grid(train, dcf.models.KNN(k=3), edit=edits.FlipLabels())
        sampled = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=dcf.samplers.Permutations(3), rng=0,
                                  edit=edits.FlipLabels())
        np.testing.assert_array_equal(sampled.values[:2], exact_grid.values[[0, 63]])


class TestRoundTrips:
    @pytest.mark.parametrize("edit_name", EDITS)
    def test_grid_json_round_trip_keeps_the_edit(self, edit_name):
        """to_json / from_json gives an equal grid whose inputs hold the edit's dict."""
        edit = EDITS[edit_name][0]
        grid = dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(k=3), edit=edit)
        again = dcf.Grid.from_json(grid.to_json())
        assert again == grid
        assert edits.from_dict(again.inputs["edit"]) == edit

    @pytest.mark.parametrize("edit_name", EDITS)
    def test_recompute_grid_reproduces_an_edit_grid(self, edit_name):
        """recompute_grid rebuilds the edit from the JSON and gives the same values."""
        edit = EDITS[edit_name][0]
        grid = dcf.compute_grid(DATASETS["overlap6"], dcf.models.LogisticRegression(), eval=other_eval(
            DATASETS["overlap6"]), edit=edit)
        again = dcf.recompute_grid(dcf.Grid.from_json(grid.to_json()))
        np.testing.assert_array_equal(again.values, grid.values)
        assert again.inputs == grid.inputs

    def test_recompute_grid_can_override_the_edit(self):
        """An override edit= replaces the recorded one."""
        grid = dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(k=3), edit=edits.FlipLabels())
        other = dcf.recompute_grid(grid, edit=edits.SetLabel(0))
        assert other.inputs["edit"] == {"kind": "SetLabel", "label": 0}

    def test_sampled_grid_json_and_recompute(self):
        """A sampled edit grid round-trips through JSON and recomputes to the same values."""
        grid = dcf.sample_grid(DATASETS["overlap6"], dcf.models.KNN(k=3), sampler=dcf.samplers.Uniform(20), rng=7,
                               edit=edits.Shift([0.7, -1.3]))
        again = dcf.SampledGrid.from_json(grid.to_json())
        assert again == grid
        np.testing.assert_array_equal(dcf.recompute_sampled_grid(again).values, grid.values)

    @settings(max_examples=60, deadline=None)
    @given(st.one_of(
        st.builds(edits.FlipLabels, st.none() | st.dictionaries(st.integers(-2**63, 2**63 - 1),
                                                                st.integers(-2**63, 2**63 - 1), min_size=1)),
        st.builds(edits.SetLabel, st.integers(-2**63, 2**63 - 1)),
        st.builds(edits.Shift, st.floats(allow_nan=False, allow_infinity=False)
                  | st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1)),
        st.builds(edits.PlantSignal, st.integers(0, 2**40), st.floats(allow_nan=False, allow_infinity=False),
                  st.integers(-2**63, 2**63 - 1)),
    ))
    def test_to_dict_from_dict_round_trip(self, edit):
        """Any edit survives to_dict -> JSON text -> from_dict unchanged."""
        assert edits.from_dict(json.loads(json.dumps(edit.to_dict(), allow_nan=False))) == edit


class TestEditObjects:
    def test_edits_are_immutable(self):
        """Assigning to a field raises, so a recorded edit cannot drift from its grid."""
        edit = edits.SetLabel(1)
        with pytest.raises(AttributeError, match=exact("SetLabel is immutable; build a new one.")):
            edit.label = 0

    def test_equal_edits_hash_alike(self):
        """Edits compare by kind and fields; a dict and its pairs give the same FlipLabels."""
        assert edits.FlipLabels({1: 0, 0: 1}) == edits.FlipLabels([[0, 1], [1, 0]])
        assert hash(edits.Shift([1, 2])) == hash(edits.Shift((1.0, 2.0)))
        assert edits.SetLabel(1) != edits.PlantSignal(0, 0.0, 1)

    def test_numpy_scalars_are_stored_as_python_numbers(self):
        """numpy integers and floats become plain int and float, so to_dict is plain JSON."""
        edit = edits.PlantSignal(np.int64(1), np.float32(0.5), np.int32(1))
        assert edit.to_dict() == {"kind": "PlantSignal", "feature": 1, "value": 0.5, "label": 1}
        assert type(edit.feature) is int and type(edit.value) is float and type(edit.label) is int

    def test_apply_edits_only_the_given_points(self):
        """apply(points=...) edits those points by index or name and keeps the others."""
        data = DATASETS["blobs6"]
        edited = edits.PlantSignal(0, 9.0, 0).apply(data, points=[1, "D"])
        X, y = np.array(data.X), np.array(data.y)
        X[[1, 3], 0], y[[1, 3]] = 9.0, 0
        np.testing.assert_array_equal(edited.X, X)
        np.testing.assert_array_equal(edited.y, y)
        assert edited.names == data.names

    def test_signal_points_plant_every_point_with_the_target(self):
        """signal_points plants the signal in every point and labels each with the target."""
        data = DATASETS["three_class6"]
        carriers = edits.PlantSignal(1, -3.0, 2).signal_points(data)
        assert (carriers.X[:, 1] == -3.0).all() and (carriers.y == 2).all()
        np.testing.assert_array_equal(carriers.X[:, 0], data.X[:, 0])


class TestErrors:
    def test_edit_must_come_from_datacf_edits(self):
        """A dict or any other object as edit= is a TypeError naming the choices."""
        with pytest.raises(TypeError, match=exact(
                "edit must be one of datacf.edits (FlipLabels, SetLabel, Shift, PlantSignal) or None; got dict.")):
            dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(), edit={"kind": "SetLabel", "label": 1})

    def test_a_failed_fit_names_the_row_by_its_edit_set(self):
        """A scikit-learn fit that fails on an edit grid names its row by the edit set, marked (edited)."""
        with pytest.raises(ValueError, match="^" + re.escape(
                "DecisionTreeClassifier failed on the subset '∅ (edited)': The 'max_depth' parameter")):
            dcf.compute_grid(DATASETS["blobs6"], DecisionTreeClassifier(max_depth=-1), edit=edits.FlipLabels())

    def test_flip_without_mapping_needs_two_classes(self):
        """FlipLabels() on three classes says to give a mapping."""
        with pytest.raises(ValueError, match=exact(
                "FlipLabels() flips between exactly two classes, but the training set has the classes [0, 1, 2]. "
                "Give a mapping for other cases, e.g. FlipLabels({0: 1, 1: 2, 2: 0}).")):
            dcf.compute_grid(DATASETS["three_class6"], dcf.models.KNN(), edit=edits.FlipLabels())

    def test_flip_on_one_class_is_refused(self):
        """A one-class training set has no other class to flip to."""
        with pytest.raises(ValueError, match=re.escape("the training set has the classes [3]")):
            dcf.compute_grid(dcf.Dataset([[0.0], [1.0]], [3, 3]), dcf.models.KNN(), edit=edits.FlipLabels())

    @pytest.mark.parametrize("edit, owner, label", [
        (edits.SetLabel(7), "SetLabel", 7),
        (edits.PlantSignal(0, 1.0, -1), "PlantSignal", -1),
        (edits.FlipLabels({0: 5}), "FlipLabels", 5),
        (edits.FlipLabels({4: 0}), "FlipLabels", 4),
    ])
    def test_a_label_the_training_set_lacks_is_refused(self, edit, owner, label):
        """An edit cannot invent a class: the message names the label and the classes."""
        with pytest.raises(ValueError, match=exact(
                f"{owner} writes the label {label}, which no training point has; the training classes are [0, 1]. "
                "An edit may only use labels of the training set.")):
            dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(), edit=edit)

    def test_shift_of_the_wrong_length_is_refused(self):
        """A per-feature delta needs one number per feature."""
        with pytest.raises(ValueError, match=exact(
                "Shift: delta has 3 numbers but the points have 2 features; give one number per feature, "
                "or a single number for all.")):
            dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(), edit=edits.Shift([1, 2, 3]))

    def test_shift_beyond_float64_is_refused(self):
        """A finite delta that overflows the features is refused before anything is fitted."""
        with pytest.raises(ValueError, match=exact("Shift: delta=1.7e+308 moves features beyond the float64 range.")):
            dcf.compute_grid(dcf.Dataset([[1e308], [0.0]], [0, 1]), dcf.models.KNN(), edit=edits.Shift(1.7e308))

    def test_feature_out_of_range_is_refused(self):
        """PlantSignal's feature must be one of the points' features."""
        with pytest.raises(ValueError, match=exact(
                "PlantSignal: feature 2 is out of range; the points have 2 features (indices 0..1).")):
            dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(), edit=edits.PlantSignal(2, 1.0, 1))

    def test_a_huge_feature_index_is_cut_short_in_the_message(self):
        """A feature index of hundreds of digits is named by its first 40 characters only."""
        with pytest.raises(ValueError, match=exact(
                f"PlantSignal: feature {str(10**300)[:40]} is out of range; the points have 2 features (indices 0..1).")):
            dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(), edit=edits.PlantSignal(10**300, 1.0, 1))

    @pytest.mark.parametrize("build, error, message", [
        (lambda: edits.SetLabel(1.0), TypeError,
         "SetLabel: label must be an integer class label (got 1.0 of type float)."),
        (lambda: edits.SetLabel(True), TypeError,
         "SetLabel: label must be an integer class label (got True of type bool)."),
        (lambda: edits.SetLabel(2**63), ValueError,
         "SetLabel: label = 9223372036854775808 does not fit in int64, so it is no class label."),
        (lambda: edits.Shift(float("nan")), ValueError, "Shift: delta must be a finite number (got nan)."),
        (lambda: edits.Shift([1.0, float("inf")]), ValueError, "Shift: delta[1] must be a finite number (got inf)."),
        (lambda: edits.Shift(10**400), ValueError, "Shift: delta must be a finite number (got 1000000000000"),
        (lambda: edits.Shift([]), ValueError, "Shift: delta is empty; give a number, or one number per feature."),
        (lambda: edits.Shift("1"), TypeError, "Shift: delta must be a number or a sequence of numbers (got '1')."),
        (lambda: edits.Shift([[1.0]]), TypeError,
         "Shift: delta[0] must be a real number (got [1.0] of type list)."),
        (lambda: edits.PlantSignal(1.0, 0.0, 1), TypeError,
         "PlantSignal: feature must be a feature index, an integer (got 1.0 of type float)."),
        (lambda: edits.PlantSignal(-1, 0.0, 1), ValueError, "PlantSignal: feature must be a feature index >= 0 (got -1)."),
        (lambda: edits.PlantSignal(0, None, 1), TypeError,
         "PlantSignal: value must be a real number (got None of type NoneType)."),
        (lambda: edits.FlipLabels({}), ValueError,
         "FlipLabels: the mapping is empty; give at least one pair, or None for two classes."),
        (lambda: edits.FlipLabels([[0, 1], [0, 0]]), ValueError, "FlipLabels: the mapping names the label 0 twice."),
        (lambda: edits.FlipLabels([[0, 1, 2]]), TypeError,
         "FlipLabels: every mapping entry must be a [from, to] pair (got [0, 1, 2])."),
        (lambda: edits.FlipLabels("01"), TypeError,
         "FlipLabels: mapping must be a dict of labels or a list of [from, to] pairs (got str)."),
        (lambda: edits.FlipLabels({0: 0.5}), TypeError,
         "FlipLabels: a mapping value must be an integer class label (got 0.5 of type float)."),
    ])
    def test_constructors_refuse_bad_fields(self, build, error, message):
        """Wrong types, NaN, infinities and labels beyond int64 are refused with a clear message."""
        pattern = exact(message) if message.endswith(".") else "^" + re.escape(message)
        with pytest.raises(error, match=pattern):
            build()

    def test_apply_names_an_unknown_point(self):
        """apply(points=...) refuses a point that is not in the dataset."""
        with pytest.raises(ValueError, match=exact("'Z' is not a point; give an index in range(6) or a name such as 'A'.")):
            edits.SetLabel(1).apply(DATASETS["blobs6"], points=["Z"])

    def test_apply_needs_a_dataset(self):
        """apply on a raw array is a TypeError."""
        with pytest.raises(TypeError, match=exact("SetLabel.apply needs a datacf.Dataset; got list.")):
            edits.SetLabel(1).apply([[0.0]])

    def test_check_needs_a_dataset(self):
        """check on a raw array is a TypeError, not an AttributeError."""
        with pytest.raises(TypeError, match=exact("Shift.check needs a datacf.Dataset; got ndarray.")):
            edits.Shift(1.0).check(np.zeros((2, 2)))

    def test_apply_needs_a_sequence_of_points(self):
        """points given as one string is a TypeError (a name is not a sequence of names)."""
        with pytest.raises(TypeError, match=exact("points must be a sequence of point indices or names; got str.")):
            edits.SetLabel(1).apply(DATASETS["blobs6"], points="A")

    def test_signal_points_needs_a_dataset(self):
        """signal_points on a raw array is a TypeError."""
        with pytest.raises(TypeError, match=exact("PlantSignal.signal_points needs a datacf.Dataset; got list.")):
            edits.PlantSignal(0, 1.0, 1).signal_points([[0.0]])

    def test_sample_grid_checks_the_edit(self):
        """sample_grid refuses an edit that does not fit the pool, as compute_grid does."""
        with pytest.raises(ValueError, match="SetLabel writes the label 9"):
            dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(), sampler=dcf.samplers.Uniform(3), rng=0,
                            edit=edits.SetLabel(9))


class TestHostileDicts:
    @pytest.mark.parametrize("document, message", [
        ({"kind": "os.system", "label": 1},
         "An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; "
         "got 'os.system'."),
        ({"kind": "__class__"},
         "An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; "
         "got '__class__'."),
        ({"kind": ["SetLabel"], "label": 1},
         "An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; "
         "got ['SetLabel']."),
        ({"label": 1},
         "An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; got None."),
        ([["kind", "SetLabel"]],
         "An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; got 'list'."),
        ({"kind": "SetLabel", "label": 1, "extra": 2}, "A SetLabel edit has the fields ['label']; got ['extra', 'label']."),
        ({"kind": "PlantSignal", "feature": 0, "value": 1.0},
         "A PlantSignal edit has the fields ['feature', 'value', 'label']; got ['feature', 'value']."),
        ({"kind": "SetLabel", "label": float("nan")}, "Invalid edit: SetLabel: label must be an integer class label "
                                                      "(got nan of type float)."),
        ({"kind": "Shift", "delta": float("inf")}, "Invalid edit: Shift: delta must be a finite number (got inf)."),
        ({"kind": "Shift", "delta": 10**1000}, None),
        ({"kind": "SetLabel", "label": 10**30},
         "Invalid edit: SetLabel: label = 1000000000000000000000000000000 does not fit in int64, so it is no class label."),
        ({"kind": "Shift", "delta": {"__tuple__": [1]}}, "Shift.delta must be a number, null or a list of numbers; "
                                                          "got dict {'__tuple__': [1]}."),
        ({"kind": "Shift", "delta": [[[1.0]]]}, "Shift.delta must be a number, null or a list of numbers; got list [[[1.0]]]."),
        ({"kind": "SetLabel", "label": "1"}, "SetLabel.label must be a number, null or a list of numbers; got str '1'."),
        ({"kind": "SetLabel", "label": True}, "SetLabel.label must be a number, null or a list of numbers; got bool True."),
        ({"kind": "FlipLabels", "mapping": [[0, 1.5]]},
         "Invalid edit: FlipLabels: a mapping value must be an integer class label (got 1.5 of type float)."),
        ({"kind": "FlipLabels", "mapping": "0:1"},
         "FlipLabels.mapping must be a number, null or a list of numbers; got str '0:1'."),
    ])
    def test_from_dict_refuses(self, document, message):
        """Unknown kinds, extra or missing keys, NaN, huge numbers and nested junk are ValueErrors."""
        with pytest.raises(ValueError, match=exact(message) if message else "^Invalid edit: Shift: delta must be"):
            edits.from_dict(document)

    def test_flip_labels_mapping_may_be_left_out(self):
        """{"kind": "FlipLabels"} (as TOML, which has no null, would write it) is FlipLabels()."""
        assert edits.from_dict({"kind": "FlipLabels"}) == edits.FlipLabels()

    def test_required_fields_may_not_be_left_out(self):
        """Only optional fields may be missing: SetLabel without its label is refused."""
        with pytest.raises(ValueError, match=exact("A SetLabel edit has the fields ['label']; got [].")):
            edits.from_dict({"kind": "SetLabel"})

    def _tampered(self, change):
        document = json.loads(dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(k=3),
                                               edit=edits.FlipLabels()).to_json())
        change(document["inputs"])
        return json.dumps(document)

    @pytest.mark.parametrize("change, message", [
        (lambda inputs: inputs.update(edit={"kind": "eval", "source": "1"}),
         "An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; got 'eval'."),
        (lambda inputs: inputs.update(edit=None),
         "An edit must be an object with 'kind' one of ['FlipLabels', 'SetLabel', 'Shift', 'PlantSignal']; "
         "got 'NoneType'."),
        (lambda inputs: inputs.update(edit={"kind": "SetLabel", "label": 5}),
         "inputs['edit'] does not fit the recorded training set: SetLabel writes the label 5, which no training "
         "point has; the training classes are [0, 1]. An edit may only use labels of the training set."),
        (lambda inputs: inputs.update(edit={"kind": "Shift", "delta": [1.0]}),
         "inputs['edit'] does not fit the recorded training set: Shift: delta has 1 numbers but the points have "
         "2 features; give one number per feature, or a single number for all."),
        (lambda inputs: inputs.update(extra=1),
         "Grid inputs must be null or an object with the keys ['train', 'eval', 'model', 'metric', 'convention'] "
         "(and 'edit' for an edit grid); got ['convention', 'edit', 'eval', 'extra', 'metric', 'model', 'train']."),
    ])
    def test_grid_json_with_a_tampered_edit_is_refused(self, change, message):
        """Grid.from_json validates the recorded edit: kind allow-list, fields, fit to the training set."""
        with pytest.raises(ValueError, match=exact(message)):
            dcf.Grid.from_json(self._tampered(change))

    def test_grid_json_with_nan_in_the_edit_is_refused(self):
        """NaN written into the edit's JSON is refused by the parser."""
        text = self._tampered(lambda inputs: inputs.update(edit={"kind": "Shift", "delta": 1.0}))
        with pytest.raises(ValueError, match="JSON has no NaN"):
            dcf.Grid.from_json(text.replace('"delta": 1.0', '"delta": NaN'))

    def test_sampled_grid_json_with_a_tampered_edit_is_refused(self):
        """SampledGrid.from_json checks the recorded edit against the recorded pool."""
        grid = dcf.sample_grid(DATASETS["blobs6"], dcf.models.KNN(k=3), sampler=dcf.samplers.Uniform(4), rng=0,
                               edit=edits.FlipLabels())
        document = json.loads(grid.to_json())
        document["inputs"]["edit"] = {"kind": "PlantSignal", "feature": 7, "value": 1.0, "label": 1}
        with pytest.raises(ValueError, match=exact(
                "This sampled-grid JSON is inconsistent: inputs['edit'] does not fit the recorded training set: "
                "PlantSignal: feature 7 is out of range; the points have 2 features (indices 0..1).")):
            dcf.SampledGrid.from_json(json.dumps(document))


def test_edit_grids_need_only_numpy():
    """Edit grids, budget curves and success grids of fast learners run with scikit-learn, scipy
    and joblib blocked, as in the browser's numpy-only tier."""
    script = NUMPY_ONLY.split("grid = ")[0] + (
        "train = dcf.toy_dataset('four_points')\n"
        "grid = dcf.compute_grid(train, dcf.models.LogisticRegression(), edit=dcf.edits.FlipLabels())\n"
        "success = dcf.compute_success_grid(train, dcf.models.KNN(k=1), dcf.edits.PlantSignal(0, 9.0, 1))\n"
        "print(dcf.budget_curve(grid).minimum.size, success.values.shape)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["5", "(16,", "4)"]
