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
import os
import shutil
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
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
