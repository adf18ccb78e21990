// Content (math, code, tables, images) that cannot be seen whole: cut by an ancestor that
// hides overflow, scrolling an enclosing block (a proof box, the article) sideways rather
// than its own box, an inline formula that only fits by scrolling inside its line, or
// reaching past the screen's right edge (the page scrolls sideways) (site_tests).
([tol, n, screen]) => {
  const article = document.querySelector('article') || document.body;
  const own = 'mjx-container, span.math, div.math, pre, .highlight, .cell_output, .output, .pst-scrollable-table-container, .table-wrapper';
  const found = [], scrolling = [];
  const describe = (e) => {
    const sec = e.closest('div.admonition[id], section[id], figure[id]');
    const text = (e.tagName === 'IMG' ? e.alt || e.src : e.textContent).replace(/\s+/g, ' ').trim();
    return `#${sec ? sec.id : '?'} <${e.tagName.toLowerCase()}> ${text.slice(0, n)}`;
  };
  const name = (a) => a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') +
    (a.classList.length ? '.' + Array.from(a.classList).slice(0, 2).join('.') : '');
  const items = article.querySelectorAll('mjx-container, pre, table, img');
  for (const e of items) {
    if (e.parentElement.closest('mjx-container')) continue;  // nested math
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not displayed
    const ox = getComputedStyle(e).overflowX;
    let left = r.left, right = r.right;
    const math = e.tagName === 'MJX-CONTAINER' ? e.querySelector('mjx-math') : null;
    if (math) {
      // the typeset formula (the container's scrollWidth also counts its hidden assistive MathML)
      const mr = math.getBoundingClientRect();
      left = Math.min(left, mr.left); right = Math.max(right, mr.right);
    } else {
      right = Math.max(right, r.left + e.scrollWidth);
    }
    if (ox === 'auto' || ox === 'scroll') {  // scrolls in its own box
      if (math && (right > r.right + tol || left < r.left - tol)) scrolling.push(describe(e));
      left = Math.max(left, r.left); right = Math.min(right, r.right);
    } else if ((ox === 'hidden' || ox === 'clip') && (right > r.right + tol || left < r.left - tol)) {
      found.push(`cut by its own box: ${describe(e)}`);
      continue;
    }
    let defect = null;
    let a = e.parentElement;
    for (; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const as = getComputedStyle(a);
      const aox = as.overflowX;
      if (aox === 'visible' || as.display === 'inline' || as.display === 'contents') continue;
      const ar = a.getBoundingClientRect();
      const inL = ar.left + a.clientLeft, inR = inL + a.clientWidth;
      const over = right > inR + tol || left < inL - tol;
      if (aox === 'hidden' || aox === 'clip') {
        if (over) defect = `cut by ${name(a)}`;
        break;
      }
      if (over && !a.matches(own)) { defect = `scrolls the enclosing ${name(a)} sideways`; break; }
      // a display formula may scroll in its own box; an inline one that has to scroll
      // inside a line of text is hard to read and easy to miss: it should be a display
      if (over && a.matches('span.math')) { defect = 'inline formula wider than the column (scrolls inside its line)'; break; }
      if (over && math) scrolling.push(describe(e));
      left = Math.max(left, inL); right = Math.min(right, inR);
    }
    if (!defect && right > screen + tol) defect = 'runs past the right edge of the screen';
    if (defect) found.push(`${defect}: ${describe(e)}`);
  }
  // (a phone browser zooms out to show a too wide page: compare with the screen, not innerWidth)
  const sw = document.documentElement.scrollWidth;
  if (sw > screen + tol) found.push(`the page is ${sw} px wide on a ${screen} px screen`);
  return {defects: found, scrolling};
}
