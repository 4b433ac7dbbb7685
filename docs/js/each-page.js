// docs/js/each-page.js: run a widget's setup on every page, instant navigation included.

/** Call `setup(document)` once the page is ready, and again after each instant navigation. */
export function onEachPage(setup) {
  if (typeof window === "undefined") return;
  // Material's instant navigation swaps pages without reloading: `document$` emits on each page.
  if (window.document$) window.document$.subscribe(() => setup(document));
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => setup(document));
  else setup(document);
}
