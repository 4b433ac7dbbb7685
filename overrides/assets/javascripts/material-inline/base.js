// Material for MkDocs 9.6's start-up helpers (its partials/javascripts/base.html), as a file so
// that the site's Content-Security-Policy needs no 'unsafe-inline' (docs/security.md). They are
// globals: Material's bundle and the other start-up scripts call them. The scope, which Material
// inlines, comes from the script element (overrides/partials/javascripts/base.html).
var __md_scope = new URL(document.currentScript.getAttribute("data-md-scope"), location);
var __md_hash = (text) => [...text].reduce((hash, ch) => (hash << 5) - hash + ch.charCodeAt(0), 0);
var __md_get = (key, storage = localStorage, scope = __md_scope) =>
  JSON.parse(storage.getItem(scope.pathname + "." + key));
var __md_set = (key, value, storage = localStorage, scope = __md_scope) => {
  try {
    storage.setItem(scope.pathname + "." + key, JSON.stringify(value));
  } catch (error) {
    // storage full or disabled: the setting is simply not remembered, as in Material
  }
};
