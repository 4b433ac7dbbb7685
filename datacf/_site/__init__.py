"""The explainer site's build side: example grids, their HTML, and the MkDocs hooks.

Nothing here is imported by ``import datacf``; the hooks import MkDocs and Markdown lazily,
so the package itself still needs only numpy.
"""
