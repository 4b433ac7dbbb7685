# Sourced by scripts/serve.sh and scripts/test.sh (after _venv.sh) and by the Pages workflow:
# install the npm packages pinned in package-lock.json (`npm ci`) whenever the lock changes, then
# bundle the code cells' editor, CodeMirror 6, into docs/vendor/codemirror.js (`npm run
# build:editor`; generated, git-ignored, served by the site itself) whenever the lock or the
# bundle's entry changes. Each step is skipped while its stamp in node_modules/ is current.
# The same install brings KaTeX, which the site build runs in Node to typeset formulas
# (sitebuild/maths.py) and whose stylesheet and fonts the site serves itself.
# Without Node.js and npm this warns and goes on: the site builds, the code cells keep their
# plain text area, formulas show as TeX source, and the browser tests cannot run axe-core.
# DATACF_REQUIRE_EDITOR=1 (the Pages workflow) makes that an error instead, in the build too.
_node_missing() {
  echo "warning: $1; code cells fall back to a plain text area, formulas show as TeX source, and the browser tests' axe-core audit fails." >&2
  if [ "${DATACF_REQUIRE_EDITOR:-}" = 1 ]; then return 1; fi
}
if ! command -v npm >/dev/null; then
  _node_missing "npm not found, so the code editor (docs/vendor/codemirror.js) is not built; install Node.js and npm"
else
  NPM_STAMP="$ROOT/node_modules/.installed-$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
  if [ ! -f "$NPM_STAMP" ]; then
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) && touch "$NPM_STAMP" ||
      _node_missing "npm ci failed"
  fi
  EDITOR_BUNDLE="$ROOT/docs/vendor/codemirror.js"
  EDITOR_STAMP="$ROOT/node_modules/.editor-$(cat "$ROOT/package-lock.json" "$ROOT/package.json" \
    "$ROOT/scripts/editor-bundle.mjs" | sha256sum | cut -c1-16)"
  if [ -f "$NPM_STAMP" ] && { [ ! -f "$EDITOR_STAMP" ] || [ ! -f "$EDITOR_BUNDLE" ]; }; then
    (cd "$ROOT" && npm run --silent build:editor) && rm -f "$ROOT"/node_modules/.editor-* && touch "$EDITOR_STAMP" ||
      _node_missing "npm run build:editor failed"
  fi
fi
