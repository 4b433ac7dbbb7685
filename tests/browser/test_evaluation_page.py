"""The "When the columns change" page in Chromium: it loads cleanly, and its cell runs like CPython.

Every page a test opens is watched (conftest.py): a console error, an uncaught exception or a
request leaving 127.0.0.1 fails the test. The cell runs in the page's Pyodide and must print
exactly what the same code prints under CPython, numbers included.
"""
import re

import pytest
from playwright.sync_api import expect

from .cells import cell_stdout, checked_page, cpython_stdout, find_cell, run_in_page
from .conftest import TIMEOUT_MS, open_python_page
from .site_harness import PHONE, open_styled

pytestmark = pytest.mark.browser

PAGE = "evaluation/"
CELL = "both-ways"
_NUMBER = re.compile(r"[+-]?\d+\.\d+")


class TestStaticPage:
    @pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
    @pytest.mark.parametrize("palette", ["light", "dark"])
    def test_page_shows_grids_formulas_tables_and_box(self, new_context, site, viewport, palette):
        """In both palettes and sizes: three grids, typeset formulas, the measured tables and the box."""
        page = open_styled(new_context, site.base_url + PAGE, palette, viewport)
        expect(page.get_by_role("grid")).to_have_count(3)
        expect(page.locator(".katex-display").first).to_be_visible()
        assert page.locator(".katex-display").count() >= 4
        expect(page.get_by_role("rowheader", name="one-nearest-neighbour", exact=True)).to_have_count(1)
        expect(page.get_by_text("What this does and does not establish")).to_be_visible()


@pytest.fixture(scope="module")
def live(chromium, site):
    """One watched desktop page of the evaluation page, with Python loaded."""
    with open_python_page(chromium, site, PAGE, TIMEOUT_MS) as (page, watch):
        yield page, watch


class TestCell:
    def test_cell_prints_what_cpython_prints(self, live):
        """Run prints exactly what CPython prints for the same code: U(N) both ways and a row per point."""
        cell = run_in_page(find_cell(live[0], CELL))
        assert cell.get_attribute("data-state") == "done"
        expected = cpython_stdout(cell.locator("textarea").input_value())
        expect(cell_stdout(cell)).to_have_text(expected)
        assert len(_NUMBER.findall(expected)) == 2 + 3 * 4      # U(N) twice, three numbers per point
        checked_page(live)
