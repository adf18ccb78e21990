// TeX that was not typeset: text of the article outside code and math (site_tests).
(n) => {
  const article = document.querySelector('article') || document.body;
  const skip = 'pre, code, kbd, samp, script, style, mjx-container, .highlight, .cell_input, .cell_output';
  const tex = /\$|\\[()\[\]]|\\[A-Za-z]{2,}|\\[{}|,;!]/;
  const found = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    const m = tex.exec(node.data);
    if (!m) continue;
    const block = node.parentElement.closest('p, li, dd, dt, td, th, h1, h2, h3, h4, div') || node.parentElement;
    const text = block.textContent.replace(/\s+/g, ' ').trim();
    const at = Math.max(0, text.indexOf(m[0]) - n);
    const sec = node.parentElement.closest('section[id], div.admonition[id], [id]');
    found.push(`#${sec ? sec.id : '?'}: …${text.slice(at, at + 2 * n)}…`);
  }
  article.querySelectorAll('mjx-merror').forEach(e =>
    found.push(`MathJax error: ${e.textContent.slice(0, 2 * n)}`));
  return found;
}
