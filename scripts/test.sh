#!/usr/bin/env bash
# Run every test: unit, property, doctests (and, once the site exists, build and browser tests).
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
exec "$PY" -m pytest "$@"
