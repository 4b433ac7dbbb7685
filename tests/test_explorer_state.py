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


# --- the edit-grid lenses, against brute force: edit with numpy, fit scikit-learn per row -------------

HELD_OUT = {"X": [[0.4, 0.3], [1.1, 0.9], [2.6, 2.9], [3.4, 3.1], [0.9, 2.2]], "y": [0, 0, 1, 1, 0],
            "names": ["a", "b", "c", "d", "e"]}
EDIT_STATE = {"train": {"X": MISLABELLED.X[:6].tolist(), "y": MISLABELLED.y[:6].tolist()}, "eval": HELD_OUT,
              "model": "LogisticRegression", "params": {"C": 1.0}, "focus": [0, 2, 3, 4],
              "lens": {"name": "collective", "group": [1, 4], "signal": {"feature": 1, "value": 4.5, "label": 1}}}


def _sklearn_proba(X, y, points):
    """scikit-learn's logistic regression on (X, y), as P(class) at ``points``; one class predicts itself (fallback)."""
    from sklearn.linear_model import LogisticRegression

    classes = np.unique(y)
    if classes.size == 1:
        return classes, np.ones((len(points), 1))
    return classes, LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y).predict_proba(points)


def _brute_force_flips(state):
    """U(F) for every flipped set F: flip F's labels with numpy, fit, P(true label) at the clean focus points."""
    X, y = np.array(state["train"]["X"]), np.array(state["train"]["y"])
    ev = state["eval"]
    Xe, ye = np.array(ev["X"]), np.array(ev["y"])
    u = []
    for row in range(2 ** len(y)):
        edited = np.array([1 - label if (row >> i) & 1 else label for i, label in enumerate(y)])
        classes, proba = _sklearn_proba(X, edited, Xe)
        p_true = np.array([proba[j, list(classes).index(ye[j])] if ye[j] in classes else 0.0 for j in range(len(ye))])
        u.append(p_true[state["focus"]].mean())
    return np.array(u)


def _brute_force_success(state, feature, value, target):
    """S(F) for every collective F: plant the signal in F with numpy, fit, share of signal-carrying focus points given the target."""
    X, y = np.array(state["train"]["X"]), np.array(state["train"]["y"])
    carriers = np.array(state["eval"]["X"], dtype=float)
    carriers[:, feature] = value
    s = []
    for row in range(2 ** len(y)):
        Xp, yp = X.copy(), y.copy()
        members = [i for i in range(len(y)) if (row >> i) & 1]
        Xp[members, feature] = value
        yp[members] = target
        classes, proba = _sklearn_proba(Xp, yp, carriers)
        s.append(np.mean(classes[proba.argmax(axis=1)][state["focus"]] == target))
    return np.array(s)


def _by_size(u, n, pick):
    """For each size b: the value ``pick`` (min or max) over |F| = b, its lowest row, and the mean."""
    sizes = np.array([bin(r).count("1") for r in range(2 ** n)])
    out = []
    for b in range(n + 1):
        rows = np.flatnonzero(sizes == b)
        best = pick(u[rows])
        out.append((best, int(rows[np.flatnonzero(np.abs(u[rows] - best) < 1e-9)[0]]), u[rows].mean()))
    return out


class TestEditLenses:
    def test_poison_matches_brute_force(self):
        """Every flipped set's U, the mean and the worst case by budget equal scikit-learn fitted per row."""
        poison = explore(EDIT_STATE)["poison"]
        expected = _brute_force_flips(check_state(EDIT_STATE))
        assert_allclose(poison["utility"], expected, rtol=0, atol=1e-6)
        assert poison["worst_is"] == "minimum" and poison["edit"] == {"kind": "FlipLabels", "mapping": None}
        for b, (worst, row, mean) in enumerate(_by_size(expected, 6, np.min)):
            assert poison["minimum"][b] == pytest.approx(worst, abs=1e-6)
            assert poison["mean"][b] == pytest.approx(mean, abs=1e-6)
            assert poison["utility"][poison["rows"][b]] == pytest.approx(worst, abs=1e-6)   # a row attaining it
            assert bin(poison["rows"][b]).count("1") == b
        assert poison["rows"][2] == _by_size(expected, 6, np.min)[2][1]

    def test_poison_effect_of_the_group_is_the_flipped_full_model(self):
        """U(G) - U(∅) of the edit grid is the subset grid's U(N) on G-flipped labels minus the clean U(N)."""
        out = explore(EDIT_STATE)
        flipped = np.array(EDIT_STATE["train"]["y"])
        flipped[[1, 4]] = 1 - flipped[[1, 4]]
        state = check_state(EDIT_STATE)
        poisoned = explore({**state, "train": {**state["train"], "y": flipped.tolist()}})
        effect = out["poison"]["utility"][0b10010] - out["poison"]["utility"][0]
        assert effect == pytest.approx(poisoned["utility"][-1] - out["utility"][-1], abs=1e-9)

    def test_poison_worst_is_the_maximum_for_log_loss(self):
        """For log loss, a loss, the attacker's worst case is the largest U of each budget."""
        poison = explore({**EDIT_STATE, "metric": "log_loss"})["poison"]
        u = np.array(poison["utility"])
        assert poison["worst_is"] == "maximum" and "minimum" not in poison
        assert poison["maximum"] == [u[[r for r in range(64) if bin(r).count("1") == b]].max() for b in range(7)]

    def test_three_classes_flip_to_the_next(self):
        """With three classes a flip moves each label to the next, cyclically; 1-NN on its own points loses exactly the flipped focus points."""
        state = {"train": {"X": [[0, 0], [1, 0], [2, 0], [0, 2], [2, 2]], "y": [0, 1, 2, 2, 0]}, "model": "KNN",
                 "params": {"k": 1}, "metric": "accuracy", "focus": [0, 1, 3], "lens": {"name": "poison"}}
        poison = explore(state)["poison"]
        assert poison["flipped_to"] == [1, 2, 0, 0, 1]
        assert poison["edit"] == {"kind": "FlipLabels", "mapping": [[0, 1], [1, 2], [2, 0]]}
        expected = [1 - len({i for i in range(5) if (r >> i) & 1} & {0, 1, 3}) / 3 for r in range(32)]
        assert_allclose(poison["utility"], expected, rtol=0, atol=1e-12)

    def test_collective_matches_brute_force(self):
        """Success of every collective, and the best and mean by size, equal scikit-learn fitted per row."""
        collective = explore(EDIT_STATE)["collective"]
        expected = _brute_force_success(check_state(EDIT_STATE), 1, 4.5, 1)
        assert collective["signal"] == {"kind": "PlantSignal", "feature": 1, "value": 4.5, "label": 1}
        assert collective["auto"] == {"value": False, "label": False}
        assert_allclose(collective["success"], expected, rtol=0, atol=1e-12)
        for b, (best, row, mean) in enumerate(_by_size(expected, 6, np.max)):
            assert collective["maximum"][b] == best and collective["rows"][b] == row
            assert collective["mean"][b] == pytest.approx(mean, abs=1e-12)

    def test_collective_default_signal(self):
        """A null value sits a fifth of the span past the feature's largest value; a null label is the class
        the clean model gives least often to the signal-carrying points."""
        state = check_state({**EDIT_STATE, "lens": {"name": "collective", "signal": {"feature": 0}}})
        collective = explore(state)["collective"]
        xs = np.array(state["train"]["X"])[:, 0]
        value = round(xs.max() + 0.2 * max(xs.max() - xs.min(), 1.0), 2)
        clean = {c: _brute_force_success(state, 0, value, c)[0] for c in (0, 1)}
        target = min(clean, key=lambda c: (clean[c], c))
        assert collective["signal"] == {"kind": "PlantSignal", "feature": 0, "value": value, "label": target}
        assert collective["auto"] == {"value": True, "label": True}
        assert collective["success"][0] == clean[target] <= 0.5

    def test_lens_readings_follow_the_focus(self):
        """Both edit lenses average over the focus columns: another focus, other numbers, same brute force."""
        state = {**EDIT_STATE, "focus": [1]}
        out = explore(state)
        checked = check_state(state)
        assert_allclose(out["poison"]["utility"], _brute_force_flips(checked), rtol=0, atol=1e-6)
        assert_allclose(out["collective"]["success"], _brute_force_success(checked, 1, 4.5, 1), rtol=0, atol=1e-12)


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
        ({"train": {"X": [[0, 10**400], [1, 1]], "y": [0, 1]}}, r"train.X\[0\]\[1\] must be a number from -100 to 100"),
    ])
    def test_refuses(self, patch, message):
        """A malformed state raises ExplorerStateError naming the problem."""
        with pytest.raises(ExplorerStateError, match=message):
            check_state({**STATE, **patch})

    def test_round_trip(self):
        """A fragment gives back exactly the checked state."""
        assert state_from_fragment(fragment_from_state(STATE)) == check_state(STATE)

    @pytest.mark.parametrize("signal", [None, {"feature": 1}, {"feature": 1, "value": -3.25, "label": 1},
                                        {"feature": 0, "value": 100, "label": None}])
    def test_round_trip_keeps_the_lens(self, signal):
        """A link keeps the collective lens: its group and signal come back exactly, nulls included."""
        state = {**STATE, "lens": {"name": "collective", "group": [2, 5, 7], "signal": signal}}
        back = state_from_fragment(fragment_from_state(state))
        assert back == check_state(state)
        assert back["lens"]["name"] == "collective" and back["lens"]["group"] == [2, 5, 7]
        expected = {"feature": 0, "value": None, "label": None, **(signal or {})}
        assert back["lens"]["signal"] == {k: (float(v) if k == "value" and v is not None else v) for k, v in expected.items()}

    @pytest.mark.parametrize("lens, message", [
        ({"signal": {"value": float("nan")}}, r"lens.signal.value must be a number from -100 to 100; got nan"),
        ({"signal": {"value": float("inf")}}, r"lens.signal.value must be a number from -100 to 100; got inf"),
        ({"signal": {"value": 1e300}}, r"lens.signal.value must be a number from -100 to 100; got 1e\+300"),
        ({"signal": {"value": 10**400}}, r"lens.signal.value must be a number from -100 to 100; got 1000"),
        ({"signal": {"value": "3"}}, r"lens.signal.value must be a number from -100 to 100; got '3'"),
        ({"signal": {"value": True}}, r"lens.signal.value must be a number"),
        ({"signal": {"feature": 2}}, r"lens.signal.feature must be an integer from 0 to 1; got 2"),
        ({"signal": {"feature": -1}}, r"lens.signal.feature must be an integer from 0 to 1; got -1"),
        ({"signal": {"feature": 0.5}}, r"lens.signal.feature must be an integer from 0 to 1; got 0.5"),
        ({"signal": {"feature": 10**400}}, r"lens.signal.feature must be an integer from 0 to 1; got 1000"),
        ({"signal": {"label": 2}}, r"lens.signal.label = 2 is not a class of the training points \(\[0, 1\]\)"),
        ({"signal": {"label": 7}}, r"lens.signal.label must be an integer from 0 to 2; got 7"),
        ({"signal": {"label": False}}, r"lens.signal.label must be an integer from 0 to 2; got False"),
        ({"signal": {"kind": "os.system"}}, r"lens.signal must be an object with keys from \['feature', 'label', 'value'\]"),
        ({"signal": [0, 3.0, 1]}, r"lens.signal must be an object with keys from"),
        ({"signal": "x1=3"}, r"lens.signal must be an object with keys from"),
        ({"group": [0, 8]}, r"lens.group\[\] must be an integer from 0 to 7; got 8"),
        ({"group": [float("nan")]}, r"lens.group\[\] must be an integer from 0 to 7; got nan"),
        ({"group": [10**400]}, r"lens.group\[\] must be an integer from 0 to 7; got 1000"),
        ({"group": []}, r"lens.group must list 1 to 8 training points"),
        ({"group": [3, 3]}, r"lens.group names a point twice"),
        ({"attack": "all"}, r"lens must be an object with keys from"),
        ({"name": "collective ", "group": [0]}, r"lens.name = 'collective ' is not a lens"),
    ])
    def test_refuses_hostile_lens(self, lens, message):
        """A hostile lens (NaN, infinities, huge or out-of-range numbers, unknown keys) gets a clear error."""
        with pytest.raises(ExplorerStateError, match=message):
            check_state({**STATE, "lens": {"name": "collective", **lens}})

    @pytest.mark.parametrize("text, message", [
        ('"signal":{"value":NaN}', "cannot be decoded"),
        ('"signal":{"value":1e999}', r"lens.signal.value must be a number from -100 to 100; got inf"),
        ('"signal":{"value":1' + "0" * 400 + "}", r"lens.signal.value must be a number from -100 to 100; got 1000"),
        ('"group":[1' + "0" * 400 + "]", r"lens.group\[\] must be an integer from 0 to 7"),
        ('"signal":{"label":2}', "is not a class of the training points"),
    ])
    def test_hostile_link_lens(self, text, message):
        """The same values written into a link's JSON text are refused with the same clear errors."""
        compact = json.dumps({**good, "l": "LENS"}).replace('"LENS"', '{"name":"collective",' + text + "}")
        with pytest.raises(ExplorerStateError, match=message):
            state_from_fragment(_encode_text(compact))


# --- hostile fragments -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=3), children, max_size=5),
    max_leaves=30,
)
good = json.loads(base64.urlsafe_b64decode(fragment_from_state(STATE)[5:] + "==="))


def _encode(obj):
    return _encode_text(json.dumps(obj))


def _encode_text(text):
    return "dcf1." + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@st.composite
def mutated(draw):
    compact = json.loads(json.dumps(good))
    key = draw(st.sampled_from(sorted(compact)))
    compact[key] = draw(json_values)
    return _encode(compact)


@st.composite
def mutated_lens(draw):
    """The good link with one lens key, or one key of its signal, set to any JSON value."""
    compact = json.loads(json.dumps(good))
    lens = compact["l"]
    if draw(st.booleans()):
        lens[draw(st.sampled_from(sorted(lens) + ["other"]))] = draw(json_values)
    else:
        lens["name"] = "collective"
        lens["signal"][draw(st.sampled_from(["feature", "value", "label", "kind"]))] = draw(json_values)
    return _encode(compact)


fragments = st.one_of(
    mutated_lens(),
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
