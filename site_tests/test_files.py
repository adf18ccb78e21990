"""Checks of the built site's files (no browser): run after ``jupyter-book build``.

Every internal link and anchor resolves (the typeset PDF ``klnotes.pdf`` may be absent
outside CI, when only the web book was built), no chapter page (HTML plus its images)
exceeds 1.5 MB, every figure has an opaque light background (readable in dark mode), is
rendered at 2x and has its caption as alt text, each chapter offers its notebook for
download, and code cells tagged ``deeper`` carry the class ``deeper``.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from sitepaths import CHAPTERS, IN_CI, PAGES, SITE

MAX_PAGE_BYTES = 1.5 * 2**20
PDF = "klnotes.pdf"
# klnotes.plotting renders figures at 2x (200 dpi for a figure laid out at 100 dpi)
MIN_FIGURE_DPI = 190
MIN_ALT_WORDS = 4  # a caption, not a file name


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.imgs: list[str] = []
        self.classes: list[set[str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "img" and a.get("src"):
            self.imgs.append(a["src"])
        self.classes.append(set((a.get("class") or "").split()))


@functools.cache
def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves():
    broken = []
    for page in sorted(SITE.rglob("*.html")):
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
                if target.name == PDF and not IN_CI:
                    continue  # the web book was built without the PDF
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
            (page.parent / unquote(urlsplit(s).path)).resolve()
            for s in parse(page).imgs
            if not urlsplit(s).scheme
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


def test_figures_are_rendered_at_twice_the_resolution():
    from PIL import Image

    low = {}
    for rel in CHAPTERS:
        for src in parse(SITE / rel).imgs:
            if "_images/" in src:
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
def test_chapter_offers_its_notebook_for_download_and_links_the_pdf(rel):
    hrefs = parse(SITE / rel).hrefs
    name = Path(rel).stem + ".ipynb"
    assert any(h.endswith(name) and "_sources" in h for h in hrefs), (
        f"{rel}: no .ipynb download"
    )
    assert (SITE / "_sources" / "book" / name).is_file()
    assert f"../{PDF}" in hrefs, f"{rel}: no link to the typeset book {PDF}"


def test_optional_material_is_marked_deeper():
    unmarked = [
        rel
        for rel in PAGES
        for c in parse(SITE / rel).classes
        if "tag_deeper" in c and "deeper" not in c
    ]
    assert not unmarked, (
        f"cells tagged deeper without the class deeper: {unmarked}"
    )


def test_chapters_keep_the_figure_style_font_sizes():
    """No figure text set below klnotes.plotting's smallest size (legible on a phone)."""
    from klnotes.plotting import SMALL_FONT_SIZE

    pattern = re.compile(r"fontsize[\"']?\s*[=:]\s*(\d+(?:\.\d+)?)")
    small = [
        f"{nb.name}: fontsize {size}"
        for nb in sorted((SITE / "_sources" / "book").glob("*.ipynb"))
        for size in pattern.findall(nb.read_text(encoding="utf-8"))
        if float(size) < SMALL_FONT_SIZE
    ]
    assert not small, f"figure text below {SMALL_FONT_SIZE} pt: {small}"
