"""Checks of the built site, ``_build/html``: run after ``jupyter-book build``.

    .venv/bin/python -m pytest site_tests

Browser tests open every page in headless Chromium (Debian's ``chromium``, driven by
Playwright with the system browser) with every host name except the local server's
address mapped to "not found", so the pages are exercised exactly as a reader without
a network would see them. They assert that the math is typeset by MathJax with no raw
TeX left, that every image loads, that there are no console errors, and that no request
leaves localhost; a screenshot of chapter 2 is saved under ``_build/``.

File checks need no browser: every internal link and anchor resolves, no chapter page
(HTML plus its images) exceeds 1.5 MB, every figure has an opaque light background
(readable in the theme's dark mode), and each chapter offers its notebook for download.

With ``CI=true`` a missing site, browser or Playwright is a failure; elsewhere those
tests are skipped with the reason.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
# KLNOTES_SITE checks another build (e.g. an older one, to compare)
SITE = Path(os.environ.get("KLNOTES_SITE") or ROOT / "_build" / "html")
IN_CI = os.environ.get("CI") == "true"
# Debian's chromium by default; KLNOTES_CHROMIUM selects another Chromium-based browser
# (the GitHub Actions workflow points it at the runner's Google Chrome).
CHROMIUM = (
    os.environ.get("KLNOTES_CHROMIUM")
    or shutil.which("chromium")
    or "/usr/bin/chromium"
)
MAX_PAGE_BYTES = 1.5 * 2**20
PAGES = sorted(
    p.relative_to(SITE).as_posix() for p in SITE.glob("book/*.html")
)
CHAPTERS = [p for p in PAGES if Path(p).name[:2].isdigit()]


def require(condition: bool, reason: str) -> None:
    if not condition:
        (pytest.fail if IN_CI else pytest.skip)(reason)


@pytest.fixture(scope="session", autouse=True)
def site_exists():
    require(
        (SITE / "index.html").is_file(),
        f"no built site at {SITE}: run the book build first",
    )
    require(
        len(CHAPTERS) >= 7,
        f"expected the 7 chapters under {SITE / 'book'}, found {CHAPTERS}",
    )


# ----------------------------------------------------------------- file checks


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.imgs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "img" and a.get("src"):
            self.imgs.append(a["src"])


@functools.cache
def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves():
    broken = []
    pages = sorted(SITE.rglob("*.html"))
    for page in pages:
        if "_static" in page.parts:
            continue
        for href in parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (
                (page.parent / unquote(parts.path)).resolve()
                if parts.path
                else page
            )
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(SITE)}: {href} (no file)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in parse(target).ids
            ):
                broken.append(f"{page.relative_to(SITE)}: {href} (no anchor)")
    assert not broken, "\n".join(broken[:30])


def test_page_weight_and_total_size(request):
    sizes = {}
    for rel in PAGES:
        page = SITE / rel
        images = {
            (page.parent / unquote(urlsplit(src).path)).resolve()
            for src in parse(page).imgs
            if not urlsplit(src).scheme
        }
        sizes[rel] = page.stat().st_size + sum(
            p.stat().st_size for p in images if p.exists()
        )
    total = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    for rel, size in sizes.items():
        reporter.write_line(
            f"page weight {rel}: {size / 2**20:.2f} MB (HTML + images)"
        )
    reporter.write_line(
        f"total site size: {total / 2**20:.1f} MB in {sum(1 for _ in SITE.rglob('*'))} files"
    )
    heavy = {k: v for k, v in sizes.items() if v > MAX_PAGE_BYTES}
    assert not heavy, f"pages over 1.5 MB: {heavy}"


def test_figures_have_an_opaque_light_background():
    from PIL import Image

    figures = sorted((SITE / "_images").glob("*.png"))
    assert figures, "no figures in the built site"
    for fig in figures:
        img = np.asarray(Image.open(fig).convert("RGBA"), dtype=float)
        corners = img[[0, 0, -1, -1], [0, -1, 0, -1]]
        assert np.all(corners[:, 3] == 255), (
            f"{fig.name}: transparent background (unreadable in dark mode)"
        )
        assert np.all(corners[:, :3] > 240), (
            f"{fig.name}: background is not light: {corners[:, :3].tolist()}"
        )


# klnotes.plotting renders figures at 2x (200 dpi for a figure laid out at 100 dpi), so
# that they are sharp on high-density screens; matplotlib records the dpi in the PNG.
MIN_FIGURE_DPI = 190
MIN_ALT_WORDS = 4  # a caption, not a file name


def test_figures_are_rendered_at_twice_the_resolution():
    from PIL import Image

    low = {}
    for rel in CHAPTERS:
        for src in parse(SITE / rel).imgs:
            if "_images/" not in src:
                continue
            with Image.open((SITE / rel).parent / unquote(src)) as img:
                dpi = img.info.get("dpi", (0, 0))[0]
            if dpi < MIN_FIGURE_DPI:
                low[f"{rel}: {Path(src).name[:12]}…"] = round(dpi)
    assert not low, (
        f"figures below {MIN_FIGURE_DPI} dpi (re-execute the chapter with klnotes.plotting): {low}"
    )


def test_figures_have_their_caption_as_alt_text():
    missing = []
    for rel in CHAPTERS:
        html = (SITE / rel).read_text(encoding="utf-8")
        for alt, src in re.findall(
            r'<img alt="([^"]*)"[^>]*src="([^"]*_images/[^"]*)"', html
        ):
            if (
                not alt
                or alt.endswith(".png")
                or "_images/" in alt
                or len(alt.split()) < MIN_ALT_WORDS
            ):
                missing.append(f"{rel}: {src} has alt text {alt!r}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("rel", CHAPTERS)
def test_chapter_offers_its_notebook_for_download(rel):
    name = Path(rel).stem + ".ipynb"
    assert any(
        h.endswith(name) and "_sources" in h for h in parse(SITE / rel).hrefs
    ), f"{rel}: no .ipynb download"
    assert (SITE / "_sources" / "book" / name).is_file()


# ----------------------------------------------------------------- browser checks


@pytest.fixture(scope="session")
def server():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(
            False, "Playwright is not installed (it is in requirements.txt)"
        )
    require(
        Path(CHROMIUM).exists(),
        f"no Chromium at {CHROMIUM}: apt-get install chromium",
    )
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # no network: every host name except the local server's address fails to resolve
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            ],
        )
        yield b
        b.close()


# Text of the page's article without code cells and their outputs (they may contain "$").
_PROSE_TEXT = """() => {
  const a = document.querySelector('article') || document.body;
  const c = a.cloneNode(true);
  c.querySelectorAll('pre, .highlight, .cell_input, .cell_output, script, style').forEach(e => e.remove());
  return c.textContent;
}"""


@pytest.mark.parametrize("rel", PAGES)
def test_page_in_a_browser(rel, browser, server):
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400
            else None
        ),
    )
    page.goto(urljoin(server, rel), wait_until="load")
    has_math = page.evaluate(
        "() => !!document.querySelector('.math, .MathJax_Preview, mjx-container')"
    )
    if has_math:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=20000,
        )
        page.evaluate("() => MathJax.startup.promise")
        assert (
            page.evaluate(
                "() => document.querySelectorAll('mjx-container').length"
            )
            > 0
        ), f"{rel}: math not typeset"
    text = page.evaluate(_PROSE_TEXT)
    for raw in ("$$", "\\(", "\\[", "\\begin{"):
        assert raw not in text, f"{rel}: raw TeX {raw!r} left on the page"
    bad_images = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not bad_images, f"{rel}: images that did not load: {bad_images}"
    page.wait_for_timeout(200)
    outside = [
        u
        for u in requests
        if urlsplit(u).hostname not in ("127.0.0.1", None)
        and not u.startswith("data:")
    ]
    assert not outside, f"{rel}: requests left localhost: {outside}"
    assert not errors, f"{rel}: console errors: {errors}"
    if rel.endswith("02_gibbs.html"):
        page.screenshot(
            path=str(ROOT / "_build" / "screenshot_02_gibbs.png"),
            full_page=False,
        )
    page.close()


def test_math_renders_in_every_chapter_count(browser, server):
    """Each chapter's typeset formulas, so that a chapter whose math silently vanished shows up."""
    counts = {}
    for rel in CHAPTERS:
        page = browser.new_page()
        page.goto(urljoin(server, rel), wait_until="load")
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=20000,
        )
        page.evaluate("() => MathJax.startup.promise")
        counts[rel] = page.evaluate(
            "() => document.querySelectorAll('mjx-container').length"
        )
        page.close()
    assert all(n >= 50 for n in counts.values()), counts


# ------------------------------------------------- what the reader sees (issue 14)
#
# Every page is opened at a laptop and a phone size with every solution and hidden cell
# expanded; each class of defect is a test per page and per size:
#   leftover TeX in the prose, content cut by an ancestor that hides overflow (or that
#   makes an enclosing block or the whole page scroll sideways), code cells that scroll
#   sideways, the navigation toggles (real clicks), and axe-core's serious and critical
#   accessibility violations. Screenshots of every chapter land in _build/screenshots/.

VIEWPORTS = {
    "laptop-1280": {
        "viewport": {"width": 1280, "height": 900},
        "device_scale_factor": 1,
    },
    "phone-390": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# Screenshots and measurements go beside the site that is checked (normally _build/).
OUT = SITE.parent
SCREENSHOTS = OUT / "screenshots"
SCREENSHOT_ELEMENTS = {
    "figure": "article figure",
    "solution": "article div.solution",
}
MATHJAX_TIMEOUT_MS = 20_000
SETTLE_MS = 300  # after expanding solutions / opening a dialog, for layout and transitions
# Sub-pixel rounding of layout boxes: an overflow smaller than this is not a defect.
OVERFLOW_TOLERANCE_PX = 2
MAX_WIDE_CODE_FRACTION = (
    0.05  # of a page's code cells (inputs and text outputs)
)
AXE_BLOCKING_IMPACTS = ("serious", "critical")
# axe-core's default rules, plus one it still calls experimental: a control's visible
# text must be part of its accessible name (what a voice-control user says to press it).
AXE_EXTRA_RULES = {"label-content-name-mismatch": {"enabled": True}}
SNIPPET_CHARS = 60
DIALOG_TIMEOUT_MS = 2_000  # for the table of contents to open after a tap
COLLAPSED_PX = 2  # a collapsed sidebar is at most this wide

# Expand every collapsed solution (sphinx-togglebutton admonitions) and <details> block,
# so that what a reader can open is measured too.
_EXPAND_ALL = """() => {
  document.querySelectorAll('.toggle.toggle-hidden > .admonition-title').forEach(t => t.click());
  document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; });
}"""

# TeX that MathJax did not typeset: text of the article outside code and math.
_LEFTOVER_TEX = r"""(n) => {
  const article = document.querySelector('article') || document.body;
  const skip = 'pre, code, kbd, samp, script, style, mjx-container, .highlight, .cell_input, .cell_output';
  const tex = /\$|\\[()\[\]]|\\[A-Za-z]{2,}|\\[{}|,;!]/;
  const found = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    const m = tex.exec(node.data);
    if (!m) continue;
    const block = node.parentElement.closest('p, li, dd, dt, td, th, h1, h2, h3, h4, div') || node.parentElement;
    const text = block.textContent.replace(/\s+/g, ' ').trim();
    const at = Math.max(0, text.indexOf(m[0]) - n);
    const sec = node.parentElement.closest('section[id], div.admonition[id], [id]');
    found.push(`#${sec ? sec.id : '?'}: …${text.slice(at, at + 2 * n)}…`);
  }
  article.querySelectorAll('mjx-merror').forEach(e =>
    found.push(`MathJax error: ${e.textContent.slice(0, 2 * n)}`));
  return found;
}"""

# Content (math, code, tables, images) that cannot be seen whole: cut by an ancestor that
# hides overflow, scrolling an enclosing block (a proof box, the article) sideways rather
# than its own box, an inline formula that only fits by scrolling inside its line, or
# reaching past the screen's right edge (the page scrolls sideways).
_CLIPPED = r"""([tol, n, screen]) => {
  const article = document.querySelector('article') || document.body;
  const own = 'mjx-container, span.math, div.math, pre, .highlight, .cell_output, .output, .pst-scrollable-table-container, .table-wrapper';
  const found = [], scrolling = [];
  const describe = (e) => {
    const sec = e.closest('div.admonition[id], section[id], figure[id]');
    const text = (e.tagName === 'IMG' ? e.alt || e.src : e.textContent).replace(/\s+/g, ' ').trim();
    return `#${sec ? sec.id : '?'} <${e.tagName.toLowerCase()}> ${text.slice(0, n)}`;
  };
  const name = (a) => a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') +
    (a.classList.length ? '.' + Array.from(a.classList).slice(0, 2).join('.') : '');
  const items = article.querySelectorAll('mjx-container, pre, table, img');
  for (const e of items) {
    if (e.parentElement.closest('mjx-container')) continue;  // nested math
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not displayed
    const ox = getComputedStyle(e).overflowX;
    let left = r.left, right = r.right;
    const math = e.tagName === 'MJX-CONTAINER' ? e.querySelector('mjx-math') : null;
    if (math) {
      // the typeset formula (the container's scrollWidth also counts its hidden assistive MathML)
      const mr = math.getBoundingClientRect();
      left = Math.min(left, mr.left); right = Math.max(right, mr.right);
    } else {
      right = Math.max(right, r.left + e.scrollWidth);
    }
    if (ox === 'auto' || ox === 'scroll') {  // scrolls in its own box
      if (math && (right > r.right + tol || left < r.left - tol)) scrolling.push(describe(e));
      left = Math.max(left, r.left); right = Math.min(right, r.right);
    } else if ((ox === 'hidden' || ox === 'clip') && (right > r.right + tol || left < r.left - tol)) {
      found.push(`cut by its own box: ${describe(e)}`);
      continue;
    }
    let defect = null;
    let a = e.parentElement;
    for (; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const as = getComputedStyle(a);
      const aox = as.overflowX;
      if (aox === 'visible' || as.display === 'inline' || as.display === 'contents') continue;
      const ar = a.getBoundingClientRect();
      const inL = ar.left + a.clientLeft, inR = inL + a.clientWidth;
      const over = right > inR + tol || left < inL - tol;
      if (aox === 'hidden' || aox === 'clip') {
        if (over) defect = `cut by ${name(a)}`;
        break;
      }
      if (over && !a.matches(own)) { defect = `scrolls the enclosing ${name(a)} sideways`; break; }
      // a display formula may scroll in its own box; an inline one that has to scroll
      // inside a line of text is hard to read and easy to miss: it should be a display
      if (over && a.matches('span.math')) { defect = 'inline formula wider than the column (scrolls inside its line)'; break; }
      if (over && math) scrolling.push(describe(e));
      left = Math.max(left, inL); right = Math.min(right, inR);
    }
    if (!defect && right > screen + tol) defect = 'runs past the right edge of the screen';
    if (defect) found.push(`${defect}: ${describe(e)}`);
  }
  // (a phone browser zooms out to show a too wide page: compare with the screen, not innerWidth)
  const sw = document.documentElement.scrollWidth;
  if (sw > screen + tol) found.push(`the page is ${sw} px wide on a ${screen} px screen`);
  return {defects: found, scrolling};
}"""

# Code cells (inputs and text outputs) whose lines are wider than the column.
_WIDE_CODE = r"""([tol, n]) => {
  const cells = Array.from(document.querySelectorAll('article .cell_input pre, article .cell_output pre'))
    .filter(p => p.getClientRects().length > 0);
  const wide = cells.filter(p => p.scrollWidth > p.clientWidth + tol).map(p => {
    const lines = p.textContent.split('\n');
    const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
    const sec = p.closest('section[id], div.admonition[id]');
    return `#${sec ? sec.id : '?'} (${longest.length} columns): ${longest.trim().slice(0, n)}`;
  });
  return {total: cells.length, wide};
}"""

# Whether a line of CODE_COLUMNS characters fits each code cell without scrolling (the
# layout's promise, whatever the chapters print): a probe block with the cell's classes
# is put beside the cell, measured, and removed.
CODE_COLUMNS = 79
_FITS_COLUMNS = r"""([tol, cols]) => {
  const cells = Array.from(document.querySelectorAll('article .cell_input pre, article .cell_output pre'))
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
}"""

_measured: dict[tuple[str, str], dict] = {}


def _axe_source() -> str:
    try:
        from importlib.resources import files

        return (files("axe_playwright_python") / "axe.min.js").read_text(
            encoding="utf-8"
        )
    except (ImportError, FileNotFoundError):
        require(
            False,
            "axe-core is not installed (axe-playwright-python is in requirements.txt)",
        )
        raise


def _wait_for_mathjax(page) -> None:
    if page.evaluate("() => !!document.querySelector('.math, mjx-container')"):
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=MATHJAX_TIMEOUT_MS,
        )
        page.evaluate("() => MathJax.startup.promise")


def _open(browser, server, rel: str, size: str):
    context = browser.new_context(**VIEWPORTS[size])
    page = context.new_page()
    page.goto(urljoin(server, rel), wait_until="load")
    _wait_for_mathjax(page)
    return context, page


def reader_view(browser, server, rel: str, size: str) -> dict:
    """Measure one page at one size once per session (every defect test reads from it)."""
    key = (rel, size)
    if key not in _measured:
        axe = _axe_source()
        context, page = _open(browser, server, rel, size)
        if rel in CHAPTERS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SCREENSHOTS / f"{Path(rel).stem}-{size}.png")
            )
        page.evaluate(_EXPAND_ALL)
        page.wait_for_timeout(SETTLE_MS)
        if (
            rel in CHAPTERS
        ):  # and a close look at the first figure and the first solution
            for what, selector in SCREENSHOT_ELEMENTS.items():
                element = page.locator(selector).first
                if element.count():
                    element.screenshot(
                        path=str(
                            SCREENSHOTS / f"{Path(rel).stem}-{size}-{what}.png"
                        )
                    )
        args = [OVERFLOW_TOLERANCE_PX, SNIPPET_CHARS]
        screen = VIEWPORTS[size]["viewport"]["width"]
        view = {
            "tex": page.evaluate(_LEFTOVER_TEX, SNIPPET_CHARS // 2),
            "clipped": page.evaluate(_CLIPPED, [*args, screen]),
            "code": page.evaluate(_WIDE_CODE, args),
            "columns": page.evaluate(
                _FITS_COLUMNS, [OVERFLOW_TOLERANCE_PX, CODE_COLUMNS]
            ),
        }
        page.add_script_tag(content=axe)
        result = page.evaluate(
            "rules => axe.run(document, {resultTypes: ['violations'], rules})",
            AXE_EXTRA_RULES,
        )
        view["axe"] = [
            f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']}; e.g. {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in AXE_BLOCKING_IMPACTS
        ]
        context.close()
        _measured[key] = view
        # every measurement so far, for the record (read by people, not by the tests)
        record = {f"{r} @ {s}": v for (r, s), v in sorted(_measured.items())}
        (OUT / "reader_view.json").write_text(
            json.dumps(record, indent=1, ensure_ascii=False)
        )
    return _measured[key]


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("rel", PAGES)
def test_no_leftover_tex_in_prose(rel, size, browser, server):
    tex = reader_view(browser, server, rel, size)["tex"]
    assert not tex, (
        f"{rel} at {size}: {len(tex)} places with TeX left untypeset:\n"
        + "\n".join(tex)
    )


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("rel", PAGES)
def test_nothing_is_cut_off_or_widens_the_page(rel, size, browser, server):
    clipped = reader_view(browser, server, rel, size)["clipped"]["defects"]
    assert not clipped, (
        f"{rel} at {size}: {len(clipped)} blocks not visible whole:\n"
        + "\n".join(clipped)
    )


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("rel", PAGES)
def test_code_cells_fit_the_column(rel, size, browser, server):
    code = reader_view(browser, server, rel, size)["code"]
    allowed = int(MAX_WIDE_CODE_FRACTION * code["total"])
    assert len(code["wide"]) <= allowed, (
        f"{rel} at {size}: {len(code['wide'])} of {code['total']} code cells scroll sideways "
        f"(at most {allowed} allowed):\n" + "\n".join(code["wide"])
    )


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("rel", PAGES)
def test_79_columns_fit_every_code_cell(rel, size, browser, server):
    """The layout side of the code width: 79 columns fit (1280 px) or wrap (390 px)."""
    bad = reader_view(browser, server, rel, size)["columns"]
    assert not bad, (
        f"{rel} at {size}: {CODE_COLUMNS} columns do not fit {len(bad)} code cells:\n"
        + "\n".join(bad)
    )


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("rel", PAGES)
def test_axe_finds_no_serious_accessibility_violation(
    rel, size, browser, server
):
    axe = reader_view(browser, server, rel, size)["axe"]
    assert not axe, f"{rel} at {size}: axe-core violations:\n" + "\n".join(axe)


def _visible_toggle(page, selector: str):
    toggles = page.locator(f"{selector}:visible")
    assert toggles.count() >= 1, f"no visible {selector}"
    return toggles.first


@pytest.mark.parametrize("rel", PAGES)
def test_phone_navigation_opens_the_table_of_contents(rel, browser, server):
    """Tap the visible ☰ on a phone: the table of contents opens; so does the page contents."""
    context, page = _open(browser, server, rel, "phone-390")
    try:
        _visible_toggle(page, ".primary-toggle").tap()
        modal = page.locator("#pst-primary-sidebar-modal")
        modal.locator("nav.bd-docs-nav a.reference").first.wait_for(
            state="visible", timeout=DIALOG_TIMEOUT_MS
        )
        assert modal.evaluate("m => m.open"), (
            f"{rel}: ☰ did not open the table of contents"
        )
        chapter_links = modal.locator(
            "nav.bd-docs-nav a.reference:visible"
        ).count()
        assert chapter_links >= len(CHAPTERS), (
            f"{rel}: the opened contents show {chapter_links} links"
        )
        if rel in CHAPTERS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(
                    SCREENSHOTS / f"{Path(rel).stem}-phone-390-contents.png"
                )
            )
        page.keyboard.press("Escape")
        page.wait_for_timeout(SETTLE_MS)
        assert not modal.evaluate("m => m.open"), (
            f"{rel}: Escape did not close the table of contents"
        )
        secondary = page.locator(".secondary-toggle:visible")
        if secondary.count():
            secondary.first.tap()
            page.locator("#pst-secondary-sidebar-modal nav a").first.wait_for(
                state="visible", timeout=DIALOG_TIMEOUT_MS
            )
    finally:
        context.close()


@pytest.mark.parametrize("rel", PAGES)
def test_laptop_menu_button_collapses_the_sidebar(rel, browser, server):
    """Click the visible ☰ at 1280 px: the sidebar collapses, and a second click restores it."""
    context, page = _open(browser, server, rel, "laptop-1280")
    try:
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible(), f"{rel}: no sidebar at 1280 px"
        _visible_toggle(page, ".primary-toggle").click()
        page.wait_for_timeout(SETTLE_MS)
        collapsed = (
            not sidebar.is_visible()
            or sidebar.evaluate("s => s.getBoundingClientRect().width")
            < COLLAPSED_PX
        )
        assert collapsed, f"{rel}: ☰ did not collapse the sidebar"
        _visible_toggle(page, ".primary-toggle").click()
        page.wait_for_timeout(SETTLE_MS)
        assert sidebar.is_visible(), (
            f"{rel}: ☰ did not bring the sidebar back"
        )
    finally:
        context.close()
