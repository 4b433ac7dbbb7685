"""Every comparative claim the explainer's prose makes about numbers, checked on the real grid.

One test per claim. Each docstring quotes the sentence (numbers written as the page's
``{{ dcf.… }}`` readings render them) and names its page; the test recomputes the grid with
datacf, from the page's own example declaration where there is one (``docs/examples.toml``),
and asserts the relation the sentence states. A page edit that changes a claim should change
its test; a code change that breaks a claim fails here before it reaches a reader.
"""
import functools
import math
import re
from pathlib import Path

import numpy as np
import pytest

import datacf as dcf
from datacf import _semivalues
from datacf._metrics import LOG_LOSS_EPS
from sitebuild.examples import load_examples

DOCS = Path(__file__).resolve().parent.parent / "docs"


@functools.cache
def _examples():
    return load_examples(DOCS / "examples.toml")


@functools.cache
def grid(example):
    """The grid of a page example, computed now from its declaration."""
    return _examples()[example].compute()


def col(g, name):
    return g.eval_names.index(name)


def pt(g, name):
    return g.point_names.index(name)


def quoted(value):
    """A value as the pages quote a point's value by default (``+.3f``)."""
    return f"{value:+.3f}"


def page(name):
    return (DOCS / name).read_text(encoding="utf-8")


def sentences(text):
    """A page's prose as sentences: code blocks dropped, line breaks joined."""
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1", "", text, flags=re.S | re.M)
    text = " ".join(text.split())
    return re.split(r"(?<=[.:;!?])\s+(?=[A-Z*\[])", text)


def weight_sums_by_size(weights, n):
    """Total weight each set size k gets: C(n-1, k) sets of size k, each weighing w[k]."""
    return np.array([math.comb(n - 1, k) * weights[k] for k in range(n)])


# --- index.md --------------------------------------------------------------------------------


class TestIndex:
    def test_ab_is_certain_of_the_first_class(self):
        """index.md: "Trained on A and B alone, the model has never seen the second class, so it is
        certain of the first: it scores 1.00 at A and 0.00 at C.\""""
        g = grid("four_points_logistic")
        np.testing.assert_array_equal(g.row("AB"), [1.0, 1.0, 0.0, 0.0])

    def test_adding_c_raises_the_score_at_c(self):
        """index.md: "Adding C gives it both classes, and the score at C becomes 0.60.\""""
        g = grid("four_points_logistic")
        assert g.row("AB")[col(g, "C")] == 0.0 < g.row("ABC")[col(g, "C")] < 1.0

    def test_grid_has_a_row_for_every_subset(self):
        """index.md: "With one row for every subset of the data, the grid holds every counterfactual
        that keeps or drops training points." (and "every one of the 16 subsets")."""
        g = grid("four_points_logistic")
        assert g.values.shape[0] == 2**g.n_points == 16
        assert len(set(g.row_names)) == 16

    def test_removing_b_hurts_most_at_b(self):
        """index.md: "Removing B hurts the model most at B itself: the score there falls from 0.69
        to 0.50.\""""
        g = grid("four_points_logistic")
        change = g.row("ABCD") - g.row("ACD")
        assert change.argmax() == col(g, "B") and change[col(g, "B")] > 0

    def test_loo_of_b_is_the_mean_of_the_row_difference(self):
        """index.md: "Averaged over all four columns, the leave-one-out value of B is +0.049.\""""
        g = grid("four_points_logistic")
        assert g.loo()[pt(g, "B")] == pytest.approx((g.row("ABCD") - g.row("ACD")).mean(), abs=1e-15)

    def test_twins_lose_nothing_alone_but_matter_together(self):
        """index.md: "a one-nearest-neighbour model loses nothing without B (0.000) or without C
        (0.000), but without both its average score drops by +0.400: a group can matter more
        than its members one by one.\""""
        g = grid("near_duplicates_knn")
        loo = g.loo()
        assert loo[pt(g, "B")] == loo[pt(g, "C")] == 0.0
        assert g.group_loo("BC") > loo[pt(g, "B")] + loo[pt(g, "C")]

    def test_index_quotes_shapley_not_banzhaf(self):
        """index.md: "The Shapley value of B here is +0.068. The Banzhaf value instead weighs every
        set equally ... and gives B +0.090": two different numbers from the two readings."""
        text = page("index.md")
        assert re.search(r'Shapley value of B\s+here is\s+\{\{ dcf\.shapley\("four_points_logistic", point="B"\) \}\}', text)
        assert re.search(r'gives B\s+\{\{ dcf\.banzhaf\("four_points_logistic", point="B"\) \}\}', text)
        g = grid("four_points_logistic")
        b = pt(g, "B")
        assert quoted(g.shapley()[b]) != quoted(g.banzhaf()[b])

    def test_scaling_climbs_from_one_point_to_four(self):
        """index.md: "The mean score climbs from 0.50 with one training point to 0.78 with all four.\""""
        curve = grid("four_points_logistic").scaling()
        assert (np.diff(curve[1:]) >= 0).all() and curve[4] > curve[1]


class TestShapleyDefinition:
    """The Shapley value is size-stratified; the equal-weight average over sets is Banzhaf."""

    SHAPLEY_WEIGHT = "1 / (*n* · C(*n* − 1, |*S*|))"
    BANZHAF_ONLY = re.compile(r"every training set it could join|(average|averages)[^.]*over every training set")

    @pytest.mark.parametrize("name", ["index.md", "leave-one-out.md"])
    def test_pages_state_the_shapley_weight(self, name):
        """index.md and leave-one-out.md define Shapley with the weight 1 / (n · C(n − 1, |S|))."""
        assert self.SHAPLEY_WEIGHT in " ".join(page(name).split())

    @pytest.mark.parametrize("name", ["index.md", "grid.md", "leave-one-out.md", "try-it.md", "references.md"])
    def test_no_page_calls_the_equal_weight_average_shapley(self, name):
        """No sentence about Shapley (and not Banzhaf) describes an equal-weight average over sets."""
        wrong = [s for s in sentences(page(name))
                 if "Shapley" in s and "Banzhaf" not in s and self.BANZHAF_ONLY.search(s)]
        assert wrong == []

    def test_index_banzhaf_weight_is_equal_for_every_set(self):
        """index.md: "The Banzhaf value instead weighs every set equally, 1 / 2^(n − 1)"."""
        assert "1 / 2<sup>*n* − 1</sup>" in page("index.md")
        np.testing.assert_allclose(_semivalues.banzhaf_weights(4), 1 / 2**3, rtol=0, atol=0)

    def test_shapley_is_the_average_over_orders(self):
        """The stated Shapley weights give the average marginal contribution over all n! orders."""
        import itertools

        g = grid("four_points_logistic")
        u, n = g.utility(), g.n_points
        by_order = np.zeros(n)
        orders = list(itertools.permutations(range(n)))
        for order in orders:
            before = 0
            for i in order:
                by_order[i] += u[before | 1 << i] - u[before]
                before |= 1 << i
        np.testing.assert_allclose(g.shapley(), by_order / len(orders), rtol=0, atol=1e-12)
        w = np.array([1 / (n * math.comb(n - 1, k)) for k in range(n)])
        np.testing.assert_allclose(_semivalues.shapley_weights(n), w, rtol=0, atol=1e-15)
        assert not np.allclose(g.shapley(), g.banzhaf(), rtol=0, atol=1e-3)


# --- grid.md ---------------------------------------------------------------------------------


class TestGridPage:
    def test_full_model_beats_abd_at_c(self):
        """grid.md: "trained on A, B and D it gives C's true label a probability of 0.52, while
        trained on all four points it gives 0.71.\""""
        g = grid("four_points_logistic")
        assert g.row("ABD")[col(g, "C")] < g.row("ABCD")[col(g, "C")]

    def test_smaller_c_means_a_stronger_penalty(self):
        """grid.md: "C is the inverse strength ... so a smaller C means a stronger penalty": with a
        smaller C the full model's probabilities sit nearer 1/2."""
        train = dcf.toy_dataset("four_points")
        spread = {c: np.abs(dcf.compute_grid(train, dcf.models.LogisticRegression(C=c)).row("ABCD") - 0.5)
                  for c in (0.1, 1.0, 10.0)}
        assert (spread[0.1] < spread[1.0]).all() and (spread[1.0] < spread[10.0]).all()

    def test_other_metrics_give_grids_of_the_same_shape(self):
        """grid.md: "Other scores are possible (accuracy, log loss); each gives a different grid of
        the same shape.\""""
        train, model = dcf.toy_dataset("four_points"), dcf.models.LogisticRegression(C=1.0)
        base = grid("four_points_logistic").values
        for metric in ("accuracy", "log_loss"):
            other = dcf.compute_grid(train, model, metric=metric).values
            assert other.shape == base.shape and not np.array_equal(other, base)

    def test_one_nn_is_perfect_on_its_own_points(self):
        """grid.md: "a one-nearest-neighbour model trained on all four points scores 1.00 at every
        one of them\""""
        np.testing.assert_array_equal(grid("four_points_knn").row("ABCD"), 1.0)

    def test_one_nn_loses_nothing_without_any_own_point(self):
        """grid.md: "leaving any point out costs it nothing: each leave-one-out value is 0.000.\""""
        np.testing.assert_array_equal(grid("four_points_knn").loo(), 0.0)

    def test_fresh_points_lower_the_full_models_mean(self):
        """grid.md: "On fresh points the full model's mean score is 0.80, not 1.00\""""
        fresh, own = grid("four_points_knn_fresh"), grid("four_points_knn")
        assert fresh.utility()[-1] < own.utility()[-1] == 1.0

    def test_fresh_e_lies_nearest_training_c_but_in_the_other_class(self):
        """grid.md: "fresh point E lies nearest training point C but belongs to the other class.\""""
        train, fresh = dcf.toy_dataset("four_points"), dcf.toy_dataset("four_points_fresh")
        e = fresh.names.index("E")
        nearest = ((train.X - fresh.X[e]) ** 2).sum(axis=1).argmin()
        assert train.names[nearest] == "C" and train.y[nearest] != fresh.y[e]
        g = grid("four_points_knn_fresh")
        assert g.row("ABCD")[col(g, "E")] == 0.0

    def test_fresh_points_make_b_and_c_matter(self):
        """grid.md: "two training points now matter: leaving out B costs +0.200 ..., leaving out C
        costs +0.200, while A and D still cost 0.000 and 0.000.\""""
        loo = grid("four_points_knn_fresh").loo()
        assert loo[1] > 0 and loo[2] > 0 and loo[0] == loo[3] == 0.0

    def test_without_b_fresh_bs_nearest_neighbour_is_c(self):
        """grid.md: "(fresh point B's nearest neighbour becomes C)\""""
        train, fresh = dcf.toy_dataset("four_points"), dcf.toy_dataset("four_points_fresh")
        keep = [0, 2, 3]
        nearest = keep[((train.X[keep] - fresh.X[1]) ** 2).sum(axis=1).argmin()]
        assert train.names[nearest] == "C"

    def test_empty_row_is_one_half_everywhere(self):
        """grid.md: "With two classes, every cell of row ∅ is 0.50.\""""
        np.testing.assert_array_equal(grid("four_points_logistic").row(""), 0.5)

    def test_one_class_rows_are_certain(self):
        """grid.md: "Rows A, B and AB score 1.00 at A and B and 0.00 at C and D; rows C, D and CD do
        the opposite.\""""
        g = grid("four_points_logistic")
        for row in ("A", "B", "AB"):
            np.testing.assert_array_equal(g.row(row), [1.0, 1.0, 0.0, 0.0])
        for row in ("C", "D", "CD"):
            np.testing.assert_array_equal(g.row(row), [0.0, 0.0, 1.0, 1.0])

    def test_every_leave_one_out_row_holds_both_classes(self):
        """grid.md: "Leave-one-out compares the full set with sets of three points, all of which
        contain both classes\""""
        y = dcf.toy_dataset("four_points").y
        for i in range(4):
            assert set(np.delete(y, i)) == {0, 1}

    def test_loo_is_the_same_under_both_conventions(self):
        """grid.md: "so no convention touches it" and "the leave-one-out value of A is +0.044 under
        both conventions (+0.044 with zeros).\""""
        np.testing.assert_array_equal(grid("four_points_logistic").loo(), grid("four_points_logistic_zero").loo())

    def test_shapley_of_a_moves_with_the_convention(self):
        """grid.md: "But its Shapley value moves from +0.072 to +0.197.\""""
        fallback, zero = grid("four_points_logistic").shapley()[0], grid("four_points_logistic_zero").shapley()[0]
        assert quoted(fallback) != quoted(zero)

    def test_zero_convention_zeroes_the_empty_and_one_class_rows(self):
        """grid.md: "every cell is 0 where scikit-learn cannot fit (the empty set and one-class sets)\""""
        g = grid("four_points_logistic_zero")
        for row in ("∅", "A", "B", "AB", "C", "D", "CD"):
            np.testing.assert_array_equal(g.row(row), 0.0)
        assert (g.row("AC") > 0).all()


# --- leave-one-out.md ------------------------------------------------------------------------


class TestLeaveOneOutPage:
    def test_leaving_out_e_lowers_es_own_score(self):
        """leave-one-out.md: "Leaving out E costs E itself: its score falls from 0.24 to 0.07.\""""
        g = grid("mislabelled_logistic")
        assert g.row("ABCDFGH")[col(g, "E")] < g.row("ABCDEFGH")[col(g, "E")]

    def test_the_class_0_points_around_e_gain(self):
        """leave-one-out.md: "But the class 0 points around it gain: A, for one, goes from 0.86 to 0.97.\""""
        g = grid("mislabelled_logistic")
        gain = g.row("ABCDFGH") - g.row("ABCDEFGH")
        assert (gain[[col(g, p) for p in "ABCD"]] > 0).all()

    def test_averaged_over_the_columns_the_gains_win(self):
        """leave-one-out.md: "Averaged over all the columns, the gains win" (E's LOO is negative)."""
        g = grid("mislabelled_logistic")
        assert g.loo()[pt(g, "E")] < 0

    def test_e_is_the_only_negative_loo(self):
        """leave-one-out.md: "E is the one point with a negative value ... sort the points by value
        and look at the bottom first.\""""
        g = grid("mislabelled_logistic")
        loo = g.loo()
        assert [g.point_names[i] for i in np.flatnonzero(loo < 0)] == ["E"] and loo.argmin() == pt(g, "E")

    def test_shapley_agrees_e_is_the_only_negative(self):
        """leave-one-out.md: "The Shapley value agrees: E's is the only negative one.\""""
        g = grid("mislabelled_logistic")
        assert [g.point_names[i] for i in np.flatnonzero(g.shapley() < 0)] == ["E"]

    def test_relabelling_e_makes_every_point_worth_something(self):
        """leave-one-out.md: "Fix the label and every point is worth something again.\""""
        data = dcf.toy_dataset("mislabelled")
        y = data.y.copy()
        y[data.names.index("E")] = 0
        fixed = dcf.compute_grid(dcf.Dataset(data.X, y, names=data.names), dcf.models.LogisticRegression(C=1.0))
        assert (fixed.loo() > 0).all()

    def test_the_strike_costs_more_than_its_members_one_by_one(self):
        """leave-one-out.md: "One by one, their leave-one-out values add up to only +0.012 + 0.009 +
        0.011 ... Together they cost the model +0.246\""""
        g = grid("mislabelled_logistic")
        loo = g.loo()
        members = sum(loo[pt(g, p)] for p in "FGH")
        assert all(loo[pt(g, p)] > 0 for p in "FGH") and g.group_loo("FGH") > members

    def test_after_the_strike_e_is_the_only_class_1_point(self):
        """leave-one-out.md: "because the only class 1 point left to learn from is the mislabelled E.\""""
        data = dcf.toy_dataset("mislabelled")
        left = [i for i, name in enumerate(data.names) if name not in "FGH"]
        assert [data.names[i] for i in left if data.y[i] == 1] == ["E"]

    def test_each_twin_stands_in_for_the_other(self):
        """leave-one-out.md: "Without B, the nearest neighbour of B is C, which has the same label;
        without C, it is B.\""""
        data = dcf.toy_dataset("near_duplicates")
        for gone, kept in ((1, 2), (2, 1)):
            others = [i for i in range(data.n_points) if i != gone]
            nearest = others[((data.X[others] - data.X[gone]) ** 2).sum(axis=1).argmin()]
            assert nearest == kept and data.y[nearest] == data.y[gone]

    def test_twins_are_worthless_to_loo_and_the_others_equal(self):
        """leave-one-out.md: "So LOO gives each twin 0.000 and 0.000: worthless, one by one, while A,
        D and E are each worth +0.200.\""""
        loo = grid("near_duplicates_knn").loo()
        assert loo[1] == loo[2] == 0.0
        assert loo[0] == loo[3] == loo[4] > 0

    def test_removing_both_twins_costs_more_than_any_single_point(self):
        """leave-one-out.md: "Remove both twins and the score drops by +0.400, more than any single
        point is worth.\""""
        g = grid("near_duplicates_knn")
        assert g.group_loo("BC") > g.loo().max()

    def test_shapley_splits_the_twins_value_equally(self):
        """leave-one-out.md: "gives B +0.103 and C +0.103, splitting their shared value between them\""""
        shapley = grid("near_duplicates_knn").shapley()
        assert shapley[1] == pytest.approx(shapley[2], abs=1e-15) and shapley[1] > 0


# --- try-it.md -------------------------------------------------------------------------------


class TestTryItPage:
    def test_shapley_weighs_every_size_equally_banzhaf_every_set(self):
        """try-it.md: "Shapley gives every size of training set the same total weight, Banzhaf gives
        every training set the same weight\""""
        n = 5
        np.testing.assert_allclose(weight_sums_by_size(_semivalues.shapley_weights(n), n), 1 / n, rtol=1e-12)
        assert np.unique(_semivalues.banzhaf_weights(n)).size == 1

    def test_leave_one_out_looks_only_at_the_full_set(self):
        """try-it.md: "leave-one-out looks only at the full set\""""
        g = grid("near_duplicates_knn")
        np.testing.assert_allclose(g.semivalue(_semivalues.loo_weights(5)), g.loo(), rtol=0, atol=1e-15)

    def test_beta_16_1_weighs_sets_of_none_or_one_point_most(self):
        """try-it.md: "Beta(16, 1) puts most of its weight on training sets of none or one point.\""""
        n = grid("near_duplicates_knn").n_points
        by_size = weight_sums_by_size(_semivalues.beta_weights(n, 16, 1), n)
        assert by_size[:2].sum() > 0.5

    def test_twins_get_positive_shapley_and_banzhaf(self):
        """try-it.md: "leave-one-out gives the twins B and C nothing, while Shapley gives each of them
        +0.103 and Banzhaf +0.131.\""""
        g = grid("near_duplicates_knn")
        assert (g.loo()[[1, 2]] == 0).all()
        for values in (g.shapley(), g.banzhaf()):
            assert values[1] == pytest.approx(values[2], abs=1e-15) and values[1] > 0

    def test_beta_16_1_is_negative_for_a_and_d_only(self):
        """try-it.md: "Beta(16, 1) gives A and D negative values, although each is worth +0.200 to
        the full model.\""""
        g = grid("near_duplicates_knn")
        beta = g.beta_shapley(16, 1)
        assert [g.point_names[i] for i in np.flatnonzero(beta < 0)] == ["A", "D"]
        assert g.loo()[0] > 0 and g.loo()[3] > 0

    def test_a_alone_and_d_alone_score_below_no_data(self):
        """try-it.md: "the mean score falls from 0.50 with no training data to 0.40, and D alone does
        the same (0.40).\""""
        g = grid("near_duplicates_knn")
        u = g.utility()
        assert u[g.row_index("A")] < u[0] and u[g.row_index("D")] < u[0]
        np.testing.assert_array_equal(g.row("A"), g.row("D"))
        assert set(np.flatnonzero(g.row("A") == 1)) == {0, 3}        # right only at A and D

    def test_a_changes_nothing_added_to_one_other_point(self):
        """try-it.md: "Added to any single other point, A changes nothing.\""""
        u = grid("near_duplicates_knn").utility()
        for j in range(1, 5):
            assert u[1 << j | 1] == u[1 << j]

    def test_d_harms_the_empty_set_more_than_it_gains_on_single_points(self):
        """try-it.md: "D's harm to the empty set likewise outweighs its small gains on one-point sets.\""""
        g = grid("near_duplicates_knn")
        u, d, n = g.utility(), 3, g.n_points
        singles = [u[1 << j | 1 << d] - u[1 << j] for j in range(n) if j != d]
        assert np.mean(singles) > 0
        by_size = weight_sums_by_size(_semivalues.beta_weights(n, 16, 1), n)
        assert by_size[0] * (u[1 << d] - u[0]) + by_size[1] * np.mean(singles) < 0

    def test_shapley_and_banzhaf_keep_a_and_d_positive(self):
        """try-it.md: "Shapley and Banzhaf give the larger sets enough weight to keep both positive.\""""
        g = grid("near_duplicates_knn")
        for values in (g.shapley(), g.banzhaf()):
            assert values[0] > 0 and values[3] > 0

    def test_xor_logistic_cells_move(self):
        """try-it.md: "A logistic regression's cells do move (trained on A, B and C it scores 0.69 at
        A but 0.25 at D)\""""
        g = grid("xor_logistic")
        row = g.row("ABC")
        assert row[col(g, "A")] > 0.5 > row[col(g, "D")]
        sizes = np.array([bin(r).count("1") for r in range(16)])
        three = g.values[sizes == 3]
        assert row[col(g, "A")] == pytest.approx(three.max()) and row[col(g, "D")] == pytest.approx(three.min())

    def test_xor_logistic_curve_stays_at_one_half_but_at_three_points(self):
        """try-it.md: "its curve stays at 0.50 at every size except three points, where it reaches only
        0.502.\""""
        curve = grid("xor_logistic").scaling()
        np.testing.assert_allclose(curve[[0, 1, 2, 4]], 0.5, rtol=0, atol=1e-9)
        assert 0.5 < curve[3] < 0.51

    def test_xor_knn_curve_is_flat_then_rises(self):
        """try-it.md: "One nearest neighbour's curve is flat at 0.50 for one and for two training
        points ...; then it rises to 0.75 with three points and 1.00 with all four.\""""
        curve = grid("xor_knn").scaling()
        assert curve[0] == curve[1] == curve[2] == 0.5 < curve[3] < curve[4] == 1.0

    def test_xor_knn_singles_and_pairs_break_even(self):
        """try-it.md: "a point, or a pair, helps at some columns exactly as much as it hurts at others\""""
        g = grid("xor_knn")
        small = [r for r in range(16) if 1 <= bin(r).count("1") <= 2]
        np.testing.assert_array_equal(g.utility()[small], 0.5)


# --- references.md and conventions.md --------------------------------------------------------


class TestReferencesAndConventions:
    def test_beta_16_1_weighs_small_sets_more_than_large(self):
        """references.md: "Beta(16, 1) ... weighs small training sets more than large ones.\""""
        for n in (4, 5, 8):
            assert (np.diff(_semivalues.beta_weights(n, 16, 1)) < 0).all()

    def test_banzhaf_gives_every_set_equal_weight(self):
        """references.md: "Data Banzhaf ... Equal weight for every training set.\""""
        for n in (4, 8):
            assert np.unique(_semivalues.banzhaf_weights(n)).size == 1

    @pytest.mark.parametrize("weights", [
        _semivalues.shapley_weights, _semivalues.banzhaf_weights, _semivalues.loo_weights,
        lambda n: _semivalues.beta_weights(n, 16, 1), lambda n: _semivalues.beta_weights(n, 4, 1),
    ], ids=["shapley", "banzhaf", "loo", "beta16_1", "beta4_1"])
    def test_semivalue_weights_of_all_sets_add_up_to_one(self, weights):
        """conventions.md: "Each of these satisfies Σ_k C(n − 1, k) · w[k] = 1\""""
        for n in (1, 4, 9, 16):
            assert weight_sums_by_size(weights(n), n).sum() == pytest.approx(1.0, abs=1e-12)

    def test_beta_1_1_is_shapley(self):
        """conventions.md: "Beta(1, 1) is the Shapley value\""""
        np.testing.assert_allclose(_semivalues.beta_weights(6, 1, 1), _semivalues.shapley_weights(6), rtol=1e-12)

    def test_conventions_page_states_the_codes_constants(self):
        """conventions.md: "Exact grids stop at 16 points" and "clipped below at LOG_LOSS_EPS = 1e-15,
        so a confident mistake costs about 34.5\""""
        text = " ".join(page("conventions.md").split())
        assert f"Exact grids stop at {dcf.MAX_EXACT_POINTS} points" in text
        assert f"`LOG_LOSS_EPS` = {LOG_LOSS_EPS:.0e}" in text
        assert f"about {-math.log(LOG_LOSS_EPS):.1f}" in text

    def test_empty_set_hard_label_is_the_smallest_class(self):
        """conventions.md: "its hard label, for `accuracy`, is the smallest of them.\""""
        g = dcf.compute_grid(dcf.toy_dataset("four_points"), dcf.models.KNN(k=1), metric="accuracy")
        np.testing.assert_array_equal(g.row("∅"), [1.0, 1.0, 0.0, 0.0])

    def test_unknown_label_scores_as_certainly_wrong(self):
        """conventions.md: "An evaluation point whose label no training point has is scored as
        certainly wrong: 0 for prob_correct and accuracy, the clipped maximum for log_loss.\""""
        train = dcf.toy_dataset("four_points")
        stranger = dcf.Dataset([[1.0, 1.0]], [2])
        for metric, wrong in (("prob_correct", 0.0), ("accuracy", 0.0), ("log_loss", -math.log(LOG_LOSS_EPS))):
            g = dcf.compute_grid(train, dcf.models.KNN(k=1), eval=stranger, metric=metric)
            np.testing.assert_allclose(g.values, wrong, rtol=1e-12)

    def test_knn_shapley_and_the_knn_grid_shapley_differ(self):
        """conventions.md: "so `knn_shapley` and the Shapley value of a KNN grid generally differ.\""""
        data = dcf.toy_dataset("near_duplicates")
        assert not np.allclose(dcf.knn_shapley(data, data, k=1), grid("near_duplicates_knn").shapley())
