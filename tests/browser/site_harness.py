"""Build the explainer site, serve it on 127.0.0.1 and drive it with Chromium.

Shared by the browser tests (``conftest.py``) and the screenshot script (``screenshots.py``).
The site is served under the path of its ``site_url`` (as GitHub Pages serves a project site),
and a missing file gets the site's ``404.html`` with status 404, again as GitHub Pages does.
Every response carries the Content-Security-Policy the build wrote to ``_csp.txt`` (the policy
docs/security.md documents, for this build's runtime origin; ``sitebuild/csp.py``).
The Pyodide runtime comes from ``sitebuild.pyodide_runtime.ensure_runtime()`` (cached,
assembled offline from the registries) and is served from a second 127.0.0.1 origin, as a CDN
would serve it (with CORS); the site is built with ``DATACF_PYODIDE_URL`` pointing there.
"""
import contextlib
import functools
import http.server
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

from playwright.sync_api import expect

from sitebuild.csp import POLICY_FILE

__all__ = [
    "AXE_JS",
    "CHROMIUM_ARGS",
    "DESKTOP",
    "PHONE",
    "ROOT",
    "SEARCH_READY_JS",
    "SETTLED_JS",
    "WIDGETS_READY_JS",
    "Site",
    "build_and_serve",
    "build_site",
    "chromium_executable",
    "free_port",
    "launch_chromium",
    "load_axe",
    "number_mismatches",
    "open_page",
    "serve_runtime",
    "serve_site",
    "set_palette",
    "site_grid",
    "site_policy",
]

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# DESIGN.md §5: without the background-networking flags Chromium phones home at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DEBIAN_CHROMIUM = "/usr/bin/chromium"
PROJECT_PATH = "/datacf/"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
# Material's palette names, as in <body data-md-color-scheme="...">.
SCHEMES = {"light": "default", "dark": "slate"}
# True once no CSS transition or animation is running (the palette switch fades colours).
SETTLED_JS = "() => document.getAnimations().every((a) => a.playState !== 'running')"
# Material's search (9.6, components/search/result) shows its "initializer" text until the search
# worker reports the index ready; then it queries the (empty) input and shows its "placeholder".
# Typing before that is lost until the next keystroke (DESIGN.md §5).
SEARCH_READY_JS = """() => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const meta = document.querySelector("[data-md-component=search-result] .md-search-result__meta");
  return meta !== null && meta.textContent.trim() === config.translations["search.result.placeholder"];
}"""
# A number as the grid widget shows it: "0.82", "−0.03" (true minus), "+0.10", "82%".
_SHOWN = re.compile(r"^(?P<sign>[+\u2212-]?)(?P<digits>\d+(?:\.(?P<decimals>\d+))?)(?P<percent>%?)$")
# Every grid widget on a page is enhanced once its table has role="grid" (the markup contract).
WIDGETS_READY_JS = """() => document.readyState === "complete" &&
  [...document.querySelectorAll("figure.dcf-grid table")].every((t) => t.getAttribute("role") === "grid")"""


def chromium_executable():
    """The Chromium to drive: $DATACF_CHROMIUM, else Debian's, else None (Playwright's own)."""
    path = os.environ.get("DATACF_CHROMIUM")
    if path:
        if not os.access(path, os.X_OK):
            raise FileNotFoundError(f"DATACF_CHROMIUM={path!r} is not an executable file; "
                                    "unset it or point it at a Chromium binary.")
        return path
    return DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None


def launch_chromium(playwright):
    """Launch one headless Chromium, saying how to install one if none is found."""
    executable = chromium_executable()
    try:
        return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception as exc:
        if executable is None and "Executable doesn't exist" in str(exc):
            raise RuntimeError(
                "No Chromium found for the browser tests. Run scripts/test.sh, which installs one, "
                "or `apt-get install chromium`, or `python -m playwright install chromium`, "
                "or set DATACF_CHROMIUM to a Chromium binary.") from exc
        raise


def build_site(dest, site_url=None, pyodide_url=None):
    """Run ``mkdocs build --strict`` from the repo into *dest*; its hook builds the grids.

    *site_url* is passed as SITE_URL, which mkdocs.yml reads, as the Pages workflow does;
    *pyodide_url* as DATACF_PYODIDE_URL, the runtime's base URL.
    """
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if site_url:
        env["SITE_URL"] = site_url
    if pyodide_url:
        env["DATACF_PYODIDE_URL"] = pyodide_url
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(dest)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return Path(dest)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_policy(site_dir):
    """The Content-Security-Policy the build wrote for *site_dir* (``_csp.txt``)."""
    path = Path(site_dir) / POLICY_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the site was built before the build wrote its "
                                "Content-Security-Policy; build it again (mkdocs build).")
    return path.read_text(encoding="utf-8").strip()


class Site:
    """A built site served at *base_url*; ``pages`` are the URLs of every page in it.

    ``csp`` is the Content-Security-Policy every response carries.
    """

    def __init__(self, site_dir, base_url, csp):
        self.dir = Path(site_dir)
        self.base_url = base_url
        self.csp = csp
        folders = sorted((p.parent.relative_to(self.dir) for p in self.dir.rglob("index.html")),
                         key=lambda folder: folder.parts)             # the home page first
        self.pages = [base_url + "".join(f"{part}/" for part in folder.parts) for folder in folders]
        # GitHub Pages answers any missing URL with 404.html; so does serve_site.
        self.not_found = base_url + "no-such-page/" if (self.dir / "404.html").exists() else None

    @property
    def all_pages(self):
        """Every page, the 404 page (reached through a missing URL) included."""
        return self.pages + ([self.not_found] if self.not_found else [])

    def __repr__(self):
        return f"Site({str(self.dir)!r}, {self.base_url!r}, {len(self.pages)} pages)"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serve the site under its base path, 404.html for anything missing, and log nothing.

    Every response carries ``csp`` as its Content-Security-Policy header, if set (the worker
    scripts too: a worker runs under the policy of its script's response).
    """

    base_path = "/"
    csp = None

    def end_headers(self):
        if self.csp:
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def translate_path(self, path):
        path = urllib.parse.urlsplit(path).path
        if not path.startswith(self.base_path):
            return os.path.join(self.directory, "\0missing")
        return super().translate_path("/" + path[len(self.base_path):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve_site(site_dir, base_path="/", port=0):
    """Serve *site_dir* at http://127.0.0.1:*port*/*base_path* in a thread; yield a :class:`Site`.

    Every response carries the site's Content-Security-Policy (:func:`site_policy`).
    """
    base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    csp = site_policy(site_dir)
    handler = functools.partial(type("Handler", (_Handler,), {"base_path": base, "csp": csp}),
                                directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Site(site_dir, f"http://127.0.0.1:{server.server_port}{base}", csp)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _RuntimeHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the Pyodide files as a CDN does: any origin may fetch them (CORS), wasm typed."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript"}

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "public, max-age=3600")
        super().end_headers()

    def log_message(self, format, *args):
        pass


RUNTIME_PATH = "/pyodide/v0.27.7/full/"


@contextlib.contextmanager
def serve_runtime(runtime_dir=None):
    """Serve the Pyodide runtime on its own 127.0.0.1 origin; yield its base URL.

    *runtime_dir* defaults to ``ensure_runtime()`` (DATACF_PYODIDE_DIR, the cache, or the registries).
    """
    if runtime_dir is None:
        from sitebuild.pyodide_runtime import ensure_runtime

        runtime_dir = ensure_runtime()
    handler = functools.partial(type("Handler", (_RuntimeHandler, _Handler), {"base_path": RUNTIME_PATH}),
                                directory=str(runtime_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="runtime-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{RUNTIME_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def build_and_serve(tmp_dir):
    """Build the site into *tmp_dir* and serve it; yield a :class:`Site`.

    It is built and served under a project path, as GitHub Pages serves https://USER.github.io/REPO/,
    with the Pyodide runtime served from another 127.0.0.1 origin (``site.runtime_url``).
    DATACF_BUILT_SITE names an already built site to serve instead, at the path and port of the
    $SITE_URL it was built with (instant navigation needs them); build it with
    DATACF_PYODIDE_SELF_HOST=1 for the runtime tests.
    """
    prebuilt = os.environ.get("DATACF_BUILT_SITE")
    if prebuilt:
        site_url = urllib.parse.urlsplit(os.environ.get("SITE_URL", "/"))
        with serve_site(prebuilt, site_url.path, site_url.port or 0) as site:
            site.runtime_url = None
            yield site
        return
    port = free_port()
    with serve_runtime() as runtime_url:
        site_dir = build_site(Path(tmp_dir) / "site", site_url=f"http://127.0.0.1:{port}{PROJECT_PATH}",
                              pyodide_url=runtime_url)
        with serve_site(site_dir, PROJECT_PATH, port) as site:
            site.runtime_url = runtime_url
            yield site


def site_grid(site, example):
    """The :class:`datacf.Grid` of *example* as the site ships it (``grids/NAME.json``), which the
    build checks against a fresh CPython computation (tests/test_site_build.py)."""
    import datacf as dcf

    document = json.loads((Path(site.dir) / "grids" / f"{example}.json").read_text(encoding="utf-8"))
    return dcf.Grid.from_json(json.dumps(document["grid"]))


def number_mismatches(texts, values):
    """The (text, value) pairs where a shown text is not *value* rounded to the digits it shows.

    Texts and values are paired in order; a missing one on either side is a mismatch too.
    """
    mismatches = []
    for text, value in itertools.zip_longest(texts, values):
        match = _SHOWN.match((text or "").strip())
        if match is None or value is None:
            mismatches.append((text, value))
            continue
        shown = float(match["digits"]) * (-1 if match["sign"] in ("-", "\u2212") else 1)
        expected = float(value) * (100 if match["percent"] else 1)
        if abs(shown - expected) > 0.5 * 10 ** -len(match["decimals"] or "") + 1e-9:
            mismatches.append((text, float(value)))
    return mismatches


def load_axe(page):
    """Load axe-core into *page* (``window.axe``).

    The site's policy forbids inline scripts, so ``page.add_script_tag`` is refused; code that
    the test driver evaluates is not page script, and the policy does not apply to it.
    """
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm ci` in the repo (scripts/test.sh does)")
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    if page.evaluate("() => typeof window.axe?.run") != "function":
        raise RuntimeError("axe-core did not load into the page")


def open_page(page, url):
    """Go to *url* and wait until the page has loaded and every grid widget on it is enhanced."""
    response = page.goto(url, wait_until="load")
    page.wait_for_function(WIDGETS_READY_JS)
    return response


def open_styled(new_context, url, palette, viewport=None):
    """A page of a fresh context (desktop, or *viewport*) opened at *url* in the *palette* given."""
    page = new_context(**({"viewport": viewport} if viewport else {})).new_page()
    open_page(page, url)
    set_palette(page, palette)
    return page


def set_palette(page, name):
    """Switch Material's palette to "light" or "dark" with its header toggle, as a reader would."""
    scheme = SCHEMES[name]
    body = page.locator("body")
    for _ in range(len(SCHEMES) + 1):            # the toggle cycles through the palettes
        if body.get_attribute("data-md-color-scheme") == scheme:
            return
        before = body.get_attribute("data-md-color-scheme")
        page.locator('label.md-header__button[for^="__palette"]:visible').click()
        expect(body).not_to_have_attribute("data-md-color-scheme", before or "")
        page.wait_for_function(SETTLED_JS)         # Material fades colours: let them settle
    raise AssertionError(f"the palette toggle never reached {name!r} (data-md-color-scheme={scheme!r})")


def serious_axe_violations(page):
    """Run axe-core on *page*; return its serious and critical violations (issue 3's bar), summarised."""
    load_axe(page)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
