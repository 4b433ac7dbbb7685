"""Dataset validation: every bad input gets an error naming the problem and where it is."""
import numpy as np
import pytest

import datacf as dcf


class TestValid:
    def test_names_default_to_letters(self):
        """Points are named A, B, C, ... unless names are given."""
        assert dcf.Dataset(np.zeros((3, 1)), [0, 1, 0]).names == ("A", "B", "C")

    def test_default_names_go_on_like_spreadsheet_columns(self):
        """After Z come AA, AB, ...; after ZZ comes AAA (bijective base 26, as spreadsheet columns)."""
        names = dcf.Dataset(np.zeros((703, 1)), [0, 1] * 351 + [0]).names
        assert names[24:28] == ("Y", "Z", "AA", "AB")
        assert names[51:53] == ("AZ", "BA")
        assert names[701:] == ("ZZ", "AAA")

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


class TestLabels:
    """Labels are integers that fit in int64; anything else is refused naming the index (issue 7)."""

    @pytest.mark.parametrize("y, message", [
        ([1e19, 2e19], r"y\[0\] = 1e\+19 does not fit in int64"),
        ([0, 2**63], r"y\[1\] = 9223372036854775808 does not fit in int64"),
        ([-(2**63) - 1, 0], r"y\[0\] = -9223372036854775809 does not fit in int64"),
        ([0, 2**6000], r"y\[1\] = an integer of 6001 bits does not fit in int64"),
        (np.array([0, 2**63], dtype=np.uint64), r"y\[1\] = 9223372036854775808 does not fit in int64"),
        ([0, None], r"y\[1\] = None is of type NoneType, not an integer"),
        (["cat", "dog"], r"y\[0\] = 'cat' is a string, not an integer.*LabelEncoder"),
        (np.array(["cat", "dog"]), r"got values of type <U3.*LabelEncoder"),
        ([1 + 2j, 0], r"y\[0\] = \(1\+2j\) is of type complex, not an integer"),
        (np.array([1 + 2j, 0]), "got values of type complex128"),
        ([0, [1]], r"y\[1\] = \[1\] is of type list, not an integer"),
        ([0, {"class": "os.system"}], r"y\[1\] = \{'class': 'os.system'\} is of type dict"),
    ])
    def test_bad_label_is_named(self, y, message):
        """Each label that is not an int64 integer is named with its index and value."""
        with pytest.raises(ValueError, match=message):
            dcf.Dataset([[0.0], [1.0]], y)

    def test_largest_int64_labels_are_kept_exactly(self):
        """Labels at the ends of int64 are kept as given, not rounded through a float."""
        y = [-(2**63), 2**63 - 1]
        assert dcf.Dataset([[0.0], [1.0]], y).y.tolist() == y

    def test_huge_feature_is_a_value_error(self):
        """An integer feature too large for a float64 is refused, not an OverflowError."""
        with pytest.raises(ValueError, match="X must hold numbers"):
            dcf.Dataset([[10**400], [0]], [0, 1])


class TestNames:
    """Names never collide with row-name syntax: "∅" is the empty set, "," the separator (issue 7)."""

    @pytest.mark.parametrize("name, message", [
        ("∅", r"names\[1\] = '∅' contains '∅', which names the empty set"),
        ("B∅", r"names\[1\] = 'B∅' contains '∅'"),
        ("A,C", r"names\[1\] = 'A,C' contains ',', which separates the members of a row name"),
        ("   ", r"names\[1\] = '   '; a name must have a visible character"),
        ("\n", r"names\[1\] = '\\n'; a name must have a visible character"),
    ])
    def test_reserved_or_blank_name_is_refused(self, name, message):
        """Dataset names may not use the row-name syntax or be blank."""
        with pytest.raises(ValueError, match=message):
            dcf.Dataset(np.zeros((2, 1)), [0, 1], names=["A", name])

    @pytest.mark.parametrize("names, message", [
        ([1, 2], r"names\[0\] = 1 is of type int; names must be strings"),
        (5, "names must be a sequence of strings, one per point; got int"),
    ])
    def test_non_string_names_are_a_type_error(self, names, message):
        """Names that are not strings give a TypeError saying so."""
        with pytest.raises(TypeError, match=message):
            dcf.Dataset(np.zeros((2, 1)), [0, 1], names=names)

    @pytest.mark.parametrize("what", ["point_names", "eval_names"])
    def test_grid_names_follow_the_same_rule(self, what):
        """Grid point and evaluation names are refused for the same reasons as dataset names."""
        with pytest.raises(ValueError, match=rf"{what}\[0\] = '∅' contains '∅'"):
            dcf.Grid([[0.0, 0.0], [1.0, 1.0]], **{what: ["∅"] * (1 if what == "point_names" else 2)})

    def test_grid_names_of_the_wrong_type_are_a_type_error(self):
        """A number where a list of names belongs is a TypeError."""
        with pytest.raises(TypeError, match="point_names must be a sequence of 1 strings; got int"):
            dcf.Grid([[0.0], [1.0]], point_names=7)

    def test_empty_set_sign_names_only_the_empty_row(self):
        """row("∅") is the empty set, and every row name parses back to its own row."""
        grid = dcf.Grid(np.arange(8.0)[:, None], point_names=["p1", "p2", "AB"])
        assert grid.row_index("∅") == 0
        assert [grid.row_index(name) for name in grid.row_names] == list(range(8))

    def test_single_letter_row_names_parse_back(self):
        """With one-character names rows are concatenated and still parse back one way."""
        grid = dcf.Grid(np.arange(8.0)[:, None], point_names=["x", "y", "z"])
        assert grid.row_names[5] == "xz"
        assert [grid.row_index(name) for name in grid.row_names] == list(range(8))

    def test_subset_that_is_not_a_name_or_sequence_is_a_type_error(self):
        """row(3.5) says what a subset may be."""
        with pytest.raises(TypeError, match="A subset is a row name such as 'AB' or a sequence"):
            dcf.Grid([[0.0], [1.0]]).row(3.5)
