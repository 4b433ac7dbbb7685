"""Fixtures for the real-browser tests: one built site, one server, one Chromium per session.

Every page a test opens is watched: a console error, an uncaught exception or a request that
would leave 127.0.0.1 (which is aborted) fails the test that caused it, whatever it checks.
The site is served with its Content-Security-Policy (site_harness.py): Chromium logs what the
policy blocks on a page as a console error; a message about the policy of any other type (a
worker's blocked WebAssembly is reported as a warning) counts as a console error too.
Set DATACF_BUILT_SITE to a folder built by ``mkdocs build`` to skip the build while iterating.
"""
import contextlib
import re

import pytest
from playwright.sync_api import sync_playwright

from .site_harness import DESKTOP, build_and_serve, launch_chromium, open_page

# Everything is on 127.0.0.1: no wait for an element or a state should take this long.
TIMEOUT_MS = 10_000
LOCAL = re.compile(r"^(http://127\.0\.0\.1[:/]|data:|blob:|about:)")
POLICY_MESSAGE = re.compile("Content.Security.Policy", re.IGNORECASE)


class Watch:
    """What the pages of one browser context did wrong: console errors, exceptions, outside requests."""

    def __init__(self, not_found_url=None):
        self.console_errors, self.page_errors, self.outside_requests = [], [], []
        self._not_found_url = not_found_url    # its own 404 status is logged, and is no error

    def attach(self, context):
        context.route(lambda url: not LOCAL.match(url), self._abort)
        context.on("page", self._watch_page)
        context.on("request", self._request)
        return self

    def _abort(self, route):
        self._outside(route.request.url)
        route.abort("blockedbyclient")

    def _request(self, request):
        if not LOCAL.match(request.url):
            self._outside(request.url)

    def _outside(self, url):
        if url not in self.outside_requests:
            self.outside_requests.append(url)

    def _watch_page(self, page):
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))

    def _console(self, page, msg):
        where = msg.location.get("url", "")
        if msg.type != "error" and not POLICY_MESSAGE.search(msg.text):
            return
        if where == self._not_found_url and "status of 404" in msg.text:
            return
        self.console_errors.append(f"{page.url}: {msg.text} ({where}:{msg.location.get('lineNumber', '')})")

    def take(self, kind):
        """Hand the problems of one *kind* to a test that checks them itself (so they count once)."""
        found = list(getattr(self, kind))
        getattr(self, kind).clear()
        return found

    def problems(self):
        """A dict of non-empty problem lists, for an assertion message."""
        found = {"console errors": self.console_errors, "uncaught exceptions": self.page_errors,
                 "requests leaving 127.0.0.1": self.outside_requests}
        return {kind: items for kind, items in found.items() if items}


@contextlib.contextmanager
def open_python_page(chromium, site, path, timeout_ms):
    """A watched desktop page at ``site.base_url + path`` whose Python runtime is ready; yields (page, watch).

    For module-scoped fixtures that share one loaded runtime between tests. Skips when the site
    was prebuilt without a test runtime URL.
    """
    if not site.runtime_url:
        pytest.skip("this site was prebuilt (DATACF_BUILT_SITE) without a test runtime URL")
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(timeout_ms)
    watch = Watch(site.not_found).attach(context)
    page = context.new_page()
    open_page(page, site.base_url + path)
    page.evaluate("() => window.datacf.runtime.ready()")
    try:
        yield page, watch
    finally:
        context.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The explainer built once with ``mkdocs build --strict`` and served on 127.0.0.1."""
    with build_and_serve(tmp_path_factory.mktemp("site")) as served:
        yield served


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, site):
    """Open watched browser contexts (``new_context(**options)``); fail the test on any problem."""
    opened = []

    def make(viewport=DESKTOP, color_scheme="light", **options):
        context = chromium.new_context(viewport=viewport, color_scheme=color_scheme, **options)
        context.set_default_timeout(TIMEOUT_MS)
        watch = Watch(site.not_found).attach(context)
        context.watch = watch
        opened.append(context)
        return context

    yield make
    problems = {}
    for context in opened:
        for kind, items in context.watch.problems().items():
            problems.setdefault(kind, []).extend(items)
        context.close()
    if problems:
        pytest.fail(f"the pages misbehaved while the test ran: {problems}", pytrace=False)


@pytest.fixture
def page(new_context):
    """A fresh desktop-sized page in the light palette, with JavaScript on."""
    return new_context().new_page()
