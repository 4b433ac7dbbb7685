"""The data-valuation page's own sections in Chromium: measured tables, the values chart, and its two
runnable cells against CPython.

(The weights chart and the maths of the page's first section are tested in ``test_valuation.py``.)
Every page a test opens is watched (conftest.py): a console error, an uncaught exception or a
request leaving 127.0.0.1 fails the test. The cells run in the page's Pyodide and must print
exactly what the same code prints under CPython.
"""
import re

import pytest
from playwright.sync_api import expect

from datacf._view import format_number
from sitebuild import valuation_example

from .cells import cell_stdout, checked_page, cpython_stdout, find_cell, run_in_page
from .conftest import TIMEOUT_MS, open_python_page
from .site_harness import PHONE, load_axe, open_page, open_styled

pytestmark = pytest.mark.browser

PAGE = "valuation/"
CHARTS = ("values-near-duplicates", "valuation-noise-stability", "valuation-gains", "valuation-knn-trap")


@pytest.fixture(scope="module")
def readings():
    return valuation_example.compute()


class TestStaticSections:
    @pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
    @pytest.mark.parametrize("palette", ["light", "dark"])
    def test_page_loads_with_its_tables_and_plots(self, new_context, site, viewport, palette):
        """Both palettes and sizes: the values chart, the gains plot and the noise plot are drawn."""
        page = open_styled(new_context, site.base_url + PAGE, palette, viewport)
        for figure in CHARTS:
            expect(page.locator(f"#{figure} svg")).to_be_visible()
        expect(page.get_by_role("img", name="Mean marginal gain of each point, by coalition size")).to_be_visible()
        expect(page.get_by_role("img", name=re.compile(r"^Noise in the utility by coalition size"))).to_be_visible()
        expect(page.locator(".dcf-measured__table table")).to_have_count(7)

    @pytest.mark.parametrize("palette", ["light", "dark"])
    def test_axe_passes_with_the_tables_open(self, new_context, site, palette):
        """axe-core finds no serious or critical violation in these sections' charts, open tables and measured figures."""
        page = open_styled(new_context, site.base_url + PAGE, palette)
        for figure in CHARTS:
            page.locator(f"#{figure}").get_by_text("The numbers as a table").click()
            expect(page.locator(f"#{figure} table").first).to_be_visible()
        load_axe(page)
        include = [[f"#{figure}"] for figure in CHARTS] + [[".dcf-measured"]]
        result = page.evaluate("(include) => axe.run({include}, {resultTypes: ['violations']})", include)
        assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
                if v["impact"] in ("serious", "critical")] == []

    def test_knn_table_shows_closed_form_equal_to_brute_force(self, page, site, readings):
        """The KNN-Shapley table prints the closed form and the brute force with the same digits."""
        open_page(page, site.base_url + PAGE)
        table = page.locator(".dcf-measured__table table").filter(has_text="K = 3: brute force")
        rows = table.locator("tbody tr")
        expect(rows).to_have_count(len(readings["tables"]["knn"]["rows"]))
        for i, row in enumerate(readings["tables"]["knn"]["rows"]):
            cells = rows.nth(i).locator("th, td")
            expect(cells.nth(3)).to_have_text(format_number(row[3], ".6f"))
            expect(cells.nth(4)).to_have_text(format_number(row[3], ".6f"))

    def test_sections_read_with_javascript_off(self, new_context, site):
        """Without JavaScript the cells read as code and the measured tables are all there."""
        page = new_context(java_script_enabled=False).new_page()
        page.goto(site.base_url + PAGE)
        expect(page.get_by_text("core = grid.least_core()")).to_be_visible()
        expect(page.locator(".dcf-measured__table table")).to_have_count(7)


@pytest.fixture(scope="module")
def live(chromium, site):
    with open_python_page(chromium, site, PAGE, TIMEOUT_MS) as (page, watch):
        yield page, watch


class TestCells:
    def test_readings_cell_prints_what_cpython_prints(self, live, readings):
        """The cell's readings equal CPython's output, and its Shapley line is the page's measured values."""
        page = live[0]
        cell = run_in_page(find_cell(page, "valuation-readings"))
        code = cell.locator("textarea").input_value()
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(code))
        text = cell_stdout(cell).inner_text()
        shapley = re.search(r"Shapley: \[([^\]]*)\]", text).group(1).split()
        expected = readings["axioms"]["values"]["shapley"]
        assert [float(v) for v in shapley] == [round(expected[p], 4) for p in "ABCDE"]
        assert f"e* = {readings['least_core']['e']:.4f}" in text
        checked_page(live)

    def test_readings_cell_recomputes_edited_data(self, live):
        """Flip D's label and add a sixth point: the page prints CPython's numbers for the new data."""
        page = live[0]
        cell = find_cell(page, "valuation-readings")
        code = cell.locator("textarea").input_value()
        edited = code.replace("[-0.8, 0.6]]", "[-0.8, 0.6], [3.0, 0.0]]").replace("y = [0, 1, 1, 0, 1]",
                                                                                   "y = [0, 1, 1, 1, 1, 0]")
        assert edited.count("[3.0, 0.0]") == 1 and "y = [0, 1, 1, 1, 1, 0]" in edited
        run_in_page(cell, edited)
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(edited))
        checked_page(live)

    def test_knn_cell_prints_what_cpython_prints(self, live, readings):
        """Closed form against brute force in the browser: CPython's output, the page's K = 3 values."""
        page = live[0]
        cell = run_in_page(find_cell(page, "knn-shapley"))
        code = cell.locator("textarea").input_value()
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(code))
        closed = re.search(r"closed form: \[([^\]]*)\]", cell_stdout(cell).inner_text()).group(1).split()
        assert [float(v) for v in closed] == [round(row[3], 6) for row in readings["tables"]["knn"]["rows"]]
        checked_page(live)
