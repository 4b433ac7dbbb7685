"""The "Data poisoning" page: its measurement against brute force, and every comparative claim.

The worst accuracy by budget is recomputed without datacf: the labels flipped (or features
shifted) by hand with numpy on every set of points, scikit-learn's LogisticRegression fitted on
each result, the held-out accuracy taken, and the minimum over the sets of each size. The
leave-one-out and Shapley values come from scikit-learn fits of every subset and the
definitions written as loops (tests/oracles.py). Each claim test quotes the sentence it checks.
"""
import itertools

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogistic

from sitebuild import measured, poisoning_example

from oracles import coalition_semivalue, sklearn_predict_grid

N_POINTS = 10


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    directory = tmp_path_factory.mktemp("measured")
    return measured.build_measurements(directory, log=lambda m: None, only={"poisoning_flips"})["poisoning_flips"]


@pytest.fixture(scope="module")
def data():
    return poisoning_example.attack_data()


def _sk_accuracy(X, y, test):
    """Held-out accuracy of scikit-learn's logistic regression on (X, y), one class by convention."""
    if np.unique(y).size == 1:
        return float(np.mean(test.y == y[0]))
    model = SkLogistic(C=1.0, tol=1e-10, solver="newton-cholesky", max_iter=1000).fit(X, y)
    return float(np.mean(model.predict(test.X) == test.y))


def _brute_force(train, test, edit_points):
    """{size: [accuracy of every set of that size, in combinations order]} for an edit done by hand."""
    out = {}
    for size in range(N_POINTS + 1):
        out[size] = [_sk_accuracy(*edit_points(np.array(F, dtype=int)), test)
                     for F in itertools.combinations(range(N_POINTS), size)]
    return out


@pytest.fixture(scope="module")
def flips_by_hand(data):
    train, test, _ = data

    def flip(F):
        y = train.y.copy()
        y[F] = 1 - y[F]
        return train.X, y

    return _brute_force(train, test, flip)


@pytest.fixture(scope="module")
def shifts_by_hand(data):
    train, test, _ = data

    def shift(F):
        X = train.X.copy()
        X[F] += poisoning_example.INPUTS["shift"]
        return X, train.y

    return _brute_force(train, test, shift)


@pytest.fixture(scope="module")
def subset_readings(data):
    train, test, _ = data
    hard = sklearn_predict_grid(train, test, lambda size: SkLogistic(C=1.0, tol=1e-10, solver="newton-cholesky"))
    u = (hard == test.y).mean(axis=1)
    full = 2 ** N_POINTS - 1
    loo = np.array([u[full] - u[full ^ (1 << i)] for i in range(N_POINTS)])
    from math import comb
    shapley = coalition_semivalue(u, N_POINTS, lambda k: 1.0 / (N_POINTS * comb(N_POINTS - 1, k)))
    return loo, shapley


def _names(F):
    return "".join("ABCDEFGHIJ"[i] for i in F)


class TestMeasurementAgainstBruteForce:
    def test_worst_flip_accuracy_is_the_minimum_over_every_flipped_set(self, doc, flips_by_hand):
        """Every budget's worst accuracy is the min of scikit-learn's accuracy over all C(10, b) flipped datasets."""
        assert doc["flip"]["worst"] == pytest.approx([min(v) for v in flips_by_hand.values()], abs=1e-12)

    def test_mean_flip_accuracy_is_the_mean_over_every_flipped_set(self, doc, flips_by_hand):
        """The random attacker's curve is the plain mean over the sets of each size."""
        assert doc["flip"]["mean"] == pytest.approx([np.mean(v) for v in flips_by_hand.values()], abs=1e-12)

    def test_worst_flipped_set_attains_the_minimum(self, doc, flips_by_hand):
        """The set the page names for each budget is one whose brute-force accuracy is the minimum."""
        for size, accuracies in flips_by_hand.items():
            sets = list(itertools.combinations(range(N_POINTS), size))
            attaining = [_names(F) for F, a in zip(sets, accuracies) if a == min(accuracies)]
            assert doc["flip"]["worst_sets"][size] in attaining
            assert doc["flip"]["n_worst_sets"][size] == len(attaining)

    def test_worst_shift_accuracy_is_the_minimum_over_every_shifted_set(self, doc, shifts_by_hand):
        """The shift curve is the min over all datasets with those points' features moved by +2."""
        assert doc["shift"]["worst"] == pytest.approx([min(v) for v in shifts_by_hand.values()], abs=1e-12)
        assert doc["shift"]["worst_sets"][1] == _names([int(np.argmin(shifts_by_hand[1]))])

    def test_single_flip_damage_is_clean_minus_one_flip(self, doc, flips_by_hand):
        """The table's 'accuracy lost by flipping it alone' is clean accuracy minus each single flip's."""
        clean = flips_by_hand[0][0]
        assert doc["points"]["flip_damage"] == pytest.approx([clean - a for a in flips_by_hand[1]], abs=1e-12)

    def test_loo_and_shapley_match_the_definitions_on_scikit_learn_fits(self, doc, subset_readings):
        """Leave-one-out and Shapley (accuracy) equal the definitions over a scikit-learn subset grid."""
        loo, shapley = subset_readings
        np.testing.assert_allclose(doc["points"]["loo"], loo, rtol=0, atol=1e-12)
        np.testing.assert_allclose(doc["points"]["shapley"], shapley, rtol=0, atol=1e-12)

    def test_valuation_attacks_are_read_from_brute_force(self, doc, flips_by_hand):
        """Each 'accuracy after flipping the top b' is the brute-force accuracy of that very set."""
        for c in doc["comparisons"]:
            sets = [_names(F) for F in itertools.combinations(range(N_POINTS), c["budget"])]
            for key in ("loo", "shapley"):
                assert c[f"accuracy_{key}"] == flips_by_hand[c["budget"]][sets.index(c[f"top_{key}"])]


class TestClaims:
    def test_one_flip_is_a_malignant_point(self, doc, data):
        """'the attacker flips point A, one of the two malignant points'."""
        train = data[0]
        assert doc["n_class0"] == 2 and doc["first"]["attacker"] == "A"
        assert train.y[train.names.index("A")] == 0

    def test_worst_half_is_far_below_a_random_half(self, doc):
        """'half the labels (19.0%) far less than a random half does (50.0% on average)'."""
        assert doc["flip"]["half"] < doc["flip"]["half_mean"] - 0.2

    def test_worst_curve_falls_at_every_budget(self, doc):
        """'One flipped label … brings that down …; two flips reach …': each extra flip lowers the worst case."""
        worst = doc["flip"]["worst"]
        assert all(b < a for a, b in zip(worst, worst[1:]))

    def test_one_flip_agrees_with_both_valuations(self, doc):
        """'For one flip they agree: point A is the attacker's choice and has the largest LOO and Shapley values.'"""
        first = doc["first"]
        assert first["attacker"] == first["top_loo"] == first["top_shapley"]
        assert first["n_worst_sets"] == 1

    def test_beyond_one_flip_they_part(self, doc):
        """'Beyond one flip they part': for 2 and 3 flips the attacker's set is neither top set."""
        for c in doc["comparisons"][1:]:
            assert c["attacker"] != c["top_loo"] and c["attacker"] != c["top_shapley"]
            assert c["n_worst_sets"] == 1

    def test_j_costs_nothing_removed_but_second_most_flipped(self, doc):
        """'removing it costs nothing …, yet flipping it alone costs 0.126, the second-largest loss'."""
        points = doc["points"]
        j = points["names"].index("J")
        assert points["loo"][j] == 0.0
        assert np.argsort(points["flip_damage"])[::-1][1] == j

    def test_valuation_heuristics_fall_short_of_the_worst_case(self, doc):
        """'the Shapley ranking beats a random choice here and leave-one-out's barely does; neither finds the worst case'."""
        three, random_three = doc["comparisons"][2], doc["flip"]["mean"][3]
        assert three["budget"] == 3
        assert three["worst"] < three["accuracy_shapley"] < three["accuracy_loo"] < random_three
        assert random_three - three["accuracy_loo"] < 0.05 < random_three - three["accuracy_shapley"]

    def test_shifts_hurt_less_once_they_reach_everyone(self, doc):
        """'shifting all ten points leaves 63.9%, well above that lowest value'."""
        shift = doc["shift"]
        assert shift["all"] > shift["lowest"] + 0.3
        assert shift["lowest"] == min(shift["worst"]) and shift["lowest_budget"] < N_POINTS
        assert all(w > shift["lowest"] for w in shift["worst"][:shift["lowest_budget"]])

    def test_worst_single_shift_is_another_point(self, doc):
        """'the worst single shift moves point E, not A'."""
        assert doc["shift"]["worst_sets"][1] != doc["first"]["attacker"]


def test_page_quotes_every_number_from_the_measurement(doc):
    """The page renders with the measurement: no placeholder survives and the key numbers appear."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "poisoning.md").read_text(encoding="utf-8")
    out = measured.page_markdown(text, {"poisoning_flips": doc}, "poisoning.md")
    assert "{{ measured" not in out and "```datacf-measured" not in out
    assert f"{100 * doc['flip']['one']:.1f}%" in out
