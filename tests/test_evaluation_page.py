"""The "When the columns change" page (docs/evaluation.md): every claim its prose makes holds.

One test per claim; each docstring quotes the sentence, numbers as the page renders them. The
toy grids are recomputed from the page's own declarations (``docs/examples.toml``); the
real-data section's measurement (``sitebuild.evaluation_example``) is computed afresh and
checked against scikit-learn fitted directly, then its claims are asserted on it.
"""
import contextlib
import functools
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import datacf as dcf
from datacf._browser import run_cell
from sitebuild import evaluation_example, measured, sampled_example
from sitebuild.examples import load_examples

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGE = DOCS / "evaluation.md"


@functools.cache
def grid(example):
    """The grid of a page example, computed now from its declaration."""
    return load_examples(DOCS / "examples.toml")[example].compute()


def own_column_drop(g, point):
    """v(N, i) - v(N without i, i), straight from the table: the memorisation score."""
    i = g.point_names.index(point)
    full = 2**g.n_points - 1
    return g.values[full, i] - g.values[full & ~(1 << i), i]


def loo_by_hand(g, point, columns=None):
    """Leave-one-out as the page's formula reads: mean over the chosen columns of v(N, j) - v(N without i, j)."""
    i = g.point_names.index(point)
    full = 2**g.n_points - 1
    columns = range(g.values.shape[1]) if columns is None else columns
    return float(np.mean([g.values[full, j] - g.values[full & ~(1 << i), j] for j in columns]))


@pytest.fixture(scope="module")
def document():
    """The page's measurement, computed now (not read from a cache)."""
    return evaluation_example.compute()


class TestFormulas:
    def test_loo_is_memorisation_plus_the_other_columns(self):
        """'LOO(i) = (1/n)[mem(i) + sum over j != i of (v(N, j) - v(N without i, j))]' on training columns."""
        g = grid("four_points_logistic")
        full = 2**g.n_points - 1
        for i, p in enumerate(g.point_names):
            others = sum(g.values[full, j] - g.values[full & ~(1 << i), j] for j in range(g.n_points) if j != i)
            assert g.loo()[i] == pytest.approx((own_column_drop(g, p) + others) / g.n_points, abs=1e-12)

    @pytest.mark.parametrize("reading", ["loo", "shapley", "banzhaf"])
    def test_a_reading_is_the_mean_of_single_column_readings(self, reading):
        """'phi_i(E) = 1/|E| sum over j in E of phi_i({j})' for leave-one-out and semivalues."""
        g = grid("four_points_logistic_fresh")
        per_column = np.array([getattr(g, reading)(j) for j in range(g.values.shape[1])])
        np.testing.assert_allclose(getattr(g, reading)(), per_column.mean(axis=0), rtol=0, atol=1e-12)

    def test_utility_is_the_mean_over_the_columns(self):
        """'U_E(S) = 1/|E| sum over j in E of v(S, j)'."""
        g = grid("four_points_logistic_fresh")
        np.testing.assert_allclose(g.utility([0, 4]), g.values[:, [0, 4]].mean(axis=1), rtol=0, atol=1e-15)


class TestTrainingAndHeldOutColumns:
    def test_full_model_scores_lower_on_fresh_points(self):
        """'a mean score of 0.78 on its training points and 0.63 on the fresh ones'."""
        assert grid("four_points_logistic_fresh").utility()[-1] < grid("four_points_logistic").utility()[-1]

    def test_one_nn_is_perfect_on_its_points_and_its_gap_is_larger(self):
        """'[one-nearest-neighbour] is perfect on its own points, 1.00, and scores 0.80 on the fresh
        ones ...: its gap is the larger.'"""
        own, fresh = grid("four_points_knn").utility()[-1], grid("four_points_knn_fresh").utility()[-1]
        assert own == 1.0
        gap_lr = grid("four_points_logistic").utility()[-1] - grid("four_points_logistic_fresh").utility()[-1]
        assert own - fresh > gap_lr > 0

    def test_both_grids_train_the_same_models(self):
        """'the same trained models scored on five fresh points': held-out cells are those models' predictions."""
        from sklearn.linear_model import LogisticRegression as SkLR

        train, fresh = dcf.toy_dataset("four_points"), dcf.toy_dataset("four_points_fresh")
        for row, keep in (("full", [0, 1, 2, 3]), ("full-C", [0, 1, 3])):
            model = SkLR(C=1.0, tol=1e-10, max_iter=10_000).fit(train.X[keep], train.y[keep])
            prob = model.predict_proba(fresh.X)[np.arange(fresh.n_points), fresh.y]
            r = sum(1 << i for i in keep)
            np.testing.assert_allclose(grid("four_points_logistic_fresh").values[r], prob, rtol=0, atol=1e-6)


class TestMemorisation:
    def test_c_memorisation_supplies_most_of_its_training_value(self):
        """'Its leave-one-out value on the training columns is +0.049, and C's own column supplies most of it.'"""
        g = grid("four_points_logistic")
        assert own_column_drop(g, "C") / g.n_points > g.loo()[2] / 2 > 0

    def test_c_has_negative_value_on_fresh_columns(self):
        """'C's leave-one-out value is −0.009: the model does slightly better on the fresh points
        without C. The same rows, scored two ways, disagree on the sign.'"""
        assert grid("four_points_logistic_fresh").loo()[2] < 0 < grid("four_points_logistic").loo()[2]
        assert loo_by_hand(grid("four_points_logistic_fresh"), "C") == pytest.approx(
            grid("four_points_logistic_fresh").loo()[2], abs=1e-12)

    def test_training_columns_value_every_point_about_the_same(self):
        """'On the training columns every point is worth about the same.' (LOO and Shapley: a range
        under 0.01, and under a fifth of the range on fresh columns.)"""
        for reading in ("loo", "shapley"):
            own = getattr(grid("four_points_logistic"), reading)()
            fresh = getattr(grid("four_points_logistic_fresh"), reading)()
            assert np.ptp(own) < 0.01 and np.ptp(own) < np.ptp(fresh) / 5, reading

    def test_fresh_columns_value_a_and_b_most_and_c_d_negative_shapley(self):
        """'On the fresh columns A and B are worth the most, and C and D have negative Shapley values.'"""
        g = grid("four_points_logistic_fresh")
        for values in (g.loo(), g.shapley()):
            assert set(np.argsort(-values)[:2]) == {0, 1}
        assert g.shapley()[2] < 0 and g.shapley()[3] < 0

    def test_one_nn_scores_e_perfectly_and_loses_it_without_e(self):
        """'on its own points it scores 1.00 at E' and 'Without E, the nearest training point to E is
        a class 0 point, and the score at E drops by 1.00'."""
        data, g = dcf.toy_dataset("mislabelled"), grid("mislabelled_knn")
        e = data.names.index("E")
        assert g.values[-1, e] == 1.0
        others = [i for i in range(data.n_points) if i != e]
        nearest = others[int(np.argmin(((data.X[others] - data.X[e]) ** 2).sum(axis=1)))]
        assert data.y[nearest] == 0 and data.y[e] == 1
        assert own_column_drop(g, "E") == 1.0

    def test_e_is_valued_as_high_as_any_point_by_one_nn(self):
        """'E's memorisation is total, and no other column changes. So its leave-one-out value on the
        training columns is +0.125, as high as any point's.'"""
        g = grid("mislabelled_knn")
        drops = g.values[-1] - g.values[g.row_index("ABCDFGH")]
        assert drops[4] == 1.0 and np.count_nonzero(drops) == 1
        assert g.loo()[4] == drops[4] / g.n_points == g.loo().max()

    def test_logistic_regression_does_not_fit_e_and_values_it_negatively(self):
        """'The logistic regression cannot fit E's label (it gives it 0.24) and values E at −0.060.'"""
        g = grid("mislabelled_logistic")
        assert g.values[-1, 4] < 0.5 and g.loo()[4] < 0

    def test_e_has_the_largest_memorisation_under_logistic_regression(self):
        """'under the logistic regression, E's memorisation, +0.17, is the largest of the eight points'."""
        g = grid("mislabelled_logistic")
        mem = [own_column_drop(g, p) for p in g.point_names]
        assert int(np.argmax(mem)) == 4 and len(mem) == 8


class TestValueOfAnEvaluationPoint:
    def test_each_fresh_class_values_its_own_class_most(self):
        """'Fresh A and B, in class 0, value the class 0 training points A and B most; fresh C and D,
        in class 1, value the class 1 points C and D most.'"""
        g, fresh = grid("four_points_logistic_fresh"), dcf.toy_dataset("four_points_fresh")
        for j, wanted in ((0, {0, 1}), (1, {0, 1}), (2, {2, 3}), (3, {2, 3})):
            assert set(np.argsort(-g.loo(j))[:2]) == wanted, j
            assert fresh.y[j] == (0 if wanted == {0, 1} else 1)

    def test_fresh_e_is_class_0_near_class_1_and_served_better_without_c_and_d(self):
        """'Fresh E is a class 0 point that lies among the class 1 points, and it is better served
        without C and D.'"""
        train, fresh = dcf.toy_dataset("four_points"), dcf.toy_dataset("four_points_fresh")
        nearest = np.argsort(((train.X - fresh.X[4]) ** 2).sum(axis=1))[:2]
        assert fresh.y[4] == 0 and set(train.y[nearest]) == {1}
        loo_e = grid("four_points_logistic_fresh").loo(4)
        assert loo_e[2] < 0 and loo_e[3] < 0

    def test_dropping_fresh_e_turns_c_positive(self):
        """'drop fresh E from the evaluation set and C's leave-one-out value becomes +0.035 instead of −0.009'."""
        g = grid("four_points_logistic_fresh")
        without_e = loo_by_hand(g, "C", [0, 1, 2, 3])
        assert without_e == pytest.approx(g.loo([0, 1, 2, 3])[2], abs=1e-12)
        assert without_e > 0 > g.loo()[2]


class TestRealData:
    def test_measurement_matches_scikit_learn(self, document):
        """Memorisation and both leave-one-out values of the lowest point equal scikit-learn fitted directly."""
        train, held_out, _ = sampled_example.small_grid(evaluation_example.INPUTS)
        i = train.names.index(document["logistic_lowest"]["name"])
        keep = [j for j in range(train.n_points) if j != i]

        def prob(rows, X, y):
            model = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(train.X[rows], train.y[rows])
            return model.predict_proba(X)[np.arange(len(y)), y]

        everyone = list(range(train.n_points))
        own_full, own_without = prob(everyone, train.X, train.y), prob(keep, train.X, train.y)
        held_full, held_without = prob(everyone, held_out.X, held_out.y), prob(keep, held_out.X, held_out.y)
        lowest = document["logistic_lowest"]
        assert lowest["memorisation"] == pytest.approx(own_full[i] - own_without[i], abs=1e-6)
        assert lowest["loo_train"] == pytest.approx(np.mean(own_full - own_without), abs=1e-6)
        assert lowest["loo_heldout"] == pytest.approx(np.mean(held_full - held_without), abs=1e-6)
        assert document["models"]["logistic"]["u_heldout"] == pytest.approx(np.mean(held_full), abs=1e-6)
        assert document["n_features"] == train.X.shape[1] and document["n_eval"] == held_out.n_points

    def test_rank_correlation_is_spearmans(self, document):
        """The table's rank correlation is Pearson's correlation of the values' ranks (ties share a mean rank)."""
        from scipy.stats import rankdata

        rows = {r[0]: r for r in document["tables"]["logistic"]["rows"]}
        own = [rows[p][3] for p in rows]
        held = [rows[p][4] for p in rows]
        expected = np.corrcoef(rankdata(own), rankdata(held))[0, 1]
        assert document["models"]["logistic"]["loo_rank_corr"] == pytest.approx(expected, abs=1e-12)

    def test_training_columns_would_pick_the_wrong_model(self, document):
        """'Scored on the training points, one-nearest-neighbour beats the logistic regression ...
        Scored on held-out points, the order reverses'."""
        knn, lr = document["models"]["knn1"], document["models"]["logistic"]
        assert knn["u_train"] > lr["u_train"] and lr["u_heldout"] > knn["u_heldout"]

    def test_rank_correlations_are_below_one_half(self, document):
        """'For either model the rank correlation between the point values on the two column sets is below one half.'"""
        for model in document["models"].values():
            assert model["loo_rank_corr"] < 0.5 and model["shapley_rank_corr"] < 0.5

    def test_lowest_training_value_is_the_only_negative_and_highest_held_out(self, document):
        """'point A has the lowest leave-one-out value on the training columns, −0.0026, the only negative
        one, though its memorisation is +0.522: its own column gains and the other eleven lose more. On
        the held-out columns its value is +0.0949, the highest of the twelve.'"""
        rows = document["tables"]["logistic"]["rows"]
        own = np.array([r[3] for r in rows])
        held = np.array([r[4] for r in rows])
        lowest = document["logistic_lowest"]
        i = [r[0] for r in rows].index(lowest["name"])
        assert np.flatnonzero(own < 0).tolist() == [i] and own[i] == lowest["loo_train"]
        n = len(rows)
        others = n * lowest["loo_train"] - lowest["memorisation"]      # sum of the other columns' changes
        assert lowest["memorisation"] > 0 and others < -lowest["memorisation"]
        assert int(np.argmax(held)) == i and lowest["heldout_rank"] == 1 and n == document["n_points"] == 12

    def test_page_quotes_the_measurement(self, document):
        """The page's inline numbers render from this measurement, and none is left unrendered."""
        text = PAGE.read_text(encoding="utf-8")
        out = measured.page_markdown(text, {"evaluation_breast_cancer": document}, "evaluation.md")
        assert "{{ measured" not in out
        assert f"{document['logistic_lowest']['loo_heldout']:+.4f}" in out


class TestCell:
    def _cell_code(self):
        text = PAGE.read_text(encoding="utf-8")
        match = re.search(r"^```datacf-run id=both-ways[^\n]*\n(.*?)^```$", text, flags=re.S | re.M)
        return match.group(1)

    def test_cell_prints_the_tables_numbers(self):
        """The runnable cell prints the memorisation and both leave-one-out values the table quotes."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            reply = json.loads(run_cell(self._cell_code()))
        assert reply["error"] is None
        lines = out.getvalue().splitlines()
        own, fresh = grid("four_points_logistic"), grid("four_points_logistic_fresh")
        assert lines[0].endswith(f"{own.utility()[-1]:.3f}") and lines[1].endswith(f"{fresh.utility()[-1]:.3f}")
        for i, p in enumerate(own.point_names):
            expected = [own_column_drop(own, p), own.loo()[i], fresh.loo()[i]]
            name, *numbers = lines[3 + i].split()
            assert name == p
            np.testing.assert_allclose([float(x) for x in numbers], expected, rtol=0, atol=0.0005 + 1e-12)
