// klnotes: what the reader sees (added by book/_ext/reader_view.py).
(() => {
  // Blocks that scroll sideways: a display formula too wide for its column even at
  // 70 %, printed output with long rows, a wide table. While there is more to the
  // right, the block's right edge fades (.klnotes-more in klnotes.css), since phones
  // and macOS draw no scrollbar to say so. pydata-sphinx-theme gives a block that is
  // scrollable at load a tab stop; one that becomes scrollable later (a solution or a
  // hidden cell opened) gets one here too (axe-core: scrollable-region-focusable).
  // No upstream report found: the theme looks at load, on resize and when children are
  // added, not when content is revealed; this can go when it does, formulas and
  // admonitions included.
  const SCROLLERS =
    "div.math mjx-container, pre, .cell_output > .output, .pst-scrollable-table-container, .admonition";
  const AFTER_TOGGLE_MS = 50;
  const cue = (e) => {
    const more = e.scrollLeft + e.clientWidth < e.scrollWidth - 1;
    e.classList.toggle("klnotes-more", more);
  };
  const update = () => {
    document.querySelectorAll(SCROLLERS).forEach((e) => {
      if (e.scrollWidth > e.clientWidth + 1) {
        e.tabIndex = 0;
        cue(e);
      } else e.classList.remove("klnotes-more");
    });
  };
  const later = () => setTimeout(update, AFTER_TOGGLE_MS);
  document.addEventListener("scroll", (ev) => ev.target.classList && cue(ev.target), true);
  document.addEventListener("click", later);
  document.addEventListener("toggle", later, true);
  window.addEventListener("resize", update);
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("load", update);
})();

// Interactive figures (klnotes.interactive) are drawn in the site's colours: redraw
// them when the reader switches between light and dark.
new MutationObserver(() =>
  document.querySelectorAll(".klnotes-interactive").forEach((f) => f.klnotesDraw && f.klnotesDraw()),
).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
