// The entry of docs/vendor/codemirror.js: the parts of CodeMirror 6 the code cells use
// (docs/js/code-editor.js), bundled into one ES module by esbuild (`npm run build:editor`,
// which scripts/_node.sh runs). Every package is pinned in package-lock.json; the bundle is
// generated and git-ignored, and the site serves it itself: no CDN at run time.
export { EditorSelection, EditorState, Prec } from "@codemirror/state";
export { EditorView, drawSelection, highlightSpecialChars, keymap, lineNumbers } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
export { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
export { python } from "@codemirror/lang-python";
export { search, searchKeymap } from "@codemirror/search";
export { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
export { classHighlighter } from "@lezer/highlight";
