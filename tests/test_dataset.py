"""Dataset validation: every bad input gets an error naming the problem and where it is."""
import numpy as np
import pytest

import datacf as dcf


class TestValid:
    def test_names_default_to_letters(self):
        """Points are named A, B, C, ... unless names are given."""
        assert dcf.Dataset(np.zeros((3, 1)), [0, 1, 0]).names == ("A", "B", "C")

    def test_integral_floats_and_bools_become_integer_labels(self):
        """y = [0.0, 1.0] and [False, True] are accepted as integer labels."""
        assert dcf.Dataset([[0], [1]], [0.0, 1.0]).y.dtype == np.int64
        assert dcf.Dataset([[0], [1]], [False, True]).y.tolist() == [0, 1]

    def test_is_immutable(self):
        """Neither the arrays nor the attributes can be changed after construction."""
        data = dcf.Dataset([[0.0], [1.0]], [0, 1])
        with pytest.raises(ValueError, match="read-only"):
            data.X[0, 0] = 5.0
        with pytest.raises(AttributeError, match="immutable"):
            data.names = ("P", "Q")

    def test_copies_its_input(self):
        """Changing the caller's array afterwards does not change the dataset."""
        X = np.zeros((2, 1))
        data = dcf.Dataset(X, [0, 1])
        X[0, 0] = 9.0
        assert data.X[0, 0] == 0.0

    def test_dict_round_trip(self):
        """to_dict/from_dict gives an equal dataset."""
        data = dcf.Dataset([[0.1, 2.0], [1e-300, -3.5]], [2, 7], names=["p", "q"])
        assert dcf.Dataset.from_dict(data.to_dict()) == data


class TestInvalid:
    @pytest.mark.parametrize(
        "X, y, message",
        [
            ([1.0, 2.0], [0, 1], r"X must be 2-D.*got 1-D.*reshape\(-1, 1\)"),
            (np.zeros((0, 2)), [], "dataset is empty"),
            (np.zeros((2, 0)), [0, 1], "no columns"),
            ([[0.0, 1.0], [np.nan, 2.0]], [0, 1], r"NaN or infinite values in row 1"),
            ([[0.0], [1.0], [np.inf]], [0, 1, 1], r"in row 2 \(\[inf\]\)"),
            ([["a"], ["b"]], [0, 1], "X must hold numbers"),
            ([[0.0], [1.0]], [0, 1, 1], "X has 2 rows but y has 3 labels"),
            ([[0.0], [1.0]], [0, 0.5], r"y\[1\] = 0.5 is not an integer"),
            ([[0.0], [1.0]], ["cat", "dog"], "y must hold integer class labels"),
            ([[0.0], [1.0]], [0, np.nan], r"y\[1\] = nan is not an integer"),
            ([[0.0], [1.0]], [[0], [1]], "y must be 1-D"),
        ],
    )
    def test_bad_features_or_labels(self, X, y, message):
        """Each malformed X or y raises a ValueError saying what and where."""
        with pytest.raises(ValueError, match=message):
            dcf.Dataset(X, y)

    def test_duplicate_names(self):
        """Duplicate names name both points."""
        with pytest.raises(ValueError, match="'A' is used by points 0 and 2"):
            dcf.Dataset(np.zeros((3, 1)), [0, 1, 0], names=["A", "B", "A"])

    def test_wrong_number_of_names(self):
        """names must have one entry per point."""
        with pytest.raises(ValueError, match="names has 2 entries but there are 3 points"):
            dcf.Dataset(np.zeros((3, 1)), [0, 1, 0], names=["A", "B"])

    def test_empty_name(self):
        """Names must be non-empty strings."""
        with pytest.raises(ValueError, match=r"names\[1\] = ''"):
            dcf.Dataset(np.zeros((2, 1)), [0, 1], names=["A", ""])

    def test_names_as_one_string(self):
        """A single string is not a list of names."""
        with pytest.raises(TypeError, match="got the string 'AB'"):
            dcf.Dataset(np.zeros((2, 1)), [0, 1], names="AB")
