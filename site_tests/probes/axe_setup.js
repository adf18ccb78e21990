// Before axe-core runs (site_tests), two savings that change no reported finding:
// - rules that can never find a violation of an impact in `blocking` (by axe-core's
//   own metadata: the rule's impact and its checks') are switched off; their findings
//   are not reported, and the landmark rule "region" alone is a sixth of a chapter's run;
// - the color-contrast rule is offered only the elements it can match (form fields,
//   and elements with a text node of their own: axe's color-contrast-matches), not
//   the formulas' thousands of glyph elements; and of the code tokens (syntax-
//   highlighting spans, thousands per page) one per look, the inputs axe reads for a
//   text element: colour, size, weight, shadow, and the opacity and backgrounds of
//   the element and its ancestors up to the first opaque background.
(blocking) => {
  const level = (impact) => ["minor", "moderate", "serious", "critical"].indexOf(impact);
  const floor = Math.min(...blocking.map(level));
  const quiet = axe._audit.rules.filter((r) => {
    const checks = [...r.any, ...r.all, ...r.none].map((c) => axe._audit.data.checks[c.id || c]);
    return Math.max(level(r.impact), ...checks.map((c) => level(c && c.impact))) < floor;
  });
  const look = (e) => {
    const s = getComputedStyle(e);
    const parts = [s.color, s.fontSize, s.fontWeight, s.textShadow];
    for (let a = e; a; a = a.parentElement) {
      const t = getComputedStyle(a);
      parts.push(t.opacity, t.backgroundColor, t.backgroundImage, t.mixBlendMode);
      if (t.backgroundColor.startsWith("rgb(")) break; // opaque: nothing behind shows
    }
    return parts.join("|");
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (t.data.trim()) t.parentElement.dataset.contrast = "";
  }
  const seen = new Set();
  for (const span of document.querySelectorAll("div.highlight pre span[data-contrast]")) {
    const key = look(span);
    if (seen.has(key)) delete span.dataset.contrast;
    else seen.add(key);
  }
  axe.configure({ rules: [
    { id: "color-contrast", selector: "[data-contrast], input, select, textarea" },
    ...quiet.map((r) => ({ id: r.id, enabled: false })),
  ] });
  return quiet.map((r) => r.id);
}
