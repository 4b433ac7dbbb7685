"""The grid's view model (datacf._view): names, order, numbers, words and shades, decided once."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import datacf as dcf
from datacf import Grid
from datacf._view import MAX_ALL_ROWS, MINUS, format_number, grid_view, row_order, view_json

# Three points: hand-written subset names in display order ("all") and their row indices.
THREE_ORDER = [("∅", 0), ("A", 1), ("B", 2), ("C", 4), ("AB", 3), ("AC", 5), ("BC", 6), ("ABC", 7)]


def _grid(n_points=3, n_eval=2, metric="prob_correct", seed=0, names=None):
    """A real grid (logistic regression on random points), or a bare random table if metric is None."""
    rng = np.random.default_rng(seed)
    if metric is None:
        return Grid(rng.uniform(0.0, 1.0, size=(2**n_points, n_eval)), point_names=names)
    train = dcf.Dataset(rng.normal(size=(n_points, 2)), np.arange(n_points) % 2, names=names)
    test = dcf.Dataset(rng.normal(size=(n_eval, 2)), np.arange(n_eval) % 2)
    return dcf.compute_grid(train, dcf.models.LogisticRegression(C=1.0), eval=test, metric=metric)


def _cells(view):
    for row in view["rows"]:
        for c, cell in enumerate(row["cells"]):
            yield row, c, cell


class TestRows:
    def test_all_rows_by_size_then_members(self):
        """rows="all" for n = 3 lists ∅, A, B, C, AB, AC, BC, ABC with the matching row indices."""
        view = grid_view(_grid())
        assert [(row["label"], row["row"]) for row in view["rows"]] == THREE_ORDER
        assert row_order(3) == [r for _, r in THREE_ORDER]

    def test_names_are_the_grids_row_names(self):
        """Every label equals Grid.row_names, including comma-joined multi-letter names."""
        grid = _grid(names=["x1", "x2", "x3"])
        for row in grid_view(grid)["rows"]:
            assert row["label"] == grid.row_names[row["row"]]
        assert grid_view(grid, rows=["x1,x3"])["rows"][0]["label"] == "x1,x3"

    def test_members_size_and_trained_on(self):
        """A row lists its members, its size, and "nothing" for the empty set."""
        rows = {row["label"]: row for row in grid_view(_grid())["rows"]}
        assert (rows["AC"]["members"], rows["AC"]["size"], rows["AC"]["trainedOn"]) == (["A", "C"], 2, "A, C")
        assert (rows["∅"]["members"], rows["∅"]["size"], rows["∅"]["trainedOn"]) == ([], 0, "nothing")

    def test_loo_is_full_then_each_point_left_out(self):
        """rows="loo" is exactly the full set, then the full set without A, B, C in turn."""
        view = grid_view(_grid(), rows="loo")
        assert [row["label"] for row in view["rows"]] == ["ABC", "BC", "AC", "AB"]
        assert view["rowSet"] == "loo"

    def test_author_list_keeps_its_order(self):
        """An author's list resolves full, full-X and subset names, in the given order."""
        view = grid_view(_grid(), rows=["full", "full-B", "A", "∅"])
        assert [row["row"] for row in view["rows"]] == [7, 5, 1, 0]
        assert view["rowSet"] == "selected"

    def test_auto_shows_all_small_grids_and_loo_otherwise(self):
        """rows="auto" shows every row of a 4-point grid and the leave-one-out rows of a 5-point one."""
        assert grid_view(_grid(4), rows="auto")["rowSet"] == "all"
        assert [row["label"] for row in grid_view(_grid(5), rows="auto")["rows"]][:2] == ["ABCDE", "BCDE"]

    def test_groups_partition_the_shown_rows_by_size(self):
        """Groups list each size once, ascending, with positions into rows and a counted label."""
        view = grid_view(_grid())
        assert [(g["size"], g["rows"], g["label"]) for g in view["groups"]] == [
            (0, [0], "0 points (1 training set)"), (1, [1, 2, 3], "1 point (3 training sets)"),
            (2, [4, 5, 6], "2 points (3 training sets)"), (3, [7], "3 points (1 training set)")]

    def test_all_rows_for_the_toggle(self):
        """all_rows=True adds every row (in "all" order) only when the shown rows are not all."""
        view = grid_view(_grid(), rows="loo", all_rows=True)
        assert [row["label"] for row in view["allRows"]] == [name for name, _ in THREE_ORDER]
        assert view["allRowsLabel"] == "Show all 8 rows"
        assert grid_view(_grid(), rows="all", all_rows=True)["allRows"] is None
        assert grid_view(_grid(), rows="loo")["allRows"] is None
        assert 2**11 > MAX_ALL_ROWS

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"rows": ["AB", "AZ"]}, r"'AZ' is not a row"),
            ({"rows": ["AB", "full-C"]}, r"the same subset twice"),
            ({"rows": "everything"}, r"neither a row set"),
            ({"rows": ["AB"], "compare": ["AB", "ABC"]}, r"compare row 'ABC' is not among"),
            ({"compare": ["AB"]}, r"exactly two rows"),
            ({"compare": ["AB", "AB"]}, r"two different rows"),
            ({"focus": ["Q"]}, r"'Q' is not an evaluation column"),
            ({"fmt": "%d"}, r"format='%d' is not supported"),
            ({"caption": 3}, r"caption must be text"),
        ],
    )
    def test_bad_options_name_the_problem(self, options, message):
        """Unknown rows, columns and formats raise ValueError saying what is wrong."""
        with pytest.raises(ValueError, match=message):
            grid_view(_grid(), **options)


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "fmt", "text"),
        [
            (-0.001, ".2f", "0.00"),
            (-0.0, ".2f", "0.00"),
            (-0.034, ".2f", f"{MINUS}0.03"),
            (0.1, "+.2f", "+0.10"),
            (-0.1, "+.2f", f"{MINUS}0.10"),
            (0.004, "+.2f", "0.00"),
            (0.8125, ".1%", "81.2%"),
            (-0.5, ".0%", f"{MINUS}50%"),
            (2.0, ".0f", "2"),
        ],
    )
    def test_format_number(self, value, fmt, text):
        """True minus sign, no sign on a rounded zero, plus sign only when asked for."""
        assert format_number(value, fmt) == text

    def test_cells_use_the_format(self):
        """Each cell's text is its value in the view's format; the exact value is kept."""
        grid = _grid()
        view = grid_view(grid, fmt=".1%")
        for row, c, cell in _cells(view):
            assert cell["value"] == grid.values[row["row"], c]
            assert cell["text"] == f"{100 * grid.values[row['row'], c]:.1f}%".replace("-", MINUS)

    def test_compare_row_is_a_signed_difference(self):
        """The compare row is first minus second, formatted with a sign, labelled with both names."""
        grid = _grid()
        view = grid_view(grid, compare=["full", "full-A"])
        compare = view["compare"]
        assert compare["rows"] == [7, 6] and compare["label"] == f"difference (ABC {MINUS} BC)"
        for c, cell in enumerate(compare["cells"]):
            d = grid.values[7, c] - grid.values[6, c]
            assert cell["value"] == d and cell["text"] == format_number(d, "+.2f")
            assert cell["label"] == f"difference, ABC minus BC, evaluated at {grid.eval_names[c]}: {cell['text']}"
        marks = {row["label"]: row["compare"] for row in view["rows"]}
        assert (marks["ABC"], marks["BC"], marks["AB"]) == ("first", "second", None)


class TestShades:
    @pytest.mark.parametrize("metric", ["prob_correct", "accuracy", None])
    def test_shade_rises_with_the_value(self, metric):
        """Higher is better: the shade is monotone increasing in the value, within [0, 1]."""
        pairs = sorted((cell["value"], cell["shade"]) for _, _, cell in _cells(grid_view(_grid(metric=metric))))
        shades = [s for _, s in pairs]
        assert shades == sorted(shades) and 0 <= shades[0] and shades[-1] <= 1

    def test_unit_metrics_use_the_fixed_scale(self):
        """prob_correct maps [0, 1] onto [0, 1]: the shade is the value, rounded."""
        for _, _, cell in _cells(grid_view(_grid())):
            assert cell["shade"] == round(cell["value"], 4)

    def test_log_loss_is_inverted(self):
        """Lower log loss is darker: the smallest loss has shade 1, the largest 0, monotone between."""
        grid = _grid(metric="log_loss")
        view = grid_view(grid)
        pairs = sorted((cell["value"], cell["shade"]) for _, _, cell in _cells(view))
        shades = [s for _, s in pairs]
        assert shades == sorted(shades, reverse=True) and (shades[0], shades[-1]) == (1.0, 0.0)
        legend = view["legend"]
        assert legend["light"]["value"] == grid.values.max() and legend["dark"]["value"] == grid.values.min()
        assert view["higherIsBetter"] is False and "falls" in legend["lines"][0][0]["text"]

    def test_a_constant_grid_has_a_defined_shade(self):
        """A grid of one value (unknown metric) gets finite shades, not a division by zero."""
        view = grid_view(Grid([[0.3], [0.3]]))
        assert all(math.isfinite(cell["shade"]) for _, _, cell in _cells(view))


class TestWords:
    def test_every_cell_label_names_its_subset_and_column(self):
        """Labels read "trained on A, C; evaluated at <column>: <text>" for the right row and column."""
        grid = _grid(n_eval=3)
        for row, c, cell in _cells(grid_view(grid, rows="all")):
            members = [grid.point_names[i] for i in range(3) if (row["row"] >> i) & 1]
            expected = ", ".join(members) or "nothing"
            assert cell["label"] == f"trained on {expected}; evaluated at {grid.eval_names[c]}: {cell['text']}"

    def test_metric_words_and_default_caption(self):
        """The metric's wording goes into the default caption; a title replaces the description."""
        view = grid_view(_grid(), title="Four points")
        assert view["metricWords"] == "the probability the model gives the true label"
        assert view["caption"] == "Four points. Each cell: the probability the model gives the true label."
        assert grid_view(_grid(), caption="Mine.")["caption"] == "Mine."
        assert grid_view(_grid(metric=None))["caption"].startswith("A grid over 3 points: 8 training sets")

    def test_live_caption_says_where_it_was_computed(self):
        """live=True: the default caption says the grid was computed in the reader's browser."""
        assert grid_view(_grid(), live=True)["caption"] == (
            "LogisticRegression, computed in your browser: 8 training sets, 2 evaluation points. "
            "Each cell: the probability the model gives the true label.")

    def test_legend_names_compare_rows_and_focus_columns(self):
        """The legend marks the compared rows as runs and names the focus columns."""
        view = grid_view(_grid(), compare=["ABC", "AB"], focus=["B"])
        lines = view["legend"]["lines"]
        marks = [(run["text"], run.get("mark")) for run in lines[1] if run.get("mark")]
        assert marks == [("ABC", "first"), ("AB", "second")]
        assert lines[2] == [{"text": "Focus columns (underlined): B."}]
        assert view["focus"] == [1]


class TestJson:
    def test_view_is_plain_json(self):
        """The view holds only JSON types and survives a json round trip unchanged."""
        view = grid_view(_grid(metric="log_loss"), rows="loo", compare=["full", "full-C"], focus="A", all_rows=True)

        def plain(x):
            if isinstance(x, dict):
                return all(isinstance(k, str) and plain(v) for k, v in x.items())
            if isinstance(x, list):
                return all(plain(v) for v in x)
            return x is None or type(x) in (str, int, float, bool)

        assert plain(view)
        assert json.loads(view_json(_grid(metric="log_loss"), rows="loo", compare=["full", "full-C"], focus="A",
                                    all_rows=True)) == view

    def test_works_with_only_numpy(self):
        """The view model imports neither scikit-learn nor scipy (the browser's fast tier)."""
        code = (
            "import sys\n"
            "sys.modules['sklearn'] = None\n"
            "sys.modules['scipy'] = None\n"
            "from datacf import Grid\n"
            "from datacf._view import view_json\n"
            "print(view_json(Grid([[0.5], [1.0]]), rows='loo'))\n"
        )
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["rows"][0]["label"] == "A"
