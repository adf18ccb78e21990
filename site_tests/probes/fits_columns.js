// Whether a line of `cols` characters fits each code cell without scrolling (the layout's
// promise, whatever the chapters print): a probe block with the cell's classes is put
// beside the cell, measured and removed. `sel` picks the cells (site_tests).
([tol, cols, sel]) => {
  const cells = Array.from(document.querySelectorAll(sel))
    .filter(p => p.getClientRects().length > 0);
  const bad = [];
  for (const p of cells) {
    const probe = p.cloneNode(false);
    probe.textContent = 'x'.repeat(cols);
    p.after(probe);
    if (probe.scrollWidth > probe.clientWidth + tol) {
      const sec = p.closest('section[id], div.admonition[id]');
      bad.push(`#${sec ? sec.id : '?'}: ${probe.scrollWidth - probe.clientWidth} px too narrow`);
    }
    probe.remove();
  }
  return bad;
}
