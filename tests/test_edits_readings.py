"""Readings of edit grids (issue 11): best and worst case by budget, the mean curve, and
collective-action success, each against a brute force written here."""
import itertools
import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.neighbors import KNeighborsClassifier

import datacf as dcf
from datacf import edits
from tests.conftest import DATASETS
from tests.test_edits import brute_edit_grid, exact, flip_binary


def brute_budget_extremes(u, n):
    """For each b: (min, max) of u over all F with |F| = b, and the first F (by row) attaining each."""
    result = []
    for b in range(n + 1):
        rows = sorted(sum(1 << i for i in F) for F in itertools.combinations(range(n), b))
        low = min(u[r] for r in rows)
        high = max(u[r] for r in rows)
        result.append((low, high, next(r for r in rows if u[r] == low), next(r for r in rows if u[r] == high),
                       sum(u[r] for r in rows) / len(rows)))
    return result


class TestBudgetCurve:
    @pytest.mark.parametrize("name", ["blobs6", "overlap6", "imbalanced5"])
    def test_label_flip_extremes_match_exhaustive_search(self, name):
        """min, max, mean and the attaining sets equal a loop over every F of each size."""
        train = DATASETS[name]
        grid = dcf.compute_grid(train, dcf.models.KNN(k=3), metric="accuracy", edit=edits.FlipLabels())
        u = brute_edit_grid(train, train, flip_binary, lambda: KNeighborsClassifier(n_neighbors=3),
                            "accuracy").mean(axis=1)
        curve = dcf.budget_curve(grid)
        expected = brute_budget_extremes(u, train.n_points)
        np.testing.assert_allclose(curve.minimum, [e[0] for e in expected], rtol=0, atol=1e-12)
        np.testing.assert_allclose(curve.maximum, [e[1] for e in expected], rtol=0, atol=1e-12)
        assert curve.argmin.tolist() == [e[2] for e in expected]
        assert curve.argmax.tolist() == [e[3] for e in expected]
        np.testing.assert_allclose(curve.mean, [e[4] for e in expected], rtol=0, atol=1e-12)

    def test_sets_name_the_attaining_rows(self):
        """min_sets and max_sets list the point names of argmin and argmax."""
        grid = dcf.compute_grid(DATASETS["overlap6"], dcf.models.LogisticRegression(), edit=edits.FlipLabels())
        curve = dcf.budget_curve(grid)
        for sets, rows in ((curve.min_sets, curve.argmin), (curve.max_sets, curve.argmax)):
            assert [tuple(n for i, n in enumerate("ABCDEF") if (r >> i) & 1) for r in rows] == list(sets)
        assert curve.n_rows.tolist() == [1, 6, 15, 20, 15, 6, 1]
        assert curve.budgets.tolist() == list(range(7))

    def test_mean_curve_is_scaling_on_an_exact_grid(self):
        """The mean by |F| is what Grid.scaling reads from the same rows."""
        grid = dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(k=1), edit=edits.Shift([1.0, -2.0]))
        np.testing.assert_allclose(dcf.budget_curve(grid, focus=[0, 2]).mean, grid.scaling(focus=[0, 2]),
                                   rtol=0, atol=1e-12)

    def test_focus_restricts_the_columns(self):
        """focus= averages U over the named columns only."""
        train = DATASETS["blobs6"]
        grid = dcf.compute_grid(train, dcf.models.KNN(k=1), metric="accuracy", edit=edits.FlipLabels())
        curve = dcf.budget_curve(grid, focus="C")
        # 1-NN scored at a training point is wrong exactly when that point is flipped
        assert curve.minimum.tolist() == [1.0] + [0.0] * 6
        assert curve.min_sets[1] == ("C",)
        assert curve.maximum.tolist() == [1.0] * 6 + [0.0]

    def test_ties_go_to_the_lowest_row(self):
        """Among equal values, argmin and argmax report the lowest row index."""
        grid = dcf.Grid([[0.5], [0.2], [0.2], [0.9], [0.9], [0.1], [0.9], [0.4]])
        curve = dcf.budget_curve(grid)
        assert curve.argmin.tolist() == [0, 1, 5, 7]
        assert curve.argmax.tolist() == [0, 4, 3, 7]

    def test_sampled_grid_reads_only_its_rows(self):
        """On a sampled grid: extremes and means over the sampled rows of each size, NaN and -1 without one."""
        rng = np.random.default_rng(2)
        train = dcf.Dataset(rng.normal(size=(30, 2)), np.arange(30) % 2)
        grid = dcf.sample_grid(train, dcf.models.KNN(k=3), sampler=dcf.samplers.Sizes([0, 2, 5], per_size=7),
                               rng=4, edit=edits.FlipLabels())
        curve = dcf.budget_curve(grid)
        u, sizes = grid.utility(), grid.members.sum(axis=1)
        for b in range(31):
            rows = [r for r in range(grid.n_rows) if sizes[r] == b]
            if not rows:
                assert np.isnan(curve.minimum[b]) and np.isnan(curve.mean[b]) and curve.argmin[b] == -1
                assert curve.min_sets[b] is None
                continue
            assert curve.minimum[b] == min(u[r] for r in rows) and curve.maximum[b] == max(u[r] for r in rows)
            assert curve.argmin[b] == next(r for r in rows if u[r] == curve.minimum[b])
            assert curve.mean[b] == pytest.approx(np.mean([u[r] for r in rows]), abs=1e-12)
        assert curve.n_rows[[0, 2, 5]].tolist() == [1, 7, 7]

    def test_only_grids_are_read(self):
        """budget_curve refuses anything but a Grid or SampledGrid."""
        with pytest.raises(TypeError, match=exact("budget_curve reads a datacf.Grid or SampledGrid; got ndarray.")):
            dcf.budget_curve(np.zeros((4, 1)))


def brute_success(train, eval_set, feature, value, target, make_estimator):
    """For each collective F: plant by hand, fit, and count target predictions at planted eval points."""
    n = train.n_points
    carriers = np.array(eval_set.X)
    carriers[:, feature] = value
    success = np.zeros(2**n)
    for row in range(2**n):
        F = np.array([(row >> i) & 1 for i in range(n)], dtype=bool)
        X, y = np.array(train.X), np.array(train.y)
        X[F, feature], y[F] = value, target
        if np.unique(y).size == 1:
            predicted = np.full(len(carriers), y[0])
        else:
            predicted = make_estimator().fit(X, y).predict(carriers)
        success[row] = np.mean(predicted == target)
    return success


class TestSuccess:
    @pytest.mark.parametrize("make_model, make_sklearn", [
        (lambda: dcf.models.KNN(k=3), lambda: KNeighborsClassifier(n_neighbors=3)),
        (dcf.models.LogisticRegression, lambda: SkLogisticRegression(tol=1e-10, max_iter=100_000)),
    ], ids=["knn3", "logistic"])
    @pytest.mark.parametrize("name", ["blobs6", "three_class6"])
    def test_success_matches_the_brute_force(self, name, make_model, make_sklearn):
        """utility()[F] is the fraction of signal-carrying eval points predicted as the target."""
        train = DATASETS[name]
        signal = edits.PlantSignal(feature=1, value=6.0, label=0)
        grid = dcf.compute_success_grid(train, make_model(), signal)
        np.testing.assert_allclose(grid.utility(), brute_success(train, train, 1, 6.0, 0, make_sklearn),
                                   rtol=0, atol=1e-12)

    def test_success_on_another_eval_set(self):
        """With eval=, the signal is planted into those points, whatever their own labels."""
        train = DATASETS["overlap6"]
        rng = np.random.default_rng(9)
        eval_set = dcf.Dataset(rng.normal(size=(8, 2)), [0] * 8)
        signal = edits.PlantSignal(0, -5.0, 1)
        grid = dcf.compute_success_grid(train, dcf.models.KNN(k=1), signal, eval=eval_set)
        np.testing.assert_allclose(
            grid.utility(), brute_success(train, eval_set, 0, -5.0, 1, lambda: KNeighborsClassifier(n_neighbors=1)),
            rtol=0, atol=1e-12)
        assert (grid.inputs["eval"]["y"] == [1] * 8) and all(x[0] == -5.0 for x in grid.inputs["eval"]["X"])

    def test_success_grid_recomputes(self):
        """The recorded inputs (signal-carrying eval set, edit) reproduce the success grid."""
        grid = dcf.compute_success_grid(DATASETS["blobs6"], dcf.models.KNN(k=3), edits.PlantSignal(1, 6.0, 0))
        again = dcf.recompute_grid(dcf.Grid.from_json(grid.to_json()))
        np.testing.assert_array_equal(again.values, grid.values)

    def test_sampled_success_equals_the_exact_rows(self):
        """With a sampler, each sampled collective's success is the exact grid's row."""
        train = DATASETS["blobs6"]
        signal = edits.PlantSignal(1, 6.0, 0)
        exact_grid = dcf.compute_success_grid(train, dcf.models.KNN(k=3), signal)
        sampled = dcf.compute_success_grid(train, dcf.models.KNN(k=3), signal, sampler=dcf.samplers.Uniform(25), rng=0)
        rows = (sampled.members * (1 << np.arange(6))).sum(axis=1)
        np.testing.assert_array_equal(sampled.values, exact_grid.values[rows])
        assert sampled.seed == 0

    def test_signal_must_be_plant_signal(self):
        """Another edit as signal is a TypeError."""
        with pytest.raises(TypeError, match=exact(
                "compute_success_grid needs a datacf.edits.PlantSignal as signal; got SetLabel.")):
            dcf.compute_success_grid(DATASETS["blobs6"], dcf.models.KNN(), edits.SetLabel(1))

    def test_rng_needs_a_sampler(self):
        """A seed without a sampler is refused rather than ignored."""
        with pytest.raises(ValueError, match=exact(
                "rng seeds a sampler; pass sampler=... with it, or leave rng=None for the exact grid.")):
            dcf.compute_success_grid(DATASETS["blobs6"], dcf.models.KNN(), edits.PlantSignal(0, 1.0, 1), rng=3)

    def test_eval_must_be_a_dataset(self):
        """A raw array as eval= gets compute_grid's message, before any planting."""
        with pytest.raises(TypeError, match=exact("eval must be a datacf.Dataset or None; got list.")):
            dcf.compute_success_grid(DATASETS["blobs6"], dcf.models.KNN(), edits.PlantSignal(0, 1.0, 1),
                                     eval=[[0.0, 0.0]])

    def test_target_outside_the_training_classes_is_refused(self):
        """The target label must be a training class."""
        with pytest.raises(ValueError, match=re.escape("PlantSignal writes the label 4, which no training point has")):
            dcf.compute_success_grid(DATASETS["blobs6"], dcf.models.KNN(), edits.PlantSignal(0, 1.0, 4))


def test_grid_method_delegates_to_budget_curve():
    """Grid.budget_curve gives the same curve as dcf.budget_curve."""
    grid = dcf.compute_grid(DATASETS["blobs6"], dcf.models.KNN(k=3), edit=edits.FlipLabels())
    mine, theirs = grid.budget_curve(focus=[1, 2]), dcf.budget_curve(grid, focus=[1, 2])
    for name in ("mean", "minimum", "maximum", "argmin", "argmax", "n_rows"):
        np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name))
    assert mine.min_sets == theirs.min_sets and mine.max_sets == theirs.max_sets
