"""The data-valuation page (docs/valuation.md, issue 9): its measurements against definitions written
here, and every comparative claim its prose makes.

The page quotes two build-time measurements, ``valuation`` (``sitebuild.valuation_example``) and
``valuation_noise`` (``sitebuild.valuation_noise``). The first group of tests recomputes what they
report from scratch: the grids from scikit-learn fitted on each subset (``oracles``), the values
as explicit sums over coalitions or orderings, the regressions and the least core as the linear
algebra and linear program of their definitions. The second group takes the page's sentences one
by one (each docstring quotes one) and asserts the relation it states on the measured numbers.
"""
import itertools
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.special import beta as beta_function
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier

import datacf as dcf
from oracles import coalition_semivalue, knn_game_utility, members_of, permutation_shapley, sklearn_proba_grid, \
    sklearn_predict_grid
from sitebuild import measured, valuation_noise
from sitebuild.examples import load_examples

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGE = DOCS / "valuation.md"


# --- definitions, written out here ---------------------------------------------------------------


def shapley_weight(n):
    return lambda k: math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)


def banzhaf_weight(n):
    return lambda k: 1.0 / 2 ** (n - 1)


def beta_weight(n, alpha, beta):
    """Kwon & Zou (2022): w(k) = B(k + beta, n - 1 - k + alpha) / B(alpha, beta)."""
    return lambda k: beta_function(k + beta, n - 1 - k + alpha) / beta_function(alpha, beta)


def loo(u, n):
    full = 2**n - 1
    return np.array([u[full] - u[full & ~(1 << i)] for i in range(n)])


def all_values(u, n):
    """{method: values} from the utility vector, by explicit sums over coalitions."""
    return {"loo": loo(u, n), "shapley": coalition_semivalue(u, n, shapley_weight(n)),
            "banzhaf": coalition_semivalue(u, n, banzhaf_weight(n)),
            "beta16": coalition_semivalue(u, n, beta_weight(n, 16, 1)),
            "beta4": coalition_semivalue(u, n, beta_weight(n, 4, 1))}


def prob_correct_utility(proba, labels, classes):
    """Mean over columns of the probability each row's model gives the column's true label."""
    columns = np.searchsorted(classes, labels)
    return proba[:, np.arange(len(labels)), columns].mean(axis=1)


def knn1_utility(train, eval_set, metric):
    """U of one-nearest-neighbour on every subset, from scikit-learn fitted on each subset."""
    make = lambda size: KNeighborsClassifier(n_neighbors=1)   # noqa: E731
    if metric == "accuracy":
        hard = sklearn_predict_grid(train, eval_set, make)
        return (hard == eval_set.y).astype(float)              # (rows, columns)
    proba = sklearn_proba_grid(train, eval_set, make)
    return prob_correct_utility(proba, eval_set.y, np.unique(train.y))


def gaps(u, n, i, j):
    """U(S + i) - U(S + j) over every S holding neither."""
    rows = [r for r in range(2**n) if not (r >> i) & 1 and not (r >> j) & 1]
    return np.array([u[r | 1 << i] - u[r | 1 << j] for r in rows])


def marginals(u, n, i):
    return np.array([u[r | 1 << i] - u[r] for r in range(2**n) if not (r >> i) & 1])


def mean_gain(u, n, i, k):
    others = [j for j in range(n) if j != i]
    gains = [u[sum(1 << j for j in s) | 1 << i] - u[sum(1 << j for j in s)]
             for s in itertools.combinations(others, k)]
    return float(np.mean(gains))


def interaction(u, n, i, j):
    others = [m for m in range(n) if m not in (i, j)]
    total = 0.0
    for size in range(n - 1):
        weight = math.factorial(size) * math.factorial(n - size - 2) / math.factorial(n - 1)
        for s in itertools.combinations(others, size):
            r = sum(1 << m for m in s)
            total += weight * (u[r | 1 << i | 1 << j] - u[r | 1 << i] - u[r | 1 << j] + u[r])
    return total


def least_core_lp(u, n):
    """e* of the game v(S) = u[S] (v(empty) = 0) by the LP of its definition: variables (x, e)."""
    rows = range(1, 2**n - 1)
    a_ub = [[-1.0 if (r >> i) & 1 else 0.0 for i in range(n)] + [-1.0] for r in rows]
    b_ub = [-u[r] for r in rows]
    result = linprog(c=[0.0] * n + [1.0], A_ub=a_ub, b_ub=b_ub, A_eq=[[1.0] * n + [0.0]], b_eq=[u[-1]],
                     bounds=[(None, None)] * (n + 1), method="highs")
    assert result.status == 0
    return result.x[-1]


def spearman(a, b):
    """Spearman's rho: the Pearson correlation of the ranks (ties share their mean rank)."""
    return float(np.corrcoef(rankdata(a), rankdata(b))[0, 1])


@pytest.fixture(scope="module")
def examples():
    return load_examples(DOCS / "examples.toml")


@pytest.fixture(scope="module")
def readings(tmp_path_factory):
    return measured.build_measurements(tmp_path_factory.mktemp("measured"), log=lambda m: None,
                                       only={"valuation"})["valuation"]


@pytest.fixture(scope="module")
def noise(tmp_path_factory):
    return measured.build_measurements(tmp_path_factory.mktemp("measured"), log=lambda m: None,
                                       only={"valuation_noise"})["valuation_noise"]


@pytest.fixture(scope="module")
def twins(examples):
    """(u, n, names) of near_duplicates_knn, from scikit-learn's 1-NN on every subset."""
    spec = examples["near_duplicates_knn"]
    u = knn1_utility(spec.train, spec.train, "prob_correct")
    return u, spec.train.n_points, list(spec.train.names)


# --- the measurements against the definitions ----------------------------------------------------


class TestAxiomsMeasurement:
    def test_grid_is_scikit_learn_one_nearest_neighbour(self, examples, twins):
        """The page's near-duplicates grid is scikit-learn's 1-NN fitted on every subset."""
        u, _, _ = twins
        np.testing.assert_allclose(examples["near_duplicates_knn"].compute().utility(), u, rtol=0, atol=1e-12)

    def test_every_value_is_its_definition(self, readings, twins):
        """Each method's values are its weighted sums over coalitions; Shapley also over all orders."""
        u, n, names = twins
        expected = all_values(u, n)
        np.testing.assert_allclose(expected["shapley"], permutation_shapley(u, n), rtol=0, atol=1e-12)
        for method, values in expected.items():
            got = [readings["axioms"]["values"][method][p] for p in names]
            np.testing.assert_allclose(got, values, rtol=0, atol=1e-12, err_msg=method)
            assert readings["axioms"]["sums"][method] == pytest.approx(values.sum(), abs=1e-12)
        assert readings["axioms"]["u_full"] == u[-1] and readings["axioms"]["u_empty"] == u[0]

    def test_symmetric_pair_agrees_at_every_column(self, examples, readings):
        """B and C: every coalition with B scores what it scores with C, column by column."""
        train = examples["near_duplicates_knn"].train
        n = train.n_points
        proba = sklearn_proba_grid(train, train, lambda size: KNeighborsClassifier(n_neighbors=1))
        cells = proba[:, np.arange(n), np.searchsorted(np.unique(train.y), train.y)]
        for column in range(n):
            assert np.all(gaps(cells[:, column], n, 1, 2) == 0)
        assert readings["axioms"]["symmetric"] == {"pair": "BC", "coalitions": 8, "max_gap": 0.0}

    def test_lookalike_pair_differs_in_every_coalition(self, readings, twins):
        """B and D differ in all 8 coalitions; alone (the empty coalition) B scores 0.2 more."""
        u, n, _ = twins
        d = gaps(u, n, 1, 3)
        look = readings["axioms"]["lookalike"]
        assert look["unequal_coalitions"] == int(np.sum(np.abs(d) > 1e-12)) == 8
        assert look["first_row"] == "∅" and look["first_gap"] == pytest.approx(u[0b10] - u[0b1000], abs=1e-12)

    def test_null_players_from_scikit_learn(self, examples, readings):
        """At column C, with accuracy, A and B never change the score: every value of theirs is 0."""
        spec = examples["four_points_knn_accuracy"]
        cells, n = knn1_utility(spec.train, spec.train, "accuracy"), spec.train.n_points
        np.testing.assert_array_equal(examples["four_points_knn_accuracy"].compute().values, cells)
        u = cells[:, 2]                                              # column C
        null = [p for i, p in enumerate("ABCD") if np.all(marginals(u, n, i) == 0)]
        assert readings["axioms"]["null"]["points"] == "".join(null) == "AB"
        for method, values in all_values(u, n).items():
            assert values[0] == values[1] == 0.0, method
            for i, p in enumerate("ABCD"):
                assert readings["axioms"]["null"]["values"][method][p] == pytest.approx(values[i], abs=1e-12)

    def test_xor_points_are_interchangeable_with_zero_values(self, examples, readings):
        """Logistic regression on the XOR square: U(N) = U(empty), all points symmetric, Shapley 0."""
        spec = examples["xor_logistic"]
        u = examples["xor_logistic"].compute().utility()
        proba = sklearn_proba_grid(spec.train, spec.train,
                                   lambda size: LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000))
        np.testing.assert_allclose(prob_correct_utility(proba, spec.train.y, np.array([0, 1])), u, atol=1e-6)
        for i, j in itertools.combinations(range(4), 2):
            assert np.abs(gaps(u, 4, i, j)).max() < 1e-12
        np.testing.assert_allclose(permutation_shapley(u, 4), 0.0, atol=1e-12)
        gains = np.concatenate([marginals(u, 4, i) for i in range(4)])
        zero = readings["axioms"]["zero_sum"]
        assert (zero["gain_min"], zero["gain_max"]) == (pytest.approx(gains.min()), pytest.approx(gains.max()))
        assert zero["u_full"] == zero["u_empty"] == pytest.approx(0.5, abs=1e-12)


class TestBetaMeasurement:
    def test_gain_curves_are_mean_gains_by_size(self, readings, twins):
        u, n, names = twins
        for i, p in enumerate(names):
            expected = [mean_gain(u, n, i, k) for k in range(n)]
            np.testing.assert_allclose(readings["beta"]["gains"][p], expected, rtol=0, atol=1e-12)

    def test_every_value_is_its_shares_times_the_gain_curve(self, readings, twins):
        """phi_i = sum_k C(n-1, k) w(k) mean_gain_i(k), for every method."""
        u, n, names = twins
        values = all_values(u, n)
        weights = {"shapley": shapley_weight(n), "banzhaf": banzhaf_weight(n), "beta16": beta_weight(n, 16, 1)}
        for method, w in weights.items():
            for i, p in enumerate(names):
                rebuilt = sum(math.comb(n - 1, k) * w(k) * readings["beta"]["gains"][p][k] for k in range(n))
                assert rebuilt == pytest.approx(values[method][i], abs=1e-12), (method, p)

    def test_shares(self, readings):
        """Beta(16, 1)'s share of k = 0 is 16/20 with five points; Shapley's is 1/5 per size."""
        assert readings["beta"]["share0_16"] == pytest.approx(16 / 20, abs=1e-12)
        assert readings["beta"]["share01_16"] == pytest.approx(
            sum(math.comb(4, k) * beta_weight(5, 16, 1)(k) for k in (0, 1)), abs=1e-12)
        assert readings["beta"]["shapley_share"] == pytest.approx(1 / 5)

    def test_mislabelled_point(self, examples, readings):
        u = examples["mislabelled_logistic"].compute().utility()
        values = all_values(u, 8)
        mis = readings["beta"]["mislabelled"]
        assert mis["point"] == "E" and mis["lowest_beta16"] == "E"
        assert mis["shapley"] == pytest.approx(values["shapley"][4], abs=1e-12)
        assert mis["beta16"] == pytest.approx(values["beta16"][4], abs=1e-12)
        assert mis["gain0"] == pytest.approx(u[1 << 4] - u[0], abs=1e-12)
        assert (mis["u_alone"], mis["u_empty"]) == (u[1 << 4], u[0])
        assert mis["share0_16"] == pytest.approx(16 / 23, abs=1e-12)     # B(1, 23) / B(16, 1)


class TestInteractionsMeasurement:
    def test_every_pair_is_the_definition(self, readings, twins):
        u, n, names = twins
        for i, j in itertools.combinations(range(n), 2):
            assert readings["interactions"]["pairs"][names[i] + names[j]] == pytest.approx(
                interaction(u, n, i, j), abs=1e-12)

    def test_group_loo_of_the_twins(self, readings, twins):
        u, n, _ = twins
        assert readings["interactions"]["twins_group_loo"] == pytest.approx(u[-1] - u[0b11001], abs=1e-12)


@pytest.fixture(scope="module")
def mislabelled():
    return dcf.toy_dataset("mislabelled")


class TestKnnMeasurement:
    def test_k1_grid_is_jia_et_al_game(self, mislabelled):
        """KNN(k=1) with convention="zero" scores every subset as Jia et al.'s utility does for K = 1."""
        grid = dcf.compute_grid(mislabelled, dcf.models.KNN(k=1), convention="zero")
        for t, (x, y) in enumerate(zip(mislabelled.X, mislabelled.y)):
            np.testing.assert_allclose(grid.values[:, t], knn_game_utility(mislabelled, x, y, 1), rtol=0, atol=0)

    @pytest.mark.parametrize("k", [1, 3])
    def test_closed_form_and_brute_force_match_the_exhaustive_game(self, readings, mislabelled, k):
        n = mislabelled.n_points
        column = {1: (1, 2), 3: (3, 4)}[k]
        games = [knn_game_utility(mislabelled, x, y, k) for x, y in zip(mislabelled.X, mislabelled.y)]
        exhaustive = np.mean([coalition_semivalue(g, n, shapley_weight(n)) for g in games], axis=0)
        table = readings_table(readings, "knn")
        for c in column:
            np.testing.assert_allclose([row[c] for row in table["rows"]], exhaustive, rtol=0, atol=1e-12)

    def test_restricted_game_is_additive(self, readings, mislabelled):
        """The "global K restricted to S" game: each global neighbour with the right label is worth 1/K."""
        k, n = 3, mislabelled.n_points
        expected = np.zeros(n)
        for x, y in zip(mislabelled.X, mislabelled.y):
            order = sorted(range(n), key=lambda i: (float(((mislabelled.X[i] - x) ** 2).sum()), i))
            for i in order[:k]:
                expected[i] += (mislabelled.y[i] == y) / k
        expected /= n
        np.testing.assert_allclose([row[5] for row in readings_table(readings, "knn")["rows"]], expected,
                                   rtol=0, atol=1e-12)


    def test_chart_draws_the_table_values(self, readings):
        """The bar chart's three series are the table's closed form, brute force and restricted game."""
        series = readings["charts"]["knn"]["views"][0]["plot"]["series"]
        rows = readings_table(readings, "knn")["rows"]
        for bars, column in zip(series, (3, 4, 5)):
            assert bars["y"] == [row[column] for row in rows]


def readings_table(readings, key):
    return readings["tables"][key]


class TestRegressionMeasurement:
    def test_slopes_are_the_least_squares_of_their_definitions(self, examples, readings):
        """OLS over all rows, and the Shapley-kernel regression with its two constraints, by numpy."""
        u = examples["mislabelled_logistic"].compute().utility()
        n = 8
        membership = np.array([[(r >> i) & 1 for i in range(n)] for r in range(2**n)], dtype=float)
        ols = np.linalg.lstsq(np.column_stack([np.ones(2**n), membership]), u, rcond=None)[0][1:]
        inner = np.arange(1, 2**n - 1)
        sizes = membership[inner].sum(axis=1)
        kernel = (n - 1) / (np.array([math.comb(n, int(s)) for s in sizes]) * sizes * (n - sizes))
        # minimise sum pi (u - u0 - M b)^2 subject to sum b = u(N) - u0: the KKT system.
        m, target = membership[inner], u[inner] - u[0]
        kkt = np.block([[2 * m.T @ (kernel[:, None] * m), np.ones((n, 1))], [np.ones((1, n)), np.zeros((1, 1))]])
        rhs = np.concatenate([2 * m.T @ (kernel * target), [u[-1] - u[0]]])
        kernel_slopes = np.linalg.solve(kkt, rhs)[:n]
        table = readings["tables"]["regression"]["rows"]
        np.testing.assert_allclose([row[2] for row in table], ols, rtol=0, atol=1e-12)
        np.testing.assert_allclose([row[4] for row in table], kernel_slopes, rtol=0, atol=1e-12)
        values = all_values(u, n)
        np.testing.assert_allclose(ols, values["banzhaf"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(kernel_slopes, values["shapley"], rtol=0, atol=1e-12)


class TestLeastCoreMeasurement:
    def test_e_star_is_the_linear_program(self, readings, twins):
        u, n, _ = twins
        core = readings["least_core"]
        assert core["e"] == pytest.approx(least_core_lp(u, n), abs=1e-7)
        assert core["shifted"]["e"] == pytest.approx(least_core_lp(u - u[0], n), abs=1e-7)

    def test_payoffs_meet_their_constraints_and_tight_sets(self, readings, twins):
        u, n, names = twins
        for game, section in ((u, readings["least_core"]), (u - u[0], readings["least_core"]["shifted"])):
            x = np.array([section["payoff"][p] for p in names])
            assert x.sum() == pytest.approx(game[-1], abs=1e-7)
            slack = {"".join(names[i] for i in members_of(r, n)): x[members_of(r, n)].sum() + section["e"] - game[r]
                     for r in range(1, 2**n - 1)}
            assert min(slack.values()) > -1e-7
            assert section["tight"] == ", ".join(s for s, v in slack.items() if abs(v) <= 1e-6)


@pytest.fixture(scope="module")
def first_draw(noise):
    """The first draw's utilities for every seed, from SGDClassifier fitted on each subset in row order."""
    inputs = noise["inputs"]
    train, evaluation = valuation_noise.draw_data(inputs["draws"][0], inputs)
    utilities, state = [], np.random.get_state()
    for seed in inputs["seeds"]:
        np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            proba = sklearn_proba_grid(train, evaluation, lambda size: SGDClassifier(
                loss="log_loss", max_iter=inputs["learner"]["max_iter"], tol=None))
        utilities.append(prob_correct_utility(proba, evaluation.y, np.unique(train.y)))
    np.random.set_state(state)
    return train, evaluation, np.array(utilities)


class TestNoiseMeasurement:
    def test_noisy_grid_is_the_fitted_grid_and_leaves_numpy_alone(self, noise, first_draw):
        """noisy_grid fits each subset with fresh randomness from the seeded global generator, then restores it."""
        train, evaluation, utilities = first_draw
        np.random.seed(12345)
        before = np.random.get_state()[1].copy()
        grid = valuation_noise.noisy_grid(train, evaluation, noise["inputs"]["seeds"][0], noise["inputs"])
        np.testing.assert_array_equal(np.random.get_state()[1], before)
        np.testing.assert_allclose(grid.utility(), utilities[0], rtol=0, atol=1e-12)
        assert np.ptp(utilities[:, -1]) > 0            # the seeds really give different models

    def test_first_draw_rank_correlations(self, noise, first_draw):
        """Mean Spearman rho between seeds, recomputed from the fitted grids and explicit value sums."""
        _, _, utilities = first_draw
        n = noise["n"]
        for method, weight in (("shapley", shapley_weight(n)), ("banzhaf", banzhaf_weight(n))):
            runs = [coalition_semivalue(u, n, weight) for u in utilities]
            rho = [spearman(runs[a], runs[b]) for a, b in itertools.combinations(range(len(runs)), 2)]
            assert noise["draws"][0]["methods"][method]["mean_rho"] == pytest.approx(np.mean(rho), abs=1e-12)
            noise_sd = np.std(runs, axis=0, ddof=1).mean()
            assert noise["draws"][0]["methods"][method]["noise"] == pytest.approx(noise_sd, abs=1e-12)

    def test_noise_gain_is_the_norm_of_the_coefficients(self, noise):
        """sqrt(sum_T a_T^2) = sqrt(2 sum_k C(n-1, k) w(k)^2), for each method."""
        n = noise["n"]
        for method, weight in (("shapley", shapley_weight(n)), ("banzhaf", banzhaf_weight(n)),
                               ("beta16", beta_weight(n, 16, 1)), ("loo", lambda k: float(k == n - 1))):
            expected = math.sqrt(2 * sum(math.comb(n - 1, k) * weight(k) ** 2 for k in range(n)))
            assert noise["noise_gain"][method] == pytest.approx(expected, rel=1e-12), method

    def test_summary_is_the_mean_over_draws(self, noise):
        for method, summary in noise["summary"].items():
            assert summary["mean_rho"] == pytest.approx(np.mean([d["methods"][method]["mean_rho"]
                                                                 for d in noise["draws"]]), abs=1e-12)
        assert noise["beats"]["banzhaf_over_shapley"] == sum(
            d["methods"]["banzhaf"]["mean_rho"] > d["methods"]["shapley"]["mean_rho"] for d in noise["draws"])

    def test_chart_draws_each_draw_and_the_mean(self, noise):
        plot = noise["charts"]["stability"]["views"][0]["plot"]
        assert plot["categories"] == [f"draw {d}" for d in noise["inputs"]["draws"]] + ["mean"]
        for bars, method in zip(plot["series"], valuation_noise.METHODS):
            assert bars["y"] == [d["methods"][method]["mean_rho"] for d in noise["draws"]] + [
                noise["summary"][method]["mean_rho"]]

    def test_unfitted_rows_carry_no_noise(self, noise, first_draw):
        """The empty set, single points and one-class pairs are filled by convention: identical across seeds."""
        train, _, utilities = first_draw
        n = noise["n"]
        conventional = [r for r in range(2**n) if len(set(train.y[members_of(r, n)])) <= 1]
        assert np.ptp(utilities[:, conventional], axis=0).max() == 0
        assert noise["sd_small"] < 1e-12 < min(noise["sd_by_size"][2:])


# --- the page's sentences ------------------------------------------------------------------------


def page_text():
    return PAGE.read_text(encoding="utf-8")


class TestPageRenders:
    def test_every_measured_number_is_rendered(self, readings, noise):
        out = measured.page_markdown(page_text(), {"valuation": readings, "valuation_noise": noise}, "valuation.md")
        assert "{{ measured" not in out and "```datacf-measured" not in out

    def test_cells_are_on_the_page(self):
        cells = re.findall(r"^```datacf-run id=([a-z-]+)", page_text(), flags=re.M)
        assert {"valuation-readings", "knn-shapley"} <= set(cells)


class TestAxiomClaims:
    def test_shapley_is_efficient_and_the_others_are_not(self, readings):
        """'the five Shapley values add up to 0.500 ... the Banzhaf values add up to 0.581, the
        leave-one-out values to 0.600 and the Beta(16, 1) values to 0.169.'"""
        axioms = readings["axioms"]
        assert axioms["sums"]["shapley"] == pytest.approx(axioms["u_full"] - axioms["u_empty"], abs=1e-12)
        for method in ("banzhaf", "loo", "beta16"):
            assert abs(axioms["sums"][method] - axioms["u_gain"]) > 1e-3, method

    def test_symmetric_values_are_equal(self, readings):
        """'every semivalue gives them the same number: Shapley …, Banzhaf …, Beta(16, 1) …'"""
        values = readings["axioms"]["values"]
        for method in values:
            assert values[method]["B"] == pytest.approx(values[method]["C"], abs=1e-12)

    def test_converse_fails(self, readings):
        """'D has the same Shapley value as B … and the same Banzhaf value … Beta(16, 1) and
        leave-one-out tell them apart.'"""
        values = readings["axioms"]["values"]
        assert f"{values['shapley']['B']:.3f}" == f"{values['shapley']['D']:.3f}"
        assert values["shapley"]["B"] == pytest.approx(values["shapley"]["D"], abs=1e-12)
        assert values["banzhaf"]["B"] == pytest.approx(values["banzhaf"]["D"], abs=1e-12)
        assert values["beta16"]["B"] > 0 > values["beta16"]["D"]
        assert values["loo"]["B"] < values["loo"]["D"]
        assert readings["axioms"]["lookalike"]["first_gap"] > 0

    def test_null_players_and_the_others(self, readings, examples):
        """'their … values at C are all 0.000, while C and D get 0.500 each from Shapley. … The same
        points matter at columns A and B.'"""
        null = readings["axioms"]["null"]
        assert null["max_abs_value"] == 0.0
        assert null["values"]["shapley"]["C"] == pytest.approx(0.5) == null["values"]["shapley"]["D"]
        grid = examples["four_points_knn_accuracy"].compute()
        assert abs(grid.shapley(focus="A")[0]) > 0.05 and abs(grid.shapley(focus="B")[1]) > 0.05

    def test_null_player_story(self, examples):
        """'the empty model predicts label 0 …, and so does a model that knows only A or B, or both;
        once C or D is in the training set, one of them is C's nearest neighbour.'"""
        grid = examples["four_points_knn_accuracy"].compute()
        c = grid.eval_names.index("C")
        for row in ("∅", "A", "B", "AB"):
            assert grid.row(row)[c] == 0.0                       # predicts 0 at C, whose label is 1
        train = examples["four_points_knn_accuracy"].train
        distance = ((train.X - train.X[2]) ** 2).sum(axis=1)
        assert max(distance[:2]) > min(distance[:2]) > distance[3] > distance[2]

    def test_xor_gains_are_not_zero(self, readings):
        """'even though each point's marginal gains run from −0.0019 to +0.0019.'"""
        zero = readings["axioms"]["zero_sum"]
        assert zero["gain_min"] < -1e-3 and zero["gain_max"] > 1e-3 and zero["max_abs_shapley"] < 1e-12


class TestNoiseClaims:
    def test_banzhaf_minimises_the_coefficient_norm(self, noise):
        """'among weights whose shares add up to 1 the sum of squares is smallest when all coalitions
        weigh the same: Banzhaf.' Checked against the other methods and random normalised weights."""
        n, gain = noise["n"], noise["noise_gain"]
        assert gain["banzhaf"] < min(gain[m] for m in gain if m != "banzhaf")
        rng = np.random.default_rng(0)
        counts = np.array([math.comb(n - 1, k) for k in range(n)])
        for _ in range(200):
            w = rng.random(n)
            w /= (counts * w).sum()
            assert math.sqrt(2 * (counts * w**2).sum()) >= gain["banzhaf"] - 1e-15

    def test_banzhaf_values_carry_less_noise(self, noise):
        """'Banzhaf's values carry less noise than Shapley's … close to what independent noise predicts.'"""
        s = noise["summary"]
        assert s["banzhaf"]["noise"] < s["shapley"]["noise"]
        for method in ("banzhaf", "shapley"):
            assert s[method]["predicted_noise"] == pytest.approx(s[method]["noise"], rel=0.2)

    def test_banzhaf_ranks_more_stably_on_average_not_always(self, noise):
        """'Its rankings agree more across seeds on average …, but not in every draw: Banzhaf came out
        ahead in 3 of the 5 draws.'"""
        s = noise["summary"]
        assert s["banzhaf"]["mean_rho"] > s["shapley"]["mean_rho"]
        assert 0 < noise["beats"]["banzhaf_over_shapley"] < noise["n_draws"]

    def test_loo_hardly_ranks(self, noise):
        """'Leave-one-out hardly ranks at all …: Its values are the difference of two noisy rows, with
        noise larger than the values themselves.'"""
        s = noise["summary"]["loo"]
        assert s["mean_rho"] < 0.5 and s["noise"] > s["spread"]
        assert all(noise["summary"][m]["mean_rho"] > s["mean_rho"] for m in noise["summary"] if m != "loo")

    def test_beta_weightings_did_best(self, noise):
        """'The Beta weightings did best here: Beta(4, 1) at … and Beta(16, 1) at ….'"""
        s = noise["summary"]
        for beta in ("beta4", "beta16"):
            assert s[beta]["mean_rho"] > max(s[m]["mean_rho"] for m in ("loo", "shapley", "banzhaf"))

    def test_equal_noise_would_hit_beta_harder(self, noise):
        """'With ten points Beta(16, 1) takes 64% of a value from k = 0 … Independent noise of equal size
        everywhere would hit it far harder than Banzhaf.'"""
        assert noise["beta16_share0"] == pytest.approx(16 / 25, abs=1e-12) and noise["beta16_share0"] > 0.5
        assert noise["noise_gain"]["beta16"] > 10 * noise["noise_gain"]["banzhaf"]


class TestBetaClaims:
    def test_negative_values_of_a_and_d(self, readings, twins):
        """'Alone, either one makes the model predict label 0 at every column, right on 2 of 5: −0.100
        against the empty model's uniform guess. In larger training sets they help (+0.200 at k = 4).
        Shapley … finds them positive …; Beta(16, 1) … finds them negative.'"""
        u, _, _ = twins
        assert u[0b1] == u[0b1000] == pytest.approx(2 / 5) and u[0] == 0.5
        gains, values = readings["beta"]["gains"], readings["axioms"]["values"]
        for p in "AD":
            assert gains[p][0] < 0 < gains[p][4]
            assert values["shapley"][p] > 0 > values["beta16"][p]
        assert readings["beta"]["negative"] == "AD"
        assert values["loo"]["A"] > 0 and values["loo"]["D"] > 0

    def test_mislabelled_point_is_lowest_but_less_negative_under_beta(self, readings):
        """'the mislabelled point E has the lowest value under both, but Shapley gives it −0.054 and
        Beta(16, 1) only −0.008: … a gain of +0.000'"""
        mis = readings["beta"]["mislabelled"]
        assert mis["shapley"] < mis["beta16"] < 0
        assert mis["gain0"] == 0.0 and mis["u_alone"] == mis["u_empty"]


class TestInteractionClaims:
    def test_with_one_twin_present_the_other_adds_nothing(self, twins):
        """'with one of them in the training set, the other adds nothing.'"""
        u, n, _ = twins
        for present, added in ((1, 2), (2, 1)):
            rows = [r for r in range(2**n) if (r >> present) & 1 and not (r >> added) & 1]
            assert all(u[r | 1 << added] == u[r] for r in rows)

    def test_complements_are_the_two_leftmost_points_of_different_classes(self, examples):
        """'The strongest complements are AE …: a point of each class on the left of the plane.'"""
        train = examples["near_duplicates_knn"].train
        leftmost = sorted(np.argsort(train.X[:, 0])[:2].tolist())
        assert leftmost == [0, 4] and train.y[0] != train.y[4]

    def test_twins_are_the_strongest_substitutes(self, readings):
        """'The near-duplicate twins B and C are the strongest substitutes of any pair, −0.258 … leave-one-out
        gives each of them +0.000 while removing both costs +0.400. The strongest complements are AE.'"""
        inter = readings["interactions"]
        assert inter["most_negative"] == inter["twins"] == "BC" and inter["twins_value"] < 0
        assert inter["twins_loo"] == [0.0, 0.0] and inter["twins_group_loo"] > 0
        assert inter["most_positive"] == "AE" and inter["most_positive_value"] > 0


class TestKnnClaims:
    def test_equal_to_the_last_digit(self, readings):
        """'differ by at most 8.3e-17: equal to the last digit shown' (K = 1 and K = 3)."""
        for row in readings["tables"]["knn"]["rows"]:
            assert f"{row[1]:.6f}" == f"{row[2]:.6f}" and f"{row[3]:.6f}" == f"{row[4]:.6f}"
        assert readings["knn"]["max_diff_k1"] < 1e-12 and readings["knn"]["max_diff_k3"] < 1e-12

    def test_model_grid_for_k3_is_another_game(self):
        """'For K = 3 datacf's KNN is a different game (it divides by min(K, |S|))'."""
        train = dcf.toy_dataset("mislabelled")
        grid = dcf.compute_grid(train, dcf.models.KNN(k=3), convention="zero")
        games = np.column_stack([knn_game_utility(train, x, y, 3) for x, y in zip(train.X, train.y)])
        assert not np.allclose(grid.values, games)

    def test_the_trap_changes_values_and_order(self, readings):
        """'Both games share out the same U(N) = 0.750, but differently: … the order of the points changes.'"""
        knn = readings["knn"]
        assert knn["closed_sum"] == pytest.approx(knn["u_full"]) == pytest.approx(knn["trap_sum"])
        rows = readings["tables"]["knn"]["rows"]
        closed, trap = [row[3] for row in rows], [row[5] for row in rows]
        assert knn["trap_max_gap"] > 0.01 and spearman(closed, trap) < 1

    def test_trap_misses_points_outside_the_global_k(self):
        """'in it a point outside the global K never counts, even when the nearer points are missing'"""
        train = dcf.toy_dataset("mislabelled")
        x, y, k = train.X[0], train.y[0], 3
        order = sorted(range(8), key=lambda i: float(((train.X[i] - x) ** 2).sum()))
        outside = order[k]                                   # the 4th nearest
        assert knn_game_utility(train, x, y, k)[1 << outside] == (train.y[outside] == y) / k > 0


class TestRegressionAndLeastCoreClaims:
    def test_regression_equal_to_the_last_digit(self, readings):
        """'they match the direct readings to within 4.2e-16 and 1.5e-16: equal to the last digit shown.'"""
        for row in readings["tables"]["regression"]["rows"]:
            assert f"{row[1]:+.6f}" == f"{row[2]:+.6f}" and f"{row[3]:+.6f}" == f"{row[4]:+.6f}"

    def test_least_core_splits_u_n_not_the_shapley_total(self, readings):
        """'the least-core payoffs add up to U(N) = 1.000, while the Shapley values … add up to
        U(N) − U(∅) = 0.500'; the shifted game's payoffs add up to the Shapley total."""
        core = readings["least_core"]
        assert core["payoff_sum"] == pytest.approx(core["u_full"], abs=1e-7)
        assert core["shapley_sum"] == pytest.approx(core["u_full"] - core["u_empty"], abs=1e-12)
        assert core["shifted"]["payoff_sum"] == pytest.approx(core["shapley_sum"], abs=1e-7)

    def test_singletons_set_e_star(self, readings):
        """'Every single point already scores at least 0.400 on its own …; five points cannot each be paid
        that much out of U(N).' and 'without the baseline, the coalitions' complaint shrinks.'"""
        core = readings["least_core"]
        assert 5 * core["singleton_min"] > core["u_full"]
        assert core["tight_singletons"] and core["e"] > 0
        assert core["shifted"]["e"] < core["e"]
