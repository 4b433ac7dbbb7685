// docs/js/scroll-focus.js: a box that scrolls sideways because its content is wider than the
// column, a display formula (site.css) or a wide table (Material's `.md-typeset__scrollwrap`),
// becomes a keyboard stop while it overflows, so it can be scrolled without a mouse (WCAG
// 2.1.1, axe's scrollable-region-focusable). Boxes that fit stay out of the tab order. The
// formulas and tables are static HTML; they read without this script.

import { onEachPage } from "./each-page.js";

const LABELS = {
  formula: "Wide formula: scroll sideways with the arrow keys",
  table: "Wide table: scroll sideways with the arrow keys",
};
const BOXES = ".katex-display, .md-typeset__scrollwrap";

/** Make `box` focusable, with a name saying it scrolls, exactly while it overflows its width. */
export function markOverflow(box) {
  const label = LABELS[box.classList.contains("katex-display") ? "formula" : "table"];
  const wide = box.scrollWidth > box.clientWidth + 1;
  if (wide && !box.hasAttribute("tabindex")) {
    box.tabIndex = 0;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", label);
  } else if (!wide && box.getAttribute("aria-label") === label) {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
}

export function mount(doc = document) {
  const boxes = [...doc.querySelectorAll(BOXES)];
  if (!boxes.length) return;
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => markOverflow(entry.target)));
  boxes.forEach((box) => {
    markOverflow(box);
    observer.observe(box);
  });
}

onEachPage(mount);
