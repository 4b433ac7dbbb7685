// docs/js/code-editor.js: turn a code cell's <textarea> into a CodeMirror 6 Python editor.
//
// CodeMirror comes from ../vendor/codemirror.js: one ES module the build bundles from the
// packages pinned in package-lock.json (scripts/editor-bundle.mjs, run by scripts/_node.sh), and
// the site serves itself. It is imported on first use, so pages without cells never load it; if
// it is missing or fails to load, `createEditor` resolves to null and the textarea stays.
//
// The textarea stays the value source: every edit is written back to it and announced with an
// `input` event, and leaving the editor fires `blur` on it, so code that reads, listens to or
// saves the textarea keeps working. Set a new value with the returned `setValue`, not the
// textarea. Keys: Ctrl/Cmd+Enter calls `onRun`; Tab indents (4 spaces) and Shift+Tab dedents;
// Escape, then Tab, leaves the editor (CodeMirror's tab-focus mode); Ctrl/Cmd+F searches,
// Ctrl/Cmd+Z undoes. Colours come from Material's code variables (docs/css/code-editor.css).

const VENDOR_URL = new URL("../vendor/codemirror.js", import.meta.url).href;
const INDENT = "    ";

let loading = null;

/** The bundled CodeMirror module, or null (with a console warning) if it cannot be loaded. */
export function loadCodeMirror() {
  loading ??= import(VENDOR_URL).catch((problem) => {
    console.warn(`datacf: the code editor (${VENDOR_URL}) did not load, so cells keep a plain text area:`, problem);
    return null;
  });
  return loading;
}

/** Tab: indent the selected lines, or insert spaces to the next indent stop at the cursor. */
function indentOrInsert(cm) {
  return (view) => {
    const { state } = view;
    if (state.selection.ranges.some((range) => !range.empty)) return cm.indentMore(view);
    view.dispatch(state.changeByRange((range) => {
      const column = range.head - state.doc.lineAt(range.head).from;
      const spaces = INDENT.slice(column % INDENT.length);
      return { changes: { from: range.head, insert: spaces }, range: cm.EditorSelection.cursor(range.head + spaces.length) };
    }));
    return true;
  };
}

/**
 * Replace *textarea* by a CodeMirror editor of its value; resolve to `{view, setValue, focus,
 * destroy}`, or to null when CodeMirror is unavailable (the textarea is then left as it was).
 * *label* names the editor for assistive technology (default: the textarea's label).
 */
export async function createEditor(textarea, { onRun = () => {}, label } = {}) {
  const cm = await loadCodeMirror();
  if (!cm || !textarea.isConnected || textarea.dataset.codeEditor === "true") return null;
  const doc = textarea.ownerDocument;
  const win = doc.defaultView;
  const name = label ?? textarea.labels?.[0]?.textContent ?? "Python code";
  const reducedMotion = win.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;

  // tabindex: CodeMirror's content is focusable anyway; axe needs it said to pass the scrolling region.
  const attributes = { "aria-label": name, tabindex: "0" };
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) attributes["aria-describedby"] = describedBy;

  let quiet = false;        // setValue's own change: the caller knows, so no input event
  const mirror = cm.EditorView.updateListener.of((update) => {
    if (update.docChanged) {
      textarea.value = update.state.doc.toString();
      if (!quiet) textarea.dispatchEvent(new win.Event("input", { bubbles: true }));
    }
  });
  const run = { key: "Mod-Enter", run: () => { onRun(); return true; }, preventDefault: true };

  const view = new cm.EditorView({
    state: cm.EditorState.create({
      doc: textarea.value,
      extensions: [
        cm.lineNumbers(),
        cm.highlightSpecialChars(),
        cm.history(),
        cm.drawSelection({ cursorBlinkRate: reducedMotion ? 0 : 1200 }),
        cm.EditorState.tabSize.of(4),
        cm.indentUnit.of(INDENT),
        cm.indentOnInput(),
        cm.python(),
        cm.syntaxHighlighting(cm.classHighlighter),   // tok-* classes, coloured by code-editor.css
        cm.bracketMatching(),
        cm.closeBrackets(),
        cm.search({ top: true }),
        cm.Prec.highest(cm.keymap.of([run])),
        cm.keymap.of([
          ...cm.closeBracketsKeymap,
          ...cm.searchKeymap,
          ...cm.historyKeymap,
          { key: "Tab", run: indentOrInsert(cm), shift: cm.indentLess },
          ...cm.defaultKeymap,
        ]),
        cm.EditorView.editorAttributes.of({ class: "dcf-code-editor" }),   // code-editor.css
        cm.EditorView.contentAttributes.of(attributes),
        mirror,
      ],
    }),
  });
  const typing = doc.activeElement === textarea;    // the reader got there before the bundle did
  const { selectionStart, selectionEnd } = textarea;
  textarea.dataset.codeEditor = "true";
  textarea.hidden = true;
  textarea.before(view.dom);
  if (typing) {
    view.dispatch({ selection: { anchor: selectionStart, head: selectionEnd } });
    view.focus();
  }
  // Leaving the editor is leaving the textarea (code-cell.js saves on blur): said at once.
  const blur = () => textarea.dispatchEvent(new win.FocusEvent("blur"));
  view.contentDOM.addEventListener("blur", blur);
  // A click on the textarea's <label> focuses the editor, as it focused the textarea.
  const focusFromLabel = () => view.focus();
  const labels = [...(textarea.labels ?? [])];
  for (const element of labels) element.addEventListener("click", focusFromLabel);

  return {
    view,
    /** Replace the code (as Reset does) as one undoable change; the textarea gets it, with no input event. */
    setValue(text) {
      if (text === view.state.doc.toString()) return;
      quiet = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: "input.replace" });
      } finally {
        quiet = false;
      }
    },
    focus: () => view.focus(),
    /** Remove the editor and show the textarea again, with the current code. */
    destroy() {
      for (const element of labels) element.removeEventListener("click", focusFromLabel);
      view.contentDOM.removeEventListener("blur", blur);
      view.destroy();
      view.dom.remove();
      textarea.hidden = false;
      delete textarea.dataset.codeEditor;
    },
  };
}
