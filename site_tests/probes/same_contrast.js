// Before axe-core runs: code tokens (syntax-highlighting spans, thousands per page)
// whose colour-contrast inputs equal an earlier token's are marked, and axe's
// color-contrast rule skips marked elements, so it checks one token per look at
// about half the cost of the whole run. The inputs are those axe reads for a text
// element: colour, size, weight, shadow, and the opacity and backgrounds of the
// element and its ancestors up to the first opaque background.
() => {
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
  axe.configure({ rules: [{ id: "color-contrast", selector: "*:not([data-same-contrast])" }] });
  return seen.size;
}
