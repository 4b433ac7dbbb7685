# Sourced by the README's commands: create the project-local virtual environment on first
# use and (re)install the project whenever pyproject.toml changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  python3 -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet -e "$ROOT[site,test]"
  rm -f "$VENV"/.installed-* && touch "$STAMP"
fi
# One BLAS thread: on 2 cores the default threading makes scikit-learn 20-50x slower.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
