"""Every page of the built site, in a real Chromium: clean console, local only, narrow screens, axe,
all under the Content-Security-Policy that docs/security.md documents.

Pages are discovered from the built site (every index.html, and 404.html through a missing URL),
so a new page is checked without editing this file.
"""
import re
import shutil
import urllib.parse

import pytest
from playwright.sync_api import expect

from sitebuild import csp, runtime_config

from .site_harness import (AXE_JS, PHONE, ROOT, SEARCH_READY_JS, number_mismatches, open_page,
                           serious_axe_violations, serve_site, set_palette, site_grid)

pytestmark = pytest.mark.browser

# Material builds the search index in a worker; on two busy cores (Pyodide loading too) that can
# take a while. An upper bound on waiting for that state, not a pause.
SEARCH_READY_TIMEOUT_MS = 30_000
# Layout boxes have fractional edges; less than a pixel past the screen is not visible.
SUBPIXEL = 1.0


def _visit_every_page(page, site):
    """Open each page of *site* in *page*, the 404 page included; return {url: HTTP status}."""
    return {url: open_page(page, url).status for url in site.all_pages}


def test_site_has_pages(site):
    """The build produced a home page, at least one more page and a 404 page."""
    assert site.pages[0] == site.base_url
    assert len(site.pages) >= 2, site.pages
    assert site.not_found, "the built site has no 404.html"


def test_every_page_loads_without_console_errors(page, site):
    """No page logs a console error or throws an uncaught exception while loading."""
    statuses = _visit_every_page(page, site)
    assert {url: s for url, s in statuses.items() if url != site.not_found and s != 200} == {}
    watch = page.context.watch
    assert (watch.take("console_errors"), watch.take("page_errors")) == ([], [])


def test_no_request_leaves_localhost(page, site):
    """Loading every page requests nothing but 127.0.0.1 (fonts, scripts and runtimes included)."""
    _visit_every_page(page, site)
    assert page.context.watch.take("outside_requests") == []


def test_not_found_page_answers_a_missing_url(page, site):
    """A missing URL gets the styled 404 page, which links back to the home page."""
    response = open_page(page, site.not_found)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("not found", re.IGNORECASE))
    page.get_by_role("banner").get_by_role("link").first.click()    # the site's logo and name
    expect(page).to_have_url(re.compile(re.escape(site.base_url) + r"(index\.html)?$"))


def test_no_horizontal_overflow_on_a_phone(new_context, site):
    """At 375 px wide no page scrolls sideways (wide grids scroll inside their own box)."""
    page = new_context(viewport=PHONE).new_page()
    overflowing = {}
    for url in site.all_pages:
        open_page(page, url)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            overflowing[url] = {"scrollWidth": widths[0], "innerWidth": widths[1], "widest": page.evaluate(
                """() => [...document.querySelectorAll("body *")]
                  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                  .slice(0, 5).map((el) => el.tagName.toLowerCase() + "." + [...el.classList].join("."))""")}
    assert overflowing == {}


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_axe_finds_no_serious_violation(new_context, site, palette):
    """axe-core reports no serious or critical accessibility violation on any page, in either palette."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` in the repo (scripts/test.sh does)"
    page = new_context().new_page()
    violations = {}
    for url in site.all_pages:
        open_page(page, url)
        set_palette(page, palette)
        found = serious_axe_violations(page)
        if found:
            violations[url] = found
    assert violations == {}


# Each body row of a static grid table: its subset (None for the difference row), its classes, its texts.
_STATIC_ROWS_JS = """(rows) => rows.map((tr) => [tr.dataset.subset ?? null, tr.className,
                                              [...tr.querySelectorAll("td")].map((td) => td.textContent)])"""


def _static_table_mismatches(figure, grid):
    """Rows of a static grid table whose numbers are not the shipped grid's values (the
    difference row: first compared row minus second)."""
    rows = figure.locator("tbody tr").evaluate_all(_STATIC_ROWS_JS)
    compared = {cls: subset for subset, classes, _ in rows for cls in classes.split() if subset}
    mismatches = {}
    for subset, classes, texts in rows:
        if subset is not None:
            expected = grid.row(subset)
        else:
            assert "dcf-diff" in classes.split(), (classes, texts)
            expected = grid.row(compared["dcf-compare--first"]) - grid.row(compared["dcf-compare--second"])
        found = number_mismatches(texts, expected)
        if found:
            mismatches[subset or "difference"] = found
    return mismatches, len(rows)


def test_tables_and_numbers_are_there_without_javascript(new_context, site):
    """With JavaScript off every grid is a table with headers and the shipped grid's numbers."""
    with_js = new_context().new_page()
    without_js = new_context(java_script_enabled=False).new_page()
    grids_seen, mismatches = 0, {}
    for url in site.pages:
        open_page(with_js, url)
        n_widgets = with_js.locator("figure.dcf-grid").count()
        without_js.goto(url)
        figures = without_js.locator("figure.dcf-grid")
        assert figures.count() == n_widgets, url
        for i in range(n_widgets):
            figure = figures.nth(i)
            table = figure.get_by_role("table")
            expect(table).to_be_visible()
            assert table.get_attribute("role") is None, "the static table was enhanced without JS?"
            expect(table.locator("caption")).not_to_be_empty()
            grid = site_grid(site, figure.get_attribute("data-example"))
            headers = table.locator("thead th[scope=col]").all_inner_texts()
            assert headers == ["training set", *grid.eval_names], (url, headers)
            found, n_rows = _static_table_mismatches(figure, grid)
            assert n_rows >= 1, url
            if found:
                mismatches[f"{url} grid {i}"] = found
        grids_seen += n_widgets
    assert grids_seen >= 1, "no page has a grid"
    assert mismatches == {}


def test_grid_captions_fit_a_phone_screen(new_context, site):
    """At 375 px every grid caption lies within the screen, readable without scrolling the grid."""
    page = new_context(viewport=PHONE).new_page()
    clipped = {}
    for url in site.pages:
        open_page(page, url)
        for caption in page.locator("figure.dcf-grid caption").all():
            caption.scroll_into_view_if_needed()
            box = caption.evaluate("(c) => { const r = c.getBoundingClientRect(); return [r.left, r.right]; }")
            if box[0] < -SUBPIXEL or box[1] > PHONE["width"] + SUBPIXEL:
                clipped.setdefault(url, []).append((caption.inner_text()[:40], box))
    assert clipped == {}


def test_search_finds_a_page_offline(page, site):
    """The site search (a local worker and index) finds the leave-one-out page, asking nothing outside."""
    open_page(page, site.base_url)
    page.wait_for_function(SEARCH_READY_JS, timeout=SEARCH_READY_TIMEOUT_MS)
    page.get_by_role("textbox", name="Search").press_sequentially("leave-one-out")   # keyup asks the worker
    dialog = page.get_by_role("dialog", name="Search")
    expect(dialog.locator("[data-md-component=search-result] a[href*='leave-one-out']").first).to_be_visible()


def test_every_response_carries_the_documented_policy(page, site):
    """Each page, and the worker script, is served with the policy docs/security.md documents,
    filled in with the test runtime's origin, as the build's _csp.txt says."""
    if site.runtime_url:
        runtime = {"self_host": False, "pyodide_url": site.runtime_url}
        assert site.csp == csp.policy_for(csp.documented_policy(ROOT / "docs"), runtime)
    headers = {url: open_page(page, url).headers.get("content-security-policy") for url in site.all_pages}
    worker = page.request.get(site.base_url + "js/py-worker.js")
    headers[worker.url] = worker.headers.get("content-security-policy")
    assert headers == {url: site.csp for url in headers}


def test_a_policy_violation_fails_the_test(page, site):
    """The policy is enforced, and what it blocks is logged as a console error, which the
    watch on every page turns into a failure (it is taken here, so this test passes)."""
    open_page(page, site.base_url)
    with page.expect_console_message(lambda m: m.type == "error" and "Content Security Policy" in m.text):
        page.evaluate("""() => { const s = document.createElement("script");
                               s.textContent = "window.inlineScriptRan = true"; document.head.append(s); }""")
    assert page.evaluate("() => window.inlineScriptRan") is None
    caught = page.context.watch.take("console_errors")
    assert len(caught) == 1 and "Content Security Policy" in caught[0], caught


def test_palette_choice_is_remembered_under_the_policy(page, site):
    """Material's start-up scripts, served as files for the policy, keep the reader's palette across pages."""
    open_page(page, site.base_url)
    set_palette(page, "dark")
    open_page(page, site.pages[1])
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
    set_palette(page, "light")
    open_page(page, site.base_url)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")


def test_a_policy_that_forbids_webassembly_is_named_as_the_reason(new_context, site, tmp_path):
    """A host policy without 'wasm-unsafe-eval' fails the runtime with the policy as the reason,
    instead of hanging until the stall timeout or blaming the network."""
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
    strict = tmp_path / "site"
    shutil.copytree(site.dir, strict, ignore=shutil.ignore_patterns(runtime_config.SELF_HOST_DIR))
    (strict / csp.POLICY_FILE).write_text(site.csp.replace(" 'wasm-unsafe-eval'", ""), encoding="utf-8")
    context = new_context()
    page = context.new_page()
    with serve_site(strict, urllib.parse.urlsplit(site.base_url).path) as served:
        open_page(page, served.base_url)
        reason = page.evaluate("() => window.datacf.runtime.ready().then(() => null, (e) => e.message)")
    assert reason and "Content-Security-Policy blocked it" in reason and "'wasm-unsafe-eval'" in reason, reason
    context.watch.take("console_errors")      # the browser logs the violation: expected here


def test_python_runtime_loads_under_the_policy(new_context, site):
    """The page's Python worker loads Pyodide, numpy and datacf under the policy (WebAssembly,
    blob: scripts, the runtime's origin) and runs code."""
    if not site.runtime_url and not (site.dir / runtime_config.SELF_HOST_DIR).is_dir():
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) with neither a test runtime nor a self-hosted one")
    page = new_context().new_page()
    open_page(page, site.base_url)
    versions = page.evaluate("() => window.datacf.runtime.ready()")   # rejects, saying why, if it cannot load
    assert versions["numpy"] == "2.0.2", versions
    result = page.evaluate("() => window.datacf.runtime.run('import numpy as np\\nprint(int(np.arange(5).sum()))')")
    assert (result["error"], result["stdout"].strip()) == (None, "10"), result
