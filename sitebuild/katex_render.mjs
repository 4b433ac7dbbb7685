// sitebuild/katex_render.mjs: typeset formulas with KaTeX (pinned in package-lock.json), for
// sitebuild/maths.py. Reads a JSON array of {tex, display} on stdin and writes a JSON array of
// {html} or {error} on stdout, one per formula in order: HTML plus MathML, so the page needs no
// script to show or read the maths. `strict: "error"` and `throwOnError` make a formula KaTeX
// would only guess at an error the build reports; `trust: false` refuses \href and friends.
import katex from "katex";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const formulas = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const out = formulas.map(({ tex, display }) => {
  try {
    return { html: katex.renderToString(tex, { displayMode: display, output: "htmlAndMathml",
      throwOnError: true, strict: "error", trust: false }) };
  } catch (error) {
    return { error: String(error?.message ?? error) };
  }
});
process.stdout.write(JSON.stringify({ version: katex.version, formulas: out }));
