// Material for MkDocs 9.6's linked content tabs (partials/javascripts/content.html, feature
// content.tabs.link), as a file (the site's Content-Security-Policy forbids inline scripts):
// open, in every tab set, the tab the reader last chose.
(function () {
  var tabs = __md_get("__tabs");
  if (!Array.isArray(tabs)) return;
  sets: for (var set of document.querySelectorAll(".tabbed-set")) {
    var labels = set.querySelector(".tabbed-labels");
    for (var tab of tabs) {
      for (var label of labels.getElementsByTagName("label")) {
        if (label.innerText.trim() === tab) {
          document.getElementById(label.htmlFor).checked = true;
          continue sets;
        }
      }
    }
  }
})();
