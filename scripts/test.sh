#!/usr/bin/env bash
# Run every test: unit, property, doctests, site build and real-browser tests.
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
# The browser tests drive Chromium: $DATACF_CHROMIUM, else Debian's (installed here when we are
# root), else Playwright's own download (a developer's laptop).
if [ -z "${DATACF_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    "$PY" -m playwright install chromium
  fi
fi
# They audit each page with axe-core, pinned in package-lock.json, installed into node_modules/.
AXE_STAMP="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$AXE_STAMP" ]; then
  if command -v npm >/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error && touch "$AXE_STAMP"
  else
    echo "test.sh: npm not found, so the axe-core audit will fail; install Node.js and npm" >&2
  fi
fi
exec "$PY" -m pytest "$@"
