"""Each toy dataset teaches its lesson on a real grid."""
import itertools

import numpy as np
import pytest

import datacf as dcf


def grid_of(name, model, **kwargs):
    return dcf.compute_grid(dcf.toy_dataset(name), model, **kwargs)


def test_registry_is_small_2d_and_documented():
    """Every toy is 2-D with 4-10 points, two classes and a lesson sentence."""
    for name in dcf.toy_dataset_names():
        data = dcf.toy_dataset(name)
        assert data.n_features == 2 and 4 <= data.n_points <= 10
        assert data.classes.tolist() == [0, 1]
        assert len(dcf.toy_lesson(name)) > 40


def test_unknown_toy_is_a_clear_error():
    """An unknown name lists the known ones."""
    with pytest.raises(ValueError, match=r"Unknown toy dataset 'iris'; choose one of \['four_points'"):
        dcf.toy_dataset("iris")


def test_four_points_removing_b_hurts_b():
    """The introduction's comparison: the model trained on ABCD is better at B than the one on ACD."""
    grid = grid_of("four_points", dcf.models.LogisticRegression(C=1.0))
    b = grid.eval_names.index("B")
    assert grid.row("ABCD")[b] > grid.row("ACD")[b]


@pytest.mark.parametrize("model", [dcf.models.LogisticRegression(C=1.0), dcf.models.KNN(k=3)], ids=repr)
def test_mislabelled_point_has_the_lowest_negative_value(model):
    """E (mislabelled) gets the lowest LOO and Shapley value, and both are negative."""
    grid = grid_of("mislabelled", model)
    for values in (grid.loo(), grid.shapley()):
        assert values.argmin() == 4 and values[4] < 0


def test_near_duplicates_look_worthless_to_loo_but_not_to_shapley():
    """1-NN: LOO is 0 for B and C only; Shapley gives them equal, positive shares."""
    grid = grid_of("near_duplicates", dcf.models.KNN(k=1))
    loo, shapley = grid.loo(), grid.shapley()
    assert loo[1] == loo[2] == 0.0
    assert (np.delete(loo, [1, 2]) > 0).all()
    assert shapley[1] == pytest.approx(shapley[2], abs=1e-12) and shapley[1] > 0


def test_outlier_costs_the_centroid_model():
    """E drags the class-1 centroid away: its LOO and Shapley values are the lowest and negative."""
    grid = grid_of("outlier", dcf.models.NearestCentroid())
    for values in (grid.loo(), grid.shapley()):
        assert values.argmin() == 4 and values[4] < 0


def test_xor_points_only_matter_in_pairs():
    """1-NN on XOR: a single point adds nothing over the empty set, and every pair interacts positively."""
    grid = grid_of("xor", dcf.models.KNN(k=1))
    u = grid.utility()
    singles = [u[1 << i] - u[0] for i in range(4)]
    np.testing.assert_allclose(singles, 0.0, atol=1e-15)
    assert u[-1] > u[0]
    assert all(grid.interaction(i, j) > 0 for i, j in itertools.combinations(range(4), 2))


def test_fresh_points_undo_what_training_points_flatter():
    """1-NN on four_points: perfect and indifferent to every point on its own points; not on fresh ones."""
    train, fresh = dcf.toy_dataset("four_points"), dcf.toy_dataset("four_points_fresh")
    own = dcf.compute_grid(train, dcf.models.KNN(k=1))
    held_out = dcf.compute_grid(train, dcf.models.KNN(k=1), eval=fresh)
    assert (own.row("ABCD") == 1.0).all() and (own.loo() == 0.0).all()
    np.testing.assert_array_equal(held_out.row("ABCD"), [1.0, 1.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(held_out.loo() > 0, [False, True, True, False])
