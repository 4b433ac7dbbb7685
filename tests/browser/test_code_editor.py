"""The code cells' CodeMirror editor (docs/js/code-editor.js) in a real Chromium, under the site's CSP.

Each cell's textarea becomes a CodeMirror 6 Python editor served by the site itself
(docs/vendor/codemirror.js, bundled by scripts/_node.sh): highlighting, bracket matching, undo,
search, Ctrl+Enter to run, Escape then Tab to leave; the textarea stays the value source, so
what runs and what is saved is what the editor shows. As everywhere in the browser tests, a
console error (a style or script the policy blocks, say) fails the test.
"""
import json
import re

import pytest
from playwright.sync_api import expect

from .site_harness import PHONE, load_axe, open_page, set_palette

pytestmark = pytest.mark.browser

TRY_IT = "try-it/"
CELL = "own-points"
LABEL = "A grid from your own points (editable Python)"
STORAGE_KEY = f"datacf:cell:v1:/datacf/{TRY_IT}:{CELL}"
LOAD_TIMEOUT_MS = 90_000      # the first run loads Python: about 6 s here; room for a slow CI
EDITOR_READY_JS = "() => document.querySelectorAll('div.dcf-cell .cm-editor').length === document.querySelectorAll('div.dcf-cell').length"


def _open(page, site, path=TRY_IT):
    """Open *path* and wait until every cell on it has its CodeMirror editor."""
    open_page(page, site.base_url + path)
    page.wait_for_function(EDITOR_READY_JS)
    return page.locator(f'div.dcf-cell[data-cell="{CELL}"]')


def _editor(cell):
    return cell.get_by_role("textbox", name=LABEL)


def _source(cell):
    """The cell's textarea: hidden, and always holding the editor's code."""
    return cell.locator("textarea")


def _code(cell):
    """The code the editor shows, line by line as CodeMirror draws it."""
    return "\n".join(cell.locator(".cm-content .cm-line").evaluate_all("(lines) => lines.map((l) => l.textContent)"))


class TestEditing:
    def test_cell_becomes_a_labelled_codemirror_editor(self, page, site):
        """The cell is a CodeMirror editor, a textbox named after the cell; its textarea is hidden."""
        cell = _open(page, site)
        editor = _editor(cell)
        expect(editor).to_be_visible()
        expect(editor).to_have_class(re.compile(r"\bcm-content\b"))
        expect(editor).to_have_attribute("aria-multiline", "true")
        expect(_source(cell)).to_be_hidden()
        assert _code(cell) == _source(cell).input_value()
        assert _code(cell).startswith("import numpy as np\n")

    def test_typed_python_is_highlighted_in_materials_colours(self, page, site):
        """Typed keywords, strings, numbers and comments get token classes coloured by Material's code variables."""
        cell = _open(page, site)
        _editor(cell).fill("def f(x):\n    return 'text' + 42  # why")
        content = cell.locator(".cm-content")
        expect(content.locator(".tok-keyword").first).to_have_text("def")
        expect(content.locator(".tok-string")).to_have_text("'text'")
        expect(content.locator(".tok-number")).to_have_text("42")
        expect(content.locator(".tok-comment")).to_have_text("# why")
        colours = content.locator(".tok-keyword").first.evaluate("""(token) => {
            const probe = document.createElement("span");
            probe.style.color = "var(--md-code-hl-keyword-color)";
            token.closest(".md-typeset").append(probe);
            const expected = getComputedStyle(probe).color;
            probe.remove();
            return [getComputedStyle(token).color, expected];
        }""")
        assert colours[0] == colours[1]

    def test_bracket_matching_marks_the_pair(self, page, site):
        """With the cursor after a closing bracket, it and its opening bracket are marked."""
        cell = _open(page, site)
        editor = _editor(cell)
        editor.fill("print((1, 2))")
        editor.press("End")
        marked = cell.locator(".cm-matchingBracket")
        expect(marked).to_have_count(2)
        assert marked.all_inner_texts() == ["(", ")"]

    def test_ctrl_z_undoes_and_ctrl_shift_z_redoes(self, page, site):
        """Ctrl+Z takes back an edit and Ctrl+Shift+Z puts it back; the textarea follows."""
        cell = _open(page, site)
        original = _source(cell).input_value()
        editor = _editor(cell)
        editor.fill("print('replaced')")             # one change: typing may be split by timing
        expect(_source(cell)).to_have_value("print('replaced')")
        editor.press("Control+z")
        expect(_source(cell)).to_have_value(original)
        editor.press("Control+Shift+z")
        expect(_source(cell)).to_have_value("print('replaced')")

    def test_ctrl_f_opens_search_and_finds_matches(self, page, site):
        """Ctrl+F opens CodeMirror's search panel, marks each match, and Escape returns to the code."""
        cell = _open(page, site)
        matches = _code(cell).count("grid")
        editor = _editor(cell)
        editor.click()
        editor.press("Control+f")
        find = cell.get_by_role("textbox", name="Find")
        expect(find).to_be_focused()
        find.press_sequentially("grid")              # the panel searches on keyup, not on input
        expect(cell.locator(".cm-searchMatch")).to_have_count(matches)
        find.press("Escape")
        expect(cell.locator(".cm-search")).to_have_count(0)
        expect(editor).to_be_focused()

    def test_tab_indents_and_escape_then_tab_leaves(self, page, site):
        """Tab indents in the editor; Escape, then Tab, moves on to Run, so the keyboard is never trapped."""
        cell = _open(page, site)
        editor = _editor(cell)
        editor.fill("x = 1")
        editor.press("Control+Home")
        page.keyboard.press("Tab")
        expect(_source(cell)).to_have_value("    x = 1")
        expect(editor).to_be_focused()
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        expect(cell.get_by_role("button", name="Run")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        expect(editor).to_be_focused()

    def test_edit_is_saved_and_back_after_a_reload(self, page, site):
        """What is typed in the editor is saved, as the textarea's value was, and shown again after a reload."""
        cell = _open(page, site)
        _editor(cell).fill("print('my own edit')")
        expect(cell.locator(".dcf-cell__note")).to_have_text(re.compile(r"^Edited\. Your code is saved"))
        saved = page.evaluate(f"() => localStorage.getItem({STORAGE_KEY!r})")
        assert json.loads(saved)["code"] == "print('my own edit')"
        page.reload()
        page.wait_for_function(EDITOR_READY_JS)
        assert _code(cell) == "print('my own edit')"

    def test_reset_restores_the_original_in_the_editor(self, page, site):
        """Reset puts the page's code back into the editor and forgets the saved edit."""
        cell = _open(page, site)
        original = _code(cell)
        _editor(cell).fill("print('changed')")
        expect(cell.locator(".dcf-cell__note")).to_have_text(re.compile(r"^Edited\."))
        cell.get_by_role("button", name="Reset").click()
        expect(cell.locator(".cm-content")).to_contain_text("import numpy as np")
        assert _code(cell) == original
        expect(_source(cell)).to_have_value(original)
        expect(cell.locator(".dcf-cell__note")).to_have_text(re.compile("original code"))
        assert page.evaluate(f"() => localStorage.getItem({STORAGE_KEY!r})") is None

    def test_reduced_motion_stops_the_cursor_blinking(self, new_context, site):
        """With reduced motion asked for, the cursor does not blink."""
        page = new_context(reduced_motion="reduce").new_page()
        cell = _open(page, site)
        _editor(cell).click()
        layer = cell.locator(".cm-cursorLayer")
        assert layer.evaluate("(el) => getComputedStyle(el).animationName") == "none"

    @pytest.mark.parametrize("palette", ["light", "dark"])
    def test_editor_passes_axe(self, page, site, palette):
        """The editor, with its search panel open, has no serious axe violation in either palette."""
        cell = _open(page, site)
        set_palette(page, palette)
        lines = [f"x{i} = {i} * 2.5  # line {i}" for i in range(12)]    # two-digit line numbers too
        _editor(cell).fill("def f(x):\n    return (x, 'y')  # z\n" + "\n".join(lines))
        _editor(cell).press("Control+f")
        load_axe(page)
        result = page.evaluate("""() => axe.run(document.querySelectorAll('.dcf-cell'),
            {resultTypes: ['violations']})""")
        serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == []

    def test_editor_fits_a_phone(self, new_context, site):
        """At 375 px the editor stays within the page; long lines scroll inside it."""
        page = new_context(viewport=PHONE).new_page()
        cell = _open(page, site)
        _editor(cell).fill("x = " + "1 + " * 60 + "1")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        box = cell.locator(".cm-editor").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


class TestFallback:
    def test_javascript_off_shows_the_plain_code(self, new_context, site):
        """With JavaScript off the cell is the highlighted code block: no editor, no textarea."""
        page = new_context(java_script_enabled=False).new_page()
        page.goto(site.base_url + TRY_IT)
        cell = page.locator(f'div.dcf-cell[data-cell="{CELL}"]')
        expect(cell.locator(".highlight code")).to_contain_text("dcf.compute_grid(train, dcf.models.KNN(k=1))")
        assert cell.locator(".cm-editor, textarea").count() == 0

    def test_without_the_bundle_the_textarea_stays(self, page, site):
        """If the CodeMirror bundle cannot load, each cell keeps its plain, labelled text area."""
        page.route(re.compile(r"/vendor/codemirror\.js$"), lambda route: route.fulfill(status=404, body=""))
        with page.expect_console_message(lambda msg: msg.type == "warning" and "code editor" in msg.text):
            open_page(page, site.base_url + TRY_IT)
        cell = page.locator(f'div.dcf-cell[data-cell="{CELL}"]')
        source = cell.get_by_role("textbox", name=LABEL)
        expect(source).to_be_visible()
        expect(page.locator(".cm-editor")).to_have_count(0)
        source.fill("print('plain')")
        expect(source).to_have_value("print('plain')")
        errors = page.context.watch.take("console_errors")
        assert all("404" in error for error in errors), errors      # the missing file, and nothing else


class TestRunning:
    def test_ctrl_enter_runs_the_edited_code(self, page, site):
        """Ctrl+Enter in the editor runs exactly the code it shows, and its output appears."""
        cell = _open(page, site)
        editor = _editor(cell)
        editor.fill("values = [6, 7]\nprint(values[0] * values[1])")
        editor.press("Control+Enter")
        expect(cell.locator(".dcf-cell__part--stdout pre")).to_have_text("42\n", timeout=LOAD_TIMEOUT_MS)
        assert _source(cell).input_value() == "values = [6, 7]\nprint(values[0] * values[1])"
        expect(editor).to_be_focused()
