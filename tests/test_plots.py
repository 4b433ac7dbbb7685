"""Bar charts and scatter plots (sitebuild/plot_svg.py, sitebuild/plot_block.py) and the weights they draw.

The semivalue weights are checked against the textbook formulas written out here with exact
fractions: Shapley 1/(n C(n-1, k)), Banzhaf 1/2^(n-1), and Beta Shapley as Kwon & Zou (2022)
define it, w(j) = n B(j + beta - 1, n - j + alpha) / B(alpha, beta) for j = |S| + 1, with the
value (1/n) sum_j w(j) sum_{|S| = j-1} [U(S + i) - U(S)].
"""
import json
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import datacf as dcf
from sitebuild.blocks import transform_markdown
from sitebuild.examples import build_examples, parse_examples
from sitebuild.grid_store import GridStore, PageError
from sitebuild.plot_block import parse_method, render_plot_block, weight_shares
from datacf._view import format_number
from sitebuild.plot_svg import chart_table, check_chart, render_chart, render_plot

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
PAGE_METHODS = ["loo", "shapley", "banzhaf", "beta(16,1)", "beta(4,1)"]    # docs/valuation.md
PAGE_N = range(4, 11)


def _beta_function(a, b):
    """B(a, b) = (a-1)! (b-1)! / (a+b-1)! for positive integers, exactly."""
    return Fraction(math.factorial(a - 1) * math.factorial(b - 1), math.factorial(a + b - 1))


def textbook_weight(method, n, k):
    """The weight of one coalition of size k among n points, from the papers' formulas."""
    if method == "loo":
        return Fraction(int(k == n - 1))
    if method == "shapley":
        return Fraction(1, n * math.comb(n - 1, k))
    if method == "banzhaf":
        return Fraction(1, 2 ** (n - 1))
    alpha, beta = (int(v) for v in re.match(r"beta\((\d+),(\d+)\)", method).groups())
    j = k + 1                                                           # Kwon & Zou count j = |S| + 1
    w_kz = n * _beta_function(j + beta - 1, n - j + alpha) / _beta_function(alpha, beta)
    return w_kz / n


class TestWeights:
    @pytest.mark.parametrize("method", PAGE_METHODS)
    @pytest.mark.parametrize("n", PAGE_N)
    def test_datacf_weights_match_the_textbook(self, method, n):
        """datacf's weight functions, as the page reads them, equal the published formulas."""
        _, weights, _ = parse_method(method, "test")
        expected = [float(textbook_weight(method, n, k)) for k in range(n)]
        np.testing.assert_allclose(weights(n), expected, rtol=1e-13, atol=0)

    @pytest.mark.parametrize("method", PAGE_METHODS)
    @pytest.mark.parametrize("n", PAGE_N)
    def test_shares_are_the_weight_times_the_number_of_coalitions(self, method, n):
        """The plotted share of size k is C(n-1, k) w(k), and the shares of a semivalue add up to 1."""
        _, weights, _ = parse_method(method, "test")
        expected = [math.comb(n - 1, k) * textbook_weight(method, n, k) for k in range(n)]
        assert sum(expected) == 1
        np.testing.assert_allclose(weight_shares(weights, n), [float(e) for e in expected], rtol=1e-13, atol=0)


class TestPageClaims:
    """What docs/valuation.md says about the chart, for every n it shows."""

    @staticmethod
    def shares(method, n):
        return np.array(weight_shares(parse_method(method, "test")[1], n))

    @pytest.mark.parametrize("n", PAGE_N)
    def test_loo_puts_everything_on_the_largest_coalitions(self, n):
        """'Leave-one-out puts all of it on the largest coalitions, k = n - 1.'"""
        assert self.shares("loo", n).tolist() == [0.0] * (n - 1) + [1.0]

    @pytest.mark.parametrize("n", PAGE_N)
    def test_shapley_gives_every_size_one_nth(self, n):
        """'Shapley gives every size the same share, 1/n.'"""
        np.testing.assert_allclose(self.shares("shapley", n), np.full(n, 1 / n), rtol=1e-14, atol=0)

    @pytest.mark.parametrize("n", PAGE_N)
    def test_banzhaf_is_binomial_and_peaks_in_the_middle(self, n):
        """'Banzhaf's shares follow the binomial distribution ... most of its weight on the middle sizes.'"""
        shares = self.shares("banzhaf", n)
        np.testing.assert_allclose(shares, [math.comb(n - 1, k) / 2 ** (n - 1) for k in range(n)], rtol=1e-14)
        top = set(np.flatnonzero(shares == shares.max()))
        assert top == {(n - 1) // 2, n // 2}

    @pytest.mark.parametrize("n", PAGE_N)
    def test_beta_weightings_favour_the_smallest_coalitions(self, n):
        """'Both Beta weightings put the most on the smallest coalitions, Beta(16, 1) more so than Beta(4, 1).'"""
        b16, b4 = self.shares("beta(16,1)", n), self.shares("beta(4,1)", n)
        assert b16.argmax() == 0 and b4.argmax() == 0
        assert b16[0] > b4[0] > 1 / n
        assert all(np.cumsum(b16)[:-1] > np.cumsum(b4)[:-1])


@pytest.mark.parametrize("n", PAGE_N)
def test_threshold_game_values_are_the_shares(n):
    """'Under every method each point's value is that method's share for size k' in U(S) = [|S| > k]."""
    sizes = np.array([bin(row).count("1") for row in range(2**n)])
    readings = {"loo": lambda g: g.loo(), "shapley": lambda g: g.shapley(), "banzhaf": lambda g: g.banzhaf(),
                "beta(16,1)": lambda g: g.beta_shapley(16, 1), "beta(4,1)": lambda g: g.beta_shapley(4, 1)}
    for k in range(n):
        grid = dcf.Grid((sizes > k).astype(float)[:, None])
        for method, read in readings.items():
            share = float(math.comb(n - 1, k) * textbook_weight(method, n, k))
            np.testing.assert_allclose(read(grid), np.full(n, share), rtol=1e-12, atol=1e-15)


def test_page_cell_prints_the_shares():
    """The page's runnable cell, run in CPython as written, prints the textbook shares for its n and k."""
    import contextlib
    import io

    page = (ROOT / "docs" / "valuation.md").read_text(encoding="utf-8")
    code = re.search(r"```datacf-run id=weights-game[^\n]*\n(.*?)\n```", page, re.S).group(1)
    n, k = (int(v) for v in re.search(r"^n, k = (\d+), (\d+)", code, re.M).groups())
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<cell>", "exec"), {})
    printed = [float(line.split()[-1]) for line in out.getvalue().splitlines()]
    expected = [float(math.comb(n - 1, k) * textbook_weight(m, n, k)) for m in PAGE_METHODS]
    assert printed == pytest.approx(expected, abs=0.0005 + 1e-12)     # half the last digit shown; ties too


def _parse(svg_text):
    return ET.fromstring(svg_text)


BARS = {"id": "t", "chart": "bars", "title": "Values", "x_label": "point", "y_label": "value", "format": ".2f",
        "categories": ["A", "B", "C"], "series": [{"label": "LOO", "y": [0.5, -0.25, 0.0]},
                                                   {"label": "Shapley", "y": [0.25, 0.125, -0.5]}]}
SCATTER = {"id": "s", "chart": "scatter", "title": "Estimate against truth", "x_label": "exact LOO",
           "y_label": "estimate", "format": ".3f", "names": ["A", "B", "C"], "x": [-0.2, 0.1, 0.4],
           "identity": True, "series": [{"label": "influence", "y": [-0.2, 0.3, 0.1]}]}


class TestChart:
    @pytest.mark.parametrize("plot", [BARS, SCATTER], ids=["bars", "scatter"])
    def test_svg_is_labelled_by_its_title_and_description(self, plot):
        """The SVG is an image named by its <title> and described by its <desc>, which names every series."""
        svg = _parse(render_chart(plot))
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert (svg.get("aria-labelledby"), svg.get("aria-describedby")) == (title.get("id"), desc.get("id"))
        assert title.text == plot["title"]
        assert all(s["label"] in desc.text for s in plot["series"])

    def test_bars_grow_from_the_zero_line_both_ways(self):
        """Each bar spans from the zero line to its value: up when positive, down when negative, to scale."""
        svg = _parse(render_chart(BARS))
        zero = [float(line.get("y1")) for line in svg.iter(f"{SVG}line") if line.get("class") == "dcf-plot__axis"
                and line.get("y1") == line.get("y2")][0]
        bars = [g.find(f"{SVG}rect") for g in svg.iter(f"{SVG}g") if g.get("class") == "dcf-plot__point"]
        values = [v for s in BARS["series"] for v in s["y"]]
        assert len(bars) == len(values)
        scale = float(bars[0].get("height")) / 0.5
        for rect, value in zip(bars, values):
            top, height = float(rect.get("y")), float(rect.get("height"))
            assert height == pytest.approx(abs(value) * scale, abs=0.11)
            assert top == pytest.approx(zero - height if value > 0 else zero, abs=0.11)

    def test_series_are_told_apart_without_colour(self):
        """Each bar series has its own fill style class, and the hatched one names its pattern."""
        svg = render_chart(BARS)
        assert 'class="dcf-plot__bar dcf-plot__bar--0"' in svg
        assert 'class="dcf-plot__bar dcf-plot__bar--1" fill="url(#t-hatch)"' in svg
        assert '<pattern id="t-hatch"' in svg

    def test_scatter_has_the_diagonal_and_equal_axes(self):
        """The dashed y = x line runs corner to corner, and a point with y = x lies on it."""
        svg = _parse(render_chart(SCATTER))
        (line,) = [l for l in svg.iter(f"{SVG}line") if l.get("class") == "dcf-plot__identity"
                   and float(l.get("x2")) - float(l.get("x1")) > 100]
        x1, y1, x2, y2 = (float(line.get(k)) for k in ("x1", "y1", "x2", "y2"))
        first = svg.find(f".//{SVG}g[@class='dcf-plot__point']/{SVG}circle")     # A: x = y = -0.2
        cx, cy = float(first.get("cx")), float(first.get("cy"))
        assert cy == pytest.approx(y1 + (cx - x1) * (y2 - y1) / (x2 - x1), abs=0.2)
        assert (x2 - x1) == pytest.approx(-(y2 - y1) * (560 - 62 - 16) / 220, rel=1e-2)

    def test_marks_name_their_numbers(self):
        """Each mark's tooltip gives the point, the truth and the estimate as the table formats them."""
        svg = render_chart(SCATTER)
        assert "<title>B: exact LOO 0.100, influence, B: 0.300</title>" in svg

    def test_measurements_can_give_charts(self):
        """render_plot, which datacf-measured blocks call, draws a chart dict as render_chart does."""
        assert render_plot(SCATTER) == render_chart(SCATTER)

    def test_table_has_every_number(self):
        """The table alternative holds one row per category and one column per series, formatted."""
        assert chart_table(BARS) == {"columns": ["point", "LOO", "Shapley"],
                                     "rows": [["A", 0.5, 0.25], ["B", -0.25, 0.125], ["C", 0.0, -0.5]],
                                     "formats": [None, ".2f", ".2f"]}
        assert chart_table(SCATTER)["columns"] == ["point", "exact LOO", "influence"]

    @pytest.mark.parametrize("change, message", [
        ({"chart": "pie"}, r"a chart needs 'chart': one of \['bars', 'scatter'\]"),
        ({"title": None}, "a chart needs the text 'title'; got None."),
        ({"categories": []}, "a bars chart needs categories: a non-empty list of text."),
        ({"series": [{"label": "x", "y": [1.0, float("nan"), 2.0]}]}, "series 'x' y must hold finite numbers; got nan."),
        ({"series": [{"label": "x", "y": [1.0]}]}, r"series 'x' y must be a list of 3 numbers; got \[1.0\]."),
    ])
    def test_a_bad_chart_is_refused(self, change, message):
        """A malformed chart raises ValueError saying what is wrong."""
        with pytest.raises(ValueError, match=message):
            check_chart({**BARS, **change})


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A grid store with one small example (KNN on four points)."""
    examples = parse_examples('[tiny]\ntitle = "Tiny"\ndataset = "four_points"\nmodel = "KNN"\nparams = { k = 1 }\n')
    grids = tmp_path_factory.mktemp("grids")
    build_examples(examples, grids, log=lambda message: None)
    return GridStore(grids, examples)


def _template_views(figure_html):
    import json

    text = re.search(r'<template class="dcf-plot__data">(.*?)</template>', figure_html, re.S).group(1)
    return json.loads(text)


class TestBlock:
    def test_values_are_the_grid_readings(self, store):
        """A values plot draws each point's reading of the example's grid."""
        _, grid = store.get("tiny")
        out = render_plot_block({"example": "tiny", "values": ["loo", "banzhaf", "beta(4,1)"], "id": "v"}, store)
        (view,) = _template_views(out)["views"]
        assert view["plot"]["categories"] == list(grid.point_names)
        got = [s["y"] for s in view["plot"]["series"]]
        np.testing.assert_array_equal(got, [grid.loo(), grid.banzhaf(), grid.beta_shapley(4, 1)])
        assert [s["label"] for s in view["plot"]["series"]] == ["LOO", "Banzhaf", "Beta(4, 1)"]

    def test_scatter_plots_readings_against_a_reading(self, store):
        """x: and y: draw one reading against others, on the diagonal's axes."""
        _, grid = store.get("tiny")
        out = render_plot_block({"example": "tiny", "x": "loo", "y": ["shapley"], "id": "s"}, store)
        plot = _template_views(out)["views"][0]["plot"]
        assert plot["chart"] == "scatter" and plot["identity"] is True
        np.testing.assert_array_equal([plot["x"], plot["series"][0]["y"]], [grid.loo(), grid.shapley()])

    def test_weights_figure_shows_the_last_n_and_tables_every_n(self):
        """A weights plot with several n shows the last one and has one captioned table per n."""
        out = render_plot_block({"weights": ["shapley"], "n": [4, 6], "id": "w"}, None)
        assert '<figure class="dcf-plot" id="w" data-view="1">' in out
        assert "<title id=\"w-n6-t\">" in out
        assert re.findall(r'<table data-view="(\d)"><caption>(.*?)</caption>', out) == [("0", "n = 4"), ("1", "n = 6")]
        assert "<figcaption>" in out and '<details class="dcf-plot__table">' in out

    def test_block_in_markdown_needs_no_example(self):
        """A datacf-plot block of weights renders from a page without any example."""
        page = "Text\n\n```datacf-plot\nweights: [banzhaf]\nn: 4\nid: b\n```\n"
        assert '<figure class="dcf-plot" id="b"' in transform_markdown(page, None, "p.md")

    def test_default_id_is_stable_and_distinct(self):
        """Without id: two different blocks get different ids, the same block the same one."""
        first = render_plot_block({"weights": ["loo"], "n": 4}, None)
        again = render_plot_block({"weights": ["loo"], "n": 4}, None)
        other = render_plot_block({"weights": ["loo"], "n": 5}, None)
        ids = [re.search(r'id="(dcf-plot-[0-9a-f]{8})"', out).group(1) for out in (first, again, other)]
        assert ids[0] == ids[1] != ids[2]

    @pytest.mark.parametrize("options, message", [
        ({"weights": ["loo"]}, r"a weights plot needs n: a number of points"),
        ({"n": 4}, r"a plot needs exactly one of values: \[...\] \(bars per point\), x: and y: \(scatter\) or "
                   r"weights: \[...\] with n: \(weights by coalition size\); got none"),
        ({"weights": ["loo"], "values": ["loo"], "n": 4}, r"got \['values', 'weights'\]"),
        ({"weights": ["beta(16"], "n": 4}, r"'beta\(16' is not a method; use loo, shapley, banzhaf or "
                                            r"beta\(ALPHA,BETA\), e.g. beta\(16,1\)"),
        ({"weights": ["beta(0,1)"], "n": 4}, r"'beta\(0,1\)' is not a method"),
        ({"weights": ["loo"], "n": 17}, r"n must be a number of points from 1 to 16, or a list of them; got 17"),
        ({"weights": ["loo"], "n": [4, 4]}, "n lists the same number twice"),
        ({"weights": ["loo"], "n": 4, "example": "tiny"}, "a weights plot reads no example; remove example and focus"),
        ({"weights": ["loo"], "n": 4, "id": "Bad id"}, "id 'Bad id' must be lower-case letters"),
        ({"weights": ["loo"], "n": 4, "format": ".2g"}, r"format='.2g' is not supported"),
        ({"values": ["loo"]}, "a values plot needs 'example: NAME'"),
        ({"x": "loo", "example": "tiny"}, r"a scatter plot needs both x: METHOD and y: \[METHOD, ...\]"),
        ({"values": ["loo"], "example": "nope"}, "unknown example 'nope'"),
    ])
    def test_a_mistake_names_the_problem(self, store, options, message):
        """Each mistake in a block raises PageError saying what and how to fix it."""
        with pytest.raises(PageError, match=message):
            render_plot_block(options, store, "page.md, line 3, datacf-plot block")

    def test_unknown_key_fails_in_markdown(self):
        """An unknown YAML key fails through the shared block parser, which lists the keys."""
        with pytest.raises(PageError, match=r"unknown key 'colour'; the keys are \['example', 'values'"):
            transform_markdown("```datacf-plot\nweights: [loo]\nn: 4\ncolour: red\n```\n", None, "p.md")



@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not found")
def test_page_formats_numbers_as_python_does():
    """plot-svg.js's formatNumber gives datacf._view.format_number's text, exact ties included."""
    rng = np.random.default_rng(0)
    values = [0.3125, 0.125, -0.125, 2.5, 3.5, -2.5, 0.0005, 0.8125, -0.0, 0.0, 1e-9, -0.004, 0.15, 0.25, 12.25]
    values += (rng.integers(-4000, 4000, 200) / 1024).tolist() + rng.normal(0, 3, 200).tolist()
    formats = [".0f", ".1f", ".2f", ".3f", "+.2f", "+.3f", ".1%", ".0%"]
    cases = [(v, f) for v in values for f in formats]
    script = ("const m = await import(process.argv[1]); const cases = JSON.parse(process.argv[2]);"
              "console.log(JSON.stringify(cases.map(([v, f]) => m.formatNumber(v, f))));")
    run = subprocess.run(["node", "--input-type=module", "-e", script, "--", str(ROOT / "docs/js/plot-svg.js"),
                          json.dumps(cases)], capture_output=True, text=True, check=True)
    got = json.loads(run.stdout)
    assert [(v, f, g) for (v, f), g in zip(cases, got) if g != format_number(v, f)] == []


def test_log_axis_ticks_below_one_keep_their_decimals():
    """On a log x axis from 0.2 to 50 the ticks read 0.2, 0.5, 1, 2, 5, 10, 20, 50 (not "0" for 0.2)."""
    svg = render_plot({"id": "p", "title": "t", "x_label": "x", "y_label": "y", "log_x": True,
                       "series": [{"label": "s", "kind": "line", "x": [0.2, 50.0], "y": [0.0, 1.0]}]})
    below_axis = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]+)</text>', svg)
    assert below_axis[:8] == ["0.2", "0.5", "1", "2", "5", "10", "20", "50"]
