"""Save a screenshot of every page of the built site: desktop and phone, light and dark.

Usage (from the repo, in its virtual environment)::

    .venv/bin/python -m tests.browser.screenshots [OUT_DIR]     # default: screenshots/

Builds the site with ``mkdocs build --strict`` (or takes DATACF_BUILT_SITE), serves it on
127.0.0.1 with its Content-Security-Policy and writes
``OUT_DIR/<page>-<desktop|phone>-<light|dark>.png``, full page, where <page> is the page's path
("home" for the home page, "404" for the not-found page). Console errors (what the policy
blocks among them) are printed, and make the exit status 1: a screenshot of a broken page is
not a review of it.
"""
import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from .site_harness import DESKTOP, PHONE, ROOT, build_and_serve, launch_chromium, open_page, set_palette

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def _page_name(site, url):
    if url == site.not_found:
        return "404"
    return url[len(site.base_url):].strip("/").replace("/", "_") or "home"


def _is_error(site, msg):
    """A console error, but not the 404 page's own logged status (its response is a 404 by design)."""
    own_status = msg.location.get("url") == site.not_found and "status of 404" in msg.text
    return msg.type == "error" and not own_status


def save_screenshots(site, out_dir, browser, errors=None):
    """Write one PNG per page, viewport and palette into *out_dir*; return their paths.

    Console errors and uncaught exceptions are appended to the list *errors*, if given.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    errors = [] if errors is None else errors
    for viewport_name, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, color_scheme="light")
        context.route(lambda url: not url.startswith(("http://127.0.0.1", "data:", "blob:")),
                      lambda route: route.abort("blockedbyclient"))
        page = context.new_page()
        page.on("console", lambda msg: _is_error(site, msg) and errors.append(f"{page.url}: {msg.text}"))
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        for url in site.all_pages:
            open_page(page, url)
            for palette in ("light", "dark"):
                set_palette(page, palette)
                path = out_dir / f"{_page_name(site, url)}-{viewport_name}-{palette}.png"
                page.screenshot(path=path, full_page=True)
                saved.append(path)
        context.close()
    return saved


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=ROOT / "screenshots",
                        help="where to write the PNGs (default: screenshots/, git-ignored)")
    out_dir = parser.parse_args(argv).out_dir
    with tempfile.TemporaryDirectory() as tmp, build_and_serve(tmp) as site, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        errors = []
        for path in save_screenshots(site, out_dir, browser, errors):
            print(path)
        browser.close()
    for error in errors:
        print(f"console error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
