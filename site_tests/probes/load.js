// Installed before a page loads (site_tests): records layout shifts (the CLS sum of
// shifts without recent input) and, every 100 ms, whether raw TeX delimiters are
// visible in the first screen of the article, until the test sets `stop`.
(() => {
  window.__klnotes = { cls: 0, shifts: [], texSeenAt: [], stop: false };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) {
        window.__klnotes.cls += e.value;
        window.__klnotes.shifts.push([Math.round(e.startTime), e.value]);
      }
    }
  }).observe({ type: "layout-shift", buffered: true });
  const tex = /\\\(|\\\[|\$\$|\\begin\{/;
  const start = performance.now();
  window.__klnotes.start = start; // the clock of texSeenAt
  const look = () => {
    const a = document.querySelector("article");
    // (one test of the whole text first: a text node's TeX is in it too)
    if (a && tex.test(a.textContent)) {
      const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (!tex.test(t.data) || t.parentElement.closest("pre, code, script, style")) continue;
        const r = t.parentElement.getBoundingClientRect();
        if (r.bottom > 0 && r.top < innerHeight && r.width > 0) {
          window.__klnotes.texSeenAt.push(Math.round(performance.now() - start));
          break;
        }
      }
    }
    if (!window.__klnotes.stop) setTimeout(look, 100);
  };
  look();
})();
