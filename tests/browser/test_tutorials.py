"""The guided tutorials in Chromium: static numbers equal live ones, answers read the same live, JS off reads.

One page load per tutorial page: every explorer on it goes live, its grid is checked against
the preset file the build shipped and against the static table, each tutorial's answer read
from the live numbers is compared with the one computed at build time (after "Do this step
for me" where the tutorial has a step), and the page is read once more with JavaScript off.
"""
import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from datacf._view import format_number

from .site_harness import PHONE, load_axe, open_page, set_palette

pytestmark = pytest.mark.browser

PAGES = ["tutorials/values/", "tutorials/groups/", "tutorials/models/"]
PYTHON_TIMEOUT_MS = 300_000   # the first runtime load plus every explorer's grids, on a shared machine
ALL_LIVE_JS = """() => [...document.querySelectorAll('.dcf-explorer')].every((r) => r.dataset.status === 'live')"""
ANSWERS_JS = """(which) => [...document.querySelectorAll('section.dcf-tutorial')].map((s) => {
    const live = s.querySelector('.dcf-tutorial__live');
    return {name: s.dataset.tutorial, state: live.dataset.state, which: live.dataset.which ?? null,
            built: s.querySelector('.dcf-tutorial__built-text').textContent,
            live: live.querySelector('.dcf-tutorial__live-text')?.textContent ?? null,
            hasStep: Boolean(s.querySelector('.dcf-tutorial__actions button'))};
  })"""
AFTER_JS = """() => [...document.querySelectorAll('section.dcf-tutorial')].every((s) => {
    const live = s.querySelector('.dcf-tutorial__live');
    const stepped = Boolean(s.querySelector('.dcf-tutorial__actions button'));
    return live.dataset.state === 'live' && live.dataset.which === (stepped ? 'after' : 'start');
  })"""


def _preset(site, name):
    return json.loads((Path(site.dir) / "grids" / "explorer" / f"{name}.json").read_text(encoding="utf-8"))


def _row_index(text, names):
    if text == "∅":
        return 0
    members = list(text) if all(len(n) == 1 for n in names) else text.split(",")
    return sum(1 << names.index(m) for m in members)


@pytest.mark.parametrize("path", PAGES)
def test_tutorial_page_goes_live(new_context, site, path):
    """Every tutorial on the page: static grid = shipped preset = live grid; live answers = built answers."""
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
    page = new_context().new_page()
    open_page(page, site.base_url + path)
    names = page.evaluate("() => [...document.querySelectorAll('section.dcf-tutorial')].map((s) => s.dataset.tutorial)")
    assert names and page.evaluate("() => window.datacf.explorers.length") == len(names)
    page.wait_for_function(ALL_LIVE_JS, timeout=PYTHON_TIMEOUT_MS)

    for k, name in enumerate(names):
        document = _preset(site, name)
        live = np.array(page.evaluate(f"() => window.datacf.explorers[{k}].grid()"))
        assert_allclose(live, np.array(document["grid"]["values"]), rtol=0, atol=1e-9, err_msg=name)
        point_names = document["grid"]["point_names"]
        rows = page.evaluate(f"""() => [...document.querySelectorAll('section.dcf-tutorial')[{k}]
            .querySelectorAll('.dcf-explorer__grid-static tbody tr')].map((tr) =>
            [tr.querySelector('th').textContent, [...tr.querySelectorAll('td')].map((td) => td.textContent)])""")
        assert rows, name
        for row_name, cells in rows:
            row = _row_index(row_name, point_names)
            assert cells == [format_number(v, ".2f") for v in live[row]], (name, row_name)

    answers = page.evaluate(ANSWERS_JS)
    for answer in answers:        # before any step: the live reading of the tutorial's start
        assert answer["state"] == "live" and answer["which"] == "start", answer
        if not answer["hasStep"]:
            assert answer["live"] == answer["built"], answer
    for button in page.get_by_role("button", name="Do this step for me").all():
        button.click()
    page.wait_for_function(AFTER_JS, timeout=PYTHON_TIMEOUT_MS)
    for answer in page.evaluate(ANSWERS_JS):
        assert answer["live"] == answer["built"], answer


def test_javascript_off_reads(new_context, site):
    """With JavaScript off each tutorial shows its text, its static table and its built answer."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.base_url + "tutorials/")
    links = page.locator("article a[href*='#']").count()
    total = 0
    for path in PAGES:
        page.goto(site.base_url + path)
        sections = page.locator("section.dcf-tutorial")
        total += sections.count()
        for k in range(sections.count()):
            section = sections.nth(k)
            for part in ("goal", "do", "notice", "question"):
                assert section.locator(f".dcf-tutorial__{part}").is_visible()
            assert section.locator(".dcf-explorer__static table.dcf-explorer__grid-static").is_visible()
            section.locator(".dcf-tutorial__answer summary").click()
            built = section.locator(".dcf-tutorial__built-text")
            assert built.is_visible() and "{{" not in built.text_content()
            assert section.locator(".dcf-tutorial__live").is_hidden()
    assert total >= 15 and links >= total


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_phone_and_axe(new_context, site, palette):
    """At 375 px nothing overflows, each tutorial keeps its lens in its own flow, and axe finds nothing serious."""
    page = new_context(viewport=PHONE, has_touch=True).new_page()
    open_page(page, site.base_url + PAGES[1])
    set_palette(page, palette)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    positions = page.locator("section.dcf-tutorial .dcf-ex-lens").evaluate_all(
        "(lenses) => lenses.map((el) => getComputedStyle(el).position)")
    assert positions and set(positions) == {"static"}
    page.locator("section.dcf-tutorial .dcf-tutorial__answer summary").first.click()
    load_axe(page)
    result = page.evaluate("() => axe.run('section.dcf-tutorial', {resultTypes: ['violations']})")
    serious = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert not serious
