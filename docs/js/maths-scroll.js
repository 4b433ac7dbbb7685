// docs/js/maths-scroll.js: a display formula wider than its column scrolls sideways (site.css);
// this makes such a formula a keyboard stop, so it can be scrolled without a mouse (WCAG 2.1.1,
// axe's scrollable-region-focusable). Formulas that fit stay out of the tab order. The formulas
// themselves are typeset at build time (sitebuild/maths.py) and need no script.

import { onEachPage } from "./each-page.js";

const LABEL = "Wide formula: scroll sideways with the arrow keys";

/** Make `box` (a `.katex-display`) focusable exactly while it overflows its width. */
export function markOverflow(box) {
  const wide = box.scrollWidth > box.clientWidth + 1;
  if (wide && !box.hasAttribute("tabindex")) {
    box.tabIndex = 0;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", LABEL);
  } else if (!wide && box.getAttribute("aria-label") === LABEL) {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
}

export function mount(doc = document) {
  const boxes = [...doc.querySelectorAll(".katex-display")];
  if (!boxes.length) return;
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => markOverflow(entry.target)));
  boxes.forEach((box) => {
    markOverflow(box);
    observer.observe(box);
  });
}

onEachPage(mount);
