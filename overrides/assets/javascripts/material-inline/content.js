// Material for MkDocs 9.6's content start-up (its partials/javascripts/content.html), as a file
// (the site's Content-Security-Policy forbids inline scripts; docs/security.md): a URL whose
// hash names a content tab opens that tab.
(function () {
  var target = document.getElementById(location.hash.slice(1));
  if (target && target.name) target.checked = target.name.startsWith("__tabbed_");
})();
