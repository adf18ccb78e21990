// klnotes: keyboard access to blocks that scroll sideways (added by book/_ext/reader_view.py).
// pydata-sphinx-theme gives a scrollable code block a tab stop when the page loads and
// when the window is resized. Opening a solution or a hidden cell can make a block
// scrollable later, so the same check runs again after each click and each <details>
// toggle (axe-core: scrollable-region-focusable).
(() => {
  const SCROLLERS = "pre, .cell_output > .output, .pst-scrollable-table-container";
  const AFTER_TOGGLE_MS = 50;
  const update = () => {
    document.querySelectorAll(SCROLLERS).forEach((e) => {
      if (e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight) e.tabIndex = 0;
    });
  };
  const later = () => setTimeout(update, AFTER_TOGGLE_MS);
  document.addEventListener("click", later);
  document.addEventListener("toggle", later, true);
  window.addEventListener("load", update);
})();
