"""A runnable cell redraws a chart on its page (datacf._browser.redraw_chart, code-cell.js).

The influence page's cell ends with ``redraw_chart("influence-scatter-strong", ...)``: after an
edit, the scatter's SVG and table must hold the numbers CPython computes for the edited code,
through the same runner the page's worker uses. A chart the page does not have, or numbers the
chart refuses, fail the cell with a ChartError and leave the chart as it was.
"""
import json
import re

import pytest
from playwright.sync_api import expect

from datacf._browser import run_cell
from datacf._view import format_number
from sitebuild.plot_svg import chart_nodes

from .conftest import TIMEOUT_MS, open_python_page

pytestmark = pytest.mark.browser

INFLUENCE = "influence/"
CHART = "influence-scatter-strong"
CELL = "influence-vs-exact"
LOAD_TIMEOUT_MS = 90_000      # a cold Pyodide load with numpy and datacf
_SETTLED_JS = "(cell) => ['done', 'error', 'stopped'].includes(cell.dataset.state)"
_CHART_JS = f"() => window.datacf.plots.chart('{CHART}')"


@pytest.fixture(scope="module")
def live(chromium, site):
    with open_python_page(chromium, site, INFLUENCE, TIMEOUT_MS) as (page, watch):
        yield page


def _run(page, code):
    cell = page.locator(f'div.dcf-cell[data-cell="{CELL}"]')
    cell.locator(".cm-editor").get_by_role("textbox").fill(code)
    cell.evaluate("(cell) => { delete cell.dataset.state; }")
    cell.get_by_role("button", name="Run").click()
    page.wait_for_function(_SETTLED_JS, arg=cell.element_handle(), timeout=LOAD_TIMEOUT_MS)
    return cell


def _cpython_update(code):
    """The chart update the code's last line makes under CPython."""
    reply = json.loads(run_cell(code))
    assert reply["error"] is None, reply["error"]
    assert reply["display"]["kind"] == "chart" and reply["display"]["id"] == CHART
    return reply["display"]["update"]


def _merged(plot, update):
    """*plot* with *update* applied as the page's redraw documents: series merged by position."""
    series = [{**old, **new} for old, new in zip(plot["series"], update["series"])]
    return {**plot, **update, "series": series}


def test_edited_cell_redraws_the_scatter_with_cpythons_numbers(live):
    page = live
    before = page.evaluate(_CHART_JS)
    cell = page.locator(f'div.dcf-cell[data-cell="{CELL}"]')
    code = cell.locator("textarea").input_value()
    edited = code.replace("C = 0.1", "C = 100.0").replace(
        "groups = [[i] for i in range(len(y))]", "groups = [[0, 1], [4, 5], [2, 6]]")
    assert edited.count("C = 100.0") == 1 and "[4, 5]" in edited
    update = _cpython_update(edited)
    assert update["names"] == ["AB", "EF", "CG"]
    expected = _merged(before, update)

    _run(page, edited)
    expect(cell).to_have_attribute("data-state", "done")
    expect(cell.locator(".dcf-cell__part--result pre")).to_have_text(f"Redrew chart '{CHART}' on this page.")

    figure = page.locator(f"#{CHART}")
    expect(figure).to_have_attribute("data-live", "true")
    shown = page.evaluate(_CHART_JS)
    assert shown["names"] == expected["names"] and shown["title"] == expected["title"]
    assert shown["x"] == pytest.approx(expected["x"], rel=1e-9, abs=1e-12)
    for got, want in zip(shown["series"], expected["series"], strict=True):
        assert got["label"] == want["label"]
        assert got["y"] == pytest.approx(want["y"], rel=1e-9, abs=1e-12)

    # The SVG: its title, and one tooltip per mark, as the build's layout writes them.
    tips = [text for tag, attrs, text in chart_nodes(expected) if tag == "title" and not attrs]
    assert len(tips) == 3 * len(expected["series"])
    expect(figure.locator("svg > title")).to_have_text(expected["title"])
    expect(figure.locator("svg .dcf-plot__point > title")).to_have_text(tips)
    # The caption no longer describes the built data, and says so.
    expect(figure.locator(":scope > figcaption")).to_have_text(
        f"{expected['title']}. Redrawn on this page from new numbers, not the ones it was built with.")
    # The table: each removed pair with its exact value and both estimates.
    rows = figure.locator("table tbody tr")
    expect(rows).to_have_count(3)
    for i, name in enumerate(expected["names"]):
        values = [expected["x"][i]] + [s["y"][i] for s in expected["series"]]
        expect(rows.nth(i).locator("th, td")).to_have_text([name] + [format_number(v, "+.3f") for v in values])


@pytest.mark.parametrize("code, reason", [
    ("from datacf._browser import redraw_chart\nredraw_chart('no-such-chart', [[1.0, 2.0]])",
     'no datacf plot with id "no-such-chart" on this page'),
    (f"from datacf._browser import redraw_chart\nredraw_chart('{CHART}', [[1.0, 2.0, 3.0, 4.0, 5.0]])",
     "finite numbers"),
    (f"from datacf._browser import ChartUpdate\nChartUpdate('{CHART}', {{'format': '<img src=x onerror=alert(1)>'}})",
     'a format like ".3f"'),
], ids=["unknown-id", "wrong-length", "hostile-format"])
def test_a_refused_chart_update_fails_the_cell_and_keeps_the_chart(live, code, reason):
    page = live
    before = page.evaluate(_CHART_JS)
    figure = page.locator(f"#{CHART}")
    svg_before = figure.locator("svg").inner_html()
    cell = _run(page, code)
    expect(cell).to_have_attribute("data-state", "error")
    error = cell.locator(".dcf-cell__part--error pre")
    expect(error).to_contain_text("ChartError: Could not redraw chart")
    expect(error).to_contain_text(reason)
    expect(cell.locator(".dcf-cell__state")).to_have_text(re.compile(r"^Failed with ChartError"))
    assert page.evaluate(_CHART_JS) == before
    assert figure.locator("svg").inner_html() == svg_before
    assert page.locator("img[src=x]").count() == 0
