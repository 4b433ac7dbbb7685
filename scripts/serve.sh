#!/usr/bin/env bash
# The main job: build the example grids and serve the explainer site on http://127.0.0.1:8000/.
# `mkdocs serve` rebuilds (and recomputes changed grids) when a page, docs/examples.toml or
# datacf's source changes. Pass another address as the first argument, e.g. 127.0.0.1:8080.
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
# The code cells' editor: CodeMirror, pinned in package-lock.json, bundled by scripts/_node.sh.
source scripts/_node.sh
export NO_MKDOCS_2_WARNING=1
ADDRESS="${1:-127.0.0.1:8000}"
"$PY" build_grids.py
exec "$PY" -m mkdocs serve --strict -a "$ADDRESS"
