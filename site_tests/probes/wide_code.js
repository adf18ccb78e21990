// Code cells (inputs) whose lines are wider than the column (site_tests).
([tol, n]) => {
  const cells = Array.from(document.querySelectorAll('article .cell_input pre'))
    .filter(p => p.getClientRects().length > 0);
  const wide = cells.filter(p => p.scrollWidth > p.clientWidth + tol).map(p => {
    const lines = p.textContent.split('\n');
    const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
    const sec = p.closest('section[id], div.admonition[id]');
    return `#${sec ? sec.id : '?'} (${longest.length} columns): ${longest.trim().slice(0, n)}`;
  });
  return {total: cells.length, wide};
}
