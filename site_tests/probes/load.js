// Installed before a page loads (site_tests): records layout shifts (the CLS sum of
// shifts without recent input) and, every 100 ms, whether raw TeX delimiters are
// visible in the first screen of the article, until the test sets `stop`.
(() => {
  // start: the clock of texSeenAt (and of the test's wait)
  const k = { cls: 0, shifts: [], texSeenAt: [], stop: false, start: performance.now() };
  window.__klnotes = k;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) {
        k.cls += e.value;
        k.shifts.push([Math.round(e.startTime), e.value]);
      }
    }
  }).observe({ type: "layout-shift", buffered: true });
  const tex = /\\\(|\\\[|\$\$|\\begin\{/;
  const look = () => {
    const a = document.querySelector("article");
    // (one test of the whole text first: a text node's TeX is in it too)
    if (a && tex.test(a.textContent)) {
      const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if (!tex.test(t.data) || t.parentElement.closest("pre, code, script, style")) continue;
        const r = t.parentElement.getBoundingClientRect();
        if (r.bottom > 0 && r.top < innerHeight && r.width > 0) {
          k.texSeenAt.push(Math.round(performance.now() - k.start));
          break;
        }
      }
    }
    if (!k.stop) setTimeout(look, 100);
  };
  look();
})();
