"""MkDocs hooks for the explainer (``hooks:`` in mkdocs.yml): fresh grids on every build.

- ``on_pre_build`` runs build_grids' incremental build, so ``mkdocs build`` and every
  ``mkdocs serve`` rebuild use up-to-date JSON (unchanged examples are skipped);
- ``on_files`` ships each example's JSON as ``grids/NAME.json`` in the site;
- ``on_page_markdown`` renders ``datacf-grid``/``datacf-points`` blocks and inline
  ``{{ dcf.… }}`` numbers (``datacf._site.render``); anything unknown fails the build;
- ``on_serve`` also watches datacf's source, so a change to a toy dataset reloads the page.
"""
import logging
from pathlib import Path

from datacf._site.examples import ExampleError, build_examples, default_grids_dir, load_examples
from datacf._site.render import GridStore, PageError, transform_markdown

__all__ = ["on_pre_build", "on_files", "on_page_markdown", "on_serve"]

EXAMPLES_FILE = "examples.toml"   # inside docs_dir; excluded from the site by mkdocs.yml
_log = logging.getLogger("mkdocs.hooks.datacf")


class _Build:
    """What one build knows: the grids directory and the store pages read from."""

    store = None


def _plugin_error(message):
    from mkdocs.exceptions import PluginError

    return PluginError(message)


def _paths(config):
    root = Path(config.config_file_path).resolve().parent
    return Path(config.docs_dir) / EXAMPLES_FILE, default_grids_dir(root)


def on_pre_build(config):
    examples_file, grids_dir = _paths(config)
    try:
        examples = load_examples(examples_file)
        build_examples(examples, grids_dir, log=_log.info)
    except (ExampleError, OSError) as error:
        raise _plugin_error(f"datacf grids: {error}") from None
    _Build.store = GridStore(grids_dir, examples)


def on_files(files, config):
    from mkdocs.structure.files import File

    store = _Build.store
    for name in store.names():
        files.append(File.generated(config, f"grids/{name}.json", abs_src_path=str(store.grids_dir / f"{name}.json")))
    return files


def on_page_markdown(markdown, page, config, files):
    try:
        return transform_markdown(markdown, _Build.store, page.file.src_uri)
    except PageError as error:
        raise _plugin_error(f"datacf: {error}") from None


def on_serve(server, config, builder):
    server.watch(str(Path(__file__).resolve().parent.parent))
    return server
