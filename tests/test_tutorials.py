"""Guided tutorials: every claim in a tutorial's text holds for its preset's real numbers.

One test per tutorial (``docs/explorer_presets.toml``, ``[NAME.tutorial]``). Each recomputes
the preset's grid with ``dcf.compute_grid`` (not with the explorer code that wrote the text),
asserts each comparative claim the goal, notice and answer make ("lowest", "negative", "more
than", "the same", ...), and checks that the rendered text quotes the numbers it computed.
"""
import json
from pathlib import Path

import numpy as np
import pytest

import datacf as dcf
from datacf._view import format_number
from sitebuild.explorer_presets import PresetError, load_presets, parse_presets
from sitebuild.tutorials import TutorialError, render_text

PRESETS_FILE = Path(__file__).resolve().parents[1] / "docs" / "explorer_presets.toml"
TOL = 1e-12


@pytest.fixture(scope="module")
def presets():
    return load_presets(PRESETS_FILE)


@pytest.fixture(scope="module")
def texts(presets):
    """Every tutorial's rendered texts, as the build writes them."""
    return {name: p.render_tutorial() for name, p in presets.items() if p.tutorial is not None}


def _grid(state, labels=None):
    train = dcf.Dataset(state["train"]["X"], state["train"]["y"] if labels is None else labels,
                        names=state["train"]["names"])
    ev = state["eval"]
    test = dcf.Dataset(train.X, state["train"]["y"], names=train.names) if ev is None and labels is not None else (
        None if ev is None else dcf.Dataset(ev["X"], ev["y"], names=ev["names"]))
    model = getattr(dcf.models, state["model"])(**state["params"])
    return dcf.compute_grid(train, model, eval=test, metric=state["metric"], convention=state["convention"])


class Case:
    """A tutorial's preset state and its step's, recomputed, with its rendered texts."""

    def __init__(self, presets, texts, name):
        preset = presets[name]
        self.state, self.after = preset.state, preset.after
        self.focus = self.state["focus"]
        self.grid = _grid(self.state)
        self.grid_after = None if self.after is None else _grid(self.after)
        self.focus_after = None if self.after is None else self.after["focus"]
        self.text = texts[name]
        self.names = self.state["train"]["names"]

    def i(self, name):
        return self.names.index(name)

    def u(self, row="full", after=False):
        grid = self.grid_after if after else self.grid
        return grid.utility(self.focus_after if after else self.focus)[grid.row_index(row) if row != "full" else -1]

    def reading(self, kind, after=False, **kw):
        grid = self.grid_after if after else self.grid
        focus = self.focus_after if after else self.focus
        if kind == "beta":
            return grid.beta_shapley(16.0, 1.0, focus=focus)
        return getattr(grid, kind)(focus=focus, **kw)

    def says(self, key, value, signed=True):
        """The rendered text ``key`` quotes ``value`` as the build formats it."""
        text = format_number(value, "+.3f" if signed else ".3f")
        assert text in self.text[key], (key, text, self.text[key])


@pytest.fixture
def case(presets, texts, request):
    name = request.node.name.removeprefix("test_").split("[")[0]
    return Case(presets, texts, f"tutorial_{name}")


def _lowest(values, i):
    """Point i is strictly the lowest."""
    return all(values[i] < v - TOL for k, v in enumerate(values) if k != i)


def _highest(values, i):
    return all(values[i] > v + TOL for k, v in enumerate(values) if k != i)


def test_every_tutorial_is_tested(presets):
    """Each declared tutorial has its own test here, and there are at least fifteen."""
    declared = {name.removeprefix("tutorial_") for name, p in presets.items() if p.tutorial is not None}
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert len(declared) >= 15
    assert declared <= tested, declared - tested


def test_loo(case):
    """LOO(B) is the full row minus row ACD; all LOO positive, their sum below U(N) − U(∅) = sum of Shapley; A is least."""
    loo, shapley = case.reading("loo"), case.reading("shapley")
    assert loo[1] == pytest.approx(case.u() - case.u("ACD"), abs=TOL)
    assert (loo > 0).all()
    assert loo.sum() < case.u() - case.u("") - 1e-3
    assert shapley.sum() == pytest.approx(case.u() - case.u(""), abs=TOL)
    assert _lowest(loo, case.i("A"))
    case.says("notice", loo[1])
    case.says("notice", loo.sum())
    case.says("notice", shapley.sum())
    assert case.text["answer"] == f"A, with LOO = {format_number(loo[0], '+.3f')}."


def test_near_duplicates(case):
    """B and C: LOO 0 each, the pair's group LOO positive, equal positive Shapley, negative interaction; apart, LOO(B) > 0."""
    loo, shapley = case.reading("loo"), case.reading("shapley")
    b, c = case.i("B"), case.i("C")
    assert loo[b] == loo[c] == 0
    assert case.grid.group_loo("BC", focus=case.focus) > 0
    assert shapley[b] > 0 and shapley[b] == pytest.approx(shapley[c], abs=TOL)
    assert case.grid.interaction("B", "C", focus=case.focus) < 0
    after = case.reading("loo", after=True)[b]
    assert after > 0
    case.says("notice", case.grid.group_loo("BC", focus=case.focus))
    case.says("answer", after)
    assert "(positive)" in case.text["answer"]


def test_mislabelled(case):
    """E is strictly lowest by LOO and Shapley, both negative; moved home, its Shapley value is positive and U(N) rises."""
    e = case.i("E")
    loo, shapley = case.reading("loo"), case.reading("shapley")
    assert _lowest(loo, e) and _lowest(shapley, e)
    assert loo[e] < 0 and shapley[e] < 0
    after = case.reading("shapley", after=True)
    assert after[e] > 0 and case.u(after=True) > case.u()
    case.says("notice", shapley[e])
    case.says("answer", after[e])
    case.says("answer", case.u(after=True), signed=False)


def test_semivalues(case):
    """Shapley ranks E first; Banzhaf ranks it 4th and Beta(16, 1) 3rd; Beta gives A and D negative values, Shapley positive."""
    shapley, banzhaf, beta = case.reading("shapley"), case.reading("banzhaf"), case.reading("beta")
    e = case.i("E")
    assert _highest(shapley, e)
    rank = lambda values, i: 1 + int((values > values[i] + 1e-9).sum())   # noqa: E731
    assert rank(banzhaf, e) == 4 and rank(beta, e) == 3
    for p in ("A", "D"):
        assert beta[case.i(p)] < 0 < shapley[case.i(p)]
    assert case.text["answer"] == "E is first by Shapley; Banzhaf puts it in place 4 and the Beta lens in place 3."
    # Beta(16, 1) favours small coalitions: its weights decrease with |S| (Kwon and Zou 2022).
    from datacf._semivalues import beta_weights
    w = beta_weights(5, 16.0, 1.0)
    assert (np.diff(w) < 0).all()
    case.says("notice", beta[case.i("A")])


def test_moving(case):
    """B starts with positive Shapley and LOO; moved among class 1 both turn negative and U(N) falls."""
    b = case.i("B")
    assert case.reading("shapley")[b] > 0 and case.reading("loo")[b] > 0
    after_shapley, after_loo = case.reading("shapley", after=True)[b], case.reading("loo", after=True)[b]
    assert after_shapley < 0 and after_loo < 0
    assert case.u(after=True) < case.u()
    case.says("answer", after_shapley)
    case.says("answer", after_loo)
    assert "(both negative)" in case.text["answer"]


def test_focus(case):
    """Over all columns E is strictly lowest by Shapley; over column E alone it is strictly highest."""
    e = case.i("E")
    assert _lowest(case.reading("shapley"), e)
    after = case.reading("shapley", after=True)
    assert _highest(after, e) and after[e] > 0
    case.says("answer", after[e])
    assert case.text["answer"].startswith("E, with")


def test_strike(case):
    """Each of D, E, F has LOO 0, yet striking all three costs more than the sum; E and F alone cost nothing."""
    loo = case.reading("loo")
    strikers = [case.i(p) for p in "DEF"]
    assert all(loo[i] == 0 for i in strikers)
    group = case.grid.group_loo("DEF", focus=case.focus)
    assert group > loo[strikers].sum() + 0.1
    after = case.grid_after.group_loo("EF", focus=case.focus_after)
    assert after == 0
    case.says("notice", group)
    case.says("answer", after)
    # Without D, E and F no class-1 point is left.
    assert set(np.array(case.state["train"]["y"])[[0, 1, 2]]) == {0}


def test_xor(case):
    """One-point models average the same as the empty model; A, B and A, C are complements (positive interaction)."""
    scaling = case.grid.scaling(focus=case.focus)
    assert scaling[1] == pytest.approx(scaling[0], abs=TOL)
    ab = case.grid.interaction("A", "B", focus=case.focus)
    ac = case.grid_after.interaction("A", "C", focus=case.focus_after)
    assert ab > 0 and ac > 0
    case.says("notice", ab)
    case.says("answer", ac)
    assert "positive: they are complements" in case.text["answer"]


def test_size_curve(case):
    """The size curve is flat for sizes 0, 1, 2, then rises at 3 and again at 4; the best pair does no better than the mean."""
    scaling = case.grid.scaling(focus=case.focus)
    assert scaling[0] == pytest.approx(scaling[1], abs=TOL) == pytest.approx(scaling[2], abs=TOL)
    assert scaling[3] > scaling[2] + 0.1 and scaling[4] > scaling[3] + 0.1
    u = case.grid.utility(case.focus)
    pairs = [r for r in range(2**4) if bin(r).count("1") == 2]
    assert max(u[pairs]) == pytest.approx(scaling[2], abs=TOL)
    assert case.text["answer"] == f"At size 3, to {format_number(scaling[3], '.3f')}."


def test_best_subset(case):
    """Dropping E alone beats the full set; size 6 is the smallest whose best set beats it."""
    u = case.grid.utility(case.focus)
    n = len(case.names)
    full = u[-1]
    assert u[case.grid.row_index("ABCDFGH")] > full
    sizes = np.array([bin(r).count("1") for r in range(2**n)])
    best = [u[sizes == k].max() for k in range(n + 1)]
    beating = [k for k in range(n + 1) if best[k] > full + 1e-9]
    assert min(beating) == 6
    assert case.text["answer"] == (f"Size 6, with U = {format_number(best[6], '.3f')} against the full set's "
                                   f"{format_number(full, '.3f')}.")


def test_poisoning(case):
    """Flipping D (LOO 0) hurts as much as flipping F (LOO > 0), and no flip hurts more; flipping E, the lowest LOO, helps."""
    y = np.array(case.state["train"]["y"])
    full = case.u()

    def flip(i):
        labels = y.copy()
        labels[i] = 1 - labels[i]
        return _grid(case.state, labels=labels.tolist()).utility(case.focus)[-1] - full

    flips = [flip(i) for i in range(len(y))]
    loo = case.reading("loo")
    d, e, f = case.i("D"), case.i("E"), case.i("F")
    assert loo[d] == 0 < loo[f]
    assert flips[d] == pytest.approx(flips[f], abs=TOL) == pytest.approx(min(flips), abs=TOL)
    assert flips[d] < 0
    assert _lowest(loo, e) and flips[e] > 0
    # The explorer's lens retrains the same way (its poison grid scores on the clean labels).
    assert case.text["answer"].startswith(f"U(ABCDEFGH) changes by {format_number(flips[e], '+.3f')}, a positive change")
    case.says("notice", flips[d])


def test_eval_counterfactual(case):
    """ABCD gets e wrong; without column e it scores more, and D's Shapley value turns from lowest and negative to positive."""
    e_col = case.state["eval"]["names"].index("e")
    assert case.grid.values[-1, e_col] == 0
    shapley = case.reading("shapley")
    d = case.i("D")
    assert _lowest(shapley, d) and shapley[d] < 0
    after = case.reading("shapley", after=True)[d]
    assert after > 0 and case.u(after=True) > case.u()
    case.says("answer", after)
    case.says("answer", case.u(after=True), signed=False)


def test_held_out(case):
    """1-NN scores below 1 on held-out points (e wrong) but exactly 1 on its own training points, where LOO(B) is 0."""
    assert case.u() < 1
    assert case.grid.values[-1, case.state["eval"]["names"].index("e")] == 0
    assert case.u(after=True) == 1
    b = case.i("B")
    assert case.reading("loo")[b] > 0 and case.reading("loo", after=True)[b] == 0
    assert (case.grid_after.values[-1] == 1).all()   # memorisation: every training point right
    case.says("answer", 1.0, signed=False)


def test_conventions(case):
    """Fallback: U(∅) = 1/2, A negative, Shapley sums to U(N) − U(∅); zero: U(∅) = 0, A highest; LOO the same under both."""
    a = case.i("A")
    shapley = case.reading("shapley")
    assert case.u("") == 0.5 and shapley[a] < 0
    assert shapley.sum() == pytest.approx(case.u() - case.u(""), abs=TOL)
    after = case.reading("shapley", after=True)
    assert case.u("", after=True) == 0 and _highest(after, a)
    assert case.reading("loo") == pytest.approx(case.reading("loo", after=True), abs=TOL)
    case.says("answer", after[a])
    assert "A has the highest Shapley value" in case.text["answer"]


def test_knn_k(case):
    """k = 1: LOO(E) positive, U(N) = 1, Shapley(E) still lowest; k = 3: LOO(E) negative and U(N) below 1."""
    e = case.i("E")
    assert case.reading("loo")[e] > 0 and case.u() == 1
    assert _lowest(case.reading("shapley"), e)
    after = case.reading("loo", after=True)[e]
    assert after < 0 and case.u(after=True) < 1
    case.says("answer", after)
    assert "(negative)" in case.text["answer"]


def test_logistic_c(case):
    """C = 0.01 (stronger regularisation) lowers U(N) towards U(∅) and shrinks B's Shapley value."""
    b = case.i("B")
    assert case.after["params"]["C"] < case.state["params"]["C"]
    assert case.u(after=True) < case.u()
    assert abs(case.u(after=True) - case.u("", after=True)) < 0.02
    assert 0 < case.reading("shapley", after=True)[b] < case.reading("shapley")[b] / 10
    case.says("answer", case.u(after=True), signed=False)


def test_centroid_outlier(case):
    """E is strictly lowest by LOO and Shapley, both negative; the size curve peaks at 3 and ends lower; E moved: LOO 0, U(N) 1."""
    e = case.i("E")
    loo, shapley = case.reading("loo"), case.reading("shapley")
    assert _lowest(loo, e) and _lowest(shapley, e) and loo[e] < 0 and shapley[e] < 0
    scaling = case.grid.scaling(focus=case.focus)
    assert int(np.argmax(scaling)) == 3 and scaling[6] < scaling[3]
    assert case.reading("loo", after=True)[e] == 0 and case.u(after=True) == 1
    case.says("notice", scaling[3], signed=False)


class TestFormat:
    """The tutorial fields are validated like the rest of a preset."""

    BASE = '[p]\ntitle = "t"\ndescription = "d"\nmodel = "KNN"\ndataset = "xor"\n'
    TUT = '[p.tutorial]\ngoal = "g"\ndo = "d"\nnotice = "n"\nquestion = "q"\n'

    @pytest.mark.parametrize("extra, message", [
        ('answer = "a"\ncolour = "x"\n', "unknown key 'colour'"),
        ('answer = "{{ loo(A) }}"\nstep = { shake = 1 }\n', "unknown key 'shake'"),
        ('answer = "{{ loo(A) }}"\nstep = { move = { Z = [0, 0] } }\n', "not a training point"),
        ('answer = "{{ loo(A) }}"\nstep = { params = { k = 3 } }\n', "changes nothing"),
        ('answer = "about 3"\n', "typed-in number"),
    ])
    def test_bad_declaration(self, extra, message):
        """A mistake in a tutorial names the preset and the problem."""
        with pytest.raises(PresetError, match=message):
            parse_presets(self.BASE + self.TUT + extra)

    def test_missing_answer(self):
        """Every text is required."""
        with pytest.raises(PresetError, match="tutorial.answer must be non-empty text"):
            parse_presets(self.BASE + self.TUT)

    @pytest.mark.parametrize("answer, message", [
        ("{{ shapely(A) }}", "unknown reading 'shapely'"),
        ("{{ flip(A) }}", "the page cannot compute it yet"),
        ("{{ argmax(shapley) }}", "depends on a tie"),
        ("{{ loo(Q) }}", "not a training point"),
        ("{{ loo(A, B) }}", "takes 1 argument"),
    ])
    def test_bad_answer(self, answer, message):
        """An answer with an unknown, build-only, tied or malformed reading fails the build."""
        presets = parse_presets(self.BASE + self.TUT + f'answer = "{answer}"\n')
        with pytest.raises(PresetError, match=message):
            presets["p"].render_tutorial()

    def test_nested_readings(self, presets):
        """Readings nest, and the same text gives the same answer twice."""
        reader = presets["tutorial_best_subset"].readers()
        text = render_text("{{ best_utility(smallest_beating_full()) }} at {{ smallest_beating_full() }}", reader, "t")
        assert text == "0.875 at 6"
        with pytest.raises(TutorialError, match="is a name, not a reading"):
            render_text("{{ E }}", reader, "t")

    def test_document_holds_tutorial(self, presets):
        """The preset file carries the rendered texts, the answer template and the step's state."""
        document = json.loads(presets["tutorial_mislabelled"].document())
        tutorial = document["tutorial"]
        assert tutorial["answer_template"].startswith("φ(E) = {{ shapley(E) }}")
        assert tutorial["after_state"]["train"]["X"][4] == [3.5, 3.1]
        assert "{{" not in tutorial["notice"] and "{{" not in tutorial["answer"]

    def test_text_change_rebuilds(self, presets):
        """Editing a tutorial's text changes the preset's input hash, so the build recomputes its file."""
        preset = presets["tutorial_mislabelled"]
        before = preset.input_hash("digest")
        original = preset.tutorial
        try:
            preset.tutorial = dict(original, notice="changed")
            assert preset.input_hash("digest") != before
        finally:
            preset.tutorial = original
