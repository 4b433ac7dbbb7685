"""Readings of a grid against the axioms and textbook definitions they come from."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

import datacf as dcf
from datacf import _semivalues
from oracles import coalition_semivalue, members_of, permutation_shapley

MODELS = {
    "knn1": lambda: dcf.models.KNN(k=1),
    "knn3": lambda: dcf.models.KNN(k=3),
    "logistic": lambda: dcf.models.LogisticRegression(C=1.0),
    "centroid": dcf.models.NearestCentroid,
}
NAMES = ["blobs6", "three_class6", "duplicates5", "xor4"]


def random_grids(max_points=6):
    """Hypothesis strategy: grids of any real-valued utility over 1..max_points points."""
    return st.integers(1, max_points).flatmap(
        lambda n: st.integers(1, 3).flatmap(
            lambda m: arrays(np.float64, (2**n, m), elements=st.floats(-10, 10, allow_nan=False))
        )
    ).map(dcf.Grid)


@pytest.fixture(scope="module")
def grids(datasets):
    return {(name, model): dcf.compute_grid(datasets[name], make()) for name in NAMES for model, make in MODELS.items()}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("name", NAMES)
class TestOnRealGrids:
    def test_shapley_matches_permutation_definition(self, grids, name, model):
        """Vectorized Shapley equals the average marginal gain over all orderings."""
        grid = grids[name, model]
        np.testing.assert_allclose(grid.shapley(), permutation_shapley(grid.utility(), grid.n_points), rtol=0, atol=1e-12)

    def test_shapley_efficiency(self, grids, name, model):
        """Shapley values sum to U(N) - U(empty set)."""
        grid = grids[name, model]
        u = grid.utility()
        assert grid.shapley().sum() == pytest.approx(u[-1] - u[0], abs=1e-12)

    def test_banzhaf_is_the_least_squares_slope(self, grids, name, model):
        """Banzhaf values equal the OLS slopes of U regressed on subset membership (with intercept)."""
        grid = grids[name, model]
        n = grid.n_points
        membership = np.array([[(r >> i) & 1 for i in range(n)] for r in range(2**n)], dtype=float)
        design = np.hstack([np.ones((2**n, 1)), membership])
        slopes = np.linalg.lstsq(design, grid.utility(), rcond=None)[0][1:]
        np.testing.assert_allclose(grid.banzhaf(), slopes, rtol=0, atol=1e-12)

    def test_loo_is_the_semivalue_with_all_weight_on_n_minus_one(self, grids, name, model):
        """LOO equals the semivalue whose only weight is on coalitions of size n - 1."""
        grid = grids[name, model]
        weights = np.zeros(grid.n_points)
        weights[-1] = 1.0
        np.testing.assert_allclose(grid.loo(), grid.semivalue(weights), rtol=0, atol=1e-15)

    def test_beta_shapley_matches_coalition_sum(self, grids, name, model):
        """Beta(16, 1) Shapley equals the explicit sum over coalitions with Kwon & Zou's weights."""
        grid = grids[name, model]
        n = grid.n_points
        beta_fn = lambda a, b: math.gamma(a) * math.gamma(b) / math.gamma(a + b)
        weight = lambda k: beta_fn(k + 1, n - 1 - k + 16) / beta_fn(16, 1)
        np.testing.assert_allclose(grid.beta_shapley(16, 1), coalition_semivalue(grid.utility(), n, weight), rtol=0, atol=1e-12)

    def test_focus_averages_the_chosen_columns(self, grids, name, model):
        """A reading with focus equals the reading of the grid cut down to those columns."""
        grid = grids[name, model]
        focus = [grid.eval_names[0], 1]
        sub = dcf.Grid(grid.values[:, [0, 1]], point_names=grid.point_names)
        np.testing.assert_allclose(grid.shapley(focus=focus), sub.shapley(), rtol=0, atol=1e-15)
        np.testing.assert_allclose(grid.loo(focus=focus), sub.loo(), rtol=0, atol=1e-15)


@pytest.mark.parametrize("model", MODELS)
def test_duplicate_points_get_equal_values(grids, model):
    """Symmetry: two identical points with the same label (A and E) get equal semivalues."""
    grid = grids["duplicates5", model]
    for values in (grid.shapley(), grid.banzhaf(), grid.beta_shapley(4, 1), grid.loo()):
        assert values[0] == pytest.approx(values[4], abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(random_grids())
def test_efficiency_holds_for_any_utility(grid):
    """For any table of numbers, Shapley values sum to U(N) - U(empty set)."""
    u = grid.utility()
    assert grid.shapley().sum() == pytest.approx(u[-1] - u[0], abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(random_grids(), st.data())
def test_null_player_gets_zero(grid, data):
    """A point whose addition never changes the utility gets 0 from every semivalue."""
    n = grid.n_points
    i = data.draw(st.integers(0, n - 1))
    values = grid.values.copy()
    rows = np.arange(2**n)
    values[rows | (1 << i)] = values[rows & ~(1 << i)]   # with i equals without i
    null = dcf.Grid(values)
    for reading in (null.shapley(), null.banzhaf(), null.beta_shapley(16, 1), null.loo()):
        assert reading[i] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 5, 16])
@pytest.mark.parametrize(
    "weights", [_semivalues.shapley_weights, _semivalues.banzhaf_weights, lambda n: _semivalues.beta_weights(n, 16, 1), lambda n: _semivalues.beta_weights(n, 0.5, 2.5)],
    ids=["shapley", "banzhaf", "beta16_1", "beta0.5_2.5"],
)
def test_semivalue_weights_sum_to_one(n, weights):
    """sum_k C(n-1, k) w[k] = 1: each semivalue is an average of marginal gains."""
    w = weights(n)
    assert sum(math.comb(n - 1, k) * w[k] for k in range(n)) == pytest.approx(1.0, abs=1e-12)


def test_beta_one_one_is_shapley():
    """Beta(1, 1) weights are the Shapley weights."""
    np.testing.assert_allclose(_semivalues.beta_weights(7, 1, 1), _semivalues.shapley_weights(7), rtol=1e-12)


def test_scaling_is_the_mean_utility_by_size(datasets):
    """scaling()[k] is the plain mean of U over the C(n, k) subsets of size k."""
    grid = dcf.compute_grid(datasets["blobs6"], dcf.models.KNN(k=3))
    u, n = grid.utility(), grid.n_points
    expected = [np.mean([u[r] for r in range(2**n) if len(members_of(r, n)) == k]) for k in range(n + 1)]
    np.testing.assert_allclose(grid.scaling(), expected, rtol=0, atol=1e-15)


def test_group_loo_compares_full_and_reduced_rows(datasets):
    """group_loo("BD") is U(N) - U(N minus {B, D}), whatever way the group is named."""
    grid = dcf.compute_grid(datasets["blobs6"], dcf.models.KNN(k=1))
    u = grid.utility()
    expected = u[63] - u[63 & ~0b1010]
    assert grid.group_loo("BD") == pytest.approx(expected, abs=1e-15)
    assert grid.group_loo(["B", "D"]) == grid.group_loo([1, 3]) == grid.group_loo("BD")


def test_interaction_matches_grabisch_roubens_definition(datasets):
    """The Shapley interaction index equals its textbook sum over coalitions without i and j."""
    grid = dcf.compute_grid(datasets["xor4"], dcf.models.KNN(k=1))
    u, n = grid.utility(), grid.n_points
    i, j = 0, 2
    expected = 0.0
    for r in range(2**n):
        if r & (1 << i) or r & (1 << j):
            continue
        s = len(members_of(r, n))
        weight = math.factorial(s) * math.factorial(n - s - 2) / math.factorial(n - 1)
        expected += weight * (u[r | 5] - u[r | 1] - u[r | 4] + u[r])
    assert grid.interaction(i, j) == pytest.approx(expected, abs=1e-12)


def test_interaction_is_zero_for_an_additive_game():
    """When U is a sum of per-point contributions, no pair interacts."""
    n = 4
    contributions = np.array([0.1, -0.3, 0.25, 0.5])
    u = [sum(contributions[members_of(r, n)]) for r in range(2**n)]
    grid = dcf.Grid(np.array(u)[:, None])
    assert grid.interaction("A", "C") == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(grid.shapley(), contributions, rtol=0, atol=1e-15)


class TestNamesAndRows:
    def test_row_index_follows_the_bit_encoding(self):
        """Row r holds the points whose bit is set: "ABD" is 1 + 2 + 8."""
        grid = dcf.Grid(np.zeros((16, 1)))
        assert grid.row_index("ABD") == 11
        assert grid.row_index(["A", "B", "D"]) == grid.row_index([0, 1, 3]) == 11
        assert grid.row_index("∅") == grid.row_index([]) == 0
        assert grid.row_names[11] == "ABD"

    def test_multi_character_names_are_comma_joined(self):
        """With longer names, a subset is named and parsed as a comma-joined list."""
        grid = dcf.Grid(np.zeros((4, 1)), point_names=["cat", "dog"])
        assert grid.row_names == ("∅", "cat", "dog", "cat,dog")
        assert grid.row_index("cat,dog") == 3 and grid.row_index("dog") == 2

    def test_unknown_point_is_a_clear_error(self):
        """A subset naming an unknown point says which points exist."""
        with pytest.raises(ValueError, match=r"'Z' is not a training point; the points are \['A', 'B'\]"):
            dcf.Grid(np.zeros((4, 1))).row("AZ")

    def test_unknown_focus_is_a_clear_error(self):
        """focus outside the columns names the columns."""
        with pytest.raises(ValueError, match="focus='Q' is not an evaluation column"):
            dcf.Grid(np.zeros((4, 2))).shapley(focus="Q")
        with pytest.raises(ValueError, match="focus=5 is not an evaluation column"):
            dcf.Grid(np.zeros((4, 2))).loo(focus=[5])

    @pytest.mark.parametrize(
        "values, message",
        [
            (np.zeros((3, 1)), "not a power of two"),
            (np.zeros(4), "must be 2-D"),
            (np.zeros((4, 0)), "at least one evaluation column"),
            (np.array([[0.0], [np.nan], [0.0], [1.0]]), r"cell \(row 1, column 0\) is nan"),
            (np.zeros((2**17, 1)), "limited to n <= 16"),
        ],
    )
    def test_bad_tables_are_refused(self, values, message):
        """Grid(values) checks shape and finiteness and says what is wrong."""
        with pytest.raises(ValueError, match=message):
            dcf.Grid(values)

    def test_bad_semivalue_weights_are_refused(self):
        """Weights need one entry per coalition size."""
        with pytest.raises(ValueError, match=r"shape \(2,\); got shape \(3,\)"):
            dcf.Grid(np.zeros((4, 1))).semivalue([1, 2, 3])

    def test_bad_beta_parameters_are_refused(self):
        """alpha and beta must be positive."""
        with pytest.raises(ValueError, match="positive finite alpha"):
            dcf.Grid(np.zeros((4, 1))).beta_shapley(0, 1)


class TestBetaWeights:
    @pytest.mark.parametrize("n", [1, 2, 5, 16])
    @pytest.mark.parametrize("beta", [1e-3, 0.5, 1.0, 16.0, 1e8, 1e16])
    @pytest.mark.parametrize("alpha", [1e-3, 0.5, 1.0, 16.0, 1e8, 1e16])
    def test_weights_are_a_semivalue_for_any_parameters(self, alpha, beta, n):
        """sum_k C(n-1, k) w[k] = 1 for alpha, beta from 1e-3 to 1e16."""
        w = _semivalues.beta_weights(n, alpha, beta)
        assert math.fsum(math.comb(n - 1, k) * w[k] for k in range(n)) == pytest.approx(1.0, abs=1e-12)

    def test_huge_equal_parameters_give_banzhaf(self):
        """Beta(1e16, 1e16) is Banzhaf to rounding, not values around 1e55."""
        grid = dcf.Grid(np.random.default_rng(0).normal(size=(2**5, 2)))
        np.testing.assert_allclose(grid.beta_shapley(1e16, 1e16), grid.banzhaf(), rtol=0, atol=1e-12)

    @pytest.mark.parametrize("alpha, beta", [(1e-3, 1e-3), (16.0, 1.0), (1e16, 1.0), (2.5, 1e8)])
    def test_weights_match_the_beta_function_definition(self, alpha, beta):
        """w[k] = B(k+beta, n-1-k+alpha) / B(alpha, beta), against scipy's betaln as the oracle."""
        from scipy.special import betaln

        n = 6
        expected = [math.exp(betaln(k + beta, n - 1 - k + alpha) - betaln(alpha, beta)) for k in range(n)]
        np.testing.assert_allclose(_semivalues.beta_weights(n, alpha, beta), expected, rtol=1e-6, atol=0)

    @pytest.mark.parametrize("value", [True, "1", None, [1.0]])
    def test_non_numbers_are_a_type_error(self, value):
        """alpha must be a real number: bools, strings and lists are refused."""
        with pytest.raises(TypeError, match="alpha must be a real number"):
            dcf.Grid(np.zeros((4, 1))).beta_shapley(value, 1.0)

    @pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf")])
    def test_bad_values_are_refused(self, value):
        """beta must be positive and finite."""
        with pytest.raises(ValueError, match="positive finite beta"):
            dcf.Grid(np.zeros((4, 1))).beta_shapley(1.0, value)


class TestSemivalueWeights:
    def test_unnormalised_weights_are_allowed(self):
        """Weights need not sum to one: doubling them doubles the values."""
        grid = dcf.Grid(np.random.default_rng(1).normal(size=(8, 1)))
        w = _semivalues.shapley_weights(3)
        np.testing.assert_allclose(grid.semivalue(2 * w), 2 * grid.shapley(), rtol=0, atol=1e-12)

    @pytest.mark.parametrize("weights", [[True, False], ["1", "2"], "ab", None])
    def test_non_numbers_are_a_type_error(self, weights):
        """Bools, strings and None are not weights."""
        with pytest.raises(TypeError, match="weights must be a sequence of 2"):
            dcf.Grid(np.zeros((4, 1))).semivalue(weights)

    @pytest.mark.parametrize("weights", [[1.0, float("nan")], [float("inf"), 1.0]])
    def test_non_finite_weights_are_refused(self, weights):
        """Each weight must be finite; the message names the first bad one."""
        with pytest.raises(ValueError, match=r"weights must be finite numbers; weights\[\d\] is"):
            dcf.Grid(np.zeros((4, 1))).semivalue(weights)

    def test_a_table_of_weights_is_refused(self):
        """Weights are one-dimensional."""
        with pytest.raises(ValueError, match=r"shape \(2,\); got shape \(2, 2\)"):
            dcf.Grid(np.zeros((4, 1))).semivalue([[1, 2], [3, 4]])
