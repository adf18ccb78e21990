// Before axe-core runs (site_tests), two savings that change no reported finding:
// - rules that can never find a violation of an impact in `blocking` (by axe-core's
//   own metadata: the rule's impact and its checks') are switched off; their findings
//   are not reported, and the landmark rule "region" alone is a sixth of a chapter's run;
// - code tokens (syntax-highlighting spans, thousands per page) whose colour-contrast
//   inputs equal an earlier token's are marked, and the color-contrast rule skips
//   marked elements, so it checks one token per look at about half the cost. The
//   inputs are those axe reads for a text element: colour, size, weight, shadow, and
//   the opacity and backgrounds of the element and its ancestors up to the first
//   opaque background.
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
  const seen = new Set();
  for (const span of document.querySelectorAll("div.highlight pre span")) {
    const key = look(span);
    if (seen.has(key)) span.dataset.sameContrast = "";
    else seen.add(key);
  }
  axe.configure({ rules: [
    { id: "color-contrast", selector: "*:not([data-same-contrast])" },
    ...quiet.map((r) => ({ id: r.id, enabled: false })),
  ] });
  return quiet.map((r) => r.id);
}
