"""The grid widget in a real Chromium: numbers, keyboard, palette, labels and the all-rows toggle.

Selectors follow the widget's markup contract: a ``figure.dcf-grid`` holds a table with column
and row headers; after JavaScript it is a ``grid`` of ``gridcell``s with one tab stop. Shown
numbers are checked against the grid JSON the site ships (``site_grid``), never against the
page's own attributes.
"""
import math
import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from .site_harness import SETTLED_JS, number_mismatches, open_page, set_palette, site_grid

pytestmark = pytest.mark.browser

EMPTY_SET = "\u2205"
# A cell's label: its row, its column and its number, then an optional note ("; read by the lens").
LABEL = re.compile(r"^trained on (?P<train>.+?); evaluated at (?P<column>[^:]+): (?P<value>[^;\s]+)(?:; .+)?$")
# The home page's example: four points, the rows the explainer talks about (issue 3).
HOME_COLUMNS = ["training set", "A", "B", "C", "D"]
HOME_ROWS = ["AB", "ABC", "ABCD", "ACD"]

# Where focus is in the grid around it. Headers are cells of the grid too (ARIA grid pattern),
# so row 0 is the column-header row and column 0 the row headers.
_FOCUS_JS = """() => {
  const el = document.activeElement, tr = el.closest("tr"), grid = el.closest("[role=grid]");
  if (!tr || !grid) return {inGrid: false, tag: el.tagName};
  const rows = [...grid.rows];
  return {inGrid: true, row: rows.indexOf(tr), col: el.cellIndex, nRows: rows.length,
          nCols: tr.cells.length, role: el.getAttribute("role"), tabindex: el.getAttribute("tabindex"),
          tabStops: grid.querySelectorAll("[tabindex='0']").length};
}"""
_BACKGROUNDS_JS = "(cells) => cells.map((c) => getComputedStyle(c).backgroundColor)"
_LOOKS_JS = """(cells) => cells.map((c) => {
  const s = getComputedStyle(c);
  return [s.color, s.backgroundColor, s.boxShadow, s.outlineStyle, s.fontWeight].join(" | ");
})"""


def _focus(page):
    return page.evaluate(_FOCUS_JS)


def _home_grid(page, site):
    open_page(page, site.base_url)
    grid = page.get_by_role("grid").first
    expect(grid).to_be_visible()
    return grid


def _rows(grid):
    """(subset, size) of each body row, in order, from the markup contract's data attributes."""
    return grid.locator("tbody tr").evaluate_all(
        "(rows) => rows.map((tr) => [tr.dataset.subset, Number(tr.dataset.size)])")


def _shipped(site, figure):
    """The grid JSON the site ships for *figure* (its ``data-example``)."""
    return site_grid(site, figure.get_attribute("data-example"))


def _value_mismatches(grid, expected):
    """Body rows (with a subset) of *grid* whose shown numbers are not *expected*'s row; and the row count."""
    rows = grid.locator("tbody tr[data-subset]").evaluate_all(
        "(rows) => rows.map((tr) => [tr.dataset.subset, [...tr.querySelectorAll('td')].map((td) => td.innerText)])")
    found = {subset: number_mismatches(texts, expected.row(subset)) for subset, texts in rows}
    return {subset: bad for subset, bad in found.items() if bad}, len(rows)


def test_home_page_shows_the_grid_with_numbers(page, site):
    """The home page's grid has column and row headers and, in every cell, the shipped grid's value."""
    grid = _home_grid(page, site)
    expect(grid.locator("caption")).not_to_be_empty()
    assert grid.get_by_role("columnheader").all_inner_texts() == HOME_COLUMNS
    assert grid.get_by_role("rowheader").all_inner_texts() == HOME_ROWS
    expect(grid.get_by_role("gridcell")).to_have_count(len(HOME_ROWS) * (len(HOME_COLUMNS) - 1))
    shipped = _shipped(site, page.locator("figure.dcf-grid").first)
    assert list(shipped.eval_names) == HOME_COLUMNS[1:]
    assert _value_mismatches(grid, shipped) == ({}, len(HOME_ROWS))


def test_grid_is_one_tab_stop(page, site):
    """Tab enters the grid on its one focusable cell, and the next Tab leaves the grid."""
    grid = _home_grid(page, site)
    grid.locator("caption").click()
    for _ in range(4):
        page.keyboard.press("Tab")
        if _focus(page)["inGrid"]:
            break
    start = _focus(page)
    assert start["inGrid"], "Tab from the caption never reached the grid"
    assert (start["role"], start["tabindex"], start["tabStops"]) == ("gridcell", "0", 1)
    page.keyboard.press("Tab")
    assert not _focus(page)["inGrid"]
    page.keyboard.press("Shift+Tab")
    back = _focus(page)
    assert back["inGrid"] and (back["row"], back["col"]) == (start["row"], start["col"])


def test_arrow_keys_move_focus_across_cells(page, site):
    """Each arrow moves focus one cell, and the moved-to cell becomes the grid's one tab stop."""
    grid = _home_grid(page, site)
    grid.get_by_role("gridcell").first.focus()
    start = _focus(page)
    for key, d_row, d_col in [("ArrowRight", 0, 1), ("ArrowDown", 1, 0), ("ArrowLeft", 0, -1), ("ArrowUp", -1, 0)]:
        before = _focus(page)
        page.keyboard.press(key)
        after = _focus(page)
        assert (after["row"], after["col"]) == (before["row"] + d_row, before["col"] + d_col), key
        assert (after["role"], after["tabindex"], after["tabStops"]) == ("gridcell", "0", 1), key
    assert (_focus(page)["row"], _focus(page)["col"]) == (start["row"], start["col"])


@pytest.mark.parametrize("key, edge", [("ArrowLeft", "col"), ("ArrowRight", "col"),
                                       ("ArrowUp", "row"), ("ArrowDown", "row")])
def test_arrow_keys_do_not_wrap(page, site, key, edge):
    """Pressing an arrow more times than the grid has cells stops focus at that edge."""
    grid = _home_grid(page, site)
    grid.get_by_role("gridcell").first.focus()
    shape = _focus(page)
    for _ in range(max(shape["nRows"], shape["nCols"]) + 1):
        page.keyboard.press(key)
    last = {"row": shape["nRows"] - 1, "col": shape["nCols"] - 1}[edge]
    expected = last if key in ("ArrowRight", "ArrowDown") else 0
    assert _focus(page)[edge] == expected


def test_home_and_end_jump_along_the_row(page, site):
    """End focuses the row's last cell and Home its first (the row header), in the same row."""
    grid = _home_grid(page, site)
    grid.get_by_role("gridcell").nth(1).focus()
    row = _focus(page)["row"]
    page.keyboard.press("End")
    end = _focus(page)
    assert (end["row"], end["col"]) == (row, end["nCols"] - 1)
    page.keyboard.press("Home")
    home = _focus(page)
    assert (home["row"], home["col"], home["role"]) == (row, 0, "rowheader")


def test_ctrl_home_and_end_jump_to_the_corners(page, site):
    """Ctrl+End focuses the last cell of the last row; Ctrl+Home the first cell of the first row."""
    grid = _home_grid(page, site)
    grid.get_by_role("gridcell").nth(1).focus()
    page.keyboard.press("Control+End")
    last = _focus(page)
    assert (last["row"], last["col"], last["role"]) == (last["nRows"] - 1, last["nCols"] - 1, "gridcell")
    page.keyboard.press("Control+Home")
    first = _focus(page)
    assert (first["row"], first["col"], first["role"]) == (0, 0, "columnheader")


def _highlighted_headers(page, grid, plain):
    """Indices of the column and row headers that look different from *plain* (their resting look)."""
    page.wait_for_function(SETTLED_JS)
    looks = {kind: grid.get_by_role(kind).evaluate_all(_LOOKS_JS) for kind in plain}
    return {kind: [i for i, (a, b) in enumerate(zip(looks[kind], plain[kind])) if a != b] for kind in plain}


@pytest.mark.parametrize("how", ["focus", "hover"])
def test_a_cell_highlights_its_row_and_column(page, site, how):
    """Focusing or hovering a cell highlights its own row and column headers and no others."""
    grid = _home_grid(page, site)
    plain = {kind: grid.get_by_role(kind).evaluate_all(_LOOKS_JS) for kind in ("columnheader", "rowheader")}
    cell = grid.locator("tbody").get_by_role("row").nth(1).get_by_role("gridcell").nth(1)
    getattr(cell, how)()
    assert _highlighted_headers(page, grid, plain) == {"columnheader": [2], "rowheader": [1]}


def test_switching_the_palette_recolours_the_grid(page, site):
    """Dark mode gives the cells other heat colours, and the numbers stay the same."""
    grid = _home_grid(page, site)
    set_palette(page, "light")
    cells = grid.get_by_role("gridcell")
    light = cells.evaluate_all(_BACKGROUNDS_JS)
    numbers = cells.all_inner_texts()
    assert len(set(light)) > 1, f"every cell has the same background {light[0]}: no heat colours"
    set_palette(page, "dark")
    dark = cells.evaluate_all(_BACKGROUNDS_JS)
    assert len(set(dark)) > 1, f"every cell has the same background {dark[0]}: no heat colours"
    changed = sum(a != b for a, b in zip(light, dark))
    assert changed >= len(light) // 2, f"only {changed} of {len(light)} cells changed colour: {light} -> {dark}"
    assert cells.all_inner_texts() == numbers


def test_all_rows_toggle_shows_every_subset_by_size(page, site):
    """The toggle (a fixed label; aria-pressed carries the state) shows all 2**n rows by size, then the selection."""
    grid = _home_grid(page, site)
    figure = page.locator("figure.dcf-grid").first
    button = figure.get_by_role("button", name=re.compile(r"^Show all \d+ rows$"))
    expect(button).to_have_attribute("aria-pressed", "false")
    n_all = int(re.search(r"\d+", button.inner_text()).group())
    n_points = int(math.log2(n_all))
    assert 2**n_points == n_all, f"{n_all} rows is not 2**n"
    selected = _rows(grid)

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name(f"Show all {n_all} rows")
    expect(grid.locator("tbody tr")).to_have_count(n_all)
    rows = _rows(grid)
    sizes = [size for _, size in rows]
    assert sizes == sorted(sizes), "rows are not sorted by subset size"
    assert Counter(sizes) == {k: math.comb(n_points, k) for k in range(n_points + 1)}
    assert len({subset for subset, _ in rows}) == n_all, "a subset appears twice"
    assert all(len(subset) == size for subset, size in rows if size), rows
    expect(grid.get_by_role("gridcell")).to_have_count(n_all * (len(HOME_COLUMNS) - 1))
    assert _value_mismatches(grid, _shipped(site, figure)) == ({}, n_all)

    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_accessible_name(f"Show all {n_all} rows")
    assert _rows(grid) == selected


def _label_problems(grid):
    """Body cells of *grid* whose aria-label does not read "trained on A, B; evaluated at C: 0.82",
    with the training set its row header shows (every grid: the explorer's rows carry no data-subset)."""
    columns = grid.locator("thead th").all_inner_texts()
    cells = grid.locator("tbody").get_by_role("gridcell").evaluate_all("""(cells) => cells.map((c) => ({
        label: c.getAttribute("aria-label"), text: c.innerText, col: c.cellIndex,
        header: c.closest("tr").querySelector("th[scope=row]")?.innerText.trim() ?? null}))""")
    problems = []
    for cell in cells:
        match = LABEL.match(cell["label"] or "")
        ok = bool(match) and match["column"] == columns[cell["col"]] and match["value"] == cell["text"]
        if ok:          # the row header is "∅", "ABD" (one-letter names) or "x1,x2"
            header = cell["header"] or ""
            members = ["nothing"] if header == EMPTY_SET else header.split(",") if "," in header else list(header)
            ok = bool(header) and match["train"].split(", ") == members
        if not ok:
            problems.append(cell)
    return problems, len(cells)


def test_every_cell_has_a_screen_reader_label(page, site):
    """Each cell of every grid on every page is labelled with its row, its column and its number."""
    problems, n_cells = {}, 0
    for url in site.pages:
        open_page(page, url)
        for grid in page.get_by_role("grid").all():
            found, n = _label_problems(grid)
            n_cells += n
            problems.setdefault(url, []).extend(found[:5])
    assert n_cells > 0
    assert {url: cells for url, cells in problems.items() if cells} == {}


def test_all_rows_are_labelled_too(page, site):
    """After "Show all rows" the new cells are labelled like the others, the empty set included."""
    grid = _home_grid(page, site)
    page.locator("figure.dcf-grid").first.get_by_role("button", name=re.compile(r"^Show all \d+ rows$")).click()
    expect(grid.locator("tbody tr[data-size='0']")).to_have_count(1)
    problems, n_cells = _label_problems(grid)
    assert n_cells > 0 and problems == []


def test_a_compared_pair_shows_its_difference(page, site):
    """A highlighted comparison (home page: leave-one-out) shows first row minus second, per column."""
    open_page(page, site.base_url)
    compared = page.locator("figure.dcf-grid").filter(has=page.locator("tr.dcf-compare")).first
    shipped = _shipped(site, compared)
    grid = compared.get_by_role("grid")
    pair = grid.locator("tbody tr.dcf-compare")
    expect(pair).to_have_count(2)
    names = [pair.nth(i).get_by_role("rowheader").inner_text() for i in range(2)]
    assert _value_mismatches(grid, shipped)[0] == {}
    diff = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile("difference")))
    expect(diff).to_have_count(1)
    expect(diff.get_by_role("rowheader")).to_contain_text(f"{names[0]} \u2212 {names[1]}")
    expected = shipped.row(names[0]) - shipped.row(names[1])
    assert number_mismatches(diff.get_by_role("gridcell").all_inner_texts(), expected) == []
    labels = diff.get_by_role("gridcell").evaluate_all("(cells) => cells.map((c) => c.getAttribute('aria-label'))")
    assert all(label.startswith(f"difference, {names[0]} minus {names[1]}, evaluated at ") for label in labels), labels


def test_grids_work_after_instant_navigation(page, site):
    """Following a link with Material's instant navigation enhances the new page's grids too."""
    open_page(page, site.pages[1])
    link = page.get_by_role("navigation", name="Navigation").get_by_role("link").first
    title = link.inner_text()
    link.click()
    expect(page).to_have_url(site.base_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    tables = page.locator("figure.dcf-grid table")
    for i in range(tables.count()):
        expect(tables.nth(i)).to_have_attribute("role", "grid")
    expect(page.get_by_role("grid").first.get_by_role("gridcell").first).to_have_attribute("tabindex", "0")
