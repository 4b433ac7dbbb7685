"""The Data poisoning and Algorithmic collective action pages in Chromium: formulas, measured plots, cells.

Every page a test opens is watched (conftest.py): a console error, an uncaught exception or a
request leaving 127.0.0.1 fails the test. Each page's runnable cell runs in the page's Pyodide
and must print exactly what the same code prints under CPython, also after the reader changes
the attack or the collective's signal.
"""
import re

import pytest
from playwright.sync_api import expect

from .cells import cell_stdout, checked_page, cpython_stdout, find_cell, run_in_page
from .conftest import TIMEOUT_MS, open_python_page
from .site_harness import PHONE, open_styled, serious_axe_violations

pytestmark = pytest.mark.browser

POISONING, COLLECTIVE = "poisoning/", "collective-action/"
_NUMBER = re.compile(r"\d+\.\d{3}")


class TestStaticPages:
    @pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
    @pytest.mark.parametrize("palette", ["light", "dark"])
    @pytest.mark.parametrize("path,plots", [(POISONING, 1), (COLLECTIVE, 2)])
    def test_page_shows_formulas_plots_and_tables(self, new_context, site, viewport, palette, path, plots):
        """Each page loads cleanly in both palettes and sizes, with KaTeX formulas and its measured plots."""
        page = open_styled(new_context, site.base_url + path, palette, viewport)
        expect(page.locator(".katex-display").first).to_be_visible()
        expect(page.locator("figure.dcf-measured svg")).to_have_count(plots)
        expect(page.locator(".dcf-measured__table table").first).to_be_visible()
        expect(page.locator("div.admonition.abstract")).to_contain_text("does not establish")


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("path", [POISONING, COLLECTIVE])
def test_axe_passes_with_the_argument_open(new_context, site, path, palette):
    """axe-core finds no serious or critical violation, with every collapsed block open, in either palette."""
    page = open_styled(new_context, site.base_url + path, palette)
    for summary in page.locator("article details > summary").all():
        summary.click()
    assert serious_axe_violations(page) == []


@pytest.fixture(scope="module")
def poisoning_live(chromium, site):
    with open_python_page(chromium, site, POISONING, TIMEOUT_MS) as (page, watch):
        yield page, watch


@pytest.fixture(scope="module")
def collective_live(chromium, site):
    with open_python_page(chromium, site, COLLECTIVE, TIMEOUT_MS) as (page, watch):
        yield page, watch


class TestCells:
    def test_poisoning_cell_prints_what_cpython_prints(self, poisoning_live):
        """The attack cell prints one line per budget, equal to CPython's output."""
        cell = run_in_page(find_cell(poisoning_live[0], "poison-budget"))
        code = cell.locator("textarea").input_value()
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(code))
        assert len(cell_stdout(cell).inner_text().splitlines()) == 11
        assert _NUMBER.search(cell_stdout(cell).inner_text())
        checked_page(poisoning_live)

    def test_poisoning_cell_recomputes_a_shift_attack(self, poisoning_live):
        """With the attack changed to a feature shift, the page prints CPython's numbers for it."""
        cell = find_cell(poisoning_live[0], "poison-budget")
        code = cell.locator("textarea").input_value()
        edited = code.replace("attack = dcf.edits.FlipLabels()", "attack = dcf.edits.Shift([2.0, 0.0])")
        assert edited != code
        run_in_page(cell, edited)
        expected = cpython_stdout(edited)
        assert expected != cpython_stdout(code)
        expect(cell_stdout(cell)).to_have_text(expected)
        checked_page(poisoning_live)

    def test_collective_cell_prints_what_cpython_prints(self, collective_live):
        """The success cell prints one line per collective size, equal to CPython's output."""
        cell = run_in_page(find_cell(collective_live[0], "collective-success"))
        code = cell.locator("textarea").input_value()
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(code))
        assert len(cell_stdout(cell).inner_text().splitlines()) == 11
        checked_page(collective_live)

    def test_collective_cell_recomputes_another_signal(self, collective_live):
        """With a weaker signal value, the page prints CPython's success for it."""
        cell = find_cell(collective_live[0], "collective-success")
        code = cell.locator("textarea").input_value()
        edited = code.replace("value=3.0", "value=0.5")
        assert edited != code
        run_in_page(cell, edited)
        expect(cell_stdout(cell)).to_have_text(cpython_stdout(edited))
        checked_page(collective_live)
