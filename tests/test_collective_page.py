"""The "Algorithmic collective action" page: its measurement against brute force, and every claim.

Success is recomputed without datacf's learners: the signal planted by hand with numpy (pixel
set to 16, label set to 8) in each collective's images, scikit-learn's LogisticRegression fitted
on the result, and the share of held-out images with the signal it calls 8. The exact toy pool
is checked on every collective of the sizes the page quotes; the sampled pool on the
collectives the sampler drew (their membership is the sampler's choice, their success is
recomputed). The signal's xi and Delta are counted from scikit-learn's digits directly.
"""
import itertools
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression as SkLogistic

import datacf as dcf
from sitebuild import collective_example, measured

INPUTS = collective_example.INPUTS
TARGET, VALUE = INPUTS["target"], INPUTS["signal_value"]


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    directory = tmp_path_factory.mktemp("measured")
    return measured.build_measurements(directory, log=lambda m: None, only={"collective_digits"})["collective_digits"]


@pytest.fixture(scope="module")
def data():
    return collective_example.digits_data()


def _fit(X, y):
    if np.unique(y).size == 1:
        return lambda Z: np.full(len(Z), y[0])
    return SkLogistic(C=1.0, tol=1e-8, solver="newton-cholesky", max_iter=1000).fit(X, y).predict


def _success(train, test, members, feature):
    """Share of held-out images, signal planted, that the model trained with the collective calls 8."""
    X, y = train.X.copy(), train.y.copy()
    X[members, feature] = VALUE
    y[members] = TARGET
    carriers = test.X.copy()
    carriers[:, feature] = VALUE
    return float(np.mean(_fit(X, y)(carriers) == TARGET))


def _accuracy(train, test, keep):
    return float(np.mean(_fit(train.X[keep], train.y[keep])(test.X) == test.y))


class TestMeasurementAgainstBruteForce:
    @pytest.mark.parametrize("size", [0, 1, 3, 10, 11])
    def test_toy_success_over_every_collective_of_a_size(self, doc, data, size):
        """Mean, worst and best success over every collective of the 12 images match scikit-learn fits."""
        toy, _, test, _ = data
        values = [_success(toy, test, list(F), INPUTS["signals"]["unique"])
                  for F in itertools.combinations(range(toy.n_points), size)]
        exact = doc["exact"]["success"]
        assert exact["mean"][size] == pytest.approx(np.mean(values), abs=1e-12)
        assert exact["minimum"][size] == min(values) and exact["maximum"][size] == max(values)

    def test_toy_strike_of_three_is_every_subset_without_three(self, doc, data):
        """Worst and mean held-out accuracy after every strike of three equal scikit-learn on the other nine."""
        toy, _, test, _ = data
        values = []
        for F in itertools.combinations(range(toy.n_points), 3):
            keep = np.ones(toy.n_points, bool)
            keep[list(F)] = False
            values.append(_accuracy(toy, test, keep))
        quarter = doc["exact"]["quarter"]
        assert quarter["b"] == 3
        assert quarter["strike_worst"] == min(values)
        assert quarter["strike_mean"] == pytest.approx(np.mean(values), abs=1e-12)
        assert doc["exact"]["clean"] == _accuracy(toy, test, np.ones(toy.n_points, bool))

    @pytest.mark.parametrize("key,sizes", [("unique", None), ("common", [6, 48])])
    def test_pool_success_of_the_sampled_collectives(self, doc, data, key, sizes):
        """Each size's mean success is the mean of scikit-learn fits on the collectives the sampler drew."""
        _, pool, test, _ = data
        sampler = dcf.samplers.Sizes([0] + INPUTS["pool_sizes"], per_size=INPUTS["per_size"])
        members = sampler._members(pool.n_points, np.random.default_rng(INPUTS["sample_seed"]))
        drawn = dcf.compute_success_grid(pool, dcf.models.LogisticRegression(C=1.0),
                                         dcf.edits.PlantSignal(INPUTS["signals"][key], VALUE, TARGET),
                                         eval=test, sampler=sampler, rng=INPUTS["sample_seed"]).members
        np.testing.assert_array_equal(members, drawn)
        counts = members.sum(axis=1)
        pool_sizes = doc["pool"]["sizes"]
        for size in sizes or pool_sizes:
            values = [_success(pool, test, np.flatnonzero(m), INPUTS["signals"][key]) for m in members[counts == size]]
            i = pool_sizes.index(size)
            assert doc["pool"]["signals"][key]["mean"][i] == pytest.approx(np.mean(values), abs=1e-12)
            assert doc["pool"]["signals"][key]["minimum"][i] == min(values)

    def test_signal_terms_are_counted_from_the_digits(self, doc):
        """xi is the share of 3s and 8s with the pixel at 16; Delta the largest label gap among them."""
        X, y = load_digits(return_X_y=True)
        keep = np.isin(y, [3, 8])
        X, y = X[keep], y[keep]
        for key, pixel in INPUTS["signals"].items():
            carries = X[:, pixel] == 16
            assert doc["terms"][key]["xi"] == pytest.approx(carries.mean(), abs=1e-15)
            # every carrying image is a distinct vector here, so its conditional label is its own
            assert len({tuple(r) for r in X[carries]}) == carries.sum()
            expected = 1.0 if np.any(y[carries] != TARGET) else 0.0
            assert doc["terms"][key]["delta"] == expected

    def test_bounds_follow_the_formula(self, doc):
        """The plotted bound is 1 - (1 - alpha) / alpha * xi * Delta with alpha = b / n."""
        n, N = doc["n_toy"], doc["pool"]["n_points"]
        t = doc["terms"]
        for b, value in enumerate(doc["exact"]["bound"]):
            expected = None if b == 0 else 1 - (1 - b / n) / (b / n) * t["unique"]["xi"] * t["unique"]["delta"]
            assert value == expected
        for b, value in zip(doc["pool"]["sizes"][1:], doc["pool"]["signals"]["common"]["bound"][1:]):
            a = b / N
            assert value == pytest.approx(1 - (1 - a) / a * t["common"]["xi"] * t["common"]["delta"], abs=1e-12)


class TestClaims:
    def test_baseline_is_the_clean_models_ordinary_predictions(self, doc, data):
        """'the model already calls 59.0% … an 8: its ordinary predictions, since a blank pixel gets no weight'."""
        toy, _, test, _ = data
        plain = _fit(toy.X, toy.y)(test.X)
        assert doc["exact"]["baseline"] == float(np.mean(plain == TARGET))

    def test_common_signal_is_mostly_in_threes(self, doc):
        """'pixel 5 … at full ink, which 2.5% of the images already have, most of them 3s'."""
        X, y = load_digits(return_X_y=True)
        keep = np.isin(y, [3, 8])
        carries = X[keep][:, INPUTS["signals"]["common"]] == 16
        assert np.mean(y[keep][carries] == 3) > 0.5

    def test_unique_signal_needs_far_fewer_members(self, doc):
        """'a signal no one else carries needs far fewer of them than one the base population already uses'."""
        pool = doc["pool"]
        first = {k: next(b for b, m in zip(pool["sizes"], pool["signals"][k]["mean"]) if m >= 0.9)
                 for k in ("unique", "common")}
        assert 4 * first["unique"] <= first["common"]

    def test_on_the_toy_pool_planting_costs_more_accuracy_than_a_strike(self, doc):
        """'three planters … leave the model 83.9% accurate on clean images on average, less than the 90.8% three strikers leave'."""
        quarter = doc["exact"]["quarter"]
        assert quarter["planted_clean"] < quarter["strike_mean"]

    def test_unique_signal_is_unique(self, doc):
        """'the top-left pixel, which is blank in every one of the 357 images': xi = 0."""
        assert doc["terms"]["unique"]["xi"] == 0.0 and doc["n_base"] == 357

    def test_one_member_lifts_success_and_best_member_is_a_three(self, doc):
        """'One member lifts that to …: from … for the least useful member to … for the most useful, image H, a 3'."""
        exact = doc["exact"]
        assert exact["one"]["min"] < exact["one"]["mean"] < exact["one"]["max"]
        assert exact["baseline"] < exact["one"]["mean"]
        assert exact["best_one_label"] == 3

    def test_toy_mean_below_bound_until_full_success(self, doc):
        """'The mean stays below the bound of 1 until 11 of the 12 images join, from where every collective succeeds'."""
        exact, full = doc["exact"], doc["exact"]["full_from"]
        assert all(m < 1.0 for m in exact["success"]["mean"][1:full])
        assert all(v == 1.0 for v in exact["success"]["minimum"][full:])

    def test_unique_signal_below_bayes_bound_at_every_size(self, doc):
        """'close to the Bayes-optimal 1, below it at every size'."""
        unique = doc["pool"]["signals"]["unique"]
        assert all(m < 1.0 for m in unique["mean"][1:])
        assert unique["mean"][-1] > 0.99

    def test_success_climbs_with_size(self, doc):
        """'lifts … from 57.3% to 72.2% …; six members reach …, and 48 …'."""
        pool = doc["pool"]
        assert pool["baseline"] < pool["one"]["unique"] < pool["small"]["unique"] < pool["large"]["unique"]

    def test_common_signal_is_harder_to_plant(self, doc):
        """'The common signal is harder to plant': lower mean success at every size from one member on."""
        signals = doc["pool"]["signals"]
        assert all(c < u for c, u in zip(signals["common"]["mean"][1:], signals["unique"]["mean"][1:]))

    def test_common_bound_vacuous_until_and_below_mean_everywhere(self, doc):
        """'Its bound is vacuous until α = 2.5% …; our model's mean success is above it at every size, closest at the largest'."""
        common = doc["pool"]["signals"]["common"]
        alphas = doc["pool"]["alpha"]
        positive = [a for a, v in zip(alphas[1:], common["bound"][1:]) if v > 0]
        assert doc["pool"]["common_bound_positive_from"] == min(positive)
        gaps = [m - v for m, v in zip(common["mean"][1:], common["bound"][1:])]
        assert all(g > 0 for g in gaps)
        assert int(np.argmin(gaps)) == len(gaps) - 1

    def test_strike_on_the_toy_pool(self, doc):
        """'three strikers can bring held-out accuracy from … down to … if they are the right three, and to … on average'."""
        quarter, clean = doc["exact"]["quarter"], doc["exact"]["clean"]
        assert quarter["strike_worst"] < quarter["strike_mean"] < clean

    def test_strike_buys_almost_nothing_on_the_pool(self, doc):
        """'48 random strikers leave it at 99.9%: withholding a fifth of the data buys almost nothing'."""
        large = doc["pool"]["large"]
        assert large["b"] == 48 and large["alpha"] == 0.2
        assert doc["pool"]["clean"] - large["strike_mean"] < 0.01

    def test_planting_controls_one_behaviour_at_little_cost(self, doc):
        """'… make the model answer 8 on 99.7% …, while its accuracy on clean images stays at 99.1%'."""
        pool = doc["pool"]
        assert pool["large"]["unique"] - pool["baseline"] > 0.4
        assert pool["clean"] - pool["large"]["planted_clean"] < 0.01


def test_page_quotes_every_number_from_the_measurement(doc):
    """The page renders with the measurement: no placeholder survives."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "collective-action.md").read_text(encoding="utf-8")
    out = measured.page_markdown(text, {"collective_digits": doc}, "collective-action.md")
    assert "{{ measured" not in out and "```datacf-measured" not in out
