"""The influence and unlearning pages in Chromium: formulas, measured plots, and their runnable cells.

Every page a test opens is watched (conftest.py): a console error, an uncaught exception or a
request leaving 127.0.0.1 fails the test. The cells run in the page's Pyodide and must print
exactly what the same code prints under CPython.
"""
import re

import pytest
from playwright.sync_api import expect

from datacf._view import format_number
from sitebuild import influence_example, unlearning_example

from .cells import cell_stdout, checked_page, cpython_stdout, find_cell, run_in_page
from .conftest import TIMEOUT_MS, open_python_page
from .site_harness import PHONE, open_page, open_styled, serious_axe_violations

pytestmark = pytest.mark.browser

INFLUENCE, UNLEARNING = "influence/", "unlearning/"
PLOTS_READY_JS = "() => typeof window.datacf?.plots?.redraw === 'function'"


@pytest.fixture(scope="module")
def measured_cases():
    return influence_example.compute()["cases"]


class TestStaticPages:
    @pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
    @pytest.mark.parametrize("palette", ["light", "dark"])
    def test_influence_page_shows_formulas_and_five_scatter_plots(self, new_context, site, viewport, palette):
        """The page loads cleanly in both palettes and sizes: KaTeX formulas and one scatter per case."""
        page = open_styled(new_context, site.base_url + INFLUENCE, palette, viewport)
        expect(page.locator(".katex-display").first).to_be_visible()
        scatters = page.get_by_role("img", name=re.compile(r"^Estimated against exact"))
        expect(scatters).to_have_count(len(influence_example.INPUTS["cases"]))
        expect(page.locator("#influence-scatter-separable svg")).to_be_visible()

    def test_scatter_table_holds_the_measured_values(self, page, site, measured_cases):
        """The outlier plot's table lists each point's exact value and both estimates, as computed."""
        open_page(page, site.base_url + INFLUENCE)
        figure = page.locator("#influence-scatter-outlier")
        figure.get_by_text("The numbers as a table").click()
        rows = figure.get_by_role("table").get_by_role("row")
        case = measured_cases["outlier"]
        expect(rows).to_have_count(1 + case["n_groups"])
        for i, name in enumerate(case["names"]):
            values = [case["loo"][key][i] for key in ("exact", "influence", "newton")]
            expected = [name] + [format_number(v, "+.3f") for v in values]
            expect(rows.nth(i + 1).locator("th, td")).to_have_text(expected)

    def test_scatter_redraws_in_the_page(self, page, site):
        """The page's redraw API takes a measured scatter and new numbers, and marks it live."""
        open_page(page, site.base_url + INFLUENCE)
        page.wait_for_function(PLOTS_READY_JS)
        page.evaluate("""() => window.datacf.plots.redraw('influence-scatter-separable',
                           {series: [{y: [0, 0.06, 0.05, 0]}, {y: [0, 0.06, 0.05, 0]}]})""")
        figure = page.locator("#influence-scatter-separable")
        expect(figure).to_have_attribute("data-live", "true")
        expect(figure.locator("table tbody tr").nth(1)).to_have_text(re.compile(r"^B.*\+0\.060\+0\.060$"))

    def test_unlearning_page_shows_its_curves_and_table(self, page, site):
        """The unlearning page loads cleanly with its formulas, both curves, the tables of every request and of sharding."""
        open_page(page, site.base_url + UNLEARNING)
        expect(page.locator(".katex-display").first).to_be_visible()
        expect(page.get_by_role("img", name="Distance from the retrained model's parameters")).to_be_visible()
        expect(page.get_by_role("img", name="Largest score difference from the retrained model")).to_be_visible()
        tables = page.locator(".dcf-measured__table table")
        expect(tables).to_have_count(3)
        for i in range(2):
            expect(tables.nth(i).locator("tbody tr")).to_have_count(len(unlearning_example.INPUTS["order"]))
        expect(tables.nth(2).locator("tbody tr")).to_have_count(8)          # sharding: one row per point removed


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("path", [INFLUENCE, UNLEARNING])
def test_axe_passes_with_every_table_open(new_context, site, path, palette):
    """axe-core finds no serious or critical violation, with every plot's table open, in either palette."""
    page = open_styled(new_context, site.base_url + path, palette)
    for summary in page.get_by_text("The numbers as a table").all():
        summary.click()
    assert serious_axe_violations(page) == []


@pytest.fixture(scope="module")
def influence_live(chromium, site):
    with open_python_page(chromium, site, INFLUENCE, TIMEOUT_MS) as (page, watch):
        yield page, watch


@pytest.fixture(scope="module")
def unlearning_live(chromium, site):
    with open_python_page(chromium, site, UNLEARNING, TIMEOUT_MS) as (page, watch):
        yield page, watch


class TestCells:
    def test_influence_cell_prints_what_cpython_prints(self, influence_live, measured_cases):
        """The cell's table equals CPython's output, and its exact column is the first plot's truth."""
        page = influence_live[0]
        cell = run_in_page(find_cell(page, "influence-vs-exact"))
        code = cell.locator("textarea").input_value()
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(code))
        lines = cell_stdout(cell).inner_text().splitlines()[1:-1]
        shown = [float(line.split()[1]) for line in lines]
        assert shown == [round(v, 4) for v in measured_cases["strong"]["loo"]["exact"]]
        checked_page(influence_live)

    def test_influence_cell_recomputes_edited_data(self, influence_live):
        """With C = 100 and pairs removed, the page prints CPython's numbers for the edited data."""
        page = influence_live[0]
        cell = find_cell(page, "influence-vs-exact")
        code = cell.locator("textarea").input_value()
        edited = code.replace("C = 0.1", "C = 100.0").replace(
            "groups = [[i] for i in range(len(y))]", "groups = [[0, 1], [4, 5], [2, 6]]")
        assert edited.count("100.0") == 1 and "[4, 5]" in edited
        run_in_page(cell, edited)
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(edited))
        assert re.search(r"^\s+EF\s", cell_stdout(cell).inner_text(), re.M)
        checked_page(influence_live)

    def test_unlearning_cell_prints_what_cpython_prints(self, unlearning_live):
        """The unlearning cell's gaps and gradient norms equal CPython's, request by request."""
        page = unlearning_live[0]
        cell = run_in_page(find_cell(page, "unlearn-one-by-one"))
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(cell.locator("textarea").input_value()))
        expect(cell_stdout(cell)).to_contain_text("AFBGCH")
        checked_page(unlearning_live)
