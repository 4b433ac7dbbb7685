"""datacf._explorer: hostile states are refused, and every number agrees with compute_grid and the readings."""
import base64
import json
import string

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.testing import assert_allclose

import datacf as dcf
from datacf._explorer import (ExplorerStateError, check_state, explore, fragment_from_state, script_for_state,
                              state_from_fragment)

MISLABELLED = dcf.toy_dataset("mislabelled")
STATE = {"train": {"X": MISLABELLED.X.tolist(), "y": MISLABELLED.y.tolist()}, "model": "LogisticRegression",
         "params": {"C": 1.0}, "focus": [0, 4, 6], "lens": {"name": "poison", "group": [4], "alpha": 16.0, "beta": 1.0},
         "selection": 0b10101}


class TestExplore:
    def test_grid_is_compute_grid(self):
        """The values are compute_grid's, to the last bit."""
        out = explore(STATE)
        grid = dcf.compute_grid(MISLABELLED, dcf.models.LogisticRegression(C=1.0))
        assert_allclose(out["values"], grid.values, rtol=0, atol=0)

    def test_readings_match_grid(self):
        """Every reading equals the Grid method over the focus columns."""
        out = explore(STATE)
        grid = dcf.compute_grid(MISLABELLED, dcf.models.LogisticRegression(C=1.0))
        focus = STATE["focus"]
        r = out["readings"]
        assert_allclose(r["loo"], grid.loo(focus), atol=1e-12)
        assert_allclose(r["shapley"], grid.shapley(focus), atol=1e-12)
        assert_allclose(r["banzhaf"], grid.banzhaf(focus), atol=1e-12)
        assert_allclose(r["beta"], grid.beta_shapley(16, 1, focus), atol=1e-12)
        assert_allclose(r["scaling"], grid.scaling(focus), atol=1e-12)
        assert r["interaction"][1][2] == pytest.approx(grid.interaction(1, 2, focus), abs=1e-12)
        for key in ("shapley", "banzhaf", "beta"):
            assert_allclose(np.array(r["gain_by_size"]) @ r["size_weights"][key], r[key], atol=1e-12)

    def test_best_subset_by_brute_force(self):
        """The best subset of each size is the argmax over that size's rows."""
        out = explore(STATE)
        u = np.array(out["utility"])
        for entry in out["readings"]["best"]:
            rows = [r for r in range(len(u)) if bin(r).count("1") == entry["size"]]
            assert entry["utility"] == max(u[rows])

    def test_poison_is_retrained(self):
        """Label-flip poisoning trains on the flipped data and scores on the clean points."""
        out = explore(STATE)
        flipped = dcf.Dataset(MISLABELLED.X, [0, 0, 0, 0, 0, 1, 1, 1])
        grid = dcf.compute_grid(flipped, dcf.models.LogisticRegression(C=1.0), eval=MISLABELLED)
        assert_allclose(out["poison"]["utility"], grid.utility(STATE["focus"]), atol=1e-12)

    def test_regions_full_and_selected(self):
        """Regions come for the full row and the selected row; a lone class predicts itself."""
        out = explore({**STATE, "selection": 0b1})
        rows = {entry["row"]: entry for entry in out["regions"]["rows"]}
        assert set(rows) == {255, 1}
        assert set(rows[1]["label"]) == {0} and set(rows[1]["prob"]) == {1.0}
        assert set(rows[255]["label"]) == {0, 1}

    def test_view_is_grid_view(self):
        """The table the page draws comes from the view model, every row."""
        view = explore(STATE)["view"]
        assert view["nRows"] == 256 and len(view["rows"]) == 256 and view["focus"] == STATE["focus"]

    def test_script_reproduces_grid(self):
        """The exported script, run, computes the same grid."""
        namespace = {}
        exec(script_for_state(STATE).replace("print(", "(lambda *a: None)("), namespace)
        assert_allclose(namespace["grid"].values, explore(STATE)["values"], rtol=0, atol=0)


class TestCheckState:
    @pytest.mark.parametrize("patch, message", [
        ({"train": {"X": [[0, 0]], "y": [0]}}, "2 to 10 points"),
        ({"train": {"X": [[0, 0]] * 11, "y": [0] * 11}}, "2 to 10 points"),
        ({"train": {"X": [[0, float("nan")], [1, 1]], "y": [0, 1]}}, "number from"),
        ({"train": {"X": [[0, 1e9], [1, 1]], "y": [0, 1]}}, "number from"),
        ({"train": {"X": [[0, 0], [1, 1]], "y": [0, 7]}}, "integer from 0 to 2"),
        ({"train": {"X": [[0, 0], [1, 1]], "y": [0, True]}}, "integer from 0 to 2"),
        ({"train": {"X": [[0, 0], [1, 1]], "y": [0, 1], "names": ["A", "A"]}}, "unique"),
        ({"train": {"X": [[0, 0], [1, 1]], "y": [0, 1], "names": ["A", "B,C"]}}, "row names use"),
        ({"model": "os.system"}, "not allowed"),
        ({"model": "KNN", "params": {"k": 0}}, "integer from 1"),
        ({"model": "KNN", "params": {"n_jobs": 2}}, "may only set"),
        ({"metric": "__import__"}, "not supported"),
        ({"focus": [99]}, "focus"),
        ({"lens": {"name": "<script>"}}, "not a lens"),
        ({"selection": 1 << 20}, "selection"),
        ({"sneaky": 1}, "Unknown state key"),
        ({"metric": "log_loss", "convention": "zero"}, "zero' cannot score metric = 'log_loss'"),
    ])
    def test_refuses(self, patch, message):
        """A malformed state raises ExplorerStateError naming the problem."""
        with pytest.raises(ExplorerStateError, match=message):
            check_state({**STATE, **patch})

    def test_round_trip(self):
        """A fragment gives back exactly the checked state."""
        assert state_from_fragment(fragment_from_state(STATE)) == check_state(STATE)


# --- hostile fragments -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=3), children, max_size=5),
    max_leaves=30,
)
good = json.loads(base64.urlsafe_b64decode(fragment_from_state(STATE)[5:] + "==="))


def _encode(obj):
    return "dcf1." + base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


@st.composite
def mutated(draw):
    compact = json.loads(json.dumps(good))
    key = draw(st.sampled_from(sorted(compact)))
    compact[key] = draw(json_values)
    return _encode(compact)


fragments = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=string.ascii_letters + string.digits + "-_", max_size=300).map(lambda t: "dcf1." + t),
    json_values.map(_encode),
    mutated(),
    st.just("dcf1." + "A" * 5000),
    st.just(_encode({"t": [[0, 0, 0, "<img src=x onerror=alert(1)>"], [1, 1, 1, "B"]]})),
)


@settings(max_examples=300, deadline=None)
@given(fragments)
def test_hostile_fragments(fragment):
    """No fragment raises anything but ExplorerStateError; what passes is a state explore() can compute."""
    try:
        state = state_from_fragment(fragment)
    except ExplorerStateError:
        return
    out = explore(state)
    assert len(out["utility"]) == 2 ** len(state["train"]["X"])


class TestExplorePage:
    def test_reply_fits_the_output_cap(self, capsys):
        """At n = 10 with 12 columns and the largest group open, the worker's reply fits the page's cap."""
        from datacf._explorer import MAX_ROWS_PER_REQUEST, PAGE_OUTPUT_LIMIT, explore_page

        rng = np.random.default_rng(7)
        state = {"train": {"X": rng.uniform(-3, 3, (10, 2)).round(2).tolist(), "y": [0, 1] * 5},
                 "eval": {"X": rng.uniform(-3, 3, (12, 2)).round(2).tolist(), "y": [0, 1] * 6},
                 "model": "LogisticRegression", "selection": 5}
        rows = [r for r in range(1024) if bin(r).count("1") == 5]
        grid = explore_page(json.dumps(state), json.dumps(rows))
        text = capsys.readouterr().out
        assert len(text) < PAGE_OUTPUT_LIMIT
        out = json.loads(text)
        assert len(out["view"]["rows"]) == MAX_ROWS_PER_REQUEST
        row = out["view"]["rows"][0]
        assert row["cells"][0][0] == format(grid.values[row["row"], 0], ".2f").replace("-", "\u2212")
        assert [g["size"] for g in out["view"]["allGroups"]] == list(range(11))
