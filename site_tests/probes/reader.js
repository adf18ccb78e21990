// What a reader sees of the math, output and code on the open page (site_tests).
// Returns counts and examples; `tol` is the sub-pixel tolerance in CSS px.
([tol, n]) => {
  const article = document.querySelector("article") || document.body;
  const shown = (e) => e.getClientRects().length > 0;
  const where = (e) => {
    const sec = e.closest("div.math[id], div.admonition[id], section[id]");
    return `#${sec ? sec.id : "?"} ${e.textContent.replace(/\s+/g, " ").trim().slice(0, n)}`;
  };
  const overflows = (e) => e.scrollWidth > e.clientWidth + tol;
  const cued = (e) => getComputedStyle(e).maskImage.includes("gradient");
  // display formulas: fully visible, or scrolling with a visible cue; their number apart
  const displays = [...article.querySelectorAll('div.math mjx-container[display="true"]')].filter(shown);
  const cut = [], uncued = [], overlap = [], small = [];
  for (const m of displays) {
    const math = m.querySelector("mjx-math").getBoundingClientRect();
    const box = m.getBoundingClientRect();
    if (math.right > box.right + tol || math.left < box.left - tol || overflows(m)) {
      cut.push(where(m));
      if (!cued(m)) uncued.push(where(m));
    }
    const eqno = m.parentElement.querySelector(":scope > span.eqno");
    if (eqno) {
      const r = eqno.getBoundingClientRect();
      if (r.left < Math.min(math.right, box.right) - tol && r.right > math.left && r.bottom > math.top && r.top < math.bottom) overlap.push(where(m));
    }
    const scale = parseFloat(getComputedStyle(m).fontSize) / parseFloat(getComputedStyle(m.parentElement).fontSize);
    if (scale < 0.69) small.push(`${where(m)} at ${Math.round(100 * scale)} %`);
  }
  // inline formulas in a box of their own that scrolls (a scrollbar under the formula)
  const inline = [...article.querySelectorAll("span.math, span.math mjx-container")].filter(shown);
  const ownScroll = inline.filter((e) => {
    const ox = getComputedStyle(e).overflowX;
    return (ox === "auto" || ox === "scroll") && (overflows(e) || e.offsetHeight > e.clientHeight + tol);
  }).map(where);
  // printed output: rows kept (no wrapping) and, if wider than the column, a cue
  const outputs = [...article.querySelectorAll(".cell_output pre")].filter(shown);
  const wrapped = outputs.filter((p) => getComputedStyle(p).whiteSpace.startsWith("pre-wrap") || getComputedStyle(p).whiteSpace === "normal").map(where);
  const outUncued = outputs.filter((p) => overflows(p) && !cued(p)).map(where);
  // wrapped code lines: continuation indented beyond the line's own start
  const lines = [...article.querySelectorAll(".cell_input pre > span.line")].filter(shown);
  const badWrap = [];
  let wrappedLines = 0;
  for (const l of lines) {
    const range = document.createRange();
    range.selectNodeContents(l);
    const rs = [...range.getClientRects()].filter((r) => r.width > 0);
    const tops = [...new Set(rs.map((r) => Math.round(r.top)))];
    if (tops.length < 2) continue;
    wrappedLines++;
    const firstLeft = Math.min(...rs.filter((r) => Math.round(r.top) === tops[0]).map((r) => r.left));
    const contLeft = Math.min(...rs.filter((r) => Math.round(r.top) !== tops[0]).map((r) => r.left));
    const ch = parseFloat(getComputedStyle(l).fontSize) * 0.6;
    const indent = parseInt(l.style.getPropertyValue("--i") || "0", 10);
    const marker = getComputedStyle(l).backgroundImage.includes("gradient");
    if (contLeft < firstLeft + (indent + 1) * ch - tol || !marker) badWrap.push(where(l));
  }
  // figures: drawn scale (CSS px per image pixel), and whether a tap opens them full size
  const figures = [...article.querySelectorAll("figure img")].filter(shown).map((i) => ({
    src: i.getAttribute("src"), scale: i.getBoundingClientRect().width / i.naturalWidth,
    link: !!i.closest("a[href]") && i.closest("a[href]").getAttribute("href") === i.getAttribute("src"),
  }));
  // tables wider than their column
  const wideTables = [...article.querySelectorAll("table")].filter(shown).filter((t) => {
    const col = t.closest(".pst-scrollable-table-container, .table-wrapper") || t.parentElement;
    return t.getBoundingClientRect().width > col.clientWidth + tol;
  }).map((t) => `${where(t)} (${Math.round(t.getBoundingClientRect().width)} px)`);
  return {
    figures, wideTables,
    displays: displays.length, cut, uncued, overlap, small,
    inline: article.querySelectorAll("span.math").length, ownScroll,
    outputs: outputs.length, wrapped, outUncued,
    codeLines: lines.length, wrappedLines, badWrap,
  };
}
