"""Explorer presets: declarations are checked, files are computed by explore(), the block reads without JavaScript."""
import json
from pathlib import Path

import numpy as np
import pytest

from datacf._explorer import explore
from sitebuild.explorer_block import render_explorer_block, render_explorer_blocks
from sitebuild.explorer_presets import PresetError, PresetStore, build_presets, load_presets, parse_presets
from sitebuild.grid_store import PageError

PRESETS_FILE = Path(__file__).resolve().parents[1] / "docs" / "explorer_presets.toml"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    presets = load_presets(PRESETS_FILE)
    out = tmp_path_factory.mktemp("presets")
    build_presets(presets, out, log=lambda *_: None)
    return PresetStore(out, presets)


class TestPresets:
    def test_at_least_three(self, store):
        """The explorer ships at least three presets."""
        assert len(store.names()) >= 3

    def test_files_are_explore(self, store):
        """Each file's grid and readings are explore()'s for its state."""
        for name in store.names():
            document = store.get(name)
            out = explore(document["state"])
            assert document["grid"]["values"] == out["values"]
            assert document["result"]["readings"] == json.loads(json.dumps(out["readings"]))

    def test_mislabelled_lesson(self, store):
        """As its description says, E has the lowest leave-one-out and Shapley values."""
        readings = store.get("mislabelled")["result"]["readings"]
        assert np.argmin(readings["loo"]) == 4 and np.argmin(readings["shapley"]) == 4

    def test_near_duplicates_lesson(self, store):
        """B and C cover for each other: LOO calls each worthless, Shapley does not, and they are substitutes."""
        readings = store.get("near_duplicates")["result"]["readings"]
        assert readings["loo"][1] == readings["loo"][2] == 0
        assert readings["shapley"][1] > 0 and readings["interaction"][1][2] < 0

    def test_collective_action_lesson(self, store):
        """As its description says, the signal sits past the right edge of the data, the model gives its label
        at no signal point without a collective, and more members reach more success (by brute force here)."""
        document = store.get("collective_action")
        state, collective = document["state"], document["result"]["collective"]
        X, y = np.array(state["train"]["X"]), np.array(state["train"]["y"])
        signal = collective["signal"]
        assert signal["feature"] == 0 and signal["value"] > X[:, 0].max()

        def success(members):
            """3-NN with the members planted, at every training point carrying the signal (ties to lower index)."""
            Xp, yp = X.copy(), y.copy()
            Xp[members, 0], yp[members] = signal["value"], signal["label"]
            carriers = X.copy()
            carriers[:, 0] = signal["value"]
            votes = [np.bincount(yp[np.argsort(np.linalg.norm(Xp - x, axis=1), kind="stable")[:3]], minlength=2)
                     for x in carriers]
            return np.mean([np.argmax(v) == signal["label"] for v in votes])

        assert success([]) == collective["success"][0] == 0
        f = state["train"]["names"].index("F")
        assert state["lens"]["group"] == [f] and collective["success"][1 << f] == success([f])
        best = [max(success([i for i in range(8) if (r >> i) & 1]) for r in range(256) if bin(r).count("1") == b)
                for b in range(9)]
        assert collective["maximum"] == best and best[2] > best[1]

    @pytest.mark.parametrize("text, message", [
        ('[a]\ntitle = "t"\ndescription = "d"\nmodel = "KNN"\n', "training points"),
        ('[a]\ntitle = "t"\ndescription = "d"\nmodel = "SVC"\ndataset = "xor"\n', "not allowed"),
        ('[a]\ntitle = "t"\ndescription = "d"\nmodel = "KNN"\ndataset = "xor"\nfocus = ["Z"]\n', "not an evaluation column"),
        ('[a]\ntitle = "t"\nmodel = "KNN"\ndataset = "xor"\n', "description"),
        ('[a]\ntitle = "t"\ndescription = "d"\nmodel = "KNN"\ndataset = "xor"\ncolour = 1\n', "unknown key"),
    ])
    def test_bad_declaration(self, text, message):
        """A mistake in a declaration names the preset and the problem."""
        with pytest.raises(PresetError, match=message):
            parse_presets(text)


class TestBlock:
    def test_static_view(self, store):
        """The block holds the preset's text, points and grid as HTML, and its JSON for the script."""
        html = render_explorer_block({"preset": "four_points"}, store)
        assert html.startswith('<div class="dcf-explorer" data-preset="four_points" data-dcf-python>')
        assert html.count('<tr><th scope="row">') == 4 + 16
        assert 'class="dcf-explorer__data"' in html and "<script" not in html

    def test_names_escaped(self, tmp_path):
        """Point names are escaped in the HTML and in the embedded JSON."""
        presets = parse_presets('[p]\ntitle = "t"\ndescription = "d"\nmodel = "KNN"\n'
                                'points = [[0, 0, 0, "<b>A"], [1, 1, 1, "B&"]]\n')
        build_presets(presets, tmp_path, log=lambda *_: None)
        html = render_explorer_block({"preset": "p"}, PresetStore(tmp_path, presets))
        assert "<b>" not in html and "&lt;b&gt;A" in html and "\\u003cb\\u003eA" in html

    @pytest.mark.parametrize("options, message", [
        ({}, "needs 'preset: NAME'"), ({"preset": "nope"}, "unknown explorer preset"),
        ({"preset": "xor", "rows": "all"}, "unknown key"), ({"preset": "xor", "caption": 3}, "caption must be text"),
    ])
    def test_bad_block(self, store, options, message):
        """A bad block fails the build, naming the problem."""
        with pytest.raises(PageError, match=message):
            render_explorer_block(options, store)

    def test_markdown_pass(self, store):
        """Only datacf-explorer fences are replaced."""
        text = "```python\nx = 1\n```\n\n```datacf-explorer\npreset: xor\n```\n"
        out = render_explorer_blocks(text, store)
        assert "```python\nx = 1\n```" in out and 'data-preset="xor"' in out


class TestTutorialBlock:
    def test_tutorial_html(self, store):
        """A tutorial preset's block wraps its explorer in the tutorial text; the answer sits in a <details>."""
        html = render_explorer_block({"preset": "tutorial_mislabelled"}, store)
        assert html.startswith('<section class="dcf-tutorial" data-tutorial="tutorial_mislabelled"')
        for part in ("dcf-tutorial__goal", "dcf-tutorial__do", "dcf-tutorial__notice", "dcf-tutorial__question",
                     '<details class="dcf-tutorial__answer">', "dcf-tutorial__live", 'class="dcf-explorer"'):
            assert part in html
        assert "{{" not in html.split("<template")[0] + html.split("</template>")[1]   # only the JSON keeps the template
        island = json.loads(html.split('<template class="dcf-explorer__data">')[1].split("</template>")[0])
        assert island["presets"] == [["tutorial_mislabelled", store.get("tutorial_mislabelled")["title"]]]

    def test_tutorial_off(self, store):
        """tutorial: false embeds the bare explorer with every preset to choose from."""
        html = render_explorer_block({"preset": "tutorial_mislabelled", "tutorial": False}, store)
        assert html.startswith('<div class="dcf-explorer"') and "dcf-tutorial" not in html
        with pytest.raises(PageError, match="tutorial must be true or false"):
            render_explorer_block({"preset": "xor", "tutorial": "yes"}, store)
