"""The explainer's build: build_grids.py, the MkDocs hooks, and the HTML they produce.

The site is built once per session (``built_site``) into a temporary directory; the other
tests call the build functions directly, so the suite stays fast.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mkdocs")

import datacf as dcf  # noqa: E402
from datacf._view import grid_view  # noqa: E402
from sitebuild.examples import (  # noqa: E402
    ExampleError,
    build_examples,
    check_examples,
    load_examples,
    parse_examples,
)
from sitebuild.blocks import transform_markdown  # noqa: E402
from sitebuild.grid_html import render_grid, script_json  # noqa: E402
from sitebuild.grid_store import GridStore, PageError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples.toml"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NO_MKDOCS_2_WARNING": "1"}
GOOD_SPEC = """
[tiny]
title = "Three nearest neighbours on four points"
dataset = "four_points"
model = "KNN"
params = { k = 3 }
"""


def _mkdocs_build(config, site_dir, grids_dir):
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        cwd=ROOT, env={**ENV, "DATACF_GRIDS_DIR": str(grids_dir)}, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The real site, built once with ``mkdocs build --strict`` into a temporary directory."""
    tmp = tmp_path_factory.mktemp("site")
    result = _mkdocs_build(ROOT / "mkdocs.yml", tmp / "site", tmp / "grids")
    assert result.returncode == 0, result.stderr
    return tmp / "site"


@pytest.fixture()
def tiny_examples():
    return parse_examples(GOOD_SPEC)


class _Elements(HTMLParser):
    """Collects (tag, attrs) of every start tag, and the text inside each script or template."""

    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "template"):
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag in ("script", "template"):
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _parse(html_text):
    parser = _Elements()
    parser.feed(html_text)
    return parser


class TestSiteBuild:
    def test_strict_build_passes(self, built_site):
        """`mkdocs build --strict` succeeds and writes every page, the 404 page and the grids."""
        for page in ("index.html", "grid/index.html", "leave-one-out/index.html", "references/index.html", "404.html"):
            assert (built_site / page).is_file(), page
        shipped = sorted(p.stem for p in (built_site / "grids").glob("*.json"))
        assert shipped == sorted(load_examples(EXAMPLES))

    def test_shipped_grids_equal_a_fresh_computation(self, built_site):
        """Every shipped grid JSON equals dcf.recompute_grid of the inputs it records."""
        for path in sorted((built_site / "grids").glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            assert document["schema"] == "datacf.example" and document["example"] == path.stem
            stored = dcf.Grid.from_json(json.dumps(document["grid"]))
            fresh = dcf.recompute_grid(stored)
            assert stored.point_names == fresh.point_names and stored.eval_names == fresh.eval_names
            np.testing.assert_allclose(stored.values, fresh.values, rtol=0, atol=1e-12, err_msg=path.name)

    def test_home_page_grid_follows_the_markup_contract(self, built_site):
        """The home page's first grid: figure, caption, headers, one row per subset, values as text."""
        html_text = (built_site / "index.html").read_text(encoding="utf-8")
        figure = re.search(r'<figure class="dcf-grid" data-example="four_points_logistic".*?</figure>', html_text, re.S)
        assert figure, "no dcf-grid figure for four_points_logistic"
        figure = figure.group(0)
        assert '<table class="dcf-grid__table">' in figure and "<caption>" in figure
        headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', figure)
        assert headers == ["training set", "A", "B", "C", "D"]
        assert re.findall(r'<tr data-subset="([^"]+)" data-size="(\d)"', figure) == [
            ("AB", "2"), ("ABC", "3"), ("ABCD", "4"), ("ACD", "3")]
        grid = dcf.compute_grid(dcf.toy_dataset("four_points"), dcf.models.LogisticRegression(C=1.0))
        row = re.search(r'<tr data-subset="ABD".*?</tr>|<tr data-subset="ACD".*?</tr>', figure).group(0)
        cells = re.findall(r'<td[^>]*data-value="([^"]+)"[^>]*>([^<]+)</td>', row)
        assert [float(v) for v, _ in cells] == grid.row("ACD").tolist()
        assert [text for _, text in cells] == [f"{v:.2f}" for v in grid.row("ACD")]
        view = json.loads(_parse(figure).scripts[0])["view"]
        every = {row["label"]: [cell["value"] for cell in row["cells"]] for row in view["allRows"]}
        assert every == {name: grid.values[r].tolist() for r, name in enumerate(grid.row_names)}

    def test_inline_numbers_come_from_the_grid(self, built_site):
        """Inline {{ dcf.* }} numbers are rendered, and none is left unreplaced."""
        grid = dcf.compute_grid(dcf.toy_dataset("four_points"), dcf.models.LogisticRegression(C=1.0))
        html_text = (built_site / "index.html").read_text(encoding="utf-8")
        assert f"falls from\n{grid.row('ABCD')[1]:.2f} to\n{grid.row('ACD')[1]:.2f}" in html_text
        for page in built_site.rglob("*.html"):
            assert "{{ dcf." not in page.read_text(encoding="utf-8"), page

    def test_pages_have_no_inline_data_scripts(self, built_site):
        """Grid data is not in a <script>: Material's instant navigation would run it as code."""
        for page in built_site.rglob("*.html"):
            article = re.search(r'<article class="md-content__inner.*?</article>', page.read_text(encoding="utf-8"), re.S)
            assert article and "<script" not in article.group(0), page

    def test_search_dialog_has_an_accessible_name(self, built_site):
        """The theme override names Material's search dialog."""
        tags = _parse((built_site / "index.html").read_text(encoding="utf-8")).tags
        dialogs = [attrs for tag, attrs in tags if attrs.get("role") == "dialog"]
        assert dialogs and all(attrs.get("aria-label") for attrs in dialogs)

    def test_no_request_leaves_the_site(self, built_site):
        """No page loads a script, stylesheet or font from another host."""
        for page in built_site.rglob("*.html"):
            for tag, attrs in _parse(page.read_text(encoding="utf-8")).tags:
                url = attrs.get("src") if tag == "script" else attrs.get("href") if tag == "link" else None
                if url and tag == "script" or (tag == "link" and attrs.get("rel") in ("stylesheet", "preload")):
                    assert not re.match(r"^(https?:)?//", url or ""), f"{page}: {url}"


class TestBuildGrids:
    def test_two_builds_are_byte_identical(self, tmp_path):
        """Two fresh builds of the real examples write byte-identical JSON."""
        examples = load_examples(EXAMPLES)
        build_examples(examples, tmp_path / "one", force=True, log=lambda m: None)
        build_examples(examples, tmp_path / "two", force=True, log=lambda m: None)
        for path in sorted((tmp_path / "one").glob("*.json")):
            assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes(), path.name

    def test_unchanged_examples_are_skipped(self, tmp_path, tiny_examples):
        """A second build recomputes nothing and leaves the file untouched."""
        assert build_examples(tiny_examples, tmp_path, log=lambda m: None) == ["tiny"]
        before = (tmp_path / "tiny.json").stat().st_mtime_ns
        assert build_examples(tiny_examples, tmp_path, log=lambda m: None) == []
        assert (tmp_path / "tiny.json").stat().st_mtime_ns == before
        assert not list(tmp_path.glob(".*tmp")), "a temporary file was left behind"

    def test_check_names_a_stale_file(self, tmp_path, tiny_examples):
        """--check fails, naming the file, once an example's inputs change."""
        build_examples(tiny_examples, tmp_path, log=lambda m: None)
        assert check_examples(tiny_examples, tmp_path) == []
        changed = parse_examples(GOOD_SPEC.replace("k = 3", "k = 1"))
        problems = check_examples(changed, tmp_path)
        assert len(problems) == 1 and problems[0].startswith("stale:") and "tiny.json" in problems[0]

    def test_check_cli_exits_non_zero_naming_the_file(self, tmp_path):
        """`build_grids.py --check` exits 1 and names missing and stale files; 0 once built."""
        spec = tmp_path / "examples.toml"
        spec.write_text(GOOD_SPEC, encoding="utf-8")
        command = [sys.executable, str(ROOT / "build_grids.py"), "--examples", str(spec), "--out", str(tmp_path / "g")]
        missing = subprocess.run(command + ["--check"], env=ENV, capture_output=True, text=True)
        assert missing.returncode == 1 and "missing:" in missing.stderr and "tiny.json" in missing.stderr
        assert subprocess.run(command + ["--quiet"], env=ENV).returncode == 0
        assert subprocess.run(command + ["--check"], env=ENV, capture_output=True).returncode == 0
        spec.write_text(GOOD_SPEC.replace("k = 3", "k = 2"), encoding="utf-8")
        stale = subprocess.run(command + ["--check"], env=ENV, capture_output=True, text=True)
        assert stale.returncode == 1 and "stale:" in stale.stderr and "tiny.json" in stale.stderr

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (('model = "KNN"', 'model = "SVM"'), r"Example 'tiny': model='SVM' is not supported"),
            (('dataset = "four_points"', 'dataset = "five_points"'), r"Example 'tiny': dataset='five_points' is not a toy"),
            (("params = { k = 3 }", "params = { k = 3 }\ncolour = 1"), r"Example 'tiny': unknown key 'colour'"),
            (("params = { k = 3 }", "params = { kk = 3 }"), r"Example 'tiny': .*kk"),
            (('title = "Three nearest neighbours on four points"\n', ""), r"Example 'tiny': missing the required key 'title'"),
        ],
        ids=["model", "dataset", "key", "param", "title"],
    )
    def test_bad_spec_names_the_example_and_the_problem(self, change, message):
        """A bad example spec raises ExampleError naming the example and what is wrong."""
        with pytest.raises(ExampleError, match=message):
            parse_examples(GOOD_SPEC.replace(*change))

    def test_bad_spec_fails_the_cli(self, tmp_path):
        """The CLI prints the problem with the example's name and exits non-zero."""
        spec = tmp_path / "examples.toml"
        spec.write_text(GOOD_SPEC.replace('model = "KNN"', 'model = "SVM"'), encoding="utf-8")
        result = subprocess.run([sys.executable, str(ROOT / "build_grids.py"), "--examples", str(spec),
                                 "--out", str(tmp_path / "g")], env=ENV, capture_output=True, text=True)
        assert result.returncode == 2 and "Example 'tiny'" in result.stderr and "SVM" in result.stderr


class TestPageMarkup:
    @pytest.fixture()
    def store(self, tmp_path, tiny_examples):
        build_examples(tiny_examples, tmp_path, log=lambda m: None)
        return GridStore(tmp_path, tiny_examples)

    @pytest.mark.parametrize(
        ("markdown", "message"),
        [
            ("```datacf-grid\nexample: nope\n```", r"unknown example 'nope'"),
            ("```datacf-grid\nexample: tiny\ncolour: red\n```", r"unknown key 'colour'"),
            ("```datacf-grid\nexample: tiny\nrows: [AB, AZ]\n```", r"'AZ' is not a row"),
            ("```datacf-grid\nexample: tiny\nrows: [AB, ABC]\ncompare: [AB, ACD]\n```", r"compare row 'ACD' is not among"),
            ("```datacf-grid\nexample: tiny\nfocus: [Q]\n```", r"'Q' is not an evaluation column"),
            ("```datacf-grid\nexample: tiny\nformat: '%d'\n```", r"format='%d' is not supported"),
            ("```datacf-chart\nexample: tiny\n```", r"unknown block type 'datacf-chart'"),
            ('{{ dcf.value("nope", row="AB", col="A") }}', r"unknown example 'nope'"),
            ('{{ dcf.valu("tiny", row="AB", col="A") }}', r"unknown reading dcf.valu"),
            ('{{ dcf.value("tiny", row="AB", column="A") }}', r"unknown argument 'column'"),
            ('{{ dcf.loo("tiny", point="Z") }}', r"'Z' is not a point"),
            ("{{ dcf.loo }}", r"is not a dcf.READING"),
            ('{{ dcf.value("tiny", row=__import__("os"), col="A") }}', r"arguments must be literals"),
        ],
    )
    def test_anything_unknown_fails(self, store, markdown, message):
        """Unknown examples, keys, rows, columns, formats, blocks and readings raise PageError."""
        with pytest.raises(PageError, match=message):
            transform_markdown(markdown, store, "page.md")

    def test_other_code_blocks_are_left_alone(self, store):
        """A plain code fence may show the syntax itself without being rendered."""
        text = "```markdown\n{{ dcf.nonsense() }}\n```"
        assert transform_markdown(text, store, "page.md") == text

    def test_full_and_loo_rows(self, store):
        """rows: loo gives the full set and each leave-one-out row; full-B names a row."""
        html_text = transform_markdown("```datacf-grid\nexample: tiny\nrows: loo\ncompare: [full, full-B]\n```",
                                       store, "page.md")
        assert re.findall(r'data-subset="([^"]+)"', html_text) == ["ABCD", "BCD", "ACD", "ABD", "ABC"]
        assert "difference (ABCD \u2212 ACD)" in html_text

    def test_embedded_json_cannot_close_its_element(self):
        """Names that contain </script>, </template>, <!-- or & stay inside the embedded JSON."""
        hostile = "</template></script><script>alert(1)</script><!--&amp;"
        grid = dcf.Grid([[0.5], [1.0]], point_names=["P"], eval_names=[hostile])

        class Store:
            def get(self, name):
                return {"title": "hostile"}, grid

        html_text = render_grid({"example": "x"}, Store())
        parsed = _parse(html_text)
        assert [tag for tag, _ in parsed.tags].count("template") == 1
        assert "script" not in [tag for tag, _ in parsed.tags]
        (data,) = parsed.scripts
        assert "<" not in data and ">" not in data and "&" not in data
        assert json.loads(data)["view"]["colLabels"] == [hostile]
        assert "<script>alert" not in html_text
        assert script_json({"s": "\u2028"}) == '{"s":"\\u2028"}'

    def test_grid_figure_embeds_the_view_it_draws(self, store):
        """A block's embedded view is grid_view of its options, with every row for the toggle."""
        html_text = transform_markdown("```datacf-grid\nexample: tiny\nrows: loo\nfocus: [B]\n```", store, "page.md")
        document, grid = store.get("tiny")
        embedded = json.loads(_parse(html_text).scripts[0])
        assert embedded == {"example": "tiny", "view": grid_view(grid, rows="loo", focus=["B"], fmt=".2f",
                                                                  title=document["title"], all_rows=True)}

    def test_grid_script_makes_no_presentation_decisions(self):
        """grid-table.js formats, orders, names and shades nothing itself: the view model does."""
        script = (ROOT / "docs" / "js" / "grid-table.js").read_text(encoding="utf-8")
        for decision in ("toFixed", "formatNumber", "rowsBySize", "subsetName", "cellLabel", "trained on", "2 **"):
            assert decision not in script, decision


def test_unknown_example_in_a_page_fails_the_build(tmp_path):
    """A page whose datacf-grid block names an unknown example stops `mkdocs build`."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES, docs / "examples.toml")
    shutil.copy(EXAMPLES.with_name("explorer_presets.toml"), docs / "explorer_presets.toml")   # the hooks need it
    (docs / "index.md").write_text("# Test\n\n```datacf-grid\nexample: no_such_example\n```\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"site_name: t\ndocs_dir: {docs}\nexclude_docs: |\n  examples.toml\n  explorer_presets.toml\n"
        f"hooks:\n  - {ROOT / 'sitebuild' / 'hooks.py'}\n",
        encoding="utf-8",
    )
    result = _mkdocs_build(config, tmp_path / "site", tmp_path / "grids")
    assert result.returncode != 0
    assert "unknown example 'no_such_example'" in result.stderr and "index.md" in result.stderr


class TestContentSecurityPolicy:
    """The policy docs/security.md documents (sitebuild/csp.py), and the built site's _csp.txt."""

    @staticmethod
    def _documented():
        from sitebuild import csp

        return csp.parse(csp.documented_policy(ROOT / "docs"))

    def test_documented_policy_allows_no_inline_or_eval_script(self):
        """No directive that governs scripts or workers allows inline code, eval, or any host."""
        directives = self._documented()
        script_like = ["default-src", "script-src", "script-src-elem", "script-src-attr", "worker-src"]
        unsafe = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'", "*", "data:",
                  "http:", "https:"}
        found = {name: sorted(unsafe & set(directives[name])) for name in script_like if name in directives}
        assert "script-src" in directives and "worker-src" in directives
        assert found == {name: [] for name in found}
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'self'"]

    def test_policy_names_the_configured_runtime_origin(self):
        """The documented CDN origin becomes the origin of DATACF_PYODIDE_URL, in script-src and connect-src."""
        from sitebuild import csp, runtime_config

        runtime = runtime_config.resolve({}, environ={"DATACF_PYODIDE_URL": "http://127.0.0.1:8123/pyodide/v0.27.7/"})
        directives = csp.parse(csp.policy_for(csp.documented_policy(ROOT / "docs"), runtime))
        assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'", "blob:", "http://127.0.0.1:8123"]
        assert directives["connect-src"] == ["'self'", "http://127.0.0.1:8123"]
        assert "https://cdn.jsdelivr.net" not in csp.policy_for(csp.documented_policy(ROOT / "docs"), runtime)

    def test_self_hosting_drops_the_runtime_origin(self):
        """A self-hosted runtime needs no other origin: 'self' covers it."""
        from sitebuild import csp, runtime_config

        runtime = runtime_config.resolve({}, environ={"DATACF_PYODIDE_SELF_HOST": "1"})
        directives = csp.parse(csp.policy_for(csp.documented_policy(ROOT / "docs"), runtime))
        assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'", "blob:"]
        assert directives["connect-src"] == ["'self'"]

    def test_page_without_the_policy_block_fails(self, tmp_path):
        """The build says where it looks when docs/security.md has no marked policy block."""
        from sitebuild import csp

        (tmp_path / "security.md").write_text("# Security\n\n```text\ndefault-src 'self'\n```\n", encoding="utf-8")
        with pytest.raises(csp.CspError, match="no fenced code block after the line '<!-- csp-policy -->'"):
            csp.documented_policy(tmp_path)

    def test_blocked_code_finds_inline_scripts_handlers_and_javascript_urls(self):
        """Inline scripts, on…= handlers and javascript: URLs are found; files and JSON data are not."""
        from sitebuild import csp

        page = ('<script src="a.js"></script><script type="module" src="b.js"></script>'
                '<script type="application/json">{"a": 1}</script>'
                '<script>var x = 1</script><script type="module">import "./c.js"</script>'
                '<img src="x.png" onerror="alert(1)"><a href="javascript:void(0)">x</a>')
        found = csp.blocked_code(page)
        assert [item.rpartition("(")[2] for item in found] == [
            "an inline script)", "an inline script)", "an inline event handler)", "a javascript: URL)"]

    def test_built_site_writes_the_policy_for_its_settings(self, built_site):
        """The build's _csp.txt is the documented policy for the runtime mkdocs.yml and the env configure,
        and no built page has code it blocks (Material's start-up scripts are files)."""
        from mkdocs.utils import yaml_load
        from sitebuild import csp, runtime_config

        extra = yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]
        expected = csp.policy_for(csp.documented_policy(ROOT / "docs"), runtime_config.resolve(extra, environ=ENV))
        assert (built_site / csp.POLICY_FILE).read_text(encoding="utf-8") == expected + "\n"
        csp.check_site(built_site, skip=[runtime_config.SELF_HOST_DIR])
        assert (built_site / "assets" / "javascripts" / "material-inline" / "base.js").is_file()
