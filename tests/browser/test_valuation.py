"""The data-valuation page in Chromium, under the site's Content-Security-Policy: typeset maths in
KaTeX's own fonts, the weights chart, its menu and its live redraw (docs/js/plot-svg.js).

Every test's page is watched (conftest.py): a console error, for instance something the policy
blocks, fails it.
"""
import re

import pytest
from playwright.sync_api import expect

from sitebuild.plot_svg import render_chart

from .conftest import TIMEOUT_MS, open_python_page
from .site_harness import load_axe, open_page, set_palette

pytestmark = pytest.mark.browser

PAGE = "valuation/"
LOAD_TIMEOUT_MS = 90_000      # a cold Pyodide load with numpy and datacf; the run takes well under a second
PLOTS_READY_JS = "() => typeof window.datacf?.plots?.redraw === 'function'"
# An SVG element as [tag, {attribute: value}, text of a leaf]: the DOM the page shows.
NODES_JS = """(svg) => {
  const out = [];
  const walk = (el) => {
    const attrs = Object.fromEntries([...el.attributes].filter((a) => a.name !== "xmlns").map((a) => [a.name, a.value]));
    out.push([el.tagName, attrs, el.children.length ? null : el.textContent]);
    for (const child of el.children) walk(child);
  };
  walk(svg);
  return out;
}"""
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Both renderers write coordinates with one decimal, ties to even: they must agree exactly.
COORDINATE_TOLERANCE = 0.0


def _open(page, site):
    open_page(page, site.base_url + PAGE)
    page.wait_for_function(PLOTS_READY_JS)


def _svg_nodes(page):
    return page.locator("#weights svg").evaluate(NODES_JS)


def _differences(first, second):
    """Where two node lists differ beyond coordinate rounding: [(position, first node, second node)]."""
    found = []
    for position, (a, b) in enumerate(zip(first, second)):
        same = a[0] == b[0] and a[2] == b[2] and a[1].keys() == b[1].keys() and all(
            _NUMBER.sub("#", a[1][k]) == _NUMBER.sub("#", b[1][k])
            and all(abs(float(x) - float(y)) <= COORDINATE_TOLERANCE
                    for x, y in zip(_NUMBER.findall(a[1][k]), _NUMBER.findall(b[1][k])))
            for k in a[1])
        if not same:
            found.append((position, a, b))
    if len(first) != len(second):
        found.append(("length", len(first), len(second)))
    return found[:3]


def test_formulas_are_visible_in_katex_fonts(page, site):
    """The formulas show as KaTeX, drawn in KaTeX's fonts that the site serves itself."""
    _open(page, site)
    display = page.locator(".katex-display").first
    expect(display).to_be_visible()
    assert display.bounding_box()["height"] > 20
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    loaded = page.evaluate("() => [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family)")
    assert {"KaTeX_Main", "KaTeX_Math"} <= {family.strip('"') for family in loaded}


def test_instant_navigation_brings_styled_maths_and_the_menu(page, site):
    """Reached by instant navigation from another page, the maths is styled and the chart has its menu."""
    open_page(page, site.base_url + "leave-one-out/")
    page.evaluate("() => { window.dcfSamePage = true; }")          # gone if the browser loads a new page
    page.get_by_role("navigation").get_by_role("link", name="Data valuation", exact=True).first.click()
    expect(page).to_have_url(re.compile(re.escape(PAGE) + "$"))
    expect(page.get_by_label("Show")).to_be_visible()
    assert page.evaluate("() => window.dcfSamePage") is True
    mathml = page.locator(".katex-mathml").first.bounding_box()
    assert mathml["width"] <= 1 and mathml["height"] <= 1       # KaTeX's stylesheet hides the MathML copy
    expect(page.locator(".katex-html").first).to_be_visible()


def test_only_a_formula_too_wide_for_its_column_is_a_keyboard_stop(page, site):
    """A display formula that overflows its box becomes focusable, to scroll by keyboard; the rest do not."""
    _open(page, site)
    formulas = page.locator(".katex-display")
    expect(formulas.first).not_to_have_attribute("tabindex", "0")
    formulas.first.evaluate("(box) => { box.style.width = '120px'; }")
    expect(formulas.first).to_have_attribute("tabindex", "0")
    expect(formulas.first).to_have_attribute("aria-label", re.compile("^Wide formula"))
    formulas.first.focus()
    formulas.first.press("ArrowRight")
    page.wait_for_function("(box) => box.scrollLeft > 0", arg=formulas.first.element_handle())
    formulas.first.evaluate("(box) => { box.style.width = ''; }")
    expect(formulas.first).not_to_have_attribute("tabindex", "0")


def test_a_table_too_wide_for_its_column_is_a_keyboard_stop(page, site):
    """Material's scroll box around a table becomes focusable while the table overflows it."""
    _open(page, site)
    page.locator("#weights").get_by_text("The numbers as a table").click()
    box = page.locator("#weights .md-typeset__scrollwrap").last
    expect(box).not_to_have_attribute("tabindex", "0")
    box.evaluate("(box) => { box.style.width = '80px'; }")
    expect(box).to_have_attribute("aria-label", re.compile("^Wide table"))
    expect(box).to_have_attribute("tabindex", "0")


def test_maths_and_chart_read_with_javascript_off(new_context, site):
    """With JavaScript off the formulas, the chart and its tables are all there."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.base_url + PAGE)
    expect(page.locator(".katex-display").first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"each size, n = 10$"))).to_be_visible()
    page.locator("#weights").get_by_text("The numbers as a table").click()
    expect(page.get_by_role("table", name="n = 4")).to_be_visible()
    expect(page.get_by_role("table", name="n = 10").get_by_role("row")).to_have_count(11)


def test_redraw_reproduces_the_built_chart(page, site):
    """Redrawn in the page from its own numbers, the chart is the SVG the build wrote."""
    _open(page, site)
    built = _svg_nodes(page)
    page.evaluate("() => window.datacf.plots.redraw('weights', {})")
    expect(page.locator("#weights")).to_have_attribute("data-live", "true")
    assert _differences(built, _svg_nodes(page)) == []


def test_scatter_drawn_in_the_page_matches_the_build(page, site):
    """A scatter plot drawn by plot-svg.js is the one sitebuild.plot_svg draws from the same chart."""
    chart = {"id": "s", "chart": "scatter", "title": "Estimate against truth", "x_label": "exact LOO",
             "y_label": "estimate", "format": "+.3f", "names": ["A", "B", "C", "D"], "x": [-0.21, 0.1, 0.4, 0.05],
             "identity": True, "series": [{"label": "influence", "y": [-0.2, 0.3, 0.1, 0.05]},
                                          {"label": "Newton step", "y": [-0.15, 0.12, 0.38, 0.0]}]}
    _open(page, site)
    nodes = page.evaluate("""async ([url, chart, built]) => {
      const plots = await import(url);
      const walk = %s;
      const parsed = new DOMParser().parseFromString(built, "image/svg+xml").documentElement;
      return [walk(plots.renderChart(document, chart)), walk(parsed)];
    }""" % NODES_JS, [site.base_url + "js/plot-svg.js", chart, render_chart(chart)])
    assert len(nodes[0]) > 40
    assert _differences(nodes[0], nodes[1]) == []


def test_menu_shows_each_n(page, site):
    """Picking n in the menu redraws the chart for that many points."""
    _open(page, site)
    menu = page.get_by_label("Show")
    expect(menu).to_have_value("6")
    menu.select_option(label="n = 4")
    expect(page.get_by_role("img", name=re.compile(r"n = 4$"))).to_be_visible()
    labels = page.locator("#weights svg > text[text-anchor='middle']:not(.dcf-plot__label)")
    expect(labels).to_have_text(["0", "1", "2", "3"])


def test_live_redraw_updates_bars_and_table(page, site):
    """New numbers redraw the bars (a negative one below the zero line) and the table's texts."""
    _open(page, site)
    page.get_by_label("Show").select_option(label="n = 4")
    page.evaluate("""() => window.datacf.plots.redraw("weights", {series: [
      {y: [0.5, -0.25, 0.125, 0]}, {y: [0.25, 0.25, 0.25, 0.25]}]})""")
    page.locator("#weights").get_by_text("The numbers as a table").click()
    table = page.get_by_role("table", name="n = 4")
    row = table.get_by_role("row").nth(2)
    # k = 1 of n = 4: the two new values, then the series the update did not reach, unchanged:
    # Banzhaf 3/8, Beta(16, 1) 3 B(2, 18)/B(16, 1) = 48/342, Beta(4, 1) 3 B(2, 6)/B(4, 1) = 12/42.
    expect(row.get_by_role("cell")).to_have_text(["−0.250", "0.250", "0.375", "0.140", "0.286"])
    bars = page.locator("#weights .dcf-plot__series--0 rect")
    heights = [float(bars.nth(i).get_attribute("height")) for i in range(4)]
    assert heights[0] == pytest.approx(2 * heights[1], abs=0.15) and heights[3] == 0
    zero = float(page.locator("#weights line.dcf-plot__axis").first.get_attribute("y1"))
    assert float(bars.nth(1).get_attribute("y")) == pytest.approx(zero, abs=0.05)          # hangs down from 0
    assert float(bars.nth(0).get_attribute("y")) + heights[0] == pytest.approx(zero, abs=0.15)


def test_a_bad_redraw_is_refused_and_changes_nothing(page, site):
    """A redraw with the wrong number of values throws a TypeError naming it; the chart stays."""
    _open(page, site)
    before = _svg_nodes(page)
    message = page.evaluate("""() => { try { window.datacf.plots.redraw("weights", {series: [{y: [1, 2]}]}); }
                                       catch (error) { return `${error.name}: ${error.message}`; } }""")
    assert message == ('TypeError: a chart (sitebuild/plot_svg.py) needs series 0 ("LOO") "y": 10 finite numbers')
    assert _svg_nodes(page) == before
    assert page.locator("#weights").get_attribute("data-live") is None


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_axe_passes_with_the_tables_open(new_context, site, palette):
    """axe-core finds no serious or critical violation in the chart, its open tables or the formulas.

    The audit of whole pages is test_browser_pages.py's; this one opens the chart's tables first.
    """
    page = new_context().new_page()
    _open(page, site)
    set_palette(page, palette)
    page.locator("#weights").get_by_text("The numbers as a table").click()
    expect(page.get_by_role("table", name="n = 4")).to_be_visible()
    load_axe(page)
    result = page.evaluate("""() => axe.run({include: [["#weights"], [".katex"]]},
                                            {resultTypes: ["violations"]})""")
    assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")] == []


def test_cell_computes_the_charts_numbers_in_the_page(chromium, site):
    """The threshold-game cell, run by Python in the page, prints the shares the chart's table shows."""
    with open_python_page(chromium, site, PAGE, TIMEOUT_MS) as (page, watch):
        cell = page.locator('div.dcf-cell[data-cell="weights-game"]')
        code = cell.locator("textarea").input_value()
        n, k = (int(v) for v in re.search(r"^n, k = (\d+), (\d+)", code, re.M).groups())
        cell.get_by_role("button", name="Run").click()
        page.wait_for_function("(cell) => ['done', 'error', 'stopped'].includes(cell.dataset.state)",
                               arg=cell.element_handle(), timeout=LOAD_TIMEOUT_MS)
        assert cell.get_attribute("data-state") == "done"
        printed = [line.split()[-1] for line in cell.locator(".dcf-cell__part--stdout pre").inner_text().splitlines()]
        page.locator("#weights").get_by_text("The numbers as a table").click()
        row = page.get_by_role("table", name=f"n = {n}").get_by_role("row").nth(k + 1)
        assert printed == row.get_by_role("cell").all_inner_texts()
        assert watch.problems() == {}
