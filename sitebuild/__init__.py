"""The explainer site's build side: example grids, their HTML, the runtime files and the MkDocs hooks.

It lives beside the ``datacf`` package, not in it: a user who installs datacf gets the science,
not our build scripts (it runs pip, downloads runtimes and writes caches). Run it from the
repository root (``python -m mkdocs``, ``python build_grids.py``), which puts it on ``sys.path``.
"""
