"""The Grid Explorer in Chromium: edits by hand and by key give compute_grid's numbers, links and exports hold."""
import base64
import json

import numpy as np
import pytest
from numpy.testing import assert_allclose
from playwright.sync_api import expect

import datacf as dcf
from datacf._view import format_number

from .site_harness import AXE_JS, PHONE, open_page, set_palette

pytestmark = pytest.mark.browser

EXPLORER = "explorer/"
LIVE_JS = "() => document.querySelector('.dcf-explorer')?.dataset.status === 'live'"
PYTHON_TIMEOUT_MS = 120_000   # the first load of the runtime, on a machine shared by many


def _needs_runtime(site):
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")


def _open_live(page, site, fragment=""):
    open_page(page, site.base_url + EXPLORER + fragment)
    page.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)


def _expected(state):
    train = dcf.Dataset(state["train"]["X"], state["train"]["y"], names=state["train"]["names"])
    test = None if state["eval"] is None else dcf.Dataset(state["eval"]["X"], state["eval"]["y"], names=state["eval"]["names"])
    model = getattr(dcf.models, state["model"])(**state["params"])
    return dcf.compute_grid(train, model, eval=test, metric=state["metric"], convention=state["convention"])


def _check_screen(page):
    """The grid on screen (API and visible cells) equals compute_grid in CPython for the page's state."""
    state = page.evaluate("() => window.datacf.explorer.state()")
    expected = _expected(state)
    assert_allclose(np.array(page.evaluate("() => window.datacf.explorer.grid()")), expected.values, rtol=0, atol=1e-9)
    cells = page.evaluate("""() => [...document.querySelectorAll('.dcf-ex-grid td')].map((td) => {
        const [row, col] = td.dataset.key.split(':').map(Number); return [row, col, td.textContent]; })""")
    assert cells
    for row, col, text in cells:
        assert text == format_number(expected.values[row, col], ".2f"), (row, col)
    return state


def test_drag_and_keys_give_compute_grid(page, site):
    """A mouse drag and arrow keys move points; the grid shown is compute_grid's for the edited data."""
    _needs_runtime(site)
    _open_live(page, site)
    before = page.evaluate("() => window.datacf.explorer.state()")
    point = page.locator('.dcf-ex-point[data-set="train"][data-index="0"]')
    point.scroll_into_view_if_needed()
    box = point.locator("circle").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + 12 * step, y - 8 * step)
    page.mouse.up()
    page.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    dragged = _check_screen(page)
    assert dragged["train"]["X"][0] != before["train"]["X"][0]
    page.locator('.dcf-ex-point[data-set="train"][data-index="1"]').focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowUp")
    page.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    moved = _check_screen(page)
    assert moved["train"]["X"][1][0] > before["train"]["X"][1][0]
    assert moved["train"]["X"][1][1] > before["train"]["X"][1][1]
    assert "moved to" in page.locator(".dcf-ex-sr[aria-live]").text_content()
    page.keyboard.press("Control+z")
    page.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    assert page.evaluate("() => window.datacf.explorer.state()")["train"]["X"][1] != moved["train"]["X"][1]


def test_share_link_round_trip(page, site, new_context):
    """Copy link puts the state in the fragment; opening it shows the same state and grid."""
    _needs_runtime(site)
    _open_live(page, site)
    page.evaluate("""() => { const s = window.datacf.explorer.state(); s.train.X[2] = [1.5, 0.25];
        s.model = 'KNN'; s.params = {k: 1}; s.focus = [1, 2]; window.datacf.explorer.setState(s); }""")
    page.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    state = page.evaluate("() => window.datacf.explorer.state()")
    page.get_by_role("button", name="Copy link").click()
    url = page.url
    assert "#dcf1." in url
    other = new_context().new_page()
    open_page(other, url)
    other.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    assert other.evaluate("() => window.datacf.explorer.state()") == state
    _check_screen(other)


def _fragment(obj):
    return "dcf1." + base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


@pytest.mark.parametrize("fragment", [
    "dcf1.!!!not-base64",
    "dcf1." + "A" * 5000,
    _fragment({"t": [[0, 0, 0, "<img src=x,>"], [1, 1, 1, "B"]]}),
    _fragment({"t": [[0, 0, 0, "A"], [1, 1, 1, "B"]], "m": "__import__('os')"}),
    _fragment({"t": [[0, 0, 9, "A"], [1, 1e300, 1, "B"]]}),
    _fragment({"t": [[0, 0, 0, "A"], [1, 1, 1, "B"]], "l": {"name": "collective", "signal": {"value": float("nan")}}}),
    _fragment({"t": [[0, 0, 0, "A"], [1, 1, 1, "B"]], "l": {"name": "collective", "signal": {"value": 10**400}}}),
    _fragment({"t": [[0, 0, 0, "A"], [1, 1, 1, "B"]], "l": {"name": "collective", "signal": {"label": 2}}}),
    _fragment({"t": [[0, 0, 0, "A"], [1, 1, 1, "B"]], "l": {"name": "collective", "signal": {"kind": "os.system"}}}),
    _fragment({"t": [[0, 0, 0, "A"], [1, 1, 1, "B"]], "l": {"name": "poison", "group": [0, 99]}}),
])
def test_hostile_fragment_loads_preset(page, site, fragment):
    """A corrupted or hostile link loads the preset with a notice; nothing is injected or thrown, and the
    link stays in the address, so nothing the reader had is lost."""
    open_page(page, site.base_url + EXPLORER + "#" + fragment)
    notice = page.locator(".dcf-ex-notice")
    assert notice.is_visible() and "could not be used" in notice.text_content()
    assert page.evaluate("() => location.hash") == "#" + fragment
    assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    state = page.evaluate("() => window.datacf.explorer.state()")
    assert state["train"]["names"] == ["A", "B", "C", "D"]


def test_html_names_are_text(page, site):
    """A name with HTML, typed into the table, shows as text in the plot and the table."""
    open_page(page, site.base_url + EXPLORER)
    page.locator(".dcf-ex-tables summary").click()
    name = page.locator(".dcf-ex-input--name").first
    name.fill("<b>x</b>")
    name.press("Enter")
    page.wait_for_function("() => window.datacf.explorer.state().train.names[0] === '<b>x</b>'")
    labels = page.locator(".dcf-ex-point__name").all_text_contents()
    assert "<b>x</b>" in labels
    assert page.evaluate("() => document.querySelectorAll('.dcf-explorer b').length") == 0
    page.goto(site.base_url + EXPLORER + "#" + _fragment({"t": [[0, 0, 0, "<img src=x>"], [1, 1, 1, "B"]]}))
    page.wait_for_function("() => window.datacf?.explorer?.state().train.names[0] === '<img src=x>'")
    assert "<img src=x>" in page.locator(".dcf-ex-point__name").all_text_contents()
    assert page.evaluate("() => document.querySelectorAll('.dcf-explorer img').length") == 0


def test_exported_script_reproduces_grid(page, site):
    """The Python script the page exports recomputes the grid on screen."""
    _needs_runtime(site)
    _open_live(page, site)
    with page.expect_download() as download:
        page.get_by_role("button", name="Python script").click()
    script = download.value.path().read_text(encoding="utf-8")
    namespace = {}
    exec(compile(script.replace("print(", "(lambda *a: None)("), "explorer.py", "exec"), namespace)
    assert_allclose(namespace["grid"].values, page.evaluate("() => window.datacf.explorer.grid()"), rtol=0, atol=1e-9)
    with page.expect_download() as download:
        page.get_by_role("button", name="Grid JSON").click()
    grid = dcf.Grid.from_json(download.value.path().read_text(encoding="utf-8"))
    assert_allclose(grid.values, namespace["grid"].values, rtol=0, atol=1e-9)


def test_javascript_off_reads(new_context, site):
    """With JavaScript off the preset is a static table with text."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.base_url + EXPLORER)
    static = page.locator(".dcf-explorer__static")
    assert static.is_visible()
    assert static.locator("table.dcf-explorer__grid-static tbody tr").count() == 16
    assert "Leave-one-out" in static.text_content()


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_phone_axe_and_overflow(new_context, site, palette):
    """On a 375 px phone nothing overflows, the lens is a sheet, and axe finds nothing serious."""
    page = new_context(viewport=PHONE, has_touch=True).new_page()
    open_page(page, site.base_url + EXPLORER)
    set_palette(page, palette)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".dcf-ex-lens").evaluate("(el) => getComputedStyle(el).position") == "fixed"
    page.locator(".dcf-ex-lens__toggle").click()
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("() => axe.run('.dcf-explorer', {resultTypes: ['violations']})")
    serious = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert not serious


def _pick(page, label):
    """The explorer's select whose field label starts with ``label``."""
    return page.locator(".dcf-ex-model label.dcf-ex-field").filter(has=page.locator("span", has_text=label)).locator("select")


def test_zero_convention_and_log_loss_are_never_combined(page, site):
    """compute_grid refuses "zero" with log loss, so the explorer never offers or accepts the pair."""
    open_page(page, site.base_url + EXPLORER)
    _pick(page, "Score").select_option("log_loss")
    expect(_pick(page, "Convention").locator('option[value="zero"]')).to_be_disabled()
    _pick(page, "Score").select_option("prob_correct")
    _pick(page, "Convention").select_option("zero")
    expect(_pick(page, "Score").locator('option[value="log_loss"]')).to_be_disabled()
    error = page.evaluate("""() => { const s = window.datacf.explorer.state();
        try { window.datacf.explorer.setState({...s, metric: "log_loss", convention: "zero"}); return null; }
        catch (e) { return e.message; } }""")
    assert error and "zero convention cannot score log loss" in error


def test_open_as_code_puts_the_state_in_the_runnable_cell(page, site):
    """Open as code fills the page's datacf-run cell (its editor and the code that runs) with the
    exported script for the edited state; running it there gives the explorer's grid."""
    _needs_runtime(site)
    _open_live(page, site)
    state = page.evaluate("() => window.datacf.explorer.state()")
    state["train"]["X"][0] = [state["train"]["X"][0][0] + 0.5, state["train"]["X"][0][1]]
    page.evaluate("(s) => window.datacf.explorer.setState(s)", state)
    page.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    with page.expect_download() as download:
        page.get_by_role("button", name="Python script").click()
    script = download.value.path().read_text(encoding="utf-8")
    page.get_by_role("button", name="Open as code").click()
    cell = page.locator('div.dcf-cell[data-cell="explorer-code"]')
    assert cell.locator("textarea").input_value() == script
    expect(cell.locator(".cm-content")).to_contain_text("compute_grid")
    cell.evaluate("(cell) => { delete cell.dataset.state; }")
    cell.get_by_role("button", name="Run").click()
    page.wait_for_function("(c) => ['done', 'error', 'stopped'].includes(c.dataset.state)",
                           arg=cell.element_handle(), timeout=PYTHON_TIMEOUT_MS)
    assert cell.get_attribute("data-state") == "done"
    expect(cell.locator(".dcf-cell__part--stdout pre")).to_contain_text("Shapley")
    shown = cell.get_by_role("grid").get_by_role("gridcell").all_inner_texts()
    expected = _expected(page.evaluate("() => window.datacf.explorer.state()")).values
    assert shown and sorted(shown) == sorted(format_number(v, ".2f") for v in expected.ravel())


# --- the edit-grid lenses: label-flip poisoning and collective action ---------------------------

def _lens_pick(page):
    return page.get_by_role("combobox", name="lens")


def _wait_live_for(page, change):
    """Make ``change`` (a user action that edits the state) and wait until the explorer is up to date again."""
    before = page.evaluate("() => JSON.stringify(window.datacf.explorer.state())")
    change()
    page.wait_for_function("(before) => JSON.stringify(window.datacf.explorer.state()) !== before", arg=before)
    page.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    return page.evaluate("() => window.datacf.explorer.state()")


def _datasets(state):
    train = dcf.Dataset(state["train"]["X"], state["train"]["y"], names=state["train"]["names"])
    test = None if state["eval"] is None else dcf.Dataset(state["eval"]["X"], state["eval"]["y"], names=state["eval"]["names"])
    return train, test, getattr(dcf.models, state["model"])(**state["params"])


def _set(names, row):
    return "{" + ", ".join(name for i, name in enumerate(names) if (row >> i) & 1) + "}"


def _members(names, points):
    return "{" + ", ".join(names[i] for i in points) + "}"


def _expected_poison_formula(state):
    """The poison lens's formula for ``state``, from CPython: compute_grid(edit=FlipLabels()) and budget_curve."""
    train, test, model = _datasets(state)
    grid = dcf.compute_grid(train, model, eval=test, metric=state["metric"], convention=state["convention"],
                            edit=dcf.edits.FlipLabels())
    u = grid.utility(state["focus"])
    curve = dcf.budget_curve(grid, state["focus"])
    group = state["lens"]["group"]
    b, names = len(group), state["train"]["names"]
    row = sum(1 << i for i in group)
    worst, worst_row = curve.minimum[b], curve.argmin[b]
    plain, signed = (lambda v: format_number(v, ".3f")), (lambda v: format_number(v, "+.3f"))
    flips = f"{b} flip{'' if b == 1 else 's'}"
    tail = "; no set of the same size does more damage" if abs(u[row] - worst) < 1e-9 else ""
    return (f"U(flip {_members(names, group)}) \u2212 U(clean) = {plain(u[row])} \u2212 {plain(u[0])} = {signed(u[row] - u[0])}; "
            f"worst of all {curve.n_rows[b]} sets of {flips}: U(flip {_set(names, worst_row)}) = {plain(worst)}, "
            f"{signed(worst - u[0])}{tail}")


def _expected_collective_formula(state):
    """The collective lens's formula for ``state``, from CPython: compute_success_grid and budget_curve,
    with the automatic signal worked out here (a fifth of the span past the largest value; the target
    the clean model predicts least often at the signal points)."""
    train, test, model = _datasets(state)
    wanted = state["lens"]["signal"]
    feature = wanted["feature"]
    xs = train.X[:, feature]
    value = wanted["value"] if wanted["value"] is not None else round(xs.max() + 0.2 * max(xs.max() - xs.min(), 1.0), 2)

    def success(label):
        return dcf.compute_success_grid(train, model, dcf.edits.PlantSignal(feature, value, label), eval=test,
                                        convention=state["convention"])

    labels = [wanted["label"]] if wanted["label"] is not None else sorted(set(state["train"]["y"]))
    label = min(labels, key=lambda c: (success(c).utility()[0], c))
    grid = success(label)
    s = grid.utility(state["focus"])
    curve = dcf.budget_curve(grid, state["focus"])
    group = state["lens"]["group"]
    b, names, m = len(group), state["train"]["names"], len(state["focus"])
    row = sum(1 << i for i in group)
    plain = lambda v: format_number(v, ".3f")   # noqa: E731
    hits = lambda v: f"{round(v * m)}/{m}"      # noqa: E731
    tail = "; no collective of the same size does better" if abs(s[row] - curve.maximum[b]) < 1e-9 else ""
    return (f"S({_members(names, group)}) = {hits(s[row])} = {plain(s[row])}; no collective: S(\u2205) = {hits(s[0])} = "
            f"{plain(s[0])}; best of all {curve.n_rows[b]} collectives of {b}: S({_set(names, curve.argmax[b])}) = "
            f"{plain(curve.maximum[b])}, mean {plain(curve.mean[b])}{tail}"), (feature, value, label)


def _formula(page):
    return page.locator(".dcf-ex-lens__formula").text_content()


def test_poison_lens_matches_cpython(page, site):
    """The label-flip lens shows CPython's edit-grid numbers; ticking a point and changing the focus update them."""
    _needs_runtime(site)
    _open_live(page, site)
    state = _wait_live_for(page, lambda: _lens_pick(page).select_option("poison"))
    assert state["lens"]["name"] == "poison"
    assert _formula(page) == _expected_poison_formula(state)
    flips = page.get_by_role("group", name="Points whose labels flip")
    state = _wait_live_for(page, lambda: flips.get_by_role("checkbox", name="C").check())
    assert state["lens"]["group"] == [0, 2]
    assert _formula(page) == _expected_poison_formula(state)
    focus = page.get_by_role("group", name="Focus: the evaluation columns every reading averages over")
    state = _wait_live_for(page, lambda: focus.get_by_role("checkbox", name="D").uncheck())
    assert state["focus"] == [0, 1, 2]
    assert _formula(page) == _expected_poison_formula(state)
    chart = page.locator(".dcf-ex-lens .dcf-ex-curve svg")
    expect(chart).to_have_attribute("role", "img")
    assert "Label flips, by flips b." in chart.get_attribute("aria-label")


def test_collective_lens_matches_cpython(page, site, new_context):
    """The collective lens shows CPython's success numbers for the automatic and a chosen signal, follows
    the collective (ticked with the keyboard) and the focus, and keeps its signal through a link."""
    _needs_runtime(site)
    _open_live(page, site)
    state = _wait_live_for(page, lambda: _lens_pick(page).select_option("collective"))
    formula, (feature, value, label) = _expected_collective_formula(state)
    assert _formula(page) == formula
    assert state["lens"]["signal"] == {"feature": 0, "value": None, "label": None}
    expect(page.get_by_label("Signal value")).to_have_attribute("placeholder", f"auto: {value:.2f}")
    expect(page.get_by_label("Target class").locator("option:checked")).to_have_text(f"auto: class {label}")

    state = _wait_live_for(page, lambda: page.get_by_label("Signal feature").select_option("1"))
    state = _wait_live_for(page, lambda: (page.get_by_label("Signal value").fill("-0.75"),
                                          page.get_by_label("Signal value").press("Tab")))
    state = _wait_live_for(page, lambda: page.get_by_label("Target class").select_option("0"))
    assert state["lens"]["signal"] == {"feature": 1, "value": -0.75, "label": 0}
    assert _formula(page) == _expected_collective_formula(state)[0]

    collective = page.get_by_role("group", name="Collective: the points that plant the signal")
    box = collective.get_by_role("checkbox", name="D")
    box.focus()
    state = _wait_live_for(page, lambda: page.keyboard.press("Space"))
    assert state["lens"]["group"] == [0, 3]
    assert _formula(page) == _expected_collective_formula(state)[0]
    focus = page.get_by_role("group", name="Focus: the evaluation columns every reading averages over")
    state = _wait_live_for(page, lambda: focus.get_by_role("checkbox", name="A").uncheck())
    assert _formula(page) == _expected_collective_formula(state)[0]

    page.get_by_role("button", name="Copy link").click()
    other = new_context().new_page()
    open_page(other, page.url)
    other.wait_for_function(LIVE_JS, timeout=PYTHON_TIMEOUT_MS)
    assert other.evaluate("() => window.datacf.explorer.state()") == state
    assert _formula(other) == _expected_collective_formula(state)[0]

    # Relabelling away the last points of the target class hands the target back to datacf, and says so.
    for i in (k for k, label in enumerate(state["train"]["y"]) if label == 0):
        point = page.locator(f'.dcf-ex-point[data-set="train"][data-index="{i}"]')
        state = _wait_live_for(page, lambda: (point.focus(), page.keyboard.press("Enter")))
    assert 0 not in state["train"]["y"] and state["lens"]["signal"] == {"feature": 1, "value": -0.75, "label": None}
    assert "target class is chosen automatically" in page.locator(".dcf-ex-sr[aria-live]").text_content()
    assert _formula(page) == _expected_collective_formula(state)[0]


@pytest.mark.parametrize("lens", ["poison", "collective"])
def test_edit_lenses_axe(page, site, lens):
    """The new lenses' controls, chart and table pass axe with nothing serious, each control named."""
    open_page(page, site.base_url + EXPLORER)
    _lens_pick(page).select_option(lens)
    for name in (["Signal feature", "Signal value", "Target class"] if lens == "collective" else []):
        expect(page.get_by_label(name)).to_be_visible()
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("() => axe.run('.dcf-ex-lens', {resultTypes: ['violations']})")
    serious = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert not serious
