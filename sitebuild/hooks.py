"""MkDocs hooks for the explainer (``hooks:`` in mkdocs.yml): fresh grids on every build.

- ``on_pre_build`` runs build_grids' incremental build, so ``mkdocs build`` and every
  ``mkdocs serve`` rebuild use up-to-date JSON (unchanged examples are skipped);
- ``on_files`` ships each example's JSON as ``grids/NAME.json`` in the site;
- ``on_page_markdown`` renders ``datacf-grid``/``datacf-points`` blocks and inline
  ``{{ dcf.… }}`` numbers (``sitebuild.blocks``); anything unknown fails the build;
- ``on_serve`` also watches datacf's source, so a change to a toy dataset reloads the page;
- the Python runtime (``sitebuild.runtime_config``): ``on_config`` reads ``extra.datacf_runtime``
  and the environment, ``on_pre_build`` builds the datacf wheel the page's worker installs,
  ``on_files`` ships it (and, when self-hosting, the Pyodide runtime), ``on_post_page`` gives
  every page its ``<meta name="datacf-runtime">``;
- build-time measurements (``sitebuild.measured``): ``on_pre_build`` computes the stale ones
  (learning curves, estimator convergence) into ``.cache/measured/``, ``on_page_markdown``
  renders their ``datacf-measured`` figures and ``{{ measured … }}`` numbers;
- maths (``sitebuild.maths``): ``on_config`` finds Node and KaTeX and, when both are there, adds
  KaTeX's stylesheet to every page (``extra_css``: instant navigation keeps the first page's
  head), ``on_files`` ships the stylesheet and fonts, ``on_post_page`` typesets the formulas
  ``pymdownx.arithmatex`` marked (or shows their TeX source without KaTeX);
- the Content-Security-Policy (``sitebuild.csp``): ``on_post_build`` fails if a page has an
  inline script the documented policy blocks, and writes the policy for this build's runtime
  settings to ``_csp.txt`` in the site.
"""
import logging
from pathlib import Path

from sitebuild.examples import ExampleError, build_examples, default_grids_dir, load_examples
from sitebuild.blocks import transform_markdown
from sitebuild.grid_store import GridStore, PageError
from sitebuild import csp, runtime_config
from sitebuild.pyodide_runtime import RuntimeFilesError, runtime_files
from sitebuild.wheel import build_wheel
from sitebuild import explorer_block, explorer_presets
from sitebuild import measured
from sitebuild import maths

__all__ = ["on_config", "on_pre_build", "on_files", "on_page_markdown", "on_post_page", "on_post_build", "on_serve"]

EXAMPLES_FILE = "examples.toml"   # inside docs_dir; excluded from the site by mkdocs.yml
_log = logging.getLogger("mkdocs.hooks.datacf")


class _Build:
    """What one build knows: the grids directory and the store pages read from."""

    store = None
    runtime = None       # resolved extra.datacf_runtime settings
    wheel = None         # (path, sha256) of the datacf wheel
    maths = None         # the KaTeX typesetter (sitebuild.maths.Typesetter)


def _plugin_error(message):
    from mkdocs.exceptions import PluginError

    return PluginError(message)


def _paths(config):
    root = Path(config.config_file_path).resolve().parent
    return Path(config.docs_dir) / EXAMPLES_FILE, default_grids_dir(root)


def on_config(config):
    try:
        _Build.runtime = runtime_config.resolve(config.extra)
    except runtime_config.RuntimeConfigError as error:
        raise _plugin_error(f"datacf runtime: {error}") from None
    _Build.maths = _Build.maths or maths.Typesetter()     # kept across rebuilds: it caches formulas
    try:
        maths.require_katex(_Build.maths)
    except maths.MathsError as error:
        raise _plugin_error(f"datacf maths: {error}") from None
    if not _Build.maths.available:
        _log.info(f"datacf maths: {_Build.maths.missing}, so formulas show as TeX source.")
    elif maths.CSS_PATH not in config.extra_css:
        config.extra_css.append(maths.CSS_PATH)
    return config


def on_pre_build(config):
    import hashlib

    examples_file, grids_dir = _paths(config)
    wheel = build_wheel(grids_dir.parent / "wheel")
    _Build.wheel = wheel, hashlib.sha256(wheel.read_bytes()).hexdigest()
    try:
        examples = load_examples(examples_file)
        build_examples(examples, grids_dir, log=_log.info)
    except (ExampleError, OSError) as error:
        raise _plugin_error(f"datacf grids: {error}") from None
    _Build.store = GridStore(grids_dir, examples)
    _Build.presets = explorer_presets.build_for_site(config.docs_dir, grids_dir, log=_log.info)
    _Build.measured = measured.build_measurements(grids_dir.parent / "measured", log=_log.info)


def on_files(files, config):
    from mkdocs.structure.files import File

    store = _Build.store
    for name in store.names():
        files.append(File.generated(config, f"grids/{name}.json", abs_src_path=str(store.grids_dir / f"{name}.json")))
    wheel, _ = _Build.wheel
    files.append(File.generated(config, f"wheels/{wheel.name}", abs_src_path=str(wheel)))
    if _Build.runtime["self_host"]:
        try:
            sources = runtime_files()
        except (RuntimeFilesError, OSError) as error:
            raise _plugin_error(f"datacf runtime: self-hosting needs the Pyodide files: {error}") from None
        for source in sources:
            files.append(File.generated(config, runtime_config.SELF_HOST_DIR + source.name, abs_src_path=str(source)))
    explorer_presets.add_site_files(files, _Build.presets, config)
    for dest, source in maths.site_files(_Build.maths):
        files.append(File.generated(config, dest, abs_src_path=str(source)))
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        markdown = explorer_block.page_markdown(markdown, _Build.presets, page.file.src_uri)
        markdown = measured.page_markdown(markdown, _Build.measured, page.file.src_uri)
        return transform_markdown(markdown, _Build.store, page.file.src_uri)
    except PageError as error:
        raise _plugin_error(f"datacf: {error}") from None


def on_post_page(output, page, config):
    wheel, sha256 = _Build.wheel
    try:
        output = maths.typeset_html(output, _Build.maths, page.file.src_uri)
    except maths.MathsError as error:
        raise _plugin_error(f"datacf maths: {error}") from None
    return output.replace("</head>", runtime_config.meta_tag(_Build.runtime, wheel, sha256) + "</head>", 1)


def on_post_build(config):
    try:
        csp.check_site(config.site_dir, skip=[runtime_config.SELF_HOST_DIR])
        csp.write_policy(config.site_dir, csp.policy_for(csp.documented_policy(config.docs_dir), _Build.runtime))
    except (csp.CspError, OSError) as error:
        raise _plugin_error(f"datacf Content-Security-Policy: {error}") from None


def on_serve(server, config, builder):
    server.watch(str(Path(__file__).resolve().parent.parent))
    return server
