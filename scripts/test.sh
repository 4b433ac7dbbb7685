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
# They audit each page with axe-core and drive the cells' code editor: both come from the npm
# packages pinned in package-lock.json (scripts/_node.sh: `npm ci`, then the editor bundle).
source scripts/_node.sh
exec "$PY" -m pytest "$@"
